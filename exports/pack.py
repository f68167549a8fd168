"""The hearing pack: one PDF of the saved views in order.

Page 1 is a cover (workspace, date, the list of views), then a table of the key figures of
every view (total on the map, per resident, regions with data, not placed), then one page
per view drawn by the static renderer with the same classes and colours as the screen.
"""
from __future__ import annotations

import io
import textwrap
from datetime import date
from typing import Callable, Sequence

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geodata.dataset import WorkspaceData
from layers.render_static import NO_MATHTEXT, PAGE_SIZES, StaticLayer, draw

from .compose import Composed, compose
from .maps import footnotes, legend_title, static_layer
from .views_store import SavedView

INK = "#1a1a1a"
ROWS_PER_PAGE = 14


def _cover(fig: Figure, data: WorkspaceData, items: list[tuple[SavedView, Composed]],
           title: str) -> None:
    ws = data.ws
    fig.text(0.07, 0.84, title, fontsize=30, fontweight="bold", color=INK)
    fig.text(0.07, 0.78, ws.title, fontsize=18, color="#333333")
    sub = f"Prepared {date.today().isoformat()}"
    if ws.data_date:
        sub += f" · data as of {ws.data_date}"
    fig.text(0.07, 0.74, sub, fontsize=12, color="#555555")
    y = 0.66
    fig.text(0.07, y, "In this pack", fontsize=14, fontweight="bold", color=INK)
    y -= 0.045
    for i, (sv, _c) in enumerate(items[:16], start=1):
        line = f"{i}.  {sv.title}"
        if sv.note:
            line += f" — {sv.note}"
        fig.text(0.09, y, textwrap.shorten(line, 130), fontsize=11.5, color=INK)
        y -= 0.036
    if len(items) > 16:
        fig.text(0.09, y, f"… and {len(items) - 16} more", fontsize=11.5, color=INK)
    fig.text(0.07, 0.05, "Maps use the classes and colours shown on screen. Every view can be "
             "reopened in the app from the Hearing page, where it is saved with its link.",
             fontsize=9, color="#555555")


def _figures_pages(pdf: PdfPages, size, items: list[tuple[SavedView, Composed]]) -> None:
    cols = ["#", "View", "Total on the map", "Per resident", "With data", "Not placed"]
    rows = []
    for i, (sv, c) in enumerate(items, start=1):
        t = c.figures.texts()
        with_data = next(v for k, v in t.items() if k.endswith("with data"))
        rows.append([str(i), textwrap.shorten(sv.title, 48), t["Total on the map"],
                     t["Per resident"], with_data, t["Not placed on the map"]])
    for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
        fig = Figure(figsize=size)
        fig.text(0.05, 0.92, "Key figures", fontsize=22, fontweight="bold", color=INK)
        fig.text(0.05, 0.875, "Money on the map and what could not be placed, per view "
                 "(allocations); regions with a value (all views).", fontsize=10.5,
                 color="#444444")
        ax = fig.add_axes((0.05, 0.08, 0.9, 0.76))
        ax.set_axis_off()
        chunk = rows[start:start + ROWS_PER_PAGE] or [["", "No saved views", "", "", "", ""]]
        tab = ax.table(cellText=chunk, colLabels=cols, loc="upper left", cellLoc="left",
                       colLoc="left", colWidths=[0.04, 0.38, 0.15, 0.13, 0.14, 0.16])
        tab.auto_set_font_size(False)
        tab.set_fontsize(10.5)
        tab.scale(1, 1.7)
        for (r, _col), cell in tab.get_celld().items():
            cell.set_edgecolor("#bbbbbb")
            if r == 0:
                cell.set_text_props(fontweight="bold")
                cell.set_facecolor("#eeeeee")
        pdf.savefig(fig)


def hearing_pack(data: WorkspaceData, views: Sequence[SavedView], *, size: str = "a4",
                 title: str = "Hearing pack",
                 layers: dict[str, StaticLayer] | None = None,
                 layer_for: Callable[[str], StaticLayer] | None = None) -> bytes:
    """One PDF of ``views`` in order: cover, key figures, one map page per view.

    Boundary layers are prepared once per level (pass ``layer_for`` to reuse a cache).
    """
    if size not in PAGE_SIZES:
        raise ValueError(f"size {size!r} is not one of {', '.join(PAGE_SIZES)}")
    layers = {} if layers is None else layers

    def get_layer(level: str) -> StaticLayer:
        if level not in layers:
            layers[level] = layer_for(level) if layer_for else static_layer(data, level)
        return layers[level]

    items = [(sv, compose(data, sv.query)) for sv in views]
    buf = io.BytesIO()
    page = PAGE_SIZES[size]
    with matplotlib.rc_context(NO_MATHTEXT), PdfPages(buf, metadata={"Title": f"{title}: {data.ws.title}",
                                 "Creator": "fiscal map"}) as pdf:
        cover = Figure(figsize=page)
        _cover(cover, data, items, title)
        pdf.savefig(cover)
        _figures_pages(pdf, page, items)
        for i, (sv, c) in enumerate(items, start=1):
            foot = footnotes(c)
            if c.ignored:
                foot.insert(0, "Link parameters ignored: " + "; ".join(c.ignored))
            texts = c.figures.texts()
            foot.insert(0, " · ".join(f"{k}: {v}" for k, v in texts.items()))
            snap = draw(get_layer(c.vs.level), c.view, title=f"{i}. {sv.title}",
                        subtitle=f"{c.title} · {c.subtitle}", note=sv.note,
                        source=c.source, footnotes=foot, size=size, dpi=72,
                        overlays=c.static_overlays, legend_title=legend_title(c))
            pdf.savefig(snap.figure)
    return buf.getvalue()
