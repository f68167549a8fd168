"""Units of amounts and counts: the documented vocabulary is read exactly, anything else is
refused (None), units in headers are found, and a unit column scales row by row."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata.readers import units
from geodata.readers.units import SCALE_WORDS, Scale, parse_scale, scale_by_row, scale_from_header

CUR, PER = "currency", "persons"

VOCABULARY = [
    # numbers
    (1000, 1e3, "", ""), (1e8, 1e8, "", ""), (0.5, 0.5, "", ""), ("1000", 1e3, "", ""),
    ("1e8", 1e8, "", ""), ("1,000", 1e3, "", ""), ("x1000", 1e3, "", ""),
    ("×10000", 1e4, "", ""), ("X 1000", 1e3, "", ""), ("*100", 100.0, "", ""),
    ("1e12", 1e12, "", ""), ("1,000,000", 1e6, "", ""),
    # English multipliers
    ("thousand", 1e3, "", ""), ("Thousands", 1e3, "", ""), ("k", 1e3, "", ""),
    ("'000", 1e3, "", ""), ("000s", 1e3, "", ""), ("(000s)", 1e3, "", ""),
    ("million", 1e6, "", ""), ("MILLIONS", 1e6, "", ""), ("m", 1e6, "", ""),
    ("mn", 1e6, "", ""), ("mm", 1e6, "", ""), ("billion", 1e9, "", ""),
    ("billions", 1e9, "", ""), ("bn", 1e9, "", ""), ("b", 1e9, "", ""),
    ("trillion", 1e12, "", ""), ("in thousands", 1e3, "", ""),
    # with currency
    ("$ thousands", 1e3, CUR, ""), ("thousands of dollars", 1e3, CUR, ""),
    ("USD millions", 1e6, CUR, "USD"), ("EUR bn", 1e9, CUR, "EUR"),
    ("in millions of euros", 1e6, CUR, "EUR"), ("$000s", 1e3, CUR, ""), ("$'000", 1e3, CUR, ""),
    ("€m", 1e6, CUR, "EUR"), ("£bn", 1e9, CUR, "GBP"), ("US dollars", 1.0, CUR, "USD"),
    ("millions of US dollars", 1e6, CUR, "USD"), ("USD", 1.0, CUR, "USD"),
    ("thousand yuan", 1e3, CUR, "CNY"), ("C$ millions", 1e6, CUR, "CAD"),
    # persons
    ("persons", 1.0, PER, ""), ("thousands of people", 1e3, PER, ""),
    ("residents (thousands)", 1e3, PER, ""), ("million inhabitants", 1e6, PER, ""),
    # Chinese
    ("元", 1.0, CUR, "CNY"), ("千元", 1e3, CUR, "CNY"), ("万元", 1e4, CUR, "CNY"),
    ("十万元", 1e5, CUR, "CNY"), ("百万元", 1e6, CUR, "CNY"), ("千万元", 1e7, CUR, "CNY"),
    ("亿元", 1e8, CUR, "CNY"), ("万亿元", 1e12, CUR, "CNY"), ("人民币万元", 1e4, CUR, "CNY"),
    ("万美元", 1e4, CUR, "USD"), ("亿美元", 1e8, CUR, "USD"), ("百万欧元", 1e6, CUR, "EUR"),
    ("人", 1.0, PER, ""), ("千人", 1e3, PER, ""), ("万人", 1e4, PER, ""), ("亿人", 1e8, PER, ""),
    ("千", 1e3, "", ""), ("万", 1e4, "", ""), ("亿", 1e8, "", ""), ("百万", 1e6, "", ""),
    ("千万", 1e7, "", ""),
    # full-width forms, brackets, a "unit:" prefix
    ("（万元）", 1e4, CUR, "CNY"), ("Ｘ１０００", 1e3, "", ""), ("[USD millions]", 1e6, CUR, "USD"),
    ("单位：万元", 1e4, CUR, "CNY"), ("Units: thousands", 1e3, "", ""), (" 万 元 ", 1e4, CUR, "CNY"),
]


@pytest.mark.parametrize("text,factor,base,currency", VOCABULARY)
def test_parse_scale_reads_the_vocabulary(text, factor, base, currency):
    s = parse_scale(text)
    assert s is not None, text
    assert (s.factor, s.base, s.currency) == (factor, base, currency)


def test_every_word_of_the_documented_vocabulary_parses_to_its_entry():
    assert len(SCALE_WORDS) > 100
    for word, (factor, base) in SCALE_WORDS.items():
        for text in (word, word.upper(), f" ({word}) "):
            s = parse_scale(text)
            assert s is not None and (s.factor, s.base) == (factor, base), (text, s)


def test_multiplier_words_are_exact_powers_of_ten():
    for word, (factor, _) in SCALE_WORDS.items():
        power = round(math.log10(factor))
        assert factor == float(10 ** power), word


@pytest.mark.parametrize("text", [
    "%", "per cent", "percent", "pct", "‰", "百分比", "% of GDP", "abc", "0", "-1000", "1e400",
    "", "   ", "1e13", "1,0", "1000 thousands", "thousand millions", "$ €", "元/人", "万元/人",
    "per capita", "USD per person", "dollars of people", "人次", "万人次", "万亿人", "population",
    "metres", "x", "()",
])
def test_parse_scale_refuses_what_is_not_in_the_vocabulary(text):
    assert parse_scale(text) is None


@pytest.mark.parametrize("value", [0, -5, -1000.0, float("nan"), float("inf"), 2e12, True, None,
                                   np.float64("nan")])
def test_parse_scale_refuses_numbers_that_are_not_factors(value):
    assert parse_scale(value) is None


def test_number_factors_up_to_a_trillion_and_numpy_numbers():
    assert parse_scale(1e12).factor == 1e12
    assert parse_scale(np.int64(10000)).factor == 1e4
    assert parse_scale(1e8).text == "100000000"


def test_scale_keeps_the_unit_as_written():
    assert parse_scale(" 亿元 ").text == "亿元"
    assert parse_scale("USD millions").text == "USD millions"


def test_describe():
    assert parse_scale("亿元").describe("CNY") == "亿元 = × 100,000,000 → CNY"
    assert parse_scale("万人").describe() == "万人 = × 10,000 persons"
    assert parse_scale(1000).describe() == "× 1,000"
    assert parse_scale("thousands").describe() == "thousands = × 1,000"
    assert parse_scale("$ thousands").describe("usd") == "$ thousands = × 1,000 → USD"
    assert parse_scale("$ thousands").describe() == "$ thousands = × 1,000 (currency)"
    assert parse_scale("USD millions").describe("CNY") == \
        "USD millions = × 1,000,000 → USD (not the workspace's CNY)"
    assert Scale(0.5, "", "0.5").describe() == "× 0.5"


@pytest.mark.parametrize("header,factor,base", [
    ("金额（亿元）", 1e8, CUR),
    ("人口(万人)", 1e4, PER),
    ("Amount ($ thousands)", 1e3, CUR),
    ("FY2022 (USD millions)", 1e6, CUR),
    ("Population, thousands", 1e3, ""),
    ("Amount in USD millions", 1e6, CUR),
    ("单位：万元", 1e4, CUR),
    ("Amount (FY2022) ($ thousands)", 1e3, CUR),
    ("Amount [€m]", 1e6, CUR),
    ("Amount ($m)", 1e6, CUR),
    ("Amount ($MM)", 1e6, CUR),
    ("Amount (000)", 1e3, ""),
    ("Spending (x1000)", 1e3, ""),
    ("Budget (1,000,000)", 1e6, ""),
])
def test_scale_from_header_finds_the_unit(header, factor, base):
    s = scale_from_header(header)
    assert s is not None and (s.factor, s.base) == (factor, base), s


@pytest.mark.parametrize("header", [
    "amount", "金额", "region", "FY2022", "2022", "Population (2020)", "Value, 2020",
    "Share (%)", "Length (m)", "Rainfall (mm)", "Population (k)",
    "Amount (USD) (thousands of euros)", "Amount (notes)", "Spending in Texas", "人均(元/人)", "",
])
def test_scale_from_header_is_none_without_a_unit(header):
    assert scale_from_header(header) is None


def test_scale_by_row_mixed_units():
    values = pd.Series([1.5, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan, 7.0, np.nan],
                       index=range(10, 19))
    unit = pd.Series(["万元", "亿元", "", None, "furlongs", " 万元 ", "亿元", "NA", ""],
                     index=values.index)
    scaled, reason = scale_by_row(values, unit)
    assert scaled.index.equals(values.index)
    assert scaled.iloc[:2].tolist() == [15000.0, 200000000.0]
    assert scaled.iloc[5] == 60000.0
    assert scaled.iloc[[2, 3, 4, 6, 7, 8]].isna().all()
    # A row without a value gets no reason: its blank value is reported as such.
    assert reason.tolist() == [pd.NA, pd.NA, "blank_unit", "blank_unit", "unknown_unit", pd.NA,
                               pd.NA, "blank_unit", pd.NA]
    assert set(reason.dropna()) <= set(units.SCALE_REASONS)


def test_scale_by_row_refuses_another_kind_or_currency():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    unit = pd.Series(["万元", "万人", "万", "万美元", "$ thousands"])
    scaled, reason = scale_by_row(values, unit, base="currency", currency="CNY")
    assert reason.tolist() == [pd.NA, "wrong_base", pd.NA, "other_currency", pd.NA]
    assert scaled.tolist()[::2] == [1e4, 3e4, 5e3]
    _, reason = scale_by_row(values, unit)
    assert reason.isna().all()


def test_scale_by_row_parses_each_distinct_unit_once(monkeypatch):
    calls = []
    real = units.parse_scale
    monkeypatch.setattr(units, "parse_scale", lambda v: calls.append(v) or real(v))
    n = 30_000
    unit = pd.Series(np.tile(["万元", "亿元", "千元"], n // 3))
    scaled, reason = scale_by_row(pd.Series(np.ones(n)), unit)
    assert sorted(calls) == sorted(["万元", "亿元", "千元"])
    assert reason.isna().all() and scaled.sum() == (1e4 + 1e8 + 1e3) * (n // 3)
