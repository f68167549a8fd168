"""Offline asset handling for folium maps (layers/assets.py)."""

from __future__ import annotations

import re

import branca.colormap
import folium
import pytest

from layers import assets
from layers.assets import (
    OfflineAssetError,
    inline_assets_html,
    local_asset_urls,
    localize_folium,
    remote_assets,
    standalone_html,
)

POLYGONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "A", "value": 1},
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
        },
        {
            "type": "Feature",
            "properties": {"name": "B", "value": 2},
            "geometry": {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]},
        },
    ],
}

HTTP = re.compile(r"^\s*(https?:)?//", re.I)


def tiny_map(**kwargs) -> folium.Map:
    m = folium.Map(location=[0.5, 1.0], zoom_start=6, tiles=None, **kwargs)
    folium.GeoJson(
        POLYGONS,
        name="parcels",
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"]),
        popup=folium.GeoJsonPopup(fields=["name"]),
    ).add_to(m)
    folium.Marker([0.5, 0.5], tooltip="marker").add_to(m)
    return m


def all_links(m):
    for elem in assets.walk(m):
        for name, url in list(getattr(elem, "default_js", [])) + list(getattr(elem, "default_css", [])):
            yield elem, name, url


def test_local_asset_urls_default_and_base_path():
    urls = local_asset_urls()
    assert urls["leaflet_js"] == "/app/static/vendor/leaflet/leaflet.js"
    assert urls["leaflet_css"] == "/app/static/vendor/leaflet/leaflet.css"
    for base in ("gis", "/gis", "/gis/", " gis/ "):
        urls = local_asset_urls(base)
        assert urls["leaflet_js"] == "/gis/app/static/vendor/leaflet/leaflet.js"
        assert urls["leaflet_css"] == "/gis/app/static/vendor/leaflet/leaflet.css"


def test_vendored_files_exist():
    for key in ("leaflet_js", "leaflet_css"):
        rel = local_asset_urls()[key].removeprefix("/app/static/")
        path = assets.STATIC_DIR / rel
        assert path.is_file() and path.stat().st_size > 1000
    js = (assets.STATIC_DIR / "vendor/leaflet/leaflet.js").read_text()
    assert f'version="{assets.LEAFLET_VERSION}"' in js


def test_plain_folium_map_uses_cdns():
    # Guard: if folium ever stops using CDNs this suite should be revisited.
    assert remote_assets(tiny_map())


def test_localize_removes_every_remote_asset():
    m = localize_folium(tiny_map())
    links = list(all_links(m))
    assert links, "the map must still declare Leaflet"
    for elem, name, url in links:
        assert not HTTP.match(url), (elem, name, url)
    urls = {url for _, _, url in links}
    assert urls == {"/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.css"}
    assert remote_assets(m) == []


def test_localize_honours_base_url_path_and_is_idempotent():
    m = localize_folium(localize_folium(tiny_map()), base_url_path="gis")
    localize_folium(m, base_url_path="gis")
    urls = {url for _, _, url in all_links(m)}
    assert urls == {"/gis/app/static/vendor/leaflet/leaflet.js", "/gis/app/static/vendor/leaflet/leaflet.css"}


def test_localize_does_not_touch_folium_class_defaults():
    before = list(folium.Map.default_js)
    localize_folium(tiny_map())
    assert folium.Map.default_js == before
    assert remote_assets(tiny_map())


def test_localize_cleans_header_of_previously_rendered_map():
    m = tiny_map()
    m.get_root().render()  # header now holds CDN <script>/<link> children
    localize_folium(m)
    html = m.get_root().render()
    assert not re.search(r"<script[^>]*src=\"https?:", html)
    assert not re.search(r"<link[^>]*href=\"https?:", html)


def test_streamlit_folium_sees_only_local_links():
    # Same traversal streamlit_folium.st_folium uses to build js_links/css_links.
    m = localize_folium(tiny_map())
    js = [src for e in assets.walk(m) for _, src in getattr(e, "default_js", [])]
    css = [href for e in assets.walk(m) for _, href in getattr(e, "default_css", [])]
    assert all(u.startswith("/app/static/vendor/") for u in js + css)
    assert not any(isinstance(e, branca.colormap.ColorMap) for e in assets.walk(m))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda m: folium.Marker([0, 0], icon=folium.Icon(color="red")).add_to(m), id="awesome-icon"),
        pytest.param(lambda m: folium.Marker([0, 0], popup="hello").add_to(m), id="jquery-popup"),
        pytest.param(lambda m: branca.colormap.LinearColormap(["white", "red"]).add_to(m), id="d3-colormap"),
        pytest.param(lambda m: folium.TileLayer("OpenStreetMap").add_to(m), id="remote-tiles"),
        pytest.param(lambda m: folium.plugins.Fullscreen().add_to(m), id="plugin-cdn"),
    ],
)
def test_localize_rejects_elements_needing_unvendored_assets(build):
    m = tiny_map()
    build(m)
    with pytest.raises(OfflineAssetError):
        localize_folium(m)


def test_default_tiles_are_rejected_unless_dropped():
    with pytest.raises(OfflineAssetError, match="tiles=None"):
        localize_folium(folium.Map(location=[0, 0]))
    m = localize_folium(folium.Map(location=[0, 0]), drop_remote_tiles=True)
    assert not any(isinstance(e, folium.TileLayer) for e in assets.walk(m))
    assert "tile.openstreetmap" not in m.get_root().render()


def test_colormap_can_be_dropped():
    m = tiny_map()
    branca.colormap.LinearColormap(["white", "red"]).add_to(m)
    localize_folium(m, drop_colormaps=True)
    assert remote_assets(m) == []


def test_standalone_html_is_offline():
    html = standalone_html(tiny_map())
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"<script[^>]*\bsrc=", html, re.I)
    assert "/app/static/" not in html
    assert 'version="1.9.4"' in html  # Leaflet inlined
    assert ".leaflet-container" in html  # leaflet.css inlined
    assert "url(images/" not in html  # css images became data URIs
    assert "data:image/png;base64," in html
    assert "L.Icon.Default.mergeOptions" in html


def test_inline_assets_html_refuses_remote_leftovers():
    page = '<html><head><script src="https://cdn.example.org/x.js"></script></head></html>'
    with pytest.raises(OfflineAssetError):
        inline_assets_html(page)
    page = '<html><head><link rel="stylesheet" href="//cdn.example.org/x.css"/></head></html>'
    with pytest.raises(OfflineAssetError):
        inline_assets_html(page)
