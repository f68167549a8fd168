"""Road segments drawn as lines over the choropleth, coloured by condition class.

Line geometry is prepared like the polygons of :mod:`layers.geometry`: simplified, rounded and
encoded with the same delta/polyline ring encoding, once per workspace (:func:`encode_lines`,
cached by ``ui.cache``). What changes with the scheme is only the small per-segment part
(:func:`lines_values`: class, colour table, tooltip texts). The browser decodes the lines, draws
them in their own pane above the areas (a dark casing under coloured lines so every class reads
over any fill), and builds tooltips and the legend with DOM ``textContent``: a route named
``<script>`` shows as text. No asset is loaded from anywhere: Leaflet only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import shapely

from .geometry import _encode_ring, safe_json
from .render_folium import DECODE_JS, ScriptElement

LINE_PRECISION = 5          # 1e-5 degree ≈ 1 m: lines are thin, 11 m steps show as kinks
LINE_TOLERANCE = 2e-5       # degrees (≈ 2 m) of Douglas–Peucker simplification


@dataclass(frozen=True)
class EncodedLines:
    """Drawable segments in a fixed order, and the JSON of their encoded parts."""
    segment_ids: tuple[str, ...]
    rows: tuple[int, ...]          # row of each drawn segment in the segments frame
    json: str                      # {"f": 1e5, "lines": [[part, ...], ...]}
    vertices: int

    @property
    def nbytes(self) -> int:
        return len(self.json.encode("utf-8"))


def encode_lines(segments: gpd.GeoDataFrame, *, tolerance: float = LINE_TOLERANCE,
                 precision: int = LINE_PRECISION) -> EncodedLines:
    """Simplify, round and encode the drawable segments (``drawable`` column, if present)."""
    seg = segments
    if seg.crs is not None and seg.crs.to_epsg() != 4326:
        seg = seg.to_crs(4326)
    keep = seg["drawable"].to_numpy(dtype=bool) if "drawable" in seg else \
        ~(seg.geometry.isna() | seg.geometry.is_empty).to_numpy()
    rows = np.flatnonzero(keep)
    geom = np.asarray(seg.geometry.values)[rows]
    if tolerance > 0 and len(geom):
        geom = shapely.simplify(geom, tolerance, preserve_topology=False)
    factor = 10 ** precision
    lines, n = [], 0
    for g in geom:
        parts = []
        for part in shapely.get_parts(g):
            coords = np.asarray(part.coords)
            if len(coords) < 2:
                continue
            n += len(coords)
            parts.append(_encode_ring(coords, factor))
        lines.append(parts)
    ids = tuple(str(x) for x in seg["segment_id"].to_numpy()[rows])
    return EncodedLines(segment_ids=ids, rows=tuple(int(r) for r in rows),
                        json=safe_json({"f": factor, "lines": lines}), vertices=n)


def lines_values(class_ids: Sequence[int], colours: Sequence[str], no_data_colour: str, *,
                 title: str, legend: Sequence[tuple[str, str, str]],
                 tooltip_title: Sequence[str], tooltip_rows: Sequence[tuple[str, Sequence[str]]],
                 dashed_no_data: bool = True) -> str:
    """The per-segment part of the overlay, in the order of :class:`EncodedLines`."""
    return safe_json({
        "c": [int(c) for c in class_ids], "pal": list(colours), "nd": no_data_colour,
        "title": title, "legend": [list(r) for r in legend], "dash": dashed_no_data,
        "h": [str(t) for t in tooltip_title],
        "rows": [tooltip_row(label, texts) for label, texts in tooltip_rows],
    })


def tooltip_row(label: str, texts: Sequence[str]) -> list:
    """[label, texts] or, when few distinct texts repeat (class, year, direction),
    [label, distinct texts, index per segment]: the same rows in a fraction of the bytes."""
    texts = [str(t) for t in texts]
    uniq = list(dict.fromkeys(texts))
    if len(uniq) * 4 < len(texts):
        pos = {t: i for i, t in enumerate(uniq)}
        return [label, uniq, [pos[t] for t in texts]]
    return [label, texts]


_JS = DECODE_JS + """
(function(map, G, V, O) {
  if (!document.getElementById("fm-road-style")) {
    var st = document.createElement("style"); st.id = "fm-road-style"; st.textContent = O.css;
    document.head.appendChild(st);
  }
  var pane = map.getPane("fmRoads") || map.createPane("fmRoads");
  pane.style.zIndex = 450;
  var renderer = L.svg({pane: "fmRoads"});
  var group = L.featureGroup();
  var all = G.lines.map(function(parts) { return parts.map(function(s) {
    return fmRing(s, G.f).map(function(p) { return [p[1], p[0]]; }); }); });
  var flat = [];
  all.forEach(function(parts) { parts.forEach(function(p) { flat.push(p); }); });
  L.polyline(flat, {color: O.casing, weight: O.w + 2.5, opacity: 0.85, interactive: false,
                    renderer: renderer, className: "fm-road-casing"}).addTo(group);
  function colour(i) { var c = V.c[i]; return c < 0 ? V.nd : V.pal[c]; }
  function tip(i) {
    return function() {
      var d = document.createElement("div"); d.className = "fm-tip fm-road-tip";
      var b = document.createElement("b"); b.textContent = V.h[i]; d.appendChild(b);
      V.rows.forEach(function(r) {
        var line = document.createElement("div");
        var k = document.createElement("span"); k.className = "fm-k"; k.textContent = r[0] + ": ";
        var v = document.createElement("span"); v.textContent = r.length > 2 ? r[1][r[2][i]] : r[1][i];
        line.appendChild(k); line.appendChild(v); d.appendChild(line);
      });
      return d;
    };
  }
  all.forEach(function(parts, i) {
    var style = {color: colour(i), weight: O.w, opacity: 1, lineCap: "round",
                 dashArray: (V.dash && V.c[i] < 0) ? "4 5" : null};
    var pl = L.polyline(parts, Object.assign({renderer: renderer, className: "fm-road"}, style));
    pl.bindTooltip(tip(i), {sticky: true, direction: "top", opacity: 0.95});
    pl.on("mouseover", function() { pl.setStyle({weight: O.w + 3}); pl.bringToFront(); });
    pl.on("mouseout", function() { pl.setStyle(style); });
    pl.addTo(group);
  });
  group.addTo(map);
  window.fmRoads = group;
  if (V.legend && V.legend.length) {
    var lg = L.control({position: O.legend_pos});
    lg.onAdd = function() {
      var d = L.DomUtil.create("div", "fm-legend fm-road-legend");
      var t = document.createElement("div"); t.className = "fm-lh"; t.textContent = V.title;
      d.appendChild(t);
      V.legend.forEach(function(e) {
        var row = document.createElement("div"); row.className = "fm-row";
        var sw = document.createElement("span"); sw.className = "fm-line-sw";
        sw.style.borderTopColor = e[1];
        if (e[0] === O.nd_label && V.dash) { sw.style.borderTopStyle = "dashed"; }
        var lab = document.createElement("span");
        lab.textContent = e[0] + (e[2] ? " (" + e[2] + ")" : "");
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
.fm-road-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
  font: 12px/1.4 system-ui, sans-serif; color: #111; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  max-width: 280px; }
.fm-road-legend .fm-lh { font-weight: 600; margin-bottom: 4px; }
.fm-road-legend .fm-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.fm-line-sw { display: inline-block; width: 22px; height: 0; border-top: 4px solid #000;
  box-shadow: 0 0 0 1px #333 inset; }
.fm-road-tip { font: 13px/1.35 system-ui, sans-serif; }
.fm-road-tip .fm-k { color: #444; }
"""


class RoadLines(ScriptElement):
    """A folium element drawing encoded lines; add it with ``build_map(extra_layers=[...])``."""
    js = _JS

    def __init__(self, lines: EncodedLines, values_json: str, *, weight: float = 3.0,
                 casing: str = "#1a1a1a", legend_position: str = "topright"):
        super().__init__("RoadLines", geometry=lines.json, values=values_json,
                         options=safe_json({"w": weight, "casing": casing,
                                            "legend_pos": legend_position,
                                            "nd_label": "No data", "css": _CSS}))
