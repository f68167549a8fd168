"""Rows of text cells into a frame by a layout, and what the readers report about them.

Shared by the delimited-text reader (:mod:`geodata.readers.text`) and the workbook reader
(:mod:`geodata.readers.excel`): :class:`ReadNote` and :class:`ReadResult`, and
:func:`assemble`, which applies a :class:`~geodata.readers.layout.Layout` to records (titles
and header lines taken out, notes at the end left out, widths checked or padded), names the
columns (duplicates numbered) and reports rows that repeat the header.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from locales import N_

from ..problems import Text

from .layout import Layout, header_names, is_blank_row

HINT_RECORDS = 30       # first rows looked at for the "header_not_first" note


@dataclass(frozen=True)
class ReadNote:
    severity: str            # error | warning | repaired | note
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


def empty_result(notes: list[ReadNote]) -> ReadResult:
    return ReadResult(pd.DataFrame(), np.array([], dtype=np.int64), notes)


def finish(frame: pd.DataFrame, lines, notes, encoding: str, delim: str) -> ReadResult:
    frame = frame.reset_index(drop=True)
    return ReadResult(frame, np.asarray(lines, dtype=np.int64), notes, encoding, delim)


def checked(frame, lines, notes, used, delim) -> ReadResult:
    if frame.shape[1] == 0:
        if not any(n.code == "no_header" for n in notes):
            notes.append(ReadNote("error", "empty_file", Text(N_("the file has no header line")),
                                  expected=Text(N_("a header line and data lines"))))
        return ReadResult(frame, lines, notes, used, delim)
    if len(frame) == 0 and not any(n.code == "bad_line" for n in notes):
        notes.append(ReadNote("error", "no_rows", Text(N_("the file has a header but no data "
                                                          "rows")),
                              expected=Text(N_("data lines below the header"))))
    return finish(frame, lines, notes, used, delim)


def dedupe(names: list[str]) -> tuple[list[str], ReadNote | None]:
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
                         Text(N_("{n} column name(s) appear more than once; later ones are named "
                                 "with a number: {names}"), n=f"{len(dups):,}",
                              names=", ".join(sorted(set(dups)))[:200]),
                         values=tuple(sorted(set(dups)))[:5],
                         expected=Text(N_("one column per name")))


def drop_empty_rows(frame: pd.DataFrame, lines: np.ndarray) \
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


def repeated_header(frame: pd.DataFrame, lines: np.ndarray, header_line: list[str],
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
                    Text(N_("{n} line(s) repeat the header (line {line}): the file may hold more "
                            "tables, one below the other; these rows are kept. When a blank line "
                            "ends the first table, stop_at_blank = true reads it alone"),
                         n=f"{len(found):,}", line=str(header_at)),
                    lines=tuple(int(n) for n in found),
                    expected=Text(N_("one table, or stop_at_blank = true")))


def assemble(records: Iterable[tuple[int, int, list[str] | str]], layout: Layout, *,
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
        return pd.DataFrame(), np.array([], dtype=np.int64), [ReadNote(
            "error", "no_header", _no_header_text(layout, seen), lines=(layout.header_row,),
            expected=Text(N_("header_row = the line of the column names")))]
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
            notes.append(bad_line_note(bad_lines, bad_text, width, delim))
        rows, starts = [rows[i] for i in good], [starts[i] for i in good]
    else:
        width = max([len(h) for h in header] + [len(r) for r in rows])
        rows = [r + [""] * (width - len(r)) for r in rows]
    padded = [h + [""] * (width - len(h)) for h in header]
    names, dup_note = dedupe(header_names(padded, letters=not text_file))
    if dup_note:
        notes.insert(0, dup_note)
    frame = pd.DataFrame(rows, columns=names, dtype="string") if rows else \
        pd.DataFrame({n: pd.Series(dtype="string") for n in names})
    lines = np.asarray(starts, dtype=np.int64)
    repeat = repeated_header(frame, lines, header[-1], header_end)
    return frame, lines, notes + ([repeat] if repeat else [])


def _no_header_text(layout: Layout, seen: int) -> str:
    first, last = str(layout.header_row), str(layout.last_header_line)
    if seen >= layout.header_row:
        if layout.header_rows == 1:
            return Text(N_("the header (line {line}, as header_row says) is blank"), line=first)
        return Text(N_("the header (lines {first}-{last}, as header_row says) is blank"),
                    first=first, last=last)
    if layout.header_rows == 1:
        return Text(N_("the header (line {line}, as header_row says) is past the end of the file "
                       "({n} lines)"), line=first, n=str(seen))
    return Text(N_("the header (lines {first}-{last}, as header_row says) is past the end of the "
                   "file ({n} lines)"), first=first, last=last, n=str(seen))


def delimiter_text(delim: str) -> str:
    """A delimiter as a message names it: "tab", or the character in quotes."""
    return Text(N_("tab")) if delim == "\t" else repr(delim)


def bad_line_note(bad: list[int], bad_text: list[str], width: int, delim: str) -> ReadNote:
    shown = delimiter_text(delim)
    return ReadNote(
        "error", "bad_line",
        Text(N_("{n} line(s) do not have the header's {width} fields (an unquoted {delimiter} "
                "inside a value?); they are left out and every other row is kept"),
             n=f"{len(bad):,}", width=str(width), delimiter=shown),
        lines=tuple(bad), values=tuple(bad_text[:5]),
        expected=Text(N_("{width} fields separated by {delimiter}, values containing it in quotes"),
                      width=str(width), delimiter=shown))

