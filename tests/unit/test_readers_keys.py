"""Region keys against a boundary layer: exact matches counted with their amounts, one named
rule per proposal (never a choice among several regions), and crosswalks kept as files."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import geodata.load
from geodata.readers.keys import (RULES, apply_crosswalk, crosswalk_frame, match_keys, propose,
                                  read_crosswalk)

COUNTIES = pd.DataFrame({
    "region_id": ["01001", "01003", "01129", "53173", "35013", "29189", "36061", "13089",
                  "02110", "06037", "48201"],
    "name": ["Autauga County", "Baldwin County", "Washington County", "Washington County",
             "Doña Ana County", "St. Louis County", "New York", "DeKalb County",
             "Juneau City and Borough", "Los Angeles County", "Harris County"],
})
PROVINCES = pd.DataFrame({
    "region_id": ["440000", "450000", "110000", "810000", "650000", "150000", "640000"],
    "name": ["广东省", "广西壮族自治区", "北京市", "香港特别行政区", "新疆维吾尔自治区",
             "内蒙古自治区", "宁夏回族自治区"],
})


def one(frame: pd.DataFrame, key: str) -> dict:
    rows = frame[frame["key"] == key]
    assert len(rows) == 1, (key, frame)
    return rows.iloc[0].to_dict()


def proposed(keys, regions=COUNTIES, by="name", **kw) -> dict[str, tuple]:
    out = propose(keys, regions, by=by, **kw)
    return {r.key: (None if pd.isna(r.region_id) else r.region_id, r.rule, r.candidates)
            for r in out.itertuples()}


# --------------------------------------------------------------------------- exact matching

def test_match_by_id_counts_rows_and_amounts():
    keys = pd.Series(["01001", "01001", " 01003 ", "1001", "99999", "", None, "null", "01129"])
    amounts = pd.Series([10.0, 5.0, 2.5, 7.0, 100.0, 1.0, 2.0, 4.0, np.nan])
    m = match_keys(keys, COUNTIES, amounts=amounts, by="id")
    assert (m.by, m.rows, m.matched_rows, m.blank_rows) == ("id", 9, 4, 3)
    assert (m.matched_amount, m.unmatched_amount, m.blank_amount) == (17.5, 107.0, 7.0)
    assert m.unmatched.to_dict("records") == [{"key": "99999", "rows": 1, "amount": 100.0},
                                              {"key": "1001", "rows": 1, "amount": 7.0}]
    assert m.region_ids.tolist() == ["01001", "01001", "01003", pd.NA, pd.NA, pd.NA, pd.NA,
                                     pd.NA, "01129"]
    assert one(m.proposals, "1001")["region_id"] == "01001"


def test_match_by_name_folds_case_and_spaces_only():
    keys = pd.Series(["Autauga County", "AUTAUGA  COUNTY", " autauga county", "Autauga",
                      "Harris County", "Nowhere"], index=[5, 6, 7, 8, 9, 10])
    m = match_keys(keys, COUNTIES, amounts=pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                                                     index=keys.index), by="name")
    assert (m.matched_rows, m.matched_amount, m.unmatched_amount) == (4, 11.0, 10.0)
    assert m.unmatched["key"].tolist() == ["Nowhere", "Autauga"]
    assert m.region_ids.index.equals(keys.index)
    assert m.region_ids.tolist()[:5] == ["01001"] * 3 + [pd.NA, "48201"]


def test_match_keys_uses_the_normalise_name_of_the_loader(monkeypatch):
    calls = []
    real = geodata.load.normalise_name
    monkeypatch.setattr(geodata.load, "normalise_name", lambda s: calls.append(s) or real(s))
    match_keys(pd.Series(["Autauga County"] * 50_000 + ["Baldwin"] * 50_000), COUNTIES,
               by="name")
    assert calls, "normalise_name from geodata.load is not used"
    # Once per region and a few times per distinct key, never once per row.
    assert len(calls) < 100


def test_auto_takes_the_side_that_matches_more_rows_and_ids_on_a_tie():
    names = pd.Series(["Autauga County", "Baldwin County", "01001"])
    m = match_keys(names, COUNTIES)
    assert (m.by, m.matched_rows) == ("name", 2)
    assert one(m.proposals, "01001")["rule"] == "id or name"
    tie = match_keys(pd.Series(["Autauga County", "01003"]), COUNTIES)
    assert (tie.by, tie.matched_rows) == ("id", 1)
    assert one(tie.proposals, "Autauga County")["region_id"] == "01001"


def test_unmatched_largest_amount_first_without_amounts_by_rows():
    keys = pd.Series(["a", "b", "b", "c", "c", "c"])
    m = match_keys(keys, COUNTIES, amounts=pd.Series([-50.0, 1.0, 1.0, 1.0, 1.0, 1.0]))
    assert m.unmatched["key"].tolist() == ["a", "c", "b"]          # |−50| is the largest
    m = match_keys(keys, COUNTIES)
    assert m.unmatched[["key", "rows"]].values.tolist() == [["c", 3], ["b", 2], ["a", 1]]
    assert (m.matched_amount, m.unmatched_amount) == (0.0, 0.0)


def test_match_keys_refuses_bad_arguments():
    with pytest.raises(ValueError, match="by must be"):
        match_keys(pd.Series(["x"]), COUNTIES, by="both")
    with pytest.raises(ValueError, match="amounts"):
        match_keys(pd.Series(["x"]), COUNTIES, amounts=pd.Series([1.0, 2.0]))
    with pytest.raises(ValueError, match="region_id and name"):
        match_keys(pd.Series(["x"]), COUNTIES.rename(columns={"name": "NAME"}))


def test_empty_and_all_blank_keys():
    m = match_keys(pd.Series([], dtype="string"), COUNTIES)
    assert (m.rows, m.matched_rows, len(m.unmatched), len(m.proposals)) == (0, 0, 0, 0)
    m = match_keys(pd.Series([None, " ", "NA"]), COUNTIES, amounts=pd.Series([1.0, 2.0, 3.0]))
    assert (m.blank_rows, m.blank_amount, m.matched_rows) == (3, 6.0, 0)
    assert list(m.proposals.columns) == ["key", "region_id", "name", "rule", "rows", "amount",
                                         "candidates", "also_matched", "choices"]


# --------------------------------------------------------------------------- proposal rules

def test_rules_are_named_in_order():
    assert RULES == ("same name", "case and spaces", "leading zeros", "suffix", "accents",
                     "id or name")


def test_same_name_shared_by_two_regions_is_listed_not_chosen():
    m = match_keys(pd.Series(["Washington County", "Baldwin County"]), COUNTIES, by="name")
    assert m.matched_rows == 1
    p = one(m.proposals, "Washington County")
    assert (p["rule"], p["candidates"]) == ("same name", 2) and pd.isna(p["region_id"])
    assert p["choices"] == "01129 Washington County; 53173 Washington County"
    assert "Baldwin County" not in set(m.proposals["key"])


def test_case_and_spaces():
    got = proposed(["De Kalb County", "ＨＡＲＲＩＳ ＣＯＵＮＴＹ", "Dekalbb County"])
    assert got == {"De Kalb County": ("13089", "case and spaces", 1),
                   "ＨＡＲＲＩＳ ＣＯＵＮＴＹ": ("48201", "case and spaces", 1)}
    assert proposed(["ab 01", "AB02"], pd.DataFrame({"region_id": ["AB01", "ab2"],
                                                     "name": ["x", "y"]}), by="id") == \
        {"ab 01": ("AB01", "case and spaces", 1)}


def test_leading_zeros():
    # "001003" is longer than the ids: not a code that lost its zeros.
    got = proposed(["1001", "1001.0", "001003", "1001x", "9999", "0"], by="id")
    assert got == {"1001": ("01001", "leading zeros", 1), "1001.0": ("01001", "leading zeros", 1)}
    lost = pd.DataFrame({"region_id": ["1001", "10"], "name": ["a", "b"]})   # ids lost zeros
    assert proposed(["01001", "010", "0100"], lost, by="id") == \
        {"01001": ("1001", "leading zeros", 1), "010": ("10", "leading zeros", 1)}


def test_leading_zeros_to_key_width_when_ids_have_no_common_width():
    mixed = pd.DataFrame({"region_id": ["01001", "7", "ABC"], "name": ["a", "b", "c"]})
    assert proposed(["1001"], mixed, by="id", key_width=5) == \
        {"1001": ("01001", "leading zeros", 1)}
    assert proposed(["1001"], mixed, by="id") == {}


def test_suffix_english():
    got = proposed(["Autauga", "Los Angeles", "Juneau", "Harris County, TX", "Autauga Parish",
                    "Autaug", "County"])
    assert got == {"Autauga": ("01001", "suffix", 1), "Los Angeles": ("06037", "suffix", 1),
                   "Juneau": ("02110", "suffix", 1), "Harris County, TX": ("48201", "suffix", 1)}
    plain = pd.DataFrame({"region_id": ["1", "2"], "name": ["Springfield", "Shelby"]})
    assert proposed(["Springfield city", "Shelby Township", "Springfield Village"], plain) == \
        {"Springfield city": ("1", "suffix", 1), "Shelby Township": ("2", "suffix", 1)}


def test_suffix_chinese_provinces():
    got = proposed(["广东", "广西", "北京", "香港", "新疆", "内蒙古", "宁夏", "台湾", "广"],
                   PROVINCES)
    assert got == {"广东": ("440000", "suffix", 1), "广西": ("450000", "suffix", 1),
                   "北京": ("110000", "suffix", 1), "香港": ("810000", "suffix", 1),
                   "新疆": ("650000", "suffix", 1), "内蒙古": ("150000", "suffix", 1),
                   "宁夏": ("640000", "suffix", 1)}
    bare = pd.DataFrame({"region_id": ["44"], "name": ["广东"]})
    assert proposed(["广东省", "广东市场"], bare) == {"广东省": ("44", "suffix", 1)}


def test_ambiguous_suffix_is_never_a_proposal():
    m = match_keys(pd.Series(["Washington", "Washington", "Autauga"]), COUNTIES,
                   amounts=pd.Series([3.0, 4.0, 1.0]), by="name")
    p = one(m.proposals, "Washington")
    assert (p["rule"], p["candidates"], p["rows"], p["amount"]) == ("suffix", 2, 2, 7.0)
    assert pd.isna(p["region_id"]) and pd.isna(p["name"])
    assert "01129 Washington County" in p["choices"] and "53173" in p["choices"]
    assert crosswalk_frame(m.proposals)["from"].tolist() == ["Autauga"]


def test_state_after_a_comma_picks_the_county_of_that_fips_state():
    got = proposed(["Washington, AL", "Washington County, WA", "Washington, TX",
                    "Autauga County, AL", "Washington, ZZ"])
    assert got == {"Washington, AL": ("01129", "suffix", 1),
                   "Washington County, WA": ("53173", "suffix", 1),
                   "Autauga County, AL": ("01001", "suffix", 1)}
    # Ids that are not county FIPS codes: the state cannot choose, both are listed.
    for ids in ([f"R{i}" for i in range(len(COUNTIES))],          # not digits
                [f"{99000 + i}" for i in range(len(COUNTIES))]):     # 5 digits, no state "99"
        other = COUNTIES.assign(region_id=ids)
        assert proposed(["Washington, AL"], other) == {"Washington, AL": (None, "suffix", 2)}


def test_accents_and_spelling():
    regions = pd.DataFrame({"region_id": ["1", "2", "3", "4", "5", "6", "7"],
                            "name": ["Doña Ana County", "St. Louis County", "Großstadt",
                                     "Łódź", "Lewis & Clark County", "Wilkes-Barre",
                                     "Białystok"]})
    got = proposed(["Dona Ana County", "Dona Ana", "Saint Louis", "Lodz", "Lewis and Clark",
                    "Wilkes Barre", "Bialystok", "Dona Anna", "Lewis Clark"], regions)
    assert got == {"Dona Ana County": ("1", "accents", 1), "Dona Ana": ("1", "accents", 1),
                   "Saint Louis": ("2", "accents", 1), "Lodz": ("4", "accents", 1),
                   "Lewis and Clark": ("5", "accents", 1), "Wilkes Barre": ("6", "accents", 1),
                   "Bialystok": ("7", "accents", 1)}
    # ß → ss is already letter case (str.casefold): an exact match, no proposal needed.
    assert match_keys(pd.Series(["GROSSSTADT"]), regions, by="name").matched_rows == 1


def test_accents_on_ids():
    assert proposed(["06-037", "06/03"], by="id") == {"06-037": ("06037", "accents", 1)}


def test_id_or_name():
    assert proposed(["01001", "1001", "99999"], by="name") == \
        {"01001": ("01001", "id or name", 1), "1001": ("01001", "id or name", 1)}
    assert proposed(["autauga county", "Washington County", "Autauga"], by="id") == \
        {"autauga county": ("01001", "id or name", 1),
         "Washington County": (None, "id or name", 2)}


def test_first_rule_that_finds_a_region_wins():
    regions = pd.DataFrame({"region_id": ["1", "2"], "name": ["Dona Ana", "Doña Ana County"]})
    # Both "case and spaces" (→ 1) and "accents" (→ 2) find a region: the earlier rule gives it.
    assert proposed(["DonaAna"], regions) == {"DonaAna": ("1", "case and spaces", 1)}


def test_a_proposed_region_that_another_key_matched_is_marked():
    m = match_keys(pd.Series(["Autauga County", "Autauga", "Baldwin"]), COUNTIES, by="name")
    assert one(m.proposals, "Autauga")["also_matched"] is True
    assert one(m.proposals, "Baldwin")["also_matched"] is False


def test_proposals_carry_rows_and_amounts_largest_first():
    keys = pd.Series(["Autauga", "Baldwin", "Baldwin", "Nowhere"])
    m = match_keys(keys, COUNTIES, amounts=pd.Series([1.0, 2.0, 3.0, 50.0]), by="name")
    assert m.proposals[["key", "rows", "amount"]].values.tolist() == \
        [["Baldwin", 2, 5.0], ["Autauga", 1, 1.0]]
    assert m.unmatched["key"].tolist() == ["Nowhere", "Baldwin", "Autauga"]


def test_propose_refuses_auto():
    with pytest.raises(ValueError):
        propose(["x"], COUNTIES, by="auto")


# --------------------------------------------------------------------------- crosswalks

def test_read_crosswalk_reports_conflict_duplicate_and_blanks():
    frame = pd.read_csv(io.StringIO(
        "from,to\n"
        "广东,440000\n"          # line 2
        " Autauga ,01001\n"      # 3
        "Washington,01129\n"     # 4
        ",01003\n"               # 5  blank from
        "Washington,53173\n"     # 6  conflict with line 4
        "广东,440000\n"          # 7  duplicate of line 2
        "Baldwin,\n"             # 8  blank to
        ",\n"                    # 9  blank from and to: reported once
    ), dtype=str, keep_default_na=False)
    mapping, problems = read_crosswalk(frame, file="xw.csv")
    assert mapping == {"广东": "440000", "Autauga": "01001"}
    by_code = {p.code + ":" + p.severity: p for p in problems}
    assert set(by_code) == {"crosswalk_conflict:error", "crosswalk_duplicate:note",
                            "crosswalk_blank:warning"} and len(problems) == 4
    conflict = by_code["crosswalk_conflict:error"]
    assert conflict.rows == (4, 6) and conflict.file == "xw.csv"
    assert "'Washington'" in conflict.message and "'01129'" in conflict.message \
        and "'53173'" in conflict.message
    assert by_code["crosswalk_duplicate:note"].rows == (7,)
    blanks = sorted(p.rows for p in problems if p.code == "crosswalk_blank")
    assert blanks == [(5, 9), (8,)]


def test_read_crosswalk_first_two_columns_when_not_named():
    frame = pd.DataFrame({"County": ["Autauga", "Baldwin"], "FIPS": ["01001", "01003"],
                          "note": ["", ""]})
    mapping, problems = read_crosswalk(frame)
    assert mapping == {"Autauga": "01001", "Baldwin": "01003"}
    assert [(p.severity, p.code) for p in problems] == [("note", "crosswalk_columns")]
    assert "'County' and 'FIPS'" in problems[0].message
    named = pd.DataFrame({"x": ["1"], " To ": ["b"], "FROM": ["a"]})
    assert read_crosswalk(named) == ({"a": "b"}, [])
    mapping, problems = read_crosswalk(pd.DataFrame({"from": ["a"]}))
    assert mapping == {} and problems[0].severity == "error"


def test_apply_crosswalk():
    keys = pd.Series(["广东", " 广东 ", "Autauga", "01001", None, "a"], index=[3, 4, 5, 6, 7, 8])
    new, changed = apply_crosswalk(keys, {"广东": "440000", "Autauga": "01001", "01001": "zz",
                                          "a": "a"})
    assert new.tolist() == ["440000", "440000", "01001", "zz", pd.NA, "a"]
    assert changed.tolist() == [True, True, True, True, False, False]
    assert new.index.equals(keys.index) and changed.index.equals(keys.index)


def test_crosswalk_frame_and_round_trip():
    keys = pd.Series(["Autauga", "广东", "Dona Ana", "Washington", "Harris County"])
    regions = pd.concat([COUNTIES, PROVINCES], ignore_index=True)
    m = match_keys(keys, regions, by="name")
    xw = crosswalk_frame(m.proposals)
    assert xw.values.tolist() == [["Autauga", "01001", "suffix"], ["Dona Ana", "35013", "accents"],
                                  ["广东", "440000", "suffix"]]
    text = xw.to_csv(index=False)
    mapping, problems = read_crosswalk(pd.read_csv(io.StringIO(text), dtype=str))
    assert problems == []
    new, changed = apply_crosswalk(keys, mapping)
    again = match_keys(new, regions, by="id")
    assert again.matched_rows == 3 and int(changed.sum()) == 3
    assert crosswalk_frame(m.proposals, to="name")["to"].tolist() == \
        ["Autauga County", "Doña Ana County", "广东省"]


def test_crosswalk_frame_refuses_a_key_accepted_twice():
    accepted = pd.DataFrame({"key": ["b", "a", "a", "b"], "region_id": ["2", "1", "1", "3"],
                             "rule": ["suffix"] * 4})
    with pytest.raises(ValueError, match="b"):
        crosswalk_frame(accepted)
    assert crosswalk_frame(accepted.iloc[:3]).values.tolist() == [["a", "1", "suffix"],
                                                                  ["b", "2", "suffix"]]


def test_key_plan_keys_by_id_when_names_are_shared():
    from geodata.readers.keys import key_plan, match_keys

    regions = pd.DataFrame({"region_id": ["01001", "02001", "03001"],
                            "name": ["Washington", "Washington", "Adams"]})
    keys = pd.Series(["Adams", "Adams County", "Washington"], dtype="string")
    m = match_keys(keys, regions, by="name")
    accepted = m.proposals[m.proposals["candidates"].eq(1)]
    canon, cw = key_plan(keys, m, accepted, regions)
    assert canon == "region_id"
    assert cw.to_dict("records") == [
        {"from": "Adams", "to": "03001", "rule": "same name"},
        {"from": "Adams County", "to": "03001", "rule": "suffix"}]


def test_key_plan_keeps_names_when_they_are_unique_and_ids_when_matched_by_id():
    from geodata.readers.keys import key_plan, match_keys

    regions = pd.DataFrame({"region_id": ["01", "02"], "name": ["Alpha", "Beta"]})
    keys = pd.Series(["Alpha", "Beta County"], dtype="string")
    m = match_keys(keys, regions, by="name")
    canon, cw = key_plan(keys, m, m.proposals, regions)
    assert (canon, cw.to_dict("records")) == (
        "region_name", [{"from": "Beta County", "to": "Beta", "rule": "suffix"}])
    ids = pd.Series(["1", "02"], dtype="string")
    m = match_keys(ids, regions, by="id", key_width=2)
    canon, cw = key_plan(ids, m, m.proposals, regions)
    assert (canon, cw.to_dict("records")) == (
        "region_id", [{"from": "1", "to": "01", "rule": "leading zeros"}])


def test_crosswalk_problems_are_in_the_readers_language():
    from locales import use

    frame = pd.DataFrame({"from": ["广东", "", "广西"], "to": ["广东省", "北京市", ""]})
    _mapping, problems = read_crosswalk(frame, file="cw.csv")
    assert [str(p.message) for p in problems] == [
        "1 row(s) with no 'from' key; skipped", "1 key(s) with no 'to' key; left unmapped"]
    with use("zh"):
        assert [str(p.message) for p in problems] == [
            "1 行没有 'from' 键值；已跳过", "1 个键值没有 'to' 键值；未作对应"]
        assert str(problems[0].expected) == "数据表中原样填写的键值"
        _mapping, again = read_crosswalk(frame, file="cw.csv")    # made in Chinese
    assert str(again[1].message) == "1 key(s) with no 'to' key; left unmapped"
