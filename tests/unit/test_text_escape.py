"""ui.text.md: text from data or a link reaches Markdown as the same characters, never markup."""
from __future__ import annotations

import html
import re

import pytest

from ui.text import md, md_code, md_number

WJ = "\u2060"
PUNCT = r"""!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"""
# What CommonMark does with a backslash before ASCII punctuation, then the entities, then the
# invisible joiner: the text the browser ends up showing.
_ESCAPE = re.compile(r"\\([" + PUNCT + "])")


def shown(markdown: str) -> str:
    return html.unescape(_ESCAPE.sub(r"\1", markdown)).replace(WJ, "")


def unescaped(markdown: str) -> str:
    """The Markdown with every escape (backslash pair, entity) replaced by "E": what is left
    outside the Es is read as syntax."""
    return re.sub(r"&(?:amp|lt|gt);", "E", _ESCAPE.sub("E", markdown))


# A block marker at the start of a line: list item, heading, quote, or a line of - or =.
BLOCK = re.compile(r"(?:\A|[\r\n])[ \t]*(?:(?:[-+*]|\d{1,9}[.)])(?=[ \t]|\Z|[\r\n])"
                   r"|[-=]+[ \t]*(?=\Z|[\r\n])|[>#])")


HOSTILE = [
    "![b](http://203.0.113.9/x.png)",
    "[x](http://203.0.113.9/)",
    "<img src=http://203.0.113.9/x.png onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "<http://203.0.113.9/>",
    "[x][ref]\n\n[ref]: http://203.0.113.9/",
    ":material/warning: :red[x] :smile: :small[s] :help[h]",
    "$x^2$ and $$y$$",
    "~~strike~~ **bold** *it* _it_ `code` ```fence```",
    "# heading\n## two\n> quote\n| a | b |\n|---|---|",
    "&lt;img src=x&gt; &#33; &amp;",
    "a\\\nb \\* \\[",
    "www.example.org WWW.EXAMPLE.ORG https://203.0.113.9 http://x a@example.org",
    "x[^1]\n\n[^1]: note",
    ":x{#id .cls} (paren) !bang",
]
LINE_STARTS = ["- item", "+ item", "* item", "1. item", "1) item", "===", "---", "   - item",
               "title\n===", "title\n---", "t\n=", "a\r- b", "a\r\n2. b", "a\n  ==", "- - -"]


@pytest.mark.parametrize("text", HOSTILE + LINE_STARTS)
def test_hostile_text_is_shown_as_the_same_characters(text):
    out = md(text)
    assert shown(out) == text
    left = unescaped(out)
    assert not re.search(r"[\\`*_\[\]<>&#|~$:!(){}]", left), (out, left)
    assert not BLOCK.search(left), (out, left)


@pytest.mark.parametrize("text", HOSTILE)
def test_no_image_link_or_tag_in_the_raw_markdown(text):
    out = md(text)
    assert not re.search(r"!\[[^\]]*\]\(", out)
    assert not re.search(r"\]\((?:https?:|//|javascript:)", out)
    assert not re.search(r"<\s*[a-z/!]", out, re.I)


def test_links_in_plain_text_are_not_made_links():
    """The browser links http(s)://…, www.… and a@b.org found in text after parsing (escapes
    are gone by then): md puts an invisible joiner where those patterns would match."""
    text = "see https://203.0.113.9/x and www.example.org or WWW.EXAMPLE.ORG, mail a@example.org"
    out = md(text)
    value = _ESCAPE.sub(r"\1", html.unescape(out))          # the text node the browser sees
    assert not re.search(r"(https?://|www(?=\.))", value, re.I)
    assert not re.search(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", value)
    assert shown(out) == text


def test_streamlit_extras_are_neutralised():
    out = md(":material/warning: $a$ $b$ ~~s~~ :red[x]")
    assert ":material/" not in out          # the browser rewrites that before parsing
    assert all(out[i - 1] == "\\" for i, ch in enumerate(out) if ch in "$~:")


@pytest.mark.parametrize("text", ["Population for 2024 uses the 2020 estimate (nearest year available).",
                                  "Per-capita personal income", "FY2020–FY2022", "12.5%", "us-atlas",
                                  "O'Brien & co", "", "3 of 56", "a - b + c = d", "-1",
                                  "12.5 and 2009. and 1)", "{attr} (paren) !bang", "-1.5e309",
                                  "../../../../etc/passwd", "= x", "\u202eevil\u200b"])
def test_plain_text_is_returned_unchanged(text):
    if "&" in text:
        assert md(text) == html.escape(text, quote=False)
    else:
        assert md(text) == text


def test_numbers_and_none():
    assert md(12.5) == "12.5" and md(None) == "None" and md(-1) == "-1"
    assert md("- 1") == "\\- 1" and md("2009. x") == "2009\\. x"      # list items


def test_md_code_is_literal_and_fenced():
    assert md_code("https://203.0.113.9/a_b") == "` https://203.0.113.9/a_b `"
    assert md_code("a`b``c") == "``` a`b``c ```"
    assert md_code("two\nlines") == "` two lines `"
    assert md_code("") == ""


def test_md_number_escapes_units_from_data_only():
    assert md_number(1_234_567, "USD") == "$1.2M"
    assert md_number(12.34, "%") == "12.3%"
    assert md_number(5, "EUR").endswith("EUR")
    out = md_number(5, "![b](http://203.0.113.9/x.png)")
    assert shown(out).endswith("![b](http://203.0.113.9/x.png)") and "![" not in out


def test_md_survives_any_text():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.given(st.text(alphabet=st.sampled_from(list(PUNCT + " \n\rab1\u2060é")), max_size=40))
    @hypothesis.settings(max_examples=300, deadline=None)
    def check(text):
        out = md(text)
        assert shown(out) == text.replace(WJ, "")
        left = unescaped(out)
        if out != text:           # escaped: nothing left that Markdown reads
            assert not re.search(r"[\\`*_\[\]<>&#|~$:!(){}]", left), (text, out)
        else:                     # returned as is: only characters that are harmless alone
            assert not re.search(r"[\\`*_\[\]<>&#|~$:@]|www\.", out, re.I), text
        assert not BLOCK.search(left), (text, out)

    check()
