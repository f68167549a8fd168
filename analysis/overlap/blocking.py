"""Candidate pairs by blocking, never by comparing every award with every other: the pairs
inside groups of equal keys, and sorted-neighbourhood scans for tolerances and date windows."""
from __future__ import annotations

import numpy as np


def _pairs_in_groups(block: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) of rows sharing a block id (>= 0)."""
    idx = np.flatnonzero(block >= 0)
    if len(idx) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = idx[np.argsort(block[idx], kind="stable")]
    b = block[order]
    start = np.r_[True, b[1:] != b[:-1]]
    gid = np.cumsum(start) - 1
    starts = np.flatnonzero(start)
    rank = np.arange(len(b)) - starts[gid]          # position inside its group
    total = int(rank.sum())
    if total > limit:
        raise _TooMany(total)
    later = np.repeat(np.arange(len(b)), rank)
    offset = np.arange(total) - np.repeat(np.cumsum(rank) - rank, rank)
    earlier = starts[gid][later] + offset
    a, c = order[earlier], order[later]
    return np.minimum(a, c), np.maximum(a, c)


def _pairs_within(block: np.ndarray, value: np.ndarray, tol: float,
                  limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) of rows sharing a block id whose values differ by at most ``tol``
    (sorted neighbourhood: once no pair is found at distance k in the sort, none is further)."""
    ok = (block >= 0) & ~np.isnan(value)
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = idx[np.lexsort((value[idx], block[idx]))]
    b, v = block[order], value[order]
    out_a, out_b, total = [], [], 0
    for k in range(1, len(b)):
        hit = (b[k:] == b[:-k]) & (v[k:] - v[:-k] <= tol)
        if not hit.any():
            break
        pos = np.flatnonzero(hit)
        total += len(pos)
        if total > limit:
            raise _TooMany(total)
        out_a.append(order[pos])
        out_b.append(order[pos + k])
    if not out_a:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    a, c = np.concatenate(out_a), np.concatenate(out_b)
    return np.minimum(a, c), np.maximum(a, c)


class _TooMany(Exception):
    def __init__(self, n: int):
        super().__init__(n)
        self.n = n
