"""The app's map in a real browser, network cut, as a council room and a keyboard or screen
reader user meet it: the legend on screen at 1280×720 and named, Alaska, Hawaii and Puerto
Rico in their insets (One map and presentation), tooltips inside the map, a frame named after
the map, a skip link, and no Tab stop per region."""
from __future__ import annotations

import pytest

from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from tests.browser.conftest import (ARTIFACTS, MAP_IFRAME, assert_offline, hover_feature,
                                    open_app, wait_for_map)

pytestmark = pytest.mark.browser

INSETS = {"02": "Alaska", "15": "Hawaii", "72": "Puerto Rico"}
TITLE = "Federal obligations, all agencies, FY2024"

# Page-coordinate box of each region id's shape, of the map and of each inset frame.
BOXES = """(ids) => {
  const out = {};
  const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  fmLayer.eachLayer(l => { const id = l.feature.properties.region_id;
                           if (ids.includes(id)) { out[id] = rect(l.getElement()); } });
  out.map = rect(document.querySelector('.leaflet-container'));
  out.insets = Array.from(document.querySelectorAll('path.fm-inset')).map(rect);
  out.labels = Array.from(document.querySelectorAll('.fm-inset-label')).map(e => e.textContent);
  const lg = document.querySelector('.leaflet-control.fm-legend');
  out.legend = lg ? rect(lg) : null;
  return out;
}"""


def _inside(inner, outer, slack=1.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _insets_on_screen(frame) -> dict:
    boxes = frame.evaluate(BOXES, list(INSETS))
    assert sorted(boxes["labels"]) == sorted(INSETS.values())
    assert len(boxes["insets"]) == 3
    for rid in INSETS:
        shape = boxes[rid]
        assert shape[2] - shape[0] > 3 and shape[3] - shape[1] > 3, (rid, shape)
        assert _inside(shape, boxes["map"]), (rid, shape, boxes["map"])
        # each inset's shapes lie inside one of the drawn inset frames
        assert any(_inside(shape, box) for box in boxes["insets"]), (rid, shape, boxes["insets"])
        # and no legend on the map hides it
        lg = boxes["legend"]
        assert lg is None or not _overlap(shape, lg), (rid, shape, lg)
    return boxes


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_one_map_at_1280x720_shows_legend_and_insets(streamlit_app, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024")
    frame = wait_for_map(page, timeout=60_000)
    page.wait_for_timeout(800)          # the frame settles its height to the window

    legend = frame.locator(".fm-legend")
    legend.wait_for(state="visible")
    box = legend.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, box
    # The legend names the measure and its unit, and says what its counts count.
    assert legend.locator(".fm-title").inner_text() == TITLE
    assert legend.locator(".fm-lh").inner_text() == "USD"
    assert legend.locator("th.fm-n").inner_text() == "States"
    counts = [int(x.replace(",", "")) for x in legend.locator("td.fm-n").all_inner_texts()]
    assert sum(counts) == 56
    size = legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 16

    _insets_on_screen(frame)
    # The whole map, insets included, is in the window.
    iframe = page.locator(MAP_IFRAME).first.bounding_box()
    assert iframe["y"] + iframe["height"] <= 720, iframe
    _shot(page, "map_one_map_state_1280x720.png")

    assert_offline(page)


def test_one_map_at_1920x1080_county_level_has_insets(streamlit_app, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, streamlit_app, "one_map?level=county&measure=total")
    frame = wait_for_map(page, timeout=60_000)
    page.wait_for_timeout(800)
    boxes = frame.evaluate(BOXES, ["02013", "15001", "72001"])   # Aleutians East, Hawaii, Adjuntas
    for rid in ("02013", "15001", "72001"):
        assert _inside(boxes[rid], boxes["map"]), rid
        assert any(_inside(boxes[rid], b) for b in boxes["insets"]), rid
    assert frame.locator(".fm-legend th.fm-n").inner_text() == "Counties"
    _shot(page, "map_one_map_county_1920x1080.png")
    assert_offline(page)


def test_legend_beside_a_wide_map_folds_away_and_back(streamlit_app, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024")
    frame = wait_for_map(page, timeout=60_000)
    page.wait_for_timeout(800)
    legend = frame.locator(".leaflet-control.fm-legend")     # on the map, beside the shapes
    button = legend.locator(".fm-ltog")
    assert button.inner_text() == "Hide" and button.get_attribute("aria-expanded") == "true"
    boxes = _insets_on_screen(frame)
    zoom = frame.evaluate("() => fmComponent.map.getZoom()")
    button.click()
    assert button.inner_text() == "Show legend"
    assert button.get_attribute("aria-expanded") == "false"
    assert legend.locator("table").is_hidden()
    # the room the legend gave back goes to the map
    assert frame.evaluate("() => fmComponent.map.getZoom()") >= zoom
    button.click()
    assert legend.locator("table").is_visible() and button.inner_text() == "Hide"
    assert boxes["legend"] is not None


def test_hovering_alaska_in_its_inset_names_it(streamlit_app, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024")
    frame = wait_for_map(page, timeout=60_000)
    index = frame.evaluate("""() => Array.from(document.querySelectorAll(
        '.leaflet-container path.leaflet-interactive')).findIndex(p => {
          let hit = false; fmLayer.eachLayer(l => { if (l.getElement() === p &&
            l.feature.properties.region_id === '02') { hit = true; } }); return hit; })""")
    assert hover_feature(frame, index).splitlines()[0].strip() == "Alaska"


def test_tooltip_near_the_top_stays_inside_the_map(streamlit_app, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024")
    frame = wait_for_map(page, timeout=60_000)
    page.wait_for_timeout(800)
    boxes = frame.evaluate(BOXES, ["38"])           # North Dakota, on the northern edge
    nd, top = boxes["38"], boxes["map"][1]
    iframe = page.locator(MAP_IFRAME).first.bounding_box()
    x, y = iframe["x"] + (nd[0] + nd[2]) / 2, iframe["y"] + nd[1] + 4
    page.mouse.move(x, y + 40)
    page.mouse.move(x, y)
    tip = frame.locator(".leaflet-tooltip").last
    tip.wait_for(state="visible")
    r = tip.evaluate("e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }")
    assert r[1] >= top, (r, top)
    assert _inside(r, boxes["map"]), (r, boxes["map"])
    assert tip.inner_text().splitlines()[0].strip() == "North Dakota"
    size = tip.locator(".fm-tip").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 15


def test_frame_is_named_after_the_map_and_regions_are_not_tab_stops(streamlit_app, page):
    open_app(page, streamlit_app, "one_map?level=county&measure=total")
    frame = wait_for_map(page, timeout=60_000)
    iframe = page.locator(MAP_IFRAME).first
    page.wait_for_function(
        "(sel) => document.querySelector(sel).title.startsWith('Map: ')", arg=MAP_IFRAME)
    assert iframe.get_attribute("title") == "Map: Federal grants by county, FY2022"
    assert frame.evaluate("() => document.documentElement.lang") == "en"
    # No region is a Tab stop; the map itself is (arrow keys pan it, +/- zoom).
    assert frame.evaluate("""() => Array.from(document.querySelectorAll(
        'path.leaflet-interactive')).every(p => p.getAttribute('tabindex') === '-1')""")
    assert frame.locator(".leaflet-container").get_attribute("tabindex") == "0"
    # The legend reads as text: a table named by the legend's title, a header and a row per
    # class.
    name = frame.evaluate("""() => { const t = document.querySelector('.fm-legend table');
        return document.getElementById(t.getAttribute('aria-labelledby')).textContent; }""")
    assert name.startswith("Federal grants by county, FY2022")
    assert frame.locator(".fm-legend tbody tr").count() >= 3

    # From the map, a few Tabs leave the frame (zoom buttons, the legend's button, the
    # attribution), not 3,230 of them.
    frame.locator(".leaflet-container").focus()
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        if not frame.evaluate("() => document.hasFocus()"):
            break
        seen.append(frame.evaluate("() => document.activeElement.tagName"))
    else:
        pytest.fail(f"Tab did not leave the map: {seen}")
    assert "path" not in seen
    assert_offline(page)


def test_skip_link_moves_focus_past_the_map(streamlit_app, page):
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024")
    frame = wait_for_map(page, timeout=60_000)
    skip = frame.locator("#fm-skip")
    assert skip.inner_text() == "Skip the map"
    skip.focus()
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10          # shown once focused
    page.keyboard.press("Enter")
    after = page.evaluate("""(sel) => {
        const f = document.querySelector(sel), a = document.activeElement;
        return a !== f && a !== document.body &&
               !!(f.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""", MAP_IFRAME)
    assert after, page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    assert_offline(page)


def test_map_words_in_chinese(streamlit_app, page):
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024&lang=zh")
    frame = wait_for_map(page, timeout=60_000)
    page.wait_for_function(
        "(sel) => document.querySelector(sel).title.startsWith('地图')", arg=MAP_IFRAME)
    assert frame.locator("#fm-skip").inner_text() == "跳过地图"
    assert frame.evaluate("() => document.documentElement.lang") == "zh"
    legend = frame.locator(".fm-legend").first
    assert legend.locator(".fm-lcls .fm-vh").inner_text() == "分级"
    assert legend.locator(".fm-lab").all_inner_texts()[-1] == "无数据"
    _shot(page, "map_one_map_state_zh.png")


# ------------------------------------------------------------------ presentation
@pytest.fixture(scope="module")
def views_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("views_a11y")
    ViewsStore(root / "us_federal", "us_federal").save(
        "Obligations FY2024", {"level": "state", "measure": "total", "years": "2024"}, "")
    return root


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_shows_the_insets(streamlit_server, page, views_dir, size):
    server = streamlit_server("app.py", env={VIEWS_DIR_ENV: str(views_dir)})
    w, h = size
    page.set_viewport_size({"width": w, "height": h})
    screen = "1280x720" if w == 1280 else "1920x1080"
    open_app(page, server.url, f"hearing?present=1&slide=1&screen={screen}")
    frame = wait_for_map(page, timeout=60_000)
    page.wait_for_timeout(800)
    _insets_on_screen(frame)
    legend = frame.locator(".fm-large .fm-legend").bounding_box()
    assert legend["y"] + legend["height"] <= h and legend["x"] + legend["width"] <= w
    _shot(page, f"map_presentation_{screen}.png")
    assert_offline(page)
