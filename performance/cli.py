"""Early warning from the command line: the ranked flags of one fiscal year and quarter.

Examples::

    python -m performance.cli -w us_federal --year 2019 --quarter 2
    python -m performance.cli -w us_federal --year 2019 --quarter 2 --rule elapsed -o flags.csv
    python -m performance.cli -w us_federal --table obligations --by agency --year 2019 --quarter 2
    python -m performance.cli -w my_office --year 2025 --month mar --by program
    python -m performance.cli -w us_federal --lang zh

Prints the ranked list (red first) and the rule; ``-o`` writes the list as CSV (atomically:
the old file stays whole if anything fails). Without ``--year``/``--quarter`` the latest
period in the table is used. ``--month`` is a calendar month (3 or Mar) of a table with
months.

Messages are in the language of ``--lang`` (``en`` or ``zh``), else the workspace's
``language``, else English.

Exit status: 0 no red flag, 2 at least one red flag, 1 error (one line on stderr; ``--debug``
or ``FISCALMAP_DEBUG=1`` shows the traceback of an unexpected failure).

The command runs as the operating-system user and reads the workspace files with that user's
permissions. When the site configures sign-in (an ``[auth]`` section in Streamlit's secrets),
the access rules apply with the OS login as identity (patterns ``os:NAME`` or ``os:*``): a
workspace the login may not view is reported exactly as one that does not exist. The CSV
written with ``-o`` is recorded in the audit log as ``os:<login>``; when the log cannot be
written a warning says so, the file stays written and the exit status is unchanged.
"""
from __future__ import annotations

import argparse
import calendar
import os
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

from geodata import access
from geodata.files import csv_bytes, write_atomic
from locales import LANGUAGES, N_, lang_in_argv, set_language, t, use

DEBUG_ENV = "FISCALMAP_DEBUG"
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | \
    {m.lower(): i for i, m in enumerate(calendar.month_name) if m}


class Failure(Exception):
    """Nothing can be shown or written (exit status 1)."""


#: How a problem of the workspace's files is introduced on stderr, by severity.
SEVERITY_LINES = {"error": N_("error: {message}"), "warning": N_("warning: {message}"),
                  "repaired": N_("repaired: {message}"), "note": N_("note: {message}")}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):           # one line, no usage block
        raise Failure(t("{message} (see python -m performance.cli --help)", message=message))


def _month(text: str) -> int:
    key = text.strip().lower()
    if key in _MONTHS:
        return _MONTHS[key]
    if key.isdigit() and 1 <= int(key) <= 12:
        return int(key)
    raise argparse.ArgumentTypeError(t("not a month: {text} (1-12 or Jan-Dec)",
                                       text=repr(text)))


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m performance.cli",
                 description=t("Early warning: areas whose spending falls behind its pace."),
                 epilog=t("Runs as the operating-system user ({login}) and reads the workspace "
                          "files with that user's permissions. When the site configures "
                          "sign-in, it is allowed only what the access rules give os:{login} "
                          "(patterns os:NAME or os:*); a workspace it may not view is reported "
                          "as unknown. Every file written is recorded in the audit log as "
                          "os:{login}; when the log cannot be written, a warning on stderr says "
                          "so, the file stays written and the exit status is unchanged.",
                          login=access.os_identity().os_user))
    ap.add_argument("-w", "--workspace", required=True,
                    help=t("workspace id (see the app's picker) or a folder with a "
                           "workspace.toml"))
    ap.add_argument("--year", type=int,
                    help=t("fiscal year (default: the latest in the table)"))
    when = ap.add_mutually_exclusive_group()
    when.add_argument("--quarter", type=int, choices=range(1, 5), metavar="1-4",
                      help=t("quarter of the fiscal year (default: the latest of the year)"))
    when.add_argument("--month", type=_month,
                      help=t("calendar month, 1-12 or Jan-Dec (tables with months)"))
    ap.add_argument("--table", help=t("the allocations table watched (default: the "
                                      "workspace's [early_warning] table)"))
    ap.add_argument("--rule", choices=("profile", "elapsed", "plan"),
                    help=t("the rule (default: the workspace's [early_warning] rule)"))
    ap.add_argument("--by", help=t("break down by this column (agency, program, fund) or "
                                   "'none' (default: the workspace's [early_warning] by)"))
    ap.add_argument("-o", "--out", type=Path,
                    help=t("write the ranked list to this CSV file"))
    ap.add_argument("--lang", choices=tuple(LANGUAGES),
                    help=t("language of the messages (default: the workspace's language, "
                           "else English)"))
    ap.add_argument("--debug", action="store_true",
                    help=t("show the traceback of an unexpected failure (also {env}=1)",
                           env=DEBUG_ENV))
    return ap



def _open(arg: str, site: access.CommandLineAccess):
    """The workspace named by id or folder, and its id; one the OS login may not view under
    the site's sign-in is reported exactly as one that does not exist."""
    from geodata.dataset import WorkspaceData
    from geodata.workspace import ManifestError, load_manifest

    ws_id, path, known = site.locate(arg)
    if path is None:
        raise Failure(t("no workspace {name}: expected a workspace id or a folder holding a "
                        "workspace.toml; known workspaces: {known}", name=repr(arg),
                        known=", ".join(known) or t("none")))
    try:
        return WorkspaceData(load_manifest(path)), ws_id
    except ManifestError as exc:
        raise Failure(t("workspace {name} cannot be opened: {why}", name=repr(arg),
                        why=_one_line(exc))) from exc


def _one_line(text: object) -> str:
    lines = [ln.strip().removeprefix("- ") for ln in str(text).splitlines()]
    return "; ".join(ln for ln in lines if ln) or t("no details")


def run(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:             # --help
        return exc.code if isinstance(exc.code, int) else 0
    from geodata.workspace import ManifestError

    from .config import early_warning_config
    from .early_warning import available, early_warning, flags_frame
    from .pace import fiscal_month

    if args.out is not None and args.out.is_dir():
        raise Failure(t("-o {out} is a folder; expected a file name", out=repr(str(args.out))))
    site = access.CommandLineAccess.for_site()
    for msg in site.warnings:
        print(t("warning: {message}", message=msg), file=sys.stderr)
    data, ws_id = _open(args.workspace, site)
    if args.lang is None:
        set_language(data.ws.language or None)
    try:
        cfg = early_warning_config(data.ws).with_rule(args.rule)
    except ManifestError as exc:
        raise Failure(t("[early_warning] of {workspace}: {why}", workspace=repr(args.workspace),
                        why=_one_line(exc))) from exc
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    if args.table is not None and args.table != cfg.table:
        kinds = {t.id: t.kind for t in data.ws.tables}
        if kinds.get(args.table) != "allocations":
            raise Failure(t("--table {table} is not an allocations table; allocations tables: "
                            "{tables}", table=repr(args.table),
                            tables=", ".join(i for i, k in kinds.items() if k == "allocations")))
        cfg = replace(cfg, table=args.table, by=None)
    by = cfg.by if args.by is None else (None if args.by.lower() == "none" else args.by)
    step = "month" if args.month is not None else "quarter"
    try:
        have = available(data, cfg, step)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    if not have:
        raise Failure(t("table {table} has no rows with a month", table=repr(cfg.table))
                      if step == "month" else
                      t("table {table} has no rows with a quarter", table=repr(cfg.table)))
    year = args.year if args.year is not None else max(have)
    if args.month is not None:
        period = int(fiscal_month(args.month, data.ws.fiscal_year_start_month))
    elif args.quarter is not None:
        period = args.quarter
    else:
        if year not in have:
            raise Failure(t("{year} is not in table {table} (it holds {first}–{last})",
                            year=f"{data.ws.fiscal_year_label}{year}", table=repr(cfg.table),
                            first=str(min(have)), last=str(max(have))))
        period = max(have[year])
    try:
        ew = early_warning(data, cfg, year=year, period=period, step=step, by=by)
    except ValueError as exc:
        raise Failure(str(exc)) from exc

    frame = flags_frame(ew)
    for note in ew.notes:
        print(t("note: {message}", message=note), file=sys.stderr)
    for p in ew.problems:
        line = SEVERITY_LINES.get(p.severity)
        print(t(line, message=p.text()) if line else f"{p.severity}: {p.text()}",
              file=sys.stderr)
    print(report(ew))
    if args.out is not None:
        try:
            write_atomic(args.out, csv_bytes(frame))
        except OSError as exc:
            raise Failure(t("cannot write {out}: {why}", out=repr(str(args.out)),
                            why=exc.strerror or str(exc))) from exc
        print(t("wrote {n} row(s) to {out}", n=f"{len(frame):,}", out=str(args.out)),
              file=sys.stderr)
        # The app's Early warning link of the same flags; the table and breakdown beside it.
        when = {"ew_month": str(args.month)} if step == "month" else {"ew_quarter": str(period)}
        link = {"ws": ws_id, "page": "early_warning", "ew_step": step, "ew_year": str(year),
                **when, "ew_rule": cfg.rule}
        problem = site.record("export", ws_id, args.out, view="?" + urlencode(link),
                              detail={"table": cfg.table, "by": by or ""})
        if problem:
            print(t("warning: {message}", message=problem), file=sys.stderr)
    return 2 if ew.counts()["red"] else 0


def report(ew) -> str:
    """The ranked list as text: a heading, the rule, one line per flag, the counts."""
    from layers.classify import format_number

    f = ew.flags
    who = f["name"].fillna(f["region_id"]).astype(str)
    if ew.by:
        who = who + " / " + f[ew.by].fillna("—").astype(str)
    width = min(max([_columns(ew.level_label), *map(_columns, who)]), 40)

    def pct(x) -> str:
        return "—" if x != x else f"{x:5.1f}%"

    heads = [t("spent to date"), t("expected"), t("share"), t("expect"), t("gap")]
    widths = [max(w, _columns(h)) for w, h in zip((14, 14, 6, 6, 6), heads)]
    lines = [t("Early warning: {table}, {period} (rule: {rule})", table=ew.table_label,
               period=ew.view_text, rule=ew.rule),
             ew.rule_sentence(), "",
             "  ".join([_pad("#", 3, right=True), _pad(ew.level_label, width),
                        *(_pad(h, w, right=True) for h, w in zip(heads, widths)),
                        t("status")])]
    for i, (name, row) in enumerate(zip(who, f.itertuples(index=False)), start=1):
        gap = "—" if row.gap_pts != row.gap_pts else f"{row.gap_pts:+.1f}"
        cells = [format_number(row.spent_to_date, ew.unit),
                 format_number(row.expected_to_date, ew.unit), pct(row.share_spent),
                 pct(row.expected_share), gap]
        line = "  ".join([f"{i:>3}", _pad(name, width),
                          *(_pad(c, w, right=True) for c, w in zip(cells, widths)),
                          str(row.status)])
        if row.reason:
            line += f" ({row.reason})"
        lines.append(line)
    counts = ew.counts()
    lines += ["", " · ".join(f"{k} {v:,}" for k, v in counts.items())]
    return "\n".join(lines)


def _columns(text: str) -> int:
    """Width of ``text`` on a terminal (a CJK character takes two columns)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut or padded to ``width`` terminal columns (aligned right with ``right``)."""
    out = ""
    for ch in text:
        if _columns(out + ch) > width:
            break
        out += ch
    fill = " " * (width - _columns(out))
    return fill + out if right else out + fill


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    with use(lang_in_argv(argv)):
        try:
            return run(argv)
        except Failure as exc:
            if debug and exc.__cause__ is not None:
                raise
            print(t("error: {message}", message=_one_line(exc)), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(t("error: interrupted"), file=sys.stderr)
            return 1
        except BrokenPipeError:     # the reader stopped early (| head): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except Exception as exc:  # noqa: BLE001 - the command line never ends in a traceback
            if debug:
                raise
            print(t("error: unexpected failure ({kind}: {why}) (add --debug or set {env}=1 "
                    "for the traceback)", kind=type(exc).__name__, why=_one_line(exc),
                    env=DEBUG_ENV), file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
