"""A workspace being imported, and how it is saved: folder, copied files and ``workspace.toml``.

The Import page and the import command line build a :class:`WorkspaceDraft` from the user's
choices; :func:`save_workspace` writes it. The manifest stays the one description of a
workspace: everything the user chose (reader layout, period columns, scales, crosswalks) is
written into it, so the saved workspace reads the same way on every later load.

Saving never changes the user's files: each is copied into the new folder's ``data/``. The
folder is written under a temporary name and renamed into place only once its manifest loads
without a problem, so a failed save leaves nothing behind and never replaces a workspace.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from locales import t

from ..files import staging_dir, write_atomic
from ..workspace import MANIFEST_NAME, SCALE_KEYS, ManifestError, Workspace, load_manifest

WORKSPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass
class LevelDraft:
    id: str
    label: str
    source: Path                         # the user's file (never changed)
    key: str
    name: str
    label_plural: str = ""
    layer: str | None = None
    crs: str = ""
    key_width: int | None = None
    years: tuple[int, int | None] | None = None
    original_name: str = ""              # the uploaded file's name, for provenance


@dataclass
class TableDraft:
    id: str
    kind: str
    level: str
    source: Path
    columns: dict[str, str]
    constants: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    unit: str = ""
    encoding: str = ""
    separator: str | None = None
    decimal: str = "."
    sheet: str | int | None = None
    header_row: int = 1
    header_rows: int = 1
    skip_bottom: int = 0
    stop_at_blank: bool = False
    sheet_layout: str = "same"           # "each": every sheet's own layout (sheet = "*")
    sheet_columns: str = "name"          # "position": stacked sheets' columns by position
    wide_columns: list[str] | None = None
    year_span: str | None = None
    scale: str | float | None = None
    crosswalk: pd.DataFrame | None = None   # from, to (and rule): accepted key proposals
    original_name: str = ""


@dataclass
class WorkspaceDraft:
    title: str
    currency: str = "USD"
    fiscal_year_start_month: int = 1
    fiscal_year_label: str = "FY"
    description: str = ""
    levels: list[LevelDraft] = field(default_factory=list)
    tables: list[TableDraft] = field(default_factory=list)
    #: The manifest's ``[access]`` table (roles → patterns), when sign-in is on: the person
    #: who imports administers what they saved.
    access: dict[str, Any] = field(default_factory=dict)


def slug(text: str, default: str = "workspace") -> str:
    """A folder or id name from a title: letters, digits, ``_`` and ``-`` (ASCII), at most 64;
    ``default`` when the title has none ("省份")."""
    s = re.sub(r"[^A-Za-z0-9_-]+", "_", text.strip()).strip("_-").lower()[:64]
    return s or default


def _file_names(draft: WorkspaceDraft) -> dict[int, str]:
    """``data/<name>`` for each source file, unique within the workspace."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for item in [*draft.levels, *draft.tables]:
        base = Path(item.original_name or item.source.name).name
        stem, suffix = Path(base).stem, Path(base).suffix
        stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "file"
        name, n = f"{stem}{suffix.lower()}", 2
        while name in used:
            name, n = f"{stem}_{n}{suffix.lower()}", n + 1
        used.add(name)
        names[id(item)] = f"data/{name}"
    return names


def manifest_dict(draft: WorkspaceDraft, files: dict[int, str] | None = None,
                  retrieved: str | None = None) -> dict[str, Any]:
    """The ``workspace.toml`` of the draft, as a dict (only keys that differ from defaults)."""
    files = files or _file_names(draft)
    head: dict[str, Any] = {"title": draft.title, "currency": draft.currency}
    if draft.description:
        head["description"] = draft.description
    if draft.fiscal_year_start_month != 1:
        head["fiscal_year_start_month"] = draft.fiscal_year_start_month
    if draft.fiscal_year_label != "FY":
        head["fiscal_year_label"] = draft.fiscal_year_label
    if draft.levels:
        head["default_level"] = draft.levels[0].id
    levels = []
    for lv in draft.levels:
        d: dict[str, Any] = {"id": lv.id, "label": lv.label, "file": files[id(lv)],
                             "key": lv.key, "name": lv.name}
        for k in ("label_plural", "layer", "crs", "key_width"):
            if getattr(lv, k):
                d[k] = getattr(lv, k)
        if lv.years:
            d["years"] = [y for y in lv.years if y is not None]
        levels.append(d)
    tables = []
    for table in draft.tables:
        d = {"id": table.id, "kind": table.kind, "level": table.level, "file": files[id(table)]}
        for k in ("label", "unit", "encoding", "separator", "year_span"):
            if getattr(table, k):
                d[k] = getattr(table, k)
        if table.decimal != ".":
            d["decimal"] = table.decimal
        if table.sheet not in (None, ""):
            d["sheet"] = table.sheet
        if table.header_row != 1:
            d["header_row"] = table.header_row
        if table.header_rows != 1:
            d["header_rows"] = table.header_rows
        if table.skip_bottom:
            d["skip_bottom"] = table.skip_bottom
        if table.stop_at_blank:
            d["stop_at_blank"] = True
        if table.sheet_layout != "same" and table.sheet in ("*", "all"):
            d["sheet_layout"] = table.sheet_layout
        if table.sheet_columns != "name" and table.sheet in ("*", "all"):
            d["sheet_columns"] = table.sheet_columns
        if table.wide_columns:
            d["wide_columns"] = list(table.wide_columns)
        if table.scale not in (None, "", 1, 1.0, "1"):
            d[SCALE_KEYS[table.kind]] = table.scale
        if table.crosswalk is not None and len(table.crosswalk):
            d["crosswalk"] = f"data/{table.id}_crosswalk.csv"
        d["columns"] = dict(table.columns)
        if table.constants:
            d["constants"] = dict(table.constants)
        tables.append(d)
    sources = []
    for item in [*draft.levels, *draft.tables]:
        sources.append({"name": item.original_name or item.source.name,
                        "retrieved": retrieved or dt.date.today().isoformat(),
                        "files": [files[id(item)]],
                        "notes": "imported with the Import page; sha256 "
                                 + _sha256(item.source)[:16]})
    out = {"workspace": head, "levels": levels, "tables": tables, "sources": sources}
    if draft.access:
        out["access"] = dict(draft.access)
    return out


def toml_text(manifest: dict[str, Any]) -> str:
    import tomli_w

    return "# Written by the Import page. Edit freely: the app re-reads it on change.\n" + \
        tomli_w.dumps(manifest)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class SaveError(ValueError):
    """A draft that cannot be saved; the message says why and what to do."""


def save_workspace(draft: WorkspaceDraft, root: Path, wid: str, *,
                   progress: Callable[[str], None] | None = None,
                   taken: Iterable[str] = ()) -> Workspace:
    """Write the draft as the workspace folder ``root/wid`` and return it, loaded.

    Raises :class:`SaveError` when the id is not a folder name or is taken (a folder in
    ``root``, or one of ``taken``: the ids of every workspace the app knows, in any folder, and
    those the site's access rules name: a new workspace must not take the id, and so the
    rules, saved views and audit lines, of another one), or when the written manifest does not
    load (its problems are listed); nothing is left behind then. The message is the same
    whichever workspace has the name, so it tells nothing of one the person may not see.
    """
    say = progress or (lambda _m: None)
    if not WORKSPACE_ID.match(wid):
        raise SaveError(t("{name} is not a usable workspace name: letters, digits, _ and - "
                          "only, starting with a letter or digit, at most 64", name=repr(wid)))
    if not draft.levels:
        raise SaveError(t("a workspace needs a boundary layer"))
    target = root / wid
    if target.exists() or wid in set(taken):
        raise SaveError(t("the workspace name {name} is taken; choose another name (nothing "
                          "was written)", name=repr(wid)))
    root.mkdir(parents=True, exist_ok=True)
    stage = staging_dir(root, prefix=f".{wid}.")
    try:
        files = _file_names(draft)
        (stage / "data").mkdir()
        for item in [*draft.levels, *draft.tables]:
            say(t("Copying {file}", file=item.original_name or item.source.name))
            shutil.copyfile(item.source, stage / files[id(item)])
        for table in draft.tables:
            if table.crosswalk is not None and len(table.crosswalk):
                say(t("Writing the crosswalk of {table}", table=table.id))
                cw = table.crosswalk.copy()
                cw = cw[[c for c in ("from", "to", "rule") if c in cw]]
                # A data file the app reads back: keys are written as they are (no
                # spreadsheet-formula guard, which would change a key starting with "-").
                write_atomic(stage / "data" / f"{table.id}_crosswalk.csv",
                             cw.to_csv(index=False).encode("utf-8"))
        say(t("Writing workspace.toml"))
        write_atomic(stage / MANIFEST_NAME, toml_text(manifest_dict(draft, files)).encode())
        try:
            load_manifest(stage)
        except ManifestError as exc:
            raise SaveError(t("the workspace would not open: {problems}",
                              problems="; ".join(exc.problems))) from None
        if target.exists():
            raise SaveError(t("a workspace named {name} was created meanwhile; choose another "
                              "name", name=repr(wid)))
        stage.rename(target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    say(t("Saved"))
    return load_manifest(target)
