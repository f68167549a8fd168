"""The choropleth as a Streamlit component of the app's own (layers/web/).

Unlike a folium map shown through streamlit-folium, its page loads Leaflet with the page itself
(from the app's static files, in parallel with everything else) and stays mounted across
reruns: a rerun that changes only values redraws the choropleth in place instead of building a
new frame, and the shapes are decoded once per layer.

What every page's map does alike (layers/web/component.js): it shows the whole frame of the
layer, insets included (``layer.bounds``, ``layer.insets``: Alaska, Hawaii and Puerto Rico beside
the 48 states, from the workspace's ``[map]``); its legend names the measure and unit and what
its counts count, beside the map when the frame is wide enough and in a band under it when not;
its height is ``options.height`` at most, and less when the browser window is lower (a map near
the top of the page ends above the window's bottom edge, legend included: ``options.fit_window``,
``options.min_height``). For readers of other means: the frame is named "Map: <title>", a "Skip
the map" link moves the focus past it, the regions are not Tab stops (the map is, with arrow
keys and +/-), and the legend is a table of text.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st
import streamlit.components.v1 as components

from layers.choropleth import ChoroplethView
from layers.geometry import EncodedLayer
from layers.map_payload import MapOptions, map_options_json, values_payload
from layers.web import WEB_DIR

_component = components.declare_component("fiscal_map", path=str(WEB_DIR))


@dataclass(frozen=True)
class MapEvent:
    clicked: str | None                       # a region clicked since the last rerun
    center: tuple[float, float] | None        # where the user left the map (when reported)
    zoom: float | None


def layer_id(layer: EncodedLayer) -> str:
    return hashlib.sha1(layer.json.encode("utf-8")).hexdigest()[:16]


def fiscal_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *, key: str,
               center: tuple[float, float] | None = None, zoom: float | None = None,
               report_view: bool = False, overlays: str | None = None) -> MapEvent:
    """Draw the map. ``center``/``zoom`` open it on a given view; ``report_view`` sends the
    view back after the user pans or zooms (each move is then a rerun); ``overlays`` is the
    JSON list of overlay payloads (:func:`layers.overlay.overlays_json`) drawn on top."""
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError("the view's features are not in the layer's order; build the view "
                         "from layer.region_ids")
    opts = map_options_json(view, options, bounds=list(layer.bounds),
                            tile_url=options.tile_url, tile_attr=options.tile_attribution)
    out = _component(geometry=layer.json, gid=layer_id(layer), values=values_payload(view),
                     options=opts, height=options.height, key=key, default=None,
                     center=list(center) if center else None, zoom=zoom,
                     report_view=report_view, overlays=overlays or "")
    out = out if isinstance(out, dict) else {}
    seen_key = f"_{key}_click"
    clicked = None
    if out.get("region_id") and out.get("click") != st.session_state.get(seen_key):
        st.session_state[seen_key] = out.get("click")
        clicked = str(out["region_id"])
    c = out.get("center")
    return MapEvent(clicked=clicked, center=(float(c[0]), float(c[1])) if c else None,
                    zoom=float(out["zoom"]) if out.get("zoom") is not None else None)
