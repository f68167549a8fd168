"""Large checked tables kept on disk between runs.

Reading and checking a large table (every cell's number, year, quarter and key rules, with
its problems) costs about a second per million rows. A table of at least ``MIN_ROWS`` rows is
therefore stored once checked, as Parquet (its rows) beside a pickle (its problems), under a
name stamped with everything the result depends on: size and modification time of each source
file, the table's and level's settings, and the source of the readers themselves. A later run
(another process, another server of the same deployment sharing the folder) with the same
stamp reads the stored result instead of the file; a changed file, setting or reader misses
and reads the file again. Files are written to a temporary name and renamed, so a reader
never sees half of one; a stored result that cannot be read is ignored and replaced.

The folder is the application's own (``$FISCALMAP_CACHE_DIR/tables/<workspace>`` or the
workspace's ``.cache/tables``); nothing in it comes from anyone but this application.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from .background import Deferred

#: Tables with fewer rows are read from their file every time (it is quick).
MIN_ROWS = 200_000
_KEEP = 2                # stored results kept per table (others are removed)
_PENDING: list[Deferred] = []
_READERS = ("load.py", "readers", "problems.py", "workspace.py", "table_cache.py")


@lru_cache(maxsize=1)
def readers_version() -> str:
    """A hash of the source of the code that reads and checks tables."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _READERS:
        p = here / name
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def source_stats(sources) -> list[list]:
    """[path, size, modification time] of each source file (None, None when missing): what
    a copy kept on disk compares to know it is current."""
    files = []
    for p in sources:
        try:
            st = Path(p).stat()
            files.append([str(p), st.st_size, st.st_mtime_ns])
        except OSError:
            files.append([str(p), None, None])
    return files


def table_stamp(sources, key: str) -> str:
    text = json.dumps([readers_version(), source_stats(sources), key], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _safe(table_id: str) -> str:
    return hashlib.sha256(table_id.encode()).hexdigest()[:12]


def cached_table(folder: Path | None, table_id: str, sources, key: str,
                 read: Callable[[], tuple[pd.DataFrame, list]], *,
                 min_rows: int | None = None,
                 background: bool = False) -> tuple[pd.DataFrame, list, str]:
    """``read()``'s (frame, problems), from ``folder`` when a current copy is stored there.

    Returns (frame, problems, how): how is "stored" (read from the folder), "read" (from the
    file; stored when at least ``min_rows`` rows, default ``MIN_ROWS``) or "read, not stored"
    (the folder could not be written: the result is the same, only the next run reads the
    file again).
    ``background``: store in a thread of its own (the caller does not wait for the write)."""
    if folder is None:
        frame, problems = read()
        return frame, problems, "read"
    stamp = table_stamp(sources, key)
    base = Path(folder) / _safe(table_id)
    rows_path, probs_path = base / f"{stamp}.parquet", base / f"{stamp}.problems"
    if rows_path.is_file() and probs_path.is_file():
        try:
            frame = pd.read_parquet(rows_path)
            with open(probs_path, "rb") as fh:
                problems = pickle.load(fh)
            return frame, problems, "stored"
        except Exception:  # noqa: BLE001 - a damaged copy: read the file and store it again
            pass
    frame, problems = read()
    if len(frame) < (MIN_ROWS if min_rows is None else min_rows):
        return frame, problems, "read"
    if background:
        job = Deferred(_store, base, stamp, frame, list(problems),
                       name=f"store-{_safe(table_id)}")
        _PENDING.append(job)
        job.start()
        return frame, problems, "read"
    return frame, problems, "read" if _store(base, stamp, frame, problems) else \
        "read, not stored"


def wait_stores(timeout: float | None = None) -> None:
    """Wait for stores running in the background (tests, benchmarks)."""
    for job in list(_PENDING):
        job.finish(timeout)
        if not job.is_alive():
            _PENDING.remove(job)


def _store(base: Path, stamp: str, frame: pd.DataFrame, problems: list) -> bool:
    tmp = base / f".{stamp}.{uuid.uuid4().hex}"
    try:
        base.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(f"{tmp}.parquet", index=False)
        with open(f"{tmp}.problems", "wb") as fh:
            pickle.dump(problems, fh, protocol=pickle.HIGHEST_PROTOCOL)
        # problems first: a reader only trusts rows whose problems are there too
        os.replace(f"{tmp}.problems", base / f"{stamp}.problems")
        os.replace(f"{tmp}.parquet", base / f"{stamp}.parquet")
        _prune(base, stamp)
        return True
    except Exception:  # noqa: BLE001 - a full disk, a read-only folder, a column Parquet refuses
        for suffix in (".parquet", ".problems"):
            try:
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass
        return False


def _prune(base: Path, keep: str) -> None:
    now = time.time()
    for p in base.glob(".*"):          # left by a process that stopped while writing
        try:
            if now - p.stat().st_mtime > 3600:
                p.unlink(missing_ok=True)
        except OSError:
            pass
    stored = sorted((p for p in base.glob("*.parquet") if not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for p in stored[_KEEP:]:
        if p.stem != keep:
            p.unlink(missing_ok=True)
            p.with_suffix(".problems").unlink(missing_ok=True)
