"""Workspace manifests: every problem listed at once, discovery of workspace folders."""
from __future__ import annotations

import numpy as np
import pytest

from geodata.workspace import ManifestError, discover_workspaces, load_manifest
from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, squares_geojson, write_geojson, \
    write_workspace

GOOD_TABLE = GRANTS_TOML


def _ws(tmp_path, tables: str, files: dict | None = None, name: str = "ws"):
    root = write_workspace(tmp_path / name, LEVEL_TOML + tables,
                           {"grants.csv": "fips,fy,amount\n01001,2023,1\n", **(files or {})})
    write_geojson(root / "regions.geojson", squares_geojson(2))
    return root


def test_good_manifest_loads(tmp_path):
    ws = load_manifest(_ws(tmp_path, GOOD_TABLE))
    assert ws.title == "Tiny"
    assert [lv.id for lv in ws.levels] == ["county"]
    assert ws.level("county").key_width == 5
    assert ws.table("grants").columns == {"region_id": "fips", "fiscal_year": "fy", "amount": "amount"}
    assert ws.default_level == "county"
    assert ws.id == "ws"


def test_every_manifest_problem_is_listed_at_once(tmp_path):
    tables = """
[[tables]]
id = "gone"
kind = "allocations"
level = "county"
file = "missing.csv"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
amount = "amount"

[[tables]]
id = "odd_kind"
kind = "budgets"
level = "county"
file = "grants.csv"
[tables.columns]
region_id = "fips"

[[tables]]
id = "odd_level"
kind = "allocations"
level = "parish"
file = "grants.csv"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
amount = "amount"

[[tables]]
id = "no_amount"
kind = "allocations"
level = "county"
file = "grants.csv"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
"""
    root = _ws(tmp_path, tables)
    with pytest.raises(ManifestError) as err:
        load_manifest(root)
    probs = err.value.problems
    assert len(probs) == 4, probs
    text = "\n".join(probs)
    assert "table 'gone'" in text and "missing.csv" in text and "not found" in text
    assert "table 'odd_kind'" in text and "'budgets'" in text
    assert "table 'odd_level'" in text and "'parish'" in text
    assert "table 'no_amount'" in text and "lacks amount" in text
    # The message of the exception names the manifest and counts the problems.
    assert "workspace.toml" in str(err.value) and "4 problem(s)" in str(err.value)


def test_missing_key_mapping_and_level_file_are_reported(tmp_path):
    tables = """
[[tables]]
id = "nokey"
kind = "population"
level = "county"
file = "grants.csv"
[tables.columns]
year = "fy"
population = "amount"
"""
    root = _ws(tmp_path, tables)
    (root / "regions.geojson").unlink()
    with pytest.raises(ManifestError) as err:
        load_manifest(root)
    text = "\n".join(err.value.problems)
    assert "region_id (or region_name)" in text
    assert "regions.geojson" in text and "not found" in text


def test_missing_manifest_and_bad_toml(tmp_path):
    with pytest.raises(ManifestError, match="does not exist"):
        load_manifest(tmp_path / "nowhere")
    (tmp_path / "workspace.toml").write_text("[workspace\ntitle=", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid TOML"):
        load_manifest(tmp_path)


def test_discover_workspaces_finds_root_and_children(tmp_path):
    a = _ws(tmp_path, GOOD_TABLE, name="alpha")
    parent = tmp_path / "many"
    b = _ws(parent, GOOD_TABLE, name="beta")
    (parent / "not_a_workspace").mkdir()
    found = discover_workspaces([a, parent, tmp_path / "absent"])
    assert found == {"alpha": a, "beta": b}


def test_env_var_adds_workspace_roots(tmp_path, monkeypatch):
    root = _ws(tmp_path, GOOD_TABLE)
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    found = discover_workspaces()
    assert "us_federal" in found and "boston_region" in found
    assert found["ws"] == root


# --------------------------------------------------------------------------- bad-input workspace

def _bad_data():
    from geodata.dataset import WorkspaceData
    from tests.fixtures.helpers import BAD_WORKSPACE
    return WorkspaceData(load_manifest(BAD_WORKSPACE))


def test_bad_workspace_reports_every_problem_with_file_column_lines():
    from tests.fixtures.helpers import XSS_NAME
    data = _bad_data()
    got = {(p.file, p.code, p.column, p.rows) for p in data.problems}
    assert got == {
        ("regions.geojson", "padded_key", "id", (1,)),
        ("regions.geojson", "empty_geometry", "geometry", (3,)),
        ("regions.geojson", "invalid_geometry", "geometry", (2,)),
        ("allocations.csv", "padded_key", "county_fips", (2, 4)),
        ("allocations.csv", "bad_number", "amount", (5,)),
        ("allocations.csv", "blank_value", "amount", (11,)),
        ("allocations.csv", "negative_amount", "amount", (6,)),
        ("allocations.csv", "unmatched_key", "county_fips", (8, 9)),
        ("allocations.csv", "blank_region", "county_fips", (10,)),
        ("population.csv", "bad_population", "population", (3,)),
        ("population.csv", "bad_population", "population", (4,)),
        # keys that match no region: reported, kept out of the map
        ("population.csv", "unmatched_key", "region_id", (5,)),
        ("indicators.csv", "unmatched_key", "region_id", (5,)),
    }
    bad = next(p for p in data.problems if p.code == "bad_number")
    assert bad.values == ("n/a",) and bad.severity == "error"
    assert bad.text().startswith("allocations.csv, column 'amount', line 5:")
    # Good rows are kept, the hostile name as plain data.
    b = data.boundaries("county")
    assert b["region_id"].tolist() == ["01001", "01003", "01007"]
    assert data.names("county")["01007"] == XSS_NAME
    assert b.geometry.is_valid.all()
    grants = data.table("grants")
    assert len(grants) == 10
    assert grants["amount"].notna().sum() == 8
    assert data.agencies("grants") == ["Roads", "Schools"]
    assert data.years("grants") == (2022, 2023)


def test_bad_workspace_map_values_reconcile_to_the_cent():
    from geodata.dataset import MeasureSpec, map_values
    data = _bad_data()
    mv = map_values(data, MeasureSpec(level="county", table="grants", span=(2023, 2023)))
    assert mv.values.to_dict() == {"01001": 368_001_234.5, "01003": -10.1, "01007": 100.0}
    jr = mv.join
    assert jr.reconciles
    assert jr.unmatched.set_index("region_id")["cents"].to_dict() == {"99999": 7_525,
                                                                        "01005": 5_000}
    assert (jr.blank_cents, jr.blank_rows) == (2_000, 1)
    rec = jr.reconciliation()
    assert rec["ledger_total"] == 368_001_469.65
    assert rec["on_map"] + rec["not_placed"] == pytest.approx(rec["ledger_total"], abs=0.001)
    assert jr.placed_cents + jr.not_placed_cents == jr.ledger_cents == 36_800_146_965

    roads = map_values(data, MeasureSpec(level="county", table="grants", span=(2022, 2023),
                                         agencies=("Roads",)))
    assert roads.values.to_dict() == {"01001": 1_234.5, "01003": 500.0, "01007": 100.0}
    assert roads.join.reconciles and roads.join.ledger_cents == 123_450 + 50_000 + 10_000 + 5_000 + 7_525

    pc = map_values(data, MeasureSpec(level="county", measure="per_capita", table="grants",
                                      span=(2023, 2023)))
    assert pc.values["01001"] == pytest.approx(368_001.2345)
    assert np.isnan(pc.values["01003"]) and np.isnan(pc.values["01007"])   # 0 and −5 residents
    assert any("no population" in n for n in pc.notes)

    ind = map_values(data, MeasureSpec(level="county", measure="indicator", indicator="Score"))
    assert ind.values.to_dict() == {"01001": 1.5, "01003": 2.5, "01007": 3.5}
    assert ind.indicator_unmatched.index.tolist() == ["99998"]


# ---------------------------------------------------------------- fiscal years, said plainly
def test_fiscal_year_text_is_a_plain_sentence_in_the_readers_language(tmp_path):
    from dataclasses import replace

    from locales import use

    ws = replace(load_manifest(_ws(tmp_path, GOOD_TABLE)), fiscal_year_start_month=10)
    assert ws.fiscal_year_text(2024) == "FY2024 runs from 1 October 2023 to 30 September 2024."
    assert ws.fiscal_year_text() == ("Fiscal years (FY) run from October to September and are "
                                     "named after the year they end in.")
    with use("zh"):
        assert ws.fiscal_year_text(2024) == "FY2024自2023年10月1日起至2024年9月30日止。"
        assert ws.fiscal_year_text() == "财年（FY）自10月起至次年9月止，以结束年份命名。"
    march = replace(ws, fiscal_year_start_month=3, fiscal_year_label="FFY")
    assert march.fiscal_year_text(2024) == "FFY2024 runs from 1 March 2023 to 29 February 2024."
    calendar_year = replace(ws, fiscal_year_start_month=1)
    assert calendar_year.fiscal_year_text(2023) == \
        "FY2023 runs from 1 January 2023 to 31 December 2023."
    assert calendar_year.fiscal_year_text() == "Fiscal years (FY) are calendar years."


def test_manifest_problems_follow_the_readers_language(tmp_path):
    from locales import use

    root = _ws(tmp_path, GOOD_TABLE.replace('kind = "allocations"', 'kind = "budgets"'))
    with pytest.raises(ManifestError) as err:
        load_manifest(root)
    problem = err.value.problems[0]
    assert problem == "table 'grants': kind must be one of allocations, plans, population, " \
                      "indicators, segments, got 'budgets'"
    with use("zh"):
        # the same problem, shown to a reader of Chinese
        assert str(problem) == "表“grants”：kind 必须是 allocations, plans, population, " \
                               "indicators, segments 之一，实际为'budgets'"
        assert str(err.value).splitlines()[0].endswith("：1个问题")
