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


# ------------------------------------------------------------------ what readers see

def _condition_table(statuses_poor: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """A condition table from (good or better, poor) lengths per area, 10 rated miles each."""
    ids = list(statuses_poor)
    return R.with_status(pd.DataFrame({
        "excellent": [g for g, _ in statuses_poor.values()], "good": 0.0, "fair": 0.0,
        "poor": [p for _, p in statuses_poor.values()], "No data": 0.0,
        "total": 10.0, "rated": 10.0,
        "good_or_better": [g for g, _ in statuses_poor.values()],
        }, index=pd.Index(ids, name="region_id")), R.Targets(80, 2))


def test_targets_table_lists_missed_first_with_labelled_columns():
    from geodata.roads.tables import targets_table

    tb = _condition_table({"a": (9.0, 0.0), "b": (5.0, 1.0), "c": (8.2, 0.0), "d": (5.0, 3.0)})
    rc = R.RoadCondition(table=tb, figure=R.region_figure(tb, R.Targets(80, 2)),
                         targets=R.Targets(80, 2), road_class="Interstate", methodology="")
    out = targets_table(rc, {"a": "A", "b": "B", "c": "C", "d": "D"}, PSI, "segments",
                        level_label="Town", unit_word="miles")
    # missed (worst poor share first), then at risk, then met
    assert out.frame["Town"].tolist() == ["D", "B", "C", "A"]
    assert out.frame["Target status"].tolist() == ["Missed", "Missed", "At risk", "Met"]
    assert list(out.shown().columns) == [
        "Town", "Target status", "Road miles", "Rated miles", "excellent (miles)",
        "good (miles)", "fair (miles)", "poor (miles)", "No data (miles)", "Good or better (%)",
        "Poor (%)"]
    assert out.frame["Town id"].tolist() == ["d", "b", "c", "a"]      # kept for the CSV


def test_reader_csv_rounds_as_the_screen_and_keeps_the_labels():
    from exports.roads import reader_csv
    from geodata.roads.tables import invest_table

    t = R.with_status(pd.DataFrame({
        "total": [2.1484, 10.0], "rated": [2.1484, 10.0], "good_or_better": [1.0, 9.0],
        "poor": [1.0, 0.0], "No data": [0.0, 0.0]},
        index=pd.Index(["x", "y"], name="region_id")), R.Targets(80, 2))
    inv = R.invest_ranking(t, pd.Series({"x": 1000.456, "y": 0.0}),
                           pd.Series({"x": 300.0, "y": 100.0}), {"x": "X", "y": "Y"}, per="mile")
    table = invest_table(inv, level_label="Town", unit="mi", unit_word="miles", currency="USD")
    text = reader_csv(table, "Methodology — m.").decode("utf-8").splitlines()
    assert text[0] == "# Methodology — m."
    assert text[1] == ("Rank,Town,Priority (0–100),Road miles,Poor miles,Poor (%),"
                       "Good or better (%),Target status,Funding programmed (USD),"
                       "Funding per mile (USD),Funding per resident (USD),Population,Town id")
    assert text[2] == "1,X,50.0,2.1,1.0,46.5,46.5,Missed,1000.0,466.0,3.0,300.0,x"


def test_sentence_and_kpis_format_shares_alike():
    fig = R.RegionFigure(miles=359.6, rated=340.7, good_share=77.702, poor_share=4.2803,
                         no_data=18.924, status="missed")
    assert fig.sentence("Interstate", R.Targets(80, 2)) == (
        "77.7% of interstate miles are in good or better condition against a target of 80%. "
        "4.3% are poor against a maximum of 2%. Target missed.")
    assert R.share_text(fig.good_share) == "77.7%" and R.length_text(fig.no_data) == "18.9 mi"
    assert R.length_text(float("nan")) == "No data"


def test_boston_legend_no_data_is_the_kpi_and_the_classes_add_up():
    """The road legend once said "No data 20 mi" (whole segments, no decimals) against the
    KPI's 18.9 (miles inside the towns)."""
    from exports.roads import overlay_legend, static_overlays
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    ws = load_manifest("geodata/workspaces/boston_region")
    rd = R.load_roads(ws, WorkspaceData(ws).boundaries("town"))
    rc = R.road_condition(rd.config, rd.network, rd.bins, rd.area_ids, PSI.id, "segments")
    legend = overlay_legend(rd, PSI, rc)
    assert legend[-1] == ("No data", "#8c8c8c", "18.9 mi")
    assert legend[-1][2] == R.length_text(rc.figure.no_data, "mi")
    per_class, no_data = R.class_lengths(rc, PSI)
    assert sum(per_class) + no_data == pytest.approx(rc.figure.miles)
    # the static export's legend reads the same numbers
    assert static_overlays(rd, PSI, rc)[1].legend[-1] == ("No data (18.9 mi)", "#8c8c8c")
    # and the Data problems list counts the same length
    no_score = next(p for p in rd.problems if p.code == "no_score")
    assert "(18.9 mi of road inside the areas)" in str(no_score.message)


def test_methodology_says_what_a_reader_needs():
    from geodata.workspace import load_manifest

    ws = load_manifest("geodata/workspaces/boston_region")
    cfg = R.road_config(ws)
    text = R.methodology(cfg, PSI, "segments")
    assert text == ("Methodology — Interstate: PSI, MassDOT interstate classes: excellent ≥ 3.5, "
                    "good 3–3.5, fair 2.5–3, poor < 2.5, survey 2013. Road lengths are measured "
                    "on the ground; shares are of rated miles.")
    assert "UTM" not in R.methodology(cfg, PSI, "all")


def test_funding_layer_puts_towns_without_money_in_their_own_class():
    ids = ["a", "b", "c", "d", "e", "f"]
    v = R.funding_layer_view(ids, pd.Series({"a": 0.0, "b": 0.0, "c": 10.0, "d": 20.0,
                                             "e": 317.45, "f": np.nan}),
                             title="Funding", unit="USD", k=3)
    assert v.legend[0].label == "No funding" and v.legend[0].count == 2
    assert v.class_ids.tolist()[:2] == [0, 0] and v.class_ids.tolist()[-1] == -1
    assert not any(e.label.startswith("$0") for e in v.legend[1:])
    assert v.legend[-1].count == 1                                  # No data: f only
    assert v.value_text[0] == "$0"


def test_road_lines_are_an_overlay_of_the_component():
    import json

    from layers.render_roads import encode_lines, lines_overlay

    g = gpd.GeoDataFrame({"segment_id": ["1", "2"], "drawable": [True, True]},
                         geometry=[LineString([(-71, 42), (-71.01, 42.01)]),
                                   LineString([(-71.1, 42), (-71.11, 42.02)])], crs=4326)
    enc = encode_lines(g)
    ov = lines_overlay(enc, [1, -1], ["#111111", "#222222"], "#8c8c8c", overlay_id="roads",
                       label="PSI class", legend=[("good", "#111111", "1.0 mi"),
                                                  ("fair", "#222222", "0.0 mi"),
                                                  ("No data", "#8c8c8c", "1.5 mi")],
                       tooltip_title=["I1 · segment 1", "Segment 2"],
                       tooltip_rows=[("Direction", ["NB", "SB"])])
    p = json.loads(ov.json)
    assert p["g"] == json.loads(enc.parts_json) and p["k"] == [0, 0]
    assert p["c"] == [1, 2] and p["pal"] == ["#111111", "#222222", "#8c8c8c"]   # No data last
    assert p["legend"][-1] == ["No data", "#8c8c8c", "1.5 mi"] and p["shape"] == "line"
    assert p["h"] == ["I1 · segment 1", "Segment 2"] and p["rows"] == [["Direction", ["NB", "SB"]]]
    assert ov.features == 2 and json.loads(enc.json)["lines"] == p["g"]


def test_in_chinese():
    from locales import use

    with use("zh"):
        assert R.length_text(18.93) == "18.9 英里"
        assert R.Targets(80, 2).text() == "良好及以上 ≥ 80%，且较差 ≤ 2%"
        assert R.status_label("missed") == "未达标"
        fig = R.RegionFigure(1, 1, 77.7, 4.3, 0, "missed")
        assert fig.sentence("Interstate", R.Targets(80, 2), "英里") == (
            "interstate 英里中77.7%路况为良好及以上，目标为80%。4.3%为较差，上限为2%。未达标。")


def test_problems_follow_the_readers_language(network):
    """Problems are found once (a shared cache) and read in each reader's language."""
    from locales import use

    _, problems, _, _ = network
    msg = next(p for p in problems if p.code == "reprojected").message
    with use("zh"):
        assert str(msg).startswith("图层坐标系为 EPSG:32619")
    with use("en"):
        assert str(msg).startswith("the layer is in EPSG:32619 (a projected CRS)")


def test_a_roads_view_exports_the_targets_table_for_readers():
    from exports.roads import load, reader_csv, view_table
    from geodata.dataset import WorkspaceData
    from geodata.viewstate import resolve_view
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest("geodata/workspaces/boston_region"))
    vs, _ = resolve_view(data, {"page": "roads", "road_layer": "status", "level": "town",
                                "condition": "psi_massdot_interstate"})
    table, methodology = view_table(data, load(data), vs)
    lines = reader_csv(table, methodology).decode("utf-8").splitlines()
    assert lines[0].startswith("# Methodology — Interstate: PSI, MassDOT interstate classes")
    assert lines[1].startswith("Town,Target status,Road miles,Rated miles,excellent (miles),")
    assert lines[1].endswith(",Good or better (%),Poor (%),Town id")
    assert lines[2].split(",")[1] == "Missed" and lines[-1].split(",")[1] == "Met"


def test_a_roads_views_files_hold_the_targets_table_and_the_areas_with_a_class():
    """A roads view of road condition: its CSV and Excel map data are the Roads page's
    targets table (labels, status words, miles), its figure the towns with a class (the
    legend's counts); a funding layer keeps the map table and figures of its money."""
    from exports.compose import compose, map_csv, map_sheet
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest
    from locales import use

    data = WorkspaceData(load_manifest("geodata/workspaces/boston_region"))
    with use("en"):
        c = compose(data, {"page": "roads", "road_layer": "status", "overlay": "1",
                           "condition": "psi_massdot_interstate"})
        lines = map_csv(data, c).decode("utf-8").splitlines()
        sheet = map_sheet(data, c)
        f = compose(data, {"page": "roads", "road_layer": "funding_per_resident"})
        assert c.figures.line() == "Towns with data: 50 of 97"
        assert f.figures.by_key()["overall"] == "$217.19"
    assert sum(e.count for e in c.view.legend[:-1]) == 50 and c.view.legend[-1].count == 47
    assert lines[0].startswith("# Methodology — Interstate: PSI, MassDOT interstate classes")
    assert lines[1].startswith("Town,Target status,Road miles,Rated miles,")
    assert len(lines) == 2 + 50 and lines[2].split(",")[:2] == ["CAMBRIDGE", "Missed"]
    assert list(sheet.columns[:3]) == ["Town", "Target status", "Road miles"]
    assert len(sheet) == 50 and sheet["Poor (%)"].iloc[1] == 50.5
    assert f.reader is None and map_csv(data, f).startswith(b"region_id,name,value,unit,")
