"""Batch export without starting the app.

Examples::

    python -m exports.cli --workspace us_federal --view "Unemployment 2009" --format png --out u.png
    python -m exports.cli --workspace us_federal --query "level=county&measure=indicator" \\
        --format pdf --out county.pdf
    python -m exports.cli --workspace us_federal --format pack --out hearing.pdf
    python -m exports.cli --workspace us_federal --list

Exit status: 0 written, 1 nothing written (a message on stderr says why), 2 bad arguments.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from geodata.files import write_atomic

FORMATS = ("png", "svg", "pdf", "pack", "html", "csv", "geojson", "xlsx")


def _parse_query(text: str) -> dict[str, str]:
    """A query string, or a whole view link (anything after '?')."""
    text = text.strip()
    if "?" in text or text.startswith(("http://", "https://")):
        text = urlsplit(text).query or text.split("?", 1)[-1]
    return dict(parse_qsl(text.lstrip("?"), keep_blank_values=False))


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
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
    return ap


def _open_workspace(arg: str):
    from geodata.dataset import WorkspaceData
    from geodata.workspace import ManifestError, discover_workspaces, load_manifest

    path = Path(arg)
    if not (path / "workspace.toml").exists():
        found = discover_workspaces()
        if arg not in found:
            raise SystemExit(f"error: no workspace {arg!r}; known: {', '.join(sorted(found))}")
        path = Path(found[arg])
    try:
        return WorkspaceData(load_manifest(path))
    except ManifestError as exc:
        raise SystemExit(f"error: workspace {arg!r} cannot be opened:\n{exc}") from None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .compose import compose
    from .views_store import ViewsError, store_for

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
        if not args.format or not args.out:
            print("error: --format and --out are required (or use --list)", file=sys.stderr)
            return 2
        if args.format == "pack":
            from .pack import hearing_pack
            views = store.list()
            if args.view:
                views = [store.get(args.view)]
            if not views:
                print(f"error: no saved views in {data.ws.id!r}; save some on the Hearing page "
                      "first", file=sys.stderr)
                return 1
            blob = hearing_pack(data, views, size=args.size or "a4")
        else:
            if args.view:
                saved = store.get(args.view)
                params, title, note = saved.query, saved.title, saved.note
            else:
                params, title, note = _parse_query(args.query or ""), None, ""
            c = compose(data, params)
            for msg in c.ignored:
                print(f"warning: ignored {msg}", file=sys.stderr)
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
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_atomic(args.out, blob)
    print(f"wrote {args.out} ({len(blob) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
