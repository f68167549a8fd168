"""The Analysis page's map recipes (analysis.views) and their exports: compose() draws an
analysis view with the recipe the page draws it with, the method statement under the map, the
class of each region in words in the map data."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import AnalysisError, AnalysisMap
from analysis import outliers as O
from analysis import spatial as S
from analysis import views as AV
from exports.compose import compose, map_csv, map_table, region_ids
from geodata.dataset import map_values
from geodata.viewstate import resolve_view
from layers.analysis_maps import HOT_SPOT_CLASSES, LISA_CLASSES, hotspot_view
from locales import use

STATE = {"page": "analysis", "level": "state", "measure": "per_capita"}


@pytest.fixture(scope="module")
def per_resident(us):
    vs, _ = resolve_view(us, STATE)
    return map_values(us, vs.measure_spec())


@pytest.fixture(scope="module")
def queen(us):
    return AV.level_weights(us, "state")


def _classes(view) -> dict[str, str]:
    """Region → the legend label of its class (as the map names it)."""
    words = {e.class_id: e.label for e in view.legend}
    return {r: words[c] for r, c in zip(view.region_ids, view.class_ids.tolist())}


def test_hotspot_view_names_each_class_in_words():
    spots = pd.Series(["hot_spot", "cold_spot", "not_significant"], index=["a", "b", "c"])
    view = hotspot_view(["a", "b", "c", "d"], spots, title="T", subtitle="S",
                        value_text=pd.Series({"a": "$5", "b": "$1"}))
    assert [(e.label, e.count) for e in view.legend] == \
        [("Hot spot (among high values)", 1), ("Cold spot (among low values)", 1),
         ("Not significant", 1), ("No data", 1)]
    assert view.value_text[:2] == ("Hot spot (among high values) · $5",
                                   "Cold spot (among low values) · $1")
    assert view.colours()[:2] == [HOT_SPOT_CLASSES[0][2], HOT_SPOT_CLASSES[1][2]]
    with use("zh"):
        view = hotspot_view(["a"], spots, title="T", subtitle="S")
        assert view.legend[0].label == "热点（高值聚集）"


def test_outliers_map_outlines_the_rules_outliers_over_the_box_map(us, per_resident):
    ids = region_ids(us, "state")
    am = AV.outliers_map(us, "state", per_resident, ids, rule="mad", k=3.5)
    assert isinstance(am, AnalysisMap)
    res = O.flag_outliers(per_resident.values, rule="mad", k=3.5, unit=per_resident.unit)
    box = O.box_map(per_resident.values, log=res.log, unit=per_resident.unit)
    assert set(am.view.marked) == set(res.ids) and "38" in am.view.marked   # North Dakota
    assert am.view.marked_label == "Outlier: more than 3.5 × MAD from the median"
    expected = box.class_ids.reindex(ids).fillna(-1).astype(int).tolist()
    assert am.view.class_ids.tolist() == expected
    assert am.methodology.startswith(str(res.method))
    assert str(box.method) in am.methodology
    assert am.subtitle == "States · Box map: outliers in classes of their own"


def test_hotspots_map_is_lisa_or_getis_ord(us, per_resident, queen):
    ids = region_ids(us, "state")
    lisa = S.local_moran(per_resident.values, queen, 99, alpha=0.1)
    am = AV.hotspots_map(us, "state", per_resident, ids, queen, stat="lisa", alpha=0.1,
                         permutations=99)
    words = {code: label for code, label, _ in LISA_CLASSES}
    assert {r: w for r, w in _classes(am.view).items() if r in lisa.cluster.index} == \
        {r: words[c] for r, c in lisa.cluster.items()}
    gi = S.getis_ord(per_resident.values, queen, 99, alpha=0.1)
    am = AV.hotspots_map(us, "state", per_resident, ids, queen, stat="gi", alpha=0.1,
                         permutations=99)
    spots = {code: label for code, label, _ in HOT_SPOT_CLASSES}
    assert {r: w for r, w in _classes(am.view).items() if r in gi.spot.index} == \
        {r: spots[c] for r, c in gi.spot.items()}
    assert am.methodology.startswith(str(gi.method))
    assert "99 conditional permutations" in am.methodology and "at most 0.1" in am.methodology
    assert "Global Moran's I " in am.methodology
    assert am.subtitle == "States · Getis-Ord Gi* hot and cold spots, significance 0.1"
    with pytest.raises(AnalysisError, match="Unknown statistic 'moran'"):
        AV.hotspots_map(us, "state", per_resident, ids, queen, stat="moran")


def test_compose_draws_the_pages_recipe_with_its_method_under_the_map(us, per_resident, queen):
    q = {**STATE, "an_view": "hotspots", "an_stat": "gi", "an_alpha": "0.01", "an_perm": "499"}
    c = compose(us, q)
    assert c.ignored == ()
    ids = region_ids(us, "state")
    page = AV.find_hotspots(us, "state", per_resident, ids, queen, stat="gi", alpha=0.01,
                            permutations=499)
    assert _classes(c.view) == _classes(page.map.view)
    assert c.methodology == page.map.methodology
    assert "499 conditional permutations" in c.methodology and "at most 0.01" in c.methodology
    assert "queen contiguity" in c.methodology
    assert (c.title, c.subtitle) == (per_resident.label, page.map.subtitle)
    assert "Census population estimates" in c.source      # the measure's files are named
    assert c.figures.with_data == int(per_resident.values.notna().sum())
    table = map_table(us, c)
    words = _classes(page.map.view)
    assert table["class"].tolist() == [words[r] for r in table["region_id"]]
    nd = table.set_index("region_id").loc["38"]
    assert nd["value"] == pytest.approx(per_resident.values["38"])
    lines = map_csv(us, c).decode("utf-8").splitlines()
    assert lines[0] == "# " + c.methodology         # read back with comment="#"
    assert lines[1].startswith("region_id,name,value,unit,class,")


def test_an_outliers_view_carries_the_outline_in_its_data(us):
    c = compose(us, {**STATE, "an_view": "outliers", "an_rule": "tukey", "an_k": "1.5"})
    table = map_table(us, c).set_index("region_id")
    assert table.loc["38", "marked"] == "Outlier: beyond Tukey's fences (1.5 × IQR)"
    assert table.loc["38", "class"].startswith("Upper outliers")
    assert c.methodology.startswith("Outliers: values below Q1 − 1.5 × IQR")


def test_a_method_that_refuses_the_data_is_reported_with_an_empty_map(us):
    c = compose(us, {"page": "analysis", "an_view": "hotspots", "an_stat": "gi",
                     "level": "state", "measure": "change"})
    assert c.ignored == ("an_view='hotspots': Getis-Ord Gi* needs values of zero or more; "
                         "10 region(s) have a negative value.",)
    assert (c.view.class_ids < 0).all()
    assert c.methodology == ""             # the reason is said once, with what was ignored


def test_the_dispatcher_uses_the_callers_caches(us, per_resident, queen):
    vs, _ = resolve_view(us, {**STATE, "an_view": "hotspots"})
    asked = []

    def weights(level, kind, k, islands):
        asked.append((level, kind, k, islands))
        return queen

    am = AV.analysis_map(us, vs, region_ids(us, "state"), values=lambda spec: per_resident,
                         weights=weights)
    assert asked == [("state", "queen", 5, "drop")]
    assert am.subtitle == "States · Local Moran's I clusters, significance 0.05"


def test_in_chinese(us):
    with use("zh"):
        c = compose(us, {**STATE, "an_view": "hotspots", "an_stat": "gi", "an_perm": "99"})
        assert c.subtitle.endswith("Getis-Ord Gi* 热点与冷点，显著性水平 0.05")
        assert "全局莫兰指数为" in c.methodology


def test_peers_predicts_and_overlap_are_drawn_by_their_recipes(us):
    from analysis import model_views as MV

    ids = region_ids(us, "state")
    vs, _ = resolve_view(us, {"page": "analysis", "an_view": "predicts", "level": "state",
                              "an_panel": "2016-2024"})
    c = compose(us, vs)
    page = MV.predicts_map(us, "state", vs.an_year, ids, outcome=vs.an_outcome,
                           money=vs.an_money, controls=[], log=True, panel=(2016, 2024))
    assert c.ignored == () and _classes(c.view) == _classes(page.view)
    assert c.methodology == page.methodology and "2016" in c.subtitle
    vs, _ = resolve_view(us, {"page": "analysis", "an_view": "peers", "level": "state",
                              "an_groups": "3"})
    c = compose(us, vs)
    page = MV.peers_map(us, "state", vs.an_year, ids, measures=list(vs.an_measures), groups=3,
                        method="kmeans", log=True)
    assert _classes(c.view) == _classes(page.view) and len(c.view.legend) == 4
    assert c.figures.line() == f"States with data: {(c.view.class_ids >= 0).sum()} of 56"


def test_overlapping_funding_by_area(us):
    from tests.unit.conftest import _bundled

    nyc = _bundled("nyc_council")
    c = compose(nyc, {"page": "analysis", "an_view": "overlap", "an_ov_measure": "multi_amount"})
    assert c.ignored == () and c.vs.level == c.vs.an_ov_level
    assert c.title == "Money to recipients funded more than once"
    table = map_table(nyc, c)
    assert table["value"].sum() > 0 and set(table["unit"]) == {"USD"}
    # a workspace without line items: the reason, not a map
    c = compose(us, {"page": "analysis", "an_view": "overlap"})
    assert c.ignored[0].startswith("an_view='overlap': This workspace has no line-item table")
