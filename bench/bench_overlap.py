"""OV1: the overlap check (analysis/overlap/) on 1,000,000 synthetic line items.

Synthetic awards, built here, shaped like the NYC Council's disclosure: 100,000 recipients
with 9-digit ids (about 10 awards each over 3 fiscal years), 2 % of the rows on one shared id
(the City's own EIN, 70 bodies told apart by name), 3 % with a blank id, 60 funders and a blank
one (citywide), 150 programmes, 40 agencies, round amounts for most awards, 200 boilerplate
purpose texts beside each recipient's own, and 1 % of the rows entered twice (identical but for
the award id). All cells are text, as the workspace reader gives them.

The check (funded more than once per recipient and year, near-duplicate pairs with their
reasons, boilerplate) runs 3 times; one line prints the median against the 5 s bar. The naive
baseline compares every pair of awards within each recipient in plain Python (each row's name
and purpose normalised one by one, as a loop would); it runs on 100,000 rows (3 times) and is
extrapolated to 1,000,000 (the work grows with the rows, as recipients do), and its pairs are
checked equal to the vectorised check's on the same rows.

Run alone: ``.venv/bin/python bench/bench_overlap.py`` (``--rows N`` changes the size).
"""
from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ROWS = 1_000_000
NAIVE_ROWS = 100_000
BAR_S = 5.0
RUNS = 3
CITY_EIN = "136400434"
AMOUNTS = np.array([5000, 7500, 10000, 15000, 20000, 25000, 50000, 100000])


def _text(prefix: str, numbers: np.ndarray, suffix: str = "") -> pd.Series:
    return prefix + pd.Series(numbers).astype("string") + suffix


def synthetic_items(rows: int = ROWS, seed: int = 20260708) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_rec = max(rows // 10, 10)
    base = rows - rows // 100                       # the last 1 % repeat earlier rows
    rec = rng.integers(0, n_rec, base)
    ein = pd.Series(100_000_000 + rec * 7919 % 899_999_999).astype("string")
    low = rec % 50 == 0                             # ids that begin with 0
    ein[low] = pd.Series(rec[low] * 7919 % 99_999_999).astype("string").str.zfill(9).to_numpy()
    name = _text("Organisation ", rec)
    variant = rng.random(base)
    name = name.where(variant >= 0.3, name + ", Inc.")
    name = name.where((variant < 0.3) | (variant >= 0.35), name + " Incorporated")
    shared = rng.random(base) < 0.02
    ein[shared] = CITY_EIN
    name[shared] = _text("City Department ", rec[shared] % 70).to_numpy()
    ein[(rng.random(base) < 0.03) & ~shared] = ""
    funder = _text("Member ", rng.integers(0, 60, base))
    funder[rng.random(base) < 0.2] = ""
    amount = np.where(rng.random(base) < 0.6, rng.choice(AMOUNTS, base),
                      np.round(rng.lognormal(9.5, 1.0, base)).astype(np.int64) + 151)
    purpose = _text("Funding for the programmes of organisation ", rec,
                    " in district ") + pd.Series(rng.integers(1, 4, base)).astype("string")
    boiler = rng.random(base) < 0.4
    purpose[boiler] = _text("This initiative supports services, standard text number ",
                            rng.integers(0, 200, int(boiler.sum()))).to_numpy()
    frame = pd.DataFrame({"ein": ein, "legal_name": name,
                          "fiscal_year": pd.Series(rng.integers(2024, 2027, base)).astype("string"),
                          "council_member": funder,
                          "source": _text("Programme ", rng.integers(0, 150, base)),
                          "agency": _text("AG", rng.integers(0, 40, base)),
                          "amount": pd.Series(amount).astype("string"), "purpose": purpose})
    extra = frame.sample(n=rows - base, random_state=seed, replace=False)
    frame = pd.concat([frame, extra], ignore_index=True)
    frame = frame.sample(frac=1.0, random_state=seed + 1).reset_index(drop=True)
    frame.insert(0, "award_id", "A" + pd.Series(np.arange(rows)).astype("string").str.zfill(7))
    return frame.astype("string")


def rules():
    from analysis.overlap import OverlapRules

    return OverlapRules(amount="amount", recipient_id="ein", recipient_id_label="EIN",
                        recipient_id_width=9, recipient_name="legal_name",
                        funders=("council_member",), programme="source", agency="agency",
                        period="fiscal_year", purpose="purpose", award_id="award_id",
                        exclude_ids=(CITY_EIN,), boilerplate_recipients=5, period_label="FY")


def naive_pairs(frame: pd.DataFrame) -> tuple[set[tuple[int, int]], int]:
    """Every pair of awards within each recipient compared in plain Python; returns the pairs
    (row positions) and the number of recipient-years with more than one funder or programme."""
    from analysis.overlap import DEFAULT_NAME_STEPS, normalise_name, normalise_purpose

    cols = {c: frame[c].tolist() for c in frame.columns}
    n = len(frame)
    key, period, amount, purpose = [None] * n, cols["fiscal_year"], [0.0] * n, [""] * n
    for i in range(n):
        e = (cols["ein"][i] or "").strip()
        e = e.zfill(9) if e.isdigit() else e
        key[i] = ("id", e) if e and e != CITY_EIN else \
            ("name", normalise_name(cols["legal_name"][i], DEFAULT_NAME_STEPS))
        amount[i] = float(cols["amount"][i])
        purpose[i] = normalise_purpose(cols["purpose"][i])
    recipients_of: dict[str, set] = defaultdict(set)
    for i in range(n):
        if purpose[i]:
            recipients_of[purpose[i]].add(key[i])
    boiler = {p for p, ks in recipients_of.items() if len(ks) > 5}
    groups: dict = defaultdict(list)
    for i in range(n):
        groups[key[i]].append(i)
    pairs = set()
    funders: dict = defaultdict(set)
    programmes: dict = defaultdict(set)
    for k, idx in groups.items():
        for x in range(len(idx)):
            i = idx[x]
            if cols["council_member"][i]:
                funders[(k, period[i])].add(cols["council_member"][i])
            programmes[(k, period[i])].add(cols["source"][i])
            for y in range(x + 1, len(idx)):
                j = idx[y]
                if period[i] != period[j]:
                    continue
                if amount[i] == amount[j] or (purpose[i] and purpose[i] == purpose[j]
                                              and purpose[i] not in boiler):
                    pairs.add((min(i, j), max(i, j)))
    multi = sum(1 for g in programmes if len(funders.get(g, ())) > 1 or len(programmes[g]) > 1)
    return pairs, multi


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_overlap(rows: int = ROWS, naive_rows: int = NAIVE_ROWS, runs: int = RUNS) -> dict:
    from analysis.overlap import check_overlap

    r = rules()
    t = time.perf_counter()
    items = synthetic_items(rows)
    build_s = time.perf_counter() - t
    seconds, res = timed(lambda: check_overlap(items, r), runs)

    small = synthetic_items(naive_rows)
    fast_small_s, fast_small = timed(lambda: check_overlap(small, r), runs)
    naive_s, (naive, naive_multi) = timed(lambda: naive_pairs(small), runs)
    fast_set = set(zip(fast_small.pairs["_a"].tolist(), fast_small.pairs["_b"].tolist()))
    return {"rows": rows, "seconds": round(seconds, 3), "build_s": round(build_s, 1),
            "pairs": res.totals["pairs"], "multi_funded": res.totals["multi_funded"],
            "identical_pairs": res.totals["identical_pairs"],
            "naive_rows": naive_rows, "naive_s": round(naive_s, 2),
            "fast_small_s": round(fast_small_s, 3),
            "naive_extrapolated_s": round(naive_s * rows / naive_rows, 1),
            "same_pairs": naive == fast_set,
            "same_multi": naive_multi == fast_small.totals["multi_funded"],
            "small_pairs": len(fast_set), "bar_s": BAR_S, "passed": seconds <= BAR_S}


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else ROWS
    b = bench_overlap(rows=n, naive_rows=min(NAIVE_ROWS, n))
    print(f"OV1 overlap check of {b['rows']:,} line items → {b['multi_funded']:,} "
          f"recipient-years funded more than once, {b['pairs']:,} near-duplicate pairs "
          f"({b['identical_pairs']:,} identical): median {b['seconds']:.2f} s of {RUNS} (bar ≤ {BAR_S:.0f} s: "
          f"{'passed' if b['passed'] else 'FAILED'})")
    print(f"OV1 naive baseline (pairwise within each recipient, plain Python) on "
          f"{b['naive_rows']:,} rows: median {b['naive_s']:.2f} s of {RUNS} against "
          f"{b['fast_small_s']:.3f} s vectorised ({b['small_pairs']:,} pairs, same pairs: "
          f"{b['same_pairs']}, same recipient-years: {b['same_multi']}); extrapolated to "
          f"{b['rows']:,} rows: {b['naive_extrapolated_s']:.0f} s")
