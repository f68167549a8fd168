"""Per-capita rules: year matching, nearest vintage, spans, no-data, small populations, centre;
classes held across frames, small populations marked on the map, the page's tables."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata import measures as M
from geodata import per_capita_view as V
from layers.classify import fixed_breaks_across
from layers.frames import frame_views, mark_small
from locales import use


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
        if fixed:   # the same offsets around each year's centre, the same span below it
            assert [round(b - centres[y], 9) for y, v in zip(vals, views)
                    for b in (v.classification.lower,)] == [-5.0, -5.0]
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


def test_fixed_breaks_are_the_pooled_quantiles_of_all_years():
    """Two years of four regions: the breaks of each year's map are the quantiles of the eight
    values together, and the same in both years; per year they are not."""
    ids = ["a", "b", "c", "d"]
    vals = {2020: pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}),
            2021: pd.Series({"a": 5.0, "b": 6.0, "c": 7.0, "d": 8.0})}
    pooled = fixed_breaks_across(vals, "quantiles", 4)
    assert pooled == (2.0, 4.0, 6.0, 8.0)
    fixed = frame_views(ids, vals, titles={2020: "x", 2021: "y"}, unit="USD", k=4, fixed=True)
    assert fixed[0].classification.bins == fixed[1].classification.bins == pooled
    assert fixed[0].class_ids.tolist() == [0, 0, 1, 1]
    assert fixed[1].class_ids.tolist() == [2, 2, 3, 3]
    # the two legends read the same ranges (from the lowest value of both years), with
    # each year's own counts
    assert [e.label for e in fixed[0].legend] == [e.label for e in fixed[1].legend]
    assert fixed[0].classification.lower == fixed[1].classification.lower == 1.0
    assert [e.count for e in fixed[0].legend] == [2, 2, 0, 0, 0]
    assert [e.count for e in fixed[1].legend] == [0, 0, 2, 2, 0]
    own = frame_views(ids, vals, titles={2020: "x", 2021: "y"}, unit="USD", k=4, fixed=False)
    assert own[0].classification.bins == (1.0, 2.0, 3.0, 4.0)
    assert own[1].classification.bins == (5.0, 6.0, 7.0, 8.0)


def test_one_frame_of_many_keeps_the_pooled_breaks():
    ids = ["a", "b"]
    vals = {1: pd.Series({"a": 1.0, "b": 2.0}), 2: pd.Series({"a": 10.0, "b": 20.0})}
    (only,) = frame_views(ids, vals, titles={1: "1", 2: "2"}, unit="USD", k=3, only=[2])
    every = frame_views(ids, vals, titles={1: "1", 2: "2"}, unit="USD", k=3)
    assert only.title == "2"
    assert only.classification.bins == every[1].classification.bins
    assert only.colours() == every[1].colours()


def _small_view():
    ids = ["a", "b", "c", "d"]
    (view,) = frame_views(ids, {0: pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": np.nan})},
                          titles={0: "x"}, unit="USD", k=3,
                          population={0: pd.Series({"a": 40, "b": 9000, "c": 50, "d": 30})})
    flags = pd.Series({"a": True, "b": False, "c": True, "d": True})
    return view, flags


def test_small_populations_are_noted_in_the_tooltip():
    view, flags = _small_view()
    noted = mark_small(view, flags, threshold="100", style="note")
    assert dict(noted.tooltip_rows)["Population"] == (
        "40 (fewer than 100: unstable rate)", "9,000", "50 (fewer than 100: unstable rate)",
        "30 (fewer than 100: unstable rate)")
    assert noted.colours() == view.colours()
    assert noted.legend == view.legend


def test_small_populations_in_grey_leave_their_class_and_the_counts_follow():
    view, flags = _small_view()
    labels = [e.label for e in view.legend]
    assert [(e.count, e.class_id) for e in view.legend] == [(1, 0), (1, 1), (1, 2), (1, -1)]
    grey = mark_small(view, flags, threshold="100", style="grey")
    # a and c (with a rate) move to the grey class; d has no rate and stays No data
    assert grey.class_ids.tolist() == [3, 1, 3, -1]
    assert [(e.label, e.count, e.class_id) for e in grey.legend] == [
        (labels[0], 0, 0), (labels[1], 1, 1), (labels[2], 0, 2),
        ("Fewer than 100 residents", 2, 3), (labels[3], 1, -1)]
    assert grey.colours() == ["#f0f0f0", view.colours()[1], "#f0f0f0", view.colours()[3]]
    with pytest.raises(ValueError, match="style must be one of note, grey; got 'hatch'"):
        mark_small(view, flags, threshold="100", style="hatch")


def test_fiscal_year_labels_follow_the_language_and_keep_a_workspace_label():
    with use("en"):
        assert V.year_text("FY", 2024) == "FY2024"
        assert V.span_text("FY", (2019, 2024)) == "FY2019–FY2024"
        assert V.span_text("FFY", (2026, 2026)) == "FFY2026"
        assert V.rate_text(1000) == "per 1,000 residents"
    with use("zh"):
        assert V.year_text("FY", 2024) == "2024财年"
        assert V.span_text("FY", (2019, 2024)) == "2019财年–2024财年"
        assert V.rate_text(1) == "人均"


def test_ranking_table_is_labelled_and_ranked():
    ids = ["a", "b", "c"]
    table = V.ranking_table(
        ids, {"a": "Alpha", "b": "Beta", "c": "Gamma"}, name_label="State",
        span_values=pd.Series({"a": 10.0, "b": 30.0, "c": np.nan}), span_label="FY1–FY2",
        overall=20.0, first=pd.Series({"a": 4.0, "b": 10.0}),
        last=pd.Series({"a": 6.0, "b": 20.0}), first_label="FY1", last_label="FY2",
        population=pd.Series({"a": 100, "b": 4000, "c": 7}),
        small=pd.Series({"a": True, "b": False, "c": True}), small_label="Fewer than 500")
    f = table.frame
    assert table.shown == ["State", "Rank", "FY1–FY2", "Against the overall rate", "FY1", "FY2",
                           "Change (%)", "Population", "Fewer than 500"]
    assert f["State"].tolist() == ["Beta", "Alpha", "Gamma"]
    assert f["Rank"].tolist()[:2] == [1, 2] and pd.isna(f["Rank"].iloc[2])
    assert f["Against the overall rate"].tolist()[:2] == [10.0, -10.0]
    assert f["Change (%)"].tolist()[:2] == [100.0, 50.0]
    assert f["Code"].tolist() == ["b", "a", "c"]
    assert table.money == ("FY1–FY2", "Against the overall rate", "FY1", "FY2")
    assert table.percent == ("Change (%)",) and table.flags == ("Fewer than 500",)


def test_change_and_movers_tables():
    ids = ["a", "b", "c"]
    names = {"a": "Alpha", "b": "Beta", "c": "Gamma"}
    first, second = pd.Series({"a": 10.0, "b": 5.0, "c": np.nan}), \
        pd.Series({"a": 12.0, "b": 15.0, "c": 1.0})
    ch = V.change_table(ids, names, name_label="State", first=first, second=second,
                        first_label="FY1", second_label="FY2")
    assert ch.shown == ["State", "FY1", "FY2", "Change", "Change (%)"]
    assert ch.frame["State"].tolist() == ["Beta", "Alpha", "Gamma"]
    assert ch.frame["Change"].tolist()[:2] == [10.0, 2.0]
    assert ch.frame["Change (%)"].tolist()[:2] == [200.0, 20.0]
    mv = V.movers_table(ids, names, name_label="State", left=first, right=second,
                        left_label="FY1", right_label="FY2")
    assert mv.shown == ["State", "Places moved up", "FY1", "FY2", "Change", "Change (%)",
                        "Rank, FY1", "Rank, FY2"]
    assert mv.frame["State"].tolist()[0] == "Beta"
    assert mv.frame["Places moved up"].tolist()[:2] == [1, -1]
    assert V.tell_apart("FY2022", "FY2022") == ("FY2022 (left)", "FY2022 (right)")
    assert V.tell_apart("FY2021", "FY2022") == ("FY2021", "FY2022")


def test_a_drill_down_keeps_the_funding_table_or_goes_nowhere(us):
    assert V.per_capita_levels(us) == ["state", "county"]
    # grants are by county: a state opens on its counties with the same table
    assert V.drill_level(us, "state", "county_grants") == "county"
    # obligations are by state only: no drill-down, and the page says which table has one
    assert V.drill_level(us, "state", "obligations_total") is None
    assert V.child_level(us, "state") == "county"
    assert V.tables_below(us, "state") == ["county_grants"]
    assert V.drill_level(us, "county", "county_grants") is None
    assert sorted(V.regions_in(us, "county", "44")) == ["44001", "44003", "44005", "44007", "44009"]
