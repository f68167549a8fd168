"""The PostgreSQL engine: a workspace's ledger kept in one schema of a shared server.

For ledgers too large for one app process, or one ledger shared by several app processes and
machines. Each allocations table becomes one table of the schema (a generated name, never the
table id), loaded with ``COPY`` and indexed on ``fiscal_year`` and ``region_id``. The schema's
catalogue table ``_fiscalmap_tables`` records, per table id, the generated name, the columns and
a stamp of the canonical rows: an app process that finds the same stamp reuses the table, so a
workspace is uploaded once, not on every start, and a changed source file is uploaded again.
Loading takes a transaction-scoped advisory lock on the schema, so processes starting together
load a table once and never see it half loaded.

Queries are the ones :mod:`.query` renders for ``"postgres"``, with bound parameters. Results
come back with the dtypes DuckDB gives (through Arrow, as DuckDB's do); whole cents are summed
as 64-bit integers and, past that, exactly as text (PostgreSQL would overflow the cast, the base
then asks again).

Cents are never computed by the server: the base rounds them in Python exactly as DuckDB does
(half away from zero on the double ``amount * 100``). Casting the double to ``numeric`` first
would round through 15 significant digits (``0.285 * 100`` becomes 28.5, then 29, where DuckDB
says 28), and ``round(double precision)`` rounds halves to even.
"""
from __future__ import annotations

import hashlib
import io
from typing import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict

from locales import t

from .base import LedgerBase
from .query import ident, table_ref

CATALOGUE = "_fiscalmap_tables"
# Bumped when the stored layout changes, so tables loaded by an older version are loaded again.
LAYOUT = "1"
CONNECT_TIMEOUT = 10
COPY_BATCH_ROWS = 200_000

# PostgreSQL type of each canonical column.
_PG_TYPES = {"region_id": "text", "fiscal_year": "integer", "quarter": "smallint",
             "month": "smallint", "agency": "text", "program": "text", "fund": "text",
             "amount": "double precision", "cents": "bigint"}
# Result columns by type OID → the Arrow type DuckDB's result has for the same column
# (smallint holds the Int8 quarter and month, which DuckDB keeps as TINYINT).
_ARROW = {25: pa.string(), 1043: pa.string(), 23: pa.int32(), 21: pa.int8(),
          20: pa.int64(), 701: pa.float64()}


class PostgresUnavailable(RuntimeError):
    """The server cannot be reached or refused us; the message names the host and port (never
    the password) and is in the reader's language."""


def _where(url: str) -> tuple[str, str, str]:
    """(host, port, database) named in a connection URL, for messages; the password is never
    read out. An unreadable URL raises PostgresUnavailable without quoting it."""
    try:
        info = conninfo_to_dict(url)
    except (psycopg.Error, ValueError, TypeError):
        raise PostgresUnavailable(t(
            "The PostgreSQL connection URL cannot be read. Expected "
            "postgresql://user@host:port/database.")) from None
    host = str(info.get("host") or info.get("hostaddr") or "localhost")
    return host, str(info.get("port") or 5432), str(info.get("dbname") or "")


def _scrub(message: str, url: str) -> str:
    """A driver message on one line, without the password (libpq does not print it; this
    makes sure)."""
    try:
        password = conninfo_to_dict(url).get("password")
    except (psycopg.Error, ValueError, TypeError):
        password = None
    lines = [" ".join(line.split()) for line in str(message).splitlines()]
    message = ". ".join(line.rstrip(".") for line in lines if line)
    message = message.removeprefix("connection failed: ")
    return message.replace(str(password), "***") if password else message


def table_name(table_id: str) -> str:
    """The generated SQL name of a table id: the same in every app process (the catalogue
    finds it again), whatever characters the id has."""
    return "t_" + hashlib.sha1(table_id.encode("utf-8")).hexdigest()[:20]


def stamp(frame: pd.DataFrame) -> str:
    """A digest of a canonical frame: its columns, dtypes and every value."""
    h = hashlib.sha256(f"layout {LAYOUT}\n".encode())
    for c in frame.columns:
        h.update(f"{c}:{frame[c].dtype}\n".encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    h.update(str(len(frame)).encode())
    return h.hexdigest()


class PostgresLedger(LedgerBase):
    """The allocation tables of one workspace in schema ``schema`` of a PostgreSQL database."""

    dialect = "postgres"
    overflow_errors = (psycopg.errors.NumericValueOutOfRange,)

    def __init__(self, url: str, *, schema: str) -> None:
        super().__init__()
        ident(schema, "postgres")            # generated names only: refuses anything else
        if schema.startswith("pg_"):
            raise ValueError(t("The PostgreSQL schema {schema} cannot be used: names starting "
                               "with pg_ belong to the server.", schema=repr(schema)))
        self.schema = schema
        self._url = url
        self._host, self._port, self._db = _where(url)
        self.reused: list[str] = []          # table ids found loaded with the same stamp
        self._con = self._connect()

    # -- connection -------------------------------------------------------------------------
    def _unavailable(self, err: BaseException) -> PostgresUnavailable:
        return PostgresUnavailable(t(
            "Cannot connect to the PostgreSQL server at {host}:{port} (database {database}): "
            "{reason}", host=self._host, port=self._port, database=self._db or "-",
            reason=_scrub(str(err), self._url)))

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="fiscalmap")
        except psycopg.OperationalError as err:
            raise self._unavailable(err) from None

    def _connection(self) -> psycopg.Connection:
        if self._con.closed or self._con.broken:
            self._con = self._connect()
        return self._con

    def close(self) -> None:
        self._con.close()

    # -- storing ----------------------------------------------------------------------------
    def add(self, table_id: str, frame: pd.DataFrame, **origin) -> None:
        # Names are the same in every process, so the catalogue finds a table again.
        self._sql_names.setdefault(table_id, table_name(table_id))
        try:
            super().add(table_id, frame, **origin)
        except BaseException:
            if table_id not in self._columns:
                self._sql_names.pop(table_id, None)
            raise

    def _store(self, sql_name: str, frame: pd.DataFrame) -> None:
        origin = self._origins.get(sql_name)
        table_id = origin.table_id if origin is not None else sql_name
        cols = list(frame.columns)
        digest = stamp(frame)
        schema = pgsql.Identifier(self.schema)
        catalogue = pgsql.Identifier(self.schema, CATALOGUE)
        con = self._connection()
        try:
            with con.transaction():
                # One loader per schema at a time (creating the schema and the catalogue
                # included); processes starting together wait here, then find it loaded.
                con.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                            [f"fiscalmap:{self.schema}"])
                con.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
                con.execute(pgsql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (table_id text PRIMARY KEY, "
                    "sql_name text NOT NULL, stamp text NOT NULL, columns text[] NOT NULL, "
                    "row_count bigint NOT NULL, "
                    "sources text[] NOT NULL DEFAULT ARRAY[]::text[], "
                    "loaded_at timestamptz NOT NULL DEFAULT now())"
                ).format(catalogue))
                row = con.execute(pgsql.SQL(
                    "SELECT sql_name, stamp, columns, to_regclass(%s) IS NOT NULL FROM {} "
                    "WHERE table_id = %s").format(catalogue),
                    [table_ref(sql_name, "postgres", self.schema), table_id]).fetchone()
                if row is not None and row[0] == sql_name and row[1] == digest and \
                        list(row[2]) == cols and row[3]:
                    self.reused.append(table_id)
                    return
                self._load(con, sql_name, frame)
                # File names only: where a file sits on the app's machine is not the server's
                # business.
                sources = [p.name for p in origin.sources] if origin is not None else []
                con.execute(pgsql.SQL(
                    "INSERT INTO {} (table_id, sql_name, stamp, columns, row_count, sources) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (table_id) DO UPDATE SET "
                    "sql_name = EXCLUDED.sql_name, stamp = EXCLUDED.stamp, "
                    "columns = EXCLUDED.columns, row_count = EXCLUDED.row_count, "
                    "sources = EXCLUDED.sources, loaded_at = now()").format(catalogue),
                    [table_id, sql_name, digest, cols, len(frame), sources])
            # Fresh statistics for the planner, once the rows are visible.
            con.execute(pgsql.SQL("ANALYZE {}").format(pgsql.Identifier(self.schema, sql_name)))
        except psycopg.OperationalError as err:
            raise self._unavailable(err) from None
        except psycopg.Error as err:
            # Permissions, a full disk, a schema owned by another role: said plainly.
            raise PostgresUnavailable(t(
                "The PostgreSQL server at {host}:{port} refused to store table {table} in "
                "schema {schema}: {reason}", host=self._host, port=self._port,
                table=repr(table_id), schema=self.schema,
                reason=_scrub(str(err), self._url))) from None

    def _load(self, con: psycopg.Connection, sql_name: str, frame: pd.DataFrame) -> None:
        """Replace table ``sql_name`` with the frame's rows (inside the caller's transaction:
        other processes see the old table or the new one, never half of it)."""
        qualified = pgsql.Identifier(self.schema, sql_name)
        cols = list(frame.columns)
        con.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(qualified))
        con.execute(pgsql.SQL("CREATE TABLE {} ({})").format(qualified, pgsql.SQL(", ").join(
            pgsql.SQL("{} {}").format(pgsql.Identifier(c), pgsql.SQL(_PG_TYPES[c]))
            for c in cols)))
        # CSV written by Arrow: numbers in their shortest exact form (a double reads back
        # bit for bit), every text quoted, so an empty text stays '' and a missing value,
        # written as nothing, is NULL.
        copy_sql = pgsql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            qualified, pgsql.SQL(", ").join(pgsql.Identifier(c) for c in cols))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        with con.cursor() as cur, cur.copy(copy_sql) as copy:
            for batch in table.to_batches(max_chunksize=COPY_BATCH_ROWS):
                buf = io.BytesIO()
                pacsv.write_csv(batch, buf, options)
                copy.write(buf.getbuffer())
        for col, suffix in (("fiscal_year", "fy"), ("region_id", "region")):
            con.execute(pgsql.SQL("CREATE INDEX {} ON {} ({})").format(
                pgsql.Identifier(f"{sql_name}_{suffix}"), qualified, pgsql.Identifier(col)))

    # -- running ----------------------------------------------------------------------------
    def _run(self, sql: str, params: list | dict) -> pd.DataFrame:
        for attempt in (1, 2):
            con = self._connection()
            try:
                with con.cursor() as cur:
                    cur.execute(sql, params)
                    names = [d.name for d in cur.description]
                    oids = [d.type_code for d in cur.description]
                    rows = cur.fetchall()
                return _frame(names, oids, rows)
            except psycopg.OperationalError as err:
                # A server restart drops the connection: connect again once, then give up.
                if attempt == 2 or not (con.closed or con.broken):
                    raise self._unavailable(err) from None
        raise AssertionError("unreachable")


def _frame(names: Sequence[str], oids: Sequence[int], rows: list[tuple]) -> pd.DataFrame:
    """Rows as a frame with DuckDB's dtypes: built as the Arrow table DuckDB would return and
    converted the same way (text → str, integer → int32, or float64 where a value is
    missing…). Other types (numeric) are kept as Python objects for the base to convert."""
    columns = list(zip(*rows)) if rows else [()] * len(names)
    arrays, others = {}, {}
    for name, oid, values in zip(names, oids, columns):
        if oid in _ARROW:
            arrays[name] = pa.array(list(values), type=_ARROW[oid])
        else:
            others[name] = list(values)
    out = pa.table(arrays).to_pandas() if arrays else pd.DataFrame(index=range(len(rows)))
    for name, values in others.items():
        out[name] = pd.Series(values, dtype=object, index=out.index)
    return out[list(names)]
