"""Sources: where every file of the workspace comes from, under which licence."""
import streamlit as st

from locales import t
from ui import controls, state
from ui.text import md, md_code

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title(t("Sources"))
state.show_ignored()
st.caption(t("Workspace: {name} (folder {folder})", name=md(ws.title), folder=md_code(ws.id)))
if not ws.sources:
    st.info(t("This workspace's manifest names no source: add a {section} entry for each file "
              "(publisher, licence, address, date retrieved).", section="`[[sources]]`"))
for s in ws.sources:
    st.subheader(md(s.name))
    # The address as code: shown and copyable as it is, but not a link (nothing from a
    # workspace's files becomes a link or an image on the page).
    rows = [(t("Publisher"), md(s.publisher)), (t("Licence"), md(s.licence)),
            (t("Address"), md_code(s.url)), (t("Retrieved"), md(s.retrieved)),
            (t("Files"), md(", ".join(s.files)))]
    st.markdown("\n".join(f"- **{k}**: {v}" for k, v in rows if v))
    if s.notes:
        st.caption(md(s.notes))
doc = ws.path / "SOURCES.md"
if doc.exists():
    with st.expander(t("SOURCES.md of this workspace")):
        st.text(doc.read_text(encoding="utf-8"))
