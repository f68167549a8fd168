"""The Import page's steps: files → reader options → periods → units → keys → saved workspace.

Widgets and layout only. Reading, proposals and saving are the pure functions of
``geodata/readers/`` (the same ones the import command line calls); reads are cached in
``ui.cache``. The user's choices are kept in ``st.session_state`` under ``imp_*`` keys and
become a :class:`~geodata.readers.draft.WorkspaceDraft`; nothing is written to a workspace
folder until Save.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from geodata.readers.draft import (LevelDraft, SaveError, TableDraft, WorkspaceDraft,
                                   save_workspace, slug)
from geodata.readers.text import max_file_bytes
from geodata.readers.excel import layout_text
from geodata.readers.layout import sheets_differ
from geodata.readers.keys import key_plan
from geodata.readers.roles import unit_from_titles
from geodata.workspace import plural_of, user_workspace_root

from . import cache
from .text import md, md_code

IMPORT_DIR_ENV = "FISCALMAP_IMPORT_DIR"
STALE_UPLOADS_S = 24 * 3600
BOUNDARY_TYPES = ["geojson", "json", "topojson", "gpkg", "zip", "kml", "parquet",
                  "geoparquet"]
TABLE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"]
KINDS = {"allocations": "Money (allocations, spending)", "population": "Population",
         "indicators": "An indicator (outcome)"}
ENCODINGS = {"": "Detect (UTF-8, else GB18030 or cp1252, reported)", "utf-8": "UTF-8",
             "gb18030": "GB18030 / GBK (Chinese)", "cp1252": "Windows-1252",
             "latin-1": "Latin-1", "utf-16": "UTF-16"}
DELIMITERS = {"": "Detect", ",": "Comma ,", ";": "Semicolon ;", "\t": "Tab", "|": "Bar |"}
SCALES = ["1", "thousand", "million", "billion", "千", "万", "亿", "千元", "万元", "亿元",
          "千人", "万人"]


# ------------------------------------------------------------------ files

def _stage_dir() -> Path:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        sid = get_script_run_ctx().session_id
    except Exception:  # noqa: BLE001 - no session (bare mode)
        sid = "local"
    base = Path(tempfile.gettempdir()) / "fiscalmap-import"
    d = base / hashlib.sha1(sid.encode()).hexdigest()[:16]
    if not d.exists():
        _remove_stale(base)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _remove_stale(base: Path, older_than: float = STALE_UPLOADS_S) -> None:
    """Staged uploads of sessions idle for a day are removed (copies, never a workspace)."""
    import shutil
    import time

    if not base.is_dir():
        return
    now = time.time()
    for sub in base.iterdir():
        try:
            if sub.is_dir() and now - sub.stat().st_mtime > older_than:
                shutil.rmtree(sub, ignore_errors=True)
        except OSError:
            continue


def _staged(uploaded) -> Path | None:
    """The uploaded file written once to this session's staging folder (never a workspace)."""
    limit = max_file_bytes()
    if uploaded.size > limit:
        st.error(f"{md(uploaded.name)} is {uploaded.size / 1024 ** 2:,.1f} MB, over the limit "
                 f"of {limit / 1024 ** 2:,.0f} MB; it was not read. Raise FISCALMAP\\_MAX\\_FILE\\_MB "
                 "on the server for larger files.")
        return None
    blob = uploaded.getvalue()
    sub = _stage_dir() / hashlib.sha1(blob).hexdigest()[:12]
    sub.mkdir(exist_ok=True)
    target = sub / Path(uploaded.name).name
    if not target.exists():
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(blob)
        tmp.replace(target)
    return target


def pick_file(label: str, types: list[str], key: str) -> tuple[Path, str] | None:
    """An uploaded file, or one picked from the server's import folder: (path, name)."""
    up = st.file_uploader(label, type=types, key=f"{key}_upload")
    if up is not None:
        path = _staged(up)
        return (path, up.name) if path else None
    folder = os.environ.get(IMPORT_DIR_ENV, "")
    if folder and Path(folder).is_dir():
        base = Path(folder).resolve()
        files = sorted(str(p.relative_to(base)) for p in base.rglob("*")
                       if p.is_file() and p.suffix.lower().lstrip(".") in types
                       and p.resolve().is_relative_to(base))
        if files:
            choice = st.selectbox("…or pick a file from the server's import folder",
                                  ["", *files], key=f"{key}_pick",
                                  format_func=lambda f: f or "(none)")
            if choice:
                return base / choice, Path(choice).name
    return None


def _problems(problems, *, limit: int = 12) -> None:
    icons = {"error": "⛔", "warning": "⚠️", "repaired": "🔧", "note": "ℹ️"}
    for p in problems[:limit]:
        st.text(f"{icons.get(p.severity, '•')} {p.text()}")
    if len(problems) > limit:
        st.caption(f"…and {len(problems) - limit:,} more (Data quality lists all of them once "
                   "the workspace is saved)")


# ------------------------------------------------------------------ 1. boundaries

def boundary_step() -> tuple[LevelDraft | None, pd.DataFrame | None]:
    st.header("1 · Boundaries")
    st.caption("A map layer of the areas money goes to: GeoJSON, TopoJSON, GeoPackage, zipped "
               "Shapefile, KML or GeoParquet, in any coordinate system.")
    picked = pick_file("Boundary file", BOUNDARY_TYPES, "imp_b")
    if picked is None:
        return None, None
    path, original = picked
    info = cache.import_vector_info(str(path))
    if info.get("error"):
        st.error(f"{md(original)}: {md(info['error'])}")
        return None, None
    layer = None
    if len(info["layers"]) > 1:
        layer = st.selectbox("Layer", info["layers"], key="imp_b_layer")
        info = cache.import_vector_info(str(path), layer)
        if info.get("error"):
            st.error(f"{md(original)}: {md(info['error'])}")
            return None, None
    fields = info["fields"]
    if not fields:
        st.error(f"{md(original)} has no attribute columns: it needs one with an id per area.")
        return None, None
    c1, c2 = st.columns(2)
    key_default, name_default = info["key"], info["name"]
    key = c1.selectbox("Column with each area's id", fields,
                       index=fields.index(key_default) if key_default in fields else 0,
                       key="imp_b_key")
    name = c2.selectbox("Column with each area's name", fields,
                        index=fields.index(name_default) if name_default in fields else 0,
                        key="imp_b_name")
    c1, c2, c3 = st.columns(3)
    label = c1.text_input("One area is a…", value="Region", key="imp_b_label")
    plural = c2.text_input("Several are…", value="", key="imp_b_plural",
                           placeholder=plural_of(label))
    crs = c3.text_input("Coordinate system, if the file does not say", value="",
                        key="imp_b_crs", placeholder="e.g. EPSG:4547")
    c1, c2 = st.columns(2)
    y0 = c1.number_input("Boundaries valid from year (optional)", min_value=0, max_value=2199,
                         value=0, step=1, key="imp_b_y0")
    y1 = c2.number_input("…to year (optional)", min_value=0, max_value=2199, value=0, step=1,
                         key="imp_b_y1")
    years = (int(y0), int(y1) if y1 else None) if y0 >= 1800 else None
    level = LevelDraft(id=slug(label, "region"), label=label.strip() or "Region",
                       source=path, key=key, name=name, label_plural=plural.strip(),
                       layer=layer, crs=crs.strip(), years=years, original_name=original)
    regions, problems = cache.import_regions(str(path), layer, key, name, level.crs)
    if regions is None or regions.empty:
        st.error("No area could be read from this file with these columns.")
        _problems(problems)
        return None, None
    st.success(f"{len(regions):,} {md(level.label_plural or plural_of(level.label))} read, e.g. "
               + ", ".join(md(n) for n in regions["name"].head(4)))
    if problems:
        with st.expander(f"What the reader did ({len(problems)})"):
            _problems(problems)
    return level, regions


# ------------------------------------------------------------------ 2. tables

_PAGE_WORDS = (("stop_at_blank = true", "“The table ends at the first blank line”"),
               ("skip_bottom", "note lines at the end"), ("header_rows", "header lines"),
               ("header_row", "header on line"))


def _in_page_words(reason: str) -> str:
    """A proposal's reason with the manifest's option names as this page calls them."""
    for key, words in _PAGE_WORDS:
        reason = reason.replace(key, words)
    return reason


def _reader_options(path: Path, name: str) -> dict:
    """Sheet, encoding, delimiter, header lines: proposed, shown, adjustable."""
    suffix = path.suffix.lower()
    opts: dict = {"encoding": "", "separator": None, "sheet": None, "sheet_layout": "same",
                  "sheet_columns": "name"}
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheets = cache.import_sheets(str(path))
        if not sheets:
            st.error(f"{md(name)} has no sheets that can be read.")
            return {}
        choices = sheets + (["*"] if len(sheets) > 1 else [])
        opts["sheet"] = st.selectbox(
            "Sheet", choices, key=_k("sheet"),
            format_func=lambda s: "All sheets, stacked (the sheet name becomes a column)"
            if s == "*" else s)
        if opts["sheet"] == "*":
            props = cache.import_sheet_layouts(str(path))
            differ = sheets_differ(props)
            if st.checkbox("Detect each sheet's layout on its own (title lines, header lines "
                           "and notes may differ from sheet to sheet)", value=differ,
                           key=_k("each")):
                opts["sheet_layout"] = "each"
            if st.checkbox("Match the sheets' columns by position when their names differ "
                           "(sheets with as many columns as the first)", value=differ,
                           key=_k("bypos")):
                opts["sheet_columns"] = "position"
            if differ:
                first = next(iter(props.values())).layout
                st.caption("Sheets laid out differently from the first: " + "; ".join(
                    f"{md(name)}: {md(layout_text(p.layout, first))}"
                    for name, p in list(props.items())[1:] if p.layout != first)[:600])
    elif suffix not in (".parquet",):
        c1, c2 = st.columns(2)
        opts["encoding"] = c1.selectbox("Encoding", list(ENCODINGS), key=_k("enc"),
                                        format_func=ENCODINGS.get)
        opts["separator"] = c2.selectbox("Delimiter", list(DELIMITERS), key=_k("sep"),
                                         format_func=DELIMITERS.get) or None
    grid, proposal = cache.import_grid(str(path), opts["encoding"], opts["separator"],
                                       opts["sheet"])
    if grid is None:
        st.error(f"{md(name)} cannot be read.")
        return {}
    st.markdown("**The file's first lines, as they are**")
    rows = grid.head[:15]
    width = max((len(r) for r in rows), default=0)
    raw = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows])
    raw.index = grid.head_lines[:15]
    raw.columns = [f"{i + 1}" for i in range(raw.shape[1])]
    st.dataframe(raw, width="stretch", height=38 + 35 * len(raw))
    for reason in proposal.reasons:
        st.caption(f"Proposed: {md(_in_page_words(reason))}")
    lay = proposal.layout
    c1, c2, c3, c4 = st.columns(4)
    opts["stop_at_blank"] = st.checkbox(
        "The table ends at the first blank line (another table follows below it)",
        value=lay.stop_at_blank, key=_k("stop"))
    opts["header_row"] = int(c1.number_input("Header on line", 1, 100_000, lay.header_row,
                                             key=_k("hrow")))
    opts["header_rows"] = int(c2.number_input("Header lines", 1, 5, lay.header_rows,
                                              key=_k("hrows")))
    opts["skip_bottom"] = int(c3.number_input("Note lines at the end", 0, 100_000,
                                              lay.skip_bottom, key=_k("skip")))
    above = [row for row, line in zip(grid.head, grid.head_lines) if line < opts["header_row"]]
    opts["title_unit"] = unit_from_titles(above)
    opts["decimal"] = c4.radio("Decimal mark", [".", ","], key=_k("dec"), horizontal=True,
                               help="With ',' the thousands separator is '.' (1.234,5); with "
                                    "'.' it is ',' (1,234.5). A space or an apostrophe is "
                                    "read as a thousands separator in both.")
    return opts


def _k(name: str) -> str:
    """Widget key of the table being edited; a new number for each table added."""
    return f"imp_t{st.session_state.get('imp_tn', 0)}_{name}"


def table_step(level: LevelDraft, regions: pd.DataFrame, currency: str) -> TableDraft | None:
    st.header("2 · Tables")
    kind = st.radio("What the table holds", list(KINDS), format_func=KINDS.get,
                    key=_k("kind"), horizontal=True)
    picked = pick_file("Table file", TABLE_TYPES, _k("file"))
    if picked is None:
        return None
    path, name = picked
    opts = _reader_options(path, name)
    if not opts:
        return None
    read = cache.import_table(str(path), opts["encoding"], opts["separator"], opts["sheet"],
                              opts["header_row"], opts["header_rows"], opts["skip_bottom"],
                              opts["stop_at_blank"], opts["sheet_layout"],
                              opts["sheet_columns"])
    frame, notes = read["frame"], read["notes"]
    for n in notes:
        text = n.message[:1].upper() + n.message[1:]
        (st.error if n.severity == "error" else
         st.info if n.code == "encoding_detected" or n.severity != "warning" else
         st.warning)(md(_in_page_words(text)))
    if frame is None or frame.shape[1] == 0:
        return None
    st.markdown(f"**As read: {len(frame):,} rows, {frame.shape[1]} columns** (first 20)")
    st.dataframe(frame.head(20), width="stretch", hide_index=True)

    cols = [str(c) for c in frame.columns]
    _follow_columns(cols, kind)
    periods, refused = read["periods"], read["refused"]
    roles = read["roles_" + kind]
    st.subheader("Periods")
    wide = st.toggle("Years are columns (one column per year or quarter)",
                     value=roles["wide"], key=_k("wide"))
    year_span = None
    spans = any("span" in why for _c, why in refused)
    if spans or any("-" in c or "/" in c for c in periods):
        rule = st.radio("A two-year span such as 2021-22 is the year…", ["", "start", "end"],
                        key=_k("span"), horizontal=True,
                        format_func=lambda r: {"": "refused (not read)", "start":
                                               "it starts in (2021)", "end":
                                               "it ends in (2022)"}[r])
        year_span = rule or None
        if year_span:
            periods, refused = cache.import_periods(tuple(cols), year_span)
    wide_cols: list[str] | None = None
    year_col = value_col = None
    if wide:
        wide_cols = st.multiselect("Period columns to turn into rows", cols,
                                   default=[c for c in periods if c in cols],
                                   key=_k("wcols"))
        if refused:
            st.caption("Not read as periods: " + "; ".join(
                f"{md(c)} ({md(why)})" for c, why in refused[:8]))
    else:
        c1, c2 = st.columns(2)
        year_col = c1.selectbox("Year column", cols, key=_k("year"),
                                index=cols.index(roles["year"]) if roles["year"] in cols else 0)
        value_col = c2.selectbox("Value column", cols, key=_k("value"),
                                 index=cols.index(roles["value"]) if roles["value"] in cols
                                 else len(cols) - 1)
    key_options = [c for c in cols if not wide_cols or c not in wide_cols]
    if not key_options:
        st.error("Every column is a period column: one must hold the areas' ids or names.")
        return None
    key_col = st.selectbox("Column naming the areas", key_options, key=_k("key"),
                           index=key_options.index(roles["key"]) if roles["key"] in key_options
                           else 0)
    constants, label, unit = {}, "", ""
    if kind == "indicators":
        c1, c2, c3 = st.columns(3)
        ind = c1.text_input("Indicator name", value=value_col or "Indicator", key=_k("ind"))
        unit = c2.text_input("Unit (%, km, …)", value="", key=_k("unit"))
        direction = c3.radio("Better when", ["higher_is_better", "lower_is_better"],
                             key=_k("dir"), format_func=lambda d: d.split("_")[0])
        constants = {"indicator": ind or "Indicator", "direction": direction}
        if unit:
            constants["unit"] = unit
    else:
        label = st.text_input("Label", value="", key=_k("label"),
                              placeholder="e.g. Transfer payments" if kind == "allocations"
                              else "e.g. Resident population")

    st.subheader("Units")
    unit_col = None
    if kind != "indicators":
        others = [c for c in cols if c not in (wide_cols or []) and c not in (year_col, value_col)]
        unit_col = st.selectbox("A column giving each row's unit (optional)", ["", *others],
                                key=_k("unitcol"), format_func=lambda c: c or "(none: one unit "
                                "for the whole table)") or None
    if unit_col:
        st.caption("Each row is multiplied by its own unit (万元, 亿元, USD millions…); a row "
                   "whose unit is not understood is left out and listed on Data quality.")
        choice = "1"
    else:
        header = (wide_cols[0] if wide_cols else value_col) or ""
        in_header = cache.import_scale_of(header)
        proposed = in_header or opts.get("title_unit")
        options = SCALES + ([proposed] if proposed and proposed not in SCALES else []) + \
            ["other"]
        choice = st.selectbox("The numbers in the file are in…", options,
                              index=options.index(proposed) if proposed in options else 0,
                              key=_k("scale"),
                              help="The values are multiplied on load, so the map shows "
                                   f"{currency or 'the currency'} and residents, never 亿元 or "
                                   "万人.")
        if choice == "other":
            choice = st.text_input("Factor", value="1", key=_k("factor"))
        if proposed:
            where = f"the header {md_code(header)}" if in_header else \
                "a title line above the header"
            st.caption(f"Proposed: {where} names {md(proposed)}.")
        scale = cache.import_describe_scale(str(choice), currency)
        if scale is None:
            st.error(f"{md(choice)} is not a unit or factor this reader knows.")
            return None
        (st.warning if "not the workspace" in scale[1] else st.caption)(
            f"Each value is multiplied on load: {md(scale[1])}")

    columns: dict[str, str] = {}
    year_name, value_name = {"allocations": ("fiscal_year", "amount"),
                             "population": ("year", "population"),
                             "indicators": ("year", "value")}[kind]
    if not wide:
        if year_col == value_col:
            st.error("The year column and the value column must differ.")
            return None
        columns[year_name] = year_col
        columns[value_name] = value_col
    elif not wide_cols:
        st.error("Choose the period columns, or turn off \"Years are columns\".")
        return None
    if unit_col:
        columns["unit"] = unit_col
    if kind == "allocations":
        c1, c2 = st.columns(2)
        free = [c for c in cols if c not in (wide_cols or []) and c not in columns.values()]
        for box, canon, prompt in ((c1, "agency", "Agency or department column (optional)"),
                                   (c2, "program", "Programme column (optional)")):
            picked = box.selectbox(prompt, ["", *free], key=_k(canon),
                                   format_func=lambda c: c or "(none)")
            if picked:
                columns[canon] = picked

    st.subheader("Keys")
    match = cache.import_match(str(path), opts["encoding"], opts["separator"], opts["sheet"],
                               opts["header_row"], opts["header_rows"], opts["skip_bottom"],
                               opts["stop_at_blank"], opts["sheet_layout"],
                               opts["sheet_columns"], key_col, tuple(wide_cols or ()), value_col, opts["decimal"],
                               year_span, str(level.source), level.layer, level.key,
                               level.name, level.crs)
    by = match.by
    what = VALUE_WORDS[kind]
    unit_text = f" ({choice})" if str(choice) not in ("1", "") else ""
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows matched", f"{match.matched_rows:,} of {match.rows:,}",
              help="Rows whose key is an area's " + ("id" if by == "id" else "name")
              + " as written; accepted proposals and a crosswalk add to it (below)")
    c2.metric("Matched by", "area id" if by == "id" else "area name")
    c3.metric(f"{what.capitalize()} not matched", f"{match.unmatched_amount:,.10g}{unit_text}",
              help="As written in the file, before the unit is applied")
    crosswalk = None
    if len(match.unmatched):
        with st.expander(f"{len(match.unmatched):,} key(s) match no area as written"):
            st.dataframe(match.unmatched.head(500).rename(columns={
                "key": "Key in your table", "rows": "Rows", "amount": what.capitalize()}),
                hide_index=True, width="stretch")
    props = match.proposals
    if len(props):
        props = props.copy()
        props.insert(0, "accept", props["candidates"].eq(1) & props["region_id"].astype(
            "string").fillna("").ne(""))
        st.markdown("**Proposals** (untick any you do not want; a key that fits several areas "
                    "cannot be accepted: use a crosswalk table)")
        shown = props.rename(columns=PROPOSAL_HEADINGS | {"amount": what.capitalize()})
        edited = st.data_editor(shown, hide_index=True, width="stretch", key=_k("props"),
                                disabled=[c for c in shown.columns if c != "Accept"],
                                column_order=[c for c in PROPOSAL_ORDER if c in shown.columns])
        edited = edited.rename(columns={v: k for k, v in PROPOSAL_HEADINGS.items()}
                               | {what.capitalize(): "amount"})
        ok = edited["accept"] & edited["candidates"].eq(1)
        accepted = edited[ok]
    else:
        accepted = props.iloc[0:0]
    key_canon, crosswalk = key_plan(frame[key_col], match, accepted, regions)
    if len(crosswalk) == 0:
        crosswalk = None
    own = st.file_uploader("…or a crosswalk table of your own (columns from, to: your key, "
                           "then the area's " + ("id" if key_canon == "region_id" else "name")
                           + ")",
                           type=["csv", "xlsx"], key=_k("cw"))
    if own is not None:
        cw_path = _staged(own)
        if cw_path:
            cw, cw_problems = cache.import_crosswalk(str(cw_path))
            _problems(cw_problems)
            if cw is not None:
                crosswalk = cw if crosswalk is None else pd.concat([crosswalk, cw]) \
                    .drop_duplicates("from", keep="last")
    columns = {key_canon: key_col, **columns}
    if crosswalk is not None and len(crosswalk):
        extra = match.unmatched[match.unmatched["key"].isin(set(crosswalk["from"]))]
        rows = match.matched_rows + int(extra["rows"].sum())
        st.metric("Rows matched with the crosswalk", f"{rows:,} of {match.rows:,}",
                  help=f"{rows / match.rows:.0%} of the rows" if match.rows else None)
        st.caption(f"{len(crosswalk):,} key(s) will be matched through a crosswalk file saved "
                   "in the workspace; your table is not changed.")

    return TableDraft(
        id=slug(Path(name).stem, kind)[:40], kind=kind, level=level.id, source=path,
        columns=columns, constants=constants, label=label.strip(), unit=unit,
        encoding=opts["encoding"], separator=opts["separator"], decimal=opts["decimal"],
        sheet=opts["sheet"], header_row=opts["header_row"], header_rows=opts["header_rows"],
        skip_bottom=opts["skip_bottom"], stop_at_blank=opts["stop_at_blank"],
        sheet_layout=opts["sheet_layout"], sheet_columns=opts["sheet_columns"], wide_columns=list(wide_cols) if wide else None,
        year_span=year_span, scale=None if str(choice) in ("1", "") else _scale_value(choice),
        crosswalk=crosswalk, original_name=name)


def controls_pending() -> str:
    from .controls import PENDING_WS
    return PENDING_WS


def _scale_value(choice: str) -> str | float:
    try:
        return float(choice)
    except ValueError:
        return str(choice)


VALUE_WORDS = {"allocations": "money", "population": "population", "indicators": "value"}
PROPOSAL_HEADINGS = {"accept": "Accept", "key": "Key in your table", "region_id": "Area id",
                     "name": "Area name", "rule": "Why", "rows": "Rows",
                     "candidates": "Areas that fit", "also_matched": "Area matched already",
                     "choices": "Candidates"}
PROPOSAL_ORDER = ("Accept", "Key in your table", "Area name", "Area id", "Why", "Rows",
                  "Money", "Population", "Value", "Areas that fit", "Candidates",
                  "Area matched already")
ROLE_WIDGETS = ("wide", "wcols", "span", "year", "value", "key", "ind", "unit", "scale",
                "factor", "props", "unitcol", "agency", "program")


def _follow_columns(cols: list[str], kind: str) -> None:
    """When the table's columns change (another sheet, header line or kind), the choices made
    for the old columns go, so the proposals for the new ones are shown."""
    sig = (kind, tuple(cols))
    if st.session_state.get(_k("cols")) != sig:
        for name in ROLE_WIDGETS:
            st.session_state.pop(_k(name), None)
        st.session_state[_k("cols")] = sig


def tables_list(current: TableDraft | None) -> list[TableDraft]:
    """The tables added so far, with the one being edited offered for adding."""
    tables: list[TableDraft] = st.session_state.setdefault("imp_tables", [])
    if current is not None and st.button("Keep this table and import another", key=_k("add")):
        tables.append(current)
        st.session_state["imp_tn"] = st.session_state.get("imp_tn", 0) + 1
        st.rerun()
    for i, t in enumerate(tables):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"✔ {md(t.original_name)}: {md(KINDS[t.kind])}")
        if c2.button("Remove", key=f"imp_rm_{i}"):
            tables.pop(i)
            st.rerun()
    return list(tables) + ([current] if current is not None else [])


# ------------------------------------------------------------------ 3. save

def workspace_step(level: LevelDraft, tables: list[TableDraft], currency: str) -> None:
    st.header("3 · Save the workspace")
    if not tables:
        st.info("Add at least one table above (money, population or an indicator).")
        return
    st.markdown("Tables saved with it: " + ", ".join(f"{md(t.original_name)} ({VALUE_WORDS[t.kind]})"
                                       for t in tables))
    c1, c2 = st.columns(2)
    title = c1.text_input("Title", value="", key="imp_w_title",
                          placeholder="e.g. Provincial transfers 2020-2024")
    wid = c2.text_input("Folder name", value=slug(title, "") if title else "", key="imp_w_id",
                        placeholder="letters, digits, _ or -, e.g. transfers_2024")
    root = user_workspace_root()
    st.caption(f"Saved in {md_code(str(root))}; your files are copied there, never changed.")
    draft = WorkspaceDraft(title=title.strip() or wid, currency=currency, levels=[level],
                           tables=tables)
    ids = [t.id for t in tables]
    for i, t in enumerate(tables):
        if ids.count(t.id) > 1:
            t.id = f"{t.id}_{i + 1}"
    if st.button("Save and open the map", type="primary", key="imp_w_save",
                 disabled=not (title.strip() and wid.strip())):
        with st.status("Saving the workspace…", expanded=True) as status:
            try:
                ws = save_workspace(draft, root, wid.strip(), progress=status.write)
            except SaveError as exc:
                status.update(label="Not saved", state="error")
                st.error(md(str(exc)))
                return
            status.update(label=f"Saved: {ws.title}", state="complete")
        st.session_state[controls_pending()] = ws.id
        for k in [k for k in st.session_state if str(k).startswith("imp_")]:
            del st.session_state[k]
        st.session_state["imp_saved"] = ws.id
        try:
            st.switch_page("pages/one_map.py", query_params={"ws": ws.id})
        except StreamlitAPIException:      # the page was run on its own, without app.py
            st.success(f"Saved. Choose \"{md(ws.title)}\" in the sidebar and open One map.")


def currency_input() -> str:
    return st.text_input("Currency of the money (ISO code)", value="USD", key="imp_w_currency",
                         max_chars=8, help="Amounts are shown in it: 'CNY per resident'.")\
        .strip().upper() or "USD"
