"""Boundary shapes made fit for a region layer, each decision reported.

:func:`to_lonlat` puts a layer in EPSG:4326 (refusing coordinates that cannot be longitude/
latitude when no CRS says what they are), :func:`areas_only` keeps the areas of a layer,
:func:`merge_duplicates` joins the parts of a region that come as several features. Each takes
the file name for its messages and appends to a list of problems.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from locales import N_

from ..problems import Problem, Text, problem_for_rows

if TYPE_CHECKING:
    from ..workspace import Level


def to_lonlat(gdf: gpd.GeoDataFrame, lv: Level, fname: str, problems: list[Problem]) \
        -> tuple[gpd.GeoDataFrame | None, np.ndarray]:
    """The layer in EPSG:4326. A layer without a CRS takes the manifest's ``crs``; without
    one either, it is taken as longitude/latitude only when its coordinates fit (reported),
    and refused when they look projected (metres or feet read as degrees would draw nowhere)."""
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds) if len(gdf) else (0, 0, 0, 0)
    lonlat = bool(np.isfinite([minx, miny, maxx, maxy]).all()) and \
        -180.5 <= minx <= maxx <= 360.5 and -90.5 <= miny <= maxy <= 90.5
    extent = Text(N_("x {minx} to {maxx}, y {miny} to {maxy}"), minx=f"{minx:,.0f}",
                  maxx=f"{maxx:,.0f}", miny=f"{miny:,.0f}", maxy=f"{maxy:,.0f}")
    # GeoJSON always declares longitude/latitude: coordinates far outside it are another CRS.
    says_lonlat_but_is_not = gdf.crs is not None and gdf.crs.is_geographic and not lonlat
    if gdf.crs is None or says_lonlat_but_is_not:
        declared = gdf.crs.to_string() if gdf.crs is not None else ""
        if lv.crs:
            text = Text(N_("the layer declares no CRS; {crs} assumed as the manifest says"),
                        crs=lv.crs) if gdf.crs is None else \
                Text(N_("the layer declares {declared} (GeoJSON always does) but its coordinates "
                        "are not longitude/latitude ({extent}); {crs} assumed as the manifest "
                        "says"), declared=declared, extent=extent, crs=lv.crs)
            problems.append(Problem("repaired", fname, text, code="no_crs"))
            try:
                gdf = gdf.set_crs(lv.crs, allow_override=True)
            except Exception as exc:  # noqa: BLE001 - an unknown CRS string
                problems.append(Problem(
                    "error", fname, Text(N_("the manifest's crs {crs} is not a CRS: {error}"),
                                         crs=repr(lv.crs), error=str(exc)),
                    expected=Text(N_("e.g. EPSG:4326 or EPSG:26986")), code="bad_crs"))
                return None, np.array([], dtype=bool)
        elif lonlat:
            problems.append(Problem(
                "repaired", fname, Text(N_("the layer declares no CRS; its coordinates are within "
                                           "longitude/latitude ranges, so EPSG:4326 is assumed")),
                expected=Text(N_("crs = \"EPSG:4326\" (or the right CRS) in the level's manifest "
                                 "entry")), code="no_crs"))
            gdf = gdf.set_crs(4326)
        else:
            text = Text(N_("the layer declares no CRS and its coordinates are not "
                           "longitude/latitude ({extent}): a projected CRS in metres or feet? It "
                           "cannot be placed on the map"), extent=extent) if gdf.crs is None else \
                Text(N_("the layer declares {declared} (GeoJSON always does) but its coordinates "
                        "are not longitude/latitude ({extent}): a projected CRS in metres or feet? "
                        "It cannot be placed on the map"), declared=declared, extent=extent)
            problems.append(Problem(
                "error", fname, text,
                expected=Text(N_("the CRS of the coordinates as crs = \"EPSG:….\" in the level's "
                                 "manifest entry, or a .prj file beside a Shapefile")),
                code="projected_without_crs"))
            return None, np.array([], dtype=bool)
    try:
        if gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
    except Exception as exc:  # noqa: BLE001 - pyproj cannot transform
        problems.append(Problem(
            "error", fname, Text(N_("cannot be transformed to longitude/latitude: {error}"),
                                 error=str(exc)), code="bad_crs"))
        return None, np.array([], dtype=bool)
    bounds = gdf.geometry.bounds
    lost = ~np.isfinite(bounds.to_numpy(dtype="float64")).all(axis=1) & \
        ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if lost.any():
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} feature(s) have coordinates that cannot be placed on the "
                                    "globe in {crs}; left out"), n=f"{int(lost.sum()):,}",
                                 crs=gdf.crs.to_string() if gdf.crs else Text(N_("this CRS"))),
            column="geometry", line_numbers=np.flatnonzero(lost) + 1,
            expected=Text(N_("coordinates in the layer's CRS")), code="bad_coordinates"))
        gdf = gdf.set_geometry(gdf.geometry.where(~lost, None))
    return gdf, lost


AREA_TYPES = ("Polygon", "MultiPolygon")


def areas_only(out: gpd.GeoDataFrame, fname: str, problems: list[Problem]) -> gpd.GeoDataFrame:
    """Regions are areas: the polygon parts of a geometry collection are kept (reported); points
    and lines are reported and left out, so their amounts count as not placed."""
    types = out.geometry.geom_type
    coll = types == "GeometryCollection"
    if coll.any():
        parts = polygonal(out.geometry.values[coll.to_numpy()])
        problems.append(problem_for_rows(
            "repaired", fname, Text(N_("{n} feature(s) are geometry collections; their polygon "
                                       "parts are used as the region"), n=f"{int(coll.sum()):,}"),
            column="geometry", line_numbers=feature_numbers(out, coll),
            values=out.loc[coll, "region_id"], expected=Text(N_("a Polygon or MultiPolygon")),
            code="geometry_collection"))
        out = out.copy()
        out.loc[coll, "geometry"] = parts
        types = out.geometry.geom_type
    not_area = ~types.isin(AREA_TYPES)
    if not_area.any():
        found = sorted(set(types[not_area].astype(str)))
        problems.append(problem_for_rows(
            "error", fname, Text(N_("{n} feature(s) are not areas ({types}); they cannot be drawn "
                                    "as regions and their amounts count as not placed"),
                                 n=f"{int(not_area.sum()):,}", types=", ".join(found)),
            column="geometry", line_numbers=feature_numbers(out, not_area),
            values=out.loc[not_area, "region_id"], expected=Text(N_("a Polygon or MultiPolygon")),
            code="not_an_area"))
        out = out[~not_area]
    return out


def merge_duplicates(out: gpd.GeoDataFrame, fname: str, key: str,
                      problems: list[Problem]) -> gpd.GeoDataFrame:
    """Features sharing an id are parts of one region (islands, exclaves): merged into one
    multi-part shape, never dropped, so money keyed to the id is placed on all of it."""
    dup = out["region_id"].duplicated(keep=False)
    if not dup.any():
        return out
    later = out["region_id"].duplicated(keep="first")
    names = out.loc[dup].groupby("region_id")["name"].agg(lambda s: sorted(set(s)))
    differing = {rid: n for rid, n in names.items() if len(n) > 1}
    count = f"{int(later.sum()):,}"
    if differing:
        sample = "; ".join(f"{rid}: {' / '.join(map(str, n))}" for rid, n in
                           list(differing.items())[:3])
        msg = Text(N_("{n} feature(s) share their id with an earlier feature; the shapes of each "
                      "id are merged into one region (the names differ for {ids} id(s), the first "
                      "name is used: {sample})"), n=count, ids=f"{len(differing):,}", sample=sample)
    else:
        msg = Text(N_("{n} feature(s) share their id with an earlier feature; the shapes of each "
                      "id are merged into one region"), n=count)
    problems.append(problem_for_rows(
        "warning" if differing else "repaired", fname, msg, column=key,
        line_numbers=feature_numbers(out, later), values=out.loc[later, "region_id"],
        expected=Text(N_("one feature per id, or parts of the same region")), code="duplicate_key"))
    first = out[~later].copy()
    merged = out.loc[dup].groupby("region_id").geometry.agg(
        lambda g: shapely.union_all(g.values))
    pos = first["region_id"].isin(merged.index).to_numpy()
    first.loc[pos, "geometry"] = merged.reindex(first.loc[pos, "region_id"]).values
    return first


def feature_numbers(frame: pd.DataFrame, mask: pd.Series) -> np.ndarray:
    """1-based feature numbers in the file of the masked rows (earlier rows may be dropped)."""
    return np.asarray(frame.index[mask.to_numpy()], dtype=np.int64) + 1


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts of make_valid's output (it may add lines and points)."""
    result = []
    for g in geoms:
        if g is not None and g.geom_type == "GeometryCollection":
            polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(polys) if polys else g
        result.append(g)
    return np.array(result, dtype=object)
