"""The bad-input fixture workspace: every page runs, problems are listed, data text stays text."""
from __future__ import annotations

import pytest

from tests.app.conftest import metric, open_page, registered_pages, rerun, texts
from tests.fixtures.helpers import XSS_NAME

WS = "bad_workspace"


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_runs_on_bad_input(bad_workspace, page):
    at = open_page(page, WS)
    assert at.session_state["ws"] == WS
    assert [t.value for t in at.title]


def test_data_quality_lists_every_problem(bad_workspace):
    at = open_page("pages/data_quality.py", WS)
    # Each problem is a Markdown line: an icon and a word for its severity, then the text.
    lines = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith(":material/")]
    shown = "\n".join(lines)
    for expected in (
        "regions.geojson, column 'geometry', line 3: 1 region(s) have an empty geometry",
        "regions.geojson, column 'geometry', line 2: 1 invalid geometr",
        "allocations.csv, column 'county_fips', lines 2, 4: 2 key(s) had lost their leading zeros",
        "allocations.csv, column 'amount', line 5: 1 value(s): not a number",
        "allocations.csv, column 'county_fips', lines 8, 9: 2 key(s) on 2 row(s) match no "
        "county of the boundary layer; 125.25 USD is not placed on the map",
        "allocations.csv, column 'county_fips', line 10: 1 row(s) have no region; 20.00 USD",
        "allocations.csv, column 'amount', line 6: 1 negative amount(s)",
        "allocations.csv, column 'amount', line 11: 1 blank value(s)",
        "population.csv, column 'population', line 3: 1 zero population",
        "population.csv, column 'population', line 4: 1 negative population",
        "population.csv, column 'region_id', line 5: 1 key(s) on 1 row(s) match no county of "
        "the boundary layer; their population figures are kept but not drawn on the map: "
        "01005 (2023)",
        "indicators.csv, column 'region_id', line 5: 1 key(s) on 1 row(s) match no county of "
        "the boundary layer; their values are kept but not drawn on the map: 99998 (2023)",
    ):
        assert expected in shown, expected
    assert int(metric(at, "Rows left out")) == 2
    assert int(metric(at, "Repaired on read")) == 3
    assert int(metric(at, "Warnings")) == 7
    assert int(metric(at, "Notes")) == 1
    assert at.download_button(key="dl_problems") is not None


def test_one_map_on_bad_input_reconciles_and_keeps_names_as_text(bad_workspace):
    at = open_page("pages/one_map.py", WS, panel="diagnostics")
    assert at.title[0].value == "Grants, FY2023"
    assert metric(at, "Counties with data") == "3 of 3"
    assert metric(at, "Not placed on the map") == "$145.25"
    shown = texts(at)
    assert "— reconciles to the cent" in shown
    # The ledger total to the cent, with "$" escaped so Markdown does not typeset maths.
    assert "**ledger total** \\$368,001,469.65" in shown
    assert "**not placed** \\$145.25" in shown
    assert "<img" not in "\n".join(str(m.value) for m in at.markdown)
    # The hostile name is data: a selectable region, shown escaped in the detail heading.
    at.session_state["panel"] = "detail"
    rerun(at)
    at.selectbox(key="region_pick").set_value("01007")
    rerun(at)
    heads = [str(h.value) for h in at.subheader]
    assert any("&lt;img src=x onerror=alert\\(1\\)&gt;" in h for h in heads), heads
    assert not any(XSS_NAME in h for h in heads)
