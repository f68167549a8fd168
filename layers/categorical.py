"""Categorical map layers: fixed classes with their own labels and colours (statuses).

:func:`build_categorical` is :func:`layers.choropleth.build_choropleth` for categories instead
of numbers: class ``i`` is the ``i``-th category given, a region with any other category (or
none) is "No data". It returns the same :class:`~layers.choropleth.ChoroplethView`, so the
app's map component, the legend and the static exports draw it unchanged.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from locales import t

from .choropleth import ChoroplethView
from .classify import NO_CLASS, LegendEntry
from .palettes import NO_DATA_COLOUR, NO_DATA_LABEL, get_palette

#: Traffic-light colours of the early-warning statuses, from the palettes' ColorBrewer lists:
#: a dark red, a light yellow and a mid green differ in lightness as well as hue (so they stay
#: apart for red-green colour blindness), and "ahead" is a blue; no data is the usual grey.
TRAFFIC_LIGHT: Mapping[str, str] = {
    "red": get_palette("YlOrRd", 5)[4],        # #bd0026
    "yellow": get_palette("YlOrRd", 5)[1],     # #fecc5c
    "green": get_palette("Greens", 5)[2],      # #74c476
    "ahead": get_palette("Blues", 5)[3],       # #3182bd
    "no data": NO_DATA_COLOUR,
}


def build_categorical(region_ids: Sequence[str], categories: pd.Series,
                      classes: Sequence[tuple[str, str, str]], *, title: str,
                      subtitle: str = "", notes: Sequence[str] = (),
                      tooltip_rows: Sequence[tuple[str, Sequence[str]]] = (),
                      value_text: pd.Series | None = None,
                      selected: str | None = None) -> ChoroplethView:
    """Colour every feature of a layer by its category.

    ``categories`` is indexed by region id; ``classes`` lists ``(category, legend label,
    colour)`` in legend order. Regions whose category is missing or not listed fall in the
    "No data" class (grey, last in the legend, with its count). ``value_text`` (by region id)
    is what the tooltip shows as the value (default: the class label); ``tooltip_rows`` are
    further ``(label, text per feature)`` rows, in feature order.
    """
    ids = [str(r) for r in region_ids]
    if len({c for c, _, _ in classes}) != len(classes):
        raise ValueError("each category may be listed once in classes")
    cat = categories.copy()
    cat.index = cat.index.astype(str)
    cat = cat[~cat.index.duplicated()].reindex(ids)
    pos = {c: i for i, (c, _, _) in enumerate(classes)}
    class_ids = np.array([pos.get(c, NO_CLASS) if isinstance(c, str) else NO_CLASS
                          for c in cat.tolist()], dtype=np.int64)
    counts = np.bincount(class_ids[class_ids >= 0], minlength=len(classes))
    legend = [LegendEntry(label=label, colour=colour, count=int(n), class_id=i)
              for i, ((_, label, colour), n) in enumerate(zip(classes, counts))]
    no_data = t(NO_DATA_LABEL)
    legend.append(LegendEntry(label=no_data, colour=NO_DATA_COLOUR,
                              count=int((class_ids < 0).sum()), class_id=NO_CLASS))
    labels = [classes[c][1] if c >= 0 else no_data for c in class_ids.tolist()]
    if value_text is not None:
        vt = value_text.copy()
        vt.index = vt.index.astype(str)
        vt = vt[~vt.index.duplicated()].reindex(ids)
        labels = [str(v) if isinstance(v, str) else lab for v, lab in zip(vt.tolist(), labels)]
    rows = []
    for label, texts in tooltip_rows:
        texts = tuple(str(x) for x in texts)
        if len(texts) != len(ids):
            raise ValueError(f"tooltip row {label!r} has {len(texts)} texts for {len(ids)} "
                             "features")
        rows.append((label, texts))
    return ChoroplethView(
        region_ids=tuple(ids), class_ids=class_ids,
        class_colours=tuple(colour for _, _, colour in classes), legend=tuple(legend),
        values=pd.Series(np.where(class_ids >= 0, class_ids, np.nan).astype(float), index=ids),
        value_text=tuple(labels), tooltip_rows=tuple(rows), title=title,
        subtitle=subtitle, unit="", notes=tuple(notes), scheme="categories",
        palette="categories", selected=selected)
