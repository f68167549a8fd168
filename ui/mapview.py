"""Show a ChoroplethView as an interactive map and report which region was clicked."""
from __future__ import annotations

import os

import streamlit as st

from layers.choropleth import ChoroplethView
from layers.geometry import EncodedLayer
from layers.map_payload import MapOptions

from . import state
from .map_component import fiscal_map

TILE_URL_ENV = "FISCALMAP_TILE_URL"
TILE_ATTR_ENV = "FISCALMAP_TILE_ATTRIBUTION"
APP_MAP_HEIGHT = 720


def map_options(ws_settings: dict | None = None, **overrides) -> MapOptions:
    """Basemap: none by default; a tile server the site runs, from the workspace manifest
    (``[map] tile_url``) or the FISCALMAP_TILE_URL environment variable.

    ``height`` (APP_MAP_HEIGHT by default) is the most the map takes: the app's map
    component lowers it to what the browser window leaves below the content above the map
    (at least ``min_height``), so a large screen gets a large map and a 720 px-high window
    still shows all of it."""
    cfg = (ws_settings or {}).get("map", {})
    overrides.setdefault("height", APP_MAP_HEIGHT)
    tile_url = os.environ.get(TILE_URL_ENV) or cfg.get("tile_url") or None
    attr = os.environ.get(TILE_ATTR_ENV) or cfg.get("tile_attribution", "")
    return MapOptions(tile_url=tile_url, tile_attribution=attr, **overrides)


def show_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *, key: str,
             center: tuple[float, float] | None = None, zoom: float | None = None,
             overlays: str | None = None) -> str | None:
    """Draw the map with the app's own map component (ui.map_component, the one renderer of
    every map on screen); return the region id the user clicked since the last rerun, if
    any. ``center``/``zoom`` open the map there; ``overlays`` (layers.overlay.overlays_json)
    are drawn on top."""
    return fiscal_map(layer, view, options, key=key, center=center, zoom=zoom,
                      overlays=overlays).clicked


def tracked_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *, key: str,
                level: str, overlays: str | None = None) -> str | None:
    """The map of a page whose view lives in the URL, centre and zoom included.

    The map opens on the link's ``center``/``zoom`` (when it has them) and reports where the
    user leaves it, which goes back into the URL. The opening view is held fixed while the
    map stays on screen: the component's arguments do not change on a pan, so Streamlit sends
    nothing again (not the shapes), and the map does not jump back.
    """
    state.init("center", None, parse=state.parse_center)
    state.init("zoom", None, parse=state.parse_zoom)
    opened_key = f"_{key}_opened"
    opened = st.session_state.get(opened_key)
    if opened is None or opened[0] != level:
        if opened is not None:      # another level: the old centre and zoom mean nothing here
            st.session_state["center"] = st.session_state["zoom"] = None
        opened = (level, st.session_state["center"], st.session_state["zoom"])
        st.session_state[opened_key] = opened
    ev = fiscal_map(layer, view, options, key=key, center=opened[1], zoom=opened[2],
                    report_view=True, overlays=overlays)
    if ev.center is not None:
        st.session_state["center"], st.session_state["zoom"] = ev.center, ev.zoom
    state.to_url(["center", "zoom"])
    return ev.clicked

