"""One map page: changing widgets by key changes what is shown."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, metric, open_page, rerun, texts

PAGE = "pages/one_map.py"


def set_years(at, span: tuple[int, int]) -> None:
    at.select_slider(key="years").set_value(span)
    rerun(at)
    assert at.select_slider(key="years").value == span


def show_panel(at, panel: str) -> None:
    """Pick the section below the map ("detail", "diagnostics" or "data")."""
    at.session_state["panel"] = panel
    rerun(at)


def map_table(at) -> pd.DataFrame:
    """The "Data" section: one row per region with value, class and colour."""
    if at.session_state["panel"] != "data":
        show_panel(at, "data")
    for df in at.dataframe:
        if {"region_id", "value", "class", "colour"} <= set(df.value.columns):
            return df.value
    raise AssertionError("no map data table on the page")


@pytest.fixture
def at():
    return open_page(PAGE, "us_federal")


def test_default_view_is_states_total(at):
    assert at.title[0].value == "Federal obligations, all agencies, FY2024"
    assert metric(at, "States with data").endswith("of 56")
    assert metric(at, "Total on the map").startswith("$")
    assert "quantiles classes" in texts(at)
    assert len(map_table(at)) == 56


def test_level_county_and_indicator(at):
    at.radio(key="level").set_value("county")
    rerun(at)
    at.selectbox(key="measure").set_value("indicator")
    rerun(at)
    assert at.title[0].value == "Unemployment rate (% of labor force), 2024"
    with_data = metric(at, "Counties with data")
    n, total = (int(x.replace(",", "")) for x in with_data.split(" of "))
    assert total > 3000 and 3000 < n <= total
    assert len(map_table(at)) == total
    assert "click a county" in texts(at)


def test_years_change_the_title_and_total(at):
    before = metric(at, "Total on the map")
    set_years(at, (2020, 2022))
    assert at.title[0].value == "Federal obligations, all agencies, FY2020–FY2022"
    assert metric(at, "Total on the map") != before


def test_one_agency_of_the_agency_table(at):
    at.selectbox(key="table").set_value("obligations")
    rerun(at)
    assert at.title[0].value == "Federal obligations, 14 funding agencies, FY2024"
    all_agencies = metric(at, "Total on the map")
    options = at.multiselect(key="agencies").options
    assert len(options) > 1
    at.multiselect(key="agencies").set_value([options[0]])
    rerun(at)
    assert at.multiselect(key="agencies").value == [options[0]]
    assert metric(at, "Total on the map") != all_agencies


def test_natural_breaks_and_user_defined_breaks(at):
    quantile_classes = map_table(at)["class"].tolist()
    at.selectbox(key="scheme").set_value("natural_breaks")
    rerun(at)
    assert "natural breaks classes" in texts(at)
    assert map_table(at)["class"].tolist() != quantile_classes

    at.selectbox(key="scheme").set_value("user_defined")
    rerun(at)
    assert "Enter your breaks" in texts(at)          # no breaks yet: quantiles meanwhile
    at.text_input(key="breaks").set_value("10e9 50e9 100e9")
    rerun(at)
    assert "user defined classes" in texts(at)
    table = map_table(at).dropna(subset=["value"])
    expected = pd.cut(table["value"], [-float("inf"), 10e9, 50e9, 100e9, float("inf")],
                      labels=[1, 2, 3, 4]).astype(int)
    assert table["class"].astype(int).tolist() == expected.tolist()

    at.text_input(key="breaks").set_value("50 10")
    rerun(at)
    assert "Breaks must increase" in texts(at)


def test_per_capita_shows_the_population_vintage_note(at):
    at.selectbox(key="measure").set_value("per_capita")
    rerun(at)
    assert "per resident" in at.title[0].value
    assert "Population for" not in texts(at)           # FY2024 has its own 2024 estimate
    set_years(at, (2008, 2010))
    assert "Population for 2008–2009 uses the 2010 estimate (nearest year available)." in texts(at)
    set_years(at, (2012, 2014))
    assert "cumulative" in at.title[0].value
    assert "Population for" not in texts(at)           # 2012–2014 estimates exist
    at.toggle(key="average").set_value(True)
    rerun(at)
    assert "average per year" in at.title[0].value


def test_boston_towns_absent_regions_show_zero():
    at = open_page(PAGE, "boston_region")
    assert at.title[0].value.startswith("TIP programmed funding")
    assert metric(at, "Towns with data") == "97 of 97"


def test_year_range_survives_other_changes_and_comes_from_the_link():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["years"] = "2015-2017"
    at.switch_page(PAGE)
    rerun(at)
    assert at.title[0].value.endswith("FY2015–FY2017")
    at.selectbox(key="scheme").set_value("equal_interval")
    rerun(at)
    assert at.select_slider(key="years").value == (2015, 2017)
    assert at.title[0].value.endswith("FY2015–FY2017")


def test_view_survives_a_visit_to_another_page(at):
    at.selectbox(key="measure").set_value("per_capita")
    rerun(at)
    set_years(at, (2020, 2022))
    title = at.title[0].value
    at.switch_page("pages/data_quality.py")
    rerun(at)
    at.switch_page("pages/one_map.py")
    rerun(at)
    assert at.title[0].value == title
    assert at.select_slider(key="years").value == (2020, 2022)


def test_per_capita_kpi_is_the_overall_rate_of_the_map(at):
    at.selectbox(key="measure").set_value("per_capita")
    rerun(at)
    set_years(at, (2020, 2022))
    cumulative = metric(at, "Overall rate")
    at.toggle(key="average").set_value(True)
    rerun(at)
    assert metric(at, "Overall rate") != cumulative     # follows the map's own division


def test_leftover_filters_do_not_follow_into_another_table(at):
    at.selectbox(key="table").set_value("obligations")
    rerun(at)
    at.multiselect(key="agencies").set_value([at.multiselect(key="agencies").options[0]])
    rerun(at)
    at.selectbox(key="table").set_value("obligations_total")
    rerun(at)
    assert at.session_state["agencies"] == []
    assert "agencies" not in at.query_params


def test_scheme_follows_the_kind_of_measure(at):
    assert at.selectbox(key="scheme").value == "quantiles"
    at.selectbox(key="measure").set_value("change")
    rerun(at)
    assert at.selectbox(key="scheme").value == "diverging"
    at.selectbox(key="measure").set_value("total")
    rerun(at)
    assert at.selectbox(key="scheme").value == "quantiles"
