import math

import numpy as np
import pandas as pd
import pytest

from layers.classify import (
    SCHEMES,
    Classification,
    LegendEntry,
    classify,
    colours_for,
    fixed_breaks_across,
    format_number,
    legend_entries,
    scheme_names,
)
from layers.palettes import NO_DATA_COLOUR, get_palette

DATA_SCHEMES = ["quantiles", "equal_interval", "natural_breaks", "fisher_jenks_sampled"]
ALL_KW = {
    "quantiles": {},
    "equal_interval": {},
    "natural_breaks": {},
    "fisher_jenks_sampled": {},
    "user_defined": {"breaks": [0, 5]},
    "diverging": {"centre": 2.0},
}
#: schemes that keep outliers apart (tests/unit/test_classify_outlier_schemes.py)
OUTLIER_SCHEMES = {"box_map", "percentiles", "head_tail"}


def series(values, prefix="r"):
    return pd.Series(values, index=[f"{prefix}{i}" for i in range(len(values))], dtype=float)


def check_invariants(c: Classification, s: pd.Series):
    assert c.class_ids.index.equals(s.index)
    assert sum(c.counts) + c.no_data_count == len(s)
    assert len(c.counts) == c.k == len(c.bins)
    assert list(c.bins) == sorted(set(c.bins))
    assert all(isinstance(b, float) for b in c.bins)
    ids = c.class_ids.to_numpy()
    assert ((ids >= -1) & (ids < max(c.k, 0))).all()
    for i in range(c.k):
        assert (ids == i).sum() == c.counts[i]


def test_scheme_registry():
    assert set(scheme_names()) == set(ALL_KW) | OUTLIER_SCHEMES
    assert list(SCHEMES) == scheme_names()


@pytest.mark.parametrize("scheme", list(ALL_KW))
def test_nan_and_inf_are_no_data(scheme):
    s = series([1, np.nan, 4, np.inf, -np.inf, 10, 3, 7])
    c = classify(s, scheme, 3, **ALL_KW[scheme])
    check_invariants(c, s)
    assert c.no_data_count == 3
    assert (c.class_ids[["r1", "r3", "r4"]] == -1).all()
    assert (c.class_ids.drop(["r1", "r3", "r4"]) >= 0).all()


def test_non_numeric_and_none_are_no_data():
    s = pd.Series([1.0, None, "x", 3.0], index=list("abcd"), dtype=object)
    c = classify(s, "quantiles", 2)
    assert c.class_ids.tolist() == [0, -1, -1, 1]
    assert c.no_data_count == 2


@pytest.mark.parametrize("scheme", DATA_SCHEMES + ["diverging"])
def test_empty_series(scheme):
    s = pd.Series([], dtype=float)
    c = classify(s, scheme, 5)
    assert c.k == 0 and c.bins == () and c.counts == () and c.no_data_count == 0
    assert math.isnan(c.lower)
    assert c.labels() == []
    entries = legend_entries(c, "Blues")
    assert entries == [LegendEntry("No data", NO_DATA_COLOUR, 0, -1)]
    assert colours_for(c, "Blues").empty


@pytest.mark.parametrize("scheme", DATA_SCHEMES + ["diverging"])
def test_all_missing(scheme):
    s = series([np.nan, np.inf])
    c = classify(s, scheme, 5)
    assert c.k == 0
    assert c.class_ids.tolist() == [-1, -1]
    assert colours_for(c, "Blues").tolist() == [NO_DATA_COLOUR] * 2


@pytest.mark.parametrize("scheme", DATA_SCHEMES)
def test_one_distinct_value(scheme):
    s = series([3.5, 3.5, 3.5, np.nan])
    c = classify(s, scheme, 5)
    check_invariants(c, s)
    assert c.k == 1 and c.bins == (3.5,) and c.lower == 3.5
    assert c.counts == (3,)
    assert c.labels() == ["3.5"]
    assert colours_for(c, "Blues").tolist()[:3] == [get_palette("Blues", 3)[1]] * 3


@pytest.mark.parametrize("scheme", DATA_SCHEMES)
def test_two_distinct_values_give_two_classes(scheme):
    s = series([1, 1, 1, 9, 9])
    c = classify(s, scheme, 5)
    check_invariants(c, s)
    assert c.k == 2
    assert c.counts == (3, 2)
    blues = get_palette("Blues", 3)
    assert colours_for(c, "Blues").tolist() == [blues[0]] * 3 + [blues[2]] * 2


def test_single_value_diverging_at_centre():
    s = series([2.0, 2.0])
    c = classify(s, "diverging", 5, centre=2.0)
    assert c.k == 1 and c.counts == (2,)
    assert colours_for(c, "RdBu").tolist() == [get_palette("RdBu", 3)[1]] * 2


def test_quantiles_with_heavy_ties_no_empty_or_duplicate_classes():
    s = series([0] * 12 + [1, 2, 3, 50])
    c = classify(s, "quantiles", 5)
    check_invariants(c, s)
    assert all(n > 0 for n in c.counts)
    assert len(set(c.bins)) == c.k
    assert c.class_ids.iloc[:12].nunique() == 1


def test_quantiles_basic():
    s = series(range(1, 9))
    c = classify(s, "quantiles", 4)
    assert c.bins == (2.0, 4.0, 6.0, 8.0)
    assert c.counts == (2, 2, 2, 2)
    assert c.lower == 1.0
    assert c.labels() == ["1 to 2", "Over 2 to 4", "Over 4 to 6", "Over 6 to 8"]


def test_equal_interval_with_negative_values():
    s = series([-10, -5, 0, 5, 10])
    c = classify(s, "equal_interval", 4)
    check_invariants(c, s)
    assert c.bins == (-5.0, 0.0, 5.0, 10.0)
    assert c.lower == -10.0
    assert c.counts == (2, 1, 1, 1)
    assert c.labels()[:2] == ["\u221210 to \u22125", "Over \u22125 to 0"]


@pytest.mark.parametrize("scheme", DATA_SCHEMES)
def test_negative_values(scheme):
    s = series([-300, -250, -20, -15, -10, 0, 4, 80])
    c = classify(s, scheme, 3)
    check_invariants(c, s)
    assert c.lower == -300 and c.bins[-1] == 80
    assert c.class_ids["r0"] == 0 and c.class_ids["r7"] == c.k - 1


def test_user_defined_values_beyond_last_break_get_extra_class():
    s = series([-5, 0, 100, 999, 1000, 1500, np.nan])
    c = classify(s, "user_defined", 99, breaks=[1000, 100])
    check_invariants(c, s)
    assert c.open_top
    assert c.bins == (100.0, 1000.0, 1500.0)
    assert c.class_ids.tolist() == [0, 0, 0, 1, 1, 2, -1]
    labels = c.labels(lambda x: format_number(x))
    assert labels == ["\u22125 to 100", "Over 100 to 1,000", "Over 1,000"]


def test_user_defined_below_first_break_is_class_zero_and_empty_classes_kept():
    s = series([50, 60])
    c = classify(s, "user_defined", 3, breaks=[10, 20, 100])
    assert c.k == 3 and not c.open_top
    assert c.counts == (0, 0, 2)
    assert c.labels() == ["Up to 10", "Over 10 to 20", "Over 20 to 100"]
    empty = classify(pd.Series([], dtype=float), "user_defined", 3, breaks=[10, 20])
    assert empty.k == 2 and empty.counts == (0, 0)


@pytest.mark.parametrize("breaks", [None, [], [1, np.nan], ["a"]])
def test_user_defined_bad_breaks(breaks):
    with pytest.raises(ValueError):
        classify(series([1, 2]), "user_defined", 3, breaks=breaks)


@pytest.mark.parametrize("k", [4, 5])
def test_diverging_symmetric_around_non_zero_centre(k):
    centre = 12.0
    s = series([2, 9, 11, 12, 13, 15, 16])
    c = classify(s, "diverging", k, centre=centre)
    check_invariants(c, s)
    assert c.k == k and c.centre == centre
    edges = np.array((c.lower,) + c.bins)
    assert edges[0] == pytest.approx(2.0) and edges[-1] == pytest.approx(22.0)
    # edges mirror each other around the centre
    np.testing.assert_allclose(edges - centre, -(edges[::-1] - centre), atol=1e-9)
    below = [i for i in range(k) if c.bins[i] <= centre]
    above = [i for i in range(k) if (c.lower if i == 0 else c.bins[i - 1]) >= centre]
    assert len(below) == len(above) == k // 2
    if k % 2:
        mid = k // 2
        assert c.bins[mid - 1] < centre < c.bins[mid]
    assert c.class_ids["r3"] == (k // 2 - 1 if k % 2 == 0 else k // 2)


def test_diverging_default_centre_is_zero():
    c = classify(series([-1, 3]), "diverging", 2)
    assert c.centre == 0.0
    assert c.bins == (0.0, 3.0) and c.lower == -3.0


def test_diverging_rejects_nan_centre():
    with pytest.raises(ValueError):
        classify(series([1, 2]), "diverging", 3, centre=float("nan"))


def test_natural_breaks_deterministic_and_leaves_global_rng_alone():
    rng = np.random.default_rng(7)
    s = series(rng.lognormal(3, 1, 400))
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    first = classify(s, "natural_breaks", 5)
    assert np.random.random() == expected_next
    for _ in range(3):
        np.random.random(50)
        again = classify(s, "natural_breaks", 5)
        assert again.bins == first.bins
        assert again.class_ids.equals(first.class_ids)
    assert first.k == 5 and all(n > 0 for n in first.counts)


def test_fisher_jenks_sampled_deterministic():
    rng = np.random.default_rng(3)
    s = series(rng.normal(0, 1, 1000))
    a = classify(s, "fisher_jenks_sampled", 4)
    b = classify(s, "fisher_jenks_sampled", 4)
    assert a.bins == b.bins and a.k == 4
    check_invariants(a, s)


def test_unknown_scheme_lists_valid_names():
    with pytest.raises(ValueError) as err:
        classify(series([1, 2]), "jenks", 3)
    for name in scheme_names():
        assert name in str(err.value)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k(k):
    with pytest.raises(ValueError):
        classify(series([1, 2]), "quantiles", k)


def test_accepts_plain_list():
    c = classify([3, 1, 2], "equal_interval", 3)
    assert c.class_ids.tolist() == [2, 0, 1]


def test_colours_for_aligned_with_no_data():
    s = series([1, np.nan, 5, 9])
    c = classify(s, "equal_interval", 3)
    cols = colours_for(c, "YlOrRd")
    pal = get_palette("YlOrRd", 3)
    assert cols.index.equals(s.index)
    assert cols.tolist() == [pal[0], NO_DATA_COLOUR, pal[1], pal[2]]
    assert colours_for(c, "YlOrRd", reverse=True).tolist() == [
        pal[2], NO_DATA_COLOUR, pal[1], pal[0]
    ]


def test_colours_for_more_than_nine_classes():
    s = series(range(12))
    c = classify(s, "user_defined", 0, breaks=list(range(11)))
    assert c.k == 12
    cols = colours_for(c, "Blues")
    assert cols.nunique() == 12
    assert cols.iloc[0] == get_palette("Blues", 9)[0]
    assert cols.iloc[-1] == get_palette("Blues", 9)[-1]


def test_colours_for_unknown_palette():
    c = classify(series([1, 2, 3]), "quantiles", 3)
    with pytest.raises(ValueError, match="YlGnBu"):
        colours_for(c, "Jet")


def test_legend_entries_no_data_last_and_always_present():
    s = series([10, 20, 30, np.nan])
    c = classify(s, "quantiles", 3)
    entries = legend_entries(c, "Greens", lambda x: format_number(x, "%"))
    assert [e.class_id for e in entries] == [0, 1, 2, -1]
    assert entries[-1] == LegendEntry("No data", NO_DATA_COLOUR, 1, -1)
    assert [e.label for e in entries] == ["10%", "Over 10% to 20%", "Over 20% to 30%", "No data"]
    assert [e.colour for e in entries[:-1]] == get_palette("Greens", 3)
    assert [e.count for e in entries] == [1, 1, 1, 1]

    full = classify(series([10, 20, 30]), "quantiles", 3)
    last = legend_entries(full, "Greens")[-1]
    assert last.label == "No data" and last.count == 0


def test_fixed_breaks_across_frames():
    frames = {
        2020: series([1, 2, 3, np.nan]),
        2021: series([5, 8, 13]),
        2022: pd.Series([21.0, 34.0, np.inf]),
    }
    breaks = fixed_breaks_across(frames, "equal_interval", 3)
    assert breaks[-1] == 34.0 and len(breaks) == 3
    results = [classify(v, "user_defined", 3, breaks=breaks) for v in frames.values()]
    assert all(r.k == 3 and not r.open_top for r in results)
    assert results[0].class_ids.tolist() == [0, 0, 0, -1]
    assert results[2].class_ids.tolist() == [1, 2, -1]
    # same class -> same colour in every frame
    colours = [colours_for(r, "Blues") for r in results]
    assert colours[0].iloc[0] == colours[1].iloc[0] == get_palette("Blues", 3)[0]


def test_fixed_breaks_across_errors():
    with pytest.raises(ValueError):
        fixed_breaks_across({1: series([np.nan])}, "quantiles", 3)
    with pytest.raises(ValueError):
        fixed_breaks_across({1: series([1, 2])}, "user_defined", 3)
    with pytest.raises(ValueError, match="quantiles"):
        fixed_breaks_across({1: series([1, 2])}, "nope", 3)


@pytest.mark.parametrize(
    "value, unit, compact, expected",
    [
        (1_234_567, "USD", True, "$1.2M"),
        (91_234, "USD", True, "$91,234"),
        (12.5, "USD", True, "$12.50"),
        (1_234_567, "USD", False, "$1,234,567"),
        (2_500_000_000, "USD", True, "$2.5B"),
        (999_999_999, "USD", True, "$1B"),
        (1_234_567, "EUR", True, "1.2M EUR"),
        (91_234, "GBP", True, "91,234 GBP"),
        (12.5, "%", True, "12.5%"),
        (0.35, "%", True, "0.35%"),
        (1234, "crashes", True, "1,234 crashes"),
        (1234, None, True, "1,234"),
        (0, None, True, "0"),
        (-1_234_567, "USD", True, "\u2212$1.2M"),
        (-3.5, "%", True, "\u22123.5%"),
        (-1234, "crashes", True, "\u22121,234 crashes"),
        (-0.0001, "USD", True, "$0"),
        (0.0012, None, True, "0.0012"),
        (float("nan"), "USD", True, "No data"),
        (None, "%", True, "No data"),
        (float("inf"), None, True, "No data"),
        (np.float64(91234.4), "USD", True, "$91,234"),
    ],
)
def test_format_number(value, unit, compact, expected):
    assert format_number(value, unit, compact=compact) == expected


# ---------------------------------------------------------------- numbers and legends per language
@pytest.mark.parametrize(
    "value, unit, compact, expected",
    [
        (1.4e12, "USD", True, "1.4万亿美元"),
        (1.4e12, "CNY", True, "1.4万亿元"),
        (6838, "CNY", True, "6,838元"),
        (14_407, "USD", True, "14,407美元"),
        (12.5, "USD", True, "12.50美元"),
        (1_234_567, "USD", True, "123万美元"),           # compact from a million, as in English
        (999_999, "USD", True, "999,999美元"),
        (99_996_000, "CNY", True, "1亿元"),             # 9,999.6万 rounds up to the next unit
        (1_234_000_000, None, True, "12.3亿"),
        (1_234_567, "USD", False, "1,234,567美元"),
        (1_234_567, "EUR", True, "123万欧元"),
        (1_234_567, "CHF", True, "123万 CHF"),
        (317.5, "USD per resident", True, "人均317.50美元"),
        (3.2, "USD per 1,000 residents", True, "每1,000人3.20美元"),
        (12.5, "%", True, "12.5%"),
        (3230, None, True, "3,230"),
        (1234, "人", True, "1,234人"),
        (1234, "crashes", True, "1,234 crashes"),
        (-1_234_567, "USD", True, "\u2212123万美元"),
        (float("nan"), "USD", True, "无数据"),
    ],
)
def test_format_number_in_chinese(value, unit, compact, expected):
    from locales import use

    with use("zh"):
        assert format_number(value, unit, compact=compact) == expected


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        (1.4e12, "USD", "$1.4T"),
        (1.4e12, "CNY", "1.4T CNY"),
        (317.5, "USD per resident", "$317.50 per resident"),
        (3.2, "USD per 1,000 residents", "$3.20 per 1,000 residents"),
        (-12, "USD per resident", "\u2212$12 per resident"),
        (12, "USD per lane-mile", "$12 per lane-mile"),
    ],
)
def test_format_number_rates_and_other_currencies_in_english(value, unit, expected):
    assert format_number(value, unit) == expected


def test_unit_labels_name_the_unit_in_the_readers_language():
    from layers.numbers import unit_label
    from locales import use

    assert [unit_label(u) for u in ("USD", "USD per resident", "USD per 1,000 residents", "%",
                                    "crashes")] == \
        ["USD", "USD per resident", "USD per 1,000 residents", "%", "crashes"]
    with use("zh"):
        assert [unit_label(u) for u in ("USD", "CNY", "USD per resident",
                                        "USD per 1,000 residents", "%", "crashes")] == \
            ["美元", "元", "美元/人", "美元/1,000人", "%", "crashes"]


def test_legend_labels_say_which_class_holds_each_boundary_in_both_languages():
    from locales import use

    s = series([1.2e9, 150e9, 200e9, 310e9, 400e9, np.nan])
    c = classify(s, "user_defined", 3, breaks=[150e9, 310e9])
    assert c.class_ids.tolist() == [0, 0, 1, 1, 2, -1]      # 150B in the first class, 310B in the second

    def money(x):
        return format_number(x, "USD")

    assert [e.label for e in legend_entries(c, "Blues", money)] == \
        ["$1.2B to $150B", "Over $150B to $310B", "Over $310B", "No data"]
    with use("zh"):
        assert [e.label for e in legend_entries(c, "Blues", money)] == \
            ["12亿美元至1,500亿美元", "超过1,500亿美元至3,100亿美元", "超过3,100亿美元", "无数据"]
        empty_first = classify(series([50, 60]), "user_defined", 3, breaks=[10, 20, 100])
        assert empty_first.labels() == ["不超过10", "超过10至20", "超过20至100"]
