"""One number everywhere: for each view, the key figures read the same on One map (its
metrics), on a presentation slide, in the hearing pack's table and on its map page, in the
Excel, GeoJSON and CSV files and from the command line; the classes (ranges and counts) of
the legend are the same on the screen, in the HTML export and in the data files.

The expected text comes from :func:`exports.compose.compose` (``KeyFigures``); each surface is
read the way a reader gets it (the page run by AppTest, the files written by the command
line), so a surface that computes or words a figure on its own fails here."""
from __future__ import annotations

import html
import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from matplotlib.table import Table
from streamlit.testing.v1 import AppTest

from exports import cli
from exports.compose import compose
from exports.pack import figure_cell, pack_pages
from exports.views_store import VIEWS_DIR_ENV, ViewsStore
from geodata.dataset import WorkspaceData
from geodata.workspace import discover_workspaces, load_manifest
from locales import set_language, use
from tests.app.conftest import APP, REPO, components
from ui.text import md

WS = "us_federal"
#: Views at state and county level: one year, spans, agency filters, per capita (cumulative
#: and average), a share, indicators.
VIEWS = {
    "states_fy2024": {"level": "state"},
    "states_fy2019_24": {"level": "state", "years": "2019-2024"},
    "states_fy2012": {"level": "state", "years": "2012"},
    "two_agencies": {"level": "state", "table": "obligations",
                     "agencies": "Department of Justice|Department of Labor",
                     "years": "2020-2023"},
    "one_agency_few_states": {"level": "state", "table": "obligations",
                              "agencies": "Access Board"},
    "states_per_capita": {"level": "state", "measure": "per_capita", "years": "2012-2017"},
    "states_per_capita_avg": {"level": "state", "measure": "per_capita", "years": "2020-2022",
                              "average": "1"},
    "states_share": {"level": "state", "measure": "share", "years": "2023"},
    "states_income": {"level": "state", "measure": "indicator",
                      "indicator": "Per-capita personal income (current dollars)",
                      "indicator_year": "2020"},
    "counties_fy2022": {"level": "county"},
    "counties_per_capita": {"level": "county", "measure": "per_capita"},
    "counties_unemployment": {"level": "county", "measure": "indicator",
                              "indicator_year": "2009"},
}


@pytest.fixture(scope="module")
def data():
    return WorkspaceData(load_manifest(discover_workspaces()[WS]))


@pytest.fixture(scope="module")
def expected(data):
    """The composed view of each query (English)."""
    with use("en"):
        return {name: compose(data, {"ws": WS, **q}) for name, q in VIEWS.items()}


def legend(view) -> list[tuple[str, int]]:
    return [(e.label, e.count) for e in view.legend]


# ------------------------------------------------------------------ the rule, on tiny data
class _Level:
    plural = "Towns"


class _Ws:
    currency = "USD"

    def level(self, _level):
        return _Level()


class _Data:
    """What key_figures reads of a workspace."""
    ws = _Ws()

    def names(self, _level):
        return {"a": "A", "b": "B", "c": "C", "d": "D"}


def _money(population, amounts, unplaced=0):
    """Map values of a money measure over towns a-d: amounts by town (a missing town has no
    row), ``unplaced`` dollars with a key that matches no town."""
    from geodata.dataset import MapValues
    from geodata.join import join_amounts

    idx = pd.Index(list("abcd"), name="region_id")
    sums = pd.DataFrame({"region_id": list(amounts) + (["zz"] if unplaced else []),
                         "amount": list(amounts.values()) + ([unplaced] if unplaced else [])})
    sums["cents"] = (sums["amount"] * 100).round().astype("int64")
    ledger = int(sums["cents"].sum())
    regions = pd.DataFrame({"region_id": list(idx), "name": list("ABCD")})
    join = join_amounts(sums, regions, ledger)
    placed = join.placed.set_index("region_id")["amount"]
    return MapValues(values=placed.reindex(idx), label="Money", unit="USD", notes=(),
                     population=pd.Series(population, index=idx, dtype="float64"), join=join)


def test_per_resident_is_money_of_regions_with_people_over_their_residents():
    from geodata.figures import key_figures

    # a: 100 people, $1,000; b: no population, $500 (left out); c: 300 people, no money
    # (counts with its people); d: population 0 (no population), no money
    mv = _money([100, float("nan"), 300, 0], {"a": 1000.0, "b": 500.0}, unplaced=40)
    with use("en"):
        f = key_figures(_Data(), "town", mv)
        assert f.per_resident == pytest.approx(1000 / 400)
        assert f.texts() == {"Total on the map": "$1,500", "Per resident": "$2.50",
                             "Towns with data": "2 of 4", "Not placed on the map": "$40"}
        assert f.line() == ("Total on the map: $1,500 · Per resident: $2.50 · "
                            "Towns with data: 2 of 4 · Not placed on the map: $40")
    with use("zh"):
        assert list(f.texts()) == ["地图上的总额", "人均", "有数据的Towns", "未能落图"]
        assert f.by_key()["with_data"] == "2 / 4"


def test_no_population_at_all_gives_no_per_resident_figure():
    from geodata.figures import key_figures

    mv = _money([float("nan")] * 4, {"a": 10.0})
    with use("en"):
        assert key_figures(_Data(), "town", mv).by_key()["per_resident"] == "No data"


def test_each_kind_of_view_has_its_own_figures_and_no_empty_ones():
    from geodata.figures import KeyFigures

    with use("en"):
        ind = KeyFigures(kind="indicator", with_data=3, regions=4, median=12.5, unit="%",
                         population=1234567, not_placed_values=2, level_plural="Towns")
        assert ind.texts() == {"Median": "12.5%", "Population covered": "1,234,567",
                               "Towns with data": "3 of 4", "Values not placed": "2"}
        status = KeyFigures(kind="status", with_data=3, regions=4, level_plural="Towns")
        assert status.line() == "Towns with data: 3 of 4"
        rate = KeyFigures(kind="rate", with_data=4, regions=4, total=10.0, overall=2.0,
                          not_placed=0.0, level_plural="Towns")
        assert list(rate.by_key()) == ["total", "overall", "with_data", "not_placed"]
        assert "—" not in ind.line() + status.line() + rate.line()
        assert rate.no_money is False
        assert KeyFigures(with_data=0, regions=4, total=0.0, not_placed=0.0).no_money


# ------------------------------------------------------------------ One map (the screen)
def one_map(query: dict[str, str], lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    for k, v in {"ws": WS, **query}.items():
        at.query_params[k] = v
    if lang:
        at.query_params["lang"] = lang
    at.switch_page("pages/one_map.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def screen_legend(at: AppTest) -> list[tuple[str, int]]:
    (mp,) = [c for c in components(at._tree) if "fiscal_map" in c.proto.component_name]
    values = json.loads(json.loads(mp.proto.json_args)["values"])
    return [(label, int(count.replace(",", ""))) for label, _c, count, _i in values["legend"]]


@pytest.fixture(scope="module")
def screens():
    return {name: one_map(q) for name, q in VIEWS.items()}


@pytest.mark.parametrize("name", VIEWS)
def test_one_map_shows_the_composed_figures_and_classes(name, screens, expected):
    at, c = screens[name], expected[name]
    assert not c.ignored, c.ignored                 # each view is drawn as asked
    assert at.title[0].value == c.title
    assert {m.label: m.value for m in at.metric} == c.figures.texts()
    assert [m.help for m in at.metric] == [md(f.help) for f in c.figures.items()]
    assert screen_legend(at) == legend(c.view)


def test_per_resident_and_the_overall_rate_of_one_year_agree(data, expected):
    """Per resident (money measure) and the overall rate (per capita measure) of one year
    are one figure: money of the regions with a population over their residents."""
    with use("en"):
        pc = compose(data, {"level": "state", "measure": "per_capita", "years": "2024"})
    assert pc.figures.by_key()["overall"] == \
        expected["states_fy2024"].figures.by_key()["per_resident"] == "$14,027"
    assert expected["counties_per_capita"].figures.by_key()["overall"] == \
        expected["counties_fy2022"].figures.by_key()["per_resident"]


# ------------------------------------------------------------------ presentation
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    s = ViewsStore(root / WS, WS)
    for name, q in VIEWS.items():
        s.save(name, {"ws": WS, **q})
    return root, s


def test_each_slide_shows_the_same_figures(store, expected, monkeypatch):
    root, s = store
    monkeypatch.setenv(VIEWS_DIR_ENV, str(root))
    for i, name in enumerate(VIEWS, start=1):
        at = AppTest.from_file(str(REPO / "pages" / "hearing.py"), default_timeout=120)
        at.query_params["present"] = "1"
        at.query_params["slide"] = str(i)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        body = " ".join(h.proto.body for h in at.get("html"))
        note = re.search(r"<div class='fm-pnote'[^>]*>(.*?)</div>", body)
        assert html.unescape(note[1]) == expected[name].figures.line(), name
        src = re.search(r"<div class='fm-psource'[^>]*>(.*?)</div>", body)
        assert html.unescape(src[1]) == expected[name].source_brief


# ------------------------------------------------------------------ the hearing pack
def test_the_packs_table_and_map_pages_show_the_same_figures(data, store, expected):
    _root, s = store
    views = s.list()
    with use("en"):
        pages = pack_pages(data, views)
        next(pages)                                             # cover
        tables = [next(pages) for _ in range(-(-len(views) // 10))]
        first_map = next(pages)
        pages.close()
    cells = {}
    for fig in tables:
        (tab,) = fig.findobj(Table)
        for (r, col), cell in tab.get_celld().items():
            if r > 0:
                cells.setdefault((fig, r), {})[col] = cell.get_text().get_text()
    rows = [[row[k] for k in sorted(row)] for _, row in sorted(cells.items(),
                                                                key=lambda kv: (tables.index(kv[0][0]), kv[0][1]))]
    assert len(rows) == len(VIEWS)
    for row, (name, c) in zip(rows, expected.items()):
        want = [figure_cell(f.label, f.value) for f in c.figures.items()]
        assert row[0:2] == [str(list(VIEWS).index(name) + 1), name]
        assert [x for x in row[2:] if x] == want, name
    texts = [t.get_text() for t in first_map.findobj(lambda a: hasattr(a, "get_text"))]
    assert expected["states_fy2024"].figures.line() in texts


# ------------------------------------------------------------------ files and command line
def run_cli(tmp_path, name: str, fmt: str) -> bytes:
    out = tmp_path / f"{name}.{fmt}"
    q = "&".join(f"{k}={v}" for k, v in {"ws": WS, **VIEWS[name]}.items())
    with use("en"):
        code = cli.main(["-w", WS, "--query", q, "-f", fmt, "-o", str(out)])
    assert code == 0
    return out.read_bytes()


def excel_view_sheet(blob: bytes) -> dict[str, str]:
    wb = openpyxl.load_workbook(io.BytesIO(blob), read_only=True)
    rows = list(wb["View"].iter_rows(values_only=True))[1:]
    return {str(k): str(v) for k, v in rows}


@pytest.mark.parametrize("name", ["states_fy2019_24", "two_agencies", "states_per_capita_avg",
                                  "states_income", "counties_per_capita",
                                  "counties_unemployment"])
def test_files_from_the_command_line_carry_the_same_figures_and_classes(name, tmp_path,
                                                                       expected, screens):
    c = expected[name]
    sheet = excel_view_sheet(run_cli(tmp_path, name, "xlsx"))
    assert {k: sheet.get(k) for k in c.figures.texts()} == c.figures.texts()
    meta = json.loads(run_cli(tmp_path, name, "geojson"))["metadata"]
    assert meta["figures"] == c.figures.texts()
    table = pd.read_csv(io.BytesIO(run_cli(tmp_path, name, "csv")), dtype={"region_id": str})
    counts = table["class"].value_counts(dropna=False)
    shown = screen_legend(screens[name])
    classes = [n for label, n in shown[:-1]]
    assert [int(counts.get(k, 0)) for k in range(1, len(classes) + 1)] == classes
    assert int(table["class"].isna().sum()) == shown[-1][1]           # "No data"
    assert int(table["value"].notna().sum()) == c.figures.with_data


@pytest.mark.parametrize("name", ["states_fy2024", "states_per_capita", "counties_fy2022"])
def test_the_html_export_has_the_screens_legend(name, tmp_path, screens):
    html = run_cli(tmp_path, name, "html").decode("utf-8")
    m = re.search(r'"legend":(\[\[.*?\]\])', html)
    assert m, "no legend in the HTML export"
    exported = [(label, int(count.replace(",", ""))) for label, _c, count, _i
                in json.loads(m[1])]
    assert exported == screen_legend(screens[name])


@pytest.mark.parametrize("name", ["states_fy2024", "states_per_capita", "counties_unemployment"])
def test_the_command_line_and_the_map_images_give_one_maps_figures(name, tmp_path, screens,
                                                                   capsys, monkeypatch):
    """``wrote …`` is followed by the figures One map shows, and the PNG and SVG carry them
    as the first note under the map."""
    from exports import maps

    shown = " · ".join(f"{m.label}: {m.value}" for m in screens[name].metric)
    drawn = []
    real = maps.draw

    def spy(*args, **kw):
        drawn.append(list(kw["footnotes"]))
        return real(*args, **kw)

    monkeypatch.setattr(maps, "draw", spy)
    capsys.readouterr()
    run_cli(tmp_path, name, "png")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("wrote ") and out[1:] == [shown]
    svg = run_cli(tmp_path, name, "svg").decode("utf-8")
    assert [d[0] for d in drawn] == [shown, shown]
    assert f"<!-- {shown} -->" in svg                  # the SVG's text, as drawn


def test_per_capita_shows_one_maps_figures_for_the_same_view():
    """One map with the per capita measure and the Per capita page, FY2024 by state: the
    same overall rate and total on the map, in the same words."""
    one = one_map({"level": "state", "measure": "per_capita", "years": "2024"})
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["ws"] = WS
    at.query_params.update({"pc_level": "state", "pc_years": "2024-2024"})
    at.run()
    at.switch_page("pages/per_capita.py").run()
    assert not at.exception, [e.message for e in at.exception]
    on_one_map = {m.label: m.value for m in one.metric}
    per_capita = {m.label: m.value for m in at.metric}
    assert on_one_map["Overall rate"] == per_capita["Overall rate"] == "$14,027"
    assert on_one_map["Total on the map"] == per_capita["Total on the map"] == "$4.8T"
    assert {k: per_capita[k] for k in on_one_map} == on_one_map
    assert [m.help for m in at.metric][:len(on_one_map)] == [m.help for m in one.metric]


# ------------------------------------------------------------------ Chinese
def test_in_chinese_one_map_and_the_slide_read_the_same_figures(data, store, monkeypatch):
    q = VIEWS["counties_per_capita"]
    at = one_map(q, lang="zh")
    with use("zh"):
        c = compose(data, {"ws": WS, **q})
        texts, line = c.figures.texts(), c.figures.line()     # worded in the language in use
    assert {m.label: m.value for m in at.metric} == texts
    assert list(texts) == ["地图上的总额", "总体人均水平", "有数据的Counties", "未能落图"]
    root, _s = store
    monkeypatch.setenv(VIEWS_DIR_ENV, str(root))
    slide = AppTest.from_file(str(REPO / "pages" / "hearing.py"), default_timeout=120)
    slide.query_params.update({"present": "1", "lang": "zh",
                               "slide": str(list(VIEWS).index("counties_per_capita") + 1)})
    slide.run()
    body = " ".join(h.proto.body for h in slide.get("html"))
    assert html.escape(line) in body
    set_language("en")
