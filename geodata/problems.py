"""Problems found in input data: collected, never raised one at a time.

Every loader returns the rows it could use together with a list of :class:`Problem`. A problem
names the file, the column, the rows (as line numbers a person finds in a spreadsheet: the
header is line 1, the first data row line 2) and what was expected, so a budget office can fix
its file. Severity tells the page how to show it:

``error``     the rows were kept out (the amount is still counted in the diagnostics)
``warning``   the rows were kept, but something looks wrong (duplicates, unknown keys)
``repaired``  the value was mended on read (a FIPS code padded, a geometry made valid)
``note``      nothing wrong, but worth knowing (negative amounts kept and summed)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd

SEVERITIES = ("error", "warning", "repaired", "note")
_MAX_ROWS_SHOWN = 8


@dataclass(frozen=True)
class Problem:
    severity: str
    file: str
    message: str
    column: str | None = None
    rows: tuple[int, ...] = field(default=())
    expected: str = ""
    values: tuple[str, ...] = field(default=())
    code: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def rows_text(self) -> str:
        if not self.rows:
            return ""
        shown = ", ".join(str(r) for r in self.rows[:_MAX_ROWS_SHOWN])
        more = len(self.rows) - _MAX_ROWS_SHOWN
        return shown + (f" and {more:,} more" if more > 0 else "")

    def text(self) -> str:
        """One sentence for the page: file, column, rows, what was wrong, what was expected."""
        where = self.file
        if self.column:
            where += f", column '{self.column}'"
        if self.rows:
            noun = "line" if len(self.rows) == 1 else "lines"
            where += f", {noun} {self.rows_text()}"
        out = f"{where}: {self.message}"
        if self.values:
            sample = ", ".join(repr(v) for v in self.values[:5])
            out += f" (found {sample})"
        if self.expected:
            out += f"; expected {self.expected}"
        return out


def problem_for_rows(severity: str, file: str, message: str, *, column: str | None,
                     line_numbers: Sequence[int], values: Iterable[object] = (),
                     expected: str = "", code: str = "") -> Problem:
    """Build a problem for a set of rows, keeping a few distinct sample values."""
    sample: list[str] = []
    for v in values:
        s = str(v)
        if s not in sample:
            sample.append(s)
        if len(sample) >= 5:
            break
    return Problem(severity, file, message, column=column,
                   rows=tuple(int(r) for r in line_numbers), expected=expected,
                   values=tuple(sample), code=code)


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """The problems as a table, for the page and for a CSV download."""
    cols = ["severity", "code", "file", "column", "lines", "row_count", "message", "values", "expected"]
    if not problems:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame([{
        "severity": p.severity, "code": p.code, "file": p.file, "column": p.column or "",
        "lines": " ".join(str(r) for r in p.rows), "row_count": p.row_count,
        "message": p.message, "values": "; ".join(p.values), "expected": p.expected,
    } for p in problems], columns=cols)


def problem_summary(problems: Sequence[Problem]) -> dict[str, int]:
    """Counts for the Data quality page: rows left out (the rows of every error, and one per
    file that could not be read at all), and the number of problems of each other severity."""
    out = {sev: sum(1 for p in problems if p.severity == sev) for sev in SEVERITIES}
    out["rows_left_out"] = sum(p.row_count or 1 for p in problems if p.severity == "error")
    out["non_positive"] = sum(p.row_count for p in problems
                              if p.code in ("negative_amount", "zero_amount"))
    return out
