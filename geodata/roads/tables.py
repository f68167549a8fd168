"""The Roads page's tables as a reader sees them: labelled columns in the reader's language
(never ``good_share`` or ``funding_per_mile``), areas in the order a budget director reads
them (targets missed first), and the kind of every column so the screen and the CSV format it
the same way (lengths to one decimal, shares in %, money in whole units)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from layers.road_condition import NO_DATA, ConditionScheme
from locales import t

from .condition import RoadCondition
from .targets import STATUS_ORDER
from .text import STATUS_WORST_FIRST, status_label

#: Column kinds: how a column is formatted on screen and rounded in a CSV.
LENGTH, SHARE, MONEY, COUNT, SCORE, INDEX, CHANGE, RANK, TEXT, ID, YEAR = (
    "length", "share", "money", "count", "score", "index", "change", "rank", "text", "id", "year")


@dataclass(frozen=True)
class ReaderTable:
    """A table with labelled columns, and the kind of each column (:data:`LENGTH` …)."""
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)

    def columns_of(self, kind: str) -> list[str]:
        return [c for c, k in self.kinds.items() if k == kind]

    def shown(self) -> pd.DataFrame:
        """The frame without its id columns (the screen shows names; the CSV keeps ids)."""
        return self.frame.drop(columns=self.columns_of(ID))


def status_order(statuses: pd.Series) -> pd.Series:
    """Position of each status in reading order: missed, at risk, met, no data, no target."""
    pos = {s: i for i, s in enumerate(STATUS_WORST_FIRST)}
    return statuses.map(lambda s: pos.get(s, len(pos)))


def status_counts(rc: RoadCondition) -> dict[str, int]:
    """Areas with road length per status, worst first (what the targets table lists)."""
    tb = rc.table[rc.table["total"].fillna(0) > 0]
    counts = tb["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS_WORST_FIRST
            if s in STATUS_ORDER or counts.get(s, 0)}


def targets_table(rc: RoadCondition, names: Mapping[str, str], scheme: ConditionScheme,
                  road_class: str, *, level_label: str, unit_word: str) -> ReaderTable:
    """Every area with road length, targets missed first (then at risk, met), the worst poor
    share first within each status."""
    tb = rc.table[rc.table["total"].fillna(0) > 0].copy()
    tb = tb.assign(_order=status_order(tb["status"]).to_numpy())
    tb = tb.sort_values(["_order", "poor_share"], ascending=[True, False])
    ids = tb.index.astype(str)
    cols: dict[str, tuple[pd.Series | list, str]] = {
        level_label: ([names.get(r, r) for r in ids], TEXT),
        t("Target status"): ([status_label(s) for s in tb["status"]], TEXT),
        t("Road {unit}", unit=unit_word): (tb["total"], LENGTH),
        t("Rated {unit}", unit=unit_word): (tb["rated"], LENGTH),
    }
    if road_class == "segments":
        for lab in scheme.labels:
            if lab in tb:
                cols[t("{label} ({unit})", label=t(lab), unit=unit_word)] = (tb[lab], LENGTH)
    else:
        cols[t("Good or better ({unit})", unit=unit_word)] = (tb["good_or_better"], LENGTH)
        cols[t("Poor ({unit})", unit=unit_word)] = (tb["poor"], LENGTH)
    if NO_DATA in tb:
        cols[t("No data ({unit})", unit=unit_word)] = (tb[NO_DATA], LENGTH)
    cols[t("Good or better (%)")] = (tb["good_share"], SHARE)
    cols[t("Poor (%)")] = (tb["poor_share"], SHARE)
    cols[t("{level} id", level=level_label)] = (list(ids), ID)
    return _table(cols)


def invest_table(inv: pd.DataFrame, *, level_label: str, unit: str, unit_word: str,
                 currency: str) -> ReaderTable:
    """The where-to-invest ranking (:func:`geodata.roads.invest_ranking`) for readers."""
    per_len = "funding_per_mile" if unit == "mi" else "funding_per_km"
    per_len_label = t("Funding per mile ({currency})", currency=currency) if unit == "mi" \
        else t("Funding per km ({currency})", currency=currency)
    cols = {
        t("Rank"): (inv["rank"], RANK),
        level_label: (inv["name"], TEXT),
        t("Priority (0–100)"): (inv["priority"], INDEX),
        t("Road {unit}", unit=unit_word): (inv["total"], LENGTH),
        t("Poor {unit}", unit=unit_word): (inv["poor"], LENGTH),
        t("Poor (%)"): (inv["poor_share"], SHARE),
        t("Good or better (%)"): (inv["good_share"], SHARE),
        t("Target status"): ([status_label(s) for s in inv["status"]], TEXT),
        t("Funding programmed ({currency})", currency=currency): (inv["funding"], MONEY),
        per_len_label: (inv[per_len], MONEY),
        t("Funding per resident ({currency})", currency=currency):
            (inv["funding_per_resident"], MONEY),
        t("Population"): (inv["population"], COUNT),
        t("{level} id", level=level_label): (inv["region_id"], ID),
    }
    return _table(cols)


def trend_table(tr: pd.DataFrame, score_label: str) -> ReaderTable:
    """Per survey year: length-weighted mean score, shares good or better and poor."""
    return _table({
        t("Survey year"): (tr["year"], YEAR),
        t("Mean {score}", score=score_label): (tr["mean_score"], SCORE),
        t("Good or better (%)"): (tr["good_share"], SHARE),
        t("Poor (%)"): (tr["poor_share"], SHARE),
        t("Segments surveyed"): (tr["segments"], COUNT),
    })


def change_table(per_seg: pd.Series, score_label: str, year_a: int, year_b: int) -> ReaderTable:
    """Score change of each segment surveyed in both years, the largest fall first."""
    s = per_seg.sort_values(kind="stable")
    return _table({
        t("Segment"): (list(s.index.astype(str)), TEXT),
        t("Change in {score}, {a} to {b}", score=score_label, a=str(year_a), b=str(year_b)):
            (s.to_numpy(), CHANGE),
    })


def outside_table(outside: pd.DataFrame, routes, metres_per_unit: float, *, area: str,
                  unit_word: str) -> ReaderTable:
    """Segments lying partly or wholly outside every area, with the length not counted."""
    return _table({
        t("Segment"): (outside["segment_id"].astype(str), TEXT),
        t("Route"): ([r or "—" for r in routes], TEXT),
        t("Outside every {area} ({unit})", area=area, unit=unit_word):
            (outside["outside_m"] / metres_per_unit, LENGTH),
        t("Segment length ({unit})", unit=unit_word):
            (outside["length_m"] / metres_per_unit, LENGTH),
    })


def _table(cols: dict[str, tuple]) -> ReaderTable:
    frame = pd.DataFrame({label: np.asarray(values.to_numpy() if hasattr(values, "to_numpy")
                                            else values, dtype=object if kind in (TEXT, ID)
                                            else None)
                          for label, (values, kind) in cols.items()})
    return ReaderTable(frame=frame, kinds={label: kind for label, (_, kind) in cols.items()})
