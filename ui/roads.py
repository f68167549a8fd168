"""The Roads page's Streamlit side: what the page reads (:class:`Roads`), its sidebar, the
headline figures and the map; the tabs under the map are :mod:`ui.roads_tabs`.

The figures come from :mod:`geodata.roads` (one recipe per scheme and road class, cached by
:mod:`ui.cache`); the map is the app's own component (:func:`ui.map_component.fiscal_map`)
with the segments as an overlay (:func:`exports.roads.road_overlay`), their legend's lengths
read from the same table as the KPIs.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd
import streamlit as st

from exports import roads as road_views
from geodata import roads as R
from geodata.dataset import MeasureSpec, WorkspaceData
from geodata.roads import tables as RT
from layers.choropleth import build_choropleth
from layers.classify import format_number
from layers.overlay import overlays_json
from locales import t

from . import cache, controls, overlays, state
from .map_component import fiscal_map
from .mapview import map_options
from .text import md

URL_KEYS = ["ws", "rd_class", "rd_condition", "rd_layer", "rd_overlay", "rd_scheme", "rd_k",
            "rd_palette", "rd_reverse", "rd_level", "rd_measure", "rd_table", "rd_years",
            "rd_indicator", "rd_indicator_year", "rd_per", "rd_trend", "rd_year_a",
            "rd_year_b", "rd_change", "rd_overlays"]


@dataclass
class Roads:
    """What every part of the page reads: the workspace, its roads, and the reader's picks."""
    data: WorkspaceData
    path: str
    rd: R.RoadData
    classes: dict[str, str]
    road_class: str = ""
    scheme_id: str = ""
    layer_id: str = ""
    overlay: bool = False
    drawn: list = field(default_factory=list)       # workspace overlays picked

    @property
    def ws(self):
        return self.data.ws

    @property
    def cfg(self) -> R.RoadConfig:
        return self.rd.config

    @property
    def net(self):
        return self.rd.network

    @property
    def has_lines(self) -> bool:
        return road_views.has_lines(self.rd)

    @property
    def scheme(self):
        return self.cfg.scheme_obj(self.scheme_id)

    @property
    def area(self) -> str:
        """The areas' level, singular ("Town")."""
        return self.ws.level(self.cfg.level).label

    @property
    def areas(self) -> str:
        """The areas' level, plural and lower case ("towns")."""
        return self.ws.level(self.cfg.level).plural.lower()

    def condition(self, road_class: str | None = None) -> R.RoadCondition:
        return cache.road_condition(self.path, self.scheme_id, road_class or self.road_class)

    def csv(self, table: RT.ReaderTable, rc: R.RoadCondition) -> bytes:
        return road_views.reader_csv(table, rc.methodology)


def open_roads(data: WorkspaceData, path: str) -> Roads:
    """The workspace's roads, or a sentence saying why there are none (and the page stops)."""
    rd = cache.roads(path)
    if rd is None:
        st.info(t("The workspace “{title}” has no road segments: add a table of kind "
                  "`segments` (a line file) or a `[roads.town_bins]` table to its manifest to "
                  "see road condition here (see docs/workspace-manifest.md, “Road "
                  "condition”).", title=md(data.ws.title)))
        st.stop()
    classes = R.road_classes(rd.config, road_views.has_lines(rd))
    if not classes:     # a segments file with no usable line (points, areas, zero lengths…)
        net = rd.network
        if net is not None:
            st.warning(t("No road can be shown: the segments table has no line that can be "
                         "drawn and measured ({n} feature(s) in {file}), and there is no town "
                         "bin table. What was found in the file is listed below and on the "
                         "Data quality page.", n=f"{len(net.segments):,}", file=md(net.file)))
        else:
            st.warning(t("No road can be shown: there is no segment line and no town bin "
                         "table. The problems found are listed below and on the Data quality "
                         "page."))
        for p in rd.problems:
            st.text(p.text())
        st.stop()
    return Roads(data=data, path=path, rd=rd, classes=classes)


def sidebar(r: Roads) -> None:
    """Road class, condition classes, town layer, segments on or off, workspace overlays."""
    sb = st.sidebar
    state.init("rd_class", next(iter(r.classes)), options=list(r.classes))
    # Radio options and widget labels render Markdown; selectbox options are plain text.
    r.road_class = sb.radio(t("Roads"), list(r.classes), format_func=lambda c: md(r.classes[c]),
                            key="rd_class")
    schemes = r.cfg.scheme_choices()
    state.init("rd_condition", r.cfg.scheme, options=schemes)
    r.scheme_id = sb.selectbox(t("Condition classes"), schemes, key="rd_condition",
                               format_func=lambda s: t(r.cfg.schemes[s].name),
                               help=t("How a condition score becomes a class (good, fair, "
                                      "poor …); the workspace sets the default."))
    layers = road_views.town_layers(r.data, r.cfg)
    state.init("rd_layer", next(iter(layers)), options=list(layers))
    r.layer_id = sb.selectbox(t("Town layer"), list(layers), format_func=layers.get,
                              key="rd_layer")
    state.init("rd_overlay", True, parse=state.parse_bool)
    on = sb.toggle(t("Show {road_class} segments", road_class=md(R.lower_first(r.cfg.road_class))),
                   key="rd_overlay", disabled=not r.has_lines,
                   help=None if r.has_lines else t("This workspace has no segment lines."))
    r.overlay = bool(on) and r.has_lines
    r.drawn = overlays.overlay_picker(r.data, r.path, r.cfg.level, key="rd_overlays")


# ---------------------------------------------------------------- headline

def headline(r: Roads, rc: R.RoadCondition) -> None:
    """The budget sentence and four figures, formatted as the legend and tables format them."""
    fig, uw = rc.figure, r.cfg.unit_word
    st.markdown(f"**{md(fig.sentence(rc.road_class, rc.targets, uw))}**")
    k1, k2, k3, k4 = st.columns(4)
    what = t("{road_class} {unit}", road_class=rc.road_class, unit=uw)
    k1.metric(md(what[:1].upper() + what[1:]), R.length_text(fig.miles, r.cfg.length_unit),
              help=t("Road length inside the {areas}, rated or not.", areas=md(r.areas)))
    k2.metric(t("Good or better"), R.share_text(fig.good_share),
              help=t("Share of rated {unit}; target {target}.", unit=md(uw),
                     target=md(rc.targets.text())))
    k3.metric(t("Poor"), R.share_text(fig.poor_share),
              help=t("Share of rated {unit}.", unit=md(uw)))
    k4.metric(t("No data"), R.length_text(fig.no_data, r.cfg.length_unit),
              help=t("Road length with no condition score: counted, and drawn as No data."))


# ---------------------------------------------------------------- the map

def programme_funding(r: Roads):
    """(spec, MapValues) of the funding over the whole programme, or (None, None)."""
    tables = r.data.allocation_tables(r.cfg.level)
    if not tables:
        return None, None
    lo, hi = r.data.years(tables[0].id)
    spec = MeasureSpec(level=r.cfg.level, measure="total", table=tables[0].id, span=(lo, hi))
    return spec, cache.values(r.path, spec)


def _tooltip_rows(r: Roads, rc: R.RoadCondition, ids, funding) -> tuple:
    tb, unit, dash = rc.table, r.cfg.length_unit, "—"
    rows = (
        (t("Road {unit}", unit=r.cfg.unit_word),
         tuple(R.length_text(x, unit) if pd.notna(x) and x > 0 else dash
               for x in tb["total"].reindex(ids))),
        (t("Good or better"), tuple(R.share_text(x) if pd.notna(x) else dash
                                    for x in tb["good_share"].reindex(ids))),
        (t("Poor"), tuple(R.share_text(x) if pd.notna(x) else dash
                          for x in tb["poor_share"].reindex(ids))),
        (t("Target"), tuple(R.status_label(s) for s in tb["status"].reindex(ids))),
    )
    if funding is not None:
        rows += ((t("Funding programmed"), tuple(format_number(x, r.ws.currency)
                                                 for x in funding.values.reindex(ids))),)
    return rows


def town_view(r: Roads, rc: R.RoadCondition, layer):
    """The town layer the reader picked, with the road figures in every tooltip."""
    fund_spec, fund = programme_funding(r)
    rows = _tooltip_rows(r, rc, layer.region_ids, fund)
    if r.layer_id == "status":
        return replace(R.road_layer_view(rc, r.cfg, "status", layer.region_ids),
                       tooltip_rows=rows[:3])
    if r.layer_id in R.ROAD_LAYERS:
        mv, pal = None, "Purples"
    elif r.layer_id in R.FUNDING_LAYERS:
        spec = fund_spec if r.layer_id == "funding" else replace(fund_spec, measure="per_capita")
        mv, pal = cache.values(r.path, spec), "Greens"
    else:
        spec = controls.measure_controls(r.data, prefix="rd_")
        if spec is None:
            st.info(t("Pick a measure in the sidebar to colour the {areas}.", areas=md(r.areas)))
            st.stop()
        if spec.level != r.cfg.level:
            st.info(t("Road condition is by {area}: the measure is shown by {area} too.",
                      area=md(r.area.lower())))
            spec = replace(spec, level=r.cfg.level)
        mv, pal = cache.values(r.path, spec), "Greens"
    state.init("rd_palette", pal)
    cls = controls.class_controls(diverging=False, prefix="rd_")
    opts = dict(scheme=cls.scheme, k=cls.k, palette=cls.palette, reverse=cls.reverse,
                breaks=cls.breaks)
    if mv is None:
        view = R.road_layer_view(rc, r.cfg, r.layer_id, layer.region_ids, **opts)
    elif r.layer_id in R.FUNDING_LAYERS:
        # The legend and tooltips name the layer as the picker does; the caption under the
        # map names the table and years (a long title would push the legend over the lines').
        view = R.funding_layer_view(
            layer.region_ids, mv.values, unit=mv.unit, population=mv.population,
            title=road_views.town_layers(r.data, r.cfg)[r.layer_id],
            notes=(t("Funding: {measure}.", measure=mv.label), *mv.notes), **opts)
    else:
        view = build_choropleth(layer.region_ids, mv.values, title=mv.label, unit=mv.unit,
                                population=mv.population, subtitle=mv.unit, notes=mv.notes,
                                **opts)
    return replace(view, tooltip_rows=view.tooltip_rows + rows)


def _empty_layer_sentence(r: Roads, rc: R.RoadCondition) -> str:
    if r.layer_id == "status" and not rc.targets.any:
        return t("This workspace sets no target for {road_class} {unit}, so no {area} has a "
                 "target status.", road_class=md(R.lower_first(rc.road_class)),
                 unit=md(r.cfg.unit_word), area=md(r.area.lower()))
    if r.layer_id in R.ROAD_LAYERS or r.layer_id == "status":
        return t("No {area} has {road_class} {unit} with a condition score, so every {area} "
                 "shows no data.", area=md(r.area.lower()),
                 road_class=md(R.lower_first(rc.road_class)), unit=md(r.cfg.unit_word))
    return t("No {area} has a value for this layer, so every {area} shows no data: pick "
             "another town layer.", area=md(r.area.lower()))


def town_map(r: Roads, rc: R.RoadCondition) -> None:
    """The map (the app's component): the town layer, the segments over it, the workspace
    overlays picked, then what the map shows in a sentence or two."""
    layer = cache.encoded_layer(r.path, r.cfg.level)
    view = town_view(r, rc, layer)
    drawn = list(r.drawn)
    if r.overlay:
        drawn = [cache.road_overlay(r.path, r.scheme_id, r.area), *drawn]
    if not (view.class_ids >= 0).any():
        st.info(_empty_layer_sentence(r, rc))
    fiscal_map(layer, view, map_options(r.ws.settings), key="roads_map",
               overlays=overlays_json(drawn))
    st.caption(md(rc.methodology))
    for note in view.notes:
        st.caption(md(note))
    overlays.captions(r.drawn)
    if r.overlay:
        st.caption(t("Lines: {n} {road_class} segments, coloured by {score} class. Hover a "
                     "segment for its condition, survey year and traffic.",
                     n=f"{len(cache.road_lines(r.path).segment_ids):,}",
                     road_class=md(R.lower_first(r.cfg.road_class)),
                     score=md(r.cfg.score_label)))
    elif r.has_lines:
        st.caption(t("Segments hidden: the map shows the town layer only."))
    else:
        st.caption(t("This workspace has no segment lines: condition comes from the town bin "
                     "table."))
    for note in rc.notes:
        st.caption(md(note))
    state.to_url(URL_KEYS)
