"""View state that lives in the URL: widgets read their start value from the query string and
write it back, so a link reopens the same view. Invalid values are ignored and reported."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import streamlit as st

from geodata.viewstate import _parse_bool, _parse_center, _parse_span, _parse_zoom
from geodata.viewstate import quote  # noqa: F401 - pages quote link values through ui.state

_IGNORED = "_ignored_params"
_KEEP = "_kept_"
_MISSING = object()


def _note_ignored(key: str, raw: str, why: str) -> None:
    st.session_state.setdefault(_IGNORED, {})[key] = f"{quote(raw)} ({why})"


def ignored_params() -> dict[str, str]:
    return st.session_state.get(_IGNORED, {})


def show_ignored() -> None:
    """One warning listing the link parameters this run ignored (nothing when none was)."""
    from .text import md

    ignored = ignored_params()
    if ignored:
        st.warning("Some link parameters were ignored: " +
                   "; ".join(f"{md(k)} = {md(v)}" for k, v in ignored.items()))


def init(key: str, default: Any, *, options: Sequence | None = None,
         parse: Callable[[str], Any] = str) -> None:
    """Set ``st.session_state[key]`` once: from the URL if valid, else ``default``.

    Also resets the value when it is no longer one of ``options`` (another workspace).
    """
    if key in st.session_state:
        if options is not None and st.session_state[key] not in options:
            st.session_state[key] = default
        return
    kept = st.session_state.get(_KEEP + key, _MISSING)
    if kept is not _MISSING and (options is None or kept in options):
        st.session_state[key] = kept
        return
    value = default
    if st.query_params.get(key, ""):
        raw = st.query_params[key]
        try:
            parsed = parse(raw)
        except (TypeError, ValueError):
            _note_ignored(key, raw, "not understood")
        else:
            if options is None or parsed in options:
                value = parsed
            else:
                _note_ignored(key, raw, "not available here")
    st.session_state[key] = value


def init_list(key: str, default: list, *, options: Sequence, parse: Callable[[str], Any] = str) -> None:
    """A multi-value widget: the URL holds the values joined by '|'."""
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
            _note_ignored(key, raw, "not understood")
            parts = None
        if parts is not None:
            good = [p for p in parts if p in options]
            if len(good) < len(parts):
                _note_ignored(key, raw, "some values not available here")
            value = good
    st.session_state[key] = value


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
