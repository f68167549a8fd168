"""Road segments drawn as lines over the choropleth, coloured by condition class.

Line geometry is prepared like the polygons of :mod:`layers.geometry`: simplified, rounded and
encoded with the same delta/polyline ring encoding, once per workspace (:func:`encode_lines`,
cached by ``ui.cache``). What changes with the scheme is only the small per-segment part
(class, colour table, tooltip texts).

On screen the lines are an overlay of the app's map component (:func:`lines_overlay`: the
payload ``fmOverlays`` in layers/web/fiscalmap.js draws, the encoded parts spliced in as they
are, never serialised again); the single-file HTML export draws the same payload with the same
code (:func:`layers.overlay.folium_overlays`). The browser builds tooltips and the legend with
DOM ``textContent``: a route named ``<script>`` shows as text, and no asset is loaded from
anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import shapely

from .geometry import _encode_ring, safe_json

LINE_PRECISION = 5          # 1e-5 degree ≈ 1 m: lines are thin, 11 m steps show as kinks
LINE_TOLERANCE = 2e-5       # degrees (≈ 2 m) of Douglas–Peucker simplification


@dataclass(frozen=True)
class EncodedLines:
    """Drawable segments in a fixed order, and the JSON of their encoded parts."""
    segment_ids: tuple[str, ...]
    rows: tuple[int, ...]          # row of each drawn segment in the segments frame
    parts_json: str                # [[part, ...], ...]: the encoded parts of each segment
    vertices: int
    factor: int = 10 ** LINE_PRECISION

    @property
    def json(self) -> str:
        """{"f": 1e5, "lines": [[part, ...], ...]}: the encoded lines on their own."""
        return '{"f":' + str(self.factor) + ',"lines":' + self.parts_json + "}"

    @property
    def nbytes(self) -> int:
        return len(self.json.encode("utf-8"))


def encode_lines(segments: gpd.GeoDataFrame, *, tolerance: float = LINE_TOLERANCE,
                 precision: int = LINE_PRECISION) -> EncodedLines:
    """Simplify, round and encode the drawable segments (``drawable`` column, if present)."""
    seg = segments
    if seg.crs is not None and seg.crs.to_epsg() != 4326:
        seg = seg.to_crs(4326)
    keep = seg["drawable"].to_numpy(dtype=bool) if "drawable" in seg else \
        ~(seg.geometry.isna() | seg.geometry.is_empty).to_numpy()
    rows = np.flatnonzero(keep)
    geom = np.asarray(seg.geometry.values)[rows]
    if tolerance > 0 and len(geom):
        geom = shapely.simplify(geom, tolerance, preserve_topology=False)
    factor = 10 ** precision
    lines, n = [], 0
    for g in geom:
        parts = []
        for part in shapely.get_parts(g):
            coords = np.asarray(part.coords)
            if len(coords) < 2:
                continue
            n += len(coords)
            parts.append(_encode_ring(coords, factor))
        lines.append(parts)
    ids = tuple(str(x) for x in seg["segment_id"].to_numpy()[rows])
    return EncodedLines(segment_ids=ids, rows=tuple(int(r) for r in rows),
                        parts_json=safe_json(lines), vertices=n, factor=factor)


def lines_overlay(lines: EncodedLines, class_ids: Sequence[int], colours: Sequence[str],
                  no_data_colour: str, *, overlay_id: str, label: str,
                  legend: Sequence[tuple[str, str, str]],
                  tooltip_title: Sequence[str],
                  tooltip_rows: Sequence[tuple[str, Sequence[str]]]):
    """The lines as an overlay of the map component (:class:`layers.overlay.EncodedOverlay`).

    ``class_ids`` index ``colours`` (-1: no data, drawn in ``no_data_colour``, the last legend
    row); ``legend`` is (label, colour, text) per class then No data. The tooltip shows the
    title, "``label`` · class", then ``tooltip_rows``.
    """
    from .overlay import EncodedOverlay

    nd = len(colours)
    cls = [int(c) if c >= 0 else nd for c in class_ids]
    rows = [list(r) for r in legend]
    payload = safe_json({
        "id": overlay_id, "label": label, "f": lines.factor, "k": [0] * len(cls), "c": cls,
        "pal": [*colours, no_data_colour], "legend": rows, "shape": "line",
        "shapes": ["line"] * len(rows), "cat": True, "h": [str(x) for x in tooltip_title],
        "rows": [tooltip_row(lab, texts) for lab, texts in tooltip_rows], "note": "",
    })
    # The encoded parts go in as prepared (once per workspace), not serialised again.
    payload = payload[:-1] + ',"g":' + lines.parts_json + "}"
    return EncodedOverlay(id=overlay_id, label=label, json=payload, features=len(cls),
                          vertices=lines.vertices, simplified=False,
                          legend=tuple(tuple(r) for r in legend))


def tooltip_row(label: str, texts: Sequence[str]) -> list:
    """[label, texts] or, when few distinct texts repeat (class, year, direction),
    [label, distinct texts, index per segment]: the same rows in a fraction of the bytes."""
    texts = [str(t) for t in texts]
    uniq = list(dict.fromkeys(texts))
    if len(uniq) * 4 < len(texts):
        pos = {t: i for i, t in enumerate(uniq)}
        return [label, uniq, [pos[t] for t in texts]]
    return [label, texts]
