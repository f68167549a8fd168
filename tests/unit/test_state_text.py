"""View values as the URL writes them, and link values the map must refuse."""
from __future__ import annotations

import math

import pytest

from ui import state


def test_centre_keeps_its_comma_and_spans_their_dash():
    assert state.url_text("center", (42.3601, -71.0589)) == "42.36010,-71.05890"
    assert state.url_text("years", (2012, 2017)) == "2012-2017"
    assert state.url_text("agencies", ["A", "B"]) == "A|B"
    assert state.url_text("average", True) == "1"
    assert state.url_text("region", None) == ""
    assert state.parse_center(state.url_text("center", (42.36, -71.06))) == (42.36, -71.06)


@pytest.mark.parametrize("raw", ["nan", "inf", "-1", "99", "x"])
def test_zoom_off_the_scale_is_refused(raw):
    with pytest.raises(ValueError):
        state.parse_zoom(raw)
    assert not math.isnan(state.parse_zoom("4.25"))
