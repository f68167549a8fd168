"""One Map: how much money each area gets, how it is spread, and what it achieved."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata.dataset import vintage_note, region_detail
from geodata.files import csv_bytes
from geodata.join import diagnostics_csv, diagnostics_frame
from geodata.viewstate import ClassSpec, boundaries_only, colour_view
from ui import cache, controls, overlays, state
from ui.exports_panel import export_panel, remember_view
from ui.mapview import map_options, tracked_map
from ui.text import md, md_number

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws

spec = controls.measure_controls(data)
if spec is None:
    # Nothing to measure at this level: the boundaries (and any overlays) are still a map.
    level = st.session_state["level"]
    st.title(md(ws.level(level).plural))
    st.caption("No money or indicator at this level yet: the boundaries are drawn without "
               "values" + (", with the overlays chosen in the sidebar." if ws.overlays else "."))
    drawn = overlays.overlay_picker(data, path, level)
    layer = cache.encoded_layer(path, level)
    blank = boundaries_only(layer.region_ids, ws.level(level).plural)
    tracked_map(layer, colour_view(layer.region_ids, blank, ClassSpec()),
                map_options(ws.settings), key="one_map", level=level,
                overlays=overlays.payload(drawn))
    st.stop()
try:
    mv = cache.values(path, spec)
except ValueError as exc:
    st.error(md(str(exc)))
    st.stop()
cls = controls.class_controls(diverging=mv.diverging)
drawn = overlays.overlay_picker(data, path, spec.level)
layer = cache.encoded_layer(path, spec.level)
names = data.names(spec.level)

state.init("region", "")
if st.session_state["region"] and st.session_state["region"] not in names:
    st.session_state["region"] = ""
selected = st.session_state["region"] or None

view = colour_view(layer.region_ids, mv, cls, selected)

level_label = ws.level(spec.level).label.lower()
# The title and KPIs sit above the map but are filled in after it: the map goes to the
# browser first and starts loading while they are computed.
header = st.container()

# ---------------------------------------------------------------- map
clicked = tracked_map(layer, view, map_options(ws.settings), key="one_map", level=spec.level,
                      overlays=overlays.payload(drawn))
if clicked:
    st.session_state["region"] = clicked
    st.session_state["panel"] = "detail"
    st.rerun()

with header:
    # Every string below that comes from the workspace's files or the link goes through md():
    # titles, metric labels, values and help, captions and alerts all render Markdown.
    st.title(md(mv.label))

    # ---------------------------------------------------------------- KPIs
    k1, k2, k3, k4 = st.columns(4)
    n_with = int(mv.values.notna().sum())
    pop_total = float(mv.population.where(mv.values.notna()).sum()) if mv.population.notna().any() else 0.0
    if mv.join is not None:
        on_map = mv.join.placed_cents / 100
        k1.metric("Total on the map", md_number(on_map, ws.currency))
        if mv.overall is not None:      # per capita: the jurisdiction-wide rate, as mapped
            k2.metric("Overall rate", md_number(mv.overall, ws.currency),
                      help=f"All money over all residents, the way the map divides ({md(mv.unit)})")
        else:
            # Money and residents of the same regions: those with both.
            with_pop = mv.population.dropna()
            placed = mv.join.placed.set_index("region_id")["cents"]
            both = placed.index.intersection(with_pop.index)
            pop_sum = float(with_pop.reindex(both).sum())
            k2.metric("Per resident", md_number(placed.reindex(both).sum() / 100 / pop_sum,
                                                ws.currency) if pop_sum else "No data",
                      help="Money on the map over the residents of the same regions "
                           "(regions with a population)")
        k4.metric("Not placed on the map", md_number(mv.join.not_placed_cents / 100, ws.currency),
                  help="Rows whose region id is blank or matches no region; see Join diagnostics")
    else:
        k1.metric("Median", md_number(float(mv.values.median()), mv.unit))
        k2.metric("Population covered", f"{int(pop_total):,}" if pop_total else "No data")
        k4.metric("Values not placed", f"{len(mv.indicator_unmatched):,}",
                  help="Values whose region id is not in the boundary layer")
    k3.metric(f"{md(ws.level(spec.level).plural)} with data", f"{n_with:,} of {len(names):,}")

    vintage = vintage_note(data, spec)
    for note in mv.notes:
        (st.warning if note == vintage else st.caption)(md(note))
    state.show_ignored()
st.caption(f"{md(ws.title)} · {view.scheme.replace('_', ' ')} classes · "
           f"{md(ws.fiscal_year_text())} · click a {md(level_label)} for its detail")
overlays.captions(drawn)

state.to_url([key for key in controls.VIEW_KEYS] + ["average", "overlays"])
remember_view(data, path, "one_map")
export_panel(data, path)

# ---------------------------------------------------------------- below the map
# One section at a time (not tabs): tabs would send every table to the browser on each rerun
# and hold back the map's first paint.
PANELS = {"detail": "Region detail", "diagnostics": "Join diagnostics", "data": "Data"}
state.init("panel", None, options=[None, *PANELS])
panel = st.segmented_control("Below the map", list(PANELS), format_func=PANELS.get, key="panel",
                             label_visibility="collapsed")
state.to_url(["panel"])
if panel is None:
    st.caption(f"Click a {md(level_label)} on the map for its detail, or open a section above.")

if panel == "detail":
    options = [""] + sorted(names, key=lambda r: names[r])
    # The picker mirrors the "region" state (a click on the map sets it too).
    st.session_state["region_pick"] = st.session_state["region"]
    # The label renders Markdown; the options (region names) are plain text.
    st.selectbox(md(ws.level(spec.level).label), options, key="region_pick",
                 on_change=lambda: st.session_state.update(region=st.session_state["region_pick"]),
                 format_func=lambda r: names.get(r, "— pick one, or click the map —") if r else
                 "— pick one, or click the map —")
    rid = st.session_state["region"]
    if rid:
        det = region_detail(data, spec, rid)
        value = mv.values.get(rid)
        rank = mv.values.rank(ascending=False, method="min").get(rid)
        st.subheader(md(det.name))
        c1, c2, c3 = st.columns(3)
        c1.metric(md(mv.label), md_number(value, mv.unit))
        c2.metric("Rank", f"{int(rank):,} of {n_with:,}" if pd.notna(rank) else "—")
        popv = mv.population.get(rid)
        c3.metric("Population", f"{int(popv):,}" if pd.notna(popv) else "No data")
        if not det.by_year.empty:
            st.markdown("**Amount by fiscal year** (all years, same agencies)")
            st.bar_chart(det.by_year.set_index("fiscal_year")["amount"], height=220)
        if not det.by_agency.empty:
            st.markdown("**By agency** (selected years)")
            st.dataframe(det.by_agency, hide_index=True, width="stretch",
                         column_config={"amount": st.column_config.NumberColumn(format="dollar")})
        if not det.indicators.empty:
            st.markdown("**Outcome indicators**")
            st.dataframe(det.indicators, hide_index=True, width="stretch")

elif panel == "diagnostics":
    jr = mv.join
    if jr is not None:
        rec = jr.reconciliation()
        ok = "✅ reconciles" if jr.reconciles else "❌ does not reconcile"

        def exact(v: float) -> str:  # to the cent, as the line claims
            s = f"{abs(v):,.2f}"
            # "\$": two dollar signs in one st.markdown would typeset the text between as maths
            return ("−" if v < 0 else "") + (f"\\${s}" if ws.currency == "USD" else f"{s} {md(ws.currency)}")
        st.markdown(
            f"**On the map** {exact(rec['on_map'])} "
            f"+ **not placed** {exact(rec['not_placed'])} "
            f"= **ledger total** {exact(rec['ledger_total'])} "
            f"— {ok} to the cent")
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(f"**Keys that matched no {md(level_label)}** ({len(jr.unmatched):,})")
            st.dataframe(jr.unmatched, hide_index=True, width="stretch")
            st.markdown(f"**Rows with a blank key**: {jr.blank_rows:,} row(s), "
                        f"{md_number(jr.blank_cents / 100, ws.currency, compact=False)}")
        with c2:
            st.markdown(f"**{md(ws.level(spec.level).plural)} with no data** "
                        f"({len(jr.regions_without_data):,})")
            st.dataframe(jr.regions_without_data, hide_index=True, width="stretch")
    else:
        unmatched = mv.indicator_unmatched
        st.markdown(f"**Values whose key matched no {md(level_label)}** ({len(unmatched):,})")
        st.dataframe(unmatched.rename("value").reset_index(), hide_index=True)
        missing = [r for r in layer.region_ids if pd.isna(mv.values.get(r))]
        st.markdown(f"**{md(ws.level(spec.level).plural)} with no value** ({len(missing):,})")
        st.dataframe(pd.DataFrame({"region_id": missing, "name": [names[r] for r in missing]}),
                     hide_index=True)
    problems = data.problems_for(spec)
    dups = [p for p in problems if p.code == "duplicate_key"]
    st.markdown(f"**Duplicate keys** ({sum(p.row_count for p in dups):,} row(s))")
    for p in dups:
        st.text(p.text())
    others = [p for p in problems if p.code != "duplicate_key"]
    if others:
        st.markdown("**Other input problems in these tables**")
        for p in others:
            st.text(p.text())
    diag = diagnostics_frame(jr, problems, names)
    st.download_button("Download diagnostics (CSV)", diagnostics_csv(diag),
                       file_name=f"{ws.id}_{spec.level}_diagnostics.csv", mime="text/csv",
                       key="dl_diag")

elif panel == "data":
    table = pd.DataFrame({
        "region_id": list(view.region_ids), "name": [names[r] for r in view.region_ids],
        "value": view.values.to_numpy(), "unit": mv.unit,
        "class": [e + 1 if e >= 0 else None for e in view.class_ids.tolist()],
        "colour": view.colours(),
        "population": mv.population.reindex(list(view.region_ids)).to_numpy(),
    })
    table["rank"] = table["value"].rank(ascending=False, method="min")
    st.dataframe(table.sort_values("rank"), hide_index=True, width="stretch")
    st.download_button("Download map data (CSV)", csv_bytes(table),
                       file_name=f"{ws.id}_{spec.level}_map_data.csv", mime="text/csv",
                       key="dl_table")
