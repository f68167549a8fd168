"""Units of amounts and counts ("亿元", "$ thousands", "万人"), read by a stated vocabulary.

A budget office writes its amounts in the unit its own reports use: 亿元 (10⁸ yuan), 万元,
"$ thousands", "USD millions"; population in 万人 or thousands. :func:`parse_scale` turns
such a unit into a :class:`Scale` (the factor that brings the numbers to base units, and what
those base units are), or ``None`` when the text is not in the vocabulary: a unit is never
guessed.

The vocabulary (case-insensitive; full-width brackets, digits and spaces are read as their
ASCII forms; the whole text may be in brackets, and may start with "unit:", "units:" or
"单位："):

- Numbers: a positive finite factor up to 10¹²: ``1000``, ``1e8``, ``1,000``, ``x1000``,
  ``×10000``, ``*1000``. ``0``, negative numbers and ``1e400`` are refused.
- English multipliers: thousand(s), k, '000, 000s, (000s) → 10³; million(s), m, mn, mm →
  10⁶; billion(s), bn, b → 10⁹; trillion(s) → 10¹².
- Currency words and symbols, alone (factor 1) or with one multiplier, in either order, with
  "in" and "of" as filler: ``$ thousands``, ``thousands of dollars``, ``USD millions``,
  ``EUR bn``, ``in millions of euros``, ``$000s``, ``€m`` → base ``"currency"``. The ISO code
  is kept when the text names one currency (USD, EUR, ``€`` …); ``$``, "dollars" and ``¥``
  name several, so they leave the code empty.
- Persons: person(s), people, resident(s), inhabitant(s), alone or with one multiplier
  ("thousands of people") → base ``"persons"``.
- Chinese: 千, 万, 十万, 百万, 千万, 亿, 十亿, 百亿, 千亿, 万亿 alone (a plain number) or
  followed by 元 / 人民币 / 美元 / 欧元 / 英镑 / 日元 / 港元 / 港币 (currency: 万元, 亿元,
  万亿元, 万美元) or, up to 亿, by 人 (persons: 千人, 万人, 亿人); 元 and 人 alone are factor 1.

Every multiplier word is an exact power of ten. A percentage ("%", "‰", "percent", "per
cent", "pct", "百分比") is not a scale: none of these is in the vocabulary, so it gives
``None``, as do a rate ("元/人", "per capita") and every other text outside the vocabulary.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from locales import N_

from ..problems import Text

from .numbers import BLANK

CURRENCY = "currency"
PERSONS = "persons"
MAX_FACTOR = 1e12

#: Why a row's unit cannot be used, by reason code: message ids, shown with ``locales.t``.
SCALE_REASONS = {
    "blank_unit": N_("no unit in the unit column"),
    "unknown_unit": N_("a unit that is not in the vocabulary (e.g. 万元, 亿元, $ thousands, "
                       "USD millions, 万人)"),
    "wrong_base": N_("a unit of another kind (persons where amounts are expected, or the "
                     "reverse)"),
    "other_currency": N_("an amount in another currency than the table's"),
}


@dataclass(frozen=True)
class Scale:
    """How to read a column's numbers: multiply by ``factor`` to get ``base`` units.

    ``base`` is ``"currency"``, ``"persons"`` or ``""`` (a plain number, e.g. "thousands");
    ``text`` is the unit as written; ``currency`` is the ISO code the unit names, if exactly
    one ("USD millions" → USD, 亿元 → CNY, "$ thousands" → "").
    """
    factor: float
    base: str
    text: str
    currency: str = ""

    def describe(self, currency: str = "") -> str:
        """One line for the page, in the run's language: "亿元 = × 100,000,000 → CNY",
        "万人 = × 10,000 persons", "× 1,000". ``currency`` is the workspace's currency; a unit
        naming another one says so ("USD millions = × 1,000,000 → USD (not the workspace's
        CNY)"). The unit itself is shown as written."""
        factor = _factor_text(self.factor)
        head = f"× {factor}" if _is_number_text(self.text) else f"{self.text} = × {factor}"
        if self.base == PERSONS:
            return Text(N_("{scale} persons"), scale=head)
        if self.base != CURRENCY:
            return head
        code = self.currency or currency
        if not code:
            return Text(N_("{scale} (currency)"), scale=head)
        if self.other_currency(currency):
            return Text(N_("{scale} → {currency} (not the workspace's {workspace})"), scale=head,
                        currency=self.currency, workspace=currency.upper())
        return f"{head} → {code.upper()}"

    def other_currency(self, currency: str) -> bool:
        """Whether the unit names a currency other than ``currency`` (the workspace's)."""
        return bool(self.currency and currency and self.currency != currency.upper())


def _factor_text(factor: float) -> str:
    return f"{int(factor):,}" if float(factor).is_integer() else f"{factor:,g}"


def _is_number_text(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[x×*]?\s*[\d.,eE+]+\s*", text))


# --------------------------------------------------------------------------- vocabulary

_EN_MULTIPLIERS = {
    "thousand": 3, "thousands": 3, "k": 3, "'000": 3, "000s": 3, "'000s": 3, "000": 3,
    "million": 6, "millions": 6, "m": 6, "mn": 6, "mm": 6,
    "billion": 9, "billions": 9, "bn": 9, "b": 9,
    "trillion": 12, "trillions": 12,
}
# Currency words and symbols → ISO code ("" where the word names several currencies).
_EN_CURRENCIES = {
    "$": "", "us$": "USD", "c$": "CAD", "a$": "AUD", "hk$": "HKD", "nz$": "NZD", "s$": "SGD",
    "€": "EUR", "£": "GBP", "¥": "", "₩": "KRW", "₹": "INR",
    "dollar": "", "dollars": "", "euro": "EUR", "euros": "EUR", "sterling": "GBP",
    "yuan": "CNY", "rmb": "CNY", "yen": "JPY", "rupees": "", "rupee": "",
    **{c.lower(): c for c in ("USD", "EUR", "GBP", "CNY", "JPY", "CAD", "AUD", "CHF", "HKD",
                              "NZD", "SGD", "INR", "KRW", "MXN", "BRL", "ZAR", "SEK", "NOK",
                              "DKK", "TWD", "MOP")},
}
_EN_PERSONS = ("person", "persons", "people", "resident", "residents", "inhabitant",
               "inhabitants")
_FILLER = frozenset({"in", "of"})

_CN_MULTIPLIERS = {"千": 3, "万": 4, "十万": 5, "百万": 6, "千万": 7, "亿": 8, "十亿": 9,
                   "百亿": 10, "千亿": 11, "万亿": 12}
_CN_CURRENCIES = {"元": "CNY", "人民币": "CNY", "人民币元": "CNY", "美元": "USD", "欧元": "EUR",
                  "英镑": "GBP", "日元": "JPY", "港元": "HKD", "港币": "HKD"}
_CN_PERSONS = "人"
_CN_PERSONS_MAX = 8          # 亿人 is the largest persons unit


def _vocabulary() -> dict[str, tuple[float, str]]:
    words: dict[str, tuple[float, str]] = {}
    for w, p in _EN_MULTIPLIERS.items():
        words[w] = (float(10 ** p), "")
    for w in _EN_CURRENCIES:
        words[w] = (1.0, CURRENCY)
    for w in _EN_PERSONS:
        words[w] = (1.0, PERSONS)
    for m, p in _CN_MULTIPLIERS.items():
        words[m] = (float(10 ** p), "")
        for c in _CN_CURRENCIES:
            words[m + c] = (float(10 ** p), CURRENCY)
        if p <= _CN_PERSONS_MAX:
            words[m + _CN_PERSONS] = (float(10 ** p), PERSONS)
    for c in _CN_CURRENCIES:
        words[c] = (1.0, CURRENCY)
    words[_CN_PERSONS] = (1.0, PERSONS)
    return words


SCALE_WORDS: dict[str, tuple[float, str]] = _vocabulary()
"""Every single word of the vocabulary → (factor, base). English words also combine: one
multiplier with one currency or persons word ("USD millions", "thousands of people")."""

_CJK = re.compile(r"[\u3400-\u9fff]")
_PREFIX = re.compile(r"^(?:units?|单位)\s*[:：]\s*")
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_TOKEN = re.compile(rf"""
    (?P<cur>(?:us|c|a|hk|nz|s)?\$|[€£¥₩₹])
  | (?P<thou>'?000s?)(?![\d.])
  | (?P<num>[x×*]?\s*{_NUMBER})
  | (?P<word>[a-z]+)
  | (?P<sep>[\s,;:]+)
  | (?P<other>.)
""", re.VERBOSE)


def _normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    t = _PREFIX.sub("", t)
    while len(t) >= 2 and (t[0], t[-1]) in (("(", ")"), ("[", "]")):
        t = t[1:-1].strip()
    return t


def parse_scale(value: str | int | float) -> Scale | None:
    """The scale a unit stands for, or ``None`` when it is not in the vocabulary (see the
    module docstring). A number is a factor (positive, finite, at most 10¹²). A percentage
    ("%", "percent", "百分比") is not a scale: no word or sign of it is in the vocabulary, so
    it gives ``None``, as does a rate ("元/人")."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if not math.isfinite(f) or f <= 0 or f > MAX_FACTOR:
            return None
        return Scale(f, "", str(int(f)) if f.is_integer() else repr(f))
    if not isinstance(value, str):
        return None
    t = _normalise(value)
    if not t:
        return None
    found = _parse_cn(t) if _CJK.search(t) else _parse_en(t)
    if found is None:
        return None
    factor, base, code = found
    if not math.isfinite(factor) or factor <= 0 or factor > MAX_FACTOR:
        return None
    return Scale(factor, base, value.strip(), code)


def _parse_cn(t: str) -> tuple[float, str, str] | None:
    t = "".join(t.split())
    found = _parse_cn_unit(t)
    if found is None and t.startswith("人民币"):          # 人民币万元
        found = _parse_cn_unit(t.removeprefix("人民币"))
    return found


def _parse_cn_unit(t: str) -> tuple[float, str, str] | None:
    for m in sorted(_CN_MULTIPLIERS, key=len, reverse=True) + [""]:
        if not t.startswith(m):
            continue
        rest = t[len(m):]
        power = _CN_MULTIPLIERS.get(m, 0)
        if rest == "" and m:
            return float(10 ** power), "", ""
        if rest in _CN_CURRENCIES:
            return float(10 ** power), CURRENCY, _CN_CURRENCIES[rest]
        if rest == _CN_PERSONS and power <= _CN_PERSONS_MAX:
            return float(10 ** power), PERSONS, ""
    return None


def _parse_en(t: str) -> tuple[float, str, str] | None:
    t = re.sub(r"\bus\s+dollars?\b", "usd", t)
    t = t.replace("(", " ").replace(")", " ").replace("[", " ").replace("]", " ")
    factor: float | None = None
    currencies: list[str] = []
    persons = False
    for tok in _TOKEN.finditer(t):
        kind, text = tok.lastgroup, tok.group()
        if kind == "sep":
            continue
        if kind == "other":
            return None
        if kind == "word" and text in _FILLER:
            continue
        if kind == "cur" or (kind == "word" and text in _EN_CURRENCIES):
            currencies.append(_EN_CURRENCIES[text])
            continue
        if kind == "word" and text in _EN_PERSONS:
            if persons:
                return None
            persons = True
            continue
        if kind == "num":
            with np.errstate(over="ignore"):
                f = float(re.sub(r"^[x×*]\s*|,", "", text))
        elif kind == "thou":
            f = 1e3
        elif text in _EN_MULTIPLIERS:
            f = float(10 ** _EN_MULTIPLIERS[text])
        else:
            return None
        if factor is not None:
            return None                       # two multipliers: "1000 thousands"
        factor = f
    if len(currencies) > 1 or (currencies and persons):
        return None
    if factor is None and not currencies and not persons:
        return None
    base = CURRENCY if currencies else PERSONS if persons else ""
    return (1.0 if factor is None else factor), base, (currencies[0] if currencies else "")


# --------------------------------------------------------------------------- headers

_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_BARE_ABBREVIATIONS = frozenset({"k", "m", "b", "mm"})


def scale_from_header(column: str) -> Scale | None:
    """The unit written in a column header, or ``None`` when the header writes none.

    Read from, in turn: the bracketed parts ("金额（亿元）", "人口(万人)", "Amount ($
    thousands)"; every bracket is tried, and all those that are units must agree), the text
    after the last comma or colon ("Population, thousands", "单位：万元"), the text after the
    last " in " ("Amount in USD millions"). The header itself is never read as a unit.
    Within a header a bare number counts only when it is a power of ten of at least 10 or is
    written "x1000"/"×10000" ("Population (2020)" has no unit), and k, m, b or mm only next
    to a currency ("$m", "USD mm"): "Length (m)" is metres and "(mm)" millimetres as often as
    thousands or millions.
    """
    if not isinstance(column, str):
        return None
    text = unicodedata.normalize("NFKC", column).strip()
    parts = [a or b for a, b in _BRACKETED.findall(text)]
    found = {s for s in (_header_part(p) for p in parts) if s is not None}
    if len({(s.factor, s.base, s.currency) for s in found}) == 1:
        return min(found, key=lambda s: len(s.text))
    if found:
        return None                           # two brackets with different units
    outside = _BRACKETED.sub(" ", text)
    for sep in (r"[,;:：，]", r"\s+in\s+"):
        pieces = re.split(sep, outside, flags=re.IGNORECASE)
        if len(pieces) > 1:
            s = _header_part(pieces[-1])
            if s is not None:
                return s
    return None


def _header_part(part: str) -> Scale | None:
    s = parse_scale(part)
    if s is None:
        return None
    t = _normalise(part)
    if s.base == "" and _is_number_text(t):
        if not re.fullmatch(r"[x×*].*", t.strip()) and not _power_of_ten(s.factor):
            return None
    if s.base != CURRENCY and t in _BARE_ABBREVIATIONS:
        return None
    return s


def _power_of_ten(f: float) -> bool:
    return f >= 10 and float(10 ** round(math.log10(f))) == f


# --------------------------------------------------------------------------- unit columns

def scale_by_row(values: pd.Series, units: pd.Series, *, base: str | None = None,
                 currency: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers whose unit is given row by row (a unit column): ``(scaled values, reason)``.

    ``values`` are numbers (as :func:`geodata.readers.numbers.parse_numbers` returns them);
    each distinct unit text is parsed once. ``reason`` is a key of :data:`SCALE_REASONS` per
    row whose unit cannot be used, ``<NA>`` elsewhere; the value is NaN there. A row without
    a value gets no reason (the blank value is reported as such). A blank unit
    is refused (``blank_unit``), never read as 1. With ``base`` ("currency" or "persons") a
    unit of the other kind is refused (``wrong_base``); a plain multiplier (万, thousands)
    fits either. With ``currency`` a unit naming another currency is refused
    (``other_currency``); "$" and 元-less multipliers name none and are kept.
    """
    text = units.astype("string").str.strip()
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    factors = np.empty(len(uniques) + 1, dtype="float64")
    reasons = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(list(uniques) + [None]):
        factors[i], reasons[i] = _unit_factor(u, base, currency)
    codes = np.where(codes < 0, len(uniques), codes)
    nums = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    reason = pd.Series(reasons[codes], index=values.index, dtype="string")
    reason = reason.where(~np.isnan(nums))
    scaled = pd.Series(nums * factors[codes], index=values.index, dtype="float64")
    return scaled, reason


def _unit_factor(unit: str | None, base: str | None,
                 currency: str | None) -> tuple[float, object]:
    if unit is None or pd.isna(unit) or unit.strip().lower() in BLANK:
        return np.nan, "blank_unit"
    s = parse_scale(unit)
    if s is None:
        return np.nan, "unknown_unit"
    if base and s.base and s.base != base:
        return np.nan, "wrong_base"
    if currency and s.currency and s.currency != currency.upper():
        return np.nan, "other_currency"
    return s.factor, pd.NA
