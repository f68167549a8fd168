"""Saved views changed in someone's name (exports/views_store.py Actor): a reader who may not
edit is refused and nothing changes; an editor's every change is one audit line."""
from __future__ import annotations

import json

import pytest

from exports.views_store import (Actor, SavedView, ViewsDenied, ViewsError, ViewsStore,
                                 dump_views)
from geodata import audit
from geodata.audit import AuditSettings

WS = "draft_budget"
Q1 = {"level": "county", "measure": "total", "k": "5"}
Q2 = {"level": "state", "measure": "per_capita"}
IMPORT = dump_views([SavedView(title="Imported", query={"level": "state"}, id="imp00001")], WS)


@pytest.fixture
def log(tmp_path) -> AuditSettings:
    return AuditSettings(tmp_path / "audit" / "audit.jsonl")


@pytest.fixture
def seeded(tmp_path):
    """A views folder with two views, saved with no actor (nothing audited)."""
    folder = tmp_path / "views"
    s = ViewsStore(folder, WS)
    a = s.save("First", Q1, "opening")
    b = s.save("Second", Q2)
    return folder, a, b


def audited(log: AuditSettings) -> list[dict]:
    return audit.read(log)[0]


CHANGES = {
    "save": lambda s, a, b: s.save("Third", Q1),
    "save_replace": lambda s, a, b: s.save("First", Q2, replace=True),
    "rename": lambda s, a, b: s.rename(a.id, "Renamed"),
    "move": lambda s, a, b: s.move(b.id, -1),
    "delete": lambda s, a, b: s.delete(a.id),
    "import": lambda s, a, b: s.import_bytes(IMPORT),
    "import_replace": lambda s, a, b: s.import_bytes(IMPORT, replace=True),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_reader_who_may_not_edit_is_refused_and_nothing_changes(seeded, log, change):
    folder, a, b = seeded
    before = (folder / "views.json").read_bytes()
    store = ViewsStore(folder, WS, actor=Actor("viewer@city.example", may_edit=False, audit=log))
    with pytest.raises(ViewsDenied, match="Only editors of this workspace can change its "
                                          "saved views."):
        CHANGES[change](store, a, b)
    assert (folder / "views.json").read_bytes() == before
    assert not log.path.exists()
    # a refusal is a ViewsError too (pages that show ViewsError show it) and a PermissionError
    assert issubclass(ViewsDenied, ViewsError) and issubclass(ViewsDenied, PermissionError)
    # reading is still allowed
    assert [v.title for v in store.list()] == ["First", "Second"]


def test_a_refused_first_save_makes_no_file(tmp_path, log):
    store = ViewsStore(tmp_path / "views", WS, actor=Actor("v", may_edit=False, audit=log))
    with pytest.raises(ViewsDenied):
        store.save("First", Q1)
    assert not (tmp_path / "views" / "views.json").exists()
    assert not log.path.exists()


def test_an_editor_save_is_one_line_with_the_view_link(tmp_path, log):
    store = ViewsStore(tmp_path / "views", WS, actor=Actor("ed@city.example", audit=log))
    saved = store.save("  Grants   per resident ", Q1, "for the hearing")
    [row] = audited(log)
    assert {k: row[k] for k in ("user", "workspace", "action", "view", "file")} == {
        "user": "ed@city.example", "workspace": WS, "action": "view_save",
        "view": "?level=county&measure=total&k=5",
        "file": str(tmp_path / "views" / "views.json")}
    assert row["detail"] == {"title": "Grants per resident"}
    assert saved.title == "Grants per resident"
    assert store.get("Grants per resident").query == Q1


def test_the_view_link_is_quoted(tmp_path, log):
    store = ViewsStore(tmp_path / "views", WS, actor=Actor("ed", audit=log))
    store.save("Odd", {"agencies": "Parks & Rec,Roads", "title": "a=b"})
    assert audited(log)[0]["view"] == "?agencies=Parks+%26+Rec%2CRoads&title=a%3Db"


@pytest.mark.parametrize("change, action, detail", [
    ("save", "view_save", {"title": "Third"}),
    ("save_replace", "view_save", {"title": "First"}),
    ("rename", "view_rename", {"id": "A", "title": "Renamed"}),
    ("move", "view_move", {"id": "B", "step": -1}),
    ("delete", "view_delete", {"id": "A"}),
    ("import", "views_import", {"views": 1, "replace": False}),
    ("import_replace", "views_import", {"views": 1, "replace": True}),
])
def test_each_editor_change_writes_one_line(seeded, log, change, action, detail):
    folder, a, b = seeded
    before = (folder / "views.json").read_bytes()
    store = ViewsStore(folder, WS, actor=Actor("ed@city.example", may_edit=True, audit=log))
    CHANGES[change](store, a, b)
    assert (folder / "views.json").read_bytes() != before
    rows = audited(log)
    assert len(rows) == 1
    row = rows[0]
    assert (row["user"], row["workspace"], row["action"]) == ("ed@city.example", WS, action)
    assert row["file"] == str(folder / "views.json")
    expected = {k: {"A": a.id, "B": b.id}.get(v, v) if k == "id" else v
                for k, v in detail.items()}
    assert row["detail"] == expected
    if action != "view_save":
        assert row["view"] == ""


def test_a_change_that_fails_is_not_audited(seeded, log):
    folder, a, _ = seeded
    store = ViewsStore(folder, WS, actor=Actor("ed", audit=log))
    with pytest.raises(ViewsError, match="already saved"):
        store.save("first", Q2)
    with pytest.raises(ViewsError, match="no longer saved"):
        store.delete("nosuchid")
    assert not log.path.exists()
    store.delete(a.id)
    assert [r["action"] for r in audited(log)] == ["view_delete"]


def test_without_an_audit_log_changes_work_and_nothing_is_written(seeded, tmp_path):
    folder, a, b = seeded
    store = ViewsStore(folder, WS, actor=Actor("ed@city.example", may_edit=True, audit=None))
    store.save("Third", Q1)
    store.rename(a.id, "Renamed")
    store.move(b.id, -1)
    store.delete(a.id)
    assert store.import_bytes(IMPORT) == 1
    assert [v.title for v in store.list()] == ["Second", "Third", "Imported"]
    written = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"views.json", "views.json.lock"}


def test_the_audit_log_cannot_be_written(seeded, tmp_path):
    folder, a, _ = seeded
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    log = AuditSettings(blocker / "audit.jsonl")
    store = ViewsStore(folder, WS, actor=Actor("ed", audit=log))
    with pytest.raises(ViewsError, match="The views were saved, but the audit log cannot be "
                                         "written"):
        store.delete(a.id)
    # said as it is: the change was made
    assert [v.title for v in store.list()] == ["Second"]
    assert json.loads((folder / "views.json").read_text())["workspace"] == WS
