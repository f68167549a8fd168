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
from locales import t

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
            raise ValueError(t("unknown rule {rule}; one of {rules}", rule=repr(rule),
                               rules=", ".join(RULES)))
        if rule == "plan" and not self.plan_table:
            raise ValueError(t("rule 'plan' needs a plans table (kind = \"plans\"); this "
                               "workspace has none"))
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
    table = next((spec for spec in ws.tables if spec.id == table_id), None)
    if table is not None and table.kind == kind:
        return table
    fields = {"where": _WHERE, "key": key, "value": repr(table_id),
              "tables": ", ".join(spec.id for spec in ws.tables_of(kind)) or t("none")}
    if kind == "plans":
        problems.append(t("{where}: '{key}' = {value} is not a plans table; plans tables: "
                          "{tables}", **fields))
    else:
        problems.append(t("{where}: '{key}' = {value} is not an allocations table; "
                          "allocations tables: {tables}", **fields))
    return None


def early_warning_config(ws: Workspace) -> EarlyWarningConfig:
    """The checked ``[early_warning]`` settings of ``ws`` (defaults where the section is
    silent). Raises :class:`ManifestError` listing every problem of the section."""
    raw: Any = ws.settings.get(SECTION, {})
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ManifestError(ws.path / MANIFEST_NAME,
                            [t("{where} must be a table of settings, got {type}", where=_WHERE,
                               type=type(raw).__name__)])
    problems += unknown_keys(raw, KEYS, _WHERE, aliases={
        "allocations": "table", "plan": "plan_table", "years": "profile_years",
        "orange": "yellow", "breakdown": "by", "floor": "floors", "method": "rule"})

    allocations = ws.tables_of("allocations")
    table_id = raw.get("table")
    table: TableSpec | None = None
    if table_id is not None:
        table = _named_table(ws, table_id, "allocations", "table", problems)
    else:
        table = next((spec for spec in allocations if _has_periods(spec)), None) or \
            next(iter(allocations), None)
        if table is None:
            problems.append(t("{where}: the workspace has no allocations table to watch",
                              where=_WHERE))

    plans = ws.tables_of("plans")
    plan_id = raw.get("plan_table")
    plan: TableSpec | None = None
    if plan_id is not None:
        plan = _named_table(ws, plan_id, "plans", "plan_table", problems)
    elif table is not None:
        plan = next((spec for spec in plans if spec.level == table.level), None)
    if plan is not None and table is not None and plan.level != table.level:
        problems.append(t("{where}: 'plan_table' {plan} is at level {plan_level} but the table "
                          "{table} is at level {table_level}; they must match", where=_WHERE,
                          plan=repr(plan.id), plan_level=repr(plan.level),
                          table=repr(table.id), table_level=repr(table.level)))

    rule = raw.get("rule", "plan" if plan is not None else "profile")
    if rule not in RULES:
        problems.append(t("{where}: 'rule' must be one of {rules}, got {rule}", where=_WHERE,
                          rules=", ".join(RULES), rule=repr(rule)))
    elif rule == "plan" and plan is None and plan_id is None:
        problems.append(t("{where}: rule \"plan\" needs a plans table (kind = \"plans\"); none "
                          "is named or found; use \"profile\" or \"elapsed\"", where=_WHERE))

    years = raw.get("profile_years", DEFAULTS["profile_years"])
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 30:
        problems.append(t("{where}: 'profile_years' must be a whole number from 1 to 30, got "
                          "{value}", where=_WHERE, value=repr(years)))
    levels = {k: raw.get(k, DEFAULTS[k]) for k in ("yellow", "red", "ahead")}
    problems += [f"{_WHERE}: {p}" for p in threshold_problems(**levels)]
    floors = _floors(raw.get("floors"), problems)

    by = raw.get("by")
    if by is not None:
        if by not in BY_COLUMNS:
            problems.append(t("{where}: 'by' must be one of {columns}, got {value}",
                              where=_WHERE, columns=", ".join(BY_COLUMNS), value=repr(by)))
        elif table is not None and by not in _columns(table):
            problems.append(t("{where}: 'by' = {value} is not a column of table {table} (its "
                              "columns: {columns})", where=_WHERE, value=repr(by),
                              table=repr(table.id), columns=", ".join(sorted(_columns(table)))))
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
        problems.append(t("{where}: 'floors' must be a table of quarter = percent, such as "
                          "{example}, got {value}", where=_WHERE, example="{3 = 60}",
                          value=repr(raw)))
        return {}
    out: dict[int, float] = {}
    for key, value in raw.items():
        q = str(key).strip().upper().removeprefix("Q")
        if not (q.isdigit() and 1 <= int(q) <= 4):
            problems.append(t("{where}: floors: {key} is not a quarter (1 to 4)", where=_WHERE,
                              key=repr(key)))
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not 0 < value <= 100:
            problems.append(t("{where}: floors: quarter {q} must be a percent of the year above "
                              "0 and at most 100, got {value}", where=_WHERE, q=q,
                              value=repr(value)))
            continue
        out[int(q)] = float(value)
    ordered = sorted(out.items())
    for (q1, v1), (q2, v2) in zip(ordered, ordered[1:]):
        if v2 < v1:
            problems.append(t("{where}: floors: quarter {later} ({later_pct}) is below quarter "
                              "{earlier} ({earlier_pct}); spending to date cannot fall, so a "
                              "later floor must be at least as high", where=_WHERE,
                              later=str(q2), later_pct=f"{v2:g}%", earlier=str(q1),
                              earlier_pct=f"{v1:g}%"))
    return dict(ordered)
