"""Widgets and tables of the Early warning page: the view picker (fiscal year, quarter or
month, rule) kept in the URL, and the ranked list with labelled, formatted columns."""
from __future__ import annotations

import calendar
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from performance.early_warning import LEGEND_LABELS, MAP_LABELS, gap_money, map_choices
from performance.pace import RULE_LABELS, RULE_TEXT, fiscal_month

from . import cache, state

URL_KEYS = ["ew_step", "ew_year", "ew_quarter", "ew_month", "ew_rule", "ew_map"]


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
        return (f"Table '{cfg.table}' has no quarter or month column: early warning needs "
                "amounts by quarter or month.")
    state.init("ew_step", offered[0], options=offered)
    step = sb.radio("Step", offered, key="ew_step", horizontal=True,
                    format_func=str.capitalize) if len(offered) > 1 else offered[0]
    _, have = cache.early_warning_periods(path, step)
    if not have:
        return f"Table '{cfg.table}' has no rows with a {step}."
    years = sorted(have)
    state.init("ew_year", years[-1], options=years, parse=int)
    year = sb.selectbox("Fiscal year", years, key="ew_year",
                        format_func=lambda y: f"{fy_label}{y}")
    if step == "quarter":
        quarters = have[year]
        state.init("ew_quarter", quarters[-1], options=quarters, parse=int)
        period = sb.radio("Quarter (end of)", quarters, key="ew_quarter", horizontal=True,
                          format_func=lambda q: f"Q{q}")
    else:
        months = [(start_month - 1 + fm - 1) % 12 + 1 for fm in have[year]]   # calendar
        state.init("ew_month", months[-1], options=months, parse=int)
        month = sb.selectbox("Month (end of)", months, key="ew_month",
                             format_func=lambda m: calendar.month_name[m])
        period = int(fiscal_month(month, start_month))
    rules = cfg.rules()
    state.init("ew_rule", cfg.rule, options=rules)
    rule = sb.selectbox("Rule", rules, key="ew_rule", format_func=RULE_LABELS.get,
                        help="; ".join(f"{RULE_LABELS[r]}: {RULE_TEXT[r]}" for r in rules))
    state.to_url(URL_KEYS)
    return Pick(step=step, year=int(year), period=int(period), rule=rule)


def map_picker(ew) -> str:
    """"Map shows": the traffic light (default) or one of the figures of the ranked list;
    spent ÷ planned only with a plan. Kept in the URL (``ew_map``)."""
    options = map_choices(ew)
    state.init("ew_map", "status", options=options)
    choice = st.sidebar.radio("Map shows", options, key="ew_map", format_func=MAP_LABELS.get,
                              help="Every figure is the ranked list's: the gaps and the share "
                                   "spent against the expected share diverge around on "
                                   "pace; spent ÷ planned around 100%.")
    state.to_url(["ew_map"])
    return choice


def ranked_table(ew, *, level_label: str) -> None:
    """The ranked list with the figures behind each flag."""
    f = ew.flags
    # Whole units with separators and the unit in the header; the CSV has them to the cent.
    money = "localized"
    u = f" ({ew.unit})"
    show = pd.DataFrame({"Rank": range(1, len(f) + 1), level_label: f["name"]})
    if ew.by:
        show[ew.by.capitalize()] = f[ew.by]
    show = show.assign(**{
        "Spent to date" + u: f["spent_to_date"].round(0),
        "Expected to date" + u: f["expected_to_date"].round(0),
        "Share of the year spent": f["share_spent"], "Expected share": f["expected_share"],
        "Gap (points)": f["gap_pts"],
        "Gap to date" + u: gap_money(f).round(0),
        "Status": f["status"].map(lambda s: LEGEND_LABELS.get(s, s)), "Why": f["reason"],
        "Expected full year" + u: f["year_base"].round(0),
        "History years": f["history_years"]})
    config = {c + u: st.column_config.NumberColumn(format=money, help=h) for c, h in (
        ("Spent to date", f"Spent from the start of the fiscal year to the end of "
                          f"{ew.view_text}"),
        ("Expected to date", "Expected share × expected full year"),
        ("Gap to date", "Spent to date − expected to date"),
        ("Expected full year", "The year's plan, or the typical year (mean total of the "
                               "history years)"))}
    config.update({
        "Share of the year spent": st.column_config.NumberColumn(format="%.1f%%"),
        "Expected share": st.column_config.NumberColumn(format="%.1f%%"),
        "Gap (points)": st.column_config.NumberColumn(format="%+.1f",
                                                      help="Share spent − expected share"),
        "History years": st.column_config.NumberColumn(
            format="%d", help="Complete years before this one the profile or typical year "
                              "rests on"),
    })
    if ew.config.plan_table:
        show["Planned to date" + u] = f["plan_to_date"].round(0)
        show["Spent ÷ planned to date"] = f["execution_pct"]
        config["Planned to date" + u] = st.column_config.NumberColumn(format=money)
        config["Spent ÷ planned to date"] = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(show, hide_index=True, width="stretch", column_config=config)
