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
from decimal import ROUND_HALF_UP, Decimal
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

    # population and outcomes: see build_us_outcomes (states incl. Puerto Rico, counties with
    # the Connecticut and Alaska changes handled as SOURCES.md states)
    stats.update(build_us_outcomes(shared, out, state_ids, county_ids))

    # county grants FY2022: the raw file copied unchanged, then imported with the general
    # importer (repairs, duplicated state files, rejections) into a tidy county table
    copy(usa / "usaspending_grants_by_county_FY2022_peijin0405_raw_combined.csv", out / "county_grants_fy2022_raw.csv")
    stats["grants_raw_rows"] = len(read_rows(out / "county_grants_fy2022_raw.csv"))
    stats["grants"] = import_county_grants(out, county_ids)

    (out / "workspace.toml").write_text(us_federal_toml(), encoding="utf-8")
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


# --------------------------------------------------------------------------- us_federal outcomes
# Indicator names as the app shows them (map titles, pickers, the Scorecard's [targets]).
UNEMPLOYMENT = "Unemployment rate (% of labor force)"
INCOME = "Per-capita personal income (current dollars)"
REAL_INCOME = "Real per-capita personal income (2017 dollars)"
BRIDGES_POOR = "Bridges in poor condition (% of bridges)"
INTERSTATE_BRIDGES_POOR = "Interstate bridges in poor condition (% of Interstate bridges)"
BRIDGES_SD = "Structurally deficient bridges (% of bridges)"
INTERSTATE_BRIDGES_SD = "Structurally deficient Interstate bridges (% of Interstate bridges)"
PAVEMENT_INTERSTATE_POOR = "Interstate pavement with poor ride quality (% of miles, IRI over 170)"
PAVEMENT_INTERSTATE_GOOD = "Interstate pavement with good ride quality (% of miles, IRI under 95)"
PAVEMENT_MAJOR_POOR = "Major-road pavement with poor ride quality (% of miles, IRI over 170)"

LOWER, HIGHER = "lower_is_better", "higher_is_better"

# Alaska: Valdez-Cordova Census Area (02261, in the 2017 boundaries) was split on 1 Jan 2019 into
# Chugach (02063) and Copper River (02066), which together cover exactly the old area. Their
# counts (population, labor force, unemployed) are summed back into 02261.
AK_SPLIT = {"02063": "02261", "02066": "02261"}
AK_SPLIT_NAMES = {"02063": "Chugach Census Area", "02066": "Copper River Census Area",
                  "02261": "Valdez-Cordova Census Area"}
# Connecticut: from 2020 (LAUS) and 2022 (Census) the 8 counties (09001-09015) were replaced by
# 9 planning regions (09110-09190) as county equivalents. The regions do not nest in the old
# counties, so no exact crosswalk exists: their rows are kept as data that matches no county of
# the 2017 boundaries (reported on Data quality), and the old counties have no 2020+ values.
CT_REGIONS = tuple(f"091{i}0" for i in range(1, 10))


def _pct(part: int | Decimal, whole: int | Decimal, digits: str = "0.01") -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(digits), ROUND_HALF_UP))


def _whole(text: str) -> int:
    """A count written as "24687" or "24687.0"."""
    d = Decimal(text)
    assert d == d.to_integral_value(), text
    return int(d)


def _state_row(r: dict[str, str], state_ids: dict[str, str], name_col: str = "state_name") -> str:
    """The row's state FIPS, checked against the boundary (and its name, when the file has one)."""
    fips = r["state_fips"]
    assert fips in state_ids, fips
    if name_col in r:
        assert r[name_col].replace(" *", "").strip() == FIPS_TO_NAME[fips], (fips, r[name_col])
    return fips


def build_us_outcomes(shared: Path, out: Path, state_ids: dict[str, str],
                      county_ids: dict[str, str]) -> dict:
    """Population (states 2010-2024 incl. Puerto Rico, counties 2010-2024) and the outcome
    indicators (unemployment, income, bridges, pavement) from ``shared/outcomes``."""
    oc = shared / "outcomes"
    s: dict = {}

    # ---- population, states: Vintage 2019 (2010-2019, with Puerto Rico) + Vintage 2024
    pop_s = []
    for r in read_rows(oc / "census_state_population_2010_2019_v2019_incl_pr.csv"):
        fips = _state_row(r, state_ids)
        pop_s += [[fips, y, int(r[f"pop{y}"]), "Vintage 2019"] for y in range(2010, 2020)]
    for r in read_rows(oc / "census_state_population_2020_2024_v2024.csv"):
        fips = _state_row(r, state_ids)
        pop_s += [[fips, y, int(r[f"pop{y}"]), "Vintage 2024"] for y in range(2020, 2025)]
    pop_s.sort()
    s["population_state_rows"] = write_csv(out / "population_state.csv",
                                           ["region_id", "year", "population", "vintage"], pop_s)
    s["population_state_regions"] = len({r[0] for r in pop_s})

    # ---- population, counties: Vintage 2019 (2010-2019) + Vintage 2024 (2020-2024)
    pop_c = []
    for r in read_rows(shared / "census-popest" / "county_population_2010_2019.csv"):
        assert r["fips"] in county_ids, r["fips"]
        pop_c += [[r["fips"], y, int(r[f"pop{y}"]), "Vintage 2019", ""] for y in range(2010, 2020)]
    ak_parts: dict[int, dict[str, int]] = defaultdict(dict)
    ct_pop: dict[str, dict] = {}
    for r in read_rows(oc / "census_county_population_2020_2024_v2024.csv"):
        fips = r["fips"]
        if fips in AK_SPLIT:
            for y in range(2020, 2025):
                ak_parts[y][fips] = int(r[f"pop{y}"])
            continue
        assert fips in county_ids or fips in CT_REGIONS, fips
        note = "Connecticut planning region: not a county of the 2017 boundaries" \
            if fips in CT_REGIONS else ""
        pop_c += [[fips, y, int(r[f"pop{y}"]), "Vintage 2024", note] for y in range(2020, 2025)]
        if fips in CT_REGIONS:
            ct_pop[fips] = {"name": r["county_name"], **{y: int(r[f"pop{y}"]) for y in range(2020, 2025)}}
    for y, parts in sorted(ak_parts.items()):
        assert set(parts) == set(AK_SPLIT), parts
        pop_c.append(["02261", y, sum(parts.values()), "Vintage 2024",
                      "sum of 02063 Chugach + 02066 Copper River (split of Valdez-Cordova, 2019)"])
    pop_c.sort()
    s["population_county_rows"] = write_csv(
        out / "population_county.csv", ["region_id", "year", "population", "vintage", "note"], pop_c)
    s["ak_population"] = {y: dict(p) for y, p in sorted(ak_parts.items())}
    s["ct_population"] = ct_pop

    # ---- unemployment, states (BLS LAUS, mean of the 12 seasonally adjusted months)
    un_s = []
    for r in read_rows(oc / "bls_laus_state_unemployment_annual_2008_2024.csv"):
        fips = _state_row(r, state_ids)
        un_s.append([fips, FIPS_TO_NAME[fips], int(r["year"]), _whole(r["labor_force_sa_avg"]),
                     _whole(r["unemployed_sa_avg"]), r["unemployment_rate_pct"]])
    un_s.sort()
    s["unemployment_state_rows"] = write_csv(
        out / "unemployment_state_2008_2024.csv",
        ["region_id", "state_name", "year", "labor_force", "unemployed", "unemployment_rate_pct"], un_s)

    # ---- unemployment, counties (BLS LAUS annual averages, the published rate)
    names = {r["fips"]: r["county_state_name"]
             for r in read_rows(oc / "bls_laus_county_unemployment_rate_2008_2024_wide.csv")}
    un_c, blank, ak_un = [], [], defaultdict(dict)
    for r in read_rows(oc / "bls_laus_county_unemployment_2008_2024_long.csv"):
        fips, year = r["fips"], int(r["year"])
        if not r["unemployment_rate_pct"]:
            blank.append((fips, year))
            continue
        if fips in AK_SPLIT:
            ak_un[year][fips] = (_whole(r["labor_force"]), _whole(r["unemployed"]),
                                 r["unemployment_rate_pct"])
            continue
        un_c.append([fips, names[fips], year, _whole(r["labor_force"]), _whole(r["unemployed"]),
                     r["unemployment_rate_pct"], ""])
    for year, parts in sorted(ak_un.items()):
        assert set(parts) == set(AK_SPLIT), parts
        lf = sum(p[0] for p in parts.values())
        unemployed = sum(p[1] for p in parts.values())
        un_c.append(["02261", "Valdez-Cordova Census Area, AK", year, lf, unemployed,
                     _pct(unemployed, lf, "0.1"),
                     "02063 Chugach + 02066 Copper River summed; rate = unemployed / labor force"])
    un_c.sort()
    s["unemployment_county_rows"] = write_csv(
        out / "unemployment_county_2008_2024.csv",
        ["region_id", "county_state_name", "year", "labor_force", "unemployed",
         "unemployment_rate_pct", "note"], un_c)
    s["unemployment_county_blank"] = blank
    s["ak_unemployment"] = {y: dict(p) for y, p in sorted(ak_un.items())}
    s["ak_unemployment_sum"] = {r[2]: r[5] for r in un_c if r[0] == "02261" and r[2] >= 2020}
    unmatched: dict[str, list[int]] = defaultdict(list)
    for r in un_c:
        if r[0] not in county_ids:
            unmatched[r[0]].append(r[2])
    s["unemployment_county_unmatched"] = {k: sorted(v) for k, v in sorted(unmatched.items())}
    s["ct_unemployment"] = {}
    for r in un_c:
        if r[0] in CT_REGIONS:
            s["ct_unemployment"].setdefault(r[0], {"name": r[1]})[r[2]] = r[5]

    # ---- personal income, states: nominal (SAINC1) and real (SASUMMARY, 2017 dollars)
    inc = []
    for r in read_rows(oc / "bea_sainc1_state_per_capita_personal_income_1929_2024.csv"):
        year = int(r["year"])
        if r["state_fips"] == "00" or year < 2008:
            continue
        fips = _state_row(r, state_ids, "geo_name")
        inc.append([fips, FIPS_TO_NAME[fips], year, INCOME, r["per_capita_personal_income_usd"],
                    "USD", HIGHER])
    for r in read_rows(oc / "bea_sasummary_state_real_income_rpp_1998_2024.csv"):
        year = int(r["year"])
        if r["state_fips"] == "00" or year < 2008 or not r["real_pcpi_2017usd"]:
            continue
        fips = _state_row(r, state_ids)
        inc.append([fips, FIPS_TO_NAME[fips], year, REAL_INCOME, r["real_pcpi_2017usd"], "USD", HIGHER])
    inc.sort(key=lambda x: (x[3], x[0], x[2]))
    s["income_rows"] = write_csv(
        out / "personal_income_state_2008_2024.csv",
        ["region_id", "state_name", "year", "indicator", "value", "unit", "direction"], inc)
    s["income_years"] = {name: (min(r[2] for r in inc if r[3] == name),
                                max(r[2] for r in inc if r[3] == name)) for name in (INCOME, REAL_INCOME)}

    # ---- bridges (FHWA NBI counts by functional class): poor from 2017, structurally
    # deficient through 2017; shares computed from the counts
    br = []
    for r in read_rows(oc / "fhwa_nbi_bridge_condition_by_state_2000_2025.csv"):
        fips = _state_row(r, state_ids)
        year, as_of = int(r["year"]), r["as_of"]
        pairs = [(BRIDGES_POOR, "bridges_poor", "bridges_total"),
                 (INTERSTATE_BRIDGES_POOR, "interstate_bridges_poor", "interstate_bridges_total"),
                 (BRIDGES_SD, "bridges_structurally_deficient", "bridges_total"),
                 (INTERSTATE_BRIDGES_SD, "interstate_bridges_sd", "interstate_bridges_total")]
        for name, part, whole in pairs:
            if not r[part]:
                continue
            n, total = _whole(r[part]), _whole(r[whole])
            value = _pct(n, total)
            if name == BRIDGES_POOR:      # same figure as the file's own share
                assert abs(Decimal(value) - Decimal(r["pct_poor_count"])) <= Decimal("0.01"), r
            if name == BRIDGES_SD:
                assert abs(Decimal(value) - Decimal(r["pct_sd_count"])) <= Decimal("0.01"), r
            br.append([fips, FIPS_TO_NAME[fips], year, name, value, "%", LOWER, n, total, as_of])
    br.sort(key=lambda x: (x[3], x[0], x[2]))
    s["bridge_rows"] = write_csv(
        out / "bridge_condition_state_2000_2025.csv",
        ["region_id", "state_name", "year", "indicator", "value", "unit", "direction",
         "bridges_in_class", "bridges_counted", "as_of"], br)
    s["bridge_years"] = {name: (min(r[2] for r in br if r[3] == name),
                                max(r[2] for r in br if r[3] == name))
                         for name in (BRIDGES_POOR, INTERSTATE_BRIDGES_POOR, BRIDGES_SD,
                                      INTERSTATE_BRIDGES_SD)}

    # ---- pavement roughness (FHWA HM-64), rural + urban: Interstate, and the major roads
    # (Interstate + other freeways and expressways + other principal arterials)
    pv, pv_blank = [], []
    wanted = {("interstate", "pct_poor_iri_gt170"): PAVEMENT_INTERSTATE_POOR,
              ("interstate", "pct_good_iri_lt95"): PAVEMENT_INTERSTATE_GOOD,
              ("all_hm64_systems", "pct_poor_iri_gt170"): PAVEMENT_MAJOR_POOR}
    direction = {PAVEMENT_INTERSTATE_POOR: LOWER, PAVEMENT_INTERSTATE_GOOD: HIGHER,
                 PAVEMENT_MAJOR_POOR: LOWER}
    for r in read_rows(oc / "fhwa_hm64_pavement_iri_by_state_2020_2022_2023_2024.csv"):
        if r["area"] != "total":
            continue
        fips = _state_row(r, state_ids)
        for (system, col), name in wanted.items():
            if r["functional_system"] != system:
                continue
            if not r[col]:
                pv_blank.append((r["usps"], int(r["year"]), name, r["measured_mi"]))
                continue
            pv.append([fips, FIPS_TO_NAME[fips], int(r["year"]), name, r[col], "%",
                       direction[name], r["measured_mi"]])
    pv.sort(key=lambda x: (x[3], x[0], x[2]))
    s["pavement_rows"] = write_csv(
        out / "pavement_roughness_state_2020_2024.csv",
        ["region_id", "state_name", "year", "indicator", "value", "unit", "direction",
         "measured_miles"], pv)
    s["pavement_blank"] = pv_blank
    s["pavement_years"] = sorted({r[2] for r in pv})
    return s


US_FEDERAL_TOML = '''\
# Demo workspace built by tools/build_demo_workspaces.py from public data; see SOURCES.md.

[workspace]
title = "US federal spending"
description = """Federal obligations by state and quarter from USAspending.gov (FY2008-FY2024): \
all agencies combined, and broken out for the 14 funding agencies in the source extract. \
Census population 2010-2024 (Puerto Rico included) for per-resident figures, and outcomes \
of the same years: unemployment by state and county (2008-2024), per-capita personal income \
(2008-2024, current and 2017 dollars), bridges in poor condition (2017-2025) or structurally \
deficient (2000-2017) and pavement roughness (2020, 2022-2024) by state."""
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
label = "Population (Census estimates 2010-2024, Puerto Rico included)"
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
label = "Population (Census estimates 2010-2024)"
unit = "people"
[tables.columns]
region_id = "region_id"
year = "year"
population = "population"

[[tables]]
id = "unemployment_state"
kind = "indicators"
level = "state"
file = "unemployment_state_2008_2024.csv"
label = "Unemployment rate by state 2008-2024 (BLS LAUS)"
unit = "%"
[tables.columns]
region_id = "region_id"
year = "year"
value = "unemployment_rate_pct"
[tables.constants]
indicator = "@UNEMPLOYMENT@"
unit = "%"
direction = "lower_is_better"

[[tables]]
id = "unemployment_county"
kind = "indicators"
level = "county"
file = "unemployment_county_2008_2024.csv"
label = "Unemployment rate by county 2008-2024 (BLS LAUS)"
unit = "%"
[tables.columns]
region_id = "region_id"
year = "year"
value = "unemployment_rate_pct"
[tables.constants]
indicator = "@UNEMPLOYMENT@"
unit = "%"
direction = "lower_is_better"

[[tables]]
id = "income"
kind = "indicators"
level = "state"
file = "personal_income_state_2008_2024.csv"
label = "Per-capita personal income by state 2008-2024, current and 2017 dollars (BEA)"
[tables.columns]
region_id = "region_id"
year = "year"
indicator = "indicator"
value = "value"
unit = "unit"
direction = "direction"

[[tables]]
id = "bridges"
kind = "indicators"
level = "state"
file = "bridge_condition_state_2000_2025.csv"
label = "Bridges in poor condition (2017-2025) and structurally deficient (2000-2017) by state (FHWA NBI)"
[tables.columns]
region_id = "region_id"
year = "year"
indicator = "indicator"
value = "value"
unit = "unit"
direction = "direction"

[[tables]]
id = "pavement"
kind = "indicators"
level = "state"
file = "pavement_roughness_state_2020_2024.csv"
label = "Pavement roughness (IRI) by state 2020, 2022-2024 (FHWA HM-64)"
[tables.columns]
region_id = "region_id"
year = "year"
indicator = "indicator"
value = "value"
unit = "unit"
direction = "direction"

# Targets for the Scorecard, keyed by indicator name (the same name at state and county level).
[targets."@UNEMPLOYMENT@"]
target = 5.0
direction = "lower_is_better"
at_risk = 1.0
label = "Unemployment at or below 5%"

[targets."@BRIDGES_POOR@"]
target = 5.0
direction = "lower_is_better"
at_risk = 1.0
label = "Under 5% of bridges in poor condition"

[[sources]]
name = "us-atlas counties-10m (TopoJSON)"
publisher = "Mike Bostock (packaging); U.S. Census Bureau cartographic boundary files 2017 (geometry)"
url = "https://github.com/topojson/us-atlas"
licence = "ISC (packaging, see boundaries/LICENSE.us-atlas.txt); geometry US-government public domain"
retrieved = "npm us-atlas@3.0.1"
files = ["boundaries/counties-10m.json", "boundaries/LICENSE.us-atlas.txt"]
notes = "Copied unchanged. Ids are FIPS text; CRS is not declared (lon/lat, EPSG:4326). 2017 vintage: Connecticut in its 8 old counties, Alaska's Valdez-Cordova (02261) not yet split."

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
name = "Census population estimates, Vintage 2019 (states with Puerto Rico, counties; 2010-2019)"
publisher = "U.S. Census Bureau"
url = "https://www.census.gov/programs-surveys/popest.html"
licence = "US-government data, public domain"
retrieved = "nst-est2019-alldata via GitHub mohnatus/covid-19, commit 52b79d62 (states); co-est2019-alldata via GitHub huntwelch/covid, commit 395ff1d7 (counties)"
files = ["population_state.csv", "population_county.csv"]
notes = "July 1 estimates POPESTIMATE2010-2019 (rows with vintage = 'Vintage 2019'). States: 50 states, DC and Puerto Rico; counties: 3,142 counties."

[[sources]]
name = "Census population estimates, Vintage 2024 (states with Puerto Rico, counties; 2020-2024)"
publisher = "U.S. Census Bureau"
url = "https://www.census.gov/programs-surveys/popest.html"
licence = "US-government data, public domain"
retrieved = "NST-EST2024-ALLDATA via GitHub lalavender112/data-analysis-protfolio, commit 40fcc52a (states); co-est2024-alldata via GitHub daltontf/SportWarzSim, commit 8e84cf76 (counties)"
files = ["population_state.csv", "population_county.csv"]
notes = "July 1 estimates POPESTIMATE2020-2024 (rows with vintage = 'Vintage 2024'). Alaska's Chugach (02063) and Copper River (02066) are summed into Valdez-Cordova (02261), the area they were split from; Connecticut's 9 planning regions (09110-09190) are kept although they match no county of the 2017 boundaries (reported on Data quality); the 8 old Connecticut counties have no population for 2020-2024. No Puerto Rico municipios."

[[sources]]
name = "BLS Local Area Unemployment Statistics, states (monthly, seasonally adjusted), annual means 2008-2024"
publisher = "U.S. Bureau of Labor Statistics"
url = "https://www.bls.gov/lau/"
licence = "US-government data, public domain"
retrieved = "ststdsadata.xlsx (Jan 1976 - Aug 2025) via GitHub KHALEDRABBAH/US-Unemployment-Dashboard, commit 7f3c68af; tidied in shared/data/outcomes"
files = ["unemployment_state_2008_2024.csv"]
notes = "Rate = mean unemployed / mean labor force over the 12 seasonally adjusted months (1 decimal); BLS's official annual averages use unadjusted data and can differ by 0.1 point. 50 states and DC; no Puerto Rico."

[[sources]]
name = "BLS Local Area Unemployment Statistics, county annual averages 2008-2024"
publisher = "U.S. Bureau of Labor Statistics"
url = "https://www.bls.gov/lau/tables.htm"
licence = "US-government data, public domain"
retrieved = "laucnty08-24 via GitHub HCF3263827/BLSData (dd45a8fa, 2008-2010), marshmatthew1324/Minimum-Wage-Project (93f9df44, 2011-2019), devicl/MathInsights (772d406c, 2020-2024); tidied in shared/data/outcomes"
files = ["unemployment_county_2008_2024.csv"]
notes = "The published rate, unchanged. Three BLS release vintages. Alaska 2020-2024: Chugach (02063) and Copper River (02066) summed into Valdez-Cordova (02261), rate recomputed from the sums. Connecticut 2020-2024 is in 9 planning regions (09110-09190) that match no county of the 2017 boundaries: kept and reported on Data quality, values listed in SOURCES.md. Alaska 2008-2009 codes 02201, 02232, 02280 predate the 2017 boundaries: kept and reported. Puerto Rico 2020 is not available (N.A. in the source): those rows are left out (listed in SOURCES.md)."

[[sources]]
name = "BEA state per-capita personal income (SAINC1) and real per-capita personal income (SASUMMARY)"
publisher = "U.S. Bureau of Economic Analysis"
url = "https://www.bea.gov/data/income-saving/personal-income-by-state"
licence = "US-government data, public domain"
retrieved = "SAINC1__ALL_AREAS_1929_2024.csv and SASUMMARY__ALL_AREAS_1998_2024.csv (BEA release of 28 March 2025) via GitHub jillkaria2709/Socioeconomic-Signals, commit c4083b70"
files = ["personal_income_state_2008_2024.csv"]
notes = "Current dollars 2008-2024; real (constant 2017 dollars, deflated with regional price parities) 2008-2023, the release has no real figure for 2024. 50 states and DC (no Puerto Rico)."

[[sources]]
name = "FHWA National Bridge Inventory: bridge condition by functional classification (count), by state"
publisher = "U.S. Federal Highway Administration"
url = "https://www.fhwa.dot.gov/bridge/nbi/condition.cfm"
licence = "US-government data, public domain"
retrieved = "fccount.xlsx (one sheet per year 2000-2025) via GitHub ReasonFoundation/Annual-Highway-Report, commit 02a2b0f7; tidied in shared/data/outcomes"
files = ["bridge_condition_state_2000_2025.csv"]
notes = "Shares of bridges by count (not deck area): poor = lowest component rating 4 or less (2017-2025); structurally deficient (2000-2017), an older measure, kept as its own indicator. Interstate = rural + urban Interstate bridges. Snapshot: December (to 2014), 31 December (2017-2020), 15 June (from 2021). 50 states, DC and Puerto Rico."

[[sources]]
name = "FHWA Highway Statistics table HM-64: miles by measured pavement roughness (IRI), by state"
publisher = "U.S. Federal Highway Administration"
url = "https://www.fhwa.dot.gov/policyinformation/statistics.cfm"
licence = "US-government data, public domain"
retrieved = "hm64.xls/xlsx for data years 2020, 2022, 2023, 2024 via GitHub ReasonFoundation/Annual-Highway-Report, commit 02a2b0f7; tidied in shared/data/outcomes"
files = ["pavement_roughness_state_2020_2024.csv"]
notes = "Rural + urban. Poor = IRI over 170 in/mi, good = IRI under 95 in/mi, as % of measured miles. Major roads = Interstate, other freeways and expressways, other principal arterials. No 2021 table. South Carolina reported no Interstate roughness for 2023 (left out). IRI is ride roughness only, not the full FHWA pavement condition measure."
'''


def us_federal_toml() -> str:
    """The manifest, with the indicator names of the outcome tables filled in."""
    return (US_FEDERAL_TOML.replace("@UNEMPLOYMENT@", UNEMPLOYMENT)
            .replace("@BRIDGES_POOR@", BRIDGES_POOR))


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
    ak_pop = "; ".join(f"{y}: {p['02063']:,} + {p['02066']:,} = {p['02063'] + p['02066']:,}"
                       for y, p in s["ak_population"].items())
    ak_un = "; ".join(
        f"{y}: labor force {p['02063'][0]:,} + {p['02066'][0]:,}, unemployed {p['02063'][1]:,} + "
        f"{p['02066'][1]:,} → {s['ak_unemployment_sum'][y]} % (published {p['02063'][2]} % and "
        f"{p['02066'][2]} %)" for y, p in s["ak_unemployment"].items())
    ak_old = ", ".join(f"{k} ({'–'.join(map(str, (v[0], v[-1]))) if len(v) > 1 else v[0]})"
                       for k, v in s["unemployment_county_unmatched"].items()
                       if k.startswith("02"))
    years = range(2020, 2025)
    head = "| id | planning region | " + " | ".join(map(str, years)) + " |\n|---|---|" + \
        "---:|" * len(years) + "\n"
    ct_pop_table = head + "\n".join(
        f"| {k} | {v['name']} | " + " | ".join(f"{v[y]:,}" for y in years) + " |"
        for k, v in sorted(s["ct_population"].items()))
    ct_un_table = "\n".join("    " + line for line in (head + "\n".join(
        f"| {k} | {v['name']} | " + " | ".join(str(v.get(y, "")) for y in years) + " |"
        for k, v in sorted(s["ct_unemployment"].items()))).splitlines())
    blank_years = ", ".join(map(str, sorted({y for _, y in s["unemployment_county_blank"]})))
    pr_blank = len({f for f, _ in s["unemployment_county_blank"]})
    assert all(f.startswith("72") for f, _ in s["unemployment_county_blank"])
    pv_blank = "; ".join(f"{u} {y} {name} ({mi} measured miles)"
                         for u, y, name, mi in s["pavement_blank"]) or "nothing"
    rows = [(UNEMPLOYMENT, "state", "%", LOWER, "2008–2024", "unemployment_state"),
            (UNEMPLOYMENT, "county", "%", LOWER, "2008–2024", "unemployment_county"),
            (INCOME, "state", "USD", HIGHER, "–".join(map(str, s["income_years"][INCOME])), "income"),
            (REAL_INCOME, "state", "USD", HIGHER, "–".join(map(str, s["income_years"][REAL_INCOME])),
             "income")]
    rows += [(name, "state", "%", LOWER, "–".join(map(str, span)), "bridges")
             for name, span in s["bridge_years"].items()]
    rows += [(name, "state", "%", HIGHER if "good" in name else LOWER,
              ", ".join(map(str, s["pavement_years"])), "pavement")
             for name in (PAVEMENT_INTERSTATE_POOR, PAVEMENT_INTERSTATE_GOOD, PAVEMENT_MAJOR_POOR)]
    indicator_table = "\n".join(f"| {n} | {lv} | {u} | {d.replace('_', ' ')} | {y} | `{t}` |"
                                for n, lv, u, d, y, t in rows)
    return f"""# US federal spending — sources and transformations

Built by `tools/build_demo_workspaces.py` from the read-only shared data folder (each shared folder's
own `SOURCES.md` has the full provenance). All amounts are nominal US dollars, written as decimal
text with two decimals (cents kept exactly). Fiscal year = federal FY (1 Oct N-1 to 30 Sep N).

| file | origin | licence | transformation | rows | key | years |
|---|---|---|---|---|---|---|
| `boundaries/counties-10m.json` | npm `us-atlas@3.0.1` (Census cartographic boundaries 2017, 1:10M) | ISC packaging (`boundaries/LICENSE.us-atlas.txt`), geometry public domain | copied unchanged | 56 states, 3,231 counties | `id` FIPS text (2 / 5 chars) | 2017 |
| `obligations_by_state_agency_quarter.csv` | USAspending `spending_by_geography`, state × funding agency × quarter (`usaspending_obligations_by_state_and_funding_agency_FY2008_2024_quarterly.csv`) | public domain | USPS code → `state_fips` via the crosswalk in the script (56 codes incl. DC, PR, GU, VI, MP, AS); `state_name` = boundary name; `population`, `agency_type`, `geo_layer` dropped; amount → 2-decimal text | {s['obligations_rows']:,} | `state_fips` + `fiscal_year` + `quarter` + `agency_code` | FY2008–FY2024 |
| `obligations_total_by_state_quarter.csv` | USAspending, state × quarter, all agencies (`usaspending_obligations_by_state_FY2008_2024_quarterly.csv`) | public domain | same as above | {s['obligations_total_rows']:,} | `state_fips` + `fiscal_year` + `quarter` | FY2008–FY2024 |
| `population_state.csv` | Census popest Vintage 2019 with Puerto Rico (`outcomes/census_state_population_2010_2019_v2019_incl_pr.csv`) + Vintage 2024 (`outcomes/census_state_population_2020_2024_v2024.csv`) | public domain | wide → long; `vintage` says which release each row comes from; names checked against the boundary | {s['population_state_rows']:,} ({s['population_state_regions']} areas: 50 states, DC, Puerto Rico) | `region_id` (2) + `year` | 2010–2024 |
| `population_county.csv` | Census popest Vintage 2019 (`census-popest/county_population_2010_2019.csv`) + Vintage 2024 (`outcomes/census_county_population_2020_2024_v2024.csv`) | public domain | wide → long; Alaska 02063 + 02066 summed into 02261; Connecticut planning regions kept (see below); `note` says so on those rows | {s['population_county_rows']:,} | `region_id` (5) + `year` | 2010–2024 |
| `unemployment_state_2008_2024.csv` | BLS LAUS states, monthly seasonally adjusted (`outcomes/bls_laus_state_unemployment_annual_2008_2024.csv`) | public domain | column selection: mean labor force and unemployed of the 12 months, rate = unemployed / labor force (1 decimal) | {s['unemployment_state_rows']:,} | `region_id` (2) + `year` | 2008–2024 |
| `unemployment_county_2008_2024.csv` | BLS LAUS county annual averages (`outcomes/bls_laus_county_unemployment_2008_2024_long.csv`, names from the wide file) | public domain | the published rate unchanged; Alaska 02063 + 02066 summed into 02261 for 2020–2024; {len(s['unemployment_county_blank'])} rows without a value left out (below) | {s['unemployment_county_rows']:,} | `region_id` (5) + `year` | 2008–2024 |
| `personal_income_state_2008_2024.csv` | BEA SAINC1 per-capita personal income (`outcomes/bea_sainc1_…_1929_2024.csv`) and SASUMMARY real per-capita personal income (`outcomes/bea_sasummary_…_1998_2024.csv`) | public domain | long, one row per state, year and indicator; the US row (00) and years before 2008 dropped | {s['income_rows']:,} | `region_id` (2) + `year` + `indicator` | 2008–2024 (real: {s['income_years'][REAL_INCOME][0]}–{s['income_years'][REAL_INCOME][1]}) |
| `bridge_condition_state_2000_2025.csv` | FHWA NBI bridge condition by functional class, counts (`outcomes/fhwa_nbi_bridge_condition_by_state_2000_2025.csv`) | public domain | long; share = bridges in the class / bridges counted × 100 (2 decimals; equal to the file's own shares); `bridges_in_class`, `bridges_counted` and the snapshot date `as_of` kept | {s['bridge_rows']:,} | `region_id` (2) + `year` + `indicator` | 2000–2025 |
| `pavement_roughness_state_2020_2024.csv` | FHWA Highway Statistics HM-64 (`outcomes/fhwa_hm64_pavement_iri_by_state_2020_2022_2023_2024.csv`) | public domain | rows `area = total` (rural + urban); Interstate poor and good shares, major-road (`all_hm64_systems`) poor share; `measured_miles` kept | {s['pavement_rows']:,} | `region_id` (2) + `year` + `indicator` | {', '.join(map(str, s['pavement_years']))} |
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

- States: July 1 estimates, Vintage 2019 for 2010–2019 and Vintage 2024 for 2020–2024
  (column `vintage`), 50 states, DC and **Puerto Rico** (so Puerto Rico has a per-resident
  rate). Each year's money is divided by that year's population (2020–2024 included); FY2008
  and FY2009 use the 2010 estimate (the app says so).
- Counties: Vintage 2019 for 2010–2019 (3,142 counties), Vintage 2024 for 2020–2024. No
  Puerto Rico municipios (not in the county file).
- Alaska: Valdez-Cordova Census Area (02261) was split on 1 Jan 2019 into Chugach (02063) and
  Copper River (02066), which together cover exactly the old area. The boundaries (2017) have
  02261 only, so the two are **summed into 02261** (exact): {ak_pop}.
- Connecticut: Vintage 2024 gives the 9 planning regions (09110–09190) that replaced the 8
  counties as county equivalents; the boundaries (2017) have the 8 old counties, and the regions
  do not nest in them, so there is no exact crosswalk. The planning-region rows are **kept** (they
  match no county, are reported on Data quality and are left out of the jurisdiction-wide
  rate), and the 8 old counties have **no population for 2020–2024**: their per-resident county
  figures for those years show as No data. Planning-region population:

{ct_pop_table}

## Indicators

| indicator | level | unit | direction | years | table |
|---|---|---|---|---|---|
{indicator_table}

Targets for the Scorecard (`[targets]` in `workspace.toml`, keyed by indicator name):
"{UNEMPLOYMENT}" 5 (lower is better, `at_risk` 1 point; "Unemployment at or below 5%") and
"{BRIDGES_POOR}" 5 (lower is better, `at_risk` 1 point; "Under 5% of bridges in poor
condition"). They are illustrative round numbers, not adopted federal targets.

- **Same years as the money.** Every indicator is by calendar year; the money is by federal
  fiscal year (FY2024 = Oct 2023–Sep 2024). Money and results pairs FY N with year N.
- **Unemployment, states**: mean of the 12 seasonally adjusted months; BLS's official annual
  averages use unadjusted data and can differ by 0.1 point. No Puerto Rico in the state file.
- **Unemployment, counties**: the published annual-average rate. The series mixes three BLS
  release vintages (2008–2010: 2016/2019 releases; 2011–2019: April 2023; 2020–2024: a later
  release), fine for maps, not for fine trend work. Kalawao (15005) is never in LAUS.
  - Alaska 2020–2024: 02063 + 02066 summed into 02261, rate = unemployed / labor force
    (1 decimal): {ak_un}.
  - Alaska 2008–2009: {ak_old} are census areas changed before the 2017 boundaries and have no
    exact crosswalk to them: kept, they match no county and are reported on Data quality.
  - Connecticut 2020–2024: the 9 planning regions are **kept**, match no county, and are reported
    on Data quality; the 8 old counties have values for 2008–2019 only. Values (% of labor
    force):

{ct_un_table}
  - Puerto Rico 2020: the source has "N.A." for all {pr_blank} municipios; those rows are left
    out (no value to show): {blank_years}.
- **Personal income**: current dollars (SAINC1, BEA release of 28 March 2025) and real
  per-capita personal income in constant 2017 dollars (SASUMMARY; BEA deflates by each state's
  regional price parity, so it compares purchasing power across states). No real figure for
  2024 in this release. No Puerto Rico.
- **Bridges**: shares by count of bridges (FHWA's performance measure uses deck area on the
  National Highway System). "Poor" (lowest of deck, superstructure, substructure or culvert
  rating 4 or less) exists from 2017; "structurally deficient" (the older definition) through
  2017 — two indicators, not one spliced series (2017 has both). Snapshots: December of the
  year to 2014, 31 December 2017–2020, **15 June from 2021** (so "2021" is 5.5 months after
  "2020"). Interstate = rural + urban Interstate bridges. Puerto Rico included.
- **Pavement roughness**: HM-64 miles by measured IRI, rural + urban. Poor = IRI over 170
  in/mi, good = under 95, as a share of measured miles. Major roads = Interstate + other
  freeways and expressways + other principal arterials. Data years 2020, 2022, 2023, 2024
  (no 2021 table was found). Left out for lack of a value: {pv_blank}. IRI measures ride
  roughness only (the FHWA condition measure also uses cracking, rutting, faulting).
"""


def grants_summary(g: dict) -> str:
    res = g["result"]
    lines = [f"- {line}" for line in res.summary()]
    lines.append("- Rejected rows: " + "; ".join(
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
