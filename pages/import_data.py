"""Import: a budget office's own files to a saved workspace, without writing TOML."""
import streamlit as st

from locales import t
from ui import auth, controls, importer

controls.page_setup()
st.title(t("Import data"))
if not auth.can_import():
    st.info(t("Importing data is for editors. Ask the site's administrator for the editor "
              "role in a workspace."), icon=":material/lock:")
    st.stop()
st.markdown(t("Bring a boundary file and your tables; each step shows the file as it is read "
              "and what was proposed. Nothing is written until you save, and your files are "
              "copied, never changed."))
level, regions = importer.boundary_step()
if level is None:
    st.stop()
currency = importer.currency_input()
current = importer.table_step(level, regions, currency)
tables = importer.tables_list(current)
importer.workspace_step(level, tables, currency)
