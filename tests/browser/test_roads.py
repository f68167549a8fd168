"""Roads page in a real browser, network cut: segment lines drawn over the town choropleth,
and hovering a segment shows its tooltip."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_IFRAME, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

# A point halfway along the n-th road path, in the map frame's coordinates.
_MIDPOINT = """(n) => {
  const p = document.querySelectorAll('path.fm-road')[n];
  const q = p.getPointAtLength(p.getTotalLength() / 2);
  const m = p.getScreenCTM();
  return [q.x * m.a + m.e, q.y * m.d + m.f];
}"""


def test_segment_lines_over_choropleth_with_tooltip(streamlit_app, page):
    open_app(page, streamlit_app, "roads?ws=boston_region&rd_layer=poor_share")
    frame = wait_for_map(page)
    frame.wait_for_selector("path.fm-road", state="attached")
    roads = frame.locator("path.fm-road").count()
    polygons = frame.locator("path.leaflet-interactive:not(.fm-road)").count()
    assert roads == 865
    assert polygons == 97
    # the lines sit in their own pane above the areas
    z = frame.evaluate("() => getComputedStyle(document.querySelector('.leaflet-fmRoads-pane')).zIndex")
    assert int(z) > 400
    assert "PSI class" in frame.locator(".fm-road-legend").inner_text()

    x, y = frame.evaluate(_MIDPOINT, 200)
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.move(0, 0)
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = frame.locator(".fm-road-tip").last
    tip.wait_for(state="visible")
    text = tip.inner_text()
    for word in ("Direction", "PSI", "Class", "Survey year", "Traffic"):
        assert word in text, text

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "roads_overlay.png"))
    assert_offline(page)
    # Streamlit itself probes <page>/_stcore/health and host-config on a deep link (404, seen on
    # every page); any script error of the map would show up here.
    errors = [e for e in page.console_errors if "Failed to load resource" not in e]
    assert not errors, errors
