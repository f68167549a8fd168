"""Map views of the analyses: LISA clusters, Getis-Ord hot and cold spots, outlier classes, peer
groups, better or worse than predicted. Each is :func:`layers.categorical.build_categorical` with fixed classes and colours
defined here once, so the screen and the exports draw the same map, with every class named in
words in the legend and the tooltip (never colour alone).
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from locales import N_, t

from .categorical import build_categorical
from .choropleth import ChoroplethView
from .palettes import QUALITATIVE, QUALITATIVE_OTHER, get_palette

_RDBU = get_palette("RdBu", 5)
#: LISA clusters in legend order (codes of ``analysis.spatial``), in GeoDa's colours: red and
#: blue clusters, pale outliers, a light grey where nothing is significant.
LISA_COLOURS = {"high_high": "#d7191c", "low_low": "#2c7bb6", "high_low": "#fdae61",
                "low_high": "#abd9e9", "not_significant": "#eeeeee"}
LISA_CLASSES = (("high_high", N_("High-high (hot spot)"), LISA_COLOURS["high_high"]),
                ("low_low", N_("Low-low (cold spot)"), LISA_COLOURS["low_low"]),
                ("high_low", N_("High-low (high among low)"), LISA_COLOURS["high_low"]),
                ("low_high", N_("Low-high (low among high)"), LISA_COLOURS["low_high"]),
                ("not_significant", N_("Not significant"), LISA_COLOURS["not_significant"]))
#: Getis-Ord Gi* hot and cold spots, in the LISA map's red and blue (a hot spot is a region
#: among high values, as a high-high cluster is).
HOT_SPOT_CLASSES = (("hot_spot", N_("Hot spot (among high values)"), LISA_COLOURS["high_high"]),
                    ("cold_spot", N_("Cold spot (among low values)"), LISA_COLOURS["low_low"]),
                    ("not_significant", N_("Not significant"), LISA_COLOURS["not_significant"]))
#: Better or worse than predicted for the money received.
VERDICT_CLASSES = (("better", N_("Better than predicted"), _RDBU[4]),
                   ("as_predicted", N_("As predicted"), "#f7f7f7"),
                   ("worse", N_("Worse than predicted"), _RDBU[0]))


def _coded_view(region_ids: Sequence[str], codes: pd.Series, defined, *, title: str,
                subtitle: str, notes: Sequence[str], value_text: pd.Series | None,
                selected: str | None) -> ChoroplethView:
    """Regions by a code of ``defined`` ((code, label, colour) in legend order); the tooltip
    names the class in words, then the value."""
    classes = [(code, t(label), colour) for code, label, colour in defined]
    words = codes.map(lambda c: next((t(lab) for code, lab, _ in defined if code == c), None))
    if value_text is not None:
        words = value_text.combine(words, lambda v, w: f"{w} · {v}" if isinstance(w, str)
                                   and isinstance(v, str) else w)
    return build_categorical(region_ids, codes, classes, title=title, subtitle=subtitle,
                             notes=notes, value_text=words, selected=selected)


def lisa_view(region_ids: Sequence[str], labels: pd.Series, *, title: str, subtitle: str,
              notes: Sequence[str] = (), value_text: pd.Series | None = None,
              selected: str | None = None) -> ChoroplethView:
    """Regions by LISA cluster (``analysis.spatial`` codes "high_high" … "not_significant";
    anything else is No data: regions left out of the analysis)."""
    return _coded_view(region_ids, labels, LISA_CLASSES, title=title, subtitle=subtitle,
                       notes=notes, value_text=value_text, selected=selected)


def hotspot_view(region_ids: Sequence[str], spots: pd.Series, *, title: str, subtitle: str,
                 notes: Sequence[str] = (), value_text: pd.Series | None = None,
                 selected: str | None = None) -> ChoroplethView:
    """Regions by Getis-Ord hot spot (``analysis.spatial`` codes "hot_spot", "cold_spot",
    "not_significant"; anything else is No data: regions left out of the analysis)."""
    return _coded_view(region_ids, spots, HOT_SPOT_CLASSES, title=title, subtitle=subtitle,
                       notes=notes, value_text=value_text, selected=selected)


def verdict_view(region_ids: Sequence[str], verdicts: pd.Series, *, title: str, subtitle: str,
                 notes: Sequence[str] = (), value_text: pd.Series | None = None,
                 selected: str | None = None) -> ChoroplethView:
    """Regions by "better" / "as predicted" / "worse" than a model predicts."""
    classes = [(code, t(label), colour) for code, label, colour in VERDICT_CLASSES]
    return build_categorical(region_ids, verdicts, classes, title=title, subtitle=subtitle,
                             notes=notes, value_text=value_text, selected=selected)


def group_view(region_ids: Sequence[str], groups: pd.Series, labels: Sequence[str], *,
               title: str, subtitle: str, notes: Sequence[str] = (),
               value_text: pd.Series | None = None,
               selected: str | None = None) -> ChoroplethView:
    """Regions by group number (1, 2, …): ``labels[i]`` names group ``i + 1``. Nine
    colour-blind-safe colours; groups beyond nine share the grey of "other"."""
    classes = [(str(i + 1), label, QUALITATIVE[i] if i < len(QUALITATIVE) else QUALITATIVE_OTHER)
               for i, label in enumerate(labels)]
    codes = groups.map(lambda g: str(int(g)) if pd.notna(g) else None)
    return build_categorical(region_ids, codes, classes, title=title, subtitle=subtitle,
                             notes=notes, value_text=value_text, selected=selected)


def ordered_view(region_ids: Sequence[str], class_ids: pd.Series, labels: Sequence[str],
                 colours: Sequence[str], *, title: str, subtitle: str,
                 notes: Sequence[str] = (), value_text: pd.Series | None = None,
                 selected: str | None = None) -> ChoroplethView:
    """Regions by an ordered class number 0…n−1 (outlier-aware classes such as a box map),
    ``labels`` and ``colours`` per class in order."""
    classes = [(str(i), label, colour) for i, (label, colour) in enumerate(zip(labels, colours))]
    codes = class_ids.map(lambda c: str(int(c)) if pd.notna(c) and c >= 0 else None)
    return build_categorical(region_ids, codes, classes, title=title, subtitle=subtitle,
                             notes=notes, value_text=value_text, selected=selected)
