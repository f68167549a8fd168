"""The Spark ledger gives DuckDB's answers to the cent: every measure of the bad-input fixture
and the US demo, every grouping, and the awkward inputs (blank ids, missing and huge amounts,
quotes, non-ASCII names and table ids, halves of a cent).

All of it runs on one local Spark session (``local[2]``) shared by the whole test run."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import locales
from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.ledger import Ledger
from geodata.ledger import spark as spark_engine
from geodata.ledger.spark import SparkLedger, SparkUnavailable
from geodata.workspace import load_manifest
from tests.engines import spark_session
from tests.fixtures.helpers import BAD_WORKSPACE

pytestmark = [
    pytest.mark.spark,
    # pyspark says on each conversion that it is not yet tested with pandas 3; the ledger hands
    # it Arrow tables only (the engine silences this at import, pytest's collection forgets it).
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

US_FEDERAL = BAD_WORKSPACE.parents[2] / "geodata" / "workspaces" / "us_federal"
GROUPINGS = ([], ["region_id"], ["fiscal_year"], ["agency"], ["quarter"],
             ["region_id", "fiscal_year"])
# Each Spark query costs about half a second on two cores: the tests ask each grouping and
# each measure once per table, and turn the filters over from one query to the next.


@pytest.fixture(scope="session")
def master():
    yield spark_session.start()
    spark_engine.stop_session()


@pytest.fixture
def pair(master):
    """A DuckDB ledger and a Spark ledger, each given the same tables by ``add``."""
    duck, spark = Ledger(), SparkLedger(master)

    class Both:
        def add(self, table_id, frame):
            duck.add(table_id, frame)
            spark.add(table_id, frame)

    both = Both()
    both.duck, both.spark = duck, spark
    yield both
    spark.close()


def assert_same_sums(duck: pd.DataFrame, spark: pd.DataFrame, by: list[str], what: str) -> None:
    """Same groups, same dtypes, cents and rows equal, amounts within 1e-6 relative."""
    assert list(spark.columns) == list(duck.columns), what
    assert spark.dtypes.to_dict() == duck.dtypes.to_dict(), what
    if by:
        duck = duck.sort_values(by, na_position="last", ignore_index=True)
        spark = spark.sort_values(by, na_position="last", ignore_index=True)
        pd.testing.assert_frame_equal(spark[by], duck[by], obj=what)
    assert [int(c) for c in spark["cents"]] == [int(c) for c in duck["cents"]], what
    assert spark["rows"].tolist() == duck["rows"].tolist(), what
    np.testing.assert_allclose(spark["amount"].to_numpy(float), duck["amount"].to_numpy(float),
                               rtol=1e-6, atol=1e-9, err_msg=what)


# -- the workspaces, on both engines -------------------------------------------------------------
@pytest.fixture(scope="module", params=["bad_workspace", "us_federal"])
def workspaces(request, master):
    ws = load_manifest(BAD_WORKSPACE if request.param == "bad_workspace" else US_FEDERAL)
    duck, spark = WorkspaceData(ws), spark_session.spark_data(ws)
    assert isinstance(spark.ledger, SparkLedger)
    yield request.param, duck, spark
    spark.ledger.close()


def _views(data: WorkspaceData):
    """(level, table) pairs the map offers, with the table's years."""
    for lv in data.ws.levels:
        for spec in data.allocation_tables(lv.id):
            yield lv.id, spec.id, data.years(spec.id)


def test_the_same_tables_columns_years_and_agencies(workspaces):
    _, duck, spark = workspaces
    assert spark.ledger.tables() == duck.ledger.tables()
    assert spark.ledger.tables()               # something to compare
    for tid in duck.ledger.tables():
        assert spark.ledger.columns(tid) == duck.ledger.columns(tid)
        assert spark.ledger.year_range(tid) == duck.ledger.year_range(tid)
        for col in ("agency", "fiscal_year"):
            assert spark.ledger.distinct(tid, col) == duck.ledger.distinct(tid, col), (tid, col)


def test_every_grouping_equals_duckdb_to_the_cent(workspaces):
    name, duck, spark = workspaces
    for tid in duck.ledger.tables():
        cols = duck.ledger.columns(tid)
        lo, hi = duck.ledger.year_range(tid)
        agencies = duck.ledger.distinct(tid, "agency")[:2] or None
        turns = ({}, {"years": (hi, hi), "agencies": agencies},
                 {"years": [lo, hi], "quarters": [1, 4]})
        for i, by in enumerate(b for b in GROUPINGS if set(b) <= set(cols)):
            filters = turns[i % len(turns)]
            what = f"{name}: {tid} by {by} where {filters}"
            assert_same_sums(duck.ledger.sum_by(tid, by, **filters),
                             spark.ledger.sum_by(tid, by, **filters), by, what)


@pytest.mark.parametrize("measure", ["total", "per_capita", "share", "change"])
def test_every_measure_equals_duckdb_and_reconciles(workspaces, measure):
    name, duck, spark = workspaces
    seen = drawn = 0
    turn = ("total", "per_capita", "share", "change").index(measure)
    for level, tid, (lo, hi) in _views(duck):
        if measure == "per_capita" and duck.population(level).empty:
            continue
        # Every years span and agency filter, taken in turns over views and measures.
        agencies = tuple(duck.agencies(tid)[:1]) or None
        span, chosen = (((lo, hi), None), ((hi, hi), agencies))[turn % 2]
        if measure == "change":
            span = (hi, hi)                        # the years before it are the comparison
        turn += 1
        spec = MeasureSpec(level=level, measure=measure, table=tid, span=span,
                           agencies=chosen)
        what = f"{name}: {spec}"
        a, b = map_values(duck, spec), map_values(spark, spec)
        assert b.values.index.equals(a.values.index), what
        assert b.values.isna().tolist() == a.values.isna().tolist(), what
        np.testing.assert_allclose(b.values.to_numpy(float), a.values.to_numpy(float),
                                   rtol=1e-6, err_msg=what)
        assert b.label == a.label and b.unit == a.unit and b.notes == a.notes, what
        assert b.join.reconciles, what
        assert b.join.ledger_cents == a.join.ledger_cents, what
        assert b.join.placed_cents == a.join.placed_cents, what
        assert b.join.not_placed_cents == a.join.not_placed_cents, what
        assert b.join.blank_cents == a.join.blank_cents, what
        seen += 1
        drawn += bool(a.values.notna().any())
    assert seen >= 1 and drawn >= 1               # at least one map with something on it


def test_the_bad_fixture_totals_are_the_known_cents(master):
    """Not only equal to DuckDB: the fixture's money, counted by hand (the bad rows left out)."""
    data = spark_session.spark_data(load_manifest(BAD_WORKSPACE))
    try:
        duck_total = WorkspaceData(load_manifest(BAD_WORKSPACE)).ledger.total("grants")
        assert data.ledger.total("grants") == pytest.approx(duck_total, rel=1e-6)
        mv = map_values(data, MeasureSpec(level="county", measure="total", table="grants",
                                          span=(2023, 2023)))
        assert mv.join.blank_cents == 2_000          # the row without a county: 20.00
        # County 99999 (75.25) and 01005 (50.00, a region with no shape, not on the layer).
        assert mv.join.unmatched_cents == 12_525
        assert mv.join.reconciles
    finally:
        data.ledger.close()


def test_the_manifest_puts_a_workspace_on_spark_and_falls_back_with_a_reason(master, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(BAD_WORKSPACE, root)
    manifest = (root / "workspace.toml").read_text(encoding="utf-8")
    (root / "workspace.toml").write_text(
        manifest + '\n[ledger]\nengine = "spark"\nmaster = "local[2]"\n', encoding="utf-8")
    data = WorkspaceData(load_manifest(root))
    try:
        assert isinstance(data.ledger, SparkLedger)
        assert data.ledger.total("grants")[1] == \
            WorkspaceData(load_manifest(BAD_WORKSPACE)).ledger.total("grants")[1]
        assert not [p for p in data.problems if p.code == "ledger_fallback"]
    finally:
        data.ledger.close()
    # Another master than the one this process runs: the workspace opens on DuckDB, and says so.
    (root / "workspace.toml").write_text(
        manifest + '\n[ledger]\nengine = "spark"\nmaster = "local[1]"\n', encoding="utf-8")
    data = WorkspaceData(load_manifest(root))
    assert isinstance(data.ledger, Ledger)
    [fallback] = [p for p in data.problems if p.code == "ledger_fallback"]
    assert "already runs Spark" in fallback.text()


# -- tiny inline frames ------------------------------------------------------------------------
def test_blank_and_missing_region_ids_are_kept_apart_and_sorted_last(pair):
    pair.add("t", pd.DataFrame({
        "region_id": ["01", "", None, "01", " ", None],
        "fiscal_year": [2024] * 6,
        "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}))
    duck = pair.duck.sum_by("t", ["region_id"], order=True)
    spark = pair.spark.sum_by("t", ["region_id"], order=True)
    pd.testing.assert_frame_equal(spark, duck)
    assert spark["region_id"].tolist()[:3] == ["", " ", "01"]
    assert pd.isna(spark["region_id"].iloc[-1])
    assert spark["cents"].tolist() == [200, 500, 500, 900]


def test_missing_infinite_and_too_large_amounts_never_reach_the_sums(pair):
    pair.add("t", pd.DataFrame({
        "region_id": ["01", "01", "02", "03", "04", "05"], "fiscal_year": [2024] * 6,
        "amount": [1.0, float("nan"), float("inf"), float("-inf"), 9.3e16, "n/a"]}))
    sums = pair.spark.sum_by("t", ["region_id"], order=True)
    assert sums["region_id"].tolist() == ["01"]
    assert sums["cents"].tolist() == [100] and sums["rows"].tolist() == [1]
    assert pair.spark.total("t", region_ids=["02"]) == (0.0, 0)
    assert_same_sums(pair.duck.sum_by("t", []), pair.spark.sum_by("t", []), [], "total")


def test_sums_beyond_64_bit_cents_stay_exact(pair):
    big = 8.0e16                       # 8e18 cents each: their sum overflows a 64-bit integer
    pair.add("t", pd.DataFrame({"region_id": ["01", "01", "02"], "fiscal_year": [2024] * 3,
                                "amount": [big, big, 0.01]}))
    sums = pair.spark.sum_by("t", ["region_id"], order=True)
    assert sums["cents"].tolist() == [16 * 10**18, 1]
    assert sums["cents"].dtype == object          # Python ints: no wrap-around, no rounding
    assert pair.spark.total("t")[1] == 16 * 10**18 + 1 == pair.duck.total("t")[1]
    small = pair.spark.sum_by("t", ["region_id"], region_ids=["02"])
    assert small["cents"].dtype == "int64" and small["cents"].tolist() == [1]


ROUNDING = [  # amount, whole cents: halves go away from zero, as DuckDB's round() does
    (0.005, 1), (0.015, 2), (0.025, 3), (1.005, 100), (2.675, 268), (0.285, 28),
    (1000.005, 100_001), (-0.005, -1), (-0.015, -2), (-2.675, -268), (-50.25, -5_025),
    (0.49999999999999994, 50), (-1e-3, 0), (123456789.125, 12_345_678_913)]


def test_cents_round_half_away_from_zero_as_duckdb_does(pair):
    pair.add("t", pd.DataFrame({"region_id": [f"r{i:02d}" for i in range(len(ROUNDING))],
                                "fiscal_year": [2024] * len(ROUNDING),
                                "amount": [a for a, _ in ROUNDING]}))
    spark = pair.spark.sum_by("t", ["region_id"], order=True)
    duck = pair.duck.sum_by("t", ["region_id"], order=True)
    assert spark["cents"].tolist() == duck["cents"].tolist() == [c for _, c in ROUNDING]


def test_many_random_cents_equal_duckdb(pair):
    rng = np.random.default_rng(13)
    n = 3_000
    amount = np.round(rng.normal(0, 1e6, n), 3) + rng.choice([0, 0.005, -0.005], n)
    pair.add("t", pd.DataFrame({"region_id": rng.choice(["A", "B", "C", "D"], n),
                                "fiscal_year": rng.integers(2018, 2025, n),
                                "quarter": rng.integers(1, 5, n), "amount": amount}))
    for by in (["region_id"], ["fiscal_year", "quarter"]):
        assert_same_sums(pair.duck.sum_by("t", by), pair.spark.sum_by("t", by), by, str(by))


def test_quotes_and_non_ascii_agency_names_are_values_not_sql(pair):
    names = ["O'Brien \"Roads\"", "财政局", "Roads') OR 1=1 --", "Schools`; DROP VIEW x"]
    pair.add("t", pd.DataFrame({"region_id": ["01", "02", "03", "04"], "fiscal_year": [2024] * 4,
                                "agency": names, "amount": [1.25, 2.5, 4.0, 8.0]}))
    assert pair.spark.distinct("t", "agency") == pair.duck.distinct("t", "agency")
    for name, cents in zip(names, (125, 250, 400, 800)):
        assert pair.spark.total("t", agencies=[name]) == (cents / 100, cents)
    assert pair.spark.total("t", agencies=["Roads"]) == (0.0, 0)
    assert pair.spark.total("t", agencies=[]) == (0.0, 0)
    by = pair.spark.sum_by("t", ["agency"], order=True)
    assert by["agency"].tolist() == sorted(names)
    assert_same_sums(pair.duck.sum_by("t", ["agency"]), by, ["agency"], "agency")


def test_any_table_id_works_because_sql_never_sees_it(pair):
    ids = ("支出 2024", "spend-2024", 'x"; DROP TABLE t0; --', "`t1`")
    for i, tid in enumerate(ids):
        pair.add(tid, pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024],
                                    "amount": [1.5 * (i + 1)]}))
    assert pair.spark.tables() == list(ids)
    assert [pair.spark.total(t)[1] for t in ids] == [150, 300, 450, 600]
    assert pair.spark.year_range("支出 2024") == (2024, 2024)


def test_two_ledgers_in_one_session_keep_their_own_tables(master):
    a, b = SparkLedger(master), SparkLedger(master)
    try:
        a.add("t", pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024], "amount": [1.0]}))
        b.add("t", pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024], "amount": [2.0]}))
        assert (a.total("t")[1], b.total("t")[1]) == (100, 200)
        # Adding a table again replaces it.
        a.add("t", pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024], "amount": [3.0]}))
        assert (a.total("t")[1], b.total("t")[1]) == (300, 200)
    finally:
        a.close()
        b.close()


def test_filters_and_groupings_on_a_small_ledger(pair):
    pair.add("alloc", pd.DataFrame({
        "region_id": ["01", "01", "02", "02", "03", None, "01"],
        "fiscal_year": [2020, 2021, 2021, 2022, 2022, 2021, 2021],
        "quarter": [1, 2, 3, 4, 1, 2, 2],
        "agency": ["Roads", "Schools", "Roads", "Roads", "Health", "Roads", "Roads"],
        "amount": [0.10, 0.20, 1_000.005, -50.25, float("nan"), 7.0, 0.30]}))
    s = pair.spark
    roads = s.sum_by("alloc", ["fiscal_year"], agencies=["Roads"], order=True)
    assert roads["fiscal_year"].tolist() == [2020, 2021, 2022]
    assert roads["cents"].tolist() == [10, 100_001 + 700 + 30, -5_025]
    assert s.total("alloc", years=[2020, 2022])[1] == 10 - 5_025
    assert s.total("alloc", years=(2030, 2031)) == (0.0, 0)
    assert s.sum_by("alloc", ["quarter"], quarters=[2])["cents"].tolist() == [20 + 700 + 30]
    assert s.year_range("alloc") == (2020, 2022)
    assert s.distinct("alloc", "quarter") == [1, 2, 3, 4]
    turns = ({}, {"years": (2021, 2022), "region_ids": ["01", "02"]})
    for i, by in enumerate(GROUPINGS):
        filters = turns[i % 2]
        assert_same_sums(pair.duck.sum_by("alloc", by, order=True, **filters),
                         s.sum_by("alloc", by, order=True, **filters), by, str(by))
    # Nothing matches: no rows, the same columns and dtypes.
    empty = s.sum_by("alloc", ["region_id", "quarter"], years=(2030, 2031))
    assert empty.empty
    assert_same_sums(pair.duck.sum_by("alloc", ["region_id", "quarter"], years=(2030, 2031)),
                     empty, ["region_id", "quarter"], "no rows")
    with pytest.raises(ValueError, match="cannot group"):
        s.sum_by("alloc", ["amount; DROP TABLE alloc"])
    with pytest.raises(KeyError):
        s.sum_by("nope", ["region_id"])


# -- when Spark cannot start -------------------------------------------------------------------
def test_no_java_is_a_message_naming_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = spark_engine.missing("local[2]")
    assert reason.startswith("Spark needs Java 17 or later, and no java program was found")
    assert "openjdk-17-jre-headless" in reason
    with locales.use("zh"):
        zh = spark_engine.missing("local[2]")
    assert zh.startswith("Spark 需要 Java 17 或更高版本") and "openjdk-17-jre-headless" in zh


def test_an_old_java_is_named_with_its_version(monkeypatch, tmp_path):
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text('#!/bin/sh\necho \'openjdk version "1.8.0_392"\' >&2\n')
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert spark_engine.missing("local[2]") == \
        f"Spark needs Java 17 or later; {java} is Java 8."


def test_a_second_master_in_one_process_is_refused(master):
    with pytest.raises(SparkUnavailable, match=r"already runs Spark on local\[2\]"):
        SparkLedger("local[1]")


def test_spark_connect_without_its_extras_says_what_to_install():
    pytest.importorskip("pyspark")
    try:
        import grpc  # noqa: F401
        pytest.skip("pyspark's connect extras are installed")
    except ImportError:
        pass
    assert spark_engine.missing("sc://127.0.0.1:15002") == (
        "Connecting to a Spark Connect server (sc://127.0.0.1:15002) needs pyspark's connect "
        "extras: pip install \"pyspark[connect]\".")
