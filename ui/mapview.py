"""Show a ChoroplethView as an interactive map and report which region was clicked."""
from __future__ import annotations

import os
from dataclasses import replace

import streamlit as st

from layers.choropleth import ChoroplethView
from layers.geometry import EncodedLayer
from layers.map_payload import MapOptions

from . import state
from .map_component import fiscal_map

TILE_URL_ENV = "FISCALMAP_TILE_URL"
TILE_ATTR_ENV = "FISCALMAP_TILE_ATTRIBUTION"


def map_options(ws_settings: dict | None = None, **overrides) -> MapOptions:
    """Basemap: none by default; a tile server the site runs, from the workspace manifest
    (``[map] tile_url``) or the FISCALMAP_TILE_URL environment variable."""
    cfg = (ws_settings or {}).get("map", {})
    tile_url = os.environ.get(TILE_URL_ENV) or cfg.get("tile_url") or None
    attr = os.environ.get(TILE_ATTR_ENV) or cfg.get("tile_attribution", "")
    return MapOptions(tile_url=tile_url, tile_attribution=attr, **overrides)


def offline_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *,
                extra_layers: list | None = None, base_url_path: str = ""):
    """The folium map with vendored assets only. The configured basemap (a tile server the
    site runs) is added after the asset check, which refuses any http(s) tile URL."""
    import folium  # folium only for maps that need it (road overlays): a faster cold start

    from layers.assets import localize_folium
    from layers.render_folium import build_map

    m = build_map(layer, view, replace(options, tile_url=None), extra_layers=extra_layers)
    localize_folium(m, base_url_path=base_url_path)
    if options.tile_url:
        folium.TileLayer(tiles=options.tile_url, attr=options.tile_attribution or "basemap",
                         name="Basemap").add_to(m)
    return m


def show_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *, key: str,
             extra_layers: list | None = None, center: tuple[float, float] | None = None,
             zoom: float | None = None, overlays: str | None = None) -> str | None:
    """Draw the map; return the region id the user clicked since the last rerun, if any.

    A plain choropleth is drawn by the app's own map component (ui.map_component), which
    loads Leaflet with its page and stays mounted across reruns; maps with extra folium
    layers (road overlays) go through streamlit-folium. ``center``/``zoom`` open the map there;
    ``overlays`` (layers.overlay.overlays_json) are drawn on top by either.
    """
    if not extra_layers:
        return fiscal_map(layer, view, options, key=key, center=center, zoom=zoom,
                          overlays=overlays).clicked
    if overlays:
        from layers.overlay import folium_overlays
        extra_layers = [*extra_layers, folium_overlays(overlays)]
    from streamlit_folium import st_folium

    m = offline_map(layer, view, options, extra_layers=extra_layers,
                    base_url_path=st.get_option("server.baseUrlPath") or "")
    out = st_folium(m, height=options.height, use_container_width=True, key=key,
                    returned_objects=["last_active_drawing"], center=center,
                    zoom=int(round(zoom)) if zoom is not None else None)
    feat = (out or {}).get("last_active_drawing") or {}
    props = feat.get("properties") or {}
    rid = props.get("region_id")
    return str(rid) if rid is not None else None


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

