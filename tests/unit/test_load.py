"""Loading tables and boundary layers: bad input is reported (file, column, lines) and kept out,
good rows are kept, and repairs (padded keys, fixed geometries) are reported too."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.load import load_boundaries, load_table, normalise_keys, normalise_name, parse_numbers
from geodata.workspace import load_manifest
from tests.fixtures.helpers import LEVEL_TOML, bowtie, square, squares_geojson, write_geojson, write_workspace

HEAD = LEVEL_TOML


def table_toml(columns: dict[str, str], *, kind: str = "allocations", file: str = "t.csv",
               extra: str = "") -> str:
    cols = "\n".join(f'{k} = "{v}"' for k, v in columns.items())
    return f"""
[[tables]]
id = "t"
kind = "{kind}"
level = "county"
file = "{file}"
{extra}
[tables.columns]
{cols}
"""


ALLOC = {"region_id": "fips", "fiscal_year": "fy", "amount": "amount"}


def load(tmp_path, csv: str | bytes, columns=ALLOC, *, kind="allocations", extra="", regions=None):
    root = write_workspace(tmp_path / "ws", HEAD + table_toml(columns, kind=kind, extra=extra),
                           {"t.csv": csv})
    write_geojson(root / "regions.geojson", squares_geojson(3))
    ws = load_manifest(root)
    return load_table(ws, ws.table("t"), regions)


def by_code(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no problem with code {code!r} in {[p.code for p in problems]}"
    return found[0]


# --------------------------------------------------------------------------- numbers and keys

def test_parse_numbers_reads_spreadsheet_numbers():
    raw = pd.Series(["1,234.50", "$1,234", "(1,200)", "3.68E+08", "-5", "\u221242", " 7 ",
                     "n/a", "TBD", "", None])
    values, bad = parse_numbers(raw)
    assert values.iloc[:7].tolist() == [1234.5, 1234.0, -1200.0, 3.68e8, -5.0, -42.0, 7.0]
    assert bad.tolist() == [False] * 7 + [True, True, False, False]
    assert values.iloc[7:].isna().all()


def test_parse_numbers_decimal_comma():
    values, bad = parse_numbers(pd.Series(["1.234,50", "(2.000,25)"]), decimal=",")
    assert values.tolist() == [1234.5, -2000.25]
    assert not bad.any()


def test_normalise_keys_pads_integer_and_float_keys_and_reports_lines():
    problems = []
    keys = normalise_keys(pd.Series(["1001", "1001.0", "01003", " 02005 ", "", "AB"]), width=5,
                          file="t.csv", column="fips", problems=problems)
    assert keys.tolist()[:4] == ["01001", "01001", "01003", "02005"]
    assert pd.isna(keys.iloc[4])
    assert keys.iloc[5] == "AB"
    p, mixed = problems
    assert p.severity == "repaired" and p.code == "padded_key"
    assert p.file == "t.csv" and p.column == "fips" and p.rows == (2, 3)
    assert (mixed.code, mixed.severity, mixed.rows) == ("mixed_keys", "warning", (7,))


def test_normalise_name_ignores_case_and_spaces():
    assert normalise_name("  Saint   Louis ") == normalise_name("saint louis")
    assert normalise_name("ÉCOLE") == normalise_name("école")


# --------------------------------------------------------------------------- load_table

def test_load_table_mixed_amounts(tmp_path):
    csv = ("fips,fy,amount\n"
           "1001,2023,\"1,234.50\"\n"       # line 2: key lost its zero; thousands separator
           "1001.0,2023,\"$1,234\"\n"       # line 3: float-stored key; currency sign
           "01002,2023,(1,200)\n"            # line 4: unquoted → 4 fields? (see below)
           "01002,2023,3.68E+08\n"          # line 5
           "01003,2023,n/a\n"               # line 6: not a number
           "01003,2023,TBD\n"               # line 7: not a number
           "01003,2024,\n"                  # line 8: blank amount
           "01003,2024,-250.75\n")          # line 9: negative (a de-obligation) is kept
    csv = csv.replace("(1,200)", "\"(1,200)\"")
    df, problems = load(tmp_path, csv)
    assert df["region_id"].tolist() == ["01001", "01001", "01002", "01002", "01003", "01003",
                                        "01003", "01003"]
    assert df["amount"].iloc[:4].tolist() == [1234.5, 1234.0, -1200.0, 3.68e8]
    assert df["amount"].iloc[7] == -250.75
    assert df["_line"].tolist() == list(range(2, 10))
    assert df["fiscal_year"].tolist() == [2023] * 6 + [2024, 2024]

    pad = by_code(problems, "padded_key")
    assert (pad.file, pad.column, pad.rows, pad.severity) == ("t.csv", "fips", (2, 3), "repaired")
    bad = by_code(problems, "bad_number")
    assert (bad.file, bad.column, bad.rows, bad.severity) == ("t.csv", "amount", (6, 7), "error")
    assert set(bad.values) == {"n/a", "TBD"}
    assert "t.csv, column 'amount', lines 6, 7" in bad.text()
    # Kept out: no amount, flagged bad.
    assert df.loc[df["_line"].isin([6, 7]), "amount"].isna().all()
    assert df.loc[df["_line"].isin([6, 7]), "_bad_amount"].all()
    blank = by_code(problems, "blank_value")
    assert blank.rows == (8,) and blank.severity == "warning"
    assert {p.code for p in problems} == {"padded_key", "bad_number", "blank_value",
                                          "negative_amount"}
    neg = by_code(problems, "negative_amount")
    assert (neg.rows, neg.severity) == ((4, 9), "note")


def test_load_table_missing_required_column(tmp_path):
    df, problems = load(tmp_path, "fips,year,amount\n01001,2023,5\n")
    assert df.empty
    p = by_code(problems, "missing_column")
    assert p.file == "t.csv" and "fy" in p.message
    assert "fips" in p.expected and "year" in p.expected


def test_load_table_missing_optional_column_keeps_rows(tmp_path):
    df, problems = load(tmp_path, "fips,fy,amount\n01001,2023,5\n", {**ALLOC, "agency": "agency"})
    assert len(df) == 1 and df["amount"].tolist() == [5.0]
    assert by_code(problems, "missing_column").message.endswith("agency")


def test_load_table_bad_year(tmp_path):
    df, problems = load(tmp_path, "fips,fy,amount\n01001,FY2023,5\n01001,soon,6\n")
    assert df["fiscal_year"].iloc[0] == 2023
    assert pd.isna(df["fiscal_year"].iloc[1])
    assert by_code(problems, "bad_year").rows == (3,)


def test_latin1_file_with_encoding_set(tmp_path):
    csv = "fips,fy,agency,amount\n01001,2023,Département,10\n".encode("latin-1")
    df, problems = load(tmp_path, csv, {**ALLOC, "agency": "agency"}, extra='encoding = "latin-1"')
    assert problems == []
    assert df["agency"].tolist() == ["Département"]


def test_undeclared_latin1_file_is_read_and_the_encoding_used_is_reported(tmp_path):
    csv = "fips,fy,agency,amount\n01001,2023,Département,10\n".encode("latin-1")
    df, problems = load(tmp_path, csv, {**ALLOC, "agency": "agency"})
    assert df["agency"].tolist() == ["Département"] and df["amount"].tolist() == [10.0]
    (p,) = problems
    assert p.severity == "warning" and p.file == "t.csv" and p.code == "encoding_detected"
    assert "not UTF-8" in p.message and "cp1252" in p.message and p.rows == (2,)
    assert 'encoding = "cp1252"' in p.expected


def test_region_name_keyed_table_matches_case_and_space_insensitively(tmp_path):
    regions = pd.DataFrame({"region_id": ["01001", "01002", "01003"],
                            "name": ["Alpha", "Beta City", "Gamma"]})
    csv = "town,fy,amount\n  ALPHA ,2023,1\nbeta   city,2023,2\nNowhere,2023,3\n,2023,4\n"
    df, problems = load(tmp_path, csv, {"region_name": "town", "fiscal_year": "fy",
                                        "amount": "amount"}, regions=regions)
    assert df["region_id"].iloc[:2].tolist() == ["01001", "01002"]
    # The unknown name is kept (so the diagnostics can list it) but matches no region id.
    assert df["region_id"].iloc[2] == "name:Nowhere"
    assert pd.isna(df["region_id"].iloc[3])
    p = by_code(problems, "unknown_name")
    assert p.rows == (4,) and p.column == "town" and p.values == ("Nowhere",)


def test_population_zero_negative_and_duplicates(tmp_path):
    csv = ("region_id,year,population\n01001,2020,100\n01002,2020,0\n01003,2020,-4\n"
           "01001,2020,999\n")
    df, problems = load(tmp_path, csv, {"region_id": "region_id", "year": "year",
                                        "population": "population"}, kind="population")
    assert len(df) == 3                               # the duplicate is dropped, first kept
    assert df.set_index("region_id")["population"].get("01001") == 100
    assert df.set_index("region_id")["population"].iloc[1:].isna().all()
    assert by_code(problems, "duplicate_key").rows == (5,)
    bad = [p for p in problems if p.code == "bad_population"]
    assert sorted(p.rows for p in bad) == [(3,), (4,)]


# --------------------------------------------------------------------------- load_boundaries

def boundary_ws(tmp_path, features=None, *, level_extra: str = "", file="regions.geojson"):
    head = HEAD.replace('file = "regions.geojson"', f'file = "{file}"') + level_extra
    root = write_workspace(tmp_path / "ws", head)
    if features is not None:
        write_geojson(root / file, features)
    return root


def test_boundaries_repair_report_and_keep_good(tmp_path):
    feats = [
        ("1001", "Alpha", square(0, 0)),                               # 1: key lost its zero
        ("01002", "Empty", {"type": "Polygon", "coordinates": []}),    # 2: empty
        ("01003", "Bow", bowtie(2, 0)),                                # 3: invalid
        ("01004", "Delta", square(3, 0)),                              # 4
        ("01004", "Delta again", square(4, 0)),                        # 5: duplicate id
        ("01006", "Nothing", None),                                    # 6: null geometry
    ]
    root = boundary_ws(tmp_path, feats)
    gdf, problems = load_boundaries(load_manifest(root), "county")
    assert gdf["region_id"].tolist() == ["01001", "01003", "01004"]
    assert gdf["name"].tolist() == ["Alpha", "Bow", "Delta"]
    assert list(gdf.columns) == ["region_id", "name", "geometry", "parent_id", "level"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    # The bow-tie becomes two triangles: area kept, nothing lost.
    assert gdf.geometry.iloc[1].area == pytest.approx(0.5)

    assert by_code(problems, "padded_key").rows == (1,)
    empty = by_code(problems, "empty_geometry")
    assert empty.rows == (2, 6) and set(empty.values) == {"01002", "01006"}
    assert empty.severity == "error" and empty.file == "regions.geojson"
    inv = by_code(problems, "invalid_geometry")
    # Feature numbers in the file, not positions after the empty ones were dropped.
    assert inv.rows == (3,) and inv.values == ("01003",) and inv.severity == "repaired"
    dup = by_code(problems, "duplicate_key")
    assert dup.rows == (5,) and dup.values == ("01004",)


def test_boundaries_z_coordinates_become_2d(tmp_path):
    poly3d = {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 1, 5],
                                                  [0, 0, 5]]]}
    root = boundary_ws(tmp_path, [("01001", "Hill", poly3d)])
    gdf, problems = load_boundaries(load_manifest(root), "county")
    assert not shapely.has_z(gdf.geometry.values).any()
    assert gdf.geometry.iloc[0].area == pytest.approx(1.0)
    assert problems == []


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_boundaries_without_crs_assume_manifest_crs(tmp_path):
    root = boundary_ws(tmp_path, None, file="regions.shp", level_extra="")
    (root / "workspace.toml").write_text(
        (root / "workspace.toml").read_text().replace('key_width = 5',
                                                      'key_width = 5\ncrs = "EPSG:3857"'))
    metres = gpd.GeoDataFrame({"id": [1001], "name": ["Alpha"]},
                              geometry=[shapely.box(0, 0, 111319.49, 111325.14)])
    metres.to_file(root / "regions.shp")
    (root / "regions.prj").unlink(missing_ok=True)
    gdf, problems = load_boundaries(load_manifest(root), "county")
    p = by_code(problems, "no_crs")
    assert p.severity == "repaired" and "EPSG:3857" in p.message and p.file == "regions.shp"
    assert gdf.crs.to_epsg() == 4326
    w, s, e, n = gdf.total_bounds
    assert (w, s) == pytest.approx((0, 0), abs=1e-6)
    assert (e, n) == pytest.approx((1.0, 1.0), abs=1e-3)
    assert gdf["region_id"].tolist() == ["01001"]     # integer id padded


def test_boundaries_missing_key_column_and_unreadable_file(tmp_path):
    root = boundary_ws(tmp_path, [("01001", "A", square(0, 0))])
    text = (root / "workspace.toml").read_text().replace('key = "id"', 'key = "GEOID"')
    (root / "workspace.toml").write_text(text)
    gdf, problems = load_boundaries(load_manifest(root), "county")
    assert gdf.empty and by_code(problems, "missing_column").message.startswith("column(s) GEOID")
    (root / "regions.geojson").write_text("this is not a map", encoding="utf-8")
    gdf, problems = load_boundaries(load_manifest(root), "county")
    assert gdf.empty and by_code(problems, "unreadable").file == "regions.geojson"


def test_parent_ids_from_key_prefix(tmp_path):
    root = boundary_ws(tmp_path, [("01001", "A", square(0, 0)), ("02003", "B", square(1, 0))],
                       level_extra="")
    text = (root / "workspace.toml").read_text() + """
[[levels]]
id = "state"
file = "regions.geojson"
key = "id"
name = "name"
"""
    text = text.replace("key_width = 5", "key_width = 5\nparent_level = \"state\"\nparent_key_chars = 2", 1)
    (root / "workspace.toml").write_text(text)
    gdf, _ = load_boundaries(load_manifest(root), "county")
    assert gdf["parent_id"].tolist() == ["01", "02"]
    assert np.all(gdf["level"] == "county")


# --------------------------------------------------------------------------- in the reader's language
def test_problems_found_once_read_in_each_readers_language(tmp_path):
    """A workspace is loaded once for every reader: a problem found then reads in the language
    of whoever is shown it (file, column, lines, found values and what was expected)."""
    import pickle

    from locales import t, use

    with use("en"):
        _, problems = load(tmp_path, "fips,fy,amount\n01001,2023,TBD\n01002,2023,\n")
    bad = by_code(problems, "bad_number")
    assert bad.text() == ("t.csv, column 'amount', line 2: 1 value(s): not a number; those rows "
                          "are left out of the map and listed here (found 'TBD'); expected a "
                          "number such as 1234.50, 1,234.50, (1,200) or 3.68E+08")
    with use("zh"):
        reason = t("not a number")         # the readers' own message, in Chinese
        assert reason != "not a number"
        assert bad.text() == (f"t.csv，列“amount”，第2行：1个数值：{reason}；这些行不纳入地图，"
                              "并在此列出（发现 'TBD'）；应为数字，如1234.50、1,234.50、(1,200)或"
                              "3.68E+08")
        blank = by_code(problems, "blank_value")
        assert f"{blank.message}" == "1个空值"
        # a cached copy (pickled by Streamlit's cache) keeps following the reader
        assert pickle.loads(pickle.dumps(bad)).text() == bad.text()
    assert bad.message == "1 value(s): not a number; those rows are left out of the map and " \
                          "listed here"
