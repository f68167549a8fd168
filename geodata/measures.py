"""Measures: the number each region gets on the map, from ledger sums, population and indicators.

Pure functions over small frames. Missing is missing: a zero or absent population gives "No
data" (NaN), never infinity, and a change against nothing is NaN, not +100 %.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from locales import N_, t

#: The measures (message ids: shown through ``t``).
MEASURES = {
    "total": N_("Total amount"),
    "per_capita": N_("Amount per resident"),
    "share": N_("Share of the total"),
    "change": N_("Change against the previous period"),
    "indicator": N_("Outcome indicator"),
}


@dataclass(frozen=True)
class MeasureResult:
    """Values by region id (NaN = no data) with the unit and the notes the map must show."""
    values: pd.Series
    label: str
    unit: str
    diverging: bool = False
    centre: float | None = None
    notes: tuple[str, ...] = field(default=())


def years_in(span: tuple[int, int]) -> list[int]:
    lo, hi = span
    if lo > hi:
        raise ValueError(t("a span runs from its first to its last year; got {span}",
                           span=f"{lo}–{hi}"))
    return list(range(int(lo), int(hi) + 1))


def nearest_years(wanted: list[int], available: list[int]) -> dict[int, int]:
    """For each wanted year, the nearest available year (the earlier one on a tie)."""
    if not available:
        return {}
    avail = np.array(sorted(set(int(a) for a in available)))
    out = {}
    for y in wanted:
        d = np.abs(avail - y)
        out[int(y)] = int(avail[np.flatnonzero(d == d.min())[0]])
    return out


def vintage_note(mapping: dict[int, int], prefix: str = "") -> str | None:
    """"Population for 2022–2024 uses the 2021 estimate (nearest year available).", in the
    reader's language, or None when every year matched."""
    substituted: dict[int, list[int]] = {}
    for y, v in sorted(mapping.items()):
        if y != v:
            substituted.setdefault(v, []).append(y)
    if not substituted:
        return None
    parts = []
    for v, ys in substituted.items():
        runs, start = [], ys[0]
        for a, b in zip(ys, ys[1:] + [None]):
            if b != a + 1:
                runs.append(f"{prefix}{start}" if start == a else f"{prefix}{start}–{a}")
                start = b
        parts.append(t("{years} uses the {year} estimate", years=", ".join(runs), year=str(v)))
    return t("Population for {parts} (nearest year available).", parts=t("; ").join(parts))


def population_for(population: pd.DataFrame, years: list[int]) -> tuple[pd.DataFrame, str | None]:
    """Population per region and wanted year, from the nearest available year.

    ``population``: region_id, year, population. Returns region_id, year, population, vintage,
    and the note to print when a year used another year's figures.
    """
    if population is None or population.empty:
        return pd.DataFrame(columns=["region_id", "year", "population", "vintage"]), None
    mapping = nearest_years(years, population["year"].dropna().astype(int).unique().tolist())
    vint = pd.DataFrame({"year": list(mapping), "vintage": list(mapping.values())})
    pop = population[["region_id", "year", "population"]].rename(columns={"year": "vintage"})
    pop = pop.assign(vintage=pop["vintage"].astype(int))
    out = vint.merge(pop, on="vintage", how="left")
    pop_vals = pd.to_numeric(out["population"], errors="coerce")
    out["population"] = pop_vals.where(pop_vals > 0)
    return out[["region_id", "year", "population", "vintage"]], vintage_note(mapping)


def total(amounts: pd.DataFrame) -> pd.Series:
    """Sum per region of a region × year amounts frame (columns region_id, amount)."""
    if amounts.empty:
        return pd.Series(dtype="float64", name="value")
    return amounts.groupby("region_id")["amount"].sum().rename("value")


def per_capita(amounts_by_year: pd.DataFrame, population: pd.DataFrame, span: tuple[int, int],
               *, average: bool = False, per: int = 1) -> tuple[pd.Series, tuple[str, ...]]:
    """Amount per resident: each year's amount over that year's population, summed over the span.

    ``average`` divides by the number of years in the span. ``per`` scales (1,000 → per 1,000
    residents). A region with no population for any year it received money in is NaN.
    """
    years = years_in(span)
    pop, note = population_for(population, years)
    a = amounts_by_year.rename(columns={"fiscal_year": "year"})
    a = a[a["year"].isin(years)]
    m = a.merge(pop, on=["region_id", "year"], how="left")
    m["rate"] = m["amount"] / m["population"] * per
    per_region = m.groupby("region_id")["rate"].agg(lambda s: s.sum() if s.notna().all() else np.nan)
    # Regions with population but no allocation rows received nothing in this span.
    have_pop = pop.dropna(subset=["population"])["region_id"].unique()
    per_region = per_region.reindex(per_region.index.union(pd.Index(have_pop)))
    if average:
        per_region = per_region / len(years)
    notes = tuple(n for n in (note,) if n)
    return per_region.rename("value"), notes


def share(values: pd.Series, ledger_total: float) -> pd.Series:
    """Percent of the ledger total (including what could not be placed on the map)."""
    if not ledger_total:
        return values * np.nan
    return (values / ledger_total * 100.0).rename("value")


def change(current: pd.Series, previous: pd.Series) -> pd.Series:
    """Percent change against the previous period; NaN where the previous amount is 0 or absent."""
    idx = current.index.union(previous.index)
    cur = current.reindex(idx)
    prev = previous.reindex(idx)
    out = (cur.fillna(0) - prev) / prev.abs() * 100.0
    out[(prev == 0) | prev.isna()] = np.nan
    return out.rename("value")


def previous_span(span: tuple[int, int]) -> tuple[int, int]:
    lo, hi = span
    n = hi - lo + 1
    return lo - n, hi - n


def indicator_values(indicators: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    """One indicator in one year, by region (first row per region)."""
    sel = indicators[(indicators["indicator"] == indicator) & (indicators["year"] == year)]
    return sel.drop_duplicates("region_id").set_index("region_id")["value"].astype(float) \
        .rename("value")


def rank_desc(values: pd.Series) -> pd.Series:
    """1 = highest; regions without a value get no rank."""
    return values.rank(ascending=False, method="min").astype("Int64")


# ---------------------------------------------------------------------------- fair rates
def overall_rate(amounts_by_year: pd.DataFrame, population: pd.DataFrame, span: tuple[int, int],
                 *, average: bool = False, per: int = 1,
                 region_ids: list[str] | pd.Index | None = None) -> float:
    """The jurisdiction-wide rate: each year, all money over all residents, summed over the span.

    Only regions with a population that year count, on both sides of the division (money of a
    region without population is not spread over other people). ``region_ids`` restricts the
    jurisdiction (a state's counties). NaN when no year has any population.
    """
    years = years_in(span)
    pop, _ = population_for(population, years)
    pop = pop.dropna(subset=["population"])
    a = amounts_by_year.rename(columns={"fiscal_year": "year"})
    if region_ids is not None:
        keep = pd.Index([str(r) for r in region_ids])
        pop = pop[pop["region_id"].astype(str).isin(keep)]
        a = a[a["region_id"].astype(str).isin(keep)]
    a = a[a["year"].isin(years)].merge(pop[["region_id", "year"]], on=["region_id", "year"])
    money = a.groupby("year")["amount"].sum()
    people = pop.groupby("year")["population"].sum()
    people = people[people > 0]
    if people.empty:
        return float("nan")
    rate = float((money.reindex(people.index).fillna(0.0) / people).sum()) * per
    return rate / len(years) if average else rate


def small_population(population: pd.Series, threshold: float) -> pd.Series:
    """True where a region has people but fewer than ``threshold``: its rate is unstable.

    Zero or missing population is not "small", it is "No data" (False here).
    """
    p = pd.to_numeric(population, errors="coerce")
    return ((p > 0) & (p < float(threshold))).fillna(False).astype(bool)


def suggest_per(values: pd.Series) -> int:
    """1,000 when the typical rate is under one unit per resident, else 1."""
    v = pd.to_numeric(values, errors="coerce").abs()
    v = v[np.isfinite(v) & (v > 0)]
    if v.empty:
        return 1
    return 1000 if float(v.median()) < 1.0 else 1


def change_between(first: pd.Series, second: pd.Series) -> pd.DataFrame:
    """Change from ``first`` to ``second`` by region: ``amount`` (difference) and ``percent``.

    A region missing in either is NaN (no data), never counted as zero; the percent is NaN
    where the first value is 0.
    """
    idx = first.index.union(second.index)
    a, b = first.reindex(idx).astype(float), second.reindex(idx).astype(float)
    diff = b - a
    pct = diff / a.abs() * 100.0
    pct[(a == 0) | a.isna() | b.isna()] = np.nan
    return pd.DataFrame({"first": a, "second": b, "amount": diff, "percent": pct}, index=idx)


def movers(left: pd.Series, right: pd.Series) -> pd.DataFrame:
    """Regions ordered by how far they moved between two maps (rank first, then value).

    Columns: left, right, change, percent, rank_left, rank_right, rank_moved (positive = moved
    up the ranking). Regions without a value on either side come last.
    """
    ch = change_between(left, right)
    out = ch.rename(columns={"first": "left", "second": "right", "amount": "change"})
    out["rank_left"] = rank_desc(out["left"])
    out["rank_right"] = rank_desc(out["right"])
    out["rank_moved"] = (out["rank_left"] - out["rank_right"]).astype("Int64")
    key = out["rank_moved"].abs().astype("float64").fillna(-1) * 1e12 + \
        out["change"].abs().fillna(-1)
    return out.loc[key.sort_values(ascending=False, kind="stable").index]
