"""The Analysis page's overlapping-funding view on the NYC Council awards: a link reopens it with
its level and money shown, a choice is written back to the address, and the map's notes and
method are the recipe's (analysis.overlap.overlap_map)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_link, rerun, texts

PAGE = "pages/analysis.py"
WS = Path(__file__).resolve().parents[2] / "geodata" / "workspaces" / "nyc_council"

pytestmark = pytest.mark.skipif(not (WS / "workspace.toml").exists(),
                                reason="nyc_council workspace not built")


def run(**query) -> AppTest:
    return open_link(PAGE, "nyc_council", **query)


def url(at: AppTest, *keys: str) -> dict[str, str]:
    return {k: at.query_params[k][0] if isinstance(at.query_params[k], list)
            else at.query_params[k] for k in keys if k in at.query_params}


KEYS = ("ws", "an_view", "an_ov_level", "an_ov_measure")


def test_a_link_reopens_the_view_with_its_level_and_money():
    at = run(an_view="overlap", an_ov_level="zip", an_ov_measure="multi_amount")
    assert (at.session_state["an_ov_level"], at.session_state["an_ov_measure"]) == \
        ("zip", "multi_amount")
    assert at.radio(key="an_ov_level").value == "zip"
    assert at.radio(key="an_ov_measure").value == "multi_amount"
    body = texts(at).replace("\\", "")
    assert "$183M of it is in line items with no ZIP area (not placed on the map)." in body
    assert "Flagged money by zip (modzcta): each award counted once" in body
    assert url(at, *KEYS) == {"ws": "nyc_council", "an_view": "overlap", "an_ov_level": "zip",
                              "an_ov_measure": "multi_amount"}


def test_a_choice_is_written_to_the_address():
    at = run(an_view="overlap")
    assert url(at, *KEYS) == {"ws": "nyc_council", "an_view": "overlap",
                              "an_ov_level": "district", "an_ov_measure": "pair_amount"}
    assert "$161M of it is in line items with no council district" in \
        texts(at).replace("\\", "")
    at.radio(key="an_ov_level").set_value("zip")
    at.radio(key="an_ov_measure").set_value("multi_amount")
    rerun(at)
    assert url(at, "an_ov_level", "an_ov_measure") == {"an_ov_level": "zip",
                                                       "an_ov_measure": "multi_amount"}
    assert "$183M of it is in line items with no ZIP area" in texts(at).replace("\\", "")


def test_a_choice_the_view_lacks_falls_back_and_says_so():
    at = run(an_view="overlap", an_ov_level="borough", an_ov_measure="total")
    assert (at.session_state["an_ov_level"], at.session_state["an_ov_measure"]) == \
        ("district", "pair_amount")
    # the warning is written above the view once the view has read its settings: the first
    # run already shows it
    assert [w.value for w in at.warning][0] == (
        "Some link parameters were ignored: an\\_ov\\_level = 'borough' (not available here); "
        "an\\_ov\\_measure = 'total' (not available here)")


def test_in_chinese():
    at = run(an_view="overlap", an_ov_level="district", an_ov_measure="pair_amount", lang="zh")
    body = texts(at).replace("\\", "")
    assert "其中 1.6亿美元 属于没有council district信息的明细（未能落图）。" in body
    assert at.radio(key="an_ov_measure").options[0] == "可能重复的资助项目金额"
