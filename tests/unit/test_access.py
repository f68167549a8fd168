"""Role rules (geodata/access.py): patterns, precedence, public workspaces, the site file, bad
rules, and the checks of Streamlit's [auth] section."""
from __future__ import annotations

import os

import pytest

from geodata import access
from geodata.access import (ANONYMOUS, Identity, Policy, Rule, WorkspaceRules, auth_problems,
                            identity_from_claims, load_policy, manifest_rules, parse_rules,
                            pattern_problem, secrets_auth)

SECRET = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d1f"   # 64 hex


def person(email="", sub="s-1", **claims) -> Identity:
    """A signed-in person whose provider verified the e-mail (unless the claims say else)."""
    return identity_from_claims({"email": email, "sub": sub, "email_verified": True, **claims})


def rule(pattern: str, role: str = "viewer") -> Rule:
    return Rule(role, pattern, "test")


def role_of(policy: Policy, who: Identity, ws="ws", manifest: WorkspaceRules | None = None):
    return policy.decide(who, ws, manifest).role


def write(tmp_path, text: str, name="access.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rules_of(table: dict) -> tuple[WorkspaceRules, list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    return parse_rules(table, "t", problems, notes), problems, notes


# ------------------------------------------------------------------------- patterns

@pytest.mark.parametrize("pattern, email, expected", [
    ("alice@city.gov", "alice@city.gov", True),
    ("alice@city.gov", "ALICE@City.Gov", True),          # e-mail letter case ignored
    ("Alice@CITY.gov", "alice@city.gov", True),          # pattern letter case ignored
    ("alice@city.gov", "alice2@city.gov", False),
    ("alice@city.gov", "bob@city.gov", False),
    ("@city.gov", "bob@city.gov", True),
    ("@city.gov", "bob@notcity.gov", False),
    ("@city.gov", "bob@x.city.gov", False),               # a domain rule is that domain only
    ("@city.gov", "bob@city.gov.evil.example", False),
    ("*@city.gov", "bob@city.gov", True),
    ("*@city.gov", "bob@county.gov", False),
    ("*@*.city.gov", "bob@parks.city.gov", True),
    ("*@*.city.gov", "bob@a.b.city.gov", True),
    ("*@*.city.gov", "bob@city.gov", False),              # the parent domain is not a subdomain
    ("*@*.city.gov", "bob@evilcity.gov", False),
])
def test_email_patterns(pattern, email, expected):
    assert pattern_problem(pattern) is None
    assert rule(pattern).matches(person(email)) is expected


def test_star_is_anyone_signed_in_never_anonymous():
    star = rule("*")
    assert star.matches(person("x@anywhere.example")) is True
    assert star.matches(Identity(subject="only-a-subject")) is True
    assert star.matches(ANONYMOUS) is False
    assert star.matches(identity_from_claims({})) is False


def test_group_claim_list_single_string_and_case():
    r = rule("group:budget-office")
    assert r.matches(person("a@x.example", groups=["staff", "budget-office"])) is True
    assert r.matches(person("a@x.example", groups="budget-office")) is True   # one string
    assert r.matches(person("a@x.example", roles=["Budget-Office"])) is True  # 2nd default claim
    assert r.matches(person("a@x.example", groups=["budget"])) is False
    assert r.matches(person("a@x.example")) is False
    # a claim the site did not name is not read
    assert r.matches(person("a@x.example", team=["budget-office"])) is False


def test_dotted_claim_path_into_nested_claims():
    claims = {"email": "k@x.example", "realm_access": {"roles": ["editors", "offline"]}}
    who = identity_from_claims(claims, ("realm_access.roles",))
    assert who.groups == frozenset({"editors", "offline"})
    assert rule("group:editors").matches(who) is True
    # not named: the default claims do not reach into realm_access
    assert identity_from_claims(claims).groups == frozenset()
    # a path that stops at a non-table reads nothing
    assert identity_from_claims({"realm_access": "x"}, ("realm_access.roles",)).groups == \
        frozenset()


def test_os_rules_match_only_os_identities():
    r = rule("os:budget")
    assert r.matches(Identity(os_user="budget")) is True
    assert r.matches(Identity(os_user="budgetx")) is False
    # a signed-in person named like the login is not that login
    assert r.matches(person("budget@city.gov", sub="budget", groups=["budget"])) is False
    assert rule("budget@city.gov").matches(Identity(os_user="budget")) is False


def test_unverified_email_matches_no_email_rule_but_groups_still_do():
    who = person("alice@city.gov", email_verified=False, groups=["budget"])
    assert who.email_verified is False
    assert rule("alice@city.gov").matches(who) is False
    assert rule("@city.gov").matches(who) is False
    assert rule("group:budget").matches(who) is True
    policy = Policy(site_rules=(Rule("editor", "alice@city.gov", "s"),
                                Rule("viewer", "group:budget", "s")))
    assert role_of(policy, who) == "viewer"
    # "false" as a string, as some providers send it
    assert person("alice@city.gov", email_verified="false").email_verified is False
    assert role_of(policy, person("alice@city.gov", email_verified=True)) == "editor"


@pytest.mark.parametrize("claim, trusted, expected", [
    (None, False, False),       # no claim: not verified, unless the site trusts its provider
    (None, True, True),
    (False, True, False),       # marked not verified: never trusted
    ("true", False, True), ("TRUE", False, True),
    (0, False, False), ("0", False, False), ("no", False, False), (1, False, False),
])
def test_email_verified_is_read_strictly(claim, trusted, expected):
    claims = {"email": "alice@city.gov", "sub": "a"}
    if claim is not None:
        claims["email_verified"] = claim
    who = identity_from_claims(claims, trust_email=trusted)
    assert who.email_verified is expected
    assert rule("@city.gov").matches(who) is expected


def test_trust_email_comes_from_the_site_file(tmp_path):
    assert load_policy(write(tmp_path, "[site]\ntrust_email = true\n")).trust_email is True
    assert load_policy(write(tmp_path, "[site]\n")).trust_email is False
    bad = load_policy(write(tmp_path, '[site]\ntrust_email = "yes"\n'))
    assert bad.trust_email is False
    assert bad.problems == ["access.toml [site]: trust_email must be true or false, not 'yes'"]


def test_star_is_anyone_signed_in_not_an_os_login():
    assert rule("*").matches(person("a@b.gov")) is True
    assert rule("*").matches(Identity(subject="only-a-sub")) is True
    assert rule("*").matches(Identity(os_user="batch")) is False
    assert rule("os:*").matches(Identity(os_user="batch")) is True


# ------------------------------------------------------------------------- precedence

def test_viewer_and_editor_rules_give_editor_and_the_note_says_so():
    rules, problems, notes = rules_of({"viewer": ["@city.gov"], "editor": ["ed@city.gov"]})
    assert problems == [] and notes == []
    d = Policy().decide(person("ed@city.gov"), "ws", rules)
    assert d.role == "editor"
    assert d.at_least("editor") and not d.at_least("admin")
    assert str(d.note()) == ("Several rules match (@city.gov → viewer (t); ed@city.gov → editor "
                             "(t)): the higher role, editor, applies.")
    # one rule matched: nothing to say
    other = Policy().decide(person("someone@city.gov"), "ws", rules)
    assert other.role == "viewer" and other.note() is None


def test_two_groups_with_different_roles_give_the_higher():
    rules, _, _ = rules_of({"viewer": ["group:staff"], "admin": ["group:finance"],
                            "editor": ["group:budget"]})
    assert role_of(Policy(), person("a@x.example", groups=["staff", "budget"]), manifest=rules) \
        == "editor"
    assert role_of(Policy(), person("a@x.example", groups=["finance", "staff"]), manifest=rules) \
        == "admin"
    assert role_of(Policy(), person("a@x.example", groups=["other"]), manifest=rules) is None


def test_site_workspace_and_manifest_rules_add_up(tmp_path):
    policy = load_policy(write(tmp_path, """
[site]
admin = ["boss@city.gov"]
[workspaces.draft]
viewer = ["@city.gov"]
"""))
    manifest = WorkspaceRules(rules=(Rule("editor", "ed@city.gov", "m"),))
    assert role_of(policy, person("boss@city.gov"), "draft", manifest) == "admin"
    assert role_of(policy, person("boss@city.gov"), "other") == "admin"   # [site]: everywhere
    assert role_of(policy, person("ed@city.gov"), "draft", manifest) == "editor"
    assert role_of(policy, person("ed@city.gov"), "other") is None
    assert role_of(policy, person("clerk@city.gov"), "draft", manifest) == "viewer"
    assert role_of(policy, person("clerk@county.gov"), "draft", manifest) is None


# ------------------------------------------------------------------------- public

def test_public_workspace_gives_anonymous_viewer_and_a_rule_can_raise_it():
    manifest = WorkspaceRules(public=True, rules=(Rule("editor", "ed@city.gov", "m"),))
    d = Policy().decide(ANONYMOUS, "ws", manifest)
    assert (d.role, d.public, d.matched) == ("viewer", True, ())
    assert role_of(Policy(), person("ed@city.gov"), manifest=manifest) == "editor"
    assert role_of(Policy(), person("else@city.gov"), manifest=manifest) == "viewer"
    # not public: nobody without a rule
    assert role_of(Policy(), ANONYMOUS, manifest=WorkspaceRules(public=False)) is None
    assert role_of(Policy(), ANONYMOUS, manifest=WorkspaceRules()) is None


def test_site_file_public_false_wins_over_manifest_public_true(tmp_path):
    policy = load_policy(write(tmp_path, "[workspaces.ws]\npublic = false\n"))
    assert policy.problems == []
    assert policy.decide(ANONYMOUS, "ws", WorkspaceRules(public=True)).role is None
    assert policy.decide(ANONYMOUS, "other", WorkspaceRules(public=True)).role == "viewer"
    # and the other way round: the site file can open a workspace
    policy = load_policy(write(tmp_path, "[workspaces.ws]\npublic = true\n"))
    assert policy.decide(ANONYMOUS, "ws", WorkspaceRules(public=False)).role == "viewer"


def test_a_broken_site_file_makes_nothing_public_and_says_why(tmp_path):
    path = write(tmp_path, "[workspaces.ws\npublic = true\n")
    policy = load_policy(path)
    assert policy.broken is True
    assert len(policy.problems) == 1
    assert policy.problems[0].startswith(f"the access file {path} cannot be read (")
    assert policy.problems[0].endswith("); no workspace is public until it is fixed")
    assert policy.decide(ANONYMOUS, "ws", WorkspaceRules(public=True)).role is None
    # rules in the manifest still grant what they grant
    manifest = WorkspaceRules(public=True, rules=(Rule("viewer", "a@city.gov", "m"),))
    assert policy.decide(person("a@city.gov"), "ws", manifest).role == "viewer"


def test_a_missing_site_file_named_in_the_environment_is_broken(tmp_path, monkeypatch):
    missing = tmp_path / "nope.toml"
    monkeypatch.setenv(access.ACCESS_ENV, str(missing))
    policy = load_policy()
    assert policy.broken is True and policy.source == str(missing)
    assert policy.problems == [f"the access file {missing} named in FISCALMAP_ACCESS does not "
                               "exist; no workspace is public"]
    assert policy.decide(ANONYMOUS, "ws", WorkspaceRules(public=True)).role is None
    # an empty site file is a site with no rules, not a broken one
    empty = write(tmp_path, "")
    monkeypatch.setenv(access.ACCESS_ENV, str(empty))
    policy = load_policy()
    assert (policy.broken, policy.problems) == (False, [])
    assert policy.decide(ANONYMOUS, "ws", WorkspaceRules(public=True)).role == "viewer"


def test_manifest_rules_from_workspace_toml(tmp_path):
    ws = tmp_path / "draft"
    ws.mkdir()
    (ws / "workspace.toml").write_text(
        '[workspace]\ntitle = "Draft"\n[access]\npublic = true\neditor = ["ed@city.gov"]\n',
        encoding="utf-8")
    rules, problems, notes = manifest_rules(ws)
    assert rules == WorkspaceRules(public=True, rules=(
        Rule("editor", "ed@city.gov", "draft/workspace.toml [access]"),))
    assert (problems, notes) == ([], [])
    # no [access]: no rules, public not said
    (ws / "workspace.toml").write_text('[workspace]\ntitle = "Draft"\n', encoding="utf-8")
    assert manifest_rules(ws / "workspace.toml") == (WorkspaceRules(), [], [])
    # unreadable: not public
    (ws / "workspace.toml").write_text("[access\n", encoding="utf-8")
    assert manifest_rules(ws)[0] == WorkspaceRules(public=False)


# ------------------------------------------------------------------------- bad rules

def test_unknown_role_is_named_and_grants_nothing():
    rules, problems, _ = rules_of({"owner": ["boss@city.gov"], "viewer": ["@city.gov"]})
    assert problems == ["t: unknown role or key 'owner': roles are viewer, editor, admin; this "
                        "entry grants nothing"]
    assert rules.rules == (Rule("viewer", "@city.gov", "t"),)
    assert role_of(Policy(), person("boss@city.gov"), manifest=rules) == "viewer"
    assert role_of(Policy(), person("boss@elsewhere.example"), manifest=rules) is None


def test_unknown_role_in_the_site_file(tmp_path):
    policy = load_policy(write(tmp_path, '[site]\nowner = ["boss@city.gov"]\n'
                                         '[workspaces.ws]\nsuperuser = ["boss@city.gov"]\n'))
    assert policy.problems == [
        "access.toml [site]: unknown role or key 'owner': roles are viewer, editor, admin; "
        "this entry grants nothing",
        "access.toml [workspaces.ws]: unknown role or key 'superuser': roles are viewer, "
        "editor, admin; this entry grants nothing"]
    assert policy.site_rules == () and policy.workspaces["ws"].rules == ()
    assert role_of(policy, person("boss@city.gov")) is None


@pytest.mark.parametrize("bad", ["alice@", "a b@city.gov", "alice@@city.gov", "alice",
                                 "alice@localhost", "@", "", "   ", "group:", "group:a b",
                                 "os:"])
def test_malformed_pattern_is_reported_and_dropped_other_rules_kept(bad):
    rules, problems, _ = rules_of({"viewer": [bad, "@city.gov"], "editor": ["ed@city.gov"]})
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"t: viewer pattern {bad!r} is not valid: expected ")
    assert problems[0].endswith("; this rule grants nothing")
    assert pattern_problem(bad) is not None
    assert [r.pattern for r in rules.rules] == ["@city.gov", "ed@city.gov"]


def test_pattern_problem_says_what_is_expected():
    assert pattern_problem("alice") == ("an e-mail address, '@domain', '*', 'group:NAME' or "
                                        "'os:NAME'")
    assert pattern_problem("alice@localhost") == (
        "a well-formed e-mail address or '@domain' (one '@', a domain with a dot, no spaces)")
    rules, problems, _ = rules_of({"viewer": ["group:"]})
    assert problems == ["t: viewer pattern 'group:' is not valid: expected a name after "
                        "'group:'; this rule grants nothing"]
    for good in ("*", "alice@city.gov", "@city.gov", "*@*.city.gov", "group:x", "os:ops",
                 "first.last+tag@sub.city.gov"):
        assert pattern_problem(good) is None, good


def test_a_role_that_is_not_a_list():
    rules, problems, _ = rules_of({"viewer": 5, "editor": "ed@city.gov"})
    assert problems == ['t: \'viewer\' must be a list of patterns, e.g. ["alice@city.gov", '
                        '"@city.gov", "group:budget-office"]']
    assert rules.rules == (Rule("editor", "ed@city.gov", "t"),)      # one string is a list of one


def test_public_must_be_a_boolean():
    rules, problems, _ = rules_of({"public": "yes"})
    assert problems == ["t: public must be true or false, not 'yes'; the workspace is not "
                        "public until it is fixed"]
    assert rules.public is False


def test_a_bad_public_in_the_site_file_closes_a_workspace_its_manifest_opens(tmp_path):
    policy = load_policy(write(tmp_path, '[workspaces.demo]\npublic = "false"\n'))
    assert policy.rules_for("demo", WorkspaceRules(public=True)).public is False
    policy = load_policy(write(tmp_path, '[workspaces]\ndemo = "closed"\n'))
    assert policy.rules_for("demo", WorkspaceRules(public=True)).public is False


def test_same_pattern_given_two_roles_notes_that_the_higher_applies():
    rules, problems, notes = rules_of({"viewer": ["Bob@City.gov"], "admin": ["bob@city.gov"]})
    assert problems == []
    assert notes == ["t: bob@city.gov is given viewer, admin: the higher role, admin, applies"]
    d = Policy().decide(person("bob@city.gov"), "ws", rules)
    assert d.role == "admin"
    assert str(d.note()).endswith("the higher role, admin, applies.")


def test_unknown_section_and_bad_group_claims_in_the_site_file(tmp_path):
    policy = load_policy(write(tmp_path, '[sites]\nadmin = ["a@b.example"]\n'
                                         '[site]\ngroup_claims = [1]\n'))
    assert policy.problems == [
        "access.toml: unknown section [sites]; sections are site, workspaces, audit",
        'access.toml [site]: group_claims must be a list of claim names, e.g. ["groups", '
        '"roles"]']
    assert policy.group_claims == access.DEFAULT_GROUP_CLAIMS
    policy = load_policy(write(tmp_path, '[site]\ngroup_claims = "realm_access.roles"\n'
                                         '[audit]\nkeep = 3\n'))
    assert policy.problems == []
    assert policy.group_claims == ("realm_access.roles",)
    assert policy.audit == {"keep": 3}


# ------------------------------------------------------------------------- [auth]

def good_auth(**over) -> dict:
    auth = {"redirect_uri": "https://maps.city.gov/oauth2callback", "cookie_secret": SECRET,
            "client_id": "fiscalmap", "client_secret": "s3cret-value",
            "server_metadata_url": "https://id.city.gov/.well-known/openid-configuration"}
    auth.update(over)
    return {k: v for k, v in auth.items() if v is not None}


def test_no_auth_section_has_no_problem_but_an_empty_one_is_incomplete():
    assert auth_problems(None) == []
    assert auth_problems(good_auth()) == []
    empty = [str(p) for p in auth_problems({})]
    assert len(empty) == 5 and empty[0].startswith("[auth]: cookie_secret is missing")


@pytest.mark.parametrize("key, expected", [
    ("cookie_secret", "[auth]: cookie_secret is missing; sign-in needs a long random secret to "
                      "sign its cookies"),
    ("redirect_uri", "[auth]: redirect_uri is missing"),
    ("client_id", "[auth]: client_id is missing"),
    ("client_secret", "[auth]: client_secret is missing"),
    ("server_metadata_url", "[auth]: server_metadata_url is missing"),
])
def test_each_missing_key_is_named(key, expected):
    assert auth_problems(good_auth(**{key: None})) == [expected]
    assert auth_problems(good_auth(**{key: "  "})) == [expected]


@pytest.mark.parametrize("secret", ["xxx", "changeme", "0123456789abcdef", "a" * 64,
                                    SECRET[:31]])
def test_placeholder_or_short_cookie_secret(secret):
    assert auth_problems(good_auth(cookie_secret=secret)) == [
        "[auth]: cookie_secret is a placeholder or too short (at least 32 random characters)"]


def test_plain_http_only_on_this_machine():
    meta = "http://id.city.gov/.well-known/openid-configuration"
    assert auth_problems(good_auth(server_metadata_url=meta)) == [
        "[auth]: server_metadata_url must use https (plain http is accepted only on this "
        "machine, 127.0.0.1)"]
    assert auth_problems(good_auth(redirect_uri="http://maps.city.gov/oauth2callback")) == [
        "[auth]: redirect_uri must use https (plain http is accepted only on this machine, "
        "127.0.0.1)"]
    assert auth_problems(good_auth(
        server_metadata_url="http://127.0.0.1:9/.well-known/openid-configuration",
        redirect_uri="http://127.0.0.1:8501/oauth2callback")) == []
    assert auth_problems(good_auth(redirect_uri="http://localhost:8501/oauth2callback")) == []
    assert auth_problems(good_auth(server_metadata_url="ftp://id.city.gov/x")) == [
        "[auth]: server_metadata_url must be an http(s) address, not 'ftp://id.city.gov/x'"]


def test_redirect_uri_must_end_with_oauth2callback():
    assert auth_problems(good_auth(redirect_uri="https://maps.city.gov/callback")) == [
        "[auth]: redirect_uri must end with /oauth2callback (the address the provider sends "
        "people back to), not 'https://maps.city.gov/callback'"]


def test_named_providers_are_checked_one_by_one():
    auth = {"redirect_uri": "https://maps.city.gov/oauth2callback", "cookie_secret": SECRET,
            "keycloak": {"client_id": "fm", "client_secret": "x1",
                         "server_metadata_url": "https://kc.city.gov/realms/c/.well-known/"
                                                "openid-configuration"},
            "entra": {"client_id": "fm",
                      "server_metadata_url": "http://login.example/v2.0/.well-known/"
                                             "openid-configuration"}}
    assert access.providers(auth) == ["keycloak", "entra"]
    assert auth_problems(auth) == [
        "[auth.entra]: client_secret is missing",
        "[auth.entra]: server_metadata_url must use https (plain http is accepted only on this "
        "machine, 127.0.0.1)"]
    auth["entra"] = auth["keycloak"]
    assert auth_problems(auth) == []
    # nothing for any provider: the unnamed one is asked for
    assert access.providers({"redirect_uri": "x", "cookie_secret": SECRET}) == [""]


def test_client_kwargs_of_the_unnamed_provider_is_not_a_provider():
    auth = good_auth(client_kwargs={"prompt": "login"})
    assert access.providers(auth) == [""]
    assert auth_problems(auth) == []


# ------------------------------------------------------------------------- secrets files

def test_secrets_auth_later_file_replaces_the_auth_table(tmp_path):
    a = write(tmp_path, '[auth]\nredirect_uri = "https://a.example/oauth2callback"\n'
                        'cookie_secret = "one"\n', "a.toml")
    b = write(tmp_path, '[auth]\ncookie_secret = "two"\n[other]\nx = 1\n', "b.toml")
    none = write(tmp_path, "[other]\nx = 1\n", "c.toml")
    auth, problems = secrets_auth([a, tmp_path / "missing.toml", b, none])
    assert problems == []
    assert auth == {"cookie_secret": "two"}     # Streamlit replaces [auth] as a whole
    assert secrets_auth([none, tmp_path / "missing.toml"]) == (None, [])


def test_an_unreadable_secrets_file_counts_as_sign_in_on(tmp_path):
    bad = write(tmp_path, "[auth\n", "bad.toml")
    auth, problems = secrets_auth([bad])
    assert auth == {"_unreadable": True}
    assert len(problems) == 1 and problems[0].startswith(f"the secrets file {bad} cannot be read")
    assert auth_problems(auth) != []          # the app and the command line refuse to go on
    if os.geteuid() != 0:                      # root reads a file whatever its mode
        noread = write(tmp_path, "[auth]\n", "noread.toml")
        noread.chmod(0)
        assert secrets_auth([noread])[0] == {"_unreadable": True}


def test_secrets_files_follow_the_environment(tmp_path, monkeypatch):
    named = tmp_path / "s.toml"
    monkeypatch.setenv(access.SECRETS_ENV, str(named))
    assert access.secrets_files() == [named]
    write(tmp_path, '[auth]\ncookie_secret = "k"\n', "s.toml")
    assert secrets_auth() == ({"cookie_secret": "k"}, [])



@pytest.mark.parametrize("pattern, email, expected", [
    ("al?ce@city.gov", "alxce@city.gov", False),     # '?' is a character, not a wildcard
    ("al?ce@city.gov", "al?ce@city.gov", True),
    ("[ab]@city.gov", "a@city.gov", False),
    ("*.budget@city.gov", "ana.budget@city.gov", True),
])
def test_only_star_is_a_wildcard(pattern, email, expected):
    assert Rule("viewer", pattern, "t").matches(Identity(email=email)) is expected


def test_the_os_login_comes_from_the_password_database_not_the_environment(monkeypatch):
    import pwd

    real = pwd.getpwuid(os.geteuid()).pw_name
    monkeypatch.setenv("USER", "budgetbatch")
    monkeypatch.setenv("LOGNAME", "budgetbatch")
    assert access.os_identity().os_user == real
