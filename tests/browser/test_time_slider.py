"""The per-capita time slider in a real browser, network blocked: play steps the years and the
polygons' fill colours change, client-side."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

FILLS = """() => Array.from(document.querySelectorAll('.leaflet-container path.leaflet-interactive'))
             .map(p => p.getAttribute('fill'))"""


def test_play_steps_three_years_and_recolours_the_map(streamlit_app, page):
    open_app(page, streamlit_app, "per_capita?ws=us_federal&pc_years=2019-2021&pc_table=obligations_total")
    frame = wait_for_map(page)
    box = frame.locator(".fm-time")
    assert box.get_attribute("data-year") == "FY2019"
    fills = {0: frame.evaluate(FILLS)}
    assert len(fills[0]) == 56
    legend0 = frame.locator(".fm-legend").inner_text()
    assert "USD per resident" in legend0

    frame.locator(".fm-play").click()
    for i in (1, 2):
        frame.wait_for_function(
            "(i) => document.querySelector('.fm-time').dataset.frame === String(i)", arg=i)
        fills[i] = frame.evaluate(FILLS)
    assert box.get_attribute("data-year") == "FY2021"
    assert frame.locator(".fm-range").input_value() == "2"
    # fixed classes: the same legend ranges, different colours as money per resident moved
    assert fills[0] != fills[1] or fills[1] != fills[2]
    assert fills[0] != fills[2]
    # the slider also steps back, without any rerun of the page
    frame.locator(".fm-range").fill("0")
    frame.wait_for_function("() => document.querySelector('.fm-time').dataset.frame === '0'")
    assert frame.evaluate(FILLS) == fills[0]

    assert_offline(page)
    assert not [e for e in page.console_errors if e.startswith("pageerror")], page.console_errors
