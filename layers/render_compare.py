"""Two maps side by side in one Leaflet page, panned and zoomed together.

Both halves draw the same encoded shapes (decoded once) with their own ChoroplethView; the
caller classifies both with the same breaks so a colour means the same thing on each side. The
second map is created next to folium's map inside the same iframe and kept in step with a few
lines of our own JavaScript (no plugin, nothing from a CDN).
"""
from __future__ import annotations

import json
from typing import Sequence

import folium

from .choropleth import ChoroplethView
from .geometry import EncodedLayer, safe_json
from .render_folium import DECODE_JS, MapOptions, ScriptElement
from .render_timeslider import _FRAME_JS, _base_map, _options_json, frame_payload

_COMPARE_CSS = """
.fm-side { background: rgba(255,255,255,0.94); padding: 4px 8px; border-radius: 4px;
  font: 700 14px/1.3 system-ui, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.fm-split { border-left: 2px solid #555; }
"""

_JS = DECODE_JS + _FRAME_JS + """
(function(map, G, A, B, O) {
  fmStyle(O.css + O.css2);
  var feats = fmFeatures(G);
  var c1 = map.getContainer();
  var c2 = document.createElement("div");
  c2.className = c1.className.replace(/leaflet[^ ]*/g, "") + " fm-split";
  c2.id = c1.id + "_right";
  c1.style.width = "50%";
  c2.style.position = "absolute"; c2.style.top = "0"; c2.style.right = "0";
  c2.style.width = "50%"; c2.style.height = "100%";
  c1.parentNode.insertBefore(c2, c1.nextSibling);
  map.invalidateSize();
  if (O.bounds) { map.fitBounds(O.bounds, {animate: false}); }
  var map2 = L.map(c2, {zoomSnap: 0.25, attributionControl: false});
  if (O.tile_url) { L.tileLayer(O.tile_url, {attribution: O.tile_attr}).addTo(map2); }
  map2.setView(map.getCenter(), map.getZoom(), {animate: false});
  window.fmMaps = [map, map2];
  function side(m, F, pos) {
    var fl = fmFrameLayer(m, feats, G, function() { return F; }, O);
    var t = L.control({position: "topleft"});
    t.onAdd = function() {
      var d = L.DomUtil.create("div", "fm-side"); d.textContent = F.side; return d;
    };
    t.addTo(m);
    var lg = L.control({position: pos});
    lg.onAdd = function() {
      var d = L.DomUtil.create("div", "fm-legend"); fmLegend(d, F, O);
      L.DomEvent.disableClickPropagation(d); return d;
    };
    if (pos) { lg.addTo(m); }
    return fl;
  }
  side(map, A, O.same ? null : "bottomright");
  side(map2, B, "bottomright");
  var busy = false;
  function follow(src, dst) {
    src.on("move zoom", function() {
      if (busy) { return; }
      busy = true;
      dst.setView(src.getCenter(), src.getZoom(), {animate: false});
      busy = false;
    });
  }
  follow(map, map2); follow(map2, map);
  // the iframe gets its final height after this script ran: fit both halves again then
  function refit() {
    map.invalidateSize(); map2.invalidateSize();
    if (O.bounds) { map.fitBounds(O.bounds, {animate: false}); }
  }
  setTimeout(refit, 200);
  window.addEventListener("resize", function() { map.invalidateSize(); map2.invalidateSize(); });
})({{ this._parent.get_name() }}, {{ this.geometry }}, {{ this.left }}, {{ this.right }}, {{ this.options }});
"""


class _CompareChoropleth(ScriptElement):
    js = _JS


def build_compare_map(layer: EncodedLayer, left: ChoroplethView, right: ChoroplethView,
                      options: MapOptions = MapOptions(), *, titles: Sequence[str] = ("", ""),
                      flags: Sequence[Sequence[bool] | None] = (None, None),
                      flag_style: str = "hatch", flag_label: str = "Small population",
                      same_classes: bool = True) -> folium.Map:
    """A folium Map whose iframe holds two synced maps: ``left`` and ``right``.

    With ``same_classes`` one legend (the right one) serves both sides.
    """
    for v in (left, right):
        if tuple(v.region_ids) != tuple(layer.region_ids):
            raise ValueError("a view's features are not in the layer's order; build the views "
                             "from layer.region_ids")
    parts = []
    for view, title, flag in zip((left, right), titles, flags):
        d = frame_payload(view, flags=flag)
        d["side"] = title or view.title
        parts.append(safe_json(d))
    # streamlit-folium re-applies the start zoom after the fit: one level out for half a width
    m = _base_map(layer, options, zoom_start=3)
    opts = json.loads(_options_json(options, flag=flag_style, flag_label=flag_label))
    w, s, e, n = layer.bounds
    opts.update(css2=_COMPARE_CSS, same=bool(same_classes), selected=None,
                bounds=[[s, w], [n, e]])
    m.add_child(_CompareChoropleth("CompareChoropleth", geometry=layer.json, left=parts[0],
                                   right=parts[1], options=safe_json(opts)))
    return m
