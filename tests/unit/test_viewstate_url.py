"""Map centre and zoom, and the Roads page's choices, round-trip through a view's link."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from geodata.viewstate import resolve_view


def _round_trip(data, query: dict[str, str]):
    vs, ignored = resolve_view(data, query)
    again, ignored2 = resolve_view(data, dict(parse_qsl(urlencode(vs.to_query()))))
    return vs, again, ignored + ignored2


def test_center_and_zoom_round_trip_through_the_link(boston):
    vs, again, ignored = _round_trip(boston, {"center": "42.35812,-71.06377", "zoom": "11.25"})
    assert not ignored
    assert vs.center == pytest.approx((42.35812, -71.06377)) and vs.zoom == 11.25
    assert again == vs
    assert vs.to_query()["center"] == "42.35812,-71.06377" and vs.to_query()["zoom"] == "11.25"


@pytest.mark.parametrize("key,raw", [("center", "42.3"), ("center", "95,10"),
                                     ("center", "a,b"), ("zoom", "99"), ("zoom", "inf")])
def test_a_mangled_center_or_zoom_is_ignored_and_said(boston, key, raw):
    vs, ignored = resolve_view(boston, {key: raw})
    assert getattr(vs, key) is None
    assert any(m.startswith(f"{key}=") for m in ignored)


def test_roads_view_round_trips_and_fills_the_town_layer(boston):
    from exports.compose import compose

    q = {"page": "roads", "road_layer": "funding", "condition": "psi_massdot_interstate",
         "road_class": "segments", "overlay": "1", "level": "town"}
    c = compose(boston, q)
    assert not c.ignored
    link = c.vs.to_query()
    assert (link["page"], link["road_layer"], link["overlay"], link["measure"]) == \
        ("roads", "funding", "1", "total")
    assert compose(boston, link).vs == c.vs
    bad = compose(boston, {**q, "condition": "nope", "road_layer": "x"})
    assert bad.vs.condition == "psi_massdot_interstate"
    assert any("condition='nope'" in m for m in bad.ignored)
    assert any("road_layer='x'" in m for m in bad.ignored)
