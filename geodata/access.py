"""Who may see what: roles per workspace, decided by pure rules.

Three roles, each including the one before it:

``viewer``  maps, figures and exports of the workspace
``editor``  also saves, renames, reorders and deletes hearing views, and imports data
``admin``   also the workspace settings and the audit log

Rules come from two places and are added together:

- the **site file** (``access.toml``; path in ``FISCALMAP_ACCESS``, else
  ``.streamlit/access.toml`` beside the app): ``[site]`` rules apply to every workspace,
  ``[workspaces.<id>]`` to one;
- the workspace's own manifest, in its ``[access]`` table.

A rule gives a role to a pattern (see :func:`pattern_problem`): an e-mail (``alice@city.gov``,
with ``*`` wildcards), a domain (``@city.gov``), ``*`` (anyone signed in), ``group:NAME`` (a
value of an ID-token group or role claim) or ``os:NAME`` (an operating-system login, for the
command line). A person matched by several rules gets the **highest** of their roles.
``public = true`` gives everyone, signed in or not, at least ``viewer``; the site file's
``public`` wins over the manifest's.

When sign-in is not configured the app runs open: everyone has every role (see ``OPEN``).
Problems in a rule (an unknown role, a malformed pattern) are collected and reported; the
rule grants nothing. A site file that cannot be read makes no workspace public.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from locales import N_

from .problems import Text

ROLES = ("viewer", "editor", "admin")
RANK = {role: i + 1 for i, role in enumerate(ROLES)}
#: The role every reader has when sign-in is not configured (the app runs open).
OPEN = "admin"
ACCESS_ENV = "FISCALMAP_ACCESS"
SITE_FILE = Path(__file__).resolve().parent.parent / ".streamlit" / "access.toml"
DEFAULT_GROUP_CLAIMS = ("groups", "roles")
RULE_KEYS = ("public", *ROLES)
SITE_KEYS = ("group_claims", "trust_email", *ROLES)
SITE_FILE_KEYS = ("site", "workspaces", "audit")

_LOCAL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9*](?:[A-Za-z0-9*-]*[A-Za-z0-9*])?"
_DOMAIN = rf"(?:\*|{_LABEL})(?:\.{_LABEL})+"
_EMAIL = re.compile(rf"^(?:{_LOCAL})?@{_DOMAIN}$")
_NAME = re.compile(r"^[^\s]+$")


@dataclass(frozen=True)
class Identity:
    """Who is asking: a signed-in person (e-mail, subject, groups) or an OS login."""
    email: str = ""
    subject: str = ""
    groups: frozenset[str] = frozenset()
    os_user: str = ""
    email_verified: bool = True

    @property
    def known(self) -> bool:
        return bool(self.email or self.subject or self.os_user)

    @property
    def name(self) -> str:
        """How the audit log names this person."""
        if self.email:
            return self.email
        if self.subject:
            return f"sub:{self.subject}"
        if self.os_user:
            return f"os:{self.os_user}"
        return "anonymous"


ANONYMOUS = Identity()


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested claims (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def identity_from_claims(claims: Mapping[str, Any],
                         group_claims: Iterable[str] = DEFAULT_GROUP_CLAIMS, *,
                         trust_email: bool = False) -> Identity:
    """The identity in an ID token's claims (``st.user``). Groups are the values of every claim
    named in ``group_claims`` (a list or one string each). E-mail and domain rules match only
    an e-mail the provider says it verified (``email_verified`` true); ``trust_email`` (the
    site file's ``[site] trust_email = true``) accepts an e-mail without that claim, for a
    provider that sends none and whose addresses the organisation itself manages (Entra ID
    in a single tenant). An e-mail marked not verified is never trusted."""
    groups: set[str] = set()
    for name in group_claims:
        value = _claim(claims, name)
        if isinstance(value, str):
            groups.add(value)
        elif isinstance(value, (list, tuple, set, frozenset)):
            groups.update(str(v) for v in value if isinstance(v, (str, int)))
    raw = claims.get("email_verified")
    if raw is None:
        verified = trust_email
    else:
        verified = raw is True or (isinstance(raw, str) and raw.strip().lower() == "true")
    return Identity(email=str(claims.get("email") or "").strip().lower(),
                    subject=str(claims.get("sub") or ""),
                    groups=frozenset(groups), email_verified=verified)


def os_identity() -> Identity:
    """The command line's identity: the operating-system login it runs as, from the password
    database (not ``$USER`` or ``$LOGNAME``, which any caller can set)."""
    try:
        import pwd

        user = pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):
        user = str(os.geteuid()) if hasattr(os, "geteuid") else "unknown"
    return Identity(os_user=user)


def pattern_problem(pattern: object) -> str | None:
    """Why ``pattern`` is not a valid rule pattern (None when it is)."""
    if not isinstance(pattern, str) or not pattern.strip():
        return N_("an empty pattern")
    p = pattern.strip()
    if p == "*":
        return None
    for prefix in ("group:", "os:"):
        if p.startswith(prefix):
            return None if _NAME.match(p[len(prefix):]) else N_("a name after '{prefix}'")
    if "@" not in p:
        return N_("an e-mail address, '@domain', '*', 'group:NAME' or 'os:NAME'")
    if not _EMAIL.match(p):
        return N_("a well-formed e-mail address or '@domain' (one '@', a domain with a dot, "
                  "no spaces)")
    return None


@dataclass(frozen=True)
class Rule:
    role: str
    pattern: str
    where: str

    def matches(self, who: Identity) -> bool:
        p = self.pattern.strip()
        if p == "*":        # anyone signed in (an OS login is matched by os:* only)
            return bool(who.email or who.subject)
        if p.startswith("group:"):
            return any(_glob(g.lower(), p[6:].lower()) for g in who.groups)
        if p.startswith("os:"):
            return bool(who.os_user) and _glob(who.os_user, p[3:])
        if not who.email or not who.email_verified:
            return False
        p = p.lower()
        if p.startswith("@"):
            p = "*" + p
        return _glob(who.email, p)


def _glob(text: str, pattern: str) -> bool:
    """``*`` matches any run of characters; every other character only itself (``?`` and
    ``[`` are legal in e-mail addresses and group names, so they are no wildcards)."""
    rx = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(rx, text, flags=re.DOTALL) is not None


@dataclass(frozen=True)
class WorkspaceRules:
    public: bool | None = None
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A person's role in one workspace and why."""
    role: str | None
    matched: tuple[Rule, ...] = ()
    public: bool = False

    @property
    def allowed(self) -> bool:
        return self.role is not None

    def at_least(self, role: str) -> bool:
        return self.role is not None and RANK[self.role] >= RANK[role]

    def note(self) -> Text | None:
        """A sentence when several rules gave different roles (the higher wins)."""
        roles = sorted({r.role for r in self.matched}, key=RANK.get)
        if len(roles) < 2:
            return None
        return Text(N_("Several rules match ({rules}): the higher role, {role}, applies."),
                    rules="; ".join(f"{r.pattern} → {r.role} ({r.where})" for r in self.matched),
                    role=self.role or "")


@dataclass
class Policy:
    """Every rule of a site: the site file's, and each workspace manifest's ``[access]``."""
    site_rules: tuple[Rule, ...] = ()
    workspaces: dict[str, WorkspaceRules] = field(default_factory=dict)
    group_claims: tuple[str, ...] = DEFAULT_GROUP_CLAIMS
    #: ``[site] trust_email``: an e-mail without an ``email_verified`` claim is trusted.
    trust_email: bool = False
    audit: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The site file exists but could not be read: no workspace is public.
    broken: bool = False
    source: str = ""

    def rules_for(self, ws_id: str, manifest: WorkspaceRules | None = None) -> WorkspaceRules:
        site = self.workspaces.get(ws_id, WorkspaceRules())
        manifest = manifest or WorkspaceRules()
        public = site.public if site.public is not None else manifest.public
        return WorkspaceRules(public=bool(public) and not self.broken,
                              rules=(*self.site_rules, *site.rules, *manifest.rules))

    def decide(self, who: Identity, ws_id: str, manifest: WorkspaceRules | None = None) -> Decision:
        merged = self.rules_for(ws_id, manifest)
        matched = tuple(r for r in merged.rules if r.matches(who))
        role = max((r.role for r in matched), key=RANK.get, default=None)
        if role is None and merged.public:
            role = "viewer"
        return Decision(role=role, matched=matched, public=bool(merged.public))


def _patterns(value: Any, where: str, role: str, problems: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(Text(N_("{where}: '{role}' must be a list of patterns, e.g. "
                                "{example}"), where=where, role=role,
                             example='["alice@city.gov", "@city.gov", "group:budget-office"]'))
        return []
    good = []
    for p in value:
        why = pattern_problem(p)
        if why:
            problems.append(Text(N_("{where}: {role} pattern {pattern} is not valid: expected "
                                    "{expected}; this rule grants nothing"),
                                 where=where, role=role, pattern=repr(p),
                                 expected=Text(why, prefix=str(p).split(":")[0] + ":")))
        else:
            good.append(p.strip())
    return good


def parse_rules(d: Any, where: str, problems: list[str], notes: list[str], *,
                keys: tuple[str, ...] = RULE_KEYS) -> WorkspaceRules:
    """The rules of one table (``[access]``, ``[site]`` or ``[workspaces.<id>]``)."""
    if not isinstance(d, Mapping):
        problems.append(Text(N_("{where} must be a table of rules"), where=where))
        return WorkspaceRules(public=False)
    public = None
    rules: list[Rule] = []
    for key, value in d.items():
        if key == "public" and "public" in keys:
            if isinstance(value, bool):
                public = value
            else:       # closed until fixed: never opened by a typo
                public = False
                problems.append(Text(N_("{where}: public must be true or false, not {value}; "
                                        "the workspace is not public until it is fixed"),
                                     where=where, value=repr(value)))
        elif key in ROLES:
            rules += [Rule(key, p, where) for p in _patterns(value, where, key, problems)]
        elif key not in keys:
            problems.append(Text(N_("{where}: unknown role or key '{key}': roles are {roles}; "
                                    "this entry grants nothing"),
                                 where=where, key=str(key), roles=", ".join(ROLES)))
    seen: dict[str, list[str]] = {}
    for r in rules:
        seen.setdefault(r.pattern.lower(), []).append(r.role)
    for pattern, roles in seen.items():
        if len(set(roles)) > 1:
            top = max(roles, key=RANK.get)
            notes.append(Text(N_("{where}: {pattern} is given {roles}: the higher role, {role}, "
                                 "applies"), where=where, pattern=pattern,
                              roles=", ".join(sorted(set(roles), key=RANK.get)), role=top))
    return WorkspaceRules(public=public, rules=tuple(rules))


def site_file() -> Path:
    return Path(os.environ.get(ACCESS_ENV) or SITE_FILE)


def load_policy(path: Path | str | None = None) -> Policy:
    """The site's rules from its access file (an empty policy when there is none)."""
    path = Path(path) if path is not None else site_file()
    policy = Policy(source=str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if os.environ.get(ACCESS_ENV):
            policy.problems.append(Text(N_("the access file {file} named in {variable} does "
                                           "not exist; no workspace is public"),
                                        file=str(path), variable=ACCESS_ENV))
            policy.broken = True
        return policy
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        policy.problems.append(Text(N_("the access file {file} cannot be read ({error}); no "
                                       "workspace is public until it is fixed"),
                                    file=str(path), error=str(exc)))
        policy.broken = True
        return policy
    name = path.name
    for key in raw:
        if key not in SITE_FILE_KEYS:
            policy.problems.append(Text(N_("{file}: unknown section [{key}]; sections are "
                                           "{keys}"), file=name, key=str(key),
                                        keys=", ".join(SITE_FILE_KEYS)))
    site = raw.get("site", {})
    if isinstance(site, Mapping):
        claims = site.get("group_claims", list(DEFAULT_GROUP_CLAIMS))
        if isinstance(claims, str):
            claims = [claims]
        if isinstance(claims, list) and all(isinstance(c, str) and c for c in claims):
            policy.group_claims = tuple(claims)
        else:
            policy.problems.append(Text(N_("{file} [site]: group_claims must be a list of "
                                           "claim names, e.g. {example}"), file=name,
                                        example='["groups", "roles"]'))
        trust = site.get("trust_email", False)
        if isinstance(trust, bool):
            policy.trust_email = trust
        else:
            policy.problems.append(Text(N_("{file} [site]: trust_email must be true or false, "
                                           "not {value}"), file=name, value=repr(trust)))
    policy.site_rules = parse_rules(site, f"{name} [site]", policy.problems, policy.notes,
                                    keys=SITE_KEYS).rules
    spaces = raw.get("workspaces", {})
    if not isinstance(spaces, Mapping):
        policy.problems.append(Text(N_("{file}: [workspaces] must hold one table per workspace, "
                                       "e.g. [workspaces.draft_budget]"), file=name))
        spaces = {}
    for wid, d in spaces.items():
        policy.workspaces[str(wid)] = parse_rules(d, f"{name} [workspaces.{wid}]",
                                                  policy.problems, policy.notes)
    audit = raw.get("audit", {})
    if isinstance(audit, Mapping):
        policy.audit = dict(audit)
    return policy


def manifest_rules(manifest: Path | str) -> tuple[WorkspaceRules, list[str], list[str]]:
    """The ``[access]`` table of a workspace manifest (a folder or its ``workspace.toml``),
    with its problems and notes. A manifest that cannot be read gives no rules (not public)."""
    path = Path(manifest)
    if path.is_dir():
        path = path / "workspace.toml"
    problems: list[str] = []
    notes: list[str] = []
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return WorkspaceRules(public=False), problems, notes
    if "access" not in raw:
        return WorkspaceRules(), problems, notes
    where = f"{path.parent.name}/{path.name} [access]"
    return parse_rules(raw["access"], where, problems, notes), problems, notes


# --- the [auth] section of Streamlit's secrets -------------------------------------------------

AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
MIN_SECRET_CHARS = 32
_PLACEHOLDERS = {"xxx", "changeme", "change-me", "change_me", "secret", "your-secret",
                 "your_secret", "cookie_secret", "cookie-secret", "replace-me", "todo",
                 "password", "streamlit"}
#: Words of a secret copied from an example rather than generated.
_PLACEHOLDER_WORDS = ("replace", "changeme", "change-me", "change_me", "example", "xxxx",
                      "your-", "your_", "placeholder")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def providers(auth: Mapping[str, Any]) -> list[str]:
    """The providers an ``[auth]`` section configures: ``""`` for the unnamed one (keys at the
    top of ``[auth]``), else the names of its ``[auth.NAME]`` tables."""
    # ``client_kwargs`` is an option of the unnamed provider, not a provider
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and k != "client_kwargs"]
    if any(k in auth for k in PROVIDER_KEYS) or not named:
        return ["", *named] if named else [""]
    return named


def _url_problem(value: Any, key: str, where: str) -> Text | None:
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value.strip():
        return Text(N_("{where}: {key} is missing"), where=where, key=key)
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Text(N_("{where}: {key} must be an http(s) address, not {value}"),
                    where=where, key=key, value=repr(value))
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        return Text(N_("{where}: {key} must use https (plain http is accepted only on this "
                       "machine, 127.0.0.1)"), where=where, key=key)
    return None


def auth_problems(auth: Mapping[str, Any] | None) -> list[Text]:
    """Why an ``[auth]`` section cannot be used (empty when it can, or when there is none:
    sign-in is then off and the app runs open)."""
    if auth is None:
        return []
    out: list[Text] = []
    where = "[auth]"
    secret = auth.get("cookie_secret")
    if not isinstance(secret, str) or not secret.strip():
        out.append(Text(N_("[auth]: cookie_secret is missing; sign-in needs a long random "
                           "secret to sign its cookies")))
    elif secret.strip().lower() in _PLACEHOLDERS or len(set(secret)) < 8 \
            or len(secret) < MIN_SECRET_CHARS \
            or any(w in secret.lower() for w in _PLACEHOLDER_WORDS):
        out.append(Text(N_("[auth]: cookie_secret is a placeholder or too short (at least "
                           "{n} random characters)"), n=str(MIN_SECRET_CHARS)))
    problem = _url_problem(auth.get("redirect_uri"), "redirect_uri", where)
    if problem:
        out.append(problem)
    elif not str(auth["redirect_uri"]).rstrip("/").endswith("/oauth2callback"):
        out.append(Text(N_("[auth]: redirect_uri must end with /oauth2callback (the address "
                           "the provider sends people back to), not {value}"),
                        value=repr(auth["redirect_uri"])))
    for name in providers(auth):
        section = auth if not name else auth[name]
        here = "[auth]" if not name else f"[auth.{name}]"
        for key in ("client_id", "client_secret"):
            value = section.get(key)
            if not isinstance(value, str) or not value.strip():
                out.append(Text(N_("{where}: {key} is missing"), where=here, key=key))
        problem = _url_problem(section.get("server_metadata_url"), "server_metadata_url", here)
        if problem:
            out.append(problem)
    return out


def fix_text() -> str:
    """How to make a cookie secret (shown with the problems)."""
    return 'python3 -c "import secrets; print(secrets.token_hex(32))"'


SECRETS_ENV = "FISCALMAP_SECRETS"


def secrets_files() -> list[Path]:
    """Where the command line looks for Streamlit's secrets, as the app does: the file named
    in ``FISCALMAP_SECRETS`` alone when set, else ``~/.streamlit/secrets.toml`` and
    ``.streamlit/secrets.toml`` of the working folder and of the app's folder."""
    named = os.environ.get(SECRETS_ENV)
    if named:
        return [Path(named)]
    app_dir = Path(__file__).resolve().parent.parent
    out: list[Path] = []
    for p in (Path.home() / ".streamlit" / "secrets.toml",
              Path.cwd() / ".streamlit" / "secrets.toml",
              app_dir / ".streamlit" / "secrets.toml"):
        if p not in out:
            out.append(p)
    return out


def secrets_auth(files: Iterable[Path] | None = None) -> tuple[dict | None, list[str]]:
    """The ``[auth]`` section the app would use (later files win, as in Streamlit), and the
    problems reading them. A file that cannot be read counts as sign-in being on (closed), so
    that a broken secrets file never opens every workspace."""
    auth: dict | None = None
    problems: list[str] = []
    for path in (secrets_files() if files is None else files):
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(Text(N_("the secrets file {file} cannot be read ({error})"),
                                 file=str(path), error=str(exc)))
            auth = auth or {"_unreadable": True}
            continue
        if isinstance(raw.get("auth"), Mapping):
            # a later file's [auth] replaces an earlier one as a whole, as in Streamlit
            unreadable = bool(auth and auth.get("_unreadable"))
            auth = dict(raw["auth"])
            if unreadable:
                auth["_unreadable"] = True
    return auth, problems


def check(argv: list[str] | None = None) -> int:
    """``python -m geodata.access``: is the site's sign-in set up well enough to start?
    Prints what it found; exit status 1 when ``[auth]`` cannot be used (``make run`` then
    refuses to start the app)."""
    import sys

    from locales import lang_in_argv, set_language, t

    set_language(lang_in_argv(sys.argv[1:] if argv is None else argv))
    auth, read_problems = secrets_auth()
    found = [*read_problems, *([] if auth and auth.get("_unreadable") else auth_problems(auth))]
    if found:
        print(t("Sign-in is configured (the [auth] section of the secrets) but cannot start. "
                "Fix these and restart the app:"), file=sys.stderr)
        for p in found:
            print(f"  - {p}", file=sys.stderr)
        print(t("A cookie secret can be made with: {command}", command=fix_text()),
              file=sys.stderr)
        return 1
    from .workspace import discover_workspaces

    policy = load_policy()
    said = [*policy.problems, *policy.notes]
    for path in discover_workspaces().values():
        _, problems, notes = manifest_rules(path)
        said += [*problems, *notes]
    for p in said:
        print(t("access rules: {problem}", problem=str(p)), file=sys.stderr)
    if auth is not None:
        print(t("Sign-in is on ({n} provider(s)); access rules from {file}.",
                n=str(len(providers(auth))), file=policy.source))
    else:
        print(t("Sign-in is not configured: the app runs open (every reader sees every "
                "workspace)."))
    return 0


if __name__ == "__main__":
    raise SystemExit(check())


# --- the command lines -------------------------------------------------------------------------

@dataclass
class CommandLineAccess:
    """The site's rules as a command line applies them: the identity is the operating-system
    login (``os:NAME`` patterns); everything is allowed when the site configures no sign-in.
    Files written are recorded in the audit log either way."""
    on: bool
    who: Identity
    policy: Policy = field(default_factory=Policy)
    #: Problems reading the secrets or the access file (the command prints them as warnings).
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def for_site(cls) -> "CommandLineAccess":
        auth, problems = secrets_auth()
        policy = load_policy()
        warnings = [str(p) for p in problems]
        if auth is not None:
            warnings += [str(p) for p in policy.problems]
        return cls(on=auth is not None, who=os_identity(), policy=policy, warnings=warnings)

    def allows(self, ws_id: str, path: Path | str, role: str = "viewer") -> bool:
        if not self.on:
            return True
        return self.policy.decide(self.who, ws_id, manifest_rules(path)[0]).at_least(role)

    def locate(self, arg: str, role: str = "viewer") -> tuple[str, Path | None, list[str]]:
        """The workspace named by id or folder: its id, its folder (None when there is none
        this login may use, told apart from nothing) and the ids it may use."""
        from .workspace import MANIFEST_NAME, discover_workspaces

        found = discover_workspaces()
        path: Path | None = Path(arg)
        if (path / MANIFEST_NAME).is_file():
            ws_id = Path(os.path.abspath(path)).name
        else:
            ws_id, path = arg, (Path(found[arg]) if arg in found else None)
        if path is not None and not self.allows(ws_id, path, role):
            path = None
        return ws_id, path, sorted(w for w, p in found.items() if self.allows(w, p, role))

    def may_import(self) -> bool:
        """True when this login may import data: an editor somewhere (everyone when the site
        configures no sign-in), as on the Import page."""
        if not self.on:
            return True
        from .workspace import discover_workspaces

        if any(RANK[r.role] >= RANK["editor"] and r.matches(self.who)
               for r in self.policy.site_rules):
            return True
        return any(self.allows(w, p, "editor") for w, p in discover_workspaces().items())

    def record(self, action: str, ws_id: str, out: Path | str, *, view: str = "",
               detail: Mapping[str, Any] | None = None) -> str | None:
        """Record a file written; the warning to print when the log cannot be written."""
        from . import audit

        cfg = audit.settings(self.policy.audit)
        try:
            audit.record(cfg, action, user=self.who.name, workspace=ws_id, view=view,
                         file=str(Path(out).resolve()), detail=detail)
        except OSError as exc:
            return str(Text(N_("the audit log {log} cannot be written ({why}): this file is "
                               "not recorded in it; tell the site's administrator"),
                            log=str(cfg.path), why=exc.strerror or str(exc)))
        return None


def taken_ids(policy: Policy | None = None) -> set[str]:
    """Workspace ids a new workspace may not take: every workspace found in any folder, seen
    or not by the person importing, and every id the site's access file names."""
    from .workspace import discover_workspaces

    policy = policy if policy is not None else load_policy()
    return set(discover_workspaces()) | set(policy.workspaces)
