"""Hostile links and hostile data: every page runs and shows them as text.

A link can carry anything in any view parameter. Each page of app.py is run through AppTest
with every view key (geodata.viewstate.QUERY_KEYS plus each page's own keys, found in the page
sources) set to hostile values, so that each key meets each value, on both bundled workspaces
and with ``ws`` itself hostile; then keys are run in the context where they are read (breaks
with the user's own classes, a region with the detail panel open, …). A workspace whose names,
labels and units are Markdown and HTML is run through every page too. Each run must raise
nothing, and no element that renders Markdown may hold an unescaped Markdown image or link, an
HTML tag, a link to the test address or a hostile link value verbatim.

Also here: the setting that keeps exception details from visitors.
"""
from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from geodata.viewstate import QUERY_KEYS
from tests.app.conftest import APP, REPO, TIMEOUT, registered_pages
from ui.text import md

HOST = "203.0.113.9"            # TEST-NET-3: never routed
# 100 KB, mostly letters (a link's query string is percent-encoded: markup grows threefold).
BIG = (("x" * 900 + " ![b](http://203.0.113.9/x.png) [x](http://203.0.113.9/) <img src=x> ")
       * 110)[:100_000]
HOSTILE = {
    "NaN": "NaN", "nan": "nan", "inf": "inf", "-inf": "-inf", "1e309": "1e309",
    "huge_int": "99999999999999999999", "minus_one": "-1", "zero": "0", "empty": "",
    "md_image": f"![b](http://{HOST}/x.png)",
    "md_link": f"[x](http://{HOST}/)",
    "html_img": f"<img src=http://{HOST}/x.png onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "javascript": "javascript:alert(1)",
    "traversal": "../../../../etc/passwd",
    "pct00": "%00",
    "nul": "\x00",
    "big": BIG,
    "bidi": "\u202eevil\u202c \u200b\u200d\u2066\u05d0\u05d1\u2069 \ufeff",
    "streamlit_md": f":material/warning: :red[x] $x^2$ and $y$ ~~s~~ **b** www.{HOST}.example "
                    f"a@{HOST}.example\n\n# head\n- item",
}
# Values that are markup anywhere in a line: never shown verbatim in a Markdown element.
MARKUP = {"md_image", "md_link", "html_img", "script", "javascript", "big", "streamlit_md"}
# Streamlit ignores a query string over 512 KiB: the 100 KB value goes to a few keys only.
BIG_KEYS = ("breaks", "region", "scheme", "indicator")

# Raw Markdown/HTML that would fetch or link something.
BAD = [
    ("markdown image", re.compile(r"!\[[^\]]*\]\(")),
    ("markdown link", re.compile(r"\]\(\s*(?:https?:|//|javascript:)", re.I)),
    ("html tag", re.compile(r"<\s*(?:img|script|a|iframe|svg|object|embed|video|audio|link)\b", re.I)),
    ("link to the test address", re.compile(r"(?:https?://|www\.)" + re.escape(HOST), re.I)),
    ("autolink", re.compile(r"<(?:https?|javascript):", re.I)),
]
# Proto fields that the browser renders as Markdown (labels, bodies, tooltips, options).
MD_FIELDS = {"body", "label", "help", "options", "content", "caption", "captions", "delta",
             "message", "title", "description"}
# Elements whose text is not Markdown: code, plain text, HTML the app builds itself (escaped
# where it holds data), components (their arguments go to the page's own script), tables.
NOT_MARKDOWN = {"code", "text", "html", "iframe", "component_instance", "arrow_data_frame",
                "arrow_table", "json", "deck_gl_json_chart", "vega_lite_chart", "plotly_chart",
                "exception", "empty", "balloons", "snow"}
# Widgets whose options the browser shows as plain text (their labels are Markdown).
PLAIN_OPTIONS = {"selectbox", "multiselect"}


def page_keys() -> list[str]:
    """Every link key a page reads: QUERY_KEYS, the keys of state.init/init_list calls and
    direct st.query_params reads in pages/ and ui/, the prefixed keys of ui.controls, and the
    keys pages write back with state.to_url."""
    keys = set(QUERY_KEYS)
    sources = {p: p.read_text(encoding="utf-8")
               for p in [*(REPO / "pages").glob("*.py"), *(REPO / "ui").glob("*.py")]}
    prefixes = {""}
    for src in sources.values():
        keys |= set(re.findall(r"state\.init(?:_list)?\(\s*[\"'](\w+)[\"']", src))
        keys |= set(re.findall(r"query_params(?:\.get\(|\[)\s*[\"'](\w+)[\"']", src))
        for block in re.findall(r"(?:to_url\(\s*\[|PC_KEYS\s*=\s*\[)([^\]]*)\]", src):
            keys |= set(re.findall(r"[\"'](\w+)[\"']", block))
        prefixes |= set(re.findall(r"prefix\s*=\s*[\"'](\w+)[\"']", src))
    controls = sources[REPO / "ui" / "controls.py"]
    for name in re.findall(r"state\.init(?:_list)?\(\s*k\(\s*[\"'](\w+)[\"']\s*\)", controls):
        keys |= {p + name for p in prefixes}
    keys.discard("ws")
    return sorted(keys)


KEYS = page_keys()
PAGES = registered_pages()


def test_the_key_list_covers_the_pages():
    """The discovery above finds what the pages are known to read."""
    for key in ("breaks", "region", "center", "zoom", "panel", "pc_years", "pc_small",
                "pc_left", "bv_indicator", "bv_years", "rd_breaks", "rd_trend", "present",
                "slide", "screen"):
        assert key in KEYS, key
    assert MARKUP <= set(HOSTILE) and set(BIG_KEYS) <= set(KEYS)
    # The 100 KB runs stay under the 512 KiB Streamlit reads (over it, the link is dropped).
    assert len(urlencode({**{k: BIG for k in BIG_KEYS}, "ws": "boston_region"})) < 512 * 1024
    assert all(md(HOSTILE[name]) != HOSTILE[name] for name in MARKUP)


# ------------------------------------------------------------------ running and checking

@pytest.fixture(scope="module", autouse=True)
def saved_views(tmp_path_factory):
    """One saved view per workspace (in a temporary folder), so presentation mode has a slide."""
    from exports.views_store import VIEWS_DIR_ENV, ViewsStore

    root = tmp_path_factory.mktemp("views")
    for ws in ("us_federal", "boston_region"):
        ViewsStore(root / ws, ws).save("A view", {"level": "state" if ws == "us_federal"
                                                  else "town", "measure": "total"}, "note")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(VIEWS_DIR_ENV, str(root))
        yield root


_shared: dict[str, object] = {}


def run(page: str, params: dict[str, str]) -> AppTest:
    """Open ``page`` on a fresh session with ``params`` as the link's query string."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    # Each AppTest scans every installed package for components once (a third of a second);
    # the runs here share the first one's registry.
    if "bidi" in _shared and hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _shared["bidi"]
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    if getattr(at, "_bidi_component_manager", None) is not None:
        _shared.setdefault("bidi", at._bidi_component_manager)
    return at


def markdown_texts(at: AppTest):
    """(element type, field, text) of every string the browser renders as Markdown."""
    def walk(msg, kind):
        for fd, value in msg.ListFields():
            values = value if fd.is_repeated else [value]
            if fd.message_type is not None:
                for m in values:
                    yield from walk(m, kind)
            elif fd.name in MD_FIELDS and fd.type == fd.TYPE_STRING:
                for s in values:
                    yield kind, fd.name, s

    for node in at._tree:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is None or kind in NOT_MARKDOWN:
            continue
        for kind_, field, text in walk(proto, kind):
            if field == "options" and kind_ in PLAIN_OPTIONS:
                continue
            yield kind_, field, text


_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def problems(at: AppTest, markup: list[str] = ()) -> list[str]:
    """What is wrong with a finished run: exceptions, tracebacks, unescaped markup."""
    out = []
    for e in at.exception:
        out.append(f"exception: {e.message[:300]} (the traceback is in the captured log)")
    for e in at.error:
        if "Traceback" in str(e.value) or 'File "' in str(e.value):
            out.append(f"traceback in st.error: {str(e.value)[:300]}")
    for kind, field, text in markdown_texts(at):
        text = _CODE_SPAN.sub("`code`", text)     # inline code is shown literally, never linked
        for what, rx in BAD:
            m = rx.search(text)
            if m:
                out.append(f"{what} in {kind}.{field}: …{text[max(0, m.start() - 60):m.end() + 60]!r}…")
        for value in markup:
            if value in text:
                out.append(f"hostile value verbatim in {kind}.{field}: {text[:200]!r}")
    return out


def check(page: str, params: dict[str, str], names: list[str], base: dict | None = None
          ) -> list[str]:
    """Run ``page`` with ``params`` (built from the hostile values ``names``); the problems.
    ``base``: valid parameters that must have been taken (none of them reported ignored)."""
    at = run(page, params)
    markup = [HOSTILE[n] for n in sorted(set(names) & MARKUP)]
    ws = params.get("ws", "")
    where = f"{page} (ws={ws[:30]!r}, {len(params)} parameters)"
    found = problems(at, markup)
    ignored = at.session_state["_ignored_params"] if "_ignored_params" in at.session_state else {}
    found += [f"context parameter {k}={base[k]!r} was ignored" for k in set(base or ()) & set(ignored)]
    return [f"{where}: {p}" for p in found]


# ------------------------------------------------------------------ every key at once

ROTATED = [name for name in HOSTILE if name != "big"]
# Run r of a page sets key j to ROTATED[(r + j) % len(ROTATED)], so every key meets every value
# once over len(ROTATED) runs, mixed with other hostile values in the other keys; on each
# workspace. The 100 KB value gets a run of its own on each workspace, in BIG_KEYS (Streamlit
# drops a query string over 512 KiB).
WORKSPACES = ("us_federal", "boston_region")
RUNS = [(r, ws) for ws in WORKSPACES for r in range(len(ROTATED))]


def rotated(r: int) -> dict[str, str]:
    return {k: HOSTILE[ROTATED[(r + j) % len(ROTATED)]] for j, k in enumerate(KEYS)}


@pytest.mark.parametrize("page", PAGES)
def test_every_key_hostile(page):
    found = []
    for r, ws in RUNS:
        params = {**rotated(r), "ws": ws}
        found += check(page, params, ROTATED)
    for ws in WORKSPACES:
        found += check(page, {**{k: BIG for k in BIG_KEYS}, "ws": ws}, ["big"])
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("page", PAGES)
def test_workspace_key_hostile(page):
    """``ws`` itself hostile (the workspace picker of every page), with the others: the page
    falls back to the first workspace."""
    found = []
    for r, name in enumerate(ROTATED):
        found += check(page, {**rotated(r), "ws": HOSTILE[name]}, ROTATED)
    found += check(page, {**{k: BIG for k in BIG_KEYS[:3]}, "ws": BIG}, ["big"])
    assert not found, "\n".join(found[:20])


def test_unknown_workspace_is_reported():
    at = run("pages/one_map.py", {"ws": HOSTILE["md_image"]})
    assert at.session_state["ws"] == "us_federal"
    warning = " ".join(str(w.value) for w in at.warning)
    assert "ws = " in warning and "http\u2060\\://203.0.113.9" in warning, warning


# ------------------------------------------------------------------ keys in their context

# (page, workspace, the valid parameters that make the page read the keys, the keys[, values])
# Each is checked: a valid parameter reported as ignored fails the run.
CONTEXTS = [
    ("pages/one_map.py", "us_federal", {"scheme": "user_defined", "panel": "detail"},
     ("breaks", "region", "center", "zoom")),
    ("pages/one_map.py", "us_federal", {"level": "county", "measure": "indicator",
                                        "panel": "diagnostics"}, ("indicator", "indicator_year")),
    ("pages/one_map.py", "boston_region", {"measure": "per_capita", "years": "2026-2028",
                                           "panel": "data"}, ("average", "agencies", "k")),
    ("pages/per_capita.py", "us_federal", {"pc_view": "change", "pc_years": "2010-2014"},
     ("pc_from", "pc_to", "pc_change", "pc_small", "pc_k")),
    ("pages/per_capita.py", "us_federal", {"pc_table": "obligations", "pc_view": "compare",
                                         "pc_cmp": "agencies"},
     ("pc_left", "pc_right", "pc_parent")),
    ("pages/roads.py", "boston_region", {"rd_layer": "measure", "rd_scheme": "user_defined",
                                         "rd_overlay": "0"}, ("rd_breaks", "rd_trend", "rd_per")),
    ("pages/hearing.py", "us_federal", {"present": "1"}, ("slide", "screen")),
]
CONTEXT_VALUES = ["NaN", "huge_int", "minus_one", "md_image", "html_img", "big", "streamlit_md"]


@pytest.mark.parametrize("page,ws,base,keys,values",
                         [(*c, CONTEXT_VALUES) if len(c) == 4 else c for c in CONTEXTS],
                         ids=[f"{c[0].split('/')[-1][:-3]}-{c[3][0]}" for c in CONTEXTS])
def test_keys_hostile_where_they_are_read(page, ws, base, keys, values):
    found = []
    for name in values:
        hostile = {k: HOSTILE[name] for k in (keys[:3] if name == "big" else keys)}
        found += check(page, {"ws": ws, **base, **hostile}, [name], base=base)
    assert not found, "\n".join(found[:20])


# ------------------------------------------------------------------ hostile data

X = f"![b](http://{HOST}/x.png) [l](http://{HOST}/) <img src=http://{HOST}/y.png> :red[r] $z$"
MANIFEST = """
[workspace]
title = "Budget {X}"
description = "About {X}"
fiscal_year_label = "FY{X}"
data_date = "{X}"
default_level = "county"

[[levels]]
id = "state"
label = "State {X}"
label_plural = "States {X}"
file = "states.geojson"
key = "id"
name = "name"
key_width = 2

[[levels]]
id = "county"
label = "County {X}"
label_plural = "Counties {X}"
file = "counties.geojson"
key = "id"
name = "name"
key_width = 5
parent_level = "state"
parent_key_chars = 2

[[tables]]
id = "grants"
kind = "allocations"
level = "county"
file = "grants.csv"
label = "Grants {X}"
unit = "USD"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
agency = "agency"
amount = "amount"

[[tables]]
id = "grants2"
kind = "allocations"
level = "county"
file = "grants.csv"
label = "More grants {X}"
unit = "USD"
[tables.columns]
region_id = "fips"
fiscal_year = "fy"
agency = "agency"
amount = "amount"

[[tables]]
id = "pop"
kind = "population"
level = "county"
file = "pop.csv"
[tables.columns]
region_id = "fips"
year = "year"
population = "population"

[[tables]]
id = "ind"
kind = "indicators"
level = "county"
file = "ind.csv"
[tables.columns]
region_id = "fips"
year = "year"
indicator = "indicator"
value = "value"
unit = "unit"
direction = "direction"

[[sources]]
name = "Source {X}"
publisher = "Publisher {X}"
url = "http://{HOST}/source"
licence = "Licence {X}"
retrieved = "{X}"
notes = "Notes {X}"
files = ["grants.csv"]
"""


def hostile_workspace(root: Path) -> Path:
    """A workspace whose every title, label, name, agency and unit is Markdown and HTML
    aimed at HOST."""
    from shapely.geometry import box

    from tests.fixtures.helpers import write_geojson, write_workspace

    states = [("01", f"State A {X}", box(0, 0, 2, 1)), ("02", f"State B {X}", box(2, 0, 4, 1))]
    counties = [(f"{st}00{i}", f"County {st}{i} {X}", box(x0 + i - 1, 0, x0 + i, 1))
                for st, x0 in (("01", 0), ("02", 2)) for i in (1, 2)]
    grants = ["fips,fy,agency,amount"] + [
        f'{c},{y},"Agency {a} {X}",{100 * (i + 1) + y - 2020}'
        for i, (c, _, _) in enumerate(counties) for y in (2021, 2022, 2023) for a in (1, 2)]
    grants.append("99999,2022,Nowhere,5")
    pop = ["fips,year,population"] + [f"{c},{y},{1000 * (i + 1)}"
                                      for i, (c, _, _) in enumerate(counties)
                                      for y in (2021, 2022, 2023)]
    ind = ["fips,year,indicator,value,unit,direction"] + [
        f'{c},{y},"Rate {X}",{i + 0.5},"pts {X}",lower_is_better'
        for i, (c, _, _) in enumerate(counties) for y in (2021, 2022)]
    ws = write_workspace(root / "hostile_data", MANIFEST.replace("{X}", X).replace("{HOST}", HOST),
                         {"grants.csv": "\n".join(grants) + "\n", "pop.csv": "\n".join(pop) + "\n",
                          "ind.csv": "\n".join(ind) + "\n"})
    write_geojson(ws / "states.geojson", states)
    write_geojson(ws / "counties.geojson", counties)
    return ws


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    """FISCALMAP_WORKSPACES pointing at the hostile workspace (read on every rerun)."""
    ws = hostile_workspace(tmp_path_factory.mktemp("workspaces"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FISCALMAP_WORKSPACES", str(ws.parent))
        yield ws.name


DATA_VIEWS = [
    ("pages/overview.py", {}),
    ("pages/one_map.py", {"panel": "detail", "region": "01001"}),
    ("pages/one_map.py", {"panel": "diagnostics", "measure": "per_capita"}),
    ("pages/one_map.py", {"panel": "data", "measure": "indicator", "scheme": "user_defined",
                          "breaks": "1 2"}),
    ("pages/one_map.py", {"panel": "diagnostics", "measure": "indicator"}),
    ("pages/one_map.py", {"level": "state", "measure": "change"}),
    ("pages/per_capita.py", {"pc_years": "2021-2023"}),
    ("pages/per_capita.py", {"pc_view": "change", "pc_years": "2021-2023"}),
    ("pages/per_capita.py", {"pc_view": "compare", "pc_cmp": "agencies", "pc_parent": "01"}),
    ("pages/per_capita.py", {"pc_view": "compare", "pc_cmp": "tables"}),
    ("pages/money_results.py", {}),
    ("pages/roads.py", {}),
    ("pages/data_quality.py", {}),
    ("pages/sources.py", {}),
    ("pages/hearing.py", {}),
]


@pytest.mark.parametrize("page,params", [
    pytest.param(page, params, id=f"{page.split('/')[-1][:-3]}-{'-'.join(params.values())}")
    for page, params in DATA_VIEWS])
def test_hostile_data_stays_text(hostile_data, page, params):
    """Text from a workspace's files (titles, level labels, region, table, indicator and agency
    names, units, sources) is Markdown and HTML aimed at HOST: the page shows it as text."""
    at = run(page, {"ws": hostile_data, **params})
    assert at.session_state["ws"] == hostile_data
    found = problems(at)
    assert not found, "\n".join(found[:20])


# ------------------------------------------------------------------ error details

def test_visitors_get_no_error_details_and_the_log_gets_the_traceback(tmp_path):
    """.streamlit/config.toml: uncaught exceptions show a generic box (no type, message or
    traceback: they carry server paths and data); the traceback is logged at ERROR, which the
    configured logger level lets through."""
    from streamlit import config

    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    setting = cfg["client"]["showErrorDetails"]
    assert setting == config.ShowErrorDetailsConfigOptions.NONE.value
    level = cfg.get("logger", {}).get("level", "info")
    assert logging.getLevelName(level.upper()) <= logging.ERROR
    assert not cfg.get("logger", {}).get("enableRich", False)     # plain logging of the trace

    script = tmp_path / "boom.py"
    script.write_text("raise ValueError('secret /srv/fiscalmap/data detail')\n", encoding="utf-8")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    log = logging.getLogger("streamlit.error_util")
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", setting)
    log.addHandler(handler)
    try:
        at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
        at.run()
    finally:
        log.removeHandler(handler)
        config.set_option("client.showErrorDetails", before)
    shown = at.exception[0]
    assert "secret" not in shown.message and "/srv/" not in shown.message
    assert not list(shown.stack_trace) and not shown.proto.type
    logged = [r for r in records if r.levelno >= logging.ERROR and r.exc_info]
    assert logged and "secret /srv/fiscalmap/data detail" in str(logged[0].exc_info[1])
