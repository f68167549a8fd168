"""Real-browser test harness: a Streamlit server + headless Debian chromium.

Fixtures
--------
streamlit_server (session)  factory ``start(app="app.py", *extra_args) -> StreamlitServer``;
                            one server per (app, args), all stopped at session end.
streamlit_app (session)     base URL (``http://127.0.0.1:<port>``) of ``app.py``.
browser (session)           Playwright ``Browser`` on /usr/bin/chromium (never downloads one).
page (function)             fresh context + page; every request to a host other than
                            127.0.0.1/localhost is aborted and recorded in
                            ``page.blocked_requests`` (list of URLs); console errors in
                            ``page.console_errors``; screenshot in tests/browser/artifacts/
                            when the test fails.

Helpers (import from tests.browser.conftest)
--------------------------------------------
open_app(page, url)                   goto + wait until Streamlit finished the first run.
wait_for_map(page, index=0)           the streamlit-folium iframe's Frame once Leaflet has
                                      painted ``path.leaflet-interactive`` SVG paths.
hover_feature(frame, index=0)         hover a painted feature; return the tooltip text.
assert_offline(page)                  no request left the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STREAMLIT = REPO / ".venv" / "bin" / "streamlit"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# The app's own map component, or a streamlit-folium map (road overlays, time slider).
MAP_IFRAME = ('iframe[src*="/ui.map_component.fiscal_map/"], '
              'iframe[title="streamlit_folium.st_folium"]')
PAINTED = ".leaflet-container path.leaflet-interactive"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--metrics-recording-only",
    # Belt and braces: whatever is not local cannot even be resolved.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


# ---------------------------------------------------------------------------
# Streamlit server
# ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StreamlitServer:
    app: Path
    url: str
    port: int
    log_path: Path
    proc: subprocess.Popen
    workdir: Path | None = None
    extra_args: tuple = field(default_factory=tuple)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def assert_no_traceback(self) -> None:
        text = self.log()
        if "Traceback" in text:
            pytest.fail(f"Streamlit log for {self.app.name} contains a Traceback:\n{self.log_tail(80)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _start_server(app: str | os.PathLike, extra_args: tuple, log_dir: Path, timeout: float = 90,
                  extra_env: dict | None = None) -> StreamlitServer:
    app_path = Path(app)
    if not app_path.is_absolute():
        app_path = REPO / app_path
    if not app_path.is_file():
        pytest.fail(f"Streamlit app not found: {app_path}")

    # Streamlit serves static/ from next to the main script. An app living
    # elsewhere (e.g. tests/browser/fixture_app.py) is copied to a temp dir
    # that gets a symlink to the repo's static/.
    workdir = None
    script = app_path
    if app_path.parent.resolve() != REPO:
        workdir = Path(tempfile.mkdtemp(prefix="st_app_"))
        script = workdir / app_path.name
        shutil.copy2(app_path, script)
        (workdir / "static").symlink_to(REPO / "static", target_is_directory=True)

    port = _free_port()
    log_path = log_dir / f"streamlit_{app_path.stem}_{port}.log"
    cmd = [
        str(STREAMLIT), "run", str(script),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--logger.level", "info",
        *extra_args,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra_env or {})
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = StreamlitServer(app_path, f"http://127.0.0.1:{port}", port, log_path, proc, workdir, extra_args)

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            server.stop()
            pytest.fail(f"Streamlit exited with code {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"Streamlit did not become healthy in {timeout}s:\n{server.log_tail()}")
        time.sleep(0.25)
    return server


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    """Factory: ``streamlit_server(app="app.py", *extra_cli_args, env=None) -> StreamlitServer``.

    ``app`` is relative to the repo root (or absolute); ``env`` adds environment variables
    (e.g. ``{"FISCALMAP_WORKSPACES": ...}``). Servers are cached per (app, args, env) for the
    session, stopped at the end, and the session errors if a server log contains a Traceback
    (the log tail is printed).
    """
    log_dir = tmp_path_factory.mktemp("streamlit_logs")
    servers: dict[tuple, StreamlitServer] = {}

    def start(app: str | os.PathLike = "app.py", *extra_args: str,
              env: dict[str, str] | None = None) -> StreamlitServer:
        key = (str(app), tuple(extra_args), tuple(sorted((env or {}).items())))
        server = servers.get(key)
        if server is None or server.proc.poll() is not None:
            server = servers[key] = _start_server(app, tuple(extra_args), log_dir, extra_env=env)
        return server

    yield start

    problems = []
    for server in servers.values():
        exited = server.proc.poll()
        server.stop()
        if exited is not None:
            problems.append(f"{server.app.name}: server died early (code {exited})")
        if "Traceback" in server.log():
            problems.append(f"{server.app.name}: Traceback in server log")
        if problems:
            sys.stderr.write(f"\n--- streamlit log tail ({server.app.name}) ---\n{server.log_tail(80)}\n")
    if problems:
        pytest.fail("; ".join(problems))


@pytest.fixture(scope="session")
def streamlit_app(streamlit_server) -> str:
    """Base URL of the real dashboard (``app.py``) served on a free port."""
    return streamlit_server("app.py").url


# ---------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file", "javascript"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def page(browser, request):
    """Fresh context/page that blocks and records every non-local request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(30_000)
    blocked: list[str] = []

    def guard(route):
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    pg = context.new_page()
    pg.blocked_requests = blocked
    pg.console_errors = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(f"pageerror: {exc}"))
    yield pg

    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # pragma: no cover - best effort
            sys.stderr.write(f"screenshot failed: {exc}\n")
        if blocked:
            sys.stderr.write("blocked requests:\n  " + "\n  ".join(blocked) + "\n")
        if pg.console_errors:
            sys.stderr.write("console errors:\n  " + "\n  ".join(pg.console_errors) + "\n")
    context.close()


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def open_app(page, url: str, path: str = "", timeout: float = 60_000):
    """Open a Streamlit page and wait until its script run has finished.

    ``path`` is appended to the base URL, e.g. ``"budget"`` for a multipage
    page or ``"?year=2024"`` for query parameters.
    """
    target = url.rstrip("/") + "/" + path.lstrip("/") if path else url
    page.goto(target, wait_until="domcontentloaded")
    return wait_settled(page, timeout)


def wait_settled(page, timeout: float = 60_000):
    """Wait until the app is on the page and its script run has finished (after a goto, a
    click or a redirect back to the app)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # stApp carries data-test-script-state ("initial", "running", "notRunning"...).
    page.wait_for_function(
        """() => {
               const app = document.querySelector('[data-testid="stApp"]');
               const state = app && app.getAttribute('data-test-script-state');
               return state && !['initial', 'running', 'rerunRequested'].includes(state);
           }""",
        timeout=timeout,
    )
    return page


def wait_for_map(page, index: int = 0, timeout: float = 30_000):
    """Return the Frame of the ``index``-th streamlit-folium map once it has painted.

    Waits for the component iframe, then for Leaflet to have drawn at least
    one ``path.leaflet-interactive`` (GeoJson / vector layer) inside it.
    """
    iframe = page.locator(MAP_IFRAME).nth(index)
    iframe.wait_for(state="attached", timeout=timeout)
    iframe.scroll_into_view_if_needed(timeout=timeout)
    frame = iframe.element_handle(timeout=timeout).content_frame()
    assert frame is not None, "streamlit-folium iframe has no content frame"
    frame.wait_for_selector(PAINTED, state="attached", timeout=timeout)
    frame.wait_for_function(
        """(sel) => Array.from(document.querySelectorAll(sel)).some(p => {
               const d = p.getAttribute('d');
               const r = p.getBoundingClientRect();
               return d && d !== 'M0 0' && r.width > 0 && r.height > 0;
           })""",
        arg=PAINTED,
        timeout=timeout,
    )
    return frame


def painted_paths(frame):
    """Locator of the painted vector features inside a map frame."""
    return frame.locator(PAINTED)


def hover_feature(frame, index: int = 0, timeout: float = 10_000) -> str:
    """Hover the ``index``-th painted feature; return the visible tooltip text.

    Tries a few times within ``timeout``: on a loaded machine the first hover can land while
    the map is still attaching its handlers (or while Streamlit re-renders the frame once).
    """
    attempts = 3
    last_error: Exception | None = None
    for _ in range(attempts):
        path = frame.locator(PAINTED).nth(index)
        box = path.bounding_box()
        assert box, "feature has no bounding box"
        # Move from outside first so Leaflet sees a fresh mouseover.
        path.page.mouse.move(0, 0)
        path.hover(position={"x": box["width"] / 2, "y": box["height"] / 2}, force=True)
        tip = frame.locator(".leaflet-tooltip").last
        try:
            tip.wait_for(state="visible", timeout=timeout / attempts)
            return tip.inner_text()
        except Exception as exc:  # noqa: BLE001 - retried, then re-raised
            last_error = exc
    raise AssertionError(f"no tooltip after {attempts} hovers: {last_error}")


def assert_offline(page) -> None:
    """Fail if any request tried to leave the machine."""
    assert page.blocked_requests == [], f"requests to the outside world: {page.blocked_requests}"
