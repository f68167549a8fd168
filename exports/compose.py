"""One view, ready to export: resolved state, values, colours, titles, key figures.

:func:`compose` is the single recipe every export uses (PNG/SVG/PDF, the hearing pack, the
data files, the standalone HTML and the command line). It goes through
:func:`geodata.viewstate.compose_view`, the same classification and colours as the screen.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Callable, Mapping

import pandas as pd

from geodata.dataset import MapValues, MeasureSpec, WorkspaceData
from geodata.figures import Figure, KeyFigures, key_figures, status_figures
from geodata.files import csv_bytes
from geodata.viewstate import (MEASURE_LABELS, PERFORMANCE_KEYS, ViewState, colour_view,
                               compose_view, resolve_view)
from layers.choropleth import ChoroplethView
from layers.render_static import Overlay, map_overlay
from locales import t

if TYPE_CHECKING:
    from geodata.roads.tables import ReaderTable

__all__ = ["Composed", "Figure", "KeyFigures", "compose", "describe", "key_figures",
           "map_csv", "map_sheet", "map_table", "source_line", "sources_of"]


@dataclass(frozen=True)
class Composed:
    vs: ViewState
    ignored: tuple[str, ...]
    mv: MapValues
    view: ChoroplethView
    title: str
    subtitle: str
    source: str
    figures: KeyFigures
    overlays: tuple[Overlay, ...] = ()     # road segments of a roads view, when shown
    methodology: str = ""                  # roads view: condition scheme and survey year
    #: the workspace's overlays the view names (``vs.overlays``), in drawing order, with the
    #: screen's colours and legend (layers.render_static.map_overlay)
    map_overlays: tuple[Overlay, ...] = ()
    #: "Source: … · Data as of …" without the workspace and the export date (slides)
    source_brief: str = ""
    #: a roads view of road condition: its data for readers (the Roads page's targets table:
    #: labelled columns, status in words, lengths in the roads' unit) and the methodology
    #: line above it, what its CSV and Excel map data hold (:func:`map_csv`, :func:`map_sheet`)
    reader: tuple[ReaderTable, str] | None = None
    #: the outliers marked on the map (``outliers=mad`` …: analysis.outliers.OutlierResult),
    #: whose scores the map data carry in an ``outlier`` column
    outliers: object | None = None

    @property
    def static_overlays(self) -> tuple[Overlay, ...]:
        """Everything drawn over the regions on paper: road segments, then the overlays."""
        return self.overlays + self.map_overlays


def describe(data: WorkspaceData, vs: ViewState, mv: MapValues) -> str:
    """Subtitle: level, unit, table, years and filters in words (what the title lacks)."""
    ws = data.ws
    title = mv.label.casefold()
    parts = [ws.level(vs.level).plural]
    if mv.unit:
        parts.append(mv.unit)
    if vs.measure == "indicator":
        parts.append(str(vs.indicator_year))
    else:
        if vs.table:
            parts.append(ws.table(vs.table).display_label)
        if vs.years:
            lo, hi = vs.years
            fy = ws.fiscal_year_label
            parts.append(f"{fy}{lo}" if lo == hi else f"{fy}{lo}–{fy}{hi}")
            if vs.measure == "per_capita" and vs.average and lo != hi:
                parts.append(t("average per year"))
        if vs.agencies:
            shown = ", ".join(vs.agencies[:3])
            parts.append(t("agencies: {agencies}", agencies=shown) if len(vs.agencies) <= 3
                         else t("agencies: {agencies} and {n} more", agencies=shown,
                                n=f"{len(vs.agencies) - 3:,}"))
    parts = [p for p in parts if p.casefold() not in title]
    measure = MEASURE_LABELS.get(vs.measure)
    return " · ".join([t(measure) if measure else vs.measure] + parts)


def sources_of(data: WorkspaceData, vs: ViewState, extra_files=()) -> tuple[str, ...]:
    """Names of the workspace's sources behind the files this view reads (all of them when
    none names a file of the view)."""
    ws = data.ws
    files = {ws.level(vs.level).file, *extra_files}
    if vs.table:
        files.add(ws.table(vs.table).file)
    kinds = {"per_capita": "population", "indicator": "indicators"}
    if vs.measure in kinds:
        files |= {tb.file for tb in ws.tables_of(kinds[vs.measure], vs.level)}
    norm = {str(f).replace("\\", "/").split("/")[-1] for f in files}
    names = [s.name for s in ws.sources
             if any(str(f).split("/")[-1] in norm for f in s.files)] or \
        [s.name for s in ws.sources]
    return tuple(dict.fromkeys(names))


def source_text(data: WorkspaceData, sources: tuple[str, ...]) -> str:
    """"Source: …" with the data date, as a slide shows it (no export date)."""
    names = "; ".join(sources) or t("workspace data")
    if data.ws.data_date:
        return t("Source: {sources} · Data as of {date}", sources=names,
                 date=str(data.ws.data_date))
    return t("Source: {sources}", sources=names)


def source_line(data: WorkspaceData, vs: ViewState, extra_files=()) -> str:
    """Sources of the files this view reads, the data date and the export date."""
    return t("{source} · {workspace} · Exported {date}",
             source=source_text(data, sources_of(data, vs, extra_files)),
             workspace=data.ws.title, date=date.today().isoformat())


def region_ids(data: WorkspaceData, level: str) -> list[str]:
    """Feature order of a level (the order of its boundary file, as the screen uses)."""
    return [str(r) for r in data.boundaries(level)["region_id"]]


def load_overlay_frame(data: WorkspaceData, overlay_id: str):
    """One overlay of the workspace read from its file (features in EPSG:4326, problems),
    checked against the regions of its level (or of every level), as the app reads it."""
    from geodata.overlays import load_overlay

    spec = next(o for o in data.ws.overlays if o.id == overlay_id)
    levels = [spec.level] if spec.level else [lv.id for lv in data.ws.levels]
    areas = [g for lv in levels for g in data.boundaries(lv).geometry.values]
    return load_overlay(data.ws, spec, areas)


def map_overlays(data: WorkspaceData, vs: ViewState,
                 overlay: Callable[[str], tuple] | None = None) -> tuple[Overlay, ...]:
    """The overlays a view names, ready for the static renderer (``overlay`` reads one by id;
    the app passes its cache)."""
    read = overlay or (lambda oid: load_overlay_frame(data, oid))
    specs = {o.id: o for o in data.ws.overlays}
    return tuple(map_overlay(read(oid)[0], label=specs[oid].display_label,
                             colour=specs[oid].colour)
                 for oid in vs.overlays if oid in specs)


def compose(data: WorkspaceData, params: Mapping[str, str] | ViewState, *,
            values: Callable[[MeasureSpec], MapValues] | None = None,
            roads: Callable[[], object] | None = None,
            road_condition: Callable[[str, str], object] | None = None,
            overlay: Callable[[str], tuple] | None = None,
            early_warning: Callable[..., object] | None = None,
            scorecard: Callable[..., object] | None = None,
            analysis_weights: Callable[..., object] | None = None,
            analysis_frame: Callable[..., object] | None = None,
            overlap: Callable[[], object] | None = None) -> Composed:
    """Resolve a query (or take a view state) and build everything an export needs.

    ``values`` computes a measure's values (the app passes its cached recipe); the colours
    come from :func:`geodata.viewstate.colour_view`, the recipe the screen uses. A view of the
    Roads page (``page=roads``) also gets its road-condition town layer, its segments when
    the overlay is on, and the methodology line (:mod:`exports.roads`); with a town layer of
    road condition, its figure is the areas with a class and its data files hold the page's
    targets table (``reader``). ``roads`` and ``road_condition`` let the app pass its cached
    road data. The workspace overlays the view
    names (``overlays=a|b``) are read (``overlay``: the app's cache) and coloured as on the
    screen; their files are named in the source line.

    A view of the Early warning page (``page=early_warning``) or of the Scorecard page
    (``page=scorecard``) is their status map, made by the page's own recipe
    (:func:`status_part`); ``early_warning`` and ``scorecard`` let the app pass its caches.

    A view of the Analysis page (``page=analysis``) is the map of its question, made by the
    page's own recipe (:func:`analysis_part`), with its method statement as the methodology;
    ``analysis_weights``, ``analysis_frame`` and ``overlap`` let the app pass its caches. A
    method that cannot run on the data is reported in ``ignored`` and the map left empty.
    """
    rd = None
    pre: list[str] = []
    page = params.page if isinstance(params, ViewState) else params.get("page")
    if page in PERFORMANCE_KEYS and isinstance(params, ViewState):
        params = params.to_query()          # checked against the data like a link
    if page == "roads":
        from geodata.roads import ROAD_LAYERS

        from . import roads as road_views
        rd = roads() if roads is not None else road_views.load(data)
        if rd is not None:
            q = params.to_query() if isinstance(params, ViewState) else params
            params, pre = road_views.roads_query(data, rd, q)
    if isinstance(params, ViewState):
        vs, ignored = params, []
    else:
        vs, ignored = resolve_view(data, {str(k): str(v) for k, v in params.items()})
    ignored = pre + ignored
    ids = region_ids(data, vs.level)
    if vs.page == "analysis":
        part = analysis_part(data, vs, ids, ignored, values=values, weights=analysis_weights,
                             frame=analysis_frame, overlap=overlap)
        drawn = map_overlays(data, vs, overlay)
        files = (*part.files, *(str(o.file) for o in data.ws.overlays if o.id in vs.overlays))
        # outliers and hot spots read the measure's files; the other questions their own
        shown = vs if part.of_measure else replace(vs, table=None, measure="total")
        return Composed(vs=vs, ignored=tuple(ignored), mv=part.mv, view=part.view,
                        title=part.title, subtitle=part.subtitle,
                        source=source_line(data, shown, files), figures=part.figures,
                        methodology=part.methodology, map_overlays=drawn,
                        source_brief=source_text(data, sources_of(data, shown, files)))
    if vs.page in PERFORMANCE_KEYS:
        part = status_part(data, vs, ids, early_warning=early_warning, scorecard=scorecard)
        drawn = map_overlays(data, vs, overlay)
        files = (*part.files, *(str(o.file) for o in data.ws.overlays if o.id in vs.overlays))
        plain = replace(vs, table=None, measure="total")     # the measure's files are not read
        return Composed(vs=vs, ignored=tuple(ignored), mv=part.mv, view=part.view,
                        title=part.title, subtitle=part.subtitle,
                        source=source_line(data, plain, files), figures=part.figures,
                        methodology=part.methodology, map_overlays=drawn,
                        source_brief=source_text(data, sources_of(data, plain, files)))
    if values is None:
        mv, view = compose_view(data, vs, ids)
    else:
        mv = values(vs.measure_spec())
        view = colour_view(ids, mv, vs.class_spec(), vs.region or None)
    title, subtitle = mv.label, describe(data, vs, mv)
    overlays, methodology, files, reader = (), "", (), None
    outliers = None
    if vs.outliers:
        # the outliers the screen marks, marked the same way (the rule printed under the map)
        from analysis.outliers import mark_outliers
        from geodata.viewstate import param

        view, outliers = mark_outliers(view, mv.values, mv.unit, vs.outliers)
        if outliers is not None and not hasattr(outliers, "outliers"):
            ignored.append(t("{param}: {problem}", param=param("outliers", vs.outliers),
                             problem=str(outliers)))
            outliers = None
        elif outliers is not None:
            methodology = " ".join([str(outliers.method), *map(str, outliers.problems)])
    figures = None
    if rd is not None:
        part = road_views.roads_part(data, rd, vs, ids, road_condition=road_condition,
                                     values=values)
        overlays, files = part.overlays, part.files
        methodology = " ".join(m for m in (part.methodology, methodology) if m)
        if part.view is not None:
            view, title, outliers = part.view, part.view.title, None
            subtitle = " · ".join([data.ws.level(vs.level).plural, part.view.unit or ""]).strip(" ·")
        if vs.road_layer in ROAD_LAYERS and part.view is not None:
            # a town layer made from road condition: no money on this map, so its figure is
            # the areas with a class (the legend's counts), and its data the page's targets
            # table (a funding or measure layer keeps the figures and table of its money)
            figures = status_figures(data, vs.level, int((part.view.class_ids >= 0).sum()),
                                     len(ids))
            reader = road_views.view_table(data, rd, vs, road_condition=road_condition)
    drawn = map_overlays(data, vs, overlay)
    files = (*files, *(str(o.file) for o in data.ws.overlays if o.id in vs.overlays))
    return Composed(vs=vs, ignored=tuple(ignored), mv=mv, view=view, title=title,
                    subtitle=subtitle, source=source_line(data, vs, files),
                    figures=figures or key_figures(data, vs.level, mv), overlays=overlays,
                    methodology=methodology, map_overlays=drawn,
                    source_brief=source_text(data, sources_of(data, vs, files)), reader=reader,
                    outliers=outliers)


@dataclass(frozen=True)
class StatusPart:
    """The status map of an Early warning or Scorecard view and what is printed around it."""
    view: ChoroplethView
    mv: MapValues
    title: str
    subtitle: str
    methodology: str          # the rule in words (printed under the map)
    figures: KeyFigures
    files: tuple[str, ...]


def status_part(data: WorkspaceData, vs: ViewState, ids, *,
                early_warning: Callable[..., object] | None = None,
                scorecard: Callable[..., object] | None = None) -> StatusPart:
    """The status map of a view of the Early warning page (``performance.early_warning.
    status_view``) or of the Scorecard page (``performance.scorecard.status_map_view``): the
    recipes the pages draw with. ``early_warning(year, period, step, rule)`` and
    ``scorecard(level, year, table, trend_years)`` compute the page's result (default: here)."""
    ws = data.ws
    plural = ws.level(vs.level).plural
    if vs.page == "early_warning":
        from performance.config import early_warning_config
        from performance.early_warning import early_warning as compute, pace_view
        from performance.pace import RULE_LABELS, fiscal_month

        step = vs.ew_step or "quarter"
        period = int(vs.ew_quarter or 0) if step == "quarter" else \
            int(fiscal_month(int(vs.ew_month or 0), ws.fiscal_year_start_month))
        if early_warning is not None:
            ew = early_warning(vs.ew_year, period, step, vs.ew_rule or None)
        else:
            cfg = early_warning_config(ws).with_rule(vs.ew_rule or None)
            ew = compute(data, cfg, year=int(vs.ew_year), period=period, step=step)
        view = pace_view(ids, ew, vs.ew_map or "status", selected=vs.region or None)
        files = [ws.table(ew.config.table).file] + \
            ([ws.table(ew.config.plan_table).file] if ew.config.plan_table else [])
        title = t("Early warning: {table}, {period}", table=ew.table_label, period=ew.view_text)
        subtitle = t("{regions} · pace of spending against {rule}", regions=plural,
                     rule=t(RULE_LABELS[ew.rule]).lower())
        methodology, notes = ew.rule_sentence(), tuple(ew.notes)
    else:
        from performance.scorecard import build_scorecard, status_map_view

        args = (vs.level, int(vs.sc_year), vs.sc_money or None, int(vs.sc_trend or 5))
        sc = scorecard(*args) if scorecard is not None else \
            build_scorecard(data, args[0], args[1], table=args[2], trend_years=args[3])
        ind = vs.sc_indicator
        view = status_map_view(sc, ind, ids, selected=vs.region or None)
        files = [tb.file for tb in ws.tables_of("indicators", vs.level)]
        title = t("Scorecard: {indicator}, {year}", indicator=ind, year=str(sc.year))
        subtitle = t("{regions} · {indicator} against its target · {year}", regions=plural,
                     indicator=ind, year=str(sc.year))
        methodology = t("Rule for {indicator}: {rule} Trend: least-squares line over the last "
                        "{n} years, flat within 1% of the mean.", indicator=ind,
                        rule=sc.rules.get(ind, ""), n=str(sc.trend_years))
        notes = tuple(sc.notes)
    idx = pd.Index(list(ids), name="region_id")
    none = pd.Series(float("nan"), index=idx, dtype="float64")
    mv = MapValues(values=none, label=title, unit="", notes=notes, population=none, join=None)
    figures = status_figures(data, vs.level, int((view.class_ids >= 0).sum()), len(ids))
    return StatusPart(view=view, mv=mv, title=title, subtitle=subtitle, methodology=methodology,
                      figures=figures, files=tuple(str(f) for f in files))


@dataclass(frozen=True)
class AnalysisPart:
    """The map of an Analysis view and what is printed around it."""
    view: ChoroplethView
    mv: MapValues
    title: str
    subtitle: str
    methodology: str          # the method statement (printed under the map)
    figures: KeyFigures
    files: tuple[str, ...]
    of_measure: bool          # a map of the sidebar's measure (outliers, hot spots)


def analysis_part(data: WorkspaceData, vs: ViewState, ids, ignored: list[str], *,
                  values: Callable[[MeasureSpec], MapValues] | None = None,
                  weights: Callable[..., object] | None = None,
                  frame: Callable[..., object] | None = None,
                  overlap: Callable[[], object] | None = None) -> AnalysisPart:
    """The map of an Analysis view by the page's recipe (:func:`analysis.views.analysis_map`).
    Outliers and hot spots have the key figures of their measure; the other questions the
    regions with a class. A method that refuses this data is added to ``ignored`` (its
    reason) and gives a map with no data."""
    from analysis import AnalysisError
    from analysis.views import MEASURE_VIEWS, analysis_map
    from geodata.dataset import map_values
    from geodata.viewstate import param
    from layers.categorical import build_categorical

    of_measure = vs.an_view in MEASURE_VIEWS
    mv = None
    if of_measure:
        spec = vs.measure_spec()
        mv = values(spec) if values is not None else map_values(data, spec)
    try:
        am = analysis_map(data, vs, ids, values=(lambda _spec: mv) if mv is not None else None,
                          weights=weights, frame=frame, overlap=overlap)
        view, title, subtitle = am.view, am.title, am.subtitle
        methodology, files, notes = am.methodology, tuple(am.files), tuple(am.notes)
    except AnalysisError as exc:
        ignored.append(t("{param}: {problem}", param=param("an_view", vs.an_view),
                         problem=str(exc)))
        title = mv.label if mv is not None else t("Analysis")
        view = build_categorical(ids, pd.Series(dtype=object), [], title=title)
        # the reason is printed with the ignored parameters, once
        subtitle, methodology, files, notes = data.ws.level(vs.level).plural, "", (), ()
    if mv is not None:
        figures = key_figures(data, vs.level, mv)
    else:
        idx = pd.Index(list(ids), name="region_id")
        none = pd.Series(float("nan"), index=idx, dtype="float64")
        mv = MapValues(values=none, label=title, unit="", notes=notes, population=none,
                       join=None)
        figures = status_figures(data, vs.level, int((view.class_ids >= 0).sum()), len(ids))
    return AnalysisPart(view=view, mv=mv, title=title, subtitle=subtitle,
                        methodology=methodology, figures=figures,
                        files=tuple(str(f) for f in files), of_measure=of_measure)


def map_table(data: WorkspaceData, c: Composed) -> pd.DataFrame:
    """The data behind the map, one row per region in feature order (as the Data tab)."""
    names = data.names(c.vs.level)
    view, mv = c.view, c.mv
    table = pd.DataFrame({
        "region_id": list(view.region_ids),
        "name": [names.get(r, "") for r in view.region_ids],
        "value": view.values.to_numpy(), "unit": mv.unit,
        "class": [e + 1 if e >= 0 else None for e in view.class_ids.tolist()],
        "colour": view.colours(),
        "population": mv.population.reindex(list(view.region_ids)).to_numpy(),
    })
    table["class"] = table["class"].astype("Int64")
    if c.vs.page == "analysis":     # the class in words; the measure's value where it has one
        words = {e.class_id: e.label for e in view.legend}
        table["class"] = [words.get(e, words.get(-1, "")) for e in view.class_ids.tolist()]
        if view.marked:
            marked = set(view.marked)
            table["marked"] = [view.marked_label if r in marked else ""
                               for r in view.region_ids]
        if mv.values.notna().any():
            table["value"] = mv.values.reindex(list(view.region_ids)).to_numpy()
        elif view.scheme != "categories":       # a map of amounts (overlapping funding)
            table["unit"] = view.unit
            return table.drop(columns=["population"])
        else:
            table["value"] = list(view.value_text)
            return table.drop(columns=["population"])
    elif c.vs.page in PERFORMANCE_KEYS:     # a status map: the status in words, no rank
        table["value"] = list(view.value_text)
        table = table.drop(columns=["population"])
        return table
    table["rank"] = table["value"].rank(ascending=False, method="min")
    if c.outliers is not None:
        # how far out each flagged region is (robust z-score or IQRs beyond the fence)
        table["outlier"] = c.outliers.scores(view.region_ids)
    return table


def map_sheet(data: WorkspaceData, c: Composed) -> pd.DataFrame:
    """The map data of a view as its Excel sheet holds it: a roads view's table for readers
    (as the Roads page shows it), else :func:`map_table`."""
    if c.reader is not None:
        from .roads import reader_frame
        return reader_frame(c.reader[0])
    return map_table(data, c)


def map_csv(data: WorkspaceData, c: Composed) -> bytes:
    """The map data of a view as CSV: a roads view's table for readers with its methodology
    on a first comment line (:func:`exports.roads.reader_csv`), else :func:`map_table`
    (text a spreadsheet would run as a formula kept as text), an analysis view's with its
    method statement on a first comment line."""
    if c.reader is not None:
        from .roads import reader_csv
        return reader_csv(*c.reader)
    if c.vs.page == "analysis" and c.methodology:     # the method statement, as under the map
        head = "# " + " ".join(c.methodology.split())
        return f"{head}\r\n".encode("utf-8") + csv_bytes(map_table(data, c), index=False)
    return csv_bytes(map_table(data, c), index=False)
