"""Overlays on the pages (AppTest): the One map sidebar offers the workspace's overlays, the
choice travels in the link, the map component receives the overlay payload, and Data quality
lists each overlay's problems."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT, components, metric, rerun, texts
from tests.fixtures.helpers import GRANTS_TOML, LEVEL_TOML, squares_geojson, write_geojson, \
    write_workspace

ONE_MAP = "pages/one_map.py"


def map_args(at: AppTest) -> dict:
    """The arguments of the page's one map component."""
    found = [json.loads(c.proto.json_args) for c in components(at._tree[0])]
    assert len(found) == 1, len(found)
    return found[0]


def drawn_overlays(at: AppTest) -> list[dict]:
    raw = map_args(at)["overlays"]
    return json.loads(raw) if raw else []


def open_with(page: str, ws: str, query: dict[str, str] | None = None, **state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["ws"] = ws
    for k, v in state.items():
        at.session_state[k] = v
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(page)
    return rerun(at)


def test_overlay_in_the_link_is_drawn_with_its_legend():
    at = open_with(ONE_MAP, "boston_region", {"overlays": "express_highways"})
    assert at.multiselect(key="overlays").value == ["express_highways"]
    assert at.multiselect(key="overlays").options == ["Express highways (CMP 2019)"]
    (ov,) = drawn_overlays(at)
    assert ov["id"] == "express_highways" and ov["label"] == "Express highways (CMP 2019)"
    assert len(ov["k"]) == 829 and set(ov["k"]) == {0}            # 829 lines
    assert ov["legend"][0] == ["I-95", "#332288", "184"]
    assert ov["legend"][-1] == ["Other", "#7F7F7F", "10"] and len(ov["legend"]) == 10
    assert [r[0] for r in ov["rows"]] == ["Community", "From", "To",
                                          "AM peak travel time index",
                                          "PM peak travel time index"]
    assert ov["h"][0] == "I93 NB"
    shown = texts(at).replace("\\", "")      # as it reads, Markdown escapes aside
    assert "Overlay “Express highways (CMP 2019)”: 829 features drawn. " in shown
    assert "the other 2 (US-3, MA-24) are drawn as “Other”" in shown
    assert at.query_params["overlays"] == "express_highways"


def test_removing_the_overlay_clears_the_map_and_the_link():
    at = open_with(ONE_MAP, "boston_region", {"overlays": "express_highways"})
    at.multiselect(key="overlays").set_value([])
    rerun(at)
    assert drawn_overlays(at) == []
    assert "overlays" not in at.query_params
    at.multiselect(key="overlays").select("express_highways")
    rerun(at)
    assert [o["id"] for o in drawn_overlays(at)] == ["express_highways"]


def test_an_unknown_overlay_in_the_link_is_ignored_and_said():
    at = open_with(ONE_MAP, "boston_region", {"overlays": "nope|express_highways"})
    assert [o["id"] for o in drawn_overlays(at)] == ["express_highways"]
    warning = " ".join(w.value for w in at.warning)
    assert "Some link parameters were ignored" in warning and "overlays" in warning


def test_a_workspace_without_overlays_shows_no_picker():
    at = open_with(ONE_MAP, "us_federal")
    assert not [m for m in at.multiselect if m.key == "overlays"]
    assert map_args(at)["overlays"] == ""


# --------------------------------------------------------------------------- a bad overlay

BAD_OVERLAY = [
    {"type": "Feature", "properties": {"kind": "rail", "title": "Good line"},
     "geometry": {"type": "LineString", "coordinates": [[0.1, 0.5], [2.9, 0.5]]}},
    {"type": "Feature", "properties": {"kind": "site", "title": "Depot"},
     "geometry": {"type": "Point", "coordinates": [1.5, 0.5]}},
    {"type": "Feature", "properties": {"kind": "rail", "title": "Stub"},
     "geometry": {"type": "LineString", "coordinates": [[1, 0.5], [1, 0.5]]}},
    {"type": "Feature", "properties": {"kind": "rail", "title": "Nothing"}, "geometry": None},
    {"type": "Feature", "properties": {"kind": "site", "title": "Far"},
     "geometry": {"type": "Point", "coordinates": [40, 40]}},
]


@pytest.fixture(scope="module")
def bad_overlay_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("overlays")
    ws = root / "overlay_problems"
    write_geojson(ws / "regions.geojson", squares_geojson(3))
    (ws / "things.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                   "features": BAD_OVERLAY}), encoding="utf-8")
    write_workspace(ws, LEVEL_TOML + GRANTS_TOML + """
[[overlays]]
id = "things"
label = "Rail and depots"
file = "things.geojson"
category = "kind"
name = "title"
tooltip = ["owner"]
""", {"grants.csv": "fips,fy,amount\n01001,2023,10\n01002,2023,20\n01003,2023,30\n"})
    return root


@pytest.fixture
def bad_overlay(bad_overlay_root, monkeypatch):
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(bad_overlay_root))
    return "overlay_problems"


def problem_lines(at: AppTest) -> list[str]:
    """The Data quality listing as it reads: one line per problem, a material icon and a word
    for its severity (Markdown escapes aside)."""
    return [m.value.replace("\\", "") for m in at.markdown if m.value.startswith(":material/")]


def test_data_quality_lists_the_overlay_problems(bad_overlay):
    at = open_with("pages/data_quality.py", bad_overlay)
    assert [h.value for h in at.subheader] == ["Overlay “Rail and depots”"]
    lines = problem_lines(at)
    assert [line.split(" things.geojson")[0] for line in lines] == [
        ":material/warning: **Warning**:", ":material/error: **Error**:",
        ":material/error: **Error**:", ":material/warning: **Warning**:"]
    for expected in (
        ":material/warning: **Warning**: things.geojson, column 'owner': column(s) named in the "
        "manifest are not in the file: owner (tooltip)",
        ":material/error: **Error**: things.geojson, column 'geometry', line 4: 1 feature(s) "
        "have an empty geometry",
        ":material/error: **Error**: things.geojson, column 'geometry', line 3: 1 line(s) have "
        "zero length",
        ":material/warning: **Warning**: things.geojson, column 'geometry', line 5: 1 feature(s) "
        "lie outside every area",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert "No problems found in the boundary and table files." in texts(at)
    # the summary counts the overlay's problems too
    assert int(metric(at, "Warnings")) == 2 and int(metric(at, "Rows left out")) == 2
    table = next(d.value for d in at.dataframe if "Severity" in d.value.columns)
    assert list(table["Code"]) == ["missing_column", "empty_geometry", "zero_length",
                                   "outside_areas"]
    assert list(table["Severity"]) == ["Warning", "Error", "Error", "Warning"]
    assert list(table["Lines"]) == ["—", "4", "3", "5"]
    assert at.download_button(key="dl_overlay_things") is not None


def test_one_map_draws_what_can_be_drawn_of_a_bad_overlay(bad_overlay):
    at = open_with(ONE_MAP, bad_overlay, {"overlays": "things"})
    (ov,) = drawn_overlays(at)
    assert ov["k"] == [0, 1, 1]                          # the line, the depot, the far point
    assert ov["h"] == ["Good line", "Depot", "Far"] and ov["rows"] == []
    assert "Overlay “Rail and depots”: 3 features drawn." in texts(at).replace("\\", "")


def test_boston_data_quality_has_a_section_for_the_express_highways():
    at = open_with("pages/data_quality.py", "boston_region")
    heads = [h.value.replace("\\", "") for h in at.subheader]
    assert heads == ["Road segments", "Overlay “Express highways (CMP 2019)”"]
    assert any("23 feature(s) lie outside every area" in line for line in problem_lines(at))


def overlays_of_each_map(at: AppTest) -> dict[str, list[str]]:
    """The overlays drawn on each map component of the page, by the map's key."""
    maps = [json.loads(c.proto.json_args) for c in components(at._tree[0])]
    return {m["key"]: [o["id"] for o in json.loads(m["overlays"] or "[]")] for m in maps}


def test_per_capita_draws_the_overlay_on_every_map():
    at = open_with("pages/per_capita.py", "boston_region", {"pc_overlays": "express_highways"})
    assert at.multiselect(key="pc_overlays").value == ["express_highways"]
    assert overlays_of_each_map(at) == {"pc_map": ["express_highways"]}         # over time
    at.radio(key="pc_view").set_value("change")
    rerun(at)
    assert overlays_of_each_map(at) == {"pc_map": ["express_highways"]}
    at.radio(key="pc_view").set_value("compare")
    rerun(at)
    assert overlays_of_each_map(at) == {"pc_map_left": ["express_highways"],
                                        "pc_map_right": ["express_highways"]}
    assert "Overlay “Express highways (CMP 2019)”: 829 features drawn." in \
        texts(at).replace("\\", "")
    assert at.query_params["pc_overlays"] == "express_highways"


def test_roads_page_draws_the_overlay_with_the_segments():
    at = open_with("pages/roads.py", "boston_region", {"rd_overlays": "express_highways"})
    # one map: the road segments (drawn as the first overlay) and the workspace's overlay
    assert overlays_of_each_map(at) == {"roads_map": ["roads", "express_highways"]}
    assert "Overlay “Express highways (CMP 2019)”" in texts(at).replace("\\", "")
    at.toggle(key="rd_overlay").set_value(False)                       # segments off
    rerun(at)
    assert overlays_of_each_map(at) == {"roads_map": ["express_highways"]}


def test_money_and_results_draws_the_overlay_and_saved_views_keep_the_choice():
    at = open_with("pages/money_results.py", "boston_region", {"bv_overlays": "express_highways"})
    assert at.multiselect(key="bv_overlays").value == ["express_highways"]
    assert [o["id"] for o in drawn_overlays(at)] == ["express_highways"]
    assert "Overlay “Express highways (CMP 2019)”" in texts(at).replace("\\", "")
    assert at.query_params["bv_overlays"] == "express_highways"
    at.multiselect(key="bv_overlays").set_value([])
    rerun(at)
    assert drawn_overlays(at) == [] and "bv_overlays" not in at.query_params
    # One map's and Roads' choices are part of the view the Hearing page saves ("Save the
    # current view") and the export panel draws
    at = open_with(ONE_MAP, "boston_region", {"overlays": "express_highways"})
    assert at.session_state["_last_view"]["overlays"] == "express_highways"
    at = open_with("pages/roads.py", "boston_region", {"rd_overlays": "express_highways"})
    assert at.session_state["_last_view"]["overlays"] == "express_highways"
    assert at.session_state["_last_view"]["page"] == "roads"
