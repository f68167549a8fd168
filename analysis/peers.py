"""Peer groups and peers: which regions are alike, so that a region is compared fairly.

:func:`peer_groups` sorts regions into ``k`` groups by a set of measures (spending per resident
by agency or programme, outcomes, population…): k-means on standardised values, or a Ward
regionalisation in which every group is a connected set of neighbouring regions.
:func:`similar_regions` finds the regions closest to one region over the same kind of measures,
either the ``n`` nearest or, as benchmarking products for US towns do, the nearest among the
regions of a similar population.

Both work on z-scores (each value minus the measure's mean, divided by its standard deviation
over the regions analysed, as :class:`sklearn.preprocessing.StandardScaler` computes them), so
that a measure in dollars and one in percent weigh the same. Regions with a missing value in a
chosen measure are left out and listed in ``excluded``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from layers.numbers import format_number
from locales import N_

from . import AnalysisError, Excluded, Reported

__all__ = ["PeerGroups", "Peers", "peer_groups", "similar_regions", "METHODS", "RULES",
           "KMEANS_STARTS", "BAND_STEP"]

#: Grouping methods, with their labels for a selector.
METHODS = {"kmeans": N_("k-means on standardised values"),
           "regions": N_("Regions of neighbours (Ward, contiguous)")}
#: Rules for choosing the peers of one region.
RULES = {"nearest": N_("Nearest by the chosen measures"),
         "population_band": N_("Similar population, then nearest")}
#: k-means random starts (the best of them, by within-group sum of squares, is kept).
KMEANS_STARTS = 10
#: Fewest regions any grouping runs on, whatever k.
MIN_REGIONS = 10
#: How much the population band widens at each step when it holds too few peers (±50% →
#: ±75% → ±100% …).
BAND_STEP = 0.25


@dataclass(frozen=True, eq=False)
class PeerGroups(Reported):
    """Regions sorted into peer groups.

    ``groups``: region id → group number (1, 2, …) for every region analysed. Groups 1..k are
    numbered by their mean of the first measure, lowest first; with ``algorithm="regions"`` a
    region with no neighbour forms a group of its own, numbered after k (``islands``).
    ``sizes``, ``means``, ``medians``, ``population``: each group's profile, in the measures'
    own units. ``silhouette``: sklearn's silhouette score of the grouping on the z-scores
    (−1 to 1, higher for better-separated groups; None when it cannot be computed).
    """

    groups: pd.Series
    k: int
    algorithm: str
    measures: tuple[str, ...]
    sizes: pd.Series
    means: pd.DataFrame
    medians: pd.DataFrame
    population: pd.Series | None
    silhouette: float | None
    islands: tuple[str, ...]
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = field(default=())

    @property
    def n_groups(self) -> int:
        return int(self.sizes.size)

    def profile(self) -> pd.DataFrame:
        """One row per group: regions, population total (when given), then the mean and the
        median of each measure (columns ``(measure, "mean")``, ``(measure, "median")``)."""
        cols: dict[tuple[str, str], pd.Series] = {("regions", ""): self.sizes}
        if self.population is not None:
            cols[("population", "")] = self.population
        for m in self.measures:
            cols[(m, "mean")] = self.means[m]
            cols[(m, "median")] = self.medians[m]
        out = pd.DataFrame(cols)
        out.index.name = "group"
        return out


@dataclass(frozen=True, eq=False)
class Peers(Reported):
    """The peers of one region.

    ``peers``: one row per peer, closest first: ``distance`` (Euclidean, between z-scores),
    the peer's value of each measure and, when given, its ``population``. ``region``: the
    region's own values, beside them. ``median``: the peers' median of each measure;
    ``versus_median``: the region's value over that median, minus 1 (0.23 = 23% above; NaN
    where the median is 0). ``band``: the population band used (0.5 = ±50%), after widening;
    None for the nearest rule.
    """

    region_id: str
    rule: str
    measures: tuple[str, ...]
    peers: pd.DataFrame
    region: pd.Series
    median: pd.Series
    versus_median: pd.Series
    band: float | None
    band_asked: float | None
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = field(default=())

    def table(self) -> pd.DataFrame:
        """The region (distance 0) above its peers, and the peers' median last (no distance):
        the rows a page or an export shows side by side."""
        cols = list(self.peers.columns)
        head = self.region.reindex(cols)
        head["distance"] = 0.0
        return pd.concat([head.to_frame(self.region_id).T, self.peers,
                          self.median.reindex(cols).to_frame("median").T])[cols]

    def comparison(self, measure: str, *, region_name: str | None = None,
                   measure_label: str | None = None) -> Text:
        """One sentence for the page: "Cook is 23% above the median of its peers for Federal
        grants per resident." Names are data, given as written."""
        region = region_name or self.region_id
        label = measure_label or measure
        ratio = float(self.versus_median.get(measure, np.nan))
        if not np.isfinite(ratio):
            return Text(N_("The median of the peers of {region} for {measure} is zero or "
                           "missing: no percentage to compare."), region=region, measure=label)
        pct = format_number(abs(ratio) * 100, "%")
        if pct == format_number(0.0, "%"):
            return Text(N_("{region} is at the median of its peers for {measure}."),
                        region=region, measure=label)
        if ratio > 0:
            return Text(N_("{region} is {pct} above the median of its peers for {measure}."),
                        region=region, pct=pct, measure=label)
        return Text(N_("{region} is {pct} below the median of its peers for {measure}."),
                    region=region, pct=pct, measure=label)


# ---------------------------------------------------------------------------------------------
# shared checks

def _measures(frame: pd.DataFrame, measures: Sequence[str] | None,
              leave_out: Sequence[str] = ()) -> list[str]:
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(Text(N_("Peer analysis needs a table of regions by measures.")))
    chosen = [c for c in frame.columns if c not in leave_out] if measures is None \
        else list(measures)
    if not chosen:
        raise AnalysisError(Text(N_("No measure chosen: pick at least one measure to compare "
                                    "regions by.")))
    for m in chosen:
        if m not in frame.columns:
            raise AnalysisError(Text(N_("The table has no measure '{measure}'."), measure=m))
        if not pd.api.types.is_numeric_dtype(frame[m]) or pd.api.types.is_bool_dtype(frame[m]):
            raise AnalysisError(Text(N_("'{measure}' is not a numeric measure."), measure=m))
    if len(set(chosen)) != len(chosen):
        raise AnalysisError(Text(N_("A measure is chosen twice: {measures}."),
                                 measures=", ".join(map(str, chosen))))
    return chosen


def _complete(frame: pd.DataFrame, measures: list[str],
              extra: pd.Series | None = None) -> tuple[pd.DataFrame, dict[str, Text]]:
    """Rows with every measure (and a positive ``extra``, when given), and the rows left out,
    each with why."""
    values = frame[measures].astype(float)
    values.index = values.index.map(str)
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()].unique()
        raise AnalysisError(Text(N_("Each region must appear once; listed more than once: "
                                    "{regions}."), regions=", ".join(dup[:8])))
    missing = ~np.isfinite(values.to_numpy())
    reasons: dict[str, Text] = {}
    for i in np.flatnonzero(missing.any(axis=1)):
        cols = [m for m, miss in zip(measures, missing[i]) if miss]
        reasons[values.index[i]] = Text(N_("no value for {measures}"),
                                        measures=", ".join(map(str, cols)))
    if extra is not None:
        ext = extra.reindex(values.index)
        for rid, v in ext.items():
            if rid not in reasons and not (np.isfinite(v) and v > 0):
                reasons[rid] = Text(N_("no population"))
    return values.drop(index=list(reasons)), reasons


def _excluded(reasons: dict[str, Text]) -> tuple[Excluded, ...]:
    """The rows left out, one entry per reason, in the order first met."""
    by: dict[str, tuple[Text, list[str]]] = {}
    for rid, why in reasons.items():
        by.setdefault(str(why), (why, []))[1].append(rid)
    return tuple(Excluded(why, tuple(ids)) for why, ids in by.values())


def _refuse_constant(values: pd.DataFrame) -> None:
    for m in values.columns:
        col = values[m].to_numpy()
        if col.size and np.all(col == col[0]):
            raise AnalysisError(Text(N_("'{measure}' has the same value in every region "
                                        "analysed, so it cannot tell regions apart: leave it "
                                        "out."), measure=m))


def _zscores(values: pd.DataFrame) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(values.to_numpy(dtype=float))


def _names(measures: Sequence[str]) -> str:
    return ", ".join(map(str, measures))


# ---------------------------------------------------------------------------------------------
# peer groups

def peer_groups(frame: pd.DataFrame, *, k: int, method: str = "kmeans",
                connectivity: Any = None, seed: int = 0,
                measures: Sequence[str] | None = None,
                population: str | pd.Series | None = None) -> PeerGroups:
    """Sort the regions of ``frame`` (rows indexed by region id, a column per measure) into
    ``k`` peer groups by ``measures`` (default: every column but ``population``).

    ``method="kmeans"``: scikit-learn KMeans (``KMEANS_STARTS`` starts, ``seed``) on the
    z-scores. ``method="regions"``: scikit-learn AgglomerativeClustering, Ward linkage, on the
    z-scores, constrained by ``connectivity`` (a libpysal ``W`` whose ids are the region ids,
    or a square scipy sparse matrix in the order of ``frame``'s rows): a group only grows by
    joining neighbours, so each group is connected through the adjacency. A region with no
    neighbour among the regions analysed forms a group of its own, numbered after the k
    groups; pass weights with islands attached to their nearest region
    (``libpysal.weights.util.attach_islands``) to have them join one instead. A map in several
    separate parts (Alaska, Hawaii, Puerto Rico beside the mainland) holds at least one group
    in each part; the k groups go, one merge at a time, to the part whose next Ward merge
    costs least, as a single Ward run would. A region left out for a missing value is left out
    of the adjacency too: a region whose only neighbours are left out has no neighbour.

    ``population``: a column of ``frame`` or a Series by region id, summed per group (not a
    grouping measure unless also in ``measures``).
    """
    pop_series: pd.Series | None = None
    leave_out: tuple[str, ...] = ()
    if isinstance(population, str):
        if population not in frame.columns:
            raise AnalysisError(Text(N_("The table has no population column '{column}'."),
                                     column=population))
        pop_series = frame[population]
        leave_out = (population,)
    elif population is not None:
        pop_series = population
    chosen = _measures(frame, measures, leave_out)
    if method not in METHODS:
        raise AnalysisError(Text(N_("Unknown grouping method '{method}': use 'kmeans' or "
                                    "'regions'."), method=str(method)))
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 2:
        raise AnalysisError(Text(N_("Peer groups need k of at least 2 (got {k})."), k=str(k)))
    k = int(k)
    if method == "regions" and connectivity is None:
        raise AnalysisError(Text(N_("Regions of neighbours need the adjacency of the regions "
                                    "(spatial weights).")))
    values, reasons = _complete(frame, chosen)
    excluded = _excluded(reasons)
    minimum = max(2 * k, MIN_REGIONS)
    if len(values) < minimum:
        raise AnalysisError(Text(N_("{k} peer groups need at least {minimum} regions with "
                                    "every measure; {n} have them."),
                                 k=str(k), minimum=count(minimum), n=count(len(values))))
    _refuse_constant(values)
    z = _zscores(values)
    # k-means needs k different points; regions of neighbours may split equal values by place
    distinct = len(np.unique(z.round(12), axis=0)) if method == "kmeans" else len(z)
    if distinct < k:
        raise AnalysisError(Text(N_("Only {n} regions differ in the chosen measures; {k} "
                                    "groups need at least {k} different ones."),
                                 n=count(distinct), k=str(k)))
    problems: list[Text] = []
    islands: list[int] = []
    if method == "kmeans":
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=k, n_init=KMEANS_STARTS, random_state=seed).fit_predict(z)
    else:
        adj, not_in_w = _adjacency(connectivity, frame, values.index)
        if not_in_w:
            problems.append(Text(N_("{n} region(s) are not in the spatial weights and have "
                                    "no neighbour: {regions}."), n=count(len(not_in_w)),
                                 regions=", ".join(not_in_w[:8])))
        labels, islands, parts = _ward_by_parts(z, adj, k)
        if parts > 1:
            problems.append(Text(N_("The regions fall into {parts} separate parts of "
                                    "neighbours; each part holds at least one group."),
                                 parts=count(parts)))
        if islands:
            ids = [values.index[i] for i in islands]
            problems.append(Text(N_("{n} region(s) have no neighbour and form groups of their "
                                    "own: {regions}."), n=count(len(ids)),
                                 regions=", ".join(ids[:8])))
    groups = _number_groups(labels, values.iloc[:, 0].to_numpy(), set(islands), values.index)
    groups = pd.Series(groups, index=values.index, name="group")
    groups.index.name = "region_id"

    silhouette = None
    if 2 <= groups.nunique() <= len(groups) - 1:
        from sklearn.metrics import silhouette_score

        silhouette = float(silhouette_score(z, groups.to_numpy()))
    by = values.groupby(groups)
    sizes = by.size().rename("regions")
    means, medians = by.mean(), by.median()
    pop_total = None
    if pop_series is not None:
        pop = pd.to_numeric(pd.Series(pop_series), errors="coerce")
        pop.index = pop.index.map(str)
        pop = pop.reindex(groups.index)
        lacking = int(pop.isna().sum())
        if lacking:
            problems.append(Text(N_("{n} region(s) have no population; group totals leave "
                                    "them out."), n=count(lacking)))
        pop_total = pop.groupby(groups).sum(min_count=1).rename("population")
    if reasons:
        problems.append(Text(N_("{n} region(s) left out for missing values."),
                             n=count(len(reasons))))
    sil = f"{silhouette:.2f}" if silhouette is not None else Text(N_("cannot be computed here"))
    if method == "kmeans":
        text = Text(N_("k-means (scikit-learn, {starts} random starts, seed {seed}) sorted {n} "
                       "regions into {k} peer groups by the z-scores of {measures} (each value "
                       "minus the measure's mean, divided by its standard deviation), so that "
                       "every measure weighs the same. Groups are numbered by their mean of "
                       "{first}, lowest first; silhouette score {silhouette} (−1 to 1, higher "
                       "for better-separated groups)."),
                    starts=str(KMEANS_STARTS), seed=str(seed), n=count(len(values)), k=str(k),
                    measures=_names(chosen), first=str(chosen[0]), silhouette=sil)
    elif islands:
        text = Text(N_("Ward clustering constrained by contiguity (scikit-learn) sorted {n} "
                       "regions into {k} groups of neighbouring regions by the z-scores of "
                       "{measures}: each group is connected through the adjacency given, and "
                       "each of the {islands} region(s) with no neighbour forms a group of its "
                       "own. Groups are numbered by their mean of {first}, lowest first, "
                       "groups of one region with no neighbour last; silhouette score "
                       "{silhouette} (−1 to 1, higher for better-separated groups)."),
                    n=count(len(values)), k=str(k), measures=_names(chosen),
                    islands=count(len(islands)), first=str(chosen[0]), silhouette=sil)
    else:
        text = Text(N_("Ward clustering constrained by contiguity (scikit-learn) sorted {n} "
                       "regions into {k} groups of neighbouring regions by the z-scores of "
                       "{measures}: each group is connected through the adjacency given. "
                       "Groups are numbered by their mean of {first}, lowest first; silhouette "
                       "score {silhouette} (−1 to 1, higher for better-separated groups)."),
                    n=count(len(values)), k=str(k), measures=_names(chosen),
                    first=str(chosen[0]), silhouette=sil)
    return PeerGroups(groups=groups, k=k, algorithm=method, measures=tuple(chosen),
                      sizes=sizes, means=means, medians=medians, population=pop_total,
                      silhouette=silhouette,
                      islands=tuple(values.index[i] for i in islands), method=text,
                      excluded=excluded, problems=tuple(problems))


def _adjacency(connectivity: Any, frame: pd.DataFrame,
               ids: pd.Index) -> tuple[Any, list[str]]:
    """The adjacency among the regions analysed (``ids``), symmetric, 0/1, no self-links; and
    the regions the weights do not know."""
    from scipy import sparse

    all_ids = frame.index.map(str)
    not_in_w: list[str] = []
    if hasattr(connectivity, "sparse") and hasattr(connectivity, "id_order"):
        w_ids = [str(i) for i in connectivity.id_order]
        pos = {r: i for i, r in enumerate(w_ids)}
        if len(pos) != len(w_ids):
            raise AnalysisError(Text(N_("The spatial weights list a region twice.")))
        mat = sparse.csr_matrix(connectivity.sparse)
        have = [pos.get(r) for r in ids]
        not_in_w = [r for r, p in zip(ids, have) if p is None]
        # a region the weights lack gets an empty row: no neighbour
        rows = np.array([i for i, p in enumerate(have) if p is not None], dtype=np.int64)
        cols = np.array([p for p in have if p is not None], dtype=np.int64)
        pick = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                 shape=(len(ids), len(w_ids)))
        adj = pick @ mat @ pick.T
    elif sparse.issparse(connectivity) or isinstance(connectivity, np.ndarray):
        mat = sparse.csr_matrix(connectivity)
        if mat.shape != (len(all_ids), len(all_ids)):
            raise AnalysisError(Text(N_("The adjacency is {rows} × {cols} but the table has {n} "
                                        "regions."), rows=count(mat.shape[0]),
                                     cols=count(mat.shape[1]), n=count(len(all_ids))))
        keep = all_ids.get_indexer(ids)
        adj = mat[keep][:, keep]
    else:
        raise AnalysisError(Text(N_("The adjacency must be spatial weights (libpysal W) or a "
                                    "sparse matrix.")))
    adj = (abs(adj) + abs(adj).T).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj.data[:] = 1.0
    return adj, not_in_w


def _ward_by_parts(z: np.ndarray, adj: Any, k: int) -> tuple[np.ndarray, list[int], int]:
    """Ward labels under the adjacency; the positions of regions with no neighbour (each a
    label of its own); the number of separate parts with more than one region."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.cluster import AgglomerativeClustering

    n_parts, part = connected_components(adj, directed=False)
    part_size = np.bincount(part, minlength=n_parts)
    islands = [int(i) for i in np.flatnonzero(part_size[part] == 1)]
    multi = [p for p in range(n_parts) if part_size[p] > 1]
    if len(multi) > k:
        raise AnalysisError(Text(N_("The regions fall into {parts} separate parts of neighbours "
                                    "(besides regions with no neighbour); groups of neighbours "
                                    "need k of at least {parts} (got {k})."),
                                 parts=count(len(multi)), k=str(k)))
    in_parts = int(part_size[multi].sum()) if multi else 0
    if in_parts < k:
        raise AnalysisError(Text(N_("Only {n} regions have a neighbour; {k} groups of "
                                    "neighbours need at least {k}."),
                                 n=count(in_parts), k=str(k)))
    labels = np.full(len(z), -1, dtype=np.int64)
    if len(multi) == 1:
        idx = np.flatnonzero(part == multi[0])
        model = AgglomerativeClustering(n_clusters=k, linkage="ward",
                                        connectivity=adj[idx][:, idx])
        labels[idx] = model.fit_predict(z[idx])
    else:
        trees = {}
        for p in multi:
            idx = np.flatnonzero(part == p)
            model = AgglomerativeClustering(n_clusters=1, linkage="ward",
                                            connectivity=adj[idx][:, idx],
                                            compute_full_tree=True, compute_distances=True)
            model.fit(z[idx])
            trees[p] = (idx, model.children_, model.distances_)
        # the cheapest next merge of any part, as one Ward run over all parts would take it
        done = {p: 0 for p in multi}
        for _ in range(in_parts - k):
            best = min((p for p in multi if done[p] < len(trees[p][2])),
                       key=lambda p: (trees[p][2][done[p]], p))
            done[best] += 1
        next_label = 0
        for p in multi:
            idx, children, _ = trees[p]
            cut = _cut(children, len(idx), done[p])
            labels[idx] = cut + next_label
            next_label += int(cut.max()) + 1
    start = int(labels.max()) + 1
    for j, i in enumerate(islands):
        labels[i] = start + j
    return labels, islands, len(multi)


def _cut(children: np.ndarray, n: int, merges: int) -> np.ndarray:
    """Leaf labels 0.. after the first ``merges`` merges of an agglomerative tree (the cut
    scikit-learn makes for ``n - merges`` clusters)."""
    parent = np.arange(n + merges)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for step in range(merges):
        node = n + step
        for child in children[step]:
            parent[root(int(child))] = node
    roots = np.array([root(i) for i in range(n)])
    return np.unique(roots, return_inverse=True)[1].astype(np.int64)


def _number_groups(labels: np.ndarray, first: np.ndarray, island_pos: set[int],
                   ids: pd.Index) -> np.ndarray:
    """Group numbers 1.. by the mean of the first measure, lowest first (ties: the larger
    group, then the group with the lowest region id, so that row order does not matter);
    groups of a single region with no neighbour after the others."""
    keys = []
    for lab in np.unique(labels):
        members = np.flatnonzero(labels == lab)
        island = len(members) == 1 and int(members[0]) in island_pos
        keys.append((island, round(float(first[members].mean()), 12), -len(members),
                     min(ids[members]), int(lab)))
    order = {key[-1]: i + 1 for i, key in enumerate(sorted(keys))}
    return np.array([order[int(lab)] for lab in labels], dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# peers of one region

def similar_regions(frame: pd.DataFrame, region_id: str, *, n: int = 5,
                    rule: str = "nearest", population: pd.Series | None = None,
                    band: float = 0.5, min_peers: int = 5,
                    measures: Sequence[str] | None = None) -> Peers:
    """The peers of ``region_id`` among the rows of ``frame`` (indexed by region id, a column
    per measure; ``measures`` default to every column).

    Distance: Euclidean between z-scores (each measure standardised over every region with
    all the measures), so 1 is one standard deviation of one measure.

    ``rule="nearest"``: the ``n`` closest regions. ``rule="population_band"``: regions whose
    ``population`` is within ±``band`` of the region's (0.5: from half to one and a half
    times), then the closest of them; at least ``min_peers`` (``max(n, min_peers)`` are
    returned), widening the band by ``BAND_STEP`` at a time until it holds that many.
    Ties in distance go to the lower region id.
    """
    chosen = _measures(frame, measures)
    if rule not in RULES:
        raise AnalysisError(Text(N_("Unknown peer rule '{rule}': use 'nearest' or "
                                    "'population_band'."), rule=str(rule)))
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise AnalysisError(Text(N_("The number of peers must be at least 1 (got {n})."),
                                 n=str(n)))
    region_id = str(region_id)
    pop = None
    if population is not None:
        pop = pd.to_numeric(pd.Series(population), errors="coerce").astype(float)
        pop.index = pop.index.map(str)
        pop = pop[~pop.index.duplicated()]
    if rule == "population_band":
        if pop is None:
            raise AnalysisError(Text(N_("Peers of a similar population need the population of "
                                        "each region.")))
        if not (np.isfinite(band) and band > 0):
            raise AnalysisError(Text(N_("The population band must be above 0 (got {band})."),
                                     band=str(band)))
        if min_peers < 1:
            raise AnalysisError(Text(N_("The fewest peers must be at least 1 (got {n})."),
                                     n=str(min_peers)))
    idx = frame.index.map(str)
    if region_id not in set(idx):
        raise AnalysisError(Text(N_("Region '{region}' is not in the table."), region=region_id))
    values, reasons = _complete(frame, chosen, pop if rule == "population_band" else None)
    if region_id in reasons:
        raise AnalysisError(Text(N_("Region '{region}' cannot be compared: {reason}."),
                                 region=region_id, reason=reasons[region_id]))
    excluded = _excluded(reasons)
    want = n if rule == "nearest" else max(n, int(min_peers))
    if len(values) - 1 < want:
        raise AnalysisError(Text(N_("{n} peers need at least {minimum} regions with every "
                                    "measure; {have} have them."), n=count(want),
                                 minimum=count(want + 1), have=count(len(values))))
    _refuse_constant(values)
    z = pd.DataFrame(_zscores(values), index=values.index, columns=chosen)
    dist = pd.Series(np.sqrt(((z - z.loc[region_id]) ** 2).sum(axis=1)), name="distance")
    dist = dist.drop(index=region_id)

    problems: list[Text] = []
    used = asked = None
    if rule == "population_band":
        asked = used = float(band)
        own = float(pop[region_id])
        others = pop.reindex(dist.index)
        while True:
            inside = others[(others >= own * (1 - used)) & (others <= own * (1 + used))]
            if len(inside) >= want:
                break
            used = round(used + BAND_STEP, 10)
        dist = dist.reindex(inside.index)
        if used != asked:
            problems.append(Text(N_("The population band was widened from ±{asked} to "
                                    "±{band} to find at least {n} peers."),
                                 asked=format_number(asked * 100, "%"),
                                 band=format_number(used * 100, "%"), n=count(want)))
    order = sorted(dist.index, key=lambda r: (round(float(dist[r]), 12), r))[:want]
    peers = values.loc[order].copy()
    peers.insert(0, "distance", dist.loc[order].to_numpy())
    region = values.loc[region_id].copy()
    if pop is not None:
        peers["population"] = pop.reindex(order).to_numpy()
        region["population"] = float(pop.get(region_id, np.nan))
    peers.index.name = "region_id"
    median = peers[chosen].median()
    if pop is not None:
        median["population"] = float(peers["population"].median())  # NaN when none known
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = region[median.index] / median - 1
    ratio = ratio.where(median != 0)
    if reasons:
        problems.append(Text(N_("{n} region(s) left out for missing values."),
                             n=count(len(reasons))))
    if rule == "nearest":
        text = Text(N_("Peers: the {n} regions closest to {region} by Euclidean distance "
                       "between the z-scores of {measures} (each value minus the measure's "
                       "mean over {total} regions, divided by its standard deviation); a "
                       "distance of 1 is one standard deviation of one measure."),
                    n=count(want), region=region_id, measures=_names(chosen),
                    total=count(len(values)))
    elif used == asked:
        text = Text(N_("Peers: the regions with a population within ±{band} of that of {region} "
                       "({population}), then the {n} closest of them by Euclidean distance "
                       "between the z-scores of {measures} (standardised over {total} "
                       "regions)."),
                    band=format_number(used * 100, "%"), region=region_id,
                    population=format_number(float(pop[region_id]), compact=False),
                    n=count(want), measures=_names(chosen), total=count(len(values)))
    else:
        text = Text(N_("Peers: the regions with a population within ±{band} of that of {region} "
                       "({population}; the ±{asked} asked for held fewer than {n} regions, so "
                       "the band was widened by {step} at a time), then the {n} closest of them "
                       "by Euclidean distance between the z-scores of {measures} (standardised "
                       "over {total} regions)."),
                    band=format_number(used * 100, "%"), region=region_id,
                    population=format_number(float(pop[region_id]), compact=False),
                    asked=format_number(asked * 100, "%"), n=count(want),
                    step=format_number(BAND_STEP * 100, "%"), measures=_names(chosen),
                    total=count(len(values)))
    return Peers(region_id=region_id, rule=rule, measures=tuple(chosen), peers=peers,
                 region=region, median=median, versus_median=ratio, band=used, band_asked=asked,
                 method=text, excluded=excluded, problems=tuple(problems))
