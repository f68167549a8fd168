"""The Per capita page's controls and where the reader is (``ui.per_capita_maps`` draws).

``pages/per_capita.py`` is the list of steps: :func:`setup` reads the sidebar and computes the
values of the view (:class:`PerCapita`), :func:`header` shows where the reader is, and the
maps module draws the view chosen.

A drill-down keeps the funding table: a region of a level is opened only where the same table
has figures one level down; otherwise the page says so and stays. The view before the first
drill-down is kept, and "Back" restores it as it was.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd
import streamlit as st

from geodata import measures as M
from geodata import per_capita_view as V
from geodata.dataset import MapValues, MeasureSpec, WorkspaceData
from layers.palettes import palette_names
from locales import N_, t

from . import cache, controls, overlays, state
from .text import md

PC_KEYS = ["ws", "pc_level", "pc_parent", "pc_table", "pc_years", "pc_year", "pc_agencies",
           "pc_per", "pc_average", "pc_relative", "pc_fixed", "pc_small", "pc_flag", "pc_scheme",
           "pc_k", "pc_palette", "pc_view", "pc_from", "pc_to", "pc_change", "pc_cmp", "pc_left",
           "pc_right", "pc_overlays", "pc_outliers", "pc_3d", "pc_3d_year", "pc_awards"]
VIEWS = {"time": N_("Over time"), "change": N_("Change between two years"),
         "compare": N_("Side by side")}
FLAG_LABELS = {"note": N_("Noted in the tooltip"), "grey": N_("In grey, as a class of their own")}
PER_LABELS = {"auto": N_("Automatic"), "1": N_("Per resident"), "1000": N_("Per 1,000 residents")}
SCHEMES = {"auto": N_("Automatic (box map when there are outliers)"),
           "quantiles": N_("Quantiles (equal counts)"), "equal_interval": N_("Equal intervals"),
           "natural_breaks": N_("Natural breaks"), "box_map": N_("Box map (outliers apart)"),
           "percentiles": N_("Percentiles (1, 10, 50, 90, 99)"),
           "head_tail": N_("Head/tail breaks")}
#: The classifications that set their own classes (the number of classes is not used).
OWN_CLASSES = ("box_map", "percentiles", "head_tail")
COMPARE = {"years": N_("Two years"), "tables": N_("Two funding tables"),
           "agencies": N_("Two agencies")}
_FIRST = "_pc_first_view"          # the view before the first drill-down ("Back" restores it)
_PENDING = "_pc_pending"           # a drill-down asked for by a map click (applied next run)
_NO_DRILL = "_pc_no_drill"         # a region picked where the table has no figures below
_SELECTED = "_pc_selected"         # a region clicked where there is nothing to drill into


class _Frames(dict):
    """The values of each year of the span, read when a view first asks for a year (the
    change and side-by-side views need two, the map of one year in shared classes all)."""

    def __init__(self, path: str, spec: MeasureSpec):
        super().__init__()
        self.path, self.spec = path, spec

    def __missing__(self, year: int) -> MapValues:
        mv = self[year] = cache.values(self.path, replace(self.spec, span=(year, year),
                                                          average=False))
        return mv


@dataclass
class PerCapita:
    """Everything the page's views draw from, read once per run."""
    data: WorkspaceData
    path: str
    level: str
    parent: str
    table: str
    table_label: str
    span: tuple[int, int]
    year_opts: list[int]
    agencies_all: list[str]
    spec: MeasureSpec
    mv: MapValues
    per: int
    small: int
    flag: str
    relative: bool
    fixed: bool
    scheme: str
    k: int
    palette: str
    outliers: str                   # "Mark outliers" as link text ("mad", "tukey:1.5"; "" off)
    overlay_json: str | None
    drawn: list
    layer: object
    names: dict[str, str]
    frames: _Frames
    drill_to: str | None
    child: str | None
    notes_shown: set = field(default_factory=set)
    _seen: dict = field(default_factory=dict, repr=False)

    @property
    def ws(self):
        return self.data.ws

    @cached_property
    def ids(self) -> list[str]:
        return list(self.layer.region_ids)

    @cached_property
    def _index(self) -> pd.Index:
        return pd.Index(self.ids)

    @property
    def years(self) -> list[int]:
        return list(range(self.span[0], self.span[1] + 1))

    @property
    def money(self) -> str:
        return self.ws.table(self.table).unit or self.ws.currency

    @property
    def rate(self) -> str:
        return V.rate_text(self.per)

    def year(self, y: int) -> str:
        return V.year_text(self.ws.fiscal_year_label, y)

    def span_label(self, span: tuple[int, int] | None = None) -> str:
        return V.span_text(self.ws.fiscal_year_label, span or self.span)

    def place(self) -> str:
        return self.names_of(self.ws.level(self.level).parent_level).get(self.parent, "") \
            if self.parent else ""

    def names_of(self, level: str | None) -> dict[str, str]:
        return self.data.names(level) if level else {}

    def values(self, mv: MapValues) -> pd.Series:
        """The rates of ``mv`` for the regions shown, in the map's order."""
        return self._aligned(mv, "values")

    def population(self, mv: MapValues) -> pd.Series:
        return self._aligned(mv, "population")

    def _aligned(self, mv: MapValues, what: str) -> pd.Series:
        # every view asks for the same frames several times in a run: aligned once each
        key = (id(mv), what)
        if key not in self._seen:
            self._seen[key] = (mv, getattr(mv, what).reindex(self._index))
        return self._seen[key][1]

    def overall(self, mv: MapValues, span: tuple[int, int], average: bool = False) -> float:
        """The rate of all the regions shown (a state's counties after a drill-down)."""
        if not self.parent:
            return float(mv.overall) if mv.overall is not None else float("nan")
        return M.overall_rate(mv.amounts_by_year, self.data.population(self.level), span,
                              average=average, per=self.per, region_ids=self.ids)

    def flags(self, mv: MapValues) -> pd.Series | None:
        return M.small_population(self.population(mv), self.small) if self.small else None


# ------------------------------------------------------------------ drill-down state
def _snapshot() -> dict:
    return {k: st.session_state[k] for k in PC_KEYS if k != "ws" and k in st.session_state}


def _drill(level: str, region: str, before: dict | None = None) -> None:
    """Open ``region``'s children at ``level`` (from a callback: before the widgets);
    ``before`` is the view to come back to (the current one by default)."""
    if not st.session_state.get("pc_parent"):
        st.session_state[_FIRST] = before if before is not None else _snapshot()
    st.session_state.update(pc_level=level, pc_parent=region)
    st.session_state.pop(_NO_DRILL, None)
    st.session_state.pop(_SELECTED, None)


def _back(level: str) -> None:
    first = st.session_state.pop(_FIRST, None)
    st.session_state.pop(_SELECTED, None)
    if first and first.get("pc_level") == level:
        st.session_state.update(first)
    else:
        st.session_state.update(pc_level=level, pc_parent="")


def _picked(child: str | None, drill_to: str | None) -> None:
    region = st.session_state.get("pc_drill") or ""
    st.session_state["pc_drill"] = ""
    if not region:
        return
    if drill_to:
        _drill(drill_to, region)
    else:
        st.session_state[_NO_DRILL] = region


def _switch_and_drill(table: str, level: str, region: str) -> None:
    """The reader chose another funding table to open a region: "Back" still returns to the
    view (and table) they started from."""
    before = _snapshot()
    st.session_state["pc_table"] = table
    _drill(level, region, before)


def apply_pending() -> None:
    """A drill-down asked for by a click on the last run: applied before any widget."""
    pending = st.session_state.pop(_PENDING, None)
    if pending:
        _drill(*pending)


# ------------------------------------------------------------------ sidebar
def _span_widget(sb, year_opts: list[int], fy: str) -> tuple[int, int]:
    """The span of fiscal years (all of them by default). A span the table does not have falls
    back to all years, reported only when the reader's link asked for it."""
    lo, hi = year_opts[0], year_opts[-1]

    def ok(v) -> bool:
        return isinstance(v, (tuple, list)) and len(v) == 2 and v[0] in year_opts \
            and v[1] in year_opts and v[0] <= v[1]

    state.init("pc_years", (lo, hi), parse=state.parse_span, valid=ok)
    if len(year_opts) == 1:
        sb.caption(t("Fiscal year: {year} (the only year in this table)",
                     year=md(V.year_text(fy, lo))))
        return lo, hi
    # The range goes to the widget as its value, not through the session state: a range
    # select_slider whose value came only from the session state reads back a single year.
    cur = tuple(st.session_state.pop("pc_years"))
    span = sb.select_slider(t("Fiscal years"), options=year_opts, value=cur, key="pc_years",
                            format_func=lambda y: md(V.year_text(fy, y)),
                            help=t("The years the ranking adds up and the maps step through"))
    return int(span[0]), int(span[1])


def _flag(raw: str) -> str:
    """Links made before the map component said "hatch" or "none": both now mean a note."""
    return "note" if raw in ("hatch", "none") else raw


def setup(data: WorkspaceData, path: str) -> PerCapita | None:
    """Read the sidebar and the drill-down state; compute the values. None when this
    workspace has nothing to show per resident (the page then says why)."""
    ws = data.ws
    sb = st.sidebar
    levels = V.per_capita_levels(data)
    if not levels:
        st.title(t("Per resident"))
        st.info(t("This workspace has no level with both funding and population, so there is "
                  "no per-resident view. Add a population table for a level that has funding."))
        return None
    apply_pending()
    state.init("pc_view", "time", options=list(VIEWS))
    sb.radio(t("View"), list(VIEWS), format_func=lambda v: t(VIEWS[v]), key="pc_view")
    default_level = ws.default_level if ws.default_level in levels else levels[0]
    state.init("pc_level", default_level, options=levels)
    state.init("pc_parent", "")
    level = st.session_state["pc_level"]
    lv = ws.level(level)
    parent = st.session_state["pc_parent"]
    if parent and (not lv.parent_level or parent not in data.names(lv.parent_level)):
        parent = st.session_state["pc_parent"] = ""
    sb.radio(t("Level"), levels, format_func=lambda i: md(ws.level(i).label), key="pc_level",
             horizontal=True, on_change=lambda: st.session_state.update(pc_parent=""))

    tables = data.allocation_tables(level)
    tids = [s.id for s in tables]
    tlabels = {s.id: s.display_label for s in tables}
    state.init("pc_table", tids[0], options=tids)
    table = sb.selectbox(t("Funding table"), tids, format_func=tlabels.get, key="pc_table")
    child = V.child_level(data, level)
    drill_to = V.drill_level(data, level, table)
    names = data.names(level)
    if child and not parent:
        sb.selectbox(t("Show the {regions} of", regions=md(ws.level(child).plural.lower())),
                     [""] + sorted(names, key=names.get), key="pc_drill",
                     format_func=lambda r: names.get(r, "") if r else t("— pick one, or click the map —"),
                     on_change=_picked, args=(child, drill_to))

    lo, hi = data.years(table)
    fy = ws.fiscal_year_label
    span = _span_widget(sb, list(range(lo, hi + 1)), fy)
    agencies_all = data.agencies(table)
    agencies = None
    if agencies_all:
        state.init_list("pc_agencies", [], options=agencies_all)
        agencies = tuple(sb.multiselect(t("Agencies (none = all)"), agencies_all,
                                        key="pc_agencies")) or None
    state.init("pc_average", False, parse=state.parse_bool)
    average = sb.toggle(t("Average per year (instead of the sum over the years)"),
                        key="pc_average", disabled=span[0] == span[1])
    average = bool(average and span[0] != span[1])
    state.init("pc_per", "auto", options=list(PER_LABELS))
    per_choice = sb.radio(t("Rate"), list(PER_LABELS), format_func=lambda p: t(PER_LABELS[p]),
                          key="pc_per", horizontal=True,
                          help=t("Automatic uses per 1,000 residents when the typical rate is "
                                 "under one unit per resident"))

    with sb.expander(t("Honest rates and classes"), expanded=False):
        state.init("pc_small", 5000, parse=int)
        if int(st.session_state["pc_small"]) < 0:
            st.session_state["pc_small"] = 5000
        small = st.number_input(t("Flag regions with fewer residents than"), min_value=0,
                                step=1000, key="pc_small",
                                help=t("Rates of small populations are unstable"))
        state.init("pc_flag", "note", options=list(FLAG_LABELS), parse=_flag)
        flag = st.radio(t("Show flagged regions"), list(FLAG_LABELS),
                        format_func=lambda f: t(FLAG_LABELS[f]), key="pc_flag")
        state.init("pc_relative", False, parse=state.parse_bool)
        relative = st.toggle(t("Difference from the overall rate"), key="pc_relative",
                             help=t("Colours centred on the overall rate of the regions shown, "
                                    "not on zero"))
        state.init("pc_fixed", True, parse=state.parse_bool)
        fixed = st.toggle(t("Same classes in every year"), key="pc_fixed",
                          help=t("On: the classes come from all years of the span together, so "
                                 "a colour means the same amount in every year. Off: each year "
                                 "is classified on its own."))
        state.init("pc_scheme", "auto", options=list(SCHEMES))
        scheme = st.selectbox(t("Classification"), list(SCHEMES),
                              format_func=lambda s: t(SCHEMES[s]), key="pc_scheme",
                              help=t("Automatic: with the same classes in every year, a box map "
                                     "when the rates of the span have outliers (median ± 3.5·MAD, "
                                     "on the log scale for money spread over two orders of "
                                     "magnitude), so that one region does not flatten the "
                                     "others; quantiles otherwise."))
        state.init("pc_k", 5, parse=int)
        if not 3 <= int(st.session_state["pc_k"]) <= 9:
            st.session_state["pc_k"] = 5
        k = int(st.slider(t("Number of classes"), 3, 9, key="pc_k",
                          disabled=scheme in OWN_CLASSES,
                          help=t("This classification sets its own classes.")
                          if scheme in OWN_CLASSES else None))
        outliers = controls.outlier_controls(key="pc_outliers", container=st)
        pals = palette_names("diverging" if relative else "sequential")
        default_pal = "RdBu" if relative else "YlGnBu"
        state.init("pc_palette", default_pal, options=pals)
        if st.session_state["pc_palette"] not in pals:
            st.session_state["pc_palette"] = default_pal
        palette = st.selectbox(t("Palette (colour-blind safe)"), pals, key="pc_palette")
    drawn = overlays.overlay_picker(data, path, level, key="pc_overlays")

    spec = MeasureSpec(level=level, measure="per_capita", table=table, span=span,
                       agencies=agencies, per=1, average=average)
    try:
        mv = cache.values(path, spec)
        per = int(per_choice) if per_choice != "auto" else M.suggest_per(mv.values)
        if per != 1:
            spec = replace(spec, per=per)
            mv = cache.values(path, spec)
        frames = _Frames(path, spec)
    except ValueError as exc:
        st.error(md(str(exc)))
        return None
    layer = cache.encoded_children(path, level, parent) if parent else \
        cache.encoded_layer(path, level)
    return PerCapita(
        data=data, path=path, level=level, parent=parent, table=table,
        table_label=tlabels[table], span=span, year_opts=list(range(lo, hi + 1)),
        agencies_all=agencies_all, spec=spec, mv=mv, per=per, small=int(small), flag=flag,
        relative=bool(relative), fixed=bool(fixed), scheme=scheme, k=k, palette=palette,
        outliers=outliers,
        overlay_json=overlays.payload(drawn), drawn=drawn, layer=layer, names=names,
        frames=frames, drill_to=drill_to, child=child)


# ------------------------------------------------------------------ header
def header(pc: PerCapita) -> str:
    """The page's title, the way back after a drill-down, the sentences a drill-down or a link
    left. Returns the view chosen in the sidebar."""
    ws = pc.ws
    lv = ws.level(pc.level)
    if pc.parent:
        up = ws.level(lv.parent_level)
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.title(t("Per resident"))
        c2.button(t("⬆ Back to all {regions}", regions=md(up.plural.lower())), key="pc_up",
                  on_click=_back, args=(lv.parent_level,), width="stretch")
    else:
        st.title(t("Per resident"))
    _no_drill_sentence(pc)
    state.show_ignored()
    # imported here: the deck views read the maps module, which imports this one
    from .deck_view import per_capita_section
    per_capita_section(pc)
    return st.session_state["pc_view"]


def _no_drill_sentence(pc: PerCapita) -> None:
    region = st.session_state.get(_NO_DRILL)
    if not region or pc.parent or region not in pc.names or pc.child is None:
        st.session_state.pop(_NO_DRILL, None)
        return
    ws = pc.ws
    below = ws.level(pc.child)
    st.info(t("{table} has no figures by {level}, so the {regions} of {place} cannot be shown "
              "with it; the map stays on all {here}.", table=md(pc.table_label),
              level=md(below.label.lower()), regions=md(below.plural.lower()),
              place=md(pc.names[region]), here=md(ws.level(pc.level).plural.lower())))
    labels = {s.id: s.display_label for s in pc.data.allocation_tables(pc.level)}
    for other in V.tables_below(pc.data, pc.level)[:2]:
        st.button(t("Show the {regions} of {place} in {table}", regions=md(below.plural.lower()),
                    place=md(pc.names[region]), table=md(labels[other])),
                  key=f"pc_switch_{other}", on_click=_switch_and_drill,
                  args=(other, pc.child, region))
