"""Money and results: funding per resident against an outcome indicator, on one map."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from geodata.dataset import MeasureSpec
from layers.bivariate import build_bivariate, legend_html
from ui import cache, controls, overlays, state
from ui.mapview import map_options, show_map
from ui.text import md

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title("Money and results")

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
state.init("bv_indicator", names[0], options=names)
ind = st.sidebar.selectbox("Outcome indicator", names, key="bv_indicator")   # options: plain text
years = catalogue[ind]["years"]
state.init("bv_indicator_year", years[-1], options=years, parse=int)
ind_year = st.sidebar.selectbox("Outcome year", years, key="bv_indicator_year")

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
