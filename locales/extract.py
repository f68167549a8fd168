"""The messages of the code, and what the catalogs lack.

``python -m locales.extract`` reads every ``t("…")``, ``tn("…", "…", n)`` and ``N_("…")`` in
the app's Python files, writes the template ``locales/fiscalmap.pot`` and lists the messages
that have no Chinese translation yet (exit 1 when there are any). ``--missing-po FILE`` also
writes those messages to a .po file (empty translations) to fill in.
"""
from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where user-facing messages live (tests and tools speak to developers only).
SOURCE_DIRS = ("pages", "ui", "layers", "exports", "geodata", "performance", "analysis", "locales")
SOURCE_FILES = ("app.py",)
FUNCS = {"t": 1, "tn": 2, "N_": 1}


@dataclass(frozen=True)
class Found:
    msgid: str
    path: str
    line: int


@dataclass(frozen=True)
class Misuse:
    path: str
    line: int
    why: str


def source_files(root: Path = ROOT) -> list[Path]:
    files = [root / f for f in SOURCE_FILES if (root / f).exists()]
    for d in SOURCE_DIRS:
        files += sorted(p for p in (root / d).rglob("*.py") if "workspaces" not in p.parts)
    return files


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id in {"locales", "i18n"}:
        return func.attr
    return None


def scan(path: Path, root: Path = ROOT) -> tuple[list[Found], list[Misuse]]:
    """Messages in one file, and calls whose message is not a literal (cannot be translated)."""
    rel = str(path.relative_to(root))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found, bad = [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name not in FUNCS or rel == "locales/__init__.py":
            continue
        args = node.args[:FUNCS[name]]
        for a in args:
            if isinstance(a, ast.Constant) and isinstance(a.value, str):
                found.append(Found(a.value, rel, node.lineno))
            elif name != "t" or not _is_lookup(a):
                bad.append(Misuse(rel, node.lineno, f"{name}() of {type(a).__name__}, not a "
                                                    "literal string"))
    return found, bad


def _is_lookup(a: ast.expr) -> bool:
    """t(LABELS[key]), t(spec.label_msg), t(x): a message marked with N_ elsewhere."""
    return isinstance(a, (ast.Subscript, ast.Name, ast.Attribute, ast.Call, ast.IfExp))


def messages(root: Path = ROOT) -> tuple[dict[str, list[Found]], list[Misuse]]:
    out: dict[str, list[Found]] = {}
    bad: list[Misuse] = []
    for p in source_files(root):
        f, b = scan(p, root)
        bad += b
        for m in f:
            out.setdefault(m.msgid, []).append(m)
    return out, bad


def _po_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\t", "\\t") + '"'


def write_po(path: Path, msgs: dict[str, list[Found]], *, header: str) -> None:
    lines = [header, 'msgid ""', 'msgstr ""',
             '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for msgid, where in sorted(msgs.items(), key=lambda kv: (kv[1][0].path, kv[1][0].line)):
        lines += [f"#: {w.path}:{w.line}" for w in where[:3]]
        lines += [f"msgid {_po_quote(msgid)}", 'msgstr ""', ""]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    from . import catalog, reload

    ap = argparse.ArgumentParser(prog="python -m locales.extract", description=__doc__.split("\n\n")[0])
    ap.add_argument("--missing-po", type=Path, help="write the untranslated messages here")
    args = ap.parse_args(argv)
    msgs, bad = messages()
    write_po(ROOT / "locales" / "fiscalmap.pot", msgs,
             header="# Messages of the fiscal map dashboard (template; English is the source).")
    reload()
    zh = catalog("zh")
    missing = {m: w for m, w in msgs.items() if m not in zh}
    for b in bad:
        print(f"{b.path}:{b.line}: {b.why}")
    for m, w in missing.items():
        print(f"{w[0].path}:{w[0].line}: no Chinese translation: {m!r}")
    if args.missing_po and missing:
        write_po(args.missing_po, missing, header="# Messages still to translate.")
    print(f"{len(msgs)} messages, {len(missing)} without a Chinese translation, "
          f"{len(bad)} calls with no literal message", file=sys.stderr)
    return 1 if missing or bad else 0


if __name__ == "__main__":
    sys.exit(main())
