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
    years: tuple[int, ...] = ()             # a panel's years (frame column ``year``)


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
    value). A measure without a value in ``year`` takes the nearest year it has, said in the
    notes. Unknown keys raise ValueError naming them."""
    options = _known(data, level, keys)
    ids = _ids(data, level)
    bounds = data.boundaries(level)
    columns: dict[str, pd.Series] = {}
    units: dict[str, str] = {}
    notes: list[str] = []
    for key in keys:
        values, units[key], note = _column(data, level, year, key, options, bounds, ids,
                                           exact=False)
        columns[key] = values
        if note is not None:
            notes.append(note)
    return RegionFrame(frame=_table(columns, ids), labels={k: options[k] for k in keys},
                       units=units, names=_region_names(bounds, ids), notes=tuple(notes))


def panel_frame(data: WorkspaceData, level: str, first: int, last: int,
                keys: list[str]) -> RegionFrame:
    """The regions of ``level`` × the years from ``first`` to ``last`` that have money or an
    indicator (:func:`analysis_years`): one row per region and year (index region id, repeated;
    column ``year``), one column per measure, each year's own figure — money per resident of
    that year over that year's population, the indicator of that year. A measure with no value
    in a year is NaN in that year's rows (never another year's figure), said in the notes;
    population and density take the latest population up to the year, as
    :func:`region_frame` does. Unknown keys or an empty span raise ValueError."""
    options = _known(data, level, keys)
    first, last = int(first), int(last)
    if first > last:
        raise ValueError(t("the first year ({first}) is after the last ({last})",
                           first=str(first), last=str(last)))
    years = [y for y in analysis_years(data, level) if first <= y <= last]
    if not years:
        raise ValueError(t("no money or indicator at this level from {first} to {last}",
                           first=str(first), last=str(last)))
    ids = _ids(data, level)
    bounds = data.boundaries(level)
    units: dict[str, str] = {}
    missing: dict[str, list[int]] = {}
    parts = []
    for year in years:
        columns: dict[str, pd.Series] = {}
        for key in keys:
            values, units[key], note = _column(data, level, year, key, options, bounds, ids,
                                               exact=True)
            columns[key] = values
            if note is not None:
                missing.setdefault(key, []).append(year)
        part = _table(columns, ids)
        part.insert(0, "year", year)
        parts.append(part)
    frame = pd.concat(parts)
    frame.index.name = "region_id"
    notes = [Text(N_("{measure}: no value in {years}; those rows are left out"),
                  measure=options[key], years=", ".join(map(str, ys)))
             for key, ys in missing.items()]
    return RegionFrame(frame=frame, labels={k: options[k] for k in keys}, units=units,
                       names=_region_names(bounds, ids), notes=tuple(notes), years=tuple(years))


def _known(data: WorkspaceData, level: str, keys: list[str]) -> dict[str, str]:
    options = measure_options(data, level)
    unknown = [k for k in keys if k not in options]
    if unknown:
        raise ValueError(t("not a measure of this level: {keys}", keys=", ".join(unknown)))
    return options


def _region_names(bounds, ids: pd.Index) -> pd.Series:
    return pd.Series(bounds["name"].astype(str).to_numpy(), index=ids)


def _table(columns: dict[str, pd.Series], ids: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v.to_numpy(dtype=float), index=v.index.astype(str))
                         .reindex(ids) for k, v in columns.items()}, index=ids)


def _column(data: WorkspaceData, level: str, year: int, key: str, options: dict[str, str],
            bounds, ids: pd.Index, *, exact: bool) -> tuple[pd.Series, str, Text | None]:
    """One measure in one year: values by region, unit, and the note when the year has no
    value. ``exact``: a year without a value gives NaN; otherwise the nearest year is used."""
    kind, _, rest = key.partition(":")
    if kind == "money":
        table, _, agency = rest.partition(":")
        lo, hi = data.years(table)
        used = min(max(year, lo), hi)
        note = None
        if used != year:
            if exact:
                return pd.Series(float("nan"), index=ids), _money_unit(data, table), \
                    Text(N_("{measure}: no money in {year}"), measure=options[key],
                         year=str(year))
            note = Text(N_("{measure}: no money in {year}; {used} is used"),
                        measure=options[key], year=str(year), used=str(used))
        mv = map_values(data, MeasureSpec(level=level, measure="per_capita", table=table,
                                          span=(used, used),
                                          agencies=(agency,) if agency else None))
        return mv.values, mv.unit, note
    if kind == "ind":
        entry = data.indicator_catalogue(level)[rest]
        years = entry["years"]
        used = year if exact else (_latest_up_to(years, year) or years[0])
        if used not in years:
            return pd.Series(float("nan"), index=ids), entry["unit"], \
                Text(N_("{measure}: no value for {year}"), measure=rest, year=str(year))
        note = None
        if used != year:
            note = Text(N_("{measure}: no value for {year}; {used} is used"),
                        measure=rest, year=str(year), used=str(used))
        mv = map_values(data, MeasureSpec(level=level, measure="indicator", indicator=rest,
                                          indicator_year=used))
        return mv.values, entry["unit"], note
    values, unit = _population(data, level, year, key, bounds, ids)
    return values, unit, None


def _money_unit(data: WorkspaceData, table: str) -> str:
    """The unit :func:`geodata.dataset.map_values` gives money per resident of ``table``."""
    return f"{data.ws.table(table).unit or data.ws.currency} per resident"


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
