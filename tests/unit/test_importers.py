"""The general importer on tiny messy CSVs: repairs, duplicated files, rejections, totals."""
from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pytest

from geodata.importers import ImportSpec, KeyPart, import_frame, parse_decimal

USPS = {"HI": "15", "CA": "06", "VA": "51"}
SPEC = ImportSpec(key=(KeyPart("Code", mapping=USPS), KeyPart("county_code", width=3)),
                  amount="Award_Amount", year=2022, keep={"county": "County"},
                  numbers={"population": "Population"})


def frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_parse_decimal_kinds():
    assert parse_decimal("201,350") == (Decimal("201350"), "thousands")
    assert parse_decimal("3.68E+08") == (Decimal("3.68E+08"), "scientific")
    assert parse_decimal("(1,200)")[0] == Decimal("-1200")
    assert parse_decimal("") == (None, "blank")
    assert parse_decimal("TBD") == (None, "bad")


def test_repairs_are_made_and_reported():
    r = import_frame(frame(
        "Code,county_code,County,Population,Award_Amount,source_file\n"
        "HI,1,Hawaii,\"201,350\",3.68E+08,county_grants_HI.csv\n"
        "HI,003,Honolulu,979682,1740000000.0000001,county_grants_HI.csv\n"), SPEC)
    assert r.table["region_id"].tolist() == ["15001", "15003"]
    assert r.table["amount"].tolist() == ["368000000.00", "1740000000.00"]
    assert r.table["population"].tolist() == ["201350", "979682"]
    actions = r.report.set_index("action")
    assert actions.loc["padded_key", "result"] == "001"
    assert actions.loc["parsed_scientific_notation", "value"] == "3.68E+08"
    assert actions.loc["parsed_thousands_separator", "column"] == "Population"
    assert r.counts["amount_rounded_to_cents"] == 1
    assert r.reconciles


def test_duplicated_file_is_merged_conflicts_rejected_and_totals_reconcile():
    r = import_frame(frame(
        "Code,county_code,County,Population,Award_Amount,source_file\n"
        "CA,001,Alameda,10,100.00,county_grants_CA.csv\n"
        "CA,003,Alpine,10,50.00,county_grants_CA.csv\n"
        "CA,005,Amador,10,20.00,county_grants_CA.csv\n"
        "CA,001,Alameda,10,99.00,county_grants_California.csv\n"     # conflicting copy
        "CA,003,Alpine,10,50.00,county_grants_California.csv\n"      # identical copy
        "CA,005,Amador,10,20.00,county_grants_California.csv\n"      # identical copy
        "VA,001,Accomack,10,7.00,county_grants_VA.csv\n"
        "VA,678,Lexington,10,3.00,county_grants_VA_with_Lexington.csv\n"  # only here: kept
        "VA,,Nowhere,10,1.00,county_grants_VA.csv\n"                  # blank key
        "CA,007,Butte,10,,county_grants_CA.csv\n"),                   # blank amount
        SPEC)
    assert r.source_column == "source_file"                  # detected
    assert sorted(r.table["region_id"]) == ["06001", "06003", "06005", "51001", "51678"]
    assert r.table.set_index("region_id").loc["06001", "amount"] == "100.00"
    assert r.counts["merged_duplicate"] == 2
    assert r.counts["rejected"] == 3
    dup = r.duplicate_files.set_index("file").loc["county_grants_California.csv"]
    assert (dup.duplicate_of, dup.identical, dup.conflicting) == ("county_grants_CA.csv", 2, 1)
    assert r.raw_total == Decimal("350.00")
    assert (r.kept_total, r.merged_total, r.rejected_total) == \
        (Decimal("180.00"), Decimal("70.00"), Decimal("100.00"))
    assert r.reconciles
    rejected = r.report[r.report["action"] == "rejected"]
    assert set(rejected["line"]) == {5, 10, 11}
    assert any("blank county_code" in d for d in rejected["detail"])
    assert any("blank amount" in d for d in rejected["detail"])


def test_same_key_and_amount_twice_in_one_file_is_merged_not_summed():
    r = import_frame(frame(
        "Code,county_code,County,Population,Award_Amount\n"
        "VA,059,Fairfax,1147532,277.00\n"
        "VA,059,Fairfax,23973,277.00\n"
        "VA,059,Fairfax,23973,5.00\n"), SPEC)                # a second real line: kept
    assert r.table["amount"].tolist() == ["277.00", "5.00"]
    assert r.counts["merged_repeated_key"] == 1
    assert "Population" in r.report.iloc[0]["detail"]
    assert r.reconciles


def test_unknown_code_is_rejected_and_missing_columns_named():
    r = import_frame(frame("Code,county_code,County,Population,Award_Amount\n"
                           "ZZ,001,X,1,5\n"), SPEC)
    assert r.table.empty and "unknown code 'ZZ'" in r.report.iloc[0]["detail"]
    with pytest.raises(ValueError, match="Award_Amount"):
        import_frame(frame("Code,county_code,County,Population\nHI,1,X,1\n"), SPEC)
