"""Messages: the catalogs cover the code, translations keep their fields, pages say nothing
that bypasses the catalogs."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import locales
from locales import N_, extract, normalise, t, tn, use

ROOT = Path(__file__).resolve().parents[2]


def test_normalise_language_tags():
    assert normalise("zh-CN") == "zh"
    assert normalise("zh_Hans_CN") == "zh"
    assert normalise("EN-us") == "en"
    assert normalise("fr-FR") is None
    assert normalise(None) is None
    assert normalise("") is None


def test_t_in_english_is_the_message_with_its_fields():
    with use("en"):
        assert t("{n} of {total}", n="3", total="51") == "3 of 51"
        assert tn("{n} region", "{n} regions", 1) == "1 region"
        assert tn("{n} region", "{n} regions", 2) == "2 regions"


def test_t_in_chinese_reads_the_catalog():
    with use("zh"):
        assert t("Total on the map") == "地图上的总额"
        assert t("Language") == "语言"
    with use("en"):
        assert t("Total on the map") == "Total on the map"


def test_use_restores_the_language_after_the_block():
    locales.set_language("en")
    with use("zh-TW"):
        assert locales.current() == "zh"
    assert locales.current() == "en"


def test_a_translation_with_wrong_fields_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(locales.catalog("zh"), "{n} apples", "{m} 个苹果")
    with use("zh"):
        assert t("{n} apples", n=3) == "3 apples"


def test_unknown_message_is_shown_in_english():
    with use("zh"):
        assert t("A sentence no catalog has") == "A sentence no catalog has"
    assert N_("x") == "x"


MESSAGES, MISUSED = extract.messages(ROOT)


def test_every_call_has_a_literal_message():
    assert [f"{m.path}:{m.line}: {m.why}" for m in MISUSED] == []


def test_every_message_has_a_chinese_translation():
    locales.reload()
    zh = locales.catalog("zh")
    missing = [f"{w[0].path}:{w[0].line}: {m!r}" for m, w in MESSAGES.items() if m not in zh]
    assert missing == [], f"{len(missing)} messages without a translation " \
                          "(python -m locales.extract --missing-po /tmp/missing.po)"


def test_translations_keep_the_fields_of_the_message():
    zh = locales.catalog("zh")
    wrong = [(m, zh[m]) for m in MESSAGES if m in zh
             and locales.placeholders(m) != locales.placeholders(zh[m])]
    assert wrong == []


def test_catalogs_do_not_translate_one_message_two_ways():
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in locales.catalog_files("zh"):
        with path.open("rb") as fh:
            for msg in read_po(fh, locale="zh"):
                if not msg.id or not msg.string:
                    continue
                if msg.id in seen and seen[msg.id][0] != msg.string:
                    clashes.append((msg.id, seen[msg.id][1], path.name))
                seen.setdefault(msg.id, (msg.string, path.name))
    assert clashes == []


# ------------------------------------------------------------- no literal text on the pages
WIDGETS = {"title", "header", "subheader", "caption", "markdown", "write", "info", "warning",
           "error", "success", "metric", "button", "download_button", "selectbox", "radio",
           "multiselect", "select_slider", "slider", "toggle", "checkbox", "text_input",
           "number_input", "text_area", "expander", "tabs", "segmented_control", "pills",
           "file_uploader", "link_button", "page_link", "popover", "form_submit_button",
           "status", "spinner", "toast", "date_input", "color_picker", "data_editor"}
WORDS = re.compile(r"[A-Za-z]{2,}")


def _literal_words(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_literal_words(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    return False


def _untranslated(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WIDGETS):
            continue
        args = list(node.args[:1]) + [k.value for k in node.keywords
                                      if k.arg in {"label", "help", "body", "placeholder",
                                                   "text", "caption"}]
        for a in args:
            if _literal_words(a):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


PAGE_FILES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pages_show_no_text_that_bypasses_the_catalogs(path):
    assert _untranslated(path) == []


# ------------------------------------------------------------- the workspace's language
def _manifest(tmp_path, language: str):
    from tests.fixtures.helpers import LEVEL_TOML, squares_geojson, write_geojson, write_workspace

    toml = LEVEL_TOML.replace('title = "Tiny"', f'title = "Tiny"\nlanguage = "{language}"')
    root = write_workspace(tmp_path / "ws", toml)
    write_geojson(root / "regions.geojson", squares_geojson(2))
    return root


def test_a_workspace_names_its_language(tmp_path):
    from geodata.workspace import load_manifest

    assert load_manifest(_manifest(tmp_path, "zh-CN")).language == "zh"


def test_a_language_the_app_lacks_is_a_manifest_problem(tmp_path):
    from geodata.workspace import ManifestError, load_manifest

    with pytest.raises(ManifestError) as err:
        load_manifest(_manifest(tmp_path, "fr"))
    assert "[workspace]: language 'fr' is not one of en, zh" in err.value.problems


def test_the_map_legend_names_the_unit_in_the_readers_language():
    import json

    import pandas as pd

    from layers.choropleth import build_choropleth
    from layers.map_payload import values_payload

    view = build_choropleth(["a", "b", "c"], pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"]),
                            title="Funding", unit="USD per resident", k=3,
                            subtitle="USD per resident")
    with use("zh"):
        assert json.loads(values_payload(view))["unit_label"] == "美元/人"
    with use("en"):
        assert json.loads(values_payload(view))["unit_label"] == "USD per resident"


def test_a_command_line_names_its_language_before_parsing():
    from locales import lang_in_argv

    assert lang_in_argv(["-w", "x", "--lang", "zh-CN", "-f", "png"]) == "zh"
    assert lang_in_argv(["inspect", "f.csv", "--lang=en"]) == "en"
    assert lang_in_argv(["--lang", "fr"]) is None
    assert lang_in_argv(["--lang"]) is None
    assert lang_in_argv(["-w", "x"]) is None
