"""Encoded geometry: a lossless-to-1e-4 round trip and JSON that cannot break out of <script>."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from layers.geometry import (bulk_bounds, decode_ring, encode_layer, prepare_geometry, safe_json,
                             _encode_ring)
from tests.fixtures.helpers import XSS_NAME, square


def layer(geoms, names=None):
    n = len(geoms)
    return gpd.GeoDataFrame({"region_id": [f"{i:02d}" for i in range(n)],
                             "name": names or [f"R{i}" for i in range(n)]},
                            geometry=geoms, crs=4326)


def test_ring_round_trip_within_1e4():
    coords = np.array([(-71.05891, 42.36012), (-71.05, 42.3), (-170.123456, -14.27),
                       (179.99994, 71.38), (-71.05891, 42.36012)])
    back = np.array(decode_ring(_encode_ring(coords, 1e4)))
    assert back.shape == coords.shape
    assert np.abs(back - coords).max() <= 0.5e-4 + 1e-12


def test_encode_layer_round_trip_polygons_holes_and_multipolygons():
    holed = Polygon(square(10, 10, 4).exterior.coords, [square(11, 11, 1).exterior.coords])
    multi = MultiPolygon([square(-5.123456, 3.987654), square(-3, 3)])
    gdf = layer([square(0.00004, 0.00006), holed, multi])
    enc = encode_layer(gdf)
    payload = json.loads(enc.json)
    assert payload["f"] == 10_000
    assert payload["ids"] == ["00", "01", "02"] and list(enc.region_ids) == payload["ids"]
    assert [len(s) for s in payload["shapes"]] == [1, 1, 2]        # polygons per feature
    assert len(payload["shapes"][1][0]) == 2                       # exterior + hole
    for geom, shape in zip(gdf.geometry, payload["shapes"]):
        rebuilt = MultiPolygon([Polygon(decode_ring(p[0]), [decode_ring(h) for h in p[1:]])
                                for p in shape])
        src = np.asarray(shapely.get_coordinates(geom))
        got = np.asarray(shapely.get_coordinates(rebuilt))
        assert src.shape == got.shape
        assert np.abs(src - got).max() <= 1e-4
        assert rebuilt.area == pytest.approx(geom.area, rel=1e-3)
    assert enc.vertices == int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    assert enc.nbytes == len(enc.json.encode("utf-8"))


def test_safe_json_escapes_script_breakers():
    text = safe_json({"names": ["</script><script>alert(1)</script>", XSS_NAME, "a & b",
                                "line\u2028sep"]})
    for bad in ("<", ">", "&", "\u2028"):
        assert bad not in text
    assert "</script" not in text.lower()
    # Still the same data once parsed.
    assert json.loads(text)["names"] == ["</script><script>alert(1)</script>", XSS_NAME, "a & b",
                                         "line\u2028sep"]


def test_safe_json_refuses_nan():
    with pytest.raises(ValueError):
        safe_json({"v": float("nan")})


def test_encoded_names_are_escaped():
    enc = encode_layer(layer([square(0, 0)], names=[XSS_NAME]))
    assert "<img" not in enc.json and json.loads(enc.json)["names"] == [XSS_NAME]


def test_prepare_geometry_reprojects_and_simplifies_as_a_coverage():
    left = Polygon([(0, 0), (1, 0), (1.001, 0.5), (1, 1), (0, 1)])
    right = Polygon([(1, 0), (2, 0), (2, 1), (1, 1), (1.001, 0.5)])
    gdf = layer([left, right])
    out = prepare_geometry(gdf, tolerance=0.1)
    assert out is not gdf
    assert shapely.get_num_coordinates(out.geometry.values).sum() < \
        shapely.get_num_coordinates(gdf.geometry.values).sum()
    # Neighbours still share their edge: no gap, no overlap.
    assert out.geometry.iloc[0].intersection(out.geometry.iloc[1]).area == pytest.approx(0)
    assert out.union_all().area == pytest.approx(2.0, abs=1e-3)
    merc = gdf.to_crs(3857)
    back = prepare_geometry(merc)
    assert back.crs.to_epsg() == 4326
    assert back.total_bounds == pytest.approx(gdf.total_bounds, abs=1e-6)


def test_bulk_bounds_ignores_far_flung_outliers():
    geoms = [square(i % 5, i // 5) for i in range(25)] + [square(170, 60)]
    w, s, e, n = bulk_bounds(layer(geoms))
    assert e < 10 and n < 10
    assert bulk_bounds(layer([]).iloc[:0]) == (-180.0, -60.0, 180.0, 75.0)
