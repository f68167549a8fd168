"""Presentation mode in a real browser at 1920×1080, network blocked: a three-view sequence
stepped through by button and by keyboard, one screenshot per step."""
from __future__ import annotations

import pytest

from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from tests.browser.conftest import ARTIFACTS, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

IDLE = """() => {
  const a = document.querySelector('[data-testid="stApp"]');
  const s = a && a.getAttribute('data-test-script-state');
  return s && !['initial', 'running', 'rerunRequested'].includes(s);
}"""


@pytest.fixture(scope="module")
def views_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    s = ViewsStore(root / "us_federal", "us_federal")
    s.save("States per resident", {"level": "state", "measure": "per_capita",
                                   "years": "2012-2017"}, "All agencies")
    s.save("Unemployment 2009", {"level": "county", "measure": "indicator"}, "Context")
    s.save("Obligations FY2024", {"level": "state", "measure": "total", "years": "2024"}, "")
    return root


def _counter(page) -> str:
    return page.locator(".fm-pcount").inner_text()


def _step_done(page, expected: str):
    page.wait_for_function(
        "(t) => { const c = document.querySelector('.fm-pcount'); return c && c.textContent.trim() === t; }",
        arg=expected, timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)


def test_present_three_views_by_button_and_keyboard(streamlit_server, page, views_dir):
    server = streamlit_server("app.py", env={VIEWS_DIR_ENV: str(views_dir)})
    page.set_viewport_size({"width": 1920, "height": 1080})
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
        frame = wait_for_map(page)
        # the map painted, with the legend and title on it, in large type
        assert frame.locator("path.leaflet-interactive").count() > 40
        assert frame.locator(".fm-large.fm-hc .fm-legend .fm-title").count() == 1
        # chrome hidden
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        titles.append(page.locator(".fm-ptitle").inner_text())
        page.screenshot(path=str(ARTIFACTS / f"presentation_step{step}.png"))
    assert titles == ["States per resident", "Unemployment 2009", "Obligations FY2024"]

    # back by keyboard (PageUp), and the link keeps the slide
    page.keyboard.press("PageUp")
    _step_done(page, "2 / 3")
    assert "slide=2" in page.url and "present=1" in page.url
    assert_offline(page)
