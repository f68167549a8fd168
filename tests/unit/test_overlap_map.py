"""The map of overlapping funding by area (analysis.overlap.overlap_map) on the bundled NYC
Council workspace: the money on the map and the money not placed add up to the flagged total,
money under an area the map lacks is stated, the method is the matching rules in words, and
what cannot be mapped is refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from analysis import AnalysisError, AnalysisMap
from analysis.overlap import (AREA_MEASURES, AREA_TOTALS, check_workspace, flagged_by_area,
                              overlap_map)
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from layers.numbers import format_number
from locales import use

ROOT = Path(__file__).resolve().parents[2]
WS = ROOT / "geodata" / "workspaces" / "nyc_council"

pytestmark = pytest.mark.skipif(not (WS / "workspace.toml").exists(),
                                reason="nyc_council workspace not built")


@pytest.fixture(scope="module")
def data() -> WorkspaceData:
    return WorkspaceData(load_manifest(WS))


@pytest.fixture(scope="module")
def result(data):
    with use("en"):
        return check_workspace(data.ws)


def ids(data, level) -> list[str]:
    return data.boundaries(level)["region_id"].tolist()


@pytest.mark.parametrize("level", ["district", "zip"])
@pytest.mark.parametrize("measure", list(AREA_MEASURES))
def test_map_plus_not_placed_is_the_flagged_total(data, result, level, measure):
    with use("en"):
        m = overlap_map(data, level, measure, ids(data, level), result=result)
    flags = flagged_by_area(result, level)
    on_map = float(m.view.values.sum())
    not_placed = flags.not_placed[measure]
    assert round(on_map + not_placed, 2) == round(result.totals[AREA_TOTALS[measure]], 2)
    label = {"district": "council district", "zip": "ZIP area"}[level]
    assert m.notes == (f"{format_number(not_placed, 'USD')} of it is in line items with no "
                       f"{label} (not placed on the map).",)


def test_the_figures_of_the_council_awards(data, result):
    """FY2025-FY2026: $294,247,594 in awards of near-duplicate pairs, $160,753,849 of it
    with no council district (citywide, the Speaker, the borough delegations)."""
    with use("en"):
        m = overlap_map(data, "district", "pair_amount", ids(data, "district"), result=result)
    assert isinstance(m, AnalysisMap)
    assert result.totals["pair_amount"] == 294_247_594
    assert m.view.values.sum() == 133_493_745
    assert m.view.values.notna().sum() == 51
    assert m.notes == ("$161M of it is in line items with no council district (not placed on "
                       "the map).",)
    assert (m.title, m.subtitle) == ("Money in possible duplicate awards",
                                     "USD, by council district")
    assert m.view.title == m.title and m.view.palette == "YlOrRd"
    assert [Path(f).name for f in m.files] == ["awards_fy2025_fy2026.csv"]


def test_money_under_an_area_the_map_lacks_is_not_placed_and_named(data, result):
    drawn = [i for i in ids(data, "district") if i not in ("1", "2")]
    flags = flagged_by_area(result, "district")
    missing = float(flags.values.loc[["1", "2"], "pair_amount"].sum())
    with use("en"):
        m = overlap_map(data, "district", "pair_amount", drawn, result=result)
    assert m.view.region_ids == tuple(drawn)
    assert len(m.notes) == 2
    assert m.notes[1] == (f"{format_number(missing, 'USD')} of it is in line items whose council "
                          "district is not one of the map's regions (2, 1; not placed on the "
                          "map).")
    total = float(m.view.values.sum()) + flags.not_placed["pair_amount"] + missing
    assert round(total, 2) == result.totals["pair_amount"]


def test_the_method_is_the_matching_rules_in_words(data, result):
    with use("en"):
        m = overlap_map(data, "zip", "multi_amount", ids(data, "zip"), result=result)
    assert m.methodology.startswith("Recipients are matched by EIN (column ein); where it is "
                                    "blank or a shared id set aside (136400434), by the name in "
                                    "legal_name after normalisation (letter case, punctuation, "
                                    "legal suffixes")
    assert "in the same period are a possible duplicate when they have the same amount" in \
        m.methodology
    assert m.methodology.endswith("Flagged money by zip (modzcta): each award counted once, in "
                                  "the area of its own line item; line items with no area are "
                                  "counted as not placed.")


def test_without_a_result_the_workspace_is_checked_here(data, result):
    with use("en"):
        a = overlap_map(data, "district", "multi_amount", ids(data, "district"))
        b = overlap_map(data, "district", "multi_amount", ids(data, "district"), result=result)
    assert a.view.values.equals(b.view.values)
    assert (a.notes, a.methodology) == (b.notes, b.methodology)


def test_in_chinese(data, result):
    with use("zh"):
        m = overlap_map(data, "district", "pair_amount", ids(data, "district"), result=result)
    assert m.title == "可能重复的资助项目金额"
    assert m.notes == ("其中 1.6亿美元 属于没有council district信息的明细（未能落图）。",)
    assert m.methodology.startswith("受助方按EIN（ein列）匹配")


def test_what_cannot_be_mapped_is_refused(data, result):
    with use("en"):
        with pytest.raises(AnalysisError, match="shows pair_amount, multi_amount, not 'total'"):
            overlap_map(data, "district", "total", ids(data, "district"), result=result)
        with pytest.raises(AnalysisError, match="no area column for level 'borough'"):
            overlap_map(data, "borough", "pair_amount", ["1"], result=result)
        us = WorkspaceData(load_manifest(ROOT / "geodata" / "workspaces" / "us_federal"))
        with pytest.raises(AnalysisError, match="has no line-item table to check: an "
                                                "\\[overlap\\] section"):
            overlap_map(us, "state", "pair_amount", ["06"])
