"""Saved-views files that once took the Hearing page down or were never cleaned up: views
sharing an id, JSON nested 100,000 deep, oversize files, temporary files of crashed writers."""
from __future__ import annotations

import json
import os
import time

import pytest

from exports import views_store
from exports.views_store import (MAX_DEPTH, MAX_FILE_BYTES, ViewsError, ViewsStore, dump_views,
                                 json_depth, parse_views)
from geodata.files import STALE_TMP_SECONDS, remove_stale_temps, write_atomic

Q1 = {"level": "state", "measure": "total"}
Q2 = {"level": "county", "measure": "indicator"}


def views_file(views: list[dict], workspace: str = "ws1") -> bytes:
    return json.dumps({"format": "fiscalmap-views", "version": 1, "workspace": workspace,
                       "views": views}).encode("utf-8")


DUPLICATES = [
    {"id": "aaaa1111", "title": "First", "query": Q1},
    {"id": "bbbb2222", "title": "Second", "query": Q2},
    {"id": "aaaa1111", "title": "Third", "query": Q1},
    {"id": "aaaa1111", "title": "Fourth", "query": Q2},
]


# ------------------------------------------------------------------ duplicate ids
def test_duplicate_ids_are_repaired_on_read_with_a_message(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    s.path.write_bytes(views_file(DUPLICATES))
    views, repairs = s.read()
    ids = [v.id for v in views]
    assert [v.title for v in views] == ["First", "Second", "Third", "Fourth"]
    assert ids[:2] == ["aaaa1111", "bbbb2222"]          # the first holder keeps its id
    assert len(set(ids)) == 4
    assert len(repairs) == 2
    assert "view 3 ('Third') had the id 'aaaa1111' of view 1 ('First')" in repairs[0]
    assert ids[2] in repairs[0] and "next change" in repairs[0]
    # the same ids on every read, so the page's buttons keep pointing at the same view
    assert [v.id for v in s.list()] == ids
    # a change by a repaired id works and writes the repaired ids
    s.move(ids[3], -3)
    assert [v.title for v in s.list()] == ["Fourth", "First", "Second", "Third"]
    assert s.read()[1] == []
    stored = [v["id"] for v in json.loads(s.path.read_text("utf-8"))["views"]]
    assert sorted(stored) == sorted(ids)


def test_views_without_an_id_get_a_stable_one(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    s.path.write_bytes(views_file([{"title": "A", "query": Q1}, {"title": "B", "query": Q2,
                                                                  "id": ""}]))
    first = [v.id for v in s.list()]
    assert all(first) and len(set(first)) == 2
    assert [v.id for v in s.list()] == first


def test_ids_that_are_no_short_text_are_replaced_with_a_message(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    s.path.write_bytes(views_file([{"title": "A", "query": Q1, "id": {"x": 1}},
                                   {"title": "B", "query": Q2, "id": "x" * 65},
                                   {"title": "C", "query": Q1, "id": 12}]))
    views, repairs = s.read()
    assert views[2].id == "12"
    assert len(repairs) == 2 and "view 1 ('A') had an id that is not a short text" in repairs[0]
    assert views[0].id in repairs[0] and views[1].id in repairs[1]
    assert [v.id for v in s.read()[0]] == [v.id for v in views]


@pytest.mark.parametrize("replace", [True, False])
def test_import_with_duplicate_ids_gives_each_view_its_own(tmp_path, replace):
    s = ViewsStore(tmp_path, "ws1")
    s.save("Already here", Q1)
    repairs: list[str] = []
    assert s.import_bytes(views_file(DUPLICATES), replace=replace, repairs=repairs) == 4
    views = s.list()
    assert len({v.id for v in views}) == len(views) == (4 if replace else 5)
    assert len(repairs) == 2 and "aaaa1111" in repairs[0]
    assert s.read()[1] == []          # stored repaired: nothing left to repair


# ------------------------------------------------------------------ nesting depth
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("blob", [DEEP, DEEP.encode(), '{"views": ' + DEEP + "}",
                                  '{"format": "fiscalmap-views", "views": [' + "{\"a\":" * 50_000])
def test_deep_nesting_is_refused_without_recursion_error(tmp_path, blob):
    s = ViewsStore(tmp_path, "ws1")
    s.save("Keep me", Q1)
    before = s.path.read_bytes()
    with pytest.raises(ViewsError, match=rf"nests [\d,]+ levels deep; a saved-views file nests "
                                         rf"at most {MAX_DEPTH}"):
        s.import_bytes(blob)
    assert s.path.read_bytes() == before
    # the same text as the stored file
    s.path.write_bytes(blob.encode() if isinstance(blob, str) else blob)
    with pytest.raises(ViewsError, match="nests"):
        s.list()
    with pytest.raises(ViewsError):
        s.save("New", Q2)


def test_recursion_error_of_the_parser_is_a_views_error(monkeypatch):
    """Should the depth scan ever miss, the parser's RecursionError is still a clear message."""
    monkeypatch.setattr(views_store, "json_depth", lambda raw: 0)
    with pytest.raises(ViewsError, match="nests too deeply"):
        parse_views(DEEP, "ws1")


def test_depth_scan_ignores_brackets_in_text():
    title = "[[[[{{{{" * 10 + '\\"' + "]]]]" * 5
    blob = views_file([{"title": title, "query": Q1, "note": "\\" * 7}])
    assert json_depth(blob) == 4
    assert parse_views(blob, "ws1")[0].title.startswith("[[[[{{{{")
    assert json_depth(b"[[[]]]") == 3 and json_depth(b'["]]]]", [[]]]') == 3
    assert json_depth(b'"\\\\"[[') == 2      # an escaped backslash does not hide the quote


# ------------------------------------------------------------------ size
def test_oversize_import_and_stored_file_are_refused(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    s.save("Keep me", Q1)
    before = s.path.read_bytes()
    big = dump_views(s.list(), "ws1")
    big = big + b" " * (MAX_FILE_BYTES + 1 - len(big))     # valid JSON, one byte too many
    assert len(big) == MAX_FILE_BYTES + 1
    with pytest.raises(ViewsError, match="at most 2 MB"):
        s.import_bytes(big, replace=True)
    assert s.path.read_bytes() == before
    assert s.import_bytes(big[:MAX_FILE_BYTES], replace=True) == 1      # at the limit: read
    s.path.write_bytes(big)
    with pytest.raises(ViewsError, match=r"it is 2\.0 MB; a saved-views file may be at most 2 MB"):
        s.list()
    with pytest.raises(ViewsError):
        s.save("New", Q2)
    assert s.path.read_bytes() == big


def test_oversize_stored_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A huge views.json is refused from its size alone, never read into memory."""
    s = ViewsStore(tmp_path, "ws1")
    with open(s.path, "wb") as fh:
        fh.truncate(50 * MAX_FILE_BYTES)                     # sparse: 100 MB of nothing

    def no_reading(self):
        raise AssertionError(f"{self} was read")
    monkeypatch.setattr(type(s.path), "read_bytes", no_reading)
    with pytest.raises(ViewsError, match=r"it is 100\.0 MB; a saved-views file may be at most"):
        s.list()


# ------------------------------------------------------------------ temporary files
def _age(path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_stale_temp_files_of_a_crashed_writer_are_removed_at_the_next_write(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    s.save("One", Q1)
    stale = tmp_path / ".views.json.k3j_x9a2.tmp"          # crashed writer, long ago
    fresh = tmp_path / ".views.json.q8w7e6r5.tmp"          # a writer busy right now
    other = tmp_path / ".other.json.k3j_x9a2.tmp"          # another file's writer
    odd = tmp_path / ".views.json.notes.txt"               # not a temporary file
    for p in (stale, fresh, other, odd):
        p.write_bytes(b"{")
    for p in (stale, other, odd):
        _age(p, STALE_TMP_SECONDS + 60)
    _age(fresh, 5)
    s.save("Two", Q2)
    assert not stale.exists()
    assert fresh.exists() and other.exists() and odd.exists()
    assert [v.title for v in s.list()] == ["One", "Two"]


def test_remove_stale_temps_leaves_folders_and_links_alone(tmp_path):
    target = tmp_path / "out.pdf"
    folder = tmp_path / ".out.pdf.abcdefgh.tmp"
    folder.mkdir()
    keep = tmp_path / "keep.txt"
    keep.write_text("mine")
    link = tmp_path / ".out.pdf.zyxwvuts.tmp"
    link.symlink_to(keep)
    for p in (folder, keep):
        _age(p, STALE_TMP_SECONDS * 2)
    os.utime(link, (time.time() - STALE_TMP_SECONDS * 2,) * 2, follow_symlinks=False)
    write_atomic(target, b"x")
    assert folder.is_dir() and link.is_symlink() and keep.read_text() == "mine"
    assert remove_stale_temps(target) == []
