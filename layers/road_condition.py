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

from .classify import LegendEntry
from .choropleth import ChoroplethView

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
        """One line for the methodology note: "PSI (MassDOT interstate): excellent ≥ 3.5, …"."""
        parts = []
        for i, c in enumerate(self.classes):
            if i == 0:
                parts.append(f"{c.label} ≥ {_num(c.lower)}")
            elif i == len(self.classes) - 1:
                parts.append(f"{c.label} < {_num(self.classes[i - 1].lower)}")
            else:
                parts.append(f"{c.label} {_num(c.lower)}–{_num(self.classes[i - 1].lower)}")
        return f"{self.name}: " + ", ".join(parts)

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
        """(label, colour, count text) rows, best first, then "No data"."""
        counts = list(counts) if counts is not None else [None] * len(self.classes)
        rows = [(c.label, c.colour, fmt(n) if n is not None else "") for c, n in zip(self.classes, counts)]
        rows.append((NO_DATA, NO_DATA_LINE_COLOUR, fmt(no_data)))
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


PRESETS: dict[str, ConditionScheme] = {s.id: s for s in (
    _scheme("psi_massdot_interstate", "PSI, MassDOT interstate classes", "PSI", 0, 5,
            [("excellent", 3.5), ("good", 3.0), ("fair", 2.5), ("poor", 0)],
            good=("excellent", "good"), poor=("poor",),
            source="MassDOT Road Inventory, interstate PSI classes"),
    _scheme("psi_massdot_town_bins", "PSI, MassDOT town bins", "PSI", 0, 5,
            [("excellent", 3.5), ("good", 2.8), ("fair", 2.3), ("poor", 0)],
            good=("excellent", "good"), poor=("poor",),
            source="MassDOT / CTPS non-interstate PSI bins (BIN_0–BIN_3)"),
    _scheme("pci_astm_d6433", "PCI, ASTM D6433", "PCI", 0, 100,
            [("Good", 86), ("Satisfactory", 71), ("Fair", 56), ("Poor", 41),
             ("Very Poor", 26), ("Serious", 11), ("Failed", 0)],
            good=("Good", "Satisfactory"), poor=("Poor", "Very Poor", "Serious", "Failed"),
            source="ASTM D6433 pavement condition index rating scale"),
    _scheme("pci_mtc_streetsaver", "PCI, MTC StreetSaver", "PCI", 0, 100,
            [("Excellent", 90), ("Very Good", 80), ("Good", 70), ("Fair", 60),
             ("At-Risk", 50), ("Poor", 25), ("Failed", 0)],
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
        problems.append("'classes' must list at least two [label, lower bound, colour] rows")
        raw = []
    for i, row in enumerate(raw):
        if not isinstance(row, (list, tuple)) or len(row) not in (2, 3):
            problems.append(f"class #{i + 1} must be [label, lower bound] or [label, lower bound, "
                            f"colour], got {row!r}")
            continue
        label, lower = str(row[0]), row[1]
        colour = row[2] if len(row) == 3 else None
        if isinstance(lower, bool) or not isinstance(lower, (int, float)):
            problems.append(f"class {label!r}: lower bound must be a number, got {lower!r}")
            continue
        if colour is not None and not (isinstance(colour, str) and _HEX.match(colour)):
            problems.append(f"class {label!r}: colour must be like '#2166ac', got {colour!r}")
            colour = None
        rows.append((label, float(lower), colour))
    lowers = [r[1] for r in rows]
    if any(b >= a for a, b in zip(lowers, lowers[1:])):
        problems.append(f"lower bounds must decrease from the best class to the worst, got {lowers}")
    labels = [r[0] for r in rows]
    if len(set(labels)) != len(labels):
        problems.append("class labels must be distinct")
    rng = cfg.get("range", [min(lowers) if lowers else 0, None])
    try:
        lo = float(rng[0])
        hi = float(rng[1]) if rng[1] is not None else float("inf")
    except (TypeError, ValueError, IndexError):
        problems.append(f"'range' must be [lowest, highest] score, got {rng!r}")
        lo, hi = 0.0, float("inf")
    if lowers and lowers[-1] > lo:
        problems.append(f"the worst class must start at the bottom of the range ({lo:g}), "
                        f"got {lowers[-1]:g}")
    good = [str(x) for x in cfg.get("good_or_better", labels[:max(1, len(labels) // 2)])]
    poor = [str(x) for x in cfg.get("poor", labels[-1:])]
    unknown = sorted((set(good) | set(poor)) - set(labels))
    if unknown:
        problems.append(f"good_or_better / poor name unknown class(es) {unknown}; classes: {labels}")
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
                     selected: str | None = None) -> ChoroplethView:
    """A ChoroplethView of categories (target status): class i = ``order[i]``, others No data."""
    from .palettes import NO_DATA_COLOUR, NO_DATA_LABEL
    ids = [str(r) for r in region_ids]
    cat = categories.copy()
    cat.index = cat.index.astype(str)
    cat = cat[~cat.index.duplicated()].reindex(ids)
    pos = {c: i for i, c in enumerate(order)}
    class_ids = np.array([pos.get(c, NO_CLASS) if isinstance(c, str) else NO_CLASS
                          for c in cat.tolist()], dtype=np.int64)
    counts = np.bincount(class_ids[class_ids >= 0], minlength=len(order))
    legend = [LegendEntry(label=c, colour=colours[c], count=int(n), class_id=i)
              for i, (c, n) in enumerate(zip(order, counts))]
    legend.append(LegendEntry(label=NO_DATA_LABEL, colour=NO_DATA_COLOUR,
                              count=int((class_ids < 0).sum()), class_id=NO_CLASS))
    text = tuple(c if isinstance(c, str) else NO_DATA for c in cat.tolist())
    return ChoroplethView(
        region_ids=tuple(ids), class_ids=class_ids, class_colours=tuple(colours[c] for c in order),
        legend=tuple(legend), values=pd.Series(class_ids.astype(float), index=ids),
        value_text=text, tooltip_rows=tuple((lab, tuple(t)) for lab, t in tooltip_rows),
        title=title, subtitle=unit, unit=unit, notes=tuple(notes), scheme="categories",
        palette="status", selected=selected)


# Change between two survey years, in score points (positive = better when higher is better).
CHANGE_CLASSES = (("much better", 0.5, "#2166ac"), ("better", 0.1, "#67a9cf"),
                  ("about the same", -0.1, "#bdbdbd"), ("worse", -0.5, "#f1a340"),
                  ("much worse", -np.inf, "#b2182b"))


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
    out = []
    for i, (lab, lower, _) in enumerate(CHANGE_CLASSES):
        if i == 0:
            out.append(f"{lab} (≥ +{lower * step:g})")
        elif np.isinf(lower):
            out.append(f"{lab} (< {CHANGE_CLASSES[i - 1][1] * step:+g})")
        else:
            out.append(f"{lab} ({lower * step:+g} to {CHANGE_CLASSES[i - 1][1] * step:+g})")
    return out
