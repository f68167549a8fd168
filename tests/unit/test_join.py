"""Joining ledger sums to regions: what is placed, what is not, and the cent-exact reconciliation."""
from __future__ import annotations

import pandas as pd
import pytest

from geodata.join import diagnostics_csv, diagnostics_frame, join_amounts, value_coverage
from geodata.ledger import Ledger
from geodata.problems import Problem

REGIONS = pd.DataFrame({"region_id": ["01", "02", "03"], "name": ["Alpha", "Beta", "Gamma"]})


def sums_from_rows(rows) -> tuple[pd.DataFrame, int]:
    led = Ledger()
    led.add("t", pd.DataFrame(rows, columns=["region_id", "fiscal_year", "amount"]))
    return led.sum_by_region("t"), led.total("t")[1]


def test_reconciles_to_the_cent_with_unmatched_blank_and_negative():
    sums, ledger_cents = sums_from_rows([
        ("01", 2023, 1_234.56), ("01", 2023, -34.56),     # negative kept, nets to 1,200.00
        ("02", 2023, 0.10), ("02", 2023, 0.20),
        ("99", 2023, 75.25),                              # no such region
        (None, 2023, 20.01), ("", 2023, 0.99),            # blank keys
    ])
    jr = join_amounts(sums, REGIONS, ledger_cents)
    assert jr.placed.set_index("region_id")["cents"].to_dict() == {"01": 120_000, "02": 30}
    assert jr.unmatched["region_id"].tolist() == ["99"]
    assert jr.unmatched["cents"].tolist() == [7_525]
    assert (jr.blank_cents, jr.blank_rows) == (2_100, 2)
    assert jr.regions_without_data["region_id"].tolist() == ["03"]
    assert jr.regions_without_data["name"].tolist() == ["Gamma"]
    assert jr.ledger_cents == 120_000 + 30 + 7_525 + 2_100
    assert jr.reconciles
    rec = jr.reconciliation()
    assert rec == {"on_map": 1_200.30, "unmatched_keys": 75.25, "blank_keys": 21.00,
                   "not_placed": 96.25, "ledger_total": 1_296.55, "difference": 0.0}


def test_a_lost_row_does_not_reconcile():
    sums, ledger_cents = sums_from_rows([("01", 2023, 10.0), ("02", 2023, 5.0)])
    jr = join_amounts(sums.iloc[:1], REGIONS, ledger_cents)
    assert not jr.reconciles
    assert jr.reconciliation()["difference"] == 5.0


def test_unmatched_sorted_by_size_whatever_the_sign():
    sums = pd.DataFrame({"region_id": ["x", "y", "z"], "amount": [1.0, -500.0, 20.0],
                         "cents": [100, -50_000, 2_000], "rows": [1, 1, 1]})
    jr = join_amounts(sums, REGIONS, -47_900)
    assert jr.unmatched["region_id"].tolist() == ["y", "z", "x"]
    assert jr.reconciles and jr.placed.empty and jr.placed_cents == 0


def test_join_needs_the_columns():
    with pytest.raises(ValueError, match="cents"):
        join_amounts(pd.DataFrame({"region_id": ["01"], "amount": [1.0]}), REGIONS, 100)


def test_value_coverage_for_indicators():
    vals = pd.Series({"01": 1.0, "02": float("nan"), "77": 3.0})
    unmatched, missing = value_coverage(vals, REGIONS)
    assert unmatched.index.tolist() == ["77"]
    assert missing.tolist() == ["02", "03"]


def test_diagnostics_frame_and_csv():
    sums, ledger_cents = sums_from_rows([("01", 2023, 10.0), ("99", 2023, 2.5), (None, 2023, 1.0)])
    jr = join_amounts(sums, REGIONS, ledger_cents)
    problems = [Problem("warning", "pop.csv", "1 duplicate row(s)", column="fips", rows=(4,),
                        values=("01",), code="duplicate_key"),
                Problem("error", "t.csv", "1 value(s) are not numbers", column="amount",
                        rows=(7,), values=("n/a",), code="bad_number")]
    df = diagnostics_frame(jr, problems, {"01": "Alpha"})
    sections = df["section"].tolist()
    assert sections.count("key matched no region") == 1
    assert sections.count("blank key") == 1
    assert sections.count("region with no data") == 2
    assert "duplicate key" in sections and "input error" in sections
    rec = df[df["section"] == "reconciliation"].iloc[0]
    assert rec["amount"] == 13.5
    assert "on map 10.00 + not placed 3.50 = ledger total 13.50 (difference 0.00)" in rec["detail"]
    bad = df[df["section"] == "input error"].iloc[0]
    assert "t.csv [amount] lines 7" in bad["detail"]
    text = diagnostics_csv(df).decode("utf-8")
    assert text.splitlines()[0] == "section,key,name,amount,rows,detail"
    assert "99" in text
