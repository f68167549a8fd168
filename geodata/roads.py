"""Road condition by area: segments, town bins, targets, trend and where to invest.

The steps, each a pure function:

``road_config(ws)``            the workspace's ``[roads]`` settings (scheme, targets, bins, timeline)
``load_segments(...)``         any GDAL line file → canonical segments in EPSG:4326 + problems
``split_by_area(...)``         segments cut at area boundaries → pieces with a length in metres,
                               and the parts outside every area (reported with their length)
``load_network(ws, areas)``    the two above, for a workspace's ``segments`` table
``condition_by_area(...)``     length-weighted miles per condition class per area
``bins_by_area(...)``          the same from a town bin table (areas without segment geometry)
``with_status(...)``           shares and target status (met / at risk / missed)
``area_trend`` / ``segment_trend`` / ``change_between``   the survey-year timeline
``invest_ranking(...)``        areas ranked by poor miles against money per mile or resident

Lengths are measured in metres in a local metric CRS: the UTM zone estimated from the data's
centroid (``GeoDataFrame.estimate_utm_crs``), never in degrees. Shares are of the *rated* miles
(miles with a score in the scheme's range); miles with no score are their own "No data" class,
counted and shown, never dropped.

Target status rule (documented in docs/workspace-manifest.md): with ``g`` the share of rated
miles good or better and ``p`` the share poor,

* **missed** when ``g < good_or_better_min`` or ``p > poor_max``;
* **at risk** when both targets are met but within the margin of failing one:
  ``g < good_or_better_min + at_risk_good_pp`` or ``p > poor_max - at_risk_poor_pp``
  (defaults 5 and 1 percentage points);
* **met** otherwise; **no data** when the area has no rated miles; **no target** when the
  manifest sets none.

Each target is judged by the one target engine (:mod:`performance.targets`), its margin being
the engine's at-risk band on the met side of the target (:meth:`Targets.criteria`), and the
area takes the worse of its two statuses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.road_condition import (NO_DATA, ConditionScheme, SchemeError, compatible,
                                   get_scheme, schemes_for)
from performance import targets as T

from .load import normalise_keys, parse_numbers, relative_name
from .problems import Problem, problem_for_rows
from .workspace import TableSpec, Workspace

METRES_PER = {"mi": 1609.344, "km": 1000.0}
UNIT_WORDS = {"mi": "miles", "km": "km"}
ZERO_LENGTH_M = 0.01          # a line shorter than 1 cm is a point in disguise
OUTSIDE_TOLERANCE_M = 1.0     # parts outside every area shorter than this are noise
STATUS_ORDER = ("met", "at risk", "missed")


# --------------------------------------------------------------------------- configuration

@dataclass(frozen=True)
class Targets:
    good_or_better_min: float | None = None    # % of rated miles
    poor_max: float | None = None              # % of rated miles
    at_risk_good_pp: float = 5.0
    at_risk_poor_pp: float = 1.0

    @property
    def any(self) -> bool:
        return self.good_or_better_min is not None or self.poor_max is not None

    def criteria(self) -> list[tuple[str, float, float, str]]:
        """Each target as the engine's thresholds: (share column, met from, at risk up to,
        direction). The margin is on the met side: good or better is met from
        ``good_or_better_min + at_risk_good_pp`` and at risk down to ``good_or_better_min``;
        poor is met up to ``poor_max - at_risk_poor_pp`` and at risk up to ``poor_max``."""
        out = []
        if self.good_or_better_min is not None:
            out.append(("good_share", self.good_or_better_min + self.at_risk_good_pp,
                        self.good_or_better_min, T.HIGHER))
        if self.poor_max is not None:
            out.append(("poor_share", self.poor_max - self.at_risk_poor_pp, self.poor_max,
                        T.LOWER))
        return out

    def text(self) -> str:
        parts = []
        if self.good_or_better_min is not None:
            parts.append(f"≥ {self.good_or_better_min:g}% good or better")
        if self.poor_max is not None:
            parts.append(f"≤ {self.poor_max:g}% poor")
        return " and ".join(parts) or "no target set"


@dataclass(frozen=True)
class BinSpec:
    """A table of road length per condition class per area (no geometry)."""
    file: Path
    level: str
    key: str                                   # region id column (or name column if by_name)
    columns: dict[str, str]                    # class label (or "No data") → length column
    scheme: str
    road_class: str
    survey_year: int | None = None
    length_unit: str = "mi"
    by_name: bool = False
    targets: Targets = Targets()
    encoding: str = "utf-8"


@dataclass(frozen=True)
class TimelineSpec:
    """Scores of segments over several survey years (no geometry)."""
    file: Path
    segment_id: str
    year: str
    score: str
    strip_prefix: str = ""
    route: str | None = None


@dataclass(frozen=True)
class RoadConfig:
    segments_table: str | None
    level: str
    scheme: str
    score_label: str
    survey_year: int | None
    road_class: str
    length_unit: str
    targets: Targets
    schemes: dict[str, ConditionScheme]
    town_bins: BinSpec | None = None
    timeline: TimelineSpec | None = None
    trend_indicator: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def unit_word(self) -> str:
        return UNIT_WORDS.get(self.length_unit, self.length_unit)

    def scheme_obj(self, scheme_id: str | None = None) -> ConditionScheme:
        return get_scheme(scheme_id or self.scheme, self.schemes)

    def scheme_choices(self) -> list[str]:
        return compatible(self.schemes, self.score_label)


def _targets(d: Any, where: str, problems: list[str]) -> Targets:
    if not isinstance(d, Mapping):
        return Targets()
    vals: dict[str, float | None] = {}
    for k in ("good_or_better_min", "poor_max", "at_risk_good_pp", "at_risk_poor_pp"):
        v = d.get(k)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            problems.append(f"{where}: '{k}' must be a percentage from 0 to 100, got {v!r}")
            continue
        vals[k] = float(v)
    unknown = sorted(set(d) - {"good_or_better_min", "poor_max", "at_risk_good_pp",
                               "at_risk_poor_pp"})
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
    return Targets(**vals)


def road_config(ws: Workspace) -> RoadConfig | None:
    """The workspace's road settings, or None when it has no ``segments`` table and no bins.

    Missing keys get defaults (the scheme guessed from the score label); problems in the
    ``[roads]`` table are collected in ``problems`` rather than raised.
    """
    cfg = ws.settings.get("roads") or {}
    problems: list[str] = []
    seg_tables = ws.tables_of("segments")
    seg_id = cfg.get("segments_table") or (seg_tables[0].id if seg_tables else None)
    if seg_id and seg_id not in {t.id for t in seg_tables}:
        problems.append(f"[roads]: segments_table {seg_id!r} is not a segments table")
        seg_id = seg_tables[0].id if seg_tables else None
    if not seg_id and not cfg.get("town_bins"):
        return None
    seg_spec = ws.table(seg_id) if seg_id else None
    try:
        schemes = schemes_for(cfg)
    except SchemeError as exc:
        problems += [f"{exc.args[0].split(':')[0]}: {p}" for p in exc.problems]
        from layers.road_condition import PRESETS
        schemes = dict(PRESETS)
    score_label = str(cfg.get("score_label") or (seg_spec.unit.split()[0] if seg_spec and seg_spec.unit else "PSI"))
    default_scheme = next(iter(compatible(schemes, score_label)))
    scheme = str(cfg.get("scheme") or default_scheme)
    if scheme not in schemes:
        problems.append(f"[roads]: scheme {scheme!r} is unknown; one of {', '.join(schemes)}")
        scheme = default_scheme
    level = str(cfg.get("level") or (seg_spec.level if seg_spec else ws.default_level))
    unit = str(cfg.get("length_unit", "mi"))
    if unit not in METRES_PER:
        problems.append(f"[roads]: length_unit must be 'mi' or 'km', got {unit!r}")
        unit = "mi"
    targets = _targets(cfg.get("targets"), "[roads.targets]", problems)

    bins = None
    b = cfg.get("town_bins")
    if isinstance(b, Mapping):
        where = "[roads.town_bins]"
        missing = [k for k in ("file", "columns") if not b.get(k)]
        if not (b.get("key") or b.get("name")):
            missing.append("key (or name)")
        if missing:
            problems.append(f"{where}: lacks {', '.join(missing)}")
        elif not (ws.path / b["file"]).exists():
            problems.append(f"{where}: file {b['file']!r} not found in {ws.path}")
        else:
            bscheme = str(b.get("scheme", scheme))
            if bscheme not in schemes:
                problems.append(f"{where}: scheme {bscheme!r} is unknown")
                bscheme = scheme
            labels = set(schemes[bscheme].labels) | {NO_DATA}
            bad = sorted(set(b["columns"]) - labels)
            if bad:
                problems.append(f"{where}.columns: {bad} are not classes of {bscheme} "
                                f"({', '.join(sorted(labels))})")
            bins = BinSpec(
                file=ws.path / b["file"], level=str(b.get("level", level)),
                key=str(b.get("key") or b.get("name")), by_name=not b.get("key"),
                columns={str(k): str(v) for k, v in b["columns"].items() if k in labels},
                scheme=bscheme, road_class=str(b.get("road_class", "Roads (town bins)")),
                survey_year=b.get("survey_year"), length_unit=str(b.get("length_unit", unit)),
                targets=_targets(b.get("targets"), f"{where}.targets", problems) if b.get("targets") else targets,
                encoding=str(b.get("encoding", "utf-8")))
    timeline = None
    t = cfg.get("timeline")
    if isinstance(t, Mapping):
        missing = [k for k in ("file", "segment_id", "year", "score") if not t.get(k)]
        if missing:
            problems.append(f"[roads.timeline]: lacks {', '.join(missing)}")
        elif not (ws.path / t["file"]).exists():
            problems.append(f"[roads.timeline]: file {t['file']!r} not found")
        else:
            timeline = TimelineSpec(file=ws.path / t["file"], segment_id=str(t["segment_id"]),
                                    year=str(t["year"]), score=str(t["score"]),
                                    strip_prefix=str(t.get("strip_prefix", "")),
                                    route=t.get("route"))
    return RoadConfig(
        segments_table=seg_id, level=level, scheme=scheme, score_label=score_label,
        survey_year=cfg.get("survey_year"),
        road_class=str(cfg.get("road_class") or (seg_spec.display_label if seg_spec else "Roads")),
        length_unit=unit, targets=targets, schemes=schemes, town_bins=bins, timeline=timeline,
        trend_indicator=cfg.get("trend_indicator"), problems=tuple(problems))


# --------------------------------------------------------------------------- segments

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
        problems.append(Problem("error", fname, f"cannot be read as a line layer: {exc}",
                                code="unreadable"))
        return _empty_segments(), problems
    missing = [src for src in columns.values() if src not in raw.columns]
    if missing:
        problems.append(Problem("error", fname, f"mapped column(s) not in the file: "
                                f"{', '.join(missing)}", expected=", ".join(map(str, raw.columns[:25])),
                                code="missing_column"))
        if columns.get("segment_id") in missing:
            return _empty_segments(), problems
    if raw.crs is None:
        problems.append(Problem("repaired", fname, f"the layer declares no CRS; {crs_if_missing} "
                                "assumed", code="no_crs"))
        raw = raw.set_crs(crs_if_missing)
    source_crs = raw.crs
    if raw.crs.to_epsg() != 4326:
        note = "a projected CRS" if raw.crs.is_projected else "another geographic CRS"
        raw = raw.to_crs(4326)
        problems.append(Problem("repaired", fname, f"the layer is in {source_crs.to_string()} "
                                f"({note}); reprojected to EPSG:4326 for the map, lengths "
                                "measured in the local UTM zone", code="reprojected"))
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
                "error", fname, f"{int(bad.sum()):,} value(s) are not numbers; treated as "
                "missing (a missing score is the No data class)", column=columns.get(src_key),
                line_numbers=line_no[bad.to_numpy()], values=pd.Series(out[col])[bad.to_numpy()],
                expected="a number", code="bad_number"))
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
            "warning", fname, f"{int(blank.sum()):,} segment(s) have no id; numbered by line",
            column=columns.get("segment_id"), line_numbers=line_no[blank],
            expected="an id in every feature", code="blank_key"))
        out.loc[blank, "segment_id"] = [f"line {n}" for n in line_no[blank]]
    dup = pd.Series(out["segment_id"]).duplicated(keep=False).to_numpy()
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(dup.sum()):,} feature(s) share a segment id (sub-sections "
            "of one segment?); each is kept with its own score and length", column=columns.get("segment_id"),
            line_numbers=line_no[dup], values=pd.Series(out["segment_id"])[dup],
            expected="one feature per segment id", code="duplicate_key"))

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
                "repaired", fname, f"{int(has.sum()):,} feature(s) are geometry collections; "
                "their line parts are used as the segment, anything else in them is left out",
                column="geometry", line_numbers=line_no[coll][has],
                values=pd.Series(out["segment_id"])[coll][has], expected="LineString or "
                "MultiLineString", code="geometry_collection"))
        geom[coll] = np.array(lines, dtype=object)
        out = out.set_geometry(gpd.GeoSeries(geom, crs=4326, index=out.index))
        types = np.array([g.geom_type if g is not None else "" for g in geom], dtype=object)
    present = ~(out.geometry.isna() | out.geometry.is_empty).to_numpy()
    is_line = np.isin(types, ["LineString", "MultiLineString", "LinearRing"])
    not_line = present & ~is_line
    if not_line.any():
        problems.append(problem_for_rows(
            "error", fname, f"{int(not_line.sum()):,} feature(s) are not lines and are left out "
            "of the map and the miles", column="geometry", line_numbers=line_no[not_line],
            values=types[not_line], expected="LineString or MultiLineString", code="not_a_line"))
    parts = np.zeros(len(out), dtype=np.int64)
    parts[present & is_line] = shapely.get_num_geometries(geom[present & is_line])
    multi = parts > 1
    if multi.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(multi.sum()):,} segment(s) are multi-part lines; drawn as "
            "their parts, length = the sum of the parts", column="geometry",
            line_numbers=line_no[multi], values=pd.Series(out["segment_id"])[multi],
            expected="one connected line per segment", code="multipart_line"))
    crs_m = metric_crs(out[present & is_line])
    length = np.full(len(out), np.nan)
    if (present & is_line).any():
        length[present & is_line] = out[present & is_line].to_crs(crs_m).length.to_numpy()
    zero = present & is_line & (length < ZERO_LENGTH_M)
    if zero.any():
        problems.append(problem_for_rows(
            "error", fname, f"{int(zero.sum()):,} segment(s) have zero length; left out of the "
            "map and of the miles", column="geometry", line_numbers=line_no[zero],
            values=pd.Series(out["segment_id"])[zero], expected="a line with length",
            code="zero_length"))
    absent = ~present
    attr_len = pd.Series(out["length_attr_m"]).to_numpy(dtype=float)
    by_attr = absent & np.isfinite(attr_len) & pd.Series(out["region_attr"]).notna().to_numpy()
    if absent.any():
        lost = absent & ~by_attr
        if by_attr.any():
            problems.append(problem_for_rows(
                "warning", fname, f"{int(by_attr.sum()):,} segment(s) have no geometry; counted "
                "in the area their region id names, with the length column", column="geometry",
                line_numbers=line_no[by_attr], values=pd.Series(out["segment_id"])[by_attr],
                expected="a line", code="no_geometry_by_attribute"))
        if lost.any():
            problems.append(problem_for_rows(
                "error", fname, f"{int(lost.sum()):,} segment(s) have no geometry (and no region "
                "id with a length to place them); left out", column="geometry",
                line_numbers=line_no[lost], values=pd.Series(out["segment_id"])[lost],
                expected="a line", code="empty_geometry"))
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
                   score_column: str | None = None) -> list[Problem]:
    """Segments with no score (No data, counted) and scores outside the scheme's range."""
    out = []
    s = pd.to_numeric(segments["score"], errors="coerce")
    lines = segments["_line"].to_numpy()
    no = (s.isna() & segments["measured"]).to_numpy()
    if no.any():
        km = segments.loc[no, "length_m"].sum()
        out.append(problem_for_rows(
            "warning", file, f"{int(no.sum()):,} segment(s) have no condition score "
            f"({km / METRES_PER['mi']:,.1f} mi): shown and counted as No data",
            column=score_column, line_numbers=lines[no], values=segments.loc[no, "segment_id"],
            expected="a score", code="no_score"))
    bad = scheme.out_of_range(s)
    if bad.any():
        out.append(problem_for_rows(
            "warning", file, f"{int(bad.sum()):,} score(s) outside the {scheme.name} range "
            f"{scheme.lo:g}–{scheme.hi:g}; counted as No data", column=score_column,
            line_numbers=lines[bad], values=s[bad], expected=f"{scheme.score} from "
            f"{scheme.lo:g} to {scheme.hi:g}", code="score_out_of_range"))
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
            "warning", fname, f"{len(outside):,} segment(s) lie partly or wholly outside every "
            f"{lv.label.lower()}: {outside['outside_m'].sum() / METRES_PER['mi']:,.2f} mi "
            f"({outside['outside_m'].sum():,.0f} m) not counted in any area",
            column="geometry", line_numbers=seg["_line"].to_numpy()[outside["_i"].to_numpy()],
            values=outside["segment_id"], expected=f"lines inside the {lv.label.lower()} boundaries",
            code="outside_areas"))
    mismatch = 0
    if seg["region_attr"].notna().any() and len(pieces):
        main = pieces.sort_values("length_m").drop_duplicates("_i", keep="last").set_index("_i")["region_id"]
        attr = seg["region_attr"].astype("string").reindex(main.index)
        mismatch = int(((attr != main) & attr.notna()).sum())
    return RoadNetwork(segments=seg, pieces=pieces, outside=outside, problems=problems,
                       metric_crs=str(crs_m), file=fname, score_column=spec.columns.get("score"),
                       attribute_mismatch=mismatch)


# --------------------------------------------------------------------------- condition by area

def class_columns(scheme: ConditionScheme) -> list[str]:
    return [*scheme.labels, NO_DATA]


def condition_by_area(pieces: pd.DataFrame, segments: pd.DataFrame, scheme: ConditionScheme,
                      area_ids: list[str], *, unit: str = "mi") -> pd.DataFrame:
    """Length of road per condition class per area (index region_id), in ``unit``.

    Columns: one per class label, ``No data``, then ``total``, ``rated``, ``good_or_better``
    and ``poor`` (lengths) — shares come from :func:`with_status`.
    """
    cls = scheme.classify(segments["score"])
    labels = np.array(scheme.label_of(cls), dtype=object)
    lab = pd.Series(labels[pieces["_i"].to_numpy().astype(int)] if len(pieces) else [],
                    index=pieces.index, dtype="object")
    length = pieces["length_m"] / METRES_PER[unit]
    table = (pd.DataFrame({"region_id": pieces["region_id"].astype(str), "cls": lab, "len": length})
             .pivot_table(index="region_id", columns="cls", values="len", aggfunc="sum", fill_value=0.0)
             if len(pieces) else pd.DataFrame())
    table = table.reindex(index=pd.Index(area_ids, name="region_id"),
                          columns=class_columns(scheme)).fillna(0.0)
    table.columns.name = None
    return _totals(table, scheme)


def _totals(table: pd.DataFrame, scheme: ConditionScheme) -> pd.DataFrame:
    out = table.copy()
    out["total"] = out[class_columns(scheme)].sum(axis=1)
    out["rated"] = out[list(scheme.labels)].sum(axis=1)
    out["good_or_better"] = out[list(scheme.good_or_better)].sum(axis=1)
    out["poor"] = out[list(scheme.poor)].sum(axis=1)
    return out


def load_bins(ws: Workspace, spec: BinSpec, regions: pd.DataFrame
              ) -> tuple[pd.DataFrame, list[Problem]]:
    """The town bin table as lengths per class per region (canonical labels), with problems."""
    fname = relative_name(ws, spec.file)
    problems: list[Problem] = []
    try:
        raw = pd.read_csv(spec.file, dtype=str, keep_default_na=False, encoding=spec.encoding)
    except Exception as exc:  # noqa: BLE001
        return pd.DataFrame(), [Problem("error", fname, f"cannot be read: {exc}", code="unreadable")]
    raw.columns = [c.strip().lstrip("\ufeff") for c in raw.columns]
    missing = [c for c in [spec.key, *spec.columns.values()] if c not in raw.columns]
    if missing:
        return pd.DataFrame(), [Problem("error", fname, f"column(s) not in the file: "
                                        f"{', '.join(missing)}", code="missing_column")]
    lines = np.arange(len(raw)) + 2
    if spec.by_name:
        from .load import normalise_name
        lookup = {normalise_name(n): r for r, n in zip(regions["region_id"], regions["name"])}
        ids = raw[spec.key].map(lambda n: lookup.get(normalise_name(n)))
    else:
        ids = normalise_keys(raw[spec.key], width=None, file=fname, column=spec.key,
                             problems=problems)
    known = set(regions["region_id"].astype(str))
    unknown = ~ids.astype("string").isin(known).fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(unknown.sum()):,} row(s) name an area that is not in the "
            "boundary layer; not counted", column=spec.key, line_numbers=lines[unknown],
            values=raw.loc[unknown, spec.key], expected="an area of the level", code="unknown_key"))
    out = pd.DataFrame({"region_id": ids.astype("string")})
    for label, col in spec.columns.items():
        vals, bad = parse_numbers(raw[col])
        if bad.any():
            problems.append(problem_for_rows(
                "error", fname, f"{int(bad.sum()):,} length(s) are not numbers; counted as 0",
                column=col, line_numbers=lines[bad.to_numpy()], values=raw.loc[bad, col],
                expected="a length", code="bad_number"))
        neg = (vals < 0).fillna(False)
        if neg.any():
            problems.append(problem_for_rows(
                "error", fname, f"{int(neg.sum()):,} negative length(s); counted as 0",
                column=col, line_numbers=lines[neg.to_numpy()], values=raw.loc[neg, col],
                expected="a length ≥ 0", code="negative_length"))
            vals = vals.where(~neg)
        out[label] = vals.fillna(0.0).to_numpy()
    out = out[~unknown]
    return out.groupby("region_id").sum(), problems


def bins_by_area(bins: pd.DataFrame, scheme: ConditionScheme, area_ids: list[str], *,
                 from_unit: str = "mi", unit: str = "mi") -> pd.DataFrame:
    """Bin lengths (by class label) per area, in the same layout as :func:`condition_by_area`.

    Areas missing from the table get NaN totals (no data), not zero miles.
    """
    t = bins.reindex(columns=class_columns(scheme)).fillna(0.0) * (METRES_PER[from_unit] / METRES_PER[unit])
    have = t.index.astype(str)
    t.index = have
    t = t.reindex(pd.Index(area_ids, name="region_id"))
    out = _totals(t.fillna(0.0), scheme)
    out.loc[~out.index.isin(have), ["total", "rated", "good_or_better", "poor"]] = np.nan
    return out


def combine(*tables: pd.DataFrame) -> pd.DataFrame:
    """Sum the lengths of several road classes (their own schemes) per area: total, rated,
    good_or_better, poor and No data. NaN only where every part is NaN."""
    cols = ["total", "rated", "good_or_better", "poor", NO_DATA]
    parts = [t.reindex(columns=cols) for t in tables]
    stacked = pd.concat(parts, keys=range(len(parts)))
    return stacked.groupby(level=1, sort=False).sum(min_count=1).reindex(parts[0].index)


def target_statuses(good_share, poor_share, targets: Targets) -> np.ndarray:
    """met / at risk / missed per area (shares in %), by the rule in the module docstring:
    each target judged by the engine, the area taking the worse; a share that cannot be
    computed while the other can does not count against the area."""
    g = np.asarray(good_share, dtype="float64")
    p = np.asarray(poor_share, dtype="float64")
    if not targets.any:
        return np.full(g.shape, T.NO_TARGET, dtype=object)
    shares = {"good_share": g, "poor_share": p}
    judged = [T.judge(shares[col], met, risk, direction)
              for col, met, risk, direction in targets.criteria()]
    out = T.worst_each(*judged, empty=T.MET)
    out[np.isnan(g) & np.isnan(p)] = T.NO_DATA
    return out


def target_status(good_share: float, poor_share: float, targets: Targets) -> str:
    """met / at risk / missed for one area (shares in %), by the rule in the module docstring."""
    return str(target_statuses([good_share], [poor_share], targets)[0])


def with_status(table: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Add ``good_share``, ``poor_share``, ``no_data_share`` (%) and ``status``."""
    out = table.copy()
    rated = out["rated"].where(out["rated"] > 0)
    out["good_share"] = out["good_or_better"] / rated * 100
    out["poor_share"] = out["poor"] / rated * 100
    total = out["total"].where(out["total"] > 0)
    out["no_data_share"] = out[NO_DATA] / total * 100
    out["status"] = target_statuses(out["good_share"].to_numpy(dtype="float64", na_value=np.nan),
                                    out["poor_share"].to_numpy(dtype="float64", na_value=np.nan),
                                    targets).tolist()
    return out


@dataclass(frozen=True)
class RegionFigure:
    miles: float
    rated: float
    good_share: float
    poor_share: float
    no_data: float
    status: str

    def sentence(self, road_class: str, targets: Targets, unit_word: str = "miles") -> str:
        """Portland's budget sentence: "72% of interstate miles good or better against a
        target of 80%"."""
        if not self.rated:
            return f"No rated {_lower_first(road_class)} {unit_word}."
        what = f"{_lower_first(road_class)} {unit_word}"
        s = f"{self.good_share:.0f}% of {what} are in good or better condition"
        if targets.good_or_better_min is not None:
            s += f" against a target of {targets.good_or_better_min:g}%"
        s += f"; {self.poor_share:.1f}% are poor"
        if targets.poor_max is not None:
            s += f" against a maximum of {targets.poor_max:g}%"
        return s + f" — target {self.status}."


def _lower_first(text: str) -> str:
    """"Interstate" → "interstate", but "NHS roads" stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def region_figure(table: pd.DataFrame, targets: Targets) -> RegionFigure:
    """The region-wide figure: sums over areas (weighted by length), then shares."""
    t = table[["total", "rated", "good_or_better", "poor", NO_DATA]].sum(min_count=1)
    rated = float(t["rated"] or 0.0)
    g = float(t["good_or_better"]) / rated * 100 if rated else float("nan")
    p = float(t["poor"]) / rated * 100 if rated else float("nan")
    return RegionFigure(miles=float(t["total"] or 0.0), rated=rated, good_share=g, poor_share=p,
                        no_data=float(t[NO_DATA] or 0.0), status=target_status(g, p, targets))


# --------------------------------------------------------------------------- trend

def load_timeline(ws: Workspace, spec: TimelineSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """segment_id, year, score (and route) from a per-segment history table."""
    fname = relative_name(ws, spec.file)
    try:
        raw = pd.read_csv(spec.file, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001
        return pd.DataFrame(columns=["segment_id", "year", "score"]), [
            Problem("error", fname, f"cannot be read: {exc}", code="unreadable")]
    problems: list[Problem] = []
    missing = [c for c in (spec.segment_id, spec.year, spec.score) if c not in raw.columns]
    if missing:
        return pd.DataFrame(columns=["segment_id", "year", "score"]), [
            Problem("error", fname, f"column(s) not in the file: {', '.join(missing)}",
                    code="missing_column")]
    sid = raw[spec.segment_id].str.strip()
    if spec.strip_prefix:
        sid = sid.str.replace("^" + re.escape(spec.strip_prefix), "", regex=True)
    score, bad = parse_numbers(raw[spec.score])
    year = pd.to_numeric(raw[spec.year], errors="coerce").astype("Int64")
    if bad.any():
        problems.append(problem_for_rows("error", fname, f"{int(bad.sum()):,} score(s) are not "
                                         "numbers; left out", column=spec.score,
                                         line_numbers=np.flatnonzero(bad.to_numpy()) + 2,
                                         values=raw.loc[bad, spec.score], code="bad_number"))
    out = pd.DataFrame({"segment_id": sid, "year": year, "score": score})
    if spec.route and spec.route in raw.columns:
        out["route"] = raw[spec.route].str.strip()
    out = out.dropna(subset=["year", "score"])
    dup = out.duplicated(["segment_id", "year"], keep=False)
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(dup.sum()):,} rows repeat a segment and year (sub-sections "
            "of one segment?); their scores are averaged", column=spec.segment_id,
            line_numbers=(out.index[dup] + 2).to_numpy(), values=out.loc[dup, "segment_id"],
            expected="one row per segment and year", code="duplicate_key"))
        extra = {"route": ("route", "first")} if "route" in out else {}
        out = out.groupby(["segment_id", "year"], as_index=False).agg(
            score=("score", "mean"), **extra)
    return out.reset_index(drop=True), problems


def timeline_matches(timeline: pd.DataFrame, segments: pd.DataFrame) -> tuple[int, int]:
    """(ids of the timeline found among the segments, ids in the timeline)."""
    ids = set(timeline["segment_id"].astype(str))
    return len(ids & set(segments["segment_id"].astype(str))), len(ids)


def segment_trend(timeline: pd.DataFrame, segment_id: str) -> pd.DataFrame:
    t = timeline[timeline["segment_id"].astype(str) == str(segment_id)]
    return t[["year", "score"]].sort_values("year").reset_index(drop=True)


def _weighted_pieces(timeline: pd.DataFrame, net: RoadNetwork) -> pd.DataFrame:
    seg_ids = net.segments["segment_id"].astype(str).to_numpy()
    p = net.pieces.assign(segment_id=seg_ids[net.pieces["_i"].to_numpy().astype(int)]
                          if len(net.pieces) else [])
    return p.merge(timeline.assign(segment_id=timeline["segment_id"].astype(str)),
                   on="segment_id", how="inner")


def area_trend(timeline: pd.DataFrame, net: RoadNetwork, scheme: ConditionScheme, *,
               region_id: str | None = None) -> pd.DataFrame:
    """Per survey year: length-weighted mean score and % of rated length good or better / poor,
    for one area (``region_id``) or the whole region (None)."""
    m = _weighted_pieces(timeline, net)
    if region_id is not None:
        m = m[m["region_id"] == str(region_id)]
    if m.empty:
        return pd.DataFrame(columns=["year", "mean_score", "good_share", "poor_share", "segments"])
    labels = np.array(scheme.label_of(scheme.classify(m["score"])), dtype=object)
    m = m.assign(w=m["length_m"], ws=m["length_m"] * m["score"],
                 good=np.where(np.isin(labels, scheme.good_or_better), m["length_m"], 0.0),
                 poor=np.where(np.isin(labels, scheme.poor), m["length_m"], 0.0),
                 rated=np.where(labels != NO_DATA, m["length_m"], 0.0))
    g = m.groupby("year").agg(w=("w", "sum"), ws=("ws", "sum"), good=("good", "sum"),
                              poor=("poor", "sum"), rated=("rated", "sum"),
                              segments=("segment_id", "nunique"))
    return pd.DataFrame({
        "year": g.index.astype(int), "mean_score": (g["ws"] / g["w"]).to_numpy(),
        "good_share": (g["good"] / g["rated"] * 100).to_numpy(),
        "poor_share": (g["poor"] / g["rated"] * 100).to_numpy(),
        "segments": g["segments"].to_numpy()}).reset_index(drop=True)


def change_between(timeline: pd.DataFrame, net: RoadNetwork, year_a: int, year_b: int
                   ) -> tuple[pd.Series, pd.Series]:
    """Score change from ``year_a`` to ``year_b``: per segment id (both years surveyed) and per
    area (length-weighted mean over the segments surveyed in both years)."""
    t = timeline.assign(segment_id=timeline["segment_id"].astype(str))
    a = t[t["year"] == year_a].set_index("segment_id")["score"]
    b = t[t["year"] == year_b].set_index("segment_id")["score"]
    both = a.index.intersection(b.index)
    per_seg = (b.loc[both] - a.loc[both]).rename("change")
    m = _weighted_pieces(t[t["segment_id"].isin(both)], net)
    m = m[m["year"].isin([year_a, year_b])]
    if m.empty:
        return per_seg, pd.Series(dtype=float, name="change")
    m = m.assign(ws=m["length_m"] * m["score"])
    g = m.groupby(["region_id", "year"]).agg(ws=("ws", "sum"), w=("length_m", "sum"))
    mean = (g["ws"] / g["w"]).unstack("year")
    per_area = (mean.get(year_b) - mean.get(year_a)).rename("change")
    return per_seg, per_area


# --------------------------------------------------------------------------- where to invest

def invest_ranking(table: pd.DataFrame, funding: pd.Series, population: pd.Series,
                   names: Mapping[str, str], *, per: str = "mile", unit: str = "mi") -> pd.DataFrame:
    """Areas with rated road length, ranked so the worst condition with the least money comes
    first.

    ``table`` comes from :func:`with_status`. ``per`` is ``"mile"`` (funding per mile of road in
    the area) or ``"resident"``. The priority is the mean of two percentile ranks (0–100): the
    share of poor miles (higher = worse) and the funding measure (lower = less money); ties are
    broken by the larger share of poor miles.
    """
    t = table[table["rated"].fillna(0) > 0].copy()
    ids = t.index.astype(str)
    t["name"] = [names.get(r, r) for r in ids]
    t["funding"] = funding.reindex(ids).fillna(0.0).to_numpy()
    t["population"] = population.reindex(ids).to_numpy()
    word = "mile" if unit == "mi" else "km"
    t[f"funding_per_{word}"] = t["funding"] / t["total"].where(t["total"] > 0)
    t["funding_per_resident"] = t["funding"] / t["population"].where(t["population"] > 0)
    money = t[f"funding_per_{word}"] if per == "mile" else t["funding_per_resident"]
    need = t["poor_share"].rank(pct=True, method="average") * 100          # worst → 100
    little = (1 - money.rank(pct=True, method="average")) * 100             # least money → high
    t["priority"] = ((need + little.fillna(50.0)) / 2).round(1)   # unknown money: neutral
    t = t.sort_values(["priority", "poor_share"], ascending=[False, False])
    t.insert(0, "rank", np.arange(1, len(t) + 1))
    cols = ["rank", "name", "total", "poor", "poor_share", "good_share", "status", "funding",
            f"funding_per_{word}", "funding_per_resident", "population", "priority"]
    out = t.reset_index()[[cols[0], cols[1], "region_id", *cols[2:]]]
    return out.rename(columns={"total": f"{UNIT_WORDS.get(unit, unit)}", "poor": f"poor_{UNIT_WORDS.get(unit, unit)}"})


# --------------------------------------------------------------------------- one recipe

@dataclass
class RoadCondition:
    """What the Roads page shows for one scheme and road class."""
    table: pd.DataFrame                         # by region_id: lengths, shares, status
    figure: RegionFigure
    targets: Targets
    road_class: str
    methodology: str
    notes: list[str] = field(default_factory=list)


def road_classes(cfg: RoadConfig, has_segments: bool) -> dict[str, str]:
    """id → label of the road classes a workspace can show."""
    out = {}
    if has_segments:
        out["segments"] = cfg.road_class
    if cfg.town_bins is not None:
        out["bins"] = cfg.town_bins.road_class
    if len(out) == 2:
        out["all"] = f"All ({_lower_first(cfg.road_class)} + {_lower_first(cfg.town_bins.road_class)})"
    return out


def methodology(cfg: RoadConfig, scheme: ConditionScheme, road_class: str) -> str:
    """The line printed with every map and export: scheme, classes and survey year."""
    parts = []
    if road_class in ("segments", "all"):
        yr = f", survey {cfg.survey_year}" if cfg.survey_year else ""
        parts.append(f"{cfg.road_class}: {scheme.describe()}{yr}")
    if road_class in ("bins", "all") and cfg.town_bins is not None:
        b = cfg.town_bins
        yr = f", survey {b.survey_year}" if b.survey_year else ""
        parts.append(f"{b.road_class}: {cfg.scheme_obj(b.scheme).describe()}{yr} (town bin table)")
    parts.append(f"lengths measured in metres in the local UTM zone; shares of rated "
                 f"{cfg.unit_word}")
    return "Methodology — " + "; ".join(parts) + "."


def road_condition(cfg: RoadConfig, net: RoadNetwork | None, bins: pd.DataFrame | None,
                   area_ids: list[str], scheme_id: str, road_class: str) -> RoadCondition:
    scheme = cfg.scheme_obj(scheme_id)
    parts, notes = [], []
    targets = cfg.targets
    label = cfg.road_class
    if road_class in ("segments", "all") and net is not None and not net.empty:
        parts.append(condition_by_area(net.pieces, net.segments, scheme, area_ids,
                                       unit=cfg.length_unit))
    if road_class in ("bins", "all") and cfg.town_bins is not None and bins is not None:
        b = cfg.town_bins
        parts.append(bins_by_area(bins, cfg.scheme_obj(b.scheme), area_ids,
                                  from_unit=b.length_unit, unit=cfg.length_unit))
        if road_class == "bins":
            targets, label = b.targets, b.road_class
    if road_class == "all":
        label = "road"
        notes.append("Each road class is classed with its own scheme; the shares add their "
                     "good-or-better and poor lengths.")
    if not parts:
        empty = pd.DataFrame(index=pd.Index(area_ids, name="region_id"),
                             columns=["total", "rated", "good_or_better", "poor", NO_DATA], dtype=float)
        parts = [empty]
    table = parts[0] if len(parts) == 1 else combine(*parts)
    table = with_status(table, targets)
    return RoadCondition(table=table, figure=region_figure(table, targets), targets=targets,
                         road_class=label, methodology=methodology(cfg, scheme, road_class),
                         notes=notes)


@dataclass
class RoadData:
    """Everything the Roads page reads for one workspace, loaded once."""
    config: RoadConfig
    network: RoadNetwork | None
    bins: pd.DataFrame | None
    timeline: pd.DataFrame | None
    problems: list[Problem]
    area_ids: list[str]
    names: dict[str, str]


def load_roads(ws: Workspace, areas: gpd.GeoDataFrame) -> RoadData | None:
    """Load segments, town bins and timeline named by a workspace; None when it has none."""
    cfg = road_config(ws)
    if cfg is None:
        return None
    problems = [Problem("error", "workspace.toml", p, code="roads_config") for p in cfg.problems]
    net = None
    if cfg.segments_table:
        net = load_network(ws, ws.table(cfg.segments_table), areas)
        problems += net.problems
        problems += score_problems(net.segments, cfg.scheme_obj(), net.file, net.score_column)
    bins = None
    if cfg.town_bins is not None:
        bins, bp = load_bins(ws, cfg.town_bins, areas)
        problems += bp
    timeline = None
    if cfg.timeline is not None:
        timeline, tp = load_timeline(ws, cfg.timeline)
        problems += tp
        if net is not None and not net.empty and len(timeline):
            found, n = timeline_matches(timeline, net.segments)
            if found < n:
                problems.append(Problem(
                    "warning", relative_name(ws, cfg.timeline.file),
                    f"{n - found:,} of {n:,} segment ids in the timeline match no segment; "
                    "their history is not placed in any area", code="unknown_key"))
    return RoadData(config=cfg, network=net, bins=bins, timeline=timeline, problems=problems,
                    area_ids=[str(r) for r in areas["region_id"]],
                    names=dict(zip(areas["region_id"].astype(str), areas["name"].astype(str))))


# --------------------------------------------------------------------------- town layers

ROAD_LAYERS = ("poor_share", "good_share", "status")


def road_layer_labels(cfg: RoadConfig) -> dict[str, str]:
    """Labels of the town layers made from road condition (the Roads page's picker)."""
    uw = cfg.unit_word
    return {"poor_share": f"Share of road {uw} in poor condition",
            "good_share": f"Share of road {uw} good or better",
            "status": "Target status (met / at risk / missed)"}


def road_layer_view(rc: RoadCondition, cfg: RoadConfig, layer_id: str, region_ids, *,
                    scheme: str = "quantiles", k: int = 5, palette: str = "Purples",
                    reverse: bool = False, breaks=None, selected: str | None = None):
    """A road-condition town layer (share poor, share good or better, target status) as a
    ChoroplethView: the one recipe the Roads page and its exports share."""
    from layers.choropleth import build_choropleth
    from layers.road_condition import STATUS_COLOURS, categorical_view
    from layers.road_condition import STATUS_ORDER as ORDER

    if layer_id == "status":
        return categorical_view(region_ids, rc.table["status"], ORDER, STATUS_COLOURS,
                                title=f"Target status, {rc.road_class.lower()} {cfg.unit_word}",
                                unit=rc.targets.text(), selected=selected)
    if layer_id not in ROAD_LAYERS:
        raise ValueError(f"{layer_id!r} is not a road-condition layer ({', '.join(ROAD_LAYERS)})")
    title = road_layer_labels(cfg)[layer_id] + f" ({rc.road_class.lower()})"
    return build_choropleth(region_ids, rc.table[layer_id], title=title, unit="%",
                            scheme=scheme, k=k, palette=palette, reverse=reverse, breaks=breaks,
                            subtitle="%", selected=selected)
