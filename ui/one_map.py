"""The parts of the One map page around the map: the header (title, key figures, notes), the
sentence shown instead of a map that would be empty, and the sections below the map (region
detail, join diagnostics, the data table)."""
from __future__ import annotations

import math
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geodata.dataset import MapValues, MeasureSpec, WorkspaceData, region_detail, vintage_note
from geodata.figures import KeyFigures
from geodata.files import csv_bytes
from geodata.join import diagnostics_csv, diagnostics_frame
from layers.choropleth import ChoroplethView
from layers.classify import format_number
from locales import N_, t

from . import figures as shown
from . import auth, controls, state
from .exports_panel import current_params
from .text import md, md_number

SCHEMES = {"quantiles": N_("quantile classes"), "equal_interval": N_("equal-interval classes"),
           "natural_breaks": N_("natural-breaks classes"),
           "fisher_jenks_sampled": N_("Fisher–Jenks classes (sampled)"),
           "user_defined": N_("classes at your own breaks"),
           "diverging": N_("classes diverging around a centre"),
           "box_map": N_("box map classes (outliers apart)"),
           "percentiles": N_("percentile classes"),
           "head_tail": N_("head/tail breaks")}
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))
PANELS = {"detail": N_("Region detail"), "diagnostics": N_("Join diagnostics"),
          "data": N_("Data")}


# ------------------------------------------------------------------------------- header
def fiscal_year_sentence(data: WorkspaceData, year: int) -> str:
    """What a fiscal year covers, for the view's last year ("FY2024: October 2023 to
    September 2024")."""
    ws = data.ws
    start = ws.fiscal_year_start_month
    fy = f"{ws.fiscal_year_label}{year}"
    if start == 1:
        return t("{fy} is the calendar year {year}", fy=fy, year=str(year))
    return t("{fy}: {start} {first} to {end} {year}", fy=fy, start=t(MONTHS[start - 1]),
             first=str(year - 1), end=t(MONTHS[(start - 2) % 12]), year=str(year))


def empty_sentence(data: WorkspaceData, spec: MeasureSpec, mv: MapValues,
                   figures: KeyFigures) -> tuple[str, tuple[str, ...]] | None:
    """Why the map would show nothing and what to do, as Markdown, with the notes to show
    with it; None when the map has something to show."""
    if not (figures.no_money or figures.with_data == 0):
        return None
    # No money for these years and agencies: the sentence the sidebar shows beside the choice
    # (the measure's own note says the same, so it is not repeated).
    said = controls.empty_note(data, spec)
    if said:
        return said, ()
    return t("None of the {regions} has a value in this view, so there is nothing to map.",
             regions=md(data.ws.level(spec.level).plural)), tuple(mv.notes)


def header(data: WorkspaceData, spec: MeasureSpec, mv: MapValues, figures: KeyFigures,
           empty: object) -> None:
    """Title, key figures, notes and the link parameters that were ignored. An empty map has
    no figures: its sentence and the notes, where the map would be, say why. Every string
    from the workspace's files goes through md()."""
    st.title(md(mv.label))
    if empty is None:
        shown.metrics(figures)
        vintage = vintage_note(data, spec)
        for note in mv.notes:
            (st.warning if note == vintage else st.caption)(md(note))
    state.show_ignored()


def empty_state(text: str, notes=()) -> None:
    """Where the map would be: what the data lacks (the measure's notes) and what to do
    (``text`` is Markdown, data text in it escaped)."""
    with st.container(border=True, key="one_map_empty"):
        for note in notes:
            st.markdown(md(note))
        st.info(text, icon=":material/map:")


def caption(data: WorkspaceData, spec: MeasureSpec, view: ChoroplethView, *,
            clickable: bool = True) -> None:
    """Workspace, classes and what the fiscal year covers (and, under a map, that a click
    opens a region's detail)."""
    ws = data.ws
    level = ws.level(spec.level).label.lower()
    scheme = SCHEMES.get(view.scheme)
    year = spec.span[1] if spec.span else spec.indicator_year
    parts = [md(ws.title), t(scheme) if scheme else md(view.scheme)]
    if year and spec.measure != "indicator":
        parts.append(md(fiscal_year_sentence(data, int(year))))
    if clickable:
        parts.append(t("click a {level} for its detail", level=md(level)))
    st.caption(" · ".join(parts))


# ------------------------------------------------------------------------------ outliers
def mark(view: ChoroplethView, mv: MapValues, spec_text: str | None = None):
    """``view`` with the outliers of "Mark outliers" outlined (``spec_text``: the link text,
    default the control's choice), as every export marks them
    (:func:`analysis.outliers.mark_outliers`). Returns ``(view, result)``: see there."""
    from analysis.outliers import mark_outliers

    if spec_text is None:
        spec_text = st.session_state.get("outliers", "")
    return mark_outliers(view, mv.values, mv.unit, spec_text)


def outlier_list(data: WorkspaceData, spec: MeasureSpec, mv: MapValues, result, *,
                 key: str = "outliers_list") -> None:
    """Under the map: the rule in a sentence and the regions it flags with how far out they
    are (in an expander); or why no region could be marked."""
    from geodata.problems import Text

    if result is None:
        return
    if isinstance(result, Text):
        st.warning(t("Outliers are not marked: {reason}", reason=md(str(result))),
                   icon=":material/warning:")
        return
    names = data.names(spec.level)
    n, total = len(result.outliers), result.n
    st.caption(md(str(result.method)))
    for problem in result.problems:
        st.caption(md(str(problem)))
    if not n:
        st.caption(t("No region is an outlier by this rule."))
        return
    with st.expander(t("{n} of {total} regions are outliers (outlined on the map)",
                       n=f"{n:,}", total=f"{total:,}")):
        st.dataframe(outlier_table(result, names, mv.unit), hide_index=True, width="stretch",
                     key=key)


def outlier_table(result, names: dict[str, str], unit: str) -> pd.DataFrame:
    """The flagged regions, farthest out first: name, value, side, how far out."""
    side = {"high": t("High"), "low": t("Low")}
    return pd.DataFrame({
        t("Region"): [names.get(o.id, o.id) for o in result.outliers],
        t("Value"): [format_number(o.value, unit) for o in result.outliers],
        t("Side"): [side[o.side] for o in result.outliers],
        result.score_label(): [round(o.score, 2) for o in result.outliers],
        t("Region id"): [o.id for o in result.outliers],
    })


# ------------------------------------------------------------------------- below the map
def below_the_map(data: WorkspaceData, spec: MeasureSpec, mv: MapValues, view: ChoroplethView,
                  region_ids, marks=None) -> None:
    """One section at a time (not tabs): tabs would send every table to the browser on each
    rerun and hold back the map's first paint. ``marks``: the outliers outlined on the map
    (:func:`mark`), whose scores the data table shows."""
    level = data.ws.level(spec.level).label.lower()
    state.init("panel", None, options=[None, *PANELS])
    panel = st.segmented_control(t("Below the map"), list(PANELS),
                                 format_func=lambda k: t(PANELS[k]), key="panel",
                                 label_visibility="collapsed")
    state.to_url(["panel"])
    if panel is None:
        st.caption(t("Click a {level} on the map for its detail, or open a section above.",
                     level=md(level)))
    elif panel == "detail":
        detail(data, spec, mv)
    elif panel == "diagnostics":
        diagnostics(data, spec, mv, region_ids)
    else:
        data_table(data, spec, mv, view, marks)


def _nice_ticks(top: float, n: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2, 2.5 or 5 times a power of ten)."""
    if not math.isfinite(top) or top <= 0:
        return [0.0]
    raw = top / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def amount_chart(by_year: pd.DataFrame, unit: str, fy_label: str):
    """Bars of money by fiscal year with an axis in compact money ("$15B"), the labels written
    by the app's one number formatter."""
    import altair as alt

    frame = pd.DataFrame({"year": [f"{fy_label}{int(y)}" for y in by_year["fiscal_year"]],
                          "amount": pd.to_numeric(by_year["amount"], errors="coerce"),
                          "text": [format_number(a, unit) for a in by_year["amount"]]})
    ticks = _nice_ticks(float(frame["amount"].max()) if len(frame) else 0.0)
    labels = " : ".join(f"datum.value == {v!r} ? {format_number(v, unit)!r}" for v in ticks)
    expr = f"{labels} : ''" if labels else "''"
    return alt.Chart(frame).mark_bar(color="#2c7fb8").encode(
        x=alt.X("year:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("amount:Q", title=t("Amount"), axis=alt.Axis(values=ticks, labelExpr=expr),
                scale=alt.Scale(domain=[0, ticks[-1]])),
        tooltip=[alt.Tooltip("year:O", title=t("Fiscal year")),
                 alt.Tooltip("text:N", title=t("Amount"))],
    ).properties(height=240)


def detail(data: WorkspaceData, spec: MeasureSpec, mv: MapValues) -> None:
    ws = data.ws
    names = data.names(spec.level)
    options = [""] + sorted(names, key=lambda r: names[r])
    # The picker mirrors the "region" state (a click on the map sets it too).
    st.session_state["region_pick"] = st.session_state["region"]
    pick = t("— pick one, or click the map —")
    # The label renders Markdown; the options (region names) are plain text.
    st.selectbox(md(ws.level(spec.level).label), options, key="region_pick",
                 on_change=lambda: st.session_state.update(region=st.session_state["region_pick"]),
                 format_func=lambda r: names.get(r, pick) if r else pick)
    rid = st.session_state["region"]
    if not rid:
        return
    det = region_detail(data, spec, rid)
    value = mv.values.get(rid)
    ranks = mv.values.rank(ascending=False, method="min")
    rank = ranks.get(rid)
    st.subheader(md(det.name))
    c1, c2, c3 = st.columns(3)
    c1.metric(md(mv.label), md_number(value, mv.unit))
    c2.metric(t("Rank"), t("{rank} of {ranked}", rank=format_number(rank, compact=False),
                           ranked=format_number(int(ranks.notna().sum()), compact=False))
              if pd.notna(rank) else "—", help=t("1 = the highest value on the map."))
    popv = mv.population.get(rid)
    c3.metric(t("Population"), format_number(popv, compact=False) if pd.notna(popv)
              else t("No data"))
    money = spec.table and ws.table(spec.table).unit or ws.currency
    if not det.by_year.empty:
        st.markdown(t("**Amount by fiscal year** (all years, same agencies)"))
        st.altair_chart(amount_chart(det.by_year, money, ws.fiscal_year_label),
                        width="stretch")
    if not det.by_agency.empty:
        st.markdown(t("**By agency** (selected years)"))
        by_agency = pd.DataFrame({
            "agency": det.by_agency["agency"],
            "amount": [format_number(a, money, compact=False) for a in det.by_agency["amount"]]})
        st.dataframe(by_agency, hide_index=True, width="stretch", column_config={
            "agency": st.column_config.TextColumn(t("Agency")),
            "amount": st.column_config.TextColumn(t("Amount"))})
    if not det.indicators.empty:
        st.markdown(t("**Outcome indicators**"))
        st.dataframe(det.indicators, hide_index=True, width="stretch", column_config={
            "indicator": st.column_config.TextColumn(t("Indicator")),
            "year": st.column_config.NumberColumn(t("Year"), format="%d"),
            "value": st.column_config.NumberColumn(t("Value"), format="localized"),
            "unit": st.column_config.TextColumn(t("Unit")),
            "target": st.column_config.NumberColumn(t("Target"), format="localized")})


def _exact(v: float, currency: str) -> str:
    """Money to the cent, as the reconciliation line claims, for Markdown."""
    s = f"{abs(v):,.2f}"
    # "\$": two dollar signs in one st.markdown would typeset the text between as maths
    return ("−" if v < 0 else "") + (f"\\${s}" if currency == "USD" else f"{s} {md(currency)}")


def diagnostics(data: WorkspaceData, spec: MeasureSpec, mv: MapValues, region_ids) -> None:
    ws = data.ws
    names = data.names(spec.level)
    level = ws.level(spec.level).label.lower()
    plural = ws.level(spec.level).plural
    jr = mv.join
    money = {"amount": st.column_config.NumberColumn(t("Amount"), format="dollar")
             if ws.currency == "USD" else st.column_config.NumberColumn(t("Amount"),
                                                                       format="localized")}
    keys = {"region_id": st.column_config.TextColumn(t("Region id as written")),
            "name": st.column_config.TextColumn(t("Name")),
            "rows": st.column_config.NumberColumn(t("Rows"), format="localized"),
            "cents": None}
    regions = {"region_id": st.column_config.TextColumn(t("Region id")),
               "name": st.column_config.TextColumn(t("Name"))}
    if jr is not None:
        rec = jr.reconciliation()
        line = t("**On the map** {on_map} + **not placed** {not_placed} = **ledger total** "
                 "{total} — reconciles to the cent", on_map=_exact(rec["on_map"], ws.currency),
                 not_placed=_exact(rec["not_placed"], ws.currency),
                 total=_exact(rec["ledger_total"], ws.currency)) if jr.reconciles else \
            t("**On the map** {on_map} + **not placed** {not_placed} ≠ **ledger total** "
              "{total} — does not reconcile", on_map=_exact(rec["on_map"], ws.currency),
              not_placed=_exact(rec["not_placed"], ws.currency),
              total=_exact(rec["ledger_total"], ws.currency))
        st.markdown(line)
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(t("**Keys that matched no {level}**: {n}, one row each below",
                          level=md(level), n=format_number(len(jr.unmatched), compact=False)))
            st.dataframe(jr.unmatched, hide_index=True, width="stretch",
                         column_config={**keys, **money})
            st.markdown(t("**Rows with a blank key**: {n} row(s), {amount}",
                          n=format_number(jr.blank_rows, compact=False),
                          amount=md_number(jr.blank_cents / 100, ws.currency, compact=False)))
        with c2:
            st.markdown(t("**{regions} with no data**: {n}, one row each below",
                          regions=md(plural),
                          n=format_number(len(jr.regions_without_data), compact=False)))
            st.dataframe(jr.regions_without_data, hide_index=True, width="stretch",
                         column_config=regions)
    else:
        unmatched = mv.indicator_unmatched
        st.markdown(t("**Values whose key matched no {level}**: {n}, one row each below",
                      level=md(level), n=format_number(len(unmatched), compact=False)))
        st.dataframe(unmatched.rename("value").reset_index(), hide_index=True,
                     column_config={**keys, "value": st.column_config.NumberColumn(
                         t("Value"), format="localized")})
        missing = [r for r in region_ids if pd.isna(mv.values.get(r))]
        st.markdown(t("**{regions} with no value**: {n}, one row each below",
                      regions=md(plural), n=format_number(len(missing), compact=False)))
        st.dataframe(pd.DataFrame({"region_id": missing, "name": [names[r] for r in missing]}),
                     hide_index=True, column_config=regions)
    problems = data.problems_for(spec)
    dups = [p for p in problems if p.code == "duplicate_key"]
    st.markdown(t("**Duplicate keys**: {n} row(s)",
                  n=format_number(sum(p.row_count for p in dups), compact=False)))
    for p in dups:
        st.text(p.text())
    others = [p for p in problems if p.code != "duplicate_key"]
    if others:
        st.markdown(t("**Other input problems in these tables**"))
        for p in others:
            st.text(p.text())
    diag = diagnostics_frame(jr, problems, names)
    auth.download_button(st, t("Download diagnostics (CSV)"), diagnostics_csv(diag),
                         file_name=f"{ws.id}_{spec.level}_diagnostics.csv",
                         view="?" + urlencode(current_params("one_map")), mime="text/csv",
                         key="dl_diag")


def map_data(data: WorkspaceData, spec: MeasureSpec, mv: MapValues,
             view: ChoroplethView, marks=None) -> pd.DataFrame:
    """The data behind the map, one row per region in feature order (the CSV's columns)."""
    names = data.names(spec.level)
    table = pd.DataFrame({
        "region_id": list(view.region_ids), "name": [names[r] for r in view.region_ids],
        "value": view.values.to_numpy(), "unit": mv.unit,
        "class": [e + 1 if e >= 0 else None for e in view.class_ids.tolist()],
        "colour": view.colours(),
        "population": mv.population.reindex(list(view.region_ids)).to_numpy(),
    })
    table["class"] = table["class"].astype("Int64")
    table["rank"] = table["value"].rank(ascending=False, method="min")
    if view.marked and hasattr(marks, "outliers"):
        # how far out each outlined region is, as the export's map data has it
        table["outlier"] = marks.scores(view.region_ids)
    return table


def _value_format(unit: str) -> str:
    u = (unit or "").strip()
    if u == "USD" or u.startswith("USD "):
        return "dollar"
    if u == "%":
        return "%.1f%%"
    return "localized"


def data_table(data: WorkspaceData, spec: MeasureSpec, mv: MapValues,
               view: ChoroplethView, marks=None) -> None:
    ws = data.ws
    table = map_data(data, spec, mv, view, marks)
    unit = mv.unit or ""
    st.dataframe(table.sort_values("rank"), hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn(t("Rank"), format="%d",
                                              help=t("1 = the highest value on the map.")),
        "region_id": st.column_config.TextColumn(t("Region id")),
        "name": st.column_config.TextColumn(t("Name")),
        "value": st.column_config.NumberColumn(
            t("Value ({unit})", unit=unit) if unit else t("Value"), format=_value_format(unit),
            step=1 if _value_format(unit) == "dollar" else None),
        "unit": None,
        "class": st.column_config.NumberColumn(
            t("Class"), format="%d", help=t("The legend's class, 1 = the lowest; empty = no "
                                            "data.")),
        "colour": st.column_config.TextColumn(t("Colour")),
        "population": st.column_config.NumberColumn(t("Population"), format="localized"),
        "outlier": st.column_config.NumberColumn(
            t("Outlier"), format="%.2f",
            help=t("How far out an outlined region is (robust z-score or IQRs beyond the "
                   "fence); empty = not an outlier."))})
    auth.download_button(st, t("Download map data (CSV)"), csv_bytes(table),
                         file_name=f"{ws.id}_{spec.level}_map_data.csv",
                         view="?" + urlencode(current_params("one_map")), mime="text/csv",
                         key="dl_table")
