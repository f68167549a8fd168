#!/usr/bin/env python3
"""Serve the dashboard to a room or a department: several app processes behind nginx.

    .venv/bin/python deploy/serve.py                         # 2 processes, http://127.0.0.1:8500
    .venv/bin/python deploy/serve.py --processes 3 --listen 0.0.0.0:8500   # reachable on the LAN
    .venv/bin/python deploy/serve.py --print-config          # the nginx configuration, and exit

Starts ``--processes`` Streamlit processes of ``app.py`` on loopback ports (``--first-port``,
the next ones after it), each with its own ``--server.port``, waits until each answers its
health check, then starts Debian's nginx (``apt-get install nginx-light``) in front of them
with the configuration rendered from ``deploy/nginx.conf``: sticky sessions by a cookie,
websocket upgrade for ``/_stcore/stream``. nginx runs as a child of this script, unprivileged,
from a folder of its own (pid file, logs, temporary files); nothing is written under /etc or
/var. Ctrl+C (or SIGTERM) stops nginx and every app process.

Shared between the processes:

- the workspaces and saved views (files on disk; writes take a lock shared by all processes);
- the disk caches under ``FISCALMAP_CACHE_DIR`` (``--cache-dir``): the ledgers' Parquet
  conversions and pre-aggregates, the boundary files of large layers. Each is written once,
  under a temporary name renamed into place, by whichever process needs it first; the others
  reuse it;
- one cookie secret (generated for this run unless ``STREAMLIT_SERVER_COOKIE_SECRET`` is set),
  so a browser moved to another process (one stopped, or one added) keeps a valid cookie.

Each process keeps its own memory caches (loaded workspaces, prepared boundaries, map values),
and its sessions: a session lives in the process that opened it, which is why the proxy is
sticky. An app process that exits is started again on the same port.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
COOKIE = "fiscalmap_route"
CACHE_ENV = "FISCALMAP_CACHE_DIR"          # geodata.ledger.config.CACHE_ENV
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


class DeployError(RuntimeError):
    """The deployment cannot start (no nginx, a port in use, a process that never answers)."""


# ------------------------------------------------------------------------ configuration
def parse_listen(text: str) -> tuple[str, int]:
    """``"127.0.0.1:8500"`` or ``"8500"`` → (address, port); ValueError when unusable."""
    text = text.strip()
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a port: {port!r}")
    ipaddress.ip_address(host)          # an address, not a name: nginx binds exactly this
    return host, int(port)


def _listen_text(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def render_config(template: str, *, listen: str, backends: list[tuple[str, int]],
                  runtime_dir: str | Path, cookie: str = COOKIE, max_body: str = "200m",
                  daemon: bool = False, secure_cookie: bool = False) -> str:
    """The nginx configuration: ``template`` (deploy/nginx.conf) with its @NAME@ fields filled.

    ``backends``: the app processes, (address, port), each on a loopback address (they are
    reached through nginx only). Raises ValueError for an unusable field and when a field of
    the template is left unfilled."""
    host, port = parse_listen(listen)
    if not backends:
        raise ValueError("no app process to send requests to")
    for b_host, b_port in backends:
        if not ipaddress.ip_address(b_host).is_loopback:
            raise ValueError(f"app processes listen on loopback addresses only, not {b_host}")
        if not 0 < int(b_port) < 65536:
            raise ValueError(f"not a port: {b_port!r}")
    if not cookie.replace("_", "").isalnum():
        raise ValueError(f"not a usable cookie name: {cookie!r}")
    runtime = str(Path(runtime_dir).resolve())
    if any(c.isspace() or c in ';{}"\'' for c in runtime):
        raise ValueError(f"the runtime folder's path cannot be used in nginx.conf: {runtime}")
    servers = "\n".join(f"        server {_listen_text(h, int(p))} max_fails=1 fail_timeout=5s;"
                        for h, p in backends)
    out = template
    for name, value in {"RUNTIME_DIR": runtime, "LISTEN": _listen_text(host, port),
                        "SERVERS": servers, "COOKIE": cookie, "MAX_BODY": max_body,
                        "DAEMON": "" if daemon else "daemon off;",
                        "COOKIE_FLAGS": "; Secure" if secure_cookie else ""}.items():
        out = out.replace(f"@{name}@", value)
    left = [m for line in out.splitlines() if not line.lstrip().startswith("#")
            for m in re.findall(r"@[A-Z_]+@", line)]
    if left:
        raise ValueError(f"fields of the template left unfilled: {', '.join(sorted(set(left)))}")
    return out


def find_nginx() -> str | None:
    """The nginx binary (PATH, then Debian's /usr/sbin, which is not on every user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)


# ------------------------------------------------------------------------ processes
def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:       # noqa: S310 - loopback
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float) -> None:
    """Wait until ``url`` answers 200 (Streamlit's /_stcore/health); DeployError when the
    process exits first or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise DeployError(f"the process for {url} exited with code {proc.returncode}")
        try:
            if _get(url, timeout=2.0)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise DeployError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def port_free(host: str, port: int) -> bool:
    import socket
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        # as nginx and uvicorn bind: connections of a previous run in TIME_WAIT do not count
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """``n`` distinct ports free on ``host`` now (for tests and benchmarks)."""
    import socket
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((host, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Stop one child (and the process group it leads) by its pid; kill it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait(timeout=5)


@dataclass
class AppProcess:
    """One Streamlit process of the app on a loopback port."""
    port: int
    env: dict
    log_path: Path
    host: str = "127.0.0.1"
    extra_args: tuple[str, ...] = ()
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
               "--server.address", self.host, "--server.port", str(self.port),
               "--server.headless", "true", *self.extra_args]
        log = open(self.log_path, "ab")
        try:
            # A process group of its own: stopping it stops whatever it started.
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        finally:
            log.close()

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)


@dataclass
class Deployment:
    """``processes`` app processes, and nginx in front of them unless ``proxy`` is False (then
    :attr:`url` is the single process itself, on the ``listen`` port). The app processes use
    ``app_ports`` when given, else ``first_port`` and the ports after it (default: the listen
    port + 1). A context manager: stops everything on exit.

    ``runtime_dir``: where nginx's configuration, pid file, logs and temporary files and the
    app processes' logs go (a new temporary folder, removed on stop, when None)."""
    processes: int = 2
    listen: str = "127.0.0.1:8500"
    first_port: int | None = None
    app_ports: list[int] | None = None
    proxy: bool = True
    cache_dir: str | Path | None = None
    runtime_dir: str | Path | None = None
    nginx_bin: str | None = None
    app_args: tuple[str, ...] = ()
    secure_cookie: bool = False
    start_timeout: float = 60.0
    apps: list[AppProcess] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    _own_runtime: bool = False

    # -- where things are
    @property
    def url(self) -> str:
        if not self.proxy:
            return self.apps[0].url
        host, port = parse_listen(self.listen)
        return f"http://{_listen_text(host, port)}"

    @property
    def access_log(self) -> Path:
        return Path(self.runtime_dir) / "access.log"

    @property
    def error_log(self) -> Path:
        return Path(self.runtime_dir) / "error.log"

    def app_pids(self) -> list[int]:
        return [a.proc.pid for a in self.apps if a.proc is not None and a.proc.poll() is None]

    def nginx_pids(self) -> list[int]:
        """The nginx master and its workers (for their CPU time)."""
        if self.nginx is None or self.nginx.poll() is not None:
            return []
        return [self.nginx.pid, *_children(self.nginx.pid)]

    # -- start and stop
    def _env(self, cookie_secret: str) -> dict:
        env = dict(os.environ)
        env.setdefault(COOKIE_SECRET_ENV, cookie_secret)
        if self.cache_dir is not None:
            env[CACHE_ENV] = str(Path(self.cache_dir).resolve())
        return env

    def start(self) -> "Deployment":
        if self.processes < 1:
            raise DeployError("at least one app process is needed")
        if not self.proxy and self.processes != 1:
            raise DeployError("several processes need the proxy in front of them")
        nginx_bin = None
        if self.proxy:
            nginx_bin = self.nginx_bin or find_nginx()
            if nginx_bin is None:
                raise DeployError("nginx is not installed (Debian: apt-get install nginx-light; "
                                  "or `make nginx`)")
        host, port = parse_listen(self.listen)
        first = self.first_port if self.first_port is not None else port + 1
        ports = [port] if not self.proxy else \
            list(self.app_ports or range(first, first + self.processes))
        if len(ports) != self.processes:
            raise DeployError(f"{self.processes} app processes need as many ports")
        wanted = [(host, port)] if self.proxy else []
        busy = [p for h, p in wanted + [("127.0.0.1", p) for p in ports] if not port_free(h, p)]
        if busy:
            raise DeployError(f"port(s) already in use: {', '.join(map(str, busy))}")
        if self.runtime_dir is None:
            self.runtime_dir = tempfile.mkdtemp(prefix="fiscalmap_serve_")
            self._own_runtime = True
        try:
            runtime = Path(self.runtime_dir)
            runtime.mkdir(parents=True, exist_ok=True)
            if self.proxy and os.geteuid() == 0:
                # nginx started by root runs its workers as "nobody": they must reach their
                # temporary folders in here (traverse only; the logs are opened by the master).
                runtime.chmod(0o711)
            env = self._env(secrets.token_hex(32))
            for i, p in enumerate(ports):
                app = AppProcess(p, env, runtime / f"app-{i + 1}-{p}.log",
                                 extra_args=self.app_args)
                app.start()
                self.apps.append(app)
            for app in self.apps:
                wait_healthy(app.url + "/_stcore/health", app.proc, self.start_timeout)
            if self.proxy:
                self._start_nginx(nginx_bin, host, port)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nginx(self, nginx_bin: str, host: str, port: int) -> None:
        runtime = Path(self.runtime_dir)
        conf = runtime / "nginx.conf"
        conf.write_text(render_config(TEMPLATE.read_text(encoding="utf-8"),
                                      listen=_listen_text(host, port),
                                      backends=[(a.host, a.port) for a in self.apps],
                                      runtime_dir=runtime, secure_cookie=self.secure_cookie),
                          encoding="utf-8")
        cmd = [nginx_bin, "-p", str(runtime), "-c", str(conf), "-e", str(self.error_log)]
        check = subprocess.run([*cmd, "-t", "-q"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise DeployError("nginx refused the configuration: "
                              + (check.stderr or check.stdout).strip())
        out = open(runtime / "nginx.out", "ab")
        try:
            self.nginx = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            out.close()
        wait_healthy(f"{self.url}/_stcore/health", self.nginx, 20)

    def restart_dead(self) -> list[int]:
        """Start again each app process that exited; returns their ports."""
        again = []
        for app in self.apps:
            if app.proc is not None and app.proc.poll() is not None:
                app.start()
                again.append(app.port)
        return again

    def stop(self) -> None:
        if self.nginx is not None:
            _stop(self.nginx, signal.SIGQUIT)        # graceful: open requests finish
            self.nginx = None
        for app in self.apps:
            app.stop()
        if self._own_runtime and self.runtime_dir is not None:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
            self.runtime_dir, self._own_runtime = None, False

    def __enter__(self) -> "Deployment":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


# ------------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", "-n", type=int, default=max(2, os.cpu_count() or 2),
                    help="app processes (default: one per core, at least 2)")
    ap.add_argument("--listen", default="127.0.0.1:8500",
                    help="address:port nginx listens on (default 127.0.0.1:8500; "
                         "0.0.0.0:8500 to serve the local network)")
    ap.add_argument("--first-port", type=int, default=None,
                    help="loopback port of the first app process (default: the listen "
                         "port + 1; the others follow)")
    ap.add_argument("--cache-dir", default=os.environ.get(CACHE_ENV) or None,
                    help=f"the disk caches the processes share (sets {CACHE_ENV}: the "
                         "ledgers' Parquet, the boundary files of large layers; default: its "
                         "current value, else .cache folders in the workspaces and the app)")
    ap.add_argument("--runtime-dir", default=None,
                    help="folder for nginx's pid file, logs and temporary files and the app "
                         "logs (default: a new temporary folder, removed on exit)")
    ap.add_argument("--secure-cookie", action="store_true",
                    help="mark the route cookie Secure (when readers come through HTTPS, "
                         "e.g. a TLS proxy in front of this one)")
    ap.add_argument("--print-config", action="store_true",
                    help="print the nginx configuration for these settings and exit")
    args = ap.parse_args(argv)

    host, port = parse_listen(args.listen)
    first = args.first_port or port + 1
    backends = [("127.0.0.1", p) for p in range(first, first + args.processes)]
    if args.print_config:
        print(render_config(TEMPLATE.read_text(encoding="utf-8"), listen=args.listen,
                            backends=backends, secure_cookie=args.secure_cookie,
                            runtime_dir=args.runtime_dir or "/run/fiscalmap"))
        return 0

    dep = Deployment(processes=args.processes, listen=args.listen, first_port=first,
                     cache_dir=args.cache_dir, runtime_dir=args.runtime_dir,
                     secure_cookie=args.secure_cookie)
    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        dep.start()
    except DeployError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"serving {dep.url} — {args.processes} app processes on ports "
              f"{first}–{first + args.processes - 1}; logs in {dep.runtime_dir}", flush=True)
        if not ipaddress.ip_address(host).is_loopback:
            print("reachable from other machines: put sign-in in front ([auth] in the access "
                  "file) unless everyone on this network may read every workspace", flush=True)
        while not stopping:
            time.sleep(1.0)
            if dep.nginx is not None and dep.nginx.poll() is not None:
                print(f"nginx exited (code {dep.nginx.returncode}); see {dep.error_log}",
                      file=sys.stderr)
                return 1
            for p in dep.restart_dead():
                print(f"app process on port {p} exited: started again", file=sys.stderr,
                      flush=True)
    finally:
        dep.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
