"""Widgets and tables of the Early warning page: the view picker (fiscal year, quarter or
month, rule) kept in the URL, and the ranked list with labelled, formatted columns."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from layers.numbers import unit_label
from locales import N_, t
from performance.early_warning import LEGEND_LABELS, MAP_LABELS, gap_money, map_choices
from performance.pace import RULE_LABELS, RULE_TEXT, fiscal_month

from . import cache, state
from .text import MONTHS, md

URL_KEYS = ["ew_step", "ew_year", "ew_quarter", "ew_month", "ew_rule", "ew_map"]
STEPS = {"quarter": N_("Quarter"), "month": N_("Month")}


@dataclass(frozen=True)
class Pick:
    step: str            # "quarter" or "month"
    year: int
    period: int          # quarter, or month of the fiscal year
    rule: str


def view_picker(path: str, cfg, fy_label: str, start_month: int) -> Pick | str:
    """Sidebar pickers → the view; or, when the table has no period to show, why not."""
    sb = st.sidebar
    offered, _ = cache.early_warning_periods(path, "quarter")
    if not offered:
        return t("Table “{table}” has no quarter or month column: early warning needs amounts "
                 "by quarter or month.", table=cfg.table)
    state.init("ew_step", offered[0], options=offered)
    step = sb.radio(t("Step"), offered, key="ew_step", horizontal=True,
                    format_func=lambda s: t(STEPS[s]) if s in STEPS else s) \
        if len(offered) > 1 else offered[0]
    _, have = cache.early_warning_periods(path, step)
    if not have:
        return t("Table “{table}” has no rows with a quarter.", table=cfg.table) \
            if step == "quarter" else \
            t("Table “{table}” has no rows with a month.", table=cfg.table)
    years = sorted(have)
    state.init("ew_year", years[-1], options=years, parse=int)
    year = sb.selectbox(t("Fiscal year"), years, key="ew_year",
                        format_func=lambda y: f"{fy_label}{y}")
    if step == "quarter":
        quarters = have[year]
        state.init("ew_quarter", quarters[-1], options=quarters, parse=int)
        period = sb.radio(t("Quarter (end of)"), quarters, key="ew_quarter", horizontal=True,
                          format_func=lambda q: t("Q{n}", n=q))
    else:
        months = [(start_month - 1 + fm - 1) % 12 + 1 for fm in have[year]]   # calendar
        state.init("ew_month", months[-1], options=months, parse=int)
        month = sb.selectbox(t("Month (end of)"), months, key="ew_month",
                             format_func=lambda m: t(MONTHS[m - 1]))
        period = int(fiscal_month(month, start_month))
    rules = cfg.rules()
    state.init("ew_rule", cfg.rule, options=rules)
    rule = sb.selectbox(t("Rule"), rules, key="ew_rule",
                        format_func=lambda r: t(RULE_LABELS.get(r, r)),
                        help="; ".join(t("{rule}: {text}", rule=t(RULE_LABELS[r]),
                                         text=md(t(RULE_TEXT[r]))) for r in rules))
    state.to_url(URL_KEYS)
    return Pick(step=step, year=int(year), period=int(period), rule=rule)


def map_picker(ew) -> str:
    """"Map shows": the traffic light (default) or one of the figures of the ranked list;
    spent ÷ planned only with a plan. Kept in the URL (``ew_map``)."""
    options = map_choices(ew)
    state.init("ew_map", "status", options=options)
    choice = st.sidebar.radio(t("Map shows"), options, key="ew_map",
                              format_func=lambda c: t(MAP_LABELS.get(c, c)),
                              help=t("Every figure is the ranked list's: the gaps and the share "
                                     "spent against the expected share diverge around on "
                                     "pace; spent ÷ planned around 100%."))
    state.to_url(["ew_map"])
    return choice


def ranked_table(ew, *, level_label: str) -> None:
    """The ranked list with the figures behind each flag: whole amounts with separators (the
    CSV has them to the cent), shares to one decimal, the unit in the headers."""
    f = ew.flags
    unit = unit_label(ew.unit)
    money = "localized"
    spent, expected, gap, full, planned = (
        t("Spent to date ({unit})", unit=unit), t("Expected to date ({unit})", unit=unit),
        t("Gap to date ({unit})", unit=unit), t("Expected full year ({unit})", unit=unit),
        t("Planned to date ({unit})", unit=unit))
    share, expected_share, gap_pts, status, why, history, execution = (
        t("Share of the year spent"), t("Expected share"), t("Gap (points)"), t("Status"),
        t("Why"), t("History years"), t("Spent ÷ planned to date"))
    show = pd.DataFrame({t("Rank"): range(1, len(f) + 1), level_label: f["name"]})
    if ew.by:
        show[ew.by.capitalize()] = f[ew.by]
    show = show.assign(**{
        spent: f["spent_to_date"].round(0), expected: f["expected_to_date"].round(0),
        share: f["share_spent"], expected_share: f["expected_share"], gap_pts: f["gap_pts"],
        gap: gap_money(f).round(0),
        status: f["status"].map(lambda s: t(LEGEND_LABELS.get(s, s))), why: f["reason"],
        full: f["year_base"].round(0), history: f["history_years"]})
    config = {c: st.column_config.NumberColumn(c, format=money, step=1, help=h) for c, h in (
        (spent, t("Spent from the start of the fiscal year to the end of {view}",
                  view=md(ew.view_text))),
        (expected, t("Expected share × expected full year")),
        (gap, t("Spent to date − expected to date")),
        (full, t("The year's plan, or the typical year (mean total of the history years)")))}
    config.update({
        share: st.column_config.NumberColumn(share, format="%.1f%%"),
        expected_share: st.column_config.NumberColumn(expected_share, format="%.1f%%"),
        gap_pts: st.column_config.NumberColumn(gap_pts, format="%+.1f",
                                               help=t("Share spent − expected share")),
        history: st.column_config.NumberColumn(
            history, format="%d", help=t("Complete years before this one the profile or "
                                         "typical year rests on")),
    })
    if ew.config.plan_table:
        show[planned] = f["plan_to_date"].round(0)
        show[execution] = f["execution_pct"]
        config[planned] = st.column_config.NumberColumn(planned, format=money, step=1)
        config[execution] = st.column_config.NumberColumn(execution, format="%.1f%%")
    st.dataframe(show, hide_index=True, width="stretch", column_config=config)
