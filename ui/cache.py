"""Every cache of the app, in one place.

Workspaces and prepared geometry are shared resources (loaded once per server, read-only);
measure values are cached data keyed by simple values. Pages never cache on their own.
"""
from __future__ import annotations

import os

import streamlit as st

from geodata.dataset import MapValues, MeasureSpec, WorkspaceData, map_values
from geodata.workspace import Workspace, discover_workspaces, load_manifest
from layers.geometry import EncodedLayer, encode_layer, prepare_geometry


@st.cache_data(ttl=60, show_spinner=False)
def workspace_paths() -> dict[str, str]:
    return {k: str(v) for k, v in discover_workspaces().items()}


@st.cache_resource(show_spinner="Loading workspace…")
def workspace_data(path: str, _mtime: float) -> WorkspaceData:
    """``_mtime`` (the manifest's modification time) reloads a workspace whose files changed."""
    return WorkspaceData(load_manifest(path))


def manifest_mtime(path: str) -> float:
    try:
        return os.path.getmtime(os.path.join(path, "workspace.toml"))
    except OSError:
        return 0.0


def load(path: str) -> WorkspaceData:
    return workspace_data(path, manifest_mtime(path))


@st.cache_data(show_spinner=False)
def manifest(path: str) -> Workspace:
    return load_manifest(path)


@st.cache_resource(show_spinner="Preparing boundaries…")
def encoded_layer(path: str, level: str, tolerance: float = 0.0) -> EncodedLayer:
    data = load(path)
    return encode_layer(prepare_geometry(data.boundaries(level), tolerance=tolerance))


@st.cache_data(show_spinner=False, max_entries=256)
def values(path: str, spec: MeasureSpec) -> MapValues:
    return map_values(load(path), spec)


# ---------------------------------------------------------------- roads (Roads page)

@st.cache_resource(show_spinner="Preparing road segments…")
def roads(path: str, level: str | None = None):
    """Segments split by area, town bins and timeline of a workspace (None if it has none)."""
    from geodata.roads import load_roads, road_config
    data = load(path)
    cfg = road_config(data.ws)
    if cfg is None:
        return None
    return load_roads(data.ws, data.boundaries(level or cfg.level))


@st.cache_resource(show_spinner=False)
def road_lines(path: str):
    """The drawable segments, simplified and encoded once per workspace."""
    from layers.render_roads import encode_lines
    rd = roads(path)
    return encode_lines(rd.network.segments)


@st.cache_data(show_spinner=False, max_entries=64)
def road_condition(path: str, scheme: str, road_class: str):
    from geodata.roads import road_condition as _condition
    rd = roads(path)
    return _condition(rd.config, rd.network, rd.bins, rd.area_ids, scheme, road_class)


@st.cache_resource(show_spinner="Preparing boundaries…")
def encoded_children(path: str, level: str, parent_id: str, tolerance: float = 0.0) -> EncodedLayer:
    """The regions of ``level`` inside one parent region (drill-down), encoded once."""
    b = load(path).boundaries(level)
    sub = b[b["parent_id"].astype("string") == parent_id]
    return encode_layer(prepare_geometry(sub, tolerance=tolerance))


@st.cache_resource(show_spinner="Preparing boundaries for export…")
def static_layer(path: str, level: str):
    """Boundaries projected, framed and simplified for the static renderer (exports)."""
    from exports.maps import static_layer as prepare

    return prepare(load(path), level)
