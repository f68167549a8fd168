"""The static export paints exactly the screen's classes and colours."""
from __future__ import annotations

import io
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from PIL import Image
from shapely.geometry import LineString, box

from layers.choropleth import build_choropleth
from layers.palettes import NO_DATA_COLOUR
from layers.render_static import (HATCH_COLOUR, Inset, MapFrame, Overlay, draw, export_pdf,
                                  export_png, export_svg, map_frame, prepare_static, to_bytes)


def _grid() -> gpd.GeoDataFrame:
    ids, geoms = [], []
    for r in range(2):
        for c in range(3):
            ids.append(f"{r}{c}")
            geoms.append(box(c, r, c + 1, r + 1))
    # a square with a hole: the hole must stay unpainted
    ids.append("ring")
    geoms.append(box(4, 0, 7, 3).difference(box(5, 1, 6, 2)))
    return gpd.GeoDataFrame({"region_id": ids, "name": [f"R {i}" for i in ids]},
                            geometry=geoms, crs=4326)


def _view(gdf, values):
    return build_choropleth(list(gdf["region_id"]), pd.Series(values), title="Money",
                            unit="USD", scheme="quantiles", k=3, palette="YlGnBu")


def _png(snap, dpi=100) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(to_bytes(snap, "png", dpi))).convert("RGB"))


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(int(v) for v in rgb)


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


def _no_data_patch_ok(patch: np.ndarray) -> bool:
    """Every pixel is the no-data grey, the hatch grey, or an antialiased blend of the two,
    and the no-data grey is the most common: what a hatched no-data fill looks like."""
    lo, hi = np.minimum(_rgb(NO_DATA_COLOUR), _rgb(HATCH_COLOUR)), \
        np.maximum(_rgb(NO_DATA_COLOUR), _rgb(HATCH_COLOUR))
    px = patch.reshape(-1, 3).astype(int)
    between = ((px >= lo) & (px <= hi)).all(axis=1).all()
    grey = (px == _rgb(NO_DATA_COLOUR)).all(axis=1).sum()
    return bool(between and grey > len(px) / 2)


def test_pixels_at_representative_points_are_the_view_colours():
    gdf = _grid()
    values = {"00": 1.0, "01": 2.0, "02": 3.0, "10": 40.0, "11": np.nan, "12": 600.0,
              "ring": 7.0}
    view = _view(gdf, values)
    snap = draw(prepare_static(gdf), view, title="t", dpi=100)
    img = _png(snap)
    colours = view.colours()
    assert list(view.class_ids).count(-1) == 1
    for i, rid in enumerate(view.region_ids):
        x, y = (int(round(v)) for v in snap.pixel_of(rid))
        if view.class_ids[i] < 0:
            assert _no_data_patch_ok(img[y - 6:y + 7, x - 6:x + 7]), rid
        else:
            assert _hex(img[y, x]) == colours[i], (rid, _hex(img[y, x]), colours[i])
            assert colours[i] == view.class_colours[view.class_ids[i]]


def test_no_data_regions_are_filled_with_the_no_data_colour_and_hatched():
    gdf = _grid()
    view = _view(gdf, {"00": 1.0, "01": np.nan, "02": 3.0, "10": 4.0, "11": np.nan,
                       "12": 6.0, "ring": 7.0})
    snap = draw(prepare_static(gdf), view, dpi=72)
    hatched = [c for c in snap.axes["main"].collections if c.get_hatch()]
    assert len(hatched) == 1
    nd = hatched[0]
    assert {to_hex(c) for c in nd.get_facecolors()} == {NO_DATA_COLOUR}
    assert to_hex(nd.get_hatchcolor()) == HATCH_COLOUR
    assert len(nd.get_paths()) == 2                  # the two regions without a value
    filled = [c for c in snap.axes["main"].collections if not c.get_hatch()][0]
    assert [to_hex(c) for c in filled.get_facecolors()] == \
        [view.class_colours[c] for c in view.class_ids if c >= 0]
    # the legend's swatch of "No data" is the same grey, hatched
    swatches = [p for p in snap.figure.axes[-1].patches if p.get_hatch()]
    assert [to_hex(p.get_facecolor()) for p in swatches] == [NO_DATA_COLOUR]


def test_the_no_data_pixel_check_fails_on_another_colour():
    magenta = np.tile(_rgb("#ff00ff"), (13, 13, 1))
    grey = np.tile(_rgb(NO_DATA_COLOUR), (13, 13, 1))
    assert not _no_data_patch_ok(magenta) and _no_data_patch_ok(grey)


def _title_artist(snap, text):
    return next(t for t in snap.figure.texts if t.get_text().replace("\n", " ") == text
                or t.get_text().replace("\n", "") == text)


@pytest.mark.parametrize("size", ["16:9", "a4"])
@pytest.mark.parametrize("title", [
    "Federal obligations per resident, all agencies, FY2008–2024 cumulative, Department of "
    "Transportation and Department of Housing and Urban Development, by county",
    "各省人均一般公共预算转移支付，2024 财年，含一般性转移支付、共同财政事权转移支付和专项转移支付，"
    "按常住人口计算"])
def test_a_long_title_is_wrapped_inside_the_page_above_the_map(size, title):
    gdf = _grid()
    view = _view(gdf, {r: float(i) for i, r in enumerate(gdf["region_id"])})
    snap = draw(prepare_static(gdf), view, title=title, subtitle="Per resident · state",
                size=size, dpi=100)
    fig = snap.figure
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else \
        fig._get_renderer()
    art = _title_artist(snap, title)
    assert "\n" in art.get_text()
    box_ = art.get_window_extent(renderer)
    page = fig.bbox
    assert page.x0 <= box_.x0 and box_.x1 <= page.x1, (box_, page)
    assert page.y0 <= box_.y0 and box_.y1 <= page.y1, (box_, page)
    sub = _title_artist(snap, "Per resident · state").get_window_extent(renderer)
    assert sub.y1 <= box_.y0                       # the subtitle is under the title
    map_top = snap.axes["main"].get_position().y1 * page.height
    assert map_top <= sub.y0                       # and the map under both


def test_hole_is_not_painted():
    gdf = _grid()
    view = _view(gdf, {r: float(i) for i, r in enumerate(gdf["region_id"])})
    layer = prepare_static(gdf)
    snap = draw(layer, view, dpi=100)
    ax = snap.axes["main"]
    ax.apply_aspect()
    cx, cy = layer.main.to_proj.transform(5.5, 1.5)
    x, y = ax.transData.transform((cx, cy))
    h = snap.figure.get_figheight() * snap.figure.dpi
    px = _png(snap)[int(round(h - y)), int(round(x))]
    assert _hex(px) == "#ffffff"


def test_collections_carry_the_views_class_colours_in_feature_order():
    gdf = _grid()
    view = _view(gdf, {"00": 5, "01": 1, "02": 9, "10": 3, "11": 7, "12": 2, "ring": 4})
    snap = draw(prepare_static(gdf), view, dpi=72)
    coll = snap.axes["main"].collections[0]
    painted = [to_hex(c) for c in coll.get_facecolors()]
    assert painted == view.colours()
    # the colour of each class is the view's class colour (no reclassification)
    for cid, colour in zip(view.class_ids.tolist(), painted):
        assert colour == view.class_colours[cid]


def test_legend_lists_each_class_with_its_count_and_no_data():
    gdf = _grid()
    view = _view(gdf, {"00": 1, "01": 2, "02": 3, "10": 4, "12": 5, "ring": 6})
    snap = draw(prepare_static(gdf), view, dpi=72)
    texts = [t.get_text() for ax in snap.figure.axes for t in ax.texts]
    for e in view.legend:
        if e.class_id >= 0:
            assert f"{e.label}  ({e.count:,})" in texts
    assert "No data  (1)" in texts


def test_legend_and_scale_bar_in_chinese():
    from locales import use

    gdf = _grid()
    view = _view(gdf, {"00": 1, "01": 2, "02": 3, "10": 4, "12": 5, "ring": 6})
    with use("zh"):
        snap = draw(prepare_static(gdf), view, dpi=72)
    texts = [t.get_text() for ax in snap.figure.axes for t in ax.texts]
    assert "无数据  (1)" in texts
    assert "分位数分级，共 3 级；括号内为地区数。" in [t.replace("\n", "") for t in texts]
    assert any(t.endswith(" 公里") or "公里（" in t for t in texts), texts
    assert "北" in texts


def test_inset_regions_are_drawn_in_their_inset_with_their_colour():
    gdf = _grid()
    frame = MapFrame(insets=(Inset("Far", ("ring",), None, (0.7, 0.0, 0.3, 0.3)),))
    view = _view(gdf, {"00": 1, "01": 2, "02": 3, "10": 4, "11": 5, "12": 6, "ring": 700})
    layer = prepare_static(gdf, frame)
    assert [p.name for p in layer.insets] == ["Far"]
    assert layer.region_ids.index("ring") not in layer.main.index.tolist()
    snap = draw(layer, view, dpi=100)
    x, y = snap.pixel_of("ring")
    inset = snap.axes["Far"].get_window_extent()
    h = snap.figure.get_figheight() * 100
    assert inset.x0 <= x <= inset.x1 and inset.y0 <= h - y <= inset.y1
    assert _hex(_png(snap)[int(round(y)), int(round(x))]) == view.colour_of("ring")


def test_overlay_lines_are_drawn_in_their_colour():
    gdf = _grid()
    view = _view(gdf, {r: 1.0 for r in gdf["region_id"]})
    roads = gpd.GeoDataFrame({"c": ["#ff0000"]}, geometry=[LineString([(0.1, 0.5), (2.9, 0.5)])],
                             crs=4326)
    layer = prepare_static(gdf)
    snap = draw(layer, view, dpi=100, overlays=[Overlay(roads, "c", width=4)])
    ax = snap.axes["main"]
    ax.apply_aspect()
    x, y = ax.transData.transform(layer.main.to_proj.transform(1.5, 0.5))
    h = snap.figure.get_figheight() * 100
    assert _hex(_png(snap)[int(round(h - y)), int(round(x))]) == "#ff0000"


def test_formats_and_sizes():
    gdf = _grid()
    view = _view(gdf, {r: float(i) for i, r in enumerate(gdf["region_id"])})
    png = export_png(view, gdf, dpi=150, size="a4")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = Image.open(io.BytesIO(png)).size
    assert abs(w - 11.693 * 150) <= 1 and abs(h - 8.268 * 150) <= 1
    assert export_pdf(view, gdf, size="letter")[:5] == b"%PDF-"
    assert b"<svg" in export_svg(view, gdf)[:400]
    with pytest.raises(ValueError, match="size"):
        export_png(view, gdf, size="poster")


def test_view_from_another_layer_is_refused():
    gdf = _grid()
    view = build_choropleth(["x", "y"], pd.Series({"x": 1.0, "y": 2.0}), title="t", unit="")
    with pytest.raises(ValueError, match="order"):
        draw(prepare_static(gdf), view)


def test_map_frame_reports_bad_options_and_keeps_good_ones():
    frame, problems = map_frame({"map": {
        "crs": "EPSG:4326", "bounds": [1, 2, 3],
        "insets": [{"name": "Alaska", "region_prefix": "02", "crs": "EPSG:3338"},
                   {"name": "", "region_prefix": "15"},
                   {"name": "PR", "region_prefix": ["72"], "position": "left"}]}})
    assert frame.crs is None and frame.bounds is None
    assert [i.name for i in frame.insets] == ["Alaska", "PR"]
    assert frame.insets[1].position is None
    text = " ".join(problems)
    assert "not a projected" in text and "bounds" in text and "insets[1]" in text \
        and "position" in text


def test_us_states_export_matches_screen_colours_with_insets(us):
    from exports.compose import compose
    from exports.maps import static_layer

    c = compose(us, {"level": "state", "measure": "per_capita", "years": "2012-2017"})
    layer = static_layer(us, "state")
    assert {p.name for p in layer.insets} == {"Alaska", "Hawaii", "Puerto Rico"}
    snap = draw(layer, c.view, dpi=100)
    img = _png(snap)
    colours = c.view.colours()
    checked = 0
    for i, rid in enumerate(c.view.region_ids):
        part = next((p for p in [layer.main, *layer.insets] if i in p.index.tolist()), None)
        if part is None or c.view.class_ids[i] < 0:
            continue
        pos = int(np.flatnonzero(part.index == i)[0])
        ext = part.paths[pos].get_extents().transformed(snap.axes[part.name].transData)
        if ext.width < 12 or ext.height < 12:      # too small to hold a clean pixel
            continue
        x, y = (int(round(v)) for v in snap.pixel_of(rid))
        patch = img[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3)
        if (patch != patch[0]).any():               # on an edge: antialiased, not a fill
            continue
        assert _hex(patch[0]) == colours[i], us.names("state")[rid]
        checked += 1
    assert checked >= 40


def test_roads_view_draws_each_segment_in_its_condition_class_colour(boston):
    """A roads view with the overlay on: the pixel at a segment's midpoint has the colour the
    condition scheme gives its score (the screen's recipe), not a colour classed again."""
    from exports import roads as road_views
    from exports.compose import compose
    from exports.maps import static_layer

    c = compose(boston, {"page": "roads", "overlay": "1", "road_layer": "status",
                         "condition": "psi_massdot_interstate"})
    assert len(c.overlays) == 2 and c.methodology.startswith("Methodology")
    assert "survey 2013" in c.methodology and "PSI, MassDOT interstate classes" in c.methodology
    rd = road_views.load(boston)
    scheme = rd.config.scheme_obj("psi_massdot_interstate")
    seg = rd.network.segments[rd.network.segments["drawable"]]
    want = scheme.colour_of(scheme.classify(seg["score"]))
    assert list(c.overlays[1].gdf["colour"]) == want
    layer = static_layer(boston, "town")
    dpi = 300
    snap = draw(layer, c.view, dpi=dpi, overlays=c.overlays)
    img = np.asarray(Image.open(io.BytesIO(to_bytes(snap, "png", dpi))).convert("RGB"))
    ax = snap.axes["main"]
    ax.apply_aspect()
    h = snap.figure.get_figheight() * dpi
    lengths = seg.to_crs(rd.network.metric_crs).length.to_numpy()
    checked, classes = 0, set()
    # the last segments drawn are on top: walk from the end so no later line covers the point
    for j in np.argsort(-lengths)[:60]:
        geom = seg.geometry.iloc[j]
        mid = geom.interpolate(0.5, normalized=True)
        x, y = ax.transData.transform(layer.main.to_proj.transform(mid.x, mid.y))
        x, y = int(round(x * dpi / snap.figure.dpi)), int(round(h - y * dpi / snap.figure.dpi))
        got = _hex(img[y, x])
        if got == want[j]:
            checked += 1
            classes.add(want[j])
    assert checked >= 40, checked          # a few midpoints sit where another road crosses
    assert len(classes) >= 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_legend_rows_with_long_amounts_stay_on_the_page(lang):
    """Long class ranges (big amounts, and Chinese units) get smaller type, never run past
    the right edge of the page."""
    from dataclasses import replace

    from locales import use

    gdf = _grid()
    values = {r: 10.0 ** (9 + i) * 1.234567 for i, r in enumerate(gdf["region_id"])}
    with use(lang):
        view = build_choropleth(list(gdf["region_id"]), pd.Series(values), title="Money",
                                unit="USD", scheme="quantiles", k=5, palette="YlGnBu")
        view = replace(view, legend=tuple(
            replace(e, label=e.label + " per resident, FY2008–2024 cumulative")
            for e in view.legend))
        snap = draw(prepare_static(gdf), view, dpi=100)
    fig = snap.figure
    renderer = fig._get_renderer()
    legend = fig.axes[-1]
    rows = [t for t in legend.texts if t.get_text().endswith(")")]
    assert len(rows) == len(view.legend)
    for t in rows:
        bb = t.get_window_extent(renderer)
        assert bb.x1 <= fig.bbox.x1, (t.get_text(), bb.x1, fig.bbox.x1)


def test_a_legend_row_too_long_even_in_small_type_is_cut_keeping_its_count():
    from dataclasses import replace

    gdf = _grid()
    view = _view(gdf, {r: float(i) for i, r in enumerate(gdf["region_id"])})
    view = replace(view, legend=tuple(replace(e, label=e.label + " x" * 80)
                                      for e in view.legend))
    snap = draw(prepare_static(gdf), view, dpi=100)
    fig = snap.figure
    rows = [t for t in fig.axes[-1].texts if t.get_text().endswith(")")]
    assert len(rows) == len(view.legend)
    for t, e in zip(rows, view.legend):
        if e.class_id >= 0:
            assert t.get_text().endswith(f"…  ({e.count:,})"), t.get_text()
            assert t.get_text().startswith(e.label[:5])
        assert t.get_window_extent(fig._get_renderer()).x1 <= fig.bbox.x1


@pytest.mark.parametrize("size", ["16:9", "a4"])
def test_a_long_legend_heading_is_wrapped_inside_the_page(size):
    gdf = _grid()
    view = _view(gdf, {r: float(i) for i, r in enumerate(gdf["region_id"])})
    heading = "Mean residual 2016–2024: better or worse than predicted for the money received"
    snap = draw(prepare_static(gdf), replace(view, subtitle=heading), size=size, dpi=100)
    fig = snap.figure
    renderer = fig._get_renderer()
    (art,) = [t for t in fig.axes[-1].texts if t.get_text().replace("\n", " ") == heading]
    assert "\n" in art.get_text()
    box_ = art.get_window_extent(renderer)
    assert box_.x1 <= fig.bbox.x1, (box_, fig.bbox)
