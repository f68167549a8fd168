"""Large layers in zoom bands: files named by content, written atomically, written once and
reused; the map's arguments carry the band table and never the shapes; tooltip texts in a
file of their own with exactly the view's texts; dense layers on paper."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image
from shapely.geometry import MultiPolygon, Polygon

import layers.geometry as geometry
import locales
from layers.choropleth import build_choropleth, with_marks
from layers.geometry import (band_table, decode_band, encode_layer, mercator_px, prune,
                             read_text, write_once, _encode_ring, _ring_strings, _rings)
from layers.map_payload import (CLASS_CHARS, MapOptions, class_string, map_words, tooltip_file,
                                values_payload)
from tests.fixtures.helpers import XSS_NAME, square


def grid(n: int = 6, size: float = 0.5, x0: float = -100.0, y0: float = 35.0, names=None):
    ids, geoms = [], []
    for r in range(n):
        for c in range(n):
            ids.append(f"{r * n + c:04d}")
            geoms.append(square(x0 + c * size, y0 + r * size, size))
    return gpd.GeoDataFrame({"region_id": ids, "name": names or [f"Cell {i}" for i in ids]},
                            geometry=geoms, crs=4326)


def wiggly(n: int = 6) -> gpd.GeoDataFrame:
    """A grid whose edges carry many small steps (the same on both sides of an edge, so it is
    still a coverage): what a coarse band simplifies."""
    gdf = grid(n)
    dense = shapely.segmentize(np.asarray(gdf.geometry.values), 0.01)

    def jitter(xy):
        key = np.round(xy * 1000).astype(np.int64)
        h = (key[:, 0] * 73856093 ^ key[:, 1] * 19349663) % 1000 / 1000.0 - 0.5
        gx = (xy[:, 0] + 100.0) / 0.5
        gy = (xy[:, 1] - 35.0) / 0.5
        on_x, on_y = np.isclose(gx, np.round(gx)), np.isclose(gy, np.round(gy))
        out = xy.copy()
        out[:, 0] += np.where(on_x & ~on_y, h * 0.004, 0)      # across a vertical edge
        out[:, 1] += np.where(on_y & ~on_x, h * 0.004, 0)      # across a horizontal one
        return out

    return gdf.set_geometry(gpd.GeoSeries(shapely.transform(dense, jitter), crs=4326))


def band_files(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir() if not p.name.startswith("."))


# ------------------------------------------------------------------ the encoding itself

def test_all_rings_at_once_equal_the_ring_by_ring_encoding():
    holed = Polygon(square(10, 10, 4).exterior.coords, [square(11, 11, 1).exterior.coords])
    multi = MultiPolygon([square(-5.123456, 3.987654), square(-170.9999, -60)])
    geoms = np.array([square(0.00004, 0.00006), holed, multi, Polygon(),
                      shapely.GeometryCollection([square(1, 1), shapely.LineString([(0, 0),
                                                                                   (1, 1)])])],
                     dtype=object)
    expected = []
    for g in geoms:
        for poly in shapely.get_parts(g):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            for ring in [poly.exterior, *poly.interiors]:
                expected.append(_encode_ring(np.asarray(ring.coords), 1e4))
    assert _ring_strings(_rings(geoms), 1e4) == expected
    assert len(expected) == 6


def test_band_table_covers_every_zoom_once_finer_and_finer():
    table = band_table((-125.0, 24.0, -66.5, 49.6))
    assert [(lo, hi) for lo, hi, _, _ in table] == [(0, 6), (6, 9), (9, None)]
    tol = [b[2] for b in table]
    assert tol[0] > tol[1] > tol[2] == 0.0
    units = [b[3] for b in table]
    assert units == sorted(units) and units[-1] >= 4 * 2 ** 12
    # a city is shown closer: its bands start further in
    assert [(lo, hi) for lo, hi, _, _ in band_table((-71.2, 42.2, -70.9, 42.45))][1] == (14, 17)


# ------------------------------------------------------------------ files

def test_banded_layer_writes_bands_and_names_named_by_content(tmp_path):
    gdf = wiggly()
    enc = encode_layer(gdf, banded=True, folder=tmp_path)
    assert enc.banded and enc.folder == str(tmp_path)
    key = enc.content_key
    assert len(key) == 32 and enc.key == key[:16]
    assert [b[2] for b in enc.bands] == [f"{key}-b{k}.json.gz" for k in range(3)]
    assert enc.names_file == f"{key}-n.json.gz"
    assert band_files(tmp_path) == sorted([enc.names_file, *(b[2] for b in enc.bands)])
    # gzip files, as the app serves them
    assert (tmp_path / enc.names_file).read_bytes()[:2] == b"\x1f\x8b"
    names = json.loads(read_text(tmp_path / enc.names_file))
    assert names == {"ids": list(gdf["region_id"]), "names": list(gdf["name"])}
    # the inline form is still there for the HTML export and folium
    assert json.loads(enc.json)["ids"] == list(gdf["region_id"])

    bands = [decode_band(read_text(tmp_path / b[2])) for b in enc.bands]
    assert all(len(b) == len(gdf) for b in bands)
    points = [sum(len(r) for f in b for r in f) for b in bands]
    assert points[0] < points[1] <= points[2]          # coarse bands keep fewer points
    # the last band is every vertex (without the closing one), in the map's pixels
    src = [mercator_px(shapely.get_coordinates(g))[:-1] for g in gdf.geometry]
    units = band_table(enc.bounds)[-1][3]
    for got, want in zip(bands[2], src):
        assert len(got) == 1 and got[0].shape == want.shape
        assert np.abs(got[0] - want).max() <= 0.5 / units + 1e-12


def test_a_second_call_reuses_the_files_and_another_layer_gets_its_own(tmp_path, monkeypatch):
    gdf = wiggly()
    first = encode_layer(gdf, banded=True, folder=tmp_path)
    before = {n: (tmp_path / n).read_bytes() for n in band_files(tmp_path)}
    writes: list[str] = []
    real = geometry.write_once

    def counting(folder, name, *a, **kw):
        writes.append(name)
        return real(folder, name, *a, **kw)

    monkeypatch.setattr(geometry, "write_once", counting)
    again = encode_layer(gdf, banded=True, folder=tmp_path)
    assert writes == []                                 # found on disk: nothing simplified
    assert again.bands == first.bands and again.names_file == first.names_file
    assert {n: (tmp_path / n).read_bytes() for n in band_files(tmp_path)} == before

    renamed = gdf.assign(name=[*gdf["name"][:-1], XSS_NAME])
    other = encode_layer(renamed, banded=True, folder=tmp_path)
    assert other.content_key != first.content_key
    assert len(writes) == 4                             # names and three bands of its own
    assert json.loads(read_text(tmp_path / other.names_file))["names"][-1] == XSS_NAME


def test_files_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(geometry.os, "replace", broken)
    with pytest.raises(OSError):
        write_once(tmp_path, "x.json", "{}")
    assert list(tmp_path.iterdir()) == []              # no half file, no temporary left
    monkeypatch.undo()
    write_once(tmp_path, "x.json", "first")
    write_once(tmp_path, "x.json", "second")            # there already: left as it is
    assert (tmp_path / "x.json").read_text() == "first"
    assert band_files(tmp_path) == ["x.json"]


def test_large_layers_are_banded_by_size_and_the_threshold_can_be_lowered(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("FISCALMAP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("FISCALMAP_BAND_MIN_FEATURES", raising=False)
    small = encode_layer(grid(3))
    assert not small.banded and small.bands == ()
    assert not (tmp_path / "geometry").exists()
    monkeypatch.setenv("FISCALMAP_BAND_MIN_FEATURES", "9")
    banded = encode_layer(grid(3))
    assert banded.banded and Path(banded.folder) == tmp_path / "geometry"
    assert len(band_files(tmp_path / "geometry")) == 4


def test_a_folder_that_cannot_be_written_sends_the_shapes_inline(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    enc = encode_layer(grid(3), banded=True, folder=blocker / "geometry")
    assert not enc.banded
    assert len(json.loads(enc.json)["shapes"]) == 9


def test_prune_removes_what_was_not_used_for_long(tmp_path):
    now = 1_000_000_000.0
    for name, age in (("t-old.json.gz", 3 * 86400), ("t-new.json.gz", 3600),
                      ("k-b0.json.gz", 3 * 86400), ("k-b1.json.gz", 31 * 86400),
                      (".tmp-1-x", 2 * 3600)):
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (now - age, now - age))
    assert prune(tmp_path, now=now, every_s=0) == 3
    assert band_files(tmp_path) == ["k-b0.json.gz", "t-new.json.gz"]


# ------------------------------------------------------------------ values and the component

def _view(gdf, marked=()):
    ids = list(gdf["region_id"])
    values = pd.Series(np.linspace(1000.0, 9_000_000.0, len(ids)), index=ids)
    values.iloc[3] = np.nan
    pop = pd.Series(np.arange(len(ids)) * 1000 + 500, index=ids)
    view = build_choropleth(ids, values, title="Grants", unit="USD", k=5, population=pop,
                            selected=ids[7])
    if marked:
        view = with_marks(view, marked, "Outliers", why={r: "far out" for r in marked},
                          why_label="Outlier")
    return view


def test_class_string_one_character_per_region():
    assert class_string(np.array([0, 4, -1, 9, 10, 61])) == "04.9Az"
    assert class_string(np.array([len(CLASS_CHARS)])) is None


def test_banded_values_carry_classes_as_text_and_tooltips_in_a_file(tmp_path):
    gdf = grid(6)
    view = _view(gdf, marked=[gdf["region_id"][5]])
    name = tooltip_file(view, tmp_path, background=False)
    payload = json.loads(values_payload(view, files=tmp_path))
    assert payload["tf"] == name and name.startswith("t-") and name.endswith(".json.gz")
    assert "v" not in payload and "rows" not in payload and "c" not in payload
    assert payload["cs"] == class_string(view.class_ids)
    assert payload["cs"][3] == "." and len(payload["cs"]) == 36
    assert payload["si"] == 7 and payload["sel"] == gdf["region_id"][7]
    assert payload["m"] == [5]
    texts = json.loads(read_text(tmp_path / name))
    # exactly the texts every other surface shows
    assert texts["v"].split("\n") == list(view.value_text)
    assert [[label, t.split("\n")] for label, t in texts["rows"]] == \
        [[label, list(t)] for label, t in view.tooltip_rows]
    # the same texts are the same file; other values another
    assert tooltip_file(view, tmp_path, background=False) == name
    other = build_choropleth(list(gdf["region_id"]),
                             pd.Series(range(36), index=list(gdf["region_id"]), dtype=float),
                             title="Grants", unit="USD")
    assert tooltip_file(other, tmp_path, background=False) != name


def test_tooltip_file_written_in_the_background_arrives(tmp_path):
    import time

    view = _view(grid(4))
    name = tooltip_file(view, tmp_path)
    deadline = time.monotonic() + 10
    while not (tmp_path / name).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert json.loads(read_text(tmp_path / name))["v"].split("\n") == list(view.value_text)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


class _Capture:
    def __init__(self):
        self.args: dict = {}

    def __call__(self, **kw):
        self.args = kw
        return None


@pytest.fixture
def served(tmp_path, monkeypatch):
    import ui.map_component as mc

    cap = _Capture()
    monkeypatch.setattr(mc, "_component", cap)
    monkeypatch.setattr(mc, "_FILES_DIR", tmp_path.resolve())
    return mc, cap, tmp_path


def test_the_map_arguments_of_a_banded_layer_carry_no_shapes(served):
    mc, cap, folder = served
    gdf = wiggly(8)
    layer = encode_layer(gdf, banded=True, folder=folder)
    view = _view(gdf)
    mc.fiscal_map(layer, view, MapOptions(), key="m")
    head = json.loads(cap.args["geometry"])
    assert set(head) == {"n", "base", "names", "bands"}
    assert head["n"] == 64 and head["names"] == layer.names_file
    assert head["bands"] == [list(b) for b in layer.bands]
    assert head["base"] == f"../{mc._files.name}/" == "../ui.map_component.fiscal_map_files/"
    assert cap.args["gid"] == layer.key
    # nothing of the shapes: no ring strings, and a few hundred bytes for 64 regions
    rings = _ring_strings(_rings(np.asarray(gdf.geometry.values)), 1e4)
    sent = json.dumps(cap.args)
    assert not any(r in sent for r in rings)
    assert len(cap.args["geometry"]) < 400 < len(layer.json)
    values = json.loads(cap.args["values"])
    assert "cs" in values and "v" not in values and "rows" not in values
    assert json.loads(cap.args["options"])["txt"]["loading"] == "Loading the regions…"
    # a second rerun with other values: the same shapes' arguments
    first = cap.args["geometry"]
    mc.fiscal_map(layer, _view(gdf, marked=["0001"]), MapOptions(), key="m")
    assert cap.args["geometry"] == first and cap.args["values"] != json.dumps(values)


def test_a_small_layer_still_goes_inline(served):
    mc, cap, _ = served
    gdf = grid(3)
    layer = encode_layer(gdf)
    mc.fiscal_map(layer, _view(gdf), MapOptions(), key="m")
    assert cap.args["geometry"] == layer.json
    values = json.loads(cap.args["values"])
    assert values["c"] == _view(gdf).class_ids.tolist() and "cs" not in values
    assert "loading" not in json.loads(cap.args["options"])["txt"]


def test_a_banded_layer_the_app_does_not_serve_goes_inline(served, tmp_path_factory):
    mc, cap, _ = served
    gdf = grid(3)
    layer = encode_layer(gdf, banded=True, folder=tmp_path_factory.mktemp("elsewhere"))
    mc.fiscal_map(layer, _view(gdf), MapOptions(), key="m")
    assert cap.args["geometry"] == layer.json


def test_a_banded_layer_whose_files_were_removed_goes_inline(served):
    mc, cap, folder = served
    gdf = grid(3)
    layer = encode_layer(gdf, banded=True, folder=folder)
    mc.fiscal_map(layer, _view(gdf), MapOptions(), key="m")
    assert json.loads(cap.args["geometry"])["bands"]
    (folder / layer.bands[1][2]).unlink()
    mc._TOUCHED.clear()
    mc.fiscal_map(layer, _view(gdf), MapOptions(), key="m")
    assert cap.args["geometry"] == layer.json
    assert cap.args["gid"] == layer.json_key != layer.key    # the map takes it as new shapes


def test_the_loading_words_are_translated():
    assert "loading" not in map_words("x")
    assert map_words("x", banded=True)["loading"] == "Loading the regions…"
    with locales.use("zh"):
        assert map_words("x", banded=True)["loading"] == "正在加载地区边界…"


# ------------------------------------------------------------------ paper

def test_a_dense_layer_is_drawn_one_path_per_colour_with_the_same_colours(monkeypatch):
    import layers.render_static as rs

    gdf = grid(6, size=1.0, x0=0.0, y0=0.0)
    view = _view(gdf)
    monkeypatch.setattr(rs, "MERGE_ABOVE", 10)
    snap = rs.draw(rs.prepare_static(gdf), view, dpi=72)
    fills = [c for c in snap.axes["main"].collections if not c.get_hatch()
             and len(c.get_facecolors()) and c.get_gid() is None]
    colours = {c for c in view.colours()}
    assert len(fills[0].get_paths()) == len(colours) - 1      # one per class (No data apart)
    nd = [c for c in snap.axes["main"].collections if c.get_hatch()]
    assert len(nd) == 1 and len(nd[0].get_paths()) == 1
    # each region's centre is its class colour
    img = np.asarray(Image.open(io.BytesIO(rs.to_bytes(snap, "png", 72))).convert("RGB"))
    ax = snap.axes["main"]
    part = rs.prepare_static(gdf).main
    h = img.shape[0]
    for i, (rid, g) in enumerate(zip(gdf["region_id"], gdf.geometry)):
        if view.class_ids[i] < 0:
            continue
        c = g.centroid
        x, y = ax.transData.transform(part.to_proj.transform(c.x, c.y))
        px = img[int(round(h - y)), int(round(x))]
        assert "#%02x%02x%02x" % tuple(int(v) for v in px) == view.colours()[i], rid
