"""The target engine: a value against its target → met / at risk / missed, for any indicator.

One rule, used by the Scorecard, the Roads page and every page that judges a value:

* ``lower_is_better``: value ≤ target → **met**; value ≤ target + at_risk → **at risk**;
  otherwise **missed**.
* ``higher_is_better``: value ≥ target → **met**; value ≥ target − at_risk → **at risk**;
  otherwise **missed**.
* **no target** when there is no target or no direction to judge by; **no data** when there is
  a target but no value.

``at_risk`` is a band beyond the target still counted "at risk" (default 0: no band). Targets
come from the manifest's ``[targets."<indicator>"]`` tables (:func:`parse_targets`) and from an
indicator table's ``target`` column, whose value overrides the manifest's target for its region
and year (docs/workspace-manifest.md, "[targets]").

The steps, each a pure function over frames:

``parse_targets(raw)``            the ``[targets]`` section → rules and every problem in it
``judge(values, met, risk, dir)`` the rule itself, on arrays (two thresholds and a direction)
``evaluate(indicators, rules)``   status of every region × indicator × year row
``counts(frame)``                 how many regions in each status
``sentence(...)``                 "14 of 51 states kept unemployment at or below 5% in 2024."
``trend(frame, year)``            improving / worsening / flat over the last years
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from geodata.problems import Problem, problem_for_rows
from geodata.workspace import unknown_keys
from locales import N_, t

HIGHER = "higher_is_better"
LOWER = "lower_is_better"
DIRECTIONS = (HIGHER, LOWER)

MET, AT_RISK, MISSED, NO_DATA, NO_TARGET = "met", "at risk", "missed", "no data", "no target"
JUDGED = (MET, AT_RISK, MISSED)
STATUSES = (MET, AT_RISK, MISSED, NO_DATA, NO_TARGET)
_SEVERITY = {MET: 0, AT_RISK: 1, MISSED: 2}

IMPROVING, WORSENING, FLAT, RISING, FALLING, NO_TREND = (
    "improving", "worsening", "flat", "rising", "falling", "no trend")
#: Statuses and trends in words (the codes above are data: frames and CSV files keep them):
#: message ids, shown with ``locales.t``.
STATUS_LABELS = {MET: N_("met"), AT_RISK: N_("at risk"), MISSED: N_("missed"),
                 NO_DATA: N_("no data"), NO_TARGET: N_("no target")}
TREND_LABELS = {IMPROVING: N_("improving"), WORSENING: N_("worsening"), FLAT: N_("flat"),
                RISING: N_("rising"), FALLING: N_("falling"), NO_TREND: N_("no trend")}


def status_word(code: object) -> str:
    """A status in words, in the run's language ("met" / "达标"); anything else as it is."""
    return t(STATUS_LABELS[code]) if isinstance(code, str) and code in STATUS_LABELS \
        else str(code)


def trend_word(code: object) -> str:
    """A trend in words, in the run's language; a missing trend is "no trend"."""
    return t(TREND_LABELS[code]) if isinstance(code, str) and code in TREND_LABELS \
        else t(TREND_LABELS[NO_TREND])


def _clauses(first: str, *more: str) -> str:
    """Clauses of one sentence: "a; b; c" (the language's own separator)."""
    for then in more:
        first = t("{first}; {then}", first=first, then=then)
    return first


def _listed(items: Sequence[str]) -> str:
    """Items of a list: "a, b"."""
    out = items[0]
    for then in items[1:]:
        out = t("{first}, {then}", first=out, then=then)
    return out

RULE_KEYS = ("target", "direction", "at_risk", "label")
FRAME_COLUMNS = ("region_id", "indicator", "year", "value", "unit", "target", "direction",
                 "at_risk", "status")


# --------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class TargetRule:
    """The manifest's target for one indicator (every field optional but the name)."""
    indicator: str
    target: float | None = None          # in the indicator's unit; a row's target overrides it
    direction: str | None = None         # None: the table's direction column
    at_risk: float = 0.0                 # band beyond the target still counted "at risk"
    label: str = ""                      # sentence-friendly: "unemployment at or below 5%"


def _rule_where(name: str) -> str:
    return f'[targets."{name}"]'


def _number(d: Mapping, key: str, where: str, problems: list[str], what: str) -> float | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        problems.append(t("{where}: '{key}' must be {what}, got {value}", where=where, key=key,
                          what=what, value=repr(v)))
        return None
    return float(v)


def parse_targets(raw: Any) -> tuple[dict[str, TargetRule], list[str]]:
    """The manifest's ``[targets]`` section → rule per indicator name, and every problem.

    Strict, like the rest of the manifest: an unknown key names the nearest valid one; a
    direction other than the two, a negative ``at_risk`` or a target that is not a number is
    a problem naming the indicator and the value. A rule with a problem is left out (its
    indicator is then judged by its table's own ``target`` and ``direction`` columns only).
    """
    if raw is None:
        return {}, []
    if not isinstance(raw, Mapping):
        return {}, [t("[targets] must hold one table per indicator, {example} with target = "
                      "5.0 …, got {type} {value}", example='[targets."Unemployment rate"]',
                      type=type(raw).__name__, value=repr(raw))]
    rules: dict[str, TargetRule] = {}
    problems: list[str] = []
    for name, d in raw.items():
        where = _rule_where(name)
        if not isinstance(d, Mapping):
            problems.append(t("{where} must be a table (target, direction, at_risk, label), "
                              "got {value}", where=where, value=repr(d)))
            continue
        mine: list[str] = unknown_keys(d, RULE_KEYS, where, aliases={
            "threshold": "target", "goal": "target", "value": "target", "margin": "at_risk",
            "band": "at_risk", "tolerance": "at_risk", "name": "label", "better": "direction"})
        target = _number(d, "target", where, mine, t("a number in the indicator's unit"))
        band = t("a number ≥ 0 (a band beyond the target still counted at risk)")
        at_risk = _number(d, "at_risk", where, mine, band)
        if at_risk is not None and at_risk < 0:
            mine.append(t("{where}: '{key}' must be {what}, got {value}", where=where,
                          key="at_risk", what=band, value=repr(d["at_risk"])))
        direction = d.get("direction")
        if direction is not None and direction not in DIRECTIONS:
            mine.append(t("{where}: 'direction' must be \"{higher}\" or \"{lower}\", got "
                          "{value}", where=where, higher=HIGHER, lower=LOWER,
                          value=repr(direction)))
        label = d.get("label", "")
        if not isinstance(label, str):
            mine.append(t("{where}: 'label' must be text, got {value}", where=where,
                          value=repr(label)))
        if not str(name).strip():
            mine.append(t("[targets]: an indicator name must not be blank"))
        problems += mine
        if not mine:
            rules[str(name)] = TargetRule(indicator=str(name), target=target,
                                          direction=direction, at_risk=at_risk or 0.0,
                                          label=label.strip())
    return rules, problems


# --------------------------------------------------------------------------- the rule

def judge(values: Any, met: Any, risk: Any, direction: Any) -> np.ndarray:
    """Status of each value against two thresholds: ``met`` (the target) and ``risk`` (the
    edge of the at-risk band), by ``direction`` (scalar or one per value).

    lower_is_better: ≤ met → met, ≤ risk → at risk, else missed; higher_is_better mirrored.
    A threshold that is NaN or a direction that is neither → "no target"; a NaN value with a
    target → "no data". Returns an object array of status texts.
    """
    v = np.asarray(values, dtype="float64")
    shape = v.shape
    m = np.broadcast_to(np.asarray(met, dtype="float64"), shape)
    r = np.broadcast_to(np.asarray(risk, dtype="float64"), shape)
    d = np.broadcast_to(np.asarray(direction, dtype=object), shape)
    lower, higher = d == LOWER, d == HIGHER
    r = np.where(np.isnan(r), m, r)
    has = np.isfinite(m) & (lower | higher)
    out = np.full(shape, NO_TARGET, dtype=object)
    with np.errstate(invalid="ignore"):
        met_ok = np.where(lower, v <= m, v >= m)
        risk_ok = np.where(lower, v <= r, v >= r)
    status = np.where(met_ok, MET, np.where(risk_ok, AT_RISK, MISSED))
    out[has] = status[has]
    out[has & np.isnan(v)] = NO_DATA
    return out


def bounds(target: Any, at_risk: Any, direction: Any) -> tuple[np.ndarray, np.ndarray]:
    """The two thresholds :func:`judge` takes, from a target and its at-risk band."""
    tv = np.asarray(target, dtype="float64")
    a = np.nan_to_num(np.asarray(at_risk, dtype="float64"), nan=0.0)
    d = np.asarray(direction, dtype=object)
    return tv, np.where(d == HIGHER, tv - a, tv + a)


def status(value: float | None, target: float | None, direction: str | None,
           at_risk: float = 0.0) -> str:
    """The status of one value (see the module docstring for the rule)."""
    t, r = bounds(np.nan if target is None else target, at_risk, direction)
    v = np.nan if value is None else value
    return str(judge([v], t.reshape(1), r.reshape(1), [direction])[0])


def worst(statuses: Iterable[str]) -> str:
    """The worst judged status of several criteria (missed > at risk > met); "no data" when
    none could be judged for want of values, "no target" when none had a target."""
    s = list(statuses)
    judged = [x for x in s if x in _SEVERITY]
    if judged:
        return max(judged, key=_SEVERITY.__getitem__)
    return NO_DATA if NO_DATA in s else NO_TARGET


def worst_each(*criteria: Any, empty: str = NO_DATA) -> np.ndarray:
    """Row by row, the worst judged status of several criteria (arrays from :func:`judge`);
    ``empty`` where no criterion could be judged in that row."""
    if not criteria:
        raise ValueError("worst_each needs at least one array of statuses")
    arrays = [np.asarray(c, dtype=object) for c in criteria]
    sev = np.full(arrays[0].shape, -1, dtype=np.int64)
    for a in arrays:
        sev = np.maximum(sev, np.array([_SEVERITY.get(x, -1) for x in a.tolist()],
                                       dtype=np.int64).reshape(a.shape))
    out = np.array(JUDGED, dtype=object)[np.clip(sev, 0, None)]
    out[sev < 0] = empty
    return out


# --------------------------------------------------------------------------- evaluation

def evaluate(indicators: pd.DataFrame, rules: Mapping[str, TargetRule] | None = None
             ) -> pd.DataFrame:
    """Status of every row of an indicators frame (region_id, year, indicator, value and the
    optional unit, target, direction columns).

    The target of a row is its own ``target`` cell when it has one, else the rule's; the
    direction is the rule's when it gives one, else the row's. A row whose target cell could
    not be read (``_bad_target``, reported by the loader) has no target: the manifest's is not
    put in its place. Returns :data:`FRAME_COLUMNS`, one row per input row, in input order.
    """
    rules = rules or {}
    n = len(indicators)
    ind = indicators["indicator"].astype("string") if n else pd.Series([], dtype="string")
    names = ind.fillna("").to_numpy(dtype=object)

    def col(name: str, dtype: str) -> pd.Series:
        if name in indicators:
            return indicators[name].reset_index(drop=True)
        return pd.Series([None] * n, dtype=dtype)

    by_name = pd.Series(names, dtype=object)
    rule_target = by_name.map({k: r.target for k, r in rules.items() if r.target is not None}) \
        .to_numpy(dtype="float64", na_value=np.nan)
    rule_dir = by_name.map({k: r.direction for k, r in rules.items() if r.direction}) \
        .to_numpy(dtype=object)
    at_risk = by_name.map({k: r.at_risk for k, r in rules.items()}).fillna(0.0) \
        .to_numpy(dtype="float64")
    own = pd.to_numeric(col("target", "float64"), errors="coerce").to_numpy(dtype="float64")
    target = np.where(np.isnan(own), rule_target, own)
    if "_bad_target" in indicators:
        target = np.where(indicators["_bad_target"].to_numpy(dtype=bool), np.nan, target)
    row_dir = col("direction", "string").astype("string")
    row_dir = row_dir.where(row_dir.isin(DIRECTIONS).fillna(False).astype(bool)) \
        .to_numpy(dtype=object, na_value=None)
    direction = np.where(pd.isna(rule_dir), row_dir, rule_dir)
    values = pd.to_numeric(col("value", "float64"), errors="coerce").to_numpy(dtype="float64")
    met, risk = bounds(target, at_risk, direction)
    return pd.DataFrame({
        "region_id": col("region_id", "string").astype("string").to_numpy(),
        "indicator": names,
        "year": pd.to_numeric(col("year", "Int64"), errors="coerce").astype("Int64").to_numpy(),
        "value": values,
        "unit": col("unit", "string").astype("string").fillna("").to_numpy(dtype=object),
        "target": target,
        "direction": np.array([x if isinstance(x, str) else "" for x in direction],
                              dtype=object),
        "at_risk": at_risk,
        "status": judge(values, met, risk, direction),
    }, columns=list(FRAME_COLUMNS))


def indicator_problems(indicators: pd.DataFrame, rules: Mapping[str, TargetRule], *,
                       files: Mapping[str, str] | None = None,
                       columns: Mapping[str, str] | None = None,
                       known: Iterable[str] | None = None) -> list[Problem]:
    """What keeps an indicator from being judged, each named with its file and lines:
    direction cells other than the two words, indicators with a target but no direction,
    and rules that name no indicator (with the nearest name).

    ``files`` maps a table id (the frame's ``_table``) to its file name for the message,
    ``columns`` a table id to the source column of ``direction``; ``known``: every indicator
    name of the workspace (a rule may be for another level's indicator), default the frame's.
    """
    files, columns = files or {}, columns or {}
    out: list[Problem] = []
    if "direction" in indicators and len(indicators):
        d = indicators["direction"].astype("string")
        bad = d.notna() & (d.str.strip() != "") & ~d.isin(DIRECTIONS)
        if bad.any():
            tables = indicators["_table"] if "_table" in indicators else \
                pd.Series("", index=indicators.index)
            for tid, rows in indicators[bad].groupby(tables[bad], sort=True):
                names = sorted(set(rows["indicator"].dropna().astype(str)))
                ruled = [x for x in names if rules.get(x) and rules[x].direction]
                fields = {"n": f"{len(rows):,}", "higher": HIGHER, "lower": LOWER}
                text = t("{n} row(s) have a direction that is neither {higher} nor {lower}; "
                         "they cannot be judged against a target (status \"no target\") unless "
                         "[targets] gives their direction", **fields) if not ruled else \
                    t("{n} row(s) have a direction that is neither {higher} nor {lower}; they "
                      "cannot be judged against a target (status \"no target\"); [targets] "
                      "gives the direction of {indicators}", indicators=", ".join(ruled),
                      **fields)
                lines = rows["_line"] if "_line" in rows else []
                out.append(problem_for_rows(
                    "warning", files.get(str(tid), str(tid) or "indicators"), text,
                    column=columns.get(str(tid), "direction"),
                    line_numbers=lines, values=rows["direction"],
                    expected=t("{higher} or {lower}", higher=HIGHER, lower=LOWER),
                    code="bad_direction"))
    judged = evaluate(indicators, rules) if len(indicators) else None
    if judged is not None:
        no_dir = judged[judged["target"].notna() & (judged["direction"] == "")]
        for name, rows in no_dir.groupby("indicator", sort=True):
            out.append(Problem(
                "warning", "workspace.toml",
                t("{n} row(s) of '{name}' have a target but no direction, so they cannot be "
                  "judged: add direction = \"{higher}\" or \"{lower}\" to {section}, or a "
                  "direction to its table", n=f"{len(rows):,}", name=str(name), higher=HIGHER,
                  lower=LOWER, section=_rule_where(name)),
                code="target_without_direction"))
    if known is None:
        known = indicators["indicator"].dropna().astype(str) if "indicator" in indicators \
            else []
    known = sorted(set(known))
    for name in rules:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            text = t("{section} names no indicator of the indicator tables; did you mean "
                     "'{near}'?", section=_rule_where(name), near=near[0]) if near else \
                t("{section} names no indicator of the indicator tables; indicators: "
                  "{indicators}", section=_rule_where(name),
                  indicators=", ".join(known[:8]) or t("none"))
            out.append(Problem("warning", "workspace.toml", text, code="unknown_indicator"))
    return out


# --------------------------------------------------------------------------- summaries

def counts(frame: pd.DataFrame, by: Sequence[str] = ("indicator", "year")) -> pd.DataFrame:
    """Number of rows in each status, one column per status (:data:`STATUSES`), by ``by``."""
    if frame.empty:
        return pd.DataFrame(columns=[*by, *STATUSES])
    table = pd.crosstab([frame[c] for c in by], frame["status"])
    return table.reindex(columns=list(STATUSES), fill_value=0).reset_index().rename_axis(
        columns=None)


def amount_text(x: float, unit: str = "") -> str:
    """A target as the rule states it, never rounded: 5 → "5%", 40000 USD → "$40,000"."""
    text = f"{abs(x):,.12g}"
    sign = "−" if x < 0 else ""
    unit = (unit or "").strip()
    if unit == "%":
        return f"{sign}{text}%"
    if unit == "USD":
        return f"{sign}${text}"
    return f"{sign}{text} {unit}" if unit else f"{sign}{text}"


def rule_text(target: float | None, direction: str, at_risk: float = 0.0, unit: str = ""
              ) -> dict[str, str]:
    """Short text of each judged status for a legend: {"met": "≤ 5%", "at risk": "5% to 6%",
    "missed": "> 6%"}; ``target`` None: in words against each region's own target."""
    lower = direction == LOWER
    le, gt = ("≤", ">") if lower else ("≥", "<")
    if target is None or (isinstance(target, float) and math.isnan(target)):
        if not at_risk:
            return {MET: t("{cmp} target", cmp=le), AT_RISK: t("no band"),
                    MISSED: t("{cmp} target", cmp=gt)}
        band = {"sign": "+" if lower else "−", "band": amount_text(at_risk, unit)}
        return {MET: t("{cmp} target", cmp=le),
                AT_RISK: t("{cmp} target {sign} {band}", cmp=le, **band),
                MISSED: t("{cmp} target {sign} {band}", cmp=gt, **band)}
    edge = target + at_risk if lower else target - at_risk
    goal, e = amount_text(target, unit), amount_text(edge, unit)
    return {MET: f"{le} {goal}",
            AT_RISK: (t("{target} to {edge}", target=goal, edge=e) if at_risk else t("no band")),
            MISSED: f"{gt} {e}"}


def rule_sentence(target: float | None, direction: str, at_risk: float = 0.0,
                  unit: str = "") -> str:
    """The rule in one sentence, as the legend and the page print it: "Lower is better: met
    ≤ 5%; at risk 5% to 6%; missed > 6%." ``target`` None: each region's own target."""
    if direction not in DIRECTIONS:
        return t("No direction (higher or lower is better): not judged.")
    parts = rule_text(target, direction, at_risk, unit)
    fields = {"met": parts[MET], "at_risk": parts[AT_RISK], "missed": parts[MISSED]}
    own = target is None
    if direction == LOWER:
        if at_risk:
            return t("Lower is better (each region's own target): met {met}; at risk {at_risk}; "
                     "missed {missed}.", **fields) if own else \
                t("Lower is better: met {met}; at risk {at_risk}; missed {missed}.", **fields)
        return t("Lower is better (each region's own target): met {met}; missed {missed}.",
                 **fields) if own else \
            t("Lower is better: met {met}; missed {missed}.", **fields)
    if at_risk:
        return t("Higher is better (each region's own target): met {met}; at risk {at_risk}; "
                 "missed {missed}.", **fields) if own else \
            t("Higher is better: met {met}; at risk {at_risk}; missed {missed}.", **fields)
    return t("Higher is better (each region's own target): met {met}; missed {missed}.",
             **fields) if own else \
        t("Higher is better: met {met}; missed {missed}.", **fields)


def _lower_first(text: str) -> str:
    """"Unemployment rate" → "unemployment rate", but "NHS miles" and "GDP" stay."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def sentence(frame: pd.DataFrame, indicator: str, year: int, *, plural: str,
             singular: str = "", rule: TargetRule | None = None, unit: str = "") -> str:
    """The Portland sentence for one indicator and year, from the evaluated rows (one per
    region; regions without a row count as no data when the caller reindexed them in).

    "14 of 48 states kept unemployment at or below 5% in 2024; 6 at risk, 28 missed; 3 with
    no data." The phrase after "kept" is the rule's ``label`` when it has one, else built from
    the indicator, the direction and the target ("their targets" when regions have their own).
    ``singular`` (the level's label) names a count of one: "1 of 1 district".
    """
    rows = frame[(frame["indicator"] == indicator) & (frame["year"] == year)]
    n = {s: int((rows["status"] == s).sum()) for s in STATUSES}
    judged = rows[rows["status"].isin(JUDGED)]
    noun = plural.lower()
    if judged.empty:
        if n[NO_DATA]:
            return t("{indicator}, {year}: none of the {n} {regions} with a target has a value.",
                     indicator=indicator, year=str(year), n=f"{n[NO_DATA]:,}", regions=noun)
        return t("{indicator}, {year}: no target set, nothing judged.", indicator=indicator,
                 year=str(year))
    dirs = set(judged["direction"])
    targets = set(judged["target"].round(12))
    if rule is not None and rule.label:
        phrase = _lower_first(rule.label)
    else:
        what = _lower_first(indicator)
        goal = amount_text(judged["target"].iloc[0], unit) if len(targets) == 1 else \
            t("their targets")
        if len(dirs) > 1:
            phrase = t("{indicator} on target", indicator=what)
        elif dirs == {LOWER}:
            phrase = t("{indicator} at or below {target}", indicator=what, target=goal)
        else:
            phrase = t("{indicator} at or above {target}", indicator=what, target=goal)
    if len(judged) == 1 and singular:
        noun = singular.lower()
    clauses = [t("{met} of {n} {regions} kept {phrase} in {year}", met=f"{n[MET]:,}",
                 n=f"{len(judged):,}", regions=noun, phrase=phrase, year=str(year))]
    rest = [(t("{n} at risk", n=f"{n[AT_RISK]:,}") if s == AT_RISK else
             t("{n} missed", n=f"{n[MISSED]:,}")) for s in (AT_RISK, MISSED) if n[s]]
    if rest:
        clauses.append(_listed(rest))
    tail = ([t("{n} with no data", n=f"{n[NO_DATA]:,}")] if n[NO_DATA] else []) + \
        ([t("{n} without a target", n=f"{n[NO_TARGET]:,}")] if n[NO_TARGET] else [])
    if tail:
        clauses.append(_listed(tail))
    return t("{sentence}.", sentence=_clauses(*clauses))


def trend(frame: pd.DataFrame, year: int, *, years: int = 5, flat: float = 0.01) -> pd.DataFrame:
    """Trend of each region × indicator over the ``years`` years up to ``year`` (inclusive).

    The least-squares line through the values of the window (two values at least) gives the
    change over the window (slope × the years between its first and last value). It is
    **flat** when that change is within ``flat`` (1 %) of the mean value's size; otherwise
    **improving** or **worsening** by the indicator's direction (**rising** / **falling**
    without one); **no trend** with fewer than two values.

    Returns region_id, indicator, trend, change (in the indicator's unit), first, last (the
    years of the first and last value used).
    """
    cols = ["region_id", "indicator", "trend", "change", "first", "last"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    lo = int(year) - int(years) + 1
    yr = pd.to_numeric(frame["year"], errors="coerce")
    w = frame[(yr >= lo) & (yr <= int(year)) & frame["value"].notna()]
    w = w.assign(x=pd.to_numeric(w["year"]).astype("float64"), y=w["value"].astype("float64"))
    keys = ["region_id", "indicator"]
    g = w.groupby(keys, sort=False)
    stats = g.agg(n=("y", "size"), mx=("x", "mean"), my=("y", "mean"), first=("x", "min"),
                  last=("x", "max"), direction=("direction", "first"))
    m = w.join(stats[["mx", "my"]], on=keys)
    m = m.assign(sxy=(m["x"] - m["mx"]) * (m["y"] - m["my"]), sxx=(m["x"] - m["mx"]) ** 2)
    sums = m.groupby(keys, sort=False)[["sxy", "sxx"]].sum()
    stats = stats.join(sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = stats["sxy"] / stats["sxx"]
    change = slope * (stats["last"] - stats["first"])
    change = change.where(stats["n"] >= 2)
    size = stats["my"].abs() * flat
    is_flat = change.abs() <= size
    up = change > 0
    lower = stats["direction"] == LOWER
    higher = stats["direction"] == HIGHER
    label = np.select(
        [change.isna(), is_flat, higher & up, higher & ~up, lower & up, lower & ~up, up],
        [NO_TREND, FLAT, IMPROVING, WORSENING, WORSENING, IMPROVING, RISING], default=FALLING)
    out = stats.assign(trend=label, change=change).reset_index()
    out["first"] = out["first"].astype("int64")
    out["last"] = out["last"].astype("int64")
    return out[cols]
