"""The maps of the Analysis page's views, one recipe each, as the page and every export draw them.

A view of the Analysis page (``page=analysis`` in a link or a saved view) is its question
(``an_view``) and that question's settings (the ``an_*`` link keys). :func:`analysis_choices`
gives the options of each key as the page's pickers offer them and :func:`view_fields` checks a
link against them (:func:`geodata.viewstate.resolve_view` calls it), so a link, a saved view
and the command line land on the view the page would show.

:func:`analysis_map` draws a view: :func:`outliers_map` (a box map with the outliers of the
chosen rule outlined), :func:`hotspots_map` (LISA clusters, or Getis-Ord Gi* hot and cold
spots), and the recipes of peer groups and of what money predicts
(:mod:`analysis.model_views`) and of overlapping funding by area (:func:`analysis.overlap.
overlap_map`). Each returns an :class:`analysis.AnalysisMap`: the coloured view, its title
and subtitle, and the method statement printed under the map.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import pandas as pd

from geodata.dataset import MapValues, MeasureSpec, WorkspaceData, map_values
from geodata.problems import Text
from layers.analysis_maps import hotspot_view, lisa_view, ordered_view
from layers.choropleth import value_formatter, with_marks
from layers.classify import format_number
from layers.numbers import unit_label
from layers.palettes import get_palette
from locales import N_, t

from . import AnalysisError, AnalysisMap
from . import outliers as O
from . import peers as P
from . import spatial as S
from .overlap import AREA_MEASURES

if TYPE_CHECKING:
    from geodata.viewstate import ViewState

#: The questions of the page, in the order its picker offers them.
VIEWS = ("outliers", "hotspots", "peers", "predicts", "overlap")
#: The local statistic of a hot spots view: LISA clusters or Getis-Ord Gi*.
STATS = ("lisa", "gi")
ALPHAS = (0.1, 0.05, 0.01)
PERMUTATIONS = (99, 499, 999, 9999)
ISLANDS = S.ISLAND_HANDLING
MAX_K = 20.0            # outliers: the largest k the page takes
KNN = range(1, 31)      # hot spots: k nearest neighbours
GROUPS = range(2, 13)   # peer groups
PEER_METHODS = tuple(P.METHODS)
PEER_RULES = tuple(P.RULES)
OVERLAP_MEASURES = tuple(AREA_MEASURES)
#: The link keys each question reads besides the mapped measure's (level, measure, …).
VIEW_KEYS: Mapping[str, tuple[str, ...]] = {
    "outliers": ("an_rule", "an_k"),
    "hotspots": ("an_stat", "an_w", "an_knn", "an_islands", "an_alpha", "an_perm"),
    "peers": ("an_year", "an_measures", "an_groups", "an_method", "an_region", "an_peer_rule",
              "an_log"),
    "predicts": ("an_year", "an_outcome", "an_money", "an_controls", "an_log", "an_panel"),
    "overlap": ("an_ov_level", "an_ov_measure"),
}
#: The questions whose map is of the sidebar's measure (level, measure, table, years …).
MEASURE_VIEWS = ("outliers", "hotspots")

_MARKED = {
    ("mad", False): N_("Outlier: more than {k} × MAD from the median"),
    ("mad", True): N_("Outlier: more than {k} × MAD from the median (log scale)"),
    ("tukey", False): N_("Outlier: beyond Tukey's fences ({k} × IQR)"),
    ("tukey", True): N_("Outlier: beyond Tukey's fences ({k} × IQR, log scale)"),
}


# ------------------------------------------------------------------------ the page's options
def _level_choice(data: WorkspaceData, raw: object) -> str:
    levels = [lv.id for lv in data.ws.levels]
    return str(raw) if raw in levels else (data.ws.default_level or levels[0])


def default_year(data: WorkspaceData, level: str, years: Sequence[int]) -> int:
    """The page's year of a table of measures: the latest year with money, else the latest
    year of anything."""
    money = [data.years(spec.id)[1] for spec in data.allocation_tables(level)]
    default = max(money) if money else years[-1]
    return default if default in years else years[-1]


def default_measures(options: Sequence[str]) -> list[str]:
    """The measures the peer groups start with: the first money, the first indicator, the
    population (else the first two measures)."""
    picked = [k for k in options if k.startswith("money:")][:1] + \
        [k for k in options if k.startswith("ind:")][:1] + \
        (["population"] if "population" in options else [])
    return picked[:3] or list(options)[:2]


def overlap_levels(data: WorkspaceData) -> list[str]:
    """The levels the overlapping-funding check can be mapped by (its area columns that are
    levels of the workspace); [] when the workspace sets no check up."""
    try:
        from .overlap import rules_for_workspace
        rules, _ = rules_for_workspace(data.ws)
    except (AnalysisError, ValueError):
        return []
    if rules is None:
        return []
    levels = {lv.id for lv in data.ws.levels}
    return [lv for lv in rules.area_columns if lv in levels]


def analysis_choices(data: WorkspaceData, params: Mapping[str, str]) -> dict[str, list]:
    """The valid values of each link key of an Analysis view (``an_view`` and the keys of
    that question), given the values before it, as the page's pickers offer them. The
    values of ``an_k`` (0 < k ≤ 20) are not a list: it is absent here."""
    view = params.get("an_view") if params.get("an_view") in VIEWS else VIEWS[0]
    out: dict[str, list] = {"an_view": list(VIEWS)}
    if view == "outliers":
        out["an_rule"] = list(O.RULES)
    elif view == "hotspots":
        out.update(an_stat=list(STATS), an_w=list(S.KINDS), an_knn=list(KNN),
                   an_islands=list(ISLANDS), an_alpha=list(ALPHAS),
                   an_perm=list(PERMUTATIONS))
    elif view in ("peers", "predicts"):
        from .frames import analysis_years, measure_options

        level = _level_choice(data, params.get("level"))
        options = list(measure_options(data, level))
        out["an_year"] = analysis_years(data, level)
        out["an_log"] = [True, False]
        if view == "peers":
            out.update(an_measures=options, an_groups=list(GROUPS),
                       an_method=list(PEER_METHODS), an_peer_rule=list(PEER_RULES),
                       an_region=[str(r) for r in data.names(level)])
        else:
            outcomes = [k for k in options if k.startswith("ind:")]
            money = [k for k in options if k.startswith("money:")]
            outcome = params.get("an_outcome") if params.get("an_outcome") in outcomes else \
                (outcomes[0] if outcomes else "")
            paid = params.get("an_money") if params.get("an_money") in money else \
                (money[0] if money else "")
            out.update(an_outcome=outcomes, an_money=money,
                       an_controls=[k for k in options if k not in (outcome, paid)])
    else:
        out.update(an_ov_level=overlap_levels(data), an_ov_measure=list(OVERLAP_MEASURES))
    return out


def _parse_panel(raw: str) -> str:
    lo, sep, hi = str(raw).partition("-")
    if not sep or int(lo) > int(hi):
        raise ValueError(raw)
    return f"{int(lo)}-{int(hi)}"


def view_fields(data: WorkspaceData, params: Mapping[str, str],
                ignored: list[str]) -> tuple[dict[str, str], dict]:
    """Check the link keys of an Analysis view against :func:`analysis_choices`: each value
    not offered is reported in ``ignored`` and the page's default used, as the page's pickers
    do. Returns the link with the level (and the measure) the view draws, and the view
    state's ``an_*`` fields. Keys of another question than the view's are dropped: the page
    does not read them either."""
    from geodata.viewstate import _pick, choices, param

    p = {str(k): str(v) for k, v in params.items()}

    def pick(key: str, options, default, parse=str, why: str | None = None):
        return _pick(p, ignored, key, options, default, parse, why)

    ch = analysis_choices(data, p)
    view = pick("an_view", ch["an_view"], VIEWS[0])
    ch = analysis_choices(data, {**p, "an_view": view})
    fields: dict[str, Any] = {"an_view": view}
    level = _level_choice(data, p.get("level"))
    if view == "outliers":
        rule = fields["an_rule"] = pick("an_rule", ch["an_rule"], "mad")
        k = pick("an_k", None, O.DEFAULT_K[rule], float)
        if not 0 < k <= MAX_K:
            ignored.append(t("{param}: k must be above 0 and at most {max}",
                             param=param("an_k", p.get("an_k")), max=f"{MAX_K:g}"))
            k = O.DEFAULT_K[rule]
        fields["an_k"] = k
    elif view == "hotspots":
        fields["an_stat"] = pick("an_stat", ch["an_stat"], "lisa")
        fields["an_w"] = pick("an_w", ch["an_w"], "queen")
        fields["an_knn"] = pick("an_knn", ch["an_knn"], S.DEFAULT_K, int) \
            if fields["an_w"] == "knn" else None
        fields["an_islands"] = pick("an_islands", ch["an_islands"], "drop")
        fields["an_alpha"] = pick("an_alpha", ch["an_alpha"], S.ALPHA, float)
        fields["an_perm"] = pick("an_perm", ch["an_perm"], S.PERMUTATIONS, int)
    elif view in ("peers", "predicts"):
        from geodata.viewstate import _parse_bool

        years = ch["an_year"]
        if not years:
            ignored.append(t("{param}: no money or indicator at this level to analyse",
                             param=param("an_view", view)))
        fields["an_year"] = pick("an_year", years, default_year(data, level, years), int) \
            if years else None
        fields["an_log"] = "1" if pick("an_log", ch["an_log"], True, _parse_bool) else "0"
        if view == "peers":
            fields["an_measures"] = _pick_list(p, ignored, "an_measures", ch["an_measures"],
                                               default_measures(ch["an_measures"]))
            fields["an_groups"] = pick("an_groups", ch["an_groups"], 5, int)
            fields["an_method"] = pick("an_method", ch["an_method"], "kmeans")
            fields["an_region"] = pick("an_region", ch["an_region"], "")
            fields["an_peer_rule"] = pick("an_peer_rule", ch["an_peer_rule"], "nearest")
        else:
            outcomes, money = ch["an_outcome"], ch["an_money"]
            fields["an_outcome"] = pick("an_outcome", outcomes, outcomes[0] if outcomes else "")
            fields["an_money"] = pick("an_money", money, money[0] if money else "")
            ch = analysis_choices(data, {**p, **fields})
            fields["an_controls"] = _pick_list(p, ignored, "an_controls", ch["an_controls"], [])
            panel = pick("an_panel", None, "", _parse_panel)
            if panel and not {int(y) for y in panel.split("-")} <= set(years):
                raw = p.get("an_panel")
                ignored.append(t("{param}: outside {first}–{last}, the years at this level",
                                 param=param("an_panel", raw), first=str(years[0]),
                                 last=str(years[-1])) if years else
                               t("{param}: not available here", param=param("an_panel", raw)))
                panel = ""
            fields["an_panel"] = panel
    else:
        levels = ch["an_ov_level"]
        fields["an_ov_level"] = pick("an_ov_level", levels, levels[0] if levels else "")
        fields["an_ov_measure"] = pick("an_ov_measure", ch["an_ov_measure"], "pair_amount")
        if fields["an_ov_level"]:           # the map is of the check's level
            level = p["level"] = fields["an_ov_level"]
    fields["an_measures"] = tuple(fields.get("an_measures", ()))
    fields["an_controls"] = tuple(fields.get("an_controls", ()))
    if view in MEASURE_VIEWS and not p.get("measure") and \
            "per_capita" in choices(data, level).measures:
        p["measure"] = "per_capita"         # the page maps money per resident first
    return p, fields


def _pick_list(p: Mapping[str, str], ignored: list[str], key: str, options: list,
               default: list) -> list:
    """``a|b`` → the values offered, in the link's order; values not offered are reported
    and dropped (all of them: the default)."""
    from geodata.viewstate import param

    raw = p.get(key)
    if raw is None or raw == "":
        return list(default)
    asked = list(dict.fromkeys(x for x in str(raw).split("|") if x))
    good = [a for a in asked if a in options]
    if len(good) < len(asked):
        ignored.append(t("{param}: some values not available here", param=param(key, raw)))
    return good or list(default)


# ------------------------------------------------------------------------ outliers
@dataclass(frozen=True)
class OutliersFound:
    """An outliers view: the rule's result (the page's table), the box map's classes and
    the map."""

    result: O.OutlierResult
    classes: O.OutlierClasses
    map: AnalysisMap


def _said(*results) -> list[str]:
    """The method statements of results, then what each left out and its warnings."""
    out: list[str] = []
    for r in results:
        out.append(str(r.method))
    for r in results:
        if isinstance(r, S.WeightsResult):   # its statement already names the islands
            excluded = ()
        else:
            excluded = getattr(r, "excluded", ()) or ()
        out += [t("Left out: {reason} ({n}).", reason=str(e.reason), n=f"{e.count:,}")
                for e in excluded if e.count]
        out += [str(p) for p in getattr(r, "problems", ()) or ()]
    return list(dict.fromkeys(x for x in out if x))


def _value_text(mv: MapValues) -> pd.Series:
    return mv.values.map(lambda v: format_number(v, mv.unit) if pd.notna(v) else None)


def _subtitle(data: WorkspaceData, level: str, what: str) -> str:
    return " · ".join([data.ws.level(level).plural, what])


def find_outliers(data: WorkspaceData, level: str, mv: MapValues, region_ids: Sequence[str], *,
                  rule: str = "mad", k: float | None = None,
                  selected: str | None = None) -> OutliersFound:
    """The outliers of a measure by ``rule`` (:func:`analysis.outliers.flag_outliers`, a log
    scale for money) and its box map on the same scale (:func:`analysis.outliers.box_map`),
    the flagged regions outlined. Raises :class:`AnalysisError` when the rule cannot run."""
    res = O.flag_outliers(mv.values, rule=rule, k=k, unit=mv.unit)
    classes = O.box_map(mv.values, log=res.log, unit=mv.unit)
    # class bounds as One map's legend writes them: the legend's head carries the unit
    labels = classes.labels(value_formatter(mv.unit))
    colours = list(reversed(get_palette("RdBu", len(labels))))
    what = t("Box map: outliers in classes of their own")
    view = ordered_view(region_ids, classes.class_ids, labels, colours, title=mv.label,
                        subtitle=unit_label(mv.unit) or what, notes=mv.notes,
                        value_text=_value_text(mv), selected=selected)
    view = with_marks(view, res.ids, t(_MARKED[(res.rule, res.log)], k=f"{res.k:g}"))
    return OutliersFound(result=res, classes=classes, map=AnalysisMap(
        view=view, title=mv.label, subtitle=_subtitle(data, level, what),
        methodology=" ".join(_said(res, classes)), notes=tuple(mv.notes)))


def outliers_map(data: WorkspaceData, level: str, mv: MapValues, region_ids: Sequence[str], *,
                 rule: str = "mad", k: float | None = None,
                 selected: str | None = None) -> AnalysisMap:
    """The map of an outliers view (see :func:`find_outliers`)."""
    return find_outliers(data, level, mv, region_ids, rule=rule, k=k, selected=selected).map


# ------------------------------------------------------------------------ hot spots
@dataclass(frozen=True)
class HotSpotsFound:
    """A hot spots view: the weights, global Moran's I, the local statistic (LISA or Gi*)
    and the map."""

    weights: S.WeightsResult
    moran: S.MoranResult
    local: S.LisaResult | S.HotSpotResult
    map: AnalysisMap


def find_hotspots(data: WorkspaceData, level: str, mv: MapValues, region_ids: Sequence[str],
                  wr: S.WeightsResult, *, stat: str = "lisa", alpha: float = S.ALPHA,
                  permutations: int = S.PERMUTATIONS,
                  selected: str | None = None) -> HotSpotsFound:
    """Global Moran's I of a measure and its local statistic with the weights ``wr``:
    LISA clusters (``stat="lisa"``, :func:`analysis.spatial.local_moran`) or Getis-Ord Gi*
    hot and cold spots (``stat="gi"``, :func:`analysis.spatial.getis_ord`), at the
    significance level ``alpha`` with ``permutations`` permutations. Raises
    :class:`AnalysisError` when a statistic cannot run."""
    if stat not in STATS:
        raise AnalysisError(Text(N_("Unknown statistic {stat}; one of: {stats}."),
                                 stat=repr(stat), stats=", ".join(STATS)))
    moran = S.global_moran(mv.values, wr, permutations, alpha=alpha)
    if stat == "gi":
        local = S.getis_ord(mv.values, wr, permutations, alpha=alpha)
        what = t("Getis-Ord Gi* hot and cold spots, significance {alpha}",
                 alpha=f"{local.alpha:g}")
        view = hotspot_view(region_ids, local.spot, title=mv.label, subtitle=what,
                            notes=mv.notes, value_text=_value_text(mv), selected=selected)
    else:
        local = S.local_moran(mv.values, wr, permutations, alpha=alpha)
        what = t("Local Moran's I clusters, significance {alpha}", alpha=f"{local.alpha:g}")
        view = lisa_view(region_ids, local.cluster, title=mv.label, subtitle=what,
                         notes=mv.notes, value_text=_value_text(mv), selected=selected)
    moran_line = t("Global Moran's I {i} (expected {expected}), pseudo p-value {p}.",
                   i=f"{moran.i:.3f}", expected=f"{moran.expected_i:.3f}", p=f"{moran.p_sim:.3f}")
    said = _said(local, wr)
    methodology = " ".join([said[0], moran_line, str(moran.reading), *said[1:]])
    return HotSpotsFound(weights=wr, moran=moran, local=local, map=AnalysisMap(
        view=view, title=mv.label, subtitle=_subtitle(data, level, what),
        methodology=methodology, notes=tuple(mv.notes)))


def hotspots_map(data: WorkspaceData, level: str, mv: MapValues, region_ids: Sequence[str],
                 wr: S.WeightsResult, *, stat: str = "lisa", alpha: float = S.ALPHA,
                 permutations: int = S.PERMUTATIONS,
                 selected: str | None = None) -> AnalysisMap:
    """The map of a hot spots view (see :func:`find_hotspots`)."""
    return find_hotspots(data, level, mv, region_ids, wr, stat=stat, alpha=alpha,
                         permutations=permutations, selected=selected).map


def level_weights(data: WorkspaceData, level: str, kind: str = "queen", k: int = S.DEFAULT_K,
                  islands: str = "drop") -> S.WeightsResult:
    """The spatial weights of a level's regions (the app caches them per level and choice)."""
    return S.weights(data.boundaries(level), kind, k=k, handle_islands=islands,
                     id_column="region_id", name_column="name")


# ------------------------------------------------------------------------ any view
def analysis_map(data: WorkspaceData, vs: "ViewState", region_ids: Sequence[str], *,
                 values: Callable[[MeasureSpec], MapValues] | None = None,
                 weights: Callable[..., S.WeightsResult] | None = None,
                 frame: Callable[..., Any] | None = None,
                 overlap: Callable[[], Any] | None = None) -> AnalysisMap:
    """The map of the Analysis view ``vs`` (its ``an_*`` fields, as resolved by
    :func:`geodata.viewstate.resolve_view`), drawn by the recipe the page draws it with.

    The app passes its caches: ``values(spec)`` a measure's values, ``weights(level, kind,
    k, islands)`` the spatial weights, ``frame(level, year, keys)`` the regions × measures
    table, ``overlap()`` the overlapping-funding result; each is computed here when not
    given. Raises :class:`AnalysisError` when the method cannot run on this data."""
    view = vs.an_view or VIEWS[0]
    selected = vs.region or None
    if view in MEASURE_VIEWS:
        spec = vs.measure_spec()
        mv = values(spec) if values is not None else map_values(data, spec)
        if view == "outliers":
            return outliers_map(data, vs.level, mv, region_ids, rule=vs.an_rule or "mad",
                                k=vs.an_k, selected=selected)
        kind, k = vs.an_w or "queen", int(vs.an_knn or S.DEFAULT_K)
        islands = vs.an_islands or "drop"
        wr = weights(vs.level, kind, k, islands) if weights is not None else \
            level_weights(data, vs.level, kind, k, islands)
        return hotspots_map(data, vs.level, mv, region_ids, wr, stat=vs.an_stat or "lisa",
                            alpha=float(vs.an_alpha or S.ALPHA),
                            permutations=int(vs.an_perm or S.PERMUTATIONS), selected=selected)
    if view in ("peers", "predicts"):
        if vs.an_year is None:
            raise AnalysisError(Text(N_("No money or indicator at this level to analyse.")))
        from . import model_views

        log = vs.an_log != "0"
        if view == "peers":
            return model_views.peers_map(
                data, vs.level, int(vs.an_year), region_ids, measures=list(vs.an_measures),
                groups=int(vs.an_groups or 5), method=vs.an_method or "kmeans", log=log,
                frame=frame, weights=weights)
        panel = tuple(int(y) for y in vs.an_panel.split("-")) if vs.an_panel else None
        return model_views.predicts_map(
            data, vs.level, int(vs.an_year), region_ids, outcome=vs.an_outcome,
            money=vs.an_money, controls=list(vs.an_controls), log=log, panel=panel,
            frame=frame)
    from .overlap import overlap_map

    return overlap_map(data, vs.an_ov_level, vs.an_ov_measure or OVERLAP_MEASURES[0],
                       region_ids, result=overlap() if overlap is not None else None)
