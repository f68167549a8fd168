"""The Import page's steps: files → reader options → periods → units → keys → saved workspace.

This module holds the boundary step, the list of tables and the save step; the table step is
``ui.import_table`` and the file handling ``ui.import_files``.

Widgets and layout only. Reading, proposals and saving are the pure functions of
``geodata/readers/`` (the same ones the import command line calls); reads are cached in
``ui.cache``. The user's choices are kept in ``st.session_state`` under ``imp_*`` keys and
become a :class:`~geodata.readers.draft.WorkspaceDraft`; nothing is written to a workspace
folder until Save.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from geodata import access
from geodata.readers.draft import LevelDraft, SaveError, TableDraft, WorkspaceDraft, \
    save_workspace, slug
from geodata.workspace import plural_of, user_workspace_root
from locales import t

from . import auth, cache
from .controls import PENDING_WS
from .import_files import pick_file, show_problems
from .import_table import KINDS, VALUE_WORDS, _k, table_step
from .text import md, md_code

__all__ = ["boundary_step", "currency_input", "table_step", "tables_list", "workspace_step"]

BOUNDARY_TYPES = ["geojson", "json", "topojson", "gpkg", "zip", "kml", "parquet",
                  "geoparquet"]


# ------------------------------------------------------------------ 1. boundaries

def boundary_step() -> tuple[LevelDraft | None, pd.DataFrame | None]:
    st.header(t("1 · Boundaries"))
    st.caption(t("A map layer of the areas money goes to: GeoJSON, TopoJSON, GeoPackage, zipped "
                 "Shapefile, KML or GeoParquet, in any coordinate system."))
    picked = pick_file(t("Boundary file"), BOUNDARY_TYPES, "imp_b")
    if picked is None:
        return None, None
    path, original = picked
    info = cache.import_vector_info(str(path))
    if info.get("error"):
        st.error(t("{file}: {problem}", file=md(original), problem=md(info["error"])))
        return None, None
    layer = None
    if len(info["layers"]) > 1:
        layer = st.selectbox(t("Layer"), info["layers"], key="imp_b_layer")
        info = cache.import_vector_info(str(path), layer)
        if info.get("error"):
            st.error(t("{file}: {problem}", file=md(original), problem=md(info["error"])))
            return None, None
    fields = info["fields"]
    if not fields:
        st.error(t("{file} has no attribute columns: it needs one with an id per area.",
                   file=md(original)))
        return None, None
    c1, c2 = st.columns(2)
    key_default, name_default = info["key"], info["name"]
    key = c1.selectbox(t("Column with each area's id"), fields,
                       index=fields.index(key_default) if key_default in fields else 0,
                       key="imp_b_key")
    name = c2.selectbox(t("Column with each area's name"), fields,
                        index=fields.index(name_default) if name_default in fields else 0,
                        key="imp_b_name")
    c1, c2, c3 = st.columns(3)
    # The default label is saved in the workspace as typed: in the reader's language.
    region = t("Region")
    label = c1.text_input(t("One area is a…"), value=region, key="imp_b_label")
    plural = c2.text_input(t("Several are…"), value="", key="imp_b_plural",
                           placeholder=plural_of(label))
    crs = c3.text_input(t("Coordinate system, if the file does not say"), value="",
                        key="imp_b_crs", placeholder=t("e.g. {example}", example="EPSG:4547"))
    c1, c2 = st.columns(2)
    y0 = c1.number_input(t("Boundaries valid from year (optional)"), min_value=0,
                         max_value=2199, value=0, step=1, key="imp_b_y0")
    y1 = c2.number_input(t("…to year (optional)"), min_value=0, max_value=2199, value=0, step=1,
                         key="imp_b_y1")
    years = (int(y0), int(y1) if y1 else None) if y0 >= 1800 else None
    level = LevelDraft(id=slug(label, "region"), label=label.strip() or region,
                       source=path, key=key, name=name, label_plural=plural.strip(),
                       layer=layer, crs=crs.strip(), years=years, original_name=original)
    regions, problems = cache.import_regions(str(path), layer, key, name, level.crs)
    if regions is None or regions.empty:
        st.error(t("No area could be read from this file with these columns."))
        show_problems(problems)
        return None, None
    st.success(t("{n} {areas} read, e.g. {examples}", n=f"{len(regions):,}",
                 areas=md(level.label_plural or plural_of(level.label)),
                 examples=", ".join(md(n) for n in regions["name"].head(4))))
    if problems:
        with st.expander(t("What the reader did ({n})", n=f"{len(problems):,}")):
            show_problems(problems)
    return level, regions


def tables_list(current: TableDraft | None) -> list[TableDraft]:
    """The tables added so far, with the one being edited offered for adding."""
    tables: list[TableDraft] = st.session_state.setdefault("imp_tables", [])
    if current is not None and st.button(t("Keep this table and import another"),
                                         key=_k("add")):
        tables.append(current)
        st.session_state["imp_tn"] = st.session_state.get("imp_tn", 0) + 1
        st.rerun()
    for i, table in enumerate(tables):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"✔ {md(table.original_name)}: {md(t(KINDS[table.kind]))}")
        if c2.button(t("Remove"), key=f"imp_rm_{i}"):
            tables.pop(i)
            st.rerun()
    return list(tables) + ([current] if current is not None else [])


# ------------------------------------------------------------------ 3. save

def workspace_step(level: LevelDraft, tables: list[TableDraft], currency: str) -> None:
    st.header(t("3 · Save the workspace"))
    if not tables:
        st.info(t("Add at least one table above (money, population or an indicator)."))
        return
    st.markdown(t("Tables saved with it: {tables}", tables=", ".join(
        t("{file} ({what})", file=md(table.original_name), what=md(t(VALUE_WORDS[table.kind])))
        for table in tables)))
    c1, c2 = st.columns(2)
    title = c1.text_input(t("Title"), value="", key="imp_w_title",
                          placeholder=t("e.g. Provincial transfers 2020-2024"))
    wid = c2.text_input(t("Folder name"), value=slug(title, "") if title else "",
                        key="imp_w_id",
                        placeholder=t("letters, digits, _ or -, e.g. {example}",
                                      example="transfers_2024"))
    root = user_workspace_root()
    st.caption(t("Saved in {folder}; your files are copied there, never changed.",
                 folder=md_code(str(root))))
    draft = WorkspaceDraft(title=title.strip() or wid, currency=currency, levels=[level],
                           tables=tables, access=auth.owner_access())
    ids = [table.id for table in tables]
    for i, table in enumerate(tables):
        if ids.count(table.id) > 1:
            table.id = f"{table.id}_{i + 1}"
    if st.button(t("Save and open the map"), type="primary", key="imp_w_save",
                 disabled=not (title.strip() and wid.strip())):
        with st.status(t("Saving the workspace…"), expanded=True) as status:
            try:
                ws = save_workspace(draft, root, wid.strip(),
                                    progress=lambda m: status.write(md(m)),
                                    taken=access.taken_ids(auth.policy()))
            except SaveError as exc:
                status.update(label=t("Not saved"), state="error")
                st.error(md(str(exc)))
                return
            status.update(label=t("Saved: {title}", title=md(ws.title)), state="complete")
        auth.record("import", workspace=ws.id, file=str(ws.path),
                    detail={"tables": [table.original_name for table in tables]})
        st.session_state[PENDING_WS] = ws.id
        for k in [k for k in st.session_state if str(k).startswith("imp_")]:
            del st.session_state[k]
        st.session_state["imp_saved"] = ws.id
        try:
            st.switch_page("pages/one_map.py", query_params={"ws": ws.id})
        except StreamlitAPIException:      # the page was run on its own, without app.py
            st.success(t("Saved. Choose \"{title}\" in the sidebar and open One map.",
                         title=md(ws.title)))


def currency_input() -> str:
    return st.text_input(t("Currency of the money (ISO code)"), value="USD",
                         key="imp_w_currency", max_chars=8,
                         help=t("Amounts are shown in it: 'CNY per resident'."))\
        .strip().upper() or "USD"
