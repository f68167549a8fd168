"""Overlays: reading any vector file into drawable features with every decision reported
(geodata.overlays), and their colours, legend, tooltips and browser payload (layers.overlay)."""
from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geodata.overlays import load_overlay, overlays_for, tooltip_columns
from geodata.workspace import load_manifest
from layers.geometry import decode_ring
from layers.overlay import (MAX_CATEGORIES, OTHER_LABEL, encode_overlay, overlay_style,
                            overlays_json)
from layers.palettes import QUALITATIVE, QUALITATIVE_OTHER
from tests.fixtures.helpers import LEVEL_TOML, XSS_NAME, squares_geojson, write_geojson, \
    write_workspace


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def line(*pts) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in pts]}


def point(x, y, *z) -> dict:
    return {"type": "Point", "coordinates": [x, y, *z]}


def square_ring(x, y, s=0.5) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}


def overlay_ws(tmp_path, features: list[dict] | None = None, *, options: str = "",
               file: str = "ov.geojson", text: str | None = None):
    """A workspace of three unit squares (x 0..3, y 0..1) and one overlay ``ov``."""
    write_geojson(tmp_path / "regions.geojson", squares_geojson(3))
    if text is None:
        text = json.dumps({"type": "FeatureCollection", "features": features or []})
    (tmp_path / file).write_text(text, encoding="utf-8")
    write_workspace(tmp_path, LEVEL_TOML + f"""
[[overlays]]
id = "ov"
label = "Things"
file = "{file}"
{options}
""")
    ws = load_manifest(tmp_path)
    return ws, ws.overlays[0]


MIXED = [
    feature(line((0.1, 0.5), (0.9, 0.5)), kind="rail", nm="Line A", n=1.5),            # 1
    feature(point(1.5, 0.5), kind="site", nm="Depot", n=2.0),                           # 2
    feature(square_ring(2.2, 0.2), kind="zone", nm="Zone", n=None),                     # 3
    feature({"type": "GeometryCollection", "geometries": [                              # 4
        point(0.5, 0.2), line((0.2, 0.2), (0.4, 0.4))]}, kind="rail", nm="Mixed"),
    feature(None, kind="rail", nm="Nothing"),                                           # 5
    feature(line((0.5, 0.5), (0.5, 0.5)), kind="rail", nm="Stub"),                      # 6
    feature(point(10, 10, 7), kind="site", nm="Far away"),                              # 7
    feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},  # 8
            kind="zone", nm="Bowtie"),
    feature({"type": "MultiPoint", "coordinates": [[0.3, 0.3], [1.3, 0.3]]},           # 9
            kind="site", nm="Two sites", n=12345.678),
    feature({"type": "LineString", "coordinates": []}, kind="rail", nm="Empty"),        # 10
]
OPTIONS = 'category = "kind"\nname = "nm"\ntooltip = ["n"]'


@pytest.fixture
def mixed(tmp_path):
    ws, spec = overlay_ws(tmp_path, MIXED, options=OPTIONS)
    gdf, problems = load_overlay(ws, spec)
    return gdf, {p.code: p for p in problems}, problems


def test_mixed_file_keeps_each_kind_and_reports_every_decision(mixed):
    gdf, by_code, problems = mixed
    # 10 features: 2 left out (5 null/10 empty), 1 zero-length line (6) left out; the
    # collection (4) becomes two rows (a point and a line): 7 features in 8 rows.
    assert list(gdf["feature_id"]) == [1, 2, 3, 4, 4, 7, 8, 9]
    assert list(gdf["kind"]) == ["line", "point", "area", "line", "point", "point", "area",
                                 "point"]
    assert list(gdf["category"]) == ["rail", "site", "zone", "rail", "rail", "site", "zone",
                                     "site"]
    assert list(gdf["title"]) == ["Line A", "Depot", "Zone", "Mixed", "Mixed", "Far away",
                                  "Bowtie", "Two sites"]
    assert list(gdf["n"]) == ["1.5", "2", "", "", "", "", "", "12,345.678"]
    assert gdf.crs.to_epsg() == 4326
    assert not shapely.has_z(gdf.geometry.values).any()           # the 3D point, flattened
    assert gdf.geometry.is_valid.all()
    assert gdf.geometry.values[7].geom_type == "MultiPoint"
    assert sorted(by_code) == ["empty_geometry", "geometry_collection", "invalid_geometry",
                               "outside_areas", "zero_length"]
    assert len(problems) == 5
    assert (by_code["empty_geometry"].severity, by_code["empty_geometry"].rows) == ("error", (5, 10))
    assert by_code["empty_geometry"].values == ("Nothing", "Empty")
    assert (by_code["zero_length"].severity, by_code["zero_length"].rows) == ("error", (6,))
    assert (by_code["invalid_geometry"].severity, by_code["invalid_geometry"].rows) == ("repaired", (8,))
    assert (by_code["geometry_collection"].severity, by_code["geometry_collection"].rows) == \
        ("repaired", (4,))
    out = by_code["outside_areas"]
    assert (out.severity, out.rows, out.values) == ("warning", (7,), ("Far away",))
    assert "outside every area" in out.message
    assert all(p.file == "ov.geojson" for p in problems)


def test_tooltip_columns_are_listed_in_manifest_order(mixed, tmp_path):
    gdf, _, _ = mixed
    spec = load_manifest(tmp_path).overlays[0]
    assert tooltip_columns(spec, gdf) == [("n", "n")]


def test_missing_category_name_and_tooltip_columns_are_reported_with_the_file_columns(tmp_path):
    ws, spec = overlay_ws(tmp_path, MIXED[:3], options='category = "type"\nname = "label"\n'
                                                      'tooltip = ["n", "owner"]')
    gdf, problems = load_overlay(ws, spec)
    assert len(gdf) == 3 and set(gdf["category"]) == {""} and set(gdf["title"]) == {""}
    assert [p.code for p in problems] == ["missing_column"]
    p = problems[0]
    assert p.severity == "warning"
    assert "type (category), label (name), owner (tooltip)" in p.message
    assert p.expected == "one of the file's columns: kind, nm, n"
    assert tooltip_columns(spec, gdf) == [("n", "n")]


def test_projected_coordinates_without_a_crs_are_refused_with_their_extent(tmp_path):
    feats = [feature(line((236000, 900000), (237000, 901000)), kind="rail")]
    ws, spec = overlay_ws(tmp_path, feats)
    gdf, problems = load_overlay(ws, spec)
    assert gdf.empty
    assert [(p.severity, p.code) for p in problems] == [("error", "projected_without_crs")]
    assert "x 236,000 to 237,000, y 900,000 to 901,000" in problems[0].message
    assert "the overlay's manifest entry" in problems[0].expected


def test_projected_coordinates_take_the_manifest_crs(tmp_path):
    # Massachusetts State Plane metres: a line in Boston.
    feats = [feature(line((236000, 900000), (237000, 901000)), kind="rail")]
    ws, spec = overlay_ws(tmp_path, feats, options='crs = "EPSG:26986"')
    gdf, problems = load_overlay(ws, spec, areas=[])
    assert len(gdf) == 1
    x, y = shapely.get_coordinates(gdf.geometry.values[0])[0]
    assert -71.2 < x < -70.9 and 42.2 < y < 42.5
    assert [(p.severity, p.code) for p in problems] == [("repaired", "no_crs")]


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    ws, spec = overlay_ws(tmp_path, MIXED, options="max_file_mb = 0.0001")
    gdf, problems = load_overlay(ws, spec)
    assert gdf.empty
    assert [(p.severity, p.code) for p in problems] == [("error", "too_large")]
    assert "over the limit" in problems[0].message and "max_file_mb" in problems[0].expected


def test_an_unreadable_file_is_one_problem(tmp_path):
    ws, spec = overlay_ws(tmp_path, text="this is not { geojson")
    gdf, problems = load_overlay(ws, spec)
    assert gdf.empty
    assert [(p.severity, p.code) for p in problems] == [("error", "unreadable")]


def test_a_file_of_only_empty_geometries_is_empty_not_refused(tmp_path):
    ws, spec = overlay_ws(tmp_path, [feature(None, kind="a"), feature(None, kind="b")])
    gdf, problems = load_overlay(ws, spec)
    assert gdf.empty
    assert [(p.code, p.rows) for p in problems] == [("empty_geometry", (1, 2))]


@pytest.mark.parametrize("driver,file", [("GPKG", "ov.gpkg"), ("ESRI Shapefile", "ov.zip"),
                                          ("KML", "ov.kml")])
def test_other_vector_formats(tmp_path, driver, file):
    g = gpd.GeoDataFrame({"kind": ["rail", "rail"], "nm": ["A", "B"]},
                         geometry=[shapely.LineString([(0.1, 0.5), (0.9, 0.5)]),
                                   shapely.LineString([(1.1, 0.5), (1.9, 0.6)])], crs=4326)
    if driver == "ESRI Shapefile":
        g.to_crs(26986).to_file(tmp_path / "ov.shp")        # projected, with a .prj
        with zipfile.ZipFile(tmp_path / file, "w") as zf:
            for part in tmp_path.glob("ov.*"):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
    else:
        g.to_file(tmp_path / file, driver=driver)
    write_geojson(tmp_path / "regions.geojson", squares_geojson(3))
    write_workspace(tmp_path, LEVEL_TOML + f"""
[[overlays]]
id = "ov"
file = "{file}"
category = "kind"
name = "nm"
""")
    ws = load_manifest(tmp_path)
    gdf, problems = load_overlay(ws, ws.overlays[0])
    assert list(gdf["title"]) == ["A", "B"]
    assert list(gdf["kind"]) == ["line", "line"]
    assert problems == [] and list(gdf["category"]) == ["rail", "rail"]
    assert np.allclose(shapely.get_coordinates(gdf.geometry.values[1])[-1], (1.9, 0.6), atol=1e-6)


def test_overlays_for_a_level(tmp_path):
    write_geojson(tmp_path / "regions.geojson", squares_geojson(3))
    (tmp_path / "a.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    write_workspace(tmp_path, LEVEL_TOML + """
[[levels]]
id = "state"
file = "regions.geojson"
key = "id"
name = "name"

[[overlays]]
id = "everywhere"
file = "a.geojson"

[[overlays]]
id = "counties_only"
file = "a.geojson"
level = "county"
""")
    ws = load_manifest(tmp_path)
    assert [o.id for o in overlays_for(ws, "county")] == ["everywhere", "counties_only"]
    assert [o.id for o in overlays_for(ws, "state")] == ["everywhere"]


# --------------------------------------------------------------------------- layers.overlay

def test_categories_beyond_ten_fold_into_other_and_say_so():
    cats = [f"c{i:02d}" for i in range(12) for _ in range(12 - i)]       # c00 ×12 … c11 ×1
    style = overlay_style(cats)
    assert len(style.labels) == MAX_CATEGORIES == 10
    assert style.labels[:2] == ("c00", "c01") and style.labels[-1] == OTHER_LABEL
    assert style.colours == (*QUALITATIVE[:9], QUALITATIVE_OTHER)
    assert style.counts[-1] == 3 + 2 + 1                              # c09, c10, c11
    assert style.folded == ("c09", "c10", "c11")
    assert "12 categories" in style.note and "(c09, c10, c11)" in style.note
    assert style.class_ids[-1] == 9 and style.class_ids[0] == 0


def test_no_category_is_one_colour_and_blank_values_have_a_row():
    one = overlay_style(["", ""], colour="#7b3294", label="Rail")
    assert (one.labels, one.colours, one.counts, one.by_category) == \
        (("Rail",), ("#7b3294",), (2,), False)
    blank = overlay_style(["a", "", "a"])
    assert blank.labels == ("a", "(no value)") and blank.counts == (2, 1)


def test_counts_count_features_not_rows():
    style = overlay_style(["rail", "rail", "site"], features=[4, 4, 5])
    assert style.counts == (1, 1)


def test_encoded_payload(mixed):
    gdf, _, _ = mixed
    gdf = gdf.copy()
    gdf.loc[0, "title"] = XSS_NAME
    enc = encode_overlay(gdf, overlay_id="ov", label="Things", tooltip=[("n", "n")])
    assert "<" not in enc.json and "\\u003cimg" in enc.json      # safe inside a <script>
    p = json.loads(enc.json)
    assert p["k"] == [0, 1, 2, 0, 1, 1, 2, 1]
    # most common first (features, not rows: the collection counts once, as "rail")
    assert p["legend"] == [["site", QUALITATIVE[0], "3"], ["rail", QUALITATIVE[1], "2"],
                           ["zone", QUALITATIVE[2], "2"]]
    assert p["c"] == [1, 0, 2, 1, 1, 0, 2, 0]
    assert p["shapes"] == ["point", "line", "area"] and p["cat"] is True
    assert p["h"][0] == XSS_NAME
    assert p["rows"] == [["n", ["1.5", "2", "", "", "", "", "", "12,345.678"]]]
    assert enc.features == 7 and not enc.simplified
    # coordinates at 1e-5 degree; the multipoint is one string of its two points
    assert decode_ring(p["g"][0][0], p["f"]) == [(0.1, 0.5), (0.9, 0.5)]
    assert decode_ring(p["g"][7][0], p["f"]) == [(0.3, 0.3), (1.3, 0.3)]
    assert len(p["g"][2]) == 1                       # an area: its ring, drawn as an outline
    assert overlays_json([enc, enc]) == f"[{enc.json},{enc.json}]" and overlays_json([]) is None


def test_large_overlays_are_simplified_and_rounded():
    xs = np.linspace(0, 1, 2001)
    wiggle = shapely.LineString(np.c_[xs, 0.5 + 1e-6 * np.sin(xs * 500)])
    gdf = gpd.GeoDataFrame({"feature_id": [1], "kind": ["line"], "category": [""],
                            "title": [""]}, geometry=[wiggle], crs=4326)
    enc = encode_overlay(gdf, overlay_id="w", label="W", simplify_above=1000)
    assert enc.simplified and "simplified" in enc.note
    coords = decode_ring(json.loads(enc.json)["g"][0][0], 1e5)
    assert len(coords) < 50
    full = encode_overlay(gdf, overlay_id="w", label="W")
    assert not full.simplified and full.vertices == 2001


def test_overlay_legend_words_follow_the_readers_language():
    from locales import use

    cats = [f"c{i:02d}" for i in range(12) for _ in range(12 - i)]
    with use("zh"):
        style = overlay_style(cats)
        blank = overlay_style(["a", "", "a"])
        plain = overlay_style(["", ""])
    assert style.labels[-1] == "其他" and style.labels[0] == "c00"     # categories as written
    assert style.note == ("共12个类别：最常见的9个各用一种颜色；其余3个（c09, c10, c11）绘制为"
                          "“其他”。")
    assert blank.labels == ("a", "（无值）") and plain.labels == ("要素",)
