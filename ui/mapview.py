"""Show a ChoroplethView as an interactive map and report which region was clicked."""
from __future__ import annotations

import os
from dataclasses import replace

import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import localize_folium
from layers.choropleth import ChoroplethView
from layers.geometry import EncodedLayer
from layers.render_folium import MapOptions, build_map

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
    m = build_map(layer, view, replace(options, tile_url=None), extra_layers=extra_layers)
    localize_folium(m, base_url_path=base_url_path)
    if options.tile_url:
        folium.TileLayer(tiles=options.tile_url, attr=options.tile_attribution or "basemap",
                         name="Basemap").add_to(m)
    return m


def show_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *, key: str,
             extra_layers: list | None = None) -> str | None:
    """Draw the map; return the region id the user clicked last, if any."""
    m = offline_map(layer, view, options, extra_layers=extra_layers,
                    base_url_path=st.get_option("server.baseUrlPath") or "")
    out = st_folium(m, height=options.height, use_container_width=True, key=key,
                    returned_objects=["last_active_drawing"])
    feat = (out or {}).get("last_active_drawing") or {}
    props = feat.get("properties") or {}
    rid = props.get("region_id")
    return str(rid) if rid is not None else None
