"""A workspace's ``[roads]`` settings: condition scheme, targets, town bins and timeline.

:func:`road_config` reads them with defaults for what is missing and collects every problem
in the table instead of raising (they are reported on the Data quality page).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from layers.road_condition import (NO_DATA, ConditionScheme, SchemeError, compatible,
                                   get_scheme, schemes_for)
from locales import N_, t
from performance import targets as T

from ..problems import Text
from ..workspace import Workspace

METRES_PER = {"mi": 1609.344, "km": 1000.0}
UNIT_WORDS = {"mi": N_("miles"), "km": N_("km")}
TARGET_KEYS = ("good_or_better_min", "poor_max", "at_risk_good_pp", "at_risk_poor_pp")


@dataclass(frozen=True)
class Targets:
    good_or_better_min: float | None = None    # % of rated miles
    poor_max: float | None = None              # % of rated miles
    at_risk_good_pp: float = 5.0
    at_risk_poor_pp: float = 1.0

    @property
    def any(self) -> bool:
        return self.good_or_better_min is not None or self.poor_max is not None

    def criteria(self) -> list[tuple[str, float, float, str]]:
        """Each target as the engine's thresholds: (share column, met from, at risk up to,
        direction). The margin is on the met side: good or better is met from
        ``good_or_better_min + at_risk_good_pp`` and at risk down to ``good_or_better_min``;
        poor is met up to ``poor_max - at_risk_poor_pp`` and at risk up to ``poor_max``."""
        out = []
        if self.good_or_better_min is not None:
            out.append(("good_share", self.good_or_better_min + self.at_risk_good_pp,
                        self.good_or_better_min, T.HIGHER))
        if self.poor_max is not None:
            out.append(("poor_share", self.poor_max - self.at_risk_poor_pp, self.poor_max,
                        T.LOWER))
        return out

    def text(self) -> str:
        """The targets in words: "≥ 80% good or better and ≤ 2% poor"."""
        g, p = self.good_or_better_min, self.poor_max
        if g is not None and p is not None:
            return t("≥ {good}% good or better and ≤ {poor}% poor", good=f"{g:g}", poor=f"{p:g}")
        if g is not None:
            return t("≥ {good}% good or better", good=f"{g:g}")
        if p is not None:
            return t("≤ {poor}% poor", poor=f"{p:g}")
        return t("no target set")


@dataclass(frozen=True)
class BinSpec:
    """A table of road length per condition class per area (no geometry)."""
    file: Path
    level: str
    key: str                                   # region id column (or name column if by_name)
    columns: dict[str, str]                    # class label (or "No data") → length column
    scheme: str
    road_class: str
    survey_year: int | None = None
    length_unit: str = "mi"
    by_name: bool = False
    targets: Targets = Targets()
    encoding: str = "utf-8"


@dataclass(frozen=True)
class TimelineSpec:
    """Scores of segments over several survey years (no geometry)."""
    file: Path
    segment_id: str
    year: str
    score: str
    strip_prefix: str = ""
    route: str | None = None


@dataclass(frozen=True)
class RoadConfig:
    segments_table: str | None
    level: str
    scheme: str
    score_label: str
    survey_year: int | None
    road_class: str
    length_unit: str
    targets: Targets
    schemes: dict[str, ConditionScheme]
    town_bins: BinSpec | None = None
    timeline: TimelineSpec | None = None
    trend_indicator: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def unit_word(self) -> str:
        """"miles" or "km", in the reader's language."""
        word = UNIT_WORDS.get(self.length_unit)
        return t(word) if word else self.length_unit

    def scheme_obj(self, scheme_id: str | None = None) -> ConditionScheme:
        return get_scheme(scheme_id or self.scheme, self.schemes)

    def scheme_choices(self) -> list[str]:
        return compatible(self.schemes, self.score_label)


def _targets(d: Any, where: str, problems: list[str]) -> Targets:
    if not isinstance(d, Mapping):
        return Targets()
    vals: dict[str, float | None] = {}
    for k in TARGET_KEYS:
        v = d.get(k)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            problems.append(Text(N_("{where}: '{key}' must be a percentage from 0 to 100, got "
                                    "{value}"), where=where, key=k, value=repr(v)))
            continue
        vals[k] = float(v)
    unknown = sorted(set(d) - set(TARGET_KEYS))
    if unknown:
        problems.append(Text(N_("{where}: unknown key(s) {keys}"), where=where,
                             keys=", ".join(unknown)))
    return Targets(**vals)


def road_config(ws: Workspace) -> RoadConfig | None:
    """The workspace's road settings, or None when it has no ``segments`` table and no bins.

    Missing keys get defaults (the scheme guessed from the score label); problems in the
    ``[roads]`` table are collected in ``problems`` rather than raised.
    """
    cfg = ws.settings.get("roads") or {}
    problems: list[str] = []
    seg_tables = ws.tables_of("segments")
    seg_id = cfg.get("segments_table") or (seg_tables[0].id if seg_tables else None)
    if seg_id and seg_id not in {tb.id for tb in seg_tables}:
        problems.append(Text(N_("[roads]: segments_table {id} is not a segments table"),
                             id=repr(seg_id)))
        seg_id = seg_tables[0].id if seg_tables else None
    if not seg_id and not cfg.get("town_bins"):
        return None
    seg_spec = ws.table(seg_id) if seg_id else None
    try:
        schemes = schemes_for(cfg)
    except SchemeError as exc:
        problems += [f"{exc.args[0].split(':')[0]}: {p}" for p in exc.problems]
        from layers.road_condition import PRESETS
        schemes = dict(PRESETS)
    score_label = str(cfg.get("score_label") or (seg_spec.unit.split()[0] if seg_spec and seg_spec.unit else "PSI"))
    default_scheme = next(iter(compatible(schemes, score_label)))
    scheme = str(cfg.get("scheme") or default_scheme)
    if scheme not in schemes:
        problems.append(Text(N_("[roads]: scheme {scheme} is unknown; one of {schemes}"),
                             scheme=repr(scheme), schemes=", ".join(schemes)))
        scheme = default_scheme
    level = str(cfg.get("level") or (seg_spec.level if seg_spec else ws.default_level))
    unit = str(cfg.get("length_unit", "mi"))
    if unit not in METRES_PER:
        problems.append(Text(N_("[roads]: length_unit must be 'mi' or 'km', got {unit}"),
                             unit=repr(unit)))
        unit = "mi"
    targets = _targets(cfg.get("targets"), "[roads.targets]", problems)

    bins = None
    b = cfg.get("town_bins")
    if isinstance(b, Mapping):
        bins = _bin_spec(ws, b, schemes, scheme, level, unit, targets, problems)
    timeline = None
    tl = cfg.get("timeline")
    if isinstance(tl, Mapping):
        missing = [k for k in ("file", "segment_id", "year", "score") if not tl.get(k)]
        if missing:
            problems.append(Text(N_("[roads.timeline]: lacks {keys}"), keys=", ".join(missing)))
        elif not (ws.path / tl["file"]).exists():
            problems.append(Text(N_("[roads.timeline]: file {file} not found"),
                                 file=repr(tl["file"])))
        else:
            timeline = TimelineSpec(file=ws.path / tl["file"], segment_id=str(tl["segment_id"]),
                                    year=str(tl["year"]), score=str(tl["score"]),
                                    strip_prefix=str(tl.get("strip_prefix", "")),
                                    route=tl.get("route"))
    return RoadConfig(
        segments_table=seg_id, level=level, scheme=scheme, score_label=score_label,
        survey_year=cfg.get("survey_year"),
        road_class=str(cfg.get("road_class") or (seg_spec.display_label if seg_spec else "Roads")),
        length_unit=unit, targets=targets, schemes=schemes, town_bins=bins, timeline=timeline,
        trend_indicator=cfg.get("trend_indicator"), problems=tuple(problems))


def _bin_spec(ws: Workspace, b: Mapping, schemes: Mapping[str, ConditionScheme], scheme: str,
              level: str, unit: str, targets: Targets, problems: list[str]) -> BinSpec | None:
    """The ``[roads.town_bins]`` table, checked."""
    where = "[roads.town_bins]"
    missing = [k for k in ("file", "columns") if not b.get(k)]
    if not (b.get("key") or b.get("name")):
        missing.append("key (or name)")
    if missing:
        problems.append(Text(N_("{where}: lacks {keys}"), where=where, keys=", ".join(missing)))
        return None
    if not (ws.path / b["file"]).exists():
        problems.append(Text(N_("{where}: file {file} not found in {folder}"), where=where,
                             file=repr(b["file"]), folder=str(ws.path)))
        return None
    bscheme = str(b.get("scheme", scheme))
    if bscheme not in schemes:
        problems.append(Text(N_("{where}: scheme {scheme} is unknown"), where=where,
                             scheme=repr(bscheme)))
        bscheme = scheme
    labels = set(schemes[bscheme].labels) | {NO_DATA}
    bad = sorted(set(b["columns"]) - labels)
    if bad:
        problems.append(Text(N_("{where}.columns: {bad} are not classes of {scheme} ({classes})"),
                             where=where, bad=str(bad), scheme=bscheme,
                             classes=", ".join(sorted(labels))))
    return BinSpec(
        file=ws.path / b["file"], level=str(b.get("level", level)),
        key=str(b.get("key") or b.get("name")), by_name=not b.get("key"),
        columns={str(k): str(v) for k, v in b["columns"].items() if k in labels},
        scheme=bscheme, road_class=str(b.get("road_class", "Roads (town bins)")),
        survey_year=b.get("survey_year"), length_unit=str(b.get("length_unit", unit)),
        targets=_targets(b.get("targets"), f"{where}.targets", problems) if b.get("targets") else targets,
        encoding=str(b.get("encoding", "utf-8")))
