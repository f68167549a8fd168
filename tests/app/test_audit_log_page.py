"""The Audit log page: the lines newest first with filters and downloads; with sign-in on, an
administrator of one workspace reads that workspace's lines only, and a viewer reads none."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from streamlit.testing.v1 import AppTest

from geodata import audit
from tests.app.conftest import APP, REPO, texts
from tests.fixtures.helpers import BAD_WORKSPACE, close_bundled

PAGE = "pages/audit_log.py"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "7c1e9a3b5d7f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f8a1c",
        "client_id": "fiscalmap", "client_secret": "s3cret-value",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
SITE = """
[workspaces.draft_budget]
admin = ["boss@city.example"]
viewer = ["@city.example"]

""" + close_bundled()
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def _seed(log, lines) -> None:
    cfg = audit.settings()
    assert cfg.path == log
    for i, (action, user, ws, view, file) in enumerate(lines):
        audit.record(cfg, action, user=user, workspace=ws, view=view, file=file,
                     when=T0 + timedelta(minutes=i))


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "audit" / "audit.jsonl"
    monkeypatch.setenv("FISCALMAP_AUDIT_LOG", str(path))
    return path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def shown(at: AppTest) -> list[tuple]:
    """The log table's rows: (user, workspace, action, file)."""
    frame = at.dataframe[0].value
    return list(frame[["user", "workspace", "action", "file"]].itertuples(index=False,
                                                                         name=None))


# ------------------------------------------------------------------ open (no sign-in)
OPEN_LINES = [
    ("sign_in", "ann@city.example", "", "", ""),
    ("export", "open", "us_federal", "?ws=us_federal&level=state", "us_federal_map.png"),
    ("view_save", "open", "us_federal", "?level=county", "/srv/views/views.json"),
    ("export", "os:clerk", "boston_region", "", "/home/clerk/pack.pdf"),
]


def open_page(**state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(PAGE)
    return run(at)


def test_open_mode_shows_every_line_newest_first_with_the_rotation(log):
    _seed(log, OPEN_LINES)
    with log.open("a", encoding="utf-8") as fh:
        fh.write('{"time": "torn\n')
    at = open_page(ws="us_federal")
    assert at.title[0].value == "Audit log"
    assert shown(at) == [
        ("os:clerk", "boston_region", "Export", "/home/clerk/pack.pdf"),
        ("open", "us_federal", "Saved view added", "/srv/views/views.json"),
        ("open", "us_federal", "Export", "us_federal_map.png"),
        ("ann@city.example", "", "Sign-in", "")]
    frame = at.dataframe[0].value
    assert frame["time"].tolist()[0] == "2025-03-01T09:03:00+00:00"
    assert frame["view"].tolist()[2] == "?ws=us_federal&level=state"
    body = texts(at)
    assert "1 line of the log cannot be read (cut short or edited by hand); it is left out " \
           "below." in body
    assert f"The log is kept in ` {log} `. It is rotated when it reaches 10 MB; 5 older files " \
           "are kept beside it." in body
    assert "4 of 4 lines, newest first." in body
    cols = json.loads(at.dataframe[0].proto.columns)
    assert [cols[k]["label"] for k in ("time", "user", "workspace", "action", "view", "file")] \
        == ["Time", "User", "Workspace", "Action", "View", "File"]
    assert {b.label for b in at.get("download_button")} >= {
        "Download these lines (JSON lines)", "Download these lines (CSV)"}
    # the access rules of every workspace (sign-in off: they apply once it is on)
    assert "Sign-in is not configured" in body and "Access rules" in [s.value for s in
                                                                       at.subheader]


def test_filters_by_action_user_and_workspace(log):
    _seed(log, OPEN_LINES)
    at = open_page(ws="us_federal")
    at.multiselect(key="audit_actions").select("export")
    run(at)
    assert [r[3] for r in shown(at)] == ["/home/clerk/pack.pdf", "us_federal_map.png"]
    at.text_input(key="audit_user").input("CLERK")
    run(at)
    assert shown(at) == [("os:clerk", "boston_region", "Export", "/home/clerk/pack.pdf")]
    at.text_input(key="audit_user").input("")
    at.multiselect(key="audit_actions").unselect("export")
    at.multiselect(key="audit_workspaces").select("")
    run(at)
    assert shown(at) == [("ann@city.example", "", "Sign-in", "")]
    assert "1 of 4 lines, newest first." in texts(at)


def test_the_downloads_hold_the_lines_shown_and_are_audited(log):
    from ui import audit_log
    from geodata.files import csv_bytes

    _seed(log, OPEN_LINES)
    rows, _ = audit.read(audit.settings())
    body = csv_bytes(audit_log.csv_frame(rows[1:2])).decode()
    assert body.splitlines()[0] == "time,user,workspace,action,view,file,detail"
    assert body.splitlines()[1] == ("2025-03-01T09:01:00+00:00,open,us_federal,export,"
                                    "?ws=us_federal&level=state,us_federal_map.png,")
    # a cell a spreadsheet would run as a formula is written as text
    hostile = [{"time": "t", "user": "=HYPERLINK(\"x\")", "workspace": "w", "action": "export",
                "view": "", "file": ""}]
    assert csv_bytes(audit_log.csv_frame(hostile)).decode().splitlines()[1] == \
        't,"\'=HYPERLINK(""x"")",w,export,,,'
    assert audit.jsonl_bytes(rows[1:2]).decode().count("\n") == 1


def test_the_page_in_chinese(log):
    _seed(log, OPEN_LINES)
    at = open_page(ws="us_federal", lang="zh")
    assert at.title[0].value == "审计日志"
    frame = at.dataframe[0].value
    assert frame["action"].tolist() == ["导出", "新增已保存视图", "导出", "登录"]
    assert "访问规则" in [s.value for s in at.subheader]


# ------------------------------------------------------------------ sign-in on
def _workspace(root, wid: str) -> None:
    shutil.copytree(BAD_WORKSPACE, root / wid)


@pytest.fixture
def site(tmp_path, log, monkeypatch):
    root = tmp_path / "workspaces"
    _workspace(root, "draft_budget")
    _workspace(root, "public_ws")
    (root / "public_ws" / "workspace.toml").open("a").write("\n[access]\npublic = true\n")
    access = tmp_path / "access.toml"
    access.write_text(SITE, encoding="utf-8")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    monkeypatch.setenv("FISCALMAP_ACCESS", str(access))
    _seed(log, [("sign_in", "boss@city.example", "", "", ""),
                ("export", "viewer@city.example", "draft_budget", "?ws=draft_budget",
                 "draft_budget_grants.csv"),
                ("export", "anyone", "public_ws", "?ws=public_ws", "public_ws_map.png"),
                ("view_delete", "boss@city.example", "draft_budget", "", "views.json")])
    return tmp_path


def signed_in(email: str, *, direct: bool = False) -> AppTest:
    at = AppTest.from_file(str(REPO / PAGE) if direct else str(APP), default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": email, "email_verified": True,
               "sub": "sub-" + email.split("@")[0]}
    if not direct:
        at.switch_page(PAGE)
    return run(at)


def test_an_administrator_of_one_workspace_reads_its_lines_only(site):
    at = signed_in("boss@city.example")
    assert at.title[0].value == "Audit log"
    assert shown(at) == [
        ("boss@city.example", "draft_budget", "Saved view deleted", "views.json"),
        ("viewer@city.example", "draft_budget", "Export", "draft_budget_grants.csv")]
    assert at.multiselect(key="audit_workspaces").options == ["draft_budget"]
    body = texts(at)
    assert "2 of 2 lines, newest first." in body
    # the rules of the workspace administered, and nothing of the others
    rules = at.dataframe[1].value
    assert rules.values.tolist() == [["boss@city.example", "administrator",
                                      "access.toml [workspaces.draft_budget]"],
                                     ["@city.example", "viewer",
                                      "access.toml [workspaces.draft_budget]"]]
    assert "Not public: only the people its rules name may view it." in body
    assert "public_ws" not in body and "us_federal" not in body


def test_a_viewer_reads_nothing(site):
    # not in the navigation: asking for the page opens the default one
    at = signed_in("viewer@city.example")
    assert [x.value for x in at.title] == ["Bad input (test fixture)"]
    assert "draft_budget_grants.csv" not in texts(at)
    # and the page itself, run directly, says why
    at = signed_in("viewer@city.example", direct=True)
    assert texts(at).count("Only administrators can read the audit log.") == 1
    assert not at.dataframe and not at.get("download_button")
    assert "draft_budget_grants.csv" not in texts(at)


# ------------------------------------------------------------------ downloads on the pages
@pytest.fixture
def offered(monkeypatch):
    """Every audited download button the pages draw: key → the view link it records."""
    from ui import auth

    seen: dict[str, dict] = {}
    real = auth.download_button

    def spy(container, label, data, *, file_name, view="", workspace=None, **kwargs):
        seen[kwargs.get("key", label)] = {"view": view, "file": file_name}
        return real(container, label, data, file_name=file_name, view=view,
                    workspace=workspace, **kwargs)
    monkeypatch.setattr(auth, "download_button", spy)
    return seen


def test_a_page_download_records_the_view_on_screen(offered, log, monkeypatch):
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(BAD_WORKSPACE))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["ws"] = "bad_workspace"
    at.session_state["panel"] = "data"
    at.query_params["k"] = "4"
    at.switch_page("pages/one_map.py")
    run(at)
    assert offered["dl_table"] == {
        "view": "?ws=bad_workspace&level=county&measure=total&table=grants&years=2023-2023"
                "&average=0&scheme=quantiles&k=4&palette=YlGnBu&reverse=0&page=one_map",
        "file": "bad_workspace_county_map_data.csv"}
    at.switch_page("pages/data_quality.py")
    run(at)
    assert offered["dl_problems"] == {"view": "", "file": "bad_workspace_problems.csv"}
