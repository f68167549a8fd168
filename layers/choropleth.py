"""The choropleth layer spec: classes, colours, tooltip texts and legend, computed once.

:func:`build_choropleth` is the single place where a value becomes a class and a class becomes
a colour. The interactive map, the legend and the static export all read the
:class:`ChoroplethView` it returns, so the projector and the PDF show the same map.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from locales import t

from .classify import (Classification, LegendEntry, classify, classify_into, format_number,
                       legend_entries)
from .number_arrays import count_texts, format_numbers, rank_texts
from .palettes import NO_DATA_COLOUR

#: The outline of marked regions (``ChoroplethView.marked``), the same in every renderer: a
#: thick dark purple line over a white halo, so it reads over the lightest and the darkest
#: classes alike and is not taken for the selected region's plain black outline. Widths: px
#: on the screen, points on paper (the halo's is the whole width under the line).
MARK_COLOUR = "#3f007d"
MARK_HALO = "#ffffff"
MARK_WIDTH_PX = 3.0
MARK_HALO_PX = 6.0
MARK_WIDTH_PT = 1.5
MARK_HALO_PT = 3.3


@dataclass(frozen=True)
class ChoroplethView:
    region_ids: tuple[str, ...]          # feature order of the encoded layer
    class_ids: np.ndarray                # int per feature, -1 = No data
    class_colours: tuple[str, ...]       # colour of class i
    legend: tuple[LegendEntry, ...]      # classes then "No data"
    values: pd.Series                    # raw value per region id (same order)
    value_text: tuple[str, ...]          # formatted value per feature
    tooltip_rows: tuple[tuple[str, tuple[str, ...]], ...]  # (label, text per feature)
    title: str
    subtitle: str = ""
    unit: str = ""
    notes: tuple[str, ...] = field(default=())
    scheme: str = ""
    palette: str = ""
    no_data_colour: str = NO_DATA_COLOUR
    selected: str | None = None
    classification: Classification | None = None
    #: regions drawn with a marked outline (e.g. outliers), and what the outline means in
    #: the legend; every renderer draws them the same way
    marked: tuple[str, ...] = ()
    marked_label: str = ""

    def marked_positions(self) -> list[int]:
        """Feature positions of the marked regions (in feature order)."""
        wanted = set(self.marked)
        return [i for i, r in enumerate(self.region_ids) if r in wanted]

    def colours(self) -> list[str]:
        """Fill colour per feature: what every renderer paints."""
        table = list(self.class_colours) + [self.no_data_colour]
        return [table[c] for c in self.class_ids.tolist()]

    def colour_of(self, region_id: str) -> str:
        i = self.region_ids.index(region_id)
        c = int(self.class_ids[i])
        return self.no_data_colour if c < 0 else self.class_colours[c]


def value_formatter(unit: str):
    """Formatter of the legend's class bounds in ``unit``: "USD per resident" formats as
    "$317.50" (the legend header carries the unit), "%" as "12.5%", anything else as a number
    with its unit."""
    head, _, rest = (unit or "").partition(" ")
    if rest and len(head) == 3 and head.isalpha() and head.isupper():
        return lambda x: format_number(x, head)
    return lambda x: format_number(x, unit)


def rank_text(values: pd.Series) -> pd.Series:
    n = int(values.notna().sum())
    total = f"{n:,}"
    ranks = values.rank(ascending=False, method="min").to_numpy()
    return pd.Series([t("{rank} of {n}", rank=f"{int(r):,}", n=total) if r == r else "—"
                      for r in ranks], index=values.index, dtype=object)


def build_choropleth(region_ids: Sequence[str], values: pd.Series, *, title: str, unit: str,
                     scheme: str = "quantiles", k: int = 5, palette: str = "YlGnBu",
                     reverse: bool = False, breaks: Sequence[float] | None = None,
                     centre: float | None = None, population: pd.Series | None = None,
                     subtitle: str = "", notes: Sequence[str] = (),
                     selected: str | None = None,
                     classes: Classification | None = None) -> ChoroplethView:
    """Classify ``values`` (by region id) and colour every feature of a layer.

    Values are aligned to ``region_ids`` (the feature order); regions without a value, and
    NaN or infinite values, fall in the "No data" class. ``classes``: the classes of other
    values to put these in (a span of years pooled, :func:`layers.classify.classify_into`),
    with their labels; ``scheme``, ``k``, ``breaks`` and ``centre`` are then not used. The
    unit lets the box map and head/tail schemes put money on the log scale.
    """
    ids = [str(r) for r in region_ids]
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    v.index = v.index.astype(str)
    v = v[~v.index.duplicated()].reindex(ids)
    v = v.where(np.isfinite(v))
    cls = classify_into(v, classes) if classes is not None else \
        classify(v, scheme, k, breaks=breaks, centre=centre, unit=unit)
    fmt = value_formatter(unit)
    legend = legend_entries(cls, palette, fmt, reverse=reverse)
    class_colours = tuple(e.colour for e in legend if e.class_id >= 0)
    rows: list[tuple[str, tuple[str, ...]]] = []
    if population is not None:
        p = pd.to_numeric(population, errors="coerce")
        p.index = p.index.astype(str)
        p = p[~p.index.duplicated()].reindex(ids)
        rows.append((t("Population"), tuple(count_texts(p))))
    rows.append((t("Rank"), tuple(rank_texts(v))))
    return ChoroplethView(
        region_ids=tuple(ids), class_ids=cls.class_ids.to_numpy().astype(np.int64),
        class_colours=class_colours, legend=tuple(legend), values=v,
        # Tooltips carry the full unit ("$317.50 per resident"); the legend's bounds do not.
        value_text=tuple(format_numbers(v.to_numpy(), unit)),
        tooltip_rows=tuple(rows),
        title=title, subtitle=subtitle, unit=unit, notes=tuple(notes), scheme=cls.scheme,
        palette=palette, selected=selected, classification=cls)


def with_marks(view: ChoroplethView, marked: Sequence[str], label: str, *,
               why: Mapping[str, str] | None = None, why_label: str = "") -> ChoroplethView:
    """``view`` with ``marked`` regions drawn in the marked outline and a legend row ``label``
    (with their count); ``why`` (region id → text) adds a tooltip line ``why_label: text`` to
    each marked region ("Outlier: robust z-score 30.7"). Ids not in the view are left out."""
    here = set(view.region_ids)
    ids = tuple(dict.fromkeys(str(r) for r in marked if str(r) in here))
    rows = view.tooltip_rows
    if why:
        texts = tuple(why.get(r, "") if r in ids else "" for r in view.region_ids)
        rows = (*rows, (why_label, texts))
    return replace(view, marked=ids, marked_label=label, tooltip_rows=tuple(rows))
