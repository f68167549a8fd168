"""P4: static export of the county map (PNG 200 dpi, PDF) and a 10-view hearing pack.

    .venv/bin/python bench/bench_exports.py [--runs 5]

Prints one JSON line: medians (ms) of several runs, geometry prepared once beforehand (as
the app and the command line do), on the us_federal workspace.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from exports.compose import compose  # noqa: E402
from exports.maps import snapshot, static_layer  # noqa: E402
from exports.pack import hearing_pack  # noqa: E402
from exports.views_store import SavedView  # noqa: E402
from geodata.dataset import WorkspaceData  # noqa: E402
from geodata.workspace import discover_workspaces, load_manifest  # noqa: E402


def median_ms(fn, runs: int) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1), [round(x, 1) for x in times], out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    data = WorkspaceData(load_manifest(discover_workspaces()["us_federal"]))
    t = time.perf_counter()
    county = static_layer(data, "county")
    prep_ms = (time.perf_counter() - t) * 1000
    state = static_layer(data, "state")
    c = compose(data, {"level": "county", "measure": "indicator"})
    snapshot(data, c, "png", layer=county)            # warm-up (fonts)
    res = {"features": len(county.region_ids), "vertices": county.vertices,
           "prepare_once_ms": round(prep_ms, 1)}
    for fmt in ("png", "pdf", "svg"):
        ms, all_, blob = median_ms(lambda: snapshot(data, c, fmt, layer=county, dpi=200), args.runs)
        res[f"county_{fmt}{'_200dpi' if fmt == 'png' else ''}_ms"] = ms
        res[f"county_{fmt}_kb"] = round(len(blob) / 1024)
    queries = [{"level": "county", "measure": "indicator"},
               {"level": "county", "measure": "per_capita", "table": "county_grants",
                "years": "2022"},
               {"level": "state", "measure": "per_capita", "years": "2012-2017"},
               {"level": "state", "measure": "total", "years": "2024"},
               {"level": "state", "measure": "change", "years": "2020-2021"}] * 2
    views = [SavedView(title=f"View {i + 1}", query=q, note="bench") for i, q in enumerate(queries)]
    layers = {"county": county, "state": state}
    ms, all_, blob = median_ms(lambda: hearing_pack(data, views, layers=layers), max(1, args.runs // 2))
    res["pack_10_views_ms"] = ms
    res["pack_10_views_kb"] = round(len(blob) / 1024)
    res["bar"] = "P4: PNG 200 dpi and PDF of the county map <= 1000 ms each"
    print(json.dumps(res))


if __name__ == "__main__":
    main()
