"""F1: a boundary layer of 100,000+ polygons on the map, in the browser and on paper.

The layer: every one of the 3,231 counties of us-atlas ``counties-10m.json`` cut into 31
tract-like cells (Voronoi cells of seeded random points, clipped to the county, cleaned into
one coverage so neighbours share their edges): 100,130 regions, about 766,000 vertices. It is
written once to ``bench/out/`` (GeoParquet) and put in a temporary workspace beside a
synthetic grants table (two fiscal years) and the US frame of the demo workspace (Alaska,
Hawaii and Puerto Rico in insets). Measured, on the workspace's One map page as a visitor
sees it:

* the banded layer built (simplified per zoom band, files written) in a fresh process, and
  again when another process has written the files;
* server time of a values-only rerun: ``map_values`` + ``colour_view`` (the classes, colours
  and tooltip texts of 100,130 regions) + the map component call, each run changing the
  classes or the palette; median of 5; and the bytes of that call's arguments;
* in headless Chromium (the network cut, as in the browser tests): navigation → regions
  painted on a warm server (median of 3 fresh browser contexts), the bytes the page takes
  over the websocket on the first visit and on a values-only rerun ("Reverse colours"), and
  the band files fetched (each once; none on the rerun);
* the static export of that map: PNG at 200 dpi and PDF, the layer prepared for paper once;
* the time of the per-region tooltip texts of 100,130 regions, value by value against
  ``layers/number_arrays.py`` (what ``build_choropleth`` uses: the same texts in one pass,
  kept for the same values).

Run: ``.venv/bin/python bench/bench_fine.py`` (about 6 minutes; ``--no-browser`` skips the
browser). Prints the figures as JSON and the README table rows (id F1).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "bench" / "out"
COUNTIES = REPO / "geodata" / "workspaces" / "us_federal" / "boundaries" / "counties-10m.json"
PER_COUNTY = 31
MAP_IFRAME = 'iframe[src*="/ui.map_component.fiscal_map/"]'
PAINTED = ".leaflet-container[data-fm-drawn]"

MANIFEST = """
[workspace]
title = "Tract benchmark"
currency = "USD"
default_level = "tract"

[map]
crs = "EPSG:5070"
bounds = [-125.0, 24.0, -66.5, 49.6]
insets = [
  {name = "Alaska", region_prefix = "02", crs = "EPSG:3338", position = [0.0, 0.0, 0.25, 0.3]},
  {name = "Hawaii", region_prefix = "15", crs = "ESRI:102007", position = [0.26, 0.0, 0.14, 0.16]},
  {name = "Puerto Rico", region_prefix = "72", crs = "EPSG:32161", position = [0.6, 0.0, 0.1, 0.09]},
]

[[levels]]
id = "tract"
label = "Tract"
label_plural = "Tracts"
file = "tracts.parquet"
key = "id"
name = "name"
key_width = 9

[[tables]]
id = "grants"
kind = "allocations"
level = "tract"
file = "grants.csv"
label = "Grants by tract"
unit = "USD"
[tables.columns]
region_id = "region_id"
fiscal_year = "fiscal_year"
amount = "amount"
"""


def log(msg: str) -> None:
    print(f"[F1] {msg}", file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ------------------------------------------------------------------------------------------
# The layer and the workspace
# ------------------------------------------------------------------------------------------

def make_layer(per_county: int = PER_COUNTY, seed: int = 11):
    """The tract-like layer (GeoDataFrame: id, name, geometry), built once into bench/out."""
    import geopandas as gpd
    import shapely

    path = OUT / f"fine_tracts_{per_county}_{seed}.parquet"
    if path.is_file():
        return gpd.read_parquet(path)
    log(f"building the layer: {per_county} cells in each county (once, into {path})")
    counties = gpd.read_file(COUNTIES, layer="counties")
    counties = counties[~counties.geometry.is_empty & counties.geometry.notna()]
    counties = counties.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    geoms, ids, names = [], [], []
    for cid, cname, g in zip(counties["id"], counties["name"],
                             shapely.make_valid(counties.geometry.values)):
        minx, miny, maxx, maxy = g.bounds
        pts: list = []
        while len(pts) < per_county:
            xy = rng.uniform([minx, miny], [maxx, maxy], size=(per_county * 4, 2))
            pts.extend(xy[shapely.contains_xy(g, xy[:, 0], xy[:, 1])].tolist())
        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(np.array(pts[:per_county])),
            extend_to=shapely.box(minx - 1, miny - 1, maxx + 1, maxy + 1)))
        for k, cell in enumerate(shapely.intersection(cells, g)):
            polys = [p for p in shapely.get_parts(cell)
                     if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
            if not polys:
                continue
            geoms.append(polys[0] if len(polys) == 1 else shapely.union_all(polys))
            ids.append(f"{cid}{k:04d}")
            names.append(f"Tract {k + 1}, {cname}")
    geoms = shapely.coverage_clean(shapely.set_precision(np.array(geoms), 1e-6))
    gdf = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=geoms, crs=4326)
    gdf = gdf[~gdf.geometry.is_empty].reset_index(drop=True)
    OUT.mkdir(parents=True, exist_ok=True)
    gdf.to_parquet(path)
    return gdf


def make_workspace(root: Path, layer) -> Path:
    """A workspace folder ``root/fine`` with the layer and a grants table (FY2023, FY2024)."""
    ws = root / "fine"
    ws.mkdir(parents=True, exist_ok=True)
    layer.to_parquet(ws / "tracts.parquet")
    rng = np.random.default_rng(3)
    n = len(layer)
    frames = []
    for year in (2023, 2024):
        amount = np.round(rng.lognormal(12, 1.4, n), 2)
        keep = rng.random(n) > 0.02                  # a few tracts without a grant
        frames.append(pd.DataFrame({"region_id": layer["id"][keep], "fiscal_year": year,
                                    "amount": amount[keep]}))
    pd.concat(frames).to_csv(ws / "grants.csv", index=False)
    (ws / "workspace.toml").write_text(MANIFEST, encoding="utf-8")
    return ws


# ------------------------------------------------------------------------------------------
# In-process: the layer, a values-only rerun, the static export
# ------------------------------------------------------------------------------------------

def _fresh_layer(ws: Path, cache: Path) -> dict:
    """Build the banded layer in a fresh process (nothing of it in memory)."""
    code = r"""
import json, os, sys, time
sys.path.insert(0, %r)
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from layers.insets import encode_placed, map_frame
data = WorkspaceData(load_manifest(sys.argv[1]))
t = time.perf_counter(); b = data.boundaries("tract"); read = time.perf_counter() - t
t = time.perf_counter()
layer = encode_placed(b, map_frame(data.ws.settings)[0], plural="Tracts")
s = time.perf_counter() - t
print(json.dumps({"read_s": read, "encode_s": s, "bands": [list(x) for x in layer.bands],
                  "features": len(layer.region_ids), "vertices": layer.vertices}))
""" % str(REPO)
    env = dict(os.environ, FISCALMAP_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-c", code, str(ws)], capture_output=True, text=True,
                         env=env, timeout=900)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _texts(values) -> dict:
    """The tooltip texts of 100,000 regions value by value (as build_choropleth makes them)
    and with layers.number_arrays, first time and for the same values again."""
    from layers.choropleth import rank_text
    from layers.classify import format_number
    from layers.number_arrays import format_numbers, rank_texts

    v = values.astype("float64")
    t = time.perf_counter()
    slow = [format_number(x, "USD") for x in v.tolist()]
    slow_rank = rank_text(v).tolist()
    t1 = time.perf_counter()
    fast = format_numbers(v.to_numpy(), "USD")
    fast_rank = rank_texts(v)
    t2 = time.perf_counter()
    format_numbers(v.to_numpy(), "USD")
    rank_texts(v)
    t3 = time.perf_counter()
    assert fast == slow and fast_rank == slow_rank
    return {"value_by_value": (t1 - t) * 1000, "number_arrays": (t2 - t1) * 1000,
            "number_arrays_same_values": (t3 - t2) * 1000}


def _page_reruns(roots: Path, runs: int) -> list[float]:
    """Server time of the whole One map page (AppTest, in this process): the script run after
    "Reverse colours" is switched, ``runs`` times."""
    from streamlit.testing.v1 import AppTest

    os.environ["FISCALMAP_WORKSPACES"] = str(roots)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    at.session_state["ws"] = "fine"
    at.query_params["level"] = "tract"
    at.switch_page("pages/one_map.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    out = []
    for i in range(runs + 1):
        at.toggle(key="reverse").set_value(i % 2 == 0)
        t = time.perf_counter()
        at.run()
        if i:
            out.append((time.perf_counter() - t) * 1000)
        assert not at.exception, [e.message for e in at.exception]
    return out


def in_process(ws: Path, cache: Path, runs: int) -> dict:
    os.environ["FISCALMAP_CACHE_DIR"] = str(cache)
    import logging

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.viewstate import ClassSpec, colour_view
    from geodata.workspace import load_manifest
    from layers.geometry import files_dir
    from layers.insets import encode_placed, map_frame
    from layers.map_payload import MapOptions
    import ui.map_component as mc

    out: dict = {}
    log("layer in a fresh process, no files yet")
    out["cold"] = _fresh_layer(ws, cache)
    log("layer in a fresh process, files written by another")
    out["warm"] = _fresh_layer(ws, cache)
    folder = files_dir()
    out["files"] = {p.name: p.stat().st_size for p in sorted(folder.iterdir())
                    if p.name.endswith(".json.gz") and not p.name.startswith("t-")}
    data = WorkspaceData(load_manifest(str(ws)))
    layer = encode_placed(data.boundaries("tract"), map_frame(data.ws.settings)[0],
                          plural="Tracts")
    assert layer.banded and Path(layer.folder).resolve() == mc._FILES_DIR, layer.folder
    out["inline_shapes_bytes"] = layer.nbytes
    spec = MeasureSpec(level="tract", measure="total", table="grants", span=(2024, 2024))
    # The values of a measure are cached by the app (ui.cache.values): a change of classes
    # or colours does not compute them again; a change of year does, measured apart.
    times = []
    for _ in range(3):
        t = time.perf_counter()
        mv = map_values(data, spec)
        times.append((time.perf_counter() - t) * 1000)
    out["map_values_ms"] = median(times)
    sent: dict = {}

    def fake(**kw):
        sent.clear()
        sent.update(kw)
        return None

    orig = mc._component
    mc._component = fake
    schemes = [("quantiles", 5), ("equal_interval", 6), ("natural_breaks", 5),
               ("quantiles", 7), ("equal_interval", 4), ("quantiles", 6)]
    palettes = ["YlGnBu", "Viridis", "YlOrRd", "Blues", "Greens", "Purples"]
    parts: dict[str, list[float]] = {}
    totals = []
    try:
        for i in range(runs + 1):
            t1 = time.perf_counter()
            cs = ClassSpec(scheme=schemes[i % len(schemes)][0], k=schemes[i % len(schemes)][1],
                           palette=palettes[i % len(palettes)])
            view = colour_view(layer.region_ids, mv, cs)
            t2 = time.perf_counter()
            mc.fiscal_map(layer, view, MapOptions(), key="one_map")
            t3 = time.perf_counter()
            if i == 0:
                continue              # warm-up: imports, the first tooltip file
            totals.append((t3 - t1) * 1000)
            for name, a, b in (("colour_view", t1, t2), ("map component call", t2, t3)):
                parts.setdefault(name, []).append((b - a) * 1000)
    finally:
        mc._component = orig
    args = {k: v for k, v in sent.items() if not callable(v)}
    out["rerun_ms"] = median(totals)
    out["rerun_runs_ms"] = totals
    out["rerun_parts_ms"] = {k: median(v) for k, v in parts.items()}
    out["rerun_arg_bytes"] = len(json.dumps(args).encode("utf-8"))
    out["rerun_arg_parts"] = {k: len(v.encode("utf-8")) for k, v in args.items()
                              if isinstance(v, str)}
    time.sleep(1.0)                   # the tooltip texts are written by a thread of their own
    tips = [p for p in folder.iterdir() if p.name.startswith("t-")]
    out["tooltip_file_bytes"] = max(p.stat().st_size for p in tips) if tips else 0
    out["texts_ms"] = _texts(mv.values.reindex(list(layer.region_ids)))
    out["page_rerun_ms"] = _page_reruns(ws.parent, runs)

    # ---- the static export of the same map
    log("static export: the layer prepared for paper, then PNG and PDF")
    from exports.maps import static_layer
    from layers.render_static import draw, to_bytes

    t = time.perf_counter()
    paper = static_layer(data, "tract")
    out["static_prepare_s"] = time.perf_counter() - t
    view = colour_view(layer.region_ids, map_values(data, spec), ClassSpec())
    for fmt in ("png", "pdf"):
        times = []
        for _ in range(2):
            t = time.perf_counter()
            body = to_bytes(draw(paper, view, title="Grants by tract", dpi=200), fmt,
                            200 if fmt == "png" else 72)
            times.append(time.perf_counter() - t)
        out[f"static_{fmt}_s"] = min(times)
        out[f"static_{fmt}_bytes"] = len(body)
    return out


# ------------------------------------------------------------------------------------------
# In the browser
# ------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(roots: Path, cache: Path, log_path: Path):
    """The app on a free port."""
    port = _free_port()
    path = [str(REPO)]
    env = dict(os.environ, FISCALMAP_WORKSPACES=str(roots), FISCALMAP_CACHE_DIR=str(cache),
               PYTHONPATH=os.pathsep.join(path))
    cmd = [str(REPO / ".venv" / "bin" / "streamlit"), "run", str(REPO / "app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as logf:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.25)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    blocked: list[str] = []

    def guard(route):
        host = route.request.url.split("/")[2].split(":")[0] if "//" in route.request.url else ""
        if route.request.url.startswith(("data:", "blob:", "about:")) or \
                host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    ctx.route("**/*", guard)
    return ctx, blocked


class Wire:
    """Bytes the page receives over the websocket and the app's files it fetches."""

    def __init__(self, page) -> None:
        self.ws_bytes = 0
        self.files: list[str] = []
        self.file_bytes = 0
        page.on("websocket", self._ws)
        page.on("requestfinished", self._req)

    def _ws(self, ws) -> None:
        ws.on("framereceived", lambda p: setattr(self, "ws_bytes", self.ws_bytes + len(p)))

    def _req(self, req) -> None:
        if "fiscal_map_files/" in req.url:
            self.files.append(req.url.rsplit("/", 1)[-1])
            try:
                self.file_bytes += req.sizes()["responseBodySize"]
            except Exception:  # noqa: BLE001 - size unknown
                pass


def _settled(page, timeout=120_000) -> None:
    page.wait_for_function(
        """() => { const a = document.querySelector('[data-testid="stApp"]');
                   const s = a && a.getAttribute('data-test-script-state');
                   return s && !['initial', 'running', 'rerunRequested'].includes(s); }""",
        timeout=timeout)


def _map_state(page) -> tuple[float, int]:
    """(the map page's document, times its canvas was drawn), found afresh each time: if
    Streamlit made the map's frame again, this is the new one."""
    return tuple(page.frame_locator(MAP_IFRAME).first.locator(".leaflet-container").evaluate(
        "el => [performance.timeOrigin, +(el.dataset.fmDraws || 0)]"))


def _redrawn(page, before: tuple[float, int], timeout: float = 60.0) -> bool:
    """Wait until the canvas is drawn again (True), or the frame was made again (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc, draws = _map_state(page)
        if doc != before[0]:
            return False
        if draws > before[1]:
            return True
        time.sleep(0.02)
    raise TimeoutError("the map was not drawn again")


def in_browser(url: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    path = url + "/one_map?ws=fine&level=tract"
    out: dict = {"paint_s": [], "first_visit_ws_bytes": [], "first_visit_file_bytes": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                     headless=True, args=["--no-sandbox", "--disable-gpu",
                                                          "--disable-dev-shm-usage"])
        try:
            # Warm-up: the server builds the layer's files and caches the values.
            ctx, _ = _context(browser)
            page = ctx.new_page()
            t = time.perf_counter()
            page.goto(path, wait_until="commit")
            page.frame_locator(MAP_IFRAME).first.locator(PAINTED).wait_for(
                state="attached", timeout=600_000)
            out["cold_server_paint_s"] = time.perf_counter() - t
            ctx.close()
            for i in range(runs):
                ctx, blocked = _context(browser)
                page = ctx.new_page()
                wire = Wire(page)
                t = time.perf_counter()
                page.goto(path, wait_until="commit")
                page.frame_locator(MAP_IFRAME).first.locator(PAINTED).wait_for(
                    state="attached", timeout=120_000)
                seen = time.perf_counter() - t
                # when the canvas was drawn, by the browser's clock, from the navigation's
                # start (what the wait above sees comes a poll later)
                frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
                drawn_at = frame.evaluate("() => window.fmPaintedAt")
                out["paint_s"].append((drawn_at - page.evaluate("() => performance.timeOrigin"))
                                      / 1000)
                out.setdefault("paint_seen_s", []).append(seen)
                _settled(page)
                page.wait_for_timeout(1500)
                out["first_visit_ws_bytes"].append(wire.ws_bytes)
                out["first_visit_file_bytes"].append(wire.file_bytes)
                out["first_visit_files"] = list(wire.files)
                if i == runs - 1:
                    out["drawn"] = int(frame.evaluate(
                        "() => +document.querySelector('.leaflet-container').dataset.fmDrawn"))
                    out["decode_draw_ms"] = frame.evaluate("() => window.fmTimes || null")
                    # values-only reruns: "Reverse colours", twice
                    page.get_by_text("Classes and colours").first.click()
                    toggle = page.get_by_text("Reverse colours").first
                    toggle.wait_for(state="visible")
                    rerun = []
                    for _ in range(2):
                        before, n0, f0 = _map_state(page), wire.ws_bytes, len(wire.files)
                        t = time.perf_counter()
                        toggle.click()
                        same_frame = _redrawn(page, before)
                        painted = time.perf_counter() - t
                        _settled(page)
                        page.wait_for_timeout(800)
                        rerun.append({"ws_bytes": wire.ws_bytes - n0, "repaint_s": painted,
                                      "files": wire.files[f0:], "same_frame": same_frame})
                    frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
                    out["rerun"] = rerun
                    # zooming in fetches the finer bands, once each
                    f0 = len(wire.files)
                    for z in (6.5, 9.5, 9.8):
                        frame.evaluate(f"() => fmComponent.map.setView([39.0, -77.0], {z}, "
                                       "{animate: false})")
                        page.wait_for_timeout(2500)
                    out["zoom_files"] = wire.files[f0:]
                out["blocked"] = blocked
                ctx.close()
        finally:
            browser.close()
    return out


# ------------------------------------------------------------------------------------------

def rows(r: dict) -> list[str]:
    ip, br = r["in_process"], r.get("browser")
    files = ip["files"]
    b0 = next(v for k, v in files.items() if k.endswith("-b0.json.gz"))
    names = next(v for k, v in files.items() if k.endswith("-n.json.gz"))
    lines = []
    n = ip["cold"]["features"]
    if br:
        paint = median(br["paint_s"])
        lines.append(
            f"| F1 | {n:,} tract-like polygons ({ip['cold']['vertices']:,} vertices; "
            f"`bench/bench_fine.py`): navigation → all regions painted on the One map page, "
            f"warm server, headless Chromium, median of {len(br['paint_s'])} | {paint:.2f} s "
            f"(first band {b0 / 1e6:.1f} MB gzip, then ids and names {names / 1e6:.1f} MB, "
            f"each fetched once) | — | ≤ 3 s | {'✔' if paint <= 3 else '✘'} |")
    ms = ip["rerun_ms"]
    parts = ", ".join(f"{k} {v:.0f}" for k, v in ip["rerun_parts_ms"].items())
    page = median(ip["page_rerun_ms"])
    tx = ip["texts_ms"]
    lines.append(f"| F1 | … server time of a values-only rerun (classes/palette change), "
                 f"median of {len(ip['rerun_runs_ms'])}: the map's part ({parts}) / the whole "
                 f"One map page (AppTest, \"Reverse colours\"); a change of year adds "
                 f"`map_values` {ip['map_values_ms']:.0f} ms; the tooltip texts of 100,130 "
                 f"regions take {tx['value_by_value']:.0f} ms value by value, "
                 f"{tx['number_arrays']:.0f} ms with `layers/number_arrays.py` "
                 f"({tx['number_arrays_same_values']:.0f} ms for the same values again) "
                 f"| {ms:.0f} ms / {page:.0f} ms | — | ≤ 300 ms "
                 f"| {'✔' if page <= 300 else '✘'} |")
    if br:
        per = max(x["ws_bytes"] for x in br["rerun"])
        first = median(br["first_visit_ws_bytes"])
        geo = sum(len(x["files"]) for x in br["rerun"])
        lines.append(f"| F1 | … bytes over the websocket per values-only rerun (whole page) / "
                     f"first visit (+ band files over HTTP) | {per / 1e6:.2f} MB / "
                     f"{first / 1e6:.2f} MB (+ {median(br['first_visit_file_bytes']) / 1e6:.1f} MB) "
                     f"| — | ≤ 1 MB per rerun, geometry once | "
                     f"{'✔' if per <= 1e6 and geo == 0 else '✘'} ({geo} band files on reruns"
                     f"{'' if all(x['same_frame'] for x in br['rerun']) else '; the map frame was made again'}) |")
    lines.append(f"| F1 | … static export of that map, PNG 200 dpi / PDF (layer prepared for "
                 f"paper once: {ip['static_prepare_s']:.1f} s) | {ip['static_png_s']:.2f} s / "
                 f"{ip['static_pdf_s']:.2f} s | — | — | — |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--browser-runs", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--per-county", type=int, default=PER_COUNTY)
    args = ap.parse_args()
    layer = make_layer(args.per_county)
    log(f"{len(layer):,} regions")
    result: dict = {"load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="fiscalmap_fine_") as tmp:
        tmp = Path(tmp)
        ws = make_workspace(tmp / "roots", layer)
        cache = tmp / "cache"
        result["in_process"] = in_process(ws, cache, args.runs)
        if not args.no_browser:
            log("browser: the app on a free port, the network cut")
            with app_server(tmp / "roots", cache, tmp / "app.log") as url:
                result["browser"] = in_browser(url, args.browser_runs)
        shutil.rmtree(cache, ignore_errors=True)
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=1, default=str))
    print()
    print("\n".join(rows(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
