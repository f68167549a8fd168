"""Overview: what is in the chosen workspace and where to start."""
import streamlit as st

from layers.classify import format_number
from ui import cache, controls
from ui.text import md

data, path = controls.page_setup()
for root in cache.missing_roots():
    st.warning(f"FISCALMAP\\_WORKSPACES names a folder that does not exist: {md(root)}")
if data is None:
    st.stop()
ws = data.ws
st.title(md(ws.title))
if ws.description:
    st.write(md(ws.description))
st.caption(f"{md(ws.fiscal_year_text())} · currency {md(ws.currency)}"
           + (f" · data up to {md(ws.data_date)}" if ws.data_date else ""))

st.page_link("pages/one_map.py", label="Open the one map", icon=":material/map:")
st.page_link("pages/money_results.py", label="Money and results on one map", icon=":material/target:")

st.subheader("Boundary levels")
st.dataframe([{"level": lv.label, "regions": len(data.boundaries(lv.id)),
               "file": lv.file.name, "parent": lv.parent_level or ""} for lv in ws.levels],
             hide_index=True, width="stretch")

st.subheader("Tables")
rows = []
for t in ws.tables:
    df = data.table(t.id)
    row = {"table": t.display_label, "kind": t.kind, "level": t.level, "rows": len(df),
           "file": t.file.name}
    if t.kind == "allocations" and t.id in data.ledger.tables():
        amount, _ = data.ledger.total(t.id)
        lo, hi = data.years(t.id)
        row["total"] = format_number(amount, t.unit or ws.currency)
        row["years"] = f"{ws.fiscal_year_label}{lo}–{ws.fiscal_year_label}{hi}"
    rows.append(row)
st.dataframe(rows, hide_index=True, width="stretch")

n = len(data.problems)
if n:
    st.info(f"{n} note(s) about the input files (repairs, rows left out): see Data quality.")
    st.page_link("pages/data_quality.py", label="Data quality", icon=":material/fact_check:")
