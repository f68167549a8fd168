"""L1: loading a 1,000,000-row ledger CSV into a workspace (read, checked, in DuckDB).

Each run is a fresh Python process (so its peak resident memory is the load's own) that
loads the table through ``WorkspaceData`` — readers, number/year/key rules, problems, the
DuckDB ledger — and prints the seconds and its peak RSS. The baseline, in the same run, is
pandas reading the same file as the previous reader did (``read_csv(sep=None,
engine="python")``, text cells, no checks).

Run alone: ``.venv/bin/python bench/bench_load.py``; ``run_bench.py --only L1`` includes it.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
ROWS = 1_000_000

MANIFEST = """
[workspace]
title = "Load benchmark"

[[levels]]
id = "county"
file = "regions.geojson"
key = "id"
name = "name"
key_width = 5

[[tables]]
id = "ledger"
kind = "allocations"
level = "county"
file = "ledger.csv"
[tables.columns]
region_id = "region_id"
fiscal_year = "fiscal_year"
quarter = "quarter"
agency = "agency"
program = "program"
amount = "amount"
"""

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
mode, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if mode == "ours":
    data = WorkspaceData(load_manifest(path))
    rows = len(data.table("ledger"))
    data.ledger
    n = int(data.ledger.sum_by("ledger", [])["rows"].sum())
else:
    import pandas as pd
    rows = n = len(pd.read_csv(path + "/ledger.csv", dtype=str, sep=None, engine="python",
                               keep_default_na=False))
s = time.perf_counter() - t
print(json.dumps({{"s": s, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": rows, "ledger_rows": n}}))
"""


def make_workspace(root: Path, rows: int = ROWS) -> Path:
    """A county workspace with a seeded ledger of ``rows`` rows (6 columns, 24 agencies)."""
    from shapely.geometry import box, mapping

    rng = np.random.default_rng(7)
    ids = [f"{i:05d}" for i in range(1001, 1001 + 3000)]
    feats = [{"type": "Feature", "properties": {"id": r, "name": f"Region {r}"},
              "geometry": mapping(box(i % 60, i // 60, i % 60 + 1, i // 60 + 1))}
             for i, r in enumerate(ids)]
    root.mkdir(parents=True, exist_ok=True)
    (root / "regions.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                      "features": feats}), encoding="utf-8")
    (root / "workspace.toml").write_text(MANIFEST, encoding="utf-8")
    pd.DataFrame({
        "region_id": rng.choice(ids, rows),
        "fiscal_year": rng.integers(2008, 2025, rows),
        "quarter": rng.integers(1, 5, rows),
        "agency": rng.choice([f"Department of Public Works {i}" for i in range(24)], rows),
        "program": rng.choice([f"P{i:03d}" for i in range(120)], rows),
        "amount": np.round(rng.lognormal(10, 2, rows), 2),
    }).to_csv(root / "ledger.csv", index=False)
    return root


def _child(mode: str, root: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO)), mode, str(root)],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(runs: int = 3, rows: int = ROWS, baseline_runs: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix="fiscalmap_load_") as tmp:
        root = make_workspace(Path(tmp) / "ws", rows)
        size_mb = (root / "ledger.csv").stat().st_size / 1024 / 1024
        ours = [_child("ours", root) for _ in range(runs)]
        base = [_child("pandas", root) for _ in range(baseline_runs)]
    assert all(r["ledger_rows"] == rows for r in ours), ours
    return {
        "rows": rows, "csv_mb": round(size_mb, 1),
        "ours_s": statistics.median(r["s"] for r in ours),
        "ours_rss_mb": statistics.median(r["rss_mb"] for r in ours),
        "baseline_s": statistics.median(r["s"] for r in base),
        "baseline_rss_mb": statistics.median(r["rss_mb"] for r in base),
        "runs": [r["s"] for r in ours],
    }


def bench_l1(res, runs: int) -> dict:
    m = measure(runs=max(3, min(runs, 5)))
    res.add("L1", f"load a {m['rows'] / 1e6:.0f}M-row ledger CSV ({m['csv_mb']:.0f} MB): "
            "read, checked, in DuckDB", m["ours_s"], "s", m["baseline_s"], bar="≤ 4 s",
            passed=m["ours_s"] <= 4.0)
    res.add("L1", "peak resident memory of that load (whole process)", m["ours_rss_mb"], "MB",
            m["baseline_rss_mb"], bar="≤ 600 MB", passed=m["ours_rss_mb"] <= 600)
    return m


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
