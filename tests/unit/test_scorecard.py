"""The scorecard: statuses per region and indicator, and the money per resident — the very
number map_values gives the Per capita map for the same region and year."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.workspace import load_manifest
from performance import scorecard as S
from tests.fixtures.helpers import square, write_geojson, write_workspace

DISTRICTS = [("D1", "Alpha", square(0, 0)), ("D2", "Beta", square(1, 0)),
             ("D3", "Gamma", square(2, 0)), ("D4", "Delta", square(3, 0))]

MANIFEST = """
[workspace]
title = "Tiny scorecard"

[[levels]]
id = "district"
label = "District"
file = "districts.geojson"
key = "id"
name = "name"

[[tables]]
id = "spend"
kind = "allocations"
level = "district"
file = "spend.csv"
unit = "USD"
[tables.columns]
region_id = "district"
fiscal_year = "fy"
amount = "amount"

[[tables]]
id = "pop"
kind = "population"
level = "district"
file = "pop.csv"
[tables.columns]
region_id = "district"
year = "year"
population = "people"

[[tables]]
id = "outcomes"
kind = "indicators"
level = "district"
file = "outcomes.csv"
[tables.columns]
region_id = "district"
year = "year"
indicator = "indicator"
value = "value"
unit = "unit"
direction = "direction"
target = "target"
"""

TARGETS = """
[targets."Unemployment"]
target = 5.0
direction = "lower_is_better"
at_risk = 1.0

[targets."Income"]
at_risk = 5
"""

SPEND = "district,fy,amount\n" + "".join(
    f"{d},{y},{a}\n" for d, y, a in [("D1", 2022, 1000), ("D2", 2022, 3000), ("D3", 2022, 250),
                                     ("D4", 2022, 8000), ("D1", 2023, 1500), ("D2", 2023, 1000),
                                     ("D3", 2023, 750), ("D4", 2023, 2000), ("D1", 2023, 100)])
POP = "district,year,people\n" + "".join(
    f"{d},{y},{p}\n" for y in (2022, 2023) for d, p in [("D1", 1000), ("D2", 2000), ("D3", 500),
                                                        ("D4", 4000)])
# Unemployment (manifest: ≤ 5, band 1): 2022 met / at risk / missed / no row;
# 2023 at risk / met (on the target) / met (own target 7 overrides 5) / missed.
# Income (higher is better, own targets, the manifest's band 5): 2022 met / missed / no target /
# at risk; 2023 missed / met / met / no value.
OUTCOMES = "district,year,indicator,value,unit,direction,target\n" + "".join(
    f"{d},{y},{i},{v},{u},{dr},{t}\n" for d, y, i, v, u, dr, t in [
        ("D1", 2022, "Unemployment", 4.0, "%", "", ""),
        ("D2", 2022, "Unemployment", 5.5, "%", "", ""),
        ("D3", 2022, "Unemployment", 7.0, "%", "", ""),
        ("D1", 2023, "Unemployment", 6.0, "%", "", ""),
        ("D2", 2023, "Unemployment", 5.0, "%", "", ""),
        ("D3", 2023, "Unemployment", 6.0, "%", "", "7"),
        ("D4", 2023, "Unemployment", 6.5, "%", "", ""),
        ("D1", 2021, "Unemployment", 7.0, "%", "", ""),
        ("D1", 2022, "Income", 100, "USD", "higher_is_better", 90),
        ("D2", 2022, "Income", 80, "USD", "higher_is_better", 90),
        ("D3", 2022, "Income", 90, "USD", "higher_is_better", ""),
        ("D4", 2022, "Income", 96, "USD", "higher_is_better", 100),
        ("D1", 2023, "Income", 80, "USD", "higher_is_better", 90),
        ("D2", 2023, "Income", 95, "USD", "higher_is_better", 90),
        ("D3", 2023, "Income", 91, "USD", "higher_is_better", 90),
        ("D4", 2023, "Income", "", "USD", "higher_is_better", 100),
        ("D1", 2023, "Parks", 3, "", "", ""),
    ])

EXPECTED = {
    2022: {"Unemployment": ["met", "at risk", "missed", "no data"],
           "Income": ["met", "missed", "no target", "at risk"],
           "Parks": ["no target"] * 4},
    2023: {"Unemployment": ["at risk", "met", "met", "missed"],
           "Income": ["missed", "met", "met", "no data"],
           "Parks": ["no target"] * 4},
}


def tiny_workspace(root, targets: str = TARGETS, outcomes: str = OUTCOMES, name="tiny"):
    """A workspace of four districts with money, people, outcomes and [targets]."""
    folder = root / name
    write_geojson(folder / "districts.geojson", DISTRICTS)
    return write_workspace(folder, MANIFEST + targets, {
        "spend.csv": SPEND, "pop.csv": POP, "outcomes.csv": outcomes})


@pytest.fixture
def data(tmp_path):
    return WorkspaceData(load_manifest(tiny_workspace(tmp_path)))


def statuses(sc: S.Scorecard) -> dict[str, list[str]]:
    f = sc.frame
    return {i: f[f["indicator"] == i].set_index("region_id").loc[
        ["D1", "D2", "D3", "D4"], "status"].tolist() for i in sc.indicators}


@pytest.mark.parametrize("year", [2022, 2023])
def test_every_region_and_indicator_gets_its_status(data, year):
    sc = S.build_scorecard(data, "district", year)
    assert statuses(sc) == EXPECTED[year]
    assert len(sc.frame) == 12 and list(sc.frame.columns) == list(S.COLUMNS)
    assert sc.problems == ()


def test_money_per_resident_is_map_values_own_figure(data):
    for year in (2022, 2023):
        sc = S.build_scorecard(data, "district", year)
        mv = map_values(data, MeasureSpec(level="district", measure="per_capita", table="spend",
                                          span=(year, year)))
        money = sc.frame.drop_duplicates("region_id").set_index("region_id")["money_per_resident"]
        for rid in ["D1", "D2", "D3", "D4"]:
            assert money[rid] == mv.values[rid]          # the same number, not a close one
        assert sc.money_label == mv.label and sc.money_unit == mv.unit
    assert money.to_dict() == {"D1": 1.6, "D2": 0.5, "D3": 1.5, "D4": 0.5}


def test_sentences_rules_and_trend(data):
    sc = S.build_scorecard(data, "district", 2023, trend_years=3)
    assert sc.sentences["Unemployment"] == (
        "2 of 4 districts kept unemployment at or below their targets in 2023; 1 at risk, "
        "1 missed.")
    assert sc.sentences["Income"] == (
        "2 of 3 districts kept income at or above $90 in 2023; 1 missed; 1 with no data.")
    assert sc.rules["Unemployment"] == (
        "Lower is better (each region's own target): met ≤ target; at risk ≤ target + 1%; "
        "missed > target + 1%.")
    assert sc.rules["Parks"] == "No target set: not judged."
    assert sc.with_target == ("Income", "Unemployment") == sc.judged
    trend = sc.frame[sc.frame["indicator"] == "Unemployment"].set_index("region_id")["trend"]
    assert trend.to_dict() == {"D1": "improving", "D2": "improving", "D3": "improving",
                               "D4": "no trend"}


def test_the_status_map_has_five_classes_and_prints_the_rule(data):
    sc = S.build_scorecard(data, "district", 2022)
    view = S.status_map_view(sc, "Unemployment", ["D4", "D3", "D2", "D1"])
    assert view.region_ids == ("D4", "D3", "D2", "D1")
    assert view.value_text == ("no data", "missed", "at risk", "met")
    assert [(e.label, e.count) for e in view.legend] == [
        ("met ≤ 5%", 1), ("at risk 5% to 6%", 1), ("missed > 6%", 1), ("no target", 0),
        ("No data", 1)]
    assert view.subtitle == "Lower is better: met ≤ 5%; at risk 5% to 6%; missed > 6%."
    assert view.colours()[0] == view.no_data_colour
    assert len(set(view.class_colours)) == 4
    income = S.status_map_view(sc, "Income", ["D1", "D2", "D3", "D4"])
    assert income.value_text == ("met", "missed", "no target", "at risk")
    assert dict(income.tooltip_rows)["Target"] == ("$90", "$90", "—", "$100")


def test_the_tables_the_page_shows(data):
    sc = S.build_scorecard(data, "district", 2022)
    table = S.status_table(sc)
    assert table["Unemployment"].tolist() == ["met · 4%", "at risk · 5.5%", "missed · 7%",
                                              "no data"]
    assert table.columns.tolist() == ["region_id", "name", "money per resident", "Income",
                                      "Parks", "Unemployment"]
    detail = S.indicator_table(sc, "Income")
    assert detail["status"].tolist() == ["missed", "at risk", "met", "no target"]
    assert S.status_colour("missed · 7%").startswith("background-color: #")
    assert S.status_colour("no target") != S.status_colour("no data") != ""
    csv = S.scorecard_csv_frame(sc)
    assert csv["rule"].iloc[0] == sc.rules[csv["indicator"].iloc[0]]


def test_bad_targets_are_reported_and_the_rest_still_judged(tmp_path):
    bad = TARGETS.replace('direction = "lower_is_better"', 'direction = "down"') + \
        '\n[targets."Unemploymnet"]\ntarget = 4\ndirection = "lower_is_better"\n'
    data = WorkspaceData(load_manifest(tiny_workspace(tmp_path, bad)))
    sc = S.build_scorecard(data, "district", 2022)
    texts = [p.text() for p in sc.problems]
    assert texts[0] == ("workspace.toml: [targets.\"Unemployment\"]: 'direction' must be "
                        "\"higher_is_better\" or \"lower_is_better\", got 'down'")
    assert "[targets.\"Unemploymnet\"] names no indicator of the indicator tables; did you " \
           "mean 'Unemployment'?" in texts[-1]
    assert statuses(sc)["Unemployment"] == ["no target"] * 4
    assert statuses(sc)["Income"] == EXPECTED[2022]["Income"]


def test_no_money_without_population_or_outside_the_tables_years(tmp_path):
    data = WorkspaceData(load_manifest(tiny_workspace(tmp_path)))
    sc = S.build_scorecard(data, "district", 2021)
    assert sc.frame["money_per_resident"].isna().all()
    assert "Spend runs FY2022–FY2023: no money per resident for FY2021." in sc.notes
    assert statuses(sc)["Unemployment"] == ["missed", "no data", "no data", "no data"]

    folder = tiny_workspace(tmp_path, name="no_people")
    manifest = (folder / "workspace.toml").read_text(encoding="utf-8")
    start = manifest.index('[[tables]]\nid = "pop"')
    (folder / "workspace.toml").write_text(
        manifest[:start] + manifest[manifest.index('[[tables]]\nid = "outcomes"'):],
        encoding="utf-8")
    sc = S.build_scorecard(WorkspaceData(load_manifest(folder)), "district", 2022)
    assert sc.notes == ("No population table at this level: money per resident is not shown.",)
    assert sc.frame["money_per_resident"].isna().all()
    assert statuses(sc) == EXPECTED[2022]


def test_levels_and_years_offered(data):
    assert S.scorecard_levels(data) == ["district"]
    assert S.scorecard_years(data, "district") == [2021, 2022, 2023]
    assert np.isnan(S.build_scorecard(data, "district", 2022).frame.loc[
        lambda f: (f["indicator"] == "Parks") & (f["region_id"] == "D2"), "value"]).all()
    assert isinstance(S.build_scorecard(data, "district", 2022).counts, pd.DataFrame)


def test_a_region_without_a_row_misses_data_not_a_target(tmp_path):
    # Parks: the direction only in the table (on D1's row), the target in the manifest: the
    # districts with no Parks row still have a target to meet, so they are "no data".
    outcomes = OUTCOMES.replace("D1,2023,Parks,3,,,", "D1,2023,Parks,3,,higher_is_better,")
    assert outcomes != OUTCOMES
    folder = tiny_workspace(tmp_path, TARGETS + '\n[targets."Parks"]\ntarget = 2\n', outcomes)
    sc = S.build_scorecard(WorkspaceData(load_manifest(folder)), "district", 2023)
    assert statuses(sc)["Parks"] == ["met", "no data", "no data", "no data"]
    assert sc.sentences["Parks"] == ("1 of 1 district kept parks at or above 2 in 2023; "
                                     "3 with no data.")


def test_the_us_demo_targets_are_read_without_a_problem(us):
    year = 2021
    sc = S.build_scorecard(us, "state", year)
    assert [p.text() for p in sc.problems] == []
    assert sc.judged, "the demo's [targets] judge at least one indicator"
    mv = map_values(us, MeasureSpec(level="state", measure="per_capita",
                                    table=us.allocation_tables("state")[0].id, span=(year, year)))
    money = sc.frame.drop_duplicates("region_id").set_index("region_id")["money_per_resident"]
    pd.testing.assert_series_equal(money.rename(None), mv.values.reindex(money.index).rename(None),
                                   check_exact=True, check_index_type=False)


def test_the_scorecard_opens_on_the_latest_year_every_target_can_be_judged():
    from geodata.dataset import WorkspaceData
    from geodata.workspace import BUNDLED_ROOT, load_manifest
    from performance.scorecard import default_year, scorecard_years

    data = WorkspaceData(load_manifest(BUNDLED_ROOT / "us_federal"))
    assert scorecard_years(data, "state")[-1] == 2025        # bridges only
    assert default_year(data, "state") == 2024               # bridges and unemployment


def test_the_status_map_and_table_in_chinese(data):
    from locales import use

    with use("zh"):
        sc = S.build_scorecard(data, "district", 2022)
        view = S.status_map_view(sc, "Unemployment", ["D4", "D3", "D2", "D1"])
        table = S.status_table(sc)
    assert [(e.label, e.count) for e in view.legend] == [
        ("达标 ≤ 5%", 1), ("有风险 5% 至 6%", 1), ("未达标 > 6%", 1), ("无目标", 0),
        ("无数据", 1)]
    assert view.value_text == ("无数据", "未达标", "有风险", "达标")
    assert view.subtitle == "越低越好：达标 ≤ 5%；有风险 5% 至 6%；未达标 > 6%。"
    assert view.title == "Unemployment：目标达成状态，2022年"
    assert table["Unemployment"].tolist() == ["达标 · 4%", "有风险 · 5.5%", "未达标 · 7%", "无数据"]
    assert S.status_colour("未达标 · 7%") == S.status_colour("missed · 7%") != ""
    # what the scorecard holds is data: the codes, whatever the language
    assert sc.frame.loc[sc.frame["indicator"] == "Unemployment", "status"].tolist() == [
        "met", "at risk", "missed", "no data"]
