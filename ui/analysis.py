"""The Analysis page: outliers and hot spots of the mapped measure; peer groups, peers of one
region and what money predicts over a table of measures; overlapping funding of line items.

The methods live in :mod:`analysis`; this module draws their controls (kept in the URL, so a
link reopens the same analysis), their maps (:mod:`layers.analysis_maps`) and tables, and each
method's own statement of what it did.
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis import AnalysisError
from analysis import outliers as O
from analysis import spatial as S
from analysis import views as AV
from geodata.dataset import MeasureSpec, WorkspaceData
from geodata.viewstate import ANALYSIS_MEASURE_KEYS
from layers.classify import format_number
from locales import N_, t

from . import cache, controls, state
from .mapview import map_options, show_map
from .text import md

VIEWS = {"outliers": N_("Outliers"), "hotspots": N_("Hot and cold spots"),
         "peers": N_("Peer groups"), "predicts": N_("What money predicts"),
         "overlap": N_("Overlapping funding")}
RULES = {"mad": N_("Median ± k × MAD"), "tukey": N_("Tukey fences (k × IQR)")}
WEIGHTS = {"queen": N_("Queen contiguity (shared edge or corner)"),
           "rook": N_("Rook contiguity (shared edge)"),
           "knn": N_("k nearest neighbours"), "distance": N_("Distance band")}
ISLANDS = {"drop": N_("Leave them out (listed)"), "knn1": N_("Join each to its nearest region")}
STATS = {"lisa": N_("Local Moran's I (LISA clusters)"),
         "gi": N_("Getis-Ord Gi* (hot and cold spots)")}
SIDES = {"high": N_("high"), "low": N_("low")}
MAP_KEYS = ["an_view", "an_rule", "an_k", "an_stat", "an_w", "an_knn", "an_islands", "an_alpha",
            "an_perm"]
#: The sidebar's measure, as on One map, under keys of this page.
MEASURE_KEYS = ["ws", *("an_" + k for k in controls.VIEW_KEYS[1:8]), "an_average"]


def _link_aliases() -> None:
    """A saved view's or an export's link names the mapped measure as One map does (level,
    measure, …): read those as this page's keys when the link has no ``an_`` key of its own."""
    for key in ANALYSIS_MEASURE_KEYS:
        raw = st.query_params.get(key)
        if raw and not st.query_params.get("an_" + key) and "an_" + key not in st.session_state:
            st.query_params["an_" + key] = raw


def view_picker() -> str:
    _link_aliases()
    state.init("an_view", "outliers", options=list(VIEWS))
    st.segmented_control(t("Question"), list(VIEWS), key="an_view",
                         format_func=lambda v: t(VIEWS[v]), required=True)
    return st.session_state["an_view"]


def _names(data: WorkspaceData, level: str) -> pd.Series:
    b = data.boundaries(level)
    return pd.Series(b["name"].astype(str).to_numpy(), index=b["region_id"].astype(str))


def _refused(exc: AnalysisError) -> None:
    st.info(md(str(exc)), icon=":material/block:")


def _said(result) -> None:
    """A method's own statement, what it left out and its warnings."""
    st.caption(md(str(result.method)))
    for ex in getattr(result, "excluded", ()) or ():
        st.caption(md(str(ex.reason)))
    for p in getattr(result, "problems", ()) or ():
        st.warning(md(str(p)))


def mapped_measure(data: WorkspaceData, path: str):
    """The sidebar's measure (as on One map, money per resident first) and its values; None
    when there is none."""
    if "an_measure" not in st.session_state and not st.query_params.get("an_measure"):
        st.session_state["an_measure"] = "per_capita"   # reset by the control when not offered
    spec = controls.measure_controls(data, prefix="an_")
    if spec is None:
        return None
    try:
        return spec, cache.values(path, spec)
    except ValueError as exc:
        st.error(md(str(exc)))
        return None


# ------------------------------------------------------------------------------ outliers
def outliers(data: WorkspaceData, path: str, spec: MeasureSpec, mv) -> bool:
    """The outliers of the measure, its box map (analysis.views, as every export draws it)
    and the list of outliers; False when the rule cannot run."""
    state.init("an_rule", "mad", options=list(RULES))
    state.init("an_k", O.DEFAULT_K[st.session_state["an_rule"]], parse=float,
               valid=lambda k: 0 < float(k) <= AV.MAX_K)
    c1, c2 = st.columns([2, 1])
    c1.radio(t("Rule"), list(RULES), key="an_rule", format_func=lambda r: t(RULES[r]),
             horizontal=True)
    c2.number_input(t("k (how far out)"), min_value=0.5, max_value=AV.MAX_K, step=0.5,
                    key="an_k")
    names = _names(data, spec.level)
    layer = cache.encoded_layer(path, spec.level)
    try:
        found = AV.find_outliers(data, spec.level, mv, layer.region_ids,
                                 rule=st.session_state["an_rule"],
                                 k=float(st.session_state["an_k"]))
    except AnalysisError as exc:
        _refused(exc)
        return False
    res = found.result
    flagged = len(res.outliers)
    st.markdown(t("**{n} of {total} regions are outliers** of {measure}: below {low} or above "
                  "{high}.", n=f"{flagged:,}", total=f"{res.n:,}", measure=md(mv.label),
                  low=md(format_number(res.low_fence, mv.unit)),
                  high=md(format_number(res.high_fence, mv.unit))))
    show_map(layer, found.map.view, map_options(data.ws.settings), key="an_outlier_map")
    if flagged:
        table = pd.DataFrame([{t("Region"): names.get(o.id, o.id),
                               t("Value"): format_number(o.value, mv.unit),
                               t("Side"): t(SIDES[o.side]),
                               t("How far out"): f"{o.score:+.1f}"}
                              for o in sorted(res.outliers, key=lambda o: -abs(o.score))])
        st.dataframe(table, hide_index=True, width="stretch")
    _said(res)
    st.caption(md(str(found.classes.method)))
    return True


# ------------------------------------------------------------------------------ hot spots
def hotspots(data: WorkspaceData, path: str, spec: MeasureSpec, mv) -> bool:
    """Moran's I and the map of LISA clusters or Getis-Ord Gi* hot and cold spots
    (analysis.views, as every export draws it); False when a statistic cannot run."""
    state.init("an_stat", "lisa", options=list(STATS))
    state.init("an_w", "queen", options=list(WEIGHTS))
    state.init("an_knn", S.DEFAULT_K, parse=int, valid=lambda k: int(k) in AV.KNN)
    state.init("an_islands", "drop", options=list(ISLANDS))
    state.init("an_alpha", S.ALPHA, options=list(AV.ALPHAS), parse=float)
    state.init("an_perm", S.PERMUTATIONS, options=list(AV.PERMUTATIONS), parse=int)
    st.radio(t("Statistic"), list(STATS), key="an_stat", format_func=lambda s: t(STATS[s]),
             horizontal=True)
    c1, c2, c3 = st.columns([2, 1, 2])
    c1.selectbox(t("Neighbours (spatial weights)"), list(WEIGHTS), key="an_w",
                 format_func=lambda w: t(WEIGHTS[w]))
    if st.session_state["an_w"] == "knn":
        c2.number_input(t("k"), 1, 30, key="an_knn")
    c3.selectbox(t("Regions with no neighbour"), list(ISLANDS), key="an_islands",
                 format_func=lambda i: t(ISLANDS[i]))
    c4, c5 = st.columns(2)
    c4.select_slider(t("Significance level"), list(AV.ALPHAS), key="an_alpha")
    c5.select_slider(t("Permutations"), list(AV.PERMUTATIONS), key="an_perm")
    layer = cache.encoded_layer(path, spec.level)
    try:
        wr = cache.analysis_weights(path, spec.level, st.session_state["an_w"],
                                    int(st.session_state["an_knn"]),
                                    st.session_state["an_islands"])
        with st.spinner(t("Running {n} permutations…", n=f"{st.session_state['an_perm']:,}")):
            found = AV.find_hotspots(data, spec.level, mv, layer.region_ids, wr,
                                     stat=st.session_state["an_stat"],
                                     alpha=float(st.session_state["an_alpha"]),
                                     permutations=int(st.session_state["an_perm"]))
    except AnalysisError as exc:
        _refused(exc)
        return False
    moran = found.moran
    m1, m2, m3 = st.columns(3)
    m1.metric(t("Moran's I"), f"{moran.i:.3f}",
              help=t("Expected under no spatial pattern: {e}", e=f"{moran.expected_i:.3f}"))
    m2.metric(t("Pseudo p-value"), f"{moran.p_sim:.3f}",
              help=t("From {n} random permutations", n=f"{moran.permutations:,}"))
    m3.metric(t("Regions analysed"), f"{moran.n:,}")
    st.markdown(md(str(moran.reading)))
    show_map(layer, found.map.view, map_options(data.ws.settings), key="an_lisa_map")
    _said(wr)
    _said(moran)
    _said(found.local)
    return True


def level_picker(data: WorkspaceData) -> str:
    """The level of a table of measures (peer groups, what money predicts)."""
    labels = {lv.id: lv.label for lv in data.ws.levels}
    state.init("an_level", data.ws.default_level or list(labels)[0], options=list(labels))
    st.sidebar.radio(t("Level"), list(labels), key="an_level", horizontal=True,
                     format_func=lambda lv: md(labels[lv]))
    return st.session_state["an_level"]


def sidebar_years(data: WorkspaceData, level: str) -> int | None:
    from analysis.frames import analysis_years

    years = analysis_years(data, level)
    if not years:
        return None
    # the latest year with money, else the latest year of anything
    money_years = [data.years(spec.id)[1] for spec in data.allocation_tables(level)]
    default = max(money_years) if money_years else years[-1]
    state.init("an_year", default, options=years, parse=int)
    st.sidebar.selectbox(t("Year"), years, key="an_year")
    return int(st.session_state["an_year"])


def fmt(x: float, unit: str) -> str:
    return format_number(x, unit) if x is not None and math.isfinite(x) else "—"


def overlap(data: WorkspaceData, path: str):
    from . import analysis_overlap

    return analysis_overlap.overlap(data, path)


def can_map_overlap(data: WorkspaceData) -> bool:
    """Whether the overlapping-funding check of the workspace has a map (a level to map the
    flagged money by): only then is there a view to export or save."""
    return bool(AV.overlap_levels(data))
