"""Where a table sits in its file: title lines, header lines, notes at the end.

Budget offices' files are rarely a header on line 1 and data below it. A statistical yearbook
puts one or two title lines above the header and notes ("注：…", "Source: …") below the
table; an Excel workbook may have a two-line header with merged cells ("RURAL" over six
columns). A :class:`Layout` says where the table is; :func:`read_grid` reads the first and
last rows of a file as raw cells (for a preview), and :func:`propose_layout` proposes a layout
from them, with a plain reason for every decision (in the run's language).

For a workbook with one sheet per year laid out differently from one year to the next,
:func:`propose_sheet_layouts` proposes a layout for every sheet and :func:`sheets_differ` says
whether they differ (then ``sheet_layout = "each"`` reads each sheet with its own).

The header rules (applied by :func:`geodata.readers.text.read_table_file`):

- **Lines** are physical lines of a text file (a record with a quoted line break starts on its
  first line) or rows of a sheet, counted from 1 as a spreadsheet shows them.
- The header is the records that start on lines ``header_row`` … ``header_row + header_rows
  - 1``; everything above it (titles) is left out. Data rows are the records below it.
- **Names** of a header of several lines are the parts of a column joined with " / "; a blank
  cell in an upper header line takes the value to its left when the lines above are the same
  for both columns (a merged cell spans its parent's columns only); blank and repeated parts
  are dropped ("State", "RURAL / Local"). A column with no name at all is called "column B"
  (sheets) or "column 2" (text files). Spaces and line breaks inside a name are collapsed.
- With a layout, rows whose cells are all empty (",,,," as spreadsheets save them) are blank
  lines and skipped.
- ``stop_at_blank``: the table ends at the first blank line after its first data row; what
  follows (another table on the same sheet) is left out.
- ``skip_bottom``: the last N non-blank rows of the table (after ``stop_at_blank``) are left
  out: notes, footnotes, sources, totals.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from locales import N_

from ..problems import Text

if TYPE_CHECKING:  # pragma: no cover
    from .records import ReadNote

TAIL_ROWS = 30
_HEAD_BYTES = 1024 * 1024
_TAIL_BYTES = 256 * 1024
_MAX_HEADER_ROWS = 5


@dataclass(frozen=True)
class Layout:
    header_row: int = 1     # 1-based line (CSV) / sheet row (Excel) of the first header line
    header_rows: int = 1    # number of header lines (1-5), names joined with " / "
    skip_bottom: int = 0    # non-blank lines at the end of the table left out (notes, totals)
    stop_at_blank: bool = False   # the table ends at its first blank line (tables stacked)

    def __post_init__(self) -> None:
        if not isinstance(self.header_row, int) or self.header_row < 1:
            raise ValueError(f"header_row must be a line number from 1, got {self.header_row!r}")
        if not isinstance(self.header_rows, int) or not 1 <= self.header_rows <= \
                _MAX_HEADER_ROWS:
            raise ValueError(f"header_rows must be 1-{_MAX_HEADER_ROWS}, got "
                             f"{self.header_rows!r}")
        if not isinstance(self.skip_bottom, int) or self.skip_bottom < 0:
            raise ValueError(f"skip_bottom must be 0 or more, got {self.skip_bottom!r}")

    @property
    def last_header_line(self) -> int:
        return self.header_row + self.header_rows - 1


@dataclass
class Grid:
    """The first and last rows of a file as raw text cells, for preview and detection.

    Rows are records with at least one filled cell (blank lines are left out; the line numbers
    say where each row is). For a Parquet file the first row is its column names.
    """
    head: list[list[str]]           # first up to max_rows rows, raw cells ("" for empty)
    tail: list[list[str]]           # last up to 30 rows
    head_lines: list[int]           # physical line / sheet row of each head row (1-based)
    tail_lines: list[int]
    total_rows: int | None          # non-blank rows: sheets, Parquet, text files up to 1 MB
    encoding: str = ""
    delimiter: str = ""
    sheets: list[str] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)
    sheet: str = ""                 # the sheet shown (Excel)


@dataclass(frozen=True)
class LayoutProposal:
    layout: Layout
    reasons: list[str]              # plain words, one per decision (the run's language)


# ------------------------------------------------------------------ header names

def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index (0 → A, 27 → AB)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def header_names(lines: list[list[str]], *, letters: bool = False) -> list[str]:
    """Column names from the header's lines (see the module's rules on names)."""
    if not lines:
        return []
    width = max(len(line) for line in lines)
    cells = [[" ".join(str(c).split()) for c in line] + [""] * (width - len(line))
             for line in lines]
    for k in range(len(cells) - 1):                 # upper lines: merged cells
        row = cells[k]
        for j in range(1, width):
            if not row[j] and row[j - 1] and all(cells[i][j] == cells[i][j - 1]
                                                 for i in range(k)):
                row[j] = row[j - 1]
    names = []
    for j in range(width):
        parts: list[str] = []
        for line in cells:
            if line[j] and (not parts or parts[-1] != line[j]):
                parts.append(line[j])
        names.append(" / ".join(parts) or
                     (f"column {column_letter(j)}" if letters else f"column {j + 1}"))
    return names


def is_blank_row(cells) -> bool:
    """A row with no filled cell (a blank line, or ",,,," as spreadsheets save one)."""
    return not any(str(c).strip() for c in cells)


# ------------------------------------------------------------------ reading a grid

def sheet_names(path: Path) -> list[str]:
    """The worksheets of an Excel workbook: the visible ones in order, then the hidden ones;
    [] for any other file."""
    from .excel import workbook_sheets
    return workbook_sheets(Path(path))


def propose_sheet_layouts(path: Path, *, max_rows: int = 200) -> dict[str, LayoutProposal]:
    """The proposed layout of every visible, non-empty sheet of a workbook (by name, in the
    workbook's order), each from the sheet's first ``max_rows`` and last 30 filled rows; {}
    for any other file or a workbook that cannot be opened."""
    from .excel import propose_sheet_layouts as propose
    return propose(Path(path), max_rows=max_rows)


def sheets_differ(proposals: dict[str, LayoutProposal]) -> bool:
    """Whether a workbook's sheets are laid out differently: some sheet's proposed layout
    is not the first sheet's. Then reading them stacked needs ``sheet_layout = "each"``."""
    layouts = [p.layout for p in proposals.values()]
    return any(lay != layouts[0] for lay in layouts[1:])


def read_grid(path: Path, *, encoding: str = "", separator: str | None = None,
              sheet: str | int | None = None, max_rows: int = 200,
              max_bytes: int | None = None) -> Grid:
    """The first ``max_rows`` and last 30 non-blank rows of a file as raw cells.

    Text files are decoded and split by the reader's rules (:mod:`geodata.readers.text`):
    only the first megabyte and the last 256 KB are read. For a workbook, ``sheet`` chooses
    the sheet (name or 0-based index; none, "*" or "all": the first). A file over the size
    limit gives an empty grid with the note saying so.
    """
    from . import text as tx
    from .excel import file_kind, not_a_workbook_note

    path = Path(path)
    limit = tx.max_file_bytes() if max_bytes is None else max_bytes
    note = tx.size_note(path, limit)
    if note:
        return Grid([], [], [], [], None, notes=[note])
    kind = file_kind(path)
    if kind == "parquet":
        return _parquet_grid(path, max_rows)
    if kind == "html_as_xls":
        return Grid([], [], [], [], None, notes=[not_a_workbook_note()])
    if kind in ("xlsx", "xls"):
        return _sheet_grid(path, sheet, max_rows)
    return _text_grid(path, encoding, separator, max_rows, kind == "text_as_xls")


def _split(records, max_rows: int) -> tuple[list, list, list, list, int]:
    head, head_lines, tail, tail_lines, total = [], [], [], [], 0
    for start, _end, row in records:
        if isinstance(row, str):        # the csv module gave up here: the rest is unread
            break
        if is_blank_row(row):
            continue
        total += 1
        if len(head) < max_rows:
            head.append(list(row))
            head_lines.append(start)
        tail.append(list(row))
        tail_lines.append(start)
        if len(tail) > 4 * TAIL_ROWS:
            del tail[:-TAIL_ROWS], tail_lines[:-TAIL_ROWS]
    return head, head_lines, tail[-TAIL_ROWS:], tail_lines[-TAIL_ROWS:], total


def grid_of(records, max_rows: int = 200) -> Grid:
    """The grid of records ``(first line, last line, cells)``: the first ``max_rows`` and the
    last 30 non-blank ones, and how many there are."""
    head, hl, tail, tl, total = _split(records, max_rows)
    return Grid(head, tail, hl, tl, total)


def _sheet_grid(path: Path, sheet, max_rows: int) -> Grid:
    from .excel import sheet_records

    if isinstance(sheet, str) and sheet.strip().lower() in ("*", "all"):
        sheet = None
    name, records, notes, sheets = sheet_records(path, sheet)
    if records is None:
        return Grid([], [], [], [], None, sheets=sheets, notes=notes, sheet=name)
    grid = grid_of(((r, r, cells) for r, cells in records), max_rows)
    grid.sheets, grid.notes, grid.sheet = sheets, notes, name
    return grid


def _parquet_grid(path: Path, max_rows: int) -> Grid:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    n = pf.metadata.num_rows
    names = list(pf.schema_arrow.names)

    def cells(table) -> list[list[str]]:
        frame = table.to_pandas().astype("string").fillna("")
        return frame.values.tolist()

    first = next(pf.iter_batches(batch_size=max(1, max_rows - 1)), None)
    head = [names] + (cells(first) if first is not None else [])
    head_lines = list(range(1, len(head) + 1))
    if n + 1 <= max_rows or pf.num_row_groups == 0:
        tail, tail_lines = head[-TAIL_ROWS:], head_lines[-TAIL_ROWS:]
    else:
        last = pf.read_row_group(pf.num_row_groups - 1)
        last = last.slice(max(0, last.num_rows - TAIL_ROWS))
        tail = cells(last)
        tail_lines = list(range(n + 2 - len(tail), n + 2))
    return Grid(head, tail, head_lines, tail_lines, n + 1)


def _text_grid(path: Path, encoding: str, separator, max_rows: int,
               disguised: bool) -> Grid:
    from . import text as tx
    from .records import ReadNote

    size = path.stat().st_size
    with open(path, "rb") as fh:
        data = fh.read(_HEAD_BYTES if size > _HEAD_BYTES else size)
    if not data.strip():
        return Grid([], [], [], [], 0, notes=[ReadNote(
            "error", "empty_file", Text(N_("the file is empty")),
            expected=Text(N_("a header line and data lines")))])
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff")) or encoding.lower().startswith("utf-16")
    whole = size <= _HEAD_BYTES or utf16
    if not whole:
        data = data[:data.rfind(b"\n") + 1] or data
    elif size > len(data):
        data = path.read_bytes()
    text, used, notes = tx.decode(data, encoding)
    if disguised:
        from .excel import disguised_note
        notes.insert(0, disguised_note())
    delim = tx.choose_delimiter(text[:tx.SNIFF_BYTES], separator, path.suffix.lower())
    head, hl, tail, tl, total = _split(tx.csv_records(text, delim), max_rows)
    if whole:
        return Grid(head, tail, hl, tl, total, used, delim, notes=notes)
    tail, tl = _text_tail(path, size, used, delim)
    return Grid(head, tail, hl, tl, None, used, delim, notes=notes)


def _text_tail(path: Path, size: int, encoding: str, delim: str) -> tuple[list, list]:
    """The last non-blank records of a large text file, with their line numbers."""
    from . import text as tx

    newlines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(16 * 1024 * 1024):
            newlines += chunk.count(b"\n")
        fh.seek(max(0, size - _TAIL_BYTES))
        chunk = fh.read()
    chunk = chunk[chunk.find(b"\n") + 1:]
    first_line = newlines - chunk.count(b"\n") + 1
    text = chunk.decode(encoding or "utf-8", errors="replace")
    recs = ((s + first_line - 1, e + first_line - 1, r) for s, e, r in tx.csv_records(text, delim))
    _h, _hl, tail, tl, _n = _split(recs, 0)
    return tail, tl


# ------------------------------------------------------------------ proposing a layout

_NUMBER = re.compile(r"^[\s(+\-−–$€£¥₩₹]*(?:\d[\d,.\s'’\u00a0\u202f]*|[.,]\d+)"
                     r"(?:[eE][+-]?\d+)?\s*%?\s*\)?\s*$")
_PLACEHOLDER = {"-", "–", "—", "…", "...", "..", "x", "n/a", "na", "(d)", "(na)", "(x)",
                "(z)", "*", "#"}
_NOTE = re.compile(r"^\s*(?:sources?\b|notes?\b|footnotes?\b|\*|注|资料来源|数据来源|来源|"
                   r"说明|备注|[¹²³⁴⁵⁶⁷⁸⁹]|\(\d+\)|\d+\)\s)", re.I)
_TOTAL = re.compile(r"^\s*(?:grand\s+)?totals?\b|^\s*(?:合计|总计|sum\b|all\b)", re.I)


@dataclass(frozen=True)
class _Row:
    line: int
    cells: tuple[str, ...]
    filled: int
    numeric: int        # number-like cells (and placeholders such as "-" or "…")
    headerish: int      # text cells that are not numbers, or periods (2022, 2022年, Q3 2022)

    @property
    def first(self) -> str:
        return next((c.strip() for c in self.cells if c.strip()), "")

    def share(self, what: int) -> float:
        return what / self.filled if self.filled else 0.0


def _row(line: int, cells) -> _Row:
    from .wide import looks_like_period

    cells = tuple("" if c is None else str(c) for c in cells)
    filled = numeric = headerish = 0
    for c in cells:
        t = c.strip()
        if not t:
            continue
        filled += 1
        number = bool(_NUMBER.match(t)) or t.lower() in _PLACEHOLDER
        numeric += number
        headerish += (not number) or looks_like_period(t)
    return _Row(line, cells, filled, numeric, headerish)


def _lines_text(lines: list[int]) -> str:
    """'line 4', 'lines 1-2', 'lines 1, 3, 5'."""
    if len(lines) == 1:
        return Text(N_("line {line}"), line=str(lines[0]))
    if lines == list(range(lines[0], lines[-1] + 1)):
        return Text(N_("lines {first}-{last}"), first=str(lines[0]), last=str(lines[-1]))
    return Text(N_("lines {lines}"), lines=", ".join(str(n) for n in lines[:6])
                + ("…" if len(lines) > 6 else ""))


def _quote(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return f"'{text[:n]}…'" if len(text) > n else f"'{text}'"


def propose_layout(grid: Grid) -> LayoutProposal:
    """A layout for the table in ``grid``, with the reason for every decision.

    The rules (a cell is *filled* when it holds anything but spaces):

    1. **Header**: the first row that has at least half as many filled cells as the widest of
       the next ten rows (and at least two, when those rows have two), and whose next row is
       at least half that wide too. The rows above it are titles and are left out. When no
       row qualifies, the first row is the header.
    2. **Header of several lines** (at most 5): the row directly above the header is another
       header line when it has at least two filled cells, all of them text (or periods such
       as 2022), blank cells within the table's width (merged cells), the header below it is
       mostly text, and the data rows below are mostly numbers (e.g. the FHWA bridge workbook:
       "State, RURAL, URBAN" over the road classes). Likewise the row directly below a header
       line that has blank cells is a header line when it is mostly text and the rows below
       it are mostly numbers.
    3. **Another table below** (``stop_at_blank``): when a blank line follows the data and
       what comes after it repeats a header line, or is a title followed by a wide text row
       (a new header), the table ends at that blank line. A header repeated with no blank line
       before it cannot be cut there: the reasons say so. Only the first rows of the file
       (``grid.head``) are searched.
    4. **Notes at the end** (``skip_bottom``): the last rows of the table that have at most a
       third as many filled cells as the table is wide, or fewer than it is wide and text
       starting like a note ("Source:", "Note", "注", "资料来源", "*", "¹", "(1)"), are left
       out. A total row ("Total", "合计") is kept and named in the reasons.
    """
    rows = [_row(ln, cells) for ln, cells in zip(grid.head_lines, grid.head)]
    rows = [r for r in rows if r.filled]
    if not rows:
        return LayoutProposal(Layout(), [Text(N_("the file has no filled rows: nothing to "
                                                 "propose"))])
    reasons: list[str] = []
    h, found = _header_index(rows)
    top, bottom = h, h
    data_from = h + 1
    width = max((r.filled for r in rows[data_from:data_from + 10]), default=rows[h].filled)
    data = rows[data_from:data_from + 5]
    data_numeric = bool(data) and statistics.median(r.share(r.numeric) for r in data) > 0.5
    while bottom - top + 1 < _MAX_HEADER_ROWS and top > 0 and _upper_line(
            rows[top - 1], rows[top], width, data_numeric):
        top -= 1
    while bottom - top + 1 < _MAX_HEADER_ROWS and bottom + 1 < len(rows):
        below = rows[bottom + 1]
        after = rows[bottom + 2:bottom + 7]
        if not (below.line == rows[bottom].line + 1 and rows[bottom].filled < width
                and below.filled >= 2 and below.share(below.headerish) > 0.5 and after
                and statistics.median(r.share(r.numeric) for r in after) > 0.5):
            break
        bottom += 1
        width = max((r.filled for r in rows[bottom + 1:bottom + 11]), default=width)
    header_row, header_rows = rows[top].line, rows[bottom].line - rows[top].line + 1

    titles = rows[:top]
    if titles:
        reasons.append(_titles_reason(titles, header_row))
    elif found:
        reasons.append(Text(N_("the header is line {line}, the first line"), line=str(header_row))
                       if header_row == 1 else
                       Text(N_("the header is line {line}, the first filled line"),
                            line=str(header_row)))
    else:
        reasons.append(Text(N_("no line stands out as a header (as wide as the rows below it); "
                               "line {line} is taken as the header"), line=str(header_row)))
    if header_rows > 1:
        names = header_names([list(r.cells) for r in rows[top:bottom + 1]])
        example = next((n for n in names if " / " in n), names[0] if names else "")
        reasons.append(Text(
            N_("lines {first}-{last} are a {n}-line header: line {top} has blank (merged) cells "
               "over the names below it and the rows below hold numbers; names are joined with "
               "' / ', e.g. {example}"), first=str(header_row), last=str(rows[bottom].line),
            n=str(header_rows), top=str(rows[top].line), example=_quote(example, 60)))
    else:
        reasons.append(Text(N_("one header line")))

    body = rows[bottom + 1:]
    stop, stop_reason, body = _another_table(body, rows[top:bottom + 1], width)
    if stop_reason:
        reasons.append(stop_reason)
    if stop:
        candidates = body
    else:
        candidates = [_row(ln, c) for ln, c in zip(grid.tail_lines, grid.tail)]
        candidates = [r for r in candidates if r.filled and r.line > rows[bottom].line]
    skip, note_reason = _notes_at_end(candidates, width)
    reasons.append(note_reason)
    return LayoutProposal(Layout(header_row=header_row, header_rows=header_rows,
                                 skip_bottom=skip, stop_at_blank=stop), reasons)


def _titles_reason(titles: list[_Row], header_row: int) -> str:
    fields = {"lines": _lines_text([r.line for r in titles]),
              "example": _quote(titles[0].first), "header": str(header_row)}
    one_cell = all(r.filled == 1 for r in titles)
    if len(titles) > 1:
        if one_cell:
            return Text(N_("{lines} look like titles (one filled cell each, e.g. {example}); the "
                           "header is line {header}"), **fields)
        return Text(N_("{lines} look like titles (fewer filled cells than the table, e.g. "
                       "{example}); the header is line {header}"), **fields)
    if one_cell:
        return Text(N_("{lines} looks like a title (one filled cell, e.g. {example}); the header "
                       "is line {header}"), **fields)
    return Text(N_("{lines} looks like a title (fewer filled cells than the table, e.g. "
                   "{example}); the header is line {header}"), **fields)


def _header_index(rows: list[_Row]) -> tuple[int, bool]:
    for i, r in enumerate(rows):
        nxt = rows[i + 1:i + 11]
        if not nxt:
            break
        widest = max(n.filled for n in nxt)
        if r.filled >= max(min(2, widest), widest / 2) and nxt[0].filled >= widest / 2:
            return i, True
    return 0, len(rows) == 1


def _upper_line(up: _Row, below: _Row, width: int, data_numeric: bool) -> bool:
    return (up.line == below.line - 1 and up.filled >= 2 and up.filled < width
            and up.headerish == up.filled and below.share(below.headerish) > 0.5
            and data_numeric)


def _another_table(body: list[_Row], header: list[_Row], width: int) \
        -> tuple[bool, str, list[_Row]]:
    """``(stop_at_blank, reason, the table's rows)``: whether a blank line in the first rows
    ends the table because another table follows it."""
    for i in range(len(body) - 1):
        if body[i + 1].line <= body[i].line + 1:
            continue
        after = body[i + 1:i + 8]
        ends = {"blank": str(body[i].line + 1), "last": str(body[i].line)}
        why = ""
        for r in after:
            hline = next((h for h in header if _repeats(r, h)), None)
            if hline is not None:
                why = Text(N_("line {blank} is blank and another table follows it (line {line} "
                              "repeats the header line {header}); the table is read up to line "
                              "{last}: stop_at_blank = true"), line=str(r.line),
                           header=str(hline.line), **ends)
                break
        if not why and after[0].filled <= max(1, width / 3):
            wide = next((r for r in after[1:5] if r.filled >= width / 2 and
                         r.share(r.headerish) > 0.5), None)
            if wide is not None:
                why = Text(N_("line {blank} is blank and another table follows it (a title {title} "
                              "on line {line} and a new header on line {header}); the table is "
                              "read up to line {last}: stop_at_blank = true"),
                           title=_quote(after[0].first), line=str(after[0].line),
                           header=str(wide.line), **ends)
        if why:
            return True, why, body[:i + 1]
    for r in body:
        hline = next((h for h in header if _repeats(r, h)), None)
        if hline is not None:
            return False, Text(N_("line {line} repeats the header (line {header}) with no blank "
                                  "line before it: the file holds more than one table, one below "
                                  "the other; read as one table their rows mix (the reader reports "
                                  "the repeated header lines)"), line=str(r.line),
                               header=str(hline.line)), body
    return False, "", body


def _repeats(row: _Row, header_line: _Row) -> bool:
    """Whether a row repeats a header line (most of its filled cells, in the same places)."""
    same = sum(1 for a, b in zip(row.cells, header_line.cells) if a.strip() and
               a.strip() == b.strip())
    return header_line.filled >= 2 and same >= max(2, 0.6 * header_line.filled)


def _notes_at_end(rows: list[_Row], width: int) -> tuple[int, str]:
    n = 0
    for r in reversed(rows):
        sparse = width >= 3 and r.filled <= width / 3
        marked = r.filled < width and bool(_NOTE.match(r.first))
        if not (sparse or marked) or n + 1 >= len(rows):
            break
        n += 1
    notes, kept = rows[len(rows) - n:], rows[:len(rows) - n]
    if not n:
        said = Text(N_("no notes at the end: the last line (line {line}) is a data row"),
                    line=str(kept[-1].line)) if kept else \
            Text(N_("no notes at the end: the last line is a data row"))
    else:
        marked = [r for r in notes if _NOTE.match(r.first)]
        if not all(r.filled == 1 for r in notes):
            what = Text(N_("few filled cells"))
        else:
            what = Text(N_("one filled cell each")) if n > 1 else Text(N_("one filled cell"))
        if marked:
            what = Text(N_("{cells}, text starting {starts}"), cells=what, starts=", ".join(
                dict.fromkeys(_quote(r.first, 12) for r in marked)))
        where = _lines_text([r.line for r in notes])
        said = Text(N_("the last line ({lines}) looks like a note ({why}); skip_bottom = {n}"),
                    lines=where, why=what, n=str(n)) if n == 1 else \
            Text(N_("the last {n} lines ({lines}) look like notes ({why}); skip_bottom = {n}"),
                 lines=where, why=what, n=str(n))
    if kept and _TOTAL.match(kept[-1].first):
        said = Text(N_("{said}; line {line} ({text}) looks like a total row and is kept "
                       "(skip_bottom = {n} leaves it out)"), said=said, line=str(kept[-1].line),
                    text=_quote(kept[-1].first), n=str(n + 1))
    return n, said


def first_line_note(records, unit: str = "line") -> ReadNote | None:
    """The note for a file read with its header on line 1 whose first line looks like a title
    (far fewer filled cells than the lines below), naming the line that looks like the header.
    ``records`` are ``(line, cells)`` of the first rows."""
    from .records import ReadNote

    rows = [_row(ln, cells) for ln, cells in records]
    rows = [r for r in rows if r.filled]
    if len(rows) < 3:
        return None
    below = statistics.median_high(r.filled for r in rows[1:21])
    if below < 2 or rows[0].filled * 2 > below:
        return None
    grid = Grid([list(r.cells) for r in rows], [], [r.line for r in rows], [], None)
    lay = propose_layout(grid).layout
    if lay.header_row == rows[0].line:
        return None
    setting = f"header_row = {lay.header_row}" + \
        (f", header_rows = {lay.header_rows}" if lay.header_rows > 1 else "")
    fields = {"first": str(rows[0].line), "n": str(rows[0].filled), "below": str(below),
              "header": str(lay.header_row), "setting": setting}
    if unit == "row":
        text = Text(N_("row {first} has 1 filled cell where the rows below have {below}: it looks "
                       "like a title, and row {header} looks like the header. The file was read "
                       "with its header on row 1; {setting} in the table's manifest entry (or the "
                       "Import page) reads it"), **fields) if rows[0].filled == 1 else \
            Text(N_("row {first} has {n} filled cells where the rows below have {below}: it looks "
                    "like a title, and row {header} looks like the header. The file was read with "
                    "its header on row 1; {setting} in the table's manifest entry (or the Import "
                    "page) reads it"), **fields)
    else:
        text = Text(N_("line {first} has 1 filled cell where the lines below have {below}: it "
                       "looks like a title, and line {header} looks like the header. The file was "
                       "read with its header on line 1; {setting} in the table's manifest entry "
                       "(or the Import page) reads it"), **fields) if rows[0].filled == 1 else \
            Text(N_("line {first} has {n} filled cells where the lines below have {below}: it "
                    "looks like a title, and line {header} looks like the header. The file was "
                    "read with its header on line 1; {setting} in the table's manifest entry (or "
                    "the Import page) reads it"), **fields)
    return ReadNote("error", "header_not_first", text, lines=(rows[0].line, lay.header_row),
                    expected=setting)
