"""The key figures of a view on screen: one metric per figure, worded by geodata.figures
(the same text the slides, the hearing pack and the exports show)."""
from __future__ import annotations

import html

import streamlit as st

from geodata.figures import KeyFigures

from .text import md


def _value(text: str) -> str:
    """A figure's value for a metric: as is when it is plain text with at most one "$" (one
    dollar sign alone is not maths), escaped otherwise (an indicator's unit is data text)."""
    plain = text.replace("$", "")
    return text if text.count("$") <= 1 and md(plain) == plain else md(text)


def metrics(figures: KeyFigures, container=None) -> None:
    """One metric per key figure, side by side, each with the rule behind it as help."""
    items = figures.items()
    cols = (container or st).columns(max(len(items), 4))
    for col, f in zip(cols, items):
        # labels and values hold data text (level names, units): escaped for Markdown
        col.metric(md(f.label), _value(f.value), help=md(f.help))


def figures_html(figures: KeyFigures) -> str:
    """The figures on one line for an HTML block (a slide): escaped, never interpreted."""
    return html.escape(figures.line())
