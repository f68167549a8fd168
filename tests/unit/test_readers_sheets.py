"""Every sheet of a workbook stacked, each with its own layout (sheet_layout = "each"), and the
per-sheet proposals the Import page offers (geodata/readers/excel.py, layout.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from geodata.load import load_table
from geodata.readers.layout import Layout, propose_layout, propose_sheet_layouts, read_grid, \
    sheets_differ
from geodata.readers.text import read_table_file
from geodata.workspace import ManifestError, load_manifest
from tests.fixtures.helpers import square, write_geojson, write_workspace

RAW = Path("/work/shared/data/outcomes/raw")
FHWA = RAW / "fhwa_nbi_fccount_bridge_condition_by_functional_class_2000_2025.xlsx"

NAMES = ["State", "RURAL / Local", "RURAL / Other", "URBAN / Local", "URBAN / Other"]
STATES = ["ALABAMA", "ALASKA", "ARIZONA", "ARKANSAS"]


def codes(res) -> list[str]:
    return [n.code for n in res.notes]


def _sheet(ws, titles: int, two_lines: bool, year: int, note: str | None = None) -> None:
    """``titles`` title lines, a header of one or two lines, four states and a TOTAL row."""
    for i in range(titles):
        ws.append([f"Count of bridges {year}" if i == 0 else f"As of 12/31/{year}"])
    if two_lines:
        ws.append(["State", "RURAL", None, "URBAN", None])
        ws.append([None, "Local", "Other", "Local", "Other"])
    else:
        ws.append(NAMES)
    for k, state in enumerate(STATES):
        ws.append([state, year - 2000 + k, 10 + k, 20 + k, 30 + k])
    ws.append(["TOTAL", 1, 2, 3, 4])
    if note:
        ws.append([note])


# sheet: (title lines, two-line header); the first and the last are laid out alike
SHEETS = {"2024": (2, True), "2023": (1, True), "2022": (3, False), "2021": (0, False),
          "2020": (2, True)}


def _years_workbook(path: Path, sheets=SHEETS, notes: dict | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (titles, two) in sheets.items():
        _sheet(wb.create_sheet(name), titles, two, int(name), (notes or {}).get(name))
    wb.save(path)
    return path


def _first_row(titles: int, two: bool) -> int:
    return titles + (2 if two else 1) + 1


def test_each_sheet_is_read_with_its_own_layout_and_the_note_names_them(tmp_path):
    p = _years_workbook(tmp_path / "years.xlsx")
    first = propose_layout(read_grid(p, sheet="*")).layout
    assert first == Layout(header_row=3, header_rows=2)
    res = read_table_file(p, sheet="*", layout=first, sheet_layout="each")
    assert list(res.frame.columns) == ["sheet"] + NAMES
    assert res.frame.groupby("sheet", sort=False).size().to_dict() == {s: 5 for s in SHEETS}
    assert res.frame["State"].tolist() == (STATES + ["TOTAL"]) * 5
    assert res.frame["RURAL / Local"].tolist()[:5:4] == ["24", "1"]
    expected_lines = []
    for titles, two in SHEETS.values():
        expected_lines += list(range(_first_row(titles, two), _first_row(titles, two) + 5))
    assert list(res.lines) == expected_lines
    assert codes(res) == ["sheet_layouts"]          # the same names: no columns_differ
    note = res.notes[0]
    assert note.severity == "note" and note.values == ("2023", "2022", "2021")
    assert "3 of 5 sheets" in note.message and "'2024' (header on rows 3-4 (2 lines))" \
        in note.message
    assert "sheet '2023': header on rows 2-3 (2 lines)" in note.message
    assert "sheet '2022': header on row 4 (one line)" in note.message
    assert "sheet '2021': header on row 1 (one line)" in note.message
    assert "'2020'" not in note.message


def test_sheet_layout_same_reads_every_sheet_with_the_first_sheets_layout(tmp_path):
    p = _years_workbook(tmp_path / "years.xlsx")
    lay = Layout(header_row=3, header_rows=2)
    same = read_table_file(p, sheet="*", layout=lay, sheet_layout="same")
    default = read_table_file(p, sheet="*", layout=lay)
    assert same.frame.equals(default.frame) and list(same.lines) == list(default.lines)
    assert same.notes == default.notes
    assert "sheet_layouts" not in codes(same) and "sheet_columns_differ" in codes(same)
    f = same.frame
    # rows 3-4 of the other sheets taken as their header: data rows become column names
    assert f[f["sheet"] == "2020"]["State"].tolist() == STATES + ["TOTAL"]
    assert f[f["sheet"] == "2021"]["State"].tolist() == ["", ""]      # named ALASKA / ARIZONA
    assert list(f.columns[:6]) == ["sheet"] + NAMES and f.shape[1] > 6


def test_settings_chosen_by_hand_carry_over_to_sheets_detected_alike(tmp_path):
    p = _years_workbook(tmp_path / "years.xlsx", notes={"2021": "Source: NBI"})
    res = read_table_file(p, sheet="*", layout=Layout(header_row=3, header_rows=2,
                                                      skip_bottom=1), sheet_layout="each")
    by_sheet = res.frame.groupby("sheet", sort=False)["State"].agg(list).to_dict()
    for name in ("2024", "2023", "2022", "2020"):     # no note detected there: skip_bottom = 1
        assert by_sheet[name] == STATES, name
    assert by_sheet["2021"] == STATES + ["TOTAL"]      # its own note detected: that one left out
    note = next(n for n in res.notes if n.code == "sheet_layouts")
    assert note.message.endswith("sheet '2021': header on row 1 (one line)")
    res = read_table_file(p, sheet="*", layout=Layout(header_row=3, header_rows=2),
                          sheet_layout="each")
    note = next(n for n in res.notes if n.code == "sheet_layouts")
    assert "sheet '2021': header on row 1 (one line), the last 1 row(s) left out" in note.message
    assert res.frame.groupby("sheet")["State"].agg(list)["2021"] == STATES + ["TOTAL"]


def test_without_a_layout_each_sheet_is_detected_the_first_too(tmp_path):
    p = _years_workbook(tmp_path / "years.xlsx")
    res = read_table_file(p, sheet="all", sheet_layout="each")
    assert list(res.frame.columns) == ["sheet"] + NAMES and len(res.frame) == 25
    assert res.notes[0].values == ("2023", "2022", "2021")


def test_runs_of_sheets_are_written_as_a_range_and_empty_sheets_left_out(tmp_path):
    sheets = {"2025": (2, True), "2024": (2, True), "2016": (4, True), "2015": (4, True),
              "Empty": None, "2014": (4, False), "2013": (4, False), "2012": (4, False)}
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, how in sheets.items():
        ws = wb.create_sheet(name)
        if how:
            _sheet(ws, *how, int(name))
    wb.save(tmp_path / "w.xlsx")
    res = read_table_file(tmp_path / "w.xlsx", sheet="*", sheet_layout="each")
    note = next(n for n in res.notes if n.code == "sheet_layouts")
    assert "sheets '2016', '2015': header on rows 5-6 (2 lines); sheets '2014'–'2012' (3): " \
           "header on row 5 (one line)" in note.message
    assert note.values == ("2016", "2015", "2014", "2013", "2012")
    assert next(n for n in res.notes if n.code == "empty_sheet").values == ("Empty",)
    assert len(res.frame) == 7 * 5


def test_identical_sheets_give_no_note_and_the_same_frame(tmp_path):
    p = _years_workbook(tmp_path / "same.xlsx", {"2024": (2, True), "2023": (2, True)})
    lay = Layout(header_row=3, header_rows=2)
    each = read_table_file(p, sheet="*", layout=lay, sheet_layout="each")
    same = read_table_file(p, sheet="*", layout=lay)
    assert each.frame.equals(same.frame) and each.notes == same.notes == []
    proposals = propose_sheet_layouts(p)
    assert list(proposals) == ["2024", "2023"] and not sheets_differ(proposals)


def test_propose_sheet_layouts_per_visible_sheet(tmp_path):
    import openpyxl

    p = _years_workbook(tmp_path / "years.xlsx")
    wb = openpyxl.load_workbook(p)
    wb.create_sheet("Empty")
    wb.create_sheet("meta").sheet_state = "hidden"
    wb["meta"]["A1"] = "settings"
    wb.save(p)
    proposals = propose_sheet_layouts(p)
    assert list(proposals) == list(SHEETS)
    assert {n: (pr.layout.header_row, pr.layout.header_rows) for n, pr in proposals.items()} \
        == {"2024": (3, 2), "2023": (2, 2), "2022": (4, 1), "2021": (1, 1), "2020": (3, 2)}
    assert all(pr.reasons for pr in proposals.values())
    assert sheets_differ(proposals)
    assert proposals["2024"].layout == propose_layout(read_grid(p, sheet="2024")).layout
    assert not sheets_differ({}) and not sheets_differ({"2024": proposals["2024"]})
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    assert propose_sheet_layouts(tmp_path / "t.csv") == {}
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    assert propose_sheet_layouts(tmp_path / "bad.xlsx") == {}


def test_sheet_layout_is_checked_and_ignored_for_one_sheet(tmp_path):
    p = _years_workbook(tmp_path / "years.xlsx")
    with pytest.raises(ValueError, match="sheet_layout"):
        read_table_file(p, sheet="*", sheet_layout="per-sheet")
    one = read_table_file(p, sheet="2022", layout=Layout(header_row=4), sheet_layout="each")
    assert one.frame["State"].tolist() == STATES + ["TOTAL"] and one.notes == []


MANIFEST = """
[workspace]
title = "Bridges"

[[levels]]
id = "state"
file = "states.geojson"
key = "name"
name = "name"

[[tables]]
id = "bridges"
kind = "indicators"
level = "state"
file = "years.xlsx"
sheet = "*"
header_row = 3
header_rows = 2
skip_bottom = 1
{extra}
[tables.columns]
region_id = "State"
year = "sheet"
value = "RURAL / Local"
indicator = "URBAN / Other"
"""


def test_the_manifest_key_is_checked_and_reaches_the_reader(tmp_path):
    root = write_workspace(tmp_path / "w", MANIFEST.format(extra='sheet_layout = "each"'))
    _years_workbook(root / "years.xlsx")
    write_geojson(root / "states.geojson",
                  [(s, s, square(i, 0)) for i, s in enumerate(STATES)], id_field="name")
    ws = load_manifest(root)
    spec = ws.tables[0]
    assert spec.options["sheet_layout"] == "each"
    frame, problems = load_table(ws, spec)
    assert len(frame) == 4 * 5
    assert any(p.code == "sheet_layouts" and p.severity == "note" for p in problems)
    for text, said in (
            (MANIFEST.format(extra='sheet_layout = "all"'), "'sheet_layout' must be"),
            (MANIFEST.format(extra='sheet_layout = "each"').replace('sheet = "*"',
                                                                   'sheet = "2024"'),
             "needs sheet")):
        (root / "workspace.toml").write_text(text, encoding="utf-8")
        with pytest.raises(ManifestError, match=said):
            load_manifest(root)


# ------------------------------------------------------------------ the real workbook

@pytest.mark.skipif(not FHWA.exists(), reason="FHWA bridge workbook not present")
def test_the_fhwa_workbook_reads_every_year_with_its_own_layout():
    proposals = propose_sheet_layouts(FHWA)
    assert list(proposals)[:2] == ["2025", "2024"] and len(proposals) == 26
    assert sheets_differ(proposals)
    assert proposals["2016"].layout.header_row == 5 and proposals["2014"].layout.header_rows == 1
    first = propose_layout(read_grid(FHWA, sheet="*")).layout
    res = read_table_file(FHWA, sheet="*", layout=first, sheet_layout="each")
    f = res.frame
    rows = f.groupby("sheet", sort=False).size()
    assert list(rows.index) == [str(y) for y in range(2025, 1999, -1)]
    assert rows.between(50, 60).all() and 1300 <= len(f) <= 1500
    for year in range(2025, 2016, -1):
        sheet = f[f["sheet"] == str(year)]
        assert len(sheet) >= 50, year
        assert sheet["State"].iloc[0] == "ALABAMA" and "WYOMING" in set(sheet["State"]), year
        assert sheet["RURAL / Principal Arterial - Interstate"].str.fullmatch(r"\d+").all()
    older = f[f["sheet"].isin([str(y) for y in range(2014, 1999, -1)])]
    assert older["column A"].iloc[0] == "ALABAMA"
    assert older["Rural Principal Arterial - Interstate"].str.fullmatch(r"\d+").all()
    note = next(n for n in res.notes if n.code == "sheet_layouts")
    assert note.severity == "note"
    assert note.values == tuple(str(y) for y in range(2016, 1999, -1))
    assert "sheets '2016', '2015': header on rows 5-6 (2 lines)" in note.message
    assert "sheets '2014'–'2000' (15): header on row 5 (one line)" in note.message
    assert not [n for n in res.notes if n.severity == "error"]
