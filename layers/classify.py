"""Classification of map values into colour classes.

Pure functions (numpy/pandas/mapclassify only). ``classify`` puts each region's
value into a class; ``colours_for`` and ``legend_entries`` turn a
``Classification`` into fill colours and a legend. Non-finite values (NaN, +/-inf)
are never classified: they get class id ``-1`` ("No data").

Classes are closed on the right: class ``i`` holds values ``v`` with
``bins[i-1] < v <= bins[i]`` (class 0 holds everything ``<= bins[0]``), and the legend
labels say so ("Over 150B to 310B", :meth:`Classification.labels`). Numbers are formatted by
:func:`layers.numbers.format_number` (importable from here too), in the reader's language.
"""

from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

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
    "classify",
    "colours_for",
    "fixed_breaks_across",
    "format_number",
    "legend_entries",
    "scheme_names",
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

    def labels(self, fmt: Callable[[float], str] = format_number) -> list[str]:
        """One label per class, formatted with ``fmt``, in the reader's language.

        Classes are closed on the right, and the labels say so the way tax brackets do:
        the first class reads "1.2B to 150B" (it holds both ends), every later class
        "Over 150B to 310B" (it holds 310B, not 150B), a top class above the last given
        break "Over 310B"; a first class without a known lower end "Up to 150B", and a
        class of one value that value. Chinese: "12亿至1500亿", "超过1500亿至3100亿",
        "超过3100亿", "不超过1500亿".
        """
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


@dataclass(frozen=True)
class SchemeInfo:
    name: str
    description: str
    uses_k: bool
    needs_breaks: bool
    uses_centre: bool
    func: Callable[..., _Bins]


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
) -> Classification:
    """Classify ``values`` (index = region ids) with a named scheme.

    ``k`` is the requested number of classes; data-driven schemes return fewer
    when there are fewer distinct values. ``user_defined`` ignores ``k`` and
    uses ``breaks`` (upper bounds; values above the last one go to an extra top
    class). ``diverging`` uses ``centre`` (default 0) and always keeps ``k``
    classes so colours stay symmetric. Non-numeric, NaN and infinite values get
    class id -1. No finite values -> ``k == 0`` (except ``user_defined``, whose
    classes come from the breaks).
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
        result = info.func(v, k_wanted, n_distinct, breaks=breaks, centre=centre)

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
    )


def fixed_breaks_across(
    values_by_frame: Mapping[Any, Any],
    scheme: str,
    k: int,
    *,
    centre: float | None = None,
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
    result = classify(pd.Series(union), scheme, k, centre=centre)
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
