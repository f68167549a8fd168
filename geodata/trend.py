"""Money against results over time: which years to pair, the yearly series, the change per dollar.

Pure functions for the Money and results page. Money per resident comes from
:func:`geodata.dataset.map_values` (measure ``per_capita``, one fiscal year at a time), and the
outcome from the same function (measure ``indicator``), so every number here is the number the
map shows for that year: one number everywhere.

Fiscal year N is paired with calendar year N of the outcome (FY2024 = October 2023 to September
2024 for the US federal year; the outcome years are calendar years).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from locales import N_, t

from . import measures as M
from .dataset import MapValues, MeasureSpec, WorkspaceData, map_values

#: Shown under the change per dollar (translate where shown: ``t(CAVEAT)``).
CAVEAT = N_("This is not a causal estimate. It divides the change in the outcome by the change "
            "in money per resident between the two periods; both move with the economy, "
            "prices, population and policy, and money often follows need (more aid where "
            "unemployment is high), so the ratio does not say what the money did.")
#: An outcome's direction in words (translate where shown).
DIRECTIONS = {"higher_is_better": N_("higher is better"), "lower_is_better": N_("lower is better")}

ValuesFn = Callable[[MeasureSpec], MapValues]


# ----------------------------------------------------------------------------- pairing years
@dataclass(frozen=True)
class Pairing:
    """The money years that go with an outcome year."""
    indicator_year: int
    fiscal_year: int | None          # None: the table has no fiscal year at all
    note: str | None = None          # said on the page when the years differ

    @property
    def span(self) -> tuple[int, int] | None:
        return None if self.fiscal_year is None else (self.fiscal_year, self.fiscal_year)

    @property
    def exact(self) -> bool:
        return self.fiscal_year == self.indicator_year


def pair_year(indicator_year: int, fiscal_years: list[int], fy_label: str = "FY") -> Pairing:
    """The fiscal year of the same number as the outcome year, or the nearest one with money
    (the earlier on a tie), with a sentence saying so."""
    y = int(indicator_year)
    if not fiscal_years:
        return Pairing(y, None, t("There is no money in any fiscal year to pair with {year}.",
                                  year=str(y)))
    fy = M.nearest_years([y], fiscal_years)[y]
    note = None if fy == y else t(
        "There is no {fy} money: the {year} outcome is paired with {paired}, the nearest "
        "fiscal year with money.", fy=f"{fy_label}{y}", year=str(y), paired=f"{fy_label}{fy}")
    return Pairing(y, fy, note)


@dataclass(frozen=True)
class Follow:
    """What the page does on a run: the outcome year to show, the money years to set (None:
    leave them as they are), and the key to remember for the next run."""
    year: int
    money_years: tuple[int, int] | None
    key: tuple
    pairing: Pairing


def follow_outcome(previous: tuple | None, level: str, table: str, indicator: str, year: int,
                   indicator_years: list[int], fiscal_years: list[int], *,
                   link_has_money_years: bool = False, fy_label: str = "FY") -> Follow:
    """Money years follow the outcome: set to the outcome's year (or the nearest fiscal year)
    whenever the level, table, outcome or its year differ from ``previous`` (the key of the
    last run). On the first run (``previous`` None) a link's own money years are kept. When the
    level, table or outcome changed and the year carried over has no money of its own, the
    year becomes the latest one that has (a year the user picks stays, with a note)."""
    year = int(year)
    if previous is not None and tuple(previous[:3]) != (level, table, indicator) \
            and year not in fiscal_years:
        year = default_indicator_year(indicator_years, fiscal_years)
    pairing = pair_year(year, fiscal_years, fy_label)
    key = (level, table, indicator, year)
    money_years = None
    if tuple(previous or ()) != key and not (previous is None and link_has_money_years):
        money_years = pairing.span
    return Follow(year=year, money_years=money_years, key=key, pairing=pairing)


def default_indicator_year(indicator_years: list[int], fiscal_years: list[int]) -> int:
    """The latest outcome year that has money of the same year; else the latest outcome year."""
    common = sorted(set(int(y) for y in indicator_years) & set(int(y) for y in fiscal_years))
    return common[-1] if common else int(max(indicator_years))


def default_indicator(catalogue: dict[str, dict], fiscal_years: list[int]) -> str:
    """The indicator with the most years in common with the money (the first by name on a tie)."""
    fys = set(int(y) for y in fiscal_years)
    overlap = {name: len(fys & set(int(y) for y in info["years"]))
               for name, info in catalogue.items()}
    best = max(overlap.values())
    return next(name for name in sorted(catalogue) if overlap[name] == best)


def span_note(span: tuple[int, int], indicator_year: int, fy_label: str = "FY") -> str | None:
    """A sentence when the money years are not the outcome's year (the user moved them)."""
    lo, hi = span
    if lo == hi == indicator_year:
        return None
    years = f"{fy_label}{lo}" if lo == hi else f"{fy_label}{lo}–{fy_label}{hi}"
    return t("Money of {years} is compared with the {year} outcome: not the same year. Pick "
             "{fy} alone to compare the same year.", years=years, year=str(indicator_year),
             fy=f"{fy_label}{indicator_year}")


# ----------------------------------------------------------------------------- yearly series
@dataclass(frozen=True)
class Trend:
    """Money per resident and the outcome, year by year, for the whole map or one region."""
    frame: pd.DataFrame               # year, money, outcome, population
    region_id: str | None             # None = the whole map
    money_unit: str                   # "USD per resident"
    outcome_unit: str
    indicator: str
    notes: tuple[str, ...]


def _years_of_money(data: WorkspaceData, spec: MeasureSpec) -> list[int]:
    lo, hi = data.years(spec.table)
    return list(range(int(lo), int(hi) + 1))


def money_outcome_trend(data: WorkspaceData, money: MeasureSpec, indicator: str,
                        region_id: str | None = None, *,
                        values: ValuesFn | None = None) -> Trend:
    """For each fiscal year of the money table: money per resident of that year alone and the
    outcome of the same calendar year.

    ``region_id`` None gives the whole map: money is the jurisdiction-wide rate (all money over
    all residents, as the map's "Overall rate"), the outcome the population-weighted mean of the
    regions' values that year (not an official national figure). ``values`` is the function
    giving a view's values (default :func:`map_values`; the page passes its cached one).
    """
    get = values or (lambda s: map_values(data, s))
    if money.table is None:
        raise ValueError("money over time needs an allocations table")
    cat = data.indicator_catalogue(money.level)
    if indicator not in cat:
        raise ValueError(f"no indicator {indicator!r} at level {money.level!r}")
    ind_years = set(cat[indicator]["years"])
    rows, unit = [], ""
    for y in _years_of_money(data, money):
        mv = get(replace(money, measure="per_capita", span=(y, y), average=False, per=1))
        unit = mv.unit
        if region_id is None:
            m = mv.overall if mv.overall is not None else np.nan
        else:
            m = mv.values.get(region_id, np.nan)
        out, pop = np.nan, np.nan
        if y in ind_years:
            iv = get(MeasureSpec(level=money.level, measure="indicator", indicator=indicator,
                                 indicator_year=y))
            if region_id is None:
                both = pd.DataFrame({"v": iv.values, "p": iv.population}).dropna()
                both = both[both["p"] > 0]
                if len(both):
                    out = float(np.average(both["v"], weights=both["p"]))
                    pop = float(both["p"].sum())
            else:
                out = iv.values.get(region_id, np.nan)
                pop = iv.population.get(region_id, np.nan)
        rows.append({"year": y, "money": float(m) if pd.notna(m) else np.nan,
                     "outcome": float(out) if pd.notna(out) else np.nan,
                     "population": float(pop) if pd.notna(pop) else np.nan})
    frame = pd.DataFrame(rows, columns=["year", "money", "outcome", "population"])
    notes = []
    if region_id is None:
        notes.append(t("Whole map: money per resident is all money placed on the map over all "
                       "residents of the areas with a population that year; the outcome is the "
                       "population-weighted mean of the areas' values (not an official national "
                       "figure)."))
    missing = frame.loc[frame["outcome"].isna(), "year"].tolist()
    if missing:
        notes.append(t("No value of {indicator} for {years}.", indicator=indicator,
                       years=_years_text(missing)))
    return Trend(frame=frame, region_id=region_id, money_unit=unit,
                 outcome_unit=str(cat[indicator].get("unit", "")), indicator=indicator,
                 notes=tuple(notes))


def _years_text(years: list[int]) -> str:
    runs, start = [], None
    ys = sorted(int(y) for y in years)
    for a, b in zip(ys, ys[1:] + [None]):
        start = a if start is None else start
        if b != a + 1:
            runs.append(f"{start}" if start == a else f"{start}–{a}")
            start = None
    return ", ".join(runs)


def paired_years(frame: pd.DataFrame) -> list[int]:
    """Years with both money per resident and an outcome value."""
    ok = frame["money"].notna() & frame["outcome"].notna()
    return [int(y) for y in frame.loc[ok, "year"]]


def default_periods(years: list[int], length: int = 3) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first and the last ``length`` paired years (shorter when there are few)."""
    ys = sorted(years)
    if len(ys) < 2:
        return None
    n = max(1, min(length, len(ys) // 2))
    return (ys[0], ys[n - 1]), (ys[-n], ys[-1])


# ----------------------------------------------------------------------------- change per dollar
@dataclass(frozen=True)
class ChangePerDollar:
    first: tuple[int, int]
    second: tuple[int, int]
    years_first: tuple[int, ...]      # paired years used in each period
    years_second: tuple[int, ...]
    money_first: float                # mean yearly money per resident over the period
    money_second: float
    outcome_first: float              # mean outcome over the period
    outcome_second: float

    @property
    def money_change(self) -> float:
        return self.money_second - self.money_first

    @property
    def outcome_change(self) -> float:
        return self.outcome_second - self.outcome_first

    @property
    def per_dollar(self) -> float:
        """Change in the outcome per dollar of change in yearly money per resident (NaN when
        the money did not change)."""
        d = self.money_change
        if not np.isfinite(d) or d == 0 or not np.isfinite(self.outcome_change):
            return float("nan")
        return self.outcome_change / d


def change_per_dollar(frame: pd.DataFrame, first: tuple[int, int],
                      second: tuple[int, int]) -> ChangePerDollar:
    """Means of money per resident and of the outcome over the paired years of each period
    (years with both), and the change between the periods."""
    def period(span):
        lo, hi = sorted(span)
        sel = frame[(frame["year"] >= lo) & (frame["year"] <= hi)]
        sel = sel[sel["money"].notna() & sel["outcome"].notna()]
        if sel.empty:
            return (), float("nan"), float("nan")
        return (tuple(int(y) for y in sel["year"]), float(sel["money"].mean()),
                float(sel["outcome"].mean()))
    y1, m1, o1 = period(first)
    y2, m2, o2 = period(second)
    return ChangePerDollar(first=tuple(sorted(first)), second=tuple(sorted(second)),
                           years_first=y1, years_second=y2, money_first=m1, money_second=m2,
                           outcome_first=o1, outcome_second=o2)


def per_dollar_scale(result: ChangePerDollar) -> int:
    """1, 1,000 or 1,000,000: the dollars of yearly money per resident the change is shown per,
    so the figure has a digit before the decimal point where possible."""
    v = abs(result.per_dollar)
    if not np.isfinite(v) or v == 0:
        return 1
    for scale in (1, 1_000, 1_000_000):
        if v * scale >= 0.01:
            return scale
    return 1_000_000


def change_text(value: float, unit: str) -> str:
    """A signed change in an outcome's unit: "−0.69 percentage points", "+$1,234", "+2.5 km"."""
    from layers.classify import format_number

    if not np.isfinite(value):
        from layers.numbers import no_data
        return no_data()
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if unit.strip() == "%":
        return t("{change} percentage points", change=f"{sign}{abs(value):,.2f}")
    return sign + format_number(abs(value), unit)


# ----------------------------------------------------------------------------- tables
def divergence_table(money: pd.Series, outcome: pd.Series, names: dict[str, str]) -> pd.DataFrame:
    """The regions with both values: region_id, name, money, outcome, and the rank of each
    (1 = most money, 1 = highest outcome value), most money first."""
    both = pd.DataFrame({"money": money, "outcome": outcome}).dropna()
    both.index = both.index.astype(str)
    out = pd.DataFrame({
        "region_id": both.index,
        "name": [names.get(r, r) for r in both.index],
        "money": both["money"].to_numpy(dtype=float),
        "outcome": both["outcome"].to_numpy(dtype=float),
        "money_rank": both["money"].rank(ascending=False, method="min").to_numpy(),
        "outcome_rank": both["outcome"].rank(ascending=False, method="min").to_numpy(),
    })
    out[["money_rank", "outcome_rank"]] = out[["money_rank", "outcome_rank"]].astype("int64")
    return out.sort_values(["money", "name"], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


def rank_correlation(table: pd.DataFrame) -> float:
    """Spearman's rank correlation of money and outcome over the rows of
    :func:`divergence_table` (NaN below three rows)."""
    if len(table) < 3:
        return float("nan")
    return float(table["money"].corr(table["outcome"], method="spearman"))


def span_text(span: tuple[int, int]) -> str:
    """"2010" or "2008–2010"."""
    return f"{span[0]}" if span[0] == span[1] else f"{span[0]}–{span[1]}"


def period_rows(res: ChangePerDollar, money_unit: str, indicator: str,
                outcome_unit: str) -> list[dict[str, str]]:
    """The two rows (money, outcome) of the table of the two periods, every figure written
    in its unit: what, first, second, change."""
    from layers.classify import format_number

    def signed(v: float, unit: str) -> str:
        return change_text(v, unit)

    def value(v: float, unit: str) -> str:
        return format_number(v, unit) if unit.strip() != "%" or not np.isfinite(v) \
            else f"{v:,.2f}%"

    return [
        {"what": t("Money per resident per year, mean"),
         "first": value(res.money_first, money_unit), "second": value(res.money_second, money_unit),
         "change": signed(res.money_change, money_unit)},
        {"what": t("{indicator}, mean", indicator=indicator),
         "first": value(res.outcome_first, outcome_unit),
         "second": value(res.outcome_second, outcome_unit),
         "change": signed(res.outcome_change, outcome_unit)},
    ]
