"""Batch export without starting the app.

Examples::

    python -m exports.cli --workspace us_federal --view "Unemployment 2009" --format png --out u.png
    python -m exports.cli --workspace us_federal --query "level=county&measure=indicator" \\
        --format pdf --out county.pdf
    python -m exports.cli --workspace us_federal --format pack --out hearing.pdf
    python -m exports.cli --workspace us_federal --list
    python -m exports.cli -w us_federal --query "page=early_warning&ew_year=2019&ew_quarter=2" \\
        -f png --out early_warning.png
    python -m exports.cli -w us_federal --lang zh --query "level=state" -f png --out map.png
    python -m exports.cli -w us_federal \\
        --query "page=analysis&an_view=hotspots&level=county&measure=per_capita" \\
        -f pdf --out hotspots.pdf

A view of the Analysis page (``page=analysis``) is drawn by the page's own recipe
(:mod:`analysis.views`): ``an_view`` is the question (outliers, hotspots, peers, predicts,
overlap), the other ``an_*`` keys its settings, and outliers and hot spots map the measure of
``level``, ``measure``, ``table`` and ``years``. Its method statement is printed under the map.

A view is drawn exactly as asked or not at all: when a parameter of the link (or of a saved
view) does not fit the data — a year outside the table, an unknown measure, level, palette,
a parameter name that does not exist — nothing is written and the one-line message names the
parameter and what is valid. ``--nearest`` draws the nearest valid view instead and lists
what it ignored as warnings.

Every failure is one line ``error: ...`` on stderr, never a traceback (``--debug``, or the
environment variable ``FISCALMAP_DEBUG=1``, shows the traceback of an unexpected failure).

An export of one view prints ``wrote …`` and then the view's key figures on one line, the
text One map shows ("Total on the map: $4.8T · Per resident: $14,027 · …").

``--list`` with no saved view says so (and how to save one). ``--format pack`` with no saved
view makes the pack of the workspace's default view and says so on stderr.

Messages, and the words drawn on maps, are in the language of ``--lang`` (``en`` or ``zh``),
else the workspace's ``language``, else English.

Exit status: 0 written (or listed), 1 nothing written (the view cannot be drawn as asked, the
workspace or the views file cannot be read, the file cannot be written), 2 bad arguments.

The command runs as the operating-system user and reads the workspace files with that user's
permissions. When the site configures sign-in (an ``[auth]`` section in Streamlit's secrets),
the access rules apply with the OS login as identity (patterns ``os:NAME`` or ``os:*``): a
workspace the login may not view is reported exactly as one that does not exist. Every file
written is recorded in the audit log (:mod:`geodata.audit`) as ``os:<login>``; when the log
cannot be written a warning says so, the file stays written and the exit status is unchanged
(the log is a record: the login can read the workspace files anyway).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from geodata import access
from geodata.files import write_atomic
from locales import LANGUAGES, lang_in_argv, set_language, t, tn, use

FORMATS = ("png", "svg", "pdf", "pack", "html", "csv", "geojson", "xlsx")
DEBUG_ENV = "FISCALMAP_DEBUG"
#: Keys an app link may carry that are page state, not part of the view.
APP_ONLY_KEYS = ("panel", "present", "slide", "screen")
_MAX_LISTED = 12


class UsageError(Exception):
    """Bad command-line arguments (exit status 2)."""


class Failure(Exception):
    """Nothing can be written (exit status 1); the message says why."""


class ViewMismatch(Failure):
    """A view that cannot be drawn as asked: ``what`` it is, and its ``problems``."""

    def __init__(self, what: str, problems: list[str]):
        self.what, self.problems = what, problems
        super().__init__(t("{what} cannot be drawn as asked: {problems}. Nothing was written; "
                           "fix the parameters, or add --nearest to draw the nearest valid "
                           "view.", what=what, problems="; ".join(problems)))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):           # one line, no usage block
        raise UsageError(message)


def _one_line(text: object) -> str:
    lines = [re.sub(r"^\s*- ", "", ln).strip() for ln in str(text).splitlines()]
    return "; ".join(ln for ln in lines if ln) or t("no details")


def _listing(options, *, fmt=str) -> str:
    opts = [fmt(o) for o in options]
    if not opts:
        return t("none")
    if len(opts) > _MAX_LISTED:
        return t("{items}, … ({n} in all)", items=", ".join(opts[:_MAX_LISTED]),
                 n=f"{len(opts):,}")
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
            problems.append(t("{key} is given twice ({first} and {second}); give it once",
                              key=key, first=repr(params[key]), second=repr(value)))
        if value == "" and key in params:
            continue
        params[key] = value
    return params, problems


def access_epilog() -> str:
    """What the command may do as the OS user, and the audit of what it writes (--help)."""
    return t("Runs as the operating-system user ({login}) and reads the workspace files with "
             "that user's permissions. When the site configures sign-in, it is allowed only "
             "what the access rules give os:{login} (patterns os:NAME or os:*); a workspace "
             "it may not view is reported as unknown. Every file written is recorded in the "
             "audit log as os:{login}; when the log cannot be written, a warning on stderr "
             "says so, the file stays written and the exit status is unchanged.",
             login=access.os_identity().os_user)


#: A view of the Analysis page on the command line (``--help`` shows it).
ANALYSIS_EXAMPLE = ('python -m exports.cli -w us_federal --query '
                    '"page=analysis&an_view=hotspots&level=county&measure=per_capita" '
                    '-f pdf --out hotspots.pdf')


def analysis_example() -> str:
    """How a view of the Analysis page is exported (--help)."""
    return t("A view of the Analysis page is exported with its link keys (an_view and the "
             "an_* settings), its map and method statement as the page draws them, e.g. "
             "{example}", example=ANALYSIS_EXAMPLE)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="python -m exports.cli",
        description=t("Export a saved view or a view link as PNG/SVG/PDF, offline HTML, CSV, "
                      "GeoJSON or Excel, or all saved views as a hearing pack (PDF)."),
        epilog=access_epilog() + " " + analysis_example())
    ap.add_argument("--workspace", "-w", required=True,
                    help=t("workspace id (folder name, e.g. us_federal) or a workspace "
                           "folder"))
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--view", help=t("title (or id) of a saved view"))
    src.add_argument("--query", help=t("query string or link of a view, e.g. "
                                       "\"level=county&measure=indicator\""))
    ap.add_argument("--format", "-f", choices=FORMATS, help=t("what to write"))
    ap.add_argument("--out", "-o", type=Path, help=t("file to write"))
    ap.add_argument("--dpi", type=int, default=200, choices=(150, 200, 300),
                    help=t("PNG resolution (default 200)"))
    ap.add_argument("--size", default=None, choices=("16:9", "a4", "letter"),
                    help=t("page shape (default 16:9 for maps, a4 for the pack)"))
    ap.add_argument("--list", action="store_true", help=t("list the saved views and exit"))
    ap.add_argument("--nearest", action="store_true",
                    help=t("when a parameter of the view does not fit the data, draw the "
                           "nearest valid view (warnings on stderr) instead of writing "
                           "nothing"))
    ap.add_argument("--lang", choices=tuple(LANGUAGES),
                    help=t("language of the messages and of the words on maps (default: the "
                           "workspace's language, else English)"))
    ap.add_argument("--debug", action="store_true",
                    help=t("show the traceback of an unexpected failure (also {env}=1)",
                           env=DEBUG_ENV))
    return ap



def warn(message: str) -> None:
    print(t("warning: {message}", message=message), file=sys.stderr)


def _open_workspace(arg: str, gate: access.CommandLineAccess | None = None):
    """The workspace named by id or folder, and its id (a folder's name). One the OS login may
    not view under the site's sign-in is reported exactly as one that does not exist, and is
    left out of the list of known workspaces."""
    from geodata.dataset import WorkspaceData
    from geodata.workspace import ManifestError, load_manifest, missing_workspace_roots

    gate = gate or access.CommandLineAccess(on=False, who=access.os_identity())
    for root in missing_workspace_roots():
        warn(t("FISCALMAP_WORKSPACES names a folder that does not exist: {folder}",
               folder=str(root)))
    ws_id, path, known = gate.locate(arg)
    if path is None:
        raise UsageError(t("no workspace {name}: expected a workspace id or a folder "
                           "holding a workspace.toml; known workspaces: {known}",
                           name=repr(arg), known=_listing(known)))
    try:
        return WorkspaceData(load_manifest(path)), ws_id
    except (ManifestError, OSError, ValueError) as exc:
        raise Failure(t("workspace {name} cannot be opened: {why}", name=repr(arg),
                        why=_one_line(exc))) from exc


# ---------------------------------------------------------------- what a view can be
def _valid_options(data, vs, key: str) -> str:
    """What is valid for ``key`` in the view ``vs`` (as resolved), in words."""
    from geodata.viewstate import choices
    from layers.palettes import palette_names

    ws = data.ws
    ch = choices(data, vs.level, vs.measure, vs.table, vs.indicator)
    level = repr(vs.level)
    if key == "ws":
        return t("this workspace is {workspace}", workspace=repr(ws.id))
    if key == "level":
        return t("one of {options}", options=_listing([lv.id for lv in ws.levels]))
    if key == "measure":
        return t("at level {level} one of {options}", level=level,
                 options=_listing(ch.measures))
    if key == "table":
        return t("at level {level} one of {options}", level=level, options=_listing(ch.tables))
    if key == "years":
        if not ch.years:
            return t("no years: this view has no allocation table")
        return t("a year or a span such as {first}-{last}, within {first}–{last}",
                 first=str(ch.years[0]), last=str(ch.years[-1]))
    if key == "agencies":
        if not ch.agencies:
            return t("none: table {table} has no agency column", table=repr(vs.table))
        return t("agencies of this table, separated by |: {options}",
                 options=_listing(ch.agencies, fmt=repr))
    if key == "indicator":
        return t("at level {level} one of {options}", level=level,
                 options=_listing(ch.indicators, fmt=repr))
    if key == "indicator_year":
        return t("one of {options}", options=_listing(ch.indicator_years))
    if key == "scheme":
        return t("one of {options}", options=_listing(ch.schemes))
    if key == "palette":
        kind = "diverging" if vs.scheme == "diverging" else "sequential"
        return t("for scheme {scheme} one of {options}", scheme=repr(vs.scheme),
                 options=_listing(palette_names(kind)))
    if key == "k":
        return t("a whole number from 3 to 9")
    if key in ("average", "reverse", "overlay"):
        return t("1 or 0")
    if key == "overlays":
        from geodata.viewstate import overlay_choices
        offered = overlay_choices(data, vs.level)
        if not offered:
            return t("none: workspace {workspace} offers no overlay at level {level}",
                     workspace=repr(ws.id), level=level)
        return t("overlay ids at level {level}, separated by |: {options}", level=level,
                 options=_listing(offered))
    if key == "region":
        ids = [str(r) for r in data.names(vs.level)]
        return t("a region id of level {level}, e.g. {examples}", level=level,
                 examples=_listing(ids[:5]))
    if key == "center":
        return t("lat,lon with lat from -90 to 90 and lon from -180 to 180")
    if key == "zoom":
        return t("a number from 0 to 24")
    if key in ("ew_step", "ew_year", "ew_quarter", "ew_month", "ew_rule", "ew_map", "sc_level",
               "sc_year", "sc_money", "sc_trend", "sc_indicator"):
        from geodata.viewstate import performance_choices
        try:
            opts = performance_choices(data, vs.to_query()).get(key)
        except Exception:  # noqa: BLE001 - the options are a courtesy; the problem is named
            return ""
        if not opts:
            return t("none here")
        listed = _listing(opts, fmt=repr if key == "sc_indicator" else str)
        if key == "ew_month":
            return t("one of {options} (a calendar month, 1 = January)", options=listed)
        return t("one of {options}", options=listed)
    if key.startswith("an_"):
        from analysis.views import MAX_K, analysis_choices
        if key == "an_k":
            return t("a number above 0 and at most {max}", max=f"{MAX_K:g}")
        if key == "an_panel":
            return t("empty for one year, or a span of years such as 2016-2024")
        try:
            opts = analysis_choices(data, vs.to_query()).get(key)
        except Exception:  # noqa: BLE001 - the options are a courtesy; the problem is named
            return ""
        if not opts:
            return t("none here")
        if key in ("an_measures", "an_controls"):
            return t("values separated by |: {options}", options=_listing(opts))
        return t("one of {options}", options=_listing(opts))
    if key in ("road_class", "condition", "road_layer"):
        try:
            from . import roads as road_views
            from geodata import roads as R
            rd = road_views.load(data)
            if rd is None:
                return t("none: this workspace has no road data")
            cfg = rd.config
            opts = {"road_class": R.road_classes(cfg, road_views.has_lines(rd)),
                    "condition": cfg.scheme_choices(),
                    "road_layer": road_views.town_layers(data, cfg)}[key]
            return t("one of {options}", options=_listing(list(opts)))
        except Exception:  # noqa: BLE001 - the options are a courtesy; the problem is named
            return ""
    return ""


def _key_of(message: str) -> str:
    """The parameter a message of compose's ``ignored`` is about ("years='2030': …")."""
    return re.split(r"[:：=]", message, maxsplit=1)[0].strip()


def view_problems(data, params, composed) -> list[str]:
    """Why ``composed`` is not the view ``params`` asked for, one phrase per parameter, with
    what is valid; [] when it is exactly that view."""
    from geodata.viewstate import QUERY_KEYS

    out = []
    unknown = [k for k in params if k not in QUERY_KEYS and k not in APP_ONLY_KEYS]
    for key in unknown:
        out.append(t("{key}={value}: not a view parameter (known: {known})", key=key,
                     value=repr(params[key]), known=", ".join(QUERY_KEYS)))
    for msg in composed.ignored:
        key = _key_of(msg)
        # an Analysis question that was read as asked but cannot run on this data says why;
        # the list of questions would not help
        refused = key == "an_view" and composed.vs.an_view == params.get("an_view", "outliers")
        valid = "" if refused else _valid_options(data, composed.vs, key)
        out.append(t("{problem} (valid: {valid})", problem=msg, valid=valid) if valid else msg)
    return out


def _compose_checked(data, params, *, what: str, nearest: bool, pre: list[str] = ()):
    """Compose a view; without ``nearest`` a view that cannot be drawn as asked is a
    :class:`ViewMismatch`. Warnings (what was ignored) are printed with ``nearest``."""
    from .compose import compose

    try:
        c = compose(data, params)
    except ValueError as exc:
        raise Failure(t("{what} cannot be drawn: {why}", what=what,
                        why=_why_not(data, params, exc))) from exc
    problems = list(pre) + view_problems(data, params, c)
    if problems and not nearest:
        # nothing is drawn, so what the nearest view would have used is not said
        raise ViewMismatch(what, [p.removesuffix(" Quantiles used.").rstrip(". ")
                                  for p in problems])
    for msg in problems:
        warn(t("ignored {problem}", problem=msg) if what == t("the view") else
             t("{what}: ignored {problem}", what=what, problem=msg))
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
        return t("level {level} of workspace {workspace} has no allocation table and no "
                 "indicator table, so there is nothing to map; expected at least one of them "
                 "for this level in workspace.toml ({why})", level=repr(vs.level),
                 workspace=repr(data.ws.id), why=_one_line(exc))
    return _one_line(exc)


# ---------------------------------------------------------------- the command
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    with use(lang_in_argv(argv)):
        try:
            return _run(argv)
        except UsageError as exc:
            print(t("error: {message} (see python -m exports.cli --help)",
                    message=_one_line(exc)), file=sys.stderr)
            return 2
        except Failure as exc:
            if debug and exc.__cause__ is not None:
                raise
            print(t("error: {message}", message=_one_line(exc)), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(t("error: interrupted; nothing was written"), file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001 - the command line never ends in a traceback
            if debug:
                raise
            print(t("error: unexpected failure ({kind}: {why}); nothing was written (add "
                    "--debug or set {env}=1 for the traceback)", kind=type(exc).__name__,
                    why=_one_line(exc), env=DEBUG_ENV), file=sys.stderr)
            return 1


def _list(data, store) -> int:
    views = store.list()
    if not views:
        print(t("No saved views in workspace {workspace} ({path} holds none). Save a view in "
                "the app with “Export or save this view” under the map on One map, or on the "
                "Hearing page; any view can be exported without saving it, with --query.",
                workspace=repr(data.ws.id), path=str(store.path)))
        return 0
    for i, v in enumerate(views, start=1):
        print(f"{i}. {v.title}\t{v.note}\t?" + "&".join(f"{k}={x}" for k, x in v.query.items()))
    return 0


def _pack(data, store, args) -> tuple[bytes, str, dict]:
    """The hearing pack, the view link it shows when it is one view, and what the audit
    line says of it (the saved views in it)."""
    from .pack import hearing_pack
    from .views_store import SavedView

    views = [store.get(args.view)] if args.view else store.list()
    if not views:
        # a pack of the default view, so a first run shows what a pack is
        c = _compose_checked(data, {}, what=t("the workspace's default view"),
                             nearest=args.nearest)
        print(t("note: no saved views in workspace {workspace}: the pack holds its default "
                "view ({title}). Save views on the Hearing page to choose the pages of the "
                "pack.", workspace=repr(data.ws.id), title=c.title), file=sys.stderr)
        views = [SavedView(title=c.title, query=c.vs.to_query(),
                           note=t("No views are saved for a hearing in this workspace yet: "
                                  "this is its default view."))]
        return (hearing_pack(data, views, size=args.size or "a4"),
                "?" + urlencode(c.vs.to_query()), {"default_view": True})
    failed: list[str] = []
    for sv in views:
        what = t("saved view {title}", title=repr(sv.title))
        try:
            _compose_checked(data, sv.query, what=what, nearest=args.nearest)
        except ViewMismatch as exc:
            failed.append(t("{what} cannot be drawn as asked: {problems}", what=exc.what,
                            problems="; ".join(exc.problems)))
        except Failure as exc:
            failed.append(str(exc).rstrip("."))
    if failed:
        raise Failure(tn("the hearing pack cannot be made as saved ({n} of {total} view): "
                         "{problems}. Nothing was written; fix or re-save that view on the "
                         "Hearing page, or add --nearest to draw the nearest valid view.",
                         "the hearing pack cannot be made as saved ({n} of {total} views): "
                         "{problems}. Nothing was written; fix or re-save those views on the "
                         "Hearing page, or add --nearest to draw the nearest valid views.",
                         len(failed), total=f"{len(views):,}", problems=" | ".join(failed)))
    link = "?" + urlencode(views[0].query) if len(views) == 1 else ""
    return (hearing_pack(data, views, size=args.size or "a4"), link,
            {"saved_views": [v.id for v in views]})


def _run(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:             # --help
        return exc.code if isinstance(exc.code, int) else 0
    from .views_store import ViewsError, store_for

    if not args.list and (not args.format or not args.out):
        raise UsageError(t("--format and --out are required (or use --list)"))
    if args.format == "pack" and args.query:
        raise UsageError(t("--query cannot make a pack; a pack is made of saved views (all of "
                           "them, or the one named with --view)"))
    if args.out is not None and args.out.is_dir():
        raise UsageError(t("--out {out} is a folder; expected a file name",
                           out=repr(str(args.out))))
    gate = access.CommandLineAccess.for_site()
    for msg in gate.warnings:
        warn(msg)
    data, ws_id = _open_workspace(args.workspace, gate)
    if args.lang is None:
        set_language(data.ws.language or None)
    store = store_for(data.ws)
    from .maps import frame_problems
    for msg in frame_problems(data):
        warn(msg)
    try:
        if args.list:
            return _list(data, store)
        if args.format == "pack":
            blob, link, detail = _pack(data, store, args)
        else:
            pre: list[str] = []
            detail = None
            if args.view:
                saved = store.get(args.view)
                params, title, note = saved.query, saved.title, saved.note
                what = t("saved view {title}", title=repr(saved.title))
                detail = {"saved_view": saved.id}
            else:
                params, pre = _parse_query(args.query or "")
                title, note = None, ""
                what = t("the view")
            c = _compose_checked(data, params, what=what, nearest=args.nearest, pre=pre)
            link = "?" + urlencode(c.vs.to_query())
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
        raise Failure(t("the {format} file cannot be made: {why}", format=args.format,
                        why=_one_line(exc))) from exc
    try:
        write_atomic(args.out, blob)
    except OSError as exc:
        raise Failure(t("cannot write {out}: {why}; nothing was written",
                        out=repr(str(args.out)), why=exc.strerror or str(exc))) from exc
    print(t("wrote {out} ({size} KB)", out=str(args.out), size=f"{len(blob) / 1024:,.0f}"))
    problem = gate.record("export", ws_id, args.out, view=link, detail=detail)
    if problem:
        warn(problem)
    if args.format != "pack":
        print(c.figures.line())        # the view's key figures, as One map shows them
    return 0


if __name__ == "__main__":
    sys.exit(main())
