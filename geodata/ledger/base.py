"""The ledger interface every engine shares: canonical tables, checks, filters, exact cents.

:class:`LedgerBase` does everything that does not depend on where the rows live: it
canonicalises a frame in :meth:`~LedgerBase.add`, generates the SQL name of each table, checks
table ids and grouping columns, builds the :class:`~.query.Filters`, renders every query with
:mod:`.query` (one definition, one rendering per dialect), falls back to exact cents when a
64-bit sum overflows, and normalises the result's dtypes. An engine subclass implements only:

``dialect``
    ``"duckdb"``, ``"postgres"`` or ``"spark"``: the dialect :mod:`.query` renders for.
    Parameters are bound, never pasted: DuckDB ``?`` with a list of values (a list filter is
    ``list_contains(?, col)`` with a Python list); psycopg ``%s`` with a list of values (a list
    filter is ``col = ANY(CAST(%s AS text[]))`` with a Python list); Spark SQL named
    parameters ``:p0, :p1…`` with a dict, run as ``spark.sql(sql, args=params)`` (pyspark ≥
    3.4; a list filter is ``array_contains(:p0, col)`` with a Python list).

``schema`` (attribute, optional)
    A schema that qualifies every table name in the rendered SQL (PostgreSQL); None otherwise.

``overflow_errors`` (attribute)
    The exception classes the engine raises when ``CAST(sum(cents) AS BIGINT)`` overflows;
    the base then renders the query again with the sum as text (exact). Spark needs none: its
    cents are always summed as ``DECIMAL(38,0)`` and returned as text.

``_store(self, sql_name, frame) -> None``
    Keep the canonical ``frame`` as table ``sql_name`` (replacing one of that name). The frame
    has, in this order, ``region_id`` (string), ``fiscal_year`` (Int32), then any of
    ``quarter``/``month`` (Int8) and ``agency``/``program``/``fund`` (string), ``amount``
    (float64) and ``cents`` (Int64, whole cents, rounded half away from zero). Missing values
    (``pd.NA``, and NaN in ``amount``) must be stored as SQL NULL: queries skip rows whose
    amount IS NULL. ``self._origins[sql_name]`` says which table id and source files the
    frame came from, for an engine that keeps a copy on disk between runs.

``_run(self, sql, params) -> pandas.DataFrame``
    Run rendered SQL with its bound parameters and return every row as a frame with the
    selected column names. The base converts ``amount`` to float64, ``cents`` to int64
    (object of Python ints beyond 64 bits; text and Decimal are accepted) and ``rows`` to
    int64. Calls are serialised by the base's lock.

``close(self)`` (optional)
    Release connections or sessions.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from locales import t

from .query import (GROUPABLE, Filters, GroupedSum, render, render_distinct,
                    render_year_range)

# Whole cents are summed as 64-bit integers: amounts at or beyond this are refused on load.
MAX_ABS_AMOUNT = 9.0e16
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
REQUIRED = ("region_id", "fiscal_year", "amount")


def round_cents(amount: pd.Series) -> pd.Series:
    """Whole cents of float amounts, half away from zero (as C's ``round``, which DuckDB
    uses): ``x - trunc(x)`` is exact in binary floating point, so no value is rounded twice."""
    x = amount.to_numpy(dtype="float64", na_value=np.nan) * 100.0
    whole = np.trunc(x)
    with np.errstate(invalid="ignore"):
        whole = whole + np.where(np.abs(x - whole) >= 0.5, np.sign(x), 0.0)
    out = pd.Series(whole, index=amount.index)
    return out.where(np.isfinite(out)).astype("Int64")


def canonical(table_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns and dtypes every engine stores (see the module docstring)."""
    keep = [c for c in (*GROUPABLE, "amount") if c in frame.columns]
    missing = set(REQUIRED) - set(keep)
    if missing:
        raise ValueError(t("allocations table {table} lacks {columns}",
                           table=repr(table_id), columns=str(sorted(missing))))
    df = pd.DataFrame({c: frame[c] for c in keep}, copy=False)
    df["region_id"] = df["region_id"].astype("string")
    df["fiscal_year"] = pd.to_numeric(df["fiscal_year"], errors="coerce").astype("Int32")
    for col in ("quarter", "month"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int8")
    for c in ("agency", "program", "fund"):
        if c in df:
            df[c] = df[c].astype("string")
    amount = pd.to_numeric(df["amount"], errors="coerce").astype("float64")
    # Not finite or too large to count in cents: left out (the loader reports them).
    df["amount"] = amount.where(np.isfinite(amount) & (amount.abs() < MAX_ABS_AMOUNT))
    df["cents"] = round_cents(df["amount"])
    return df


def exact_ints(values: pd.Series) -> pd.Series:
    """Integers from an engine's cents column (int, text, Decimal, float with missing): int64
    when every value fits (and when there is none), else Python ints (object); all missing
    stays float NaN."""
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_extension_array_dtype(
            values.dtype):
        return values.astype("int64")
    ints = [None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
            else int(v) for v in values]
    if not ints:            # no rows: DuckDB's empty 64-bit column
        return pd.Series([], index=values.index, dtype="int64")
    if all(v is None for v in ints):
        return pd.Series(np.nan, index=values.index, dtype="float64")
    if all(v is not None and _INT64[0] <= v <= _INT64[1] for v in ints):
        return pd.Series(ints, index=values.index, dtype="int64")
    return pd.Series(ints, index=values.index, dtype=object)


@dataclass(frozen=True)
class Origin:
    """Where a stored table came from: its id, the files read and the settings used."""
    table_id: str
    sources: tuple[Path, ...] = ()
    key: str = ""


class LedgerBase:
    """The allocation tables of one workspace, asked through one small interface.

    Amounts are summed twice: as floating point for display and as whole cents for
    reconciliation, so "on the map + not placed = ledger total" holds to the cent."""

    dialect: str = "duckdb"
    schema: str | None = None
    overflow_errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        self._columns: dict[str, list[str]] = {}
        self._sql_names: dict[str, str] = {}
        self._lock = threading.RLock()
        self._origins: dict[str, Origin] = {}

    # -- what an engine implements -------------------------------------------------------
    def _store(self, sql_name: str, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def _run(self, sql: str, params: list | dict) -> pd.DataFrame:
        raise NotImplementedError

    def close(self) -> None:
        """Release the engine's connections (nothing to release by default)."""

    # -- where a query reads (an engine may read a smaller table) -------------------------
    def _source(self, table_id: str, by: Sequence[str]) -> tuple[str, bool]:
        """The SQL table a grouped sum reads and whether it is pre-aggregated."""
        return self._sql(table_id), False

    # -- the interface -------------------------------------------------------------------
    def _sql(self, table_id: str) -> str:
        """The table's name in the engine: any table id works (hyphens, spaces, quotes),
        since the SQL only ever sees a generated name."""
        self.columns(table_id)
        return self._sql_names[table_id]

    def add(self, table_id: str, frame: pd.DataFrame, *, sources: Sequence[Path] = (),
            key: str = "") -> None:
        """Copy a canonical allocations frame (``region_id``, ``fiscal_year``, ``amount``…).

        Amounts that are not finite or too large to count in cents are left out (the loader
        reports them); they never reach the sums. ``sources`` (the files the frame was read
        from) and ``key`` (the settings it was read with) say when a stored copy is still
        current: an engine that keeps one on disk compares them (see ``self._origins``)."""
        df = canonical(table_id, frame)
        name = self._sql_names.get(table_id) or f"t{len(self._sql_names)}"
        with self._lock:
            self._origins[name] = Origin(table_id, tuple(Path(s) for s in sources), key)
            self._store(name, df)
        self._sql_names[table_id] = name
        self._columns[table_id] = [c for c in df.columns if c != "cents"]

    def wait(self, timeout: float | None = None) -> None:
        """Wait for work an engine does in the background (nothing, unless it says so)."""

    def tables(self) -> list[str]:
        return list(self._columns)

    def columns(self, table_id: str) -> list[str]:
        if table_id not in self._columns:
            raise KeyError(t("no ledger table {table}; tables: {tables}",
                             table=repr(table_id), tables=", ".join(self._columns)))
        return self._columns[table_id]

    def filters(self, table_id: str, years: tuple[int, int] | Sequence[int] | None = None,
                agencies: Iterable[str] | None = None, region_ids: Iterable[str] | None = None,
                quarters: Iterable[int] | None = None) -> Filters:
        """The filters of a query; agencies and quarters are ignored on a table without them.
        A tuple of years is an inclusive span, a list a set of years."""
        cols = self.columns(table_id)
        span = seq = None
        if years is not None:
            is_span = isinstance(years, tuple)
            years = [int(y) for y in years]
            if is_span and len(years) == 2 and years[0] <= years[1]:
                span = (years[0], years[1])
            else:
                seq = tuple(years)
        return Filters(
            year_span=span, years=seq,
            agencies=(tuple(str(a) for a in agencies)
                      if agencies is not None and "agency" in cols else None),
            region_ids=tuple(str(r) for r in region_ids) if region_ids is not None else None,
            quarters=(tuple(int(q) for q in quarters)
                      if quarters is not None and "quarter" in cols else None))

    def sum_by(self, table_id: str, by: Sequence[str], *,
               years: tuple[int, int] | Sequence[int] | None = None,
               agencies: Iterable[str] | None = None,
               region_ids: Iterable[str] | None = None,
               quarters: Iterable[int] | None = None, order: bool = False) -> pd.DataFrame:
        """Sum ``amount`` (and whole ``cents``, and a row count) grouped by ``by``.

        ``years`` is an inclusive ``(first, last)`` pair or a list of years; ``agencies``,
        ``region_ids`` and ``quarters`` restrict the rows. An empty ``by`` gives one total row.
        ``order`` sorts by the grouping columns (off by default: the big cubes don't need it).
        """
        cols = self.columns(table_id)
        by = list(by)
        bad = [b for b in by if b not in cols]
        if bad:
            raise ValueError(t("cannot group {table} by {columns}; columns: {available}",
                               table=repr(table_id), columns=str(bad),
                               available=", ".join(cols)))
        flt = self.filters(table_id, years, agencies, region_ids, quarters)
        table, pre = self._source(table_id, by)
        q = GroupedSum(table=table, by=tuple(by), filters=flt, order=order, pre_aggregated=pre)
        with self._lock:
            try:
                r = render(q, self.dialect, schema=self.schema)
                out = self._run(r.sql, r.params)
            except self.overflow_errors:
                # A sum beyond 64-bit cents (about 92 quadrillion): exact as Python ints.
                r = render(q, self.dialect, schema=self.schema, cents_wide=True)
                out = self._run(r.sql, r.params)
        return self._finish(out)

    @staticmethod
    def _finish(out: pd.DataFrame) -> pd.DataFrame:
        if "amount" in out and out["amount"].dtype != "float64":
            out["amount"] = pd.to_numeric(out["amount"], errors="coerce").astype("float64")
        if "cents" in out and out["cents"].dtype != "int64":
            out["cents"] = exact_ints(out["cents"])
        if "rows" in out and out["rows"].dtype != "int64":
            out["rows"] = out["rows"].astype("int64")
        return out

    def sum_by_region(self, table_id: str, **filters) -> pd.DataFrame:
        """The query the map runs: one amount per region id (blank ids as a missing id)."""
        return self.sum_by(table_id, ["region_id"], **filters)

    def distinct(self, table_id: str, column: str) -> list:
        if column not in self.columns(table_id):
            return []
        r = render_distinct(self._sql(table_id), column, self.dialect, schema=self.schema)
        with self._lock:
            out = self._run(r.sql, r.params)
        values = out.iloc[:, 0].tolist() if len(out.columns) else []
        if column in ("fiscal_year", "quarter", "month"):
            return [int(v) for v in values]
        return values

    def year_range(self, table_id: str) -> tuple[int, int] | None:
        """First and last fiscal year with an amount; None when the table has none."""
        # Any table of the ledger rows with an amount answers this: a pre-aggregated one too.
        table = self._source(table_id, ["fiscal_year"])[0]
        r = render_year_range(table, self.dialect, schema=self.schema)
        with self._lock:
            out = self._run(r.sql, r.params)
        if out.empty:
            return None
        lo, hi = out.iloc[0, 0], out.iloc[0, 1]
        return None if lo is None or pd.isna(lo) else (int(lo), int(hi))

    def total(self, table_id: str, **filters) -> tuple[float, int]:
        """Ledger total for the filters: (amount, cents)."""
        row = self.sum_by(table_id, [], **filters)
        if row.empty or pd.isna(row.loc[0, "amount"]):
            return 0.0, 0
        return float(row.loc[0, "amount"]), int(row.loc[0, "cents"])
