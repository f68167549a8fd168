"""What money predicts: an outcome regressed on money per resident, and who does better or
worse than the money they received predicts.

:func:`money_predicts` fits ordinary least squares (statsmodels) of an outcome (unemployment,
roads in poor condition, income…) on money per resident (or its logarithm) and the controls a
user picks (income, population density…), for one year or for a panel of region × year rows
with year fixed effects. It gives the coefficients with their standard errors, 95% confidence
intervals and p-values, R², and the fitted value and residual of every region: a region whose
outcome is beyond one residual standard deviation on the good side of its prediction did
better than predicted for the money it received.

A regression of this kind shows an association, not a cause: money may go where needs are
greatest, and what drives both is not in the model. The method text says so, on the page and in
exports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from layers.numbers import format_number
from locales import N_

from . import AnalysisError, Excluded, Reported

__all__ = ["RegressionResult", "money_predicts", "VERDICTS", "MIN_ROWS", "CONDITION_WARN",
           "FEW_CLUSTERS", "INTERCEPT"]

#: Fewest rows with every value a regression runs on.
MIN_ROWS = 10
#: Condition number of the standardised predictors above which they are called nearly
#: collinear (Belsley, Kuh and Welsch's rule of thumb).
CONDITION_WARN = 30.0
#: Fewer regions than this make clustered standard errors unreliable.
FEW_CLUSTERS = 20
#: Name of the intercept's row in the coefficient table.
INTERCEPT = "intercept"
#: Verdict of each region, with its label.
VERDICTS = {"better": N_("Better than predicted"),
            "worse": N_("Worse than predicted"),
            "as_predicted": N_("As predicted")}
#: Labels of the columns of :meth:`RegressionResult.table` and of the coefficient table.
COLUMNS = {"coef": N_("Coefficient"), "se": N_("Standard error"),
           "ci_low": N_("95% CI, low"), "ci_high": N_("95% CI, high"), "p_value": N_("p-value"),
           "predicted": N_("Predicted"), "residual": N_("Residual"), "verdict": N_("Verdict"),
           INTERCEPT: N_("Intercept")}


@dataclass(frozen=True, eq=False)
class RegressionResult(Reported):
    """An outcome regressed on money per resident (and controls).

    ``coefficients``: rows ``intercept``, the money term (``money``, or ``log(money)``) and
    each control; columns ``coef``, ``se``, ``ci_low``, ``ci_high`` (95%), ``p_value``.
    ``year_effects``: the same for each year but the first (panel only; each year's shift from
    the first year). ``fitted``, ``residual`` (outcome − predicted) and ``verdict``
    (``better``/``worse``/``as_predicted``): one per region, or per region and year in a panel
    (index ``(region_id, year)``). ``residual_sd``: the band of the verdicts.
    ``r2_within`` (panel only): the share of the variation within each year (the outcome minus
    its year's mean) that money and the controls explain — R² without the part the year
    effects take.
    """

    outcome: str
    money: str
    money_term: str
    controls: tuple[str, ...]
    log_money: bool
    panel_years: str | None
    higher_is_better: bool
    coefficients: pd.DataFrame
    year_effects: pd.DataFrame | None
    r2: float
    r2_adj: float
    n: int
    n_regions: int
    n_years: int | None
    cov_type: str
    residual_sd: float
    observed: pd.Series
    fitted: pd.Series
    residual: pd.Series
    verdict: pd.Series
    condition_number: float | None
    method: Text
    excluded: tuple[Excluded, ...] = ()
    problems: tuple[Text, ...] = field(default=())
    r2_within: float | None = None

    @property
    def money_coef(self) -> float:
        return float(self.coefficients.loc[self.money_term, "coef"])

    def table(self) -> pd.DataFrame:
        """One row per region (per region and year in a panel): the outcome, the predicted
        value, the residual and the verdict code — the residual map and the scatter."""
        return pd.DataFrame({self.outcome: self.observed, "predicted": self.fitted,
                             "residual": self.residual, "verdict": self.verdict})


def _numeric(frame: pd.DataFrame, column: str, role: Text) -> None:
    if column not in frame.columns:
        raise AnalysisError(Text(N_("The table has no column '{column}' ({role})."),
                                 column=column, role=role))
    if not pd.api.types.is_numeric_dtype(frame[column]):
        raise AnalysisError(Text(N_("'{column}' ({role}) is not numeric."), column=column,
                                 role=role))


def money_predicts(frame: pd.DataFrame, *, outcome: str, money: str,
                   controls: Sequence[str] = (), log_money: bool = False,
                   panel_years: str | None = None,
                   higher_is_better: bool = True) -> RegressionResult:
    """Regress ``outcome`` on ``money`` (per resident; its natural log with ``log_money``) and
    ``controls``, columns of ``frame``, whose index is the region id.

    One year (``panel_years=None``): one row per region; heteroskedasticity-robust (HC3)
    standard errors. Panel: ``panel_years`` names the year column, rows are region × year
    (the region id repeats in the index); one intercept per year (year fixed effects: what
    every region shares in a year is set aside) and standard errors clustered by region.
    Confidence intervals and p-values use the t distribution (regions − 1 degrees of
    freedom when clustered).

    ``verdict``: ``better`` when the residual is more than one residual standard deviation
    (the regression's standard error, √(SSR / residual degrees of freedom)) on the good side
    (above the prediction when ``higher_is_better``, below it otherwise), ``worse`` beyond it
    on the other side, else ``as_predicted``.
    """
    import statsmodels.api as sm

    controls = list(controls or [])
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(Text(N_("A regression needs a table of regions.")))
    _numeric(frame, outcome, Text(N_("outcome")))
    _numeric(frame, money, Text(N_("money")))
    for c in controls:
        _numeric(frame, c, Text(N_("control variable")))
    roles = [outcome, money, *controls] + ([panel_years] if panel_years else [])
    seen = set()
    for c in roles:
        if c in seen:
            raise AnalysisError(Text(N_("'{column}' is named twice among the outcome, the money "
                                        "and the control variables."), column=c))
        seen.add(c)
    if panel_years is not None and panel_years not in frame.columns:
        raise AnalysisError(Text(N_("The table has no year column '{column}'."),
                                 column=panel_years))

    data = frame[roles].copy()
    data.index = frame.index.map(str)
    if panel_years is None:
        if data.index.has_duplicates:
            dup = data.index[data.index.duplicated()].unique()
            raise AnalysisError(Text(N_("A region appears more than once ({regions}): for several "
                                        "years, name the year column (panel)."),
                                     regions=", ".join(dup[:8])))
        keys = pd.Index(data.index, name="region_id")
    else:
        keys = pd.MultiIndex.from_arrays([data.index, data[panel_years]],
                                         names=["region_id", "year"])
        if keys.has_duplicates:
            dup = [f"{r} {y}" for r, y in keys[keys.duplicated()].unique()[:8]]
            raise AnalysisError(Text(N_("A region appears more than once in a year: {rows}."),
                                     rows=", ".join(dup)))
    data.index = keys

    # rows left out, with why
    reasons: dict[object, Text] = {}
    numeric_cols = [outcome, money, *controls]
    vals = data[numeric_cols].astype(float).to_numpy()
    bad = ~np.isfinite(vals)
    if panel_years is not None:
        year_bad = data[panel_years].isna().to_numpy()
    for i, key in enumerate(data.index):
        cols = [c for c, b in zip(numeric_cols, bad[i]) if b]
        if panel_years is not None and year_bad[i]:
            cols.append(panel_years)
        if cols:
            reasons[key] = Text(N_("no value for {columns}"), columns=", ".join(map(str, cols)))
        elif log_money and vals[i, 1] <= 0:
            reasons[key] = Text(N_("money zero or negative: no logarithm"))
    excluded = _excluded(reasons, panel_years is not None)
    used = data.drop(index=list(reasons)) if reasons else data

    y = used[outcome].astype(float).to_numpy()
    x_money = used[money].astype(float).to_numpy()
    money_term = f"log({money})" if log_money else str(money)
    if log_money:
        x_money = np.log(x_money)
    columns = {INTERCEPT: np.ones(len(used)), money_term: x_money}
    for c in controls:
        columns[str(c)] = used[c].astype(float).to_numpy()
    years: list = []
    if panel_years is not None:
        year_col = used[panel_years]
        if pd.api.types.is_float_dtype(year_col) and (year_col % 1 == 0).all():
            year_col = year_col.astype(int)     # 2024.0 from a column that had blanks
        years = sorted(year_col.unique())
        if len(years) < 2:
            raise AnalysisError(Text(N_("A panel needs at least two years with values; for one "
                                        "year, leave the year column out.")))
        for yv in years[1:]:
            columns[f"{panel_years}={yv}"] = (year_col == yv).to_numpy(dtype=float)
    X = pd.DataFrame(columns, index=used.index)
    minimum = max(MIN_ROWS, X.shape[1] + 2)
    if len(used) < minimum:
        raise AnalysisError(Text(N_("This regression needs at least {minimum} rows with every "
                                    "value; {n} have them ({left} left out)."),
                                 minimum=count(minimum), n=count(len(used)),
                                 left=count(len(reasons))))
    if np.all(y == y[0]):
        raise AnalysisError(Text(N_("The outcome '{column}' has the same value in every row: "
                                    "there is nothing to predict."), column=outcome))
    for name in [money_term, *map(str, controls)]:
        col = X[name].to_numpy()
        if np.all(col == col[0]):
            raise AnalysisError(Text(N_("'{column}' has the same value in every row, so its "
                                        "effect cannot be told from the intercept: leave it "
                                        "out."), column=name))
    _refuse_collinear(X, money_term, [str(c) for c in controls], panel_years)
    condition = _condition(X, [money_term, *map(str, controls)])

    groups = None
    if panel_years is None:
        fit = sm.OLS(y, X.to_numpy()).fit(cov_type="HC3", use_t=True)
        cov_type = "HC3"
    else:
        groups = pd.factorize(used.index.get_level_values(0))[0]
        fit = sm.OLS(y, X.to_numpy()).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                          use_t=True)
        cov_type = "cluster"
    ci = fit.conf_int(alpha=0.05)
    table = pd.DataFrame({"coef": fit.params, "se": fit.bse, "ci_low": ci[:, 0],
                          "ci_high": ci[:, 1], "p_value": fit.pvalues}, index=X.columns)
    table.index.name = "term"
    main = [INTERCEPT, money_term, *map(str, controls)]
    coefficients = table.loc[main]
    year_effects = None
    if panel_years is not None:
        year_effects = table.iloc[len(main):].copy()
        year_effects.index = pd.Index(years[1:], name="year")

    fitted = pd.Series(fit.fittedvalues, index=used.index, name="predicted")
    observed = pd.Series(y, index=used.index, name=outcome)
    residual = pd.Series(y - fit.fittedvalues, index=used.index, name="residual")
    sd = float(np.sqrt(fit.mse_resid))
    r2_within = None
    if panel_years is not None:
        # the year intercepts leave each year's residuals summing to zero, so SSR is also that
        # of the fit within years (Frisch–Waugh–Lovell)
        within = y - pd.Series(y).groupby(year_col.to_numpy()).transform("mean").to_numpy()
        r2_within = float(1 - fit.ssr / (within @ within))
    good = residual if higher_is_better else -residual
    verdict = pd.Series(np.where(good > sd, "better", np.where(good < -sd, "worse",
                                                                   "as_predicted")),
                        index=used.index, name="verdict")

    problems: list[Text] = []
    if reasons:
        problems.append(Text(N_("{n} row(s) left out for missing values."),
                             n=count(len(reasons))))
    if condition is not None and condition > CONDITION_WARN:
        problems.append(Text(N_("The money and the control variables are nearly collinear "
                                "(condition number {c}, above {limit}): their coefficients are "
                                "unstable and their confidence intervals wide."),
                             c=f"{condition:,.0f}", limit=f"{CONDITION_WARN:.0f}"))
    n_regions = int(used.index.get_level_values(0).nunique())
    if panel_years is not None and n_regions < FEW_CLUSTERS:
        problems.append(Text(N_("Only {n} regions: standard errors clustered by region are "
                                "unreliable with fewer than about {few}."),
                             n=count(n_regions), few=str(FEW_CLUSTERS)))

    with_controls = ", ".join(map(str, controls))
    if panel_years is None and controls:
        fit_text = Text(N_("Ordinary least squares (statsmodels) of {outcome} on {money} and the "
                           "control variables {controls}, over {n} regions, with robust (HC3) "
                           "standard errors and 95% confidence intervals (t distribution)."),
                        outcome=outcome, money=money_term, controls=with_controls,
                        n=count(len(used)))
    elif panel_years is None:
        fit_text = Text(N_("Ordinary least squares (statsmodels) of {outcome} on {money}, over "
                           "{n} regions, with robust (HC3) standard errors and 95% confidence "
                           "intervals (t distribution)."),
                        outcome=outcome, money=money_term, n=count(len(used)))
    elif controls:
        fit_text = Text(N_("Ordinary least squares (statsmodels) of {outcome} on {money} and the "
                           "control variables {controls}, over {n} rows ({regions} regions × "
                           "{years} years), with year fixed effects (one intercept per year) and "
                           "standard errors clustered by region; 95% confidence intervals (t "
                           "distribution, regions − 1 degrees of freedom)."),
                        outcome=outcome, money=money_term, controls=with_controls,
                        n=count(len(used)), regions=count(n_regions), years=count(len(years)))
    else:
        fit_text = Text(N_("Ordinary least squares (statsmodels) of {outcome} on {money}, over "
                           "{n} rows ({regions} regions × {years} years), with year fixed "
                           "effects (one intercept per year) and standard errors clustered by "
                           "region; 95% confidence intervals (t distribution, regions − 1 "
                           "degrees of freedom)."),
                        outcome=outcome, money=money_term, n=count(len(used)),
                        regions=count(n_regions), years=count(len(years)))
    side = Text(N_("higher is better")) if higher_is_better else Text(N_("lower is better"))
    band_text = Text(N_("A region did better or worse than predicted for its money when its "
                        "residual (outcome minus predicted) is beyond one residual standard "
                        "deviation ({sd}) on either side ({side}); within it, as predicted."),
                     sd=format_number(sd), side=side)
    caveat = Text(N_("This is an association, not a cause: more money may go where needs are "
                     "greater, and what drives both is not in the model."))
    method = Text(N_("{fit} {verdicts} {caveat}"), fit=fit_text, verdicts=band_text,
                  caveat=caveat)
    return RegressionResult(
        outcome=outcome, money=money, money_term=money_term, controls=tuple(controls),
        log_money=bool(log_money), panel_years=panel_years,
        higher_is_better=bool(higher_is_better), coefficients=coefficients,
        year_effects=year_effects, r2=float(fit.rsquared), r2_adj=float(fit.rsquared_adj),
        n=int(len(used)), n_regions=n_regions,
        n_years=len(years) if panel_years is not None else None, cov_type=cov_type,
        residual_sd=sd, observed=observed, fitted=fitted, residual=residual, verdict=verdict,
        condition_number=condition, method=method, excluded=excluded,
        problems=tuple(problems), r2_within=r2_within)


def _excluded(reasons: dict, panel: bool) -> tuple[Excluded, ...]:
    """Rows left out, one entry per reason (and year, in a panel: the ids stay region ids)."""
    by: dict[str, tuple[Text, list[str]]] = {}
    for key, why in reasons.items():
        if panel:
            region, year = key
            if not pd.isna(year):
                year = int(year) if float(year).is_integer() else year
                why = Text(N_("{reason} in {year}"), reason=why, year=str(year))
        else:
            region = key
        by.setdefault(str(why), (why, []))[1].append(str(region))
    return tuple(Excluded(why, tuple(ids)) for why, ids in by.values())


def _refuse_collinear(X: pd.DataFrame, money_term: str, controls: list[str],
                      panel_years: str | None) -> None:
    """Refuse when a term is an exact linear combination of the others, naming the terms
    that can be left out to mend it."""
    A = X.to_numpy(dtype=float)
    A = A / np.linalg.norm(A, axis=0)          # units do not decide the rank
    rank = np.linalg.matrix_rank(A)
    if rank == A.shape[1]:
        return
    redundant = []
    for j, name in enumerate(X.columns):
        if np.linalg.matrix_rank(np.delete(A, j, axis=1)) == rank:
            redundant.append(name)
    named = [c for c in [money_term, *controls] if c in redundant]
    extra = []
    if INTERCEPT in redundant:
        extra.append(Text(N_("the intercept")))
    if panel_years is not None and any(str(c).startswith(f"{panel_years}=") for c in redundant):
        extra.append(Text(N_("the year fixed effects")))
    terms = ", ".join([*named, *map(str, extra)])
    raise AnalysisError(Text(N_("Collinear terms: {terms} (one is an exact linear combination "
                                "of the others), so their effects cannot be told apart; leave "
                                "out one of the control variables."), terms=terms))


def _condition(X: pd.DataFrame, predictors: list[str]) -> float | None:
    """Condition number of the standardised predictors (their correlation structure; 1 when
    they are uncorrelated)."""
    if len(predictors) < 2:
        return None
    Z = X[predictors].to_numpy(dtype=float)
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    return float(np.linalg.cond(Z))
