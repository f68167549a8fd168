"""User-defined class breaks from a link: only finite numbers, not too many, increasing."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from geodata.viewstate import MAX_BREAKS, ViewState, parse_breaks, resolve_view
from layers.classify import classify


@pytest.mark.parametrize("text, bad", [
    ("nan inf", "'nan', 'inf'"),
    ("inf nan", "'inf', 'nan'"),          # the order never matters (it once did, by chance)
    ("10 NaN 20", "'NaN'"),
    ("-inf 5", "'-inf'"),
    ("5 +Infinity", "'+Infinity'"),
    ("1 1e309", "'1e309'"),               # too large for a float: becomes inf
    ("-1e309", "'-1e309'"),
])
def test_non_finite_breaks_are_refused_by_name(text, bad):
    breaks, err = parse_breaks(text)
    assert breaks is None
    assert err.startswith("Breaks must be finite numbers") and bad in err, err


def test_too_many_breaks_are_refused_and_the_limit_is_named():
    ok, err = parse_breaks(" ".join(str(i) for i in range(MAX_BREAKS)))
    assert err is None and len(ok) == MAX_BREAKS
    breaks, err = parse_breaks(" ".join(str(i) for i in range(MAX_BREAKS + 1)))
    assert breaks is None and err == f"Enter at most {MAX_BREAKS} breaks; got {MAX_BREAKS + 1}."
    breaks, err = parse_breaks("1 " * 100_000)
    assert breaks is None and "at most" in err


@pytest.mark.parametrize("text, expected", [
    ("10 20 50", (10.0, 20.0, 50.0)),
    ("1,000; 2,500|1e6", (1000.0, 2500.0, 1e6)),
    ("-5 0 1.5", (-5.0, 0.0, 1.5)),
    ("1.7e308", (1.7e308,)),
])
def test_good_breaks_still_parse(text, expected):
    assert parse_breaks(text) == (expected, None)


@pytest.mark.parametrize("text, message", [
    ("", "at least one break"),
    ("ten twenty", "must be numbers"),
    ("20 10", "must increase"),
    ("10 10", "must increase"),
])
def test_other_bad_breaks_say_what_was_expected(text, message):
    breaks, err = parse_breaks(text)
    assert breaks is None and message in err


@pytest.mark.parametrize("text", ["nan inf", "inf nan", "1e309", "-inf", "nan",
                                  " ".join(["1"] * 30)])
def test_a_link_with_bad_breaks_draws_quantiles_and_says_so(us, text):
    vs, ignored = resolve_view(us, {"level": "state", "measure": "total",
                                    "scheme": "user_defined", "breaks": text})
    assert any(m.startswith("breaks=") for m in ignored), ignored
    cs = vs.class_spec()
    assert cs.scheme == "quantiles" and cs.breaks is None
    from exports.compose import compose
    c = compose(us, vs)                       # classifies and colours without raising
    assert c.view.title


def test_no_class_spec_can_carry_a_non_finite_break():
    for text in ("nan inf", "1e309", "5 inf", "-inf 0 nan"):
        cs = ViewState(ws="w", level="l", measure="total", scheme="user_defined",
                       breaks=text).class_spec()
        assert cs.breaks is None and cs.scheme == "quantiles"
    cs = ViewState(ws="w", level="l", measure="total", scheme="user_defined",
                   breaks="1 2 3").class_spec()
    assert cs.scheme == "user_defined" and all(math.isfinite(b) for b in cs.breaks)


def test_classify_itself_refuses_non_finite_breaks():
    """The last line of defence downstream: a clear ValueError, never a wrong map."""
    with pytest.raises(ValueError, match="finite"):
        classify(pd.Series([1.0, 2.0, 3.0]), "user_defined", 3, breaks=[float("nan"), 2.0])
    with pytest.raises(ValueError, match="finite"):
        classify(pd.Series([1.0, 2.0]), "user_defined", 3, breaks=[1.0, float("inf")])
