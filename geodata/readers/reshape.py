"""A read table shaped by its manifest entry: periods as columns, units, key crosswalks.

Each step takes the text cells as read and the table's manifest entry, and returns the new
cells with the problems it found; none raises for the file's content. The rules (documented in
``docs/workspace-manifest.md``):

- **Wide tables** (``wide_columns``): the named columns (or, with ``"auto"``, every column
  whose header is a year or quarter: ``2022``, ``2022年``, ``FY2022``, ``Q3 2022``) become one
  row per region and period; the header gives the year (and quarter), the cell the value. A
  named column that is missing or whose header is not a period is reported; the rest are used.
- **Scales** (``amount_scale``, ``population_scale``, ``value_scale``): the numbers are
  multiplied by the factor (``亿元`` = × 100,000,000) and that is reported, so the map shows
  base units ("CNY per resident", never "亿元 per resident"). A unit column mapped as
  ``unit`` scales each row by its own unit; a unit not understood keeps its row out, reported.
  A header that names a unit when the manifest gives no scale is reported, not applied.
- **Crosswalks** (``crosswalk``): a file of ``from`` → ``to`` keys, applied to the table's
  region keys before they are matched; the user's file is never changed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from locales import N_

from ..problems import Problem, Text, problem_for_rows
from ..workspace import SCALE_KEYS, WIDE_TARGETS, TableSpec
from .text import ReadResult, read_table_file

#: The columns a wide table's unpivot produces, by canonical role.
PERIOD_YEAR, PERIOD_QUARTER, PERIOD_VALUE, PERIOD_COLUMN = "_year", "_quarter", "_value", \
    "_column"


def unpivot_periods(res: ReadResult, spec: TableSpec, fname: str,
                    problems: list[Problem]) -> tuple[pd.DataFrame, np.ndarray]:
    """The wide table's period columns as rows: ``(frame, physical lines)``.

    The frame keeps every other column and gains ``_year``, ``_quarter``, ``_value`` and
    ``_column`` (the header each value came from).
    """
    from .wide import period_columns, unpivot

    frame = res.frame
    wanted = spec.wide_columns
    year_span = spec.options.get("year_span")
    names = [str(c) for c in frame.columns]
    if wanted == "auto":
        used = {v for v in spec.columns.values()}
        periods, refused = period_columns([c for c in names if c not in used],
                                          year_span=year_span)
        refused = [(c, why) for c, why in refused]
    else:
        missing = [c for c in wanted if c not in names]
        if missing:
            problems.append(Problem(
                "error", fname, Text(N_("{n} column(s) named in wide_columns are not in the file: "
                                        "{columns}"), n=f"{len(missing):,}",
                                     columns=", ".join(missing)[:300]),
                expected=Text(N_("one of the file's columns: {columns}"),
                              columns=", ".join(names[:25])),
                code="missing_column"))
        present = [c for c in wanted if c in names]
        periods, refused = period_columns(present, year_span=year_span)
        seen = {p.column for p in periods} | {c for c, _why in refused}
        refused = [*refused, *((c, N_("not a year or quarter")) for c in present
                               if c not in seen)]
    if refused:
        problems.append(Problem(
            "error" if wanted != "auto" else "warning", fname,
            Text(N_("{n} column header(s) could not be read as a year or quarter and are not used: "
                    "{columns}"), n=f"{len(refused):,}",
                 columns="; ".join(f"{c!r}: {Text(why)}" for c, why in refused)[:400]),
            expected=Text(N_("headers such as 2022, 2022年, FY2022, Q3 2022 (a span such as 2021-22 "
                             "needs year_span)")), code="bad_period_column"))
    if not periods:
        problems.append(Problem(
            "error", fname, Text(N_("no column header is a year or quarter, so the wide table has "
                                    "no values")),
            expected=Text(N_("period columns such as 2022, 2022年, FY2022, Q3 2022")),
            code="no_period_columns"))
        return pd.DataFrame(), np.array([], dtype=np.int64)
    years = [p.year for p in periods]
    dup = sorted({(p.year, p.quarter) for p in periods
                  if sum(1 for q in periods if (q.year, q.quarter) == (p.year, p.quarter)) > 1})
    if dup:
        problems.append(Problem(
            "error", fname, Text(N_("two columns give the same period: {periods}; both are kept "
                                    "and their values add up"), periods=", ".join(
                                  str(y) + (f" Q{q}" if q else "") for y, q in dup)),
            expected=Text(N_("one column per period")), code="duplicate_period"))
    problems.append(Problem(
        "note", fname, Text(N_("{n} period column(s) read as rows ({first}–{last}): {columns}"),
                            n=f"{len(periods):,}", first=str(min(years)), last=str(max(years)),
                            columns=", ".join(p.column for p in periods)[:300]),
        code="wide_table"))
    return unpivot(frame, res.lines, periods)


def long_columns(spec: TableSpec) -> dict[str, str]:
    """The canonical → frame column mapping once a wide table is long."""
    columns = dict(spec.columns)
    if spec.wide_columns is None:
        return columns
    year_col, value_col = WIDE_TARGETS[spec.kind]
    columns[year_col] = PERIOD_YEAR
    columns[value_col] = PERIOD_VALUE
    if spec.kind == "allocations" and "quarter" not in columns:
        columns["quarter"] = PERIOD_QUARTER
    return columns


_BASE = {"allocations": "currency", "population": "persons"}


def declared_scale(spec: TableSpec):
    """The table's scale from the manifest, as a :class:`~geodata.readers.units.Scale`."""
    from .units import parse_scale

    raw = spec.scale
    return None if raw is None else parse_scale(raw)


def apply_scale(out: pd.DataFrame, spec: TableSpec, fname: str, currency: str,
                header: str, problems: list[Problem]) -> None:
    """Multiply the table's value column by its declared scale, or by each row's unit."""
    from .units import SCALE_REASONS, scale_by_row, scale_from_header

    value_col = WIDE_TARGETS.get(spec.kind, (None, None))[1]
    if value_col is None or value_col not in out or value_col in spec.constants:
        return
    key = SCALE_KEYS[spec.kind]
    scale = declared_scale(spec)
    if "unit" in out and spec.kind in ("allocations", "population"):
        src = spec.columns.get("unit", "unit")
        if scale is not None:
            problems.append(Problem(
                "warning", fname, Text(N_("both a unit column ({column}) and {key} are given; each "
                                          "row's unit is used and {key} is ignored"), column=src,
                                       key=key), column=src,
                expected=Text(N_("either a unit column or {key}"), key=key), code="scale_conflict"))
        values, reason = scale_by_row(out[value_col], out["unit"].astype("string"),
                                      base=_BASE.get(spec.kind), currency=currency or None)
        had = out[value_col].notna()
        for code, rows in reason[had].dropna().groupby(reason[had].dropna()).groups.items():
            problems.append(problem_for_rows(
                "error", fname, Text(N_("{n} row(s): {reason}; they are left out of the map"),
                                     n=f"{len(rows):,}", reason=Text(SCALE_REASONS[code])),
                column=src, line_numbers=out.loc[rows, "_line"],
                values=out.loc[rows, "unit"], expected=Text(N_("a unit such as {units}"), units=(
                    "元, 万元, 亿元, thousand, USD millions" if spec.kind == "allocations"
                    else "人, 万人, thousand persons")), code="bad_unit"))
        bad = (reason.notna() & had).to_numpy()
        if bad.any():
            out[f"_bad_{value_col}"] = np.asarray(out.get(f"_bad_{value_col}", False)) | bad
        units = out["unit"].astype("string").str.strip().dropna().unique()
        if len(units) > 1:
            problems.append(Problem(
                "note", fname, Text(N_("the unit differs by row ({units}); each row is scaled by "
                                       "its own unit"), units=", ".join(map(str, units[:8]))),
                column=src, code="unit_by_row"))
        out[value_col] = values
        _refuse_too_large(out, value_col, fname, src, problems)
        return
    if scale is None:
        written = scale_from_header(header) if header else None
        if written is not None and written.factor != 1:
            problems.append(Problem(
                "warning", fname, Text(N_("the column header {header} names a unit ({unit}), but "
                                          "the manifest gives no {key}; the numbers are used as "
                                          "they are"),
                                       header=repr(header), unit=written.describe(currency),
                                       key=key), column=header,
                expected=Text(N_('{key} = "{scale}" to apply it, or {key} = 1 to confirm the '
                                 'numbers are already in base units'), key=key, scale=written.text),
                code="unit_in_header"))
        return
    want = _BASE.get(spec.kind)
    if want and scale.base and scale.base != want:
        fields = {"key": key, "scale": repr(scale.text), "kind": spec.kind}
        if want == "currency":
            text = Text(N_("{key} = {scale} is a unit of persons, but a {kind} table counts "
                           "currency; it is not applied"), **fields)
            expected = Text(N_("a {key} in currency (or a plain factor)"), key=key)
        else:
            text = Text(N_("{key} = {scale} is a unit of currency, but a {kind} table counts "
                           "persons; it is not applied"), **fields)
            expected = Text(N_("a {key} in persons (or a plain factor)"), key=key)
        problems.append(Problem("error", fname, text, column=header or None, expected=expected,
                                code="wrong_scale"))
        return
    if currency and getattr(scale, "currency", "") and scale.currency != currency:
        problems.append(Problem(
            "warning", fname, Text(N_("{key} = {scale} names {currency}, but the workspace's "
                                      "currency is {workspace}; the numbers are scaled, not "
                                      "converted"), key=key,
                                   scale=repr(scale.text), currency=scale.currency,
                                   workspace=currency), column=header or None,
            expected=Text(N_("amounts in {currency}"), currency=currency), code="other_currency"))
    if scale.factor != 1:
        out[value_col] = out[value_col] * scale.factor
        _refuse_too_large(out, value_col, fname, header, problems)
    problems.append(Problem(
        "note", fname, Text(N_("{column} values multiplied by {factor} ({scale}), as {key} says"),
                            column=value_col, factor=f"{scale.factor:,.10g}",
                            scale=scale.describe(currency), key=key), column=header or None,
        code="scaled"))


def _refuse_too_large(out: pd.DataFrame, value_col: str, fname: str, column: str,
                      problems: list[Problem]) -> None:
    """Scaled amounts must still add up to the cent (below 9×10¹⁶)."""
    from ..ledger import MAX_ABS_AMOUNT

    v = out[value_col]
    big = (v.abs() >= MAX_ABS_AMOUNT).fillna(False).to_numpy()
    if not big.any():
        return
    problems.append(problem_for_rows(
        "error", fname, Text(N_("{n} value(s) are too large once scaled to be added up to the "
                                "cent; those rows are left out of the map"),
                             n=f"{int(big.sum()):,}"),
        column=column, line_numbers=out.loc[big, "_line"], values=v[big],
        expected=Text(N_("a scaled amount below {limit}"), limit=f"{MAX_ABS_AMOUNT:,.0f}"),
        code="too_large"))
    out.loc[big, value_col] = np.nan
    out[f"_bad_{value_col}"] = np.asarray(out.get(f"_bad_{value_col}", False)) | big


def crosswalk_keys(keys: pd.Series, spec: TableSpec, ws_path: Path, lines: pd.Series,
                   problems: list[Problem]) -> pd.Series:
    """The table's keys with its crosswalk applied (unchanged when it has none)."""
    if spec.crosswalk is None:
        return keys
    from .keys import apply_crosswalk, read_crosswalk

    cw_name = str(spec.crosswalk.relative_to(ws_path)) \
        if spec.crosswalk.is_relative_to(ws_path) else spec.crosswalk.name
    res = read_table_file(spec.crosswalk)
    for n in res.notes:
        problems.append(Problem(n.severity, cw_name, n.message, rows=n.lines, values=n.values,
                                expected=n.expected, code=n.code))
    if res.frame.shape[1] < 2:
        problems.append(Problem("error", cw_name, Text(N_("the crosswalk needs two columns, from "
                                                          "and to; it is not applied")),
                                expected=Text(N_("columns from,to")), code="bad_crosswalk"))
        return keys
    mapping, cw_problems = read_crosswalk(res.frame, file=cw_name)
    problems.extend(cw_problems)
    new, changed = apply_crosswalk(keys, mapping)
    if changed.any():
        fname = spec.file.name
        problems.append(problem_for_rows(
            "note", fname, Text(N_("{n} row(s) matched through the crosswalk {file}"),
                                n=f"{int(changed.sum()):,}", file=cw_name),
            column=spec.columns.get("region_id") or spec.columns.get("region_name"),
            line_numbers=pd.unique(lines[changed]), values=keys[changed], code="crosswalk"))
    return new
