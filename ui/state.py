"""View state that lives in the URL: widgets read their start value from the query string and
write it back, so a link reopens the same view. Invalid values are ignored and reported."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import streamlit as st

from geodata.viewstate import _parse_bool, _parse_center, _parse_span, _parse_zoom
from geodata.viewstate import quote  # noqa: F401 - pages quote link values through ui.state
from locales import N_, t

_IGNORED = "_ignored_params"
_KEEP = "_kept_"
_LINK = "_link_params"          # the query string the session was opened with
_PAGE = "_ignored_on_page"      # the page the notes in _IGNORED belong to
_MISSING = object()

#: Why a link parameter was not used (shown after its value).
NOT_UNDERSTOOD = N_("not understood")
NOT_AVAILABLE = N_("not available here")
SOME_NOT_AVAILABLE = N_("some values not available here")


def link_params() -> dict[str, str]:
    """The query string of the link the session was opened with (taken on its first run).

    Later the app writes the view into the query string itself; a value it wrote and cannot
    use on another page or level is not the reader's link, and is not reported."""
    if _LINK not in st.session_state:
        st.session_state[_LINK] = {k: st.query_params[k] for k in st.query_params}
    return st.session_state[_LINK]


def from_link(key: str, raw: object) -> bool:
    """True when ``raw`` is the value of ``key`` in the link the session was opened with."""
    return link_params().get(key) == raw


def note_ignored(key: str, raw: str, why: str) -> None:
    """Report a link parameter the page could not use; ``why`` is a message marked with N_
    (translated when shown). Values the app wrote into the query string itself are not
    reported: only what the reader's link asked for."""
    if from_link(key, raw):
        st.session_state.setdefault(_IGNORED, {})[key] = (quote(raw), why)


def ignored_params() -> dict[str, Any]:
    return st.session_state.get(_IGNORED, {})


def new_page(page: str) -> None:
    """Called once per run with the page shown: notes about a link belong to the page the link
    opened, and are dropped when the reader moves to another page."""
    before = st.session_state.get(_PAGE)
    if before is not None and before != page:
        st.session_state.pop(_IGNORED, None)
    st.session_state[_PAGE] = page


def ignored_text() -> str | None:
    """The sentence listing the ignored link parameters (None when there are none)."""
    from .text import md

    items = []
    for key, value in ignored_params().items():
        if isinstance(value, tuple):
            raw, why = value
            items.append(t("{key} = {value} ({why})", key=md(key), value=md(raw), why=t(why)))
        else:
            items.append(t("{key} = {value}", key=md(key), value=md(value)))
    if not items:
        return None
    return t("Some link parameters were ignored: {params}", params="; ".join(items))


def show_ignored() -> None:
    """One warning listing the link parameters this run ignored (nothing when none was)."""
    text = ignored_text()
    if text:
        st.warning(text, icon=":material/link_off:")


def init(key: str, default: Any, *, options: Sequence | None = None,
         parse: Callable[[str], Any] = str, valid: Callable[[Any], bool] | None = None) -> None:
    """Set ``st.session_state[key]`` once: from the URL if valid, else ``default``.

    A value is valid when it is one of ``options`` (if given) and ``valid(value)`` is true (if
    given: for values that are no list of options, such as a span of years). Also resets the
    value when it is no longer valid (another workspace, table or level).
    """
    link_params()

    def ok(v: Any) -> bool:
        return (options is None or v in options) and (valid is None or bool(valid(v)))

    if key in st.session_state:
        if not ok(st.session_state[key]):
            st.session_state[key] = default
        return
    kept = st.session_state.get(_KEEP + key, _MISSING)
    if kept is not _MISSING and ok(kept):
        st.session_state[key] = kept
        return
    value = default
    if st.query_params.get(key, ""):
        raw = st.query_params[key]
        try:
            parsed = parse(raw)
        except (TypeError, ValueError):
            note_ignored(key, raw, NOT_UNDERSTOOD)
        else:
            if ok(parsed):
                value = parsed
            else:
                note_ignored(key, raw, NOT_AVAILABLE)
    st.session_state[key] = value


def init_list(key: str, default: list, *, options: Sequence, parse: Callable[[str], Any] = str) -> None:
    """A multi-value widget: the URL holds the values joined by '|'."""
    link_params()
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
        return
    kept = st.session_state.get(_KEEP + key, _MISSING)
    if kept is not _MISSING:
        st.session_state[key] = [v for v in kept if v in options]
        return
    value = default
    if key in st.query_params:
        raw = st.query_params[key]
        try:
            parts = [parse(p) for p in raw.split("|") if p != ""]
        except (TypeError, ValueError):
            note_ignored(key, raw, NOT_UNDERSTOOD)
            parts = None
        if parts is not None:
            good = [p for p in parts if p in options]
            if len(good) < len(parts):
                note_ignored(key, raw, SOME_NOT_AVAILABLE)
            value = good
    st.session_state[key] = value


def view_link(keys: Sequence[str], page: str) -> str:
    """The page's view as a link's query (``?ws=…&page=…&…``) from the session's values of
    ``keys``, as the address bar shows it (for the audit log of a download)."""
    from urllib.parse import urlencode

    params = {k: url_text(k, st.session_state[k]) for k in keys if k in st.session_state}
    params = {"ws": params.pop("ws", ""), "page": page, **params}
    return "?" + urlencode({k: v for k, v in params.items() if v != ""})


def url_text(key: str, v: Any) -> str:
    """A view value as the URL (and a saved view) writes it."""
    if key == "center" and isinstance(v, tuple):
        return ",".join(f"{x:.5f}" for x in v)
    if isinstance(v, tuple):
        return "-".join(str(x) for x in v)
    if isinstance(v, list):
        return "|".join(str(x) for x in v)
    if isinstance(v, bool):
        return "1" if v else "0"
    return "" if v is None else str(v)


def to_url(keys: Sequence[str]) -> None:
    """Write the current values of ``keys`` into the query string.

    Also keeps a copy of each under a key of its own: Streamlit forgets a widget's value when
    another page is shown, and :func:`init` then takes the copy, so a page comes back as it was
    left.
    """
    for key in keys:
        if key not in st.session_state:
            continue
        v = st.session_state[key]
        st.session_state[_KEEP + key] = v
        text = url_text(key, v)
        if text == "":
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != text:
            st.query_params[key] = text


parse_span = _parse_span
parse_bool = _parse_bool
parse_center = _parse_center
parse_zoom = _parse_zoom
