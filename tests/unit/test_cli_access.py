"""The export command lines under the site's sign-in: the OS login is the identity, a workspace
it may not view is reported as one that does not exist, and every file written is audited."""
from __future__ import annotations


import json
import shutil
from urllib.parse import urlencode

import pytest

from exports import cli
from geodata import audit
from geodata.access import os_identity
from tests.fixtures.helpers import BAD_WORKSPACE

AUTH = """[auth]
redirect_uri = "http://127.0.0.1:8501/oauth2callback"
cookie_secret = "{secret}"
client_id = "fiscalmap"
client_secret = "s3cret-value"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
""".format(secret="0123456789abcdef" * 4)
LOGIN = os_identity().os_user        # from the password database, as the command line


def _bundled(public_only: bool) -> set[str]:
    """The workspaces shipped with the app (public ones: their manifests say so)."""
    from geodata.access import manifest_rules
    from geodata.workspace import BUNDLED_ROOT, discover_workspaces

    return {w for w, p in discover_workspaces([BUNDLED_ROOT]).items()
            if not public_only or manifest_rules(p)[0].public}


def _known(err: str) -> set[str]:
    """The workspaces an error message lists as known."""
    listed = err.split("known workspaces: ", 1)[1].split(" (see ", 1)[0]
    return set(listed.split(", "))


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Two copies of the bad-input workspace (draft, published), sign-in configured, an access
    file that makes only ``published`` public, and the audit log in the test's folder."""
    root = tmp_path / "workspaces"
    for name in ("draft", "published"):
        shutil.copytree(BAD_WORKSPACE, root / name)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH, encoding="utf-8")
    rules = tmp_path / "access.toml"
    rules.write_text("[workspaces.published]\npublic = true\n", encoding="utf-8")
    log = tmp_path / "log" / "audit.jsonl"
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    monkeypatch.setenv("FISCALMAP_SECRETS", str(secrets))
    monkeypatch.setenv("FISCALMAP_ACCESS", str(rules))
    monkeypatch.setenv("FISCALMAP_AUDIT_LOG", str(log))
    monkeypatch.setenv("FISCALMAP_VIEWS_DIR", str(tmp_path / "views"))
    return tmp_path


def _lines(site) -> list[dict]:
    return audit.read(audit.settings())[0]


def _error(capsys) -> str:
    return capsys.readouterr().err.strip()


def test_a_workspace_the_login_may_not_view_is_reported_as_unknown(site, capsys):
    out = site / "draft.csv"
    assert cli.main(["-w", "draft", "-f", "csv", "--out", str(out)]) == 2
    denied = _error(capsys)
    assert cli.main(["-w", "no_such_workspace", "-f", "csv", "--out", str(out)]) == 2
    unknown = _error(capsys)
    assert denied == unknown.replace("'no_such_workspace'", "'draft'")
    assert denied.startswith("error: no workspace 'draft': expected a workspace id or a folder "
                             "holding a workspace.toml; known workspaces: ")
    assert denied.endswith(" (see python -m exports.cli --help)")
    assert _known(denied) == {"published"} | _bundled(public_only=True)
    # by its folder, and for the list of its saved views: the same
    folder = str(site / "workspaces" / "draft")
    assert cli.main(["-w", folder, "-f", "csv", "--out", str(out)]) == 2
    assert _error(capsys) == unknown.replace("'no_such_workspace'", repr(folder))
    assert cli.main(["-w", "draft", "--list"]) == 2
    assert _error(capsys) == denied
    assert not out.exists() and _lines(site) == []


def test_an_os_rule_lets_the_login_export_and_the_file_is_audited(site, capsys):
    (site / "access.toml").write_text(
        f'[workspaces.published]\npublic = true\n\n[workspaces.draft]\nviewer = ["os:{LOGIN}"]\n',
        encoding="utf-8")
    out = site / "out" / "draft.csv"
    assert cli.main(["-w", "draft", "--query", "level=county", "-f", "csv",
                     "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"region_id,name,value")
    (line,) = _lines(site)
    from exports.compose import compose
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest

    data = WorkspaceData(load_manifest(site / "workspaces" / "draft"))
    link = "?" + urlencode(compose(data, {"level": "county"}).vs.to_query())
    assert {k: line[k] for k in ("user", "workspace", "action", "view", "file")} == {
        "user": f"os:{LOGIN}", "workspace": "draft", "action": "export", "view": link,
        "file": str(out.resolve())}
    assert cli.main(["-w", "no_such_workspace", "--list"]) == 2
    assert _known(_error(capsys)) == {"draft", "published"} | _bundled(public_only=True)


def test_a_wildcard_os_rule_and_a_group_rule(site, capsys):
    (site / "access.toml").write_text('[workspaces.draft]\nviewer = ["group:budget"]\n',
                                      encoding="utf-8")
    assert cli.main(["-w", "draft", "--list"]) == 2        # groups are for signed-in people
    capsys.readouterr()
    (site / "access.toml").write_text('[site]\nviewer = ["os:*"]\n', encoding="utf-8")
    assert cli.main(["-w", "draft", "--list"]) == 0


def test_without_sign_in_everything_is_allowed_and_still_audited(site, capsys):
    (site / "secrets.toml").write_text("", encoding="utf-8")
    out = site / "draft.csv"
    assert cli.main(["-w", "draft", "-f", "csv", "--out", str(out)]) == 0
    (line,) = _lines(site)
    assert (line["user"], line["workspace"], line["file"]) == (f"os:{LOGIN}", "draft",
                                                               str(out.resolve()))
    assert cli.main(["-w", "no_such_workspace", "--list"]) == 2
    assert _known(_error(capsys)) == {"draft", "published"} | _bundled(public_only=False)


def test_an_audit_log_that_cannot_be_written_is_said_and_the_file_stays(site, capsys,
                                                                         monkeypatch):
    (site / "secrets.toml").write_text("", encoding="utf-8")
    (site / "blocker").write_text("a file where the log's folder should be")
    monkeypatch.setenv("FISCALMAP_AUDIT_LOG", str(site / "blocker" / "audit.jsonl"))
    out = site / "draft.csv"
    assert cli.main(["-w", "draft", "-f", "csv", "--out", str(out)]) == 0
    assert out.exists()
    err = capsys.readouterr().err
    assert f"warning: the audit log {site / 'blocker' / 'audit.jsonl'} cannot be written (" \
        in err and "this file is not recorded in it; tell the site's administrator" in err


def test_a_pack_names_its_saved_views(site):
    from exports.views_store import ViewsStore

    (site / "access.toml").write_text(f'[site]\nviewer = ["os:{LOGIN}"]\n', encoding="utf-8")
    store = ViewsStore(site / "views" / "draft", "draft")
    first = store.save("Grants", {"level": "county"})
    pytest.importorskip("matplotlib")
    out = site / "pack.pdf"
    assert cli.main(["-w", "draft", "-f", "pack", "--out", str(out)]) == 0
    (line,) = _lines(site)
    assert (line["view"], line["detail"]) == ("?level=county", {"saved_views": [first.id]})


def test_help_says_who_the_command_runs_as(capsys):
    assert cli.main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert (f"Runs as the operating-system user ({LOGIN}) and reads the workspace files with "
            f"that user's permissions. When the site configures sign-in, it is allowed only "
            f"what the access rules give os:{LOGIN}") in text
    assert "the file stays written and the exit status is unchanged." in text


# ------------------------------------------------------------------ the early-warning command
def test_early_warning_command_under_sign_in(site, tmp_path, capsys):
    from performance import cli as ew_cli
    from tests.unit.test_pace import pace_workspace

    pace_workspace(site / "workspaces" / "pace")
    out = tmp_path / "flags.csv"
    assert ew_cli.main(["-w", "pace", "--quarter", "1", "-o", str(out)]) == 1
    denied = _error(capsys)
    assert ew_cli.main(["-w", "nowhere", "--quarter", "1", "-o", str(out)]) == 1
    assert denied == _error(capsys).replace("'nowhere'", "'pace'")
    assert denied.startswith("error: no workspace 'pace': expected a workspace id or a folder "
                             "holding a workspace.toml; known workspaces: ")
    assert _known(denied) == {"published"} | _bundled(public_only=True)
    assert not out.exists()

    (site / "access.toml").write_text(f'[workspaces.pace]\nviewer = ["os:{LOGIN}"]\n',
                                      encoding="utf-8")
    assert ew_cli.main(["-w", "pace", "--year", "2019", "--quarter", "1", "-o", str(out)]) == 2
    (line,) = _lines(site)
    assert {k: line[k] for k in ("user", "workspace", "action", "view", "file")} == {
        "user": f"os:{LOGIN}", "workspace": "pace", "action": "export",
        "view": "?ws=pace&page=early_warning&ew_step=quarter&ew_year=2019&ew_quarter=1"
                "&ew_rule=profile", "file": str(out.resolve())}
    assert line["detail"] == {"table": "spend", "by": ""}
    json.dumps(line)
