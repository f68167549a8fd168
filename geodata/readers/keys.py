"""Region keys of a table against a boundary layer: what matches, what does not, and proposals.

A budget office's own table names its regions its own way: "广东" where the boundary file says
"广东省", "Autauga" for "Autauga County", "1001" for "01001", "Dona Ana" for "Doña Ana",
"NEW YORK" for "New York". :func:`match_keys` matches the keys exactly (stripped; names also
case- and space-folded by :func:`geodata.load.normalise_name`), counts the rows and amounts that
match and those that do not, and proposes a region for each key that does not, by the named
rules below, tried in order (the first rule that finds any region gives the proposal):

``same name``        (names) the name is exactly that of several regions: listed, never chosen
``case and spaces``  letter case, full-width forms and every space ignored ("De Kalb" →
                     "DeKalb", "ＡＢ１" → "ab1")
``leading zeros``    (ids) an all-digit key ("1001", "1001.0") shorter than ``key_width`` or
                     than the ids' common width, padded with zeros to it ("1001" → "01001");
                     or the key without its leading zeros, for ids that lost theirs
                     ("01001" → "1001")
``suffix``           (names) the same name with or without one administrative suffix
                     (:data:`SUFFIXES_CN`, :data:`SUFFIXES_EN`): 广东 → 广东省, 广西 →
                     广西壮族自治区, Autauga → Autauga County, and "Autauga County, AL" →
                     "Autauga County" when the regions' names carry no state. Where the ids
                     are 5-digit US county FIPS codes, ", AL" keeps only the regions of that
                     state (:data:`US_STATE_FIPS`)
``accents``          (names, and ids) accents stripped (NFKD), ß → ss, ł/ø/æ/œ/đ spelt out,
                     "St."/"Ste." → "Saint"/"Sainte", "&" → "and", punctuation and hyphens
                     read as spaces, then compared as they are and as in ``suffix``
``id or name``       the key is the other side: a region id where names are matched, or a
                     region name where ids are matched

A rule proposes a region only when it finds exactly one (``candidates == 1``); when it finds
several, ``region_id`` is empty and ``choices`` lists them, for a person to choose: never
accepted automatically. A proposed region that another key already matches exactly is marked
``also_matched`` so that the page can warn that two keys would add up in one region.

Accepted proposals (or an office's own table) are kept as a crosswalk file in the workspace,
never as edits to the office's data: :func:`read_crosswalk`, :func:`apply_crosswalk`,
:func:`crosswalk_frame`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from locales import N_

from .. import load as _load
from ..problems import Problem, Text, problem_for_rows
from .numbers import BLANK

RULES = ("same name", "case and spaces", "leading zeros", "suffix", "accents", "id or name")
#: The rules' names as a page shows them (the names themselves are data: a crosswalk file
#: keeps them in its ``rule`` column).
RULE_LABELS = {"same name": N_("same name"), "case and spaces": N_("case and spaces"),
               "leading zeros": N_("leading zeros"), "suffix": N_("suffix"),
               "accents": N_("accents"), "id or name": N_("id or name")}
SUFFIXES_CN = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
               "地区", "省", "市", "盟", "县", "区")
SUFFIXES_EN = ("City and Borough", "Census Area", "County", "Parish", "Borough",
               "Municipality", "Municipio", "city", "town", "township", "District", "Province",
               "State")
US_STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09",
    "DE": "10", "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17",
    "IN": "18", "IA": "19", "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24",
    "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30", "NE": "31",
    "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38",
    "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46",
    "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53", "WV": "54",
    "WI": "55", "WY": "56", "AS": "60", "GU": "66", "MP": "69", "PR": "72", "VI": "78",
}
_MAX_CHOICES = 10
_PROPOSAL_COLUMNS = ["key", "region_id", "name", "rule", "rows", "amount", "candidates",
                     "also_matched", "choices"]

# The shortest core first is the longest suffix first: 广西壮族自治区 → 广西, not 广西壮族自治.
_SUFFIX = re.compile(
    "^(?:(.+?)(?:" + "|".join(sorted(SUFFIXES_CN, key=len, reverse=True)) + ")"
    r"|(.*?\S)\s+(?:" + "|".join(sorted((re.escape(s.casefold()) for s in SUFFIXES_EN),
                                         key=len, reverse=True)) + "))$")
_STATE = re.compile(r"^(.*\S)\s*,\s*([A-Za-z]{2})$")
_DIGITS = re.compile(r"([0-9]+)(?:\.0+)?")
_SPELL = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE",
                        "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ı": "i", "þ": "th"})
_SAINTS = {"st": "saint", "ste": "sainte"}


# --------------------------------------------------------------------------- text forms

def _name(s: str) -> str:
    return _load.normalise_name(s)


def _squash(s: str) -> str:
    """Case-folded, full-width forms read as ASCII, every space removed."""
    return "".join(unicodedata.normalize("NFKC", s).casefold().split())


def _fold(s: str) -> str:
    """Accents stripped, ß → ss, St. → saint, & → and, punctuation and hyphens as spaces."""
    t = unicodedata.normalize("NFKD", s.translate(_SPELL))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = re.sub(r"[^\w\s]|_", " ", t.replace("&", " and "))
    return " ".join(_SAINTS.get(w, w) for w in t.split())


def _core(s: str) -> str | None:
    """``s`` (case-folded) without one administrative suffix; ``None`` when it has none."""
    m = _SUFFIX.match(s)
    return None if m is None else (m.group(1) or m.group(2)).rstrip()


def _split_state(key: str) -> tuple[str, str | None]:
    """"Autauga County, AL" → ("Autauga County", "AL"); a key without a state is returned whole."""
    m = _STATE.match(key)
    if m and m.group(2).upper() in US_STATE_FIPS:
        return m.group(1), m.group(2).upper()
    return key, None


def _digits(key: str) -> str | None:
    m = _DIGITS.fullmatch(key)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- region index

def _add(index: dict[str, list[int]], key: str | None, pos: int) -> None:
    if key:
        index.setdefault(key, []).append(pos)


@dataclass
class _Regions:
    """Dictionaries from each text form of the regions' ids and names to their positions."""
    ids: list[str]
    names: list[str]
    id_pos: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    by_squash_name: dict[str, list[int]] = field(default_factory=dict)
    by_squash_id: dict[str, list[int]] = field(default_factory=dict)
    by_core: dict[str, list[int]] = field(default_factory=dict)
    by_fold: dict[str, list[int]] = field(default_factory=dict)
    by_fold_core: dict[str, list[int]] = field(default_factory=dict)
    by_fold_id: dict[str, list[int]] = field(default_factory=dict)
    width: int | None = None
    fips: bool = False

    @classmethod
    def build(cls, regions: pd.DataFrame) -> "_Regions":
        missing = {"region_id", "name"} - set(regions.columns)
        if missing:
            raise ValueError(f"regions need columns region_id and name; missing {sorted(missing)}")
        ids = [str(v).strip() for v in regions["region_id"].astype("string").fillna("")]
        names = [str(v).strip() for v in regions["name"].astype("string").fillna("")]
        r = cls(ids, names)
        for pos, (rid, nm) in enumerate(zip(ids, names)):
            if not rid:
                continue
            r.id_pos.setdefault(rid, pos)
            _add(r.by_squash_id, _squash(rid), pos)
            _add(r.by_fold_id, _fold(rid).replace(" ", ""), pos)
            n = _name(nm)
            _add(r.by_name, n, pos)
            _add(r.by_squash_name, _squash(nm), pos)
            _add(r.by_core, _core(n), pos)
            f = _fold(nm)
            _add(r.by_fold, f, pos)
            _add(r.by_fold_core, _core(f), pos)
        digit_ids = [i for i in ids if i]
        if digit_ids and all(_digits(i) == i for i in digit_ids):
            widths = {len(i) for i in digit_ids}
            r.width = widths.pop() if len(widths) == 1 else None
            states = set(US_STATE_FIPS.values())
            r.fips = r.width == 5 and all(i[:2] in states for i in digit_ids)
        return r

    def unique_name(self, key: str) -> int | None:
        found = self.by_name.get(_name(key), ())
        return found[0] if len(found) == 1 else None


def _dedup(positions: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(positions))


def _by_suffix(key: str, regions: _Regions, form, full: dict[str, list[int]],
               cores: dict[str, list[int]], direct: bool) -> list[int]:
    """Regions whose name equals the key once one side loses an administrative suffix (and
    the key a trailing ", ST"); with ``direct``, also those equal as they are."""
    base, state = _split_state(key)
    found: list[int] = []
    for text, st in ((key, None), (base, state)) if state else ((key, None),):
        v = form(text)
        if not v:
            continue
        hits = list(full.get(v, ())) if (direct or st) else []
        core = _core(v)
        hits += full.get(core, ()) if core is not None else cores.get(v, ())
        if st and regions.fips:
            hits = [p for p in hits if regions.ids[p][:2] == US_STATE_FIPS[st]]
        found += hits
    return _dedup(found)


def _by_zeros(key: str, regions: _Regions, key_width: int | None) -> list[int]:
    """An all-digit key padded to the width (shorter keys only), or without its leading zeros
    (ids that lost theirs)."""
    d = _digits(key)
    if d is None:
        return []
    tries = [*_padded(key, regions, key_width), d.lstrip("0")]
    return _dedup(regions.id_pos[t] for t in tries if t in regions.id_pos)


def _rules(by: str, regions: _Regions, key_width: int | None):
    """(rule, lookup) pairs for matching ``by`` ids or names, in the order they are tried."""
    if by == "name":
        return (
            ("same name", lambda k: regions.by_name.get(_name(k), [])),
            ("case and spaces", lambda k: regions.by_squash_name.get(_squash(k), [])),
            ("suffix", lambda k: _by_suffix(k, regions, _name, regions.by_name,
                                            regions.by_core, direct=False)),
            ("accents", lambda k: _by_suffix(k, regions, _fold, regions.by_fold,
                                             regions.by_fold_core, direct=True)),
            ("id or name", lambda k: _dedup(
                [regions.id_pos[i] for i in (k, *_padded(k, regions, key_width))
                 if i in regions.id_pos])),
        )
    return (
        ("case and spaces", lambda k: regions.by_squash_id.get(_squash(k), [])),
        ("leading zeros", lambda k: _by_zeros(k, regions, key_width)),
        ("accents", lambda k: regions.by_fold_id.get(_fold(k).replace(" ", ""), [])),
        ("id or name", lambda k: regions.by_name.get(_name(k), [])),
    )


def _padded(key: str, regions: _Regions, key_width: int | None) -> list[str]:
    d = _digits(key)
    return [d.zfill(w) for w in (key_width, regions.width) if d and w]


def _propose(keys: Iterable[str], regions: _Regions, by: str,
             key_width: int | None) -> pd.DataFrame:
    rules = _rules(by, regions, key_width)
    out = []
    for key in keys:
        for rule, lookup in rules:
            hits = lookup(key)
            if hits:
                one = len(hits) == 1
                out.append({
                    "key": key, "region_id": regions.ids[hits[0]] if one else None,
                    "name": regions.names[hits[0]] if one else None, "rule": rule,
                    "candidates": len(hits),
                    "choices": "" if one else "; ".join(
                        f"{regions.ids[p]} {regions.names[p]}" for p in hits[:_MAX_CHOICES])
                    + ("; …" if len(hits) > _MAX_CHOICES else ""),
                })
                break
    frame = pd.DataFrame(out, columns=["key", "region_id", "name", "rule", "candidates",
                                       "choices"])
    for col in ("key", "region_id", "name", "rule", "choices"):
        frame[col] = frame[col].astype("string")
    frame["candidates"] = frame["candidates"].astype("int64")
    return frame


def propose(unmatched_keys: Iterable[str], regions: pd.DataFrame, *, by: str,
            key_width: int | None = None) -> pd.DataFrame:
    """A proposal for each key that one of the rules (module docstring) finds a region for.

    ``by`` is ``"id"`` or ``"name"``: the side of ``regions`` (columns ``region_id``, ``name``)
    the keys are matched to. Columns: ``key``, ``region_id`` and ``name`` (empty unless
    exactly one region was found), ``rule``, ``candidates`` (how many regions the rule found)
    and ``choices`` (the regions found, when several). Keys no rule finds are left out.
    """
    if by not in ("id", "name"):
        raise ValueError(f"by must be 'id' or 'name', got {by!r}")
    keys = [str(k).strip() for k in unmatched_keys if k is not None and not pd.isna(k)]
    return _propose(keys, _Regions.build(regions), by, key_width)


# --------------------------------------------------------------------------- matching

@dataclass
class KeyMatch:
    """How a table's keys meet a boundary layer.

    ``rows`` counts every row; ``matched_rows`` those whose key is a region's id (``by ==
    "id"``) or the name of exactly one region (``by == "name"``); ``blank_rows`` those with no
    key (blank, "NA", "null" …). Amounts are sums (a blank amount counts as 0):
    ``matched_amount + unmatched_amount + blank_amount`` is the table's total. ``unmatched``
    has one row per distinct key that matched nothing (``key``, ``rows``, ``amount``),
    largest amount (in absolute value) first; ``proposals`` the same order, see
    :func:`propose`, with ``rows``, ``amount`` and ``also_matched``. ``region_ids`` is the
    matched region of each row, ``<NA>`` where there is none.
    """
    rows: int
    matched_rows: int
    by: str
    matched_amount: float
    unmatched_amount: float
    blank_rows: int
    unmatched: pd.DataFrame
    proposals: pd.DataFrame
    blank_amount: float = 0.0
    region_ids: pd.Series = field(default_factory=lambda: pd.Series(dtype="string"))


def match_keys(keys: pd.Series, regions: pd.DataFrame, *, amounts: pd.Series | None = None,
               by: str = "auto", key_width: int | None = None) -> KeyMatch:
    """Match ``keys`` exactly to ``regions`` (columns ``region_id``, ``name``) and propose
    regions for the keys that miss.

    Keys are stripped; a name key is compared through :func:`geodata.load.normalise_name`
    (letter case and spaces), an id key as it is. A name shared by several regions matches
    none of them (it is proposed under "same name" with its choices). ``by="auto"`` matches
    against ids and against names and keeps whichever matches more rows (a tie: ids when most
    keys are digits, else names).
    ``amounts`` (the same length as ``keys``) are summed per key. The work is done once per
    distinct key: 100,000 rows with 3,000 distinct keys against 3,231 regions take about
    0.1 s (``bench/bench_keys.py``).
    """
    if by not in ("auto", "id", "name"):
        raise ValueError(f"by must be 'auto', 'id' or 'name', got {by!r}")
    if amounts is not None and len(amounts) != len(keys):
        raise ValueError(f"amounts has {len(amounts):,} rows, keys {len(keys):,}")
    reg = _Regions.build(regions)
    text = keys.astype("string").str.strip()
    blank = (text.isna() | text.str.lower().isin(BLANK)).to_numpy(dtype=bool)
    codes, uniques = pd.factorize(text.where(~blank), use_na_sentinel=True)
    uniq = [str(u) for u in uniques]
    amt = np.zeros(len(keys)) if amounts is None else \
        pd.to_numeric(amounts, errors="coerce").fillna(0).to_numpy(dtype="float64")
    keyed = codes >= 0
    counts = np.bincount(codes[keyed], minlength=len(uniq))
    sums = np.bincount(codes[keyed], weights=amt[keyed], minlength=len(uniq))

    by_id = np.array([reg.id_pos.get(u, -1) for u in uniq], dtype=np.int64)
    by_name = np.array([(lambda p: -1 if p is None else p)(reg.unique_name(u)) for u in uniq],
                       dtype=np.int64)
    if by == "auto":
        n_id, n_name = counts[by_id >= 0].sum(), counts[by_name >= 0].sum()
        if n_id == n_name:      # a tie (often none match yet): keys of digits are ids
            digits = sum(c for u, c in zip(uniq, counts) if u.replace(".", "").isdigit())
            by = "id" if digits * 2 >= counts.sum() else "name"
        else:
            by = "id" if n_id > n_name else "name"
    pos = by_id if by == "id" else by_name
    hit = pos >= 0

    ids = np.array(reg.ids + [None], dtype=object)
    row_pos = np.where(keyed, pos[np.where(keyed, codes, 0)] if len(uniq) else -1, -1)
    region_ids = pd.Series(ids[row_pos], index=keys.index, dtype="string")

    unmatched = pd.DataFrame({"key": pd.Series([u for u, h in zip(uniq, hit) if not h],
                                               dtype="string"),
                              "rows": counts[~hit].astype("int64"),
                              "amount": sums[~hit].astype("float64")})
    unmatched = _largest_first(unmatched)
    proposals = _propose(unmatched["key"].tolist(), reg, by, key_width)
    proposals = proposals.merge(unmatched, on="key", how="left")
    matched_ids = {reg.ids[p] for p in pos[hit]}
    proposals["also_matched"] = proposals["region_id"].isin(matched_ids).fillna(False) \
        .astype(bool)
    proposals = _largest_first(proposals)[_PROPOSAL_COLUMNS]
    return KeyMatch(
        rows=len(keys), matched_rows=int(counts[hit].sum()), by=by,
        matched_amount=float(sums[hit].sum()), unmatched_amount=float(sums[~hit].sum()),
        blank_rows=int(blank.sum()), unmatched=unmatched, proposals=proposals,
        blank_amount=float(amt[blank].sum()), region_ids=region_ids)


def _largest_first(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.assign(_abs=frame["amount"].abs()).sort_values(
        ["_abs", "rows", "key"], ascending=[False, False, True], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- crosswalks

def _blank(s: pd.Series) -> pd.Series:
    return (s.isna() | s.str.lower().isin(BLANK)).fillna(True).astype(bool)


def read_crosswalk(frame: pd.DataFrame, *,
                   file: str = "crosswalk.csv") -> tuple[dict[str, str], list[Problem]]:
    """A crosswalk table → ``({from key: to key}, problems)``.

    The columns are ``from`` and ``to`` (any case); when the table has no such columns its
    first two are read as from and to, and that is reported (note). Keys are stripped. A row
    with a blank ``from`` or a blank ``to`` is skipped (warning). A key mapped to two
    different targets is an error naming the key, the targets and their lines, and the key
    is left unmapped; the same mapping written twice is read once (note). Lines are counted
    as a spreadsheet shows them (the header is line 1).
    """
    problems: list[Problem] = []
    cols = {str(c).strip().casefold(): c for c in frame.columns}
    if "from" in cols and "to" in cols:
        src_col, dst_col = cols["from"], cols["to"]
    elif frame.shape[1] >= 2:
        src_col, dst_col = frame.columns[0], frame.columns[1]
        problems.append(Problem(
            "note", file, Text(N_("no columns named 'from' and 'to': the first two columns, "
                                  "'{first}' and '{second}', are read as from and to"),
                               first=str(src_col), second=str(dst_col)),
            expected=Text(N_("columns named from and to")), code="crosswalk_columns"))
    else:
        problems.append(Problem("error", file, Text(N_("a crosswalk needs two columns, from and "
                                                       "to")),
                                expected=Text(N_("columns named from and to")),
                                code="crosswalk_columns"))
        return {}, problems
    src = frame[src_col].astype("string").str.strip().reset_index(drop=True)
    dst = frame[dst_col].astype("string").str.strip().reset_index(drop=True)
    lines = pd.Series(np.arange(len(frame), dtype=np.int64) + 2)
    no_from, no_to = _blank(src), _blank(dst)
    if no_from.any():
        problems.append(problem_for_rows(
            "warning", file, Text(N_("{n} row(s) with no 'from' key; skipped"),
                                  n=f"{int(no_from.sum()):,}"),
            column=str(src_col), line_numbers=lines[no_from], values=dst[no_from].dropna(),
            expected=Text(N_("the key as the table writes it")), code="crosswalk_blank"))
    no_to &= ~no_from
    if no_to.any():
        problems.append(problem_for_rows(
            "warning", file, Text(N_("{n} key(s) with no 'to' key; left unmapped"),
                                  n=f"{int(no_to.sum()):,}"),
            column=str(dst_col), line_numbers=lines[no_to], values=src[no_to],
            expected=Text(N_("the region id or name the key stands for")), code="crosswalk_blank"))
    ok = ~no_from & ~no_to
    pairs = pd.DataFrame({"from": src[ok], "to": dst[ok], "line": lines[ok]})
    repeated = pairs["from"].duplicated(keep=False)
    mapping = dict(zip(pairs.loc[~repeated, "from"], pairs.loc[~repeated, "to"]))
    twice: list[int] = []
    for key, group in pairs[repeated].groupby("from", sort=True):
        targets = list(dict.fromkeys(group["to"]))
        if len(targets) > 1:
            problems.append(problem_for_rows(
                "error", file, Text(N_("'{key}' is mapped to {n} different keys ({targets}); it is "
                                       "left unmapped"), key=str(key), n=str(len(targets)),
                                    targets=", ".join(f"'{x}'" for x in targets)),
                column=str(src_col), line_numbers=group["line"], values=[key],
                expected=Text(N_("one target per key")), code="crosswalk_conflict"))
        else:
            mapping[str(key)] = targets[0]
            twice += group["line"].iloc[1:].tolist()
    if twice:
        problems.append(problem_for_rows(
            "note", file, Text(N_("{n} mapping(s) written more than once; read once"),
                               n=f"{len(twice):,}"),
            column=str(src_col), line_numbers=sorted(twice), expected="",
            code="crosswalk_duplicate"))
    return mapping, problems


def apply_crosswalk(keys: pd.Series, mapping: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """``(new keys, changed)``: each key (stripped) found in ``mapping`` replaced by its
    target, once (a target that is itself a key is not followed further); other keys are
    returned as they are. ``changed`` marks the rows whose key the crosswalk changed."""
    text = keys.astype("string")
    codes, uniques = pd.factorize(text.str.strip(), use_na_sentinel=True)
    targets = np.array([mapping.get(str(u)) for u in uniques] + [None], dtype=object)
    moved = np.array([t is not None and t != str(u) for t, u in zip(targets, uniques)]
                     + [False], dtype=bool)
    codes = np.where(codes < 0, len(uniques), codes)
    changed = pd.Series(moved[codes], index=keys.index, dtype=bool)
    new = pd.Series(targets[codes], index=keys.index, dtype="string")
    return text.where(~changed, new), changed


def crosswalk_frame(accepted: pd.DataFrame, *, to: str = "region_id") -> pd.DataFrame:
    """Accepted proposals → a crosswalk to save as CSV: columns ``from`` (the key), ``to``
    (the proposal's ``region_id``, or its ``name`` with ``to="name"``) and ``rule``, sorted
    by ``from``. Proposals without a region (several candidates) are left out; the same
    mapping twice is written once; a key accepted for two regions raises ``ValueError``."""
    if to not in ("region_id", "name"):
        raise ValueError(f"to must be 'region_id' or 'name', got {to!r}")
    target = accepted[to].astype("string").str.strip()
    keep = target.notna() & (target != "")
    out = pd.DataFrame({
        "from": accepted["key"].astype("string").str.strip()[keep],
        "to": target[keep],
        "rule": (accepted["rule"].astype("string") if "rule" in accepted
                 else pd.Series("", index=accepted.index, dtype="string"))[keep],
    }).drop_duplicates(["from", "to"])
    twice = out["from"][out["from"].duplicated()]
    if len(twice):
        raise ValueError(f"key(s) accepted for two regions: {', '.join(twice.astype(str))}")
    return out.sort_values("from", kind="stable").reset_index(drop=True)


def names_are_unique(regions: pd.DataFrame) -> bool:
    """Whether every region's name (letter case and spaces aside) is its own."""
    from ..load import normalise_name

    names = regions["name"].map(normalise_name)
    return not names.duplicated().any()


def key_plan(keys: pd.Series, match: KeyMatch, accepted: pd.DataFrame,
             regions: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """How an imported table is keyed: ``(canonical key column, crosswalk)``.

    Matched by id, or by names that are all distinct: the key column as it is
    (``region_id`` or ``region_name``) and the accepted proposals as the crosswalk. Matched by
    names that several regions share (counties named Washington): ``region_id``, with a
    crosswalk from every key matched as written *and* every accepted proposal to its region
    id, since a name alone would not say which region is meant.
    """
    if match.by == "id":
        return "region_id", crosswalk_frame(accepted, to="region_id")
    if names_are_unique(regions):
        return "region_name", crosswalk_frame(accepted, to="name")
    text = keys.astype("string").str.strip()
    hit = match.region_ids.notna() & text.notna()
    exact = pd.DataFrame({"key": text[hit], "region_id": match.region_ids[hit],
                          "rule": "same name"}).drop_duplicates("key")
    both = pd.concat([exact, accepted[["key", "region_id", "rule"]]], ignore_index=True)
    return "region_id", crosswalk_frame(both.drop_duplicates("key", keep="last"),
                                        to="region_id")
