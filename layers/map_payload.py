"""What a choropleth map is drawn from, as the browser reads it: the drawing options and the
per-region values of a ChoroplethView. Shared by the app's map component and the folium
renderer; imports no map library, so a page that only shows the component loads none."""
from __future__ import annotations

from dataclasses import dataclass

from .choropleth import ChoroplethView
from .geometry import safe_json
from .web import FISCALMAP_CSS as _CSS


@dataclass(frozen=True)
class MapOptions:
    height: int = 560
    tile_url: str | None = None          # a tile server the site runs; None = no basemap
    tile_attribution: str = ""
    line_colour: str = "#ffffff"
    line_weight: float = 0.4
    selected_colour: str = "#111111"
    fill_opacity: float = 0.88
    legend_position: str = "bottomright"
    title_on_map: bool = False
    large_type: bool = False             # presentation: legend and tooltips legible far away
    high_contrast: bool = False          # presentation: white ground, black text and borders


def map_options_json(view: ChoroplethView, options: MapOptions, **extra) -> str:
    """The drawing options fmChoropleth reads (O), as JSON."""
    return safe_json({"fo": options.fill_opacity, "line": options.line_colour,
                      "lw": options.line_weight, "sel": options.selected_colour,
                      "legend_pos": options.legend_position,
                      "title": view.title if options.title_on_map else "", "css": _CSS,
                      "cls": " ".join(c for c, on in (("fm-large", options.large_type),
                                                      ("fm-hc", options.high_contrast)) if on),
                      **extra})


def values_payload(view: ChoroplethView) -> str:
    """The per-feature part of the map: what changes when only the values change."""
    legend = [[e.label, e.colour, f"{e.count:,}", e.class_id] for e in view.legend]
    return safe_json({
        "c": view.class_ids.tolist(), "pal": list(view.class_colours), "nd": view.no_data_colour,
        "v": list(view.value_text), "label": view.title,
        "rows": [[label, list(texts)] for label, texts in view.tooltip_rows],
        "legend": legend, "unit_label": view.subtitle or view.unit, "sel": view.selected,
    })
