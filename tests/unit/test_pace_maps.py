"""The Early warning page's numeric maps: each shows the ranked list's own figure per region
(gap in points, share spent, gap in money, spent ÷ planned), classified the app's usual way
(diverging around on pace); spent ÷ planned only with a plan."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from performance.config import early_warning_config
from performance.early_warning import (MAP_LABELS, early_warning, flags_frame, map_choices,
                                       map_figures, pace_view)
from tests.unit.test_pace import pace_workspace, plan_workspace

IDS = [f"0000{i}" for i in range(1, 7)]

#: choice → the ranked list's (flags_frame, the CSV) figure it must equal
LIST_FIGURE = {
    "gap": lambda f: f["gap_points"],
    "shares": lambda f: f["share_of_year_spent_pct"],
    "gap_money": lambda f: f["spent_to_date"] - f["expected_to_date"],
    "execution": lambda f: f["spent_of_planned_to_date_pct"],
}


def _data(root) -> WorkspaceData:
    return WorkspaceData(load_manifest(root))


@pytest.fixture
def tiny(tmp_path) -> WorkspaceData:
    return _data(pace_workspace(tmp_path / "pace_demo"))


@pytest.fixture
def planned(tmp_path) -> WorkspaceData:
    return _data(plan_workspace(tmp_path / "planned"))


def _same(view_values: pd.Series, listed: pd.Series, ids) -> None:
    want = listed.reindex(ids).to_numpy(dtype=float)
    got = view_values.reindex(ids).to_numpy(dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(want)), (got, want)
    ok = ~np.isnan(want)
    assert got[ok] == pytest.approx(want[ok], abs=0.006)      # the CSV rounds to the cent


@pytest.mark.parametrize("rule", ["profile", "elapsed"])
@pytest.mark.parametrize("quarter", [1, 2])
def test_every_map_shows_the_ranked_lists_figure(tiny, rule, quarter):
    ew = early_warning(tiny, early_warning_config(tiny.ws).with_rule(rule), year=2019,
                       period=quarter)
    assert map_choices(ew) == ["status", "gap", "shares", "gap_money"]
    listed = flags_frame(ew).set_index("region_id")
    for choice in map_choices(ew)[1:]:
        view = pace_view(IDS, ew, choice)
        assert view.region_ids == tuple(IDS)
        _same(view.values, LIST_FIGURE[choice](listed), IDS)
        _same(map_figures(ew, choice), LIST_FIGURE[choice](listed), IDS)
        no_data = [e.count for e in view.legend if e.class_id < 0]
        assert no_data == [int(listed["gap_points"].reindex(IDS).isna().sum())]
        assert view.title == f"{MAP_LABELS[choice]}, FY2019 Q{quarter}"
        rows = dict(view.tooltip_rows)
        assert rows["Status"] == tuple(
            {"green": "On pace", "red": "Far behind", "yellow": "Behind", "ahead": "Ahead",
             "no data": "No data"}[s] for s in listed["status"].reindex(IDS))


def test_gap_maps_diverge_around_zero(tiny):
    ew = early_warning(tiny, early_warning_config(tiny.ws), year=2019, period=1)
    for choice in ("gap", "gap_money"):
        view = pace_view(IDS, ew, choice)
        assert view.scheme == "diverging" and view.palette == "RdBu"
        assert view.classification.centre == 0
    gap = pace_view(IDS, ew, "gap")
    by_id = dict(zip(gap.region_ids, gap.value_text))
    assert by_id["00002"] == "−15 points"                   # Beta, far behind
    money = pace_view(IDS, ew, "gap_money")
    beta = dict(zip(money.region_ids, money.values))["00002"]
    assert beta == pytest.approx(10 - 25)                   # spent 10, expected 25 by Q1
    # behind is the red end, ahead the blue one
    colour = dict(zip(gap.region_ids, gap.colours()))
    assert colour["00002"] == "#ca0020" and colour["00003"] == "#0571b0"


def test_shares_map_is_centred_on_the_elapsed_share(tiny):
    ew = early_warning(tiny, early_warning_config(tiny.ws).with_rule("elapsed"), year=2019,
                       period=1)
    view = pace_view(IDS, ew, "shares")
    assert view.scheme == "diverging"
    assert view.classification.centre == pytest.approx(100 * 92 / 365)
    assert "centred on the expected 25.2%" in view.subtitle
    # a profile or a plan may give each region its own expected share: no one centre
    flags = ew.flags.copy()
    flags.loc[flags["name"] == "Beta", "expected_share"] = 30.0
    own = pace_view(IDS, replace(ew, flags=flags), "shares")
    assert own.scheme == "quantiles" and own.classification.centre is None
    assert own.notes and "its own expected share" in own.notes[0]
    _same(own.values, flags_frame(ew).set_index("region_id")["share_of_year_spent_pct"], IDS)


def test_execution_rate_only_with_a_plan(tiny, planned):
    ew = early_warning(tiny, early_warning_config(tiny.ws), year=2019, period=1)
    assert "execution" not in map_choices(ew)
    with pytest.raises(ValueError, match="needs a plans table"):
        map_figures(ew, "execution")

    pew = early_warning(planned, early_warning_config(planned.ws), year=2019, period=1)
    assert map_choices(pew) == ["status", "gap", "shares", "gap_money", "execution"]
    listed = flags_frame(pew).set_index("region_id")
    for choice in map_choices(pew)[1:]:
        _same(pace_view(IDS, pew, choice).values, LIST_FIGURE[choice](listed), IDS)
    view = pace_view(IDS, pew, "execution")
    assert view.classification.centre == 100 and view.unit == "%"
    assert dict(zip(view.region_ids, view.value_text))["00001"] == "100%"    # Alpha on plan
    assert dict(view.tooltip_rows)["Planned to date"][0] == "$25"


def test_status_is_the_traffic_light_and_unknown_choices_are_refused(tiny):
    ew = early_warning(tiny, early_warning_config(tiny.ws), year=2019, period=1)
    assert pace_view(IDS, ew).scheme == "categories"
    with pytest.raises(ValueError, match="map must be one of"):
        map_figures(ew, "colour")


def test_the_traffic_light_in_chinese(tiny):
    from locales import use

    with use("zh"):
        ew = early_warning(tiny, early_warning_config(tiny.ws), year=2019, period=1)
        view = pace_view(IDS, ew)
        gap = pace_view(IDS, ew, "gap")
    assert [e.label for e in view.legend] == ["严重滞后（红）", "滞后（黄）", "进度正常（绿）",
                                              "超前（蓝）", "无数据"]
    assert view.title == "支出进度，FY2019 第1季度"
    assert dict(zip(view.region_ids, view.value_text))["00002"] == "严重滞后"   # Beta
    rows = dict(view.tooltip_rows)
    assert dict(zip(IDS, rows["差距"]))["00002"] == "-15.0 个百分点"
    assert gap.subtitle == "对照：自身支出规律；已支出比例 − 应达比例，以 0 为中点"
    # the same view in English
    ew = early_warning(tiny, early_warning_config(tiny.ws), year=2019, period=1)
    assert pace_view(IDS, ew).legend[0].label == "Far behind (red)"
    assert dict(zip(IDS, dict(pace_view(IDS, ew).tooltip_rows)["Gap"]))["00002"] == \
        "-15.0 points"
