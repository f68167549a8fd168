"""Static renderer: a ChoroplethView drawn server-side with matplotlib (PNG, SVG, PDF).

The map is painted from the view exactly as the screen paints it: the class id and colour of
every feature come from :meth:`ChoroplethView.colours`; nothing is classified again here.

Geometry is prepared once per boundary layer (:func:`prepare_static`: projected to a metric
CRS, simplified below the printed pixel, turned into matplotlib paths) and reused for every
view, so a county map renders in well under a second. Regions are drawn with one
``PathCollection`` per axes (holes stay holes), not with ``GeoDataFrame.plot``.

The manifest's ``[map]`` table frames the static map (see docs/workspace-manifest.md)::

    [map]
    crs = "EPSG:5070"                       # metric CRS of the main map (default: UTM zone)
    bounds = [-125.0, 24.0, -66.5, 49.6]    # lon/lat frame of the main map
    insets = [
      {name = "Alaska", region_prefix = "02", crs = "EPSG:3338", position = [0.0, 0.0, 0.25, 0.3]},
    ]

Overlays (:class:`Overlay`) are drawn over the regions in each part's CRS: road segments, and
the workspace's overlays (:func:`map_overlay`: lines over a dark casing, points as dots, areas
as outlines, coloured by :mod:`layers.overlay` as on the screen), each with its legend block.
Every overlay is drawn in every part (main map and insets) and clipped to the part's frame.

Public entry points: :func:`prepare_static`, :func:`draw`, :func:`to_bytes`, and the
one-call helpers :func:`export_png`, :func:`export_pdf`, :func:`export_svg`.
"""
from __future__ import annotations

import io
import math
import weakref
from dataclasses import dataclass, field
from typing import Any, Sequence

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrow, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from pyproj import CRS, Transformer  # noqa: E402

from .choropleth import ChoroplethView  # noqa: E402
from .palettes import NO_DATA_HATCH, NO_DATA_LABEL  # noqa: E402

__all__ = ["PAGE_SIZES", "DPI_CHOICES", "Inset", "MapFrame", "Overlay", "StaticLayer",
           "Snapshot", "map_frame", "map_overlay", "prepare_static", "draw", "to_bytes",
           "export_png", "export_pdf", "export_svg"]

#: Page sizes in inches (landscape).
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "16:9": (13.333, 7.5),
    "a4": (11.693, 8.268),
    "letter": (11.0, 8.5),
}
DPI_CHOICES = (150, 200, 300)
FORMATS = ("png", "svg", "pdf")
HATCH_COLOUR = "#8a8a8a"
EDGE_COLOUR = "#ffffff"
SELECTED_COLOUR = "#111111"


# ------------------------------------------------------------------------------------------
# Manifest: the [map] frame
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Inset:
    name: str
    prefixes: tuple[str, ...]
    crs: str | None = None
    #: left, bottom, width, height as fractions of the main map's axes
    position: tuple[float, float, float, float] | None = None

    def matches(self, region_id: str) -> bool:
        return any(region_id.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class MapFrame:
    crs: str | None = None
    bounds: tuple[float, float, float, float] | None = None
    insets: tuple[Inset, ...] = ()


def map_frame(settings: dict | None) -> tuple[MapFrame, list[str]]:
    """Read the static-map options of a manifest's ``[map]`` table; list every problem.

    A bad option is reported and left out; the map is still drawn.
    """
    cfg = (settings or {}).get("map", {}) or {}
    problems: list[str] = []
    crs = cfg.get("crs")
    if crs is not None:
        try:
            if not CRS(str(crs)).is_projected:
                problems.append(f"[map] crs = {crs!r}: not a projected (metric) CRS; ignored")
                crs = None
        except Exception:  # noqa: BLE001 - pyproj raises several types
            problems.append(f"[map] crs = {crs!r}: unknown CRS; ignored")
            crs = None
    bounds = cfg.get("bounds")
    if bounds is not None:
        try:
            b = tuple(float(x) for x in bounds)
            if len(b) != 4 or not (b[0] < b[2] and b[1] < b[3]):
                raise ValueError
            bounds = b
        except (TypeError, ValueError):
            problems.append(f"[map] bounds = {bounds!r}: expected [west, south, east, north]; "
                            "ignored")
            bounds = None
    insets: list[Inset] = []
    for i, raw in enumerate(cfg.get("insets", []) or []):
        where = f"[map] insets[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a table like {{name = ..., region_prefix = ...}}")
            continue
        name = str(raw.get("name", "")).strip()
        pref = raw.get("region_prefix")
        prefixes = tuple(str(p) for p in (pref if isinstance(pref, list) else [pref])
                         if p not in (None, ""))
        if not name or not prefixes:
            problems.append(f"{where}: needs name and region_prefix (text or list of texts)")
            continue
        icrs = raw.get("crs")
        if icrs is not None:
            try:
                CRS(str(icrs))
            except Exception:  # noqa: BLE001
                problems.append(f"{where} crs = {icrs!r}: unknown CRS; a UTM zone is used")
                icrs = None
        pos = raw.get("position")
        if pos is not None:
            try:
                pos = tuple(float(x) for x in pos)
                if len(pos) != 4 or min(pos) < 0 or pos[2] <= 0 or pos[3] <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{where} position = {raw.get('position')!r}: expected "
                                "[left, bottom, width, height] as fractions; default used")
                pos = None
        insets.append(Inset(name=name, prefixes=prefixes, crs=str(icrs) if icrs else None,
                            position=pos))
    return MapFrame(crs=str(crs) if crs else None, bounds=bounds, insets=tuple(insets)), problems


# ------------------------------------------------------------------------------------------
# Geometry prepared once per layer
# ------------------------------------------------------------------------------------------

@dataclass
class _Part:
    name: str
    crs: CRS
    index: np.ndarray                 # feature positions drawn in this part
    paths: list                       # one compound matplotlib Path per feature (same order)
    extent: tuple[float, float, float, float]   # xmin, xmax, ymin, ymax (projected)
    points: np.ndarray                # representative point per feature (projected), (n, 2)
    to_proj: Any = None               # pyproj Transformer lon/lat -> this CRS
    position: tuple[float, float, float, float] | None = None


@dataclass
class StaticLayer:
    """A boundary layer ready to draw: ids in feature order, parts (main map and insets)."""
    region_ids: tuple[str, ...]
    names: tuple[str, ...]
    main: _Part
    insets: list[_Part]
    outside: tuple[int, ...]          # features in no part (outside the frame)
    vertices: int = 0

    def part_of(self, i: int) -> _Part | None:
        for part in [self.main, *self.insets]:
            if i in part._set:   # type: ignore[attr-defined]
                return part
        return None


def _metric_crs(gdf4326: gpd.GeoDataFrame) -> CRS:
    try:
        crs = gdf4326.estimate_utm_crs()
        if crs is not None:
            return crs
    except Exception:  # noqa: BLE001 - empty or odd layers
        pass
    return CRS("EPSG:3857")


def _paths(geoms: np.ndarray) -> list:
    """One compound path per geometry; exteriors counter-clockwise, holes clockwise."""
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    out = []
    for g in geoms:
        verts, codes = [], []
        if g is not None and not g.is_empty:
            for poly in shapely.get_parts(g):
                if poly.geom_type != "Polygon" or poly.is_empty:
                    continue
                for ring in shapely.get_rings(poly):
                    xy = shapely.get_coordinates(ring)
                    if len(xy) < 4:
                        continue
                    verts.append(xy)
                    c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                    c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                    codes.append(c)
        if verts:
            out.append(MplPath(np.concatenate(verts), np.concatenate(codes)))
        else:
            out.append(MplPath(np.zeros((1, 2)), [MplPath.MOVETO]))
    return out


def _make_part(name: str, gs: gpd.GeoSeries, index: np.ndarray, crs: CRS,
               position, *, px_per_m_target: float = 3600.0,
               bounds: tuple[float, float, float, float] | None = None) -> _Part:
    sub = gs.iloc[index].to_crs(crs)
    geoms = np.asarray(sub.values)
    if bounds is not None:
        w, s, e, n = bounds
        frame = gpd.GeoSeries([shapely.box(w, s, e, n).segmentize(0.5)], crs=4326).to_crs(crs)
        xmin, ymin, xmax, ymax = frame.total_bounds
    elif len(geoms):
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    else:
        xmin, ymin, xmax, ymax = 0.0, 0.0, 1.0, 1.0
    span = max(xmax - xmin, ymax - ymin, 1.0)
    tol = span / px_per_m_target     # below one pixel of a 300 dpi, 12-inch-wide map
    if len(geoms):
        try:
            geoms = shapely.coverage_simplify(geoms, tol)
        except Exception:  # noqa: BLE001 - not a clean coverage
            geoms = shapely.simplify(geoms, tol, preserve_topology=True)
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms)) if len(geoms) else \
        np.zeros((0, 2))
    pad = span * 0.01
    part = _Part(name=name, crs=crs, index=np.asarray(index, dtype=np.int64),
                 paths=_paths(geoms), extent=(xmin - pad, xmax + pad, ymin - pad, ymax + pad),
                 points=pts, to_proj=Transformer.from_crs(4326, crs, always_xy=True),
                 position=position)
    part._set = set(part.index.tolist())  # type: ignore[attr-defined]
    return part


def prepare_static(gdf: gpd.GeoDataFrame, frame: MapFrame = MapFrame()) -> StaticLayer:
    """Project, frame, simplify and path a boundary layer (``region_id``, ``name``, geometry).

    The feature order is the layer's row order: the order the view's ids are in.
    """
    g = gdf if gdf.crs is not None else gdf.set_crs(4326)
    if g.crs.to_epsg() != 4326:
        g = g.to_crs(4326)
    ids = [str(x) for x in g["region_id"]]
    gs = g.geometry.reset_index(drop=True)
    taken = np.zeros(len(ids), dtype=bool)
    insets = []
    for k, ins in enumerate(frame.insets):
        idx = np.array([i for i, r in enumerate(ids) if not taken[i] and ins.matches(r)],
                       dtype=np.int64)
        if not len(idx):
            continue
        taken[idx] = True
        sub = g.iloc[idx]
        crs = CRS(ins.crs) if ins.crs else _metric_crs(sub)
        pos = ins.position or (0.02 + 0.22 * len(insets), 0.02, 0.2, 0.2)
        insets.append(_make_part(ins.name, gs, idx, crs, pos))
    rest = np.flatnonzero(~taken)
    main_crs = CRS(frame.crs) if frame.crs else _metric_crs(g.iloc[rest] if len(rest) else g)
    bounds = frame.bounds
    if bounds is not None:
        b = gs.iloc[rest].bounds
        inside = ((b.maxx >= bounds[0]) & (b.minx <= bounds[2]) &
                  (b.maxy >= bounds[1]) & (b.miny <= bounds[3])).to_numpy()
        main_idx, outside = rest[inside], rest[~inside]
    else:
        main_idx, outside = rest, np.array([], dtype=np.int64)
    main = _make_part("main", gs, main_idx, main_crs, None, bounds=bounds)
    return StaticLayer(region_ids=tuple(ids), names=tuple(str(n) for n in g["name"]),
                       main=main, insets=insets, outside=tuple(int(i) for i in outside),
                       vertices=int(sum(len(p.vertices) for part in [main, *insets]
                                        for p in part.paths)))


_PREPARED: dict[tuple, tuple[weakref.ref, StaticLayer]] = {}


def _prepared_for(gdf: gpd.GeoDataFrame, frame: MapFrame) -> StaticLayer:
    """Memo of :func:`prepare_static` for callers that hand over the raw frame each time."""
    key = (id(gdf), len(gdf), frame)
    hit = _PREPARED.get(key)
    if hit is not None and hit[0]() is gdf:
        return hit[1]
    for k in [k for k, (ref, _) in _PREPARED.items() if ref() is None]:
        del _PREPARED[k]
    layer = prepare_static(gdf, frame)
    _PREPARED[key] = (weakref.ref(gdf), layer)
    return layer


# ------------------------------------------------------------------------------------------
# Drawing
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overlay:
    """Features drawn over the regions, coloured per feature: road segments (lines, one legend
    row per class), or a workspace overlay (:func:`map_overlay`: lines over a dark casing,
    points as dots, areas as outlines, and a legend block headed by its label)."""
    gdf: gpd.GeoDataFrame
    colour_column: str
    width: float = 1.2
    label: str = ""
    legend: tuple[tuple[str, str], ...] = ()      # (label, colour) rows for the legend
    kind_column: str = ""        # "line", "point" or "area" per feature; "" → geometry type
    casing: str = ""             # colour drawn under lines and outlines ("" none)
    shapes: tuple[str, ...] = ()  # swatch of each legend row: "line", "point" or "area"
    heading: bool = False        # the legend block starts with ``label`` in bold
    note: str = ""               # under the legend block (categories drawn as "Other")


#: A workspace overlay on paper: the screen's look (layers/web/fiscalmap.js, fmOverlays)
#: in points at the 16:9 page: lines 3.5 px over a 5.5 px casing, area outlines 2.5 px,
#: points of 6 px radius with a dark edge.
OVERLAY_CASING = "#1a1a1a"
OVERLAY_CASING_ALPHA = 0.75
OVERLAY_LINE_PT = 2.2
OVERLAY_AREA_PT = 1.6
OVERLAY_CASING_PT = 1.4          # added to the line's width
OVERLAY_POINT_PT = 7.5           # dot diameter
#: Overlays with more vertices than this are simplified below the printed pixel.
OVERLAY_SIMPLIFY_ABOVE = 20_000


def map_overlay(frame: gpd.GeoDataFrame, *, label: str, colour: str = "") -> Overlay:
    """A loaded workspace overlay (:func:`geodata.overlays.load_overlay`) for paper.

    The colour of every feature, the legend rows (label, count) and the note come from
    :func:`layers.overlay.overlay_style` called exactly as :func:`layers.overlay.encode_overlay`
    calls it for the screen, so paper and screen show the same categories in the same colours.
    """
    from .overlay import legend_rows, overlay_style

    style = overlay_style(frame["category"].tolist() if "category" in frame else [],
                          colour=colour, label=label,
                          features=frame["feature_id"].tolist() if "feature_id" in frame
                          else None)
    kinds = [str(k) for k in frame["kind"]] if "kind" in frame else \
        [_kind_of(g) for g in frame.geometry.values]
    g = gpd.GeoDataFrame({"kind": kinds, "colour": style.colour_of()},
                         geometry=frame.geometry.values, crs=frame.crs or 4326)
    common = max(set(kinds), key=kinds.count) if kinds else "line"
    shapes = []
    for j in range(len(style.labels)):
        mine = [k for k, c in zip(kinds, style.class_ids) if c == j]
        shapes.append(max(set(mine), key=mine.count) if mine else common)
    note = style.note if len(frame) else "Nothing could be drawn from this overlay's file " \
        "(see Data quality)."
    return Overlay(g, "colour", width=OVERLAY_LINE_PT, label=label,
                   legend=tuple((f"{lab} ({n})", col) for lab, col, n in legend_rows(style)),
                   kind_column="kind", casing=OVERLAY_CASING, shapes=tuple(shapes),
                   heading=True, note=note)


def _kind_of(geom) -> str:
    t = geom.geom_type if geom is not None else ""
    return "point" if "Point" in t else "area" if "Polygon" in t else "line"


@dataclass
class Snapshot:
    """A drawn map: the figure, and where each region's representative point landed."""
    figure: Figure
    layer: StaticLayer
    axes: dict[str, Any] = field(default_factory=dict)   # part name -> Axes

    def pixel_of(self, region_id: str, dpi: float | None = None) -> tuple[float, float] | None:
        """(x, y) pixel of the region's representative point, from the top-left corner of an
        image saved at ``dpi`` (without a tight bounding box)."""
        i = self.layer.region_ids.index(region_id)
        for part in [self.layer.main, *self.layer.insets]:
            pos = np.flatnonzero(part.index == i)
            if len(pos):
                ax = self.axes[part.name]
                ax.apply_aspect()
                x, y = ax.transData.transform(part.points[pos[0]])
                scale = (dpi or self.figure.dpi) / self.figure.dpi
                height = self.figure.get_figheight() * self.figure.dpi
                return float(x * scale), float((height - y) * scale)
        return None


def _nice_length(max_m: float) -> float:
    exp = 10 ** math.floor(math.log10(max_m))
    for m in (5, 2, 1):
        if m * exp <= max_m:
            return m * exp
    return exp


def _scale_bar(ax, part: _Part, colour: str, fontsize: float) -> None:
    """A scale bar in the part's metric CRS, at the centre latitude of the map."""
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    unit = part.crs.axis_info[0].unit_name if part.crs.axis_info else "metre"
    factor = 0.3048 if "foot" in (unit or "") else 1.0
    width_m = (x1 - x0) * factor
    length_km = _nice_length(width_m * 0.18 / 1000.0)
    length = length_km * 1000.0 / factor
    bx, by = x1 - (x1 - x0) * 0.03 - length, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.008
    ax.add_patch(Rectangle((bx, by), length / 2, h, facecolor=colour, edgecolor=colour,
                           lw=0.6, zorder=6))
    ax.add_patch(Rectangle((bx + length / 2, by), length / 2, h, facecolor="white",
                           edgecolor=colour, lw=0.6, zorder=6))
    miles = length_km / 1.609344
    label = f"{length_km:g} km" + (f"  ({miles:.0f} mi)" if miles >= 1 else "")
    ax.text(bx + length / 2, by + h * 2.2, label, ha="center", va="bottom", fontsize=fontsize,
            color=colour, zorder=6)
    ax.text(bx, by - h * 0.8, "0", ha="center", va="top", fontsize=fontsize * 0.85,
            color=colour, zorder=6)


def _north_arrow(ax, part: _Part, colour: str, fontsize: float) -> None:
    """An arrow pointing to true north at the centre of the map (conic maps bend it)."""
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    back = Transformer.from_crs(part.crs, 4326, always_xy=True)
    lon, lat = back.transform(cx, cy)
    nx, ny = part.to_proj.transform(lon, min(lat + 0.5, 89.9))
    angle = math.atan2(nx - cx, ny - cy)
    size = (y1 - y0) * 0.07
    ax_x, ax_y = x1 - (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.16
    dx, dy = size * math.sin(angle), size * math.cos(angle)
    ax.add_patch(FancyArrow(ax_x - dx / 2, ax_y - dy / 2, dx, dy, width=size * 0.12,
                            head_width=size * 0.38, head_length=size * 0.4,
                            length_includes_head=True, color=colour, zorder=6))
    ax.text(ax_x + dx * 0.62, ax_y + dy * 0.62, "N", ha="center", va="bottom",
            fontsize=fontsize * 1.2, fontweight="bold", color=colour, zorder=6)


def _fit_extent(ax, extent):
    """Grow the extent to the axes' shape so one map unit is as long in x as in y."""
    xmin, xmax, ymin, ymax = extent
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    box_ratio = (pos.height * fig_h) / max(pos.width * fig_w, 1e-9)
    w, h = xmax - xmin, ymax - ymin
    if h / w < box_ratio:
        grow = (w * box_ratio - h) / 2
        ymin, ymax = ymin - grow, ymax + grow
    else:
        grow = (h / box_ratio - w) / 2
        xmin, xmax = xmin - grow, xmax + grow
    return xmin, xmax, ymin, ymax


def _draw_part(ax, part: _Part, colours: list[str], nodata: np.ndarray, selected: int | None,
               edge: str, lw: float, nd_colour: str) -> None:
    if not len(part.index):
        ax.set_axis_off()
        return
    fill = [colours[i] for i in part.index.tolist()]
    is_nd = nodata[part.index]
    have = [p for p, nd in zip(part.paths, is_nd) if not nd]
    if have:
        ax.add_collection(PathCollection(
            have, facecolors=[c for c, nd in zip(fill, is_nd) if not nd], edgecolors=edge,
            linewidths=lw, antialiaseds=True, zorder=2))
    nd_paths = [p for p, nd in zip(part.paths, is_nd) if nd]
    if nd_paths:
        coll = PathCollection(nd_paths, facecolors=nd_colour, edgecolors=edge,
                              linewidths=lw, hatch=NO_DATA_HATCH, zorder=2)
        coll.set_hatchcolor(HATCH_COLOUR)
        ax.add_collection(coll)
    if selected is not None and selected in part._set:  # type: ignore[attr-defined]
        pos = int(np.flatnonzero(part.index == selected)[0])
        ax.add_collection(PathCollection([part.paths[pos]], facecolors="none",
                                         edgecolors=SELECTED_COLOUR, linewidths=2.0, zorder=4))
    xmin, xmax, ymin, ymax = _fit_extent(ax, part.extent)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()


def _draw_overlays(ax, part: _Part, overlays: Sequence[Overlay], scale: float = 1.0) -> None:
    """Overlays in the part's CRS, in order (later ones on top): casings, lines and area
    outlines, then points. Features outside the part's frame are clipped by the axes."""
    x0, x1, y0, y1 = part.extent
    tol = max(x1 - x0, y1 - y0, 1.0) / 3600.0     # below one printed pixel (as the regions)
    for ov in overlays:
        if ov.gdf.empty:
            continue
        g = ov.gdf if ov.gdf.crs is not None else ov.gdf.set_crs(4326)
        geoms = np.asarray(g.to_crs(part.crs).geometry.values, dtype=object)
        colours = g[ov.colour_column].tolist()
        kinds = g[ov.kind_column].tolist() if ov.kind_column and ov.kind_column in g \
            else [_kind_of(x) for x in geoms]
        if ov.kind_column and len(geoms) and \
                int(shapely.get_num_coordinates(geoms).sum()) > OVERLAY_SIMPLIFY_ABOVE:
            shaped = np.array([k != "point" for k in kinds], dtype=bool)
            geoms[shaped] = shapely.simplify(geoms[shaped], tol, preserve_topology=False)
        lines, line_cols, rings, ring_cols, pts, pt_cols = [], [], [], [], [], []
        for geom, colour, kind in zip(geoms, colours, kinds):
            if geom is None or geom.is_empty:
                continue
            for one in shapely.get_parts(geom):
                if one.geom_type == "LineString":
                    xy = shapely.get_coordinates(one)
                    if len(xy) >= 2 and np.isfinite(xy).all():
                        lines.append(xy)
                        line_cols.append(colour)
                elif one.geom_type == "Polygon" and kind != "line":
                    for ring in shapely.get_rings(one):
                        xy = shapely.get_coordinates(ring)
                        if len(xy) >= 2 and np.isfinite(xy).all():
                            rings.append(xy)
                            ring_cols.append(colour)
                elif one.geom_type == "Point" and ov.kind_column:
                    xy = shapely.get_coordinates(one)
                    if len(xy) and np.isfinite(xy).all():
                        pts.append(xy[0])
                        pt_cols.append(colour)
        line_w, area_w = ov.width * scale, OVERLAY_AREA_PT * scale
        if ov.casing and (lines or rings):
            ax.add_collection(LineCollection(
                lines + rings, colors=ov.casing, alpha=OVERLAY_CASING_ALPHA, zorder=5,
                linewidths=[line_w + OVERLAY_CASING_PT * scale] * len(lines) +
                [area_w + OVERLAY_CASING_PT * scale] * len(rings),
                capstyle="round", joinstyle="round"))
        if rings:
            ax.add_collection(LineCollection(rings, colors=ring_cols, linewidths=area_w,
                                             zorder=5, joinstyle="round"))
        if lines:
            ax.add_collection(LineCollection(lines, colors=line_cols, linewidths=line_w,
                                             zorder=5, capstyle="round", joinstyle="round"))
        if pts:
            xy = np.asarray(pts)
            ax.scatter(xy[:, 0], xy[:, 1], s=(OVERLAY_POINT_PT * scale) ** 2, c=pt_cols,
                       edgecolors=ov.casing or OVERLAY_CASING, linewidths=0.9 * scale,
                       zorder=5, clip_on=True)


def _legend_swatch(lax, ov: Overlay, shape: str, colour: str, x0: float, x1: float,
                   yc: float, h: float, scale: float) -> None:
    """One overlay legend row's swatch, drawn as the features are drawn on the map."""
    if shape == "point":
        lax.plot([(x0 + x1) / 2], [yc], marker="o", ls="none",
                 ms=OVERLAY_POINT_PT * scale * 1.2, mfc=colour,
                 mec=ov.casing or OVERLAY_CASING, mew=0.9 * scale)
    elif shape == "area":
        lax.add_patch(Rectangle((x0 + 0.015, yc - h / 2), x1 - x0 - 0.03, h, facecolor="none",
                                edgecolor=colour, lw=OVERLAY_AREA_PT * scale * 1.3))
    else:
        if ov.casing:
            lax.plot([x0, x1], [yc, yc], color=ov.casing, alpha=OVERLAY_CASING_ALPHA,
                     lw=(ov.width + OVERLAY_CASING_PT) * scale * 1.3, solid_capstyle="butt")
        lax.plot([x0, x1], [yc, yc], color=colour, solid_capstyle="butt",
                 lw=ov.width * scale * 1.3 if ov.casing else ov.width * 1.6)


def _fit_label(text: str, chars: int) -> str:
    """A legend row's label cut to ``chars`` characters, its count "(n)" kept."""
    if len(text) <= chars:
        return text
    head, sep, count = text.rpartition(" (")
    if not sep or not count.endswith(")"):
        head, count = text, ""
    keep = max(chars - (len(count) + 2 if count else 0) - 1, 3)
    return head[:keep].rstrip() + "…" + (f" ({count}" if count else "")


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def draw(layer: StaticLayer, view: ChoroplethView, **kwargs) -> Snapshot:
    """Draw ``view`` over ``layer`` on a page of ``size`` (a key of :data:`PAGE_SIZES`).

    Keyword options: ``title`` (default the view's), ``subtitle``, ``source``, ``note``,
    ``footnotes``, ``size``, ``dpi``, ``overlays``, ``legend_title``, ``figure``.
    """
    with matplotlib.rc_context(NO_MATHTEXT):   # "$1,205–$581,296" is money, not mathtext
        return _draw(layer, view, **kwargs)


NO_MATHTEXT = {"text.parse_math": False}


def _draw(layer: StaticLayer, view: ChoroplethView, *, title: str | None = None,
         subtitle: str = "", source: str = "", note: str = "", footnotes: Sequence[str] = (),
         size: str = "16:9", dpi: int = 200, overlays: Sequence[Overlay] = (),
         legend_title: str | None = None, figure: Figure | None = None) -> Snapshot:
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError("the view's features are not in the layer's order; build the view "
                         "from the same boundary layer (region ids in the same order)")
    if size not in PAGE_SIZES:
        raise ValueError(f"size {size!r} is not one of {', '.join(PAGE_SIZES)}")
    w_in, h_in = PAGE_SIZES[size]
    fig = figure or Figure(figsize=(w_in, h_in), dpi=dpi)
    fig.set_size_inches(w_in, h_in)
    fig.set_dpi(dpi)
    fig.patch.set_facecolor("white")
    scale = w_in / 13.333 if size == "16:9" else 0.92
    fs = 10.5 * scale + 1.0            # base font size (points)
    ink = "#1a1a1a"

    colours = view.colours()
    nodata = view.class_ids < 0
    selected = layer.region_ids.index(view.selected) if view.selected in layer.region_ids \
        else None
    edge_lw = 0.25 if len(layer.region_ids) > 400 else 0.6

    top = 0.86 if not note else 0.83
    line_h = fs * 0.72 * 1.35 / 72 / h_in          # one footer line, in figure fraction
    src_txt = _wrap(source, int(190 * w_in / 13.333)) if source else ""
    foot_txt = [_wrap(t, int(200 * w_in / 13.333)) for t in list(footnotes)[:3]]
    foot_lines = (src_txt.count("\n") + 1 if src_txt else 0) + \
        sum(t.count("\n") + 1 for t in foot_txt)
    bottom = 0.03 + line_h * (foot_lines + 0.6)
    map_rect = (0.02, bottom, 0.70, top - bottom)
    ax = fig.add_axes(map_rect)
    _draw_part(ax, layer.main, colours, nodata, selected, EDGE_COLOUR, edge_lw,
               view.no_data_colour)
    _draw_overlays(ax, layer.main, overlays, scale)
    axes = {"main": ax}
    ax.apply_aspect()
    for part in layer.insets:
        lft, btm, wid, hgt = part.position or (0.02, 0.02, 0.2, 0.2)
        box = (map_rect[0] + lft * map_rect[2], map_rect[1] + btm * map_rect[3],
               wid * map_rect[2], hgt * map_rect[3])
        iax = fig.add_axes(box)
        _draw_part(iax, part, colours, nodata, selected, EDGE_COLOUR, edge_lw,
                   view.no_data_colour)
        _draw_overlays(iax, part, overlays, scale)
        iax.set_axis_on()
        iax.set_xticks([])
        iax.set_yticks([])
        for sp in iax.spines.values():
            sp.set_color("#9a9a9a")
            sp.set_linewidth(0.6)
        iax.patch.set_alpha(0)
        iax.text(0.0, 1.015, part.name, transform=iax.transAxes, ha="left", va="bottom",
                 fontsize=fs * 0.8, color="#444444")
        axes[part.name] = iax
    if len(layer.main.index):
        _scale_bar(ax, layer.main, ink, fs * 0.8)
        _north_arrow(ax, layer.main, ink, fs * 0.8)

    # Title block
    fig.text(0.02, 0.955, title if title is not None else view.title, ha="left", va="center",
             fontsize=fs * 1.9, fontweight="bold", color=ink)
    if subtitle:
        fig.text(0.02, 0.905, subtitle, ha="left", va="center", fontsize=fs * 1.1,
                 color="#3a3a3a")
    if note:
        fig.text(0.02, 0.865, note, ha="left", va="center", fontsize=fs * 0.95,
                 color="#3a3a3a", style="italic")

    # Legend
    lax = fig.add_axes((0.745, bottom, 0.235, top - bottom))
    lax.set_xlim(0, 1)
    lax.set_ylim(0, 1)
    lax.set_axis_off()
    y = 0.98
    head = legend_title if legend_title is not None else (view.subtitle or view.unit)
    lax.text(0.0, y, _wrap(head or "", 34), ha="left", va="top", fontsize=fs * 1.05,
             fontweight="bold", color=ink)
    y -= 0.06 * (1 + (head or "").count("\n") + len(head or "") // 34)
    # Rows of the classes, then a block per overlay (heading, rows, note), fitted to the
    # room left above the notes at the bottom; the type shrinks only when rows must, and
    # an overlay's rows go in two columns when one would make them too small to read.
    note_w = 44
    notes = [_wrap(ov.note, note_w) if ov.note else "" for ov in overlays]
    room = y - 0.17
    legend_h_pt = (top - bottom) * h_in * 72

    def fit(columns: int) -> tuple[float, float]:
        units = len(view.legend) + sum(
            -(-len(ov.legend) // columns)
            + (1.7 + 0.8 * _wrap(ov.label, 34).count("\n") if ov.heading else 0)
            + (0.72 * (n.count("\n") + 1) if n else 0) for ov, n in zip(overlays, notes))
        r = min(0.075, room / max(units, 1))
        return r, min(fs * 0.95, r * legend_h_pt * 0.62)

    columns = 1
    row, row_fs = fit(1)
    if row_fs < fs * 0.8 and any(len(ov.legend) > 3 for ov in overlays):
        columns = 2
        row, row_fs = fit(2)
    row_fs = max(row_fs, fs * 0.6)
    sw_w, sw_h = 0.13, row * 0.62
    for entry in view.legend:
        hatch = NO_DATA_HATCH if entry.class_id < 0 else None
        rect = Rectangle((0.0, y - sw_h), sw_w, sw_h, facecolor=entry.colour,
                         edgecolor="#555555", lw=0.6, hatch=hatch)
        if hatch:
            rect.set_hatchcolor(HATCH_COLOUR)
        lax.add_patch(rect)
        label = entry.label if entry.class_id >= 0 else NO_DATA_LABEL
        lax.text(sw_w + 0.04, y - sw_h / 2, f"{label}  ({entry.count:,})", ha="left",
                 va="center", fontsize=row_fs, color=ink)
        y -= row
    col_w = 1.0 / columns
    ov_sw = sw_w if columns == 1 else 0.09
    # characters of a row's label that fit its column (about 0.55 em per character)
    fits = int((col_w - ov_sw - 0.05) * 0.235 * w_in * 72 / (0.55 * row_fs))
    for ov, note in zip(overlays, notes):
        if ov.heading:
            y -= row * 0.45
            head_txt = _wrap(ov.label, 34)
            lax.text(0.0, y, head_txt, ha="left", va="top", fontsize=row_fs * 1.02,
                     fontweight="bold", color=ink)
            y -= row * (1.0 + 0.8 * head_txt.count("\n")) + row * 0.25
        per_col = -(-len(ov.legend) // columns)
        for j, (lab, col) in enumerate(ov.legend):
            shape = ov.shapes[j] if j < len(ov.shapes) else "line"
            x0, yj = (j // per_col) * col_w, y - (j % per_col) * row
            _legend_swatch(lax, ov, shape, col, x0, x0 + ov_sw, yj - sw_h / 2, sw_h, scale)
            lax.text(x0 + ov_sw + 0.04, yj - sw_h / 2, _fit_label(lab, fits), ha="left",
                     va="center", fontsize=row_fs, color=ink)
        y -= row * per_col
        if note:
            lax.text(0.0, y - row * 0.1, note, ha="left", va="top", fontsize=row_fs * 0.8,
                     color="#555555")
            y -= row * 0.72 * (note.count("\n") + 1)
    y -= row * 0.3
    scheme = (view.scheme or "").replace("_", " ")
    n_cls = len(view.class_colours)
    counted = "regions, and of overlay features," if any(ov.heading for ov in overlays) \
        else "regions"
    lax.text(0.0, y, _wrap(f"{scheme.capitalize()} classes ({n_cls}); counts of "
                           f"{counted} in brackets.", 40),
             ha="left", va="top", fontsize=fs * 0.78, color="#555555")
    if layer.outside:
        names = [layer.names[i] for i in layer.outside if not nodata[i]]
        if names:
            more = f" and {len(names) - 6} more" if len(names) > 6 else ""
            lax.text(0.0, y - row * 1.1, _wrap("Not in the map frame (with data): " +
                                               ", ".join(names[:6]) + more, 40),
                     ha="left", va="top", fontsize=fs * 0.78, color="#555555")

    # Footer, bottom up: the source line, then the notes
    fy = 0.018
    for text, colour in ([(src_txt, "#444444")] if src_txt else []) + \
            [(t, "#555555") for t in reversed(foot_txt)]:
        fig.text(0.02, fy, text, ha="left", va="bottom", fontsize=fs * 0.72, color=colour,
                 linespacing=1.2)
        fy += line_h * (text.count("\n") + 1)
    return Snapshot(figure=fig, layer=layer, axes=axes)


def to_bytes(snapshot: Snapshot | Figure, fmt: str, dpi: int | None = None) -> bytes:
    """Encode a drawn map as PNG, SVG or PDF."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    fig = snapshot.figure if isinstance(snapshot, Snapshot) else snapshot
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"format": fmt, "dpi": dpi or fig.dpi, "facecolor": "white"}
    if fmt == "png":
        kwargs["pil_kwargs"] = {"compress_level": 1}
    if fmt in ("pdf", "svg"):
        kwargs["metadata"] = {"Creator": "fiscal map"} if fmt == "pdf" else {"Creator": "fiscal map"}
    fig.savefig(buf, **kwargs)
    return buf.getvalue()


def _export(view: ChoroplethView, gdf: gpd.GeoDataFrame, fmt: str, *, dpi: int = 200,
            size: str = "16:9", frame: MapFrame = MapFrame(), **decor) -> bytes:
    layer = _prepared_for(gdf, frame)
    snap = draw(layer, view, size=size, dpi=dpi, **decor)
    try:
        return to_bytes(snap, fmt, dpi)
    finally:
        plt.close(snap.figure)


def export_png(view: ChoroplethView, gdf: gpd.GeoDataFrame, *, dpi: int = 200,
               size: str = "16:9", frame: MapFrame = MapFrame(), **decor) -> bytes:
    """PNG of ``view`` over the boundaries ``gdf`` (geometry prepared once and remembered)."""
    return _export(view, gdf, "png", dpi=dpi, size=size, frame=frame, **decor)


def export_pdf(view: ChoroplethView, gdf: gpd.GeoDataFrame, *, size: str = "16:9",
               frame: MapFrame = MapFrame(), **decor) -> bytes:
    """PDF (vector) of ``view`` over the boundaries ``gdf``."""
    return _export(view, gdf, "pdf", dpi=72, size=size, frame=frame, **decor)


def export_svg(view: ChoroplethView, gdf: gpd.GeoDataFrame, *, size: str = "16:9",
               frame: MapFrame = MapFrame(), **decor) -> bytes:
    """SVG (vector) of ``view`` over the boundaries ``gdf``."""
    return _export(view, gdf, "svg", dpi=72, size=size, frame=frame, **decor)
