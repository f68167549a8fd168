"""AppTest of the Early warning page: the statuses of a tiny workspace change with the quarter
(exact), the US demo's FY2019 Q2 lists the states, the view lives in the URL, and a bad
[early_warning] section is shown, not raised."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import REPO, components, texts
from tests.unit.test_pace import EXPECTED, monthly_workspace, pace_workspace, plan_workspace

PAGE = str(REPO / "pages" / "early_warning.py")


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(ws: str, **state) -> AppTest:
    # The page file itself (see tests/app/test_import_page.py for why not through app.py).
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["ws"] = ws
    for key, value in state.items():
        at.session_state[key] = value
    return _run(at)


def _statuses(at: AppTest, level_label: str) -> dict[str, str]:
    table = at.dataframe[0].value
    return dict(zip(table[level_label], table["Status"]))


def _map_args(at: AppTest) -> dict:
    (args,) = [json.loads(c.proto.json_args) for c in components(at._tree[0])]
    return json.loads(args["values"])


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    root = tmp_path / "workspaces"
    pace_workspace(root / "pace_demo")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    return "pace_demo"


WORDS = {"red": "Far behind (red)", "yellow": "Behind (yellow)", "green": "On pace (green)",
         "ahead": "Ahead (blue)", "no data": "No data"}


def test_changing_the_quarter_changes_the_flags(tiny):
    at = _open(tiny)
    assert at.selectbox(key="ew_year").value == 2019
    assert at.radio(key="ew_quarter").value == 2              # the latest period in the table
    at.radio(key="ew_quarter").set_value(1)
    _run(at)
    assert _statuses(at, "District") == {k: WORDS[v] for k, v in EXPECTED[1].items()}
    assert list(at.dataframe[0].value["District"])[:2] == ["Beta", "Epsilon"]   # red first
    assert at.query_params["ew_quarter"] == "1" and at.query_params["ew_year"] == "2019"
    legend = {row[0]: row[2] for row in _map_args(at)["legend"]}
    assert legend == {"Far behind (red)": "1", "Behind (yellow)": "1", "On pace (green)": "1",
                      "Ahead (blue)": "1", "No data": "2"}
    assert "Early warning: Pace demo" not in texts(at)       # the table's label is the title
    assert at.title[0].value == "Early warning: Spend, FY2019 Q1"

    at.radio(key="ew_quarter").set_value(2)
    _run(at)
    assert _statuses(at, "District") == {k: WORDS[v] for k, v in EXPECTED[2].items()}
    assert {m.label: m.value for m in at.metric} == {
        "Far behind (red)": "0", "Behind (yellow)": "1", "Ahead (blue)": "0",
        "On pace (green)": "2", "No data": "3"}
    table = at.dataframe[0].value.set_index("District")
    assert table.loc["Beta", "Gap (points)"] == pytest.approx(-8.0)
    assert table.loc["Epsilon", "Why"] == "missing (not counted as zero): FY2019 Q2"
    shown = texts(at)
    assert "red at 10 or more points behind, yellow at 5 or more behind" in shown
    assert "own spending profile" in shown


def test_rule_from_the_link_and_the_csv(tiny):
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["ws"] = tiny
    at.query_params["ew_rule"] = "elapsed"
    at.query_params["ew_quarter"] = "1"
    _run(at)
    assert at.selectbox(key="ew_rule").value == "elapsed"
    assert r"92 of 365 days of the fiscal year \(25.2%\)" in texts(at)
    (button,) = [b for b in at.get("download_button")]
    assert "Download the ranked list" in button.proto.label


def test_us_demo_fy2019_q2_lists_the_states():
    at = _open("us_federal", ew_year=2019, ew_quarter=2)
    table = at.dataframe[0].value
    assert len(table) == 56
    assert {"Alabama", "California", "Texas", "Puerto Rico"} <= set(table["State"])
    assert table.iloc[0]["State"] == "Alabama" and table.iloc[0]["Status"] == "Behind (yellow)"
    assert list(table.columns) == [
        "Rank", "State", "Spent to date (USD)", "Expected to date (USD)",
        "Share of the year spent", "Expected share", "Gap (points)", "Gap to date (USD)",
        "Status", "Why",
        "Expected full year (USD)", "History years"]
    alabama = table.iloc[0]
    assert alabama["Spent to date (USD)"] == 25_912_536_694
    assert alabama["Share of the year spent"] == pytest.approx(40.5766, abs=1e-4)
    assert alabama["Gap (points)"] == pytest.approx(-9.824, abs=1e-3)
    assert at.title[0].value == "Early warning: Federal obligations, all agencies, FY2019 Q2"
    assert "on rows with no region" in texts(at)


def test_bad_section_is_shown_with_every_problem(tmp_path, monkeypatch):
    root = tmp_path / "workspaces"
    pace_workspace(root / "broken", "[early_warning]\nyellow = 12\nred = 10\nrul = \"x\"\n")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    at = _open("broken")
    shown = "\n".join(e.value for e in at.error)
    assert "must be smaller than 'red'" in shown and r"did you mean \`rule\`" in shown


def test_months_and_a_plan(tmp_path, monkeypatch):
    root = tmp_path / "workspaces"
    monthly_workspace(root / "monthly")
    plan_workspace(root / "planned")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))

    at = _open("monthly")
    at.radio(key="ew_step").set_value("month")
    _run(at)
    assert at.selectbox(key="ew_month").options == ["October", "November", "December",
                                                    "January"]
    assert at.selectbox(key="ew_month").value == 1                 # January, the latest
    assert at.title[0].value == "Early warning: Spend, FY2019 Jan"
    assert _statuses(at, "District") == {"Alpha": "Behind (yellow)"}
    at.selectbox(key="ew_month").set_value(12)
    _run(at)
    assert _statuses(at, "District") == {"Alpha": "On pace (green)"}
    assert at.query_params["ew_month"] == "12"

    at = _open("planned", ew_quarter=1)
    assert at.selectbox(key="ew_rule").options == ["Own spending profile", "Time elapsed",
                                                   "Plan to date"]
    table = at.dataframe[0].value.set_index("District")
    assert table.loc["Alpha", "Status"] == "On pace (green)"
    assert table.loc["Alpha", "Spent ÷ planned to date"] == 100
    assert table.loc["Beta", "Why"] == "no plan: the plan for FY2019 is zero"
    shown = "\n".join(t.value for t in at.text)
    assert "2 region(s) spent $50 in FY2019 to date but have no plan" in shown
    assert "1 plan key(s) for FY2019 match no district ($8 planned)" in shown


NAMES = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]     # the layer's order


def test_map_shows_the_ranked_lists_figures(tmp_path, monkeypatch):
    from layers.choropleth import value_formatter

    # apart: the two share a title, and so a workspace id
    pace_workspace(tmp_path / "tiny" / "pace_demo")
    plan_workspace(tmp_path / "plan" / "planned")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path / "tiny"))
    column = {"gap": ("Gap (points)", "points"),
              "shares": ("Share of the year spent", "%"),
              "gap_money": ("Gap to date (USD)", "USD"),
              "execution": ("Spent ÷ planned to date", "%")}

    def check(at: AppTest, choice: str) -> None:
        at.radio(key="ew_map").set_value(choice)
        _run(at)
        assert at.query_params["ew_map"] == choice
        table = at.dataframe[0].value.set_index("District")
        name, unit = column[choice]
        fmt = value_formatter(unit)
        want = [fmt(table.loc[n, name]) if n in table.index and table.loc[n, name] ==
                table.loc[n, name] else "No data" for n in NAMES]
        assert _map_args(at)["v"] == want, choice

    at = _open("pace_demo", ew_quarter=1)
    assert at.radio(key="ew_map").value == "status"
    assert at.radio(key="ew_map").options == [
        "Status (traffic light)", "Gap (points)", "Share spent against the expected share",
        "Gap in money (spent − expected to date)"]              # no plan: no execution rate
    for choice in ("gap", "shares", "gap_money"):
        check(at, choice)
    assert _map_args(at)["v"][1] == "−$15"                      # Beta: spent 10 of 25 expected

    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path / "plan"))
    at = AppTest.from_file(PAGE, default_timeout=90)            # from a link, with a plan
    at.session_state["ws"] = "planned"
    at.query_params["ew_map"] = "execution"
    at.query_params["ew_quarter"] = "1"
    _run(at)
    assert at.radio(key="ew_map").value == "execution"
    assert _map_args(at)["v"][0] == "100%"                      # Alpha spent its plan
    for choice in ("execution", "gap_money", "gap"):
        check(at, choice)

    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path / "tiny"))
    at = AppTest.from_file(PAGE, default_timeout=90)            # no plan: the link's map ignored
    at.session_state["ws"] = "pace_demo"
    at.query_params["ew_map"] = "execution"
    _run(at)
    assert at.radio(key="ew_map").value == "status"
    assert "ew\\_map = 'execution' (not available here)" in "\n".join(w.value for w in at.warning)


def test_the_view_can_be_saved_for_the_hearing(tiny, tmp_path, monkeypatch):
    from exports.compose import compose
    from exports.views_store import VIEWS_DIR_ENV, ViewsStore
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest

    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path / "views"))
    at = _open(tiny, ew_quarter=1)
    at.toggle(key="xp_open").set_value(True)
    _run(at)
    at.text_input(key="xp_save_title").input("Q1 flags")
    next(b for b in at.button if b.label == "Save this view").click()
    _run(at)
    (sv,) = ViewsStore(tmp_path / "views" / tiny, tiny).list()
    assert {k: sv.query.get(k) for k in ("page", "ew_step", "ew_year", "ew_quarter")} == \
        {"page": "early_warning", "ew_step": "quarter", "ew_year": "2019", "ew_quarter": "1"}
    data = WorkspaceData(load_manifest(discover_workspaces()[tiny]))
    c = compose(data, sv.query)                 # drawn as the page drew it
    assert not c.ignored
    assert [[e.label, str(e.count)] for e in c.view.legend] == \
        [[row[0], row[2]] for row in _map_args(at)["legend"]]


def test_the_ranked_list_has_whole_amounts_and_shares_to_one_decimal(tiny):
    at = _open(tiny)
    config = json.loads(at.dataframe[0].proto.columns)
    money = [c for c in config if c.startswith(("Spent to date", "Expected to date",
                                                "Gap to date", "Expected full year"))]
    assert len(money) == 4
    for c in money:
        assert {k: config[c]["type_config"][k] for k in ("format", "step")} == \
            {"format": "localized", "step": 1}, c
    assert config["Share of the year spent"]["type_config"]["format"] == "%.1f%%"
    assert config["Gap (points)"]["type_config"]["format"] == "%+.1f"


def test_early_warning_in_chinese(tiny):
    at = _open(tiny, lang="zh")
    assert at.title[0].value.startswith("预警：Spend，FY2019 ")
    assert at.selectbox(key="ew_year").label == "财年"
    assert at.radio(key="ew_quarter").label == "季度（截至季末）"
    assert "排名" in at.dataframe[0].value.columns
