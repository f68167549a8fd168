"""AppTest of the Scorecard page on a tiny workspace: exact statuses, sentences and rule; a
new year gives new statuses; the status map, the CSV, and bad targets listed, not fatal."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import REPO, components, texts
from tests.unit.test_scorecard import EXPECTED, TARGETS, tiny_workspace

PAGE = str(REPO / "pages" / "scorecard.py")
REGIONS = ["D1", "D2", "D3", "D4"]


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


def _start(ws: str = "tiny") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["ws"] = ws
    return _run(at)


def matrix(at: AppTest) -> dict[str, list[str]]:
    """The regions × indicators table: the status word of each cell, by indicator."""
    df = at.dataframe[0].value.set_index("region_id").loc[REGIONS]
    return {c: [str(x).split(" · ")[0] for x in df[c]] for c in ("Unemployment", "Income",
                                                                 "Parks")}


def map_payload(at: AppTest) -> dict:
    (comp,) = [c for c in components(at._tree) if "values" in c.proto.json_args]
    return json.loads(json.loads(comp.proto.json_args)["values"])


def test_statuses_of_the_latest_year_then_another_year(root):
    tiny_workspace(root)
    at = _start()
    assert at.selectbox(key="sc_year").value == 2023
    assert matrix(at) == EXPECTED[2023]
    shown = texts(at)
    assert ("2 of 4 districts kept unemployment at or below their targets in 2023; 1 at risk, "
            "1 missed.") in shown
    assert "2 of 3 districts kept income at or above \\$90 in 2023; 1 missed; 1 with no data." \
        in shown
    assert "No target set for: Parks." in shown

    at.selectbox(key="sc_year").set_value(2022)
    _run(at)
    assert matrix(at) == EXPECTED[2022]
    assert matrix(at) != EXPECTED[2023]
    assert ("1 of 3 districts kept unemployment at or below 5% in 2022; 1 at risk, 1 missed; "
            "1 with no data.") in texts(at)


def test_the_status_map_prints_the_rule_and_follows_the_indicator(root):
    tiny_workspace(root)
    at = _start()
    at.selectbox(key="sc_year").set_value(2022)
    _run(at)
    assert at.selectbox(key="sc_indicator").value == "Income"   # the first judged one
    at.selectbox(key="sc_indicator").set_value("Unemployment")
    _run(at)
    v = map_payload(at)
    assert [row[0] for row in v["legend"]] == ["met ≤ 5%", "at risk 5% to 6%", "missed > 6%",
                                               "no target", "No data"]
    assert [row[2] for row in v["legend"]] == ["1", "1", "1", "0", "1"]
    assert v["unit_label"] == "Lower is better: met ≤ 5%; at risk 5% to 6%; missed > 6%."
    detail = at.dataframe[1].value
    assert detail[["region_id", "status"]].values.tolist() == [
        ["D3", "missed"], ["D2", "at risk"], ["D1", "met"], ["D4", "no data"]]


def test_the_csv_holds_every_region_and_indicator_with_the_money(root):
    tiny_workspace(root)
    at = _start()
    assert at.download_button(key="sc_download").label == "Download the scorecard (CSV)"
    from geodata.files import csv_bytes
    from performance.scorecard import build_scorecard, scorecard_csv_frame
    from ui import cache

    # the bytes the button offers, from the same recipe and the same loaded workspace
    sc = build_scorecard(cache.load(str(root / "tiny")), "district", 2023)
    frame = pd.read_csv(io.BytesIO(csv_bytes(scorecard_csv_frame(sc))),
                        dtype={"region_id": str})
    assert len(frame) == 12
    assert frame.drop_duplicates("region_id").set_index("region_id")[
        "money_per_resident"].to_dict() == {"D1": 1.6, "D2": 0.5, "D3": 1.5, "D4": 0.5}
    assert set(frame["status"]) == {"met", "at risk", "missed", "no data", "no target"}
    assert set(frame["rule"]) == set(sc.rules.values())


def test_bad_targets_are_listed_and_the_page_still_works(root):
    tiny_workspace(root, TARGETS.replace("at_risk = 1.0", "at_risk = -1.0"))
    at = _start()
    shown = texts(at)
    assert ("workspace.toml: [targets.\"Unemployment\"]: 'at_risk' must be a number ≥ 0 (a band "
            "beyond the target still counted at risk), got -1.0") in shown
    assert matrix(at)["Unemployment"] == ["no target"] * 4
    assert "1 row(s) of 'Unemployment' have a target but no direction" in shown


def test_a_workspace_without_indicators_says_what_to_add(root):
    folder = tiny_workspace(root)
    manifest = (folder / "workspace.toml").read_text(encoding="utf-8")
    cut = manifest.index('[[tables]]\nid = "outcomes"')
    (folder / "workspace.toml").write_text(manifest[:cut], encoding="utf-8")
    at = _start()
    assert "has no indicators table" in texts(at)


def test_the_status_map_can_be_saved_for_the_hearing(root, tmp_path, monkeypatch):
    from exports.compose import compose
    from exports.views_store import VIEWS_DIR_ENV, ViewsStore
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    folder = tiny_workspace(root)
    at = _start()
    at.selectbox(key="sc_indicator").set_value("Income")
    at.toggle(key="xp_open").set_value(True)
    _run(at)
    at.text_input(key="xp_save_title").input("Income against its target")
    next(b for b in at.button if b.label == "Save this view").click()
    _run(at)
    (sv,) = ViewsStore(tmp_path / "views" / "tiny", "tiny").list()
    assert {k: sv.query.get(k) for k in ("page", "sc_year", "sc_indicator")} == \
        {"page": "scorecard", "sc_year": "2023", "sc_indicator": "Income"}
    c = compose(WorkspaceData(load_manifest(folder)), sv.query)     # as the page drew it
    assert not c.ignored and c.title == "Scorecard: Income, 2023"
    assert [[e.label, str(e.count)] for e in c.view.legend] == \
        [[row[0], row[2]] for row in map_payload(at)["legend"]]


def test_the_tables_have_labels_and_formats_not_raw_names(root):
    tiny_workspace(root)
    at = _start()
    matrix_cfg = json.loads(at.dataframe[0].proto.columns)
    assert (matrix_cfg["region_id"]["label"], matrix_cfg["name"]["label"]) == ("Code", "District")
    assert matrix_cfg["money per resident"]["label"] == "Money per resident (USD)"
    assert matrix_cfg["money per resident"]["type_config"]["format"] == "dollar"
    at.selectbox(key="sc_indicator").set_value("Income")
    _run(at)
    detail = json.loads(at.dataframe[1].proto.columns)
    assert detail["value"]["type_config"] == {"type": "number", "format": "dollar", "step": 1}
    assert detail["change"]["label"] == "Change over the last 5 years"
    at.selectbox(key="sc_indicator").set_value("Unemployment")
    _run(at)
    detail = json.loads(at.dataframe[1].proto.columns)
    assert {k: v.get("label") for k, v in detail.items() if not v.get("hidden")} == {
        "region_id": "Code", "name": "District", "value": "Value", "target": "Target",
        "status": "Status", "trend": "Trend, last 5 years",
        "change": "Change over the last 5 years (percentage points)",
        "money_per_resident": "Money per resident (USD)"}
    assert detail["unit"]["hidden"] is True
    assert detail["value"]["type_config"]["format"].endswith("f%%")      # "4.2%", not 4.2
    assert detail["change"]["type_config"]["format"].startswith("%+")    # signed
    # a few dollars per resident keep their cents; the US demo's thousands have none
    assert detail["money_per_resident"]["type_config"] == {"type": "number", "format": "dollar",
                                                           "step": 0.01}


def test_the_scorecard_in_chinese(root):
    tiny_workspace(root)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["ws"] = "tiny"
    at.session_state["lang"] = "zh"
    _run(at)
    assert at.title[0].value == "计分卡：绩效指标对照目标"
    assert at.selectbox(key="sc_indicator").label == "地图上的绩效指标"
    assert at.download_button(key="sc_download").label == "下载计分卡（CSV）"
