"""A map that steps through years in the browser: one payload, restyled per frame.

:func:`frame_views` colours every year of a span through :func:`layers.choropleth.build_choropleth`
(the one place a value becomes a colour), with class breaks held fixed across all years by
default so a colour means the same range in every frame, or recomputed per year. In relative
mode each year is classified around its own centre (the jurisdiction-wide rate of that year).

:func:`build_time_map` sends the encoded shapes once and the class ids, value texts and legend of
every frame in the same payload; a slider and a play button in the map restyle the features
client-side (no Streamlit rerun per frame). Regions flagged as unstable (small population) can be
hatched or faded. Everything from data is set with DOM ``textContent``.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import folium
import numpy as np
import pandas as pd

from .choropleth import ChoroplethView, build_choropleth
from .classify import fixed_breaks_across
from .geometry import EncodedLayer, safe_json
from .render_folium import _CSS, DECODE_JS, MapOptions, ScriptElement, values_payload

FLAG_STYLES = ("hatch", "grey", "none")

_TIME_CSS = """
.fm-time { background: rgba(255,255,255,0.95); padding: 6px 10px; border-radius: 4px;
  font: 13px/1.3 system-ui, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  display: flex; align-items: center; gap: 8px; }
.fm-time button { font: 600 13px system-ui, sans-serif; min-width: 64px; padding: 3px 8px;
  border: 1px solid #777; border-radius: 3px; background: #fff; cursor: pointer; }
.fm-time input[type=range] { width: 220px; }
.fm-time .fm-year { font-weight: 700; min-width: 72px; }
.fm-legend .fm-hatch { background-image: repeating-linear-gradient(45deg, transparent 0 3px,
  rgba(0,0,0,.6) 3px 4.5px) !important; background-color: #fff; }
.fm-legend .fm-faded { opacity: .35; }
.fm-legend .fm-centre { margin-top: 3px; font-style: italic; }
"""

# Shared by the time map and the side-by-side map: a style function over a "frame" object
# (class ids, palette, flags), the tooltip, the legend and the hatch pattern.
_FRAME_JS = """
function fmHatchDefs(svg) {
  if (!svg || svg.querySelector("#fm-hatch")) { return; }
  var ns = "http://www.w3.org/2000/svg";
  var defs = document.createElementNS(ns, "defs"), p = document.createElementNS(ns, "pattern");
  p.setAttribute("id", "fm-hatch"); p.setAttribute("patternUnits", "userSpaceOnUse");
  p.setAttribute("width", "7"); p.setAttribute("height", "7");
  p.setAttribute("patternTransform", "rotate(45)");
  var ln = document.createElementNS(ns, "line");
  ln.setAttribute("x1", "0"); ln.setAttribute("y1", "0"); ln.setAttribute("x2", "0"); ln.setAttribute("y2", "7");
  ln.setAttribute("stroke", "#111"); ln.setAttribute("stroke-width", "1.6"); ln.setAttribute("stroke-opacity", "0.7");
  p.appendChild(ln); defs.appendChild(p); svg.insertBefore(defs, svg.firstChild);
}
function fmFrameLayer(map, feats, G, get, O) {
  function fill(i) { var F = get(), c = F.c[i]; return c < 0 ? F.nd : F.pal[c]; }
  function style(f) {
    var i = f.properties.i, F = get(), sel = G.ids[i] === O.selected;
    var faded = O.flag === "grey" && F.flag && F.flag[i];
    return {fillColor: fill(i), fillOpacity: faded ? 0.22 : O.fo, color: sel ? O.sel : O.line,
            weight: sel ? 3 : O.lw, opacity: 1};
  }
  function tip(l) {
    var i = l.feature.properties.i, F = get();
    var rows = [[F.label, F.v[i]]].concat(F.rows.map(function(r) { return [r[0], r[1][i]]; }));
    if (F.flag && F.flag[i]) { rows.push(["Note", O.flag_label]); }
    return fmTip(G, i, rows);
  }
  var fc = {type: "FeatureCollection", features: feats};
  var layer = L.geoJSON(fc, {
    style: style,
    onEachFeature: function(f, l) {
      l.bindTooltip(tip, {sticky: true, direction: "top", opacity: 0.95});
      l.on("mouseover", function() { l.setStyle({weight: 2.5, color: O.sel}); l.bringToFront(); });
      l.on("mouseout", function() { layer.resetStyle(l); if (hatch) { hatch.bringToFront(); } });
    }
  }).addTo(map);
  var hatch = null;
  function hstyle(f) {
    var F = get(), on = F.flag && F.flag[f.properties.i];
    return {fillColor: "url(#fm-hatch)", fillOpacity: on ? 1 : 0, stroke: false};
  }
  if (O.flag === "hatch") {
    hatch = L.geoJSON(fc, {interactive: false, style: hstyle}).addTo(map);
    var any = hatch.getLayers()[0];
    if (any && any._renderer) { fmHatchDefs(any._renderer._container); }
  }
  return {restyle: function() { layer.setStyle(style); if (hatch) { hatch.setStyle(hstyle); } },
          layer: layer};
}
function fmLegend(d, F, O) {
  while (d.firstChild) { d.removeChild(d.firstChild); }
  fmLegendRows(d, F.title, F.unit_label, F.legend);
  if (O.flag !== "none" && F.nflag > 0) {
    var row = document.createElement("div"); row.className = "fm-row";
    var sw = document.createElement("span");
    sw.className = "fm-sw " + (O.flag === "hatch" ? "fm-hatch" : "fm-faded");
    if (O.flag !== "hatch") { sw.style.background = "#2c7fb8"; }
    var lab = document.createElement("span"); lab.textContent = O.flag_label + " (" + F.nflag + ")";
    row.appendChild(sw); row.appendChild(lab); d.appendChild(row);
  }
  if (F.centre_text) {
    var c = document.createElement("div"); c.className = "fm-centre"; c.textContent = F.centre_text;
    d.appendChild(c);
  }
}
"""

_JS = DECODE_JS + _FRAME_JS + """
(function(map, G, T, O) {
  fmStyle(O.css);
  var feats = fmFeatures(G), cur = T.start;
  function get() { return T.frames[cur]; }
  var fl = fmFrameLayer(map, feats, G, get, O);
  var legendDiv = null;
  var lg = L.control({position: O.legend_pos});
  lg.onAdd = function() {
    legendDiv = L.DomUtil.create("div", "fm-legend");
    L.DomEvent.disableClickPropagation(legendDiv);
    return legendDiv;
  };
  lg.addTo(map);
  var box, btn, rng, lab, timer = null;
  var tc = L.control({position: "topright"});
  tc.onAdd = function() {
    box = L.DomUtil.create("div", "fm-time");
    btn = document.createElement("button"); btn.type = "button"; btn.className = "fm-play";
    btn.textContent = "\\u25B6 Play"; btn.setAttribute("aria-label", "Play through the years");
    rng = document.createElement("input"); rng.type = "range"; rng.className = "fm-range";
    rng.min = "0"; rng.max = String(T.frames.length - 1); rng.step = "1";
    rng.setAttribute("aria-label", "Year");
    lab = document.createElement("span"); lab.className = "fm-year";
    box.appendChild(btn); box.appendChild(rng); box.appendChild(lab);
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  tc.addTo(map);
  function show(i) {
    cur = Math.max(0, Math.min(T.frames.length - 1, i));
    fl.restyle();
    fmLegend(legendDiv, get(), O);
    rng.value = String(cur); lab.textContent = T.years[cur];
    box.setAttribute("data-frame", String(cur)); box.setAttribute("data-year", T.years[cur]);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } btn.textContent = "\\u25B6 Play"; }
  btn.addEventListener("click", function() {
    if (timer) { stop(); return; }
    if (cur >= T.frames.length - 1) { show(0); }
    btn.textContent = "\\u275A\\u275A Pause";
    timer = setInterval(function() {
      if (cur >= T.frames.length - 1) { stop(); return; }
      show(cur + 1);
    }, O.ms);
  });
  rng.addEventListener("input", function() { stop(); show(parseInt(rng.value, 10)); });
  if (T.frames.length < 2) { btn.disabled = true; rng.disabled = true; }
  show(cur);
})({{ this._parent.get_name() }}, {{ this.geometry }}, {{ this.frames }}, {{ this.options }});
"""


class _TimeChoropleth(ScriptElement):
    js = _JS


def frame_views(region_ids: Sequence[str], values_by_frame: Mapping[object, pd.Series], *,
                titles: Mapping[object, str], unit: str, scheme: str = "quantiles", k: int = 5,
                palette: str = "YlGnBu", reverse: bool = False, fixed: bool = True,
                centres: Mapping[object, float] | None = None,
                population: Mapping[object, pd.Series] | None = None,
                subtitle: str = "", selected: str | None = None) -> list[ChoroplethView]:
    """One ChoroplethView per frame (in the mapping's order).

    ``fixed``: breaks from the values of all frames together (``fixed_breaks_across``), so each
    colour means the same range in every frame; otherwise each frame is classified on its own.
    ``centres`` (relative mode): each frame is classified diverging around its own centre; with
    ``fixed`` the offsets from the centre are shared by all frames. Frames without any finite
    value are shown as No data.
    """
    keys = list(values_by_frame)
    views = []
    breaks_by: dict[object, tuple[float, ...] | None] = {key: None for key in keys}
    if fixed:
        try:
            if centres is None:
                common = fixed_breaks_across(values_by_frame, scheme, k)
                breaks_by = {key: common for key in keys}
            else:
                dev = {key: pd.to_numeric(values_by_frame[key], errors="coerce") - centres[key]
                       for key in keys}
                offsets = np.asarray(fixed_breaks_across(dev, "diverging", k, centre=0.0))
                breaks_by = {key: tuple(float(x) for x in offsets + centres[key]) for key in keys}
        except ValueError:  # no finite value anywhere: every frame is "No data"
            pass
    for key in keys:
        vals = values_by_frame[key]
        br = breaks_by[key]
        if br is not None:
            sch, kw = "user_defined", dict(breaks=br)
        elif centres is not None:
            sch, kw = "diverging", dict(centre=centres[key])
        else:
            sch, kw = scheme, {}
        if not pd.to_numeric(vals, errors="coerce").notna().any() and sch == "user_defined":
            sch, kw = scheme, {}
        views.append(build_choropleth(
            region_ids, vals, title=titles[key], unit=unit, scheme=sch, k=k, palette=palette,
            reverse=reverse, population=None if population is None else population.get(key),
            subtitle=subtitle or unit, selected=selected, **kw))
    return views


def frame_payload(view: ChoroplethView, *, flags: Sequence[bool] | None = None,
                  title: str = "", centre_text: str = "") -> dict:
    """The per-frame part of the payload (what changes from one year to the next)."""
    import json
    d = json.loads(values_payload(view))
    flag = [1 if f else 0 for f in flags] if flags is not None else None
    d.update(flag=flag, nflag=int(sum(flag)) if flag else 0, title=title,
             centre_text=centre_text)
    return d


def build_time_map(layer: EncodedLayer, views: Sequence[ChoroplethView], years: Sequence[str],
                   options: MapOptions = MapOptions(), *, start: int = 0,
                   flags: Sequence[Sequence[bool]] | None = None, flag_style: str = "hatch",
                   flag_label: str = "Small population", centre_texts: Sequence[str] | None = None,
                   frame_ms: int = 900, selected: str | None = None) -> folium.Map:
    """A folium Map with a year slider and a play button that restyle the features per frame."""
    if not views:
        raise ValueError("a time map needs at least one frame")
    if len(years) != len(views):
        raise ValueError(f"{len(views)} frames but {len(years)} year labels")
    if flag_style not in FLAG_STYLES:
        raise ValueError(f"flag_style must be one of {', '.join(FLAG_STYLES)}; got {flag_style!r}")
    for v in views:
        if tuple(v.region_ids) != tuple(layer.region_ids):
            raise ValueError("a frame's features are not in the layer's order; build the views "
                             "from layer.region_ids")
    frames = [frame_payload(v, flags=None if flags is None else flags[i],
                            title=v.title if options.title_on_map else "",
                            centre_text="" if centre_texts is None else centre_texts[i])
              for i, v in enumerate(views)]
    payload = safe_json({"years": [str(y) for y in years], "frames": frames,
                         "start": int(min(max(start, 0), len(views) - 1))})
    m = _base_map(layer, options)
    opts = _options_json(options, flag=flag_style, flag_label=flag_label, ms=frame_ms,
                         selected=selected)
    m.add_child(_TimeChoropleth("TimeChoropleth", geometry=layer.json, frames=payload, options=opts))
    return m


def _base_map(layer: EncodedLayer, options: MapOptions, *, zoom_start: int = 4) -> folium.Map:
    w, s, e, n = layer.bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=zoom_start, tiles=None,
                   control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    if options.tile_url:
        folium.TileLayer(tiles=options.tile_url, attr=options.tile_attribution or "basemap",
                         name="Basemap").add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    return m


def _options_json(options: MapOptions, **extra) -> str:
    return safe_json({"fo": options.fill_opacity, "line": options.line_colour,
                      "lw": options.line_weight, "sel": options.selected_colour,
                      "legend_pos": options.legend_position, "css": _CSS + _TIME_CSS,
                      "tile_url": options.tile_url or "", "tile_attr": options.tile_attribution,
                      **extra})
