"""Writing files without ever leaving a half-written one, and tables that are safe to open in
a spreadsheet.

:func:`write_atomic` replaces a user's file only by a complete new version (temporary file in
the same folder, flushed, then renamed over it) and removes the temporary files an earlier,
crashed writer left behind. :func:`spreadsheet_safe` and :func:`csv_bytes` keep text cells
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``@SUM(...)``) as
plain text.
"""
from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import time
from pathlib import Path

import pandas as pd

#: A temporary file of :func:`write_atomic` older than this (seconds) belongs to a writer
#: that crashed; it is removed at the next write of the same file. A writer that is still
#: running has its temporary file open for far less than this.
STALE_TMP_SECONDS = 10 * 60

_TMP_SUFFIX = ".tmp"


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}."


def _tmp_pattern(path: Path) -> re.Pattern[str]:
    # tempfile.mkstemp puts 8 characters of [a-z0-9_] between prefix and suffix.
    return re.compile(re.escape(_tmp_prefix(path)) + r"[A-Za-z0-9_]{6,16}"
                      + re.escape(_TMP_SUFFIX) + r"\Z")


def remove_stale_temps(path: Path | str, *, older_than: float = STALE_TMP_SECONDS,
                       now: float | None = None) -> list[Path]:
    """Remove the temporary files :func:`write_atomic` left beside ``path`` when a writer
    crashed: only regular files named like its own (``.<name>.XXXXXXXX.tmp``) and not
    modified for ``older_than`` seconds. Returns what was removed; never raises."""
    path = Path(path)
    pattern = _tmp_pattern(path)
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < older_than:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:         # gone already, or not ours to remove
            continue
    return removed


def write_atomic(path: Path | str, blob: bytes) -> None:
    """Write ``blob`` to ``path`` atomically; on any failure the old file stays as it was.
    Temporary files of earlier writers that crashed are removed (see
    :func:`remove_stale_temps`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=_TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    remove_stale_temps(path)


# ---------------------------------------------------------------- spreadsheet-safe tables
#: Text starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
#: (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """``value`` with a leading single quote when it is text a spreadsheet would run as a
    formula; anything else (numbers, including negative ones, missing values) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels cannot be run as
    formulas: text starting with = + - @ TAB or CR gets a leading single quote. Numbers
    (including negative numbers stored as numbers) are left as they are."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(safe_text, na_action="ignore")
    out.columns = _safe_index(out.columns)
    out.index = _safe_index(out.index)
    return out


def _safe_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_safe_index(lv) for lv in index.levels])
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return index.map(safe_text).rename(safe_text(index.name))
    return index.rename(safe_text(index.name))


def csv_bytes(frame: pd.DataFrame, *, index: bool = False, encoding: str = "utf-8") -> bytes:
    """``frame`` as CSV bytes, made safe with :func:`spreadsheet_safe` first. Lines end in
    CR LF (RFC 4180), so a field holding a line break of either kind is quoted and read back
    as one field."""
    buf = io.StringIO()
    spreadsheet_safe(frame).to_csv(buf, index=index, lineterminator="\r\n")
    return buf.getvalue().encode(encoding)
