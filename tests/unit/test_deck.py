"""The deck.gl views' spec builders (layers/deck.py) and files (exports/deck.py): colours read
from the ChoroplethView, heights in proportion to the values, the awards and their hexagons
reconciling to the cent, data text escaped, an HTML file with deck.gl inlined and no remote
asset."""
from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from exports import deck as xdeck
from layers import deck as D
from layers.assets import STATIC_DIR, assert_no_remote_assets
from layers.choropleth import build_choropleth, with_marks
from layers.geometry import encode_layer
from layers.map_payload import values_payload
from layers.web_deck import DECK_JS, WEB_DECK_DIR
from locales import use

REPO = Path(__file__).resolve().parents[2]
IDS = ["a", "b", "c", "d"]


def layer():
    gdf = gpd.GeoDataFrame({"region_id": IDS, "name": ["Alpha", "Beta", "Gamma", "Delta"]},
                           geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=4326)
    return encode_layer(gdf)


def view(values=(10.0, 20.0, 40.0, np.nan), **kw):
    args = dict(title="FY2025", unit="USD per resident", scheme="quantiles", k=3,
                palette="YlGnBu", population=pd.Series([100, 200, 300, 400], index=IDS))
    args.update(kw)
    return build_choropleth(IDS, pd.Series(values, index=IDS), **args)


def payload_of(p: D.DeckPayload) -> dict:
    return json.loads(p.json)


# ------------------------------------------------------------------ regions in 3D
def test_the_3d_colours_are_the_views_colours_and_its_legend_and_tooltips_the_2d_maps():
    v = view()
    P = payload_of(D.region_deck(layer(), v, height_label="USD per resident"))
    assert P["kind"] == "regions"
    # one RGBA per feature, the view's colour of its class; No data in the No-data colour
    assert P["fill"] == [D.rgba(c) for c in v.colours()]
    assert P["fill"][3] == D.rgba("#d9d9d9")
    assert P["fill"][2] == D.rgba(v.class_colours[2]) != P["fill"][0]
    # legend, value texts and tooltip rows: the 2D map's payload, unchanged
    assert P["V"] == json.loads(values_payload(v))
    assert P["V"]["v"] == ["$10 per resident", "$20 per resident", "$40 per resident",
                           "No data"]
    assert [r[0] for r in P["V"]["rows"]] == ["Population", "Rank"]
    assert P["geom"]["names"] == ["Alpha", "Beta", "Gamma", "Delta"]


def test_heights_are_in_proportion_to_the_values():
    assert D.elevations([10, 20, np.nan, -5, 0, 5], 1000) == [500, 1000, 0, 0, 0, 250]
    assert D.elevations([np.nan, np.nan], 1000) == [0, 0]
    # cut at the cap: the cap rises the full height, above it no higher
    assert D.elevations([1, 2, 100], 100, cap=2) == [50, 100, 100]
    v = view()
    P = payload_of(D.region_deck(layer(), v, top_share=0.5))
    top = D.ground_width_m(layer().bounds) * 0.5
    assert P["e"] == [round(top / 4), round(top / 2), round(top), 0]
    assert P["txt"]["height"] == "Height: USD per resident; the tallest region is $40 per " \
                                 "resident."


def test_far_out_values_are_cut_at_the_box_maps_outlier_fence_and_the_legend_says_so():
    ids = [f"r{i}" for i in range(12)]
    gdf = gpd.GeoDataFrame({"region_id": ids, "name": ids},
                           geometry=[box(i, 0, i + 1, 1) for i in range(12)], crs=4326)
    values = pd.Series([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 5000.0], index=ids)
    v = build_choropleth(ids, values, title="FY", unit="USD per resident", scheme="box_map",
                         palette="YlGnBu")
    cap = D.height_cap(v)
    assert v.classification.scheme == "box_map" and v.classification.counts[5] == 1
    assert cap == pytest.approx(v.classification.bins[4])
    P = payload_of(D.region_deck(encode_layer(gdf), v, top_share=0.1))
    top = D.ground_width_m(encode_layer(gdf).bounds) * 0.1
    assert P["e"][-1] == round(top)                    # the outlier: cut at the top height
    assert P["e"][0] == round(10 / cap * top)          # the others to scale under the cap
    assert "the 1 region(s) above it (up to $5,000 per resident) are cut" in P["txt"]["height"]
    # nothing far out: no cap
    assert D.height_cap(view()) is None


def test_marked_regions_get_outline_layers_in_the_marks_colours():
    v = with_marks(view(), ["b"], "Outliers")
    P = payload_of(D.region_deck(layer(), v))
    ids = [layer_["id"] for layer_ in P["deck"]["layers"]]
    assert ids == ["regions", "mark_halo", "marks"]
    marks = P["deck"]["layers"][2]
    assert marks["getColor"] == D.rgba("#3f007d") and marks["widthUnits"] == "pixels"
    assert P["V"]["m"] == [1]


def test_the_pydeck_description_has_no_basemap_and_only_accessors_are_expressions():
    P = payload_of(D.region_deck(layer(), view()))
    A = payload_of(D.award_deck(layer(), D.place_awards(_items(), _points()), unit="USD",
                                title="Awards", place_label="Region"))
    for spec in (P["deck"], A["deck"]):
        text = json.dumps(spec)
        assert "http" not in text and "mapStyle" not in spec and "mapProvider" not in spec
        assert spec["views"] == [{"@@type": "MapView", "controller": True}]
        for lay in spec["layers"]:
            for key, value in lay.items():
                if isinstance(value, str) and value.startswith("@@="):
                    # a literal such as "pixels" must not become an expression
                    assert key.startswith("get"), (lay["id"], key, value)
            assert lay["data"].startswith("@@#")
    scatter = next(x for x in A["deck"]["layers"] if x["id"] == "awards")
    assert scatter["radiusUnits"] == "pixels" and scatter["@@type"] == "ScatterplotLayer"
    assert P["deck"]["layers"][0]["@@type"] == "PolygonLayer"
    assert P["deck"]["layers"][0]["extruded"] is True


def test_the_views_order_must_be_the_layers():
    v = build_choropleth(list(reversed(IDS)), pd.Series([1.0, 2, 3, 4], index=IDS),
                         title="x", unit="USD")
    with pytest.raises(ValueError):
        D.region_deck(layer(), v)


# ------------------------------------------------------------------ award points
def _points():
    return {"a": (0.5, 0.5), "b": (1.5, 0.5), "c": (2.5, 0.5), "d": (3.5, 0.5)}


def _items():
    return pd.DataFrame({
        "amount": [1000.0, 250.5, 0.125, 99.995, 42.0, 7.0, 3.0],
        "region_id": ["a", "a", "b", "zz", None, "c", "d"],
        "recipient": ["Alpha Org", "Beta Org", "Gamma", "Nobody", "Blank", "Own", "Far"],
        "purpose": ["Parks", "Seniors", "", "x", "y", "z", "w"],
        "lon": [np.nan, np.nan, np.nan, np.nan, np.nan, 2.9, "abc"],
        "lat": [np.nan, np.nan, np.nan, np.nan, np.nan, 0.9, 1.0]})


def test_awards_sit_at_their_coordinates_or_their_regions_point_and_reconcile_to_the_cent():
    aw = D.place_awards(_items(), _points())
    # zz (no such region) and the blank region are not placed; "abc" is no coordinate: d's point
    assert aw.placed_n == 5 and aw.not_placed_n == 2 and aw.by_coordinates == 1
    assert aw.placed_cents == 100000 + 25050 + 13 + 700 + 300
    assert aw.not_placed_cents == 10000 + 4200          # 99.995 rounds half away from zero
    assert aw.total_cents == int(D.to_cents(_items()["amount"]).sum())
    placed = aw.placed.set_index("recipient")
    assert (placed.loc["Alpha Org", "lon"], placed.loc["Alpha Org", "lat"]) == (0.5, 0.5)
    assert (placed.loc["Own", "lon"], placed.loc["Own", "lat"]) == (2.9, 0.9)
    assert (placed.loc["Far", "lon"], placed.loc["Far", "lat"]) == (3.5, 0.5)
    rec = D.reconcile(aw, total_cents=aw.total_cents, bounds=(0, 0, 4, 1))
    assert rec.reconciles and rec.hex_cents == (aw.placed_cents,) * len(D.HEX_ACROSS)
    assert not D.reconcile(aw, total_cents=aw.total_cents + 1, bounds=(0, 0, 4, 1)).reconciles


def test_cents_are_rounded_as_the_ledger_rounds_them():
    from geodata.ledger.base import round_cents

    amounts = pd.Series([0.005, 1.005, -2.675, 2.675, 1e12 + 0.5, 0.015, 10.0, -0.125])
    assert D.to_cents(amounts).tolist() == round_cents(amounts).astype("int64").tolist()


def test_hexagons_sum_the_awards_of_their_cells():
    rng = np.random.default_rng(7)
    n = 400
    placed = pd.DataFrame({"lon": rng.uniform(-74.2, -73.7, n), "lat": rng.uniform(40.5, 40.9, n),
                           "cents": rng.integers(1, 10_000_000, n),
                           "recipient": rng.choice(["A", "B", "C"], n)})
    size = D.hex_size_for((-74.2, 40.5, -73.7, 40.9), 12)
    bins = D.hex_bins(placed, size)
    assert int(bins["cents"].sum()) == int(placed["cents"].sum())
    assert int(bins["n"].sum()) == n
    assert bins["cents"].is_monotonic_decreasing
    # every point lies in the hexagon it was counted in
    q, r = D.hex_cells(placed["lon"].to_numpy(), placed["lat"].to_numpy(), size)
    for i in range(0, n, 37):
        ring = D.hex_ring(int(q[i]), int(r[i]), size, decimals=7)
        assert ring[0] == ring[-1] and len(ring) == 7
        assert shapely.Polygon(ring).buffer(1e-6).contains(
            Point(placed["lon"][i], placed["lat"][i]))
    # the largest recipient of a bin is the one with the most money in it
    one = pd.DataFrame({"lon": [-74.0] * 3, "lat": [40.7] * 3, "cents": [5, 7, 4],
                        "recipient": ["X", "Y", "X"]})
    b = D.hex_bins(one, size)
    assert b["cents"].tolist() == [16] and b["n"].tolist() == [3] and b["top"].tolist() == ["X"]


def test_points_are_sized_by_area_and_the_legend_uses_round_amounts():
    r = D.point_radius_px([100, 400, 1600, 0], top_cents=1600)
    assert r[2] == D.MAX_RADIUS_PX
    assert (r[1] / r[2]) ** 2 == pytest.approx(400 / 1600)
    assert (r[0] / r[2]) ** 2 == pytest.approx(100 / 1600)
    assert r[3] == D.MIN_RADIUS_PX
    assert D.nice_amounts(7_300_000) == [5_000_000, 500_000, 50_000]
    assert D.nice_amounts(2_000) == [2000, 200, 20]
    assert D.nice_amounts(0) == []


def test_the_award_payload_carries_text_tables_and_the_hexagons_of_every_size():
    aw = D.place_awards(_items(), _points())
    P = payload_of(D.award_deck(layer(), aw, unit="USD", title="Awards", place_label="Region",
                                names={"a": "Alpha"}))
    pts = P["pts"]
    assert len(pts["x"]) == aw.placed_n == 5
    # largest first, drawn under the smaller ones
    first = pts["tw"][pts["w"][0]]
    assert first == "Alpha Org" and pts["ta"][pts["a"][0]] == "$1,000"
    # two awards share a's point: its tooltip line says so
    where = pts["tl"][pts["l"][0]]
    assert where == ["Alpha", "2 awards, $1,250"]          # $1,250.50, in whole dollars
    assert len(P["hex"]) == len(D.HEX_ACROSS)
    assert all(h["cents"] == aw.placed_cents for h in P["hex"])
    assert [s[0] for s in P["sizes"]] == ["$1,000", "$100", "$10"]


def test_data_text_is_escaped_in_the_payload_and_the_html_and_never_markup_in_the_browser():
    hostile = '</script><img src=x onerror="alert(1)">&amp; “Org”'
    items = _items().assign(recipient=hostile, purpose=hostile)
    aw = D.place_awards(items, _points())
    p = D.award_deck(layer(), aw, unit="USD", title=hostile, place_label="Region")
    assert "<" not in p.json and ">" not in p.json and "&" not in p.json
    P = json.loads(p.json)
    assert P["pts"]["tw"] == [hostile] and P["title"] == hostile
    page = xdeck.deck_html(p, title=hostile, subtitle=hostile, notes=[hostile],
                           source=hostile).decode("utf-8")
    assert "<img" not in page and "</script><img" not in page
    assert "&lt;/script&gt;&lt;img src=x" in page           # the heading, as text
    # the browser side writes text only
    for js in (DECK_JS, (WEB_DECK_DIR / "component.js").read_text(encoding="utf-8")):
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", js)


# ------------------------------------------------------------------ files
def test_the_html_export_inlines_deck_gl_and_asks_for_nothing_remote():
    p = D.region_deck(layer(), view())
    page = xdeck.deck_html(p, title="Money per resident", source="Source: test").decode()
    assert_no_remote_assets(page)
    assert "/app/static/" not in page
    assert not re.search(r"<script\s+src\s*=\s*[\"']", page)        # every script inline
    # deck.gl, its JSON converter and the view's own script, all inline
    assert 'VERSION' in page and "JSONConverter" in page and "function fdDeck" in page
    assert "9.3.11" in page
    assert page.count('<script type="application/json" id="fd-payload">') == 1
    m = re.search(r'id="fd-payload">(.*?)</script>', page, re.S)
    assert json.loads(m.group(1))["kind"] == "regions"


def test_vendored_deck_gl_is_the_version_the_readme_names():
    files = xdeck.vendored_files()
    assert [f.name for f in files] == ["deckgl.min.js", "deckgl-json.min.js"]
    assert all(f.is_file() for f in files)
    assert (STATIC_DIR / "vendor/deckgl/LICENSE").is_file()
    readme = (STATIC_DIR / "vendor/README.md").read_text(encoding="utf-8")
    assert f"deck.gl {D.DECK_VERSION}" in readme
    assert "9.3.11" in files[0].read_text(encoding="utf-8")[:2_000_000]
    # the component page loads them from the app, never from elsewhere
    index = (WEB_DECK_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<script src="([^"]+)"', index) == [
        "../../app/static/vendor/deckgl/deckgl.min.js",
        "../../app/static/vendor/deckgl/deckgl-json.min.js", "deck.js", "component.js"]


def test_the_static_stand_in_is_the_2d_map_of_the_same_classes():
    from PIL import Image

    v = view()
    gdf = gpd.GeoDataFrame({"region_id": IDS, "name": IDS},
                           geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=4326)
    png = xdeck.flat_snapshot(v, xdeck.boundaries_in_order(gdf, IDS), "png", dpi=72)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = set(img.getdata()) if not hasattr(img, "get_flattened_data") \
        else set(img.get_flattened_data())
    for c in v.class_colours:
        assert tuple(D.rgba(c)[:3]) in colours
    pdf = xdeck.flat_snapshot(v, gdf, "pdf")
    assert pdf.startswith(b"%PDF")
    with pytest.raises(ValueError):
        xdeck.flat_snapshot(v, gdf, "svg")


def test_boundaries_in_order_follows_the_views_regions():
    gdf = gpd.GeoDataFrame({"region_id": IDS, "name": IDS},
                           geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=4326)
    out = xdeck.boundaries_in_order(gdf, ["c", "a"])
    assert out["region_id"].tolist() == ["c", "a"]


# ------------------------------------------------------------------ the NYC demo
@pytest.fixture(scope="module")
def nyc():
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    ws = load_manifest(REPO / "geodata/workspaces/nyc_council/workspace.toml")
    return WorkspaceData(ws)


def test_the_nyc_awards_by_zip_area_reconcile_with_the_maps_join(nyc):
    from geodata.dataset import MeasureSpec, map_values

    src = xdeck.line_item_source(nyc, "awards_zip")
    assert src == xdeck.LineItemSource(table="awards_zip", level="zip", recipient="legal_name",
                                       purpose="purpose")
    assert xdeck.line_item_source(nyc, "population_zip") is None
    items = xdeck.select_items(xdeck.line_items(nyc, src), (2026, 2026))
    aw = xdeck.awards_on_map(nyc, items, src)
    join = map_values(nyc, MeasureSpec(level="zip", measure="total", table="awards_zip",
                                       span=(2026, 2026))).join
    # the awards placed are the money the 2D map places, to the cent; the rest is not placed
    assert aw.placed_cents == join.placed_cents
    assert aw.not_placed_cents == join.not_placed_cents
    assert aw.total_cents == xdeck.table_total_cents(nyc, "awards_zip", (2026, 2026)) \
        == 716_213_155_00
    assert aw.by_coordinates == 0
    # every award of a ZIP area sits at one point inside it
    points = xdeck.region_points(nyc.boundaries("zip"))
    first = aw.placed.iloc[0]
    assert (first["lon"], first["lat"]) == points[first["region_id"]]
    zips = nyc.boundaries("zip").set_index("region_id")
    assert zips.loc[first["region_id"]].geometry.contains(Point(first["lon"], first["lat"]))
    assert set(aw.placed["recipient"]) and "" not in set(aw.placed["recipient"])
    # an agency's awards only
    dycd = xdeck.select_items(xdeck.line_items(nyc, src), (2026, 2026), ["DYCD"])
    assert 0 < len(dycd) < len(items) and set(dycd["agency"]) == {"DYCD"}
    assert int(D.to_cents(dycd["amount"]).sum()) == \
        xdeck.table_total_cents(nyc, "awards_zip", (2026, 2026), ["DYCD"])


def test_a_table_of_sums_has_no_award_points():
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    us = WorkspaceData(load_manifest(REPO / "geodata/workspaces/us_federal/workspace.toml"))
    assert all(xdeck.line_item_source(us, s.id) is None for s in us.ws.tables)


def test_the_views_words_are_in_chinese_when_the_reader_reads_chinese():
    with use("zh"):
        words = D.deck_words("2025财年")
        P = payload_of(D.region_deck(layer(), view(), height_label="人均美元"))
    assert words["reset"] == "重置视图"
    assert words["name"] == "三维地图：2025财年"
    assert words["lang"] == "zh"
    assert P["txt"]["tilt"] == "倾斜"
    assert P["V"]["v"][0] == "人均10美元"
    assert math.isfinite(P["e"][0])


def test_the_nyc_static_stand_in_draws_the_zip_areas_with_the_note(nyc, tmp_path):
    from geodata.dataset import MeasureSpec, map_values
    from layers.render_static import map_frame

    mv = map_values(nyc, MeasureSpec(level="zip", measure="per_capita", table="awards_zip",
                                     span=(2026, 2026)))
    ids = [str(r) for r in nyc.boundaries("zip")["region_id"]][::-1]     # not the file's order
    v = build_choropleth(ids, mv.values, title="FY2026", unit="USD per resident")
    png = xdeck.flat_snapshot(v, xdeck.boundaries_in_order(nyc.boundaries("zip"), ids), "png",
                              frame=map_frame(nyc.ws.settings)[0], title="Awards per resident",
                              subtitle="USD per resident", source="Source: test", dpi=100)
    (tmp_path / "flat.png").write_bytes(png)
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.size == (1333, 750)            # 16:9 at 100 dpi


def test_one_award_makes_one_hexagon_in_one_class():
    aw = D.place_awards(_items().iloc[:1], _points())
    P = payload_of(D.award_deck(layer(), aw, unit="USD", title="Awards", place_label="Region"))
    for h in P["hex"]:
        assert len(h["poly"]) == 1 and h["cents"] == 100000
        assert [row[2] for row in h["legend"]] == ["1"]
        assert h["tip"] == [["$1,000", "1", "Alpha Org"]]
