"""Early warning: which areas (or programmes) fall behind their pace this fiscal year.

:func:`early_warning` is the one recipe the Early warning page and ``python -m
performance.cli`` call: it sums the watched table (and the plan) in the ledger by region,
year and period, applies the rules of :mod:`performance.pace`, names every region, and lists
what could not be placed and what is wrong with the plan.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np
import pandas as pd

from geodata.dataset import WorkspaceData
from geodata.load import relative_name
from geodata.problems import Problem
from layers.classify import format_number
from locales import N_, t

from . import pace as P
from .config import EarlyWarningConfig

STEPS = {"quarter": 4, "month": 12}
#: The legend's words for each status (the colour named, for a black-and-white copy): message
#: ids, shown with ``locales.t``.
LEGEND_LABELS = {"red": N_("Far behind (red)"), "yellow": N_("Behind (yellow)"),
                 "green": N_("On pace (green)"), "ahead": N_("Ahead (blue)"),
                 "no data": N_("No data")}


@dataclass(frozen=True)
class EarlyWarning:
    """The flags of one view (a fiscal year and a quarter or month) and what they rest on."""
    flags: pd.DataFrame                # ranked (pace.rank): region_id, name, [by], pace.COLUMNS, on_map
    config: EarlyWarningConfig
    year: int
    period: int
    per_year: int
    level: str
    level_label: str                   # "State"
    table_label: str
    unit: str                          # of the amounts ("USD")
    fy_label: str
    start_month: int
    days: tuple[int, int] | None       # elapsed rule: days elapsed, days in the year
    by: str | None = None
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def rule(self) -> str:
        return self.config.rule

    def counts(self) -> dict[str, int]:
        return P.status_counts(self.flags)

    @property
    def view_text(self) -> str:
        """"FY2019 Q2" or "FY2019 Mar"."""
        return (f"{self.fy_label}{self.year} "
                f"{P.period_name(self.period, self.per_year, self.start_month)}")

    @property
    def history_text(self) -> str:
        n = self.config.profile_years
        fy = self.fy_label
        return f"{fy}{self.year - n}–{fy}{self.year - 1}" if n > 1 else f"{fy}{self.year - 1}"

    def rule_sentence(self) -> str:
        """The rule and the thresholds in one paragraph, as the page and the CSV state them."""
        c, th = self.config, self.config.thresholds
        what = self.level_label.lower() if not self.by else \
            t("{level} and {by}", level=self.level_label.lower(), by=self.by)
        quarters = self.per_year == 4
        if c.plan_table:
            base = t("its plan for {year}", year=f"{self.fy_label}{self.year}")
        else:
            base = t("its typical year (the mean total of its complete years in {years})",
                     years=self.history_text)
        if c.rule == "profile":
            expected = t("its own spending profile: the mean share of the year it had spent by "
                         "the end of this quarter in {years}", years=self.history_text) \
                if quarters else \
                t("its own spending profile: the mean share of the year it had spent by the "
                  "end of this month in {years}", years=self.history_text)
        elif c.rule == "elapsed":
            d, n = self.days or (0, 0)
            expected = t("time elapsed: {days} of {total} days of the fiscal year ({share}) by "
                         "the end of {view}", days=str(d), total=str(n),
                         share=f"{100 * d / n:.1f}%", view=self.view_text)
        else:
            expected = t("the plan to date: the share of the year's plan planned up to this "
                         "quarter") if quarters else \
                t("the plan to date: the share of the year's plan planned up to this month")
        out = t("Each {what}'s spending to the end of {view} as a share of {base}, against "
                "{expected}. Gap = share spent − expected share, in percentage points: red at "
                "{red} or more points behind, yellow at {yellow} or more behind, blue (ahead) "
                "at {ahead} or more ahead, green otherwise; grey: no data (the reason is "
                "listed).", what=what, view=self.view_text, base=base, expected=expected,
                red=f"{th.red:g}", yellow=f"{th.yellow:g}", ahead=f"{th.ahead:g}")
        if c.floors:
            out += " " + t("Floors: {floors} (below it: red).", floors=", ".join(
                t("at least {share} of the year by the end of {quarter}", share=f"{v:g}%",
                  quarter=P.period_name(q)) for q, v in c.floors.items()))
        return out


# ---------------------------------------------------------------- what the table holds

# What a loaded table holds (its columns, its years and periods) does not change while it is
# loaded: kept per ledger (a workspace whose files change gets a new one).
_HELD: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def _held(data: WorkspaceData, key: tuple, make):
    memo = _HELD.setdefault(data.ledger, {})
    if key not in memo:
        memo[key] = make()
    return memo[key]


def steps(data: WorkspaceData, cfg: EarlyWarningConfig) -> list[str]:
    """"quarter" and/or "month": the periods the watched table can be viewed by."""
    cols = _columns(data, cfg.table)
    out = []
    if "quarter" in cols or "month" in cols:
        out.append("quarter")
    if "month" in cols:
        out.append("month")
    return out


def available(data: WorkspaceData, cfg: EarlyWarningConfig,
              step: str = "quarter") -> dict[int, list[int]]:
    """Fiscal year → the periods (quarters or months of the fiscal year) with at least one
    row in the watched table, years in order."""
    def make() -> dict[int, list[int]]:
        cube = table_cube(data, cfg.table, per_year=STEPS[step], keys=())
        cube = cube[cube["period"].notna()]
        out: dict[int, list[int]] = {}
        for y, p in sorted(set(zip(cube["fiscal_year"].astype(int),
                                   cube["period"].astype(int)))):
            out.setdefault(y, []).append(p)
        return out
    return {y: list(p) for y, p in _held(data, ("available", cfg.table, step), make).items()}


def _columns(data: WorkspaceData, table_id: str) -> list[str]:
    """The ledger's columns of a table, with ``month`` when the loaded table has months (the
    ledger may keep none) and without ``quarter`` when no row has one."""
    def make() -> list[str]:
        if table_id not in data.ledger.tables():
            return []           # no usable row (reported on Data quality): nothing to watch
        cols = list(data.ledger.columns(table_id))
        frame = data.table(table_id)
        if "month" in frame.columns and frame["month"].notna().any() and "month" not in cols:
            cols.append("month")
        if "quarter" in cols and not data.ledger.distinct(table_id, "quarter"):
            cols.remove("quarter")
        return cols
    return list(_held(data, ("columns", table_id), make))


def table_cube(data: WorkspaceData, table_id: str, *, per_year: int, keys: Sequence[str],
               years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Amounts of a ledger table by ``keys``, fiscal year and period (the quarter or month of
    the fiscal year; missing when a row has none), summed in the ledger.

    A quarter column is the fiscal year's quarter as written; a month column is the calendar
    month (1 = January), turned into the fiscal year's month or quarter with the workspace's
    ``fiscal_year_start_month``."""
    keys = list(keys)
    led = data.ledger
    cols = _columns(data, table_id)
    start = data.ws.fiscal_year_start_month
    if per_year == 4 and "quarter" in cols:
        out = led.sum_by(table_id, [*keys, "fiscal_year", "quarter"], years=years)
        return out.rename(columns={"quarter": "period"})[[*keys, "fiscal_year", "period",
                                                          "amount"]]
    if "month" not in cols:
        raise ValueError(f"table {table_id!r} has no {'quarter or ' if per_year == 4 else ''}"
                         "month column: early warning needs amounts by quarter or month")
    if "month" in led.columns(table_id):
        sums = led.sum_by(table_id, [*keys, "fiscal_year", "month"], years=years)
    else:
        # The ledger keeps no month column: sum the loaded table (vectorised).
        frame = data.table(table_id)
        keep = frame["fiscal_year"].notna() & frame["amount"].notna()
        if years is not None:
            keep &= frame["fiscal_year"].between(years[0], years[1])
        frame = frame.loc[keep, [*keys, "fiscal_year", "month", "amount"]]
        sums = frame.groupby([*keys, "fiscal_year", "month"], dropna=False, sort=False,
                             observed=True)["amount"].sum().reset_index()
    month = pd.to_numeric(sums["month"], errors="coerce")
    fm = P.fiscal_month(month, start)
    sums["period"] = (fm if per_year == 12 else P.quarter_of_month(fm)).astype("Int64")
    return sums[[*keys, "fiscal_year", "period", "amount"]]


# ---------------------------------------------------------------- the recipe

def early_warning(data: WorkspaceData, cfg: EarlyWarningConfig, *, year: int, period: int,
                  step: str = "quarter", by: str | None = None) -> EarlyWarning:
    """The ranked flags of fiscal ``year`` by the end of ``period`` (a quarter, or a month of
    the fiscal year with ``step="month"``), per region of the watched table's level, or per
    region and ``by`` (agency, program, fund). Raises ValueError (one sentence) when the view
    cannot be computed: a period the table does not hold, an unknown step or column."""
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}, got {step!r}")
    per_year = STEPS[step]
    ws = data.ws
    fy = ws.fiscal_year_label
    spec = ws.table(cfg.table)
    if step not in steps(data, cfg):
        table = repr(cfg.table)
        if steps(data, cfg):          # months asked of a table of quarters
            raise ValueError(t("table {table} has no months; it can be viewed by quarter",
                               table=table))
        raise ValueError(t("table {table} has no quarters; it can be viewed by nothing (no "
                           "quarter or month)", table=table) if step == "quarter" else
                         t("table {table} has no months; it can be viewed by nothing (no "
                           "quarter or month)", table=table))
    have = available(data, cfg, step)
    name = P.period_name(period, per_year, ws.fiscal_year_start_month)
    if not 1 <= period <= per_year or period not in have.get(year, []):
        view = f"{fy}{year} {name if 1 <= period <= per_year else period}"
        if not have:
            raise ValueError(t("{view} is not in table {table}: it holds nothing", view=view,
                               table=repr(cfg.table)))
        last = P.period_name(max(have[max(have)]), per_year, ws.fiscal_year_start_month)
        raise ValueError(t("{view} is not in table {table}: it holds {first} to {last}",
                           view=view, table=repr(cfg.table), first=f"{fy}{min(have)}",
                           last=f"{fy}{max(have)} {last}"))
    keys = ["region_id", *([by] if by else [])]
    if by and by not in data.ledger.columns(cfg.table):
        raise ValueError(t("table {table} has no column {column} to break down by",
                           table=repr(cfg.table), column=repr(by)))
    window = (year - cfg.profile_years, year)
    cube = table_cube(data, cfg.table, per_year=per_year, keys=keys, years=window)
    plan_cube = None
    problems: list[Problem] = []
    if cfg.plan_table:
        if cfg.plan_table not in data.ledger.tables():
            raise ValueError(t("plans table {table} has no usable row (see Data quality)",
                               table=repr(cfg.plan_table)))
        plan_cols = _columns(data, cfg.plan_table)
        plan_per = per_year if (per_year == 4 and "quarter" in plan_cols) or \
            "month" in plan_cols else None
        if plan_per is None:
            if cfg.rule == "plan":
                raise ValueError(t("plans table {table} has no quarters: the rule 'plan' needs "
                                   "the plan by quarter; use 'elapsed' or 'profile' (the "
                                   "year's plan is then the expected full year)",
                                   table=repr(cfg.plan_table)) if step == "quarter" else
                                 t("plans table {table} has no months: the rule 'plan' needs "
                                   "the plan by month; use 'elapsed' or 'profile' (the year's "
                                   "plan is then the expected full year)",
                                   table=repr(cfg.plan_table)))
            plan_cube = data.ledger.sum_by(cfg.plan_table, keys, years=[year]).assign(
                fiscal_year=year, period=pd.NA)
        else:
            plan_cube = table_cube(data, cfg.plan_table, per_year=per_year, keys=keys,
                                   years=(year, year))

    names = data.names(spec.level)
    placed = cube["region_id"].isin(names.keys())
    notes = _not_placed(cube[~placed], year, period, fy, name, spec, ws, names)
    if plan_cube is not None:
        plan_placed = plan_cube["region_id"].isin(names.keys())
        problems += _plan_problems(data, cfg, cube[placed], plan_cube[plan_placed], keys,
                                   year, period)
        if not plan_placed.all():
            rest = plan_cube[~plan_placed]
            shown = sorted(rest["region_id"].fillna("(blank)").astype(str).unique())
            level = ws.level(spec.level).label.lower()
            problems.append(Problem(
                "warning", relative_name(ws, ws.table(cfg.plan_table).file),
                t("{n} plan key(s) for {year} match no {level} ({amount} planned); left out",
                  n=f"{len(shown):,}", year=f"{fy}{year}", level=level,
                  amount=_money(rest["amount"].sum(), spec.unit or ws.currency)),
                values=tuple(shown[:5]), code="plan_unmatched_key",
                expected=t("an id of the {level} layer", level=level)))
        plan_cube = plan_cube[plan_placed]
    flags = P.pace(cube[placed], year=year, period=period, per_year=per_year, rule=cfg.rule,
                   keys=keys, profile_years=cfg.profile_years, plan=plan_cube,
                   start_month=ws.fiscal_year_start_month, thresholds=cfg.thresholds,
                   floors=cfg.floors, fy_label=fy)
    if not by:
        absent = sorted(set(names) - set(flags["region_id"]))
        if absent:
            flags = pd.concat([flags, pd.DataFrame({
                "region_id": absent, "status": "no data", "history_years": 0,
                "reason": t("no rows in table {table} in {years}", table=repr(cfg.table),
                            years=f"{fy}{window[0]}–{fy}{year}")})],
                ignore_index=True)
    flags.insert(1, "name", flags["region_id"].map(names))
    notes += _level_note(flags, cfg, f"{fy}{window[0]}–{fy}{year - 1}")
    days = P.elapsed_days(year, period, start_month=ws.fiscal_year_start_month,
                          per_year=per_year) if cfg.rule == "elapsed" else None
    return EarlyWarning(
        flags=P.rank(flags), config=cfg, year=year, period=period, per_year=per_year,
        level=spec.level, level_label=ws.level(spec.level).label,
        table_label=spec.display_label, unit=spec.unit or ws.currency, fy_label=fy,
        start_month=ws.fiscal_year_start_month, days=days, by=by, notes=tuple(notes),
        problems=tuple(problems))


def _level_note(flags: pd.DataFrame, cfg: EarlyWarningConfig, history: str) -> list[str]:
    """A note when the typical year (no plan) is off for everyone alike: the median gap is
    beyond the yellow band (spending grew or shrank since the history years)."""
    gaps = flags["gap_pts"].dropna()
    if cfg.plan_table or len(gaps) < 5:
        return []
    mid = float(gaps.median())
    if abs(mid) < cfg.thresholds.yellow:
        return []
    if mid > 0:
        return [t("The median gap is {gap} points: spending as a whole runs above the typical "
                  "year of {years} (growth or cuts since then move every gap the same way), so "
                  "compare the gaps with one another as well as with the bands.",
                  gap=f"{mid:+.1f}", years=history)]
    return [t("The median gap is {gap} points: spending as a whole runs below the typical year "
              "of {years} (growth or cuts since then move every gap the same way), so compare "
              "the gaps with one another as well as with the bands.",
              gap=f"{mid:+.1f}", years=history)]


def _money(x: float, unit: str) -> str:
    return format_number(x, unit, compact=False)


def _not_placed(rest: pd.DataFrame, year: int, period: int, fy: str, name: str, spec, ws,
                names) -> list[str]:
    """A note for the amounts of this year to date that no region of the map holds."""
    cur = rest[(rest["fiscal_year"] == year) & (rest["period"].fillna(0) <= period)]
    if cur.empty:
        return []
    blank = cur["region_id"].isna() | (cur["region_id"].astype("string").str.strip() == "")
    unit = spec.unit or ws.currency
    parts = []
    if (~blank).any():
        keys = cur.loc[~blank, "region_id"].astype(str).unique()
        parts.append(t("{amount} on {n} key(s) that match no {level} ({keys})",
                       amount=_money(cur.loc[~blank, "amount"].sum(), unit),
                       n=f"{len(keys):,}", level=ws.level(spec.level).label.lower(),
                       keys=", ".join(sorted(keys)[:5]) + (" …" if len(keys) > 5 else "")))
    if blank.any():
        parts.append(t("{amount} on rows with no region",
                       amount=_money(cur.loc[blank, "amount"].sum(), unit)))
    return [t("Not on the map ({year} to the end of {period}): {amounts}. They are left out of "
              "the flags; see Data quality.", year=f"{fy}{year}", period=name,
              amounts="; ".join(parts))]


def _plan_problems(data: WorkspaceData, cfg: EarlyWarningConfig, cube: pd.DataFrame,
                   plan: pd.DataFrame, keys: list[str], year: int,
                   period: int) -> list[Problem]:
    """What does not match between the plan and the spending: years, regions (with their
    amounts), zero and negative plans."""
    ws = data.ws
    fy = ws.fiscal_year_label
    pspec, tspec = ws.table(cfg.plan_table), ws.table(cfg.table)
    pfile = relative_name(ws, pspec.file)
    unit = pspec.unit or ws.currency
    out: list[Problem] = []

    plan_years = data.ledger.sum_by(cfg.plan_table, ["fiscal_year"])
    spend_years = set(data.ledger.sum_by(cfg.table, ["fiscal_year"])["fiscal_year"].dropna()
                      .astype(int))
    extra = plan_years[~plan_years["fiscal_year"].isin(spend_years)]
    if len(extra):
        shown = ", ".join(f"{fy}{int(y)} ({_money(a, unit)})"
                          for y, a in zip(extra["fiscal_year"], extra["amount"]))
        out.append(Problem("note", pfile, t("plan years with no spending in table {table}: "
                                            "{years}", table=repr(cfg.table), years=shown),
                           code="plan_year_without_spending",
                           expected=t("plan years that the spending table also holds")))
    if year not in set(plan_years["fiscal_year"].dropna().astype(int)):
        out.append(Problem("warning", pfile, t("no plan for {year}: every region is 'no data'",
                                               year=f"{fy}{year}"),
                           code="plan_year_missing",
                           expected=t("plan rows for {year}", year=f"{fy}{year}")))
        return out

    def key_text(frame: pd.DataFrame) -> list[str]:
        names = data.names(tspec.level)
        return [" / ".join([names.get(str(r), str(r)), *[str(row[k]) for k in keys[1:]]])
                for r, (_, row) in zip(frame["region_id"], frame.iterrows())]

    ptot = plan.groupby(keys, dropna=False)["amount"].sum().reset_index()
    cur = cube[(cube["fiscal_year"] == year) & (cube["period"].fillna(0) <= period)]
    spent = cur.groupby(keys, dropna=False)["amount"].sum().reset_index()
    both = ptot.merge(spent, on=keys, how="outer", suffixes=("_plan", "_spent"),
                      indicator=True)
    what = t("region(s)") if len(keys) == 1 else t("region(s) and {by}", by=keys[1])
    only_plan = both[both["_merge"] == "left_only"]
    if len(only_plan):
        items = key_text(only_plan)
        out.append(Problem(
            "warning", pfile, t("{n} {what} have a plan for {year} ({amount} in all) but no "
                                "spending rows to date in table {table}",
                                n=f"{len(only_plan):,}", what=what, year=f"{fy}{year}",
                                amount=_money(only_plan["amount_plan"].sum(), unit),
                                table=repr(cfg.table)), values=tuple(items[:5]),
            code="plan_without_spending", expected=t("spending rows for every planned key")))
    only_spent = both[both["_merge"] == "right_only"]
    if len(only_spent):
        items = key_text(only_spent)
        out.append(Problem(
            "warning", pfile, t("{n} {what} spent {amount} in {year} to date but have no plan: "
                                "they are 'no data'", n=f"{len(only_spent):,}", what=what,
                                amount=_money(only_spent["amount_spent"].sum(), unit),
                                year=f"{fy}{year}"), values=tuple(items[:5]),
            code="spending_without_plan", expected=t("a plan row for every key that spends")))
    for cond, code in ((ptot["amount"] == 0, "zero_plan"), (ptot["amount"] < 0, "negative_plan")):
        bad = ptot[cond]
        if len(bad):
            fields = {"n": f"{len(bad):,}", "what": what, "year": f"{fy}{year}"}
            text = t("{n} {what} have a plan of zero (no execution rate) for {year}: they are "
                     "'no data'", **fields) if code == "zero_plan" else \
                t("{n} {what} have a negative plan for {year}: they are 'no data'", **fields)
            out.append(Problem("warning", pfile, text, values=tuple(key_text(bad)[:5]),
                               code=code, expected=t("a plan above zero")))
    return out


def flags_frame(ew: EarlyWarning) -> pd.DataFrame:
    """The ranked list with plain column names and the view in every row: what the CSV
    download and ``-o`` write."""
    f = ew.flags
    out = pd.DataFrame({"rank": np.arange(1, len(f) + 1), "region_id": f["region_id"],
                        "region": f["name"]})
    if ew.by:
        out[ew.by] = f[ew.by]
    out = out.assign(
        fiscal_year=ew.year, period=P.period_name(ew.period, ew.per_year, ew.start_month),
        rule=ew.rule, spent_to_date=f["spent_to_date"].round(2),
        expected_to_date=f["expected_to_date"].round(2),
        expected_full_year=f["year_base"].round(2),
        share_of_year_spent_pct=f["share_spent"].round(2),
        expected_share_pct=f["expected_share"].round(2), gap_points=f["gap_pts"].round(2),
        status=f["status"], reason=f["reason"], history_years=f["history_years"], unit=ew.unit)
    if ew.config.plan_table:
        out["planned_to_date"] = f["plan_to_date"].round(2)
        out["spent_of_planned_to_date_pct"] = f["execution_pct"].round(2)
    return out


#: What the Early warning map can show, in the order offered; "execution" needs a plan.
#: Message ids, shown with ``locales.t``.
MAP_LABELS = {
    "status": N_("Status (traffic light)"),
    "gap": N_("Gap (points)"),
    "shares": N_("Share spent against the expected share"),
    "gap_money": N_("Gap in money (spent − expected to date)"),
    "execution": N_("Spent ÷ planned to date"),
}


def map_choices(ew: EarlyWarning) -> list[str]:
    """The maps this view can show: "execution" only when the workspace has a plan."""
    return [c for c in MAP_LABELS if c != "execution" or ew.config.plan_table]


def gap_money(flags: pd.DataFrame) -> pd.Series:
    """Spent to date − expected to date, in the table's unit (negative: behind)."""
    return flags["spent_to_date"] - flags["expected_to_date"]


def _region_flags(ew: EarlyWarning, region_ids: Sequence[str] | None = None) -> pd.DataFrame:
    f = ew.flags.drop_duplicates("region_id").set_index("region_id")
    f.index = f.index.astype(str)
    return f if region_ids is None else f.reindex([str(r) for r in region_ids])


def map_figures(ew: EarlyWarning, choice: str) -> pd.Series:
    """The number a numeric map shows per region id, read from the ranked list's frame:
    "gap" the gap in points, "shares" the share of the year spent, "gap_money" spent −
    expected to date, "execution" spent ÷ planned to date (%)."""
    f = _region_flags(ew)
    if choice == "gap":
        out = f["gap_pts"]
    elif choice == "shares":
        out = f["share_spent"]
    elif choice == "gap_money":
        out = gap_money(f)
    elif choice == "execution":
        if not ew.config.plan_table:
            raise ValueError(t("the execution rate needs a plans table"))
        out = f["execution_pct"]
    else:
        raise ValueError(f"map must be one of {', '.join(c for c in MAP_LABELS if c != 'status')}"
                         f", got {choice!r}")
    return pd.to_numeric(out, errors="coerce").astype("float64")


def _uniform(values: pd.Series) -> float | None:
    """The one value every region shares (the elapsed rule's expected share), else None."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or float(v.max() - v.min()) > 1e-9:
        return None
    return float(v.iloc[0])


def _tooltip_rows(f: pd.DataFrame, ew: EarlyWarning) -> list[tuple[str, list[str]]]:
    """The figures behind a flag, per feature (``f`` in feature order)."""
    def pct(x) -> str:
        return "—" if x != x else f"{x:.1f}%"

    def money(x) -> str:
        return "—" if x != x else format_number(x, ew.unit)

    rows = [
        (t("Spent to date"), [money(x) for x in f["spent_to_date"]]),
        (t("Share of the year spent"), [pct(x) for x in f["share_spent"]]),
        (t("Expected share"), [pct(x) for x in f["expected_share"]]),
        (t("Gap"), ["—" if g != g else t("{gap} points", gap=f"{g:+.1f}")
                    for g in f["gap_pts"]]),
        (t("Why"), [r if isinstance(r, str) and r else "—" for r in f["reason"]]),
    ]
    return rows


def pace_view(region_ids: Sequence[str], ew: EarlyWarning, choice: str = "status", *,
              selected: str | None = None):
    """The map of one of :data:`MAP_LABELS`: the traffic light (``status_view``), or a
    choropleth classified the app's usual way from :func:`map_figures`: diverging around 0
    (gaps), around the expected share when every region shares one (else ordered by
    quantiles), or around 100% (spent ÷ planned). The tooltip keeps the status and the
    figures behind it."""
    from layers.choropleth import build_choropleth

    if choice == "status":
        return status_view(region_ids, ew, selected=selected)
    values = map_figures(ew, choice)
    f = _region_flags(ew, region_ids)
    notes: list[str] = []
    scheme, centre, palette = "diverging", 0.0, "RdBu"
    rule = t(P.RULE_LABELS[ew.rule]).lower()
    if choice == "gap":
        unit = t("points")
        subtitle = t("Against: {rule}; share spent − expected share, centred on 0", rule=rule)
    elif choice == "gap_money":
        unit = ew.unit
        subtitle = t("Against: {rule}; spent − expected to date ({unit}), centred on 0",
                     rule=rule, unit=ew.unit)
    elif choice == "execution":
        unit, centre = "%", 100.0
        subtitle = t("Spent to date as a share of the plan to date, centred on 100%")
    else:
        unit = "%"
        centre = _uniform(f["expected_share"])
        if centre is None:
            scheme, palette = "quantiles", "YlGnBu"
            subtitle = t("Against: {rule}; share of the year spent", rule=rule)
            notes.append(t("Each region has its own expected share here, so the colours only "
                           "order the shares spent; the gap map compares each with its own."))
        else:
            subtitle = t("Against: {rule}; share of the year spent, centred on the expected "
                         "{share}", rule=rule, share=f"{centre:.1f}%")
    view = build_choropleth(region_ids, values,
                            title=t("{map}, {view}", map=t(MAP_LABELS[choice]),
                                    view=ew.view_text),
                            unit=unit, scheme=scheme, k=5, palette=palette, centre=(
                                centre if scheme == "diverging" else None),
                            subtitle=subtitle, notes=notes, selected=selected)
    extra: list[tuple[str, list[str]]] = [(t("Status"), _status_words(f["status"])),
                                          *_tooltip_rows(f, ew)]
    if ew.config.plan_table and "plan_to_date" in f:
        extra.insert(4, (t("Planned to date"), ["—" if x != x else format_number(x, ew.unit)
                                                for x in f["plan_to_date"]]))
    rows = tuple((label, tuple(str(x) for x in texts)) for label, texts in extra)
    return replace(view, tooltip_rows=view.tooltip_rows + rows)


def _status_words(statuses: pd.Series) -> list[str]:
    """Each status in words ("Far behind"), in the run's language; "No data" for none."""
    labels = P.STATUS_LABELS
    return [t(labels[s]) if isinstance(s, str) and s in labels else t(labels["no data"])
            for s in statuses]


def status_view(region_ids: Sequence[str], ew: EarlyWarning, *, selected: str | None = None):
    """The traffic-light map of the flags (one status per region; with a breakdown, use the
    region-level flags): green on pace, yellow behind, red far behind, blue ahead, grey no
    data; the tooltip carries the figures behind the flag."""
    from layers.categorical import TRAFFIC_LIGHT, build_categorical

    f = _region_flags(ew, region_ids)
    classes = [(s, t(LEGEND_LABELS[s]), TRAFFIC_LIGHT[s]) for s in ("red", "yellow", "green",
                                                                     "ahead")]
    status_text = pd.Series(_status_words(f["status"]), index=f.index)
    return build_categorical(
        list(f.index), f["status"], classes,
        title=t("Pace of spending, {view}", view=ew.view_text),
        subtitle=t("Status against: {rule}", rule=t(P.RULE_LABELS[ew.rule]).lower()),
        value_text=status_text, tooltip_rows=_tooltip_rows(f, ew), selected=selected)
