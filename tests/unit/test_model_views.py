"""The maps of peer groups and of what money predicts (analysis.model_views), as the page and
the exports draw them, on the tiny panel workspace of test_panel_frame."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisError, AnalysisMap
from analysis import model_views as MV
from analysis.frames import panel_frame, region_frame
from analysis.peers import peer_groups
from analysis.regression import money_predicts
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from locales import use
from tests.unit.test_panel_frame import PLANTED, REGIONS, tiny_workspace

OUTCOME, MONEY = "ind:Score", "money:grants"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return WorkspaceData(load_manifest(tiny_workspace(tmp_path_factory.mktemp("models"))))


def classes(amap: AnalysisMap) -> dict[str, str]:
    """Region id → legend label of its class ("No data" for -1)."""
    labels = [e.label for e in amap.view.legend]
    return {r: labels[c] if c >= 0 else "No data"
            for r, c in zip(amap.view.region_ids, amap.view.class_ids)}


# ------------------------------------------------------------------------ what money predicts
def test_panel_map_judges_each_region_by_its_mean_residual(data):
    amap = MV.predicts_map(data, "county", 2023, REGIONS, outcome=OUTCOME, money=MONEY,
                           controls=[], log=False, panel=(2020, 2023))
    judged = classes(amap)
    assert judged[REGIONS[PLANTED]] == "Better than predicted"
    assert {v for r, v in judged.items() if r != REGIONS[PLANTED]} == {"As predicted"}
    assert amap.title == "Score"
    assert amap.subtitle == ("Mean residual 2020–2023: better or worse than predicted for the "
                             "money received")
    assert amap.notes == ("Score: no value in 2022; those rows are left out",)
    assert "year fixed effects" in amap.methodology
    assert "standard errors clustered by region" in amap.methodology
    assert "This is an association, not a cause" in amap.methodology
    assert "over 36 rows: 12 regions, 2020–2023; coefficient of Grants per resident: 1.95 (95% " \
        "confidence interval 1.77 to 2.14)." in amap.methodology
    assert "each region's mean residual over 2020–2023" in amap.methodology
    assert [f.replace("\\", "/").split("/")[-1] for f in amap.files] == [
        "regions.geojson", "allocations.csv", "score.csv", "population.csv"]


def test_panel_fit_is_the_regression_of_the_panel_table(data):
    fit = MV.fit_predicts(data, "county", 2023, outcome=OUTCOME, money=MONEY, log=False,
                          panel=(2020, 2023))
    frame = panel_frame(data, "county", 2020, 2023, [OUTCOME, MONEY]).frame.dropna()
    res = money_predicts(frame, outcome=OUTCOME, money=MONEY, panel_years="year")
    assert fit.result.money_coef == pytest.approx(res.money_coef, abs=1e-12)
    assert (fit.result.n, fit.result.n_regions, fit.result.n_years) == (36, 12, 3)
    # within-year R²: 1 − SSR / the sum of squares about each year's mean
    y = frame[OUTCOME]
    within = y - y.groupby(frame["year"]).transform("mean")
    ssr = float((res.residual ** 2).sum())
    assert fit.result.r2_within == pytest.approx(1 - ssr / float(within @ within), abs=1e-12)
    assert fit.result.r2_within == pytest.approx(0.8565, abs=1e-4)
    assert fit.result.r2 == pytest.approx(0.9351, abs=1e-4)
    per = MV.region_verdicts(fit.result)
    assert per.loc[REGIONS[PLANTED], "years"] == 3
    assert per.loc[REGIONS[PLANTED], "residual"] == pytest.approx(
        fit.result.residual.xs(REGIONS[PLANTED], level="region_id").mean())
    assert fit.term(fit.result.money_term) == "Grants per resident"


def test_one_year_map_is_the_regressions_verdicts(data):
    amap = MV.predicts_map(data, "county", 2023, REGIONS, outcome=OUTCOME, money=MONEY,
                           controls=["population"], log=True)
    rf = region_frame(data, "county", 2023, [OUTCOME, MONEY, "population"])
    res = money_predicts(rf.frame.rename(columns=rf.labels), outcome="Score",
                         money="Grants per resident", controls=["Population"], log_money=True)
    words = {"better": "Better than predicted", "worse": "Worse than predicted",
             "as_predicted": "As predicted"}
    assert classes(amap) == {r: words[res.verdict[r]] for r in REGIONS}
    assert amap.subtitle == "Better or worse than predicted for the money received, 2023"
    assert "robust (HC3) standard errors" in amap.methodology
    assert f"R² {res.r2:.2f} over 12 regions" in amap.methodology


def test_the_cached_table_is_used_when_given(data):
    calls = []

    def frame(level, year, keys):
        calls.append((level, year, keys))
        return panel_frame(data, level, year[0], year[1], list(keys))

    MV.predicts_map(data, "county", 2023, REGIONS, outcome=OUTCOME, money=MONEY,
                    controls=[], log=False, panel="2020-2023", frame=frame)
    assert calls == [("county", (2020, 2023), (OUTCOME, MONEY))]


@pytest.mark.parametrize("panel, message", [
    ((2023, 2023), "A panel needs at least two years; the span chosen holds only 2023."),
    ((2023,), "A panel needs at least two years; the span chosen holds only 2023."),
    ((2030, 2031), "no money or indicator at this level from 2030 to 2031"),
    ((2022, 2022), "the span chosen holds only 2022"),
])
def test_a_panel_of_one_year_is_refused(data, panel, message):
    with pytest.raises(AnalysisError) as err:
        MV.predicts_map(data, "county", 2023, REGIONS, outcome=OUTCOME, money=MONEY,
                        controls=[], log=False, panel=panel)
    assert message in str(err.value)


def test_unknown_measures_are_refused_not_raised_as_errors_of_the_code(data):
    with pytest.raises(AnalysisError, match="not a measure of this level: ind:nope"):
        MV.predicts_map(data, "county", 2023, REGIONS, outcome="ind:nope", money=MONEY,
                        controls=[], log=False)


# ------------------------------------------------------------------------------ peer groups
def test_peer_groups_map_is_the_grouping_of_the_logged_table(data):
    amap = MV.peers_map(data, "county", 2023, REGIONS, measures=[MONEY, OUTCOME], groups=2,
                        method="kmeans", log=True)
    rf = region_frame(data, "county", 2023, [MONEY, OUTCOME])
    values = rf.frame.copy()
    values[MONEY] = np.log10(values[MONEY])
    pg = peer_groups(values, k=2)
    sizes = pg.sizes.to_dict()
    assert [e.label for e in amap.view.legend] == [f"Group 1 ({sizes[1]} regions)",
                                                   f"Group 2 ({sizes[2]} regions)", "No data"]
    assert classes(amap) == {r: f"Group {pg.groups[r]} ({sizes[pg.groups[r]]} regions)"
                             for r in REGIONS}
    assert amap.title == "Peer groups"
    assert amap.subtitle == "k-means on standardised values, 2023"
    assert "sorted 12 regions into 2 peer groups by the z-scores of Grants per resident, " \
        "Score" in amap.methodology
    assert amap.methodology.endswith("On a log scale (base 10) before the z-scores: Grants per "
                                     "resident; a region with zero or less has no logarithm "
                                     "and is left out.")


def test_neighbours_together_take_the_weights_given(data):
    from analysis.spatial import weights as build

    calls = []

    def weights(level, kind, k, islands):
        calls.append((level, kind, k, islands))
        return build(data.boundaries(level), kind, k=k, handle_islands=islands,
                     id_column="region_id", name_column="name")

    amap = MV.peers_map(data, "county", 2023, REGIONS, measures=[MONEY, OUTCOME], groups=3,
                        method="regions", log=False, weights=weights)
    assert calls == [("county", "queen", 5, "drop")]
    # the grid's rows of four, money rising along them: three connected groups
    assert pd.Series(amap.view.class_ids).value_counts().sort_index().tolist() == [3, 5, 4]
    assert "Ward clustering constrained by contiguity" in amap.methodology
    assert amap.methodology.endswith("Every measure on its own scale (no logarithm).")


def test_peer_groups_refuse_what_they_cannot_do(data):
    with pytest.raises(AnalysisError, match="Unknown grouping method 'x'"):
        MV.peers_map(data, "county", 2023, REGIONS, measures=[MONEY], groups=2, method="x",
                     log=False)
    with pytest.raises(AnalysisError, match="7 peer groups need at least 14 regions with every "
                       "measure; 12 have them"):
        MV.peers_map(data, "county", 2023, REGIONS, measures=[MONEY, OUTCOME], groups=7,
                     method="kmeans", log=False)


def test_in_chinese(data):
    with use("zh"):
        peers = MV.peers_map(data, "county", 2023, REGIONS, measures=[MONEY, OUTCOME],
                             groups=2, method="kmeans", log=True)
        panel = MV.predicts_map(data, "county", 2023, REGIONS, outcome=OUTCOME, money=MONEY,
                                controls=[], log=False, panel=(2020, 2023))
        with pytest.raises(AnalysisError) as err:
            MV.predicts_map(data, "county", 2023, REGIONS, outcome=OUTCOME, money=MONEY,
                            controls=[], log=False, panel=(2023, 2023))
        refusal = str(err.value)
    assert peers.title == "同类组"
    assert peers.view.legend[0].label.startswith("第 1 组（")
    assert panel.subtitle == "2020–2023年平均残差：就所获资金而言，结果好于或差于预测"
    assert "年内R²" in panel.methodology and "相关而非因果" in panel.methodology
    assert refusal.startswith("面板至少需要两个年份")
