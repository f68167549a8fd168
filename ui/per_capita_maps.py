"""The Per capita page's maps and tables: one year of a span with a year slider (and Play),
the change between two years, two maps side by side; the ranking, change and movers tables.

Every map is the app's own map component (:func:`ui.map_component.fiscal_map`): it keeps the
shapes across reruns, so a new year sends only values, and the year slider with its map runs
as a fragment of the page (the ranking below is not computed again for it).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from geodata import measures as M
from geodata import per_capita_view as V
from geodata.dataset import MapValues, MeasureSpec, vintage_note
from geodata.figures import KeyFigures, key_figures
from geodata.files import csv_bytes
from layers.choropleth import ChoroplethView, build_choropleth
from layers.classify import classify, format_number
from layers.frames import frame_views, mark_small
from layers.map_payload import MapOptions
from locales import t

from . import auth, cache, overlays, state
from . import figures as shown
from .map_component import fiscal_map
from .mapview import map_options
from .one_map import outlier_list
from .per_capita import (_NO_DRILL, _PENDING, _SELECTED, COMPARE, OWN_CLASSES, PC_KEYS,
                         PER_LABELS, SCHEMES, PerCapita, _snapshot)
from .text import md, md_number

PLAY_SECONDS = 1.2
_PLAYING, _TIMER, _STARTED = "_pc_playing", "_pc_timer", "_pc_started"


def _clicked(pc: PerCapita, region: str | None) -> None:
    """A region clicked on a map: drill down, say why not, or select it."""
    if not region or region not in pc.names:
        return
    if pc.drill_to and not pc.parent:
        st.session_state[_PENDING] = (pc.drill_to, region, _snapshot())
    elif pc.child and not pc.parent:
        st.session_state[_NO_DRILL] = region
    else:
        st.session_state[_SELECTED] = region
    st.rerun()


def _heading(pc: PerCapita, span: tuple[int, int]) -> None:
    """"{table} per resident, FY2024" (the years left out when the table's name has them, as
    in "Federal grants by county, FY2022")."""
    what, place = md(pc.table_label), md(pc.place())
    fy = pc.ws.fiscal_year_label
    as_named = f"{fy}{span[0]}" if span[0] == span[1] else f"{fy}{span[0]}–{fy}{span[1]}"
    when = "" if as_named in pc.table_label else pc.span_label(span)
    if place:
        text = t("{what} {rate} in {place}, {when}", what=what, rate=pc.rate, place=place,
                 when=md(when)) if when else t("{what} {rate} in {place}", what=what,
                                               rate=pc.rate, place=place)
    else:
        text = t("{what} {rate}, {when}", what=what, rate=pc.rate, when=md(when)) if when \
            else t("{what} {rate}", what=what, rate=pc.rate)
    st.subheader(text)


# ------------------------------------------------------------------ maps
def _options(pc: PerCapita, **kw) -> MapOptions:
    return map_options(pc.ws.settings, **kw)


def _unit_line(pc: PerCapita, centre: float | None = None) -> str:
    unit = t("{money} {rate}", money=pc.money, rate=pc.rate)
    if centre is None:
        return unit
    return t("{unit} · white = overall rate {rate}", unit=unit,
             rate=format_number(centre, pc.money))


def _marked(pc: PerCapita, view: ChoroplethView, mv: MapValues) -> ChoroplethView:
    flags = pc.flags(mv)
    if flags is None:
        return view
    return mark_small(view, flags, threshold=format_number(pc.small, compact=False),
                      style=pc.flag)


def _classed_years(pc: PerCapita, y: int) -> list[int]:
    """The years whose rates make the classes of year ``y``'s map."""
    return pc.years if pc.fixed else [y]


def _centres(pc: PerCapita, years: list[int]) -> dict[int, float] | None:
    if not pc.relative:
        return None
    out = {y: pc.overall(pc.frames[y], (y, y)) for y in years}
    if any(pd.isna(c) for c in out.values()):
        st.warning(t("Some years have no population at all, so there is no overall rate to "
                     "centre on; showing plain rates."))
        return None
    return out


def _scheme(pc: PerCapita, pooled: dict) -> str:
    """The classification of maps in classes shared by ``pooled`` (frame → rates): the one
    chosen, and for "Automatic" the box map when the pooled rates have outliers (the MAD rule,
    k 3.5, on the log scale for money), quantiles otherwise."""
    if pc.scheme != "auto":
        return pc.scheme
    key = ("auto", tuple(id(v) for v in pooled.values()))
    if key not in pc._seen:
        pc._seen[key] = "box_map" if span_has_outliers(pooled, pc.money) else "quantiles"
    return pc._seen[key]


def span_has_outliers(pooled: dict, money: str) -> bool:
    """Whether the rates of all frames together have an outlier by the median ± 3.5·MAD rule
    (log scale for money spread over two orders of magnitude)."""
    from analysis import AnalysisError
    from analysis.outliers import flag_outliers

    values = [pd.to_numeric(v, errors="coerce").to_numpy(float) for v in pooled.values()]
    union = pd.Series(np.concatenate(values) if values else np.array([], dtype=float))
    try:
        return bool(flag_outliers(union, rule="mad", k=3.5, unit=money).outliers)
    except AnalysisError:               # too few rates, or no spread: nothing stands out
        return False


def _pooled_views(pc: PerCapita, values_by: dict, *, titles: dict, scheme: str, subtitle: str,
                  population: dict, only=None, selected=None) -> list[ChoroplethView]:
    """Maps in the classes of a scheme that names its classes (box map, percentiles, head/tail
    breaks) found on all frames' rates pooled, each frame's legend counting its own regions."""
    frames = list(values_by)
    union = pd.concat([pd.to_numeric(values_by[f], errors="coerce") for f in frames],
                      ignore_index=True)
    classes = classify(union, scheme, pc.k, unit=pc.money)
    return [build_choropleth(pc.ids, values_by[f], title=titles[f], unit=pc.money, k=pc.k,
                             palette=pc.palette, population=population.get(f),
                             subtitle=subtitle, selected=selected, classes=classes)
            for f in frames if only is None or f in only]


def _year_scheme(pc: PerCapita, y: int) -> str:
    """The classification of year ``y``'s map ("Automatic" resolved)."""
    if not pc.fixed:
        return "quantiles" if pc.scheme == "auto" else pc.scheme
    return _scheme(pc, {yy: pc.values(pc.frames[yy]) for yy in _classed_years(pc, y)})


def _year_view(pc: PerCapita, y: int) -> ChoroplethView:
    years = _classed_years(pc, y)
    centres = _centres(pc, years)
    pooled = {yy: pc.values(pc.frames[yy]) for yy in years}
    scheme = _year_scheme(pc, y)
    if centres is None and pc.fixed and scheme in OWN_CLASSES:
        (view,) = _pooled_views(pc, pooled, titles={y: pc.year(y)}, scheme=scheme,
                                subtitle=_unit_line(pc),
                                population={y: pc.population(pc.frames[y])}, only=[y],
                                selected=st.session_state.get(_SELECTED))
        return _marked(pc, view, pc.frames[y])
    (view,) = frame_views(
        pc.ids, pooled, titles={yy: pc.year(yy) for yy in years}, unit=pc.money,
        subtitle=_unit_line(pc, centres[y] if centres else None), scheme=scheme, k=pc.k,
        palette=pc.palette if centres or not pc.relative else "YlGnBu", fixed=pc.fixed,
        centres=centres, population={y: pc.population(pc.frames[y])},
        selected=st.session_state.get(_SELECTED), only=[y])
    return _marked(pc, view, pc.frames[y])


def _outliers(pc: PerCapita, view: ChoroplethView, values: pd.Series):
    """The map's outliers outlined ("Mark outliers"), as One map and the exports mark them."""
    from analysis.outliers import mark_outliers

    return mark_outliers(view, values, pc.money, pc.outliers)


def _empty_sentence(pc: PerCapita, values: pd.Series, when: str, *, zeros: bool = True) -> bool:
    """Say why where the map would be: no rate at all (True: draw no map), or, for rates
    (``zeros``), nothing but zeros (the map is drawn, all in one class)."""
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if finite.empty:
        st.info(t("No rate for {when}: {table} has no amounts for it, or the regions shown have "
                  "no population that year.", when=md(when), table=md(pc.table_label)))
        return True
    if zeros and (finite == 0).all():
        st.info(t("No money in {when} for this choice: every region shows {zero}.",
                  when=md(when), zero=format_number(0, pc.money)))
    return False


def key_figures_of(pc: PerCapita, span: tuple[int, int],
                   average: bool = False) -> KeyFigures | None:
    """The key figures of the view (total on the map, overall rate, regions with data, not
    placed), computed and worded as One map shows them for the same measure, years and
    agencies: per resident whatever rate the map uses. None after a drill-down, whose
    regions are a part of the level (the overall rate of the regions shown is given then)."""
    if pc.parent:
        return None
    mv = cache.values(pc.path, replace(pc.spec, span=span, average=average, per=1))
    return key_figures(pc.data, pc.level, mv)


def _kpis(pc: PerCapita, mv: MapValues, span: tuple[int, int]) -> None:
    figures = key_figures_of(pc, span)
    if figures is not None:
        shown.metrics(figures)
    vals = pc.values(mv).dropna().sort_values(ascending=False)
    cols = list(st.columns(4))
    if figures is None:
        cols.pop(0).metric(t("Overall rate ({rate})", rate=pc.rate),
                           md_number(pc.overall(mv, span), pc.money),
                           help=t("All money over all residents of the regions shown, year "
                                  "by year"))
    k2, k3, k4 = cols[:3]
    if len(vals):
        k2.metric(t("Highest ({rate})", rate=pc.rate), md_number(vals.iloc[0], pc.money),
                  md(pc.names.get(vals.index[0], "")), delta_color="off", delta_arrow="off")
        k3.metric(t("Lowest ({rate})", rate=pc.rate), md_number(vals.iloc[-1], pc.money),
                  md(pc.names.get(vals.index[-1], "")), delta_color="off", delta_arrow="off")
    flags = pc.flags(mv)
    k4.metric(t("Small populations (< {n})", n=f"{pc.small:,}"),
              t("{n} of {total} regions", n=f"{int(flags.sum()) if flags is not None else 0:,}",
                total=f"{len(pc.ids):,}"))


def _notes(pc: PerCapita, mv: MapValues, spec: MeasureSpec) -> None:
    vintage = vintage_note(pc.data, spec)
    for note in mv.notes:
        if note not in pc.notes_shown:      # the ranking repeats none of the map's notes
            pc.notes_shown.add(note)
            (st.warning if note == vintage else st.caption)(md(note))


def _click_hint(pc: PerCapita) -> str:
    if pc.parent or pc.child is None:
        return ""
    below = pc.ws.level(pc.child).plural.lower()
    if pc.drill_to:
        return t("Click a region to see its {regions}.", regions=md(below))
    return t("This table has no figures by {level}: pick another funding table to see the "
             "{regions} of a region.", level=md(pc.ws.level(pc.child).label.lower()),
             regions=md(below))


def _selected_line(pc: PerCapita, values: pd.Series) -> None:
    region = st.session_state.get(_SELECTED)
    if not region or region not in pc.names:
        return
    v = values.get(region)
    rank = values.rank(ascending=False, method="min").get(region)
    st.markdown(t("**{name}**: {value} {rate}, rank {rank} of {n}.", name=md(pc.names[region]),
                  value=md_number(v, pc.money), rate=pc.rate,
                  rank=f"{int(rank):,}" if pd.notna(rank) else "—",
                  n=f"{int(values.notna().sum()):,}"))


# ------------------------------------------------------------------ over time
def _stop_play() -> None:
    st.session_state[_PLAYING] = False


def _toggle_play(years: list[int]) -> None:
    if st.session_state.get(_PLAYING):
        st.session_state[_PLAYING] = False
        return
    if st.session_state.get("pc_year") == years[-1]:
        st.session_state["pc_year"] = years[0]
    st.session_state[_PLAYING] = st.session_state[_STARTED] = True


def time_view(pc: PerCapita) -> None:
    """The map of one year of the span, a year slider (and Play) above it, the ranking over
    the span below. The slider and the map rerun on their own: a new year sends only values."""
    years = pc.years
    state.init("pc_year", years[-1], options=years, parse=int)
    playing = bool(st.session_state.get(_PLAYING)) and len(years) > 1
    st.session_state[_PLAYING] = st.session_state[_TIMER] = playing
    st.fragment(_time_map, run_every=PLAY_SECONDS if playing else None)(pc)
    ranking(pc)


def _time_map(pc: PerCapita) -> None:
    years = pc.years
    pc.notes_shown.clear()              # this part may run alone: it shows its own notes
    playing = bool(st.session_state.get(_PLAYING))
    if playing != bool(st.session_state.get(_TIMER)):
        st.rerun()                      # start or stop the timer: the page runs again
    if playing and not st.session_state.pop(_STARTED, False):
        i = years.index(st.session_state["pc_year"])
        if i + 1 >= len(years):
            st.session_state[_PLAYING] = False
            st.rerun()
        st.session_state["pc_year"] = years[i + 1]
    y = int(st.session_state["pc_year"])
    _heading(pc, (y, y))
    if len(years) > 1:
        c1, c2 = st.columns([6, 1], vertical_alignment="bottom")
        c1.select_slider(t("Fiscal year shown"), options=years, key="pc_year",
                         format_func=lambda yy: md(pc.year(yy)), on_change=_stop_play,
                         label_visibility="collapsed")
        c2.button(t("❚❚ Pause") if playing else t("▶ Play"), key="pc_play",
                  on_click=_toggle_play, args=(years,), width="stretch",
                  help=t("Step through the years of the span"))
    mv = pc.frames[y]
    values = pc.values(mv)
    if not _empty_sentence(pc, values, pc.year(y)):
        view, marks = _outliers(pc, _year_view(pc, y), values)
        ev = fiscal_map(pc.layer, view, _options(pc), key="pc_map", overlays=pc.overlay_json)
        _clicked(pc, ev.clicked)
        _selected_line(pc, values)
        scheme = _year_scheme(pc, y)
        auto_box = pc.scheme == "auto" and scheme == "box_map" and not pc.relative
        if pc.fixed and auto_box:
            log = view.classification is not None and view.classification.log
            classes = (t("Box map classes: the rates of all {n} years ({span}) pooled have "
                         "outliers (beyond the median ± 3.5·MAD, on the log scale), so the "
                         "outliers keep classes of their own and the other regions spread over "
                         "the four quarters; a colour means the same amount in every year. "
                         "Another classification can be picked under “Honest rates and "
                         "classes”.", n=f"{len(years):,}", span=md(pc.span_label())) if log else
                       t("Box map classes: the rates of all {n} years ({span}) pooled have "
                         "outliers (beyond the median ± 3.5·MAD), so the outliers keep classes "
                         "of their own and the other regions spread over the four quarters; a "
                         "colour means the same amount in every year. Another classification "
                         "can be picked under “Honest rates and classes”.",
                         n=f"{len(years):,}", span=md(pc.span_label()))) \
                if len(years) > 1 else ""
        elif pc.fixed:
            classes = t("Classes are the same in every year: {scheme} of the rates of all {n} "
                        "years ({span}) pooled, so a colour means the same amount in every year.",
                        scheme=t(SCHEMES[scheme]).lower(), n=f"{len(years):,}",
                        span=md(pc.span_label())) if len(years) > 1 else ""
        else:
            classes = t("Classes are recomputed for each year: colours rank the regions within "
                        "the year shown. Turn on “Same classes in every year” (Honest rates and "
                        "classes) to compare colours between years.")
        st.caption(" ".join(s for s in (classes, _click_hint(pc)) if s))
        overlays.captions(pc.drawn)
        outlier_list(pc.data, pc.spec, mv, marks, key="pc_outliers_list")
    _kpis(pc, mv, (y, y))
    _notes(pc, mv, replace(pc.spec, span=(y, y), average=False))
    state.to_url(["pc_year"])


def ranking(pc: PerCapita) -> None:
    years = pc.years
    first, last = years[0], years[-1]
    kind = t("average per year") if pc.spec.average else \
        (t("sum over the years") if len(years) > 1 else "")
    span_label = pc.span_label() if not kind else t("{span}, {kind}", span=pc.span_label(),
                                                    kind=kind)
    flags = pc.flags(pc.mv)
    table = V.ranking_table(
        pc.ids, pc.names, name_label=pc.ws.level(pc.level).label, span_values=pc.values(pc.mv),
        span_label=span_label, overall=pc.overall(pc.mv, pc.span, pc.spec.average),
        first=pc.values(pc.frames[first]), last=pc.values(pc.frames[last]),
        first_label=pc.year(first), last_label=pc.year(last),
        population=pc.population(pc.mv), small=flags,
        small_label=t("Fewer than {n} residents", n=f"{pc.small:,}"))
    st.markdown(t("**Ranking, {span}**: highest {rate} first. Amounts in {unit}.",
                  span=md(span_label), rate=pc.rate, unit=md(_unit_line(pc))))
    show_table(pc, table, key="pc_rank_table")
    auth.download_button(st, t("Download the ranking (CSV)"), csv_bytes(table.frame),
                         file_name=f"{pc.ws.id}_{pc.level}_per_resident.csv",
                         view=state.view_link(PC_KEYS, "per_capita"),
                         mime="text/csv", key="pc_dl_rank")
    if len(years) > 1:
        _notes(pc, pc.mv, pc.spec)


def show_table(pc: PerCapita, table: V.LabelledTable, *, key: str) -> None:
    """A labelled table with money in the currency (whole units from 100 up), percents with
    one decimal and counts with thousands separators."""
    cfg = {}
    for col in table.money:
        vals = pd.to_numeric(table.frame[col], errors="coerce").abs()
        whole = bool(vals.notna().any()) and float(vals.median()) >= 100
        cfg[col] = st.column_config.NumberColumn(
            col, format="dollar" if pc.money == "USD" else "localized", step=1 if whole else 0.01)
    for col in table.percent:
        cfg[col] = st.column_config.NumberColumn(col, format="%.1f%%")
    for col in table.counts:
        cfg[col] = st.column_config.NumberColumn(col, format="localized", step=1)
    for col in table.flags:
        cfg[col] = st.column_config.CheckboxColumn(col)
    st.dataframe(table.frame, hide_index=True, width="stretch", key=key,
                 column_order=table.shown, column_config=cfg)


# ------------------------------------------------------------------ change
def change_view(pc: PerCapita) -> None:
    years = pc.years
    if len(years) < 2:
        _heading(pc, pc.span)
        if len(pc.year_opts) < 2:
            st.info(t("A change needs two fiscal years; {table} has only {year}.",
                      table=md(pc.table_label), year=md(pc.year(pc.year_opts[0]))))
        else:
            st.info(t("A change needs two fiscal years: widen the span of fiscal years in the "
                      "sidebar."))
        return
    state.init("pc_from", years[0], options=years, parse=int)
    state.init("pc_to", years[-1], options=years, parse=int)
    state.init("pc_change", "amount", options=["amount", "percent"])
    y0, y1 = int(st.session_state["pc_from"]), int(st.session_state["pc_to"])
    st.subheader(t("Change in {what} {rate}, {first} to {last}", what=md(pc.table_label),
                   rate=pc.rate, first=md(pc.year(y0)), last=md(pc.year(y1))))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(t("From"), years, format_func=pc.year, key="pc_from")
    c2.selectbox(t("To"), years, format_func=pc.year, key="pc_to")
    how = c3.radio(t("Change in"), ["amount", "percent"], key="pc_change", horizontal=True,
                   format_func=lambda h: md(pc.money) if h == "amount" else t("percent"))
    first, second = pc.values(pc.frames[y0]), pc.values(pc.frames[y1])
    ch = M.change_between(first, second).reindex(pc.ids)
    if y0 == y1:
        st.info(t("From and To are the same year: choose two different years to see a change."))
    elif not _empty_sentence(pc, ch[how], t("{first} to {last}", first=pc.year(y0),
                                              last=pc.year(y1)), zeros=False):
        cunit = pc.money if how == "amount" else "%"
        view = build_choropleth(
            pc.ids, ch[how], title=t("Change, {first} to {last}", first=pc.year(y0),
                                     last=pc.year(y1)),
            unit=cunit, scheme="diverging", k=pc.k, palette="RdBu", centre=0.0,
            population=pc.population(pc.frames[y1]),
            subtitle=t("Change in {unit}", unit=_unit_line(pc)) if how == "amount"
            else t("Change in %"), selected=st.session_state.get(_SELECTED))
        view = _marked(pc, view, pc.frames[y1])
        ev = fiscal_map(pc.layer, view, _options(pc), key="pc_map", overlays=pc.overlay_json)
        _clicked(pc, ev.clicked)
        st.caption(" ".join(s for s in (
            t("Colours are centred on no change: blue = more per resident, red = less. "
              "Regions without a rate in either year are No data."), _click_hint(pc)) if s))
        overlays.captions(pc.drawn)
        _notes(pc, pc.frames[y1], replace(pc.spec, span=(y1, y1), average=False))
    table = V.change_table(pc.ids, pc.names, name_label=pc.ws.level(pc.level).label,
                           first=first, second=second, first_label=pc.year(y0),
                           second_label=pc.year(y1), by=how)
    st.markdown(t("**Change by region**: largest rise first. Amounts in {unit}.",
                  unit=md(_unit_line(pc))))
    show_table(pc, table, key="pc_change_table")


# ------------------------------------------------------------------ side by side
def compare_view(pc: PerCapita) -> None:
    """Two maps in two columns, each with its own legend and counts, in the same classes."""
    tids = [s.id for s in pc.data.allocation_tables(pc.level)]
    tlabels = {s.id: s.display_label for s in pc.data.allocation_tables(pc.level)}
    modes = ["years"] + (["tables"] if len(tids) > 1 else []) + \
        (["agencies"] if pc.agencies_all else [])
    state.init("pc_cmp", "years", options=modes)
    years = pc.years
    cmp = st.session_state["pc_cmp"]
    if cmp == "years":
        opts, fmt, parse = years, pc.year, int
    elif cmp == "tables":
        opts, fmt, parse = tids, tlabels.get, str
    else:
        opts, fmt, parse = pc.agencies_all, str, str
    state.init("pc_left", opts[0], options=opts, parse=parse)
    state.init("pc_right", opts[-1], options=opts, parse=parse)
    left, right = st.session_state["pc_left"], st.session_state["pc_right"]
    lab_l, lab_r = V.tell_apart(str(fmt(left)), str(fmt(right)))
    if cmp == "tables":
        st.subheader(t("{rate}: {left} and {right}", rate=t(PER_LABELS[str(pc.per)]),
                       left=md(lab_l), right=md(lab_r)))
    else:
        st.subheader(t("{what} {rate}: {left} and {right}", what=md(pc.table_label),
                       rate=pc.rate, left=md(lab_l), right=md(lab_r)))
    r0, r1, r2 = st.columns(3)
    r0.selectbox(t("Compare"), modes, format_func=lambda m: t(COMPARE[m]), key="pc_cmp")
    r1.selectbox(t("Left map"), opts, format_func=fmt, key="pc_left")
    r2.selectbox(t("Right map"), opts, format_func=fmt, key="pc_right")
    c1, c2 = st.columns(2)
    if left == right:
        _same_sentence(pc, cmp, str(fmt(left)), modes)

    def spec_of(choice) -> MeasureSpec:
        if cmp == "years":
            return replace(pc.spec, span=(choice, choice), average=False)
        if cmp == "tables":
            return replace(pc.spec, table=choice, agencies=None)
        return replace(pc.spec, agencies=(choice,))

    try:
        sl, sr = spec_of(left), spec_of(right)
        ml, mr = cache.values(pc.path, sl), cache.values(pc.path, sr)
    except ValueError as exc:
        st.error(md(str(exc)))
        return
    vals = {"L": pc.values(ml), "R": pc.values(mr)}
    cen = {"L": pc.overall(ml, sl.span, sl.average), "R": pc.overall(mr, sr.span, sr.average)} \
        if pc.relative else None
    if cen and any(pd.isna(c) for c in cen.values()):
        cen = None
    # "Automatic" picks the box map for the time slider only: two maps side by side are read
    # against each other, and keep quantiles unless another classification is chosen
    scheme = "quantiles" if pc.scheme == "auto" else pc.scheme
    pops = {"L": pc.population(ml), "R": pc.population(mr)}
    if cen is None and scheme in OWN_CLASSES:
        views = _pooled_views(pc, vals, titles={"L": lab_l, "R": lab_r}, scheme=scheme,
                              subtitle=_unit_line(pc), population=pops)
    else:
        views = frame_views(pc.ids, vals, titles={"L": lab_l, "R": lab_r}, unit=pc.money,
                            subtitle=_unit_line(pc), scheme=scheme, k=pc.k,
                            palette=pc.palette if cen or not pc.relative else "YlGnBu",
                            fixed=True, centres=cen, population=pops)
    opts_map = _options(pc, height=460, title_on_map=True)
    sides = {"L": (c1, "pc_map_left", views[0], ml, sl, lab_l),
             "R": (c2, "pc_map_right", views[1], mr, sr, lab_r)}
    for side_, (col, key, view, mv, spec, label) in sides.items():
        with col:
            if _empty_sentence(pc, vals[side_], label):
                continue
            if cen:
                view = replace(view, subtitle=_unit_line(pc, cen[side_]))
            view, marks = _outliers(pc, _marked(pc, view, mv), vals[side_])
            ev = fiscal_map(pc.layer, view, opts_map, key=key, overlays=pc.overlay_json)
            _clicked(pc, ev.clicked)
            st.caption(t("{label}: overall rate {rate}; {n} of {total} regions with a rate.",
                         label=md(label), rate=md_number(pc.overall(mv, spec.span,
                                                                     spec.average), pc.money),
                         n=f"{int(vals[side_].notna().sum()):,}", total=f"{len(pc.ids):,}"))
            outlier_list(pc.data, spec, mv, marks, key=f"{key}_outliers")
    same = t("Both maps use the same classes, computed from the two maps together, so a "
             "colour means the same amount on each side; each legend counts its own map's "
             "regions.")
    each = "" if cmp == "years" else t("Each side: {span}.", span=md(pc.span_label()))
    st.caption(" ".join(s for s in (same, each) if s))
    overlays.captions(pc.drawn)
    if left != right:
        table = V.movers_table(pc.ids, pc.names, name_label=pc.ws.level(pc.level).label,
                               left=vals["L"], right=vals["R"], left_label=lab_l,
                               right_label=lab_r)
        st.markdown(t("**Regions that moved most** (places in the ranking, then amount). "
                      "Amounts in {unit}.", unit=md(_unit_line(pc))))
        show_table(pc, table, key="pc_movers")


def _same_sentence(pc: PerCapita, cmp: str, shown: str, modes: list[str]) -> None:
    if cmp == "years" and len(pc.years) == 1:
        if len(pc.year_opts) > 1:
            st.info(t("Both maps show {year}, the only fiscal year in the chosen span: widen "
                      "the span of fiscal years in the sidebar to compare two years.",
                      year=md(shown)))
        elif "tables" in modes and "agencies" in modes:
            st.info(t("Both maps show {year}, the only fiscal year in this table: compare two "
                      "funding tables or two agencies instead (“Compare” above the maps).",
                      year=md(shown)))
        elif "tables" in modes:
            st.info(t("Both maps show {year}, the only fiscal year in this table: compare two "
                      "funding tables instead (“Compare” above the maps).", year=md(shown)))
        elif "agencies" in modes:
            st.info(t("Both maps show {year}, the only fiscal year in this table: compare two "
                      "agencies instead (“Compare” above the maps).", year=md(shown)))
        else:
            st.info(t("Both maps show {year}, the only fiscal year in this table; there is "
                      "nothing else to compare at this level.", year=md(shown)))
        return
    what = {"years": t("year"), "tables": t("funding table"), "agencies": t("agency")}[cmp]
    st.info(t("Both maps show {shown}: choose another {what} for the left or the right map to "
              "compare.", shown=md(shown), what=what))
