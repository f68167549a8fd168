"""Why each pair matched, in the reader's language: one template per combination of reasons,
translated once and filled per pair."""
from __future__ import annotations

import string

import numpy as np
import pandas as pd

from geodata.problems import count
from layers.numbers import format_number
from locales import t

from .rules import OverlapRules


def why_texts(rules: OverlapRules, frame: pd.DataFrame) -> list[str]:
    """Why each pair of ``frame`` (rows of :attr:`OverlapResult.pairs`) matched, one phrase per
    reason, in the reader's language. A template per combination of reasons is translated
    once and filled per pair."""
    def esc(s: str) -> str:
        return str(s).replace("{", "{{").replace("}", "}}")

    label = esc(rules.id_label)
    tol = esc(format_number(rules.amount_tolerance, rules.unit, compact=False))
    dated = bool(rules.date and rules.window_days)
    cache: dict[tuple, str] = {}

    def template(pattern: tuple) -> str:
        if pattern in cache:
            return cache[pattern]
        on, amount, purpose, identical, same_funder, same_programme = pattern
        if on == "id":
            parts = [t("same {label} {id}", label=label, id="{id}")]
        elif on == "shared":
            parts = [t("shared {label} {id} set aside; same name after normalisation: {name}",
                       label=label, id="{id}", name="{name}")]
        else:
            parts = [t("same name after normalisation: {name}", name="{name}")]
        if amount == "same":
            parts.append(t("same amount {amount}", amount="{amount}"))
        elif amount == "near":
            parts.append(t("amounts {amount_a} and {amount_b}, within {tolerance}",
                           amount_a="{amount_a}", amount_b="{amount_b}", tolerance=tol))
        if purpose == "same":
            parts.append(t("same purpose text"))
        elif purpose == "boilerplate":
            parts.append(t("same purpose text, but boilerplate (written for {n} recipients)",
                           n="{n}"))
        if same_funder:
            parts.append(t("same funder {funder}", funder="{funder}"))
        if same_programme:
            parts.append(t("same programme {programme}", programme="{programme}"))
        if identical:
            parts.append(t("identical in every other column"))
        if dated:
            parts.append(t("{days} day(s) apart", days="{days}"))
        elif rules.period:
            parts.append("{period}")
        text = parts[0]
        for p in parts[1:]:
            text = t("{first}, {second}", first=text, second=p)
        cache[pattern] = text
        return text

    n_rows = len(frame)

    def column(name: str, default: object) -> np.ndarray:
        if name in frame:
            return frame[name].to_numpy(dtype=object)
        return np.full(n_rows, default, dtype=object)

    shown: dict[tuple, str] = {}

    def formatted(values: np.ndarray, kind: str) -> np.ndarray:
        uniq, inverse = np.unique(values, return_inverse=True)
        out = []
        for u in uniq.tolist():
            if (kind, u) not in shown:
                shown[(kind, u)] = format_number(u, rules.unit, compact=False) \
                    if kind == "money" else count(u)
            out.append(shown[(kind, u)])
        return np.array(out, dtype=object)[inverse.reshape(-1)]

    a = frame["amount_a"].to_numpy(dtype="float64")
    b = frame["amount_b"].to_numpy(dtype="float64")
    makers = {
        "id": lambda r: frame["recipient_id"].to_numpy(dtype=object)[r],
        "name": lambda r: frame["_key_label"].to_numpy(dtype=object)[r],
        "amount": lambda r: formatted(a[r], "money"),
        "amount_a": lambda r: formatted(a[r], "money"),
        "amount_b": lambda r: formatted(b[r], "money"),
        "n": lambda r: formatted(frame["_boiler_n"].to_numpy(dtype=np.int64)[r], "count"),
        "days": lambda r: formatted(np.nan_to_num(
            column("days_apart", 0).astype("float64"))[r], "count"),
        "period": lambda r: frame["period"].to_numpy(dtype=object)[r],
        "funder": lambda r: column("funder_a", "")[r],
        "programme": lambda r: column("programme_a", "")[r],
    }

    same_a = frame["same_amount"].to_numpy(dtype=bool)
    same_p = frame["same_purpose"].to_numpy(dtype=bool)
    boiler = frame["boilerplate_purpose"].to_numpy(dtype=bool)
    ident = frame["identical"].to_numpy(dtype=bool).astype(np.int64)
    same_f = (column("same_funder", False).astype(bool) & ~ident).astype(np.int64)
    same_pr = (column("same_programme", False).astype(bool) & ~ident).astype(np.int64)
    amount_kind = np.where(same_a, np.where(a == b, 1, 2), 0)
    purpose_kind = np.where(same_p, np.where(boiler, 2, 1), 0)
    on = pd.Series(frame["matched_on"].to_numpy(dtype=object)).map(
        {"id": 0, "name": 1, "shared": 2}).to_numpy(dtype=np.int64)
    code = ((((on * 3 + amount_kind) * 3 + purpose_kind) * 2 + ident) * 2 + same_f) * 2 + same_pr
    out = np.empty(n_rows, dtype=object)
    parser = string.Formatter()
    names_on = ("id", "name", "shared")
    names_amount = ("", "same", "near")
    names_purpose = ("", "same", "boilerplate")
    order = np.argsort(code, kind="stable")
    sorted_code = code[order]
    bounds = np.flatnonzero(np.r_[True, sorted_code[1:] != sorted_code[:-1], True])
    for i in range(len(bounds) - 1):
        rows = order[bounds[i]:bounds[i + 1]]
        c = int(sorted_code[bounds[i]])
        c, spr = divmod(c, 2)
        c, sf = divmod(c, 2)
        c, idn = divmod(c, 2)
        c, pk = divmod(c, 3)
        o, ak = divmod(c, 3)
        pattern = (names_on[o], names_amount[ak], names_purpose[pk], bool(idn), bool(sf),
                   bool(spr))
        text = np.full(len(rows), "", dtype=object)
        for literal, name, _, _ in parser.parse(template(pattern)):
            if literal:
                text = text + literal
            if name:
                text = text + makers[name](rows)
        out[rows] = text
    return out.tolist()
