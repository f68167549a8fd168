"""AppTest of the Per capita page, "Side by side" with the same choice on both sides: at
county level (one fiscal year) that is the default, and it once raised."""
from __future__ import annotations

from tests.app.test_per_capita_page import captions, counts, legend, maps, open_page, run


def test_county_side_by_side_shows_both_maps_of_the_only_year():
    at = open_page(pc_level="county")
    at.radio(key="pc_view").set_value("compare")
    run(at)
    assert at.selectbox(key="pc_left").value == at.selectbox(key="pc_right").value == 2022
    assert [i.value for i in at.info] == [
        "Both maps show FY2022, the only fiscal year in this table; there is nothing else to "
        "compare at this level."]
    m = maps(at)
    assert sorted(m) == ["pc_map_left", "pc_map_right"]
    assert (m["pc_map_left"]["values"]["label"], m["pc_map_right"]["values"]["label"]) == \
        ("FY2022 (left)", "FY2022 (right)")
    assert legend(m["pc_map_left"]) == legend(m["pc_map_right"])
    assert sum(counts(m["pc_map_left"])) == 3230          # every county, No data included
    assert not at.dataframe                              # no movers between one map and itself


def test_same_year_on_both_sides_then_two_years():
    at = open_page(pc_level="state", pc_years="2019-2021")
    at.radio(key="pc_view").set_value("compare")
    run(at)
    at.selectbox(key="pc_left").set_value(2020)
    at.selectbox(key="pc_right").set_value(2020)
    run(at)
    assert [i.value for i in at.info] == [
        "Both maps show FY2020: choose another year for the left or the right map to compare."]
    assert len(maps(at)) == 2
    at.selectbox(key="pc_right").set_value(2021)
    run(at)
    assert not at.info
    m = maps(at)
    assert counts(m["pc_map_left"]) != counts(m["pc_map_right"])
    assert [label for label, _ in legend(m["pc_map_left"])] == \
        [label for label, _ in legend(m["pc_map_right"])]
    cols = list(at.dataframe[0].value.columns)
    assert cols[:4] == ["State", "Places moved up", "FY2020", "FY2021"]
    assert "FY2020: overall rate" in captions(at) and "FY2021: overall rate" in captions(at)


def test_state_side_by_side_of_the_county_table_offers_the_other_tables():
    at = open_page(pc_table="county_grants", pc_view="compare")
    assert [i.value for i in at.info] == [
        "Both maps show FY2022, the only fiscal year in this table: compare two funding tables "
        "instead (“Compare” above the maps)."]
