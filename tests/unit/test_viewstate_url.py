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


# ---------------------------------------------------------------- impossible choices, said why
def test_change_is_offered_only_where_a_table_holds_more_than_one_year(tmp_path):
    from geodata.viewstate import choices
    from tests.unit.test_measures import tiny_data

    one_year = tiny_data(tmp_path, spend=False)
    assert choices(one_year, "county").measures == ["total", "share"]
    both = tiny_data(tmp_path)
    assert choices(both, "county").measures == ["total", "per_capita", "share", "change"]
    assert choices(both, "county", "change").tables == ["spend"]
    assert choices(both, "county", "total").tables == ["grants", "spend"]


def test_a_link_asking_for_change_with_one_year_is_refused_with_the_reason(tmp_path):
    from locales import use
    from tests.unit.test_measures import tiny_data

    data = tiny_data(tmp_path, spend=False)
    vs, ignored = resolve_view(data, {"measure": "change"})
    assert vs.measure == "total"
    assert ignored == ["measure='change': every table at this level holds one year only, so "
                       "there is no previous period to compare against"]
    with use("zh"):
        _, ignored = resolve_view(data, {"measure": "change"})
    assert ignored == ["measure='change'：该层级的每张表都只有一个年份，没有可供比较的上一期间"]


def test_years_outside_the_table_are_reported_with_the_years_it_holds(tmp_path):
    from locales import use
    from tests.unit.test_measures import tiny_data

    data = tiny_data(tmp_path)
    vs, ignored = resolve_view(data, {"table": "spend", "years": "2030"})
    assert vs.years == (2023, 2023)
    assert ignored == ["years='2030': outside 2021–2023, the years this table holds"]
    vs, ignored = resolve_view(data, {"table": "spend", "years": "2022-2023"})
    assert vs.years == (2022, 2023) and ignored == []
    with use("zh"):
        _, ignored = resolve_view(data, {"table": "spend", "years": "2030"})
    assert ignored == ["years='2030'：超出该表所含年份（2021–2023）"]


def test_the_legend_names_the_unit_in_the_readers_language(tmp_path):
    from geodata.viewstate import compose_view
    from locales import use
    from tests.unit.test_measures import tiny_data

    data = tiny_data(tmp_path)
    vs, _ = resolve_view(data, {"measure": "per_capita", "table": "spend", "years": "2023"})
    ids = list(data.names("county"))
    mv, view = compose_view(data, vs, ids)
    assert (mv.unit, view.subtitle) == ("USD per resident", "USD per resident")
    with use("zh"):
        mv, view = compose_view(data, vs, ids)
    assert (mv.unit, view.subtitle) == ("USD per resident", "美元/人")
    assert [e.label for e in view.legend][-1] == "无数据"
