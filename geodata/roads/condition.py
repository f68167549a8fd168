"""One recipe per scheme and road class: the condition table by area, the region-wide
figure, the targets and the methodology line (:func:`road_condition`); and everything a
workspace's roads are read from, loaded once (:func:`load_roads`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from layers.road_condition import NO_DATA, ConditionScheme
from locales import N_, t

from ..load import relative_name
from ..problems import Problem, Text
from ..workspace import Workspace
from .aggregate import LENGTH_COLUMNS, bins_by_area, combine, condition_by_area, load_bins
from .config import RoadConfig, Targets, road_config
from .segments import RoadNetwork, load_network, score_problems
from .targets import RegionFigure, region_figure, with_status
from .text import lower_first
from .trend import load_timeline, timeline_matches

@dataclass
class RoadCondition:
    """What the Roads page shows for one scheme and road class."""
    table: pd.DataFrame                         # by region_id: lengths, shares, status
    figure: RegionFigure
    targets: Targets
    road_class: str
    methodology: str
    notes: list[str] = field(default_factory=list)


def road_classes(cfg: RoadConfig, has_segments: bool) -> dict[str, str]:
    """id → label of the road classes a workspace can show."""
    out = {}
    if has_segments:
        out["segments"] = cfg.road_class
    if cfg.town_bins is not None:
        out["bins"] = cfg.town_bins.road_class
    if len(out) == 2:
        out["all"] = t("All ({first} + {second})", first=lower_first(cfg.road_class),
                       second=lower_first(cfg.town_bins.road_class))
    return out


def methodology(cfg: RoadConfig, scheme: ConditionScheme, road_class: str) -> str:
    """The line printed with every map and export: scheme, classes and survey year, in
    words a reader of the budget needs (how lengths are measured is said, not the CRS)."""
    parts = []
    if road_class in ("segments", "all"):
        parts.append(t("{road_class}: {scheme}, survey {year}", road_class=cfg.road_class,
                       scheme=scheme.describe(), year=str(cfg.survey_year))
                     if cfg.survey_year else
                     t("{road_class}: {scheme}", road_class=cfg.road_class,
                       scheme=scheme.describe()))
    if road_class in ("bins", "all") and cfg.town_bins is not None:
        b = cfg.town_bins
        described = cfg.scheme_obj(b.scheme).describe()
        parts.append(t("{road_class}: {scheme}, survey {year} (town bin table)",
                       road_class=b.road_class, scheme=described, year=str(b.survey_year))
                     if b.survey_year else
                     t("{road_class}: {scheme} (town bin table)", road_class=b.road_class,
                       scheme=described))
    return t("Methodology — {classes}. Road lengths are measured on the ground; shares are of "
             "rated {unit}.", classes="; ".join(parts), unit=cfg.unit_word)


def road_condition(cfg: RoadConfig, net: RoadNetwork | None, bins: pd.DataFrame | None,
                   area_ids: list[str], scheme_id: str, road_class: str) -> RoadCondition:
    scheme = cfg.scheme_obj(scheme_id)
    parts, notes = [], []
    targets = cfg.targets
    label = cfg.road_class
    if road_class in ("segments", "all") and net is not None and not net.empty:
        parts.append(condition_by_area(net.pieces, net.segments, scheme, area_ids,
                                       unit=cfg.length_unit))
    if road_class in ("bins", "all") and cfg.town_bins is not None and bins is not None:
        b = cfg.town_bins
        parts.append(bins_by_area(bins, cfg.scheme_obj(b.scheme), area_ids,
                                  from_unit=b.length_unit, unit=cfg.length_unit))
        if road_class == "bins":
            targets, label = b.targets, b.road_class
    if road_class == "all":
        label = t("road")
        notes.append(t("Each road class is classed with its own scheme; the shares add their "
                       "good-or-better and poor lengths."))
    if not parts:
        empty = pd.DataFrame(index=pd.Index(area_ids, name="region_id"),
                             columns=[*LENGTH_COLUMNS, NO_DATA], dtype=float)
        parts = [empty]
    table = parts[0] if len(parts) == 1 else combine(*parts)
    table = with_status(table, targets)
    return RoadCondition(table=table, figure=region_figure(table, targets), targets=targets,
                         road_class=label, methodology=methodology(cfg, scheme, road_class),
                         notes=notes)


@dataclass
class RoadData:
    """Everything the Roads page reads for one workspace, loaded once."""
    config: RoadConfig
    network: RoadNetwork | None
    bins: pd.DataFrame | None
    timeline: pd.DataFrame | None
    problems: list[Problem]
    area_ids: list[str]
    names: dict[str, str]


def load_roads(ws: Workspace, areas: gpd.GeoDataFrame) -> RoadData | None:
    """Load segments, town bins and timeline named by a workspace; None when it has none."""
    cfg = road_config(ws)
    if cfg is None:
        return None
    problems = [Problem("error", "workspace.toml", p, code="roads_config") for p in cfg.problems]
    net = None
    if cfg.segments_table:
        net = load_network(ws, ws.table(cfg.segments_table), areas)
        problems += net.problems
        problems += score_problems(net.segments, cfg.scheme_obj(), net.file, net.score_column,
                                   pieces=net.pieces)
    bins = None
    if cfg.town_bins is not None:
        bins, bp = load_bins(ws, cfg.town_bins, areas)
        problems += bp
    timeline = None
    if cfg.timeline is not None:
        timeline, tp = load_timeline(ws, cfg.timeline)
        problems += tp
        if net is not None and not net.empty and len(timeline):
            found, n = timeline_matches(timeline, net.segments)
            if found < n:
                problems.append(Problem(
                    "warning", relative_name(ws, cfg.timeline.file),
                    Text(N_("{n} of {total} segment ids in the timeline match no segment; their "
                            "history is not placed in any area"), n=f"{n - found:,}",
                         total=f"{n:,}"),
                    code="unknown_key"))
    return RoadData(config=cfg, network=net, bins=bins, timeline=timeline, problems=problems,
                    area_ids=[str(r) for r in areas["region_id"]],
                    names=dict(zip(areas["region_id"].astype(str), areas["name"].astype(str))))


