"""Every download the app offers is recorded in the audit log: pages and ui/ offer files only
through ``ui.auth.download_button``, which records who took which file of which view."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from geodata import audit
from geodata.access import Identity
from ui import auth

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "ui" / "auth.py"
SOURCES = sorted(p for p in [*(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
                 if p != WRAPPER)
#: The files whose downloads go through the wrapper (at least these: a lint that looks at
#: nothing passes).
OFFER_DOWNLOADS = {"ui/one_map.py", "ui/per_capita_maps.py", "ui/exports_panel.py",
                   "ui/roads_tabs.py", "ui/hearing.py", "ui/audit_log.py",
                   "pages/data_quality.py", "pages/early_warning.py", "pages/scorecard.py"}


def _calls(path: Path) -> tuple[list[str], bool]:
    """Direct download buttons in a file (``x.download_button(``, a bare
    ``download_button(`` imported from Streamlit) and whether it calls the audited one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    direct, audited = [], False
    where = path.relative_to(ROOT)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit") \
                and any(a.name == "download_button" for a in node.names):
            direct.append(f"{where}:{node.lineno}: imports download_button from streamlit")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "download_button":
            if isinstance(func.value, ast.Name) and func.value.id == "auth":
                audited = True
            else:
                direct.append(f"{where}:{node.lineno}: {ast.unparse(func)}(")
        elif isinstance(func, ast.Name) and func.id == "download_button":
            direct.append(f"{where}:{node.lineno}: download_button(")
    return direct, audited


def test_no_page_offers_a_file_that_is_not_audited():
    direct = [line for path in SOURCES for line in _calls(path)[0]]
    assert direct == [], "use ui.auth.download_button(container, label, data, file_name=…, " \
                         "view=…) so that the download is recorded in the audit log"


def test_the_pages_that_offer_files_do_so_through_the_audited_button():
    audited = {str(p.relative_to(ROOT)) for p in SOURCES if _calls(p)[1]}
    assert OFFER_DOWNLOADS <= audited


def test_the_lint_sees_a_direct_download_button(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    bad = tmp_path / "page.py"
    bad.write_text("import streamlit as st\nfrom streamlit import download_button\n"
                   "st.download_button('x', b'1')\ncol = st.columns(2)[0]\n"
                   "col.download_button('y', b'2')\nauth.download_button(st, 'z', b'3',"
                   " file_name='z')\n", encoding="utf-8")
    direct, audited = _calls(bad)
    assert [d.split(": ", 1)[1] for d in direct] == [
        "imports download_button from streamlit", "st.download_button(",
        "col.download_button("]
    assert audited


# ------------------------------------------------------------------ the wrapper itself
class Container:
    """Stands in for ``st`` or a column: keeps what ``download_button`` was given."""

    def __init__(self):
        self.calls: list[tuple[tuple, dict]] = []

    def download_button(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return False


@pytest.fixture
def signed_in(tmp_path, monkeypatch):
    """Sign-in on, with alice signed in; the audit log in a temporary file."""
    log = tmp_path / "audit" / "audit.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(log))
    monkeypatch.setattr(auth, "enabled", lambda: True)
    monkeypatch.setattr(auth, "identity", lambda: Identity(email="alice@city.gov"))
    return audit.settings()


def test_a_file_made_on_click_is_recorded_when_it_is_made(signed_in):
    made = []

    def make() -> bytes:
        made.append(1)
        return b"png bytes"

    box = Container()
    auth.download_button(box, "PNG image", make, file_name="draft_budget_grants.png",
                         view="?ws=draft_budget&level=county", workspace="draft_budget",
                         mime="image/png", key="xp_png", width="stretch")
    ((args, kwargs),) = box.calls
    assert args[0] == "PNG image" and callable(args[1]) and args[1] is not make
    assert kwargs == {"file_name": "draft_budget_grants.png", "mime": "image/png",
                      "key": "xp_png", "width": "stretch", "on_click": "ignore"}
    assert audit.read(signed_in) == ([], 0)         # nothing recorded before the click

    assert args[1]() == b"png bytes" and made == [1]
    rows, bad = audit.read(signed_in)
    assert bad == 0 and len(rows) == 1
    line = rows[0]
    assert {k: line[k] for k in ("user", "workspace", "action", "view", "file")} == {
        "user": "alice@city.gov", "workspace": "draft_budget", "action": "export",
        "view": "?ws=draft_budget&level=county", "file": "draft_budget_grants.png"}
    assert line["time"].endswith("+00:00")


def test_bytes_are_recorded_by_the_click_callback(signed_in):
    box = Container()
    auth.download_button(box, "CSV", b"a,b\r\n", file_name="x.csv", view="?ws=w",
                         workspace="w", mime="text/csv", key="dl")
    ((args, kwargs),) = box.calls
    assert args == ("CSV", b"a,b\r\n")
    callback, cb_args, cb_kwargs = kwargs["on_click"], kwargs["args"], kwargs["kwargs"]
    assert audit.read(signed_in) == ([], 0)
    callback(*cb_args, **cb_kwargs)
    ((line,), bad) = audit.read(signed_in)
    assert {k: line[k] for k in ("user", "workspace", "action", "view", "file")} == {
        "user": "alice@city.gov", "workspace": "w", "action": "export", "view": "?ws=w",
        "file": "x.csv"}
