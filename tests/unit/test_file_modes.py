"""Files the app writes get the mode a user expects: 0666 less the umask for a new file (0644
under umask 022, 0600 under 077), the old mode for a file that is replaced; never a private
0600 file just because it was written through a temporary file."""
from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from geodata.files import staging_dir, write_atomic


@pytest.fixture
def umask():
    """Set the process umask for one test (the kernel applies it to every file created)."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda value: os.umask(value)
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask, mask, want):
    umask(mask)
    path = tmp_path / "out" / "map.png"
    write_atomic(path, b"x")
    assert mode(path) == want
    assert [p.name for p in path.parent.iterdir()] == ["map.png"]      # no temporary file


@pytest.mark.parametrize("mask", [0o022, 0o077])
@pytest.mark.parametrize("old", [0o640, 0o600, 0o664, 0o444])
def test_a_replaced_file_keeps_its_mode_whatever_the_umask(tmp_path, umask, mask, old):
    path = tmp_path / "views.json"
    path.write_bytes(b"old")
    os.chmod(path, old)
    umask(mask)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert mode(path) == old


def test_a_link_is_replaced_with_the_mode_of_the_file_it_pointed_to(tmp_path, umask):
    umask(0o077)
    target = tmp_path / "real.csv"
    target.write_bytes(b"a")
    os.chmod(target, 0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_atomic(link, b"b")
    assert mode(link) == 0o644 and link.read_bytes() == b"b"


@pytest.mark.parametrize("mask, want", [(0o022, 0o755), (0o077, 0o700)])
def test_staging_folder_gets_0777_less_the_umask(tmp_path, umask, mask, want):
    umask(mask)
    folder = staging_dir(tmp_path, prefix=".ws.")
    assert folder.is_dir() and folder.name.startswith(".ws.") and folder.name.endswith(".tmp")
    assert mode(folder) == want


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600)])
def test_views_json_mode(tmp_path, umask, mask, want):
    umask(mask)
    store = ViewsStore(tmp_path / "ws", "ws")
    store.save("A", {"level": "state"})
    assert mode(store.path) == want
    os.chmod(store.path, 0o640)
    store.save("B", {"level": "county"})           # read-modify-write keeps the mode
    assert [v.title for v in store.list()] == ["A", "B"]
    assert mode(store.path) == 0o640


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600)])
def test_export_files_from_the_command_line(tmp_path, monkeypatch, umask, mask, want):
    from exports import cli

    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    umask(mask)
    for fmt in ("csv", "png"):
        out = tmp_path / f"map.{fmt}"
        assert cli.main(["-w", "us_federal", "--query", "level=state&measure=total",
                         "-f", fmt, "--out", str(out)]) == 0
        assert mode(out) == want, fmt


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600)])
def test_early_warning_csv_from_the_command_line(tmp_path, umask, mask, want):
    from performance import cli

    umask(mask)
    out = tmp_path / "flags.csv"
    assert cli.main(["-w", "us_federal", "--year", "2019", "--quarter", "2", "-o",
                     str(out)]) in (0, 2)
    assert mode(out) == want


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600)])
def test_workspace_save_writes_its_files_with_the_umask(tmp_path, umask, mask, want):
    from geodata.readers.draft import LevelDraft, TableDraft, WorkspaceDraft, save_workspace
    from tests.fixtures.helpers import squares_geojson, write_geojson

    src = tmp_path / "src"
    b = write_geojson(src / "regions.geojson", squares_geojson(2))
    t = src / "spend.csv"
    t.write_text("name,2022\nAlpha,1\n", encoding="utf-8")
    draft = WorkspaceDraft(
        title="Transfers", currency="CNY",
        levels=[LevelDraft(id="province", label="Province", source=b, key="id", name="name")],
        tables=[TableDraft(id="spend", kind="allocations", level="province", source=t,
                           columns={"region_name": "name"}, wide_columns=["2022"],
                           crosswalk=pd.DataFrame({"from": ["A"], "to": ["Alpha"]}))])
    umask(mask)
    ws = save_workspace(draft, tmp_path / "root", "transfers")
    assert mode(ws.path / "workspace.toml") == want
    assert mode(ws.path / "data" / "spend_crosswalk.csv") == want


def test_a_saved_workspace_folder_is_readable_by_colleagues(tmp_path, umask):
    from geodata.readers.draft import LevelDraft, WorkspaceDraft, save_workspace
    from tests.fixtures.helpers import squares_geojson, write_geojson

    b = write_geojson(tmp_path / "src" / "regions.geojson", squares_geojson(2))
    draft = WorkspaceDraft(title="T", currency="USD", levels=[
        LevelDraft(id="province", label="Province", source=b, key="id", name="name")])
    umask(0o022)
    ws = save_workspace(draft, tmp_path / "root", "t")
    assert mode(ws.path) == 0o755
