"""Numbers, years and quarters from text cells, by stated rules; never a silent guess.

Every parser takes a column of text and returns the parsed values together with a *reason*
per cell: ``<NA>`` where the cell was read (or was blank), otherwise a short code saying why it
was not (:data:`NUMBER_REASONS`, :data:`YEAR_REASONS`). The loader turns each reason into one
reported problem with the file, column and lines.

The rules (documented in ``docs/workspace-manifest.md``):

- Numbers: an optional sign, currency symbol and a trailing ``%``; digits with the table's
  decimal mark (``.`` by default, ``,`` with ``decimal = ","``) and, optionally, the other
  mark, a space or an apostrophe as a thousands separator *in groups of three after a first
  group of 1-3 digits* ("12,345.6"). "(1,200)" is −1,200 (accounting). A comma that is not a
  valid thousands separator ("1234,567", "0,125", "1,23") is refused as ambiguous, never read
  one way or the other. ``inf``, ``1e309`` and anything beyond ``max_abs`` are refused.
- Years: "2024", "FY2024", "FY 2024", "2024.0", "2024年", "2024年度". A two-year span
  ("2022-23", "2007/08", "FY2022-2023") is read only by the table's ``year_span`` rule
  (``"start"`` or ``"end"``) and reported; without one it is refused. Two-digit years ("FY22")
  and years outside 1800-2199 are refused.
- Quarters: 1-4, "Q3", "q3", "Qtr 3", "Quarter 3", "2024Q3", "2024-Q3", "第三季度".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from locales import N_

BLANK = frozenset({"", "nan", "none", "null", "na", "<na>"})

#: Why a cell is refused, by reason code: message ids (English), shown with ``locales.t``.
NUMBER_REASONS = {
    "not_number": N_("not a number"),
    "ambiguous_separator": N_("a comma or point that is neither a valid thousands separator "
                              "nor the table's decimal mark (e.g. 1234,567 or 0,125)"),
    "signed_parentheses": N_("a sign inside accounting parentheses, e.g. (-3)"),
    "not_finite": N_("not a finite number (inf, 1e309, a number with hundreds of digits)"),
    "too_large": N_("larger than the largest amount that can be added up to the cent"),
    "percent": N_("a percentage where an amount was expected"),
}
YEAR_REASONS = {
    "not_year": N_("not a year"),
    "two_digit_year": N_("a two-digit year (e.g. FY22): write the year in full"),
    "year_span": N_("a two-year span such as 2022-23: set year_span = \"start\" or \"end\" "
                    "for the table to say which year it is"),
    "bad_span": N_("a span whose years do not follow each other"),
    "out_of_range": N_("a year outside 1800-2199"),
    "not_quarter": N_("not a quarter from 1 to 4"),
}

_CURRENCY = r"$€£¥₩₹"
_GROUP_FOR = {".": r"[,\u00a0\u202f' ’]", ",": r"[.\u00a0\u202f' ’]"}
_YEAR_LO, _YEAR_HI = 1800, 2199


def _number_pattern(decimal: str) -> str:
    dec = "\\." if decimal == "." else ","
    g = _GROUP_FOR[decimal]
    plain = rf"(?:\d+(?:{dec}\d*)?|{dec}\d+)"
    grouped = rf"(?:[1-9]\d{{0,2}}(?:{g}\d{{3}})+(?:{dec}\d*)?)"
    return rf"[+-]?(?:{grouped}|{plain})(?:[eE][+-]?\d+)?"


def blank_mask(s: pd.Series) -> pd.Series:
    return s.isna() | s.str.strip().str.lower().isin(BLANK)


_PLAIN = r"^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$"
_FAST_FROM = 2000


def parse_numbers(raw: pd.Series, *, decimal: str = ".", allow_percent: bool = True,
                  max_abs: float | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse text to float64 the way a spreadsheet user means it.

    Returns ``(values, reason)``: values are NaN for blank and refused cells; ``reason`` is a
    key of :data:`NUMBER_REASONS` for refused cells and ``<NA>`` elsewhere. With
    ``allow_percent`` a trailing % is dropped (12% → 12, percentage points); without it such a
    cell is refused.

    Large columns take a vectorised path for plain cells ("1234.5", "-3", "3.68E+08"), which
    mean the same under every rule; only the other cells go through the full rules.
    """
    if decimal not in (".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")
    if len(raw) < _FAST_FROM:
        return _parse_numbers(raw, decimal, allow_percent, max_abs)
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(raw.astype("string").array)
    pattern = _PLAIN if decimal == "." else _PLAIN.replace("\\.", ",")
    plain = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    text = pc.utf8_trim_whitespace(pc.if_else(plain, arr, pa.scalar(None, pa.string())))
    if decimal == ",":
        text = pc.replace_substring(text, ",", ".")
    with np.errstate(over="ignore", invalid="ignore"):
        values = pd.Series(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False),
                           index=raw.index, dtype="float64")
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    plain_np = plain.to_numpy(zero_copy_only=False)
    finite = np.isfinite(values.to_numpy())
    reason[plain_np & ~finite] = "not_finite"
    if max_abs is not None:
        reason[plain_np & finite & (values.abs() >= max_abs).to_numpy()] = "too_large"
    rest = ~plain_np
    if rest.any():
        v2, r2 = _parse_numbers(raw[rest], decimal, allow_percent, max_abs)
        values[rest] = v2
        reason[rest] = r2
    values = values.where(reason.isna())
    return values, reason


def _parse_numbers(raw: pd.Series, decimal: str, allow_percent: bool,
                   max_abs: float | None) -> tuple[pd.Series, pd.Series]:
    s = raw.astype("string")
    blank = blank_mask(s).fillna(True).astype(bool)
    t = s.fillna("").str.strip()
    t = t.str.replace("\u2212", "-", regex=False).str.replace("\u2013", "-", regex=False)
    # Currency symbols anywhere around the number ("$1,234", "-$5", "1 234 €").
    t = t.str.replace(rf"[{_CURRENCY}]", "", regex=True).str.strip()
    paren = t.str.fullmatch(r"\(\s*[^()]*\s*\)").fillna(False).astype(bool)
    t = t.where(~paren, t.str.slice(1, -1).str.strip())
    signed_paren = paren & t.str.match(r"[+-]").fillna(False).astype(bool)
    pct = t.str.endswith("%").fillna(False).astype(bool)
    t = t.where(~pct, t.str.slice(0, -1).str.strip())
    ok = t.str.fullmatch(_number_pattern(decimal)).fillna(False).astype(bool)
    other = "," if decimal == "." else "."
    has_mark = t.str.contains(other, regex=False).fillna(False).astype(bool) | \
        t.str.contains(decimal, regex=False).fillna(False).astype(bool)

    clean = t.str.replace(_GROUP_FOR[decimal], "", regex=True)
    if decimal == ",":
        clean = clean.str.replace(",", ".", regex=False)
    good = ok & ~blank & ~signed_paren
    with np.errstate(over="ignore", invalid="ignore"):
        values = pd.to_numeric(clean.where(good), errors="coerce").astype("float64")
    values = values.where(~paren, -values)
    finite = np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan))

    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    reason[~blank & ~ok & has_mark & t.str.contains(r"\d", regex=True).fillna(False)] = \
        "ambiguous_separator"
    reason[~blank & ~ok & reason.isna()] = "not_number"
    reason[~blank & ok & ~finite & ~signed_paren] = "not_finite"
    reason[~blank & t.str.fullmatch(r"[+-]?(?:inf|infinity)", case=False).fillna(False)
           .astype(bool)] = "not_finite"
    reason[~blank & signed_paren] = "signed_parentheses"
    if not allow_percent:
        reason[~blank & pct & reason.isna()] = "percent"
    if max_abs is not None:
        big = pd.Series(finite, index=raw.index) & (values.abs() >= max_abs)
        reason[~blank & big & reason.isna()] = "too_large"
    values = values.where(reason.isna() & ~blank)
    return values, reason


def percent_mask(raw: pd.Series) -> pd.Series:
    """Cells written with a trailing % (read as percentage points: 12% → 12)."""
    return raw.astype("string").str.strip().str.endswith("%").fillna(False).astype(bool)


_YEAR = r"(?:(?:[SF]?FY|CY)\s*)?(\d{4})(?:\.0+)?\s*(?:年度?)?"
_SPAN = r"(?:(?:[SF]?FY|CY)\s*)?(\d{4})\s*[-–/]\s*(?:(?:[SF]?FY)\s*)?(\d{4}|\d{2})\s*(?:年度?)?"
_TWO_DIGIT = r"(?:[SF]?FY|CY)\s*'?(\d{2})"


def by_unique(raw: pd.Series, parse, *args, **kw) -> tuple[pd.Series, ...]:
    """Apply a column parser to the distinct cells only, then spread the results back: a year,
    quarter or key column of a million rows holds a few thousand distinct values."""
    codes, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
    if len(uniques) * 4 > len(raw):
        return parse(raw, *args, **kw)
    distinct = pd.Series(list(uniques) + [pd.NA], dtype="string")
    codes = np.where(codes < 0, len(uniques), codes)
    # take() on the results' own arrays: building text or nullable columns anew from object
    # values checks every cell again (several times slower at a million rows)
    return tuple(pd.Series(r.array.take(codes), index=raw.index)
                 for r in parse(distinct, *args, **kw))


def parse_years(raw: pd.Series, *, year_span: str | None = None) \
        -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a year column. Returns ``(years Int64, reason, was_span)``.

    ``year_span`` is the table's rule for "2022-23": ``"start"`` (2022), ``"end"`` (2023) or
    ``None`` (refused). ``was_span`` marks the cells read through that rule, to report them.
    """
    return by_unique(raw, _parse_years, year_span)


def _parse_years(raw: pd.Series, year_span: str | None = None) \
        -> tuple[pd.Series, pd.Series, pd.Series]:
    if year_span not in (None, "start", "end"):
        raise ValueError(f"year_span must be 'start' or 'end', got {year_span!r}")
    s = raw.astype("string")
    blank = blank_mask(s).fillna(True).astype(bool)
    t = s.fillna("").str.strip()
    one = t.str.extract(rf"^{_YEAR}$", flags=2, expand=False)       # re.IGNORECASE == 2
    span = t.str.extract(rf"^{_SPAN}$", flags=2)
    two = t.str.fullmatch(_TWO_DIGIT, case=False).fillna(False).astype(bool)

    years = pd.to_numeric(one, errors="coerce").astype("Int64")
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    a = pd.to_numeric(span[0], errors="coerce")
    b_raw = span[1].astype("string")
    b = pd.to_numeric(b_raw, errors="coerce")
    two_digits = (b_raw.str.len() == 2).fillna(False).astype(bool)
    b = b.where(~two_digits, (a // 100) * 100 + b)
    b = b.where(~(two_digits & (b < a)), b + 100)      # 1999-00 is 1999-2000
    is_span = a.notna() & years.isna()
    consecutive = is_span & ((b - a) == 1)
    reason[is_span & ~consecutive] = "bad_span"
    if year_span is None:
        reason[consecutive] = "year_span"
    else:
        chosen = a if year_span == "start" else b
        years = years.where(~consecutive, chosen.astype("Int64"))
    reason[~blank & years.isna() & reason.isna() & two] = "two_digit_year"
    reason[~blank & years.isna() & reason.isna()] = "not_year"
    out_of_range = years.notna() & ((years < _YEAR_LO) | (years > _YEAR_HI))
    reason[out_of_range.fillna(False).astype(bool)] = "out_of_range"
    years = years.where(reason.isna() & ~blank)
    was_span = consecutive & reason.isna()
    return years.astype("Int64"), reason, was_span.fillna(False).astype(bool)


_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_quarters(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a quarter column to 1-4. Returns ``(quarters Int64, reason)``."""
    return by_unique(raw, _parse_quarters)


def _parse_quarters(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = raw.astype("string")
    blank = blank_mask(s).fillna(True).astype(bool)
    t = s.fillna("").str.strip()
    latin = t.str.extract(r"^(?:\d{4}\s*-?\s*)?(?:Q|Qtr\.?|Quarter)?\s*([1-4])(?:\.0+)?$",
                          flags=2, expand=False)
    cn = t.str.extract(r"^(?:\d{4}年)?第?([一二三四1-4])季度?$", expand=False)
    q = pd.to_numeric(latin, errors="coerce")
    q = q.where(q.notna(), cn.map(_CN_QUARTER, na_action="ignore"))
    q = pd.to_numeric(q, errors="coerce").astype("Int64")
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    reason[~blank & q.isna()] = "not_quarter"
    return q.where(~blank), reason
