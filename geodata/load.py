"""Load a workspace's boundary layers and tables into canonical frames, collecting problems.

Public entry points: :func:`load_boundaries` and :func:`load_table`. Both return the usable
rows together with every :class:`~geodata.problems.Problem` found; neither raises for bad data
(only for a file that cannot be opened at all, which is reported as one problem too).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .problems import Problem, problem_for_rows
from .workspace import REQUIRED_COLUMNS, Level, TableSpec, Workspace

# Text that means "no value": a blank cell. Anything else that does not parse is a problem.
_BLANK = {"", "nan", "none", "null"}
_CURRENCY = re.compile(r"[\s$€£¥₩₹\u00a0\u202f']")
_NUMERIC_COLUMNS = {
    "allocations": ("amount",),
    "population": ("population",),
    "indicators": ("value", "target"),
    "segments": ("score", "traffic", "length_m"),
}
_YEAR_COLUMNS = ("fiscal_year", "year", "survey_year", "quarter")


def normalise_name(s: object) -> str:
    """Key for matching region names: NFC, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(s))
    return " ".join(text.casefold().split())


def parse_numbers(raw: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse text to numbers the way a spreadsheet user means them.

    "1,234.50", "$1,234", "3.68E+08", "(1,200)" (negative), "−5" are numbers; blank cells are
    missing. Returns ``(values, bad)`` where ``bad`` marks non-blank cells that are not numbers
    ("n/a", "TBD", "12 units").
    """
    s = raw.astype("string").str.strip()
    blank = s.isna() | s.str.lower().isin(_BLANK)
    t = s.fillna("")
    negative = t.str.startswith("(") & t.str.endswith(")")
    t = t.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    t = t.str.replace("\u2212", "-", regex=False)
    t = t.str.replace(_CURRENCY, "", regex=True)
    if decimal == ",":
        t = t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        t = t.str.replace(r"(?<=\d),(?=\d{3}(\D|$))", "", regex=True)
    t = t.str.rstrip("%")
    values = pd.to_numeric(t.where(~blank), errors="coerce").astype("float64")
    values = values.where(~negative, -values)
    bad = values.isna() & ~blank
    values = values.where(~(bad | blank))
    return values, bad


def _line_numbers(index: pd.Index, first: int = 2) -> np.ndarray:
    """Spreadsheet line numbers of data rows (header is line 1); feature numbers (first=1)."""
    return np.asarray(index, dtype=np.int64) + first


def normalise_keys(keys: pd.Series, *, width: int | None, file: str, column: str,
                   problems: list[Problem], first_line: int = 2) -> pd.Series:
    """Keys as stripped text; all-digit keys shorter than ``width`` are zero-padded (reported).

    A key like "1001" for a 5-wide FIPS lost its leading zero when a spreadsheet stored it as a
    number; "1001.0" lost it through a float column. Both are mended and reported.
    """
    k = keys.astype("string").str.strip()
    k = k.where(~k.fillna("").str.lower().isin(_BLANK))
    floaty = k.fillna("").str.fullmatch(r"\d+\.0+")
    if floaty.any():
        k = k.where(~floaty, k.str.replace(r"\.0+$", "", regex=True))
    if width:
        short = k.fillna("").str.fullmatch(r"\d+") & (k.str.len() < width)
        if short.any():
            problems.append(problem_for_rows(
                "repaired", file,
                f"{int(short.sum()):,} key(s) had lost their leading zeros "
                f"(stored as numbers?); padded to {width} digits",
                column=column, line_numbers=_line_numbers(k.index[short], first_line),
                values=k[short].head(5), expected=f"{width}-character codes", code="padded_key"))
            k = k.where(~short, k.str.zfill(width))
    return k


def _read_tabular(spec: TableSpec) -> pd.DataFrame:
    suffix = spec.file.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(spec.file).astype("string")
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(spec.file, dtype=str, sheet_name=spec.options.get("sheet", 0))
    sep = spec.options.get("separator")
    return pd.read_csv(spec.file, dtype=str, encoding=spec.encoding, sep=sep,
                       engine="python" if sep is None else "c", keep_default_na=False,
                       encoding_errors="strict")


def load_table(ws: Workspace, spec: TableSpec,
               regions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one tabular table into canonical columns.

    ``regions`` (the level's boundaries, with ``region_id`` and ``name``) is needed for tables
    that name regions by ``region_name``. Rows with a value that is not a number are kept out
    and reported; the returned frame carries ``_line`` (source line number) for diagnostics.
    """
    problems: list[Problem] = []
    fname = relative_name(ws, spec.file)
    try:
        raw = _read_tabular(spec)
    except UnicodeDecodeError as exc:
        problems.append(Problem("error", fname, f"cannot be read as {spec.encoding}: {exc.reason}",
                                expected="set 'encoding' in the manifest (e.g. latin-1)", code="unreadable"))
        return pd.DataFrame(), problems
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes one reported problem
        problems.append(Problem("error", fname, f"cannot be read: {exc}", code="unreadable"))
        return pd.DataFrame(), problems
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]

    missing = [src for src in spec.columns.values() if src not in raw.columns]
    if missing:
        problems.append(Problem(
            "error", fname, f"mapped column(s) not in the file: {', '.join(missing)}",
            expected=f"one of the file's columns: {', '.join(raw.columns[:25])}",
            code="missing_column"))
    required = set(REQUIRED_COLUMNS[spec.kind]) | {"region_id", "region_name"}
    lost_required = [c for c, src in spec.columns.items() if src in missing and c in required]
    if lost_required:
        return pd.DataFrame(), problems

    out = pd.DataFrame(index=raw.index)
    for canon, src in spec.columns.items():
        if src in raw.columns:
            out[canon] = raw[src]
    for canon, value in spec.constants.items():
        out[canon] = value
    out["_line"] = _line_numbers(raw.index)

    level = ws.level(spec.level)
    if "region_id" in out:
        out["region_id"] = normalise_keys(out["region_id"], width=level.key_width, file=fname,
                                          column=spec.columns["region_id"], problems=problems)
    elif "region_name" in out:
        out["region_id"] = _ids_from_names(out["region_name"], regions, fname,
                                           spec.columns["region_name"], problems)

    for col in _NUMERIC_COLUMNS.get(spec.kind, ()):
        if col not in out or col in spec.constants:
            continue
        values, bad = parse_numbers(out[col], decimal=spec.decimal)
        src = spec.columns[col]
        if bad.any():
            problems.append(problem_for_rows(
                "error", fname, f"{int(bad.sum()):,} value(s) are not numbers; "
                "those rows are left out of the map and listed here",
                column=src, line_numbers=out.loc[bad, "_line"], values=out.loc[bad, col],
                expected="a number such as 1234.50, 1,234.50 or 3.68E+08", code="bad_number"))
        if col in ("amount", "population", "value"):
            blank = values.isna() & ~bad
            if blank.any():
                problems.append(problem_for_rows(
                    "warning", fname, f"{int(blank.sum()):,} blank value(s)", column=src,
                    line_numbers=out.loc[blank, "_line"], expected="a number",
                    code="blank_value"))
        out[col] = values
        out[f"_bad_{col}"] = bad
    for col in _YEAR_COLUMNS:
        if col not in out or col in spec.constants:
            if col in out:
                out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
            continue
        text = out[col].astype("string").str.strip()
        digits = text.str.extract(r"(\d{1,4})", expand=False) if col == "quarter" else \
            text.str.extract(r"((?:1[89]|2[01])\d\d)", expand=False)
        years = pd.to_numeric(digits, errors="coerce").astype("Int64")
        bad = years.isna() & text.notna() & (text != "")
        if bad.any():
            problems.append(problem_for_rows(
                "error", fname, f"{int(bad.sum()):,} value(s) are not a {col.replace('_', ' ')}",
                column=spec.columns[col], line_numbers=out.loc[bad, "_line"],
                values=out.loc[bad, col],
                expected="a year such as 2024 or FY2024" if col != "quarter" else "1–4",
                code="bad_year"))
        out[col] = years
    for col in ("agency", "program", "fund", "indicator", "unit", "direction", "route"):
        if col in out:
            out[col] = out[col].astype("string").str.strip()
    if spec.kind in ("population", "indicators"):
        out = _report_duplicates(out, spec, fname, problems)
    if spec.kind == "population":
        _report_bad_population(out, fname, spec.columns.get("population", "population"),
                               problems)
    return out.reset_index(drop=True), problems


def _ids_from_names(names: pd.Series, regions: pd.DataFrame | None, fname: str, column: str,
                    problems: list[Problem]) -> pd.Series:
    if regions is None:
        raise ValueError("a table keyed by region_name needs the level's regions")
    lookup: dict[str, str] = {}
    for rid, nm in zip(regions["region_id"], regions["name"]):
        lookup.setdefault(normalise_name(nm), rid)
    ids = names.map(lambda n: lookup.get(normalise_name(n)) if pd.notna(n) else None)
    ids = ids.astype("string")
    unmatched = ids.isna() & names.notna() & (names.astype("string").str.strip() != "")
    if unmatched.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(unmatched.sum()):,} row(s) name a region that is not "
            "in the boundary layer; they are not placed on the map",
            column=column, line_numbers=_line_numbers(names.index[unmatched]),
            values=names[unmatched], expected="a name from the boundary layer",
            code="unknown_name"))
        # Keep the name so the diagnostics can show which rows did not join.
        ids = ids.where(~unmatched, "name:" + names.astype("string").str.strip())
    return ids


def _report_duplicates(df: pd.DataFrame, spec: TableSpec, fname: str,
                       problems: list[Problem]) -> pd.DataFrame:
    keys = [c for c in ("region_id", "year", "indicator") if c in df]
    dup = df.duplicated(keys, keep="first") & df["region_id"].notna()
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(dup.sum()):,} duplicate row(s) for the same "
            f"{' + '.join(keys)}; the first is used",
            column=spec.columns.get("region_id", spec.columns.get("region_name")),
            line_numbers=df.loc[dup, "_line"], values=df.loc[dup, "region_id"],
            expected="one row per " + " + ".join(keys), code="duplicate_key"))
        df = df[~dup]
    return df


def _report_bad_population(df: pd.DataFrame, fname: str, column: str,
                           problems: list[Problem]) -> None:
    pop = df["population"]
    for mask, what in ((pop == 0, "zero"), (pop < 0, "negative")):
        if mask.any():
            problems.append(problem_for_rows(
                "warning", fname, f"{int(mask.sum()):,} {what} population value(s): per-resident "
                "rates there are shown as No data", column=column,
                line_numbers=df.loc[mask, "_line"], values=df.loc[mask, "region_id"],
                expected="a positive number of residents", code="bad_population"))
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
                              "name": pd.Series(dtype="string")},
                             geometry=gpd.GeoSeries([], crs=4326))
    try:
        gdf = gpd.read_file(lv.file, layer=lv.layer) if lv.layer else gpd.read_file(lv.file)
    except Exception as exc:  # noqa: BLE001
        problems.append(Problem("error", fname, f"cannot be read as a boundary layer: {exc}",
                                code="unreadable"))
        return empty, problems
    missing = [c for c in (lv.key, lv.name) if c not in gdf.columns]
    if missing:
        problems.append(Problem("error", fname, f"column(s) {', '.join(missing)} not in the "
                                f"boundary layer", expected=", ".join(map(str, gdf.columns)),
                                code="missing_column"))
        return empty, problems
    if gdf.crs is None:
        problems.append(Problem("repaired", fname, f"the layer declares no CRS; {lv.crs} "
                                "assumed as the manifest says", code="no_crs"))
        gdf = gdf.set_crs(lv.crs)
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)

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
            "error", fname, f"{int(blank_id.sum()):,} feature(s) have no id and are left out",
            column=lv.key, line_numbers=np.flatnonzero(blank_id.to_numpy()) + 1,
            expected="a region id in every feature", code="blank_key"))
    null_or_empty = out.geometry.isna() | out.geometry.is_empty
    if null_or_empty.any():
        problems.append(problem_for_rows(
            "error", fname, f"{int(null_or_empty.sum()):,} region(s) have an empty geometry and "
            "cannot be drawn; their amounts are counted as not placed",
            column="geometry", line_numbers=np.flatnonzero(null_or_empty.to_numpy()) + 1,
            values=out.loc[null_or_empty, "region_id"], expected="a polygon",
            code="empty_geometry"))
    out = out[~blank_id & ~null_or_empty]
    invalid = ~out.geometry.is_valid
    if invalid.any():
        problems.append(problem_for_rows(
            "repaired", fname, f"{int(invalid.sum()):,} invalid geometr(y/ies) repaired "
            "(self-intersections)", column="geometry",
            line_numbers=_feature_numbers(out, invalid),
            values=out.loc[invalid, "region_id"], expected="valid polygons",
            code="invalid_geometry"))
        fixed = shapely.make_valid(out.geometry.values[invalid.to_numpy()])
        fixed = _polygonal(fixed)
        out.loc[invalid, "geometry"] = fixed
    dup = out["region_id"].duplicated(keep="first")
    if dup.any():
        problems.append(problem_for_rows(
            "warning", fname, f"{int(dup.sum()):,} duplicate region id(s); the first feature "
            "of each is used", column=lv.key, line_numbers=_feature_numbers(out, dup),
            values=out.loc[dup, "region_id"], expected="one feature per id",
            code="duplicate_key"))
        out = out[~dup]
    return out.reset_index(drop=True), problems


def _feature_numbers(frame: pd.DataFrame, mask: pd.Series) -> np.ndarray:
    """1-based feature numbers in the file of the masked rows (earlier rows may be dropped)."""
    return np.asarray(frame.index[mask.to_numpy()], dtype=np.int64) + 1


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts of make_valid's output (it may add lines and points)."""
    result = []
    for g in geoms:
        if g is not None and g.geom_type == "GeometryCollection":
            polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(polys) if polys else g
        result.append(g)
    return np.array(result, dtype=object)


def relative_name(ws: Workspace, path: Path) -> str:
    return str(path.relative_to(ws.path)) if path.is_relative_to(ws.path) else Path(path).name
