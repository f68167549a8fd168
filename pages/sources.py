"""Sources: where every file of the workspace comes from, under which licence."""
import streamlit as st

from ui import controls
from ui.text import md

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title("Sources")
st.caption(f"Workspace folder: {ws.path}")
for s in ws.sources:
    st.subheader(md(s.name))
    rows = [("Publisher", s.publisher), ("Licence", s.licence), ("Address", s.url),
            ("Retrieved", s.retrieved), ("Files", ", ".join(s.files))]
    st.markdown("\n".join(f"- **{k}**: {md(v)}" for k, v in rows if v))
    if s.notes:
        st.caption(s.notes)
doc = ws.path / "SOURCES.md"
if doc.exists():
    with st.expander("SOURCES.md of this workspace"):
        st.text(doc.read_text(encoding="utf-8"))
