"""Hearing: prepare a sequence of saved views, present it full screen, hand out the PDF."""
from __future__ import annotations

import streamlit as st

from exports.maps import frame_problems
from exports.views_store import ViewsError
from geodata.viewstate import drawable_levels
from locales import t, tn
from ui import auth, controls, hearing, state
from ui.exports_panel import import_notes, views_file
from ui.text import md

data, path = controls.page_setup()
if data is None:
    st.stop()
if not drawable_levels(data):
    st.title(t("Hearing"))
    st.info(t("This workspace has no allocations or indicators to map yet, so there is no "
              "view to save or present. The Data quality page lists what could not be read."))
    st.stop()
store = auth.views_store(data.ws)
editor = auth.can("editor")

state.init("present", False, parse=state.parse_bool)
state.init("slide", 1, parse=int)
state.init("screen", "1920x1080", options=list(hearing.SCREENS))
try:
    (views, views_repairs), views_error = store.read(), None
except ViewsError as exc:
    views, views_repairs, views_error = [], [], str(exc)
n = len(views)
if not 1 <= int(st.session_state["slide"]) <= max(n, 1):
    st.session_state["slide"] = 1

if st.session_state["present"] and n:
    hearing.present(data, path, views)
    state.to_url(["present", "slide", "screen"])
    st.stop()

# ========================================================================= preparing
st.session_state["present"] = False
st.title(t("Hearing"))
st.caption(t("Save views from the One map page (the “Export or save this view” switch) or "
             "below, put them in order, then present them full screen and hand out the "
             "hearing pack (PDF)."))
if views_error:
    st.error(t("{problem} The file was left as it is; fix it or remove it to save new views.",
               problem=md(views_error)))
for msg in views_repairs:
    st.warning(md(msg))
change_error = st.session_state.pop("_views_change_error", None)
if change_error:
    st.error(md(change_error))
import_notes()
for msg in frame_problems(data):
    st.warning(t("Map frame option ignored: {problem}", problem=md(msg)))

c1, c2, c3 = st.columns([1.2, 1, 1.4], vertical_alignment="bottom")
start = c2.number_input(t("Start at view"), 1, max(n, 1), key="start_at", disabled=not n)
c3.selectbox(t("Projector"), list(hearing.SCREENS), key="screen",
             format_func=lambda s: s.replace("x", " × "))
c1.button(tn("▶ Present ({n} view)", "▶ Present ({n} views)", n), type="primary",
          key="present_btn", disabled=not n, on_click=hearing.set_presenting,
          args=(True, int(start)), width="stretch")

st.subheader(t("Sequence"))
if not views and not views_error:
    st.info(t("No saved views yet. Open the One map page, set up a view and switch on “Export "
              "or save this view” under the map, or save the current view below."))
hearing.sequence(views, store, editable=editor)
if editor:
    hearing.save_a_view(data, path)
hearing.handouts(data, path, store, views)

st.subheader(t("Views file"))
views_file(store, error=views_error, can_import=editor)

state.to_url(["present", "slide", "screen"])
