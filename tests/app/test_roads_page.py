"""Roads page (AppTest): runs for the Boston workspace, overlay and scheme change what is shown,
and a workspace without segments says so."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/roads.py"


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
    return "\n".join(parts)


def _table(at: AppTest, must: set[str]) -> pd.DataFrame:
    for df in at.dataframe:
        if must <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {must}")


@pytest.fixture(scope="module")
def boston() -> AppTest:
    return _open("boston_region")


def test_boston_page_shows_targets_methodology_and_overlay(boston):
    text = _text(boston)
    assert "of interstate miles are in good or better condition against a target of 80%" in text
    assert "Methodology" in text and "survey 2013" in text and "excellent ≥ 3.5" in text
    assert "Overlay: 865 segments drawn as lines" in text
    targets = _table(boston, {"name", "good_share", "poor_share", "status"})
    assert set(targets["status"].astype(str)) <= {"met", "at risk", "missed", "no data"}
    # 49 towns carry interstates by attribute; split at boundaries, pieces reach one more
    assert len(targets) == 50
    invest = _table(boston, {"rank", "priority", "funding"})
    assert list(invest["rank"]) == list(range(1, len(invest) + 1))
    assert invest["priority"].is_monotonic_decreasing


def test_overlay_toggle_changes_what_is_shown(boston):
    at = boston
    at.toggle(key="rd_overlay").set_value(False)
    _run(at)
    assert "Overlay off" in _text(at)
    assert "segments drawn as lines" not in _text(at)
    at.toggle(key="rd_overlay").set_value(True)
    _run(at)
    assert "segments drawn as lines" in _text(at)


def test_switching_scheme_reclassifies(boston):
    at = boston
    before = _table(at, {"name", "excellent", "good", "fair", "poor"}).set_index("region_id")
    at.selectbox(key="rd_condition").set_value("psi_massdot_town_bins")
    _run(at)
    assert "PSI, MassDOT town bins" in _text(at)
    after = _table(at, {"name", "excellent", "good", "fair", "poor"}).set_index("region_id")
    # poor < 2.3 instead of < 2.5: fewer poor miles somewhere, same total
    assert after["poor"].sum() < before["poor"].sum()
    assert after["total"].sum() == pytest.approx(before["total"].sum())
    at.selectbox(key="rd_condition").set_value("psi_massdot_interstate")
    _run(at)


def test_road_class_bins_uses_town_table(boston):
    at = boston
    at.radio(key="rd_class").set_value("bins")
    _run(at)
    assert "NHS miles are in good or better condition against a target of 70%" \
        in _text(at)
    at.radio(key="rd_class").set_value("segments")
    _run(at)


def test_us_workspace_has_no_segments():
    at = _open("us_federal")
    assert any("has no road segments" in str(i.value) for i in at.info)


def _mixed_segments_workspace(root, features: list[dict]) -> str:
    """A workspace whose segments file holds ``features`` (GeoJSON dicts)."""
    import json

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
    listed = [t.value for t in at.text]
    assert any(t.startswith("⛔ segs.geojson, column 'geometry', lines 1, 2: 2 feature(s) are "
                            "not lines") for t in listed), listed
    assert not any("No problems found in this workspace" in s.value for s in at.success)


def test_lines_among_points_and_areas_are_drawn_and_the_rest_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    collection = {"type": "GeometryCollection", "geometries": [
        POINT, {"type": "LineString", "coordinates": [[1.1, 0.2], [1.9, 0.2]]}]}
    ws = _mixed_segments_workspace(tmp_path, [
        _seg("l1", {"type": "LineString", "coordinates": [[0.1, 0.5], [0.9, 0.5]]}),
        _seg("p1", POINT), _seg("a1", AREA), _seg("c1", collection)])
    at = _open(ws)
    assert "Overlay: 2 segments drawn as lines" in _text(at)
    problems = [t.value for t in at.text]
    assert any("line 4: 1 feature(s) are geometry collections; their line parts are used" in t
               for t in problems), problems
    assert any("lines 2, 3: 2 feature(s) are not lines" in t for t in problems), problems
