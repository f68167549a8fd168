"""Views of the Analysis page in the view state: the page's link keys round trip, the mapped
measure lands in the ordinary fields, and every value the page would not offer is reported
with the page's default used."""
from __future__ import annotations

import pytest

from analysis.outliers import DEFAULT_K
from geodata.viewstate import resolve_view
from locales import use

HOT = {"page": "analysis", "an_view": "hotspots", "level": "county", "measure": "per_capita"}


def test_an_outliers_view_takes_the_pages_defaults(us):
    vs, ignored = resolve_view(us, {"page": "analysis"})
    assert ignored == []
    assert (vs.page, vs.an_view, vs.an_rule, vs.an_k) == ("analysis", "outliers", "mad", 3.5)
    # the page maps money per resident first, of the workspace's default level
    assert (vs.level, vs.measure) == (us.ws.default_level, "per_capita")
    assert vs.measure_spec().measure == "per_capita"
    vs, _ = resolve_view(us, {"page": "analysis", "an_rule": "tukey"})
    assert (vs.an_rule, vs.an_k) == ("tukey", DEFAULT_K["tukey"])


def test_a_hot_spots_view_round_trips_through_its_link(us):
    vs, ignored = resolve_view(us, {**HOT, "an_stat": "gi", "an_w": "knn", "an_knn": "6",
                                    "an_alpha": "0.01", "an_perm": "99"})
    assert ignored == []
    assert (vs.an_stat, vs.an_w, vs.an_knn, vs.an_alpha, vs.an_perm) == ("gi", "knn", 6, 0.01, 99)
    assert (vs.level, vs.measure, vs.table) == ("county", "per_capita", "county_grants")
    q = vs.to_query()
    assert {k: q[k] for k in ("page", "an_view", "an_stat", "an_knn", "an_alpha")} == \
        {"page": "analysis", "an_view": "hotspots", "an_stat": "gi", "an_knn": "6",
         "an_alpha": "0.01"}
    assert resolve_view(us, q) == (vs, [])


def test_the_pages_own_names_of_the_measure_keys_are_read(us):
    # the Analysis page's address bar: an_level, an_measure …
    vs, ignored = resolve_view(us, {"page": "analysis", "an_view": "hotspots",
                                    "an_level": "state", "an_measure": "total"})
    assert ignored == [] and (vs.level, vs.measure) == ("state", "total")
    # the ordinary key wins when a link has both
    vs, _ = resolve_view(us, {"page": "analysis", "level": "county", "an_level": "state"})
    assert vs.level == "county"


def test_bad_values_are_reported_and_the_pages_defaults_used(us):
    vs, ignored = resolve_view(us, {**HOT, "an_stat": "moran", "an_w": "hex",
                                    "an_alpha": "0.2", "an_perm": "x"})
    assert (vs.an_stat, vs.an_w, vs.an_alpha, vs.an_perm) == ("lisa", "queen", 0.05, 999)
    assert ignored == ["an_stat='moran': not available here", "an_w='hex': not available here",
                       "an_alpha='0.2': not available here", "an_perm='x': not understood"]
    vs, ignored = resolve_view(us, {"page": "analysis", "an_view": "why", "an_k": "25"})
    assert (vs.an_view, vs.an_k) == ("outliers", 3.5)
    assert ignored == ["an_view='why': not available here",
                       "an_k='25': k must be above 0 and at most 20"]
    vs, ignored = resolve_view(us, {**HOT, "an_w": "knn", "an_knn": "40"})
    assert vs.an_knn == 5 and ignored == ["an_knn='40': not available here"]


def test_keys_of_another_question_are_dropped(us):
    vs, ignored = resolve_view(us, {**HOT, "an_rule": "tukey", "an_groups": "4"})
    assert ignored == [] and vs.an_rule == "" and vs.an_groups is None
    assert "an_rule" not in vs.to_query()


def test_peer_groups_and_what_money_predicts(us):
    vs, ignored = resolve_view(us, {"page": "analysis", "an_view": "peers", "an_level": "state",
                                    "an_measures": "population|nope", "an_groups": "13",
                                    "an_log": "0"})
    assert vs.an_measures == ("population",) and vs.an_groups == 5 and vs.an_log == "0"
    assert ignored == ["an_measures='population|nope': some values not available here",
                       "an_groups='13': not available here"]
    assert resolve_view(us, vs.to_query()) == (vs, [])
    vs, ignored = resolve_view(us, {"page": "analysis", "an_view": "predicts",
                                    "level": "state", "an_panel": "2016-2024"})
    assert ignored == [] and vs.an_panel == "2016-2024" and vs.an_log == "1"
    assert vs.an_outcome.startswith("ind:") and vs.an_money.startswith("money:")
    vs, ignored = resolve_view(us, {"page": "analysis", "an_view": "predicts",
                                    "level": "state", "an_panel": "1990-2024"})
    assert vs.an_panel == "" and ignored[0].startswith("an_panel='1990-2024': outside ")


def test_messages_in_chinese(us):
    with use("zh"):
        _, ignored = resolve_view(us, {**HOT, "an_alpha": "0.2"})
        assert ignored == ["an_alpha='0.2'：此处不可用"]
        _, ignored = resolve_view(us, {"page": "analysis", "an_k": "0"})
        assert ignored == ["an_k='0'：k 须大于 0 且不超过 20"]


@pytest.fixture(scope="module")
def nyc():
    from tests.unit.conftest import _bundled

    return _bundled("nyc_council")


def test_overlapping_funding_is_mapped_by_its_own_level(nyc):
    vs, ignored = resolve_view(nyc, {"page": "analysis", "an_view": "overlap",
                                     "an_ov_measure": "multi_amount"})
    assert ignored == []
    assert vs.an_ov_level == vs.level and vs.an_ov_measure == "multi_amount"
    vs, ignored = resolve_view(nyc, {"page": "analysis", "an_view": "overlap",
                                     "an_ov_level": "borough"})
    assert ignored == ["an_ov_level='borough': not available here"]


def test_a_level_that_does_not_exist_is_reported(us):
    vs, ignored = resolve_view(us, {"page": "analysis", "an_view": "peers", "level": "moon"})
    assert vs.level == us.ws.default_level
    assert ignored == ["level='moon': not available here"]
