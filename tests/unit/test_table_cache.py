"""Large checked tables kept on disk between runs (geodata/table_cache.py)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from geodata import table_cache
from geodata.dataset import WorkspaceData
from geodata.table_cache import cached_table
from geodata.workspace import load_manifest

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad_workspace"


@pytest.fixture()
def bad_copy(tmp_path, monkeypatch):
    """The bad-input workspace in a folder of its own, every table stored whatever its size."""
    ws = tmp_path / "bad"
    shutil.copytree(BAD, ws)
    monkeypatch.setenv("FISCALMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(table_cache, "MIN_ROWS", 0)
    return ws


def _problems(data):
    return sorted((p.file, p.code, p.column, p.rows, str(p.message)) for p in data.problems)


def test_a_second_load_reads_the_stored_rows_and_problems(bad_copy):
    first = WorkspaceData(load_manifest(bad_copy / "workspace.toml"))
    got_first = {t: first.table(t) for t in ("grants", "pop", "ind")
                 if any(s.id == t for s in first.ws.tables)} or \
        {s.id: first.table(s.id) for s in first.ws.tables}
    assert set(first.table_reads.values()) == {"read"}
    table_cache.wait_stores()             # the app stores in the background
    second = WorkspaceData(load_manifest(bad_copy / "workspace.toml"))
    for tid, frame in got_first.items():
        pd.testing.assert_frame_equal(second.table(tid), frame)
    assert set(second.table_reads.values()) == {"stored"}
    assert _problems(second) == _problems(first)
    assert second.ledger.total(first.ledger.tables()[0]) == \
        first.ledger.total(first.ledger.tables()[0])


def test_a_changed_file_is_read_again(bad_copy):
    tid = WorkspaceData(load_manifest(bad_copy / "workspace.toml")).ws.tables[0].id
    data = WorkspaceData(load_manifest(bad_copy / "workspace.toml"))
    data.table(tid)
    assert data.table_reads[tid] == "read"
    spec = data.ws.table(tid)
    text = Path(spec.file).read_text(encoding="utf-8")
    Path(spec.file).write_text(text + "\n", encoding="utf-8")
    os.utime(spec.file, ns=(1, 1))        # a different modification time as well
    again = WorkspaceData(load_manifest(bad_copy / "workspace.toml"))
    again.table(tid)
    assert again.table_reads[tid] == "read"


def test_small_tables_are_not_stored(tmp_path):
    calls = []

    def read():
        calls.append(1)
        return pd.DataFrame({"a": [1, 2]}), []

    src = tmp_path / "t.csv"
    src.write_text("a\n1\n2\n")
    for _ in range(2):
        frame, probs, how = cached_table(tmp_path / "c", "t", [src], "k", read, min_rows=3)
        assert how == "read" and len(frame) == 2
    assert len(calls) == 2
    assert not (tmp_path / "c").exists()


def test_a_damaged_copy_is_replaced(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("a\n1\n")
    read = lambda: (pd.DataFrame({"a": [1]}), ["p"])   # noqa: E731
    cached_table(tmp_path / "c", "t", [src], "k", read, min_rows=0)
    stored = next((tmp_path / "c").rglob("*.parquet"))
    stored.write_bytes(b"not parquet")
    frame, probs, how = cached_table(tmp_path / "c", "t", [src], "k", read, min_rows=0)
    assert how == "read" and probs == ["p"]
    frame, probs, how = cached_table(tmp_path / "c", "t", [src], "k", read, min_rows=0)
    assert how == "stored" and frame["a"].tolist() == [1] and probs == ["p"]


def test_an_unwritable_folder_still_gives_the_rows(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("a\n1\n")
    blocker = tmp_path / "c"
    blocker.write_text("a file where the folder would be")
    frame, probs, how = cached_table(blocker, "t", [src], "k",
                                     lambda: (pd.DataFrame({"a": [1]}), []), min_rows=0)
    assert how == "read, not stored" and frame["a"].tolist() == [1]
