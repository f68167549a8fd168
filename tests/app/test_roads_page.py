"""Roads page (AppTest): the Boston workspace's figures, map, tables and tabs as a reader sees
them (one number for the No data length, labelled tables with targets missed first, a "No
funding" class), in English and in Chinese; a workspace without segments says so."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import components

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/roads.py"
RAW_NAME = re.compile(r"^[a-z]+(_[a-z]+)+$")          # good_share, funding_per_mile, region_id


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _open(ws: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["ws"] = ws
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(PAGE)
    return _run(at)


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "markdown", "caption", "text", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no KPI {label!r}: {[m.label for m in at.metric]}")


#: A column only each table has: how the tests find it among the page's tables.
TABLES = {"targets": "Rated miles", "invest": "Rank", "trend": "Segments surveyed",
          "outside": "Segment length (miles)"}


def _find(at: AppTest, which: str):
    col = TABLES.get(which, which)
    for df in at.dataframe:
        if col in df.value.columns:
            return df
    raise AssertionError(f"no {which} table: {[list(d.value.columns) for d in at.dataframe]}")


def _table(at: AppTest, which: str) -> pd.DataFrame:
    return _find(at, which).value


def _formats(at: AppTest, which: str) -> dict[str, str]:
    cfg = json.loads(_find(at, which).proto.columns or "{}")
    return {c: v.get("type_config", {}).get("format") for c, v in cfg.items()}


def _map(at: AppTest, key: str = "roads_map") -> dict:
    """The arguments of a map component of the page (by its key)."""
    found = [json.loads(c.proto.json_args) for c in components(at._tree[0])]
    found = [a for a in found if a.get("key") == key]
    assert len(found) == 1, len(found)
    return found[0]


def _overlays(at: AppTest, key: str = "roads_map") -> dict[str, dict]:
    raw = _map(at, key)["overlays"]
    return {o["id"]: o for o in json.loads(raw)} if raw else {}


@pytest.fixture(scope="module")
def boston() -> AppTest:
    return _open("boston_region")


def test_headline_sentence_and_kpis_read_one_number(boston):
    text = _text(boston)
    assert ("77.7% of interstate miles are in good or better condition against a target of "
            "80%. 4.3% are poor against a maximum of 2%. Target missed.") in text
    assert [(m.label, m.value) for m in boston.metric] == [
        ("Interstate miles", "359.6 mi"), ("Good or better", "77.7%"), ("Poor", "4.3%"),
        ("No data", "18.9 mi")]


def test_methodology_speaks_to_a_budget_director(boston):
    text = _text(boston)
    assert ("Methodology — Interstate: PSI, MassDOT interstate classes: excellent ≥ 3.5, good "
            "3–3.5, fair 2.5–3, poor &lt; 2.5, survey 2013. Road lengths are measured on the "
            "ground; shares are of rated miles.") in text
    for jargon in ("UTM", "metres", "KB", "encoded"):
        assert jargon not in text, jargon
    assert ("Lines: 865 interstate segments, coloured by PSI class. Hover a segment for its "
            "condition, survey year and traffic.") in text


def test_the_map_is_the_component_with_the_segments_as_an_overlay(boston):
    names = {c.proto.component_name for c in components(boston._tree[0])}
    assert names == {"ui.map_component.fiscal_map"}            # no streamlit-folium frame
    roads = _overlays(boston)["roads"]
    assert roads["label"] == "PSI class, Interstate (2013)"
    assert len(roads["g"]) == len(roads["c"]) == 865 and set(roads["k"]) == {0}
    assert roads["legend"] == [["excellent", "#2166ac", "228.9 mi"],
                               ["good", "#67a9cf", "35.8 mi"], ["fair", "#f1a340", "61.4 mi"],
                               ["poor", "#b2182b", "14.6 mi"], ["No data", "#8c8c8c", "18.9 mi"]]
    # one number: the legend's No data length is the KPI's, to the same decimal
    assert roads["legend"][-1][2] == _metric(boston, "No data")
    # class ids index the palette, No data last
    assert max(roads["c"]) == 4 and roads["pal"][4] == "#8c8c8c"
    assert [r[0] for r in roads["rows"]] == ["Direction", "PSI", "Survey year",
                                             "Traffic (vehicles a day)", "Town", "Length"]


def test_towns_without_funding_are_their_own_class(boston):
    values = json.loads(_map(boston)["values"])
    legend = [(row[0], row[2]) for row in values["legend"]]
    assert legend[0] == ("No funding", "62")
    assert sum(int(n) for _, n in legend) == 97
    # no other class starts at $0 (it would overlap "No funding")
    assert not any(re.match(r"\$0( |$)", label) for label, _ in legend[1:]), legend
    assert legend[1][0].startswith("$0.31 ")


def test_targets_table_lists_missed_towns_first_with_labelled_columns(boston):
    table = _table(boston, "targets")
    assert list(table.columns) == [
        "Town", "Target status", "Road miles", "Rated miles", "excellent (miles)",
        "good (miles)", "fair (miles)", "poor (miles)", "No data (miles)", "Good or better (%)",
        "Poor (%)"]
    status = table["Target status"].tolist()
    assert status == ["Missed"] * 15 + ["At risk"] * 2 + ["Met"] * 33
    missed = table[table["Target status"] == "Missed"]["Poor (%)"]
    assert missed.is_monotonic_decreasing
    assert "**Missed**: 15 · **At risk**: 2 · **Met**: 33 — of 50 towns with interstate " \
        "miles, listed with the targets missed first." in _text(boston)
    fmt = _formats(boston, "targets")
    assert fmt["Road miles"] == "%,.1f" and fmt["Poor (%)"] == "%.1f%%"


def test_no_table_shows_a_raw_column_name(boston):
    assert len(boston.dataframe) >= 4
    for df in boston.dataframe:
        raw = [c for c in df.value.columns if RAW_NAME.match(str(c))]
        assert raw == [], (df.proto.id, list(df.value.columns))


def test_where_to_invest_is_ranked_labelled_and_in_whole_dollars(boston):
    inv = _table(boston, "invest")
    assert list(inv.columns) == [
        "Rank", "Town", "Priority (0–100)", "Road miles", "Poor miles", "Poor (%)",
        "Good or better (%)", "Target status", "Funding programmed (USD)",
        "Funding per mile (USD)", "Funding per resident (USD)", "Population"]
    assert list(inv["Rank"]) == list(range(1, len(inv) + 1))
    assert inv["Priority (0–100)"].is_monotonic_decreasing
    fmt = _formats(boston, "invest")
    assert fmt["Funding per mile (USD)"] == "$%,.0f" and fmt["Road miles"] == "%,.1f"


def test_csv_downloads_carry_the_labels_and_the_methodology(boston):
    from exports.roads import reader_csv
    from geodata.roads.tables import LENGTH, SHARE, ReaderTable

    tb = ReaderTable(pd.DataFrame({"Road miles": [2.1484], "Poor (%)": [12.345]}),
                     {"Road miles": LENGTH, "Poor (%)": SHARE})
    text = reader_csv(tb, "Methodology — x.").decode("utf-8")
    assert text == "# Methodology — x.\r\nRoad miles,Poor (%)\r\n2.1,12.3\r\n"


def test_overlay_toggle_takes_the_segments_off_the_map(boston):
    at = boston
    at.toggle(key="rd_overlay").set_value(False)
    _run(at)
    assert "Segments hidden: the map shows the town layer only." in _text(at)
    assert "roads" not in _overlays(at)
    at.toggle(key="rd_overlay").set_value(True)
    _run(at)
    assert "roads" in _overlays(at)


def test_switching_scheme_reclassifies(boston):
    at = boston
    before = _table(at, "targets").set_index("Town")
    at.selectbox(key="rd_condition").set_value("psi_massdot_town_bins")
    _run(at)
    assert "PSI, MassDOT town bins" in _text(at)
    after = _table(at, "targets").set_index("Town")
    # poor < 2.3 instead of < 2.5: fewer poor miles somewhere, same total
    assert after["poor (miles)"].sum() < before["poor (miles)"].sum()
    assert after["Road miles"].sum() == pytest.approx(before["Road miles"].sum())
    at.selectbox(key="rd_condition").set_value("psi_massdot_interstate")
    _run(at)


def test_road_class_bins_uses_town_table(boston):
    at = boston
    at.radio(key="rd_class").set_value("bins")
    _run(at)
    assert "45.7% of non-interstate NHS miles are in good or better condition against a " \
        "target of 70%." in _text(at)
    table = _table(at, "targets")
    assert "Good or better (miles)" in table.columns and "poor (miles)" not in table.columns
    # the segments drawn over the town bins keep their own legend (interstate miles)
    assert _overlays(at)["roads"]["legend"][-1][2] == "18.9 mi"
    at.radio(key="rd_class").set_value("segments")
    _run(at)


def test_change_map_is_the_component_too(boston):
    at = boston
    at.toggle(key="rd_change").set_value(True)
    _run(at)
    change = _overlays(at, "roads_change_map")["road_change"]
    assert change["label"] == "PSI change, 2007 to 2014 (segments)"
    assert [r[0] for r in change["legend"]][-1] == "Not surveyed both years"
    assert {c.proto.component_name for c in components(at._tree[0])} == \
        {"ui.map_component.fiscal_map"}
    at.toggle(key="rd_change").set_value(False)
    _run(at)


def test_the_page_in_chinese():
    at = _open("boston_region", lang="zh")
    assert at.title[0].value == "道路：路况与目标对照，以及资金"
    assert [m.label for m in at.metric][1:] == ["良好及以上", "较差", "无数据"]
    assert _metric(at, "无数据") == "18.9 英里"
    roads = _overlays(at)["roads"]
    assert roads["legend"][0][0] == "优秀" and roads["legend"][-1] == ["无数据", "#8c8c8c",
                                                                      "18.9 英里"]
    text = _text(at)
    assert "方法说明——" in text and "道路长度按实地长度计算" in text
    table = _table(at, "已评级英里")
    assert table.columns[1] == "目标状态" and table["目标状态"].iloc[0] == "未达标"
    values = json.loads(_map(at)["values"])
    assert values["legend"][0][0] == "无资金"


def test_us_workspace_has_no_segments():
    at = _open("us_federal")
    assert any("has no road segments" in str(i.value) for i in at.info)


def _mixed_segments_workspace(root, features: list[dict]) -> str:
    """A workspace whose segments file holds ``features`` (GeoJSON dicts)."""
    from tests.fixtures.helpers import LEVEL_TOML, squares_geojson, write_geojson, write_workspace

    ws = root / "mixed_segments"
    write_geojson(ws / "regions.geojson", squares_geojson(3))
    (ws / "segs.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                 "features": features}), encoding="utf-8")
    write_workspace(ws, LEVEL_TOML + """
[[tables]]
id = "segs"
kind = "segments"
level = "county"
file = "segs.geojson"
unit = "PSI (0-5)"
[tables.columns]
segment_id = "sid"
score = "psi"
""")
    return ws.name


def _seg(sid, geometry, psi=3.0) -> dict:
    return {"type": "Feature", "properties": {"sid": sid, "psi": psi}, "geometry": geometry}


POINT = {"type": "Point", "coordinates": [1.5, 0.5]}
AREA = {"type": "Polygon", "coordinates": [[[2.1, 0.1], [2.9, 0.1], [2.9, 0.9], [2.1, 0.1]]]}
STUB = {"type": "LineString", "coordinates": [[0.5, 0.5], [0.5, 0.5]]}


def test_a_line_file_of_points_and_areas_says_what_it_found(tmp_path, monkeypatch):
    """It once raised StopIteration (no road class to offer) while Data quality said
    "No problems found"."""
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    ws = _mixed_segments_workspace(tmp_path, [_seg("p1", POINT), _seg("a1", AREA),
                                              _seg("z1", STUB)])
    at = _open(ws)
    warning = " ".join(w.value for w in at.warning)
    assert "No road can be shown" in warning and "(3 feature(s) in segs.geojson)" in warning
    shown = [t.value for t in at.text]
    assert any("lines 1, 2: 2 feature(s) are not lines" in t and "'Point', 'Polygon'" in t
               for t in shown), shown
    assert any("line 3: 1 segment(s) have zero length" in t for t in shown), shown
    at.switch_page("pages/data_quality.py")
    _run(at)
    assert "Road segments" in [h.value for h in at.subheader]
    assert "segs.geojson, column 'geometry', lines 1, 2: 2 feature(s) are not lines" \
        in _text(at)
    assert not any("No problems found in this workspace" in s.value for s in at.success)


def test_lines_among_points_and_areas_are_drawn_and_the_rest_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    collection = {"type": "GeometryCollection", "geometries": [
        POINT, {"type": "LineString", "coordinates": [[1.1, 0.2], [1.9, 0.2]]}]}
    ws = _mixed_segments_workspace(tmp_path, [
        _seg("l1", {"type": "LineString", "coordinates": [[0.1, 0.5], [0.9, 0.5]]}),
        _seg("p1", POINT), _seg("a1", AREA), _seg("c1", collection)])
    at = _open(ws)
    assert "Lines: 2 segs segments, coloured by PSI class." in _text(at)
    assert len(_overlays(at)["roads"]["g"]) == 2
    problems = [t.value for t in at.text]
    assert any("line 4: 1 feature(s) are geometry collections; their line parts are used" in t
               for t in problems), problems
    assert any("lines 2, 3: 2 feature(s) are not lines" in t for t in problems), problems
    # empty states say why in a sentence
    text = _text(at)
    assert ("This workspace has one survey only: a trend and a change map need the scores of "
            "several survey years") in text
    assert "There is no funding table at the county level, so road condition cannot be set " \
        "against money here." in text
