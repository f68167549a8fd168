"""Every cache of the app, in one place.

Loaded workspaces are held in a registry of this module (loaded once per server, read-only,
replaced when their files change); what is derived from them (prepared geometry, measure
values, road layers) is cached by Streamlit under the workspace's change stamp, so an edit on
disk shows on the next rerun. Pages never cache on their own.
"""
from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from geodata import access
from geodata.dataset import MapValues, MeasureSpec, WorkspaceData, map_values
from geodata.workspace import (MANIFEST_NAME, Workspace, discover_workspaces, load_manifest,
                               missing_workspace_roots)
from layers.geometry import EncodedLayer
from layers.insets import encode_placed, map_frame
from locales import current as current_language


_RUN_MEMO: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def per_run(key: str, make):
    """``make()`` once per script run: for what a run asks for many times and may change
    between runs (the secrets' sign-in section is read by every access check). Outside a
    script run (tests of pure parts, the command line) it is simply ``make()``."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    run = getattr(ctx, "parallel_coordinator", None)     # a new object every run
    if run is None:
        return make()
    try:
        memo = _RUN_MEMO.setdefault(run, {})
    except TypeError:                                     # not weakly referable
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


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


_ACCESS: dict[tuple, object] = {}


def _by_stamp(key: tuple, make):
    """A value read from one file, read again when the file changes (not a Streamlit cache:
    access rules must not be cleared or shared across files by a visitor's "Clear cache")."""
    value = _ACCESS.get(key)
    if value is None:
        value = make()
        with _REGISTRY_LOCK:
            for old in [k for k in _ACCESS if k[:2] == key[:2]]:
                del _ACCESS[old]
            _ACCESS[key] = value
    return value


def access_policy(site_file: str) -> access.Policy:
    """The site's access rules (:func:`geodata.access.load_policy`), read again when the file
    changes."""
    key = ("policy", *_stat(site_file), os.environ.get(access.ACCESS_ENV, ""))
    return _by_stamp(key, lambda: access.load_policy(site_file))


def manifest_access(path: str) -> tuple:
    """A workspace manifest's ``[access]`` rules, problems and notes, read again when the
    manifest changes."""
    key = ("manifest", *_manifest_stamp(path))
    return _by_stamp(key, lambda: access.manifest_rules(path))


def stamp(path: str) -> tuple:
    """Change stamp of a workspace: its manifest and every file the manifest names."""
    ws = manifest(path)
    files = sorted({str(lv.file) for lv in ws.levels} | {str(t.file) for t in ws.tables})
    return (_manifest_stamp(path), *(_stat(f) for f in files))


def text_stamp(path: str) -> tuple:
    """The stamp of a recipe whose result holds text for the reader (labels, notes, legends):
    the workspace's stamp and the language of this run, so each language has its own entry."""
    return (*stamp(path), ("lang", current_language()))


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
    # The insets of [map] (Alaska, Hawaii…) sit beside the main map, as in the exports.
    data = load(path)
    return encode_placed(data.boundaries(level), map_frame(data.ws.settings)[0],
                         tolerance=tolerance, plural=data.ws.level(level).plural)


def values(path: str, spec: MeasureSpec) -> MapValues:
    return _values(path, text_stamp(path), spec)


@st.cache_data(show_spinner=False, max_entries=256)
def _values(path: str, stamp_: tuple, spec: MeasureSpec) -> MapValues:
    return map_values(load(path), spec)


# ---------------------------------------------------------------- roads (Roads page)

def roads(path: str, level: str | None = None):
    """Segments split by area, town bins and timeline of a workspace (None if it has none)."""
    return _roads(path, text_stamp(path), level)


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


def road_overlay(path: str, scheme: str, level_label: str):
    """The road segments as an overlay of the map component, coloured by condition class
    (exports.roads.road_overlay): built once per scheme and language, not on every rerun."""
    return _road_overlay(path, text_stamp(path), scheme, level_label)


@st.cache_resource(show_spinner=False, max_entries=32)
def _road_overlay(path: str, stamp_: tuple, scheme: str, level_label: str):
    from exports import roads as road_views

    rd = roads(path)
    return road_views.road_overlay(rd, rd.config.scheme_obj(scheme), road_lines(path),
                                   level_label, road_condition(path, scheme, "segments"))


def road_condition(path: str, scheme: str, road_class: str):
    return _road_condition(path, text_stamp(path), scheme, road_class)


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
    data = load(path)
    b = data.boundaries(level)
    sub = b[b["parent_id"].astype("string") == parent_id]
    # One parent's regions rarely straddle an inset (Alaska's counties keep their place).
    return encode_placed(sub, map_frame(data.ws.settings)[0], tolerance=tolerance,
                         plural=data.ws.level(level).plural)


def static_layer(path: str, level: str):
    """Boundaries projected, framed and simplified for the static renderer (exports)."""
    return _static_layer(path, stamp(path), level)


@st.cache_resource(show_spinner="Preparing boundaries for export…", max_entries=16)
def _static_layer(path: str, stamp_: tuple, level: str):
    from exports.maps import static_layer as prepare

    return prepare(load(path), level)


# --------------------------------------------------------------------------- Import page
# Reads of files being imported (not yet a workspace), keyed by the file's path, size and
# modification time, so an edited or re-uploaded file is read again.

def import_vector_info(path: str, layer: str | None = None) -> dict:
    # The result holds a message when the file cannot be read: one entry per language.
    return _import_vector_info(path, (*_stat(path), current_language()), layer)


@st.cache_data(max_entries=16, show_spinner=False)
def _import_vector_info(path: str, stamp_: tuple, layer: str | None) -> dict:
    from geodata.readers.roles import propose_boundary_fields
    from geodata.readers.vector import VectorError, list_layers, read_vector
    try:
        layers = list_layers(Path(path))
        frame = read_vector(Path(path), layer or (layers[0] if layers else None), rows=500,
                            geometry=False)
    except VectorError as exc:
        return {"error": str(exc), "layers": [], "fields": []}
    frame = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    key, name = propose_boundary_fields(frame)
    return {"error": "", "layers": layers, "fields": [str(c) for c in frame.columns],
            "key": key, "name": name}


def import_regions(path: str, layer: str | None, key: str, name: str, crs: str):
    return _import_regions(path, _stat(path), layer, key, name, crs)


@st.cache_resource(max_entries=4, show_spinner="Reading the boundaries…")
def _import_regions(path: str, stamp_: tuple, layer, key, name, crs):
    from geodata.load import load_boundaries
    from geodata.workspace import Level
    p = Path(path)
    lv = Level(id="import", label="Region", file=p, key=key, name=name, layer=layer, crs=crs)
    ws = Workspace(id="import", path=p.parent, title="import", levels=(lv,))
    gdf, problems = load_boundaries(ws, lv)
    return pd.DataFrame(gdf.drop(columns="geometry")), problems


@st.cache_data(max_entries=16, show_spinner=False)
def _import_sheets(path: str, stamp_: tuple) -> list[str]:
    from geodata.readers.layout import sheet_names
    try:
        return sheet_names(Path(path))
    except Exception:  # noqa: BLE001 - an unreadable workbook has no sheets to offer
        return []


def import_sheets(path: str) -> list[str]:
    return _import_sheets(path, _stat(path))


def import_grid(path: str, encoding: str, separator, sheet):
    return _import_grid(path, _stat(path), encoding, separator, sheet)


@st.cache_resource(max_entries=8, show_spinner=False)
def _import_grid(path: str, stamp_: tuple, encoding, separator, sheet):
    from geodata.readers.layout import propose_layout, read_grid
    try:
        grid = read_grid(Path(path), encoding=encoding, separator=separator, sheet=sheet)
    except Exception:  # noqa: BLE001 - shown as "cannot be read"
        return None, None
    return grid, propose_layout(grid)


def import_table(path: str, encoding: str, separator, sheet, header_row: int,
                 header_rows: int, skip_bottom: int, stop_at_blank: bool = False,
                 sheet_layout: str = "same", sheet_columns: str = "name") -> dict:
    return _import_table(path, _stat(path), encoding, separator, sheet, header_row,
                         header_rows, skip_bottom, stop_at_blank, sheet_layout, sheet_columns)


def import_sheet_layouts(path: str) -> dict:
    return _import_sheet_layouts(path, _stat(path))


@st.cache_resource(max_entries=8, show_spinner="Reading the sheets…")
def _import_sheet_layouts(path: str, stamp_: tuple) -> dict:
    from geodata.readers.layout import propose_sheet_layouts
    try:
        return propose_sheet_layouts(Path(path))
    except Exception:  # noqa: BLE001 - an unreadable workbook proposes nothing
        return {}


@st.cache_resource(max_entries=4, show_spinner="Reading the table…")
def _import_table(path: str, stamp_: tuple, encoding, separator, sheet, header_row,
                  header_rows, skip_bottom, stop_at_blank, sheet_layout, sheet_columns) -> dict:
    from geodata.readers.layout import Layout
    from geodata.readers.roles import propose_roles
    from geodata.readers.text import read_table_file
    from geodata.readers.wide import period_columns
    res = read_table_file(Path(path), encoding=encoding, separator=separator, sheet=sheet,
                          layout=Layout(header_row=header_row, header_rows=header_rows,
                                        skip_bottom=skip_bottom, stop_at_blank=stop_at_blank),
                          sheet_layout=sheet_layout if sheet in ("*", "all") else "same",
                          sheet_columns=sheet_columns if sheet in ("*", "all") else "name")
    cols = [str(c) for c in res.frame.columns]
    periods, refused = period_columns(cols)
    headers = [p.column for p in periods]
    out = {"frame": res.frame, "lines": res.lines, "notes": res.notes,
           "periods": headers, "refused": refused}
    for kind in ("allocations", "population", "indicators"):
        out["roles_" + kind] = propose_roles(res.frame.head(2000), kind, headers)
    return out


@st.cache_data(max_entries=32, show_spinner=False)
def import_periods(columns: tuple[str, ...], year_span: str | None):
    from geodata.readers.wide import period_columns
    periods, refused = period_columns(list(columns), year_span=year_span)
    return [p.column for p in periods], refused


def import_scale_of(header: str) -> str | None:
    from geodata.readers.units import scale_from_header
    s = scale_from_header(header) if header else None
    return None if s is None or s.factor == 1 else str(s.text)


def import_match(path, encoding, separator, sheet, header_row, header_rows, skip_bottom,
                 stop_at_blank, sheet_layout, sheet_columns, key_col, wide_cols, value_col, decimal, year_span,
                 b_path, b_layer, b_key, b_name, b_crs):
    read = import_table(path, encoding, separator, sheet, header_row, header_rows, skip_bottom,
                        stop_at_blank, sheet_layout, sheet_columns)
    regions, _problems = import_regions(b_path, b_layer, b_key, b_name, b_crs)
    return _import_match(path, _stat(path), encoding, separator, sheet, header_row,
                         header_rows, skip_bottom, stop_at_blank, sheet_layout, sheet_columns,
                         key_col,
                         wide_cols, value_col, decimal, year_span, b_path, _stat(b_path), b_layer, b_key, b_name, b_crs,
                         _read=read, _regions=regions)


@st.cache_resource(max_entries=8, show_spinner="Matching the keys…")
def _import_match(path, stamp_, encoding, separator, sheet, header_row, header_rows,
                  skip_bottom, stop_at_blank, sheet_layout, sheet_columns, key_col, wide_cols, value_col, decimal,
                  year_span, b_path, b_stamp_, b_layer, b_key, b_name, b_crs, *, _read,
                  _regions):
    from geodata.readers.keys import match_keys
    from geodata.readers.roles import keys_and_amounts
    keys, amounts = keys_and_amounts(_read["frame"], key_col, wide_columns=list(wide_cols),
                                     value_col=value_col, decimal=decimal, year_span=year_span)
    return match_keys(keys, _regions[["region_id", "name"]], amounts=amounts, by="auto")


def import_crosswalk(path: str):
    return _import_crosswalk(path, _stat(path))


@st.cache_data(max_entries=8, show_spinner=False)
def _import_crosswalk(path: str, stamp_: tuple):
    from geodata.readers.keys import read_crosswalk
    from geodata.readers.text import read_table_file
    res = read_table_file(Path(path))
    if res.frame.shape[1] < 2:
        return None, []
    mapping, problems = read_crosswalk(res.frame, file=Path(path).name)
    frame = pd.DataFrame({"from": list(mapping), "to": list(mapping.values()),
                          "rule": "your crosswalk"})
    return frame, problems


# ---------------------------------------------------------------- overlays (any map)
# An overlay's cache key adds its own file's stamp to the workspace's: editing the overlay
# file (not named by levels or tables) is picked up on the next rerun too.

def _overlay_spec(path: str, overlay_id: str):
    for spec in manifest(path).overlays:
        if spec.id == overlay_id:
            return spec
    raise KeyError(f"no overlay {overlay_id!r} in the workspace at {path}")


def _overlay_stamp(path: str, overlay_id: str) -> tuple:
    return (text_stamp(path), _stat(_overlay_spec(path, overlay_id).file))


def overlay(path: str, overlay_id: str):
    """The features of one overlay (EPSG:4326, see geodata.overlays) and its problems."""
    return _overlay(path, _overlay_stamp(path, overlay_id), overlay_id)


@st.cache_resource(show_spinner="Reading the overlay…", max_entries=32)
def _overlay(path: str, stamp_: tuple, overlay_id: str):
    from geodata.overlays import load_overlay

    data = load(path)
    spec = _overlay_spec(path, overlay_id)
    levels = [spec.level] if spec.level else [lv.id for lv in data.ws.levels]
    areas = [g for lv in levels for g in data.boundaries(lv).geometry.values]
    return load_overlay(data.ws, spec, areas)


def encoded_overlay(path: str, overlay_id: str):
    """One overlay encoded for the map component and the folium maps, once per file."""
    return _encoded_overlay(path, _overlay_stamp(path, overlay_id), overlay_id)


@st.cache_resource(show_spinner=False, max_entries=32)
def _encoded_overlay(path: str, stamp_: tuple, overlay_id: str):
    from geodata.overlays import tooltip_columns
    from layers.overlay import encode_overlay

    gdf, _ = overlay(path, overlay_id)
    spec = _overlay_spec(path, overlay_id)
    return encode_overlay(gdf, overlay_id=spec.id, label=spec.display_label,
                          category_colour=spec.colour, tooltip=tooltip_columns(spec, gdf))


def overlay_problems(path: str) -> dict[str, list]:
    """Overlay id → the problems found reading its file (every overlay of the workspace)."""
    return {spec.id: overlay(path, spec.id)[1] for spec in manifest(path).overlays}


# ---------------------------------------------------------------- early warning (Early warning page)

def early_warning_config(path: str):
    """The checked [early_warning] settings (raises ManifestError listing every problem)."""
    from performance.config import early_warning_config as parse

    return parse(manifest(path))


def early_warning_periods(path: str, step: str) -> tuple[list[str], dict[int, list[int]]]:
    """The steps the watched table offers ("quarter", "month") and, for ``step``, fiscal
    year → its periods with rows."""
    return _early_warning_periods(path, text_stamp(path), step)


@st.cache_data(show_spinner=False, max_entries=32)
def _early_warning_periods(path: str, stamp_: tuple, step: str):
    from performance.early_warning import available, steps

    data, cfg = load(path), early_warning_config(path)
    offered = steps(data, cfg)
    return offered, (available(data, cfg, step) if step in offered else {})


def early_warning(path: str, year: int, period: int, step: str, rule: str | None = None,
                  by: str | None = None):
    """The ranked flags of one view (performance.early_warning.EarlyWarning)."""
    return _early_warning(path, text_stamp(path), year, period, step, rule, by)


@st.cache_data(show_spinner="Computing the pace of spending…", max_entries=64)
def _early_warning(path: str, stamp_: tuple, year: int, period: int, step: str,
                   rule: str | None, by: str | None):
    from performance.early_warning import early_warning as compute

    cfg = early_warning_config(path).with_rule(rule)
    return compute(load(path), cfg, year=year, period=period, step=step, by=by)


# ---------------------------------------------------------------- scorecard (Scorecard page)

def scorecard(path: str, level: str, year: int, table: str | None = None,
              trend_years: int = 5):
    """Indicators against their targets, with money per resident (performance.scorecard)."""
    return _scorecard(path, text_stamp(path), level, int(year), table, int(trend_years))


@st.cache_data(show_spinner="Judging the indicators against their targets…", max_entries=64)
def _scorecard(path: str, stamp_: tuple, level: str, year: int, table: str | None,
               trend_years: int):
    from performance.scorecard import build_scorecard

    return build_scorecard(load(path), level, year, table=table, trend_years=trend_years)


# ---------------------------------------------------------------- analysis
def analysis_weights(path: str, level: str, kind: str, k: int, handle_islands: str):
    """Spatial weights of a level (:func:`analysis.spatial.weights`), built once per level and
    choice: the contiguity of 3,000 counties takes a few hundred milliseconds."""
    return _analysis_weights(path, stamp(path), level, kind, k, handle_islands)


@st.cache_resource(show_spinner=False, max_entries=16)
def _analysis_weights(path: str, stamp_: tuple, level: str, kind: str, k: int,
                      handle_islands: str):
    from analysis.spatial import weights

    gdf = load(path).boundaries(level)
    return weights(gdf, kind, k=k, handle_islands=handle_islands, id_column="region_id",
                   name_column="name")


def analysis_frame(path: str, level: str, year: int, keys: tuple[str, ...]):
    """The regions × measures table of the analyses (:func:`analysis.frames.region_frame`)."""
    return _analysis_frame(path, text_stamp(path), level, year, keys)


@st.cache_data(show_spinner=False, max_entries=64)
def _analysis_frame(path: str, stamp_: tuple, level: str, year: int, keys: tuple[str, ...]):
    from analysis.frames import region_frame

    return region_frame(load(path), level, year, list(keys))


def analysis_panel_frame(path: str, level: str, first: int, last: int,
                         keys: tuple[str, ...]):
    """The regions × years × measures table of a panel (:func:`analysis.frames.panel_frame`)."""
    return _analysis_panel_frame(path, text_stamp(path), level, first, last, keys)


@st.cache_data(show_spinner=False, max_entries=16)
def _analysis_panel_frame(path: str, stamp_: tuple, level: str, first: int, last: int,
                          keys: tuple[str, ...]):
    from analysis.frames import panel_frame

    return panel_frame(load(path), level, first, last, list(keys))


def analysis_frames(path: str):
    """The table reader the analysis recipes take (``frame(level, year or (first, last),
    keys)``), from the caches above."""
    def read(level: str, year, keys):
        if isinstance(year, tuple):
            return analysis_panel_frame(path, level, int(year[0]), int(year[1]), tuple(keys))
        return analysis_frame(path, level, int(year), tuple(keys))
    return read


def overlap_result(path: str):
    """The overlapping-funding check of a workspace's line items (None when its manifest sets
    none up); raises :class:`analysis.AnalysisError` when the table cannot be checked."""
    return _overlap_result(path, text_stamp(path))


@st.cache_resource(show_spinner="Checking the line items…", max_entries=8)
def _overlap_result(path: str, stamp_: tuple):
    from analysis.overlap import check_workspace

    return check_workspace(load(path).ws)
