"""Text from data or from a link on its way into Markdown: shown as text, never interpreted.

Streamlit renders Markdown (CommonMark, GitHub extensions, ``$…$`` maths, ``:name[…]``
directives, ``:material/icon:`` and emoji shortcodes) in st.markdown, st.caption, st.write,
st.title and the other headings, alerts, metric labels, values and help, expander and tab
labels, widget labels, ``help=`` tooltips and the options of radios, select sliders, pills and
segmented controls. Every string that came from a workspace's files or from the URL goes
through :func:`md` (or :func:`md_code`) before it reaches one of those.

The options of st.selectbox and st.multiselect are plain text in the browser: they are not
escaped (the backslashes would show).
"""
from __future__ import annotations

import html
import math
import re

from locales import N_, current

# Escaped wherever they occur once a string needs escaping at all. All are ASCII punctuation,
# so a backslash in front of one is a CommonMark escape and renders as the character itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~:$])")
# Block markers at the start of a line (CR or LF ends one), after blanks: list items ("-",
# "+", "1.", "1)" before a blank or the line's end), and lines of only "-" or "=" (thematic
# breaks, setext heading underlines). Group 2 is the marker; its last character gets escaped.
_LINE_START_RE = (r"((?:\A|[\r\n])[ \t]*)"
                  r"([-+]|\d{1,9}[.)])(?=[ \t]|\Z|[\r\n])|"
                  r"((?:\A|[\r\n])[ \t]*)([-=])(?=[-= \t]*(?:\Z|[\r\n]))")
_LINE_START = re.compile(_LINE_START_RE)
# What makes a string more than plain text somewhere in the Markdown pipeline:
#   \ ` * _ [ ] < > & # | ~ $ :  emphasis, code, links and images, HTML and entities, headings,
#                                tables, strikethrough, maths, directives, icons, emoji, URLs
#   @  www.                      e-mail and web links found in plain text
#   block markers (above)        lists, thematic breaks, setext headings
_NEEDS_ESCAPE = re.compile(r"[\\`*_\[\]<>&#|~$:@]|(?i:www\.)|" + _LINE_START_RE)
# The browser turns "http://…", "www.…" and "a@b.org" into links after Markdown is parsed,
# on the text itself (escapes are gone by then): an invisible WORD JOINER in front of the
# "://", the "." or the "@" stops that without changing what is shown.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?i)(https?(?=\\:)|www(?=\.)|(?=@))")
# ":material/icon:" is rewritten by the browser before parsing; with "/" escaped it is left alone.
_MATERIAL = re.compile(r"(?i)(material)/")


def _escape_marker(m: re.Match) -> str:
    lead, marker = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
    return lead + marker[:-1] + "\\" + marker[-1]


def md(text: object) -> str:
    """A data string for st.markdown and friends: HTML escaped, Markdown syntax neutralised.

    Plain text (no character that means anything to Markdown, HTML or Streamlit there) comes
    back unchanged; anything else is escaped throughout, so it renders as the same characters
    and never as a link, an image, HTML, maths, an icon or formatting.
    """
    s = str(text)
    if not _NEEDS_ESCAPE.search(s):
        return s
    s = html.escape(s, quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _LINE_START.sub(_escape_marker, s)
    s = _AUTOLINK.sub(lambda m: m.group(1) + _WJ, s)
    return _MATERIAL.sub(r"\1\\/", s)


def md_code(text: object) -> str:
    """A data string as inline code (an address, a path): literal, unlinked and copyable."""
    s = " ".join(str(text).split())
    if not s:
        return ""
    fence = "`" * (max((len(r) for r in re.findall(r"`+", s)), default=0) + 1)
    return f"{fence} {s} {fence}"


def md_number(x: float | None, unit: str | None = None, *, compact: bool = True) -> str:
    """``layers.classify.format_number`` for a Markdown slot (a metric value, a caption).

    A currency code or "%" gives "$1.2M", "1.2M EUR", "12.5%": returned as is (one "$" alone
    is not maths). Any other unit is text from the workspace's files and is escaped.
    """
    from layers.classify import format_number

    text = format_number(x, unit, compact=compact)
    u = (unit or "").strip()
    if u in ("", "%") or (len(u) == 3 and u.isascii() and u.isalpha() and u.isupper()):
        return text
    return md(text)


def sentences(parts) -> str:
    """Sentences one after the other: a space between them in English, none in Chinese
    (whose full stop needs none)."""
    return ("" if current() == "zh" else " ").join(p for p in parts if p)


# ---------------------------------------------------------------- dates and fiscal years
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))


def years_text(label: str, lo: int, hi: int) -> str:
    """"FY2024" for one year, "FY2008–FY2024" for a span (never "FY2022–FY2022")."""
    return f"{label}{lo}" if int(lo) == int(hi) else f"{label}{lo}–{label}{hi}"


# ---------------------------------------------------------------- numbers in tables
def _finite(values) -> list[float]:
    out = []
    for v in values if values is not None else ():
        try:
            x = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(x):
            out.append(abs(x))
    return out


def decimals_for(values, *, unit: str = "") -> int:
    """Sensible decimals for a column: none from 100 up (and for money from 10 up), one from
    10, two from 1, three below."""
    top = max(_finite(values), default=0.0)
    money = _currency(unit) is not None
    if top >= 100 or (money and top >= 10):
        return 0
    if top >= 10:
        return 1
    return 2 if top >= 1 or top == 0 else 3


def _currency(unit: str) -> str | None:
    code = (unit or "").strip().split(" ")[0]
    return code if len(code) == 3 and code.isascii() and code.isalpha() and code.isupper() \
        else None


def number_column(label: str, unit: str = "", values=None, *, help: str | None = None,
                  signed: bool = False):
    """``st.column_config`` for a column of numbers in ``unit``: money with its currency and
    no cents for large amounts, values in percent with "%", others with separators; the
    decimals follow the size of ``values``. The numbers stay numbers (the column sorts)."""
    import streamlit as st

    d = decimals_for(values, unit=unit)
    cur = _currency(unit)
    sign = "+" if signed else ""
    if (unit or "").strip() == "%":
        fmt = f"%{sign}.{d}f%%"
    elif cur in ("USD", "EUR") and not signed:
        fmt = "dollar" if cur == "USD" else "euro"
    elif cur is not None:
        fmt = f"%{sign},.{d}f {cur}" if cur != "USD" else f"$%{sign},.{d}f"
    elif signed:
        fmt = f"%+,.{d}f"
    else:
        fmt = "localized"
    step = 10 ** -d if d else 1
    return st.column_config.NumberColumn(label, format=fmt, step=step, help=help)
