"""One map page: changing widgets by key changes what is shown, and the figures shown are the
exact figures of the view."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, components, metric, open_page, rerun, texts

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


def metrics(at) -> dict[str, str]:
    """The key figures above the map, label → value, in the order shown."""
    return {m.label: m.value for m in at.metric}


def maps(at) -> list:
    return [c for c in components(at._tree)
            if "fiscal_map" in getattr(c.proto, "component_name", "")]


@pytest.fixture
def at():
    return open_page(PAGE, "us_federal")


def test_default_view_is_states_total(at):
    assert at.title[0].value == "Federal obligations, all agencies, FY2024"
    assert metrics(at) == {"Total on the map": "$4.8T", "Per resident": "$14,027",
                           "States with data": "56 of 56",
                           "Not placed on the map": "$853,504"}
    helps = {m.label: m.help for m in at.metric}
    assert helps["Per resident"].startswith("Money of the regions that have a population, "
                                            "divided by the residents of those regions")
    assert "quantile classes" in texts(at)
    assert "FY2024\\: October 2023 to September 2024" in texts(at)
    assert len(map_table(at)) == 56
    assert len(maps(at)) == 1


def test_level_county_and_indicator(at):
    at.radio(key="level").set_value("county")
    rerun(at)
    at.selectbox(key="measure").set_value("indicator")
    rerun(at)
    assert at.title[0].value == "Unemployment rate (% of labor force), 2024"
    assert metrics(at) == {"Median": "3.8%", "Population covered": "336,420,804",
                           "Counties with data": "3,210 of 3,230", "Values not placed": "10"}
    assert len(map_table(at)) == 3230
    assert int(map_table(at)["value"].notna().sum()) == 3210
    assert "click a county" in texts(at)


def test_years_change_the_title_and_figures(at):
    set_years(at, (2020, 2022))
    assert at.title[0].value == "Federal obligations, all agencies, FY2020–FY2022"
    assert metrics(at) == {"Total on the map": "$14.4T", "Per resident": "$42,673",
                           "States with data": "56 of 56", "Not placed on the map": "$9.1M"}


def test_one_agency_of_the_agency_table(at):
    at.selectbox(key="table").set_value("obligations")
    rerun(at)
    assert at.title[0].value == "Federal obligations, 14 funding agencies, FY2024"
    assert metric(at, "Total on the map") == "$178B"
    options = at.multiselect(key="agencies").options
    assert options[0] == "Access Board"
    at.multiselect(key="agencies").set_value(["Access Board"])
    rerun(at)
    assert at.multiselect(key="agencies").value == ["Access Board"]
    assert metric(at, "Total on the map") == "$1.4M"
    assert metric(at, "States with data") == "6 of 56"


def test_an_agency_with_no_money_that_year_says_so_instead_of_a_grey_map(at):
    at.selectbox(key="table").set_value("obligations")
    rerun(at)
    at.multiselect(key="agencies").set_value(["Department of State"])
    rerun(at)
    assert maps(at) == []                   # no all-grey map
    assert metrics(at) == {}                # no bare "$0" figures either
    # where the map would be, the sentence the sidebar shows beside the choice
    (said,) = at.main.info
    assert [i.value for i in at.sidebar.info] == [said.value]
    assert said.value == ("The agencies chosen have no money in FY2024 in this table: the map "
                          "has no values. Pick other agencies or years.")
    # another year of the same agency has money again, and a map
    set_years(at, (2015, 2015))
    assert len(maps(at)) == 1
    assert metric(at, "States with data").endswith(" of 56")


def test_a_change_with_nothing_to_compare_against_says_so_where_the_map_would_be():
    at = open_page(PAGE, "us_federal", measure="change", years=(2008, 2008))
    assert maps(at) == [] and metrics(at) == {}
    assert [i.value for i in at.main.info] == [
        "None of the States has a value in this view, so there is nothing to map."]
    assert "No federal obligations, all agencies in FY2007\\: nothing to compare against." \
        in [m.value for m in at.main.markdown]


def test_natural_breaks_and_user_defined_breaks(at):
    quantile_classes = map_table(at)["class"].tolist()
    at.selectbox(key="scheme").set_value("natural_breaks")
    rerun(at)
    assert "natural-breaks classes" in texts(at)
    assert map_table(at)["class"].tolist() != quantile_classes

    at.selectbox(key="scheme").set_value("user_defined")
    rerun(at)
    assert "Enter your breaks" in texts(at)          # no breaks yet: quantiles meanwhile
    at.text_input(key="breaks").set_value("10e9 50e9 100e9")
    rerun(at)
    assert "classes at your own breaks" in texts(at)
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
    assert metrics(at) == {"Total on the map": "$110M", "Per resident": "$36.80",
                           "Towns with data": "97 of 97", "Not placed on the map": "$14.5M"}


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
    assert metric(at, "Overall rate") == "$42,860"
    assert "Per resident" not in metrics(at)
    at.toggle(key="average").set_value(True)
    rerun(at)
    assert metric(at, "Overall rate") == "$14,287"     # follows the map's own division
    # one year: the total's per resident figure and the per capita overall rate agree
    set_years(at, (2024, 2024))
    rate = metric(at, "Overall rate")
    at.selectbox(key="measure").set_value("total")
    rerun(at)
    assert metric(at, "Per resident") == rate == "$14,027"


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


def test_region_detail_axis_is_in_compact_money():
    at = open_page(PAGE, "us_federal", region="48", panel="detail")
    assert at.subheader[0].value == "Texas"
    assert metric(at, "Rank") == "3 of 56"
    assert metric(at, "Population") == "31,290,831"
    (chart,) = at.get("vega_lite_chart")
    y = json.loads(chart.proto.spec)["encoding"]["y"]
    assert y["axis"]["values"] == [0, 1e11, 2e11, 3e11, 4e11]
    labels = re.findall(r"'([^']*)'", y["axis"]["labelExpr"])
    assert labels == ["$0", "$100B", "$200B", "$300B", "$400B", ""]
    assert not re.search(r"\d{7}", " ".join(labels))      # no 100,000,000,000 on the axis


def test_diagnostics_say_what_their_counts_count():
    at = open_page(PAGE, "us_federal", level="county", panel="diagnostics")
    shown = texts(at)
    assert re.search(r"\*\*Keys that matched no county\*\*: \d+, one row each below", shown)
    assert re.search(r"\*\*Counties with no data\*\*: 125, one row each below", shown)
    assert "reconciles to the cent" in shown


def test_one_map_in_chinese_has_chinese_labels_and_the_same_numbers():
    import locales
    from locales import use

    en = metrics(open_page(PAGE, "us_federal"))
    at = open_page(PAGE, "us_federal", lang="zh")
    zh = metrics(at)
    assert list(zh) == ["地图上的总额", "人均", "有数据的States", "未能落图"]
    assert zh["有数据的States"] == "56 / 56"
    # the same numbers, written the Chinese way
    digits = lambda s: re.sub(r"[^\d.]", "", s)  # noqa: E731
    assert [digits(v) for v in zh.values()] == [digits(v) for v in en.values()]
    assert zh["人均"] == "14,027美元"
    assert "分位数分级" in texts(at)
    assert "FY2024：2023年10月至2024年9月" in texts(at)
    locales.set_language("en")
    with use("en"):
        assert metrics(open_page(PAGE, "us_federal")) == en
