"""Numbers and money as a reader reads them, in the language of the run (``locales.current()``).

:func:`format_number` is the one formatter of the app (``layers.classify.format_number`` is the
same function); :func:`unit_label` names a unit where a legend or a column header shows it.

English
    ``"$1.4T"``, ``"$14,407"``, ``"$12.50"``; other ISO 4217 codes follow the number
    (``"1.2M EUR"``); compact from a million up (M, B, T).

Chinese
    The unit word follows the number with no space: ``"14,407美元"``, ``"6,838元"``,
    ``"12.50美元"``; other codes follow with a space (``"1.2万 CHF"``). Compact, from the same
    threshold as English (a million: a figure is abbreviated in both languages or in neither),
    in 万 (10⁴), 亿 (10⁸) and 万亿 (10¹²): ``"123万美元"``, ``"1.4万亿元"``, ``"12.3亿"``.
    Below 100 of a scale one decimal is kept (``"1.4万亿"``, ``"12.3亿"``), from 100 up none
    (``"123万"``, ``"1,234亿"``).

Both languages
    Thousands separated by commas; percentages as ``"12.5%"``; a minus sign (U+2212) in front
    of negative numbers; ``None``, NaN and ±inf as "No data" in the reader's language. A rate
    unit ``"<code> per resident"`` (``"USD per 1,000 residents"``, ``"USD per mile"``) reads
    ``"$317.50 per resident"`` / ``"人均317.50美元"``. A unit from data (``"crashes"``,
    ``"人"``) follows the number as written: after a space, or directly when it starts with a
    Chinese character.
"""
from __future__ import annotations

import math
import re

from locales import N_, current, t

from .palettes import NO_DATA_LABEL

__all__ = ["format_number", "unit_label", "currency_name", "no_data"]

_MINUS = "\u2212"

#: Compact scales per language: (scale, suffix), smallest first. The first scale used is the
#: largest one not above the value; nothing is compacted below COMPACT_FROM.
_SCALES = {
    "en": ((1e6, "M"), (1e9, "B"), (1e12, "T")),
    "zh": ((1e4, "万"), (1e8, "亿"), (1e12, "万亿")),
}
COMPACT_FROM = 1e6

#: Currency codes with a word of their own in Chinese (written after the number).
_ZH_CURRENCY = {"USD": "美元", "CNY": "元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元",
                "HKD": "港元", "CAD": "加元", "AUD": "澳元", "MOP": "澳门元", "TWD": "新台币"}

# "<code> per resident", "<code> per 1,000 residents", "<code> per mile", …
_RATE = re.compile(r"^(?P<code>[A-Z]{3}) per (?:(?P<n>[\d,]+) )?(?P<what>\S.*)$")

#: The "per …" of a rate unit, for a number and for a unit label (English text is the id).
_PER_AMOUNT = {
    "resident": N_("{amount} per resident"),
    "mile": N_("{amount} per mile"),
    "km": N_("{amount} per km"),
}
_PER_N_AMOUNT = {"residents": N_("{amount} per {n} residents")}
_PER_UNIT = {
    "resident": N_("{currency} per resident"),
    "mile": N_("{currency} per mile"),
    "km": N_("{currency} per km"),
}
_PER_N_UNIT = {"residents": N_("{currency} per {n} residents")}


def no_data() -> str:
    """"No data" in the reader's language."""
    return t(NO_DATA_LABEL)


def _lang() -> str:
    lang = current()
    return lang if lang in _SCALES else "en"


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _small_decimals(a: float, significant: int) -> int:
    """Decimals needed to show ``significant`` digits of 0 < a < 1 (max 6)."""
    return min(6, significant - 1 - math.floor(math.log10(a)))


def _compact(a: float, lang: str) -> str | None:
    """``a`` (>= 0) as e.g. "1.2M" / "123万", or None below :data:`COMPACT_FROM`."""
    if a < COMPACT_FROM:
        return None
    scales = _SCALES[lang]
    i = max(j for j, (scale, _) in enumerate(scales) if a >= scale)
    while True:
        scale, suffix = scales[i]
        m = a / scale
        text = f"{m:.1f}" if m < 100 else f"{m:,.0f}"
        # 999.96M rounds to "1,000M": written as the next scale ("1B") when there is one
        if i + 1 < len(scales) and float(text.replace(",", "")) * scale >= scales[i + 1][0]:
            i += 1
            continue
        return _strip_zeros(text) + suffix


def _magnitude(a: float, kind: str, compact: bool, lang: str) -> str:
    """Format ``a`` >= 0 without sign or unit."""
    if compact:
        short = _compact(a, lang)
        if short is not None:
            return short
    if kind == "currency":
        if a >= 1000 or round(a, 2) == round(a):
            return f"{a:,.0f}"
        return f"{a:,.2f}"
    if a >= 1000:
        return f"{a:,.0f}"
    if a >= 100:
        return _strip_zeros(f"{a:.1f}") if kind == "plain" else f"{a:.0f}"
    if a >= 1:
        return _strip_zeros(f"{a:.2f}") if kind == "plain" else _strip_zeros(f"{a:.1f}")
    if a == 0:
        return "0"
    return _strip_zeros(f"{a:.{_small_decimals(a, 3 if kind == 'plain' else 2)}f}")


def _is_currency_code(unit: str) -> bool:
    return len(unit) == 3 and unit.isascii() and unit.isalpha() and unit.isupper()


def _starts_cjk(text: str) -> bool:
    return bool(text) and "\u2e80" <= text[0] <= "\u9fff"


def currency_name(code: str) -> str:
    """How a unit header names a currency: "USD" in English, "美元" in Chinese (the code
    itself for a currency without a Chinese word)."""
    return _ZH_CURRENCY.get(code, code) if _lang() == "zh" else code


def _money(text: str, code: str, lang: str) -> str:
    if lang == "zh":
        word = _ZH_CURRENCY.get(code)
        return f"{text}{word}" if word else f"{text} {code}"
    return "$" + text if code == "USD" else f"{text} {code}"


def _rate(unit: str):
    """(code, n, what) of a rate unit such as "USD per 1,000 residents", else None."""
    m = _RATE.match(unit)
    if not m:
        return None
    return m["code"], m["n"], m["what"].strip()


def format_number(x: float | None, unit: str | None = None, *, compact: bool = True) -> str:
    """Human-readable number for labels, tooltips, tables and exports, in the reader's
    language (see the module's rules).

    * ``unit="USD"`` → ``"$91,234"``, ``"$1.2M"``, ``"$12.50"`` (Chinese ``"91,234美元"``,
      ``"123万美元"``, ``"12.50美元"``); ``"CNY"`` in Chinese → ``"6,838元"``, ``"1.4万亿元"``;
      other ISO 4217 codes follow the number: ``"1.2M EUR"`` (``"120万欧元"``).
    * ``unit="%"`` (value already in percent) → ``"12.5%"``.
    * ``unit="USD per resident"`` → ``"$317.50 per resident"`` (``"人均317.50美元"``);
      ``"USD per 1,000 residents"`` → ``"$3.20 per 1,000 residents"``
      (``"每1,000人3.20美元"``).
    * any other unit is appended: ``"1,234 crashes"``; no unit → ``"1,234"``.
    * ``compact=True`` abbreviates from a million up (M, B, T; 万, 亿, 万亿);
      ``compact=False`` always writes the full number with thousands separators.
    * negative numbers get a minus sign (U+2212) in front: ``"\u2212$1.2M"``.
    * None, NaN and +/-inf → ``"No data"`` (``"无数据"``).
    """
    if x is None:
        return no_data()
    value = float(x)
    if not math.isfinite(value):
        return no_data()
    lang = _lang()
    unit = (unit or "").strip()
    rate = _rate(unit)
    if unit == "%":
        kind = "percent"
    elif _is_currency_code(unit) or rate:
        kind = "currency"
    else:
        kind = "plain"
    text = _magnitude(abs(value), kind, compact, lang)
    negative = value < 0 and any(ch in "123456789" for ch in text)
    if rate:
        code, n, what = rate
        amount = (_MINUS if negative else "") + _money(text, code, lang)
        if n and what in _PER_N_AMOUNT:
            return t(_PER_N_AMOUNT[what], amount=amount, n=n)
        if not n and what in _PER_AMOUNT:
            return t(_PER_AMOUNT[what], amount=amount)
        return f"{amount} per {n + ' ' if n else ''}{what}"
    if kind == "currency":
        text = _money(text, unit, lang)
    elif kind == "percent":
        text += "%"
    elif unit:
        text = f"{text}{unit}" if lang == "zh" and _starts_cjk(unit) else f"{text} {unit}"
    return (_MINUS + text) if negative else text


def unit_label(unit: str | None) -> str:
    """A unit as a legend title or a column header names it: ``"USD"`` (``"美元"``),
    ``"USD per resident"`` (``"美元/人"``), ``"%"``; a unit from data as written."""
    unit = (unit or "").strip()
    if _is_currency_code(unit):
        return currency_name(unit)
    rate = _rate(unit)
    if rate:
        code, n, what = rate
        currency = currency_name(code)
        if n and what in _PER_N_UNIT:
            return t(_PER_N_UNIT[what], currency=currency, n=n)
        if not n and what in _PER_UNIT:
            return t(_PER_UNIT[what], currency=currency)
    return unit
