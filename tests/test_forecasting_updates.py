"""Models carried over new data without refitting (``update``), and the harness using it between refits."""

import numpy as np
import pandas as pd
import pytest

from forecasting.clock import Periods
from forecasting.errors import ForecastError
from forecasting.harness import HarnessSettings, run_backtest
from forecasting.models import (DoubleSeasonalHoltWinters, HarmonicARMA, HarmonicGLM, MSTLModel, SeasonalNaive,
                                UnobservedComponentsModel)
from forecasting.models.dshw import run
from scenarios.demo_data import demo_history

DAY, WEEK = 24, 168


def hourly(weeks, seed=3):
    t = np.arange(weeks * WEEK)
    rate = 8 + 5 * np.sin(2 * np.pi * t / DAY) + 2 * (t % WEEK >= 5 * DAY)
    return pd.Series(np.random.default_rng(seed).poisson(rate).astype(float),
                     index=pd.date_range("2024-01-01", periods=len(t), freq="h"))


@pytest.mark.parametrize("model", [UnobservedComponentsModel(fit_weeks=3, daily=3, weekly=1, special_days=None),
                                   MSTLModel(remainder="arima", fit_weeks=4), MSTLModel(fit_weeks=4),
                                   HarmonicARMA(special_days=None), HarmonicGLM(special_days=None)],
                         ids=["uc", "mstl_arima", "mstl_ets", "harmonic_arma", "harmonic_glm"])
def test_updating_with_the_models_own_forecast_leaves_the_rest_of_it_unchanged(model):
    # A linear filter fed its own forecasts sees no surprise: the forecast from the later slot
    # is the tail of the forecast from the fit (Kalman filter and forecast agree).
    y = hourly(5)
    ahead = model.fit(y).predict(3 * DAY)["calls"].to_numpy()
    own = pd.Series(model._predict_mean(DAY), index=pd.date_range(y.index[-1] + pd.Timedelta("1h"), periods=DAY, freq="h"))
    later = model.update(own).predict(2 * DAY)
    assert later.index[0] == own.index[-1] + pd.Timedelta("1h")
    np.testing.assert_allclose(later["calls"].to_numpy(), ahead[DAY:], rtol=1e-6, atol=1e-6)


def test_updating_with_a_surprise_moves_the_forecast_towards_it():
    y = hourly(5)
    model = UnobservedComponentsModel(fit_weeks=3, daily=3, weekly=1, special_days=None).fit(y)
    before = model.predict(2 * DAY)["calls"].to_numpy()[DAY:]
    busy = pd.Series(model.predict(DAY)["calls"].to_numpy() + 6,
                     index=pd.date_range(y.index[-1] + pd.Timedelta("1h"), periods=DAY, freq="h"))
    after = model.update(busy).predict(DAY)["calls"].to_numpy()
    assert 0 < (after - before).mean() <= 6.5


def test_dshw_update_runs_its_recursion_on_with_the_fitted_parameters():
    y = hourly(7)
    cut = len(y) - 30
    model = DoubleSeasonalHoltWinters(fit_weeks=6, init_weeks=2).fit(y.iloc[:cut])
    got = model.update(y.iloc[cut:]).predict(DAY)["calls"].to_numpy()
    # Reference: one run of the recursion over the fit window and the new slots together.
    periods = Periods(pd.Timedelta("1h"))
    window = y.iloc[cut - 6 * WEEK:].to_numpy()
    from forecasting.models.dshw import initial_states
    p = model.params
    _, _, (level, daily, weekly, error, n, _) = run(window, initial_states(window, periods, 2), p["alpha"],
                                                     p["delta"], p["omega"], p["phi"], periods=periods, keep=True)
    k = np.arange(1, DAY + 1)
    expected = level + daily[(n - 1 + k) % DAY] + weekly[(n - 1 + k) % WEEK] + p["phi"] ** k * error
    np.testing.assert_allclose(got, np.clip(expected, 0, None), rtol=1e-9)


def test_update_refuses_slots_that_do_not_continue_and_models_that_cannot():
    y = hourly(5)
    model = DoubleSeasonalHoltWinters(fit_weeks=4, init_weeks=2).fit(y)
    with pytest.raises(ForecastError, match="update needs slots continuing from"):
        model.update(y.iloc[-3:])
    with pytest.raises(ForecastError, match="cannot be updated"):
        SeasonalNaive().fit(y).update(y.iloc[-3:])


def test_the_harness_updates_a_weekly_refitted_model_at_every_issue():
    history = demo_history(days=63, end="2026-11-02", seed=4)
    history = history[history["queue"] == "999"]
    settings = HarnessSettings(origins=6, horizon_days=8, warmup_origins=0, calibrate=False)
    report = run_backtest(history, ["dshw"], settings)
    row = report.leaderboard.set_index(["model", "level", "horizon"]).loc[("dshw", "interval", "day_ahead")]
    assert row["refit_every_days"] == 7 and row["fits"] == 1  # the model's own cadence, 6 origins
    fc = report.forecasts[(report.forecasts["model"] == "dshw") & (report.forecasts["horizon"] == "rest_of_day")]
    # Updated at 08:00 with the morning, so the rest of the day is not the midnight forecast's slice.
    day = report.forecasts[(report.forecasts["model"] == "dshw") & (report.forecasts["horizon"] == "day_ahead")]
    merged = fc.merge(day, on=["origin", "interval_start"], suffixes=("_8", "_0"))
    assert len(merged) and not np.allclose(merged["calls_8"], merged["calls_0"])
