"""Overview, money and results, data quality and sources: widgets change what is shown."""
from __future__ import annotations

from tests.app.conftest import metric, open_page, rerun, texts


def test_overview_lists_levels_and_tables():
    at = open_page("pages/overview.py", "us_federal")
    frames = [df.value for df in at.dataframe]
    levels = next(f for f in frames if "level" in f.columns and "regions" in f.columns)
    regions = dict(zip(levels["level"], levels["regions"]))
    assert regions["State"] == 56 and regions["County"] > 3000
    tables = next(f for f in frames if "table" in f.columns)
    assert "Federal obligations, all agencies" in tables["table"].tolist()


def test_money_and_results_level_and_indicator():
    at = open_page("pages/money_results.py", "us_federal")
    assert at.title[0].value == "Money and results"
    shown = texts(at)
    assert "Per-capita personal income" in shown
    assert "Rank correlation" in shown
    at.radio(key="bv_level").set_value("county")
    rerun(at)
    after = texts(at)
    assert after != shown
    assert "Unemployment rate" in after or "no funding table" in after


def test_money_and_results_boston():
    at = open_page("pages/money_results.py", "boston_region")
    before = at.caption[0].value
    box = at.selectbox(key="bv_indicator")
    assert len(box.options) > 1
    box.select_index(1)
    rerun(at)
    assert at.caption[0].value != before
    assert at.selectbox(key="bv_indicator").index == 1


def test_data_quality_counts_and_lists_problems():
    at = open_page("pages/data_quality.py", "us_federal")
    assert at.title[0].value == "Data quality"
    shown = texts(at)
    # Retired county codes in the 2009 unemployment file are reported... or the page is clean.
    assert "Line numbers are as a spreadsheet shows them" in shown or \
        "No problems found" in shown
    counts = {label: int(metric(at, label).replace(",", ""))
              for label in ("Rows left out", "Warnings", "Repaired on read", "Notes")}
    listed = {icon: [t.value for t in at.text if t.value.startswith(icon)]
              for icon in ("⛔", "⚠", "🔧", "ℹ")}
    assert counts["Warnings"] == len(listed["⚠"])
    assert counts["Repaired on read"] == len(listed["🔧"])
    assert counts["Notes"] == len(listed["ℹ"])
    # Rows, not problems: every listed error accounts for at least one row.
    assert counts["Rows left out"] >= len(listed["⛔"])


def test_sources_lists_each_source():
    at = open_page("pages/sources.py", "us_federal")
    heads = [h.value for h in at.subheader]
    assert any("us\\-atlas" in h or "us-atlas" in h for h in heads)
    at.selectbox(key="ws").set_value("boston_region")
    rerun(at)
    assert [h.value for h in at.subheader] != heads
