"""Road length per condition class per area, from segments or from a town bin table.

Shares are of the *rated* length (length with a score in the scheme's range); length with no
score is its own "No data" class, counted and shown, never dropped.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from layers.road_condition import NO_DATA, ConditionScheme
from locales import N_

from ..load import normalise_keys, parse_numbers, relative_name
from ..problems import Problem, Text, problem_for_rows
from ..workspace import Workspace
from .config import METRES_PER, BinSpec

LENGTH_COLUMNS = ("total", "rated", "good_or_better", "poor")

def class_columns(scheme: ConditionScheme) -> list[str]:
    return [*scheme.labels, NO_DATA]


def condition_by_area(pieces: pd.DataFrame, segments: pd.DataFrame, scheme: ConditionScheme,
                      area_ids: list[str], *, unit: str = "mi") -> pd.DataFrame:
    """Length of road per condition class per area (index region_id), in ``unit``.

    Columns: one per class label, ``No data``, then ``total``, ``rated``, ``good_or_better``
    and ``poor`` (lengths) — shares come from :func:`with_status`.
    """
    cls = scheme.classify(segments["score"])
    labels = np.array(scheme.label_of(cls), dtype=object)
    lab = pd.Series(labels[pieces["_i"].to_numpy().astype(int)] if len(pieces) else [],
                    index=pieces.index, dtype="object")
    length = pieces["length_m"] / METRES_PER[unit]
    table = (pd.DataFrame({"region_id": pieces["region_id"].astype(str), "cls": lab, "len": length})
             .pivot_table(index="region_id", columns="cls", values="len", aggfunc="sum", fill_value=0.0)
             if len(pieces) else pd.DataFrame())
    table = table.reindex(index=pd.Index(area_ids, name="region_id"),
                          columns=class_columns(scheme)).fillna(0.0)
    table.columns.name = None
    return _totals(table, scheme)


def _totals(table: pd.DataFrame, scheme: ConditionScheme) -> pd.DataFrame:
    out = table.copy()
    out["total"] = out[class_columns(scheme)].sum(axis=1)
    out["rated"] = out[list(scheme.labels)].sum(axis=1)
    out["good_or_better"] = out[list(scheme.good_or_better)].sum(axis=1)
    out["poor"] = out[list(scheme.poor)].sum(axis=1)
    return out


def load_bins(ws: Workspace, spec: BinSpec, regions: pd.DataFrame
              ) -> tuple[pd.DataFrame, list[Problem]]:
    """The town bin table as lengths per class per region (canonical labels), with problems."""
    fname = relative_name(ws, spec.file)
    problems: list[Problem] = []
    try:
        raw = pd.read_csv(spec.file, dtype=str, keep_default_na=False, encoding=spec.encoding)
    except Exception as exc:  # noqa: BLE001
        return pd.DataFrame(), [Problem("error", fname, Text(N_("cannot be read: {error}"),
                                                             error=str(exc)),
                                        code="unreadable")]
    raw.columns = [c.strip().lstrip("\ufeff") for c in raw.columns]
    missing = [c for c in [spec.key, *spec.columns.values()] if c not in raw.columns]
    if missing:
        return pd.DataFrame(), [Problem("error", fname, Text(N_("column(s) not in the file: "
                                                                "{columns}"),
                                                             columns=", ".join(missing)),
                                        code="missing_column")]
    lines = np.arange(len(raw)) + 2
    if spec.by_name:
        from ..load import normalise_name
        lookup = {normalise_name(n): r for r, n in zip(regions["region_id"], regions["name"])}
        ids = raw[spec.key].map(lambda n: lookup.get(normalise_name(n)))
    else:
        ids = normalise_keys(raw[spec.key], width=None, file=fname, column=spec.key,
                             problems=problems)
    known = set(regions["region_id"].astype(str))
    unknown = ~ids.astype("string").isin(known).fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} row(s) name an area that is not in the boundary layer; "
                                      "not counted"), n=f"{int(unknown.sum()):,}"),
            column=spec.key, line_numbers=lines[unknown], values=raw.loc[unknown, spec.key],
            expected=Text(N_("an area of the level")), code="unknown_key"))
    out = pd.DataFrame({"region_id": ids.astype("string")})
    for label, col in spec.columns.items():
        vals, bad = parse_numbers(raw[col])
        if bad.any():
            problems.append(problem_for_rows(
                "error", fname, Text(N_("{n} length(s) are not numbers; counted as 0"),
                                     n=f"{int(bad.sum()):,}"),
                column=col, line_numbers=lines[bad.to_numpy()], values=raw.loc[bad, col],
                expected=Text(N_("a length")), code="bad_number"))
        neg = (vals < 0).fillna(False)
        if neg.any():
            problems.append(problem_for_rows(
                "error", fname, Text(N_("{n} negative length(s); counted as 0"),
                                     n=f"{int(neg.sum()):,}"),
                column=col, line_numbers=lines[neg.to_numpy()], values=raw.loc[neg, col],
                expected=Text(N_("a length ≥ 0")), code="negative_length"))
            vals = vals.where(~neg)
        out[label] = vals.fillna(0.0).to_numpy()
    out = out[~unknown]
    return out.groupby("region_id").sum(), problems


def bins_by_area(bins: pd.DataFrame, scheme: ConditionScheme, area_ids: list[str], *,
                 from_unit: str = "mi", unit: str = "mi") -> pd.DataFrame:
    """Bin lengths (by class label) per area, in the same layout as :func:`condition_by_area`.

    Areas missing from the table get NaN totals (no data), not zero miles.
    """
    t = bins.reindex(columns=class_columns(scheme)).fillna(0.0) * (METRES_PER[from_unit] / METRES_PER[unit])
    have = t.index.astype(str)
    t.index = have
    t = t.reindex(pd.Index(area_ids, name="region_id"))
    out = _totals(t.fillna(0.0), scheme)
    out.loc[~out.index.isin(have), list(LENGTH_COLUMNS)] = np.nan
    return out


def combine(*tables: pd.DataFrame) -> pd.DataFrame:
    """Sum the lengths of several road classes (their own schemes) per area: total, rated,
    good_or_better, poor and No data. NaN only where every part is NaN."""
    cols = [*LENGTH_COLUMNS, NO_DATA]
    parts = [t.reindex(columns=cols) for t in tables]
    stacked = pd.concat(parts, keys=range(len(parts)))
    return stacked.groupby(level=1, sort=False).sum(min_count=1).reindex(parts[0].index)


