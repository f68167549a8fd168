"""The bundled NYC Council workspace: it loads as the app loads it, its levels and tables hold
what the manifest says, and each fiscal year's money reconciles to the dollar with the
Council's own totals (map + not placed = ledger)."""
from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.workspace import load_manifest
from locales import use

WS = Path(__file__).resolve().parents[2] / "geodata" / "workspaces" / "nyc_council"
TOTALS = {2025: Decimal("595181182"), 2026: Decimal("716213155")}
CITY_EIN = "136400434"

pytestmark = pytest.mark.skipif(not (WS / "workspace.toml").exists(),
                                reason="nyc_council workspace not built")


@pytest.fixture(scope="module")
def data() -> WorkspaceData:
    return WorkspaceData(load_manifest(WS))


@pytest.fixture(scope="module")
def awards() -> pd.DataFrame:
    return pd.read_csv(WS / "awards_fy2025_fy2026.csv", dtype=str, keep_default_na=False)


def test_loads_without_error_severity_problems(data):
    problems = data.problems
    assert [p.text() for p in problems if p.severity == "error"] == []
    # what is reported: the awards with no district / no ZIP area (not placed) and the
    # MODZCTA 99999 (parks and airports) with no residents
    assert sorted((p.severity, p.code) for p in problems) == [
        ("warning", "bad_population"), ("warning", "blank_region"), ("warning", "blank_region")]


def test_manifest_follows_the_demo_pattern():
    text = (WS / "workspace.toml").read_text(encoding="utf-8")
    man = tomllib.loads(text)
    head = man["workspace"]
    assert head["fiscal_year_start_month"] == 7
    assert head["data_date"] == "2026-06-08"
    assert head["default_level"] == "district"
    assert man["access"] == {"public": True}
    assert text.rstrip().endswith("[access]\npublic = true")
    for src in man["sources"]:
        assert src["licence"] and src["retrieved"] and src["files"]
        for f in src["files"]:
            assert (WS / f).exists(), f
    assert any("0ffc115f6f42ade762ac6fea59de54a64e62ec93" in s["retrieved"] for s in man["sources"])
    assert any("CC BY-SA 4.0" in s["licence"] for s in man["sources"])
    for lv in man["levels"]:
        g = gpd.read_file(WS / lv["file"])
        assert {lv["key"], lv["name"]} <= set(g.columns)
    for t in man["tables"]:
        df = pd.read_csv(WS / t["file"], dtype=str, keep_default_na=False, nrows=5)
        assert set(t["columns"].values()) <= set(df.columns), t["id"]


def test_levels_have_51_districts_and_178_zip_areas(data):
    districts = data.boundaries("district")
    zips = data.boundaries("zip")
    assert len(districts) == 51 and len(zips) == 178
    assert sorted(districts["region_id"], key=int) == [str(d) for d in range(1, 52)]
    assert zips["region_id"].str.fullmatch(r"\d{5}").all()
    assert districts.crs.to_epsg() == 4326
    # simplified for city scale but still the city: 783 km² of districts (land and water)
    area = districts.to_crs("EPSG:32618").area.sum() / 1e6
    assert 700 < area < 900


@pytest.mark.parametrize("table,level", [("awards_district", "district"), ("awards_zip", "zip")])
@pytest.mark.parametrize("year", [2025, 2026])
def test_map_plus_not_placed_is_the_ledger_to_the_dollar(data, table, level, year):
    mv = map_values(data, MeasureSpec(level=level, measure="total", table=table,
                                      span=(year, year)))
    rec = mv.join.reconciliation()
    assert mv.join.reconciles
    assert Decimal(str(rec["ledger_total"])) == TOTALS[year]
    assert Decimal(str(rec["on_map"])) + Decimal(str(rec["not_placed"])) == TOTALS[year]


def test_not_placed_by_district_is_citywide_speaker_and_delegations(data, awards):
    fy26 = awards[awards["fiscal_year"] == "2026"]
    blank = fy26[fy26["member_district"] == ""]
    labels = set(blank["council_member"])
    assert labels == {"", "Speaker", "Bronx Delegation", "Brooklyn Delegation",
                      "Manhattan Delegation", "Queens Delegation", "Staten Island Delegation"}
    mv = map_values(data, MeasureSpec(level="district", measure="total",
                                      table="awards_district", span=(2026, 2026)))
    assert mv.join.blank_cents == blank["amount"].astype(int).sum() * 100 == 59_799_715_500
    assert mv.join.unmatched.empty


def test_awards_file_holds_the_line_items(awards):
    assert len(awards) == 23_037
    assert awards["mocs_id"].is_unique
    assert (awards["legal_name"] != "").all() and awards["amount"].str.fullmatch(r"\d+").all()
    assert awards.groupby("fiscal_year").size().to_dict() == {"2025": 11_280, "2026": 11_757}
    assert awards["ein"].str.fullmatch(r"\d{9}").all()
    assert (awards["ein"].str[0] == "0").sum() > 0          # leading zeros kept
    assert not awards["legal_name"].str.contains(r"^\s|\s$").any()
    # the footer rows of the FY2026 sheet are not awards
    assert not awards["legal_name"].str.contains("Total:").any()


def test_the_citys_own_ein_rows_are_there(awards):
    city = awards[awards["ein"] == CITY_EIN]
    assert len(city) == 1_587
    assert city["legal_name"].nunique() == 73
    assert {"New York City Housing Authority", "Department of Education"} <= \
        set(city["legal_name"])


def test_per_resident_by_zip_area_uses_the_2018_population(data):
    with use("en"):
        mv = map_values(data, MeasureSpec(level="zip", measure="per_capita", table="awards_zip",
                                          span=(2026, 2026)))
    assert mv.unit == "USD per resident"
    assert "Population for 2026 uses the 2018 estimate (nearest year available)." in mv.notes
    pop = data.population("zip").set_index("region_id")["population"]
    assert pop.sum() == 8_443_636
    assert mv.values.notna().sum() == 174
    assert mv.overall == pytest.approx(
        mv.join.placed_cents / 100 / pop[pop > 0].sum(), rel=1e-9)


def test_fiscal_year_is_july_to_june(data):
    with use("en"):
        assert data.ws.fiscal_year_text(2026) == "FY2026 runs from 1 July 2025 to 30 June 2026."
    with use("zh"):
        assert data.ws.fiscal_year_text(2026) == "FY2026自2025年7月1日起至2026年6月30日止。"


def test_overlap_rules_of_the_manifest(data):
    from analysis.overlap import rules_for_workspace
    from geodata.workspace import TOP_LEVEL_KEYS

    if "overlap" not in TOP_LEVEL_KEYS:
        pytest.skip("the manifest format has no [overlap] section yet")
    rules, problems = rules_for_workspace(data.ws)
    assert problems == []
    assert (rules.table, rules.recipient_id, rules.exclude_ids, rules.period_label) == \
        ("awards_district", "ein", (CITY_EIN,), "FY")
    assert rules.area_columns == {"district": "member_district", "zip": "modzcta"}
