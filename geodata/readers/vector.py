"""Vector files (boundaries, overlays): which layers and fields they hold, and reading them.

Any format GDAL reads (GeoJSON, TopoJSON, GeoPackage, Shapefile, KML) plus GeoParquet. A
zipped Shapefile is read inside its zip (GDAL's ``/vsizip/``), after :func:`check_zip` has
refused a zip whose member names leave its folder (``../x``, ``/etc/x``) or whose
uncompressed size is out of proportion (a "zip bomb"): such a file is refused with the
reason, never opened.
"""
from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd

from locales import t

PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
#: A zip may expand to at most this many times its own size, and to at most this many bytes.
MAX_ZIP_RATIO = 200
MAX_ZIP_BYTES = 4 * 1024 ** 3


class VectorError(ValueError):
    """A vector file that cannot be opened; the message says why, in the user's terms."""


def check_zip(path: Path, *, max_bytes: int = MAX_ZIP_BYTES) -> list[str]:
    """Reasons to refuse a zip archive (empty when it is safe to open)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        return [t("not a readable zip archive ({error})", error=str(exc))]
    out: list[str] = []
    outside = [i.filename for i in infos
               if PurePosixPath(i.filename.replace("\\", "/")).is_absolute()
               or ".." in PurePosixPath(i.filename.replace("\\", "/")).parts
               or (len(i.filename) > 1 and i.filename[1] == ":")]
    if outside:
        out.append(t("{n} member(s) have a path outside the archive's folder ({members}); the "
                     "zip is refused", n=f"{len(outside):,}", members=", ".join(outside[:3])))
    total = sum(i.file_size for i in infos)
    packed = max(1, Path(path).stat().st_size)
    if total > max_bytes or total > MAX_ZIP_RATIO * packed:
        out.append(t("the zip expands to {unpacked} MB from {packed} MB; refused as too large "
                     "to unpack safely", unpacked=f"{total / 1024 ** 2:,.0f}",
                     packed=f"{packed / 1024 ** 2:,.1f}"))
    if not infos:
        out.append(t("the zip archive is empty"))
    return out


def _source(path: Path) -> str:
    path = Path(path)
    if path.suffix.lower() == ".zip":
        problems = check_zip(path)
        if problems:
            raise VectorError("; ".join(problems))
        return f"/vsizip/{path}"
    return str(path)


def list_layers(path: Path) -> list[str]:
    """The layers of a vector file ([] for single-layer formats GDAL names by the file)."""
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:
        return []
    import pyogrio

    try:
        return [str(n) for n, _g in pyogrio.list_layers(_source(path))]
    except VectorError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL's many errors become one message
        raise VectorError(t("cannot be read as a map layer: {error}", error=str(exc))) from None


def read_vector(path: Path, layer: str | None = None, *, rows: int | None = None,
                geometry: bool = True) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a vector file (``rows``: only the first ones, for a preview)."""
    path = Path(path)
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            gdf = gpd.read_parquet(path)
            return gdf.head(rows) if rows else gdf
        kw = {"layer": layer} if layer else {}
        if rows:
            kw["max_features"] = rows
        if not geometry:
            kw["ignore_geometry"] = True
        return gpd.read_file(_source(path), **kw)
    except VectorError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise VectorError(t("cannot be read as a map layer: {error}", error=str(exc))) from None
