"""Overlays in a real browser, network cut: the overlay named in the link is drawn over the One
map choropleth (lines, circle markers, outlines as Leaflet SVG paths in a pane above the
areas), its legend names the categories, and a tooltip from a hostile file stays text."""
from __future__ import annotations

import json

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_IFRAME, assert_offline, open_app, wait_for_map
from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, XSS_NAME, squares_geojson, \
    write_geojson, write_workspace

pytestmark = pytest.mark.browser

# A point halfway along the n-th path of a selector, in the map frame's coordinates.
_MIDPOINT = """([sel, n]) => {
  const p = document.querySelectorAll(sel)[n];
  const q = p.getPointAtLength(p.getTotalLength() / 2);
  const m = p.getScreenCTM();
  return [q.x * m.a + m.e, q.y * m.d + m.f];
}"""


def _hover(page, frame, selector: str, n: int) -> str:
    x, y = frame.evaluate(_MIDPOINT, [selector, n])
    box = page.locator(MAP_IFRAME).first.bounding_box()
    tip = frame.locator(".fm-ov-tip").last
    for _ in range(3):          # the first hover may land while handlers are attached
        page.mouse.move(0, 0)
        page.mouse.move(box["x"] + x, box["y"] + y)
        try:
            tip.wait_for(state="visible", timeout=4_000)
            return tip.inner_text()
        except Exception:  # noqa: BLE001 - retried
            continue
    raise AssertionError("no overlay tooltip")


def _script_errors(page) -> list[str]:
    return [e for e in page.console_errors if "Failed to load resource" not in e]


def test_express_highways_drawn_over_one_map_with_legend(streamlit_app, page):
    open_app(page, streamlit_app, "one_map?ws=boston_region&overlays=express_highways")
    frame = wait_for_map(page)
    frame.wait_for_selector("path.fm-ov-line", state="attached")
    assert frame.locator("path.fm-ov-line").count() == 829
    assert frame.locator("path.leaflet-interactive:not(.fm-ov)").count() == 97   # the towns
    z = frame.evaluate("() => getComputedStyle(document.querySelector('.leaflet-fmOverlays-pane')).zIndex")
    assert int(z) > 400
    # the lines are painted (not zero-size) in the route colours
    box = frame.locator("path.fm-ov-line").first.bounding_box()
    assert box and (box["width"] > 0 or box["height"] > 0)
    strokes = set(frame.evaluate(
        "() => Array.from(document.querySelectorAll('path.fm-ov-line')).map(p => p.getAttribute('stroke'))"))
    assert len(strokes) == 10 and "#332288" in strokes

    legend = frame.locator(".fm-ov-legend")
    legend.wait_for(state="visible")
    text = legend.inner_text()
    assert "Express highways (CMP 2019)" in text
    assert "I-95 (184)" in text and "Other (10)" in text
    size = frame.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.fm-ov-label')).fontSize)")
    assert size >= 14

    tip = _hover(page, frame, "path.fm-ov-line", 300)
    assert "Express highways (CMP 2019) · " in tip and "Community: " in tip, tip

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "one_map_overlay_express_highways.png"))
    assert_offline(page)
    assert not _script_errors(page), page.console_errors


@pytest.fixture(scope="module")
def mixed_root(tmp_path_factory):
    """A workspace whose overlay mixes a line, two points and an area; one title is hostile."""
    root = tmp_path_factory.mktemp("overlay_ws")
    ws = root / "overlay_mixed"
    write_geojson(ws / "regions.geojson", squares_geojson(3))
    feats = [
        {"type": "Feature", "properties": {"kind": "rail", "title": XSS_NAME, "note": "**bold**"},
         "geometry": {"type": "LineString", "coordinates": [[0.1, 0.3], [2.9, 0.7]]}},
        {"type": "Feature", "properties": {"kind": "site", "title": "Depot", "note": "n"},
         "geometry": {"type": "MultiPoint", "coordinates": [[0.5, 0.8], [1.5, 0.2]]}},
        {"type": "Feature", "properties": {"kind": "zone", "title": "Zone", "note": "z"},
         "geometry": {"type": "Polygon",
                      "coordinates": [[[2.2, 0.2], [2.8, 0.2], [2.8, 0.8], [2.2, 0.8], [2.2, 0.2]]]}},
    ]
    (ws / "lines.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}),
                                      encoding="utf-8")
    write_workspace(ws, LEVEL_TOML + GRANTS_TOML + """
[[overlays]]
id = "mixed"
label = "Mixed things"
file = "lines.geojson"
category = "kind"
name = "title"
tooltip = ["note"]
""", {"grants.csv": "fips,fy,amount\n01001,2023,10\n01002,2023,20\n01003,2023,30\n"})
    return root


def test_points_lines_areas_and_hostile_text(streamlit_server, page, mixed_root):
    server = streamlit_server("app.py", env={"FISCALMAP_WORKSPACES": str(mixed_root)})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, server.url, "one_map?ws=overlay_mixed&overlays=mixed")
    frame = wait_for_map(page)
    frame.wait_for_selector("path.fm-ov-point", state="attached")
    assert frame.locator("path.fm-ov-line").count() == 1
    assert frame.locator("path.fm-ov-point").count() == 2        # one marker per point
    assert frame.locator("path.fm-ov-area").count() == 1         # an outline, not filled
    assert frame.locator("path.fm-ov-area").get_attribute("fill") == "none"
    rows = frame.locator(".fm-ov-legend .fm-row").all_inner_texts()
    assert rows == ["rail (1)", "site (1)", "zone (1)"], rows

    tip = _hover(page, frame, "path.fm-ov-line", 0)
    assert tip.splitlines()[0] == XSS_NAME and "note: **bold**" in tip, tip
    assert frame.locator(".fm-ov-tip img").count() == 0
    assert frame.locator("img[src='x']").count() == 0

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "one_map_overlay_mixed.png"))
    assert dialogs == []
    assert_offline(page)
    assert not _script_errors(page), page.console_errors
    server.assert_no_traceback()


def test_per_capita_time_slider_draws_the_overlay(streamlit_app, page):
    open_app(page, streamlit_app, "per_capita?ws=boston_region&pc_overlays=express_highways")
    frame = wait_for_map(page)
    frame.wait_for_selector("path.fm-ov-line", state="attached")
    assert frame.locator("path.fm-ov-line").count() == 829
    assert "I-95 (184)" in frame.locator(".fm-ov-legend").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "per_capita_overlay.png"))
    assert_offline(page)
    assert not _script_errors(page), page.console_errors
