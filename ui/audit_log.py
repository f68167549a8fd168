"""The Audit log page: who exported, changed saved views, imported data, signed in or out;
and the access rules behind who may do what.

Who reads which lines: with sign-in off (the app runs open) every line; with sign-in on, the
lines of the workspaces the reader administers, and the lines of no workspace (sign-in,
sign-out) only for an administrator of the whole site (a ``[site]`` admin rule).
"""
from __future__ import annotations

import json
from typing import Callable, Iterable

import pandas as pd
import streamlit as st

from geodata import audit
from geodata.files import csv_bytes
from locales import N_, t, tn

from . import auth, cache
from .text import md, md_code

ACTION_LABELS = {"sign_in": N_("Sign-in"), "sign_out": N_("Sign-out"), "export": N_("Export"),
                 "view_save": N_("Saved view added"), "view_rename": N_("Saved view renamed"),
                 "view_move": N_("Saved view moved"), "view_delete": N_("Saved view deleted"),
                 "views_import": N_("Saved views imported"), "import": N_("Data imported"),
                 "denied": N_("Refused")}
COLUMNS = {"time": N_("Time"), "user": N_("User"), "workspace": N_("Workspace"),
           "action": N_("Action"), "view": N_("View"), "file": N_("File"),
           "detail": N_("Details")}
RULE_COLUMNS = {"pattern": N_("Who (pattern)"), "role": N_("Role"), "where": N_("Rule from")}


def action_label(action: str) -> str:
    """An action in words (an action this version does not know is shown as written)."""
    return t(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def _text(value: object) -> str:
    return "" if value is None else str(value)


def readable(rows: Iterable[dict], *, may_read: Callable[[str], bool],
             site: bool) -> list[dict]:
    """The lines a reader may see: those of workspaces ``may_read`` allows, and those of no
    workspace (sign-in, sign-out) when ``site`` (an administrator of the whole site)."""
    out = []
    for row in rows:
        ws = _text(row.get("workspace"))
        if (may_read(ws) if ws else site):
            out.append(row)
    return out


def filtered(rows: Iterable[dict], *, actions: Iterable[str] = (), user: str = "",
             workspaces: Iterable[str] = ()) -> list[dict]:
    """The lines with one of ``actions`` and ``workspaces`` (any when empty) whose user
    contains ``user`` (ignoring case)."""
    actions, workspaces = set(actions), set(workspaces)
    needle = user.strip().casefold()
    return [r for r in rows
            if (not actions or _text(r.get("action")) in actions)
            and (not workspaces or _text(r.get("workspace")) in workspaces)
            and needle in _text(r.get("user")).casefold()]


def _detail(value: object) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return _text(value)


def table(rows: list[dict]) -> pd.DataFrame:
    """The lines newest first, as the page shows them (actions in words)."""
    return pd.DataFrame(
        [{"time": _text(r.get("time")), "user": _text(r.get("user")),
          "workspace": _text(r.get("workspace")),
          "action": action_label(_text(r.get("action"))), "view": _text(r.get("view")),
          "file": _text(r.get("file")), "detail": _detail(r.get("detail"))}
         for r in reversed(rows)], columns=list(COLUMNS))


def csv_frame(rows: list[dict]) -> pd.DataFrame:
    """The lines as they are stored (oldest first, the action's id, the details as JSON), for
    the CSV download."""
    return pd.DataFrame(
        [{**{k: _text(r.get(k)) for k in audit.FIELDS},
          "detail": json.dumps(r["detail"], ensure_ascii=False, default=str)
          if r.get("detail") else ""} for r in rows],
        columns=[*audit.FIELDS, "detail"])


def _reader() -> tuple[Callable[[str], bool], bool]:
    """Which workspaces' lines the reader may see, and whether the lines of no workspace."""
    if not auth.enabled():
        return (lambda ws: True), True
    seen: dict[str, bool] = {}

    def may_read(ws: str) -> bool:
        if ws not in seen:
            seen[ws] = auth.decision(ws).at_least("admin")
        return seen[ws]
    return may_read, auth.site_admin()


def page() -> None:
    st.title(t("Audit log"))
    if not auth.is_admin_somewhere():
        st.info(t("Only administrators can read the audit log."), icon=":material/lock:")
        return
    cfg = auth.audit_settings()
    st.caption(t("The log is kept in {path}. It is rotated when it reaches {mb} MB; {keep} "
                 "older files are kept beside it.", path=md_code(cfg.path),
                 mb=f"{cfg.max_bytes / 1024 / 1024:g}", keep=f"{cfg.keep:,}"))
    may_read, site = _reader()
    try:
        rows, bad = audit.read(cfg)
    except OSError as exc:
        st.error(t("The audit log cannot be read ({error}).",
                   error=md(exc.strerror or type(exc).__name__)))
        rows, bad = [], 0
    rows = readable(rows, may_read=may_read, site=site)
    if bad:
        st.warning(tn("{n} line of the log cannot be read (cut short or edited by hand); it is "
                      "left out below.",
                      "{n} lines of the log cannot be read (cut short or edited by hand); they "
                      "are left out below.", bad))
    if not rows:
        st.info(t("No line of the log is yours to read yet: nothing has been recorded in the "
                  "workspaces you administer."))
    else:
        lines(rows)
    access_rules()


def lines(rows: list[dict]) -> None:
    """Filters, the table and its downloads."""
    present = {_text(r.get("action")) for r in rows}
    actions = [a for a in ACTION_LABELS if a in present] + sorted(present - set(ACTION_LABELS))
    spaces = sorted({_text(r.get("workspace")) for r in rows})
    f1, f2, f3 = st.columns(3)
    picked = f1.multiselect(t("Action"), actions, format_func=action_label, key="audit_actions",
                            placeholder=t("All actions"))
    user = f2.text_input(t("User contains"), key="audit_user")
    where = f3.multiselect(t("Workspace"), spaces, key="audit_workspaces",
                           format_func=lambda w: w or t("(none: sign-in and sign-out)"),
                           placeholder=t("All workspaces"))
    shown = filtered(rows, actions=picked, user=user, workspaces=where)
    st.caption(t("{shown} of {total} lines, newest first.", shown=f"{len(shown):,}",
                 total=f"{len(rows):,}"))
    st.dataframe(table(shown), hide_index=True, width="stretch",
                 column_config={k: st.column_config.TextColumn(t(label))
                                for k, label in COLUMNS.items()})
    # An export of lines of one workspace is that workspace's; of several, the site's.
    spaces_shown = {_text(r.get("workspace")) for r in shown}
    ws = spaces_shown.pop() if len(spaces_shown) == 1 else ""
    d1, d2 = st.columns(2)
    auth.download_button(d1, t("Download these lines (JSON lines)"),
                         lambda: audit.jsonl_bytes(shown), file_name="audit_log.jsonl",
                         workspace=ws, mime="application/x-ndjson", key="audit_dl_jsonl",
                         on_click="ignore", disabled=not shown)
    auth.download_button(d2, t("Download these lines (CSV)"),
                         lambda: csv_bytes(csv_frame(shown)), file_name="audit_log.csv",
                         workspace=ws, mime="text/csv", key="audit_dl_csv",
                         on_click="ignore", disabled=not shown)


def _mine(problem: str, administered: Iterable[str]) -> bool:
    """True when a problem of the site file is about no workspace, or about one the reader
    administers (a workspace's name is not shown to someone who may not see it)."""
    text = str(problem)
    if "[workspaces." not in text:
        return True
    return any(f"[workspaces.{w}]" in text for w in administered)


def access_rules() -> None:
    """Each administered workspace: public or not, and its rules; problems of the files."""
    st.subheader(t("Access rules"))
    notice = auth.open_notice()
    if notice:
        st.info(notice, icon=":material/lock_open:")
    policy = auth.policy()
    mine = {w: p for w, p in auth.visible_paths().items()
            if auth.decision(w, p).at_least("admin")}
    site = auth.site_admin()
    found = [p for p in policy.problems if site or _mine(p, mine)]
    notes = [n for n in policy.notes if site or _mine(n, mine)]
    if found or notes:
        st.markdown(t("**Site access file** {file}", file=md_code(policy.source)))
        for p in found:
            st.warning(md(p))
        for n in notes:
            st.caption(md(n))
    for wid, path in mine.items():
        rules, problems, notes = cache.manifest_access(path)
        merged = policy.rules_for(wid, rules)
        try:
            title = cache.manifest(path).title
        except Exception:  # noqa: BLE001 - a broken manifest is named by its id
            title = wid
        with st.container(border=True):
            st.markdown(t("**{title}** ({workspace})", title=md(title), workspace=md_code(wid)))
            st.caption(t("Public: anyone may view it, signed in or not.") if merged.public
                       else t("Not public: only the people its rules name may view it."))
            if merged.rules:
                st.dataframe(
                    pd.DataFrame([{"pattern": r.pattern,
                                   "role": t(auth.ROLE_LABELS.get(r.role, r.role)),
                                   "where": r.where} for r in merged.rules],
                                 columns=list(RULE_COLUMNS)),
                    hide_index=True, width="stretch",
                    column_config={k: st.column_config.TextColumn(t(label))
                                   for k, label in RULE_COLUMNS.items()})
            else:
                st.caption(t("No rule names anyone for this workspace."))
            for p in problems:
                st.warning(md(p))
            for n in notes:
                st.caption(md(n))
