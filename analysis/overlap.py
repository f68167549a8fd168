"""Overlapping funding in a table of line items: who is funded more than once, and which awards
look like the same award entered twice.

A line-item table has one row per award: an award id, the recipient (an id such as an EIN, and
a name), who gave the money (funders: a council member, a district), the programme, the
agency, the period (fiscal year) or a date, the amount, the purpose text and where the
recipient is. :class:`OverlapRules` names those columns and the matching rules; a workspace
gives them in its manifest (:data:`OVERLAP_KEYS`, read by :func:`rules_from_manifest`).

:func:`check_overlap` answers two questions:

**Funded more than once** — per recipient and period, the distinct funders and programmes,
the awards and their money; a recipient with more than one funder or more than one programme
in one period is listed, the largest sums first.

**Near-duplicate awards** — pairs of awards to the same recipient in the same period (or at
most ``window_days`` apart when the table has dates) with the same amount (within
``amount_tolerance``) or the same purpose text. The recipient is the same by id; a row whose id
is blank, or is a shared id set aside in ``exclude_ids`` (the City of New York's EIN covers 73
public bodies), is matched by its name after normalisation instead. A purpose text written for
more than ``boilerplate_recipients`` recipients is boilerplate (an initiative's standard text):
it is shown, but it never makes a pair on its own. Each pair says why it matched, in the
reader's language ("same EIN 133846431, same amount $25,000, same purpose text, FY2026"), and
carries its amount at issue: the smaller of its two amounts, what would have been paid twice.

Pairs are found by blocking, never by comparing every award with every other: exact matches
are the pairs inside groups of equal (recipient, period, amount) or (recipient, period,
purpose); tolerances and date windows are sorted-neighbourhood scans. A million line items
take a few seconds (``bench/bench_overlap.py``).

:func:`flagged_by_area` sums the flagged money by area (the funder's district, the recipient's
ZIP area) for a map, with the money of rows that have no area counted as not placed;
:func:`export_frames` gives CSV-ready tables with column labels in the reader's language.
"""
from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from geodata.problems import Text, as_text, count
from geodata.readers.numbers import BLANK, NUMBER_REASONS, parse_numbers
from layers.numbers import format_number
from locales import N_, t

from . import AnalysisError

#: Keys of the manifest's ``[overlap]`` section (see :func:`rules_from_manifest`).
OVERLAP_KEYS = ("table", "award_id", "recipient_id", "recipient_id_label", "recipient_id_width",
                "recipient_name", "funders", "programme", "agency", "period", "date", "amount",
                "purpose", "location", "areas", "amount_tolerance", "window_days",
                "name_normalisation", "exclude_ids", "boilerplate_recipients")
#: Words people write for a key of ``[overlap]`` → the key.
OVERLAP_ALIASES = {"program": "programme", "funder": "funders", "window": "window_days",
                   "tolerance": "amount_tolerance", "exclude": "exclude_ids",
                   "recipient": "recipient_id", "name": "recipient_name", "year": "period",
                   "fiscal_year": "period", "id": "award_id"}

#: Name normalisation steps, applied in this order whatever order the rules list them in.
NAME_STEPS = {
    "accents": N_("accents"),
    "casefold": N_("letter case"),
    "and": N_("'&' read as 'and'"),
    "strip_punctuation": N_("punctuation"),
    "legal_suffixes": N_("legal suffixes (Inc., Corp., LLC, Ltd., a trailing or leading 'The')"),
}
DEFAULT_NAME_STEPS = ("casefold", "strip_punctuation", "legal_suffixes")
#: The City of New York's own EIN: one id for 73 public bodies in the Council's disclosure.
NYC_CITY_EIN = "136400434"
#: Above this many candidate pairs the check refuses (the rules match nearly everything).
MAX_PAIRS = 5_000_000

# Legal-form words at the end of a name ("Inc.", "Incorporated" and its misspellings seen in
# filings, "Corp", "LLC"…), possibly several ("…, Inc., The"); "The" at the start.
_LEGAL = (r"inc|incorporated|incoporated|incorported|incorparated|incorp|corp|corporation|"
          r"co|company|llc|l\s*l\s*c|ltd|limited|lp|llp|pllc|pc|the")
_LEGAL_TAIL = re.compile(rf"(?:[\s,.;]+(?:{_LEGAL})\.?)+[\s,.;]*$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^\s*the\s+", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s]+")
_NOT_WORD = re.compile(r"\W")
_SPACES = re.compile(r"\s+")

#: Column labels of the exported tables (message ids; :func:`export_frames` translates them).
COLUMN_LABELS = {
    "recipient_name": N_("Recipient"),
    "recipient_id": N_("Recipient id"),
    "matched_on": N_("Matched on"),
    "period": N_("Period"),
    "awards": N_("Number of awards"),
    "amount": N_("Amount"),
    "funders_n": N_("Distinct funders"),
    "funders": N_("Funders (list)"),
    "programmes_n": N_("Distinct programmes"),
    "programmes": N_("Programmes (list)"),
    "agencies_n": N_("Distinct agencies"),
    "agencies": N_("Agencies (list)"),
    "award_a": N_("Award A"),
    "award_b": N_("Award B"),
    "amount_a": N_("Amount A"),
    "amount_b": N_("Amount B"),
    "amount_at_issue": N_("Amount at issue"),
    "funder_a": N_("Funder A"),
    "funder_b": N_("Funder B"),
    "programme_a": N_("Programme A"),
    "programme_b": N_("Programme B"),
    "location_a": N_("Location A"),
    "location_b": N_("Location B"),
    "line_a": N_("Line A"),
    "line_b": N_("Line B"),
    "days_apart": N_("Days apart"),
    "same_amount": N_("Same amount"),
    "same_purpose": N_("Same purpose text"),
    "boilerplate_purpose": N_("Boilerplate purpose"),
    "same_funder": N_("Same funder"),
    "same_programme": N_("Same programme"),
    "identical": N_("Identical except the award id"),
    "why": N_("Why it matched"),
    "purpose": N_("Purpose text"),
    "recipients": N_("Number of recipients"),
    "rows": N_("Number of line items"),
    "reason": N_("Reason left out"),
    "region_id": N_("Region"),
    "pair_awards": N_("Awards in near-duplicate pairs"),
    "pair_amount": N_("Money in near-duplicate pairs"),
    "multi_recipients": N_("Recipients funded more than once"),
    "multi_awards": N_("Awards to recipients funded more than once"),
    "multi_amount": N_("Money to recipients funded more than once"),
}
#: Titles of the tables :func:`export_frames` gives (message ids).
EXPORT_TITLES = {
    "recipients": N_("Recipients funded more than once"),
    "pairs": N_("Possible duplicate awards"),
    "boilerplate": N_("Boilerplate purpose texts"),
    "excluded": N_("Line items left out"),
    "areas": N_("Flagged money by region"),
}
MATCHED_ON = {"id": N_("recipient id"), "name": N_("recipient name"),
              "shared": N_("recipient name (shared id set aside)")}
MATCHED_KINDS = np.array(["id", "name", "shared"], dtype=object)

_EXCLUDED_REASONS = {
    "bad_amount": N_("the amount could not be read"),
    "no_amount": N_("no amount"),
    "no_recipient": N_("no recipient id or name"),
    "no_period": N_("no period"),
    "bad_date": N_("no date in the form YYYY-MM-DD (left out of the pair check only)"),
}


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class OverlapRules:
    """Which columns of the line items mean what, and how awards are matched.

    Column names are the table's own headers. At least one of ``recipient_id`` and
    ``recipient_name`` is needed, and ``amount``. ``funders`` are columns naming who gave the
    money; each distinct non-blank value is one funder. ``period`` (fiscal year) groups the
    awards; with ``date`` (ISO dates) and ``window_days`` > 0 two awards pair when at most that
    many days apart instead of when in the same period. ``amount_tolerance`` is in the
    table's currency. ``areas`` maps a level id to the column holding that level's region id,
    for :func:`flagged_by_area`.
    """
    amount: str = "amount"
    recipient_id: str | None = None
    recipient_name: str | None = None
    funders: tuple[str, ...] = ()
    programme: str | None = None
    agency: str | None = None
    period: str | None = None
    date: str | None = None
    purpose: str | None = None
    award_id: str | None = None
    location: str | None = None
    areas: tuple[tuple[str, str], ...] = ()
    window_days: int = 0
    amount_tolerance: float = 0.0
    name_normalisation: tuple[str, ...] = DEFAULT_NAME_STEPS
    exclude_ids: tuple[str, ...] = (NYC_CITY_EIN,)
    recipient_id_width: int | None = None
    recipient_id_label: str = ""
    boilerplate_recipients: int = 5
    period_label: str = ""              # written before a period: "FY" + "2026"
    unit: str = "USD"                   # currency of the amounts
    table: str | None = None            # the workspace table whose file holds the line items

    def __post_init__(self) -> None:
        if isinstance(self.funders, str):
            object.__setattr__(self, "funders", (self.funders,))
        if isinstance(self.areas, Mapping):
            object.__setattr__(self, "areas", tuple(self.areas.items()))
        unknown = [s for s in self.name_normalisation if s not in NAME_STEPS]
        if unknown:
            raise AnalysisError(Text(N_("unknown name normalisation step(s) {steps}; the steps "
                                        "are: {known}"), steps=", ".join(unknown),
                                     known=", ".join(NAME_STEPS)))
        if self.amount_tolerance < 0 or self.window_days < 0 or self.boilerplate_recipients < 1:
            raise AnalysisError(Text(N_("amount_tolerance and window_days must be 0 or more, "
                                        "boilerplate_recipients 1 or more")))

    @property
    def area_columns(self) -> dict[str, str]:
        return dict(self.areas)

    @property
    def id_label(self) -> str:
        return self.recipient_id_label or self.recipient_id or ""

    def columns(self) -> list[str]:
        """Every column the rules name (once each)."""
        cols = [self.amount, self.recipient_id, self.recipient_name, *self.funders,
                self.programme, self.agency, self.period, self.date, self.purpose,
                self.award_id, self.location, *self.area_columns.values()]
        out: list[str] = []
        for c in cols:
            if c and c not in out:
                out.append(c)
        return out


def _text_or_none(v: Any, key: str, problems: list[Text]) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    problems.append(Text(N_("[overlap]: '{key}' must be a column name (text), got {value}"),
                         key=key, value=repr(v)[:60]))
    return None


def _text_list(v: Any, key: str, problems: list[Text]) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool)
                                          for x in v):
        problems.append(Text(N_("[overlap]: '{key}' must be a list of texts, got {value}"),
                             key=key, value=repr(v)[:60]))
        return ()
    return tuple(str(x).strip() for x in v if str(x).strip())


def _number(v: Any, key: str, problems: list[Text], *, whole: bool, lo: float,
            hi: float) -> float | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi and \
        (not whole or float(v).is_integer())
    if not ok:
        msg = N_("[overlap]: '{key}' must be a whole number from {lo} to {hi}, got {value}") \
            if whole else N_("[overlap]: '{key}' must be a number from {lo} to {hi}, got {value}")
        problems.append(Text(msg, key=key, lo=f"{lo:,g}", hi=f"{hi:,g}", value=repr(v)[:40]))
        return None
    return v


def rules_from_manifest(section: Mapping[str, Any], *, currency: str = "USD",
                        period_label: str = "",
                        level_ids: Sequence[str] | None = None) -> tuple[OverlapRules | None,
                                                                      list[Text]]:
    """The rules of a manifest's ``[overlap]`` section, and every problem found in it.

    Unknown keys name the nearest valid one; a value of the wrong type is a problem naming the
    key and is left at its default; the rules are None when the section cannot be used (no
    amount, no recipient column). ``level_ids`` checks the levels named in ``areas``.
    """
    from geodata.workspace import unknown_keys

    problems: list[Text] = []
    if not isinstance(section, Mapping):
        return None, [Text(N_("[overlap] must be a table of settings"))]
    problems += unknown_keys(dict(section), OVERLAP_KEYS, "[overlap]", aliases=OVERLAP_ALIASES)
    kw: dict[str, Any] = {}
    for key in ("award_id", "recipient_id", "recipient_name", "programme", "agency", "period",
                "date", "amount", "purpose", "location", "table", "recipient_id_label"):
        if key in section:
            v = _text_or_none(section[key], key, problems)
            if v is not None:
                kw[key] = v.strip()
    if "funders" in section:
        kw["funders"] = _text_list(section["funders"], "funders", problems)
    if "exclude_ids" in section:
        kw["exclude_ids"] = _text_list(section["exclude_ids"], "exclude_ids", problems)
    if "name_normalisation" in section:
        steps = _text_list(section["name_normalisation"], "name_normalisation", problems)
        bad = [s for s in steps if s not in NAME_STEPS]
        if bad:
            problems.append(Text(N_("[overlap]: unknown name normalisation step(s) {steps}; the "
                                    "steps are: {known}"), steps=", ".join(bad),
                                 known=", ".join(NAME_STEPS)))
        kw["name_normalisation"] = tuple(s for s in steps if s in NAME_STEPS)
    for key, whole, lo, hi in (("amount_tolerance", False, 0, 1e15),
                               ("window_days", True, 0, 36_600),
                               ("boilerplate_recipients", True, 1, 1e9),
                               ("recipient_id_width", True, 1, 64)):
        if key in section:
            v = _number(section[key], key, problems, whole=whole, lo=lo, hi=hi)
            if v is not None:
                kw[key] = int(v) if whole else float(v)
    if "areas" in section:
        areas = section["areas"]
        if not isinstance(areas, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in areas.items()):
            problems.append(Text(N_("[overlap]: 'areas' must be a table of level id = column "
                                    "name, e.g. {example}"),
                                 example='{ district = "member_district" }'))
        else:
            if level_ids is not None:
                for lid in areas:
                    if lid not in level_ids:
                        problems.append(Text(N_("[overlap]: 'areas' names level {value}, which "
                                                "is not one of the levels ({levels})"),
                                             value=repr(lid), levels=", ".join(level_ids)))
            kw["areas"] = tuple((k, v.strip()) for k, v in areas.items()
                                if level_ids is None or k in level_ids)
    if not kw.get("amount"):
        problems.append(Text(N_("[overlap]: 'amount' is required: the column of the award "
                                "amounts")))
    if not kw.get("recipient_id") and not kw.get("recipient_name"):
        problems.append(Text(N_("[overlap]: name the recipient: 'recipient_id' (a column of ids "
                                "such as an EIN) or 'recipient_name', or both")))
    if not kw.get("amount") or not (kw.get("recipient_id") or kw.get("recipient_name")):
        return None, problems
    return OverlapRules(unit=currency, period_label=period_label, **kw), problems


def rules_for_workspace(ws) -> tuple[OverlapRules | None, list[Text]]:
    """The ``[overlap]`` rules of a workspace (None when it has none), with its currency and,
    when the period column is the table's fiscal year, the fiscal-year label ("FY")."""
    section = ws.settings.get("overlap")
    if section is None:
        return None, []
    rules, problems = rules_from_manifest(section, currency=ws.currency,
                                          level_ids=[lv.id for lv in ws.levels])
    if rules is None:
        return None, problems
    if rules.table is None:
        problems.append(Text(N_("[overlap]: 'table' is required: the id of the table whose "
                                "file holds the line items")))
        return None, problems
    try:
        spec = ws.table(rules.table)
    except KeyError:
        problems.append(Text(N_("[overlap]: table {value} is not one of the tables ({tables})"),
                             value=repr(rules.table),
                             tables=", ".join(s.id for s in ws.tables)))
        return None, problems
    unit = spec.unit if spec.unit and len(spec.unit) == 3 and spec.unit.isupper() else ws.currency
    label = ws.fiscal_year_label if rules.period and \
        rules.period == spec.columns.get("fiscal_year") else ""
    return replace(rules, unit=unit, period_label=label), problems


def read_line_items(ws, rules: OverlapRules) -> tuple[pd.DataFrame, list[Text]]:
    """Every column of the line-item table's file as text (the workspace's reader: encoding,
    separator, sheet and layout as the manifest says), with ``_line``: the row's line in the
    file as a spreadsheet shows it."""
    from geodata.load import table_layout
    from geodata.readers.text import max_file_bytes, read_table_file

    if not rules.table:
        raise AnalysisError(Text(N_("[overlap]: 'table' is required: the id of the table whose "
                                    "file holds the line items")))
    spec = ws.table(rules.table)
    res = read_table_file(spec.file, encoding=spec.encoding,
                          separator=spec.options.get("separator"),
                          sheet=spec.options.get("sheet"),
                          max_bytes=max_file_bytes(spec.options.get("max_file_mb",
                                                                    ws.max_file_mb)),
                          layout=table_layout(spec))
    frame = res.frame.copy()
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if len(frame):
        frame["_line"] = np.asarray(res.lines, dtype=np.int64)
    return frame, [as_text(n.message) for n in res.notes]


# --------------------------------------------------------------------------- normalisation


def normalise_name(name: str, steps: Sequence[str] = DEFAULT_NAME_STEPS) -> str:
    """A recipient name as matched: the ``steps`` applied in a fixed order, then surrounding
    and repeated spaces dropped. "Wave Hill Incoporated" and "Wave Hill, Inc." both give
    "wave hill" with the default steps."""
    s = unicodedata.normalize("NFKC", str(name))
    if "accents" in steps:
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    if "casefold" in steps:
        s = s.casefold()
    if "and" in steps:
        s = s.replace("&", " and ")
    if "legal_suffixes" in steps:
        # before punctuation goes, so "Inc." and ", The" are still seen as words
        prev = None
        while prev != s:
            prev = s
            s = _LEGAL_TAIL.sub("", s)
            s = _LEADING_THE.sub("", s)
    if "strip_punctuation" in steps:
        s = _PUNCT.sub(" ", s)
        if "legal_suffixes" in steps:
            s = _LEGAL_TAIL.sub("", s)
    return _SPACES.sub(" ", s).strip()


def normalise_purpose(text: str) -> str:
    """A purpose text as compared: letter case, punctuation and spacing ignored (the rule
    :func:`_purpose_keys` applies to a whole column at once)."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", s)).strip()


def _purpose_keys(texts: np.ndarray) -> np.ndarray:
    """:func:`normalise_purpose` of many texts at once, in Arrow's string kernels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(list(texts), type=pa.large_string())
    arr = pc.utf8_lower(pc.utf8_normalize(arr, "NFKC"))
    arr = pc.replace_substring_regex(arr, r"[^\p{L}\p{N}_]", " ")
    arr = pc.replace_substring_regex(arr, r"  +", " ")
    return np.asarray(pc.utf8_trim_whitespace(arr).to_pylist(), dtype=object)


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


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, missing) -> np.ndarray:
    """values[keys == q] for each q of ``query`` (``keys`` sorted and distinct)."""
    if not len(keys):
        return np.full(len(query), missing, dtype=object)
    pos = np.clip(np.searchsorted(keys, query), 0, len(keys) - 1)
    found = keys[pos] == query
    return np.where(found, values[pos], missing)


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


# --------------------------------------------------------------------------- pairs


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


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class ExcludedRows:
    """Line items left out of the check, and why (one reason per entry)."""
    reason: Text
    rows: int
    amount: float                   # their money (NaN when the amounts are what is unreadable)


@dataclass(frozen=True)
class OverlapResult:
    """What :func:`check_overlap` found. Frames are ranked by money, largest first. ``method``
    and ``problems`` follow the reader's language wherever they are shown; the ``why`` column
    of ``pairs`` is in the language of the run that made it (:func:`why_texts` gives it again
    in the reader's, as :func:`export_frames` does)."""
    multi_funded: pd.DataFrame      # recipient × period with >1 funder or programme
    pairs: pd.DataFrame             # near-duplicate award pairs, each with ``why``
    boilerplate: pd.DataFrame       # purpose texts written for many recipients
    items: pd.DataFrame             # one row per line item: key, period, flags, areas
    totals: dict[str, float]
    method: Text
    excluded: tuple[ExcludedRows, ...]
    problems: tuple[Text, ...]
    rules: OverlapRules = field(repr=False, default_factory=OverlapRules)

    @property
    def n_excluded(self) -> int:
        """Line items left out, all reasons together."""
        return sum(e.rows for e in self.excluded)


class _Money(str):
    """An amount that is written in the reader's language wherever it is shown."""

    def __new__(cls, x: float, unit: str) -> "_Money":
        obj = super().__new__(cls, format_number(x, unit, compact=False))
        obj.x, obj.unit = x, unit
        return obj

    def __str__(self) -> str:
        return format_number(self.x, self.unit, compact=False)

    def __reduce__(self):
        return (_Money, (self.x, self.unit))


def _sentences(parts: Sequence[Text]) -> Text:
    out = parts[0]
    for p in parts[1:]:
        out = Text(N_("{sentence} {next_sentence}"), sentence=out, next_sentence=p)
    return out


def _listing(items: Sequence[str]) -> Text | str:
    if not items:
        return Text(N_("none"))
    out = items[0]
    for x in items[1:]:
        out = Text(N_("{item}, {next_item}"), item=out, next_item=x)
    return out


def method_text(rules: OverlapRules) -> Text:
    """The method in one short paragraph, in the reader's language wherever it is shown:
    columns, matching rules, window, boilerplate threshold, and the caveat."""
    steps = _listing([Text(NAME_STEPS[s]) for s in NAME_STEPS if s in rules.name_normalisation])
    shared = _listing(list(rules.exclude_ids))
    out: list[Text] = []
    ident = Text(N_("{label} (column {column})"), label=rules.recipient_id_label,
                 column=rules.recipient_id) if rules.recipient_id_label else \
        Text(N_("the column {column}"), column=rules.recipient_id)
    if rules.recipient_id and rules.recipient_name:
        out.append(Text(N_("Recipients are matched by {id}; where it is blank or a shared id set "
                           "aside ({shared}), by the name in {name} after normalisation "
                           "({steps})."), id=ident, shared=shared, name=rules.recipient_name,
                        steps=steps))
    elif rules.recipient_id:
        out.append(Text(N_("Recipients are matched by {id}; rows where it is blank or a shared "
                           "id set aside ({shared}) are left out."), id=ident, shared=shared))
    else:
        out.append(Text(N_("Recipients are matched by the name in {name} after normalisation "
                           "({steps})."), name=rules.recipient_name, steps=steps))
    period = rules.period or Text(N_("the whole table"))
    if rules.funders and rules.programme:
        out.append(Text(N_("A recipient is funded more than once when, in one period ({period}), "
                           "its awards come from more than one funder ({funders}) or more than "
                           "one programme ({programme})."), period=period,
                        funders=_listing(list(rules.funders)), programme=rules.programme))
    elif rules.funders:
        out.append(Text(N_("A recipient is funded more than once when, in one period ({period}), "
                           "its awards come from more than one funder ({funders})."),
                        period=period, funders=_listing(list(rules.funders))))
    elif rules.programme:
        out.append(Text(N_("A recipient is funded more than once when, in one period ({period}), "
                           "its awards come from more than one programme ({programme})."),
                        period=period, programme=rules.programme))
    else:
        out.append(Text(N_("No funder or programme column is named: only near-duplicate awards "
                           "are looked for.")))
    tol = _Money(rules.amount_tolerance, rules.unit)
    if rules.date and rules.window_days:
        when = Text(N_("at most {days} day(s) apart"), days=count(rules.window_days))
    else:
        when = Text(N_("in the same period"))
    if rules.amount_tolerance and rules.purpose:
        criteria = Text(N_("their amounts differ by {tolerance} or less or their purpose texts "
                           "are the same (case, punctuation and spacing ignored)"), tolerance=tol)
    elif rules.amount_tolerance:
        criteria = Text(N_("their amounts differ by {tolerance} or less"), tolerance=tol)
    elif rules.purpose:
        criteria = Text(N_("they have the same amount or the same purpose text (case, "
                           "punctuation and spacing ignored)"))
    else:
        criteria = Text(N_("they have the same amount"))
    out.append(Text(N_("Two awards to one recipient {when} are a possible duplicate when "
                       "{criteria}."), when=when, criteria=criteria))
    if rules.purpose:
        out.append(Text(N_("A purpose text written for more than {n} recipients is boilerplate "
                           "and does not make a pair on its own."),
                        n=count(rules.boilerplate_recipients)))
    out.append(Text(N_("These are leads for review, not findings: identical designations can be "
                       "legitimate (one per school or site).")))
    return _sentences(out)


# --------------------------------------------------------------------------- the check


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


# --------------------------------------------------------------------------- maps and exports


@dataclass(frozen=True)
class AreaFlags:
    """Flagged money per area of one level, and what has no area (so the totals reconcile)."""
    level: str
    column: str
    values: pd.DataFrame            # index region_id: pair_awards, pair_amount, multi_recipients,
                                    # multi_awards, multi_amount
    not_placed: dict[str, float]    # the same measures for line items with no area
    method: str


def flagged_by_area(result: OverlapResult, level: str) -> AreaFlags:
    """The flagged money of ``result`` summed by the areas of ``level`` (the column the rules'
    ``areas`` give for it): awards in near-duplicate pairs and their money (each award once),
    and awards to recipients funded more than once. Line items with a blank area are counted
    in ``not_placed``; area ids are as written (the map's join reports ids it does not know)."""
    col = result.rules.area_columns.get(level)
    if col is None:
        raise AnalysisError(Text(N_("The overlap rules give no area column for level {level}; "
                                    "add it to 'areas' (e.g. {example})."), level=repr(level),
                                 example=f'{level} = "<column>"'))
    it = result.items[result.items["usable"]]
    area = it[f"area:{level}"].astype(str)
    placed = (area != "").to_numpy()
    pair = it["in_pair"].to_numpy()
    multi = it["multi_funded"].to_numpy()
    frame = pd.DataFrame({
        "region_id": area.to_numpy(dtype=object),
        "pair_awards": pair.astype(np.int64),
        "pair_amount": np.where(pair, it["amount"], 0.0),
        "multi_key": np.where(multi, it["key"], -1),
        "multi_awards": multi.astype(np.int64),
        "multi_amount": np.where(multi, it["amount"], 0.0),
    })

    def sums(f: pd.DataFrame) -> pd.DataFrame:
        g = f.groupby("region_id", sort=True)
        out = g[["pair_awards", "pair_amount", "multi_awards", "multi_amount"]].sum()
        keys = f[f["multi_key"] >= 0].groupby("region_id")["multi_key"].nunique()
        out.insert(2, "multi_recipients", keys.reindex(out.index, fill_value=0).astype(np.int64))
        return out

    values = sums(frame[placed])
    values = values[(values["pair_awards"] > 0) | (values["multi_awards"] > 0)]
    rest_f = frame[~placed]
    rest = {"pair_awards": int(rest_f["pair_awards"].sum()),
            "pair_amount": float(rest_f["pair_amount"].sum()),
            "multi_recipients": int(rest_f.loc[rest_f["multi_key"] >= 0, "multi_key"].nunique()),
            "multi_awards": int(rest_f["multi_awards"].sum()),
            "multi_amount": float(rest_f["multi_amount"].sum())}
    method = t("Flagged money by {level} ({column}): each award counted once, in the area of "
               "its own line item; line items with no area are counted as not placed.",
               level=level, column=col)
    values = values.sort_values(["pair_amount", "multi_amount"], ascending=False, kind="stable")
    return AreaFlags(level=level, column=col, values=values, not_placed=rest, method=method)


def export_frames(result: OverlapResult,
                  areas: AreaFlags | None = None) -> dict[str, pd.DataFrame]:
    """The result as tables ready for CSV: ``recipients`` (funded more than once), ``pairs``,
    ``boilerplate`` and ``excluded`` (and ``areas`` when given), with column headers and the
    matched-on and yes/no cells in the reader's language; data (names, ids, purposes) as
    written."""
    yes, no = t("yes"), t("no")
    pairs = result.pairs.copy()
    if len(pairs):
        pairs["why"] = why_texts(result.rules, pairs)
    excluded = pd.DataFrame([{"reason": str(e.reason), "rows": e.rows, "amount": e.amount}
                             for e in result.excluded], columns=["reason", "rows", "amount"])

    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        f = frame[[c for c in frame.columns if not str(c).startswith("_")]].copy()
        if "matched_on" in f:
            f["matched_on"] = f["matched_on"].map(lambda v: t(MATCHED_ON.get(v, v)))
        for c in ("same_amount", "same_purpose", "same_funder", "same_programme",
                  "boilerplate_purpose", "identical"):
            if c in f:
                f[c] = np.where(f[c].astype(bool), yes, no)
        return f.rename(columns={c: t(COLUMN_LABELS[c]) for c in f.columns if c in COLUMN_LABELS})

    out = {"recipients": labelled(result.multi_funded), "pairs": labelled(pairs),
           "boilerplate": labelled(result.boilerplate), "excluded": labelled(excluded)}
    if areas is not None:
        out["areas"] = labelled(areas.values.reset_index())
    return out


def summary_lines(result: OverlapResult) -> list[str]:
    """The totals as sentences for the page and the export's header, in the reader's
    language."""
    s, unit = result.totals, result.rules.unit
    return [
        t("{rows} line items checked ({amount}), {recipients} recipients.",
          rows=count(s["rows_checked"]), amount=format_number(s["amount"], unit),
          recipients=count(s["recipients"])),
        t("{n} recipient-period(s) funded by more than one funder or programme: {awards} "
          "awards, {amount}.", n=count(s["multi_funded"]), awards=count(s["multi_funded_awards"]),
          amount=format_number(s["multi_funded_amount"], unit)),
        t("{pairs} near-duplicate pair(s) covering {awards} awards ({amount}); {identical} "
          "pair(s) identical in every column but the award id.", pairs=count(s["pairs"]),
          awards=count(s["pair_awards"]), amount=format_number(s["pair_amount"], unit),
          identical=count(s["identical_pairs"])),
    ]
