"""K1: matching a 100,000-row table's region keys to 3,231 counties, with proposals.

The regions are FIPS-like (5-digit ids, state prefix + odd county code) with "X County" names,
a few of them accented. The table's keys are names drawn from 3,000 of the regions; 12% of the
distinct keys are written another way: without "County" (most), in upper case (which still
matches exactly), without their accents, or not a region at all (5% of the variants), which
leaves about 300 unmatched keys to propose regions for. ``match_keys`` is timed (median of 5
runs) beside the naive way (normalise each row's name, then look it up), which finds no
proposals.

Run alone: ``.venv/bin/python bench/bench_keys.py`` (prints one line of JSON). Bar: ≤ 1 s.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geodata.load import normalise_name  # noqa: E402
from geodata.readers.keys import US_STATE_FIPS, match_keys  # noqa: E402

ROWS = 100_000
REGIONS = 3_231
DISTINCT = 3_000
VARIANTS = 0.12         # share of the distinct keys written another way
BAR_S = 1.0
_SYLLABLES = ("ab", "bel", "car", "dor", "el", "fa", "gan", "hol", "is", "jen", "kal", "lan",
              "mor", "nor", "os", "pel", "quin", "ros", "san", "tal", "ur", "val", "wes", "yor")
_ACCENTED = {"n": "ñ", "e": "é", "o": "ö", "a": "á"}


def make_regions(n: int = REGIONS, seed: int = 11) -> pd.DataFrame:
    """``n`` counties: id = state FIPS + odd 3-digit code, unique "X County" names, 2% accented."""
    rng = np.random.default_rng(seed)
    states = sorted(set(US_STATE_FIPS.values()))
    ids = [f"{states[i % len(states)]}{2 * (i // len(states)) + 1:03d}" for i in range(n)]
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        word = "".join(rng.choice(_SYLLABLES, rng.integers(2, 4))).capitalize()
        if rng.random() < 0.02:
            i = next((j for j, c in enumerate(word) if c in _ACCENTED), None)
            if i is not None:
                word = word[:i] + _ACCENTED[word[i]] + word[i + 1:]
        if word not in seen:
            seen.add(word)
            names.append(f"{word} County")
    return pd.DataFrame({"region_id": ids, "name": names})


def _variant(name: str, kind: int) -> str:
    if kind == 0:
        return name.removesuffix(" County")
    if kind == 1:
        return name.upper()
    if kind == 2:
        return name.translate(str.maketrans("ñéöá", "neoa")).removesuffix(" County")
    return f"Unknown {name}"


def make_table(regions: pd.DataFrame, rows: int = ROWS, seed: int = 12) -> pd.DataFrame:
    """``rows`` rows keyed by name; ``VARIANTS`` of the distinct keys are written another way."""
    rng = np.random.default_rng(seed)
    names = rng.choice(regions["name"].to_numpy(), DISTINCT, replace=False)
    keys = []
    for name in names:
        r = rng.random() / VARIANTS
        if r < 1:
            kind = 3 if r < 0.05 else 1 if r < 0.2 else \
                2 if any(c in name for c in "ñéöá") else 0
            keys.append(_variant(name, kind))
        else:
            keys.append(name)
    return pd.DataFrame({"name": rng.choice(np.array(keys, dtype=object), rows),
                         "amount": np.round(rng.lognormal(10, 2, rows), 2)})


def _naive(keys: pd.Series, regions: pd.DataFrame) -> int:
    lookup = {normalise_name(n): r for r, n in zip(regions["region_id"], regions["name"])}
    return int(keys.map(lambda k: lookup.get(normalise_name(k))).notna().sum())


def bench_key_match(runs: int = 5) -> dict:
    """Median seconds of ``match_keys`` on 100,000 rows against 3,231 regions (bar ≤ 1 s)."""
    regions = make_regions()
    table = make_table(regions)
    keys = table["name"].astype("string")
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = match_keys(keys, regions, amounts=table["amount"])
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    naive_matched = _naive(keys, regions)
    naive_s = time.perf_counter() - t
    assert result is not None and result.matched_rows == naive_matched, \
        (result.matched_rows, naive_matched)
    seconds = statistics.median(times)
    return {"seconds": round(seconds, 4), "rows": len(keys), "regions": len(regions),
            "distinct_keys": int(keys.nunique()), "unmatched_keys": len(result.unmatched),
            "proposals": int((result.proposals["candidates"] == 1).sum()),
            "matched_rows": result.matched_rows, "by": result.by,
            "naive_s": round(naive_s, 4), "bar_s": BAR_S, "passed": seconds <= BAR_S}


def bench_k1(res, runs: int) -> dict:
    """The K1 row of ``run_bench.py``."""
    m = bench_key_match(runs=max(5, runs))
    res.add("K1", f"match {m['rows']:,} rows' region names to {m['regions']:,} regions, with "
            f"proposals for {m['unmatched_keys']} unmatched keys (readers.keys.match_keys)",
            m["seconds"] * 1000, "ms", m["naive_s"] * 1000, bar="≤ 1 s",
            passed=m["passed"], note="baseline: normalise each row's name and look it up, "
            "no proposals")
    return m


if __name__ == "__main__":
    print(json.dumps(bench_key_match()))
