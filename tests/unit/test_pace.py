"""The pace engine on tiny inline tables: days elapsed, profiles, missing quarters, plans,
thresholds, floors; the [early_warning] section; the recipe and the command line on a tiny
workspace; and an independent check against the USAspending file the demo was built from."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata.dataset import WorkspaceData
from geodata.workspace import ManifestError, load_manifest
from performance import pace as P
from performance.config import early_warning_config
from performance.early_warning import early_warning, flags_frame, status_view
from tests.fixtures.helpers import squares_geojson, write_geojson, write_workspace

SHARED = Path("/work/shared/data/usaspending/usaspending_obligations_by_state_FY2008_2024_quarterly.csv")


def cube(rows, keys=("region_id",)) -> pd.DataFrame:
    """rows: (region, fiscal_year, period or None, amount)."""
    return pd.DataFrame(rows, columns=[*keys, "fiscal_year", "period", "amount"])


def steady(region: str, years, per_quarter=25.0) -> list:
    return [(region, y, q, per_quarter) for y in years for q in (1, 2, 3, 4)]


def one(flags: pd.DataFrame, region: str) -> pd.Series:
    row = flags[flags["region_id"] == region]
    assert len(row) == 1, flags
    return row.iloc[0]


# ---------------------------------------------------------------- the fiscal calendar

@pytest.mark.parametrize("year,period,per_year,start,expected", [
    (2019, 2, 4, 10, (182, 365)),    # 1 Oct 2018 - 31 Mar 2019
    (2020, 2, 4, 10, (183, 366)),    # 29 February 2020 is in FY2020 Q2
    (2020, 1, 4, 10, (92, 366)),     # Oct + Nov + Dec
    (2020, 4, 4, 10, (366, 366)),
    (2021, 2, 4, 10, (182, 365)),
    (2024, 1, 4, 1, (91, 366)),      # calendar year 2024: Jan + Feb (29) + Mar
    (2020, 5, 12, 10, (152, 366)),   # FY2020 month 5 = February 2020
    (2019, 6, 12, 7, (184, 365)),    # July start: FY2019 = Jul 2018 - Jun 2019, to 31 Dec
])
def test_elapsed_days(year, period, per_year, start, expected):
    assert P.elapsed_days(year, period, start_month=start, per_year=per_year) == expected


def test_fiscal_year_start_and_months():
    assert str(P.fiscal_year_start(2019, 10)) == "2018-10-01"
    assert str(P.fiscal_year_start(2019, 1)) == "2019-01-01"
    months = pd.Series([10, 11, 12, 1, 3, 9])
    fm = P.fiscal_month(months, 10)
    assert fm.tolist() == [1, 2, 3, 4, 6, 12]
    assert P.quarter_of_month(fm).tolist() == [1, 1, 1, 2, 2, 4]
    assert P.period_name(6, 12, 10) == "Mar" and P.period_name(2) == "Q2"
    with pytest.raises(ValueError, match="period must be 1 to 4"):
        P.elapsed_days(2019, 5)


# ---------------------------------------------------------------- the rules

def test_profile_rule_figures():
    # history: 10, 20, 30, 40 of 100 in each of FY2016-2018; FY2019: 12 + 20 by Q2
    rows = [("A", y, q, a) for y in (2016, 2017, 2018) for q, a in zip((1, 2, 3, 4),
                                                                       (10, 20, 30, 40))]
    rows += [("A", 2019, 1, 12.0), ("A", 2019, 2, 20.0)]
    f = P.pace(cube(rows), year=2019, period=2, profile_years=3)
    a = one(f, "A")
    assert a["spent_to_date"] == 32
    assert a["year_base"] == 100                      # the typical year
    assert a["share_spent"] == pytest.approx(32.0)
    assert a["expected_share"] == pytest.approx(30.0)  # (10 + 20) / 100
    assert a["expected_to_date"] == pytest.approx(30.0)
    assert a["gap_pts"] == pytest.approx(2.0)
    assert (a["status"], a["reason"], a["history_years"]) == ("green", "", 3)


def test_elapsed_rule_uses_days_of_the_fiscal_year():
    rows = steady("A", (2017, 2018)) + [("A", 2020, 1, 25.0), ("A", 2020, 2, 20.0)] + \
        steady("A", (2019,))
    f = P.pace(cube(rows), year=2020, period=2, rule="elapsed", start_month=10,
               profile_years=3)
    a = one(f, "A")
    assert a["expected_share"] == pytest.approx(100 * 183 / 366)
    assert a["share_spent"] == pytest.approx(45.0)
    assert a["gap_pts"] == pytest.approx(45 - 100 * 183 / 366)
    assert a["status"] == "yellow"


def test_region_with_no_history_is_no_data():
    rows = steady("A", (2017, 2018)) + [("A", 2019, 1, 25.0), ("B", 2019, 1, 30.0)]
    f = P.pace(cube(rows), year=2019, period=1, profile_years=2, fy_label="FY")
    b = one(f, "B")
    assert b["status"] == "no data"
    assert b["reason"] == "no history: no complete year with spending in FY2017–FY2018"
    assert b["spent_to_date"] == 30 and math.isnan(b["gap_pts"])
    assert one(f, "A")["status"] == "green"


def test_history_year_with_a_missing_quarter_is_left_out():
    rows = steady("A", (2017,), 25.0) + [("A", 2018, q, 10.0) for q in (1, 3, 4)] + \
        [("A", 2019, 1, 25.0)]
    f = P.pace(cube(rows), year=2019, period=1, profile_years=2)
    a = one(f, "A")
    assert a["history_years"] == 1 and a["year_base"] == 100 and a["expected_share"] == 25


def test_missing_quarter_is_flagged_not_zero():
    rows = steady("A", (2017, 2018)) + [("A", 2019, 1, 25.0), ("A", 2019, 3, 25.0)]
    f = P.pace(cube(rows), year=2019, period=3, profile_years=2, fy_label="FY")
    a = one(f, "A")
    assert a["status"] == "no data"
    assert a["reason"] == "missing (not counted as zero): FY2019 Q2"
    assert math.isnan(a["share_spent"]) and math.isnan(a["gap_pts"])
    # a quarter whose rows sum to zero is present: it counts as zero
    rows[-1] = ("A", 2019, 2, 0.0)
    f = P.pace(cube(rows), year=2019, period=2, profile_years=2)
    assert one(f, "A")["status"] == "red" and one(f, "A")["share_spent"] == 25


def test_group_without_rows_this_year_names_every_missing_quarter():
    rows = steady("A", (2018,)) + steady("B", (2018,)) + [("A", 2019, 1, 25.0),
                                                          ("A", 2019, 2, 25.0)]
    f = P.pace(cube(rows), year=2019, period=2, profile_years=1, fy_label="FY")
    assert one(f, "B")["reason"] == "missing (not counted as zero): FY2019 Q1, Q2"
    assert math.isnan(one(f, "B")["spent_to_date"])


def test_negative_amounts_are_summed():
    # a de-obligation in FY2019 Q2 takes the spending to date below zero: far behind
    rows = steady("A", (2017, 2018)) + [("A", 2019, 1, 5.0), ("A", 2019, 2, -20.0)]
    f = P.pace(cube(rows), year=2019, period=2, profile_years=2)
    a = one(f, "A")
    assert a["spent_to_date"] == -15 and a["share_spent"] == pytest.approx(-15.0)
    assert a["gap_pts"] == pytest.approx(-65.0) and a["status"] == "red"
    # a history year whose total is not positive cannot give a share: left out
    rows = [("A", 2018, q, a) for q, a in zip((1, 2, 3, 4), (10, -30, 5, 5))] + \
        steady("A", (2017,)) + [("A", 2019, 1, 25.0)]
    f = P.pace(cube(rows), year=2019, period=1, profile_years=2)
    assert one(f, "A")["history_years"] == 1


def test_rows_without_a_period_count_in_the_year_total_only():
    rows = steady("A", (2018,)) + [("A", 2018, None, 100.0), ("A", 2019, 1, 50.0)]
    f = P.pace(cube(rows), year=2019, period=1, profile_years=1)
    a = one(f, "A")
    assert a["year_base"] == 200 and a["expected_share"] == pytest.approx(12.5)
    assert a["share_spent"] == pytest.approx(25.0)


def test_plan_rule_zero_and_negative_plans():
    spend = cube([("A", 2019, 1, 30.0), ("A", 2019, 2, 30.0), ("Z", 2019, 1, 5.0),
                  ("N", 2019, 1, 5.0), ("Q", 2019, 1, 5.0)])
    plan = cube([("A", 2019, q, 50.0) for q in (1, 2, 3, 4)] +
                [("Z", 2019, q, 0.0) for q in (1, 2, 3, 4)] +
                [("N", 2019, 1, -10.0)] + [("Q", 2019, q, 40.0) for q in (1, 2)] +
                [("P", 2019, 1, 70.0)])
    f = P.pace(spend, year=2019, period=1, rule="plan", plan=plan, fy_label="FY")
    a = one(f, "A")
    assert a["year_base"] == 200 and a["expected_share"] == pytest.approx(25.0)
    assert a["share_spent"] == pytest.approx(15.0) and a["gap_pts"] == pytest.approx(-10.0)
    assert a["status"] == "red" and a["plan_to_date"] == 50
    assert a["execution_pct"] == pytest.approx(60.0)           # spent ÷ planned to date
    z = one(f, "Z")
    assert z["status"] == "no data" and z["reason"] == "no plan: the plan for FY2019 is zero"
    assert math.isnan(z["execution_pct"])                     # never infinity
    n = one(f, "N")
    assert n["status"] == "no data" and n["reason"].startswith("negative plan for FY2019")
    q = one(f, "Q")                    # 5 of 80 spent (6.25 %) with 40 planned to date (50 %)
    assert q["year_base"] == 80 and q["gap_pts"] == pytest.approx(-43.75)
    assert q["status"] == "red"
    assert one(f, "P")["status"] == "no data"                  # a plan, no spending


def test_plan_rule_gap_for_a_front_loaded_plan():
    spend = cube([("Q", 2019, 1, 5.0)])
    plan = cube([("Q", 2019, q, 40.0) for q in (1, 2)])
    f = P.pace(spend, year=2019, period=1, rule="plan", plan=plan)
    q = one(f, "Q")
    assert q["expected_share"] == pytest.approx(50.0) and q["share_spent"] == 6.25
    assert q["status"] == "red" and q["execution_pct"] == pytest.approx(12.5)
    # a group with a plan and no spending this year: missing, not zero
    plan = cube([("Q", 2019, 1, 40.0), ("P", 2019, 1, 40.0)])
    f = P.pace(spend, year=2019, period=1, rule="plan", plan=plan, fy_label="FY")
    assert one(f, "P")["reason"] == "missing (not counted as zero): FY2019 Q1"
    # spending with no plan row: no plan
    f = P.pace(cube([("Q", 2019, 1, 5.0), ("S", 2019, 1, 5.0)]), year=2019, period=1,
               rule="plan", plan=cube([("Q", 2019, 1, 10.0)]), fy_label="FY")
    assert one(f, "S")["reason"] == "no plan for FY2019"
    assert np.isfinite(f["execution_pct"].dropna()).all()
    # a plan without a row for a period to date: not read as zero planned
    f = P.pace(cube([("Q", 2019, 1, 5.0), ("Q", 2019, 2, 5.0)]), year=2019, period=2,
               rule="plan", plan=cube([("Q", 2019, 1, 10.0), ("Q", 2019, 3, 10.0)]),
               fy_label="FY")
    assert one(f, "Q")["reason"] == "the plan has no row for FY2019 Q2"
    assert one(f, "Q")["status"] == "no data"


def test_rule_plan_needs_a_plan_and_rules_are_checked():
    with pytest.raises(ValueError, match="needs a plan table"):
        P.pace(cube([("A", 2019, 1, 1.0)]), year=2019, period=1, rule="plan")
    with pytest.raises(ValueError, match="unknown rule 'pace'"):
        P.pace(cube([("A", 2019, 1, 1.0)]), year=2019, period=1, rule="pace")


@pytest.mark.parametrize("gap,status", [(-10.0, "red"), (-10.01, "red"), (-9.99, "yellow"),
                                        (-5.0, "yellow"), (-4.99, "green"), (0.0, "green"),
                                        (14.99, "green"), (15.0, "ahead"), (np.nan, "no data")])
def test_status_bands(gap, status):
    assert P.classify_status(pd.Series([gap])).tolist() == [status]


def test_overlapping_thresholds_are_refused():
    with pytest.raises(ValueError, match="'yellow' \\(10\\) must be smaller than 'red' \\(5\\)"):
        P.Thresholds(yellow=10, red=5)
    with pytest.raises(ValueError, match="must be smaller"):
        P.Thresholds(yellow=5, red=5)
    with pytest.raises(ValueError, match="'ahead' must be a number"):
        P.Thresholds(ahead=0)
    t = P.Thresholds(yellow=2, red=4, ahead=6)
    assert P.classify_status(pd.Series([-4.0, -3.0, 5.0, 6.0]), t).tolist() == \
        ["red", "yellow", "green", "ahead"]


def test_floor_makes_a_slow_year_red_from_its_quarter_on():
    rows = [("A", y, q, a) for y in (2017, 2018) for q, a in zip((1, 2, 3, 4), (5, 10, 15, 70))]
    rows += [("A", 2019, q, a) for q, a in zip((1, 2, 3), (5, 10, 15))]
    f = P.pace(cube(rows), year=2019, period=3, profile_years=2, floors={3: 60})
    a = one(f, "A")
    assert a["gap_pts"] == pytest.approx(0.0)        # on its own (slow) profile
    assert a["status"] == "red" and a["reason"] == "below the floor: 60% of the year by the end of Q3"
    f = P.pace(cube(rows), year=2019, period=2, profile_years=2, floors={3: 60})
    assert one(f, "A")["status"] == "green"          # the floor holds from Q3 on


def test_rank_puts_red_first_then_yellow_ahead_green_no_data():
    flags = pd.DataFrame({"region_id": list("abcdef"),
                          "gap_pts": [1.0, -12.0, 20.0, -6.0, np.nan, 30.0],
                          "status": ["green", "red", "ahead", "yellow", "no data", "ahead"]})
    assert P.rank(flags)["region_id"].tolist() == ["b", "d", "f", "c", "a", "e"]


def test_breakdown_keys():
    rows = [("A", "roads", y, q, 25.0) for y in (2017, 2018) for q in (1, 2, 3, 4)] + \
        [("A", "schools", y, q, 10.0) for y in (2017, 2018) for q in (1, 2, 3, 4)] + \
        [("A", "roads", 2019, 1, 25.0), ("A", "schools", 2019, 1, 2.0)]
    f = P.pace(cube(rows, keys=("region_id", "program")), year=2019, period=1,
               keys=("region_id", "program"), profile_years=2)
    got = dict(zip(f["program"], f["status"]))
    assert got == {"roads": "green", "schools": "red"}


def test_input_is_not_changed():
    c = cube(steady("A", (2018,)) + [("A", 2019, 1, 25.0)])
    before = c.copy()
    P.pace(c, year=2019, period=1, profile_years=1)
    pd.testing.assert_frame_equal(c, before)


# ---------------------------------------------------------------- a tiny workspace

PACE_TOML = """
[workspace]
title = "Pace demo"
fiscal_year_start_month = 10

[[levels]]
id = "district"
label = "District"
file = "regions.geojson"
key = "id"
name = "name"

[[tables]]
id = "spend"
kind = "allocations"
level = "district"
file = "spend.csv"
unit = "USD"
[tables.columns]
region_id = "region"
fiscal_year = "fy"
quarter = "q"
amount = "amount"
"""

#: Expected statuses of the tiny workspace (profile rule, 3 history years).
EXPECTED = {
    1: {"Alpha": "green", "Beta": "red", "Gamma": "ahead", "Delta": "no data",
        "Epsilon": "yellow", "Zeta": "no data"},
    2: {"Alpha": "green", "Beta": "yellow", "Gamma": "green", "Delta": "no data",
        "Epsilon": "no data", "Zeta": "no data"},
}


def pace_workspace(root: Path, extra_toml: str = "[early_warning]\nprofile_years = 3\n",
                   extra_files: dict | None = None) -> Path:
    """Six districts; FY2016-2018 at 25 a quarter; FY2019: Alpha on pace, Beta slow
    (10, then 32), Gamma fast then slow (45, 5), Delta new (no history), Epsilon without
    its Q2, Zeta with no rows at all; a row with a blank district and one with an unknown."""
    regions = squares_geojson(6, prefix="0")          # 00001 … 00006
    ids = {name: rid for rid, name, _ in regions}
    lines = ["region,fy,q,amount"]
    for name in ("Alpha", "Beta", "Gamma", "Epsilon"):
        lines += [f"{ids[name]},{y},{q},25" for y in (2016, 2017, 2018) for q in (1, 2, 3, 4)]
    this_year = {"Alpha": (25, 25), "Beta": (10, 32), "Gamma": (45, 5), "Delta": (30, 30),
                 "Epsilon": (20, None)}
    for name, amounts in this_year.items():
        lines += [f"{ids[name]},2019,{q},{a}" for q, a in zip((1, 2), amounts) if a is not None]
    lines += [",2019,1,7", "99999,2019,2,11"]
    root.mkdir(parents=True, exist_ok=True)
    write_geojson(root / "regions.geojson", regions)
    return write_workspace(root, PACE_TOML + extra_toml,
                           {"spend.csv": "\n".join(lines) + "\n", **(extra_files or {})})


@pytest.fixture
def tiny(tmp_path) -> WorkspaceData:
    return WorkspaceData(load_manifest(pace_workspace(tmp_path / "pace_demo")))


@pytest.mark.parametrize("quarter", [1, 2])
def test_tiny_workspace_statuses(tiny, quarter):
    cfg = early_warning_config(tiny.ws)
    ew = early_warning(tiny, cfg, year=2019, period=quarter)
    assert dict(zip(ew.flags["name"], ew.flags["status"])) == EXPECTED[quarter]
    by_name = ew.flags.set_index("name")
    assert by_name.loc["Delta", "reason"] == \
        "no history: no complete year with spending in FY2016–FY2018"
    assert by_name.loc["Zeta", "reason"] == "no rows in table 'spend' in FY2016–FY2019"
    if quarter == 2:
        assert by_name.loc["Epsilon", "reason"] == "missing (not counted as zero): FY2019 Q2"
        assert by_name.loc["Beta", "gap_pts"] == pytest.approx(-8.0)
    assert ew.flags["status"].iloc[0] == ("red" if quarter == 1 else "yellow")
    note = [n for n in ew.notes if n.startswith("Not on the map")]
    assert note and "$7 on rows with no region" in note[0]
    assert ("$11 on 1 key(s) that match no district (99999)" in note[0]) == (quarter == 2)


def test_tiny_workspace_elapsed_rule_and_csv(tiny):
    cfg = early_warning_config(tiny.ws).with_rule("elapsed")
    ew = early_warning(tiny, cfg, year=2019, period=1)
    alpha = ew.flags.set_index("name").loc["Alpha"]
    assert alpha["expected_share"] == pytest.approx(100 * 92 / 365)
    assert ew.days == (92, 365)
    assert "92 of 365 days of the fiscal year (25.2%)" in ew.rule_sentence()
    csv = flags_frame(ew)
    assert list(csv.columns[:6]) == ["rank", "region_id", "region", "fiscal_year", "period",
                                     "rule"]
    assert csv.loc[csv["region"] == "Alpha", "gap_points"].item() == pytest.approx(-0.21)


def test_tiny_workspace_period_not_in_table(tiny):
    cfg = early_warning_config(tiny.ws)
    with pytest.raises(ValueError, match="FY2019 Q3 is not in table 'spend'"):
        early_warning(tiny, cfg, year=2019, period=3)


def test_status_view_is_a_traffic_light(tiny):
    ew = early_warning(tiny, early_warning_config(tiny.ws), year=2019, period=1)
    ids = [f"0000{i}" for i in range(1, 7)]
    view = status_view(ids, ew)
    assert [(e.label, e.count) for e in view.legend] == [
        ("Far behind (red)", 1), ("Behind (yellow)", 1), ("On pace (green)", 1),
        ("Ahead (blue)", 1), ("No data", 2)]
    assert view.colours() == ["#74c476", "#bd0026", "#3182bd", "#d9d9d9", "#fecc5c",
                              "#d9d9d9"]
    assert view.value_text[1] == "Far behind"
    rows = dict(view.tooltip_rows)
    assert rows["Gap"][1] == "-15.0 points" and rows["Why"][3].startswith("no history")


# ---------------------------------------------------------------- plans, months

PLAN_TOML = """
[[tables]]
id = "budget"
kind = "plans"
level = "district"
file = "plan.csv"
unit = "USD"
[tables.columns]
region_id = "region"
fiscal_year = "fy"
quarter = "q"
amount = "amount"

[early_warning]
rule = "plan"
"""


def plan_workspace(root: Path) -> Path:
    """The tiny workspace with a plans table for FY2019: Alpha 25 a quarter, Beta zero, Gamma
    negative, Zeta planned without spending, a plan year with no spending (FY2031) and a plan
    key that matches no district; Delta and Epsilon spend without a plan."""
    ids = [f"0000{i}" for i in range(1, 7)]
    plan = ["region,fy,q,amount"]
    plan += [f"{ids[0]},2019,{q},25" for q in (1, 2, 3, 4)]
    plan += [f"{ids[1]},2019,{q},0" for q in (1, 2, 3, 4)]
    plan += [f"{ids[2]},2019,1,-5"]
    plan += [f"{ids[5]},2019,1,40", f"{ids[0]},2031,1,99"]
    plan += ["77777,2019,1,8"]
    return pace_workspace(root, PLAN_TOML, {"plan.csv": "\n".join(plan) + "\n"})


def test_plan_table_in_a_workspace_reports_mismatches(tmp_path):
    data = WorkspaceData(load_manifest(plan_workspace(tmp_path / "planned")))
    cfg = early_warning_config(data.ws)
    assert (cfg.rule, cfg.plan_table) == ("plan", "budget")
    ew = early_warning(data, cfg, year=2019, period=1)
    f = ew.flags.set_index("name")
    assert f.loc["Alpha", "status"] == "green" and f.loc["Alpha", "execution_pct"] == 100
    assert f.loc["Beta", "reason"] == "no plan: the plan for FY2019 is zero"
    assert f.loc["Gamma", "reason"].startswith("negative plan")
    assert f.loc["Epsilon", "reason"] == "no plan for FY2019"
    assert f.loc["Zeta", "reason"] == "missing (not counted as zero): FY2019 Q1"
    codes = {p.code: p.message for p in ew.problems}
    assert "FY2031 ($99)" in codes["plan_year_without_spending"]
    assert codes["plan_without_spending"].startswith("1 region(s) have a plan for FY2019 ($40")
    assert "spent $50 in FY2019 to date but have no plan" in codes["spending_without_plan"]
    assert set(codes) >= {"zero_plan", "negative_plan"}
    assert codes["plan_unmatched_key"] == "1 plan key(s) for FY2019 match no district ($8 " \
        "planned); left out"


def monthly_workspace(root: Path) -> Path:
    """One district (Alpha) spending 10 a month in FY2017-2018 and in FY2019 10, 10, 10 in
    October-December, then 2 in January (calendar months of an October year)."""
    rows = ["region,fy,month,amount"]
    rows += [f"00001,{y},{m},10" for y in (2017, 2018) for m in range(1, 13)]
    rows += [f"00001,2019,{m},{a}" for m, a in ((10, 10), (11, 10), (12, 10), (1, 2))]
    toml = PACE_TOML.replace('quarter = "q"', 'month = "month"').replace(
        'file = "spend.csv"', 'file = "monthly.csv"').replace('"Pace demo"', '"Pace by month"')
    write_geojson(root / "regions.geojson", squares_geojson(1, prefix="0"))
    return write_workspace(root, toml + "[early_warning]\nprofile_years = 2\n",
                           {"monthly.csv": "\n".join(rows) + "\n"})


def test_monthly_table_by_quarter_and_by_month(tmp_path):
    data = WorkspaceData(load_manifest(monthly_workspace(tmp_path / "monthly")))
    cfg = early_warning_config(data.ws)
    from performance.early_warning import available, steps
    assert steps(data, cfg) == ["quarter", "month"]
    assert available(data, cfg, "quarter")[2019] == [1, 2]
    assert available(data, cfg, "month")[2019] == [1, 2, 3, 4]
    q1 = early_warning(data, cfg, year=2019, period=1).flags.iloc[0]
    assert (q1["spent_to_date"], q1["expected_share"], q1["status"]) == (30, 25, "green")
    jan = early_warning(data, cfg, year=2019, period=4, step="month")
    assert jan.view_text == "FY2019 Jan"
    row = jan.flags.iloc[0]
    assert row["share_spent"] == pytest.approx(100 * 32 / 120)
    assert row["expected_share"] == pytest.approx(100 * 40 / 120) and row["status"] == "yellow"


# ---------------------------------------------------------------- [early_warning]

def _ws(tmp_path, section: str):
    return load_manifest(pace_workspace(tmp_path / "cfg", section))


def test_config_defaults(tmp_path):
    cfg = early_warning_config(_ws(tmp_path, ""))
    assert (cfg.table, cfg.plan_table, cfg.rule, cfg.profile_years, cfg.floors, cfg.by) == \
        ("spend", None, "profile", 5, {}, None)
    assert cfg.thresholds == P.Thresholds(5, 10, 15)
    assert cfg.rules() == ["profile", "elapsed"]


def test_config_reads_every_key(tmp_path):
    cfg = early_warning_config(_ws(tmp_path, """[early_warning]
table = "spend"
rule = "elapsed"
profile_years = 4
yellow = 3
red = 8.5
ahead = 20
floors = {3 = 60, 4 = 90}
"""))
    assert (cfg.rule, cfg.profile_years, cfg.floors) == ("elapsed", 4, {3: 60.0, 4: 90.0})
    assert cfg.thresholds == P.Thresholds(3, 8.5, 20)


def test_config_lists_every_problem(tmp_path):
    with pytest.raises(ManifestError) as exc:
        early_warning_config(_ws(tmp_path, """[early_warning]
tabel = "spend"
rule = "plan"
yellow = 12
red = 10
floors = {3 = 60, 2 = 70, 5 = 10}
profile_years = 0
by = "agency"
"""))
    text = "\n".join(exc.value.problems)
    assert "`tabel`: unknown key in [early_warning]; did you mean `table`?" in text
    assert "rule \"plan\" needs a plans table" in text
    assert "'yellow' (12) must be smaller than 'red' (10)" in text
    assert "floors: '5' is not a quarter" in text
    assert "floors: quarter 3 (60%) is below quarter 2 (70%)" in text
    assert "'profile_years' must be a whole number from 1 to 30, got 0" in text
    assert "'by' = 'agency' is not a column of table 'spend'" in text
    assert len(exc.value.problems) == 7


def test_config_refuses_a_table_of_another_kind(tmp_path):
    with pytest.raises(ManifestError, match="'table' = 'nope' is not an allocations table"):
        early_warning_config(_ws(tmp_path, '[early_warning]\ntable = "nope"\n'))
    cfg = early_warning_config(_ws(tmp_path / "b", ""))
    with pytest.raises(ValueError, match="rule 'plan' needs a plans table"):
        cfg.with_rule("plan")


# ---------------------------------------------------------------- the command line

def test_cli_exit_status_with_and_without_red(tmp_path, capsys):
    from performance.cli import main
    root = pace_workspace(tmp_path / "pace_demo")
    out = tmp_path / "flags.csv"
    assert main(["-w", str(root), "--year", "2019", "--quarter", "1", "-o", str(out)]) == 2
    shown = capsys.readouterr()
    assert "  1  Beta" in shown.out and "red 1 · yellow 1 · ahead 1 · green 1 · no data 2" \
        in shown.out
    written = pd.read_csv(out, dtype={"region_id": str})
    assert written["status"].tolist() == ["red", "yellow", "ahead", "green", "no data",
                                          "no data"]
    assert main(["-w", str(root), "--year", "2019", "--quarter", "2"]) == 0
    assert "red 0 · yellow 1" in capsys.readouterr().out


def test_cli_errors_are_one_line_with_status_1(tmp_path, capsys):
    from performance.cli import main
    root = pace_workspace(tmp_path / "pace_demo")
    out = tmp_path / "flags.csv"
    out.write_text("old")
    assert main(["-w", str(root), "--year", "2030", "--quarter", "2", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: FY2030 Q2 is not in table 'spend'") and err.count("\n") == 1
    assert out.read_text() == "old"                   # nothing written
    assert main(["-w", str(root), "--rule", "plan"]) == 1
    assert "needs a plans table" in capsys.readouterr().err
    assert main(["-w", str(tmp_path / "nowhere")]) == 1
    assert main(["-w", str(root), "--quarter", "9"]) == 1
    assert main(["-w", str(root), "-o", str(tmp_path)]) == 1


# ---------------------------------------------------------------- the real data

def test_us_demo_matches_the_usaspending_file(us):
    """Alabama's FY2019 share by the end of Q2 and its FY2014-2018 profile, computed from the
    file the demo was built from with plain pandas."""
    if not SHARED.exists():
        pytest.skip("shared USAspending file not present")
    raw = pd.read_csv(SHARED)
    al = raw[raw["code"] == "AL"]
    total = al.groupby("fy")["amount"].sum()
    to_q2 = al[al["quarter"] <= 2].groupby("fy")["amount"].sum()
    history = list(range(2014, 2019))
    typical = total.loc[history].mean()
    share = to_q2.loc[2019] / typical
    profile = (to_q2.loc[history] / total.loc[history]).mean()

    ew = early_warning(us, early_warning_config(us.ws), year=2019, period=2)
    row = ew.flags.set_index("region_id").loc["01"]
    assert row["name"] == "Alabama" and row["history_years"] == 5
    assert row["spent_to_date"] == pytest.approx(to_q2.loc[2019], rel=1e-12)
    assert row["year_base"] == pytest.approx(typical, rel=1e-12)
    assert row["share_spent"] == pytest.approx(100 * share, rel=1e-9)
    assert row["expected_share"] == pytest.approx(100 * profile, rel=1e-9)
    assert row["gap_pts"] == pytest.approx(100 * (share - profile), abs=1e-6)
    assert row["status"] == "yellow"
    assert len(ew.flags) == 56 and ew.counts()["no data"] == 0


def test_cli_keeps_the_old_file_when_writing_fails(tmp_path, capsys, monkeypatch):
    import performance.cli as cli
    root = pace_workspace(tmp_path / "pace_demo")
    out = tmp_path / "flags.csv"
    out.write_text("old")

    def broken(frame):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(cli, "csv_bytes", broken)
    assert cli.main(["-w", str(root), "--quarter", "1", "-o", str(out)]) == 1
    assert "disk on fire" in capsys.readouterr().err
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == \
        ["flags.csv", "pace_demo"]


def test_a_yearly_plan_is_the_expected_full_year(tmp_path):
    toml = PLAN_TOML.replace('quarter = "q"\n', "").replace('rule = "plan"', 'rule = "elapsed"')
    plan = "region,fy,amount\n00001,2019,200\n"
    data = WorkspaceData(load_manifest(pace_workspace(tmp_path / "yearly", toml,
                                                      {"plan.csv": plan})))
    cfg = early_warning_config(data.ws)
    ew = early_warning(data, cfg, year=2019, period=2)
    alpha = ew.flags.set_index("name").loc["Alpha"]
    assert alpha["year_base"] == 200 and alpha["share_spent"] == 25     # 50 of a plan of 200
    assert alpha["expected_share"] == pytest.approx(100 * 182 / 365)
    assert alpha["status"] == "red"
    assert "its plan for FY2019" in ew.rule_sentence()
    with pytest.raises(ValueError, match="has no quarters: the rule 'plan' needs the plan by "
                                         "quarter"):
        early_warning(data, cfg.with_rule("plan"), year=2019, period=2)
