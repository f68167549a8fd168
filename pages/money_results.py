"""Money and results: funding per resident against an outcome indicator, on one map, and both
over the years. The money years follow the outcome's year unless the user moves them."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from geodata import trend as T
from geodata.dataset import MeasureSpec
from layers.bivariate import build_bivariate, legend_html
from layers.classify import format_number
from layers.trend_chart import trend_chart
from ui import cache, controls, overlays, state
from ui.mapview import map_options, show_map
from ui.text import md

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
st.title("Money and results")

pairing = pair_money_years(data)
money = controls.measure_controls(data, prefix="bv_", allowed=("per_capita", "total"))
if money is None:
    st.info("This level has no funding table to compare with outcomes.")
    st.stop()
catalogue = data.indicator_catalogue(money.level)
if not catalogue:
    st.info(f"There is no outcome indicator at the {md(ws.level(money.level).label.lower())} level "
            "of this workspace. Pick another level.")
    st.stop()
names = list(catalogue)
state.init("bv_indicator", names[0], options=names)     # set by pair_money_years already
ind = st.sidebar.selectbox("Outcome indicator", names, key="bv_indicator")   # options: plain text
years = catalogue[ind]["years"]
state.init("bv_indicator_year", years[-1], options=years, parse=int)
ind_year = st.sidebar.selectbox("Outcome year", years, key="bv_indicator_year",
                                help="The money years are set to this year when it changes.")

x = cache.values(path, money)
y = cache.values(path, MeasureSpec(level=money.level, measure="indicator", indicator=ind,
                                   indicator_year=int(ind_year)))
drawn = overlays.overlay_picker(data, path, money.level, key="bv_overlays")
layer = cache.encoded_layer(path, money.level)
direction = catalogue[ind].get("direction", "")
view, legend = build_bivariate(layer.region_ids, x.values, y.values, x_label="Money",
                               y_label=ind, x_unit=x.unit, y_unit=y.unit,
                               population=x.population)

st.caption(f"Money: {md(x.label)}. Outcome: {md(y.label)}"
           + (f" ({md(direction.replace('_', ' '))})" if direction else "") + ".")
if pairing is not None and pairing.note:
    st.info(md(pairing.note))
elif money.span is not None and (note := T.span_note(money.span, int(ind_year), fy)):
    st.caption(md(note))
for note in (*x.notes, *y.notes):
    st.caption(md(note))
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
    st.caption("Each region is placed in a third (low, middle, high) of money and of the "
               "outcome. Dark: much money and a high outcome value; one hue: much money, low "
               "outcome; the other hue: high outcome, little money; light grey: low on both.")

state.to_url(["ws", "bv_level", "bv_measure", "bv_table", "bv_years", "bv_agencies",
              "bv_indicator", "bv_indicator_year", "bv_overlays"])

both = pd.DataFrame({"money": x.values, "outcome": y.values}).dropna()
st.subheader("Where money and results diverge")
if len(both) >= 3:
    corr = both["money"].corr(both["outcome"], method="spearman")
    st.write(f"Rank correlation between money and {md(ind.lower())}: {corr:+.2f} "
             f"over {len(both):,} regions with both values.")
nm = data.names(money.level)
both["name"] = [nm.get(i, i) for i in both.index]
st.dataframe(both.reset_index().sort_values("money", ascending=False), hide_index=True,
             width="stretch")

# ------------------------------------------------------------------ over time
st.subheader("Money against results over time")
plural = ws.level(money.level).plural
if data.population(money.level).empty:
    st.info(f"The {md(plural.lower())} have no population table: money per resident over time "
            "cannot be shown.")
    st.stop()
region_ids = sorted(layer.region_ids, key=lambda r: (nm.get(r, r), r))
state.init("bv_trend_region", "", options=["", *region_ids])
region = st.selectbox("Over time for", ["", *region_ids], key="bv_trend_region",
                      format_func=lambda r: f"The whole map (all {plural.lower()})" if r == ""
                      else nm.get(r, r))
trend = T.money_outcome_trend(data, money, ind, region or None,
                              values=lambda spec: cache.values(path, spec))
money_title = f"Money per resident ({trend.money_unit.split(' ')[0]})"
outcome_title = ind
st.altair_chart(trend_chart(trend.frame, money_title=money_title, outcome_title=outcome_title),
                width="stretch")
st.caption(f"Money per resident of each {md(fy)} alone (the map's per-resident figure for that "
           f"year), with the outcome of the same calendar year. "
           + " ".join(md(n) for n in trend.notes))

paired = T.paired_years(trend.frame)
periods = T.default_periods(paired)
if periods is None:
    st.info("Fewer than two years have both money and an outcome value: there is no change "
            "to compare.")
else:
    c1, c2 = st.columns(2)
    chosen = []
    for col, k, default, label in ((c1, "bv_first", periods[0], "First period"),
                                   (c2, "bv_second", periods[1], "Second period")):
        state.init(k, default, parse=state.parse_span)
        # As for the fiscal years: a range slider gets its range as `value`, not through state.
        cur = st.session_state.pop(k)
        if not (isinstance(cur, tuple) and len(cur) == 2 and cur[0] in paired and cur[1] in paired):
            cur = default
        chosen.append(col.select_slider(label, options=paired, value=cur, key=k))
    res = T.change_per_dollar(trend.frame, tuple(chosen[0]), tuple(chosen[1]))
    scale = T.per_dollar_scale(res)
    money_unit = trend.money_unit.split(" ")[0] or ws.currency
    span_text = lambda s: f"{s[0]}" if s[0] == s[1] else f"{s[0]}–{s[1]}"  # noqa: E731
    st.dataframe(pd.DataFrame({
        "": [f"Money per resident per year ({money_unit}), mean", f"{ind}, mean"],
        f"first: {span_text(res.first)}": [res.money_first, res.outcome_first],
        f"second: {span_text(res.second)}": [res.money_second, res.outcome_second],
        "change": [res.money_change, res.outcome_change],
    }), hide_index=True, width="stretch")
    if pd.notna(res.per_dollar):
        # Both amounts escaped: two bare "$" in one line would be read as maths.
        per_text = "per dollar" if scale == 1 else f"per {md(format_number(scale, money_unit))}"
        st.write(f"Change in {md(ind.lower())} {per_text} of change in yearly money per "
                 f"resident, {md(span_text(res.first))} → {md(span_text(res.second))}: "
                 f"**{md(T.change_text(res.per_dollar * scale, trend.outcome_unit))}**.")
    else:
        st.write("Money per resident did not change between the two periods (or a period has "
                 "no year with both values): there is no change per dollar to show.")
    st.caption(md(T.CAVEAT))

state.to_url(["bv_trend_region", "bv_first", "bv_second"])
