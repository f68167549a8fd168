"""Fiscal map dashboard: where the money goes and what it achieves, on one map.

Entry point only: navigation. Each page sets itself up (page config, workspace picker) through
``ui.controls.page_setup`` so that a page also works when Streamlit runs it directly, as it
does for a deep link before the first visit to the root URL (the folder is called ``pages/``,
which Streamlit also reads on its own). URL paths equal the file names so both ways agree.
"""
import streamlit as st

PAGES = [
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/one_map.py", title="One map", url_path="one_map"),
    st.Page("pages/per_capita.py", title="Per capita", url_path="per_capita"),
    st.Page("pages/money_results.py", title="Money and results",
            url_path="money_results"),
    st.Page("pages/roads.py", title="Roads", url_path="roads"),
    st.Page("pages/early_warning.py", title="Early warning", url_path="early_warning"),
    st.Page("pages/scorecard.py", title="Scorecard", url_path="scorecard"),
    st.Page("pages/data_quality.py", title="Data quality",
            url_path="data_quality"),
    st.Page("pages/sources.py", title="Sources",
            url_path="sources"),
    st.Page("pages/hearing.py", title="Hearing", url_path="hearing"),
    st.Page("pages/import_data.py", title="Import data", url_path="import_data"),
]

st.navigation(PAGES).run()
