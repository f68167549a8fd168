"""Condition schemes: classes at the bounds, range checks, configuration errors, colours."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.palettes import _relative_luminance
from layers.road_condition import (PRESETS, SchemeError, categorical_view, change_class,
                                   compatible, get_scheme, scheme_from_config, schemes_for)

PSI = PRESETS["psi_massdot_interstate"]


@pytest.mark.parametrize("score, label", [
    (5.0, "excellent"), (3.5, "excellent"), (3.4999, "good"), (3.0, "good"), (2.9999, "fair"),
    (2.5, "fair"), (2.4999, "poor"), (0.0, "poor")])
def test_psi_interstate_classes_at_the_bounds(score, label):
    assert PSI.label_of(PSI.classify([score])) == [label]


def test_town_bins_bounds_differ_from_interstate():
    bins = PRESETS["psi_massdot_town_bins"]
    assert bins.label_of(bins.classify([2.8, 2.79, 2.3, 2.29])) == ["good", "fair", "fair", "poor"]
    assert PSI.label_of(PSI.classify([2.8, 2.3])) == ["fair", "poor"]


@pytest.mark.parametrize("scheme, score, label", [
    ("pci_astm_d6433", 100, "Good"), ("pci_astm_d6433", 86, "Good"),
    ("pci_astm_d6433", 85, "Satisfactory"), ("pci_astm_d6433", 10, "Failed"),
    ("pci_astm_d6433", 11, "Serious"), ("pci_mtc_streetsaver", 90, "Excellent"),
    ("pci_mtc_streetsaver", 89.9, "Very Good"), ("pci_mtc_streetsaver", 25, "Poor"),
    ("pci_mtc_streetsaver", 24, "Failed"), ("pci_mtc_streetsaver", 50, "At-Risk")])
def test_pci_presets_at_the_bounds(scheme, score, label):
    s = PRESETS[scheme]
    assert s.label_of(s.classify([score])) == [label]


def test_missing_and_out_of_range_scores_are_no_data_and_reported():
    scores = [None, np.nan, "n/a", -0.1, 5.2, 3.2]
    assert PSI.label_of(PSI.classify(scores)) == ["No data"] * 5 + ["good"]
    assert PSI.out_of_range(scores).tolist() == [False, False, False, True, True, False]


def test_scheme_from_config_and_every_problem_listed():
    s = scheme_from_config("city", {"name": "City PCI", "score": "PCI", "range": [0, 100],
                                    "classes": [["good", 70, "#2166ac"], ["fair", 40],
                                                ["poor", 0]],
                                    "good_or_better": ["good"], "poor": ["poor"]})
    assert s.label_of(s.classify([70, 69.9, 40, 39])) == ["good", "fair", "fair", "poor"]
    assert s.colours[0] == "#2166ac" and len(set(s.colours)) == 3
    with pytest.raises(SchemeError) as exc:
        scheme_from_config("bad", {"classes": [["a", 10, "red"], ["b", 20], ["c", "x"]],
                                   "poor": ["zzz"]})
    text = str(exc.value)
    assert "colour" in text and "decrease" in text and "lower bound must be a number" in text
    assert "zzz" in text


def test_manifest_schemes_join_presets_and_unknown_name_lists_valid_ones():
    table = schemes_for({"schemes": {"mine": {"score": "PCI", "classes": [["ok", 50], ["bad", 0]]}}})
    assert "mine" in table and "psi_massdot_interstate" in table
    assert compatible(table, "PSI") == ["psi_massdot_interstate", "psi_massdot_town_bins"]
    with pytest.raises(KeyError, match="psi_massdot_interstate"):
        get_scheme("nope", table)


def test_colours_distinct_ordered_and_dark_enough_for_lines():
    for s in PRESETS.values():
        cols = s.colours
        assert len(set(cols)) == len(cols)
        assert all(c.lower() not in ("#00ff00", "#ff0000") for c in cols)
        # lines over a light fill: no class lighter than the pale middle of RdBu
        assert max(_relative_luminance(c) for c in cols) < 0.6
    # best is blue, worst red: the diverging order reads without red/green
    assert PSI.colours[0] == "#2166ac" and PSI.colours[-1] == "#b2182b"


def test_describe_names_every_class():
    assert PSI.describe() == ("PSI, MassDOT interstate classes: excellent ≥ 3.5, good 3–3.5, "
                              "fair 2.5–3, poor < 2.5")


def test_categorical_view_for_target_status():
    v = categorical_view(["a", "b", "c", "d"], pd.Series({"a": "met", "b": "missed", "c": "no data"}),
                         ["met", "at risk", "missed"], {"met": "#111111", "at risk": "#222222",
                                                        "missed": "#333333"}, title="t")
    assert v.class_ids.tolist() == [0, 2, -1, -1]
    assert v.colours()[:2] == ["#111111", "#333333"]
    assert [e.count for e in v.legend] == [1, 0, 1, 2]


def test_change_classes():
    assert change_class([0.6, 0.2, 0.0, -0.2, -0.6, None]).tolist() == [0, 1, 2, 3, 4, -1]


def test_categorical_view_names_categories_in_the_readers_words():
    v = categorical_view(["a", "b", "c"], pd.Series({"a": "met", "b": "missed"}),
                         ["met", "missed"], {"met": "#111111", "missed": "#333333"}, title="t",
                         labels={"met": "Met", "missed": "Missed"})
    assert [e.label for e in v.legend] == ["Met", "Missed", "No data"]
    assert v.value_text == ("Met", "Missed", "No data")


def test_zero_class_view_sets_zeros_apart_and_classes_the_rest():
    from layers.road_condition import ZERO_COLOUR, zero_class_view

    ids = ["a", "b", "c", "d", "e", "f", "g"]
    values = pd.Series({"a": 0.0, "b": 0.0, "c": 0.0, "d": 1.0, "e": 2.0, "f": 4.0, "g": np.nan})
    v = zero_class_view(ids, values, zero_label="No poor miles", title="Poor", unit="%", k=3)
    assert v.class_ids.tolist() == [0, 0, 0, 1, 2, 3, -1]
    assert [(e.label, e.count, e.class_id) for e in v.legend][0] == ("No poor miles", 3, 0)
    assert v.legend[-1].count == 1 and v.legend[-1].class_id == -1
    assert v.colours()[0] == ZERO_COLOUR and v.colours()[-1] == v.no_data_colour
    assert not any(e.label.startswith("0%") for e in v.legend[1:])
    assert v.value_text[:3] == ("0%",) * 3
    # ranks count every value, zeros included (they share the last place)
    ranks = dict(v.tooltip_rows)["Rank"]
    assert ranks[5] == "1 of 6" and ranks[0] == "4 of 6"
    # no zero, or the reader's own breaks: the plain choropleth
    plain = zero_class_view(ids, values + 1, zero_label="x", title="Poor", unit="%", k=3)
    assert plain.legend[0].label != "x"
    own = zero_class_view(ids, values, zero_label="x", title="Poor", unit="%",
                          scheme="user_defined", breaks=[1, 3])
    assert all(e.label != "x" for e in own.legend)


def test_presets_read_in_chinese():
    from locales import use

    with use("zh"):
        assert PSI.describe() == ("PSI，马萨诸塞州交通部州际公路分级：优秀 ≥ 3.5, 良好 3–3.5, "
                                  "一般 2.5–3, 较差 < 2.5")
        assert [r[0] for r in PSI.legend([1, 2, 3, 4])] == ["优秀", "良好", "一般", "较差", "无数据"]


def test_a_scheme_of_more_classes_than_default_colours_says_so():
    classes = [[f"c{i}", 90 - 10 * i] for i in range(9)] + [["bottom", 0]]
    with pytest.raises(SchemeError) as exc:
        scheme_from_config("many", {"classes": classes})
    assert "default colours exist for 2 to 7 classes, this scheme has 10" in str(exc.value)
