"""The deck.gl views' data and files: the award line items of a table placed on the map, the
offline HTML of a deck (deck.gl inlined: it opens with the network cut), and the static
stand-in of the 3D view (the 2D map of the same classes: a PNG or PDF cannot turn in 3D).

No Streamlit here; the page caches what it calls (``ui.deck_view``).
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.dataset import WorkspaceData
from layers.assets import STATIC_DIR, assert_no_remote_assets
from layers.choropleth import ChoroplethView
from layers.deck import DECK_SCRIPTS, Awards, DeckPayload, place_awards
from layers.web_deck import DECK_CSS, DECK_JS
from locales import current, t

#: Headers read as coordinates when a line-item table has them (case and spaces ignored).
LAT_NAMES = ("lat", "latitude")
LON_NAMES = ("lon", "lng", "long", "longitude")

#: Said under every static stand-in of the 3D view.
FLAT_NOTE = ("The 3D view is interactive only (download it as HTML); this is the 2D map of the "
             "same classes and colours.")


# ------------------------------------------------------------------ award line items
@dataclass(frozen=True)
class LineItemSource:
    """An allocation table whose rows are awards: the columns that name the recipient and
    the purpose (from the workspace's ``[overlap]`` section, which names its line-item table),
    and where an award sits on the map."""
    table: str
    level: str
    recipient: str
    purpose: str | None = None


def line_item_source(data: WorkspaceData, table_id: str) -> LineItemSource | None:
    """The line items behind ``table_id``, when the workspace names them: its ``[overlap]``
    line-item table reads the same file. None otherwise (a table of sums has no awards to
    draw as points)."""
    from analysis.overlap.rules import rules_for_workspace

    ws = data.ws
    try:
        spec = ws.table(table_id)
        rules, _ = rules_for_workspace(ws)
    except (KeyError, ValueError):
        return None
    if rules is None or spec.kind != "allocations" or "region_id" not in spec.columns:
        return None
    items = ws.table(rules.table)
    if Path(items.file).resolve() != Path(spec.file).resolve():
        return None
    recipient = rules.recipient_name or rules.recipient_id
    if not recipient:
        return None
    return LineItemSource(table=table_id, level=spec.level, recipient=recipient,
                          purpose=rules.purpose)


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    norm = {str(c).strip().lower(): c for c in columns}
    return next((norm[n] for n in names if n in norm), None)


def line_items(data: WorkspaceData, src: LineItemSource) -> pd.DataFrame:
    """Every row of the table the map reads (``amount``, ``region_id``, ``year``, ``agency``,
    as the ledger has them) with the recipient, the purpose and, when the file has them, the
    coordinates of its line in the file (``lon``, ``lat``). Costly: callers keep the result."""
    from geodata.load import table_layout
    from geodata.readers.text import max_file_bytes, read_table_file

    ws = data.ws
    spec = ws.table(src.table)
    canon = data.table(src.table)
    if canon.empty or "amount" not in canon or "fiscal_year" not in canon:
        return pd.DataFrame(columns=["amount", "region_id", "year", "agency", "recipient",
                                     "purpose"])
    res = read_table_file(spec.file, encoding=spec.encoding,
                          separator=spec.options.get("separator"),
                          sheet=spec.options.get("sheet"),
                          max_bytes=max_file_bytes(spec.options.get("max_file_mb",
                                                                    ws.max_file_mb)),
                          layout=table_layout(spec),
                          sheet_layout=spec.options.get("sheet_layout", "same"),
                          sheet_columns=spec.options.get("sheet_columns", "name"))
    raw = res.frame
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    text = pd.DataFrame({"_line": np.asarray(res.lines, dtype=np.int64)})
    for out, col in (("recipient", src.recipient), ("purpose", src.purpose),
                     ("lat", _find(raw.columns, LAT_NAMES)),
                     ("lon", _find(raw.columns, LON_NAMES))):
        if col and col in raw.columns:
            text[out] = raw[col].to_numpy()
    keep = canon[canon["fiscal_year"].notna() & canon["amount"].notna()]
    frame = pd.DataFrame({
        "_line": keep["_line"].to_numpy(np.int64),
        "amount": keep["amount"].to_numpy(float),
        "region_id": keep["region_id"].astype("string").to_numpy() if "region_id" in keep
        else pd.array([pd.NA] * len(keep), dtype="string"),
        "year": pd.to_numeric(keep["fiscal_year"], errors="coerce").to_numpy(float),
        "agency": keep["agency"].astype("string").to_numpy() if "agency" in keep
        else pd.array([pd.NA] * len(keep), dtype="string")})
    out = frame.merge(text.drop_duplicates("_line"), on="_line", how="left", sort=False)
    for col in ("recipient", "purpose"):
        if col not in out:
            out[col] = ""
    return out.drop(columns="_line")


def select_items(items: pd.DataFrame, span: tuple[int, int],
                 agencies: Sequence[str] | None = None) -> pd.DataFrame:
    """The awards of the fiscal years ``span`` (inclusive) and of ``agencies`` (None: all),
    as the map's figures read them."""
    keep = items["year"].between(span[0], span[1])
    if agencies:
        keep &= items["agency"].isin(list(agencies)).fillna(False).astype(bool)
    return items[keep].reset_index(drop=True)


def region_points(gdf: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Region id → a point inside the region (its representative point, in degrees): where
    an award without coordinates sits."""
    g = gdf if gdf.crs is None or gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)
    pts = g.geometry.representative_point()
    return {str(r): (round(float(p.x), 6), round(float(p.y), 6))
            for r, p in zip(g["region_id"], pts) if p is not None and not p.is_empty}


def awards_on_map(data: WorkspaceData, items: pd.DataFrame, src: LineItemSource
                  ) -> Awards:
    """The awards of ``items`` placed at their coordinates or their region's point."""
    return place_awards(items, region_points(data.boundaries(src.level)))


def table_total_cents(data: WorkspaceData, table_id: str, span: tuple[int, int],
                      agencies: Sequence[str] | None = None) -> int:
    """The ledger's total of the table for the years and agencies, in cents: what the
    placed and not-placed awards must add up to."""
    return int(data.ledger.total(table_id, years=tuple(span),
                                 agencies=list(agencies) if agencies else None)[1])


def awards_csv(awards: Awards, *, unit: str) -> bytes:
    """The awards of the view, one row each: recipient, amount, purpose, region, where it
    was drawn (empty when not placed)."""
    placed = awards.placed
    frame = pd.DataFrame({
        t("Recipient"): placed["recipient"], t("Amount ({unit})", unit=unit):
        placed["cents"] / 100, t("Purpose"): placed["purpose"], t("Region"): placed["region_id"],
        t("Longitude"): placed["lon"], t("Latitude"): placed["lat"]})
    return frame.to_csv(index=False).encode("utf-8-sig")


# ------------------------------------------------------------------ offline HTML
def deck_html(payload: DeckPayload, *, title: str, subtitle: str = "", notes: Sequence[str] = (),
              source: str = "", height_vh: int = 78) -> bytes:
    """A single HTML file of the deck that opens with no network: deck.gl, its JSON
    converter, the view's script and style inlined, the payload embedded as JSON (safe in a
    <script>). Title, subtitle, notes and source are text (escaped)."""
    esc = _html.escape
    scripts = "".join(f"<script>{vendored_script(s)}</script>" for s in DECK_SCRIPTS)
    body_notes = "".join(f"<p class=\"fd-pnote\">{esc(n)}</p>" for n in notes if n)
    page = (
        f'<!doctype html><html lang="{esc(current())}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f"<style>{DECK_CSS}\n"
        "body{margin:0;font:16px/1.45 system-ui,sans-serif;color:#1c2430}"
        "header,footer{padding:10px 16px}h1{font-size:22px;margin:0 0 2px}"
        ".fd-sub{margin:0;color:#333}.fd-pnote{margin:4px 0;color:#333}"
        f"#fd-root{{height:{int(height_vh)}vh;min-height:360px}}</style>"
        f"{scripts}<script>{_script_safe(DECK_JS)}</script></head><body>"
        f"<header><h1>{esc(title)}</h1>"
        + (f'<p class="fd-sub">{esc(subtitle)}</p>' if subtitle else "") +
        '</header><div id="fd-root"></div>'
        f"<footer>{body_notes}" + (f'<p class="fd-pnote">{esc(source)}</p>' if source else "") +
        "</footer>"
        f'<script type="application/json" id="fd-payload">{payload.json}</script>'
        "<script>window.fdView = fdDeck(document.getElementById('fd-root'), "
        "JSON.parse(document.getElementById('fd-payload').textContent));</script>"
        "</body></html>")
    assert_no_remote_assets(page)
    return page.encode("utf-8")


def _script_safe(code: str) -> str:
    return code.replace("</script", "<\\/script")


def vendored_script(rel: str) -> str:
    """A vendored script (``rel`` under static/) ready to sit inside <script>: no closing tag
    in it, no source-map comment, and the one sentence of deck.gl's that quotes a CDN script
    tag (its H3 layers ask for h3-js; those layers are not used) written so that no reader of
    the file takes it for one. The code runs the same: ``\\"`` is ``"`` in a JS string."""
    code = (STATIC_DIR / rel).read_text(encoding="utf-8")
    code = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", code)
    code = code.replace('<script src="http', '<script src=\\"http')
    return _script_safe(code)


def vendored_files() -> list[Path]:
    """The deck.gl files the app serves (for checks and the README's table)."""
    return [STATIC_DIR / s for s in DECK_SCRIPTS]


# ------------------------------------------------------------------ static stand-in
def flat_snapshot(view: ChoroplethView, gdf: gpd.GeoDataFrame, fmt: str, *, frame=None,
                  title: str | None = None, subtitle: str = "", source: str = "",
                  footnotes: Sequence[str] = (), size: str = "16:9", dpi: int = 200) -> bytes:
    """PNG or PDF standing in for the 3D view: the 2D map of the same view (same classes,
    colours, legend), saying that the 3D view is interactive only. ``gdf``: the boundaries of
    the view's regions, in the view's order."""
    from layers.render_static import MapFrame, export_pdf, export_png

    fr = frame or MapFrame()
    notes = [t(FLAT_NOTE), *footnotes]
    decor = dict(title=title or view.title, subtitle=subtitle, source=source, footnotes=notes)
    if fmt == "png":
        return export_png(view, gdf, dpi=dpi, size=size, frame=fr, **decor)
    if fmt == "pdf":
        return export_pdf(view, gdf, size=size, frame=fr, **decor)
    raise ValueError(t("format {fmt} is not one of {formats}", fmt=repr(fmt),
                       formats="png, pdf"))


def boundaries_in_order(gdf: gpd.GeoDataFrame, region_ids: Sequence[str]) -> gpd.GeoDataFrame:
    """The boundaries of ``region_ids`` in that order (a drill-down's regions, or a layer
    whose file order differs from the map's)."""
    g = gdf.assign(_rid=gdf["region_id"].astype(str)).drop_duplicates("_rid").set_index("_rid")
    return g.loc[[str(r) for r in region_ids]].reset_index(drop=True)
