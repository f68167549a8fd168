"""The columns the rules name, read into codes: the columns checked to be there, amounts in
whole cents, periods, the recipient key of each row (by id, or by normalised name) and the
funder, programme and agency codes."""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from geodata.readers.numbers import parse_numbers
from locales import N_, t

from .. import AnalysisError
from .codes import _factor, _recode
from .normalise import normalise_name
from .rules import OverlapRules


def _refuse_columns(items: pd.DataFrame, rules: OverlapRules) -> None:
    columns = ", ".join(str(c) for c in items.columns if not str(c).startswith("_"))[:400]
    have = set(map(str, items.columns))
    if not (rules.recipient_id and rules.recipient_id in have) and \
            not (rules.recipient_name and rules.recipient_name in have):
        raise AnalysisError(Text(N_(
            "The overlap check needs a recipient column: a recipient id (such as an EIN) or a "
            "recipient name, named in the rules as recipient_id or recipient_name. The table's "
            "columns are: {columns}."), columns=columns or t("none")))
    if not rules.amount or rules.amount not in have:
        raise AnalysisError(Text(N_(
            "The overlap check needs an amount column, named in the rules as amount. The "
            "table's columns are: {columns}."), columns=columns or t("none")))
    missing = [c for c in rules.columns() if c not in have]
    if missing:
        raise AnalysisError(Text(N_(
            "Column(s) {missing} named in the overlap rules are not in the table. Its columns "
            "are: {columns}."), missing=", ".join(missing), columns=columns))


def _amount_cents(items: pd.DataFrame, rules: OverlapRules):
    """Amounts in whole cents, the masks of cells refused and of blank cells, the raw cells and
    why each refused cell was refused (the workspace's number rules: "$1,234.50", "(1,200)")."""
    raw = items[rules.amount]
    if pd.api.types.is_numeric_dtype(raw):
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    else:
        values, reason = parse_numbers(raw.astype("string"))
    bad = reason.notna().to_numpy()
    v = values.to_numpy(dtype="float64")
    blank = np.isnan(v) & ~bad
    cents = np.where(np.isnan(v), 0, np.round(v * 100)).astype(np.int64)
    return cents, bad, blank, raw, reason


def _period_codes(items: pd.DataFrame, rules: OverlapRules) -> tuple[np.ndarray, np.ndarray]:
    if not rules.period:
        return np.zeros(len(items), np.int64), np.array([""], dtype=object)
    codes, labels = _factor(items[rules.period])
    # 2025 and 2025.0 (a year column read as numbers) are one period
    clean = np.array([re.sub(r"^(\d+)\.0+$", r"\1", str(x)) for x in labels], dtype=object)
    return _recode(codes, labels, np.zeros(len(labels), bool), clean)


def _recipient_keys(items: pd.DataFrame, rules: OverlapRules, problems: list[Text],
                    names: tuple[np.ndarray, np.ndarray] | None):
    """Per row: key code (-1: none), how it was matched (0 id, 1 name, 2 name because the id
    is a shared one), the keys' labels, and the id as written (padded) per row."""
    n = len(items)
    width = rules.recipient_id_width
    id_codes = np.full(n, -1, np.int64)
    id_labels = np.empty(0, dtype=object)
    shared = np.zeros(n, dtype=bool)
    raw_ids = np.full(n, "", dtype=object)
    if rules.recipient_id:
        codes, labels = _factor(items[rules.recipient_id])
        lab = pd.Series(labels, dtype="string")
        if lab.str.contains(".", regex=False).any():     # 131988190.0: read as a number
            lab = lab.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        if width:
            short = (lab.str.fullmatch(r"\d+") & (lab.str.len() < width)).fillna(False) \
                .to_numpy(dtype=bool)
            if short.any():
                lab[short] = lab[short].str.zfill(width)
                padded = int(np.bincount(codes[codes >= 0], minlength=len(lab))[short].sum())
                problems.append(Text(N_("{n} recipient id(s) shorter than {width} digits were "
                                        "left-padded with zeros (ids stored as numbers lose "
                                        "them)"), n=count(padded), width=str(width)))
        excluded = {e.strip() for e in rules.exclude_ids}
        if width:
            excluded = {e.zfill(width) if e.isdigit() else e for e in excluded}
        text = lab.to_numpy(dtype=object)
        drop = lab.isin(excluded).to_numpy(dtype=bool)
        shared = (codes >= 0) & np.append(drop, False)[codes]
        raw_ids = np.append(text, "")[codes]
        id_codes, id_labels = _recode(codes, labels, drop, text)
    need_name = id_codes < 0
    name_codes = np.full(n, -1, np.int64)
    name_labels = np.empty(0, dtype=object)
    if names is not None and need_name.any():
        steps = rules.name_normalisation
        codes, labels = names
        used = np.flatnonzero(np.bincount(codes[need_name & (codes >= 0)],
                                          minlength=len(labels)))
        norm = np.full(len(labels), "", dtype=object)
        norm[used] = [normalise_name(x, steps) for x in labels[used]]
        codes, name_labels = _recode(codes, labels, norm == "", norm)
        name_codes[need_name] = codes[need_name]
    key = np.where(id_codes >= 0, id_codes,
                   np.where(name_codes >= 0, name_codes + len(id_labels), -1))
    kind = np.where(id_codes >= 0, 0, np.where(shared, 2, 1)).astype(np.int8)
    labels = np.concatenate([id_labels, name_labels])
    return key.astype(np.int64), kind, labels, raw_ids


def _stacked_codes(factors: dict[str, tuple[np.ndarray, np.ndarray]], columns: Sequence[str]):
    """(row, code, labels) of the non-blank values of one or more columns: a value of one
    column and the same value of another are different codes (a member is not an agency)."""
    rows, codes, labels, offset = [], [], [], 0
    for col in columns:
        c, lab = factors[col]
        m = c >= 0
        rows.append(np.flatnonzero(m))
        codes.append(c[m] + offset)
        labels.append(lab)
        offset += len(lab)
    return np.concatenate(rows), np.concatenate(codes), np.concatenate(labels)
