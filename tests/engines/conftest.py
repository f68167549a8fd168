"""Fixtures of the engine tests: a throwaway PostgreSQL cluster for the whole session."""
from __future__ import annotations

import pytest

from tests import pg_server


@pytest.fixture(scope="session")
def pg_url():
    """URL of a PostgreSQL cluster started for this test session (stopped and deleted after);
    the test is skipped, with the reason, where no server binaries are installed."""
    reason = pg_server.missing()
    if reason:
        pytest.skip(reason)
    with pg_server.pg_cluster() as url:
        yield url
