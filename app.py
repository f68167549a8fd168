"""Fiscal map dashboard: where the money goes and what it achieves, on one map.

Entry point only: page set-up, the workspace picker shared by every page, and navigation.
"""
import streamlit as st

from ui import controls

st.set_page_config(page_title="Fiscal map", page_icon=":material/map:", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True, url_path="overview"),
    st.Page("pages/one_map.py", title="One map", icon=":material/map:", url_path="one_map"),
    st.Page("pages/money_results.py", title="Money and results", icon=":material/target:",
            url_path="money_results"),
    st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:", url_path="data_quality"),
    st.Page("pages/sources.py", title="Sources", icon=":material/menu_book:", url_path="sources"),
]

nav = st.navigation(PAGES)
controls.workspace_picker()
nav.run()
