"""The Spark session of the engine tests: one for the whole test run, local and small.

Spark's JVM takes many seconds to start on two cores, so every Spark test shares the process's
one session (:func:`geodata.ledger.spark.session`); the fixture that uses these helpers stops it
once, at the end of the run."""
from __future__ import annotations

import pytest

from geodata.dataset import WorkspaceData
from geodata.ledger import spark as spark_engine
from geodata.workspace import Workspace

MASTER = "local[2]"


def start() -> str:
    """Start the test run's Spark session (or skip, saying why: no Java, no pyspark)."""
    reason = spark_engine.missing(MASTER)
    if reason:
        pytest.skip(reason)
    spark_engine.session(MASTER)
    return MASTER


def spark_data(ws: Workspace) -> WorkspaceData:
    """A workspace whose ledger runs on the test run's Spark session."""
    return WorkspaceData(ws, ledger_engine="spark")
