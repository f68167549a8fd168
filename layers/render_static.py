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

Text is drawn in DejaVu Sans with a CJK font found on the machine as fallback (WenQuanYi Zen
Hei, Noto Sans CJK, Source Han Sans; see :func:`font_families`), so Chinese region names and
titles are drawn, not shown as empty boxes; the fonts are set for the figure being drawn
(:func:`text_rc`), not for the process. Titles and subtitles are wrapped to the page's width;
every word the renderer adds (legend, scale bar, notes) is a message of :mod:`locales`.

Public entry points: :func:`prepare_static`, :func:`draw`, :func:`to_bytes`, and the
one-call helpers :func:`export_png`, :func:`export_pdf`, :func:`export_svg`.
"""
from __future__ import annotations

import functools
import io
import logging
import math
import os
import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from typing import Any, Sequence

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrow, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from pyproj import CRS, Transformer  # noqa: E402

from locales import N_, t  # noqa: E402

from .choropleth import (MARK_COLOUR, MARK_HALO, MARK_HALO_PT, MARK_WIDTH_PT,  # noqa: E402
                         ChoroplethView)
# the manifest's [map] table is read by layers.insets, for the exports and the web map alike
from .insets import Inset, MapFrame, metric_crs, map_frame  # noqa: E402,F401
from .palettes import NO_DATA_HATCH  # noqa: E402

__all__ = ["PAGE_SIZES", "DPI_CHOICES", "Inset", "MapFrame", "Overlay", "StaticLayer",
           "Snapshot", "map_frame", "map_overlay", "prepare_static", "draw", "to_bytes",
           "export_png", "export_pdf", "export_svg", "font_families", "cjk_family", "text_rc"]

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
# Fonts: Latin text in DejaVu Sans, Chinese from a CJK font of the machine
# ------------------------------------------------------------------------------------------

#: The font of Latin text (matplotlib ships it, so every machine has it).
LATIN_FAMILY = "DejaVu Sans"
#: CJK families tried in order for the characters DejaVu Sans lacks (Debian packages:
#: fonts-wqy-zenhei, fonts-noto-cjk; Adobe's Source Han Sans under its own names).
CJK_FAMILIES = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                "Source Han Sans CN", "Source Han Sans", "Noto Sans CJK JP",
                "WenQuanYi Micro Hei")
#: File names of those fonts, for fonts installed after matplotlib built its font cache.
_CJK_FILE = re.compile(r"wqy|notosanscjk|noto-?sans-?sc|sourcehansans|source-?han-?sans",
                       re.IGNORECASE)


@functools.cache
def cjk_family() -> str | None:
    """The first of :data:`CJK_FAMILIES` matplotlib can use on this machine, or None.

    matplotlib lists the fonts it found when it first ran; a CJK font installed later is not
    in that list, so the system's font files are searched once and the CJK ones added.
    """
    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((f for f in CJK_FAMILIES if f in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(os.path.basename(path)):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):     # unreadable font file
                    continue
        found = known()
    if found is not None:
        _quiet_weight_fallback(found)
    return found


class _NoBoldFallbackWarning(logging.Filter):
    """CJK fonts ship one weight; matplotlib warns each time a bold title falls back to it.
    That is expected, not a problem worth a line on a command line's stderr."""

    def __init__(self, family: str):
        super().__init__()
        self.family = family

    def filter(self, record: logging.LogRecord) -> bool:
        return not (str(record.msg).startswith("findfont: Failed to find font weight")
                    and self.family in map(str, record.args or ()))


def _quiet_weight_fallback(family: str) -> None:
    log = logging.getLogger("matplotlib.font_manager")
    if not any(isinstance(f, _NoBoldFallbackWarning) and f.family == family
               for f in log.filters):
        log.addFilter(_NoBoldFallbackWarning(family))


def font_families() -> list[str]:
    """The font families of drawn text, in fallback order: matplotlib takes each character
    from the first family that has it (DejaVu Sans, then a CJK font when one is installed)."""
    cjk = cjk_family()
    return [LATIN_FAMILY, cjk] if cjk else [LATIN_FAMILY]


def text_rc() -> dict[str, Any]:
    """rcParams for drawing text: the fonts of :func:`font_families`, and no mathtext
    ("$1,205–$581,296" is money). Use as ``matplotlib.rc_context(text_rc())`` around the
    creation of a figure's texts: a text keeps the fonts it was created with."""
    return {**NO_MATHTEXT, "font.family": font_families()}


#: rcParams of text that is never mathtext (see :func:`text_rc`, which adds the fonts).
NO_MATHTEXT = {"text.parse_math": False}


# ------------------------------------------------------------------------------------------
# Wrapping text to a width (Latin words, and Chinese, which breaks between characters)
# ------------------------------------------------------------------------------------------

#: Punctuation that never starts a line (it stays with the character before it), and that
#: never ends one (it stays with the character after it).
_NO_LINE_START = frozenset("，。、；：！？）》」』】〕,.;:!?)]}%’”…·")
_NO_LINE_END = frozenset("（《「『【〔([{‘“")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _units(paragraph: str) -> list[tuple[str, bool]]:
    """The pieces a line may break between, each with whether a space came before it: words,
    and single CJK characters (with the punctuation that must stay beside them)."""
    out: list[tuple[str, bool]] = []
    for k, word in enumerate(paragraph.split(" ")):
        space, piece, piece_wide = k > 0, "", False
        for ch in word:
            if piece and ch not in _NO_LINE_START and (_is_wide(ch) or piece_wide) \
                    and not all(c in _NO_LINE_END for c in piece):
                out.append((piece, space))
                space, piece = False, ""
            if not piece or all(c in _NO_LINE_END for c in piece):
                piece_wide = _is_wide(ch)
            piece += ch
        if piece:
            out.append((piece, space))
    return out


def _join(units: Sequence[tuple[str, bool]]) -> str:
    out = ""
    for piece, space in units:
        out += (" " if space and out else "") + piece
    return out


def _longest(n: int, ok) -> int:
    """The largest k in 1..n with ``ok(k)`` (``ok`` holds up to some k, then never again);
    1 when even ``ok(1)`` fails."""
    if ok(n):
        return n
    good, bad = 1, n
    while bad - good > 1:
        mid = (good + bad) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def _wrap_lines(text: str, fits) -> list[str]:
    """``text`` broken into lines for which ``fits(line)`` holds (a piece too long for a line
    of its own is cut between characters). Line breaks already in ``text`` are kept. Each
    line is found by bisection, so a long title costs a few measurements per line."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        units = _units(paragraph)
        if not units:
            lines.append("")
            continue
        i = 0
        while i < len(units):
            k = _longest(len(units) - i, lambda m: fits(_join(units[i:i + m])))
            line = _join(units[i:i + k])
            while len(line) > 1 and not fits(line):
                cut = _longest(len(line) - 1, lambda m: fits(line[:m]))
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
            i += k
    return lines


def _columns(text: str) -> int:
    """Width of ``text`` in columns of a Latin character (a CJK character takes two)."""
    return sum(2 if _is_wide(ch) else 1 for ch in text)


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` columns (a CJK character counts two)."""
    if not text:
        return ""
    return "\n".join(_wrap_lines(text, lambda line: _columns(line) <= width))


def _measure(dpi: float, **font):
    """A function giving the width in inches of one line of text drawn with ``font``
    (fontsize, fontweight, style) in the fonts of :func:`font_families`."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family=font_families(), size=font.get("fontsize"),
                          weight=font.get("fontweight", "normal"),
                          style=font.get("style", "normal"))
    renderer = RendererAgg(1, 1, dpi)

    @functools.lru_cache(maxsize=None)
    def width_in(line: str) -> float:
        w, _h, _d = renderer.get_text_width_height_descent(line, prop, ismath=False)
        return w / dpi
    return width_in


def _wrap_to_width(text: str, fig: Figure, width_in: float, **font) -> str:
    """``text`` wrapped so that each line, drawn with ``font`` (size, weight) in the fonts of
    :func:`font_families`, is at most ``width_in`` inches wide."""
    if not text:
        return ""
    measure = _measure(fig.dpi, **font)

    def fits(line: str) -> bool:
        return measure(line) <= width_in

    if "\n" not in text and fits(text):            # most titles: one measurement
        return text
    return "\n".join(_wrap_lines(text, fits))


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


def _paths(geoms: np.ndarray) -> list:
    """One compound path per geometry; exteriors counter-clockwise, holes clockwise (rings of
    fewer than four points left out; a geometry without any gets an empty path). Built from
    the layer's coordinates at once: a layer of 100,000 tracts takes a second, not ten."""
    geoms = shapely.orient_polygons(np.asarray(geoms, dtype=object), exterior_cw=False)
    n = len(geoms)
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    ok = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, pidx = parts[ok], pidx[ok]
    rings, ridx = shapely.get_rings(parts, return_index=True)
    xy, cidx = shapely.get_coordinates(rings, return_index=True)
    ring_len = np.bincount(cidx, minlength=len(rings))
    keep_ring = ring_len >= 4
    xy = xy[keep_ring[cidx]]
    ring_len = ring_len[keep_ring]
    ring_feat = pidx[ridx][keep_ring] if len(ridx) else np.zeros(0, dtype=np.int64)
    codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
    ends = np.cumsum(ring_len)
    codes[ends - ring_len] = MplPath.MOVETO
    codes[ends - 1] = MplPath.CLOSEPOLY
    per_feat = np.bincount(ring_feat, weights=ring_len, minlength=n).astype(np.int64)
    off = np.concatenate([[0], np.cumsum(per_feat)])
    fast = getattr(MplPath, "_fast_from_codes_and_verts", None)

    def make(v, c):
        if fast is None:
            return MplPath(v, c)
        path = fast(v, c)
        path.should_simplify = False       # as MplPath() decides for closed rings
        return path

    out = []
    for a, b in zip(off[:-1].tolist(), off[1:].tolist()):
        if b > a:
            out.append(make(xy[a:b], codes[a:b]))
        else:
            out.append(MplPath(np.zeros((1, 2)), [MplPath.MOVETO]))
    return out


#: Layers with more regions than this are drawn one path per colour (a collection of a
#: hundred thousand paths takes seconds to draw and a PDF of them megabytes), with borders
#: in each region's own colour: at that density white borders would wash the map out.
MERGE_ABOVE = 5_000


def _merged(paths: list, positions) -> MplPath:
    """The paths at ``positions`` as one compound path."""
    chosen = [paths[p] for p in positions]
    if not chosen:
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    return MplPath(np.concatenate([p.vertices for p in chosen]),
                   np.concatenate([p.codes for p in chosen]))


def _draw_dense(ax, part: _Part, colours: list[str], is_nd: np.ndarray, lw: float,
                nd_colour: str) -> None:
    fill = np.array([colours[i] for i in part.index.tolist()], dtype=object)
    order = np.flatnonzero(~is_nd)
    groups: dict[str, list[int]] = {}
    for p, c in zip(order.tolist(), fill[order].tolist()):
        groups.setdefault(c, []).append(p)
    if groups:
        cols = list(groups)
        ax.add_collection(PathCollection(
            [_merged(part.paths, groups[c]) for c in cols], facecolors=cols, edgecolors=cols,
            linewidths=lw, antialiaseds=True, zorder=2))
    nd = np.flatnonzero(is_nd).tolist()
    if nd:
        coll = PathCollection([_merged(part.paths, nd)], facecolors=nd_colour,
                              edgecolors=nd_colour, linewidths=lw, hatch=NO_DATA_HATCH,
                              zorder=2)
        coll.set_hatchcolor(HATCH_COLOUR)
        ax.add_collection(coll)


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
    # feature → its position in the part
    part.where = {int(i): k for k, i in enumerate(part.index.tolist())}  # type: ignore[attr-defined]
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
        crs = CRS(ins.crs) if ins.crs else metric_crs(sub)
        pos = ins.position or (0.02 + 0.22 * len(insets), 0.02, 0.2, 0.2)
        insets.append(_make_part(ins.name, gs, idx, crs, pos))
    rest = np.flatnonzero(~taken)
    main_crs = CRS(frame.crs) if frame.crs else metric_crs(g.iloc[rest] if len(rest) else g)
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
    note = style.note if len(frame) else \
        t("Nothing could be drawn from this overlay's file (see Data quality).")
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
    label = t("{km} km  ({mi} mi)", km=f"{length_km:g}", mi=f"{miles:.0f}") if miles >= 1 \
        else t("{km} km", km=f"{length_km:g}")
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
    ax.text(ax_x + dx * 0.62, ax_y + dy * 0.62, t("N"), ha="center", va="bottom",
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
               edge: str, lw: float, nd_colour: str, marked: Sequence[int] = (),
               dense: bool | None = None) -> None:
    if not len(part.index):
        ax.set_axis_off()
        return
    fill = [colours[i] for i in part.index.tolist()]
    is_nd = nodata[part.index]
    if dense is None:
        dense = len(part.index) > MERGE_ABOVE
    if dense:
        _draw_dense(ax, part, colours, is_nd, min(lw, 0.15), nd_colour)
    have = [] if dense else [p for p, nd in zip(part.paths, is_nd) if not nd]
    if have:
        ax.add_collection(PathCollection(
            have, facecolors=[c for c, nd in zip(fill, is_nd) if not nd], edgecolors=edge,
            linewidths=lw, antialiaseds=True, zorder=2))
    nd_paths = [] if dense else [p for p, nd in zip(part.paths, is_nd) if nd]
    if nd_paths:
        coll = PathCollection(nd_paths, facecolors=nd_colour, edgecolors=edge,
                              linewidths=lw, hatch=NO_DATA_HATCH, zorder=2)
        coll.set_hatchcolor(HATCH_COLOUR)
        ax.add_collection(coll)
    # marked regions (e.g. outliers): a thick dark outline on a white halo, over their
    # neighbours' edges
    where = part.where          # type: ignore[attr-defined]
    here = [where[i] for i in marked if i in where and i != selected]
    if here:
        paths = [part.paths[p] for p in here]
        thin = 0.7 if len(part.index) > 400 else 1.0     # counties are small on paper
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors=MARK_HALO,
                                         linewidths=MARK_HALO_PT * thin, zorder=3,
                                         gid="marked-halo"))
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors=MARK_COLOUR,
                                         linewidths=MARK_WIDTH_PT * thin, zorder=3.1,
                                         gid="marked"))
    if selected is not None and selected in part._set:  # type: ignore[attr-defined]
        pos = where[selected]
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
    """A legend row's label cut to ``chars`` columns (a CJK character takes two), its count
    "(n)" kept."""
    if _columns(text) <= chars:
        return text
    head, sep, count = text.rpartition(" (")
    if not sep or not count.endswith(")"):
        head, count = text, ""
    keep = max(chars - (len(count) + 2 if count else 0) - 1, 3)
    cut = 0
    while cut < len(head) and _columns(head[:cut + 1]) <= keep:
        cut += 1
    return head[:max(cut, 1)].rstrip() + "…" + (f" ({count}" if count else "")


def _cut_to(row: str, fits) -> str:
    """A legend row cut with "…" until ``fits`` it, its count "(n)" kept."""
    if fits(row):
        return row
    head, sep, count = row.rpartition("  (")
    tail = f"…{sep}{count}" if sep else "…"
    head = head if sep else row
    keep = _longest(len(head), lambda m: fits(head[:m].rstrip() + tail))
    return head[:keep].rstrip() + tail


def draw(layer: StaticLayer, view: ChoroplethView, **kwargs) -> Snapshot:
    """Draw ``view`` over ``layer`` on a page of ``size`` (a key of :data:`PAGE_SIZES`).

    Keyword options: ``title`` (default the view's), ``subtitle``, ``source``, ``note``,
    ``footnotes``, ``size``, ``dpi``, ``overlays``, ``legend_title``, ``figure``.
    """
    with matplotlib.rc_context(text_rc()):     # fonts with CJK fallback; no mathtext
        return _draw(layer, view, **kwargs)


#: The line under the legend, per classification scheme: without and with overlays.
LEGEND_NOTES: dict[str, tuple[str, str]] = {
    "quantiles": (N_("Quantiles, {n} classes; counts of regions in brackets."),
                  N_("Quantiles, {n} classes; counts of regions and of overlay features in "
                     "brackets.")),
    "equal_interval": (N_("Equal intervals, {n} classes; counts of regions in brackets."),
                       N_("Equal intervals, {n} classes; counts of regions and of overlay "
                          "features in brackets.")),
    "natural_breaks": (N_("Natural breaks, {n} classes; counts of regions in brackets."),
                       N_("Natural breaks, {n} classes; counts of regions and of overlay "
                          "features in brackets.")),
    "fisher_jenks_sampled": (
        N_("Natural breaks (Fisher–Jenks, sampled), {n} classes; counts of regions in "
           "brackets."),
        N_("Natural breaks (Fisher–Jenks, sampled), {n} classes; counts of regions and of "
           "overlay features in brackets.")),
    "user_defined": (N_("Your own breaks, {n} classes; counts of regions in brackets."),
                     N_("Your own breaks, {n} classes; counts of regions and of overlay "
                        "features in brackets.")),
    "diverging": (N_("Diverging classes around a centre, {n} classes; counts of regions in "
                     "brackets."),
                  N_("Diverging classes around a centre, {n} classes; counts of regions and "
                     "of overlay features in brackets.")),
    "box_map": (N_("Box map: outliers beyond Q1 − 1.5 × IQR and Q3 + 1.5 × IQR in classes of "
                   "their own; counts of regions in brackets."),
                N_("Box map: outliers beyond Q1 − 1.5 × IQR and Q3 + 1.5 × IQR in classes of "
                   "their own; counts of regions and of overlay features in brackets.")),
    "percentiles": (N_("Percentile classes, {n} classes; counts of regions in brackets."),
                    N_("Percentile classes, {n} classes; counts of regions and of overlay "
                       "features in brackets.")),
    "head_tail": (N_("Head/tail breaks, {n} classes; counts of regions in brackets."),
                  N_("Head/tail breaks, {n} classes; counts of regions and of overlay features "
                     "in brackets.")),
}
LEGEND_NOTE_OTHER = (N_("{n} classes; counts of regions in brackets."),
                     N_("{n} classes; counts of regions and of overlay features in brackets."))
#: Space between the blocks of the heading, in figure height.
_HEAD_TOP, _HEAD_GAP, _HEAD_TO_MAP = 0.975, 0.009, 0.025


def _text_height(text: str, fontsize: float, h_in: float, linespacing: float = 1.2) -> float:
    """Height of a (multi-line) text in figure fraction."""
    return (text.count("\n") + 1) * fontsize * linespacing / 72 / h_in


def _draw(layer: StaticLayer, view: ChoroplethView, *, title: str | None = None,
         subtitle: str = "", source: str = "", note: str = "", footnotes: Sequence[str] = (),
         size: str = "16:9", dpi: int = 200, overlays: Sequence[Overlay] = (),
         legend_title: str | None = None, figure: Figure | None = None) -> Snapshot:
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError(t("the view's regions are not in the order of the boundary layer; "
                           "build the view from the same boundary layer (region ids in the "
                           "same order)"))
    if size not in PAGE_SIZES:
        raise ValueError(t("page size {size} is not one of {sizes}", size=repr(size),
                           sizes=", ".join(PAGE_SIZES)))
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
    marked = view.marked_positions()

    # Heading, top down: title, subtitle, note, each wrapped to the page's width
    head_w = w_in * 0.96
    title_txt = _wrap_to_width(title if title is not None else view.title, fig, head_w,
                               fontsize=fs * 1.9, fontweight="bold")
    sub_txt = _wrap_to_width(subtitle, fig, head_w, fontsize=fs * 1.1)
    note_txt = _wrap_to_width(note, fig, head_w, fontsize=fs * 0.95, style="italic")
    y_head = _HEAD_TOP
    heading = []
    for text, style in ((title_txt, dict(fontsize=fs * 1.9, fontweight="bold", color=ink)),
                        (sub_txt, dict(fontsize=fs * 1.1, color="#3a3a3a")),
                        (note_txt, dict(fontsize=fs * 0.95, color="#3a3a3a", style="italic"))):
        if not text:
            continue
        heading.append((y_head, text, style))
        y_head -= _text_height(text, style["fontsize"], h_in) + _HEAD_GAP
    top = y_head + _HEAD_GAP - _HEAD_TO_MAP
    line_h = fs * 0.72 * 1.35 / 72 / h_in          # one footer line, in figure fraction
    src_txt = _wrap(source, int(190 * w_in / 13.333)) if source else ""
    foot_txt = [_wrap(f, int(200 * w_in / 13.333)) for f in list(footnotes)[:3]]
    foot_lines = (src_txt.count("\n") + 1 if src_txt else 0) + \
        sum(f.count("\n") + 1 for f in foot_txt)
    bottom = 0.03 + line_h * (foot_lines + 0.6)
    map_rect = (0.02, bottom, 0.70, top - bottom)
    ax = fig.add_axes(map_rect)
    # a dense layer is drawn alike in the main map and in its insets
    dense = len(layer.region_ids) > MERGE_ABOVE
    _draw_part(ax, layer.main, colours, nodata, selected, EDGE_COLOUR, edge_lw,
               view.no_data_colour, marked, dense)
    _draw_overlays(ax, layer.main, overlays, scale)
    axes = {"main": ax}
    ax.apply_aspect()
    for part in layer.insets:
        lft, btm, wid, hgt = part.position or (0.02, 0.02, 0.2, 0.2)
        box = (map_rect[0] + lft * map_rect[2], map_rect[1] + btm * map_rect[3],
               wid * map_rect[2], hgt * map_rect[3])
        iax = fig.add_axes(box)
        _draw_part(iax, part, colours, nodata, selected, EDGE_COLOUR, edge_lw,
                   view.no_data_colour, marked, dense)
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

    for y_text, text, style in heading:
        fig.text(0.02, y_text, text, ha="left", va="top", linespacing=1.2, **style)

    # Legend
    lax = fig.add_axes((0.745, bottom, 0.235, top - bottom))
    lax.set_xlim(0, 1)
    lax.set_ylim(0, 1)
    lax.set_axis_off()
    y = 0.98
    head = legend_title if legend_title is not None else (view.subtitle or view.unit)
    # wrapped to the legend's width as drawn (a long heading, e.g. an analysis view's
    # subtitle, never runs off the page)
    head_txt = _wrap_to_width(head or "", fig, (1.0 - 0.015 - 0.745) * w_in,
                              fontsize=fs * 1.05, fontweight="bold")
    lax.text(0.0, y, head_txt, ha="left", va="top", fontsize=fs * 1.05, fontweight="bold",
             color=ink)
    y -= 0.06 * (1 + head_txt.count("\n"))
    # Rows of the classes, then a block per overlay (heading, rows, note), fitted to the
    # room left above the notes at the bottom; the type shrinks only when rows must, and
    # an overlay's rows go in two columns when one would make them too small to read.
    note_w = 44
    notes = [_wrap(ov.note, note_w) if ov.note else "" for ov in overlays]
    room = y - 0.17
    legend_h_pt = (top - bottom) * h_in * 72

    def fit(columns: int) -> tuple[float, float]:
        units = len(view.legend) + (1.75 if marked else 0) + sum(
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
    rows = [f"{entry.label if entry.class_id >= 0 else t('No data')}  ({entry.count:,})"
            for entry in view.legend]
    # class rows are never cut: smaller type when the widest (long amounts, Chinese units)
    # would run past the page's right edge
    room_in = (1.0 - 0.015) * w_in - (0.745 + 0.235 * (sw_w + 0.04)) * w_in
    measure = _measure(fig.dpi, fontsize=row_fs)
    widest = max((measure(r) for r in rows), default=0.0)
    if widest > room_in:
        # a little under the exact ratio: text width does not scale exactly with its size,
        # and the widest row must not then be cut by a hair
        row_fs = max(row_fs * room_in / widest * 0.97, fs * 0.5)
        measure = _measure(fig.dpi, fontsize=row_fs)
        rows = [_cut_to(r, lambda line: measure(line) <= room_in) for r in rows]
    if marked:
        # what the outline means, wrapped (not cut) to the legend's width, its count kept
        mark_text = _wrap_to_width(f"{view.marked_label or t('Marked')}  ({len(marked):,})",
                                   fig, room_in, fontsize=row_fs)
    for entry, row_text in zip(view.legend, rows):
        hatch = NO_DATA_HATCH if entry.class_id < 0 else None
        rect = Rectangle((0.0, y - sw_h), sw_w, sw_h, facecolor=entry.colour,
                         edgecolor="#555555", lw=0.6, hatch=hatch)
        if hatch:
            rect.set_hatchcolor(HATCH_COLOUR)
        lax.add_patch(rect)
        lax.text(sw_w + 0.04, y - sw_h / 2, row_text, ha="left", va="center",
                 fontsize=row_fs, color=ink)
        y -= row
    if marked:
        # the marked outline's row: the outline itself on white
        lax.add_patch(Rectangle((0.0, y - sw_h), sw_w, sw_h, facecolor="white",
                                edgecolor=MARK_COLOUR, lw=MARK_WIDTH_PT * 1.25, gid="marked-key"))
        lines = mark_text.count("\n") + 1
        # one line beside the swatch's middle; more lines start level with its top
        lax.text(sw_w + 0.04, y - sw_h / 2 if lines == 1 else y + sw_h * 0.05, mark_text,
                 ha="left", va="center" if lines == 1 else "top", fontsize=row_fs, color=ink,
                 linespacing=1.1)
        y -= row * (1 + 0.75 * (lines - 1))
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
    notes_of = LEGEND_NOTES.get(view.scheme or "", LEGEND_NOTE_OTHER)
    legend_note = t(notes_of[1] if any(ov.heading for ov in overlays) else notes_of[0],
                    n=f"{len(view.class_colours):,}")
    legend_txt = _wrap(legend_note, 40)
    lax.text(0.0, y, legend_txt, ha="left", va="top", fontsize=fs * 0.78, color="#555555")
    if layer.outside:
        names = [layer.names[i] for i in layer.outside if not nodata[i]]
        if names:
            listed = ", ".join(names[:6])
            text = t("Not in the map frame (with data): {names}", names=listed) \
                if len(names) <= 6 else \
                t("Not in the map frame (with data): {names} and {n} more", names=listed,
                  n=f"{len(names) - 6:,}")
            below = _text_height(legend_txt, fs * 0.78, h_in) / (top - bottom) + row * 0.3
            lax.text(0.0, y - below, _wrap(text, 40), ha="left", va="top",
                     fontsize=fs * 0.78, color="#555555")

    # Footer, bottom up: the source line, then the notes
    fy = 0.018
    for text, colour in ([(src_txt, "#444444")] if src_txt else []) + \
            [(f, "#555555") for f in reversed(foot_txt)]:
        fig.text(0.02, fy, text, ha="left", va="bottom", fontsize=fs * 0.72, color=colour,
                 linespacing=1.2)
        fy += line_h * (text.count("\n") + 1)
    return Snapshot(figure=fig, layer=layer, axes=axes)


def to_bytes(snapshot: Snapshot | Figure, fmt: str, dpi: int | None = None) -> bytes:
    """Encode a drawn map as PNG, SVG or PDF."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(t("format {fmt} is not one of {formats}", fmt=repr(fmt),
                           formats=", ".join(FORMATS)))
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
