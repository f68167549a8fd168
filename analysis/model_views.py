"""The maps of the Analysis page's models — peer groups and what money predicts — as the page
and every export draw them.

Each recipe reads the regions × measures table (:mod:`analysis.frames`), fits the model
(:mod:`analysis.peers`, :mod:`analysis.regression`) and builds the map with its method
statement (:class:`analysis.AnalysisMap`). The page calls :func:`fit_peers` /
:func:`fit_predicts` and then :func:`peers_view` / :func:`predicts_view` (it also shows the
fit's tables); exports call :func:`peers_map` / :func:`predicts_map`. Both run the same
computation, so a figure in an export is the figure on the screen.

``frame`` and ``weights`` let a caller hand in cached tables and spatial weights:
``frame(level, year, keys)`` — or ``frame(level, (first, last), keys)`` for a panel — returns
what :func:`analysis.frames.region_frame` (:func:`analysis.frames.panel_frame`) does, and
``weights(level, kind, k, islands)`` what :func:`analysis.spatial.weights` does for the level's
boundaries. Without them the recipes compute directly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from geodata.dataset import WorkspaceData
from geodata.problems import Text, count
from layers.analysis_maps import group_view, verdict_view
from layers.classify import format_number
from locales import N_, t

from . import AnalysisError, AnalysisMap
from .frames import RegionFrame, panel_frame, region_frame
from .peers import PeerGroups, peer_groups
from .regression import RegressionResult, money_predicts

__all__ = ["METHODS", "PeersFit", "PredictsFit", "fit_peers", "peers_view", "peers_map",
           "fit_predicts", "predicts_view", "predicts_map", "region_verdicts", "logged"]

#: Grouping methods, with their labels.
METHODS = {"kmeans": N_("k-means on standardised values"),
           "regions": N_("Neighbours together (spatially constrained)")}
#: Adjacency of "neighbours together": queen contiguity, regions with no neighbour left out
#: (they form groups of their own).
REGION_WEIGHTS = ("queen", 5, "drop")

FrameFn = Callable[[str, "int | tuple[int, int]", tuple[str, ...]], RegionFrame]
WeightsFn = Callable[[str, str, int, str], object]


def _is_scaled(key: str) -> bool:
    """Measures with heavy right tails, put on a log scale on request."""
    return key.startswith("money:") or key in ("population", "density")


def logged(frame: pd.DataFrame, log: bool) -> pd.DataFrame:
    """Money per resident, population and density on a log scale (base 10) when asked: heavy
    tails would otherwise let one tiny county with a large grant make a group of its own.
    Zero and negative values have no logarithm and become missing."""
    out = frame.copy()
    if log:
        for key in out.columns:
            if _is_scaled(key):
                out[key] = np.log10(out[key].where(out[key] > 0))
    return out


def _read(data: WorkspaceData, level: str, year, keys: Sequence[str],
          frame: FrameFn | None) -> RegionFrame:
    try:
        if frame is not None:
            return frame(level, year, tuple(keys))
        if isinstance(year, tuple):
            return panel_frame(data, level, year[0], year[1], list(keys))
        return region_frame(data, level, int(year), list(keys))
    except ValueError as exc:
        if isinstance(exc, AnalysisError):
            raise
        raise AnalysisError(str(exc)) from exc


def _readable(keys: Sequence[str], labels: dict[str, str]) -> dict[str, str]:
    """Key → the name the method statement uses: the reader's label, unless two share one."""
    named = [labels.get(k, k) for k in keys]
    if len(set(named)) != len(named) or "year" in named:
        return {k: k for k in keys}
    return dict(zip(keys, named))


def _files(data: WorkspaceData, level: str, keys: Sequence[str]) -> tuple[str, ...]:
    """The workspace files behind the measures (the source line of an export names them)."""
    ws = data.ws
    files = [str(ws.level(level).file)]
    kinds = set()
    for key in keys:
        kind, _, rest = key.partition(":")
        if kind == "money":
            files.append(str(ws.table(rest.partition(":")[0]).file))
            kinds.add("population")
        elif kind == "ind":
            kinds.add("indicators")
        else:
            kinds.add("population")
    for kind in sorted(kinds):
        files += [str(tb.file) for tb in ws.tables_of(kind, level)]
    return tuple(dict.fromkeys(files))


# ------------------------------------------------------------------------------ peer groups
@dataclass(frozen=True)
class PeersFit:
    """Peer groups of a level in a year: the table read (``frame``), the values grouped (on a
    log scale when ``log``), and the grouping."""

    level: str
    year: int
    keys: tuple[str, ...]
    method: str
    log: bool
    frame: RegionFrame
    values: pd.DataFrame
    result: PeerGroups
    files: tuple[str, ...] = ()

    def labels(self) -> list[str]:
        """The legend's label of each group, in order."""
        return [t("Group {n} ({size} regions)", n=str(g),
                  size=f"{int(self.result.sizes.get(g, 0)):,}")
                for g in range(1, self.result.n_groups + 1)]


def fit_peers(data: WorkspaceData, level: str, year: int, *, measures: Sequence[str],
              groups: int, method: str, log: bool, frame: FrameFn | None = None,
              weights: WeightsFn | None = None) -> PeersFit:
    """Sort the regions of ``level`` into ``groups`` peer groups by ``measures`` (keys of
    :func:`analysis.frames.measure_options`) in ``year``; ``method`` "kmeans" or "regions"
    (neighbours together, by queen contiguity). Raises :class:`AnalysisError` when it cannot."""
    keys = list(dict.fromkeys(measures))
    if not keys:
        raise AnalysisError(Text(N_("Peer groups need at least one measure.")))
    if method not in METHODS:
        raise AnalysisError(Text(N_("Unknown grouping method '{method}': use 'kmeans' or "
                                    "'regions'."), method=str(method)))
    rf = _read(data, level, int(year), keys, frame)
    values = logged(rf.frame[keys], bool(log))
    connectivity = None
    if method == "regions":
        kind, k, islands = REGION_WEIGHTS
        if weights is not None:
            wr = weights(level, kind, k, islands)
        else:
            from .spatial import weights as build

            wr = build(data.boundaries(level), kind, k=k, handle_islands=islands,
                       id_column="region_id", name_column="name")
        connectivity = wr.w
    named = _readable(keys, rf.labels)
    pg = peer_groups(values.rename(columns=named), k=int(groups), method=method,
                     connectivity=connectivity)
    return PeersFit(level=level, year=int(year), keys=tuple(keys), method=method, log=bool(log),
                    frame=rf, values=values, result=pg, files=_files(data, level, keys))


def _log_statement(fit: PeersFit) -> Text:
    scaled = [fit.frame.labels[k] for k in fit.keys if _is_scaled(k)]
    if fit.log and scaled:
        return Text(N_("On a log scale (base 10) before the z-scores: {measures}; a region with "
                       "zero or less has no logarithm and is left out."),
                    measures="; ".join(scaled))
    if scaled:
        return Text(N_("Every measure on its own scale (no logarithm)."))
    return Text(N_("No measure chosen has a log scale: every measure on its own scale."))


def peers_view(fit: PeersFit, region_ids: Sequence[str]) -> AnalysisMap:
    """The categorical map of the peer groups, its method statement and notes."""
    pg = fit.result
    view = group_view(region_ids, pg.groups, fit.labels(), title=t("Peer groups"),
                      subtitle=t("{method}, {year}", method=t(METHODS[fit.method]),
                                 year=str(fit.year)))
    methodology = t("{method} {scale}", method=str(pg.method), scale=str(_log_statement(fit)))
    return AnalysisMap(view=view, title=view.title, subtitle=view.subtitle,
                       methodology=methodology, files=fit.files,
                       notes=tuple(str(n) for n in fit.frame.notes))


def peers_map(data: WorkspaceData, level: str, year: int, region_ids: Sequence[str], *,
              measures: Sequence[str], groups: int, method: str, log: bool,
              frame: FrameFn | None = None, weights: WeightsFn | None = None) -> AnalysisMap:
    """The peer-group map of ``level`` in ``year`` (see :func:`fit_peers`)."""
    fit = fit_peers(data, level, year, measures=measures, groups=groups, method=method, log=log,
                    frame=frame, weights=weights)
    return peers_view(fit, region_ids)


# ------------------------------------------------------------------------ what money predicts
@dataclass(frozen=True)
class PredictsFit:
    """An outcome regressed on money per resident: the table read (``frame``, keys as
    columns), the names the fit used for each key (``named``) and the regression."""

    level: str
    year: int
    panel: tuple[int, int] | None
    outcome: str
    money: str
    controls: tuple[str, ...]
    log: bool
    frame: RegionFrame
    named: dict[str, str]
    result: RegressionResult
    files: tuple[str, ...] = ()

    def term(self, term: str) -> str:
        """A model term in words: the intercept, a measure, or the log of one."""
        back = {v: k for k, v in self.named.items()}
        if term == "intercept":
            return t("Intercept")
        if term.startswith("log(") and term.endswith(")") and term[4:-1] in back:
            return t("log of {measure}", measure=self.frame.labels[back[term[4:-1]]])
        return self.frame.labels.get(back.get(term, term), term)


def _parse_panel(panel) -> tuple[int, int] | None:
    """(first, last) of a panel given as a pair, one year, or "2016-2024"; None for none."""
    if panel is None or (isinstance(panel, (str, tuple, list)) and len(panel) == 0):
        return None
    if isinstance(panel, str):
        panel = panel.split("-")
    elif isinstance(panel, (int, float)):
        panel = (panel,)
    years = [int(y) for y in panel]
    if len(years) not in (1, 2):
        raise AnalysisError(Text(N_("A panel is a first and a last year (got {panel})."),
                                 panel=", ".join(map(str, years))))
    return min(years), max(years)


def fit_predicts(data: WorkspaceData, level: str, year: int, *, outcome: str, money: str,
                 controls: Sequence[str] = (), log: bool = True,
                 panel: tuple[int, int] | None = None,
                 frame: FrameFn | None = None) -> PredictsFit:
    """Regress the indicator ``outcome`` on the money per resident ``money`` (keys of
    :func:`analysis.frames.measure_options`) and ``controls``: in ``year``, or over the years
    of ``panel`` = (first, last) with year fixed effects and errors clustered by region. The
    indicator's direction decides which side is better. Raises :class:`AnalysisError`."""
    span = _parse_panel(panel)
    if span is not None and span[0] == span[1]:
        raise AnalysisError(Text(N_("A panel needs at least two years; the span chosen holds "
                                    "only {year}. Widen the span, or choose one year."),
                                 year=str(span[0])))
    controls = [c for c in dict.fromkeys(controls) if c not in (outcome, money)]
    keys = [outcome, money, *controls]
    rf = _read(data, level, span if span is not None else int(year), keys, frame)
    direction = data.indicator_catalogue(level).get(outcome.partition(":")[2], {}) \
        .get("direction", "")
    named = _readable(keys, rf.labels)
    table = rf.frame.rename(columns=named)
    res = money_predicts(table, outcome=named[outcome], money=named[money],
                         controls=[named[c] for c in controls], log_money=bool(log),
                         panel_years="year" if span is not None else None,
                         higher_is_better=direction != "lower_is_better")
    return PredictsFit(level=level, year=int(year), panel=span, outcome=outcome, money=money,
                       controls=tuple(controls), log=bool(log), frame=rf, named=named,
                       result=res, files=_files(data, level, keys))


def region_verdicts(res: RegressionResult) -> pd.DataFrame:
    """One row per region: ``observed``, ``predicted`` and ``residual`` (their means over the
    years in a panel), ``years`` (rows behind them) and ``verdict`` — better or worse than
    predicted when the (mean) residual is beyond one residual standard deviation on either
    side, as :func:`analysis.regression.money_predicts` judges a single row."""
    rows = pd.DataFrame({"observed": res.observed, "predicted": res.fitted,
                         "residual": res.residual})
    if res.panel_years is None:
        out = rows.assign(years=1)
        return out.assign(verdict=res.verdict.reindex(out.index))
    by = rows.groupby(level="region_id", sort=False)
    out = by.mean().assign(years=by.size())
    good = out["residual"] if res.higher_is_better else -out["residual"]
    sd = res.residual_sd
    out["verdict"] = np.where(good > sd, "better", np.where(good < -sd, "worse",
                                                            "as_predicted"))
    return out


def _summary(fit: PredictsFit) -> Text:
    res = fit.result
    coef = res.coefficients.loc[res.money_term]
    money = fit.term(res.money_term)
    values = dict(money=money, coef=f"{coef['coef']:.3g}", low=f"{coef['ci_low']:.3g}",
                  high=f"{coef['ci_high']:.3g}")
    if fit.panel is None:
        return Text(N_("R² {r2} over {n} regions; coefficient of {money}: {coef} (95% "
                       "confidence interval {low} to {high})."),
                    r2=f"{res.r2:.2f}", n=count(res.n), **values)
    return Text(N_("Within-year R² {within} (the share of each year's differences between "
                   "regions that the model explains; {r2} with the year effects) over {n} rows: "
                   "{regions} regions, {first}–{last}; coefficient of {money}: {coef} (95% "
                   "confidence interval {low} to {high})."),
                within=f"{res.r2_within:.2f}", r2=f"{res.r2:.2f}", n=count(res.n),
                regions=count(res.n_regions), first=str(fit.panel[0]), last=str(fit.panel[1]),
                **values)


def predicts_view(fit: PredictsFit, region_ids: Sequence[str]) -> AnalysisMap:
    """The residual map: each region better or worse than predicted for its money (in a
    panel, by its mean residual over the span), with the regression's method statement."""
    res = fit.result
    unit = fit.frame.units.get(fit.outcome, "")
    per = region_verdicts(res)
    if fit.panel is None:
        text = pd.Series({r: t("{observed} observed, {predicted} predicted",
                               observed=format_number(row.observed, unit),
                               predicted=format_number(row.predicted, unit))
                          for r, row in per.iterrows()}, dtype=object)
        subtitle = t("Better or worse than predicted for the money received, {year}",
                     year=str(fit.year))
        band = None
    else:
        text = pd.Series({r: t("{observed} observed, {predicted} predicted (means of {n} "
                               "years)", observed=format_number(row.observed, unit),
                               predicted=format_number(row.predicted, unit),
                               n=str(int(row.years)))
                          for r, row in per.iterrows()}, dtype=object)
        subtitle = t("Mean residual {first}–{last}: better or worse than predicted for the "
                     "money received", first=str(fit.panel[0]), last=str(fit.panel[1]))
        band = Text(N_("The map shows each region's mean residual over {first}–{last}: better "
                       "or worse than predicted when it is beyond one residual standard "
                       "deviation ({sd}) on either side."),
                    first=str(fit.panel[0]), last=str(fit.panel[1]),
                    sd=format_number(res.residual_sd))
    view = verdict_view(region_ids, per["verdict"], title=fit.frame.labels[fit.outcome],
                        subtitle=subtitle, value_text=text)
    parts = [str(res.method), str(_summary(fit))]
    if band is not None:
        parts.append(str(band))
    methodology = t("{method} {fit}", method=parts[0], fit=parts[1]) if band is None else \
        t("{method} {fit} {band}", method=parts[0], fit=parts[1], band=parts[2])
    return AnalysisMap(view=view, title=view.title, subtitle=view.subtitle,
                       methodology=methodology, files=fit.files,
                       notes=tuple(str(n) for n in fit.frame.notes))


def predicts_map(data: WorkspaceData, level: str, year: int, region_ids: Sequence[str], *,
                 outcome: str, money: str, controls: Sequence[str], log: bool,
                 panel: tuple[int, int] | None = None,
                 frame: FrameFn | None = None) -> AnalysisMap:
    """The residual map of what money predicts (see :func:`fit_predicts`)."""
    fit = fit_predicts(data, level, year, outcome=outcome, money=money, controls=controls,
                       log=log, panel=panel, frame=frame)
    return predicts_view(fit, region_ids)
