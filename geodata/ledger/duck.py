"""The default engine: DuckDB in process; small tables in memory, large ones over Parquet.

A table of at least ``parquet_rows`` rows whose source files are known is written once to
Parquet partitioned by fiscal year, in a folder of its own under ``cache_dir``, named by a
stamp of its sources (size and modification time of each file, the settings it was read
with, its row count and canonical schema). DuckDB then reads the Parquet files instead of
holding the rows in memory, and a later run with the same stamp reuses them without writing.
Beside the rows, a pre-aggregated table (region × fiscal year × agency × quarter, those the
table has) answers every grouped sum whose grouping it covers; the filters always are on
those columns. Each conversion is written to a temporary folder and renamed into place, so a
reader never sees a half-written one.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from pathlib import Path

import duckdb
import pandas as pd

from locales import N_

from ..background import Deferred
from ..table_cache import source_stats
from ..problems import Text
from .base import LedgerBase
from .query import render_aggregate

PARQUET_ROWS = 200_000
#: Columns of the pre-aggregated table, those the ledger table has.
AGGREGATE_KEYS = ("region_id", "fiscal_year", "agency", "quarter")
# Bumped when the layout of a conversion changes, so old ones are not read.
_LAYOUT = "1"
_KEEP_OLD = 1            # earlier conversions kept for processes still reading them


def _literal(path: Path) -> str:
    """A path as a SQL string literal (the path is the ledger's own folder, never data)."""
    return "'" + str(path).replace("'", "''") + "'"


def folder_name(table_id: str) -> str:
    """A file-system-safe folder name for a table id (a short hash when characters change)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", table_id).strip(".") or "table"
    if safe != table_id:
        safe += "-" + hashlib.sha256(table_id.encode()).hexdigest()[:8]
    return safe


def stamp(frame: pd.DataFrame, sources, key: str) -> str:
    """What a stored conversion must match to be reused."""
    files = source_stats(sources)
    schema = [[c, str(t)] for c, t in frame.dtypes.items()]
    text = json.dumps([_LAYOUT, files, key, schema, len(frame)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class DuckLedger(LedgerBase):
    """An in-process DuckDB holding the allocation tables of one workspace.

    ``cache_dir``: where large tables are converted to Parquet (None: everything in memory).
    ``parquet_rows``: the row count from which a table with known sources is converted."""

    dialect = "duckdb"
    overflow_errors = (duckdb.ConversionException, duckdb.OutOfRangeException)

    def __init__(self, cache_dir: Path | str | None = None, *,
                 parquet_rows: int = PARQUET_ROWS, background: bool = False) -> None:
        super().__init__()
        self._con = duckdb.connect(":memory:")
        #: True: a table with no current conversion is held in memory at once and converted
        #: in a background thread (geodata/background.py: a few seconds later), which then
        #: moves it onto the Parquet (the first map does not wait for the conversion).
        #: False: converted before add() returns.
        self.background = bool(background)
        self._pending: list[Deferred] = []
        self._generation: dict[str, int] = {}
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.parquet_rows = int(parquet_rows)
        self._aggregates: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.parquet_folders: dict[str, Path] = {}     # table id → its conversion
        self.notes: list[Text] = []                    # conversions that could not be written

    # -- storing ---------------------------------------------------------------------------
    def _store(self, sql_name: str, frame: pd.DataFrame) -> None:
        origin = self._origins.get(sql_name)
        self._aggregates.pop(sql_name, None)
        generation = self._generation[sql_name] = self._generation.get(sql_name, 0) + 1
        if (self.cache_dir is not None and origin is not None and origin.sources
                and len(frame) >= self.parquet_rows):
            target = (self.cache_dir / folder_name(origin.table_id)
                      / stamp(frame, origin.sources, origin.key))
            if target.is_dir() or not self.background:
                if self._convert(sql_name, frame, origin.table_id, target, generation):
                    return
            else:
                self._in_memory(sql_name, frame)
                job = Deferred(self._convert, sql_name, frame, origin.table_id, target,
                               generation, name=f"parquet-{origin.table_id}")
                self._pending.append(job)
                job.start()
                return
        self._in_memory(sql_name, frame)

    def _in_memory(self, sql_name: str, frame: pd.DataFrame) -> None:
        cur = self._con.cursor()
        try:
            cur.register("_incoming", frame)
            self._drop(sql_name, cur)
            cur.execute(f'CREATE TABLE "{sql_name}" AS SELECT * FROM _incoming')
        finally:
            cur.close()

    def _convert(self, sql_name: str, frame: pd.DataFrame, table_id: str, target: Path,
                 generation: int) -> bool:
        """Write (or find) the table's conversion in ``target`` and read the table from it;
        False (and a note) when it cannot be written."""
        try:
            folder = self._converted(frame, target)
        except (OSError, duckdb.Error) as exc:
            self.notes.append(Text(N_("table {table}: could not be written to Parquet in "
                                      "{folder} ({error}); it is held in memory"),
                                   table=table_id, folder=str(self.cache_dir),
                                   error=str(exc).splitlines()[0]))
            return False
        with self._lock:
            if self._generation.get(sql_name) != generation:
                return True       # the table was added again meanwhile: that copy stands
            self._over_parquet(sql_name, frame, folder)
            self.parquet_folders[table_id] = folder
        return True

    def attach_parquet(self, table_id: str, folder: Path | str) -> None:
        """Use a ledger table already stored in this engine's layout, without loading it: a
        folder with ``rows/`` (Parquet partitioned by ``fiscal_year=…``, the canonical columns
        ``region_id``, ``fiscal_year``, ``amount`` and ``cents`` (whole cents, half away from
        zero), and any of ``quarter``, ``agency``, ``program``, ``fund``) and, optionally,
        ``aggregate.parquet`` (summed by the ``AGGREGATE_KEYS`` the rows have, as
        :func:`render_aggregate` writes it). A national ledger written by a nightly job is
        attached this way in a second, however many rows it has.

        Raises ValueError naming what is missing."""
        folder = Path(folder)
        parts = list((folder / "rows").glob("fiscal_year=*/*.parquet"))
        if not parts:
            raise ValueError(f"{folder}: no rows/fiscal_year=…/*.parquet files")
        cur = self._con.cursor()
        try:
            cols = [r[0] for r in cur.execute(
                "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true, "
                "hive_types = {'fiscal_year': INTEGER})",
                [str(folder / "rows" / "**" / "*.parquet")]).fetchall()]
        finally:
            cur.close()
        missing = [c for c in ("region_id", "fiscal_year", "amount", "cents") if c not in cols]
        if missing:
            raise ValueError(f"{folder}: the rows lack {', '.join(missing)}")
        columns = [c for c in cols if c in (*AGGREGATE_KEYS, "program", "fund", "amount",
                                            "cents")]
        with self._lock:
            name = self._sql_names.get(table_id) or f"t{len(self._sql_names)}"
            self._sql_names[table_id] = name
            self._columns[table_id] = [c for c in columns if c != "cents"]
            self._generation[name] = self._generation.get(name, 0) + 1
            self._over_parquet(name, pd.DataFrame(columns=columns), folder)
            self.parquet_folders[table_id] = folder

    def wait(self, timeout: float | None = None) -> None:
        """Wait for conversions running in the background (tests, benchmarks, shutdown)."""
        for job in list(self._pending):
            job.finish(timeout)
        self._pending = [j for j in self._pending if j.is_alive()]

    def _converted(self, frame: pd.DataFrame, target: Path) -> Path:
        """``target``, the folder of the table's current conversion, written when missing."""
        if target.is_dir():
            return target
        base = target.parent
        base.mkdir(parents=True, exist_ok=True)
        tmp = base / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self._write(frame, tmp)
            try:
                os.rename(tmp, target)
            except OSError:
                if not target.is_dir():      # not another process that got there first
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._prune(base, keep=target)
        return target

    def _write(self, frame: pd.DataFrame, tmp: Path) -> None:
        keys = [k for k in AGGREGATE_KEYS if k in frame.columns]
        tmp.mkdir()
        cur = self._con.cursor()
        try:
            cur.register("_incoming", frame)
            cur.execute(f"COPY (SELECT * FROM _incoming) TO {_literal(tmp / 'rows')} "
                        "(FORMAT PARQUET, PARTITION_BY (fiscal_year))")
            agg = render_aggregate("_incoming", keys, "duckdb").sql
            cur.execute(f"COPY ({agg}) TO {_literal(tmp / 'aggregate.parquet')} "
                        "(FORMAT PARQUET)")
        finally:
            cur.close()

    @staticmethod
    def _prune(base: Path, keep: Path) -> None:
        """Remove older conversions of a table, except the most recent few (another process
        may still read one until it reloads), and temporary folders left by a crash."""
        old = sorted((p for p in base.iterdir() if p.is_dir() and p != keep
                      and not p.name.startswith(".tmp-")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
        for p in old[_KEEP_OLD:]:
            shutil.rmtree(p, ignore_errors=True)

    def _over_parquet(self, sql_name: str, frame: pd.DataFrame, folder: Path) -> None:
        keys = tuple(k for k in AGGREGATE_KEYS if k in frame.columns)
        rows = _literal(folder / "rows" / "**" / "*.parquet")
        agg = f"{sql_name}_agg"
        cur = self._con.cursor()
        try:
            # One transaction: a query sees the table in memory or on Parquet, never neither.
            cur.execute("BEGIN TRANSACTION")
            self._drop(sql_name, cur)
            cur.execute(
                f'CREATE VIEW "{sql_name}" AS SELECT * FROM read_parquet({rows}, '
                "hive_partitioning = true, hive_types = {'fiscal_year': INTEGER})")
            has_agg = (folder / "aggregate.parquet").is_file()
            if has_agg:
                cur.execute(f'CREATE OR REPLACE VIEW "{agg}" AS SELECT * FROM '
                            f'read_parquet({_literal(folder / "aggregate.parquet")})')
            cur.execute("COMMIT")
        finally:
            cur.close()
        if has_agg:
            self._aggregates[sql_name] = (agg, keys)
        else:
            self._aggregates.pop(sql_name, None)

    def _drop(self, sql_name: str, cur=None) -> None:
        """Drop a table or view of that name (a table added again may change storage)."""
        cur = cur if cur is not None else self._con
        kinds = cur.execute(
            "SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? UNION ALL "
            "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND NOT internal",
            [sql_name, sql_name]).fetchall()
        for (kind,) in kinds:
            cur.execute(f'DROP {kind} "{sql_name}"')

    def _source(self, table_id: str, by) -> tuple[str, bool]:
        name = self._sql(table_id)
        agg = self._aggregates.get(name)
        if agg is not None and set(by) <= set(agg[1]):
            return agg[0], True
        return name, False

    # -- running ---------------------------------------------------------------------------
    def _run(self, sql: str, params: list | dict) -> pd.DataFrame:
        # Through Arrow: about twice as fast as .df() for a million groups with text keys.
        # A cursor of its own so a relation never meets another query's open result.
        cur = self._con.cursor()
        try:
            return cur.sql(sql, params=params or None).to_arrow_table().to_pandas()
        finally:
            cur.close()

    def close(self) -> None:
        self.wait()
        self._con.close()


Ledger = DuckLedger
