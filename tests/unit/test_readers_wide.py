"""Wide tables: period headers recognised and unpivoted (geodata/readers/wide.py)."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from geodata.readers.wide import SPAN_REASON, PeriodColumn, looks_like_period, \
    period_columns, unpivot


@pytest.mark.parametrize("header, year, quarter", [
    ("2022", 2022, None), ("2022年", 2022, None), ("2022年度", 2022, None),
    ("FY2022", 2022, None), ("FY 2022", 2022, None), ("2022.0", 2022, None),
    (" 2022 ", 2022, None), ("Q3 2022", 2022, 3), ("2022 Q3", 2022, 3), ("2022Q3", 2022, 3),
    ("2022-Q3", 2022, 3), ("q1 2023", 2023, 1), ("2022年第三季度", 2022, 3),
    ("2022年三季度", 2022, 3), ("2022年4季度", 2022, 4), ("2022年 (亿元)", 2022, None),
    ("2022年（万元）", 2022, None), ("FY2022 ($ thousands)", 2022, None),
    ("Q2 2021 (USD)", 2021, 2), ("1800", 1800, None), ("2199", 2199, None),
])
def test_period_headers(header, year, quarter):
    found, refused = period_columns([header])
    assert found == [PeriodColumn(header, year, quarter)] and refused == []
    assert looks_like_period(header)


@pytest.mark.parametrize("header", ["2021-22", "2021/22", "2021-2022", "FY2021-22"])
def test_two_year_spans_need_a_rule(header):
    assert period_columns([header]) == ([], [(header, SPAN_REASON)])
    assert period_columns([header], year_span="start")[0] == [PeriodColumn(header, 2021)]
    assert period_columns([header], year_span="end")[0] == [PeriodColumn(header, 2022)]


def test_headers_that_are_not_periods():
    found, refused = period_columns(["Region", "region_id", "12008", "Amount", "", "2022-23",
                                     "FY22", "1700", "Q5 2022", "2019-2021", "2022 total"])
    assert found == []
    assert dict(refused) == {
        "2022-23": "a two-year span; set year_span",
        "FY22": "a two-digit year (e.g. FY22): write the year in full",
        "1700": "a year outside 1800-2199",
        "Q5 2022": "not a quarter from 1 to 4",
        "2019-2021": "a span whose years do not follow each other",
    }
    for text in ("Region", "12008", "Amount", "2022 total"):
        assert not looks_like_period(text)


def test_period_columns_keep_the_column_order_and_reject_a_bad_rule():
    found, _ = period_columns(["地区", "2022年", "2021年", "Q1 2020"])
    assert [p.column for p in found] == ["2022年", "2021年", "Q1 2020"]
    with pytest.raises(ValueError):
        period_columns(["2022"], year_span="middle")


def test_unpivot_a_3_by_3_frame():
    frame = pd.DataFrame({"region": ["北京", "天津", "河北"],
                          "2021年": ["40269.6", "", "40391.3"],
                          "Q1 2022": ["1,000", "2", None]}, dtype="string")
    periods, _ = period_columns(list(frame.columns))
    long, lines = unpivot(frame, np.array([4, 5, 7]), periods)
    expected = pd.DataFrame({
        "region": ["北京", "北京", "天津", "天津", "河北", "河北"],
        "_year": pd.array([2021, 2022] * 3, dtype="Int64"),
        "_quarter": pd.array([None, 1] * 3, dtype="Int64"),
        "_value": ["40269.6", "1,000", "", "2", "40391.3", ""],
        "_column": ["2021年", "Q1 2022"] * 3,
    })
    assert list(long.columns) == list(expected.columns)
    assert long["region"].tolist() == expected["region"].tolist()
    assert long["_year"].equals(expected["_year"])
    assert long["_quarter"].equals(expected["_quarter"])
    assert long["_value"].tolist() == expected["_value"].tolist()
    assert long["_column"].astype(str).tolist() == expected["_column"].tolist()
    assert lines.tolist() == [4, 4, 5, 5, 7, 7]


def test_unpivot_keeps_every_other_column_and_handles_no_periods():
    frame = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "2020": ["1", "2"],
                          "note": ["x", "y"]})
    long, lines = unpivot(frame, np.array([2, 3]), [PeriodColumn("2020", 2020)])
    assert list(long.columns) == ["id", "name", "note", "_year", "_quarter", "_value",
                                  "_column"]
    assert long["note"].tolist() == ["x", "y"] and lines.tolist() == [2, 3]
    empty, no_lines = unpivot(frame, np.array([2, 3]), [])
    assert len(empty) == 0 and len(no_lines) == 0 and "_value" in empty


def test_unpivot_the_same_header_twice_keeps_both():
    frame = pd.DataFrame({"id": ["a"], "2020": ["1"], "2020 ": ["2"]})
    periods = [PeriodColumn("2020", 2020), PeriodColumn("2020 ", 2020)]
    long, _ = unpivot(frame, np.array([2]), periods)
    assert long["_value"].tolist() == ["1", "2"]
    assert long["_column"].tolist() == ["2020", "2020 "]


def test_unpivot_of_a_large_table_keeps_every_cell_and_line():
    # How fast this runs is measured by the I1 benchmark, not here.
    n, k = 100_000, 20
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"region_id": [f"{i:05d}" for i in range(n)], "name": "x"})
    for j in range(k):
        frame[str(2000 + j)] = rng.random(n).round(2).astype(str)
    frame = frame.astype("str")
    periods, _ = period_columns(list(frame.columns))
    long, lines = unpivot(frame, np.arange(n) + 2, periods)
    assert len(long) == n * k and lines[-1] == n + 1
    assert long["_value"].iloc[k] == frame["2000"].iloc[1]
