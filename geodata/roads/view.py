"""The town layers of the Roads page as ChoroplethViews: the one recipe the page and its
exports share (share poor, share good or better, target status, and the funding layers).

Areas with a value of exactly zero are a class of their own ("No funding", "No poor miles"):
a class reading "$0" next to one reading "$0 – $317" tells a reader nothing.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from layers.road_condition import (STATUS_COLOURS, STATUS_ORDER, ConditionScheme,
                                   categorical_view, zero_class_view)
from locales import N_, t

from .condition import RoadCondition
from .config import RoadConfig
from .text import lower_first, status_label

ROAD_LAYERS = ("poor_share", "good_share", "status")
FUNDING_LAYERS = ("funding_per_resident", "funding")
_LAYER_LABELS = {"poor_share": N_("Share of road {unit} in poor condition"),
                 "good_share": N_("Share of road {unit} good or better"),
                 "status": N_("Target status (met / at risk / missed)")}


def road_layer_labels(cfg: RoadConfig) -> dict[str, str]:
    """Labels of the town layers made from road condition (the Roads page's picker)."""
    return {k: t(v, unit=cfg.unit_word) for k, v in _LAYER_LABELS.items()}


def zero_label(layer_id: str, cfg: RoadConfig) -> str:
    """The name of the class of areas whose value is zero on a town layer."""
    if layer_id == "poor_share":
        return t("No poor {unit}", unit=cfg.unit_word)
    if layer_id == "good_share":
        return t("None good or better")
    return t("No funding")


def road_layer_view(rc: RoadCondition, cfg: RoadConfig, layer_id: str, region_ids, *,
                    scheme: str = "quantiles", k: int = 5, palette: str = "Purples",
                    reverse: bool = False, breaks=None, selected: str | None = None):
    """A road-condition town layer (share poor, share good or better, target status) as a
    ChoroplethView: the one recipe the Roads page and its exports share."""
    if layer_id == "status":
        return categorical_view(
            region_ids, rc.table["status"], STATUS_ORDER, STATUS_COLOURS,
            title=t("Target status, {road_class} {unit}", road_class=lower_first(rc.road_class),
                    unit=cfg.unit_word),
            unit=rc.targets.text(), selected=selected,
            labels={s: status_label(s) for s in STATUS_ORDER})
    if layer_id not in ROAD_LAYERS:
        raise ValueError(f"{layer_id!r} is not a road-condition layer ({', '.join(ROAD_LAYERS)})")
    title = t("{layer} ({road_class})", layer=road_layer_labels(cfg)[layer_id],
              road_class=lower_first(rc.road_class))
    return zero_class_view(region_ids, rc.table[layer_id], zero_label=zero_label(layer_id, cfg),
                           title=title, unit="%", scheme=scheme, k=k, palette=palette,
                           reverse=reverse, breaks=breaks, subtitle="%", selected=selected)


def funding_layer_view(region_ids, values: pd.Series, *, title: str, unit: str,
                       population: pd.Series | None = None, notes: Sequence[str] = (),
                       scheme: str = "quantiles", k: int = 5, palette: str = "Greens",
                       reverse: bool = False, breaks=None, selected: str | None = None):
    """Funding programmed (in total or per resident) by area, the areas with none in a
    "No funding" class of their own."""
    return zero_class_view(region_ids, values, zero_label=t("No funding"), title=title,
                           unit=unit, scheme=scheme, k=k, palette=palette, reverse=reverse,
                           breaks=breaks, population=population, subtitle=unit, notes=notes,
                           selected=selected)


def class_lengths(rc: RoadCondition, scheme: ConditionScheme) -> tuple[list[float], float]:
    """Road length per condition class (best first) and with no data, summed over the areas
    from the same table as the region-wide figure: the segments' legend and the KPIs read one
    number (``rc.figure.no_data`` is the second value)."""
    tb = rc.table
    per_class = [float(tb[lab].sum()) if lab in tb else 0.0 for lab in scheme.labels]
    return per_class, float(rc.figure.no_data)
