"""The bad-input catalogue: small workspaces with one defect each, and what must come of it.

Each :class:`Case` starts from a clean three-region workspace (ids 01001-01003, one
allocations table ``spend`` of three rows at 100 + 200 + 300, a population and an indicator
table) and changes one thing. Its expectations: the problem reported (code and a piece of the
message), how many rows of ``spend`` reach the ledger, and the ledger total in cents — and,
for every case, that the map's join reconciles to the cent and that a map of each measure
can be computed without an exception.

``python -m tests.catalogue`` prints the catalogue as a Markdown table (kind → message →
rows kept).
"""
from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import GeometryCollection, LineString, Point, mapping

from tests.fixtures.helpers import bowtie, square, write_geojson, write_workspace

HEAD = """
[workspace]
title = "Catalogue"
{workspace_extra}

[[levels]]
id = "county"
label = "County"
file = "regions.geojson"
key = "id"
name = "name"
key_width = 5
{level_extra}

[[tables]]
id = "{table_id}"
kind = "allocations"
level = "county"
file = "{spend_file}"
{table_extra}
[tables.columns]
{spend_columns}

[[tables]]
id = "pop"
kind = "population"
level = "county"
file = "pop.csv"
[tables.columns]
region_id = "fips"
year = "year"
population = "population"

[[tables]]
id = "ind"
kind = "indicators"
level = "county"
file = "ind.csv"
[tables.columns]
region_id = "fips"
year = "year"
value = "value"
[tables.constants]
indicator = "Rate"
unit = "%"
"""
SPEND = "fips,fy,amount\n01001,2024,100\n01002,2024,200\n01003,2024,300\n"
POP = "fips,year,population\n01001,2024,10\n01002,2024,20\n01003,2024,30\n"
IND = "fips,year,value\n01001,2024,5.5\n01002,2024,6\n01003,2024,7\n"
COLUMNS = 'region_id = "fips"\nfiscal_year = "fy"\namount = "amount"'
REGIONS = [("01001", "Alpha", square(0, 0)), ("01002", "Beta", square(1, 0)),
           ("01003", "Gamma", square(2, 0))]


@dataclass(frozen=True)
class Case:
    kind: str                                   # what is wrong, as a person would say it
    spend: str | bytes = SPEND
    expect: tuple[str, str] | None = None       # (problem code, piece of its message)
    kept: int | None = 3                        # rows of `spend` in the ledger
    total: int | None = 60_000                  # ledger total, cents
    placed: int | None = None                   # on the map, cents (default: the total)
    table_extra: str = ""
    level_extra: str = ""
    workspace_extra: str = ""
    columns: str = COLUMNS
    spend_file: str = "spend.csv"
    table_id: str = "spend"
    pop: str = POP
    ind: str = IND
    regions: list = field(default_factory=lambda: list(REGIONS))
    regions_raw: str | None = None              # a GeoJSON text instead of `regions`
    manifest_error: str | None = None           # the manifest is refused with this text
    links: dict = field(default_factory=dict)   # extra files: name → content
    check: str = ""                             # a named extra check (see the test)

    @property
    def id(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.kind.lower())[:60]


def rows(*lines: str, header: str = "fips,fy,amount") -> str:
    return header + "\n" + "\n".join(lines) + "\n"


def _u8(text: str, enc: str) -> bytes:
    return text.encode(enc)


def _points_and_lines():
    return [("01001", "Alpha", square(0, 0)), ("01002", "Beta", Point(1.5, 0.5)),
            ("01003", "Gamma", LineString([(2, 0), (3, 1)]))]


def _collection():
    return [("01001", "Alpha", square(0, 0)),
            ("01002", "Beta", GeometryCollection([square(1, 0), Point(9, 9)])),
            ("01003", "Gamma", square(2, 0))]


def _projected_geojson() -> str:
    feats = [{"type": "Feature", "properties": {"id": f"0100{i}", "name": n},
              "geometry": mapping(square(230000 + i * 1000, 900000, 1000))}
             for i, n in ((1, "Alpha"), (2, "Beta"), (3, "Gamma"))]
    return json.dumps({"type": "FeatureCollection", "features": feats})


CASES: list[Case] = [
    # ---------------------------------------------------------------- amounts
    Case("amount 'n/a'", rows("01001,2024,100", "01002,2024,n/a", "01003,2024,300"),
         ("bad_number", "not a number"), kept=2, total=40_000),
    Case("amount 'TBD'", rows("01001,2024,TBD", "01002,2024,200", "01003,2024,300"),
         ("bad_number", "not a number"), kept=2, total=50_000),
    Case("thousands comma out of place '1234,567'",
         rows("01001,2024,100", '01002,2024,"1234,567"', "01003,2024,300"),
         ("bad_number", "neither a valid thousands separator"), kept=2, total=40_000),
    Case("decimal comma in a point-decimal table '0,125'",
         rows("01001,2024,100", '01002,2024,"0,125"', "01003,2024,300"),
         ("bad_number", "neither a valid thousands separator"), kept=2, total=40_000),
    Case("two decimals after a comma '1,23'",
         rows("01001,2024,100", '01002,2024,"1,23"', "01003,2024,300"),
         ("bad_number", "neither a valid thousands separator"), kept=2, total=40_000),
    Case("sign inside accounting parentheses '(-3)'",
         rows("01001,2024,100", "01002,2024,(-3)", "01003,2024,300"),
         ("bad_number", "sign inside accounting parentheses"), kept=2, total=40_000),
    Case("percentage as an amount '12%'",
         rows("01001,2024,100", "01002,2024,12%", "01003,2024,300"),
         ("bad_number", "percentage where an amount"), kept=2, total=40_000),
    Case("amount 'inf'", rows("01001,2024,100", "01002,2024,inf", "01003,2024,300"),
         ("bad_number", "not a finite number"), kept=2, total=40_000),
    Case("amount '-Infinity'", rows("01001,2024,100", "01002,2024,-Infinity", "01003,2024,300"),
         ("bad_number", "not a finite number"), kept=2, total=40_000),
    Case("amount '1e309'", rows("01001,2024,100", "01002,2024,1e309", "01003,2024,300"),
         ("bad_number", "not a finite number"), kept=2, total=40_000),
    Case("400-digit amount", rows("01001,2024,100", "01002,2024," + "9" * 400, "01003,2024,300"),
         ("bad_number", "not a finite number"), kept=2, total=40_000),
    Case("amount 9.3e16 (beyond cents in 64 bits)",
         rows("01001,2024,100", "01002,2024,9.3e16", "01003,2024,300"),
         ("bad_number", "larger than the largest amount"), kept=2, total=40_000),
    Case("blank amount", rows("01001,2024,100", "01002,2024,", "01003,2024,300"),
         ("blank_value", "blank value"), kept=2, total=40_000),
    Case("currency and thousands '$1,234.50'",
         rows('01001,2024,"$1,234.50"', "01002,2024,200", "01003,2024,300"),
         None, total=173_450),
    Case("accounting negative '(1,200)'",
         rows('01001,2024,"(1,200)"', "01002,2024,200", "01003,2024,300"),
         ("negative_amount", "negative amount"), total=-70_000),
    Case("unicode minus '−5'", rows("01001,2024,−5", "01002,2024,200", "01003,2024,300"),
         ("negative_amount", "negative amount"), total=49_500),
    Case("exponent '3.68E+08'", rows("01001,2024,3.68E+08", "01002,2024,200", "01003,2024,300"),
         None, total=36_800_050_000),
    Case("space as thousands separator '12 345'",
         rows("01001,2024,12 345", "01002,2024,200", "01003,2024,300"), None, total=1_284_500),
    Case("decimal comma table '1.234,50'",
         rows('01001,2024,"1.234,50"', "01002,2024,200", "01003,2024,300"), None,
         total=173_450, table_extra='decimal = ","'),
    Case("decimal comma table '1,5'", rows('01001,2024,"1,5"', "01002,2024,200", "01003,2024,300"),
         None, total=50_150, table_extra='decimal = ","'),
    Case("point in a decimal-comma table '1.5'",
         rows("01001,2024,1.5", "01002,2024,200", "01003,2024,300"),
         ("bad_number", "neither a valid thousands separator"), kept=2, total=50_000,
         table_extra='decimal = ","'),
    # ---------------------------------------------------------------- years and quarters
    Case("two-digit year 'FY22'", rows("01001,FY22,100", "01002,2024,200", "01003,2024,300"),
         ("bad_year", "two-digit year"), kept=2, total=50_000),
    Case("two-year span '2022-23' without a rule",
         rows("01001,2022-23,100", "01002,2024,200", "01003,2024,300"),
         ("bad_year", "year_span"), kept=2, total=50_000),
    Case("two-year span '2023-24' with year_span = end",
         rows("01001,2023-24,100", "01002,2024,200", "01003,2024,300"),
         ("year_span", "read as the second year"), table_extra='year_span = "end"'),
    Case("two-year span '2023/24' with year_span = start",
         rows("01001,2024/25,100", "01002,2024,200", "01003,2024,300"),
         ("year_span", "read as the first year"), table_extra='year_span = "start"'),
    Case("year '12008'", rows("01001,12008,100", "01002,2024,200", "01003,2024,300"),
         ("bad_year", "not a year"), kept=2, total=50_000),
    Case("year '20081'", rows("01001,20081,100", "01002,2024,200", "01003,2024,300"),
         ("bad_year", "not a year"), kept=2, total=50_000),
    Case("year 'FY2024' and '2024年'", rows("01001,FY2024,100", "01002,2024年,200",
                                            "01003,2024,300"), None),
    Case("year 1700", rows("01001,1700,100", "01002,2024,200", "01003,2024,300"),
         ("bad_year", "outside 1800-2199"), kept=2, total=50_000),
    Case("span whose years do not follow '2019-2021'",
         rows("01001,2019-2021,100", "01002,2024,200", "01003,2024,300"),
         ("bad_year", "do not follow each other"), kept=2, total=50_000),
    Case("every year unreadable 'FY22'", rows("01001,FY22,100", "01002,FY22,200",
                                              "01003,FY22,300"),
         ("no_usable_rows", "not offered on the map"), kept=0, total=None),
    Case("quarter 0", rows("01001,2024,0,100", "01002,2024,1,200", "01003,2024,2,300",
                           header="fips,fy,q,amount"),
         ("bad_year", "not a quarter from 1 to 4"), kept=3, total=60_000,
         columns=COLUMNS + '\nquarter = "q"', check="quarter_null"),
    Case("quarter 7", rows("01001,2024,7,100", "01002,2024,1,200", "01003,2024,2,300",
                           header="fips,fy,q,amount"),
         ("bad_year", "not a quarter from 1 to 4"), columns=COLUMNS + '\nquarter = "q"'),
    Case("quarter 'Q3' and '第四季度'", rows("01001,2024,Q3,100", "01002,2024,第四季度,200",
                                          "01003,2024,1,300", header="fips,fy,q,amount"),
         None, columns=COLUMNS + '\nquarter = "q"'),
    # ---------------------------------------------------------------- keys
    Case("FIPS stored as a number '1001'", rows("1001,2024,100", "01002,2024,200",
                                                "01003,2024,300"),
         ("padded_key", "lost their leading zeros")),
    Case("FIPS through a float '1001.0'", rows("1001.0,2024,100", "01002,2024,200",
                                               "01003,2024,300"),
         ("padded_key", "lost their leading zeros")),
    Case("key that matches no region", rows("01001,2024,100", "99999,2024,200", "01003,2024,300"),
         ("unmatched_key", "match no county"), placed=40_000),
    Case("blank key", rows("01001,2024,100", ",2024,200", "01003,2024,300"),
         ("blank_region", "have no region"), placed=40_000),
    Case("key with spaces ' 01001 '", rows(" 01001 ,2024,100", "01002,2024,200",
                                           "01003,2024,300"), None),
    Case("key column with numbers and text", rows("01001,2024,100", "abc,2024,200",
                                                  "01003,2024,300"),
         ("unmatched_key", "match no county"), placed=40_000),
    Case("region named instead of id, one unknown name",
         rows("alpha,2024,100", "BETA ,2024,200", "Nowhere,2024,300", header="town,fy,amount"),
         ("unknown_name", "name a region that is not"), placed=30_000,
         columns='region_name = "town"\nfiscal_year = "fy"\namount = "amount"'),
    # ---------------------------------------------------------------- the file
    Case("one row with an unquoted comma", rows("01001,2024,100", "01002,2024,1,200",
                                                "01003,2024,300"),
         ("bad_line", "do not have the header's 3 fields"), kept=2, total=40_000),
    Case("a row with too few fields", rows("01001,2024,100", "01002,2024", "01003,2024,300"),
         ("bad_line", "do not have the header's 3 fields"), kept=2, total=40_000),
    Case("empty file", "", ("empty_file", "the file is empty"), kept=0, total=None),
    Case("header only", "fips,fy,amount\n", ("no_rows", "no data rows"), kept=0, total=None),
    Case("cp1252 file, no encoding declared",
         _u8("fips,fy,agency,amount\n01001,2024,Children’s €,100\n01002,2024,x,200\n"
             "01003,2024,y,300\n", "cp1252"),
         ("encoding_detected", "read as cp1252"),
         columns=COLUMNS + '\nagency = "agency"', check="agency_cp1252"),
    Case("cp1252 file declared latin-1",
         _u8("fips,fy,agency,amount\n01001,2024,Children’s,100\n01002,2024,x,200\n"
             "01003,2024,y,300\n", "cp1252"),
         ("latin1_is_cp1252", "read as cp1252"), table_extra='encoding = "latin-1"',
         columns=COLUMNS + '\nagency = "agency"', check="agency_cp1252"),
    Case("GB18030 file, no encoding declared",
         _u8("fips,fy,agency,amount\n01001,2024,财政部门支出,100\n01002,2024,教育局,200\n"
             "01003,2024,交通运输局,300\n", "gb18030"),
         ("encoding_detected", "read as gb18030"), columns=COLUMNS + '\nagency = "agency"',
         check="agency_gb18030"),
    Case("bytes that are not valid in the declared encoding",
         b"fips,fy,agency,amount\n01001,2024,ok,100\n01002,2024,\xff\xfe bad,200\n"
         b"01003,2024,ok,300\n",
         ("undecodable_bytes", "not valid utf-8"), table_extra='encoding = "utf-8"',
         columns=COLUMNS + '\nagency = "agency"'),
    Case("UTF-8 with a byte-order mark", codecs.BOM_UTF8 + SPEND.encode("utf-8"), None),
    Case("UTF-16 with a byte-order mark", SPEND.encode("utf-16"), None),
    Case("semicolon-delimited file", SPEND.replace(",", ";"), None),
    Case("TSV with decimal commas", "fips\tfy\tamount\n01001\t2024\t100,5\n01002\t2024\t200\n"
         "01003\t2024\t300\n", None, total=60_050, spend_file="spend.tsv",
         table_extra='decimal = ","'),
    Case("duplicate column names", rows("01001,2024,100,1", "01002,2024,200,2", "01003,2024,300,3",
                                        header="fips,fy,amount,amount"),
         ("duplicate_column", "appear more than once")),
    Case("mapped column missing from the file", rows("01001,2024,100", header="fips,fy,amt"),
         ("missing_column", "not in the file"), kept=0, total=None),
    Case("file over the size limit", SPEND + "#" * 200_000, ("too_large", "over the limit"),
         kept=0, total=None, table_extra="max_file_mb = 0.1"),
    Case("unknown encoding name", SPEND, ("bad_encoding", "not an encoding"),
         table_extra='encoding = "klingon-8"'),
    Case("quoted line break inside a value",
         'fips,fy,agency,amount\n01001,2024,"two\nlines",100\n01002,2024,x,200\n'
         "01003,2024,y,oops\n",
         ("bad_number", "not a number"), kept=2, total=30_000,
         columns=COLUMNS + '\nagency = "agency"', check="line_after_break"),
    Case("a table id with a hyphen", SPEND, None, table_id="spend-2024"),
    # ---------------------------------------------------------------- boundaries
    Case("self-intersecting polygon", SPEND, ("invalid_geometry", "repaired"),
         regions=[("01001", "Alpha", bowtie(0, 0)), *REGIONS[1:]]),
    Case("empty geometry", SPEND, ("empty_geometry", "empty geometry"), placed=40_000,
         regions=[REGIONS[0], ("01002", "Beta", {"type": "Polygon", "coordinates": []}),
                  REGIONS[2]]),
    Case("points and lines in an area layer", SPEND, ("not_an_area", "not areas"),
         placed=10_000, regions=_points_and_lines()),
    Case("geometry collection holding a polygon", SPEND,
         ("geometry_collection", "polygon parts are used"), regions=_collection()),
    Case("duplicate region id (a region in two parts)", SPEND,
         ("duplicate_key", "merged into one region"),
         regions=[*REGIONS, ("01003", "Gamma", square(5, 5))], check="merged_parts"),
    Case("projected coordinates without a CRS", SPEND,
         ("projected_without_crs", "not longitude/latitude"), placed=0,
         regions_raw=_projected_geojson(), check="no_regions"),
    Case("feature without an id", SPEND, ("blank_key", "have no id"), placed=40_000,
         regions=[REGIONS[0], ("", "Beta", square(1, 0)), REGIONS[2]]),
    Case("boundary key column missing", SPEND, ("missing_column", "not in the boundary layer"),
         placed=0, level_extra="", regions_raw=json.dumps({
             "type": "FeatureCollection", "features": [
                 {"type": "Feature", "properties": {"code": "01001", "name": "Alpha"},
                  "geometry": mapping(square(0, 0))}]}), check="no_regions"),
    # ---------------------------------------------------------------- population, indicators
    Case("zero population", SPEND, ("bad_population", "zero population"),
         pop=POP.replace("01002,2024,20", "01002,2024,0")),
    Case("negative population", SPEND, ("bad_population", "negative population"),
         pop=POP.replace("01002,2024,20", "01002,2024,-5")),
    Case("duplicate population rows", SPEND, ("duplicate_key", "duplicate row"),
         pop=POP + "01001,2024,11\n"),
    Case("indicator written with a % sign", SPEND, ("percent_sign", "percentage points"),
         ind=IND.replace("01001,2024,5.5", "01001,2024,5.5%"), check="indicator_percent"),
    Case("indicator with no readable year", SPEND, ("bad_year", "two-digit year"),
         ind="fips,year,value\n01001,FY24,1\n", check="no_indicators"),
    # ---------------------------------------------------------------- the manifest
    Case("file outside the workspace folder", manifest_error="outside the workspace folder",
         spend_file="../outside.csv"),
    Case("absolute path to a system file", manifest_error="must be a path inside",
         spend_file="/etc/hostname"),
    Case("symlink pointing outside the folder", manifest_error="outside the workspace folder",
         spend_file="link.csv", links={"link.csv": "->/etc/hostname"}),
    Case("misspelt manifest key", manifest_error="did you mean `encoding`",
         table_extra='encodng = "utf-8"'),
    Case("unknown year_span rule", manifest_error="'year_span' must be",
         table_extra='year_span = "middle"'),
    Case("projected coordinates with the manifest's CRS", SPEND, ("no_crs", "EPSG:26986 assumed"),
         regions_raw=_projected_geojson(), level_extra='crs = "EPSG:26986"'),
    Case("manifest CRS that is not a CRS", SPEND, ("bad_crs", "is not a CRS"), placed=0,
         regions_raw=_projected_geojson(), level_extra='crs = "EPSG:nope"', check="no_regions"),
]


def build(case: Case, root: Path) -> Path:
    manifest = HEAD.format(workspace_extra=case.workspace_extra, level_extra=case.level_extra,
                           table_extra=case.table_extra, spend_columns=case.columns,
                           spend_file=case.spend_file, table_id=case.table_id)
    files: dict[str, str | bytes] = {"pop.csv": case.pop, "ind.csv": case.ind}
    if not case.spend_file.startswith(("/", "..")) and case.spend_file not in case.links:
        files[case.spend_file] = case.spend
    ws = write_workspace(root, manifest, files)
    for name, target in case.links.items():
        (ws / name).symlink_to(target.removeprefix("->"))
    if case.spend_file.startswith(".."):
        (root.parent / case.spend_file.removeprefix("../")).write_text(SPEND, encoding="utf-8")
    if case.regions_raw is not None:
        (ws / "regions.geojson").write_text(case.regions_raw, encoding="utf-8")
    else:
        write_geojson(ws / "regions.geojson", case.regions)
    return ws


def markdown_table() -> str:
    lines = ["| # | kind | reported (code: message) | rows kept | ledger total |",
             "|---|---|---|---|---|"]
    for i, c in enumerate(CASES, 1):
        if c.manifest_error:
            said, kept, total = f"manifest refused: {c.manifest_error}", "—", "—"
        else:
            said = f"`{c.expect[0]}`: {c.expect[1]}" if c.expect else "read as meant, nothing to report"
            kept = "—" if c.kept is None else f"{c.kept} of 3"
            total = "—" if c.total is None else f"{c.total / 100:,.2f}"
        lines.append(f"| {i} | {c.kind} | {said} | {kept} | {total} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
