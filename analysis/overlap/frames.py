"""The result's frames: recipients funded more than once and near-duplicate pairs, built from
the per-row arrays of one check, ranked by money."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import _display_names, _lists_per_group, _obj
from .result import MATCHED_KINDS
from .rules import OverlapRules
from .why import why_texts


@dataclass
class _Context:
    """The per-row arrays of one check, shared by the frame builders."""
    items: pd.DataFrame
    rules: OverlapRules
    key: np.ndarray
    kind: np.ndarray
    key_labels: np.ndarray
    raw_ids: np.ndarray
    period: np.ndarray
    period_text: np.ndarray
    cents: np.ndarray
    purpose: np.ndarray
    boiler: np.ndarray
    boiler_n: np.ndarray
    day: np.ndarray
    name_codes: np.ndarray | None
    name_labels: np.ndarray | None
    factors: dict[str, tuple[np.ndarray, np.ndarray]]
    _names: np.ndarray | None = None

    def column(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A column's cells (stripped text; blank as "") at ``rows``."""
        if name in self.factors:
            codes, labels = self.factors[name]
            c = codes[rows]
            return np.where(c >= 0, np.append(labels, "")[c], "").astype(object)
        return self.items[name].iloc[rows].astype("string").str.strip().fillna("") \
            .to_numpy(dtype=object)

    def display(self, keys: np.ndarray) -> np.ndarray:
        """The name shown for each key: its most frequent name as written."""
        if self._names is None:
            self._names = _display_names(self.key, self.name_codes, self.name_labels,
                                         np.arange(len(self.key_labels)), self.key_labels)
        return self._names[keys]


def _multi_frame(ctx: _Context, flagged, rows, awards, money, counts, dims,
                 group) -> pd.DataFrame:
    cols = ["recipient_name", "recipient_id", "matched_on", "period", "awards", "amount"]
    for d in ("funders", "programmes", "agencies"):
        if d in dims:
            cols += [f"{d}_n", d]
    if not len(flagged):
        return pd.DataFrame(columns=cols + ["_key"])
    keys = ctx.key[rows]
    order = np.lexsort((keys, -awards, -money))
    flagged, rows, keys, awards, money = (x[order] for x in (flagged, rows, keys, awards, money))
    kind = ctx.kind[rows]
    out = pd.DataFrame({
        "recipient_name": _obj(ctx.display(keys)),
        "recipient_id": _obj(np.where(kind == 0, ctx.key_labels[keys], ctx.raw_ids[rows])),
        "matched_on": _obj(MATCHED_KINDS[kind]),
        "period": _obj(ctx.period_text[ctx.period[rows]]),
        "awards": awards,
        "amount": money / 100,
    })
    for d, (r, codes, labels) in dims.items():
        out[f"{d}_n"] = counts[d][flagged]
        out[d] = _obj(_lists_per_group(group[r], codes, labels, flagged))
    out["_key"] = keys
    return out[cols + ["_key"]]


def _pairs_frame(ctx: _Context, pa_: np.ndarray, pb_: np.ndarray) -> pd.DataFrame:
    rules, items = ctx.rules, ctx.items
    cols = ["recipient_name", "recipient_id", "matched_on", "period", "award_a", "award_b",
            *(["funder_a", "funder_b"] if rules.funders else []),
            *(["programme_a", "programme_b"] if rules.programme else []),
            "amount_a", "amount_b", "amount_at_issue", "same_amount", "same_purpose",
            "boilerplate_purpose", *(["same_funder"] if rules.funders else []),
            *(["same_programme"] if rules.programme else []), "identical", "why"]
    if rules.location:
        cols += ["location_a", "location_b"]
    if rules.date:
        cols += ["days_apart"]
    if "_line" in items:
        cols += ["line_a", "line_b"]
    if not len(pa_):
        return pd.DataFrame(columns=cols + ["_key", "_a", "_b", "_key_label", "_boiler_n"])
    cents, purpose = ctx.cents, ctx.purpose
    same_amount = np.abs(cents[pa_] - cents[pb_]) <= round(rules.amount_tolerance * 100)
    same_purpose = (purpose[pa_] >= 0) & (purpose[pa_] == purpose[pb_])
    bp = same_purpose & (ctx.boiler[np.maximum(purpose[pa_], 0)] if len(ctx.boiler)
                         else np.zeros(len(pa_), bool))
    # identical in every column but the award id (and the reader's helper columns)
    # (checked on the pairs that already share amount and purpose, column by column)
    compare = [c for c in items.columns if c != rules.award_id and not str(c).startswith("_")]
    identical = (cents[pa_] == cents[pb_]) & (purpose[pa_] == purpose[pb_])
    for c in compare:
        cand = np.flatnonzero(identical)
        if not len(cand):
            break
        col = items[c]
        va = col.iloc[pa_[cand]].to_numpy(dtype=object)
        vb = col.iloc[pb_[cand]].to_numpy(dtype=object)
        same = (va == vb) | (pd.isna(va) & pd.isna(vb))
        identical[cand[~same]] = False
    extra: dict[str, np.ndarray] = {}
    if rules.funders:
        fa, fb = ctx.column(rules.funders[0], pa_), ctx.column(rules.funders[0], pb_)
        extra.update(funder_a=fa, funder_b=fb, same_funder=(fa == fb) & (fa != ""))
    if rules.programme:
        qa, qb = ctx.column(rules.programme, pa_), ctx.column(rules.programme, pb_)
        extra.update(programme_a=qa, programme_b=qb, same_programme=(qa == qb) & (qa != ""))
    at_issue = np.minimum(cents[pa_], cents[pb_])
    sort_keys = [pb_, pa_]
    for c in ("same_programme", "same_funder"):
        if c in extra:
            sort_keys.append(~extra[c])
    sort_keys += [~same_amount, ~same_purpose, ~identical, -at_issue]
    order = np.lexsort(sort_keys)
    pa_, pb_ = pa_[order], pb_[order]
    keys = ctx.key[pa_]
    kind = ctx.kind[pa_]
    award = (lambda r: ctx.column(rules.award_id, r)) if rules.award_id else \
        ((lambda r: items["_line"].to_numpy()[r].astype(str)) if "_line" in items else
         (lambda r: r.astype(str)))
    f = pd.DataFrame({
        "recipient_name": _obj(ctx.display(keys)),
        "recipient_id": _obj(np.where(kind == 0, ctx.key_labels[keys], ctx.raw_ids[pa_])),
        "matched_on": _obj(MATCHED_KINDS[kind]),
        "period": _obj(ctx.period_text[ctx.period[pa_]]),
        "award_a": _obj(award(pa_)), "award_b": _obj(award(pb_)),
        "amount_a": cents[pa_] / 100, "amount_b": cents[pb_] / 100,
        "amount_at_issue": at_issue[order] / 100,
        "same_amount": same_amount[order], "same_purpose": same_purpose[order],
        "boilerplate_purpose": bp[order], "identical": identical[order],
    })
    for name, values in extra.items():
        f[name] = _obj(values[order]) if values.dtype == object else values[order]
    if rules.location:
        f["location_a"] = _obj(ctx.column(rules.location, pa_))
        f["location_b"] = _obj(ctx.column(rules.location, pb_))
    if rules.date:
        f["days_apart"] = np.abs(ctx.day[pa_] - ctx.day[pb_])
    if "_line" in items:
        lines = items["_line"].to_numpy()
        f["line_a"], f["line_b"] = lines[pa_], lines[pb_]
    f["_key_label"] = _obj(ctx.key_labels[keys])
    p = purpose[pa_]
    f["_boiler_n"] = np.where(f["same_purpose"].to_numpy(),
                              ctx.boiler_n[np.maximum(p, 0)] if len(ctx.boiler_n) else 0, 0)
    f["_key"], f["_a"], f["_b"] = keys, pa_, pb_
    f["why"] = why_texts(rules, f)
    return f[cols + ["_key", "_a", "_b", "_key_label", "_boiler_n"]]
