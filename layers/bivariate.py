"""Money and results on one map: a 3×3 bivariate choropleth.

Each region falls in a tertile of money (x: low, middle, high) and a tertile of an outcome
(y). Its colour is ``BIVARIATE_3X3[y][x]``: grey where both are low, one hue growing with money,
the other with the outcome, dark where both are high. The result is an ordinary
:class:`~layers.choropleth.ChoroplethView` (class id = 3·y + x), so every renderer and the
export draw it with the same colours.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .choropleth import ChoroplethView, rank_text, value_formatter
from .classify import LegendEntry, classify
from .numbers import format_number, no_data
from .palettes import BIVARIATE_3X3, NO_DATA_COLOUR
from locales import N_, t

#: The three tertiles, low → high (message ids: shown through ``t``).
LEVELS = (N_("low"), N_("middle"), N_("high"))


@dataclass(frozen=True)
class BivariateLegend:
    x_label: str
    y_label: str
    x_ranges: tuple[str, ...]     # tertile ranges of x, low → high
    y_ranges: tuple[str, ...]
    colours: tuple[tuple[str, ...], ...]   # [y][x]
    counts: tuple[tuple[int, ...], ...]    # [y][x]
    no_data: int


def tertiles(values: pd.Series):
    """Class 0..2 per value (-1 for missing) and the range label of each tertile."""
    cls = classify(values, "quantiles", 3)
    ids = cls.class_ids.to_numpy().astype(np.int64)
    if 0 < cls.k < 3:
        # Too few distinct values for three classes: spread what there is over low..high.
        ids = np.where(ids >= 0, np.round(ids * 2 / max(cls.k - 1, 1)).astype(np.int64), -1)
    return ids, cls


def build_bivariate(region_ids, x: pd.Series, y: pd.Series, *, x_label: str, y_label: str,
                    x_unit: str, y_unit: str, population: pd.Series | None = None,
                    selected: str | None = None) -> tuple[ChoroplethView, BivariateLegend]:
    ids = [str(r) for r in region_ids]

    def align(s: pd.Series) -> pd.Series:
        s = pd.to_numeric(s, errors="coerce").astype(float)
        s.index = s.index.astype(str)
        s = s[~s.index.duplicated()].reindex(ids)
        return s.where(np.isfinite(s))

    xv, yv = align(x), align(y)
    both = xv.notna() & yv.notna()
    xi, xcls = tertiles(xv.where(both))
    yi, ycls = tertiles(yv.where(both))
    cid = np.where((xi >= 0) & (yi >= 0), yi * 3 + xi, -1)
    colours = tuple(BIVARIATE_3X3[b][a] for b in range(3) for a in range(3))
    counts = [[int(((yi == b) & (xi == a)).sum()) for a in range(3)] for b in range(3)]
    fx, fy = value_formatter(x_unit), value_formatter(y_unit)
    levels = tuple(t(lv) for lv in LEVELS)
    x_ranges = tuple(xcls.labels(fx)) if xcls.k == 3 else levels
    y_ranges = tuple(ycls.labels(fy)) if ycls.k == 3 else levels
    legend = [LegendEntry(label=t("{x} {x_level}, {y} {y_level}", x=x_label, x_level=levels[a],
                                  y=y_label, y_level=levels[b]),
                          colour=BIVARIATE_3X3[b][a], count=counts[b][a], class_id=b * 3 + a)
              for b in range(3) for a in range(3)]
    legend.append(LegendEntry(no_data(), NO_DATA_COLOUR, int((cid < 0).sum()), -1))
    rows = [(y_label, tuple(fy(v) for v in yv.tolist()))]
    if population is not None:
        p = pd.to_numeric(population, errors="coerce")
        p.index = p.index.astype(str)
        p = p[~p.index.duplicated()].reindex(ids)
        rows.append((t("Population"), tuple(format_number(v, compact=False) if pd.notna(v)
                                            else "—" for v in p)))
    rows.append((t("Rank by {what}", what=x_label.lower()), tuple(rank_text(xv).tolist())))
    view = ChoroplethView(
        region_ids=tuple(ids), class_ids=cid.astype(np.int64), class_colours=colours,
        legend=tuple(legend), values=xv, value_text=tuple(fx(v) for v in xv.tolist()),
        tooltip_rows=tuple(rows), title=x_label, subtitle=f"{x_label} × {y_label}",
        unit=x_unit, scheme="bivariate tertiles", palette="bivariate 3×3", selected=selected)
    blegend = BivariateLegend(
        x_label=x_label, y_label=y_label, x_ranges=x_ranges, y_ranges=y_ranges,
        colours=tuple(tuple(BIVARIATE_3X3[b][a] for a in range(3)) for b in range(3)),
        counts=tuple(tuple(r) for r in counts), no_data=int((cid < 0).sum()))
    return view, blegend


def legend_html(legend: BivariateLegend) -> str:
    """A 3×3 grid legend (outcome up, money right) as HTML with every label escaped."""
    from html import escape
    cells = []
    levels = [t(lv) for lv in LEVELS]
    for b in (2, 1, 0):
        row = [f'<td style="padding:2px 6px;font-size:12px;text-align:right">'
               f'{escape(legend.y_ranges[b])}</td>']
        for a in range(3):
            row.append(f'<td title="{escape(levels[a])} / {escape(levels[b])}" '
                       f'style="width:44px;height:30px;background:{legend.colours[b][a]};'
                       f'text-align:center;font-size:12px;color:#111">{legend.counts[b][a]}</td>')
        cells.append("<tr>" + "".join(row) + "</tr>")
    xr = "".join(f'<td style="font-size:11px;text-align:center;padding:2px">{escape(r)}</td>'
                 for r in legend.x_ranges)
    cells.append(f"<tr><td></td>{xr}</tr>")
    return (f'<div style="font-family:system-ui,sans-serif">'
            f'<div style="font-size:13px;font-weight:600">↑ {escape(legend.y_label)}</div>'
            f'<table style="border-collapse:separate;border-spacing:2px">{"".join(cells)}</table>'
            f'<div style="font-size:13px;font-weight:600;text-align:right">'
            f'{escape(legend.x_label)} →</div>'
            f'<div style="font-size:12px;color:#555">'
            f'{escape(t("No data: {n}", n=format_number(legend.no_data)))}</div></div>')
