"""Roads page (AppTest): runs for the Boston workspace, overlay and scheme change what is shown,
and a workspace without segments says so."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/roads.py"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _open(ws: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["ws"] = ws
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(PAGE)
    return _run(at)


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "markdown", "caption", "text", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _table(at: AppTest, must: set[str]) -> pd.DataFrame:
    for df in at.dataframe:
        if must <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {must}")


@pytest.fixture(scope="module")
def boston() -> AppTest:
    return _open("boston_region")


def test_boston_page_shows_targets_methodology_and_overlay(boston):
    text = _text(boston)
    assert "of interstate miles are in good or better condition against a target of 80%" in text
    assert "Methodology" in text and "survey 2013" in text and "excellent ≥ 3.5" in text
    assert "Overlay: 865 segments drawn as lines" in text
    targets = _table(boston, {"name", "good_share", "poor_share", "status"})
    assert set(targets["status"].astype(str)) <= {"met", "at risk", "missed", "no data"}
    # 49 towns carry interstates by attribute; split at boundaries, pieces reach one more
    assert len(targets) == 50
    invest = _table(boston, {"rank", "priority", "funding"})
    assert list(invest["rank"]) == list(range(1, len(invest) + 1))
    assert invest["priority"].is_monotonic_decreasing


def test_overlay_toggle_changes_what_is_shown(boston):
    at = boston
    at.toggle(key="rd_overlay").set_value(False)
    _run(at)
    assert "Overlay off" in _text(at)
    assert "segments drawn as lines" not in _text(at)
    at.toggle(key="rd_overlay").set_value(True)
    _run(at)
    assert "segments drawn as lines" in _text(at)


def test_switching_scheme_reclassifies(boston):
    at = boston
    before = _table(at, {"name", "excellent", "good", "fair", "poor"}).set_index("region_id")
    at.selectbox(key="rd_condition").set_value("psi_massdot_town_bins")
    _run(at)
    assert "PSI, MassDOT town bins" in _text(at)
    after = _table(at, {"name", "excellent", "good", "fair", "poor"}).set_index("region_id")
    # poor < 2.3 instead of < 2.5: fewer poor miles somewhere, same total
    assert after["poor"].sum() < before["poor"].sum()
    assert after["total"].sum() == pytest.approx(before["total"].sum())
    at.selectbox(key="rd_condition").set_value("psi_massdot_interstate")
    _run(at)


def test_road_class_bins_uses_town_table(boston):
    at = boston
    at.radio(key="rd_class").set_value("bins")
    _run(at)
    assert "NHS miles are in good or better condition against a target of 70%" \
        in _text(at)
    at.radio(key="rd_class").set_value("segments")
    _run(at)


def test_us_workspace_has_no_segments():
    at = _open("us_federal")
    assert any("has no road segments" in str(i.value) for i in at.info)
