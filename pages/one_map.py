"""One Map: how much money each area gets, how it is spread, and what it achieved."""
from __future__ import annotations

import streamlit as st

from geodata.figures import key_figures
from geodata.viewstate import ClassSpec, boundaries_only, colour_view
from locales import t
from ui import cache, controls, overlays, state
from ui import one_map as part
from ui.exports_panel import export_panel, remember_view
from ui.mapview import map_options, tracked_map
from ui.text import md

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws

spec = controls.measure_controls(data)
if spec is None:
    # Nothing to measure at this level: the boundaries (and any overlays) are still a map.
    level = st.session_state["level"]
    st.title(md(ws.level(level).plural))
    st.caption(t("No money or indicator at this level yet: the boundaries are drawn without "
                 "values, with the overlays chosen in the sidebar.") if ws.overlays else
               t("No money or indicator at this level yet: the boundaries are drawn without "
                 "values."))
    drawn = overlays.overlay_picker(data, path, level)
    layer = cache.encoded_layer(path, level)
    blank = boundaries_only(layer.region_ids, ws.level(level).plural)
    tracked_map(layer, colour_view(layer.region_ids, blank, ClassSpec()),
                map_options(ws.settings), key="one_map", level=level,
                overlays=overlays.payload(drawn))
    st.stop()
try:
    mv = cache.values(path, spec)
except ValueError as exc:
    st.error(md(str(exc)))
    st.stop()
cls = controls.class_controls(diverging=mv.diverging)
drawn = overlays.overlay_picker(data, path, spec.level)
layer = cache.encoded_layer(path, spec.level)

state.init("region", "")
if st.session_state["region"] and st.session_state["region"] not in data.names(spec.level):
    st.session_state["region"] = ""
view = colour_view(layer.region_ids, mv, cls, st.session_state["region"] or None)
view, marks = part.mark(view, mv)       # "Mark outliers": outlined, as every export does
figures = key_figures(data, spec.level, mv)        # the figures every surface shows
empty = part.empty_sentence(data, spec, mv, figures)

# The title and key figures sit above the map but are filled in after it: the map goes to
# the browser first and starts loading while they are computed.
header = st.container()

# ---------------------------------------------------------------- map
if empty is None:
    clicked = tracked_map(layer, view, map_options(ws.settings), key="one_map",
                          level=spec.level, overlays=overlays.payload(drawn))
    if clicked:
        st.session_state["region"] = clicked
        st.session_state["panel"] = "detail"
        st.rerun()
else:
    part.empty_state(*empty)

with header:
    part.header(data, spec, mv, figures, empty)
part.caption(data, spec, view, clickable=empty is None)
overlays.captions(drawn)
part.outlier_list(data, spec, mv, marks)

state.to_url([key for key in controls.VIEW_KEYS] + ["average", "overlays"])
remember_view(data, path, "one_map")
export_panel(data, path)

# ---------------------------------------------------------------- below the map
part.below_the_map(data, spec, mv, view, layer.region_ids, marks)
