"""The app's own look, added once per page run (:func:`page_css`, called by
``ui.controls.page_setup``): CSS only, written here, nothing fetched from elsewhere."""
from __future__ import annotations

import streamlit as st

#: Streamlit keeps 6rem above a page's first element for its toolbar, an empty band of about
#: 100 px over every title; the toolbar needs less than half of it. Pages that set their own
#: padding (presentation) come later in the page and win.
PAGE_CSS = """<style>
.stApp [data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>"""


def page_css() -> None:
    """Add the app-wide CSS to the page (a style element only: it takes no room)."""
    st.html(PAGE_CSS)
