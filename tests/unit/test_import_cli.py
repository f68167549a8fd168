"""The import command line: inspect, keys, save; then the export command line maps the result."""
from __future__ import annotations

import json

import pytest

from exports.cli import main as export_main
from geodata.readers.cli import main
from tests.fixtures.helpers import feature_collection
from tests.unit.test_import_load import POP, REGIONS, SPEND


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "spend.csv").write_bytes(SPEND.encode("gb18030"))
    (tmp_path / "pop.csv").write_text(POP, encoding="utf-8")
    (tmp_path / "provinces.geojson").write_text(
        json.dumps(feature_collection(REGIONS, id_field="code")), encoding="utf-8")
    return tmp_path


def test_inspect_proposes_the_layout_and_periods(files, capsys):
    assert main(["inspect", str(files / "spend.csv")]) == 0
    out = capsys.readouterr().out
    assert "Layout used: header_row = 3, header_rows = 1, skip_bottom = 1" in out
    assert "Period columns: 2022年 → 2022, 2021年 → 2021, 2020年 → 2020" in out


def test_keys_lists_unmatched_keys_and_proposals(files, capsys):
    assert main(["keys", str(files / "spend.csv"), "--boundaries",
                 str(files / "provinces.geojson")]) == 0
    out = capsys.readouterr().out
    assert "Rows matched: 0 of 3 (by area name); value not matched: 38,500.00" in out
    assert "proposal: '广西' → 450000 '广西壮族自治区' (suffix)" in out


def test_save_then_export_the_per_resident_map(files, capsys, monkeypatch):
    root = files / "root"
    code = main(["save", "--root", str(root), "--id", "transfers", "--title", "转移支付",
                 "--label", "省份", "--currency", "CNY", "--boundaries",
                 str(files / "provinces.geojson"),
                 "--table", f"file={files / 'spend.csv'} wide=auto scale=亿元 accept=unique",
                 "--table", f"file={files / 'pop.csv'} kind=population scale=万人 "
                            "accept=unique"])
    assert code == 0, capsys.readouterr().err
    assert "Saved workspace 'transfers'" in capsys.readouterr().out
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(root))
    out = files / "pc.csv"
    assert export_main(["-w", "transfers", "--query", "measure=per_capita&years=2022-2022",
                        "-f", "csv", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("440000,广东省,7110.689736")
    assert ",CNY per resident," in lines[1]


def test_bad_arguments_are_one_line_errors(files, capsys):
    assert main(["save", "--root", str(files / "r"), "--id", "x", "--title", "x",
                 "--boundaries", str(files / "provinces.geojson"),
                 "--table", f"file={files / 'spend.csv'} scael=亿元"]) == 1
    assert capsys.readouterr().err.strip() == \
        "error: --table: unknown key 'scael'; did you mean 'scale'?"
    assert main(["save", "--root", str(files / "r"), "--id", "x", "--title", "x",
                 "--boundaries", str(files / "provinces.geojson"),
                 "--table", f"file={files / 'spend.csv'} wide=auto scale=bushels"]) == 1
    assert "scale 'bushels' is not a unit or factor" in capsys.readouterr().err
    assert main(["keys", str(files / "spend.csv"), "--boundaries",
                 str(files / "nowhere.geojson")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not (files / "r").exists() or not any((files / "r").iterdir())


def test_lang_zh_prints_the_messages_in_chinese(files, capsys):
    import locales

    assert main(["--lang", "zh", "inspect", str(files / "spend.csv")]) == 0
    out = capsys.readouterr().out
    assert "采用的版式：header_row = 3, header_rows = 1, skip_bottom = 1" in out
    assert "建议：第 1-2 行像是标题（每行只有一个单元格有内容，例如 " \
           "'2020-2022年各地区一般公共预算转移支付'）；表头在第 3 行" in out
    assert "期间列：2022年 → 2022, 2021年 → 2021, 2020年 → 2020" in out
    assert locales.current() == "en"               # the run's language ends with the run
    assert main(["keys", str(files / "spend.csv"), "--boundaries",
                 str(files / "provinces.geojson"), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "已匹配的行数：0 / 3（按地区名称）；未匹配的数值：38,500.00" in out
    assert "建议：'广西' → 450000 '广西壮族自治区'（行政区划后缀）" in out
    assert main(["--lang", "zh", "save", "--root", str(files / "r"), "--id", "x", "--title",
                 "x", "--boundaries", str(files / "provinces.geojson"),
                 "--table", f"file={files / 'spend.csv'} scael=亿元"]) == 1
    assert capsys.readouterr().err.strip() == "错误：--table：未知的键 'scael'；您是否指 'scale'？"


def _save_args(files, wid: str) -> list[str]:
    return ["save", "--root", str(files / "root"), "--id", wid, "--title", "t",
            "--label", "省份", "--boundaries", str(files / "provinces.geojson"),
            "--table", f"file={files / 'spend.csv'} wide=auto scale=亿元 accept=unique"]


def test_under_sign_in_saving_needs_an_editor_role_and_is_audited(files, capsys, monkeypatch):
    from geodata import audit
    from geodata.access import os_identity
    from tests.unit.test_cli_access import AUTH

    (files / "secrets.toml").write_text(AUTH, encoding="utf-8")
    rules = files / "access.toml"
    rules.write_text("[site]\nviewer = [\"os:*\"]\n", encoding="utf-8")
    monkeypatch.setenv("FISCALMAP_SECRETS", str(files / "secrets.toml"))
    monkeypatch.setenv("FISCALMAP_ACCESS", str(rules))
    monkeypatch.setenv("FISCALMAP_AUDIT_LOG", str(files / "audit.jsonl"))
    login = os_identity().os_user
    assert main(_save_args(files, "refused")) == 1
    assert capsys.readouterr().err.strip() == (
        f"error: importing needs the editor role: this command runs as the operating-system "
        f"user, and the site's access rules give os:{login} no editor role")
    assert not (files / "root" / "refused").exists()
    rules.write_text(f"[site]\neditor = [\"os:{login}\"]\n", encoding="utf-8")
    assert main(_save_args(files, "allowed")) == 0, capsys.readouterr().err
    [line] = audit.read(audit.settings())[0]
    assert (line["action"], line["user"], line["workspace"]) == ("import", f"os:{login}",
                                                                  "allowed")
    assert line["file"] == str((files / "root" / "allowed").resolve())
    assert line["detail"] == {"tables": ["spend.csv"]}


def test_a_new_workspace_may_not_take_the_id_of_one_in_another_folder(files, capsys,
                                                                      monkeypatch):
    from tests.fixtures.helpers import BAD_WORKSPACE
    import shutil

    other = files / "official"
    shutil.copytree(BAD_WORKSPACE, other / "draft_budget")
    monkeypatch.setenv("FISCALMAP_WORKSPACES", str(other))
    # saved into another folder, the id would shadow the official workspace (its rules, saved
    # views and audit lines): refused, with the message a free folder name never gets
    assert main(_save_args(files, "draft_budget")) == 1
    assert capsys.readouterr().err.strip() == (
        "error: the workspace name 'draft_budget' is taken; choose another name (nothing was "
        "written)")
    assert not (files / "root" / "draft_budget").exists()
    # an id named only in the site's access file is taken too
    rules = files / "access.toml"
    rules.write_text("[workspaces.planned_2028]\npublic = false\n", encoding="utf-8")
    monkeypatch.setenv("FISCALMAP_ACCESS", str(rules))
    assert main(_save_args(files, "planned_2028")) == 1
    assert "'planned_2028' is taken" in capsys.readouterr().err
    assert main(_save_args(files, "free_name")) == 0
