"""The command line never ends in a traceback: one line ``error: ...`` on stderr, exit 1 when
nothing can be drawn or written, 2 for bad arguments; a view that cannot be drawn as asked
writes nothing unless --nearest is given."""
from __future__ import annotations

import pytest

from exports import cli
from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, squares_geojson, write_geojson, \
    write_workspace

pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def views_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    return tmp_path / "views"


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def the_error(err: str) -> str:
    """The one error line of stderr (warnings may come before it); no traceback."""
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert len(errors) == 1 and errors[0] == lines[-1], err
    return errors[0]


# ------------------------------------------------------------------ views that do not fit
@pytest.mark.parametrize("query, names", [
    ("years=2030", ["years='2030'", "2008–2024"]),
    ("level=state&measure=per_capita&years=1999-2001", ["years='1999-2001'", "2008–2024"]),
    ("level=state&measure=bogus", ["measure='bogus'", "total, per_capita, share, change, indicator"]),
    ("level=parish", ["level='parish'", "state", "county"]),
    ("level=state&palette=Rainbow", ["palette='Rainbow'", "YlGnBu"]),
    ("level=state&k=nine", ["k='nine'", "3 to 9"]),
    ("level=county&measure=indicator&indicator_year=1990", ["indicator_year='1990'", "2009"]),
    ("level=state&scheme=user_defined&breaks=nan inf", ["breaks='nan inf'", "finite"]),
    ("level=state&mesure=total", ["mesure='total'", "not a view parameter", "measure"]),
    ("level=state&level=county", ["level is given twice"]),
])
def test_a_view_that_cannot_be_drawn_as_asked_writes_nothing(tmp_path, capsys, query, names):
    out = tmp_path / "m.csv"
    code, stdout, err = run(capsys, "-w", "us_federal", "--query", query, "-f", "csv",
                            "--out", str(out))
    assert code == 1
    line = the_error(err)
    for n in names:
        assert n in line, (n, line)
    assert "--nearest" in line and "Nothing was written" in line
    assert not out.exists() and stdout == ""
    assert not any("m.csv" in p.name for p in tmp_path.iterdir())     # no temporary file


def test_nearest_draws_the_nearest_view_with_warnings(tmp_path, capsys):
    out = tmp_path / "m.csv"
    code, stdout, err = run(capsys, "-w", "us_federal", "--query", "years=2030&measure=bogus",
                            "-f", "csv", "--out", str(out), "--nearest")
    assert code == 0 and out.exists()
    assert "warning: ignored years='2030'" in err and "measure='bogus'" in err
    assert "error" not in err and f"wrote {out}" in stdout


def test_a_saved_view_that_no_longer_fits_is_refused_too(tmp_path, capsys, views_dir):
    store = ViewsStore(views_dir / "us_federal", "us_federal")
    store.save("Old", {"level": "state", "measure": "total", "years": "1990"})
    out = tmp_path / "old.png"
    code, _, err = run(capsys, "-w", "us_federal", "--view", "Old", "-f", "png",
                       "--out", str(out))
    assert code == 1 and "saved view 'Old' cannot be drawn as asked: years='1990'" in \
        the_error(err)
    assert not out.exists()
    pack = tmp_path / "pack.pdf"
    code, _, err = run(capsys, "-w", "us_federal", "-f", "pack", "--out", str(pack))
    assert code == 1 and "saved view 'Old'" in the_error(err) and not pack.exists()
    code, _, err = run(capsys, "-w", "us_federal", "-f", "pack", "--out", str(pack),
                       "--nearest")
    assert code == 0 and pack.read_bytes()[:5] == b"%PDF-"


# ------------------------------------------------------------------ workspaces that cannot
def tiny(tmp_path, tables: str = "", files: dict | None = None):
    root = write_workspace(tmp_path / "tiny", LEVEL_TOML + tables, files or {})
    write_geojson(root / "regions.geojson", squares_geojson(3))
    return root


ALLOCATIONS = GRANTS_TOML


def test_a_level_with_nothing_to_map_is_one_line(tmp_path, capsys):
    out = tmp_path / "m.png"
    code, _, err = run(capsys, "-w", str(tiny(tmp_path)), "-f", "png", "--out", str(out))
    line = the_error(err)
    assert code == 1 and "no allocation table and no indicator table" in line, line
    assert "level 'county'" in line and not out.exists()


def test_per_resident_without_a_population_table_is_one_line(tmp_path, capsys):
    root = tiny(tmp_path, ALLOCATIONS, {"grants.csv": "fips,fy,amount\n01001,2022,10\n"
                                                      "01002,2022,20\n"})
    out = tmp_path / "m.csv"
    code, _, err = run(capsys, "-w", str(root), "--query", "measure=per_capita", "-f", "csv",
                       "--out", str(out))
    line = the_error(err)
    # one year only: no change against a previous period either
    assert code == 1 and "measure='per_capita'" in line and "one of total, share)" in line
    assert not out.exists()
    code, _, err = run(capsys, "-w", str(root), "--query", "measure=total", "-f", "csv",
                       "--out", str(out))
    assert code == 0 and out.exists()


def test_a_broken_manifest_is_one_line(tmp_path, capsys):
    root = write_workspace(tmp_path / "broken", "[workspace]\ntitle = 'x'\n[[levels]]\nid = 1\n")
    code, _, err = run(capsys, "-w", str(root), "--list")
    line = the_error(err)
    assert code == 1 and "cannot be opened" in line


def test_a_corrupt_views_file_is_one_line(capsys, views_dir):
    (views_dir / "us_federal").mkdir(parents=True)
    (views_dir / "us_federal" / "views.json").write_text("[" * 100_000)
    code, _, err = run(capsys, "-w", "us_federal", "--list")
    assert code == 1 and "nests" in the_error(err)


# ------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize("args, says", [
    (["-w", "no_such_workspace", "--list"], "no workspace 'no_such_workspace'"),
    (["--list"], "--workspace"),
    (["-w", "us_federal", "-f", "png"], "--format and --out are required"),
    (["-w", "us_federal", "-f", "gif", "--out", "x.gif"], "invalid choice: 'gif'"),
    (["-w", "us_federal", "-f", "png", "--dpi", "72", "--out", "x.png"], "--dpi"),
    (["-w", "us_federal", "--view", "a", "--query", "b", "-f", "png", "--out", "x"],
     "not allowed with"),
    (["-w", "us_federal", "-f", "pack", "--query", "level=state", "--out", "p.pdf"],
     "--query cannot make a pack"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    line = the_error(err)
    assert code == 2 and says in line, line
    assert "usage:" not in err
    assert list(tmp_path.iterdir()) == []


def test_out_is_a_folder_or_cannot_be_written(tmp_path, capsys):
    code, _, err = run(capsys, "-w", "us_federal", "--query", "level=state", "-f", "csv",
                       "--out", str(tmp_path))
    assert code == 2 and "is a folder" in the_error(err)
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "-w", "us_federal", "--query", "level=state", "-f", "csv",
                       "--out", str(blocker / "m.csv"))
    line = the_error(err)
    assert code == 1 and "cannot write" in line and "m.csv" in line
    assert blocker.read_text() == "not a folder"


# ------------------------------------------------------------------ unexpected failures
def test_unexpected_failure_is_one_line_and_debug_shows_the_traceback(tmp_path, capsys,
                                                                     monkeypatch):
    from exports import compose as compose_module

    def boom(*a, **k):
        raise RuntimeError("something broke\nsecond line")
    monkeypatch.setattr(compose_module, "compose", boom)
    out = tmp_path / "m.png"
    args = ["-w", "us_federal", "--query", "level=state", "-f", "png", "--out", str(out)]
    code, _, err = run(capsys, *args)
    line = the_error(err)
    assert code == 1 and "RuntimeError: something broke; second line" in line
    assert "--debug" in line and not out.exists()
    with pytest.raises(RuntimeError, match="something broke"):
        cli.main(args + ["--debug"])
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError):
        cli.main(args)


def test_a_value_error_of_the_data_is_one_line_and_debug_reraises(tmp_path, capsys,
                                                                  monkeypatch):
    from exports import compose as compose_module

    def needs_table(*a, **k):
        raise ValueError("an allocation measure needs a table")
    monkeypatch.setattr(compose_module, "compose", needs_table)
    out = tmp_path / "m.png"
    args = ["-w", "us_federal", "--query", "level=state", "-f", "png", "--out", str(out)]
    code, _, err = run(capsys, *args)
    line = the_error(err)
    assert code == 1 and "cannot be drawn: an allocation measure needs a table" in line
    with pytest.raises(cli.Failure):
        cli.main(args + ["--debug"])


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "--nearest" in out and "--debug" in out


# ------------------------------------------------------------------ the early-warning command
def test_early_warning_command_line_in_chinese(tmp_path, capsys):
    from performance import cli as ew_cli

    code = ew_cli.main(["-w", "us_federal", "--lang", "zh", "--year", "2019", "--quarter", "2"])
    out, _ = capsys.readouterr()
    assert code in (0, 2)
    lines = out.splitlines()
    assert lines[0].startswith("预警：") and "（规则：profile）" in lines[0]
    assert "累计支出" in lines[3] and lines[3].split()[-1] == "状态"
    # columns line up in terminal columns (a CJK character takes two)
    from performance.cli import _columns
    assert _columns(lines[3]) == _columns(lines[4].rsplit("  ", 1)[0]) + 2 + _columns("状态")
    assert ew_cli.main(["-w", "us_federal", "--lang", "zh", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"错误：-o '{tmp_path}' 是文件夹；应为文件名\n"
    assert ew_cli.main(["-w", "us_federal", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"error: -o '{tmp_path}' is a folder; expected a file name\n"
