"""Workspace overlays in the view state and on paper: ``overlays=a|b`` survives the link, the
saved view, the command line and the hearing pack; the static map draws the chosen overlays
(lines over a casing, points as dots, areas as outlines) in the screen's colours, with a legend
block per overlay."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from PIL import Image
from shapely.geometry import GeometryCollection, LineString, Point, Polygon, box, mapping

from exports import cli
from exports.compose import compose
from exports.maps import static_layer
from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from geodata.viewstate import QUERY_KEYS, resolve_view
from layers.render_static import (Inset, MapFrame, draw, map_overlay, prepare_static,
                                  to_bytes)
from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, squares_geojson, write_geojson, \
    write_workspace

EXPRESS = "express_highways"
EXPRESS_LABEL = "Express highways (CMP 2019)"


# --------------------------------------------------------------------------- helpers

def _texts(drawn) -> list[str]:
    """Every text of a drawn map (a Snapshot or a Figure), wrapped lines joined."""
    fig = getattr(drawn, "figure", drawn)
    return [t.get_text().replace("\n", " ") for ax in fig.axes for t in ax.texts]


def _legend_axes(snap):
    """The legend's axes: the one holding the class rows (not a map part)."""
    maps = set(map(id, snap.axes.values()))
    (lax,) = [ax for ax in snap.figure.axes if id(ax) not in maps]
    return lax


def _png(snap, dpi: int) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(to_bytes(snap, "png", dpi))).convert("RGB"))


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(int(v) for v in rgb)


def _pixel(snap, part, lon: float, lat: float, dpi: int) -> tuple[int, int]:
    """(row, column) of a lon/lat point in a PNG of ``snap`` saved at ``dpi``."""
    ax = snap.axes[part.name]
    ax.apply_aspect()
    x, y = ax.transData.transform(part.to_proj.transform(lon, lat))
    scale = dpi / snap.figure.dpi
    h = snap.figure.get_figheight() * dpi
    return int(round(h - y * scale)), int(round(x * scale))


def _map_collections(snap) -> list:
    return [c for c in snap.axes["main"].collections]


# --------------------------------------------------------------------------- a tiny workspace
# Three unit squares (county level), one district over them, and two overlays: "mixed" (a rail
# line, a depot point and a zone outline, coloured by kind, on every level) and "sites" (a
# point, offered on county maps only).

MIXED = [
    ({"kind": "rail", "title": "Main line"}, LineString([(0.1, 0.5), (2.9, 0.5)])),
    ({"kind": "site", "title": "Depot"}, Point(1.5, 0.8)),
    ({"kind": "zone", "title": "Zone"}, Polygon([(0.2, 0.15), (0.8, 0.15), (0.8, 0.35),
                                                 (0.2, 0.35)])),
    # one feature of two parts (read as two rows, counted once): a spur and its halt
    ({"kind": "rail", "title": "Spur"}, GeometryCollection([
        LineString([(2.2, 0.9), (2.8, 0.9)]), Point(2.2, 0.2)])),
]


def _features(items) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": mapping(g)} for p, g in items]})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    ws = tmp_path_factory.mktemp("ov") / "ov_tiny"
    write_geojson(ws / "regions.geojson", squares_geojson(3))
    write_geojson(ws / "districts.geojson", [("D1", "District one", box(0, 0, 3, 1))])
    write_workspace(ws, LEVEL_TOML + GRANTS_TOML + """
[[levels]]
id = "district"
label = "District"
file = "districts.geojson"
key = "id"
name = "name"

[[tables]]
id = "dgrants"
kind = "allocations"
level = "district"
file = "dgrants.csv"
[tables.columns]
region_id = "id"
fiscal_year = "fy"
amount = "amount"

[[overlays]]
id = "mixed"
label = "Rail, depots and zones"
file = "mixed.geojson"
category = "kind"
name = "title"

[[overlays]]
id = "sites"
label = "Sites"
file = "sites.geojson"
colour = "#e7298a"
level = "county"
""", {"grants.csv": "fips,fy,amount\n01001,2023,10\n01002,2023,20\n01003,2023,30\n",
      "dgrants.csv": "id,fy,amount\nD1,2023,60\n",
      "mixed.geojson": _features(MIXED),
      "sites.geojson": _features([({"n": "a"}, Point(2.5, 0.5))])})
    return WorkspaceData(load_manifest(ws))


# --------------------------------------------------------------------------- view state

def test_overlays_is_a_view_key_and_round_trips_through_the_link(boston):
    assert "overlays" in QUERY_KEYS
    vs, ignored = resolve_view(boston, {"overlays": EXPRESS, "measure": "per_capita"})
    assert vs.overlays == (EXPRESS,) and ignored == []
    q = vs.to_query()
    assert q["overlays"] == EXPRESS          # one key, ids joined by | as One map writes them
    again, ignored = resolve_view(boston, q)
    assert again == vs and ignored == []
    assert "overlays" not in resolve_view(boston, {})[0].to_query()


def test_several_overlays_keep_their_order_and_each_appears_once(tiny):
    vs, ignored = resolve_view(tiny, {"overlays": "sites|mixed|sites"})
    assert vs.overlays == ("sites", "mixed") and ignored == []
    assert vs.to_query()["overlays"] == "sites|mixed"
    assert resolve_view(tiny, vs.to_query())[0].overlays == ("sites", "mixed")


def test_an_unknown_overlay_in_a_link_is_reported_and_dropped(boston):
    vs, ignored = resolve_view(boston, {"overlays": f"nope|{EXPRESS}||<b>x</b>"})
    assert vs.overlays == (EXPRESS,)
    assert ignored == ["overlays: 'nope', '<b>x</b>' not available at this level"]
    c = compose(boston, {"overlays": f"nope|{EXPRESS}"})
    assert [o.label for o in c.map_overlays] == [EXPRESS_LABEL]
    assert any(m.startswith("overlays: 'nope'") for m in c.ignored)


def test_an_overlay_of_another_level_is_not_offered(tiny):
    vs, ignored = resolve_view(tiny, {"level": "district", "overlays": "sites|mixed"})
    assert vs.overlays == ("mixed",)
    assert ignored == ["overlays: 'sites' not available at this level"]


def test_a_hostile_overlays_value_is_quoted_short(boston):
    ids = [c * 500 for c in "xyz"] + list("abcdefg")
    _, ignored = resolve_view(boston, {"overlays": "|".join(ids)})
    (msg,) = ignored
    assert len(msg) < 400 and "(500 characters)" in msg and msg.endswith(
        "'a', 'b' and 5 more not available at this level")


# --------------------------------------------------------------------------- static map

def test_a_composed_view_with_the_overlay_draws_it_with_its_legend(boston):
    layer = static_layer(boston, "town")
    plain = compose(boston, {"measure": "per_capita"})
    c = compose(boston, {"measure": "per_capita", "overlays": EXPRESS})
    assert plain.map_overlays == () and len(c.map_overlays) == 1
    assert c.static_overlays == c.map_overlays            # not a roads view: no segments
    assert "CTPS Congestion Management Process 2019" in c.source
    assert "Congestion Management" not in plain.source

    bare = draw(layer, plain.view, dpi=72, overlays=plain.static_overlays)
    snap = draw(layer, c.view, dpi=72, overlays=c.static_overlays)
    lines = [k for k in _map_collections(snap) if isinstance(k, LineCollection)]
    assert not [k for k in _map_collections(bare) if isinstance(k, LineCollection)]
    casing, coloured = lines                              # the casing, then the lines
    assert len(coloured.get_segments()) >= 829 and len(casing.get_segments()) == \
        len(coloured.get_segments())
    assert {to_hex(x) for x in casing.get_colors()} == {"#1a1a1a"}
    legend = _texts(snap)
    assert EXPRESS_LABEL in legend and "I-95 (184)" in legend and "Other (10)" in legend
    assert any("(US-3, MA-24)" in t for t in legend)      # the note: what "Other" holds
    assert EXPRESS_LABEL not in _texts(bare)
    # a swatch per legend row, in the row's colour
    lax = _legend_axes(snap)
    swatches = {to_hex(ln.get_color()) for ln in lax.lines}
    assert {"#332288", "#7f7f7f"} <= swatches and len(swatches) == 11   # 10 rows + casing


@pytest.mark.parametrize("which, overlay_id", [("boston", EXPRESS), ("tiny", "mixed")])
def test_paper_uses_the_screens_colours_and_legend(which, overlay_id, request):
    """The static overlay and the map component's payload come from one recipe (counts by
    feature: a geometry collection is two rows of one feature)."""
    from geodata.overlays import tooltip_columns
    from layers.overlay import encode_overlay
    from exports.compose import load_overlay_frame

    data = request.getfixturevalue(which)
    spec = next(o for o in data.ws.overlays if o.id == overlay_id)
    gdf, _ = load_overlay_frame(data, overlay_id)
    payload = json.loads(encode_overlay(gdf, overlay_id=overlay_id, label=spec.display_label,
                                        category_colour=spec.colour,
                                        tooltip=tooltip_columns(spec, gdf)).json)
    (ov,) = compose(data, {"overlays": overlay_id}).map_overlays
    assert [(f"{lab} ({n})", col) for lab, col, n in payload["legend"]] == list(ov.legend)
    assert list(ov.gdf["colour"]) == [payload["pal"][c] for c in payload["c"]]
    assert list(ov.shapes) == payload["shapes"]


def test_lines_points_and_areas_are_drawn_in_their_colours(tiny):
    c = compose(tiny, {"level": "county", "overlays": "mixed|sites"})
    mixed, sites = c.map_overlays
    colour = dict(zip(["rail", "site", "zone"], [col.lower() for _, col in mixed.legend]))
    assert [lab for lab, _ in mixed.legend] == ["rail (2)", "site (1)", "zone (1)"]
    assert mixed.shapes == ("line", "point", "area")
    assert sites.legend == (("Sites (1)", "#e7298a"),) and sites.shapes == ("point",)
    layer = static_layer(tiny, "county")
    dpi = 200
    snap = draw(layer, c.view, dpi=dpi, overlays=c.static_overlays)
    img = _png(snap, dpi)
    at = lambda lon, lat: _hex(img[_pixel(snap, layer.main, lon, lat, dpi)])  # noqa: E731
    assert at(0.6, 0.5) == colour["rail"]                 # on the line
    assert at(1.5, 0.8) == colour["site"]                 # the depot's dot
    assert at(2.5, 0.5) == "#e7298a"                      # the site, in the manifest's colour
    assert at(0.5, 0.15) == colour["zone"]                # the zone's outline …
    assert at(0.5, 0.25) == c.view.colour_of("01001")     # … and no fill inside it
    legend = _texts(snap)
    assert at(2.5, 0.9) == colour["rail"]                 # the spur …
    assert at(2.2, 0.2) == colour["rail"]                 # … and its halt, a dot
    for text in ("Rail, depots and zones", "rail (2)", "site (1)", "zone (1)", "Sites",
                 "Sites (1)"):
        assert text in legend, text
    lax = _legend_axes(snap)
    dots = [ln for ln in lax.lines if ln.get_marker() == "o"]
    assert {to_hex(d.get_markerfacecolor()) for d in dots} == {colour["site"], "#e7298a"}
    outlines = [p for p in lax.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] == 0]
    assert colour["zone"] in {to_hex(p.get_edgecolor()) for p in outlines}


def test_an_overlay_in_an_inset_is_drawn_in_the_inset():
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"region_id": ["a", "b", "far"], "name": ["A", "B", "Far"]},
                           geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(20, 20, 21, 21)],
                           crs=4326)
    from layers.choropleth import build_choropleth
    import pandas as pd

    view = build_choropleth(list(gdf["region_id"]), pd.Series({"a": 1, "b": 2, "far": 3}),
                            title="Money", unit="USD", scheme="quantiles", k=3)
    layer = prepare_static(gdf, MapFrame(insets=(Inset("Far", ("far",), None,
                                                       (0.7, 0.0, 0.3, 0.3)),)))
    ov = map_overlay(gpd.GeoDataFrame({"feature_id": [1, 2], "kind": ["point", "point"],
                                       "category": ["", ""], "title": ["", ""]},
                                      geometry=[Point(20.5, 20.5), Point(0.5, 0.5)], crs=4326),
                     label="Sites", colour="#e7298a")
    dpi = 200
    snap = draw(layer, view, dpi=dpi, overlays=[ov])
    img = _png(snap, dpi)
    (inset,) = layer.insets
    assert _hex(img[_pixel(snap, inset, 20.5, 20.5, dpi)]) == "#e7298a"
    assert _hex(img[_pixel(snap, layer.main, 0.5, 0.5, dpi)]) == "#e7298a"
    assert [k for k in snap.axes["Far"].collections if isinstance(k, PathCollection)]


def test_an_overlay_whose_file_cannot_be_read_says_so_in_the_legend(tiny, tmp_path):
    import geopandas as gpd

    empty = gpd.GeoDataFrame({"feature_id": [], "kind": [], "category": [], "title": []},
                             geometry=gpd.GeoSeries([], crs=4326))
    ov = map_overlay(empty, label="Broken")
    assert "Nothing could be drawn" in ov.note
    c = compose(tiny, {"level": "county"})
    snap = draw(static_layer(tiny, "county"), c.view, dpi=72, overlays=[ov])
    assert any("Nothing could be drawn" in t for t in _texts(snap))


# --------------------------------------------------------------------------- exports

@pytest.fixture
def views_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    return tmp_path / "views"


@pytest.fixture
def drawn(monkeypatch):
    """Every figure the exporters draw (exports.maps and exports.pack), kept for checks."""
    import exports.maps
    import exports.pack

    figures: list = []

    def keep(real):
        def draw_and_keep(*args, **kwargs):
            snap = real(*args, **kwargs)
            figures.append(snap)
            return snap
        return draw_and_keep

    monkeypatch.setattr(exports.maps, "draw", keep(exports.maps.draw))
    monkeypatch.setattr(exports.pack, "draw", keep(exports.pack.draw))
    return figures


def test_the_command_line_writes_a_png_with_the_overlay(tmp_path, views_dir, drawn, capsys):
    out, plain = tmp_path / "ov.png", tmp_path / "plain.png"
    assert cli.main(["-w", "boston_region", "--query", f"measure=per_capita&overlays={EXPRESS}",
                     "-f", "png", "--dpi", "150", "--out", str(out)]) == 0
    assert cli.main(["-w", "boston_region", "--query", "measure=per_capita", "-f", "png",
                     "--dpi", "150", "--out", str(plain)]) == 0
    assert capsys.readouterr().err == ""
    with_ov, without = drawn
    assert EXPRESS_LABEL in _texts(with_ov.figure) and "I-95 (184)" in _texts(with_ov.figure)
    assert EXPRESS_LABEL not in _texts(without.figure)
    a = np.asarray(Image.open(out).convert("RGB"))
    b = np.asarray(Image.open(plain).convert("RGB"))
    assert a.shape == b.shape and (a != b).any(axis=2).mean() > 0.01   # lines and legend


def test_the_command_line_refuses_an_unknown_overlay(tmp_path, views_dir, capsys):
    out = tmp_path / "x.png"
    assert cli.main(["-w", "boston_region", "--query", "overlays=rail", "-f", "png",
                     "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "overlays: 'rail' not available at this level" in err
    assert f"separated by |: {EXPRESS}" in err and not out.exists()
    assert cli.main(["-w", "boston_region", "--query", f"overlays=rail|{EXPRESS}", "-f", "png",
                     "--nearest", "--out", str(out)]) == 0
    assert "warning: ignored overlays: 'rail'" in capsys.readouterr().err and out.exists()


def test_a_saved_view_keeps_its_overlays_in_the_hearing_pack(boston, tmp_path, views_dir,
                                                             drawn):
    from exports.pack import hearing_pack

    boston_data = boston
    vs, _ = resolve_view(boston_data, {"overlays": EXPRESS})
    store = ViewsStore(views_dir / "boston_region", "boston_region")
    store.save("With the highways", vs.to_query(), "")
    store.save("Without", resolve_view(boston_data, {})[0].to_query(), "")
    saved = store.list()
    assert saved[0].query["overlays"] == EXPRESS and "overlays" not in saved[1].query
    blob = hearing_pack(boston_data, saved)
    assert blob[:5] == b"%PDF-"
    first, second = drawn
    assert EXPRESS_LABEL in _texts(first.figure)
    assert EXPRESS_LABEL not in _texts(second.figure)
    drawn.clear()
    pack = tmp_path / "pack.pdf"
    assert cli.main(["-w", "boston_region", "-f", "pack", "--out", str(pack)]) == 0
    assert EXPRESS_LABEL in _texts(drawn[0].figure)


def test_svg_pdf_and_offline_html_carry_the_overlay(tmp_path, views_dir, drawn):
    q = f"overlays={EXPRESS}"
    for fmt in ("svg", "pdf", "html"):
        out = tmp_path / f"m.{fmt}"
        assert cli.main(["-w", "boston_region", "--query", q, "-f", fmt, "--out",
                         str(out)]) == 0
    assert all(EXPRESS_LABEL in _texts(s.figure) for s in drawn) and len(drawn) == 2
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "fmOverlays(" in page and f'"id":"{EXPRESS}"' in page.replace(" ", "")


def test_a_crowded_legend_puts_overlay_rows_in_two_columns_and_keeps_every_row(boston):
    from dataclasses import replace

    c = compose(boston, {"measure": "per_capita", "years": "2026-2030", "k": "9",
                         "scheme": "equal_interval", "overlays": EXPRESS})
    (ov,) = c.map_overlays
    long_name = (("Massachusetts Bay Transportation Authority commuter rail (12)", "#123456"),)
    other = replace(ov, label="Second", legend=long_name + ov.legend[1:])
    few = compose(boston, {"measure": "per_capita", "years": "2026-2030", "overlays": EXPRESS})
    layer = static_layer(boston, "town")
    alone = _legend_axes(draw(layer, few.view, dpi=72, overlays=[ov]))
    crowded = _legend_axes(draw(layer, c.view, dpi=72, overlays=[ov, other]))

    def rows(lax):
        """The overlay rows: "label (count)" beside a swatch (not classes, not headings)."""
        return [t for t in lax.texts if t.get_text().endswith(")") and "$" not in t.get_text()
                and t.get_position()[0] > 0 and "No data" not in t.get_text()]

    assert len({round(t.get_position()[0], 3) for t in rows(alone)}) == 1      # one column
    crowded_rows = rows(crowded)
    assert len({round(t.get_position()[0], 3) for t in crowded_rows}) == 2     # two columns
    texts = [t.get_text() for t in crowded_rows]
    assert texts.count("I-95 (184)") == 1 and texts.count("Other (10)") == 2
    assert "Massachuset… (12)" in texts or any(t.startswith("Massachus") and
                                                t.endswith("… (12)") for t in texts)
    assert min(t.get_fontsize() for t in crowded_rows) >= 7
