"""Property-based tests of the readers: no exception escapes on any input, and what a
spreadsheet writes is read back as the same number, year, key or text."""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.load import normalise_keys
from geodata.readers.numbers import NUMBER_REASONS, YEAR_REASONS, parse_numbers, parse_quarters, \
    parse_years
from geodata.readers.text import decode, read_table_file

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.large_base_example])
cells = st.lists(st.one_of(st.text(max_size=30), st.none()), min_size=1, max_size=20)
finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(cells, st.sampled_from([".", ","]), st.booleans())
def test_parse_numbers_never_raises_and_reasons_are_known(values, decimal, allow_percent):
    raw = pd.Series(values, dtype="object")
    out, reason = parse_numbers(raw, decimal=decimal, allow_percent=allow_percent, max_abs=9e16)
    assert len(out) == len(raw) and out.index.equals(raw.index)
    present = out.notna().to_numpy()
    assert np.isfinite(out.to_numpy()[present]).all()
    assert not (present & reason.notna().to_numpy()).any()
    assert set(reason.dropna()) <= set(NUMBER_REASONS)


@SETTINGS
@given(st.lists(finite, min_size=1, max_size=30))
def test_numbers_as_spreadsheets_write_them_round_trip(xs):
    for fmt in ("{:.2f}", "{:,.2f}", "{:.6e}", "{!r}"):
        raw = pd.Series([fmt.format(x) for x in xs])
        out, reason = parse_numbers(raw)
        assert reason.isna().all(), (fmt, list(raw[reason.notna()]))
        expected = [float(fmt.format(x).replace(",", "")) for x in xs]
        assert np.allclose(out.to_numpy(), expected, rtol=1e-12, atol=0)
    # Accounting negatives and decimal commas ("1.234,50").
    raw = pd.Series([f"({abs(x):,.2f})" for x in xs])
    assert np.allclose(parse_numbers(raw)[0], [-float(f"{abs(x):.2f}") for x in xs], rtol=1e-12)
    eu = pd.Series([f"{x:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") for x in xs])
    assert np.allclose(parse_numbers(eu, decimal=",")[0], [float(f"{x:.2f}") for x in xs],
                       rtol=1e-12)


@settings(SETTINGS, max_examples=30)
@given(st.lists(st.one_of(finite.map(lambda x: f"{x:.2f}"), finite.map(lambda x: f"{x:,.2f}"),
                          finite.map(repr), st.text(max_size=8)), min_size=1, max_size=50))
def test_the_fast_path_of_large_columns_agrees_with_the_full_rules(cells_):
    raw = pd.Series((cells_ * (2500 // len(cells_) + 1))[:2500])
    fast, r1 = parse_numbers(raw)                       # over 2,000 cells: vectorised path
    slow, r2 = zip(*(parse_numbers(raw[i:i + 1000]) for i in range(0, len(raw), 1000)))
    assert np.array_equal(fast.to_numpy(), pd.concat(slow).to_numpy(), equal_nan=True)
    assert r1.fillna("").tolist() == pd.concat(r2).fillna("").tolist()


@SETTINGS
@given(cells, st.sampled_from([None, "start", "end"]))
def test_parse_years_and_quarters_never_raise(values, rule):
    raw = pd.Series(values, dtype="object")
    years, reason, spans = parse_years(raw, year_span=rule)
    got = years.dropna()
    assert ((got >= 1800) & (got <= 2199)).all()
    assert set(reason.dropna()) <= set(YEAR_REASONS)
    q, qreason = parse_quarters(raw)
    assert set(q.dropna()) <= {1, 2, 3, 4}
    assert set(qreason.dropna()) <= {"not_quarter"}


@SETTINGS
@given(st.lists(st.integers(1800, 2198), min_size=1, max_size=20))
def test_years_as_written_round_trip(ys):
    for fmt in ("{}", "FY{}", "FY {}", "{}年", "{}.0", "{}年度"):
        years, reason, _ = parse_years(pd.Series([fmt.format(y) for y in ys]))
        assert reason.isna().all() and years.tolist() == ys
    spans = pd.Series([f"{y}-{(y + 1) % 100:02d}" for y in ys])
    assert parse_years(spans, year_span="end")[0].tolist() == [y + 1 for y in ys]
    assert parse_years(spans, year_span="start")[0].tolist() == ys
    assert parse_years(spans)[1].eq("year_span").all()


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=12), st.integers(0, 99999).map(str), st.none()),
                min_size=1, max_size=20), st.sampled_from([None, 2, 5]))
def test_keys_never_raise_and_short_digit_keys_are_padded(keys, width):
    problems: list = []
    out = normalise_keys(pd.Series(keys, dtype="object"), width=width, file="f", column="c",
                         problems=problems)
    assert len(out) == len(keys)
    for k, o in zip(keys, out):
        if k is not None and k.strip().isascii() and k.strip().isdigit() and width and \
                len(k.strip()) < width:
            assert o == k.strip().zfill(width)


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["", "utf-8", "latin-1", "cp1252", "gb18030",
                                                 "utf-16", "no-such-codec"]))
def test_decode_never_raises(blob, declared):
    text, used, notes = decode(blob, declared)
    assert isinstance(text, str) and used


@SETTINGS
@given(st.text(max_size=200), st.sampled_from(["utf-8", "cp1252", "gb18030"]))
def test_text_round_trips_through_its_declared_encoding(text, enc):
    try:
        blob = text.encode(enc)
    except UnicodeEncodeError:
        return
    got, used, notes = decode(blob, enc)
    assert got == text.removeprefix("\ufeff")        # a leading BOM is not data
    assert not [n for n in notes if n.severity in ("error", "warning")]


safe_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                           blacklist_characters="\r\x00"), max_size=12)


@SETTINGS
@given(st.lists(st.lists(safe_cell, min_size=3, max_size=3), min_size=1, max_size=15),
       st.sampled_from([",", ";", "\t"]))
def test_a_csv_written_by_the_csv_module_is_read_back_cell_for_cell(tmp_path, rows, delim):
    rows = [r for r in rows if any(c.strip() for c in r)]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\n")
    w.writerow(["a", "b", "c"])
    w.writerows(rows)
    path = tmp_path / "t.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    res = read_table_file(path, separator=delim)
    assert not [n for n in res.notes if n.code == "bad_line"], res.notes
    assert res.frame.astype(str).values.tolist() == [[c for c in r] for r in rows]
    assert list(res.lines) == sorted(res.lines)
    assert not math.isnan(float(len(res.lines)))
