"""The hearing pack: one PDF of the saved views in order.

Page 1 is a cover (workspace, date, data date, the list of views), then a table of the key
figures of every view (:class:`geodata.figures.KeyFigures`, the figures One map and the slides
show), then one page per view drawn by the static renderer with the same classes and colours
as the screen, its key figures under the map.
"""
from __future__ import annotations

import io
import textwrap
from datetime import date
from typing import Callable, Iterator, Sequence

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geodata.dataset import WorkspaceData
from layers.render_static import PAGE_SIZES, StaticLayer, draw, text_rc
from locales import t

from .compose import Composed, compose
from .maps import footnotes, legend_title, static_layer
from .views_store import SavedView

INK = "#1a1a1a"
ROWS_PER_PAGE = 10
#: Most key figures a view has (money: total, per resident or rate, with data, not placed).
FIGURE_COLUMNS = 4


def _cover(fig: Figure, data: WorkspaceData, items: list[tuple[SavedView, Composed]],
           title: str) -> None:
    ws = data.ws
    fig.text(0.07, 0.84, title, fontsize=30, fontweight="bold", color=INK)
    fig.text(0.07, 0.78, ws.title, fontsize=18, color="#333333")
    today = date.today().isoformat()
    sub = t("Prepared {date} · data as of {data_date}", date=today,
            data_date=str(ws.data_date)) if ws.data_date else t("Prepared {date}", date=today)
    fig.text(0.07, 0.74, sub, fontsize=12, color="#555555")
    y = 0.66
    fig.text(0.07, y, t("In this pack"), fontsize=14, fontweight="bold", color=INK)
    y -= 0.045
    for i, (sv, _c) in enumerate(items[:16], start=1):
        line = t("{i}.  {title} — {note}", i=str(i), title=sv.title, note=sv.note) if sv.note \
            else t("{i}.  {title}", i=str(i), title=sv.title)
        fig.text(0.09, y, textwrap.shorten(line, 130), fontsize=11.5, color=INK)
        y -= 0.036
    if len(items) > 16:
        fig.text(0.09, y, t("… and {n} more", n=f"{len(items) - 16:,}"), fontsize=11.5,
                 color=INK)
    fig.text(0.07, 0.05, t("Maps use the classes and colours shown on screen. Every view can "
                           "be reopened in the app from the Hearing page, where it is saved "
                           "with its link."), fontsize=9, color="#555555")


def figure_cell(label: str, value: str) -> str:
    """One key figure in a cell of the pack's table: its label over its value."""
    return f"{label}\n{value}"


def figure_rows(items: Sequence[tuple[SavedView, Composed]]) -> list[list[str]]:
    """The rows of the key figures table: number, view title, then each figure of the view
    (label and value as One map and the slides show them; views of another kind have
    others, so each cell names its figure)."""
    rows = []
    for i, (sv, c) in enumerate(items, start=1):
        cells = [figure_cell(f.label, f.value) for f in c.figures.items()]
        cells += [""] * (FIGURE_COLUMNS - len(cells))
        title = textwrap.fill(textwrap.shorten(sv.title, 60), 30, max_lines=2)
        rows.append([str(i), title] + cells[:FIGURE_COLUMNS])
    return rows


def _figures_pages(size, items: list[tuple[SavedView, Composed]]) -> Iterator[Figure]:
    cols = [t("#"), t("View")] + [""] * FIGURE_COLUMNS
    rows = figure_rows(items)
    for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
        fig = Figure(figsize=size)
        fig.text(0.05, 0.92, t("Key figures"), fontsize=22, fontweight="bold", color=INK)
        fig.text(0.05, 0.875, t("Each view's figures as the app shows them. Per resident: money "
                                "of the regions that have a population over their residents."),
                 fontsize=10.5, color="#444444")
        ax = fig.add_axes((0.05, 0.06, 0.9, 0.78))
        ax.set_axis_off()
        chunk = rows[start:start + ROWS_PER_PAGE] or [["", t("No saved views")] +
                                                      [""] * FIGURE_COLUMNS]
        tab = ax.table(cellText=chunk, colLabels=cols, loc="upper left", cellLoc="left",
                       colLoc="left", colWidths=[0.04, 0.24] + [0.18] * FIGURE_COLUMNS)
        tab.auto_set_font_size(False)
        tab.set_fontsize(10)
        tab.scale(1, 3.0)
        for (r, _col), cell in tab.get_celld().items():
            cell.set_edgecolor("#bbbbbb")
            if r == 0:
                cell.set_text_props(fontweight="bold")
                cell.set_facecolor("#eeeeee")
                cell.set_height(cell.get_height() / 2)
        yield fig


def pack_pages(data: WorkspaceData, views: Sequence[SavedView], *, size: str = "a4",
               title: str | None = None,
               layer_for: Callable[[str], StaticLayer] | None = None,
               compose_view: Callable[[dict], Composed] | None = None) -> Iterator[Figure]:
    """The pages of the pack, in order: cover, key figures, one map page per view.

    ``layer_for`` prepares a level's boundaries (the app passes its cache; once per level
    here otherwise); ``compose_view`` composes a saved view's query (the app passes
    :func:`exports.compose.compose` with its caches)."""
    if size not in PAGE_SIZES:
        raise ValueError(f"size {size!r} is not one of {', '.join(PAGE_SIZES)}")
    title = title or t("Hearing pack")
    layers: dict[str, StaticLayer] = {}

    def get_layer(level: str) -> StaticLayer:
        if level not in layers:
            layers[level] = layer_for(level) if layer_for else static_layer(data, level)
        return layers[level]

    make = compose_view or (lambda q: compose(data, q))
    items = [(sv, make(sv.query)) for sv in views]
    page = PAGE_SIZES[size]
    cover = Figure(figsize=page)
    _cover(cover, data, items, title)
    yield cover
    yield from _figures_pages(page, items)
    for i, (sv, c) in enumerate(items, start=1):
        foot = footnotes(c)
        if c.ignored:
            foot.insert(0, t("Link parameters ignored: {params}", params="; ".join(c.ignored)))
        foot.insert(0, c.figures.line())
        snap = draw(get_layer(c.vs.level), c.view, title=f"{i}. {sv.title}",
                    subtitle=f"{c.title} · {c.subtitle}", note=sv.note,
                    source=c.source, footnotes=foot, size=size, dpi=72,
                    overlays=c.static_overlays, legend_title=legend_title(c))
        yield snap.figure


def hearing_pack(data: WorkspaceData, views: Sequence[SavedView], *, size: str = "a4",
                 title: str | None = None,
                 layers: dict[str, StaticLayer] | None = None,
                 layer_for: Callable[[str], StaticLayer] | None = None,
                 compose_view: Callable[[dict], Composed] | None = None) -> bytes:
    """One PDF of ``views`` in order: cover, key figures, one map page per view (see
    :func:`pack_pages`; ``layers`` is a dict of prepared levels to reuse and fill)."""
    if layers is not None:
        cache = layers

        def layer_for(level: str, _outer=layer_for) -> StaticLayer:
            if level not in cache:
                cache[level] = _outer(level) if _outer else static_layer(data, level)
            return cache[level]
    title = title or t("Hearing pack")
    buf = io.BytesIO()
    with matplotlib.rc_context(text_rc()), \
            PdfPages(buf, metadata={"Title": f"{title}: {data.ws.title}",
                                    "Creator": "fiscal map"}) as pdf:
        for fig in pack_pages(data, views, size=size, title=title, layer_for=layer_for,
                              compose_view=compose_view):
            pdf.savefig(fig)
    return buf.getvalue()
