"""Every model in REGISTRY keeps the contract (a researcher's registered model is tested too),
and the conformance checker a researcher runs on their own model names each way a model breaks it.

The checks themselves live in ``forecasting.conformance`` (one piece of code for the zoo and for
researchers); hourly synthetic data keeps them fast.
"""

import numpy as np
import pandas as pd
import pytest

from forecasting.conformance import ConformanceError, assert_conforms, check_model, synthetic_series
from forecasting.clock import Periods
from forecasting.errors import ForecastError
from forecasting.models import REGISTRY, make_model
from forecasting.models.base import ForecastModel
from forecasting.models.predictive import Dispersion
from forecasting.models.seasonal_average import SeasonalAverage

NAIVE = {"seasonal_naive", "seasonal_naive_daily"}  # the yardsticks, not expected to beat themselves


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_registered_model_keeps_the_contract(name):
    assert make_model(name).name == name
    assert check_model(REGISTRY[name], accuracy=name not in NAIVE) == []


class Broken(ForecastModel):
    """The mean of the same slot over the last four weeks, with one contract break switched on."""

    name = "broken"

    def __init__(self, fault: str | None = None) -> None:
        super().__init__()
        self.fault = fault

    def min_length(self, periods):
        return 4 * periods.week

    def _fit(self, y, periods):
        self._week = periods.week
        self._last = np.nanmean(y.to_numpy(dtype=float)[-4 * periods.week:].reshape(4, -1), axis=0)
        return y.shift(periods.week).to_numpy(dtype=float)

    def _predict_mean(self, horizon):
        return np.resize(self._last, horizon)

    def fit(self, y):
        fitted = super().fit(y)
        return None if self.fault == "fit_returns_none" else fitted

    def predict(self, horizon, quantiles=(0.025, 0.1, 0.5, 0.9, 0.975)):
        frame = super().predict(horizon, quantiles)
        if self.fault == "negative":
            frame.iloc[3, 1] = -1.0
        elif self.fault == "columns":
            frame = frame.rename(columns={"calls": "mean"})
        elif self.fault == "crossing":
            first, last = frame.columns[1], frame.columns[-1]
            frame[[first, last]] = frame[[last, first]].to_numpy()
        elif self.fault == "nan":
            frame.iloc[5, 0] = np.nan
        return frame


def test_a_model_that_keeps_the_contract_passes():
    assert check_model(Broken) == []


@pytest.mark.parametrize("fault, check, detail", [
    ("fit_returns_none", "fit returns self", "NoneType"),
    ("negative", "non-negative", "calls_p2.5 at 2024-02-26 03:00"),
    ("columns", "columns", "'mean'"),
    ("crossing", "quantile order", "calls_p2.5 > calls_p10"),
    ("nan", "finite", "calls at 2024-02-26 05:00"),
])
def test_each_broken_rule_is_named_with_where_it_is_broken(fault, check, detail):
    problems = check_model(lambda: Broken(fault))
    named = [p for p in problems if p.startswith(f"{check}: ")]
    assert named, problems
    assert detail in named[0]
    with pytest.raises(ConformanceError, match=check):
        assert_conforms(lambda: Broken(fault))


class Leaky(Broken):
    """Keeps the first series it sees: refitting does not replace the state."""

    def _fit(self, y, periods):
        if not hasattr(self, "_last"):
            super()._fit(y, periods)
        return y.shift(periods.week).to_numpy(dtype=float)


class Lenient(Broken):
    """Accepts series that are too short (no check of min_length) and all-zero series."""

    def fit(self, y):  # skips the base class's checks of the series
        self._last = np.resize(y.to_numpy(dtype=float), 168)
        self._state = (y.index[-1], Periods(y.index.freq), Dispersion.from_residuals(np.ones(3), np.ones(3)))
        return self


def test_state_leaking_between_fits_is_caught():
    assert any(p.startswith("repeatable: ") for p in check_model(Leaky))


def test_accepting_too_short_and_empty_series_is_caught():
    problems = check_model(Lenient, accuracy=False)
    assert any(p.startswith("too short: ") for p in problems), problems
    assert any(p.startswith("all zero: ") for p in problems), problems


def test_a_factory_that_raises_is_reported_not_raised():
    def factory():
        raise RuntimeError("typo in __init__")
    assert check_model(factory) == ["construct: the factory raised RuntimeError: typo in __init__"]


def test_the_researchers_own_history_is_used_when_given():
    y = synthetic_series(4, seed=3)
    assert check_model(lambda: SeasonalAverage(weeks=2), history=y, accuracy=False) == []
    no_freq = y.set_axis(pd.DatetimeIndex(list(y.index)))  # a regular grid whose index has no freq set
    assert no_freq.index.freq is None
    assert check_model(lambda: SeasonalAverage(weeks=2), history=no_freq, accuracy=False) == []
    with pytest.raises(ForecastError, match="needs at least three weeks"):
        check_model(SeasonalAverage, history=y.iloc[:300])


class GapBlind(Broken):
    """Averages with NaN: a missing value in the last weeks makes one slot of the week NaN."""

    def _fit(self, y, periods):
        fitted = super()._fit(y, periods)
        self._last = y.to_numpy(dtype=float)[-4 * periods.week:].reshape(4, -1).mean(axis=0)
        return fitted


def test_a_gap_that_spoils_a_slot_later_in_the_week_is_caught():
    assert any(p.startswith("gap: ") for p in check_model(GapBlind)), check_model(GapBlind)
