"""Import a messy allocations file into a tidy table, with a report of everything repaired.

:func:`import_frame` (or :func:`import_csv`) reads every cell as text and

* builds the region key from one or more columns (a code crosswalk such as USPS → FIPS, and
  zero padding of all-digit parts that lost their leading zeros: ``"1"`` → ``"001"``);
* parses amounts and other numbers the way a spreadsheet user meant them (``"201,350"``,
  ``"3.68E+08"``, ``"$1,234"``, ``"(1,200)"``), exactly, in cents;
* finds files that were concatenated twice: when the rows carry a source-file column, rows
  identical on every other column but coming from another file are merged (kept once), and when
  most keys of one file also appear in an earlier file, that file is a duplicate of it and its
  rows that disagree with the earlier file are rejected (never summed twice);
* rejects rows without a usable key or amount, listing each one.

Nothing is dropped silently: ``raw total = kept + merged duplicates + rejected`` to the cent
(:attr:`ImportResult.reconciles`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Mapping

import pandas as pd

from locales import t

CENT = Decimal("0.01")
_BLANK = {"", "na", "n/a", "nan", "null", "none", "-", "—"}
_FILE_RE = re.compile(r".+\.(csv|tsv|txt|xlsx?|xls|json|parquet)$", re.IGNORECASE)
_THOUSANDS_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_SCI_RE = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d+$")
#: A later file is a duplicate of an earlier one when at least this share of its keys are
#: also in the earlier file.
DUPLICATE_FILE_SHARE = 0.5

REPORT_COLUMNS = ["action", "source_file", "line", "column", "value", "result", "amount",
                  "detail"]


@dataclass(frozen=True)
class KeyPart:
    """One column of the region key. ``mapping`` translates codes (unknown code = rejected);
    ``width`` zero-pads all-digit values that are shorter."""
    column: str
    width: int | None = None
    mapping: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ImportSpec:
    key: tuple[KeyPart, ...]
    amount: str
    year: int | None = None                 # one fiscal year for every row, or
    year_column: str | None = None          # a column holding it
    keep: Mapping[str, str] = field(default_factory=dict)     # output name → source column (text)
    numbers: Mapping[str, str] = field(default_factory=dict)  # output name → source column (number)
    source_column: str | None = None        # None: detected (a column of file names)

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("an import needs at least one key column")
        if (self.year is None) == (self.year_column is None):
            raise ValueError("give either year= (one fiscal year) or year_column=, not both")


@dataclass
class ImportResult:
    table: pd.DataFrame          # region_id, fiscal_year, amount (text, 2 decimals), kept columns
    report: pd.DataFrame         # one row per repair, merge or rejection (REPORT_COLUMNS)
    duplicate_files: pd.DataFrame  # file, duplicate_of, rows, identical, conflicting, only_here
    source_column: str | None
    raw_rows: int
    raw_total: Decimal
    kept_total: Decimal
    merged_total: Decimal
    rejected_total: Decimal
    counts: dict[str, int]

    @property
    def reconciles(self) -> bool:
        return self.raw_total == self.kept_total + self.merged_total + self.rejected_total

    def summary(self) -> list[str]:
        """Plain sentences for SOURCES.md or a page, in the language of the run (amounts
        exact to the cent; action names are the report's codes)."""
        c = self.counts

        def usd(x: Decimal) -> str:
            return f"${x:,.2f}"

        lines = [
            t("{rows} raw rows, total {total}.", rows=f"{self.raw_rows:,}",
              total=usd(self.raw_total)),
            t("Kept {kept} rows ({kept_total}); merged {merged} duplicate rows ({merged_total}: "
              "{identical} identical rows from duplicated files, {repeated} rows repeating a "
              "key, year, amount and names); rejected {rejected} rows ({rejected_total}).",
              kept=f"{len(self.table):,}", kept_total=usd(self.kept_total),
              merged=f"{c.get('merged_duplicate', 0) + c.get('merged_repeated_key', 0):,}",
              merged_total=usd(self.merged_total),
              identical=f"{c.get('merged_duplicate', 0):,}",
              repeated=f"{c.get('merged_repeated_key', 0):,}",
              rejected=f"{c.get('rejected', 0):,}", rejected_total=usd(self.rejected_total)),
            t("Reconciles: raw = kept + merged + rejected is true to the cent.")
            if self.reconciles else
            t("Reconciles: raw = kept + merged + rejected is FALSE to the cent."),
        ]
        rep = [(a, n) for a, n in c.items()
               if a not in ("merged_duplicate", "merged_repeated_key", "rejected")]
        if rep:
            lines.append(t("Repaired: {repairs}.", repairs="; ".join(
                f"{n:,} × {a.replace('_', ' ')}" for a, n in rep)))
        for r in self.duplicate_files.itertuples():
            lines.append(t("{file} duplicates {original}: {identical} identical rows merged, "
                           "{conflicting} rows with other values rejected, {only_here} rows "
                           "only in this file kept.", file=str(r.file),
                           original=str(r.duplicate_of), identical=f"{r.identical:,}",
                           conflicting=f"{r.conflicting:,}", only_here=f"{r.only_here:,}"))
        return lines


# ---------------------------------------------------------------------------- numbers
def parse_decimal(text: object) -> tuple[Decimal | None, str]:
    """``(value, kind)``; kind is ``plain``, ``thousands``, ``scientific``, ``blank`` or ``bad``.

    ``"201,350"`` → 201350 (thousands); ``"3.68E+08"`` → 368000000 (scientific: the source kept
    only the digits shown); ``"(1,200)"`` → -1200; ``"$5"`` → 5.
    """
    s = "" if text is None else str(text).strip()
    if s.lower() in _BLANK:
        return None, "blank"
    neg = s.startswith("(") and s.endswith(")")
    if neg:
        s = s[1:-1].strip()
    s = s.replace("\u2212", "-").replace("$", "").replace("\u00a0", "").strip()
    kind = "plain"
    if _THOUSANDS_RE.match(s):
        s, kind = s.replace(",", ""), "thousands"
    elif _SCI_RE.match(s):
        kind = "scientific"
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None, "bad"
    if not d.is_finite():
        return None, "bad"
    return (-d if neg else d), kind


def _cents(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def detect_source_column(df: pd.DataFrame) -> str | None:
    """A column whose every non-blank value is a file name, with at least two files."""
    for col in df.columns:
        v = df[col].astype(str).str.strip()
        v = v[v != ""]
        if len(v) and v.nunique() >= 2 and v.str.match(_FILE_RE).all():
            return str(col)
    return None


# ---------------------------------------------------------------------------- import
def import_csv(path: str | Path, spec: ImportSpec, *, encoding: str = "utf-8-sig") -> ImportResult:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    return import_frame(df, spec, file=Path(path).name)


def import_frame(raw: pd.DataFrame, spec: ImportSpec, *, file: str = "input") -> ImportResult:
    """Import ``raw`` (all text) following ``spec``. The input frame is not changed."""
    df = raw.astype(str).reset_index(drop=True)
    needed = [p.column for p in spec.key] + [spec.amount] + list(spec.keep.values()) + \
        list(spec.numbers.values()) + ([spec.year_column] if spec.year_column else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"{file}: columns {missing} not found; the file has {list(df.columns)}")
    src_col = spec.source_column or detect_source_column(df)
    if src_col is not None and src_col not in df.columns:
        raise ValueError(f"{file}: source column {src_col!r} not found")
    source = df[src_col].str.strip() if src_col else pd.Series(file, index=df.index)
    line = df.index.to_numpy() + 2          # spreadsheet line (header = 1)
    report: list[dict] = []
    counts: dict[str, int] = {}

    def note(action: str, i: int, column: str, value: str, result: str = "",
             amount: Decimal | None = None, detail: str = "") -> None:
        counts[action] = counts.get(action, 0) + 1
        report.append(dict(action=action, source_file=source[i], line=int(line[i]), column=column,
                           value=value, result=result,
                           amount="" if amount is None else str(amount), detail=detail))

    # amounts (exact, in cents)
    amounts: list[Decimal | None] = []
    rounded = 0
    for i, text in enumerate(df[spec.amount]):
        d, kind = parse_decimal(text)
        if d is not None:
            c = _cents(d)
            rounded += int(c != d)
            if kind == "thousands":
                note("parsed_thousands_separator", i, spec.amount, text, str(c))
            elif kind == "scientific":
                note("parsed_scientific_notation", i, spec.amount, text, str(c),
                     detail="the source kept only the digits shown")
            d = c
        amounts.append(d)
    amount_kind = [parse_decimal(t)[1] for t in df[spec.amount]]

    # other numbers
    extra_numbers: dict[str, list[str]] = {}
    for out_name, col in spec.numbers.items():
        vals = []
        for i, text in enumerate(df[col]):
            d, kind = parse_decimal(text)
            if kind == "thousands":
                note("parsed_thousands_separator", i, col, text, str(d))
            elif kind == "scientific":
                note("parsed_scientific_notation", i, col, text, str(d))
            elif kind == "bad":
                note("unreadable_number", i, col, text, "", detail="left blank")
            vals.append("" if d is None else _plain(d))
        extra_numbers[out_name] = vals

    # keys
    keys: list[str | None] = []
    key_problem: list[str] = []
    for i in range(len(df)):
        parts, why = [], ""
        for p in spec.key:
            v = df.at[i, p.column].strip()
            if re.fullmatch(r"\d+\.0+", v):
                v = v.split(".")[0]
            if v.lower() in _BLANK:
                why = f"blank {p.column}"
                break
            if p.mapping is not None:
                if v not in p.mapping:
                    why = f"unknown code {v!r} in {p.column}"
                    break
                v = p.mapping[v]
            if p.width and v.isdigit() and len(v) < p.width:
                padded = v.zfill(p.width)
                note("padded_key", i, p.column, df.at[i, p.column], padded,
                     detail=f"all-digit code shorter than {p.width} characters")
                v = padded
            elif p.width and len(v) != p.width:
                why = f"{p.column} {v!r} is not {p.width} characters"
                break
            parts.append(v)
        keys.append(None if why else "".join(parts))
        key_problem.append(why)

    if spec.year_column:
        years = []
        for i, text in enumerate(df[spec.year_column]):
            d, _ = parse_decimal(text)
            years.append(int(d) if d is not None and d == int(d) else None)
    else:
        years = [int(spec.year)] * len(df)

    status = ["kept"] * len(df)

    def reject(i: int, detail: str) -> None:
        status[i] = "rejected"
        note("rejected", i, "", "", "", amounts[i], detail)

    for i in range(len(df)):
        if keys[i] is None:
            reject(i, key_problem[i])
        elif amounts[i] is None:
            reject(i, f"{'blank' if amount_kind[i] == 'blank' else 'unreadable'} amount "
                      f"{df.at[i, spec.amount]!r} in {spec.amount}")
        elif years[i] is None:
            reject(i, f"no fiscal year in {spec.year_column}")

    # exact duplicates from another file: identical on every column except the source column
    dup_files: list[dict] = []
    if src_col:
        content = df.drop(columns=[src_col]).apply(lambda r: "\x1f".join(r.str.strip()), axis=1)
        first_of: dict[str, int] = {}
        for i in range(len(df)):
            j = first_of.setdefault(content[i], i)
            if j != i and source[j] != source[i] and status[i] == "kept" and status[j] == "kept":
                status[i] = "merged"
                note("merged_duplicate", i, src_col, source[i], f"line {int(line[j])}",
                     amounts[i], f"identical to line {int(line[j])} of {source[j]}")
        # files most of whose keys are in an earlier file: rows that disagree are rejected
        order = list(dict.fromkeys(source))
        key_year = [f"{k}|{y}" for k, y in zip(keys, years)]
        rows_of = {f: [i for i in range(len(df)) if source[i] == f] for f in order}
        owner: dict[str, str] = {}
        for f in order:
            idx = rows_of[f]
            kys = {key_year[i] for i in idx if keys[i] is not None}
            earlier = {}
            for i in idx:
                if keys[i] is not None and key_year[i] in owner:
                    earlier.setdefault(owner[key_year[i]], set()).add(key_year[i])
            best = max(earlier, key=lambda g: len(earlier[g]), default=None)
            if best is not None and kys and len(earlier[best]) / len(kys) >= DUPLICATE_FILE_SHARE:
                identical = sum(1 for i in idx if status[i] == "merged")
                conflicting = 0
                for i in idx:
                    if status[i] == "kept" and key_year[i] in earlier[best]:
                        conflicting += 1
                        reject(i, f"{source[i]} duplicates {best}, which has this key with "
                                  "other values (kept the earlier file's row)")
                dup_files.append(dict(file=f, duplicate_of=best, rows=len(idx),
                                      identical=identical, conflicting=conflicting,
                                      only_here=sum(1 for i in idx if status[i] == "kept")))
            for i in idx:
                if keys[i] is not None:
                    owner.setdefault(key_year[i], f)

    # the same key, year, amount and names twice, differing only in other columns (typically a
    # source that joined a second table by name, e.g. a county and a city of the same name)
    seen: dict[tuple, int] = {}
    keep_cols = list(spec.keep.values())
    for i in range(len(df)):
        if status[i] != "kept":
            continue
        sig = (keys[i], years[i], amounts[i], *(df.at[i, c].strip() for c in keep_cols))
        j = seen.setdefault(sig, i)
        if j != i:
            differ = [c for c in df.columns if c != src_col and df.at[i, c] != df.at[j, c]]
            status[i] = "merged"
            note("merged_repeated_key", i, ", ".join(differ), "", f"line {int(line[j])}", amounts[i],
                 f"same key, year, amount and names as line {int(line[j])} of {source[j]}; "
                 f"differs only in {', '.join(differ) or 'nothing'}")

    if rounded:
        counts["amount_rounded_to_cents"] = rounded

    kept = [i for i in range(len(df)) if status[i] == "kept"]
    table = pd.DataFrame({
        "region_id": [keys[i] for i in kept],
        **{name: [df.at[i, col].strip() for i in kept] for name, col in spec.keep.items()},
        "fiscal_year": [years[i] for i in kept],
        "amount": [f"{amounts[i]:.2f}" for i in kept],
        **{name: [vals[i] for i in kept] for name, vals in extra_numbers.items()},
        "source_file": [source[i] for i in kept],
        "source_line": [int(line[i]) for i in kept],
    })

    def total(which: str) -> Decimal:
        return sum((amounts[i] for i in range(len(df)) if status[i] == which
                    and amounts[i] is not None), Decimal(0))

    raw_total = sum((a for a in amounts if a is not None), Decimal(0))
    rep = pd.DataFrame(report, columns=REPORT_COLUMNS)
    return ImportResult(
        table=table, report=rep,
        duplicate_files=pd.DataFrame(dup_files, columns=["file", "duplicate_of", "rows",
                                                         "identical", "conflicting", "only_here"]),
        source_column=src_col, raw_rows=len(df), raw_total=raw_total,
        kept_total=total("kept"), merged_total=total("merged"), rejected_total=total("rejected"),
        counts=counts)


def _plain(d: Decimal) -> str:
    """Decimal as plain text without exponent ("3.68E+08" → "368000000")."""
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")
