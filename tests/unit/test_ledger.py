"""The DuckDB ledger: sums by region, year, quarter and agency, filters and whole cents."""
from __future__ import annotations

import pandas as pd
import pytest

from geodata.ledger import Ledger


@pytest.fixture
def ledger() -> Ledger:
    frame = pd.DataFrame({
        "region_id": ["01", "01", "02", "02", "03", None, "01"],
        "fiscal_year": [2020, 2021, 2021, 2022, 2022, 2021, 2021],
        "quarter": [1, 2, 3, 4, 1, 2, 2],
        "agency": ["Roads", "Schools", "Roads", "Roads", "Health", "Roads", "Roads"],
        "amount": [0.10, 0.20, 1_000.005, -50.25, float("nan"), 7.0, 0.30],
        "_line": range(2, 9),
    })
    led = Ledger()
    led.add("alloc", frame)
    return led


def test_columns_and_metadata(ledger):
    assert ledger.tables() == ["alloc"]
    assert ledger.columns("alloc") == ["region_id", "fiscal_year", "quarter", "agency", "amount"]
    assert ledger.year_range("alloc") == (2020, 2022)
    assert ledger.distinct("alloc", "agency") == ["Health", "Roads", "Schools"]
    assert ledger.distinct("alloc", "program") == []


def test_sum_by_region_keeps_blank_ids_and_skips_missing_amounts(ledger):
    df = ledger.sum_by("alloc", ["region_id"])
    got = {r.region_id if pd.notna(r.region_id) else None: (r.amount, r.cents, r.rows)
           for r in df.itertuples()}
    assert got["01"][0] == pytest.approx(0.6) and got["01"][1:] == (60, 3)
    assert got["02"][1:] == (100_001 - 5_025, 2)   # 1000.005 rounds to 100001 cents
    assert got[None][1:] == (700, 1)
    assert "03" not in got                             # its only amount is missing


def test_cents_are_exact_where_floats_are_not(ledger):
    amount, cents = ledger.total("alloc", region_ids=["01"])
    assert cents == 60                                 # 0.1 + 0.2 + 0.3 in whole cents
    assert amount == pytest.approx(0.6)


def test_years_span_and_list(ledger):
    assert ledger.total("alloc", years=(2021, 2021))[1] == 20 + 100_001 + 700 + 30
    assert ledger.total("alloc", years=(2021, 2022))[1] == 20 + 100_001 + 700 + 30 - 5_025
    # A tuple is an inclusive span; a list is a set of years.
    assert ledger.total("alloc", years=[2020, 2022])[1] == 10 - 5_025
    assert ledger.total("alloc", years=[2021])[1] == 20 + 100_001 + 700 + 30
    assert ledger.total("alloc", years=(2030, 2031)) == (0.0, 0)


def test_agencies_and_region_filters(ledger):
    roads = ledger.sum_by("alloc", ["fiscal_year"], agencies=["Roads"])
    assert roads["fiscal_year"].tolist() == [2020, 2021, 2022]
    assert roads["cents"].tolist() == [10, 100_001 + 700 + 30, -5_025]
    both = ledger.total("alloc", agencies=["Roads", "Schools"], region_ids=["01"])
    assert both[1] == 60
    assert ledger.total("alloc", agencies=[])[1] == 0
    q = ledger.sum_by("alloc", ["quarter"], quarters=[2])
    assert q["cents"].tolist() == [20 + 700 + 30]


def test_group_by_several_columns(ledger):
    df = ledger.sum_by("alloc", ["region_id", "agency"], years=(2021, 2021))
    rows = {(r.region_id, r.agency): r.cents for r in df.dropna(subset=["region_id"]).itertuples()}
    assert rows == {("01", "Roads"): 30, ("01", "Schools"): 20, ("02", "Roads"): 100_001}


def test_bad_group_and_bad_table_names(ledger):
    with pytest.raises(ValueError, match="cannot group"):
        ledger.sum_by("alloc", ["amount; DROP TABLE alloc"])
    with pytest.raises(KeyError):
        ledger.sum_by("nope", ["region_id"])
    with pytest.raises(ValueError, match="lacks"):
        Ledger().add("t", pd.DataFrame({"region_id": ["1"], "amount": [1.0]}))


def test_filter_values_are_parameters_not_sql(ledger):
    sneaky = "Roads') OR 1=1 --"
    assert ledger.total("alloc", agencies=[sneaky]) == (0.0, 0)


def test_any_table_id_works_because_sql_never_sees_it():
    led = Ledger()
    for tid in ("spend-2024", "a b", 'x"; DROP TABLE t0; --', "支出"):
        led.add(tid, pd.DataFrame({"region_id": ["01"], "fiscal_year": [2024], "amount": [1.5]}))
    assert [led.total(t) for t in led.tables()] == [(1.5, 150)] * 4
    assert led.year_range("spend-2024") == (2024, 2024)


def test_non_finite_and_huge_amounts_never_reach_the_sums():
    led = Ledger()
    led.add("t", pd.DataFrame({"region_id": ["01", "01", "02", "03"], "fiscal_year": [2024] * 4,
                               "amount": [1.0, float("inf"), float("-inf"), 9.3e16]}))
    sums = led.sum_by("t", ["region_id"], order=True)
    assert sums["region_id"].tolist() == ["01"] and sums["cents"].tolist() == [100]


def test_sums_beyond_64_bit_cents_stay_exact():
    led = Ledger()
    big = 8.0e16                       # 8e18 cents each: their sum overflows a 64-bit integer
    led.add("t", pd.DataFrame({"region_id": ["01", "01", "02"], "fiscal_year": [2024] * 3,
                               "amount": [big, big, 0.01]}))
    sums = led.sum_by("t", ["region_id"], order=True)
    assert [int(c) for c in sums["cents"]] == [16 * 10**18, 1]
    assert led.total("t")[1] == 16 * 10**18 + 1


def test_a_table_without_a_year_has_no_year_range():
    led = Ledger()
    led.add("t", pd.DataFrame({"region_id": ["01"], "fiscal_year": [None], "amount": [1.0]}))
    assert led.year_range("t") is None
