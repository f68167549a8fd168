"""AppTest of the Hearing page: the sequence, saving, and presentation mode."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from exports.views_store import VIEWS_DIR_ENV, ViewsStore

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "hearing.py")


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path))
    return ViewsStore(tmp_path / "us_federal", "us_federal")


def _run(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def slide(at: AppTest) -> dict[str, str]:
    """The lines of the slide on screen, by class (fm-ptitle, fm-psub, fm-pcount, fm-pnote,
    fm-psource), as the browser shows them (HTML entities decoded)."""
    import html as html_lib
    import re

    body = " ".join(h.proto.body for h in at.get("html"))
    return {m[0]: html_lib.unescape(m[1])
            for m in re.findall(r"<div class='(fm-p\w+)'[^>]*>(.*?)</div>", body)}


def _three(store):
    store.save("States per resident", {"level": "state", "measure": "per_capita"}, "one")
    store.save("Unemployment", {"level": "county", "measure": "indicator"}, "two")
    store.save("Bad link", {"level": "state", "measure": "total", "years": "1700-1701",
                            "palette": "Rainbow"}, "three")


def test_empty_sequence_says_how_to_start(store):
    at = _run()
    assert any("No saved views yet" in i.value for i in at.info)
    assert at.button(key="present_btn").disabled


def test_save_current_view_then_reorder_rename_delete(store):
    at = _run()
    at.text_input(key="save_cur_title").input("Totals by state")
    at.text_input(key="save_cur_note").input("first look")
    next(b for b in at.button if b.label == "Save this view").click()
    at.run()
    assert [v.title for v in store.list()] == ["Totals by state"]
    assert any("Saved “Totals by state”" in s.value for s in at.success)
    store.save("Second", {"level": "county", "measure": "indicator"})
    at.run()
    at.button(key=f"up_{store.get('Second').id}").click().run()
    assert [v.title for v in store.list()] == ["Second", "Totals by state"]
    at.button(key=f"del_{store.get('Second').id}").click().run()
    assert [v.title for v in store.list()] == ["Totals by state"]


def test_presentation_steps_through_the_sequence(store):
    _three(store)
    at = _run()
    at.button(key="present_btn").click().run()
    assert slide(at)["fm-ptitle"] == "States per resident"
    assert slide(at)["fm-pcount"] == "1 / 3"
    assert at.button(key="fm_prev").disabled
    # the chrome is hidden and the theme is high contrast
    css = " ".join(h.proto.body for h in at.get("html"))
    assert '[data-testid="stSidebar"]' in css and "display: none" in css
    assert at.query_params["present"] == "1" and at.query_params["slide"] == "1"

    at.button(key="fm_next").click().run()
    assert slide(at)["fm-pcount"] == "2 / 3"
    assert at.query_params["slide"] == "2"
    at.button(key="fm_next").click().run()
    assert slide(at)["fm-pcount"] == "3 / 3" and at.button(key="fm_next").disabled
    # a saved link that no longer fits the data: nearest valid view, and what was ignored
    warn = " ".join(w.value for w in at.warning)
    assert "years" in warn and "palette" in warn
    at.button(key="fm_prev").click().run()
    assert slide(at)["fm-pcount"] == "2 / 3"
    at.button(key="fm_exit").click().run()
    assert at.title[0].value == "Hearing"


def test_presentation_link_opens_the_slide(store):
    _three(store)
    at = _run(present="1", slide="2")
    assert slide(at)["fm-ptitle"] == "Unemployment"
    at = _run(present="1", slide="99")          # out of range: first slide
    assert slide(at)["fm-pcount"] == "1 / 3"


def test_corrupt_views_file_is_reported_not_overwritten(store):
    store.folder.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{oops", encoding="utf-8")
    at = _run()
    assert any("not valid JSON" in e.value for e in at.error)
    assert store.path.read_text(encoding="utf-8") == "{oops"



def _visit_then_hearing(ws: str, page: str, widgets) -> AppTest:
    """Open ``page`` in the app, set its widgets, then go to the Hearing page by navigation
    (which drops the map page's widget values)."""
    at = AppTest.from_file(str(Path(PAGE).parents[1] / "app.py"), default_timeout=120)
    at.session_state["ws"] = ws
    at.switch_page(page)
    at.run()
    for kind, key, value in widgets:
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/hearing.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _save_current(at: AppTest, title: str) -> None:
    """Save "the current view" on the Hearing page with the session the app had.

    (A form submitted inside the app's navigation is not seen by AppTest, so the page runs on
    its own with that session's remembered view.)"""
    page = AppTest.from_file(PAGE, default_timeout=120)
    for k in ("ws", "_last_view"):
        page.session_state[k] = at.session_state[k]
    page.run()
    page.text_input(key="save_cur_title").input(title)
    next(b for b in page.button if b.label == "Save this view").click()
    page.run()
    assert not page.exception, [e.value for e in page.exception]


def test_save_current_view_after_visiting_one_map_saves_that_view(store):
    at = _visit_then_hearing("us_federal", "pages/one_map.py",
                             [("radio", "level", "state"), ("selectbox", "measure", "per_capita"),
                              ("selectbox", "palette", "Purples")])
    shown = " ".join(m.value for m in at.markdown)
    assert "Per resident" in shown and "States" in shown, shown
    _save_current(at, "States per resident")
    q = store.get("States per resident").query
    assert (q["level"], q["measure"], q["palette"]) == ("state", "per_capita", "Purples")


def test_save_current_view_after_visiting_roads_saves_the_roads_view(monkeypatch, tmp_path):
    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path))
    store = ViewsStore(tmp_path / "boston_region", "boston_region")
    at = _visit_then_hearing("boston_region", "pages/roads.py",
                             [("selectbox", "rd_layer", "poor_share")])
    assert "poor condition" in " ".join(m.value for m in at.markdown)
    _save_current(at, "Poor interstate")
    q = store.get("Poor interstate").query
    assert (q["page"], q["road_layer"], q["overlay"], q["level"]) == \
        ("roads", "poor_share", "1", "town")
    assert q["condition"] == "psi_massdot_interstate"


def test_each_slide_names_its_source_and_data_date_and_shows_its_own_figures(store):
    _three(store)
    at = _run(present="1", slide="1")
    s = slide(at)
    assert s["fm-psource"].startswith("Source: us-atlas counties-10m (TopoJSON); USAspending")
    assert s["fm-psource"].endswith(" · Data as of 2024-09-30")
    assert "Census population estimates" in s["fm-psource"]        # per capita reads them
    assert s["fm-pnote"] == ("one — Total on the map: $4.8T · Overall rate: $14,027 · "
                             "States with data: 52 of 56 · Not placed on the map: $853,504")
    at.button(key="fm_next").click().run()
    s = slide(at)
    assert s["fm-pnote"] == ("two — Median: 3.8% · Population covered: 336,420,804 · "
                             "Counties with data: 3,210 of 3,230 · Values not placed: 10")
    assert "—" not in s["fm-pnote"].split(" — ", 1)[1]          # no empty money figures
    assert s["fm-psource"] == ("Source: us-atlas counties-10m (TopoJSON); BLS Local Area "
                               "Unemployment Statistics, county annual averages 2008-2024 · "
                               "Data as of 2024-09-30")
    assert s["fm-psub"] == ("Unemployment rate (% of labor force), 2024 · Outcome indicator · "
                            "Counties")


def test_presentation_in_chinese(store):
    _three(store)
    at = _run(present="1", slide="2", lang="zh")
    assert at.button(key="fm_prev").label == "◀ 上一个"
    assert at.button(key="fm_exit").label == "退出"
    s = slide(at)
    assert s["fm-pnote"].startswith("two — 中位数：3.8% · 覆盖人口：")
    assert s["fm-psource"].startswith("数据来源：us-atlas counties-10m (TopoJSON)")
    assert s["fm-psource"].endswith(" · 数据日期 2024-09-30")
    import locales
    locales.set_language("en")


def test_a_roads_slide_draws_its_segments_on_the_map_component(monkeypatch, tmp_path):
    """A saved roads view with its segments is presented by the app's map component, the
    segments one of its overlays (as on the Roads page), not by a folium map."""
    import json

    from tests.app.conftest import components

    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path))
    store = ViewsStore(tmp_path / "boston_region", "boston_region")
    store.save("Interstate condition", {"page": "roads", "road_layer": "status",
                                        "condition": "psi_massdot_interstate", "overlay": "1"})
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["ws"] = "boston_region"
    at.query_params.update({"present": "1", "slide": "1"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    maps = list(components(at._tree))
    assert [c.proto.component_name for c in maps] == ["ui.map_component.fiscal_map"]
    drawn = json.loads(json.loads(maps[0].proto.json_args)["overlays"])
    assert [o["id"] for o in drawn] == ["roads"]
    assert drawn[0]["label"] == "PSI class, Interstate (2013)"
    assert [row[0] for row in drawn[0]["legend"]][-1] == "No data"
