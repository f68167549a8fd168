"""Vector files for boundaries and overlays: zips checked before GDAL opens them, GeoParquet,
layers listed."""
from __future__ import annotations

import zipfile

import geopandas as gpd
import pytest

from geodata.readers.vector import VectorError, check_zip, list_layers, read_vector
from tests.fixtures.helpers import squares_geojson, write_geojson


def _zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)


def test_a_zipped_shapefile_is_read_inside_its_zip(tmp_path):
    gdf = gpd.read_file(write_geojson(tmp_path / "r.geojson", squares_geojson(3)))
    gdf.to_file(tmp_path / "regions.shp")
    _zip(tmp_path / "regions.zip", {p.name: p.read_bytes()
                                    for p in tmp_path.glob("regions.*") if p.suffix != ".zip"})
    assert check_zip(tmp_path / "regions.zip") == []
    out = read_vector(tmp_path / "regions.zip")
    assert sorted(out["id"]) == ["01001", "01002", "01003"]


@pytest.mark.parametrize("member", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp",
                                    "C:/evil.shp"])
def test_a_zip_member_outside_its_folder_is_refused(tmp_path, member):
    _zip(tmp_path / "bad.zip", {member: b"x", "ok.dbf": b"y"})
    assert check_zip(tmp_path / "bad.zip") == [
        f"1 member(s) have a path outside the archive's folder ({member}); the zip is refused"]
    with pytest.raises(VectorError, match="outside the archive's folder"):
        read_vector(tmp_path / "bad.zip")


def test_a_zip_that_expands_out_of_proportion_is_refused(tmp_path):
    _zip(tmp_path / "bomb.zip", {"big.dbf": b"\0" * (50 * 1024 * 1024)})
    (problem,) = check_zip(tmp_path / "bomb.zip")
    assert problem.startswith("the zip expands to 50 MB from 0.0 MB; refused")


def test_not_a_zip_and_an_empty_zip(tmp_path):
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    assert check_zip(tmp_path / "fake.zip")[0].startswith("not a readable zip archive")
    _zip(tmp_path / "empty.zip", {})
    assert check_zip(tmp_path / "empty.zip") == ["the zip archive is empty"]


def test_geoparquet_and_layers(tmp_path):
    gdf = gpd.read_file(write_geojson(tmp_path / "r.geojson", squares_geojson(2)))
    gdf.to_parquet(tmp_path / "r.parquet")
    assert list_layers(tmp_path / "r.parquet") == []
    assert len(read_vector(tmp_path / "r.parquet")) == 2
    assert len(read_vector(tmp_path / "r.parquet", rows=1)) == 1
    gdf.to_file(tmp_path / "two.gpkg", layer="wards")
    gdf.head(1).to_file(tmp_path / "two.gpkg", layer="districts")
    assert sorted(list_layers(tmp_path / "two.gpkg")) == ["districts", "wards"]
    assert len(read_vector(tmp_path / "two.gpkg", "districts")) == 1


def test_an_unreadable_file_is_one_message(tmp_path):
    (tmp_path / "x.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(VectorError, match="cannot be read as a map layer"):
        read_vector(tmp_path / "x.geojson")
