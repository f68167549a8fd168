"""The ``[ledger]`` section: engines, addresses from the environment only, every problem listed,
and a workspace that still opens on DuckDB when its engine cannot start (saying why)."""
from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import locales
from geodata.dataset import WorkspaceData
from geodata.ledger import DuckLedger, Ledger, LedgerBase
from geodata.ledger.config import (LedgerEngineError, LedgerSettings, build_ledger,
                                   default_schema, ledger_settings, open_ledger)
from geodata.workspace import ManifestError, Workspace, load_manifest


def ws_with(section, wid: str = "us_federal") -> Workspace:
    settings = {} if section is None else {"ledger": section}
    return Workspace(id=wid, path=Path("/nonexistent") / wid, title="T", settings=settings)


def test_no_section_is_duckdb_with_defaults():
    s, problems = ledger_settings(ws_with(None))
    assert problems == []
    assert s == LedgerSettings(engine="duckdb", url_env="FISCALMAP_PG_URL",
                               schema="fiscalmap_us_federal", master="local[2]",
                               master_env="", parquet_rows=200_000)


def test_good_sections():
    s, problems = ledger_settings(ws_with({"engine": "postgres", "url_env": "CITY_PG",
                                           "schema": "city_ledger"}))
    assert problems == []
    assert (s.engine, s.url_env, s.schema) == ("postgres", "CITY_PG", "city_ledger")
    s, problems = ledger_settings(ws_with({"engine": "spark", "master": "spark://h:7077",
                                           "master_env": "SPARK_MASTER"}))
    assert problems == []
    assert (s.engine, s.master, s.master_env) == ("spark", "spark://h:7077", "SPARK_MASTER")
    s, problems = ledger_settings(ws_with({"parquet_rows": 5}))
    assert (s.engine, s.parquet_rows, problems) == ("duckdb", 5, [])


def test_default_schema_is_a_generated_name():
    assert default_schema("NYC-2024 budget") == "fiscalmap_nyc_2024_budget"


def test_every_problem_of_a_bad_section_is_listed():
    s, problems = ledger_settings(ws_with({
        "engine": "oracle", "url": "postgresql://me:secret@db/ledger", "url_env": "postgres://x",
        "schema": "Bad-Schema", "parquet_rows": 0, "masterr": "local[4]"}))
    text = [str(p) for p in problems]
    assert text == [
        "[ledger]: 'url' would put the connection address (and its password) in the manifest; "
        "set it in an environment variable and name the variable with 'url_env' (default "
        "FISCALMAP_PG_URL)",
        "`masterr`: unknown key in [ledger]; did you mean `master`?",
        "[ledger]: engine 'oracle' is not one of duckdb, postgres, spark",
        "[ledger]: 'url_env' names the environment variable that holds the address, not the "
        "address itself; set the address in a variable (for example FISCALMAP_PG_URL) and put "
        "its name here",
        "[ledger]: schema 'Bad-Schema' must be lower-case letters, digits and _ (at most 63, "
        "not starting with a digit or pg_)",
        "[ledger]: 'parquet_rows' must be a whole number of rows from 1, got 0"]
    assert "secret" not in " ".join(text)
    assert s.engine == "duckdb" and s.schema == "fiscalmap_us_federal"


def test_a_section_that_is_not_a_table():
    s, problems = ledger_settings(ws_with("postgres"))
    assert [str(p) for p in problems] == ["[ledger] must be a table of settings, got str"]
    assert s.engine == "duckdb"


def test_messages_in_chinese():
    _, problems = ledger_settings(ws_with({"engine": "oracle"}))
    with locales.use("zh"):
        assert str(problems[0]) == \
            "[ledger]：引擎 'oracle' 不是 duckdb, postgres, spark 中的一种"
    assert str(problems[0]) == "[ledger]: engine 'oracle' is not one of duckdb, postgres, spark"


def test_the_manifest_accepts_the_section(tmp_path):
    root = workspace(tmp_path / "ws", '[ledger]\nengine = "duckdb"\nparquet_rows = 10\n')
    ws = load_manifest(root)
    assert ws.settings["ledger"] == {"engine": "duckdb", "parquet_rows": 10}
    # A misspelt section is still an unknown top-level key.
    (root / "workspace.toml").write_text(
        (root / "workspace.toml").read_text(encoding="utf-8").replace("[ledger]", "[ledgers]"),
        encoding="utf-8")
    with pytest.raises(ManifestError, match="did you mean `ledger`"):
        load_manifest(root)


def test_duckdb_engine_caches_in_the_workspace_folder(monkeypatch):
    monkeypatch.delenv("FISCALMAP_CACHE_DIR", raising=False)
    led, problems = open_ledger(ws_with({"parquet_rows": 7}))
    assert isinstance(led, DuckLedger) and problems == []
    assert led.cache_dir == Path("/nonexistent/us_federal/.cache/ledger")
    assert led.parquet_rows == 7


def test_postgres_without_its_variable_falls_back_to_duckdb_and_says_so(monkeypatch):
    monkeypatch.delenv("CITY_PG", raising=False)
    led, problems = open_ledger(ws_with({"engine": "postgres", "url_env": "CITY_PG"}))
    assert isinstance(led, DuckLedger)
    assert [(p.severity, p.code, p.file) for p in problems] == [
        ("error", "ledger_fallback", "us_federal/workspace.toml")]
    assert str(problems[0].message) == (
        "the ledger engine postgres needs the connection address in the environment variable "
        "CITY_PG, which is not set; the ledger runs on DuckDB in this process instead of "
        "postgres until this is fixed")
    with locales.use("zh"):
        assert "CITY_PG" in str(problems[0].message)
        assert "DuckDB" in str(problems[0].message)
        assert "环境变量" in str(problems[0].message)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_that_refuses_falls_back_without_showing_the_password(monkeypatch):
    monkeypatch.setenv("FISCALMAP_PG_URL",
                       f"postgresql://me:s3cret-pw@127.0.0.1:{closed_port()}/ledger")
    led, problems = open_ledger(ws_with({"engine": "postgres"}))
    assert isinstance(led, DuckLedger)
    assert [p.code for p in problems] == ["ledger_fallback"]
    message = str(problems[0].message)
    assert message.startswith("the ledger engine postgres cannot start: ")
    assert "s3cret-pw" not in message


def test_spark_without_its_master_variable_falls_back(monkeypatch):
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    led, problems = open_ledger(ws_with({"engine": "spark", "master_env": "SPARK_MASTER"}))
    assert isinstance(led, DuckLedger)
    assert "SPARK_MASTER" in str(problems[0].message)
    assert "spark" in str(problems[0].message)


def test_an_engine_asked_for_explicitly_is_never_replaced(monkeypatch):
    monkeypatch.delenv("FISCALMAP_PG_URL", raising=False)
    with pytest.raises(LedgerEngineError, match="FISCALMAP_PG_URL"):
        open_ledger(ws_with(None), "postgres")
    with pytest.raises(LedgerEngineError, match="not one of duckdb, postgres, spark"):
        open_ledger(ws_with(None), "sqlite")
    # The explicit engine overrides the manifest's, and a ledger object is used as it is.
    led, _ = open_ledger(ws_with({"engine": "postgres"}), "duckdb")
    assert isinstance(led, DuckLedger)
    mine = Ledger()
    assert open_ledger(ws_with({"engine": "spark"}), mine) == (mine, [])


class Refusing(LedgerBase):
    """An engine that starts, then fails while the tables are copied (a server gone away)."""
    dialect = "postgres"

    def _store(self, sql_name, frame):
        raise ConnectionError("server closed the connection unexpectedly")


def test_an_engine_failing_while_copying_falls_back_when_configured(monkeypatch):
    import geodata.ledger.config as config
    monkeypatch.setattr(config, "_start", lambda s: Refusing())
    monkeypatch.setenv("FISCALMAP_PG_URL", "postgresql://127.0.0.1/x")

    def fill(led):
        led.add("a", pd.DataFrame({"region_id": ["01"], "fiscal_year": [2020], "amount": [1.5]}))

    led, problems = build_ledger(ws_with({"engine": "postgres"}), fill)
    assert type(led) is DuckLedger and led.total("a") == (1.5, 150)
    assert [str(p.message) for p in problems] == [
        "the ledger engine postgres failed while copying the tables: server closed the "
        "connection unexpectedly; the ledger runs on DuckDB in this process instead of "
        "postgres until this is fixed"]
    with pytest.raises(LedgerEngineError, match="failed while copying"):
        build_ledger(ws_with(None), fill, Refusing())


MANIFEST = """
[workspace]
title = "Ledger settings (test fixture)"
default_level = "county"
{section}
[[levels]]
id = "county"
label = "County"
file = "regions.geojson"
key = "id"
name = "name"

[[tables]]
id = "grants"
kind = "allocations"
level = "county"
file = "allocations.csv"
[tables.columns]
region_id = "region"
fiscal_year = "fy"
amount = "amount"
"""


def workspace(root: Path, section: str) -> Path:
    root.mkdir(parents=True)
    (root / "workspace.toml").write_text(MANIFEST.replace("{section}", section),
                                         encoding="utf-8")
    ring = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    (root / "regions.geojson").write_text(json.dumps({
        "type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"id": "01", "name": "One"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    (root / "allocations.csv").write_text("region,fy,amount\n01,2020,2.50\n01,2021,0.25\n",
                                          encoding="utf-8")
    return root


def test_the_workspace_opens_on_duckdb_and_data_quality_lists_the_reason(tmp_path,
                                                                           monkeypatch):
    monkeypatch.delenv("FISCALMAP_PG_URL", raising=False)
    data = WorkspaceData(load_manifest(workspace(tmp_path / "ws",
                                                 '[ledger]\nengine = "postgres"\n')))
    assert isinstance(data.ledger, DuckLedger)
    assert data.ledger.total("grants") == (2.75, 275)
    ledger_problems = [p for p in data.problems if p.code.startswith("ledger")]
    assert len(ledger_problems) == 1
    assert ledger_problems[0].text().startswith(
        "ws/workspace.toml: the ledger engine postgres needs the connection address in the "
        "environment variable FISCALMAP_PG_URL")


def test_an_explicit_engine_for_the_workspace_overrides_the_manifest(tmp_path, monkeypatch):
    monkeypatch.delenv("FISCALMAP_PG_URL", raising=False)
    ws = load_manifest(workspace(tmp_path / "ws", '[ledger]\nengine = "postgres"\n'))
    data = WorkspaceData(ws, ledger_engine="duckdb")
    assert isinstance(data.ledger, DuckLedger)
    assert [p for p in data.problems if p.code.startswith("ledger")] == []
    with pytest.raises(LedgerEngineError, match="FISCALMAP_PG_URL"):
        WorkspaceData(replace(ws, settings={}), ledger_engine="postgres").ledger
