"""AppTest helpers: the real app.py, every page it registers, a chosen workspace."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
TIMEOUT = 60


def registered_pages() -> list[str]:
    """Every page file app.py puts in its navigation (its list of ``"pages/x.py"`` files)."""
    pages = re.findall(r"[\"'](pages/[\w/]+\.py)[\"']", APP.read_text(encoding="utf-8"))
    assert pages, "no page file found in app.py"
    return pages


def open_page(page: str | None = None, ws: str | None = None, **state) -> AppTest:
    """Run app.py on ``page`` with workspace ``ws`` (and any other session state preset)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if ws:
        at.session_state["ws"] = ws
    for key, value in state.items():
        at.session_state[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_link(page: str, ws: str | None = None, *, timeout: int = 120, lang: str | None = None,
              **query) -> AppTest:
    """Run app.py on ``page`` as a link with ``query`` opens it (workspace ``ws`` and language
    ``lang`` preset)."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if ws:
        at.session_state["ws"] = ws
    if lang:
        at.session_state["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """All text the page shows in markdown, captions, text, alerts and titles (one string)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "error",
                 "warning", "info", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def components(node):
    """Every custom component instance under an AppTest element tree node."""
    if getattr(node, "type", None) == "component_instance":
        yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from components(child)


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; metrics: {[m.label for m in at.metric]}")


@pytest.fixture
def bad_workspace(monkeypatch):
    """Point FISCALMAP_WORKSPACES at the bad-input fixture (the list is read on every rerun)."""
    from tests.fixtures.helpers import BAD_WORKSPACE

    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(BAD_WORKSPACE))
    yield BAD_WORKSPACE.name
    monkeypatch.delenv("FISCALMAP_WORKSPACES")
