"""The one ledger query, rendered for DuckDB, PostgreSQL and Spark SQL: values bound, never
in the SQL text; identifiers generated and quoted; the same filters in every dialect."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from geodata.ledger import Ledger
from geodata.ledger.base import exact_ints, round_cents
from geodata.ledger.query import (Filters, GroupedSum, ident, render, render_aggregate,
                                  render_distinct, render_year_range)

FILTERS = Filters(year_span=(2020, 2022), agencies=("Roads'; DROP TABLE t0; --", "Health"),
                  region_ids=("06", "36"), quarters=(1, 2))
Q = GroupedSum(table="t0", by=("region_id", "fiscal_year"), filters=FILTERS)


def test_duckdb_rendering():
    r = render(Q, "duckdb")
    assert r.sql == (
        'SELECT "region_id", "fiscal_year", sum("amount") AS "amount", '
        'CAST(sum("cents") AS BIGINT) AS "cents", count(*) AS "rows" FROM "t0" '
        'WHERE "amount" IS NOT NULL AND "fiscal_year" BETWEEN ? AND ? '
        'AND list_contains(?, "agency") AND list_contains(?, "region_id") '
        'AND list_contains(?, "quarter") GROUP BY "region_id", "fiscal_year"')
    assert r.params == [2020, 2022, ["Roads'; DROP TABLE t0; --", "Health"], ["06", "36"],
                        [1, 2]]


def test_postgres_rendering_uses_psycopg_placeholders_and_typed_arrays():
    r = render(Q, "postgres", schema="fiscalmap_us")
    assert r.sql == (
        'SELECT "region_id", "fiscal_year", sum("amount") AS "amount", '
        'CAST(sum("cents") AS BIGINT) AS "cents", count(*) AS "rows" '
        'FROM "fiscalmap_us"."t0" '
        'WHERE "amount" IS NOT NULL AND "fiscal_year" BETWEEN %s AND %s '
        'AND "agency" = ANY(CAST(%s AS text[])) AND "region_id" = ANY(CAST(%s AS text[])) '
        'AND "quarter" = ANY(CAST(%s AS smallint[])) GROUP BY "region_id", "fiscal_year"')
    assert r.params == [2020, 2022, ["Roads'; DROP TABLE t0; --", "Health"], ["06", "36"],
                        [1, 2]]


def test_spark_rendering_uses_named_parameters_and_exact_decimal_cents():
    r = render(Q, "spark")
    assert r.sql == (
        "SELECT `region_id`, `fiscal_year`, sum(`amount`) AS `amount`, "
        "CAST(sum(CAST(`cents` AS DECIMAL(38,0))) AS STRING) AS `cents`, count(*) AS `rows` "
        "FROM `t0` WHERE `amount` IS NOT NULL AND `fiscal_year` BETWEEN :p0 AND :p1 "
        "AND array_contains(:p2, `agency`) AND array_contains(:p3, `region_id`) "
        "AND array_contains(:p4, `quarter`) GROUP BY `region_id`, `fiscal_year`")
    assert r.params == {"p0": 2020, "p1": 2022,
                        "p2": ["Roads'; DROP TABLE t0; --", "Health"], "p3": ["06", "36"],
                        "p4": [1, 2]}


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_no_value_reaches_the_sql_text(dialect):
    r = render(Q, dialect)
    for value in ("Roads", "Health", "DROP", "06", "36", "2020", "2022"):
        assert value not in r.sql


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_an_empty_list_matches_nothing_without_a_parameter(dialect):
    r = render(GroupedSum("t1", (), Filters(years=(), region_ids=())), dialect)
    assert r.sql.endswith("IS NOT NULL AND FALSE AND FALSE")
    assert r.params == ({} if dialect == "spark" else [])


def test_wide_cents_and_ordering_and_pre_aggregated_rows():
    q = GroupedSum("t2_agg", ("agency",), Filters(years=(2021,)), order=True,
                   pre_aggregated=True)
    assert render(q, "duckdb", cents_wide=True).sql == (
        'SELECT "agency", sum("amount") AS "amount", CAST(sum("cents") AS VARCHAR) AS "cents", '
        'COALESCE(CAST(sum("rows") AS BIGINT), 0) AS "rows" FROM "t2_agg" '
        'WHERE "amount" IS NOT NULL AND list_contains(?, "fiscal_year") '
        'GROUP BY "agency" ORDER BY "agency" NULLS LAST')
    assert 'CAST(sum("cents") AS TEXT)' in render(q, "postgres", cents_wide=True).sql
    # Spark always sums cents as decimals: the wide rendering is the same.
    assert render(q, "spark", cents_wide=True).sql == render(q, "spark").sql


@pytest.mark.parametrize("name", ['t0"; DROP TABLE x; --', "T0", "0t", "t 0", "", "t-0"])
def test_identifiers_are_only_generated_names(name):
    with pytest.raises(ValueError, match="generated SQL identifier"):
        ident(name, "duckdb")
    with pytest.raises(ValueError):
        render(GroupedSum(name), "postgres")


def test_group_columns_and_dialects_are_checked():
    with pytest.raises(ValueError, match="groupable"):
        render(GroupedSum("t0", ("amount",)), "duckdb")
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        render(GroupedSum("t0"), "oracle")


@pytest.mark.parametrize("dialect,quote", [("duckdb", '"'), ("postgres", '"'), ("spark", "`")])
def test_distinct_year_range_and_aggregate(dialect, quote):
    def q(s: str) -> str:
        return s.replace('"', quote)
    assert render_distinct("t3", "agency", dialect).sql == q(
        'SELECT DISTINCT "agency" AS "value" FROM "t3" WHERE "agency" IS NOT NULL ORDER BY 1')
    assert render_year_range("t3", dialect).sql == q(
        'SELECT min("fiscal_year") AS "lo", max("fiscal_year") AS "hi" FROM "t3" '
        'WHERE "amount" IS NOT NULL')
    assert render_aggregate("t3", ["region_id", "fiscal_year"], dialect).sql == q(
        'SELECT "region_id", "fiscal_year", sum("amount") AS "amount", '
        'CAST(sum(CAST("cents" AS DECIMAL(38,0))) AS DECIMAL(38,0)) AS "cents", '
        'count(*) AS "rows" FROM "t3" WHERE "amount" IS NOT NULL '
        'GROUP BY "region_id", "fiscal_year"')


def test_the_duckdb_rendering_runs_and_a_quote_in_a_value_is_only_a_value():
    frame = pd.DataFrame({"region_id": ["06", "36", "06"], "fiscal_year": [2020, 2021, 2021],
                          "quarter": [1, 2, 3],
                          "agency": ["Roads'; DROP TABLE t0; --", "Health", "Health"],
                          "amount": [1.25, 2.5, 4.0]})
    led = Ledger()
    led.add("alloc", frame)
    r = render(Q, "duckdb")
    out = led._run(r.sql, r.params).sort_values("region_id")
    assert out["cents"].tolist() == [125, 250]
    assert led.tables() == ["alloc"]                 # nothing dropped
    with pytest.raises(duckdb.Error):
        led._run('SELECT * FROM "t0" WHERE "agency" = ?', [])   # unbound: refused, not pasted


def test_cents_are_rounded_as_duckdb_rounds_them():
    """Every engine stores the cents the ledger computed, so they must be DuckDB's own:
    half away from zero on the double ``amount * 100``."""
    values = [0.005, -0.005, 0.015, 1000.005, -50.25, 2.675, 0.49999999999999994, -0.125,
              123456789.125, 8.9e16 / 100, 0.0, -0.0]
    ours = round_cents(pd.Series(values)).tolist()
    con = duckdb.connect()
    theirs = [r[0] for r in con.execute(
        "SELECT CAST(round(x * 100) AS BIGINT) FROM unnest(?) AS u(x)", [values]).fetchall()]
    assert ours == theirs
    assert ours[:4] == [1, -1, 2, 100_001]
    assert round_cents(pd.Series([float("nan")])).isna().all()


def test_cents_from_text_and_decimals_become_integers():
    from decimal import Decimal
    assert exact_ints(pd.Series(["12", "-3"], dtype=object)).tolist() == [12, -3]
    assert exact_ints(pd.Series(["12", "-3"], dtype=object)).dtype == "int64"
    wide = exact_ints(pd.Series([Decimal(2**70), Decimal(1)], dtype=object))
    assert wide.dtype == object and wide.tolist() == [2**70, 1]
    assert exact_ints(pd.Series([None], dtype=object)).isna().all()
