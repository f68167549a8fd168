"""Proposals for the Import page: which column is the key, the name, the year, the value.

Each proposal is only a starting point shown to the user, who confirms or changes it; nothing
here is applied without that. The rules are plain:

- a boundary layer's **key** is the first field whose values are all present and distinct,
  preferring names such as ``id``, ``code``, ``geoid``, ``fips``, ``adcode``, ``代码``; its
  **name** the first other text field that is mostly distinct, preferring ``name``, ``名称``;
- a table's **period columns** are those whose header is a year or quarter (two or more make
  the table wide); otherwise its **year** column is one whose header says year (``year``,
  ``fy``, ``年``, ``年度``) or whose values are mostly years;
- its **value** column is one whose header says amount, value, population (``金额``, ``支出``,
  ``人口``…), else the last column whose values are mostly numbers;
- its **key** column is the first remaining text column (the Import page then ranks the
  candidates by how many rows match the boundaries).
"""
from __future__ import annotations

import re

import pandas as pd

from .numbers import parse_numbers, parse_years

_KEY_WORDS = re.compile(r"(^|[^a-z])(id|code|geoid|fips|adcode|key|ags|ons|gss|inegi)([^a-z]|$)"
                        r"|代码|编码|区划", re.IGNORECASE)
_NAME_WORDS = re.compile(r"name|名称|地区|省份|城市|区县|county|state|town|region|district|ward",
                         re.IGNORECASE)
_YEAR_WORDS = re.compile(r"(^|[^a-z])(year|fy|yr)([^a-z]|$)|fiscal|年|年度", re.IGNORECASE)
_VALUE_WORDS = {
    "allocations": re.compile(r"amount|obligat|spend|expend|outlay|budget|award|fund|value|"
                              r"total|金额|支出|拨款|资金|预算|经费|合计", re.IGNORECASE),
    "population": re.compile(r"pop|resident|inhabit|persons|人口|常住|户籍", re.IGNORECASE),
    "indicators": re.compile(r"value|rate|percent|share|score|index|指标|比率|率", re.IGNORECASE),
}


def _sample(s: pd.Series, n: int = 500) -> pd.Series:
    s = s.astype("string")
    return s.head(n)


def _number_share(s: pd.Series) -> float:
    s = _sample(s)
    filled = s.fillna("").str.strip() != ""
    if not filled.any():
        return 0.0
    values, reason = parse_numbers(s[filled], allow_percent=True)
    return float((values.notna() & reason.isna()).mean())


def _year_share(s: pd.Series) -> float:
    s = _sample(s)
    filled = s.fillna("").str.strip() != ""
    if not filled.any():
        return 0.0
    years = parse_years(s[filled])[0]
    return float(years.notna().mean())


def propose_boundary_fields(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """``(key, name)`` fields of a boundary layer's attribute table (geometry ignored)."""
    cols = [c for c in frame.columns if c != "geometry"]
    distinct = [c for c in cols if frame[c].notna().all()
                and frame[c].astype("string").nunique() == len(frame)]
    key = next((c for c in distinct if _KEY_WORDS.search(str(c))), None) or \
        next(iter(distinct), None)
    texts = [c for c in cols if c != key and (pd.api.types.is_object_dtype(frame[c]) or
                                              pd.api.types.is_string_dtype(frame[c]))]
    texts = [c for c in texts if c != key and
             frame[c].astype("string").nunique() >= 0.8 * max(1, len(frame))]
    name = next((c for c in texts if _NAME_WORDS.search(str(c))), None) or \
        next(iter(texts), None) or key
    return key, name


def propose_roles(frame: pd.DataFrame, kind: str, period_headers: list[str]) -> dict:
    """Proposed ``key``, ``year``, ``value`` columns and whether the table is ``wide``.

    ``period_headers`` are the headers recognised as years or quarters (by
    :func:`geodata.readers.wide.period_columns`).
    """
    cols = [str(c) for c in frame.columns]
    rest = [c for c in cols if c not in period_headers]
    wide = len(period_headers) >= 2
    year = None
    value = None
    if not wide:
        year = next((c for c in rest if _YEAR_WORDS.search(c) and _year_share(frame[c]) > 0.8),
                    None) or next((c for c in rest if _year_share(frame[c]) > 0.9), None)
        words = _VALUE_WORDS.get(kind)
        numeric = [c for c in rest if c != year and _number_share(frame[c]) > 0.8]
        value = next((c for c in numeric if words is not None and words.search(c)), None) or \
            (numeric[-1] if numeric else None)
    taken = {year, value}
    key = next((c for c in rest if c not in taken and _number_share(frame[c]) < 0.5
                and _NAME_WORDS.search(c)), None) or \
        next((c for c in rest if c not in taken and _KEY_WORDS.search(c)), None) or \
        next((c for c in rest if c not in taken), None)
    return {"key": key, "year": year, "value": value, "wide": wide}


_UNIT_LABEL = re.compile(r"(单位|unit|units|in)\s*[:：]?\s*(.+)$", re.IGNORECASE)


def unit_from_titles(rows: list[list[str]]) -> str | None:
    """A unit written in the title lines above a header ("单位：亿元", "Unit: $ thousands",
    "(in millions of dollars)"), as written, or None."""
    from .units import parse_scale, scale_from_header

    for row in rows:
        for cell in row:
            text = str(cell or "").strip()
            if not text or len(text) > 120:
                continue
            m = _UNIT_LABEL.search(text)
            if m:
                candidate = m.group(2).strip(" ()（）")
                s = parse_scale(candidate)
                if s is not None and s.factor != 1:
                    return candidate
            s = scale_from_header(text)
            if s is not None and s.factor != 1:
                return str(s.text)
    return None


def keys_and_amounts(frame: pd.DataFrame, key_col: str, *, wide_columns: list[str] | None,
                     value_col: str | None, decimal: str = ".",
                     year_span: str | None = None) -> tuple[pd.Series, pd.Series | None]:
    """Each row's key and amount as the key-match summary counts them: a wide table's period
    columns are summed per row (cells that are not numbers count as 0 there)."""
    keys = frame[key_col].astype("string")
    if wide_columns:
        cols = [c for c in wide_columns if c in frame.columns]
        total = pd.Series(0.0, index=frame.index)
        for c in cols:
            v = parse_numbers(frame[c], decimal=decimal)[0]
            total = total + v.fillna(0.0)
        return keys, total
    if value_col and value_col in frame.columns:
        return keys, parse_numbers(frame[value_col], decimal=decimal)[0]
    return keys, None
