"""The Import page in Chromium, as a user would go through it: a boundary GeoJSON, a GB18030
yearbook table (title lines, a note line, years as columns, 亿元), a population table in 万人,
then Save → the app opens One map on the new workspace and draws it."""
from __future__ import annotations

import json
import re
import tomllib

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (ARTIFACTS, assert_offline, open_app, painted_paths,
                                    wait_for_map)
from tests.fixtures.helpers import feature_collection
from tests.unit.test_import_load import POP, REGIONS, SPEND

pytestmark = pytest.mark.browser

TITLE = "省级转移支付"
FOLDER = "transfers"


def _idle(page, timeout: float = 30_000) -> None:
    """Wait until the current script run has finished."""
    page.wait_for_function(
        """() => {
               const app = document.querySelector('[data-testid="stApp"]');
               const s = app && app.getAttribute('data-test-script-state');
               return s && !['initial', 'running', 'rerunRequested'].includes(s);
           }""",
        timeout=timeout)


def _uploader(page, label: str):
    return page.locator('[data-testid="stFileUploader"]').filter(
        has=page.get_by_text(label, exact=True))


def _upload(page, label: str, path) -> None:
    """Pick a file through the uploader's button ("Upload"; "Browse files" in older Streamlit),
    as a user does."""
    button = _uploader(page, label).locator('[data-testid="stFileUploaderDropzone"]') \
        .get_by_role("button", name=re.compile(r"^(Upload|Browse files)$"))
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))


def _type(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")


def _selectbox(page, label: str):
    """A selectbox's input: its value is the option shown."""
    return page.get_by_role("combobox", name=label, exact=True)


def _shot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so a full-page screenshot
    would stop at the window; the window is made as tall as the page for the shot."""
    size = page.viewport_size
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 80)})
    page.wait_for_timeout(300)                # let the data grids redraw at the new size
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size(size)


def _metric(page, label: str) -> str:
    m = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return m.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_import_a_yearbook_and_open_it_on_the_map(streamlit_server, page, tmp_path):
    root = tmp_path / "workspaces"
    root.mkdir()
    for d in ("xdg", "tmp"):
        (tmp_path / d).mkdir()
    # Saved workspaces, the home fallback and the uploads' staging copies all stay in tmp_path.
    server = streamlit_server("app.py", env={"FISCALMAP_WORKSPACES": str(root),
                                             "XDG_DATA_HOME": str(tmp_path / "xdg"),
                                             "TMPDIR": str(tmp_path / "tmp")})
    files = tmp_path / "files"
    files.mkdir()
    (files / "provinces.geojson").write_text(
        json.dumps(feature_collection(REGIONS, id_field="code"), ensure_ascii=False),
        encoding="utf-8")
    (files / "spend.csv").write_bytes(SPEND.encode("gb18030"))
    (files / "pop.csv").write_bytes(POP.encode("utf-8"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    open_app(page, server.url, "import_data")
    expect(page.get_by_role("heading", name="1 · Boundaries")).to_be_visible()

    # 1 · boundaries: id and name columns proposed, the label and currency typed
    _upload(page, "Boundary file", files / "provinces.geojson")
    expect(page.get_by_text("3 Regions read, e.g. 广东省")).to_be_visible()
    expect(_selectbox(page, "Column with each area's id")).to_have_value("code")
    expect(_selectbox(page, "Column with each area's name")).to_have_value("name")
    _type(page, "One area is a…", "省份")
    expect(page.get_by_text("3 省份 read, e.g. 广东省, 广西壮族自治区, 北京市")).to_be_visible()
    _type(page, "Currency of the money (ISO code)", "CNY")
    _idle(page)
    expect(page.get_by_role("textbox", name="Currency of the money (ISO code)")) \
        .to_have_value("CNY")
    _shot(page, "import_1_boundaries.png")

    # 2 · the money: GB18030, two title lines, a note line, years as columns, 亿元
    _upload(page, "Table file", files / "spend.csv")
    expect(page.get_by_text("Rows matched", exact=True)).to_be_visible(timeout=30_000)
    _idle(page)
    expect(page.get_by_text(re.compile(
        r"^Proposed: lines 1-2 look like titles .*; the header is line 3$"))).to_be_visible()
    for label, value in (("Header on line", "3"), ("Header lines", "1"),
                         ("Note lines at the end", "1")):
        expect(page.get_by_role("spinbutton", name=label, exact=True)).to_have_value(value)
    expect(page.get_by_text("read as gb18030").first).to_be_visible()
    expect(page.get_by_label("Years are columns (one column per year or quarter)")) \
        .to_be_checked()
    periods = page.locator('[data-testid="stMultiSelect"]').filter(
        has=page.get_by_text("Period columns to turn into rows"))
    for year in ("2022年", "2021年", "2020年"):
        expect(periods).to_contain_text(year)
    expect(_selectbox(page, "Column naming the areas")).to_have_value("地区")
    expect(_selectbox(page, "The numbers in the file are in…")) \
        .to_have_value("亿元")
    expect(page.get_by_text("Each value is multiplied on load: 亿元 = × 100,000,000 → CNY")) \
        .to_be_visible()
    assert _metric(page, "Rows matched") == "0 of 3"
    assert _metric(page, "Matched by") == "area name"
    expect(page.get_by_text("Proposals", exact=True)).to_be_visible()
    expect(page.get_by_text("3 key(s) will be matched through a crosswalk file")) \
        .to_be_visible()
    assert _metric(page, "Rows matched with the crosswalk") == "3 of 3"
    _shot(page, "import_2_table.png")

    page.get_by_role("button", name="Keep this table and import another").click()
    expect(page.get_by_text("✔ spend.csv: Money (allocations, spending)")).to_be_visible()
    _idle(page)

    # the population: plain UTF-8, years as columns, 万人 chosen by hand
    page.get_by_text("Population", exact=True).click()
    _idle(page)
    _upload(page, "Table file", files / "pop.csv")
    unit = _selectbox(page, "The numbers in the file are in…")
    expect(unit).to_be_visible(timeout=30_000)
    _idle(page)
    expect(unit).to_have_value("1")
    unit.click()
    unit.fill("万人")                   # the list narrows to what is typed
    page.get_by_role("option", name="万人", exact=True).click()
    expect(unit).to_have_value("万人")
    expect(page.get_by_text("Each value is multiplied on load: 万人 = × 10,000 persons")).to_be_visible()
    _idle(page)

    # 3 · save
    _type(page, "Title", TITLE)
    _idle(page)
    _type(page, "Folder name", FOLDER)
    _idle(page)
    save = page.get_by_role("button", name="Save and open the map")
    expect(save).to_be_enabled()
    save.click()

    # the app switches to One map on the new workspace
    page.wait_for_url(re.compile(r"/one_map\?.*ws=" + FOLDER), timeout=45_000)
    expect(page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Workspace")) \
        .to_have_value(TITLE)
    frame = wait_for_map(page, timeout=60_000)
    assert painted_paths(frame).count() == 3
    _idle(page)
    # 亿元 and 万人 were applied:
    # (9000 + 3100 + 1500) × 1e8 CNY over (12657 + 5047 + 2184) × 1e4 residents
    assert _metric(page, "Total on the map") == "1.4T CNY"
    assert _metric(page, "Per resident") == "6,838 CNY"
    expect(page.get_by_role("heading", level=1)).to_have_text("Spend, FY2022")
    page.screenshot(path=str(ARTIFACTS / "import_3_saved_map.png"), full_page=True)

    # written under FISCALMAP_WORKSPACES, with what the page proposed and the user chose
    manifest = tomllib.loads((root / FOLDER / "workspace.toml").read_text(encoding="utf-8"))
    assert manifest["workspace"]["title"] == TITLE
    assert manifest["workspace"]["currency"] == "CNY"
    spend, pop = manifest["tables"]
    assert (spend["header_row"], spend["skip_bottom"], spend["amount_scale"]) == (3, 1, "亿元")
    assert pop["population_scale"] == "万人"
    assert "广东,广东省" in (root / FOLDER / spend["crosswalk"]).read_text(encoding="utf-8")
    # nothing saved in the user's data folder but the audit log, which records the import
    xdg = tmp_path / "xdg"
    assert sorted(p.relative_to(xdg).as_posix() for p in xdg.rglob("*") if p.is_file()) == [
        "fiscalmap/audit/audit.jsonl", "fiscalmap/audit/audit.jsonl.lock"]
    [line] = [json.loads(x) for x in (xdg / "fiscalmap/audit/audit.jsonl").read_text(
        encoding="utf-8").splitlines() if '"import"' in x]
    assert (line["user"], line["workspace"]) == ("open", FOLDER)
    assert list((tmp_path / "tmp" / "fiscalmap-import").rglob("spend.csv"))   # staged here
    assert_offline(page)
    server.assert_no_traceback()
