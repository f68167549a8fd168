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

A large layer (tracts, wards: :func:`layers.geometry.encode_layer` bands it) is not sent with the
arguments: they carry its band table, and the map fetches the band of the zoom it shows, once,
from the files of a second component declared on the folder of those files
(:func:`layers.geometry.files_dir`, served by the app at ``/component/<name>/<file>``, beside the
map's own page, so a relative address works under any ``server.baseUrlPath``). Its tooltip texts
are fetched the same way when the reader first points at a region; a rerun sends the class of
each region as one character.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from layers.choropleth import ChoroplethView
from layers.geometry import EncodedLayer, files_dir
from layers.map_payload import MapOptions, map_options_json, values_payload
from layers.web import WEB_DIR

_component = components.declare_component("fiscal_map", path=str(WEB_DIR))


def _served_folder() -> Path:
    """The banded layers' folder, created now: the app serves what is in it."""
    folder = files_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # (a server log line, not a message to the reader)
        logging.getLogger(__name__).log(logging.WARNING, "cannot create %s (%s): large "
                                        "layers are sent with the map", folder, exc)
        folder = Path(tempfile.mkdtemp(prefix="fiscalmap-unused-"))
    return folder.resolve()


#: Never called: it makes the app serve the banded layers' files.
_files = components.declare_component("fiscal_map_files", path=str(_served_folder()))
_FILES_DIR = Path(_files.abspath)
#: The files' address relative to the map's page (``/component/ui.map_component.fiscal_map/``).
FILES_URL = f"../{_files.name}/"


@dataclass(frozen=True)
class MapEvent:
    clicked: str | None                       # a region clicked since the last rerun
    center: tuple[float, float] | None        # where the user left the map (when reported)
    zoom: float | None


def served(layer: EncodedLayer) -> bool:
    """True for a banded layer whose files the app serves and are there (else its shapes go
    inline: a folder emptied by hand costs speed, not the map)."""
    if not layer.banded:
        return False
    try:
        return Path(layer.folder).resolve() == _FILES_DIR and keep_files(layer)
    except OSError:
        return False


_TOUCHED: dict[str, float] = {}


def keep_files(layer: EncodedLayer, *, every_s: float = 3600.0) -> bool:
    """True when the layer's files are all there; marked as in use (at most once an hour), so
    that no app process sharing the folder prunes them while this one serves them."""
    folder = Path(layer.folder)
    names = [layer.names_file, *(b[2] for b in layer.bands)]
    now = time.time()
    if now - _TOUCHED.get(layer.content_key, 0.0) < every_s:
        return all((folder / n).exists() for n in names)
    try:
        for n in names:
            os.utime(folder / n)
    except OSError:
        return False
    _TOUCHED[layer.content_key] = now
    return True


def fiscal_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions, *, key: str,
               center: tuple[float, float] | None = None, zoom: float | None = None,
               report_view: bool = False, overlays: str | None = None) -> MapEvent:
    """Draw the map. ``center``/``zoom`` open it on a given view; ``report_view`` sends the
    view back after the user pans or zooms (each move is then a rerun); ``overlays`` is the
    JSON list of overlay payloads (:func:`layers.overlay.overlays_json`) drawn on top."""
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError("the view's features are not in the layer's order; build the view "
                         "from layer.region_ids")
    banded = served(layer)
    opts = map_options_json(view, options, banded=banded, bounds=list(layer.bounds),
                            tile_url=options.tile_url, tile_attr=options.tile_attribution)
    if banded:
        geometry, values = layer.band_json(FILES_URL), values_payload(view, files=layer.folder)
    else:
        geometry, values = layer.json, values_payload(view)
    # the id the shapes are known by in the browser: the same id, the same shapes
    out = _component(geometry=geometry, gid=layer.key if banded else layer.json_key,
                     values=values,
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
