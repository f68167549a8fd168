"""Saving an imported workspace: files copied (never changed), manifest written, atomic."""
from __future__ import annotations

import tomllib

import pandas as pd
import pytest

from geodata.readers.draft import (LevelDraft, SaveError, TableDraft, WorkspaceDraft,
                                   manifest_dict, save_workspace, slug)
from tests.fixtures.helpers import squares_geojson, write_geojson


def _draft(tmp_path, **table_kw) -> WorkspaceDraft:
    src = tmp_path / "src"
    b = write_geojson(src / "my regions.geojson", squares_geojson(2))
    t = src / "spend.csv"
    t.write_text("name,2022年,2023年\nAlpha,1,2\n", encoding="utf-8")
    level = LevelDraft(id="province", label="Province", source=b, key="id", name="name",
                       label_plural="Provinces", years=(2015, None),
                       original_name="my regions.geojson")
    table = TableDraft(id="spend", kind="allocations", level="province", source=t,
                       columns={"region_name": "name"}, wide_columns=["2022年", "2023年"],
                       scale="亿元", original_name="spend.csv", **table_kw)
    return WorkspaceDraft(title="Transfers", currency="CNY", levels=[level], tables=[table])


def test_manifest_dict_names_every_choice(tmp_path):
    d = manifest_dict(_draft(tmp_path, header_row=3, skip_bottom=1), retrieved="2026-12-01")
    assert d["workspace"] == {"title": "Transfers", "currency": "CNY",
                              "default_level": "province"}
    assert d["levels"] == [{"id": "province", "label": "Province",
                            "file": "data/my_regions.geojson", "key": "id", "name": "name",
                            "label_plural": "Provinces", "years": [2015]}]
    t = d["tables"][0]
    assert {k: t[k] for k in ("header_row", "skip_bottom", "wide_columns", "amount_scale",
                              "columns")} == {
        "header_row": 3, "skip_bottom": 1, "wide_columns": ["2022年", "2023年"],
        "amount_scale": "亿元", "columns": {"region_name": "name"}}
    assert "decimal" not in t and "header_rows" not in t
    assert [s["files"] for s in d["sources"]] == [["data/my_regions.geojson"],
                                                  ["data/spend.csv"]]


def test_save_copies_files_and_the_manifest_loads(tmp_path):
    cw = pd.DataFrame({"from": ["广东"], "to": ["Alpha"], "rule": ["suffix"]})
    draft = _draft(tmp_path, crosswalk=cw)
    before = draft.tables[0].source.read_bytes()
    steps: list[str] = []
    ws = save_workspace(draft, tmp_path / "root", "transfers", progress=steps.append)
    assert ws.id == "transfers" and ws.currency == "CNY"
    assert ws.table("spend").crosswalk == tmp_path / "root" / "transfers" / "data" / \
        "spend_crosswalk.csv"
    assert ws.table("spend").crosswalk.read_text() == "from,to,rule\n广东,Alpha,suffix\n"
    assert draft.tables[0].source.read_bytes() == before          # the user's file untouched
    assert (ws.path / "data" / "spend.csv").read_bytes() == before
    assert tomllib.loads((ws.path / "workspace.toml").read_text())["tables"][0]["crosswalk"] == \
        "data/spend_crosswalk.csv"
    assert steps[-1] == "Saved" and any(s.startswith("Copying") for s in steps)
    assert [p.name for p in (tmp_path / "root").iterdir()] == ["transfers"]  # no temp left


def test_save_refuses_an_existing_workspace_and_leaves_it(tmp_path):
    root = tmp_path / "root"
    save_workspace(_draft(tmp_path), root, "transfers")
    stamp = (root / "transfers" / "workspace.toml").read_bytes()
    with pytest.raises(SaveError, match="is taken; choose another name"):
        save_workspace(_draft(tmp_path), root, "transfers")
    assert (root / "transfers" / "workspace.toml").read_bytes() == stamp
    assert sorted(p.name for p in root.iterdir()) == ["transfers"]


@pytest.mark.parametrize("wid", ["../x", "", "a b", "x" * 65, ".hidden"])
def test_save_refuses_bad_folder_names(tmp_path, wid):
    with pytest.raises(SaveError, match="not a usable workspace name"):
        save_workspace(_draft(tmp_path), tmp_path / "root", wid)
    assert not (tmp_path / "root").exists() or not any((tmp_path / "root").iterdir())


def test_a_draft_whose_manifest_would_not_load_leaves_nothing(tmp_path):
    draft = _draft(tmp_path)
    draft.tables[0].scale = "bushels"
    with pytest.raises(SaveError, match="would not open: .*'amount_scale' = 'bushels'"):
        save_workspace(draft, tmp_path / "root", "transfers")
    assert list((tmp_path / "root").iterdir()) == []


def test_slug():
    assert slug("Provincial transfers 2020-2024") == "provincial_transfers_2020-2024"
    assert slug("省级转移支付") == "workspace"
