"""Measures: per resident (zero and missing population, nearest vintage), change, share, rank."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata import measures as M


def amounts(rows):
    return pd.DataFrame(rows, columns=["region_id", "fiscal_year", "amount"])


def pop(rows):
    return pd.DataFrame(rows, columns=["region_id", "year", "population"])


def test_per_capita_zero_and_missing_population_are_nan_never_inf():
    a = amounts([("A", 2020, 1000.0), ("B", 2020, 500.0), ("C", 2020, 300.0)])
    p = pop([("A", 2020, 100), ("B", 2020, 0)])            # C has no population at all
    values, notes = M.per_capita(a, p, (2020, 2020))
    assert values["A"] == 10.0
    assert np.isnan(values["B"]) and np.isnan(values["C"])
    assert not np.isinf(values.to_numpy(dtype=float)).any()
    assert notes == ()


def test_per_capita_region_with_population_but_no_money_gets_nan():
    values, _ = M.per_capita(amounts([("A", 2020, 10.0)]), pop([("A", 2020, 5), ("B", 2020, 5)]),
                             (2020, 2020))
    assert values["A"] == 2.0
    assert "B" in values.index and np.isnan(values["B"])


def test_per_capita_nearest_vintage_and_note():
    a = amounts([("A", 2019, 100.0), ("A", 2022, 300.0), ("A", 2023, 300.0), ("A", 2024, 300.0)])
    p = pop([("A", 2019, 10), ("A", 2021, 30)])
    values, notes = M.per_capita(a, p, (2022, 2024))
    assert values["A"] == pytest.approx(30.0)        # each year over the 2021 estimate
    assert notes == ("Population for 2022–2024 uses the 2021 estimate (nearest year available).",)


def test_vintage_note_groups_runs_and_returns_none_when_exact():
    assert M.vintage_note({2020: 2020, 2021: 2021}) is None
    note = M.vintage_note({2009: 2010, 2010: 2010, 2011: 2010, 2015: 2014, 2017: 2014},
                          prefix="FY")
    assert note == ("Population for FY2009, FY2011 uses the 2010 estimate; FY2015, FY2017 uses "
                    "the 2014 estimate (nearest year available).")


def test_nearest_years_prefers_the_earlier_on_a_tie():
    assert M.nearest_years([2015, 2012, 2030], [2010, 2020, 2014]) == {
        2015: 2014, 2012: 2010, 2030: 2020}
    assert M.nearest_years([2015], []) == {}


def test_cumulative_versus_average_per_year():
    a = amounts([("A", 2020, 100.0), ("A", 2021, 300.0)])
    p = pop([("A", 2020, 10), ("A", 2021, 10)])
    cumulative, _ = M.per_capita(a, p, (2020, 2021))
    average, _ = M.per_capita(a, p, (2020, 2021), average=True)
    per_thousand, _ = M.per_capita(a, p, (2020, 2021), per=1000)
    assert cumulative["A"] == 40.0
    assert average["A"] == 20.0
    assert per_thousand["A"] == 40_000.0


def test_population_for_drops_non_positive():
    out, note = M.population_for(pop([("A", 2020, 0), ("B", 2020, -3), ("C", 2020, 7)]), [2020])
    assert out.set_index("region_id")["population"].isna().tolist() == [True, True, False]
    assert note is None
    empty, note = M.population_for(pop([]), [2020])
    assert empty.empty and note is None


def test_change_against_previous_zero_or_absent_is_nan():
    cur = pd.Series({"A": 150.0, "B": 10.0, "C": 5.0, "D": -20.0})
    prev = pd.Series({"A": 100.0, "B": 0.0, "D": -10.0, "E": 40.0})
    ch = M.change(cur, prev)
    assert ch["A"] == 50.0
    assert np.isnan(ch["B"]) and np.isnan(ch["C"])          # against 0, against nothing
    assert ch["D"] == -100.0                               # −10 → −20 is 100 % lower
    assert ch["E"] == -100.0                               # money gone entirely
    assert not np.isinf(ch.to_numpy()).any()


def test_previous_span_and_years_in():
    assert M.previous_span((2020, 2022)) == (2017, 2019)
    assert M.previous_span((2024, 2024)) == (2023, 2023)
    assert M.years_in((2020, 2022)) == [2020, 2021, 2022]
    with pytest.raises(ValueError):
        M.years_in((2022, 2020))


def test_share_of_ledger_total():
    s = M.share(pd.Series({"A": 25.0, "B": 50.0}), 200.0)
    assert s.to_dict() == {"A": 12.5, "B": 25.0}
    assert M.share(pd.Series({"A": 25.0}), 0).isna().all()


def test_total_and_indicator_values():
    t = M.total(pd.DataFrame({"region_id": ["A", "A", "B"], "amount": [1.0, 2.0, -4.0]}))
    assert t.to_dict() == {"A": 3.0, "B": -4.0}
    assert M.total(pd.DataFrame(columns=["region_id", "amount"])).empty
    ind = pd.DataFrame({"region_id": ["A", "A", "B", "B"], "indicator": ["u", "u", "u", "x"],
                        "year": [2009, 2009, 2009, 2009], "value": [1.5, 9.9, 2.5, 7.0]})
    assert M.indicator_values(ind, "u", 2009).to_dict() == {"A": 1.5, "B": 2.5}


def test_rank_desc_one_is_highest_and_nan_unranked():
    r = M.rank_desc(pd.Series({"A": 5.0, "B": 9.0, "C": np.nan, "D": 5.0}))
    assert r["B"] == 1 and r["A"] == 2 and r["D"] == 2
    assert pd.isna(r["C"])


def test_change_against_a_partly_covered_period_says_so():
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest("geodata/workspaces/boston_region"))
    mv = map_values(data, MeasureSpec(level="town", measure="change", table="tip",
                                      span=(2028, 2030)))
    assert any("only partly" in n for n in mv.notes)
    mv = map_values(data, MeasureSpec(level="town", measure="change", table="tip",
                                      span=(2030, 2030)))
    assert not any("only partly" in n for n in mv.notes)


# ---------------------------------------------------------------- titles and notes of a view
TINY = """
[workspace]
title = "Tiny"
fiscal_year_start_month = 10

[[levels]]
id = "county"
file = "regions.geojson"
key = "id"
name = "name"
key_width = 5

[[tables]]
id = "grants"
kind = "allocations"
level = "county"
file = "grants.csv"
label = "Federal grants by county, FY2022"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
amount = "amount"
"""

SPEND = """
[[tables]]
id = "spend"
kind = "allocations"
level = "county"
file = "spend.csv"
label = "Federal obligations"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
amount = "amount"
agency = "agency"

[[tables]]
id = "pop"
kind = "population"
level = "county"
file = "pop.csv"
[tables.columns]
region_id = "fips"
year = "year"
population = "people"
"""

FILES = {
    "grants.csv": "fips,fy,amount\n01001,2022,10\n01002,2022,20\n",
    "spend.csv": "fips,fy,amount,agency\n01001,2021,100,DOT\n01002,2021,50,HHS\n"
                 "01001,2022,120,HHS\n01002,2023,70,HHS\n01003,2023,30,HHS\n",
    "pop.csv": "fips,year,people\n01001,2023,10\n01002,2023,20\n01003,2023,30\n",
}


def tiny_data(tmp_path, *, spend: bool = True):
    """A three-county workspace: a one-year grants table whose label names its year, and
    (``spend``) a three-year table with agencies and a population table."""
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest
    from tests.fixtures.helpers import squares_geojson, write_geojson, write_workspace

    root = write_workspace(tmp_path / ("tiny" if spend else "tiny1"),
                           TINY + (SPEND if spend else ""), FILES)
    write_geojson(root / "regions.geojson", squares_geojson(3))
    return WorkspaceData(load_manifest(root))


def _spec(**kw):
    from geodata.dataset import MeasureSpec

    return MeasureSpec(level="county", **kw)


def test_a_one_year_table_whose_label_names_its_year_is_not_titled_with_it_twice(tmp_path):
    from geodata.dataset import map_values
    from locales import use

    data = tiny_data(tmp_path)
    assert map_values(data, _spec(table="grants", span=(2022, 2022))).label == \
        "Federal grants by county, FY2022"
    assert map_values(data, _spec(measure="share", table="grants", span=(2022, 2022))).label \
        == "Share of all federal grants by county, FY2022"
    assert map_values(data, _spec(table="spend", span=(2021, 2023))).label == \
        "Federal obligations, FY2021–FY2023"
    assert map_values(data, _spec(measure="per_capita", table="spend", span=(2021, 2023))) \
        .label == "Federal obligations per resident, cumulative, FY2021–FY2023"
    with use("zh"):
        assert map_values(data, _spec(table="grants", span=(2022, 2022))).label == \
            "Federal grants by county, FY2022"
        assert map_values(data, _spec(table="spend", span=(2023, 2023))).label == \
            "Federal obligations，FY2023"
        assert map_values(data, _spec(measure="per_capita", table="spend", span=(2021, 2023))) \
            .label == "Federal obligations（人均），累计，FY2021–FY2023"


def test_names_years_reads_single_years_and_ranges_in_labels():
    from geodata.dataset import names_years

    assert names_years("Federal grants by county, FY2022", (2022, 2022))
    assert names_years("TIP programmed funding FFY2026-2030 (Regional Target)", (2026, 2030))
    assert not names_years("TIP programmed funding FFY2026-2030", (2026, 2026))
    assert not names_years("Federal grants by county, FY2022", (2023, 2023))
    assert not names_years("Grants 20221", (2022, 2022))


def test_an_agency_without_money_in_the_years_says_so_in_a_sentence(tmp_path):
    from geodata.dataset import map_values
    from locales import use

    data = tiny_data(tmp_path)
    mv = map_values(data, _spec(table="spend", span=(2023, 2023), agencies=("DOT",)))
    assert mv.values.isna().all()
    assert mv.notes == ("No money was recorded for DOT in FY2023.",)
    # with money, no such note
    mv = map_values(data, _spec(table="spend", span=(2021, 2021), agencies=("DOT",)))
    assert mv.values.notna().sum() == 1 and mv.notes == ()
    with use("zh"):
        mv = map_values(data, _spec(table="spend", span=(2023, 2023), agencies=("DOT",)))
        assert mv.notes == ("FY2023未记录DOT的任何资金。",)


def test_population_vintage_note_in_chinese():
    from locales import use

    with use("zh"):
        assert M.vintage_note({2022: 2021, 2023: 2021, 2021: 2021}) == \
            "人口数据：2022–2023采用2021年估计值（取最接近的可用年份）。"
