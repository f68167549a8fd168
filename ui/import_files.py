"""Files for the Import page: uploads staged once per session (never into a workspace), or
files picked from the server's import folder; problems listed as the loader reports them."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import streamlit as st

from typing import Callable

from geodata.readers.text import max_file_bytes
from locales import N_, t

from .text import md

IMPORT_DIR_ENV = "FISCALMAP_IMPORT_DIR"
STALE_UPLOADS_S = 24 * 3600

def option_labels(words: dict[object, str]) -> Callable[[object], str]:
    """A widget's ``format_func``: the options in ``words`` shown in this run's language (put
    into words now: a widget may format its options outside the run), any other option (data:
    a sheet, a column) as it is."""
    shown = {k: t(v) for k, v in words.items()}
    return lambda option: shown.get(option, str(option))


def _stage_dir() -> Path:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        sid = get_script_run_ctx().session_id
    except Exception:  # noqa: BLE001 - no session (bare mode)
        sid = "local"
    base = Path(tempfile.gettempdir()) / "fiscalmap-import"
    d = base / hashlib.sha1(sid.encode()).hexdigest()[:16]
    if not d.exists():
        _remove_stale(base)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _remove_stale(base: Path, older_than: float = STALE_UPLOADS_S) -> None:
    """Staged uploads of sessions idle for a day are removed (copies, never a workspace)."""
    import shutil
    import time

    if not base.is_dir():
        return
    now = time.time()
    for sub in base.iterdir():
        try:
            if sub.is_dir() and now - sub.stat().st_mtime > older_than:
                shutil.rmtree(sub, ignore_errors=True)
        except OSError:
            continue


def staged(uploaded) -> Path | None:
    """The uploaded file written once to this session's staging folder (never a workspace)."""
    limit = max_file_bytes()
    if uploaded.size > limit:
        st.error(t("{file} is {size} MB, over the limit of {limit} MB; it was not read. Raise "
                   "{setting} on the server for larger files.", file=md(uploaded.name),
                   size=f"{uploaded.size / 1024 ** 2:,.1f}", limit=f"{limit / 1024 ** 2:,.0f}",
                   setting=md("FISCALMAP_MAX_FILE_MB")))
        return None
    blob = uploaded.getvalue()
    sub = _stage_dir() / hashlib.sha1(blob).hexdigest()[:12]
    sub.mkdir(exist_ok=True)
    target = sub / Path(uploaded.name).name
    if not target.exists():
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(blob)
        tmp.replace(target)
    return target


def pick_file(label: str, types: list[str], key: str) -> tuple[Path, str] | None:
    """An uploaded file, or one picked from the server's import folder: (path, name)."""
    up = st.file_uploader(label, type=types, key=f"{key}_upload")
    if up is not None:
        path = staged(up)
        return (path, up.name) if path else None
    folder = os.environ.get(IMPORT_DIR_ENV, "")
    if folder and Path(folder).is_dir():
        base = Path(folder).resolve()
        files = sorted(str(p.relative_to(base)) for p in base.rglob("*")
                       if p.is_file() and p.suffix.lower().lstrip(".") in types
                       and p.resolve().is_relative_to(base))
        if files:
            choice = st.selectbox(t("…or pick a file from the server's import folder"),
                                  ["", *files], key=f"{key}_pick",
                                  format_func=option_labels({"": N_("(none)")}))
            if choice:
                return base / choice, Path(choice).name
    return None


def show_problems(problems, *, limit: int = 12) -> None:
    icons = {"error": "⛔", "warning": "⚠️", "repaired": "🔧", "note": "ℹ️"}
    for p in problems[:limit]:
        st.text(f"{icons.get(p.severity, '•')} {p.text()}")
    if len(problems) > limit:
        st.caption(t("…and {n} more (Data quality lists all of them once the workspace is "
                     "saved)", n=f"{len(problems) - limit:,}"))


