"""Outlier rules and the class schemes that keep outliers apart (analysis/outliers.py), against
values worked out by hand and the values mapclassify documents for its example data."""
from __future__ import annotations

import pickle

import mapclassify
import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisError
from analysis.outliers import (DEFAULT_K, box_map, flag_outliers, head_tail, percentile_classes,
                               use_log_scale)
from layers.classify import colours_for
from locales import use

#: 1 / Φ⁻¹(3/4), the factor scipy's median_abs_deviation(scale="normal") applies.
MAD_FACTOR = 1 / 0.6744897501960817


def series(values, prefix="r"):
    return pd.Series(list(values), index=[f"{prefix}{i}" for i in range(len(values))])


ONE_HIGH = series(list(range(1, 11)) + [100])        # r10 = 100
ONE_LOW = series([-100] + list(range(1, 11)))        # r0 = -100


# ----------------------------------------------------------------------------- the MAD rule

def test_mad_flags_the_one_high_value_with_its_robust_z():
    r = flag_outliers(ONE_HIGH, rule="mad")
    # median 6; absolute deviations 5,4,3,2,1,0,1,2,3,4,94 → MAD 3
    assert r.k == 3.5 and r.log is False and r.n == 11
    assert [(o.id, o.value, o.side) for o in r.outliers] == [("r10", 100.0, "high")]
    assert r.outliers[0].score == pytest.approx(94 / (3 * MAD_FACTOR), rel=1e-12)
    assert r.centre == 6 and r.spread == pytest.approx(3 * MAD_FACTOR)
    assert r.low_fence == pytest.approx(6 - 3.5 * 3 * MAD_FACTOR)
    assert r.high_fence == pytest.approx(6 + 3.5 * 3 * MAD_FACTOR)
    assert (r.n_high, r.n_low) == (1, 0)
    assert r.sides["r10"] == "high" and (r.sides.drop("r10") == "").all()


def test_mad_flags_a_symmetric_low_value_with_a_negative_z():
    r = flag_outliers(ONE_LOW, rule="mad")
    # median 5; deviations 105,4,3,2,1,0,1,2,3,4,5 → MAD 3
    assert [(o.id, o.side) for o in r.outliers] == [("r0", "low")]
    assert r.outliers[0].score == pytest.approx(-105 / (3 * MAD_FACTOR), rel=1e-12)
    assert (r.n_high, r.n_low) == (0, 1)


def test_k_moves_the_fence():
    # robust z of 100 is 21.1: flagged at k = 21, not at k = 22
    assert flag_outliers(ONE_HIGH, rule="mad", k=21).ids == ("r10",)
    assert flag_outliers(ONE_HIGH, rule="mad", k=22).ids == ()


# ------------------------------------------------------------------------- Tukey's fences

def test_tukey_fences_and_distance_in_iqrs():
    r = flag_outliers(ONE_HIGH, rule="tukey")
    # Q1 3.5, Q3 8.5 (linear interpolation), IQR 5 → fences -4 and 16; (100 - 16) / 5 = 16.8
    assert r.k == 1.5
    assert (r.low_fence, r.high_fence) == (-4.0, 16.0)
    assert [(o.id, o.side, o.score) for o in r.outliers] == [("r10", "high", pytest.approx(16.8))]


def test_tukey_low_side():
    r = flag_outliers(ONE_LOW, rule="tukey")
    # Q1 2.5, Q3 7.5, IQR 5 → low fence -5; (-100 - -5) / 5 = -19
    assert [(o.id, o.side, o.score) for o in r.outliers] == [("r0", "low", pytest.approx(-19.0))]


def test_outliers_are_listed_farthest_first():
    r = flag_outliers(series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 60, -200]), rule="tukey")
    assert [o.id for o in r.outliers] == ["r11", "r10"]
    assert r.table()["region_id"].tolist() == ["r11", "r10"]


# ------------------------------------------------------------------------------- refusals

def test_four_values_are_refused_with_the_minimum():
    with pytest.raises(AnalysisError, match=r"at least 5 regions with values; 4 have one"):
        flag_outliers(series([1, 2, 3, 400]))


def test_missing_values_do_not_count_towards_the_minimum():
    with pytest.raises(AnalysisError, match=r"4 have one here \(2 left out\)"):
        flag_outliers(series([1, 2, 3, 400, np.nan, "n/a"]))


@pytest.mark.parametrize("rule", ["mad", "tukey"])
def test_constant_values_are_refused(rule):
    with pytest.raises(AnalysisError, match=r"All 6 values are the same \(7\)"):
        flag_outliers(series([7] * 6), rule=rule)


def test_zero_mad_is_refused_and_says_why():
    with pytest.raises(AnalysisError, match="median absolute deviation is zero: more than half"):
        flag_outliers(series([1, 1, 1, 1, 1, 2, 50]), rule="mad")
    # Tukey's rule still works there: Q1 1, Q3 1.5
    assert flag_outliers(series([1, 1, 1, 1, 1, 2, 50]), rule="tukey").ids == ("r6",)


def test_zero_iqr_is_refused_and_says_why():
    with pytest.raises(AnalysisError, match="interquartile range is zero"):
        flag_outliers(series([0, 5, 5, 5, 5, 5, 5, 9]), rule="tukey")


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "three", True])
def test_bad_k_is_refused(bad):
    with pytest.raises(AnalysisError, match="k must be a number above zero"):
        flag_outliers(ONE_HIGH, rule="mad", k=bad)


def test_unknown_rule_is_refused():
    with pytest.raises(AnalysisError, match="Unknown outlier rule 'zscore'; one of: mad, tukey"):
        flag_outliers(ONE_HIGH, rule="zscore")


# ------------------------------------------------------------------------------ log scale

MONEY = series([100, 200, 300, 400, 500, 1_000, 20_000])      # 200 times the smallest


def test_log_scale_rule_for_money():
    assert use_log_scale(MONEY, "USD") is True
    assert use_log_scale(MONEY, "USD per resident") is True
    assert use_log_scale(MONEY, "crashes") is False            # not money
    assert use_log_scale(MONEY, None) is False
    assert use_log_scale(series([100, 200, 300, 400, 9_999]), "USD") is False   # < 100 times
    assert use_log_scale(series([0, 200, 300, 400, 50_000]), "USD") is False    # a zero


def test_log_scale_fences_are_in_the_original_units():
    r = flag_outliers(MONEY, rule="mad", unit="USD")
    assert r.log is True
    logs = np.log(MONEY.to_numpy())
    med = np.median(logs)
    mad = np.median(np.abs(logs - med)) * MAD_FACTOR
    assert r.centre == pytest.approx(med)
    assert r.high_fence == pytest.approx(np.exp(med + 3.5 * mad))
    assert r.low_fence == pytest.approx(np.exp(med - 3.5 * mad))
    assert r.ids == ("r6",)
    assert r.outliers[0].score == pytest.approx((np.log(20_000) - med) / mad)
    assert "on a log scale" in r.method


def test_zero_and_negative_values_on_a_log_scale_are_excluded_and_counted():
    values = series([0, -50, 100, 200, 300, 400, 500, 1_000, 20_000])
    r = flag_outliers(values, rule="tukey", log=True)
    assert r.n == 7
    [ex] = r.excluded
    assert ex.ids == ("r0", "r1") and ex.count == 2
    assert ex.reason == "zero or negative: not on a log scale"
    assert "r0" not in r.sides.index


def test_missing_values_are_excluded_and_counted():
    values = pd.concat([ONE_HIGH, pd.Series({"x1": np.nan, "x2": "n/a"})])
    r = flag_outliers(values, rule="mad")
    [ex] = r.excluded
    assert ex.ids == ("x1", "x2") and ex.reason == "no value"
    assert r.ids == ("r10",) and r.n == 11


def test_many_flags_on_a_linear_scale_suggest_the_log_scale():
    skewed = series([1, 1.2, 1.5, 2, 2.2, 2.5, 3, 3.3, 3.6, 4, 40, 50])
    r = flag_outliers(skewed, rule="tukey", log=False)
    assert r.ids == ("r11", "r10")             # Q1 1.875, Q3 3.7: upper fence 6.4375
    assert r.high_fence == pytest.approx(6.4375)
    assert [str(p) for p in r.problems] == [
        "2 of 12 regions are flagged: the values may be skewed rather than out of line; a log "
        "scale may suit them better."]


# -------------------------------------------------- the demo: federal money per resident

@pytest.fixture(scope="module")
def per_resident_by_state():
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest("geodata/workspaces/us_federal"))
    mv = map_values(data, MeasureSpec(level="state", measure="per_capita",
                                      table="obligations_total", span=(2024, 2024)))
    return mv.values, mv.unit


@pytest.mark.parametrize("rule", ["mad", "tukey"])
def test_north_dakota_is_a_high_outlier_by_both_rules(per_resident_by_state, rule):
    values, unit = per_resident_by_state
    r = flag_outliers(values, rule=rule, unit=unit)
    # $8,400 to $113,231 per resident: under 100 times the smallest, so not on a log scale
    assert r.log is False and r.k == DEFAULT_K[rule]
    first = r.outliers[0]
    assert (first.id, first.side, round(first.value)) == ("38", "high", 113_231)
    assert {"38", "11"} <= set(r.ids)                      # North Dakota, District of Columbia
    assert r.n == 52 and r.excluded[0].count == 4          # territories without population
    # and on the log scale too
    assert "38" in flag_outliers(values, rule=rule, log=True).ids


# -------------------------------------------------------------------------------- box map

def test_box_map_of_the_inline_series():
    b = box_map(ONE_HIGH)
    assert b.bins == (-4.0, 3.5, 6.0, 8.5, 16.0, 100.0)
    assert b.counts == (0, 3, 3, 2, 2, 1)
    assert b.class_ids["r10"] == 5 and b.outlier_classes == (0, 5)
    assert b.class_ids.tolist() == mapclassify.BoxPlot(ONE_HIGH.to_numpy()).yb.tolist()
    assert b.labels() == [
        "Low outliers (up to −4)", "Below 25% (1 to 3.5)", "25%–50% (over 3.5 to 6)",
        "50%–75% (over 6 to 8.5)", "Above 75% (over 8.5 to 16)", "Upper outliers (over 16)"]


def test_box_map_keeps_six_classes_without_outliers():
    b = box_map(series([1, 2, 3, 4, 5, 6, 7, 8]))
    assert b.k == 6 and b.counts[0] == 0 and b.counts[5] == 0
    assert b.bins[5] == b.bins[4]            # the upper fence: no value above it


def test_box_map_against_mapclassify_documented_example():
    cal = pd.Series(mapclassify.load_example().to_numpy(), index=[str(i) for i in range(58)])
    b = box_map(cal)
    # mapclassify's BoxPlot docstring: bins and counts on calemp
    assert b.bins == pytest.approx((-52.87625, 2.5675, 9.365, 39.53, 94.97375, 4111.45))
    assert b.counts == (0, 15, 14, 14, 6, 9)
    assert sorted(int(i) for i in b.class_ids.index[b.class_ids == 5]) == \
        [0, 6, 18, 29, 33, 36, 37, 40, 42]


def test_box_map_refuses_a_zero_iqr():
    with pytest.raises(AnalysisError, match="interquartile range is zero"):
        box_map(series([0, 5, 5, 5, 5, 5, 5, 9]))


def test_box_map_on_a_log_scale_matches_tukeys_rule_there():
    b = box_map(MONEY, log=True)
    r = flag_outliers(MONEY, rule="tukey", log=True)
    assert set(b.class_ids.index[b.class_ids.isin([0, 5])]) == set(r.ids)
    assert b.bins[4] == pytest.approx(r.high_fence)


def test_box_map_colours_through_the_classify_module():
    b = box_map(pd.concat([ONE_HIGH, pd.Series({"x": np.nan})]))
    colours = colours_for(b.to_classification(), "Blues")
    assert colours["x"] == colours_for(b.to_classification(), "Blues")["x"]
    assert b.class_ids["x"] == -1 and b.no_data_count == 1
    entries = b.legend_entries("Blues")
    assert [e.label for e in entries][-2:] == ["Upper outliers (over 16)", "No data"]
    assert entries[5].colour == colours["r10"]


# ---------------------------------------------------------------------------- percentiles

def test_percentile_classes_against_mapclassify_documented_example():
    cal = pd.Series(mapclassify.load_example().to_numpy(), index=[str(i) for i in range(58)])
    p = percentile_classes(cal)
    assert p.bins == pytest.approx((0.1357, 0.553, 9.365, 213.914, 2179.948, 4111.45))
    assert p.counts == (1, 5, 23, 23, 5, 1)
    assert p.outlier_classes == (0, 5)
    assert percentile_classes(cal, pct=(50, 100)).counts == (29, 29)


def test_percentile_labels():
    p = percentile_classes(ONE_HIGH)
    labels = p.labels()
    assert labels[0] == "Lowest 1% (up to 1.1)"
    assert labels[2] == "Percentiles 10 to 50 (over 2 to 6)"
    assert labels[-1] == "Top 1% (over 91)"


@pytest.mark.parametrize("pct", [(1, 10, 50), (50, 10, 100), (0, 50, 100), (100,), "abc"])
def test_bad_percentiles_are_refused(pct):
    with pytest.raises(AnalysisError, match="Percentiles must rise from above 0 to 100"):
        percentile_classes(ONE_HIGH, pct=pct)


# ---------------------------------------------------------------------------- head / tail

def test_head_tail_against_mapclassify_documented_example():
    cal = pd.Series(mapclassify.load_example().to_numpy(), index=[str(i) for i in range(58)])
    h = head_tail(cal)
    assert h.bins == pytest.approx((125.92810345, 811.26, 4111.45))
    assert h.counts == (50, 7, 1)
    assert h.outlier_classes == (2,)


def test_head_tail_of_a_small_series():
    h = head_tail(series([1, 2, 3, 4, 100]))
    assert h.bins == (22.0, 100.0) and h.counts == (4, 1)
    assert h.labels() == ["1 to 22", "Over 22 to 100"]


# -------------------------------------------------------------------------------- Chinese

def test_messages_and_labels_in_chinese():
    r = flag_outliers(ONE_HIGH, rule="tukey")
    b = box_map(ONE_HIGH)
    with use("zh"):
        assert str(r.method).startswith("异常值：")
        assert r.score_label() == "超出界限的四分位距倍数"
        assert b.labels()[0] == "低端异常值（不超过−4）"
        assert b.labels()[-1] == "高端异常值（超过16）"
        with pytest.raises(AnalysisError) as err:
            flag_outliers(series([1, 2, 3, 400]))
        assert str(err.value) == "识别异常值至少需要5个有数值的地区；此处只有4个。"
    assert str(r.method).startswith("Outliers: values below Q1 − 1.5 × IQR")


def test_results_pickle():
    r = flag_outliers(ONE_HIGH, rule="mad")
    back = pickle.loads(pickle.dumps(r))
    assert back.outliers == r.outliers and str(back.method) == str(r.method)
    b = pickle.loads(pickle.dumps(box_map(ONE_HIGH)))
    assert b.labels()[-1] == "Upper outliers (over 16)"
