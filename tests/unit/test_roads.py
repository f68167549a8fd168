"""Road condition by area: lengths in metres, boundary splitting, bad lines, targets, trend."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiLineString, Point, box

from geodata import roads as R
from layers.road_condition import PRESETS

PSI = PRESETS["psi_massdot_interstate"]
UTM = "EPSG:32619"            # Boston's UTM zone: metre coordinates we can reason about
X0, Y0 = 320_000, 4_690_000   # a point near Boston in that zone
COLUMNS = {"segment_id": "sid", "score": "psi", "route": "route", "survey_year": "yr"}


def areas() -> gpd.GeoDataFrame:
    """Two 1 km squares side by side (A west, B east), in EPSG:4326 as the app keeps them."""
    g = gpd.GeoDataFrame({"region_id": ["A", "B"], "name": ["West", "East"]},
                         geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                                   box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)], crs=UTM)
    return g.to_crs(4326)


def write_lines(tmp_path, rows, crs=UTM, name="roads.gpkg"):
    g = gpd.GeoDataFrame(rows, geometry=[r.pop("geometry") for r in rows], crs=crs)
    path = tmp_path / name
    g.to_file(path, driver="GPKG" if name.endswith(".gpkg") else "GeoJSON")
    return path


def line(x1, x2, y=500):
    return LineString([(X0 + x1, Y0 + y), (X0 + x2, Y0 + y)])


@pytest.fixture
def network(tmp_path):
    rows = [
        {"sid": 1, "psi": 2.0, "route": "I1", "yr": 2013, "geometry": line(500, 1500)},   # crosses A|B
        {"sid": 2, "psi": 4.0, "route": "I1", "yr": 2013, "geometry": line(100, 300)},    # 200 m in A
        {"sid": 3, "psi": None, "route": "I2", "yr": 2013, "geometry": line(1200, 1400, 800)},  # no score
        {"sid": 4, "psi": 3.2, "route": "I3", "yr": 2013, "geometry": line(1800, 2300, 200)},  # 300 m outside
        {"sid": 5, "psi": 3.0, "route": "I4", "yr": 2013,
         "geometry": LineString([(X0 + 50, Y0 + 50), (X0 + 50, Y0 + 50)])},               # zero length
        {"sid": 6, "psi": 9.9, "route": "I5", "yr": 2013,
         "geometry": MultiLineString([[(X0 + 100, Y0 + 900), (X0 + 200, Y0 + 900)],
                                      [(X0 + 300, Y0 + 900), (X0 + 400, Y0 + 900)]])},     # 2 parts, bad score
    ]
    path = write_lines(tmp_path, rows)
    seg, problems = R.load_segments(path, COLUMNS, file_label="roads.gpkg")
    pieces, outside = R.split_by_area(seg, areas())
    return seg, problems, pieces, outside


def codes(problems):
    return {p.code for p in problems}


def test_projected_input_is_reprojected_and_measured_in_metres(network):
    seg, problems, _, _ = network
    assert "reprojected" in codes(problems)
    assert seg.crs.to_epsg() == 4326
    assert seg.attrs["metric_crs"].endswith("32619")
    lengths = dict(zip(seg["segment_id"], seg["length_m"]))
    assert lengths["1"] == pytest.approx(1000, abs=0.5)      # metres, not degrees
    assert lengths["6"] == pytest.approx(200, abs=0.5)       # multi-part: sum of parts


def test_zero_length_and_multipart_lines_are_reported(network):
    seg, problems, pieces, _ = network
    assert {"zero_length", "multipart_line"} <= codes(problems)
    zero = seg[seg["segment_id"] == "5"].iloc[0]
    assert not zero["drawable"] and "5" not in set(pieces["segment_id"])
    assert int(seg.loc[seg["segment_id"] == "6", "parts"].iloc[0]) == 2


def test_segment_crossing_a_boundary_is_split_at_it(network):
    _, _, pieces, _ = network
    p1 = pieces[pieces["segment_id"] == "1"].set_index("region_id")["length_m"]
    assert p1["A"] == pytest.approx(500, abs=0.5) and p1["B"] == pytest.approx(500, abs=0.5)


def test_outside_every_area_is_reported_with_its_length(network, tmp_path):
    _, _, _, outside = network
    assert outside["segment_id"].tolist() == ["4"]
    assert outside["outside_m"].iloc[0] == pytest.approx(300, abs=0.5)
    assert outside["length_m"].iloc[0] == pytest.approx(500, abs=0.5)


def test_no_score_and_out_of_range_are_no_data_and_counted(network):
    seg, _, pieces, _ = network
    probs = R.score_problems(seg, PSI, "roads.gpkg", "psi")
    assert codes(probs) == {"no_score", "score_out_of_range"}
    t = R.condition_by_area(pieces, seg, PSI, ["A", "B"], unit="km")
    # A: 500 m poor (seg 1) + 200 m excellent (seg 2) + 200 m No data (seg 6, PSI 9.9)
    assert t.loc["A", "poor"] == pytest.approx(0.5, abs=1e-3)
    assert t.loc["A", "excellent"] == pytest.approx(0.2, abs=1e-3)
    assert t.loc["A", "No data"] == pytest.approx(0.2, abs=1e-3)
    assert t.loc["A", "rated"] == pytest.approx(0.7, abs=1e-3)
    # B: 500 m poor, 200 m No data (no score), 200 m good (seg 4's inside part)
    assert t.loc["B", "No data"] == pytest.approx(0.2, abs=1e-3)
    assert t.loc["B", "good"] == pytest.approx(0.2, abs=1e-3)


def test_shares_are_weighted_by_length_not_by_segment_count(network):
    seg, _, pieces, _ = network
    t = R.with_status(R.condition_by_area(pieces, seg, PSI, ["A", "B"]), R.Targets(80, 2))
    # A: one poor segment piece (500 m) and one excellent (200 m): 2 segments, 50/50 by count
    assert t.loc["A", "poor_share"] == pytest.approx(500 / 700 * 100, abs=0.1)
    assert t.loc["A", "good_share"] == pytest.approx(200 / 700 * 100, abs=0.1)
    fig = R.region_figure(t, R.Targets(80, 2))
    assert fig.rated == pytest.approx(1.4 / 1.609344, abs=1e-3)   # 1,400 rated metres, in miles
    assert "against a target of 80%" in fig.sentence("Interstate", R.Targets(80, 2))


@pytest.mark.parametrize("good, poor, status", [
    (90, 0.5, "met"), (80, 0.0, "at risk"), (84.9, 0.5, "at risk"), (85, 1.0, "met"),
    (90, 1.5, "at risk"), (79.9, 0.0, "missed"), (95, 2.1, "missed"), (np.nan, np.nan, "no data")])
def test_target_status_rule(good, poor, status):
    assert R.target_status(good, poor, R.Targets(80, 2, at_risk_good_pp=5, at_risk_poor_pp=1)) == status


def test_target_status_without_targets():
    assert R.target_status(10, 90, R.Targets()) == "no target"
    assert R.target_status(85, 50, R.Targets(good_or_better_min=80)) == "met"


def test_bins_fill_areas_without_geometry_and_combine():
    bins = pd.DataFrame({"excellent": [1.0], "good": [1.0], "fair": [1.0], "poor": [1.0],
                         "No data": [1.0]}, index=pd.Index(["B"], name="region_id"))
    b = R.bins_by_area(bins, PRESETS["psi_massdot_town_bins"], ["A", "B"])
    assert np.isnan(b.loc["A", "total"]) and b.loc["B", "rated"] == 4
    seg = pd.DataFrame({"score": [2.0]})
    pieces = pd.DataFrame({"segment_id": ["1"], "_i": [0], "region_id": ["A"], "length_m": [1609.344]})
    s = R.condition_by_area(pieces, seg, PSI, ["A", "B"])
    both = R.with_status(R.combine(s, b), R.Targets(80, 2))
    assert both.loc["A", "poor_share"] == 100 and both.loc["B", "poor_share"] == 25
    assert both.loc["B", "total"] == 5


def test_points_and_missing_geometry(tmp_path):
    g = gpd.GeoDataFrame({"sid": [1, 2], "psi": [3, 3], "city": ["A", "A"], "len": [None, 250]},
                         geometry=[Point(-71, 42), None], crs=4326)
    path = tmp_path / "mixed.geojson"
    g.to_file(path, driver="GeoJSON")
    seg, problems = R.load_segments(path, {"segment_id": "sid", "score": "psi",
                                           "region_id": "city", "length_m": "len"})
    assert {"not_a_line", "no_geometry_by_attribute"} <= codes(problems)
    pieces, _ = R.split_by_area(seg, areas())
    # the row with no geometry is counted in the area its id names, with its length column
    assert pieces["region_id"].tolist() == ["A"] and pieces["length_m"].tolist() == [250]


def test_no_crs_is_assumed_and_reported(tmp_path):
    path = tmp_path / "nocrs.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                    '{"sid":1,"psi":3},"geometry":{"type":"LineString","coordinates":'
                    '[[-71.0,42.0],[-71.0,42.01]]}}]}')
    seg, problems = R.load_segments(path, {"segment_id": "sid", "score": "psi"})
    assert seg["length_m"].iloc[0] == pytest.approx(1111, rel=0.01)


def test_trend_and_change_are_length_weighted(network):
    seg, _, pieces, outside = network
    net = R.RoadNetwork(segments=seg, pieces=pieces, outside=outside, problems=[],
                        metric_crs=UTM, file="roads.gpkg")
    tl = pd.DataFrame({"segment_id": ["1", "2", "1", "2"], "year": [2010, 2010, 2012, 2012],
                       "score": [2.0, 4.0, 3.0, 4.0]})
    tr = R.area_trend(tl, net, PSI, region_id="A")
    # A: 500 m of segment 1, 200 m of segment 2
    assert tr.loc[tr["year"] == 2010, "mean_score"].iloc[0] == pytest.approx((500 * 2 + 200 * 4) / 700, abs=1e-3)
    per_seg, per_area = R.change_between(tl, net, 2010, 2012)
    assert per_seg.to_dict() == {"1": 1.0, "2": 0.0}
    assert per_area["A"] == pytest.approx(500 / 700, abs=1e-3)
    assert R.segment_trend(tl, "1")["score"].tolist() == [2.0, 3.0]


def test_invest_ranking_puts_worst_condition_with_least_money_first():
    t = R.with_status(pd.DataFrame({
        "total": [10.0, 10.0, 10.0], "rated": [10.0, 10.0, 10.0], "good_or_better": [5.0, 9.0, 5.0],
        "poor": [4.0, 0.0, 4.0], "No data": [0.0, 0.0, 0.0]},
        index=pd.Index(["x", "y", "z"], name="region_id")), R.Targets(80, 2))
    inv = R.invest_ranking(t, pd.Series({"x": 1000.0, "y": 0.0, "z": 0.0}), pd.Series(dtype=float),
                           {"x": "X", "y": "Y", "z": "Z"})
    assert inv["name"].tolist()[0] == "Z"          # as poor as X, but no money
    assert inv["rank"].tolist() == [1, 2, 3]
    assert inv.loc[inv["name"] == "X", "funding_per_mile"].iloc[0] == pytest.approx(100.0)


def test_boston_workspace_region_figure():
    from geodata.workspace import load_manifest
    from geodata.dataset import WorkspaceData
    ws = load_manifest("geodata/workspaces/boston_region")
    rd = R.load_roads(ws, WorkspaceData(ws).boundaries("town"))
    assert len(rd.network.segments) == 865
    rc = R.road_condition(rd.config, rd.network, rd.bins, rd.area_ids, "psi_massdot_interstate",
                          "segments")
    assert 300 < rc.figure.miles < 365 and rc.figure.no_data > 0
    assert rc.figure.poor_share == pytest.approx(4.3, abs=0.1)
    assert "outside_areas" in codes(rd.problems)
