"""The bundled demo workspaces: manifests, files, mapped columns and ledger totals."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

WORKSPACES = Path(__file__).resolve().parents[2] / "geodata" / "workspaces"
NAMES = ["us_federal", "boston_region"]


def manifest(name: str) -> dict:
    return tomllib.loads((WORKSPACES / name / "workspace.toml").read_text(encoding="utf-8"))


def read_table(name: str, table: dict) -> pd.DataFrame:
    path = WORKSPACES / name / table["file"]
    if table["kind"] == "segments":
        return gpd.read_file(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=table.get("encoding", "utf-8"))


def table(name: str, table_id: str) -> tuple[dict, pd.DataFrame]:
    t = next(t for t in manifest(name)["tables"] if t["id"] == table_id)
    return t, read_table(name, t)


@pytest.mark.parametrize("name", NAMES)
def test_manifest_files_and_columns_exist(name: str) -> None:
    man = manifest(name)
    assert man["workspace"]["title"]
    assert man["workspace"]["fiscal_year_start_month"] == 10
    level_ids = {lv["id"] for lv in man["levels"]}
    assert man["workspace"]["default_level"] in level_ids
    for lv in man["levels"]:
        path = WORKSPACES / name / lv["file"]
        assert path.exists(), path
        g = gpd.read_file(path, layer=lv["layer"]) if "layer" in lv else gpd.read_file(path)
        assert {lv["key"], lv["name"]} <= set(g.columns)
        if "parent_level" in lv:
            assert lv["parent_level"] in level_ids
    for t in man["tables"]:
        assert t["kind"] in {"allocations", "population", "indicators", "segments"}
        assert t["level"] in level_ids
        df = read_table(name, t)
        missing = [src for src in t["columns"].values() if src not in df.columns]
        assert not missing, (t["id"], missing)
    for src in man["sources"]:
        for f in src["files"]:
            assert (WORKSPACES / name / f).exists(), f


def test_obligations_keep_negative_and_blank_state_rows() -> None:
    t, df = table("us_federal", "obligations")
    amounts = df[t["columns"]["amount"]].map(Decimal)
    assert (amounts < 0).any()
    blank = df[t["columns"]["region_id"]].str.strip() == ""
    assert blank.any()
    assert amounts[blank].sum() != 0
    # amounts are written with cents
    assert df[t["columns"]["amount"]].str.fullmatch(r"-?\d+\.\d\d").all()


def test_state_fips_are_two_char_ids_of_the_boundary_layer() -> None:
    states = gpd.read_file(WORKSPACES / "us_federal" / "boundaries" / "counties-10m.json", layer="states")
    ids = set(states["id"].astype(str))
    assert len(ids) == 56
    for table_id in ("obligations", "obligations_total", "population_state", "unemployment_state",
                     "income", "bridges", "pavement"):
        t, df = table("us_federal", table_id)
        fips = df[t["columns"]["region_id"]]
        placed = fips[fips != ""]
        assert placed.str.len().eq(2).all(), table_id
        assert set(placed) <= ids, (table_id, set(placed) - ids)


def test_tip_total_reconciles() -> None:
    t, df = table("boston_region", "tip")
    amounts = df[t["columns"]["amount"]].map(Decimal)
    assert abs(amounts.sum() - Decimal("710793421")) <= Decimal("0.01")
    blank = df[t["columns"]["region_id"]].str.strip() == ""
    assert blank.any()
    towns = gpd.read_file(WORKSPACES / "boston_region" / "boundaries" / "towns_97.geojson")
    assert set(df.loc[~blank, t["columns"]["region_id"]]) <= set(towns["town_id"].astype(str))
