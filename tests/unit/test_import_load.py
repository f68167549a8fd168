"""A yearbook-style workspace end to end: title and note lines, years as columns, 亿元 and 万人,
keys that lack the boundary names' suffix (crosswalk) → the right per-resident figure."""
from __future__ import annotations

import pytest

from geodata.dataset import MeasureSpec, WorkspaceData, map_values, vintage_note
from geodata.workspace import load_manifest
from tests.fixtures.helpers import square, write_geojson, write_workspace

REGIONS = [("440000", "广东省", square(0, 0)), ("450000", "广西壮族自治区", square(1, 0)),
           ("110000", "北京市", square(2, 0))]
SPEND = ("2020-2022年各地区一般公共预算转移支付\n单位：亿元\n"
         "地区,2022年,2021年,2020年\n广东,9000,8500,8000\n广西,3100,2900,2800\n"
         "北京,1500,1400,1300\n注：数据来源于统计年鉴。\n")
POP = "地区,2022年,2021年\n广东,12657,12684\n广西,5047,5037\n北京,2184,2189\n"
CROSSWALK = "from,to\n广东,广东省\n广西,广西壮族自治区\n北京,北京市\n"
MANIFEST = """
[workspace]
title = "省级转移支付"
currency = "CNY"

[[levels]]
id = "province"
label = "省份"
label_plural = "省份"
file = "provinces.geojson"
key = "code"
name = "name"
years = [2021]

[[tables]]
id = "transfers"
kind = "allocations"
level = "province"
file = "spend.csv"
encoding = "gb18030"
header_row = 3
skip_bottom = 1
wide_columns = "auto"
amount_scale = "亿元"
crosswalk = "cw.csv"
[tables.columns]
region_name = "地区"

[[tables]]
id = "pop"
kind = "population"
level = "province"
file = "pop.csv"
wide_columns = ["2022年", "2021年"]
population_scale = "万人"
crosswalk = "cw.csv"
[tables.columns]
region_name = "地区"
"""


@pytest.fixture()
def data(tmp_path) -> WorkspaceData:
    root = write_workspace(tmp_path / "transfers", MANIFEST, {
        "spend.csv": SPEND.encode("gb18030"), "pop.csv": POP, "cw.csv": CROSSWALK})
    write_geojson(root / "provinces.geojson", REGIONS, id_field="code")
    return WorkspaceData(load_manifest(root))


def test_per_resident_is_in_yuan_per_person(data):
    v = map_values(data, MeasureSpec(level="province", measure="per_capita", table="transfers", span=(2022, 2022)))
    assert v.values["440000"] == pytest.approx(9000e8 / 12657e4)
    assert v.values["110000"] == pytest.approx(1500e8 / 2184e4)
    assert "CNY" in v.unit and "亿" not in v.unit


def test_totals_reconcile_in_yuan(data):
    v = map_values(data, MeasureSpec(level="province", measure="total", table="transfers",
                                      span=(2020, 2022)))
    assert v.values.sum() == pytest.approx((9000 + 8500 + 8000 + 3100 + 2900 + 2800
                                            + 1500 + 1400 + 1300) * 1e8)
    assert v.join.not_placed_cents == 0 and v.join.reconciles
    assert v.join.ledger_cents == 3_850_000_000_000 * 100


def test_what_was_done_is_reported(data):
    codes = {p.code for p in data.problems}
    assert {"wide_table", "scaled", "crosswalk"} <= codes, sorted(codes)
    scaled = [p.text() for p in data.problems if p.code == "scaled"]
    assert any("亿元" in t and "100,000,000" in t for t in scaled), scaled
    assert not [p for p in data.problems if p.severity == "error"], \
        [p.text() for p in data.problems if p.severity == "error"]


def test_money_outside_the_boundary_years_is_flagged(data):
    note = vintage_note(data, MeasureSpec(level="province", span=(2020, 2022)))
    assert note == ("2020–2022 money drawn on the 省份 boundaries of 2021 on: areas that "
                    "changed since may not match")
    assert vintage_note(data, MeasureSpec(level="province", span=(2021, 2022))) is None


def test_a_named_period_column_that_is_no_period_is_reported(tmp_path):
    manifest = MANIFEST.replace('wide_columns = ["2022年", "2021年"]',
                                'wide_columns = ["2022年", "地区2", "2021年"]')
    root = write_workspace(tmp_path / "t", manifest, {
        "spend.csv": SPEND.encode("gb18030"), "cw.csv": CROSSWALK,
        "pop.csv": POP.replace("地区,", "地区,地区2,").replace("\n广东,", "\n广东,x,")
        .replace("\n广西,", "\n广西,x,").replace("\n北京,", "\n北京,x,")})
    write_geojson(root / "provinces.geojson", REGIONS, id_field="code")
    data = WorkspaceData(load_manifest(root))
    bad = [p.text() for p in data.problems if p.code == "bad_period_column"]
    assert bad == ["pop.csv: 1 column header(s) could not be read as a year or quarter and "
                   "are not used: '地区2': not a year or quarter; expected headers such as "
                   "2022, 2022年, FY2022, Q3 2022 (a span such as 2021-22 needs year_span)"]
    assert len(data.population("province")) == 6


UNIT_MANIFEST = MANIFEST.split("[[tables]]")[0] + """
[[tables]]
id = "mixed"
kind = "allocations"
level = "province"
file = "mixed.csv"
crosswalk = "cw.csv"
[tables.columns]
region_name = "地区"
fiscal_year = "年份"
amount = "金额"
unit = "单位"
"""
MIXED = ("地区,年份,金额,单位\n广东,2022,5,亿元\n广东,2022,300,万元\n广西,2022,7,\n"
         "北京,2022,2,bushels\n北京,2022,1,万人\n")


def test_a_unit_column_scales_each_row_and_refuses_what_it_cannot(tmp_path):
    root = write_workspace(tmp_path / "u", UNIT_MANIFEST, {"mixed.csv": MIXED,
                                                         "cw.csv": CROSSWALK})
    write_geojson(root / "provinces.geojson", REGIONS, id_field="code")
    data = WorkspaceData(load_manifest(root))
    v = map_values(data, MeasureSpec(level="province", measure="total", table="mixed",
                                     span=(2022, 2022)))
    assert v.values["440000"] == pytest.approx(5e8 + 300e4)
    assert v.values.drop("440000").isna().all()
    bad = sorted(p.text() for p in data.problems if p.code == "bad_unit")
    assert bad == [
        "mixed.csv, column '单位', line 4: 1 row(s): no unit in the unit column; they are left "
        "out of the map (found ''); expected a unit such as 元, 万元, 亿元, thousand, USD millions",
        "mixed.csv, column '单位', line 5: 1 row(s): a unit that is not in the vocabulary (e.g. "
        "万元, 亿元, $ thousands, USD millions, 万人); they are left out of the map (found "
        "'bushels'); expected a unit such as 元, 万元, 亿元, thousand, USD millions",
        "mixed.csv, column '单位', line 6: 1 row(s): a unit of another kind (persons where "
        "amounts are expected, or the reverse); they are left out of the map (found '万人'); "
        "expected a unit such as 元, 万元, 亿元, thousand, USD millions",
    ]


def test_mixed_keys_and_a_crosswalk_conflict_are_reported(tmp_path):
    manifest = UNIT_MANIFEST.replace('region_name = "地区"', 'region_id = "地区"') \
        .replace('unit = "单位"\n', "")
    root = write_workspace(tmp_path / "m", manifest, {
        "mixed.csv": "地区,年份,金额\n440000,2022,1\n450000,2022,2\n广东,2022,3\n",
        "cw.csv": "from,to\n广东,440000\n广东,450000\n北京,110000\n北京,110000\n"})
    write_geojson(root / "provinces.geojson", REGIONS, id_field="code")
    data = WorkspaceData(load_manifest(root))
    texts = {p.code: p.text() for p in data.problems}
    assert texts["mixed_keys"] == (
        "mixed.csv, column '地区', line 4: the key column mixes codes and text (2 all-digit "
        "keys, 1 others); every key is read as text and matched as written (found '广东'); "
        "expected one kind of key per column (codes or names)")
    assert texts["crosswalk_conflict"].startswith("cw.csv")
    assert "'广东'" in texts["crosswalk_conflict"] and "450000" in texts["crosswalk_conflict"]
    v = map_values(data, MeasureSpec(level="province", measure="total", table="mixed",
                                     span=(2022, 2022)))
    assert v.join.unmatched_cents == 300 and v.join.reconciles
