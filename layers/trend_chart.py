"""Money per resident and an outcome over the years, on one chart with two vertical axes.

Built with Altair (Vega-Lite), which Streamlit draws in the browser from its own bundled
scripts: nothing is fetched from the network.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

MONEY_COLOUR = "#1b6ca8"      # blue, solid line, left axis
OUTCOME_COLOUR = "#d95f02"    # orange, dashed line, right axis (colour-blind safe pair)


def trend_chart(frame: pd.DataFrame, *, money_title: str, outcome_title: str,
                height: int = 320) -> alt.LayerChart:
    """Two lines over ``frame`` (columns year, money, outcome): money on the left axis, the
    outcome on the right axis, each on its own scale. Years without a value leave a gap."""
    data = frame[["year", "money", "outcome"]].copy()
    data["year"] = data["year"].astype(int)
    x = alt.X("year:O", title="Year (money: fiscal year; outcome: calendar year)",
              axis=alt.Axis(labelAngle=0))
    tooltip = [alt.Tooltip("year:O", title="Year"),
               alt.Tooltip("money:Q", title=money_title, format=",.0f"),
               alt.Tooltip("outcome:Q", title=outcome_title, format=",.2f")]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    money = base.mark_line(point=True, color=MONEY_COLOUR).encode(
        y=alt.Y("money:Q", title=money_title,
                axis=alt.Axis(titleColor=MONEY_COLOUR, orient="left", format=",.0f")))
    outcome = base.mark_line(point=True, color=OUTCOME_COLOUR, strokeDash=[5, 3]).encode(
        y=alt.Y("outcome:Q", title=outcome_title, scale=alt.Scale(zero=False),
                axis=alt.Axis(titleColor=OUTCOME_COLOUR, orient="right")))
    return alt.layer(money, outcome).resolve_scale(y="independent").properties(height=height)
