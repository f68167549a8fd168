"""Sidebar controls shared by the pages: workspace, level, measure, years, agencies, classes.

Each control keeps its value in ``st.session_state`` under a fixed key (the same key the URL
uses), so AppTest can set it and a link can reopen it.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from geodata.dataset import MeasureSpec, WorkspaceData
from geodata.workspace import ManifestError
from layers.classify import SCHEMES, scheme_names
from layers.palettes import palette_names

from . import cache, state

MEASURE_LABELS = {
    "total": "Total amount",
    "per_capita": "Per resident",
    "share": "Share of the total",
    "change": "Change against the previous period",
    "indicator": "Outcome indicator",
}
SCHEME_LABELS = {
    "quantiles": "Quantiles (equal counts)",
    "equal_interval": "Equal intervals",
    "natural_breaks": "Natural breaks",
    "fisher_jenks_sampled": "Fisher–Jenks (sampled)",
    "user_defined": "My own breaks",
    "diverging": "Diverging around a centre",
}
VIEW_KEYS = ["ws", "level", "measure", "table", "years", "agencies", "indicator",
             "indicator_year", "scheme", "k", "palette", "reverse", "breaks", "region"]


def workspace_picker() -> WorkspaceData | None:
    """The workspace selector (sidebar, every page). Returns the loaded workspace."""
    paths = cache.workspace_paths()
    titles, broken = {}, {}
    for wid, path in paths.items():
        try:
            titles[wid] = cache.manifest(path).title
        except ManifestError as exc:
            broken[wid] = exc
    if not titles:
        st.error("No usable workspace was found. Add a folder with a workspace.toml under "
                 "geodata/workspaces/ or set FISCALMAP_WORKSPACES.")
        for wid, exc in broken.items():
            st.code(str(exc), language=None)
        return None
    ids = sorted(titles, key=lambda w: (w != "us_federal", titles[w]))
    state.init("ws", ids[0], options=ids)
    st.sidebar.selectbox("Workspace", ids, format_func=lambda w: titles[w], key="ws")
    for wid, exc in broken.items():
        st.sidebar.warning(f"Workspace '{wid}' cannot be opened: {len(exc.problems)} problem(s) "
                           "in its manifest (see Data quality).")
    return cache.load(paths[st.session_state["ws"]])


def current() -> tuple[WorkspaceData | None, str]:
    """The workspace chosen in the sidebar (by app.py), and its folder."""
    paths = cache.workspace_paths()
    wid = st.session_state.get("ws")
    if wid not in paths:
        return None, ""
    return cache.load(paths[wid]), paths[wid]


@dataclass(frozen=True)
class ClassSettings:
    scheme: str
    k: int
    palette: str
    reverse: bool
    breaks: tuple[float, ...] | None
    centre: float | None = None


def measure_controls(data: WorkspaceData, *, prefix: str = "", allowed: tuple[str, ...] | None = None,
                     container=None) -> MeasureSpec | None:
    """Level, measure, table, years, agencies and indicator widgets → a MeasureSpec."""
    sb = container or st.sidebar
    ws = data.ws
    k = lambda name: prefix + name  # noqa: E731
    levels = [lv.id for lv in ws.levels]
    labels = {lv.id: lv.label for lv in ws.levels}
    state.init(k("level"), ws.default_level or levels[0], options=levels)
    level = sb.radio("Level", levels, format_func=labels.get, key=k("level"), horizontal=True)

    tables = data.allocation_tables(level)
    catalogue = data.indicator_catalogue(level)
    has_pop = not data.population(level).empty
    measures = []
    if tables:
        measures += ["total"] + (["per_capita"] if has_pop else []) + ["share", "change"]
    if catalogue:
        measures.append("indicator")
    if allowed:
        measures = [m for m in measures if m in allowed]
    if not measures:
        sb.info(f"No allocations or indicators at the {labels[level].lower()} level.")
        return None
    state.init(k("measure"), measures[0], options=measures)
    measure = sb.selectbox("Measure", measures, format_func=MEASURE_LABELS.get, key=k("measure"))

    if measure == "indicator":
        names = list(catalogue)
        state.init(k("indicator"), names[0], options=names)
        ind = sb.selectbox("Indicator", names, key=k("indicator"))
        years = catalogue[ind]["years"]
        state.init(k("indicator_year"), years[-1], options=years, parse=int)
        year = sb.selectbox("Year", years, key=k("indicator_year")) if len(years) > 1 else years[0]
        return MeasureSpec(level=level, measure="indicator", indicator=ind, indicator_year=int(year))

    ids = [t.id for t in tables]
    tlabels = {t.id: t.display_label for t in tables}
    state.init(k("table"), ids[0], options=ids)
    table = sb.selectbox("Funding table", ids, format_func=tlabels.get, key=k("table")) \
        if len(ids) > 1 else ids[0]
    lo, hi = data.years(table)
    year_opts = list(range(lo, hi + 1))
    fy = ws.fiscal_year_label
    state.init(k("years"), (hi, hi), parse=state.parse_span)
    cur = st.session_state[k("years")]
    if not (isinstance(cur, tuple) and len(cur) == 2 and cur[0] in year_opts and cur[1] in year_opts):
        st.session_state[k("years")] = (hi, hi)
    if len(year_opts) > 1:
        span = sb.select_slider("Fiscal years", options=year_opts, key=k("years"),
                                format_func=lambda y: f"{fy}{y}")
    else:
        span = (lo, hi)
    agencies_all = data.agencies(table)
    agencies = None
    if agencies_all:
        state.init_list(k("agencies"), [], options=agencies_all)
        chosen = sb.multiselect("Agencies (none = all)", agencies_all, key=k("agencies"))
        agencies = tuple(chosen) if chosen else None
    per, average = 1, False
    if measure == "per_capita":
        state.init(k("average"), False, parse=state.parse_bool)
        if span[0] != span[1]:
            average = sb.toggle("Average per year (instead of cumulative)", key=k("average"))
    return MeasureSpec(level=level, measure=measure, table=table, span=(int(span[0]), int(span[1])),
                       agencies=agencies, per=per, average=average)


def parse_breaks(text: str) -> tuple[tuple[float, ...] | None, str | None]:
    """"10, 20, 50" → (10.0, 20.0, 50.0); returns an error message instead when invalid."""
    parts = [p.strip().replace(",", "") for p in text.replace(";", " ").replace("|", " ").split()]
    parts = [p for p in parts if p]
    if not parts:
        return None, "Enter at least one break, e.g. 10 20 50."
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError:
        return None, f"Breaks must be numbers separated by spaces; got {text!r}."
    if list(vals) != sorted(set(vals)):
        return None, "Breaks must increase from left to right."
    return vals, None


def class_controls(*, diverging: bool, prefix: str = "", container=None) -> ClassSettings:
    sb = container or st.sidebar
    k = lambda name: prefix + name  # noqa: E731
    schemes = [s for s in scheme_names() if s != "fisher_jenks_sampled"]
    default_scheme = "diverging" if diverging else "quantiles"
    state.init(k("scheme"), default_scheme, options=schemes)
    with sb.expander("Classes and colours", expanded=False):
        scheme = st.selectbox("Classification", schemes, format_func=lambda s: SCHEME_LABELS.get(s, s),
                              key=k("scheme"), help=SCHEMES[default_scheme].description
                              if default_scheme in SCHEMES else None)
        state.init(k("k"), 5, parse=int)
        if not 3 <= int(st.session_state[k("k")]) <= 9:
            st.session_state[k("k")] = 5
        breaks = None
        if scheme == "user_defined":
            state.init(k("breaks"), "")
            text = st.text_input("Breaks (upper bounds, space-separated)", key=k("breaks"),
                                 placeholder="e.g. 1000 5000 20000")
            breaks, err = parse_breaks(text) if text.strip() else (None, "Enter your breaks.")
            if err:
                st.warning(err + " Showing quantiles meanwhile.")
                scheme = "quantiles"
        n = st.slider("Number of classes", 3, 9, key=k("k"),
                      disabled=scheme == "user_defined")
        kind = "diverging" if scheme == "diverging" else "sequential"
        pals = palette_names(kind)
        default_pal = "RdBu" if kind == "diverging" else "YlGnBu"
        state.init(k("palette"), default_pal, options=pals)
        if st.session_state[k("palette")] not in pals:
            st.session_state[k("palette")] = default_pal
        palette = st.selectbox("Palette (colour-blind safe)", pals, key=k("palette"))
        state.init(k("reverse"), False, parse=state.parse_bool)
        reverse = st.toggle("Reverse colours", key=k("reverse"))
    return ClassSettings(scheme=scheme, k=int(n), palette=palette, reverse=bool(reverse),
                         breaks=breaks, centre=0.0 if scheme == "diverging" else None)
