"""Wide tables: columns whose header is a period, turned into one row per period.

A yearbook or city portal often gives one row per region and one column per year
("地区, 2022年, 2021年, 2020年" or "County, FY2022, FY2023"). :func:`period_columns` says which
headers are periods (and which look like one but cannot be read, with the reason);
:func:`unpivot` turns those columns into rows.

The header rules (the year rules are those of :func:`geodata.readers.numbers.parse_years`):

- **Years**: ``2022``, ``2022年``, ``2022年度``, ``FY2022``, ``FY 2022``, ``2022.0``; years
  1800-2199 only.
- **Two-year spans** (``2021-22``, ``2021/22``, ``2021-2022``): read only with
  ``year_span = "start"`` or ``"end"``; without it they are refused ("a two-year span; set
  year_span"), never read one way or the other.
- **Quarters**: ``Q3 2022``, ``2022 Q3``, ``2022Q3``, ``2022-Q3``, ``2022年第三季度``,
  ``2022年三季度``, ``2022年3季度``.
- **Units after the period**: text in brackets after the period is allowed and ignored here
  (it is where the unit lives: ``2022年 (亿元)``, ``FY2022 ($ thousands)``).
- **Refused** (second list, with the reason): headers that look like a period but cannot be
  read: a span without a rule, a span whose years do not follow each other, a two-digit year
  (``FY22``), a year outside 1800-2199, a quarter outside 1-4. Headers that are not periods at
  all (``Region``, ``12008``) are in neither list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from locales import N_

from .numbers import _SPAN, _TWO_DIGIT, _YEAR, YEAR_REASONS, parse_years

SPAN_REASON = N_("a two-year span; set year_span")

_UNIT = re.compile(r"\s*[(（\[【][^()（）\[\]【】]*[)）\]】]\s*$")
_FY = r"(?:(?:[SF]?FY|CY)\s*)?"
_Q_FIRST = re.compile(rf"^(?:Q|Qtr\.?\s*|Quarter\s*)(\d)\s*[-/ ]?\s*{_FY}(\d{{4}})$", re.I)
_Q_LAST = re.compile(rf"^{_FY}(\d{{4}})\s*[-/ ]?\s*(?:Q|Qtr\.?\s*|Quarter\s*)(\d)$", re.I)
_Q_CN = re.compile(r"^(\d{4})\s*年\s*第?\s*([一二三四五六七八九\d])\s*季度?$")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_YEAR_LO, _YEAR_HI = 1800, 2199
_YEAR_ONLY = re.compile(rf"^{_YEAR}$", re.I)
_SPAN_OR_SHORT = re.compile(rf"^(?:{_SPAN}|{_TWO_DIGIT})$", re.I)


@dataclass(frozen=True)
class PeriodColumn:
    column: str                 # the header as it is in the file
    year: int
    quarter: int | None = None


def period_text(header: str) -> str:
    """The header without surrounding spaces and without a unit in brackets at its end."""
    text = " ".join(str(header).split())
    return _UNIT.sub("", text).strip()


def _quarter(text: str) -> tuple[int, int] | None:
    """``(year, quarter)`` for a quarter header, quarter unchecked; None if not one."""
    for pattern, yi, qi in ((_Q_FIRST, 2, 1), (_Q_LAST, 1, 2), (_Q_CN, 1, 2)):
        m = pattern.match(text)
        if m:
            q = m.group(qi)
            return int(m.group(yi)), _CN_DIGIT[q] if q in _CN_DIGIT else int(q)
    return None


def looks_like_period(header: str) -> bool:
    """Whether a header reads as a period or looks like one (a span, "FY22"), by the rules
    above, without the pandas machinery: for telling header lines from data rows."""
    text = period_text(header)
    if _quarter(text) is not None or _SPAN_OR_SHORT.match(text):
        return True
    m = _YEAR_ONLY.match(text)
    return bool(m) and _YEAR_LO <= int(m.group(1)) <= _YEAR_HI


def period_columns(columns: list[str], *, year_span: str | None = None) \
        -> tuple[list[PeriodColumn], list[tuple[str, str]]]:
    """The headers that are periods, in column order, and those refused ``(header, reason)``.

    A reason is a message id (English; :data:`SPAN_REASON` or one of
    :data:`~geodata.readers.numbers.YEAR_REASONS`), shown in the reader's language with
    ``locales.t(reason)``. See the module's rules. ``year_span`` is the table's rule for two-year spans:
    ``"start"``, ``"end"`` or None (refused).
    """
    if year_span not in (None, "start", "end"):
        raise ValueError(f"year_span must be 'start' or 'end', got {year_span!r}")
    texts = [period_text(c) for c in columns]
    years, reason, _span = parse_years(pd.Series(texts, dtype="string"), year_span=year_span)
    found: list[PeriodColumn] = []
    refused: list[tuple[str, str]] = []
    for i, (col, text) in enumerate(zip(columns, texts)):
        q = _quarter(text)
        if q is not None:
            year, quarter = q
            if not _YEAR_LO <= year <= _YEAR_HI:
                refused.append((col, YEAR_REASONS["out_of_range"]))
            elif not 1 <= quarter <= 4:
                refused.append((col, YEAR_REASONS["not_quarter"]))
            else:
                found.append(PeriodColumn(col, year, quarter))
            continue
        code = reason.iloc[i]
        if pd.isna(code):
            if pd.notna(years.iloc[i]):
                found.append(PeriodColumn(col, int(years.iloc[i])))
        elif code == "year_span":
            refused.append((col, SPAN_REASON))
        elif code != "not_year":
            refused.append((col, YEAR_REASONS[code]))
    return found, refused


def unpivot(frame: pd.DataFrame, lines: np.ndarray, columns: list[PeriodColumn]) \
        -> tuple[pd.DataFrame, np.ndarray]:
    """The period columns as rows: ``(long frame, physical line of each long row)``.

    Row-major order: the periods of the frame's first row (in the order of ``columns``), then
    those of the second row, and so on, so the lines stay in file order. Every other column
    is kept (repeated); ``_year`` (Int64), ``_quarter`` (Int64, <NA> for a yearly column),
    ``_value`` (the cell's text, "" for an empty cell: the number rules report blanks) and
    ``_column`` (the source header, a categorical) are added.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n, k = len(frame), len(columns)
    names = [p.column for p in columns]
    keep = [c for c in frame.columns if c not in set(names)]
    rows = np.repeat(np.arange(n, dtype=np.int64), k)
    out = frame[keep].take(rows).reset_index(drop=True) if keep else \
        pd.DataFrame(index=pd.RangeIndex(n * k))
    if k:
        parts = [pc.cast(pa.array(frame[c].array, from_pandas=True), pa.large_string())
                 for c in names]
        stacked = pa.concat_arrays(parts)             # column-major: col 0 rows, col 1 rows…
        order = (np.arange(n * k, dtype=np.int64) % k) * n + rows
        values = pc.fill_null(stacked.take(pa.array(order)), "")
        value = pd.Series(values.to_pandas(), index=out.index)
    else:
        value = pd.Series([], dtype="str", index=out.index)
    years = np.tile(np.array([p.year for p in columns], dtype=np.int64), n)
    quarters = np.tile(np.array([p.quarter or 0 for p in columns], dtype=np.int64), n)
    out["_year"] = pd.arrays.IntegerArray(years, np.zeros(n * k, dtype=bool))
    out["_quarter"] = pd.arrays.IntegerArray(quarters, quarters == 0)
    out["_value"] = value
    codes = np.tile(np.arange(k), n)
    if len(set(names)) == k:
        out["_column"] = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))
    else:                       # the same header twice cannot be a category: plain text
        out["_column"] = pd.Series(np.array(names, dtype=object)[codes], dtype="str")
    return out, np.repeat(np.asarray(lines, dtype=np.int64), k)
