"""What money predicts over a panel of years on the Analysis page, and the page's model maps
being the recipes' (analysis.model_views) that the exports draw."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from analysis import model_views as MV
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from tests.app.conftest import REPO, components, open_link, texts

PAGE = "pages/analysis.py"
UNEMPLOYMENT = "ind:Unemployment rate (% of labor force)"
MONEY = "money:obligations_total"


def run(**query) -> AppTest:
    return open_link(PAGE, "us_federal", timeout=180, **query)


@pytest.fixture(scope="module")
def data():
    return WorkspaceData(load_manifest(REPO / "geodata" / "workspaces" / "us_federal"))


def drawn(at: AppTest) -> tuple[list[str], list[int]]:
    """The region ids and class numbers of the one map on the page."""
    (args,) = [json.loads(c.proto.json_args) for c in components(at._tree)
               if "fiscal_map" in c.proto.component_name]
    return json.loads(args["geometry"])["ids"], json.loads(args["values"])["c"]


def scatter(at: AppTest):
    """The scatter's spec and the rows it plots."""
    import pyarrow as pa

    def find(node):
        if getattr(node, "type", None) == "vega_lite_chart":
            yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from find(child)

    (chart,) = list(find(at._tree))
    rows = pa.ipc.open_stream(chart.proto.data.data).read_all().to_pandas()
    return json.loads(chart.proto.spec), rows


def test_a_link_reopens_the_panel(data):
    at = run(an_view="predicts", an_level="state", an_outcome=UNEMPLOYMENT, an_money=MONEY,
             an_panel="2016-2024")
    assert at.session_state["an_panel"] == (2016, 2024)
    assert at.radio(key="an_panel_mode").value == "panel"
    assert at.query_params["an_panel"] == "2016-2024"
    assert [(m.label, m.value) for m in at.metric][1:4] == [
        ("Regions", "51"), ("Rows (region-years)", "459"), ("Years", "2016–2024")]
    assert at.metric[0].label == "Within-year R²"
    assert at.metric[0].help.startswith("The share of each year's differences between regions")
    body = texts(at).replace("\\", "")
    assert "with year fixed effects (one intercept per year) and standard errors clustered by " \
        "region" in body
    assert "This is an association, not a cause" in body
    assert at.warning[0].value.startswith("Association, not cause")
    # the map is the recipe's, region by region: each state's mean residual over the span
    ids, shown = drawn(at)
    amap = MV.predicts_map(data, "state", 2024, ids, outcome=UNEMPLOYMENT, money=MONEY,
                           controls=[], log=True, panel=(2016, 2024))
    assert shown == amap.view.class_ids.tolist()
    assert amap.methodology in body
    assert amap.subtitle.startswith("Mean residual 2016–2024")
    assert at.metric[0].value == amap.methodology.split("Within-year R² ")[1][:4]
    assert "Year effects (each year's shift from 2016)" in [e.label for e in at.expander]
    # the scatter: every state in every year, named with its year on hover
    spec, rows = scatter(at)
    assert len(rows) == 459
    assert [f["field"] for f in spec["encoding"]["tooltip"]][:2] == ["region", "year"]
    arizona = rows[(rows["region"] == "Arizona") & (rows["year"] == "2016")].iloc[0]
    assert arizona["outcome"] == 5.5
    assert sorted(rows["year"].unique()) == [str(y) for y in range(2016, 2025)]


def test_a_panel_of_one_year_is_refused():
    at = run(an_view="predicts", an_level="state", an_panel="2024-2024")
    assert at.session_state["an_panel"] == (2024, 2024)
    assert "A panel needs at least two years; the span chosen holds only 2024." in texts(at)
    assert not at.metric


def test_one_year_again_drops_the_panel_from_the_link(data):
    at = run(an_view="predicts", an_level="state", an_outcome=UNEMPLOYMENT, an_money=MONEY,
             an_panel="2016-2024")
    at.radio(key="an_panel_mode").set_value("one").run()
    assert not at.exception
    assert at.session_state["an_panel"] == ""
    assert "an_panel" not in at.query_params
    assert [m.label for m in at.metric] == ["R²", "Regions", "Money coefficient (95% interval)"]
    ids, shown = drawn(at)
    amap = MV.predicts_map(data, "state", 2024, ids, outcome=UNEMPLOYMENT, money=MONEY,
                           controls=[], log=True)
    assert shown == amap.view.class_ids.tolist()
    assert amap.methodology in texts(at).replace("\\", "")


def test_peer_group_map_is_the_recipes(data):
    at = run(an_view="peers", an_level="state", an_groups="4")
    ids, shown = drawn(at)
    amap = MV.peers_map(data, "state", int(at.session_state["an_year"]), ids,
                        measures=list(at.session_state["an_measures"]), groups=4,
                        method="kmeans", log=True)
    assert shown == amap.view.class_ids.tolist()
    assert amap.methodology in texts(at).replace("\\", "")


def test_panel_in_chinese():
    at = run(an_view="predicts", an_level="state", an_outcome=UNEMPLOYMENT, an_money=MONEY,
             an_panel="2016-2024", lang="zh")
    assert [m.label for m in at.metric][:4] == ["年内R²", "地区", "行数（地区×年份）", "年份"]
    assert at.radio(key="an_panel_mode").options == ["单一年份", "多年面板"]
    body = texts(at)
    assert "年份固定效应" in body and "标准误按地区聚类" in body
