"""Per capita: which areas received the most per resident over a span of years, and how that
changed: one year at a time, the change between two years, or two maps side by side."""
from __future__ import annotations

import streamlit as st

from ui import controls, per_capita, per_capita_maps, state

data, path = controls.page_setup()
if data is None:
    st.stop()
pc = per_capita.setup(data, path)
if pc is None:
    st.stop()

view = per_capita.header(pc)
if view == "change":
    per_capita_maps.change_view(pc)
elif view == "compare":
    per_capita_maps.compare_view(pc)
else:
    per_capita_maps.time_view(pc)

state.to_url(per_capita.PC_KEYS)
