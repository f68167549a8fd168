"""Overlays: a layer of lines, points or polygons drawn over any map (rail lines, project
sites, service areas), read from any vector file GDAL reads, with every decision reported.

:func:`load_overlay` returns the features in EPSG:4326, two-dimensional, one row per feature
and kind, with the columns the renderers read (``feature_id``, ``kind``, ``category``,
``title``, the tooltip columns as text, geometry) and a list of
:class:`~geodata.problems.Problem`. It never raises for the file's content: a file it cannot
read, too large, or in coordinates it cannot place is one problem and an empty layer.

Rules (documented in ``docs/workspace-manifest.md``, ``[[overlays]]``):

- **Size**: a file over ``max_file_mb`` (the overlay's, else the workspace's, else
  ``FISCALMAP_MAX_FILE_MB``, else 200 MB) is refused before it is read.
- **CRS**: as for boundary levels (:func:`geodata.readers.shapes.to_lonlat`): a file without a
  CRS takes the overlay's ``crs``; without one either, it is read as longitude/latitude only
  when its coordinates fit, and refused with their extent when they look projected.
- **Columns**: a ``category``, ``name`` or ``tooltip`` column that is not in the file is
  reported with the file's columns; the features are still drawn (one colour, no title).
- **Geometries**: empty and null geometries are reported and left out; invalid ones are
  repaired (``make_valid``) and reported; geometry collections are split into their points,
  lines and areas (one row per kind, same ``feature_id``), reported; lines of zero length are
  reported and left out; Z values are dropped. Points, lines and areas may be mixed in one
  file: each is drawn as its kind. Features entirely outside every region of the workspace's
  levels are reported as a warning ("outside every area") and kept.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from locales import N_

from .load import load_boundaries, relative_name
from .problems import Problem, Text, as_text, count, problem_for_rows
from .readers.shapes import polygonal, to_lonlat
from .readers.text import max_file_bytes, size_note
from .readers.vector import VectorError, read_vector
from .workspace import OverlaySpec, Workspace

KINDS = ("line", "point", "area")
KIND_OF_TYPE = {"Point": "point", "MultiPoint": "point", "LineString": "line",
                "MultiLineString": "line", "LinearRing": "line", "Polygon": "area",
                "MultiPolygon": "area"}
BASE_COLUMNS = ("feature_id", "kind", "category", "title")


@dataclass(frozen=True)
class _CrsOf:
    """What :func:`~geodata.readers.shapes.to_lonlat` reads of a level: its manifest ``crs``."""
    crs: str


def overlays_for(ws: Workspace, level: str | None) -> list[OverlaySpec]:
    """The overlays offered on a map of ``level`` (an overlay without a level: every map)."""
    return [o for o in ws.overlays if o.level is None or level is None or o.level == level]


def tooltip_columns(spec: OverlaySpec, frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, column) of the tooltip rows present in a loaded overlay, in manifest order."""
    out = []
    for name in spec.tooltip:
        col = _tooltip_column(name)
        if col in frame.columns:
            out.append((name, col))
    return out


def _tooltip_column(name: str) -> str:
    """The frame column of a tooltip column of the file (renamed if it would clash)."""
    return f"{name} (column)" if name in (*BASE_COLUMNS, "geometry") else name


def empty_overlay(spec: OverlaySpec | None = None) -> gpd.GeoDataFrame:
    cols = {"feature_id": pd.Series(dtype="int64"), "kind": pd.Series(dtype="object"),
            "category": pd.Series(dtype="object"), "title": pd.Series(dtype="object")}
    for name in (spec.tooltip if spec else ()):
        cols[_tooltip_column(name)] = pd.Series(dtype="object")
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=4326))


def load_overlay(ws: Workspace, spec: OverlaySpec, areas: Iterable | None = None
                 ) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read one overlay file (see the module's rules). ``areas`` are the region shapes the
    "outside every area" check uses (EPSG:4326); by default the regions of the overlay's
    level, or of every level when it has none, read from the workspace."""
    problems: list[Problem] = []
    fname = relative_name(ws, spec.file)
    limit = max_file_bytes(spec.max_file_mb if spec.max_file_mb is not None else ws.max_file_mb)
    try:
        too_big = size_note(spec.file, limit)
        raw = None if too_big else read_vector(spec.file, spec.layer)
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes one reported problem
        text = as_text(exc) if isinstance(exc, VectorError) else \
            Text(N_("cannot be read as a map layer: {error}"), error=str(exc))
        problems.append(Problem("error", fname, text,
                                expected=Text(N_("a vector file GDAL reads (GeoJSON, "
                                                 "GeoPackage, zipped Shapefile, KML)")),
                                code="unreadable"))
        return empty_overlay(spec), problems
    if too_big:
        problems.append(Problem("error", fname, too_big.message, expected=too_big.expected,
                                code=too_big.code))
        return empty_overlay(spec), problems
    raw = raw.reset_index(drop=True)
    _report_missing_columns(raw, spec, fname, problems)

    present = ~(raw.geometry.isna() | raw.geometry.is_empty).to_numpy()
    lost = np.zeros(len(raw), dtype=bool)
    if present.any():
        crs_problems: list[Problem] = []
        placed, lost = to_lonlat(raw, _CrsOf(spec.crs), fname, crs_problems)
        problems += [_for_overlay(p) for p in crs_problems]
        if placed is None:
            return empty_overlay(spec), problems
        raw = placed
    else:
        raw = raw.set_crs(4326, allow_override=True)
    geom = np.asarray(raw.geometry.values, dtype=object)
    if len(geom) and shapely.has_z(geom).any():
        geom = shapely.force_2d(geom)
    numbers = np.arange(len(raw)) + 1
    titles = _texts(raw[spec.name]) if spec.name in raw.columns else \
        pd.Series([""] * len(raw), dtype="object")

    present = ~(pd.isna(geom) | shapely.is_empty(geom)) & ~lost
    gone = ~present & ~lost
    if gone.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} feature(s) have an empty geometry and are left out"),
                                 n=count(gone.sum())),
            column="geometry", line_numbers=numbers[gone], values=_sample(titles, gone),
            expected=Text(N_("a point, a line or a polygon")), code="empty_geometry"))
    types = np.array([g.geom_type if p else "" for g, p in zip(geom, present)], dtype=object)
    is_line = np.isin(types, ["LineString", "MultiLineString", "LinearRing"])
    length = np.zeros(len(geom))
    if is_line.any():
        length[is_line] = shapely.length(geom[is_line])
    zero = is_line & (length == 0)
    if zero.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} line(s) have zero length (all their points are the "
                                    "same) and are left out"), n=count(zero.sum())),
            column="geometry", line_numbers=numbers[zero], values=_sample(titles, zero),
            expected=Text(N_("a line with length")), code="zero_length"))
        present &= ~zero
    checked = np.where(present, geom, None)
    invalid = present & ~shapely.is_valid(checked)
    if invalid.any():
        problems.append(problem_for_rows(
            "repaired", fname, Text(N_("{n} invalid geometr(y/ies) repaired (self-intersections, "
                                       "or line parts of zero length dropped)"),
                                    n=count(invalid.sum())), column="geometry",
            line_numbers=numbers[invalid], values=_sample(titles, invalid),
            expected=Text(N_("valid geometries")), code="invalid_geometry"))
        for i in np.flatnonzero(invalid):
            geom[i] = _repaired(geom[i])

    coll = types == "GeometryCollection"
    if coll.any():
        problems.append(problem_for_rows(
            "repaired", fname, Text(N_("{n} feature(s) are geometry collections; split into "
                                       "their points, lines and areas, each drawn as its kind"),
                                    n=count(coll.sum())),
            column="geometry", line_numbers=numbers[coll], values=_sample(titles, coll),
            expected=Text(N_("a point, a line or a polygon")), code="geometry_collection"))
    rows: list[tuple[int, str, object]] = []     # (position in file, kind, geometry)
    for i in np.flatnonzero(present):
        if coll[i] or geom[i].geom_type == "GeometryCollection":
            rows += [(int(i), k, g) for k, g in _split(geom[i]).items()]
        else:
            rows.append((int(i), KIND_OF_TYPE.get(geom[i].geom_type, "line"), geom[i]))
    pos = np.array([r[0] for r in rows], dtype=np.int64)
    kinds = np.array([r[1] for r in rows], dtype=object)
    shapes = np.array([r[2] for r in rows], dtype=object)

    out = gpd.GeoDataFrame({
        "feature_id": numbers[pos].astype("int64"),
        "kind": kinds,
        "category": (_texts(raw[spec.category]).iloc[pos].to_numpy()
                     if spec.category in raw.columns else np.full(len(pos), "", dtype=object)),
        "title": titles.iloc[pos].to_numpy(),
    }, geometry=gpd.GeoSeries(shapes, crs=4326), index=pd.RangeIndex(len(pos)))
    for name in spec.tooltip:
        if name in raw.columns:
            out[_tooltip_column(name)] = _texts(raw[name]).iloc[pos].to_numpy()

    if len(out):
        shapes_of = areas if areas is not None else _workspace_areas(ws, spec)
        _report_outside(out, shapes_of, ws, spec, fname, problems)
    out.attrs["source_crs"] = raw.crs.to_string() if raw.crs is not None else ""
    return out, problems


# --------------------------------------------------------------------------- helpers

#: The CRS messages of :func:`to_lonlat` that speak of a level's manifest entry, and what they
#: say of an overlay's.
_OVERLAY_WORDING = {
    N_("crs = \"EPSG:4326\" (or the right CRS) in the level's manifest entry"):
        N_("crs = \"EPSG:4326\" (or the right CRS) in the overlay's manifest entry"),
    N_("the CRS of the coordinates as crs = \"EPSG:….\" in the level's manifest entry, or a "
       ".prj file beside a Shapefile"):
        N_("the CRS of the coordinates as crs = \"EPSG:….\" in the overlay's manifest entry, or "
           "a .prj file beside a Shapefile"),
}


def _overlay_words(text: str) -> str:
    if isinstance(text, Text) and text.msgid in _OVERLAY_WORDING:
        return Text(_OVERLAY_WORDING[text.msgid], **text.fields)
    return text.replace("the level's", "the overlay's") if "the level's" in text else text


def _for_overlay(p: Problem) -> Problem:
    """The CRS messages of :func:`to_lonlat` speak of a level's manifest entry."""
    return replace(p, message=_overlay_words(p.message), expected=_overlay_words(p.expected))


def _report_missing_columns(raw: pd.DataFrame, spec: OverlaySpec, fname: str,
                            problems: list[Problem]) -> None:
    named = [("category", spec.category), ("name", spec.name),
             *(("tooltip", t) for t in spec.tooltip)]
    missing = [(key, col) for key, col in named if col and col not in raw.columns]
    if not missing:
        return
    columns = [str(c) for c in raw.columns if c != raw.geometry.name]
    what = {"category": N_("features drawn in one colour"),
            "name": N_("no title in the tooltips"), "tooltip": N_("left out of the tooltips")}
    effects = [Text(what[k]) for k in dict.fromkeys(k for k, _ in missing)]
    shown = ", ".join(columns[:40])
    listed = Text(N_("{shown} and {n} more"), shown=shown, n=count(len(columns) - 40)) \
        if len(columns) > 40 else shown if columns else Text(N_("(none)"))
    problems.append(Problem(
        "warning", fname, Text(N_("column(s) named in the manifest are not in the file: "
                                  "{columns}; {effects}"),
                               columns=", ".join(f"{c} ({k})" for k, c in missing),
                               effects=_joined(effects)),
        column=", ".join(c for _, c in missing),
        expected=Text(N_("one of the file's columns: {columns}"), columns=listed),
        code="missing_column"))



def _joined(parts: list[Text]) -> Text:
    """Clauses joined by "; ", each in the reader's language when shown."""
    out = parts[0]
    for p in parts[1:]:
        out = Text(N_("{first}; {second}"), first=out, second=p)
    return out


def _repaired(g):
    """A valid geometry of the same kind: lines lose their zero-length parts, areas are
    made valid keeping their polygon parts; anything else (a collection) is made valid as a
    whole and split by kind afterwards."""
    kind = KIND_OF_TYPE.get(g.geom_type)
    if kind == "line":
        parts = [p for p in shapely.get_parts(g) if p.length > 0]
        return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
    fixed = shapely.make_valid(g)
    return polygonal(np.array([fixed], dtype=object))[0] if kind == "area" else fixed


def _singles(g) -> list:
    """The single points, lines and polygons of a geometry, collections opened recursively."""
    out = []
    for part in shapely.get_parts(g):
        if part.is_empty or (part.geom_type == "LineString" and part.length == 0):
            continue
        if part.geom_type in ("GeometryCollection", "MultiPoint", "MultiLineString",
                              "MultiPolygon"):
            out += _singles(part)
        else:
            out.append(part)
    return out


def _split(g) -> dict[str, object]:
    """A collection as at most one geometry per kind (multi-part where needed)."""
    parts: dict[str, list] = {}
    for p in _singles(g):
        parts.setdefault(KIND_OF_TYPE.get(p.geom_type, "line"), []).append(p)
    makers = {"point": shapely.MultiPoint, "line": shapely.MultiLineString,
              "area": shapely.MultiPolygon}
    return {k: (v[0] if len(v) == 1 else makers[k](v)) for k in KINDS if (v := parts.get(k))}


def _texts(s: pd.Series) -> pd.Series:
    """A column as text for tooltips and legends: blanks as "", whole numbers without a
    decimal point, other numbers to three decimals (four significant digits below 1)."""
    def one(v) -> str:
        try:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                return ""
        except (TypeError, ValueError):
            pass
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            v = float(v)
            if not math.isfinite(v):
                return str(v)
            if v.is_integer() and abs(v) < 1e15:
                return str(int(v))
            if abs(v) >= 1:
                return f"{v:,.3f}".rstrip("0").rstrip(".")
            return f"{v:.4g}"
        return str(v).strip()
    return pd.Series([one(v) for v in s.to_numpy(dtype=object)], index=s.index, dtype="object")


def _sample(titles: pd.Series, mask: np.ndarray) -> Sequence[str]:
    return [t for t in titles[mask] if t]


def _workspace_areas(ws: Workspace, spec: OverlaySpec) -> list:
    levels = [spec.level] if spec.level else [lv.id for lv in ws.levels]
    shapes: list = []
    for lv in levels:
        b, _ = load_boundaries(ws, lv)
        shapes += list(b.geometry.values)
    return shapes


def _report_outside(out: gpd.GeoDataFrame, areas: Iterable, ws: Workspace, spec: OverlaySpec,
                    fname: str, problems: list[Problem]) -> None:
    area_geoms = [g for g in areas if g is not None and not g.is_empty]
    if not area_geoms:
        return
    tree = shapely.STRtree(np.asarray(area_geoms, dtype=object))
    hit = tree.query(np.asarray(out.geometry.values, dtype=object), predicate="intersects")
    inside_rows = np.zeros(len(out), dtype=bool)
    inside_rows[np.unique(hit[0])] = True
    fid = out["feature_id"].to_numpy()
    inside_features = set(fid[inside_rows].tolist())
    outside = ~np.isin(fid, list(inside_features))
    if not outside.any():
        return
    numbers = sorted(set(fid[outside].tolist()))
    levels = [ws.level(spec.level)] if spec.level else list(ws.levels)
    where = " / ".join(lv.label.lower() for lv in levels)
    problems.append(problem_for_rows(
        "warning", fname, Text(N_("{n} feature(s) lie outside every area (every {levels} of "
                                  "the workspace); drawn anyway: are they in the right place, or "
                                  "is the file's CRS wrong?"), n=count(len(numbers)),
                               levels=where),
        column="geometry", line_numbers=numbers,
        values=[t for t in out.loc[outside, "title"] if t],
        expected=Text(N_("features over the workspace's regions")), code="outside_areas"))
