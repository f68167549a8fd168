"""What money predicts (analysis.regression) against closed-form fits on inline data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisError
from analysis.regression import INTERCEPT, money_predicts
from locales import use


def states(n: int = 24, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "money": rng.uniform(5_000, 15_000, n),          # dollars per resident
        "income": rng.normal(60_000, 8_000, n),
        "density": rng.lognormal(4, 1, n),
    }, index=[f"{i:02d}" for i in range(n)])
    frame["jobs"] = (40 + 0.002 * frame["money"] + 0.0003 * frame["income"]
                     - 0.01 * frame["density"] + rng.normal(0, 2, n))
    return frame


def design(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    return np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy(float) for c in cols])


def test_coefficients_match_the_closed_form_fit():
    frame = states()
    r = money_predicts(frame, outcome="jobs", money="money", controls=["income", "density"])
    beta = np.linalg.lstsq(design(frame, ["money", "income", "density"]),
                           frame["jobs"].to_numpy(), rcond=None)[0]
    assert list(r.coefficients.index) == [INTERCEPT, "money", "income", "density"]
    np.testing.assert_allclose(r.coefficients["coef"].to_numpy(), beta, rtol=0, atol=1e-9)
    assert r.money_coef == pytest.approx(beta[1], abs=1e-12)
    assert r.n == 24 and r.n_regions == 24 and r.n_years is None


def test_r2_is_one_minus_ssr_over_sst():
    frame = states()
    r = money_predicts(frame, outcome="jobs", money="money", controls=["income"])
    X = design(frame, ["money", "income"])
    y = frame["jobs"].to_numpy()
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    r2 = 1 - (resid @ resid) / ((y - y.mean()) @ (y - y.mean()))
    assert r.r2 == pytest.approx(r2, abs=1e-12)
    assert r.r2_adj == pytest.approx(1 - (1 - r2) * (24 - 1) / (24 - 3), abs=1e-12)
    np.testing.assert_allclose(r.residual.loc[frame.index].to_numpy(), resid, atol=1e-9)
    np.testing.assert_allclose((r.fitted + r.residual).loc[frame.index].to_numpy(), y,
                               atol=1e-9)


def test_hc3_standard_errors_and_t_intervals_for_one_year():
    from scipy import stats

    frame = states()
    r = money_predicts(frame, outcome="jobs", money="money", controls=["density"])
    X = design(frame, ["money", "density"])
    y = frame["jobs"].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    e = y - X @ bread @ X.T @ y
    h = np.einsum("ij,jk,ik->i", X, bread, X)
    cov = bread @ (X.T * (e / (1 - h)) ** 2) @ X @ bread
    se = np.sqrt(np.diag(cov))
    assert r.cov_type == "HC3"
    np.testing.assert_allclose(r.coefficients["se"].to_numpy(), se, rtol=1e-9)
    half = stats.t.ppf(0.975, 24 - 3) * se[1]
    assert r.coefficients.loc["money", "ci_low"] == pytest.approx(r.money_coef - half)
    assert r.coefficients.loc["money", "ci_high"] == pytest.approx(r.money_coef + half)


def test_a_planted_residual_is_found_and_judged():
    frame = states()
    X = design(frame, ["money", "income"])
    # a residual orthogonal to the design: OLS returns it exactly
    spike = np.zeros(len(frame))
    spike[5] = 1.0
    e = spike - X @ np.linalg.lstsq(X, spike, rcond=None)[0]
    e *= 10 / e[5]
    small = np.random.default_rng(1).normal(0, 0.01, len(frame))
    small -= X @ np.linalg.lstsq(X, small, rcond=None)[0]
    frame["score"] = X @ np.array([3.0, 0.001, 0.0002]) + e + small
    r = money_predicts(frame, outcome="score", money="money", controls=["income"])
    np.testing.assert_allclose(r.coefficients["coef"].to_numpy(), [3.0, 0.001, 0.0002],
                               atol=1e-9)
    np.testing.assert_allclose(r.residual.loc[frame.index].to_numpy(), e + small, atol=1e-9)
    assert r.residual.idxmax() == "05"
    sd = np.sqrt(((e + small) ** 2).sum() / (24 - 3))
    assert r.residual_sd == pytest.approx(sd, abs=1e-12)
    outside = r.residual.abs() > sd
    assert r.verdict["05"] == "better"
    assert (r.verdict[~outside] == "as_predicted").all()
    assert set(r.verdict[outside & (r.residual < 0)]) <= {"worse"}
    lower = money_predicts(frame, outcome="score", money="money", controls=["income"],
                           higher_is_better=False)
    assert lower.verdict["05"] == "worse"
    assert r.table().loc["05", "verdict"] == "better"
    assert list(r.table().columns) == ["score", "predicted", "residual", "verdict"]


def test_log_money_leaves_out_zero_and_negative_money():
    frame = states()
    frame.loc["03", "money"] = 0.0
    frame.loc["04", "money"] = -10.0
    r = money_predicts(frame, outcome="jobs", money="money", log_money=True)
    kept = frame.drop(index=["03", "04"])
    X = np.column_stack([np.ones(len(kept)), np.log(kept["money"])])
    beta = np.linalg.lstsq(X, kept["jobs"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(r.coefficients["coef"].to_numpy(), beta, atol=1e-9)
    assert r.money_term == "log(money)"
    assert [(str(e.reason), e.ids) for e in r.excluded] == [
        ("money zero or negative: no logarithm", ("03", "04"))]


def test_missing_values_are_excluded_and_counted():
    frame = states()
    frame.loc["02", "income"] = np.nan
    frame.loc["09", "jobs"] = np.nan
    r = money_predicts(frame, outcome="jobs", money="money", controls=["income"])
    assert r.n == 22
    assert [(str(e.reason), e.ids) for e in r.excluded] == [("no value for income", ("02",)),
                                                            ("no value for jobs", ("09",))]
    assert r.n_excluded == 2
    assert "2 row(s) left out for missing values." in r.problems


def panel(regions: int = 30, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(regions):
        for year in (2021, 2022, 2023, 2024):
            money = rng.uniform(1, 5)
            rows.append({"region": f"{i:02d}", "year": year, "money": money,
                         "income": rng.normal(50, 5),
                         "out": 2 + 0.6 * money + 0.9 * (year - 2021) + rng.normal(0, 0.3)})
    return pd.DataFrame(rows).set_index("region")


def test_panel_year_effects_match_the_demeaned_fit():
    frame = panel()
    r = money_predicts(frame, outcome="out", money="money", controls=["income"],
                       panel_years="year")
    # within-year demeaning removes the year intercepts (Frisch–Waugh–Lovell)
    cols = ["out", "money", "income"]
    dm = frame[cols] - frame.groupby("year")[cols].transform("mean")
    beta = np.linalg.lstsq(dm[["money", "income"]].to_numpy(), dm["out"].to_numpy(),
                           rcond=None)[0]
    assert r.coefficients.loc["money", "coef"] == pytest.approx(beta[0], abs=1e-9)
    assert r.coefficients.loc["income", "coef"] == pytest.approx(beta[1], abs=1e-9)
    assert list(r.year_effects.index) == [2022, 2023, 2024]
    assert r.year_effects.loc[2024, "coef"] == pytest.approx(2.7, abs=0.3)
    assert r.n == 120 and r.n_regions == 30 and r.n_years == 4
    assert r.residual.index.names == ["region_id", "year"]


def test_panel_standard_errors_are_clustered_by_region():
    frame = panel()
    r = money_predicts(frame, outcome="out", money="money", panel_years="year")
    years = pd.get_dummies(frame["year"], drop_first=True, dtype=float)
    X = np.column_stack([np.ones(len(frame)), frame["money"], years])
    y = frame["out"].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    e = y - X @ bread @ X.T @ y
    meat = np.zeros((X.shape[1], X.shape[1]))
    for region in frame.index.unique():
        rows = np.flatnonzero(frame.index == region)
        s = X[rows].T @ e[rows]
        meat += np.outer(s, s)
    g, n, k = 30, len(frame), X.shape[1]
    cov = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    assert r.cov_type == "cluster"
    assert r.coefficients.loc["money", "se"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-9)
    assert "clustered by region" in str(r.method)
    assert "year fixed effects" in str(r.method)


def test_method_says_association_not_cause():
    r = money_predicts(states(), outcome="jobs", money="money")
    assert "This is an association, not a cause" in str(r.method)
    assert "robust (HC3) standard errors" in str(r.method)
    with use("zh"):
        text = str(r.method)
        assert "相关而非因果" in text and "回归" in text and "残差" in text
        assert "This is an association" not in text


# --- bad input ------------------------------------------------------------------------------

def test_collinear_controls_are_refused_by_name():
    frame = states()
    frame["spare"] = 2 * frame["income"] - 3 * frame["density"]
    with pytest.raises(AnalysisError) as err:
        money_predicts(frame, outcome="jobs", money="money",
                       controls=["income", "density", "spare"])
    assert str(err.value).startswith("Collinear terms: income, density, spare (one is an exact "
                                      "linear combination of the others)")


def test_controls_summing_to_a_constant_are_collinear_with_the_intercept():
    frame = states()
    frame["share_a"] = np.linspace(0.2, 0.7, 24)
    frame["share_b"] = 1 - frame["share_a"]
    with pytest.raises(AnalysisError, match="Collinear terms: share_a, share_b, the intercept"):
        money_predicts(frame, outcome="jobs", money="money", controls=["share_a", "share_b"])


def test_nearly_collinear_controls_are_a_problem_not_a_refusal():
    frame = states()
    frame["income2"] = frame["income"] + np.random.default_rng(3).normal(0, 1, 24)
    r = money_predicts(frame, outcome="jobs", money="money", controls=["income", "income2"])
    assert r.condition_number > 30
    assert any("nearly collinear" in p for p in r.problems)


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda f: f.assign(flat=3.0), {"controls": ["flat"]},
     "'flat' has the same value in every row"),
    (lambda f: f.assign(jobs=7.0), {}, "The outcome 'jobs' has the same value in every row"),
    (lambda f: f.iloc[:9], {}, "at least 10 rows with every value; 9 have them (0 left out)"),
    (lambda f: f.assign(jobs=[np.nan] * 15 + [1.0] * 9), {},
     "at least 10 rows with every value; 9 have them (15 left out)"),
    (lambda f: f, {"controls": ["nope"]}, "no column 'nope' (control variable)"),
    (lambda f: f, {"controls": ["money"]}, "'money' is named twice"),
    (lambda f: pd.concat([f, f.iloc[:1]]), {}, "A region appears more than once (00)"),
    (lambda f: f.assign(year=2024), {"panel_years": "year"}, "at least two years"),
])
def test_bad_input_is_refused(change, kwargs, message):
    with pytest.raises(AnalysisError) as err:
        money_predicts(change(states()), outcome="jobs", money="money", **kwargs)
    assert message in str(err.value)


def test_many_controls_raise_the_minimum():
    frame = states(12)
    for i in range(9):
        frame[f"c{i}"] = np.random.default_rng(i).normal(size=12)
    with pytest.raises(AnalysisError, match="at least 13 rows"):
        money_predicts(frame, outcome="jobs", money="money", controls=[f"c{i}" for i in range(9)])


def test_chinese_refusal():
    frame = states().assign(jobs=7.0)
    with use("zh"):
        with pytest.raises(AnalysisError) as err:
            money_predicts(frame, outcome="jobs", money="money")
        assert str(err.value) == "结果变量“jobs”在各行取值相同，没有可预测的内容。"


def test_panel_rows_left_out_name_their_year():
    frame = panel()
    frame.loc[frame.index == "03", "income"] = [np.nan, 1.0, 2.0, np.nan]
    r = money_predicts(frame, outcome="out", money="money", controls=["income"],
                       panel_years="year")
    assert [(str(e.reason), e.ids) for e in r.excluded] == [
        ("no value for income in 2021", ("03",)), ("no value for income in 2024", ("03",))]
    assert r.n == 118
    with use("zh"):
        assert str(r.excluded[0].reason) == "2021年income无数据"
