"""The Per capita page's figures and tables, worded for the reader (no Streamlit here).

Where a drill-down goes (the same funding table one level down, or nowhere), the labels of
fiscal years and spans, and the three tables the page shows and lets the reader download:
the ranking over a span, the change between two years and the regions that moved most
between two maps. Each table comes with its columns labelled in the reader's language and
with the kind of number in each column, so the page can format money, percents and counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from locales import t

from . import measures as M
from .dataset import WorkspaceData


# ------------------------------------------------------------------ years
def year_text(fy_label: str, year: int) -> str:
    """A fiscal year as shown: "FY2024" (in Chinese "2024财年" when the label is "FY"); a
    workspace's own label is kept as given ("Budget year 2024")."""
    if fy_label == "FY":
        return t("FY{year}", year=int(year))
    return f"{fy_label}{int(year)}"


def span_text(fy_label: str, span: tuple[int, int]) -> str:
    """"FY2019" or "FY2019–FY2024"."""
    a, b = int(span[0]), int(span[1])
    if a == b:
        return year_text(fy_label, a)
    return t("{first}–{last}", first=year_text(fy_label, a), last=year_text(fy_label, b))


def rate_text(per: int) -> str:
    return t("per resident") if per == 1 else t("per {n} residents", n=f"{per:,}")


# ------------------------------------------------------------------ drill-down
def per_capita_levels(data: WorkspaceData) -> list[str]:
    """Levels with both a population and a funding table: the levels this page can map."""
    return [lv.id for lv in data.ws.levels
            if not data.population(lv.id).empty and data.allocation_tables(lv.id)]


def drill_level(data: WorkspaceData, level: str, table: str) -> str | None:
    """The level below ``level`` that has figures of the same funding ``table`` (and a
    population), so a drill-down keeps the dataset; None when there is none."""
    levels = per_capita_levels(data)
    for child in data.ws.child_levels(level):
        if child.id in levels and table in {s.id for s in data.allocation_tables(child.id)}:
            return child.id
    return None


def child_level(data: WorkspaceData, level: str) -> str | None:
    """A level below ``level`` this page can map with some table (to say what a drill-down
    would need when the current table has no figures there)."""
    levels = per_capita_levels(data)
    return next((c.id for c in data.ws.child_levels(level) if c.id in levels), None)


def tables_below(data: WorkspaceData, level: str) -> list[str]:
    """The funding tables offered both at ``level`` and at the level below it."""
    child = child_level(data, level)
    if child is None:
        return []
    here = [s.id for s in data.allocation_tables(level)]
    below = {s.id for s in data.allocation_tables(child)}
    return [tid for tid in here if tid in below]


def regions_in(data: WorkspaceData, level: str, parent: str) -> list[str]:
    """Region ids of ``level`` inside region ``parent`` of the level above ("" = all)."""
    b = data.boundaries(level)
    if parent:
        b = b[b["parent_id"].astype("string") == parent]
    return b["region_id"].astype(str).tolist()


# ------------------------------------------------------------------ tables
@dataclass(frozen=True)
class LabelledTable:
    """A table as shown: labelled columns, the region id kept for downloads (``id_column``)
    and the kind of number in each column."""
    frame: pd.DataFrame
    id_column: str
    money: tuple[str, ...] = ()
    percent: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    flags: tuple[str, ...] = field(default=())

    @property
    def shown(self) -> list[str]:
        return [c for c in self.frame.columns if c != self.id_column]


def ranking_table(ids: list[str], names: dict[str, str], *, name_label: str,
                  span_values: pd.Series, span_label: str, overall: float,
                  first: pd.Series, last: pd.Series, first_label: str, last_label: str,
                  population: pd.Series, small: pd.Series | None,
                  small_label: str) -> LabelledTable:
    """Regions ranked by their rate over the span (highest first), with the difference from
    the overall rate, the first and last years' rates and the change between them."""
    span_values = span_values.reindex(ids)
    rank_col, vs_col = t("Rank"), t("Against the overall rate")
    change_col, pop_col, id_col = t("Change (%)"), t("Population"), t("Code")
    cols = {
        name_label: [names.get(r, r) for r in ids],
        rank_col: span_values.rank(ascending=False, method="min").astype("Int64").array,
        span_label: span_values.to_numpy(),
        vs_col: (span_values - overall).to_numpy(),
    }
    one_year = first_label == last_label
    if not one_year:
        cols[first_label] = first.reindex(ids).to_numpy()
        cols[last_label] = last.reindex(ids).to_numpy()
        cols[change_col] = M.change_between(first.reindex(ids), last.reindex(ids))["percent"] \
            .reindex(ids).to_numpy()
    cols[pop_col] = pd.to_numeric(population.reindex(ids), errors="coerce").to_numpy()
    if small is not None:
        cols[small_label] = small.reindex(ids).fillna(False).astype(bool).to_numpy()
    cols[id_col] = ids
    frame = pd.DataFrame(cols)
    frame = frame.sort_values([rank_col, name_label], na_position="last", kind="stable")
    money = (span_label, vs_col) + (() if one_year else (first_label, last_label))
    return LabelledTable(frame.reset_index(drop=True), id_col, money=money,
                         percent=() if one_year else (change_col,),
                         counts=(rank_col, pop_col),
                         flags=(small_label,) if small is not None else ())


def change_table(ids: list[str], names: dict[str, str], *, name_label: str,
                 first: pd.Series, second: pd.Series, first_label: str, second_label: str,
                 by: str = "amount") -> LabelledTable:
    """Each region's rate in two years and the change, largest rise first (``by`` "amount" or
    "percent"); regions without a rate in either year last."""
    ch = M.change_between(first.reindex(ids), second.reindex(ids)).reindex(ids)
    amount_col, pct_col, id_col = t("Change"), t("Change (%)"), t("Code")
    frame = pd.DataFrame({
        name_label: [names.get(r, r) for r in ids],
        first_label: ch["first"].to_numpy(), second_label: ch["second"].to_numpy(),
        amount_col: ch["amount"].to_numpy(), pct_col: ch["percent"].to_numpy(),
        id_col: ids,
    })
    frame = frame.sort_values(amount_col if by == "amount" else pct_col, ascending=False,
                              na_position="last", kind="stable")
    return LabelledTable(frame.reset_index(drop=True), id_col,
                         money=(first_label, second_label, amount_col), percent=(pct_col,))


def movers_table(ids: list[str], names: dict[str, str], *, name_label: str,
                 left: pd.Series, right: pd.Series, left_label: str,
                 right_label: str) -> LabelledTable:
    """Regions ordered by how many places they moved in the ranking from the left map to the
    right one, then by the change in their rate."""
    mv = M.movers(left.reindex(ids), right.reindex(ids))
    places, change_col = t("Places moved up"), t("Change")
    pct_col, id_col = t("Change (%)"), t("Code")
    rank_l = t("Rank, {side}", side=left_label)
    rank_r = t("Rank, {side}", side=right_label)
    frame = pd.DataFrame({
        name_label: [names.get(r, r) for r in mv.index],
        places: mv["rank_moved"].array,
        left_label: mv["left"].to_numpy(), right_label: mv["right"].to_numpy(),
        change_col: mv["change"].to_numpy(), pct_col: mv["percent"].to_numpy(),
        rank_l: mv["rank_left"].astype("Int64").array,
        rank_r: mv["rank_right"].astype("Int64").array,
        id_col: [str(r) for r in mv.index],
    })
    return LabelledTable(frame, id_col, money=(left_label, right_label, change_col),
                         percent=(pct_col,), counts=(places, rank_l, rank_r))


def tell_apart(left: str, right: str) -> tuple[str, str]:
    """Two column labels that read the same get "(left)" and "(right)"."""
    if left != right:
        return left, right
    return t("{label} (left)", label=left), t("{label} (right)", label=right)
