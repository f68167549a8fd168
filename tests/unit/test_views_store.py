"""Saved views: round trips (URL, file), concurrency, bad files refused, bad links."""
from __future__ import annotations

import json
import threading

import pytest

from exports.views_store import ViewsError, ViewsStore, dump_views, parse_views
from geodata.viewstate import resolve_view

Q1 = {"level": "state", "measure": "total"}
Q2 = {"level": "county", "measure": "indicator"}


def test_save_list_move_rename_delete(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    assert s.list() == []
    a = s.save("First", Q1, "note one")
    b = s.save("Second", Q2)
    c = s.save("Third", Q1)
    assert [v.title for v in s.list()] == ["First", "Second", "Third"]
    s.move(c.id, -2)
    assert [v.title for v in s.list()] == ["Third", "First", "Second"]
    s.move(c.id, 1)
    s.move(b.id, 5)                       # clamps at the end
    assert [v.title for v in s.list()] == ["First", "Third", "Second"]
    s.rename(a.id, "  Opening   view ", "new note")
    assert s.get("opening view").note == "new note"
    with pytest.raises(ViewsError, match="already saved"):
        s.rename(a.id, "third")
    with pytest.raises(ViewsError, match="already saved"):
        s.save("SECOND", Q1)
    s.save("Second", Q1, replace=True)
    assert s.get("Second").query == Q1 and s.get("Second").id == b.id
    s.delete(b.id)
    assert [v.title for v in s.list()] == ["Opening view", "Third"]
    with pytest.raises(ViewsError, match="No saved view called"):
        s.get("Second")
    with pytest.raises(ViewsError, match="title"):
        s.save("   ", Q1)
    # nothing but the file (and its lock) is left in the folder: temp files are renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["views.json", "views.json.lock"]


def test_two_threads_saving_at_once_lose_nothing(tmp_path):
    errors = []

    def worker(tag):
        s = ViewsStore(tmp_path, "ws1")
        try:
            for i in range(25):
                s.save(f"{tag} {i}", {"level": "state", "k": str(i % 7 + 3)})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    titles = [v.title for v in ViewsStore(tmp_path, "ws1").list()]
    assert sorted(titles) == sorted([f"A {i}" for i in range(25)] + [f"B {i}" for i in range(25)])


def test_corrupt_file_is_refused_and_left_alone(tmp_path):
    s = ViewsStore(tmp_path, "ws1")
    s.save("Keep me", Q1)
    good = s.path.read_bytes()
    s.path.write_bytes(good[:40])                 # truncated by some other program
    with pytest.raises(ViewsError, match="not valid JSON"):
        s.list()
    with pytest.raises(ViewsError):
        s.save("New", Q2)
    assert s.path.read_bytes() == good[:40]       # not overwritten


@pytest.mark.parametrize("blob, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not"),
    (b'{"hello": 1}', "not a saved-views file"),
    (json.dumps({"format": "fiscalmap-views", "version": 9, "workspace": "ws1", "views": []}),
     "version"),
    (dump_views([], "other_ws"), "workspace 'other_ws'"),
    (json.dumps({"format": "fiscalmap-views", "version": 1, "workspace": "ws1",
                 "views": [{"title": "x", "query": "level=state"}, {"query": {}}]}),
     "2 problem"),
])
def test_bad_import_is_refused_and_views_stay(tmp_path, blob, message):
    s = ViewsStore(tmp_path, "ws1")
    s.save("Keep me", Q1, "n")
    before = s.path.read_bytes()
    with pytest.raises(ViewsError, match=message):
        s.import_bytes(blob)
    assert s.path.read_bytes() == before


def test_export_import_round_trip(tmp_path):
    a = ViewsStore(tmp_path / "a", "ws1")
    a.save("One", Q1, "first")
    a.save("Two", Q2, "second")
    b = ViewsStore(tmp_path / "b", "ws1")
    b.save("One", Q2)
    assert b.import_bytes(a.export_bytes()) == 2
    assert [v.title for v in b.list()] == ["One", "One (2)", "Two"]
    assert b.get("One (2)").query == Q1 and b.get("Two").note == "second"
    assert b.import_bytes(a.export_bytes(), replace=True) == 2
    assert [(v.title, v.query) for v in b.list()] == [(v.title, v.query) for v in a.list()]
    assert parse_views(a.export_bytes(), "ws1")[0].title == "One"


def test_view_round_trips_through_the_url_and_the_file(us, tmp_path):
    params = {"level": "state", "measure": "per_capita", "table": "obligations",
              "years": "2012-2017", "agencies": "Department of Transportation",
              "average": "1", "scheme": "equal_interval", "k": "6", "palette": "Greens",
              "reverse": "1", "region": "25"}
    vs, ignored = resolve_view(us, params)
    assert ignored == [] or all("agencies" in m for m in ignored)
    # through the URL
    again, ign2 = resolve_view(us, vs.to_query())
    assert again == vs and ign2 == []
    # through the file (saved, exported, imported elsewhere, read back)
    s = ViewsStore(tmp_path / "a", us.ws.id)
    s.save("Per resident", vs.to_query())
    other = ViewsStore(tmp_path / "b", us.ws.id)
    other.import_bytes(s.export_bytes())
    back, ign3 = resolve_view(us, other.get("Per resident").query)
    assert back == vs and ign3 == []


def test_mangled_link_opens_the_nearest_valid_view(us):
    vs, ignored = resolve_view(us, {"ws": "nowhere", "level": "parish", "measure": "total",
                                    "years": "2030-1999", "k": "many", "palette": "Nope",
                                    "region": "99999"})
    assert vs.ws == "us_federal" and vs.level == us.ws.default_level
    assert vs.k == 5 and vs.palette == "YlGnBu" and vs.region == ""
    text = " ".join(ignored)
    for key in ("ws=", "level=", "years=", "k=", "palette=", "region="):
        assert key in text, key


def test_messages_in_chinese(tmp_path):
    from locales import use

    s = ViewsStore(tmp_path, "ws1")
    s.save("预算听证", Q1)
    with use("zh"):
        with pytest.raises(ViewsError) as dup:
            s.save("预算听证", Q2)
        with pytest.raises(ViewsError) as other:
            parse_views(dump_views([], "ws2"), "ws1")
        with pytest.raises(ViewsError) as missing:
            ViewsStore(tmp_path / "empty", "ws1").get("Nope")
    assert str(dup.value) == "已有名为 '预算听证' 的已保存视图；请另选标题或替换该视图。"
    assert str(other.value) == ("视图文件保存的是工作区 'ws2' 的视图，而非 'ws1' 的视图：其中的视图与本"
                                "工作区的数据不匹配。")
    assert str(missing.value) == "'ws1' 中没有名为 'Nope' 的已保存视图：尚未保存任何视图。"
