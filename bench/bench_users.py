#!/usr/bin/env python3
"""U1–U2: many users on the One map page, one app process against several behind nginx.

Each simulated user is a websocket client, no browser: it opens the One map page of the
``us_federal`` demo the way a browser does (an HTTP GET of the page, which through nginx sets
the sticky-route cookie; the health and host-config requests with that cookie), opens the
session's websocket ``/_stcore/stream`` and speaks Streamlit's protocol on it (BackMsg /
ForwardMsg from ``streamlit.proto``; large messages kept and referred to by hash, aged out
after two runs, as a browser does), waits for the first script run to finish and fetches the
page's media (the favicon, held in that process's memory). Then, every think time (5 s unless
told, counted from the end of its previous update: a reader looks at the map before the next
click), it changes the year and times the rerun: from sending ``rerun_script`` with the new
widget state to that run's ``script_finished``. The control is found by its key in the page's
deltas. An update counts only when the page's title names the year chosen; anything else is
an error (the count is printed with the first few).

Scenarios (``--scenario``): ``county`` (default), the county map of unemployment (3,231
counties), changing the indicator's year; ``state``, the state map of federal obligations,
moving the "Fiscal years" slider to another single year.

Reported for each setup and number of sessions: p50/p95 update latency, reruns per second
achieved, errors, the app processes' resident memory (RSS, and per session), and server CPU
per rerun (user + system time of the app processes over the phase, divided by the reruns).
Saturation (think time 0: each user changes the year again as soon as the map is back) gives
the most reruns per second a setup serves.

Bounded: every run stops after ``--updates`` updates per session or ``--duration`` seconds,
whichever comes first; each update times out after ``--timeout`` seconds. Loopback only: the
app processes and nginx listen on 127.0.0.1 and are stopped at the end (deploy/serve.py).

    .venv/bin/python bench/bench_users.py                 # N = 10, 25, 50, 100, both setups, saturation
    .venv/bin/python bench/bench_users.py --sessions 10 --processes 1 --updates 3
    .venv/bin/python bench/bench_users.py --saturation-only --processes 1
    .venv/bin/python bench/bench_users.py --json /tmp/users.json

Before each measured run every process is warmed directly (one session visits each year
once), as a room's processes are after their first readers: the figures are those of warm
caches, the ones users live with (``--no-warm`` skips it). Setups: ``--processes 1`` is one
app process reached directly; more than one are behind nginx (``--via-nginx`` puts a single
process behind it too). Each run starts its processes afresh, so memory is that run's own.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from deploy.serve import Deployment, DeployError, find_nginx, free_ports  # noqa: E402

PAGE = "one_map"
WORKSPACE = "us_federal"


@dataclass(frozen=True)
class Scenario:
    """What a simulated reader looks at and which control it moves."""
    name: str
    query: str              # the link the session opens
    widget_key: str         # the control's key (ui.controls.measure_controls)
    range_: bool            # a select_slider of a span (set to one year) or a selectbox
    text: str               # for the report
    short: str = ""         # for the table's rows


SCENARIOS = {
    "state": Scenario("state", f"ws={WORKSPACE}&level=state&measure=total"
                      "&table=obligations_total", "years", True,
                      "state map of federal obligations, the “Fiscal years” slider",
                      "state obligations map, fiscal year slider"),
    "county": Scenario("county", f"ws={WORKSPACE}&level=county&measure=indicator",
                       "indicator_year", False,
                       "county map (3,231 counties) of unemployment, the indicator's “Year”",
                       "county unemployment map, 3,231 counties"),
}
TODAY_RERUNS_PER_S = 7.5            # issue 13 / P14: one process, measured before this work
COMPILE_ERROR, EARLY_FOR_RERUN = 1, 2  # ForwardMsg.ScriptFinishedStatus
ALERT_ERROR = 1                     # Alert.Format.ERROR
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# ----------------------------------------------------------------------------- statistics
def percentile(values, q: float) -> float | None:
    """The ``q``-th percentile (0–100) of ``values``, interpolated linearly between the two
    nearest ranks (numpy's default); None when there are no values."""
    xs = sorted(float(v) for v in values)
    if not xs:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0 and 100, not {q}")
    pos = (len(xs) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def rate(count: int, seconds: float) -> float:
    """Events per second (0 for an empty or instant window)."""
    return count / seconds if seconds > 0 else 0.0


def parse_access_log(text: str) -> dict[str, set[str]]:
    """Route (the sticky cookie, or the first request's id) → the app processes that served
    it, from nginx's ``fiscalmap`` log format (deploy/nginx.conf)."""
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        route = re.search(r" route=(\S+)", line)
        # several addresses ("a, b" or "a : b") when nginx tried more than one process
        upstream = re.search(r" upstream=(.+?) time=", line)
        if route and upstream and upstream.group(1) != "-":
            out.setdefault(route.group(1), set()).update(
                u.strip() for u in re.split(r"[,:]\s", upstream.group(1)) if u.strip())
    return out


# ----------------------------------------------------------------------------- processes
def rss_mb(pids) -> float:
    """Resident memory of ``pids`` together, in MB (0 for a pid that is gone)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e6


def cpu_seconds(pids) -> float:
    """User + system CPU time used so far by ``pids`` (their threads included)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])      # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / CLOCK_TICKS


# ----------------------------------------------------------------------------- one session
@dataclass
class Update:
    year: str
    latency: float | None = None
    title: str = ""
    figures: dict = field(default_factory=dict)
    bytes: int = 0
    error: str = ""


@dataclass
class SessionResult:
    index: int
    route: str = ""
    first_run_s: float | None = None
    first_title: str = ""
    first_figures: dict = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def http_get(host: str, port: int, path: str, cookies: dict, timeout: float):
    """A minimal HTTP/1.1 GET (Connection: close): status, headers (lower-case names, lists)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        head = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: fiscalmap-bench",
                "Accept: */*", "Connection: close"]
        if cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    header, _, _body = raw.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    for cookie in headers.get("set-cookie", []):
        name, _, rest = cookie.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return status, headers


class Session:
    """One reader of the One map page over Streamlit's websocket protocol."""

    def __init__(self, url: str, index: int, *, scenario: Scenario = SCENARIOS["county"],
                 seed: int = 7, timeout: float = 60.0, lang: str = "en-US") -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.index = index
        self.timeout = timeout
        self.lang = lang
        self.rng = random.Random(seed * 100_003 + index)
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.result = SessionResult(index)
        self.page_hash = ""
        self.scenario = scenario
        self.query = scenario.query
        # hash → (cacheable message, run it was last seen in), aged out as a browser does
        self.cache: dict[str, tuple[bytes, int]] = {}
        self.max_cache_age = 2              # NewSession.config.max_cached_message_age
        self.runs = 0
        self.widget_id = ""
        self.media: list[str] = []              # files the page shows, served by its process
        self.options: list[str] = []
        self.current_year = ""
        self._reader: asyncio.Task | None = None
        self._done: asyncio.Future | None = None
        self._run: dict = {}

    # -- protocol
    def _client_state(self, widgets=None, *, first: bool = False):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if first:
            cs.page_name = PAGE
        else:
            cs.page_script_hash = self.page_hash
        cs.cached_message_hashes.extend(self.cache)
        cs.context_info.locale = self.lang
        cs.context_info.timezone = "UTC"
        cs.context_info.url = f"http://{self.host}:{self.port}/{PAGE}?{self.query}"
        for wid, value in (widgets or {}).items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            if isinstance(value, str):
                w.string_value = value
            else:
                w.string_array_value.data.extend(value)
        return msg.SerializeToString()

    def _handle(self, raw: bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        fm = ForwardMsg()
        fm.ParseFromString(raw)
        self._run["bytes"] = self._run.get("bytes", 0) + len(raw)
        kind = fm.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(fm.ref_hash)
            if cached is None:
                self._run.setdefault("errors", []).append("reference to an unknown message")
                return
            self.cache[fm.ref_hash] = (cached[0], self.runs)
            fm = ForwardMsg()
            fm.ParseFromString(cached[0])
            kind = fm.WhichOneof("type")
        elif fm.metadata.cacheable and fm.hash:
            self.cache[fm.hash] = (raw, self.runs)
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            self._element(fm.delta.new_element)
        elif kind == "navigation":
            self.page_hash = fm.navigation.page_script_hash or self.page_hash
        elif kind == "new_session":
            self.page_hash = fm.new_session.page_script_hash or self.page_hash
            self.max_cache_age = fm.new_session.config.max_cached_message_age or 2
        elif kind == "page_config_changed":
            self.media = [fm.page_config_changed.favicon] \
                if fm.page_config_changed.favicon.startswith("/media/") else []
        elif kind == "page_info_changed":
            self.query = fm.page_info_changed.query_string
        elif kind == "script_finished":
            status = fm.script_finished
            if status == EARLY_FOR_RERUN:       # the next run's end is awaited
                return
            if status == COMPILE_ERROR:
                self._run.setdefault("errors", []).append("script compile error")
            self.runs += 1
            self.cache = {h: v for h, v in self.cache.items()
                          if self.runs - v[1] <= self.max_cache_age}
            if self._done is not None and not self._done.done():
                self._done.set_result(True)

    def _element(self, el) -> None:
        kind = el.WhichOneof("type")
        if kind in ("slider", "selectbox"):
            widget = getattr(el, kind)
            if widget.id.endswith("-" + self.scenario.widget_key):
                self.widget_id = widget.id
                self.options = list(widget.options)
        elif kind == "heading":
            self._run["title"] = el.heading.body
        elif kind == "metric":
            self._run.setdefault("figures", {})[el.metric.label] = el.metric.body
        elif kind == "exception":
            self._run.setdefault("errors", []).append(
                "exception on the page: " + (el.exception.type or "error"))
        elif kind == "alert" and el.alert.format == ALERT_ERROR:
            self._run.setdefault("errors", []).append("error box: " + el.alert.body[:80])

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes):
                    self._handle(raw)
        except Exception as exc:  # noqa: BLE001 - a dropped connection is a result
            if self._done is not None and not self._done.done():
                self._done.set_exception(exc)
            return
        if self._done is not None and not self._done.done():
            self._done.set_exception(ConnectionError("the server closed the websocket"))

    async def _rerun(self, payload: bytes) -> dict:
        self._run = {}
        self._done = asyncio.get_running_loop().create_future()
        await self.ws.send(payload)
        await asyncio.wait_for(self._done, self.timeout)
        return self._run

    # -- what a reader does
    async def open(self) -> None:
        """The page's HTTP requests, the websocket, and the first run of the page."""
        import websockets

        t0 = time.perf_counter()
        status, _ = await http_get(self.host, self.port, f"/{PAGE}?{self.query}",
                                   self.cookies, self.timeout)
        if status != 200:
            raise ConnectionError(f"GET /{PAGE}: HTTP {status}")
        for path in ("/_stcore/health", "/_stcore/host-config"):
            status, _ = await http_get(self.host, self.port, path, self.cookies, self.timeout)
            if status != 200:
                raise ConnectionError(f"GET {path}: HTTP {status}")
        self.result.route = self.cookies.get("fiscalmap_route", "")
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        self.ws = await asyncio.wait_for(websockets.connect(
            f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            additional_headers=headers, max_size=None, open_timeout=self.timeout,
            ping_interval=None), self.timeout)
        self._reader = asyncio.create_task(self._read())
        run = await self._rerun(self._client_state(first=True))
        self.result.first_run_s = time.perf_counter() - t0
        self.result.first_title = run.get("title", "")
        self.result.first_figures = run.get("figures", {})
        self.result.errors += run.get("errors", [])
        for path in self.media:         # in this process's memory only: the sticky route
            status, _ = await http_get(self.host, self.port, path, self.cookies, self.timeout)
            if status != 200:
                self.result.errors.append(f"GET {path}: HTTP {status}")
        if not self.widget_id or not self.options:
            raise RuntimeError(f"no control {self.scenario.widget_key!r} on the page")
        shown = [y for y in self.options if self.result.first_title.endswith(y)]
        self.current_year = shown[0] if shown else self.options[-1]

    def next_year(self) -> str:
        """Another year than the one shown (seeded per session)."""
        others = [y for y in self.options if y != self.current_year] or self.options
        return self.rng.choice(others)

    async def update(self, year: str | None = None) -> Update:
        """Move the slider to ``year`` (a label of its options, e.g. "FY2015") and wait for
        the page: the update and its latency, or what went wrong."""
        year = year or self.next_year()
        up = Update(year)
        t0 = time.perf_counter()
        try:
            value = [year, year] if self.scenario.range_ else year
            run = await self._rerun(self._client_state({self.widget_id: value}))
        except asyncio.TimeoutError:
            up.error = f"no script_finished within {self.timeout:.0f} s"
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            up.error = f"{type(exc).__name__}: {exc}"[:200]
        else:
            up.latency = time.perf_counter() - t0
            up.title = run.get("title", "")
            up.figures = run.get("figures", {})
            up.bytes = run.get("bytes", 0)
            errors = run.get("errors", [])
            if errors:
                up.error = "; ".join(errors)
            elif not up.title.endswith(year):
                up.error = f"the page shows {up.title!r} after choosing {year}"
            else:
                self.current_year = year
        self.result.updates.append(up)
        return up

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except BaseException:  # noqa: BLE001
                pass


# ----------------------------------------------------------------------------- one run
@dataclass
class RunResult:
    label: str
    processes: int
    via_nginx: bool
    sessions: int
    think_s: float
    updates_per_session: int
    phase_s: float = 0.0
    connect_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    updates_ok: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    rss_before_mb: float = 0.0
    rss_sessions_mb: float = 0.0
    rss_peak_mb: float = 0.0
    cpu_s: float = 0.0
    nginx_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    bytes_per_update: float = 0.0
    load_avg: tuple = ()            # the machine's 1-minute load at the start and the end
    sessions_per_backend: dict = field(default_factory=dict)
    routes_split: int = 0
    per_session: list = field(default_factory=list)

    @property
    def p50(self):
        return percentile(self.latencies, 50)

    @property
    def p95(self):
        return percentile(self.latencies, 95)

    @property
    def reruns_per_s(self) -> float:
        return rate(self.updates_ok, self.phase_s)

    @property
    def cpu_ms_per_rerun(self) -> float | None:
        return 1000 * self.cpu_s / self.updates_ok if self.updates_ok else None

    def summary(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("latencies", "per_session")}
        d.update(p50_s=self.p50, p95_s=self.p95, reruns_per_s=self.reruns_per_s,
                 cpu_ms_per_rerun=self.cpu_ms_per_rerun,
                 max_s=max(self.latencies) if self.latencies else None)
        return d


async def _warm(url: str, scenario: Scenario, timeout: float) -> list[str]:
    """One session visits every year once (the caches a room's readers have filled)."""
    s = Session(url, -1, scenario=scenario, timeout=timeout)
    try:
        await s.open()
        errors = list(s.result.errors)
        for year in s.options:
            up = await s.update(year)
            if up.error:
                errors.append(up.error)
        return errors
    finally:
        await s.close()


async def _drive(url: str, n: int, *, scenario: Scenario, think: float, updates: int,
                 duration: float, timeout: float, seed: int, connect_parallel: int,
                 on_phase=None):
    """Open ``n`` sessions, then let each do ``updates`` updates ``think`` seconds apart
    (first one at a random point of the first think time), all within ``duration`` s."""
    sessions = [Session(url, i, scenario=scenario, seed=seed, timeout=timeout)
                for i in range(n)]
    gate = asyncio.Semaphore(connect_parallel)
    t_connect = time.perf_counter()

    async def open_one(s: Session) -> None:
        async with gate:
            try:
                await s.open()
            except Exception as exc:  # noqa: BLE001
                s.result.errors.append(f"opening the page: {type(exc).__name__}: {exc}"[:200])

    await asyncio.gather(*(open_one(s) for s in sessions))
    connect_s = time.perf_counter() - t_connect
    if on_phase is not None:
        on_phase("start")
    start = time.perf_counter()
    deadline = start + duration
    last_end = [start]

    async def user(s: Session) -> None:
        if s.ws is None or not s.widget_id:
            return
        await asyncio.sleep(s.rng.uniform(0, think) if think > 0 else 0)
        for i in range(updates):
            if time.perf_counter() >= deadline:
                break
            up = await s.update()
            last_end[0] = max(last_end[0], time.perf_counter())
            if up.error and "websocket" in up.error.lower():
                break
            if i + 1 < updates and think > 0:
                await asyncio.sleep(min(think, max(0.0, deadline - time.perf_counter())))

    await asyncio.gather(*(user(s) for s in sessions))
    phase_s = last_end[0] - start
    if on_phase is not None:
        on_phase("end")
    await asyncio.gather(*(s.close() for s in sessions))
    return sessions, connect_s, phase_s


def run_async(coro):
    """Run a coroutine to completion in a thread of its own: the caller's thread may already
    run an event loop (a test session with a browser driver open), where asyncio.run refuses."""
    out: dict = {}

    def target():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = exc

    worker = threading.Thread(target=target, name="bench-users-loop")
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out["value"]



def run_setup(*, processes: int, via_nginx: bool, sessions: int, think: float, updates: int,
              duration: float, scenario: Scenario = SCENARIOS["county"], timeout: float = 60.0, seed: int = 7, warm: bool = True,
              connect_parallel: int = 4, cache_dir: str | None = None,
              app_args: tuple[str, ...] = (), deployment: Deployment | None = None,
              log=None) -> RunResult:
    """Start the setup (or use ``deployment``), run the sessions, stop it; the figures."""
    log = log or (lambda m: None)
    label = (f"{processes} process{'es' if processes > 1 else ''} "
             + ("behind nginx" if via_nginx else "direct"))
    res = RunResult(label, processes, via_nginx, sessions, think, updates)
    own = deployment is None
    if own:
        port, *app_ports = free_ports(processes + 1)
        deployment = Deployment(processes=processes, proxy=via_nginx,
                                listen=f"127.0.0.1:{port}",
                                app_ports=app_ports if via_nginx else None, cache_dir=cache_dir,
                                app_args=tuple(app_args))
        deployment.start()
    try:
        if warm:
            for app in deployment.apps:
                errs = run_async(_warm(app.url, scenario, timeout))
                if errs:
                    res.errors += len(errs)
                    res.error_samples += errs[:3]
        pids = deployment.app_pids()
        res.rss_before_mb = rss_mb(pids)
        marks: dict = {}
        peak = [0.0]

        def on_phase(what: str) -> None:
            marks[what] = (cpu_seconds(pids), cpu_seconds(deployment.nginx_pids()),
                           os.times())
            res.load_avg += (round(os.getloadavg()[0], 2),)
            if what == "start":
                res.rss_sessions_mb = rss_mb(pids)
            peak[0] = max(peak[0], rss_mb(pids))

        async def main():
            sampler = asyncio.create_task(_sample(pids, peak))
            try:
                return await _drive(deployment.url, sessions, scenario=scenario, think=think,
                                    updates=updates,
                                    duration=duration, timeout=timeout, seed=seed,
                                    connect_parallel=connect_parallel, on_phase=on_phase)
            finally:
                sampler.cancel()

        log(f"{label}: {sessions} sessions, think {think:g} s, {updates} updates each")
        done, res.connect_s, res.phase_s = run_async(main())
        res.rss_peak_mb = peak[0]
        (c0, n0, t0), (c1, n1, t1) = marks["start"], marks["end"]
        res.cpu_s, res.nginx_cpu_s = c1 - c0, n1 - n0
        res.client_cpu_s = (t1.user + t1.system) - (t0.user + t0.system)
        total_bytes = 0
        for s in done:
            r = s.result
            res.per_session.append(r)
            for e in r.errors:
                res.errors += 1
                if len(res.error_samples) < 5:
                    res.error_samples.append(f"session {r.index}: {e}")
            for up in r.updates:
                if up.error:
                    res.errors += 1
                    if len(res.error_samples) < 5:
                        res.error_samples.append(f"session {r.index}: {up.error}")
                else:
                    res.updates_ok += 1
                    res.latencies.append(up.latency)
                    total_bytes += up.bytes
        res.bytes_per_update = total_bytes / res.updates_ok if res.updates_ok else 0.0
        if via_nginx and deployment.access_log.exists():
            routes = parse_access_log(deployment.access_log.read_text())
            res.routes_split = sum(1 for s in done if len(routes.get(s.result.route, ())) > 1)
            for s in done:
                for b in routes.get(s.result.route, ()):
                    res.sessions_per_backend[b] = res.sessions_per_backend.get(b, 0) + 1
    finally:
        if own:
            deployment.stop()
    return res


async def _sample(pids, peak, every: float = 0.5) -> None:
    while True:
        peak[0] = max(peak[0], rss_mb(pids))
        await asyncio.sleep(every)


# ----------------------------------------------------------------------------- report
def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def describe(r: RunResult) -> str:
    per = ((r.rss_sessions_mb - r.rss_before_mb) / r.sessions) if r.sessions else 0.0
    cpu = r.cpu_ms_per_rerun
    text = (f"p50 {fmt_s(r.p50)} / p95 {fmt_s(r.p95)} · {r.reruns_per_s:.1f} reruns/s · "
            f"{r.errors} errors · {r.rss_peak_mb:,.0f} MB RSS ({per:+.1f} MB/session)")
    if cpu is not None:
        text += f" · {cpu:.0f} ms CPU/rerun"
    return text


def _load_note(*runs) -> str:
    loads = [x for r in runs if r is not None for x in r.load_avg]
    return (f", load average {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores"
            if loads else "")


def table_rows(pairs: list[tuple[RunResult | None, RunResult | None]],
               saturation: tuple[RunResult | None, RunResult | None] | None,
               date: str, scenario: Scenario = SCENARIOS["county"]) -> list[str]:
    """README rows (ids U1, U2): ours = the nginx setup, baseline = one process direct."""
    rows = []
    for ours, base in pairs:
        ref = ours or base
        what = (f"{ref.sessions} readers on One map ({scenario.short}), each changing the "
                f"year every {ref.think_s:g} s, {ref.updates_per_session} times: p50 / p95 "
                f"update latency · reruns/s · errors · app RSS · CPU per rerun "
                f"({date}{_load_note(ours, base)})")
        bar = "≤ 1 s p95" if ref.sessions == 50 else "—"
        result = "—"
        if ref.sessions == 50 and ours is not None and ours.p95 is not None:
            result = "✔" if ours.p95 <= 1.0 and ours.errors == 0 else \
                f"✘ ({ours.p95:.2f} s)"
        rows.append(f"| U1 | {what} | {ours.label + ': ' + describe(ours) if ours else '—'} | "
                    f"{base.label + ': ' + describe(base) if base else '—'} | {bar} | {result} |")
    if saturation:
        ours, base = saturation
        ref = ours or base
        what = (f"saturation: {ref.sessions} readers on One map ({scenario.short}) changing "
                f"the year again as soon as the map is back (think 0, {ref.phase_s:.0f} s): "
                f"reruns per second · server CPU per rerun ({date}{_load_note(ours, base)})")
        target = 2.5 * TODAY_RERUNS_PER_S
        result = "—"
        if ours is not None:
            result = (f"{'✔' if ours.reruns_per_s >= target else '✘'} "
                      f"({ours.reruns_per_s / TODAY_RERUNS_PER_S:.2f}× {TODAY_RERUNS_PER_S})")

        def sat(r):
            if r is None:
                return "—"
            cpu = r.cpu_ms_per_rerun
            return (f"{r.label}: {r.reruns_per_s:.1f} reruns/s, p50 {fmt_s(r.p50)}, "
                    f"{cpu:.0f} ms CPU/rerun, {r.errors} errors" if cpu is not None else
                    f"{r.label}: no rerun finished")
        rows.append(f"| U2 | {what} | {sat(ours)} | {sat(base)} | ≥ {target:.2f}/s "
                    f"(2.5 × {TODAY_RERUNS_PER_S}) | {result} |")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", default="10,25,50,100",
                    help="numbers of sessions, comma-separated (default 10,25,50,100)")
    ap.add_argument("--processes", default="1,2",
                    help="setups by number of app processes (default 1,2: one direct, two "
                         "behind nginx)")
    ap.add_argument("--via-nginx", action="store_true",
                    help="put a single process behind nginx too")
    ap.add_argument("--think", type=float, default=5.0,
                    help="seconds between a session's updates (default 5)")
    ap.add_argument("--updates", type=int, default=6, help="updates per session (default 6)")
    ap.add_argument("--duration", type=float, default=60.0,
                    help="bound of each measured phase, seconds (default 60)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="bound of one update, seconds (default 60)")
    ap.add_argument("--saturation-sessions", type=int, default=12,
                    help="sessions of the saturation run (default 12)")
    ap.add_argument("--saturation-duration", type=float, default=20.0,
                    help="length of the saturation run, seconds (default 20)")
    ap.add_argument("--saturation-only", action="store_true")
    ap.add_argument("--no-saturation", action="store_true")
    ap.add_argument("--no-warm", action="store_true", help="skip the warm-up of each process")
    ap.add_argument("--cache-dir", default=None,
                    help="FISCALMAP_CACHE_DIR of the app processes (default: a temporary "
                         "folder shared by the processes of a run)")
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), default="county",
                    help="county: the county map of unemployment, changing the indicator's "
                         "year (default); state: the state map of obligations, changing the "
                         "fiscal year")
    ap.add_argument("--app-arg", action="append", default=[], metavar="OPTION=VALUE",
                    help="a Streamlit option for every app process, e.g. "
                         "--app-arg runner.postScriptGC=true (repeatable)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", default=None, help="write every figure to this file")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    counts = [int(x) for x in args.sessions.split(",") if x.strip()]
    setups = [int(x) for x in args.processes.split(",") if x.strip()]
    if any(p > 1 for p in setups) or args.via_nginx:
        if find_nginx() is None:
            print("nginx is not installed (apt-get install nginx-light, or `make nginx`): "
                  "only the single-process setup can run", file=sys.stderr)
            setups = [p for p in setups if p == 1]
            args.via_nginx = False
    if not setups:
        return 1

    import tempfile
    cache = args.cache_dir or tempfile.mkdtemp(prefix="fiscalmap_bench_cache_")
    date = time.strftime("%Y-%m-%d")
    results: dict = {"date": date, "load_before": os.getloadavg(), "runs": []}
    scenario = SCENARIOS[args.scenario]
    results["scenario"] = args.scenario
    app_args = tuple(a for opt in args.app_arg for a in ("--" + opt.split("=", 1)[0],
                                                           opt.split("=", 1)[1]))
    common = dict(scenario=scenario, app_args=app_args, timeout=args.timeout, seed=args.seed, warm=not args.no_warm,
                  cache_dir=cache, log=log)

    def one(p: int, n: int, think: float, updates: int, duration: float) -> RunResult | None:
        try:
            r = run_setup(processes=p, via_nginx=p > 1 or args.via_nginx, sessions=n,
                          think=think, updates=updates, duration=duration, **common)
        except DeployError as exc:
            log(f"cannot start {p} process(es): {exc}")
            return None
        log(f"  {r.label}, {n} sessions: {describe(r)}; client CPU "
            f"{1000 * r.client_cpu_s / max(r.updates_ok, 1):.1f} ms/rerun, nginx "
            f"{1000 * r.nginx_cpu_s / max(r.updates_ok, 1):.1f} ms/rerun, load "
            f"{' → '.join(map(str, r.load_avg))}, sessions per process "
            f"{sorted(r.sessions_per_backend.values(), reverse=True) or '-'}")
        for e in r.error_samples:
            log(f"    error: {e}")
        results["runs"].append(r.summary())
        return r

    pairs, saturation = [], None
    multi = [p for p in setups if p > 1 or args.via_nginx]
    base = 1 if 1 in setups and not args.via_nginx else None
    try:
        if not args.saturation_only:
            for n in counts:
                got = {p: one(p, n, args.think, args.updates, args.duration) for p in setups}
                pairs.append((got.get(multi[-1]) if multi else None, got.get(base)))
        if not args.no_saturation:
            sat = {p: one(p, args.saturation_sessions, 0.0, 10_000, args.saturation_duration)
                   for p in setups}
            saturation = (sat.get(multi[-1]) if multi else None, sat.get(base))
    finally:
        if not args.cache_dir:
            import shutil
            shutil.rmtree(cache, ignore_errors=True)

    rows = table_rows(pairs, saturation, date, scenario)
    print("| id | measure | ours | naive, same run | bar | result |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    results["rows"] = rows
    results["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    bad = sum(r["errors"] for r in results["runs"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
