"""AppTest of the Per capita page: it opens on the latest year in classes that spread the
regions, the year slider redraws the values of the app's own map component, the drill-down
keeps the funding table and "Back" restores the first view, and every view says why when it
has nothing to draw."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from tests.app.conftest import components

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/per_capita.py"
FIRST_HEADING = "Federal obligations, all agencies per resident, FY2024"
VIEW_KEYS = ("pc_level", "pc_parent", "pc_table", "pc_years", "pc_year", "pc_view", "pc_per",
             "pc_small", "pc_fixed", "pc_scheme", "pc_k", "pc_palette")


def open_page(ws: str = "us_federal", *, lang: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.session_state["ws"] = ws
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Metric values by label, without the unit in brackets: {"Overall rate": "$1,234"}."""
    return {m.label.split(" (")[0]: m.value for m in at.metric}


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def maps(at: AppTest) -> dict[str, dict]:
    """The page's map components by key, with their values decoded."""
    out = {}
    for c in components(at._tree[0]):
        assert c.proto.component_name == "ui.map_component.fiscal_map", c.proto.component_name
        args = json.loads(c.proto.json_args)
        args["values"] = json.loads(args["values"])
        out[user_key_from_element_id(c.proto.id)] = args
    return out


def legend(args: dict) -> list[tuple[str, int]]:
    """(label, count) per legend row of one map, the No data row last."""
    return [(row[0], int(row[2].replace(",", ""))) for row in args["values"]["legend"]]


def counts(args: dict) -> list[int]:
    return [n for _, n in legend(args)]


def click(at: AppTest, key: str, region: str) -> AppTest:
    """A click on ``region`` in the map ``key``, as the component reports it."""
    (comp,) = [c for c in components(at._tree[0]) if user_key_from_element_id(c.proto.id) == key]
    states = at._tree.get_widget_states()
    w = states.widgets.add()
    w.id = comp.proto.id
    w.json_value = json.dumps({"region_id": region, "click": f"test-{region}"})
    at._run(states)
    assert not at.exception, [e.message for e in at.exception]
    return at


def view_state(at: AppTest) -> dict:
    return {k: at.session_state[k] for k in VIEW_KEYS if k in at.session_state}


# ------------------------------------------------------------------ first view
def test_opens_on_the_latest_year_with_classes_that_spread_the_states():
    at = open_page()
    assert [h.value for h in at.title] == ["Per resident"]
    assert [h.value for h in at.subheader] == [FIRST_HEADING]
    assert at.session_state["pc_year"] == 2024 and at.session_state["pc_years"] == (2008, 2024)
    (m,) = maps(at).values()                     # one map: the app's component, no folium
    # classes pooled over FY2008-FY2024, which have outliers (North Dakota): a box map, the
    # outliers in a class of their own, FY2024 spread over the upper three quarters
    assert counts(m) == [0, 0, 5, 25, 13, 9, 4]
    assert legend(m)[5] == ("Upper outliers (over $21,334)", 9)
    assert m["values"]["unit_label"] == "USD per resident"
    assert "Box map classes: the rates of all 17 years (FY2008–FY2024) pooled have outliers " \
           "(beyond the median ± 3.5·MAD)" in captions(at)
    # the key figures of the view, as One map words them, then the page's own
    assert metrics(at) == {"Total on the map": "$4.8T", "Overall rate": "$14,027",
                           "States with data": "52 of 56", "Not placed on the map": "$853,504",
                           "Highest": "$113,231", "Lowest": "$8,400",
                           "Small populations": "0 of 56 regions"}
    assert not at.warning, [w.value for w in at.warning]
    ranking = at.dataframe[0].value
    assert list(ranking.columns) == [
        "State", "Rank", "FY2008–FY2024, sum over the years", "Against the overall rate",
        "FY2008", "FY2024", "Change (%)", "Population", "Fewer than 5,000 residents", "Code"]
    assert len(ranking) == 56 and ranking["State"].iloc[0] == "North Dakota"


def test_the_year_slider_redraws_the_values_in_the_same_classes():
    at = open_page()
    first = maps(at)["pc_map"]
    at.select_slider(key="pc_year").set_value(2020)
    run(at)
    later = maps(at)["pc_map"]
    assert [h.value for h in at.subheader] == [
        "Federal obligations, all agencies per resident, FY2020"]
    assert later["gid"] == first["gid"]           # the same shapes: only the values change
    # fixed across years: FY2020 and FY2024 are drawn in the very same classes
    assert [label for label, _ in legend(later)] == [label for label, _ in legend(first)]
    assert counts(later) == [0, 0, 1, 24, 17, 10, 4]
    assert metrics(at)["Overall rate"] == "$14,304"
    assert at.query_params["pc_year"] == "2020"
    # classes per year: FY2020 alone is cut in five classes of about ten states each
    at.toggle(key="pc_fixed").set_value(False)
    run(at)
    own = maps(at)["pc_map"]
    assert counts(own) == [11, 10, 11, 10, 10, 4]
    assert [label for label, _ in legend(own)] != [label for label, _ in legend(later)]
    assert "Classes are recomputed for each year" in captions(at)


def test_span_and_average_change_the_ranking():
    at = open_page()
    at.select_slider(key="pc_years").set_value((2015, 2016))
    run(at)
    assert at.session_state["pc_year"] == 2016
    total = at.dataframe[0].value.set_index("Code")
    assert "FY2015–FY2016, sum over the years" in total.columns
    at.toggle(key="pc_average").set_value(True)
    run(at)
    average = at.dataframe[0].value.set_index("Code")
    both = total["FY2015–FY2016, sum over the years"].dropna()
    assert len(both) == 52
    assert (average.loc[both.index, "FY2015–FY2016, average per year"] == both / 2).all()
    assert at.query_params["pc_years"] == "2015-2016" and at.query_params["pc_average"] == "1"


def test_per_thousand_and_small_population_threshold():
    at = open_page()
    at.radio(key="pc_per").set_value("1000")
    run(at)
    # the map and its extremes per 1,000 residents; the key figures stay those of One map
    assert [m.label for m in at.metric][:5] == [
        "Total on the map", "Overall rate", "States with data", "Not placed on the map",
        "Highest (per 1,000 residents)"]
    assert metrics(at)["Overall rate"] == "$14,027" and metrics(at)["Highest"] == "$113M"
    assert maps(at)["pc_map"]["values"]["unit_label"] == "USD per 1,000 residents"
    at.number_input(key="pc_small").set_value(1_000_000)
    run(at)
    assert "Small populations (< 1,000,000)" in [m.label for m in at.metric]
    assert metrics(at)["Small populations"] == "6 of 56 regions"   # WY VT DC AK ND SD
    flagged = at.dataframe[0].value
    assert sorted(flagged.loc[flagged["Fewer than 1,000,000 residents"], "Code"]) == \
        ["02", "11", "38", "46", "50", "56"]


def test_difference_from_the_overall_rate_and_small_populations_in_grey():
    at = open_page()
    at.toggle(key="pc_relative").set_value(True)
    run(at)
    assert at.selectbox(key="pc_palette").value == "RdBu"
    m = maps(at)["pc_map"]
    assert m["values"]["unit_label"] == "USD per resident · white = overall rate $14,027"
    assert len(legend(m)) == 6
    at.toggle(key="pc_relative").set_value(False)
    at.number_input(key="pc_small").set_value(1_000_000)
    at.radio(key="pc_flag").set_value("grey")
    run(at)
    rows = legend(maps(at)["pc_map"])
    assert rows[-2] == ("Fewer than 1,000,000 residents", 6) and rows[-1] == ("No data", 4)
    assert sum(n for _, n in rows) == 56
    assert at.query_params["pc_flag"] == "grey"


def test_the_change_view_and_its_table():
    at = open_page()
    at.radio(key="pc_view").set_value("change")
    run(at)
    at.selectbox(key="pc_from").set_value(2019)
    at.selectbox(key="pc_to").set_value(2021)
    run(at)
    assert [h.value for h in at.subheader] == [
        "Change in Federal obligations, all agencies per resident, FY2019 to FY2021"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["State", "FY2019", "FY2021", "Change", "Change (%)", "Code"]
    assert (table["Change"] == table["FY2021"] - table["FY2019"]).sum() == 52
    assert table["Change"].iloc[0] == table["Change"].max()
    (m,) = maps(at).values()
    assert m["values"]["label"] == "Change, FY2019 to FY2021"
    at.selectbox(key="pc_to").set_value(2019)
    run(at)
    assert [i.value for i in at.info] == [
        "From and To are the same year: choose two different years to see a change."]
    assert maps(at) == {}


def test_side_by_side_draws_two_maps_each_with_its_own_legend_in_the_same_classes():
    at = open_page()
    at.radio(key="pc_view").set_value("compare")
    run(at)
    m = maps(at)
    assert sorted(m) == ["pc_map_left", "pc_map_right"]
    left, right = m["pc_map_left"], m["pc_map_right"]
    assert [label for label, _ in legend(left)] == [label for label, _ in legend(right)]
    assert counts(left) == [21, 21, 9, 0, 1, 4] and counts(right) == [0, 0, 12, 21, 19, 4]
    assert (left["values"]["label"], right["values"]["label"]) == ("FY2008", "FY2024")
    assert "Both maps use the same classes" in captions(at)
    assert "FY2008: overall rate $5,384; 52 of 56 regions with a rate." in captions(at)
    movers = at.dataframe[0].value
    assert list(movers.columns)[:3] == ["State", "Places moved up", "FY2008"]
    assert len(movers) == 56 and movers["State"].iloc[0] == "Minnesota"
    at.selectbox(key="pc_cmp").set_value("tables")
    run(at)
    assert at.session_state["pc_right"] == "county_grants"
    assert [h.value for h in at.subheader] == [
        "Per resident: Federal obligations, all agencies and Federal grants by county, FY2022"]


# ------------------------------------------------------------------ drill-down
def test_drill_down_keeps_the_table_and_back_restores_the_first_view():
    at = open_page(pc_table="county_grants")
    first = view_state(at)
    first_heading = [h.value for h in at.subheader]
    at.selectbox(key="pc_drill").set_value("48")             # Texas
    run(at)
    assert (at.session_state["pc_level"], at.session_state["pc_parent"],
            at.session_state["pc_table"]) == ("county", "48", "county_grants")
    assert not at.warning, [w.value for w in at.warning]    # no "link parameters ignored"
    assert [h.value for h in at.subheader] == [
        "Federal grants by county, FY2022 per resident in Texas"]
    ranking = at.dataframe[0].value
    assert len(ranking) == 254 and ranking["Code"].str.startswith("48").all()
    assert at.query_params["pc_parent"] == "48"
    at.button(key="pc_up").click()
    run(at)
    assert view_state(at) == first
    assert [h.value for h in at.subheader] == first_heading
    assert "pc_parent" not in at.query_params


def test_a_table_without_county_figures_says_so_and_stays():
    at = open_page()
    at.select_slider(key="pc_year").set_value(2019)
    run(at)
    first = view_state(at)
    at.selectbox(key="pc_drill").set_value("48")
    run(at)
    assert view_state(at) == first
    assert [i.value for i in at.info] == [
        "Federal obligations, all agencies has no figures by county, so the counties of Texas "
        "cannot be shown with it; the map stays on all states."]
    assert not at.warning, [w.value for w in at.warning]
    # the reader may open Texas in the county table; "Back" then returns to obligations
    at.button(key="pc_switch_county_grants").click()
    run(at)
    assert (at.session_state["pc_level"], at.session_state["pc_parent"],
            at.session_state["pc_table"]) == ("county", "48", "county_grants")
    assert not at.warning, [w.value for w in at.warning]    # the span left in the link is ours
    at.button(key="pc_up").click()
    run(at)
    assert view_state(at) == first
    assert [h.value for h in at.subheader] == [
        "Federal obligations, all agencies per resident, FY2019"]


def test_clicking_a_state_on_the_map_opens_its_counties():
    at = open_page(pc_table="county_grants")
    click(at, "pc_map", "06")                                # California
    run(at)
    assert (at.session_state["pc_level"], at.session_state["pc_parent"]) == ("county", "06")
    assert len(at.dataframe[0].value) == 58
    assert not at.warning, [w.value for w in at.warning]
    # a click at the lowest level picks the county
    click(at, "pc_map", "06037")
    assert "**Los Angeles**" in " ".join(m.value for m in at.markdown)
    assert maps(at)["pc_map"]["values"]["sel"] == "06037"


def test_link_reopens_a_drilled_view():
    at = open_page(pc_level="county", pc_parent="44", pc_table="county_grants")
    assert at.session_state["pc_parent"] == "44"
    assert sorted(at.dataframe[0].value["Code"]) == ["44001", "44003", "44005", "44007", "44009"]
    assert not at.warning, [w.value for w in at.warning]
    # the figures are those of Rhode Island's counties, not of the whole level
    assert [m.label for m in at.metric][0] == "Overall rate (per resident)"
    assert "Total on the map" not in metrics(at)


def test_a_link_with_years_outside_the_table_is_reported_once():
    at = open_page(pc_years="2030-2031")
    assert [w.value for w in at.warning] == [
        "Some link parameters were ignored: pc\\_years = '2030-2031' (not available here)"]
    assert at.session_state["pc_years"] == (2008, 2024)


def test_an_older_link_asking_for_hatching_gets_the_tooltip_note():
    at = open_page(pc_flag="hatch")
    assert at.session_state["pc_flag"] == "note" and not at.warning


# ------------------------------------------------------------------ empty views
def test_a_year_without_money_for_the_agency_says_why_where_the_map_would_be():
    at = open_page(pc_table="obligations", pc_agencies="Department of Homeland Security")
    assert len(maps(at)) == 1
    at.select_slider(key="pc_year").set_value(2019)
    run(at)
    assert [i.value for i in at.info] == [
        "No rate for FY2019: Federal obligations, 14 funding agencies has no amounts for it, or "
        "the regions shown have no population that year."]
    assert maps(at) == {}


def test_a_change_needs_two_years():
    at = open_page(pc_level="county", pc_view="change")
    assert [i.value for i in at.info] == [
        "A change needs two fiscal years; Federal grants by county, FY2022 has only FY2022."]
    assert maps(at) == {}
    assert [h.value for h in at.subheader] == ["Federal grants by county, FY2022 per resident"]


# ------------------------------------------------------------------ other workspace, language
def test_boston_towns_use_the_2000_population_with_a_note():
    at = open_page("boston_region")
    assert [h.value for h in at.subheader] == [
        "TIP programmed funding FFY2026-2030 (Regional Target) per resident, FFY2030"]
    assert "Population for 2030 uses the 2000 estimate (nearest year available)." in captions(at)
    m = metrics(at)
    assert (m["Overall rate"], m["Highest"], m["Lowest"], m["Small populations"]) == \
        ("$36.80", "$490.27", "$0", "7 of 97 regions")
    assert len(at.dataframe[0].value) == 97
    at.radio(key="pc_view").set_value("change")
    run(at)
    at.radio(key="pc_change").set_value("percent")
    run(at)
    assert maps(at)["pc_map"]["values"]["unit_label"] == "Change in %"


def test_the_page_in_chinese():
    at = open_page(lang="zh")
    assert [h.value for h in at.title] == ["人均"]
    assert [h.value for h in at.subheader] == [
        "Federal obligations, all agencies（人均），2024财年"]
    assert [m.label for m in at.metric][:6] == ["地图上的总额", "总体人均水平", "有数据的States",
                                                "未能落图", "最高（人均）", "最低（人均）"]
    assert list(at.dataframe[0].value.columns)[1:4] == ["排名", "2008财年–2024财年，各年合计",
                                                        "与总体水平之差"]
    assert at.radio(key="pc_view").label == "视图"


def test_a_drilled_view_in_chinese_names_the_year_once():
    at = open_page(lang="zh", pc_level="county", pc_parent="48", pc_table="county_grants")
    assert [h.value for h in at.subheader] == [
        "Texas：Federal grants by county, FY2022（人均）"]
    assert at.button(key="pc_up").label == "⬆ 返回全部states"
