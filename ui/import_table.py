"""The Import page's table step: reader options, periods, units and keys for one table."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geodata.readers.draft import LevelDraft, TableDraft, slug
from geodata.readers.excel import layout_text
from geodata.readers.keys import key_plan
from geodata.readers.layout import sheets_differ
from geodata.readers.roles import unit_from_titles

from . import cache
from .import_files import pick_file, show_problems, staged
from .text import md, md_code

TABLE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"]
KINDS = {"allocations": "Money (allocations, spending)", "population": "Population",
         "indicators": "An indicator (outcome)"}
ENCODINGS = {"": "Detect (UTF-8, else GB18030 or cp1252, reported)", "utf-8": "UTF-8",
             "gb18030": "GB18030 / GBK (Chinese)", "cp1252": "Windows-1252",
             "latin-1": "Latin-1", "utf-16": "UTF-16"}
DELIMITERS = {"": "Detect", ",": "Comma ,", ";": "Semicolon ;", "\t": "Tab", "|": "Bar |"}
SCALES = ["1", "thousand", "million", "billion", "千", "万", "亿", "千元", "万元", "亿元",
          "千人", "万人"]


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
        cw_path = staged(own)
        if cw_path:
            cw, cw_problems = cache.import_crosswalk(str(cw_path))
            show_problems(cw_problems)
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


def _scale_value(choice: str) -> str | float:
    try:
        return float(choice)
    except ValueError:
        return str(choice)


def _follow_columns(cols: list[str], kind: str) -> None:
    """When the table's columns change (another sheet, header line or kind), the choices made
    for the old columns go, so the proposals for the new ones are shown."""
    sig = (kind, tuple(cols))
    if st.session_state.get(_k("cols")) != sig:
        for name in ROLE_WIDGETS:
            st.session_state.pop(_k(name), None)
        st.session_state[_k("cols")] = sig


