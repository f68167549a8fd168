"""The class schemes that keep outliers apart (box map, percentiles, head/tail breaks) are
schemes of layers.classify: classify() and the legend name their classes, money goes on the log
scale as analysis.outliers judges it, a link can ask for them, and a pooled span of years puts
one year in the same named classes."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import outliers as O
from layers import classify as C
from layers.choropleth import build_choropleth
from layers.classify import classify, classify_into, legend_entries, use_log_scale
from locales import use


def series(values, prefix="r"):
    return pd.Series(values, index=[f"{prefix}{i}" for i in range(len(values))], dtype=float)


ONE_FAR = series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200])


def test_the_three_schemes_are_registered_with_their_own_labels():
    for name in ("box_map", "percentiles", "head_tail"):
        info = C.SCHEMES[name]
        assert not info.uses_k and not info.needs_breaks
    assert C.SCHEMES["box_map"].labels is C.box_map_labels
    assert C.SCHEMES["percentiles"].labels is C.percentile_labels
    assert C.SCHEMES["head_tail"].labels is None          # plain ranges
    assert "log scale" in C.SCHEMES["box_map"].description


def test_box_map_classes_and_labels_on_the_original_scale():
    c = classify(ONE_FAR, "box_map", 5)
    # Q1 3.5, median 6, Q3 8.5, IQR 5: fences −4 and 16
    assert c.bins == (-4.0, 3.5, 6.0, 8.5, 16.0, 200.0)
    assert c.counts == (0, 3, 3, 2, 2, 1) and not c.log
    assert c.class_ids["r10"] == 5
    assert c.labels() == ["Low outliers (up to −4)", "Below 25% (1 to 3.5)",
                          "25%–50% (over 3.5 to 6)", "50%–75% (over 6 to 8.5)",
                          "Above 75% (over 8.5 to 16)", "Upper outliers (over 16)"]
    rows = legend_entries(c, "YlGnBu")
    assert [r.label for r in rows][-2:] == ["Upper outliers (over 16)", "No data"]
    assert [r.count for r in rows] == [0, 3, 3, 2, 2, 1, 0]


def test_one_box_map_implementation_for_the_analysis_page_and_every_map():
    page = O.box_map(ONE_FAR)
    scheme = classify(ONE_FAR, "box_map", 5)
    assert page.bins == scheme.bins and page.counts == scheme.counts
    assert page.labels() == scheme.labels()
    assert O.box_map_bins is C.box_map_bins and O.head_tail_bins is C.head_tail_bins
    assert O.percentile_bins is C.percentile_bins and O.use_log_scale is C.use_log_scale


def test_money_spread_over_two_orders_of_magnitude_goes_on_the_log_scale():
    assert use_log_scale(ONE_FAR, "USD per resident")        # 200 / 1 >= 100
    assert not use_log_scale(ONE_FAR, "%")
    c = classify(ONE_FAR, "box_map", 5, unit="USD per resident")
    assert c.log
    logs = np.log(ONE_FAR.to_numpy())
    q1, q3 = np.percentile(logs, [25, 75])
    assert c.bins[0] == pytest.approx(math.exp(q1 - 1.5 * (q3 - q1)))
    assert c.bins[4] == pytest.approx(math.exp(q3 + 1.5 * (q3 - q1)))
    assert c.bins[-1] == 200.0 and c.counts == (0, 3, 3, 2, 2, 1)
    # the same classes as the Analysis page's box map on the log scale
    page = O.box_map(ONE_FAR, log=None, unit="USD per resident")
    assert page.bins == pytest.approx(c.bins) and page.counts == c.counts
    # a value that is a break stays in its class after the round trip through the log
    v = series([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 5000])
    b = classify(v, "head_tail", 1, unit="USD")
    assert b.log and sum(b.counts) == 11 and b.bins[-1] == 5000.0
    assert b.class_ids["r10"] == b.k - 1


def test_box_map_on_the_log_scale_would_be_wrong_without_the_unit():
    plain = classify(ONE_FAR, "box_map", 5, unit="residents")
    assert not plain.log and plain.bins[4] == 16.0


def test_percentile_classes_and_labels():
    v = series(range(1, 101))
    c = classify(v, "percentiles", 5)
    assert c.k == 6 and c.counts == (1, 9, 40, 40, 9, 1)
    assert c.labels(lambda x: f"{x:g}") == [
        "Lowest 1% (up to 1.99)", "Percentiles 1 to 10 (over 1.99 to 10.9)",
        "Percentiles 10 to 50 (over 10.9 to 50.5)", "Percentiles 50 to 90 (over 50.5 to 90.1)",
        "Percentiles 90 to 99 (over 90.1 to 99.01)", "Top 1% (over 99.01)"]
    assert c.params == C.DEFAULT_PCT


def test_head_tail_breaks_match_the_analysis_page():
    v = series([1, 1, 2, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144])
    c = classify(v, "head_tail", 5)
    page = O.head_tail(v)
    assert c.bins == page.bins and c.counts == page.counts
    assert c.labels()[0].endswith(f"to {C.format_number(c.bins[0])}")


def test_a_year_in_classes_of_the_pooled_span_keeps_their_labels():
    pooled = pd.concat([ONE_FAR, series([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "s")],
                       ignore_index=True)
    classes = classify(pooled, "box_map", 5)
    year = series([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, np.nan], "y")
    c = classify_into(year, classes)
    assert c.bins == classes.bins and c.lower == classes.lower
    assert c.labels() == classes.labels()
    assert sum(c.counts) == 10 and c.no_data_count == 1
    assert c.counts[-1] == 0                                 # no outlier this year
    view = build_choropleth(list(year.index), year, title="T", unit="USD", classes=classes)
    assert view.scheme == "box_map"
    assert [e.label for e in view.legend][:6] == classes.labels(
        lambda x: C.format_number(x, "USD"))


def test_empty_input_has_no_classes():
    assert classify(series([]), "box_map", 5).k == 0
    assert classify(series([np.nan, np.inf]), "percentiles", 5).k == 0


def test_labels_in_chinese():
    with use("zh"):
        labels = classify(ONE_FAR, "box_map", 5).labels()
    assert labels[0] == "低端异常值（不超过−4）"
    assert labels[-1] == "高端异常值（超过16）"


# ------------------------------------------------------------------ offered and linkable
def test_the_new_schemes_are_offered_and_resolvable_from_a_link(us):
    from geodata.viewstate import Choices, resolve_view

    offered = Choices([], [], [], [], [], [], []).schemes
    assert {"box_map", "percentiles", "head_tail"} <= set(offered)
    vs, ignored = resolve_view(us, {"level": "state", "measure": "per_capita",
                                    "scheme": "box_map"})
    assert vs.scheme == "box_map" and ignored == []
    assert vs.class_spec().scheme == "box_map"


def test_controls_and_per_capita_name_every_scheme_they_offer():
    from ui.controls import SCHEME_LABELS
    from ui.one_map import SCHEMES as CAPTIONS
    from ui.per_capita import SCHEMES as PC

    for name in C.SCHEMES:
        assert name in SCHEME_LABELS and name in CAPTIONS
    assert {"box_map", "percentiles", "head_tail", "auto"} <= set(PC)


def test_a_few_refunds_keep_money_on_the_log_scale_in_the_lowest_class():
    # 40 positive values over three orders of magnitude and one negative (2.4% of 41)
    values = pd.Series([float(x) for x in np.geomspace(1, 1000, 40)] + [-5.0],
                       index=[f"r{i}" for i in range(41)])
    assert use_log_scale(values, "USD per resident")
    c = classify(values, "box_map", 5, unit="USD per resident")
    assert c.log and int(c.class_ids["r40"]) == 0
    # the Analysis page's box map places it the same way; the outlier rule leaves it out, counted
    page = O.box_map(values, log=True, unit="USD per resident")
    assert int(page.class_ids["r40"]) == 0 and page.no_data_count == 0
    res = O.flag_outliers(values, rule="mad", unit="USD per resident")
    assert res.log and res.n == 40 and res.n_excluded == 1
    assert "two orders of magnitude" in str(res.method)


def test_many_values_at_or_below_zero_keep_money_off_the_log_scale():
    values = pd.Series([float(x) for x in np.geomspace(1, 1000, 18)] + [-5.0, 0.0],
                       index=[f"r{i}" for i in range(20)])        # 10% at or below zero
    assert not use_log_scale(values, "USD")
    assert not classify(values, "box_map", 5, unit="USD").log
    assert not use_log_scale(pd.Series([-1.0, 5.0]), "USD")      # one positive value: no span


def test_the_box_maps_statement_counts_what_it_classified():
    values = pd.Series([float(x) for x in np.geomspace(1, 1000, 40)] + [-5.0, float("nan")],
                       index=[f"r{i}" for i in range(42)])
    page = O.box_map(values, log=True, unit="USD per resident")
    assert "41 regions classified" in str(page.method)
    assert "1 value(s) at or below zero" in str(page.method)
    assert [str(e.reason) for e in page.excluded] == ["no value"]
