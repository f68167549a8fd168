"""The "Overlays" picker of the map pages: which of the workspace's overlays (lines, points,
areas from its ``[[overlays]]``) are drawn over the map. The choice lives in the URL like the
rest of the view (``overlays=rail|sites``)."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from geodata.dataset import WorkspaceData
from geodata.overlays import overlays_for
from layers.overlay import EncodedOverlay, overlays_json
from locales import t, tn

from . import cache, state
from .text import md


def overlay_picker(data: WorkspaceData, path: str, level: str, *, key: str = "overlays",
                   container=None) -> list[EncodedOverlay]:
    """A sidebar multiselect of the overlays offered at ``level``; the chosen ones, encoded."""
    specs = overlays_for(data.ws, level)
    if not specs:
        st.session_state[key] = []          # none here: nothing left over in the link
        return []
    sb = container or st.sidebar
    ids = [o.id for o in specs]
    labels = {o.id: o.display_label for o in specs}
    state.init_list(key, [], options=ids)
    # Multiselect options are plain text; the label and help render Markdown.
    chosen = sb.multiselect(t("Overlays"), ids, format_func=labels.get, key=key,
                            help=t("Lines, points or areas drawn over the map (the workspace's "
                                   "overlays); hover one for its details."))
    return [cache.encoded_overlay(path, oid) for oid in chosen]


def payload(overlays: Sequence[EncodedOverlay]) -> str | None:
    """The map component's ``overlays`` argument."""
    return overlays_json(overlays)


def captions(overlays: Sequence[EncodedOverlay]) -> None:
    """One line per overlay drawn: what it is, how many features, and any note (categories
    folded into "Other", simplification)."""
    for o in overlays:
        text = tn("Overlay “{name}”: {count} feature drawn.",
                  "Overlay “{name}”: {count} features drawn.", o.features, name=md(o.label),
                  count=f"{o.features:,}")
        st.caption(f"{text} {md(o.note)}" if o.note else text)
