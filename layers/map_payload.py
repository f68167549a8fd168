"""What a choropleth map is drawn from, as the browser reads it: the drawing options and the
per-region values of a ChoroplethView. Shared by the app's map component and the folium
renderer; imports no map library, so a page that only shows the component loads none."""
from __future__ import annotations

from dataclasses import dataclass

from locales import current, t

from .choropleth import MARK_COLOUR, MARK_HALO, MARK_HALO_PX, MARK_WIDTH_PX, ChoroplethView
from .geometry import safe_json
from .numbers import unit_label
from .palettes import NO_DATA_LABEL
from .web import FISCALMAP_CSS as _CSS


@dataclass(frozen=True)
class MapOptions:
    #: Height of the map in px; in the app it is also capped by the browser window (below).
    height: int = 560
    tile_url: str | None = None          # a tile server the site runs; None = no basemap
    tile_attribution: str = ""
    line_colour: str = "#ffffff"
    line_weight: float = 0.4
    selected_colour: str = "#111111"
    fill_opacity: float = 0.88
    legend_position: str = "bottomright"
    #: Kept for callers that pass it: the legend always names the measure now.
    title_on_map: bool = False
    large_type: bool = False             # presentation: legend and tooltips legible far away
    high_contrast: bool = False          # presentation: white ground, black text and borders
    #: The app's map is never taller than the browser window leaves room for: a map near the
    #: top of the page ends above the window's bottom edge (with its legend), one further down
    #: fits the window when scrolled to; ``height`` is then the most it takes. False: always
    #: ``height``.
    fit_window: bool = True
    #: The window never squeezes the map below this height (px).
    min_height: int = 320


def map_options_json(view: ChoroplethView, options: MapOptions, **extra) -> str:
    """The drawing options fmChoropleth reads (O), as JSON, with the words the map shows in
    the reader's language (O.txt)."""
    title = view.title or ""
    return safe_json({"fo": options.fill_opacity, "line": options.line_colour,
                      "lw": options.line_weight, "sel": options.selected_colour,
                      "legend_pos": options.legend_position,
                      "title": title, "css": _CSS,
                      "cls": " ".join(c for c, on in (("fm-large", options.large_type),
                                                      ("fm-hc", options.high_contrast)) if on),
                      "fit": [16, int(options.min_height)] if options.fit_window else None,
                      "txt": map_words(title), **extra})


def map_words(title: str) -> dict[str, str]:
    """The words of the map itself: its accessible name, the skip link, the legend's column
    heads (the count column is headed by the regions' plural name when the layer has one)."""
    return {"name": t("Map: {title}", title=title) if title else t("Map"),
            "skip": t("Skip the map"), "cls": t("Class"), "count": t("Regions"),
            "hide": t("Hide"), "show": t("Show legend"),
            "lang": current()}


def values_payload(view: ChoroplethView) -> str:
    """The per-feature part of the map: what changes when only the values change. Marked
    regions (``view.marked``) travel with it: ``m`` their feature positions, ``mk`` the
    legend row [label, count] and ``mks`` the outline [colour, width, halo colour, halo width]
    (px)."""
    legend = [[t("No data") if e.class_id < 0 and e.label == NO_DATA_LABEL else e.label,
               e.colour, f"{e.count:,}", e.class_id] for e in view.legend]
    marks = {}
    if view.marked:
        positions = view.marked_positions()
        marks = {"m": positions, "mk": [view.marked_label or t("Marked"), f"{len(positions):,}"],
                 "mks": [MARK_COLOUR, MARK_WIDTH_PX, MARK_HALO, MARK_HALO_PX]}
    return safe_json({**marks,
        "c": view.class_ids.tolist(), "pal": list(view.class_colours), "nd": view.no_data_colour,
        "v": list(view.value_text), "label": view.title,
        "rows": [[label, list(texts)] for label, texts in view.tooltip_rows],
        "legend": legend, "unit_label": unit_label(view.subtitle or view.unit), "sel": view.selected,
    })
