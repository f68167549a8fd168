"""Load a workspace's boundary layers and tables into canonical frames, collecting problems.

Public entry points: :func:`load_boundaries` and :func:`load_table`. Both return the usable
rows together with every :class:`~geodata.problems.Problem` found; neither raises for bad data
(only for a file that cannot be opened at all, which is reported as one problem too).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from locales import N_

from .problems import Problem, Text, as_text, count, problem_for_rows
from .readers.numbers import BLANK, NUMBER_REASONS, YEAR_REASONS, percent_mask, parse_quarters
from .readers.numbers import parse_numbers as _parse_numbers
from .readers.numbers import by_unique, parse_years
from .readers.shapes import areas_only, feature_numbers, merge_duplicates, polygonal, to_lonlat
from .readers.reshape import PERIOD_QUARTER, apply_scale, crosswalk_keys, long_columns
from .readers.reshape import unpivot_periods
from .readers.vector import VectorError, read_vector
from .readers.text import max_file_bytes, read_table_file, size_note
from .workspace import REQUIRED_COLUMNS, Level, TableSpec, Workspace

_NUMERIC_COLUMNS = {
    "allocations": ("amount",),
    "plans": ("amount",),
    "population": ("population",),
    "indicators": ("value", "target"),
    "segments": ("score", "traffic", "length_m"),
}
_YEAR_COLUMNS = ("fiscal_year", "year", "survey_year")
# Amounts are summed in whole cents as 64-bit integers: a single amount must stay below this.
MAX_ABS_AMOUNT = 9.0e16
LEFT_OUT = N_("{n} value(s): {reason}; those rows are left out of the map and listed here")


def normalise_name(s: object) -> str:
    """Key for matching region names: NFC, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(s))
    return " ".join(text.casefold().split())


def parse_numbers(raw: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """``(values, bad)``: the numbers of a text column and the mask of cells refused (see
    :func:`geodata.readers.numbers.parse_numbers` for the rules and the reasons)."""
    values, reason = _parse_numbers(raw, decimal=decimal)
    return values, reason.notna().to_numpy()


def _line_numbers(index: pd.Index, first: int = 2) -> np.ndarray:
    """Spreadsheet line numbers of data rows (header is line 1); feature numbers (first=1)."""
    return np.asarray(index, dtype=np.int64) + first


def normalise_keys(keys: pd.Series, *, width: int | None, file: str, column: str,
                   problems: list[Problem], first_line: int = 2,
                   lines: pd.Series | None = None) -> pd.Series:
    """Keys as stripped text; all-digit keys shorter than ``width`` are zero-padded (reported).

    A key like "1001" for a 5-wide FIPS lost its leading zero when a spreadsheet stored it as a
    number; "1001.0" lost it through a float column. Both are mended and reported.
    """
    k, short, digits = by_unique(keys, _normalised_keys, width)
    short = short.astype(bool)          # all False without a width
    if short.any():
        problems.append(problem_for_rows(
            "repaired", file,
            Text(N_("{n} key(s) had lost their leading zeros (stored as numbers?); padded to "
                    "{width} digits"), n=count(short.sum()), width=str(width)),
            column=column, line_numbers=(lines[short] if lines is not None else
                                         _line_numbers(k.index[short], first_line)),
            values=keys[short].head(5),
            expected=Text(N_("{width}-character codes"), width=str(width)),
            code="padded_key"))
    _report_mixed_keys(k, file, column, problems, lines, first_line, digits.astype(bool))
    return k


def _report_mixed_keys(k: pd.Series, file: str, column: str, problems: list[Problem],
                       lines: pd.Series | None, first_line: int, all_digits: pd.Series) -> None:
    """A key column holding both codes (all digits) and text (names) is reported: it is read
    as text either way, but a mix usually means two kinds of key in one column.
    ``all_digits`` marks the keys made of digits only (found with the keys themselves)."""
    present = k.notna().to_numpy()
    if not present.any():
        return
    filled = k[present]
    digits = all_digits[present]
    n_digits, n_text = int(digits.sum()), int((~digits).sum())
    if not n_digits or not n_text:
        return
    minority = digits if n_digits < n_text else ~digits
    rows = filled.index[minority.to_numpy()]
    problems.append(problem_for_rows(
        "warning", file, Text(N_("the key column mixes codes and text ({digits} all-digit keys, "
                                 "{others} others); every key is read as text and matched as "
                                 "written"), digits=count(n_digits), others=count(n_text)),
        column=column, line_numbers=(lines[rows] if lines is not None else
                                     _line_numbers(rows, first_line)),
        values=filled[minority.to_numpy()],
        expected=Text(N_("one kind of key per column (codes or names)")), code="mixed_keys"))


def _normalised_keys(keys: pd.Series, width: int | None) \
        -> tuple[pd.Series, pd.Series, pd.Series]:
    k = keys.astype("string").str.strip()
    k = k.where(~k.fillna("").str.lower().isin(BLANK))
    floaty = k.fillna("").str.fullmatch(r"\d+\.0+")
    if floaty.any():
        k = k.where(~floaty, k.str.replace(r"\.0+$", "", regex=True))
    short = pd.Series(False, index=k.index)
    if width:
        short = (k.fillna("").str.fullmatch(r"\d+") & (k.fillna("").str.len() < width)) \
            .fillna(False).astype(bool)
        k = k.where(~short, k.str.zfill(width))
    digits = (k.fillna("").str.fullmatch(r"\d+") & k.notna()).fillna(False).astype(bool)
    return k, short, digits


def load_table(ws: Workspace, spec: TableSpec,
               regions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one tabular table into canonical columns.

    ``regions`` (the level's boundaries, with ``region_id`` and ``name``) is needed for tables
    that name regions by ``region_name``. Rows with a value that cannot be read are kept out
    and reported, one problem per reason, every other row is kept; the returned frame carries
    ``_line`` (the row's line in the file) for diagnostics. Never raises for the file's content.
    """
    problems: list[Problem] = []
    fname = relative_name(ws, spec.file)
    try:
        res = read_table_file(spec.file, encoding=spec.encoding,
                              separator=spec.options.get("separator"),
                              sheet=spec.options.get("sheet"),
                              max_bytes=max_file_bytes(spec.options.get("max_file_mb",
                                                                        ws.max_file_mb)),
                              layout=table_layout(spec),
                              sheet_layout=spec.options.get("sheet_layout", "same"),
                              sheet_columns=spec.options.get("sheet_columns", "name"))
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes one reported problem
        problems.append(Problem("error", fname, Text(N_("cannot be read: {reason}"),
                                                     reason=as_text(exc)), code="unreadable"))
        return pd.DataFrame(), problems
    for n in res.notes:
        problems.append(Problem(n.severity, fname, n.message, rows=n.lines, values=n.values,
                                expected=n.expected, code=n.code))
    if res.frame.shape[1] == 0:
        return pd.DataFrame(), problems
    res.frame.columns = [str(c).strip().lstrip("\ufeff") for c in res.frame.columns]
    columns = long_columns(spec)
    header = spec.columns.get({"allocations": "amount", "population": "population",
                               "indicators": "value"}.get(spec.kind, ""), "")
    if spec.wide_columns is not None:
        periods = [c for c in res.frame.columns if c not in spec.columns.values()]
        res.frame, res.lines = unpivot_periods(res, spec, fname, problems)
        if res.frame.shape[1] == 0:
            return pd.DataFrame(), problems
        header = str(res.frame["_column"].iloc[0]) if len(res.frame) else \
            (periods[0] if periods else "")
        if res.frame[PERIOD_QUARTER].isna().all():
            columns.pop("quarter", None)
        for c in ("_year", "_quarter"):
            res.frame[c] = res.frame[c].astype("string")
    raw = res.frame

    missing = [src for src in columns.values() if src not in raw.columns]
    if missing:
        problems.append(Problem(
            "error", fname, Text(N_("mapped column(s) not in the file: {columns}"),
                                 columns=", ".join(missing)),
            expected=Text(N_("one of the file's columns: {columns}"),
                          columns=", ".join(map(str, raw.columns[:25]))),
            code="missing_column"))
    required = set(REQUIRED_COLUMNS[spec.kind]) | {"region_id", "region_name"}
    lost_required = [c for c, src in columns.items() if src in missing and c in required]
    if lost_required:
        return pd.DataFrame(), problems

    out = pd.DataFrame(index=raw.index)
    for canon, src in columns.items():
        if src in raw.columns:
            out[canon] = raw[src]
    for canon, value in spec.constants.items():
        out[canon] = value
    out["_line"] = res.lines
    del res, raw        # the text cells not mapped to a column are not kept

    level = ws.level(spec.level)
    for key_col in ("region_id", "region_name"):
        if key_col in out:
            out[key_col] = crosswalk_keys(out[key_col], spec, ws.path, out["_line"], problems)
    if "region_id" in out:
        out["region_id"] = normalise_keys(out["region_id"], width=level.key_width, file=fname,
                                          column=spec.columns["region_id"], problems=problems,
                                          lines=out["_line"])
    elif "region_name" in out:
        out["region_id"] = _ids_from_names(out["region_name"], regions, fname,
                                           spec.columns["region_name"], problems, out["_line"])

    for col in _NUMERIC_COLUMNS.get(spec.kind, ()):
        if col not in out or col in spec.constants:
            continue
        src = spec.columns.get(col) or "period columns"
        is_amount = col == "amount"
        values, reason = _parse_numbers(out[col], decimal=spec.decimal,
                                        allow_percent=not is_amount and col != "population",
                                        max_abs=MAX_ABS_AMOUNT if is_amount else None)
        for code, rows in reason.dropna().groupby(reason.dropna()).groups.items():
            problems.append(problem_for_rows(
                "error", fname, Text(LEFT_OUT, n=count(len(rows)),
                                     reason=as_text(NUMBER_REASONS[code])), column=src,
                line_numbers=out.loc[rows, "_line"], values=out.loc[rows, col],
                expected=_number_expected(code, spec.decimal), code="bad_number"))
        if col in ("value", "target"):
            pct = percent_mask(out[col]) & reason.isna()
            if pct.any():
                problems.append(problem_for_rows(
                    "repaired", fname, Text(N_("{n} value(s) written with a % sign, read as "
                                               "percentage points (12% → 12)"),
                                            n=count(pct.sum())), column=src,
                    line_numbers=out.loc[pct, "_line"], values=out.loc[pct, col],
                    expected=Text(N_("numbers in the indicator's unit")), code="percent_sign"))
        bad = reason.notna()
        if col in ("amount", "population", "value"):
            blank = values.isna() & ~bad
            if blank.any():
                problems.append(problem_for_rows(
                    "warning", fname, Text(N_("{n} blank value(s)"), n=count(blank.sum())),
                    column=src, line_numbers=out.loc[blank, "_line"],
                    expected=Text(N_("a number")),
                    code="blank_value"))
        out[col] = values
        out[f"_bad_{col}"] = bad.to_numpy()
    apply_scale(out, spec, fname, ws.currency, header, problems)
    for col in (*_YEAR_COLUMNS, "quarter"):
        if col not in out:
            continue
        if col in spec.constants:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
            continue
        src = spec.columns.get(col) or "period columns"
        if col == "quarter":
            parsed, reason = parse_quarters(out[col])
            spans = None
        else:
            parsed, reason, spans = parse_years(out[col],
                                                year_span=spec.options.get("year_span"))
        for code, rows in reason.dropna().groupby(reason.dropna()).groups.items():
            message = LEFT_OUT if col != "quarter" else N_(
                "{n} value(s): {reason}; the rows count in yearly sums, without a quarter")
            problems.append(problem_for_rows(
                "error" if col != "quarter" else "warning", fname,
                Text(message, n=count(len(rows)), reason=as_text(YEAR_REASONS[code])),
                column=src,
                line_numbers=out.loc[rows, "_line"], values=out.loc[rows, col],
                expected=Text(N_("1, 2, 3 or 4 (or Q1-Q4)")) if col == "quarter" else
                Text(N_("a year such as 2024, FY2024 or 2024年")), code="bad_year"))
        if spans is not None and spans.any():
            rule = spec.options.get("year_span")
            message = N_("{n} two-year span(s) read as the first year, as the manifest's "
                         "year_span = \"{rule}\" says") if rule == "start" else \
                N_("{n} two-year span(s) read as the second year, as the manifest's "
                   "year_span = \"{rule}\" says")
            problems.append(problem_for_rows(
                "repaired", fname, Text(message, n=count(spans.sum()), rule=str(rule)),
                column=src,
                line_numbers=out.loc[spans, "_line"], values=out.loc[spans, col],
                expected="", code="year_span"))
        out[col] = parsed
        out[f"_bad_{col}"] = reason.notna().to_numpy()
    if "month" in out and "month" not in spec.constants:
        _read_months(out, fname, spec.columns.get("month", "month"), problems)
    for col in ("agency", "program", "fund", "indicator", "unit", "direction", "route"):
        if col in out:
            out[col] = out[col].astype("string").str.strip()
    if spec.kind in ("allocations", "plans") and "amount" in out:
        _report_non_positive(out, fname, spec.columns.get("amount", "amount"), problems)
    if spec.kind in ("population", "indicators"):
        out = _report_duplicates(out, spec, fname, problems)
    if spec.kind == "population":
        _report_bad_population(out, fname, spec.columns.get("population", "population"),
                               problems)
    return out.reset_index(drop=True), problems


def _read_months(out: pd.DataFrame, fname: str, column: str, problems: list[Problem]) -> None:
    """Months 1-12 (``3``, ``03``, ``3.0``); anything else is reported and the row counts in
    yearly sums without a month."""
    text = out["month"].astype("string").str.strip()
    num = pd.to_numeric(text, errors="coerce")
    ok = num.notna() & (num % 1 == 0) & num.between(1, 12)
    bad = ~ok & text.notna() & (text != "")
    if bad.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} value(s) are not a month from 1 to 12; the rows "
                                      "count in yearly sums, without a month"),
                                   n=count(bad.sum())), column=column,
            line_numbers=out.loc[bad, "_line"], values=out.loc[bad, "month"],
            expected=Text(N_("a month number from 1 to 12")), code="bad_month"))
    out["month"] = num.where(ok).astype("Int64")


def table_layout(spec: TableSpec):
    """The reader layout the manifest gives (header line, header lines, notes at the end)."""
    from .readers.layout import Layout

    o = spec.options
    if not any(k in o for k in ("header_row", "header_rows", "skip_bottom", "stop_at_blank")):
        return None
    return Layout(header_row=int(o.get("header_row", 1)), header_rows=int(o.get("header_rows", 1)),
                  skip_bottom=int(o.get("skip_bottom", 0)),
                  stop_at_blank=bool(o.get("stop_at_blank", False)))


def _number_expected(code: str, decimal: str) -> Text:
    if code == "ambiguous_separator":
        return Text(N_("digits with the decimal mark '{decimal}' and thousands in groups of "
                       "three (1,234,567.89); set decimal = \",\" in the manifest if the file "
                       "uses decimal commas"), decimal=decimal)
    if code == "too_large":
        return Text(N_("an amount below {limit}"), limit=f"{MAX_ABS_AMOUNT:,.0f}")
    if code == "percent":
        return Text(N_("an amount of money, without %"))
    return Text(N_("a number such as 1234.50, 1,234.50, (1,200) or 3.68E+08"))


def _report_non_positive(out: pd.DataFrame, fname: str, column: str,
                         problems: list[Problem]) -> None:
    """Negative amounts (de-obligations, refunds) and zeros are kept and summed; they are
    counted here so that a reader of the map knows they are in it."""
    neg = out["amount"] < 0
    if neg.any():
        problems.append(problem_for_rows(
            "note", fname, Text(N_("{n} negative amount(s) (de-obligations or refunds), kept "
                                   "and summed: {total} in all"), n=count(neg.sum()),
                                total=f"{out.loc[neg, 'amount'].sum():,.2f}"),
            column=column, line_numbers=out.loc[neg, "_line"], values=out.loc[neg, "amount"],
            expected="", code="negative_amount"))
    zero = out["amount"] == 0
    if zero.any():
        problems.append(problem_for_rows(
            "note", fname, Text(N_("{n} amount(s) of zero, kept"), n=count(zero.sum())),
            column=column,
            line_numbers=out.loc[zero, "_line"], values=out.loc[zero, "amount"], expected="",
            code="zero_amount"))


def _ids_from_names(names: pd.Series, regions: pd.DataFrame | None, fname: str, column: str,
                    problems: list[Problem], lines: pd.Series) -> pd.Series:
    if regions is None:
        raise ValueError("a table keyed by region_name needs the level's regions")
    lookup: dict[str, str] = {}
    shared: dict[str, int] = {}
    for rid, nm in zip(regions["region_id"], regions["name"]):
        k = normalise_name(nm)
        if k in lookup and lookup[k] != rid:
            shared[k] = shared.get(k, 1) + 1
        lookup.setdefault(k, rid)
    for k in shared:            # a name several regions bear names none of them: never a guess
        lookup.pop(k)
    ids = by_unique(names, lambda s: (s.map(
        lambda n: lookup.get(normalise_name(n)) if pd.notna(n) else None).astype("string"),))[0]
    unmatched = ids.isna() & names.notna() & (names.astype("string").str.strip() != "")
    ambiguous = unmatched & names.map(lambda n: normalise_name(n) in shared
                                      if pd.notna(n) else False).astype(bool)
    if ambiguous.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} row(s) name a region whose name several regions "
                                    "share; they are not placed on the map"),
                                 n=count(ambiguous.sum())), column=column,
            line_numbers=lines[ambiguous], values=names[ambiguous],
            expected=Text(N_("region ids, or a crosswalk from these names to ids")),
            code="ambiguous_name"))
        unmatched = unmatched & ~ambiguous
    if unmatched.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} row(s) name a region that is not in the boundary "
                                      "layer; they are not placed on the map"),
                                   n=count(unmatched.sum())),
            column=column, line_numbers=lines[unmatched],
            values=names[unmatched], expected=Text(N_("a name from the boundary layer")),
            code="unknown_name"))
        # Keep the name so the diagnostics can show which rows did not join.
        ids = ids.where(~unmatched, "name:" + names.astype("string").str.strip())
    if ambiguous.any():
        ids = ids.where(~ambiguous, "name:" + names.astype("string").str.strip())
    return ids


def _report_duplicates(df: pd.DataFrame, spec: TableSpec, fname: str,
                       problems: list[Problem]) -> pd.DataFrame:
    keys = [c for c in ("region_id", "year", "indicator") if c in df]
    dup = df.duplicated(keys, keep="first") & df["region_id"].notna()
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, Text(N_("{n} duplicate row(s) for the same {keys}; the first is "
                                      "used"), n=count(dup.sum()), keys=" + ".join(keys)),
            column=spec.columns.get("region_id", spec.columns.get("region_name")),
            line_numbers=df.loc[dup, "_line"], values=df.loc[dup, "region_id"],
            expected=Text(N_("one row per {keys}"), keys=" + ".join(keys)),
            code="duplicate_key"))
        df = df[~dup]
    return df


def _report_bad_population(df: pd.DataFrame, fname: str, column: str,
                           problems: list[Problem]) -> None:
    pop = df["population"]
    for mask, message in (
            (pop == 0, N_("{n} zero population value(s): per-resident rates there are shown "
                          "as No data")),
            (pop < 0, N_("{n} negative population value(s): per-resident rates there are "
                         "shown as No data"))):
        if mask.any():
            problems.append(problem_for_rows(
                "warning", fname, Text(message, n=count(mask.sum())), column=column,
                line_numbers=df.loc[mask, "_line"], values=df.loc[mask, "region_id"],
                expected=Text(N_("a positive number of residents")), code="bad_population"))
    df.loc[pop <= 0, "population"] = np.nan


# --------------------------------------------------------------------------- boundaries

def load_boundaries(ws: Workspace, level: Level | str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read a boundary layer: ``region_id``, ``name``, ``parent_id``, ``level``, geometry.

    The result is valid, 2D, in EPSG:4326. A missing CRS is assumed from the manifest (and
    reported), invalid geometries are repaired, empty ones and duplicate ids are reported and
    left out so that amounts keyed to them count as "not placed".
    """
    lv = ws.level(level) if isinstance(level, str) else level
    problems: list[Problem] = []
    fname = relative_name(ws, lv.file)
    empty = gpd.GeoDataFrame({"region_id": pd.Series(dtype="string"),
                              "name": pd.Series(dtype="string"),
                              "parent_id": pd.Series(dtype="string"),
                              "level": pd.Series(dtype="string")},
                             geometry=gpd.GeoSeries([], crs=4326))
    too_big = size_note(lv.file, max_file_bytes(ws.max_file_mb)) if lv.file.is_file() else None
    if too_big:
        problems.append(Problem("error", fname, too_big.message, expected=too_big.expected,
                                code=too_big.code))
        return empty, problems
    try:
        gdf = read_vector(lv.file, lv.layer)
    except VectorError as exc:
        problems.append(Problem("error", fname, as_text(exc), code="unreadable"))
        return empty, problems
    missing = [c for c in (lv.key, lv.name) if c not in gdf.columns]
    if missing:
        problems.append(Problem("error", fname, Text(N_("column(s) {columns} not in the "
                                                        "boundary layer"),
                                                     columns=", ".join(missing)),
                                expected=Text(N_("one of the layer's columns: {columns}"),
                                              columns=", ".join(map(str, gdf.columns))),
                                code="missing_column"))
        return empty, problems
    gdf, lost = to_lonlat(gdf, lv, fname, problems)
    if gdf is None:
        return empty, problems

    out = gpd.GeoDataFrame({
        "region_id": normalise_keys(gdf[lv.key].reset_index(drop=True), width=lv.key_width,
                                    file=fname, column=lv.key, problems=problems,
                                    first_line=1).to_numpy(),
        "name": gdf[lv.name].astype("string").fillna(""),
    }, geometry=gdf.geometry.values, crs=4326, index=pd.RangeIndex(len(gdf)))
    if lv.parent_column and lv.parent_column in gdf.columns:
        out["parent_id"] = gdf[lv.parent_column].astype("string").str.strip()
    elif lv.parent_key_chars:
        out["parent_id"] = out["region_id"].str.slice(0, lv.parent_key_chars)
    else:
        out["parent_id"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["level"] = lv.id

    geom = out.geometry.values
    if shapely.has_z(geom).any():
        out = out.set_geometry(shapely.force_2d(geom))
    blank_id = out["region_id"].isna()
    if blank_id.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} feature(s) have no id and are left out"),
                                 n=count(blank_id.sum())),
            column=lv.key, line_numbers=np.flatnonzero(blank_id.to_numpy()) + 1,
            expected=Text(N_("a region id in every feature")), code="blank_key"))
    null_or_empty = (out.geometry.isna() | out.geometry.is_empty) & ~lost
    if null_or_empty.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} region(s) have an empty geometry and cannot be drawn; "
                                    "their amounts are counted as not placed"),
                                 n=count(null_or_empty.sum())),
            column="geometry", line_numbers=np.flatnonzero(null_or_empty.to_numpy()) + 1,
            values=out.loc[null_or_empty, "region_id"], expected=Text(N_("a polygon")),
            code="empty_geometry"))
    out = out[~blank_id & ~null_or_empty & ~lost]
    out = areas_only(out, fname, problems)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        problems.append(problem_for_rows(
            "repaired", fname, Text(N_("{n} invalid geometr(y/ies) repaired "
                                       "(self-intersections)"), n=count(invalid.sum())),
            column="geometry", line_numbers=feature_numbers(out, invalid),
            values=out.loc[invalid, "region_id"], expected=Text(N_("valid polygons")),
            code="invalid_geometry"))
        fixed = shapely.make_valid(out.geometry.values[invalid.to_numpy()])
        fixed = polygonal(fixed)
        out.loc[invalid, "geometry"] = fixed
    out = merge_duplicates(out, fname, lv.key, problems)
    return out.reset_index(drop=True), problems


def relative_name(ws: Workspace, path: Path) -> str:
    return str(path.relative_to(ws.path)) if path.is_relative_to(ws.path) else Path(path).name
