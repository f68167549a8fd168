"""AppTest: a view of the Analysis page is a view like One map's — its export panel offers the
downloads, "Save this view" keeps it for the hearing, and the pack and the presentation draw it
with the page's classes."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from tests.app.conftest import APP, REPO, components, texts

HEARING = str(REPO / "pages" / "hearing.py")


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(**query) -> AppTest:
    # Through app.py: run on its own, the page file would be imported as the package
    # "analysis" (its folder comes first on the path).
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["ws"] = "us_federal"
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("pages/analysis.py")
    return _run(at)


def _save_current(at: AppTest, title: str) -> None:
    """"Save the current view" on the Hearing page with the session the app had (a form
    submitted inside the app's navigation is not seen by AppTest, so the Hearing page runs
    on its own with that session's remembered view)."""
    hearing = AppTest.from_file(HEARING, default_timeout=120)
    for k in ("ws", "_last_view"):
        hearing.session_state[k] = at.session_state[k]
    _run(hearing)
    hearing.text_input(key="save_cur_title").input(title)
    next(b for b in hearing.button if b.label == "Save this view").click()
    _run(hearing)


def _legend(at: AppTest) -> list[list]:
    (args,) = [json.loads(c.proto.json_args) for c in components(at._tree[0])]
    return [[row[0], str(row[2])] for row in json.loads(args["values"])["legend"]]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path))
    return ViewsStore(tmp_path / "us_federal", "us_federal")


def test_getis_ord_hot_spots_from_the_link(store):
    at = _open(an_view="hotspots", an_level="state", an_stat="gi", an_perm="99")
    assert at.radio(key="an_stat").value == "gi"
    labels = [row[0] for row in _legend(at)]
    assert labels == ["Hot spot (among high values)", "Cold spot (among low values)",
                      "Not significant", "No data"]
    assert "Getis-Ord Gi* with binary weights" in texts(at).replace("\\", "")


def test_the_export_panel_offers_the_downloads_and_saves_the_view(store, drawn):
    from exports.compose import compose
    from exports.pack import hearing_pack
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest

    at = _open(an_view="hotspots", an_level="state", an_perm="99")
    at.toggle(key="xp_open").set_value(True)
    _run(at)
    labels = [b.label for b in at.get("download_button")]
    assert sorted(labels) == sorted(["PNG image", "PDF", "SVG", "Interactive HTML (offline)",
                                     "CSV data", "GeoJSON", "Excel"])
    assert at.text_input(key="xp_save_title").label == "Title"    # "Save this view" offered
    _save_current(at, "Hot spots by state")
    (sv,) = store.list()
    assert {k: sv.query.get(k) for k in ("page", "an_view", "level", "measure", "an_perm")} == \
        {"page": "analysis", "an_view": "hotspots", "level": "state", "measure": "per_capita",
         "an_perm": "99"}
    data = WorkspaceData(load_manifest(discover_workspaces()["us_federal"]))
    c = compose(data, sv.query)
    assert not c.ignored
    assert [[e.label, str(e.count)] for e in c.view.legend] == _legend(at)  # as on the screen
    # the pack draws it: its map page has the view's title, legend and method statement
    assert hearing_pack(data, store.list())[:5] == b"%PDF-"
    page = [t.get_text() for t in drawn[-1].findobj(lambda a: hasattr(a, "get_text"))]
    assert "1. Hot spots by state" in page
    assert all(f"{e.label}  ({e.count:,})" in page for e in c.view.legend)
    assert any(t.startswith("Local Moran's I (LISA) with queen contiguity") for t in page)


def test_the_hearing_saves_the_current_analysis_view_and_presents_it(store):
    at = _open(an_view="outliers", an_level="state", an_rule="tukey")
    _save_current(at, "Outliers by state")
    q = store.get("Outliers by state").query
    assert (q["page"], q["an_view"], q["an_rule"], q["level"]) == \
        ("analysis", "outliers", "tukey", "state")
    slides = AppTest.from_file(HEARING, default_timeout=120)
    slides.query_params["present"] = "1"
    slides.query_params["slide"] = "1"
    _run(slides)
    body = " ".join(h.proto.body for h in slides.get("html"))
    assert "Box map: outliers in classes of their own" in body
    assert "Outliers: values below Q1 − 1.5 × IQR" in body
    (args,) = [json.loads(c.proto.json_args) for c in components(slides._tree[0])]
    marks = json.loads(args["values"])["mk"]        # the outliers outlined, as on the page
    assert marks == ["Outlier: beyond Tukey's fences (1.5 × IQR)", "6"]


def test_in_chinese(store):
    at = _open(an_view="hotspots", an_level="state", an_stat="gi", an_perm="99", lang="zh")
    assert at.radio(key="an_stat").value == "gi"
    assert [row[0] for row in _legend(at)][:2] == ["热点（高值聚集）", "冷点（低值聚集）"]


@pytest.fixture
def drawn(monkeypatch):
    """The map pages the hearing pack draws (to read their texts)."""
    from exports import pack

    figures = []
    real_draw = pack.draw

    def draw_spy(*args, **kwargs):
        snap = real_draw(*args, **kwargs)
        figures.append(snap.figure)
        return snap

    monkeypatch.setattr(pack, "draw", draw_spy)
    return figures


def test_a_link_copied_from_the_analysis_page_is_a_view_of_that_page():
    from ui.hearing import link_query

    q = link_query("http://host/analysis?an_view=hotspots&an_level=county&an_stat=gi")
    assert q == {"an_view": "hotspots", "an_level": "county", "an_stat": "gi",
                 "page": "analysis"}
    assert link_query("http://host/one_map?level=state") == {"level": "state"}
    assert link_query("page=roads&level=town") == {"page": "roads", "level": "town"}
