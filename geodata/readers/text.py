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
- **Excel** (:mod:`geodata.readers.excel`): cells are the text a user sees (``4873``, ``7.1%``,
  ``2024-03-31``); a sheet is chosen by name or 0-based index, ``sheet = "*"`` stacks every
  sheet with a column ``sheet``, each read with the same layout or (``sheet_layout =
  "each"``) with its own. A workbook is recognised by its content, not its name.
- **Parquet**: the column names are the header; the header options of a layout do not apply
  (reported when given), ``skip_bottom`` does.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from locales import N_

from ..problems import Text

from .excel import SHEET_LAYOUTS, disguised_note, excel_text, file_kind, not_a_workbook_note, \
    read_all_sheets, read_sheet, sheet_records, workbook_sheets
from .layout import Layout, first_line_note, header_names, is_blank_row
from .records import HINT_RECORDS, ReadNote, ReadResult, assemble, bad_line_note, checked, \
    dedupe, drop_empty_rows, empty_result, finish, repeated_header

__all__ = ["ReadNote", "ReadResult", "read_table_file", "max_file_bytes", "size_note",
           "file_kind", "decode", "sniff_delimiter", "choose_delimiter", "csv_records",
           "excel_text", "workbook_sheets", "sheet_records", "disguised_note",
           "not_a_workbook_note", "SHEET_LAYOUTS", "DEFAULT_MAX_FILE_MB", "SNIFF_BYTES"]

DEFAULT_MAX_FILE_MB = 200.0
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = _SNIFF_BYTES = 64 * 1024


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
                    Text(N_("the file is {size} MB, over the limit of {limit} MB; it was not read"),
                         size=f"{size / 1024 / 1024:,.1f}", limit=f"{limit / 1024 / 1024:,.0f}"),
                    expected=Text(N_("a smaller file, or a higher max_file_mb in the manifest (or "
                                     "FISCALMAP_MAX_FILE_MB)")))


def read_table_file(path: Path, *, encoding: str = "", separator: str | None = None,
                    sheet: str | int | None = None, max_bytes: int | None = None,
                    layout: Layout | None = None, sheet_layout: str = "same",
                    sheet_columns: str = "name") -> ReadResult:
    """Read a CSV/TSV, Excel or Parquet file as text cells (see the module's rules).

    ``layout`` says where the table is in the file (header line(s), notes at the end); None
    reads the header on line 1, as a plain table. ``sheet`` chooses the sheet of a workbook
    (name, 0-based index, or "*" for every sheet stacked). ``sheet_layout`` applies to every
    sheet stacked: "same" reads each with ``layout``, "each" detects each sheet's own (the
    rules are in :mod:`geodata.readers.excel`); it is ignored for one sheet and other files.
    """
    if sheet_layout not in SHEET_LAYOUTS:
        raise ValueError(f"sheet_layout must be one of {SHEET_LAYOUTS}, got {sheet_layout!r}")
    path = Path(path)
    limit = max_file_bytes() if max_bytes is None else max_bytes
    note = size_note(path, limit)
    if note:
        return empty_result([note])
    kind = file_kind(path)
    if kind == "parquet":
        return _read_parquet(path, layout)
    if kind == "html_as_xls":
        return empty_result([not_a_workbook_note()])
    if kind in ("xlsx", "xls"):
        if isinstance(sheet, str) and sheet.strip().lower() in ("*", "all"):
            return read_all_sheets(path, layout, sheet_layout, sheet_columns)
        return read_sheet(path, sheet, layout)
    res = _read_delimited(path, encoding, separator, path.suffix.lower(), layout)
    if kind == "text_as_xls":
        res.notes.insert(0, disguised_note())
    return res


def _read_parquet(path: Path, layout: Layout | None) -> ReadResult:
    frame = pd.read_parquet(path)
    frame = frame.astype("string").fillna("")
    lines = np.arange(len(frame)) + 2
    notes: list[ReadNote] = []
    if layout is not None:
        if (layout.header_row, layout.header_rows) != (1, 1):
            notes.append(ReadNote("warning", "layout_ignored",
                                  Text(N_("a Parquet file names its columns itself: header_row and "
                                          "header_rows do not apply and were ignored")),
                                  expected=Text(N_("no header_row / header_rows for a Parquet "
                                                   "table"))))
        if layout.skip_bottom:
            keep = max(0, len(frame) - layout.skip_bottom)
            frame, lines = frame.iloc[:keep], lines[:keep]
    return finish(frame, lines, notes, "", "")


# ------------------------------------------------------------------ encodings

def decode(data: bytes, declared: str = "") -> tuple[str, str, list[ReadNote]]:
    """Bytes to text by the module's encoding rules: ``(text, encoding used, notes)``."""
    notes: list[ReadNote] = []
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            notes.append(ReadNote("error", "bad_encoding",
                                  Text(N_("encoding {encoding} is not an encoding this reader "
                                          "knows; read as UTF-8 instead"), encoding=repr(declared)),
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
                    Text(N_("declared latin-1, but the file holds bytes 0x80-0x9F, which latin-1 "
                            "reads as invisible control characters; read as cp1252 (Windows), "
                            "which gives them their printed characters (’ “ ” € …)")),
                    expected=Text(N_('encoding = "cp1252" in the manifest'))))
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
        Text(N_("the file is not UTF-8 (byte 0x{byte} on line {line}) and declares no encoding; "
                "read as {encoding}, the closer match of GB18030 and cp1252"), byte=first_bad,
             line=str(bad_line), encoding=used),
        lines=(bad_line,), expected=Text(N_('encoding = "{encoding}" in the manifest to confirm, '
                                            'or the file\'s real encoding'), encoding=used)))
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
        Text(N_("{n} line(s) hold bytes that are not valid {encoding}; those characters are shown "
                "as � and the rows are kept"), n=f"{len(bad):,}", encoding=name), lines=tuple(bad),
        expected=Text(N_("text in {encoding}, or the file's real encoding in the manifest"),
                      encoding=name)))
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


def _read_delimited(path: Path, encoding: str, separator: str | None, suffix: str,
                    layout: Layout | None = None) -> ReadResult:
    data = path.read_bytes()
    if not data or data.isspace():
        return empty_result([ReadNote("error", "empty_file", Text(N_("the file is empty")),
                                      expected=Text(N_("a header line and data lines")))])
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
            return checked(frame, lines, _hint(head, delim) + notes, "utf-8", delim)
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
    return checked(frame, lines, notes + more, used, delim)


def _hint(head: str, delim: str) -> list[ReadNote]:
    """The "header_not_first" note when line 1 looks like a title (read without a layout)."""
    records = []
    for start, _end, row in csv_records(head, delim):
        if isinstance(row, str) or len(records) >= HINT_RECORDS:
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
            return checked(frame, lines, notes, "utf-8", delim)
    text, used, notes = decode(data, encoding)
    del data
    body = text.encode("utf-8")
    delim = choose_delimiter(_sample_from(body, 0, layout.header_row), separator, suffix)
    fast = _parse_fast_layout(body, 0, delim, layout)
    del body
    if fast is not None:
        frame, lines, more = fast
    else:
        frame, lines, more = assemble(csv_records(text, delim), layout, text_file=True,
                                       delim=delim)
    return checked(frame, lines, notes + more, used, delim)


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
    names, dup_note = dedupe(header_names(header))
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
    frame, lines = drop_empty_rows(frame, lines)
    notes = [dup_note] if dup_note else []
    repeat = repeated_header(frame, lines, header[-1], end_line)
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


def _is_utf8_name(encoding: str) -> bool:
    if not encoding:
        return True
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _header(head: str, delim: str) -> tuple[list[str], ReadNote | None]:
    header_line = next(csv.reader(io.StringIO(head), delimiter=delim), [])
    if not header_line:
        return [], None
    return dedupe(header_line)


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
                bad_text.append(delim.join(row)[:80])
                continue
            rows.append(row)
            starts.append(start)
    except csv.Error as exc:
        bad.append(prev_end + 1)
        bad_text.append(str(exc)[:80])
    notes = [bad_line_note(bad, bad_text, width, delim)] if bad else []
    frame = pd.DataFrame(rows, columns=names, dtype="string") if rows else \
        pd.DataFrame({n: pd.Series(dtype="string") for n in names})
    return frame, np.asarray(starts, dtype=np.int64), notes
