"""A view of the Roads page: its town layer and the road segments drawn over it.

The segments are classed and coloured by :class:`layers.road_condition.ConditionScheme` (the
one place a score becomes a class and a colour), for the screen (:func:`road_overlay`: an
overlay of the app's map component on the Roads page; :func:`view_overlay`, the same for a
composed view in presentation mode and the HTML export) and for paper
(:func:`static_overlays`, PNG/SVG/PDF and the hearing pack), so all show the same classes in
the same colours. The legend's lengths are the road length in the areas per class, from the
same table as the page's figures (:func:`geodata.roads.class_lengths`): the No data length in
the legend is the No data KPI, to the same decimal.

A roads view's link holds the Roads page's choices as ``road_class``, ``condition`` (the
scheme), ``road_layer`` (the town layer) and ``overlay``; :func:`roads_query` turns it into the
nearest valid view and lists what it had to ignore. :func:`reader_csv` writes the page's
tables for readers: labelled headers, the methodology on top.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

import geopandas as gpd
import pandas as pd

from geodata import roads as R
from geodata.dataset import MapValues, MeasureSpec, WorkspaceData
from geodata.files import csv_bytes
from geodata.roads.tables import CHANGE, INDEX, LENGTH, MONEY, SCORE, SHARE, ReaderTable
from geodata.viewstate import ViewState
from layers.choropleth import ChoroplethView
from layers.road_condition import NO_DATA_LINE_COLOUR, ConditionScheme
from locales import N_, t

if TYPE_CHECKING:        # matplotlib comes with the static renderer: loaded for exports only
    from layers.render_static import Overlay

FUNDING_LAYERS = {"funding_per_resident": "per_capita", "funding": "total"}
CASING = "#1a1a1a"
ROADS_OVERLAY_ID = "roads"
_TOWN_LAYERS = {"funding_per_resident": N_("Funding per resident"),
                "funding": N_("Funding programmed")}

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
        out["funding_per_resident"] = t(_TOWN_LAYERS["funding_per_resident"])
    if tables:
        out["funding"] = t(_TOWN_LAYERS["funding"])
    out.update(R.road_layer_labels(cfg))
    out["measure"] = t("Another measure (crashes, indicators …)")
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
            ignored.append(t("{key}={value}: not available here", key=key, value=repr(raw)))
            raw = ""
        return raw or default

    classes = R.road_classes(cfg, has_lines(rd))
    layers = town_layers(data, cfg)
    p["road_class"] = pick("road_class", classes, next(iter(classes)))
    p["condition"] = pick("condition", cfg.scheme_choices(), cfg.scheme)
    p["road_layer"] = pick("road_layer", layers, next(iter(layers)))
    if p.get("level") and p["level"] != cfg.level:
        ignored.append(t("level={value}: road condition is by {level}", value=repr(p["level"]),
                         level=cfg.level))
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


# ------------------------------------------------------------------ the segments' legend

def segments_condition(rd: R.RoadData, scheme: ConditionScheme) -> R.RoadCondition:
    """The condition of the segments (road class ``segments``) under ``scheme``."""
    return R.road_condition(rd.config, rd.network, rd.bins, rd.area_ids, scheme.id, "segments")


def overlay_legend(rd: R.RoadData, scheme: ConditionScheme,
                   rc: R.RoadCondition | None = None) -> list[tuple[str, str, str]]:
    """(label, colour, length) rows, best class first, then No data: the road length in the
    areas per class, read like the page's figures ("18.9 mi"). ``rc`` is the segments'
    condition under ``scheme`` (the app passes its cached one)."""
    rc = rc or segments_condition(rd, scheme)
    per_class, no_data = R.class_lengths(rc, scheme)
    unit = rd.config.length_unit
    return scheme.legend(per_class, no_data, fmt=lambda x: R.length_text(x, unit))


def overlay_title(rd: R.RoadData, scheme: ConditionScheme) -> str:
    """"PSI class, Interstate (2013)": what the lines' colours say."""
    cfg = rd.config
    if cfg.survey_year:
        return t("{score} class, {road_class} ({year})", score=cfg.score_label,
                 road_class=cfg.road_class, year=str(cfg.survey_year))
    return t("{score} class, {road_class}", score=cfg.score_label, road_class=cfg.road_class)


def static_overlays(rd: R.RoadData, scheme: ConditionScheme,
                    rc: R.RoadCondition | None = None) -> tuple[Overlay, ...]:
    """The drawable segments for the static renderer: a dark casing, then each segment in its
    class colour (No data grey), with the legend rows of the screen."""
    from layers.render_static import Overlay

    seg = rd.network.segments
    seg = seg[seg["drawable"].to_numpy(dtype=bool)]
    colours = scheme.colour_of(scheme.classify(seg["score"]))
    gdf = gpd.GeoDataFrame({"colour": colours, "casing": CASING}, geometry=seg.geometry.values,
                           crs=seg.crs or 4326)
    legend = tuple((t("{label} ({length})", label=lab, length=n), col)
                   for lab, col, n in overlay_legend(rd, scheme, rc))
    return (Overlay(gdf, "casing", width=2.4),
            Overlay(gdf, "colour", width=1.3, label=overlay_title(rd, scheme), legend=legend))


# ------------------------------------------------------------------ the segments on screen

def _segment_texts(rd: R.RoadData, scheme: ConditionScheme, enc, level_label: str):
    """Class per drawn segment, tooltip titles and rows (in the order of ``enc``)."""
    cfg, net, names = rd.config, rd.network, rd.names
    seg = net.segments.iloc[list(enc.rows)]
    cls_ids = scheme.classify(seg["score"])
    main_area = (net.pieces.sort_values("length_m").drop_duplicates("_i", keep="last")
                 .set_index("_i")["region_id"])
    outside = t("outside every {area}", area=level_label.lower())
    dash = "—"
    rows = [
        (t("Direction"), [d or dash for d in seg["direction"]]),
        (cfg.score_label, [f"{s:.2f}" if pd.notna(s) else t("no score") for s in seg["score"]]),
        (t("Survey year"), [str(int(y)) if pd.notna(y) else dash for y in seg["survey_year"]]),
        (t("Traffic (vehicles a day)"),
         [f"{x:,.0f}" if pd.notna(x) else dash for x in seg["traffic"]]),
        (level_label, [names.get(main_area.get(i, ""), outside) for i in enc.rows]),
        (t("Length"), [R.length_text(x / R.METRES_PER[cfg.length_unit], cfg.length_unit)
                       for x in seg["length_m"]]),
    ]
    heads = [t("{route} · segment {id}", route=r, id=s) if r else t("Segment {id}", id=s)
             for r, s in zip(seg["route"].fillna(""), seg["segment_id"])]
    return cls_ids, heads, rows


def road_overlay(rd: R.RoadData, scheme: ConditionScheme, enc, level_label: str,
                 rc: R.RoadCondition | None = None):
    """The segments as an overlay of the app's map component (``overlays=``), each coloured
    by its condition class, with its tooltip and the legend of lengths; ``enc`` is the
    workspace's encoded lines (:func:`layers.render_roads.encode_lines`)."""
    from layers.render_roads import lines_overlay

    cls_ids, heads, rows = _segment_texts(rd, scheme, enc, level_label)
    return lines_overlay(enc, cls_ids, scheme.colours, NO_DATA_LINE_COLOUR,
                         overlay_id=ROADS_OVERLAY_ID, label=overlay_title(rd, scheme),
                         legend=overlay_legend(rd, scheme, rc), tooltip_title=heads,
                         tooltip_rows=rows)


def change_overlay(rd: R.RoadData, enc, per_seg: pd.Series, step: float, year_a: int,
                   year_b: int):
    """The segments coloured by the change of their score between two survey years."""
    from layers.render_roads import lines_overlay
    from layers.road_condition import CHANGE_CLASSES, change_class, change_labels

    seg = rd.network.segments.iloc[list(enc.rows)]
    d = seg["segment_id"].astype(str).map(per_seg)
    cid = change_class(d, step)
    counts = [int((cid == i).sum()) for i in range(len(CHANGE_CLASSES))]
    legend = [(lab, c[2], f"{n:,}") for lab, c, n in zip(change_labels(step), CHANGE_CLASSES,
                                                         counts)]
    legend.append((t("Not surveyed both years"), NO_DATA_LINE_COLOUR, f"{int((cid < 0).sum()):,}"))
    score = rd.config.score_label
    return lines_overlay(
        enc, cid, [c[2] for c in CHANGE_CLASSES], NO_DATA_LINE_COLOUR,
        overlay_id="road_change",
        label=t("{score} change, {a} to {b} (segments)", score=score, a=str(year_a),
                b=str(year_b)),
        legend=legend,
        tooltip_title=[r or t("Segment {id}", id=s)
                       for r, s in zip(seg["route"].fillna(""), seg["segment_id"])],
        tooltip_rows=[(t("Change"), [f"{x:+.2f}" if pd.notna(x) else t("not surveyed both years")
                                     for x in d]),
                      (t("Segment"), [str(s) for s in seg["segment_id"]])])


def view_overlay(data: WorkspaceData, c, *, rd: R.RoadData | None = None, lines=None,
                 road_condition: Callable[[str, str], R.RoadCondition] | None = None):
    """The road segments of a composed view as an overlay of the map component (None when the
    view does not show them): what presentation mode and the HTML export draw, the Roads
    page's lines, tooltips and legend. ``rd``, ``lines`` (encoded once per workspace) and
    ``road_condition`` let the app pass its caches; without them they are made here."""
    if not getattr(c, "overlays", None):
        return None
    rd = rd or load(data)
    if rd is None or not has_lines(rd):
        return None
    if lines is None:
        from layers.render_roads import encode_lines
        lines = encode_lines(rd.network.segments)
    scheme = rd.config.scheme_obj(c.vs.condition or None)
    rc = road_condition(scheme.id, "segments") if road_condition else None
    return road_overlay(rd, scheme, lines, data.ws.level(c.vs.level).label, rc)


# ------------------------------------------------------------------ a roads view for exports

@dataclass(frozen=True)
class RoadsPart:
    view: ChoroplethView | None       # the town layer when the roads recipe makes it
    overlays: tuple[Overlay, ...]
    methodology: str
    files: tuple[str, ...]            # files the view reads (for the source line)


def roads_part(data: WorkspaceData, rd: R.RoadData, vs: ViewState, region_ids, *,
               road_condition: Callable[[str, str], R.RoadCondition] | None = None,
               values: Callable[[MeasureSpec], MapValues] | None = None) -> RoadsPart:
    """What a roads view adds to the measure map: its town layer when made from road
    condition or from the funding (areas with none in a "No funding" class, as on the page),
    the segments when the overlay is on, and the methodology line. ``road_condition`` and
    ``values`` let the app pass its caches."""
    cfg = rd.config
    scheme = cfg.scheme_obj(vs.condition or None)
    road_class = vs.road_class or next(iter(R.road_classes(cfg, has_lines(rd))))

    def condition(rc_id: str) -> R.RoadCondition:
        return road_condition(scheme.id, rc_id) if road_condition else \
            R.road_condition(cfg, rd.network, rd.bins, rd.area_ids, scheme.id, rc_id)

    view = None
    cs = vs.class_spec()
    if vs.road_layer in R.ROAD_LAYERS:
        view = R.road_layer_view(condition(road_class), cfg, vs.road_layer, region_ids,
                                 scheme=cs.scheme, k=cs.k, palette=cs.palette,
                                 reverse=cs.reverse, breaks=cs.breaks, selected=vs.region or None)
    elif vs.road_layer in FUNDING_LAYERS and vs.measure == FUNDING_LAYERS[vs.road_layer]:
        from geodata.dataset import map_values

        mv = values(vs.measure_spec()) if values else map_values(data, vs.measure_spec())
        view = R.funding_layer_view(region_ids, mv.values, title=mv.label, unit=mv.unit,
                                    population=mv.population, notes=mv.notes, scheme=cs.scheme,
                                    k=cs.k, palette=cs.palette, reverse=cs.reverse,
                                    breaks=cs.breaks, selected=vs.region or None)
    drawn = vs.overlay and has_lines(rd)
    overlays = static_overlays(rd, scheme, condition("segments")) if drawn else ()
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


# ------------------------------------------------------------------ tables for readers

def view_table(data: WorkspaceData, rd: R.RoadData, vs: ViewState, *,
               road_condition: Callable[[str, str], R.RoadCondition] | None = None
               ) -> tuple[ReaderTable, str]:
    """The data of a roads view for readers (its CSV and Excel sheet): the Roads page's
    targets table for the view's road class and scheme (areas with road length, targets
    missed first, labelled columns), and the methodology line to print above it."""
    from geodata.roads.tables import targets_table

    cfg = rd.config
    scheme = cfg.scheme_obj(vs.condition or None)
    road_class = vs.road_class or next(iter(R.road_classes(cfg, has_lines(rd))))
    rc = road_condition(scheme.id, road_class) if road_condition else \
        R.road_condition(cfg, rd.network, rd.bins, rd.area_ids, scheme.id, road_class)
    table = targets_table(rc, rd.names, scheme, road_class,
                          level_label=data.ws.level(cfg.level).label, unit_word=cfg.unit_word)
    return table, rc.methodology


_ROUND = {LENGTH: 1, SHARE: 1, MONEY: 0, SCORE: 2, INDEX: 1, CHANGE: 2}


def reader_frame(table: ReaderTable) -> pd.DataFrame:
    """A table of the Roads page with its numbers as the page shows them (lengths to 0.1,
    shares to 0.1 points, money in whole units), labelled headers: what the CSV and the
    Excel sheet hold."""
    frame = table.frame.copy()
    for col, kind in table.kinds.items():
        if kind in _ROUND:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").round(_ROUND[kind])
    return frame


def reader_csv(table: ReaderTable, methodology: str = "") -> bytes:
    """A table of the Roads page as CSV for readers: :func:`reader_frame`, the methodology on
    a first comment line (read back with ``comment='#'``)."""
    head = f"# {methodology}\r\n".encode("utf-8") if methodology else b""
    return head + csv_bytes(reader_frame(table))
