"""Several maps of one layer that are read together: the years of a time slider, the two sides
of a side-by-side comparison.

:func:`frame_views` colours every frame through :func:`layers.choropleth.build_choropleth` (the
one place a value becomes a colour), with class breaks held fixed across the frames by default
(a colour means the same range in every frame) or recomputed per frame. In relative mode each
frame is classified around its own centre (the jurisdiction-wide rate of that frame).

:func:`mark_small` tells the reader which regions have too few residents for a stable rate:
their tooltip says so, and, when asked, they are drawn in a class of their own.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from locales import t

from .choropleth import ChoroplethView, build_choropleth, value_formatter
from .classify import LegendEntry, fixed_breaks_across, legend_entries

#: How regions with a small population are shown: a note in the tooltip only, or also a grey
#: class of their own (their rate is not coloured).
FLAG_STYLES = ("note", "grey")
FLAG_COLOUR = "#f0f0f0"


def frame_views(region_ids: Sequence[str], values_by_frame: Mapping[object, pd.Series], *,
                titles: Mapping[object, str], unit: str, scheme: str = "quantiles", k: int = 5,
                palette: str = "YlGnBu", reverse: bool = False, fixed: bool = True,
                centres: Mapping[object, float] | None = None,
                population: Mapping[object, pd.Series] | None = None,
                subtitle: str = "", selected: str | None = None,
                only: Sequence[object] | None = None) -> list[ChoroplethView]:
    """One ChoroplethView per frame (in the mapping's order), or per frame of ``only`` (the
    breaks still come from every frame: a time map draws one year of many).

    ``fixed``: breaks from the values of all frames pooled (``fixed_breaks_across``; with
    quantiles, each class holds about as many region-years), so each colour means the same
    range in every frame; otherwise each frame is classified on its own. ``centres``
    (relative mode): each frame is classified diverging around its own centre; with ``fixed``
    the offsets from the centre are shared by all frames. Frames without any finite value are
    shown as No data.
    """
    keys = list(values_by_frame)
    views = []
    breaks_by: dict[object, tuple[float, ...] | None] = {key: None for key in keys}
    lower_by: dict[object, float] = {}
    if fixed:
        try:
            if centres is None:
                common = fixed_breaks_across(values_by_frame, scheme, k)
                breaks_by = {key: common for key in keys}
                low = min(float(np.nanmin(pd.to_numeric(v, errors="coerce").to_numpy(float)))
                          for v in values_by_frame.values()
                          if pd.to_numeric(v, errors="coerce").notna().any())
                lower_by = {key: low for key in keys}
            else:
                dev = {key: pd.to_numeric(values_by_frame[key], errors="coerce") - centres[key]
                       for key in keys}
                offsets = np.asarray(fixed_breaks_across(dev, "diverging", k, centre=0.0))
                breaks_by = {key: tuple(float(x) for x in offsets + centres[key]) for key in keys}
                # symmetric around the centre: the lowest class starts as far below it as the
                # highest class ends above it
                lower_by = {key: centres[key] - float(offsets[-1]) for key in keys}
        except ValueError:  # no finite value anywhere: every frame is "No data"
            pass
    wanted = set(keys if only is None else only)
    for key in keys:
        if key not in wanted:
            continue
        vals = values_by_frame[key]
        br = breaks_by[key]
        if br is not None:
            sch, kw = "user_defined", dict(breaks=br)
        elif centres is not None:
            sch, kw = "diverging", dict(centre=centres[key])
        else:
            sch, kw = scheme, {}
        if not pd.to_numeric(vals, errors="coerce").notna().any() and sch == "user_defined":
            sch, kw = scheme, {}
        view = build_choropleth(
            region_ids, vals, title=titles[key], unit=unit, scheme=sch, k=k, palette=palette,
            reverse=reverse, population=None if population is None else population.get(key),
            subtitle=subtitle or unit, selected=selected, **kw)
        if sch == "user_defined" and key in lower_by:
            view = _same_legend(view, lower_by[key], palette, unit, reverse)
        views.append(view)
    return views


def _same_legend(view: ChoroplethView, lower: float, palette: str, unit: str,
                 reverse: bool) -> ChoroplethView:
    """The legend of a frame in shared classes, read from the lowest value of all frames, so
    every frame's legend shows the same ranges (a frame's own minimum would change the first
    one)."""
    cls = replace(view.classification, lower=lower)
    legend = legend_entries(cls, palette, value_formatter(unit), reverse=reverse)
    return replace(view, classification=cls, legend=tuple(legend))


def mark_small(view: ChoroplethView, flags: pd.Series, *, threshold: str,
               style: str = "note") -> ChoroplethView:
    """``view`` with the regions flagged in ``flags`` (region id → bool) marked.

    The tooltip's population line says the rate is unstable; with ``style="grey"`` the
    flagged regions that have a value also leave their class for a pale class of their own,
    after the others in the legend (its count is theirs; the other counts drop by as many),
    so the colours show only the stable rates. ``threshold`` is the population limit as shown.
    """
    if style not in FLAG_STYLES:
        raise ValueError(f"style must be one of {', '.join(FLAG_STYLES)}; got {style!r}")
    f = flags.reindex(list(view.region_ids)).fillna(False).astype(bool).to_numpy()
    if not f.any():
        return view
    rows = []
    for label, texts in view.tooltip_rows:
        if label in ("Population", t("Population")):
            texts = tuple(t("{population} (fewer than {threshold}: unstable rate)",
                            population=txt, threshold=threshold) if on else txt
                          for txt, on in zip(texts, f))
        rows.append((label, texts))
    view = replace(view, tooltip_rows=tuple(rows))
    if style == "note":
        return view
    ids = view.class_ids.copy()
    moved = f & (ids >= 0)
    if not moved.any():
        return view
    k = len(view.class_colours)
    lost = np.bincount(ids[moved], minlength=k)
    ids[moved] = k
    legend = [replace(e, count=e.count - int(lost[e.class_id])) if e.class_id >= 0 else e
              for e in view.legend]
    small = LegendEntry(label=t("Fewer than {threshold} residents", threshold=threshold),
                        colour=FLAG_COLOUR, count=int(moved.sum()), class_id=k)
    nd = [i for i, e in enumerate(legend) if e.class_id < 0]
    at = nd[0] if nd else len(legend)
    legend = legend[:at] + [small] + legend[at:]
    return replace(view, class_ids=ids, class_colours=(*view.class_colours, FLAG_COLOUR),
                   legend=tuple(legend))
