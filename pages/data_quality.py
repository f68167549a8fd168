"""Data quality: every problem found in the workspace's files, with file, column and lines."""
import streamlit as st

from geodata.files import csv_bytes
from geodata.problems import problem_summary, problems_frame
from ui import cache, controls
from ui.text import md

data, path = controls.page_setup()
st.title("Data quality")
for root in cache.missing_roots():
    st.warning(f"FISCALMAP\\_WORKSPACES names a folder that does not exist: {md(root)}")
for wid, wpath in cache.workspace_paths().items():
    try:
        cache.manifest(wpath)
    except Exception as exc:  # noqa: BLE001 - a broken manifest is shown, not raised
        st.error(f"Workspace '{md(wid)}' cannot be opened")
        st.code(str(exc), language=None)
if data is None:
    st.stop()
problems = data.problems
summary = problem_summary(problems)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Rows left out", f"{summary['rows_left_out']:,}",
          help="Rows not on the map because a value could not be read, plus files that could "
               "not be read at all (counted in the problems below)")
c2.metric("Warnings", f"{summary['warning']:,}")
c3.metric("Repaired on read", f"{summary['repaired']:,}")
c4.metric("Notes", f"{summary['note']:,}", help="Nothing wrong, worth knowing: negative amounts")
frame = problems_frame(problems)
if frame.empty:
    st.success("No problems found in this workspace's files.")
else:
    st.caption("Line numbers are as a spreadsheet shows them: the header is line 1. "
               "Keys that match no region and rows without a region are listed too; their "
               "money is counted as not placed on the map.")
    for p in problems:
        icon = {"error": "⛔", "warning": "⚠️", "repaired": "🔧", "note": "ℹ️"}.get(p.severity, "•")
        st.text(f"{icon} {p.text()}")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button("Download the problem report (CSV)", csv_bytes(frame),
                       file_name=f"{data.ws.id}_problems.csv", mime="text/csv", key="dl_problems")
