"""Analysis: outliers, hot spots, peer groups, what money predicts, overlapping funding."""
from __future__ import annotations

import streamlit as st

from locales import t
from ui import analysis as an
from ui import analysis_models as models
from ui import controls, state

data, path = controls.page_setup()
if data is None:
    st.stop()
st.title(t("Analysis"))
state.show_ignored()
view = an.view_picker()
if view in ("outliers", "hotspots"):
    picked = an.mapped_measure(data, path)
    if picked is None:
        st.stop()
    spec, mv = picked
    (an.outliers if view == "outliers" else an.hotspots)(data, path, spec, mv)
    state.to_url([*an.MEASURE_KEYS, *an.MAP_KEYS])
elif view in ("peers", "predicts"):
    level = an.level_picker(data)
    year = an.sidebar_years(data, level)
    if year is None:
        st.info(t("No money or indicator at this level to analyse."))
        st.stop()
    (models.peers if view == "peers" else models.predicts)(data, path, level, year)
    state.to_url(["an_view", "an_level", *(models.PEER_KEYS if view == "peers"
                                           else models.PREDICT_KEYS)])
else:
    an.overlap(data, path)
