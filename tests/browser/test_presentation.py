"""Presentation mode in a real browser, network blocked: a three-view sequence stepped through
by button and by keyboard at 1920×1080, and at 1280×720; every slide shows its source and
data date and the view's own figures, the lines above the map stay on one line and clear of
it, and the map takes the rest of the screen. One screenshot per step in artifacts/."""
from __future__ import annotations

import pytest

from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from tests.browser.conftest import ARTIFACTS, MAP_IFRAME, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

IDLE = """() => {
  const a = document.querySelector('[data-testid="stApp"]');
  const s = a && a.getAttribute('data-test-script-state');
  return s && !['initial', 'running', 'rerunRequested'].includes(s);
}"""
VIEWS = [("States per resident", {"level": "state", "measure": "per_capita",
                                  "years": "2012-2017"}, "All agencies"),
         ("Unemployment 2009", {"level": "county", "measure": "indicator",
                                "indicator_year": "2009"}, "Context"),
         ("Obligations FY2024", {"level": "state", "measure": "total", "years": "2024"}, "")]


@pytest.fixture(scope="module")
def views_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    s = ViewsStore(root / "us_federal", "us_federal")
    for title, query, note in VIEWS:
        s.save(title, query, note)
    return root


@pytest.fixture(scope="module")
def composed():
    """What each slide should say, from the exports' own recipe."""
    from exports.compose import compose
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest

    data = WorkspaceData(load_manifest(discover_workspaces()["us_federal"]))
    return [compose(data, q) for _, q, _ in VIEWS]


def _step_done(page, expected: str):
    page.wait_for_function(
        "(t) => { const c = document.querySelector('.fm-pcount'); return c && c.textContent.trim() === t; }",
        arg=expected, timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not on screen"
    return box


def _check_slide(page, c, note: str, size: dict, name: str):
    """The slide's lines, where they are, and the map under them filling the screen."""
    frame = wait_for_map(page)
    assert frame.locator("path.leaflet-interactive").count() > 40
    assert frame.locator(".fm-large.fm-hc .fm-legend").count() == 1
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    source = page.locator(".fm-psource").inner_text()
    assert source == c.source_brief
    assert source.startswith("Source: ") and source.endswith(" · Data as of 2024-09-30")
    figures = c.figures.line()
    assert page.locator(".fm-pnote").inner_text() == (f"{note} — {figures}" if note else figures)
    # the map takes what the window leaves (its height settles once the component has
    # measured the window)
    page.wait_for_function(
        """(sel) => { const f = document.querySelector(sel); if (!f) return false;
             const r = f.getBoundingClientRect();
             return r.height > 300 && r.bottom <= window.innerHeight + 1; }""",
        arg=MAP_IFRAME, timeout=30_000)
    page.wait_for_timeout(300)
    mp = _box(page, MAP_IFRAME)
    for sel in (".fm-ptitle", ".fm-psub", ".fm-pnote", ".fm-psource"):
        box = _box(page, sel)
        assert box["y"] + box["height"] <= mp["y"] + 1, f"{sel} runs into the map"
    for sel in (".fm-ptitle", ".fm-psub"):          # one line each
        line = page.locator(sel).evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        assert _box(page, sel)["height"] < 1.5 * line, f"{sel} wraps onto a second line"
    for sel in (".fm-pnote", ".fm-psource"):        # never cut short: the data date is seen
        assert page.locator(sel).evaluate("e => e.scrollWidth <= e.clientWidth + 1"), sel
    assert mp["y"] + mp["height"] <= size["height"] + 1          # the whole map on screen
    assert mp["height"] >= 0.62 * size["height"], mp             # and most of the screen
    assert mp["width"] >= 0.95 * size["width"] - 40
    page.screenshot(path=str(ARTIFACTS / name))


def test_present_three_views_by_button_and_keyboard(streamlit_server, page, views_dir,
                                                     composed):
    server = streamlit_server("app.py", env={VIEWS_DIR_ENV: str(views_dir)})
    size = {"width": 1920, "height": 1080}
    page.set_viewport_size(size)
    open_app(page, server.url, "hearing")
    page.locator(".st-key-present_btn button").click()
    _step_done(page, "1 / 3")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    titles = []
    for step, how in enumerate(["start", "button", "PageDown"], start=1):
        if how == "button":
            page.locator(".st-key-fm_next button").click()
        elif how != "start":
            page.keyboard.press(how)
        _step_done(page, f"{step} / 3")
        _check_slide(page, composed[step - 1], VIEWS[step - 1][2], size,
                     f"presentation_1920_step{step}.png")
        titles.append(page.locator(".fm-ptitle").inner_text())
    assert titles == [v[0] for v in VIEWS]
    # the indicator slide shows the indicator's figures, not empty money figures
    assert composed[1].figures.line().startswith("Median: ")

    # back by keyboard (PageUp), and the link keeps the slide
    page.keyboard.press("PageUp")
    _step_done(page, "2 / 3")
    assert "slide=2" in page.url and "present=1" in page.url
    assert_offline(page)


def test_slides_fit_a_1280_by_720_screen(streamlit_server, page, views_dir, composed):
    server = streamlit_server("app.py", env={VIEWS_DIR_ENV: str(views_dir)})
    size = {"width": 1280, "height": 720}
    page.set_viewport_size(size)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for step in (1, 2):
        open_app(page, server.url, f"hearing?present=1&slide={step}&screen=1280x720")
        _step_done(page, f"{step} / 3")
        _check_slide(page, composed[step - 1], VIEWS[step - 1][2], size,
                     f"presentation_1280_step{step}.png")
    assert_offline(page)
