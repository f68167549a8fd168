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
import re

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
