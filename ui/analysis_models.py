"""The Analysis page's peer groups, peers of one region, and what money predicts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis import AnalysisError
from analysis.frames import measure_options
from analysis.peers import peer_groups, similar_regions
from analysis.regression import money_predicts
from geodata.dataset import WorkspaceData
from layers.analysis_maps import group_view, verdict_view
from layers.classify import format_number
from locales import N_, t

from . import cache, state
from .analysis import _names, _refused, _said, fmt
from .mapview import map_options, show_map
from .text import md

METHODS = {"kmeans": N_("k-means on standardised values"),
           "regions": N_("Neighbours together (spatially constrained)")}
PEER_RULES = {"nearest": N_("Most similar"),
              "population_band": N_("Similar population (±50%), then most similar")}
VERDICT_WORDS = {"better": N_("better than predicted"), "worse": N_("worse than predicted"),
                 "as_predicted": N_("as predicted")}
PEER_KEYS = ["an_year", "an_measures", "an_groups", "an_method", "an_region", "an_peer_rule",
             "an_log"]
PREDICT_KEYS = ["an_year", "an_outcome", "an_money", "an_controls", "an_log", "an_panel"]


def _frame(path: str, level: str, year: int, keys: list[str]):
    rf = cache.analysis_frame(path, level, year, tuple(keys))
    for note in rf.notes:
        st.caption(md(str(note)))
    return rf


def _logged(rf, log: bool) -> pd.DataFrame:
    """Money per resident on a log scale when asked (heavy tails: one tiny county with a
    large grant would otherwise make a group of its own)."""
    frame = rf.frame.copy()
    if log:
        for key in frame.columns:
            if key.startswith("money:") or key in ("population", "density"):
                frame[key] = np.log10(frame[key].where(frame[key] > 0))
    return frame


def peers(data: WorkspaceData, path: str, level: str, year: int) -> None:
    options = measure_options(data, level)
    if len(options) < 2:
        st.info(t("Peer groups need at least two measures at this level; this level has "
                  "{n}.", n=str(len(options))))
        return
    default = [k for k in options if k.startswith("money:")][:1] + \
        [k for k in options if k.startswith("ind:")][:1] + \
        (["population"] if "population" in options else [])
    state.init_list("an_measures", default[:3] or list(options)[:2], options=list(options))
    state.init("an_groups", 5, parse=int, valid=lambda k: 2 <= int(k) <= 12)
    state.init("an_method", "kmeans", options=list(METHODS))
    state.init("an_log", True, parse=state.parse_bool)
    st.multiselect(t("Measures to compare"), list(options), key="an_measures",
                   format_func=lambda k: options[k])
    c1, c2, c3 = st.columns([1, 2, 1])
    c1.number_input(t("Groups"), 2, 12, key="an_groups")
    c2.radio(t("Method"), list(METHODS), key="an_method", format_func=lambda m: t(METHODS[m]),
             horizontal=True)
    c3.toggle(t("Money and population on a log scale"), key="an_log")
    keys = list(st.session_state["an_measures"])
    if not keys:
        st.info(t("Choose at least one measure."))
        return
    rf = _frame(path, level, year, keys)
    frame = _logged(rf, bool(st.session_state["an_log"]))
    names = _names(data, level)
    connectivity = None
    if st.session_state["an_method"] == "regions":
        connectivity = cache.analysis_weights(path, level, "queen", 5, "drop").w
    try:
        pg = peer_groups(frame, k=int(st.session_state["an_groups"]),
                         method=st.session_state["an_method"], connectivity=connectivity)
    except AnalysisError as exc:
        _refused(exc)
        return
    labels = [t("Group {n} ({size} regions)", n=str(g), size=f"{int(pg.sizes.get(g, 0)):,}")
              for g in range(1, pg.n_groups + 1)]
    layer = cache.encoded_layer(path, level)
    view = group_view(layer.region_ids, pg.groups, labels, title=t("Peer groups"),
                      subtitle=t(METHODS[st.session_state["an_method"]]))
    show_map(layer, view, map_options(data.ws.settings), key="an_groups_map")
    if pg.silhouette is not None:
        st.caption(t("Silhouette {s} (from −1 to 1: higher means groups further apart).",
                     s=f"{pg.silhouette:.2f}"))
    profile = pd.DataFrame({t("Group"): range(1, pg.n_groups + 1)})
    profile[t("Regions")] = [int(pg.sizes.get(g, 0)) for g in range(1, pg.n_groups + 1)]
    for key in keys:
        med = rf.frame[key].groupby(pg.groups).median()
        profile[t("{measure}, median", measure=rf.labels[key])] = [
            fmt(float(med.get(g, np.nan)), rf.units.get(key, "")) for g in profile[t("Group")]]
    st.dataframe(profile, hide_index=True, width="stretch")
    _said(pg)
    _peers_of_one(rf, frame, names, keys)


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


def _term(term: str, labels: dict[str, str]) -> str:
    """A model term in words: the intercept, a measure, or the log of one."""
    if term == "intercept":
        return t("Intercept")
    if term.startswith("log(") and term.endswith(")") and term[4:-1] in labels:
        return t("log of {measure}", measure=labels[term[4:-1]])
    return labels.get(term, term)


def predicts(data: WorkspaceData, path: str, level: str, year: int) -> None:
    options = measure_options(data, level)
    outcomes = [k for k in options if k.startswith("ind:")]
    money = [k for k in options if k.startswith("money:")]
    if not outcomes or not money:
        st.info(t("This needs money per resident and an outcome indicator at the same level; "
                  "this level has {money} money measure(s) and {outcomes} indicator(s).",
                  money=str(len(money)), outcomes=str(len(outcomes))))
        return
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
    outcome, money_key = st.session_state["an_outcome"], st.session_state["an_money"]
    controls_ = [k for k in st.session_state["an_controls"] if k in others]
    rf = _frame(path, level, year, [outcome, money_key, *controls_])
    direction = data.indicator_catalogue(level).get(outcome[4:], {}).get("direction", "")
    higher_is_better = direction != "lower_is_better"
    try:
        res = money_predicts(rf.frame, outcome=outcome, money=money_key, controls=controls_,
                             log_money=bool(st.session_state["an_log"]),
                             higher_is_better=higher_is_better)
    except AnalysisError as exc:
        _refused(exc)
        return
    st.warning(t("Association, not cause: regions that get more money may differ in many "
                 "other ways."), icon=":material/info:")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("R²"), f"{res.r2:.2f}")
    m2.metric(t("Regions"), f"{res.n:,}")
    coef = res.coefficients.loc[res.money_term]
    m3.metric(t("Money coefficient (95% interval)"), f"{coef['coef']:.3g}",
              help=t("{low} to {high}", low=f"{coef['ci_low']:.3g}",
                     high=f"{coef['ci_high']:.3g}"))
    names = _names(data, level)
    layer = cache.encoded_layer(path, level)
    unit = rf.units.get(outcome, "")
    text = pd.Series({r: t("{observed} observed, {predicted} predicted",
                           observed=format_number(res.observed[r], unit),
                           predicted=format_number(res.fitted[r], unit))
                      for r in res.residual.index})
    view = verdict_view(layer.region_ids, res.verdict, title=rf.labels[outcome],
                        subtitle=t("Better or worse than predicted for the money received"),
                        value_text=text)
    show_map(layer, view, map_options(data.ws.settings), key="an_residual_map")
    table = res.coefficients.copy()
    table.index = [_term(i, rf.labels) for i in table.index]
    st.dataframe(table.rename(columns={"coef": t("Coefficient"), "se": t("Standard error"),
                                       "ci_low": t("95% from"), "ci_high": t("95% to"),
                                       "p_value": t("p-value")}), width="stretch")
    scatter = pd.DataFrame({"region": [str(names.get(r, r)) for r in res.observed.index],
                            "money": rf.frame.loc[res.observed.index, money_key].to_numpy(),
                            "outcome": res.observed.to_numpy(),
                            "verdict": [t(VERDICT_WORDS.get(v, v)) for v in res.verdict]})
    st.vega_lite_chart(scatter, {
        "mark": {"type": "circle", "size": 60},
        "encoding": {
            "x": {"field": "money", "type": "quantitative", "title": rf.labels[money_key],
                  "scale": {"type": "log" if st.session_state["an_log"] else "linear"}},
            "y": {"field": "outcome", "type": "quantitative", "title": rf.labels[outcome]},
            "color": {"field": "verdict", "type": "nominal", "title": t("Compared with the "
                                                                        "prediction")},
            "tooltip": [{"field": "region", "title": t("Region")},
                        {"field": "money", "title": rf.labels[money_key], "format": ",.0f"},
                        {"field": "outcome", "title": rf.labels[outcome], "format": ",.2f"}]}},
        width="stretch")
    _said(res)
