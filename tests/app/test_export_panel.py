"""The export panel (ui/exports_panel.py): the formats offered, what a download holds (the
bytes the exporters make of the composed view), saving a view, and the views file (export
and import) on the Hearing page."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from exports import data as tables
from exports import maps
from exports.compose import compose
from exports.views_store import VIEWS_DIR_ENV, ViewsStore, dump_views, SavedView
from tests.app.conftest import REPO, texts
from ui.exports_panel import slug

ONE_MAP = str(REPO / "pages" / "one_map.py")
HEARING = str(REPO / "pages" / "hearing.py")
LABELS = ["PNG image", "PDF", "SVG", "Interactive HTML (offline)", "CSV data", "GeoJSON",
          "Excel"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path))
    return ViewsStore(tmp_path / "us_federal", "us_federal")


@pytest.fixture
def made(monkeypatch):
    """The file makers the page registers with its download buttons, by file name (Streamlit
    calls them when a button is clicked; here the test calls them)."""
    found: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        found[file_name] = (data_callable, mimetype)
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return found


def _run(page: str, **query) -> AppTest:
    at = AppTest.from_file(page, default_timeout=120)
    at.session_state["ws"] = "us_federal"
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _open_panel(at: AppTest) -> AppTest:
    at.toggle(key="xp_open").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _data():
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest
    return WorkspaceData(load_manifest(discover_workspaces()["us_federal"]))


def test_the_panel_runs_only_when_opened(made):
    at = _run(ONE_MAP)
    assert at.toggle(key="xp_open").label == "Export or save this view"
    assert [b.label for b in at.get("download_button")] == []
    assert not any(name.endswith(".png") for name in made)


def test_formats_offered_and_their_files(made):
    at = _open_panel(_run(ONE_MAP, years="2020-2022"))
    buttons = {b.key: b.label for b in at.get("download_button") if b.key.startswith("xp_")}
    assert buttons == dict(zip([f"xp_{f}" for f in ("png", "pdf", "svg", "html", "csv",
                                                    "geojson", "xlsx")], LABELS))
    base = "us_federal_federal_obligations_all_agencies_fy2020_fy2022"
    assert {n: m for n, (_f, m) in made.items() if n.startswith(base)} == {
        f"{base}.{fmt}": maps.MIME[fmt]
        for fmt in ("png", "pdf", "svg", "html", "csv", "geojson", "xlsx")}
    assert [o for o in at.selectbox(key="xp_size").options] == \
        ["16:9 (screen)", "A4 landscape", "Letter landscape"]


def test_a_download_holds_what_the_exporters_make_of_the_view(made):
    at = _open_panel(_run(ONE_MAP, level="county", measure="per_capita"))
    at.selectbox(key="xp_size").set_value("a4")
    at.selectbox(key="xp_dpi").set_value(150)
    at.run()
    data = _data()
    c = compose(data, {"ws": "us_federal", "level": "county", "measure": "per_capita"})
    base = f"us_federal_{slug(c.title)}"
    files = {n.removeprefix(base): f for n, (f, _m) in made.items() if n.startswith(base)}
    assert sorted(files) == [".csv", ".geojson", ".html", ".pdf", ".png", ".svg", ".xlsx"], \
        sorted(made)
    assert files[".csv"]() == tables.to_csv(data, c)
    assert files[".geojson"]() == tables.to_geojson(data, c)
    sheet = openpyxl.load_workbook(io.BytesIO(files[".xlsx"]()), read_only=True)["View"]
    about = {r[0]: r[1] for r in sheet.iter_rows(values_only=True)}
    assert {k: about[k] for k in c.figures.texts()} == c.figures.texts()
    # the page size and resolution picked are the ones drawn
    assert files[".png"]() == maps.snapshot(data, c, "png", dpi=150, size="a4")


def test_save_this_view_from_the_panel(store):
    at = _open_panel(_run(ONE_MAP, level="state", measure="share", years="2023"))
    at.text_input(key="xp_save_title").input("Shares 2023")
    at.text_input(key="xp_save_note").input("for the committee")
    next(b for b in at.button if b.label == "Save this view").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (sv,) = store.list()
    assert (sv.title, sv.note) == ("Shares 2023", "for the committee")
    assert (sv.query["level"], sv.query["measure"], sv.query["years"]) == \
        ("state", "share", "2023-2023")
    assert "Saved “Shares 2023”: view 1 of the sequence on the Hearing page." in texts(at)


# ------------------------------------------------------------------ the views file
def _views_blob(*titles: str) -> bytes:
    return dump_views([SavedView(title=t, query={"level": "state", "measure": "total"})
                       for t in titles], "us_federal")


def test_export_saved_views_downloads_the_views_file(store, made):
    store.save("One", {"level": "state", "measure": "total"})
    at = _run(HEARING)
    (button,) = [b for b in at.get("download_button") if b.key == "dl_views"]
    assert button.label == "Export saved views (JSON)"
    fn, mime = made["us_federal_views.json"]
    assert mime == "application/json"
    assert fn() == store.export_bytes()
    assert [v["title"] for v in json.loads(fn())["views"]] == ["One"]


def test_import_a_views_file_adds_or_replaces(store):
    store.save("Kept", {"level": "state", "measure": "total"})
    at = _run(HEARING)
    at.file_uploader(key="import_file").set_value(
        ("hearing.json", _views_blob("A", "B"), "application/json"))
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [v.title for v in store.list()] == ["Kept", "A", "B"]
    assert [s.value for s in at.success] == ["Imported 2 view(s)."]

    at.file_uploader(key="import_file").set_value(
        ("other.json", _views_blob("C"), "application/json"))
    at.checkbox(key="import_replace").check()
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert [v.title for v in store.list()] == ["C"]


def test_a_views_file_that_cannot_be_used_changes_nothing(store):
    store.save("Kept", {"level": "state", "measure": "total"})
    before = store.path.read_bytes()
    at = _run(HEARING)
    at.file_uploader(key="import_file").set_value(("broken.json", b"{oops", "application/json"))
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    (err,) = at.error
    assert "not valid JSON" in err.value
    assert err.value.endswith("Your saved views were not changed.")
    assert store.path.read_bytes() == before
    other = dump_views([SavedView(title="X", query={"level": "state"})], "boston_region")
    at.file_uploader(key="import_file").set_value(("boston.json", other, "application/json"))
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert at.error[0].value.endswith("Your saved views were not changed.")
    assert store.path.read_bytes() == before
