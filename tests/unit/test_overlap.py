"""Overlapping funding (analysis/overlap.py): planted duplicates and near-misses on inline line
items, name normalisation, the shared id set aside, boilerplate purposes, windows and
tolerances, areas, exports in both languages, bad input, the [overlap] rules, and the counts
SOURCES.md gives for the NYC Council's FY2025-FY2026 awards."""
from __future__ import annotations

import importlib.util
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisError
from analysis.overlap import (OVERLAP_KEYS, OverlapRules, check_overlap, export_frames,
                              flagged_by_area, normalise_name, normalise_purpose,
                              read_line_items, rules_for_workspace, rules_from_manifest,
                              summary_lines)
from locales import use

ROOT = Path(__file__).resolve().parents[2]
CITY = "136400434"
BOILER = "This funding engages cultural programs and institutions to provide arts enrichment."

COLUMNS = ["award", "ein", "name", "member", "source", "year", "amount", "purpose", "zip"]
ROWS = [
    # planted duplicate: same EIN, amount, purpose, year; identical but for the award id
    ("A1", "133846431", "ACE Programs for the Homeless, Inc.", "Speaker", "Speaker's Initiative",
     "2026", "25000", "Job training for homeless adults.", "10001"),
    ("A2", "133846431", "ACE Programs for the Homeless, Inc.", "Speaker", "Speaker's Initiative",
     "2026", "25000", "Job training for homeless adults.", "10001"),
    # near-miss: same EIN and amount, another year
    ("A3", "133846431", "ACE Programs for the Homeless, Inc.", "Adams", "Local", "2025", "25000",
     "Neighbourhood clean-up crews.", "10001"),
    # near-miss: same amount and year, another EIN
    ("A4", "111111111", "Other Organisation", "Adams", "Local", "2026", "25000",
     "Something else entirely.", "10002"),
    # no id: the same organisation by its normalised name (misspelt suffix), same purpose text
    ("A5", "", "Wave Hill Incoporated", "Brewer", "Local", "2026", "5000",
     "Garden programmes in Council District 11.", "10471"),
    ("A6", "", "Wave Hill Incorporated", "Dinowitz", "Youth", "2026", "7500",
     "Garden programmes in council district 11", "10471"),
    # the same two spellings with different ids: different recipients, never paired
    ("A7", "222222222", "Wave Hill Incoporated", "Brewer", "Local", "2026", "3000",
     "Tours.", "10471"),
    ("A8", "333333333", "Wave Hill Incorporated", "Brewer", "Local", "2026", "3000", "Tours.",
     "10471"),
    # the City's own EIN: two different bodies with the same amount are not one recipient...
    ("A9", CITY, "Department of Education", "Speaker", "Speaker's Initiative", "2026", "10000",
     "School supplies.", ""),
    ("A10", CITY, "New York City Housing Authority", "Speaker", "Speaker's Initiative", "2026",
     "10000", "Tenant patrols.", ""),
    # ...but the same body twice is (by name)
    ("A11", CITY, "Department of Education", "Adams", "Local", "2026", "10000", "Arts class.",
     ""),
    # funded by two members and two programmes in FY2025, once in FY2026
    ("A12", "555555555", "Multi Funded Org", "Adams", "Local", "2025", "5000", "Seniors' lunch.",
     "10003"),
    ("A13", "555555555", "Multi Funded Org", "Brewer", "Aging", "2025", "6000", "Seniors' trips.",
     "10003"),
    ("A14", "555555555", "Multi Funded Org", "Brewer", "Aging", "2026", "6500", "Seniors' art.",
     "10003"),
]
# boilerplate: one purpose text for 6 recipients; recipient 444444441 gets it twice, amounts differ
for i in range(6):
    ROWS.append((f"B{i}", f"44444444{i}", f"Culture Group {i}", "", "CASA", "2026",
                 str(4000 + i), BOILER, "10004"))
ROWS.append(("B9", "444444441", "Culture Group 1", "", "CASA", "2026", "9000", BOILER, "10004"))


def frame(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype("string")


def rules(**kw) -> OverlapRules:
    base = dict(amount="amount", recipient_id="ein", recipient_id_label="EIN",
                recipient_id_width=9, recipient_name="name", funders=("member",),
                programme="source", period="year", purpose="purpose", award_id="award",
                location="zip", areas={"zip": "zip"}, exclude_ids=(CITY,),
                boilerplate_recipients=5, period_label="FY")
    base.update(kw)
    return OverlapRules(**base)


def pair_set(res) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for p in zip(res.pairs["award_a"], res.pairs["award_b"])}


# --------------------------------------------------------------------------- inline answers


def test_planted_duplicates_are_found_and_near_misses_are_not():
    res = check_overlap(frame(), rules())
    assert pair_set(res) == {("A1", "A2"), ("A5", "A6"), ("A11", "A9")}
    assert res.totals["pairs"] == 3
    assert res.totals["pair_awards"] == 6
    assert res.totals["pair_amount"] == 25000 * 2 + 5000 + 7500 + 10000 * 2


def test_each_pair_says_why_it_matched():
    with use("en"):
        res = check_overlap(frame(), rules())
    why = dict(zip(res.pairs["award_a"] + "-" + res.pairs["award_b"], res.pairs["why"]))
    assert why["A1-A2"] == ("same EIN 133846431, same amount $25,000, same purpose text, "
                            "identical in every other column, FY2026")
    assert why["A5-A6"] == "same name after normalisation: wave hill, same purpose text, FY2026"
    assert why["A9-A11"] == ("shared EIN 136400434 set aside; same name after normalisation: "
                             "department of education, same amount $10,000, FY2026")
    first = res.pairs.iloc[0]            # ranked by the money at issue
    assert (first["award_a"], first["amount_at_issue"], bool(first["identical"])) == \
        ("A1", 25000.0, True)
    assert list(res.pairs["matched_on"]) == ["id", "shared", "name"]
    assert res.totals["identical_pairs"] == 1


def test_names_only_match_when_the_id_is_missing():
    assert normalise_name("Wave Hill Incoporated") == normalise_name("Wave Hill Incorporated") \
        == normalise_name("Wave Hill, Inc.") == "wave hill"
    assert normalise_name("YWCA of Brooklyn, Inc., The") == "ywca of brooklyn"
    assert normalise_name("Imagine Foundation") == normalise_name("Imagine Foundation, Inc.")
    # A7 and A8 normalise to the same name but carry two different EINs: never a pair
    res = check_overlap(frame(), rules())
    assert ("A7", "A8") not in pair_set(res)
    # without the id column they are one recipient (same amount, same purpose, same year)
    res = check_overlap(frame(), rules(recipient_id=None))
    assert ("A7", "A8") in pair_set(res)


def test_name_steps_are_configuration():
    assert normalise_name("Wave Hill Incoporated", ("casefold",)) == "wave hill incoporated"
    res = check_overlap(frame(), rules(name_normalisation=("casefold",)))
    assert ("A5", "A6") not in pair_set(res)      # "incoporated" and "incorporated" differ now


def test_the_shared_city_ein_is_not_an_identity():
    res = check_overlap(frame(), rules())
    assert ("A10", "A9") not in pair_set(res) and ("A10", "A11") not in pair_set(res)
    # without setting it aside, the City's EIN makes every body one recipient
    res = check_overlap(frame(), rules(exclude_ids=()))
    assert {("A10", "A9"), ("A10", "A11"), ("A11", "A9")} <= pair_set(res)


def test_boilerplate_purpose_does_not_make_a_pair_alone():
    res = check_overlap(frame(), rules())
    assert ("B1", "B9") not in pair_set(res)          # same boilerplate, amounts differ
    assert list(res.boilerplate["purpose"]) == [BOILER]
    assert res.boilerplate["recipients"].tolist() == [6]
    # with a higher threshold the text is specific, and the two awards pair on it
    res = check_overlap(frame(), rules(boilerplate_recipients=6))
    assert ("B1", "B9") in pair_set(res)
    assert res.boilerplate.empty


def test_boilerplate_is_named_when_the_amount_matches():
    rows = ROWS + [("B10", "444444441", "Culture Group 1", "", "CASA", "2026", "4001", BOILER,
                    "10004")]
    with use("en"):
        res = check_overlap(frame(rows), rules())
    p = res.pairs[(res.pairs["award_a"] == "B1") & (res.pairs["award_b"] == "B10")].iloc[0]
    assert bool(p["same_purpose"]) and bool(p["boilerplate_purpose"])
    assert p["why"] == ("same EIN 444444441, same amount $4,001, same purpose text, but "
                        "boilerplate (written for 6 recipients), identical in every other "
                        "column, FY2026")


def test_recipients_funded_by_more_than_one_funder_or_programme():
    res = check_overlap(frame(), rules())
    m = res.multi_funded.set_index(["recipient_id", "period"])
    row = m.loc[("555555555", "FY2025")]
    assert (row["awards"], row["amount"], row["funders_n"], row["programmes_n"]) == \
        (2, 11000.0, 2, 2)
    assert row["funders"] == "Adams; Brewer" and row["programmes"] == "Aging; Local"
    assert ("555555555", "FY2026") not in m.index          # one award that year
    assert ("133846431", "FY2026") not in m.index          # two awards, one funder, one programme
    # Department of Education (City EIN, by name): Speaker + Adams, two programmes
    assert m.loc[(CITY, "FY2026"), "recipient_name"] == "Department of Education"
    assert m.loc[(CITY, "FY2026"), "matched_on"] == "shared"
    # ranked by money, largest first
    assert res.multi_funded["amount"].tolist() == sorted(res.multi_funded["amount"], reverse=True)
    assert res.totals["multi_funded"] == len(res.multi_funded) == 3


def test_amount_tolerance_and_date_window():
    rows = [("X1", "123456789", "Org", "M1", "P", "2026-01-05", "1000", "a", ""),
            ("X2", "123456789", "Org", "M2", "P", "2026-01-15", "1004", "b", ""),
            ("X3", "123456789", "Org", "M3", "P", "2026-02-20", "1000", "c", ""),
            ("X4", "123456789", "Org", "M4", "P", "not a date", "1000", "d", "")]
    f = pd.DataFrame(rows, columns=COLUMNS).rename(columns={"year": "date"})
    exact = rules(period=None, date="date", window_days=14, areas={})
    assert pair_set(check_overlap(f, exact)) == set()           # 1000 vs 1004; X3 too far
    tol = rules(period=None, date="date", window_days=14, amount_tolerance=5, areas={})
    with use("en"):
        res = check_overlap(f, tol)
    assert pair_set(res) == {("X1", "X2")}
    assert res.pairs["why"].iloc[0] == ("same EIN 123456789, amounts $1,000 and $1,004, within "
                                        "$5, same programme P, 10 day(s) apart")
    assert {str(e.reason): e.rows for e in res.excluded} == \
        {"no date in the form YYYY-MM-DD (left out of the pair check only)": 1}
    wide = rules(period=None, date="date", window_days=60, areas={})
    assert pair_set(check_overlap(f, wide)) == {("X1", "X3")}


def test_flagged_money_by_area_reconciles():
    res = check_overlap(frame(), rules())
    flags = flagged_by_area(res, "zip")
    v = flags.values
    assert v.loc["10001", "pair_awards"] == 2 and v.loc["10001", "pair_amount"] == 50000
    assert v.loc["10471", "pair_amount"] == 12500
    assert v.loc["10003", "multi_awards"] == 2 and v.loc["10003", "multi_amount"] == 11000
    assert flags.not_placed["pair_amount"] == 20000           # the City rows have no ZIP
    assert v["pair_amount"].sum() + flags.not_placed["pair_amount"] == res.totals["pair_amount"]
    assert v["multi_amount"].sum() + flags.not_placed["multi_amount"] == \
        res.totals["multi_funded_amount"]
    with pytest.raises(AnalysisError, match="no area column for level 'district'"):
        flagged_by_area(res, "district")


def test_exports_have_labels_in_the_readers_language():
    res = check_overlap(frame(), rules())
    with use("en"):
        en = export_frames(res, flagged_by_area(res, "zip"))
    assert list(en["pairs"].columns[:4]) == ["Recipient", "Recipient id", "Matched on", "Period"]
    assert "Why it matched" in en["pairs"].columns and "_a" not in en["pairs"].columns
    assert set(en) == {"recipients", "pairs", "boilerplate", "excluded", "areas"}
    with use("zh"):                      # a result made in English, read in Chinese
        zh = export_frames(res)
        lines = summary_lines(res)
        method = str(res.method)
    assert list(zh["pairs"].columns[:4]) == ["受助方", "受助方编号", "匹配依据", "期间"]
    assert zh["pairs"]["匹配理由"].iloc[0] == \
        "EIN相同（133846431），金额相同（25,000美元），用途说明相同，其余各列完全相同，FY2026"
    assert zh["pairs"]["除资助项目编号外完全相同"].iloc[0] == "是"
    assert lines[2] == "疑似重复资助项目对3对，涉及6个资助项目（82,500美元）；其中1对除资助项目编号外完全相同。"
    assert method.startswith("受助方按EIN（ein列）匹配；")
    assert "用于超过5个受助方的用途说明视为通用模板" in method


def test_method_states_rules_and_parameters():
    with use("en"):
        text = str(check_overlap(frame(), rules()).method)
    assert "matched by EIN (column ein)" in text
    assert "by the name in name after normalisation (letter case, punctuation, legal suffixes" \
        in text
    assert "more than 5 recipients is boilerplate" in text
    assert "same amount or the same purpose text" in text


# --------------------------------------------------------------------------- bad input


def test_no_recipient_column_is_refused_with_what_it_needs():
    f = frame().drop(columns=["ein", "name"])
    with pytest.raises(AnalysisError) as err:
        check_overlap(f, rules())
    assert "needs a recipient column: a recipient id (such as an EIN) or a recipient name" \
        in str(err.value)
    assert "award, member, source" in str(err.value)
    with pytest.raises(AnalysisError, match="needs a recipient column"):
        check_overlap(frame(), rules(recipient_id=None, recipient_name=None))


def test_no_amount_column_empty_table_and_missing_columns_are_refused():
    with pytest.raises(AnalysisError, match="needs an amount column"):
        check_overlap(frame().drop(columns=["amount"]), rules())
    with pytest.raises(AnalysisError, match="empty"):
        check_overlap(frame().iloc[:0], rules())
    with pytest.raises(AnalysisError, match="Column\\(s\\) purpose named in the overlap rules"):
        check_overlap(frame().drop(columns=["purpose"]), rules())


def test_unreadable_amounts_are_counted_and_left_out():
    f = frame()
    f.loc[0, "amount"] = "n/a"
    f.loc[1, "amount"] = "1234,56"
    f.loc[3, "amount"] = ""
    with use("en"):
        res = check_overlap(f, rules())
    ex = {str(e.reason): e.rows for e in res.excluded}
    assert ex == {"the amount could not be read": 2, "no amount": 1}
    assert res.n_excluded == 3
    assert res.totals["rows_checked"] == len(f) - 3
    assert ("A1", "A2") not in pair_set(res)
    assert any("could not be read and are left out: not a number (e.g. 'n/a')" in p
               for p in res.problems)
    f["amount"] = "abc"
    with pytest.raises(AnalysisError, match="No amount in the column amount could be read"):
        check_overlap(f, rules())


def test_rules_that_match_everything_are_refused():
    rows = [(f"Z{i}", "999999999", "Org", "M", "P", "2026", "5000", "x", "") for i in range(60)]
    with pytest.raises(AnalysisError, match="would compare 1,770 pairs"):
        check_overlap(pd.DataFrame(rows, columns=COLUMNS), rules(), max_pairs=1000)


def test_ids_that_lost_their_leading_zeros_are_padded():
    rows = [("P1", "10679652", "Org A", "M", "P", "2026", "100", "x", ""),
            ("P2", "010679652", "Org A", "M", "P", "2026", "100", "y", ""),
            ("P3", "10679652.0", "Org A", "M", "P", "2026", "100", "z", "")]
    res = check_overlap(pd.DataFrame(rows, columns=COLUMNS), rules(areas={}))
    assert pair_set(res) == {("P1", "P2"), ("P1", "P3"), ("P2", "P3")}
    assert set(res.pairs["recipient_id"]) == {"010679652"}
    assert any("2 recipient id(s) shorter than 9 digits were left-padded" in p
               for p in res.problems)


# --------------------------------------------------------------------------- the [overlap] rules


def test_rules_from_manifest_reads_and_checks_the_section():
    section = {"table": "awards", "amount": "amount", "recipient_id": "ein",
               "funders": "member", "window_days": 30, "areas": {"zip": "zip"},
               "exclude_ids": [CITY], "name_normalisation": ["casefold", "accents"]}
    r, problems = rules_from_manifest(section, currency="USD", level_ids=["zip"])
    assert problems == []
    assert (r.funders, r.window_days, r.area_columns, r.name_normalisation) == \
        (("member",), 30, {"zip": "zip"}, ("casefold", "accents"))
    r, problems = rules_from_manifest({"amount": "a", "recipient_id": "e", "program": "x",
                                       "window_days": -1, "name_normalisation": ["stem"],
                                       "areas": {"ward": "w"}}, level_ids=["zip"])
    text = " | ".join(problems)
    assert "`program`: unknown key in [overlap]; did you mean `programme`?" in text
    assert "'window_days' must be a whole number from 0 to 36,600, got -1" in text
    assert "unknown name normalisation step(s) stem" in text
    assert "'areas' names level 'ward'" in text
    r, problems = rules_from_manifest({"amount": "a"})
    assert r is None and any("name the recipient" in p for p in problems)


def test_rules_for_workspace_check_the_table(nyc):
    from geodata.workspace import discover_workspaces, load_manifest

    ws = load_manifest(discover_workspaces()["nyc_council"])
    bad = replace(ws, settings={"overlap": {**_nyc_section(), "table": "awards"}})
    r, problems = rules_for_workspace(bad)
    assert r is None
    assert problems == ["[overlap]: table 'awards' is not one of the tables (awards_district, "
                        "awards_zip, population_zip)"]
    assert rules_for_workspace(replace(ws, settings={})) == (None, [])


# --------------------------------------------------------------------------- the NYC awards


def _nyc_section() -> dict:
    spec = importlib.util.spec_from_file_location("build_nyc_workspace",
                                                  ROOT / "tools" / "build_nyc_workspace.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return tomllib.loads(mod.OVERLAP_SECTION)["overlap"]


@pytest.fixture(scope="module")
def nyc():
    from geodata.workspace import discover_workspaces, load_manifest

    path = discover_workspaces().get("nyc_council")
    if path is None:
        pytest.skip("nyc_council workspace not present")
    ws = load_manifest(path)
    if "overlap" not in ws.settings:     # until the manifest format has an [overlap] section
        ws = replace(ws, settings={**ws.settings, "overlap": _nyc_section()})
    r, problems = rules_for_workspace(ws)
    assert problems == []
    assert (r.table, r.period_label, r.unit) == ("awards_district", "FY", "USD")
    items, _ = read_line_items(ws, r)
    return items, r, check_overlap(items, r)


def test_nyc_section_uses_only_known_keys():
    assert set(_nyc_section()) <= set(OVERLAP_KEYS)


def test_nyc_counts_of_sources_md(nyc):
    """SOURCES.md (recipient = EIN, the City's EIN left out): recipients funded by more than
    one council member 1,061 / 1,093, by three or more 649 / 667, by more than one programme
    1,267 / 1,297."""
    _, _, res = nyc
    m = res.multi_funded[res.multi_funded["matched_on"] == "id"]
    got = {fy: (int((g["funders_n"] > 1).sum()), int((g["funders_n"] >= 3).sum()),
                int((g["programmes_n"] > 1).sum())) for fy, g in m.groupby("period")}
    assert got == {"FY2025": (1061, 649, 1267), "FY2026": (1093, 667, 1297)}


def test_nyc_rows_identical_except_the_mocs_id(nyc):
    """77 awards in FY2025 and 72 in FY2026 (the City's EIN aside) are identical to another
    award but for the MOCS ID."""
    _, _, res = nyc
    p = res.pairs[res.pairs["identical"] & (res.pairs["matched_on"] == "id")]
    got = {fy: len(set(g["award_a"]) | set(g["award_b"])) for fy, g in p.groupby("period")}
    assert got == {"FY2025": 77, "FY2026": 72}
    ex = p[(p["award_a"] == "FY26 01856") & (p["award_b"] == "FY26 10440")].iloc[0]
    assert ex["funder_a"] == "Speaker" and ex["amount_at_issue"] == 25000
    assert ex["recipient_name"].startswith("Edith and Carl Marks")


def test_nyc_recipients_and_awards_per_year(nyc):
    """Rows 10,490 / 10,960, recipients 2,220 / 2,310, recipients with more than one award
    1,384 / 1,426 (the City's EIN aside)."""
    items, r, res = nyc
    it = res.items[~items["ein"].eq(CITY).to_numpy()]
    got = {}
    for period, g in it.groupby("period"):
        per_key = g.groupby("key").size()
        got[period] = (len(g), len(per_key), int((per_key > 1).sum()))
    assert sorted(got.values()) == [(10490, 2220, 1384), (10960, 2310, 1426)]
    assert res.totals["amount"] == 595_181_182 + 716_213_155


def test_nyc_examples_of_sources_md(nyc):
    """ACE Programs for the Homeless (133846431), FY2026: 68 awards, 44 members, 6 programmes,
    $8.17M; Met Council on Jewish Poverty (132738818): 90 awards, 33 members, 14 programmes,
    $5.28M."""
    _, _, res = nyc
    m = res.multi_funded.set_index(["recipient_id", "period"])
    ace, met = m.loc[("133846431", "FY2026")], m.loc[("132738818", "FY2026")]
    assert (ace["awards"], ace["funders_n"], ace["programmes_n"]) == (68, 44, 6)
    assert round(ace["amount"] / 1e6, 2) == 8.17
    assert (met["awards"], met["funders_n"], met["programmes_n"]) == (90, 33, 14)
    assert round(met["amount"] / 1e6, 2) == 5.28


def test_nyc_city_bodies_are_matched_by_name(nyc):
    items, _, res = nyc
    city = items["ein"].eq(CITY).to_numpy()
    assert city.sum() == 1587
    assert res.items.loc[city, "key"].nunique() == 73
    with use("en"):
        assert "1,587 line item(s) have no usable recipient id" in " ".join(res.problems)


def test_nyc_flagged_money_by_district_and_zip_area_reconciles(nyc):
    _, _, res = nyc
    for level in ("district", "zip"):
        flags = flagged_by_area(res, level)
        total = flags.values["pair_amount"].sum() + flags.not_placed["pair_amount"]
        assert total == pytest.approx(res.totals["pair_amount"], abs=0.005)
    assert set(flagged_by_area(res, "district").values.index) <= {str(d) for d in range(1, 52)}


def test_purpose_texts_are_compared_with_one_rule_for_a_column_or_a_text():
    from analysis.overlap import _purpose_keys

    texts = ["Garden programmes in Council District 11.", "garden  programmes in council "
             "district 11", "Café—Déjà vu!", "中文 用途，说明。", "tab\tand\nnew line",
             "snake_case stays", "  (2025) "]
    assert list(_purpose_keys(np.array(texts, dtype=object))) == \
        [normalise_purpose(x) for x in texts] == \
        ["garden programmes in council district 11", "garden programmes in council district 11",
         "café déjà vu", "中文 用途 说明", "tab and new line", "snake_case stays", "2025"]
