"""Geometry prepared once per boundary layer, for every renderer.

:func:`prepare_geometry` simplifies a layer as a coverage (shared edges stay shared, no slivers
or gaps appear) and :func:`encode_layer` turns it into a compact payload the browser decodes:
each ring is a delta-encoded polyline string (the encoding of Google's polyline format, at
1e-4 degree ≈ 11 m), about a quarter of the bytes of the same geometry as GeoJSON. The payload
depends on geometry only, so it is built once and reused whatever the values are.

Large layers (tracts, wards: :data:`BAND_MIN_FEATURES` regions or more) are *banded*: their
shapes do not travel with the map's arguments but sit in files the app serves
(:func:`files_dir`), one per zoom band, each simplified as a coverage below a pixel of the
band's closest zoom. The browser fetches the band it shows, once; a rerun sends the band table
only. The files are named after the layer's content (geometry, ids, names, band table), written
to a temporary name and renamed, so several app processes can share the folder and the second
process finds the work done.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import math
import os
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

DEFAULT_PRECISION = 4

#: Layers with at least this many regions are banded (``$FISCALMAP_BAND_MIN_FEATURES``
#: overrides it, e.g. to band a small layer in a test) ...
BAND_MIN_FEATURES = 20_000
#: ... and so are layers whose inline shapes would take at least this many bytes.
BAND_MIN_BYTES = 4_000_000
BAND_ENV = "FISCALMAP_BAND_MIN_FEATURES"
#: Where several app processes share caches (as the ledger's Parquet): the banded layers'
#: files go to ``$FISCALMAP_CACHE_DIR/geometry``, else to ``.cache/geometry`` in the app folder.
CACHE_ENV = "FISCALMAP_CACHE_DIR"
#: Bumped when the band file format changes, so old files are not read as new ones.
BAND_FORMAT = 2
#: Files unused (not written or reused) for this long are removed when new ones are written.
MAX_AGE_S = {"t-": 2 * 86400, "": 30 * 86400}

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EncodedLayer:
    """A boundary layer ready to send: ids in feature order and the JSON text of the shapes."""
    region_ids: tuple[str, ...]
    json: str            # {"f": 1e4, "ids": [...], "names": [...], "shapes": [[[ring, ...], ...], ...]}
    bounds: tuple[float, float, float, float]   # west, south, east, north the map opens on
    vertices: int
    #: boxes of the insets drawn beside the main map (layers.insets.InsetBox), if any
    insets: tuple = ()
    #: what the regions are called ("States", the level's plural label): heads the legend's
    #: count column
    plural: str = ""
    #: A banded layer's zoom bands (first zoom, zoom the band ends before or None, file name
    #: in ``folder``) and the file of its ids and names; empty for a layer sent inline.
    bands: tuple[tuple[int, int | None, str], ...] = ()
    names_file: str = ""
    folder: str = ""
    #: A banded layer's content hash (its files start with it)
    content_key: str = ""

    @property
    def nbytes(self) -> int:
        return len(self.json.encode("utf-8"))

    @property
    def banded(self) -> bool:
        return bool(self.bands)

    @cached_property
    def json_key(self) -> str:
        """An id of the inline shapes (``json``), computed once per layer."""
        return hashlib.sha1(self.json.encode("utf-8")).hexdigest()[:16]

    @property
    def key(self) -> str:
        """An id of the shapes the map is sent: a banded layer's content key, else
        :attr:`json_key`."""
        return self.content_key[:16] if self.content_key else self.json_key

    def band_json(self, base: str) -> str:
        """What the map's arguments carry of a banded layer instead of its shapes: the number
        of regions, the bands (``[first zoom, end zoom or null, file]``), the names file,
        where the files are (``base``, a URL relative to the map's page), insets and plural."""
        head = {"n": len(self.region_ids), "base": base, "names": self.names_file,
                "bands": [list(b) for b in self.bands]}
        if self.insets:
            head["insets"] = [{"name": str(b.name), "b": list(b.bounds)} for b in self.insets]
        if self.plural:
            head["plural"] = str(self.plural)
        return safe_json(head)


def prepare_geometry(gdf: gpd.GeoDataFrame, *, tolerance: float = 0.0) -> gpd.GeoDataFrame:
    """Return a copy in EPSG:4326 with polygonal, valid, optionally coverage-simplified shapes.

    ``tolerance`` is in degrees (0 keeps every vertex). Simplification is done on the layer as a
    whole so neighbouring regions keep a common edge.
    """
    out = gdf.copy()
    if out.crs is not None and out.crs.to_epsg() != 4326:
        out = out.to_crs(4326)
    geom = out.geometry.values
    if tolerance > 0 and len(out):
        geom = simplify_coverage(np.asarray(geom), tolerance)
        out = out.set_geometry(gpd.GeoSeries(geom, index=out.index, crs=4326))
    return out


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Shapes simplified together so neighbours keep a common edge (shape by shape when
    they are not a clean coverage)."""
    try:
        return shapely.coverage_simplify(geoms, tolerance)
    except Exception:  # noqa: BLE001 - not a clean coverage: simplify shape by shape
        return shapely.simplify(geoms, tolerance, preserve_topology=True)


@dataclass
class _Rings:
    """The polygon rings of a layer, flattened: coordinates, and how many of them each ring,
    each polygon and each feature has."""
    coords: np.ndarray          # (P, 2) lon, lat
    ring_len: np.ndarray        # points per ring
    poly_rings: np.ndarray      # rings per polygon
    feat_polys: np.ndarray      # polygons per feature
    ring_feat: np.ndarray = field(default=None)   # feature of each ring

    @property
    def feat_rings(self) -> np.ndarray:
        return np.bincount(self.ring_feat, minlength=len(self.feat_polys)).astype(np.int64)


def _rings(geoms: np.ndarray) -> _Rings:
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, pidx = parts[keep], pidx[keep]
    rings, ridx = shapely.get_rings(parts, return_index=True)
    coords, cidx = shapely.get_coordinates(rings, return_index=True)
    return _Rings(coords=coords, ring_len=np.bincount(cidx, minlength=len(rings)),
                  poly_rings=np.bincount(ridx, minlength=len(parts)),
                  feat_polys=np.bincount(pidx, minlength=n),
                  ring_feat=pidx[ridx] if len(ridx) else np.zeros(0, dtype=np.int64))


def _zigzag(d: np.ndarray) -> np.ndarray:
    return np.where(d < 0, ~(d << 1), d << 1)


def _varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Non-negative integers as the polyline format's characters (5 bits each, from '?',
    0x20 set on all but a value's last), and the number of characters of each value."""
    v = np.asarray(values, dtype=np.int64)
    if not len(v):
        return b"", np.zeros(0, dtype=np.int64)
    bits = np.zeros(len(v), dtype=np.int64)
    rest = v.copy()
    while True:
        more = rest >= 0x20
        if not more.any():
            break
        bits += more
        rest >>= 5
    n = bits + 1
    first = np.cumsum(n) - n
    idx = np.repeat(np.arange(len(v)), n)
    j = np.arange(int(n.sum())) - first[idx]
    chunk = (v[idx] >> (5 * j)) & 0x1F
    chars = chunk + np.where(j < n[idx] - 1, 0x20, 0) + 63
    return chars.astype(np.uint8).tobytes(), n


def _ring_strings(r: _Rings, factor: float) -> list[str]:
    """Each ring as the polyline string :func:`_encode_ring` makes of it (every ring starts
    from zero), for all rings at once."""
    if not len(r.ring_len):
        return []
    q = np.round(r.coords[:, :2] * factor).astype(np.int64)[:, ::-1]
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    starts = np.cumsum(r.ring_len) - r.ring_len
    d[starts] = q[starts]
    text, n = _varints(_zigzag(d).ravel())
    per_point = n.reshape(-1, 2).sum(axis=1)
    ends = np.cumsum(np.add.reduceat(per_point, starts))
    s = text.decode("ascii")
    begin = np.concatenate([[0], ends[:-1]])
    return [s[a:b] for a, b in zip(begin.tolist(), ends.tolist())]


def _encode_ring(coords: np.ndarray, factor: float) -> str:
    q = np.round(coords[:, :2] * factor).astype(np.int64)
    # Latitude first, as the polyline format has it.
    q = q[:, ::-1]
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    v = np.where(d < 0, ~(d << 1), d << 1)
    chars: list[str] = []
    for x in v.tolist():
        while x >= 0x20:
            chars.append(chr((0x20 | (x & 0x1F)) + 63))
            x >>= 5
        chars.append(chr(x + 63))
    return "".join(chars)


def decode_ring(text: str, factor: float = 10 ** DEFAULT_PRECISION) -> list[tuple[float, float]]:
    """Inverse of the ring encoding, as (lon, lat) pairs; used by tests and exports."""
    values, x, shift = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        x |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(x >> 1) if x & 1 else x >> 1)
            x, shift = 0, 0
    lat = np.cumsum(values[0::2]) / factor
    lon = np.cumsum(values[1::2]) / factor
    return list(zip(lon.tolist(), lat.tolist()))


def bulk_bounds(gdf: gpd.GeoDataFrame, *, quantile: float = 0.02,
                spread: float = 3.0) -> tuple[float, float, float, float]:
    """Bounds to open the map on: all regions, unless a few far-flung ones (islands, an
    antimeridian wrap) would zoom the map out to the whole globe. Then the bounds of the regions
    whose centres lie inside the quantiles are used (when the full extent is more than
    ``spread`` times theirs in width or height)."""
    if gdf.empty:
        return (-180.0, -60.0, 180.0, 75.0)
    b = gdf.geometry.bounds
    full = (float(b.minx.min()), float(b.miny.min()), float(b.maxx.max()), float(b.maxy.max()))
    if len(gdf) < 20:
        return full
    cx, cy = (b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2
    keep = cx.between(cx.quantile(quantile), cx.quantile(1 - quantile)) & \
        cy.between(cy.quantile(quantile), cy.quantile(1 - quantile))
    k = b[keep]
    bulk = (float(k.minx.min()), float(k.miny.min()), float(k.maxx.max()), float(k.maxy.max()))
    wide = (full[2] - full[0]) > spread * max(bulk[2] - bulk[0], 1e-9)
    tall = (full[3] - full[1]) > spread * max(bulk[3] - bulk[1], 1e-9)
    return bulk if (wide or tall) else full


def encode_layer(gdf: gpd.GeoDataFrame, *, precision: int = DEFAULT_PRECISION,
                 bounds: tuple[float, float, float, float] | None = None,
                 insets: tuple = (), plural: str = "", banded: bool | None = None,
                 folder: Path | str | None = None) -> EncodedLayer:
    """Encode ``region_id``, ``name`` and geometry of a prepared layer for the browser.

    ``bounds`` is what the map opens on (default: the bulk of the regions, see
    :func:`bulk_bounds`); ``insets`` are the boxes of regions moved beside the main map
    (:func:`layers.insets.place_insets`): each goes into the payload as ``{"name", "b"}``
    (b: west, south, east, north), and the map draws its frame and name. ``plural`` names
    the regions ("States"): it heads the legend's count column.

    ``banded``: write the shapes to zoom-band files in ``folder`` (default :func:`files_dir`)
    for the map to fetch; None: when the layer is large (:data:`BAND_MIN_FEATURES`,
    :data:`BAND_MIN_BYTES`). ``json`` holds the whole layer inline either way (the HTML
    export and the folium renderer read it)."""
    factor = 10 ** precision
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    r = _rings(geoms)
    strings = iter(_ring_strings(r, factor))
    ring_counts = iter(r.poly_rings.tolist())
    shapes = []
    for k in r.feat_polys.tolist():
        shapes.append([[next(strings) for _ in range(next(ring_counts))] for _ in range(k)])
    ids = [str(x) for x in gdf["region_id"]]
    names = [str(nm) for nm in gdf["name"]]
    payload = {"f": factor, "ids": ids, "names": names, "shapes": shapes}
    if insets:
        payload["insets"] = [{"name": str(b.name), "b": list(b.bounds)} for b in insets]
    if plural:
        payload["plural"] = str(plural)
    text = safe_json(payload)
    out = EncodedLayer(region_ids=tuple(ids), json=text,
                       bounds=tuple(bounds) if bounds is not None else bulk_bounds(gdf),
                       vertices=int(shapely.get_num_coordinates(geoms).sum()),
                       insets=tuple(insets), plural=str(plural))
    if banded is None:
        banded = len(ids) >= band_min_features() or len(text) >= BAND_MIN_BYTES
    if not banded:
        return out
    target = Path(folder) if folder is not None else files_dir()
    try:
        return _with_bands(out, geoms, r, names, precision, target)
    except OSError as exc:
        # A folder that cannot be written: the map gets the shapes inline, slower but whole.
        _log.warning("banded layer not written to %s (%s): sent inline", target, exc)
        return out


def band_min_features() -> int:
    """:data:`BAND_MIN_FEATURES`, or the environment's :data:`BAND_ENV` when set."""
    raw = os.environ.get(BAND_ENV, "").strip()
    try:
        return max(1, int(raw)) if raw else BAND_MIN_FEATURES
    except ValueError:
        return BAND_MIN_FEATURES


def files_dir() -> Path:
    """The folder of banded layers' files: ``$FISCALMAP_CACHE_DIR/geometry``, else
    ``.cache/geometry`` in the app's folder (shared by the app's processes; the app serves
    it, see ui.map_component)."""
    env = os.environ.get(CACHE_ENV, "").strip()
    base = Path(env) if env else Path(__file__).resolve().parents[1] / ".cache"
    return base / "geometry"


def band_table(bounds: tuple[float, float, float, float], precision: int = DEFAULT_PRECISION
               ) -> list[tuple[int, int | None, float, int]]:
    """The zoom bands of a layer: (first zoom, zoom it ends before or None, tolerance in
    degrees, quantisation in units per Web Mercator pixel at zoom 0). The first band covers
    the zooms that show the whole layer (about 1,000 px across) and two more, the second three
    more, the last every zoom after. A band is simplified to about a pixel at its closest
    zoom and its points are rounded to a quarter of that pixel; the last band keeps every
    vertex, rounded as finely as ``precision`` decimals of a degree."""
    span = max(float(bounds[2]) - float(bounds[0]), float(bounds[3]) - float(bounds[1]), 1e-6)
    fit = max(0, min(18, int(math.floor(math.log2(1440.0 / span)))))
    # a pixel spans fewer degrees away from the equator (Web Mercator): measured at the middle
    mid = math.radians(max(-80.0, min(80.0, (float(bounds[1]) + float(bounds[3])) / 2)))
    detail = math.ceil(math.log2(360.0 / (256 * 4 * 10.0 ** -precision)))
    out, lo = [], 0
    for z in (fit + 2, fit + 5, None):
        if z is None:
            tol, units = 0.0, 4 * 2 ** max(detail, lo)
        else:
            tol, units = 360.0 / (256 * 2 ** z) * math.cos(mid), 4 * 2 ** z
        out.append((lo, z, tol, int(units)))
        lo = z
    return out


def mercator_px(coords: np.ndarray) -> np.ndarray:
    """(lon, lat) → Web Mercator pixels at zoom 0 (256 px around the world, y down), as
    Leaflet projects them; latitudes beyond ±85.0511° are clamped."""
    lon = np.asarray(coords[:, 0], dtype=np.float64)
    lat = np.radians(np.clip(np.asarray(coords[:, 1], dtype=np.float64), -_MAX_LAT, _MAX_LAT))
    x = (lon + 180.0) / 360.0 * 256.0
    y = 128.0 - 128.0 / math.pi * np.log(np.tan(math.pi / 4 + lat / 2))
    return np.column_stack([x, y])


_MAX_LAT = 85.0511287798


def _layer_hash(r: _Rings, ids, names, precision: int, table) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([BAND_FORMAT, precision, [list(b) for b in table]]).encode())
    for a in (r.coords, r.ring_len, r.poly_rings, r.feat_polys):
        h.update(np.ascontiguousarray(a).tobytes())
        h.update(b"|")
    h.update("\x00".join(ids).encode("utf-8"))
    h.update(b"|")
    h.update("\x00".join(names).encode("utf-8"))
    return h.hexdigest()


def _with_bands(layer: EncodedLayer, geoms: np.ndarray, r: _Rings, names: list[str],
                precision: int, folder: Path) -> EncodedLayer:
    from dataclasses import replace

    table = band_table(layer.bounds, precision)
    key = _layer_hash(r, layer.region_ids, names, precision, table)
    folder.mkdir(parents=True, exist_ok=True)
    names_file = f"{key}-n.json.gz"
    if not reuse(folder / names_file):
        write_once(folder, names_file,
                   safe_json({"ids": list(layer.region_ids), "names": names}), gz=True)
    bands = []
    for k, (lo, hi, tol, units) in enumerate(table):
        name = f"{key}-b{k}.json.gz"
        if not reuse(folder / name):
            rk = r if tol <= 0 else _rings(simplify_coverage(geoms, tol))
            write_once(folder, name, band_text(rk, units), gz=True)
        bands.append((lo, hi, name))
    prune(folder)
    return replace(layer, bands=tuple(bands), names_file=names_file, folder=str(folder),
                   content_key=key)


def band_text(r: _Rings, units: int) -> str:
    """One band's file: ``{"v": format, "n": features, "u": units, "p": rings per feature,
    "r": points per ring, "s": points}``, each list a string of polyline-format characters.
    Points are Web Mercator pixels at zoom 0 (:func:`mercator_px`, what the map draws in)
    times ``units``, rounded: one delta stream (x, y) over all rings; a ring's closing point
    and repeated points are left out (the map closes each ring), and rings left with fewer
    than three points are dropped."""
    n_feat = len(r.feat_polys)
    if not len(r.ring_len):
        return safe_json({"v": BAND_FORMAT, "n": n_feat, "u": units,
                          "p": _varints(np.zeros(n_feat))[0].decode("ascii"), "r": "", "s": ""})
    q = np.round(mercator_px(r.coords) * units).astype(np.int64)
    ring_of = np.repeat(np.arange(len(r.ring_len)), r.ring_len)
    last = np.cumsum(r.ring_len) - 1
    keep = np.ones(len(q), dtype=bool)
    closed = np.all(q[last] == q[last - r.ring_len + 1], axis=1)
    keep[last[closed & (r.ring_len > 1)]] = False
    same = np.zeros(len(q), dtype=bool)
    same[1:] = np.all(q[1:] == q[:-1], axis=1) & (ring_of[1:] == ring_of[:-1])
    keep &= ~same
    ring_len = np.bincount(ring_of[keep], minlength=len(r.ring_len))
    good = ring_len >= 3
    keep &= good[ring_of]
    q = q[keep]
    ring_len = ring_len[good]
    feat_rings = np.bincount(r.ring_feat[good], minlength=n_feat)
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return safe_json({"v": BAND_FORMAT, "n": n_feat, "u": units,
                      "p": _varints(feat_rings)[0].decode("ascii"),
                      "r": _varints(ring_len)[0].decode("ascii"),
                      "s": _varints(_zigzag(d).ravel())[0].decode("ascii")})


def read_text(path: Path | str) -> str:
    """A file of the folder as text (``.gz`` files decompressed)."""
    path = Path(path)
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def decode_band(text: str) -> list[list[np.ndarray]]:
    """A band file read back: per feature, its rings as arrays of Web Mercator pixels at
    zoom 0 (without the closing point). For tests and checks; the map decodes bands itself."""
    obj = json.loads(text)

    def ints(s: str) -> list[int]:
        out, x, shift = [], 0, 0
        for ch in s:
            b = ord(ch) - 63
            x |= (b & 0x1F) << shift
            shift += 5
            if b < 0x20:
                out.append(x)
                x, shift = 0, 0
        return out

    per_feat, per_ring = ints(obj["p"]), ints(obj["r"])
    vals = np.array(ints(obj["s"]), dtype=np.int64)
    d = np.where(vals & 1, ~(vals >> 1), vals >> 1).reshape(-1, 2)
    xy = np.cumsum(d, axis=0) / obj["u"]
    out, at, ring = [], 0, 0
    for k in per_feat:
        rings = []
        for _ in range(k):
            m = per_ring[ring]
            rings.append(xy[at:at + m])
            at += m
            ring += 1
        out.append(rings)
    return out


def reuse(path: Path) -> bool:
    """True when ``path`` exists (written earlier or by another process); it is marked as
    used, so pruning leaves it."""
    try:
        os.utime(path)
        return True
    except OSError:
        return False


def write_once(folder: Path | str, name: str, text: str | bytes, *, gz: bool = False,
               level: int = 6) -> Path:
    """Write ``text`` to ``folder/name`` unless it is there: to a temporary name first, then
    renamed, so a reader (or another process writing the same file) never sees half a file.
    ``gz``: gzip-compressed (the app serves ``.gz`` files as they are, so they are compressed
    once here rather than on every request)."""
    folder = Path(folder)
    target = folder / name
    if reuse(target):
        return target
    data = text.encode("utf-8") if isinstance(text, str) else text
    if gz:
        data = gzip.compress(data, compresslevel=level, mtime=0)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    return target


_PRUNED: dict[str, float] = {}


def prune(folder: Path | str, *, now: float | None = None, every_s: float = 3600.0) -> int:
    """Remove files of the folder unused for longer than :data:`MAX_AGE_S` (tooltip texts,
    ``t-…``, after two days; shapes after 30), at most once an hour per process. Returns the
    number removed."""
    folder = Path(folder)
    now = time.time() if now is None else now
    if now - _PRUNED.get(str(folder), -math.inf) < every_s:
        return 0
    _PRUNED[str(folder)] = now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for e in entries:
        if not e.is_file():
            continue
        age = MAX_AGE_S["t-"] if e.name.startswith("t-") else MAX_AGE_S[""]
        if e.name.startswith(".tmp-"):
            age = 3600.0          # a write that never finished
        try:
            if now - e.stat().st_mtime > age:
                os.unlink(e.path)
                removed += 1
        except OSError:
            pass
    return removed


def safe_json(obj) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' survive literally."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
