"""The Import page's table step: reader options, periods, units and keys for one table."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geodata.readers.draft import LevelDraft, TableDraft, slug
from geodata.readers.excel import layout_text
from geodata.readers.keys import RULE_LABELS, key_plan
from geodata.readers.layout import sheets_differ
from geodata.readers.roles import unit_from_titles
from geodata.readers.units import parse_scale
from locales import N_, t

from . import cache
from .import_files import option_labels, pick_file, show_problems, staged
from .text import md, md_code

TABLE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"]
KINDS = {"allocations": N_("Money (allocations, spending)"), "population": N_("Population"),
         "indicators": N_("An indicator (outcome)")}
ENCODINGS = {"": N_("Detect (UTF-8, else GB18030 or cp1252, reported)"), "utf-8": "UTF-8",
             "gb18030": N_("GB18030 / GBK (Chinese)"), "cp1252": "Windows-1252",
             "latin-1": "Latin-1", "utf-16": "UTF-16"}
DELIMITERS = {"": N_("Detect"), ",": N_("Comma ,"), ";": N_("Semicolon ;"), "\t": N_("Tab"),
              "|": N_("Bar |")}
#: Units offered for the numbers of a table: the reader's vocabulary (geodata.readers.units),
#: kept as written; the English words are shown in the reader's language.
SCALES = ["1", "thousand", "million", "billion", "千", "万", "亿", "千元", "万元", "亿元",
          "千人", "万人"]
SCALE_WORDS = {"thousand": N_("thousand"), "million": N_("million"), "billion": N_("billion"),
               "other": N_("other")}

VALUE_WORDS = {"allocations": N_("money"), "population": N_("population"),
               "indicators": N_("value")}
#: The heading of the amount column of the key tables, by kind of table.
VALUE_HEADINGS = {"allocations": N_("Money"), "population": N_("Population"),
                  "indicators": N_("Value")}
NOT_MATCHED = {"allocations": N_("Money not matched"),
               "population": N_("Population not matched"),
               "indicators": N_("Value not matched")}
PROPOSAL_HEADINGS = {"accept": N_("Accept"), "key": N_("Key in your table"),
                     "region_id": N_("Area id"), "name": N_("Area name"), "rule": N_("Why"),
                     "rows": N_("Rows"), "candidates": N_("Areas that fit"),
                     "also_matched": N_("Area matched already"), "choices": N_("Candidates")}
PROPOSAL_ORDER = ("accept", "key", "name", "region_id", "rule", "rows", "amount", "candidates",
                  "choices", "also_matched")
DIRECTIONS = {"higher_is_better": N_("higher"), "lower_is_better": N_("lower")}
SPAN_RULES = {"": N_("refused (not read)"), "start": N_("it starts in (2021)"),
              "end": N_("it ends in (2022)")}
ROLE_WIDGETS = ("wide", "wcols", "span", "year", "value", "key", "ind", "unit", "scale",
                "factor", "props", "unitcol", "agency", "program")

# The manifest's option names in a reason, and the words of this page's own controls.
_PAGE_WORDS = (("stop_at_blank = true", N_("“The table ends at the first blank line”")),
               ("skip_bottom", N_("note lines at the end")), ("header_rows", N_("header lines")),
               ("header_row", N_("header on line")))


def _in_page_words(reason: object) -> str:
    """A proposal's reason with the manifest's option names as this page calls them."""
    text = str(reason)
    for key, words in _PAGE_WORDS:
        text = text.replace(key, t(words))
    return text


def _reader_options(path: Path, name: str) -> dict:
    """Sheet, encoding, delimiter, header lines: proposed, shown, adjustable."""
    suffix = path.suffix.lower()
    opts: dict = {"encoding": "", "separator": None, "sheet": None, "sheet_layout": "same",
                  "sheet_columns": "name"}
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheets = cache.import_sheets(str(path))
        if not sheets:
            st.error(t("{file} has no sheets that can be read.", file=md(name)))
            return {}
        choices = sheets + (["*"] if len(sheets) > 1 else [])
        opts["sheet"] = st.selectbox(
            t("Sheet"), choices, key=_k("sheet"),
            format_func=option_labels(
                {"*": N_("All sheets, stacked (the sheet name becomes a column)")}))
        if opts["sheet"] == "*":
            props = cache.import_sheet_layouts(str(path))
            differ = sheets_differ(props)
            if st.checkbox(t("Detect each sheet's layout on its own (title lines, header lines "
                             "and notes may differ from sheet to sheet)"), value=differ,
                           key=_k("each")):
                opts["sheet_layout"] = "each"
            if st.checkbox(t("Match the sheets' columns by position when their names differ "
                             "(sheets with as many columns as the first)"), value=differ,
                           key=_k("bypos")):
                opts["sheet_columns"] = "position"
            if differ:
                first = next(iter(props.values())).layout
                st.caption(t("Sheets laid out differently from the first: {sheets}",
                             sheets="; ".join(
                                 f"{md(sheet)}: {md(layout_text(p.layout, first))}"
                                 for sheet, p in list(props.items())[1:]
                                 if p.layout != first)[:600]))
    elif suffix not in (".parquet",):
        c1, c2 = st.columns(2)
        opts["encoding"] = c1.selectbox(t("Encoding"), list(ENCODINGS), key=_k("enc"),
                                        format_func=option_labels(ENCODINGS))
        opts["separator"] = c2.selectbox(t("Delimiter"), list(DELIMITERS), key=_k("sep"),
                                         format_func=option_labels(DELIMITERS)) or None
    grid, proposal = cache.import_grid(str(path), opts["encoding"], opts["separator"],
                                       opts["sheet"])
    if grid is None:
        st.error(t("{file} cannot be read.", file=md(name)))
        return {}
    st.markdown("**" + t("The file's first lines, as they are") + "**")
    rows = grid.head[:15]
    width = max((len(r) for r in rows), default=0)
    raw = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows])
    raw.index = grid.head_lines[:15]
    raw.columns = [f"{i + 1}" for i in range(raw.shape[1])]
    st.dataframe(raw, width="stretch", height=38 + 35 * len(raw))
    for reason in proposal.reasons:
        st.caption(t("Proposed: {reason}", reason=md(_in_page_words(reason))))
    lay = proposal.layout
    c1, c2, c3, c4 = st.columns(4)
    opts["stop_at_blank"] = st.checkbox(
        t("The table ends at the first blank line (another table follows below it)"),
        value=lay.stop_at_blank, key=_k("stop"))
    opts["header_row"] = int(c1.number_input(t("Header on line"), 1, 100_000, lay.header_row,
                                             key=_k("hrow")))
    opts["header_rows"] = int(c2.number_input(t("Header lines"), 1, 5, lay.header_rows,
                                              key=_k("hrows")))
    opts["skip_bottom"] = int(c3.number_input(t("Note lines at the end"), 0, 100_000,
                                              lay.skip_bottom, key=_k("skip")))
    above = [row for row, line in zip(grid.head, grid.head_lines) if line < opts["header_row"]]
    opts["title_unit"] = unit_from_titles(above)
    opts["decimal"] = c4.radio(t("Decimal mark"), [".", ","], key=_k("dec"), horizontal=True,
                               help=t("With ',' the thousands separator is '.' (1.234,5); with "
                                      "'.' it is ',' (1,234.5). A space or an apostrophe is "
                                      "read as a thousands separator in both."))
    return opts


def _k(name: str) -> str:
    """Widget key of the table being edited; a new number for each table added."""
    return f"imp_t{st.session_state.get('imp_tn', 0)}_{name}"


def table_step(level: LevelDraft, regions: pd.DataFrame, currency: str) -> TableDraft | None:
    st.header(t("2 · Tables"))
    kind = st.radio(t("What the table holds"), list(KINDS), format_func=option_labels(KINDS),
                    key=_k("kind"), horizontal=True)
    picked = pick_file(t("Table file"), TABLE_TYPES, _k("file"))
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
        text = str(n.message)
        text = text[:1].upper() + text[1:]
        (st.error if n.severity == "error" else
         st.info if n.code == "encoding_detected" or n.severity != "warning" else
         st.warning)(md(_in_page_words(text)))
    if frame is None or frame.shape[1] == 0:
        return None
    st.markdown(t("**As read: {rows} rows, {n} columns** (first 20)", rows=f"{len(frame):,}",
                  n=str(frame.shape[1])))
    st.dataframe(frame.head(20), width="stretch", hide_index=True)

    cols = [str(c) for c in frame.columns]
    _follow_columns(cols, kind)
    periods, refused = read["periods"], read["refused"]
    roles = read["roles_" + kind]
    st.subheader(t("Periods"))
    wide = st.toggle(t("Years are columns (one column per year or quarter)"),
                     value=roles["wide"], key=_k("wide"))
    year_span = None
    spans = any("span" in why for _c, why in refused)     # reasons are message ids (English)
    if spans or any("-" in c or "/" in c for c in periods):
        rule = st.radio(t("A two-year span such as 2021-22 is the year…"), list(SPAN_RULES),
                        key=_k("span"), horizontal=True,
                        format_func=option_labels(SPAN_RULES))
        year_span = rule or None
        if year_span:
            periods, refused = cache.import_periods(tuple(cols), year_span)
    wide_cols: list[str] | None = None
    year_col = value_col = None
    if wide:
        wide_cols = st.multiselect(t("Period columns to turn into rows"), cols,
                                   default=[c for c in periods if c in cols],
                                   key=_k("wcols"))
        if refused:
            st.caption(t("Not read as periods: {columns}", columns="; ".join(
                f"{md(c)} ({md(t(why))})" for c, why in refused[:8])))
    else:
        c1, c2 = st.columns(2)
        year_col = c1.selectbox(t("Year column"), cols, key=_k("year"),
                                index=cols.index(roles["year"]) if roles["year"] in cols else 0)
        value_col = c2.selectbox(t("Value column"), cols, key=_k("value"),
                                 index=cols.index(roles["value"]) if roles["value"] in cols
                                 else len(cols) - 1)
    key_options = [c for c in cols if not wide_cols or c not in wide_cols]
    if not key_options:
        st.error(t("Every column is a period column: one must hold the areas' ids or names."))
        return None
    key_col = st.selectbox(t("Column naming the areas"), key_options, key=_k("key"),
                           index=key_options.index(roles["key"]) if roles["key"] in key_options
                           else 0)
    constants, label, unit = {}, "", ""
    if kind == "indicators":
        c1, c2, c3 = st.columns(3)
        # The default name is saved in the workspace as typed: in the reader's language.
        ind = c1.text_input(t("Indicator name"), value=value_col or t("Indicator"),
                            key=_k("ind"))
        unit = c2.text_input(t("Unit (%, km, …)"), value="", key=_k("unit"))
        direction = c3.radio(t("Better when"), list(DIRECTIONS), key=_k("dir"),
                             format_func=option_labels(DIRECTIONS))
        constants = {"indicator": ind or t("Indicator"), "direction": direction}
        if unit:
            constants["unit"] = unit
    else:
        label = st.text_input(t("Label"), value="", key=_k("label"),
                              placeholder=t("e.g. Transfer payments") if kind == "allocations"
                              else t("e.g. Resident population"))

    st.subheader(t("Units"))
    unit_col = None
    if kind != "indicators":
        others = [c for c in cols if c not in (wide_cols or []) and c not in (year_col, value_col)]
        unit_col = st.selectbox(t("A column giving each row's unit (optional)"), ["", *others],
                                key=_k("unitcol"),
                                format_func=option_labels(
                                    {"": N_("(none: one unit for the whole table)")})) or None
    if unit_col:
        st.caption(t("Each row is multiplied by its own unit (万元, 亿元, USD millions…); a row "
                     "whose unit is not understood is left out and listed on Data quality."))
        choice = "1"
    else:
        header = (wide_cols[0] if wide_cols else value_col) or ""
        in_header = cache.import_scale_of(header)
        proposed = in_header or opts.get("title_unit")
        options = SCALES + ([proposed] if proposed and proposed not in SCALES else []) + \
            ["other"]
        choice = st.selectbox(
            t("The numbers in the file are in…"), options,
            index=options.index(proposed) if proposed in options else 0, key=_k("scale"),
            format_func=option_labels(SCALE_WORDS),
            help=t("The values are multiplied on load, so the map shows {currency} and "
                   "residents, never 亿元 or 万人.", currency=currency) if currency else
            t("The values are multiplied on load, so the map shows the currency and "
              "residents, never 亿元 or 万人."))
        if choice == "other":
            choice = st.text_input(t("Factor"), value="1", key=_k("factor"))
        if proposed:
            st.caption(t("Proposed: the header {header} names {unit}.", header=md_code(header),
                         unit=md(proposed)) if in_header else
                       t("Proposed: a title line above the header names {unit}.",
                         unit=md(proposed)))
        scale = parse_scale(str(choice))
        if scale is None:
            st.error(t("{unit} is not a unit or factor this reader knows.", unit=md(choice)))
            return None
        (st.warning if scale.other_currency(currency) else st.caption)(
            t("Each value is multiplied on load: {scale}", scale=md(scale.describe(currency))))

    columns: dict[str, str] = {}
    year_name, value_name = {"allocations": ("fiscal_year", "amount"),
                             "population": ("year", "population"),
                             "indicators": ("year", "value")}[kind]
    if not wide:
        if year_col == value_col:
            st.error(t("The year column and the value column must differ."))
            return None
        columns[year_name] = year_col
        columns[value_name] = value_col
    elif not wide_cols:
        st.error(t("Choose the period columns, or turn off \"Years are columns\"."))
        return None
    if unit_col:
        columns["unit"] = unit_col
    if kind == "allocations":
        c1, c2 = st.columns(2)
        free = [c for c in cols if c not in (wide_cols or []) and c not in columns.values()]
        for box, canon, prompt in ((c1, "agency", t("Agency or department column (optional)")),
                                   (c2, "program", t("Programme column (optional)"))):
            picked = box.selectbox(prompt, ["", *free], key=_k(canon),
                                   format_func=option_labels({"": N_("(none)")}))
            if picked:
                columns[canon] = picked

    st.subheader(t("Keys"))
    match = cache.import_match(str(path), opts["encoding"], opts["separator"], opts["sheet"],
                               opts["header_row"], opts["header_rows"], opts["skip_bottom"],
                               opts["stop_at_blank"], opts["sheet_layout"],
                               opts["sheet_columns"], key_col, tuple(wide_cols or ()), value_col, opts["decimal"],
                               year_span, str(level.source), level.layer, level.key,
                               level.name, level.crs)
    by = match.by
    unit_text = f" ({choice})" if str(choice) not in ("1", "") else ""
    c1, c2, c3 = st.columns(3)
    c1.metric(t("Rows matched"), t("{matched} of {rows}", matched=f"{match.matched_rows:,}",
                                   rows=f"{match.rows:,}"),
              help=t("Rows whose key is an area's id as written; accepted proposals and a "
                     "crosswalk add to it (below)") if by == "id" else
              t("Rows whose key is an area's name as written; accepted proposals and a "
                "crosswalk add to it (below)"))
    c2.metric(t("Matched by"), t("area id") if by == "id" else t("area name"))
    c3.metric(t(NOT_MATCHED[kind]), f"{match.unmatched_amount:,.10g}{unit_text}",
              help=t("As written in the file, before the unit is applied"))
    headings = {k: t(v) for k, v in PROPOSAL_HEADINGS.items()} | \
        {"amount": t(VALUE_HEADINGS[kind])}
    crosswalk = None
    if len(match.unmatched):
        with st.expander(t("{n} key(s) match no area as written",
                           n=f"{len(match.unmatched):,}")):
            st.dataframe(match.unmatched.head(500).rename(columns=headings),
                         hide_index=True, width="stretch")
    props = match.proposals
    if len(props):
        props = props.copy()
        props.insert(0, "accept", props["candidates"].eq(1) & props["region_id"].astype(
            "string").fillna("").ne(""))
        st.markdown(t("**Proposals** (untick any you do not want; a key that fits several "
                      "areas cannot be accepted: use a crosswalk table)"))
        # The rule is shown in words; its name (data) is what a crosswalk file keeps.
        shown = props.assign(rule=props["rule"].map(
            lambda r: t(RULE_LABELS[r]) if r in RULE_LABELS else r)).rename(columns=headings)
        edited = st.data_editor(shown, hide_index=True, width="stretch", key=_k("props"),
                                disabled=[c for c in shown.columns if c != headings["accept"]],
                                column_order=[headings[c] for c in PROPOSAL_ORDER
                                              if headings[c] in shown.columns])
        edited = edited.rename(columns={v: k for k, v in headings.items()})
        edited["rule"] = props["rule"]
        ok = edited["accept"] & edited["candidates"].eq(1)
        accepted = edited[ok]
    else:
        accepted = props.iloc[0:0]
    key_canon, crosswalk = key_plan(frame[key_col], match, accepted, regions)
    if len(crosswalk) == 0:
        crosswalk = None
    own = st.file_uploader(t("…or a crosswalk table of your own (columns from, to: your key, "
                             "then the area's id)") if key_canon == "region_id" else
                           t("…or a crosswalk table of your own (columns from, to: your key, "
                             "then the area's name)"),
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
        st.metric(t("Rows matched with the crosswalk"),
                  t("{matched} of {rows}", matched=f"{rows:,}", rows=f"{match.rows:,}"),
                  help=t("{share} of the rows", share=f"{rows / match.rows:.0%}")
                  if match.rows else None)
        st.caption(t("{n} key(s) will be matched through a crosswalk file saved in the "
                     "workspace; your table is not changed.", n=f"{len(crosswalk):,}"))

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


