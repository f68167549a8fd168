"""The check itself: recipients funded more than once per period, near-duplicate award pairs
and boilerplate purpose texts, from the line items and the rules (:func:`check_overlap`), and
the same for a workspace's own table (:func:`check_workspace`)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from geodata.readers.numbers import NUMBER_REASONS
from locales import N_

from .. import AnalysisError
from .blocking import _pairs_in_groups, _pairs_within, _TooMany
from .codes import _distinct_per_group, _factor, _group_ids, _obj, _recode, _unique
from .columns import (_amount_cents, _period_codes, _recipient_keys, _refuse_columns,
                      _stacked_codes)
from .frames import _Context, _multi_frame, _pairs_frame
from .method import method_text
from .normalise import _purpose_keys
from .read import read_line_items
from .result import ExcludedRows, OverlapResult
from .rules import OverlapRules, rules_for_workspace


#: Above this many candidate pairs the check refuses (the rules match nearly everything).
MAX_PAIRS = 5_000_000


_EXCLUDED_REASONS = {
    "bad_amount": N_("the amount could not be read"),
    "no_amount": N_("no amount"),
    "no_recipient": N_("no recipient id or name"),
    "no_period": N_("no period"),
    "bad_date": N_("no date in the form YYYY-MM-DD (left out of the pair check only)"),
}


def check_overlap(items: pd.DataFrame, rules: OverlapRules, *,
                  max_pairs: int = MAX_PAIRS) -> OverlapResult:
    """Recipients funded more than once, and near-duplicate awards, in ``items`` (one row per
    line item; columns as :class:`OverlapRules` names them, text or numbers).

    Refuses (:class:`analysis.AnalysisError`) an empty table, a table without a recipient or
    amount column, rules naming columns the table lacks, a table none of whose amounts can be
    read, and rules that would compare more than ``max_pairs`` pairs. Rows that cannot be
    checked (amount unreadable or blank, no recipient, no period) are left out and counted in
    ``excluded``.
    """
    if items is None or len(items) == 0:
        raise AnalysisError(Text(N_("The line-item table is empty: there is nothing to check.")))
    _refuse_columns(items, rules)
    items = items.reset_index(drop=True)
    n = len(items)
    problems: list[Text] = []
    cents, bad_amount, blank_amount, raw_amount, why_bad = _amount_cents(items, rules)
    if (bad_amount | blank_amount).all():
        sample = ", ".join(repr(str(v)) for v in
                           pd.unique(raw_amount[bad_amount].astype(str))[:3])
        raise AnalysisError(Text(N_(
            "No amount in the column {column} could be read ({n} value(s), e.g. {sample}); the "
            "overlap check needs amounts."), column=rules.amount, n=count(n),
            sample=sample or "''"))
    names = _factor(items[rules.recipient_name]) if rules.recipient_name else None
    key, kind, key_labels, raw_ids = _recipient_keys(items, rules, problems, names)
    period, period_labels = _period_codes(items, rules)
    no_period = (period < 0) if rules.period else np.zeros(n, bool)
    no_amount = bad_amount | blank_amount
    reasons = {"bad_amount": bad_amount, "no_amount": blank_amount,
               "no_recipient": (key < 0) & ~no_amount,
               "no_period": no_period & (key >= 0) & ~no_amount}
    usable = ~(no_amount | (key < 0) | no_period)
    if not usable.any():
        raise AnalysisError(Text(N_("None of the {n} line item(s) can be checked: each lacks a "
                                    "readable amount, a recipient or a period."), n=count(n)))
    day = np.full(n, np.nan)
    if rules.date:
        parsed = pd.to_datetime(items[rules.date].astype("string").str.strip(), errors="coerce",
                                format="ISO8601")
        day = ((parsed - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(
            dtype="float64", na_value=np.nan)
        if rules.window_days:
            reasons["bad_date"] = np.isnan(day) & usable
    excluded: list[ExcludedRows] = []
    for code, mask in reasons.items():
        if not mask.any():
            continue
        amount = float("nan") if code == "bad_amount" else float(cents[mask].sum()) / 100
        excluded.append(ExcludedRows(Text(_EXCLUDED_REASONS[code]), int(mask.sum()), amount))
        if code != "bad_amount":
            problems.append(Text(N_("{n} line item(s) left out: {reason}"),
                                 n=count(mask.sum()), reason=Text(_EXCLUDED_REASONS[code])))
            continue
        for why, rows in why_bad.dropna().groupby(why_bad.dropna()).groups.items():
            shown = pd.unique(raw_amount.loc[rows].astype(str))[:3]
            sample = ", ".join(repr(str(v)) for v in shown)
            problems.append(Text(N_("{n} amount(s) in {column} could not be read and are left "
                                    "out: {reason} (e.g. {sample})"), n=count(len(rows)),
                                 column=rules.amount, reason=Text(NUMBER_REASONS[why]),
                                 sample=sample))
    by_name = usable & (kind > 0)
    if rules.recipient_id and by_name.any():
        problems.append(Text(N_("{n} line item(s) have no usable recipient id (blank or a shared "
                                "id set aside) and are matched by name"), n=count(by_name.sum())))
    key = np.where(usable, key, -1)
    period = np.where(usable, period, -1)
    names = names or (None, None)
    period_text = np.array([f"{rules.period_label}{p}" if rules.period and str(p) else ""
                            for p in period_labels], dtype=object)

    # ---- funded more than once: recipient × period
    group = _group_ids(key, period)
    n_groups = int(group.max()) + 1 if (group >= 0).any() else 0
    rows_sel = np.flatnonzero(group >= 0)
    awards = np.bincount(group[rows_sel], minlength=n_groups)
    # float64 sums of whole cents are exact below 2**53 cents (90 trillion)
    money = np.rint(np.bincount(group[rows_sel], weights=cents[rows_sel],
                                minlength=n_groups)).astype(np.int64)
    factors = {c: _factor(items[c]) for c in (*rules.funders, rules.programme, rules.agency)
               if c}
    dims: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if rules.funders:
        dims["funders"] = _stacked_codes(factors, rules.funders)
    if rules.programme:
        dims["programmes"] = _stacked_codes(factors, (rules.programme,))
    if rules.agency:
        dims["agencies"] = _stacked_codes(factors, (rules.agency,))
    counts = {d: _distinct_per_group(group[r], c, n_groups) for d, (r, c, _) in dims.items()}
    flag = np.zeros(n_groups, dtype=bool)
    for d in ("funders", "programmes"):
        if d in counts:
            flag |= counts[d] > 1
    flagged = np.flatnonzero(flag)
    # group ids are numbered in order of first appearance: a row is its group's first when
    # its id is above every id before it
    gsel = group[rows_sel]
    is_first = gsel > np.maximum.accumulate(np.r_[-1, gsel[:-1]])
    first = np.full(n_groups, -1, np.int64)
    first[gsel[is_first]] = rows_sel[is_first]
    multi = np.zeros(n, dtype=bool)
    if len(flagged):
        multi = flag[np.maximum(group, 0)] & (group >= 0)

    # ---- near-duplicate pairs
    purpose = np.full(n, -1, np.int64)
    boiler = np.zeros(0, dtype=bool)
    boiler_n = np.zeros(0, np.int64)
    if rules.purpose:
        codes, labels = _factor(items[rules.purpose])
        norm = _purpose_keys(labels)
        purpose, plabels = _recode(codes, labels, norm == "", norm)
        purpose = np.where(usable, purpose, -1)
        boiler_n = _distinct_per_group(purpose, key, len(plabels))
        boiler = boiler_n > rules.boilerplate_recipients
    specific = (purpose >= 0) & ~boiler[np.maximum(purpose, 0)] if len(boiler) \
        else np.zeros(n, bool)
    tol_cents = round(rules.amount_tolerance * 100)
    dated = bool(rules.date and rules.window_days)
    amount_code = pd.factorize(cents)[0].astype(np.int64)
    try:
        if dated:
            pkey = np.where(np.isnan(day), -1, key)
            if tol_cents:
                a1, b1 = _pairs_within(pkey, cents.astype("float64"), tol_cents, max_pairs)
                keep = np.abs(day[a1] - day[b1]) <= rules.window_days
                a1, b1 = a1[keep], b1[keep]
            else:
                a1, b1 = _pairs_within(_group_ids(pkey, amount_code), day, rules.window_days,
                                       max_pairs)
            a2, b2 = _pairs_within(_group_ids(pkey, np.where(specific, purpose, -1)), day,
                                   rules.window_days, max_pairs)
        else:
            if tol_cents:
                a1, b1 = _pairs_within(_group_ids(key, period), cents.astype("float64"),
                                       tol_cents, max_pairs)
            else:
                a1, b1 = _pairs_in_groups(_group_ids(key, period, amount_code), max_pairs)
            a2, b2 = _pairs_in_groups(_group_ids(key, period, np.where(specific, purpose, -1)),
                                      max_pairs)
    except _TooMany as exc:
        raise AnalysisError(Text(N_(
            "These rules would compare {n} pairs of awards (more than {limit}): nearly every "
            "award matches. Use a shorter window, a smaller amount tolerance, or check the "
            "recipient column."), n=count(exc.n), limit=count(max_pairs))) from None
    pa_ = np.concatenate([a1, a2])
    pb_ = np.concatenate([b1, b2])
    if len(pa_):
        combo = _unique(pa_ * n + pb_)
        pa_, pb_ = combo // n, combo % n
    ctx = _Context(items=items, rules=rules, key=key, kind=kind, key_labels=key_labels,
                   raw_ids=raw_ids, period=period, period_text=period_text, cents=cents,
                   purpose=purpose, boiler=boiler, boiler_n=boiler_n, day=day,
                   name_codes=names[0], name_labels=names[1], factors=factors)
    pairs = _pairs_frame(ctx, pa_, pb_)

    # ---- per line item flags (for maps and totals)
    in_pair = np.zeros(n, dtype=bool)
    in_pair[pa_] = True
    in_pair[pb_] = True
    item_frame = pd.DataFrame({"key": key, "period": period, "amount": cents / 100,
                               "in_pair": in_pair, "multi_funded": multi, "usable": usable})
    for level, col in rules.area_columns.items():
        item_frame[f"area:{level}"] = items[col].astype("string").str.strip().fillna("")

    multi_frame = _multi_frame(ctx, flagged, first[flagged], awards[flagged],
                               money[flagged], counts, dims, group)
    boiler_frame = pd.DataFrame(columns=["purpose", "recipients", "rows"])
    if len(boiler) and boiler.any():
        rows_per = np.bincount(purpose[purpose >= 0], minlength=len(boiler))
        at = np.flatnonzero((purpose >= 0) & boiler[np.maximum(purpose, 0)])
        codes, first_at = np.unique(purpose[at], return_index=True)    # each text as first met
        text = items[rules.purpose].iloc[at[first_at]].astype("string").str.strip()
        boiler_frame = pd.DataFrame({
            "purpose": _obj(text.to_numpy(dtype=object)),
            "recipients": boiler_n[codes], "rows": rows_per[codes]})
        boiler_frame = boiler_frame.sort_values(["recipients", "rows"], ascending=False,
                                                kind="stable").reset_index(drop=True)

    ident = pairs["identical"].to_numpy(dtype=bool) if len(pairs) else np.zeros(0, bool)
    ident_rows = _unique(np.concatenate([pairs["_a"].to_numpy()[ident],
                                         pairs["_b"].to_numpy()[ident]])) if ident.any() \
        else np.empty(0, np.int64)
    totals = {
        "rows": int(n), "rows_checked": int(usable.sum()),
        "amount": float(cents[usable].sum()) / 100,
        "recipients": int(len(_unique(key[usable]))),
        "recipient_periods": int(n_groups),
        "multi_funded": int(len(flagged)),
        "multi_funded_recipients": int(len(_unique(key[first[flagged]]))) if len(flagged)
        else 0,
        "multi_funded_awards": int(multi.sum()),
        "multi_funded_amount": float(cents[multi].sum()) / 100,
        "pairs": int(len(pairs)),
        "pair_awards": int(in_pair.sum()),
        "pair_amount": float(cents[in_pair].sum()) / 100,
        "identical_pairs": int(ident.sum()),
        "identical_awards": int(len(ident_rows)),
        "boilerplate_texts": int(boiler.sum()) if len(boiler) else 0,
    }
    return OverlapResult(multi_funded=multi_frame, pairs=pairs, boilerplate=boiler_frame,
                         items=item_frame, totals=totals, method=method_text(rules),
                         excluded=tuple(excluded), problems=tuple(problems), rules=rules)


def check_workspace(ws) -> OverlapResult | None:
    """The check of a workspace's own line-item table, as its ``[overlap]`` section sets it up
    (None when it has none); the problems of the section and of reading the table come first
    in the result's ``problems``. Raises :class:`analysis.AnalysisError` when the section cannot
    be used (its first problem) or the table cannot be checked."""
    rules, problems = rules_for_workspace(ws)
    if rules is None:
        if problems:
            raise AnalysisError(problems[0])
        return None
    items, read_problems = read_line_items(ws, rules)
    result = check_overlap(items, rules)
    return replace(result, problems=[*problems, *read_problems, *result.problems])
