"""Interactive renderer: a Leaflet map (through folium) that draws a ChoroplethView offline.

The boundary shapes travel as the compact encoded payload of :mod:`layers.geometry` (built once
per layer and reused); only the small per-feature values (class, value text, tooltip rows)
change from one rerun to the next. The browser decodes the shapes, styles each feature from its
class and builds tooltips and the legend with DOM text nodes, so a region named
``<img src=x onerror=alert(1)>`` shows as text. No tile is loaded unless a basemap URL is set.
"""
from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .choropleth import ChoroplethView
from .geometry import EncodedLayer, safe_json

# The encoded-geometry decoder, shared by every Leaflet renderer of the house: defines
# fmFeatures(G) -> GeoJSON features with properties {region_id, name, i} (i = feature index)
# and fmStyle(css) to add the map's stylesheet once.
DECODE_JS = """
function fmStyle(css) {
  if (!document.getElementById("fm-style")) {
    var st = document.createElement("style"); st.id = "fm-style"; st.textContent = css;
    document.head.appendChild(st);
  }
}
function fmRing(s, f) {
  var pts = [], i = 0, lat = 0, lng = 0;
  while (i < s.length) {
    var r = 0, sh = 0, b;
    do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
    lat += (r & 1) ? ~(r >> 1) : (r >> 1);
    r = 0; sh = 0;
    do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
    lng += (r & 1) ? ~(r >> 1) : (r >> 1);
    pts.push([lng / f, lat / f]);
  }
  return pts;
}
function fmFeatures(G) {
  var feats = [];
  for (var i = 0; i < G.ids.length; i++) {
    var polys = G.shapes[i].map(function(p) { return p.map(function(s) { return fmRing(s, G.f); }); });
    feats.push({type: "Feature", id: G.ids[i],
                properties: {region_id: G.ids[i], name: G.names[i], i: i},
                geometry: {type: "MultiPolygon", coordinates: polys}});
  }
  return feats;
}
"""

# Decoder + layer builder; runs once per map. Kept small and dependency-free (Leaflet only).
_JS = DECODE_JS + """
(function(map, G, V, O) {
  fmStyle(O.css);
  (O.cls || "").split(" ").forEach(function(c) { if (c) { map.getContainer().classList.add(c); } });
  var feats = fmFeatures(G);
  function fill(i) { var c = V.c[i]; return c < 0 ? V.nd : V.pal[c]; }
  function tip(layer) {
    var i = layer.feature.properties.i, d = document.createElement("div");
    d.className = "fm-tip";
    var b = document.createElement("b"); b.textContent = G.names[i]; d.appendChild(b);
    var rows = [[V.label, V.v[i]]].concat(V.rows.map(function(r) { return [r[0], r[1][i]]; }));
    rows.forEach(function(r) {
      var line = document.createElement("div");
      var k = document.createElement("span"); k.className = "fm-k"; k.textContent = r[0] + ": ";
      var v = document.createElement("span"); v.textContent = r[1];
      line.appendChild(k); line.appendChild(v); d.appendChild(line);
    });
    return d;
  }
  var layer = L.geoJSON({type: "FeatureCollection", features: feats}, {
    style: function(f) {
      var i = f.properties.i, sel = G.ids[i] === V.sel;
      return {fillColor: fill(i), fillOpacity: O.fo, color: sel ? O.sel : O.line,
              weight: sel ? 3 : O.lw, opacity: 1};
    },
    onEachFeature: function(f, l) {
      l.bindTooltip(tip, {sticky: true, direction: "top", opacity: 0.95});
      l.on("mouseover", function() { l.setStyle({weight: 2.5, color: O.sel}); l.bringToFront(); });
      l.on("mouseout", function() { layer.resetStyle(l); });
    }
  }).addTo(map);
  window.fmLayer = layer;
  if (V.legend && V.legend.length) {
    var lg = L.control({position: O.legend_pos});
    lg.onAdd = function() {
      var d = L.DomUtil.create("div", "fm-legend");
      if (O.title) { var t = document.createElement("div"); t.className = "fm-title"; t.textContent = O.title; d.appendChild(t); }
      var h = document.createElement("div"); h.className = "fm-lh"; h.textContent = V.unit_label; d.appendChild(h);
      V.legend.forEach(function(e) {
        var row = document.createElement("div"); row.className = "fm-row";
        var sw = document.createElement("span"); sw.className = "fm-sw"; sw.style.background = e[1];
        if (e[3] < 0) { sw.className += " fm-nd"; }
        var lab = document.createElement("span"); lab.textContent = e[0] + " (" + e[2] + ")";
        row.appendChild(sw); row.appendChild(lab); d.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    lg.addTo(map);
  }
})({{ this._parent.get_name() }}, {{ this.geometry }}, {{ this.values }}, {{ this.options }});
"""

_CSS = """
.fm-tip { font: 13px/1.35 system-ui, sans-serif; }
.fm-tip .fm-k { color: #444; }
.fm-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
  font: 12px/1.4 system-ui, sans-serif; color: #111; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  max-width: 280px; }
.fm-legend .fm-title { font-weight: 700; font-size: 14px; margin-bottom: 4px; }
.fm-legend .fm-lh { font-weight: 600; margin-bottom: 4px; }
.fm-legend .fm-row { display: flex; align-items: center; gap: 6px; }
.fm-legend .fm-sw { display: inline-block; flex: 0 0 18px; height: 12px; border: 1px solid #777; }
.fm-legend .fm-nd { background-image: repeating-linear-gradient(45deg, transparent 0 3px,
  rgba(0,0,0,.35) 3px 4px) !important; }
.leaflet-container { background: #f4f4f2; }
.fm-large .fm-legend { font-size: 20px; max-width: 460px; }
.fm-large .fm-legend .fm-title { font-size: 26px; }
.fm-large .fm-legend .fm-sw { width: 30px; height: 20px; }
.fm-large .fm-tip { font-size: 20px; }
@media (max-width: 1500px) { .fm-large .fm-legend { font-size: 15px; max-width: 340px; }
  .fm-large .fm-legend .fm-title { font-size: 19px; } .fm-large .fm-legend .fm-sw { width: 24px; height: 15px; } }
.fm-hc.leaflet-container { background: #ffffff; }
.fm-hc .fm-legend { background: #ffffff; color: #000000; border: 2px solid #000000;
  box-shadow: none; }
.fm-hc .fm-legend .fm-sw { border: 1px solid #000000; }
.fm-hc .fm-tip { color: #000000; }
"""


class _RawElement(Element):
    """Text added to the page as it is: never compiled as a Jinja template (the encoded
    shapes may contain '{{' or '{#')."""

    def __init__(self, text: str):
        super().__init__("")
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class ScriptElement(MacroElement):
    """A map element whose script is ``js`` (a Jinja macro body) with JSON payloads as
    attributes. Its rendered script is added to the page as it is: branca's own render would
    compile it as a template again, and the encoded shapes may contain '{{' or '{#'."""

    js = ""

    def __init__(self, name: str, **payloads: str):
        super().__init__()
        self._name = name
        self._template = Template("{% macro script(this, kwargs) %}" + self.js + "{% endmacro %}")
        for key, value in payloads.items():
            setattr(self, key, value)

    def render(self, **kwargs):
        script = self._template.module.script(self, kwargs)
        self.get_root().script.add_child(_RawElement(script), name=self.get_name())


class _EncodedChoropleth(ScriptElement):
    js = _JS


@dataclass(frozen=True)
class MapOptions:
    height: int = 560
    tile_url: str | None = None          # a tile server the site runs; None = no basemap
    tile_attribution: str = ""
    line_colour: str = "#ffffff"
    line_weight: float = 0.4
    selected_colour: str = "#111111"
    fill_opacity: float = 0.88
    legend_position: str = "bottomright"
    title_on_map: bool = False
    large_type: bool = False             # presentation: legend and tooltips legible far away
    high_contrast: bool = False          # presentation: white ground, black text and borders


def values_payload(view: ChoroplethView) -> str:
    """The per-feature part of the map: what changes when only the values change."""
    legend = [[e.label, e.colour, f"{e.count:,}", e.class_id] for e in view.legend]
    return safe_json({
        "c": view.class_ids.tolist(), "pal": list(view.class_colours), "nd": view.no_data_colour,
        "v": list(view.value_text), "label": view.title,
        "rows": [[label, list(texts)] for label, texts in view.tooltip_rows],
        "legend": legend, "unit_label": view.subtitle or view.unit, "sel": view.selected,
    })


def build_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions = MapOptions(),
              *, extra_layers: list | None = None) -> folium.Map:
    """A folium Map drawing ``view`` over the encoded ``layer`` (same feature order)."""
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError("the view's features are not in the layer's order; build the view "
                         "from layer.region_ids")
    w, s, e, n = layer.bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=4, tiles=None,
                   control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    if options.tile_url:
        folium.TileLayer(tiles=options.tile_url, attr=options.tile_attribution or "basemap",
                         name="Basemap").add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    opts = safe_json({"fo": options.fill_opacity, "line": options.line_colour,
                      "lw": options.line_weight, "sel": options.selected_colour,
                      "legend_pos": options.legend_position,
                      "title": view.title if options.title_on_map else "", "css": _CSS,
                      "cls": " ".join(c for c, on in (("fm-large", options.large_type),
                                                      ("fm-hc", options.high_contrast)) if on)})
    m.add_child(_EncodedChoropleth("EncodedChoropleth", geometry=layer.json,
                                   values=values_payload(view), options=opts))
    for extra in extra_layers or []:
        m.add_child(extra)
    return m
