"""Pace of spending within a fiscal year: expected shares, gaps and traffic-light statuses.

Pure functions: frames in, frames out (no Streamlit, no files). The input is a *cube* of
amounts: one row per group (``region_id``, optionally a breakdown such as ``agency``), fiscal
year and period, with columns ``fiscal_year``, ``period`` and ``amount``. A period is the
quarter of the fiscal year (1-4; quarter 1 holds the fiscal year's first three months) or
its month (1-12; month 1 is the fiscal year's first month). A row without a period counts in
the year's total only.

The rules (the page and the command line state them in these words)
--------------------------------------------------------------------
For a fiscal year Y, period p (the view: "FY2019 Q2") and a group:

* **Spent to date** S = the amounts of periods 1..p of Y. A period in 1..p with no row at all
  is *missing*: the group is "no data", never counted as zero.
* **Expected full year** B (the denominator): the year's plan (all of Y in the plan table)
  when there is a plan table; otherwise the *typical year*: the mean total of the group's
  complete history years (below).
* **Share of the year spent** A = S ÷ B.
* **Expected share** E, by rule:

  - ``profile``: the group's own spending profile, the mean over its history years y of
    (spent by the end of period p of y ÷ y's total);
  - ``elapsed``: time elapsed (序时进度), days from the start of Y to the end of period p ÷
    days in Y (FY2019 Q2 of an October year: 182 ÷ 365; FY2020 Q2: 183 ÷ 366);
  - ``plan``: the plan to date, planned for periods 1..p of Y ÷ planned for all of Y.

* **Expected to date** = E × B; **gap** = (A − E) × 100, in percentage points.
* **History years**: the up to N fiscal years before Y (``profile_years``, default 5) in which
  the group has a row in every period and a positive total. A year with a missing period or
  a total of zero or less is left out. A group with no such year has "no history".
* **Status**: gap ≤ −red → ``red``; −red < gap ≤ −yellow → ``yellow``; gap ≥ ahead →
  ``ahead`` (suspiciously fast); otherwise ``green``. A *floor* (``{3: 60}``: at least 60 %
  of the expected full year by the end of quarter 3) makes a group below it ``red`` from
  that quarter on. ``no data`` (with the reason): a missing period, no history where the
  rule needs it, no plan, a plan of zero ("no plan", never an infinite rate) or a negative
  plan.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from locales import N_, t

RULES = ("profile", "elapsed", "plan")
#: The rules, the statuses and the months in words: message ids, shown with ``locales.t``.
RULE_LABELS = {"profile": N_("Own spending profile"), "elapsed": N_("Time elapsed"),
               "plan": N_("Plan to date")}
RULE_TEXT = {
    "profile": N_("its own spending profile (the mean share spent by this point in its "
                  "history years)"),
    "elapsed": N_("time elapsed (days elapsed ÷ days in the fiscal year)"),
    "plan": N_("the plan to date (planned for the periods so far ÷ planned for the year)"),
}
#: Statuses, in the order the ranked list and the legend show them.
STATUSES = ("red", "yellow", "ahead", "green", "no data")
STATUS_LABELS = {"red": N_("Far behind"), "yellow": N_("Behind"), "green": N_("On pace"),
                 "ahead": N_("Ahead"), "no data": N_("No data")}
MONTH_ABBR = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"),
              N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"))
#: The columns of :func:`pace`'s result after the group keys.
COLUMNS = ("spent_to_date", "expected_to_date", "year_base", "share_spent", "expected_share",
           "gap_pts", "status", "reason", "history_years", "floor_pct", "plan_to_date",
           "execution_pct")


@dataclass(frozen=True)
class Thresholds:
    """Percentage points behind (``yellow``, ``red``) and ahead (``ahead``) of the expected
    share. ``yellow`` must be smaller than ``red``: the bands may not overlap."""
    yellow: float = 5.0
    red: float = 10.0
    ahead: float = 15.0

    def __post_init__(self) -> None:
        bad = threshold_problems(self.yellow, self.red, self.ahead)
        if bad:
            raise ValueError("; ".join(bad))


def threshold_problems(yellow, red, ahead) -> list[str]:
    """What is wrong with a set of thresholds (empty when they can be used)."""
    out = []
    for name, v in (("yellow", yellow), ("red", red), ("ahead", ahead)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 100:
            out.append(t("'{name}' must be a number of percentage points above 0 and at most "
                         "100, got {value}", name=name, value=repr(v)))
    if not out and yellow >= red:
        out.append(t("'yellow' ({yellow}) must be smaller than 'red' ({red}): a group {yellow} "
                     "points behind is yellow, {red} points behind red, so the bands would "
                     "overlap", yellow=f"{yellow:g}", red=f"{red:g}"))
    return out


# ---------------------------------------------------------------- calendar of a fiscal year

def fiscal_year_start(year: int, start_month: int = 1) -> date:
    """First day of fiscal year ``year``: 1 January of it when the year starts in January,
    else the first of ``start_month`` of the calendar year before (FY2019 from October =
    1 October 2018)."""
    return date(year, 1, 1) if start_month == 1 else date(year - 1, start_month, 1)


def _add_months(d: date, months: int) -> date:
    n = d.year * 12 + d.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def elapsed_days(year: int, period: int, *, start_month: int = 1,
                 per_year: int = 4) -> tuple[int, int]:
    """(days from the start of fiscal ``year`` to the end of ``period``, days in the year).

    >>> elapsed_days(2019, 2, start_month=10)      # Oct 2018 - Mar 2019 of Oct 2018 - Sep 2019
    (182, 365)
    >>> elapsed_days(2020, 2, start_month=10)      # 29 February 2020 falls in FY2020 Q2
    (183, 366)
    """
    _check_period(period, per_year)
    start = fiscal_year_start(year, start_month)
    end = _add_months(start, period * (12 // per_year))
    return (end - start).days, (_add_months(start, 12) - start).days


def fiscal_month(month, start_month: int = 1):
    """Calendar month (1 = January) → month of the fiscal year (1 = its first month);
    works on numbers and on integer Series (missing stays missing)."""
    return (month - start_month) % 12 + 1


def quarter_of_month(fiscal_month_):
    """Month of the fiscal year → quarter of the fiscal year."""
    return (fiscal_month_ - 1) // 3 + 1


def period_name(period: int, per_year: int = 4, start_month: int = 1) -> str:
    """"Q2", or the calendar name of a fiscal month ("Mar" for month 6 of an October year),
    in the run's language ("第2季度", "3月")."""
    if per_year == 4:
        return t("Q{n}", n=str(period))
    return t(MONTH_ABBR[(start_month - 1 + period - 1) % 12])


def _check_period(period: int, per_year: int) -> None:
    if per_year not in (4, 12):
        raise ValueError(f"per_year must be 4 (quarters) or 12 (months), got {per_year!r}")
    if not 1 <= int(period) <= per_year:
        raise ValueError(f"period must be 1 to {per_year}, got {period!r}")


# ---------------------------------------------------------------- the cube as a matrix

def period_matrix(cube: pd.DataFrame, keys: Sequence[str], per_year: int = 4) -> pd.DataFrame:
    """Amounts by (keys, fiscal_year) × period: columns 1..per_year, NaN where the group has
    no row in that period; column 0 holds the rows without a period (0.0 when none)."""
    keys = list(keys)
    missing = [c for c in (*keys, "fiscal_year", "period", "amount") if c not in cube.columns]
    if missing:
        raise ValueError(f"the cube lacks column(s) {', '.join(missing)}; expected "
                         f"{', '.join((*keys, 'fiscal_year', 'period', 'amount'))}")
    period = pd.to_numeric(cube["period"], errors="coerce")
    bad = period.notna() & ~period.between(1, per_year)
    if bad.any():
        raise ValueError(f"periods must be 1 to {per_year}; found "
                         f"{sorted(set(period[bad].astype(int)))[:5]}")
    frame = pd.DataFrame({**{k: cube[k] for k in keys},
                          "fiscal_year": pd.to_numeric(cube["fiscal_year"]).astype("int64"),
                          "period": period.fillna(0).astype("int64"),
                          "amount": pd.to_numeric(cube["amount"]).astype("float64")})
    frame = frame[frame["amount"].notna()]
    sums = frame.groupby([*keys, "fiscal_year", "period"], sort=False, dropna=False)[
        "amount"].sum()
    out = sums.unstack("period").reindex(columns=range(per_year + 1))
    out[0] = out[0].fillna(0.0)
    out.columns.name = None
    return out


def _groups_of(matrix: pd.DataFrame) -> pd.Index:
    return matrix.index.droplevel("fiscal_year").unique()


def _year(matrix: pd.DataFrame, year: int) -> pd.DataFrame:
    return matrix[matrix.index.get_level_values("fiscal_year") == year].droplevel("fiscal_year")


def _period_list(periods: Sequence[int], per_year: int, start_month: int, fy: str,
                 year: int) -> str:
    names = [period_name(p, per_year, start_month) for p in periods]
    return f"{fy}{year} {', '.join(names)}"


# ---------------------------------------------------------------- the rules

def pace(cube: pd.DataFrame, *, year: int, period: int, per_year: int = 4,
         rule: str = "profile", keys: Sequence[str] = ("region_id",), profile_years: int = 5,
         plan: pd.DataFrame | None = None, start_month: int = 1,
         thresholds: Thresholds = Thresholds(), floors: Mapping[int, float] | None = None,
         fy_label: str = "FY") -> pd.DataFrame:
    """The pace of every group of ``cube`` in fiscal ``year`` by the end of ``period``.

    ``plan`` is a cube of the same shape (the plans table); with it the expected full year is
    the year's plan, and ``rule="plan"`` compares with the plan to date. Returns one row per
    group (keys, then :data:`COLUMNS`), unordered; amounts in the cube's unit, shares and
    gaps in percent / percentage points. See the module's docstring for the rules.
    """
    keys = list(keys)
    _check_period(period, per_year)
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
    if rule == "plan" and plan is None:
        raise ValueError("rule 'plan' needs a plan table")
    if not isinstance(profile_years, int) or profile_years < 1:
        raise ValueError(f"profile_years must be a whole number of at least 1, got "
                         f"{profile_years!r}")
    to_date = list(range(1, period + 1))
    full = list(range(1, per_year + 1))
    first = year - profile_years
    years = pd.to_numeric(cube["fiscal_year"], errors="coerce")
    m = period_matrix(cube[years.between(first, year)], keys, per_year)
    groups = _groups_of(m)
    pm = None
    if plan is not None:
        pyears = pd.to_numeric(plan["fiscal_year"], errors="coerce")
        pm = _year(period_matrix(plan[pyears == year], keys, per_year), year)
        groups = groups.union(pm.index)

    # this year, periods 1..p
    cur = _year(m, year).reindex(groups)
    cur_to = cur[to_date]
    missing = cur_to.isna()
    any_missing = missing.any(axis=1).to_numpy()
    spent = cur_to.sum(axis=1, min_count=1)

    # history: complete years with a positive total, before this year
    fy = m.index.get_level_values("fiscal_year")
    hist = m[(fy >= first) & (fy < year)]
    total_h = hist[full].sum(axis=1) + hist[0]
    valid = hist[full].notna().all(axis=1) & (total_h > 0)
    h = pd.DataFrame({"share": hist[to_date].sum(axis=1) / total_h, "total": total_h,
                      "year": hist.index.get_level_values("fiscal_year")})[valid.to_numpy()]
    h.index = h.index.droplevel("fiscal_year")
    by = h.groupby(level=keys if len(keys) > 1 else keys[0], sort=False)
    agg = pd.DataFrame({"share": by["share"].mean(), "total": by["total"].mean(),
                        "n": by["year"].count(), "lo": by["year"].min(),
                        "hi": by["year"].max()}).reindex(groups)
    n_hist = agg["n"].fillna(0).astype("int64")

    # the expected full year and the expected share
    reason = pd.Series("", index=groups, dtype=object)
    plan_to_date = pd.Series(np.nan, index=groups)
    if pm is not None:
        pcur = pm.reindex(groups)
        plan_total = pcur[full].sum(axis=1, min_count=1).add(pcur[0], fill_value=0)
        plan_total = plan_total.where(pcur.notna().any(axis=1))
        plan_to_date = pcur[to_date].sum(axis=1, min_count=1)
        base = plan_total.where(plan_total > 0)
        fy = f"{fy_label}{year}"
        reason = reason.mask(plan_total.isna() & (reason == ""), t("no plan for {year}", year=fy))
        reason = reason.mask((plan_total == 0) & (reason == ""),
                             t("no plan: the plan for {year} is zero", year=fy))
        reason = reason.mask((plan_total < 0) & (reason == ""),
                             t("negative plan for {year} (a plan cannot be below zero)",
                               year=fy))
    else:
        base = agg["total"]
    if rule == "profile":
        expected = agg["share"]
    elif rule == "elapsed":
        d, n = elapsed_days(year, period, start_month=start_month, per_year=per_year)
        expected = pd.Series(d / n, index=groups)
    else:
        gaps = pcur[to_date].isna()
        expected = (plan_to_date / base).where(~gaps.any(axis=1))
        lacking = expected.isna() & base.notna() & (reason == "")
        if lacking.any():
            texts = [t("the plan has no row for {periods}", periods=_period_list(
                [p for p, gone in zip(to_date, flags) if gone], per_year, start_month,
                fy_label, year)) for flags in gaps[lacking].to_numpy()]
            reason.loc[lacking] = texts
    needs_history = rule == "profile" or pm is None
    if needs_history:
        window = f"{fy_label}{first}–{fy_label}{year - 1}"
        reason = reason.mask((n_hist == 0) & (reason == ""),
                             t("no history: no complete year with spending in {years}",
                               years=window))
    if any_missing.any():
        rows = np.flatnonzero(any_missing)
        texts = [
            t("missing (not counted as zero): {periods}", periods=_period_list(
                [p for p, gone in zip(to_date, flags) if gone], per_year, start_month,
                fy_label, year))
            for flags in missing.to_numpy()[rows]]
        missing_text = pd.Series(texts, index=groups[rows])
        reason.loc[missing_text.index] = missing_text

    share = spent / base
    ok = (reason == "") & share.notna() & expected.notna()
    share_pct = (100 * share).where(ok)
    expected_pct = (100 * expected).where(ok)
    gap = (share_pct - expected_pct).round(9)
    floor = _floor_for(floors, period, per_year)
    status = classify_status(gap, thresholds, share=share_pct, floor=floor)
    if floor is not None:
        below = (status == "red") & (share_pct < floor) & (gap > -thresholds.red)
        reason = reason.mask(below, t("below the floor: {floor} of the year by the end of "
                                      "{quarter}", floor=f"{floor:g}%",
                                      quarter=period_name(_quarter_reached(period, per_year))))
    out = pd.DataFrame({
        "spent_to_date": spent, "expected_to_date": (expected * base).where(ok),
        "year_base": base, "share_spent": share_pct, "expected_share": expected_pct,
        "gap_pts": gap, "status": status, "reason": reason,
        "history_years": n_hist,
        "floor_pct": np.nan if floor is None else float(floor),
        "plan_to_date": plan_to_date,
        "execution_pct": (100 * spent / plan_to_date).where(plan_to_date > 0),
    }, index=groups)
    return out.reset_index()


def _quarter_reached(period: int, per_year: int) -> int:
    return period if per_year == 4 else period // 3


def _floor_for(floors: Mapping[int, float] | None, period: int, per_year: int) -> float | None:
    """The floor in force at the end of ``period``: the highest floor of the quarters that
    have ended (a floor keeps holding after its quarter)."""
    if not floors:
        return None
    reached = _quarter_reached(period, per_year)
    held = [float(v) for q, v in floors.items() if int(q) <= reached]
    return max(held) if held else None


def classify_status(gap, thresholds: Thresholds = Thresholds(), *, share=None,
                    floor: float | None = None) -> pd.Series:
    """Status per gap (percentage points): ≤ −red red, ≤ −yellow yellow, ≥ ahead ahead,
    otherwise green; a missing gap is "no data". With ``floor``, a ``share`` (percent of the
    year) below it is red whatever the gap."""
    g = pd.Series(gap, dtype="float64") if not isinstance(gap, pd.Series) else \
        gap.astype("float64")
    v = g.to_numpy()
    out = np.select([np.isnan(v), v <= -thresholds.red, v <= -thresholds.yellow,
                     v >= thresholds.ahead], ["no data", "red", "yellow", "ahead"], "green")
    out = out.astype(object)
    if floor is not None and share is not None:
        s = pd.Series(share, index=g.index).astype("float64").to_numpy()
        out[~np.isnan(v) & (s < floor)] = "red"
    return pd.Series(out, index=g.index, dtype=object)


def rank(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags in the order a budget director reads them: red, yellow (most behind first),
    ahead (most ahead first), green (most behind first), then no data."""
    order = {s: i for i, s in enumerate(STATUSES)}
    key_status = flags["status"].map(order).fillna(len(STATUSES))
    key_gap = flags["gap_pts"].where(flags["status"] != "ahead", -flags["gap_pts"])
    out = flags.assign(_s=key_status, _g=key_gap).sort_values(["_s", "_g"], kind="stable",
                                                              na_position="last")
    return out.drop(columns=["_s", "_g"]).reset_index(drop=True)


def status_counts(flags: pd.DataFrame) -> dict[str, int]:
    counts = flags["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}
