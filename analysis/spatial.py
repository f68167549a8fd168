"""Where high and low values cluster: spatial weights, Moran's I, LISA and Getis-Ord hot spots.

:func:`weights` says which regions are neighbours (libpysal: queen or rook contiguity, the k
nearest regions, or every region within a distance), row-standardised, and reports the regions
with no neighbour ("islands": Hawaii, Alaska and Puerto Rico at state level in the US) and how
many separate groups the regions fall into. Islands are either dropped (listed in ``excluded``)
or joined to their nearest region. Distances are great-circle distances between region centroids,
in kilometres (libpysal's arc distance on a sphere of 6,371 km): a projection made for one part
of a country, such as the US Albers EPSG:5070, misplaces the regions far from it, and those are
the islands that need a nearest neighbour.

:func:`global_moran` (esda ``Moran``), :func:`local_moran` (esda ``Moran_Local``: the LISA
cluster map) and :func:`getis_ord` (esda ``G_Local``, Gi*) run on a measure's values with such
weights. Significance is by permutation: a pseudo p-value is (M + 1) / (R + 1), M being the
number of the R random permutations at least as extreme as the observed statistic, on the side of
the observed value (esda's "directed" p-value, GeoDa's convention). A fixed seed makes a result
reproducible. Regions without a value are left out (the weights are cut down to the regions with
values, libpysal ``w_subset``) and counted; a region whose every neighbour lacks a value becomes
an island and is left out too, and said so.

:func:`weights` is a pure function of the GeoDataFrame and a :class:`WeightsSpec`, so that the
page may cache it per workspace level: the key is ``(workspace path, workspace stamp, level,
spec)``. The analysis functions never change the weights object they are given.
"""
from __future__ import annotations

import contextlib
import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from layers.numbers import format_number
from layers.analysis_maps import HOT_SPOT_CLASSES, LISA_COLOURS
from locales import N_, t

from . import AnalysisError, Excluded, Reported

__all__ = [
    "ALPHA",
    "CLUSTERS",
    "CLUSTER_COLOURS",
    "HOT_SPOTS",
    "HOT_SPOT_COLOURS",
    "HotSpotResult",
    "ISLAND_HANDLING",
    "KINDS",
    "LisaResult",
    "MIN_REGIONS",
    "MoranResult",
    "PERMUTATIONS",
    "SEED",
    "WeightsResult",
    "WeightsSpec",
    "getis_ord",
    "global_moran",
    "local_moran",
    "weights",
    "weights_from_w",
]

#: Kinds of spatial weights.
KINDS = ("queen", "rook", "knn", "distance")
#: What to do with regions that have no neighbour.
ISLAND_HANDLING = ("drop", "knn1")
#: Fewest regions with values the statistics run on.
MIN_REGIONS = 8
PERMUTATIONS = 999
ALPHA = 0.05
#: Default seed of the permutations, so that a view shows the same map on every rerun.
SEED = 20240601
DEFAULT_K = 5
#: Island names listed in full in a message; more are counted.
_NAMES_SHOWN = 8

#: LISA cluster labels (keys are stable, for exports and colours), in legend order.
CLUSTERS: Mapping[str, str] = {
    "high_high": N_("High-high"),
    "low_low": N_("Low-low"),
    "low_high": N_("Low-high"),
    "high_low": N_("High-low"),
    "not_significant": N_("Not significant"),
}
#: The usual LISA colours (GeoDa's), defined once with the map classes.
CLUSTER_COLOURS: Mapping[str, str] = LISA_COLOURS
#: esda's quadrant numbers (``Moran_Local.q``) → quadrant code.
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
_QUADRANT_CLUSTER = {"HH": "high_high", "LH": "low_high", "LL": "low_low", "HL": "high_low"}

HOT_SPOTS: Mapping[str, str] = {
    "hot_spot": N_("Hot spot"),
    "cold_spot": N_("Cold spot"),
    "not_significant": N_("Not significant"),
}
HOT_SPOT_COLOURS: Mapping[str, str] = {key: colour for key, _, colour in HOT_SPOT_CLASSES}


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class WeightsSpec:
    """The parameters of :func:`weights`, normalised (``k`` only for knn, ``threshold_km`` only
    for distance), hashable: the part of the cache key that is not the geometry."""

    kind: str = "queen"
    k: int | None = None
    threshold_km: float | None = None
    handle_islands: str = "drop"

    @classmethod
    def of(cls, kind: str = "queen", *, k: int = DEFAULT_K, threshold: float | None = None,
           handle_islands: str = "drop") -> "WeightsSpec":
        if kind not in KINDS:
            raise AnalysisError(Text(N_("Unknown kind of spatial weights {kind}; one of: "
                                        "{kinds}."), kind=repr(kind), kinds=", ".join(KINDS)))
        if handle_islands not in ISLAND_HANDLING:
            raise AnalysisError(Text(N_("Unknown way to handle islands {how}; one of: {ways}."),
                                     how=repr(handle_islands), ways=", ".join(ISLAND_HANDLING)))
        kk = None
        if kind == "knn":
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
                raise AnalysisError(Text(N_("k must be a whole number of 1 or more; got {k}."),
                                         k=repr(k)))
            kk = int(k)
        km = None
        if kind == "distance" and threshold is not None:
            try:
                km = float(threshold)
            except (TypeError, ValueError):
                km = math.nan
            if isinstance(threshold, bool) or not math.isfinite(km) or km <= 0:
                raise AnalysisError(Text(N_("The distance must be a number of kilometres above "
                                            "zero; got {threshold}."), threshold=repr(threshold)))
        return cls(kind=kind, k=kk, threshold_km=km, handle_islands=handle_islands)


@dataclass(frozen=True, eq=False)
class WeightsResult(Reported):
    """Result of :func:`weights`.

    ``w`` is a libpysal ``W`` over ``ids`` (in that order), row-standardised, without the
    dropped islands. ``islands`` are the regions with no neighbour under the chosen rule (before
    they were dropped or joined), ``attached`` maps each joined island to its nearest region.
    ``n_components`` counts the groups of regions linked by neighbours in ``w``.
    ``threshold_km`` is the distance band used (the default one for ``spec.threshold_km=None``).
    Treat ``w`` as read-only: the page caches it.
    """

    w: Any
    spec: WeightsSpec
    ids: tuple[str, ...]
    islands: tuple[str, ...]
    attached: Mapping[str, str]
    n_components: int
    mean_neighbours: float
    threshold_km: float | None
    names: Mapping[str, str]
    description: Text
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = ()

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def n(self) -> int:
        return len(self.ids)

    def island_names(self) -> tuple[str, ...]:
        return tuple(self.names.get(i, i) for i in self.islands)


def _names_text(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return t("{shown} and {n} more", shown=shown, n=count(more)) if more > 0 else shown


class _Names(str):
    """A list of region names for a message: the names are data (never translated), the
    "and 3 more" follows the reader's language."""

    def __new__(cls, names: list[str]) -> "_Names":
        obj = super().__new__(cls, _names_text(names))
        obj.names = list(names)
        return obj

    def __str__(self) -> str:
        return _names_text(self.names)

    def __reduce__(self):
        return (_Names, (self.names,))


def _centroids_lonlat(g) -> np.ndarray:
    """Region centroids as (longitude, latitude) rows. Centroids are taken in the layer's own
    projected CRS, or for longitude/latitude layers in a Lambert azimuthal equal-area projection
    centred on the median region (not pulled away by far-flung territories)."""
    from pyproj import CRS

    src = g if g.crs is not None else g.set_crs("EPSG:4326")
    if src.crs.is_projected:
        centroids = src.geometry.centroid
    else:
        pts = src.geometry.representative_point()
        lon, lat = float(np.median(pts.x)), float(np.median(pts.y))
        laea = CRS.from_proj4(f"+proj=laea +lat_0={lat:.4f} +lon_0={lon:.4f} +datum=WGS84 "
                              "+units=m +no_defs")
        centroids = src.geometry.to_crs(laea).centroid
    lonlat = centroids.to_crs("EPSG:4326")
    return np.column_stack([lonlat.x.to_numpy(), lonlat.y.to_numpy()])


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """libpysal and esda warn about islands and coming API changes; the results say what matters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _transform_r(w) -> Any:
    w.transform = "r"
    return w


def _components(w) -> int:
    return int(w.n_components) if w.n else 0


def weights(
    gdf,
    kind: str | WeightsSpec = "queen",
    *,
    k: int = DEFAULT_K,
    threshold: float | None = None,
    handle_islands: str = "drop",
    id_column: str | None = None,
    name_column: str | None = None,
) -> WeightsResult:
    """Spatial weights of the regions of ``gdf`` (indexed by region id, or ids in
    ``id_column``), row-standardised.

    ``kind``: ``"queen"`` (a shared border or corner), ``"rook"`` (a shared border),
    ``"knn"`` (the ``k`` nearest regions by centroid distance) or ``"distance"`` (regions whose
    centroids are at most ``threshold`` km apart; default: the smallest distance, rounded up to
    the kilometre, at which every region has a neighbour, libpysal ``min_threshold_distance``).
    Distances are great-circle distances between centroids, in km.
    ``handle_islands``: ``"drop"`` leaves regions without a neighbour out (listed in
    ``excluded``), ``"knn1"`` joins each to its nearest region by centroid distance, both ways
    (libpysal ``attach_islands``). Regions without geometry are left out and listed.
    ``kind`` may also be a :class:`WeightsSpec` (what a cache keeps), which sets every option.
    """
    if isinstance(kind, WeightsSpec):
        spec = kind
    else:
        spec = WeightsSpec.of(kind, k=k, threshold=threshold, handle_islands=handle_islands)
    return _weights(gdf, spec, id_column=id_column, name_column=name_column)


def _weights(gdf, spec: WeightsSpec, *, id_column: str | None = None,
             name_column: str | None = None) -> WeightsResult:
    from libpysal.cg import KDTree
    from libpysal.cg.sphere import RADIUS_EARTH_KM
    from libpysal.weights import KNN, DistanceBand, Queen, Rook, attach_islands, w_subset

    g = gdf.set_index(id_column) if id_column else gdf
    g = g.set_axis(g.index.map(str))
    if g.index.has_duplicates:
        dup = sorted(set(g.index[g.index.duplicated()]))
        raise AnalysisError(Text(N_("Region ids must be unique; repeated: {ids}."),
                                 ids=", ".join(dup[:8])))
    names = ({str(i): str(n) for i, n in zip(g.index, g[name_column])} if name_column else {})
    excluded: list[Excluded] = []
    empty = g.geometry.isna() | g.geometry.is_empty
    if empty.any():
        gone = tuple(g.index[empty])
        excluded.append(Excluded(Text(N_("no boundary")), gone,
                                 tuple(names.get(i, i) for i in gone)))
        g = g[~empty]
    n = len(g)
    if n < 2:
        raise AnalysisError(Text(N_("Spatial weights need at least 2 regions with a boundary; "
                                    "{n} here."), n=count(n)))
    if spec.kind == "knn" and spec.k >= n:
        raise AnalysisError(Text(N_("{k} nearest neighbours need more than {k} regions; {n} "
                                    "here."), k=count(spec.k), n=count(n)))
    ids_in = [str(i) for i in g.index]
    lonlat = None
    if spec.kind in ("knn", "distance") or spec.handle_islands == "knn1":
        lonlat = _centroids_lonlat(g)
    threshold_km = None
    problems: list[Text] = []
    with _quiet():
        if spec.kind == "queen":
            w = Queen.from_dataframe(g, use_index=True, silence_warnings=True)
        elif spec.kind == "rook":
            w = Rook.from_dataframe(g, use_index=True, silence_warnings=True)
        elif spec.kind == "knn":
            w = KNN(lonlat, k=spec.k, ids=ids_in, radius=RADIUS_EARTH_KM,
                    silence_warnings=True)
        else:
            if spec.threshold_km is None:
                # libpysal's min_threshold_distance, on the sphere: the largest distance from a
                # region to its nearest region, rounded up to the kilometre
                tree = KDTree(lonlat, distance_metric="Arc", radius=RADIUS_EARTH_KM)
                d, _ = tree.query(tree.data, k=2)
                threshold_km = float(math.ceil(float(d[:, 1].max())))
                who = ids_in[int(np.argmax(d[:, 1]))]
                problems.append(Text(
                    N_("The distance band, {km} km, is the smallest at which every region has a "
                       "neighbour; it is set by the most isolated region, {name}."),
                    km=format_number(threshold_km), name=names.get(who, who)))
            else:
                threshold_km = spec.threshold_km
            w = DistanceBand(lonlat, threshold=threshold_km, binary=True, ids=ids_in,
                             radius=RADIUS_EARTH_KM, silence_warnings=True)
        islands = tuple(str(i) for i in w.islands)
        attached: dict[str, str] = {}
        if islands and spec.handle_islands == "drop":
            keep = [i for i in w.id_order if i not in set(islands)]
            if len(keep) < 2:
                raise AnalysisError(Text(N_("No two regions are neighbours under these spatial "
                                            "weights.")))
            w = w_subset(w, keep, silence_warnings=True)
            excluded.append(Excluded(Text(N_("no neighbour (island)")), islands,
                                     tuple(names.get(i, i) for i in islands)))
        elif islands:
            nearest = KNN(lonlat, k=1, ids=ids_in, radius=RADIUS_EARTH_KM,
                          silence_warnings=True)
            joined = attach_islands(w, nearest, silence_warnings=True)
            # Two islands nearest to each other are joined twice: keep each neighbour once.
            from libpysal.weights import W

            nb = {i: list(dict.fromkeys(joined.neighbors[i])) for i in joined.id_order}
            w = W(nb, id_order=joined.id_order, silence_warnings=True)
            attached = {i: str(nearest.neighbors[i][0]) for i in islands}
        w = _transform_r(w)
    ids = tuple(str(i) for i in w.id_order)
    n_components = _components(w)
    if n_components > 1:
        problems.append(Text(
            N_("The regions fall into {n} groups with no neighbour between them; each region is "
               "still compared with its own neighbours."), n=count(n_components)))
    description = _description(spec, threshold_km)
    island_text = _islands_text(spec, islands, attached, names)
    if island_text is None:
        method = Text(N_("Spatial weights: {weights}."), weights=description)
    else:
        method = Text(N_("Spatial weights: {weights}. {islands}"), weights=description,
                      islands=island_text)
    return WeightsResult(
        w=w, spec=spec, ids=ids, islands=islands, attached=attached,
        n_components=n_components, mean_neighbours=float(w.mean_neighbors) if w.n else 0.0,
        threshold_km=threshold_km, names=names, description=description, method=method,
        excluded=tuple(excluded), problems=tuple(problems),
    )


def _description(spec: WeightsSpec, threshold_km: float | None) -> Text:
    if spec.kind == "queen":
        return Text(N_("queen contiguity (regions sharing a border or a corner), "
                       "row-standardised"))
    if spec.kind == "rook":
        return Text(N_("rook contiguity (regions sharing a border), row-standardised"))
    if spec.kind == "knn":
        return Text(N_("the {k} nearest regions by great-circle distance between centroids, "
                       "row-standardised"), k=count(spec.k))
    return Text(N_("regions whose centroids are at most {km} km apart (great-circle distance), "
                   "row-standardised"), km=format_number(threshold_km))


def _islands_text(spec: WeightsSpec, islands: tuple[str, ...], attached: Mapping[str, str],
                  names: Mapping[str, str]) -> Text | None:
    if not islands:
        return None
    listed = _Names([names.get(i, i) for i in islands])
    if spec.handle_islands == "drop":
        return Text(N_("{n} region(s) without a neighbour (islands) are left out: {names}."),
                    n=count(len(islands)), names=listed)
    pairs = _Names([f"{names.get(i, i)} → {names.get(j, j)}" for i, j in attached.items()])
    return Text(N_("{n} region(s) without a neighbour (islands) are joined to their nearest "
                   "region by great-circle distance between centroids: {pairs}."), n=count(len(islands)), pairs=pairs)


def weights_from_w(w, *, names: Mapping[str, str] | None = None) -> WeightsResult:
    """Wrap a libpysal ``W`` built elsewhere (read from a .gal file, say): ids become strings,
    the weights binary, then row-standardised; islands are dropped."""
    from libpysal.weights import W, w_subset

    with _quiet():
        nb = {str(i): [str(j) for j in w.neighbors[i]] for i in w.id_order}
        w2 = W(nb, id_order=[str(i) for i in w.id_order], silence_warnings=True)
        islands = tuple(str(i) for i in w2.islands)
        excluded = ()
        if islands:
            w2 = w_subset(w2, [i for i in w2.id_order if i not in set(islands)],
                          silence_warnings=True)
            excluded = (Excluded(Text(N_("no neighbour (island)")), islands),)
        w2 = _transform_r(w2)
    description = Text(N_("given spatial weights, row-standardised"))
    return WeightsResult(
        w=w2, spec=WeightsSpec(kind="given"), ids=tuple(w2.id_order), islands=islands,
        attached={}, n_components=_components(w2), mean_neighbours=float(w2.mean_neighbors),
        threshold_km=None, names=dict(names or {}), description=description,
        method=Text(N_("Spatial weights: {weights}."), weights=description), excluded=excluded,
    )


# ---------------------------------------------------------------------------
# Values on the weights
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _OnWeights:
    y: np.ndarray
    ids: tuple[str, ...]
    w: Any                  # a fresh, row-standardised W over ids: the statistic may change it
    excluded: tuple[Excluded, ...]
    problems: tuple[Text, ...]


def _series(values) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    out = pd.Series(pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
                    index=series.index.map(str))
    if out.index.has_duplicates:
        dup = sorted(set(out.index[out.index.duplicated()]))
        raise AnalysisError(Text(N_("Region ids must be unique; repeated: {ids}."),
                                 ids=", ".join(dup[:8])))
    return out


def _on_weights(values, wr: WeightsResult, what: str) -> _OnWeights:
    """The values of the regions in the weights, and the weights cut down to the regions with a
    value; every region left out counted once, with its reason."""
    from libpysal.weights import w_subset

    if not isinstance(wr, WeightsResult):
        wr = weights_from_w(wr)
    series = _series(values)
    finite = pd.Series(np.isfinite(series.to_numpy()), index=series.index)
    names = wr.names
    in_w = set(wr.ids)
    excluded: list[Excluded] = []

    def add(reason: Text, ids: list[str]) -> None:
        if ids:
            excluded.append(Excluded(reason, tuple(ids), tuple(names.get(i, i) for i in ids)))

    with_value = [i for i in wr.ids if bool(finite.get(i, False))]
    add(Text(N_("no value")), [i for i in wr.ids if not bool(finite.get(i, False))])
    dropped_islands = {i for e in wr.excluded for i in e.ids if e.reason.msgid ==
                       "no neighbour (island)"}
    no_boundary = {i for e in wr.excluded for i in e.ids if e.reason.msgid == "no boundary"}
    outside = [i for i in series.index if finite[i] and i not in in_w]
    add(Text(N_("no neighbour (island)")), [i for i in outside if i in dropped_islands])
    add(Text(N_("no boundary")), [i for i in outside if i in no_boundary])
    add(Text(N_("not among the regions of the weights")),
        [i for i in outside if i not in dropped_islands and i not in no_boundary])
    problems: list[Text] = []
    with _quiet():
        sub = w_subset(wr.w, with_value, silence_warnings=True)
        lost = [str(i) for i in sub.islands]
        if lost:
            add(Text(N_("every neighbour without a value")), lost)
            problems.append(Text(
                N_("{n} region(s) have no neighbour with a value and are left out: {names}."),
                n=count(len(lost)), names=_Names([names.get(i, i) for i in lost])))
            keep = [i for i in with_value if i not in set(lost)]
            sub = w_subset(sub, keep, silence_warnings=True)
        sub = _transform_r(sub)
    ids = tuple(str(i) for i in sub.id_order)
    y = series.loc[list(ids)].to_numpy(dtype=float)
    n = len(ids)
    if n < MIN_REGIONS:
        raise AnalysisError(Text(
            N_("{what} needs at least {minimum} regions with a value and a neighbour; {n} here "
               "({left_out} left out)."),
            what=what, minimum=count(MIN_REGIONS), n=count(n),
            left_out=count(sum(e.count for e in excluded))))
    if np.all(y == y[0]):
        raise AnalysisError(Text(
            N_("All {n} values are the same ({value}): there is no pattern to look for."),
            n=count(n), value=format_number(float(y[0]))))
    comps = _components(sub)
    if comps > 1 and comps != wr.n_components:
        problems.append(Text(
            N_("The regions with values fall into {n} groups with no neighbour between them; "
               "each region is still compared with its own neighbours."), n=count(comps)))
    return _OnWeights(y=y, ids=ids, w=sub, excluded=tuple(excluded), problems=tuple(problems))


_RNG_LOCK = threading.Lock()


class _seeded:
    """Seed numpy's global RNG for a block and restore it after: esda's ``Moran`` draws from
    it, and without numba ``Moran_Local`` and ``G_Local`` reseed it."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __enter__(self) -> None:
        _RNG_LOCK.acquire()
        self.state = np.random.get_state()
        np.random.seed(self.seed)
        self.quiet = _quiet()
        self.quiet.__enter__()

    def __exit__(self, *exc) -> None:
        self.quiet.__exit__(None, None, None)
        np.random.set_state(self.state)
        _RNG_LOCK.release()


def _check_inference(permutations: int, alpha: float, seed: int) -> tuple[int, float, int]:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) \
            or permutations < 99:
        raise AnalysisError(Text(N_("Use at least 99 permutations; got {permutations}."),
                                 permutations=repr(permutations)))
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        a = math.nan
    if not (0 < a < 1):
        raise AnalysisError(Text(N_("The significance level must be between 0 and 1; got "
                                    "{alpha}."), alpha=repr(alpha)))
    if a < 1.0 / (permutations + 1):
        raise AnalysisError(Text(
            N_("With {permutations} permutations no pseudo p-value is below {p}: use more "
               "permutations or a larger significance level."),
            permutations=count(permutations), p=format_number(1.0 / (permutations + 1))))
    return int(permutations), a, int(seed)


def _pseudo_p(p_sim, permutations: int) -> np.ndarray:
    """esda returns pseudo p-values in single precision without numba (0.05 as 0.0500000007);
    put them back on their grid of k / (permutations + 1) so that p = alpha counts as p ≤ alpha."""
    r = permutations + 1
    return np.round(np.asarray(p_sim, dtype=float) * r) / r


def _p(x: float) -> str:
    return format_number(float(x))


# ---------------------------------------------------------------------------
# Global Moran's I
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MoranResult(Reported):
    """Result of :func:`global_moran`. ``z`` is standardised against the permutations;
    ``p_sim`` is the pseudo p-value (one-sided, on the side of ``i``); ``p_norm`` the two-sided
    p-value under the normality assumption, for reference."""

    i: float
    expected_i: float
    z: float
    p_sim: float
    p_norm: float
    permutations: int
    seed: int
    alpha: float
    n: int
    method: Text
    reading: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = ()

    @property
    def significant(self) -> bool:
        return self.p_sim <= self.alpha


def global_moran(values, w: WeightsResult, permutations: int = PERMUTATIONS, *,
                 alpha: float = ALPHA, seed: int = SEED) -> MoranResult:
    """Global Moran's I of ``values`` (indexed by region id) with the weights ``w``
    (a :class:`WeightsResult`, or a libpysal ``W``)."""
    from esda.moran import Moran

    permutations, alpha, seed = _check_inference(permutations, alpha, seed)
    d = _on_weights(values, w, Text(N_("Moran's I")))
    wr = w if isinstance(w, WeightsResult) else weights_from_w(w)
    with _seeded(seed):
        mi = Moran(d.y, d.w, transformation="r", permutations=permutations)
    n = len(d.ids)
    p = float(_pseudo_p(mi.p_sim, permutations))
    if p > alpha:
        reading = Text(N_("No spatial pattern beyond chance at the {alpha} significance level."),
                       alpha=_p(alpha))
    elif mi.I > mi.EI:
        reading = Text(N_("Similar values sit next to each other more than chance would give: "
                          "high values cluster with high, low with low."))
    else:
        reading = Text(N_("Neighbours differ more than chance would give: high values sit next "
                          "to low ones, like a checkerboard."))
    method = Text(
        N_("Global Moran's I with {weights}; pseudo p-value from {permutations} random "
           "permutations of the values (seed {seed}), on the side of the observed I; expected I "
           "without spatial autocorrelation −1/(n − 1). {n} regions."),
        weights=wr.description, permutations=count(permutations), seed=str(seed), n=count(n))
    return MoranResult(
        i=float(mi.I), expected_i=float(mi.EI), z=float(mi.z_sim), p_sim=p,
        p_norm=float(mi.p_norm), permutations=permutations, seed=seed, alpha=alpha, n=n,
        method=method, reading=reading, excluded=d.excluded, problems=d.problems,
    )


# ---------------------------------------------------------------------------
# Local Moran's I (LISA)
# ---------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class LisaResult(Reported):
    """Result of :func:`local_moran`, one entry per region analysed (index: region id).

    ``quadrant``: "HH", "LH", "LL", "HL" (the region's value, then its neighbours' average,
    above or below the mean); ``cluster``: a key of :data:`CLUSTERS` (the quadrant where
    ``p_sim`` ≤ ``alpha``, else "not_significant"); ``counts``: regions per cluster key.
    """

    values: pd.Series
    local_i: pd.Series
    quadrant: pd.Series
    p_sim: pd.Series
    cluster: pd.Series
    counts: Mapping[str, int]
    alpha: float
    permutations: int
    seed: int
    n: int
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = ()

    @staticmethod
    def label(key: str) -> str:
        """A cluster key in the reader's language ("High-high")."""
        return t(CLUSTERS[key])

    def labels(self) -> pd.Series:
        return self.cluster.map(lambda k: t(CLUSTERS[k]))

    def colours(self) -> pd.Series:
        return self.cluster.map(CLUSTER_COLOURS)

    def table(self) -> pd.DataFrame:
        """region_id, value, local_i, quadrant, p_sim, cluster (key) — for exports."""
        return pd.DataFrame({
            "region_id": list(self.cluster.index), "value": self.values.to_numpy(),
            "local_i": self.local_i.to_numpy(), "quadrant": self.quadrant.to_numpy(),
            "p_sim": self.p_sim.to_numpy(), "cluster": self.cluster.to_numpy(),
        })


def local_moran(values, w: WeightsResult, permutations: int = PERMUTATIONS, *,
                alpha: float = ALPHA, seed: int = SEED) -> LisaResult:
    """Local Moran's I (esda ``Moran_Local``) of ``values`` with the weights ``w``: each
    region's quadrant, pseudo p-value from conditional permutations, and cluster label."""
    from esda.moran import Moran_Local

    permutations, alpha, seed = _check_inference(permutations, alpha, seed)
    d = _on_weights(values, w, Text(N_("Local Moran's I")))
    wr = w if isinstance(w, WeightsResult) else weights_from_w(w)
    with _seeded(seed):
        lm = Moran_Local(d.y, d.w, transformation="r", permutations=permutations,
                         n_jobs=1, keep_simulations=False, seed=seed)
    idx = pd.Index(d.ids, name="region_id")
    quadrant = pd.Series([_QUADRANTS[int(q)] for q in lm.q], index=idx, name="quadrant")
    p_sim = pd.Series(_pseudo_p(lm.p_sim, permutations), index=idx, name="p_sim")
    cluster = pd.Series(np.where(p_sim.to_numpy() <= alpha, quadrant.map(_QUADRANT_CLUSTER),
                                 "not_significant"), index=idx, name="cluster")
    counts = {k: int((cluster == k).sum()) for k in CLUSTERS}
    n = len(d.ids)
    method = Text(
        N_("Local Moran's I (LISA) with {weights}. A region belongs to a cluster when its pseudo "
           "p-value from {permutations} conditional permutations (seed {seed}) is at most "
           "{alpha}; the cluster's name compares the region's value, then the average of its "
           "neighbours, with the mean of all regions. No correction for multiple comparisons: at "
           "{alpha}, about {by_chance} of the {n} regions may be marked by chance alone."),
        weights=wr.description, permutations=count(permutations), seed=str(seed),
        alpha=_p(alpha), by_chance=count(round(alpha * n)), n=count(n))
    return LisaResult(
        values=pd.Series(d.y, index=idx, name="value"),
        local_i=pd.Series(np.asarray(lm.Is, dtype=float), index=idx, name="local_i"),
        quadrant=quadrant, p_sim=p_sim, cluster=cluster, counts=counts, alpha=alpha,
        permutations=permutations, seed=seed, n=n, method=method, excluded=d.excluded,
        problems=d.problems,
    )


# ---------------------------------------------------------------------------
# Getis-Ord Gi* hot spots
# ---------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class HotSpotResult(Reported):
    """Result of :func:`getis_ord`: ``z`` the standardised Gi*, ``p_sim`` its pseudo p-value,
    ``spot`` a key of :data:`HOT_SPOTS` per region; ``counts`` per key."""

    values: pd.Series
    z: pd.Series
    p_sim: pd.Series
    spot: pd.Series
    counts: Mapping[str, int]
    alpha: float
    permutations: int
    seed: int
    star: bool
    n: int
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = ()

    @staticmethod
    def label(key: str) -> str:
        return t(HOT_SPOTS[key])

    def labels(self) -> pd.Series:
        return self.spot.map(lambda k: t(HOT_SPOTS[k]))

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "region_id": list(self.spot.index), "value": self.values.to_numpy(),
            "z": self.z.to_numpy(), "p_sim": self.p_sim.to_numpy(), "spot": self.spot.to_numpy(),
        })


def getis_ord(values, w: WeightsResult, permutations: int = PERMUTATIONS, *,
              alpha: float = ALPHA, seed: int = SEED, star: bool = True) -> HotSpotResult:
    """Getis-Ord local G (esda ``G_Local``) with binary weights: Gi* (``star=True``, the region
    counted with its neighbours, as in the usual hot spot analysis) or Gi. A hot spot is a
    region with a positive z and ``p_sim`` ≤ ``alpha``, a cold spot one with a negative z. The
    statistic is defined for values of zero or more."""
    from esda.getisord import G_Local

    permutations, alpha, seed = _check_inference(permutations, alpha, seed)
    what = Text(N_("Getis-Ord Gi*")) if star else Text(N_("Getis-Ord Gi"))
    d = _on_weights(values, w, what)
    if (d.y < 0).any():
        raise AnalysisError(Text(
            N_("{what} needs values of zero or more; {n} region(s) have a negative value."),
            what=what, n=count(int((d.y < 0).sum()))))
    wr = w if isinstance(w, WeightsResult) else weights_from_w(w)
    with _seeded(seed):
        lg = G_Local(d.y, d.w, transform="B", permutations=permutations, star=star,
                     keep_simulations=False, n_jobs=1, seed=seed)
    idx = pd.Index(d.ids, name="region_id")
    z = pd.Series(np.asarray(lg.Zs, dtype=float), index=idx, name="z")
    p_sim = pd.Series(_pseudo_p(lg.p_sim, permutations), index=idx, name="p_sim")
    sig = p_sim.to_numpy() <= alpha
    spot = pd.Series(np.where(sig & (z.to_numpy() > 0), "hot_spot",
                              np.where(sig & (z.to_numpy() < 0), "cold_spot", "not_significant")),
                     index=idx, name="spot")
    counts = {k: int((spot == k).sum()) for k in HOT_SPOTS}
    n = len(d.ids)
    method = Text(
        N_("{what} with binary weights ({weights}): a hot spot is a region among high values, a "
           "cold spot one among low values, when the pseudo p-value from {permutations} "
           "conditional permutations (seed {seed}) is at most {alpha}. No correction for "
           "multiple comparisons. {n} regions."),
        what=what, weights=wr.description, permutations=count(permutations), seed=str(seed),
        alpha=_p(alpha), n=count(n))
    return HotSpotResult(
        values=pd.Series(d.y, index=idx, name="value"), z=z, p_sim=p_sim, spot=spot,
        counts=counts, alpha=alpha, permutations=permutations, seed=seed, star=bool(star), n=n,
        method=method, excluded=d.excluded, problems=d.problems,
    )
