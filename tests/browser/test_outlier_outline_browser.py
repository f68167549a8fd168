"""Marked outliers in Chromium, network cut: the Per capita map of the states with "Mark
outliers" on draws North Dakota's outline (thick, dark, over a white halo) above the regions,
the legend has the outline's row with its count, and North Dakota's tooltip says why."""
from __future__ import annotations

import pytest

from layers.choropleth import MARK_COLOUR, MARK_HALO, MARK_WIDTH_PX
from tests.browser.conftest import (ARTIFACTS, assert_offline, hover_feature, open_app,
                                    painted_paths, wait_for_map)

pytestmark = pytest.mark.browser

MARKS = """() => Array.from(document.querySelectorAll('.leaflet-container path.fm-mark'))
             .filter(p => { const r = p.getBoundingClientRect();
                            return p.getAttribute('d') && r.width > 0 && r.height > 0; })
             .map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-width'),
                        p.getAttribute('fill')])"""
HALOS = """() => Array.from(document.querySelectorAll('.leaflet-container path.fm-mark-halo'))
             .map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-width')])"""


def test_north_dakota_is_outlined_with_a_legend_row_and_a_reason(streamlit_app, page):
    open_app(page, streamlit_app, "per_capita?ws=us_federal&pc_outliers=mad")
    frame = wait_for_map(page, timeout=90_000)
    assert painted_paths(frame).count() > 50
    marks = frame.evaluate(MARKS)
    assert marks, "no marked outline was drawn"
    assert {tuple(m) for m in marks} == {(MARK_COLOUR, f"{MARK_WIDTH_PX:g}", "none")}
    halos = frame.evaluate(HALOS)
    assert len(halos) == len(marks) and {h[0] for h in halos} == {MARK_HALO}
    # the outlines lie in their own pane, above the regions and under nothing interactive
    assert frame.evaluate("() => getComputedStyle(document.querySelector("
                          "'.leaflet-fmMarks-pane')).pointerEvents") == "none"
    legend = frame.locator(".fm-legend").first
    legend.wait_for(state="visible")
    assert "Outliers (median ± 3.5 MAD)" in legend.inner_text()
    swatch = frame.locator(".fm-legend .fm-sw.fm-mk").first
    assert swatch.evaluate("s => getComputedStyle(s).borderTopWidth") == "3px"
    nd = frame.evaluate("() => window.fmComponent.G.ids.indexOf('38')")
    assert nd >= 0
    tip = hover_feature(frame, nd)
    assert "North Dakota" in tip and "Outlier: robust z-score +" in tip, tip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "outlier_outlines_states.png"), full_page=True)
    assert_offline(page)
