"""Streamlit glue for exports: the current view's link parameters, download buttons and the
"Save this view" form. The work is done in :mod:`exports` (no Streamlit there)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import streamlit as st

from exports.views_store import ViewsError, store_for
from geodata.dataset import WorkspaceData
from geodata.viewstate import (ANALYSIS_MEASURE_KEYS, PERFORMANCE_KEYS, QUERY_KEYS,
                               resolve_view)

from locales import N_, t

from . import auth, cache, state
from .text import md

if TYPE_CHECKING:
    from exports.compose import Composed

# The exporters (matplotlib, folium) are imported when the panel is opened, not with the page:
# a cold start to the first map does not pay for them.

SIZE_LABELS = {"16:9": N_("16:9 (screen)"), "a4": N_("A4 landscape"),
               "letter": N_("Letter landscape")}
#: The files a view can be downloaded as, in the order offered.
FORMATS = ("png", "pdf", "svg", "html", "csv", "geojson", "xlsx")
FORMAT_LABELS = {"png": N_("PNG image"), "pdf": N_("PDF"), "svg": N_("SVG"),
                 "html": N_("Interactive HTML (offline)"), "csv": N_("CSV data"),
                 "geojson": N_("GeoJSON"), "xlsx": N_("Excel")}


#: The Roads page's widgets → the link parameters of a roads view (see exports.roads).
ROADS_KEYS = {"rd_class": "road_class", "rd_condition": "condition", "rd_layer": "road_layer",
              "rd_overlay": "overlay", "rd_scheme": "scheme", "rd_k": "k",
              "rd_palette": "palette", "rd_reverse": "reverse", "rd_breaks": "breaks",
              "rd_measure": "measure", "rd_table": "table", "rd_years": "years",
              "rd_agencies": "agencies", "rd_average": "average", "rd_indicator": "indicator",
              "rd_indicator_year": "indicator_year", "rd_overlays": "overlays"}


def current_params(page: str | None = None) -> dict[str, str]:
    """The view on screen as link parameters: the URL, overridden by the widgets' values."""
    if page in PERFORMANCE_KEYS:      # Early warning, Scorecard: the page's own keys
        params = {"ws": state.url_text("ws", st.session_state.get("ws")), "page": page}
        params.update({k: state.url_text(k, st.session_state[k])
                       for k in PERFORMANCE_KEYS[page] if k in st.session_state})
        return {k: v for k, v in params.items() if v != ""}
    if page == "analysis":      # the question's keys; the mapped measure's as One map names them
        from analysis.views import MEASURE_VIEWS, VIEW_KEYS

        view = st.session_state.get("an_view", "")
        params = {"ws": state.url_text("ws", st.session_state.get("ws")), "page": page,
                  "an_view": view}
        measure = ANALYSIS_MEASURE_KEYS if view in MEASURE_VIEWS else ("level",)
        params.update({k: state.url_text(k, st.session_state["an_" + k])
                       for k in measure if "an_" + k in st.session_state})
        params.update({k: state.url_text(k, st.session_state[k])
                       for k in VIEW_KEYS.get(view, ()) if k in st.session_state})
        return {k: v for k, v in params.items() if v != ""}
    if page == "roads":
        params = {"ws": state.url_text("ws", st.session_state.get("ws")), "page": "roads"}
        params.update({key: state.url_text(key, st.session_state[w]) for w, key in ROADS_KEYS.items()
                       if w in st.session_state})
        return {k: v for k, v in params.items() if v != ""}
    params = {k: st.query_params[k] for k in QUERY_KEYS if k in st.query_params}
    for k in QUERY_KEYS:
        if k in st.session_state and k not in ("page",):
            params[k] = state.url_text(k, st.session_state[k])
    if page:
        params["page"] = page
    return {k: v for k, v in params.items() if v != ""}


def cached(path: str) -> dict:
    """compose() keyword arguments that use the app's caches."""
    return {"values": lambda spec: cache.values(path, spec), "roads": lambda: cache.roads(path),
            "road_condition": lambda scheme, rc: cache.road_condition(path, scheme, rc),
            "overlay": lambda oid: cache.overlay(path, oid),
            "early_warning": lambda year, period, step, rule:
                cache.early_warning(path, year, period, step, rule),
            "scorecard": lambda level, year, table, trend:
                cache.scorecard(path, level, year, table, trend),
            "analysis_weights": lambda level, kind, k, islands:
                cache.analysis_weights(path, level, kind, k, islands),
            "analysis_frame": cache.analysis_frames(path),
            "overlap": lambda: cache.overlap_result(path)}


LAST_VIEW = "_last_view"


def remember_view(data: WorkspaceData, path: str, page: str) -> None:
    """Keep the link of the view on screen (One map, Roads, Early warning, Scorecard,
    Analysis) for the Hearing page, whose "Save the current view" runs after the map page's
    widgets are gone."""
    params = current_params(page)
    if page == "roads":
        from exports.roads import roads_query
        rd = cache.roads(path)
        if rd is None:
            return
        params, _ = roads_query(data, rd, params)
    vs, _ = resolve_view(data, params)
    st.session_state[LAST_VIEW] = vs.to_query()


def last_view(data: WorkspaceData) -> dict[str, str] | None:
    """The link of the last One map / Roads view shown in this workspace, if any."""
    q = st.session_state.get(LAST_VIEW)
    return dict(q) if q and q.get("ws") == data.ws.id else None


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()[:60] or "view"


def makers(data: WorkspaceData, path: str, c: "Composed", *, size: str = "16:9",
           dpi: int = 200, title: str | None = None, note: str = "",
           formats=FORMATS) -> dict:
    """Format → a function making that file of the view (with the app's caches), in the order
    offered. Nothing is made until one is called."""
    from exports import data as tables
    from exports import maps

    level = c.vs.level
    out = {}
    for fmt in formats:
        if fmt in ("png", "pdf", "svg"):
            out[fmt] = (lambda fmt=fmt: maps.snapshot(
                data, c, fmt, layer=cache.static_layer(path, level), dpi=int(dpi), size=size,
                title=title, note=note))
        elif fmt == "html":
            out[fmt] = (lambda: maps.html(
                data, c, layer=cache.encoded_layer(path, level),
                rd=cache.roads(path) if c.overlays else None,
                road_lines=cache.road_lines(path) if c.overlays else None,
                encoded=[cache.encoded_overlay(path, oid) for oid in c.vs.overlays]))
        else:
            fn = {"csv": tables.to_csv, "geojson": tables.to_geojson,
                  "xlsx": tables.to_excel}[fmt]
            out[fmt] = (lambda fn=fn: fn(data, c))
    return out


def downloads(data: WorkspaceData, path: str, c: "Composed", *, key: str,
              title: str | None = None, note: str = "", formats=FORMATS) -> None:
    """Download buttons for one view; files are made only when a button is clicked."""
    from exports import maps
    from layers.render_static import DPI_CHOICES, PAGE_SIZES

    base = f"{data.ws.id}_{slug(title or c.title)}"
    c1, c2 = st.columns(2)
    size = c1.selectbox(t("Page"), list(PAGE_SIZES), format_func=lambda s: t(SIZE_LABELS[s]),
                        key=f"{key}_size")
    dpi = c2.selectbox(t("PNG resolution (dpi)"), list(DPI_CHOICES), index=1, key=f"{key}_dpi")
    cols = st.columns(4)
    made = makers(data, path, c, size=size, dpi=int(dpi), title=title, note=note,
                  formats=formats)
    for i, (fmt, make) in enumerate(made.items()):
        auth.download_button(cols[i % 4], t(FORMAT_LABELS[fmt]), make,
                             file_name=f"{base}.{fmt}", view="?" + urlencode(c.vs.to_query()),
                             workspace=data.ws.id, mime=maps.MIME[fmt], key=f"{key}_{fmt}",
                             on_click="ignore", width="stretch")


def save_form(data: WorkspaceData, params: dict[str, str], *, key: str) -> None:
    """Title + one-line note → a saved view of this workspace."""
    flash = st.session_state.pop(f"{key}_flash", None)
    if flash:
        st.success(flash)  # built with md() around the title below
    with st.form(f"{key}_form", clear_on_submit=True, border=False):
        title = st.text_input(t("Title"), key=f"{key}_title", max_chars=120,
                              placeholder=t("e.g. Grants per resident, FY2022"))
        note = st.text_input(t("One-line note"), key=f"{key}_note", max_chars=300)
        replace = st.checkbox(t("Replace a saved view with the same title"),
                              key=f"{key}_replace")
        if st.form_submit_button(t("Save this view"), type="primary"):
            try:
                sv = auth.views_store(data.ws).save(title, params, note, replace=replace)
            except ViewsError as exc:
                st.error(md(str(exc)))
            else:
                st.session_state[f"{key}_flash"] = t(
                    "Saved “{title}”: view {n} of the sequence on the Hearing page.",
                    title=md(sv.title), n=str(len(store_for(data.ws).list())))
                st.rerun()


IMPORT_NOTES = "_views_import_notes"


def import_views(store, blob: bytes, *, name: str, replace: bool) -> list[str]:
    """Add (or, with ``replace``, put instead) the views of a views file; the messages to
    show: what was imported first, then what was repaired. A file that cannot be used
    changes nothing and raises :class:`ViewsError` with a sentence that says so."""
    repairs: list[str] = []
    try:
        n = store.import_bytes(blob, replace=replace, name=name, repairs=repairs)
    except ViewsError as exc:
        raise ViewsError(t("{problem} Your saved views were not changed.",
                           problem=str(exc))) from exc
    return [t("Imported {n} view(s).", n=str(n))] + repairs


def views_file(store, *, error: str | None, can_import: bool = True) -> None:
    """Export the saved views as a JSON file, or import one (added, or replacing them; for
    editors)."""
    f1, f2 = st.columns(2)
    auth.download_button(f1, t("Export saved views (JSON)"), lambda: store.export_bytes(),
                         file_name=f"{store.workspace}_views.json", workspace=store.workspace,
                         mime="application/json", key="dl_views", on_click="ignore",
                         disabled=bool(error))
    if not can_import:
        return
    with f2.form("import_views", clear_on_submit=True, border=False):
        up = st.file_uploader(t("Import a views file"), type=["json"], key="import_file")
        replace_all = st.checkbox(t("Replace all saved views (otherwise add to them)"),
                                  key="import_replace")
        if st.form_submit_button(t("Import")) and up is not None:
            try:
                notes = import_views(store, up.getvalue(), name=up.name, replace=replace_all)
            except ViewsError as exc:
                st.error(md(str(exc)))
            else:
                st.session_state[IMPORT_NOTES] = notes
                st.rerun()


def import_notes() -> None:
    """What the last import did (shown once, after the rerun that follows it)."""
    for j, msg in enumerate(st.session_state.pop(IMPORT_NOTES, [])):
        (st.success if j == 0 else st.warning)(md(msg))


def export_panel(data: WorkspaceData, path: str, *, page: str = "one_map") -> None:
    """The Export expander of a map page: downloads of the current view and "Save this view"."""
    # A toggle, not an expander: an expander's body runs (and renders the view again for the
    # downloads) on every rerun, even closed; this runs only when asked for.
    if not st.toggle(t("Export or save this view"), key="xp_open"):
        return
    from exports.compose import compose

    with st.container(border=True):
        params = current_params(page)
        c = compose(data, params, **cached(path))
        downloads(data, path, c, key="xp")
        if auth.can("editor", data.ws.id):
            st.markdown(t("**Save this view** for the hearing sequence"))
            save_form(data, c.vs.to_query(), key="xp_save")
