"""Batch export without starting the app.

Examples::

    python -m exports.cli --workspace us_federal --view "Unemployment 2009" --format png --out u.png
    python -m exports.cli --workspace us_federal --query "level=county&measure=indicator" \\
        --format pdf --out county.pdf
    python -m exports.cli --workspace us_federal --format pack --out hearing.pdf
    python -m exports.cli --workspace us_federal --list
    python -m exports.cli -w us_federal --query "page=early_warning&ew_year=2019&ew_quarter=2" \\
        -f png --out early_warning.png

A view is drawn exactly as asked or not at all: when a parameter of the link (or of a saved
view) does not fit the data — a year outside the table, an unknown measure, level, palette,
a parameter name that does not exist — nothing is written and the one-line message names the
parameter and what is valid. ``--nearest`` draws the nearest valid view instead and lists
what it ignored as warnings.

Every failure is one line ``error: ...`` on stderr, never a traceback (``--debug``, or the
environment variable ``FISCALMAP_DEBUG=1``, shows the traceback of an unexpected failure).

Exit status: 0 written (or listed), 1 nothing written (the view cannot be drawn as asked, the
workspace or the views file cannot be read, the file cannot be written), 2 bad arguments.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from geodata.files import write_atomic

FORMATS = ("png", "svg", "pdf", "pack", "html", "csv", "geojson", "xlsx")
DEBUG_ENV = "FISCALMAP_DEBUG"
#: Keys an app link may carry that are page state, not part of the view.
APP_ONLY_KEYS = ("panel", "present", "slide", "screen")
_MAX_LISTED = 12


class UsageError(Exception):
    """Bad command-line arguments (exit status 2)."""


class Failure(Exception):
    """Nothing can be written (exit status 1); the message says why."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):           # one line, no usage block
        raise UsageError(message)


def _one_line(text: object) -> str:
    lines = [re.sub(r"^\s*- ", "", ln).strip() for ln in str(text).splitlines()]
    return "; ".join(ln for ln in lines if ln) or "no details"


def _listing(options, *, fmt=str) -> str:
    opts = [fmt(o) for o in options]
    if not opts:
        return "none"
    if len(opts) > _MAX_LISTED:
        return ", ".join(opts[:_MAX_LISTED]) + f", … ({len(opts)} in all)"
    return ", ".join(opts)


def _parse_query(text: str) -> tuple[dict[str, str], list[str]]:
    """A query string, or a whole view link (anything after '?'): the parameters, and what is
    wrong with the text itself (a name given twice, text that is no name=value pair)."""
    text = text.strip()
    if "?" in text or text.startswith(("http://", "https://")):
        text = urlsplit(text).query or text.split("?", 1)[-1]
    params: dict[str, str] = {}
    problems: list[str] = []
    for key, value in parse_qsl(text.lstrip("?"), keep_blank_values=True):
        if key in params and value != params[key]:
            problems.append(f"{key} is given twice ({params[key]!r} and {value!r}); give it once")
        if value == "" and key in params:
            continue
        params[key] = value
    return params, problems


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="python -m exports.cli",
        description="Export a saved view or a view link as PNG/SVG/PDF, offline HTML, CSV, "
                    "GeoJSON or Excel, or all saved views as a hearing pack (PDF).")
    ap.add_argument("--workspace", "-w", required=True,
                    help="workspace id (folder name, e.g. us_federal) or a workspace folder")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--view", help="title (or id) of a saved view")
    src.add_argument("--query", help='query string or link of a view, e.g. '
                                     '"level=county&measure=indicator"')
    ap.add_argument("--format", "-f", choices=FORMATS, help="what to write")
    ap.add_argument("--out", "-o", type=Path, help="file to write")
    ap.add_argument("--dpi", type=int, default=200, choices=(150, 200, 300),
                    help="PNG resolution (default 200)")
    ap.add_argument("--size", default=None, choices=("16:9", "a4", "letter"),
                    help="page shape (default 16:9 for maps, a4 for the pack)")
    ap.add_argument("--list", action="store_true", help="list the saved views and exit")
    ap.add_argument("--nearest", action="store_true",
                    help="when a parameter of the view does not fit the data, draw the nearest "
                         "valid view (warnings on stderr) instead of writing nothing")
    ap.add_argument("--debug", action="store_true",
                    help=f"show the traceback of an unexpected failure (also {DEBUG_ENV}=1)")
    return ap


def _open_workspace(arg: str):
    from geodata.dataset import WorkspaceData
    from geodata.workspace import (ManifestError, discover_workspaces, load_manifest,
                                   missing_workspace_roots)

    for root in missing_workspace_roots():
        print(f"warning: FISCALMAP_WORKSPACES names a folder that does not exist: {root}",
              file=sys.stderr)
    path = Path(arg)
    if not (path / "workspace.toml").exists():
        found = discover_workspaces()
        if arg not in found:
            raise UsageError(f"no workspace {arg!r}: expected a workspace id or a folder holding "
                             f"a workspace.toml; known workspaces: {_listing(sorted(found))}")
        path = Path(found[arg])
    try:
        return WorkspaceData(load_manifest(path))
    except ManifestError as exc:
        raise Failure(f"workspace {arg!r} cannot be opened: {_one_line(exc)}") from exc
    except (OSError, ValueError) as exc:
        raise Failure(f"workspace {arg!r} cannot be opened: {_one_line(exc)}") from exc


# ---------------------------------------------------------------- what a view can be
def _valid_options(data, vs, key: str) -> str:
    """What is valid for ``key`` in the view ``vs`` (as resolved), in words."""
    from geodata.viewstate import choices
    from layers.palettes import palette_names

    ws = data.ws
    ch = choices(data, vs.level, vs.measure, vs.table, vs.indicator)
    if key == "ws":
        return f"this workspace is {ws.id!r}"
    if key == "level":
        return "one of " + _listing([lv.id for lv in ws.levels])
    if key == "measure":
        return f"at level {vs.level!r} one of " + _listing(ch.measures)
    if key == "table":
        return f"at level {vs.level!r} one of " + _listing(ch.tables)
    if key == "years":
        if not ch.years:
            return "no years: this view has no allocation table"
        return (f"a year or a span such as {ch.years[0]}-{ch.years[-1]}, within "
                f"{ch.years[0]}–{ch.years[-1]}")
    if key == "agencies":
        if not ch.agencies:
            return f"none: table {vs.table!r} has no agency column"
        return "agencies of this table, separated by |: " + _listing(ch.agencies, fmt=repr)
    if key == "indicator":
        return f"at level {vs.level!r} one of " + _listing(ch.indicators, fmt=repr)
    if key == "indicator_year":
        return "one of " + _listing(ch.indicator_years)
    if key == "scheme":
        return "one of " + _listing(ch.schemes)
    if key == "palette":
        kind = "diverging" if vs.scheme == "diverging" else "sequential"
        return f"for scheme {vs.scheme!r} one of " + _listing(palette_names(kind))
    if key == "k":
        return "a whole number from 3 to 9"
    if key in ("average", "reverse", "overlay"):
        return "1 or 0"
    if key == "overlays":
        from geodata.viewstate import overlay_choices
        offered = overlay_choices(data, vs.level)
        if not offered:
            return f"none: workspace {ws.id!r} offers no overlay at level {vs.level!r}"
        return f"overlay ids at level {vs.level!r}, separated by |: " + _listing(offered)
    if key == "region":
        ids = [str(r) for r in data.names(vs.level)]
        return f"a region id of level {vs.level!r}, e.g. " + _listing(ids[:5])
    if key == "center":
        return "lat,lon with lat from -90 to 90 and lon from -180 to 180"
    if key == "zoom":
        return "a number from 0 to 24"
    if key in ("ew_step", "ew_year", "ew_quarter", "ew_month", "ew_rule", "ew_map", "sc_level",
               "sc_year", "sc_money", "sc_trend", "sc_indicator"):
        from geodata.viewstate import performance_choices
        try:
            opts = performance_choices(data, vs.to_query()).get(key)
        except Exception:  # noqa: BLE001 - the options are a courtesy; the problem is named
            return ""
        if not opts:
            return "none here"
        return ("one of " + _listing(opts, fmt=repr if key == "sc_indicator" else str)
                + (" (a calendar month, 1 = January)" if key == "ew_month" else ""))
    if key in ("road_class", "condition", "road_layer"):
        try:
            from . import roads as road_views
            from geodata import roads as R
            rd = road_views.load(data)
            if rd is None:
                return "none: this workspace has no road data"
            cfg = rd.config
            opts = {"road_class": R.road_classes(cfg, road_views.has_lines(rd)),
                    "condition": cfg.scheme_choices(),
                    "road_layer": road_views.town_layers(data, cfg)}[key]
            return "one of " + _listing(list(opts))
        except Exception:  # noqa: BLE001 - the options are a courtesy; the problem is named
            return ""
    return ""


def _key_of(message: str) -> str:
    head = message.split(":", 1)[0]
    return head.split("=", 1)[0].strip()


def view_problems(data, params, composed) -> list[str]:
    """Why ``composed`` is not the view ``params`` asked for, one phrase per parameter, with
    what is valid; [] when it is exactly that view."""
    from geodata.viewstate import QUERY_KEYS

    out = []
    unknown = [k for k in params if k not in QUERY_KEYS and k not in APP_ONLY_KEYS]
    for key in unknown:
        out.append(f"{key}={params[key]!r}: not a view parameter (known: "
                   f"{', '.join(QUERY_KEYS)})")
    for msg in composed.ignored:
        valid = _valid_options(data, composed.vs, _key_of(msg))
        out.append(f"{msg} (valid: {valid})" if valid else msg)
    return out


def _compose_checked(data, params, *, what: str, nearest: bool, pre: list[str] = ()):
    """Compose a view; without ``nearest`` a view that cannot be drawn as asked is a
    :class:`Failure`. Warnings (what was ignored) are printed with ``nearest``."""
    from .compose import compose

    try:
        c = compose(data, params)
    except ValueError as exc:
        raise Failure(f"{what} cannot be drawn: {_why_not(data, params, exc)}") from exc
    problems = list(pre) + view_problems(data, params, c)
    if problems and not nearest:
        # nothing is drawn, so what the nearest view would have used is not said
        said = [p.removesuffix(" Quantiles used.").rstrip(". ") for p in problems]
        raise Failure(f"{what} cannot be drawn as asked: {'; '.join(said)}. Nothing was "
                      "written; fix the parameters, or add --nearest to draw the nearest "
                      "valid view.")
    prefix = "" if what == "the view" else f"{what}: "
    for msg in problems:
        print(f"warning: {prefix}ignored {msg}", file=sys.stderr)
    return c


def _why_not(data, params, exc: Exception) -> str:
    """Why the workspace cannot make the view, in its own terms where it can be said."""
    from geodata.viewstate import choices, resolve_view

    try:
        vs, _ = resolve_view(data, {str(k): str(v) for k, v in params.items()})
        ch = choices(data, vs.level)
    except Exception:  # noqa: BLE001 - fall back to the error itself
        return _one_line(exc)
    if not ch.measures:
        return (f"level {vs.level!r} of workspace {data.ws.id!r} has no allocation table and "
                "no indicator table, so there is nothing to map; expected at least one of "
                f"them for this level in workspace.toml ({_one_line(exc)})")
    return _one_line(exc)


# ---------------------------------------------------------------- the command
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        return _run(argv)
    except UsageError as exc:
        print(f"error: {_one_line(exc)} (see python -m exports.cli --help)", file=sys.stderr)
        return 2
    except Failure as exc:
        if debug and exc.__cause__ is not None:
            raise
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the command line never ends in a traceback
        if debug:
            raise
        print(f"error: unexpected failure ({type(exc).__name__}: {_one_line(exc)}); nothing "
              f"was written (add --debug or set {DEBUG_ENV}=1 for the traceback)",
              file=sys.stderr)
        return 1


def _run(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:             # --help
        return exc.code if isinstance(exc.code, int) else 0
    from .views_store import ViewsError, store_for

    if not args.list and (not args.format or not args.out):
        raise UsageError("--format and --out are required (or use --list)")
    if args.format == "pack" and args.query:
        raise UsageError("--query cannot make a pack; a pack is made of saved views (all of "
                         "them, or the one named with --view)")
    if args.out is not None and args.out.is_dir():
        raise UsageError(f"--out {str(args.out)!r} is a folder; expected a file name")
    data = _open_workspace(args.workspace)
    store = store_for(data.ws)
    from .maps import frame_problems
    for msg in frame_problems(data):
        print(f"warning: {msg}", file=sys.stderr)
    try:
        if args.list:
            for i, v in enumerate(store.list(), start=1):
                print(f"{i}. {v.title}\t{v.note}\t?" +
                      "&".join(f"{k}={x}" for k, x in v.query.items()))
            return 0
        if args.format == "pack":
            from .pack import hearing_pack
            views = store.list()
            if args.view:
                views = [store.get(args.view)]
            if not views:
                raise Failure(f"no saved views in {data.ws.id!r}; save some on the Hearing "
                              "page first")
            failed = []
            for sv in views:
                try:
                    _compose_checked(data, sv.query, what=f"saved view {sv.title!r}",
                                     nearest=args.nearest)
                except Failure as exc:
                    failed.append(str(exc).replace(" Nothing was written; fix the parameters, "
                                                   "or add --nearest to draw the nearest valid "
                                                   "view.", "").rstrip("."))
            if failed:
                raise Failure(f"the hearing pack cannot be made as saved ({len(failed)} of "
                              f"{len(views)} view(s)): {' | '.join(failed)}. Nothing was "
                              "written; fix or re-save those views on the Hearing page, or add "
                              "--nearest to draw the nearest valid views.")
            blob = hearing_pack(data, views, size=args.size or "a4")
        else:
            pre: list[str] = []
            if args.view:
                saved = store.get(args.view)
                params, title, note = saved.query, saved.title, saved.note
                what = f"saved view {saved.title!r}"
            else:
                params, pre = _parse_query(args.query or "")
                title, note = None, ""
                what = "the view"
            c = _compose_checked(data, params, what=what, nearest=args.nearest, pre=pre)
            if args.format in ("png", "svg", "pdf"):
                from .maps import snapshot
                blob = snapshot(data, c, args.format, dpi=args.dpi, size=args.size or "16:9",
                                title=title, note=note)
            elif args.format == "html":
                from .maps import html
                blob = html(data, c)
            else:
                from . import data as tables
                blob = {"csv": tables.to_csv, "geojson": tables.to_geojson,
                        "xlsx": tables.to_excel}[args.format](data, c)
    except ViewsError as exc:
        raise Failure(str(exc)) from None
    except ValueError as exc:
        raise Failure(f"the {args.format} file cannot be made: {_one_line(exc)}") from exc
    try:
        write_atomic(args.out, blob)
    except OSError as exc:
        raise Failure(f"cannot write {str(args.out)!r}: {exc.strerror or exc}; nothing was "
                      "written") from exc
    print(f"wrote {args.out} ({len(blob) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
