"""The tabs under the Roads map: targets (missed first), trend, change map, where to invest,
and the data problems; each table as readers see it (:mod:`geodata.roads.tables`), each with
its CSV (:func:`exports.roads.reader_csv`), and each empty tab saying why in a sentence."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from exports import roads as road_views
from geodata import roads as R
from geodata.roads import tables as RT
from layers.choropleth import build_choropleth
from layers.overlay import overlays_json
from locales import t

from . import auth, cache, roads, state
from .map_component import fiscal_map
from .mapview import map_options
from .roads import Roads
from .text import md


def column_config(table: RT.ReaderTable, currency: str) -> dict:
    """Formats of a reader table's columns: lengths to 0.1, shares in %, money in whole units
    of the currency, ids hidden."""
    money = "$%,.0f" if currency == "USD" else f"%,.0f {currency}"
    fmt = {RT.LENGTH: "%,.1f", RT.SHARE: "%.1f%%", RT.MONEY: money, RT.COUNT: "%,.0f",
           RT.SCORE: "%.2f", RT.INDEX: "%.1f", RT.CHANGE: "%+.2f", RT.RANK: "%d",
           RT.YEAR: "%d"}
    return {col: st.column_config.NumberColumn(format=fmt[kind]) for col, kind in
            table.kinds.items() if kind in fmt}


def show_table(r: Roads, table: RT.ReaderTable, *, key: str) -> None:
    st.dataframe(table.shown(), hide_index=True, width="stretch", key=key,
                 column_config=column_config(table, r.ws.currency))


def targets_tab(r: Roads, rc: R.RoadCondition) -> None:
    """Each road class region-wide, then every area: targets missed first."""
    uw = r.cfg.unit_word
    st.markdown(f"**{t('Region-wide, by road class')}**")
    for rid in r.classes:
        other = rc if rid == r.road_class else r.condition(rid)
        st.markdown("- " + md(other.figure.sentence(other.road_class, other.targets, uw)))
    tg = rc.targets
    st.caption(t("Target for {road_class} {unit}: {target}. A target is missed when it is not "
                 "reached, at risk when it is reached by less than {good} points (good or "
                 "better) or {poor} point(s) (poor), and met otherwise. Shares are of rated "
                 "{unit}.", road_class=md(R.lower_first(rc.road_class)), unit=md(uw),
                 target=md(tg.text()), good=f"{tg.at_risk_good_pp:g}",
                 poor=f"{tg.at_risk_poor_pp:g}"))
    table = RT.targets_table(rc, r.rd.names, r.scheme, r.road_class, level_label=r.area,
                             unit_word=uw)
    if table.frame.empty:
        st.info(t("No {area} has {road_class} {unit}, so there is no target to judge.",
                  area=md(r.area.lower()), road_class=md(R.lower_first(rc.road_class)),
                  unit=md(uw)))
        return
    counts = RT.status_counts(rc)
    st.markdown(t("{counts} — of {n} {areas} with {road_class} {unit}, listed with the targets "
                  "missed first.",
                  counts=" · ".join(f"**{R.status_label(s)}**: {n:,}" for s, n in counts.items()),
                  n=f"{len(table.frame):,}", areas=md(r.areas),
                  road_class=md(R.lower_first(rc.road_class)), unit=md(uw)))
    show_table(r, table, key="rd_targets_table")
    auth.download_button(st, t("Download targets table (CSV)"), r.csv(table, rc),
                         file_name=f"{r.ws.id}_road_targets_{r.road_class}_{r.scheme_id}.csv",
                         view=state.view_link(roads.URL_KEYS, "roads"), mime="text/csv",
                         key="dl_rd_targets")


def _no_timeline(r: Roads) -> str | None:
    """Why the trend and the change map cannot be drawn, or None when they can."""
    tl = r.rd.timeline
    if tl is None or tl.empty:
        return t("This workspace has one survey only: a trend and a change map need the scores "
                 "of several survey years (a [roads.timeline] table in its manifest).")
    if not r.has_lines:
        return t("The survey timeline follows segments, and this workspace has no segment "
                 "lines to place them in the {areas}.", areas=md(r.areas))
    return None


def _lines(where, frame: pd.DataFrame, height: int) -> None:
    """One line per column of ``frame`` over its index (the survey year), with the column
    names in the legend. The Vega-Lite spec is written out: st.line_chart builds it through
    Altair's schema validation, half a second per chart on every rerun of the page."""
    x = frame.index.name or ""
    long = frame.reset_index(names="x").melt(id_vars="x", var_name="series", value_name="value")
    long = long.dropna(subset=["value"])
    spec = {"mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                "x": {"field": "x", "type": "ordinal", "title": x, "axis": {"labelAngle": 0}},
                "y": {"field": "value", "type": "quantitative", "title": None,
                      "scale": {"zero": False}},
                "color": {"field": "series", "type": "nominal", "title": None,
                          "legend": {"orient": "bottom", "labelLimit": 400}}},
            "height": height}
    where.vega_lite_chart(long, spec, use_container_width=True)


def trend_tab(r: Roads) -> None:
    why = _no_timeline(r)
    if why:
        st.info(why)
        return
    tl, net, names = r.rd.timeline, r.net, r.rd.names
    state.init("rd_trend", "", options=None)
    towns = sorted({x for x in net.pieces["region_id"]}, key=lambda x: names.get(x, x))
    opts = [""] + [f"town:{x}" for x in towns] + \
        [f"seg:{s}" for s in sorted(set(tl["segment_id"]) & set(net.segments["segment_id"]))]
    if st.session_state["rd_trend"] not in opts:
        st.session_state["rd_trend"] = ""
    # Route and town of each segment, looked up once (not one table scan per option).
    first = net.segments.drop_duplicates("segment_id")
    seg_info = dict(zip(first["segment_id"], zip(first["route"], first["region_attr"])))

    def label(o: str) -> str:     # selectbox options: plain text, not Markdown
        if not o:
            return t("Whole region")
        kind, _, key = o.partition(":")
        if kind == "town":
            return t("{area}: {name}", area=r.area, name=names.get(key, key))
        route, town = seg_info[key]
        return t("Segment {id} ({route}, {area})", id=key, route=route or "",
                 area=names.get(str(town), ""))

    pick = st.selectbox(t("Trend for"), opts, format_func=label, key="rd_trend")
    kind, _, key = pick.partition(":")
    score = r.cfg.score_label
    year = t("Survey year")
    if kind == "seg":
        tr = R.segment_trend(tl, key)
        st.markdown(f"**{md(t('{score} of segment {id} by survey year', score=score, id=key))}**")
        _lines(st, pd.DataFrame({year: tr["year"], score: tr["score"]}).set_index(year), 260)
    else:
        tr = R.area_trend(tl, net, r.scheme, region_id=key or None)
        where = names.get(key, key) if key else t("the whole region")
        st.markdown("**" + md(t("{road_class}: length-weighted {score} and share of {unit} good "
                                "or better / poor, {where}", road_class=r.cfg.road_class,
                                score=score, unit=r.cfg.unit_word, where=where)) + "**")
        table = RT.trend_table(tr, score)
        frame = table.frame.set_index(year)
        c1, c2 = st.columns(2)
        _lines(c1, frame[[t("Mean {score}", score=score)]], 260)
        _lines(c2, frame[[t("Good or better (%)"), t("Poor (%)")]], 260)
        ind = r.data.indicators(r.cfg.level)
        if r.cfg.trend_indicator and key and not ind.empty:
            ti = ind[(ind["indicator"] == r.cfg.trend_indicator) & (ind["region_id"] == key)]
            if not ti.empty:
                st.markdown(f"**{md(r.cfg.trend_indicator)}, {md(where)}**")
                _lines(st, pd.DataFrame({year: ti["year"], r.cfg.trend_indicator:
                                         ti["value"]}).set_index(year), 200)
        show_table(r, table, key="rd_trend_table")
    st.caption(t("From the survey timeline ({first}–{last}); each segment weighs by its length "
                 "in the area.", first=str(int(tl["year"].min())), last=str(int(tl["year"].max()))))


def change_tab(r: Roads, rc: R.RoadCondition) -> None:
    why = _no_timeline(r)
    if why:
        st.info(why)
        return
    tl, score = r.rd.timeline, r.cfg.score_label
    years = sorted(int(y) for y in tl["year"].unique())
    state.init("rd_year_a", years[0], options=years, parse=int)
    state.init("rd_year_b", years[-1], options=years, parse=int)
    c1, c2, c3 = st.columns([1, 1, 2])
    ya = int(c1.selectbox(t("From survey year"), years, key="rd_year_a"))
    yb = int(c2.selectbox(t("To survey year"), years, key="rd_year_b"))
    state.init("rd_change", False, parse=state.parse_bool)
    show = c3.toggle(t("Draw the change map"), key="rd_change")
    if ya == yb:
        st.info(t("Pick two different survey years: the change from a year to itself is zero "
                  "everywhere."))
        return
    per_seg, per_area = R.change_between(tl, r.net, ya, yb)
    if per_seg.empty:
        st.info(t("No segment was surveyed in both {a} and {b}, so there is no change to show.",
                  a=str(ya), b=str(yb)))
        return
    st.markdown(t("{n} segments surveyed in both years: {better} better, {worse} worse; median "
                  "change {median} {score}.", n=f"{len(per_seg):,}",
                  better=f"{int((per_seg > 0).sum()):,}", worse=f"{int((per_seg < 0).sum()):,}",
                  median=f"{per_seg.median():+.2f}", score=md(score)))
    if show:
        layer = cache.encoded_layer(r.path, r.cfg.level)
        view = build_choropleth(layer.region_ids, per_area,
                                title=t("Change in length-weighted {score}, {a} to {b}",
                                        score=score, a=str(ya), b=str(yb)),
                                unit=score, scheme="diverging", k=5, palette="PuOr", centre=0.0)
        step = 1.0 if r.scheme.hi <= 10 else 20.0
        lines = road_views.change_overlay(r.rd, cache.road_lines(r.path), per_seg, step, ya, yb)
        fiscal_map(layer, view, map_options(r.ws.settings), key="roads_change_map",
                   overlays=overlays_json([lines]))
        st.caption(t("Change between survey years {a} and {b}: {areas} by the change of their "
                     "length-weighted mean {score} (segments surveyed in both years), lines by "
                     "segment.", a=str(ya), b=str(yb), areas=md(r.areas), score=md(score)))
        st.caption(md(rc.methodology))
    table = RT.change_table(per_seg, score, ya, yb)
    auth.download_button(st, t("Download segment changes (CSV)"), r.csv(table, rc),
                         file_name=f"{r.ws.id}_road_change_{ya}_{yb}.csv",
                         view=state.view_link(roads.URL_KEYS, "roads"), mime="text/csv",
                         key="dl_rd_change")


def invest_tab(r: Roads, rc: R.RoadCondition) -> None:
    fund_spec, funding = roads.programme_funding(r)
    if funding is None:
        st.info(t("There is no funding table at the {area} level, so road condition cannot be "
                  "set against money here.", area=md(r.area.lower())))
        return
    has_pop = not r.data.population(r.cfg.level).empty
    pers = ["mile", "resident"] if has_pop else ["mile"]
    state.init("rd_per", "mile", options=pers)
    per_len = t("per mile of road") if r.cfg.length_unit == "mi" else t("per km of road")
    per = st.radio(t("Funding measured"), pers, key="rd_per", horizontal=True,
                   format_func=lambda p: t("per resident") if p == "resident" else per_len)
    pop = cache.values(r.path, replace(fund_spec, measure="per_capita")).population \
        if has_pop else pd.Series(dtype=float)
    inv = R.invest_ranking(rc.table, funding.values, pop, r.rd.names, per=per,
                           unit=r.cfg.length_unit)
    st.markdown(t("{areas} ranked where condition is worst and money least. The priority "
                  "(0–100) is the mean of two percentiles: of the share of poor {unit} (higher "
                  "= worse) and of the funding {per} (lower = less money). Funding: {funding}.",
                  areas=md(r.areas.capitalize()), unit=md(r.cfg.unit_word),
                  per=t("per resident") if per == "resident" else per_len,
                  funding=md(funding.label)))
    table = RT.invest_table(inv, level_label=r.area, unit=r.cfg.length_unit,
                            unit_word=r.cfg.unit_word, currency=r.ws.currency)
    show_table(r, table, key="rd_invest_table")
    auth.download_button(st, t("Download where-to-invest table (CSV)"), r.csv(table, rc),
                         file_name=f"{r.ws.id}_where_to_invest_{r.road_class}_{per}.csv",
                         view=state.view_link(roads.URL_KEYS, "roads"), mime="text/csv",
                         key="dl_rd_invest")


def problems_tab(r: Roads) -> None:
    from geodata.files import csv_bytes
    from geodata.problems import problems_frame

    rd, net = r.rd, r.net
    st.markdown(f"**{t('Input problems ({n})', n=f'{len(rd.problems):,}')}**")
    if not rd.problems:
        st.caption(t("The road files were read without a problem."))
    for p in rd.problems:
        st.text(p.text())
    if net is not None and len(net.outside):
        routes = net.segments["route"].to_numpy()[net.outside["_i"].to_numpy()]
        table = RT.outside_table(net.outside, routes, R.METRES_PER[r.cfg.length_unit],
                                 area=r.area.lower(), unit_word=r.cfg.unit_word)
        lost = R.length_text(net.outside["outside_m"].sum() / R.METRES_PER[r.cfg.length_unit],
                             r.cfg.length_unit)
        st.markdown("**" + t("Segments outside every {area} ({n}; {length} not counted)",
                             area=md(r.area.lower()), n=f"{len(net.outside):,}",
                             length=lost) + "**")
        show_table(r, table, key="rd_outside_table")
    if net is not None and net.attribute_mismatch:
        st.caption(t("{n} segments carry a region id that differs from the {area} holding most "
                     "of their length; the map uses where the line runs.",
                     n=f"{net.attribute_mismatch:,}", area=md(r.area.lower())))
    auth.download_button(st, t("Download problems (CSV)"),
                         csv_bytes(problems_frame(rd.problems)),
                         file_name=f"{r.ws.id}_road_problems.csv",
                         view=state.view_link(roads.URL_KEYS, "roads"), mime="text/csv",
                         key="dl_rd_problems")


def below_the_map(r: Roads, rc: R.RoadCondition) -> None:
    """The tabs under the map: targets, trend, change map, where to invest, data problems."""
    tabs = st.tabs([t("Targets"), t("Trend"), t("Change map"), t("Where to invest"),
                    t("Data problems")])
    with tabs[0]:
        targets_tab(r, rc)
    with tabs[1]:
        trend_tab(r)
    with tabs[2]:
        change_tab(r, rc)
    with tabs[3]:
        invest_tab(r, rc)
    with tabs[4]:
        problems_tab(r)
