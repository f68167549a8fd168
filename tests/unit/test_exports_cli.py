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
    assert cli.main(["-w", "us_federal", "-f", "pack", "--out", str(out)]) == 1
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
    assert "fm-road-style" in with_lines and "fm-road-style" not in without
    assert not re.search(r"<script[^>]+src=[\"']?https?://", with_lines)
