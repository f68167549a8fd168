"""The key figures of a map view, computed and worded in one place.

One map's metrics, the Hearing page and its presentation, the hearing pack, the exports
(PNG/PDF/SVG/HTML/CSV/GeoJSON/Excel) and the command line all show :func:`key_figures` of the
view through :class:`KeyFigures`: one view, one set of numbers, the same text everywhere.

The rules:

* **Total on the map**: the money whose region id matches a region of the level (cents summed,
  then shown in the workspace's currency).
* **Per resident**: the money of the regions that have a population, over the residents of
  those regions (the population of the last year of the span). Money of a region without a
  population is left out of both sides; a region with a population and no money counts with
  its residents and no money, as in the per capita map's overall rate.
* **Overall rate** (per capita measure): the map's own jurisdiction-wide rate
  (:func:`geodata.measures.overall_rate`).
* **Regions with data**: regions with a value on the map, of all regions of the level; the
  legend's counts add up to it.
* **Not placed on the map**: money whose region id is blank or matches no region.
* Indicators: the **median** of the values on the map, the **population covered** (residents
  of the regions with a value) and the **values not placed** (region id not in the layer).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from layers.classify import format_number
from locales import N_, t

from .dataset import MapValues, WorkspaceData

#: Kinds of figures: money (total, share, change), the per capita rate, an indicator, and the
#: status map of the Early warning and Scorecard pages.
KINDS = ("money", "rate", "indicator", "status")

LABELS = {
    "total": N_("Total on the map"),
    "per_resident": N_("Per resident"),
    "overall": N_("Overall rate"),
    "not_placed": N_("Not placed on the map"),
    "median": N_("Median"),
    "population": N_("Population covered"),
    "values_not_placed": N_("Values not placed"),
}
HELP = {
    "total": N_("Money whose region id matches a region of this level, for the years and "
                "agencies chosen."),
    "per_resident": N_("Money of the regions that have a population, divided by the residents "
                       "of those regions (population of the last year shown). Money of a "
                       "region without a population is left out."),
    "overall": N_("All money over all residents, the way the map divides: each year's money "
                  "over that year's residents, regions with a population only."),
    "with_data": N_("Regions with a value on the map, of all regions of this level. The "
                    "counts in the legend add up to this number."),
    "not_placed": N_("Rows whose region id is blank or matches no region; see Join "
                     "diagnostics."),
    "median": N_("The middle value of the regions with a value."),
    "population": N_("Residents of the regions with a value."),
    "values_not_placed": N_("Values whose region id is not in the boundary layer."),
}


@dataclass(frozen=True)
class Figure:
    """One key figure as shown: a stable key, its label, its value and the rule behind it."""
    key: str
    label: str
    value: str
    help: str


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


@dataclass(frozen=True)
class KeyFigures:
    """The figures shown with a map (above it on One map, under it on a slide, in the pack's
    table, in the exports). Numbers are kept; :meth:`items` words them."""
    with_data: int
    regions: int
    kind: str = "money"
    total: float | None = None             # money on the map (money, rate)
    per_resident: float | None = None      # money
    overall: float | None = None           # rate: the per capita map's overall rate
    not_placed: float | None = None        # money not placed (money, rate)
    median: float | None = None            # indicator
    population: float | None = None        # indicator: residents of regions with a value
    not_placed_values: int = 0             # indicator values whose key matched no region
    currency: str = "USD"
    unit: str = ""                         # indicator unit
    level_plural: str = "Regions"          # data text (the manifest's), never translated

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def no_money(self) -> bool:
        """An allocation view with no money at all (placed or not) for its filters."""
        return self.kind in ("money", "rate") and not self.total and not self.not_placed

    def _money(self, x: float | None) -> str:
        return format_number(_finite(x), self.currency)

    def items(self) -> tuple[Figure, ...]:
        """The figures of this kind of view, in the order they are shown, in the current
        language."""
        def fig(key: str, value: str) -> Figure:
            return Figure(key, t(LABELS[key]), value, t(HELP[key]))

        with_data = Figure(
            "with_data", t("{regions} with data", regions=self.level_plural),
            t("{with_data} of {regions}",
              with_data=format_number(self.with_data, compact=False),
              regions=format_number(self.regions, compact=False)),
            t(HELP["with_data"]))
        if self.kind == "status":
            return (with_data,)
        if self.kind == "indicator":
            return (fig("median", format_number(_finite(self.median), self.unit)),
                    fig("population", format_number(_finite(self.population or None),
                                                    compact=False)),
                    with_data,
                    fig("values_not_placed", format_number(self.not_placed_values,
                                                           compact=False)))
        second = fig("overall", self._money(self.overall)) if self.kind == "rate" else \
            fig("per_resident", self._money(self.per_resident))
        return (fig("total", self._money(self.total)), second, with_data,
                fig("not_placed", self._money(self.not_placed)))

    def texts(self) -> dict[str, str]:
        """Label → value, as shown (the exports' "View" sheet and metadata read this)."""
        return {f.label: f.value for f in self.items()}

    def by_key(self) -> dict[str, str]:
        """Stable key → value (the hearing pack's table, tests)."""
        return {f.key: f.value for f in self.items()}

    def line(self) -> str:
        """All figures on one line ("Total on the map: $4.8T · Per resident: $14,062 · …")."""
        return " · ".join(t("{label}: {value}", label=f.label, value=f.value)
                             for f in self.items())


def per_resident(mv: MapValues) -> float | None:
    """Money of the regions with a population over their residents (see the module's rules)."""
    if mv.join is None:
        return None
    pop = pd.to_numeric(mv.population, errors="coerce")
    pop = pop[pop > 0]
    people = float(pop.sum())
    if not people:
        return None
    cents = mv.join.placed.set_index("region_id")["cents"]
    cents.index = cents.index.astype(str)
    pop.index = pop.index.astype(str)
    money = int(cents.reindex(pop.index).fillna(0).sum()) / 100
    return money / people


def key_figures(data: WorkspaceData, level: str, mv: MapValues) -> KeyFigures:
    """The key figures of a map's values at ``level``: the one place they are computed."""
    ws = data.ws
    common = dict(with_data=int(mv.values.notna().sum()), regions=len(data.names(level)),
                  currency=ws.currency, level_plural=ws.level(level).plural)
    if mv.join is not None:
        rate = mv.overall is not None
        return KeyFigures(kind="rate" if rate else "money", total=mv.join.placed_cents / 100,
                          per_resident=None if rate else per_resident(mv),
                          overall=_finite(mv.overall) if rate else None,
                          not_placed=mv.join.not_placed_cents / 100, **common)
    values = pd.to_numeric(mv.values, errors="coerce")
    pop = pd.to_numeric(mv.population, errors="coerce").reindex(values.index)
    covered = pop[values.notna()]
    return KeyFigures(kind="indicator", median=_finite(values.median()) if values.notna().any()
                      else None,
                      population=float(covered.sum()) if covered.notna().any() else None,
                      not_placed_values=len(mv.indicator_unmatched), unit=mv.unit, **common)


def status_figures(data: WorkspaceData, level: str, with_data: int, regions: int) -> KeyFigures:
    """The figures of an Early warning or Scorecard status map: regions with a status."""
    ws = data.ws
    return KeyFigures(kind="status", with_data=with_data, regions=regions,
                      currency=ws.currency, level_plural=ws.level(level).plural)
