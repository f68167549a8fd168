"""The state of a map view as plain values, to and from a URL query string.

:func:`resolve_view` turns query parameters (from a link, a saved view or the command line)
into the nearest valid :class:`ViewState` for a workspace, listing every parameter it had to
ignore and why. :func:`choices` gives the valid options for each control given the ones
before it (level → measure → table → years, agencies; indicator → year), so the sidebar
widgets and the resolver agree on what is valid.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from layers.classify import SCHEMES
from layers.palettes import palette_names
from locales import N_, t

from .dataset import MapValues, MeasureSpec, WorkspaceData

MEASURE_ORDER = ("total", "per_capita", "share", "change", "indicator")
#: The measure picker's options (message ids: show them with ``t(MEASURE_LABELS[m])``).
MEASURE_LABELS = {
    "total": N_("Total amount"),
    "per_capita": N_("Per resident"),
    "share": N_("Share of the total"),
    "change": N_("Change against the previous period"),
    "indicator": N_("Outcome indicator"),
}
#: The Analysis page's link keys (checked by :func:`_analysis_params`): the question, then the
#: settings of each question (``analysis.views.VIEW_KEYS``).
ANALYSIS_KEYS = ("an_view", "an_rule", "an_k", "an_stat", "an_w", "an_knn", "an_islands",
                 "an_alpha", "an_perm", "an_year", "an_measures", "an_groups", "an_method",
                 "an_region", "an_peer_rule", "an_log", "an_outcome", "an_money", "an_controls",
                 "an_panel", "an_ov_level", "an_ov_measure")
#: The mapped measure's keys, which the Analysis page's own link writes as ``an_level`` …;
#: a view state holds them in its ordinary fields.
ANALYSIS_MEASURE_KEYS = ("level", "measure", "table", "years", "agencies", "indicator",
                         "indicator_year", "average")
QUERY_KEYS = ("ws", "page", "level", "measure", "table", "years", "agencies", "indicator",
              "indicator_year", "average", "scheme", "k", "palette", "reverse", "breaks",
              "outliers",
              "region", "overlay", "overlays", "center", "zoom", "road_class", "condition",
              "road_layer", "ew_step", "ew_year", "ew_quarter", "ew_month", "ew_rule", "ew_map",
              "sc_level", "sc_year", "sc_money", "sc_trend", "sc_indicator") + ANALYSIS_KEYS + \
    tuple("an_" + k for k in ANALYSIS_MEASURE_KEYS)
#: The pages whose map is a status map (their own link keys, checked by
#: :func:`_performance_params`), and the link keys each one reads.
PERFORMANCE_KEYS = {
    "early_warning": ("ew_step", "ew_year", "ew_quarter", "ew_month", "ew_rule", "ew_map"),
    "scorecard": ("sc_level", "sc_year", "sc_money", "sc_trend", "sc_indicator"),
}


@dataclass(frozen=True)
class ClassSpec:
    scheme: str = "quantiles"
    k: int = 5
    palette: str = "YlGnBu"
    reverse: bool = False
    breaks: tuple[float, ...] | None = None
    centre: float | None = None


@dataclass(frozen=True)
class ViewState:
    ws: str
    level: str
    measure: str
    page: str = "one_map"
    table: str | None = None
    years: tuple[int, int] | None = None
    agencies: tuple[str, ...] = ()
    indicator: str | None = None
    indicator_year: int | None = None
    average: bool = False
    scheme: str = "quantiles"
    k: int = 5
    palette: str = "YlGnBu"
    reverse: bool = False
    breaks: str = ""
    region: str = ""
    overlay: bool = False
    # the workspace's [[overlays]] drawn over the map, in drawing order (``overlays=a|b``)
    overlays: tuple[str, ...] = ()
    center: tuple[float, float] | None = None
    zoom: float | None = None
    # outliers marked on the map (analysis.outliers.mark_outliers): "mad", "mad:3.5", "tukey",
    # "tukey:1.5"; "" = off
    outliers: str = ""
    # Roads page: road class, condition scheme and town layer (checked by exports.roads)
    road_class: str = ""
    condition: str = ""
    road_layer: str = ""
    # Early warning page: step (quarter or month), fiscal year, quarter or calendar month, rule
    ew_step: str = ""
    ew_year: int | None = None
    ew_quarter: int | None = None
    ew_month: int | None = None
    ew_rule: str = ""
    ew_map: str = ""                    # what the map shows (performance.early_warning.MAP_LABELS)
    # Scorecard page: level, year, money table, trend years and the indicator on the map
    sc_level: str = ""
    sc_year: int | None = None
    sc_money: str = ""
    sc_trend: int | None = None
    sc_indicator: str = ""
    # Analysis page (analysis.views): the question, then its settings; the mapped measure of
    # outliers and hot spots is the level, measure, table, years … above
    an_view: str = ""
    an_rule: str = ""
    an_k: float | None = None
    an_stat: str = ""                   # hot spots: "lisa" or "gi" (Getis-Ord Gi*)
    an_w: str = ""
    an_knn: int | None = None
    an_islands: str = ""
    an_alpha: float | None = None
    an_perm: int | None = None
    an_year: int | None = None
    an_measures: tuple[str, ...] = ()
    an_groups: int | None = None
    an_method: str = ""
    an_region: str = ""
    an_peer_rule: str = ""
    an_log: str = ""                    # "1" or "0": the page's default is on
    an_outcome: str = ""
    an_money: str = ""
    an_controls: tuple[str, ...] = ()
    an_panel: str = ""                  # "2016-2024", or "" for one year
    an_ov_level: str = ""
    an_ov_measure: str = ""

    def measure_spec(self) -> MeasureSpec:
        if self.measure == "indicator":
            return MeasureSpec(level=self.level, measure="indicator", indicator=self.indicator,
                               indicator_year=self.indicator_year)
        return MeasureSpec(level=self.level, measure=self.measure, table=self.table,
                           span=self.years, agencies=self.agencies or None,
                           average=self.average)

    def class_spec(self) -> ClassSpec:
        breaks, _ = parse_breaks(self.breaks) if self.scheme == "user_defined" else (None, None)
        scheme = self.scheme if (self.scheme != "user_defined" or breaks) else "quantiles"
        return ClassSpec(scheme=scheme, k=self.k, palette=self.palette, reverse=self.reverse,
                         breaks=breaks, centre=0.0 if scheme == "diverging" else None)

    def to_query(self) -> dict[str, str]:
        """Only what differs from nothing: short, stable links."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value is None or value == "" or value == () or value is False:
                continue
            if key in ("years", "center"):
                value = "-".join(str(v) for v in value) if key == "years" else \
                    ",".join(f"{v:.5f}" for v in value)
            elif key in ("agencies", "overlays", "an_measures", "an_controls"):
                value = "|".join(value)
            elif value is True:
                value = "1"
            out[key] = str(value)
        return out


#: Most breaks a user may give (each break adds a class and a legend row).
MAX_BREAKS = 20


QUOTE_CHARS = 60


def quote(raw: object) -> str:
    """A value from a link as a message quotes it: repr, cut to QUOTE_CHARS characters (a
    100 KB parameter must not become a 100 KB message)."""
    text = str(raw)
    if len(text) > QUOTE_CHARS:
        return t("{start} … ({n} characters)", start=repr(text[:QUOTE_CHARS]),
                 n=f"{len(text):,}")
    return repr(text)


def parse_breaks(text: str) -> tuple[tuple[float, ...] | None, str | None]:
    """"10, 20, 50" → (10.0, 20.0, 50.0); or an error message when invalid: not numbers,
    not finite (nan, inf, or too large for a number such as 1e309), more than
    :data:`MAX_BREAKS`, or not increasing."""
    parts = [p.strip().replace(",", "") for p in
             str(text).replace(";", " ").replace("|", " ").split()]
    parts = [p for p in parts if p]
    if not parts:
        return None, t("Enter at least one break, e.g. 10 20 50.")
    if len(parts) > MAX_BREAKS:
        return None, t("Enter at most {max} breaks; got {n}.", max=str(MAX_BREAKS),
                       n=f"{len(parts):,}")
    shown = repr(text if len(str(text)) <= 80 else str(text)[:80] + "…")
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError:
        return None, t("Breaks must be numbers separated by spaces; got {text}.", text=shown)
    bad = [p if len(p) <= 40 else p[:40] + "…" for p, v in zip(parts, vals)
           if not math.isfinite(v)]
    if bad:
        return None, t("Breaks must be finite numbers, e.g. 10 20 50; got {values} (not a "
                       "number, infinite, or beyond the largest number, about 1.8e308).",
                       values=", ".join(repr(b) for b in bad))
    if any(b <= a for a, b in zip(vals, vals[1:])):
        return None, t("Breaks must increase from left to right; got {text}.", text=shown)
    return vals, None


@dataclass(frozen=True)
class Choices:
    levels: list[str]
    measures: list[str]
    tables: list[str]
    years: list[int]
    agencies: list[str]
    indicators: list[str]
    indicator_years: list[int]
    schemes: list[str] = field(default_factory=lambda: [s for s in SCHEMES
                                                       if s != "fisher_jenks_sampled"])


def comparable_tables(data: WorkspaceData, level: str) -> list[str]:
    """The allocation tables of ``level`` with more than one year: the only ones a change
    against the previous period can be computed from."""
    out = []
    for spec in data.allocation_tables(level):
        lo, hi = data.years(spec.id)
        if hi > lo:
            out.append(spec.id)
    return out


def choices(data: WorkspaceData, level: str, measure: str | None = None,
            table: str | None = None, indicator: str | None = None,
            allowed: tuple[str, ...] | None = None) -> Choices:
    """Valid options for each control, given the choices made before it.

    "change" (against the previous period) is offered only where a table holds more than one
    year, and with it only those tables: a single year has nothing to be compared with."""
    levels = [lv.id for lv in data.ws.levels]
    tables = [spec.id for spec in data.allocation_tables(level)]
    catalogue = data.indicator_catalogue(level)
    comparable = comparable_tables(data, level) if tables else []
    measures: list[str] = []
    if tables:
        measures += ["total"] + (["per_capita"] if not data.population(level).empty else []) \
            + ["share"] + (["change"] if comparable else [])
    if catalogue:
        measures.append("indicator")
    if allowed:
        measures = [m for m in measures if m in allowed]
    if measure == "change" and comparable:
        tables = comparable
    years: list[int] = []
    agencies: list[str] = []
    tid = table if table in tables else (tables[0] if tables else None)
    if tid:
        lo, hi = data.years(tid)
        years = list(range(lo, hi + 1))
        agencies = data.agencies(tid)
    ind = indicator if indicator in catalogue else (next(iter(catalogue)) if catalogue else None)
    return Choices(levels=levels, measures=measures, tables=tables, years=years,
                   agencies=agencies, indicators=list(catalogue),
                   indicator_years=catalogue[ind]["years"] if ind else [])


def drawable_levels(data: WorkspaceData, allowed: tuple[str, ...] | None = None) -> list[str]:
    """The levels with at least one measure to map (allocations or indicators)."""
    return [lv.id for lv in data.ws.levels if choices(data, lv.id, allowed=allowed).measures]


def param(key: str, raw: object) -> str:
    """How a message names a link parameter: ``years='2030'`` (the value quoted)."""
    return f"{key}={quote(raw)}"


def _pick(params: Mapping[str, str], ignored: list, key: str, options: list | None, default,
          parse: Callable[[str], Any] = str, why: str | None = None):
    """A link's value of ``key``, parsed and checked against ``options`` (None: any), else
    ``default``; a value that is not understood or not offered is noted in ``ignored`` (with
    ``why`` when the caller knows better)."""
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        ignored.append(t("{param}: not understood", param=param(key, raw)))
        return default
    if options is not None and value not in options:
        ignored.append(why or t("{param}: not available here", param=param(key, raw)))
        return default
    return value


def resolve_view(data: WorkspaceData, params: Mapping[str, str], *,
                 allowed: tuple[str, ...] | None = None) -> tuple[ViewState, list[str]]:
    """The nearest valid view for ``params``; the second value lists what was ignored, one
    sentence per parameter in the reader's language, each starting with the parameter as the
    link wrote it (``years='2030': outside 2008–2024, the years this table holds``)."""
    ignored: list[str] = []
    ws = data.ws
    page_fields: dict = {}
    if params.get("page") in PERFORMANCE_KEYS:
        params, page_fields = _performance_params(data, params, ignored)
    elif params.get("page") == "analysis":
        params, page_fields = _analysis_params(data, params, ignored)

    def pick(key: str, options: list | None, default, parse=str, why: str | None = None):
        return _pick(params, ignored, key, options, default, parse, why)

    if params.get("ws") and params.get("ws") != ws.id:
        ignored.append(t("{param}: unknown workspace, showing {ws}",
                         param=param("ws", params["ws"]), ws=repr(ws.id)))
    levels = [lv.id for lv in ws.levels]
    level = pick("level", levels, ws.default_level or levels[0])
    ch = choices(data, level, allowed=allowed)
    if not ch.measures:
        drawable = drawable_levels(data, allowed)
        if not drawable:
            return ViewState(ws=ws.id, level=level, measure="total"), ignored
        if params.get("level"):
            ignored.append(t("{param}: nothing to map at this level",
                             param=param("level", params["level"])))
        level = drawable[0]
        ch = choices(data, level, allowed=allowed)
    no_change = None
    if params.get("measure") == "change" and "change" not in ch.measures and ch.tables:
        no_change = t("{param}: every table at this level holds one year only, so there is no "
                      "previous period to compare against", param=param("measure", "change"))
    measure = pick("measure", ch.measures, ch.measures[0], why=no_change)
    if measure == "change":
        ch = choices(data, level, measure, allowed=allowed)
    table = pick("table", ch.tables, ch.tables[0] if ch.tables else None)
    ch = choices(data, level, measure, table, params.get("indicator"), allowed=allowed)
    years = agencies = None
    indicator = indicator_year = None
    if measure == "indicator":
        indicator = pick("indicator", ch.indicators, ch.indicators[0])
        ch = choices(data, level, measure, table, indicator, allowed=allowed)
        indicator_year = pick("indicator_year", ch.indicator_years, ch.indicator_years[-1], int)
        table = None
    else:
        default_years = (ch.years[-1], ch.years[-1])
        years = pick("years", None, default_years, _parse_span)
        if years[0] not in ch.years or years[1] not in ch.years:
            ignored.append(t("{param}: outside {first}–{last}, the years this table holds",
                             param=param("years", params.get("years")),
                             first=str(ch.years[0]), last=str(ch.years[-1])))
            years = default_years
        raw_ag = params.get("agencies", "")
        agencies = tuple(a for a in raw_ag.split("|") if a) if raw_ag else ()
        bad = [a for a in agencies if a not in ch.agencies]
        if bad:
            ignored.append(t("agencies: {names} not in this table",
                             names=", ".join(repr(b) for b in bad)))
            agencies = tuple(a for a in agencies if a in ch.agencies)
    diverging_default = measure == "change"
    scheme = pick("scheme", ch.schemes, "diverging" if diverging_default else "quantiles")
    kind = "diverging" if scheme == "diverging" else "sequential"
    pals = palette_names(kind)
    palette = pick("palette", pals, "RdBu" if kind == "diverging" else "YlGnBu")
    k = pick("k", list(range(3, 10)), 5, int)
    region = params.get("region", "") or ""
    if region and region not in data.names(level):
        ignored.append(t("{param}: no such region at this level", param=param("region", region)))
        region = ""
    overlays = _pick_overlays(data, level, params.get("overlays", ""), ignored)
    center = pick("center", None, None, _parse_center)
    zoom = pick("zoom", None, None, _parse_zoom)
    vs = ViewState(
        ws=ws.id, page=params.get("page", "one_map") or "one_map", level=level, measure=measure,
        table=table, years=years, agencies=agencies or (), indicator=indicator,
        indicator_year=indicator_year, average=pick("average", [True, False], False, _parse_bool),
        scheme=scheme, k=k, palette=palette, reverse=pick("reverse", [True, False], False, _parse_bool),
        breaks=params.get("breaks", "") or "", region=region,
        outliers=pick("outliers", None, "", _parse_outliers),
        overlay=pick("overlay", [True, False], False, _parse_bool), overlays=overlays,
        center=center, zoom=zoom,
        road_class=params.get("road_class", "") or "", condition=params.get("condition", "") or "",
        road_layer=params.get("road_layer", "") or "", **page_fields)
    if vs.scheme == "user_defined" and parse_breaks(vs.breaks)[1]:
        ignored.append(t("{param}: {problem} Quantiles used.", param=param("breaks", vs.breaks),
                         problem=parse_breaks(vs.breaks)[1]))
    return vs, ignored


def performance_choices(data: WorkspaceData, params: Mapping[str, str]) -> dict[str, list]:
    """The valid values of each link key of an Early warning or Scorecard view (``page``),
    given the values before it, as the page's pickers offer them; {} when the workspace cannot
    show that page (see :func:`performance_problem`)."""
    page = params.get("page")
    if page == "early_warning":
        from performance.config import early_warning_config
        from performance.early_warning import available, steps

        cfg = early_warning_config(data.ws)
        offered = steps(data, cfg)
        if not offered:
            return {}
        step = params.get("ew_step") if params.get("ew_step") in offered else offered[0]
        have = available(data, cfg, step)
        if not have:
            return {}
        years = sorted(have)
        year = _int_or(params.get("ew_year"), years[-1])
        year = year if year in have else years[-1]
        start = data.ws.fiscal_year_start_month
        from performance.early_warning import MAP_LABELS

        maps = [m for m in MAP_LABELS if m != "execution" or cfg.plan_table]
        out: dict[str, list] = {"ew_step": offered, "ew_year": years, "ew_rule": cfg.rules(),
                                "ew_map": maps}
        if step == "quarter":
            out["ew_quarter"] = list(have[year])
        else:   # calendar months, as the page's month picker offers them
            out["ew_month"] = [(start - 1 + fm - 1) % 12 + 1 for fm in have[year]]
        return out
    if page == "scorecard":
        from performance.scorecard import scorecard_levels, scorecard_years

        levels = scorecard_levels(data)
        if not levels:
            return {}
        default = data.ws.default_level if data.ws.default_level in levels else levels[0]
        raw = params.get("sc_level") or params.get("level")
        level = raw if raw in levels else default
        years = scorecard_years(data, level)
        if not years:
            return {"sc_level": levels}
        tables = [t.id for t in data.allocation_tables(level)]
        return {"sc_level": levels, "sc_year": years,
                "sc_money": tables if len(tables) > 1 else [],
                "sc_trend": list(range(2, 11)),
                "sc_indicator": list(data.indicator_catalogue(level))}
    return {}


def _int_or(raw, default):
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return default


def performance_problem(data: WorkspaceData, page: str) -> str | None:
    """Why the workspace cannot show a status map of ``page`` (None when it can)."""
    from geodata.workspace import ManifestError

    try:
        ch = performance_choices(data, {"page": page})
    except ManifestError as exc:
        return t("the [early_warning] section of workspace.toml cannot be used: {problems}",
                 problems="; ".join(str(p) for p in exc.problems))
    except ValueError as exc:
        return str(exc)
    if page == "early_warning" and not ch:
        return t("the watched table has no quarter or month to view")
    if page == "scorecard" and not ch:
        return t("the workspace has no indicators table")
    if page == "scorecard" and "sc_year" not in ch:
        return t("no indicator value has a year")
    return None


def _performance_params(data: WorkspaceData, params: Mapping[str, str],
                        ignored: list[str]) -> tuple[dict[str, str], dict]:
    """Check the link keys of an Early warning or Scorecard view: each value not offered is
    reported and the page's default used, as the page's pickers do. Returns the link with the
    level set to the page's level, and the view state's fields. A workspace that cannot show
    the page gives a One map view (reported)."""
    page = str(params["page"])
    p = {str(k): str(v) for k, v in params.items()}
    problem = performance_problem(data, page)
    if problem:
        ignored.append(t("{param}: {problem}; showing One map", param=param("page", page),
                         problem=problem))
        p["page"] = "one_map"
        return p, {}
    fields: dict = {}

    def pick(key: str, options: list, default, parse=str):
        return _pick(p, ignored, key, options, default, parse)

    if page == "early_warning":
        from performance.config import early_warning_config

        cfg = early_warning_config(data.ws)
        ch = performance_choices(data, p)
        fields["ew_step"] = pick("ew_step", ch["ew_step"], ch["ew_step"][0])
        ch = performance_choices(data, {**p, "ew_step": fields["ew_step"]})
        fields["ew_year"] = pick("ew_year", ch["ew_year"], ch["ew_year"][-1], int)
        ch = performance_choices(data, {**p, **{k: str(v) for k, v in fields.items()}})
        period_key = "ew_quarter" if fields["ew_step"] == "quarter" else "ew_month"
        fields[period_key] = pick(period_key, ch[period_key], ch[period_key][-1], int)
        fields["ew_rule"] = pick("ew_rule", ch["ew_rule"], cfg.rule)
        fields["ew_map"] = pick("ew_map", ch["ew_map"], "status")
        level = data.ws.table(cfg.table).level
        why = t("early warning is by {level} (table {table})", level=level,
                table=repr(cfg.table))
    else:
        from performance.scorecard import default_year

        ch = performance_choices(data, p)
        levels = ch["sc_level"]
        default = data.ws.default_level if data.ws.default_level in levels else levels[0]
        level = pick("sc_level", levels, p.get("level") if p.get("level") in levels else default)
        fields["sc_level"] = level
        ch = performance_choices(data, {**p, "sc_level": level})
        if "sc_year" not in ch:
            ignored.append(t("{param}: no indicator value with a year here",
                             param=param("sc_level", level)))
            level = fields["sc_level"] = default
            ch = performance_choices(data, {**p, "sc_level": level})
        fields["sc_year"] = pick("sc_year", ch["sc_year"],
                                 default_year(data, level) or ch["sc_year"][-1], int)
        money = ch["sc_money"]
        fields["sc_money"] = pick("sc_money", money, money[0]) if money else ""
        fields["sc_trend"] = pick("sc_trend", ch["sc_trend"], 5, int)
        indicators = ch["sc_indicator"]
        chosen = pick("sc_indicator", indicators, "")
        if not chosen and indicators:       # the page's default: the first judged indicator
            from performance.scorecard import build_scorecard
            sc = build_scorecard(data, level, fields["sc_year"], table=fields["sc_money"] or None,
                                 trend_years=fields["sc_trend"])
            chosen = (list(sc.judged) or list(sc.indicators) or [""])[0]
        fields["sc_indicator"] = chosen
        why = t("the scorecard is at level {level} (sc_level)", level=repr(level))
    if p.get("level") and p["level"] != level and page == "early_warning":
        ignored.append(t("{param}: {why}", param=param("level", p["level"]), why=why))
    p["level"] = level
    return p, fields


def _analysis_params(data: WorkspaceData, params: Mapping[str, str],
                     ignored: list[str]) -> tuple[dict[str, str], dict]:
    """Check the link keys of an Analysis view (:func:`analysis.views.view_fields`: each value
    not offered is reported and the page's default used). The page's own names of the
    measure's keys (``an_level`` …) stand for the ordinary ones when those are absent.
    Returns the link with the level and measure the view draws, and the view state's
    fields."""
    from analysis.views import view_fields     # the page's options live with its recipes

    p = {str(k): str(v) for k, v in params.items()}
    for key in ANALYSIS_MEASURE_KEYS:
        if p.get("an_" + key) and not p.get(key):
            p[key] = p["an_" + key]
    return view_fields(data, p, ignored)


def overlay_choices(data: WorkspaceData, level: str) -> list[str]:
    """Ids of the overlays offered on a map of ``level`` (as the sidebar picker offers them)."""
    from .overlays import overlays_for

    return [o.id for o in overlays_for(data.ws, level)]


def _pick_overlays(data: WorkspaceData, level: str, raw: object,
                   ignored: list[str]) -> tuple[str, ...]:
    """``a|b`` → the ids offered at ``level``, in the link's order, each once; ids that are
    not offered there are reported and dropped."""
    if raw is None or raw == "":
        return ()
    asked = list(dict.fromkeys(p for p in str(raw).split("|") if p != ""))
    offered = overlay_choices(data, level)
    bad = [a for a in asked if a not in offered]
    if bad:
        shown = ", ".join(quote(b) for b in bad[:5])
        if len(bad) > 5:
            shown = t("{shown} and {n} more", shown=shown, n=f"{len(bad) - 5:,}")
        ignored.append(t("overlays: {names} not available at this level", names=shown))
    return tuple(a for a in asked if a in offered)


def with_changes(vs: ViewState, **changes) -> ViewState:
    return replace(vs, **changes)


def _parse_span(raw: str) -> tuple[int, int]:
    lo, _, hi = str(raw).partition("-")
    a, b = int(lo), int(hi or lo)
    if a > b:
        raise ValueError(raw)
    return a, b


def _parse_bool(raw: str) -> bool:
    if str(raw) in ("1", "true", "True"):
        return True
    if str(raw) in ("0", "false", "False"):
        return False
    raise ValueError(raw)


def _parse_center(raw: str) -> tuple[float, float]:
    lat, lon = (float(x) for x in str(raw).split(","))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(raw)
    return lat, lon


def _parse_outliers(raw: str) -> str:
    """``outliers=mad``, ``mad:3.5``, ``tukey`` or ``tukey:1.5``, checked by the rule's own
    parser (:func:`analysis.outliers.parse_spec`) and written as it writes it (the default k
    left out); anything else is not understood."""
    from analysis import AnalysisError
    from analysis.outliers import parse_spec, spec_text

    try:
        parsed = parse_spec(raw)
    except AnalysisError as exc:
        raise ValueError(raw) from exc
    if parsed is None:
        raise ValueError(raw)
    return spec_text(*parsed)


def _parse_zoom(raw: str) -> float:
    z = float(raw)
    if not 0 <= z <= 24:
        raise ValueError(raw)
    return z


def boundaries_only(region_ids, label: str) -> MapValues:
    """Values for a level with nothing to measure: every region "No data"."""
    idx = pd.Index(list(region_ids), name="region_id")
    none = pd.Series(np.nan, index=idx, dtype="float64")
    return MapValues(values=none, label=label, unit="", notes=(), population=none, join=None)


def colour_view(region_ids, mv: MapValues, cs: ClassSpec, selected: str | None = None):
    """Classify and colour a measure's values: the one recipe the screen and exports share.
    The subtitle names the unit in the reader's language ("USD per resident", "美元/人")."""
    from layers.choropleth import build_choropleth
    from layers.numbers import unit_label

    if mv.diverging and cs.scheme == "diverging" and mv.centre is not None:
        cs = replace(cs, centre=mv.centre)
    return build_choropleth(
        region_ids, mv.values, title=mv.label, unit=mv.unit, scheme=cs.scheme, k=cs.k,
        palette=cs.palette, reverse=cs.reverse, breaks=cs.breaks, centre=cs.centre,
        population=mv.population, subtitle=unit_label(mv.unit), notes=mv.notes,
        selected=selected)


def compose_view(data: WorkspaceData, vs: ViewState, region_ids):
    """Values and the coloured view for a view state (for exports and presentation)."""
    from .dataset import map_values

    mv = map_values(data, vs.measure_spec())
    return mv, colour_view(region_ids, mv, vs.class_spec(), vs.region or None)
