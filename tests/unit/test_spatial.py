"""Spatial weights, Moran's I, LISA and Getis-Ord (analysis/spatial.py): a lattice with a planted
cluster, a checkerboard, the US states' islands, and the values esda documents for the example
data libpysal ships (St. Louis homicides, de Smith's ten regions, six points)."""
from __future__ import annotations

import pickle

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import analysis.spatial as spatial
from analysis import AnalysisError
from analysis.spatial import (CLUSTERS, WeightsSpec, getis_ord, global_moran, local_moran,
                              weights, weights_from_w)
from locales import use

CELL_M = 10_000.0          # 10 km squares


def lattice(n: int = 10) -> gpd.GeoDataFrame:
    """n × n squares of 10 km in Web Mercator metres, ids "row-col"."""
    ids = [f"{r}-{c}" for r in range(n) for c in range(n)]
    geoms = [box(c * CELL_M, r * CELL_M, (c + 1) * CELL_M, (r + 1) * CELL_M)
             for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame({"name": [f"Cell {i}" for i in ids]}, geometry=geoms, index=ids,
                            crs="EPSG:3857")


GRID = lattice()
BLOCK = {f"{r}-{c}" for r in range(2, 5) for c in range(2, 5)}


def planted(seed: int = 7) -> pd.Series:
    """Small noise everywhere, +10 on a 3 × 3 block."""
    v = pd.Series(np.random.default_rng(seed).normal(0, 0.1, len(GRID)), index=GRID.index)
    v[sorted(BLOCK)] += 10
    return v


def checkerboard() -> pd.Series:
    return pd.Series([float((int(i.split("-")[0]) + int(i.split("-")[1])) % 2) for i in GRID.index],
                     index=GRID.index)


# -------------------------------------------------------------------------------- weights

def test_queen_and_rook_neighbours_on_the_lattice():
    q, r = weights(GRID, "queen"), weights(GRID, "rook")
    assert sorted(q.w.neighbors["5-5"]) == ["4-4", "4-5", "4-6", "5-4", "5-6", "6-4", "6-5", "6-6"]
    assert sorted(r.w.neighbors["5-5"]) == ["4-5", "5-4", "5-6", "6-5"]
    assert sorted(r.w.neighbors["0-0"]) == ["0-1", "1-0"]
    # row-standardised
    assert r.w.weights["0-0"] == [0.5, 0.5] and q.w.transform == "R"
    assert (q.islands, q.n_components, q.n) == ((), 1, 100)
    assert r.mean_neighbours == pytest.approx(3.6)          # (4·2 + 32·3 + 64·4) / 100


def test_knn_weights():
    w = weights(GRID, "knn", k=4)
    assert all(len(v) == 4 for v in w.w.neighbors.values())
    assert sorted(w.w.neighbors["5-5"]) == ["4-5", "5-4", "5-6", "6-5"]
    assert str(w.method) == ("Spatial weights: the 4 nearest regions by great-circle distance "
                             "between centroids, row-standardised.")


def test_distance_band_default_gives_every_region_a_neighbour():
    w = weights(GRID, "distance", name_column="name")
    # centroids 10 km apart side by side, 14.1 km across a corner: the rook neighbours
    assert w.threshold_km == 10.0
    assert {i: sorted(v) for i, v in w.w.neighbors.items()} == \
        {i: sorted(v) for i, v in weights(GRID, "rook").w.neighbors.items()}
    assert str(w.problems[0]) == ("The distance band, 10 km, is the smallest at which every "
                                  "region has a neighbour; it is set by the most isolated "
                                  "region, Cell 0-0.")
    wide = weights(GRID, "distance", threshold=15)
    assert len(wide.w.neighbors["5-5"]) == 8 and wide.threshold_km == 15.0


def test_islands_are_dropped_and_listed():
    gdf = pd.concat([GRID, gpd.GeoDataFrame({"name": ["Far away"]},
                                            geometry=[box(5e5, 5e5, 5.1e5, 5.1e5)],
                                            index=["far"], crs="EPSG:3857")])
    w = weights(gdf, "queen", name_column="name")
    assert w.islands == ("far",) and w.island_names() == ("Far away",)
    assert "far" not in w.ids and w.n == 100
    [ex] = w.excluded
    assert (ex.ids, ex.names, str(ex.reason)) == (("far",), ("Far away",),
                                                  "no neighbour (island)")
    assert str(w.method).endswith("1 region(s) without a neighbour (islands) are left out: "
                                  "Far away.")
    joined = weights(gdf, "queen", name_column="name", handle_islands="knn1")
    assert joined.attached == {"far": "9-9"}
    assert joined.w.neighbors["far"] == ["9-9"] and "far" in joined.w.neighbors["9-9"]
    assert joined.n == 101 and joined.n_components == 1 and joined.excluded == ()


@pytest.fixture(scope="module")
def states():
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest("geodata/workspaces/us_federal"))
    mv = map_values(data, MeasureSpec(level="state", measure="per_capita",
                                      table="obligations_total", span=(2024, 2024)))
    return data.boundaries("state").set_index("region_id"), mv.values


def test_hawaii_alaska_and_puerto_rico_are_islands_at_state_level(states):
    gdf, values = states
    w = weights(gdf, "queen", name_column="name")
    # the island territories too: American Samoa, Virgin Islands, Northern Marianas, Guam
    assert set(w.islands) == {"02", "15", "72", "60", "78", "69", "66"}
    assert {"Alaska", "Hawaii", "Puerto Rico"} <= set(w.island_names())
    assert w.n == 49 and w.n_components == 1                 # 48 states and DC, connected
    joined = weights(gdf, "queen", name_column="name", handle_islands="knn1")
    # great-circle distances: in the Albers projection of the lower 48 (EPSG:5070) Hawaii's
    # nearest region would be American Samoa
    assert joined.attached["15"] == "06" and joined.attached["02"] == "53"   # California, Wash.
    assert joined.attached["72"] == "78" and joined.attached["78"] == "72"
    assert joined.w.neighbors["72"] == ["78"]               # a pair joined once, not twice
    # with the per-resident values: the islands that have a value are counted as left out
    m = global_moran(values, w)
    assert m.n == 49 and m.n_excluded == 3
    assert [(str(e.reason), set(e.ids)) for e in m.excluded] == [
        ("no neighbour (island)", {"02", "15", "72"})]


def test_spec_normalises_what_does_not_matter_and_is_hashable():
    assert WeightsSpec.of("queen", k=3) == WeightsSpec.of("queen", k=9)
    assert WeightsSpec.of("knn", k=3) != WeightsSpec.of("knn", k=4)
    assert len({WeightsSpec.of("distance", threshold=50), WeightsSpec.of("distance",
                                                                        threshold=50.0)}) == 1


def test_weights_are_a_pure_function_and_pickle():
    a, b = weights(GRID, "queen"), weights(GRID, "queen")
    assert a.w.neighbors == b.w.neighbors and a.w.weights == b.w.weights
    c = weights(GRID, WeightsSpec.of("queen"))
    assert c.w.neighbors == a.w.neighbors and c.spec == a.spec
    back = pickle.loads(pickle.dumps(a))
    assert back.w.neighbors == a.w.neighbors and back.spec == a.spec
    assert str(back.method) == str(a.method)


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "bishop"}, "Unknown kind of spatial weights 'bishop'"),
    ({"kind": "queen", "handle_islands": "keep"}, "Unknown way to handle islands 'keep'"),
    ({"kind": "knn", "k": 0}, "k must be a whole number of 1 or more"),
    ({"kind": "knn", "k": 100}, "100 nearest neighbours need more than 100 regions; 100 here"),
    ({"kind": "distance", "threshold": -5}, "number of kilometres above zero"),
])
def test_bad_weights_are_refused(kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        weights(GRID, **kwargs)


# ------------------------------------------------------------------------------ Moran's I

def test_planted_cluster_gives_positive_moran_and_hh_exactly_on_the_block():
    w = weights(GRID, "queen")
    m = global_moran(planted(), w)
    assert m.i > 0.3 and m.p_sim <= 0.01 and m.significant
    assert m.expected_i == pytest.approx(-1 / 99) and m.n == 100 and m.permutations == 999
    assert str(m.reading).startswith("Similar values sit next to each other")
    lisa = local_moran(planted(), w)
    assert set(lisa.cluster.index[lisa.cluster == "high_high"]) == BLOCK
    assert (lisa.quadrant[sorted(BLOCK)] == "HH").all()
    assert lisa.counts["high_high"] == 9 and sum(lisa.counts.values()) == 100
    assert lisa.p_sim[sorted(BLOCK)].max() <= 0.05


def test_lisa_is_reproducible_with_a_seed():
    w = weights(GRID, "queen")
    a, b = local_moran(planted(), w, seed=3), local_moran(planted(), w, seed=3)
    assert a.p_sim.equals(b.p_sim)


def test_checkerboard_gives_moran_minus_one_with_rook():
    m = global_moran(checkerboard(), weights(GRID, "rook"))
    assert m.i == pytest.approx(-1.0) and m.p_sim == 0.001
    assert str(m.reading).startswith("Neighbours differ more than chance would give")


def test_stl_homicides_match_esdas_documented_moran():
    # esda.moran.Moran docstring: stl.gal, stl_hom.txt column HR8893
    w = libpysal.io.open(libpysal.examples.get_path("stl.gal")).read()
    f = libpysal.io.open(libpysal.examples.get_path("stl_hom.txt"))
    y = pd.Series(np.array(f.by_col["HR8893"]), index=[str(i) for i in w.id_order])
    m = global_moran(y, w)
    assert round(m.i, 3) == 0.244
    assert m.expected_i == -0.012987012987012988
    assert m.p_norm == pytest.approx(0.00027147862770937614, rel=1e-9)
    assert m.n == 78


def test_desmith_quadrants_match_esdas_documented_local_moran(monkeypatch):
    # esda.moran.Moran_Local docstring: desmith.gal, desmith.txt column z → q
    monkeypatch.setattr(spatial, "MIN_REGIONS", 5)
    w = libpysal.io.open(libpysal.examples.get_path("desmith.gal")).read()
    f = libpysal.io.open(libpysal.examples.get_path("desmith.txt"))
    y = pd.Series(np.array(f.by_col["z"]), index=[str(i) for i in w.id_order])
    lisa = local_moran(y, w, permutations=99)
    q = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert lisa.quadrant.tolist() == [q[i] for i in [4, 4, 4, 2, 3, 3, 1, 4, 3, 3]]


def test_getis_ord_star_matches_esdas_documented_z(monkeypatch):
    # esda.getisord.G_Local docstring: six points, DistanceBand(threshold=15), binary, star
    monkeypatch.setattr(spatial, "MIN_REGIONS", 5)
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    w = libpysal.weights.DistanceBand(points, threshold=15)
    y = pd.Series([2, 3, 3.2, 5, 8, 7], index=[str(i) for i in range(6)])
    g = getis_ord(y, w, permutations=99, alpha=0.1)
    assert g.z.to_numpy() == pytest.approx(
        [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331])


def test_getis_ord_finds_the_planted_hot_spot():
    g = getis_ord(planted().clip(lower=0), weights(GRID, "queen"))
    assert g.spot["3-3"] == "hot_spot" and g.counts["hot_spot"] >= 9
    assert (g.spot[sorted(BLOCK)] == "hot_spot").all()
    negative = planted().clip(lower=0)
    negative["0-0"] = -1.0
    with pytest.raises(AnalysisError, match=r"needs values of zero or more; 1 region\(s\) have"):
        getis_ord(negative, weights(GRID, "queen"))


def test_statistics_do_not_change_the_weights_they_are_given():
    w = weights(GRID, "queen")
    before = {i: list(v) for i, v in w.w.weights.items()}
    getis_ord(planted().clip(lower=0), w, star=False)   # esda's Gi switches its W to binary
    assert w.w.transform == "R" and w.w.weights == before
    local_moran(planted(), w)
    assert w.w.transform == "R" and w.w.weights == before


# ------------------------------------------------------------------------ missing values

def test_missing_values_are_excluded_and_new_islands_reported():
    v = planted()
    v[["4-5", "5-4", "5-6", "6-5"]] = np.nan     # every rook neighbour of 5-5
    lisa = local_moran(v, weights(GRID, "rook", name_column="name"))
    assert lisa.n == 95 and lisa.n_excluded == 5
    assert [(str(e.reason), e.ids) for e in lisa.excluded] == [
        ("no value", ("4-5", "5-4", "5-6", "6-5")),
        ("every neighbour without a value", ("5-5",))]
    assert lisa.excluded[1].names == ("Cell 5-5",)
    assert [str(p) for p in lisa.problems] == [
        "1 region(s) have no neighbour with a value and are left out: Cell 5-5."]
    assert "5-5" not in lisa.cluster.index


def test_values_outside_the_weights_are_counted():
    v = pd.concat([planted(), pd.Series({"elsewhere": 3.0})])
    m = global_moran(v, weights(GRID, "queen"))
    assert [(str(e.reason), e.ids) for e in m.excluded] == [
        ("not among the regions of the weights", ("elsewhere",))]


def test_fewer_than_eight_regions_are_refused():
    v = pd.Series(np.nan, index=GRID.index)
    v[["0-0", "0-1", "0-2", "0-3", "1-0", "1-1", "1-2"]] = [1, 2, 3, 4, 5, 6, 7]
    with pytest.raises(AnalysisError, match=r"at least 8 regions with a value and a neighbour; "
                                            r"7 here \(93 left out\)"):
        local_moran(v, weights(GRID, "queen"))


def test_constant_values_are_refused():
    with pytest.raises(AnalysisError, match=r"All 100 values are the same \(2\)"):
        global_moran(pd.Series(2.0, index=GRID.index), weights(GRID, "queen"))


@pytest.mark.parametrize("kwargs, message", [
    ({"permutations": 9}, "at least 99 permutations"),
    ({"alpha": 1.5}, "between 0 and 1"),
    ({"alpha": 0.0001}, "no pseudo p-value is below 0.001"),
])
def test_bad_inference_settings_are_refused(kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        local_moran(planted(), weights(GRID, "queen"), **kwargs)


# -------------------------------------------------------------------------------- Chinese

def test_labels_and_method_in_chinese():
    w = weights(GRID, "queen")
    lisa = local_moran(planted(), w)
    with use("zh"):
        assert [lisa.label(k) for k in CLUSTERS] == ["高-高集聚", "低-低集聚", "低-高异常",
                                                     "高-低异常", "不显著"]
        assert lisa.labels()["3-3"] == "高-高集聚"
        assert "999次条件置换" in str(lisa.method)
        assert str(w.method) == "空间权重：后式邻接（共享边界或顶点的地区互为邻接），按行标准化。"
    assert lisa.label("high_high") == "High-high"


def test_weights_from_a_gal_file_keep_its_ids():
    w = libpysal.io.open(libpysal.examples.get_path("stl.gal")).read()
    wr = weights_from_w(w)
    assert wr.n == 78 and wr.ids[:3] == ("1", "2", "3") and wr.w.transform == "R"
