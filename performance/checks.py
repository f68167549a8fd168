"""The performance sections of a manifest checked together, for Data quality."""
from __future__ import annotations

from geodata.workspace import ManifestError, Workspace

from .config import early_warning_config
from .targets import parse_targets


def settings_problems(ws: Workspace) -> list[str]:
    """Every problem of the ``[early_warning]`` and ``[targets]`` sections (empty when they
    are absent or right)."""
    out: list[str] = []
    if "early_warning" in ws.settings:
        try:
            early_warning_config(ws)
        except ManifestError as exc:
            out += exc.problems
    if "targets" in ws.settings:
        out += parse_targets(ws.settings["targets"])[1]
    return out
