"""Arrivals from a forecast with the forecast's own uncertainty: each day's level drawn with the CV
its quantiles imply (forecasting.day_level), instead of one fixed demand_day_cv."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecasting.day_level import day_level_cv
from forecasting.errors import ForecastError
from simulation import QueueConfig, SimulationConfig, SimulationError, simulate

TZ = "Europe/London"
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


def profile(days: int, freq: str = "15min", per_day: int = 96, peak: float = 12.0, tz: str = TZ):
    starts = pd.date_range(pd.Timestamp("2025-06-02", tz=tz), periods=days * per_day, freq=freq)
    hour = np.asarray(starts.hour + starts.minute / 60)
    return starts, 1.0 + peak * np.exp(-((hour - 13) / 4) ** 2)


def with_quantiles(starts, mean, quantiles: dict) -> pd.DataFrame:
    frame = pd.DataFrame({"queue": "101", "interval_start": starts, "calls": mean, "aht": 300.0})
    for q, values in quantiles.items():
        frame[f"calls_p{100 * q:g}"] = values
    return frame


def gamma_poisson_quantiles(mean, cv, rng, draws=40_000):
    """Quantiles of Poisson(M x mean) with M ~ gamma(mean 1, CV cv) shared by the day's intervals,
    by Monte Carlo: the distribution a forecast with day-level uncertainty would report."""
    shape = 1 / cv**2
    m = rng.gamma(shape, 1 / shape, size=(draws, 1))
    counts = rng.poisson(m * mean[None, :])
    return {q: np.quantile(counts, q, axis=0) for q in QUANTILES}


def test_the_day_level_cv_of_a_gamma_poisson_forecast_is_recovered_from_its_quantiles():
    starts, mean = profile(1)
    for cv in (0.08, 0.15, 0.3):
        forecast = with_quantiles(starts, mean, gamma_poisson_quantiles(mean, cv, np.random.default_rng(1)))
        estimate = day_level_cv(forecast)["day_cv"]
        assert estimate.nunique() == 1
        assert estimate.iloc[0] == pytest.approx(cv, rel=0.2), cv


def test_pure_poisson_quantiles_leave_little_day_level_uncertainty():
    starts, mean = profile(1)
    forecast = with_quantiles(starts, mean, {q: stats.poisson.ppf(q, mean) for q in QUANTILES})
    # whole-number quantiles overstate the spread of small counts a little: not zero, but well
    # below the 0.08 the gamma-Poisson test above recovers
    assert day_level_cv(forecast)["day_cv"].iloc[0] < 0.065


def test_each_day_gets_its_own_cv_and_queues_their_own():
    starts, mean = profile(2)
    rng = np.random.default_rng(2)
    first, second = (gamma_poisson_quantiles(mean[:96], cv, rng) for cv in (0.05, 0.25))
    forecast = with_quantiles(starts, mean, {q: np.concatenate([first[q], second[q]]) for q in QUANTILES})
    cv = day_level_cv(forecast)["day_cv"].to_numpy()
    assert cv[:96].max() < 0.1 and cv[96:].min() > 0.2
    both = pd.concat([forecast, forecast.assign(queue="999", **{f"calls_p{100 * q:g}": first[q].tolist() * 2
                                                                for q in QUANTILES})], ignore_index=True)
    per_queue = day_level_cv(both).groupby("queue")["day_cv"].max()
    assert per_queue["999"] < 0.1 < per_queue["101"]


def test_a_forecast_without_a_symmetric_pair_of_quantiles_is_a_one_line_error():
    starts, mean = profile(1)
    forecast = with_quantiles(starts, mean, {0.5: mean, 0.9: mean * 1.2})
    with pytest.raises(ForecastError, match="symmetric pair of quantile columns"):
        day_level_cv(forecast)


def normal_band(mean, cv):
    sd = np.sqrt(mean + (cv * mean) ** 2)
    return {q: mean + stats.norm.ppf(q) * sd for q in QUANTILES}


def simulated_days(band_cv: float, days: int = 40):
    """One queue, hourly intervals, fixed staff; the forecast's band sets the day_cv."""
    starts, mean = profile(days, freq="h", per_day=24, peak=40.0, tz="UTC")  # no clock change: whole days
    forecast = with_quantiles(starts, mean, normal_band(mean, band_cv))
    demand = forecast[["queue", "interval_start", "calls", "aht"]].assign(day_cv=day_level_cv(forecast)["day_cv"])
    staff = pd.DataFrame({"interval_start": pd.date_range(starts[0], periods=len(starts) + 2, freq="h"),
                          "agents": np.concatenate([np.ceil(mean * 300 / 3600 + 1), [2, 2]]).astype(int)})
    config = SimulationConfig((QueueConfig("101", answer_within_s=20, mean_patience_s=120),), replications=2, seed=11)
    kpi = simulate(demand, staff, config).kpi
    day = kpi.interval_start.dt.normalize()
    per_day = kpi.groupby([kpi.replication, day])[["offered", "answered_within"]].sum()
    return per_day.offered.to_numpy(), (per_day.answered_within / per_day.offered).to_numpy()


def test_a_wider_forecast_band_gives_more_spread_in_daily_volumes_and_more_missed_days():
    narrow_volume, narrow_sl = simulated_days(0.02)
    wide_volume, wide_sl = simulated_days(0.2)
    assert len(narrow_volume) == len(wide_volume) == 80
    spread = lambda v: v.std() / v.mean()  # noqa: E731
    # about 310 calls a day: Poisson alone spreads daily volumes by 1 / sqrt(310) = 0.057
    assert spread(narrow_volume) < 0.075 and 0.15 < spread(wide_volume) < 0.3
    # a target the narrow band misses on a tenth of its days is missed far more often with the wide one
    target = np.quantile(narrow_sl, 0.1)
    assert (wide_sl < target).mean() > 0.2


def test_day_cv_and_a_fixed_day_multiplier_cv_together_are_refused():
    starts, mean = profile(1)
    demand = pd.DataFrame({"queue": "101", "interval_start": starts, "calls": mean, "aht": 300.0, "day_cv": 0.1})
    staff = pd.DataFrame({"interval_start": starts, "agents": 5})
    config = SimulationConfig((QueueConfig("101"),), day_multiplier_cv=0.05)
    with pytest.raises(SimulationError, match="day_cv column and SimulationConfig.day_multiplier_cv is 0.05"):
        simulate(demand, staff, config)
    with pytest.raises(SimulationError, match=r"negative day_cv \(-0.1\) in row 0"):
        simulate(demand.assign(day_cv=-0.1), staff, SimulationConfig((QueueConfig("101"),)))


def test_the_pipeline_passes_the_forecasts_own_day_cv_unless_demand_day_cv_overrides_it():
    import dataclasses

    from scenarios.config import Scenario
    from scenarios.pipeline import simulation_config, simulation_demand

    starts, mean = profile(2)
    forecast = with_quantiles(starts, mean, normal_band(mean, 0.1)).assign(model="m")
    scenario = Scenario()
    demand = simulation_demand(scenario, forecast)
    assert demand["day_cv"].to_numpy() == pytest.approx(0.1, rel=0.05)
    assert simulation_config(scenario).day_multiplier_cv == 0
    surge = forecast.assign(calls=forecast["calls"] * 2)  # a stress change: the day's CV is relative, kept
    assert simulation_demand(scenario, forecast, surge)["calls"].sum() == pytest.approx(2 * mean.sum())
    assert simulation_demand(scenario, forecast, surge)["day_cv"].to_numpy() == pytest.approx(demand["day_cv"])
    fixed = dataclasses.replace(scenario, simulation=dataclasses.replace(scenario.simulation, demand_day_cv=0.05))
    assert "day_cv" not in simulation_demand(fixed, forecast).columns
    assert simulation_config(fixed).day_multiplier_cv == 0.05
