"""PG1–PG3: peer groups and peers at county scale (analysis.peers).

PG1  k-means into 6 peer groups of 3,231 regions × 20 measures (synthetic, seeded: 6 latent
     profiles, log-normal spread, a few missing values), the whole ``peer_groups`` call (checks,
     z-scores, 10 k-means starts, numbering, profile, silhouette on all 3,231 regions); bar
     ≤ 1 s. Beside it, the bare library calls on the same data (StandardScaler + KMeans +
     silhouette_score), to show what the checks and the profile cost. Timed twice: with the
     default OpenMP/BLAS threads (one per core) and with one thread (threadpoolctl): on a
     2-core machine that other work keeps busy, threads that wait for a busy core make the
     default several times slower, one thread does not.
PG2  Ward regionalisation of the US demo's counties (``geodata/workspaces/us_federal``, queen
     contiguity built with libpysal once, as a page caches it per level) over 20 synthetic
     measures with a spatial trend. k = 12: the queen weights of the counties fall into 6
     separate parts with more than one county (the mainland, Alaska, Puerto Rico, three pairs
     of island counties) and 15 counties with no neighbour, so k must be at least 6. Beside
     it, sklearn's AgglomerativeClustering given the same adjacency directly: it joins the
     separate parts itself (warning about it), so its groups need not be contiguous.
PG3  ``similar_regions`` for one region of the PG1 table: the 5 nearest, and the population
     band rule (±50%, at least 5).

Medians of 5 runs. Run alone: ``.venv/bin/python bench/bench_peers.py`` (``--no-counties``
skips PG2).
"""
from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REGIONS, MEASURES, K = 3_231, 20, 6
K_COUNTIES = 12
BAR_S = 1.0
RUNS = 5


def synthetic_measures(n: int = REGIONS, m: int = MEASURES, seed: int = 20240912) -> pd.DataFrame:
    """Regions drawn from 6 latent profiles, each measure log-normal around its profile's level;
    one value in 500 missing."""
    rng = np.random.default_rng(seed)
    profile = rng.integers(0, K, n)
    levels = rng.normal(0, 1, (K, m))
    x = np.exp(4 + levels[profile] + rng.normal(0, 0.6, (n, m)))
    x[rng.random((n, m)) < 0.002] = np.nan
    ids = [f"{i:05d}" for i in range(n)]
    return pd.DataFrame(x, index=ids, columns=[f"m{j:02d}" for j in range(m)])


def timed(fn, runs: int = RUNS) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_kmeans(frame: pd.DataFrame) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    from analysis.peers import KMEANS_STARTS, peer_groups

    ours, r = timed(lambda: peer_groups(frame, k=K, method="kmeans"))
    complete = frame.dropna()

    def bare():
        z = StandardScaler().fit_transform(complete.to_numpy())
        labels = KMeans(n_clusters=K, n_init=KMEANS_STARTS, random_state=0).fit_predict(z)
        return silhouette_score(z, labels)

    lib, _ = timed(bare)
    return {"seconds": ours, "library_s": lib, "groups": r.sizes.tolist(),
            "excluded": r.n_excluded, "silhouette": r.silhouette}


def county_setup() -> tuple[pd.DataFrame, object, float]:
    import libpysal

    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest(REPO / "geodata/workspaces/us_federal"))
    counties = data.boundaries("county")
    counties = counties.set_index(counties["region_id"].astype(str))
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # "not fully connected": expected, handled
        w = libpysal.weights.Queen.from_dataframe(counties, use_index=True,
                                                  silence_warnings=True)
    weights_s = time.perf_counter() - t
    rng = np.random.default_rng(7)
    pts = counties.geometry.representative_point()
    lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    trend = np.column_stack([np.sin(lon / (5 + j)) + np.cos(lat / (3 + j))
                             for j in range(MEASURES)])
    values = np.exp(3 + trend + rng.normal(0, 0.3, trend.shape))
    frame = pd.DataFrame(values, index=counties.index,
                         columns=[f"m{j:02d}" for j in range(MEASURES)])
    return frame, w, weights_s


def bench_counties() -> dict:
    from scipy.sparse.csgraph import connected_components
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.preprocessing import StandardScaler

    from analysis.peers import peer_groups

    frame, w, weights_s = county_setup()
    ours, r = timed(lambda: peer_groups(frame, k=K_COUNTIES, method="regions", connectivity=w))
    adj = w.sparse.tocsr()
    order = [str(i) for i in w.id_order]
    z = StandardScaler().fit_transform(frame.loc[order].to_numpy())

    def bare():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return AgglomerativeClustering(n_clusters=K_COUNTIES, linkage="ward",
                                           connectivity=adj).fit_predict(z)

    lib, labels = timed(bare)

    def split_groups(lab: np.ndarray) -> int:
        bad = 0
        for g in np.unique(lab):
            idx = np.flatnonzero(lab == g)
            bad += connected_components(adj[idx][:, idx], directed=False)[0] > 1
        return int(bad)

    ours_labels = r.groups.loc[order].to_numpy()
    return {"seconds": ours, "library_s": lib, "weights_s": weights_s, "regions": len(frame),
            "groups": r.n_groups, "islands": len(r.islands),
            "split_ours": split_groups(ours_labels), "split_library": split_groups(labels)}


def bench_similar(frame: pd.DataFrame) -> dict:
    from analysis.peers import similar_regions

    pop = pd.Series(np.random.default_rng(3).lognormal(10, 1.2, len(frame)), index=frame.index)
    target = frame.dropna().index[100]
    near, p = timed(lambda: similar_regions(frame, target, n=5))
    band, q = timed(lambda: similar_regions(frame, target, rule="population_band",
                                            population=pop))
    return {"nearest_s": near, "band_s": band, "band": q.band, "target": target,
            "peers": list(p.peers.index)}


def print_kmeans(k: dict, threads: str) -> None:
    print(f"PG1 k-means ({threads}), {REGIONS:,} regions × {MEASURES} measures → {K} groups: "
          f"median {k['seconds'] * 1000:.0f} ms of {RUNS} (bar ≤ {BAR_S * 1000:.0f} ms: "
          f"{'passed' if k['seconds'] <= BAR_S else 'FAILED'}); library calls alone "
          f"{k['library_s'] * 1000:.0f} ms; groups {k['groups']}, {k['excluded']} excluded, "
          f"silhouette {k['silhouette']:.2f}")


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    frame = synthetic_measures()
    print_kmeans(bench_kmeans(frame), "default threads")
    with threadpool_limits(limits=1):
        print_kmeans(bench_kmeans(frame), "one thread")
    if "--no-counties" not in sys.argv:
        c = bench_counties()
        print(f"PG2 Ward regionalisation, {c['regions']:,} US counties (queen) → "
              f"{K_COUNTIES} groups + {c['islands']} island groups: median "
              f"{c['seconds'] * 1000:.0f} ms of {RUNS} (queen weights built once "
              f"{c['weights_s'] * 1000:.0f} ms); groups not contiguous: {c['split_ours']}; "
              f"sklearn given the adjacency directly {c['library_s'] * 1000:.0f} ms, groups not "
              f"contiguous: {c['split_library']}")
    s = bench_similar(frame)
    print(f"PG3 similar_regions for {s['target']} among {REGIONS:,} regions × {MEASURES} "
          f"measures: nearest 5 median {s['nearest_s'] * 1000:.1f} ms, population band "
          f"(±50%, ≥5; band used ±{s['band'] * 100:.0f}%) median {s['band_s'] * 1000:.1f} ms "
          f"of {RUNS}")
