"""Where a table sits in its file: titles, header lines, notes (geodata/readers/layout.py) and
how read_table_file applies it to CSV/TSV, Excel (.xlsx, .xls) and Parquet files."""
from __future__ import annotations

import base64
import datetime as dt
import zlib
from pathlib import Path

import pandas as pd
import pytest

from geodata.readers import text as tx
from geodata.readers.layout import Grid, Layout, header_names, propose_layout, read_grid, \
    sheet_names
from geodata.readers.numbers import parse_numbers
from geodata.readers.text import excel_text, read_table_file, sniff_delimiter

RAW = Path("/work/shared/data/outcomes/raw")
FHWA = RAW / "fhwa_nbi_fccount_bridge_condition_by_functional_class_2000_2025.xlsx"
LAU = RAW / "laucnty12_marshmatthew1324.xlsx"

YEARBOOK = ("2023年某省统计年鉴\n"
            "表3-1 地区生产总值（单位：亿元）\n"
            "地区,2022年,2021年,2020年\n"
            "北京,41610.9,40269.6,36102.6\n"
            "天津,16311.3,15695.1,14083.7\n"
            "河北,42370.4,40391.3,36206.9\n"
            "注：数据来源于各市统计局。\n")

# A small .xls (BIFF8, written by xlwt): sheet "Budget" with a title on row 1, the header on
# row 3, two rows (4873.0, a 0.0%-formatted 0.071, a date) and "Source: county clerk" on
# row 7; sheet "Empty" is empty.
SMALL_XLS = (
    "eNrtWE1IVFEU/t7P/ImOMzaGGsggaGUaZhER6KT5s0mxhMoIapx59DM6I69xYYuybJZB4KpoI1jQxn4W/VBBEUFQ"
    "YNQiCAKtpaugooX6OvfMe/nTCA6YoLxvuOeee+495517z7n3vnnvx/0TI/dLJrEI9VAwa3jgnCeTqHishg/UbxiC"
    "tWo3FcPGmoLHTYF0OvA0751LxFDEexIy7qkviQJfqRxHH9oTcS24imhkH8KS8KFOUin3ZNyk4kUx+1XANMJ0A9O7"
    "PPYZ030sucq0jsZOSMcwHmqv3GPm8VG5jPu8RCU8Yp3PLNmBQrwReXzxmpQe60CDfibcs146StVcjIJi3arFNV20"
    "PbgFFajZXlNequbjNnKALkJ1W1t1U9MEApQUo/hpBIEf1u5/EbTlqyuXQPLfC+WuJeRuimgmuYeCu1g+LFPsB2Gc"
    "lMRWSNGWGFXTB0Fjf/SUlkwhD7/4FnCgubcvOTCNs3zSixIAWrpqa2p3BSOJ/nhyINjNOjR8P7eJaegVnAPoPB3W"
    "Ncq7hmiiL6lFHYIL956jujEc03Qy1Zno1yPaXstWpEfTYznizuEzyrfgjMrjnZtLNIp85v28f33k1/Sd7x/aujtC"
    "J1gyyJ6mb69yMVkYuCQ0SNnLPWxUbAFUssY2ppfZ6ibmS5gGaAmorugoNJmWIR5zhXsr6Dk7GR9Dm+fxW4hPTR18"
    "XJr6FtpK/Fjr5PnA2KfQCMooIFHSF78hVElV0o3rAk9CVi2Z59wXpsX/nHlu2WfOzTCv6HzMiP1L8DMVI2Se3cIR"
    "Mo8Qa5JuWeuXbsnUUv62FGqppi0lgy2FbVEgcUEWLWGr4gCg0PoqpF+A4SL1sLf6QSjdr5D3Ja9ltqdmsKeyPRHl"
    "5yiCyvamRlxk5y3PfPcr4ZPQdmaYu5O1RUzr5QI8FJOi+2AOK5dRWDKj5rDWMorXDJnWzIYNGzZs2LCxXiDeAMW9"
    "r5hvwA7zbchlfteZoTJrfyZZtziEBP2S9KewGXGqdQxklT8b4ZAsW9IydazvhQJH6Ok6YuhmP2JZ5y+9zUrz57Ns"
    "Rd/KbaFsnz+bjZ//+fl/AOEELUI="
)


def codes(res) -> list[str]:
    return [n.code for n in res.notes]


def cells(res) -> list[list[str]]:
    return res.frame.astype(str).values.tolist()


def write(tmp_path: Path, name: str, content, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return p


def test_the_reader_names_are_still_importable_from_the_text_module():
    from geodata.readers import excel, records
    for name in tx.__all__:
        assert hasattr(tx, name), name
    assert tx.ReadNote is records.ReadNote and tx.ReadResult is records.ReadResult
    assert tx.excel_text is excel.excel_text and tx.file_kind is excel.file_kind
    assert tx.workbook_sheets is excel.workbook_sheets and tx.sheet_records is excel.sheet_records


# ------------------------------------------------------------------ layout rules

def test_layout_values_are_checked():
    assert Layout().last_header_line == 1
    assert Layout(header_row=3, header_rows=2).last_header_line == 4
    for bad in ({"header_row": 0}, {"header_rows": 6}, {"header_rows": 0},
                {"skip_bottom": -1}):
        with pytest.raises(ValueError):
            Layout(**bad)


def test_header_names_join_merged_cells_and_drop_blank_parts():
    names = header_names([["State", "RURAL", "", "", "URBAN", ""],
                          ["", "Interstate", "Local", "Other", "Interstate", "Local"]])
    assert names == ["State", "RURAL / Interstate", "RURAL / Local", "RURAL / Other",
                     "URBAN / Interstate", "URBAN / Local"]


def test_header_names_fill_left_only_inside_the_parent_span():
    names = header_names([["Spending", "", "", "Revenue", ""],
                          ["Capital", "", "Current", "Taxes", ""],
                          ["2021", "2022", "2022", "2022", "2023"]])
    assert names == ["Spending / Capital / 2021", "Spending / Capital / 2022",
                     "Spending / Current / 2022", "Revenue / Taxes / 2022",
                     "Revenue / Taxes / 2023"]
    # a blank upper cell does not take a value across a parent boundary
    assert header_names([["A", "B"], ["x", ""], ["1", "2"]]) == ["A / x / 1", "B / 2"]
    assert header_names([["", "a"], ["", "b"]], letters=True) == ["column A", "a / b"]
    assert header_names([["", "a"]]) == ["column 1", "a"]
    assert header_names([[" Labor\n Force ", "Rate"]]) == ["Labor Force", "Rate"]


# ------------------------------------------------------------------ a yearbook CSV

def test_yearbook_csv_in_gb18030_proposed_and_read_with_physical_lines(tmp_path):
    p = write(tmp_path, "yearbook.csv", YEARBOOK, "gb18030")
    grid = read_grid(p)
    assert grid.encoding == "gb18030" and grid.delimiter == ","
    assert grid.head_lines == [1, 2, 3, 4, 5, 6, 7] and grid.total_rows == 7
    assert grid.tail_lines[-1] == 7
    proposal = propose_layout(grid)
    assert proposal.layout == Layout(header_row=3, header_rows=1, skip_bottom=1)
    said = " | ".join(proposal.reasons)
    assert "lines 1-2 look like titles (one filled cell each" in said
    assert "the header is line 3" in said
    assert "the last line (line 7) looks like a note" in said and "'注：" in said

    res = read_table_file(p, layout=proposal.layout)
    assert list(res.frame.columns) == ["地区", "2022年", "2021年", "2020年"]
    assert cells(res) == [["北京", "41610.9", "40269.6", "36102.6"],
                          ["天津", "16311.3", "15695.1", "14083.7"],
                          ["河北", "42370.4", "40391.3", "36206.9"]]
    assert list(res.lines) == [4, 5, 6]
    assert res.encoding == "gb18030"
    assert codes(res) == ["encoding_detected"]


def test_yearbook_without_a_layout_says_which_line_is_the_header(tmp_path):
    p = write(tmp_path, "yearbook.csv", YEARBOOK, "gb18030")
    res = read_table_file(p)                      # no exception, header on line 1 as before
    assert res.delimiter == ","
    note = next(n for n in res.notes if n.code == "header_not_first")
    assert note.severity == "error"
    assert "line 3 looks like the header" in note.message
    assert "header_row = 3" in note.message and note.expected == "header_row = 3"
    assert list(res.frame.columns) == ["2023年某省统计年鉴"]      # not silently moved


def test_a_plain_csv_gets_no_header_note_and_reads_the_same_with_the_default_layout(tmp_path):
    p = write(tmp_path, "plain.csv", "fips,fy,amount\n01001,2024,100\n01002,2024,200\n")
    old = read_table_file(p)
    new = read_table_file(p, layout=Layout())
    assert codes(old) == codes(new) == []
    assert cells(old) == cells(new) and list(old.lines) == list(new.lines) == [2, 3]
    assert propose_layout(read_grid(p)).layout == Layout()


def test_the_sniffer_is_not_fooled_by_title_lines():
    header = ",".join(f"c{i}" for i in range(13))
    row = ",".join(str(i) for i in range(13))
    sample = "Statistical yearbook 2023\nTable 4: spending\n" + header + "\n" + \
        "\n".join([row] * 5) + "\nNote: provisional\n"
    assert sniff_delimiter(sample) == ","
    assert sniff_delimiter(sample.replace(",", ";")) == ";"
    assert sniff_delimiter("a;b;c\n1,5;2,5;3\n4,5;5;6\n") == ";"


def test_title_lines_with_a_13_field_header_sniff_a_comma_and_say_where_the_header_is(
        tmp_path):
    header = ",".join(["Region"] + [str(2010 + i) for i in range(12)])
    rows = [",".join([f"R{j}"] + [str(100 + i + j) for i in range(12)]) for j in range(6)]
    p = write(tmp_path, "wide.csv", "Yearbook\nTable 7 (USD)\n" + header + "\n" +
              "\n".join(rows) + "\nNote: 2021 provisional\n")
    res = read_table_file(p)
    assert res.delimiter == ","
    assert "header_not_first" in codes(res)
    lay = propose_layout(read_grid(p)).layout
    assert lay == Layout(header_row=3, skip_bottom=1)
    good = read_table_file(p, layout=lay)
    assert len(good.frame.columns) == 13 and list(good.lines) == list(range(4, 10))
    assert codes(good) == []


def test_tsv_with_decimal_commas_read_with_its_layout(tmp_path):
    p = write(tmp_path, "kommunen.tsv", "Tabelle 1: Zuweisungen\n"
                                        "Gemeinde\tBetrag\tAnteil\n"
                                        "01001\t1.234,5\t12,5\n"
                                        "01002\t234,5\t1,5\n"
                                        "Quelle: Landesamt\n")
    lay = propose_layout(read_grid(p)).layout
    assert lay == Layout(header_row=2, skip_bottom=1)
    res = read_table_file(p, layout=lay)
    assert res.delimiter == "\t"
    assert cells(res) == [["01001", "1.234,5", "12,5"], ["01002", "234,5", "1,5"]]
    assert list(res.lines) == [3, 4]
    values, reason = parse_numbers(res.frame["Betrag"], decimal=",")
    assert values.tolist() == [1234.5, 234.5] and reason.isna().all()


def test_quoted_line_breaks_crlf_bom_and_empty_rows_keep_physical_lines(tmp_path):
    p = write(tmp_path, "q.csv", '\ufeffTitle,,\r\n"Region","Labor\r\nForce","Rate"\r\n'
                                 '"A",1,2\r\n,,\r\n"B",3,4\r\n\r\nSource: x,,\r\n')
    lay = propose_layout(read_grid(p)).layout
    assert lay == Layout(header_row=2, skip_bottom=1)
    res = read_table_file(p, layout=lay)
    assert list(res.frame.columns) == ["Region", "Labor Force", "Rate"]
    assert cells(res) == [["A", "1", "2"], ["B", "3", "4"]]
    assert list(res.lines) == [4, 6]


def test_a_line_with_the_wrong_number_of_fields_is_still_named_by_its_line(tmp_path):
    p = write(tmp_path, "bad.csv", "Title\nid,amount\n1,10\n2,20,x\n3,30\n")
    res = read_table_file(p, layout=Layout(header_row=2))
    assert cells(res) == [["1", "10"], ["3", "30"]] and list(res.lines) == [3, 5]
    bad = next(n for n in res.notes if n.code == "bad_line")
    assert bad.lines == (4,)


def test_a_header_past_the_end_is_a_note_not_a_crash(tmp_path):
    p = write(tmp_path, "short.csv", "a,b\n1,2\n")
    res = read_table_file(p, layout=Layout(header_row=5))
    assert res.frame.shape == (0, 0)
    assert codes(res) == ["no_header"] and "line 5" in res.notes[0].message


@pytest.mark.parametrize("content, layout, fast_path", [
    (YEARBOOK, Layout(header_row=3, skip_bottom=1), True),      # GB18030: decoded first
    ("T\n\nid,v\n1,a\n\n2,b\n,,\n3,c\nNote\n", Layout(header_row=3, skip_bottom=1), False),
    ("T\nid,v\n1,a\n2,b\n\nT2\nid,v\n9,z\n", Layout(header_row=2, stop_at_blank=True), True),
    ("T\nid,v\n1,a\n2,b\n\nT2\nid,v\n9,z\n", Layout(header_row=2), False),
    ('id,v\n1,"x\ny"\n2,b\n\n\nsrc\n', Layout(skip_bottom=1), False),
    ("id,v\n1,a\n2,b\nnote 1,\n\nnote 2,\n\n", Layout(skip_bottom=2), True),
    ("T\nid,v\n\n1,a\n2,b\n,\n3,c", Layout(header_row=2), True),
    ("T\r\nid;v\r\n1;a\r\n2;b\r\n\r\nSource: x;\r\n", Layout(header_row=2, skip_bottom=1),
     True),
    ("S,R,,U,\n,a,b,a,b\nX,1,2,3,4\nY,5,6,7,8\n*foot\n", Layout(header_rows=2, skip_bottom=1),
     True),
])
def test_the_fast_reader_and_the_line_by_line_reader_agree(tmp_path, monkeypatch, content,
                                                           layout, fast_path):
    p = write(tmp_path, "t.csv", content)
    used = []
    real = tx._parse_fast_layout
    monkeypatch.setattr(tx, "_parse_fast_layout",
                        lambda *a, **k: used.append(real(*a, **k)) or used[-1])
    fast = read_table_file(p, layout=layout)
    assert any(u is not None for u in used) == fast_path
    monkeypatch.setattr(tx, "_parse_fast_layout", lambda *a, **k: None)
    slow = read_table_file(p, layout=layout)
    assert list(fast.frame.columns) == list(slow.frame.columns)
    assert cells(fast) == cells(slow)
    assert list(fast.lines) == list(slow.lines)
    assert codes(fast) == codes(slow)


def test_a_second_table_below_the_first_is_proposed_as_stop_at_blank(tmp_path):
    first = "id,a,b\n" + "".join(f"{i},{i * 10},{i * 20}\n" for i in range(1, 6))
    second = "Table 2: outlays\nid,a,b\n" + "".join(f"{i},{i},{i}\n" for i in range(1, 4))
    p = write(tmp_path, "two.csv", "Table 1: obligations\n" + first + "\n" + second)
    proposal = propose_layout(read_grid(p))
    assert proposal.layout == Layout(header_row=2, stop_at_blank=True)
    assert any("another table follows" in r and "stop_at_blank = true" in r
               for r in proposal.reasons)
    res = read_table_file(p, layout=proposal.layout)
    assert list(res.lines) == [3, 4, 5, 6, 7] and codes(res) == []
    stacked = read_table_file(p, layout=Layout(header_row=2))
    assert "repeated_header" in codes(stacked)
    assert next(n for n in stacked.notes if n.code == "repeated_header").lines == (10,)


def test_a_header_repeated_without_a_blank_line_is_said_not_cut(tmp_path):
    block = "id,a,b\n" + "".join(f"{i},{i * 10},{i * 20}\n" for i in range(1, 6))
    p = write(tmp_path, "years.csv", "Poverty by state\n2019\n" + block + "2018\n" + block)
    proposal = propose_layout(read_grid(p))
    assert proposal.layout == Layout(header_row=3)
    assert any("line 10 repeats the header (line 3) with no blank line" in r
               for r in proposal.reasons)
    res = read_table_file(p, layout=proposal.layout)
    assert next(n for n in res.notes if n.code == "repeated_header").lines == (10,)


def test_a_blank_line_inside_a_table_does_not_end_it(tmp_path):
    rows = "".join(f"{i},{i * 10},{i * 20}\n" for i in range(1, 6))
    p = write(tmp_path, "gap.csv", "id,a,b\n" + rows + "\n" + rows.replace("1,", "7,", 1))
    assert propose_layout(read_grid(p)).layout == Layout()


def test_a_large_file_grid_reads_its_head_and_its_tail(tmp_path):
    body = "".join(f"{i:05d},{i},{i * 3}\n" for i in range(60_000))
    p = write(tmp_path, "big.csv", "Report\nid,n,v\n" + body + "Source: test\n")
    assert p.stat().st_size > 1024 * 1024
    grid = read_grid(p, max_rows=50)
    assert len(grid.head) == 50 and grid.head_lines[:3] == [1, 2, 3]
    assert grid.tail_lines[-1] == 60_003 and grid.tail[-1] == ["Source: test"]
    assert grid.tail[-2] == ["59999", "59999", str(59999 * 3)]
    assert grid.total_rows is None
    lay = propose_layout(grid).layout
    assert lay == Layout(header_row=2, skip_bottom=1)
    res = read_table_file(p, layout=lay)
    assert len(res.frame) == 60_000 and res.lines[0] == 3 and res.lines[-1] == 60_002


def test_a_grid_over_the_size_limit_is_empty_with_the_note(tmp_path):
    p = write(tmp_path, "t.csv", "a,b\n" + "1,2\n" * 1000)
    grid = read_grid(p, max_bytes=100)
    assert grid.head == [] and [n.code for n in grid.notes] == ["too_large"]
    assert propose_layout(grid).layout == Layout()


# ------------------------------------------------------------------ workbooks

def _merged_header_workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024"
    ws["A1"] = "Count of bridges by functional class"
    ws["A2"] = "As of 06/15/2024"
    ws.append(["State", "RURAL", None, None, "URBAN", None, None])
    ws.append([None, "Interstate", "Collector", "Local", "Interstate", "Collector", "Local"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:D3")
    ws.merge_cells("E3:G3")
    ws.append(["ALABAMA", 650, 1157.0, 4873.0, 583, 87, 1071])
    ws.append(["ALASKA", 167, 105, 711, 41, 0, 68])
    ws.append(["ARIZONA", 1115, 824, 670, 412, 471, 654])
    ws.append(["Source: National Bridge Inventory"])
    wb.save(path)
    return path


def test_a_wide_sheet_with_a_merged_two_line_header(tmp_path):
    p = _merged_header_workbook(tmp_path / "bridges.xlsx")
    assert sheet_names(p) == ["2024"]
    grid = read_grid(p)
    assert grid.sheets == ["2024"] and grid.head_lines[:3] == [1, 2, 3]
    assert grid.head[2] == ["State", "RURAL", "", "", "URBAN"]
    proposal = propose_layout(grid)
    assert proposal.layout == Layout(header_row=3, header_rows=2, skip_bottom=1)
    assert any("2-line header" in r and "RURAL / Interstate" in r for r in proposal.reasons)
    res = read_table_file(p, layout=proposal.layout)
    assert list(res.frame.columns) == [
        "State", "RURAL / Interstate", "RURAL / Collector", "RURAL / Local",
        "URBAN / Interstate", "URBAN / Collector", "URBAN / Local"]
    assert cells(res)[0] == ["ALABAMA", "650", "1157", "4873", "583", "87", "1071"]
    assert list(res.lines) == [5, 6, 7]
    assert codes(res) == []


def test_without_a_layout_a_titled_sheet_is_read_from_row_1_and_the_header_is_named(tmp_path):
    p = _merged_header_workbook(tmp_path / "bridges.xlsx")
    res = read_table_file(p)
    note = next(n for n in res.notes if n.code == "header_not_first")
    assert "row 3 looks like the header" in note.message
    assert "header_row = 3, header_rows = 2" in note.message
    assert res.frame.columns[0] == "Count of bridges by functional class"


def test_excel_cells_are_the_text_a_user_sees(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "amount", "rate", "share", "date", "stamp", "flag", "blank", "big"])
    ws.append(["01001", 4873.0, 7.1, 0.071, dt.datetime(2024, 3, 31),
               dt.datetime(2024, 3, 31, 12, 30), True, None, 1.5e20])
    ws["D2"].number_format = "0.0%"
    wb.save(tmp_path / "cells.xlsx")
    res = read_table_file(tmp_path / "cells.xlsx")
    assert cells(res) == [["01001", "4873", "7.1", "7.1%", "2024-03-31",
                           "2024-03-31 12:30:00", "TRUE", "", "1.5e+20"]]
    assert list(res.lines) == [2] and codes(res) == []
    assert excel_text(0.1 + 0.2) == "0.3" and excel_text(-0.0) == "0"
    assert excel_text(dt.date(2024, 1, 2)) == "2024-01-02" and excel_text(None) == ""
    assert excel_text(0.5, '0.0"%"') == "0.5"       # a quoted % is literal text
    assert excel_text(1, "0%") == "100%" and excel_text(12, "General") == "12"


def _year_sheets_workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2022"
    for name, rows, header in (
            ("2022", [["01001", 10], ["01003", 30]], ["fips", "amount"]),
            ("2021", [["01001", 11]], ["fips", "amount"]),
            ("Empty", [], None),
            ("2020", [["01001", 12, "x"]], ["fips", "outlays", "note"])):
        sh = ws if name == "2022" else wb.create_sheet(name)
        sh["A1"] = f"Spending {name}"
        if header:
            sh.append(header)
            for r in rows:
                sh.append(r)
        else:
            sh["A1"] = None
    wb.save(path)
    return path


def test_every_sheet_stacked_with_a_sheet_column(tmp_path):
    p = _year_sheets_workbook(tmp_path / "years.xlsx")
    assert sheet_names(p) == ["2022", "2021", "Empty", "2020"]
    res = read_table_file(p, sheet="*", layout=Layout(header_row=2))
    assert list(res.frame.columns) == ["sheet", "fips", "amount", "outlays", "note"]
    assert cells(res) == [["2022", "01001", "10", "", ""], ["2022", "01003", "30", "", ""],
                          ["2021", "01001", "11", "", ""], ["2020", "01001", "", "12", "x"]]
    assert list(res.lines) == [3, 4, 3, 3]
    differ = next(n for n in res.notes if n.code == "sheet_columns_differ")
    assert differ.values == ("2020",)
    assert "no 'amount'" in differ.message and "extra 'outlays'" in differ.message
    empty = next(n for n in res.notes if n.code == "empty_sheet")
    assert empty.severity == "warning" and "'Empty'" in empty.message
    assert read_table_file(p, sheet="all", layout=Layout(header_row=2)).frame.shape == (4, 5)


def test_an_empty_sheet_and_a_missing_sheet_are_notes(tmp_path):
    p = _year_sheets_workbook(tmp_path / "years.xlsx")
    res = read_table_file(p, sheet="Empty")
    assert res.frame.shape == (0, 0)
    assert [(n.severity, n.code) for n in res.notes] == [("error", "empty_sheet")]
    assert "'Empty'" in res.notes[0].message
    missing = read_table_file(p, sheet="1999")
    assert codes(missing) == ["no_sheet"] and "2022" in missing.notes[0].expected
    assert cells(read_table_file(p, sheet=1, layout=Layout(header_row=2))) == [["01001", "11"]]


def test_hidden_sheets_come_last_and_are_left_out_of_a_stack(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    meta = wb.active
    meta.title = "meta"
    meta["V1"] = "<addin settings>"
    meta.sheet_state = "veryHidden"
    for name in ("A", "B"):
        ws = wb.create_sheet(name)
        ws.append(["fips", "amount"])
        ws.append(["01001", 5])
    wb.save(tmp_path / "h.xlsx")
    p = tmp_path / "h.xlsx"
    assert sheet_names(p) == ["A", "B", "meta"]
    assert read_grid(p).sheet == "A"
    assert cells(read_table_file(p)) == [["01001", "5"]]
    stacked = read_table_file(p, sheet="*")
    assert stacked.frame["sheet"].tolist() == ["A", "B"]
    assert codes(stacked) == ["hidden_sheet"] and stacked.notes[0].values == ("meta",)


def test_an_xls_workbook_is_read_with_xlrd(tmp_path):
    p = write(tmp_path, "budget.xls", zlib.decompress(base64.b64decode("".join(SMALL_XLS))))
    assert sheet_names(p) == ["Budget", "Empty"]
    lay = propose_layout(read_grid(p)).layout
    assert lay == Layout(header_row=3, skip_bottom=1)
    res = read_table_file(p, layout=lay)
    assert list(res.frame.columns) == ["County", "Amount", "Share", "Adopted"]
    assert cells(res) == [["Adams", "4873", "7.1%", "2024-03-31"],
                          ["Baker", "1250.5", "50%", "2023-12-01"]]
    assert list(res.lines) == [4, 5]
    assert codes(read_table_file(p, sheet="Empty")) == ["empty_sheet"]


def test_files_with_an_excel_name_that_are_not_workbooks(tmp_path):
    text = write(tmp_path, "export.xls", "id\tamount\n1\t2\n")
    res = read_table_file(text)
    assert codes(res)[0] == "text_as_excel" and cells(res) == [["1", "2"]]
    html = write(tmp_path, "page.xls", "<html><table><tr><td>1</td></tr></table></html>")
    assert codes(read_table_file(html)) == ["not_a_workbook"]


def test_parquet_ignores_the_header_options(tmp_path):
    pd.DataFrame({"id": ["a", "b", "c"], "v": ["1", "2", "note"]}).to_parquet(
        tmp_path / "t.parquet")
    res = read_table_file(tmp_path / "t.parquet", layout=Layout(header_row=3, skip_bottom=1))
    assert cells(res) == [["a", "1"], ["b", "2"]] and list(res.lines) == [2, 3]
    assert codes(res) == ["layout_ignored"]
    grid = read_grid(tmp_path / "t.parquet")
    assert grid.head[0] == ["id", "v"] and grid.total_rows == 4


def test_propose_layout_on_an_empty_grid():
    proposal = propose_layout(Grid([], [], [], [], 0))
    assert proposal.layout == Layout() and proposal.reasons


# ------------------------------------------------------------------ real workbooks

@pytest.mark.skipif(not FHWA.exists(), reason="FHWA bridge workbook not present")
def test_the_fhwa_bridge_workbook_reads_with_the_proposed_layout():
    grid = read_grid(FHWA, sheet="2025")
    assert grid.sheets[0] == "2025" and grid.sheets[-1] == "2000" and len(grid.sheets) == 26
    proposal = propose_layout(grid)
    assert proposal.layout == Layout(header_row=3, header_rows=2, stop_at_blank=True)
    res = read_table_file(FHWA, sheet="2025", layout=proposal.layout)
    assert res.frame.columns[:2].tolist() == ["State", "RURAL / Principal Arterial - Interstate"]
    assert res.frame.columns[-1] == "URBAN / Local"
    assert res.frame.iloc[0].tolist()[:3] == ["ALABAMA", "650", "1157"]
    assert res.lines[0] == 5 and res.frame["State"].iloc[-1] == "TOTALS"
    assert len(res.frame) == 55 and not res.notes
    stacked = read_table_file(FHWA, sheet="*", layout=proposal.layout)
    assert stacked.frame["sheet"].nunique() == 26
    assert (stacked.frame["sheet"] == "2024").sum() == 55
    assert "sheet_columns_differ" in codes(stacked)      # the older sheets name columns anew


@pytest.mark.skipif(not LAU.exists(), reason="LAUS county workbook not present")
def test_the_laus_county_workbook_leaves_its_source_lines_out():
    proposal = propose_layout(read_grid(LAU))
    assert proposal.layout == Layout(header_row=1, skip_bottom=2)
    res = read_table_file(LAU, layout=proposal.layout)
    assert res.frame.columns.tolist()[:5] == ["Code", "Code (2)", "Code (3)", "Name", "Year"]
    assert res.frame["Name"].iloc[-1] == "Yauco Municipio, PR" and res.lines[-1] == 3220
    assert not res.frame["Code"].str.startswith("SOURCE").any()
    assert res.frame["Labor_Force"].iloc[0] == "25762"
    assert codes(res) == ["duplicate_column"]


# ------------------------------------------------------------------ the reader's language

def test_proposals_and_notes_are_in_the_readers_language(tmp_path):
    from locales import use

    path = tmp_path / "yearbook.csv"
    path.write_bytes(YEARBOOK.encode("gb18030"))
    grid = read_grid(path)                        # read in English
    assert propose_layout(grid).reasons[0] == (
        "lines 1-2 look like titles (one filled cell each, e.g. '2023年某省统计年鉴'); the "
        "header is line 3")
    with use("zh"):
        assert propose_layout(grid).reasons[0] == (
            "第 1-2 行像是标题（每行只有一个单元格有内容，例如 '2023年某省统计年鉴'）；表头在第 3 行")
    # A note follows the language it is shown in, not the one of the run that read the file
    # (reads are cached and shared): the same note in English, then in Chinese.
    note = next(n for n in grid.notes if n.code == "encoding_detected")
    assert str(note.message) == ("the file is not UTF-8 (byte 0xC4 on line 1) and declares no "
                                 "encoding; read as gb18030, the closer match of GB18030 and "
                                 "cp1252")
    with use("zh"):
        assert str(note.message) == ("文件不是 UTF-8 编码（第 1 行的字节 0xC4），也未声明编码；"
                                     "已按 gb18030 读取（GB18030 与 cp1252 中更接近的一种）")
        assert str(note.expected) == ('在清单中设置 encoding = "gb18030" 予以确认，或填写文件的'
                                      "实际编码")
