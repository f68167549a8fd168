"""Which regions are out of line: robust outlier rules and class schemes that keep outliers apart.

:func:`flag_outliers` flags values far from the rest with one of two robust rules:

``"mad"``    median ± k · MAD, the median absolute deviation scaled by 1.4826 so that it
             estimates the standard deviation of normally distributed values
             (``scipy.stats.median_abs_deviation(scale="normal")``); how far out a value is, is its
             robust z-score (value − median) / scaled MAD. Default k = 3.5, the cut-off
             Iglewicz and Hoaglin recommend for this "modified z-score".
``"tukey"``  Tukey's fences Q1 − k · IQR and Q3 + k · IQR (quartiles interpolated linearly,
             numpy's default); how far out a value is, is its distance beyond the fence in IQRs.
             Default k = 1.5, Tukey's inner fence (3 is his "far out").

A value is an outlier when it lies strictly beyond the limit. Money is often skewed, so the rules
can work on the natural logarithm of the values: ``log=None`` uses the log scale when the unit is
money (an ISO 4217 code such as ``"USD"``, or a rate such as ``"USD per resident"``), its values
above zero span two orders of magnitude (the largest at least 100 times the smallest) and at most
5% of the values are zero or negative (:func:`layers.classify.use_log_scale`). On the log scale
values at or below zero cannot be placed: they are left out and counted in ``excluded`` (a box
map puts them in its lowest class). The fences are always given back in the original units.

:func:`box_map`, :func:`percentile_classes` and :func:`head_tail` are class schemes that keep
outliers in classes of their own (mapclassify's ``BoxPlot``, ``Percentiles`` and
``HeadTailBreaks``), so that one far-out region no longer flattens every other class. They are
the schemes ``box_map``, ``percentiles`` and ``head_tail`` of :mod:`layers.classify` (the bin
and label functions live there, and every map can use them); here they refuse what they cannot
classify, report what they left out and state their method. :meth:`OutlierClasses.
to_classification` gives a :class:`layers.classify.Classification` for their colours.

:func:`mark_outliers` flags the outliers of any map's values and marks them on its
:class:`layers.choropleth.ChoroplethView` (a thick dark outline, a legend row, a tooltip line
saying why); the rule comes as link text (:func:`parse_spec`: ``"mad"``, ``"mad:3.5"``,
``"tukey"``, ``"tukey:1.5"``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from layers.classify import (DEFAULT_PCT, LOG_SPAN, box_map_bins, head_tail_bins,
                             is_money_unit, percentile_bins, use_log_scale)
from layers.numbers import format_number
from locales import N_, t

from . import AnalysisError, Excluded, Reported

__all__ = [
    "DEFAULT_K",
    "DEFAULT_PCT",
    "Excluded",
    "LOG_SPAN",
    "MAD_SCALE",
    "MIN_VALUES",
    "Outlier",
    "OutlierClasses",
    "OutlierResult",
    "RULES",
    "box_map",
    "box_map_bins",
    "flag_outliers",
    "head_tail",
    "head_tail_bins",
    "is_money_unit",
    "mark_outliers",
    "parse_spec",
    "percentile_bins",
    "percentile_classes",
    "spec_text",
    "use_log_scale",
]

#: Rules of :func:`flag_outliers`.
RULES = ("mad", "tukey")
#: Default k per rule: Iglewicz & Hoaglin's 3.5 for the modified z-score, Tukey's 1.5.
DEFAULT_K = {"mad": 3.5, "tukey": 1.5}
#: 1 / Φ⁻¹(3/4): the scaled MAD estimates the standard deviation of normal values.
MAD_SCALE = 1.4826
#: Fewest values a rule or a scheme runs on: below five, quartiles and medians are the data.
MIN_VALUES = 5
#: Share of regions flagged from which the page hints that the values are skewed.
SKEWED_SHARE = 0.10


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------



@dataclass(frozen=True)
class Outlier:
    """One flagged region. ``score`` is signed (negative on the low side): the robust z-score
    for the MAD rule, the distance beyond the fence in IQRs for Tukey's rule."""

    id: str
    value: float
    side: str          # "high" | "low"
    score: float


@dataclass(frozen=True, eq=False)
class OutlierResult(Reported):
    """Result of :func:`flag_outliers`.

    ``low_fence`` and ``high_fence`` are in the original units (a value beyond them is flagged);
    ``centre`` is the median and ``spread`` the scaled MAD or the IQR, both on the scale the rule
    worked on (``log``). ``sides`` has "high", "low" or "" for every region the rule looked at.
    """

    rule: str
    k: float
    log: bool
    outliers: tuple[Outlier, ...]
    low_fence: float
    high_fence: float
    centre: float
    spread: float
    n: int
    sides: pd.Series
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = ()

    @property
    def n_high(self) -> int:
        return sum(o.side == "high" for o in self.outliers)

    @property
    def n_low(self) -> int:
        return sum(o.side == "low" for o in self.outliers)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.outliers)

    def scores(self, region_ids) -> pd.array:
        """How far out each of ``region_ids`` is (missing for a region not flagged): the
        ``outlier`` column of a map's data."""
        by_id = {o.id: o.score for o in self.outliers}
        return pd.array([by_id.get(str(r)) for r in region_ids], dtype="Float64")

    def score_label(self) -> str:
        """What ``Outlier.score`` measures, in the reader's language (a column header)."""
        return t(_SCORE_LABELS[self.rule])

    def table(self) -> pd.DataFrame:
        """One row per outlier, farthest out first: region_id, value, side, score."""
        return pd.DataFrame(
            [(o.id, o.value, o.side, o.score) for o in self.outliers],
            columns=["region_id", "value", "side", "score"],
        )


_SCORE_LABELS = {"mad": N_("Robust z-score"), "tukey": N_("IQRs beyond the fence")}


@dataclass(frozen=True, eq=False)
class OutlierClasses(Reported):
    """Result of :func:`box_map`, :func:`percentile_classes` and :func:`head_tail`.

    ``bins`` are the upper bounds of the classes (closed on the right, as in
    :mod:`layers.classify`), ``lower`` the smallest value classified; ``class_ids`` is aligned
    with the input, ``-1`` for no data and for values a log scale cannot hold.
    ``outlier_classes`` are the classes that hold outliers (box map: 0 and 5).
    """

    scheme: str
    bins: tuple[float, ...]
    lower: float
    class_ids: pd.Series
    counts: tuple[int, ...]
    no_data_count: int
    outlier_classes: tuple[int, ...]
    params: tuple[float, ...]
    log: bool
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = ()

    @property
    def k(self) -> int:
        return len(self.bins)

    def labels(self, fmt: Callable[[float], str] = format_number) -> list[str]:
        """One legend label per class in the reader's language ("Upper outliers (over $41,000)")."""
        return self.to_classification().labels(fmt)

    def to_classification(self):
        """The classes as a :class:`layers.classify.Classification` (for ``colours_for`` and
        ``legend_entries``; take the labels from :meth:`labels`)."""
        from layers.classify import Classification

        return Classification(
            scheme=self.scheme, k=self.k, bins=self.bins, lower=self.lower,
            class_ids=self.class_ids, counts=self.counts, no_data_count=self.no_data_count,
            params=self.params, log=self.log,
        )

    def legend_entries(self, palette_name: str, fmt: Callable[[float], str] = format_number,
                       *, reverse: bool = False) -> list:
        """Legend rows (lowest class first, "No data" last) with this scheme's labels."""
        from layers.classify import legend_entries

        rows = legend_entries(self.to_classification(), palette_name, fmt, reverse=reverse)
        labels = self.labels(fmt)
        return [replace(r, label=labels[r.class_id]) if r.class_id >= 0 else r for r in rows]


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------

def _numbers(values: pd.Series | Sequence[float]) -> np.ndarray:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _series(values: pd.Series | Sequence[float]) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    out = pd.Series(_numbers(series), index=series.index.map(str), name=series.name)
    if out.index.has_duplicates:
        dup = sorted(set(out.index[out.index.duplicated()]))
        raise AnalysisError(Text(N_("Region ids must be unique; repeated: {ids}."),
                                 ids=", ".join(dup[:8])))
    return out


@dataclass(frozen=True)
class _Prepared:
    series: pd.Series      # every input region, float
    used: pd.Series        # the values the rule works on, on its scale
    log: bool
    excluded: tuple[Excluded, ...]


NOT_ON_LOG = N_("zero or negative: not on a log scale")


def _prepare(values: pd.Series, log: bool | None, unit: str | None) -> _Prepared:
    series = _series(values)
    finite = np.isfinite(series.to_numpy())
    excluded = []
    missing = series.index[~finite]
    if len(missing):
        excluded.append(Excluded(Text(N_("no value")), tuple(missing)))
    kept = series[finite]
    use_log = use_log_scale(kept, unit) if log is None else bool(log)
    if use_log:
        bad = kept.index[kept.to_numpy() <= 0]
        if len(bad):
            excluded.append(Excluded(Text(NOT_ON_LOG), tuple(bad)))
        kept = kept[kept > 0]
        used = np.log(kept)
    else:
        used = kept
    return _Prepared(series=series, used=used, log=use_log, excluded=tuple(excluded))


def _check_enough(p: _Prepared) -> None:
    n = len(p.used)
    if n < MIN_VALUES:
        left_out = sum(e.count for e in p.excluded)
        if left_out:
            raise AnalysisError(Text(
                N_("Outliers need at least {minimum} regions with values; {n} have one here "
                   "({left_out} left out)."),
                minimum=count(MIN_VALUES), n=count(n), left_out=count(left_out)))
        raise AnalysisError(Text(
            N_("Outliers need at least {minimum} regions with values; {n} have one here."),
            minimum=count(MIN_VALUES), n=count(n)))
    v = p.used.to_numpy()
    if np.all(v == v[0]):
        value = float(np.exp(v[0])) if p.log else float(v[0])
        raise AnalysisError(Text(
            N_("All {n} values are the same ({value}): no region stands out from the others."),
            n=count(n), value=format_number(value)))


def _back(x: float, log: bool) -> float:
    return float(np.exp(x)) if log else float(x)


# ---------------------------------------------------------------------------
# Outlier rules
# ---------------------------------------------------------------------------

_METHODS = {
    ("mad", False): N_("Outliers: values more than {k} times the median absolute deviation "
                       "(scaled by 1.4826) from the median; robust z-score = (value − median) / "
                       "scaled MAD. {n} regions compared."),
    ("mad", True): N_("Outliers: values more than {k} times the median absolute deviation "
                      "(scaled by 1.4826) from the median, on a log scale; robust z-score = "
                      "(log value − median) / scaled MAD. {n} regions compared."),
    ("tukey", False): N_("Outliers: values below Q1 − {k} × IQR or above Q3 + {k} × IQR "
                         "(Tukey's fences; Q1, Q3 the quartiles, IQR = Q3 − Q1); distance beyond "
                         "the fence in IQRs. {n} regions compared."),
    ("tukey", True): N_("Outliers: values below Q1 − {k} × IQR or above Q3 + {k} × IQR "
                        "(Tukey's fences) of the logs of the values; distance beyond the fence in "
                        "IQRs of the logs. {n} regions compared."),
}


LOG_RULE = N_("Money whose values above zero span two orders of magnitude (the largest at least "
               "100 times the smallest) is judged on a log scale; values at or below zero cannot "
               "be placed on it and are left out, counted.")


def _with_log_rule(method: Text, log: bool) -> Text:
    """A method statement followed, on the log scale, by the rule that chose it."""
    return Text(N_("{method} {rule}"), method=method, rule=Text(LOG_RULE)) if log else method


def _k(rule: str, k: float | None) -> float:
    if rule not in RULES:
        raise AnalysisError(Text(N_("Unknown outlier rule {rule}; one of: {rules}."),
                                 rule=repr(rule), rules=", ".join(RULES)))
    if k is None:
        return DEFAULT_K[rule]
    try:
        kf = float(k)
    except (TypeError, ValueError):
        kf = math.nan
    if isinstance(k, bool) or not math.isfinite(kf) or kf <= 0:
        raise AnalysisError(Text(N_("k must be a number above zero; got {k}."), k=repr(k)))
    return kf


def flag_outliers(
    values: pd.Series,
    *,
    rule: str = "mad",
    k: float | None = None,
    log: bool | None = None,
    unit: str | None = None,
) -> OutlierResult:
    """Flag the regions whose value is far from the rest (see the module for the rules).

    ``values`` is indexed by region id; missing and non-numeric values are left out and counted.
    ``k`` defaults to :data:`DEFAULT_K` of the rule. ``log``: True, False, or None for the rule
    of :func:`use_log_scale` (which needs ``unit``). Raises :class:`AnalysisError` with fewer than
    :data:`MIN_VALUES` values, or when the spread is zero.
    """
    from scipy import stats

    kf = _k(rule, k)
    p = _prepare(values, log, unit)
    _check_enough(p)
    v = p.used.to_numpy()
    centre = float(np.median(v))
    if rule == "mad":
        spread = float(stats.median_abs_deviation(v, scale="normal"))
        if spread == 0:
            raise AnalysisError(Text(
                N_("The median absolute deviation is zero: more than half of the {n} values "
                   "equal the median ({value}). Use Tukey's fences, or a measure that "
                   "varies more."),
                n=count(v.size), value=format_number(_back(centre, p.log))))
        lo, hi = centre - kf * spread, centre + kf * spread
        score = (v - centre) / spread
        high, low = score > kf, score < -kf
    else:
        q1, q3 = (float(q) for q in np.percentile(v, [25, 75]))
        spread = float(stats.iqr(v))
        if spread == 0:
            raise AnalysisError(Text(
                N_("The interquartile range is zero: the middle half of the {n} values are all "
                   "{value}. Use the MAD rule, or a measure that varies more."),
                n=count(v.size), value=format_number(_back(q1, p.log))))
        lo, hi = q1 - kf * spread, q3 + kf * spread
        high, low = v > hi, v < lo
        score = np.where(high, (v - hi) / spread, np.where(low, (v - lo) / spread, 0.0))
    ids = p.used.index.to_numpy()
    original = p.series.loc[p.used.index].to_numpy()
    flagged = np.flatnonzero(high | low)
    order = flagged[np.argsort(-np.abs(score[flagged]), kind="stable")]
    outliers = tuple(
        Outlier(id=str(ids[i]), value=float(original[i]), side="high" if high[i] else "low",
                score=float(score[i]))
        for i in order
    )
    sides = pd.Series(np.where(high, "high", np.where(low, "low", "")), index=p.used.index,
                      name="side")
    problems = []
    if not p.log and v.size and len(outliers) > SKEWED_SHARE * v.size:
        problems.append(Text(
            N_("{n} of {total} regions are flagged: the values may be skewed rather than out of "
               "line; a log scale may suit them better."),
            n=count(len(outliers)), total=count(v.size)))
    k_text = f"{kf:g}"
    return OutlierResult(
        rule=rule, k=kf, log=p.log, outliers=outliers,
        low_fence=_back(lo, p.log), high_fence=_back(hi, p.log),
        centre=centre, spread=spread, n=int(v.size), sides=sides,
        method=_with_log_rule(Text(_METHODS[(rule, p.log)], k=k_text, n=count(v.size)), p.log),
        excluded=p.excluded, problems=tuple(problems),
    )


# ---------------------------------------------------------------------------
# Class schemes that keep outliers apart: the schemes of layers.classify (their bins and
# labels), with this module's refusals and method statements.
# ---------------------------------------------------------------------------

_SCHEME_METHODS = {
    ("box_map", False): N_("Box map: low outliers (below Q1 − {hinge} × IQR), the four quarters "
                           "of the values, upper outliers (above Q3 + {hinge} × IQR). {n} "
                           "regions classified."),
    ("box_map", True): N_("Box map on a log scale: low outliers (below Q1 − {hinge} × IQR of the "
                          "logs), the four quarters, upper outliers (above Q3 + {hinge} × IQR of "
                          "the logs). {n} regions classified."),
    ("percentiles", False): N_("Percentile classes with breaks at the {pct} percentiles, so the "
                               "extreme values keep classes of their own. {n} regions "
                               "classified."),
    ("head_tail", False): N_("Head/tail breaks (for heavy-tailed values): a break at the mean, "
                             "then at the mean of the values above it, and so on until the head "
                             "holds a single value. {n} regions classified."),
    ("head_tail", True): N_("Head/tail breaks on a log scale: a break at the mean of the logs, "
                            "then at the mean of those above it, and so on until the head holds "
                            "a single value. {n} regions classified."),
}


def _classes(scheme: str, p: _Prepared,
             binner: Callable[[np.ndarray], tuple[tuple[float, ...], float]],
             params: tuple[float, ...], outlier_classes: tuple[int, ...],
             method_fields: dict) -> OutlierClasses:
    """Classify the prepared values with ``binner`` on their scale; bins back in the original
    units (the log is monotonic, so the classes are the same on both scales)."""
    v = np.sort(p.used.to_numpy())
    bins_used, lower_used = binner(v)
    bins = tuple(_back(b, p.log) for b in bins_used)
    series = p.series
    ids = np.full(len(series), -1, dtype=np.int64)
    pos = series.index.get_indexer(p.used.index)
    ids[pos] = np.minimum(np.searchsorted(np.asarray(bins_used), p.used.to_numpy(), side="left"),
                          len(bins) - 1)
    excluded, n_low = p.excluded, 0
    if p.log:   # zero or negative money (left out of the log scale) is below every class
        raw = series.to_numpy(dtype=float)
        low = np.isfinite(raw) & (raw <= 0)
        n_low = int(low.sum())
        if n_low:
            ids[low] = 0
            excluded = tuple(e for e in excluded if e.reason.msgid != NOT_ON_LOG)
    method = Text(_SCHEME_METHODS[(scheme, p.log)], n=count(int((ids >= 0).sum())),
                  **method_fields)
    if n_low:
        method = Text(N_("{method} {rule}"), method=method, rule=Text(
            N_("{n} value(s) at or below zero, below every value on the log scale, are in the "
               "lowest class."), n=count(n_low)))
    counts = tuple(int(c) for c in np.bincount(ids[ids >= 0], minlength=len(bins)))
    return OutlierClasses(
        scheme=scheme, bins=bins, lower=_back(lower_used, p.log),
        class_ids=pd.Series(ids, index=series.index, name=series.name),
        counts=counts, no_data_count=int((ids < 0).sum()),
        outlier_classes=outlier_classes, params=params, log=p.log,
        method=method, excluded=excluded,
    )


def box_map(values: pd.Series, hinge: float = 1.5, *, log: bool | None = False,
            unit: str | None = None) -> OutlierClasses:
    """A box map: six classes (low outliers, < 25%, 25–50%, 50–75%, > 75%, upper outliers)
    from mapclassify's ``BoxPlot``; regions in classes 0 and 5 are those of Tukey's rule with
    k = ``hinge`` (a value exactly on a fence falls in the outlier class here). ``log`` as in
    :func:`flag_outliers` (default: the original scale)."""
    h = _k("tukey", hinge)
    p = _prepare(values, log, unit)
    _check_enough(p)
    from scipy import stats

    if float(stats.iqr(p.used.to_numpy())) == 0:
        raise AnalysisError(Text(
            N_("The interquartile range is zero: the middle half of the {n} values are all "
               "{value}. Use the MAD rule, or a measure that varies more."),
            n=count(len(p.used)), value=format_number(_back(float(np.median(p.used)), p.log))))
    return _classes("box_map", p, lambda v: box_map_bins(v, hinge=h), (h,), (0, 5),
                    {"hinge": f"{h:g}"})


def percentile_classes(values: pd.Series, pct: Sequence[float] = DEFAULT_PCT) -> OutlierClasses:
    """Percentile classes from mapclassify's ``Percentiles``: class i holds the values above the
    pct[i−1]-th and up to the pct[i]-th percentile; the last of ``pct`` must be 100. With the
    default (1, 10, 50, 90, 99, 100) the lowest and the highest 1 % have classes of their own."""
    try:
        p = tuple(float(x) for x in pct)
    except (TypeError, ValueError):
        p = ()
    if (len(p) < 2 or any(not (0 < x <= 100) for x in p) or list(p) != sorted(set(p))
            or p[-1] != 100):
        raise AnalysisError(Text(
            N_("Percentiles must rise from above 0 to 100, at least two of them; got {pct}."),
            pct=repr(pct)))
    prepared = _prepare(values, False, None)
    _check_enough(prepared)
    return _classes("percentiles", prepared, lambda v: percentile_bins(v, pct=p), p,
                    (0, len(p) - 1), {"pct": ", ".join(f"{x:g}" for x in p[:-1])})


def head_tail(values: pd.Series, *, log: bool | None = False,
              unit: str | None = None) -> OutlierClasses:
    """Head/tail breaks from mapclassify's ``HeadTailBreaks``; the top class holds the far-out
    head. ``log`` as in :func:`flag_outliers` (default: the original scale)."""
    p = _prepare(values, log, unit)
    _check_enough(p)
    result = _classes("head_tail", p, head_tail_bins, (), (), {})
    return replace(result, outlier_classes=(result.k - 1,))     # the head: the top class


# ---------------------------------------------------------------------------
# Marking the outliers of any map
# ---------------------------------------------------------------------------

#: Largest k a link may ask for (beyond it nothing is ever flagged).
MAX_K = 10.0


def parse_spec(text: str | None) -> tuple[str, float] | None:
    """The rule and k of link text: ``"mad"``, ``"mad:3.5"``, ``"tukey"``, ``"tukey:1.5"``;
    ``""`` (or None) = off → None. Raises :class:`AnalysisError` for anything else (an unknown
    rule, k not a number above zero and at most :data:`MAX_K`)."""
    raw = "" if text is None else str(text).strip().lower()
    if not raw:
        return None
    rule, sep, k_text = raw.partition(":")
    if rule not in RULES:
        raise AnalysisError(Text(N_("Unknown outlier rule {rule}; one of: {rules}."),
                                 rule=repr(rule), rules=", ".join(RULES)))
    if not sep:
        return rule, DEFAULT_K[rule]
    kf = _k(rule, k_text)
    if kf > MAX_K:
        raise AnalysisError(Text(N_("k must be at most {most}; got {k}."),
                                 most=f"{MAX_K:g}", k=repr(k_text)))
    return rule, kf


def spec_text(rule: str, k: float | None = None) -> str:
    """Link text of a rule and k (the default k is left out): "mad", "tukey:3"."""
    kf = DEFAULT_K[rule] if k is None else float(k)
    return rule if kf == DEFAULT_K[rule] else f"{rule}:{kf:g}"


_MARK_LABELS = {
    ("mad", False): N_("Outliers (median ± {k} MAD)"),
    ("mad", True): N_("Outliers (median ± {k} MAD, log scale)"),
    ("tukey", False): N_("Outliers (Tukey's fences, k = {k})"),
    ("tukey", True): N_("Outliers (Tukey's fences, k = {k}, log scale)"),
}
_WHY = {"mad": N_("robust z-score {score}"), "tukey": N_("{score} IQRs beyond the fence")}


def mark_outliers(view, values: pd.Series, unit: str | None, spec: str | None):
    """Flag the outliers of ``values`` (by region id) with the rule of ``spec`` (link text, see
    :func:`parse_spec`) and mark them on ``view`` (a :class:`layers.choropleth.ChoroplethView`):
    a thick dark outline in every renderer, a legend row saying what it means with their count,
    and a tooltip line saying why ("Outlier: robust z-score 30.7"). Money is judged on the log
    scale where :func:`use_log_scale` says so.

    Returns ``(view, result)``: ``result`` is the :class:`OutlierResult` (its ``method`` is the
    rule in a sentence, its ``outliers`` the list to show); None when ``spec`` is off; a
    :class:`geodata.problems.Text` saying why when the rule cannot run here (too few values,
    no spread, a bad spec), the view then left unmarked.
    """
    from layers.choropleth import with_marks

    try:
        parsed = parse_spec(spec)
        if parsed is None:
            return view, None
        rule, k = parsed
        res = flag_outliers(values, rule=rule, k=k, unit=unit)
    except AnalysisError as exc:
        message = exc.message if isinstance(exc.message, Text) else Text(str(exc.message))
        return view, message
    why = {o.id: t(_WHY[rule], score=f"{o.score:+.1f}" if rule == "mad" else f"{o.score:.1f}")
           for o in res.outliers}
    label = t(_MARK_LABELS[(rule, res.log)], k=f"{res.k:g}")
    return with_marks(view, res.ids, label, why=why, why_label=t("Outlier")), res
