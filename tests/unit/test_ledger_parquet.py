"""DuckDB over Parquet: a large table is converted once (partitioned by fiscal year, through a
temporary folder), read from disk with the same sums as in memory, reused while its source is
unchanged and converted again when it changes; grouped sums read a pre-aggregated table when
it covers them."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata.dataset import WorkspaceData
from geodata.ledger import DuckLedger, Ledger
from geodata.workspace import load_manifest

GROUPINGS = [[], ["region_id"], ["fiscal_year"], ["region_id", "fiscal_year"], ["agency"],
             ["quarter"], ["program"], ["region_id", "fiscal_year", "agency", "quarter"]]
FILTERS = [{}, {"years": (2020, 2021)}, {"years": [2019, 2021]}, {"agencies": ["Roads"]},
           {"region_ids": ["01", "03"]}, {"quarters": [1, 4]}, {"years": []},
           {"years": (2021, 2021), "agencies": ["Health", "Roads"], "quarters": [2, 3]}]


def frame(n: int = 3_000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "region_id": rng.choice(np.array(["01", "02", "03", None], dtype=object), n),
        "fiscal_year": rng.choice([2019, 2020, 2021], n),
        "quarter": rng.integers(1, 5, n),
        "agency": rng.choice(["Roads", "Health", "Schools"], n),
        "program": rng.choice(["a", "b"], n),
        "amount": np.where(rng.random(n) < 0.02, np.nan, rng.normal(900, 700, n).round(2)),
    })


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "ws" / "allocations.csv"
    path.parent.mkdir()
    path.write_text("region,fy,amount\n", encoding="utf-8")
    return path


def parquet(cache: Path, rows: int = 100) -> DuckLedger:
    return DuckLedger(cache, parquet_rows=rows)


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_parquet_sums_equal_in_memory_sums(tmp_path, source):
    df = frame()
    mem, disk = Ledger(), parquet(tmp_path / "cache")
    mem.add("alloc", df)
    disk.add("alloc", df, sources=[source])
    assert "alloc" in disk.parquet_folders and "alloc" not in mem.parquet_folders
    for by in GROUPINGS:
        for flt in FILTERS:
            a = mem.sum_by("alloc", by, order=True, **flt)
            b = disk.sum_by("alloc", by, order=True, **flt)
            assert list(a.columns) == list(b.columns) == [*by, "amount", "cents", "rows"]
            assert a["rows"].tolist() == b["rows"].tolist(), (by, flt)
            if by or a["rows"].sum():
                assert a["cents"].tolist() == b["cents"].tolist(), (by, flt)
                np.testing.assert_allclose(b["amount"], a["amount"], rtol=1e-9)
            for col in by:
                assert a[col].astype("string").tolist() == b[col].astype("string").tolist()
    assert disk.total("alloc", agencies=["Roads"]) == pytest.approx(
        mem.total("alloc", agencies=["Roads"]))
    assert disk.total("alloc")[1] == mem.total("alloc")[1] == int(
        (df["amount"].dropna() * 100).round().sum())
    assert disk.year_range("alloc") == mem.year_range("alloc") == (2019, 2021)
    assert disk.distinct("alloc", "agency") == ["Health", "Roads", "Schools"]
    assert disk.distinct("alloc", "fiscal_year") == [2019, 2020, 2021]


def test_one_parquet_folder_per_year_and_a_pre_aggregated_table(tmp_path, source):
    disk = parquet(tmp_path / "cache")
    disk.add("alloc", frame(), sources=[source])
    folder = disk.parquet_folders["alloc"]
    assert folder.parent == tmp_path / "cache" / "alloc"
    years = sorted(p.name for p in (folder / "rows").iterdir())
    assert years == ["fiscal_year=2019", "fiscal_year=2020", "fiscal_year=2021"]
    assert all(list((folder / "rows" / y).glob("*.parquet")) for y in years)
    assert (folder / "aggregate.parquet").is_file()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".tmp-")]
    # Region × year × agency × quarter groupings read the aggregate; program needs the rows.
    assert disk._source("alloc", ["region_id", "agency"]) == ("t0_agg", True)
    assert disk._source("alloc", ["quarter"]) == ("t0_agg", True)
    assert disk._source("alloc", ["program"]) == ("t0", False)
    # Nothing of the table is held in DuckDB's memory: the name is a view over the files.
    kinds = disk._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert kinds == []


def test_a_second_open_reuses_the_conversion(tmp_path, source):
    df = frame()
    first = parquet(tmp_path / "cache")
    first.add("alloc", df, sources=[source])
    before = mtimes(tmp_path / "cache")
    second = parquet(tmp_path / "cache")
    second.add("alloc", df, sources=[source])
    assert second.parquet_folders["alloc"] == first.parquet_folders["alloc"]
    assert mtimes(tmp_path / "cache") == before
    assert second.total("alloc") == first.total("alloc")


def test_a_changed_source_is_converted_again(tmp_path, source):
    first = parquet(tmp_path / "cache")
    first.add("alloc", frame(), sources=[source])
    old = first.parquet_folders["alloc"]
    source.write_text("region,fy,amount\n01,2020,1\n", encoding="utf-8")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    changed = frame(seed=8)
    second = parquet(tmp_path / "cache")
    second.add("alloc", changed, sources=[source])
    new = second.parquet_folders["alloc"]
    assert new != old and new.parent == old.parent
    assert second.total("alloc")[1] == int((changed["amount"].dropna() * 100).round().sum())
    # The previous conversion stays for a process still reading it; older ones go.
    source.write_text("region,fy,amount\n02,2021,2\n", encoding="utf-8")
    third = parquet(tmp_path / "cache")
    third.add("alloc", frame(seed=9), sources=[source])
    assert sorted(p.name for p in old.parent.iterdir()) == sorted(
        [new.name, third.parquet_folders["alloc"].name])


def test_changed_settings_alone_convert_again(tmp_path, source):
    first = parquet(tmp_path / "cache")
    first.add("alloc", frame(), sources=[source], key="scale=1")
    second = parquet(tmp_path / "cache")
    second.add("alloc", frame(), sources=[source], key="scale=1000")
    assert second.parquet_folders["alloc"] != first.parquet_folders["alloc"]


def test_small_tables_and_tables_without_sources_stay_in_memory(tmp_path, source):
    led = parquet(tmp_path / "cache", rows=10_000)
    led.add("small", frame(50), sources=[source])
    led.add("anonymous", frame(20_000))
    assert led.parquet_folders == {}
    assert not (tmp_path / "cache").exists()
    assert led.total("small")[1] == int((frame(50)["amount"].dropna() * 100).round().sum())


def test_cents_beyond_64_bits_stay_exact_over_parquet(tmp_path, source):
    big = 8.9e16
    df = pd.DataFrame({"region_id": ["01"] * 4, "fiscal_year": [2020, 2020, 2021, 2021],
                       "agency": ["A"] * 4, "amount": [big, big, big, 0.01]})
    led = parquet(tmp_path / "cache", rows=1)
    led.add("alloc", df, sources=[source])
    assert "alloc" in led.parquet_folders
    exact = 3 * int(big * 100) + 1
    assert led.total("alloc")[1] == exact
    by_year = led.sum_by("alloc", ["fiscal_year"], order=True)
    assert by_year["cents"].tolist() == [2 * int(big * 100), int(big * 100) + 1]
    assert by_year["cents"].dtype == object


def test_a_cache_folder_that_cannot_be_written_leaves_the_table_in_memory(tmp_path, source):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("", encoding="utf-8")
    led = parquet(blocker / "cache")
    df = frame()
    led.add("alloc", df, sources=[source])
    assert led.parquet_folders == {}
    assert len(led.notes) == 1 and "held in memory" in led.notes[0]
    assert led.total("alloc")[1] == int((df["amount"].dropna() * 100).round().sum())


MANIFEST = """
[workspace]
title = "Parquet ledger (test fixture)"
default_level = "county"

[ledger]
parquet_rows = {rows}

[[levels]]
id = "county"
label = "County"
file = "regions.geojson"
key = "id"
name = "name"

[[tables]]
id = "grants"
kind = "allocations"
level = "county"
file = "allocations.csv"
label = "Grants"
[tables.columns]
region_id = "region"
fiscal_year = "fy"
agency = "agency"
amount = "amount"
"""


def workspace(root: Path, rows: int) -> Path:
    import json
    root.mkdir(parents=True)
    (root / "workspace.toml").write_text(MANIFEST.replace("{rows}", str(rows)),
                                         encoding="utf-8")
    features = [{"type": "Feature", "properties": {"id": rid, "name": f"Place {rid}"},
                 "geometry": {"type": "Polygon", "coordinates": [[[i, 0], [i + 1, 0],
                                                                   [i + 1, 1], [i, 1],
                                                                   [i, 0]]]}}
                for i, rid in enumerate(["01", "02", "03"])]
    (root / "regions.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    lines = ["region,fy,agency,amount"] + [
        f"{rid},{fy},{ag},{amt}" for rid, fy, ag, amt in [
            ("01", 2020, "Roads", "10.10"), ("02", 2020, "Health", "20.20"),
            ("03", 2021, "Roads", "0.05"), ("01", 2021, "Health", "5.00"),
            ("99", 2021, "Roads", "1.00")]]
    (root / "allocations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_a_workspace_over_the_threshold_keeps_its_ledger_in_its_cache_folder(
        tmp_path, monkeypatch):
    monkeypatch.delenv("FISCALMAP_CACHE_DIR", raising=False)
    big = WorkspaceData(load_manifest(workspace(tmp_path / "big", rows=1)))
    small = WorkspaceData(load_manifest(workspace(tmp_path / "small", rows=1_000)))
    big.ledger.wait()                     # the app converts in the background
    folder = big.ledger.parquet_folders["grants"]
    assert folder.parent == tmp_path / "big" / ".cache" / "ledger" / "grants"
    assert sorted(p.name for p in (folder / "rows").iterdir()) == [
        "fiscal_year=2020", "fiscal_year=2021"]
    assert small.ledger.parquet_folders == {}
    for by in (["region_id"], ["agency", "fiscal_year"]):
        a = small.ledger.sum_by("grants", by, order=True)
        b = big.ledger.sum_by("grants", by, order=True)
        assert a["cents"].tolist() == b["cents"].tolist()
    assert big.ledger.total("grants") == pytest.approx((36.35, 3635))
    assert [p for p in big.problems if p.code.startswith("ledger")] == []
    # A second load of the unchanged workspace reads the same conversion, untouched.
    before = mtimes(folder)
    again = WorkspaceData(load_manifest(tmp_path / "big"))
    assert again.ledger.parquet_folders["grants"] == folder
    assert mtimes(folder) == before


def test_the_cache_folder_can_be_set_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALMAP_CACHE_DIR", str(tmp_path / "shared-cache"))
    root = workspace(tmp_path / "ws", rows=1)
    data = WorkspaceData(load_manifest(root))
    data.ledger.wait()
    folder = data.ledger.parquet_folders["grants"]
    assert folder.parent == tmp_path / "shared-cache" / "ledger" / "ws" / "grants"
    assert not (root / ".cache").exists()


def test_background_conversion_answers_at_once_and_moves_onto_parquet(tmp_path, source):
    """In the app a large table is queried from memory while it is converted, then from the
    conversion: the same cents before and after; a second ledger finds it current."""
    df = frame()
    led = DuckLedger(tmp_path / "cache", parquet_rows=100, background=True)
    led.add("alloc", df, sources=[source], key="k")
    before = led.sum_by("alloc", ["region_id"])
    led.wait()
    assert "alloc" in led.parquet_folders
    after = led.sum_by("alloc", ["region_id"])
    pd.testing.assert_frame_equal(before.sort_values("region_id", ignore_index=True),
                                  after.sort_values("region_id", ignore_index=True),
                                  check_dtype=False)
    again = DuckLedger(tmp_path / "cache", parquet_rows=100, background=True)
    again.add("alloc", df, sources=[source], key="k")
    assert again.parquet_folders["alloc"] == led.parquet_folders["alloc"]   # no thread needed
    assert again._pending == []


def test_attach_parquet_uses_a_stored_table_without_loading_it(tmp_path, source):
    """A conversion written elsewhere (a nightly job) is attached: the same cents as the
    table loaded; without its aggregate file the raw rows answer; a folder without rows is
    refused with what is missing."""
    df = frame()
    disk = parquet(tmp_path / "cache")
    disk.add("alloc", df, sources=[source])
    folder = disk.parquet_folders["alloc"]
    led = DuckLedger()
    led.attach_parquet("national", folder)
    assert led.tables() == ["national"]
    assert "cents" not in led.columns("national") and "agency" in led.columns("national")
    for by in (["region_id"], ["agency", "fiscal_year"]):
        want = disk.sum_by("alloc", by, order=True)
        got = led.sum_by("national", by, order=True)
        assert got["cents"].tolist() == want["cents"].tolist()
    assert led._source("national", ["region_id"])[1] is True
    total = disk.total("alloc")
    (folder / "aggregate.parquet").unlink()
    raw = DuckLedger()
    raw.attach_parquet("national", folder)
    assert raw._source("national", ["region_id"])[1] is False
    assert raw.total("national")[1] == total[1]
    assert raw.total("national")[0] == pytest.approx(total[0], rel=1e-12)
    with pytest.raises(ValueError, match="no rows"):
        DuckLedger().attach_parquet("x", tmp_path / "empty")
