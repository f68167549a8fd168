"""Early warning in a real browser, network cut: the traffic-light map of the US demo paints
with its colours and legend, and a state's tooltip carries the figures behind its flag."""
from __future__ import annotations

import pytest

from tests.browser.conftest import (ARTIFACTS, REPO, assert_offline, hover_feature, open_app,
                                    painted_paths, wait_for_map)

pytestmark = pytest.mark.browser

PAGE = REPO / "pages" / "early_warning.py"
# Until app.py lists the page, a navigation of its own serves it (as its only, root page).
NAV_APP = f"""import streamlit as st
st.navigation([st.Page({str(PAGE)!r}, title="Early warning")]).run()
"""


@pytest.fixture(scope="module")
def app_url(streamlit_server, tmp_path_factory) -> str:
    """The page's address: in the real app when app.py lists it, else in its own app."""
    if "pages/early_warning.py" in (REPO / "app.py").read_text(encoding="utf-8"):
        return streamlit_server("app.py").url + "/early_warning"
    nav = tmp_path_factory.mktemp("ew_nav") / "early_warning_app.py"
    nav.write_text(NAV_APP, encoding="utf-8")
    return streamlit_server(nav).url + "/"


def _settled_legend(page, legend, timeout_s: float = 15.0) -> list[tuple[str, str]]:
    """The legend's (label, count) rows once the page has finished its runs: the map may be
    drawn by a first run and redrawn by the next, so read until four reads agree."""
    last, same = None, 0
    for _ in range(int(timeout_s / 0.25)):
        rows = list(zip(legend.locator(".fm-lab").all_inner_texts(),
                        legend.locator("td.fm-n").all_inner_texts()))
        same = same + 1 if rows == last else 0
        if same >= 4:
            break
        last = rows
        page.wait_for_timeout(250)
    return last


def test_traffic_light_map_draws_with_its_legend(app_url, page):
    open_app(page, app_url + "?ws=us_federal&ew_year=2019&ew_quarter=2&ew_rule=elapsed")
    frame = wait_for_map(page, timeout=60_000)
    assert painted_paths(frame).count() == 56

    legend = frame.locator(".fm-legend")
    legend.wait_for(state="visible")
    rows = _settled_legend(page, legend)
    assert rows == [("Far behind (red)", "1"), ("Behind (yellow)", "1"),
                                         ("On pace (green)", "47"), ("Ahead (blue)", "7"),
                                         ("No data", "0")], rows
    swatches = legend.locator(".fm-sw").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert swatches[:4] == ["rgb(189, 0, 38)", "rgb(254, 204, 92)", "rgb(116, 196, 118)",
                            "rgb(49, 130, 189)"]
    fills = painted_paths(frame).evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    assert fills.count("#bd0026") == 1 and fills.count("#3182bd") == 7

    # the one yellow state (Alabama; the red one, the District of Columbia, is too small to
    # hover reliably)
    text = hover_feature(frame, fills.index("#fecc5c"))
    assert text.splitlines()[0].strip() == "Alabama", text
    for line in ("Pace of spending, FY2019 Q2: Behind", "Spent to date: $25.9B",
                 "Share of the year spent: 40.6%", "Expected share: 49.9%",
                 "Gap: -9.3 points"):
        assert line in text, text

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "early_warning_map.png"))
    assert_offline(page)
    errors = [e for e in page.console_errors if "Failed to load resource" not in e]
    assert not errors, errors
