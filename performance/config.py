"""The manifest's ``[early_warning]`` section: which table is watched and how.

:func:`early_warning_config` reads and checks the section strictly (unknown keys with the
nearest valid one, every problem listed at once, raised as one
:class:`~geodata.workspace.ManifestError`). A workspace without the section gets the
defaults: the first allocations table with quarters or months, the first plans table of the
same level (if any), rule ``plan`` when there is a plan and ``profile`` otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from geodata.workspace import MANIFEST_NAME, ManifestError, TableSpec, Workspace, unknown_keys

from .pace import RULES, Thresholds, threshold_problems

SECTION = "early_warning"
KEYS = ("table", "plan_table", "rule", "profile_years", "yellow", "red", "ahead", "floors",
        "by")
BY_COLUMNS = ("agency", "program", "fund")
DEFAULTS = {"profile_years": 5, "yellow": 5.0, "red": 10.0, "ahead": 15.0}
_WHERE = f"[{SECTION}]"


@dataclass(frozen=True)
class EarlyWarningConfig:
    table: str                               # the allocations table watched
    plan_table: str | None = None            # a plans table (budget, appropriation)
    rule: str = "profile"                    # profile | elapsed | plan
    profile_years: int = 5
    thresholds: Thresholds = Thresholds()
    floors: dict[int, float] = field(default_factory=dict)   # quarter → % of the year
    by: str | None = None                    # a breakdown column: agency, program or fund

    def with_rule(self, rule: str | None) -> "EarlyWarningConfig":
        """The same settings under another rule (the page's and the command line's choice);
        ``plan`` needs a plan table."""
        from dataclasses import replace
        if rule is None or rule == self.rule:
            return self
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
        if rule == "plan" and not self.plan_table:
            raise ValueError("rule 'plan' needs a plans table (kind = \"plans\"); this "
                             "workspace has none")
        return replace(self, rule=rule)

    def rules(self) -> list[str]:
        """The rules this workspace can use."""
        return [r for r in RULES if r != "plan" or self.plan_table]


def _has_periods(t: TableSpec) -> bool:
    have = set(t.columns) | set(t.constants)
    return bool({"quarter", "month"} & have) or t.wide_columns is not None


def _columns(t: TableSpec) -> set[str]:
    return set(t.columns) | set(t.constants)


def _named_table(ws: Workspace, table_id: Any, kind: str, key: str,
                 problems: list[str]) -> TableSpec | None:
    """The table a key of the section names, if it is one of ``kind``; else a problem."""
    table = next((t for t in ws.tables if t.id == table_id), None)
    if table is not None and table.kind == kind:
        return table
    article = "an" if kind[0] in "aeiou" else "a"
    problems.append(f"{_WHERE}: '{key}' = {table_id!r} is not {article} {kind} table; "
                    f"{kind} tables: {', '.join(t.id for t in ws.tables_of(kind)) or 'none'}")
    return None


def early_warning_config(ws: Workspace) -> EarlyWarningConfig:
    """The checked ``[early_warning]`` settings of ``ws`` (defaults where the section is
    silent). Raises :class:`ManifestError` listing every problem of the section."""
    raw: Any = ws.settings.get(SECTION, {})
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ManifestError(ws.path / MANIFEST_NAME,
                            [f"{_WHERE} must be a table of settings, got {type(raw).__name__}"])
    problems += unknown_keys(raw, KEYS, _WHERE, aliases={
        "allocations": "table", "plan": "plan_table", "years": "profile_years",
        "orange": "yellow", "breakdown": "by", "floor": "floors", "method": "rule"})

    allocations = ws.tables_of("allocations")
    table_id = raw.get("table")
    table: TableSpec | None = None
    if table_id is not None:
        table = _named_table(ws, table_id, "allocations", "table", problems)
    else:
        table = next((t for t in allocations if _has_periods(t)), None) or \
            next(iter(allocations), None)
        if table is None:
            problems.append(f"{_WHERE}: the workspace has no allocations table to watch")

    plans = ws.tables_of("plans")
    plan_id = raw.get("plan_table")
    plan: TableSpec | None = None
    if plan_id is not None:
        plan = _named_table(ws, plan_id, "plans", "plan_table", problems)
    elif table is not None:
        plan = next((t for t in plans if t.level == table.level), None)
    if plan is not None and table is not None and plan.level != table.level:
        problems.append(f"{_WHERE}: 'plan_table' {plan.id!r} is at level {plan.level!r} but "
                        f"the table {table.id!r} is at level {table.level!r}; they must match")

    rule = raw.get("rule", "plan" if plan is not None else "profile")
    if rule not in RULES:
        problems.append(f"{_WHERE}: 'rule' must be one of {', '.join(RULES)}, got {rule!r}")
    elif rule == "plan" and plan is None and plan_id is None:
        problems.append(f"{_WHERE}: rule \"plan\" needs a plans table (kind = \"plans\"); "
                        "none is named or found; use \"profile\" or \"elapsed\"")

    years = raw.get("profile_years", DEFAULTS["profile_years"])
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 30:
        problems.append(f"{_WHERE}: 'profile_years' must be a whole number from 1 to 30, "
                        f"got {years!r}")
    levels = {k: raw.get(k, DEFAULTS[k]) for k in ("yellow", "red", "ahead")}
    problems += [f"{_WHERE}: {p}" for p in threshold_problems(**levels)]
    floors = _floors(raw.get("floors"), problems)

    by = raw.get("by")
    if by is not None:
        if by not in BY_COLUMNS:
            problems.append(f"{_WHERE}: 'by' must be one of {', '.join(BY_COLUMNS)}, "
                            f"got {by!r}")
        elif table is not None and by not in _columns(table):
            problems.append(f"{_WHERE}: 'by' = {by!r} is not a column of table {table.id!r} "
                            f"(its columns: {', '.join(sorted(_columns(table)))})")
    if problems:
        raise ManifestError(ws.path / MANIFEST_NAME, problems)
    return EarlyWarningConfig(
        table=table.id, plan_table=plan.id if plan is not None else None, rule=rule,
        profile_years=years, thresholds=Thresholds(**{k: float(v) for k, v in levels.items()}),
        floors=floors, by=by)


def _floors(raw: Any, problems: list[str]) -> dict[int, float]:
    """``{3 = 60}`` (TOML keys are text) → {3: 60.0}; quarters 1-4, percent 0-100, not
    falling from one quarter to the next."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{_WHERE}: 'floors' must be a table of quarter = percent, such as "
                        f"{{3 = 60}}, got {raw!r}")
        return {}
    out: dict[int, float] = {}
    for key, value in raw.items():
        q = str(key).strip().upper().removeprefix("Q")
        if not (q.isdigit() and 1 <= int(q) <= 4):
            problems.append(f"{_WHERE}: floors: {key!r} is not a quarter (1 to 4)")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not 0 < value <= 100:
            problems.append(f"{_WHERE}: floors: quarter {q} must be a percent of the year "
                            f"above 0 and at most 100, got {value!r}")
            continue
        out[int(q)] = float(value)
    ordered = sorted(out.items())
    for (q1, v1), (q2, v2) in zip(ordered, ordered[1:]):
        if v2 < v1:
            problems.append(f"{_WHERE}: floors: quarter {q2} ({v2:g}%) is below quarter {q1} "
                            f"({v1:g}%); spending to date cannot fall, so a later floor must "
                            "be at least as high")
    return dict(ordered)
