"""Every page on workspaces that are valid but broken in one way: each page shows what it can
and says what is missing; none ends in an exception."""
from __future__ import annotations

import json

import pytest

from tests.app.conftest import open_page, registered_pages, texts
from tests.catalogue import CASES, build
from tests.fixtures.helpers import write_geojson, write_workspace

KINDS = ("every year unreadable 'FY22'", "projected coordinates without a CRS",
         "a table id with a hyphen", "amount 'inf'", "header only")
BROKEN = [c for c in CASES if c.kind in KINDS]

ONLY_BOUNDARIES = """
[workspace]
title = "Only boundaries"

[[levels]]
id = "ward"
label = "Ward"
label_plural = "Wards"
file = "regions.geojson"
key = "id"
name = "name"
"""


SPEND = """
[[tables]]
id = "spend"
kind = "allocations"
level = "ward"
file = "spend.csv"
[tables.columns]
region_id = "id"
fiscal_year = "fy"
amount = "amt"
"""
POPULATION = """
[[tables]]
id = "pop"
kind = "population"
level = "ward"
file = "pop.csv"
[tables.columns]
region_id = "id"
year = "yr"
population = "n"
"""
INDICATORS = """
[[tables]]
id = "ind"
kind = "indicators"
level = "ward"
file = "ind.csv"
[tables.columns]
region_id = "id"
year = "yr"
value = "v"
[tables.constants]
indicator = "Potholes"
"""
TWO_LEVELS = """
[[levels]]
id = "block"
label = "Block"
file = "regions.geojson"
key = "id"
name = "name"
parent_level = "ward"
parent_key_chars = 4
"""
OVERLAY = """
[[overlays]]
id = "rail"
label = "Rail lines"
file = "rail.geojson"
category = "line"
"""
RAIL = ('{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"line": "Red"}, "geometry": {"type": "LineString", '
        '"coordinates": [[0.1, 0.5], [2.9, 0.5]]}},'
        '{"type": "Feature", "properties": {"line": "Depot"}, "geometry": {"type": "Point", '
        '"coordinates": [1.5, 0.5]}}]}')
#: Valid workspaces that lack something: each page shows what it can and says what is missing.
PARTIAL = {
    "only_boundaries": ONLY_BOUNDARIES,
    "only_money": ONLY_BOUNDARIES + SPEND,
    "only_population": ONLY_BOUNDARIES + POPULATION,
    "only_indicators": ONLY_BOUNDARIES + INDICATORS,
    "level_without_tables": ONLY_BOUNDARIES + TWO_LEVELS + SPEND + POPULATION,
    "only_overlays": ONLY_BOUNDARIES + OVERLAY,
}
PARTIAL_FILES = {"spend.csv": "id,fy,amt\n01001,2024,10\n01002,2024,20\n",
                 "pop.csv": "id,yr,n\n01001,2024,100\n01002,2024,200\n",
                 "ind.csv": "id,yr,v\n01001,2024,3\n01003,2024,4\n", "rail.geojson": RAIL}


@pytest.fixture(scope="module")
def broken_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken")
    for i, case in enumerate(BROKEN):
        build(case, root / f"broken_{i}")
    from tests.catalogue import REGIONS
    for wid, manifest in PARTIAL.items():
        ws = write_workspace(root / wid, manifest, PARTIAL_FILES)
        write_geojson(ws / "regions.geojson", REGIONS)
    return root


def test_the_broken_set_is_complete():
    assert len(BROKEN) == len(KINDS)


@pytest.mark.parametrize("page", registered_pages())
@pytest.mark.parametrize("ws", [f"broken_{i}" for i in range(len(KINDS))] + list(PARTIAL))
def test_every_page_survives(page, ws, broken_root, monkeypatch):
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(broken_root))
    at = open_page(page, ws)
    assert at.session_state["ws"] == ws
    assert texts(at)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/data_quality.py"])
def test_a_missing_workspace_folder_is_reported(page, monkeypatch, tmp_path):
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path / "no-such-folder"))
    at = open_page(page, "us_federal")
    from ui.text import md
    assert "names a folder that does not exist: " + md(tmp_path / "no-such-folder") in texts(at)


def test_the_command_line_names_a_missing_workspace_folder(monkeypatch, tmp_path, capsys):
    from exports import cli
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path / "no-such-folder"))
    assert cli.main(["-w", "us_federal", "--list"]) == 0
    assert "no-such-folder" in capsys.readouterr().err


def test_a_workspace_of_boundaries_and_overlays_draws_both(broken_root, monkeypatch):
    from tests.app.test_overlays_page import drawn_overlays, map_args, open_with

    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(broken_root))
    at = open_with("pages/one_map.py", "only_overlays", {"overlays": "rail"})
    assert at.title[0].value == "Wards"
    values = json.loads(map_args(at)["values"])
    assert values["c"] == [-1, -1, -1] and values["label"] == "Wards"   # every ward: No data
    (rail,) = drawn_overlays(at)
    assert [row[0] for row in rail["legend"]] == ["Depot", "Red"]
    assert rail["shapes"] == ["point", "line"]


def test_bad_performance_settings_are_listed_on_data_quality(tmp_path, monkeypatch):
    from tests.catalogue import REGIONS

    manifest = ONLY_BOUNDARIES + SPEND + ("\n[early_warning]\nyellow = 12\nred = 10\n"
                                          "colour = 1\n[targets.Potholes]\ndirection = \"up\"\n")
    ws = write_workspace(tmp_path / "perf", manifest, PARTIAL_FILES)
    write_geojson(ws / "regions.geojson", REGIONS)
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    at = open_page("pages/data_quality.py", "perf")
    errors = [e.value for e in at.error]
    assert any("yellow" in e and "red" in e for e in errors), errors
    assert any("colour" in e for e in errors), errors
    assert any("Potholes" in e and "up" in e for e in errors), errors


def test_two_workspaces_with_one_title_each_open_their_own(tmp_path, monkeypatch):
    from tests.catalogue import REGIONS

    for wid, amt in (("first", "10"), ("second", "99")):
        ws = write_workspace(tmp_path / wid, ONLY_BOUNDARIES + SPEND,
                             {**PARTIAL_FILES, "spend.csv": f"id,fy,amt\n01001,2024,{amt}\n"})
        write_geojson(ws / "regions.geojson", REGIONS)
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    from tests.app.conftest import metric
    for wid, total in (("first", "$10"), ("second", "$99")):
        at = open_page("pages/one_map.py", wid)
        assert at.session_state["ws"] == wid
        assert metric(at, "Total on the map") == total
    labels = open_page("pages/one_map.py", "first").selectbox(key="ws").options
    assert "Only boundaries (first)" in labels and "Only boundaries (second)" in labels
