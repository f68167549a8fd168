"""The analyses' table: one row per region, one column per measure, with the map's figures."""
from __future__ import annotations

import pytest

from analysis.frames import analysis_years, measure_options, region_frame
from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.workspace import load_manifest
from tests.fixtures.helpers import BAD_WORKSPACE


@pytest.fixture(scope="module")
def data():
    return WorkspaceData(load_manifest(BAD_WORKSPACE))


def test_measures_of_a_level_are_named_for_the_reader(data):
    assert measure_options(data, "county") == {
        "money:grants": "Grants per resident",
        "money:grants:Schools": "Grants per resident: Schools",
        "money:grants:Roads": "Grants per resident: Roads",
        "ind:Score": "Score", "population": "Population", "density": "Residents per km²"}
    assert analysis_years(data, "county") == [2022, 2023]


def test_values_are_the_maps_figures(data):
    rf = region_frame(data, "county", 2023, ["money:grants", "population", "density"])
    mv = map_values(data, MeasureSpec(level="county", measure="per_capita", table="grants",
                                      span=(2023, 2023)))
    assert list(rf.frame.index) == ["01001", "01003", "01007"]
    assert rf.frame.loc["01001", "money:grants"] == pytest.approx(mv.values["01001"])
    assert rf.frame.loc["01001", "population"] == 1000
    area_km2 = 1000 / rf.frame.loc["01001", "density"]
    assert 10_000 < area_km2 < 15_000              # the fixture's first square, ~1.1° a side
    assert rf.units["money:grants"] == "USD per resident"
    assert rf.names.tolist()[0] == "Alpha"


def test_a_year_without_money_uses_the_nearest_and_says_so(data):
    rf = region_frame(data, "county", 2030, ["money:grants"])
    assert [str(n) for n in rf.notes] == ["Grants per resident: no money in 2030; 2023 is used"]


def test_unknown_measures_are_named(data):
    with pytest.raises(ValueError, match="not a measure of this level: money:nope, ind:x"):
        region_frame(data, "county", 2023, ["money:nope", "ind:x"])
