"""PostgreSQL engine: the same sums as DuckDB to the cent, on the fixture workspaces and on tiny
inline tables; loading once per stamp; clear messages when the server cannot be reached.

Runs against the throwaway cluster of ``tests/engines/conftest.py`` (skipped, with the reason,
where PostgreSQL's server binaries are not installed: ``make postgres``)."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

import geodata.dataset as dataset
from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.ledger import Ledger
from geodata.ledger.postgres import CATALOGUE, PostgresLedger, PostgresUnavailable, table_name
from geodata.workspace import load_manifest
from locales import use
from tests.fixtures.helpers import BAD_WORKSPACE

pytestmark = pytest.mark.postgres

US = Path(dataset.__file__).resolve().parent / "workspaces" / "us_federal"
REL = 1e-6


# ------------------------------------------------------------------------------ helpers
def _open(root: Path, url: str | None = None, schema: str | None = None) -> WorkspaceData:
    """A workspace's data with its ledger on DuckDB (no url) or on PostgreSQL, filled by the
    same code the app uses (``WorkspaceData.ledger``)."""
    if url is None:
        data = WorkspaceData(load_manifest(root), ledger_engine="duckdb")
        assert isinstance(data.ledger, Ledger)
        return data
    data = WorkspaceData(load_manifest(root),
                         ledger_engine=PostgresLedger(url, schema=schema))
    assert isinstance(data.ledger, PostgresLedger)
    return data


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, na_position="last").reset_index(drop=True) if keys \
        else frame.reset_index(drop=True)


def _ints(values: pd.Series) -> list:
    """Exact integers, a missing sum (no rows) as None."""
    return [None if pd.isna(v) else int(v) for v in values]


def assert_same_sums(duck: pd.DataFrame, pg: pd.DataFrame, by: list[str]) -> None:
    """Same groups, same dtypes, same cents and row counts; amounts within 1e-6 relative
    (float sums may be added in another order)."""
    assert list(pg.columns) == list(duck.columns) == [*by, "amount", "cents", "rows"]
    assert pg.dtypes.to_dict() == duck.dtypes.to_dict()
    d, p = _sorted(duck, by), _sorted(pg, by)
    assert len(p) == len(d)
    for col in by:
        assert p[col].isna().tolist() == d[col].isna().tolist()
        assert p[col].dropna().tolist() == d[col].dropna().tolist()
    assert _ints(p["cents"]) == _ints(d["cents"])
    assert p["rows"].tolist() == d["rows"].tolist()
    np.testing.assert_allclose(p["amount"].to_numpy(), d["amount"].to_numpy(), rtol=REL)


def assert_same_map(duck_data: WorkspaceData, pg_data: WorkspaceData, spec: MeasureSpec):
    d, p = map_values(duck_data, spec), map_values(pg_data, spec)
    assert p.values.index.tolist() == d.values.index.tolist()
    np.testing.assert_allclose(p.values.to_numpy(dtype=float), d.values.to_numpy(dtype=float),
                               rtol=REL, equal_nan=True)
    assert (p.label, p.unit, p.notes) == (d.label, d.unit, d.notes)
    if d.join is None:
        assert p.join is None
        return d, p
    dj, pj = d.join, p.join
    assert pj.placed.set_index("region_id")["cents"].to_dict() == \
        dj.placed.set_index("region_id")["cents"].to_dict()
    assert pj.unmatched.set_index("region_id")["cents"].to_dict() == \
        dj.unmatched.set_index("region_id")["cents"].to_dict()
    assert (pj.blank_cents, pj.blank_rows) == (dj.blank_cents, dj.blank_rows)
    assert pj.ledger_cents == dj.ledger_cents
    # Reconciliation on each engine: on the map + not placed = the ledger total, to the cent.
    for data, j in ((duck_data, dj), (pg_data, pj)):
        assert j.reconciles
        assert j.placed_cents + j.not_placed_cents == j.ledger_cents
        years = spec.span or data.years(spec.table)
        _, cents = data.ledger.total(spec.table, years=tuple(years),
                                     agencies=list(spec.agencies) if spec.agencies else None)
        assert cents == j.ledger_cents
    return d, p


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def bad(pg_url):
    duck = _open(BAD_WORKSPACE)
    pg = _open(BAD_WORKSPACE, pg_url, "parity_bad")
    yield duck, pg
    pg.ledger.close()


@pytest.fixture(scope="module")
def us(pg_url):
    duck = _open(US)
    pg = _open(US, pg_url, "parity_us")
    yield duck, pg
    pg.ledger.close()


# ------------------------------------------------------------------------------ bad input
BAD_SPECS = [
    MeasureSpec(level="county", table="grants", span=(2023, 2023)),
    MeasureSpec(level="county", table="grants", span=(2022, 2023)),
    MeasureSpec(level="county", table="grants", span=(2022, 2023), agencies=("Roads",)),
    MeasureSpec(level="county", table="grants", span=(2023, 2023), agencies=("Schools",)),
    MeasureSpec(level="county", table="grants", span=(2022, 2023), agencies=("Nobody",)),
    MeasureSpec(level="county", measure="per_capita", table="grants", span=(2023, 2023)),
    MeasureSpec(level="county", measure="per_capita", table="grants", span=(2022, 2023),
                per=1000, average=True),
    MeasureSpec(level="county", measure="share", table="grants", span=(2023, 2023)),
    MeasureSpec(level="county", measure="share", table="grants", span=(2022, 2023),
                agencies=("Roads",)),
    MeasureSpec(level="county", measure="change", table="grants", span=(2023, 2023)),
]


@pytest.mark.parametrize("spec", BAD_SPECS, ids=lambda s: f"{s.measure}-{s.span}-{s.agencies}")
def test_bad_workspace_measures_equal_duckdb_to_the_cent(bad, spec):
    assert_same_map(*bad, spec)


def test_bad_workspace_known_figures_on_postgres(bad, pg_url):
    _, pg = bad
    mv = map_values(pg, MeasureSpec(level="county", table="grants", span=(2023, 2023)))
    assert mv.values.to_dict() == {"01001": 368_001_234.5, "01003": -10.1, "01007": 100.0}
    jr = mv.join
    assert jr.unmatched.set_index("region_id")["cents"].to_dict() == {"99999": 7_525,
                                                                        "01005": 5_000}
    assert (jr.blank_cents, jr.blank_rows) == (2_000, 1)
    assert jr.placed_cents + jr.not_placed_cents == jr.ledger_cents == 36_800_146_965
    assert pg.agencies("grants") == ["Roads", "Schools"]
    assert pg.years("grants") == (2022, 2023)
    with psycopg.connect(pg_url) as con:
        rows = con.execute(f'SELECT table_id, row_count, sources FROM "parity_bad"."{CATALOGUE}"'
                           ).fetchall()
    # Ten rows in the file, one without a readable year kept out by the loader.
    assert rows == [("grants", 10, ["allocations.csv", "regions.geojson"])]


@pytest.mark.parametrize("by", [[], ["region_id"], ["fiscal_year"], ["agency"],
                                ["region_id", "fiscal_year"], ["agency", "fiscal_year"]])
@pytest.mark.parametrize("filters", [
    {}, {"years": (2023, 2023)}, {"years": [2022]}, {"agencies": ["Roads"]},
    {"region_ids": ["01003", "99999", "nowhere"]}, {"agencies": []},
    {"agencies": ["x' OR '1'='1"]}], ids=repr)
def test_bad_workspace_sum_by_equals_duckdb(bad, by, filters):
    duck, pg = bad
    assert_same_sums(duck.ledger.sum_by("grants", by, **filters),
                     pg.ledger.sum_by("grants", by, **filters), by)


# ------------------------------------------------------------------------------ US demo
def _first_agencies(data, n=2):
    return tuple(data.agencies("obligations")[:n])


US_SPECS = [
    ("state", "total", "obligations_total", (2024, 2024), None),
    ("state", "total", "obligations_total", (2008, 2024), None),
    ("state", "per_capita", "obligations_total", (2020, 2024), None),
    ("state", "share", "obligations_total", (2022, 2022), None),
    ("state", "change", "obligations_total", (2024, 2024), None),
    ("state", "total", "obligations", (2019, 2024), "two"),
    ("state", "share", "obligations", (2023, 2023), "two"),
    ("state", "change", "obligations", (2021, 2022), None),
    ("county", "total", "county_grants", (2022, 2022), None),
    ("county", "per_capita", "county_grants", (2022, 2022), None),
    ("county", "share", "county_grants", (2022, 2022), None),
    ("state", "total", "county_grants", (2022, 2022), None),      # counties summed to states
]


@pytest.mark.parametrize("level,measure,table,span,agencies", US_SPECS,
                         ids=lambda v: str(v))
def test_us_demo_measures_equal_duckdb_to_the_cent(us, level, measure, table, span, agencies):
    duck, pg = us
    spec = MeasureSpec(level=level, measure=measure, table=table, span=span,
                       agencies=_first_agencies(duck) if agencies else None)
    d, _ = assert_same_map(duck, pg, spec)
    assert d.values.notna().sum() >= 3            # a real map, not an empty one


@pytest.mark.parametrize("table,by", [
    ("obligations_total", ["region_id"]), ("obligations_total", ["fiscal_year"]),
    ("obligations_total", ["quarter"]), ("obligations_total", ["fiscal_year", "quarter"]),
    ("obligations", ["agency"]), ("obligations", ["region_id", "fiscal_year"]),
    ("obligations", ["agency", "quarter"]), ("obligations", []),
    ("county_grants", ["region_id"]), ("county_grants", [])])
def test_us_demo_sum_by_equals_duckdb(us, table, by):
    duck, pg = us
    for filters in ({}, {"years": (2020, 2022)}, {"quarters": [1, 4]},
                    {"years": [2009, 2024], "region_ids": ["06", "36", "72"]},
                    {"agencies": list(_first_agencies(duck, 3))}):
        assert_same_sums(duck.ledger.sum_by(table, by, order=True, **filters),
                         pg.ledger.sum_by(table, by, order=True, **filters), by)


def test_us_demo_distinct_and_years_equal_duckdb(us):
    duck, pg = us
    for table in duck.ledger.tables():
        assert pg.ledger.year_range(table) == duck.ledger.year_range(table)
        for col in duck.ledger.columns(table):
            if col != "amount":
                assert pg.ledger.distinct(table, col) == duck.ledger.distinct(table, col)
    assert pg.ledger.tables() == duck.ledger.tables()


# ------------------------------------------------------------------------------ tiny tables
@pytest.fixture()
def engines(pg_url, request):
    """A DuckDB ledger and a PostgreSQL one in a schema of this test's own."""
    schema = "unit_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())
    pg = PostgresLedger(pg_url, schema=schema[:60])
    yield Ledger(), pg
    pg.close()


def _both(engines, table_id, frame):
    for led in engines:
        led.add(table_id, frame)
    return engines


AWKWARD_TEXT = ["O'Brien \"quoted\", with a comma", "教育局", "line\nbreak", "tab\there",
                "\\N", "NULL", "", "back\\slash", "Ünïcödé €"]


def test_blank_region_ids_nan_amounts_and_missing_years(engines):
    frame = pd.DataFrame({
        "region_id": ["01", None, "", "01", "02", pd.NA, "02"],
        "fiscal_year": [2020, 2020, 2020, None, 2021, 2021, 2021],
        "amount": [1.25, 2.5, 4.0, 8.0, np.nan, 16.0, float("inf")],
    })
    duck, pg = _both(engines, "t", frame)
    for by in (["region_id"], ["fiscal_year"], ["region_id", "fiscal_year"], []):
        assert_same_sums(duck.sum_by("t", by), pg.sum_by("t", by), by)
    got = _sorted(pg.sum_by("t", ["region_id"]), ["region_id"])
    # "" and a missing id are different groups; NaN and infinite amounts never count.
    assert got["region_id"].fillna("<missing>").tolist() == ["", "01", "<missing>"]
    assert got["cents"].tolist() == [400, 925, 1850]
    assert got["rows"].tolist() == [1, 2, 2]
    years = _sorted(pg.sum_by("t", ["fiscal_year"]), ["fiscal_year"])
    assert years["fiscal_year"].dtype == "float64"          # a missing year, as DuckDB gives
    assert years["cents"].tolist() == [775, 1600, 800]
    assert pg.year_range("t") == duck.year_range("t") == (2020, 2021)


def test_a_table_without_amounts_has_no_years_and_a_zero_total(engines):
    frame = pd.DataFrame({"region_id": ["01"], "fiscal_year": [2020], "amount": [np.nan]})
    duck, pg = _both(engines, "t", frame)
    assert pg.year_range("t") is None and duck.year_range("t") is None
    assert pg.total("t") == duck.total("t") == (0.0, 0)
    assert_same_sums(duck.sum_by("t", []), pg.sum_by("t", []), [])
    assert_same_sums(duck.sum_by("t", ["region_id"]), pg.sum_by("t", ["region_id"]),
                     ["region_id"])


def test_cents_round_half_away_from_zero_on_the_double_as_duckdb(engines):
    # 0.285 * 100 is 28.499999999999996 as a double: 28 cents (a numeric cast would say 29);
    # 0.125 * 100 is exactly 12.5: 13 cents (round half to even would say 12).
    amounts = [0.285, 1.005, 2.675, 0.125, -0.125, -2.675, 4.35, 0.145, 1234.565]
    frame = pd.DataFrame({"region_id": [str(i) for i in range(len(amounts))],
                          "fiscal_year": 2024, "amount": amounts})
    duck, pg = _both(engines, "t", frame)
    got = _sorted(pg.sum_by("t", ["region_id"]), ["region_id"])
    assert dict(zip(got["region_id"], got["cents"])) == {
        "0": 28, "1": 100, "2": 268, "3": 13, "4": -13, "5": -268, "6": 435, "7": 14,
        "8": 123457}
    assert_same_sums(duck.sum_by("t", ["region_id"]), pg.sum_by("t", ["region_id"]),
                     ["region_id"])


def test_huge_amounts_sum_exactly_beyond_64_bit_cents(engines):
    frame = pd.DataFrame({"region_id": ["a", "a", "a", "b", "c"], "fiscal_year": 2024,
                          "amount": [8.9e16, 8.9e16, 8.9e16, 1.5, 9.5e16]})
    duck, pg = _both(engines, "t", frame)
    got = _sorted(pg.sum_by("t", ["region_id"]), ["region_id"])
    assert got["cents"].dtype == object
    assert got["cents"].tolist() == [3 * 8_900_000_000_000_000_000, 150]   # c: refused
    assert all(type(c) is int for c in got["cents"])
    assert pg.total("t")[1] == duck.total("t")[1] == 26_700_000_000_000_000_150
    assert_same_sums(duck.sum_by("t", ["region_id"]), pg.sum_by("t", ["region_id"]),
                     ["region_id"])


def test_text_with_quotes_and_non_ascii_agency_names_round_trip(engines):
    n = len(AWKWARD_TEXT)
    frame = pd.DataFrame({"region_id": ["r1"] * n, "fiscal_year": 2024,
                          "quarter": [1 + i % 4 for i in range(n)],
                          "agency": AWKWARD_TEXT, "program": AWKWARD_TEXT[::-1],
                          "amount": [float(i + 1) for i in range(n)]})
    duck, pg = _both(engines, "t", frame)
    assert pg.distinct("t", "agency") == duck.distinct("t", "agency") == sorted(AWKWARD_TEXT)
    for name in AWKWARD_TEXT:
        i = AWKWARD_TEXT.index(name)
        assert pg.total("t", agencies=[name]) == (float(i + 1), (i + 1) * 100)
    for by in (["agency"], ["program", "quarter"], ["quarter"]):
        assert_same_sums(duck.sum_by("t", by), pg.sum_by("t", by), by)
    assert pg.sum_by("t", ["quarter"])["quarter"].dtype == "int8"
    assert pg.total("t", agencies=["x' OR '1'='1"]) == (0.0, 0)


def test_chinese_and_quoted_table_ids(engines, pg_url):
    frame = pd.DataFrame({"region_id": ["11", "12"], "fiscal_year": 2024, "amount": [1.5, 2.5]})
    ids = ["拨款表 2024", "grants \"q\"; DROP TABLE x", "预算-2025"]
    duck, pg = engines
    for tid in ids:
        _both(engines, tid, frame)
    assert pg.tables() == duck.tables() == ids
    for tid in ids:
        assert pg.total(tid) == duck.total(tid) == (4.0, 400)
        assert table_name(tid).startswith("t_")
    with psycopg.connect(pg_url) as con:
        rows = con.execute(f'SELECT table_id, sql_name, columns, row_count FROM '
                           f'"{pg.schema}"."{CATALOGUE}" ORDER BY loaded_at, table_id').fetchall()
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert {r[0]: r[1] for r in rows} == {tid: table_name(tid) for tid in ids}
    assert all(r[2] == ["region_id", "fiscal_year", "amount", "cents"] and r[3] == 2
               for r in rows)


def test_a_loaded_table_is_reused_and_a_changed_one_loaded_again(pg_url):
    frame = pd.DataFrame({"region_id": ["01", "02"], "fiscal_year": 2024,
                          "agency": ["A", "B"], "amount": [10.0, 20.0]})
    first = PostgresLedger(pg_url, schema="reuse_check")
    first.add("grants", frame)
    assert first.reused == []
    second = PostgresLedger(pg_url, schema="reuse_check")       # another app process
    second.add("grants", frame)
    assert second.reused == ["grants"]
    assert second.total("grants") == (30.0, 3000)
    changed = frame.assign(amount=[10.0, 25.0])
    third = PostgresLedger(pg_url, schema="reuse_check")
    third.add("grants", changed)
    assert third.reused == []
    assert third.total("grants") == (35.0, 3500)
    assert first.total("grants") == (35.0, 3500)                 # one table on the server
    with psycopg.connect(pg_url) as con:
        indexes = {r[0] for r in con.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'reuse_check'").fetchall()}
    name = table_name("grants")
    assert any(f"({'fiscal_year'})" in i and name in i for i in indexes)
    assert any(f"({'region_id'})" in i and name in i for i in indexes)
    for led in (first, second, third):
        led.close()


def test_processes_starting_together_load_a_table_once(pg_url):
    frame = pd.DataFrame({"region_id": [f"{i:02d}" for i in range(50)] * 40,
                          "fiscal_year": 2024, "amount": 1.25})
    ledgers = [PostgresLedger(pg_url, schema="together_check") for _ in range(3)]
    errors = []

    def load(led):
        try:
            led.add("grants", frame)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(led,)) for led in ledgers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sorted(len(led.reused) for led in ledgers) == [0, 1, 1]
    assert {led.total("grants") for led in ledgers} == {(2500.0, 250_000)}
    for led in ledgers:
        led.close()


def test_a_dropped_connection_is_opened_again(pg_url):
    led = PostgresLedger(pg_url, schema="reconnect_check")
    led.add("t", pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024], "amount": [1.0]}))
    pid = led._con.info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert led.total("t") == (1.0, 100)
    assert led._con.info.backend_pid != pid
    led.close()


# ------------------------------------------------------------------------------ messages
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down_names_host_and_port_never_the_password():
    port = _closed_port()
    url = f"postgresql://analyst:s3cret-Pa55@127.0.0.1:{port}/ledger"
    with pytest.raises(PostgresUnavailable) as err:
        PostgresLedger(url, schema="ws")
    msg = str(err.value)
    assert msg.startswith(f"Cannot connect to the PostgreSQL server at 127.0.0.1:{port} "
                          "(database ledger): ")
    assert "s3cret" not in msg
    with use("zh"), pytest.raises(PostgresUnavailable) as err:
        PostgresLedger(url, schema="ws")
    assert str(err.value).startswith(f"无法连接位于 127.0.0.1:{port} 的PostgreSQL服务器"
                                     "（数据库 ledger）：")
    assert "s3cret" not in str(err.value)


def test_an_unreadable_url_is_not_repeated_in_the_message():
    with pytest.raises(PostgresUnavailable) as err:
        PostgresLedger("host=127.0.0.1 password=s3cret-Pa55 port", schema="ws")
    assert str(err.value) == ("The PostgreSQL connection URL cannot be read. Expected "
                              "postgresql://user@host:port/database.")


def test_schema_names_are_generated_ones_only():
    for bad_schema in ('ws"; DROP SCHEMA public; --', "Upper", "pg_catalog"):
        with pytest.raises(ValueError):
            PostgresLedger("postgresql://u@127.0.0.1:1/db", schema=bad_schema)


def test_without_server_binaries_the_tests_say_how_to_install_them(monkeypatch):
    from tests import pg_server
    monkeypatch.delenv("FISCALMAP_PG_BIN", raising=False)
    monkeypatch.setattr(pg_server.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(pg_server.shutil, "which", lambda name: None)
    assert pg_server.bin_dir() is None
    assert pg_server.missing() == (
        "PostgreSQL server binaries not found (initdb, pg_ctl, postgres under "
        "/usr/lib/postgresql/*/bin): `make postgres` installs Debian's postgresql")


def test_a_role_that_may_not_create_the_schema_is_told_so(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS clerk")
        admin.execute("CREATE ROLE clerk LOGIN")
        admin.execute("CREATE DATABASE clerk_db")
        admin.execute("REVOKE CREATE ON DATABASE clerk_db FROM PUBLIC")
    port = pg_url.rsplit(":", 1)[1].split("/")[0]
    led = PostgresLedger(f"postgresql://clerk:pw@127.0.0.1:{port}/clerk_db", schema="ws")
    frame = pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024], "amount": [1.0]})
    with pytest.raises(PostgresUnavailable) as err:
        led.add("拨款", frame)
    assert str(err.value) == (f"The PostgreSQL server at 127.0.0.1:{port} refused to store table "
                              "'拨款' in schema ws: permission denied for database clerk_db")
    assert led.tables() == []
    led.close()
