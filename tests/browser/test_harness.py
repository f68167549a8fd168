"""Proves the browser harness on a scratch app (tests/browser/fixture_app.py).

The real dashboard gets its own tests through the ``streamlit_app`` fixture.
"""

from __future__ import annotations

import time

import folium
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from layers.assets import standalone_html
from tests.browser.conftest import ARTIFACTS, MAP_IFRAME, assert_offline, hover_feature, open_app, painted_paths, wait_for_map

pytestmark = pytest.mark.browser

FIXTURE_APP = "tests/browser/fixture_app.py"


def test_fixture_map_paints_offline_with_tooltip(streamlit_server, page):
    server = streamlit_server(FIXTURE_APP)
    open_app(page, server.url)

    frame = wait_for_map(page)
    assert painted_paths(frame).count() == 2
    # Leaflet came from our static folder, not a CDN.
    assert frame.evaluate("() => window.L && window.L.version") == "1.9.4"
    # The stylesheet may apply a moment after the first paint on a busy machine: wait for it.
    try:
        frame.wait_for_function(
            "() => getComputedStyle(document.querySelector('.leaflet-container')).overflow "
            "=== 'hidden'", timeout=15_000)
        css_ok = True
    except PlaywrightTimeout:
        css_ok = False
    assert css_ok, "leaflet.css was not applied"

    text = hover_feature(frame, 0)
    assert "Parcel" in text and ("North" in text or "South" in text)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "harness_fixture_map.png"))

    assert_offline(page)
    # Streamlit's frontend probes a few of its own endpoints and logs their 404s; any other
    # console error (a script that failed to load or threw) fails the test.
    errors = [e for e in page.console_errors
              if "the server responded with a status of 404" not in e]
    assert not errors, errors
    server.assert_no_traceback()


def test_harness_blocks_and_records_cdn_requests(streamlit_server, page):
    """Negative control: plain folium assets are requested from CDNs and blocked."""
    server = streamlit_server(FIXTURE_APP)
    open_app(page, server.url, "?cdn=1")
    page.wait_for_selector(MAP_IFRAME, state="attached")
    deadline = time.monotonic() + 15
    while not page.blocked_requests and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert any("leaflet" in u for u in page.blocked_requests), page.blocked_requests


def test_standalone_export_opens_without_network(page, tmp_path):
    m = folium.Map(location=[0.5, 1.0], zoom_start=6, tiles=None)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "solo"},
             "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]]}},
        ]},
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(m)
    folium.Marker([0.5, 1.0]).add_to(m)
    out = tmp_path / "map.html"
    out.write_text(standalone_html(m), encoding="utf-8")

    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    icon = page.locator("img.leaflet-marker-icon")
    icon.wait_for()
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0"), "marker image did not load"
    assert "solo" in hover_feature(page.main_frame, 0)
    assert_offline(page)
    assert failed == []
