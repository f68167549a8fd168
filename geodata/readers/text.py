"""Delimited text and spreadsheets into a frame of text cells, reporting what was decided.

:func:`read_table_file` reads CSV/TSV (any common encoding), Excel and Parquet files as text
cells, one frame column per file column, and returns with it the physical line number of each
row and a list of :class:`ReadNote` (what the reader decided or could not read). It never raises
for the file's content: a file too large, empty, or in an unknown encoding is a note.

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
  ``, ; TAB |`` that splits the first lines into the same number of fields (at least two).
- **Rows**: a line with more or fewer fields than the header is reported with its line number
  and left out; every other row is kept. Blank lines are skipped.
- **Columns**: duplicate header names get a suffix (``amount``, ``amount (2)``), reported.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_MAX_FILE_MB = 200.0
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024


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


def read_table_file(path: Path, *, encoding: str = "", separator: str | None = None,
                    sheet: str | int | None = None, max_bytes: int | None = None) -> ReadResult:
    """Read a CSV/TSV, Excel or Parquet file as text cells (see the module's rules)."""
    path = Path(path)
    limit = max_file_bytes() if max_bytes is None else max_bytes
    note = size_note(path, limit)
    if note:
        return _empty([note])
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq", ".geoparquet"):
        frame = pd.read_parquet(path)
        frame = frame.astype("string").fillna("")
        return _finish(frame, np.arange(len(frame)) + 2, [], "", "")
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path, sheet)
    return _read_delimited(path, encoding, separator, suffix)


def _empty(notes: list[ReadNote]) -> ReadResult:
    return ReadResult(pd.DataFrame(), np.array([], dtype=np.int64), notes)


def _read_excel(path: Path, sheet) -> ReadResult:
    frame = pd.read_excel(path, dtype=str, sheet_name=0 if sheet in (None, "") else sheet,
                          keep_default_na=False)
    notes: list[ReadNote] = []
    if frame.shape[1] == 0:
        return _empty([ReadNote("error", "empty_file", "the sheet is empty",
                                expected="a header row and data rows")])
    frame.columns, dup_note = _dedupe([str(c) for c in frame.columns])
    if dup_note:
        notes.append(dup_note)
    frame = frame.astype("string").fillna("")
    return _finish(frame, np.arange(len(frame)) + 2, notes, "", "")


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
    """The one of , ; TAB | that splits the first lines into the same number of fields."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]          # the last line of a sample may be cut short
    best, best_score = ",", (0, 0)
    for d in _CANDIDATE_DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        same = sum(1 for c in counts if c == counts[0])
        score = (same, counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


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


def _read_delimited(path: Path, encoding: str, separator: str | None, suffix: str) -> ReadResult:
    data = path.read_bytes()
    if not data.strip():
        return _empty([ReadNote("error", "empty_file", "the file is empty",
                                expected="a header line and data lines")])

    def delimiter(sample: str) -> str:
        if separator is None or separator == "":
            return "\t" if suffix in (".tsv", ".tab") else sniff_delimiter(sample)
        return "\t" if separator in ("\\t", "tab", "TAB") else str(separator)

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
            return _checked(frame, lines, notes, "utf-8", delim)
    text, used, notes = decode(data, encoding)
    del data
    delim = delimiter(text[:_SNIFF_BYTES])
    fast = _parse_fast(memoryview(text.encode("utf-8")), text[:_SNIFF_BYTES], delim)
    if fast is not None:
        frame, lines, more = fast
    else:
        names, dup_note = _header(text[:_SNIFF_BYTES], delim)
        frame, lines, more = _parse_python(text, delim, names) if names else \
            (pd.DataFrame(), np.array([], dtype=np.int64), [])
        more = ([dup_note] if dup_note else []) + more
    return _checked(frame, lines, notes + more, used, delim)


def _is_utf8_name(encoding: str) -> bool:
    if not encoding:
        return True
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _checked(frame, lines, notes, used, delim) -> ReadResult:
    if frame.shape[1] == 0:
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
    invalid = [0]

    def on_invalid(_row) -> str:
        invalid[0] += 1
        return "skip"

    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
            parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                            invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    raw = body.obj if isinstance(body.obj, bytes) and len(body) == len(body.obj) else bytes(body)
    newlines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if invalid[0] or table.num_rows != newlines - 1:
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
