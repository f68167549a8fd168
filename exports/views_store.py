"""Saved views of a workspace: ``<workspace>/views.json``, in hearing order.

Every change is read-modify-write under a lock file, and the new file is written to a
temporary file then renamed over the old one, so two sessions saving at once lose nothing
and a crash never leaves half a file. A file that is corrupt or belongs to another workspace
is refused with a clear message and the views already saved stay as they are.

File format (JSON)::

    {"format": "fiscalmap-views", "version": 1, "workspace": "us_federal",
     "views": [{"id": "a1b2c3d4", "title": "...", "note": "...", "saved": "2025-...",
                "query": {"level": "county", "measure": "indicator", ...}}, ...]}
"""
from __future__ import annotations

import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Mapping

from geodata.files import write_atomic

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: exclusive-create lock file instead
    fcntl = None  # type: ignore[assignment]

FORMAT = "fiscalmap-views"
VERSION = 1
FILE_NAME = "views.json"
MAX_TITLE = 120
MAX_NOTE = 300


class ViewsError(ValueError):
    """A saved-views file or request that cannot be used; the message says why."""


@dataclass(frozen=True)
class SavedView:
    title: str
    query: dict[str, str]
    note: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    saved: str = field(default_factory=lambda: datetime.now(timezone.utc)
                       .isoformat(timespec="seconds"))


def _clean_title(title: str) -> str:
    t = " ".join(str(title or "").split())
    if not t:
        raise ViewsError("A saved view needs a title.")
    if len(t) > MAX_TITLE:
        raise ViewsError(f"The title is {len(t)} characters long; keep it under {MAX_TITLE}.")
    return t


def _clean_note(note: str) -> str:
    n = " ".join(str(note or "").split())
    return n[:MAX_NOTE]


def parse_views(blob: bytes | str, workspace: str, *, name: str = "the views file") \
        -> list[SavedView]:
    """Check a views file and return its views; raise :class:`ViewsError` listing every
    problem. Nothing is changed anywhere."""
    try:
        doc = json.loads(blob.decode("utf-8-sig") if isinstance(blob, bytes) else blob)
    except UnicodeDecodeError:
        raise ViewsError(f"{name} is not a saved-views file: it is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise ViewsError(f"{name} is not a saved-views file: it is not valid JSON "
                         f"(line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ViewsError(f"{name} is not a saved-views file (expected \"format\": "
                         f"\"{FORMAT}\").")
    if doc.get("version") != VERSION:
        raise ViewsError(f"{name} has version {doc.get('version')!r}; this app reads "
                         f"version {VERSION}.")
    if doc.get("workspace") != workspace:
        raise ViewsError(f"{name} holds views of workspace {doc.get('workspace')!r}, not of "
                         f"{workspace!r}: its views would not match this workspace's data.")
    raw = doc.get("views")
    if not isinstance(raw, list):
        raise ViewsError(f"{name}: \"views\" must be a list.")
    problems, views, seen = [], [], set()
    for i, v in enumerate(raw, start=1):
        where = f"view {i}"
        if not isinstance(v, dict):
            problems.append(f"{where}: expected an object with title and query")
            continue
        q = v.get("query")
        if not isinstance(q, dict) or not all(isinstance(k, str) and isinstance(x, (str, int, float))
                                              for k, x in q.items()):
            problems.append(f"{where}: \"query\" must map names to texts")
            continue
        try:
            title = _clean_title(v.get("title", ""))
        except ViewsError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if title.casefold() in seen:
            problems.append(f"{where}: the title {title!r} is used twice")
            continue
        seen.add(title.casefold())
        vid = str(v.get("id") or uuid.uuid4().hex[:8])
        views.append(SavedView(title=title, note=_clean_note(v.get("note", "")),
                               query={k: str(x) for k, x in q.items()}, id=vid,
                               saved=str(v.get("saved", ""))))
    if problems:
        raise ViewsError(f"{name} was refused ({len(problems)} problem(s)): " +
                         "; ".join(problems))
    return views


def dump_views(views: list[SavedView], workspace: str) -> bytes:
    doc = {"format": FORMAT, "version": VERSION, "workspace": workspace,
           "views": [asdict(v) for v in views]}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class ViewsStore:
    """The saved views of one workspace folder."""

    def __init__(self, folder: str | os.PathLike, workspace: str, *, lock_timeout: float = 10.0):
        self.folder = Path(folder)
        self.workspace = workspace
        self.path = self.folder / FILE_NAME
        self.lock_path = self.folder / (FILE_NAME + ".lock")
        self.lock_timeout = lock_timeout

    # -------------------------------------------------------------- reading
    def list(self) -> list[SavedView]:
        """The saved views in order; [] when none were saved. Raises ViewsError if the file
        cannot be read (it is then left untouched)."""
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return parse_views(blob, self.workspace, name=str(self.path.name))

    def get(self, key: str) -> SavedView:
        """A view by id or by title (letter case ignored)."""
        views = self.list()
        for v in views:
            if v.id == key or v.title.casefold() == " ".join(str(key).split()).casefold():
                return v
        titles = ", ".join(repr(v.title) for v in views) or "none saved yet"
        raise ViewsError(f"No saved view called {key!r} in {self.workspace!r}. Saved views: "
                         f"{titles}.")

    def export_bytes(self) -> bytes:
        return dump_views(self.list(), self.workspace)

    # -------------------------------------------------------------- changing
    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ViewsError(f"Cannot save views in {self.folder}: {exc.strerror}.") from None
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    if fcntl is not None:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ViewsError("Another session is saving views; try again.") from None
                    time.sleep(0.01)
            yield
        finally:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                except OSError:
                    pass
            os.close(fd)

    def _write(self, views: list[SavedView]) -> None:
        blob = dump_views(views, self.workspace)
        write_atomic(self.path, blob)

    def _change(self, fn) -> list[SavedView]:
        with self._locked():
            views = self.list()          # raises (and changes nothing) if the file is bad
            new = fn(list(views))
            self._write(new)
            return new

    def save(self, title: str, query: Mapping[str, str], note: str = "", *,
             replace: bool = False) -> SavedView:
        """Append a view (or replace the one with the same title when ``replace``)."""
        view = SavedView(title=_clean_title(title), note=_clean_note(note),
                         query={str(k): str(v) for k, v in query.items()})

        def fn(views):
            same = [i for i, v in enumerate(views) if v.title.casefold() == view.title.casefold()]
            if same and not replace:
                raise ViewsError(f"A view called {view.title!r} is already saved; choose another "
                                 "title or replace it.")
            if same:
                views[same[0]] = SavedView(title=view.title, note=view.note, query=view.query,
                                           id=views[same[0]].id)
            else:
                views.append(view)
            return views
        saved = self._change(fn)
        return next(v for v in saved if v.title.casefold() == view.title.casefold())

    def _index(self, views, view_id: str) -> int:
        for i, v in enumerate(views):
            if v.id == view_id:
                return i
        raise ViewsError("That view is no longer saved (another session may have deleted it).")

    def rename(self, view_id: str, title: str, note: str | None = None) -> None:
        new_title = _clean_title(title)

        def fn(views):
            i = self._index(views, view_id)
            if any(v.title.casefold() == new_title.casefold() and j != i
                   for j, v in enumerate(views)):
                raise ViewsError(f"A view called {new_title!r} is already saved.")
            old = views[i]
            views[i] = SavedView(title=new_title, query=old.query, id=old.id, saved=old.saved,
                                 note=old.note if note is None else _clean_note(note))
            return views
        self._change(fn)

    def move(self, view_id: str, step: int) -> None:
        """Move a view ``step`` places (negative = earlier) in the hearing order."""
        def fn(views):
            i = self._index(views, view_id)
            j = max(0, min(len(views) - 1, i + step))
            views.insert(j, views.pop(i))
            return views
        self._change(fn)

    def delete(self, view_id: str) -> None:
        def fn(views):
            views.pop(self._index(views, view_id))
            return views
        self._change(fn)

    def import_bytes(self, blob: bytes | str, *, replace: bool = False,
                     name: str = "the imported file") -> int:
        """Add the views of an exported file (titles already saved get " (2)"...), or replace
        all views with them. Returns the number of views imported. A bad file changes nothing."""
        incoming = parse_views(blob, self.workspace, name=name)

        def fn(views):
            if replace:
                return incoming
            titles = {v.title.casefold() for v in views}
            ids = {v.id for v in views}
            for v in incoming:
                title, n = v.title, 2
                while title.casefold() in titles:
                    title, n = f"{v.title} ({n})", n + 1
                titles.add(title.casefold())
                vid = v.id if v.id not in ids else uuid.uuid4().hex[:8]
                ids.add(vid)
                views.append(SavedView(title=title, note=v.note, query=v.query, id=vid,
                                       saved=v.saved))
            return views
        self._change(fn)
        return len(incoming)


VIEWS_DIR_ENV = "FISCALMAP_VIEWS_DIR"


def store_for(ws) -> ViewsStore:
    """The store of a loaded :class:`geodata.workspace.Workspace`: ``views.json`` in the
    workspace folder, or in ``$FISCALMAP_VIEWS_DIR/<workspace id>/`` when that is set (for a
    read-only install, or tests)."""
    root = os.environ.get(VIEWS_DIR_ENV)
    return ViewsStore(Path(root) / ws.id if root else ws.path, ws.id)
