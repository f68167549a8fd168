"""Text from data on its way into Markdown: shown as text, never interpreted."""
from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~:$])")


def md(text: object) -> str:
    """Escape a data string for st.markdown: HTML is escaped, Markdown syntax neutralised."""
    s = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)
