"""A throwaway PostgreSQL cluster for tests: Debian's server binaries, a temporary folder, a free
port on 127.0.0.1, no system service.

``initdb`` refuses to run as root, so as root the cluster belongs to an unprivileged user (the
``postgres`` account Debian's package creates, else ``nobody``). Authentication is ``trust``
for one local superuser; the cluster listens on 127.0.0.1 only and its unix socket stays in
the temporary folder. Durability is switched off: the data live as long as the test session.

    with pg_cluster() as url:      # postgresql://fiscalmap@127.0.0.1:PORT/postgres
        ...

:func:`missing` says why no cluster can start here (no server binaries), for a skip reason.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

SUPERUSER = "fiscalmap"
START_TIMEOUT = 30.0


def _version_key(path: str) -> tuple:
    m = re.search(r"/postgresql/([\d.]+)/bin/", path)
    return tuple(int(p) for p in m.group(1).split(".")) if m else ()


def bin_dir() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``: ``$FISCALMAP_PG_BIN``, else
    the newest ``/usr/lib/postgresql/<version>/bin`` (Debian), else wherever ``pg_ctl`` is on
    the PATH (when ``postgres`` sits beside it)."""
    wanted = ("initdb", "pg_ctl", "postgres")
    candidates = []
    if os.environ.get("FISCALMAP_PG_BIN"):
        candidates.append(os.environ["FISCALMAP_PG_BIN"])
    candidates += [str(Path(p).parent) for p in sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key, reverse=True)]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for c in candidates:
        if all(os.access(Path(c) / w, os.X_OK) for w in wanted):
            return Path(c)
    return None


def _run_as() -> str | None:
    """The account that owns the cluster when running as root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def missing() -> str | None:
    """Why a cluster cannot start here, or None when it can."""
    if bin_dir() is None:
        return ("PostgreSQL server binaries not found (initdb, pg_ctl, postgres under "
                "/usr/lib/postgresql/*/bin): `make postgres` installs Debian's postgresql")
    if os.geteuid() == 0 and _run_as() is None:
        return "running as root with no unprivileged account (postgres, nobody) to own a cluster"
    if os.geteuid() == 0 and not (shutil.which("runuser") or shutil.which("setpriv")):
        return "running as root without runuser or setpriv to start the server as another user"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *argv]
    pw = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", *argv]


def _accepts(port: int, timeout: float) -> bool:
    """Whether the server answers a real login (not only an open port) before ``timeout``."""
    import psycopg
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user=SUPERUSER,
                                 dbname="postgres", connect_timeout=2) as con:
                con.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def pg_cluster() -> Iterator[str]:
    """Start a cluster, yield its URL, stop it (fast) and delete its folder."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    bins = bin_dir()
    user = _run_as()
    # Not pytest's tmp_path: its folders are private to root, and the server runs as another
    # user. The folder is created private and handed to that user.
    root = Path(tempfile.mkdtemp(prefix="fiscalmap-pg-"))
    data, log = root / "data", root / "server.log"
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGTZ": "UTC"}
    started = False
    try:
        if user is not None:
            pw = pwd.getpwnam(user)
            os.chown(root, pw.pw_uid, pw.pw_gid)
        res = subprocess.run(_command(user, [
            str(bins / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8",
            "--locale=C.UTF-8", "--auth=trust", "--no-sync"]),
            capture_output=True, text=True, env=env, cwd=root, timeout=120)
        if res.returncode:
            raise RuntimeError(f"initdb failed: {res.stderr[-2000:]}")
        for attempt in range(3):
            port = _free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {port} "
                    f"-c unix_socket_directories={root} "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    "-c max_connections=40 -c shared_buffers=64MB")
            res = subprocess.run(_command(user, [
                str(bins / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w",
                "-t", str(int(START_TIMEOUT)), "-o", opts]),
                capture_output=True, env=env, cwd=root, timeout=START_TIMEOUT + 10)
            started = res.returncode == 0
            if started and _accepts(port, START_TIMEOUT):
                break
            if started:
                _stop(bins, user, data, env, root)
                started = False
        else:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1: {tail}")
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            _stop(bins, user, data, env, root)
        shutil.rmtree(root, ignore_errors=True)


def _stop(bins: Path, user: str | None, data: Path, env: dict, root: Path) -> None:
    subprocess.run(_command(user, [str(bins / "pg_ctl"), "stop", "-D", str(data),
                                   "-m", "fast", "-w"]),
                   capture_output=True, env=env, cwd=root, timeout=60)
