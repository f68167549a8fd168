"""Roads page in a real browser, network cut: the app's own map component draws the segment
lines over the town choropleth with their legend, hovering a segment shows its tooltip, the
legend's No data length is the KPI's, and no streamlit-folium frame is left on the page."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_IFRAME, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

COMPONENT = 'iframe[src*="/ui.map_component.fiscal_map/"]'
FOLIUM = 'iframe[title="streamlit_folium.st_folium"]'
LINE = "path.fm-ov-line"

# A point halfway along the n-th road path, in the map frame's coordinates.
_MIDPOINT = """(n) => {
  const p = document.querySelectorAll('path.fm-ov-line')[n];
  const q = p.getPointAtLength(p.getTotalLength() / 2);
  const m = p.getScreenCTM();
  return [q.x * m.a + m.e, q.y * m.d + m.f];
}"""


def _metric(page, label: str) -> str:
    """The value of the KPI whose label is ``label``."""
    for m in page.locator('[data-testid="stMetric"]').all():
        if m.locator('[data-testid="stMetricLabel"]').inner_text().strip() == label:
            return m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    raise AssertionError(f"no KPI {label!r}")


def _within(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - 1 and inner["y"] >= outer["y"] - 1
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1)


def test_segment_lines_legend_and_tooltip_in_the_map_component(streamlit_app, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, streamlit_app, "roads?ws=boston_region&rd_layer=poor_share")
    frame = wait_for_map(page)
    frame.wait_for_selector(LINE, state="attached")
    assert page.locator(COMPONENT).count() == 1
    assert page.locator(FOLIUM).count() == 0
    assert frame.locator(LINE).count() == 865
    assert frame.locator("path.leaflet-interactive:not(.fm-ov)").count() == 97
    # the lines sit in their own pane above the areas
    z = frame.evaluate("() => getComputedStyle(document.querySelector('.leaflet-fmOverlays-pane'))"
                       ".zIndex")
    assert int(z) > 400

    legend = frame.locator(".fm-ov-legend").inner_text()
    assert "PSI class, Interstate (2013)" in legend
    rows = dict(re.findall(r"^(.+?) \(([\d.,]+ mi)\)$", legend, flags=re.M))
    assert list(rows) == ["excellent", "good", "fair", "poor", "No data"], legend
    # one number: the legend's No data length is the KPI, to the same decimal
    assert rows["No data"] == _metric(page, "No data") == "18.9 mi"
    assert _metric(page, "Interstate miles") == "359.6 mi"
    total = sum(float(v.split()[0]) for v in rows.values())
    assert total == pytest.approx(359.6, abs=0.25)

    x, y = frame.evaluate(_MIDPOINT, 200)
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.move(0, 0)
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = frame.locator(".fm-ov-tip").last
    tip.wait_for(state="visible")
    text = tip.inner_text()
    for word in ("PSI class, Interstate (2013) · ", "Direction", "PSI", "Survey year",
                 "Traffic", "Town", "Length"):
        assert word in text, text
    assert re.search(r"Length: \d+\.\d mi", text), text

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(ARTIFACTS / "roads_1920x1080.png"))
    assert_offline(page)
    # Streamlit itself probes <page>/_stcore/health and host-config on a deep link (404, seen on
    # every page); any script error of the map would show up here.
    errors = [e for e in page.console_errors if "Failed to load resource" not in e]
    assert not errors, errors


def test_roads_map_at_1280x720_keeps_both_legends_inside_the_map(streamlit_app, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, streamlit_app, "roads?ws=boston_region")
    frame = wait_for_map(page)
    frame.wait_for_selector(LINE, state="attached")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "roads_1280x720.png"))
    page.locator(COMPONENT).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    map_box = page.locator(COMPONENT).first.bounding_box()       # boxes are in page pixels
    for sel in (".fm-ov-legend", ".fm-legend:not(.fm-ov-legend)"):
        box = frame.locator(sel).first.bounding_box()
        assert box and _within(box, map_box), (sel, box, map_box)
    # funding per resident: the towns without funding are a class of their own, first
    legend = frame.locator(".fm-legend:not(.fm-ov-legend)").first.inner_text()
    assert "Funding per resident\nUSD per resident" in legend, legend
    assert "No funding" in legend and "$0 –" not in legend and "$0 to" not in legend, legend
    page.screenshot(path=str(ARTIFACTS / "roads_map_1280x720.png"))
    assert page.locator(FOLIUM).count() == 0
    assert_offline(page)
