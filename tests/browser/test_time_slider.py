"""The Per capita maps in a real browser, network blocked: the year slider (a Streamlit control)
recolours the app's own map component in place, in the same classes; Play steps the years;
side by side shows two maps, each with its own legend and counts. Screenshots at 1920×1080 and
1280×720 go to tests/browser/artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

FILLS = """() => Array.from(document.querySelectorAll('.leaflet-container path.leaflet-interactive'))
             .map(p => p.getAttribute('fill')).join(',')"""
SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}


def legend_rows(frame) -> list[tuple[str, str]]:
    """(class label, count) per class of the map's legend, in its order (the legend is a
    table, by rows or by columns)."""
    labels = frame.locator(".fm-legend .fm-lab").all_inner_texts()
    counts = frame.locator(".fm-legend td.fm-n").all_inner_texts()
    assert len(labels) == len(counts) > 0, (labels, counts)
    return list(zip(labels, counts))


def script_errors(page) -> list[str]:
    return [e for e in page.console_errors if e.startswith("pageerror")]


def test_the_year_slider_recolours_the_map_in_the_same_classes(streamlit_app, page):
    # quantiles asked for: "Automatic" would draw these years in a box map (they have outliers)
    open_app(page, streamlit_app, "per_capita?ws=us_federal&pc_years=2019-2021"
                                  "&pc_scheme=quantiles")
    frame = wait_for_map(page)
    slider = page.get_by_role("slider", name="Fiscal year shown")
    assert slider.get_attribute("aria-valuetext") == "FY2021"       # opens on the latest year
    assert page.locator("iframe[title='streamlit_folium.st_folium']").count() == 0
    frame.evaluate("() => { window.fmKept = 'FY2021'; }")
    fills = {"FY2021": frame.evaluate(FILLS)}
    legend = {"FY2021": legend_rows(frame)}

    slider.focus()
    page.keyboard.press("Home")                                       # to FY2019
    frame.wait_for_function(f"(a) => ({FILLS})() !== a", arg=fills["FY2021"])
    assert slider.get_attribute("aria-valuetext") == "FY2019"
    fills["FY2019"] = frame.evaluate(FILLS)
    legend["FY2019"] = legend_rows(frame)
    # the same page in the frame (the shapes were kept), new colours, the same classes with
    # FY2019's own counts
    assert frame.evaluate("() => window.fmKept") == "FY2021"
    assert fills["FY2019"] != fills["FY2021"]
    assert [label for label, _ in legend["FY2019"]] == [label for label, _ in legend["FY2021"]]
    assert [n for _, n in legend["FY2019"]] == ["30", "8", "4", "3", "7", "4"]
    assert [n for _, n in legend["FY2021"]] == ["1", "8", "12", "18", "13", "4"]
    heading = page.locator("[data-testid='stHeading']").all_inner_texts()
    assert "Federal obligations, all agencies per resident, FY2019" in heading

    # Play steps FY2019 → FY2020 → FY2021 and stops on the last year
    page.get_by_role("button", name="▶ Play").first.click()
    page.wait_for_function(
        "() => document.querySelector('input[aria-label=\"Fiscal year shown\"]')"
        ".getAttribute('aria-valuetext') === 'FY2020'", timeout=15_000)
    page.wait_for_function(
        "() => document.querySelector('input[aria-label=\"Fiscal year shown\"]')"
        ".getAttribute('aria-valuetext') === 'FY2021'", timeout=15_000)
    page.get_by_role("button", name="▶ Play").first.wait_for(timeout=15_000)
    frame.wait_for_function(f"(a) => ({FILLS})() === a", arg=fills["FY2021"])
    assert frame.evaluate("() => window.fmKept") == "FY2021"

    assert_offline(page)
    assert not script_errors(page), page.console_errors


@pytest.mark.parametrize("size", list(SIZES))
def test_first_view_and_side_by_side_at_both_sizes(streamlit_app, page, size):
    w, h = SIZES[size]
    page.set_viewport_size({"width": w, "height": h})
    open_app(page, streamlit_app, "per_capita?ws=us_federal")
    frame = wait_for_map(page)
    box = page.locator("iframe[src*='/ui.map_component.fiscal_map/']").first.bounding_box()
    assert box["y"] < 300, box                     # the map starts near the top of the page
    # FY2008-FY2024 pooled have outliers: a box map, North Dakota among the upper outliers
    assert [n for _, n in legend_rows(frame)] == ["0", "0", "5", "25", "13", "9", "4"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"per_capita_{size}.png"))

    open_app(page, streamlit_app, "per_capita?ws=us_federal&pc_view=compare")
    left, right = wait_for_map(page, 0), wait_for_map(page, 1)
    rows = {"left": legend_rows(left), "right": legend_rows(right)}
    assert [label for label, _ in rows["left"]] == [label for label, _ in rows["right"]]
    assert [n for _, n in rows["left"]] == ["21", "21", "9", "0", "1", "4"]
    assert [n for _, n in rows["right"]] == ["0", "0", "12", "21", "19", "4"]
    assert left.locator(".fm-legend .fm-title").inner_text() == "FY2008"
    assert right.locator(".fm-legend .fm-title").inner_text() == "FY2024"
    # two columns, each map its column's width: side by side, neither cut off by the window
    frames = page.locator("iframe[src*='/ui.map_component.fiscal_map/']")
    a, b = frames.nth(0).bounding_box(), frames.nth(1).bounding_box()
    assert abs(a["width"] - b["width"]) < 2 and a["x"] + a["width"] <= b["x"]
    assert b["x"] + b["width"] <= w
    page.screenshot(path=str(ARTIFACTS / f"per_capita_side_by_side_{size}.png"))

    assert_offline(page)
    assert not script_errors(page), page.console_errors


def test_clicking_a_state_opens_its_counties_and_back_returns(streamlit_app, page):
    open_app(page, streamlit_app, "per_capita?ws=us_federal&pc_table=county_grants")
    frame = wait_for_map(page)
    states = frame.locator(".leaflet-container path.leaflet-interactive")
    # Kansas sits in the middle of the lower 48: a click there hits a state
    box = page.locator("iframe[src*='/ui.map_component.fiscal_map/']").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45)
    page.get_by_role("button", name="⬆ Back to all states").wait_for(timeout=30_000)
    heading = page.locator("[data-testid='stHeading']").all_inner_texts()
    assert any(h.startswith("Federal grants by county, FY2022 per resident in ") for h in heading)
    frame = wait_for_map(page)
    assert states.count() > 10                              # a state's counties
    page.get_by_role("button", name="⬆ Back to all states").click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=stHeading]'))"
        ".some(h => h.innerText === 'Federal grants by county, FY2022 per resident')")
    assert_offline(page)
    assert not script_errors(page), page.console_errors
