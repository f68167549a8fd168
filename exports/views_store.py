"""Saved views of a workspace: ``<workspace>/views.json``, in hearing order.

Every change is read-modify-write under a lock file, and the new file is written to a
temporary file then renamed over the old one, so two sessions saving at once lose nothing
and a crash never leaves half a file. A file that is corrupt or belongs to another workspace
is refused with a clear message (in the current language, :mod:`locales`) and the views
already saved stay as they are: so is a file
larger than :data:`MAX_FILE_BYTES` or nested deeper than :data:`MAX_DEPTH` (checked before
the JSON is parsed). Two views with the same id (a file edited by hand, or merged by a
program) are repaired when read: the later ones get a new id, derived from the file so it is
the same on every read, and a message says so (:meth:`ViewsStore.read`); the new ids are
written with the next change.

File format (JSON)::

    {"format": "fiscalmap-views", "version": 1, "workspace": "us_federal",
     "views": [{"id": "a1b2c3d4", "title": "...", "note": "...", "saved": "2025-...",
                "query": {"level": "county", "measure": "indicator", ...}}, ...]}
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np

from geodata import audit
from geodata.audit import AuditSettings
from geodata.files import write_atomic
from locales import t, tn

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: exclusive-create lock file instead
    fcntl = None  # type: ignore[assignment]

FORMAT = "fiscalmap-views"
VERSION = 1
FILE_NAME = "views.json"
MAX_TITLE = 120
MAX_NOTE = 300
#: Largest views file read or imported (bytes); a hearing's views take a few kilobytes.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Deepest nesting of JSON arrays/objects accepted; a views file needs 4
#: (document → views → view → query).
MAX_DEPTH = 16


class ViewsError(ValueError):
    """A saved-views file or request that cannot be used; the message says why."""


class ViewsDenied(ViewsError, PermissionError):
    """A change the person's role does not allow (editors change saved views)."""


@dataclass(frozen=True)
class Actor:
    """Who changes the views: the name the audit log gives them, whether their role lets them
    change views, and the audit log (None: not recorded)."""
    user: str
    may_edit: bool = True
    audit: AuditSettings | None = None


@dataclass(frozen=True)
class SavedView:
    title: str
    query: dict[str, str]
    note: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    saved: str = field(default_factory=lambda: datetime.now(timezone.utc)
                       .isoformat(timespec="seconds"))


def _clean_title(title: str) -> str:
    text = " ".join(str(title or "").split())
    if not text:
        raise ViewsError(t("A saved view needs a title."))
    if len(text) > MAX_TITLE:
        raise ViewsError(t("The title is {n} characters long; keep it under {most}.",
                           n=f"{len(text):,}", most=f"{MAX_TITLE:,}"))
    return text


def _clean_note(note: str) -> str:
    n = " ".join(str(note or "").split())
    return n[:MAX_NOTE]


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _too_large(name: str, size: int) -> ViewsError:
    return ViewsError(t("{name} was refused: it is {size}; a saved-views file may be at most "
                        "{most} MB.", name=name, size=_size_text(size),
                        most=f"{MAX_FILE_BYTES // (1024 * 1024)}"))


def json_depth(raw: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (brackets inside strings do not
    count). Exact for valid JSON; for anything else a value the parser then refuses."""
    b = np.frombuffer(raw, dtype=np.uint8)
    if not b.size:
        return 0
    pos = np.arange(b.size)
    backslash = b == 0x5C
    # a quote ends or starts a string unless an odd run of backslashes stands before it
    last_other = np.maximum.accumulate(np.where(backslash, -1, pos))
    run = pos - 1 - np.concatenate(([-1], last_other[:-1]))
    run[0] = 0
    quote = (b == 0x22) & (run % 2 == 0)
    inside = (np.cumsum(quote) % 2) == 1
    step = (((b == 0x5B) | (b == 0x7B)).astype(np.int64)
            - ((b == 0x5D) | (b == 0x7D)).astype(np.int64))
    step[inside] = 0
    return int(np.cumsum(step).max(initial=0))


def parse_views(blob: bytes | str, workspace: str, *, name: str | None = None,
                repairs: list[str] | None = None) -> list[SavedView]:
    """Check a views file and return its views; raise :class:`ViewsError` listing every
    problem. Nothing is changed anywhere. Views sharing an id are repaired (the later ones
    get a new id); what was repaired is appended to ``repairs`` when given. ``name`` names
    the file in messages ("the views file" when not given)."""
    name = name or t("the views file")
    raw = blob.encode("utf-8", "surrogatepass") if isinstance(blob, str) else bytes(blob)
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(name, len(raw))
    depth = json_depth(raw)
    if depth > MAX_DEPTH:
        raise ViewsError(t("{name} is not a saved-views file: its JSON nests {depth} levels "
                           "deep; a saved-views file nests at most {most}.", name=name,
                           depth=f"{depth:,}", most=f"{MAX_DEPTH}"))
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ViewsError(t("{name} is not a saved-views file: it is not UTF-8 text.",
                           name=name)) from None
    except json.JSONDecodeError as exc:
        raise ViewsError(t("{name} is not a saved-views file: it is not valid JSON (line "
                           "{line}, column {column}: {why}).", name=name, line=f"{exc.lineno}",
                           column=f"{exc.colno}", why=exc.msg)) from None
    except RecursionError:
        raise ViewsError(t("{name} is not a saved-views file: its JSON nests too deeply; a "
                           "saved-views file nests at most {most} levels.", name=name,
                           most=f"{MAX_DEPTH}")) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ViewsError(t("{name} is not a saved-views file (expected \"format\": "
                           "\"{format}\").", name=name, format=FORMAT))
    if doc.get("version") != VERSION:
        raise ViewsError(t("{name} has version {version}; this app reads version {ours}.",
                           name=name, version=repr(doc.get("version")), ours=f"{VERSION}"))
    if doc.get("workspace") != workspace:
        raise ViewsError(t("{name} holds views of workspace {theirs}, not of {ours}: its "
                           "views would not match this workspace's data.", name=name,
                           theirs=repr(doc.get("workspace")), ours=repr(workspace)))
    raw = doc.get("views")
    if not isinstance(raw, list):
        raise ViewsError(t("{name}: \"views\" must be a list.", name=name))
    problems, views, seen, odd_ids = [], [], set(), []
    for i, v in enumerate(raw, start=1):
        where = t("view {n}", n=f"{i}")
        if not isinstance(v, dict):
            problems.append(t("{where}: expected an object with title and query", where=where))
            continue
        q = v.get("query")
        if not isinstance(q, dict) or not all(isinstance(k, str) and isinstance(x, (str, int, float))
                                              for k, x in q.items()):
            problems.append(t("{where}: \"query\" must map names to texts", where=where))
            continue
        try:
            title = _clean_title(v.get("title", ""))
        except ViewsError as exc:
            problems.append(t("{where}: {problem}", where=where, problem=str(exc)))
            continue
        if title.casefold() in seen:
            problems.append(t("{where}: the title {title} is used twice", where=where,
                              title=repr(title)))
            continue
        seen.add(title.casefold())
        vid = _raw_id(v.get("id"))
        if not vid and v.get("id") not in (None, ""):
            odd_ids.append(len(views))
        views.append(SavedView(title=title, note=_clean_note(v.get("note", "")),
                               query={k: str(x) for k, x in q.items()}, id=vid,
                               saved=str(v.get("saved", ""))))
    if problems:
        raise ViewsError(tn("{name} was refused ({n} problem): {problems}",
                            "{name} was refused ({n} problems): {problems}", len(problems),
                            name=name, problems="; ".join(problems)))
    views = _unique_ids(views, name, repairs)
    if repairs is not None:
        repairs += [t("{name}: view {n} ({title}) had an id that is not a short text "
                      "(expected a text of at most 64 characters); it now has the id {id} "
                      "(saved with the next change).", name=name, n=f"{j + 1}",
                      title=repr(views[j].title), id=repr(views[j].id)) for j in odd_ids]
    return views


def _raw_id(value) -> str:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = str(value).strip()
        if text and len(text) <= 64:
            return text
    return ""


def _derived_id(view: SavedView, position: int, taken: set[str]) -> str:
    """A new id for a view, the same on every read of the same file."""
    n = 0
    while True:
        seed = f"{position}\x00{view.title}\x00{view.id}\x00{n}".encode("utf-8")
        vid = hashlib.sha1(seed).hexdigest()[:8]
        if vid not in taken:
            return vid
        n += 1


def _unique_ids(views: list[SavedView], name: str, repairs: list[str] | None) \
        -> list[SavedView]:
    """Give views without an id, or with the id of an earlier view, an id of their own."""
    taken = {v.id for v in views if v.id}
    seen: dict[str, int] = {}
    out: list[SavedView] = []
    for i, v in enumerate(views, start=1):
        if v.id and v.id not in seen:
            seen[v.id] = i
            out.append(v)
            continue
        vid = _derived_id(v, i, taken)
        taken.add(vid)
        seen[vid] = i
        if v.id and repairs is not None:
            repairs.append(t("{name}: view {n} ({title}) had the id {old} of view {other} "
                             "({other_title}); each view needs its own id, so it now has the "
                             "id {id} (saved with the next change).", name=name, n=f"{i}",
                             title=repr(v.title), old=repr(v.id), other=f"{seen[v.id]}",
                             other_title=repr(out[seen[v.id] - 1].title), id=repr(vid)))
        out.append(SavedView(title=v.title, note=v.note, query=v.query, id=vid,
                             saved=v.saved))
    return out


def dump_views(views: list[SavedView], workspace: str) -> bytes:
    doc = {"format": FORMAT, "version": VERSION, "workspace": workspace,
           "views": [asdict(v) for v in views]}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class ViewsStore:
    """The saved views of one workspace folder."""

    def __init__(self, folder: str | os.PathLike, workspace: str, *, lock_timeout: float = 10.0,
                 actor: Actor | None = None):
        self.actor = actor
        self.folder = Path(folder)
        self.workspace = workspace
        self.path = self.folder / FILE_NAME
        self.lock_path = self.folder / (FILE_NAME + ".lock")
        self.lock_timeout = lock_timeout

    # -------------------------------------------------------------- reading
    def list(self) -> list[SavedView]:
        """The saved views in order; [] when none were saved. Raises ViewsError if the file
        cannot be read (it is then left untouched)."""
        return self.read()[0]

    def read(self) -> tuple[list[SavedView], list[str]]:
        """The saved views in order and what had to be repaired to read them (views that
        shared an id), as messages for the user. Raises ViewsError if the file cannot be
        read (it is then left untouched)."""
        name = str(self.path.name)
        try:
            size = self.path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _too_large(name, size)
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return [], []
        except IsADirectoryError:
            raise ViewsError(t("{path} is a folder, not a saved-views file.",
                               path=str(self.path))) from None
        except OSError as exc:
            raise ViewsError(t("{name} cannot be read: {why}.", name=name,
                               why=str(exc.strerror))) from None
        repairs: list[str] = []
        views = parse_views(blob, self.workspace, name=name, repairs=repairs)
        return views, repairs

    def get(self, key: str) -> SavedView:
        """A view by id or by title (letter case ignored)."""
        views = self.list()
        for v in views:
            if v.id == key or v.title.casefold() == " ".join(str(key).split()).casefold():
                return v
        if not views:
            raise ViewsError(t("No saved view called {key} in {workspace}: no view is saved "
                               "yet.", key=repr(key), workspace=repr(self.workspace)))
        raise ViewsError(t("No saved view called {key} in {workspace}. Saved views: {titles}.",
                           key=repr(key), workspace=repr(self.workspace),
                           titles=", ".join(repr(v.title) for v in views)))

    def export_bytes(self) -> bytes:
        return dump_views(self.list(), self.workspace)

    # -------------------------------------------------------------- changing
    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ViewsError(t("Cannot save views in {folder}: {why}.", folder=str(self.folder),
                               why=str(exc.strerror))) from None
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    if fcntl is not None:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ViewsError(t("Another session is saving views; try "
                                           "again.")) from None
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

    def _change(self, fn, action: str, view: str = "", detail: dict | None = None) \
            -> list[SavedView]:
        """Apply ``fn`` to the views under the lock, write them, and record ``action`` in the
        audit log. Refuses (:class:`ViewsDenied`) when the actor may not change views."""
        if self.actor is not None and not self.actor.may_edit:
            raise ViewsDenied(t("Only editors of this workspace can change its saved views."))
        with self._locked():
            views = self.list()          # raises (and changes nothing) if the file is bad
            new = fn(list(views))
            self._write(new)
        if self.actor is not None and self.actor.audit is not None:
            try:
                audit.record(self.actor.audit, action, user=self.actor.user,
                             workspace=self.workspace, view=view,
                             file=str(self.path), detail=detail)
            except OSError as exc:
                raise ViewsError(t("The views were saved, but the audit log cannot be "
                                   "written ({why}); tell the site's administrator.",
                                   why=str(exc.strerror or exc))) from None
        return new

    def save(self, title: str, query: Mapping[str, str], note: str = "", *,
             replace: bool = False) -> SavedView:
        """Append a view (or replace the one with the same title when ``replace``)."""
        view = SavedView(title=_clean_title(title), note=_clean_note(note),
                         query={str(k): str(v) for k, v in query.items()})

        def fn(views):
            same = [i for i, v in enumerate(views) if v.title.casefold() == view.title.casefold()]
            if same and not replace:
                raise ViewsError(t("A view called {title} is already saved; choose another "
                                   "title or replace it.", title=repr(view.title)))
            if same:
                views[same[0]] = SavedView(title=view.title, note=view.note, query=view.query,
                                           id=views[same[0]].id)
            else:
                views.append(view)
            return views
        from urllib.parse import urlencode

        saved = self._change(fn, "view_save", "?" + urlencode(view.query),
                             {"title": view.title})
        return next(v for v in saved if v.title.casefold() == view.title.casefold())

    def _index(self, views, view_id: str) -> int:
        for i, v in enumerate(views):
            if v.id == view_id:
                return i
        raise ViewsError(t("That view is no longer saved (another session may have deleted "
                           "it)."))

    def rename(self, view_id: str, title: str, note: str | None = None) -> None:
        new_title = _clean_title(title)

        def fn(views):
            i = self._index(views, view_id)
            if any(v.title.casefold() == new_title.casefold() and j != i
                   for j, v in enumerate(views)):
                raise ViewsError(t("A view called {title} is already saved.",
                                   title=repr(new_title)))
            old = views[i]
            views[i] = SavedView(title=new_title, query=old.query, id=old.id, saved=old.saved,
                                 note=old.note if note is None else _clean_note(note))
            return views
        self._change(fn, "view_rename", detail={"id": view_id, "title": new_title})

    def move(self, view_id: str, step: int) -> None:
        """Move a view ``step`` places (negative = earlier) in the hearing order."""
        def fn(views):
            i = self._index(views, view_id)
            j = max(0, min(len(views) - 1, i + step))
            views.insert(j, views.pop(i))
            return views
        self._change(fn, "view_move", detail={"id": view_id, "step": step})

    def delete(self, view_id: str) -> None:
        def fn(views):
            views.pop(self._index(views, view_id))
            return views
        self._change(fn, "view_delete", detail={"id": view_id})

    def import_bytes(self, blob: bytes | str, *, replace: bool = False,
                     name: str | None = None, repairs: list[str] | None = None) -> int:
        """Add the views of an exported file (titles already saved get " (2)"...), or replace
        all views with them. Returns the number of views imported. A bad file changes nothing.
        Views of the file that share an id are given ids of their own (said in ``repairs``)."""
        incoming = parse_views(blob, self.workspace, name=name or t("the imported file"),
                               repairs=repairs)

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
        self._change(fn, "views_import", detail={"views": len(incoming), "replace": replace})
        return len(incoming)


VIEWS_DIR_ENV = "FISCALMAP_VIEWS_DIR"


def store_for(ws, actor: Actor | None = None) -> ViewsStore:
    """The store of a loaded :class:`geodata.workspace.Workspace`: ``views.json`` in the
    workspace folder, or in ``$FISCALMAP_VIEWS_DIR/<workspace id>/`` when that is set (for a
    read-only install, or tests)."""
    root = os.environ.get(VIEWS_DIR_ENV)
    return ViewsStore(Path(root) / ws.id if root else ws.path, ws.id, actor=actor)
