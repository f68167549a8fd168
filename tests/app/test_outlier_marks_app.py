"""AppTest of "Mark outliers": on Per capita the map outlines North Dakota (its payload carries
the marks, a values-only rerun of the year slider too), the legend has the outline's row, and
the page lists the flagged states with the rule; One map offers the control under the classes
and keeps the choice in the link."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from tests.app.conftest import components, open_link
from tests.app.conftest import rerun as run

ND = "38"


def open_page(page: str, *, lang: str | None = None, **params) -> AppTest:
    return open_link(page, "us_federal", timeout=180, lang=lang, **params)


def maps(at: AppTest) -> dict[str, dict]:
    out = {}
    for c in components(at._tree[0]):
        args = json.loads(c.proto.json_args)
        args["values"] = json.loads(args["values"])
        args["ids"] = json.loads(args["geometry"])["ids"] if "geometry" in args else None
        out[user_key_from_element_id(c.proto.id)] = args
    return out


def marked_ids(args: dict, ids: list[str]) -> list[str]:
    return sorted(ids[i] for i in args["values"].get("m", []))


def state_ids() -> list[str]:
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest

    data = WorkspaceData(load_manifest(discover_workspaces()["us_federal"]))
    return [str(r) for r in data.boundaries("state")["region_id"]]


def test_per_capita_outlines_north_dakota_and_lists_the_outliers():
    at = open_page("pages/per_capita.py", pc_outliers="mad")
    assert at.selectbox(key="_pc_outliers_rule").value == "mad"
    assert at.number_input(key="_pc_outliers_k").value == 3.5
    args = maps(at)["pc_map"]
    ids = state_ids()
    marked = marked_ids(args, ids)
    assert ND in marked
    assert args["values"]["mk"] == ["Outliers (median ± 3.5 MAD)", f"{len(marked):,}"]
    tip = dict(args["values"]["rows"])["Outlier"]
    assert tip[ids.index(ND)].startswith("robust z-score +")
    captions = [c.value.replace("\\", "") for c in at.caption]    # as Markdown shows them
    assert any(c.startswith("Outliers: values more than 3.5 times the median absolute")
               for c in captions), captions
    (exp,) = [e for e in at.expander if "are outliers (outlined on the map)" in e.label]
    table = exp.dataframe[0].value
    assert table["Region"].iloc[0] == "North Dakota"
    assert list(table.columns) == ["Region", "Value", "Side", "Robust z-score", "Region id"]
    assert at.query_params["pc_outliers"] == "mad"
    # the year slider sends only values: they carry the marks of the year shown
    at.select_slider(key="pc_year").set_value(2020)
    run(at)
    later = maps(at)["pc_map"]
    assert ND in marked_ids(later, ids) and later["gid"] == args["gid"]


def test_per_capita_switching_the_rule_and_k_changes_the_marks_and_the_link():
    at = open_page("pages/per_capita.py")
    assert "m" not in maps(at)["pc_map"]["values"]
    at.selectbox(key="_pc_outliers_rule").set_value("tukey")
    run(at)
    assert at.number_input(key="_pc_outliers_k").value == 1.5
    assert at.query_params["pc_outliers"] == "tukey"
    assert maps(at)["pc_map"]["values"]["mk"][0] == "Outliers (Tukey's fences, k = 1.5)"
    at.number_input(key="_pc_outliers_k").set_value(3.0)
    run(at)
    assert at.query_params["pc_outliers"] == "tukey:3"
    assert maps(at)["pc_map"]["values"]["mk"][0] == "Outliers (Tukey's fences, k = 3)"
    at.selectbox(key="_pc_outliers_rule").set_value("")
    run(at)
    assert "m" not in maps(at)["pc_map"]["values"] and "pc_outliers" not in at.query_params


def test_per_capita_a_bad_link_value_is_reported_and_nothing_marked():
    at = open_page("pages/per_capita.py", pc_outliers="mad:99")
    assert at.selectbox(key="_pc_outliers_rule").value == ""
    assert "m" not in maps(at)["pc_map"]["values"]
    assert any("pc_outliers = 'mad:99' (not understood)" in w.value.replace("\\", "")
               for w in at.warning), [w.value for w in at.warning]


def test_per_capita_marks_in_chinese():
    at = open_page("pages/per_capita.py", lang="zh", pc_outliers="mad")
    args = maps(at)["pc_map"]
    assert args["values"]["mk"][0] == "异常值（中位数 ± 3.5 倍 MAD）"
    assert at.selectbox(key="_pc_outliers_rule").label == "标记异常值"
    assert "异常值" in dict(args["values"]["rows"])


def test_one_map_offers_mark_outliers_under_the_classes_and_keeps_it_in_the_link():
    at = open_page("pages/one_map.py", level="state", measure="per_capita", outliers="tukey:3")
    rule = at.sidebar.selectbox(key="_outliers_rule")
    assert rule.value == "tukey" and rule.label == "Mark outliers"
    assert at.sidebar.number_input(key="_outliers_k").value == 3.0
    assert at.session_state["outliers"] == "tukey:3"
    assert at.query_params["outliers"] == "tukey:3"
    schemes = at.sidebar.selectbox(key="scheme")
    assert {"Box map (outliers apart)", "Percentiles (1, 10, 50, 90, 99)",
            "Head/tail breaks"} <= set(schemes.options)


def test_one_map_outlines_the_outliers_and_lists_them_as_the_export_does():
    from exports.compose import compose
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest

    at = open_page("pages/one_map.py", level="state", measure="per_capita", outliers="mad")
    args = maps(at)["one_map"]
    ids = state_ids()
    marked = marked_ids(args, ids)
    assert ND in marked
    assert args["values"]["mk"] == ["Outliers (median ± 3.5 MAD)", f"{len(marked):,}"]
    (exp,) = [e for e in at.expander if "are outliers (outlined on the map)" in e.label]
    assert exp.dataframe[0].value["Region"].iloc[0] == "North Dakota"
    # the PNG, the pack and the command line outline the same regions
    data = WorkspaceData(load_manifest(discover_workspaces()["us_federal"]))
    c = compose(data, {"level": "state", "measure": "per_capita", "outliers": "mad"})
    assert sorted(c.view.marked) == marked


def test_one_map_data_table_carries_how_far_out_each_outlined_region_is():
    at = open_page("pages/one_map.py", level="state", measure="per_capita", outliers="mad",
                   panel="data")
    (table,) = [d.value for d in at.dataframe if "outlier" in d.value.columns]
    by_id = table.set_index("region_id")["outlier"]
    assert by_id["38"] == pytest.approx(30.6, abs=0.1)          # North Dakota
    assert pd.isna(by_id["06"])                                   # California: not outlined
