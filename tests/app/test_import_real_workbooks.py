"""The real messy workbooks of ../shared/data/outcomes/raw/ import through the Import page
without outside edits: a county workbook with notes rows, and a workbook with one sheet per
year whose older sheets are laid out and named differently."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from tests.app.conftest import REPO, metric, texts
from tests.app.test_import_page import _run, _start, _value, root  # noqa: F401 - fixture

RAW = REPO.parent / "shared" / "data" / "outcomes" / "raw"
LAUS = RAW / "laucnty12_marshmatthew1324.xlsx"
BRIDGES = RAW / "fhwa_nbi_fccount_bridge_condition_by_functional_class_2000_2025.xlsx"
ATLAS = REPO / "geodata" / "workspaces" / "us_federal" / "boundaries" / "counties-10m.json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _boundaries(at, layer: str, label: str):
    at.file_uploader(key="imp_b_upload").set_value(("counties-10m.json", ATLAS.read_bytes(),
                                                    "application/json"))
    _run(at)
    at.selectbox(key="imp_b_layer").set_value(layer)
    at.text_input(key="imp_b_label").set_value(label)
    return _run(at)


@pytest.mark.skipif(not LAUS.exists(), reason="shared data not present")
def test_county_unemployment_workbook_with_notes_rows(root):
    at = _boundaries(_start(), "counties", "County")
    at.radio(key="imp_t0_kind").set_value("indicators")
    _run(at)
    at.file_uploader(key="imp_t0_file_upload").set_value((LAUS.name, LAUS.read_bytes(), XLSX))
    _run(at)
    assert _value(at, "number_input", "imp_t0_skip") == 2          # SOURCE and date lines
    assert (_value(at, "selectbox", "imp_t0_year"), _value(at, "selectbox", "imp_t0_value"),
            _value(at, "selectbox", "imp_t0_key")) == ("Year", "(%)", "Name")
    assert metric(at, "Matched by") == "area name"
    # "Autauga County, AL" → Autauga (01001): the suffix and the state are read, not guessed
    matched = int(metric(at, "Rows matched with the crosswalk").split(" of ")[0].replace(",", ""))
    assert matched >= 3_150, matched
    at.text_input(key="imp_t0_ind").set_value("Unemployment rate")
    at.text_input(key="imp_t0_unit").set_value("%")
    at.text_input(key="imp_w_title").set_value("County unemployment 2012")
    at.text_input(key="imp_w_id").set_value("laus")
    _run(at)
    at.button(key="imp_w_save").click()
    _run(at)
    data = WorkspaceData(load_manifest(root / "laus"))
    values = data.indicators("county")
    assert len(values) >= 3_150
    autauga = values[(values["region_id"] == "01001")]
    assert autauga["value"].tolist() == [7.1] and autauga["year"].tolist() == [2012]
    table_errors = [p for p in data.problems if p.severity == "error"
                    and p.file.endswith(".xlsx") and p.code != "unknown_key"]
    assert not table_errors, [p.text() for p in table_errors]


@pytest.mark.skipif(not BRIDGES.exists(), reason="shared data not present")
def test_bridge_workbook_with_a_sheet_per_year(root):
    at = _boundaries(_start(), "states", "State")
    at.radio(key="imp_t0_kind").set_value("indicators")
    _run(at)
    at.file_uploader(key="imp_t0_file_upload").set_value((BRIDGES.name, BRIDGES.read_bytes(),
                                                          XLSX))
    _run(at)
    at.selectbox(key="imp_t0_sheet").set_value("*")
    _run(at)
    # older sheets are laid out and named differently: both proposed, both said
    assert _value(at, "checkbox", "imp_t0_each") is True
    assert _value(at, "checkbox", "imp_t0_bypos") is True
    shown = texts(at)
    assert "2016: header on rows 5-6 (2 lines)" in shown
    assert "17 sheet\\(s\\) have other column names but as many columns" in shown
    assert (_value(at, "selectbox", "imp_t0_year"), _value(at, "selectbox", "imp_t0_key")) == \
        ("sheet", "State")
    rows = metric(at, "Rows matched")
    assert rows.endswith("of 1,393"), rows
    assert int(rows.split(" of ")[0].replace(",", "")) >= 1_300
    at.selectbox(key="imp_t0_value").set_value("RURAL / Principal Arterial - Interstate")
    at.text_input(key="imp_t0_ind").set_value("Rural interstate bridges")
    at.text_input(key="imp_w_title").set_value("Bridges by year")
    at.text_input(key="imp_w_id").set_value("bridges")
    _run(at)
    at.button(key="imp_w_save").click()
    _run(at)
    manifest = tomllib.loads((root / "bridges" / "workspace.toml").read_text(encoding="utf-8"))
    table = manifest["tables"][0]
    assert (table["sheet"], table["sheet_layout"], table["sheet_columns"]) == \
        ("*", "each", "position")
    values = WorkspaceData(load_manifest(root / "bridges")).indicators("state")
    alabama = values[values["region_id"] == "01"].set_index("year")["value"]
    assert sorted(alabama.index) == list(range(2000, 2026))     # every sheet, 2000–2025
    assert alabama[2025] == 650                                  # the 2025 sheet's first count


def test_the_fixture_files_are_where_the_tests_look():
    assert Path(ATLAS).exists()
