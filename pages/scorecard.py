"""Scorecard: every indicator against its target, region by region, beside the money."""
from __future__ import annotations

import streamlit as st

from geodata.files import csv_bytes
from performance.scorecard import (default_year, scorecard_csv_frame, scorecard_levels,
                                   scorecard_years, status_map_view, styled_indicator_table,
                                   styled_status_table)
from ui import cache, controls, state
from ui.exports_panel import export_panel, remember_view
from ui.mapview import map_options, tracked_map
from ui.text import md

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title("Scorecard: indicators against their targets")

levels = scorecard_levels(data)
if not levels:
    st.info(f"The workspace “{md(ws.title)}” has no indicators table: add a table of kind "
            "`indicators` (and targets, in its `target` column or the manifest's `[targets]` "
            "section) to see a scorecard (docs/workspace-manifest.md, “[targets]”).")
    st.stop()

# ---------------------------------------------------------------- controls
sb = st.sidebar
labels = {lv.id: lv.label for lv in ws.levels}
state.init("sc_level", ws.default_level if ws.default_level in levels else levels[0],
           options=levels)
level = sb.radio("Level", levels, format_func=lambda lv: md(labels[lv]), key="sc_level",
                 horizontal=True)
years = scorecard_years(data, level)
if not years:
    st.info(f"No indicator value with a year at the {md(labels[level].lower())} level.")
    st.stop()
state.init("sc_year", default_year(data, level) or years[-1], options=years, parse=int)
year = sb.selectbox("Year", years, key="sc_year")
tables = {t.id: t.display_label for t in data.allocation_tables(level)}
table = None
if len(tables) > 1:
    state.init("sc_money", next(iter(tables)), options=list(tables))
    table = sb.selectbox("Money from", list(tables), format_func=tables.get, key="sc_money")
state.init("sc_trend", 5, parse=int)
if not 2 <= int(st.session_state["sc_trend"]) <= 10:
    st.session_state["sc_trend"] = 5
trend_years = sb.slider("Trend over the last … years", 2, 10, key="sc_trend")

sc = cache.scorecard(path, level, int(year), table, int(trend_years))
plural = ws.level(level).plural
if sc.problems:
    with st.expander(f"Targets that cannot be used as written ({len(sc.problems)})",
                     expanded=True):
        for p in sc.problems:
            st.text(p.text())
if not sc.indicators:
    st.info(f"No indicator at the {md(labels[level].lower())} level.")
    st.stop()

# ---------------------------------------------------------------- sentences
st.subheader(f"{year}: {md(plural.lower())} against each target")
st.markdown("\n".join(f"- {md(sc.sentences[name])}" for name in sc.with_target)
            or "No indicator has a target this year.")
untargeted = [name for name in sc.indicators if name not in sc.with_target]
if untargeted:
    st.caption("No target set for: " + "; ".join(md(name) for name in untargeted) + ".")

# ---------------------------------------------------------------- status map
shown = list(sc.judged) or list(sc.indicators)
state.init("sc_indicator", shown[0], options=list(sc.indicators))
indicator = st.selectbox("Indicator on the map", list(sc.indicators), key="sc_indicator")
layer = cache.encoded_layer(path, level)
tracked_map(layer, status_map_view(sc, indicator, layer.region_ids), map_options(ws.settings),
            key="sc_map", level=level)
st.caption(f"Rule for {md(indicator)}: {md(sc.rules[indicator])} Trend: least-squares line "
           f"over the last {sc.trend_years} years, flat within 1% of the mean.")
for note in sc.notes:
    st.caption(md(note))
state.show_ignored()

remember_view(data, path, "scorecard")
export_panel(data, path, page="scorecard")

# ---------------------------------------------------------------- tables
st.subheader(f"{md(plural)} × indicators, {year}")
st.caption("Each cell: status (met / at risk / missed / no data / no target) · value. Click a "
           "column header to sort. Money per resident: "
           + (md(sc.money_label) if sc.money_label else "not available") + ".")
st.dataframe(styled_status_table(sc), hide_index=True, width="stretch", key="sc_matrix")
st.subheader(md(f"{indicator}, {year}, worst first"))
st.dataframe(styled_indicator_table(sc, indicator), hide_index=True, width="stretch",
             key="sc_detail")
st.download_button("Download the scorecard (CSV)", csv_bytes(scorecard_csv_frame(sc)),
                   file_name=f"{ws.id}_scorecard_{level}_{year}.csv", mime="text/csv",
                   key="sc_download")
state.to_url(["ws", "sc_level", "sc_year", "sc_money", "sc_trend", "sc_indicator"])
