"""Interactive renderer: a Leaflet map (through folium) that draws a ChoroplethView offline.

The boundary shapes travel as the compact encoded payload of :mod:`layers.geometry` (built once
per layer and reused); only the small per-feature values (class, value text, tooltip rows)
change from one rerun to the next. The browser decodes the shapes, styles each feature from its
class and builds tooltips and the legend with DOM text nodes, so a region named
``<img src=x onerror=alert(1)>`` shows as text. No tile is loaded unless a basemap URL is set.
Marked regions (``ChoroplethView.marked``, e.g. outliers) travel with the values and are drawn
as in the app: a thick dark outline over a white halo, a legend row, a tooltip line saying why.
"""
from __future__ import annotations

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .choropleth import ChoroplethView
from .geometry import EncodedLayer
from .map_payload import MapOptions, map_options_json, values_payload  # noqa: F401 (re-exported)
from .web import FISCALMAP_CSS, FISCALMAP_JS

# The browser side, shared by every Leaflet renderer of the house (layers/web/fiscalmap.js):
# fmFeatures(G) decodes the shapes into GeoJSON features with properties {region_id, name, i}
# (i = feature index), fmStyle(css) adds the map's stylesheet once, fmChoropleth(map, G, V, O)
# draws a ChoroplethView.
DECODE_JS = FISCALMAP_JS
_CSS = FISCALMAP_CSS
_JS = DECODE_JS + """
fmChoropleth({{ this._parent.get_name() }}, {{ this.geometry }}, {{ this.values }}, {{ this.options }});
"""


class _RawElement(Element):
    """Text added to the page as it is: never compiled as a Jinja template (the encoded
    shapes may contain '{{' or '{#')."""

    def __init__(self, text: str):
        super().__init__("")
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class ScriptElement(MacroElement):
    """A map element whose script is ``js`` (a Jinja macro body) with JSON payloads as
    attributes. Its rendered script is added to the page as it is: branca's own render would
    compile it as a template again, and the encoded shapes may contain '{{' or '{#'."""

    js = ""

    def __init__(self, name: str, **payloads: str):
        super().__init__()
        self._name = name
        self._template = Template("{% macro script(this, kwargs) %}" + self.js + "{% endmacro %}")
        for key, value in payloads.items():
            setattr(self, key, value)

    def render(self, **kwargs):
        script = self._template.module.script(self, kwargs)
        self.get_root().script.add_child(_RawElement(script), name=self.get_name())


class _EncodedChoropleth(ScriptElement):
    js = _JS


def build_map(layer: EncodedLayer, view: ChoroplethView, options: MapOptions = MapOptions(),
              *, extra_layers: list | None = None) -> folium.Map:
    """A folium Map drawing ``view`` over the encoded ``layer`` (same feature order)."""
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError("the view's features are not in the layer's order; build the view "
                         "from layer.region_ids")
    w, s, e, n = layer.bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=4, tiles=None,
                   control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    if options.tile_url:
        folium.TileLayer(tiles=options.tile_url, attr=options.tile_attribution or "basemap",
                         name="Basemap").add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    opts = map_options_json(view, options)
    m.add_child(_EncodedChoropleth("EncodedChoropleth", geometry=layer.json,
                                   values=values_payload(view), options=opts))
    for extra in extra_layers or []:
        m.add_child(extra)
    return m
