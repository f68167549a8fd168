"""The app's number texts for many regions at once: the same texts as
:func:`layers.numbers.format_number` and :func:`layers.choropleth.rank_text` give value by
value ("one number everywhere"), made in one pass.

A map of 100,000 tracts formats 100,000 values, ranks and populations on every run; value by
value that takes the better part of a second, most of it deciding again for each value what
the unit and the language are. Here that is decided once, the magnitudes are sorted into
their cases with numpy, and only the digits are written value by value. The texts of the
last few sets of values are kept: a rerun that changes the classes or the colours, not the
values, finds them.
"""
from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import OrderedDict
from typing import Iterable

import numpy as np

from locales import t

from . import numbers as N

__all__ = ["format_numbers", "rank_texts", "count_texts"]

_NONZERO = re.compile(r"[1-9]")
_MARK = "\x00"
DASH = "—"


_KEPT: "OrderedDict[tuple, tuple[str, ...]]" = OrderedDict()
_KEEP = 8
_LOCK = threading.Lock()


def _kept(kind: str, a: np.ndarray, extra: tuple, make) -> list[str]:
    """``make()``, or its texts for the same values, kind, ``extra`` and language."""
    key = (kind, hashlib.blake2b(np.ascontiguousarray(a).tobytes(), digest_size=16).digest(),
           len(a), extra, N._lang())
    with _LOCK:
        hit = _KEPT.get(key)
        if hit is not None:
            _KEPT.move_to_end(key)
    if hit is None:
        hit = tuple(make())
        with _LOCK:
            _KEPT[key] = hit
            while len(_KEPT) > _KEEP:
                _KEPT.popitem(last=False)
    return list(hit)


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _around(template: str, **fields) -> tuple[str, str]:
    """What a translated message puts before and after its ``{amount}``/``{rank}``."""
    whole = t(template, **fields)
    before, _, after = whole.partition(_MARK)
    return before, after


def _magnitudes(a: np.ndarray, kind: str, compact: bool, lang: str) -> list[str]:
    """``layers.numbers._magnitude`` of each (finite, non-negative) value."""
    out: list[str] = [""] * len(a)
    todo = np.ones(len(a), dtype=bool)
    if compact:
        big = a >= N.COMPACT_FROM
        scales = np.array([s for s, _ in N._SCALES[lang]])
        suffix = [x for _, x in N._SCALES[lang]]
        which = np.clip(np.searchsorted(scales, a, side="right") - 1, 0, len(scales) - 1)
        m = a / scales[which]
        nxt = np.append(scales[1:], np.inf)[which]
        # a value that may round up to the next scale ("1,000M" is "1B") goes the long way
        edge = big & (m >= nxt / scales[which] - 0.5)
        for i in np.flatnonzero(edge).tolist():
            out[i] = N._compact(float(a[i]), lang)
        easy = big & ~edge
        for i, mi, w in zip(np.flatnonzero(easy).tolist(), m[easy].tolist(),
                            which[easy].tolist()):
            out[i] = (f"{mi:.1f}".rstrip("0").rstrip(".") if mi < 100 else f"{mi:,.0f}") \
                + suffix[w]
        todo &= ~big
    if kind == "currency":
        wide = todo & (a >= 1000)
        for i, x in zip(np.flatnonzero(wide).tolist(), a[wide].tolist()):
            out[i] = f"{x:,.0f}"
        for i, x in zip(np.flatnonzero(todo & ~wide).tolist(), a[todo & ~wide].tolist()):
            out[i] = f"{x:,.0f}" if round(x, 2) == round(x) else f"{x:,.2f}"
        return out
    for i, x in zip(np.flatnonzero(todo).tolist(), a[todo].tolist()):
        if x >= 1000:
            out[i] = f"{x:,.0f}"
        elif x >= 100:
            out[i] = _strip(f"{x:.1f}") if kind == "plain" else f"{x:.0f}"
        elif x >= 1:
            out[i] = _strip(f"{x:.2f}") if kind == "plain" else _strip(f"{x:.1f}")
        elif x == 0:
            out[i] = "0"
        else:
            out[i] = _strip(f"{x:.{N._small_decimals(x, 3 if kind == 'plain' else 2)}f}")
    return out


def format_numbers(values: Iterable, unit: str | None = None, *,
                   compact: bool = True) -> list[str]:
    """``[format_number(x, unit, compact=compact) for x in values]``, in one pass."""
    v = np.array([np.nan if x is None else x for x in values] if not isinstance(values, np.ndarray)
                 else values, dtype=np.float64)
    return _kept("n", v, ((unit or "").strip(), compact),
                 lambda: _format(v, unit, compact))


def _format(v: np.ndarray, unit: str | None, compact: bool) -> list[str]:
    lang = N._lang()
    unit = (unit or "").strip()
    rate = N._rate(unit)
    kind = "percent" if unit == "%" else \
        "currency" if (N._is_currency_code(unit) or rate) else "plain"
    finite = np.isfinite(v)
    out = [N.no_data()] * len(v)
    idx = np.flatnonzero(finite)
    if not len(idx):
        return out
    x = v[idx]
    texts = _magnitudes(np.abs(x), kind, compact, lang)
    negative = (x < 0).tolist()
    minus = [neg and bool(_NONZERO.search(s)) for neg, s in zip(negative, texts)]
    code = rate[0] if rate else unit
    if kind == "currency":
        if lang == "zh":
            word = N._ZH_CURRENCY.get(code)
            pre, post = "", (word if word else f" {code}")
        else:
            pre, post = ("$", "") if code == "USD" else ("", f" {code}")
        texts = [pre + s + post for s in texts]
    if rate:
        _, n, what = rate
        if n and what in N._PER_N_AMOUNT:
            before, after = _around(N._PER_N_AMOUNT[what], amount=_MARK, n=n)
        elif not n and what in N._PER_AMOUNT:
            before, after = _around(N._PER_AMOUNT[what], amount=_MARK)
        else:
            before, after = "", f" per {n + ' ' if n else ''}{what}"
        done = [before + (N._MINUS if m else "") + s + after for s, m in zip(texts, minus)]
    else:
        if kind == "percent":
            texts = [s + "%" for s in texts]
        elif kind == "plain" and unit:
            tail = unit if lang == "zh" and N._starts_cjk(unit) else " " + unit
            texts = [s + tail for s in texts]
        done = [(N._MINUS + s) if m else s for s, m in zip(texts, minus)]
    for i, s in zip(idx.tolist(), done):
        out[i] = s
    return out


def rank_texts(values) -> list[str]:
    """:func:`layers.choropleth.rank_text` of ``values`` (a pandas Series), in one pass:
    "12 of 3,100" (1 = the highest), "—" without a value."""
    v = np.asarray(values, dtype=np.float64)

    def make() -> list[str]:
        n = int(values.notna().sum())
        ranks = values.rank(ascending=False, method="min").to_numpy()
        before, after = _around("{rank} of {n}", rank=_MARK, n=f"{n:,}")
        return [before + f"{int(r):,}" + after if r == r else DASH for r in ranks.tolist()]

    return _kept("r", v, (), make)


def count_texts(values) -> list[str]:
    """Whole counts with thousands separators ("12,345"), "—" without one (the tooltip's
    population line)."""
    a = np.asarray(values, dtype=np.float64)
    return _kept("c", a, (), lambda: [f"{int(x):,}" if not math.isnan(x) else DASH
                                      for x in a.tolist()])
