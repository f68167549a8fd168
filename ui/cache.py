"""Every cache of the app, in one place.

Loaded workspaces are held in a registry of this module (loaded once per server, read-only,
replaced when their files change); what is derived from them (prepared geometry, measure
values, road layers) is cached by Streamlit under the workspace's change stamp, so an edit on
disk shows on the next rerun. Pages never cache on their own.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geodata.dataset import MapValues, MeasureSpec, WorkspaceData, map_values
from geodata.workspace import (MANIFEST_NAME, Workspace, discover_workspaces, load_manifest,
                               missing_workspace_roots)
from layers.geometry import EncodedLayer, encode_layer, prepare_geometry


def workspace_paths() -> dict[str, str]:
    """Workspace id → folder. Listed afresh on every call (a few directory reads), so a new
    workspace folder appears on the next rerun."""
    return {k: str(v) for k, v in discover_workspaces().items()}


def missing_roots() -> list[str]:
    """Folders named in FISCALMAP_WORKSPACES that do not exist (shown on the Overview page)."""
    return [str(p) for p in missing_workspace_roots()]


# ---------------------------------------------------------------- loaded workspaces
# Loaded workspaces live here, outside Streamlit's caches: "Clear cache" (which any visitor's
# browser can send) must not make every user wait for a workspace to load again. An entry is
# replaced when the manifest or any file it names changes (size or modification time).

@dataclass
class _Entry:
    stamp: tuple
    data: WorkspaceData


_LOADED: dict[str, _Entry] = {}
_MANIFESTS: dict[tuple, Workspace] = {}
_REGISTRY_LOCK = threading.Lock()


def _stat(path: Path | str) -> tuple:
    try:
        st_ = os.stat(path)
        return (str(path), st_.st_mtime_ns, st_.st_size)
    except OSError:
        return (str(path), None, None)


def _manifest_stamp(path: str) -> tuple:
    return _stat(os.path.join(path, MANIFEST_NAME))


def manifest(path: str) -> Workspace:
    """The checked manifest of a workspace folder, read again when the file changes.
    Raises :class:`~geodata.workspace.ManifestError` for a manifest that cannot be used."""
    key = _manifest_stamp(path)
    ws = _MANIFESTS.get(key)
    if ws is None:
        ws = load_manifest(path)
        with _REGISTRY_LOCK:
            for old in [k for k in _MANIFESTS if k[0] == key[0]]:
                del _MANIFESTS[old]
            _MANIFESTS[key] = ws
    return ws


def stamp(path: str) -> tuple:
    """Change stamp of a workspace: its manifest and every file the manifest names."""
    ws = manifest(path)
    files = sorted({str(lv.file) for lv in ws.levels} | {str(t.file) for t in ws.tables})
    return (_manifest_stamp(path), *(_stat(f) for f in files))


def load(path: str) -> WorkspaceData:
    """The loaded workspace of a folder (shared by every session; files read when first
    needed), replaced when the manifest or one of its files has changed on disk."""
    current = stamp(path)
    entry = _LOADED.get(path)
    if entry is not None and entry.stamp == current:
        return entry.data
    with _REGISTRY_LOCK:
        entry = _LOADED.get(path)
        if entry is None or entry.stamp != current:
            entry = _Entry(current, WorkspaceData(manifest(path)))
            _LOADED[path] = entry
    return entry.data


# ---------------------------------------------------------------- derived, keyed by the stamp
# Each public function below passes the workspace's current stamp to a cached function, so a
# change on disk is a new cache key (old entries age out through max_entries).

def encoded_layer(path: str, level: str, tolerance: float = 0.0) -> EncodedLayer:
    return _encoded_layer(path, stamp(path), level, tolerance)


@st.cache_resource(show_spinner="Preparing boundaries…", max_entries=32)
def _encoded_layer(path: str, stamp_: tuple, level: str, tolerance: float) -> EncodedLayer:
    return encode_layer(prepare_geometry(load(path).boundaries(level), tolerance=tolerance))


def values(path: str, spec: MeasureSpec) -> MapValues:
    return _values(path, stamp(path), spec)


@st.cache_data(show_spinner=False, max_entries=256)
def _values(path: str, stamp_: tuple, spec: MeasureSpec) -> MapValues:
    return map_values(load(path), spec)


# ---------------------------------------------------------------- roads (Roads page)

def roads(path: str, level: str | None = None):
    """Segments split by area, town bins and timeline of a workspace (None if it has none)."""
    return _roads(path, stamp(path), level)


@st.cache_resource(show_spinner="Preparing road segments…", max_entries=16)
def _roads(path: str, stamp_: tuple, level: str | None):
    from geodata.roads import load_roads, road_config
    data = load(path)
    cfg = road_config(data.ws)
    if cfg is None:
        return None
    return load_roads(data.ws, data.boundaries(level or cfg.level))


def road_lines(path: str):
    """The drawable segments, simplified and encoded once per workspace."""
    return _road_lines(path, stamp(path))


@st.cache_resource(show_spinner=False, max_entries=16)
def _road_lines(path: str, stamp_: tuple):
    from layers.render_roads import encode_lines
    rd = roads(path)
    return encode_lines(rd.network.segments)


def road_condition(path: str, scheme: str, road_class: str):
    return _road_condition(path, stamp(path), scheme, road_class)


@st.cache_data(show_spinner=False, max_entries=64)
def _road_condition(path: str, stamp_: tuple, scheme: str, road_class: str):
    from geodata.roads import road_condition as _condition
    rd = roads(path)
    return _condition(rd.config, rd.network, rd.bins, rd.area_ids, scheme, road_class)


def encoded_children(path: str, level: str, parent_id: str, tolerance: float = 0.0) -> EncodedLayer:
    """The regions of ``level`` inside one parent region (drill-down), encoded once."""
    return _encoded_children(path, stamp(path), level, parent_id, tolerance)


@st.cache_resource(show_spinner="Preparing boundaries…", max_entries=64)
def _encoded_children(path: str, stamp_: tuple, level: str, parent_id: str,
                      tolerance: float) -> EncodedLayer:
    b = load(path).boundaries(level)
    sub = b[b["parent_id"].astype("string") == parent_id]
    return encode_layer(prepare_geometry(sub, tolerance=tolerance))


def static_layer(path: str, level: str):
    """Boundaries projected, framed and simplified for the static renderer (exports)."""
    return _static_layer(path, stamp(path), level)


@st.cache_resource(show_spinner="Preparing boundaries for export…", max_entries=16)
def _static_layer(path: str, stamp_: tuple, level: str):
    from exports.maps import static_layer as prepare

    return prepare(load(path), level)
