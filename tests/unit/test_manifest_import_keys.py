"""The manifest keys an import writes (layout, periods, scales, crosswalks, vintages, overlays)
are checked strictly, with the nearest valid key named."""
from __future__ import annotations

import pytest

from geodata.workspace import ManifestError, load_manifest
from tests.fixtures.helpers import LEVEL_TOML, squares_geojson, write_geojson, write_workspace

TABLE = """
[[tables]]
id = "spend"
kind = "{kind}"
level = "county"
file = "spend.csv"
{extra}
[tables.columns]
{columns}
"""
ALLOC_COLUMNS = 'region_id = "fips"\nfiscal_year = "fy"\namount = "amt"'


def _ws(tmp_path, extra="", kind="allocations", columns=ALLOC_COLUMNS, level_extra="",
        tail="", files=None):
    manifest = LEVEL_TOML + level_extra + TABLE.format(kind=kind, extra=extra,
                                                       columns=columns) + tail
    root = write_workspace(tmp_path / "ws", manifest,
                           {"spend.csv": "fips,fy,amt\n01001,2024,5\n", **(files or {})})
    write_geojson(root / "regions.geojson", squares_geojson(2))
    return root


def _problems(root) -> list[str]:
    with pytest.raises(ManifestError) as exc:
        load_manifest(root)
    return exc.value.problems


def test_scale_is_unknown_and_amount_scale_is_named(tmp_path):
    problems = _problems(_ws(tmp_path, extra='scale = "亿元"'))
    assert problems == ["`scale`: unknown key in table 'spend'; did you mean `amount_scale`?"]


def test_multiplier_is_unknown_and_the_kinds_scale_is_named(tmp_path):
    problems = _problems(_ws(tmp_path, extra="multiplier = 1000"))
    assert problems == ["`multiplier`: unknown key in table 'spend'; did you mean "
                        "`amount_scale`?"]
    problems = _problems(_ws(tmp_path / "p", kind="population", extra="scale = 10000",
                             columns='region_id = "fips"\nyear = "fy"\npopulation = "amt"'))
    assert problems == ["`scale`: unknown key in table 'spend'; did you mean "
                        "`population_scale`?"]


def test_amount_scale_accepts_words_and_numbers(tmp_path):
    for value in ('"亿元"', '"thousand"', "1000", '"万"'):
        root = _ws(tmp_path / value.strip('"'), extra=f"amount_scale = {value}")
        assert load_manifest(root).table("spend").scale is not None


def test_scale_of_another_kind_names_the_right_key(tmp_path):
    problems = _problems(_ws(tmp_path, extra='population_scale = "万人"'))
    assert problems == ["table 'spend': 'population_scale' applies to population tables; for "
                        "a allocations table use 'amount_scale'"]


def test_unknown_scale_word_is_refused(tmp_path):
    problems = _problems(_ws(tmp_path, extra='amount_scale = "bushels"'))
    assert len(problems) == 1 and "'amount_scale' = 'bushels' is not a scale" in problems[0]


def test_wide_columns_replace_year_and_amount(tmp_path):
    root = _ws(tmp_path, extra='wide_columns = "auto"', columns='region_id = "fips"')
    t = load_manifest(root).table("spend")
    assert t.wide_columns == "auto"
    problems = _problems(_ws(tmp_path / "b", extra='wide_columns = ["2022"]'))
    assert problems == ["table 'spend': with 'wide_columns' the fiscal_year and amount come "
                        "from the period columns; remove fiscal_year, amount from 'columns'"]


def test_wide_columns_must_be_a_list_or_auto(tmp_path):
    problems = _problems(_ws(tmp_path, extra="wide_columns = 3", columns='region_id = "fips"'))
    assert len(problems) == 2 and problems[0].startswith("table 'spend': 'wide_columns' must be")


def test_layout_keys_are_ranged(tmp_path):
    problems = _problems(_ws(tmp_path, extra="header_row = 0\nheader_rows = 9\nskip_bottom = -1"))
    assert [p.split(":")[1].strip().split(" ")[0] for p in problems] == \
        ["'header_row'", "'header_rows'", "'skip_bottom'"]


def test_crosswalk_must_be_inside_the_workspace(tmp_path):
    root = _ws(tmp_path, extra='crosswalk = "cw.csv"', files={"cw.csv": "from,to\na,01001\n"})
    assert load_manifest(root).table("spend").crosswalk == root / "cw.csv"
    problems = _problems(_ws(tmp_path / "b", extra='crosswalk = "../cw.csv"'))
    assert problems == ["table 'spend' crosswalk: file '../cw.csv' points outside the workspace "
                        "folder; copy the file into the folder"]


def test_level_years(tmp_path):
    root = _ws(tmp_path, level_extra="years = [2015]\n")
    lv = load_manifest(root).level("county")
    assert lv.years == (2015, None) and lv.covers(2015, 2030) and not lv.covers(2012, 2016)
    assert lv.years_text == "2015 on"
    problems = _problems(_ws(tmp_path / "b", level_extra="years = [2020, 2015]\n"))
    assert len(problems) == 1 and "'years' must be [first, last]" in problems[0]


def test_unknown_sections_and_settings_keys(tmp_path):
    tail = '\n[mapp]\ncrs = "EPSG:5070"\n[map]\nbound = [0, 0, 1, 1]\n[roads]\nschem = "x"\n'
    problems = _problems(_ws(tmp_path, tail=tail))
    assert problems == [
        "`mapp`: unknown key in the manifest's top level (sections); did you mean `map`?",
        "`bound`: unknown key in [map]; did you mean `bounds`?",
        "`schem`: unknown key in [roads]; did you mean `scheme`?",
    ]


def test_overlays_are_checked(tmp_path):
    tail = ('\n[[overlays]]\nid = "rail"\nfile = "rail.geojson"\ncolor = "#ff0000"\n'
            'tooltip = "line"\nlevel = "nowhere"\n')
    problems = _problems(_ws(tmp_path, tail=tail))
    assert problems == [
        "`color`: unknown key in overlay 'rail'; did you mean `colour`?",
        "overlay 'rail': file 'rail.geojson' not found in the workspace folder",
        "overlay 'rail': level 'nowhere' is not one of the levels (county)",
    ]


def test_an_overlay_id_must_fit_in_a_link(tmp_path):
    tail = '\n[[overlays]]\nid = "rail|bus"\nfile = "spend.csv"\n'
    problems = _problems(_ws(tmp_path, tail=tail))
    assert problems == ["[[overlays]] #1: id 'rail|bus' must be letters, digits, _, - or . (it "
                        "is written in links, where | separates ids)"]
