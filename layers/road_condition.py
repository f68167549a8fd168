"""Road-condition schemes as configuration: a scheme is a list of (label, lower bound, colour).

A :class:`ConditionScheme` turns a condition score (PSI 0–5, PCI 0–100 …) into a class. Classes
are listed best first, each with the lowest score it admits; a score belongs to the first class
whose lower bound it reaches (so a bound belongs to the class above it: PSI 3.0 is "good", not
"fair"). Scores outside the scheme's range are not guessed: they fall in "No data" and are
reported by :func:`out_of_range`. Presets live in :data:`PRESETS`; a workspace manifest can add
its own under ``[roads.schemes.<id>]`` (see docs/workspace-manifest.md) and
:func:`scheme_from_config` checks them, listing every problem at once.

Colours are ordered blue (best) to red (worst), a diverging order that stays readable with the
common colour-vision deficiencies (no red/green pair), and dark enough to read as lines drawn
over a light choropleth.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from locales import N_, t

from .classify import LegendEntry
from .choropleth import ChoroplethView, build_choropleth, rank_text, value_formatter

NO_DATA = "No data"
NO_DATA_LINE_COLOUR = "#8c8c8c"
NO_CLASS = -1

# Ordered best → worst; chosen from ColorBrewer RdBu / RdYlBu (colour-blind safe), skipping the
# pale middle so every class reads as a line over a filled map.
_COLOURS = {
    4: ("#2166ac", "#67a9cf", "#f1a340", "#b2182b"),
    5: ("#2166ac", "#67a9cf", "#f1a340", "#d6604d", "#8c0000"),
    6: ("#08519c", "#4393c3", "#92c5de", "#f1a340", "#d6604d", "#8c0000"),
    7: ("#08519c", "#2166ac", "#67a9cf", "#f1a340", "#f46d43", "#b2182b", "#67001f"),
}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def condition_colours(n: int) -> tuple[str, ...]:
    """Default colours (best first) for ``n`` classes."""
    if n in _COLOURS:
        return _COLOURS[n]
    if n < 4:
        return tuple(_COLOURS[4][i] for i in np.linspace(0, 3, n).round().astype(int))
    raise ValueError(f"no default condition colours for {n} classes (2–7 supported); "
                     "give each class a colour")


@dataclass(frozen=True)
class ConditionClass:
    label: str
    lower: float     # lowest score in the class (inclusive)
    colour: str


@dataclass(frozen=True)
class ConditionScheme:
    """Condition classes for one score, best class first."""
    id: str
    name: str
    score: str                          # "PSI", "PCI" …
    lo: float                           # range of valid scores (inclusive)
    hi: float
    classes: tuple[ConditionClass, ...]
    good_or_better: tuple[str, ...]     # labels counted as "good or better"
    poor: tuple[str, ...]               # labels counted as "poor"
    source: str = ""
    higher_is_better: bool = field(default=True)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.classes)

    @property
    def colours(self) -> tuple[str, ...]:
        return tuple(c.colour for c in self.classes)

    def describe(self) -> str:
        """One line for the methodology note: "PSI, MassDOT interstate classes: excellent ≥
        3.5, …" (the presets' names and labels in the reader's language)."""
        parts = []
        for i, c in enumerate(self.classes):
            label = t(c.label)
            if i == 0:
                parts.append(f"{label} ≥ {_num(c.lower)}")
            elif i == len(self.classes) - 1:
                parts.append(f"{label} < {_num(self.classes[i - 1].lower)}")
            else:
                parts.append(f"{label} {_num(c.lower)}–{_num(self.classes[i - 1].lower)}")
        return t("{scheme}: {classes}", scheme=t(self.name), classes=", ".join(parts))

    def classify(self, scores: Iterable[Any]) -> np.ndarray:
        """Class index per score (0 = best); -1 for a missing or out-of-range score."""
        s = pd.to_numeric(pd.Series(list(scores) if not isinstance(scores, pd.Series) else scores,
                                    dtype="object"), errors="coerce").astype("float64").to_numpy()
        out = np.full(s.shape, NO_CLASS, dtype=np.int64)
        ok = np.isfinite(s) & (s >= self.lo) & (s <= self.hi)
        # lower bounds ascending (worst first) → searchsorted gives the class from the bottom
        lowers = np.array([c.lower for c in self.classes][::-1], dtype=float)
        idx = np.searchsorted(lowers, s[ok], side="right") - 1
        idx = np.clip(idx, 0, len(lowers) - 1)
        out[ok] = len(lowers) - 1 - idx
        return out

    def colour_of(self, class_ids: Iterable[int]) -> list[str]:
        """Line colour per class id (:data:`NO_DATA_LINE_COLOUR` for -1), as the map draws it."""
        colours = self.colours
        return [colours[c] if c >= 0 else NO_DATA_LINE_COLOUR for c in class_ids]

    def label_of(self, class_ids: Iterable[int]) -> list[str]:
        labels = self.labels
        return [labels[c] if c >= 0 else NO_DATA for c in class_ids]

    def out_of_range(self, scores: Iterable[Any]) -> np.ndarray:
        """True where a score is present but outside [lo, hi]."""
        s = pd.to_numeric(pd.Series(list(scores) if not isinstance(scores, pd.Series) else scores,
                                    dtype="object"), errors="coerce").astype("float64").to_numpy()
        return np.isfinite(s) & ((s < self.lo) | (s > self.hi))

    def legend(self, counts: Sequence[float] | None = None, no_data: float = 0,
               fmt=lambda x: f"{x:,.0f}") -> list[tuple[str, str, str]]:
        """(label, colour, count text) rows, best first, then "No data" (labels in the
        reader's language)."""
        counts = list(counts) if counts is not None else [None] * len(self.classes)
        rows = [(t(c.label), c.colour, fmt(n) if n is not None else "")
                for c, n in zip(self.classes, counts)]
        rows.append((t("No data"), NO_DATA_LINE_COLOUR, fmt(no_data)))
        return rows


def _num(x: float) -> str:
    return f"{x:g}"


def _scheme(id: str, name: str, score: str, lo: float, hi: float,
            classes: Sequence[tuple[str, float]], good: Sequence[str], poor: Sequence[str],
            source: str) -> ConditionScheme:
    colours = condition_colours(len(classes))
    return ConditionScheme(
        id=id, name=name, score=score, lo=lo, hi=hi,
        classes=tuple(ConditionClass(lab, float(lower), col)
                      for (lab, lower), col in zip(classes, colours)),
        good_or_better=tuple(good), poor=tuple(poor), source=source)


# Names and class labels are marked for the catalogs: shown through t(), so a workspace's own
# scheme (not in any catalog) reads as its manifest writes it.
PRESETS: dict[str, ConditionScheme] = {s.id: s for s in (
    _scheme("psi_massdot_interstate", N_("PSI, MassDOT interstate classes"), "PSI", 0, 5,
            [(N_("excellent"), 3.5), (N_("good"), 3.0), (N_("fair"), 2.5), (N_("poor"), 0)],
            good=("excellent", "good"), poor=("poor",),
            source="MassDOT Road Inventory, interstate PSI classes"),
    _scheme("psi_massdot_town_bins", N_("PSI, MassDOT town bins"), "PSI", 0, 5,
            [("excellent", 3.5), ("good", 2.8), ("fair", 2.3), ("poor", 0)],
            good=("excellent", "good"), poor=("poor",),
            source="MassDOT / CTPS non-interstate PSI bins (BIN_0–BIN_3)"),
    _scheme("pci_astm_d6433", N_("PCI, ASTM D6433"), "PCI", 0, 100,
            [(N_("Good"), 86), (N_("Satisfactory"), 71), (N_("Fair"), 56), (N_("Poor"), 41),
             (N_("Very Poor"), 26), (N_("Serious"), 11), (N_("Failed"), 0)],
            good=("Good", "Satisfactory"), poor=("Poor", "Very Poor", "Serious", "Failed"),
            source="ASTM D6433 pavement condition index rating scale"),
    _scheme("pci_mtc_streetsaver", N_("PCI, MTC StreetSaver"), "PCI", 0, 100,
            [(N_("Excellent"), 90), (N_("Very Good"), 80), ("Good", 70), ("Fair", 60),
             (N_("At-Risk"), 50), ("Poor", 25), ("Failed", 0)],
            good=("Excellent", "Very Good", "Good"), poor=("Poor", "Failed"),
            source="Metropolitan Transportation Commission StreetSaver PCI ranges"),
)}


class SchemeError(ValueError):
    def __init__(self, where: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(problems))


def scheme_from_config(scheme_id: str, cfg: Mapping[str, Any]) -> ConditionScheme:
    """A scheme from a manifest table::

        name = "PCI, city rating"
        score = "PCI"
        range = [0, 100]
        classes = [["good", 70, "#2166ac"], ["fair", 50, "#f1a340"], ["poor", 0, "#b2182b"]]
        good_or_better = ["good"]
        poor = ["poor"]

    Classes best first with strictly decreasing lower bounds; the colour is optional (defaults
    come from :func:`condition_colours`). Raises :class:`SchemeError` listing every problem.
    """
    where = f"[roads.schemes.{scheme_id}]"
    problems: list[str] = []
    raw = cfg.get("classes")
    rows: list[tuple[str, float, str | None]] = []
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(t("'classes' must list at least two [label, lower bound, colour] rows"))
        raw = []
    for i, row in enumerate(raw):
        if not isinstance(row, (list, tuple)) or len(row) not in (2, 3):
            problems.append(t("class #{n} must be [label, lower bound] or [label, lower bound, "
                              "colour], got {row}", n=str(i + 1), row=repr(row)))
            continue
        label, lower = str(row[0]), row[1]
        colour = row[2] if len(row) == 3 else None
        if isinstance(lower, bool) or not isinstance(lower, (int, float)):
            problems.append(t("class {label}: lower bound must be a number, got {value}",
                              label=repr(label), value=repr(lower)))
            continue
        if colour is not None and not (isinstance(colour, str) and _HEX.match(colour)):
            problems.append(t("class {label}: colour must be like '#2166ac', got {value}",
                              label=repr(label), value=repr(colour)))
            colour = None
        rows.append((label, float(lower), colour))
    lowers = [r[1] for r in rows]
    if any(b >= a for a, b in zip(lowers, lowers[1:])):
        problems.append(t("lower bounds must decrease from the best class to the worst, got "
                          "{bounds}", bounds=str(lowers)))
    labels = [r[0] for r in rows]
    if len(set(labels)) != len(labels):
        problems.append(t("class labels must be distinct"))
    rng = cfg.get("range", [min(lowers) if lowers else 0, None])
    try:
        lo = float(rng[0])
        hi = float(rng[1]) if rng[1] is not None else float("inf")
    except (TypeError, ValueError, IndexError):
        problems.append(t("'range' must be [lowest, highest] score, got {value}", value=repr(rng)))
        lo, hi = 0.0, float("inf")
    if lowers and lowers[-1] > lo:
        problems.append(t("the worst class must start at the bottom of the range ({lo}), got "
                          "{value}", lo=f"{lo:g}", value=f"{lowers[-1]:g}"))
    good = [str(x) for x in cfg.get("good_or_better", labels[:max(1, len(labels) // 2)])]
    poor = [str(x) for x in cfg.get("poor", labels[-1:])]
    unknown = sorted((set(good) | set(poor)) - set(labels))
    if unknown:
        problems.append(t("good_or_better / poor name unknown class(es) {unknown}; classes: "
                          "{labels}", unknown=str(unknown), labels=str(labels)))
    if any(r[2] is None for r in rows) and len(rows) > max(_COLOURS):
        problems.append(t("give each class a colour: default colours exist for 2 to {most} "
                          "classes, this scheme has {n}", most=str(max(_COLOURS)),
                          n=str(len(rows))))
    if problems:
        raise SchemeError(where, problems)
    defaults = condition_colours(len(rows)) if any(r[2] is None for r in rows) else ()
    classes = tuple(ConditionClass(lab, low, col or defaults[i])
                    for i, (lab, low, col) in enumerate(rows))
    return ConditionScheme(id=scheme_id, name=str(cfg.get("name", scheme_id)),
                           score=str(cfg.get("score", "")), lo=lo, hi=hi, classes=classes,
                           good_or_better=tuple(good), poor=tuple(poor),
                           source=str(cfg.get("source", "workspace manifest")))


def schemes_for(settings: Mapping[str, Any] | None) -> dict[str, ConditionScheme]:
    """Presets plus the schemes a workspace's ``[roads.schemes]`` defines (these win)."""
    out = dict(PRESETS)
    for sid, cfg in ((settings or {}).get("schemes") or {}).items():
        out[str(sid)] = scheme_from_config(str(sid), cfg)
    return out


def get_scheme(name: str, schemes: Mapping[str, ConditionScheme] | None = None) -> ConditionScheme:
    table = schemes or PRESETS
    if name not in table:
        raise KeyError(f"unknown condition scheme {name!r}; one of {', '.join(table)}")
    return table[name]


def compatible(schemes: Mapping[str, ConditionScheme], score: str) -> list[str]:
    """Ids of the schemes for a score label ("PSI"); all of them when none matches."""
    same = [sid for sid, s in schemes.items() if s.score.casefold() == score.casefold()]
    return same or list(schemes)


# --------------------------------------------------------------------------- categorical views

STATUS_ORDER = ("met", "at risk", "missed")
# Light fills so the condition lines (same hues, dark casing) stay readable on top.
STATUS_COLOURS = {"met": "#9ecae1", "at risk": "#fee391", "missed": "#f4a582"}


def categorical_view(region_ids: Sequence[str], categories: pd.Series,
                     order: Sequence[str], colours: Mapping[str, str], *, title: str,
                     unit: str = "", notes: Sequence[str] = (),
                     tooltip_rows: Sequence[tuple[str, Sequence[str]]] = (),
                     selected: str | None = None,
                     labels: Mapping[str, str] | None = None) -> ChoroplethView:
    """A ChoroplethView of categories (target status): class i = ``order[i]``, others No data.
    ``labels`` names each category in the legend and the tooltip (default: the category)."""
    from .palettes import NO_DATA_COLOUR
    labels = labels or {}
    ids = [str(r) for r in region_ids]
    cat = categories.copy()
    cat.index = cat.index.astype(str)
    cat = cat[~cat.index.duplicated()].reindex(ids)
    pos = {c: i for i, c in enumerate(order)}
    class_ids = np.array([pos.get(c, NO_CLASS) if isinstance(c, str) else NO_CLASS
                          for c in cat.tolist()], dtype=np.int64)
    counts = np.bincount(class_ids[class_ids >= 0], minlength=len(order))
    legend = [LegendEntry(label=labels.get(c, c), colour=colours[c], count=int(n), class_id=i)
              for i, (c, n) in enumerate(zip(order, counts))]
    no_data = t("No data")
    legend.append(LegendEntry(label=no_data, colour=NO_DATA_COLOUR,
                              count=int((class_ids < 0).sum()), class_id=NO_CLASS))
    text = tuple(labels.get(c, c) if isinstance(c, str) else no_data for c in cat.tolist())
    return ChoroplethView(
        region_ids=tuple(ids), class_ids=class_ids, class_colours=tuple(colours[c] for c in order),
        legend=tuple(legend),
        values=pd.Series(np.where(class_ids >= 0, class_ids, np.nan).astype(float), index=ids),
        value_text=text, tooltip_rows=tuple((lab, tuple(t_)) for lab, t_ in tooltip_rows),
        title=title, subtitle=unit, unit=unit, notes=tuple(notes), scheme="categories",
        palette="status", selected=selected)


#: Fill of the areas whose value is exactly zero when they are a class of their own: a pale
#: neutral, told apart from the palette's lightest class and from No data (grey, hatched).
ZERO_COLOUR = "#f6f1e7"


def zero_class_view(region_ids: Sequence[str], values: pd.Series, *, zero_label: str,
                    title: str, unit: str, scheme: str = "quantiles", k: int = 5,
                    palette: str = "YlGnBu", reverse: bool = False,
                    breaks: Sequence[float] | None = None, population: pd.Series | None = None,
                    subtitle: str = "", notes: Sequence[str] = (), selected: str | None = None,
                    zero_colour: str = ZERO_COLOUR) -> ChoroplethView:
    """A choropleth in which areas with a value of exactly zero ("No funding", "No poor
    miles") are a class of their own, first in the legend, and the other values are classed
    among themselves, so no class reads "$0" next to one reading "$0 – $317".

    With user-defined breaks, or no zero at all, it is :func:`build_choropleth` unchanged.
    """
    ids = [str(r) for r in region_ids]
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    v.index = v.index.astype(str)
    v = v[~v.index.duplicated()].reindex(ids)
    zero = (v == 0).to_numpy()
    kw = dict(title=title, unit=unit, scheme=scheme, k=k, palette=palette, reverse=reverse,
              breaks=breaks, population=population, subtitle=subtitle, notes=notes,
              selected=selected)
    if not zero.any() or scheme == "user_defined":
        return build_choropleth(ids, v, **kw)
    rest = v.where(~zero)
    base = build_choropleth(ids, rest, **kw)
    class_ids = np.where(base.class_ids >= 0, base.class_ids + 1, base.class_ids)
    class_ids[zero] = 0
    n_zero = int(zero.sum())
    legend = [LegendEntry(label=zero_label, colour=zero_colour, count=n_zero, class_id=0)]
    for e in base.legend:
        if e.class_id >= 0:
            legend.append(LegendEntry(e.label, e.colour, e.count, e.class_id + 1))
        else:               # zeros were set aside as no value: give them back
            legend.append(LegendEntry(e.label, e.colour, e.count - n_zero, e.class_id))
    fmt = value_formatter(unit)
    zero_text = fmt(0.0)
    value_text = tuple(zero_text if z else txt for z, txt in zip(zero, base.value_text))
    rows = list(base.tooltip_rows)
    ranks = tuple(rank_text(rest).tolist())
    rows = [(lab, tuple(rank_text(v).tolist())) if texts == ranks else (lab, texts)
            for lab, texts in rows]
    return ChoroplethView(
        region_ids=base.region_ids, class_ids=class_ids.astype(np.int64),
        class_colours=(zero_colour, *base.class_colours), legend=tuple(legend), values=v,
        value_text=value_text, tooltip_rows=tuple(rows), title=base.title,
        subtitle=base.subtitle, unit=base.unit, notes=base.notes, scheme=base.scheme,
        palette=base.palette, no_data_colour=base.no_data_colour, selected=base.selected,
        classification=base.classification)


# Change between two survey years, in score points (positive = better when higher is better).
CHANGE_CLASSES = ((N_("much better"), 0.5, "#2166ac"), (N_("better"), 0.1, "#67a9cf"),
                  (N_("about the same"), -0.1, "#bdbdbd"), (N_("worse"), -0.5, "#f1a340"),
                  (N_("much worse"), -np.inf, "#b2182b"))


def change_class(delta: Iterable[Any], step: float = 1.0) -> np.ndarray:
    """Class index in :data:`CHANGE_CLASSES` for score changes (bounds scaled by ``step``:
    1 for PSI, 20 for PCI); -1 where a change is missing."""
    d = pd.to_numeric(pd.Series(list(delta), dtype="object"), errors="coerce").astype(float).to_numpy()
    out = np.full(d.shape, NO_CLASS, dtype=np.int64)
    ok = np.isfinite(d)
    lowers = np.array([c[1] * step for c in CHANGE_CLASSES][::-1])
    idx = np.searchsorted(lowers, d[ok], side="right") - 1
    out[ok] = len(lowers) - 1 - np.clip(idx, 0, len(lowers) - 1)
    return out


def change_labels(step: float = 1.0) -> list[str]:
    """Legend labels of the change classes, with their bounds in score points."""
    out = []
    for i, (msg, lower, _) in enumerate(CHANGE_CLASSES):
        lab = t(msg)
        if i == 0:
            out.append(f"{lab} (≥ +{lower * step:g})")
        elif np.isinf(lower):
            out.append(f"{lab} (< {CHANGE_CLASSES[i - 1][1] * step:+g})")
        else:
            out.append(f"{lab} ({lower * step:+g} to {CHANGE_CLASSES[i - 1][1] * step:+g})")
    return out
