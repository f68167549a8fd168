"""Road segments: any GDAL line file read into canonical segments, cut at area boundaries.

Lengths are measured in metres in a local metric CRS (the UTM zone estimated from the data's
centroid, ``GeoDataFrame.estimate_utm_crs``), never in degrees. Nothing is dropped silently:
segments that cannot be drawn or measured are kept with a flag and reported as problems.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.road_condition import ConditionScheme
from locales import N_

from ..load import normalise_keys, parse_numbers, relative_name
from ..problems import Problem, Text, problem_for_rows
from ..workspace import TableSpec, Workspace
from .config import METRES_PER

ZERO_LENGTH_M = 0.01          # a line shorter than 1 cm is a point in disguise
OUTSIDE_TOLERANCE_M = 1.0     # parts outside every area shorter than this are noise
LINE_TYPES = "LineString or MultiLineString"

SEGMENT_COLUMNS = ["segment_id", "score", "survey_year", "road_class", "region_attr", "route",
                   "direction", "traffic", "length_attr_m"]


def metric_crs(gdf: gpd.GeoDataFrame):
    """A local metric CRS for lengths: the UTM zone of the data's centroid."""
    g = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if g.empty:
        return "EPSG:3395"
    try:
        crs = g.to_crs(4326).estimate_utm_crs()
    except Exception:  # noqa: BLE001 - polar or odd data: a world metric CRS
        return "EPSG:3395"
    return crs


def load_segments(path: Path | str, columns: Mapping[str, str], *,
                  constants: Mapping[str, Any] | None = None, layer: str | None = None,
                  crs_if_missing: str = "EPSG:4326", key_width: int | None = None,
                  file_label: str | None = None) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read a line file (anything GDAL reads) into canonical segments, collecting problems.

    Returns a GeoDataFrame in EPSG:4326 with :data:`SEGMENT_COLUMNS`, ``length_m`` (metres, in a
    local UTM zone), ``parts`` (number of line parts) and ``drawable`` (False for segments with
    no usable line: empty, zero-length or not a line). Nothing is dropped silently: rows that
    cannot be drawn or measured are kept with a flag and reported.
    """
    fname = file_label or Path(path).name
    problems: list[Problem] = []
    try:
        raw = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001
        problems.append(Problem("error", fname, Text(N_("cannot be read as a line layer: {error}"),
                                                     error=str(exc)),
                                code="unreadable"))
        return _empty_segments(), problems
    missing = [src for src in columns.values() if src not in raw.columns]
    if missing:
        problems.append(Problem("error", fname, Text(N_("mapped column(s) not in the file: "
                                                        "{columns}"), columns=", ".join(missing)),
                                expected=", ".join(map(str, raw.columns[:25])),
                                code="missing_column"))
        if columns.get("segment_id") in missing:
            return _empty_segments(), problems
    if raw.crs is None:
        problems.append(Problem("repaired", fname, Text(N_("the layer declares no CRS; {crs} "
                                                           "assumed"), crs=crs_if_missing), code="no_crs"))
        raw = raw.set_crs(crs_if_missing)
    source_crs = raw.crs
    if raw.crs.to_epsg() != 4326:
        msg = (Text(N_("the layer is in {crs} (a projected CRS); reprojected to EPSG:4326 for the "
                       "map, lengths measured in the local UTM zone"), crs=source_crs.to_string())
               if raw.crs.is_projected else
               Text(N_("the layer is in {crs} (another geographic CRS); reprojected to EPSG:4326 "
                       "for the map, lengths measured in the local UTM zone"),
                    crs=source_crs.to_string()))
        raw = raw.to_crs(4326)
        problems.append(Problem("repaired", fname, msg, code="reprojected"))
    line_no = np.arange(len(raw)) + 1
    out = gpd.GeoDataFrame({"_line": line_no}, geometry=raw.geometry.values, crs=4326)
    canon = {"segment_id": "segment_id", "score": "score", "survey_year": "survey_year",
             "road_class": "road_class", "region_id": "region_attr", "route": "route",
             "direction": "direction", "traffic": "traffic", "length_m": "length_attr_m"}
    for c, target in canon.items():
        src = columns.get(c)
        if src in raw.columns:
            out[target] = raw[src].to_numpy()
        elif constants and c in constants:
            out[target] = constants[c]
        else:
            out[target] = None
    out["segment_id"] = normalise_keys(pd.Series(out["segment_id"]).astype("string"), width=None,
                                       file=fname, column=columns.get("segment_id", ""),
                                       problems=problems).to_numpy()
    if out["region_attr"].notna().any():
        out["region_attr"] = normalise_keys(pd.Series(out["region_attr"]), width=key_width,
                                            file=fname, column=columns.get("region_id", ""),
                                            problems=problems).to_numpy()
    for col, src_key in (("score", "score"), ("traffic", "traffic"), ("length_attr_m", "length_m")):
        values, bad = parse_numbers(pd.Series(out[col]).astype("string"))
        if bad.any():
            problems.append(problem_for_rows(
                "error", fname, Text(N_("{n} value(s) are not numbers; treated as missing (a "
                                        "missing score is the No data class)"),
                                     n=f"{int(bad.sum()):,}"),
                column=columns.get(src_key), line_numbers=line_no[bad.to_numpy()],
                values=pd.Series(out[col])[bad.to_numpy()], expected=Text(N_("a number")),
                code="bad_number"))
        out[col] = values.to_numpy()
    yrs = pd.to_numeric(pd.Series(out["survey_year"]).astype("string").str.extract(
        r"((?:19|20)\d\d)", expand=False), errors="coerce")
    out["survey_year"] = yrs.astype("Int64").to_numpy()
    for col in ("route", "direction", "road_class"):
        s = pd.Series(out[col], dtype="object")
        out[col] = s.where(s.notna(), None).map(lambda x: None if x is None else str(x).strip())

    blank = pd.Series(out["segment_id"]).isna().to_numpy()
    if blank.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} segment(s) have no id; numbered by line"),
                                   n=f"{int(blank.sum()):,}"),
            column=columns.get("segment_id"), line_numbers=line_no[blank],
            expected=Text(N_("an id in every feature")), code="blank_key"))
        # an id, not a message: the same in every language
        out.loc[blank, "segment_id"] = [f"line {n}" for n in line_no[blank]]
    dup = pd.Series(out["segment_id"]).duplicated(keep=False).to_numpy()
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} feature(s) share a segment id (sub-sections of one "
                                      "segment?); each is kept with its own score and length"),
                                   n=f"{int(dup.sum()):,}"), column=columns.get("segment_id"),
            line_numbers=line_no[dup], values=pd.Series(out["segment_id"])[dup],
            expected=Text(N_("one feature per segment id")), code="duplicate_key"))

    geom = out.geometry.values
    if len(geom) and shapely.has_z(geom).any():
        geom = shapely.force_2d(geom)
        out = out.set_geometry(gpd.GeoSeries(geom, crs=4326, index=out.index))
    types = np.array([g.geom_type if g is not None else "" for g in geom], dtype=object)
    coll = types == "GeometryCollection"
    if coll.any():      # a collection's line parts are the segment; its points/areas are not
        geom = np.asarray(geom, dtype=object).copy()
        lines = [_line_parts(g) for g in geom[coll]]
        has = np.array([g.geom_type != "GeometryCollection" for g in lines], dtype=bool)
        if has.any():
            problems.append(problem_for_rows(
                "repaired", fname, Text(N_("{n} feature(s) are geometry collections; their line "
                                           "parts are used as the segment, anything else in them "
                                           "is left out"), n=f"{int(has.sum()):,}"),
                column="geometry", line_numbers=line_no[coll][has],
                values=pd.Series(out["segment_id"])[coll][has], expected=LINE_TYPES,
                code="geometry_collection"))
        geom[coll] = np.array(lines, dtype=object)
        out = out.set_geometry(gpd.GeoSeries(geom, crs=4326, index=out.index))
        types = np.array([g.geom_type if g is not None else "" for g in geom], dtype=object)
    present = ~(out.geometry.isna() | out.geometry.is_empty).to_numpy()
    is_line = np.isin(types, ["LineString", "MultiLineString", "LinearRing"])
    not_line = present & ~is_line
    if not_line.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} feature(s) are not lines and are left out of the map and "
                                    "the miles"), n=f"{int(not_line.sum()):,}"),
            column="geometry", line_numbers=line_no[not_line], values=types[not_line],
            expected=LINE_TYPES, code="not_a_line"))
    parts = np.zeros(len(out), dtype=np.int64)
    parts[present & is_line] = shapely.get_num_geometries(geom[present & is_line])
    multi = parts > 1
    if multi.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} segment(s) are multi-part lines; drawn as their parts, "
                                      "length = the sum of the parts"), n=f"{int(multi.sum()):,}"),
            column="geometry", line_numbers=line_no[multi],
            values=pd.Series(out["segment_id"])[multi],
            expected=Text(N_("one connected line per segment")), code="multipart_line"))
    crs_m = metric_crs(out[present & is_line])
    length = np.full(len(out), np.nan)
    if (present & is_line).any():
        length[present & is_line] = out[present & is_line].to_crs(crs_m).length.to_numpy()
    zero = present & is_line & (length < ZERO_LENGTH_M)
    if zero.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} segment(s) have zero length; left out of the map and of "
                                    "the miles"), n=f"{int(zero.sum()):,}"),
            column="geometry", line_numbers=line_no[zero],
            values=pd.Series(out["segment_id"])[zero], expected=Text(N_("a line with length")),
            code="zero_length"))
    absent = ~present
    attr_len = pd.Series(out["length_attr_m"]).to_numpy(dtype=float)
    by_attr = absent & np.isfinite(attr_len) & pd.Series(out["region_attr"]).notna().to_numpy()
    if absent.any():
        lost = absent & ~by_attr
        if by_attr.any():
            problems.append(problem_for_rows(
                "warning", fname, Text(N_("{n} segment(s) have no geometry; counted in the area "
                                          "their region id names, with the length column"),
                                       n=f"{int(by_attr.sum()):,}"), column="geometry",
                line_numbers=line_no[by_attr], values=pd.Series(out["segment_id"])[by_attr],
                expected=Text(N_("a line")), code="no_geometry_by_attribute"))
        if lost.any():
            problems.append(problem_for_rows(
                "error", fname, Text(N_("{n} segment(s) have no geometry (and no region id with a "
                                        "length to place them); left out"),
                                     n=f"{int(lost.sum()):,}"),
                column="geometry", line_numbers=line_no[lost],
                values=pd.Series(out["segment_id"])[lost], expected=Text(N_("a line")),
                code="empty_geometry"))
        length[by_attr] = attr_len[by_attr]
    out["length_m"] = length
    out["parts"] = parts
    out["drawable"] = present & is_line & ~zero
    out["measured"] = (present & is_line & ~zero) | by_attr
    out.attrs["metric_crs"] = str(crs_m)
    out.attrs["source_crs"] = source_crs.to_string()
    return out, problems


def _line_parts(g):
    """The lines of a geometry collection (one line, or a multi-line), else the collection."""
    lines = [p for p in shapely.get_parts(shapely.get_parts(g)) if p.geom_type == "LineString"
             and not p.is_empty]
    if not lines:
        return g
    return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)


def _empty_segments() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype="object") for c in ["_line", *SEGMENT_COLUMNS]}
    g = gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=4326))
    for c, dt in (("length_m", float), ("parts", np.int64), ("drawable", bool), ("measured", bool)):
        g[c] = pd.Series(dtype=dt)
    return g


def score_problems(segments: pd.DataFrame, scheme: ConditionScheme, file: str,
                   score_column: str | None = None,
                   pieces: pd.DataFrame | None = None) -> list[Problem]:
    """Segments with no score (No data, counted) and scores outside the scheme's range.

    With ``pieces`` (:func:`split_by_area`) the length given is the length inside the areas:
    the figure the page's No data KPI counts, not the whole segments'."""
    out = []
    s = pd.to_numeric(segments["score"], errors="coerce")
    lines = segments["_line"].to_numpy()
    no = (s.isna() & segments["measured"]).to_numpy()
    if no.any():
        if pieces is not None:
            rows = np.flatnonzero(no)
            metres = pieces.loc[pieces["_i"].astype(int).isin(rows), "length_m"].sum()
            msg = Text(N_("{n} segment(s) have no condition score ({miles} mi of road inside the "
                          "areas): shown and counted as No data"), n=f"{int(no.sum()):,}",
                       miles=f"{metres / METRES_PER['mi']:,.1f}")
        else:
            metres = segments.loc[no, "length_m"].sum()
            msg = Text(N_("{n} segment(s) have no condition score ({miles} mi): shown and counted "
                          "as No data"), n=f"{int(no.sum()):,}",
                       miles=f"{metres / METRES_PER['mi']:,.1f}")
        out.append(problem_for_rows(
            "warning", file, msg, column=score_column, line_numbers=lines[no],
            values=segments.loc[no, "segment_id"], expected=Text(N_("a score")), code="no_score"))
    bad = scheme.out_of_range(s)
    if bad.any():
        out.append(problem_for_rows(
            "warning", file, Text(N_("{n} score(s) outside the {scheme} range {lo}–{hi}; counted "
                                     "as No data"), n=f"{int(bad.sum()):,}",
                                  scheme=Text(scheme.name), lo=f"{scheme.lo:g}",
                                  hi=f"{scheme.hi:g}"), column=score_column,
            line_numbers=lines[bad], values=s[bad],
            expected=Text(N_("{score} from {lo} to {hi}"), score=scheme.score, lo=f"{scheme.lo:g}",
                          hi=f"{scheme.hi:g}"), code="score_out_of_range"))
    return out


def split_by_area(segments: gpd.GeoDataFrame, areas: gpd.GeoDataFrame,
                  crs_m: Any | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut segments at area boundaries (polygon overlay) and measure each piece in metres.

    Returns ``(pieces, outside)``: pieces has ``segment_id``, ``_i`` (segment row), ``region_id``
    and ``length_m``; outside has the segments with more than 1 m outside every area and that
    length. A segment lying exactly on a shared boundary is not counted twice: when its pieces
    add up to more than its length they are scaled back. Segments without geometry but with a
    region id and a length (``measured`` and not ``drawable``) become one piece in that area.
    """
    seg = segments.reset_index(drop=True)
    seg = seg.assign(_i=np.arange(len(seg)))
    crs_m = crs_m or segments.attrs.get("metric_crs") or metric_crs(seg)
    draw = seg[seg["drawable"].astype(bool)]
    cols = ["segment_id", "_i", "region_id", "length_m"]
    if len(draw) and len(areas):
        a = areas[["region_id", "geometry"]].to_crs(crs_m)
        s = draw[["segment_id", "_i", "geometry"]].to_crs(crs_m)
        pieces = gpd.overlay(s, a, how="intersection", keep_geom_type=True)
        pieces["length_m"] = pieces.length
        pieces = pd.DataFrame(pieces[cols])
    else:
        pieces = pd.DataFrame({c: pd.Series(dtype="float64" if c == "length_m" else "object")
                               for c in cols})
    pieces = pieces[pieces["length_m"] > 0]
    # boundary-hugging segments: never more inside than the segment's length
    inside = pieces.groupby("_i")["length_m"].sum()
    full = draw.set_index("_i")["length_m"]
    over = (inside / full.reindex(inside.index)).clip(lower=1.0)
    pieces["length_m"] = pieces["length_m"] / pieces["_i"].map(over).fillna(1.0)
    inside = pieces.groupby("_i")["length_m"].sum().reindex(full.index, fill_value=0.0)
    gap = full - inside
    out_rows = gap[gap > OUTSIDE_TOLERANCE_M]
    outside = pd.DataFrame({
        "segment_id": draw.set_index("_i").loc[out_rows.index, "segment_id"].to_numpy(),
        "_i": out_rows.index.to_numpy(),
        "outside_m": out_rows.to_numpy(),
        "length_m": full.loc[out_rows.index].to_numpy(),
    })
    attr = seg[seg["measured"].astype(bool) & ~seg["drawable"].astype(bool)]
    if len(attr):
        known = set(areas["region_id"].astype(str))
        inarea = attr[attr["region_attr"].astype(str).isin(known)]
        pieces = pd.concat([pieces, pd.DataFrame({
            "segment_id": inarea["segment_id"].to_numpy(), "_i": inarea["_i"].to_numpy(),
            "region_id": inarea["region_attr"].astype(str).to_numpy(),
            "length_m": inarea["length_m"].to_numpy()})], ignore_index=True)
        lost = attr[~attr["region_attr"].astype(str).isin(known)]
        if len(lost):
            outside = pd.concat([outside, pd.DataFrame({
                "segment_id": lost["segment_id"].to_numpy(), "_i": lost["_i"].to_numpy(),
                "outside_m": lost["length_m"].to_numpy(),
                "length_m": lost["length_m"].to_numpy()})], ignore_index=True)
    pieces["region_id"] = pieces["region_id"].astype(str)
    return pieces.reset_index(drop=True), outside.reset_index(drop=True)


@dataclass
class RoadNetwork:
    """Segments (EPSG:4326, whole, for drawing) and their pieces per area (for the miles)."""
    segments: gpd.GeoDataFrame
    pieces: pd.DataFrame
    outside: pd.DataFrame
    problems: list[Problem]
    metric_crs: str
    file: str
    score_column: str | None = None
    attribute_mismatch: int = 0

    @property
    def empty(self) -> bool:
        return self.segments.empty


def load_network(ws: Workspace, spec: TableSpec, areas: gpd.GeoDataFrame) -> RoadNetwork:
    """Load a workspace's segments table and split it by the areas of its level."""
    fname = relative_name(ws, spec.file)
    lv = ws.level(spec.level)
    seg, problems = load_segments(spec.file, spec.columns, constants=spec.constants,
                                  layer=spec.layer, crs_if_missing=str(spec.options.get("crs", "EPSG:4326")),
                                  key_width=lv.key_width, file_label=fname)
    crs_m = seg.attrs.get("metric_crs", "EPSG:3395")
    pieces, outside = split_by_area(seg, areas, crs_m)
    if len(outside):
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} segment(s) lie partly or wholly outside every {area}: "
                                      "{miles} mi ({metres} m) not counted in any area"),
                                   n=f"{len(outside):,}", area=lv.label.lower(),
                                   miles=f"{outside['outside_m'].sum() / METRES_PER['mi']:,.1f}",
                                   metres=f"{outside['outside_m'].sum():,.0f}"),
            column="geometry", line_numbers=seg["_line"].to_numpy()[outside["_i"].to_numpy()],
            values=outside["segment_id"],
            expected=Text(N_("lines inside the {area} boundaries"), area=lv.label.lower()),
            code="outside_areas"))
    mismatch = 0
    if seg["region_attr"].notna().any() and len(pieces):
        main = pieces.sort_values("length_m").drop_duplicates("_i", keep="last").set_index("_i")["region_id"]
        attr = seg["region_attr"].astype("string").reindex(main.index)
        mismatch = int(((attr != main) & attr.notna()).sum())
    return RoadNetwork(segments=seg, pieces=pieces, outside=outside, problems=problems,
                       metric_crs=str(crs_m), file=fname, score_column=spec.columns.get("score"),
                       attribute_mismatch=mismatch)


