"""A view of the Roads page: its town layer and the road segments drawn over it.

The segments are classed and coloured by :class:`layers.road_condition.ConditionScheme` (the
one place a score becomes a class and a colour), for the screen (:func:`screen_overlay`, the
Roads page and presentation mode) and for paper (:func:`static_overlays`, PNG/SVG/PDF and the
hearing pack), so both show the same classes in the same colours.

A roads view's link holds the Roads page's choices as ``road_class``, ``condition`` (the
scheme), ``road_layer`` (the town layer) and ``overlay``; :func:`roads_query` turns it into the
nearest valid view and lists what it had to ignore.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable, Mapping

import geopandas as gpd
import pandas as pd

from geodata import roads as R
from geodata.dataset import WorkspaceData
from geodata.viewstate import ViewState
from layers.choropleth import ChoroplethView
from layers.render_static import Overlay
from layers.road_condition import NO_DATA_LINE_COLOUR, ConditionScheme

FUNDING_LAYERS = {"funding_per_resident": "per_capita", "funding": "total"}
CASING = "#1a1a1a"

_LOADED: "weakref.WeakKeyDictionary[WorkspaceData, R.RoadData | None]" = weakref.WeakKeyDictionary()


def load(data: WorkspaceData) -> R.RoadData | None:
    """The workspace's road data (loaded once per workspace object), or None."""
    if data not in _LOADED:
        cfg = R.road_config(data.ws)
        _LOADED[data] = None if cfg is None else R.load_roads(data.ws, data.boundaries(cfg.level))
    return _LOADED[data]


def has_lines(rd: R.RoadData) -> bool:
    net = rd.network
    return net is not None and bool(net.segments["drawable"].any())


def town_layers(data: WorkspaceData, cfg: R.RoadConfig) -> dict[str, str]:
    """id → label of the Roads page's town layers, in the page's order."""
    tables = data.allocation_tables(cfg.level)
    out = {}
    if tables and not data.population(cfg.level).empty:
        out["funding_per_resident"] = "Funding per resident"
    if tables:
        out["funding"] = "Funding programmed"
    out.update(R.road_layer_labels(cfg))
    out["measure"] = "Another measure (crashes, indicators …)"
    return out


def roads_query(data: WorkspaceData, rd: R.RoadData, params: Mapping[str, str]) \
        -> tuple[dict[str, str], list[str]]:
    """A roads view's link made whole: road class, scheme and town layer checked (defaults
    when missing or unknown), the level set to the roads' level, and the funding layers'
    measure, table and years filled in as the page computes them."""
    cfg = rd.config
    p = {str(k): str(v) for k, v in params.items()}
    ignored: list[str] = []

    def pick(key: str, options, default: str) -> str:
        raw = p.get(key, "")
        if raw and raw not in options:
            ignored.append(f"{key}={raw!r}: not available here")
            raw = ""
        return raw or default

    classes = R.road_classes(cfg, has_lines(rd))
    layers = town_layers(data, cfg)
    p["road_class"] = pick("road_class", classes, next(iter(classes)))
    p["condition"] = pick("condition", cfg.scheme_choices(), cfg.scheme)
    p["road_layer"] = pick("road_layer", layers, next(iter(layers)))
    if p.get("level") and p["level"] != cfg.level:
        ignored.append(f"level={p['level']!r}: road condition is by {cfg.level}")
    p["level"] = cfg.level
    if p["road_layer"] != "status":     # the page's default palettes
        p.setdefault("palette", "Purples" if p["road_layer"] in R.ROAD_LAYERS else "Greens")
    if p["road_layer"] in FUNDING_LAYERS:
        table = data.allocation_tables(cfg.level)[0].id
        lo, hi = data.years(table)
        for k in ("agencies", "average", "indicator", "indicator_year"):
            p.pop(k, None)
        p.update(measure=FUNDING_LAYERS[p["road_layer"]], table=table, years=f"{lo}-{hi}")
    elif p["road_layer"] in R.ROAD_LAYERS:
        for k in ("measure", "table", "years", "agencies", "average", "indicator",
                  "indicator_year"):
            p.pop(k, None)
    return p, ignored


def overlay_legend(rd: R.RoadData, scheme: ConditionScheme) -> list[tuple[str, str, str]]:
    """(label, colour, length) rows, best class first, then No data: lengths of all drawable
    segments, in the workspace's unit."""
    cfg, seg = rd.config, rd.network.segments
    length = seg["length_m"].where(seg["drawable"], 0.0) / R.METRES_PER[cfg.length_unit]
    cls = scheme.classify(seg["score"])
    per_class = [float(length[cls == i].sum()) for i in range(len(scheme.classes))]
    return scheme.legend(per_class, float(length[cls < 0].sum()),
                         fmt=lambda x: f"{x:,.0f} {cfg.length_unit}")


def overlay_title(rd: R.RoadData, scheme: ConditionScheme) -> str:
    cfg = rd.config
    return (f"{cfg.score_label} class, {cfg.road_class}"
            + (f" ({cfg.survey_year})" if cfg.survey_year else ""))


def static_overlays(rd: R.RoadData, scheme: ConditionScheme) -> tuple[Overlay, ...]:
    """The drawable segments for the static renderer: a dark casing, then each segment in its
    class colour (No data grey), with the legend rows of the screen."""
    seg = rd.network.segments
    seg = seg[seg["drawable"].to_numpy(dtype=bool)]
    colours = scheme.colour_of(scheme.classify(seg["score"]))
    gdf = gpd.GeoDataFrame({"colour": colours, "casing": CASING}, geometry=seg.geometry.values,
                           crs=seg.crs or 4326)
    score = rd.config.score_label
    legend = tuple((f"{score} {lab} ({n})" if lab != "No data" else f"{lab} ({n})", col)
                   for lab, col, n in overlay_legend(rd, scheme))
    return (Overlay(gdf, "casing", width=2.4),
            Overlay(gdf, "colour", width=1.3, label=overlay_title(rd, scheme), legend=legend))


def screen_overlay(rd: R.RoadData, scheme: ConditionScheme, enc, level_label: str):
    """The overlay for the interactive map (:class:`layers.render_roads.RoadLines`), with
    each segment's tooltip; ``enc`` is the workspace's encoded lines."""
    from layers.render_roads import RoadLines, lines_values

    cfg, net, names = rd.config, rd.network, rd.names
    seg = net.segments.iloc[list(enc.rows)]
    cls_ids = scheme.classify(seg["score"])
    unit = R.METRES_PER[cfg.length_unit]
    main_area = (net.pieces.sort_values("length_m").drop_duplicates("_i", keep="last")
                 .set_index("_i")["region_id"])
    rows = [
        ("Direction", [d or "—" for d in seg["direction"]]),
        (cfg.score_label, [f"{s:.2f}" if pd.notna(s) else "no score" for s in seg["score"]]),
        ("Class", scheme.label_of(cls_ids)),
        ("Survey year", [str(int(y)) if pd.notna(y) else "—" for y in seg["survey_year"]]),
        ("Traffic (vehicles/day)", [f"{t:,.0f}" if pd.notna(t) else "—" for t in seg["traffic"]]),
        (level_label, [names.get(main_area.get(i, ""), "outside every area") for i in enc.rows]),
        ("Length", [f"{x / unit:,.2f} {cfg.length_unit}" for x in seg["length_m"]]),
    ]
    heads = [f"{r} · segment {s}" if r else f"Segment {s}"
             for r, s in zip(seg["route"].fillna(""), seg["segment_id"])]
    vals = lines_values(cls_ids, scheme.colours, NO_DATA_LINE_COLOUR,
                        title=overlay_title(rd, scheme), legend=overlay_legend(rd, scheme),
                        tooltip_title=heads, tooltip_rows=rows)
    return RoadLines(enc, vals), len(vals.encode("utf-8"))


def interactive_overlays(data: WorkspaceData, c, *, rd: R.RoadData | None = None,
                         lines=None) -> list:
    """The folium layers a composed view adds to an interactive map: its road segments when
    the view shows them (``rd`` and ``lines`` are the app's cached road data and encoded
    lines; loaded here when not given)."""
    if not getattr(c, "overlays", None):
        return []
    rd = rd or load(data)
    if rd is None or not has_lines(rd):
        return []
    if lines is None:
        from layers.render_roads import encode_lines
        lines = encode_lines(rd.network.segments)
    scheme = rd.config.scheme_obj(c.vs.condition or None)
    return [screen_overlay(rd, scheme, lines, data.ws.level(c.vs.level).label)[0]]


@dataclass(frozen=True)
class RoadsPart:
    view: ChoroplethView | None       # the town layer when it is made from road condition
    overlays: tuple[Overlay, ...]
    methodology: str
    files: tuple[str, ...]            # files the view reads (for the source line)


def roads_part(data: WorkspaceData, rd: R.RoadData, vs: ViewState, region_ids, *,
               road_condition: Callable[[str, str], R.RoadCondition] | None = None) -> RoadsPart:
    """What a roads view adds to the measure map: its town layer when made from road
    condition, the segments when the overlay is on, and the methodology line."""
    cfg = rd.config
    scheme = cfg.scheme_obj(vs.condition or None)
    road_class = vs.road_class or next(iter(R.road_classes(cfg, has_lines(rd))))
    view = None
    if vs.road_layer in R.ROAD_LAYERS:
        rc = road_condition(scheme.id, road_class) if road_condition else \
            R.road_condition(cfg, rd.network, rd.bins, rd.area_ids, scheme.id, road_class)
        cs = vs.class_spec()
        view = R.road_layer_view(rc, cfg, vs.road_layer, region_ids, scheme=cs.scheme, k=cs.k,
                                 palette=cs.palette, reverse=cs.reverse, breaks=cs.breaks,
                                 selected=vs.region or None)
    overlays = static_overlays(rd, scheme) if vs.overlay and has_lines(rd) else ()
    files = []
    if cfg.segments_table and (overlays or road_class in ("segments", "all")):
        files.append(data.ws.table(cfg.segments_table).file)
    if cfg.town_bins is not None and road_class in ("bins", "all") and view is not None:
        files.append(cfg.town_bins.file)
    # Town bins with the segments drawn over them: the line names both schemes.
    line_class = "all" if overlays and road_class == "bins" else road_class
    return RoadsPart(view=view, overlays=overlays,
                     methodology=R.methodology(cfg, scheme, line_class),
                     files=tuple(str(f) for f in files))
