"""Every page of app.py, on each bundled workspace: no exception and a title."""
from __future__ import annotations

import pytest

from tests.app.conftest import open_page, registered_pages, texts

WORKSPACES = ["us_federal", "boston_region"]


def test_app_registers_the_expected_pages():
    pages = registered_pages()
    for page in ("pages/overview.py", "pages/one_map.py", "pages/money_results.py",
                 "pages/data_quality.py", "pages/sources.py"):
        assert page in pages


@pytest.mark.parametrize("ws", WORKSPACES)
@pytest.mark.parametrize("page", registered_pages())
def test_every_page_runs(page, ws):
    at = open_page(page, ws)
    assert at.session_state["ws"] == ws
    titles = [t.value for t in at.title]
    assert titles and all(str(t).strip() for t in titles), f"{page}: no title"


def test_workspace_selectbox_switches_workspace():
    at = open_page("pages/overview.py")
    assert at.title[0].value == "US federal spending"
    at.selectbox(key="ws").set_value("boston_region").run()
    assert not at.exception
    assert at.title[0].value == "Boston region"
    assert "FFY" in texts(at)


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_runs_in_chinese(page):
    at = open_page(page, "us_federal", lang="zh")
    assert at.selectbox(key="lang").label == "语言 · Language"
    titles = [t.value for t in at.title]
    assert titles and all(str(t).strip() for t in titles), f"{page}: no title"
