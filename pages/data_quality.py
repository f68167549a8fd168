"""Data quality: every problem found in the workspace's files, with file, column and lines."""
import streamlit as st

from geodata.problems import problems_frame
from ui import cache, controls

data, path = controls.page_setup()
st.title("Data quality")
for wid, wpath in cache.workspace_paths().items():
    try:
        cache.manifest(wpath)
    except Exception as exc:  # noqa: BLE001 - a broken manifest is shown, not raised
        st.error(f"Workspace '{wid}' cannot be opened")
        st.code(str(exc), language=None)
if data is None:
    st.stop()
frame = problems_frame(data.problems)
c1, c2, c3 = st.columns(3)
for col, sev, label in ((c1, "error", "Rows left out"), (c2, "warning", "Warnings"),
                        (c3, "repaired", "Repaired on read")):
    col.metric(label, int((frame["severity"] == sev).sum()))
if frame.empty:
    st.success("No problems found in this workspace's files.")
else:
    st.caption("Line numbers are as a spreadsheet shows them: the header is line 1.")
    for p in data.problems:
        icon = {"error": "⛔", "warning": "⚠️", "repaired": "🔧"}[p.severity]
        st.text(f"{icon} {p.text()}")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button("Download the problem report (CSV)",
                       frame.to_csv(index=False).encode("utf-8"),
                       file_name=f"{data.ws.id}_problems.csv", mime="text/csv", key="dl_problems")
