"""Combinations in the backtest harness: built from the members' forecasts, equal to the model run alone."""

import time
from functools import partial

import numpy as np
import pandas as pd
import pytest

from forecasting.clock import infer_interval, to_wall_clock
from forecasting.harness import HarnessSettings, run_backtest
from forecasting.models import REGISTRY, Combination, SeasonalAverage, make_model
from forecasting.schema import quantile_column
from scenarios.demo_data import demo_history

QUICK = dict(origins=4, horizon_days=8, warmup_origins=2, calibrate=False, refit_every_days=0)


@pytest.fixture(scope="module")
def history():
    rows = demo_history(days=63, end="2026-11-02", seed=4)
    return rows[rows["queue"] == "999"]


def _standalone(history, name, origin_day, hours):
    """The combination fitted alone on the history before the origin's midnight, for the next ``hours``."""
    real = history.set_index("interval_start")["calls"].astype(float)
    cut = pd.Timestamp(origin_day, tz=real.index.tz)
    train = to_wall_clock(real[real.index < cut], infer_interval(real.index))
    return make_model(name).fit(train).predict(hours * 4)


@pytest.mark.parametrize("name, members, how", [
    ("my_median", ("seasonal_naive", "seasonal_naive_daily", "seasonal_average"), "median"),
    ("my_mean", ("seasonal_average_8w", "factor_svd"), "mean"),
])
def test_a_combination_scored_in_the_harness_is_the_one_fitted_alone(history, monkeypatch, name, members, how):
    # A researcher's own combination of registered models: the harness builds it from the members'
    # forecasts (never calling its fit) and gets what fitting it alone gives, quantiles included.
    monkeypatch.setitem(REGISTRY, name, partial(Combination, members=members, how=how, name=name))
    fits = []
    original = Combination._fit
    monkeypatch.setattr(Combination, "_fit", lambda self, y, p: fits.append(1) or original(self, y, p))
    settings = HarnessSettings(keep_forecasts=("day_ahead",), **QUICK)
    report = run_backtest(history, [name], settings)
    assert not fits
    assert set(report.leaderboard["model"]) == {"seasonal_naive", name}  # members not asked for are not scored
    pairs = report.forecasts[report.forecasts["model"] == name]
    origin = sorted(pairs["origin"].unique())[1]
    got = pairs[pairs["origin"] == origin]
    expected = _standalone(history, name, origin, 24)
    columns = ["calls", *(quantile_column(q) for q in settings.quantiles)]
    assert len(got) == 96
    np.testing.assert_allclose(got[columns].to_numpy(), expected[columns].to_numpy(), rtol=1e-9, atol=1e-9)


def test_members_refitted_on_different_days_make_the_combination_refit_them_itself(history, monkeypatch):
    # A member slower than the auto threshold refits weekly, the other at every issue: there is no
    # common fit to combine, so the combination fits its members itself (and is still scored).
    monkeypatch.setitem(REGISTRY, "my_mix", partial(Combination, members=("seasonal_naive", "seasonal_average"),
                                                     name="my_mix"))
    original = SeasonalAverage._fit
    monkeypatch.setattr(SeasonalAverage, "_fit", lambda self, y, p: time.sleep(0.06) or original(self, y, p))
    fits = []
    combo_fit = Combination._fit
    monkeypatch.setattr(Combination, "_fit", lambda self, y, p: fits.append(1) or combo_fit(self, y, p))
    settings = HarnessSettings(**{**QUICK, "refit_every_days": None}, auto_refit_seconds=0.05)
    board = run_backtest(history, ["seasonal_average", "my_mix"], settings).leaderboard
    policy = board.groupby("model")["refit_every_days"].first()
    assert policy["seasonal_naive"] == 0 and policy["seasonal_average"] == 7
    assert fits and board.loc[board["model"] == "my_mix", "rmse"].notna().all()
