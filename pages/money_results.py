"""Money and results: funding per resident against an outcome indicator, on one map, and both
over the years. The money years follow the outcome's year unless the user moves them."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from geodata import trend as T
from geodata.dataset import MeasureSpec
from layers.bivariate import build_bivariate, legend_html
from layers.classify import format_number
from layers.numbers import unit_label
from layers.trend_chart import trend_chart
from locales import t
from ui import cache, controls, overlays, state
from ui.mapview import map_options, show_map
from ui.text import md, number_column, sentences

PAIRED = "_bv_paired"      # (level, table, indicator, year) the money years were last set for


def pair_money_years(data) -> T.Pairing | None:
    """Before the sidebar is drawn: the outcome chosen (or its default), and the money years
    set to its year when the outcome, its year, the level or the table changed. A link's own
    money years are kept on the first run."""
    ws = data.ws
    levels = [lv.id for lv in ws.levels]
    state.init("bv_level", ws.default_level or levels[0], options=levels)
    level = st.session_state["bv_level"]
    catalogue = data.indicator_catalogue(level)
    tables = [t.id for t in data.allocation_tables(level)]
    if not catalogue or not tables:
        return None
    state.init("bv_table", tables[0], options=tables)
    table = st.session_state["bv_table"]
    lo, hi = data.years(table)
    fiscal_years = list(range(lo, hi + 1))
    names = list(catalogue)
    state.init("bv_indicator", T.default_indicator(catalogue, fiscal_years), options=names)
    ind = st.session_state["bv_indicator"]
    years = catalogue[ind]["years"]
    state.init("bv_indicator_year", T.default_indicator_year(years, fiscal_years),
               options=years, parse=int)
    follow = T.follow_outcome(st.session_state.get(PAIRED), level, table, ind,
                              st.session_state["bv_indicator_year"], years, fiscal_years,
                              link_has_money_years=bool(st.query_params.get("bv_years")),
                              fy_label=ws.fiscal_year_label)
    st.session_state["bv_indicator_year"] = follow.year
    if follow.money_years is not None:
        st.session_state["bv_years"] = follow.money_years
    st.session_state[PAIRED] = follow.key
    return follow.pairing


data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
fy = ws.fiscal_year_label
st.title(t("Money and results"))

pairing = pair_money_years(data)
# Money per resident by default: totals mostly follow population, which says little about
# results. Where there is no population the controls fall back to the total.
state.init("bv_measure", "per_capita", options=("per_capita", "total"))
money = controls.measure_controls(data, prefix="bv_", allowed=("per_capita", "total"))
if money is None:
    st.info(t("There is no money at the {level} level of this workspace to compare with "
              "outcomes. Pick another level in the sidebar.",
              level=md(ws.level(st.session_state["bv_level"]).label.lower())))
    state.show_ignored()
    st.stop()
catalogue = data.indicator_catalogue(money.level)
if not catalogue:
    st.info(t("There is no outcome indicator at the {level} level of this workspace: money "
              "cannot be compared with results here. Pick another level in the sidebar.",
              level=md(ws.level(money.level).label.lower())))
    state.show_ignored()
    st.stop()
names = list(catalogue)
state.init("bv_indicator", names[0], options=names)     # set by pair_money_years already
ind = st.sidebar.selectbox(t("Outcome indicator"), names, key="bv_indicator")   # plain text
years = catalogue[ind]["years"]
state.init("bv_indicator_year", years[-1], options=years, parse=int)
ind_year = st.sidebar.selectbox(t("Outcome year"), years, key="bv_indicator_year",
                                help=t("The money years are set to this year when it changes."))

x = cache.values(path, money)
y = cache.values(path, MeasureSpec(level=money.level, measure="indicator", indicator=ind,
                                   indicator_year=int(ind_year)))
drawn = overlays.overlay_picker(data, path, money.level, key="bv_overlays")
layer = cache.encoded_layer(path, money.level)
direction = catalogue[ind].get("direction", "")
view, legend = build_bivariate(layer.region_ids, x.values, y.values, x_label=t("Money"),
                               y_label=ind, x_unit=x.unit, y_unit=y.unit,
                               population=x.population)

if direction in T.DIRECTIONS:
    st.caption(t("Money: {money}. Outcome: {outcome} ({direction}).", money=md(x.label),
                 outcome=md(y.label), direction=t(T.DIRECTIONS[direction])))
else:
    st.caption(t("Money: {money}. Outcome: {outcome}.", money=md(x.label), outcome=md(y.label)))
state.show_ignored()
if pairing is not None and pairing.note:
    st.info(md(pairing.note))
elif money.span is not None and (note := T.span_note(money.span, int(ind_year), fy)):
    st.caption(md(note))
for note in (*x.notes, *y.notes):
    st.caption(md(note))
nm = data.names(money.level)
plural = ws.level(money.level).plural
both = T.divergence_table(x.values, y.values, nm)
if both.empty:
    st.warning(t("No {areas} have both money and a value of {indicator} in {year}: the map is "
                 "grey. Pick another outcome year or outcome.", areas=md(plural.lower()),
                 indicator=md(ind), year=str(ind_year)))
col_map, col_legend = st.columns([4, 1])
with col_map:
    # The 3×3 grid beside the map is the legend; a list of nine classes on the map would
    # only hide part of it.
    show_map(layer, replace(view, legend=()), map_options(ws.settings), key="bivariate_map",
             overlays=overlays.payload(drawn))
    overlays.captions(drawn)
with col_legend:
    # st.html, not st.markdown: the legend's labels (escaped by legend_html) are never read as
    # Markdown, which a blank line inside an HTML block in st.markdown would allow.
    st.html(legend_html(legend))
    st.caption(t("Each area is placed in a third (low, middle, high) of money and of the "
                 "outcome. Dark: much money and a high outcome value; one hue: much money, low "
                 "outcome; the other hue: high outcome, little money; light grey: low on both."))

state.to_url(["ws", "bv_level", "bv_measure", "bv_table", "bv_years", "bv_agencies",
              "bv_indicator", "bv_indicator_year", "bv_overlays"])

st.subheader(t("Where money and results diverge"))
if len(both) >= 3:
    st.write(t("Rank correlation between money and {indicator}: {corr} over {n} areas with "
               "both values (+1: the more money, the higher the outcome; −1: the reverse; 0: "
               "no relation).", indicator=md(ind), corr=f"{T.rank_correlation(both):+.2f}",
               n=f"{len(both):,}"))
level_label = ws.level(money.level).label
money_label = t("Money per resident ({unit})", unit=unit_label(x.unit.split(" ")[0])) \
    if money.measure == "per_capita" else t("Total amount ({unit})", unit=unit_label(x.unit))
outcome_label = f"{ind}, {ind_year}"
st.dataframe(both, hide_index=True, width="stretch", key="bv_table_view",
             column_order=["name", "money", "outcome", "money_rank", "outcome_rank"],
             column_config={
                 "region_id": None,
                 "name": st.column_config.TextColumn(level_label),
                 "money": number_column(money_label, x.unit, both["money"]),
                 "outcome": number_column(outcome_label, y.unit, both["outcome"]),
                 "money_rank": st.column_config.NumberColumn(
                     t("Rank by money"), format="%d", help=t("1 = the most money")),
                 "outcome_rank": st.column_config.NumberColumn(
                     t("Rank by outcome"), format="%d",
                     help=t("1 = the highest value of the outcome")),
             })

# ------------------------------------------------------------------ over time
st.subheader(t("Money against results over time"))
if data.population(money.level).empty:
    st.info(t("The {areas} have no population table: money per resident over time cannot be "
              "shown.", areas=md(plural.lower())))
    st.stop()
region_ids = sorted(layer.region_ids, key=lambda r: (nm.get(r, r), r))
state.init("bv_trend_region", "", options=["", *region_ids])
region = st.selectbox(t("Over time for"), ["", *region_ids], key="bv_trend_region",
                      format_func=lambda r: t("The whole map (all {areas})",
                                              areas=plural.lower()) if r == ""
                      else nm.get(r, r))
trend = T.money_outcome_trend(data, money, ind, region or None,
                              values=lambda spec: cache.values(path, spec))
currency = trend.money_unit.split(" ")[0] or ws.currency
money_title = t("Money per resident ({unit})", unit=unit_label(currency))
outcome_title = ind
st.altair_chart(trend_chart(trend.frame, money_title=money_title, outcome_title=outcome_title,
                            money_unit=currency, outcome_unit=trend.outcome_unit),
                width="stretch")
last_year = int(trend.frame["year"].max()) if len(trend.frame) else None
st.caption(sentences([
    t("Money per resident of each fiscal year alone (the map's per-resident figure for that "
      "year), with the outcome of the same calendar year."),
    *([md(ws.fiscal_year_text(last_year))] if last_year else []),
    *(md(n) for n in trend.notes)]))

paired = T.paired_years(trend.frame)
periods = T.default_periods(paired)
if periods is None:
    st.info(t("Fewer than two years have both money and an outcome value: there is no change "
              "to compare."))
else:
    c1, c2 = st.columns(2)
    chosen = []
    for col, k, default, label in ((c1, "bv_first", periods[0], t("First period")),
                                   (c2, "bv_second", periods[1], t("Second period"))):
        state.init(k, default, parse=state.parse_span)
        # As for the fiscal years: a range slider gets its range as `value`, not through state.
        cur = st.session_state.pop(k)
        if not (isinstance(cur, tuple) and len(cur) == 2 and cur[0] in paired and cur[1] in paired):
            cur = default
        chosen.append(col.select_slider(label, options=paired, value=cur, key=k))
    res = T.change_per_dollar(trend.frame, tuple(chosen[0]), tuple(chosen[1]))
    scale = T.per_dollar_scale(res)
    first, second = T.span_text(res.first), T.span_text(res.second)
    st.dataframe(T.period_rows(res, currency, ind, trend.outcome_unit), hide_index=True,
                 width="stretch", column_config={
                     "what": st.column_config.TextColumn(""),
                     "first": st.column_config.TextColumn(t("First period: {years}",
                                                            years=first)),
                     "second": st.column_config.TextColumn(t("Second period: {years}",
                                                             years=second)),
                     "change": st.column_config.TextColumn(t("Change"))})
    if pd.notna(res.per_dollar):
        # Both amounts escaped: two bare "$" in one line would be read as maths.
        change = md(T.change_text(res.per_dollar * scale, trend.outcome_unit))
        if scale == 1:
            st.write(t("Change in {indicator} per dollar of change in yearly money per "
                       "resident, {first} → {second}: **{change}**.", indicator=md(ind),
                       first=md(first), second=md(second), change=change))
        else:
            st.write(t("Change in {indicator} per {amount} of change in yearly money per "
                       "resident, {first} → {second}: **{change}**.", indicator=md(ind),
                       amount=md(format_number(scale, currency)), first=md(first),
                       second=md(second), change=change))
    else:
        st.write(t("Money per resident did not change between the two periods (or a period has "
                   "no year with both values): there is no change per dollar to show."))
    st.caption(t(T.CAVEAT))

state.to_url(["bv_trend_region", "bv_first", "bv_second"])
