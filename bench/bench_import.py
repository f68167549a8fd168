"""I1: importing a 1,000,000-row × 20-column CSV the way the Import page does.

One run is: :func:`~geodata.readers.layout.read_grid` (the first and last rows),
:func:`~geodata.readers.layout.propose_layout`, ``read_table_file`` with that layout (every
cell as text, with its physical line) and a preview of the first 50 rows. Each run is a fresh
Python process, so its peak resident memory (``ru_maxrss`` of the whole process, Python and
pandas included) is the import's own; the figures are medians of 3 runs. The bar: ≤ 5 s and
≤ 1.5 GB resident.

The CSV (a 5-digit region key, a fiscal year and 18 columns of amounts, counts, rates, dates,
agency and programme names) is written once into ``workdir`` and reused.

Run alone: ``.venv/bin/python bench/bench_import.py --only read``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ROWS, COLS = 1_000_000, 20
BAR_S, BAR_MB = 5.0, 1536.0

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from geodata.readers.layout import propose_layout, read_grid
from geodata.readers.text import read_table_file
path = Path(sys.argv[1])
t = time.perf_counter()
grid = read_grid(path)
proposal = propose_layout(grid)
res = read_table_file(path, layout=proposal.layout)
head = res.frame.head(50)
preview = [[int(n)] + row for n, row in zip(res.lines[:50], head.astype(str).values.tolist())]
s = time.perf_counter() - t
def peak_mb():
    # VmHWM belongs to this process's own memory map (ru_maxrss can carry the parent's
    # high-water mark across fork and exec)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"s": s, "rss_mb": peak_mb(),
                  "rows": len(res.frame), "cols": res.frame.shape[1],
                  "layout": [proposal.layout.header_row, proposal.layout.header_rows,
                             proposal.layout.skip_bottom],
                  "preview_rows": len(preview), "notes": [n.code for n in res.notes]}}))
"""


def write_csv(path: Path, rows: int = ROWS, cols: int = COLS) -> Path:
    """A seeded ledger-like CSV of ``rows`` rows and ``cols`` columns (written once)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(11)
    agencies = np.array([f"Public Works {i}" for i in range(24)], dtype=object)
    programs = np.array([f"P{i:03d} Roads" for i in range(120)], dtype=object)
    funds = np.array(["General Fund", "Highway Trust Fund", "Federal Grants", "Bond Proceeds"],
                     dtype=object)
    ids = np.array([f"{i:05d}" for i in range(1001, 4001)], dtype=object)
    days = (np.datetime64("2008-01-01") + rng.integers(0, 6000, rows)).astype(str)
    data = {
        "region_id": rng.choice(ids, rows),
        "fiscal_year": rng.integers(2008, 2025, rows).astype(str),
        "agency": rng.choice(agencies, rows),
        "program": rng.choice(programs, rows),
        "fund": rng.choice(funds, rows),
        "obligation_date": days,
        "amount": np.char.mod("%.2f", np.round(rng.lognormal(10, 2, rows), 2)),
        "outlays": np.char.mod("%.2f", np.round(rng.lognormal(9, 2, rows), 2)),
        "awards": rng.integers(0, 400, rows).astype(str),
        "share_pct": np.char.mod("%.1f", rng.uniform(0, 100, rows)),
    }
    i = 0
    while len(data) < cols:
        i += 1
        data[f"measure_{i}"] = np.char.mod("%.3f", rng.normal(1000, 250, rows)) if i % 2 else \
            rng.integers(0, 100_000, rows).astype(str)
    table = pa.table({k: pa.array(v, pa.string()) for k, v in data.items()})
    pcsv.write_csv(table, path, write_options=pcsv.WriteOptions(quoting_style="none"))
    return path


def _child(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO)), str(path)],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_read_preview(workdir: Path, rows: int = ROWS, cols: int = COLS,
                       runs: int = 3) -> dict:
    """Median seconds and peak RSS (MB) of grid + proposal + full read + 50-row preview."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"import_{rows}x{cols}.csv"
    if not path.exists():
        write_csv(path, rows, cols)
    results = [_child(path) for _ in range(runs)]
    assert all(r["rows"] == rows and r["cols"] == cols for r in results), results
    s = statistics.median(r["s"] for r in results)
    mb = statistics.median(r["rss_mb"] for r in results)
    return {"rows": rows, "cols": cols, "csv_mb": round(path.stat().st_size / 1024 / 1024, 1),
            "s": s, "rss_mb": mb, "runs": [round(r["s"], 3) for r in results],
            "rss_runs": [round(r["rss_mb"]) for r in results], "layout": results[0]["layout"],
            "notes": results[0]["notes"], "passed": s <= BAR_S and mb <= BAR_MB}


BASELINE = r"""
import json, resource, sys, time
import pandas as pd
t = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
head = frame.head(50)
s = time.perf_counter() - t
hwm = [int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")]
print(json.dumps({"s": s, "rss_mb": hwm[0] if hwm else 0, "rows": len(frame)}))
"""


def _baseline(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", BASELINE, str(path)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_i1(res, runs: int, workdir: Path) -> dict:
    """The I1 rows of ``run_bench.py``: ours against pandas ``read_csv(dtype=str)``, which
    reads the same file with no layout detection, no line numbers and no checks."""
    m = bench_read_preview(workdir, runs=max(3, min(runs, 5)))
    path = Path(workdir) / f"import_{ROWS}x{COLS}.csv"
    base = [_baseline(path) for _ in range(3)]
    m["baseline_s"] = statistics.median(b["s"] for b in base)
    m["baseline_rss_mb"] = statistics.median(b["rss_mb"] for b in base)
    res.add("I1", f"import preview of a {m['rows'] / 1e6:.0f}M-row × {m['cols']}-column CSV "
            f"({m['csv_mb']:.0f} MB): lines read, layout proposed, every cell read as text with "
            "its line, first 50 rows shown", m["s"], "s", m["baseline_s"], bar="≤ 5 s",
            passed=m["s"] <= BAR_S, note="baseline: pandas read_csv(dtype=str)")
    res.add("I1", "peak resident memory of that import (whole process)", m["rss_mb"], "MB",
            m["baseline_rss_mb"], bar="≤ 1.5 GB", passed=m["rss_mb"] <= BAR_MB)
    return m


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="read", choices=["read"],
                    help="the measurement to run (read: grid, layout, full read, preview)")
    ap.add_argument("--rows", type=int, default=ROWS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where the CSV is written once and reused (default: a temporary one)")
    args = ap.parse_args(argv)
    if args.workdir is None:
        with tempfile.TemporaryDirectory(prefix="fiscalmap_import_") as tmp:
            m = bench_read_preview(Path(tmp), args.rows, runs=args.runs)
    else:
        m = bench_read_preview(args.workdir, args.rows, runs=args.runs)
    print(f"I1 read+preview {m['rows']:,}x{m['cols']} CSV ({m['csv_mb']:.0f} MB): "
          f"{m['s']:.2f} s, {m['rss_mb']:.0f} MB peak RSS (bar ≤ {BAR_S:.0f} s, "
          f"≤ {BAR_MB:.0f} MB: {'pass' if m['passed'] else 'FAIL'}); runs {m['runs']} s")


if __name__ == "__main__":
    main()
