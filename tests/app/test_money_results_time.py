"""Money and results: money of the same year as the outcome by default, and money against
results over time, with the numbers the map shows for each year."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geodata import trend as T
from geodata.dataset import MeasureSpec, map_values
from tests.app.conftest import open_page, rerun, texts

PAGE = "pages/money_results.py"
UNEMPLOYMENT = "Unemployment rate (% of labor force)"
BRIDGES_POOR = "Bridges in poor condition (% of bridges)"
INCOME = "Per-capita personal income (current dollars)"


def chart_data(at) -> pd.DataFrame:
    """The data of the page's over-time chart (year, money, outcome), as sent to the browser."""
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    ds = charts[0].proto.datasets
    assert len(ds) == 1
    return pa.ipc.open_stream(ds[0].data.data).read_pandas()


@pytest.fixture(scope="module")
def us():
    from tests.unit.conftest import _bundled
    return _bundled("us_federal")


# ----------------------------------------------------------------------------- pairing
def test_default_pairs_money_with_the_outcome_of_the_same_year():
    at = open_page(PAGE, "us_federal")
    ind, year = at.session_state["bv_indicator"], at.session_state["bv_indicator_year"]
    assert ind == INCOME and year == 2024
    assert at.session_state["bv_years"] == (2024, 2024)
    caption = at.caption[0].value
    assert "FY2024" in caption and f"{INCOME}, 2024" in caption


def test_a_link_to_an_outcome_year_opens_with_money_of_that_year():
    at = open_page(PAGE, "us_federal")
    at.query_params.clear()
    at.query_params["bv_indicator"] = UNEMPLOYMENT
    at.query_params["bv_indicator_year"] = "2015"
    fresh = open_link(at)
    assert fresh.session_state["bv_indicator_year"] == 2015
    assert fresh.session_state["bv_years"] == (2015, 2015)
    assert "FY2015" in fresh.caption[0].value


def test_picking_an_outcome_or_its_year_moves_the_money_years():
    at = open_page(PAGE, "us_federal")
    at.selectbox(key="bv_indicator").set_value(UNEMPLOYMENT)
    rerun(at)
    assert at.session_state["bv_indicator_year"] == 2024
    at.selectbox(key="bv_indicator_year").set_value(2012)
    rerun(at)
    assert at.session_state["bv_years"] == (2012, 2012)
    assert "FY2012" in at.caption[0].value and f"{UNEMPLOYMENT}, 2012" in at.caption[0].value
    assert "not the same year" not in texts(at)
    # the user may still move the money years: said on the page, and kept on the next rerun
    at.select_slider(key="bv_years").set_value((2010, 2011))
    rerun(at)
    assert at.session_state["bv_years"] == (2010, 2011)
    assert "Money of FY2010–FY2011 is compared with the 2012 outcome: not the same year" \
        in texts(at).replace("\\", "")


def test_an_outcome_year_without_money_is_paired_with_the_nearest_fiscal_year():
    at = open_page(PAGE, "us_federal")
    at.selectbox(key="bv_indicator").set_value(BRIDGES_POOR)
    rerun(at)
    assert at.session_state["bv_indicator_year"] == 2024     # the latest year with money
    assert at.session_state["bv_years"] == (2024, 2024)
    at.selectbox(key="bv_indicator_year").set_value(2025)
    rerun(at)
    assert at.session_state["bv_years"] == (2024, 2024)
    note = " ".join(i.value for i in at.info).replace("\\", "")
    assert "There is no FY2025 money: the 2025 outcome is paired with FY2024" in note


def test_a_link_keeps_its_own_money_years():
    at = open_page(PAGE, "us_federal")
    at.query_params["bv_years"] = "2015-2016"
    at.query_params["bv_indicator"] = UNEMPLOYMENT
    at.query_params["bv_indicator_year"] = "2019"
    fresh = open_link(at)
    assert fresh.session_state["bv_years"] == (2015, 2016)
    assert fresh.session_state["bv_indicator_year"] == 2019


def open_link(at):
    """A fresh session on the same query string (a link opened in a new tab)."""
    from streamlit.testing.v1 import AppTest
    from tests.app.conftest import APP, TIMEOUT
    new = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    new.session_state["ws"] = "us_federal"
    for k, v in at.query_params.items():
        new.query_params[k] = v[0] if isinstance(v, list) else v
    new.switch_page(PAGE)
    new.run()
    assert not new.exception, [e.message for e in new.exception]
    return new


# ----------------------------------------------------------------------------- over time
def test_chart_for_a_region_equals_the_map_values_of_each_year(us):
    at = open_page(PAGE, "us_federal")
    at.selectbox(key="bv_indicator").set_value(UNEMPLOYMENT)
    rerun(at)
    at.selectbox(key="bv_trend_region").set_value("72")       # Puerto Rico: money, no LAUS
    rerun(at)
    at.selectbox(key="bv_trend_region").set_value("06")
    rerun(at)
    shown = chart_data(at)
    assert shown["year"].tolist() == list(range(2008, 2025))
    for row in shown.itertuples():
        y = int(row.year)
        money = map_values(us, MeasureSpec(level="state", measure="per_capita",
                                           table="obligations_total", span=(y, y)))
        outcome = map_values(us, MeasureSpec(level="state", measure="indicator",
                                             indicator=UNEMPLOYMENT, indicator_year=y))
        assert row.money == pytest.approx(money.values["06"], rel=1e-12), y
        assert row.outcome == pytest.approx(outcome.values["06"], rel=1e-12), y


def test_whole_map_uses_the_overall_rate_and_a_population_weighted_outcome(us):
    spec = MeasureSpec(level="state", measure="per_capita", table="obligations_total",
                       span=(2024, 2024))
    tr = T.money_outcome_trend(us, spec, UNEMPLOYMENT)
    row = tr.frame.set_index("year").loc[2019]
    money = map_values(us, MeasureSpec(level="state", measure="per_capita",
                                       table="obligations_total", span=(2019, 2019)))
    outcome = map_values(us, MeasureSpec(level="state", measure="indicator",
                                         indicator=UNEMPLOYMENT, indicator_year=2019))
    assert row["money"] == pytest.approx(money.overall, rel=1e-12)
    both = pd.DataFrame({"v": outcome.values, "p": outcome.population}).dropna()
    assert row["outcome"] == pytest.approx((both["v"] * both["p"]).sum() / both["p"].sum())
    at = open_page(PAGE, "us_federal")
    assert chart_data(at)["money"].tolist() == pytest.approx(
        [map_values(us, MeasureSpec(level="state", measure="per_capita",
                                    table="obligations_total", span=(y, y))).overall
         for y in range(2008, 2025)], rel=1e-12)


def test_change_per_dollar_and_the_caveat():
    frame = pd.DataFrame({"year": [2010, 2011, 2012, 2013], "money": [100.0, 120.0, 200.0, 220.0],
                          "outcome": [8.0, np.nan, 6.0, 5.0]})
    res = T.change_per_dollar(frame, (2010, 2011), (2012, 2013))
    assert res.years_first == (2010,)                    # 2011 has no outcome: not paired
    assert (res.money_first, res.money_second) == (100.0, 210.0)
    assert res.outcome_change == pytest.approx(-2.5)
    assert res.per_dollar == pytest.approx(-2.5 / 110.0)
    assert T.per_dollar_scale(res) == 1
    flat = T.change_per_dollar(frame.assign(money=100.0), (2010, 2010), (2013, 2013))
    assert np.isnan(flat.per_dollar)
    at = open_page(PAGE, "us_federal")
    shown = texts(at).replace("\\", "")
    assert "Change in Per-capita personal income (current dollars) per dollar of change in " \
        "yearly money per resident, 2008–2010 → 2022–2024: **+$4.51**." in shown
    assert "This is not a causal estimate." in shown
    # the two periods, each figure in its unit
    assert at.dataframe[1].value.to_dict("records") == [
        {"what": "Money per resident per year, mean", "first": "$7,245", "second": "$13,685",
         "change": "+$6,440"},
        {"what": "Per-capita personal income (current dollars), mean", "first": "$40,238",
         "second": "$69,313", "change": "+$29,075"}]
    config = json.loads(at.dataframe[1].proto.columns)
    assert [config[c]["label"] for c in ("first", "second", "change")] == [
        "First period: 2008–2010", "Second period: 2022–2024", "Change"]


def test_county_level_with_one_year_of_money_says_there_is_no_change_to_compare():
    at = open_page(PAGE, "us_federal")
    at.radio(key="bv_level").set_value("county")
    rerun(at)
    assert at.session_state["bv_years"] == (2022, 2022)      # county grants: FY2022 only
    assert at.session_state["bv_indicator_year"] == 2022
    assert "there is no change to compare" in texts(at)
    assert len(chart_data(at)) == 1


def test_follow_outcome_rules():
    fys = list(range(2008, 2025))
    years = list(range(2017, 2026))
    first = T.follow_outcome(None, "state", "t", "B", 2025, years, fys)
    assert (first.year, first.money_years) == (2025, (2024, 2024)) and first.pairing.note
    linked = T.follow_outcome(None, "state", "t", "B", 2019, years, fys, link_has_money_years=True)
    assert linked.money_years is None                      # the link's own money years stay
    same = T.follow_outcome(linked.key, "state", "t", "B", 2019, years, fys)
    assert same.money_years is None                        # nothing changed: user's years stay
    moved = T.follow_outcome(same.key, "state", "t", "B", 2018, years, fys)
    assert moved.money_years == (2018, 2018)
    # another table with money in 2022 only: the carried-over year gives way to 2022
    other = T.follow_outcome(moved.key, "county", "g", "B", 2018, years, [2022])
    assert (other.year, other.money_years) == (2022, (2022, 2022)) and other.pairing.exact


def test_chart_axes_use_compact_labels_in_their_units():
    at = open_page(PAGE, "us_federal")
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    money_axis, outcome_axis = (layer["encoding"]["y"]["axis"] for layer in spec["layer"])
    assert money_axis["title"] == "Money per resident (USD)"
    assert "'$' + " in money_axis["labelExpr"] and "'B'" in money_axis["labelExpr"]
    assert "'$' + " in outcome_axis["labelExpr"]         # income in current dollars
    assert spec["layer"][0]["encoding"]["x"]["title"] == \
        "Year (money: fiscal year; outcome: calendar year)"
