"""The Analysis page's overlapping funding: line items funding one recipient more than once."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import AnalysisError
from analysis import overlap as OV
from geodata.dataset import WorkspaceData
from geodata.files import csv_bytes
from locales import t

from . import auth, cache, state
from .mapview import map_options, show_map
from .text import md

SHOWN_ROWS = 500
#: The view's keys in the URL (and the audit log's link of a download): a link reopens it.
OVERLAP_KEYS = ["ws", "an_view", "an_ov_level", "an_ov_measure"]


def overlap(data: WorkspaceData, path: str) -> bool:
    """The view; True when it drew a map (the check ran and has a level to map by)."""
    drawn = _overlap(data, path)
    state.to_url(OVERLAP_KEYS)
    return drawn


def _overlap(data: WorkspaceData, path: str) -> bool:
    ws = data.ws
    try:
        result = cache.overlap_result(path)
    except AnalysisError as exc:
        st.info(md(str(exc)), icon=":material/block:")
        return False
    if result is None:
        st.info(t(OV.NO_LINE_ITEMS, section="`[overlap]`"))
        return False
    for line in OV.summary_lines(result):
        st.markdown(md(line))
    method, drawn = str(result.method), False
    levels = [lv for lv in result.rules.area_columns if lv in {x.id for x in ws.levels}]
    if levels:
        labels = {lv.id: lv.label for lv in ws.levels}
        state.init("an_ov_level", levels[0], options=levels)
        state.init("an_ov_measure", "pair_amount", options=list(OV.AREA_MEASURES))
        c1, c2 = st.columns(2)
        c1.radio(t("Map by"), levels, key="an_ov_level", horizontal=True,
                 format_func=lambda lv: md(labels[lv]))
        c2.radio(t("Money shown"), list(OV.AREA_MEASURES), key="an_ov_measure",
                 format_func=lambda m: t(OV.AREA_MEASURES[m]))
        level, measure = st.session_state["an_ov_level"], st.session_state["an_ov_measure"]
        layer = cache.encoded_layer(path, level)
        amap = OV.overlap_map(data, level, measure, layer.region_ids, result=result)
        show_map(layer, amap.view, map_options(ws.settings), key="an_overlap_map")
        for note in amap.notes:
            st.caption(md(note))
        method, drawn = amap.methodology, True
    frames = OV.export_frames(result)
    for name, frame in frames.items():
        st.subheader(t(OV.EXPORT_TITLES[name]) if name in OV.EXPORT_TITLES else md(name))
        st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch")
        if len(frame) > SHOWN_ROWS:
            st.caption(t("The first {n} of {total} rows; the CSV has them all.",
                         n=f"{SHOWN_ROWS:,}", total=f"{len(frame):,}"))
        auth.download_button(st, t("Download (CSV)"), csv_bytes(frame),
                             file_name=f"{ws.id}_overlap_{_slug(name)}.csv", mime="text/csv",
                             key=f"dl_overlap_{_slug(name)}",
                             view=state.view_link(OVERLAP_KEYS, "analysis"))
    st.caption(md(method))
    for p in result.problems:
        st.warning(md(str(p)))
    if len(result.excluded):
        st.dataframe(pd.DataFrame(result.excluded), hide_index=True)
    return drawn


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:40] or "table"
