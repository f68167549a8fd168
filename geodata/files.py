"""Writing files without ever leaving a half-written one, and tables that are safe to open in
a spreadsheet.

:func:`write_atomic` replaces a user's file only by a complete new version (temporary file in
the same folder, flushed, then renamed over it) and removes the temporary files an earlier,
crashed writer left behind. The new file gets the mode a user expects: that of the file it
replaces, or for a new file 0666 less the umask (0644 under the usual umask 022), as
``open(path, "w")`` would give it; :func:`staging_dir` makes a folder the same way.
:func:`spreadsheet_safe` and :func:`csv_bytes` keep text cells
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``@SUM(...)``) as
plain text.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import stat
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
    # the random part is 6 to 16 characters of [A-Za-z0-9_] (tempfile.mkstemp's names, used
    # by earlier versions, included)
    return re.compile(re.escape(_tmp_prefix(path)) + r"[A-Za-z0-9_]{6,16}"
                      + re.escape(_TMP_SUFFIX) + r"\Z")


#: Permission bits a new file asks for; the kernel takes the umask off (0644 under 022).
NEW_FILE_MODE = 0o666
#: Permission bits a new folder asks for (0755 under umask 022).
NEW_DIR_MODE = 0o777
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
    | getattr(os, "O_BINARY", 0)


def _kept_mode(path: Path) -> int | None:
    """The permission bits of the regular file at ``path`` (the target of a link), or None
    when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) & 0o777 if stat.S_ISREG(st.st_mode) else None


def _open_temp(path: Path, mode: int) -> tuple[int, str]:
    """A new temporary file beside ``path``, opened for writing. Unlike ``tempfile.mkstemp``
    (always 0600) it is created with ``mode`` less the umask, so the renamed file has the
    mode a file written in place would have."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f"{_tmp_prefix(path)}{secrets.token_hex(4)}{_TMP_SUFFIX}")
        try:
            return os.open(tmp, _CREATE_FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name beside {path}")


def staging_dir(parent: Path | str, *, prefix: str, suffix: str = _TMP_SUFFIX) -> Path:
    """A new, empty folder in ``parent`` with a random name, to be filled and then renamed
    into place. Unlike ``tempfile.mkdtemp`` (always 0700) it has the mode a folder made with
    ``mkdir`` has (0755 under umask 022), so the folder renamed into place is readable by
    whoever may read its parent."""
    parent = Path(parent)
    for _ in range(100):
        folder = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            folder.mkdir(mode=NEW_DIR_MODE)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary folder name in {parent}")


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

    A file that is replaced keeps its permission bits; a new file gets 0666 less the umask
    (0644 under umask 022). Temporary files of earlier writers that crashed are removed (see
    :func:`remove_stale_temps`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = _kept_mode(path)
    fd, tmp = _open_temp(path, NEW_FILE_MODE if kept is None else kept)
    try:
        with os.fdopen(fd, "wb") as fh:
            if kept is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), kept)     # exactly the old bits, whatever the umask
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
