"""Insets on the web map: far regions moved into their boxes beside the main map, shapes kept,
ids kept, nothing moved when there is nothing to move beside."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box as rect

from layers.geometry import decode_ring
from layers.insets import Inset, MapFrame, encode_placed, map_frame, place_insets

R = 6378137.0


def merc(lon, lat):
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def layer(rows):
    return gpd.GeoDataFrame({"region_id": [r[0] for r in rows], "name": [r[0] for r in rows]},
                            geometry=[r[1] for r in rows], crs=4326)


# A "main" pair of squares near the equator and a far "inset" rectangle (2 wide, 1 tall).
MAIN = [("A1", rect(0, 0, 5, 10)), ("A2", rect(5, 0, 10, 10))]
FAR = ("F1", rect(100, 50, 102, 51))
FRAME = MapFrame(bounds=(0.0, 0.0, 10.0, 10.0),
                 insets=(Inset("Far", ("F",), "EPSG:3857", (0.0, 0.0, 0.3, 0.2)),))


def merc_bounds(geom):
    w, s, e, n = geom.bounds
    (x0, y0), (x1, y1) = merc(w, s), merc(e, n)
    return x0, y0, x1, y1


def test_inset_lands_inside_its_box_with_its_shape_and_id():
    gdf = layer([*MAIN, FAR])
    before = gdf.copy()
    placed = place_insets(gdf, FRAME)

    # The box: left 0, bottom 0, 30% of the main frame's width and 20% of its height, both
    # measured in Web Mercator metres.
    my0, my1 = merc(0, 0)[1], merc(10, 10)[1]
    assert len(placed.boxes) == 1 and placed.boxes[0].name == "Far"
    w, s, e, n = placed.boxes[0].bounds
    assert (w, s, e) == pytest.approx((0.0, 0.0, 3.0), abs=1e-5)
    assert merc(0, n)[1] == pytest.approx(my0 + 0.2 * (my1 - my0), rel=1e-5)
    assert placed.bounds == pytest.approx((0.0, 0.0, 10.0, 10.0))

    moved = placed.frame.geometry.iloc[2]
    assert moved.within(rect(w, s, e, n))
    # Same shape: in Web Mercator (the inset's CRS here) the width/height ratio is unchanged,
    # and it fills the box's height, less the margin, centred.
    x0, y0, x1, y1 = merc_bounds(moved)
    ox0, oy0, ox1, oy1 = merc_bounds(FAR[1])
    assert (x1 - x0) / (y1 - y0) == pytest.approx((ox1 - ox0) / (oy1 - oy0), rel=1e-6)
    bx1, by1 = merc(e, n)
    assert (x0 + x1) / 2 == pytest.approx(bx1 / 2, rel=1e-6)
    assert min(bx1 - (x1 - x0), by1 - (y1 - y0)) == pytest.approx(
        2 * 0.04 * min(bx1, by1), rel=1e-4)

    # Ids, names and order unchanged; the main regions untouched; the caller's frame too.
    assert list(placed.frame["region_id"]) == ["A1", "A2", "F1"]
    assert list(placed.frame["name"]) == ["A1", "A2", "F1"]
    for i in (0, 1):
        assert placed.frame.geometry.iloc[i].equals(gdf.geometry.iloc[i])
    assert gdf.geometry.iloc[2].equals(before.geometry.iloc[2])
    assert placed.frame.crs.to_epsg() == 4326


def test_inset_in_its_own_crs_still_fits_its_box():
    frame = MapFrame(bounds=(0.0, 0.0, 10.0, 10.0),
                     insets=(Inset("Far", ("F",), None, (0.6, 0.0, 0.2, 0.3)),))  # UTM zone
    placed = place_insets(layer([*MAIN, FAR]), frame)
    w, s, e, n = placed.boxes[0].bounds
    assert w == pytest.approx(6.0) and e == pytest.approx(8.0)
    assert placed.frame.geometry.iloc[2].within(rect(w, s, e, n))


def test_nothing_moves_when_every_region_is_in_one_inset():
    only = layer([FAR, ("F2", rect(102, 50, 103, 51))])
    placed = place_insets(only, FRAME)
    assert placed.boxes == () and placed.bounds is None
    assert placed.frame is only


def test_nothing_moves_without_inset_regions():
    main = layer(MAIN)
    placed = place_insets(main, FRAME)
    assert placed.boxes == () and placed.frame is main


def test_a_region_matching_no_prefix_keeps_its_place():
    lost = ("Z9", rect(-60, -20, -59, -19))          # outside the main frame, in no inset
    placed = place_insets(layer([*MAIN, FAR, lost]), FRAME)
    assert placed.frame.geometry.iloc[3].equals(lost[1])
    assert placed.frame.geometry.iloc[2].within(rect(*placed.boxes[0].bounds))


def test_first_matching_inset_takes_a_region_and_the_default_position_is_used():
    frame = MapFrame(bounds=(0.0, 0.0, 10.0, 10.0),
                     insets=(Inset("First", ("F",), "EPSG:3857", None),
                             Inset("Second", ("F1",), "EPSG:3857", (0.5, 0.5, 0.2, 0.2))))
    placed = place_insets(layer([*MAIN, FAR]), frame)
    assert [b.name for b in placed.boxes] == ["First"]
    w, s, e, n = placed.boxes[0].bounds
    assert w == pytest.approx(0.2) and e == pytest.approx(2.2)      # (0.02, 0.02, 0.2, 0.2)


def test_without_bounds_the_main_frame_is_the_other_regions():
    frame = MapFrame(insets=(Inset("Far", ("F",), "EPSG:3857", (0.5, 0.0, 0.5, 0.5)),))
    placed = place_insets(layer([*MAIN, FAR]), frame)
    assert placed.boxes[0].bounds[0] == pytest.approx(5.0)
    assert placed.boxes[0].bounds[2] == pytest.approx(10.0)


def test_a_box_outside_the_main_frame_widens_the_view():
    frame = MapFrame(bounds=(0.0, 0.0, 10.0, 10.0),
                     insets=(Inset("Far", ("F",), "EPSG:3857", (1.05, 0.0, 0.3, 0.3)),))
    placed = place_insets(layer([*MAIN, FAR]), frame)
    assert placed.bounds[2] == pytest.approx(13.5)
    assert placed.bounds[:2] == pytest.approx((0.0, 0.0))


def test_encoded_layer_carries_boxes_bounds_and_plural():
    gdf = layer([*MAIN, FAR])
    enc = encode_placed(gdf, FRAME, plural="States")
    payload = json.loads(enc.json)
    assert payload["ids"] == ["A1", "A2", "F1"] and enc.region_ids == ("A1", "A2", "F1")
    assert [i["name"] for i in payload["insets"]] == ["Far"]
    assert payload["insets"][0]["b"] == pytest.approx([0.0, 0.0, 3.0, enc.insets[0].bounds[3]])
    assert payload["plural"] == "States" and enc.plural == "States"
    assert enc.bounds == pytest.approx((0.0, 0.0, 10.0, 10.0))
    ring = np.array(decode_ring(payload["shapes"][2][0][0]))
    w, s, e, n = enc.insets[0].bounds
    assert ring[:, 0].min() >= w and ring[:, 0].max() <= e
    assert ring[:, 1].min() >= s and ring[:, 1].max() <= n
    # A layer with nothing to move is encoded as before: no inset key, its own bounds.
    plain = json.loads(encode_placed(layer(MAIN), FRAME).json)
    assert "insets" not in plain and "plural" not in plain


def test_a_layer_in_another_crs_is_refused():
    gdf = layer([*MAIN, FAR]).to_crs(3857)
    with pytest.raises(ValueError, match="EPSG:4326"):
        place_insets(gdf, FRAME)


def test_map_frame_reads_the_workspace_settings_the_exports_read():
    frame, problems = map_frame({"map": {
        "bounds": [-125.0, 24.0, -66.5, 49.6],
        "insets": [{"name": "Alaska", "region_prefix": "02", "crs": "EPSG:3338",
                    "position": [0.0, 0.0, 0.25, 0.3]},
                   {"name": "Bad", "region_prefix": ["15", "16"], "position": [0, 0, -1, 1]}]}})
    assert frame.bounds == (-125.0, 24.0, -66.5, 49.6)
    assert frame.insets[0] == Inset("Alaska", ("02",), "EPSG:3338", (0.0, 0.0, 0.25, 0.3))
    assert frame.insets[1] == Inset("Bad", ("15", "16"), None, None)
    assert problems == ["[map] insets[1] position = [0, 0, -1, 1]: expected [left, bottom, "
                        "width, height] as fractions; default used"]


def test_placing_real_states_keeps_alaska_whole():
    """Alaska crosses the antimeridian: drawn in its own CRS, it is one compact shape."""
    aleutians = shapely.MultiPolygon([rect(172, 52, 179.9, 53), rect(-179.9, 51, -170, 52),
                                      rect(-168, 55, -141, 71)])
    gdf = layer([*MAIN, ("02", aleutians)])
    frame = MapFrame(bounds=(0.0, 0.0, 10.0, 10.0),
                     insets=(Inset("Alaska", ("02",), "EPSG:3338", (0.0, 0.0, 0.25, 0.3)),))
    placed = place_insets(gdf, frame)
    moved = placed.frame.geometry.iloc[2]
    assert moved.within(rect(*placed.boxes[0].bounds))
    assert moved.bounds[2] - moved.bounds[0] <= 2.5 + 1e-9     # not stretched round the globe


def test_the_app_layers_of_the_us_workspace_carry_the_exports_insets():
    """What every page's map is drawn from (ui.cache): Alaska, Hawaii and Puerto Rico in the
    boxes of the workspace's [map], at state and county level; a drill-down into Alaska's
    counties keeps their true place."""
    from geodata.workspace import discover_workspaces
    from ui import cache

    path = str(discover_workspaces()["us_federal"])
    names = {"02": "Alaska", "15": "Hawaii", "72": "Puerto Rico"}
    for level, width in (("state", 2), ("county", 5)):
        enc = cache.encoded_layer(path, level)
        payload = json.loads(enc.json)
        boxes = {b["name"]: b["b"] for b in payload["insets"]}
        assert sorted(boxes) == sorted(names.values())
        assert enc.bounds == pytest.approx((-125.0, 24.0, -66.5, 49.6))
        for rid, shape in zip(payload["ids"], payload["shapes"]):
            if rid[:2] in names:
                w, s, e, n = boxes[names[rid[:2]]]
                for ring in (r for poly in shape for r in poly):
                    pts = np.array(decode_ring(ring))
                    assert (pts[:, 0] >= w - 1e-3).all() and (pts[:, 0] <= e + 1e-3).all(), rid
                    assert (pts[:, 1] >= s - 1e-3).all() and (pts[:, 1] <= n + 1e-3).all(), rid
        assert all(len(r) == width for r in payload["ids"])
        assert payload["plural"] == ("States" if level == "state" else "Counties")
    alaska = cache.encoded_children(path, "county", "02")
    assert alaska.insets == () and "insets" not in json.loads(alaska.json)
    assert alaska.bounds[0] < -140                   # still where Alaska is
