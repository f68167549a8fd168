"""The Analysis page in Chromium: the LISA cluster map of the county money per resident paints
offline, its legend names the clusters with their counts, and a tooltip names the cluster."""
from __future__ import annotations

import pytest

from tests.browser.conftest import (ARTIFACTS, assert_offline, hover_feature, open_app,
                                    painted_paths, wait_for_map)

pytestmark = pytest.mark.browser

CLUSTERS = ("High-high (hot spot)", "Low-low (cold spot)", "High-low (high among low)",
            "Low-high (low among high)", "Not significant", "No data")


def test_lisa_cluster_map_of_the_counties(streamlit_app, page):
    open_app(page, streamlit_app, "analysis?an_view=hotspots&an_level=county"
                                  "&an_measure=per_capita&an_perm=99")
    frame = wait_for_map(page, timeout=90_000)
    assert painted_paths(frame).count() > 3000
    legend = frame.locator(".fm-legend")
    legend.wait_for(state="visible")
    text = legend.inner_text()
    for label in CLUSTERS:
        assert label in text, text
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(metrics) == 3 and float(metrics[0]) > 0       # Moran's I of money per resident
    tip = hover_feature(frame, 1200)
    assert any(label.split(" (")[0] in tip for label in CLUSTERS[:5]), tip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analysis_lisa_counties.png"), full_page=True)
    assert_offline(page)
