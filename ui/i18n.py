"""The reader's language for this run, and the picker that changes it.

The language is, in order: a ``lang=`` link parameter or the reader's own pick (kept for the
session), else the workspace's ``language`` (``[workspace] language = "zh"``), else the
browser's first language when the app has it, else English. :func:`setup` runs first on every
run (app.py and each page) and sets :mod:`locales`' language, so every message of the run,
cached recipes included, is in that language.
"""
from __future__ import annotations

import streamlit as st

from locales import LANGUAGES, normalise, set_language, t

from . import state

LANG_KEY = "lang"


def _workspace_default() -> str | None:
    from . import auth, cache

    wid = st.session_state.get("ws") or st.query_params.get("ws")
    # only a workspace the reader may open: a hidden one must not show through its language
    path = auth.visible_paths().get(wid) if wid else None
    if path is None:
        return None
    try:
        return cache.manifest(path).language or None
    except Exception:       # a broken manifest is reported by the picker; it has no default
        return None


def default_language() -> str:
    return _workspace_default() or normalise(st.context.locale) or "en"


def setup() -> str:
    """Set this run's language (see the module's doc) and return it."""
    state.init(LANG_KEY, default_language(), options=list(LANGUAGES), parse=normalise)
    return set_language(st.session_state[LANG_KEY])


def picker(container=None) -> None:
    """The language selector (sidebar, every page); the link carries a language only when it
    is not the one the reader would get anyway."""
    sb = container or st.sidebar
    label = t("Language")
    sb.selectbox(label if label == "Language" else f"{label} · Language", list(LANGUAGES),
                 format_func=LANGUAGES.get, key=LANG_KEY)
    if st.session_state[LANG_KEY] == default_language():
        st.session_state.pop(state._KEEP + LANG_KEY, None)
        if LANG_KEY in st.query_params:
            del st.query_params[LANG_KEY]
    else:
        state.to_url([LANG_KEY])
