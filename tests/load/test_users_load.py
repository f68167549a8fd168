"""The load script at small N: 3 sessions, 2 updates each, on the One map page (county map of
unemployment, the indicator's year), through nginx with 2 app processes when nginx is
installed, else against one process directly. Not timed: it checks that nothing failed, that
each update came back with the figures of the year chosen, and that every request of a
session reached one process."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.bench_users import SCENARIOS, http_get, parse_access_log, run_async, run_setup
from deploy.serve import Deployment, find_nginx, free_ports

pytestmark = pytest.mark.load

REPO = Path(__file__).resolve().parents[2]
SESSIONS, UPDATES = 3, 2
PROBES = 16
SCENARIO = SCENARIOS["county"]


def expected_page(years: list[str]) -> dict[str, tuple[str, dict]]:
    """Year → (title, key figures) of the county unemployment map, computed from the workspace
    by the data layer (what the page must show for that year)."""
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.figures import key_figures
    from geodata.viewstate import choices
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest(REPO / "geodata" / "workspaces" / "us_federal"))
    indicator = choices(data, "county").indicators[0]
    out = {}
    for year in years:
        mv = map_values(data, MeasureSpec(level="county", measure="indicator",
                                          indicator=indicator, indicator_year=int(year)))
        out[year] = (mv.label, {f.label: f.value for f in key_figures(data, "county", mv).items()})
    return out


@pytest.fixture(scope="module")
def load_run(tmp_path_factory):
    via_nginx = find_nginx() is not None
    port, *app_ports = free_ports(3)
    runtime = tmp_path_factory.mktemp("serve")
    dep = Deployment(processes=2 if via_nginx else 1, proxy=via_nginx,
                     listen=f"127.0.0.1:{port}", app_ports=app_ports if via_nginx else None,
                     runtime_dir=runtime, cache_dir=tmp_path_factory.mktemp("cache"),
                     start_timeout=120)
    dep.start()
    try:
        result = run_setup(processes=dep.processes, via_nginx=via_nginx, sessions=SESSIONS,
                           think=0.5, updates=UPDATES, duration=300, timeout=120,
                           scenario=SCENARIO, warm=False, deployment=dep)
        # Browsers that only load the page: a handful of them reach both processes (three
        # sessions may well all hash to one)
        probes = run_async(_probe(dep.url, PROBES)) if via_nginx else []
    finally:
        dep.stop()              # graceful: nginx writes the last lines of its log
    log = dep.access_log.read_text() if via_nginx else ""
    return SimpleNamespace(result=result, log=log, via_nginx=via_nginx, probes=probes,
                           backends={f"127.0.0.1:{p}" for p in app_ports})


async def _probe(url: str, n: int) -> list[str]:
    """``n`` new browsers, each: the page (no cookie yet), then three requests with the
    cookie nginx set. Returns their routes."""
    from urllib.parse import urlsplit

    host, port = urlsplit(url).hostname, urlsplit(url).port
    routes = []
    for _ in range(n):
        cookies: dict = {}
        statuses = [(await http_get(host, port, "/one_map", cookies, 30))[0]]
        for _ in range(3):
            statuses.append((await http_get(host, port, "/_stcore/health", cookies, 30))[0])
        routes.append((cookies.get("fiscalmap_route", ""), statuses))
    return routes


def test_no_errors_and_every_update_seen(load_run):
    result = load_run.result
    assert result.error_samples == [] and result.errors == 0
    assert len(result.per_session) == SESSIONS
    years = sorted({u.year for s in result.per_session for u in s.updates}
                   | {s.first_title[-4:] for s in result.per_session})
    expected = expected_page(years)
    for s in result.per_session:
        assert s.errors == []
        assert s.first_run_s is not None
        title, figures = expected[s.first_title[-4:]]
        assert (s.first_title, s.first_figures) == (title, figures)
        assert len(s.updates) == UPDATES
        before = s.first_figures
        for up in s.updates:
            assert up.error == "" and up.latency is not None
            title, figures = expected[up.year]
            assert up.title == title
            assert up.figures == figures            # the figures of the year chosen ...
            assert up.figures != before             # ... which changed with the rerun
            before = up.figures
    assert result.updates_ok == SESSIONS * UPDATES


def test_each_session_stays_on_one_process(load_run):
    result, log = load_run.result, load_run.log
    if not load_run.via_nginx:
        pytest.skip("nginx is not installed (make nginx): the sessions ran on one process")
    routes = parse_access_log(log)
    for s in result.per_session:
        assert s.route, "nginx set no route cookie"
        lines = [line for line in log.splitlines() if f" route={s.route} " in line]
        paths = [line.split('"')[1].split()[1].split("?")[0] for line in lines]
        # the page, the health and config checks, the favicon (/media/, in the process's
        # memory) and the websocket: all through nginx, all to one process
        assert {"/one_map", "/_stcore/health", "/_stcore/host-config",
                "/_stcore/stream"} <= set(paths)
        assert any(p.startswith("/media/") for p in paths)
        assert len(routes[s.route]) == 1, (s.route, routes[s.route])
    assert result.routes_split == 0


def test_browsers_spread_over_the_processes_and_stick(load_run):
    if not load_run.via_nginx:
        pytest.skip("nginx is not installed (make nginx): no proxy to test")
    routes = parse_access_log(load_run.log)
    assert all(route and statuses == [200] * 4 for route, statuses in load_run.probes)
    served = [routes[r] for r, _ in load_run.probes]
    assert all(len(s) == 1 for s in served)           # each browser: one process, 4 requests
    for r, _ in load_run.probes:
        assert sum(f" route={r} " in line for line in load_run.log.splitlines()) == 4
    # 16 random routes over 2 processes: all on one has a chance of 2 in 65,536
    assert set().union(*served) == load_run.backends
