"""The survey-year timeline: each segment's score over the years, by area and region-wide,
and the change between two survey years (segments weighted by their length in the area)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from layers.road_condition import NO_DATA, ConditionScheme
from locales import N_

from ..load import parse_numbers, relative_name
from ..problems import Problem, Text, problem_for_rows
from ..workspace import Workspace
from .config import TimelineSpec
from .segments import RoadNetwork

def load_timeline(ws: Workspace, spec: TimelineSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """segment_id, year, score (and route) from a per-segment history table."""
    fname = relative_name(ws, spec.file)
    try:
        raw = pd.read_csv(spec.file, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001
        return pd.DataFrame(columns=["segment_id", "year", "score"]), [
            Problem("error", fname, Text(N_("cannot be read: {error}"), error=str(exc)), code="unreadable")]
    problems: list[Problem] = []
    missing = [c for c in (spec.segment_id, spec.year, spec.score) if c not in raw.columns]
    if missing:
        return pd.DataFrame(columns=["segment_id", "year", "score"]), [
            Problem("error", fname, Text(N_("column(s) not in the file: {columns}"),
                                         columns=", ".join(missing)), code="missing_column")]
    sid = raw[spec.segment_id].str.strip()
    if spec.strip_prefix:
        sid = sid.str.replace("^" + re.escape(spec.strip_prefix), "", regex=True)
    score, bad = parse_numbers(raw[spec.score])
    year = pd.to_numeric(raw[spec.year], errors="coerce").astype("Int64")
    if bad.any():
        problems.append(problem_for_rows("error", fname, Text(N_("{n} score(s) are not numbers; "
                                                                 "left out"),
                                                              n=f"{int(bad.sum()):,}"),
                                         column=spec.score,
                                         line_numbers=np.flatnonzero(bad.to_numpy()) + 2,
                                         values=raw.loc[bad, spec.score], code="bad_number"))
    out = pd.DataFrame({"segment_id": sid, "year": year, "score": score})
    if spec.route and spec.route in raw.columns:
        out["route"] = raw[spec.route].str.strip()
    out = out.dropna(subset=["year", "score"])
    dup = out.duplicated(["segment_id", "year"], keep=False)
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} rows repeat a segment and year (sub-sections of one "
                                      "segment?); their scores are averaged"),
                                   n=f"{int(dup.sum()):,}"),
            column=spec.segment_id, line_numbers=(out.index[dup] + 2).to_numpy(),
            values=out.loc[dup, "segment_id"], expected=Text(N_("one row per segment and year")),
            code="duplicate_key"))
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


