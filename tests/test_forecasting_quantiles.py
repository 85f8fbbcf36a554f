"""The shared count predictive distribution: shape, estimation and calibration."""

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import score
from forecasting.clock import Periods
from forecasting.errors import ForecastError
from forecasting.models import REGISTRY, Dispersion, make_model
from forecasting.schema import DEFAULT_QUANTILES

DAY, WEEK = 96, 672


def test_quantiles_match_a_monte_carlo_of_the_jittered_count():
    # Independent method: sample the count, add U(-0.5, 0.5), take empirical quantiles.
    rng = np.random.default_rng(0)
    qs = np.array(DEFAULT_QUANTILES)
    for dispersion, mu in ((Dispersion(), 6.0), (Dispersion(1.5, 0.1), 12.0)):
        var = dispersion.variance(mu)
        if var == mu:
            draws = rng.poisson(mu, 400_000)
        else:
            draws = rng.negative_binomial(mu**2 / (var - mu), mu / var, 400_000)
        jittered = draws + rng.uniform(-0.5, 0.5, draws.size)
        expected = np.clip(np.quantile(jittered, qs), 0, None)
        np.testing.assert_allclose(dispersion.quantiles([mu], qs)[0], expected, atol=0.06)


@pytest.mark.parametrize("dispersion", [Dispersion(), Dispersion(2.0, 0.0), Dispersion(1.0, 0.2), Dispersion(0.5, 0.05)])
def test_quantiles_are_non_negative_monotone_and_wider_at_higher_volume(dispersion):
    mu = np.linspace(0, 60, 241)
    q = dispersion.quantiles(mu, DEFAULT_QUANTILES)
    assert (q >= 0).all()
    assert (np.diff(q, axis=0) >= -1e-9).all(), "a quantile fell as the mean rose"
    assert (np.diff(q, axis=1) >= -1e-9).all(), "quantiles out of order"
    width = q[:, -1] - q[:, 0]
    assert width[-1] > width[len(mu) // 4] > width[1] > 0
    assert (q[0] == 0).all()  # no demand expected: point mass at 0


@pytest.mark.parametrize("linear, quadratic, scale", [(1.1, 0.01, 1.0), (2.0, 0.3, 0.5), (1.02, 0.0, 20.0),
                                                      (1.0, 0.002, 0.05)])
def test_negative_binomial_quantiles_match_scipys_inverse_cdf(linear, quadratic, scale):
    # The quantile index is found by stepping the CDF; scipy's nbinom.ppf is the independent reference.
    from scipy import stats

    from forecasting.models.predictive import _jittered_quantiles

    dispersion = Dispersion(linear, quadratic)
    mu = np.random.default_rng(2).gamma(2.0, 1.5 * scale, 2000)
    q = np.array([0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999])
    got = dispersion.quantiles(mu, q)
    m, v = mu[:, None], dispersion.variance(mu)[:, None]
    neg = (v - m > 1e-6 * m)[:, 0]
    assert neg.sum() > 1000
    reference = _jittered_quantiles(stats.nbinom(m[neg] ** 2 / (v[neg] - m[neg]), m[neg] / v[neg]), q[None, :])
    np.testing.assert_allclose(got[neg], reference, rtol=1e-12, atol=1e-12)


def test_poisson_quantiles_match_scipys_inverse_cdf():
    from scipy import stats

    from forecasting.models.predictive import _jittered_quantiles

    mu = np.random.default_rng(3).gamma(1.5, 4.0, 2000)
    q = np.array([0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999])
    reference = _jittered_quantiles(stats.poisson(mu[:, None]), q[None, :])
    np.testing.assert_allclose(Dispersion().quantiles(mu, q), reference, rtol=1e-12, atol=1e-12)


def test_dispersion_recovers_known_variance_functions():
    rng = np.random.default_rng(1)
    mu = rng.uniform(1, 30, 60_000)
    poisson = Dispersion.from_residuals(rng.poisson(mu), mu)
    assert poisson.linear == pytest.approx(1.0, abs=0.05)
    assert poisson.quadratic == pytest.approx(0.0, abs=0.005)
    size = 1 / 0.1  # var = mu + 0.1 mu^2
    negbin = Dispersion.from_residuals(rng.negative_binomial(size, size / (size + mu)), mu)
    assert negbin.linear == pytest.approx(1.0, abs=0.15)
    assert negbin.quadratic == pytest.approx(0.1, abs=0.015)


def test_dispersion_rejects_invalid_values_and_defaults_to_poisson_without_residuals():
    with pytest.raises(ForecastError):
        Dispersion(-1.0, 0.0)
    assert Dispersion.from_residuals([np.nan, 3.0], [2.0, np.nan]) == Dispersion()


def rate(t):
    daily = np.sin(2 * np.pi * t / DAY - 2.0)
    weekend = ((t // DAY) % 7 >= 5).astype(float)
    return 12 * (1 + 0.5 * daily) * (1 - 0.25 * weekend) + 4.0


@pytest.mark.parametrize("name", list(REGISTRY))
def test_intervals_cover_close_to_nominal_on_poisson_counts(name):
    train_weeks, test_weeks, runs = 12, 4, 2
    coverage = []
    for seed in range(runs):
        rng = np.random.default_rng(10 + seed)
        t = np.arange((train_weeks + test_weeks) * WEEK)
        y = pd.Series(rng.poisson(rate(t)).astype(float), index=pd.date_range("2024-01-01", periods=len(t), freq="15min"))
        train, actual = y.iloc[: train_weeks * WEEK], y.iloc[train_weeks * WEEK :].to_numpy()
        out = make_model(name).fit(train).predict(len(actual))
        scores = score(actual, out, train.to_numpy(), Periods(pd.Timedelta("15min")), DEFAULT_QUANTILES)
        coverage.append((scores["coverage_80"], scores["coverage_95"]))
    c80, c95 = np.mean(coverage, axis=0)
    assert c80 == pytest.approx(0.80, abs=0.04)
    assert c95 == pytest.approx(0.95, abs=0.025)
