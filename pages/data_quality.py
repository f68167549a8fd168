"""Data quality: every problem found in the workspace's files, with file, column and lines:
boundaries and tables, then road segments and each overlay (one section per file)."""
import streamlit as st

from geodata.files import csv_bytes
from geodata.problems import problem_summary, problems_frame
from performance.checks import settings_problems
from ui import cache, controls
from ui.text import md

ICONS = {"error": "⛔", "warning": "⚠️", "repaired": "🔧", "note": "ℹ️"}


def listing(problems, key: str, file_name: str) -> None:
    """The problems one per line, then as a table with a CSV download."""
    frame = problems_frame(problems)
    for p in problems:
        st.text(f"{ICONS.get(p.severity, '•')} {p.text()}")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button("Download the problem report (CSV)", csv_bytes(frame),
                       file_name=file_name, mime="text/csv", key=key)


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
ws = data.ws
for message in settings_problems(ws):
    st.error(f"{md(ws.id)}/workspace.toml: {md(message)}")
problems = data.problems
rd = cache.roads(path)
road_problems = rd.problems if rd is not None else []
by_overlay = cache.overlay_problems(path)
everything = [*problems, *road_problems, *(p for ps in by_overlay.values() for p in ps)]
summary = problem_summary(everything)
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Rows left out", f"{summary['rows_left_out']:,}",
          help="Rows not on the map because a value could not be read, plus files that could "
               "not be read at all (counted in the problems below)")
c2.metric("Warnings", f"{summary['warning']:,}")
c3.metric("Repaired on read", f"{summary['repaired']:,}")
c4.metric("Notes", f"{summary['note']:,}",
          help="Nothing wrong, worth knowing: scaled units, crosswalks, negative amounts")
c5.metric("Zero or negative amounts", f"{summary['non_positive']:,}",
          help="Rows of money of zero or below (de-obligations, refunds): kept and summed")
if not everything:
    st.success("No problems found in this workspace's files.")
elif not problems:
    st.success("No problems found in the boundary and table files.")
if problems:
    st.caption("Line numbers are as a spreadsheet shows them: the header is line 1. "
               "Keys that match no region and rows without a region are listed too; their "
               "money is counted as not placed on the map.")
    listing(problems, "dl_problems", f"{ws.id}_problems.csv")
if road_problems:
    st.subheader("Road segments")
    st.caption("Feature numbers count the features of the file from 1.")
    listing(road_problems, "dl_road_problems", f"{ws.id}_road_problems.csv")
for spec in ws.overlays:
    st.subheader(f"Overlay “{md(spec.display_label)}”")
    found = by_overlay.get(spec.id, [])
    if found:
        st.caption("Feature numbers count the features of the file from 1.")
        listing(found, f"dl_overlay_{spec.id}", f"{ws.id}_overlay_{spec.id}_problems.csv")
    else:
        st.caption("No problems found in this overlay's file.")
