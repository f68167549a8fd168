"""AppTest of the Per capita page: controls set by key change what is shown, both workspaces."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/per_capita.py"


def open_page(ws: str = "us_federal", **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.session_state["ws"] = ws
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Metric values by label, without the unit in brackets: {"Overall rate": "$1,234"}."""
    return {m.label.split(" (")[0]: m.value for m in at.metric}


def labels(at: AppTest) -> list[str]:
    return [m.label for m in at.metric]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_us_state_per_resident_with_vintage_note_and_unit():
    at = open_page("us_federal")
    m = metrics(at)
    assert m["Overall rate"].startswith("$")
    assert "Overall rate (per resident)" in labels(at)
    assert "Unit: **USD per resident**" in captions(at)
    # obligations run FY2008-2024, state population 2010-2024: the nearest vintage is named
    # for the two years before 2010, and every later year uses its own population
    assert "Population for 2008–2009 uses the 2010 estimate (nearest year available)." \
        in captions(at)
    assert "2020 estimate" not in captions(at)
    assert "Federal obligations" in at.subheader[0].value


def test_span_and_average_change_the_numbers():
    at = open_page("us_federal")
    cumulative = metrics(at)["Overall rate"]
    at.select_slider(key="pc_years").set_value((2015, 2016)).run()
    two_years = metrics(at)["Overall rate"]
    assert two_years != cumulative
    at.toggle(key="pc_average").set_value(True).run()
    assert "average per year" in at.subheader[0].value
    assert metrics(at)["Overall rate"] != two_years
    assert at.query_params["pc_years"] == "2015-2016"


def test_per_thousand_and_small_population_threshold():
    at = open_page("us_federal")
    at.radio(key="pc_per").set_value("1000").run()
    assert "Overall rate (per 1,000 residents)" in labels(at)
    assert "USD per 1,000 residents" in captions(at)
    assert metrics(at)["Small populations"] == "0 of 56"
    at.number_input(key="pc_small").set_value(1_000_000).run()
    assert "Small populations (< 1,000,000)" in labels(at)
    flagged = metrics(at)["Small populations"]
    assert flagged.split(" of ")[0] not in ("0", "")   # WY, VT, DC, AK, ND, SD, DE


def test_change_and_side_by_side_views():
    at = open_page("us_federal")
    at.radio(key="pc_view").set_value("change").run()
    assert not at.exception
    at.selectbox(key="pc_from").set_value(2019).run()
    at.selectbox(key="pc_to").set_value(2021).run()
    cols = list(at.dataframe[0].value.columns)
    assert "FY2019 (USD per resident)" in cols and "FY2021 (USD per resident)" in cols
    at.radio(key="pc_view").set_value("compare").run()
    at.radio(key="pc_cmp").set_value("tables").run()
    assert not at.exception, [e.message for e in at.exception]
    movers = at.dataframe[0].value
    assert "rank_moved" in movers.columns and len(movers) == 56
    at.selectbox(key="pc_table").set_value("obligations").run()
    at.radio(key="pc_cmp").set_value("agencies").run()
    assert not at.exception, [e.message for e in at.exception]
    # agency amounts are small: the automatic rate switches to per 1,000 residents
    assert any("per 1,000 residents" in c for c in at.dataframe[0].value.columns) or \
        "per resident" in at.subheader[0].value


def test_difference_from_overall_rate_and_drill_down():
    at = open_page("us_federal")
    at.toggle(key="pc_relative").set_value(True).run()
    assert at.selectbox(key="pc_palette").value == "RdBu"
    at.selectbox(key="pc_drill").set_value("06").run()    # California
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["pc_level"] == "county"
    assert at.session_state["pc_parent"] == "06"
    assert "California" in at.markdown[0].value
    assert at.query_params["pc_parent"] == "06"
    assert "grants by county" in at.subheader[0].value
    ranking = at.dataframe[0].value
    assert len(ranking) == 58 and ranking.index.str.startswith("06").all()
    at.button(key="pc_up").click().run()
    assert at.session_state["pc_level"] == "state" and at.session_state["pc_parent"] == ""


def test_link_reopens_a_drilled_view():
    at = open_page("us_federal", pc_level="county", pc_parent="44", pc_table="county_grants")
    assert at.session_state["pc_parent"] == "44"
    assert len(at.dataframe[0].value) == 5            # Rhode Island's 5 counties


def test_boston_towns_use_the_2000_population_with_a_note():
    at = open_page("boston_region")
    assert "2026–2030 uses the 2000 estimate" in captions(at)
    assert "TIP" in at.subheader[0].value
    m = metrics(at)
    assert m["Overall rate"].startswith("$")
    ranking = at.dataframe[0].value
    assert len(ranking) == 97
    at.radio(key="pc_view").set_value("change").run()
    assert not at.exception
    at.radio(key="pc_change").set_value("percent").run()
    assert not at.exception
