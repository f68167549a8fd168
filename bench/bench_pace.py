"""EW1: the early-warning flags of a 5,000,000-row ledger, after the ledger is loaded.

Synthetic monthly spending (3,000 regions × 14 programmes × 12 months × 10 fiscal years =
5,040,000 rows, each with its fiscal quarter and calendar month) is put in the DuckDB ledger
once; then the Early warning recipe (``performance.early_warning.early_warning``: the sums by
region, year and quarter in the ledger, the profile rule over 5 history years, statuses, names
and ranking) runs 5 times for FY2024 Q2. Prints one line: the median, against the 300 ms bar.

Run alone: ``.venv/bin/python bench/bench_pace.py`` (``--by-program`` also times the flags
per region and programme).
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
sys.path.insert(0, str(REPO))

REGIONS, PROGRAMMES, YEARS = 3_000, 14, tuple(range(2015, 2025))
BAR_S = 0.300
RUNS = 5


def synthetic_ledger(seed: int = 20240601) -> pd.DataFrame:
    """Region × programme × month rows with a seasonal profile, growth and noise; a few
    de-obligations (negative amounts); some regions slow or fast in the last year."""
    rng = np.random.default_rng(seed)
    n_groups = REGIONS * PROGRAMMES
    months = np.arange(12 * len(YEARS))             # fiscal months, October first
    region = np.repeat(np.arange(REGIONS), PROGRAMMES * len(months))
    programme = np.tile(np.repeat(np.arange(PROGRAMMES), len(months)), REGIONS)
    m = np.tile(months, n_groups)
    fiscal_year = np.asarray(YEARS)[m // 12]
    fiscal_month = m % 12 + 1
    season = np.array([0.6, 0.7, 0.8, 0.8, 0.9, 1.0, 1.0, 1.1, 1.1, 1.2, 1.3, 1.5])
    base = rng.lognormal(12, 1, n_groups)[region * PROGRAMMES + programme]
    amount = base * season[fiscal_month - 1] * 1.03 ** (fiscal_year - YEARS[0]) * \
        rng.normal(1, 0.15, len(m))
    amount[rng.random(len(m)) < 0.002] *= -0.2
    # the last year's first half: one region in 20 slow, one in 25 fast
    first_half = (fiscal_year == YEARS[-1]) & (fiscal_month <= 6)
    amount[first_half & (region % 20 == 0)] *= 0.7
    amount[first_half & (region % 25 == 1)] *= 1.5
    return pd.DataFrame({
        "region_id": pd.array(np.char.zfill(region.astype(str), 5), dtype="string"),
        "fiscal_year": fiscal_year.astype("int32"),
        "quarter": ((fiscal_month - 1) // 3 + 1).astype("int8"),
        "month": ((fiscal_month + 8) % 12 + 1).astype("int8"),          # calendar month
        "program": pd.array(np.char.add("P", programme.astype(str)), dtype="string"),
        "amount": amount.round(2),
    })


def workspace_data(frame: pd.DataFrame):
    """A WorkspaceData holding ``frame`` as its ledger table (no files: the bench times the
    flags, not the reading)."""
    from geodata.dataset import WorkspaceData
    from geodata.ledger import Ledger
    from geodata.workspace import Level, TableSpec, Workspace

    ws = Workspace(
        id="bench", path=REPO, title="Pace benchmark", fiscal_year_start_month=10,
        levels=(Level(id="county", label="County", file=REPO / "regions.geojson", key="id",
                      name="name"),),
        tables=(TableSpec(id="ledger", kind="allocations", level="county",
                          file=REPO / "ledger.csv", unit="USD",
                          columns={c: c for c in frame.columns}),))
    data = WorkspaceData(ws)
    led = Ledger()
    led.add("ledger", frame)
    data._tables["ledger"] = frame
    data.__dict__["ledger"] = led
    ids = frame["region_id"].unique()
    data._memo[("names", "county")] = {str(r): f"County {r}" for r in ids}
    return data


def bench_pace(runs: int = RUNS, by: str | None = None) -> dict:
    from performance.config import EarlyWarningConfig
    from performance.early_warning import early_warning

    t = time.perf_counter()
    frame = synthetic_ledger()
    data = workspace_data(frame)
    load_s = time.perf_counter() - t
    cfg = EarlyWarningConfig(table="ledger", rule="profile", profile_years=5)
    times, ew = [], None
    for _ in range(runs):
        t = time.perf_counter()
        ew = early_warning(data, cfg, year=YEARS[-1], period=2, by=by)
        times.append(time.perf_counter() - t)
    seconds = statistics.median(times)
    return {"seconds": round(seconds, 4), "rows": len(frame), "flags": len(ew.flags),
            "counts": ew.counts(), "load_s": round(load_s, 2), "by": by, "bar_s": BAR_S,
            "passed": seconds <= BAR_S}


if __name__ == "__main__":
    r = bench_pace()
    print(f"EW1 early-warning flags of {r['rows']:,} ledger rows ({REGIONS:,} regions × "
          f"{PROGRAMMES} programmes × {12 * len(YEARS)} months) → {r['flags']:,} flags: median "
          f"{r['seconds'] * 1000:.0f} ms of {RUNS} (bar ≤ {BAR_S * 1000:.0f} ms: "
          f"{'passed' if r['passed'] else 'FAILED'}); {json.dumps(r['counts'])}")
    if "--by-program" in sys.argv:
        b = bench_pace(by="program")
        print(f"EW1b per region and programme: {b['flags']:,} flags, median "
              f"{b['seconds'] * 1000:.0f} ms of {RUNS}")
