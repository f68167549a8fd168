"""Sources: where every file of the workspace comes from, under which licence."""
import streamlit as st

from ui import controls
from ui.text import md, md_code

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title("Sources")
st.caption(f"Workspace: {md_code(ws.id)}")
for s in ws.sources:
    st.subheader(md(s.name))
    # The address as code: shown and copyable as it is, but not a link (nothing from a
    # workspace's files becomes a link or an image on the page).
    rows = [("Publisher", md(s.publisher)), ("Licence", md(s.licence)), ("Address", md_code(s.url)),
            ("Retrieved", md(s.retrieved)), ("Files", md(", ".join(s.files)))]
    st.markdown("\n".join(f"- **{k}**: {v}" for k, v in rows if v))
    if s.notes:
        st.caption(md(s.notes))
doc = ws.path / "SOURCES.md"
if doc.exists():
    with st.expander("SOURCES.md of this workspace"):
        st.text(doc.read_text(encoding="utf-8"))
