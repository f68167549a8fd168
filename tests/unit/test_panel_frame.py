"""The panel table of the analyses (analysis.frames.panel_frame): one row per region and year,
each year's own money per resident and indicator, on a tiny workspace written here."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.frames import panel_frame, region_frame
from geodata.dataset import WorkspaceData
from geodata.workspace import load_manifest
from locales import use

#: Twelve square regions on a 4 × 3 grid; money 2020–2023, population counted in 2020 and
#: 2022, the score measured in 2020, 2021 and 2023 (none in 2022).
REGIONS = [f"{10001 + i}" for i in range(12)]
MONEY_YEARS = (2020, 2021, 2022, 2023)
SCORE_YEARS = (2020, 2021, 2023)
#: The region that does better than its money predicts, every year.
PLANTED = 4

MANIFEST = """
[workspace]
title = "Panel (test fixture)"
currency = "USD"
default_level = "county"

[[levels]]
id = "county"
label = "County"
file = "regions.geojson"
key = "id"
name = "name"

[[tables]]
id = "grants"
kind = "allocations"
level = "county"
file = "allocations.csv"
label = "Grants"
unit = "USD"
[tables.columns]
region_id = "region"
fiscal_year = "fy"
amount = "amount"

[[tables]]
id = "population"
kind = "population"
level = "county"
file = "population.csv"
[tables.columns]
region_id = "region"
year = "year"
population = "population"

[[tables]]
id = "score"
kind = "indicators"
level = "county"
file = "score.csv"
[tables.columns]
region_id = "region"
year = "year"
value = "score"
[tables.constants]
indicator = "Score"
unit = "points"
direction = "higher_is_better"

[[sources]]
name = "Hand-written test data"
publisher = "tests"
licence = "CC0"
files = ["regions.geojson", "allocations.csv", "population.csv", "score.csv"]
"""


def population(i: int, year: int) -> int:
    """Residents counted in 2020 and 2022; other years take the count before them."""
    return (1000 if year < 2022 else 2000) * (i + 1)


def money(i: int, year: int) -> float:
    """Money per resident of region i in a year."""
    return 10 + i + 3 * (year - 2020) + (7 * i + year) % 5


def score(i: int, year: int) -> float:
    return 50 + 2 * money(i, year) + (year - 2020) + 0.5 * ((3 * i + 5 * year) % 7 - 3) + \
        (10 if i == PLANTED else 0)


def tiny_workspace(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "workspace.toml").write_text(MANIFEST, encoding="utf-8")
    features = []
    for i, rid in enumerate(REGIONS):
        x, y = i % 4, i // 4
        ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
        features.append({"type": "Feature", "properties": {"id": rid, "name": f"Place {i}"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (root / "regions.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    alloc = ["region,fy,amount"] + [f"{rid},{y},{money(i, y) * population(i, y):.2f}"
                                    for i, rid in enumerate(REGIONS) for y in MONEY_YEARS]
    pop = ["region,year,population"] + [f"{rid},{y},{population(i, y)}"
                                        for i, rid in enumerate(REGIONS) for y in (2020, 2022)]
    sc = ["region,year,score"] + [f"{rid},{y},{score(i, y)}"
                                  for i, rid in enumerate(REGIONS) for y in SCORE_YEARS]
    for name, rows in (("allocations.csv", alloc), ("population.csv", pop),
                       ("score.csv", sc)):
        (root / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return WorkspaceData(load_manifest(tiny_workspace(tmp_path_factory.mktemp("panel"))))


KEYS = ["ind:Score", "money:grants", "population"]


def test_one_row_per_region_and_year(data):
    rf = panel_frame(data, "county", 2020, 2023, KEYS)
    assert rf.frame.shape == (48, 4)
    assert list(rf.frame.columns) == ["year", *KEYS]
    assert rf.years == (2020, 2021, 2022, 2023)
    assert rf.frame.index.name == "region_id"
    assert rf.frame.index.tolist()[:13] == REGIONS + [REGIONS[0]]
    assert rf.frame["year"].tolist()[:13] == [2020] * 12 + [2021]
    assert rf.labels == {"ind:Score": "Score", "money:grants": "Grants per resident",
                         "population": "Population"}
    assert rf.units == {"ind:Score": "points", "money:grants": "USD per resident",
                        "population": "residents"}
    assert rf.names[REGIONS[3]] == "Place 3"


def test_each_year_has_its_own_money_and_outcome(data):
    rf = panel_frame(data, "county", 2020, 2023, KEYS)
    row = rf.frame[(rf.frame.index == REGIONS[3]) & (rf.frame["year"] == 2021)].iloc[0]
    assert row["money:grants"] == pytest.approx(money(3, 2021))       # 19.0
    assert row["ind:Score"] == pytest.approx(score(3, 2021))
    assert row["population"] == 4000                                   # counted in 2020
    later = rf.frame[(rf.frame.index == REGIONS[3]) & (rf.frame["year"] == 2023)].iloc[0]
    assert later["money:grants"] == pytest.approx(money(3, 2023))
    assert later["population"] == 8000                                 # counted in 2022
    # a year's rows are that year's one-year table
    one = region_frame(data, "county", 2021, KEYS).frame
    pd.testing.assert_frame_equal(rf.frame[rf.frame["year"] == 2021][KEYS], one)


def test_a_year_without_the_indicator_is_missing_not_borrowed(data):
    rf = panel_frame(data, "county", 2020, 2023, KEYS)
    in_2022 = rf.frame[rf.frame["year"] == 2022]
    assert in_2022["ind:Score"].isna().all()
    assert in_2022["money:grants"].notna().all()
    assert [str(n) for n in rf.notes] == ["Score: no value in 2022; those rows are left out"]
    # the one-year table borrows the year before, and says so
    assert [str(n) for n in region_frame(data, "county", 2022, ["ind:Score"]).notes] == [
        "Score: no value for 2022; 2021 is used"]


def test_the_span_keeps_the_years_with_data(data):
    rf = panel_frame(data, "county", 2021, 2040, ["money:grants"])
    assert rf.years == (2021, 2022, 2023)
    assert len(rf.frame) == 36


def test_bad_spans_and_keys_are_refused(data):
    with pytest.raises(ValueError, match="the first year \\(2023\\) is after the last \\(2021\\)"):
        panel_frame(data, "county", 2023, 2021, KEYS)
    with pytest.raises(ValueError, match="no money or indicator at this level from 2030 to 2031"):
        panel_frame(data, "county", 2030, 2031, KEYS)
    with pytest.raises(ValueError, match="not a measure of this level: ind:nope"):
        panel_frame(data, "county", 2020, 2023, ["ind:nope"])


def test_notes_in_chinese(data):
    rf = panel_frame(data, "county", 2020, 2023, KEYS)
    with use("zh"):
        assert str(rf.notes[0]) == "Score：2022年无数据，相关行不纳入分析"
