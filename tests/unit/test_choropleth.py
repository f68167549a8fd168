"""The choropleth view: one place where a value becomes a class and a class a colour."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.choropleth import build_choropleth, rank_text
from layers.palettes import NO_DATA_COLOUR, NO_DATA_LABEL

IDS = ["a", "b", "c", "d", "e", "f", "g"]
VALUES = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": np.nan, "e": 50.0, "f": np.inf,
                    "zz": 99.0})   # g has no value at all; zz is not a feature


def view(**kw):
    args = dict(title="Money", unit="USD", scheme="quantiles", k=3)
    args.update(kw)
    return build_choropleth(IDS, VALUES, **args)


def test_nan_inf_and_absent_fall_in_no_data():
    v = view()
    assert list(v.region_ids) == IDS
    ids = dict(zip(IDS, v.class_ids.tolist()))
    assert ids["d"] == ids["f"] == ids["g"] == -1
    assert all(ids[r] >= 0 for r in "abce")
    assert v.values.index.tolist() == IDS            # "zz" dropped, order of features
    nd = v.legend[-1]
    assert nd.label == NO_DATA_LABEL and nd.class_id == -1 and nd.count == 3
    assert nd.colour == NO_DATA_COLOUR


def test_legend_counts_sum_to_regions_and_colours_match_legend():
    for scheme, kw in (("quantiles", {}), ("equal_interval", {}), ("natural_breaks", {}),
                       ("user_defined", {"breaks": [2, 10]})):
        v = view(scheme=scheme, **kw)
        assert sum(e.count for e in v.legend) == len(IDS), scheme
        colour_by_class = {e.class_id: e.colour for e in v.legend}
        assert v.colours() == [colour_by_class[c] for c in v.class_ids.tolist()], scheme
        for c in range(len(v.class_colours)):
            assert (v.class_ids == c).sum() == v.legend[c].count
        assert [v.colour_of(r) for r in IDS] == v.colours()


def test_user_defined_breaks_put_values_in_the_expected_class():
    v = view(scheme="user_defined", breaks=[2, 10])
    ids = dict(zip(IDS, v.class_ids.tolist()))
    assert (ids["a"], ids["b"], ids["c"], ids["e"]) == (0, 0, 1, 2)


def test_value_text_and_tooltip_rows():
    pop = pd.Series({"a": 1234, "b": None, "c": 5, "e": 7})
    v = view(population=pop)
    assert v.value_text[IDS.index("d")] == NO_DATA_LABEL
    labels = [label for label, _ in v.tooltip_rows]
    assert labels == ["Population", "Rank"]
    popt = dict(zip(IDS, v.tooltip_rows[0][1]))
    assert popt["a"] == "1,234" and popt["b"] == "—"
    rank = dict(zip(IDS, v.tooltip_rows[1][1]))
    assert rank["e"] == "1 of 4" and rank["a"] == "4 of 4" and rank["d"] == "—"


def test_reverse_palette_flips_colours():
    a, b = view(), view(reverse=True)
    assert list(a.class_colours) == list(reversed(b.class_colours))
    assert a.class_ids.tolist() == b.class_ids.tolist()


def test_diverging_around_a_centre():
    vals = pd.Series({"a": -50.0, "b": -5.0, "c": 0.0, "e": 10.0, "f": 80.0})
    v = build_choropleth(IDS, vals, title="Change", unit="%", scheme="diverging", k=5, centre=0.0,
                         palette="RdBu")
    ids = dict(zip(IDS, v.class_ids.tolist()))
    assert ids["a"] < ids["c"] < ids["f"]


def test_rank_text():
    assert rank_text(pd.Series([3.0, np.nan, 9.0])).tolist() == ["2 of 2", "—", "1 of 2"]


def test_tooltip_values_carry_the_full_unit_and_the_legend_only_the_amount():
    v = build_choropleth(["a", "b"], pd.Series({"a": 317.5, "b": 12.25}), title="Money",
                         unit="USD per resident", scheme="user_defined", breaks=[100])
    assert v.value_text == ("$317.50 per resident", "$12.25 per resident")
    assert "per resident" not in " ".join(e.label for e in v.legend)


def test_map_payload_names_the_map_and_its_legend_for_a_screen_reader():
    import json

    from layers.map_payload import MapOptions, map_options_json, values_payload

    v = view()
    o = json.loads(map_options_json(v, MapOptions()))
    assert o["title"] == "Money"                         # on the legend, whatever the page
    assert o["txt"]["name"] == "Map: Money" and o["txt"]["skip"] == "Skip the map"
    assert o["fit"] == [16, 320]
    assert json.loads(map_options_json(v, MapOptions(fit_window=False)))["fit"] is None
    legend = json.loads(values_payload(v))["legend"]
    assert legend[-1][:3] == ["No data", NO_DATA_COLOUR, "3"]


def test_map_words_tooltips_and_no_data_in_chinese():
    import json

    from layers.map_payload import MapOptions, map_options_json, values_payload
    from locales import use

    with use("zh"):
        pop = pd.Series({"a": 1234, "b": None, "c": 5, "e": 7})
        v = view(population=pop)
        o = json.loads(map_options_json(v, MapOptions()))
        legend = json.loads(values_payload(v))["legend"]
    assert [label for label, _ in v.tooltip_rows] == ["人口", "排名"]
    assert dict(zip(IDS, v.tooltip_rows[1][1]))["e"] == "第 1 名，共 4 个"
    assert o["txt"]["name"] == "地图：Money" and o["txt"]["skip"] == "跳过地图"
    assert (o["txt"]["count"], o["txt"]["hide"], o["txt"]["lang"]) == ("地区", "隐藏", "zh")
    assert legend[-1][0] == "无数据"
