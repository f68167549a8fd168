"""Sign-in, roles and the audit trail in the app.

Sign-in is on when Streamlit's secrets hold an ``[auth]`` section (OpenID Connect: the
provider's metadata URL, client id and secret, a redirect URI and a cookie secret). Then a
reader sees the workspaces their role allows (:mod:`geodata.access`), and editors alone see
the controls that change saved views or import data. Without ``[auth]`` the app runs open, as
on a laptop or for the demo: every reader has every role, and the Overview says so.

Every export, saved-view change, import, sign-in and sign-out is appended to the audit log
(:mod:`geodata.audit`), with or without sign-in.
"""
from __future__ import annotations

import logging
from pathlib import Path
import urllib.error
import urllib.request
from urllib.parse import urlencode
from typing import Any, Mapping

import streamlit as st

from geodata import access, audit
from geodata.access import ANONYMOUS, Decision, Identity
from locales import N_, t

from . import cache
from .text import md, md_code

_LOG = logging.getLogger(__name__)
_SIGNED_IN_SEEN: set[tuple[str, str]] = set()    # sign-ins already logged by this process
_SESSION_SIGN_IN = "_audited_sign_in"
_PROBE_TIMEOUT = 3.0


ROLE_LABELS = {"viewer": N_("viewer"), "editor": N_("editor"), "admin": N_("administrator")}


class AccessDenied(PermissionError):
    """An action the reader's role does not allow (the control is hidden; the call refuses)."""


def auth_section() -> dict[str, Any] | None:
    """The ``[auth]`` section of Streamlit's secrets (None when sign-in is not configured).

    A secrets file that exists but cannot be read gives ``{"_unreadable": True}``: the app
    refuses to run rather than open every workspace. Read once per script run (every access
    check asks; each read walks the secrets files)."""
    section = cache.per_run("auth_section", _read_auth_section)
    return dict(section) if isinstance(section, dict) else section


def _read_auth_section() -> dict[str, Any] | None:
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:
        # Streamlit raises the same error for "no file" and "a file it cannot parse".
        if any(Path(p).expanduser().is_file() for p in _secrets_paths()):
            return {"_unreadable": True}
        return None
    except Exception as exc:  # noqa: BLE001 - an unreadable secrets file must not open the app
        _LOG.log(logging.ERROR, "secrets cannot be read: %s", type(exc).__name__)
        return {"_unreadable": True}
    if section is None:
        return None
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def _secrets_paths() -> list[str]:
    from streamlit import config

    try:
        return [str(p) for p in config.get_option("secrets.files") or []]
    except Exception:  # noqa: BLE001 - no config: no file
        return []


def enabled() -> bool:
    """True when the secrets hold an ``[auth]`` section (even an empty one: it is then
    reported as incomplete, never taken as "no sign-in")."""
    return auth_section() is not None


def problems() -> list[str]:
    section = auth_section()
    if section and section.get("_unreadable"):
        return [t("the secrets file cannot be read as TOML")]
    return [str(p) for p in access.auth_problems(section)]


def policy() -> access.Policy:
    return cache.access_policy(str(access.site_file()))


def identity() -> Identity:
    """The signed-in reader (anonymous when signed out or when sign-in is off)."""
    if not enabled():
        return ANONYMOUS
    user = st.user
    if not user.get("is_logged_in"):
        return ANONYMOUS
    claims = user.to_dict() if hasattr(user, "to_dict") else dict(user)
    return access.identity_from_claims(claims, policy().group_claims,
                                       trust_email=policy().trust_email)


def user_name() -> str:
    """How the audit log names the reader."""
    who = identity()
    return who.name if who.known else ("open" if not enabled() else "anonymous")


def decision(ws_id: str, path: str | None = None) -> Decision:
    """The reader's role in a workspace."""
    if not enabled():
        return Decision(role=access.OPEN)
    if path is None:
        path = cache.workspace_paths().get(ws_id)
    manifest = cache.manifest_access(path)[0] if path else None
    return policy().decide(identity(), ws_id, manifest)


def visible_paths() -> dict[str, str]:
    """The workspaces the reader may see (every one when sign-in is off)."""
    paths = cache.workspace_paths()
    if not enabled():
        return paths
    return {wid: p for wid, p in paths.items() if decision(wid, p).allowed}


def can(role: str, ws_id: str | None = None) -> bool:
    """True when the reader has at least ``role`` in the workspace (the open one by default)."""
    ws_id = ws_id if ws_id is not None else st.session_state.get("ws", "")
    if ws_id not in visible_paths():
        return False
    return decision(ws_id).at_least(role)


def require(role: str, ws_id: str | None = None) -> None:
    """Refuse (raise :class:`AccessDenied`) unless the reader has ``role``."""
    if not can(role, ws_id):
        raise AccessDenied(t("Your role does not allow this here: it needs {role}.",
                             role=t(ROLE_LABELS[role])))


def audit_settings() -> audit.AuditSettings:
    return audit.settings(policy().audit)


def record(action: str, *, workspace: str | None = None, view: str = "", file: str = "",
           detail: Mapping[str, Any] | None = None) -> bool:
    """Append an action to the audit log; False (and a warning on the page) when it cannot be
    written."""
    ws_id = workspace if workspace is not None else str(st.session_state.get("ws", ""))
    try:
        audit.record(audit_settings(), action, user=user_name(), workspace=ws_id, view=view,
                     file=file, detail=detail)
    except OSError as exc:
        _LOG.log(logging.ERROR, "audit log cannot be written: %s", exc)
        st.warning(t("The audit log cannot be written ({error}); tell the site's "
                     "administrator.", error=md(exc.strerror or type(exc).__name__)))
        return False
    return True


def download_button(container: Any, label: str, data: Any, *, file_name: str, view: str = "",
                    workspace: str | None = None, **kwargs: Any) -> Any:
    """``container.download_button`` that records the export in the audit log.

    A callable ``data`` (made when the reader clicks) records when the file is made, with no
    rerun; bytes record through the click's callback."""
    ws_id = workspace if workspace is not None else str(st.session_state.get("ws", ""))
    if callable(data):
        user, cfg, make = user_name(), audit_settings(), data

        def audited() -> Any:
            out = make()
            try:
                audit.record(cfg, "export", user=user, workspace=ws_id, view=view,
                             file=file_name)
            except OSError as exc:
                _LOG.log(logging.ERROR, "audit log cannot be written: %s", exc)
            return out
        kwargs.setdefault("on_click", "ignore")
        return container.download_button(label, audited, file_name=file_name, **kwargs)
    kwargs.pop("on_click", None)
    return container.download_button(label, data, file_name=file_name, on_click=record,
                                     args=("export",), kwargs={"workspace": ws_id, "view": view,
                                                               "file": file_name}, **kwargs)


# --- sign-in ------------------------------------------------------------------------------------

def _metadata_url(section: Mapping[str, Any], provider: str) -> str:
    conf = section if not provider else section.get(provider, {})
    return str(conf.get("server_metadata_url", ""))


def provider_problem(url: str, timeout: float = _PROBE_TIMEOUT) -> str | None:
    """Why the provider's metadata cannot be fetched (None when it answers)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - checked URL
            if resp.status != 200:
                return f"HTTP {resp.status}"
            resp.read(1)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return str(getattr(reason, "strerror", None) or reason)
    return None


def _sign_in(provider: str) -> None:
    url = _metadata_url(auth_section() or {}, provider)
    why = provider_problem(url)
    if why:
        st.session_state["_sign_in_error"] = (url, why)
        return
    st.login(provider) if provider else st.login()


def _note_sign_in() -> None:
    """Log a sign-in once: per session, and per ID token in this process."""
    user = st.user
    key = (str(user.get("sub") or user.get("email") or ""), str(user.get("iat") or ""))
    if st.session_state.get(_SESSION_SIGN_IN) == key:
        return
    st.session_state[_SESSION_SIGN_IN] = key
    if key in _SIGNED_IN_SEEN:
        return
    _SIGNED_IN_SEEN.add(key)
    record("sign_in", workspace="")


def guard() -> None:
    """First thing of every run: refuse to go on with a broken ``[auth]``; the sign-in or
    sign-out control in the sidebar; log a new sign-in."""
    found = problems()
    if found:
        st.error(t("Sign-in is configured (the [auth] section of the secrets) but cannot "
                   "start. Fix these and restart the app:"))
        st.markdown("\n".join(f"- {md(p)}" for p in found))
        st.caption(t("A cookie secret can be made with: {command}",
                     command=f"`{access.fix_text()}`"))
        st.stop()
    if not enabled():
        return
    # Tables' own "Download as CSV" would be an export the audit log never sees: under
    # sign-in only the app's download buttons (audited) export data.
    from streamlit import config

    if not config.get_option("client.disableDataExport"):
        st.set_option("client.disableDataExport", True)
    section = auth_section() or {}
    if st.user.get("is_logged_in"):
        _note_sign_in()
        who = identity()
        st.sidebar.caption(t("Signed in as {name}", name=md_code(who.email or who.name)))
        if st.sidebar.button(t("Sign out"), key="auth_sign_out", icon=":material/logout:"):
            record("sign_out", workspace="")
            st.session_state.pop(_SESSION_SIGN_IN, None)
            st.logout()
        return
    for provider in access.providers(section):
        label = t("Sign in") if not provider else t("Sign in with {provider}",
                                                   provider=provider)
        st.sidebar.button(label, key=f"auth_sign_in_{provider}" if provider else "auth_sign_in",
                          icon=":material/login:", on_click=_sign_in, args=(provider,))
    error = st.session_state.pop("_sign_in_error", None)
    if error:
        url, why = error
        st.error(t("The sign-in service cannot be reached at {url} ({why}). Try again later, "
                   "or tell the site's administrator.", url=md(url), why=md(why)))


def role_caption() -> None:
    """Under the workspace picker: the signed-in reader's role in the open workspace, and why
    when several rules match (nothing when sign-in is off)."""
    if not enabled() or not identity().known:
        return
    ws_id = str(st.session_state.get("ws", ""))
    path = cache.workspace_paths().get(ws_id)
    if not path:
        return
    d = decision(ws_id, path)
    if d.role is None:
        return
    st.sidebar.caption(t("Your role in this workspace: {role}", role=t(ROLE_LABELS[d.role])),
                       help=str(d.note()) if d.note() else None)


def no_workspace_message() -> str:
    """Why the reader sees no workspace, without telling which ones exist."""
    if enabled() and not identity().known:
        return t("Sign in to see the workspaces.")
    if enabled():
        return t("Your account ({name}) has no access to any workspace here. Ask the site's "
                 "administrator for a role.", name=md(identity().name))
    return ""


def open_notice() -> str | None:
    """The Overview's sentence when sign-in is off (None when it is on)."""
    if enabled():
        return None
    paths = cache.workspace_paths()
    ruled = {wid for wid, p in paths.items()
             if (m := cache.manifest_access(p)[0]).rules or m.public is not None}
    ruled |= set(policy().workspaces) & set(paths)
    if policy().site_rules:
        ruled = set(paths)
    ruled = len(ruled)
    text = t("Sign-in is not configured: anyone who can reach this address sees every "
             "workspace and can change saved views.")
    if ruled:
        text += " " + t("Access rules are set for {n} workspace(s); they apply once sign-in "
                        "is configured (see the README).", n=f"{ruled:,}")
    return text


def views_store(ws):
    """The saved views of a workspace, changed in the reader's name: a reader who is not an
    editor there is refused (:class:`exports.views_store.ViewsDenied`), and each change is
    recorded in the audit log."""
    from exports.views_store import Actor, store_for

    return store_for(ws, Actor(user_name(), can("editor", ws.id), audit_settings()))


def can_import() -> bool:
    """True when the reader may import data: an editor of a workspace, or anyone when sign-in
    is off. A workspace saved by the import is administered by the person who made it."""
    if not enabled():
        return True
    if not identity().known:
        return False
    if any(r.role in ("editor", "admin") and r.matches(identity()) for r in policy().site_rules):
        return True
    return any(decision(wid, p).at_least("editor") for wid, p in visible_paths().items())


def is_admin_somewhere() -> bool:
    """True when the reader administers a workspace (they may read its audit lines)."""
    if not enabled():
        return True
    return any(decision(wid, p).at_least("admin") for wid, p in visible_paths().items())


def site_admin() -> bool:
    """True when a [site] rule makes the reader an administrator of every workspace (they may
    read the whole audit log, sign-ins included)."""
    if not enabled():
        return True
    who = identity()
    return any(r.role == "admin" and r.matches(who) for r in policy().site_rules)


def owner_access() -> dict[str, list[str]]:
    """The ``[access]`` table a workspace saved by the Import page gets: its maker administers
    it (nothing when sign-in is off, or the maker has no verified e-mail; site rules apply)."""
    who = identity()
    if not enabled() or not who.email or not who.email_verified:
        return {}
    return {"admin": [who.email]}


_DENIED_NOTED = "_denied_link_noted"


def note_hidden_link(visible: Mapping[str, str]) -> None:
    """Record (once per session) a signed-in reader's link that names a workspace they may not
    open. The reader is told "not available here", as for one that does not exist, and nothing
    else (not even a failure to write the log); the workspace's administrators see the
    attempt. Signed-out visitors are not recorded: anyone could fill the log that way."""
    if not enabled() or not identity().known:
        return
    asked = st.query_params.get("ws", "")
    if not asked or asked in visible or asked not in cache.workspace_paths() \
            or st.session_state.get(_DENIED_NOTED) == asked:
        return
    st.session_state[_DENIED_NOTED] = asked
    try:
        audit.record(audit_settings(), "denied", user=user_name(), workspace=asked,
                     view="?" + urlencode({"ws": asked}),
                     detail={"reason": "link to a workspace the reader may not open"})
    except OSError as exc:
        _LOG.log(logging.ERROR, "audit log cannot be written: %s", exc)
