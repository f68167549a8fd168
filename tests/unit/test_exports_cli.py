"""The batch export command writes files without the app."""
from __future__ import annotations

import re

import pytest

from exports import cli
from exports.views_store import VIEWS_DIR_ENV, ViewsStore

pytest.importorskip("matplotlib")


@pytest.fixture
def views_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    return tmp_path / "views"


def test_png_and_pdf_for_a_query(tmp_path, views_dir, capsys):
    q = "level=state&measure=per_capita&years=2012-2017&k=nine"
    png, pdf = tmp_path / "m.png", tmp_path / "out" / "m.pdf"
    assert cli.main(["-w", "us_federal", "--query", q, "-f", "png", "--dpi", "150",
                     "--nearest", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "ignored k='nine'" in capsys.readouterr().err
    assert cli.main(["-w", "us_federal", "--query", "?" + q.replace("&k=nine", ""), "-f", "pdf",
                     "--size", "a4", "--out", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_saved_view_by_title_and_the_pack(tmp_path, views_dir):
    store = ViewsStore(views_dir / "us_federal", "us_federal")
    store.save("States per resident", {"level": "state", "measure": "per_capita"}, "note")
    store.save("Unemployment", {"level": "county", "measure": "indicator"})
    out = tmp_path / "v.svg"
    assert cli.main(["-w", "us_federal", "--view", "states per resident", "-f", "svg",
                     "--out", str(out)]) == 0
    assert b"<svg" in out.read_bytes()[:400]
    pack = tmp_path / "pack.pdf"
    assert cli.main(["-w", "us_federal", "-f", "pack", "--out", str(pack)]) == 0
    blob = pack.read_bytes()
    assert blob[:5] == b"%PDF-"
    # cover + key figures + one page per view
    assert len(re.findall(rb"/Type\s*/Page[^s]", blob)) == 4


def test_data_exports(tmp_path, views_dir):
    q = "level=state&measure=total"
    for fmt, magic in (("csv", b"region_id,name,value"), ("geojson", b'{"type"'),
                       ("xlsx", b"PK"), ("html", b"<!DOCTYPE html>")):
        out = tmp_path / f"d.{fmt}"
        assert cli.main(["-w", "us_federal", "--query", q, "-f", fmt, "--out", str(out)]) == 0
        assert out.read_bytes().lstrip()[:len(magic)] == magic, fmt
    assert b"https://" not in (tmp_path / "d.html").read_bytes().split(b"<script>")[0]


def test_errors_are_clear_and_write_nothing(tmp_path, views_dir, capsys):
    out = tmp_path / "x.png"
    assert cli.main(["-w", "us_federal", "--view", "Nope", "-f", "png", "--out", str(out)]) == 1
    assert "No saved view called 'Nope'" in capsys.readouterr().err
    assert cli.main(["-w", "us_federal", "-f", "pack", "--view", "Nope", "--out",
                     str(out)]) == 1
    assert not out.exists()
    assert cli.main(["-w", "no_such_workspace", "-f", "png", "--out", str(out)]) == 2
    assert "no workspace 'no_such_workspace'" in capsys.readouterr().err
    assert not out.exists()


def test_roads_query_exports_with_the_overlay_and_methodology(tmp_path, views_dir):
    import numpy as np
    from PIL import Image

    q = "page=roads&road_layer=status&condition=psi_massdot_interstate&overlay={}"
    on, off = tmp_path / "on.png", tmp_path / "off.png"
    assert cli.main(["-w", "boston_region", "--query", q.format(1), "-f", "png", "--dpi", "150",
                     "--out", str(on)]) == 0
    assert cli.main(["-w", "boston_region", "--query", q.format(0), "-f", "png", "--dpi", "150",
                     "--out", str(off)]) == 0
    a = np.asarray(Image.open(on).convert("RGB"))
    b = np.asarray(Image.open(off).convert("RGB"))
    # the segments' class colours (best and worst PSI class) appear only with the overlay on
    for colour in ("#2166ac", "#b2182b"):
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (a == rgb).all(axis=2).sum() > 50, colour
        assert (b == rgb).all(axis=2).sum() == 0, colour
    svg = tmp_path / "on.svg"
    assert cli.main(["-w", "boston_region", "--query", q.format(1), "-f", "svg",
                     "--out", str(svg)]) == 0
    text = svg.read_text("utf-8")
    assert "Methodology" in text and "survey 2013" in text


def test_roads_html_export_carries_the_segments_offline(tmp_path, views_dir):
    """The interactive export of a roads view draws its segments too, with no CDN asset."""
    q = "page=roads&road_layer=status&condition=psi_massdot_interstate&overlay={}"
    on, off = tmp_path / "on.html", tmp_path / "off.html"
    for flag, out in ((1, on), (0, off)):
        assert cli.main(["-w", "boston_region", "--query", q.format(flag), "-f", "html",
                         "--out", str(out)]) == 0
    with_lines, without = on.read_text("utf-8"), off.read_text("utf-8")
    # the Roads page's overlay (its id, legend and lines), drawn by the overlays' code
    assert with_lines.count('"id":"roads"') == 1 and '"id":"roads"' not in without
    assert '"label":"PSI class, Interstate (2013)"' in with_lines
    assert "fmOverlays(" in with_lines
    assert not re.search(r"<script[^>]+src=[\"']?https?://", with_lines)


# ------------------------------------------------------------------ a first run
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def readme_export_commands() -> list[list[str]]:
    """The exports.cli commands of the README's "Budget hearings and exports" section, in
    order, as argument lists."""
    import shlex

    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("### Budget hearings and exports", 1)[1].split("\n### ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("-m exports.cli", 1)[1])
            for line in block.splitlines() if "-m exports.cli" in line]


def test_the_readme_commands_work_in_order_on_a_fresh_clone(tmp_path):
    """Run as a user would, from a shell, with no saved view: every command exits 0 and
    writes what it says."""
    import os
    import subprocess
    import sys

    commands = readme_export_commands()
    assert [c[c.index("-f") + 1] if "-f" in c else "--list" for c in commands] == \
        ["--list", "png", "pack", "pdf"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), VIEWS_DIR_ENV: str(tmp_path / "views")}
    env.pop(cli.DEBUG_ENV, None)
    work = tmp_path / "work"
    work.mkdir()
    outputs = []
    for args in commands:
        run = subprocess.run([sys.executable, "-m", "exports.cli", *args], cwd=work, env=env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, (args, run.stderr)
        assert "Traceback" not in run.stderr and "error" not in run.stderr, run.stderr
        outputs.append(run)
    listed, png, pack, pdf_zh = outputs
    assert listed.stdout.startswith("No saved views in workspace 'us_federal'")
    assert "Export or save this view" in listed.stdout and "--query" in listed.stdout
    assert (work / "unemployment.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stdout.startswith("wrote unemployment.png")
    blob = (work / "hearing.pdf").read_bytes()
    assert blob[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page[^s]", blob)) == 3     # cover, figures, the view
    assert "no saved views in workspace 'us_federal': the pack holds its default view" in \
        pack.stderr
    assert not (tmp_path / "views" / "us_federal" / "views.json").exists()   # nothing saved
    # The per-resident map in Chinese: the figures line in Chinese, the file named as asked.
    assert (work / "人均.pdf").read_bytes()[:5] == b"%PDF-"
    assert pdf_zh.stdout.splitlines()[1].startswith("地图上的总额："), pdf_zh.stdout


def test_list_without_saved_views_says_so(views_dir, capsys):
    assert cli.main(["-w", "us_federal", "--list"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "No saved views in workspace 'us_federal' "
        f"({views_dir / 'us_federal' / 'views.json'} holds none). Save a view in the app with "
        "“Export or save this view” under the map on One map, or on the Hearing page; any "
        "view can be exported without saving it, with --query.\n")
    assert err == ""


def test_list_names_each_saved_view_in_order(views_dir, capsys):
    store = ViewsStore(views_dir / "us_federal", "us_federal")
    store.save("States per resident", {"level": "state", "measure": "per_capita"}, "a note")
    store.save("Unemployment", {"level": "county", "measure": "indicator"})
    assert cli.main(["-w", "us_federal", "--list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1. States per resident\ta note\t?level=state&measure=per_capita",
        "2. Unemployment\t\t?level=county&measure=indicator"]


def test_pack_without_saved_views_is_the_default_view_with_a_note(tmp_path, views_dir, capsys):
    pack = tmp_path / "pack.pdf"
    assert cli.main(["-w", "us_federal", "-f", "pack", "--out", str(pack)]) == 0
    out, err = capsys.readouterr()
    assert err == ("note: no saved views in workspace 'us_federal': the pack holds its default "
                   "view (Federal obligations, all agencies, FY2024). Save views on the Hearing "
                   "page to choose the pages of the pack.\n")
    assert out.startswith(f"wrote {pack}")
    blob = pack.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", blob)) == 3
    assert not (views_dir / "us_federal" / "views.json").exists()


def test_a_year_outside_the_data_writes_nothing_unless_nearest(tmp_path, views_dir, capsys):
    """years=2030 is not an FY2024 map with exit 0: nothing is written, the parameter is
    named; --nearest draws FY2024 and says what it ignored."""
    out = tmp_path / "m.png"
    assert cli.main(["-w", "us_federal", "--query", "level=state&years=2030", "-f", "png",
                     "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the view cannot be drawn as asked: years='2030'")
    assert "2008–2024" in err and not out.exists()
    assert cli.main(["-w", "us_federal", "--query", "level=state&years=2030", "-f", "png",
                     "--nearest", "--out", str(out)]) == 0
    assert "warning: ignored years='2030'" in capsys.readouterr().err and out.exists()


def test_language_follows_the_workspace_unless_lang_is_given(tmp_path, views_dir, capsys):
    from tests.fixtures.helpers import (GRANTS_TOML, LEVEL_TOML, squares_geojson,
                                        write_geojson, write_workspace)

    toml = LEVEL_TOML.replace('title = "Tiny"', 'title = "Tiny"\nlanguage = "zh"') + GRANTS_TOML
    root = write_workspace(tmp_path / "tiny", toml,
                           {"grants.csv": "fips,fy,amount\n01001,2022,10\n01002,2022,20\n"})
    write_geojson(root / "regions.geojson", squares_geojson(3))
    assert cli.main(["-w", str(root), "--list"]) == 0
    assert capsys.readouterr().out.startswith("工作区 'tiny' 中没有已保存视图")
    assert cli.main(["-w", str(root), "--lang", "en", "--list"]) == 0
    assert capsys.readouterr().out.startswith("No saved views in workspace 'tiny'")
    out = tmp_path / "m.csv"
    assert cli.main(["-w", str(root), "--query", "measure=bogus", "-f", "csv", "--out",
                     str(out)]) == 1
    assert capsys.readouterr().err.startswith("错误：该视图无法按要求绘制：measure='bogus'")
