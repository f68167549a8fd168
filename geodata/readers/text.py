"""Delimited text and spreadsheets into a frame of text cells, reporting what was decided.

:func:`read_table_file` reads CSV/TSV (any common encoding), Excel (.xlsx/.xlsm with openpyxl,
.xls with xlrd) and Parquet files as text cells, one frame column per file column, and returns
with it the physical line number of each row and a list of :class:`ReadNote` (what the reader
decided or could not read). It never raises for the file's content: a file too large, empty,
or in an unknown encoding is a note.

The rules (documented in ``docs/workspace-manifest.md``):

- **Size**: a file larger than the limit (``max_file_mb``, default 200 MB) is refused before
  it is read.
- **Encoding**: a declared ``encoding`` is used; when it is latin-1 and the file holds bytes
  0x80-0x9F (control characters in latin-1, quotes and € in Windows-1252), the file is read as
  cp1252 and that is reported. Undeclared: UTF-8 (with or without BOM; UTF-16 with a BOM). A
  file that is not valid UTF-8 is read as the closer of GB18030 and cp1252 (by
  charset-normalizer) and reported as a warning naming the encoding used, so the manifest can
  confirm it. Bytes that are not valid in the encoding used become "�", and their lines are
  reported; the rows are kept.
- **Delimiter**: ``separator`` when given; else tab for .tsv/.tab files; else the one of
  ``, ; TAB |`` that splits the most of the first lines into the same number of fields (at
  least two), so title lines above the header do not decide it.
- **Layout** (:class:`~geodata.readers.layout.Layout`): where the header is, how many lines
  it has, the notes left out at the end (the rules are in :mod:`geodata.readers.layout`).
  Without one the header is line 1; when line 1 then looks like a title (far fewer filled
  cells than the lines below) that is reported ("header_not_first", naming the line that looks
  like the header), and the file is still read with its header on line 1. Line numbers are
  always the file's physical lines (sheet rows), titles included.
- **Rows**: a line with more or fewer fields than the header is reported with its line number
  and left out; every other row is kept. Blank lines are skipped.
- **Columns**: duplicate header names get a suffix (``amount``, ``amount (2)``), reported.
- **Excel**: cells are the text a user sees: ``4873`` (not ``4873.0``), ``7.1``, a
  percentage-formatted 0.071 as ``7.1%``, dates as ``2024-03-31`` (with the time when it is
  not midnight), TRUE/FALSE, empty cells "". Empty rows are skipped. A sheet is chosen by
  name or 0-based index; ``sheet = "*"`` (or ``"all"``) reads every sheet with the same layout
  and stacks them, with a column ``sheet`` holding each row's sheet name (``_sheet`` when the
  table has a ``sheet`` column; line numbers are rows of each row's own sheet); sheets whose header
  differs from the first sheet's are reported and their columns matched by name, empty and
  hidden sheets are left out and reported. Without a sheet, the first visible sheet is read
  (sheets are listed visible first, so an index counts the visible ones first). A workbook
  is recognised by its content, not its name: an .xls that is really an .xlsx is read as one,
  one that is really text is read as delimited text (reported); a web page is refused.
- **Parquet**: the column names are the header; the header options of a layout do not apply
  (reported when given), ``skip_bottom`` does.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from .layout import Layout, first_line_note, header_names, is_blank_row

DEFAULT_MAX_FILE_MB = 200.0
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = _SNIFF_BYTES = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_HINT_RECORDS = 30


@dataclass(frozen=True)
class ReadNote:
    severity: str            # error | warning | repaired
    code: str
    message: str
    lines: tuple[int, ...] = ()
    values: tuple[str, ...] = ()
    expected: str = ""


@dataclass
class ReadResult:
    frame: pd.DataFrame                 # text cells ("" for empty), file column names
    lines: np.ndarray                   # physical line (or sheet row) number of each row
    notes: list[ReadNote]
    encoding: str = ""
    delimiter: str = ""


def max_file_bytes(max_file_mb: float | None = None) -> int:
    """The size limit: the manifest's, else ``FISCALMAP_MAX_FILE_MB``, else 200 MB."""
    if max_file_mb is None:
        try:
            max_file_mb = float(os.environ.get("FISCALMAP_MAX_FILE_MB", DEFAULT_MAX_FILE_MB))
        except ValueError:
            max_file_mb = DEFAULT_MAX_FILE_MB
    return int(max_file_mb * 1024 * 1024)


def size_note(path: Path, limit: int) -> ReadNote | None:
    size = path.stat().st_size
    if size <= limit:
        return None
    return ReadNote("error", "too_large",
                    f"the file is {size / 1024 / 1024:,.1f} MB, over the limit of "
                    f"{limit / 1024 / 1024:,.0f} MB; it was not read",
                    expected="a smaller file, or a higher max_file_mb in the manifest "
                             "(or FISCALMAP_MAX_FILE_MB)")


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
                    "the file has an Excel name but holds delimited text; read as text",
                    expected="a .csv name for a text file, or the workbook itself")


def not_a_workbook_note() -> ReadNote:
    return ReadNote("error", "not_a_workbook",
                    "the file has an Excel name but is a web page (HTML), not a workbook",
                    expected="the table saved from Excel as .xlsx, or exported as CSV")


def read_table_file(path: Path, *, encoding: str = "", separator: str | None = None,
                    sheet: str | int | None = None, max_bytes: int | None = None,
                    layout: Layout | None = None) -> ReadResult:
    """Read a CSV/TSV, Excel or Parquet file as text cells (see the module's rules).

    ``layout`` says where the table is in the file (header line(s), notes at the end); None
    reads the header on line 1, as a plain table. ``sheet`` chooses the sheet of a workbook
    (name, 0-based index, or "*" for every sheet stacked).
    """
    path = Path(path)
    limit = max_file_bytes() if max_bytes is None else max_bytes
    note = size_note(path, limit)
    if note:
        return _empty([note])
    kind = file_kind(path)
    if kind == "parquet":
        return _read_parquet(path, layout)
    if kind == "html_as_xls":
        return _empty([not_a_workbook_note()])
    if kind in ("xlsx", "xls"):
        if isinstance(sheet, str) and sheet.strip().lower() in ("*", "all"):
            return _read_all_sheets(path, layout)
        return _read_sheet(path, sheet, layout)
    res = _read_delimited(path, encoding, separator, path.suffix.lower(), layout)
    if kind == "text_as_xls":
        res.notes.insert(0, disguised_note())
    return res


def _empty(notes: list[ReadNote]) -> ReadResult:
    return ReadResult(pd.DataFrame(), np.array([], dtype=np.int64), notes)


def _read_parquet(path: Path, layout: Layout | None) -> ReadResult:
    frame = pd.read_parquet(path)
    frame = frame.astype("string").fillna("")
    lines = np.arange(len(frame)) + 2
    notes: list[ReadNote] = []
    if layout is not None:
        if (layout.header_row, layout.header_rows) != (1, 1):
            notes.append(ReadNote("warning", "layout_ignored",
                                  "a Parquet file names its columns itself: header_row and "
                                  "header_rows do not apply and were ignored",
                                  expected="no header_row / header_rows for a Parquet table"))
        if layout.skip_bottom:
            keep = max(0, len(frame) - layout.skip_bottom)
            frame, lines = frame.iloc[:keep], lines[:keep]
    return _finish(frame, lines, notes, "", "")


# ------------------------------------------------------------------ workbooks

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
        out = self._xls_rows(name) if self.kind == "xls" else self._xlsx_rows(name)
        while out and is_blank_row(out[-1][1]):
            out.pop()
        return out

    def _xlsx_rows(self, name: str) -> list[tuple[int, list[str]]]:
        ws = self.book[name]
        ws.reset_dimensions()           # a wrong <dimension> in the file must not cut rows
        out = []
        for r, row in enumerate(ws.iter_rows(), start=1):
            cells = [excel_text(c.value, c.number_format if isinstance(c.value, (int, float))
                                else "") for c in row]
            while cells and not cells[-1]:
                cells.pop()
            out.append((r, cells))
        return out

    def _xls_rows(self, name: str) -> list[tuple[int, list[str]]]:
        import xlrd

        book = self.book
        sh = book.sheet_by_name(name)
        formats = book.format_map if book.formatting_info else {}
        out = []
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
            out.append((r + 1, cells))
        book.unload_sheet(name)
        return out


def workbook_sheets(path: Path) -> list[str]:
    """The worksheets of an Excel workbook: the visible ones in order, then the hidden ones;
    [] for any other file."""
    if file_kind(Path(path)) not in ("xlsx", "xls"):
        return []
    with _Workbook(Path(path)) as wb:
        return list(wb.names)


def _no_sheet(sheet, names: list[str]) -> ReadNote:
    return ReadNote("error", "no_sheet", f"the workbook has no sheet {sheet!r}",
                    values=tuple(names[:5]),
                    expected="one of its sheets: " + ", ".join(names[:20])
                    + ("…" if len(names) > 20 else "") + ' (or "*" for every sheet)')


def _empty_sheet(name: str) -> ReadNote:
    return ReadNote("error", "empty_sheet", f"the sheet {name!r} is empty",
                    expected="a header row and data rows")


def _unreadable(exc: Exception) -> ReadNote:
    return ReadNote("error", "unreadable", f"the workbook cannot be opened: {exc}"[:300],
                    expected="an .xlsx, .xlsm or .xls workbook Excel can open")


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


def _read_sheet(path: Path, sheet, layout: Layout | None) -> ReadResult:
    name, rows, notes, _sheets = sheet_records(path, sheet)
    if rows is None:
        return _empty(notes)
    return _sheet_result(name, rows, layout, notes)


def _sheet_result(name: str, rows: list[tuple[int, list[str]]], layout: Layout | None,
                  notes: list[ReadNote]) -> ReadResult:
    if not any(not is_blank_row(cells) for _r, cells in rows):
        return _empty(notes + [_empty_sheet(name)])
    if layout is None:
        hint = first_line_note([(r, c) for r, c in rows if not is_blank_row(c)][:_HINT_RECORDS],
                               unit="row")
        if hint:
            notes = [hint] + notes
    frame, lines, more = _assemble(((r, r, c) for r, c in rows), layout or Layout(),
                                   text_file=False)
    return _checked(frame, lines, notes + more, "", "")


def _read_all_sheets(path: Path, layout: Layout | None) -> ReadResult:
    """Every sheet read with the same layout and stacked, with a ``sheet`` column."""
    try:
        with _Workbook(path) as wb:
            sheets = [(n, wb.rows(n)) for n in wb.names if n not in wb.hidden]
            hidden = list(wb.hidden)
    except Exception as exc:  # noqa: BLE001
        return _empty([_unreadable(exc)])
    frames, lines, notes, empty, differ = [], [], [], [], []
    if hidden:
        notes.append(ReadNote("warning", "hidden_sheet",
                              f"{len(hidden):,} hidden sheet(s) left out: "
                              + ", ".join(repr(n) for n in hidden)[:300],
                              values=tuple(hidden[:5]),
                              expected="the sheets to read visible, or one sheet by name"))
    ref: list[str] | None = None
    for name, rows in sheets:
        res = _sheet_result(name, rows, layout if layout is not None else Layout(), [])
        if any(n.code == "empty_sheet" for n in res.notes):
            empty.append(name)
            continue
        notes.extend(ReadNote(n.severity, n.code, f"sheet {name!r}: {n.message}", n.lines,
                              n.values, n.expected) for n in res.notes)
        if res.frame.shape[1] == 0:
            continue
        cols = [str(c) for c in res.frame.columns]
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
                              f"{len(empty):,} empty sheet(s) left out: "
                              + ", ".join(repr(n) for n in empty)[:300],
                              values=tuple(empty[:5]), expected="a header row and data rows"))
    if differ:
        parts = "; ".join(f"{n!r}: " + ", ".join(
            [f"no {c!r}" for c in m[:3]] + [f"extra {c!r}" for c in x[:3]])
            + ("…" if len(m) > 3 or len(x) > 3 else "") for n, m, x in differ)
        notes.append(ReadNote(
            "warning", "sheet_columns_differ",
            f"{len(differ):,} sheet(s) have a header different from the first sheet's "
            f"({first!r}); their columns are matched by name, cells of a column a sheet does "
            f"not have are empty: {parts}"[:900], values=tuple(n for n, _m, _x in differ[:5]),
            expected="the same header on every sheet"))
    if not frames:
        return _empty(notes or [ReadNote("error", "empty_file", "the workbook has no sheets",
                                         expected="a sheet with a header and data rows")])
    columns = list(dict.fromkeys(c for _n, f in frames for c in f.columns))
    sheet_col = "sheet"
    while sheet_col in columns:
        sheet_col = "_" + sheet_col
    if sheet_col != "sheet":
        notes.append(ReadNote("warning", "sheet_column",
                              f"the table has a column named 'sheet'; the sheet names are in "
                              f"the column {sheet_col!r}", expected="no column named 'sheet'"))
    parts = []
    for name, f in frames:
        f = f.reindex(columns=columns, fill_value="")
        f.insert(0, sheet_col, name)
        parts.append(f.astype("string"))
    frame = pd.concat(parts, ignore_index=True)
    return _finish(frame, np.concatenate(lines), notes, "", "")


# ------------------------------------------------------------------ encodings

def decode(data: bytes, declared: str = "") -> tuple[str, str, list[ReadNote]]:
    """Bytes to text by the module's encoding rules: ``(text, encoding used, notes)``."""
    notes: list[ReadNote] = []
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            notes.append(ReadNote("error", "bad_encoding",
                                  f"encoding {declared!r} is not an encoding this reader knows; "
                                  "read as UTF-8 instead",
                                  expected="utf-8, gb18030, gbk, cp1252, latin-1, utf-16…"))
            return decode(data, "")[0], "utf-8", notes
        if name == "iso8859-1" and any(0x80 <= b <= 0x9F for b in data):
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                pass
            else:
                notes.append(ReadNote(
                    "repaired", "latin1_is_cp1252",
                    "declared latin-1, but the file holds bytes 0x80-0x9F, which latin-1 reads "
                    "as invisible control characters; read as cp1252 (Windows), which gives "
                    "them their printed characters (’ “ ” € …)",
                    expected='encoding = "cp1252" in the manifest'))
                return text, "cp1252", notes
        return _decode_lossy(data, name, notes)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_lossy(data, "utf-16", notes)
    try:
        return data.decode("utf-8-sig"), "utf-8", notes
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        first_bad = data[exc.start:exc.start + 1].hex().upper()
    chosen = _closest_legacy(data)
    text, used, notes = _decode_lossy(data, chosen, notes)
    notes.insert(0, ReadNote(
        "warning", "encoding_detected",
        f"the file is not UTF-8 (byte 0x{first_bad} on line {bad_line}) and declares no "
        f"encoding; read as {used}, the closer match of GB18030 and cp1252",
        lines=(bad_line,), expected=f'encoding = "{used}" in the manifest to confirm, or the '
                                    "file's real encoding"))
    return text, used, notes


def _closest_legacy(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with the requirements
        return "cp1252"
    sample = data[:512 * 1024]
    best = from_bytes(sample, cp_isolation=["gb18030", "cp1252"]).best()
    if best is None:
        return "cp1252"
    return "gb18030" if best.encoding in ("gb18030", "gbk", "gb2312") else "cp1252"


def _decode_lossy(data: bytes, name: str, notes: list[ReadNote]) -> tuple[str, str, list[ReadNote]]:
    try:
        text = data.decode(name)
        if text.startswith("\ufeff"):
            text = text[1:]
        return text, name, notes
    except UnicodeDecodeError:
        text = data.decode(name, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = [i + 1 for i, line in enumerate(text.split("\n")) if "\ufffd" in line]
    notes.append(ReadNote(
        "warning", "undecodable_bytes",
        f"{len(bad):,} line(s) hold bytes that are not valid {name}; those characters are "
        "shown as � and the rows are kept", lines=tuple(bad),
        expected=f"text in {name}, or the file's real encoding in the manifest"))
    return text, name, notes


# ------------------------------------------------------------------ delimited text

def sniff_delimiter(sample: str) -> str:
    """The one of , ; TAB | that splits the most of the first lines into the same number of
    fields (at least two); title lines of one field above the header do not count."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]          # the last line of a sample may be cut short
    best, best_score = ",", (0, 0)
    for d in _CANDIDATE_DELIMITERS:
        try:
            counts = Counter(len(r) for r in csv.reader(lines, delimiter=d))
        except csv.Error:
            continue
        wide = [(same, width) for width, same in counts.items() if width >= 2]
        if not wide:
            continue
        score = max(wide)
        if score > best_score:
            best, best_score = d, score
    return best


def choose_delimiter(sample: str, separator: str | None, suffix: str) -> str:
    """``separator`` when given ("\\t", "tab" for a tab); else tab for .tsv/.tab; else sniffed."""
    if separator is None or separator == "":
        return "\t" if suffix in (".tsv", ".tab") else sniff_delimiter(sample)
    return "\t" if separator in ("\\t", "tab", "TAB") else str(separator)


def csv_records(text: str, delim: str) -> Iterator[tuple[int, int, list[str] | str]]:
    """``(first line, last line, fields)`` of every record, blank lines included (``[]``).
    A record the csv module cannot parse ends the text: its fields are the error (a str)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    prev_end = 0
    try:
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            yield start, prev_end, row
    except csv.Error as exc:
        yield prev_end + 1, prev_end + 1, str(exc)


def _dedupe(names: list[str]) -> tuple[list[str], ReadNote | None]:
    out, seen, dups = [], {}, []
    for n in names:
        n = n.strip().lstrip("\ufeff")
        if n in seen:
            seen[n] += 1
            dups.append(n)
            out.append(f"{n} ({seen[n]})")
        else:
            seen[n] = 1
            out.append(n)
    if not dups:
        return out, None
    return out, ReadNote("warning", "duplicate_column",
                         f"{len(dups):,} column name(s) appear more than once; later ones are "
                         f"named with a number: {', '.join(sorted(set(dups)))[:200]}",
                         values=tuple(sorted(set(dups)))[:5],
                         expected="one column per name")


def _read_delimited(path: Path, encoding: str, separator: str | None, suffix: str,
                    layout: Layout | None = None) -> ReadResult:
    data = path.read_bytes()
    if not data or data.isspace():
        return _empty([ReadNote("error", "empty_file", "the file is empty",
                                expected="a header line and data lines")])
    if layout is not None:
        return _read_delimited_layout(data, encoding, separator, suffix, layout)

    def delimiter(sample: str) -> str:
        return choose_delimiter(sample, separator, suffix)

    if _is_utf8_name(encoding) and not data.startswith((codecs.BOM_UTF16_LE,
                                                         codecs.BOM_UTF16_BE)):
        # The common case, without a decoded copy of the file: pyarrow checks the UTF-8 and
        # splits the rows; anything irregular goes the long way below.
        body = memoryview(data)[3:] if data.startswith(codecs.BOM_UTF8) else memoryview(data)
        head = bytes(body[:_SNIFF_BYTES]).decode("utf-8", errors="ignore")
        delim = delimiter(head)
        fast = _parse_fast(body, head, delim)
        if fast is not None:
            frame, lines, notes = fast
            return _checked(frame, lines, _hint(head, delim) + notes, "utf-8", delim)
    text, used, notes = decode(data, encoding)
    del data
    delim = delimiter(text[:_SNIFF_BYTES])
    notes = _hint(text[:_SNIFF_BYTES], delim) + notes
    fast = _parse_fast(memoryview(text.encode("utf-8")), text[:_SNIFF_BYTES], delim)
    if fast is not None:
        frame, lines, more = fast
    else:
        names, dup_note = _header(text[:_SNIFF_BYTES], delim)
        frame, lines, more = _parse_python(text, delim, names) if names else \
            (pd.DataFrame(), np.array([], dtype=np.int64), [])
        more = ([dup_note] if dup_note else []) + more
    return _checked(frame, lines, notes + more, used, delim)


def _hint(head: str, delim: str) -> list[ReadNote]:
    """The "header_not_first" note when line 1 looks like a title (read without a layout)."""
    records = []
    for start, _end, row in csv_records(head, delim):
        if isinstance(row, str) or len(records) >= _HINT_RECORDS:
            break
        if not is_blank_row(row):
            records.append((start, row))
    note = first_line_note(records, unit="line")
    return [note] if note else []


# ------------------------------------------------------------------ delimited text, with a layout

def _read_delimited_layout(data: bytes, encoding: str, separator: str | None, suffix: str,
                           layout: Layout) -> ReadResult:
    if _is_utf8_name(encoding) and not data.startswith((codecs.BOM_UTF16_LE,
                                                         codecs.BOM_UTF16_BE)):
        start = 3 if data.startswith(codecs.BOM_UTF8) else 0
        delim = choose_delimiter(_sample_from(data, start, layout.header_row), separator, suffix)
        fast = _parse_fast_layout(data, start, delim, layout)
        if fast is not None:
            frame, lines, notes = fast
            return _checked(frame, lines, notes, "utf-8", delim)
    text, used, notes = decode(data, encoding)
    del data
    body = text.encode("utf-8")
    delim = choose_delimiter(_sample_from(body, 0, layout.header_row), separator, suffix)
    fast = _parse_fast_layout(body, 0, delim, layout)
    del body
    if fast is not None:
        frame, lines, more = fast
    else:
        frame, lines, more = _assemble(csv_records(text, delim), layout, text_file=True,
                                       delim=delim)
    return _checked(frame, lines, notes + more, used, delim)


def _line_start(buf: bytes, start: int, line: int) -> int | None:
    """Byte offset of the start of physical ``line`` (1-based) of ``buf[start:]``; None when
    the text has fewer lines."""
    pos = start
    for _ in range(line - 1):
        nl = buf.find(b"\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    return pos if pos < len(buf) or line == 1 else None


def _sample_from(buf: bytes, start: int, line: int) -> str:
    pos = _line_start(buf, start, line)
    pos = start if pos is None else pos
    return buf[pos:pos + _SNIFF_BYTES].decode("utf-8", errors="ignore")


def _blank_bytes(line: bytes, delim: bytes) -> bool:
    return not line.strip(b" \t\r\n\"" + delim)


def _line_before(buf: bytes, lo: int, pos: int) -> int:
    """Start of the line that ends at ``pos`` (its newline excluded), not before ``lo``."""
    e = pos - 1 if pos > lo and buf[pos - 1] == 0x0A else pos
    nl = buf.rfind(b"\n", lo, e)
    return lo if nl < 0 else nl + 1


def _trim_blank_tail(buf: bytes, lo: int, hi: int, delim: bytes) -> int:
    """``hi`` moved back over blank lines at the end of ``buf[lo:hi]``."""
    while hi > lo:
        s = _line_before(buf, lo, hi)
        if not _blank_bytes(buf[s:hi], delim):
            break
        hi = s
    return hi


def _skip_blank_head(buf: bytes, lo: int, hi: int, delim: bytes) -> tuple[int, int]:
    """``(offset, lines skipped)``: ``lo`` moved past blank lines at the start."""
    skipped = 0
    while lo < hi:
        nl = buf.find(b"\n", lo, hi)
        e = hi if nl < 0 else nl + 1
        if not _blank_bytes(buf[lo:e], delim):
            break
        lo, skipped = e, skipped + 1
    return lo, skipped


def _cut_at_blank(buf: bytes, lo: int, hi: int, delim: bytes) -> int:
    """End of the table at the first blank line of ``buf[lo:hi]`` (lo is a data line)."""
    pattern = re.compile(rb"\n[ \t\r\"" + re.escape(delim) + rb"]*(?:\n|\Z)")
    m = pattern.search(buf, lo, hi)
    return hi if m is None else m.start() + 1


def _cut_bottom(buf: bytes, lo: int, hi: int, n: int, delim: bytes) -> int:
    """End of the table with its last ``n`` non-blank lines left out."""
    found = 0
    while found < n and hi > lo:
        s = _line_before(buf, lo, hi)
        if not _blank_bytes(buf[s:hi], delim):
            found += 1
        hi = s
    return hi


def _parse_fast_layout(buf: bytes, start: int, delim: str, layout: Layout) \
        -> tuple[pd.DataFrame, np.ndarray, list[ReadNote]] | None:
    """pyarrow on the table's lines only (titles, header and notes cut off by byte offsets),
    when every one of them is one row and the text is valid UTF-8; else None."""
    head_at = _line_start(buf, start, layout.header_row)
    if head_at is None:
        return None
    chunk = buf[head_at:head_at + 4 * _SNIFF_BYTES]
    whole = head_at + len(chunk) >= len(buf)
    if not whole:
        chunk = chunk[:chunk.rfind(b"\n") + 1]
    try:
        head = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    header: list[list[str]] = []
    end_line = None
    beyond = False
    for s, e, row in csv_records(head, delim):
        line = s + layout.header_row - 1
        if isinstance(row, str):
            return None
        if line > layout.last_header_line:
            beyond = True
            break
        if not is_blank_row(row):
            header.append(row)
        end_line = e + layout.header_row - 1
    if not header or not (beyond or whole):
        return None
    names, dup_note = _dedupe(header_names(header))
    d = delim.encode()
    lo = _line_start(buf, start, end_line + 1)
    lo = len(buf) if lo is None else lo
    lo, skipped = _skip_blank_head(buf, lo, len(buf), d)
    first_line = end_line + 1 + skipped
    hi = len(buf)
    if layout.stop_at_blank:
        hi = _cut_at_blank(buf, lo, hi, d)
    hi = _trim_blank_tail(buf, lo, hi, d)
    if layout.skip_bottom:
        hi = _trim_blank_tail(buf, lo, _cut_bottom(buf, lo, hi, layout.skip_bottom, d), d)
    frame = _arrow_rows(buf, lo, hi, names, delim)
    if frame is None:
        return None
    lines = np.arange(len(frame), dtype=np.int64) + first_line
    frame, lines = _drop_empty_rows(frame, lines)
    notes = [dup_note] if dup_note else []
    repeat = _repeated_header(frame, lines, header[-1], end_line)
    return frame, lines, notes + ([repeat] if repeat else [])


def _arrow_rows(buf: bytes, lo: int, hi: int, names: list[str], delim: str) \
        -> pd.DataFrame | None:
    """``buf[lo:hi]`` parsed by pyarrow into ``names``, when every line is one row."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if hi <= lo:
        return pd.DataFrame({n: pd.Series(dtype="str") for n in names})
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(buf)[lo:hi]),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=True),
            parse_options=pcsv.ParseOptions(   # no quote: no quoted newline, a faster split
                delimiter=delim, newlines_in_values=buf.find(b'"', lo, hi) >= 0),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    newlines = buf.count(b"\n", lo, hi) + (0 if buf[hi - 1] == 0x0A else 1)
    if table.num_rows != newlines:
        return None
    frame = table.to_pandas()
    del table
    return frame


def _drop_empty_rows(frame: pd.DataFrame, lines: np.ndarray) \
        -> tuple[pd.DataFrame, np.ndarray]:
    """Rows whose cells are all empty (",,,,") left out."""
    if frame.shape[1] == 0 or len(frame) == 0:
        return frame, lines
    empty = (frame.iloc[:, 0].astype("string").str.strip() == "").to_numpy(dtype=bool,
                                                                         na_value=True)
    for j in range(1, frame.shape[1]):
        idx = np.flatnonzero(empty)
        if not len(idx):
            break
        col = frame.iloc[idx, j].astype("string").str.strip()
        empty[idx] = (col == "").to_numpy(dtype=bool, na_value=True)
    if not empty.any():
        return frame, lines
    keep = ~empty
    return frame[keep].reset_index(drop=True), lines[keep]


def _repeated_header(frame: pd.DataFrame, lines: np.ndarray, header_line: list[str],
                     header_at: int) -> ReadNote | None:
    """A warning when data rows repeat the header's last line (tables stacked on a sheet)."""
    cells = [(j, str(c).strip()) for j, c in enumerate(header_line[:frame.shape[1]])
             if str(c).strip()]
    if len(cells) < 2 or len(frame) == 0:
        return None
    same = np.ones(len(frame), dtype=bool)
    for j, value in cells:
        idx = np.flatnonzero(same)
        if not len(idx):
            return None
        col = frame.iloc[idx, j].astype("string").str.strip()
        same[idx] = (col == value).to_numpy(dtype=bool, na_value=False)
    if not same.any():
        return None
    found = lines[same]
    return ReadNote("warning", "repeated_header",
                    f"{len(found):,} line(s) repeat the header (line {header_at}): the file "
                    "may hold more tables, one below the other; these rows are kept. When a "
                    "blank line ends the first table, stop_at_blank = true reads it alone",
                    lines=tuple(int(n) for n in found),
                    expected="one table, or stop_at_blank = true")


def _assemble(records: Iterable[tuple[int, int, list[str] | str]], layout: Layout, *,
              text_file: bool, delim: str = "") \
        -> tuple[pd.DataFrame, np.ndarray, list[ReadNote]]:
    """Records (with their lines) into a frame by the layout: titles and header lines taken
    out, notes at the end left out, widths checked (text) or padded (sheets)."""
    header: list[list[str]] = []
    header_end = 0
    rows: list[list[str]] = []
    starts: list[int] = []
    failed: tuple[int, str] | None = None
    seen = 0
    for start, end, row in records:
        seen = end
        if isinstance(row, str):
            failed = (start, row)
            break
        if start < layout.header_row:
            continue
        if start <= layout.last_header_line:
            if not is_blank_row(row):
                header.append(row)
                header_end = end
            continue
        if is_blank_row(row):
            if layout.stop_at_blank and rows:
                break
            continue
        rows.append(row)
        starts.append(start)
    if not header:
        where = f"line {layout.header_row}" if layout.header_rows == 1 else \
            f"lines {layout.header_row}-{layout.last_header_line}"
        why = "blank" if seen >= layout.header_row else f"past the end of the file ({seen} lines)"
        return pd.DataFrame(), np.array([], dtype=np.int64), [ReadNote(
            "error", "no_header", f"the header ({where}, as header_row says) is {why}",
            lines=(layout.header_row,), expected="header_row = the line of the column names")]
    if layout.skip_bottom:
        keep = max(0, len(rows) - layout.skip_bottom)
        rows, starts = rows[:keep], starts[:keep]
    notes: list[ReadNote] = []
    if text_file:
        width = max(len(h) for h in header)
        good = [i for i, r in enumerate(rows) if len(r) == width]
        bad = [i for i, r in enumerate(rows) if len(r) != width]
        bad_lines = [starts[i] for i in bad]
        bad_text = [delim.join(rows[i])[:80] for i in bad]
        if failed:
            bad_lines.append(failed[0])
            bad_text.append(failed[1][:80])
        if bad_lines:
            notes.append(_bad_line_note(bad_lines, bad_text, width, delim))
        rows, starts = [rows[i] for i in good], [starts[i] for i in good]
    else:
        width = max([len(h) for h in header] + [len(r) for r in rows])
        rows = [r + [""] * (width - len(r)) for r in rows]
    padded = [h + [""] * (width - len(h)) for h in header]
    names, dup_note = _dedupe(header_names(padded, letters=not text_file))
    if dup_note:
        notes.insert(0, dup_note)
    frame = pd.DataFrame(rows, columns=names, dtype="string") if rows else \
        pd.DataFrame({n: pd.Series(dtype="string") for n in names})
    lines = np.asarray(starts, dtype=np.int64)
    repeat = _repeated_header(frame, lines, header[-1], header_end)
    return frame, lines, notes + ([repeat] if repeat else [])


def _bad_line_note(bad: list[int], bad_text: list[str], width: int, delim: str) -> ReadNote:
    shown = "tab" if delim == "\t" else repr(delim)
    return ReadNote(
        "error", "bad_line",
        f"{len(bad):,} line(s) do not have the header's {width} fields (an unquoted "
        f"{shown} inside a value?); they are left out and every other row is kept",
        lines=tuple(bad), values=tuple(bad_text[:5]),
        expected=f"{width} fields separated by {shown}, values containing it in quotes")


def _is_utf8_name(encoding: str) -> bool:
    if not encoding:
        return True
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _checked(frame, lines, notes, used, delim) -> ReadResult:
    if frame.shape[1] == 0:
        if not any(n.code == "no_header" for n in notes):
            notes.append(ReadNote("error", "empty_file", "the file has no header line",
                                  expected="a header line and data lines"))
        return ReadResult(frame, lines, notes, used, delim)
    if len(frame) == 0 and not any(n.code == "bad_line" for n in notes):
        notes.append(ReadNote("error", "no_rows", "the file has a header but no data rows",
                              expected="data lines below the header"))
    return _finish(frame, lines, notes, used, delim)


def _header(head: str, delim: str) -> tuple[list[str], ReadNote | None]:
    header_line = next(csv.reader(io.StringIO(head), delimiter=delim), [])
    if not header_line:
        return [], None
    return _dedupe(header_line)


def _parse_fast(body: memoryview, head: str, delim: str) \
        -> tuple[pd.DataFrame, np.ndarray, list[ReadNote]] | None:
    """pyarrow, when every line is one row and the text is valid UTF-8; else None."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names, dup_note = _header(head, delim)
    if not names:
        return pd.DataFrame(), np.array([], dtype=np.int64), []
    raw = body.obj if isinstance(body.obj, bytes) and len(body) == len(body.obj) else bytes(body)
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
            parse_options=pcsv.ParseOptions(delimiter=delim,   # no quote: no quoted newline
                                            newlines_in_values=raw.find(b'"') >= 0),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    newlines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if table.num_rows != newlines - 1:
        return None
    frame = table.to_pandas()
    del table
    return frame, np.arange(len(frame), dtype=np.int64) + 2, [dup_note] if dup_note else []


def _parse_python(text: str, delim: str, names: list[str]) \
        -> tuple[pd.DataFrame, np.ndarray, list[ReadNote]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[list[str]] = []
    starts: list[int] = []
    bad: list[int] = []
    bad_text: list[str] = []
    counts: list[int] = []
    prev_end = 0
    width = len(names)
    try:
        next(reader)
        prev_end = reader.line_num
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                bad.append(start)
                counts.append(len(row))
                bad_text.append(delim.join(row)[:80])
                continue
            rows.append(row)
            starts.append(start)
    except csv.Error as exc:
        bad.append(prev_end + 1)
        bad_text.append(str(exc)[:80])
        counts.append(0)
    notes: list[ReadNote] = []
    if bad:
        shown = "tab" if delim == "\t" else repr(delim)
        notes.append(ReadNote(
            "error", "bad_line",
            f"{len(bad):,} line(s) do not have the header's {width} fields (an unquoted "
            f"{shown} inside a value?); they are left out and every other row is kept",
            lines=tuple(bad), values=tuple(bad_text[:5]),
            expected=f"{width} fields separated by {shown}, values containing it in quotes"))
    frame = pd.DataFrame(rows, columns=names, dtype="string") if rows else \
        pd.DataFrame({n: pd.Series(dtype="string") for n in names})
    return frame, np.asarray(starts, dtype=np.int64), notes


def _finish(frame: pd.DataFrame, lines, notes, encoding: str, delim: str) -> ReadResult:
    frame = frame.reset_index(drop=True)
    return ReadResult(frame, np.asarray(lines, dtype=np.int64), notes, encoding, delim)
