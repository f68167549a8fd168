"""The audit trail: one JSON line per export, saved-view change, import, sign-in and sign-out.

Each line has ``time`` (UTC, ISO 8601), ``user``, ``workspace``, ``action``, ``view`` (the
view's link, when there is one), ``file`` (the file written or downloaded) and, for some
actions, ``detail``. Lines are appended under a lock shared by every app process and the
command line, in one write each. When the file would grow past ``max_mb`` it is rotated:
``audit.jsonl`` becomes ``audit.jsonl.1`` (and ``.1`` becomes ``.2`` …), keeping ``keep`` old
files.

Where: ``FISCALMAP_AUDIT_LOG``, else ``path`` in the ``[audit]`` table of the site access file,
else ``$XDG_DATA_HOME/fiscalmap/audit/audit.jsonl``. The folder is made readable by its owner
only (0700, files 0600): the log names people. A site whose command lines run as other logins
than the app sets ``shared = true`` and a path every one of them reaches: the folder and files
are then made for the folder's group (folder 2770, files 0660), so each login that belongs to
that group appends to the one log the Audit log page reads.
"""
from __future__ import annotations

import fcntl
import json
import math
import re
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

AUDIT_ENV = "FISCALMAP_AUDIT_LOG"
ACTIONS = ("sign_in", "sign_out", "export", "view_save", "view_rename", "view_move",
           "view_delete", "views_import", "import", "denied")
FIELDS = ("time", "user", "workspace", "action", "view", "file")
DEFAULT_MAX_MB = 10.0
DEFAULT_KEEP = 5


@dataclass(frozen=True)
class AuditSettings:
    path: Path
    max_bytes: int = int(DEFAULT_MAX_MB * 1024 * 1024)
    keep: int = DEFAULT_KEEP
    #: Folder and files for the folder's group (several logins append), not the owner alone.
    shared: bool = False

    @property
    def file_mode(self) -> int:
        return 0o660 if self.shared else 0o600

    @property
    def folder_mode(self) -> int:
        return 0o2770 if self.shared else 0o700


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fiscalmap" / "audit" / "audit.jsonl"


def settings(section: Mapping[str, Any] | None = None) -> AuditSettings:
    """Where the log goes and how it rotates, from the site file's ``[audit]`` table (bad
    values fall back to the defaults)."""
    section = section or {}
    named = section.get("path")
    named = named if isinstance(named, str) and named.strip() else None
    path = os.environ.get(AUDIT_ENV) or named or default_path()
    max_mb = section.get("max_mb", DEFAULT_MAX_MB)
    keep = section.get("keep", DEFAULT_KEEP)
    if not isinstance(max_mb, (int, float)) or isinstance(max_mb, bool) \
            or not math.isfinite(max_mb) or max_mb <= 0:
        max_mb = DEFAULT_MAX_MB
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 0:
        keep = DEFAULT_KEEP
    shared = section.get("shared", False) is True
    return AuditSettings(Path(str(path)).expanduser(), max(1024, int(max_mb * 1024 * 1024)),
                         keep, shared)


def rotated(cfg: AuditSettings) -> list[Path]:
    """The log's files, oldest first (``.N`` … ``.1``, then the live file)."""
    old = [cfg.path.with_name(f"{cfg.path.name}.{i}") for i in range(cfg.keep, 0, -1)]
    return [p for p in (*old, cfg.path) if p.is_file()]


def _create(path: Path, mode: int) -> int:
    """Open ``path`` for appending, made with ``mode`` whatever the umask when it is new."""
    try:
        return os.open(path, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
        os.fchmod(fd, mode)
        return fd


@contextmanager
def _locked(cfg: AuditSettings) -> Iterator[None]:
    folder = cfg.path.parent
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=cfg.folder_mode)
        os.chmod(folder, cfg.folder_mode)
    lock = cfg.path.with_name(cfg.path.name + ".lock")
    fd = _create(lock, cfg.file_mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _rotate(cfg: AuditSettings) -> None:
    # files beyond ``keep`` (left by a larger ``keep`` before) go: they name people
    number = re.compile(re.escape(cfg.path.name) + r"\.(\d+)")
    for old in cfg.path.parent.iterdir():
        m = number.fullmatch(old.name)
        if m and int(m.group(1)) > cfg.keep:
            old.unlink(missing_ok=True)
    if cfg.keep == 0:
        cfg.path.unlink(missing_ok=True)
        return
    for i in range(cfg.keep, 0, -1):
        src = cfg.path if i == 1 else cfg.path.with_name(f"{cfg.path.name}.{i - 1}")
        if src.exists():
            os.replace(src, cfg.path.with_name(f"{cfg.path.name}.{i}"))


def entry(action: str, *, user: str, workspace: str = "", view: str = "", file: str = "",
          detail: Mapping[str, Any] | None = None, when: datetime | None = None) -> dict:
    """One line of the log (a dict with the fields in order)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    when = when or datetime.now(timezone.utc)
    out = {"time": when.astimezone(timezone.utc).isoformat(timespec="seconds"),
           "user": user, "workspace": workspace, "action": action, "view": view, "file": file}
    if detail:
        out["detail"] = dict(detail)
    return out


def record(cfg: AuditSettings, action: str, **fields: Any) -> dict:
    """Append one line; returns it. Raises OSError when the log cannot be written (the caller
    says so: an action that must be audited is not silently unaudited)."""
    line = entry(action, **fields)
    data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    with _locked(cfg):
        try:
            size = cfg.path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size and size + len(data) > cfg.max_bytes:
            _rotate(cfg)
        fd = _create(cfg.path, cfg.file_mode)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    return line


def read(cfg: AuditSettings, *, limit: int | None = None) -> tuple[list[dict], int]:
    """The log's lines, oldest first (the last ``limit`` when given), and how many lines could
    not be read (a torn or edited line is counted, never fatal)."""
    rows: list[dict] = []
    bad = 0
    for path in rotated(cfg):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for raw in text.splitlines():
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError:
                bad += 1
                continue
            if isinstance(row, dict):
                rows.append(row)
            else:
                bad += 1
    if limit is not None:
        rows = rows[-limit:] if limit > 0 else []
    return rows, bad


def jsonl_bytes(rows: list[dict]) -> bytes:
    """The lines as a JSON-lines download."""
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                   for r in rows).encode("utf-8")
