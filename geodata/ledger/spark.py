"""The Spark engine: a workspace's ledger as cached Spark DataFrames, queried with Spark SQL.

For ledgers that do not fit one machine: the same queries as DuckDB's (rendered by
:mod:`.query` for ``"spark"``, values bound as named parameters) run on a Spark master, a
local one (``local[2]``) or a cluster (``spark://host:7077``, ``yarn``, ``k8s://…``), or on a
Spark Connect server (``sc://host:15002``, with pyspark's ``connect`` extras installed).

One Spark session per process, started when the first ledger needs it and stopped when the
process exits: starting the JVM takes seconds, so every ledger of every workspace shares it.
A local master is bound to 127.0.0.1, without the web UI, Hive or a shared warehouse, with a few
shuffle partitions and quiet logs, its scratch files in a temporary folder removed at exit.

Each table is sent once, when :meth:`SparkLedger.add` is called, as an Arrow table with an
explicit schema, cached and registered as a temporary view under a generated name (views are
per session, so the name carries the ledger's own prefix). Whole cents come from the base,
rounded in Python exactly as DuckDB rounds them; Spark sums them as ``DECIMAL(38,0)``, so a
sum past 64 bits is exact rather than wrapped or refused, and ANSI mode is on so any other
overflow is an error, never a wrong number.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
import warnings
from typing import Iterable, Sequence

import pandas as pd
import pyarrow as pa

from locales import t

from .base import LedgerBase

DEFAULT_MASTER = "local[2]"
# Spark 4 runs on Java 17 or 21.
JAVA_MIN = 17
LOCAL_SHUFFLE_PARTITIONS = 4

# pyspark warns on every conversion that it is not yet tested with pandas 3; the ledger hands
# it Arrow tables only, which it converts itself.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                        category=FutureWarning)

# Spark type (DDL) and Arrow type of each canonical column: the Arrow types DuckDB returns,
# so results convert to the same pandas dtypes (tinyint quarter and month, as DuckDB's).
_SPARK_TYPES = {"region_id": "STRING", "fiscal_year": "INT", "quarter": "TINYINT",
                "month": "TINYINT", "agency": "STRING", "program": "STRING", "fund": "STRING",
                "amount": "DOUBLE", "cents": "BIGINT"}
_ARROW_TYPES = {"region_id": pa.string(), "fiscal_year": pa.int32(), "quarter": pa.int8(),
                "month": pa.int8(), "agency": pa.string(), "program": pa.string(),
                "fund": pa.string(), "amount": pa.float64(), "cents": pa.int64()}

_QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class SparkUnavailable(RuntimeError):
    """Spark cannot start or be reached: no Java, pyspark missing, the master refused us. The
    message names what is missing and is in the reader's language."""


# -- what Spark needs on this machine ---------------------------------------------------------
def java_command() -> str | None:
    """The ``java`` program Spark would start: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        exe = os.path.join(home, "bin", "java")
        if os.access(exe, os.X_OK):
            return exe
    return shutil.which("java")


def java_version(java: str) -> int | None:
    """Major version of a ``java`` program (8 for "1.8.0_392", 17 for "17.0.15")."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def missing(master: str = DEFAULT_MASTER) -> str | None:
    """Why Spark cannot start here (a sentence in the reader's language), or None.

    A Spark Connect master needs pyspark's connect extras but no Java on this machine."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return t("Spark needs the Python package pyspark, which is not installed "
                 "(pip install -r requirements.txt).")
    if is_connect(master):
        try:
            import grpc  # noqa: F401
            import google.rpc  # noqa: F401
            import zstandard  # noqa: F401
        except ImportError:
            return t("Connecting to a Spark Connect server ({master}) needs pyspark's connect "
                     "extras: pip install \"pyspark[connect]\".", master=master)
        return None
    java = java_command()
    if java is None:
        return t("Spark needs Java {version} or later, and no java program was found "
                 "(JAVA_HOME is not set and java is not on the PATH). On Debian: apt-get "
                 "install openjdk-17-jre-headless (or make java).", version=str(JAVA_MIN))
    found = java_version(java)
    if found is None:
        return t("Spark needs Java {version} or later, and {java} did not say its version.",
                 version=str(JAVA_MIN), java=java)
    if found < JAVA_MIN:
        return t("Spark needs Java {version} or later; {java} is Java {found}.",
                 version=str(JAVA_MIN), java=java, found=str(found))
    return None


def is_connect(master: str) -> bool:
    return master.startswith("sc://")


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


# -- the one session of this process ----------------------------------------------------------
_session = None
_session_master: str | None = None
_scratch: str | None = None
_session_lock = threading.Lock()


def session(master: str = DEFAULT_MASTER, *, app_name: str = "fiscalmap"):
    """This process's Spark session, started on first use (stopped at exit).

    Raises :class:`SparkUnavailable` when Spark cannot start, or when the session already
    running uses another master (a process talks to one Spark)."""
    global _session, _session_master, _scratch
    with _session_lock:
        if _session is not None:
            if master != _session_master:
                raise SparkUnavailable(t(
                    "This process already runs Spark on {running}; it cannot also use "
                    "{master}.", running=_session_master, master=master))
            return _session
        reason = missing(master)
        if reason:
            raise SparkUnavailable(reason)
        from pyspark.sql import SparkSession
        scratch = tempfile.mkdtemp(prefix="fiscalmap-spark-")
        try:
            if is_connect(master):
                spark = SparkSession.builder.remote(master).appName(app_name).getOrCreate()
            else:
                spark = _builder(SparkSession.builder, master, app_name, scratch).getOrCreate()
                spark.sparkContext.setLogLevel("ERROR")
            # Set on the session as well: a Connect server or a cluster's defaults may differ.
            spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
            spark.conf.set("spark.sql.ansi.enabled", "true")
        except SparkUnavailable:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        except Exception as err:  # the JVM or the master refused to start: say why, briefly
            shutil.rmtree(scratch, ignore_errors=True)
            raise SparkUnavailable(t("Spark could not start on {master}: {reason}",
                                     master=master, reason=_first_line(err))) from None
        _session, _session_master, _scratch = spark, master, scratch
        return spark


def _builder(builder, master: str, app_name: str, scratch: str):
    log4j = os.path.join(scratch, "log4j2.properties")
    with open(log4j, "w", encoding="utf-8") as f:
        f.write(_QUIET_LOG4J)
    # Python workers (none are needed by these queries) would run this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    b = (builder.master(master).appName(app_name)
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.catalogImplementation", "in-memory")
         .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
         .config("spark.local.dir", os.path.join(scratch, "local"))
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .config("spark.sql.ansi.enabled", "true")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}"))
    if is_local(master):
        # Nothing listens beyond this machine; the hostname check would otherwise pick the
        # first network interface (and warn).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        b = (b.config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.shuffle.partitions", str(LOCAL_SHUFFLE_PARTITIONS)))
    return b


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:300]


def stop_session() -> None:
    """Stop this process's Spark session and remove its scratch files (also run at exit)."""
    global _session, _session_master, _scratch
    with _session_lock:
        spark, scratch = _session, _scratch
        _session = _session_master = _scratch = None
    if spark is not None:
        try:
            spark.stop()
        except Exception:  # stopping at exit: the JVM may be gone already
            pass
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


atexit.register(stop_session)


# -- the engine -------------------------------------------------------------------------------
class SparkLedger(LedgerBase):
    """The allocation tables of one workspace as cached Spark DataFrames."""

    dialect = "spark"
    # Cents are summed as DECIMAL(38,0) and returned as text: no 64-bit overflow to retry.
    overflow_errors = ()

    def __init__(self, master: str = DEFAULT_MASTER, *, app_name: str = "fiscalmap") -> None:
        super().__init__()
        self.master = master
        self.app_name = app_name
        # Temporary views are per session and the session is shared: a prefix of our own.
        self._prefix = f"fm{uuid.uuid4().hex[:12]}_"
        self._frames: dict[str, object] = {}
        # Start Spark now, so a missing Java or an unreachable master is said once, up front.
        self._spark = session(master, app_name=app_name)

    def _sql(self, table_id: str) -> str:
        return self._prefix + super()._sql(table_id)

    def _store(self, sql_name: str, frame: pd.DataFrame) -> None:
        view = self._prefix + sql_name
        cols = list(frame.columns)
        table = pa.Table.from_pandas(
            frame, schema=pa.schema([(c, _ARROW_TYPES[c]) for c in cols]),
            preserve_index=False)
        ddl = ", ".join(f"`{c}` {_SPARK_TYPES[c]}" for c in cols)
        sdf = self._spark.createDataFrame(table, schema=ddl).cache()
        sdf.count()             # loaded now, not by the first map a user asks for
        sdf.createOrReplaceTempView(view)
        old = self._frames.pop(view, None)
        if old is not None:
            old.unpersist()
        self._frames[view] = sdf

    def _run(self, sql: str, params: list | dict) -> pd.DataFrame:
        # Through Arrow, converted as DuckDB's results are: the same dtypes.
        return self._spark.sql(sql, args=dict(params) or None).toArrow().to_pandas()

    def close(self) -> None:
        """Drop this ledger's views and cached frames (the shared session keeps running)."""
        with self._lock:
            for view, sdf in self._frames.items():
                try:
                    self._spark.catalog.dropTempView(view)
                    sdf.unpersist()
                except Exception:  # the session may be stopped already
                    pass
            self._frames.clear()
