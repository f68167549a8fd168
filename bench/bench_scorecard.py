"""S1: the scorecard of 51 states × 6 indicators × 17 years, rebuilt after a change of year.

A workspace is written to a temporary folder: 51 square "states", population and money (four
agencies) for 2008–2024, and six indicators over the same years — three with a manifest
``[targets]`` rule, two with a ``target`` column, one with none. The files are loaded once (as
the app keeps a workspace loaded); then ``build_scorecard`` is timed for five different years,
each a cache miss as after a widget change (statuses, trend over 5 years, sentences, and the
money per resident through ``map_values``). Median of 5. Baseline in the same run: the same
statuses and trends computed region by region in Python (scalar status, ``numpy.polyfit``).

Run alone: ``.venv/bin/python bench/bench_scorecard.py`` (prints one line of JSON). Bar: ≤ 1 s.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geodata.dataset import WorkspaceData  # noqa: E402
from geodata.workspace import load_manifest  # noqa: E402
from performance import targets as T  # noqa: E402
from performance.scorecard import build_scorecard  # noqa: E402
from tests.fixtures.helpers import square, write_geojson, write_workspace  # noqa: E402

BAR_S = 1.0
STATES, YEARS = 51, list(range(2008, 2025))
INDICATORS = [  # name, direction, target rule (manifest), per-row target
    ("Unemployment rate", "lower_is_better", (5.0, 1.0), None),
    ("Poverty rate", "lower_is_better", (12.0, 2.0), None),
    ("High-school graduation", "higher_is_better", (85.0, 3.0), None),
    ("Bridges in poor condition", "lower_is_better", None, 6.0),
    ("Broadband coverage", "higher_is_better", None, 90.0),
    ("Median household income", "higher_is_better", None, None),
]

MANIFEST = """
[workspace]
title = "Scorecard bench"

[[levels]]
id = "state"
label = "State"
file = "states.geojson"
key = "id"
name = "name"

[[tables]]
id = "money"
kind = "allocations"
level = "state"
file = "money.csv"
unit = "USD"
[tables.columns]
region_id = "state"
fiscal_year = "fy"
agency = "agency"
amount = "amount"

[[tables]]
id = "pop"
kind = "population"
level = "state"
file = "pop.csv"
[tables.columns]
region_id = "state"
year = "year"
population = "people"

[[tables]]
id = "outcomes"
kind = "indicators"
level = "state"
file = "outcomes.csv"
[tables.columns]
region_id = "state"
year = "year"
indicator = "indicator"
value = "value"
direction = "direction"
target = "target"
"""


def make_workspace(folder: Path) -> Path:
    rng = np.random.default_rng(7)
    ids = [f"{i + 1:02d}" for i in range(STATES)]
    write_geojson(folder / "states.geojson",
                  [(s, f"State {s}", square(i % 10, i // 10)) for i, s in enumerate(ids)])
    pop = pd.DataFrame([(s, y, int(rng.integers(500_000, 30_000_000))) for s in ids for y in YEARS],
                       columns=["state", "year", "people"])
    money = pd.DataFrame([(s, y, a, round(float(rng.lognormal(20, 1)), 2)) for s in ids
                          for y in YEARS for a in ("A", "B", "C", "D")],
                         columns=["state", "fy", "agency", "amount"])
    rows = []
    for name, direction, _, own in INDICATORS:
        base = {"Median household income": 60000.0}.get(name, 8.0 if "rate" in name else 80.0)
        for s in ids:
            level = base * rng.uniform(0.6, 1.4)
            for y in YEARS:
                level *= rng.uniform(0.95, 1.05)
                rows.append((s, y, name, round(level, 2), direction, own if own else ""))
    outcomes = pd.DataFrame(rows, columns=["state", "year", "indicator", "value", "direction",
                                           "target"])
    targets = "".join(f'\n[targets."{n}"]\ntarget = {r[0]}\nat_risk = {r[1]}\n'
                      for n, _, r, _ in INDICATORS if r)
    return write_workspace(folder, MANIFEST + targets, {
        "pop.csv": pop.to_csv(index=False), "money.csv": money.to_csv(index=False),
        "outcomes.csv": outcomes.to_csv(index=False)})


def _naive(data: WorkspaceData, year: int, rules) -> dict:
    """Statuses and trends region by region, indicator by indicator, in plain Python."""
    ind = data.indicators("state")
    out = {}
    for (rid, name), g in ind.groupby(["region_id", "indicator"]):
        rule = rules.get(name)
        row = g[g["year"] == year]
        value = float(row["value"].iloc[0]) if len(row) else None
        own = row["target"].iloc[0] if len(row) and "target" in row else np.nan
        target = float(own) if pd.notna(own) else (rule.target if rule else None)
        direction = (rule.direction if rule and rule.direction else None) or \
            (str(row["direction"].iloc[0]) if len(row) else None)
        status = T.status(value, target, direction, rule.at_risk if rule else 0.0)
        w = g[(g["year"] > year - 5) & (g["year"] <= year)]
        slope = np.polyfit(w["year"].astype(float), w["value"].astype(float), 1)[0] \
            if len(w) >= 2 else np.nan
        out[(rid, name)] = (status, slope)
    return out


def bench_scorecard(runs: int = 5) -> dict:
    """Median seconds of ``build_scorecard`` after a change of year (bar ≤ 1 s)."""
    with tempfile.TemporaryDirectory(prefix="fiscalmap_scorecard_") as tmp:
        folder = make_workspace(Path(tmp) / "bench")
        t = time.perf_counter()
        data = WorkspaceData(load_manifest(folder))
        first = build_scorecard(data, "state", YEARS[-1])
        cold_s = time.perf_counter() - t
        years = [YEARS[-2 - i] for i in range(runs)]
        times = []
        for y in years:
            t = time.perf_counter()
            sc = build_scorecard(data, "state", y)
            times.append(time.perf_counter() - t)
        rules, _ = T.parse_targets(data.ws.settings.get("targets"))
        t = time.perf_counter()
        naive = _naive(data, years[-1], rules)
        naive_s = time.perf_counter() - t
        got = sc.frame.set_index(["region_id", "indicator"])["status"]
        assert all(got[k] == v[0] for k, v in naive.items()), "statuses differ from the baseline"
        seconds = statistics.median(times)
        counts = sc.frame["status"].value_counts().to_dict()
    return {"seconds": round(seconds, 4), "cold_s": round(cold_s, 4),
            "naive_s": round(naive_s, 4), "regions": STATES, "indicators": len(INDICATORS),
            "years": len(YEARS), "rows": len(first.frame), "statuses": counts,
            "bar_s": BAR_S, "passed": seconds <= BAR_S}


def bench_s1(res, runs: int) -> dict:
    """The S1 row of ``run_bench.py``."""
    m = bench_scorecard(runs=max(5, runs))
    res.add("S1", f"scorecard of {m['regions']} states × {m['indicators']} indicators × "
            f"{m['years']} years after a change of year (performance.scorecard)",
            m["seconds"] * 1000, "ms", m["naive_s"] * 1000, bar="≤ 1 s", passed=m["passed"],
            note="baseline: statuses and trends region by region in Python")
    return m


if __name__ == "__main__":
    print(json.dumps(bench_scorecard()))
