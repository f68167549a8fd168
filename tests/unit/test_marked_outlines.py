"""Outliers marked on any map: analysis.outliers.mark_outliers flags and marks them (or says
why not), and every renderer draws the marked regions with the same thick dark outline and one
legend row: the map component's payload, the folium/HTML export, the static PNG/PDF/SVG (main
map and insets), and the exports of a link with ``outliers=``."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from shapely.geometry import box

from analysis import AnalysisError
from analysis.outliers import mark_outliers, parse_spec, spec_text
from geodata.problems import Text
from layers.choropleth import MARK_COLOUR, MARK_HALO, build_choropleth, with_marks
from layers.geometry import encode_layer
from layers.map_payload import values_payload
from layers.render_folium import build_map
from layers.render_static import Inset, MapFrame, draw, prepare_static
from locales import use

IDS = [f"r{i}" for i in range(10)]
#: nine ordinary values and one far out (r9): median 5.5, scaled MAD 3.7065
VALUES = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 90.0], index=IDS)


def _gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"region_id": IDS, "name": [f"Region {i}" for i in range(10)]},
                            geometry=[box(i, 0, i + 1, 1) for i in range(10)], crs=4326)


def _view(selected=None):
    return build_choropleth(IDS, VALUES, title="Money", unit="USD", k=3, selected=selected)


# ------------------------------------------------------------------ the spec and the marks
@pytest.mark.parametrize("text, expected", [
    ("", None), (None, None), ("mad", ("mad", 3.5)), ("MAD:3", ("mad", 3.0)),
    ("tukey", ("tukey", 1.5)), ("tukey:3", ("tukey", 3.0))])
def test_parse_spec(text, expected):
    assert parse_spec(text) == expected


@pytest.mark.parametrize("text", ["iqr", "mad:0", "mad:-1", "mad:x", "tukey:11", "mad:nan"])
def test_parse_spec_refuses(text):
    with pytest.raises(AnalysisError):
        parse_spec(text)


def test_spec_text_leaves_out_the_default_k():
    assert spec_text("mad", 3.5) == "mad" and spec_text("tukey", 3) == "tukey:3"


def test_mark_outliers_outlines_the_far_region_and_says_why():
    view, res = mark_outliers(_view(), VALUES, "USD", "mad")
    assert view.marked == ("r9",) and res.ids == ("r9",)
    assert view.marked_label == "Outliers (median ± 3.5 MAD)"
    label, texts = view.tooltip_rows[-1]
    assert label == "Outlier"
    assert texts[9] == "robust z-score +22.8" and texts[:9] == ("",) * 9
    assert str(res.method).startswith("Outliers: values more than 3.5 times the median")
    # Tukey's fences with k = 3: Q1 3.25, Q3 7.75, IQR 4.5, fence 21.25; (90 − 21.25) / 4.5
    view, res = mark_outliers(_view(), VALUES, "USD", "tukey:3")
    assert view.marked == ("r9",) and view.tooltip_rows[-1][1][9] == "15.3 IQRs beyond the fence"
    assert view.marked_label == "Outliers (Tukey's fences, k = 3)"


def test_off_and_refusals_leave_the_view_unmarked():
    plain = _view()
    view, res = mark_outliers(plain, VALUES, "USD", "")
    assert view is plain and res is None
    few = VALUES.iloc[:4]
    view, res = mark_outliers(plain, few, "USD", "mad")
    assert view is plain and isinstance(res, Text)
    assert str(res) == "Outliers need at least 5 regions with values; 4 have one here."
    view, res = mark_outliers(plain, VALUES, "USD", "zscore")
    assert view is plain and str(res) == "Unknown outlier rule 'zscore'; one of: mad, tukey."


def test_marks_in_chinese():
    with use("zh"):
        view, _ = mark_outliers(_view(), VALUES, "USD", "mad")
    assert view.marked_label == "异常值（中位数 ± 3.5 倍 MAD）"
    assert view.tooltip_rows[-1] == ("异常值", ("",) * 9 + ("稳健z值 +22.8",))


def test_with_marks_keeps_only_regions_of_the_view():
    view = with_marks(_view(), ["r2", "elsewhere", "r2"], "Marked")
    assert view.marked == ("r2",) and view.marked_positions() == [2]


# ------------------------------------------------------------------ renderers
def test_the_map_payload_carries_the_marks_in_a_values_only_update():
    view, _ = mark_outliers(_view(), VALUES, "USD", "mad")
    v = json.loads(values_payload(view))
    assert v["m"] == [9]
    assert v["mk"] == ["Outliers (median ± 3.5 MAD)", "1"]
    assert v["mks"][0] == MARK_COLOUR and v["mks"][1] >= 2.5
    assert v["rows"][-1] == ["Outlier", [""] * 9 + ["robust z-score +22.8"]]
    assert "m" not in json.loads(values_payload(_view()))


def test_the_folium_export_draws_the_marks():
    layer = encode_layer(_gdf())
    view, _ = mark_outliers(_view(), VALUES, "USD", "mad")
    html = build_map(layer, view).get_root().render()
    assert '"m":[9]' in html.replace(" ", "") and "fm-mark" in html
    assert "Outliers (median \\u00b1 3.5 MAD)" in html or "Outliers (median ± 3.5 MAD)" in html


def _marked_collections(ax):
    return {c.get_gid(): c for c in ax.collections if c.get_gid() in ("marked", "marked-halo")}


def test_the_static_map_outlines_marked_regions_over_a_halo_with_a_legend_row():
    gdf = _gdf()
    view, _ = mark_outliers(_view(), VALUES, "USD", "mad")
    snap = draw(prepare_static(gdf), view, dpi=72)
    marks = _marked_collections(snap.axes["main"])
    assert set(marks) == {"marked", "marked-halo"}
    assert len(marks["marked"].get_paths()) == 1
    assert to_hex(marks["marked"].get_edgecolor()[0]) == MARK_COLOUR
    assert to_hex(marks["marked-halo"].get_edgecolor()[0]) == MARK_HALO
    assert marks["marked"].get_linewidths()[0] >= 1.4
    assert marks["marked"].get_zorder() > marks["marked-halo"].get_zorder() > 2
    texts = [t.get_text() for ax in snap.figure.axes for t in ax.texts]
    assert "Outliers (median ± 3.5 MAD)  (1)" in texts
    unmarked = draw(prepare_static(gdf), _view(), dpi=72)
    assert not _marked_collections(unmarked.axes["main"])


def test_the_static_map_outlines_a_marked_region_in_its_inset():
    gdf = _gdf()
    frame = MapFrame(insets=(Inset("Far", ("r9",), None, (0.7, 0.0, 0.3, 0.3)),))
    view, _ = mark_outliers(_view(), VALUES, "USD", "mad")
    snap = draw(prepare_static(gdf, frame), view, dpi=72)
    assert not _marked_collections(snap.axes["main"])
    assert len(_marked_collections(snap.axes["Far"])["marked"].get_paths()) == 1


def test_the_selected_region_keeps_its_black_outline_not_the_mark():
    view, _ = mark_outliers(_view(selected="r9"), VALUES, "USD", "mad")
    snap = draw(prepare_static(_gdf()), view, dpi=72)
    assert not _marked_collections(snap.axes["main"])
    black = [c for c in snap.axes["main"].collections
             if len(c.get_edgecolor()) and to_hex(c.get_edgecolor()[0]) == "#111111"]
    assert len(black) == 1


# ------------------------------------------------------------------ exports of a link
def test_a_link_with_outliers_is_resolved_and_bad_values_reported(us):
    from geodata.viewstate import resolve_view

    base = {"level": "state", "measure": "per_capita"}
    vs, ignored = resolve_view(us, {**base, "outliers": "mad:3.50"})
    assert vs.outliers == "mad" and ignored == []     # the default k left out
    assert vs.to_query()["outliers"] == "mad"
    for bad in ("iqr", "mad:0", "tukey:x"):
        vs, ignored = resolve_view(us, {**base, "outliers": bad})
        assert vs.outliers == "" and ignored == [f"outliers='{bad}': not understood"]


def test_exports_mark_north_dakota_and_carry_the_scores(us):
    from exports.compose import compose, map_table

    c = compose(us, {"level": "state", "measure": "per_capita", "years": "2024-2024",
                     "outliers": "mad"})
    assert "38" in c.view.marked                            # North Dakota
    assert c.view.marked_label == "Outliers (median ± 3.5 MAD)"
    assert c.methodology.startswith("Outliers: values more than 3.5 times the median")
    table = map_table(us, c).set_index("region_id")
    assert table.loc["38", "outlier"] == pytest.approx(30.6, abs=0.1)
    assert pd.isna(table.loc["06", "outlier"])              # California: not an outlier
    plain = compose(us, {"level": "state", "measure": "per_capita"})
    assert plain.view.marked == () and "outlier" not in map_table(us, plain).columns


def test_an_export_the_rule_cannot_run_on_says_why(us):
    from dataclasses import replace

    from exports.compose import compose
    from geodata.dataset import map_values

    def four_states(spec):
        mv = map_values(us, spec)
        keep = mv.values.dropna().index[:4]
        return replace(mv, values=mv.values.where(mv.values.index.isin(keep)))

    c = compose(us, {"level": "state", "measure": "per_capita", "outliers": "mad"},
                values=four_states)
    assert c.view.marked == () and c.outliers is None and c.methodology == ""
    assert c.ignored[-1] == ("outliers='mad': Outliers need at least 5 regions with values; "
                             "4 have one here (52 left out).")


def test_the_link_key_accepts_what_the_rules_accept():
    from geodata.viewstate import _parse_outliers

    for text in ("mad", "mad:3.5", "tukey:1.5", "tukey:10", " MAD:2 "):
        assert parse_spec(_parse_outliers(text)) == parse_spec(text)
    assert _parse_outliers("mad:3.5") == "mad" and _parse_outliers("tukey:3") == "tukey:3"
    for bad in ("z", "mad:0", "mad:11", "mad:x", "tukey:nan"):
        with pytest.raises(ValueError):
            _parse_outliers(bad)
