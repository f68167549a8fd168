"""The data behind the map: CSV, GeoJSON and Excel, with the numbers the screen shows."""
from __future__ import annotations

import io
import json

import pandas as pd

from geodata.dataset import WorkspaceData
from geodata.files import spreadsheet_safe
from locales import t

from .compose import Composed, map_csv, map_sheet, map_table


def to_csv(data: WorkspaceData, c: Composed) -> bytes:
    """The map table as CSV (a roads view: the Roads page's table with its methodology line);
    text a spreadsheet would run as a formula is kept as text."""
    return map_csv(data, c)


def to_geojson(data: WorkspaceData, c: Composed) -> bytes:
    """Regions in EPSG:4326 with the map table's columns as properties."""
    table = map_table(data, c)
    gdf = data.boundaries(c.vs.level)[["region_id", "geometry"]].copy()
    gdf["region_id"] = gdf["region_id"].astype(str)
    out = gdf.merge(table, on="region_id", how="left")
    if out.crs is not None and out.crs.to_epsg() != 4326:
        out = out.to_crs(4326)
    doc = json.loads(out.to_json(na="null", drop_id=True))
    doc["metadata"] = {"title": c.title, "subtitle": c.subtitle, "source": c.source,
                       "view": c.vs.to_query(), "figures": c.figures.texts()}
    if c.methodology:
        doc["metadata"]["method"] = c.methodology
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def to_excel(data: WorkspaceData, c: Composed) -> bytes:
    """Workbook: the map data, the view (title, link parameters, key figures) and the
    reconciliation of the money (when the measure is an amount), with sheet names and
    labels in the current language. Every sheet goes through
    :func:`geodata.files.spreadsheet_safe`: names, notes and link parameters that look like
    formulas are written as text, never as live formulas."""
    buf = io.BytesIO()
    about = [(t("Title"), c.title), (t("Subtitle"), c.subtitle), (t("Source"), c.source)]
    if c.methodology:
        about.append((t("Method"), c.methodology))
    about += [(k, v) for k, v in c.figures.texts().items()]
    about += [(t("Link parameter: {name}", name=k), v) for k, v in c.vs.to_query().items()]
    about += [(t("Note"), n) for n in c.mv.notes]
    about += [(t("Ignored link parameter"), m) for m in c.ignored]
    item = t("item")
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        spreadsheet_safe(map_sheet(data, c)).to_excel(xw, sheet_name=t("Map data"), index=False)
        spreadsheet_safe(pd.DataFrame(about, columns=[item, t("value")])).to_excel(
            xw, sheet_name=t("View"), index=False)
        if c.mv.join is not None:
            rec = c.mv.join.reconciliation()
            spreadsheet_safe(pd.DataFrame(list(rec.items()), columns=[item, t("amount")])) \
                .to_excel(xw, sheet_name=t("Reconciliation"), index=False)
    return buf.getvalue()
