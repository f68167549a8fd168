"""Overview, money and results, data quality and sources: what each shows, exactly, in English
and in Chinese; the widgets change what is shown; no emoji-only signal."""
from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT, metric, open_page, rerun, texts

# Emoji and pictographs (and the variation selector that turns a character into one): a
# browser without an emoji font draws these as empty boxes.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F]")


def all_text(at: AppTest) -> list[str]:
    """Every string the page sends: element values, labels, help, options and table cells."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)
    walk(at._tree)
    for df in at.dataframe:
        out += [str(c) for c in df.value.columns]
        out += [str(v) for v in df.value.to_numpy().ravel()]
    return out


# ----------------------------------------------------------------------------- Overview
def test_overview_lists_levels_and_tables_with_labels_and_no_empty_cells():
    at = open_page("pages/overview.py", "us_federal")
    levels, tables = (df.value for df in at.dataframe)
    assert levels.to_dict("records") == [
        {"Level": "State", "Areas": 56, "Boundary file": "counties-10m.json", "Within": "—"},
        {"Level": "County", "Areas": 3230, "Boundary file": "counties-10m.json",
         "Within": "State"}]
    assert list(tables.columns) == ["Table", "Kind", "Level", "Rows", "Total amount", "Years",
                                    "File"]
    rows = tables.set_index("Table")
    assert rows.loc["Federal obligations, all agencies"].to_dict() == {
        "Kind": "Money", "Level": "State", "Rows": 3876, "Total amount": "$60.2T",
        "Years": "FY2008–FY2024", "File": "obligations_total_by_state_quarter.csv"}
    # one fiscal year is written once ("FY2022", not "FY2022–FY2022")
    assert rows.loc["Federal grants by county, FY2022", "Years"] == "FY2022"
    assert rows.loc["Unemployment rate by state 2008-2024 (BLS LAUS)"].to_dict() == {
        "Kind": "Outcome indicators", "Level": "State", "Rows": 867, "Total amount": "—",
        "Years": "—", "File": "unemployment_state_2008_2024.csv"}
    # no cell is empty or None: every one says something
    for frame in (levels, tables):
        cells = frame.to_numpy().ravel().tolist()
        assert all(c is not None and str(c).strip() not in ("", "None", "nan") for c in cells)
    # the fiscal year said plainly, with a real year
    assert "FY2024 runs from 1 October 2023 to 30 September 2024. Amounts in USD. Data up to " \
           "2024-09-30." in texts(at)
    assert "FY N" not in texts(at)


def test_overview_in_chinese():
    at = open_page("pages/overview.py", "us_federal", lang="zh")
    assert [h.value for h in at.subheader] == ["边界层级", "数据表"]
    assert at.title[0].value == "US federal spending"            # data text as given
    assert "FY2024自2023年10月1日起至2024年9月30日止。金额单位：美元。数据截至 2024-09-30。" in texts(at)
    levels, tables = (df.value for df in at.dataframe)
    assert list(levels.columns) == ["层级", "地区数", "边界文件", "上级层级"]
    assert list(tables.columns) == ["数据表", "类型", "层级", "行数", "总金额", "年份", "文件"]
    assert tables.iloc[0]["类型"] == "资金"
    assert at.selectbox(key="lang").value == "zh"


# ----------------------------------------------------------------------------- Money and results
def _column_config(element) -> dict:
    return json.loads(element.proto.columns)


def test_money_and_results_table_has_labelled_formatted_columns():
    at = open_page("pages/money_results.py", "us_federal")
    assert at.title[0].value == "Money and results"
    assert at.session_state["bv_measure"] == "per_capita"      # per resident by default
    table = at.dataframe[0]
    frame = table.value
    assert list(frame.columns) == ["region_id", "name", "money", "outcome", "money_rank",
                                   "outcome_rank"]
    assert len(frame) == 51
    first = frame.iloc[0]
    assert (first["name"], first["money_rank"], first["outcome_rank"]) == ("North Dakota", 1, 19)
    config = _column_config(table)
    assert config["region_id"]["hidden"] is True
    assert config["name"]["label"] == "State"
    assert config["money"]["label"] == "Money per resident (USD)"
    assert config["money"]["type_config"] == {"type": "number", "format": "dollar", "step": 1}
    assert config["outcome"]["label"] == "Per-capita personal income (current dollars), 2024"
    assert config["outcome"]["type_config"]["format"] == "dollar"
    assert config["money_rank"]["label"] == "Rank by money"
    shown = texts(at)
    assert "Rank correlation between money and Per-capita personal income (current dollars): " \
           "+0.10 over 51 areas with both values" in shown
    # the totals, when chosen, have their own label and the currency format
    at.selectbox(key="bv_measure").set_value("total")
    rerun(at)
    config = _column_config(at.dataframe[0])
    assert config["money"]["label"] == "Total amount (USD)"
    assert config["money"]["type_config"] == {"type": "number", "format": "dollar", "step": 1}


def test_money_and_results_at_county_level():
    at = open_page("pages/money_results.py", "us_federal")
    at.radio(key="bv_level").set_value("county")
    rerun(at)
    assert at.session_state["bv_indicator"] == "Unemployment rate (% of labor force)"
    assert at.caption[0].value == ("Money: Federal grants by county, FY2022 per resident. "
                                   "Outcome: Unemployment rate (% of labor force), 2022 (lower is "
                                   "better).")
    config = _column_config(at.dataframe[0])
    assert config["name"]["label"] == "County"
    assert config["outcome"]["type_config"]["format"] == "%.1f%%"
    assert len(at.dataframe[0].value) == 3096
    # one year of money: said in the sidebar, and no change to compare
    assert "Fiscal year: FY2022 (the only year in this table)." in \
        [c.value for c in at.sidebar.caption]
    assert "Fewer than two years have both money and an outcome value: there is no change to " \
           "compare." in [i.value for i in at.info]


def test_money_and_results_boston_indicator_changes_the_caption():
    at = open_page("pages/money_results.py", "boston_region")
    assert at.caption[0].value == (
        "Money: TIP programmed funding FFY2026-2030 (Regional Target) per resident, FFY2026. "
        "Outcome: Average PSI, non-interstate NHS, 2014 (higher is better).")
    box = at.selectbox(key="bv_indicator")
    assert box.options == ["Average PSI, non-interstate NHS", "Crash fatalities",
                           "Crash injuries and fatalities", "Share of NHS miles in poor condition"]
    box.select_index(1)
    rerun(at)
    assert at.caption[0].value == (
        "Money: TIP programmed funding FFY2026-2030 (Regional Target) per resident, FFY2026. "
        "Outcome: Crash fatalities, 2014 (lower is better).")
    assert at.selectbox(key="bv_indicator").index == 1


def test_money_and_results_reports_a_link_year_it_cannot_show():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["ws"] = "us_federal"
    at.query_params["bv_years"] = "2030"
    at.switch_page("pages/money_results.py")
    rerun(at)
    assert at.session_state["bv_years"] == (2024, 2024)
    assert [w.value for w in at.warning] == [
        "Some link parameters were ignored: bv\\_years = '2030' (not available here)"]


# ----------------------------------------------------------------------------- Data quality
def problem_words(at: AppTest) -> list[str]:
    """The severity word of each line of the listing (":material/…: **Word**: …", in Chinese
    with a full-width colon)."""
    return [m.value.split("**")[1] for m in at.markdown if m.value.startswith(":material/")]


def test_data_quality_counts_and_lists_problems():
    at = open_page("pages/data_quality.py", "us_federal")
    assert at.title[0].value == "Data quality"
    assert "Line numbers are as a spreadsheet shows them" in texts(at)
    counts = {label: metric(at, label) for label in
              ("Rows left out", "Warnings", "Repaired on read", "Notes", "Zero or negative amounts")}
    assert counts == {"Rows left out": "1", "Warnings": "5", "Repaired on read": "3",
                      "Notes": "6", "Zero or negative amounts": "735"}
    words = problem_words(at)
    assert {w: words.count(w) for w in set(words)} == {"Error": 1, "Warning": 5, "Repaired": 3,
                                                         "Note": 6}
    error = next(m.value for m in at.markdown if m.value.startswith(":material/error:"))
    assert error.startswith(":material/error: **Error**: boundaries/counties-10m.json, "
                            "column 'geometry', line")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Severity", "File", "Column", "Lines", "Rows", "Problem",
                                   "Values found", "Expected", "Code"]
    assert sorted(table["Severity"]) == sorted(words)


def test_data_quality_shows_no_emoji():
    at = open_page("pages/data_quality.py", "us_federal")
    found = sorted({ch for text in all_text(at) for ch in EMOJI.findall(text)})
    assert found == []
    # every severity has an icon and a word
    for m in at.markdown:
        if m.value.startswith(":material/"):
            assert re.match(r":material/[a-z_]+: \*\*[A-Z][a-z]+\*\*: ", m.value), m.value


def test_data_quality_in_chinese():
    at = open_page("pages/data_quality.py", "us_federal", lang="zh")
    assert at.title[0].value == "数据质量"
    assert [m.label for m in at.metric] == ["未纳入的行", "警告", "读取时已修复", "说明", "零或负金额"]
    words = problem_words(at)
    assert {w: words.count(w) for w in set(words)} == {"错误": 1, "警告": 5, "已修复": 3, "备注": 6}
    assert all(m.value.split("**")[2].startswith("：") for m in at.markdown
               if m.value.startswith(":material/"))
    assert list(at.dataframe[0].value.columns) == ["严重程度", "文件", "列", "行号", "行数", "问题",
                                                   "发现的值", "应为", "代码"]
    assert at.download_button(key="dl_problems").label == "下载问题报告（CSV）"


# ----------------------------------------------------------------------------- Sources
def test_sources_lists_each_source():
    at = open_page("pages/sources.py", "us_federal")
    heads = [h.value.replace("\\", "") for h in at.subheader]
    assert heads[:3] == ["us-atlas counties-10m (TopoJSON)",
                         "USAspending spending by geography (state, quarterly, by funding agency "
                         "and total)",
                         "USAspending grants by county FY2022 (raw, messy)"]
    assert len(heads) == 10
    at.selectbox(key="ws").set_value("boston_region")
    rerun(at)
    assert [h.value.replace("\\", "") for h in at.subheader] == [
        "Boston Region MPO municipalities (97 towns)",
        "Boston Region MPO TIP FFYs 2026-2030, Regional Target program (final scenario)",
        "MassDOT crash data by town (CTPS performance dashboard)",
        "MassDOT Road Inventory pavement condition (PSI, IRI)",
        "CTPS Congestion Management Process 2019: express highway segments"]


# ----------------------------------------------------------------------------- links
@pytest.mark.parametrize("years", ["2030", "2030-2031", "2001-2024"])
def test_a_link_year_outside_the_table_is_reported_on_one_map(years):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["ws"] = "us_federal"
    at.query_params["years"] = years
    at.switch_page("pages/one_map.py")
    rerun(at)
    assert at.select_slider(key="years").value == (2024, 2024)
    assert f"Some link parameters were ignored: years = '{years}' (not available here)" in \
        [w.value for w in at.warning]


def test_ignored_link_notes_stay_with_the_page_the_link_opened():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["ws"] = "us_federal"
    at.query_params["years"] = "2030"
    at.switch_page("pages/one_map.py")
    rerun(at)
    assert any("years = '2030'" in w.value for w in at.warning)
    at.switch_page("pages/money_results.py")
    rerun(at)
    assert not any("ignored" in w.value for w in at.warning)


def test_a_value_the_app_wrote_into_the_link_is_not_reported_as_the_readers():
    at = open_page("pages/one_map.py", "us_federal")
    # The query string now carries a value the reader's link never had (as when the app wrote
    # the view of one table and reads it back for another): not used, and not reported as if
    # the reader's link had asked for it.
    at.query_params["indicator_year"] = "1800"
    rerun(at)
    at.selectbox(key="measure").set_value("indicator")
    rerun(at)
    assert at.selectbox(key="indicator_year").value == 2025     # the latest year, not 1800
    assert [w.value for w in at.warning if "ignored" in w.value] == []


def test_an_agency_without_money_that_year_is_said_in_a_sentence():
    at = open_page("pages/one_map.py", "us_federal")
    at.selectbox(key="table").set_value("obligations")
    rerun(at)
    at.select_slider(key="years").set_value((2008, 2008))
    rerun(at)
    at.multiselect(key="agencies").set_value(["Administrative Conference of the U.S."])
    rerun(at)
    assert "The agencies chosen have no money in FY2008 in this table: the map has no values. " \
           "Pick other agencies or years." in [i.value for i in at.sidebar.info]
    at.select_slider(key="years").set_value((2008, 2024))
    rerun(at)
    assert [i.value for i in at.sidebar.info] == []


@pytest.fixture
def money_only(tmp_path, monkeypatch):
    """A workspace with money and no outcome indicator."""
    from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, squares_geojson, write_geojson, \
        write_workspace

    ws = tmp_path / "money_only"
    write_geojson(ws / "regions.geojson", squares_geojson(3))
    write_workspace(ws, LEVEL_TOML + GRANTS_TOML,
                    {"grants.csv": "fips,fy,amount\n01001,2023,10\n01002,2023,20\n"})
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    return "money_only"


def test_money_and_results_says_why_there_is_nothing_to_compare(money_only):
    at = open_page("pages/money_results.py", money_only)
    assert [i.value for i in at.info] == [
        "There is no outcome indicator at the county level of this workspace: money cannot be "
        "compared with results here. Pick another level in the sidebar."]
    assert len(at.dataframe) == 0
