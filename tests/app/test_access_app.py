"""Sign-in and roles in the app (AppTest on the real app.py): who sees which workspace in the
picker and through links, a broken [auth] refusing to start, the open notice, and the controls
that change saved views shown to editors only."""
from __future__ import annotations

import json
import shutil
import uuid
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from exports.views_store import ViewsStore
from tests.app.conftest import APP, REPO, texts
from tests.fixtures.helpers import BAD_WORKSPACE, close_bundled

SECRET = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d1f"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": SECRET,
        "client_id": "fiscalmap", "client_secret": "s3cret-value",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
SITE = """
[site]
admin = ["boss@city.example"]

[workspaces.draft_budget]
viewer = ["@city.example"]
editor = ["editor@city.example"]

""" + close_bundled()
PUBLIC, DRAFT = "Public budget", "Draft budget 2027"
BUNDLED = ["Boston region", "New York City Council discretionary funding", "US federal spending"]
HEARING, ONE_MAP = "pages/hearing.py", "pages/one_map.py"
SIGNED_OUT = {"is_logged_in": False}


def user(email: str) -> dict:
    return {"is_logged_in": True, "email": email, "email_verified": True,
            "sub": "sub-" + email.split("@")[0]}


def _workspace(root, wid: str, title: str, extra: str = "") -> None:
    folder = root / wid
    shutil.copytree(BAD_WORKSPACE, folder)
    manifest = folder / "workspace.toml"
    text = manifest.read_text(encoding="utf-8")
    assert 'title = "Bad input (test fixture)"' in text
    manifest.write_text(text.replace('title = "Bad input (test fixture)"',
                                     f'title = "{title}"') + extra, encoding="utf-8")


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    root = tmp_path_factory.mktemp("workspaces")
    _workspace(root, "public_ws", PUBLIC, "\n[access]\npublic = true\n")
    _workspace(root, "draft_budget", DRAFT)
    return root


@pytest.fixture
def site(workspaces, tmp_path, monkeypatch):
    """The two workspaces, the site's access file, an audit log and a views folder of this
    test. Returns the folder holding them."""
    access = tmp_path / "access.toml"
    access.write_text(SITE, encoding="utf-8")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(workspaces))
    monkeypatch.setenv("FISCALMAP_ACCESS", str(access))
    monkeypatch.setenv("FISCALMAP_AUDIT_LOG", str(tmp_path / "audit" / "audit.jsonl"))
    monkeypatch.setenv("FISCALMAP_VIEWS_DIR", str(tmp_path / "views"))
    return tmp_path


def app(who: dict, *, auth: dict | None = AUTH, page: str | None = None, query=None,
        direct: bool = False, **state) -> AppTest:
    """A run of app.py (on ``page``), or of the page file itself with ``direct`` (as Streamlit
    runs a deep link; a form submitted after ``switch_page`` is not seen by AppTest)."""
    at = AppTest.from_file(str(REPO / page) if direct else str(APP), default_timeout=60)
    # the secrets of this test alone (never a secrets.toml of the machine)
    if auth is not None:
        at.secrets["auth"] = dict(auth)
    else:
        at.secrets["unrelated"] = {"x": "1"}
    at.user = who
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in state.items():
        at.session_state[k] = v
    if page and not direct:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def picker(at: AppTest) -> list[str]:
    return [s.options for s in at.sidebar.selectbox if s.label in ("Workspace", "工作区")][0]


def everything(node) -> str:
    """Every element of the page as protobuf text (labels, options, values, data)."""
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None:
        out.append(str(proto))
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        out += [everything(c) for c in children.values()]
    return "\n".join(out)


def seed_views(site, ws: str = "draft_budget") -> None:
    store = ViewsStore(site / "views" / ws, ws)
    store.save("First view", {"level": "county"})
    store.save("Second view", {"level": "county", "k": "4"})


# ------------------------------------------------------------------------- the picker

def test_signed_out_sees_the_public_workspace_and_a_sign_in_button(site):
    at = app(SIGNED_OUT)
    assert picker(at) == [PUBLIC]
    assert [b.label for b in at.sidebar.button] == ["Sign in"]
    assert at.session_state["ws"] == "public_ws"
    assert DRAFT not in everything(at._tree)


def test_a_viewer_sees_both(site):
    at = app(user("viewer@city.example"))
    assert picker(at) == [DRAFT, PUBLIC]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert [c.value.replace("`", "").split() for c in at.sidebar.caption
            if c.value.startswith("Signed in as")] == [["Signed", "in", "as",
                                                        "viewer@city.example"]]


def test_a_sign_in_is_audited_once(site):
    who = {"is_logged_in": True, "email": "viewer@city.example", "sub": uuid.uuid4().hex}
    at = app(who)
    at.run()
    rows = [json.loads(x) for x in
            (site / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["action"], r["user"], r["workspace"]) for r in rows] == [
        ("sign_in", "viewer@city.example", "")]


def test_an_outsider_sees_only_the_public_one(site):
    at = app(user("someone@elsewhere.example"))
    assert picker(at) == [PUBLIC]


def test_a_site_admin_sees_every_workspace(site):
    at = app(user("boss@city.example"), ws="public_ws")
    assert sorted(picker(at)) == sorted([DRAFT, PUBLIC, *BUNDLED])


@pytest.mark.parametrize("who", [SIGNED_OUT, user("someone@elsewhere.example")],
                         ids=["signed_out", "outsider"])
@pytest.mark.parametrize("ws", ["draft_budget", "no_such_ws"])
def test_a_link_to_a_workspace_out_of_reach_says_not_available(site, ws, who):
    at = app(who, query={"ws": ws})
    escaped = ws.replace("_", "\\_")
    assert [w.value for w in at.warning] == [
        f"Some link parameters were ignored: ws = '{escaped}' (not available here)"]
    assert at.session_state["ws"] == "public_ws"
    shown = everything(at._tree)
    assert DRAFT not in shown
    assert "Draft budget" not in shown


def test_the_same_link_opens_the_draft_for_a_viewer(site):
    at = app(user("viewer@city.example"), query={"ws": "draft_budget"})
    assert at.session_state["ws"] == "draft_budget"
    assert at.title[0].value == DRAFT
    assert [w.value for w in at.warning] == []


def test_no_public_workspace_and_signed_out_asks_to_sign_in(site):
    (site / "access.toml").write_text(SITE + "\n[workspaces.public_ws]\npublic = false\n",
                                      encoding="utf-8")
    at = app(SIGNED_OUT)
    assert [i.value for i in at.info] == ["Sign in to see the workspaces."]
    assert [s.label for s in at.sidebar.selectbox if s.label == "Workspace"] == []
    assert PUBLIC not in everything(at._tree) and DRAFT not in everything(at._tree)
    assert [b.label for b in at.sidebar.button] == ["Sign in"]


def test_chinese_labels_data_titles_as_written(site):
    at = app(SIGNED_OUT, query={"lang": "zh"})
    assert picker(at) == [PUBLIC]
    assert [b.label for b in at.sidebar.button] == ["登录"]
    (site / "access.toml").write_text(SITE + "\n[workspaces.public_ws]\npublic = false\n",
                                      encoding="utf-8")
    at = app(SIGNED_OUT, query={"lang": "zh"})
    assert [i.value for i in at.info] == ["请登录以查看工作区。"]


# ------------------------------------------------------------------------- [auth] itself

def test_a_placeholder_cookie_secret_refuses_to_start(site):
    at = app(user("viewer@city.example"), auth={**AUTH, "cookie_secret": "xxx"})
    assert [e.value for e in at.error] == [
        "Sign-in is configured (the [auth] section of the secrets) but cannot start. Fix these "
        "and restart the app:"]
    problems = [m.value.replace("\\", "") for m in at.markdown]
    assert problems == ["- [auth]: cookie_secret is a placeholder or too short (at least 32 "
                        "random characters)"]
    # nothing else ran: no picker, no page, no sign-in control
    assert [s.label for s in at.selectbox] == []
    assert [t.value for t in at.title] == []
    assert [b.label for b in at.button] == []
    assert PUBLIC not in everything(at._tree) and DRAFT not in everything(at._tree)


def test_an_auth_section_missing_a_key_refuses_to_start(site):
    auth = {k: v for k, v in AUTH.items() if k != "client_id"}
    at = app(SIGNED_OUT, auth=auth)
    assert len(at.error) == 1
    assert [m.value.replace("\\", "") for m in at.markdown] == ["- [auth]: client_id is missing"]
    assert [s.label for s in at.selectbox] == []


OPEN_NOTICE = ("Sign-in is not configured: anyone who can reach this address sees every "
               "workspace and can change saved views. Access rules are set for {n} "
               "workspace(s); they apply once sign-in is configured (see the README).")


def test_without_auth_the_overview_says_sign_in_is_not_configured(site):
    # rules only in manifests: public_ws and the bundled workspaces have an [access] table
    (site / "access.toml").write_text("", encoding="utf-8")
    at = app({}, auth=None, ws="public_ws")
    assert at.info[0].value == OPEN_NOTICE.format(n=str(1 + len(BUNDLED)))
    # open: every workspace, no sign-in button
    assert sorted(picker(at)) == sorted([DRAFT, PUBLIC, *BUNDLED])
    assert [b.label for b in at.sidebar.button] == []


def test_the_open_notice_counts_workspaces_ruled_anywhere(site):
    # manifests: public_ws and the bundled ones; site file: draft_budget (and the bundled ones
    # again): each counted once
    at = app({}, auth=None, ws="public_ws")
    assert at.info[0].value == OPEN_NOTICE.format(n=str(2 + len(BUNDLED)))


# ------------------------------------------------------------------------- editors only

def test_an_editor_sees_the_controls_that_change_views(site):
    seed_views(site)
    at = app(user("editor@city.example"), page=HEARING, ws="draft_budget")
    labels = [b.label for b in at.button]
    assert labels.count("Up") == 2 and labels.count("Down") == 2 and labels.count("Delete") == 2
    assert "Save this view" in [b.label for b in at.get("form_submit_button")]
    assert "Import" in [b.label for b in at.get("form_submit_button")]


def test_a_viewer_hearing_page_has_no_change_controls(site):
    seed_views(site)
    at = app(user("viewer@city.example"), page=HEARING, ws="draft_budget")
    labels = [b.label for b in at.button]
    assert "▶ Present (2 views)" in labels
    for gone in ("Up", "Down", "Delete"):
        assert gone not in labels
    assert [b.label for b in at.get("form_submit_button")] == []
    assert "Only editors of this workspace can change the sequence." in \
        [c.value for c in at.caption]
    # the views are still listed for presenting
    shown = texts(at)
    assert "**1. First view**" in shown and "**2. Second view**" in shown


def _export_panel(who: str) -> AppTest:
    at = app(user(who), page=ONE_MAP, direct=True, ws="draft_budget")
    at.toggle(key="xp_open").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_an_editor_saves_a_view_from_the_export_panel_and_it_is_audited(site):
    at = _export_panel("editor@city.example")
    assert "**Save this view** for the hearing sequence" in [m.value for m in at.markdown]
    at.text_input(key="xp_save_title").input("For the hearing")
    next(b for b in at.button if b.label == "Save this view").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (saved,) = ViewsStore(site / "views" / "draft_budget", "draft_budget").list()
    assert saved.title == "For the hearing"
    rows = [json.loads(x) for x in
            (site / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    saves = [r for r in rows if r["action"] == "view_save"]
    assert len(saves) == 1
    assert (saves[0]["user"], saves[0]["workspace"]) == ("editor@city.example", "draft_budget")
    assert saves[0]["view"] == "?" + urlencode(saved.query)
    assert saved.query["level"] == "county"
    assert "Saved “For the hearing”: view 1 of the sequence on the Hearing page." in texts(at)


def test_a_viewer_export_panel_has_no_save(site):
    at = _export_panel("viewer@city.example")
    assert "**Save this view** for the hearing sequence" not in [m.value for m in at.markdown]
    assert [b.label for b in at.get("form_submit_button")] == []
    # the downloads are still there
    assert len(at.get("download_button")) >= 1


def test_a_link_to_a_hidden_workspace_is_audited_for_its_admins_once(site):
    at = app(user("someone@elsewhere.example"), query={"ws": "draft_budget"})
    at.run()
    app(user("someone@elsewhere.example"), query={"ws": "no_such_ws"})
    rows = [json.loads(x) for x in
            (site / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    denied = [(r["user"], r["workspace"], r["view"]) for r in rows if r["action"] == "denied"]
    # one line for the session, none for a workspace that does not exist
    assert denied == [("someone@elsewhere.example", "draft_budget", "?ws=draft_budget")]


def test_import_is_for_editors(site):
    # a viewer asking for the Import page gets the default page: it is not in the navigation
    at = app(user("viewer@city.example"), page="pages/import_data.py")
    assert "Import data" not in [x.value for x in at.title]
    # run directly (a deep link on a fresh server), the page says why and shows no step
    at = app(user("viewer@city.example"), page="pages/import_data.py", direct=True)
    assert "Importing data is for editors." in texts(at)
    assert not at.get("file_uploader")
    at = app(user("editor@city.example"), page="pages/import_data.py", direct=True)
    assert "Importing data is for editors." not in texts(at)
    assert [x.value for x in at.title] == ["Import data"]


def test_an_empty_auth_section_refuses_to_start(site):
    at = app(SIGNED_OUT, auth={})
    assert len(at.error) == 1
    listed = [m.value.replace("\\", "") for m in at.markdown][0]
    for key in ("cookie_secret", "redirect_uri", "client_id", "client_secret",
                "server_metadata_url"):
        assert key in listed
    assert [s.label for s in at.selectbox] == []


def test_an_e_mail_the_provider_did_not_verify_matches_no_domain_rule(site):
    unverified = {"is_logged_in": True, "email": "viewer@city.example", "sub": "v"}
    assert picker(app(unverified)) == [PUBLIC]
    (site / "access.toml").write_text(SITE.replace("[site]", "[site]\ntrust_email = true"),
                                      encoding="utf-8")
    assert sorted(picker(app(unverified))) == sorted([DRAFT, PUBLIC])


def test_a_hidden_workspace_does_not_show_through_its_language(site, tmp_path, monkeypatch):
    other = tmp_path / "more"
    _workspace(other, "hidden_zh", "隐藏的预算")
    manifest = other / "hidden_zh" / "workspace.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "[workspace]\n", '[workspace]\nlanguage = "zh"\n', 1), encoding="utf-8")
    import os

    monkeypatch.setenv("FISCALMAP_WORKSPACES",
                       os.pathsep.join([os.environ["FISCALMAP_WORKSPACES"], str(other)]))
    hidden = app(SIGNED_OUT, query={"ws": "hidden_zh"})
    absent = app(SIGNED_OUT, query={"ws": "no_such_ws"})
    assert [s.label for s in hidden.sidebar.selectbox] == ["Workspace", "Language"]
    assert texts(hidden).replace("hidden\\_zh", "X") == \
        texts(absent).replace("no\\_such\\_ws", "X")
    # a viewer of it gets its language
    (site / "access.toml").write_text(SITE + '\n[workspaces.hidden_zh]\nviewer = ["*"]\n',
                                      encoding="utf-8")
    opened = app(user("someone@elsewhere.example"), query={"ws": "hidden_zh"})
    assert [s.label for s in opened.sidebar.selectbox] == ["工作区", "语言 · Language"]


def test_under_sign_in_tables_offer_no_unaudited_download(site):
    from streamlit import config

    config.set_option("client.disableDataExport", False)
    try:
        app({}, auth=None, ws="public_ws")
        assert config.get_option("client.disableDataExport") is False    # open: as before
        app(user("viewer@city.example"))
        assert config.get_option("client.disableDataExport") is True
    finally:
        config.set_option("client.disableDataExport", False)
