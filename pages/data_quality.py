"""Data quality: every problem found in the workspace's files, with file, column and lines:
boundaries and tables, then road segments and each overlay (one section per file)."""
import streamlit as st

from geodata.files import csv_bytes
from geodata.problems import problem_summary, problems_frame
from locales import N_, t
from performance.checks import settings_problems
from ui import auth, cache, controls, state
from ui.text import md, md_code

# A word beside each icon: the icons are drawn from Streamlit's own icon font (no emoji font
# needed), and the word carries the meaning where an icon alone would not.
SEVERITY = {"error": (":material/error:", N_("Error")),
            "warning": (":material/warning:", N_("Warning")),
            "repaired": (":material/build:", N_("Repaired")),
            "note": (":material/info:", N_("Note"))}


def severity_text(severity: str) -> str:
    icon, word = SEVERITY.get(severity, (":material/circle:", severity))
    return f"{icon} **{t(word)}**"


def listing(problems, key: str, file_name: str) -> None:
    """The problems one per line, then as a table with a CSV download."""
    for p in problems:
        st.markdown(t("{severity}: {problem}", severity=severity_text(p.severity),
                      problem=md(p.text())))
    sev, file, column, lines, count, message, values, expected, code = (
        t("Severity"), t("File"), t("Column"), t("Lines"), t("Rows"), t("Problem"),
        t("Values found"), t("Expected"), t("Code"))
    st.dataframe([{sev: t(SEVERITY[p.severity][1]) if p.severity in SEVERITY else p.severity,
                   file: p.file, column: p.column or "—", lines: p.rows_text() or "—",
                   count: p.row_count, message: str(p.message),
                   values: "; ".join(p.values) or "—", expected: str(p.expected) or "—",
                   code: p.code or "—"}
                  for p in problems],
                 hide_index=True, width="stretch",
                 column_config={count: st.column_config.NumberColumn(count, format="localized")})
    auth.download_button(st, t("Download the problem report (CSV)"),
                         csv_bytes(problems_frame(problems)), file_name=file_name,
                         mime="text/csv", key=key)


data, path = controls.page_setup()
st.title(t("Data quality"))
state.show_ignored()
for root in cache.missing_roots():
    st.warning(t("{variable} names a folder that does not exist: {folder}",
                 variable="`FISCALMAP_WORKSPACES`", folder=md(root)))
for wid, wpath in auth.visible_paths().items():
    try:
        cache.manifest(wpath)
    except Exception as exc:  # noqa: BLE001 - a broken manifest is shown, not raised
        st.error(t("Workspace “{name}” cannot be opened.", name=md(wid)))
        st.code(str(exc), language=None)
if data is None:
    st.stop()
ws = data.ws
for message in settings_problems(ws):
    st.error(f"{md_code(ws.id + '/workspace.toml')}: {md(message)}")
problems = data.problems
# a ledger engine that could not be used is said at the top: the maps run, but not where the
# site configured them to
for p in problems:
    if p.code == "ledger_fallback":
        st.error(md(p.text()), icon=":material/database:")
rd = cache.roads(path)
road_problems = rd.problems if rd is not None else []
by_overlay = cache.overlay_problems(path)
everything = [*problems, *road_problems, *(p for ps in by_overlay.values() for p in ps)]
summary = problem_summary(everything)
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(t("Rows left out"), f"{summary['rows_left_out']:,}",
          help=t("Rows not on the map because a value could not be read, plus files that could "
                 "not be read at all (counted in the problems below)"))
c2.metric(t("Warnings"), f"{summary['warning']:,}")
c3.metric(t("Repaired on read"), f"{summary['repaired']:,}")
c4.metric(t("Notes"), f"{summary['note']:,}",
          help=t("Nothing wrong, worth knowing: scaled units, crosswalks, negative amounts"))
c5.metric(t("Zero or negative amounts"), f"{summary['non_positive']:,}",
          help=t("Rows of money of zero or below (de-obligations, refunds): kept and summed"))
if not everything:
    st.success(t("No problems found in this workspace's files."))
elif not problems:
    st.success(t("No problems found in the boundary and table files."))
if problems:
    st.caption(t("Line numbers are as a spreadsheet shows them: the header is line 1. "
                 "Keys that match no region and rows without a region are listed too; their "
                 "money is counted as not placed on the map."))
    listing(problems, "dl_problems", f"{ws.id}_problems.csv")
if road_problems:
    st.subheader(t("Road segments"))
    st.caption(t("Feature numbers count the features of the file from 1."))
    listing(road_problems, "dl_road_problems", f"{ws.id}_road_problems.csv")
for spec in ws.overlays:
    st.subheader(t("Overlay “{name}”", name=md(spec.display_label)))
    found = by_overlay.get(spec.id, [])
    if found:
        st.caption(t("Feature numbers count the features of the file from 1."))
        listing(found, f"dl_overlay_{spec.id}", f"{ws.id}_overlay_{spec.id}_problems.csv")
    else:
        st.caption(t("No problems found in this overlay's file."))
