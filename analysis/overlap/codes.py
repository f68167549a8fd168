"""Columns as integer codes, and counts per group of codes: what keeps the check vectorised
(distinct values are stripped and tested once, not once per row)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.readers.numbers import BLANK


def _factor(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) of a column's distinct values, stripped; blank cells get -1. The
    stripping and the blank test run on the distinct values only."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = pd.Series(uniques).astype("string")
    stripped = u.str.strip()
    blank = stripped.str.lower().isin(BLANK).fillna(True).to_numpy(dtype=bool)
    labels = stripped.to_numpy(dtype=object)
    if not blank.any() and (stripped == u).all():
        return codes.astype(np.int64), labels
    return _recode(codes.astype(np.int64), labels, blank)


def _recode(codes: np.ndarray, labels: np.ndarray, drop: np.ndarray,
            new_labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Codes after dropping some labels (-1) and merging labels that became equal."""
    target = labels if new_labels is None else new_labels
    keep = ~drop
    ucodes, ulabels = pd.factorize(pd.Series(np.where(keep, target, None), dtype=object),
                                   use_na_sentinel=True)
    remap = np.append(ucodes.astype(np.int64), -1)
    out = remap[np.where(codes < 0, len(remap) - 1, codes)]
    return out, np.asarray(ulabels, dtype=object)


def _unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sorting is much faster here than NumPy's hashing unique)."""
    s = np.sort(x)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _group_ids(*arrays: np.ndarray) -> np.ndarray:
    """One id per distinct combination of the arrays (rows where any is negative: -1),
    numbered in order of first appearance."""
    n = len(arrays[0])
    valid = np.ones(n, dtype=bool)
    combined = np.zeros(n, dtype=np.int64)
    top = 1
    for a in arrays:
        a = np.asarray(a, dtype=np.int64)
        valid &= a >= 0
        span = int(a.max()) + 2 if n else 1
        if top * span >= 2 ** 62:
            combined = pd.factorize(combined)[0].astype(np.int64)
            top = int(combined.max()) + 1
        combined = combined * span + (a + 1)
        top *= span
    out = np.full(n, -1, dtype=np.int64)
    if valid.any():
        out[valid] = pd.factorize(combined[valid])[0]
    return out


def _distinct_per_group(group: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    m = (group >= 0) & (codes >= 0)
    if not m.any():
        return np.zeros(n_groups, np.int64)
    width = int(codes.max()) + 1
    combo = _unique(group[m].astype(np.int64) * width + codes[m])
    return np.bincount(combo // width, minlength=n_groups)


def _lists_per_group(group: np.ndarray, codes: np.ndarray, labels: np.ndarray,
                     wanted: np.ndarray) -> np.ndarray:
    """"a; b; c": the distinct labels of each wanted group, sorted (joined in Arrow), in the
    order of ``wanted``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    m = (codes >= 0) & (group >= 0)
    if not m.any() or not len(wanted):
        return np.full(len(wanted), "", dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), np.int64)
    rank[order] = np.arange(len(labels))
    width = len(labels)
    combo = _unique(group[m].astype(np.int64) * width + rank[codes[m]])
    g, r = combo // width, combo % width
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    values = pa.array(list(labels[order]), type=pa.large_string()).take(pa.array(r))
    lists = pa.LargeListArray.from_arrays(pa.array(np.r_[starts, len(g)], type=pa.int64()),
                                          values)
    joined = pc.binary_join(lists, pa.scalar("; ", pa.large_string())) \
        .to_numpy(zero_copy_only=False)
    by_group = np.full(int(max(g.max(), wanted.max())) + 1, "", dtype=object)
    by_group[g[starts]] = joined
    return by_group[wanted]


def _obj(values: np.ndarray) -> pd.Series:
    """A column of text kept as Python objects (no conversion to Arrow strings on the way into
    a frame: the frames are for reading and CSV, and the conversion costs more than the
    check)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _display_names(key: np.ndarray, name_codes: np.ndarray | None, name_labels: np.ndarray,
                   query: np.ndarray, key_labels: np.ndarray) -> np.ndarray:
    """The most frequent name (as written) of each key of ``query``; ties: the name met first;
    the key's own label when it has no name."""
    fallback = key_labels[query].astype(object)
    if name_codes is None or not len(query):
        return fallback
    m = (key >= 0) & (name_codes >= 0)
    width = len(name_labels) + 1
    combo = np.sort(key[m] * width + name_codes[m])
    if not len(combo):
        return fallback
    start = np.flatnonzero(np.r_[True, combo[1:] != combo[:-1]])
    counts = np.diff(np.r_[start, len(combo)])
    u = combo[start]
    k, nm = u // width, u % width
    best = np.lexsort((nm, -counts, k))
    k, nm = k[best], nm[best]
    first = np.r_[True, k[1:] != k[:-1]]
    by_key = np.full(len(key_labels), None, dtype=object)
    by_key[k[first]] = name_labels[nm[first]]
    names = by_key[query]
    return np.where(pd.isna(names), fallback, names)
