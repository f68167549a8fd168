"""Early warning from the command line: the ranked flags of one fiscal year and quarter.

Examples::

    python -m performance.cli -w us_federal --year 2019 --quarter 2
    python -m performance.cli -w us_federal --year 2019 --quarter 2 --rule elapsed -o flags.csv
    python -m performance.cli -w us_federal --table obligations --by agency --year 2019 --quarter 2
    python -m performance.cli -w my_office --year 2025 --month mar --by program

Prints the ranked list (red first) and the rule; ``-o`` writes the list as CSV (atomically:
the old file stays whole if anything fails). Without ``--year``/``--quarter`` the latest
period in the table is used. ``--month`` is a calendar month (3 or Mar) of a table with
months.

Exit status: 0 no red flag, 2 at least one red flag, 1 error (one line on stderr; ``--debug``
or ``FISCALMAP_DEBUG=1`` shows the traceback of an unexpected failure).
"""
from __future__ import annotations

import argparse
import calendar
import os
import sys
from dataclasses import replace
from pathlib import Path

from geodata.files import csv_bytes, write_atomic

DEBUG_ENV = "FISCALMAP_DEBUG"
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | \
    {m.lower(): i for i, m in enumerate(calendar.month_name) if m}


class Failure(Exception):
    """Nothing can be shown or written (exit status 1)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):           # one line, no usage block
        raise Failure(f"{message} (see python -m performance.cli --help)")


def _month(text: str) -> int:
    t = text.strip().lower()
    if t in _MONTHS:
        return _MONTHS[t]
    if t.isdigit() and 1 <= int(t) <= 12:
        return int(t)
    raise argparse.ArgumentTypeError(f"not a month: {text!r} (1-12 or Jan-Dec)")


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m performance.cli",
                 description="Early warning: areas whose spending falls behind its pace.")
    ap.add_argument("-w", "--workspace", required=True,
                    help="workspace id (see the app's picker) or a folder with a workspace.toml")
    ap.add_argument("--year", type=int, help="fiscal year (default: the latest in the table)")
    when = ap.add_mutually_exclusive_group()
    when.add_argument("--quarter", type=int, choices=range(1, 5), metavar="1-4",
                      help="quarter of the fiscal year (default: the latest of the year)")
    when.add_argument("--month", type=_month,
                      help="calendar month, 1-12 or Jan-Dec (tables with months)")
    ap.add_argument("--table", help="the allocations table watched (default: the "
                                    "workspace's [early_warning] table)")
    ap.add_argument("--rule", choices=("profile", "elapsed", "plan"),
                    help="the rule (default: the workspace's [early_warning] rule)")
    ap.add_argument("--by", help="break down by this column (agency, program, fund) or 'none' "
                                 "(default: the workspace's [early_warning] by)")
    ap.add_argument("-o", "--out", type=Path, help="write the ranked list to this CSV file")
    ap.add_argument("--debug", action="store_true",
                    help=f"show the traceback of an unexpected failure (also {DEBUG_ENV}=1)")
    return ap


def _open(arg: str):
    from geodata.dataset import WorkspaceData
    from geodata.workspace import ManifestError, load_manifest, workspace_folder

    try:
        path = workspace_folder(arg)
    except LookupError as exc:
        raise Failure(str(exc)) from None
    try:
        return WorkspaceData(load_manifest(path))
    except ManifestError as exc:
        raise Failure(f"workspace {arg!r} cannot be opened: {_one_line(exc)}") from exc


def _one_line(text: object) -> str:
    lines = [ln.strip().removeprefix("- ") for ln in str(text).splitlines()]
    return "; ".join(ln for ln in lines if ln) or "no details"


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
        raise Failure(f"-o {str(args.out)!r} is a folder; expected a file name")
    data = _open(args.workspace)
    try:
        cfg = early_warning_config(data.ws).with_rule(args.rule)
    except ManifestError as exc:
        raise Failure(f"[early_warning] of {args.workspace!r}: {_one_line(exc)}") from exc
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    if args.table is not None and args.table != cfg.table:
        kinds = {t.id: t.kind for t in data.ws.tables}
        if kinds.get(args.table) != "allocations":
            raise Failure(f"--table {args.table!r} is not an allocations table; allocations "
                          f"tables: {', '.join(t for t, k in kinds.items() if k == 'allocations')}")
        cfg = replace(cfg, table=args.table, by=None)
    by = cfg.by if args.by is None else (None if args.by.lower() == "none" else args.by)
    step = "month" if args.month is not None else "quarter"
    try:
        have = available(data, cfg, step)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    if not have:
        raise Failure(f"table {cfg.table!r} has no rows with a {step}")
    year = args.year if args.year is not None else max(have)
    if args.month is not None:
        period = int(fiscal_month(args.month, data.ws.fiscal_year_start_month))
    elif args.quarter is not None:
        period = args.quarter
    else:
        if year not in have:
            raise Failure(f"{data.ws.fiscal_year_label}{year} is not in table {cfg.table!r} "
                          f"(it holds {min(have)}–{max(have)})")
        period = max(have[year])
    try:
        ew = early_warning(data, cfg, year=year, period=period, step=step, by=by)
    except ValueError as exc:
        raise Failure(str(exc)) from exc

    frame = flags_frame(ew)
    for note in ew.notes:
        print(f"note: {note}", file=sys.stderr)
    for p in ew.problems:
        print(f"{p.severity}: {p.text()}", file=sys.stderr)
    print(report(ew))
    if args.out is not None:
        try:
            write_atomic(args.out, csv_bytes(frame))
        except OSError as exc:
            raise Failure(f"cannot write {str(args.out)!r}: {exc.strerror or exc}") from exc
        print(f"wrote {len(frame):,} row(s) to {args.out}", file=sys.stderr)
    return 2 if ew.counts()["red"] else 0


def report(ew) -> str:
    """The ranked list as text: a heading, the rule, one line per flag, the counts."""
    from layers.classify import format_number

    f = ew.flags
    who = f["name"].fillna(f["region_id"]).astype(str)
    if ew.by:
        who = who + " / " + f[ew.by].fillna("—").astype(str)
    width = min(max([len(ew.level_label), *map(len, who)]), 40)

    def pct(x) -> str:
        return "—" if x != x else f"{x:5.1f}%"

    lines = [f"Early warning: {ew.table_label}, {ew.view_text} (rule: {ew.rule})",
             ew.rule_sentence(), "",
             f"{'#':>3}  {ew.level_label[:width]:<{width}}  {'spent to date':>14}  "
             f"{'expected':>14}  {'share':>6}  {'expect':>6}  {'gap':>6}  status"]
    for i, (name, row) in enumerate(zip(who, f.itertuples(index=False)), start=1):
        gap = "—" if row.gap_pts != row.gap_pts else f"{row.gap_pts:+.1f}"
        line = (f"{i:>3}  {name[:width]:<{width}}  "
                f"{format_number(row.spent_to_date, ew.unit):>14}  "
                f"{format_number(row.expected_to_date, ew.unit):>14}  "
                f"{pct(row.share_spent):>6}  {pct(row.expected_share):>6}  {gap:>6}  "
                f"{row.status}")
        if row.reason:
            line += f" ({row.reason})"
        lines.append(line)
    counts = ew.counts()
    lines += ["", " · ".join(f"{k} {v:,}" for k, v in counts.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        return run(argv)
    except Failure as exc:
        if debug and exc.__cause__ is not None:
            raise
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:     # the reader stopped early (| head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the command line never ends in a traceback
        if debug:
            raise
        print(f"error: unexpected failure ({type(exc).__name__}: {_one_line(exc)}) (add "
              f"--debug or set {DEBUG_ENV}=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
