"""Build the two bundled demo workspaces from the shared public data.

    .venv/bin/python tools/build_demo_workspaces.py --shared ../shared/data
    .venv/bin/python tools/build_demo_workspaces.py --only boston_region   # one workspace
    .venv/bin/python tools/build_demo_workspaces.py --check      # validate existing output only

Writes geodata/workspaces/us_federal/ and geodata/workspaces/boston_region/ (manifest, tidy
tables, boundaries, overlays, SOURCES.md). Each workspace is built in a scratch folder next to
it and swapped in only when its build has finished, so a failed build leaves the shipped folder
as it was. The build is deterministic: running it twice gives the same bytes. Amounts are
handled as decimal text so cents are never rounded.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import tomllib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "geodata" / "workspaces"

# FIPS <-> USPS crosswalk for the 56 state-level ids of us-atlas counties-10m.json ("states"
# layer). Names are the us-atlas (Census) names; USAspending spells three of them differently,
# so USAspending rows are joined by USPS code, never by name.
STATES: list[tuple[str, str, str]] = [
    ("01", "AL", "Alabama"), ("02", "AK", "Alaska"), ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"), ("06", "CA", "California"), ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"), ("10", "DE", "Delaware"), ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"), ("13", "GA", "Georgia"), ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"), ("17", "IL", "Illinois"), ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"), ("20", "KS", "Kansas"), ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"), ("23", "ME", "Maine"), ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"), ("26", "MI", "Michigan"), ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"), ("29", "MO", "Missouri"), ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"), ("32", "NV", "Nevada"), ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"), ("35", "NM", "New Mexico"), ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"), ("38", "ND", "North Dakota"), ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"), ("41", "OR", "Oregon"), ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"), ("45", "SC", "South Carolina"), ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"), ("48", "TX", "Texas"), ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"), ("51", "VA", "Virginia"), ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"), ("55", "WI", "Wisconsin"), ("56", "WY", "Wyoming"),
    ("60", "AS", "American Samoa"), ("66", "GU", "Guam"),
    ("69", "MP", "Commonwealth of the Northern Mariana Islands"), ("72", "PR", "Puerto Rico"),
    ("78", "VI", "United States Virgin Islands"),
]
USPS_TO_FIPS = {usps: fips for fips, usps, _ in STATES}
FIPS_TO_NAME = {fips: name for fips, _, name in STATES}
NAME_TO_FIPS = {name: fips for fips, _, name in STATES}

TIP_CATEGORIES = {
    "CS": "Complete Streets",
    "II": "Intersection Improvements",
    "BP": "Bicycle and Pedestrian",
    "MI": "Major Infrastructure",
    "CC": "Community Connections",
    "TT": "Transit Transformation",
    "REGIONWIDE": "Region-wide",
    "": "Set-aside / unclassified",
}

TIP_TOTAL = Decimal("710793421")


# --------------------------------------------------------------------------- helpers


def read_rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, header: list[str], rows: list[list]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


def cents(text: str) -> str:
    """Decimal text with exactly two decimals (no float round trip)."""
    return str(Decimal(text).quantize(Decimal("0.01")))


def num(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def money(d: Decimal) -> str:
    return f"${d:,.2f}"


def dump_geojson(obj: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Python floats round-trip exactly through repr, so coordinates are unchanged.
    path.write_text(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")


def atlas_ids(atlas: Path, layer: str) -> dict[str, str]:
    topo = json.loads(atlas.read_text(encoding="utf-8"))
    return {g["id"]: g["properties"]["name"] for g in topo["objects"][layer]["geometries"]}


# --------------------------------------------------------------------------- us_federal


def build_us_federal(shared: Path, out: Path) -> dict:
    stats: dict = {}
    atlas = shared / "us-atlas" / "counties-10m.json"
    state_ids = atlas_ids(atlas, "states")
    county_ids = atlas_ids(atlas, "counties")
    # the crosswalk must cover exactly the 56 boundary ids, with the boundary's names
    assert set(state_ids) == set(FIPS_TO_NAME), set(state_ids) ^ set(FIPS_TO_NAME)
    for fips, name in state_ids.items():
        assert FIPS_TO_NAME[fips] == name, (fips, name)

    if out.exists():
        shutil.rmtree(out)
    copy(atlas, out / "boundaries" / "counties-10m.json")
    copy(shared / "us-atlas" / "LICENSE.us-atlas.txt", out / "boundaries" / "LICENSE.us-atlas.txt")

    usa = shared / "usaspending"

    # obligations by state x funding agency x quarter (the agency file)
    src = read_rows(usa / "usaspending_obligations_by_state_and_funding_agency_FY2008_2024_quarterly.csv")
    rows = []
    for r in src:
        code = r["code"].strip()
        fips = USPS_TO_FIPS[code] if code else ""
        rows.append([fips, code, FIPS_TO_NAME.get(fips, ""), int(r["fy"]), int(r["quarter"]),
                     r["agency_code"], r["agency_name"], cents(r["amount"])])
    rows.sort(key=lambda x: (x[3], x[4], x[0] == "", x[0], x[5]))
    stats["obligations_rows"] = write_csv(
        out / "obligations_by_state_agency_quarter.csv",
        ["state_fips", "usps", "state_name", "fiscal_year", "quarter", "agency_code", "agency_name", "amount"],
        rows)

    # obligations by state x quarter, all agencies (the total file)
    src_t = read_rows(usa / "usaspending_obligations_by_state_FY2008_2024_quarterly.csv")
    rows_t = []
    for r in src_t:
        code = r["code"].strip()
        fips = USPS_TO_FIPS[code] if code else ""
        rows_t.append([fips, code, FIPS_TO_NAME.get(fips, ""), int(r["fy"]), int(r["quarter"]), cents(r["amount"])])
    rows_t.sort(key=lambda x: (x[3], x[4], x[0] == "", x[0]))
    stats["obligations_total_rows"] = write_csv(
        out / "obligations_total_by_state_quarter.csv",
        ["state_fips", "usps", "state_name", "fiscal_year", "quarter", "amount"], rows_t)

    # reconciliation per FY: agency ledger vs all-agency ledger
    rec = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        rec[r[3]]["agency_total"] += Decimal(r[7])
        if not r[0]:
            rec[r[3]]["agency_blank"] += Decimal(r[7])
            rec[r[3]]["agency_blank_rows"] += 1
        if Decimal(r[7]) < 0:
            rec[r[3]]["agency_negative_rows"] += 1
    for r in rows_t:
        rec[r[3]]["all_total"] += Decimal(r[5])
        if not r[0]:
            rec[r[3]]["all_blank"] += Decimal(r[5])
    stats["reconciliation"] = {fy: dict(v) for fy, v in sorted(rec.items())}
    stats["agencies"] = sorted({(r[5], r[6]) for r in rows}, key=lambda x: x[1])

    # population: states (popest 2010-2019 + census 2020 by name), counties (popest + 2021)
    pop_s = []
    for r in read_rows(shared / "census-popest" / "state_population_2010_2019.csv"):
        assert r["state_fips"] in state_ids, r["state_fips"]
        for y in range(2010, 2020):
            pop_s.append([r["state_fips"], y, int(r[f"pop{y}"])])
    for r in read_rows(shared / "census-2020-21" / "usa_population_by_state_2020.csv", "latin-1"):
        fips = NAME_TO_FIPS[r["shapeName"].strip()]  # KeyError = unmatched name
        pop_s.append([fips, 2020, int(r["Population (people)"])])
    pop_s.sort()
    stats["population_state_rows"] = write_csv(out / "population_state.csv", ["region_id", "year", "population"], pop_s)

    pop_c = []
    for r in read_rows(shared / "census-popest" / "county_population_2010_2019.csv"):
        assert r["fips"] in county_ids, r["fips"]
        for y in range(2010, 2020):
            pop_c.append([r["fips"], y, int(r[f"pop{y}"])])
    for r in read_rows(shared / "census-2020-21" / "usa_population_by_county_2021.csv", "latin-1"):
        fips = str(int(r["GEOID"])).zfill(5)
        assert fips in county_ids, fips
        pop_c.append([fips, 2021, int(r["Population (people)"])])
    pop_c.sort()
    stats["population_county_rows"] = write_csv(out / "population_county.csv", ["region_id", "year", "population"], pop_c)

    # indicators: county unemployment 2009 (keeps the 6 retired codes)
    un = []
    for r in read_rows(shared / "bls-laus" / "laus_county_unemployment_2009.csv"):
        un.append([r["fips"], r["county_state_name"], int(r["year"]), int(r["labor_force"]),
                   int(r["unemployed"]), r["unemployment_rate_pct"]])
    un.sort()
    stats["unemployment_rows"] = write_csv(
        out / "unemployment_county_2009.csv",
        ["region_id", "county_state_name", "year", "labor_force", "unemployed", "unemployment_rate_pct"], un)
    stats["unemployment_unmatched"] = sorted(r[0] for r in un if r[0] not in county_ids)

    # indicators: per-capita personal income by state, wide -> long
    inc = []
    for r in read_rows(shared / "bea-income" / "us_state_per_capita_income_1929_2009.csv"):
        fips = str(int(r["STATE_FIPS"])).zfill(2)
        assert FIPS_TO_NAME[fips] == r["Name"].strip(), (fips, r["Name"])
        for y in range(1929, 2010):
            inc.append([fips, r["Name"].strip(), y, int(r[str(y)])])
    inc.sort()
    stats["income_rows"] = write_csv(
        out / "income_per_capita_state_1929_2009.csv", ["region_id", "state_name", "year", "per_capita_income_usd"], inc)

    # county grants FY2022: the raw file copied unchanged, then imported with the general
    # importer (repairs, duplicated state files, rejections) into a tidy county table
    copy(usa / "usaspending_grants_by_county_FY2022_peijin0405_raw_combined.csv", out / "county_grants_fy2022_raw.csv")
    stats["grants_raw_rows"] = len(read_rows(out / "county_grants_fy2022_raw.csv"))
    stats["grants"] = import_county_grants(out, county_ids)

    (out / "workspace.toml").write_text(US_FEDERAL_TOML, encoding="utf-8")
    (out / "SOURCES.md").write_text(us_federal_sources(stats), encoding="utf-8")
    return stats


def import_county_grants(out: Path, county_ids: dict[str, str]):
    """Tidy county grants table + import report (CSV) via geodata.importers."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from geodata.importers import ImportSpec, KeyPart, import_csv

    spec = ImportSpec(key=(KeyPart("Code", mapping=USPS_TO_FIPS), KeyPart("county_code", width=3)),
                      amount="Award_Amount", year=2022, keep={"state": "State_x", "county": "County"},
                      numbers={"population_2019": "Population2019"}, source_column="source_file")
    res = import_csv(out / "county_grants_fy2022_raw.csv", spec)
    assert res.reconciles, res.summary()
    table = res.table.sort_values(["region_id", "source_line"], kind="stable")
    table.to_csv(out / "county_grants_fy2022.csv", index=False, lineterminator="\n")
    res.report.to_csv(out / "county_grants_fy2022_import_report.csv", index=False, lineterminator="\n")
    unmatched = sorted(set(table["region_id"]) - set(county_ids))
    return {"result": res, "rows": len(table), "unmatched": unmatched}


US_FEDERAL_TOML = '''\
# Demo workspace built by tools/build_demo_workspaces.py from public data; see SOURCES.md.

[workspace]
title = "US federal spending"
description = """Federal obligations by state and quarter from USAspending.gov (FY2008-FY2024): \
all agencies combined, and broken out for the 14 funding agencies in the source extract. \
Census population for per-capita figures, county unemployment (2009) and state per-capita \
personal income (1929-2009) as context layers."""
currency = "USD"
fiscal_year_start_month = 10
fiscal_year_label = "FY"
default_level = "state"
data_date = "2024-09-30"

# Static exports (PNG/SVG/PDF): CONUS Albers frame, insets for Alaska, Hawaii, Puerto Rico.
[map]
crs = "EPSG:5070"
bounds = [-125.0, 24.0, -66.5, 49.6]
insets = [
  {name = "Alaska", region_prefix = "02", crs = "EPSG:3338", position = [0.0, 0.0, 0.25, 0.3]},
  {name = "Hawaii", region_prefix = "15", crs = "ESRI:102007", position = [0.26, 0.0, 0.14, 0.16]},
  {name = "Puerto Rico", region_prefix = "72", crs = "EPSG:32161", position = [0.6, 0.0, 0.1, 0.09]},
]

[[levels]]
id = "state"
label = "State"
file = "boundaries/counties-10m.json"
layer = "states"
key = "id"
name = "name"
key_width = 2

[[levels]]
id = "county"
label = "County"
file = "boundaries/counties-10m.json"
layer = "counties"
key = "id"
name = "name"
key_width = 5
parent_level = "state"
parent_key_chars = 2

[[tables]]
id = "obligations_total"
kind = "allocations"
level = "state"
file = "obligations_total_by_state_quarter.csv"
label = "Federal obligations, all agencies"
unit = "USD"
[tables.columns]
region_id = "state_fips"
fiscal_year = "fiscal_year"
quarter = "quarter"
amount = "amount"

[[tables]]
id = "obligations"
kind = "allocations"
level = "state"
file = "obligations_by_state_agency_quarter.csv"
label = "Federal obligations, 14 funding agencies"
unit = "USD"
[tables.columns]
region_id = "state_fips"
fiscal_year = "fiscal_year"
quarter = "quarter"
agency = "agency_name"
amount = "amount"

[[tables]]
id = "county_grants"
kind = "allocations"
level = "county"
file = "county_grants_fy2022.csv"
label = "Federal grants by county, FY2022"
unit = "USD"
[tables.columns]
region_id = "region_id"
fiscal_year = "fiscal_year"
amount = "amount"

[[tables]]
id = "population_state"
kind = "population"
level = "state"
file = "population_state.csv"
label = "Population (Census estimates 2010-2019, census 2020)"
unit = "people"
[tables.columns]
region_id = "region_id"
year = "year"
population = "population"

[[tables]]
id = "population_county"
kind = "population"
level = "county"
file = "population_county.csv"
label = "Population (Census estimates 2010-2019 and 2021)"
unit = "people"
[tables.columns]
region_id = "region_id"
year = "year"
population = "population"

[[tables]]
id = "unemployment"
kind = "indicators"
level = "county"
file = "unemployment_county_2009.csv"
label = "Unemployment rate 2009 (BLS LAUS)"
unit = "%"
[tables.columns]
region_id = "region_id"
year = "year"
value = "unemployment_rate_pct"
[tables.constants]
indicator = "Unemployment rate"
unit = "%"
direction = "lower_is_better"

[[tables]]
id = "income"
kind = "indicators"
level = "state"
file = "income_per_capita_state_1929_2009.csv"
label = "Per-capita personal income (BEA, 48 contiguous states)"
unit = "USD"
[tables.columns]
region_id = "region_id"
year = "year"
value = "per_capita_income_usd"
[tables.constants]
indicator = "Per-capita personal income"
unit = "USD"
direction = "higher_is_better"

[[sources]]
name = "us-atlas counties-10m (TopoJSON)"
publisher = "Mike Bostock (packaging); U.S. Census Bureau cartographic boundary files 2017 (geometry)"
url = "https://github.com/topojson/us-atlas"
licence = "ISC (packaging, see boundaries/LICENSE.us-atlas.txt); geometry US-government public domain"
retrieved = "npm us-atlas@3.0.1"
files = ["boundaries/counties-10m.json", "boundaries/LICENSE.us-atlas.txt"]
notes = "Copied unchanged. Ids are FIPS text; CRS is not declared (lon/lat, EPSG:4326). 2017 vintage."

[[sources]]
name = "USAspending spending by geography (state, quarterly, by funding agency and total)"
publisher = "U.S. Department of the Treasury, USAspending.gov"
url = "https://api.usaspending.gov/api/v2/search/spending_by_geography/"
licence = "US-government data, public domain"
retrieved = "GitHub muni-prathap-goud/federal-funding-data-collection, commit 9095941e (2025-10-22)"
files = ["obligations_by_state_agency_quarter.csv", "obligations_total_by_state_quarter.csv"]
notes = "Place of performance, by action date. Rows with a blank state are unattributed obligations; negative amounts are de-obligations. The agency extract covers 14 funding agencies only (about 0.1-5 % of the all-agency total); see SOURCES.md for the per-FY reconciliation."

[[sources]]
name = "USAspending grants by county FY2022 (raw, messy)"
publisher = "U.S. Department of the Treasury, USAspending.gov"
url = "https://github.com/peijin0405/USAspending_Explorer_App_Streamlit"
licence = "US-government data, public domain"
retrieved = "commit 73604174 (2023-01-05)"
files = ["county_grants_fy2022_raw.csv", "county_grants_fy2022.csv", "county_grants_fy2022_import_report.csv"]
notes = "Raw file copied unchanged; county_grants_fy2022.csv is its import by geodata/importers.py (duplicated state files merged or rejected, '201,350' and '3.68E+08' parsed, unpadded county codes padded, rows without key or amount rejected); every repair is listed in county_grants_fy2022_import_report.csv and the totals reconcile (see SOURCES.md). New York's state-agency awards inflate Albany County in the source."

[[sources]]
name = "Census population estimates, Vintage 2019 (states and counties, 2010-2019)"
publisher = "U.S. Census Bureau"
url = "https://www.census.gov/programs-surveys/popest.html"
licence = "US-government data, public domain"
retrieved = "co-est2019-alldata rows via GitHub huntwelch/covid, commit 395ff1d7 (2021-03-22)"
files = ["population_state.csv", "population_county.csv"]
notes = "July 1 estimates POPESTIMATE2010-2019."

[[sources]]
name = "Census 2020 state population and 2021 county population estimates"
publisher = "U.S. Census Bureau"
url = "https://github.com/mgastner/cartogram-cpp/tree/main/sample_data"
licence = "US-government data, public domain (repository code AGPL-3.0, not used)"
retrieved = "GitHub mgastner/cartogram-cpp, commit e5915e02 (2025-08-25)"
files = ["population_state.csv", "population_county.csv"]
notes = "States 2020 joined by name to FIPS; counties 2021 GEOID stored as integer, zero-padded to 5. 2021 covers the contiguous states only."

[[sources]]
name = "BLS Local Area Unemployment Statistics, county annual averages 2009"
publisher = "U.S. Bureau of Labor Statistics"
url = "https://www.bls.gov/lau/"
licence = "US-government data, public domain (via bokeh-sampledata, BSD-3-Clause)"
retrieved = "PyPI bokeh-sampledata 2026.1, unemployment09.csv.gz"
files = ["unemployment_county_2009.csv"]
notes = "6 county codes were retired before the 2017 boundaries (02201, 02232, 02270, 02280, 46113, 51515); they are kept and will be reported as unmatched."

[[sources]]
name = "BEA state per-capita personal income 1929-2009"
publisher = "U.S. Bureau of Economic Analysis (State Personal Income, 2010 release)"
url = "https://www.bea.gov/data/income-saving/personal-income-by-state"
licence = "US-government data, public domain"
retrieved = "shared data snapshot (layout identical to the PySAL example us_income/usjoin.csv)"
files = ["income_per_capita_state_1929_2009.csv"]
notes = "Nominal dollars, 48 contiguous states (no AK, HI, DC)."
'''


def us_federal_sources(s: dict) -> str:
    rec = s["reconciliation"]
    lines = []
    for fy, v in rec.items():
        at, ab = v.get("agency_total", Decimal(0)), v.get("agency_blank", Decimal(0))
        tt, tb = v.get("all_total", Decimal(0)), v.get("all_blank", Decimal(0))
        share = at / tt * 100 if tt else Decimal(0)
        lines.append(f"| {fy} | {money(at)} | {money(ab)} | {int(v.get('agency_blank_rows', 0))} | "
                     f"{int(v.get('agency_negative_rows', 0))} | {money(tt)} | {money(tb)} | {share:.2f} % |")
    sum_at = sum((v.get("agency_total", Decimal(0)) for v in rec.values()), Decimal(0))
    sum_ab = sum((v.get("agency_blank", Decimal(0)) for v in rec.values()), Decimal(0))
    sum_tt = sum((v.get("all_total", Decimal(0)) for v in rec.values()), Decimal(0))
    sum_tb = sum((v.get("all_blank", Decimal(0)) for v in rec.values()), Decimal(0))
    agencies = ", ".join(f"{name} ({code})" for code, name in s["agencies"])
    table = "\n".join(lines)
    return f"""# US federal spending — sources and transformations

Built by `tools/build_demo_workspaces.py` from the read-only shared data folder (each shared folder's
own `SOURCES.md` has the full provenance). All amounts are nominal US dollars, written as decimal
text with two decimals (cents kept exactly). Fiscal year = federal FY (1 Oct N-1 to 30 Sep N).

| file | origin | licence | transformation | rows | key | years |
|---|---|---|---|---|---|---|
| `boundaries/counties-10m.json` | npm `us-atlas@3.0.1` (Census cartographic boundaries 2017, 1:10M) | ISC packaging (`boundaries/LICENSE.us-atlas.txt`), geometry public domain | copied unchanged | 56 states, 3,231 counties | `id` FIPS text (2 / 5 chars) | 2017 |
| `obligations_by_state_agency_quarter.csv` | USAspending `spending_by_geography`, state × funding agency × quarter (`usaspending_obligations_by_state_and_funding_agency_FY2008_2024_quarterly.csv`) | public domain | USPS code → `state_fips` via the crosswalk in the script (56 codes incl. DC, PR, GU, VI, MP, AS); `state_name` = boundary name; `population`, `agency_type`, `geo_layer` dropped; amount → 2-decimal text | {s['obligations_rows']:,} | `state_fips` + `fiscal_year` + `quarter` + `agency_code` | FY2008–FY2024 |
| `obligations_total_by_state_quarter.csv` | USAspending, state × quarter, all agencies (`usaspending_obligations_by_state_FY2008_2024_quarterly.csv`) | public domain | same as above | {s['obligations_total_rows']:,} | `state_fips` + `fiscal_year` + `quarter` | FY2008–FY2024 |
| `population_state.csv` | Census popest Vintage 2019 (`state_population_2010_2019.csv`) + Census 2020 state counts (`usa_population_by_state_2020.csv`) | public domain | wide → long; 2020 joined by state name → FIPS (all 51 match) | {s['population_state_rows']:,} | `region_id` (2) + `year` | 2010–2020 |
| `population_county.csv` | Census popest Vintage 2019 (`county_population_2010_2019.csv`) + county estimates 2021 (`usa_population_by_county_2021.csv`, ISO-8859-1) | public domain | wide → long; 2021 `GEOID` integer → zero-padded 5 chars | {s['population_county_rows']:,} | `region_id` (5) + `year` | 2010–2019, 2021 |
| `unemployment_county_2009.csv` | BLS LAUS county annual averages 2009 (`laus_county_unemployment_2009.csv`, via bokeh-sampledata) | public domain | column selection | {s['unemployment_rows']:,} | `region_id` (5) | 2009 |
| `income_per_capita_state_1929_2009.csv` | BEA State Personal Income, per-capita personal income (`us_state_per_capita_income_1929_2009.csv`) | public domain | wide → long; `STATE_FIPS` integer → 2 chars | {s['income_rows']:,} | `region_id` (2) + `year` | 1929–2009 |
| `county_grants_fy2022_raw.csv` | USAspending grants by county FY2022 (GitHub `peijin0405/USAspending_Explorer_App_Streamlit`) | public domain | **copied unchanged** (the import input) | {s['grants_raw_rows']:,} | state + `county_code` | FY2022 |
| `county_grants_fy2022.csv` | the file above, imported by `geodata/importers.py` | public domain | USPS `Code` → state FIPS + `county_code` zero-padded to 3 → `region_id`; amounts exact to the cent; duplicates merged, bad rows rejected (see below); `population_2019` kept for reference only | {s['grants']['rows']:,} | `region_id` (5) | FY2022 |
| `county_grants_fy2022_import_report.csv` | import report | — | one row per repair, merge or rejection: action, source file, line, column, value, result, amount, detail | {len(s['grants']['result'].report):,} | `source_file` + `line` | — |

## Obligations: known quirks

- Rows with a blank state (`state_fips` empty) are obligations USAspending could not place in a
  state. They are kept ("not placed on the map"), as are negative amounts (de-obligations).
- The agency file covers only these {len(s['agencies'])} funding agencies: {agencies}. It is not a
  breakdown of the all-agency total (no HHS, DoD, SSA, Treasury, Transportation, ...): its
  ledger is 0.1–5 % of the all-agency ledger. Both files are shipped as separate tables
  (`obligations` = agency file, `obligations_total` = total file) and must not be added together.
- The total file's blank-state rows were **not** added to the agency table: the agency file
  already has its own blank-state rows in 14 of 17 FYs, and in 18 (FY, quarter) cells the
  agency file's blank-state amount is *larger* than the all-agency file's blank-state amount
  (e.g. FY2020 Q3 $36.6M vs $0.25M), so the two extracts were not taken consistently for
  unattributed spending. For every placed state and quarter the all-agency amount is ≥ the
  sum of the 14 agencies.
- The agency file has no blank-state rows for FY2016–FY2018.
- The source's `population` column (one current value per state, not year-specific) is dropped;
  use `population_state.csv`.
- Three source names differ from the boundary names ("District Of Columbia", "Northern Mariana
  Islands", "U.S. Virgin Islands"); the join is by USPS code → FIPS, and `state_name` holds the
  boundary name.

### Reconciliation per fiscal year

"ledger" = sum of all rows; "blank" = sum of rows with a blank state (not placed on the map).

| FY | agency ledger | agency blank-state | blank rows | negative rows | all-agency ledger | all-agency blank-state | agency / all |
|---|---:|---:|---:|---:|---:|---:|---:|
{table}
| **all** | **{money(sum_at)}** | **{money(sum_ab)}** | | | **{money(sum_tt)}** | **{money(sum_tb)}** | |

## County grants FY2022: import report

{grants_summary(s['grants'])}

## Population

- States 2010–2019 are July 1 estimates (Vintage 2019, 50 states + DC); 2020 is the April 1
  census count (different concept, one year later). No territories.
- Counties 2010–2019: 3,142 counties (Vintage 2019). 2021: 3,108 counties of the contiguous
  states only (no AK, HI). No county rows for 2020. Connecticut is still in its 8 counties.

## Indicators

- Unemployment rate 2009: {s['unemployment_rows']:,} counties; {len(s['unemployment_unmatched'])}
  codes do not exist in the 2017 boundaries and are kept on purpose (a real vintage mismatch
  the app reports): {', '.join(s['unemployment_unmatched'])} (4 Alaska census areas; Shannon
  County SD, renamed Oglala Lakota 46102; Bedford city VA, merged into 51019).
- Per-capita personal income: 48 contiguous states only (no AK, HI, DC), nominal dollars.
  The shared folder has no SOURCES.md for this file; its layout (`Name`, `STATE_FIPS`,
  1929…2009) is identical to the PySAL example `us_income/usjoin.csv` (BEA, 2010 release).
  All 48 names match the boundary names for their FIPS.
"""


def grants_summary(g: dict) -> str:
    res = g["result"]
    lines = [f"- {line}" for line in res.summary()]
    lines.append(f"- Rejected rows: " + "; ".join(
        f"{r.source_file} line {r.line} ({r.detail})" for r in res.report.itertuples()
        if r.action == "rejected" and "duplicates" not in r.detail) + "; and the rows of the "
        "duplicated California file whose values differ from `county_grants_CA.csv`.")
    lines.append(f"- {len(g['unmatched'])} imported county id(s) are not in the 2017 boundaries "
                 f"(shown as not placed on the map): {', '.join(g['unmatched']) or 'none'}.")
    lines.append("- Alaska is not in the source. New York's state-agency awards are booked to "
                 "Albany County in the source, so Albany's per-resident figure is inflated.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- boston_region


def build_boston(shared: Path, out: Path) -> dict:
    stats: dict = {}
    mpo = shared / "boston-mpo"
    if out.exists():
        shutil.rmtree(out)

    # towns: keep geometry exactly, keep a few properties, town_id as text
    towns = json.loads((mpo / "boston_region_mpo_towns_97.geo.json").read_text(encoding="utf-8"))
    keep = ["town_id", "town", "pop2000", "mapc_sub", "rta"]
    feats = []
    pops = []
    for f in towns["features"]:
        p = f["properties"]
        props = {k: p[k] for k in keep}
        props["town_id"] = str(int(p["town_id"]))
        feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
        pops.append([props["town_id"], p["town"], 2000, int(p["pop2000"])])
    feats.sort(key=lambda f: int(f["properties"]["town_id"]))
    dump_geojson({"type": "FeatureCollection", "features": feats}, out / "boundaries" / "towns_97.geojson")
    town_by_id = {f["properties"]["town_id"]: f["properties"]["town"] for f in feats}
    town_names = set(town_by_id.values())
    stats["towns"] = len(feats)

    pops.sort(key=lambda r: int(r[0]))
    stats["population_rows"] = write_csv(out / "population_town.csv", ["region_id", "town", "year", "population"], pops)

    # TIP programmed funding, long (project x town x year), region-wide rows kept with blank id
    tip = []
    for r in read_rows(shared / "boston-mpo-funding" / "tip_ffy2026_2030_programmed_by_town_year_long.csv"):
        tid = str(int(float(r["town_id"]))) if r["town_id"].strip() else ""
        if tid:
            assert town_by_id[tid] == r["town"], (tid, r["town"])
        cat = r["investment_category"].strip()
        tip.append([tid, r["town"], int(r["ffy"]), cents(r["amount_usd"]), r["project_id"], cat,
                    TIP_CATEGORIES[cat], r["proponent"], r["project_name"].strip(), int(r["n_towns_shared"])])
    tip.sort(key=lambda x: (x[2], x[0] == "", int(x[0]) if x[0] else 0, x[4]))
    stats["tip_rows"] = write_csv(
        out / "tip_programmed_by_town_year.csv",
        ["town_id", "town", "ffy", "amount", "project_id", "investment_category", "program",
         "proponent", "project_name", "n_towns_shared"], tip)
    stats["tip_total"] = sum((Decimal(r[3]) for r in tip), Decimal(0))
    stats["tip_blank"] = sum((Decimal(r[3]) for r in tip if not r[0]), Decimal(0))
    stats["tip_projects"] = len({r[4] for r in tip})
    stats["tip_towns"] = len({r[0] for r in tip if r[0]})
    assert stats["tip_total"] == TIP_TOTAL, stats["tip_total"]

    # crashes by town and year (Title Case names; drop the "Total" row)
    crash = []
    dropped = 0
    for r in read_rows(mpo / "motorized_crashes_97towns.csv"):
        if r["town"].strip().lower() == "total":
            dropped += 1
            continue
        assert r["town"].strip().upper() in town_names, r["town"]
        inj, fat = int(r["tot_inj"]), int(r["tot_fat"])
        y = int(r["year"])
        crash.append([r["town"].strip(), y, "Crash injuries and fatalities", inj + fat, "people", "lower_is_better"])
        crash.append([r["town"].strip(), y, "Crash fatalities", fat, "people", "lower_is_better"])
    crash.sort(key=lambda x: (x[2], x[1], x[0]))
    stats["crash_rows"] = write_csv(out / "crashes_town_year.csv",
                                    ["town", "year", "indicator", "value", "unit", "direction"], crash)
    stats["crash_total_rows_dropped"] = dropped

    # share of non-interstate NHS miles in poor condition, 2014
    pav = []
    for r in read_rows(mpo / "noninterstate_pavement_bins_2014_97towns.csv"):
        tid = str(int(r["TOWN_ID"]))
        assert tid in town_by_id, tid
        bins = [float(r[f"BIN_{i}"]) for i in range(4)]
        rated = sum(bins)
        share = bins[0] / rated * 100 if rated else None
        pav.append([tid, r["TOWN"], 2014, num(bins[0]), num(rated), num(float(r["BIN_4"])),
                    "" if share is None else num(share, 2)])
    pav.sort(key=lambda x: int(x[0]))
    stats["pavement_rows"] = write_csv(
        out / "pavement_poor_share_2014.csv",
        ["region_id", "town", "year", "poor_miles", "rated_miles", "no_data_miles", "share_poor_pct"], pav)

    # town PSI timeline copied unchanged (mapped by name with constants)
    copy(mpo / "noninterstate_psi_avg_timeline_by_city_97towns.csv", out / "psi_avg_by_town_2007_2014.csv")
    stats["psi_town_rows"] = len(read_rows(out / "psi_avg_by_town_2007_2014.csv"))

    # road segments: keep geometry exactly, keep the columns a condition map needs
    seg_keep = ["ROADSEGMENT_ID", "CITY", "PSI", "PSIYEAR", "IRI", "ADT", "ROUTEKEY", "ROUTEDIRECTION",
                "STREETNAME", "FEDERALFUNCTIONALCLASS", "NUMBEROFTRAVELLANES"]
    roads = json.loads((mpo / "road_inv_mpo_nhs_interstate_2015.geojson").read_text(encoding="utf-8"))
    rfeats = []
    for f in roads["features"]:
        p = f["properties"]
        assert str(p["CITY"]) in town_by_id, p["CITY"]
        rfeats.append({"type": "Feature", "properties": {k: p.get(k) for k in seg_keep}, "geometry": f["geometry"]})
    dump_geojson({"type": "FeatureCollection", "features": rfeats}, out / "roads" / "road_inv_mpo_nhs_interstate_2015.geojson")
    stats["segments"] = len(rfeats)
    stats["segments_psi"] = sum(1 for f in rfeats if f["properties"]["PSI"] is not None)
    copy(mpo / "psi_timeline.csv", out / "roads" / "psi_timeline.csv")
    copy(mpo / "noninterstate_pavement_bins_2014_97towns.csv", out / "roads" / "noninterstate_pavement_bins_2014_97towns.csv")
    stats["psi_timeline_rows"] = len(read_rows(out / "roads" / "psi_timeline.csv"))

    stats["overlay_segments"] = build_express_overlay(
        mpo / "cmp_2019_express_routes_congestion.geojson", out / "overlays" / "cmp_2019_express_routes.geojson")

    (out / "workspace.toml").write_text(BOSTON_TOML, encoding="utf-8")
    (out / "SOURCES.md").write_text(boston_sources(stats), encoding="utf-8")
    return stats


# Congestion Management Process 2019 express segments: source property -> overlay property
# (the renamed ones are shown as tooltip rows, so they carry readable names).
CMP_OVERLAY_PROPS = [
    ("tmc", "tmc"),
    ("route_num", "route_num"),
    ("route_id", "route_id"),
    ("direction", "direction"),
    ("community", "Community"),
    ("seg_begin", "From"),
    ("seg_end", "To"),
]


def build_express_overlay(src: Path, dst: Path) -> int:
    """The CMP 2019 express highway segments as a light overlay: coordinates rounded to
    5 decimals (about 1 m), properties trimmed and renamed, feature order kept."""
    cmp = json.loads(src.read_text(encoding="utf-8"))
    feats = []
    for f in cmp["features"]:
        p, g = f["properties"], f["geometry"]
        assert g["type"] == "LineString", g["type"]
        props = {new: p[old] for old, new in CMP_OVERLAY_PROPS}
        props["AM peak travel time index"] = round(p["am_avtt_ix"], 2)
        props["PM peak travel time index"] = round(p["pm_avtt_ix"], 2)
        props["Speed limit (mph)"] = p["spd_limit"]
        coords = [[round(x, 5), round(y, 5)] for x, y in g["coordinates"]]
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "LineString", "coordinates": coords}})
    assert len({f["properties"]["tmc"] for f in feats}) == len(feats), "tmc is not unique"
    dump_geojson({"type": "FeatureCollection", "features": feats}, dst)
    return len(feats)


BOSTON_TOML = '''\
# Demo workspace built by tools/build_demo_workspaces.py from public data; see SOURCES.md.

[workspace]
title = "Boston region"
description = """The 97 municipalities of the Boston Region MPO: federal-aid capital programmed \
in the FFY2026-2030 Transportation Improvement Program (Regional Target program) by town, \
with pavement condition (PSI) on interstate segments and by town, and crash injuries."""
currency = "USD"
fiscal_year_start_month = 10
fiscal_year_label = "FFY"
default_level = "town"
data_date = "2025-03"

[[levels]]
id = "town"
label = "Town"
file = "boundaries/towns_97.geojson"
key = "town_id"
name = "town"

[[tables]]
id = "tip"
kind = "allocations"
level = "town"
file = "tip_programmed_by_town_year.csv"
label = "TIP programmed funding FFY2026-2030 (Regional Target)"
unit = "USD"
# Towns with no row received nothing in this programme: show them as $0, not "No data".
absent_regions = "zero"
[tables.columns]
region_id = "town_id"
fiscal_year = "ffy"
amount = "amount"
program = "program"

[[tables]]
id = "population"
kind = "population"
level = "town"
file = "population_town.csv"
label = "Population (Census 2000)"
unit = "people"
[tables.columns]
region_id = "region_id"
year = "year"
population = "population"

[[tables]]
id = "crashes"
kind = "indicators"
level = "town"
file = "crashes_town_year.csv"
label = "Crash injuries and fatalities 2005-2014"
unit = "people"
[tables.columns]
region_name = "town"
year = "year"
indicator = "indicator"
value = "value"
unit = "unit"
direction = "direction"

[[tables]]
id = "pavement_poor"
kind = "indicators"
level = "town"
file = "pavement_poor_share_2014.csv"
label = "Non-interstate NHS miles in poor condition 2014"
unit = "%"
[tables.columns]
region_id = "region_id"
year = "year"
value = "share_poor_pct"
[tables.constants]
indicator = "Share of NHS miles in poor condition"
unit = "%"
direction = "lower_is_better"

[[tables]]
id = "psi_town"
kind = "indicators"
level = "town"
file = "psi_avg_by_town_2007_2014.csv"
label = "Average pavement serviceability (non-interstate NHS)"
unit = "PSI (0-5)"
[tables.columns]
region_name = "town"
year = "year"
value = "average"
[tables.constants]
indicator = "Average PSI, non-interstate NHS"
unit = "PSI (0-5)"
direction = "higher_is_better"

[[tables]]
id = "segments"
kind = "segments"
level = "town"
file = "roads/road_inv_mpo_nhs_interstate_2015.geojson"
label = "Interstate pavement condition (PSI), MassDOT Road Inventory 2015"
unit = "PSI (0-5)"
[tables.columns]
segment_id = "ROADSEGMENT_ID"
score = "PSI"
survey_year = "PSIYEAR"
region_id = "CITY"
route = "ROUTEKEY"
direction = "ROUTEDIRECTION"
traffic = "ADT"
road_class = "FEDERALFUNCTIONALCLASS"

# Road condition (Roads page). Targets are illustrative, modelled on Portland's street-class
# targets (busy streets: >= 80% good, <= 2% poor; local streets: 70% / 11%); they are not
# MassDOT's adopted performance targets.
[roads]
segments_table = "segments"
scheme = "psi_massdot_interstate"
score_label = "PSI"
survey_year = 2013
road_class = "Interstate"
length_unit = "mi"
trend_indicator = "Average PSI, non-interstate NHS"
[roads.targets]
good_or_better_min = 80
poor_max = 2
at_risk_good_pp = 5
at_risk_poor_pp = 1

# Non-interstate NHS miles by PSI bin per town (no segment geometry): used where there are no lines.
[roads.town_bins]
file = "roads/noninterstate_pavement_bins_2014_97towns.csv"
key = "TOWN_ID"
scheme = "psi_massdot_town_bins"
road_class = "Non-interstate NHS"
survey_year = 2014
length_unit = "mi"
[roads.town_bins.columns]
excellent = "BIN_3"
good = "BIN_2"
fair = "BIN_1"
poor = "BIN_0"
"No data" = "BIN_4"
[roads.town_bins.targets]
good_or_better_min = 70
poor_max = 11

# PSI per interstate segment and survey year; "id262468" is segment 262468.
[roads.timeline]
file = "roads/psi_timeline.csv"
segment_id = "segmentid"
strip_prefix = "id"
year = "psiyear"
score = "psi"
route = "route"

[[sources]]
name = "Boston Region MPO municipalities (97 towns)"
publisher = "Central Transportation Planning Staff (CTPS); MassGIS town boundaries; Census 2000 population"
url = "https://github.com/CTPSSTAFF/CTPS-DASHBOARD"
licence = "Apache-2.0 (repository); underlying MassGIS / Census data public"
retrieved = "GitHub CTPSSTAFF/CTPS-DASHBOARD, commit 4aa8c66f (2024-03-29)"
files = ["boundaries/towns_97.geojson", "population_town.csv"]
notes = "Geometry unchanged; properties trimmed to town_id (as text), town, pop2000, mapc_sub, rta."

[[sources]]
name = "Boston Region MPO TIP FFYs 2026-2030, Regional Target program (final scenario)"
publisher = "Boston Region MPO / CTPS"
url = "https://github.com/CTPSSTAFF/TIP_Demographics"
licence = "Public MPO planning data, no explicit licence; attribute Boston Region MPO / CTPS"
retrieved = "commit ee3c7ffb (data/final_scenario.csv), Feb-Mar 2025 scenario"
files = ["tip_programmed_by_town_year.csv"]
notes = "Multi-town projects split equally between towns; region-wide programs and transit items have a blank town_id (not placed on the map). Total $710,793,421."

[[sources]]
name = "MassDOT crash data by town (CTPS performance dashboard)"
publisher = "CTPS; MassDOT crash data"
url = "https://github.com/CTPSSTAFF/CTPS-DASHBOARD"
licence = "Apache-2.0 (repository); MassDOT data"
retrieved = "GitHub CTPSSTAFF/CTPS-DASHBOARD, commit 4aa8c66f (2024-03-29)"
files = ["crashes_town_year.csv"]
notes = "From motorized_crashes_97towns.csv; the region 'Total' row was dropped."

[[sources]]
name = "MassDOT Road Inventory pavement condition (PSI, IRI)"
publisher = "CTPS; MassDOT Road Inventory"
url = "https://github.com/CTPSSTAFF/CTPS-DASHBOARD"
licence = "Apache-2.0 (repository); MassDOT data"
retrieved = "GitHub CTPSSTAFF/CTPS-DASHBOARD, commit 4aa8c66f (2024-03-29)"
files = ["roads/road_inv_mpo_nhs_interstate_2015.geojson", "roads/psi_timeline.csv", "roads/noninterstate_pavement_bins_2014_97towns.csv", "pavement_poor_share_2014.csv", "psi_avg_by_town_2007_2014.csv"]
notes = "Interstate segments: geometry unchanged, attributes trimmed. psi_timeline.csv and the 2014 town bins are copied unchanged; the poor share is BIN_0 / (BIN_0+BIN_1+BIN_2+BIN_3) x 100."

# Lines drawn over any map of the workspace (the "Overlays" picker of One map): the express
# highway segments of the CTPS Congestion Management Process, 2019, coloured by route.
[[overlays]]
id = "express_highways"
label = "Express highways (CMP 2019)"
file = "overlays/cmp_2019_express_routes.geojson"
category = "route_num"
name = "route_id"
tooltip = ["Community", "From", "To", "AM peak travel time index", "PM peak travel time index"]

[[sources]]
name = "CTPS Congestion Management Process 2019: express highway segments"
publisher = "Central Transportation Planning Staff (CTPS); INRIX travel times"
url = "https://github.com/CTPSSTAFF/CTPS-DASHBOARD"
licence = "Apache-2.0 (repository); attribute CTPS / Boston Region MPO"
retrieved = "GitHub CTPSSTAFF/CTPS-DASHBOARD, commit 4aa8c66f (2024-03-29)"
files = ["overlays/cmp_2019_express_routes.geojson"]
notes = "From CTPS_CMP_2019_EXP_ROUTES_dashboard_v2.geo.json (829 LineStrings, EPSG:4326). Geometry unchanged except coordinates rounded to 5 decimals (about 1 m); properties trimmed to tmc, route_num, route_id, direction, community, seg_begin, seg_end, am/pm average travel time index (2 decimals) and spd_limit, the last six renamed for tooltips (Community, From, To, AM/PM peak travel time index, Speed limit (mph))."
'''


def boston_sources(s: dict) -> str:
    return f"""# Boston region — sources and transformations

Built by `tools/build_demo_workspaces.py` from the read-only shared data folder (`boston-mpo/`,
`boston-mpo-funding/`; each has its own `SOURCES.md`). Town ids are MassDOT town ids, written as
text. Fiscal year = federal FFY (1 Oct N-1 to 30 Sep N).

| file | origin | licence | transformation | rows | key | years |
|---|---|---|---|---|---|---|
| `boundaries/towns_97.geojson` | CTPS-DASHBOARD `boston_region_mpo_towns_97.geo.json` (MassGIS towns) | Apache-2.0 repo | geometry unchanged; properties kept: `town_id` (now text), `town`, `pop2000`, `mapc_sub`, `rta`; sorted by `town_id` | {s['towns']} | `town_id` | — |
| `population_town.csv` | `pop2000` of the towns layer (Census 2000) | public | one row per town | {s['population_rows']} | `region_id` | 2000 |
| `tip_programmed_by_town_year.csv` | TIP_Demographics `final_scenario.csv` → `tip_ffy2026_2030_programmed_by_town_year_long.csv` | public MPO data, no explicit licence; attribute Boston Region MPO / CTPS | `town_id` float → integer text, blank for REGIONWIDE/UNASSIGNED; amount → 2 decimals; investment category code kept and spelled out in `program` | {s['tip_rows']} | `project_id` + `town_id` + `ffy` | FFY2026–2030 |
| `crashes_town_year.csv` | CTPS-DASHBOARD `motorized_crashes_97towns.csv` (MassDOT crash data) | Apache-2.0 repo | "Total" row dropped ({s['crash_total_rows_dropped']} rows, one per year); long: "Crash injuries and fatalities" = `tot_inj` + `tot_fat`, "Crash fatalities" = `tot_fat` | {s['crash_rows']} | `town` (Title Case name) + `year` + `indicator` | 2005–2014 |
| `pavement_poor_share_2014.csv` | CTPS-DASHBOARD `noninterstate_pavement_bins_2014_97towns.csv` | Apache-2.0 repo | `share_poor_pct` = BIN_0 / (BIN_0+BIN_1+BIN_2+BIN_3) × 100; BIN_4 (no data) excluded and kept as `no_data_miles` | {s['pavement_rows']} | `region_id` | 2014 |
| `psi_avg_by_town_2007_2014.csv` | CTPS-DASHBOARD `noninterstate_psi_avg_timeline_by_city_97towns.csv` | Apache-2.0 repo | copied unchanged (renamed) | {s['psi_town_rows']} | `town` (UPPER) + `year` | 2007–2014 |
| `roads/road_inv_mpo_nhs_interstate_2015.geojson` | CTPS-DASHBOARD, MassDOT Road Inventory interstate segments | Apache-2.0 repo | geometry unchanged; attributes trimmed to ROADSEGMENT_ID, CITY, PSI, PSIYEAR, IRI, ADT, ROUTEKEY, ROUTEDIRECTION, STREETNAME, FEDERALFUNCTIONALCLASS, NUMBEROFTRAVELLANES | {s['segments']} | `ROADSEGMENT_ID`; `CITY` = `town_id` | PSI survey 2013 |
| `roads/psi_timeline.csv` | CTPS-DASHBOARD `psi_timeline.csv` | Apache-2.0 repo | copied unchanged | {s['psi_timeline_rows']:,} | `segmentid` ("id262468" → ROADSEGMENT_ID 262468) | 2007–2014 |
| `roads/noninterstate_pavement_bins_2014_97towns.csv` | CTPS-DASHBOARD | Apache-2.0 repo | copied unchanged | 93 | `TOWN_ID` | 2014 |
| `overlays/cmp_2019_express_routes.geojson` | CTPS-DASHBOARD `cmp_2019_express_routes_congestion.geojson` (CTPS Congestion Management Process, `CTPS_CMP_2019_EXP_ROUTES_dashboard_v2.geo.json`) | Apache-2.0 repo | coordinates rounded to 5 decimals (≈1 m); properties kept: `tmc`, `route_num`, `route_id`, `direction`, and renamed for tooltips: `Community`, `From`, `To`, `AM peak travel time index`, `PM peak travel time index` (2 decimals), `Speed limit (mph)`. Drawn as an overlay (`[[overlays]]`), coloured by `route_num`; 23 segments run beyond the 97 towns (reported on Data quality) | {s['overlay_segments']} | `tmc` | 2019 |

## TIP reconciliation

| ledger total | not placed on the map (blank `town_id`) | placed | projects | towns with funding |
|---:|---:|---:|---:|---:|
| {money(s['tip_total'])} | {money(s['tip_blank'])} | {money(s['tip_total'] - s['tip_blank'])} | {s['tip_projects']} | {s['tip_towns']} of 97 |

The ledger equals the source's "FFYs 2026–30" programmed total ($710,793,421). Multi-town
projects are split equally (`n_towns_shared`), so a town's amount is an allocation rule, not a
published figure. TIP is *programmed* capital for a few large projects: most towns get $0.

## Known quirks

- Crash file town names are Title Case ("Acton"); the manifest joins by `region_name`, matched
  to the boundary's UPPER CASE `town` ignoring case. Its "Total" row (region sum per year) is
  dropped so it is not reported as an unmatched region.
- Crash columns: `tot_inj` is not `mot_inj` + `trk_inj` in most rows, so only the `tot_*`
  columns are used; `mot_tot` is filled for 2014 only and `truck_tot` is empty — both unused.
  The values count people injured / killed, not crashes.
- Pavement bins cover 93 of 97 towns (4 towns are absent from the source file);
  the PSI town timeline covers 93 towns.
- {s['segments'] - s['segments_psi']} of {s['segments']} interstate segments have no PSI ({s['segments_psi']} scored). PSI classes
  (interstates): excellent ≥ 3.5, good 3.0–3.5, fair 2.5–3.0, poor < 2.5; the town bins use
  0–2.3 poor, 2.3–2.8 fair, 2.8–3.5 good, 3.5–5 excellent.
- `psi_timeline.csv` is per segment (no geometry): 705 of its 725 segment ids match the
  geojson. It is not a table (the manifest has no kind for per-segment time series); the
  `[roads.timeline]` section of the manifest names it for the Roads page trend.
- `[roads]` targets (interstate ≥ 80% good or better, ≤ 2% poor; non-interstate NHS 70% / 11%)
  are illustrative, modelled on Portland's street-class targets, not MassDOT's adopted targets.
- Population is Census 2000 — old; per-capita TIP amounts use it only for lack of a newer
  town table in the shared data.
"""


# --------------------------------------------------------------------------- check


def check(out_root: Path, names: list[str] | None = None) -> bool:
    import geopandas as gpd  # only needed here

    ok = True

    def fail(msg: str) -> None:
        nonlocal ok
        ok = False
        print(f"  PROBLEM: {msg}")

    for ws in (out_root / name for name in (names or list(BUILDERS))):
        if not (ws / "workspace.toml").exists():
            fail(f"{ws}: no workspace.toml")
            continue
        man = tomllib.loads((ws / "workspace.toml").read_text(encoding="utf-8"))
        print(f"== {ws.name}: {man['workspace']['title']}")
        levels = {}
        for lv in man["levels"]:
            path = ws / lv["file"]
            if not path.exists():
                fail(f"level {lv['id']}: missing {lv['file']}")
                continue
            g = gpd.read_file(path, layer=lv.get("layer")) if lv.get("layer") else gpd.read_file(path)
            for c in (lv["key"], lv["name"]):
                if c not in g.columns:
                    fail(f"level {lv['id']}: column {c} missing")
            keys = g[lv["key"]].astype(str)
            if lv.get("key_width"):
                keys = keys.str.zfill(lv["key_width"])
            levels[lv["id"]] = (set(keys), {str(n).strip().lower() for n in g[lv["name"]]})
            print(f"  level {lv['id']}: {len(g)} regions from {lv['file']}")
        for t in man["tables"]:
            path = ws / t["file"]
            if not path.exists():
                fail(f"table {t['id']}: missing {t['file']}")
                continue
            if t["kind"] == "segments":
                df = gpd.read_file(path)
            else:
                import pandas as pd
                df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=t.get("encoding", "utf-8"))
            missing = [src for src in t["columns"].values() if src not in df.columns]
            if missing:
                fail(f"table {t['id']}: mapped columns missing {missing}")
                continue
            cols = t["columns"]
            keys, names = levels[t["level"]]
            width = next((lv.get("key_width") for lv in man["levels"] if lv["id"] == t["level"]), None)
            line = f"  table {t['id']} ({t['kind']}): {len(df):,} rows"
            if "region_id" in cols:
                ids = df[cols["region_id"]].astype(str).str.strip()
                placed = ids != ""
                if width:
                    bad = ids[placed & (ids.str.len() != width)]
                    if len(bad):
                        fail(f"table {t['id']}: {len(bad)} ids not {width} chars wide")
                unmatched = sorted(set(ids[placed]) - keys)
                line += f", {len(unmatched)} unmatched ids" + (f" {unmatched[:8]}" if unmatched else "")
            elif "region_name" in cols:
                nm = df[cols["region_name"]].astype(str).str.strip().str.lower().str.split().str.join(" ")
                placed = nm != ""
                unmatched = sorted(set(nm[placed]) - names)
                line += f", {len(unmatched)} unmatched names" + (f" {unmatched[:8]}" if unmatched else "")
            print(line)
            if t["kind"] == "allocations":
                amounts = [Decimal(a) for a in df[cols["amount"]]]
                total = sum(amounts, Decimal(0))
                blank = sum((a for a, p in zip(amounts, placed) if not p), Decimal(0))
                neg = sum(1 for a in amounts if a < 0)
                print(f"    ledger total {money(total)}; blank region {money(blank)} "
                      f"({int((~placed).sum())} rows); negative rows {neg}")
                fy = df[cols["fiscal_year"]].astype(int)
                for y in sorted(fy.unique()):
                    sel = (fy == y).to_numpy()
                    ty = sum((a for a, s in zip(amounts, sel) if s), Decimal(0))
                    by = sum((a for a, s, p in zip(amounts, sel, placed) if s and not p), Decimal(0))
                    print(f"      FY{y}: ledger {money(ty)}, blank region {money(by)}")
                if ws.name == "boston_region" and t["id"] == "tip" and total != TIP_TOTAL:
                    fail(f"TIP total {total} != {TIP_TOTAL}")
        for ov in man.get("overlays", []):
            path = ws / ov["file"]
            if not path.exists():
                fail(f"overlay {ov['id']}: missing {ov['file']}")
                continue
            g = gpd.read_file(path)
            wanted = [ov[k] for k in ("category", "name") if ov.get(k)] + list(ov.get("tooltip", []))
            missing = [c for c in wanted if c not in g.columns]
            if missing:
                fail(f"overlay {ov['id']}: columns missing {missing}")
            print(f"  overlay {ov['id']}: {len(g)} features from {ov['file']}")
        for src in man.get("sources", []):
            for f in src.get("files", []):
                if not (ws / f).exists():
                    fail(f"source {src['name']}: missing {f}")
        size = sum(p.stat().st_size for p in ws.rglob("*") if p.is_file())
        print(f"  size on disk: {size / 1024 / 1024:.2f} MiB")
    print("check:", "OK" if ok else "PROBLEMS FOUND")
    return ok


BUILDERS = {"us_federal": build_us_federal, "boston_region": build_boston}


def build_staged(name: str, shared: Path, out_root: Path) -> dict:
    """Build workspace ``name`` in a scratch folder under ``out_root`` and swap it in only once
    the build has finished: a failing build leaves the existing folder untouched."""
    out_root.mkdir(parents=True, exist_ok=True)
    final = out_root / name
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}.building-", dir=out_root))
    try:
        stats = BUILDERS[name](shared, scratch / name)
        old = scratch / "previous"
        if final.exists():
            final.rename(old)
        (scratch / name).rename(final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data",
                    help="folder holding the shared public data (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="workspaces folder to write")
    ap.add_argument("--only", choices=list(BUILDERS), action="append",
                    help="build (and check) only this workspace; may be repeated (default: all)")
    ap.add_argument("--check", action="store_true", help="only validate the existing output")
    args = ap.parse_args(argv)
    names = args.only or list(BUILDERS)
    if not args.check:
        shared = args.shared.resolve()
        for name in names:
            build_staged(name, shared, args.out)
        print(f"built {', '.join(names)} under {args.out}")
    return 0 if check(args.out, names) else 1


if __name__ == "__main__":
    sys.exit(main())
