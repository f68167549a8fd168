"""Per-capita rules: year matching, nearest vintage, spans, no-data, small populations, centre."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata import measures as M
from layers.render_timeslider import frame_views


def amounts(rows):
    return pd.DataFrame(rows, columns=["region_id", "fiscal_year", "amount"])


def pop(rows):
    return pd.DataFrame(rows, columns=["region_id", "year", "population"])


POP = pop([("a", 2020, 100), ("a", 2021, 200), ("b", 2020, 1000), ("b", 2021, 1000)])


def test_each_year_is_divided_by_that_years_population():
    v, notes = M.per_capita(amounts([("a", 2020, 1000), ("a", 2021, 1000)]), POP, (2020, 2021))
    assert v["a"] == pytest.approx(1000 / 100 + 1000 / 200)   # not 2000 / 200
    assert notes == ()


def test_nearest_vintage_is_used_and_named():
    v, notes = M.per_capita(amounts([("a", 2023, 600)]), POP, (2023, 2023))
    assert v["a"] == pytest.approx(3.0)                       # 2021 population (200)
    assert notes == ("Population for 2023 uses the 2021 estimate (nearest year available).",)
    _, notes = M.per_capita(amounts([("a", 2018, 1)]), POP, (2017, 2019))
    assert "2017–2019 uses the 2020 estimate" in notes[0]
    # a tie goes to the earlier year
    assert M.nearest_years([2015], [2013, 2017]) == {2015: 2013}


def test_cumulative_average_and_per_thousand():
    a = amounts([("b", 2020, 500), ("b", 2021, 1500)])
    cum, _ = M.per_capita(a, POP, (2020, 2021))
    avg, _ = M.per_capita(a, POP, (2020, 2021), average=True)
    per_k, _ = M.per_capita(a, POP, (2020, 2021), per=1000)
    assert cum["b"] == pytest.approx(2.0)
    assert avg["b"] == pytest.approx(1.0)
    assert per_k["b"] == pytest.approx(2000.0)


def test_zero_negative_and_missing_population_are_no_data_not_infinity():
    p = pop([("z", 2020, 0), ("n", 2020, -5), ("m", 2020, None), ("ok", 2020, 10)])
    a = amounts([("z", 2020, 10), ("n", 2020, 10), ("m", 2020, 10), ("ok", 2020, 10),
                 ("x", 2020, 10)])                             # x: no population row at all
    v, _ = M.per_capita(a, p, (2020, 2020))
    for r in ("z", "n", "m", "x"):
        assert math.isnan(v[r]), r
    assert v["ok"] == 1.0
    assert np.isfinite(v.dropna()).all()


def test_overall_rate_is_all_money_over_all_residents_of_regions_with_people():
    a = amounts([("a", 2020, 100), ("b", 2020, 1000), ("x", 2020, 5000)])  # x has no people
    r = M.overall_rate(a, POP, (2020, 2020))
    assert r == pytest.approx(1100 / 1100)
    assert M.overall_rate(a, POP, (2020, 2020), region_ids=["a"]) == pytest.approx(1.0)
    assert M.overall_rate(a, POP, (2020, 2021)) == pytest.approx(1.0)  # nothing in 2021
    assert math.isnan(M.overall_rate(a, pop([]), (2020, 2020)))


def test_small_population_flag_follows_the_threshold_and_ignores_no_data():
    p = pd.Series({"tiny": 50, "mid": 5000, "big": 10**6, "zero": 0, "none": np.nan})
    f = M.small_population(p, 5000)
    assert f.to_dict() == {"tiny": True, "mid": False, "big": False, "zero": False, "none": False}
    assert M.small_population(p, 10**7).sum() == 3


def test_per_thousand_suggested_only_for_small_rates():
    assert M.suggest_per(pd.Series([0.01, 0.2, 0.5, np.nan])) == 1000
    assert M.suggest_per(pd.Series([12.0, 300.0])) == 1


def test_change_between_years_never_counts_missing_as_zero():
    ch = M.change_between(pd.Series({"a": 10.0, "b": 0.0, "c": np.nan}),
                          pd.Series({"a": 15.0, "b": 5.0, "c": 3.0}))
    assert ch.loc["a", "amount"] == 5.0 and ch.loc["a", "percent"] == 50.0
    assert ch.loc["b", "amount"] == 5.0 and math.isnan(ch.loc["b", "percent"])
    assert math.isnan(ch.loc["c", "amount"])


def test_movers_rank_by_places_moved():
    mv = M.movers(pd.Series({"a": 1.0, "b": 2.0, "c": 3.0}), pd.Series({"a": 9.0, "b": 2.5, "c": 3.5}))
    assert mv.index[0] == "a" and mv.loc["a", "rank_moved"] == 2


def test_diverging_frames_are_centred_on_the_overall_rate():
    ids = ["a", "b", "c", "d"]
    vals = {2020: pd.Series({"a": 1.0, "b": 2.0, "c": 5.0, "d": 9.0}),
            2021: pd.Series({"a": 3.0, "b": 4.0, "c": 7.0, "d": 11.0})}
    centres = {2020: 4.0, 2021: 6.0}
    for fixed in (False, True):
        views = frame_views(ids, vals, titles={2020: "x", 2021: "y"}, unit="USD", k=4,
                            palette="RdBu", fixed=fixed, centres=centres)
        for y, v in zip(vals, views):
            bins = v.classification.bins
            assert centres[y] in bins, (fixed, y, bins)          # a class edge at the centre
            below = [r for r in ids if vals[y][r] <= centres[y]]
            assert all(v.class_ids[ids.index(r)] < 2 for r in below)
            assert all(v.class_ids[ids.index(r)] >= 2 for r in ids if r not in below)


def test_fixed_breaks_keep_colours_comparable_across_years():
    ids = ["a", "b"]
    vals = {1: pd.Series({"a": 1.0, "b": 2.0}), 2: pd.Series({"a": 10.0, "b": 20.0})}
    fixed = frame_views(ids, vals, titles={1: "1", 2: "2"}, unit="USD", k=3, fixed=True)
    own = frame_views(ids, vals, titles={1: "1", 2: "2"}, unit="USD", k=3, fixed=False)
    assert fixed[0].classification.bins == fixed[1].classification.bins
    assert fixed[0].colours() != fixed[1].colours()       # year 1 is all low, year 2 all high
    assert own[0].colours() == own[1].colours()           # each year ranked on its own
