"""Sign-in end to end: the real dashboard behind a real OpenID Connect provider, in Chromium.

The provider (``tests/oidc_provider.py``) runs on 127.0.0.1 in this process; Streamlit gets its
``[auth]`` section through ``--secrets.files``. Two workspaces are copied from the bad-input
fixture: ``public_ws`` ("Public budget", public) and ``draft_budget`` ("Draft budget 2027",
viewers at @city.example). Every test ends with no request having left the machine.

Two servers: one whose provider answers, one whose provider's port is closed.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, assert_offline, open_app, wait_settled
from tests.fixtures.helpers import close_bundled
from tests.oidc_provider import oidc_provider, unreachable_url, write_secrets

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FIXTURE_WS = REPO / "tests" / "fixtures" / "bad_workspace"
PUBLIC, DRAFT = "Public budget", "Draft budget 2027"

VIEWER = "viewer@city.example"
OUTSIDER = "someone@elsewhere.example"
GROUPED = "g@partner.example"
USERS = {
    VIEWER: {"email": VIEWER, "email_verified": True},
    OUTSIDER: {"email": OUTSIDER, "email_verified": True},
    # partner.example is in no rule: only the group claim can let this user in.
    GROUPED: {"email": GROUPED, "email_verified": True, "groups": ["budget-office"]},
}

ACCESS = """\
[site]
group_claims = ["groups"]

[workspaces.draft_budget]
public = false
viewer = ["@city.example"{extra}]
editor = ["editor@city.example"]

[workspaces.public_ws]
public = true

# The bundled demos say public = true in their manifests; the site file wins.
""" + close_bundled()
GROUP_RULE = ', "group:budget-office"'
SIGNED_OUT_PICKER = [PUBLIC]
NOT_AVAILABLE = "Some link parameters were ignored: ws = '{ws}' (not available here)"


# ---------------------------------------------------------------------------
# Site: workspaces, access file, audit log, secrets; one server per secrets file
# ---------------------------------------------------------------------------


def _site(root: Path, provider) -> dict:
    workspaces = root / "workspaces"
    for folder, title in (("public_ws", PUBLIC), ("draft_budget", DRAFT)):
        shutil.copytree(FIXTURE_WS, workspaces / folder)
        manifest = workspaces / folder / "workspace.toml"
        text = manifest.read_text(encoding="utf-8")
        old = 'title = "Bad input (test fixture)"'
        assert old in text, "the fixture workspace's title changed"
        manifest.write_text(text.replace(old, f'title = "{title}"'), encoding="utf-8")
    access = root / "access.toml"
    access.write_text(ACCESS.format(extra=""), encoding="utf-8")
    secrets = write_secrets(root / "secrets", provider, None)
    env = {
        "FISCALMAP_WORKSPACES": str(workspaces),
        "FISCALMAP_ACCESS": str(access),
        "FISCALMAP_AUDIT_LOG": str(root / "audit" / "audit.jsonl"),
        "FISCALMAP_VIEWS_DIR": str(root / "views"),
    }
    return {"root": root, "access": access, "audit": root / "audit" / "audit.jsonl",
            "secrets": secrets, "env": env}


@pytest.fixture(scope="module")
def idp():
    with oidc_provider(users=USERS) as provider:
        yield provider


@pytest.fixture(scope="module")
def site(tmp_path_factory, idp, streamlit_server):
    s = _site(tmp_path_factory.mktemp("sign_in_site"), idp)
    s["server"] = streamlit_server("app.py", "--secrets.files", str(s["secrets"]), env=s["env"])
    return s


@pytest.fixture(scope="module")
def dead_site(tmp_path_factory, streamlit_server):
    s = _site(tmp_path_factory.mktemp("sign_in_dead"), unreachable_url())
    s["server"] = streamlit_server("app.py", "--secrets.files", str(s["secrets"]), env=s["env"])
    return s


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)                # the data grids paint after the script run
    page.screenshot(path=str(ARTIFACTS / f"sign_in_{name}.png"))


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _picker(page) -> list[str]:
    """The titles the sidebar's workspace picker offers."""
    box = page.get_by_role("combobox", name="Workspace", exact=True)
    box.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    titles = [o.strip() for o in options.all_inner_texts()]
    page.keyboard.press("Escape")
    options.first.wait_for(state="detached")
    return titles


def _wait_signed_in(page, email: str, timeout: float = 30_000) -> None:
    """Wait for the sidebar's "Signed in as <email>". The comparison ignores word joiners and
    spacing: the app keeps an address from turning into a Markdown link that way."""
    page.wait_for_function(
        """(want) => Array.from(document.querySelectorAll(
               '[data-testid="stSidebar"] [data-testid="stCaptionContainer"]'))
             .some(el => el.textContent.replace(/[\\u2060\\u200b]/g, '')
                                       .replace(/\\s+/g, ' ').trim() === want)""",
        arg=f"Signed in as {email}", timeout=timeout)


def _signed_out(page) -> None:
    _sidebar(page).get_by_role("button", name="Sign in", exact=True).wait_for(timeout=10_000)
    assert _sidebar(page).get_by_text("Signed in as").count() == 0


def _sign_in(page, idp, app_url: str, sub: str, shot: str | None = None) -> None:
    """Click "Sign in", pick ``sub`` on the provider's form, come back signed in."""
    _sidebar(page).get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{idp.url}/oauth2/authorize?**")
    assert f"redirect_uri={app_url.replace(':', '%3A').replace('/', '%2F')}%2Foauth2callback" \
        in page.url, page.url
    if shot:
        _shot(page, shot)
    page.locator(f'button[name="sub"][value="{sub}"]').click()
    page.wait_for_url(f"{app_url}/**")
    wait_settled(page)
    _wait_signed_in(page, sub)


def _sign_out(page, idp, app_url: str) -> None:
    """Click "Sign out"; confirm the provider's end-session page if it shows one."""
    _sidebar(page).get_by_role("button", name="Sign out", exact=True).click()
    sign_in = _sidebar(page).get_by_role("button", name="Sign in", exact=True)
    deadline = time.monotonic() + 30
    while not page.url.startswith(f"{idp.url}/oauth2/end_session"):
        if page.url.startswith(app_url) and sign_in.count():
            break
        assert time.monotonic() < deadline, f"sign-out did not finish: {page.url}"
        page.wait_for_timeout(100)
    if page.url.startswith(idp.url):
        _shot(page, "4_provider_end_session")
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{app_url}/**")
    wait_settled(page)
    _signed_out(page)


def _audit(site) -> list[dict]:
    path = site["audit"]
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _wait_audit(site, since: int, action: str, user: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in _audit(site)[since:] if e.get("action") == action
                 and e.get("user") == user]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            pytest.fail(f"no {action!r} line for {user} in the audit log: {_audit(site)[since:]}")
        time.sleep(0.2)


def _no_error_boxes(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("This app has encountered an error").count() == 0


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_round_trip_viewer_sees_the_draft_then_signs_out(site, idp, page):
    url = site["server"].url
    open_app(page, url)
    _signed_out(page)
    assert _picker(page) == SIGNED_OUT_PICKER
    _shot(page, "1_signed_out")

    before = len(_audit(site))
    _sign_in(page, idp, url, VIEWER, shot="2_provider_form")
    # The provider issued a code and the app's server redeemed it: a real OIDC exchange.
    assert idp.saw("POST /oauth2/authorize") and idp.saw("POST /oauth2/token"), idp.requests
    assert sorted(_picker(page)) == sorted([PUBLIC, DRAFT])
    _shot(page, "3_signed_in")
    entry = _wait_audit(site, before, "sign_in", VIEWER)
    assert {"time", "user", "workspace", "action", "view", "file"} <= set(entry), entry

    _sign_out(page, idp, url)
    assert _picker(page) == SIGNED_OUT_PICKER
    _shot(page, "5_signed_out_again")
    _wait_audit(site, before, "sign_out", VIEWER)
    _no_error_boxes(page)
    assert_offline(page)
    site["server"].assert_no_traceback()


def test_user_outside_every_role_sees_only_the_public_workspace(site, idp, page):
    url = site["server"].url
    open_app(page, url)
    _sign_in(page, idp, url, OUTSIDER)
    assert _picker(page) == [PUBLIC]

    # A link to the draft reads exactly like a link to a workspace that does not exist.
    open_app(page, url, "?ws=draft_budget")
    _wait_signed_in(page, OUTSIDER)
    page.get_by_text(NOT_AVAILABLE.format(ws="draft_budget"), exact=True).wait_for()
    assert page.get_by_text(DRAFT).count() == 0
    _shot(page, "outsider_draft_link")
    open_app(page, url, "?ws=no_such_budget")
    page.get_by_text(NOT_AVAILABLE.format(ws="no_such_budget"), exact=True).wait_for()
    assert _picker(page) == [PUBLIC]
    _no_error_boxes(page)
    assert_offline(page)


def test_group_claim_opens_the_draft(site, idp, page):
    url = site["server"].url
    open_app(page, url)
    _sign_in(page, idp, url, GROUPED)
    # No rule names the group yet: the partner's domain alone opens nothing.
    assert _picker(page) == [PUBLIC]
    site["access"].write_text(ACCESS.format(extra=GROUP_RULE), encoding="utf-8")
    try:
        open_app(page, url, "?ws=draft_budget")
        _wait_signed_in(page, GROUPED)
        # The link opened the draft: the picker shows it as the chosen workspace.
        assert page.get_by_role("combobox", name="Workspace", exact=True).input_value() == DRAFT
        assert page.get_by_text("not available here").count() == 0
        assert sorted(_picker(page)) == sorted([PUBLIC, DRAFT])
        _shot(page, "group_member_sees_draft")
    finally:
        site["access"].write_text(ACCESS.format(extra=""), encoding="utf-8")
    _no_error_boxes(page)
    assert_offline(page)


def _replace_cookie(page, url: str, name: str, value: str) -> None:
    context = page.context
    old = next(c for c in context.cookies(url) if c["name"] == name)
    context.add_cookies([{**old, "value": value}])
    assert next(c for c in context.cookies(url) if c["name"] == name)["value"] == value


def test_tampered_or_forged_cookie_signs_out(site, idp, page):
    from itsdangerous import URLSafeTimedSerializer

    url = site["server"].url
    open_app(page, url)
    _sign_in(page, idp, url, VIEWER)
    cookie = next(c for c in page.context.cookies(url) if c["name"] == "_streamlit_user")
    assert cookie["httpOnly"]

    # One character of the signed payload changed.
    value = cookie["value"]
    i = len(value) // 3
    tampered = value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1:]
    _replace_cookie(page, url, "_streamlit_user", tampered)
    open_app(page, url)
    _signed_out(page)
    assert _picker(page) == SIGNED_OUT_PICKER
    _shot(page, "tampered_cookie")

    # A well-formed cookie for an editor, signed with a secret that is not the site's.
    claims = {"email": "editor@city.example", "sub": "editor@city.example",
              "origin": url, "is_logged_in": True, "provider": "default"}
    forged = URLSafeTimedSerializer("not-the-cookie-secret", salt="_streamlit_user") \
        .dumps(json.dumps(claims))
    _replace_cookie(page, url, "_streamlit_user", forged)
    open_app(page, url)
    _signed_out(page)
    assert _picker(page) == SIGNED_OUT_PICKER
    _no_error_boxes(page)
    assert_offline(page)
    site["server"].assert_no_traceback()


def test_unreachable_provider_gives_a_clear_message(dead_site, page):
    url = dead_site["server"].url
    open_app(page, url)
    _signed_out(page)
    _sidebar(page).get_by_role("button", name="Sign in", exact=True).click()
    error = page.locator('[data-testid="stAlert"]', has_text="cannot be reached")
    error.wait_for()
    wait_settled(page)
    _shot(page, "provider_unreachable")
    assert page.url.startswith(url)
    assert "oauth2" not in page.url and "/auth/login" not in page.url
    # Still usable: signed out, the public workspace can be picked, no error page.
    _signed_out(page)
    assert _picker(page) == SIGNED_OUT_PICKER
    _no_error_boxes(page)
    assert_offline(page)
    dead_site["server"].assert_no_traceback()
