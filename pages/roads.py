"""Roads: pavement condition by area against targets, drawn over the funding map."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from exports.roads import screen_overlay
from geodata import roads as R
from geodata.dataset import MeasureSpec
from geodata.files import csv_bytes
from geodata.problems import problems_frame
from layers.choropleth import build_choropleth
from layers.classify import format_number
from layers.render_roads import RoadLines, lines_values
from layers.road_condition import (CHANGE_CLASSES, NO_DATA_LINE_COLOUR, STATUS_ORDER,
                                   change_class, change_labels)
from ui import cache, controls, overlays, state
from ui.exports_panel import export_panel, remember_view
from ui.mapview import map_options, show_map
from ui.text import md

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
st.title("Roads: condition against targets, and the money")

rd = cache.roads(path)
if rd is None:
    st.info(f"The workspace “{md(ws.title)}” has no road segments: add a table of kind "
            "`segments` (a line file) or a `[roads.town_bins]` table to its manifest to see "
            "road condition here (see docs/workspace-manifest.md, “Road condition”).")
    st.stop()

cfg = rd.config
net = rd.network
has_lines = net is not None and bool(net.segments["drawable"].any()) if net is not None else False
level = cfg.level
names = rd.names
uw = cfg.unit_word
sb = st.sidebar

# ---------------------------------------------------------------- controls
classes = R.road_classes(cfg, has_lines)
if not classes:     # a segments file with no usable line (points, areas, zero lengths…)
    found = f" ({len(net.segments):,} feature(s) in {md(net.file)})" if net is not None else ""
    st.warning(f"No road can be shown: the segments table has no line that can be drawn and "
               f"measured{found}, and there is no town bin table. What was found in the file "
               "is listed below and on the Data quality page.")
    for p in rd.problems:
        st.text(p.text())
    st.stop()
state.init("rd_class", next(iter(classes)), options=list(classes))
# Radio options and widget labels render Markdown; selectbox options are plain text.
road_class = sb.radio("Roads", list(classes), format_func=lambda c: md(classes[c]), key="rd_class")
schemes = cfg.scheme_choices()
state.init("rd_condition", cfg.scheme, options=schemes)
scheme_id = sb.selectbox("Condition classes", schemes, key="rd_condition",
                         format_func=lambda s: cfg.schemes[s].name,
                         help="Class bounds as configuration; the manifest sets the default.")
scheme = cfg.scheme_obj(scheme_id)

fund_tables = data.allocation_tables(level)
has_pop = not data.population(level).empty
layers = {}
if fund_tables and has_pop:
    layers["funding_per_resident"] = "Funding per resident"
if fund_tables:
    layers["funding"] = "Funding programmed"
layers.update(R.road_layer_labels(cfg))
layers["measure"] = "Another measure (crashes, indicators …)"
state.init("rd_layer", next(iter(layers)), options=list(layers))
layer_id = sb.selectbox("Town layer", list(layers), format_func=layers.get, key="rd_layer")
state.init("rd_overlay", True, parse=state.parse_bool)
overlay = sb.toggle(f"Show {md(cfg.road_class.lower())} segments", key="rd_overlay",
                    disabled=not has_lines,
                    help=None if has_lines else "This workspace has no segment geometry.")
overlay = overlay and has_lines
drawn = overlays.overlay_picker(data, path, level, key="rd_overlays")

rc = cache.road_condition(path, scheme_id, road_class)
table = rc.table

# Funding over the whole programme
funding = pd.Series(dtype=float)
fund_label = ""
if fund_tables:
    ft = fund_tables[0]
    lo, hi = data.years(ft.id)
    fund_spec = MeasureSpec(level=level, measure="total", table=ft.id, span=(lo, hi))
    fv = cache.values(path, fund_spec)
    funding = fv.values
    fund_label = fv.label

# ---------------------------------------------------------------- headline
fig = rc.figure
st.markdown(f"**{md(fig.sentence(rc.road_class, rc.targets, uw))}**")
k1, k2, k3, k4 = st.columns(4)
k1.metric(f"Road {md(uw)} in the areas", f"{fig.miles:,.1f}")
k2.metric("Good or better", f"{fig.good_share:.1f}%" if fig.rated else "No data",
          help=f"Share of rated {md(uw)}; target {md(rc.targets.text())}")
k3.metric("Poor", f"{fig.poor_share:.1f}%" if fig.rated else "No data")
k4.metric(f"No data ({md(uw)})", f"{fig.no_data:,.1f}",
          help="Road length with no condition score: counted, shown as No data")

# ---------------------------------------------------------------- town layer
layer = cache.encoded_layer(path, level)
status_txt = table["status"].reindex(layer.region_ids)
extra_rows = (
    (f"Road {uw}", tuple(f"{x:,.1f}" if pd.notna(x) and x > 0 else "—"
                         for x in table["total"].reindex(layer.region_ids))),
    ("Good or better", tuple(f"{x:.0f}%" if pd.notna(x) else "—"
                             for x in table["good_share"].reindex(layer.region_ids))),
    ("Poor", tuple(f"{x:.1f}%" if pd.notna(x) else "—"
                   for x in table["poor_share"].reindex(layer.region_ids))),
    ("Target", tuple(str(s) for s in status_txt)),
)
if fund_tables:
    extra_rows += (("Funding programmed", tuple(
        format_number(x, ws.currency) for x in funding.reindex(layer.region_ids))),)

if layer_id == "status":
    view = replace(R.road_layer_view(rc, cfg, "status", layer.region_ids),
                   tooltip_rows=extra_rows[:3])
else:
    if layer_id in ("poor_share", "good_share"):
        values, title, unit, pop, notes, default_pal = None, "", "%", None, (), "Purples"
    elif layer_id in ("funding", "funding_per_resident"):
        spec = fund_spec if layer_id == "funding" else replace(fund_spec, measure="per_capita")
        mv = cache.values(path, spec)
        values, title, unit, pop, notes = mv.values, mv.label, mv.unit, mv.population, mv.notes
        default_pal = "Greens"
    else:
        spec = controls.measure_controls(data, prefix="rd_")
        if spec is None:
            st.stop()
        if spec.level != level:
            st.warning(f"Road condition is by {md(ws.level(level).label.lower())}; showing that level.")
            spec = replace(spec, level=level)
        mv = cache.values(path, spec)
        values, title, unit, pop, notes = mv.values, mv.label, mv.unit, mv.population, mv.notes
        default_pal = "Greens"
    state.init("rd_palette", default_pal)
    cls = controls.class_controls(diverging=False, prefix="rd_")
    if layer_id in R.ROAD_LAYERS:       # the recipe the exports use too
        view = R.road_layer_view(rc, cfg, layer_id, layer.region_ids, scheme=cls.scheme, k=cls.k,
                                 palette=cls.palette, reverse=cls.reverse, breaks=cls.breaks)
    else:
        view = build_choropleth(layer.region_ids, values, title=title, unit=unit,
                                scheme=cls.scheme, k=cls.k, palette=cls.palette,
                                reverse=cls.reverse, breaks=cls.breaks, population=pop,
                                subtitle=unit, notes=notes)
    view = replace(view, tooltip_rows=view.tooltip_rows + extra_rows)
    for note in notes:
        st.caption(md(note))

# ---------------------------------------------------------------- segment overlay
extra_layers = []
overlay_bytes = 0
if overlay:
    enc = cache.road_lines(path)
    lines, vals_bytes = screen_overlay(rd, scheme, enc, ws.level(level).label)
    extra_layers.append(lines)
    overlay_bytes = enc.nbytes + vals_bytes

show_map(layer, view, map_options(ws.settings), key="roads_map", extra_layers=extra_layers,
         overlays=overlays.payload(drawn))
st.caption(md(rc.methodology))
overlays.captions(drawn)
if overlay:
    st.caption(f"Overlay: {len(enc.segment_ids):,} segments drawn as lines; adds "
               f"{overlay_bytes / 1024:,.0f} KB to the map ({enc.nbytes / 1024:,.0f} KB of "
               "encoded lines, prepared once). Hover a segment for its condition.")
else:
    st.caption("Overlay off: the map shows the town layer only." if has_lines else
               "No segment geometry in this workspace: condition comes from the town bin table.")
for note in rc.notes:
    st.caption(md(note))
state.to_url(["ws", "rd_class", "rd_condition", "rd_layer", "rd_overlay", "rd_scheme",
              "rd_k", "rd_palette", "rd_reverse", "rd_level", "rd_measure", "rd_table",
              "rd_years", "rd_indicator", "rd_indicator_year", "rd_per", "rd_trend",
              "rd_year_a", "rd_year_b", "rd_change", "rd_overlays"])
remember_view(data, path, "roads")
export_panel(data, path, page="roads")


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV with the methodology line on top (read back with ``comment='#'``)."""
    return f"# {rc.methodology}\r\n".encode("utf-8") + csv_bytes(frame)


# ---------------------------------------------------------------- below the map
t_targets, t_trend, t_change, t_invest, t_problems = st.tabs(
    ["Targets", "Trend", "Change map", "Where to invest", "Data problems"])

with t_targets:
    st.markdown("**Region-wide, by road class**")
    for rid, label in classes.items():
        other = rc if rid == road_class else cache.road_condition(path, scheme_id, rid)
        st.markdown(f"- {md(other.figure.sentence(other.road_class, other.targets, uw))}")
    st.caption(f"Target for {md(rc.road_class.lower())} {md(uw)}: {md(rc.targets.text())}. Rule: "
               "missed when a target is not reached; at risk when both are reached but "
               f"within {rc.targets.at_risk_good_pp:g} points (good or better) or "
               f"{rc.targets.at_risk_poor_pp:g} point(s) (poor) of failing; met otherwise. "
               f"Shares are of rated {md(uw)}.")
    tt = table.reset_index()
    tt.insert(1, "name", [names.get(r, r) for r in tt["region_id"]])
    tt = tt[tt["total"].fillna(0) > 0]
    tt["status"] = pd.Categorical(tt["status"], [*STATUS_ORDER, "no data", "no target"], ordered=True)
    tt = tt.sort_values(["status", "poor_share"], ascending=[True, False])
    counts = tt["status"].value_counts()
    st.markdown(" · ".join(f"**{s}**: {int(counts.get(s, 0))}" for s in STATUS_ORDER)
                + f" of {len(tt):,} {md(ws.level(level).plural.lower())} with "
                  f"{md(rc.road_class.lower())} {md(uw)}")
    show = ["region_id", "name", "total", "rated", *scheme.labels, "No data", "good_share",
            "poor_share", "status"] if road_class == "segments" else \
        ["region_id", "name", "total", "rated", "good_or_better", "poor", "No data",
         "good_share", "poor_share", "status"]
    show = [c for c in show if c in tt]
    st.dataframe(tt[show], hide_index=True, width="stretch", key="rd_targets_table",
                 column_config={c: st.column_config.NumberColumn(format="%.1f") for c in show
                                if c not in ("region_id", "name", "status")})
    st.download_button("Download targets table (CSV)", _csv(tt[show]),
                       file_name=f"{ws.id}_road_targets_{road_class}_{scheme_id}.csv",
                       mime="text/csv", key="dl_rd_targets")

with t_trend:
    tl = rd.timeline
    if tl is None or tl.empty or not has_lines:
        st.info("No survey timeline in this workspace ([roads.timeline] in the manifest).")
    else:
        state.init("rd_trend", "", options=None)
        towns_with = sorted({r for r in net.pieces["region_id"]}, key=lambda r: names.get(r, r))
        opts = [""] + [f"town:{r}" for r in towns_with] + \
            [f"seg:{s}" for s in sorted(set(tl["segment_id"]) & set(net.segments["segment_id"]))]
        if st.session_state["rd_trend"] not in opts:
            st.session_state["rd_trend"] = ""

        # Route and town of each segment, looked up once (not one table scan per option).
        first = net.segments.drop_duplicates("segment_id")
        seg_info = dict(zip(first["segment_id"], zip(first["route"], first["region_attr"])))

        def _fmt(o: str) -> str:     # selectbox options: plain text, not Markdown
            if not o:
                return "Whole region"
            kind, _, key = o.partition(":")
            if kind == "town":
                return f"{ws.level(level).label}: {names.get(key, key)}"
            route, town = seg_info[key]
            return f"Segment {key} ({route or ''}, {names.get(str(town), '')})"
        pick = st.selectbox("Trend for", opts, format_func=_fmt, key="rd_trend")
        kind, _, key = pick.partition(":")
        if kind == "seg":
            tr = R.segment_trend(tl, key)
            st.markdown(f"**{md(cfg.score_label)} of segment {md(key)} by survey year**")
            st.line_chart(tr.set_index("year")["score"], height=260)
        else:
            tr = R.area_trend(tl, net, scheme, region_id=key or None)
            where = names.get(key, key) if key else "the whole region"
            st.markdown(f"**{md(cfg.road_class)}: length-weighted {md(cfg.score_label)} and share of "
                        f"{md(uw)} good or better / poor, {md(where)}**")
            c1, c2 = st.columns(2)
            c1.line_chart(tr.set_index("year")[["mean_score"]], height=260)
            c2.line_chart(tr.set_index("year")[["good_share", "poor_share"]], height=260)
            ind = data.indicators(level)
            if cfg.trend_indicator and key and not ind.empty:
                ti = ind[(ind["indicator"] == cfg.trend_indicator) & (ind["region_id"] == key)]
                if not ti.empty:
                    st.markdown(f"**{md(cfg.trend_indicator)}, {md(where)}**")
                    st.line_chart(ti.set_index("year")["value"], height=200)
            st.dataframe(tr, hide_index=True, width="stretch")
        st.caption(f"From the survey timeline ({int(tl['year'].min())}–{int(tl['year'].max())}); "
                   "segments weighted by their length in the area.")

with t_change:
    tl = rd.timeline
    if tl is None or tl.empty or not has_lines:
        st.info("A change map needs a survey timeline ([roads.timeline]).")
    else:
        years = sorted(int(y) for y in tl["year"].unique())
        state.init("rd_year_a", years[0], options=years, parse=int)
        state.init("rd_year_b", years[-1], options=years, parse=int)
        c1, c2, c3 = st.columns([1, 1, 2])
        ya = c1.selectbox("From survey year", years, key="rd_year_a")
        yb = c2.selectbox("To survey year", years, key="rd_year_b")
        state.init("rd_change", False, parse=state.parse_bool)
        show_change = c3.toggle("Draw the change map", key="rd_change")
        if ya == yb:
            st.info("Pick two different years.")
        else:
            per_seg, per_area = R.change_between(tl, net, int(ya), int(yb))
            step = 1.0 if scheme.hi <= 10 else 20.0
            st.markdown(f"{len(per_seg):,} segments surveyed in both years: "
                        f"{int((per_seg > 0).sum()):,} better, {int((per_seg < 0).sum()):,} worse; "
                        f"median change {per_seg.median():+.2f} {md(cfg.score_label)}.")
            if show_change:
                cview = build_choropleth(layer.region_ids, per_area,
                                         title=f"Change in length-weighted {cfg.score_label}, {ya} → {yb}",
                                         unit=cfg.score_label, scheme="diverging", k=5,
                                         palette="PuOr", centre=0.0)
                enc = cache.road_lines(path)
                segs = net.segments.iloc[list(enc.rows)]
                d = segs["segment_id"].astype(str).map(per_seg)
                cid = change_class(d, step)
                labels = change_labels(step)
                counts = [int((cid == i).sum()) for i in range(len(CHANGE_CLASSES))]
                vals = lines_values(
                    cid, [c[2] for c in CHANGE_CLASSES], NO_DATA_LINE_COLOUR,
                    title=f"{cfg.score_label} change {ya} → {yb}",
                    legend=[(lab, c[2], f"{n:,}") for lab, c, n in zip(labels, CHANGE_CLASSES, counts)]
                    + [("No data", NO_DATA_LINE_COLOUR, f"{int((cid < 0).sum()):,}")],
                    tooltip_title=[r or f"Segment {s}" for r, s in zip(segs["route"].fillna(""), segs["segment_id"])],
                    tooltip_rows=[("Change", [f"{x:+.2f}" if pd.notna(x) else "not surveyed both years" for x in d]),
                                  ("Segment", list(segs["segment_id"]))])
                show_map(layer, cview, map_options(ws.settings), key="roads_change_map",
                         extra_layers=[RoadLines(enc, vals)])
                st.caption(f"Change between survey years {ya} and {yb}: towns by the change of "
                           f"their length-weighted mean {md(cfg.score_label)} (segments surveyed in "
                           "both years), lines by segment. " + md(rc.methodology))
            st.download_button("Download segment changes (CSV)",
                               _csv(per_seg.rename_axis("segment_id").reset_index()),
                               file_name=f"{ws.id}_road_change_{ya}_{yb}.csv", mime="text/csv",
                               key="dl_rd_change")

with t_invest:
    if not fund_tables:
        st.info("No funding table at this level to compare with road condition.")
    else:
        pers = ["mile", "resident"] if has_pop else ["mile"]
        state.init("rd_per", "mile", options=pers)
        per_len = "mile" if cfg.length_unit == "mi" else "km"
        per = st.radio("Funding measured", pers, key="rd_per", horizontal=True,
                       format_func=lambda p: "per resident" if p == "resident" else f"per {per_len} of road")
        pop = cache.values(path, replace(fund_spec, measure="per_capita")).population if has_pop \
            else pd.Series(dtype=float)
        inv = R.invest_ranking(table, funding, pop, names, per=per, unit=cfg.length_unit)
        st.markdown(f"Areas ranked where condition is worst and money least: the priority is the "
                    f"mean of the percentile of the poor share (higher = worse) and of the funding "
                    f"per {per if per == 'resident' else per_len} "
                    f"(lower = less money). Funding: {md(fund_label)}.")
        money_cols = [c for c in inv.columns if c.startswith("funding")]
        st.dataframe(inv, hide_index=True, width="stretch", key="rd_invest_table",
                     column_config={**{c: st.column_config.NumberColumn(format="dollar")
                                       for c in money_cols},
                                    "poor_share": st.column_config.NumberColumn(format="%.1f%%"),
                                    "good_share": st.column_config.NumberColumn(format="%.1f%%")})
        st.download_button("Download where-to-invest table (CSV)", _csv(inv),
                           file_name=f"{ws.id}_where_to_invest_{road_class}_{per}.csv",
                           mime="text/csv", key="dl_rd_invest")

with t_problems:
    st.markdown(f"**Input problems** ({len(rd.problems):,})")
    for p in rd.problems:
        st.text(p.text())
    if net is not None and len(net.outside):
        out = net.outside.assign(
            outside=net.outside["outside_m"] / R.METRES_PER[cfg.length_unit],
            route=net.segments["route"].to_numpy()[net.outside["_i"].to_numpy()])
        st.markdown(f"**Segments outside every {md(ws.level(level).label.lower())}** "
                    f"({len(out):,}; {out['outside'].sum():,.2f} {md(cfg.length_unit)} not counted)")
        st.dataframe(out[["segment_id", "route", "outside_m", "length_m", "outside"]]
                     .rename(columns={"outside": f"outside_{cfg.length_unit}"}),
                     hide_index=True, width="stretch")
    if net is not None and net.attribute_mismatch:
        st.caption(f"{net.attribute_mismatch:,} segments carry a region id that differs from the "
                   f"{md(ws.level(level).label.lower())} holding most of their length; the map uses "
                   "the geometry.")
    st.download_button("Download problems (CSV)", csv_bytes(problems_frame(rd.problems)),
                       file_name=f"{ws.id}_road_problems.csv", mime="text/csv",
                       key="dl_rd_problems")
