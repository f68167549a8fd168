"""Money per resident and an outcome over the years, on one chart with two vertical axes; and
the compact axis labels every chart of amounts uses ("$15B", not "15,000,000,000").

Built with Altair (Vega-Lite), which Streamlit draws in the browser from its own bundled
scripts: nothing is fetched from the network.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from locales import current, t

MONEY_COLOUR = "#1b6ca8"      # blue, solid line, left axis
OUTCOME_COLOUR = "#d95f02"    # orange, dashed line, right axis (colour-blind safe pair)

#: Compact steps of an axis label per language, largest first, used from a million up (as
#: layers.numbers writes figures: M, B, T in English; 万, 亿, 万亿 in Chinese).
_STEPS = {"en": ((1e12, "T"), (1e9, "B"), (1e6, "M")),
          "zh": ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))}
_COMPACT_FROM = 1e6


def axis_label_expr(unit: str = "", lang: str | None = None) -> str:
    """A Vega expression writing an axis value compactly, in its unit: "$15B", "1.2M",
    "12.5%", "3,400" (Chinese "150亿美元", "1.2万"). Values below the smallest step keep their
    thousands separators; negative values get a minus sign (U+2212)."""
    from locales import use

    from .numbers import currency_name

    lang = lang or current()
    u = (unit or "").strip()
    code = u.split(" ")[0]
    steps = _STEPS.get(lang, _STEPS["en"])
    number = f"format(abs(datum.value) / {steps[-1][0]:.0f}, ',.3~r') + '{steps[-1][1]}'"
    for scale, word in reversed(steps[:-1]):
        number = (f"(abs(datum.value) >= {scale:.0f} ? "
                  f"format(abs(datum.value) / {scale:.0f}, ',.3~r') + '{word}' : {number})")
    number = (f"(abs(datum.value) >= {_COMPACT_FROM:.0f} ? {number} : "
              "format(abs(datum.value), ',~f'))")
    if u == "%":
        text = f"{number} + '%'"
    elif len(code) == 3 and code.isascii() and code.isalpha() and code.isupper():
        if code == "USD" and lang != "zh":
            text = f"'$' + {number}"
        else:
            with use(lang):
                name = currency_name(code)
            text = f"{number} + '{'' if name != code else ' '}{name}'"
    else:
        text = number
    return f"(datum.value < 0 ? '\u2212' : '') + {text}"


def amount_axis(title: str, unit: str = "", **kwargs) -> alt.Axis:
    """An axis of amounts with compact labels (see :func:`axis_label_expr`)."""
    return alt.Axis(title=title, labelExpr=axis_label_expr(unit), **kwargs)


def trend_chart(frame: pd.DataFrame, *, money_title: str, outcome_title: str,
                money_unit: str = "", outcome_unit: str = "", height: int = 320) -> alt.LayerChart:
    """Two lines over ``frame`` (columns year, money, outcome): money on the left axis, the
    outcome on the right axis, each on its own scale. Years without a value leave a gap."""
    data = frame[["year", "money", "outcome"]].copy()
    data["year"] = data["year"].astype(int)
    x = alt.X("year:O", title=t("Year (money: fiscal year; outcome: calendar year)"),
              axis=alt.Axis(labelAngle=0))
    tooltip = [alt.Tooltip("year:O", title=t("Year")),
               alt.Tooltip("money:Q", title=money_title,
                           format="$,.0f" if money_unit == "USD" else ",.0f"),
               alt.Tooltip("outcome:Q", title=outcome_title, format=",.2f")]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    money = base.mark_line(point=True, color=MONEY_COLOUR).encode(
        y=alt.Y("money:Q", title=money_title,
                axis=amount_axis(money_title, money_unit, titleColor=MONEY_COLOUR,
                                 orient="left")))
    outcome = base.mark_line(point=True, color=OUTCOME_COLOUR, strokeDash=[5, 3]).encode(
        y=alt.Y("outcome:Q", title=outcome_title, scale=alt.Scale(zero=False),
                axis=amount_axis(outcome_title, outcome_unit, titleColor=OUTCOME_COLOUR,
                                 orient="right")))
    # Room on the right for the outcome's vertical title, which would otherwise be clipped.
    return alt.layer(money, outcome).resolve_scale(y="independent").properties(
        height=height, padding={"left": 5, "top": 5, "bottom": 5, "right": 20})


def amounts_bar_chart(frame: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
                      unit: str = "", height: int = 220) -> alt.Chart:
    """Bars of amounts (e.g. a region's money by fiscal year) with a compact value axis."""
    return alt.Chart(frame[[x, y]]).mark_bar(color=MONEY_COLOUR).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=amount_axis(y_title, unit)),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title),
                 alt.Tooltip(f"{y}:Q", title=y_title,
                             format="$,.0f" if unit == "USD" else ",.0f")],
    ).properties(height=height)
