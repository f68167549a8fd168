"""Early warning and Scorecard status maps as views: the link keys round trip through the view
state, compose() draws them with the pages' own recipes, the command line writes them, and the
hearing pack holds them."""
from __future__ import annotations

import pytest

from exports import cli
from exports.compose import compose, region_ids
from geodata.viewstate import resolve_view
from performance.config import early_warning_config
from performance.early_warning import LEGEND_LABELS, early_warning, status_view
from performance.scorecard import build_scorecard, status_map_view

EW_Q2 = {"page": "early_warning", "ew_year": "2019", "ew_quarter": "2"}
STATUS_WORDS = [LEGEND_LABELS[s] for s in ("red", "yellow", "green", "ahead")]


def test_early_warning_view_round_trips(us):
    vs, ignored = resolve_view(us, EW_Q2)
    assert ignored == []
    assert (vs.page, vs.ew_step, vs.ew_year, vs.ew_quarter, vs.ew_month) == \
        ("early_warning", "quarter", 2019, 2, None)
    assert vs.ew_rule == early_warning_config(us.ws).rule
    assert vs.level == us.ws.table(early_warning_config(us.ws).table).level
    q = vs.to_query()
    assert q["ew_year"] == "2019" and q["ew_quarter"] == "2" and "ew_month" not in q
    again, ignored = resolve_view(us, q)
    assert ignored == [] and again == vs


def test_scorecard_view_round_trips(us):
    params = {"page": "scorecard", "sc_level": "state", "sc_year": "2020",
              "sc_indicator": "Unemployment rate (% of labor force)"}
    vs, ignored = resolve_view(us, params)
    assert ignored == []
    assert (vs.page, vs.level, vs.sc_level, vs.sc_year, vs.sc_indicator) == \
        ("scorecard", "state", "state", 2020, "Unemployment rate (% of labor force)")
    again, ignored = resolve_view(us, vs.to_query())
    assert ignored == [] and again == vs


def test_bad_values_are_reported_and_the_nearest_view_used(us):
    vs, ignored = resolve_view(us, {**EW_Q2, "ew_quarter": "9", "ew_rule": "guess",
                                    "ew_year": "x"})
    default, _ = resolve_view(us, {"page": "early_warning"})
    assert vs == default                    # the page's defaults: the latest period
    assert any(m.startswith("ew_quarter='9'") for m in ignored)
    assert any(m.startswith("ew_rule='guess'") for m in ignored)
    assert any(m.startswith("ew_year='x': not understood") for m in ignored)
    assert vs.ew_rule == early_warning_config(us.ws).rule
    vs, ignored = resolve_view(us, {"page": "scorecard", "sc_year": "1800",
                                    "sc_indicator": "Nope"})
    assert vs.page == "scorecard" and vs.sc_year != 1800 and vs.sc_indicator
    assert [m.split(":")[0] for m in ignored] == ["sc_year='1800'", "sc_indicator='Nope'"]


def test_early_warning_compose_is_the_page_status_view(us):
    c = compose(us, EW_Q2)
    cfg = early_warning_config(us.ws)
    ew = early_warning(us, cfg, year=2019, period=2, step="quarter")
    page = status_view(region_ids(us, ew.level), ew)
    assert c.view.region_ids == page.region_ids
    assert c.view.class_ids.tolist() == page.class_ids.tolist()
    assert [(e.label, e.count) for e in c.view.legend] == \
        [(e.label, e.count) for e in page.legend]
    assert c.title == f"Early warning: {ew.table_label}, FY2019 Q2"
    assert c.methodology == ew.rule_sentence()
    assert c.source.startswith("Source: ")
    assert c.figures.with_data == sum(e.count for e in page.legend if e.class_id >= 0)


def test_scorecard_compose_is_the_page_status_map(us):
    ind = "Unemployment rate (% of labor force)"
    c = compose(us, {"page": "scorecard", "sc_level": "state", "sc_year": "2020",
                     "sc_indicator": ind})
    sc = build_scorecard(us, "state", 2020)
    page = status_map_view(sc, ind, region_ids(us, "state"))
    assert c.view.class_ids.tolist() == page.class_ids.tolist()
    assert c.title == f"Scorecard: {ind}, 2020"
    assert sc.rules[ind] in c.methodology


@pytest.fixture
def drawn(monkeypatch):
    """The figures the exporters encode (to read their texts, not their pixels)."""
    from exports import maps, pack

    figures = []
    real = maps.to_bytes

    def spy(snap, fmt, dpi=None):
        figures.append(snap.figure)
        return real(snap, fmt, dpi)

    monkeypatch.setattr(maps, "to_bytes", spy)
    real_draw = pack.draw

    def draw_spy(*args, **kwargs):
        snap = real_draw(*args, **kwargs)
        figures.append(snap.figure)
        return snap

    monkeypatch.setattr(pack, "draw", draw_spy)
    return figures


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_cli_writes_the_early_warning_png(us, tmp_path, drawn, capsys):
    out = tmp_path / "ew.png"
    code = cli.main(["-w", "us_federal", "--query",
                     "page=early_warning&ew_year=2019&ew_quarter=2", "-f", "png", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (fig,) = drawn
    texts = _texts(fig)
    assert any(t.startswith("Early warning: ") and t.endswith("FY2019 Q2") for t in texts)
    c = compose(us, EW_Q2)
    for entry in c.view.legend:             # every status with its count, as on the screen
        assert f"{entry.label}  ({entry.count:,})" in texts
    assert {w for w in STATUS_WORDS if any(t.startswith(w) for t in texts)} == \
        set(STATUS_WORDS)
    assert any("Gap = share spent" in t for t in texts)       # the rule, under the map
    assert any(t.startswith("Source: ") for t in texts)


def test_cli_refuses_a_bad_early_warning_view(us, tmp_path, capsys):
    out = tmp_path / "ew.png"
    code = cli.main(["-w", "us_federal", "--query", "page=early_warning&ew_quarter=9",
                     "-f", "png", "-o", str(out)])
    assert code == 1 and not out.exists()
    assert "ew_quarter='9': not available here (valid: one of 1, 2" in capsys.readouterr().err


def test_pack_holds_a_saved_early_warning_view(us, tmp_path, monkeypatch, drawn):
    from exports.pack import hearing_pack
    from exports.views_store import VIEWS_DIR_ENV, store_for

    monkeypatch.setenv(VIEWS_DIR_ENV, str(tmp_path))
    store = store_for(us.ws)
    vs, _ = resolve_view(us, EW_Q2)
    store.save("Behind at mid-year", vs.to_query(), "FY2019 Q2")
    store.save("Unemployment", {"level": "state", "measure": "indicator"})
    blob = hearing_pack(us, store.list())
    assert blob[:5] == b"%PDF-"
    first = _texts(drawn[0])
    assert "1. Behind at mid-year" in first
    c = compose(us, EW_Q2)
    assert all(f"{e.label}  ({e.count:,})" in first for e in c.view.legend)
    assert any("Gap = share spent" in t for t in first)
    assert "2. Unemployment" in _texts(drawn[1])


def test_a_monthly_view_uses_calendar_months_as_the_page_does(tmp_path):
    from geodata.dataset import WorkspaceData
    from geodata.workspace import load_manifest
    from tests.unit.test_pace import monthly_workspace

    data = WorkspaceData(load_manifest(monthly_workspace(tmp_path / "monthly")))
    vs, ignored = resolve_view(data, {"page": "early_warning", "ew_step": "month"})
    assert ignored == [] and (vs.ew_year, vs.ew_month, vs.ew_quarter) == (2019, 1, None)
    assert resolve_view(data, vs.to_query()) == (vs, [])
    for month, status in ((1, "Behind (yellow)"), (12, "On pace (green)")):
        c = compose(data, {**vs.to_query(), "ew_month": str(month)})
        assert {e.label: e.count for e in c.view.legend}[status] == 1     # Alpha
    c = compose(data, {**vs.to_query(), "ew_month": "12"})
    assert c.title.endswith("FY2019 Dec")


def test_a_saved_early_warning_view_keeps_what_the_map_shows(us):
    from performance.config import early_warning_config
    from performance.early_warning import early_warning, pace_view

    vs, ignored = resolve_view(us, {**EW_Q2, "ew_map": "gap"})
    assert (vs.ew_map, ignored) == ("gap", [])
    assert resolve_view(us, vs.to_query())[0].ew_map == "gap"
    c = compose(us, {**EW_Q2, "ew_map": "gap"})
    ew = early_warning(us, early_warning_config(us.ws), year=2019, period=2, step="quarter")
    page = pace_view(region_ids(us, ew.level), ew, "gap")
    assert list(c.view.class_ids) == list(page.class_ids)
    assert list(c.view.class_ids) != list(pace_view(region_ids(us, ew.level), ew, "status").class_ids)
    _vs, ignored = resolve_view(us, {**EW_Q2, "ew_map": "execution"})   # no plan table
    assert ignored and "ew_map" in ignored[0]
