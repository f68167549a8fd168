"""The Analysis page's peer groups, peers of one region, and what money predicts (for one year
or a panel of years).

The models and their maps are :mod:`analysis.model_views`, the recipes the exports run too;
this module draws their controls, the maps, the tables and the scatter.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import AnalysisError
from analysis import model_views as MV
from analysis.frames import analysis_years, measure_options
from analysis.peers import similar_regions
from geodata.dataset import WorkspaceData
from locales import N_, t

from . import cache, state
from .analysis import _names, _refused, fmt
from .mapview import map_options, show_map
from .text import md

METHODS = MV.METHODS
PEER_RULES = {"nearest": N_("Most similar"),
              "population_band": N_("Similar population (±50%), then most similar")}
VERDICT_WORDS = {"better": N_("better than predicted"), "worse": N_("worse than predicted"),
                 "as_predicted": N_("as predicted")}
#: One year, or a panel of years (the link's ``an_panel``: "2016-2024", empty for one year).
YEAR_MODES = {"one": N_("One year"), "panel": N_("Panel of years")}
#: Years a panel spans when first chosen: up to this many, ending at the page's year.
PANEL_YEARS = 9
PEER_KEYS = ["an_year", "an_measures", "an_groups", "an_method", "an_region", "an_peer_rule",
             "an_log"]
PREDICT_KEYS = ["an_year", "an_outcome", "an_money", "an_controls", "an_log", "an_panel"]


def _weights(path: str):
    def read(level: str, kind: str, k: int, islands: str):
        return cache.analysis_weights(path, level, kind, k, islands)
    return read


def _notes(rf) -> None:
    for note in rf.notes:
        st.caption(md(str(note)))


def _stated(amap, result) -> None:
    """The map's method statement, then what the method left out and its warnings."""
    st.caption(md(amap.methodology))
    excluded = list(getattr(result, "excluded", ()) or ())
    # a panel lists one line per reason and year: many lines go into a fold
    where = st.expander(t("Left out ({n} reasons)", n=f"{len(excluded):,}")) \
        if len(excluded) > 3 else st.container()
    for ex in excluded:
        where.caption(md(t("{reason}: {n} region(s)", reason=str(ex.reason), n=f"{ex.count:,}")))
    for p in getattr(result, "problems", ()) or ():
        st.warning(md(str(p)))


def peers(data: WorkspaceData, path: str, level: str, year: int) -> bool:
    """Peer groups of the level (analysis.model_views, as every export draws them), their
    profiles and the peers of one region; False when nothing is drawn."""
    options = measure_options(data, level)
    if len(options) < 2:
        st.info(t("Peer groups need at least two measures at this level; this level has "
                  "{n}.", n=str(len(options))))
        return False
    default = [k for k in options if k.startswith("money:")][:1] + \
        [k for k in options if k.startswith("ind:")][:1] + \
        (["population"] if "population" in options else [])
    state.init_list("an_measures", default[:3] or list(options)[:2], options=list(options))
    state.init("an_groups", 5, parse=int, valid=lambda k: 2 <= int(k) <= 12)
    state.init("an_method", "kmeans", options=list(METHODS))
    state.init("an_log", True, parse=state.parse_bool)
    st.multiselect(t("Measures to compare"), list(options), key="an_measures",
                   format_func=lambda k: options[k])
    c1, c2, c3 = st.columns([1, 2, 1.6])
    c1.number_input(t("Groups"), 2, 12, key="an_groups")
    c2.radio(t("Method"), list(METHODS), key="an_method", format_func=lambda m: t(METHODS[m]),
             horizontal=True)
    c3.toggle(t("Money and population on a log scale"), key="an_log")
    keys = list(st.session_state["an_measures"])
    if not keys:
        st.info(t("Choose at least one measure."))
        return False
    names = _names(data, level)
    layer = cache.encoded_layer(path, level)
    try:
        fit = MV.fit_peers(data, level, year, measures=keys,
                           groups=int(st.session_state["an_groups"]),
                           method=st.session_state["an_method"],
                           log=bool(st.session_state["an_log"]),
                           frame=cache.analysis_frames(path), weights=_weights(path))
    except AnalysisError as exc:
        _refused(exc)
        return False
    rf, pg = fit.frame, fit.result
    _notes(rf)
    amap = MV.peers_view(fit, layer.region_ids)
    show_map(layer, amap.view, map_options(data.ws.settings), key="an_groups_map")
    if pg.silhouette is not None:
        st.caption(t("Silhouette {s} (from −1 to 1: higher means groups further apart).",
                     s=f"{pg.silhouette:.2f}"))
    profile = pd.DataFrame({t("Group"): range(1, pg.n_groups + 1)})
    profile[t("Regions")] = [int(pg.sizes.get(g, 0)) for g in range(1, pg.n_groups + 1)]
    for key in keys:
        med = rf.frame[key].groupby(pg.groups).median()
        profile[t("{measure}, median", measure=rf.labels[key])] = [
            fmt(float(med.get(g, float("nan"))), rf.units.get(key, ""))
            for g in profile[t("Group")]]
    st.dataframe(profile, hide_index=True, width="stretch")
    _stated(amap, pg)
    _peers_of_one(rf, fit.values, names, keys)
    return True


def _peers_of_one(rf, frame: pd.DataFrame, names: pd.Series, keys: list[str]) -> None:
    st.subheader(t("Regions like this one"))
    with_values = [r for r in frame.index if frame.loc[r, keys].notna().all()]
    if not with_values:
        st.info(t("No region has a value for every measure chosen."))
        return
    ordered = sorted(with_values, key=lambda r: str(names.get(r, r)))
    state.init("an_region", ordered[0], options=ordered)
    state.init("an_peer_rule", "nearest", options=list(PEER_RULES))
    c1, c2 = st.columns(2)
    c1.selectbox(t("Region"), ordered, key="an_region",
                 format_func=lambda r: f"{names.get(r, r)} ({r})")
    has_pop = "population" in rf.frame.columns
    c2.radio(t("Peers"), list(PEER_RULES) if has_pop else ["nearest"], key="an_peer_rule",
             format_func=lambda r: t(PEER_RULES[r]))
    region = st.session_state["an_region"]
    rule = st.session_state["an_peer_rule"] if has_pop else "nearest"
    try:
        peers_ = similar_regions(frame[keys], region, n=5, rule=rule,
                                 population=rf.frame["population"] if has_pop else None)
    except AnalysisError as exc:
        _refused(exc)
        return
    first = keys[0]
    st.markdown(md(str(peers_.comparison(first, region_name=str(names.get(region, region)),
                                         measure_label=rf.labels[first]))))
    rows = []
    for rid in [region, *peers_.peers.index]:
        row = {t("Region"): str(names.get(rid, rid)),
               t("Distance"): "—" if rid == region else f"{peers_.peers.loc[rid, 'distance']:.2f}"}
        for key in keys:
            row[rf.labels[key]] = fmt(float(rf.frame.loc[rid, key]), rf.units.get(key, ""))
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(md(str(peers_.method)))


def _panel_span(years: list[int], year: int) -> tuple[int, int] | None:
    """The "One year / Panel of years" choice and the span of a panel (None for one year),
    kept in the link as ``an_panel``."""
    def ok(v) -> bool:
        return v == "" or (isinstance(v, tuple) and len(v) == 2 and v[0] in years
                           and v[1] in years)

    state.init("an_panel", "", parse=lambda raw: state.parse_span(raw) if raw else "",
               valid=ok)
    current = st.session_state["an_panel"]
    if "an_panel_mode" not in st.session_state:
        st.session_state["an_panel_mode"] = "panel" if current else "one"
    c1, c2 = st.columns([1, 2])
    c1.radio(t("Years"), list(YEAR_MODES), key="an_panel_mode",
             format_func=lambda m: t(YEAR_MODES[m]), horizontal=True)
    if st.session_state["an_panel_mode"] != "panel" or len(years) < 2:
        st.session_state["an_panel"] = ""
        if st.session_state["an_panel_mode"] == "panel":
            c2.info(t("A panel needs at least two years; this level has one."))
        return None
    last = year if year in years else years[-1]
    earlier = [y for y in years if last - PANEL_YEARS < y <= last]
    default = (earlier[0], last) if len(earlier) > 1 else (years[0], years[-1])
    # the range goes to the widget as `value` (see ui.controls: a range select_slider is
    # read back as one year otherwise), so the kept state is taken out and handed over
    cur = st.session_state.pop("an_panel_span", None) or (current or default)
    if not ok(cur) or cur == "":
        cur = default
    span = c2.select_slider(t("Years of the panel"), options=years, value=tuple(cur),
                            key="an_panel_span")
    span = (int(span[0]), int(span[1]))
    c2.caption(t("A panel reads every year of its span; the sidebar's year is not used."))
    st.session_state["an_panel"] = span
    return span


def predicts(data: WorkspaceData, path: str, level: str, year: int) -> bool:
    """What money predicts, for one year or a panel of years: the fit, the residual map
    (analysis.model_views, as every export draws it) and the scatter; False when nothing is
    drawn."""
    options = measure_options(data, level)
    outcomes = [k for k in options if k.startswith("ind:")]
    money = [k for k in options if k.startswith("money:")]
    if not outcomes or not money:
        st.info(t("This needs money per resident and an outcome indicator at the same level; "
                  "this level has {money} money measure(s) and {outcomes} indicator(s).",
                  money=str(len(money)), outcomes=str(len(outcomes))))
        return False
    state.init("an_outcome", outcomes[0], options=outcomes)
    state.init("an_money", money[0], options=money)
    others = [k for k in options if k not in (st.session_state["an_outcome"],
                                               st.session_state["an_money"])]
    state.init_list("an_controls", [], options=others)
    state.init("an_log", True, parse=state.parse_bool)
    c1, c2 = st.columns(2)
    c1.selectbox(t("Outcome"), outcomes, key="an_outcome", format_func=lambda k: options[k])
    c2.selectbox(t("Money"), money, key="an_money", format_func=lambda k: options[k])
    c3, c4 = st.columns([3, 1])
    c3.multiselect(t("Controls"), others, key="an_controls", format_func=lambda k: options[k])
    c4.toggle(t("Money on a log scale"), key="an_log")
    span = _panel_span(analysis_years(data, level), year)
    outcome, money_key = st.session_state["an_outcome"], st.session_state["an_money"]
    controls_ = [k for k in st.session_state["an_controls"] if k in others]
    log = bool(st.session_state["an_log"])
    layer = cache.encoded_layer(path, level)
    try:
        with st.spinner(t("Fitting the model…")):
            fit = MV.fit_predicts(data, level, year, outcome=outcome, money=money_key,
                                  controls=controls_, log=log, panel=span,
                                  frame=cache.analysis_frames(path))
    except AnalysisError as exc:
        _refused(exc)
        return False
    res, rf = fit.result, fit.frame
    _notes(rf)
    st.warning(t("Association, not cause: regions that get more money may differ in many "
                 "other ways."), icon=":material/info:")
    coef = res.coefficients.loc[res.money_term]
    interval = t("{low} to {high}", low=f"{coef['ci_low']:.3g}", high=f"{coef['ci_high']:.3g}")
    if span is None:
        m1, m2, m3 = st.columns(3)
        m1.metric(t("R²"), f"{res.r2:.2f}")
        m2.metric(t("Regions"), f"{res.n:,}")
    else:
        m1, m2, m4, m5, m3 = st.columns([1, 1, 1.2, 1.5, 1.8])
        m1.metric(t("Within-year R²"), f"{res.r2_within:.2f}",
                  help=t("The share of each year's differences between regions that money and "
                         "the controls explain. With the year effects, R² is {r2}.",
                         r2=f"{res.r2:.2f}"))
        m2.metric(t("Regions"), f"{res.n_regions:,}")
        m4.metric(t("Rows (region-years)"), f"{res.n:,}")
        m5.metric(t("Years"), t("{first}–{last}", first=str(span[0]), last=str(span[1])),
                  help=t("{n} years with values", n=f"{res.n_years:,}"))
    m3.metric(t("Money coefficient (95% interval)"), f"{coef['coef']:.3g}", help=interval)
    amap = MV.predicts_view(fit, layer.region_ids)
    show_map(layer, amap.view, map_options(data.ws.settings), key="an_residual_map")
    table = res.coefficients.copy()
    table.index = [fit.term(i) for i in table.index]
    columns = {"coef": t("Coefficient"), "se": t("Standard error"), "ci_low": t("95% from"),
               "ci_high": t("95% to"), "p_value": t("p-value")}
    st.dataframe(table.rename(columns=columns), width="stretch")
    if res.year_effects is not None and len(res.year_effects):
        with st.expander(t("Year effects (each year's shift from {first})",
                           first=str(span[0]))):
            st.dataframe(res.year_effects.rename(columns=columns), width="stretch")
    _scatter(fit, _names(data, level))
    _stated(amap, res)
    return True


def _scatter(fit: MV.PredictsFit, names: pd.Series) -> None:
    """Every region (every region and year in a panel): money against the outcome, coloured
    by the verdict, the region (and year) on hover."""
    res, rf = fit.result, fit.frame
    index = res.observed.index
    regions = index.get_level_values(0) if fit.panel is not None else index
    if fit.panel is not None:
        year_of = index.get_level_values(1).astype(int)
        money = rf.frame.set_index("year", append=True)[fit.money].reindex(index)
    else:
        year_of = [fit.year] * len(index)
        money = rf.frame[fit.money].reindex(index)
    scatter = pd.DataFrame({"region": [str(names.get(r, r)) for r in regions],
                            "year": [str(y) for y in year_of],
                            "money": money.to_numpy(dtype=float),
                            "outcome": res.observed.to_numpy(),
                            "verdict": [t(VERDICT_WORDS.get(v, v)) for v in res.verdict]})
    st.vega_lite_chart(scatter, {
        "mark": {"type": "circle", "size": 40 if fit.panel is not None else 60},
        "encoding": {
            "x": {"field": "money", "type": "quantitative", "title": rf.labels[fit.money],
                  "scale": {"type": "log" if fit.log else "linear"}},
            "y": {"field": "outcome", "type": "quantitative", "title": rf.labels[fit.outcome]},
            "color": {"field": "verdict", "type": "nominal",
                      "title": t("Compared with the prediction")},
            "tooltip": [{"field": "region", "title": t("Region")},
                        {"field": "year", "title": t("Year")},
                        {"field": "money", "title": rf.labels[fit.money], "format": ",.0f"},
                        {"field": "outcome", "title": rf.labels[fit.outcome],
                         "format": ",.2f"}]}},
        width="stretch")
