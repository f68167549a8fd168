"""The manifest's ``[map]`` frame, and its insets placed on the web map.

A workspace names its main frame and the regions drawn in insets (far-flung parts such as
Alaska, Hawaii and Puerto Rico) in one ``[map]`` table (see docs/workspace-manifest.md)::

    [map]
    crs = "EPSG:5070"                       # metric CRS of the main map (default: UTM zone)
    bounds = [-125.0, 24.0, -66.5, 49.6]    # lon/lat frame of the main map
    insets = [
      {name = "Alaska", region_prefix = "02", crs = "EPSG:3338", position = [0.0, 0.0, 0.25, 0.3]},
    ]

:func:`map_frame` reads it once for every surface: the static exports
(:mod:`layers.render_static`) draw each inset in an axes of its own; the web map cannot hold
several frames, so :func:`place_insets` moves each inset's regions, drawn in the inset's CRS,
into its box beside the main map (``position``: left, bottom, width, height as fractions of the
main frame, measured in Web Mercator metres, the plane the web map is drawn in) and returns the
boxes to outline and name. Region ids and the feature order are kept, so clicks, tooltips and
values find their regions as before. Nothing here imports a map library.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from locales import t

from .geometry import EncodedLayer, bulk_bounds, encode_layer, prepare_geometry

__all__ = ["Inset", "MapFrame", "InsetBox", "Placed", "map_frame", "place_insets",
           "default_position", "encode_placed"]

#: Sphere radius of Web Mercator (EPSG:3857), the plane Leaflet draws in.
_R = 6378137.0
#: Latitudes Web Mercator can show.
_MAX_LAT = 85.05112878
#: Room kept between an inset's shapes and its frame line, as a share of the box's short side.
MARGIN = 0.04


@dataclass(frozen=True)
class Inset:
    name: str
    prefixes: tuple[str, ...]
    crs: str | None = None
    #: left, bottom, width, height as fractions of the main map's frame
    position: tuple[float, float, float, float] | None = None

    def matches(self, region_id: str) -> bool:
        return any(region_id.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class MapFrame:
    crs: str | None = None
    bounds: tuple[float, float, float, float] | None = None
    insets: tuple[Inset, ...] = ()


def default_position(k: int) -> tuple[float, float, float, float]:
    """Where the ``k``-th inset without a ``position`` goes: along the bottom, left to right."""
    return (0.02 + 0.22 * k, 0.02, 0.2, 0.2)


def map_frame(settings: dict | None) -> tuple[MapFrame, list[str]]:
    """Read the ``[map]`` table of a manifest's settings; list every problem.

    A bad option is reported and left out; the map is still drawn.
    """
    cfg = (settings or {}).get("map", {}) or {}
    problems: list[str] = []
    crs = cfg.get("crs")
    if crs is not None:
        try:
            if not CRS(str(crs)).is_projected:
                problems.append(t("[map] crs = {crs}: not a projected (metric) CRS; ignored",
                                  crs=repr(crs)))
                crs = None
        except Exception:  # noqa: BLE001 - pyproj raises several types
            problems.append(t("[map] crs = {crs}: unknown CRS; ignored", crs=repr(crs)))
            crs = None
    bounds = cfg.get("bounds")
    if bounds is not None:
        try:
            b = tuple(float(x) for x in bounds)
            if len(b) != 4 or not (b[0] < b[2] and b[1] < b[3]):
                raise ValueError
            bounds = b
        except (TypeError, ValueError):
            problems.append(t("[map] bounds = {bounds}: expected [west, south, east, north]; "
                              "ignored", bounds=repr(bounds)))
            bounds = None
    insets: list[Inset] = []
    for i, raw in enumerate(cfg.get("insets", []) or []):
        where = f"[map] insets[{i}]"
        if not isinstance(raw, dict):
            problems.append(t("{where}: expected a table like {{name = ..., region_prefix = "
                              "...}}", where=where))
            continue
        name = str(raw.get("name", "")).strip()
        pref = raw.get("region_prefix")
        prefixes = tuple(str(p) for p in (pref if isinstance(pref, list) else [pref])
                         if p not in (None, ""))
        if not name or not prefixes:
            problems.append(t("{where}: needs name and region_prefix (text or list of texts)",
                              where=where))
            continue
        icrs = raw.get("crs")
        if icrs is not None:
            try:
                CRS(str(icrs))
            except Exception:  # noqa: BLE001
                problems.append(t("{where} crs = {crs}: unknown CRS; a UTM zone is used",
                                  where=where, crs=repr(icrs)))
                icrs = None
        pos = raw.get("position")
        if pos is not None:
            try:
                pos = tuple(float(x) for x in pos)
                if len(pos) != 4 or min(pos) < 0 or pos[2] <= 0 or pos[3] <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(t("{where} position = {position}: expected [left, bottom, "
                                  "width, height] as fractions; default used", where=where,
                                  position=repr(raw.get("position"))))
                pos = None
        insets.append(Inset(name=name, prefixes=prefixes, crs=str(icrs) if icrs else None,
                            position=pos))
    return MapFrame(crs=str(crs) if crs else None, bounds=bounds, insets=tuple(insets)), problems


# ------------------------------------------------------------------------------------------
# Insets on the web map
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InsetBox:
    """An inset's box on the web map: its name (from the manifest) and west, south, east,
    north in degrees."""
    name: str
    bounds: tuple[float, float, float, float]


@dataclass(frozen=True)
class Placed:
    """A layer with its insets moved beside the main map.

    ``frame``: the layer (same rows, ids and order), inset regions at their place on the web
    map; ``boxes``: one per inset drawn; ``bounds``: what the map opens on (the main frame and
    the boxes), or None when nothing was moved (the layer's own bounds then serve)."""
    frame: gpd.GeoDataFrame
    boxes: tuple[InsetBox, ...] = ()
    bounds: tuple[float, float, float, float] | None = None


def _to_mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -_MAX_LAT, _MAX_LAT)
    return _R * np.radians(lon), _R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _from_mercator(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(x / _R), np.degrees(2 * np.arctan(np.exp(y / _R)) - np.pi / 2)


def metric_crs(gdf4326: gpd.GeoDataFrame) -> CRS:
    """The CRS an inset is drawn in when the manifest names none: its UTM zone, as the
    exports choose it."""
    try:
        crs = gdf4326.estimate_utm_crs()
        if crs is not None:
            return crs
    except Exception:  # noqa: BLE001 - empty or odd layers
        pass
    return CRS("EPSG:3857")


def place_insets(gdf: gpd.GeoDataFrame, frame: MapFrame, *,
                 margin: float = MARGIN) -> Placed:
    """Move the regions of each inset of ``frame`` into the inset's box beside the main map.

    ``gdf`` has ``region_id`` and geometry in EPSG:4326 (a prepared layer). Each inset's
    regions (the first inset whose prefix matches a region takes it, as in the exports) are
    projected in the inset's CRS, scaled uniformly to fit its box and centred in it; the box is
    ``position`` of the main frame (``[map] bounds``, else the bounds of the regions in no
    inset). Nothing moves unless the layer has regions both in and out of the insets: a layer
    of Alaska's counties alone keeps its true place. The caller's frame is not changed.
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        raise ValueError(f"place_insets needs a layer in EPSG:4326, got {gdf.crs}")
    ids = [str(x) for x in gdf["region_id"]]
    taken = np.zeros(len(ids), dtype=bool)
    groups: list[tuple[Inset, np.ndarray]] = []
    for ins in frame.insets:
        idx = np.array([i for i, r in enumerate(ids) if not taken[i] and ins.matches(r)],
                       dtype=np.int64)
        if len(idx):
            taken[idx] = True
            groups.append((ins, idx))
    rest = np.flatnonzero(~taken)
    if not groups or not len(rest):
        return Placed(frame=gdf)

    main = frame.bounds or bulk_bounds(gdf.iloc[rest])
    (mx0, mx1), (my0, my1) = _to_mercator(np.array([main[0], main[2]]),
                                          np.array([main[1], main[3]]))
    width, height = mx1 - mx0, my1 - my0
    geoms = np.asarray(gdf.geometry.values, dtype=object).copy()
    boxes: list[InsetBox] = []
    for k, (ins, idx) in enumerate(groups):
        left, bottom, w, h = ins.position or default_position(k)
        bx0, by0 = mx0 + left * width, my0 + bottom * height
        bw, bh = w * width, h * height
        sub = gdf.iloc[idx]
        crs = CRS(ins.crs) if ins.crs else metric_crs(sub)
        projected = np.asarray(sub.geometry.to_crs(crs).values, dtype=object)
        ex0, ey0, ex1, ey1 = shapely.total_bounds(projected)
        pad = margin * min(bw, bh)
        scale = min((bw - 2 * pad) / max(ex1 - ex0, 1e-9),
                    (bh - 2 * pad) / max(ey1 - ey0, 1e-9))
        ecx, ecy = (ex0 + ex1) / 2, (ey0 + ey1) / 2
        bcx, bcy = bx0 + bw / 2, by0 + bh / 2

        def move(xy: np.ndarray, scale=scale, ecx=ecx, ecy=ecy, bcx=bcx, bcy=bcy) -> np.ndarray:
            lon, lat = _from_mercator(bcx + (xy[:, 0] - ecx) * scale,
                                      bcy + (xy[:, 1] - ecy) * scale)
            return np.column_stack([lon, lat])

        geoms[idx] = shapely.transform(projected, move)
        (w_, e_), (s_, n_) = _from_mercator(np.array([bx0, bx0 + bw]),
                                            np.array([by0, by0 + bh]))
        boxes.append(InsetBox(name=ins.name, bounds=(_round(w_), _round(s_), _round(e_),
                                                     _round(n_))))
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=4326))
    west = min([main[0], *(b.bounds[0] for b in boxes)])
    south = min([main[1], *(b.bounds[1] for b in boxes)])
    east = max([main[2], *(b.bounds[2] for b in boxes)])
    north = max([main[3], *(b.bounds[3] for b in boxes)])
    return Placed(frame=out, boxes=tuple(boxes), bounds=(west, south, east, north))


def _round(x: float) -> float:
    """Degrees to 1e-5 (about a metre): enough for a frame line, short in the payload."""
    return float(round(float(x), 5)) if math.isfinite(x) else 0.0


def encode_placed(gdf: gpd.GeoDataFrame, frame: MapFrame, *, tolerance: float = 0.0,
                  plural: str = "") -> EncodedLayer:
    """A boundary layer ready for the web map: prepared (:func:`prepare_geometry`), its insets
    placed (:func:`place_insets`) and encoded with their boxes, the bounds to open on and what
    its regions are called (``plural``, the level's plural label)."""
    placed = place_insets(prepare_geometry(gdf, tolerance=tolerance), frame)
    return encode_layer(placed.frame, bounds=placed.bounds, insets=placed.boxes, plural=plural)
