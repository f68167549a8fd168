"""Number texts for many regions at once are exactly the texts value by value."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import locales
from layers.choropleth import rank_text
from layers.number_arrays import count_texts, format_numbers, rank_texts
from layers.numbers import format_number

UNITS = ["USD", "EUR", "CNY", "CHF", "%", "", "crashes", "人", "km",
         "USD per resident", "USD per 1,000 residents", "USD per mile", "EUR per km",
         "USD per widget", "CNY per resident"]


def values() -> list:
    rng = np.random.default_rng(5)
    mags = 10.0 ** rng.uniform(-7, 15, 4000)
    signs = rng.choice([-1.0, 1.0], 4000)
    edge = [0.0, -0.0, 0.004, -0.004, 0.005, 0.125, 0.995, 0.9999, 1.0, 9.995, 99.95, 99.96,
            100.0, 999.5, 999.995, 1000.0, 1234.5, 9_999.5, 999_999.5, 1e6, 999_950_000.0,
            999_960_000.0, 1e9, 1e12, 9.9996e12, 1e16, 12.5, 12.505, 317.5, 3.2, 99_999.0,
            123_456.0, 1.25e4, 9.9996e7, np.nan, np.inf, -np.inf, None, 7, -7]
    return [*edge, *(mags * signs).tolist(), *np.round(mags * signs, 2).tolist()]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("compact", [True, False])
def test_format_numbers_equals_format_number(lang, compact):
    xs = values()
    with locales.use(lang):
        for unit in UNITS:
            want = [format_number(x, unit, compact=compact) for x in xs]
            assert format_numbers(xs, unit, compact=compact) == want, unit
            assert format_numbers(np.array([np.nan if x is None else x for x in xs]), unit,
                                  compact=compact) == want, unit


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rank_and_count_texts_equal_the_value_by_value_texts(lang):
    rng = np.random.default_rng(1)
    v = pd.Series(rng.choice([1.0, 2.0, 2.0, 5.5, np.nan, 1e6], 3000))
    with locales.use(lang):
        assert rank_texts(v) == rank_text(v).tolist()
    pop = pd.Series([12345.0, np.nan, 0.0, 7.0, 1_000_000.0])
    assert count_texts(pop) == ["12,345", "—", "0", "7", "1,000,000"]


def test_chinese_rank_text():
    with locales.use("zh"):
        assert rank_texts(pd.Series([3.0, 1.0, np.nan])) == \
            rank_text(pd.Series([3.0, 1.0, np.nan])).tolist()
        assert rank_texts(pd.Series([3.0]))[0] != "1 of 1"


def test_a_hundred_thousand_values_take_a_fraction_of_the_value_by_value_time():
    xs = (10.0 ** np.random.default_rng(2).uniform(2, 9, 100_000)).tolist()
    t0 = time.perf_counter()
    slow = [format_number(x, "USD") for x in xs]
    t1 = time.perf_counter()
    fast = format_numbers(xs, "USD")
    t2 = time.perf_counter()
    assert fast == slow
    assert (t2 - t1) < 0.6 * (t1 - t0)
