"""The real dashboard in Chromium: the county map paints, tooltips and legend show, nothing
leaves the machine, and a hostile region name stays text."""
from __future__ import annotations

import geopandas as gpd
import pytest

from tests.browser.conftest import (ARTIFACTS, assert_offline, hover_feature, open_app,
                                    painted_paths, wait_for_map)
from tests.fixtures.helpers import BAD_WORKSPACE, XSS_NAME

pytestmark = pytest.mark.browser

COUNTIES = "geodata/workspaces/us_federal/boundaries/counties-10m.json"


def failed_responses(page) -> list[tuple[int, str]]:
    """HTTP errors, except the frontend's probe for a server under the page's own path (a deep
    link first tries /one_map/_stcore/health, then the root)."""
    out: list[tuple[int, str]] = []

    def note(r):
        if r.status >= 400 and not r.url.endswith(("/_stcore/health", "/_stcore/host-config")):
            out.append((r.status, r.url))
    page.on("response", note)
    return out


def test_county_indicator_map_paints_offline(streamlit_app, page):
    failed = failed_responses(page)
    open_app(page, streamlit_app, "one_map?level=county&measure=indicator")
    frame = wait_for_map(page, timeout=60_000)
    assert painted_paths(frame).count() > 3000

    names = set(gpd.read_file(COUNTIES, layer="counties")["name"])
    text = hover_feature(frame, 1500)
    first = text.splitlines()[0].strip()
    assert first in names, text
    assert "%" in text and "Unemployment rate" in text

    legend = frame.locator(".fm-legend")
    legend.wait_for(state="visible")
    labels = legend.locator(".fm-lab").all_inner_texts()
    counts = [int(n.replace(",", "")) for n in legend.locator("td.fm-n").all_inner_texts()]
    assert labels[-1] == "No data" and len(labels) >= 4, labels
    # every county is counted once, in its class or as No data, under a "Counties" head
    assert sum(counts) == painted_paths(frame).count()
    assert legend.locator("th.fm-n").inner_text() == "Counties"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "one_map_county_indicator.png"))
    assert_offline(page)
    assert failed == []
    assert not [e for e in page.console_errors if "status of 404" not in e], page.console_errors


def test_hostile_region_name_shows_as_text(streamlit_server, page):
    server = streamlit_server("app.py", env={"FISCALMAP_WORKSPACES": str(BAD_WORKSPACE)})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, server.url, f"one_map?ws={BAD_WORKSPACE.name}")
    frame = wait_for_map(page)
    assert painted_paths(frame).count() == 3            # the empty region is not drawn

    # Features are in the layer's order: 01001, 01003, 01007 (the hostile name).
    text = hover_feature(frame, 2)
    assert text.splitlines()[0] == XSS_NAME
    tip = frame.locator(".leaflet-tooltip").last
    assert tip.locator("img").count() == 0
    assert "&lt;img src=x onerror=alert(1)&gt;" in tip.inner_html()
    assert frame.locator("img[src='x']").count() == 0
    assert page.locator("img[src='x']").count() == 0

    # The page's own lists (region picker, detail heading) show it as text too.
    page.get_by_text("Data quality").first.wait_for()
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "one_map_bad_workspace.png"))
    assert dialogs == []
    assert_offline(page)
    server.assert_no_traceback()


def _query(page) -> dict[str, str]:
    from urllib.parse import parse_qs, urlparse
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_click_opens_detail_and_the_view_lives_in_the_url(streamlit_app, page):
    open_app(page, streamlit_app, "one_map?level=state")
    frame = wait_for_map(page, timeout=60_000)
    # The map reports where it opened; the URL then carries centre and zoom.
    page.wait_for_function("() => location.search.includes('zoom=')", timeout=20_000)
    first_zoom = float(_query(page)["zoom"])

    path = painted_paths(frame).nth(5)
    box = path.bounding_box()
    path.click(position={"x": box["width"] / 2, "y": box["height"] / 2}, force=True)
    page.wait_for_function("() => location.search.includes('region=')", timeout=20_000)
    region = _query(page)["region"]
    page.locator("h3").first.wait_for(timeout=20_000)

    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_function(f"() => !location.search.includes('zoom={first_zoom:g}&')"
                           f" && !location.search.endsWith('zoom={first_zoom:g}')",
                           timeout=20_000)
    query = _query(page)
    assert float(query["zoom"]) == pytest.approx(first_zoom + 1)
    assert query["region"] == region

    # The link reopens the same view: same zoom (had the map fitted its shapes instead, it
    # would report the first zoom again), same selected region.
    link = page.url
    page.goto("about:blank")
    open_app(page, link.split("/one_map")[0], "one_map?" + link.split("?", 1)[1])
    wait_for_map(page, timeout=60_000)
    page.wait_for_function("() => location.search.includes('zoom=')", timeout=20_000)
    assert float(_query(page)["zoom"]) == pytest.approx(first_zoom + 1)
    assert _query(page)["region"] == region
    assert_offline(page)
