"""Excel workbooks (.xlsx/.xlsm with openpyxl, .xls with xlrd) as text cells.

:func:`geodata.readers.text.read_table_file` hands workbooks to :func:`read_sheet` (one sheet)
and :func:`read_all_sheets` (every sheet stacked). The rules (documented in
``docs/workspace-manifest.md``):

- **Cells** are the text a user sees: ``4873`` (not ``4873.0``), ``7.1``, a
  percentage-formatted 0.071 as ``7.1%``, dates as ``2024-03-31`` (with the time when it is
  not midnight), TRUE/FALSE, empty cells "". Empty rows are skipped.
- **Sheets**: a sheet is chosen by name or 0-based index. Without a sheet, the first visible
  sheet is read (sheets are listed visible first, so an index counts the visible ones first).
- **Every sheet** (``sheet = "*"`` or ``"all"``): the visible sheets are read and stacked, with
  a column ``sheet`` holding each row's sheet name (``_sheet`` when the table has a ``sheet``
  column; line numbers are rows of each row's own sheet). Sheets whose header differs from
  the first sheet's are reported and their columns matched by name; empty and hidden sheets
  are left out and reported.
- **One layout or one per sheet** (``sheet_layout``): ``"same"`` (the default) reads every
  sheet with the given layout. ``"each"`` detects each sheet's layout with
  :func:`~geodata.readers.layout.propose_layout` on that sheet's first 200 and last 30 filled
  rows. The given layout is the first sheet's (detected there when none is given); on every
  other sheet each of its settings (``header_row``, ``header_rows``, ``skip_bottom``,
  ``stop_at_blank``) is kept where detection finds the same value as on the first sheet, and
  replaced by the sheet's own where it finds another, so settings chosen by hand carry over to
  the sheets laid out like the first. Sheets read with a layout other than the first sheet's
  are named in one note (``sheet_layouts``).
- **Recognised by content**, not by name: an .xls that is really an .xlsx is read as one, one
  that is really text is read as delimited text (reported); a web page is refused.
"""
from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import fields
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from locales import DEFAULT, N_, t, use

from ..problems import Text

from .layout import Layout, LayoutProposal, first_line_note, grid_of, is_blank_row, \
    propose_layout
from .records import HINT_RECORDS, ReadNote, ReadResult, assemble, checked, empty_result, \
    finish

SHEET_LAYOUTS = ("same", "each")
SHEET_COLUMNS = ("name", "position")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_DETECT_ROWS = 200      # first filled rows of a sheet its layout is detected from


def file_kind(path: Path) -> str:
    """parquet, xlsx, xls, text, text_as_xls (an Excel name on a text file) or html_as_xls."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq", ".geoparquet"):
        return "parquet"
    if suffix not in (".xlsx", ".xlsm", ".xls"):
        return "text"
    with open(path, "rb") as fh:
        magic = fh.read(512)
    if magic.startswith(_OLE):
        return "xls"
    if magic.startswith(_ZIP):
        return "xlsx"
    if magic.lstrip(codecs.BOM_UTF8 + b" \t\r\n").startswith(b"<"):
        return "html_as_xls"
    return "text_as_xls" if magic.strip() else "xlsx"


def disguised_note() -> ReadNote:
    return ReadNote("warning", "text_as_excel",
                    Text(N_("the file has an Excel name but holds delimited text; read as text")),
                    expected=Text(N_("a .csv name for a text file, or the workbook itself")))


def not_a_workbook_note() -> ReadNote:
    return ReadNote("error", "not_a_workbook",
                    Text(N_("the file has an Excel name but is a web page (HTML), not a workbook")),
                    expected=Text(N_("the table saved from Excel as .xlsx, or exported as CSV")))


# ------------------------------------------------------------------ cells

def _number_text(v: float) -> str:
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.15g}"


_QUOTED = re.compile(r'"[^"]*"|\\.')


def excel_text(value, number_format: str = "") -> str:
    """A cell's value as the text a user sees (see the module's rules on Excel)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if number_format and "%" in _QUOTED.sub("", number_format):
            return _number_text(float(value) * 100) + "%"
        return str(value) if isinstance(value, int) else _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------ workbooks

class _Workbook:
    """An open .xlsx/.xlsm (openpyxl, read-only) or .xls (xlrd) workbook."""

    def __init__(self, path: Path):
        self.kind = file_kind(path)
        if self.kind == "xls":
            import xlrd
            try:
                self.book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
            except NotImplementedError:       # formatting of some old BIFF versions
                self.book = xlrd.open_workbook(str(path), on_demand=True)
            names = list(self.book.sheet_names())
            seen = list(getattr(self.book, "_sheet_visibility", []))
            hidden = {n for n, v in zip(names, seen) if v}
        else:
            import openpyxl
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            names = [ws.title for ws in self.book.worksheets]
            hidden = {ws.title for ws in self.book.worksheets
                      if getattr(ws, "sheet_state", "visible") != "visible"}
        self.hidden = [n for n in names if n in hidden]
        self.names = [n for n in names if n not in hidden] + self.hidden   # visible first

    def close(self) -> None:
        if self.kind == "xls":
            self.book.release_resources()
        else:
            self.book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def resolve(self, sheet) -> str | None:
        """The sheet's name: None/"" is the first visible sheet, an int a 0-based index into
        :attr:`names` (visible sheets first)."""
        if sheet is None or sheet == "":
            return self.names[0] if self.names else None
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            return self.names[sheet] if -len(self.names) <= sheet < len(self.names) else None
        return str(sheet) if str(sheet) in self.names else None

    def rows(self, name: str) -> list[tuple[int, list[str]]]:
        """Every row of the sheet up to its last filled one: ``(row number, cells)``."""
        out = list(self.iter_rows(name))
        while out and is_blank_row(out[-1][1]):
            out.pop()
        return out

    def iter_rows(self, name: str) -> Iterator[tuple[int, list[str]]]:
        """The sheet's rows one by one, blank ones included: ``(row number, cells)``."""
        return self._xls_rows(name) if self.kind == "xls" else self._xlsx_rows(name)

    def _xlsx_rows(self, name: str) -> Iterator[tuple[int, list[str]]]:
        ws = self.book[name]
        ws.reset_dimensions()           # a wrong <dimension> in the file must not cut rows
        for r, row in enumerate(ws.iter_rows(), start=1):
            cells = [excel_text(c.value, c.number_format if isinstance(c.value, (int, float))
                                else "") for c in row]
            while cells and not cells[-1]:
                cells.pop()
            yield r, cells

    def _xls_rows(self, name: str) -> Iterator[tuple[int, list[str]]]:
        import xlrd

        book = self.book
        sh = book.sheet_by_name(name)
        formats = book.format_map if book.formatting_info else {}
        for r in range(sh.nrows):
            cells = []
            for c in sh.row(r):
                if c.ctype == xlrd.XL_CELL_DATE:
                    try:
                        cells.append(excel_text(xlrd.xldate_as_datetime(c.value, book.datemode)))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        cells.append(excel_text(c.value))
                elif c.ctype == xlrd.XL_CELL_NUMBER:
                    fmt = ""
                    if formats:
                        xf = book.xf_list[c.xf_index]
                        fmt = getattr(formats.get(xf.format_key), "format_str", "")
                    cells.append(excel_text(float(c.value), fmt))
                elif c.ctype == xlrd.XL_CELL_BOOLEAN:
                    cells.append(excel_text(bool(c.value)))
                elif c.ctype == xlrd.XL_CELL_ERROR:
                    cells.append(xlrd.error_text_from_code.get(c.value, "#ERROR"))
                elif c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append("")
                else:
                    cells.append(str(c.value))
            while cells and not cells[-1]:
                cells.pop()
            yield r + 1, cells
        book.unload_sheet(name)


def workbook_sheets(path: Path) -> list[str]:
    """The worksheets of an Excel workbook: the visible ones in order, then the hidden ones;
    [] for any other file."""
    if file_kind(Path(path)) not in ("xlsx", "xls"):
        return []
    with _Workbook(Path(path)) as wb:
        return list(wb.names)


def _no_sheet(sheet, names: list[str]) -> ReadNote:
    return ReadNote("error", "no_sheet",
                    Text(N_("the workbook has no sheet {sheet}"), sheet=repr(sheet)),
                    values=tuple(names[:5]),
                    expected=Text(N_('one of its sheets: {sheets} (or "*" for every sheet)'),
                                  sheets=", ".join(names[:20]) + ("…" if len(names) > 20
                                                                  else "")))


def _empty_sheet(name: str) -> ReadNote:
    return ReadNote("error", "empty_sheet",
                    Text(N_("the sheet {sheet} is empty"), sheet=repr(name)),
                    expected=Text(N_("a header row and data rows")))


def _unreadable(exc: Exception) -> ReadNote:
    return ReadNote("error", "unreadable",
                    Text(N_("the workbook cannot be opened: {error}"), error=str(exc)[:270]),
                    expected=Text(N_("an .xlsx, .xlsm or .xls workbook Excel can open")))


def sheet_records(path: Path, sheet) -> tuple[str, list[tuple[int, list[str]]] | None,
                                              list[ReadNote], list[str]]:
    """``(sheet name, rows, notes, the workbook's sheets)`` of one sheet; rows is None when
    it cannot be read."""
    try:
        with _Workbook(Path(path)) as wb:
            name = wb.resolve(sheet)
            if name is None:
                return "", None, [_no_sheet(sheet, wb.names)], list(wb.names)
            return name, wb.rows(name), [], list(wb.names)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook is a note, not a crash
        return "", None, [_unreadable(exc)], []



# ------------------------------------------------------------------ reading sheets

def read_sheet(path: Path, sheet, layout: Layout | None) -> ReadResult:
    """One sheet (name, 0-based index, or None for the first visible one)."""
    name, rows, notes, _sheets = sheet_records(path, sheet)
    if rows is None:
        return empty_result(notes)
    return _sheet_result(name, rows, layout, notes)


def _sheet_result(name: str, rows: list[tuple[int, list[str]]], layout: Layout | None,
                  notes: list[ReadNote]) -> ReadResult:
    if not any(not is_blank_row(cells) for _r, cells in rows):
        return empty_result(notes + [_empty_sheet(name)])
    if layout is None:
        hint = first_line_note([(r, c) for r, c in rows if not is_blank_row(c)][:HINT_RECORDS],
                               unit="row")
        if hint:
            notes = [hint] + notes
    frame, lines, more = assemble(((r, r, c) for r, c in rows), layout or Layout(),
                                  text_file=False)
    return checked(frame, lines, notes + more, "", "")


def read_all_sheets(path: Path, layout: Layout | None,
                    sheet_layout: str = "same", sheet_columns: str = "name") -> ReadResult:
    """Every visible sheet read and stacked, with a ``sheet`` column; ``sheet_layout`` says
    whether they are read with ``layout`` ("same") or each with its own ("each"; see the
    module's rules). ``sheet_columns`` says how a sheet's columns meet the first sheet's:
    by their names ("name"), or, for a sheet with as many columns whose names differ, by
    their position ("position": the first sheet's names are used, and that is reported)."""
    if sheet_columns not in SHEET_COLUMNS:
        raise ValueError(f"sheet_columns must be one of {SHEET_COLUMNS}, got {sheet_columns!r}")
    if sheet_layout not in SHEET_LAYOUTS:
        raise ValueError(f"sheet_layout must be one of {SHEET_LAYOUTS}, got {sheet_layout!r}")
    try:
        with _Workbook(path) as wb:
            sheets = [(n, wb.rows(n)) for n in wb.names if n not in wb.hidden]
            hidden = list(wb.hidden)
    except Exception as exc:  # noqa: BLE001
        return empty_result([_unreadable(exc)])
    frames, lines, notes, empty, differ, by_position = [], [], [], [], [], []
    if hidden:
        notes.append(ReadNote("warning", "hidden_sheet",
                              Text(N_("{n} hidden sheet(s) left out: {sheets}"),
                                   n=f"{len(hidden):,}",
                                   sheets=", ".join(repr(n) for n in hidden)[:300]),
                              values=tuple(hidden[:5]),
                              expected=Text(N_("the sheets to read visible, or one sheet by "
                                               "name"))))
    layouts: dict[str, Layout] = {}
    if sheet_layout == "each":
        layouts, note = each_sheet_layout(sheets, layout)
        notes += [note] if note else []
    ref: list[str] | None = None
    for name, rows in sheets:
        res = _sheet_result(name, rows, layouts.get(name, layout or Layout()), [])
        if any(n.code == "empty_sheet" for n in res.notes):
            empty.append(name)
            continue
        notes.extend(ReadNote(n.severity, n.code,
                              Text(N_("sheet {sheet}: {message}"), sheet=repr(name),
                                   message=n.message),
                              n.lines, n.values, n.expected) for n in res.notes)
        if res.frame.shape[1] == 0:
            continue
        cols = [str(c) for c in res.frame.columns]
        if ref is not None and sheet_columns == "position" and len(cols) == len(ref) \
                and cols != ref:
            res.frame.columns = ref
            by_position.append(name)
            cols = ref
        if ref is None:
            ref, first = cols, name
        elif cols != ref:
            missing = [c for c in ref if c not in cols]
            extra = [c for c in cols if c not in ref]
            if missing or extra:
                differ.append((name, missing, extra))
        frames.append((name, res.frame))
        lines.append(res.lines)
    if empty:
        notes.append(ReadNote("warning" if frames else "error", "empty_sheet",
                              Text(N_("{n} empty sheet(s) left out: {sheets}"),
                                   n=f"{len(empty):,}",
                                   sheets=", ".join(repr(n) for n in empty)[:300]),
                              values=tuple(empty[:5]),
                              expected=Text(N_("a header row and data rows"))))
    if by_position:
        notes.append(ReadNote(
            "note", "sheet_columns_by_position",
            Text(N_("{n} sheet(s) have other column names but as many columns as the first "
                    "sheet ({first}); their columns are taken by position, under the first "
                    "sheet's names (sheet_columns = \"position\"): {sheets}"),
                 n=f"{len(by_position):,}",
                 first=repr(first), sheets=", ".join(repr(n) for n in by_position)[:300]),
            values=tuple(by_position[:5]), expected=Text(N_("the same header on every sheet"))))
    if differ:
        notes.append(_columns_differ(differ, first))
    if not frames:
        return empty_result(notes or [ReadNote(
            "error", "empty_file", Text(N_("the workbook has no sheets")),
            expected=Text(N_("a sheet with a header and data rows")))])
    frame, more = _stack(frames)
    return finish(frame, np.concatenate(lines), notes + more, "", "")


def _columns_differ(differ: list[tuple[str, list[str], list[str]]], first: str) -> ReadNote:
    parts = "; ".join(f"{n!r}: " + ", ".join(
        [Text(N_("no {column}"), column=repr(c)) for c in m[:3]]
        + [Text(N_("extra {column}"), column=repr(c)) for c in x[:3]])
        + ("…" if len(m) > 3 or len(x) > 3 else "") for n, m, x in differ)
    msg = N_("{n} sheet(s) have a header different from the first sheet's ({first}); their "
             "columns are matched by name, cells of a column a sheet does not have are empty: "
             "{sheets}")
    fields = {"n": f"{len(differ):,}", "first": repr(first)}
    return ReadNote(
        "warning", "sheet_columns_differ",
        Text(msg, sheets=parts[:_room(msg, 900, fields)], **fields),
        values=tuple(n for n, _m, _x in differ[:5]),
        expected=Text(N_("the same header on every sheet")))


def _room(msgid: str, limit: int, fields: dict[str, str]) -> int:
    """How long the ``sheets`` field of a message may be for the message to stay within
    ``limit`` characters (in English, the longer text)."""
    with use(DEFAULT):
        return max(0, limit - len(t(msgid, sheets="", **fields)))


def _stack(frames: list[tuple[str, pd.DataFrame]]) -> tuple[pd.DataFrame, list[ReadNote]]:
    """The sheets' frames one below the other, columns matched by name, with the sheet's name
    in a first column ``sheet`` (``_sheet`` when the table has a ``sheet`` column)."""
    columns = list(dict.fromkeys(c for _n, f in frames for c in f.columns))
    sheet_col = "sheet"
    while sheet_col in columns:
        sheet_col = "_" + sheet_col
    notes = []
    if sheet_col != "sheet":
        notes.append(ReadNote("warning", "sheet_column",
                              Text(N_("the table has a column named 'sheet'; the sheet names "
                                      "are in the column {column}"), column=repr(sheet_col)),
                              expected=Text(N_("no column named 'sheet'"))))
    parts = []
    for name, f in frames:
        f = f.reindex(columns=columns, fill_value="")
        f.insert(0, sheet_col, name)
        parts.append(f.astype("string"))
    return pd.concat(parts, ignore_index=True), notes


# ------------------------------------------------------------------ a layout per sheet

_FIELDS = tuple(f.name for f in fields(Layout))


def each_sheet_layout(sheets: list[tuple[str, list[tuple[int, list[str]]]]],
                      given: Layout | None) -> tuple[dict[str, Layout], ReadNote | None]:
    """The layout each sheet is read with under ``sheet_layout = "each"`` (see the module's
    rules), and the note naming the sheets read with a layout other than the first sheet's.
    Empty sheets get none."""
    detected = {}
    for name, rows in sheets:
        grid = grid_of(((r, r, c) for r, c in rows), _DETECT_ROWS)
        if grid.head:
            detected[name] = propose_layout(grid).layout
    if not detected:
        return {}, None
    first = next(iter(detected))
    ref, base = detected[first], given or detected[first]
    used = {name: Layout(**{f: getattr(base if getattr(lay, f) == getattr(ref, f) else lay, f)
                            for f in _FIELDS})
            for name, lay in detected.items()}
    return used, _layouts_note(list(used.items()))


def _layouts_note(used: list[tuple[str, Layout]]) -> ReadNote | None:
    first, ref = used[0]
    groups: dict[Layout, list[int]] = {}
    for i, (_name, lay) in enumerate(used):
        if lay != ref:
            groups.setdefault(lay, []).append(i)
    if not groups:
        return None
    differ = [used[i][0] for i in sorted(i for idx in groups.values() for i in idx)]
    said = "; ".join(f"{_sheets_text([used[i][0] for i in idx], idx)}: "
                     f"{layout_text(lay, ref)}" for lay, idx in groups.items())
    msg = N_("each sheet's layout detected (sheet_layout = \"each\"): {n} of {total} sheets "
             "are laid out differently from the first, {first} ({layout}), and were read with "
             "their own: {sheets}")
    fields = {"n": f"{len(differ):,}", "total": f"{len(used):,}", "first": repr(first),
              "layout": layout_text(ref)}
    return ReadNote("note", "sheet_layouts",
                    Text(msg, sheets=said[:_room(msg, 1500, fields)], **fields),
                    values=tuple(differ), expected="")


def _sheets_text(names: list[str], idx: list[int]) -> str:
    """'sheet '2016'', 'sheets '2016', '2015'', 'sheets '2014'–'2000' (15)': runs of three or
    more sheets next to each other are written as a range."""
    runs: list[list[int]] = []
    for k, i in enumerate(idx):
        if runs and i == idx[k - 1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    parts = [f"{names[r[0]]!r}–{names[r[-1]]!r} ({len(r)})" if len(r) >= 3 else
             ", ".join(repr(names[k]) for k in r) for r in runs]
    if len(names) == 1:
        return Text(N_("sheet {sheets}"), sheets=", ".join(parts))
    return Text(N_("sheets {sheets}"), sheets=", ".join(parts))


def layout_text(lay: Layout, ref: Layout | None = None) -> str:
    """A layout in words ('header on rows 3-4 (2 lines), ends at its first blank line');
    with ``ref``, only what differs from it."""
    parts = []
    if ref is None or (lay.header_row, lay.header_rows) != (ref.header_row, ref.header_rows):
        parts.append(Text(N_("header on row {row} (one line)"), row=str(lay.header_row))
                     if lay.header_rows == 1 else
                     Text(N_("header on rows {first}-{last} ({n} lines)"),
                          first=str(lay.header_row), last=str(lay.last_header_line),
                          n=str(lay.header_rows)))
    if lay.skip_bottom != (ref.skip_bottom if ref else 0):
        parts.append(Text(N_("the last {n} row(s) left out"), n=str(lay.skip_bottom))
                     if lay.skip_bottom else Text(N_("no rows left out at the end")))
    if lay.stop_at_blank != (ref.stop_at_blank if ref else False):
        parts.append(Text(N_("ends at its first blank line")) if lay.stop_at_blank else
                     Text(N_("read past blank lines")))
    return ", ".join(parts)


def propose_sheet_layouts(path: Path, *, max_rows: int = _DETECT_ROWS) \
        -> dict[str, LayoutProposal]:
    """The proposed layout of every visible sheet with a filled row, in the workbook's order;
    {} for a file that is not a workbook or cannot be opened. Each sheet is streamed once,
    keeping only its first ``max_rows`` and last 30 filled rows."""
    path = Path(path)
    if file_kind(path) not in ("xlsx", "xls"):
        return {}
    out = {}
    try:
        with _Workbook(path) as wb:
            for name in wb.names:
                if name in wb.hidden:
                    continue
                grid = grid_of(((r, r, c) for r, c in wb.iter_rows(name)), max_rows)
                if grid.head:
                    out[name] = propose_layout(grid)
    except Exception:  # noqa: BLE001 - an unreadable workbook has nothing to propose
        return {}
    return out
