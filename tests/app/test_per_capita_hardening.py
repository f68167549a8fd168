"""AppTest of the Per capita page, "Side by side" with the same choice on both sides: at
county level (one fiscal year) that is the default, and it once raised."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import components
from tests.app.test_per_capita_page import open_page  # noqa: F401 - the page's runner


def compare_map_script(at: AppTest) -> str:
    maps = [c.proto.json_args for c in components(at._tree[0])]
    assert len(maps) == 1, len(maps)
    return maps[0]


def test_county_side_by_side_shows_both_maps_of_the_only_year():
    at = open_page(pc_level="county")
    at.radio(key="pc_view").set_value("compare").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="pc_left").value == at.selectbox(key="pc_right").value == 2022
    note = " ".join(i.value for i in at.info)
    assert "Both maps show FY2022" in note and "only fiscal year" in note, note
    script = compare_map_script(at)
    assert script.count("L.map(") == 2
    assert "FY2022 (left)" in script and "FY2022 (right)" in script


def test_same_year_on_both_sides_then_two_years():
    at = open_page(pc_level="state", pc_years="2019-2021")
    at.radio(key="pc_view").set_value("compare").run()
    at.selectbox(key="pc_left").set_value(2020).run()
    at.selectbox(key="pc_right").set_value(2020).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Both maps show FY2020: choose another year" in " ".join(i.value for i in at.info)
    assert compare_map_script(at).count("L.map(") == 2
    at.selectbox(key="pc_right").set_value(2021).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.info
    cols = list(at.dataframe[0].value.columns)
    assert "FY2020 (USD per resident)" in cols and "FY2021 (USD per resident)" in cols
