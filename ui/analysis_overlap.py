"""The Analysis page's overlapping funding: line items funding one recipient more than once."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import AnalysisError
from analysis import overlap as OV
from geodata.dataset import WorkspaceData
from geodata.files import csv_bytes
from layers.choropleth import build_choropleth
from layers.classify import format_number
from layers.numbers import unit_label
from locales import N_, t

from . import auth, cache, state
from .mapview import map_options, show_map
from .text import md

AREA_MEASURES = {"pair_amount": N_("Money in possible duplicate awards"),
                 "multi_amount": N_("Money to recipients funded more than once")}
SHOWN_ROWS = 500
OVERLAP_KEYS = ["an_view", "an_ov_level", "an_ov_measure"]


def overlap(data: WorkspaceData, path: str) -> None:
    ws = data.ws
    try:
        result = cache.overlap_result(path)
    except AnalysisError as exc:
        st.info(md(str(exc)), icon=":material/block:")
        return
    if result is None:
        st.info(t("This workspace has no line-item table to check: an {section} section in "
                  "its manifest names the table and its columns (the NYC Council demo "
                  "workspace has one).", section="`[overlap]`"))
        return
    for line in OV.summary_lines(result):
        st.markdown(md(line))
    levels = [lv for lv in result.rules.area_columns if lv in {x.id for x in ws.levels}]
    if levels:
        labels = {lv.id: lv.label for lv in ws.levels}
        state.init("an_ov_level", levels[0], options=levels)
        state.init("an_ov_measure", "pair_amount", options=list(AREA_MEASURES))
        c1, c2 = st.columns(2)
        c1.radio(t("Map by"), levels, key="an_ov_level", horizontal=True,
                 format_func=lambda lv: md(labels[lv]))
        c2.radio(t("Money shown"), list(AREA_MEASURES), key="an_ov_measure",
                 format_func=lambda m: t(AREA_MEASURES[m]))
        level, measure = st.session_state["an_ov_level"], st.session_state["an_ov_measure"]
        flags = OV.flagged_by_area(result, level)
        layer = cache.encoded_layer(path, level)
        view = build_choropleth(layer.region_ids, flags.values[measure].astype(float),
                                title=t(AREA_MEASURES[measure]), unit=ws.currency,
                                subtitle=unit_label(ws.currency), k=5, palette="YlOrRd")
        show_map(layer, view, map_options(ws.settings), key="an_overlap_map")
        not_placed = flags.not_placed.get(measure, 0.0)
        if not_placed:
            st.caption(t("{amount} of it is in line items with no {level} (not placed on the "
                         "map).", amount=md(format_number(not_placed, ws.currency)),
                         level=md(labels[level].lower())))
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
    st.caption(md(result.method))
    for p in result.problems:
        st.warning(md(str(p)))
    if len(result.excluded):
        st.dataframe(pd.DataFrame(result.excluded), hide_index=True)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:40] or "table"
