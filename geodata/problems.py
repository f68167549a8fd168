"""Problems found in input data: collected, never raised one at a time.

Every loader returns the rows it could use together with a list of :class:`Problem`. A problem
names the file, the column, the rows (as line numbers a person finds in a spreadsheet: the
header is line 1, the first data row line 2) and what was expected, so a budget office can fix
its file. Severity tells the page how to show it:

``error``     the rows were kept out (the amount is still counted in the diagnostics)
``warning``   the rows were kept, but something looks wrong (duplicates, unknown keys)
``repaired``  the value was mended on read (a FIPS code padded, a geometry made valid)
``note``      nothing wrong, but worth knowing (negative amounts kept and summed)

Problems are found once, when a workspace is loaded, and shown to readers of either language:
their messages are :class:`Text` (a message id and its fields, put in the reader's language
each time they are shown), and :meth:`Problem.text` speaks the reader's language too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd

from locales import t, tn

SEVERITIES = ("error", "warning", "repaired", "note")
_MAX_ROWS_SHOWN = 8


class Text(str):
    """A message that follows the reader's language wherever it is shown.

    ``Text(N_("{n} blank value(s)"), n="3")`` is a string (the message in the language of the
    run that made it, so it compares, searches and joins like any string), and ``str()``,
    f-strings and ``format()`` give it in the language of the run that shows it: a problem
    found when a shared workspace was loaded reads in each reader's language. Fields may be
    Text themselves (translated when shown, too); format numbers before (counts with
    :func:`count`, which reads the same in both languages).
    """

    def __new__(cls, msgid: str, /, **fields: object) -> "Text":
        obj = super().__new__(cls, _render(msgid, fields))
        obj.msgid = msgid
        obj.fields = fields
        return obj

    def __str__(self) -> str:
        return _render(self.msgid, self.fields)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self):
        return (_text, (self.msgid, tuple(self.fields.items())))


def _render(msgid: str, fields: dict) -> str:
    return t(msgid, **{k: str(v) for k, v in fields.items()}) if fields else t(msgid)


def _text(msgid: str, fields: tuple) -> Text:
    return Text(msgid, **dict(fields))


def as_text(message: object) -> str:
    """A message from elsewhere (a reader's note, an exception) for a :class:`Text` field or a
    problem: a Text as it is, an English message id marked with ``N_`` looked up in the
    reader's language, anything else as its text."""
    if isinstance(message, Text):
        return message
    if isinstance(message, BaseException):
        arg = message.args[0] if len(message.args) == 1 else None
        return arg if isinstance(arg, Text) else str(message)
    return Text(message) if isinstance(message, str) else str(message)


def count(n: int) -> str:
    """A count as problems write it: "1,234" (the same in both languages)."""
    return f"{int(n):,}"


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
        return t("{shown} and {n} more", shown=shown, n=count(more)) if more > 0 else shown

    def text(self) -> str:
        """One sentence for the page, in the reader's language: file, column, rows, what was
        wrong, what was expected ("data.csv, column 'amount', lines 4, 9: 2 value(s): …
        (found 'abc'); expected a number …"). File names, columns and values are data, as
        written."""
        where = self.file
        if self.column:
            where = t("{where}, column '{column}'", where=where, column=self.column)
        if self.rows:
            where = tn("{where}, line {rows}", "{where}, lines {rows}", len(self.rows),
                       where=where, rows=self.rows_text())
        out = t("{where}: {message}", where=where, message=str(self.message))
        if self.values:
            sample = ", ".join(repr(v) for v in self.values[:5])
            out = t("{text} (found {values})", text=out, values=sample)
        if self.expected:
            out = t("{text}; expected {expected}", text=out, expected=str(self.expected))
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
    """The problems as a table, for the page and for a CSV download (messages in the
    reader's language)."""
    cols = ["severity", "code", "file", "column", "lines", "row_count", "message", "values", "expected"]
    if not problems:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame([{
        "severity": p.severity, "code": p.code, "file": p.file, "column": p.column or "",
        "lines": " ".join(str(r) for r in p.rows), "row_count": p.row_count,
        "message": str(p.message), "values": "; ".join(p.values),
        "expected": str(p.expected),
    } for p in problems], columns=cols)


def problem_summary(problems: Sequence[Problem]) -> dict[str, int]:
    """Counts for the Data quality page: rows left out (the rows of every error, and one per
    file that could not be read at all), and the number of problems of each other severity."""
    out = {sev: sum(1 for p in problems if p.severity == sev) for sev in SEVERITIES}
    out["rows_left_out"] = sum(p.row_count or 1 for p in problems if p.severity == "error")
    out["non_positive"] = sum(p.row_count for p in problems
                              if p.code in ("negative_amount", "zero_amount"))
    return out
