"""AppTest of the Import page end to end: upload → reader options → periods → units → keys →
save → the saved workspace maps the right per-resident figure."""
from __future__ import annotations

import io
import json
import tomllib
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.workspace import load_manifest
from tests.app.conftest import REPO, metric, open_page, texts
from tests.fixtures.helpers import feature_collection
from tests.unit.test_import_load import POP, REGIONS, SPEND

PAGE = str(REPO / "pages" / "import_data.py")
GEOJSON = json.dumps(feature_collection(REGIONS, id_field="code")).encode()


@pytest.fixture()
def root(tmp_path, monkeypatch):
    root = tmp_path / "workspaces"
    root.mkdir()
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    return root


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _start() -> AppTest:
    # The page file itself: run through app.py, AppTest re-runs the first pass of every run
    # (Streamlit's pages/ folder detection), which would swallow button clicks.
    return _run(AppTest.from_file(PAGE, default_timeout=90))


def _value(at, kind: str, key: str):
    return getattr(at, kind)(key=key).value


def test_yearbook_table_to_a_per_resident_map(root):
    at = _start()
    at.file_uploader(key="imp_b_upload").set_value(("provinces.geojson", GEOJSON,
                                                    "application/geo+json"))
    _run(at)
    assert (_value(at, "selectbox", "imp_b_key"), _value(at, "selectbox", "imp_b_name")) == \
        ("code", "name")
    at.text_input(key="imp_b_label").set_value("省份")
    at.text_input(key="imp_w_currency").set_value("CNY")
    _run(at)
    assert "3 省份 read, e.g. 广东省, 广西壮族自治区, 北京市" in texts(at)

    # the money: GB18030, two title lines, a note line, years as columns, 亿元 in a title line
    at.file_uploader(key="imp_t0_file_upload").set_value(("spend.csv", SPEND.encode("gb18030"),
                                                          "text/csv"))
    _run(at)
    assert [_value(at, "number_input", f"imp_t0_{k}") for k in ("hrow", "hrows", "skip")] == \
        [3, 1, 1]
    assert _value(at, "toggle", "imp_t0_wide") is True
    assert _value(at, "multiselect", "imp_t0_wcols") == ["2022年", "2021年", "2020年"]
    assert _value(at, "selectbox", "imp_t0_key") == "地区"
    assert _value(at, "selectbox", "imp_t0_scale") == "亿元"
    shown = texts(at)
    assert "read as gb18030" in shown
    assert "Each value is multiplied on load: 亿元 = × 100,000,000 → CNY" in shown
    assert metric(at, "Rows matched") == "0 of 3"
    assert metric(at, "Matched by") == "area name"
    assert "3 key(s) will be matched through a crosswalk file" in shown
    assert metric(at, "Rows matched with the crosswalk") == "3 of 3"
    at.button(key="imp_t0_add").click()
    _run(at)
    assert "✔ spend.csv: Money (allocations, spending)" in texts(at)

    # the population: 万人, years as columns, the same names
    at.radio(key="imp_t1_kind").set_value("population")
    _run(at)
    at.file_uploader(key="imp_t1_file_upload").set_value(("pop.csv", POP.encode(), "text/csv"))
    _run(at)
    assert _value(at, "selectbox", "imp_t1_scale") == "1"
    at.selectbox(key="imp_t1_scale").set_value("万人")
    at.text_input(key="imp_w_title").set_value("省级转移支付")
    at.text_input(key="imp_w_id").set_value("transfers")
    _run(at)
    at.button(key="imp_w_save").click()
    _run(at)
    assert "Saved" in texts(at)

    ws = load_manifest(root / "transfers")
    manifest = tomllib.loads((ws.path / "workspace.toml").read_text(encoding="utf-8"))
    spend = manifest["tables"][0]
    assert {k: spend[k] for k in ("header_row", "skip_bottom", "wide_columns", "amount_scale",
                                  "crosswalk", "columns")} == {
        "header_row": 3, "skip_bottom": 1, "wide_columns": ["2022年", "2021年", "2020年"],
        "amount_scale": "亿元", "crosswalk": "data/spend_crosswalk.csv",
        "columns": {"region_name": "地区"}}
    assert manifest["tables"][1]["population_scale"] == "万人"
    assert "label" not in spend             # no label typed: the map is titled by the file
    assert (ws.path / "data" / "spend.csv").read_bytes() == SPEND.encode("gb18030")
    assert (ws.path / "data" / "spend_crosswalk.csv").read_text(encoding="utf-8") == (
        "from,to,rule\n北京,北京市,suffix\n广东,广东省,suffix\n广西,广西壮族自治区,suffix\n")

    data = WorkspaceData(ws)
    v = map_values(data, MeasureSpec(level=ws.levels[0].id, measure="per_capita",
                                     table="spend", span=(2022, 2022)))
    assert round(v.values["440000"]) == round(9000e8 / 12657e4) == 7111

    # the new workspace is listed at once and its per-capita page shows yuan per resident
    pc = open_page("pages/per_capita.py", ws="transfers")
    rate = metric(pc, "Overall rate")
    assert rate.endswith("CNY")
    # the same figure as One map's per-resident map of that year
    om = open_page("pages/one_map.py", ws="transfers", measure="per_capita")
    assert metric(om, "Overall rate") == rate


def test_the_import_page_in_chinese(root):
    """The reader's language is Chinese: labels, the reader's proposals and notes, the key
    summary and the save are in Chinese; what is saved (rule names, units, columns) is data
    and stays as written."""
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["lang"] = "zh"
    _run(at)
    assert at.title[0].value == "导入数据"
    assert at.header[0].value == "1 · 边界"
    assert at.file_uploader(key="imp_b_upload").label == "边界文件"
    at.file_uploader(key="imp_b_upload").set_value(("provinces.geojson", GEOJSON,
                                                    "application/geo+json"))
    _run(at)
    assert at.selectbox(key="imp_b_key").label == "地区代码所在列"
    assert _value(at, "text_input", "imp_b_label") == "地区"     # the default, in Chinese
    at.text_input(key="imp_b_label").set_value("省份")
    at.text_input(key="imp_w_currency").set_value("CNY")
    _run(at)
    assert "已读取 3 个省份，例如 广东省, 广西壮族自治区, 北京市" in texts(at)

    at.file_uploader(key="imp_t0_file_upload").set_value(("spend.csv", SPEND.encode("gb18030"),
                                                          "text/csv"))
    _run(at)
    shown = texts(at)
    assert "建议：第 1-2 行像是标题（每行只有一个单元格有内容，例如 " \
           "'2020-2022年各地区一般公共预算转移支付'）；表头在第 3 行" in shown
    # the manifest's option names become the page's own words
    assert "建议：最后一行（第 7 行）像是注释（只有一个单元格有内容，文字以 " \
           "'注：数据来源于统计年鉴。' 开头）；末尾注释行数 = 1" in shown
    assert "文件不是 UTF-8 编码（第 1 行的字节 0xC4），也未声明编码；已按 gb18030 读取" \
           "（GB18030 与 cp1252 中更接近的一种）" in shown
    assert "读取时每个数值将乘以：亿元 = × 100,000,000 → CNY" in shown
    assert at.toggle(key="imp_t0_wide").label == "年份为列（每个年份或季度一列）"
    assert _value(at, "radio", "imp_t0_kind") == "allocations"
    assert metric(at, "已匹配的行数") == "0 / 3"
    assert metric(at, "匹配方式") == "地区名称"
    assert "3 个键值将通过保存在工作区中的对照文件匹配；您的数据表不会被改动。" in shown
    at.button(key="imp_t0_add").click()
    _run(at)
    assert "✔ spend.csv: 资金（拨款、支出）" in texts(at)
    at.text_input(key="imp_w_title").set_value("省级转移支付")
    at.text_input(key="imp_w_id").set_value("transfers")
    _run(at)
    at.button(key="imp_w_save").click()
    _run(at)
    assert "已保存。请在侧边栏中选择“省级转移支付”，然后打开“一张图”。" in texts(at)
    ws = root / "transfers"
    assert (ws / "data" / "spend_crosswalk.csv").read_text(encoding="utf-8") == (
        "from,to,rule\n北京,北京市,suffix\n广东,广东省,suffix\n广西,广西壮族自治区,suffix\n")
    assert tomllib.loads((ws / "workspace.toml").read_text(encoding="utf-8"))["levels"][0][
        "label"] == "省份"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(root, monkeypatch):
    monkeypatch.setenv("FISCALMAP_MAX_FILE_MB", "0.0001")
    at = _start()
    at.file_uploader(key="imp_b_upload").set_value(("big.geojson", GEOJSON,
                                                    "application/geo+json"))
    _run(at)
    assert "over the limit of 0 MB; it was not read" in " ".join(e.value for e in at.error)


def test_a_zip_with_a_path_outside_its_folder_is_refused(root):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.shp", b"x")
        zf.writestr("ok.dbf", b"y")
    at = _start()
    at.file_uploader(key="imp_b_upload").set_value(("regions.zip", buf.getvalue(),
                                                    "application/zip"))
    _run(at)
    errors = " ".join(e.value for e in at.error)
    assert "1 member(s) have a path outside the archive's folder (../evil.shp)" in errors


def test_a_name_already_taken_is_refused_and_nothing_is_replaced(root):
    (root / "transfers").mkdir()
    (root / "transfers" / "keep.txt").write_text("mine")
    at = _start()
    at.file_uploader(key="imp_b_upload").set_value(("p.geojson", GEOJSON, "application/json"))
    _run(at)
    at.file_uploader(key="imp_t0_file_upload").set_value(("pop.csv", POP.encode(), "text/csv"))
    _run(at)
    at.text_input(key="imp_w_title").set_value("Again")
    at.text_input(key="imp_w_id").set_value("transfers")
    _run(at)
    at.button(key="imp_w_save").click()
    _run(at)
    assert "is taken; choose another name" in " ".join(e.value for e in at.error)
    assert sorted(p.name for p in (root / "transfers").iterdir()) == ["keep.txt"]
