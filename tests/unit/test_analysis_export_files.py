"""The method statement of an analysis view travels with its GeoJSON and Excel files."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from exports.compose import compose
from exports.data import to_excel, to_geojson
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest

HOT = {"page": "analysis", "an_view": "hotspots", "level": "state", "measure": "per_capita",
       "an_perm": "99"}


@pytest.fixture(scope="module")
def hot():
    data = WorkspaceData(load_manifest("geodata/workspaces/us_federal"))
    c = compose(data, HOT)
    assert "99 conditional permutations" in c.methodology
    return data, c


def test_geojson_metadata_names_the_method(hot):
    data, c = hot
    doc = json.loads(to_geojson(data, c))
    assert doc["metadata"]["method"] == c.methodology


def test_excel_view_sheet_names_the_method(hot):
    data, c = hot
    about = pd.read_excel(io.BytesIO(to_excel(data, c)), sheet_name="View")
    rows = dict(zip(about["item"], about["value"]))
    assert rows["Method"] == c.methodology


def test_a_map_without_a_method_has_no_method_row():
    data = WorkspaceData(load_manifest("geodata/workspaces/us_federal"))
    c = compose(data, {"level": "state", "measure": "per_capita"})
    about = pd.read_excel(io.BytesIO(to_excel(data, c)), sheet_name="View")
    assert "Method" not in set(about["item"])
    assert "method" not in json.loads(to_geojson(data, c))["metadata"]
