"""A loaded workspace and the one recipe the map pages call: values for a region level.

:class:`WorkspaceData` reads everything a workspace names once (boundaries per level, tables,
the DuckDB ledger) and keeps every problem found. :func:`map_values` turns a
:class:`MeasureSpec` (level, measure, table, years, agencies, indicator) into the values per
region, the unit, the notes the map must print, and the join diagnostics.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
import threading
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from locales import N_, current, t

from . import measures as M
from .join import JoinResult, join_amounts
from .ledger import LedgerBase
from .ledger.config import build_ledger, tables_cache_dir
from .load import load_boundaries, load_table, relative_name
from .table_cache import cached_table
from .problems import Problem, Text, count, problem_for_rows
from .workspace import TableSpec, Workspace


@dataclass(frozen=True)
class MeasureSpec:
    level: str
    measure: str = "total"                  # total | per_capita | share | change | indicator
    table: str | None = None                # allocations table id
    span: tuple[int, int] | None = None     # inclusive fiscal years
    agencies: tuple[str, ...] | None = None  # None = all
    indicator: str | None = None
    indicator_year: int | None = None
    per: int = 1                            # per resident (1) or per 1,000 residents
    average: bool = False                   # per-capita: average per year instead of cumulative

    def __post_init__(self) -> None:
        if self.measure not in M.MEASURES:
            raise ValueError(t("unknown measure {measure}; one of {measures}",
                               measure=repr(self.measure), measures=", ".join(M.MEASURES)))


@dataclass(frozen=True)
class MapValues:
    values: pd.Series                       # by region_id over every region of the level
    label: str
    unit: str
    notes: tuple[str, ...]
    population: pd.Series                   # latest population in the span, by region_id
    join: JoinResult | None
    diverging: bool = False
    centre: float | None = None
    indicator_unmatched: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    overall: float | None = None            # per capita: the jurisdiction-wide rate, same unit
    amounts_by_year: pd.DataFrame | None = None  # per capita: region_id, fiscal_year, amount


class WorkspaceData:
    """Everything a workspace names, each file loaded once, when first needed.

    Safe to share between sessions: loading is guarded by a lock and the frames are read-only.
    """

    def __init__(self, ws: Workspace, ledger_engine: "str | LedgerBase | None" = None):
        """``ledger_engine`` overrides the manifest's ``[ledger]`` engine (a name or a ledger
        already built); one named here that cannot start raises instead of falling back."""
        self.ws = ws
        self._ledger_engine = ledger_engine
        self.problems_by_source: dict[str, list[Problem]] = {}
        self._boundaries: dict[str, gpd.GeoDataFrame] = {}
        self._tables: dict[str, pd.DataFrame] = {}
        self._lock = threading.RLock()
        self._memo: dict[tuple, object] = {}
        #: how each table was read: "read" (its file), "stored" (the disk cache)…
        self.table_reads: dict[str, str] = {}

    def _memoised(self, key: tuple, make):
        """Derived frames (population of a level, indicator catalogue…) built once: every
        rerun asks for them, and the files behind them never change while loaded."""
        if key not in self._memo:
            value = make()
            with self._lock:
                self._memo.setdefault(key, value)
        return self._memo[key]

    def _level(self, level: str) -> gpd.GeoDataFrame:
        if level not in self._boundaries:
            with self._lock:
                if level not in self._boundaries:
                    gdf, probs = load_boundaries(self.ws, self.ws.level(level))
                    self.problems_by_source[f"level:{level}"] = probs
                    self._boundaries[level] = gdf
        return self._boundaries[level]

    def _frame(self, table_id: str) -> pd.DataFrame:
        if table_id not in self._tables:
            spec = self.ws.table(table_id)
            if spec.kind == "segments":
                return pd.DataFrame()
            regions = self._level(spec.level)
            with self._lock:
                if table_id not in self._tables:
                    df, probs = self._checked(spec, regions)
                    self.problems_by_source[f"table:{table_id}"] = probs
                    self._tables[table_id] = df
        return self._tables[table_id]

    def _checked(self, spec: TableSpec, regions) -> tuple[pd.DataFrame, list[Problem]]:
        """A table read and checked, from the disk cache when a current copy of a large one
        is there (geodata/table_cache.py)."""
        level = self.ws.level(spec.level)
        sources = [p for p in (spec.file, spec.crosswalk, level.file) if p is not None]
        key = repr((spec, level, self.ws.fiscal_year_start_month, self.ws.currency,
                    self.ws.max_file_mb, str(self.ws.path)))
        df, probs, self.table_reads[spec.id] = cached_table(
            tables_cache_dir(self.ws), spec.id, sources, key,
            lambda: load_table(self.ws, spec, regions), background=True)
        return df, probs

    def load_all(self) -> "WorkspaceData":
        for lv in self.ws.levels:
            self._level(lv.id)
        for spec in self.ws.tables:
            self._frame(spec.id)
        return self

    @property
    def problems(self) -> list[Problem]:
        """Every problem in every file of the workspace (loads them all), join problems
        (keys that match no region, blank keys) included."""
        self.load_all()
        self.ledger
        for spec in [*self.ws.tables_of("allocations"), *self.ws.tables_of("plans")]:
            self.join_problems(spec.id)
        for spec in [*self.ws.tables_of("population"), *self.ws.tables_of("indicators")]:
            self.key_problems(spec.id)
        keys = ["ledger", *(f"level:{lv.id}" for lv in self.ws.levels)]
        for tspec in self.ws.tables:
            keys += [f"table:{tspec.id}", f"join:{tspec.id}"]
        return [p for k in keys for p in self.problems_by_source.get(k, [])]

    def join_problems(self, table_id: str) -> list[Problem]:
        """Rows of an allocations table that cannot be placed at its own level: keys that match
        no region and blank keys, with their amounts (as in the map's join diagnostics)."""
        key = f"join:{table_id}"
        if key in self.problems_by_source:
            return self.problems_by_source[key]
        spec = self.ws.table(table_id)
        out: list[Problem] = []
        if table_id in self.ledger.tables():
            frame = self._frame(table_id)
            regions = self._level(spec.level)
            sums = self.ledger.sum_by(table_id, ["region_id"])
            jr = join_amounts(sums, regions, int(sums["cents"].sum()))
            fname = relative_name(self.ws, spec.file)
            column = spec.columns.get("region_id", spec.columns.get("region_name"))
            unit = spec.unit or self.ws.currency
            level = self.ws.level(spec.level)
            usable = frame[frame["amount"].notna()] if "amount" in frame else frame
            if len(jr.unmatched):
                keys = set(jr.unmatched["region_id"].astype(str))
                rows = usable.loc[usable["region_id"].astype("string").isin(keys), "_line"]
                shown = [str(k).removeprefix("name:") for k in jr.unmatched["region_id"]]
                out.append(problem_for_rows(
                    "warning", fname, Text(
                        N_("{keys} key(s) on {rows} row(s) match no {level} of the boundary "
                           "layer; {amount} {unit} is not placed on the map"),
                        keys=count(len(keys)), rows=count(jr.unmatched["rows"].sum()),
                        level=level.label.lower(), amount=f"{jr.unmatched_cents / 100:,.2f}",
                        unit=unit),
                    column=column, line_numbers=rows, values=shown,
                    expected=Text(N_("an id (or name) of the {level} layer"),
                                  level=level.label.lower()),
                    code="unmatched_key"))
            if jr.blank_rows:
                blank = usable["region_id"].isna() | \
                    (usable["region_id"].astype("string").str.strip() == "")
                out.append(problem_for_rows(
                    "warning", fname, Text(N_("{rows} row(s) have no region; {amount} {unit} is "
                                              "not placed on the map"),
                                           rows=count(jr.blank_rows),
                                           amount=f"{jr.blank_cents / 100:,.2f}", unit=unit),
                    column=column, line_numbers=usable.loc[blank.fillna(True), "_line"],
                    expected=Text(N_("a region id in every row (blank rows are counted as not "
                                     "placed)")),
                    code="blank_region"))
        with self._lock:
            self.problems_by_source[key] = out
        return out

    def key_problems(self, table_id: str) -> list[Problem]:
        """Rows of a population or indicator table whose key matches no region of its level
        (another vintage of the boundaries): kept, not drawn, listed with the years they cover."""
        key = f"join:{table_id}"
        if key in self.problems_by_source:
            return self.problems_by_source[key]
        spec = self.ws.table(table_id)
        frame = self._frame(table_id)
        out: list[Problem] = []
        if not frame.empty and "region_id" in frame:
            ids = frame["region_id"].astype("string").str.strip()
            known = set(self._level(spec.level)["region_id"].astype(str))
            bad = ids.notna() & (ids != "") & ~ids.isin(known) & \
                ~ids.str.startswith("name:").fillna(False)
            if bad.any():
                level = self.ws.level(spec.level)
                rows = frame[bad.to_numpy()]
                shown = []
                for rid, g in rows.groupby(ids[bad], sort=True):
                    years = sorted(int(y) for y in g["year"].dropna().unique()) if "year" in g else []
                    span = "" if not years else f" ({years[0]})" if len(years) == 1 else \
                        f" ({years[0]}–{years[-1]})"
                    shown.append(f"{rid}{span}")
                message = N_("{keys} key(s) on {rows} row(s) match no {level} of the boundary "
                             "layer; their values are kept but not drawn on the map: {list}") \
                    if spec.kind == "indicators" else \
                    N_("{keys} key(s) on {rows} row(s) match no {level} of the boundary layer; "
                       "their population figures are kept but not drawn on the map: {list}")
                out.append(problem_for_rows(
                    "warning", relative_name(self.ws, spec.file),
                    Text(message, keys=count(len(shown)), rows=count(len(rows)),
                         level=level.label.lower(), list=", ".join(shown)),
                    column=spec.columns.get("region_id"), line_numbers=rows["_line"],
                    expected=Text(N_("an id of the {level} layer (or boundaries of the same "
                                     "vintage as the table)"), level=level.label.lower()),
                    code="unmatched_key"))
        with self._lock:
            self.problems_by_source[key] = out
        return out

    # ------------------------------------------------------------------ access
    def problems_for(self, spec: "MeasureSpec") -> list[Problem]:
        """Problems of the files a measure uses: its boundary layer and tables."""
        keys = [f"level:{spec.level}"]
        self._level(spec.level)
        if spec.table:
            keys.append(f"table:{spec.table}")
            self._frame(spec.table)
        kinds = ["population"] + (["indicators"] if spec.measure == "indicator" else [])
        for kind in kinds:
            for tspec in self.ws.tables_of(kind, spec.level):
                self._frame(tspec.id)
                keys.append(f"table:{tspec.id}")
        return [p for key in keys for p in self.problems_by_source.get(key, [])]

    def boundaries(self, level: str) -> gpd.GeoDataFrame:
        return self._level(level)

    def table(self, table_id: str) -> pd.DataFrame:
        return self._frame(table_id)

    @cached_property
    def ledger(self) -> LedgerBase:
        """The allocation tables with at least one usable row (a year and an amount); a table
        with none is reported and not offered on the map. The engine is the manifest's
        ``[ledger]`` one; when it cannot be used the ledger runs on DuckDB and the reason is a
        problem of the workspace."""
        led, problems = build_ledger(self.ws, self._fill_ledger, self._ledger_engine)
        self.problems_by_source["ledger"] = problems
        for spec in self._ledger_specs():
            if spec.id not in led.tables() and f"table:{spec.id}" in self.problems_by_source:
                self.problems_by_source[f"table:{spec.id}"].append(Problem(
                    "error", relative_name(self.ws, spec.file),
                    Text(N_("no row has both a fiscal year and an amount that could be read, "
                            "so the table is not offered on the map (see the problems above)")),
                    expected=Text(N_("at least one row with a year and an amount")),
                    code="no_usable_rows"))
        return led

    def _ledger_specs(self) -> list[TableSpec]:
        return [*self.ws.tables_of("allocations"), *self.ws.tables_of("plans")]

    def _fill_ledger(self, led: LedgerBase) -> None:
        """Add the tables with a usable row (a year and an amount) to ``led``; called again
        with DuckDB when a configured engine fails while filling."""
        for spec in self._ledger_specs():
            df = self._frame(spec.id)
            usable = not df.empty and {"fiscal_year", "amount"} <= set(df.columns) and \
                bool((df["fiscal_year"].notna() & df["amount"].notna()).any())
            if usable:
                # Rows without a readable year are reported and kept out, as bad amounts are.
                no_year = df["fiscal_year"].isna()
                # The files and settings the frame was read from: a copy kept on disk is
                # current while they are unchanged.
                level = self.ws.level(spec.level)
                sources = [p for p in (spec.file, spec.crosswalk, level.file) if p is not None]
                led.add(spec.id, df[~no_year] if no_year.any() else df, sources=sources,
                        key=repr((spec, level, self.ws.fiscal_year_start_month)))

    def allocation_tables(self, level: str) -> list[TableSpec]:
        """Allocation tables usable at a level: its own, and those of its descendant levels."""
        return [t for t in self.ws.tables_of("allocations")
                if t.id in self.ledger.tables() and
                (t.level == level or level in self._ancestors(t.level))]

    def _ancestors(self, level: str) -> list[str]:
        out, lv = [], self.ws.level(level)
        while lv.parent_level:
            out.append(lv.parent_level)
            lv = self.ws.level(lv.parent_level)
        return out

    def population(self, level: str) -> pd.DataFrame:
        """region_id, year, population of a level (read-only: shared between sessions)."""
        return self._memoised(("population", level), lambda: self._population(level))

    def _population(self, level: str) -> pd.DataFrame:
        frames = [self._frame(t.id)[["region_id", "year", "population"]]
                  for t in self.ws.tables_of("population", level)
                  if not self._frame(t.id).empty]
        if not frames:
            return pd.DataFrame(columns=["region_id", "year", "population"])
        pop = pd.concat(frames, ignore_index=True).dropna(subset=["year"])
        return pop.drop_duplicates(["region_id", "year"], keep="first")

    def indicators(self, level: str) -> pd.DataFrame:
        """Every indicator row of a level (read-only: shared between sessions)."""
        return self._memoised(("indicators", level), lambda: self._indicators(level))

    def _indicators(self, level: str) -> pd.DataFrame:
        frames = [self._frame(t.id).assign(_table=t.id)
                  for t in self.ws.tables_of("indicators", level) if not self._frame(t.id).empty]
        if not frames:
            return pd.DataFrame(columns=["region_id", "year", "indicator", "value", "unit"])
        return pd.concat(frames, ignore_index=True)

    def indicator_catalogue(self, level: str) -> dict[str, dict]:
        """indicator name → {unit, direction, years, target}."""
        return self._memoised(("catalogue", level), lambda: self._catalogue(level))

    def _catalogue(self, level: str) -> dict[str, dict]:
        ind = self.indicators(level)
        if "year" in ind:
            ind = ind[ind["year"].notna() & ind["indicator"].notna()]
        out = {}
        for name, g in ind.groupby("indicator", sort=True):
            out[str(name)] = {
                "unit": str(g["unit"].dropna().iloc[0]) if "unit" in g and g["unit"].notna().any() else "",
                "direction": str(g["direction"].dropna().iloc[0]) if "direction" in g and g["direction"].notna().any() else "",
                "years": sorted(int(y) for y in g["year"].dropna().unique()),
                "target": float(g["target"].dropna().iloc[0]) if "target" in g and g["target"].notna().any() else None,
            }
        return out

    def agencies(self, table_id: str) -> list[str]:
        return list(self._memoised(("agencies", table_id), lambda: [
            str(a) for a in self.ledger.distinct(table_id, "agency")]))

    def years(self, table_id: str) -> tuple[int, int]:
        span = self._memoised(("years", table_id), lambda: self.ledger.year_range(table_id))
        if span is None:
            raise ValueError(t("table {table} has no rows with a fiscal year and an amount",
                               table=repr(table_id)))
        return span

    def names(self, level: str) -> dict[str, str]:
        def make():
            b = self._level(level)
            return dict(zip(b["region_id"].astype(str), b["name"].astype(str)))
        return dict(self._memoised(("names", level), make))

    # ------------------------------------------------------------------ region ids at a level
    def _at_level(self, sums: pd.DataFrame, table_level: str, level: str) -> pd.DataFrame:
        """Re-key sums from a descendant level to ``level`` through parent ids."""
        if table_level == level:
            return sums
        out = sums.copy()
        lv = self.ws.level(table_level)
        while lv.id != level:
            b = self._level(lv.id)
            parents = dict(zip(b["region_id"].astype(str), b["parent_id"].astype("string")))
            key = out["region_id"].astype("string")
            mapped = key.map(lambda k: parents.get(k) if pd.notna(k) else None)
            # Keys that are not regions of the child level stay as they were (not placed).
            out["region_id"] = mapped.where(mapped.notna(), key)
            lv = self.ws.level(lv.parent_level)
        return out


def map_values(data: WorkspaceData, spec: MeasureSpec) -> MapValues:
    """The mapped values of a view (see :func:`_map_values`), with a first note when the view's
    years fall outside the years its boundaries hold for (:func:`vintage_note`)."""
    mv = _map_values(data, spec)
    vintage = vintage_note(data, spec)
    return replace(mv, notes=(vintage, *mv.notes)) if vintage else mv


def years_text(fy: str, span: tuple[int, int]) -> str:
    """"FY2024" for one year, "FY2008–FY2024" for a span (data: the workspace's own label)."""
    return f"{fy}{span[0]}" if span[0] == span[1] else f"{fy}{span[0]}–{fy}{span[1]}"


def names_years(label: str, span: tuple[int, int]) -> bool:
    """Whether a table's label already names the view's years ("Federal grants by county,
    FY2022" for FY2022; "funding FFY2026-2030" for 2026–2030), so a title does not say them
    twice. A year inside a range ("2026-2030") does not name that year alone."""
    lo, hi = (int(y) for y in span)
    if lo == hi:
        return re.search(rf"(?<![\d\-–]){lo}(?![\d\-–])", label) is not None
    return re.search(rf"(?<!\d){lo}\s*(?:[-–]|to)\s*(?:[A-Za-z]*\s*)?(?:{hi}|{hi % 100:02d})"
                     rf"(?![\d\-–])", label) is not None


def _with_years(what: str, label: str, span: tuple[int, int], fy: str) -> str:
    """``what`` followed by the years, unless the table's label already names them."""
    if names_years(label, span):
        return what
    return t("{what}, {years}", what=what, years=years_text(fy, span))


def _in_sentence(label: str) -> str:
    """A table's label inside an English sentence ("Share of all federal obligations"):
    its first letter in lower case unless its first word is an acronym ("TIP funding").
    Other languages keep the label as written."""
    if current() != "en" or not label:
        return label
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:].upper() == first[1:] and any(c.isalpha() for c in first[1:]):
        return label
    return label[:1].lower() + label[1:]


def _agencies_text(agencies: tuple[str, ...]) -> str:
    shown = ", ".join(agencies[:3])
    return t("{shown} and {n} more", shown=shown, n=count(len(agencies) - 3)) \
        if len(agencies) > 3 else shown


def _map_values(data: WorkspaceData, spec: MeasureSpec) -> MapValues:
    """The values the map shows for one measure, with notes and join diagnostics. Titles and
    notes are in the reader's language; table labels and agency names are data, as written."""
    regions = data.boundaries(spec.level)
    index = pd.Index(regions["region_id"].astype(str), name="region_id")
    pop_all = data.population(spec.level)
    notes: list[str] = []

    if spec.measure == "indicator":
        ind = data.indicators(spec.level)
        cat = data.indicator_catalogue(spec.level)
        if spec.indicator not in cat:
            raise ValueError(t("no indicator {indicator} at level {level}; available: {names}",
                               indicator=repr(spec.indicator), level=repr(spec.level),
                               names=", ".join(cat) or t("none")))
        info = cat[spec.indicator]
        year = spec.indicator_year if spec.indicator_year in info["years"] else info["years"][-1]
        vals = M.indicator_values(ind, spec.indicator, year)
        unmatched = vals[~vals.index.isin(index)]
        if len(unmatched):
            ids = ", ".join(map(str, unmatched.index[:6])) + (" …" if len(unmatched) > 6 else "")
            notes.append(t("{n} {indicator} value(s) have a region id that is not in this "
                           "boundary layer (another vintage?): {ids}", n=count(len(unmatched)),
                           indicator=spec.indicator, ids=ids))
        pop, _ = M.population_for(pop_all, [year])
        return MapValues(values=vals.reindex(index),
                         label=t("{indicator}, {year}", indicator=spec.indicator,
                                 year=str(year)),
                         unit=info["unit"], notes=tuple(notes),
                         population=pop.set_index("region_id")["population"].reindex(index),
                         join=None, indicator_unmatched=unmatched)

    if spec.table is None:
        raise ValueError("an allocation measure needs a table")
    tspec = data.ws.table(spec.table)
    lo, hi = spec.span or data.years(spec.table)
    span = (int(lo), int(hi))
    filters = dict(years=span, agencies=list(spec.agencies) if spec.agencies else None)
    by_year = data.ledger.sum_by(spec.table, ["region_id", "fiscal_year"], **filters)
    # The ledger total for these filters: every group, placed or not (blank ids included).
    ledger_cents = int(by_year["cents"].sum())
    by_year = data._at_level(by_year, tspec.level, spec.level)
    by_region = by_year.groupby("region_id", dropna=False, as_index=False)[
        ["amount", "cents", "rows"]].sum()
    join = join_amounts(by_region, regions, ledger_cents)
    placed = join.placed.set_index("region_id")["amount"]
    absent_zero = tspec.options.get("absent_regions", "no_data") == "zero"
    fy = data.ws.fiscal_year_label
    span_text = years_text(fy, span)
    unit = tspec.unit or data.ws.currency
    label = tspec.display_label
    if by_year.empty:
        # Nothing in the ledger for these filters: say so where the map would be, rather
        # than leave a grey map (or a map of zeros) to explain itself.
        if spec.agencies:
            notes.append(t("No money was recorded for {agencies} in {years}.",
                           agencies=_agencies_text(tuple(spec.agencies)), years=span_text))
        else:
            notes.append(t("No money was recorded in {years}.", years=span_text))

    if spec.measure == "total":
        values = placed
        mlabel = _with_years(label, label, span, fy)
    elif spec.measure == "share":
        values = M.share(placed, ledger_cents / 100)
        unit = "%"
        mlabel = _with_years(t("Share of all {what}", what=_in_sentence(label)), label, span, fy)
        notes.append(t("Shares are of the ledger total for these filters, including amounts "
                       "that could not be placed on the map."))
    elif spec.measure == "change":
        prev = M.previous_span(span)
        prev_filters = dict(filters, years=prev)
        prev_sums = data._at_level(data.ledger.sum_by(spec.table, ["region_id"], **prev_filters),
                                   tspec.level, spec.level)
        prev_vals = prev_sums.groupby("region_id")["amount"].sum()
        prev_vals = prev_vals[prev_vals.index.isin(index)]
        values = M.change(placed, prev_vals)
        prev_text = years_text(fy, prev)
        unit = "%"
        mlabel = t("{label}: change {previous} → {years}", label=label, previous=prev_text,
                   years=span_text)
        if prev_vals.empty:
            notes.append(t("No {what} in {period}: nothing to compare against.",
                           what=_in_sentence(label), period=prev_text))
        else:
            first, _ = data.years(spec.table)
            if prev[0] < first:
                notes.append(t("The table starts in {first}: {period} is only partly covered, "
                               "so changes against it are overstated.",
                               first=f"{fy}{first}", period=prev_text))
        return MapValues(values=values.reindex(index), label=mlabel, unit=unit,
                         notes=tuple(notes), population=_latest_pop(pop_all, span, index),
                         join=join, diverging=True, centre=0.0)
    elif spec.measure == "per_capita":
        if pop_all.empty:
            raise ValueError(t("level {level} has no population table", level=repr(spec.level)))
        ay = by_year[by_year["region_id"].isin(index)]
        values, pnotes = M.per_capita(ay, pop_all, span, average=spec.average, per=spec.per)
        notes += pnotes
        # The unit is a key the formatters read ("USD per resident"), not shown as written.
        per_txt = "per resident" if spec.per == 1 else f"per {spec.per:,} residents"
        unit = f"{tspec.unit or data.ws.currency} {per_txt}"
        what = t("{label} per resident", label=label) if spec.per == 1 else \
            t("{label} per {n} residents", label=label, n=f"{spec.per:,}")
        if spec.average:
            what = t("{what}, average per year", what=what)
        elif span[0] != span[1]:
            what = t("{what}, cumulative", what=what)
        mlabel = _with_years(what, label, span, fy)
        no_pop = values.index[values.isna()].intersection(placed.index)
        if len(no_pop):
            notes.append(t("{n} region(s) with money but no population are shown as No data.",
                           n=count(len(no_pop))))
        # Residents of population rows that match no region (another boundary vintage) have
        # no money placed on the map: they are not counted in the jurisdiction-wide rate.
        overall = M.overall_rate(ay, pop_all, span, average=spec.average, per=spec.per,
                                 region_ids=index)
        ay = ay[["region_id", "fiscal_year", "amount"]].reset_index(drop=True)
    else:  # pragma: no cover - guarded by MeasureSpec
        raise ValueError(spec.measure)

    values = values.reindex(index)
    if absent_zero and spec.measure in ("total", "share"):
        values = values.fillna(0.0)
    elif absent_zero and spec.measure == "per_capita":
        latest = _latest_pop(pop_all, span, index)
        values = values.where(values.notna() | latest.isna(), 0.0)
    extra = dict(overall=overall, amounts_by_year=ay) if spec.measure == "per_capita" else {}
    return MapValues(values=values, label=mlabel, unit=unit, notes=tuple(notes),
                     population=_latest_pop(pop_all, span, index), join=join, **extra)


def _latest_pop(pop_all: pd.DataFrame, span: tuple[int, int], index: pd.Index) -> pd.Series:
    pop, _ = M.population_for(pop_all, [span[1]])
    if pop.empty:
        return pd.Series(np.nan, index=index)
    return pop.set_index("region_id")["population"].reindex(index)


@dataclass(frozen=True)
class RegionDetail:
    region_id: str
    name: str
    by_year: pd.DataFrame        # fiscal_year, amount
    by_agency: pd.DataFrame      # agency, amount (the selected span)
    indicators: pd.DataFrame     # indicator, year, value, unit
    population: pd.DataFrame     # year, population


def region_detail(data: WorkspaceData, spec: MeasureSpec, region_id: str) -> RegionDetail:
    """What the detail panel shows for one region: money by year and agency, its outcomes."""
    regions = data.boundaries(spec.level)
    names = data.names(spec.level)
    empty_y = pd.DataFrame(columns=["fiscal_year", "amount"])
    empty_a = pd.DataFrame(columns=["agency", "amount"])
    by_year, by_agency = empty_y, empty_a
    if spec.table:
        tspec = data.ws.table(spec.table)
        ids = [region_id]
        if tspec.level != spec.level:
            child = data.boundaries(tspec.level)
            ids = child.loc[child["parent_id"] == region_id, "region_id"].astype(str).tolist()
        agencies = list(spec.agencies) if spec.agencies else None
        by_year = data.ledger.sum_by(spec.table, ["fiscal_year"], region_ids=ids,
                                     agencies=agencies, order=True)[["fiscal_year", "amount"]]
        if "agency" in data.ledger.columns(spec.table):
            by_agency = data.ledger.sum_by(spec.table, ["agency"], region_ids=ids,
                                           years=spec.span, agencies=agencies)
            by_agency = by_agency[["agency", "amount"]].sort_values("amount", ascending=False)
    ind = data.indicators(spec.level)
    ind = ind[ind["region_id"] == region_id]
    cols = [c for c in ("indicator", "year", "value", "unit", "target") if c in ind]
    pop = data.population(spec.level)
    pop = pop[pop["region_id"] == region_id][["year", "population"]].sort_values("year")
    if region_id not in set(regions["region_id"]):
        raise KeyError(t("no region {region} at level {level}", region=repr(region_id),
                         level=repr(spec.level)))
    return RegionDetail(region_id=region_id, name=names.get(region_id, region_id),
                        by_year=by_year.reset_index(drop=True),
                        by_agency=by_agency.reset_index(drop=True),
                        indicators=ind[cols].sort_values(cols[:2]).reset_index(drop=True),
                        population=pop.reset_index(drop=True))


def vintage_note(data: WorkspaceData, spec: MeasureSpec) -> str | None:
    """A sentence when the view's years fall outside the years the level's boundaries are
    valid for ("2012–2014 money drawn on the 2015 on ward map"); None when they fit or the
    manifest gives no ``years`` for the level."""
    lv = data.ws.level(spec.level)
    if lv.years is None:
        return None
    if spec.measure == "indicator":
        if spec.indicator_year is None:
            return None
        first = last = int(spec.indicator_year)
        message = N_("{years} values drawn on the {level} boundaries of {valid}: areas that "
                     "changed since may not match")
    else:
        if spec.span is None:
            return None
        first, last = spec.span
        message = N_("{years} money drawn on the {level} boundaries of {valid}: areas that "
                     "changed since may not match")
    if lv.covers(first, last):
        return None
    span = f"{first}" if first == last else f"{first}–{last}"
    lo, hi = lv.years
    valid = f"{lo}" if hi == lo else f"{lo}–{hi}" if hi is not None else \
        t("{year} on", year=str(lo))
    return t(message, years=span, level=lv.label.lower(), valid=valid)
