"""Fixtures shared by the unit tests: the bundled demo workspaces, loaded once per module."""
from __future__ import annotations

import pytest


def _bundled(workspace_id: str):
    from geodata.dataset import WorkspaceData
    from geodata.workspace import discover_workspaces, load_manifest

    path = discover_workspaces().get(workspace_id)
    if path is None:
        pytest.skip(f"{workspace_id} workspace not present")
    return WorkspaceData(load_manifest(path))


@pytest.fixture(scope="module")
def us():
    return _bundled("us_federal")


@pytest.fixture(scope="module")
def boston():
    return _bundled("boston_region")
