"""A workspace whose ledger engine cannot be used opens on DuckDB, and Data quality says so at
the top of the page, naming what is missing."""
from __future__ import annotations

from tests.app.conftest import open_link
from tests.unit.test_ledger_config import workspace


def test_data_quality_says_at_the_top_that_the_ledger_runs_on_duckdb(tmp_path, monkeypatch):
    monkeypatch.delenv("FISCALMAP_PG_URL", raising=False)
    workspace(tmp_path / "ws" / "pg_site", '[ledger]\nengine = "postgres"\n')
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path / "ws"))
    at = open_link("pages/data_quality.py", "pg_site")
    first = at.error[0].value.replace("\\", "")
    assert "the ledger engine postgres needs the connection address in the environment " \
        "variable FISCALMAP_PG_URL, which is not set" in first
    assert "the ledger runs on DuckDB in this process instead of postgres" in first
