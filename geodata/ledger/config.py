"""The manifest's ``[ledger]`` section: which engine holds a workspace's ledger.

::

    [ledger]
    engine = "postgres"            # "duckdb" (default) | "postgres" | "spark"
    url_env = "FISCALMAP_PG_URL"   # postgres: the environment variable holding the URL
    schema = "fiscalmap_us"        # postgres: default fiscalmap_<workspace id>
    # engine = "spark"
    # master = "spark://host:7077" # spark: default local[2]
    # master_env = "SPARK_MASTER"  # spark: or the variable holding it
    parquet_rows = 200000          # duckdb: tables from this many rows are kept as Parquet

A connection URL never goes in the manifest (it carries a password): the manifest names the
environment variable that holds it. :func:`ledger_settings` checks the section and lists every
problem at once; :func:`open_ledger` starts the engine.

The rule when the engine cannot be used (a bad section, a missing variable, an engine not
installed, a server that refuses): the workspace still opens, on DuckDB, and every reason is
an error on Data quality naming the engine and the variable — a hearing must still open. An
engine asked for explicitly (``open_ledger(ws, "postgres")``, as tests and benchmarks do) is
never replaced: its failure raises :class:`LedgerEngineError`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from locales import N_

from ..problems import Problem, Text
from ..workspace import MANIFEST_NAME, Workspace, unknown_keys
from .base import LedgerBase
from .duck import PARQUET_ROWS, DuckLedger

SECTION = "ledger"
_WHERE = f"[{SECTION}]"
ENGINES = ("duckdb", "postgres", "spark")
KEYS = ("engine", "url_env", "schema", "master", "master_env", "parquet_rows")
DEFAULT_URL_ENV = "FISCALMAP_PG_URL"
DEFAULT_MASTER = "local[2]"
CACHE_ENV = "FISCALMAP_CACHE_DIR"
# Keys that would put a connection URL itself in the manifest.
_URL_KEYS = ("url", "dsn", "database_url", "connection", "conninfo", "uri")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")


class LedgerEngineError(RuntimeError):
    """An engine asked for explicitly that cannot be used; ``problems`` says why."""

    def __init__(self, problems: list[Text]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class LedgerSettings:
    engine: str = "duckdb"
    url_env: str = DEFAULT_URL_ENV
    schema: str = ""
    master: str = DEFAULT_MASTER
    master_env: str = ""
    parquet_rows: int = PARQUET_ROWS


def default_schema(workspace_id: str) -> str:
    """``fiscalmap_`` and the workspace id in lower case, other characters as ``_``."""
    return "fiscalmap_" + re.sub(r"[^a-z0-9_]", "_", workspace_id.lower())[:50]


def _text(raw: dict, key: str, problems: list[Text]) -> str | None:
    v = raw.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or not v.strip():
        problems.append(Text(N_("{where}: '{key}' must be text, got {value}"),
                             where=_WHERE, key=key, value=repr(v)))
        return None
    return v.strip()


def _env_name(raw: dict, key: str, problems: list[Text]) -> str | None:
    v = _text(raw, key, problems)
    if v is None:
        return None
    if "://" in v or "=" in v or "@" in v:
        problems.append(Text(N_("{where}: '{key}' names the environment variable that holds "
                                "the address, not the address itself; set the address in a "
                                "variable (for example {example}) and put its name here"),
                             where=_WHERE, key=key,
                             example=DEFAULT_URL_ENV if key == "url_env" else "SPARK_MASTER"))
        return None
    if not _ENV_NAME.match(v):
        problems.append(Text(N_("{where}: '{key}' = {value} is not an environment variable "
                                "name (letters, digits and _)"),
                             where=_WHERE, key=key, value=repr(v)))
        return None
    return v


def ledger_settings(ws: Workspace) -> tuple[LedgerSettings, list[Text]]:
    """The checked ``[ledger]`` section (defaults where it is silent) and every problem."""
    raw: Any = ws.settings.get(SECTION)
    problems: list[Text] = []
    if raw is None:
        return LedgerSettings(schema=default_schema(ws.id)), []
    if not isinstance(raw, dict):
        problems.append(Text(N_("{where} must be a table of settings, got {type}"),
                             where=_WHERE, type=type(raw).__name__))
        return LedgerSettings(schema=default_schema(ws.id)), problems
    for key in raw:
        if key in _URL_KEYS:
            problems.append(Text(N_("{where}: '{key}' would put the connection address (and "
                                    "its password) in the manifest; set it in an environment "
                                    "variable and name the variable with 'url_env' (default "
                                    "{default})"),
                                 where=_WHERE, key=str(key), default=DEFAULT_URL_ENV))
    problems += unknown_keys({k: v for k, v in raw.items() if k not in _URL_KEYS}, KEYS,
                             _WHERE, aliases={"backend": "engine", "database": "engine",
                                              "spark_master": "master", "env": "url_env",
                                              "threshold": "parquet_rows"})
    kw: dict[str, Any] = {}
    engine = raw.get("engine", "duckdb")
    if engine not in ENGINES:
        problems.append(Text(N_("{where}: engine {value} is not one of {engines}"),
                             where=_WHERE, value=repr(engine), engines=", ".join(ENGINES)))
    else:
        kw["engine"] = engine
    if (v := _env_name(raw, "url_env", problems)) is not None:
        kw["url_env"] = v
    if (v := _env_name(raw, "master_env", problems)) is not None:
        kw["master_env"] = v
    if (v := _text(raw, "master", problems)) is not None:
        kw["master"] = v
    schema = _text(raw, "schema", problems)
    if schema is not None:
        if not _SCHEMA.match(schema) or schema.startswith("pg_"):
            problems.append(Text(N_("{where}: schema {value} must be lower-case letters, digits "
                                    "and _ (at most 63, not starting with a digit or pg_)"),
                                 where=_WHERE, value=repr(schema)))
            schema = None
    kw["schema"] = schema or default_schema(ws.id)
    rows = raw.get("parquet_rows")
    if rows is not None:
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
            problems.append(Text(N_("{where}: 'parquet_rows' must be a whole number of rows "
                                    "from 1, got {value}"), where=_WHERE, value=repr(rows)))
        else:
            kw["parquet_rows"] = rows
    return LedgerSettings(**kw), problems


def cache_dir(ws: Workspace, kind: str = "ledger") -> Path:
    """Where the workspace keeps a kind of disk cache ("ledger": Parquet of the ledger,
    "tables": checked tables): ``$FISCALMAP_CACHE_DIR/<kind>/<id>`` when the variable is set,
    else ``.cache/<kind>`` in the workspace folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env) / kind / ws.id
    return Path(ws.path) / ".cache" / kind


def tables_cache_dir(ws: Workspace) -> Path:
    return cache_dir(ws, "tables")


def _scrub(message: str, secret: str | None) -> str:
    """An engine's error, first line, without the credentials of the address it was given
    (``user:password@`` and a ``password=`` parameter), and without a closing full stop (the
    message it goes into goes on)."""
    import re

    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    if secret:
        line = line.replace(secret, _without_credentials(secret))
    line = re.sub(r"(?i)(password\s*=\s*)\S+", r"\1…", line)
    return line.rstrip(" .")


def _without_credentials(address: str) -> str:
    """``scheme://user:secret@host:port/db?password=x`` → ``scheme://…@host:port/db``."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(address)
    except ValueError:
        return "…"
    if not parts.scheme or not parts.netloc:
        return address if "@" not in address and "password" not in address.lower() else "…"
    host = parts.netloc.rpartition("@")[2]
    netloc = f"…@{host}" if "@" in parts.netloc else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _start(s: LedgerSettings) -> LedgerBase:
    """The configured server engine, or LedgerEngineError naming what is missing."""
    if s.engine == "postgres":
        url = os.environ.get(s.url_env, "").strip()
        if not url:
            raise LedgerEngineError([Text(N_(
                "the ledger engine postgres needs the connection address in the environment "
                "variable {variable}, which is not set"), variable=s.url_env)])
        try:
            from .postgres import PostgresLedger
        except ImportError as exc:
            raise LedgerEngineError([Text(N_(
                "the ledger engine {engine} cannot start: {error}"),
                engine="postgres", error=_scrub(str(exc), url))]) from None
        try:
            return PostgresLedger(url, schema=s.schema)
        except Exception as exc:  # noqa: BLE001 - any refusal becomes a message
            raise LedgerEngineError([Text(N_(
                "the ledger engine {engine} cannot start: {error}"),
                engine="postgres", error=_scrub(str(exc), url))]) from None
    if s.engine == "spark":
        master = s.master
        if s.master_env:
            master = os.environ.get(s.master_env, "").strip()
            if not master:
                raise LedgerEngineError([Text(N_(
                    "the ledger engine spark needs the master address in the environment "
                    "variable {variable}, which is not set"), variable=s.master_env)])
        try:
            from .spark import SparkLedger
            return SparkLedger(master)
        except Exception as exc:  # noqa: BLE001 - no Java, no pyspark, a refused master
            raise LedgerEngineError([Text(N_(
                "the ledger engine {engine} cannot start: {error}"),
                engine="spark", error=_scrub(str(exc), master))]) from None
    raise LedgerEngineError([Text(N_("{where}: engine {value} is not one of {engines}"),
                                  where=_WHERE, value=repr(s.engine),
                                  engines=", ".join(ENGINES))])


def _duck(ws: Workspace, s: LedgerSettings) -> DuckLedger:
    # In the app the first map does not wait for a large table's conversion to Parquet.
    return DuckLedger(cache_dir(ws), parquet_rows=s.parquet_rows, background=True)


def _problem(ws: Workspace, message: Text, code: str) -> Problem:
    return Problem("error", f"{ws.id}/{MANIFEST_NAME}", message, code=code)


def open_ledger(ws: Workspace, engine: str | LedgerBase | None = None
                ) -> tuple[LedgerBase, list[Problem]]:
    """The workspace's ledger engine (empty) and the problems met choosing it.

    ``engine`` overrides the manifest: a name (``"duckdb"``, ``"postgres"``, ``"spark"``,
    with the section's other settings) or a ledger already built. An engine named here that
    cannot start raises :class:`LedgerEngineError`; one named only by the manifest falls back
    to DuckDB, with the reasons as problems."""
    if isinstance(engine, LedgerBase):
        return engine, []
    s, section = ledger_settings(ws)
    problems = [_problem(ws, p, "ledger_settings") for p in section]
    if engine is not None:
        if engine not in ENGINES:
            raise LedgerEngineError([Text(N_("{where}: engine {value} is not one of {engines}"),
                                          where=_WHERE, value=repr(engine),
                                          engines=", ".join(ENGINES))])
        from dataclasses import replace
        s = replace(s, engine=engine)
        if engine == "duckdb":
            return _duck(ws, s), problems
        return _start(s), problems
    if s.engine == "duckdb":
        return _duck(ws, s), problems
    try:
        return _start(s), problems
    except LedgerEngineError as exc:
        return _duck(ws, s), problems + [_fallback(ws, s.engine, p) for p in exc.problems]


def _fallback(ws: Workspace, engine: str, reason: Text) -> Problem:
    return _problem(ws, Text(N_("{reason}; the ledger runs on DuckDB in this process instead "
                                "of {engine} until this is fixed"),
                             reason=reason, engine=engine), "ledger_fallback")


def build_ledger(ws: Workspace, fill: Callable[[LedgerBase], None],
                 engine: str | LedgerBase | None = None) -> tuple[LedgerBase, list[Problem]]:
    """A ledger holding the workspace's tables (``fill`` adds them) and the problems met.

    A configured server engine that fails while the tables are copied (the server went away,
    a table it refuses) is closed and replaced by DuckDB, the reason reported; an engine
    asked for explicitly raises :class:`LedgerEngineError` instead."""
    led, problems = open_ledger(ws, engine)
    try:
        fill(led)
    except Exception as exc:  # noqa: BLE001 - a server's refusal becomes a message
        if isinstance(led, DuckLedger):
            raise
        name = getattr(led, "dialect", "?")
        _close(led)
        s, _ = ledger_settings(ws)
        reason = Text(N_("the ledger engine {engine} failed while copying the tables: "
                         "{error}"), engine=name,
                      error=_scrub(str(exc), os.environ.get(s.url_env) or None))
        if engine is not None:
            raise LedgerEngineError([reason]) from exc
        led = _duck(ws, s)
        problems = problems + [_fallback(ws, name, reason)]
        fill(led)
    if isinstance(led, DuckLedger):
        problems += [Problem("note", f"{ws.id}/{MANIFEST_NAME}", n, code="ledger_parquet")
                     for n in led.notes]
    return led, problems


def _close(led: LedgerBase) -> None:
    try:
        led.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        pass
