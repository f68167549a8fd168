"""The audit trail (geodata/audit.py): what a line holds, rotation by size, reading back,
appends from several processes at once, file modes and settings."""
from __future__ import annotations

import json
import multiprocessing
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from geodata import audit
from geodata.audit import AuditSettings

FIELDS = ["time", "user", "workspace", "action", "view", "file"]


def cfg(tmp_path, max_bytes=1 << 20, keep=5) -> AuditSettings:
    return AuditSettings(tmp_path / "logs" / "audit.jsonl", max_bytes, keep)


def lines(path) -> list[dict]:
    return [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines()]


def test_a_line_has_exactly_the_fields_in_order(tmp_path):
    c = cfg(tmp_path)
    out = audit.record(c, "export", user="alice@city.gov", workspace="draft",
                       view="?level=county&k=5", file="draft_map.pdf")
    [row] = lines(c.path)
    assert row == out
    assert list(row) == FIELDS
    assert {k: row[k] for k in FIELDS[1:]} == {
        "user": "alice@city.gov", "workspace": "draft", "action": "export",
        "view": "?level=county&k=5", "file": "draft_map.pdf"}
    when = datetime.fromisoformat(row["time"])
    assert when.utcoffset() == timedelta(0)
    assert row["time"].endswith("+00:00") and "." not in row["time"]     # seconds, UTC
    assert abs(datetime.now(timezone.utc) - when) < timedelta(minutes=1)


def test_detail_only_when_given_and_time_in_utc():
    plus8 = timezone(timedelta(hours=8))
    e = audit.entry("view_move", user="u", when=datetime(2025, 3, 1, 9, 30, 15, 999, plus8),
                    detail={"id": "ab12", "step": -1})
    assert list(e) == [*FIELDS, "detail"]
    assert e["time"] == "2025-03-01T01:30:15+00:00"
    assert e["detail"] == {"id": "ab12", "step": -1}
    assert e["view"] == "" and e["file"] == "" and e["workspace"] == ""
    assert list(audit.entry("sign_in", user="u", detail={})) == FIELDS
    assert list(audit.entry("sign_in", user="u")) == FIELDS


def test_unknown_action_is_refused_and_nothing_written(tmp_path):
    c = cfg(tmp_path)
    with pytest.raises(ValueError, match="unknown audit action 'delete_everything'"):
        audit.record(c, "delete_everything", user="u")
    assert not c.path.exists()


def test_non_ascii_and_odd_values_stay_one_line(tmp_path):
    c = cfg(tmp_path)
    audit.record(c, "view_save", user="李雷@city.gov", view="?title=a\nb",
                 detail={"title": "预算\r\n草案"})
    text = c.path.read_text(encoding="utf-8")
    assert text.count("\n") == 1
    assert lines(c.path)[0]["user"] == "李雷@city.gov"
    assert lines(c.path)[0]["detail"] == {"title": "预算\r\n草案"}


def _line_size(tmp_path) -> int:
    probe = cfg(tmp_path / "probe")
    audit.record(probe, "export", user="u", file="f-000")
    return probe.path.stat().st_size


def test_rotation_keeps_at_most_keep_old_files_oldest_dropped(tmp_path):
    size = _line_size(tmp_path)
    c = cfg(tmp_path, max_bytes=size * 3, keep=3)     # three lines to a file
    for i in range(20):
        audit.record(c, "export", user="u", file=f"f-{i:03d}")
        names = sorted(p.name for p in c.path.parent.iterdir() if p.suffix != ".lock")
        assert len([n for n in names if n != "audit.jsonl"]) <= 3, names
    folder = sorted(p.name for p in c.path.parent.iterdir())
    assert folder == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3",
                      "audit.jsonl.lock"]
    # 20 lines, 3 to a file: the live file holds the last 2, each old file 3; the 9 oldest
    # lines went with the files dropped
    assert [r["file"] for r in lines(c.path)] == ["f-018", "f-019"]
    assert [r["file"] for r in lines(c.path.with_name("audit.jsonl.1"))] == \
        ["f-015", "f-016", "f-017"]
    assert [r["file"] for r in lines(c.path.with_name("audit.jsonl.3"))] == \
        ["f-009", "f-010", "f-011"]
    assert [p.name for p in audit.rotated(c)] == ["audit.jsonl.3", "audit.jsonl.2",
                                                  "audit.jsonl.1", "audit.jsonl"]
    rows, bad = audit.read(c)
    assert bad == 0
    assert [r["file"] for r in rows] == [f"f-{i:03d}" for i in range(9, 20)]
    rows, _ = audit.read(c, limit=4)
    assert [r["file"] for r in rows] == ["f-016", "f-017", "f-018", "f-019"]
    rows, _ = audit.read(c, limit=100)
    assert len(rows) == 11


def test_limit_zero_reads_no_line(tmp_path):
    c = cfg(tmp_path)
    audit.record(c, "sign_in", user="u")
    assert audit.read(c, limit=0) == ([], 0)


def test_no_rotation_below_the_size(tmp_path):
    c = cfg(tmp_path, max_bytes=1 << 20, keep=3)
    for i in range(50):
        audit.record(c, "export", user="u", file=f"f-{i:03d}")
    assert [p.name for p in audit.rotated(c)] == ["audit.jsonl"]
    assert len(audit.read(c)[0]) == 50


def test_keep_zero_keeps_no_old_file(tmp_path):
    size = _line_size(tmp_path)
    c = cfg(tmp_path, max_bytes=size * 2, keep=0)
    for i in range(5):
        audit.record(c, "export", user="u", file=f"f-{i:03d}")
    assert [p.name for p in audit.rotated(c)] == ["audit.jsonl"]
    assert [r["file"] for r in audit.read(c)[0]] == ["f-004"]


def test_a_torn_or_garbage_line_is_counted_not_fatal(tmp_path):
    c = cfg(tmp_path)
    audit.record(c, "sign_in", user="a")
    with open(c.path, "ab") as f:
        f.write(b'{"time": "2025-01-01T00:00:00+00:00", "user": "b", "act\n')   # torn
        f.write(b"\xff\xfe not json\n")
        f.write(b"[1, 2, 3]\n")                                                 # not a line
        f.write(b"\n")
    audit.record(c, "sign_out", user="a")
    rows, bad = audit.read(c)
    assert [r["action"] for r in rows] == ["sign_in", "sign_out"]
    assert bad == 3


def test_read_of_a_log_never_written(tmp_path):
    assert audit.read(cfg(tmp_path)) == ([], 0)


def test_jsonl_bytes_round_trip(tmp_path):
    rows = [audit.entry("export", user="李", file="a.pdf"), audit.entry("sign_in", user="b")]
    blob = audit.jsonl_bytes(rows)
    assert blob.endswith(b"\n") and blob.count(b"\n") == 2
    assert [json.loads(x) for x in blob.decode("utf-8").splitlines()] == rows


def _writer(path: str, max_bytes: int, keep: int, tag: str, n: int, start) -> None:
    c = AuditSettings(Path(path), max_bytes, keep)
    # a long field makes a torn or interleaved write show
    pad = tag * 300
    start.wait(30)                     # every writer starts at once
    for i in range(n):
        audit.record(c, "export", user=tag, file=f"{tag}-{i:04d}", detail={"pad": pad})


def _run_writers(c: AuditSettings, tags: str, n: int) -> None:
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(len(tags))
    procs = [ctx.Process(target=_writer, args=(str(c.path), c.max_bytes, c.keep, tag, n, start))
             for tag in tags]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def _check_complete(rows, tags: str, n: int) -> None:
    for tag in tags:
        mine = [r["file"] for r in rows if r["user"] == tag]
        assert mine == [f"{tag}-{i:04d}" for i in range(n)], tag    # none lost, in order
        assert all(r["detail"]["pad"] == tag * 300 for r in rows if r["user"] == tag)


def test_processes_appending_at_once_lose_no_line(tmp_path):
    c = cfg(tmp_path, max_bytes=64 << 20)
    _run_writers(c, "ABCD", 200)
    rows, bad = audit.read(c)
    assert bad == 0
    assert len(rows) == 800
    _check_complete(rows, "ABCD", 200)


def test_processes_appending_while_the_log_rotates_lose_no_line(tmp_path):
    c = cfg(tmp_path, max_bytes=16 << 10, keep=200)     # some 50 lines a file
    _run_writers(c, "ABCD", 150)
    rows, bad = audit.read(c)
    assert bad == 0
    assert len(audit.rotated(c)) > 5
    assert len(rows) == 600
    _check_complete(rows, "ABCD", 150)


def test_log_is_0600_and_a_new_folder_0700(tmp_path):
    old = os.umask(0o022)
    try:
        c = AuditSettings(tmp_path / "new" / "audit" / "audit.jsonl")
        audit.record(c, "sign_in", user="u")
    finally:
        os.umask(old)
    assert stat.S_IMODE(c.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(c.path.parent.stat().st_mode) == 0o700
    lock = c.path.with_name("audit.jsonl.lock")
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_rotated_files_keep_mode_0600(tmp_path):
    size = _line_size(tmp_path)
    c = cfg(tmp_path, max_bytes=size, keep=2)
    for i in range(4):
        audit.record(c, "export", user="u", file=f"f-{i:03d}")
    assert {stat.S_IMODE(p.stat().st_mode) for p in audit.rotated(c)} == {0o600}


# ------------------------------------------------------------------------- settings

def test_settings_from_the_audit_table(tmp_path, monkeypatch):
    monkeypatch.delenv(audit.AUDIT_ENV, raising=False)
    s = audit.settings({"path": str(tmp_path / "a.jsonl"), "max_mb": 2, "keep": 7})
    assert s == AuditSettings(tmp_path / "a.jsonl", 2 * 1024 * 1024, 7)
    s = audit.settings({"max_mb": 0.5, "keep": 0})
    assert (s.max_bytes, s.keep) == (512 * 1024, 0)


def test_settings_default_path_under_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.delenv(audit.AUDIT_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert audit.settings() == AuditSettings(tmp_path / "fiscalmap" / "audit" / "audit.jsonl",
                                             10 * 1024 * 1024, 5)
    assert audit.settings({}).path == tmp_path / "fiscalmap" / "audit" / "audit.jsonl"


def test_environment_wins_over_the_table(tmp_path, monkeypatch):
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "env.jsonl"))
    s = audit.settings({"path": str(tmp_path / "table.jsonl"), "keep": 2})
    assert (s.path, s.keep) == (tmp_path / "env.jsonl", 2)


@pytest.mark.parametrize("section", [
    {"max_mb": "10"}, {"max_mb": 0}, {"max_mb": -1}, {"max_mb": True}, {"max_mb": [1]},
    {"keep": -1}, {"keep": "3"}, {"keep": 2.5}, {"keep": True},
])
def test_bad_values_fall_back(tmp_path, monkeypatch, section):
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "a.jsonl"))
    s = audit.settings(section)
    assert (s.max_bytes, s.keep) == (10 * 1024 * 1024, 5)


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_non_finite_max_mb_falls_back(tmp_path, monkeypatch, value):
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "a.jsonl"))
    assert audit.settings({"max_mb": value}).max_bytes == 10 * 1024 * 1024


def test_a_path_that_is_no_string_falls_back(tmp_path, monkeypatch):
    monkeypatch.delenv(audit.AUDIT_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert audit.settings({"path": 5}).path == audit.default_path()


def test_a_tiny_max_mb_is_raised_to_one_kilobyte(tmp_path, monkeypatch):
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "a.jsonl"))
    assert audit.settings({"max_mb": 0.0000001}).max_bytes == 1024


def test_files_beyond_a_lowered_keep_are_removed_at_the_next_rotation(tmp_path):
    size = _line_size(tmp_path)
    big = cfg(tmp_path, max_bytes=size, keep=6)
    for i in range(8):
        audit.record(big, "export", user=f"u{i}")
    assert big.path.with_name(big.path.name + ".6").is_file()
    small = cfg(tmp_path, max_bytes=size, keep=2)
    audit.record(small, "export", user="last")
    left = sorted(p.name for p in small.path.parent.iterdir() if p.name.startswith("audit"))
    assert left == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.lock"]


def test_a_shared_log_is_made_for_the_folder_group(tmp_path, monkeypatch):
    monkeypatch.delenv("FISCALMAP_AUDIT_LOG", raising=False)
    old = os.umask(0o077)            # even under a strict umask
    try:
        c = audit.settings({"path": str(tmp_path / "shared" / "audit.jsonl"), "shared": True})
        assert c.shared is True
        audit.record(c, "export", user="os:budgetbatch")
    finally:
        os.umask(old)
    assert stat.S_IMODE(c.path.stat().st_mode) == 0o660
    assert stat.S_IMODE(c.path.parent.stat().st_mode) == 0o2770
    assert stat.S_IMODE(c.path.with_name("audit.jsonl.lock").stat().st_mode) == 0o660
    assert audit.settings({"shared": "yes"}).shared is False
