"""The Analysis page on the US demo and on the bad-input workspace: every question answers or
says why it cannot."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_link, texts

PAGE = "pages/analysis.py"


def run(ws: str | None = "us_federal", **query) -> AppTest:
    return open_link(PAGE, ws, **query)


def test_outliers_of_money_per_resident_by_state_flag_north_dakota():
    at = run(an_view="outliers", an_level="state")
    body = texts(at).replace("\\", "")
    assert "regions are outliers** of Federal obligations, all agencies per resident, FY2024" \
        in body
    flagged = at.dataframe[0].value
    assert "North Dakota" in flagged.iloc[:, 0].tolist()
    assert flagged.iloc[0, 2] == "high"


def test_hot_spots_of_counties_report_morans_i_and_islands():
    at = run(an_view="hotspots", an_level="county")
    labels = [m.label for m in at.metric]
    assert labels == ["Moran's I", "Pseudo p-value", "Regions analysed"]
    assert float(at.metric[0].value) > 0
    assert "without a neighbour (islands) are left out" in texts(at).replace("\\", "")


def test_a_link_chooses_the_weights_and_the_significance():
    at = run(an_view="hotspots", an_level="state", an_w="knn", an_knn="4", an_alpha="0.01",
             an_perm="99")
    assert at.session_state["an_w"] == "knn" and at.session_state["an_knn"] == 4
    assert at.session_state["an_alpha"] == 0.01 and at.session_state["an_perm"] == 99
    assert at.metric[1].help == "From 99 random permutations"


def test_peer_groups_and_the_peers_of_one_state():
    at = run(an_view="peers", an_level="state", an_groups="4")
    assert [s.value for s in at.subheader] == ["Regions like this one"]
    profile, peers = at.dataframe[0].value, at.dataframe[1].value
    assert profile["Group"].tolist() == [1, 2, 3, 4]
    assert int(profile["Regions"].sum()) >= 40
    assert len(peers) == 6                       # the state and five peers
    assert peers["Distance"].iloc[0] == "—"


def test_what_money_predicts_says_association_not_cause():
    at = run(an_view="predicts", an_level="state")
    assert at.warning[0].value.startswith("Association, not cause")
    assert [m.label for m in at.metric][:2] == ["R²", "Regions"]
    coefficients = at.dataframe[0].value
    assert coefficients.index.tolist()[0] == "Intercept"
    assert coefficients.index.tolist()[1].startswith("log of ")


def test_too_few_regions_are_refused_with_the_minimum():
    at = run(ws="bad_workspace", an_view="outliers")   # the bad-input workspace: 3 counties
    assert "at least" in texts(at)
    assert not at.dataframe


def test_in_chinese():
    at = run(an_view="outliers", an_level="state", lang="zh")
    assert [x.value for x in at.title] == ["分析"]
    assert "个为异常值" in texts(at)


@pytest.fixture(autouse=True)
def _bad_workspace_for_no_ws(request, monkeypatch):
    if request.node.name == "test_too_few_regions_are_refused_with_the_minimum":
        from tests.fixtures.helpers import BAD_WORKSPACE
        monkeypatch.setenv("FISCALMAP_WORKSPACES", str(BAD_WORKSPACE))


def test_overlapping_funding_on_the_nyc_council_awards():
    at = run(ws="nyc_council", an_view="overlap", an_ov_level="district")
    body = texts(at).replace("\\", "")
    assert [s.value for s in at.subheader][:2] == ["Recipients funded more than once",
                                                   "Possible duplicate awards"]
    pairs = at.dataframe[1].value
    assert len(pairs) == 500                       # the first rows; the CSV has them all
    assert "the CSV has them all" in body
    assert any(b.label == "Download (CSV)" for b in at.get("download_button"))


def test_a_workspace_without_line_items_says_what_the_check_needs():
    at = run(an_view="overlap")
    assert "has no line-item table to check" in texts(at)
