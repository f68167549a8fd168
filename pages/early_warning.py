"""Early warning: which areas fall behind their pace of spending this fiscal year."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from geodata.files import csv_bytes
from geodata.workspace import ManifestError
from locales import t
from performance.early_warning import LEGEND_LABELS, flags_frame, pace_view
from ui import auth, cache, controls, state
from ui import early_warning as ew_ui
from ui.exports_panel import current_params, export_panel, remember_view
from ui.mapview import map_options, tracked_map
from ui.text import md, sentences

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
try:
    cfg = cache.early_warning_config(path)
except ManifestError as exc:
    st.title(t("Early warning"))
    st.error(t("The {section} section of this workspace's manifest cannot be used:",
               section="`[early_warning]`") + "\n\n" +
             "\n".join(f"- {md(p)}" for p in exc.problems))
    st.stop()

pick = ew_ui.view_picker(path, cfg, ws.fiscal_year_label, ws.fiscal_year_start_month)
if isinstance(pick, str):
    st.title(t("Early warning"))
    st.info(md(pick))
    state.show_ignored()
    st.stop()
try:
    ew = cache.early_warning(path, pick.year, pick.period, pick.step, pick.rule)
except ValueError as exc:
    st.title(t("Early warning"))
    st.error(md(str(exc)))
    st.stop()
level = ws.level(ew.level)

st.title(t("Early warning: {table}, {view}", table=md(ew.table_label), view=md(ew.view_text)))
st.markdown(md(ew.rule_sentence()))
counts = ew.counts()
for col, status in zip(st.columns(len(counts)), counts):
    col.metric(t(LEGEND_LABELS[status]), f"{counts[status]:,}")
if len(ew.flags) and counts.get("no data", 0) == len(ew.flags):
    st.warning(t("No {areas} can be judged at the end of {view}: every one lacks the "
                 "spending or the expected amount it needs (the reason of each is in the list "
                 "below). Pick an earlier period or another rule.",
                 areas=md(level.plural.lower()), view=md(ew.view_text)))

layer = cache.encoded_layer(path, ew.level)
shows = ew_ui.map_picker(ew)
tracked_map(layer, pace_view(layer.region_ids, ew, shows), map_options(ws.settings),
            key="ew_map_view", level=ew.level)
for note in ew.notes:
    st.caption(md(note))
state.show_ignored()

remember_view(data, path, "early_warning")
export_panel(data, path, page="early_warning")

st.subheader(t("{areas}, most behind first", areas=md(level.plural)))
ew_ui.ranked_table(ew, level_label=level.label)
auth.download_button(st, t("Download the ranked list (CSV)"), csv_bytes(flags_frame(ew)),
                     file_name=f"{ws.id}_early_warning_{pick.year}_"
                               f"{ew.view_text.split()[-1]}.csv",
                     view="?" + urlencode(current_params("early_warning")), mime="text/csv",
                     key="ew_download")

if cfg.by:
    by_ew = cache.early_warning(path, pick.year, pick.period, pick.step, pick.rule, cfg.by)
    st.subheader(t("By {level} and {by}", level=md(level.label.lower()), by=md(cfg.by)))
    ew_ui.ranked_table(by_ew, level_label=level.label)
    auth.download_button(st, t("Download by {by} (CSV)", by=cfg.by),
                         csv_bytes(flags_frame(by_ew)),
                         file_name=f"{ws.id}_early_warning_{pick.year}_by_{cfg.by}.csv",
                         view="?" + urlencode(current_params("early_warning")),
                         mime="text/csv", key="ew_download_by")
if ew.problems:
    with st.expander(t("Plan and spending do not match ({n})", n=f"{len(ew.problems):,}"),
                     expanded=True):
        for p in ew.problems:
            st.text(p.text())
sources = t("Table “{table}”, plan “{plan}”.", table=md(cfg.table), plan=md(cfg.plan_table)) \
    if cfg.plan_table else t("Table “{table}”.", table=md(cfg.table))
st.caption(sentences([md(ws.title) + ".",
                     md(ws.fiscal_year_text(pick.year)), sources]))
