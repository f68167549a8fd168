"""Workspace manifests: what data a workspace has and how its columns map to canonical names.

The format is documented in ``docs/workspace-manifest.md``. :func:`load_manifest` reads one
``workspace.toml`` and checks it as a whole, raising one :class:`ManifestError` that lists every
problem it found; :func:`discover_workspaces` finds the workspaces under one or more folders.
"""
from __future__ import annotations

import calendar
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from locales import LANGUAGES, N_, current
from locales import normalise as normalise_language

from .problems import Text

BUNDLED_ROOT = Path(__file__).resolve().parent / "workspaces"
MANIFEST_NAME = "workspace.toml"
ENV_ROOTS = "FISCALMAP_WORKSPACES"

TABLE_KINDS = ("allocations", "plans", "population", "indicators", "segments")
REQUIRED_COLUMNS = {
    "allocations": ("fiscal_year", "amount"),
    "plans": ("fiscal_year", "amount"),
    "population": ("year", "population"),
    "indicators": ("year", "indicator", "value"),
    "segments": ("segment_id",),
}
OPTIONAL_COLUMNS = {
    "allocations": ("quarter", "month", "agency", "program", "fund", "unit"),
    "plans": ("quarter", "month", "agency", "program", "fund", "unit"),
    "population": ("unit",),
    "indicators": ("unit", "direction", "target"),
    "segments": ("score", "survey_year", "road_class", "region_id", "route", "direction",
                 "traffic", "length_m"),
}
KEY_COLUMNS = ("region_id", "region_name")

WORKSPACE_KEYS = ("title", "description", "currency", "fiscal_year_start_month",
                  "fiscal_year_label", "default_level", "data_date", "max_file_mb",
                  "language")
LEVEL_KEYS = ("id", "label", "label_plural", "file", "layer", "key", "name", "key_width", "crs",
              "parent_level", "parent_key_chars", "parent_column", "years")
#: The scale key of each kind: the factor (or unit word) turning the file's numbers into base
#: units (亿元 → yuan, 万人 → persons). Only the kind's own key is valid on a table.
SCALE_KEYS = {"allocations": "amount_scale", "plans": "amount_scale",
              "population": "population_scale", "indicators": "value_scale"}
#: The value column a wide table's period columns become, and its year column, by kind.
WIDE_TARGETS = {"allocations": ("fiscal_year", "amount"), "plans": ("fiscal_year", "amount"),
                "population": ("year", "population"),
                "indicators": ("year", "value")}
TABLE_KEYS = ("id", "kind", "level", "file", "label", "unit", "encoding", "layer", "decimal",
              "columns", "constants", "separator", "sheet", "year_span", "absent_regions",
              "max_file_mb", "crs", "header_row", "header_rows", "skip_bottom", "stop_at_blank",
              "sheet_layout", "sheet_columns", "wide_columns",
              "crosswalk", *SCALE_KEYS.values())
MAP_KEYS = ("tile_url", "tile_attribution", "crs", "bounds", "insets")
ROADS_KEYS = ("segments_table", "level", "scheme", "score_label", "survey_year", "road_class",
              "length_unit", "targets", "town_bins", "timeline", "trend_indicator")
ROADS_TIMELINE_KEYS = ("file", "segment_id", "year", "score", "strip_prefix", "route")
ROADS_BINS_KEYS = ("file", "level", "key", "name", "columns", "scheme", "road_class",
                   "survey_year", "length_unit", "targets", "encoding")
SOURCE_KEYS = ("name", "publisher", "url", "licence", "license", "retrieved", "files", "notes")
OVERLAY_KEYS = ("id", "label", "file", "layer", "crs", "category", "name", "tooltip", "colour",
                "level", "max_file_mb")
TOP_LEVEL_KEYS = ("workspace", "levels", "tables", "sources", "overlays", "map", "roads",
                  "early_warning", "targets", "access", "overlap", "ledger")


def unknown_keys(d: dict, known: tuple[str, ...], where: str,
                 aliases: dict[str, str] | None = None) -> list[str]:
    """One message per key of ``d`` that is not in ``known``, with the nearest valid key
    (``aliases``: words users write for a key, e.g. ``scale`` for ``amount_scale``)."""
    out = []
    for key in d:
        if key in known:
            continue
        near = [aliases[key]] if aliases and key in aliases else \
            difflib.get_close_matches(str(key), known, n=1, cutoff=0.6) or \
            [k for k in known if len(str(key)) >= 3 and str(key).lower() in k][:1]
        if near:
            out.append(Text(N_("`{key}`: unknown key in {where}; did you mean `{near}`?"),
                            key=str(key), where=where, near=near[0]))
        else:
            out.append(Text(N_("`{key}`: unknown key in {where}; valid keys: {keys}"),
                            key=str(key), where=where, keys=", ".join(known)))
    return out


def confined_file(root: Path, file: str, where: str, problems: list[str]) -> Path | None:
    """``root / file`` if it stays inside the workspace folder (symlinks resolved), else a
    problem: a manifest may not read files elsewhere on the server."""
    if Path(file).is_absolute() or "\x00" in file:
        problems.append(Text(N_("{where}: file '{file}' must be a path inside the workspace "
                                "folder, relative to it"), where=where, file=file))
        return None
    base = root.resolve()
    target = (root / file).resolve()
    if not target.is_relative_to(base):
        problems.append(Text(N_("{where}: file '{file}' points outside the workspace folder; "
                                "copy the file into the folder"), where=where, file=file))
        return None
    if not target.exists():
        problems.append(Text(N_("{where}: file '{file}' not found in the workspace folder"),
                             where=where, file=file))
        return None
    if not target.is_file():
        problems.append(Text(N_("{where}: '{file}' is not a file"), where=where, file=file))
        return None
    return root / file


class ManifestError(ValueError):
    """A manifest that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(self.path, self.problems)

    def __str__(self) -> str:
        """The manifest and its problems, in the reader's language."""
        from locales import t

        lines = "\n".join(f"  - {p}" for p in self.problems)
        head = t("{path}: {n} problem(s)", path=self.path, n=f"{len(self.problems):,}")
        return f"{head}\n{lines}"


def plural_of(label: str) -> str:
    """English plural of a label ("County" → "Counties"); a label not ending in a Latin
    letter ("省份", "Kreis 1") is its own plural."""
    lab = label.strip()
    if not lab or not ("a" <= lab[-1].lower() <= "z"):
        return lab
    if lab.endswith("y") and len(lab) > 1 and lab[-2].lower() not in "aeiou":
        return lab[:-1] + "ies"
    return lab if lab.endswith("s") else lab + "s"


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    file: Path
    key: str
    name: str
    layer: str | None = None
    key_width: int | None = None
    crs: str = ""                       # assumed when the file declares none; "" = undeclared
    parent_level: str | None = None
    parent_key_chars: int | None = None
    parent_column: str | None = None
    label_plural: str = ""
    years: tuple[int, int | None] | None = None   # first and last year the boundaries hold for

    def covers(self, first: int, last: int) -> bool:
        """Whether the years first..last all fall within the boundaries' years (or none set)."""
        if self.years is None:
            return True
        lo, hi = self.years
        return first >= lo and (hi is None or last <= hi)

    @property
    def years_text(self) -> str:
        if self.years is None:
            return ""
        lo, hi = self.years
        return f"{lo}" if hi == lo else f"{lo}–{hi}" if hi is not None else f"{lo} on"

    @property
    def plural(self) -> str:
        """"Counties", "States", "Towns" — or the manifest's own ``label_plural``."""
        return self.label_plural or plural_of(self.label)


@dataclass(frozen=True)
class TableSpec:
    id: str
    kind: str
    level: str
    file: Path
    columns: dict[str, str]
    constants: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    unit: str = ""
    encoding: str = ""                  # "" = not declared: UTF-8, else detected and reported
    layer: str | None = None
    decimal: str = "."
    options: dict[str, Any] = field(default_factory=dict)
    crosswalk: Path | None = None       # a from → to key table applied before matching

    @property
    def display_label(self) -> str:
        return self.label or self.id.replace("_", " ").capitalize()

    @property
    def keyed_by_name(self) -> bool:
        return "region_id" not in self.columns and "region_name" in self.columns

    @property
    def wide_columns(self) -> list[str] | str | None:
        """The period columns to unpivot: a list of headers, "auto" (every header that is a
        period), or None for a long table."""
        return self.options.get("wide_columns")

    @property
    def scale(self) -> Any:
        """The kind's scale (``amount_scale`` …) as written, or None."""
        return self.options.get(SCALE_KEYS.get(self.kind, ""))



@dataclass(frozen=True)
class OverlaySpec:
    """A layer of lines, points or polygons drawn over any map (rail lines, project sites)."""
    id: str
    file: Path
    label: str = ""
    layer: str | None = None
    crs: str = ""                       # as for levels: assumed when the file declares none
    category: str | None = None         # column whose values colour the features (legend)
    name: str | None = None             # column naming each feature (tooltip title)
    tooltip: tuple[str, ...] = ()       # further columns shown in the tooltip
    colour: str = ""                    # one colour when there is no category ("#7b3294")
    level: str | None = None            # offered only on this level's maps; None: every level
    max_file_mb: float | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Source:
    name: str
    publisher: str = ""
    url: str = ""
    licence: str = ""
    retrieved: str = ""
    files: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Workspace:
    id: str
    path: Path
    title: str
    description: str = ""
    currency: str = "USD"
    fiscal_year_start_month: int = 1
    fiscal_year_label: str = "FY"
    default_level: str | None = None
    data_date: str = ""
    language: str = ""                 # the reader's language by default ("en", "zh"); "" = browser's
    levels: tuple[Level, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    sources: tuple[Source, ...] = ()
    overlays: tuple[OverlaySpec, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    max_file_mb: float | None = None    # None: FISCALMAP_MAX_FILE_MB, else 200 MB

    def level(self, level_id: str) -> Level:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(f"workspace {self.id!r} has no level {level_id!r}; "
                       f"levels: {', '.join(lv.id for lv in self.levels)}")

    def tables_of(self, kind: str, level: str | None = None) -> list[TableSpec]:
        return [t for t in self.tables if t.kind == kind and (level is None or t.level == level)]

    def table(self, table_id: str) -> TableSpec:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(f"workspace {self.id!r} has no table {table_id!r}; "
                       f"tables: {', '.join(t.id for t in self.tables)}")

    def child_levels(self, level_id: str) -> list[Level]:
        return [lv for lv in self.levels if lv.parent_level == level_id]

    def fiscal_year_text(self, year: int | None = None) -> str:
        """What a fiscal year is, in a plain sentence in the reader's language. With a year
        (the latest of the view): "FY2024 runs from 1 October 2023 to 30 September 2024."
        Without: "Fiscal years (FY) run from October to September and are named after the year
        they end in." A fiscal year is named after the calendar year it ends in."""
        from locales import t

        label, start = self.fiscal_year_label, self.fiscal_year_start_month
        end = (start - 2) % 12 + 1
        if year is None:
            if start == 1:
                return t("Fiscal years ({label}) are calendar years.", label=label)
            return t("Fiscal years ({label}) run from {start} to {end} and are named after the "
                     "year they end in.", label=label, start=_month_name(start),
                     end=_month_name(end))
        year = int(year)
        first = _date_text(year - 1 if start > 1 else year, start, 1)
        last = _date_text(year, end, calendar.monthrange(year, end)[1])
        return t("{fy} runs from {first_day} to {last_day}.", fy=f"{label}{year}",
                 first_day=first, last_day=last)


def _month_name(month: int) -> str:
    """"October" (English), "10月" (Chinese)."""
    return f"{month}月" if current() == "zh" else calendar.month_name[month]


def _date_text(year: int, month: int, day: int) -> str:
    """"1 October 2023" (English), "2023年10月1日" (Chinese)."""
    if current() == "zh":
        return f"{year}年{month}月{day}日"
    return f"{day} {calendar.month_name[month]} {year}"


def _str(d: dict, key: str, where: str, problems: list[str], *, required: bool = False,
         default: str = "") -> str:
    v = d.get(key, default)
    if v is None or v == "":
        if required:
            problems.append(Text(N_("{where}: '{key}' is required"), where=where, key=key))
        return default
    if not isinstance(v, (str, int, float)):
        problems.append(Text(N_("{where}: '{key}' must be text, got {type}"), where=where,
                             key=key, type=type(v).__name__))
        return default
    return str(v)


def _int(d: dict, key: str, where: str, problems: list[str], *, lo: int, hi: int) -> int | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        problems.append(Text(N_("{where}: '{key}' must be a whole number from {lo} to {hi}, "
                                "got {value}"), where=where, key=key, lo=f"{lo:,}", hi=f"{hi:,}",
                             value=repr(v)))
        return None
    return v


def _positive(d: dict, key: str, where: str, problems: list[str]) -> float | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1e6:
        problems.append(Text(N_("{where}: '{key}' must be a positive number, got {value}"),
                             where=where, key=key, value=repr(v)))
        return None
    return float(v)


def _level_years(v: Any, where: str, problems: list[str]) -> tuple[int, int | None] | None:
    if v is None:
        return None
    ok = isinstance(v, list) and 1 <= len(v) <= 2 and all(
        isinstance(y, int) and not isinstance(y, bool) and 1800 <= y <= 2199 for y in v)
    if not ok or (len(v) == 2 and v[1] < v[0]):
        problems.append(Text(N_("{where}: 'years' must be [first, last] (or [first] for no end "
                                "yet), years from 1800 to 2199 with first ≤ last, got {value}"),
                             where=where, value=repr(v)))
        return None
    return (v[0], v[1] if len(v) == 2 else None)


def _parse_level(d: dict, i: int, root: Path, problems: list[str]) -> Level | None:
    where = f"[[levels]] #{i + 1}"
    lid = _str(d, "id", where, problems, required=True)
    where = Text(N_("level '{id}'"), id=lid) if lid else where
    file = _str(d, "file", where, problems, required=True)
    key = _str(d, "key", where, problems, required=True)
    name = _str(d, "name", where, problems, required=True)
    problems += unknown_keys(d, LEVEL_KEYS, where)
    path = confined_file(root, file, where, problems) if file else None
    level = Level(
        id=lid, label=_str(d, "label", where, problems, default=lid.capitalize()),
        file=root / file, key=key, name=name, layer=d.get("layer") or None,
        key_width=_int(d, "key_width", where, problems, lo=1, hi=64),
        crs=_str(d, "crs", where, problems, default=""),
        parent_level=d.get("parent_level") or None,
        parent_key_chars=_int(d, "parent_key_chars", where, problems, lo=1, hi=64),
        parent_column=d.get("parent_column") or None,
        label_plural=_str(d, "label_plural", where, problems),
        years=_level_years(d.get("years"), where, problems),
    )
    return level if lid and path and key and name else None


def _wide_columns(d: dict, kind: str, columns: dict, where: str,
                  problems: list[str]) -> bool:
    """Check ``wide_columns``; True when the table is wide (its periods are columns)."""
    wide = d.get("wide_columns")
    if wide is None:
        return False
    if not (wide == "auto" or (isinstance(wide, list) and wide and
                               all(isinstance(c, str) and c for c in wide))):
        problems.append(Text(N_("{where}: 'wide_columns' must be \"auto\" (every column whose "
                                "header is a year or quarter) or a list of column names, got "
                                "{value}"), where=where, value=repr(wide)[:80]))
        return False
    if kind not in WIDE_TARGETS:
        problems.append(Text(N_("{where}: 'wide_columns' applies to allocations, population and "
                                "indicators tables, not {kind}"), where=where, kind=kind))
        return False
    clash = [c for c in WIDE_TARGETS[kind] if c in columns]
    if clash:
        if len(clash) == 1:
            problems.append(Text(N_("{where}: with 'wide_columns' the {first} comes from the "
                                    "period columns; remove {first} from 'columns'"),
                                 where=where, first=clash[0]))
        else:
            problems.append(Text(N_("{where}: with 'wide_columns' the {first} and {second} come "
                                    "from the period columns; remove {first}, {second} from "
                                    "'columns'"), where=where, first=clash[0], second=clash[1]))
    return True


def _reader_layout(d: dict, where: str, problems: list[str]) -> None:
    _int(d, "header_row", where, problems, lo=1, hi=100_000)
    _int(d, "header_rows", where, problems, lo=1, hi=5)
    _int(d, "skip_bottom", where, problems, lo=0, hi=100_000)
    v = d.get("stop_at_blank")
    if v is not None and not isinstance(v, bool):
        problems.append(Text(N_("{where}: 'stop_at_blank' must be true or false, got {value}"),
                             where=where, value=repr(v)))
    v = d.get("sheet_layout")
    if v is not None and v not in ("same", "each"):
        problems.append(Text(N_("{where}: 'sheet_layout' must be \"same\" (every sheet read with "
                                "the table's layout) or \"each\" (each sheet's own detected), "
                                "got {value}"), where=where, value=repr(v)))
    elif v == "each" and not (isinstance(d.get("sheet"), str)
                              and d["sheet"].strip().lower() in ("*", "all")):
        problems.append(Text(N_("{where}: 'sheet_layout' applies to every sheet stacked: it needs "
                                "sheet = \"*\", got sheet = {value}"), where=where,
                             value=repr(d.get("sheet"))))
    v = d.get("sheet_columns")
    if v is not None and v not in ("name", "position"):
        problems.append(Text(N_("{where}: 'sheet_columns' must be \"name\" (a stacked sheet's "
                                "columns matched to the first sheet's by name) or \"position\" "
                                "(by position, when it has as many), got {value}"), where=where,
                             value=repr(v)))


def _scale(d: dict, kind: str, where: str, problems: list[str]) -> None:
    for key in dict.fromkeys(SCALE_KEYS.values()):
        if key not in d:
            continue
        kinds = [k for k, v in SCALE_KEYS.items() if v == key]
        if kind not in kinds:
            own = SCALE_KEYS.get(kind)
            if own:
                problems.append(Text(N_("{where}: '{key}' applies to {kinds} tables; for a "
                                        "{kind} table use '{own}'"), where=where, key=key,
                                     kinds=_and(kinds), kind=kind, own=own))
            else:
                problems.append(Text(N_("{where}: '{key}' applies to {kinds} tables"),
                                     where=where, key=key, kinds=_and(kinds)))
            continue
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            problems.append(Text(N_("{where}: '{key}' must be a number or a unit word, got "
                                    "{value}"), where=where, key=key, value=repr(v)))
            continue
        from geodata.readers.units import parse_scale
        if parse_scale(v) is None:
            problems.append(Text(N_("{where}: '{key}' = {value} is not a scale this reader "
                                    "knows; use a factor (1000, 1e8) or a unit such as thousand, "
                                    "million, billion, 千, 万, 亿, 万元, 亿元, 万人"),
                                 where=where, key=key, value=repr(v)))


def _parse_table(d: dict, i: int, root: Path, level_ids: set[str],
                 problems: list[str]) -> TableSpec | None:
    where = f"[[tables]] #{i + 1}"
    tid = _str(d, "id", where, problems, required=True)
    where = Text(N_("table '{id}'"), id=tid) if tid else where
    kind = _str(d, "kind", where, problems, required=True)
    if kind and kind not in TABLE_KINDS:
        problems.append(Text(N_("{where}: kind must be one of {kinds}, got {value}"),
                             where=where, kinds=", ".join(TABLE_KINDS), value=repr(kind)))
    level = _str(d, "level", where, problems, required=True)
    if level and level not in level_ids:
        problems.append(_not_a_level(where, level, level_ids))
    file = _str(d, "file", where, problems, required=True)
    own_scale = SCALE_KEYS.get(kind, "amount_scale")
    problems += unknown_keys(d, TABLE_KEYS, where, aliases={
        k: own_scale for k in ("scale", "multiplier", "factor", "unit_scale", "units")})
    path = confined_file(root, file, where, problems) if file else None
    columns = d.get("columns", {})
    constants = d.get("constants", {})
    if not isinstance(columns, dict) or not isinstance(constants, dict):
        problems.append(Text(N_("{where}: 'columns' and 'constants' must be tables (canonical = "
                                "source)"), where=where))
        return None
    wide = _wide_columns(d, kind, columns, where, problems)
    _reader_layout(d, where, problems)
    _scale(d, kind, where, problems)
    crosswalk = None
    if d.get("crosswalk") is not None:
        cw = _str(d, "crosswalk", where, problems)
        crosswalk = confined_file(root, cw, Text(N_("{where} crosswalk"), where=where),
                                  problems) if cw else None
    if kind in TABLE_KINDS:
        have = set(columns) | set(constants) | (set(WIDE_TARGETS.get(kind, ())) if wide else set())
        missing = [c for c in REQUIRED_COLUMNS[kind] if c not in have]
        if kind != "segments" and not (set(KEY_COLUMNS) & set(columns)):
            missing.insert(0, Text(N_("region_id (or region_name)")))
        if missing:
            problems.append(Text(N_("{where}: the column mapping lacks {columns}"), where=where,
                                 columns=", ".join(str(m) for m in missing)))
        known = set(REQUIRED_COLUMNS[kind]) | set(OPTIONAL_COLUMNS[kind]) | set(KEY_COLUMNS)
        unknown = sorted(set(columns) - known)
        if unknown:
            problems.append(Text(N_("{where}: unknown canonical column(s) {columns}; known for "
                                    "{kind}: {known}"), where=where, columns=", ".join(unknown),
                                 kind=kind, known=", ".join(sorted(known))))
    decimal = _str(d, "decimal", where, problems, default=".")
    if decimal not in (".", ","):
        problems.append(Text(N_("{where}: 'decimal' must be '.' or ',', got {value}"),
                             where=where, value=repr(decimal)))
    year_span = d.get("year_span")
    if year_span is not None and year_span not in ("start", "end"):
        problems.append(Text(N_("{where}: 'year_span' must be \"start\" or \"end\" (which year "
                                "\"2022-23\" means), got {value}"), where=where,
                             value=repr(year_span)))
    absent = d.get("absent_regions")
    if absent is not None and absent not in ("zero", "no_data"):
        problems.append(Text(N_("{where}: 'absent_regions' must be \"zero\" or \"no_data\", "
                                "got {value}"), where=where, value=repr(absent)))
    _positive(d, "max_file_mb", where, problems)
    if not (tid and kind and level and path):
        return None
    return TableSpec(
        id=tid, kind=kind, level=level, file=root / file,
        columns={str(k): str(v) for k, v in columns.items()}, constants=dict(constants),
        label=_str(d, "label", where, problems), unit=_str(d, "unit", where, problems),
        encoding=_str(d, "encoding", where, problems, default=""),
        layer=d.get("layer") or None, decimal=decimal,
        options={k: v for k, v in d.items() if k not in {
            "id", "kind", "level", "file", "columns", "constants", "label", "unit",
            "encoding", "layer", "decimal", "crosswalk"}},
        crosswalk=crosswalk,
    )


_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_OVERLAY_ID = re.compile(r"^[\w.-]{1,64}$")


def _parse_overlay(d: dict, i: int, root: Path, level_ids: set[str],
                   problems: list[str]) -> OverlaySpec | None:
    where = f"[[overlays]] #{i + 1}"
    oid = _str(d, "id", where, problems, required=True)
    if oid and not _OVERLAY_ID.match(oid):
        problems.append(Text(N_("{where}: id {value} must be letters, digits, _, - or . (it is "
                                "written in links, where | separates ids)"), where=where,
                             value=repr(oid)))
        oid = ""
    where = Text(N_("overlay '{id}'"), id=oid) if oid else where
    file = _str(d, "file", where, problems, required=True)
    problems += unknown_keys(d, OVERLAY_KEYS, where)
    path = confined_file(root, file, where, problems) if file else None
    tooltip = d.get("tooltip", [])
    if isinstance(tooltip, str):
        tooltip = [tooltip]
    if not isinstance(tooltip, list) or not all(isinstance(t, str) for t in tooltip):
        problems.append(Text(N_("{where}: 'tooltip' must be a list of column names"),
                             where=where))
        tooltip = []
    colour = _str(d, "colour", where, problems)
    if colour and not _COLOUR.match(colour):
        problems.append(Text(N_("{where}: 'colour' must be a hex colour such as \"#7b3294\", "
                                "got {value}"), where=where, value=repr(colour)))
        colour = ""
    level = d.get("level") or None
    if level is not None and level not in level_ids:
        problems.append(_not_a_level(where, level, level_ids))
    max_mb = _positive(d, "max_file_mb", where, problems)
    if not (oid and path):
        return None
    return OverlaySpec(
        id=oid, file=root / file, label=_str(d, "label", where, problems),
        layer=d.get("layer") or None, crs=_str(d, "crs", where, problems),
        category=_str(d, "category", where, problems) or None,
        name=_str(d, "name", where, problems) or None, tooltip=tuple(tooltip),
        colour=colour, level=level, max_file_mb=max_mb)


def _and(items: list[str]) -> str:
    """"allocations and plans" (kinds are manifest words, the same in every language)."""
    from locales import t

    if len(items) < 2:
        return ", ".join(items)
    return t("{first} and {second}", first=", ".join(items[:-1]), second=items[-1])


def _not_a_level(where: str, level: object, level_ids: set[str]) -> Text:
    if level_ids:
        return Text(N_("{where}: level {value} is not one of the levels ({levels})"),
                    where=where, value=repr(level), levels=", ".join(sorted(level_ids)))
    return Text(N_("{where}: level {value} is not one of the levels (none defined)"),
                where=where, value=repr(level))


#: "level id(s) used twice", by what: message ids.
_USED_TWICE = {"level": N_("level id(s) used twice: {ids}"),
               "table": N_("table id(s) used twice: {ids}"),
               "overlay": N_("overlay id(s) used twice: {ids}")}


def _used_twice(ids: list[str], what: str, problems: list[str]) -> None:
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        problems.append(Text(_USED_TWICE[what], ids=", ".join(dupes)))


def _settings_keys(raw: dict, problems: list[str]) -> None:
    """Unknown keys of the [map] and [roads] sections (their values are checked where used)."""
    for section, known, subs in (("map", MAP_KEYS, {}),
                                 ("roads", ROADS_KEYS, {"timeline": ROADS_TIMELINE_KEYS,
                                                        "town_bins": ROADS_BINS_KEYS})):
        d = raw.get(section)
        if d is None:
            continue
        if not isinstance(d, dict):
            problems.append(Text(N_("[{section}] must be a table of settings"), section=section))
            continue
        problems += unknown_keys(d, known, f"[{section}]")
        for sub, sub_known in subs.items():
            if isinstance(d.get(sub), dict):
                problems += unknown_keys(d[sub], sub_known, f"[{section}.{sub}]")


def load_manifest(path: Path | str) -> Workspace:
    """Read and check a workspace manifest (a folder or its ``workspace.toml``).

    Raises :class:`ManifestError` listing every problem found, not only the first.
    """
    path = Path(path)
    manifest = path / MANIFEST_NAME if path.is_dir() else path
    root = manifest.parent
    try:
        raw = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(manifest, [Text(N_("the manifest file does not exist"))]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(manifest, [Text(N_("not valid TOML: {error}"),
                                            error=str(exc))]) from None

    problems: list[str] = []
    head = raw.get("workspace")
    if not isinstance(head, dict):
        problems.append(Text(N_("the [workspace] table is missing")))
        head = {}
    problems += unknown_keys(head, WORKSPACE_KEYS, "[workspace]")
    title = _str(head, "title", "[workspace]", problems, required=True)
    max_mb = _positive(head, "max_file_mb", "[workspace]", problems)
    problems += unknown_keys(raw, TOP_LEVEL_KEYS, Text(N_("the manifest's top level "
                                                          "(sections)")))
    for key in ("levels", "tables", "sources", "overlays"):
        if key in raw and not (isinstance(raw[key], list) and
                               all(isinstance(x, dict) for x in raw[key])):
            problems.append(Text(N_("'{key}' must be a list of tables ([[{key}]] blocks)"),
                                 key=key))
            raw[key] = []
    fy_month = _int(head, "fiscal_year_start_month", "[workspace]", problems, lo=1, hi=12) or 1

    levels = [lv for i, d in enumerate(raw.get("levels", []))
              if (lv := _parse_level(d, i, root, problems)) is not None]
    if not raw.get("levels"):
        problems.append(Text(N_("no [[levels]] defined: a workspace needs at least one boundary "
                                "layer")))
    ids = [lv.id for lv in levels]
    _used_twice(ids, "level", problems)
    for lv in levels:
        if lv.parent_level and lv.parent_level not in ids:
            problems.append(Text(N_("level '{id}': parent_level {value} is not a level"),
                                 id=lv.id, value=repr(lv.parent_level)))
        if lv.parent_level and not (lv.parent_key_chars or lv.parent_column):
            problems.append(Text(N_("level '{id}': parent_level needs parent_key_chars or "
                                    "parent_column to find each region's parent"), id=lv.id))
    tables = [t for i, d in enumerate(raw.get("tables", []))
              if (t := _parse_table(d, i, root, set(ids), problems)) is not None]
    _used_twice([t.id for t in tables], "table", problems)
    _settings_keys(raw, problems)
    overlays = [o for i, d in enumerate(raw.get("overlays", []))
                if (o := _parse_overlay(d, i, root, set(ids), problems)) is not None]
    _used_twice([o.id for o in overlays], "overlay", problems)
    default_level = head.get("default_level") or (ids[0] if ids else None)
    if default_level and default_level not in ids:
        problems.append(Text(N_("[workspace]: default_level {value} is not a level"),
                             value=repr(default_level)))

    language = str(head.get("language", "") or "")
    if language and normalise_language(language) is None:
        problems.append(Text(N_("[workspace]: language {value} is not one of {languages}"),
                             value=repr(language), languages=", ".join(LANGUAGES)))
    sources = []
    for i, d in enumerate(raw.get("sources", [])):
        problems += unknown_keys(d, SOURCE_KEYS, f"[[sources]] #{i + 1}")
        sources.append(Source(
            name=str(d.get("name", "")), publisher=str(d.get("publisher", "")),
            url=str(d.get("url", "")), licence=str(d.get("licence", d.get("license", ""))),
            retrieved=str(d.get("retrieved", "")),
            files=tuple(str(f) for f in d.get("files", [])), notes=str(d.get("notes", ""))))
    if problems:
        raise ManifestError(manifest, problems)
    return Workspace(
        id=root.name, path=root, title=title,
        description=str(head.get("description", "")),
        currency=str(head.get("currency", "USD")),
        fiscal_year_start_month=fy_month,
        fiscal_year_label=str(head.get("fiscal_year_label", "FY")),
        default_level=default_level, data_date=str(head.get("data_date", "")),
        language=normalise_language(language) or "",
        levels=tuple(levels), tables=tuple(tables), sources=tuple(sources),
        overlays=tuple(overlays),
        settings={k: v for k, v in raw.items()
                  if k not in {"workspace", "levels", "tables", "sources", "overlays", "access"}},
        max_file_mb=max_mb,
    )


def env_roots() -> list[Path]:
    """The folders named in FISCALMAP_WORKSPACES, in order."""
    return [Path(p) for p in os.environ.get(ENV_ROOTS, "").split(os.pathsep) if p]


def user_workspace_root() -> Path:
    """Where the Import page saves workspaces: the first FISCALMAP_WORKSPACES folder, else
    ``$XDG_DATA_HOME/fiscalmap/workspaces`` (``~/.local/share/fiscalmap/workspaces``)."""
    named = env_roots()
    if named:
        return named[0]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fiscalmap" / "workspaces"


def workspace_roots(extra: Iterable[Path | str] = ()) -> list[Path]:
    roots = [BUNDLED_ROOT, *env_roots()]
    if not env_roots():
        roots.append(user_workspace_root())
    roots += [Path(p) for p in extra]
    return roots


def missing_workspace_roots() -> list[Path]:
    """Folders named in FISCALMAP_WORKSPACES that do not exist or are not folders."""
    return [r for r in env_roots() if not r.is_dir()]


def workspace_folder(arg: str | Path) -> Path:
    """The folder of a workspace given by id (as discovered) or by its folder path; raises
    LookupError naming the known ids when there is none."""
    path = Path(arg)
    if (path / MANIFEST_NAME).is_file():
        return path
    found = discover_workspaces()
    if str(arg) not in found:
        raise LookupError(f"no workspace {str(arg)!r}: expected a workspace id or a folder "
                          f"holding a workspace.toml; known workspaces: "
                          f"{', '.join(sorted(found)) or 'none'}")
    return Path(found[str(arg)])


def discover_workspaces(roots: Iterable[Path | str] | None = None) -> dict[str, Path]:
    """Map workspace id (folder name) → folder, for every folder holding a manifest."""
    found: dict[str, Path] = {}
    for root in (workspace_roots() if roots is None else [Path(r) for r in roots]):
        try:
            if (root / MANIFEST_NAME).is_file():
                found.setdefault(root.name, root)
                continue
            if not root.is_dir():
                continue
            subs = sorted(root.iterdir())
        except OSError:
            continue
        for sub in subs:
            try:
                if (sub / MANIFEST_NAME).is_file():
                    found.setdefault(sub.name, sub)
            except OSError:
                continue
    return found
