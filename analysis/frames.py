"""The table the analyses read: one row per region of a level, one column per measure.

A measure is named by a key that a link can carry:

``money:<table>``            money per resident from an allocations table, in the year asked
``money:<table>:<agency>``   the same for one agency (or programme)
``ind:<indicator>``          an outcome indicator, in the year asked (else the latest year
                             before it, said in the notes)
``population``               residents (the population table's latest year up to the one asked)
``density``                  residents per km² (area on an equal-area projection)

Values come from :func:`geodata.dataset.map_values`, the function every map uses, so a figure
here is the figure on the map.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.problems import Text
from locales import N_, t

#: Equal-area projection for areas anywhere (metres): WGS 84 / NSIDC EASE-Grid 2.0 Global.
EQUAL_AREA = "EPSG:6933"
#: Agencies (or programmes) offered one by one: the largest by money over all years.
MAX_AGENCIES = 20


@dataclass(frozen=True)
class RegionFrame:
    frame: pd.DataFrame                     # index region_id (str), one column per key
    labels: dict[str, str]                  # key → label for the reader
    units: dict[str, str]                   # key → unit
    names: pd.Series                        # region_id → name
    notes: tuple[str, ...] = field(default_factory=tuple)


def _latest_up_to(years: list[int], year: int) -> int | None:
    before = [y for y in years if y <= year]
    return max(before) if before else None


def measure_options(data: WorkspaceData, level: str) -> dict[str, str]:
    """Every measure of a level: key → label (in the reader's language)."""
    out: dict[str, str] = {}
    pop = not data.population(level).empty
    for spec in data.allocation_tables(level):
        if pop:
            out[f"money:{spec.id}"] = t("{table} per resident", table=spec.display_label)
            for agency in largest_agencies(data, spec.id):
                out[f"money:{spec.id}:{agency}"] = t("{table} per resident: {agency}",
                                                     table=spec.display_label, agency=agency)
    for name in data.indicator_catalogue(level):
        out[f"ind:{name}"] = name
    if pop:
        out["population"] = t("Population")
        out["density"] = t("Residents per km²")
    return out


def largest_agencies(data: WorkspaceData, table: str, n: int = MAX_AGENCIES) -> list[str]:
    """The ``n`` agencies of a table with the most money over all its years."""
    if "agency" not in data.ledger.columns(table):
        return []
    sums = data.ledger.sum_by(table, ["agency"])
    sums = sums[sums["agency"].notna()].sort_values("amount", ascending=False)
    return [str(a) for a in sums["agency"].head(n)]


def analysis_years(data: WorkspaceData, level: str) -> list[int]:
    """Years with money or an indicator at the level (the year picker's options)."""
    years: set[int] = set()
    for spec in data.allocation_tables(level):
        lo, hi = data.years(spec.id)
        years.update(range(lo, hi + 1))
    for entry in data.indicator_catalogue(level).values():
        years.update(entry["years"])
    return sorted(years)


def _ids(data: WorkspaceData, level: str) -> pd.Index:
    return pd.Index(data.boundaries(level)["region_id"].astype(str), name="region_id")


def region_frame(data: WorkspaceData, level: str, year: int, keys: list[str]) -> RegionFrame:
    """The regions of ``level`` × the measures ``keys`` in ``year`` (NaN where a region has no
    value). Unknown keys raise ValueError naming them."""
    options = measure_options(data, level)
    unknown = [k for k in keys if k not in options]
    if unknown:
        raise ValueError(t("not a measure of this level: {keys}", keys=", ".join(unknown)))
    ids = _ids(data, level)
    bounds = data.boundaries(level)
    names = pd.Series(bounds["name"].astype(str).to_numpy(), index=ids)
    columns: dict[str, pd.Series] = {}
    units: dict[str, str] = {}
    notes: list[str] = []
    catalogue = data.indicator_catalogue(level)
    for key in keys:
        kind, _, rest = key.partition(":")
        if kind == "money":
            table, _, agency = rest.partition(":")
            lo, hi = data.years(table)
            span = (min(max(year, lo), hi),) * 2
            if span[0] != year:
                notes.append(Text(N_("{measure}: no money in {year}; {used} is used"),
                                  measure=options[key], year=str(year), used=str(span[0])))
            mv = map_values(data, MeasureSpec(level=level, measure="per_capita", table=table,
                                              span=span,
                                              agencies=(agency,) if agency else None))
            columns[key], units[key] = mv.values, mv.unit
        elif kind == "ind":
            years = catalogue[rest]["years"]
            used = _latest_up_to(years, year) or years[0]
            if used != year:
                notes.append(Text(N_("{measure}: no value for {year}; {used} is used"),
                                  measure=rest, year=str(year), used=str(used)))
            mv = map_values(data, MeasureSpec(level=level, measure="indicator", indicator=rest,
                                              indicator_year=used))
            columns[key], units[key] = mv.values, catalogue[rest]["unit"]
        elif key in ("population", "density"):
            columns[key], units[key] = _population(data, level, year, key, bounds, ids)
    frame = pd.DataFrame({k: pd.Series(v.to_numpy(dtype=float), index=v.index.astype(str))
                          .reindex(ids) for k, v in columns.items()}, index=ids)
    return RegionFrame(frame=frame, labels={k: options[k] for k in keys}, units=units,
                       names=names, notes=tuple(notes))


def _population(data: WorkspaceData, level: str, year: int, key: str, bounds, ids):
    pop = data.population(level)
    years = sorted(int(y) for y in pop["year"].dropna().unique()) if "year" in pop else []
    used = _latest_up_to(years, year) or (years[0] if years else None)
    rows = pop[pop["year"] == used] if used is not None else pop
    people = rows.groupby(rows["region_id"].astype(str))["population"].sum().reindex(ids)
    if key == "population":
        return people, t("residents")
    area_km2 = bounds.to_crs(EQUAL_AREA).geometry.area.to_numpy() / 1e6
    return people / pd.Series(area_km2, index=ids), t("residents per km²")
