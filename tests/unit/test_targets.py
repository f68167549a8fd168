"""The target engine: the status rule both ways, the at-risk band's edges, per-row targets over
the manifest's, strict [targets] parsing, no value / no target, the trend and the sentence."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata import roads as R
from performance import targets as T

LOW, HIGH = T.LOWER, T.HIGHER


# --------------------------------------------------------------------------- the status rule

@pytest.mark.parametrize("value, expected", [
    (3.0, "met"), (5.0, "met"),                 # at the target: met
    (5.5, "at risk"), (6.0, "at risk"),         # inside the band, and on its edge
    (6.000001, "missed"), (9.0, "missed"),
])
def test_lower_is_better_with_a_band(value, expected):
    assert T.status(value, 5.0, LOW, at_risk=1.0) == expected


@pytest.mark.parametrize("value, expected", [
    (120.0, "met"), (100.0, "met"),
    (97.5, "at risk"), (95.0, "at risk"),
    (94.999999, "missed"), (10.0, "missed"),
])
def test_higher_is_better_is_the_mirror(value, expected):
    assert T.status(value, 100.0, HIGH, at_risk=5.0) == expected


def test_without_a_band_just_beyond_the_target_is_missed():
    assert T.status(5.0, 5.0, LOW) == "met"
    assert T.status(5.0001, 5.0, LOW) == "missed"
    assert T.status(4.9999, 5.0, HIGH) == "missed"


def test_no_value_is_no_data_and_no_target_or_no_direction_is_no_target():
    assert T.status(None, 5.0, LOW) == "no data"
    assert T.status(float("nan"), 5.0, HIGH, 1.0) == "no data"
    assert T.status(3.0, None, LOW) == "no target"
    assert T.status(None, None, LOW) == "no target"
    assert T.status(3.0, 5.0, None) == "no target"
    assert T.status(3.0, 5.0, "down") == "no target"


def test_judge_takes_one_direction_per_value():
    got = T.judge([4.0, 4.0, np.nan, 4.0], [5.0, 5.0, 5.0, np.nan], [6.0, 3.5, 6.0, 6.0],
                  np.array([LOW, HIGH, LOW, LOW], dtype=object))
    assert got.tolist() == ["met", "at risk", "no data", "no target"]


def test_worst_of_several_criteria():
    assert T.worst(["met", "at risk"]) == "at risk"
    assert T.worst(["missed", "no data", "met"]) == "missed"
    assert T.worst(["no data", "no target"]) == "no data"
    assert T.worst([]) == "no target"
    got = T.worst_each(["met", "no data", "at risk"], ["missed", "no data", "met"], empty="met")
    assert got.tolist() == ["missed", "met", "at risk"]


# --------------------------------------------------------------------------- [targets]

def test_a_manifest_rule_is_read():
    rules, problems = T.parse_targets({"Unemployment rate": {
        "target": 5, "direction": LOW, "at_risk": 1.0, "label": "Unemployment at or below 5%"}})
    assert problems == []
    assert rules == {"Unemployment rate": T.TargetRule(
        "Unemployment rate", 5.0, LOW, 1.0, "Unemployment at or below 5%")}


def test_bad_rules_are_refused_each_with_its_reason():
    rules, problems = T.parse_targets({
        "A": {"target": 5, "direction": "down"},
        "B": {"target": 5, "direction": LOW, "at_risk": -1},
        "C": {"target": "5%", "direction": LOW},
        "D": {"target": True},
        "E": {"target": float("nan")},
        "F": {"targt": 5},
        "G": 5,
        "H": {"target": 2, "direction": HIGH},
    })
    assert list(rules) == ["H"]
    assert problems == [
        "[targets.\"A\"]: 'direction' must be \"higher_is_better\" or \"lower_is_better\", "
        "got 'down'",
        "[targets.\"B\"]: 'at_risk' must be a number ≥ 0 (a band beyond the target still "
        "counted at risk), got -1",
        "[targets.\"C\"]: 'target' must be a number in the indicator's unit, got '5%'",
        "[targets.\"D\"]: 'target' must be a number in the indicator's unit, got True",
        "[targets.\"E\"]: 'target' must be a number in the indicator's unit, got nan",
        "`targt`: unknown key in [targets.\"F\"]; did you mean `target`?",
        "[targets.\"G\"] must be a table (target, direction, at_risk, label), got 5",
    ]


def test_a_section_that_is_not_a_table_of_rules_is_refused():
    rules, problems = T.parse_targets(5)
    assert rules == {} and len(problems) == 1 and problems[0].startswith("[targets] must hold")
    assert T.parse_targets(None) == ({}, [])


# --------------------------------------------------------------------------- evaluate

def frame(rows, columns=("region_id", "year", "indicator", "value", "direction", "target")):
    return pd.DataFrame(rows, columns=list(columns))


def test_a_row_target_overrides_the_manifest_target_for_its_region_and_year():
    rules = {"U": T.TargetRule("U", target=5.0, direction=LOW, at_risk=1.0)}
    df = frame([("a", 2023, "U", 6.5, None, None),      # manifest 5 (+1): missed
                ("b", 2023, "U", 6.5, None, 7.0),       # own target 7: met
                ("b", 2022, "U", 7.5, None, 7.0),       # own 7, the manifest's band: at risk
                ("c", 2023, "U", 8.5, None, 7.0)])      # beyond 7 + 1: missed
    out = T.evaluate(df, rules)
    assert out["status"].tolist() == ["missed", "met", "at risk", "missed"]
    assert out["target"].tolist() == [5.0, 7.0, 7.0, 7.0]
    assert list(out.columns) == list(T.FRAME_COLUMNS)


def test_an_unreadable_target_cell_is_no_target_not_the_manifest_one():
    rules = {"U": T.TargetRule("U", target=5.0, direction=LOW)}
    df = frame([("a", 2023, "U", 4.0, None, None), ("b", 2023, "U", 4.0, None, None)])
    df["_bad_target"] = [False, True]
    assert T.evaluate(df, rules)["status"].tolist() == ["met", "no target"]


def test_direction_from_the_rule_else_from_the_row():
    rules = {"U": T.TargetRule("U", target=5.0, direction=HIGH)}
    df = frame([("a", 2023, "U", 4.0, LOW, None),         # the rule's direction wins
                ("a", 2023, "V", 4.0, LOW, 5.0),          # no rule: the row's
                ("b", 2023, "V", 4.0, "lower", 5.0),      # an unknown word: not judged
                ("c", 2023, "V", 4.0, None, 5.0),         # none: not judged
                ("d", 2023, "V", None, LOW, 5.0),         # no value
                ("e", 2023, "W", 4.0, LOW, None)])        # no target anywhere
    out = T.evaluate(df, rules)
    assert out["status"].tolist() == ["missed", "met", "no target", "no target", "no data",
                                      "no target"]
    assert out["direction"].tolist() == [HIGH, LOW, "", "", LOW, LOW]


def test_unknown_directions_and_missing_ones_are_reported_with_lines():
    df = frame([("a", 2023, "V", 4.0, "down", 5.0), ("b", 2023, "V", 4.0, "down", 5.0),
                ("c", 2023, "V", 4.0, None, 5.0), ("a", 2023, "W", 1.0, LOW, None)])
    df["_table"], df["_line"] = "ind", [2, 3, 4, 5]
    rules = {"Unemployment": T.TargetRule("Unemployment", 5.0, LOW)}
    problems = T.indicator_problems(df, rules, files={"ind": "ind.csv"},
                                    columns={"ind": "better"})
    assert [p.code for p in problems] == ["bad_direction", "target_without_direction",
                                          "unknown_indicator"]
    bad = problems[0]
    assert (bad.file, bad.column, bad.rows, bad.values) == ("ind.csv", "better", (2, 3),
                                                            ("down",))
    assert "3 row(s) of 'V' have a target but no direction" in problems[1].message
    assert problems[2].message == ('[targets."Unemployment"] names no indicator of the '
                                   "indicator tables; indicators: V, W")
    # a rule for another level's indicator is not a problem at this level
    assert [p.code for p in T.indicator_problems(df, rules, known=["V", "Unemployment"])] == \
        ["bad_direction", "target_without_direction"]


def test_counts_by_indicator_and_year():
    df = frame([("a", 2023, "U", 4.0, LOW, 5.0), ("b", 2023, "U", 6.0, LOW, 5.0),
                ("c", 2023, "U", None, LOW, 5.0), ("a", 2022, "U", 4.0, LOW, None)])
    c = T.counts(T.evaluate(df))
    assert c.to_dict("records") == [
        {"indicator": "U", "year": 2022, "met": 0, "at risk": 0, "missed": 0, "no data": 0,
         "no target": 1},
        {"indicator": "U", "year": 2023, "met": 1, "at risk": 0, "missed": 1, "no data": 1,
         "no target": 0}]


# --------------------------------------------------------------------------- the sentence

def states(values, *, target=5.0, direction=LOW, at_risk=1.0, year=2024, targets=None):
    rows = [(f"s{i}", year, "Unemployment rate", v, direction,
             targets[i] if targets else None) for i, v in enumerate(values)]
    rule = T.TargetRule("Unemployment rate", target, direction, at_risk)
    return T.evaluate(frame(rows), {"Unemployment rate": rule}), rule


def test_the_sentence_from_the_rule():
    ev, rule = states([4.0, 5.0, 5.5, 7.0, None])
    assert T.sentence(ev, "Unemployment rate", 2024, plural="States", rule=rule, unit="%") == (
        "2 of 4 states kept unemployment rate at or below 5% in 2024; 1 at risk, 1 missed; "
        "1 with no data.")


def test_the_sentence_with_the_rules_label_and_all_met():
    ev, _ = states([4.0, 3.0])
    rule = T.TargetRule("Unemployment rate", 5.0, LOW, 0.0, "The share of poor bridges under 5%")
    assert T.sentence(ev, "Unemployment rate", 2024, plural="States", rule=rule) == (
        "2 of 2 states kept the share of poor bridges under 5% in 2024.")


def test_the_sentence_higher_is_better_in_dollars_and_own_targets():
    ev, _ = states([41000, 39000], target=40000, direction=HIGH, at_risk=0.0)
    ev = ev.assign(indicator="Per-capita income")
    assert T.sentence(ev, "Per-capita income", 2024, plural="Counties", unit="USD") == (
        "1 of 2 counties kept per-capita income at or above $40,000 in 2024; 1 missed.")
    own, _ = states([4.0, 6.0, 6.5], targets=[5.0, 6.0, None], target=None)
    assert T.sentence(own, "Unemployment rate", 2024, plural="States", unit="%") == (
        "2 of 2 states kept unemployment rate at or below their targets in 2024; "
        "1 without a target.")


def test_the_sentence_when_nothing_can_be_judged():
    ev, rule = states([None, None])
    assert T.sentence(ev, "Unemployment rate", 2024, plural="States", rule=rule) == (
        "Unemployment rate, 2024: none of the 2 states with a target has a value.")


def test_the_rule_in_words():
    assert T.rule_sentence(5.0, LOW, 1.0, "%") == \
        "Lower is better: met ≤ 5%; at risk 5% to 6%; missed > 6%."
    assert T.rule_sentence(40000.0, HIGH, 0.0, "USD") == \
        "Higher is better: met ≥ $40,000; missed < $40,000."
    assert T.rule_sentence(None, LOW, 0.5, "%") == (
        "Lower is better (each region's own target): met ≤ target; at risk ≤ target + 0.5%; "
        "missed > target + 0.5%.")
    assert T.rule_text(2.5, HIGH, 0.25, "PSI") == {
        "met": "≥ 2.5 PSI", "at risk": "2.5 PSI to 2.25 PSI", "missed": "< 2.25 PSI"}


# --------------------------------------------------------------------------- the trend

def series(values: dict[int, float | None], direction=LOW, region="a", indicator="U"):
    return [(region, y, indicator, v, direction, None) for y, v in values.items()]


def test_trend_is_direction_aware():
    rows = (series({2020: 9, 2021: 8, 2022: 7, 2023: 6, 2024: 5}, LOW, "down_low") +
            series({2020: 5, 2021: 6, 2022: 7, 2023: 8, 2024: 9}, LOW, "up_low") +
            series({2020: 5, 2021: 6, 2022: 7, 2023: 8, 2024: 9}, HIGH, "up_high") +
            series({2020: 9, 2021: 8, 2022: 7, 2023: 6, 2024: 5}, HIGH, "down_high") +
            series({2020: 100, 2021: 100.2, 2022: 99.9, 2023: 100.3, 2024: 100.4}, HIGH, "flat") +
            series({2020: 1, 2024: 3}, None, "rising") +
            series({2023: 3, 2024: 1}, "", "falling") +
            series({2024: 3, 2023: None}, LOW, "one_value"))
    tr = T.trend(T.evaluate(frame(rows)), 2024, years=5).set_index("region_id")
    assert tr["trend"].to_dict() == {
        "down_low": "improving", "up_low": "worsening", "up_high": "improving",
        "down_high": "worsening", "flat": "flat", "rising": "rising", "falling": "falling",
        "one_value": "no trend"}
    assert tr.loc["down_low", "change"] == pytest.approx(-4.0)
    assert (tr.loc["rising", "first"], tr.loc["rising", "last"]) == (2020, 2024)


def test_trend_looks_only_at_the_last_years():
    rows = series({2010: 100, 2011: 1, 2023: 5, 2024: 4}, LOW)
    tr = T.trend(T.evaluate(frame(rows)), 2024, years=3)
    assert tr[["trend", "change", "first", "last"]].to_dict("records") == [
        {"trend": "improving", "change": -1.0, "first": 2023, "last": 2024}]
    assert T.trend(T.evaluate(frame(rows)), 2011, years=2)["trend"].tolist() == ["improving"]


# --------------------------------------------------------------------------- Roads through it

def _old_road_rule(g, p, t: R.Targets) -> str:
    """The Roads page's rule as written before it used the engine (the reference)."""
    if not t.any:
        return "no target"
    if pd.isna(g) and pd.isna(p):
        return "no data"
    g_min, p_max = t.good_or_better_min, t.poor_max
    if (g_min is not None and g < g_min) or (p_max is not None and p > p_max):
        return "missed"
    if (g_min is not None and g < g_min + t.at_risk_good_pp) or \
            (p_max is not None and p > p_max - t.at_risk_poor_pp):
        return "at risk"
    return "met"


def test_the_roads_rule_through_the_engine_is_unchanged_at_every_edge():
    cases = 0
    for g_min in (None, 80.0, 80.3):
        for p_max in (None, 2.0, 2.7):
            for gp, pp in ((5.0, 1.0), (0.0, 0.0), (2.5, 0.3)):
                t = R.Targets(good_or_better_min=g_min, poor_max=p_max, at_risk_good_pp=gp,
                              at_risk_poor_pp=pp)
                gs = [np.nan, 0.0, 100.0] + ([] if g_min is None else
                                             [g_min, g_min + gp, g_min - 1e-9, g_min + gp - 1e-9])
                ps = [np.nan, 0.0, 50.0] + ([] if p_max is None else
                                            [p_max, p_max - pp, p_max + 1e-9, p_max - pp + 1e-9])
                grid = [(g, p) for g in gs for p in ps]
                got = R.target_statuses([g for g, _ in grid], [p for _, p in grid], t)
                assert got.tolist() == [_old_road_rule(g, p, t) for g, p in grid], t
                cases += len(grid)
    assert cases > 800


def test_the_sentence_and_the_rule_in_chinese():
    from dataclasses import replace

    from locales import use

    ev, rule = states([4.0, 5.0, 5.5, 7.0, None])
    ev, rule = ev.assign(indicator="失业率"), replace(rule, indicator="失业率")
    with use("zh"):
        assert T.sentence(ev, "失业率", 2024, plural="州", rule=rule, unit="%") == (
            "2024年，4 个州中有 2 个失业率不高于 5%；1 个有风险，1 个未达标；1 个无数据。")
        assert T.rule_sentence(5.0, LOW, 1.0, "%") == \
            "越低越好：达标 ≤ 5%；有风险 5% 至 6%；未达标 > 6%。"
        assert T.status_word(T.AT_RISK) == "有风险"
    assert T.status_word(T.AT_RISK) == "at risk"
