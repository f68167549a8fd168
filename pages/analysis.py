"""Analysis: outliers, hot spots, peer groups, what money predicts, overlapping funding."""
from __future__ import annotations

import streamlit as st

from locales import t
from ui import analysis as an
from ui import analysis_models as models
from ui import controls, state
from ui.exports_panel import export_panel, remember_view

data, path = controls.page_setup()
if data is None:
    st.stop()
st.title(t("Analysis"))
# Link values are checked as each view reads its settings: the warning about ignored ones
# is written above the view once they have all been read.
notice = st.container()
try:
    view = an.view_picker()
    if view in ("outliers", "hotspots"):
        picked = an.mapped_measure(data, path)
        if picked is None:
            st.stop()
        spec, mv = picked
        drawn = (an.outliers if view == "outliers" else an.hotspots)(data, path, spec, mv)
        state.to_url([*an.MEASURE_KEYS, *an.MAP_KEYS])
    elif view in ("peers", "predicts"):
        level = an.level_picker(data)
        year = an.sidebar_years(data, level)
        if year is None:
            st.info(t("No money or indicator at this level to analyse."))
            st.stop()
        drawn = (models.peers if view == "peers" else models.predicts)(data, path, level, year)
        state.to_url(["ws", "an_view", "an_level", *(models.PEER_KEYS if view == "peers"
                                                     else models.PREDICT_KEYS)])
    else:
        drawn = an.overlap(data, path)
        drawn = drawn if drawn is not None else an.can_map_overlap(data)
finally:
    with notice:
        state.show_ignored()
if drawn is not False:
    # the view as a link for the Hearing page, and its downloads (drawn by the same recipe)
    remember_view(data, path, "analysis")
    export_panel(data, path, page="analysis")
