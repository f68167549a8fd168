"""A banded layer in Chromium, network cut: the threshold lowered so 64 squares are banded.

The map paints from the first zoom band's file alone; each band file is fetched once however
often the reader zooms in and out; a values-only rerun ("Reverse colours") recolours the
canvas from memory and fetches no geometry; a tooltip shows the Python side's texts; a
click selects the region under the pointer."""
from __future__ import annotations

import re
import time

import pytest

from layers.classify import format_number
from layers.palettes import get_palette
from tests.browser.conftest import ARTIFACTS, assert_offline, open_app, wait_settled
from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, square, write_geojson, \
    write_workspace

pytestmark = pytest.mark.browser

IFRAME = 'iframe[src*="/ui.map_component.fiscal_map/"]'
N = 8                                     # 8 × 8 cells of half a degree
BAND = re.compile(r"/ui\.map_component\.fiscal_map_files/[0-9a-f]{32}-b(\d)\.json\.gz$")
FILES = "/ui.map_component.fiscal_map_files/"

# The colour drawn at a point of the map (the canvas holds only the regions).
PIXEL = """([lat, lng]) => {
  const m = fmComponent.map, p = m.latLngToContainerPoint([lat, lng]);
  const c = m.getContainer().getBoundingClientRect();
  const cv = document.querySelector('.leaflet-overlay-pane canvas'), r = cv.getBoundingClientRect();
  const d = cv.getContext('2d').getImageData(Math.round(c.left + p.x - r.left),
                                             Math.round(c.top + p.y - r.top), 1, 1).data;
  return '#' + [d[0], d[1], d[2]].map(v => v.toString(16).padStart(2, '0')).join('');
}"""
DRAWS = "() => +(document.querySelector('.leaflet-container').dataset.fmDraws || 0)"


def near(got: str, want: str) -> bool:
    """The same colour, give or take the rounding of a translucent fill read back."""
    return all(abs(int(got[i:i + 2], 16) - int(want[i:i + 2], 16)) <= 2 for i in (1, 3, 5))


def amount(k: int) -> float:
    return float((k * 37 % 101 + 1) * 1000)


def centre(k: int) -> tuple[float, float]:
    """(lat, lng) of cell k (row k // N, column k % N)."""
    return 35 + (k // N) * 0.5 + 0.25, -100 + (k % N) * 0.5 + 0.25


@pytest.fixture(scope="module")
def banded_app(tmp_path_factory, streamlit_server):
    root = tmp_path_factory.mktemp("banded_ws")
    feats = [(f"{k + 1:05d}", f"Cell {k // N}-{k % N}",
              square(-100 + (k % N) * 0.5, 35 + (k // N) * 0.5, 0.5)) for k in range(N * N)]
    ws = write_workspace(root / "tiny_banded",
                         LEVEL_TOML.replace('title = "Tiny"', 'title = "Tiny banded"')
                         + GRANTS_TOML,
                         {"grants.csv": "fips,fy,amount\n" + "\n".join(
                             f"{fid},2022,{amount(k):.0f}" for k, (fid, _, _) in
                             enumerate(feats))})
    write_geojson(ws / "regions.geojson", feats)
    cache = tmp_path_factory.mktemp("banded_cache")
    server = streamlit_server("app.py", env={"FISCALMAP_WORKSPACES": str(root),
                                             "FISCALMAP_CACHE_DIR": str(cache),
                                             "FISCALMAP_BAND_MIN_FEATURES": "10"})
    return server.url, cache / "geometry"


def map_frame(page):
    page.frame_locator(IFRAME).first.locator(".leaflet-container[data-fm-drawn]").wait_for(
        state="attached", timeout=60_000)
    return page.locator(IFRAME).first.element_handle().content_frame()


def wait_in_map(page, js: str, want=True, timeout: float = 90):
    """Poll ``js`` in the map's frame until it gives ``want``; the frame is looked up again on
    each try (under load Streamlit may mount it anew). Returns the frame."""
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            frame = page.locator(IFRAME).first.element_handle().content_frame()
            seen = frame.evaluate(js)
        except Exception:  # noqa: BLE001 - a frame replaced while asked
            seen = None
        if seen == want:
            return frame
        time.sleep(0.25)
    raise AssertionError(f"{js} gave {seen!r}, not {want!r}, within {timeout:.0f} s")


def classes(frame) -> list[int]:
    cs = frame.evaluate("() => fmLayer.V.cs")
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return [-1 if ch == "." else chars.index(ch) for ch in cs]


DRAWN_AT = """([before]) => {
  const el = document.querySelector('.leaflet-container'), z = fmComponent.map.getZoom();
  const b = fmComponent.G.bands, want = z >= b[2][0] ? 2 : z >= b[1][0] ? 1 : 0;
  return +(el.dataset.fmDraws || 0) > before && +el.dataset.fmBand === want;
}"""


def set_zoom(page, frame, zoom: float) -> None:
    """Zoom the map and wait until the band of that zoom is drawn."""
    before = frame.evaluate(DRAWS)
    frame.evaluate(f"() => fmComponent.map.setView([37.0, -98.0], {zoom}, {{animate: false}})")
    frame.wait_for_function(DRAWN_AT, arg=[before], timeout=20_000)
    page.wait_for_timeout(300)


def on_page(page, frame, k: int) -> tuple[float, float]:
    """Where the centre of cell k is on the page, now."""
    box = page.locator(IFRAME).first.bounding_box()
    pt = frame.evaluate("([lat, lng]) => { const p = fmComponent.map.latLngToContainerPoint("
                        "[lat, lng]); return [p.x, p.y]; }", list(centre(k)))
    return box["x"] + pt[0], box["y"] + pt[1]


def hover(page, frame, k: int, tries: int = 3) -> list[str]:
    """The lines of cell k's tooltip (pointed at again if the map was still settling: the
    page may refit it once its header is filled)."""
    lines: list[str] = []
    for _ in range(tries):
        page.mouse.move(0, 0)
        page.mouse.move(*on_page(page, frame, k))
        tip = frame.locator(".leaflet-tooltip")
        tip.wait_for(state="visible", timeout=10_000)
        frame.wait_for_function("() => document.querySelector('.leaflet-tooltip')"
                                ".innerText.includes('Rank')", timeout=10_000)
        lines = tip.inner_text().splitlines()
        if lines[0] == f"Cell {k // N}-{k % N}":
            break
    return lines


def test_bands_fetched_once_values_rerun_recolours_without_geometry(banded_app, page):
    url, folder = banded_app
    requests: list[str] = []
    page.on("request", lambda r: FILES in r.url and requests.append(r.url))
    open_app(page, url, "one_map?ws=tiny_banded")
    frame = map_frame(page)

    def bands() -> list[int]:
        return [int(m.group(1)) for m in map(BAND.search, requests) if m]

    # painted from the first band alone, every region, on a canvas (no SVG shapes)
    assert frame.evaluate("() => document.querySelector('.leaflet-container')"
                          ".dataset.fmDrawn") == str(N * N)
    assert frame.locator("path.leaflet-interactive").count() == 0
    assert bands() == [0]
    head = frame.evaluate("() => fmComponent.G")
    assert "shapes" not in head and len(head["bands"]) == 3
    assert sorted(p.name for p in folder.glob("*-b*.json.gz")) == \
        sorted(b[2] for b in head["bands"])

    # the colours of the classes the server sent, YlGnBu in 5 classes
    cls = classes(frame)
    palette = get_palette("YlGnBu", 5)
    for k in (0, 9, 27, 63):
        assert near(frame.evaluate(PIXEL, list(centre(k))), palette[cls[k]]), k

    # a tooltip: the region's name and the Python side's texts
    lines = hover(page, frame, 9)
    assert lines[0] == "Cell 1-1"
    assert f"Grants, FY2022: {format_number(amount(9), 'USD')}" in lines
    assert frame.locator("path.fm-hover").count() == 1
    page.mouse.move(0, 0)

    # values-only rerun: the palette reversed; the canvas drawn again, no geometry fetched
    fetched = list(requests)
    draws = frame.evaluate(DRAWS)
    page.get_by_text("Classes and colours").first.click()
    for attempt in (1, 2):
        # A click that lands while the page is still settling can be lost (not the map's
        # doing): then it is made once more. A click that took but was not drawn toggles the
        # colours back on the second try, and the colour checks below fail.
        page.get_by_text("Reverse colours").first.click()
        try:
            frame = wait_in_map(page, f"() => ({DRAWS})() > {draws}", timeout=30)
            break
        except AssertionError:
            if attempt == 2:
                raise
    wait_settled(page)
    page.wait_for_timeout(500)
    reverse = get_palette("YlGnBu", 5, reverse=True)
    assert classes(frame) == cls
    for k in (0, 9, 27, 63):
        assert near(frame.evaluate(PIXEL, list(centre(k))), reverse[cls[k]]), k
    assert requests == fetched                          # nothing fetched on the rerun
    assert frame.evaluate("() => window.fmFetched.filter(f => /-b\\d/.test(f)).length") == 1

    # zooming in and out: each band once
    for zoom in (10.5, 13.5, 8.0, 11.0, 14.0):
        set_zoom(page, frame, zoom)
    assert bands() == [0, 1, 2]

    # a click selects the region under the pointer (outlined on the next run)
    set_zoom(page, frame, 8.0)
    page.mouse.click(*on_page(page, frame, 27))
    frame.wait_for_function("() => fmLayer.V.si === 27", timeout=30_000)
    wait_settled(page)
    assert frame.evaluate("() => fmLayer.V.sel") == "00028"
    assert bands() == [0, 1, 2]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "banded_map.png"))
    assert_offline(page)
    assert not [e for e in page.console_errors if "status of 404" not in e], page.console_errors


def test_the_map_says_its_regions_are_loading_then_paints(banded_app, page):
    """While the first band is on its way the map says so, in Chinese for a Chinese reader,
    and is marked busy; when it comes, the regions are drawn in the classes' colours and the
    words go."""
    url, _ = banded_app
    held = []
    page.route(re.compile(r".*-b0\.json\.gz$"), lambda route: held.append(route))
    open_app(page, url, "one_map?ws=tiny_banded&lang=zh")
    outer = page.frame_locator(IFRAME).first
    label = outer.locator(".leaflet-container .fm-loading")
    label.wait_for(state="visible", timeout=60_000)
    assert label.inner_text() == "正在加载地区边界…"
    assert outer.locator(".leaflet-container").get_attribute("aria-busy") == "true"
    assert outer.locator(".leaflet-container[data-fm-drawn]").count() == 0
    wait_settled(page)
    assert len(held) == 1                               # asked for once
    held[0].continue_()
    frame = map_frame(page)
    assert label.count() == 0
    assert outer.locator(".leaflet-container").get_attribute("aria-busy") == "false"
    cls = classes(frame)
    palette = get_palette("YlGnBu", 5)
    for k in (0, 27):
        assert near(frame.evaluate(PIXEL, list(centre(k))), palette[cls[k]]), k
    assert_offline(page)
