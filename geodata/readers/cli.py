"""The Import page's steps from the command line.

    python -m geodata.readers.cli inspect FILE [--sheet S] [--encoding E] [--separator D]
    python -m geodata.readers.cli keys FILE --boundaries B [--key-field K] [--name-field N]
                                  [--table-key COLUMN] [--wide auto|COL,COL] [--value COLUMN]
    python -m geodata.readers.cli save --id ID --title T --boundaries B --label Province \\
        --table "file=spend.csv kind=allocations key=地区 wide=auto scale=亿元 accept=unique"

``inspect`` prints the file's first lines, the proposed header and note lines with the reasons,
the columns as read, the period columns and the unit named in a header. ``keys`` prints how many
rows match the boundaries and the proposals for the keys that do not. ``save`` writes a
workspace (into ``--root``, default the first FISCALMAP_WORKSPACES folder or the user's data
folder) from a boundary file and one or more ``--table`` specs; ``accept=unique`` saves the
proposals that name exactly one area as the table's crosswalk (never accepted otherwise).
Errors are one line on stderr and exit status 1; ``--debug`` shows the traceback.
``--lang zh`` prints the messages in Chinese (default English); file contents, column names
and the manifest's settings are shown as written.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

import pandas as pd

import locales
from locales import LANGUAGES, N_, t

from ..workspace import WIDE_TARGETS, user_workspace_root
from .keys import RULE_LABELS, key_plan
from .draft import LevelDraft, SaveError, TableDraft, WorkspaceDraft, save_workspace, slug

TABLE_SPEC_KEYS = ("file", "kind", "key", "year", "value", "wide", "scale", "sheet", "encoding",
                   "separator", "decimal", "header_row", "header_rows", "skip_bottom",
                   "stop_at_blank", "sheet_layout", "sheet_columns",
                   "year_span", "label", "indicator", "unit", "accept", "id")


#: The severities of a reader's notes, as the command line prints them.
SEVERITY_WORDS = {"error": N_("error"), "warning": N_("warning"), "repaired": N_("repaired"),
                  "note": N_("note")}


class CliError(Exception):
    pass


def _severity(code: str) -> str:
    return t(SEVERITY_WORDS[code]) if code in SEVERITY_WORDS else code


def _layout_from(args_or_spec: dict, path: Path, sheet, encoding, separator):
    from .layout import Layout, propose_layout, read_grid

    grid = read_grid(path, encoding=encoding, separator=separator, sheet=sheet)
    proposal = propose_layout(grid)
    lay = proposal.layout
    given = {k: int(args_or_spec[k]) for k in ("header_row", "header_rows", "skip_bottom")
             if args_or_spec.get(k) not in (None, "")}
    stop = args_or_spec.get("stop_at_blank")
    return Layout(header_row=given.get("header_row", lay.header_row),
                  header_rows=given.get("header_rows", lay.header_rows),
                  skip_bottom=given.get("skip_bottom", lay.skip_bottom),
                  stop_at_blank=lay.stop_at_blank if stop in (None, "") else
                  str(stop).lower() in ("1", "true", "yes")), grid, proposal


def _read(path: Path, spec: dict):
    from .text import read_table_file

    sheet = spec.get("sheet") or None
    layout, grid, proposal = _layout_from(spec, path, sheet, spec.get("encoding") or "",
                                          spec.get("separator") or None)
    each = spec.get("sheet_layout") == "each" and sheet in ("*", "all")
    res = read_table_file(path, encoding=spec.get("encoding") or "",
                          separator=spec.get("separator") or None, sheet=sheet, layout=layout,
                          sheet_layout="each" if each else "same",
                          sheet_columns="position" if spec.get("sheet_columns") == "position"
                          and sheet in ("*", "all") else "name")
    return res, layout, grid, proposal


def cmd_inspect(a) -> int:
    from .roles import propose_roles
    from .units import scale_from_header
    from .wide import period_columns

    path = Path(a.file)
    spec = {"sheet": a.sheet, "encoding": a.encoding, "separator": a.separator,
            "header_row": a.header_row, "header_rows": a.header_rows,
            "skip_bottom": a.skip_bottom}
    res, layout, grid, proposal = _read(path, spec)
    fields = {"file": path.name, "encoding": grid.encoding or "-",
              "delimiter": "TAB" if grid.delimiter == chr(9) else grid.delimiter or "-"}
    print(t("{file}: encoding {encoding}, delimiter {delimiter}, sheets: {sheets}",
            sheets=", ".join(grid.sheets), **fields) if grid.sheets else
          t("{file}: encoding {encoding}, delimiter {delimiter}", **fields))
    print(t("First lines:"))
    for line, row in list(zip(grid.head_lines, grid.head))[:8]:
        print(f"  {line:>5} | " + " | ".join(str(c) for c in row)[:150])
    for r in proposal.reasons:
        print(t("Proposed: {reason}", reason=str(r)))
    print(t("Layout used: {layout}", layout=f"header_row = {layout.header_row}, header_rows = "
                                            f"{layout.header_rows}, skip_bottom = "
                                            f"{layout.skip_bottom}"
                                            + (", stop_at_blank = true"
                                               if layout.stop_at_blank else "")))
    for n in res.notes:
        print(f"{_severity(n.severity)}: {n.message}")
    cols = [str(c) for c in res.frame.columns]
    print(t("Read {rows} rows × {n} columns: {columns}", rows=f"{len(res.frame):,}",
            n=str(len(cols)), columns=", ".join(cols)[:400]))
    periods, refused = period_columns(cols)
    if periods:
        print(t("Period columns: {periods}", periods=", ".join(
            f"{p.column} → {p.year}" + (f" Q{p.quarter}" if p.quarter else "")
            for p in periods)[:400]))
    for c, why in refused:
        print(t("Not a period: {column}: {reason}", column=repr(c), reason=t(why)))
    roles = propose_roles(res.frame.head(2000), a.kind, [p.column for p in periods])
    if roles["wide"]:
        print(t("Proposed for a {kind} table: key column {key}; years are columns",
                kind=a.kind, key=repr(roles["key"])))
    else:
        print(t("Proposed for a {kind} table: key column {key}; year column {year}; value "
                "column {value}", kind=a.kind, key=repr(roles["key"]), year=repr(roles["year"]),
                value=repr(roles["value"])))
    for c in cols:
        s = scale_from_header(c)
        if s is not None and s.factor != 1:
            print(t("Unit in header {column}: {unit}", column=repr(c), unit=s.describe()))
            break
    return 0


def _regions(a_boundaries: str, layer, key_field, name_field, crs):
    from ..load import load_boundaries
    from ..workspace import Level, Workspace
    from .roles import propose_boundary_fields
    from .vector import read_vector

    path = Path(a_boundaries)
    if not (key_field and name_field):
        frame = pd.DataFrame(read_vector(path, layer, rows=500, geometry=False))
        k, n = propose_boundary_fields(frame.drop(columns="geometry", errors="ignore"))
        key_field, name_field = key_field or k, name_field or n
        print(t("Boundaries: id column {key}, name column {name} (proposed; "
                "--key-field/--name-field to choose)", key=repr(key_field),
                name=repr(name_field)))
    if not key_field or not name_field:
        raise CliError(t("the boundary file has no column that can serve as id and name"))
    lv = Level(id="import", label="Region", file=path, key=key_field, name=name_field,
               layer=layer, crs=crs or "")
    gdf, problems = load_boundaries(Workspace(id="import", path=path.parent, title="import",
                                              levels=(lv,)), lv)
    for p in problems:
        if p.severity == "error":
            print(t("boundaries: {problem}", problem=p.text()), file=sys.stderr)
    if gdf.empty:
        raise CliError(t("no area could be read from {file}", file=path.name))
    return pd.DataFrame(gdf.drop(columns="geometry")), key_field, name_field


def _match(res, spec: dict, regions: pd.DataFrame, kind: str):
    from .keys import match_keys
    from .roles import keys_and_amounts, propose_roles
    from .wide import period_columns

    cols = [str(c) for c in res.frame.columns]
    wide = spec.get("wide")
    periods = [p.column for p in period_columns(cols, year_span=spec.get("year_span"))[0]]
    roles = propose_roles(res.frame.head(2000), kind, periods)
    wide_cols = None
    if wide == "auto" or (wide is None and roles["wide"] and not spec.get("value")):
        wide_cols = periods
    elif wide:
        wide_cols = [c.strip() for c in wide.split(",") if c.strip()]
    key_col = spec.get("key") or roles["key"]
    value_col = spec.get("value") or (None if wide_cols else roles["value"])
    year_col = spec.get("year") or (None if wide_cols else roles["year"])
    for c in [key_col, value_col, year_col, *(wide_cols or [])]:
        if c is not None and c not in cols:
            raise CliError(t("column {column} is not in the table; its columns: {columns}",
                             column=repr(c), columns=", ".join(cols)))
    if key_col is None:
        raise CliError(t("no column to match the areas; name it with key=COLUMN"))
    keys, amounts = keys_and_amounts(res.frame, key_col, wide_columns=wide_cols,
                                     value_col=value_col, decimal=spec.get("decimal") or ".")
    m = match_keys(keys, regions[["region_id", "name"]], amounts=amounts, by="auto")
    return m, key_col, value_col, year_col, wide_cols


def _print_match(m) -> None:
    fields = {"matched": f"{m.matched_rows:,}", "rows": f"{m.rows:,}",
              "amount": f"{m.unmatched_amount:,.2f}"}
    print(t("Rows matched: {matched} of {rows} (by area id); value not matched: {amount}",
            **fields) if m.by == "id" else
          t("Rows matched: {matched} of {rows} (by area name); value not matched: {amount}",
            **fields))
    for r in m.unmatched.head(20).itertuples(index=False):
        print("  " + t("no area: {key} ({rows} rows, {amount})", key=repr(r.key),
                       rows=f"{r.rows:,}", amount=f"{r.amount:,.2f}"))
    for r in m.proposals.head(40).itertuples(index=False):
        target = r.region_id if r.candidates == 1 else \
            t("{n} candidates", n=f"{r.candidates:,}")
        print("  " + t("proposal: {key} → {target} {name} ({rule})", key=repr(r.key),
                       target=str(target), name=repr(r.name),
                       rule=t(RULE_LABELS.get(r.rule, r.rule))))


def cmd_keys(a) -> int:
    regions, _k, _n = _regions(a.boundaries, a.layer, a.key_field, a.name_field, a.crs)
    spec = {"sheet": a.sheet, "encoding": a.encoding, "separator": a.separator,
            "key": a.table_key, "wide": a.wide, "value": a.value, "decimal": a.decimal}
    res, *_ = _read(Path(a.file), spec)
    m, *_ = _match(res, spec, regions, a.kind)
    _print_match(m)
    return 0


def _table_spec(text: str) -> dict:
    spec = {}
    for part in shlex.split(text):
        if "=" not in part:
            raise CliError(t("--table: {part} is not key=value", part=repr(part)))
        k, v = part.split("=", 1)
        if k not in TABLE_SPEC_KEYS:
            import difflib
            near = difflib.get_close_matches(k, TABLE_SPEC_KEYS, n=1)
            raise CliError(t("--table: unknown key {key}; did you mean {near}?", key=repr(k),
                             near=repr(near[0])) if near else
                           t("--table: unknown key {key}; keys: {keys}", key=repr(k),
                             keys=", ".join(TABLE_SPEC_KEYS)))
        spec[k] = v
    if "file" not in spec:
        raise CliError(t("--table needs file=PATH"))
    kind = spec.setdefault("kind", "allocations")
    if kind not in WIDE_TARGETS:
        raise CliError(t("--table: kind must be one of {kinds}, got {kind}",
                         kinds=", ".join(WIDE_TARGETS), kind=repr(kind)))
    return spec


def cmd_save(a) -> int:
    from ..access import CommandLineAccess, taken_ids
    from .units import parse_scale

    site = CommandLineAccess.for_site()
    for msg in site.warnings:
        print(t("warning: {message}", message=msg), file=sys.stderr)
    if not site.may_import():
        raise CliError(t("importing needs the editor role: this command runs as the "
                         "operating-system user, and the site's access rules give os:{login} "
                         "no editor role", login=site.who.os_user))

    regions, key_field, name_field = _regions(a.boundaries, a.layer, a.key_field, a.name_field,
                                              a.crs)
    level = LevelDraft(id=slug(a.label, "region"), label=a.label, source=Path(a.boundaries),
                       key=key_field, name=name_field, label_plural=a.label_plural or "",
                       layer=a.layer, crs=a.crs or "", original_name=Path(a.boundaries).name)
    tables = []
    for i, text in enumerate(a.table):
        spec = _table_spec(text)
        path = Path(spec["file"])
        if not path.is_file():
            raise CliError(t("--table: file {file} not found", file=str(path)))
        kind = spec["kind"]
        res, layout, *_ = _read(path, spec)
        for n in res.notes:
            print(f"{path.name}: {_severity(n.severity)}: {n.message}")
        m, key_col, value_col, year_col, wide_cols = _match(res, spec, regions, kind)
        print(f"{path.name}:")
        _print_match(m)
        year_name, value_name = WIDE_TARGETS[kind]
        scale = spec.get("scale")
        if scale and parse_scale(scale) is None:
            raise CliError(t("{file}: scale {scale} is not a unit or factor this reader knows "
                             "(1000, thousand, million, 万, 亿, 万元, 亿元, 万人…)",
                             file=path.name, scale=repr(scale)))
        accept = spec.get("accept")
        if accept not in (None, "unique"):
            raise CliError(t("--table: accept must be 'unique' (proposals naming exactly one "
                             "area)"))
        ok = m.proposals[m.proposals["candidates"].eq(1)] if accept else m.proposals.iloc[0:0]
        key_canon, crosswalk = key_plan(res.frame[key_col], m, ok, regions)
        if len(ok):
            print("  " + t("{n} proposal(s) accepted into the crosswalk", n=f"{len(ok):,}"))
        crosswalk = crosswalk if len(crosswalk) else None
        columns = {key_canon: key_col}
        if not wide_cols:
            if not (year_col and value_col):
                raise CliError(t("{file}: name the year and value columns (year=…, value=…) or "
                                 "the period columns (wide=auto)", file=path.name))
            columns.update({year_name: year_col, value_name: value_col})
        constants = {}
        if kind == "indicators":
            constants = {"indicator": spec.get("indicator") or value_col or "Indicator"}
            if spec.get("unit"):
                constants["unit"] = spec["unit"]
        tables.append(TableDraft(
            id=spec.get("id") or slug(path.stem, f"table{i + 1}")[:40], kind=kind,
            level=level.id, source=path, columns=columns, constants=constants,
            label=spec.get("label", ""), encoding=spec.get("encoding", ""),
            separator=spec.get("separator") or None, decimal=spec.get("decimal") or ".",
            sheet=spec.get("sheet") or None, header_row=layout.header_row,
            header_rows=layout.header_rows, skip_bottom=layout.skip_bottom,
            stop_at_blank=layout.stop_at_blank,
            sheet_layout="each" if spec.get("sheet_layout") == "each" else "same",
            sheet_columns="position" if spec.get("sheet_columns") == "position" else "name",
            wide_columns=wide_cols,
            year_span=spec.get("year_span") or None,
            scale=scale or None, crosswalk=crosswalk, original_name=path.name))
    draft = WorkspaceDraft(title=a.title, currency=a.currency, levels=[level], tables=tables)
    root = Path(a.root) if a.root else user_workspace_root()
    try:
        ws = save_workspace(draft, root, a.id, progress=lambda m: print(f"  {m}"),
                            taken=taken_ids(site.policy))
    except SaveError as exc:
        raise CliError(str(exc)) from None
    print(t("Saved workspace {id} in {folder}", id=repr(ws.id), folder=str(ws.path)))
    problem = site.record("import", ws.id, ws.path,
                          detail={"tables": [table.original_name for table in tables]})
    if problem:
        print(t("warning: {message}", message=problem), file=sys.stderr)
    if root not in [Path(p) for p in os.environ.get("FISCALMAP_WORKSPACES", "").split(
            os.pathsep) if p] and root != user_workspace_root():
        print(t("Start the app with FISCALMAP_WORKSPACES={folder} to see it", folder=str(root)))
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m geodata.readers.cli",
                                 description=t("Import files into a workspace, step by step."))
    ap.add_argument("--debug", action="store_true", help=t("show tracebacks"))
    lang_help = t("language of the messages: en (English, the default) or zh (Chinese)")
    ap.add_argument("--lang", choices=tuple(LANGUAGES), default=locales.DEFAULT, help=lang_help)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def add_parser(name: str, help: str):
        p = sub.add_parser(name, help=help)
        # also after the command ("inspect FILE --lang zh"); unset, it keeps the one before
        p.add_argument("--lang", choices=tuple(LANGUAGES), default=argparse.SUPPRESS,
                       help=lang_help)
        return p

    def reader_opts(p):
        p.add_argument("--sheet")
        p.add_argument("--encoding", default="")
        p.add_argument("--separator")
        p.add_argument("--decimal", default=".", choices=(".", ","))
        p.add_argument("--kind", default="allocations", choices=tuple(WIDE_TARGETS))

    p = add_parser("inspect", t("show how a table file is read"))
    p.add_argument("file")
    reader_opts(p)
    for k in ("--header-row", "--header-rows", "--skip-bottom"):
        p.add_argument(k, type=int)
    p.set_defaults(func=cmd_inspect)

    def boundary_opts(p):
        p.add_argument("--boundaries", required=True)
        p.add_argument("--layer")
        p.add_argument("--key-field")
        p.add_argument("--name-field")
        p.add_argument("--crs")

    p = add_parser("keys", t("match a table's keys to the boundaries"))
    p.add_argument("file")
    reader_opts(p)
    boundary_opts(p)
    p.add_argument("--table-key")
    p.add_argument("--wide")
    p.add_argument("--value")
    p.set_defaults(func=cmd_keys)

    p = add_parser("save", t("write a workspace"))
    boundary_opts(p)
    p.add_argument("--id", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--label", default="Region")
    p.add_argument("--label-plural")
    p.add_argument("--currency", default="USD")
    p.add_argument("--root")
    p.add_argument("--table", action="append", required=True,
                   help='"file=PATH kind=allocations key=COL wide=auto scale=亿元 …"')
    p.set_defaults(func=cmd_save)
    return ap



def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with locales.use(locales.lang_in_argv(argv)):
        a = parser().parse_args(argv)
    with locales.use(a.lang):
        return _run(a)


def _run(a) -> int:
    try:
        return a.func(a)
    except CliError as exc:
        print(t("error: {message}", message=str(exc)), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback, unless asked
        if a.debug or os.environ.get("FISCALMAP_DEBUG"):
            raise
        print(t("error: {kind}: {message} (--debug shows the traceback)",
                kind=type(exc).__name__, message=str(exc)), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
