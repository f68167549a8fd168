"""SP1: hot spots and outliers of the US counties, as the Analysis view computes them.

The county boundaries of the US demo workspace (every county, Puerto Rico and the island areas
included) get synthetic per-resident values built here (a seeded log-normal with a smooth
east-west and north-south trend, so that the map has clusters to find). Then, each timed as the
median of 5 runs:

- queen contiguity weights of the counties (built once per level and cached by the page);
- local Moran's I with 999 permutations on those weights (the 2 s bar), beside esda's defaults
  (keeping the 999 simulated values per county), two worker processes, and the uncached path
  (weights built again for every request);
- global Moran's I and Getis-Ord Gi* with 999 permutations;
- the MAD and Tukey outlier rules and the box map, percentile and head/tail classes.

One line per measure. Whether numba is importable is printed first: esda and mapclassify use it
when it is there.

Run alone: ``.venv/bin/python bench/bench_spatial.py``.
"""
from __future__ import annotations

import importlib.util
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RUNS = 5
PERMUTATIONS = 999
BAR_LISA_S = 2.0


def timed(fn, runs: int = RUNS):
    """Median seconds of ``runs`` calls, and the last result."""
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def counties():
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest(REPO / "geodata" / "workspaces" / "us_federal"))
    return data.boundaries("county").set_index("region_id")


def synthetic_values(gdf, seed: int = 20240601) -> pd.Series:
    """Dollars per resident: log-normal around $2,000 with a smooth trend across the map."""
    rng = np.random.default_rng(seed)
    pts = gdf.geometry.representative_point()
    trend = 0.02 * (pts.x.to_numpy() + 100) + 0.03 * (pts.y.to_numpy() - 38)
    return pd.Series(np.exp(np.log(2_000) + trend + rng.normal(0, 0.5, len(gdf))),
                     index=gdf.index, name="value")


def line(name: str, seconds: float, extra: str = "") -> None:
    print(f"{name}: median {seconds * 1000:,.0f} ms of {RUNS}{extra}")


def main() -> None:
    from esda.moran import Moran_Local

    from analysis.outliers import box_map, flag_outliers, head_tail, percentile_classes
    from analysis.spatial import getis_ord, global_moran, local_moran, weights

    numba = importlib.util.find_spec("numba") is not None
    gdf = counties()
    values = synthetic_values(gdf)
    print(f"SP1 {len(gdf):,} US counties, {PERMUTATIONS} permutations; numba "
          f"{'installed' if numba else 'not installed'}")

    s, w = timed(lambda: weights(gdf, "queen", name_column="name"))
    line("SP1a queen weights (built once per level, cached)", s,
         f"; {w.n:,} counties, {len(w.islands)} islands dropped, {w.n_components} groups")

    first = time.perf_counter()
    local_moran(values, w)                  # numba compiles on the first call
    first = time.perf_counter() - first
    s, lisa = timed(lambda: local_moran(values, w))
    counts = ", ".join(f"{k} {v:,}" for k, v in lisa.counts.items())
    line("SP1b local Moran, cached weights (analysis.spatial.local_moran)", s,
         f" (bar ≤ {BAR_LISA_S:.0f} s: {'passed' if s <= BAR_LISA_S else 'FAILED'}); first call "
         f"{first * 1000:,.0f} ms; {counts}")

    d = w.w

    def esda_default():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Moran_Local(values.loc[list(w.ids)].to_numpy(), d, permutations=PERMUTATIONS,
                               seed=1)

    s_default, _ = timed(esda_default)
    line("SP1c   esda Moran_Local defaults (keep_simulations=True, n_jobs=1)", s_default)

    def esda_two_jobs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Moran_Local(values.loc[list(w.ids)].to_numpy(), d, permutations=PERMUTATIONS,
                               keep_simulations=False, n_jobs=2, seed=1)

    s_jobs, _ = timed(esda_two_jobs)
    line("SP1d   esda Moran_Local keep_simulations=False, n_jobs=2", s_jobs)

    s_uncached, _ = timed(lambda: local_moran(values, weights(gdf, "queen", name_column="name")))
    line("SP1e   naive: weights built again for every request + local Moran", s_uncached)

    s, m = timed(lambda: global_moran(values, w))
    line("SP1f global Moran", s, f"; I = {m.i:.3f}, pseudo p = {m.p_sim:.3f}")
    s, g = timed(lambda: getis_ord(values, w))
    line("SP1g Getis-Ord Gi*", s, f"; hot spots {g.counts['hot_spot']:,}, cold spots "
         f"{g.counts['cold_spot']:,}")

    s, r = timed(lambda: flag_outliers(values, rule="mad", unit="USD per resident"))
    line("SP2a outliers, MAD rule", s, f"; {len(r.outliers):,} flagged (log scale {r.log})")
    s, r = timed(lambda: flag_outliers(values, rule="tukey", unit="USD per resident"))
    line("SP2b outliers, Tukey's fences", s, f"; {len(r.outliers):,} flagged")
    s, b = timed(lambda: box_map(values))
    line("SP2c box map", s, f"; counts {list(b.counts)}")
    s, p = timed(lambda: percentile_classes(values))
    line("SP2d percentile classes", s, f"; counts {list(p.counts)}")
    s, h = timed(lambda: head_tail(values))
    line("SP2e head/tail breaks", s, f"; {h.k} classes")


if __name__ == "__main__":
    main()
