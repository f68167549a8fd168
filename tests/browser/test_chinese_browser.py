"""The app in Chinese in a real browser (network cut): a lang=zh link gives Chinese navigation,
labels, figures and map words, the language survives moving to another page, and the picker
brings English back."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser


def _metric_labels(page) -> list[str]:
    return page.locator('[data-testid="stMetricLabel"]').all_inner_texts()


def test_a_chinese_link_reads_in_chinese_from_page_to_page(streamlit_app, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, streamlit_app, "one_map?level=state&measure=total&years=2024&lang=zh")
    frame = wait_for_map(page, timeout=60_000)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for label in ("概览", "一张图", "人均", "资金与成效", "道路", "听证会"):
        assert label in nav, nav
    labels = [s.strip() for s in _metric_labels(page)]
    assert labels[:2] == ["地图上的总额", "人均"], labels
    assert labels[3] == "未能落图", labels
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert values[0].endswith("万亿美元"), values
    assert frame.locator(".fm-legend .fm-lab").all_inner_texts()[-1] == "无数据"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chinese_one_map_1280x720.png"))

    # Another page through the navigation: still Chinese.
    page.locator('[data-testid="stSidebarNav"] a', has_text="人均").first.click()
    page.wait_for_function("() => location.pathname.endsWith('/per_capita')")
    wait_for_map(page, timeout=60_000)
    page.get_by_text("人均", exact=True).first.wait_for()
    assert "lang=zh" in page.url

    # The picker brings English back, and the link forgets the language.
    page.get_by_role("combobox", name="语言 · Language").click()
    page.get_by_role("option", name="English").click()
    page.locator('[data-testid="stSidebarNav"]', has_text="Per capita").wait_for()
    page.wait_for_function("() => !location.search.includes('lang=')")
    assert_offline(page)
