"""Classification of map values into colour classes.

Pure functions (numpy/pandas/mapclassify only). ``classify`` puts each region's
value into a class; ``colours_for`` and ``legend_entries`` turn a
``Classification`` into fill colours and a legend. Non-finite values (NaN, +/-inf)
are never classified: they get class id ``-1`` ("No data").

Classes are closed on the right: class ``i`` holds values ``v`` with
``bins[i-1] < v <= bins[i]`` (class 0 holds everything ``<= bins[0]``), and the legend
labels say so ("Over 150B to 310B", :meth:`Classification.labels`). Numbers are formatted by
:func:`layers.numbers.format_number` (importable from here too), in the reader's language.

Three schemes keep far-out values in classes of their own, so that one region no longer
flattens every other class: ``box_map`` (low outliers, the four quarters, upper outliers:
mapclassify's ``BoxPlot``), ``percentiles`` (breaks at the 1st, 10th, 50th, 90th and 99th
percentiles) and ``head_tail`` (head/tail breaks, for heavy-tailed values). They name their
own classes ("Upper outliers (over $41,000)"). Money (a currency code, or a rate of one, given
as ``unit``) is classified by ``box_map`` and ``head_tail`` on the log scale when its values
above zero span two orders of magnitude and few are zero or negative (:func:`use_log_scale`,
the rule of :mod:`analysis.outliers`); the breaks are given back in the values' own units.
"""

from __future__ import annotations

import math
import re
import threading
import warnings
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from layers.numbers import format_number, no_data
from layers.palettes import (
    MAX_CLASSES,
    MIN_CLASSES,
    NO_DATA_COLOUR,
    get_palette,
)
from locales import N_, t

__all__ = [
    "Classification",
    "LegendEntry",
    "NO_CLASS",
    "SCHEMES",
    "SchemeInfo",
    "box_map_bins",
    "classify",
    "classify_into",
    "colours_for",
    "fixed_breaks_across",
    "format_number",
    "head_tail_bins",
    "is_money_unit",
    "legend_entries",
    "percentile_bins",
    "scheme_names",
    "use_log_scale",
]

#: Class id given to regions whose value is missing or not finite.
NO_CLASS = -1

#: Seed used for natural breaks (k-means has random starts).
NATURAL_BREAKS_SEED = 20240601
#: Largest sample handed to the pure-Python Fisher-Jenks algorithm.
FISHER_JENKS_SAMPLE_SIZE = 300


# ---------------------------------------------------------------------------
# Classification result
# ---------------------------------------------------------------------------

#: Legend labels of classes (see :meth:`Classification.labels`).
FIRST_RANGE = N_("{low} to {high}")
RANGE = N_("Over {low} to {high}")
OVER = N_("Over {low}")
UP_TO = N_("Up to {high}")


@dataclass(frozen=True, eq=False)
class Classification:
    """Result of ``classify``.

    ``bins`` are the upper bounds of the ``k`` classes and ``lower`` the lower
    bound of the first class (the minimum finite value; for ``diverging`` the
    bottom of the symmetric range). ``open_top`` is True when the last class
    holds values above the last user-defined break. ``class_ids`` is aligned
    to the input index, with ``-1`` for no data.
    """

    scheme: str
    k: int
    bins: tuple[float, ...]
    lower: float
    class_ids: pd.Series
    counts: tuple[int, ...]
    no_data_count: int
    open_top: bool = False
    centre: float | None = None
    #: the scheme's parameters (box map: the hinge; percentiles: the percentiles)
    params: tuple[float, ...] = ()
    #: True when the breaks were found on the log scale (money, see :func:`use_log_scale`)
    log: bool = False

    def labels(self, fmt: Callable[[float], str] = format_number) -> list[str]:
        """One label per class, formatted with ``fmt``, in the reader's language.

        A scheme that names its own classes (``SchemeInfo.labels``: box map, percentiles)
        labels them its way ("Upper outliers (over $41,000)"); the others as follows.

        Classes are closed on the right, and the labels say so the way tax brackets do:
        the first class reads "1.2B to 150B" (it holds both ends), every later class
        "Over 150B to 310B" (it holds 310B, not 150B), a top class above the last given
        break "Over 310B"; a first class without a known lower end "Up to 150B", and a
        class of one value that value. Chinese: "12亿至1500亿", "超过1500亿至3100亿",
        "超过3100亿", "不超过1500亿".
        """
        info = SCHEMES.get(self.scheme)
        if info is not None and info.labels is not None and self.k == len(self.bins) \
                and self.k:
            return info.labels(self.bins, self.lower, self.params, fmt)
        out: list[str] = []
        for i, hi in enumerate(self.bins):
            if self.open_top and i == self.k - 1 and i > 0:
                out.append(t(OVER, low=fmt(self.bins[i - 1])))
                continue
            lo = self.lower if i == 0 else self.bins[i - 1]
            if i == 0 and not (math.isfinite(lo) and lo <= hi):
                out.append(t(UP_TO, high=fmt(hi)))
            elif lo == hi:
                out.append(fmt(hi))
            elif i == 0:
                out.append(t(FIRST_RANGE, low=fmt(lo), high=fmt(hi)))
            else:
                out.append(t(RANGE, low=fmt(lo), high=fmt(hi)))
        return out


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    count: int
    class_id: int


# ---------------------------------------------------------------------------
# Schemes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bins:
    bins: tuple[float, ...]
    lower: float
    open_top: bool = False
    centre: float | None = None
    params: tuple[float, ...] = ()
    log: bool = False


_EMPTY = _Bins(bins=(), lower=math.nan)


def _finish(bins: np.ndarray, vmin: float, vmax: float) -> _Bins:
    """Dedupe data-driven bins and pin the last one to the maximum."""
    bins = np.unique(np.asarray(bins, dtype=float))
    bins = bins[bins < vmax]
    return _Bins(bins=tuple(float(b) for b in bins) + (float(vmax),), lower=float(vmin))


def _quantiles(v: np.ndarray, k: int, n_distinct: int, **_: Any) -> _Bins:
    k = min(k, n_distinct)
    # "inverted_cdf" returns observed values, so every bin holds at least its
    # own upper bound: after deduplication no class can be empty.
    q = np.arange(1, k + 1) / k
    return _finish(np.quantile(v, q, method="inverted_cdf"), v[0], v[-1])


def _equal_interval(v: np.ndarray, k: int, n_distinct: int, **_: Any) -> _Bins:
    k = min(k, n_distinct)
    vmin, vmax = v[0], v[-1]
    width = (vmax - vmin) / k
    return _finish(vmin + width * np.arange(1, k + 1), vmin, vmax)


_RNG_LOCK = threading.Lock()


def _with_global_seed(func: Callable[[], Any]) -> Any:
    """Run ``func`` with numpy's global RNG seeded, then restore its state.

    mapclassify's NaturalBreaks (sklearn KMeans, random_state=None) and
    FisherJenksSampled draw from the global RNG and take no seed argument.
    """
    with _RNG_LOCK:
        state = np.random.get_state()
        np.random.seed(NATURAL_BREAKS_SEED)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return func()
        finally:
            np.random.set_state(state)


def _natural_breaks(v: np.ndarray, k: int, n_distinct: int, **_: Any) -> _Bins:
    import mapclassify

    k = min(k, n_distinct)
    if k < 2:
        return _finish(np.array([v[-1]]), v[0], v[-1])
    result = _with_global_seed(lambda: mapclassify.NaturalBreaks(v, k=k, initial=10))
    return _finish(result.bins, v[0], v[-1])


def _fisher_jenks_sampled(v: np.ndarray, k: int, n_distinct: int, **_: Any) -> _Bins:
    import mapclassify

    # Deterministic sample: evenly spaced order statistics (min and max kept).
    # mapclassify's own FisherJenksSampled samples randomly and up to 1,000
    # values, which is slow without numba.
    if v.size > FISHER_JENKS_SAMPLE_SIZE:
        idx = np.unique(np.round(np.linspace(0, v.size - 1, FISHER_JENKS_SAMPLE_SIZE)))
        sample = v[idx.astype(int)]
    else:
        sample = v
    k = min(k, np.unique(sample).size)
    if k < 2:
        return _finish(np.array([v[-1]]), v[0], v[-1])
    result = _with_global_seed(lambda: mapclassify.FisherJenks(sample, k=k))
    return _finish(result.bins, v[0], v[-1])


def _clean_breaks(breaks: Any) -> np.ndarray:
    if breaks is None:
        raise ValueError("scheme 'user_defined' needs breaks=[...]")
    try:
        arr = np.asarray(list(breaks), dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"breaks must be numbers; got {breaks!r}") from exc
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"breaks must be one or more finite numbers; got {breaks!r}")
    return np.unique(arr)


def _user_defined(v: np.ndarray, k: int, n_distinct: int, *, breaks: Any, **_: Any) -> _Bins:
    arr = _clean_breaks(breaks)
    bins = tuple(float(b) for b in arr)
    lower = float(v[0]) if v.size else math.nan
    if v.size and v[-1] > bins[-1]:
        return _Bins(bins=bins + (float(v[-1]),), lower=lower, open_top=True)
    return _Bins(bins=bins, lower=lower)


def _diverging(v: np.ndarray, k: int, n_distinct: int, *, centre: Any, **_: Any) -> _Bins:
    c = 0.0 if centre is None else float(centre)
    if not math.isfinite(c):
        raise ValueError(f"centre must be a finite number; got {centre!r}")
    half = max(v[-1] - c, c - v[0])
    if half <= 0:
        return _Bins(bins=(c,), lower=c, centre=c)
    # Equal-width classes over [c - half, c + half]: k // 2 classes on each
    # side of the centre; with an odd k the middle class straddles the centre.
    # Every class is kept (even empty ones) so colours keep their meaning.
    edges = c + half * (2.0 * np.arange(1, k + 1) / k - 1.0)
    if k % 2 == 0:
        edges[k // 2 - 1] = c
    edges[-1] = max(edges[-1], v[-1])
    lower = min(c - half, float(v[0]))
    return _Bins(bins=tuple(float(e) for e in edges), lower=lower, centre=c)


# ---------------------------------------------------------------------------
# Schemes that keep outliers apart. The *_bins functions take sorted finite values (on the
# scale they are classified on) and return (bins, lower): upper bounds, closed on the right,
# and the lower end of the first class. The schemes run them on the log scale for money.
# ---------------------------------------------------------------------------

#: Ratio of the largest to the smallest value from which money goes on a log scale (two orders
#: of magnitude).
LOG_SPAN = 100.0
#: Largest share of values at or below zero with which money still goes on a log scale.
LOG_MAX_NONPOSITIVE = 0.05
#: Default percentiles of the ``percentiles`` scheme (GeoDa's percentile map).
DEFAULT_PCT = (1.0, 10.0, 50.0, 90.0, 99.0, 100.0)
#: Tukey's hinge of the box map's outlier classes.
BOX_HINGE = 1.5

_MONEY = re.compile(r"^[A-Z]{3}(?:\s+per\s+\S.*)?$")


def is_money_unit(unit: str | None) -> bool:
    """An ISO 4217 code ("USD") or a rate of one ("USD per resident", "USD per mile")."""
    return bool(unit) and _MONEY.match(str(unit).strip()) is not None


def use_log_scale(values: Any, unit: str | None) -> bool:
    """Money goes on the log scale when its values above zero span two orders of magnitude
    (the largest at least :data:`LOG_SPAN` times the smallest) and at most
    :data:`LOG_MAX_NONPOSITIVE` of the values are zero or negative (a few refunds or
    deobligations; they are left out of an outlier rule and counted, and fall in a map's lowest
    class). Non-finite values are not looked at."""
    v = _as_float_series(values).to_numpy()
    v = v[np.isfinite(v)]
    if not is_money_unit(unit) or v.size == 0:
        return False
    pos = v[v > 0]
    if pos.size < 2 or v.size - pos.size > LOG_MAX_NONPOSITIVE * v.size:
        return False
    return bool(pos.max() / pos.min() >= LOG_SPAN)


def box_map_bins(v: np.ndarray, k: int = 6, n_distinct: int = 0, *, hinge: float = BOX_HINGE,
                 **_: object) -> tuple[tuple[float, ...], float]:
    """Six classes of mapclassify's ``BoxPlot``: low outliers (up to Q1 − hinge·IQR), the four
    quarters, upper outliers (over Q3 + hinge·IQR). The upper-outlier class is kept, empty, when
    no value is above the fence, so that colours keep their meaning (its bound is then the
    fence again: the only scheme whose last two bins may be equal)."""
    import mapclassify

    box = mapclassify.BoxPlot(np.asarray(v, dtype=float), hinge=hinge)
    b = [float(x) for x in box.bins]
    vmax = float(np.max(v))
    if len(b) == 5:             # no upper outliers: the last bin is the fence itself
        b.append(max(b[-1], vmax))
    return tuple(b), float(np.min(v))


def percentile_bins(v: np.ndarray, k: int = 6, n_distinct: int = 0, *,
                    pct: Sequence[float] = DEFAULT_PCT, **_: object
                    ) -> tuple[tuple[float, ...], float]:
    """mapclassify's ``Percentiles``: class i holds values up to the pct[i]-th percentile."""
    import mapclassify

    p = mapclassify.Percentiles(np.asarray(v, dtype=float), pct=list(pct))
    return tuple(float(x) for x in p.bins), float(np.min(v))


def head_tail_bins(v: np.ndarray, k: int = 0, n_distinct: int = 0, **_: object
                   ) -> tuple[tuple[float, ...], float]:
    """mapclassify's ``HeadTailBreaks``: breaks at the mean, then at the mean of the values
    above it, and so on while the head keeps more than one distinct value (Jiang 2013)."""
    import mapclassify

    h = mapclassify.HeadTailBreaks(np.asarray(v, dtype=float))
    bins = [float(x) for x in h.bins]
    vmax = float(np.max(v))
    if bins[-1] < vmax:
        bins.append(vmax)
    return tuple(bins), float(np.min(v))


def _snap(bins: Sequence[float], v: np.ndarray) -> tuple[float, ...]:
    """Breaks brought back from the log scale onto the value they were computed from, where
    exp(log(x)) is not exactly x: a value that is a break stays in its class."""
    out = []
    for b in bins:
        i = int(np.clip(np.searchsorted(v, b), 0, v.size - 1))
        near = [v[j] for j in (i - 1, i) if 0 <= j < v.size]
        hit = min(near, key=lambda x: abs(x - b))
        out.append(float(hit) if abs(hit - b) <= 1e-9 * max(abs(b), 1e-300) else float(b))
    return tuple(out)


def _on_scale(binner: Callable[..., tuple[tuple[float, ...], float]], v: np.ndarray,
              unit: str | None, params: tuple[float, ...], **kw: Any) -> _Bins:
    """Run ``binner`` on the values, on the log scale for money (:func:`use_log_scale`)."""
    if v.size == 0:
        return _EMPTY
    log = use_log_scale(v, unit)
    if log:     # the breaks come from the values above zero; any others join the lowest class
        pos = v[v > 0]
        bins, _ = binner(np.log(pos), **kw)
        bins = _snap(tuple(float(np.exp(b)) for b in bins), pos)
        lower = float(v[0])
    else:
        bins, lower = binner(v, **kw)
    bins = tuple(bins[:-1]) + (max(float(bins[-1]), float(v[-1])),)
    return _Bins(bins=tuple(float(b) for b in bins), lower=float(lower), params=params, log=log)


def _box_map(v: np.ndarray, k: int, n_distinct: int, *, unit: str | None = None,
             **_: Any) -> _Bins:
    return _on_scale(box_map_bins, v, unit, (BOX_HINGE,), hinge=BOX_HINGE)


def _percentiles(v: np.ndarray, k: int, n_distinct: int, **_: Any) -> _Bins:
    # percentiles keep their meaning on any monotone scale: no log needed
    return _on_scale(percentile_bins, v, None, DEFAULT_PCT, pct=DEFAULT_PCT)


def _head_tail(v: np.ndarray, k: int, n_distinct: int, *, unit: str | None = None,
               **_: Any) -> _Bins:
    return _on_scale(head_tail_bins, v, unit, ())


# Legend labels of the schemes that name their classes (the English text is the message id).
LOW_OUTLIERS = N_("Low outliers (up to {high})")
UPPER_OUTLIERS = N_("Upper outliers (over {low})")
BOX_QUARTERS = (
    N_("Below 25% (over {low} to {high})"),
    N_("25%–50% (over {low} to {high})"),
    N_("50%–75% (over {low} to {high})"),
    N_("Above 75% (over {low} to {high})"),
)
FIRST_QUARTER_NO_OUTLIERS = N_("Below 25% ({low} to {high})")
PCT_FIRST = N_("Lowest {p}% (up to {high})")
PCT_MIDDLE = N_("Percentiles {p_low} to {p_high} (over {low} to {high})")
PCT_TOP = N_("Top {p}% (over {low})")


def box_map_labels(bins: Sequence[float], lower: float, params: Sequence[float],
                   fmt: Callable[[float], str] = format_number) -> list[str]:
    """The six classes of a box map, named: "Low outliers (up to …)", the four quarters,
    "Upper outliers (over …)"."""
    out = [t(LOW_OUTLIERS, high=fmt(bins[0]))]
    for i, msg in enumerate(BOX_QUARTERS, start=1):
        if i == 1 and not lower <= bins[0]:
            # no low outliers: the fence may lie below every value (even below zero)
            out.append(t(FIRST_QUARTER_NO_OUTLIERS, low=fmt(lower), high=fmt(bins[1])))
        else:
            out.append(t(msg, low=fmt(bins[i - 1]), high=fmt(bins[i])))
    out.append(t(UPPER_OUTLIERS, low=fmt(bins[4])))
    return out


def percentile_labels(bins: Sequence[float], lower: float, params: Sequence[float],
                      fmt: Callable[[float], str] = format_number) -> list[str]:
    """The classes of percentile breaks: "Lowest 1% (up to …)", "Percentiles 1 to 10 (…)",
    "Top 1% (over …)"."""
    pct = tuple(params) or DEFAULT_PCT
    out = []
    for i, hi in enumerate(bins):
        if i == 0:
            out.append(t(PCT_FIRST, p=f"{pct[0]:g}", high=fmt(hi)))
        elif i == len(bins) - 1 and pct[i] == 100:
            out.append(t(PCT_TOP, p=f"{100 - pct[i - 1]:g}", low=fmt(bins[i - 1])))
        else:
            out.append(t(PCT_MIDDLE, p_low=f"{pct[i - 1]:g}", p_high=f"{pct[i]:g}",
                         low=fmt(bins[i - 1]), high=fmt(hi)))
    return out


@dataclass(frozen=True)
class SchemeInfo:
    name: str
    description: str
    uses_k: bool
    needs_breaks: bool
    uses_centre: bool
    func: Callable[..., _Bins]
    #: names the classes itself: ``labels(bins, lower, params, fmt) -> [label per class]``
    #: (None: the ranges of :meth:`Classification.labels`)
    labels: Callable[..., list[str]] | None = None


SCHEMES: Mapping[str, SchemeInfo] = MappingProxyType(
    {
        s.name: s
        for s in (
            SchemeInfo(
                "quantiles", N_("Equal counts per class (ties merged)"), True, False, False,
                _quantiles,
            ),
            SchemeInfo(
                "equal_interval", N_("Equal-width classes from min to max"), True, False, False,
                _equal_interval,
            ),
            SchemeInfo(
                "natural_breaks", N_("Natural breaks (1-D k-means, seeded)"), True, False, False,
                _natural_breaks,
            ),
            SchemeInfo(
                "fisher_jenks_sampled",
                N_("Fisher-Jenks on at most 300 evenly spaced values"),
                True, False, False, _fisher_jenks_sampled,
            ),
            SchemeInfo(
                "user_defined", N_("Given upper bounds; values above the last get an extra class"),
                False, True, False, _user_defined,
            ),
            SchemeInfo(
                "diverging", N_("Equal-width classes symmetric around a centre value"), True, False,
                True, _diverging,
            ),
            SchemeInfo(
                "box_map",
                N_("Box map: low outliers (below Q1 − 1.5 × IQR), the four quarters, upper "
                   "outliers (above Q3 + 1.5 × IQR); money spread over two orders of "
                   "magnitude on the log scale"),
                False, False, False, _box_map, box_map_labels,
            ),
            SchemeInfo(
                "percentiles",
                N_("Percentile classes: the lowest 1%, 1–10%, 10–50%, 50–90%, 90–99%, the top "
                   "1%"),
                False, False, False, _percentiles, percentile_labels,
            ),
            SchemeInfo(
                "head_tail",
                N_("Head/tail breaks for heavy-tailed values: a break at the mean, then at the "
                   "mean of the values above it, and so on; money spread over two orders of "
                   "magnitude on the log scale"),
                False, False, False, _head_tail,
            ),
        )
    }
)


def scheme_names() -> list[str]:
    return list(SCHEMES)


def _scheme(name: str) -> SchemeInfo:
    info = SCHEMES.get(name) if isinstance(name, str) else None
    if info is None:
        raise ValueError(
            f"Unknown classification scheme {name!r}; valid schemes: {', '.join(SCHEMES)}"
        )
    return info


def _as_float_series(values: Any) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    numeric = pd.to_numeric(series, errors="coerce")
    return pd.Series(
        numeric.to_numpy(dtype=float, na_value=np.nan), index=series.index, name=series.name
    )


def classify(
    values: pd.Series,
    scheme: str,
    k: int,
    *,
    breaks: Any = None,
    centre: float | None = None,
    unit: str | None = None,
) -> Classification:
    """Classify ``values`` (index = region ids) with a named scheme.

    ``k`` is the requested number of classes; data-driven schemes return fewer
    when there are fewer distinct values. ``user_defined`` ignores ``k`` and
    uses ``breaks`` (upper bounds; values above the last one go to an extra top
    class). ``diverging`` uses ``centre`` (default 0) and always keeps ``k``
    classes so colours stay symmetric. Non-numeric, NaN and infinite values get
    class id -1. No finite values -> ``k == 0`` (except ``user_defined``, whose
    classes come from the breaks). ``unit`` lets ``box_map`` and ``head_tail`` put money on
    the log scale (see the module); the other schemes ignore it.
    """
    info = _scheme(scheme)
    if info.uses_k and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise ValueError(f"k must be a positive integer; got {k!r}")
    series = _as_float_series(values)
    arr = series.to_numpy()
    finite = np.isfinite(arr)
    v = np.sort(arr[finite])
    n_distinct = int(np.unique(v).size)

    if v.size == 0 and info.name != "user_defined":
        result = _EMPTY
    else:
        k_wanted = int(k) if info.uses_k else 0
        result = info.func(v, k_wanted, n_distinct, breaks=breaks, centre=centre, unit=unit)

    bins = np.asarray(result.bins, dtype=float)
    ids = np.full(arr.shape, NO_CLASS, dtype=np.int64)
    if bins.size:
        ids[finite] = np.minimum(np.searchsorted(bins, arr[finite], side="left"), bins.size - 1)
    counts: tuple[int, ...] = ()
    if bins.size:
        counts = tuple(int(c) for c in np.bincount(ids[finite], minlength=bins.size))
    return Classification(
        scheme=info.name,
        k=int(bins.size),
        bins=result.bins,
        lower=float(result.lower),
        class_ids=pd.Series(ids, index=series.index, name=series.name),
        counts=counts,
        no_data_count=int((~finite).sum()),
        open_top=result.open_top,
        centre=result.centre,
        params=result.params,
        log=result.log,
    )


def classify_into(values: pd.Series, classes: Classification) -> Classification:
    """``values`` put in the classes of another classification (of a pooled span of years,
    say): the same bins, lower end, scheme and labels; the counts are these values'. A value
    above the last bin goes to the top class, one below the first to the first."""
    series = _as_float_series(values)
    arr = series.to_numpy()
    finite = np.isfinite(arr)
    bins = np.asarray(classes.bins, dtype=float)
    ids = np.full(arr.shape, NO_CLASS, dtype=np.int64)
    counts: tuple[int, ...] = ()
    if bins.size:
        ids[finite] = np.minimum(np.searchsorted(bins, arr[finite], side="left"), bins.size - 1)
        counts = tuple(int(c) for c in np.bincount(ids[finite], minlength=bins.size))
    return replace(classes, class_ids=pd.Series(ids, index=series.index, name=series.name),
                   counts=counts, no_data_count=int((~finite).sum()))


def fixed_breaks_across(
    values_by_frame: Mapping[Any, Any],
    scheme: str,
    k: int,
    *,
    centre: float | None = None,
    unit: str | None = None,
) -> tuple[float, ...]:
    """One set of breaks from the union of several frames' values.

    Pass the result as ``classify(frame, "user_defined", k, breaks=...)`` for
    every frame so that each colour means the same range in all frames (the
    last break is the overall maximum, so no frame gets an extra top class).
    Raises ValueError when no frame has a finite value.
    """
    if _scheme(scheme).needs_breaks:
        raise ValueError("fixed_breaks_across needs a data-driven scheme, not 'user_defined'")
    parts = [_as_float_series(v).to_numpy() for v in values_by_frame.values()]
    union = np.concatenate(parts) if parts else np.array([], dtype=float)
    result = classify(pd.Series(union), scheme, k, centre=centre, unit=unit)
    if result.k == 0:
        raise ValueError("no finite values in any frame; cannot compute breaks")
    return result.bins


# ---------------------------------------------------------------------------
# Colours and legend
# ---------------------------------------------------------------------------


def _interpolate(colours: list[str], n: int) -> list[str]:
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=float)
    pos = np.linspace(0, len(colours) - 1, n)
    out = []
    for p in pos:
        lo = int(math.floor(p))
        hi = min(lo + 1, len(colours) - 1)
        mix = rgb[lo] + (rgb[hi] - rgb[lo]) * (p - lo)
        out.append("#" + "".join(f"{int(round(c)):02x}" for c in mix))
    return out


def _class_colours(palette_name: str, k: int, reverse: bool) -> list[str]:
    """``k`` colours for ``k`` classes; fewer than 3 or more than 9 handled."""
    if k <= 0:
        get_palette(palette_name, MIN_CLASSES)  # still validate the name
        return []
    if MIN_CLASSES <= k <= MAX_CLASSES:
        return get_palette(palette_name, k, reverse=reverse)
    if k < MIN_CLASSES:
        base = get_palette(palette_name, MIN_CLASSES, reverse=reverse)
        return [base[1]] if k == 1 else [base[0], base[-1]]
    return _interpolate(get_palette(palette_name, MAX_CLASSES, reverse=reverse), k)


def colours_for(
    classification: Classification, palette_name: str, *, reverse: bool = False
) -> pd.Series:
    """Hex fill colour per region (``NO_DATA_COLOUR`` for class -1)."""
    colours = np.array(
        _class_colours(palette_name, classification.k, reverse) + [NO_DATA_COLOUR], dtype=object
    )
    ids = classification.class_ids.to_numpy()
    # class -1 indexes the trailing NO_DATA_COLOUR
    return pd.Series(
        colours[ids].tolist(),
        index=classification.class_ids.index,
        name=classification.class_ids.name,
        dtype=object,
    )


def legend_entries(
    classification: Classification,
    palette_name: str,
    fmt: Callable[[float], str] = format_number,
    *,
    reverse: bool = False,
) -> list[LegendEntry]:
    """Legend rows, lowest class first, with a "No data" row always last."""
    colours = _class_colours(palette_name, classification.k, reverse)
    entries = [
        LegendEntry(label=label, colour=colour, count=count, class_id=i)
        for i, (label, colour, count) in enumerate(
            zip(classification.labels(fmt), colours, classification.counts)
        )
    ]
    entries.append(
        LegendEntry(
            label=no_data(),
            colour=NO_DATA_COLOUR,
            count=classification.no_data_count,
            class_id=NO_CLASS,
        )
    )
    return entries
