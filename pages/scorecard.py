"""Scorecard: every indicator against its target, region by region, beside the money."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from geodata.files import csv_bytes
from performance.scorecard import (default_year, scorecard_csv_frame, scorecard_levels,
                                   scorecard_years, status_map_view, styled_indicator_table,
                                   styled_status_table)
from layers.numbers import unit_label
from locales import t
from ui import auth, cache, controls, state
from ui.exports_panel import current_params, export_panel, remember_view
from ui.mapview import map_options, tracked_map
from ui.text import md, number_column, sentences

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title(t("Scorecard: indicators against their targets"))

levels = scorecard_levels(data)
if not levels:
    st.info(t("The workspace “{name}” has no indicators table: add a table of kind "
              "{kind} (and targets, in its {column} column or the manifest's {section} "
              "section) to see a scorecard (docs/workspace-manifest.md, “[targets]”).",
              name=md(ws.title), kind="`indicators`", column="`target`",
              section="`[targets]`"))
    state.show_ignored()
    st.stop()

# ---------------------------------------------------------------- controls
sb = st.sidebar
labels = {lv.id: lv.label for lv in ws.levels}
state.init("sc_level", ws.default_level if ws.default_level in levels else levels[0],
           options=levels)
level = sb.radio(t("Level"), levels, format_func=lambda lv: md(labels[lv]), key="sc_level",
                 horizontal=True)
years = scorecard_years(data, level)
if not years:
    st.info(t("No indicator value with a year at the {level} level: pick another level.",
              level=md(labels[level].lower())))
    state.show_ignored()
    st.stop()
state.init("sc_year", default_year(data, level) or years[-1], options=years, parse=int)
year = sb.selectbox(t("Year"), years, key="sc_year")
tables = {tb.id: tb.display_label for tb in data.allocation_tables(level)}
table = None
if len(tables) > 1:
    state.init("sc_money", next(iter(tables)), options=list(tables))
    table = sb.selectbox(t("Money from"), list(tables), format_func=tables.get, key="sc_money")
state.init("sc_trend", 5, parse=int)
if not 2 <= int(st.session_state["sc_trend"]) <= 10:
    st.session_state["sc_trend"] = 5
trend_years = sb.slider(t("Trend over the last … years"), 2, 10, key="sc_trend")

sc = cache.scorecard(path, level, int(year), table, int(trend_years))
plural = ws.level(level).plural
if sc.problems:
    with st.expander(t("Targets that cannot be used as written ({n})", n=f"{len(sc.problems):,}"),
                     expanded=True):
        for p in sc.problems:
            st.text(p.text())
if not sc.indicators:
    st.info(t("No indicator at the {level} level in {year}: pick another year or level.",
              level=md(labels[level].lower()), year=str(year)))
    state.show_ignored()
    st.stop()

# ---------------------------------------------------------------- sentences
st.subheader(t("{year}: {areas} against each target", year=str(year), areas=md(plural.lower())))
st.markdown("\n".join(f"- {md(sc.sentences[name])}" for name in sc.with_target)
            or t("No indicator has a target in {year}: the map shows the values' status as "
                 "“no target”. Targets are set in the indicators table's {column} column or "
                 "the manifest's {section} section.", year=str(year), column="`target`",
                 section="`[targets]`"))
untargeted = [name for name in sc.indicators if name not in sc.with_target]
if untargeted:
    st.caption(t("No target set for: {indicators}.",
                 indicators="; ".join(md(name) for name in untargeted)))

# ---------------------------------------------------------------- status map
shown = list(sc.judged) or list(sc.indicators)
state.init("sc_indicator", shown[0], options=list(sc.indicators))
indicator = st.selectbox(t("Indicator on the map"), list(sc.indicators), key="sc_indicator")
layer = cache.encoded_layer(path, level)
tracked_map(layer, status_map_view(sc, indicator, layer.region_ids), map_options(ws.settings),
            key="sc_map", level=level)
st.caption(t("Rule for {indicator}: {rule} Trend: least-squares line over the last {n} years, "
             "flat within 1% of the mean.", indicator=md(indicator), rule=md(sc.rules[indicator]),
             n=str(sc.trend_years)))
for note in sc.notes:
    st.caption(md(note))
state.show_ignored()

remember_view(data, path, "scorecard")
export_panel(data, path, page="scorecard")

# ---------------------------------------------------------------- tables
st.subheader(t("{areas} × indicators, {year}", areas=md(plural), year=str(year)))
st.caption(sentences([
    t("Each cell: status (met / at risk / missed / no data / no target) · value. Click a column "
      "header to sort."),
    t("Money per resident: {money}.", money=md(sc.money_label)) if sc.money_label
    else t("Money per resident: not available.")]))
money_header = t("Money per resident ({unit})",
                 unit=unit_label(sc.money_unit.split(" ")[0])) if sc.money_unit \
    else t("Money per resident")
level_label = ws.level(level).label
matrix = styled_status_table(sc)
st.dataframe(matrix, hide_index=True, width="stretch", key="sc_matrix",
             column_config={"region_id": st.column_config.TextColumn(t("Code")),
                            "name": st.column_config.TextColumn(level_label),
                            "money per resident": number_column(
                                money_header, sc.money_unit, matrix.data["money per resident"])})
detail = styled_indicator_table(sc, indicator)
rows = detail.data
unit = next((u for u in rows["unit"] if isinstance(u, str) and u), "")
st.subheader(t("{indicator}, {year}, worst first", indicator=md(indicator), year=str(year)))
st.dataframe(detail, hide_index=True, width="stretch", key="sc_detail",
             column_order=["name", "value", "target", "status", "trend", "change",
                           "money_per_resident", "region_id"],
             column_config={
                 "region_id": st.column_config.TextColumn(t("Code")),
                 "name": st.column_config.TextColumn(level_label),
                 "value": number_column(t("Value"), unit, rows["value"]),
                 "unit": None,
                 "target": number_column(t("Target"), unit, rows["target"]),
                 "status": st.column_config.TextColumn(t("Status")),
                 "trend": st.column_config.TextColumn(
                     t("Trend, last {n} years", n=str(sc.trend_years))),
                 "change": number_column(
                     t("Change over the last {n} years (percentage points)",
                       n=str(sc.trend_years)) if unit.strip() == "%"
                     else t("Change over the last {n} years", n=str(sc.trend_years)),
                     "" if unit.strip() == "%" else unit, rows["change"], signed=True),
                 "money_per_resident": number_column(money_header, sc.money_unit,
                                                     rows["money_per_resident"]),
             })
auth.download_button(st, t("Download the scorecard (CSV)"), csv_bytes(scorecard_csv_frame(sc)),
                     file_name=f"{ws.id}_scorecard_{level}_{year}.csv",
                     view="?" + urlencode(current_params("scorecard")), mime="text/csv",
                     key="sc_download")
state.to_url(["ws", "sc_level", "sc_year", "sc_money", "sc_trend", "sc_indicator"])
