"""Chinese in map images: every character of every text drawn has a glyph in the font
matplotlib takes it from (DejaVu Sans, then the CJK font found on the machine), checked
through matplotlib's own font lookup, not by eye."""
from __future__ import annotations

import unicodedata
import warnings

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from shapely.geometry import box

from layers import render_static
from layers.choropleth import build_choropleth
from layers.render_static import Inset, MapFrame, draw, prepare_static, to_bytes
from locales import use

NAMES = ["北京市", "上海市", "广东省", "四川省", "海南省", "新疆维吾尔自治区"]
TITLE = "各省人均一般公共预算转移支付（2024 财年），含一般性转移支付和共同财政事权转移支付，按常住人口计算"

needs_cjk = pytest.mark.skipif(
    render_static.cjk_family() is None,
    reason="no CJK font on this machine (make chromium installs fonts-wqy-zenhei)")


def _provinces() -> gpd.GeoDataFrame:
    geoms = [box(100 + i % 3, 30 + i // 3, 101 + i % 3, 31 + i // 3) for i in range(4)]
    geoms += [box(109, 18, 110, 19), box(80, 40, 81, 41)]      # an inset, and off the frame
    return gpd.GeoDataFrame({"region_id": [f"{i}" for i in range(6)], "name": NAMES},
                            geometry=geoms, crs=4326)


FRAME = MapFrame(bounds=(99.5, 29.5, 103.5, 32.5),
                 insets=(Inset("南海诸岛", ("4",), None, (0.75, 0.0, 0.25, 0.3)),))


def _draw_chinese():
    gdf = _provinces()
    values = pd.Series({"0": 1.0, "1": 2.0, "2": np.nan, "3": 4.0, "4": 5.0, "5": 6.0})
    with use("zh"):
        view = build_choropleth(list(gdf["region_id"]), values, title="人均转移支付",
                                unit="", subtitle="人均 · 省级", scheme="quantiles", k=3,
                                palette="YlGnBu")
        return draw(prepare_static(gdf, FRAME), view, title=TITLE, subtitle="人均 · 省级",
                    source="数据来源：财政部《2024 年中央对地方转移支付决算表》",
                    footnotes=["注：人口为年末常住人口。"], dpi=100)


def _texts(fig) -> list:
    return [t for t in [*fig.texts, *(t for ax in fig.axes for t in ax.texts)]
            if t.get_visible() and t.get_text().strip()]


def glyph_fonts(text) -> dict[str, str | None]:
    """For each character of a drawn text, the font file matplotlib takes its glyph from:
    the first family of the text's fallback list whose font (as findfont finds it for the
    text's weight and style) has the character; None when none has it."""
    prop = text.get_fontproperties()
    chain = []
    for family in prop.get_family():
        one = FontProperties(family=family, style=prop.get_style(), weight=prop.get_weight(),
                             size=prop.get_size())
        try:
            path = font_manager.findfont(one, fallback_to_default=False)
        except ValueError:
            continue
        chain.append((path, FT2Font(path)))
    return {ch: next((path for path, font in chain if font.get_char_index(ord(ch))), None)
            for ch in set(text.get_text()) if not ch.isspace()}


def missing_glyphs(fig) -> list[tuple[str, str]]:
    return [(t.get_text(), ch) for t in _texts(fig)
            for ch, path in glyph_fonts(t).items() if path is None]


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and \
        unicodedata.category(ch).startswith("L")


@needs_cjk
def test_fonts_fall_back_from_dejavu_to_the_cjk_font():
    families = render_static.font_families()
    assert families[0] == "DejaVu Sans" and families[1] == render_static.cjk_family()
    assert families[1] in render_static.CJK_FAMILIES


@needs_cjk
def test_every_character_of_a_chinese_map_has_a_glyph_in_the_font_used():
    snap = _draw_chinese()
    fig = snap.figure
    texts = [t.get_text() for t in _texts(fig)]
    joined = "".join(texts).replace("\n", "")
    # Chinese from the data, the title and the renderer's own words are all drawn
    assert "南海诸岛" in texts
    assert "新疆维吾尔自治区" in joined and "不在地图范围内（有数据）" in joined
    assert "无数据  (1)" in texts and "北" in texts and "括号内为地区数" in joined
    assert missing_glyphs(fig) == []
    cjk_path = font_manager.findfont(FontProperties(family=render_static.cjk_family()),
                                     fallback_to_default=False)
    dejavu_path = font_manager.findfont(FontProperties(family="DejaVu Sans"),
                                        fallback_to_default=False)
    seen_cjk = 0
    for t in _texts(fig):
        for ch, path in glyph_fonts(t).items():
            if _is_cjk(ch):
                assert path == cjk_path, (t.get_text(), ch, path)
                seen_cjk += 1
            elif ch.isascii() and ch.isalnum() and t.get_fontproperties().get_weight() in \
                    ("normal", 400):
                assert path == dejavu_path, (t.get_text(), ch, path)
    assert seen_cjk > 50
    # and the renderers themselves find every glyph (matplotlib warns of a missing one)
    for fmt in ("png", "pdf", "svg"):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font")
            blob = to_bytes(snap, fmt, 100)
        assert blob
    pdf = to_bytes(snap, "pdf")
    assert render_static.cjk_family().replace(" ", "").encode() in pdf.replace(b" ", b"") \
        or b"WenQuanYi" in pdf or b"CJK" in pdf or b"SourceHan" in pdf   # font embedded


def test_the_glyph_check_finds_boxes_without_a_cjk_font(monkeypatch):
    """The check above can fail: with DejaVu Sans alone, Chinese characters have no glyph,
    and the PNG renderer warns of them."""
    monkeypatch.setattr(render_static, "cjk_family", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # measuring the title warns of the same
        snap = _draw_chinese()
    missing = missing_glyphs(snap.figure)
    assert ("南海诸岛", "南") in missing
    with pytest.warns(UserWarning, match="missing from font"):
        to_bytes(snap, "png", 50)


def test_drawing_leaves_the_process_fonts_alone():
    before = list(matplotlib.rcParams["font.family"])
    parse = matplotlib.rcParams["text.parse_math"]
    _draw_chinese()
    assert list(matplotlib.rcParams["font.family"]) == before
    assert matplotlib.rcParams["text.parse_math"] == parse


@needs_cjk
def test_long_chinese_title_is_wrapped_inside_the_page():
    snap = _draw_chinese()
    fig = snap.figure
    title = next(t for t in fig.texts if t.get_text().replace("\n", "") == TITLE)
    assert title.get_text().count("\n") >= 1
    renderer = fig._get_renderer()
    bb = title.get_window_extent(renderer)
    assert fig.bbox.x0 <= bb.x0 and bb.x1 <= fig.bbox.x1
    assert fig.bbox.y0 <= bb.y0 and bb.y1 <= fig.bbox.y1
    # no line starts with closing punctuation
    assert not any(line[:1] in "，。、）；：" for line in title.get_text().split("\n"))


@needs_cjk
def test_us_export_in_chinese_has_every_glyph(us):
    """A real workspace's view drawn in Chinese: the renderer's words are Chinese, the
    region names (data) are shown as given, and nothing is drawn as an empty box."""
    from exports.compose import compose
    from exports.maps import legend_title, static_layer

    with use("zh"):
        c = compose(us, {"level": "state", "measure": "per_capita", "years": "2020"})
        snap = draw(static_layer(us, "state"), c.view, title=c.title, subtitle=c.subtitle,
                    source=c.source, legend_title=legend_title(c), dpi=72)
    texts = "\n".join(t.get_text() for t in _texts(snap.figure))
    assert "括号内为地区数" in texts and "公里" in texts
    assert {"Alaska", "Hawaii", "Puerto Rico"} <= {t.get_text() for t in _texts(snap.figure)}
    assert missing_glyphs(snap.figure) == []
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        assert to_bytes(snap, "png", 72)[:4] == b"\x89PNG"


def test_export_command_line_speaks_chinese(tmp_path, monkeypatch, capsys):
    from exports import cli
    from exports.views_store import VIEWS_DIR_ENV

    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    out = tmp_path / "m.csv"
    assert cli.main(["-w", "us_federal", "--lang", "zh", "--query", "years=2030", "-f", "csv",
                     "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：该视图无法按要求绘制：years='2030'") and "--nearest" in err
    assert not out.exists()
    assert cli.main(["-w", "us_federal", "--lang", "zh", "--list"]) == 0
    assert capsys.readouterr().out.startswith("工作区 'us_federal' 中没有已保存视图")
    assert cli.main(["-w", "us_federal", "--lang", "zh", "--query", "level=state", "-f", "csv",
                     "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"已写入 {out}")
    assert cli.main(["-w", "us_federal", "--lang", "fr", "--list"]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
