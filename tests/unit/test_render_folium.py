"""The Leaflet renderer: offline assets only, data text escaped, features in the layer's order."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from layers.assets import assert_no_remote_assets, localize_folium
from layers.choropleth import build_choropleth
from layers.geometry import encode_layer
from layers.render_folium import MapOptions, build_map, values_payload
from tests.fixtures.helpers import XSS_NAME, square

REMOTE = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.I)


@pytest.fixture
def layer():
    gdf = gpd.GeoDataFrame({"region_id": ["01", "02", "03"],
                            "name": ["Alpha", XSS_NAME, "Gamma </script> & co"]},
                           geometry=[square(0, 0), square(1, 0), square(2, 0)], crs=4326)
    return encode_layer(gdf)


@pytest.fixture
def view(layer):
    values = pd.Series({"01": 10.0, "02": 20.0})          # 03: No data
    return build_choropleth(layer.region_ids, values, title="Grants <b>2024</b>", unit="USD", k=3,
                            population=pd.Series({"01": 100, "02": 200, "03": 300}))


def render(layer, view, **opts) -> str:
    m = build_map(layer, view, MapOptions(**opts))
    localize_folium(m)
    return m.get_root().render()


def test_no_remote_script_or_stylesheet(layer, view):
    html = render(layer, view)
    assert not REMOTE.search(html), REMOTE.search(html)
    assert_no_remote_assets(html)
    assert "/app/static/" in html                       # the vendored Leaflet


def test_no_basemap_by_default(layer, view):
    assert "L.tileLayer(" not in render(layer, view)


def test_configured_basemap_reaches_the_map_component(layer, view, monkeypatch):
    """A tile server the site runs (manifest or FISCALMAP_TILE_URL) is the only tile source
    the on-screen map is given; without one there is no basemap."""
    from layers.map_payload import map_options_json
    from ui.mapview import TILE_URL_ENV, map_options
    monkeypatch.delenv(TILE_URL_ENV, raising=False)
    assert map_options({}).tile_url is None
    opts = map_options({"map": {"tile_url": "http://127.0.0.1:8080/{z}/{x}/{y}.png",
                                "tile_attribution": "City GIS"}})
    assert (opts.tile_url, opts.tile_attribution) == ("http://127.0.0.1:8080/{z}/{x}/{y}.png",
                                                      "City GIS")
    monkeypatch.setenv(TILE_URL_ENV, "http://127.0.0.1:9090/{z}/{x}/{y}.png")
    assert map_options({"map": {"tile_url": "http://x/{z}"}}).tile_url == \
        "http://127.0.0.1:9090/{z}/{x}/{y}.png"
    payload = json.loads(map_options_json(view, opts, tile_url=opts.tile_url))
    assert payload["tile_url"] == "http://127.0.0.1:8080/{z}/{x}/{y}.png"


def test_hostile_region_name_is_never_markup(layer, view):
    html = render(layer, view)
    assert XSS_NAME not in html
    assert "<img" not in html
    assert "Gamma </script>" not in html
    assert "<b>2024" not in html
    # It travels inside a JSON string, with '<' escaped, and decodes to the same text.
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    payload = json.loads(layer.json)
    assert payload["names"][1] == XSS_NAME


def test_tooltips_and_legend_are_built_as_dom_text(layer, view):
    html = render(layer, view)
    assert ".textContent = G.names[i]" in html
    assert "innerHTML" not in html


def test_values_payload_matches_the_view(view):
    p = json.loads(values_payload(view))
    assert p["c"] == view.class_ids.tolist()
    assert p["pal"] == list(view.class_colours)
    assert p["v"] == list(view.value_text)
    assert [row[3] for row in p["legend"]][-1] == -1
    assert p["legend"][-1][0] == "No data" and p["legend"][-1][2] == "1"
    assert [r[0] for r in p["rows"]] == ["Population", "Rank"]


def test_features_out_of_order_raise(layer, view):
    shuffled = build_choropleth(list(reversed(layer.region_ids)), view.values, title="x", unit="USD")
    with pytest.raises(ValueError, match="order"):
        build_map(layer, shuffled)
    fewer = build_choropleth(layer.region_ids[:2], view.values, title="x", unit="USD")
    with pytest.raises(ValueError):
        build_map(layer, fewer)


def test_geometry_with_template_like_text_survives(view):
    """Encoded rings may contain '{{' or '{#': they must not be treated as a template."""
    gdf = gpd.GeoDataFrame({"region_id": ["01", "02", "03"], "name": ["{{ boom }}", "{# x", "{%"]},
                           geometry=[square(0, 0), square(1, 0), square(2, 0)], crs=4326)
    enc = encode_layer(gdf)
    html = render(enc, view)
    assert "{{ boom }}" in html and "{# x" in html
