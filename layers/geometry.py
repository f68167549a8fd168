"""Geometry prepared once per boundary layer, for every renderer.

:func:`prepare_geometry` simplifies a layer as a coverage (shared edges stay shared, no slivers
or gaps appear) and :func:`encode_layer` turns it into a compact payload the browser decodes:
each ring is a delta-encoded polyline string (the encoding of Google's polyline format, at
1e-4 degree ≈ 11 m), about a quarter of the bytes of the same geometry as GeoJSON. The payload
depends on geometry only, so it is built once and reused whatever the values are.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

DEFAULT_PRECISION = 4


@dataclass(frozen=True)
class EncodedLayer:
    """A boundary layer ready to send: ids in feature order and the JSON text of the shapes."""
    region_ids: tuple[str, ...]
    json: str            # {"f": 1e4, "ids": [...], "names": [...], "shapes": [[[ring, ...], ...], ...]}
    bounds: tuple[float, float, float, float]   # west, south, east, north the map opens on
    vertices: int
    #: boxes of the insets drawn beside the main map (layers.insets.InsetBox), if any
    insets: tuple = ()
    #: what the regions are called ("States", the level's plural label): heads the legend's
    #: count column
    plural: str = ""

    @property
    def nbytes(self) -> int:
        return len(self.json.encode("utf-8"))


def prepare_geometry(gdf: gpd.GeoDataFrame, *, tolerance: float = 0.0) -> gpd.GeoDataFrame:
    """Return a copy in EPSG:4326 with polygonal, valid, optionally coverage-simplified shapes.

    ``tolerance`` is in degrees (0 keeps every vertex). Simplification is done on the layer as a
    whole so neighbouring regions keep a common edge.
    """
    out = gdf.copy()
    if out.crs is not None and out.crs.to_epsg() != 4326:
        out = out.to_crs(4326)
    geom = out.geometry.values
    if tolerance > 0 and len(out):
        try:
            geom = shapely.coverage_simplify(np.asarray(geom), tolerance)
        except Exception:  # noqa: BLE001 - not a clean coverage: simplify shape by shape
            geom = shapely.simplify(np.asarray(geom), tolerance, preserve_topology=True)
        out = out.set_geometry(gpd.GeoSeries(geom, index=out.index, crs=4326))
    return out


def _encode_ring(coords: np.ndarray, factor: float) -> str:
    q = np.round(coords[:, :2] * factor).astype(np.int64)
    # Latitude first, as the polyline format has it.
    q = q[:, ::-1]
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    v = np.where(d < 0, ~(d << 1), d << 1)
    chars: list[str] = []
    for x in v.tolist():
        while x >= 0x20:
            chars.append(chr((0x20 | (x & 0x1F)) + 63))
            x >>= 5
        chars.append(chr(x + 63))
    return "".join(chars)


def decode_ring(text: str, factor: float = 10 ** DEFAULT_PRECISION) -> list[tuple[float, float]]:
    """Inverse of the ring encoding, as (lon, lat) pairs; used by tests and exports."""
    values, x, shift = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        x |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(x >> 1) if x & 1 else x >> 1)
            x, shift = 0, 0
    lat = np.cumsum(values[0::2]) / factor
    lon = np.cumsum(values[1::2]) / factor
    return list(zip(lon.tolist(), lat.tolist()))


def bulk_bounds(gdf: gpd.GeoDataFrame, *, quantile: float = 0.02,
                spread: float = 3.0) -> tuple[float, float, float, float]:
    """Bounds to open the map on: all regions, unless a few far-flung ones (islands, an
    antimeridian wrap) would zoom the map out to the whole globe. Then the bounds of the regions
    whose centres lie inside the quantiles are used (when the full extent is more than
    ``spread`` times theirs in width or height)."""
    if gdf.empty:
        return (-180.0, -60.0, 180.0, 75.0)
    b = gdf.geometry.bounds
    full = (float(b.minx.min()), float(b.miny.min()), float(b.maxx.max()), float(b.maxy.max()))
    if len(gdf) < 20:
        return full
    cx, cy = (b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2
    keep = cx.between(cx.quantile(quantile), cx.quantile(1 - quantile)) & \
        cy.between(cy.quantile(quantile), cy.quantile(1 - quantile))
    k = b[keep]
    bulk = (float(k.minx.min()), float(k.miny.min()), float(k.maxx.max()), float(k.maxy.max()))
    wide = (full[2] - full[0]) > spread * max(bulk[2] - bulk[0], 1e-9)
    tall = (full[3] - full[1]) > spread * max(bulk[3] - bulk[1], 1e-9)
    return bulk if (wide or tall) else full


def encode_layer(gdf: gpd.GeoDataFrame, *, precision: int = DEFAULT_PRECISION,
                 bounds: tuple[float, float, float, float] | None = None,
                 insets: tuple = (), plural: str = "") -> EncodedLayer:
    """Encode ``region_id``, ``name`` and geometry of a prepared layer for the browser.

    ``bounds`` is what the map opens on (default: the bulk of the regions, see
    :func:`bulk_bounds`); ``insets`` are the boxes of regions moved beside the main map
    (:func:`layers.insets.place_insets`): each goes into the payload as ``{"name", "b"}``
    (b: west, south, east, north), and the map draws its frame and name. ``plural`` names
    the regions ("States"): it heads the legend's count column."""
    factor = 10 ** precision
    shapes = []
    for g in gdf.geometry.values:
        polys = []
        for poly in shapely.get_parts(g):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            rings = [poly.exterior, *poly.interiors]
            polys.append([_encode_ring(np.asarray(r.coords), factor) for r in rings])
        shapes.append(polys)
    ids = [str(x) for x in gdf["region_id"]]
    payload = {"f": factor, "ids": ids, "names": [str(n) for n in gdf["name"]], "shapes": shapes}
    if insets:
        payload["insets"] = [{"name": str(b.name), "b": list(b.bounds)} for b in insets]
    if plural:
        payload["plural"] = str(plural)
    return EncodedLayer(region_ids=tuple(ids), json=safe_json(payload),
                        bounds=tuple(bounds) if bounds is not None else bulk_bounds(gdf),
                        vertices=int(shapely.get_num_coordinates(gdf.geometry.values).sum()),
                        insets=tuple(insets), plural=str(plural))


def safe_json(obj) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' survive literally."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
