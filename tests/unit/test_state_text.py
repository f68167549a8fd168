"""View values as the URL writes them, and link values the map must refuse; one fiscal year
written once; the formats of table columns and chart axes."""
from __future__ import annotations

import math

import pytest

from ui import state


def test_centre_keeps_its_comma_and_spans_their_dash():
    assert state.url_text("center", (42.3601, -71.0589)) == "42.36010,-71.05890"
    assert state.url_text("years", (2012, 2017)) == "2012-2017"
    assert state.url_text("agencies", ["A", "B"]) == "A|B"
    assert state.url_text("average", True) == "1"
    assert state.url_text("region", None) == ""
    assert state.parse_center(state.url_text("center", (42.36, -71.06))) == (42.36, -71.06)


@pytest.mark.parametrize("raw", ["nan", "inf", "-1", "99", "x"])
def test_zoom_off_the_scale_is_refused(raw):
    with pytest.raises(ValueError):
        state.parse_zoom(raw)
    assert not math.isnan(state.parse_zoom("4.25"))


# ----------------------------------------------------------------------------- fiscal years
def test_a_span_of_one_fiscal_year_is_written_once():
    from ui.text import years_text

    assert years_text("FY", 2022, 2022) == "FY2022"
    assert years_text("FFY", 2026, 2030) == "FFY2026–FFY2030"


# ----------------------------------------------------------------------------- table columns
@pytest.mark.parametrize("unit,values,fmt,step", [
    ("USD per resident", [14566.23, 9974.3], "dollar", 1),
    ("USD", [444574383098.88], "dollar", 1),
    ("USD", [2.5, 3.75], "dollar", 0.01),
    ("%", [19.16, 7.89], "%.1f%%", 0.1),
    ("%", [0.52, 2.9], "%.2f%%", 0.01),
    ("EUR", [1200.0], "euro", 1),
    ("GBP", [1200.0], "%,.0f GBP", 1),
    ("crashes", [1234.0, float("nan")], "localized", 1),
    ("", [0.0123], "localized", 0.001),
])
def test_number_columns_format_by_unit_and_size(unit, values, fmt, step):
    from ui.text import number_column

    col = number_column("Label", unit, values)
    assert col["label"] == "Label"
    assert {k: col["type_config"][k] for k in ("format", "step")} == {"format": fmt, "step": step}


def test_signed_change_columns():
    from ui.text import number_column

    assert number_column("Δ", "", [-0.58, 2.98], signed=True)["type_config"]["format"] == "%+,.2f"
    assert number_column("Δ", "%", [-0.58, 2.98], signed=True)["type_config"]["format"] == "%+.2f%%"
    assert number_column("Δ", "USD", [-580.0], signed=True)["type_config"]["format"] == "$%+,.0f"


def test_axis_labels_are_compact_in_each_language():
    from layers.trend_chart import axis_label_expr

    en = axis_label_expr("USD", "en")
    assert "'$' + " in en and "'B'" in en and "'M'" in en and "'K'" not in en
    assert ">= 1000000 ?" in en                                   # compact from a million
    zh = axis_label_expr("USD", "zh")
    assert "'亿'" in zh and "'万'" in zh and zh.endswith("+ '美元'") and "'$'" not in zh
    assert axis_label_expr("%", "en").endswith("+ '%'")


def test_a_bar_chart_of_amounts_has_the_compact_axis():
    import pandas as pd

    from layers.trend_chart import amounts_bar_chart

    frame = pd.DataFrame({"fiscal_year": [2023, 2024], "amount": [1.5e10, 1.6e10]})
    spec = amounts_bar_chart(frame, x="fiscal_year", y="amount", x_title="Fiscal year",
                             y_title="Amount (USD)", unit="USD").to_dict()
    axis = spec["encoding"]["y"]["axis"]
    assert axis["title"] == "Amount (USD)" and "'B'" in axis["labelExpr"]
