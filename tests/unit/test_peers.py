"""Peer groups and peers (analysis.peers) against known answers on tiny inline data."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.metrics import adjusted_rand_score

from analysis import AnalysisError
from analysis.peers import BAND_STEP, peer_groups, similar_regions
from locales import use


# --- fixtures -----------------------------------------------------------------------------

def blobs(seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Three well-separated blobs of 6 regions each, in units far apart (dollars and percent)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[100.0, 5.0], [900.0, 40.0], [1800.0, 8.0]])
    spread = np.array([10.0, 0.5])
    x = np.vstack([c + rng.normal(0, 1, (6, 2)) * spread for c in centres])
    ids = [f"R{i:02d}" for i in range(18)]
    return pd.DataFrame(x, columns=["spend", "rate"], index=ids), np.repeat([0, 1, 2], 6)


def strip(top: list[float], bottom: list[float]) -> tuple[pd.DataFrame, sparse.csr_matrix]:
    """A 2 × 5 strip of regions c0..c4 (top) and c5..c9 (bottom), rook adjacency."""
    values = list(top) + list(bottom)
    ids = [f"c{i}" for i in range(10)]
    a = np.zeros((10, 10))
    for row in range(2):
        for col in range(5):
            i = row * 5 + col
            if col < 4:
                a[i, i + 1] = a[i + 1, i] = 1
            if row == 0:
                a[i, i + 5] = a[i + 5, i] = 1
    return pd.DataFrame({"v": values}, index=ids), sparse.csr_matrix(a)


def connected_within(groups: pd.Series, adj: sparse.csr_matrix, order: list[str]) -> bool:
    pos = {r: i for i, r in enumerate(order)}
    for g in groups.unique():
        idx = [pos[r] for r in groups.index[groups == g]]
        n, _ = connected_components(adj[idx][:, idx], directed=False)
        if n != 1:
            return False
    return True


def as_sets(groups: pd.Series) -> set[frozenset]:
    return {frozenset(groups.index[groups == g]) for g in groups.unique()}


# --- k-means --------------------------------------------------------------------------------

def test_kmeans_recovers_three_separated_blobs():
    frame, truth = blobs()
    r = peer_groups(frame, k=3, method="kmeans")
    assert adjusted_rand_score(truth, r.groups.loc[frame.index]) == 1.0
    # numbered by the mean of the first measure, lowest first: the blobs are in that order
    assert r.groups.tolist() == [1] * 6 + [2] * 6 + [3] * 6
    assert r.silhouette is not None and r.silhouette > 0.8
    assert r.algorithm == "kmeans" and r.k == 3 and r.n_groups == 3


def test_kmeans_profile_is_in_original_units():
    frame, _ = blobs()
    frame["pop"] = np.arange(1, 19) * 1000.0
    r = peer_groups(frame, k=3, method="kmeans", population="pop")
    assert r.measures == ("spend", "rate")           # the population column is not a measure
    prof = r.profile()
    first = frame.iloc[:6]
    assert prof.loc[1, ("spend", "mean")] == pytest.approx(first["spend"].mean(), abs=1e-9)
    assert prof.loc[1, ("rate", "median")] == pytest.approx(first["rate"].median(), abs=1e-9)
    assert prof.loc[2, ("regions", "")] == 6
    assert prof.loc[3, ("population", "")] == sum(range(13, 19)) * 1000.0


def test_silhouette_is_sklearns_on_zscores():
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    frame, _ = blobs()
    r = peer_groups(frame, k=3, method="kmeans")
    z = StandardScaler().fit_transform(frame.to_numpy())
    assert r.silhouette == pytest.approx(silhouette_score(z, r.groups.to_numpy()), abs=1e-12)


def test_rows_with_missing_values_are_excluded_and_listed():
    frame, _ = blobs()
    frame.loc["R03", "rate"] = np.nan
    frame.loc["R11", "spend"] = np.nan
    r = peer_groups(frame, k=3, method="kmeans")
    assert [(str(e.reason), e.ids) for e in r.excluded] == [("no value for rate", ("R03",)),
                                                            ("no value for spend", ("R11",))]
    assert r.n_excluded == 2
    assert len(r.groups) == 16 and "R03" not in r.groups.index
    assert "2 region(s) left out for missing values." in r.problems


# --- regionalisation ------------------------------------------------------------------------

def test_regions_respect_contiguity_on_a_strip():
    # high values at both ends, low in the middle: k-means joins the two ends, regions cannot
    frame, adj = strip([5, 1, 1, 1, 5], [5, 1, 1, 1, 5])
    km = peer_groups(frame, k=2, method="kmeans")
    assert km.groups["c0"] == km.groups["c4"]          # not neighbours, same k-means group
    for k in (2, 3, 4, 5):
        r = peer_groups(frame, k=k, method="regions", connectivity=adj)
        assert r.groups.nunique() == k
        assert connected_within(r.groups, adj, list(frame.index)), k
    r3 = peer_groups(frame, k=3, method="regions", connectivity=adj)
    assert as_sets(r3.groups) == {frozenset({"c0", "c5"}), frozenset({"c4", "c9"}),
                                  frozenset({"c1", "c2", "c3", "c6", "c7", "c8"})}
    assert r3.groups["c1"] == 1                        # lowest mean first
    assert r3.islands == ()


def test_regions_two_value_blocks_on_a_strip():
    frame, adj = strip([1, 1, 1, 5, 5], [1, 1, 5, 5, 5])
    r = peer_groups(frame, k=2, method="regions", connectivity=adj)
    assert r.groups.to_dict() == {"c0": 1, "c1": 1, "c2": 1, "c3": 2, "c4": 2,
                                  "c5": 1, "c6": 1, "c7": 2, "c8": 2, "c9": 2}
    assert r.silhouette == pytest.approx(1.0)


def test_libpysal_weights_give_the_same_groups_in_any_row_order():
    from libpysal.weights import W

    frame, adj = strip([5, 1, 1, 1, 5], [5, 1, 1, 1, 5])
    ids = list(frame.index)
    neighbours = {ids[i]: [ids[j] for j in adj[i].indices] for i in range(10)}
    w = W(neighbours, silence_warnings=True)
    by_matrix = peer_groups(frame, k=3, method="regions", connectivity=adj)
    shuffled = frame.iloc[[7, 2, 9, 0, 4, 1, 8, 3, 6, 5]]
    by_w = peer_groups(shuffled, k=3, method="regions", connectivity=w)
    assert by_w.groups.loc[ids].tolist() == by_matrix.groups.loc[ids].tolist()


def test_an_island_forms_its_own_group_numbered_last():
    frame, adj = strip([5, 1, 1, 1, 5], [5, 1, 1, 1, 5])
    frame.loc["isle"] = 0.0                            # lowest value, yet numbered last
    a = sparse.block_diag([adj, sparse.csr_matrix((1, 1))]).tocsr()
    r = peer_groups(frame, k=3, method="regions", connectivity=a)
    assert r.islands == ("isle",)
    assert r.groups["isle"] == 4 and r.n_groups == 4
    assert (r.groups.drop("isle") <= 3).all()
    assert r.sizes[4] == 1
    assert "1 region(s) have no neighbour and form groups of their own: isle." in r.problems
    assert "no neighbour forms a group of its own" in str(r.method)


def test_regions_missing_from_the_weights_have_no_neighbour():
    from libpysal.weights import W

    frame, adj = strip([5, 1, 1, 1, 5], [5, 1, 1, 1, 5])
    ids = list(frame.index)
    w = W({ids[i]: [ids[j] for j in adj[i].indices] for i in range(10)}, silence_warnings=True)
    frame.loc["new"] = 3.0
    r = peer_groups(frame, k=3, method="regions", connectivity=w)
    assert r.islands == ("new",)
    assert any("not in the spatial weights" in p for p in r.problems)


def test_each_separate_part_holds_a_group_and_the_rest_go_where_merges_cost_least():
    # part A (the strip) has two blocks; part B (a 1 × 4 chain far away) is uniform
    frame, adj = strip([1, 1, 1, 5, 5], [1, 1, 5, 5, 5])
    chain = pd.DataFrame({"v": [3.0, 3.0, 3.1, 3.0]}, index=[f"b{i}" for i in range(4)])
    frame = pd.concat([frame, chain])
    b = sparse.diags([1.0, 1.0, 1.0], 1, shape=(4, 4))
    a = sparse.block_diag([adj, b + b.T]).tocsr()
    r = peer_groups(frame, k=3, method="regions", connectivity=a)
    assert as_sets(r.groups) == {frozenset({"c0", "c1", "c2", "c5", "c6"}),
                                 frozenset({"c3", "c4", "c7", "c8", "c9"}),
                                 frozenset({"b0", "b1", "b2", "b3"})}
    assert connected_within(r.groups, a, list(frame.index))
    assert "The regions fall into 2 separate parts of neighbours; each part holds at least " \
           "one group." in r.problems
    with pytest.raises(AnalysisError, match=r"3 separate parts .* k of at least 3 \(got 2\)"):
        c = pd.DataFrame({"v": [9.0, 9.5]}, index=["d0", "d1"])
        d = sparse.csr_matrix(np.array([[0, 1], [1, 0]]))
        peer_groups(pd.concat([frame, c]), k=2, method="regions",
                    connectivity=sparse.block_diag([a, d]).tocsr())


def test_separate_parts_are_never_joined_even_when_their_values_match():
    # part B's values equal the low block of part A: only the adjacency keeps them apart
    frame, adj = strip([1, 1, 1, 2, 2], [1, 1, 2, 2, 2])
    chain = pd.DataFrame({"v": [1.0, 1.0, 1.0, 1.0]}, index=[f"b{i}" for i in range(4)])
    frame = pd.concat([frame, chain])
    b = sparse.diags([1.0, 1.0, 1.0], 1, shape=(4, 4))
    a = sparse.block_diag([adj, b + b.T]).tocsr()
    two = peer_groups(frame, k=2, method="regions", connectivity=a)
    assert as_sets(two.groups) == {frozenset(f"c{i}" for i in range(10)),
                                   frozenset({"b0", "b1", "b2", "b3"})}
    three = peer_groups(frame, k=3, method="regions", connectivity=a)
    assert as_sets(three.groups) == {frozenset({"c0", "c1", "c2", "c5", "c6"}),
                                     frozenset({"c3", "c4", "c7", "c8", "c9"}),
                                     frozenset({"b0", "b1", "b2", "b3"})}


# --- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"k": 1}, "k of at least 2 (got 1)"),
    ({"k": 3, "measures": []}, "No measure chosen"),
    ({"k": 3, "measures": ["nope"]}, "no measure 'nope'"),
    ({"k": 10}, "10 peer groups need at least 20 regions with every measure; 18 have them."),
    ({"k": 3, "method": "regions"}, "need the adjacency"),
    ({"k": 3, "method": "dbscan"}, "Unknown grouping method 'dbscan'"),
])
def test_peer_groups_refuse(kwargs, message):
    frame, _ = blobs()
    with pytest.raises(AnalysisError) as err:
        peer_groups(frame, **kwargs)
    assert message in str(err.value)


def test_peer_groups_need_ten_regions_whatever_k():
    frame, _ = blobs()
    with pytest.raises(AnalysisError, match="need at least 10 regions with every measure; "
                                            "9 have them"):
        peer_groups(frame.iloc[:9], k=2)


def test_a_constant_measure_is_named():
    frame, _ = blobs()
    frame["flat"] = 4.0
    with pytest.raises(AnalysisError, match="'flat' has the same value in every region"):
        peer_groups(frame, k=3)


def test_kmeans_needs_k_different_regions():
    frame = pd.DataFrame({"v": [1.0] * 6 + [2.0] * 6}, index=[f"x{i}" for i in range(12)])
    with pytest.raises(AnalysisError, match="Only 2 regions differ in the chosen measures; 3 "
                                            "groups need at least 3 different ones."):
        peer_groups(frame, k=3)


def test_a_region_listed_twice_is_refused():
    frame, _ = blobs()
    frame = pd.concat([frame, frame.iloc[[4]]])
    with pytest.raises(AnalysisError, match="listed more than once: R04"):
        peer_groups(frame, k=3)


def test_groups_without_population_are_counted():
    frame, _ = blobs()
    pop = pd.Series(1000.0, index=frame.index).drop(["R00", "R01"])
    r = peer_groups(frame, k=3, population=pop)
    assert r.population.tolist() == [4000.0, 6000.0, 6000.0]
    assert "2 region(s) have no population; group totals leave them out." in r.problems


def test_an_adjacency_of_the_wrong_size_is_refused():
    frame, adj = strip([5, 1, 1, 1, 5], [5, 1, 1, 1, 5])
    with pytest.raises(AnalysisError, match="The adjacency is 9 × 9 but the table has 10"):
        peer_groups(frame, k=2, method="regions", connectivity=adj[:9, :9])


# --- similar regions ------------------------------------------------------------------------

def tiny() -> pd.DataFrame:
    # z(a) = (a − 2)/√2; b has mean 2 and standard deviation 4: z(b) = (b − 2)/4
    return pd.DataFrame({"a": [0.0, 1, 2, 3, 4], "b": [0.0, 0, 0, 0, 10]},
                        index=["r0", "r1", "r2", "r3", "r4"])


def test_nearest_peers_by_standardised_euclidean_distance():
    p = similar_regions(tiny(), "r0", n=4)
    assert list(p.peers.index) == ["r1", "r2", "r3", "r4"]
    expected = [math.sqrt(0.5), math.sqrt(2), math.sqrt(4.5), math.sqrt(8 + 6.25)]
    assert p.peers["distance"].tolist() == pytest.approx(expected, abs=1e-12)
    assert p.peers.loc["r4", "b"] == 10.0                      # original units beside
    assert p.region.to_dict() == {"a": 0.0, "b": 0.0}
    assert p.median.to_dict() == {"a": 2.5, "b": 0.0}
    assert p.versus_median["a"] == pytest.approx(-1.0)
    assert math.isnan(p.versus_median["b"])                    # median 0: no ratio
    assert p.band is None and p.rule == "nearest"


def test_nearest_peers_take_the_n_closest_and_ties_go_to_the_lower_id():
    frame = pd.DataFrame({"a": [0.0, 1, -1, 5, 9, 9, 7]},
                         index=["x", "q", "p", "s", "t", "u", "v"])
    p = similar_regions(frame, "x", n=2)
    assert list(p.peers.index) == ["p", "q"]                   # equal distance: p before q
    table = p.table()
    assert list(table.index) == ["x", "p", "q", "median"]
    assert table.loc["x", "distance"] == 0.0
    assert table.loc["median", "a"] == 0.0


def test_comparison_with_the_peers_median():
    frame = pd.DataFrame({"spend": [123.0, 100, 90, 110, 500, 700]},
                         index=["X", "p1", "p2", "p3", "far1", "far2"])
    p = similar_regions(frame, "X", n=3)
    assert list(p.peers.index) == ["p3", "p1", "p2"]
    assert p.versus_median["spend"] == pytest.approx(0.23)
    assert p.comparison("spend", region_name="Xville", measure_label="spending per resident") \
        == "Xville is 23% above the median of its peers for spending per resident."
    with use("zh"):
        assert str(p.comparison("spend", region_name="Xville", measure_label="人均支出")) == \
            "Xville的人均支出比可比地区中位数高23%。"


def band_frame() -> tuple[pd.DataFrame, pd.Series]:
    ids = [f"t{i}" for i in range(8)]
    frame = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5, 6, 7]}, index=ids)
    # t0 has 10,000 people: ±50% holds t1, t2; ±75% adds t3, t4; ±100% adds t5
    pop = pd.Series([10_000, 14_000, 6_000, 17_000, 3_000, 20_000, 40_000, 100],
                    index=ids, dtype=float)
    return frame, pop


def test_population_band_widens_until_there_are_enough_peers():
    frame, pop = band_frame()
    p = similar_regions(frame, "t0", rule="population_band", population=pop, n=5, min_peers=5)
    assert p.band_asked == 0.5 and p.band == 0.5 + 2 * BAND_STEP == 1.0
    assert sorted(p.peers.index) == ["t1", "t2", "t3", "t4", "t5"]
    assert p.peers.loc["t5", "population"] == 20_000
    assert "The population band was widened from ±50% to ±100% to find at least 5 peers." \
        in p.problems
    assert "±100%" in str(p.method) and "±50% asked for" in str(p.method)


def test_population_band_keeps_the_closest_of_the_band():
    frame, pop = band_frame()
    p = similar_regions(frame, "t0", rule="population_band", population=pop, n=2, min_peers=2)
    assert p.band == 0.5 and list(p.peers.index) == ["t1", "t2"]
    assert p.problems == ()
    # at least min_peers, even when fewer peers are asked for
    p = similar_regions(frame, "t0", rule="population_band", population=pop, n=1, min_peers=4)
    assert len(p.peers) == 4 and p.band == 0.75


@pytest.mark.parametrize("kwargs, message", [
    ({"region_id": "zz"}, "Region 'zz' is not in the table."),
    ({"region_id": "r0", "n": 5}, "5 peers need at least 6 regions with every measure; 5 have"),
    ({"region_id": "r0", "rule": "population_band"}, "need the population of each region"),
    ({"region_id": "r0", "measures": []}, "No measure chosen"),
    ({"region_id": "r0", "n": 0}, "at least 1 (got 0)"),
])
def test_similar_regions_refuse(kwargs, message):
    with pytest.raises(AnalysisError) as err:
        similar_regions(tiny(), **kwargs)
    assert message in str(err.value)


def test_a_region_without_values_has_no_peers():
    frame = tiny()
    frame.loc["r2", "b"] = np.nan
    with pytest.raises(AnalysisError, match="Region 'r2' cannot be compared: no value for b"):
        similar_regions(frame, "r2", n=2)
    p = similar_regions(frame, "r0", n=2)
    assert [(str(e.reason), e.ids) for e in p.excluded] == [("no value for b", ("r2",))]
    assert "r2" not in p.peers.index


def test_chinese_method_and_refusal():
    frame, _ = blobs()
    with use("zh"):
        r = peer_groups(frame, k=3, method="kmeans")
        assert str(r.method).startswith("k-means（scikit-learn，10次随机初始化，随机种子0）")
        assert "同类组" in str(r.method)
        with pytest.raises(AnalysisError) as err:
            peer_groups(frame, k=1)
        assert str(err.value) == "同类组数k至少为2（当前为1）。"
    assert "peer groups" in str(r.method)             # the same result read in English
