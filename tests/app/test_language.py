"""The reader's language: a lang= link, the picker, the workspace's language, the browser's."""
from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

import locales
from tests.app.conftest import REPO, TIMEOUT, open_page


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_english_by_default_with_the_picker_in_the_sidebar():
    at = open_page("pages/sources.py")
    assert at.selectbox(key="lang").value == "en"
    assert at.selectbox(key="lang").label == "Language"
    assert "lang" not in at.query_params


def test_a_lang_link_opens_the_app_in_chinese_and_keeps_it():
    at = AppTest.from_file(str(REPO / "pages" / "sources.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "zh"
    _run(at)
    assert at.selectbox(key="lang").value == "zh"
    assert at.selectbox(key="lang").label == "语言 · Language"
    assert at.query_params["lang"] == "zh"
    # back to English by the picker: the link forgets the language again
    at.selectbox(key="lang").set_value("en")
    _run(at)
    assert at.selectbox(key="lang").label == "Language"
    assert "lang" not in at.query_params
    assert locales.current() == "en"


def test_a_lang_link_the_app_does_not_speak_is_reported():
    at = AppTest.from_file(str(REPO / "pages" / "one_map.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "fr"
    _run(at)
    assert at.selectbox(key="lang").value == "en"
    assert any("lang" in w.value and "fr" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_the_workspace_language_is_the_default(tmp_path, monkeypatch):
    src = REPO / "geodata" / "workspaces" / "boston_region"
    dst = tmp_path / "boston_zh"
    shutil.copytree(src, dst)
    manifest = dst / "workspace.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("[workspace]\n", '[workspace]\nlanguage = "zh"\n', 1),
                        encoding="utf-8")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(tmp_path))
    at = AppTest.from_file(str(REPO / "pages" / "sources.py"), default_timeout=TIMEOUT)
    at.session_state["ws"] = "boston_zh"
    _run(at)
    assert at.selectbox(key="lang").value == "zh"
    # a link in English wins over the workspace's language
    at2 = AppTest.from_file(str(REPO / "pages" / "sources.py"), default_timeout=TIMEOUT)
    at2.session_state["ws"] = "boston_zh"
    at2.query_params["lang"] = "en"
    _run(at2)
    assert at2.selectbox(key="lang").value == "en"
