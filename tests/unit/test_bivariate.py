"""Money × results: 3×3 class ids (3·y + x), counts, colours and an escaped legend."""
from __future__ import annotations

import numpy as np
import pandas as pd

from layers.bivariate import build_bivariate, legend_html
from layers.palettes import BIVARIATE_3X3, NO_DATA_COLOUR
from tests.fixtures.helpers import XSS_NAME

IDS = [f"r{i}" for i in range(11)]


def build(x, y, **kw):
    return build_bivariate(IDS, pd.Series(x), pd.Series(y), x_label="Money", y_label="Jobs",
                           x_unit="USD", y_unit="%", **kw)


def test_class_ids_are_three_y_plus_x_and_counts_add_up():
    # r0..r8: x and y in tertiles by construction; r9 lacks y, r10 lacks x.
    x = {f"r{i}": float(v) for i, v in enumerate([1, 2, 3, 10, 11, 12, 20, 21, 22, 5])}
    y = {f"r{i}": float(v) for i, v in enumerate([1, 10, 20, 2, 11, 21, 3, 12, 22])}
    y["r10"] = 5.0
    view, legend = build(x, y)
    cid = dict(zip(IDS, view.class_ids.tolist()))
    # x tertile = i // 3, y tertile = i % 3 → class 3·y + x
    for i in range(9):
        assert cid[f"r{i}"] == 3 * (i % 3) + i // 3, i
    assert cid["r9"] == -1 and cid["r10"] == -1
    assert legend.counts == ((1, 1, 1), (1, 1, 1), (1, 1, 1))
    assert legend.no_data == 2
    assert sum(e.count for e in view.legend) == len(IDS)
    assert view.legend[-1].class_id == -1 and view.legend[-1].colour == NO_DATA_COLOUR
    # The colour of every feature is the grid colour of its class.
    for rid, colour in zip(IDS, view.colours()):
        c = cid[rid]
        assert colour == (NO_DATA_COLOUR if c < 0 else BIVARIATE_3X3[c // 3][c % 3])


def test_high_money_low_outcome_lands_bottom_right():
    x = {f"r{i}": float(i) for i in range(9)}
    y = {f"r{i}": float(8 - i) for i in range(9)}
    view, legend = build(x, y)
    assert view.class_ids[0] == 6          # little money, high outcome: y=2, x=0
    assert view.class_ids[8] == 2          # much money, low outcome: y=0, x=2
    assert legend.counts[0][2] == 3 and legend.counts[2][0] == 3


def test_too_few_distinct_values_still_spread_over_low_and_high():
    x = {f"r{i}": (1.0 if i < 5 else 2.0) for i in range(10)}
    y = {f"r{i}": float(i) for i in range(10)}
    view, legend = build(x, y)
    xs = {c % 3 for c in view.class_ids.tolist() if c >= 0}
    assert xs == {0, 2}
    assert sum(map(sum, legend.counts)) == 10


def test_nan_and_inf_are_no_data():
    x = {"r0": np.inf, "r1": 1.0, "r2": 2.0, "r3": 3.0}
    y = {"r0": 1.0, "r1": np.nan, "r2": 2.0, "r3": 3.0}
    view, legend = build(x, y)
    assert view.class_ids[0] == -1 and view.class_ids[1] == -1
    assert legend.no_data == len(IDS) - 2


def test_legend_html_escapes_labels():
    x = {f"r{i}": float(i) for i in range(9)}
    view, legend = build_bivariate(IDS, pd.Series(x), pd.Series(x), x_label="Money",
                                   y_label=XSS_NAME, x_unit="USD", y_unit="%")
    html = legend_html(legend)
    assert XSS_NAME not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<td title=") == 9


def test_legend_words_in_chinese():
    from locales import use

    x = {f"r{i}": float(v) for i, v in enumerate([1, 2, 3, 10, 11, 12, 20, 21, 22])}
    y = {f"r{i}": float(v) for i, v in enumerate([1, 10, 20, 2, 11, 21, 3, 12, 22])}
    with use("zh"):
        view, legend = build(x, y)
        html = legend_html(legend)
    assert view.legend[0].label == "Money低，Jobs低" and view.legend[8].label == "Money高，Jobs高"
    assert view.legend[-1].label == "无数据"
    assert legend.x_ranges == ("1美元至3美元", "超过3美元至12美元", "超过12美元至22美元")
    assert "无数据：2" in html and dict(view.tooltip_rows)["按money排名"]
