"""The US federal demo's outcomes: same-year population and indicators, Puerto Rico, the
Connecticut and Alaska county changes, and the Scorecard targets.

Figures are checked against independent pandas reads of the shared public data folder
(../shared/data), not against the workspace's own files.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata.dataset import MeasureSpec, map_values

REPO = Path(__file__).resolve().parents[2]
WS = REPO / "geodata" / "workspaces" / "us_federal"
SHARED = REPO.parent / "shared" / "data"
OUTCOMES = SHARED / "outcomes"
needs_shared = pytest.mark.skipif(not OUTCOMES.exists(), reason="shared data not present")

UNEMPLOYMENT = "Unemployment rate (% of labor force)"
BRIDGES_POOR = "Bridges in poor condition (% of bridges)"
CT_REGIONS = {f"091{i}0" for i in range(1, 10)}
AK_OLD = {"02201", "02232", "02280"}          # 2008-2009 census areas, changed before 2017


def per_resident(us, year: int) -> pd.Series:
    return map_values(us, MeasureSpec(level="state", measure="per_capita",
                                      table="obligations_total", span=(year, year))).values


def unmatched_keys(problem) -> set[str]:
    listed = problem.message.rsplit(": ", 1)[1]
    return {item.split(" ")[0] for item in listed.split(", ")}


# ----------------------------------------------------------------------------- loading
def test_workspace_loads_with_only_the_reported_county_changes(us):
    problems = us.problems
    # No table of the workspace loses a row; the one error is the boundary file's empty
    # Falls Church geometry (51610), which predates the outcomes.
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.file, p.code) for p in errors] == [("boundaries/counties-10m.json", "empty_geometry")]
    outcome_files = {"population_state.csv", "population_county.csv",
                     "unemployment_state_2008_2024.csv", "unemployment_county_2008_2024.csv",
                     "personal_income_state_2008_2024.csv", "bridge_condition_state_2000_2025.csv",
                     "pavement_roughness_state_2020_2024.csv"}
    found = [p for p in problems if p.file in outcome_files and p.severity != "note"]
    assert {(p.file, p.code) for p in found} == {
        ("population_county.csv", "unmatched_key"),
        ("unemployment_county_2008_2024.csv", "unmatched_key")}
    by_file = {p.file: p for p in found}
    assert unmatched_keys(by_file["population_county.csv"]) == CT_REGIONS | {"51610"}
    assert unmatched_keys(by_file["unemployment_county_2008_2024.csv"]) == \
        CT_REGIONS | AK_OLD | {"51610"}
    assert "09110 (2020–2024)" in by_file["unemployment_county_2008_2024.csv"].message
    assert "02201 (2008–2009)" in by_file["unemployment_county_2008_2024.csv"].message


def test_indicator_catalogue_names_units_directions_and_years(us):
    state = us.indicator_catalogue("state")
    county = us.indicator_catalogue("county")
    assert state[UNEMPLOYMENT]["years"] == list(range(2008, 2025))
    assert county[UNEMPLOYMENT]["years"] == list(range(2008, 2025))
    assert state[UNEMPLOYMENT]["unit"] == county[UNEMPLOYMENT]["unit"] == "%"
    assert state[UNEMPLOYMENT]["direction"] == county[UNEMPLOYMENT]["direction"] == "lower_is_better"
    assert state[BRIDGES_POOR]["years"] == list(range(2017, 2026))
    assert state[BRIDGES_POOR]["direction"] == "lower_is_better"
    assert state["Interstate bridges in poor condition (% of Interstate bridges)"]["years"] == \
        list(range(2017, 2026))
    assert state["Structurally deficient bridges (% of bridges)"]["years"] == list(range(2000, 2018))
    assert state["Per-capita personal income (current dollars)"]["years"] == list(range(2008, 2025))
    assert state["Per-capita personal income (current dollars)"]["direction"] == "higher_is_better"
    assert state["Real per-capita personal income (2017 dollars)"]["years"] == list(range(2008, 2024))
    pav = state["Interstate pavement with poor ride quality (% of miles, IRI over 170)"]
    assert pav["years"] == [2020, 2022, 2023, 2024] and pav["direction"] == "lower_is_better"
    assert list(county) == [UNEMPLOYMENT]


def test_targets_for_the_scorecard():
    man = tomllib.loads((WS / "workspace.toml").read_text(encoding="utf-8"))
    assert man["targets"] == {
        UNEMPLOYMENT: {"target": 5.0, "direction": "lower_is_better", "at_risk": 1.0,
                       "label": "Unemployment at or below 5%"},
        BRIDGES_POOR: {"target": 5.0, "direction": "lower_is_better", "at_risk": 1.0,
                       "label": "Under 5% of bridges in poor condition"},
    }


# ----------------------------------------------------------------------------- same-year figures
@needs_shared
@pytest.mark.parametrize("usps, fips", [("TX", "48"), ("PR", "72")])
def test_per_resident_2022_uses_2022_population(us, usps, fips):
    money = pd.read_csv(SHARED / "usaspending" / "usaspending_obligations_by_state_FY2008_2024_quarterly.csv",
                        dtype={"code": str})
    amount = money.loc[(money["code"] == usps) & (money["fy"] == 2022), "amount"].sum()
    pop = pd.read_csv(OUTCOMES / "census_state_population_2020_2024_v2024.csv", dtype=str)
    pop2022 = int(pop.loc[pop["usps"] == usps, "pop2022"].iloc[0])
    got = per_resident(us, 2022)[fips]
    assert np.isfinite(got)            # Puerto Rico too has a per-resident rate
    assert got == pytest.approx(amount / pop2022, rel=1e-9)
    # …and not the figure with another year's population
    other = int(pop.loc[pop["usps"] == usps, "pop2020"].iloc[0])
    assert got != pytest.approx(amount / other, rel=1e-6)


@needs_shared
def test_unemployment_2019_equals_the_source(us):
    src = pd.read_csv(OUTCOMES / "bls_laus_state_unemployment_annual_2008_2024.csv",
                      dtype={"state_fips": str})
    src = src[src["year"] == 2019].set_index("state_fips")["unemployment_rate_pct"]
    mv = map_values(us, MeasureSpec(level="state", measure="indicator", indicator=UNEMPLOYMENT,
                                    indicator_year=2019))
    assert mv.values["06"] == src["06"]
    assert mv.values["01"] == 3.2
    assert mv.values.dropna().sort_index().equals(src.sort_index().rename("value").rename_axis("region_id"))


# ----------------------------------------------------------------------------- CT and AK
@needs_shared
def test_alaska_split_is_summed_back_into_valdez_cordova(us):
    long = pd.read_csv(OUTCOMES / "bls_laus_county_unemployment_2008_2024_long.csv",
                       dtype={"fips": str})
    parts = long[long["fips"].isin(["02063", "02066"]) & (long["year"] == 2022)]
    rate = round(parts["unemployed"].sum() / parts["labor_force"].sum() * 100, 1)
    mv = map_values(us, MeasureSpec(level="county", measure="indicator", indicator=UNEMPLOYMENT,
                                    indicator_year=2022))
    assert mv.values["02261"] == rate == 4.5
    assert not {"02063", "02066"} & set(mv.indicator_unmatched.index)
    pop = pd.read_csv(OUTCOMES / "census_county_population_2020_2024_v2024.csv", dtype=str)
    want = pop.loc[pop["fips"].isin(["02063", "02066"]), "pop2022"].astype(int).sum()
    have = us.population("county")
    assert have[(have["region_id"] == "02261") & (have["year"] == 2022)]["population"].iloc[0] == want


def test_connecticut_planning_regions_are_kept_and_reported(us):
    mv = map_values(us, MeasureSpec(level="county", measure="indicator", indicator=UNEMPLOYMENT,
                                    indicator_year=2022))
    # the 9 planning regions do not match the 2017 counties: not drawn, listed with values
    assert CT_REGIONS <= set(mv.indicator_unmatched.index)
    assert mv.indicator_unmatched.loc[sorted(CT_REGIONS)].notna().all()
    assert any("09110" in n for n in mv.notes)
    # the old counties have values up to 2019 and none after
    assert mv.values[[f"090{i:02d}" for i in range(1, 16, 2)]].isna().all()
    old = map_values(us, MeasureSpec(level="county", measure="indicator", indicator=UNEMPLOYMENT,
                                     indicator_year=2019))
    assert old.values[[f"090{i:02d}" for i in range(1, 16, 2)]].notna().all()
    sources = (WS / "SOURCES.md").read_text(encoding="utf-8")
    assert "Capitol Planning Region" in sources and "no exact crosswalk" in sources
    assert "summed into 02261" in sources


def test_residents_of_unmatched_regions_stay_out_of_the_overall_rate(us):
    """County grants FY2022: Connecticut's planning-region residents have no money on the map
    (its grants are booked to the old counties), so they are not in the denominator."""
    mv = map_values(us, MeasureSpec(level="county", measure="per_capita", table="county_grants",
                                    span=(2022, 2022)))
    pop = us.population("county")
    pop = pop[(pop["year"] == 2022) & pop["region_id"].isin(mv.values.index)]
    placed = mv.amounts_by_year.merge(pop, on="region_id")
    assert mv.overall == pytest.approx(placed["amount"].sum() / pop["population"].sum(), rel=1e-12)
