"""Roads: pavement condition by area against targets, drawn over the funding map."""
from __future__ import annotations

import streamlit as st

from locales import t
from ui import controls, roads, roads_tabs
from ui.exports_panel import export_panel, remember_view

data, path = controls.page_setup()
if data is None:
    st.stop()
st.title(t("Roads: condition against targets, and the money"))

r = roads.open_roads(data, path)        # says why and stops when the workspace has no roads
roads.sidebar(r)
rc = r.condition()
roads.headline(r, rc)
roads.town_map(r, rc)
remember_view(data, path, "roads")
export_panel(data, path, page="roads")
roads_tabs.below_the_map(r, rc)
