"""Per capita: which areas received the most per resident over a span of years, and how that changed."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geodata import measures as M
from geodata.workspace import plural_of
from geodata.dataset import MeasureSpec, vintage_note
from geodata.files import csv_bytes
from layers.assets import localize_folium
from layers.choropleth import build_choropleth
from layers.classify import format_number
from layers.palettes import palette_names
from layers.render_compare import build_compare_map
from layers.render_timeslider import build_time_map, frame_views
from ui import cache, controls, overlays, state
from ui.mapview import map_options, show_map
from ui.text import md, md_number

PC_KEYS = ["ws", "pc_level", "pc_parent", "pc_table", "pc_years", "pc_agencies", "pc_per",
           "pc_average", "pc_relative", "pc_fixed", "pc_small", "pc_flag", "pc_scheme", "pc_k",
           "pc_palette", "pc_view", "pc_from", "pc_to", "pc_change", "pc_cmp", "pc_left",
           "pc_right", "pc_overlays"]
VIEWS = {"time": "Over time", "change": "Change between two years", "compare": "Side by side"}
FLAG_LABELS = {"hatch": "Hatched", "grey": "Greyed out", "none": "Not marked"}
PER_LABELS = {"auto": "Automatic", "1": "Per resident", "1000": "Per 1,000 residents"}
SCHEMES = {"quantiles": "Quantiles (equal counts)", "equal_interval": "Equal intervals",
           "natural_breaks": "Natural breaks"}


def _show(m, key: str, height: int) -> str | None:
    localize_folium(m, base_url_path=st.get_option("server.baseUrlPath") or "")
    out = st_folium(m, height=height, use_container_width=True, key=key,
                    returned_objects=["last_active_drawing"])
    props = ((out or {}).get("last_active_drawing") or {}).get("properties") or {}
    rid = props.get("region_id")
    return str(rid) if rid is not None else None


def money_columns(frame: pd.DataFrame, money: str) -> dict:
    """Column formats: amounts in the currency, percents with one decimal."""
    fmt_ = "dollar" if money == "USD" else "localized"
    out = {}
    for c in frame.columns:
        if c == "change %":
            out[c] = st.column_config.NumberColumn(format="%.1f%%")
        elif c == "population":
            out[c] = st.column_config.NumberColumn(format="localized")
        elif pd.api.types.is_float_dtype(frame[c]) and c != "rank":
            out[c] = st.column_config.NumberColumn(format=fmt_)
    return out


def plural(label: str) -> str:
    return plural_of(label).lower()


data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
sb = st.sidebar
fy = ws.fiscal_year_label

# ------------------------------------------------------------------ where we are (drill-down)
levels = [lv.id for lv in ws.levels if not data.population(lv.id).empty and
          data.allocation_tables(lv.id)]
st.title("Per resident")
if not levels:
    st.info("This workspace has no level with both funding and population, so there is no "
            "per-resident view. Add a population table for a level that has allocations.")
    st.stop()
default_level = ws.default_level if ws.default_level in levels else levels[0]
state.init("pc_level", default_level, options=levels)
state.init("pc_parent", "")
drill_to = st.session_state.pop("_pc_drill", None)
if drill_to:
    st.session_state["pc_level"], st.session_state["pc_parent"] = drill_to
level = st.session_state["pc_level"]
lv = ws.level(level)
parent = st.session_state["pc_parent"]
if parent and (not lv.parent_level or parent not in data.names(lv.parent_level)):
    parent = st.session_state["pc_parent"] = ""
children = [c.id for c in ws.levels if c.parent_level == level and c.id in levels]

sb.radio("Level", levels, format_func=lambda i: md(ws.level(i).label), key="pc_level",
         horizontal=True, on_change=lambda: st.session_state.update(pc_parent=""))

if parent:
    crumbs = [f"All {plural(ws.level(lv.parent_level).label)}",
              data.names(lv.parent_level)[parent]]
else:
    crumbs = [f"All {plural(lv.label)}"]
bc1, bc2 = st.columns([4, 1])
bc1.markdown("**You are here:** " + " › ".join(md(c) for c in crumbs))


def _go(level_id: str, parent_id: str) -> None:
    st.session_state["pc_level"], st.session_state["pc_parent"] = level_id, parent_id
    st.session_state["pc_drill"] = ""


if parent:
    bc2.button(f"⬆ Back to all {md(plural(ws.level(lv.parent_level).label))}", key="pc_up",
               on_click=_go, args=(lv.parent_level, ""))

# ------------------------------------------------------------------ funding, years, rate
tables = data.allocation_tables(level)
tids = [t.id for t in tables]
tlabels = {t.id: t.display_label for t in tables}
state.init("pc_table", tids[0], options=tids)
table = sb.selectbox("Funding table", tids, format_func=tlabels.get, key="pc_table")
lo, hi = data.years(table)
year_opts = list(range(lo, hi + 1))
# The span widget gets its start value as ``value=`` (a range), never through session state:
# a select_slider whose value only came from session state reads back a single year.
cur = st.session_state.get("pc_years")
if cur is not None and not (isinstance(cur, (tuple, list)) and len(cur) == 2 and
                            cur[0] in year_opts and cur[1] in year_opts):
    del st.session_state["pc_years"]
start_span = (lo, hi)
if "pc_years" not in st.session_state and "pc_years" in st.query_params:
    try:
        a, b = state.parse_span(st.query_params["pc_years"])
        if a in year_opts and b in year_opts:
            start_span = (a, b)
        else:
            raise ValueError
    except (TypeError, ValueError):
        st.session_state.setdefault("_ignored_params", {})["pc_years"] = \
            f"{state.quote(st.query_params['pc_years'])} (not available here)"
if len(year_opts) > 1:
    span = sb.select_slider("Fiscal years", options=year_opts, value=start_span, key="pc_years",
                            format_func=lambda y: md(f"{fy}{y}"))
else:
    span = (lo, hi)
    sb.caption(f"Fiscal year: {md(fy)}{lo} (the only year in this table)")
span = (int(span[0]), int(span[1]))
agencies_all = data.agencies(table)
agencies = None
if agencies_all:
    state.init_list("pc_agencies", [], options=agencies_all)
    agencies = tuple(sb.multiselect("Agencies (none = all)", agencies_all, key="pc_agencies")) or None
state.init("pc_average", False, parse=state.parse_bool)
average = sb.toggle("Average per year (instead of the cumulative sum)", key="pc_average",
                    disabled=span[0] == span[1])
average = bool(average and span[0] != span[1])
state.init("pc_per", "auto", options=list(PER_LABELS))
per_choice = sb.radio("Rate", list(PER_LABELS), format_func=PER_LABELS.get, key="pc_per",
                      horizontal=True, help="Automatic uses per 1,000 residents when the typical "
                      "rate is under one unit per resident")

with sb.expander("Honest rates and classes", expanded=False):
    state.init("pc_small", 5000, parse=int)
    small = st.number_input("Flag regions with fewer residents than", min_value=0, step=1000,
                            key="pc_small", help="Rates of small populations are unstable")
    state.init("pc_flag", "hatch", options=list(FLAG_LABELS))
    flag_style = st.radio("Show flagged regions", list(FLAG_LABELS), format_func=FLAG_LABELS.get,
                          key="pc_flag", horizontal=True)
    state.init("pc_relative", False, parse=state.parse_bool)
    relative = st.toggle("Difference from the overall rate", key="pc_relative",
                         help="Diverging colours centred on the jurisdiction-wide rate, not on zero")
    state.init("pc_fixed", True, parse=state.parse_bool)
    fixed = st.toggle("Same classes in every year", key="pc_fixed",
                      help="Off: class breaks are recomputed for each year")
    state.init("pc_scheme", "quantiles", options=list(SCHEMES))
    scheme = st.selectbox("Classification", list(SCHEMES), format_func=SCHEMES.get, key="pc_scheme")
    state.init("pc_k", 5, parse=int)
    if not 3 <= int(st.session_state["pc_k"]) <= 9:
        st.session_state["pc_k"] = 5
    k = int(st.slider("Number of classes", 3, 9, key="pc_k"))
    kind = "diverging" if relative else "sequential"
    pals = palette_names(kind)
    default_pal = "RdBu" if relative else "YlGnBu"
    state.init("pc_palette", default_pal, options=pals)
    if st.session_state["pc_palette"] not in pals:
        st.session_state["pc_palette"] = default_pal
    palette = st.selectbox("Palette (colour-blind safe)", pals, key="pc_palette")
drawn = overlays.overlay_picker(data, path, level, key="pc_overlays")

# ------------------------------------------------------------------ values
spec = MeasureSpec(level=level, measure="per_capita", table=table, span=span, agencies=agencies,
                   per=1, average=average)
try:
    mv = cache.values(path, spec)
    per = int(per_choice) if per_choice != "auto" else M.suggest_per(mv.values)
    if per != 1:
        spec = replace(spec, per=per)
        mv = cache.values(path, spec)
except ValueError as exc:
    st.error(md(str(exc)))
    st.stop()

if parent:
    b = data.boundaries(level)
    visible = b.loc[b["parent_id"].astype("string") == parent, "region_id"].astype(str).tolist()
    layer = cache.encoded_children(path, level, parent)
else:
    visible = data.boundaries(level)["region_id"].astype(str).tolist()
    layer = cache.encoded_layer(path, level)
ids = list(layer.region_ids)
names = data.names(level)
pop_all = data.population(level)


def overall(m, s: MeasureSpec) -> float:
    """The jurisdiction-wide rate of the regions shown (a state's counties after drilling)."""
    if not parent:
        return float(m.overall) if m.overall is not None else float("nan")
    return M.overall_rate(m.amounts_by_year, pop_all, s.span, average=s.average, per=s.per,
                          region_ids=visible)


unit = mv.unit                     # e.g. "USD per resident"
money_unit = ws.table(table).unit or ws.currency
rate_word = "per resident" if per == 1 else f"per {per:,} residents"


def fmt(x: float) -> str:
    return f"{format_number(x, money_unit)} {rate_word}"



span_text = f"{fy}{span[0]}" if span[0] == span[1] else f"{fy}{span[0]}–{fy}{span[1]}"
years = list(range(span[0], span[1] + 1))
frame_specs = {y: replace(spec, span=(y, y), average=False) for y in years}
frames = {y: cache.values(path, frame_specs[y]) for y in years}
frame_vals = {y: frames[y].values.reindex(ids) for y in years}
frame_pop = {y: frames[y].population.reindex(ids) for y in years}
span_vals = mv.values.reindex(ids)
span_pop = mv.population.reindex(ids)
overall_span = overall(mv, spec)
centres = {y: overall(frames[y], frame_specs[y]) for y in years} if relative else None
if relative and any(pd.isna(c) for c in centres.values()):
    st.warning("Some years have no population at all, so there is no overall rate to centre on; "
               "showing plain rates.")
    relative, centres = False, None
    palette = "YlGnBu"

st.subheader(f"{md(tlabels[table])} {md(rate_word)}, {md(span_text)}"
             + (" (average per year)" if average else (" (cumulative)" if len(years) > 1 else "")))
where = crumbs[1] if parent else ""
st.caption(f"Unit: **{md(unit)}**. Each year's amount is divided by that year's population"
           + (f"; {md(where)} only." if where else "."))
vintage = vintage_note(data, spec)
for note in mv.notes:
    (st.warning if note == vintage else st.caption)(md(note))
state.show_ignored()

# ------------------------------------------------------------------ headline
flag_span = M.small_population(span_pop, small) if small else pd.Series(False, index=ids)
ranked = span_vals.dropna().sort_values(ascending=False)
k1, k2, k3, k4 = st.columns(4)
k1.metric(f"Overall rate ({md(rate_word)})", md_number(overall_span, money_unit),
          help="All money over all residents of the regions shown, year by year")
if len(ranked):
    k2.metric(f"Highest ({md(rate_word)})", md_number(ranked.iloc[0], money_unit),
              md(names.get(ranked.index[0], "")),
              delta_color="off")
    k3.metric(f"Lowest ({md(rate_word)})", md_number(ranked.iloc[-1], money_unit),
              md(names.get(ranked.index[-1], "")),
              delta_color="off")
k4.metric(f"Small populations (< {int(small):,})", f"{int(flag_span.sum()):,} of {len(ids):,}")
no_data = [r for r in ids if pd.isna(span_vals.get(r))]
if no_data:
    st.caption(f"No data for {len(no_data):,} {md(lv.label.lower())}(s) (no population, or no money "
               "and no population): " + ", ".join(md(names[r]) for r in no_data[:8]) +
               (" …" if len(no_data) > 8 else ""))

state.init("pc_view", "time", options=list(VIEWS))
view_mode = st.radio("View", list(VIEWS), format_func=VIEWS.get, key="pc_view", horizontal=True)
opts = map_options(ws.settings, height=560)
flag_label = f"Fewer than {int(small):,} residents (unstable rate)"
title_for = {y: f"{tlabels[table]} {rate_word}, {fy}{y}" for y in years}


def centre_note(c: float) -> str:
    return f"Centre (white) = overall rate {fmt(c)}"


clicked = None
if view_mode == "time":
    views = frame_views(ids, frame_vals, titles=title_for, unit=money_unit, subtitle=unit,
                        scheme=scheme, k=k, palette=palette, fixed=fixed, centres=centres,
                        population=frame_pop)
    flags = [M.small_population(frame_pop[y], small).tolist() if small else None for y in years]
    m = build_time_map(layer, views, [f"{fy}{y}" for y in years], opts, start=0,
                       flags=None if not small else flags, flag_style=flag_style,
                       flag_label=flag_label,
                       centre_texts=[centre_note(centres[y]) for y in years] if centres else None)
    overlays.add_to_folium(m, drawn)
    clicked = _show(m, "pc_time_map", opts.height)
    overlays.captions(drawn)
    st.caption(f"Press ▶ Play or drag the slider to step through the years. Classes are "
               f"{'the same in every year' if fixed else 'recomputed for each year'}"
               f"{'; colours are centred on each year’s overall rate' if relative else ''}."
               + (f" Click a {md(lv.label.lower())} to see its "
                  f"{md(plural(ws.level(children[0]).label))}."
                  if children else ""))
    # ranking over the span, with the change from the first to the last year
    first, last = frame_vals[years[0]], frame_vals[years[-1]]
    tbl = pd.DataFrame({
        "name": [names[r] for r in ids], f"{span_text} ({unit})": span_vals.to_numpy(),
        "rank": span_vals.rank(ascending=False, method="min").to_numpy(),
        f"vs overall ({unit})": (span_vals - overall_span).to_numpy(),
        f"{fy}{years[0]}": first.to_numpy(), f"{fy}{years[-1]}": last.to_numpy(),
        "change %": M.change_between(first, last)["percent"].reindex(ids).to_numpy(),
        "population": span_pop.to_numpy(),
        "small population": flag_span.reindex(ids).to_numpy(),
    }, index=pd.Index(ids, name="region_id"))
    st.markdown(f"**Ranking, {md(span_text)}** — highest {md(rate_word)} first")
    st.dataframe(tbl.sort_values("rank"), width="stretch", key="pc_rank_table",
                 column_config=money_columns(tbl, money_unit))
    st.download_button("Download (CSV)", csv_bytes(tbl, index=True),
                       file_name=f"{ws.id}_{level}_per_resident.csv", mime="text/csv",
                       key="pc_dl_rank")

elif view_mode == "change":
    ylabels = {y: f"{fy}{y}" for y in years}
    if len(years) < 2:
        st.info("Choose a span of at least two years to see a change.")
    else:
        c1, c2, c3 = st.columns(3)
        state.init("pc_from", years[0], options=years, parse=int)
        state.init("pc_to", years[-1], options=years, parse=int)
        y0 = c1.selectbox("From", years, format_func=ylabels.get, key="pc_from")
        y1 = c2.selectbox("To", years, format_func=ylabels.get, key="pc_to")
        state.init("pc_change", "amount", options=["amount", "percent"])
        how = c3.radio("Change in", ["amount", "percent"], key="pc_change", horizontal=True,
                       format_func={"amount": md(unit), "percent": "percent"}.get)
        ch = M.change_between(frame_vals[y0], frame_vals[y1])
        cunit = money_unit if how == "amount" else "%"
        title = f"Change {ylabels[y0]} → {ylabels[y1]}, {rate_word}"
        view = build_choropleth(ids, ch[how], title=title, unit=cunit, scheme="diverging", k=k,
                                palette="RdBu", centre=0.0, population=frame_pop[y1],
                                subtitle=f"change in {unit if how == 'amount' else '%'}")
        clicked = show_map(layer, view, opts, key="pc_change_map", overlays=overlays.payload(drawn))
        overlays.captions(drawn)
        st.caption("Diverging colours centred on no change; blue = more per resident, red = less. "
                   "Regions without a rate in either year are No data.")
        out = pd.DataFrame({"name": [names[r] for r in ids],
                            f"{ylabels[y0]} ({unit})": ch["first"].reindex(ids).to_numpy(),
                            f"{ylabels[y1]} ({unit})": ch["second"].reindex(ids).to_numpy(),
                            f"change ({unit})": ch["amount"].reindex(ids).to_numpy(),
                            "change %": ch["percent"].reindex(ids).to_numpy()},
                           index=pd.Index(ids, name="region_id"))
        out = out.sort_values(f"change ({unit})" if how == "amount" else "change %",
                              ascending=False, na_position="last")
        st.dataframe(out, width="stretch", key="pc_change_table",
                     column_config=money_columns(out, money_unit))

else:  # side by side
    modes = {"years": "Two years"}
    other_tables = [t for t in tids if t != table]
    if other_tables:
        modes["tables"] = "Two funding tables"
    if agencies_all:
        modes["agencies"] = "Two agencies"
    state.init("pc_cmp", "years", options=list(modes))
    cmp = st.radio("Compare", list(modes), format_func=modes.get, key="pc_cmp", horizontal=True)
    c1, c2 = st.columns(2)
    if cmp == "years":
        opts_lr = years
        fmt_lr = lambda y: f"{fy}{y}"  # noqa: E731
        parse = int
    elif cmp == "tables":
        opts_lr = tids
        fmt_lr = tlabels.get
        parse = str
    else:
        opts_lr = agencies_all
        fmt_lr = str
        parse = str
    state.init("pc_left", opts_lr[0], options=opts_lr, parse=parse)
    state.init("pc_right", opts_lr[-1] if len(opts_lr) > 1 else opts_lr[0], options=opts_lr,
               parse=parse)
    left = c1.selectbox("Left map", opts_lr, format_func=fmt_lr, key="pc_left")
    right = c2.selectbox("Right map", opts_lr, format_func=fmt_lr, key="pc_right")
    same = left == right
    if same and cmp == "years" and len(years) == 1:
        ways = ["widen the span of fiscal years in the sidebar"] if len(year_opts) > 1 else []
        others = [modes[m].lower() for m in modes if m != "years"]
        if others:
            ways.append("compare " + " or ".join(others) + " (“Compare” above)")
        st.info(f"Both maps show {md(str(fmt_lr(left)))}: it is the only fiscal year in the "
                "chosen span" + (" and in this table" if len(year_opts) == 1 else "") + ". "
                + (f"To see a difference, {', or '.join(ways)}." if ways else
                   "There is nothing else to compare at this level: one funding table, "
                   "without agencies."))
    elif same:
        what = {"years": "year", "tables": "funding table", "agencies": "agency"}[cmp]
        st.info(f"Both maps show {md(str(fmt_lr(left)))}: choose another {what} for the left "
                "or the right map to compare.")
    # column labels of the two sides; told apart when the two choices read the same
    lab_l, lab_r = str(fmt_lr(left)), str(fmt_lr(right))
    if lab_l == lab_r:
        lab_l, lab_r = f"{lab_l} (left)", f"{lab_r} (right)"

    def side(choice) -> MeasureSpec:
        if cmp == "years":
            return frame_specs[choice]
        if cmp == "tables":
            return replace(spec, table=choice, agencies=None)
        return replace(spec, agencies=(choice,))

    try:
        sl, sr = side(left), side(right)
        ml, mr = cache.values(path, sl), cache.values(path, sr)
    except ValueError as exc:
        st.error(md(str(exc)))
        st.stop()
    vals = {"L": ml.values.reindex(ids), "R": mr.values.reindex(ids)}
    cen = {"L": overall(ml, sl), "R": overall(mr, sr)} if relative else None
    views = frame_views(ids, vals, titles={"L": lab_l, "R": lab_r},
                        unit=money_unit, subtitle=unit, scheme=scheme, k=k, palette=palette, fixed=True, centres=cen,
                        population={"L": ml.population.reindex(ids),
                                    "R": mr.population.reindex(ids)})
    fl = [M.small_population(x.population.reindex(ids), small).tolist() if small else None
          for x in (ml, mr)]
    m = build_compare_map(layer, views[0], views[1], opts, titles=(lab_l, lab_r),
                          flags=fl, flag_style=flag_style, flag_label=flag_label)
    clicked = _show(m, "pc_compare_map", opts.height)
    if drawn:
        st.caption("Overlays are drawn on the other views, not on the side-by-side maps.")
    st.caption("Both maps use the same classes and move together. " +
               ("" if cmp == "years" else f"Each side: {md(span_text)}"
                f"{', average per year' if average else ''}."))
    if not same:
        mov = M.movers(vals["L"], vals["R"])
        mov.insert(0, "name", [names[r] for r in mov.index])
        mov = mov.rename(columns={"left": f"{lab_l} ({unit})",
                                  "right": f"{lab_r} ({unit})",
                                  "change": f"change ({unit})", "percent": "change %"})
        st.markdown("**Regions that moved most** (places in the ranking, then amount)")
        st.dataframe(mov, width="stretch", key="pc_movers",
                     column_config=money_columns(mov, money_unit))

# ------------------------------------------------------------------ drill-down
if children and not parent:
    child = ws.level(children[0])
    drill_opts = [""] + sorted(ids, key=lambda r: names[r])
    st.selectbox(f"Show the {md(plural(child.label))} of", drill_opts, key="pc_drill",
                 format_func=lambda r: names.get(r, f"— pick a {lv.label.lower()} —") if r else
                 f"— pick a {lv.label.lower()}, or click the map —",
                 on_change=lambda: _go(child.id, st.session_state["pc_drill"])
                 if st.session_state["pc_drill"] else None)
    if clicked in names and clicked != st.session_state.get("_pc_last_click"):
        st.session_state["_pc_last_click"] = clicked
        st.session_state["_pc_drill"] = (child.id, clicked)
        st.rerun()

state.to_url(PC_KEYS)
