"""Taylor's double-seasonal Holt-Winters (Taylor 2003, J. Oper. Res. Soc. 54:799-805).

Additive form, with a level, a daily seasonal d (period s1 = a day) and a
weekly seasonal w (period s2 = a week), and Taylor's AR(1) adjustment of the
one-step error. With base_t = l_{t-1} + d_{t-s1} + w_{t-s2} and the unadjusted
error e_t = y_t - base_t:

    l_t = l_{t-1} + alpha e_t                     (= alpha (y - d - w) + (1 - alpha) l_{t-1})
    d_t = d_{t-s1} + delta (y_t - l_t - w_{t-s2} - d_{t-s1})
    w_t = w_{t-s2} + omega (y_t - l_t - d_{t-s1} - w_{t-s2})
    forecast k ahead from T:  l_T + d_{T-s1+k} + w_{T-s2+k} + phi^k e_T

alpha, delta, omega in [0, 1] and phi in (-1, 1) minimise the in-sample sum of
squared one-step errors y_t - (base_t + phi e_{t-1}) (scipy L-BFGS-B), as in
Taylor's paper, counted after the weeks used to initialise. Initial states come from the first ``init_weeks`` weeks of the
fit window: level = their mean, the daily profile = mean deviation by time of
day, the weekly profile = what is left by slot of the week.

Differences from the paper, on purpose: additive rather than multiplicative
seasonality (15-minute counts are often zero, where a multiplicative model
divides by nothing), and no trend term (over a week-long horizon a trend
fitted to one-step errors extrapolates noise). The recursion is a plain Python
loop (no compiled library has this model), so the fit window is kept to
``fit_weeks`` weeks: about 1-2 s on 15-minute data with the defaults.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from ..clock import Periods
from ..errors import ForecastError
from .base import ForecastModel, require_observed

_START = np.array([0.05, 0.05, 0.05, 0.2])  # alpha, delta, omega, phi
_BOUNDS = [(0.0, 1.0), (0.0, 1.0), (0.0, 1.0), (-0.99, 0.99)]


class DoubleSeasonalHoltWinters(ForecastModel):
    """Additive double-seasonal Holt-Winters with AR(1) error adjustment (Taylor 2003)."""

    name = "dshw"
    updates = True  # the recursion simply runs on over new slots
    refit_days = 7  # re-estimating the four smoothing parameters daily barely moves them

    def __init__(self, fit_weeks: int = 12, init_weeks: int = 4) -> None:
        super().__init__()
        if int(init_weeks) != init_weeks or init_weeks < 1:
            raise ForecastError(f"DoubleSeasonalHoltWinters init_weeks must be a whole number >= 1, got {init_weeks}")
        if int(fit_weeks) != fit_weeks or fit_weeks <= init_weeks:
            raise ForecastError(f"DoubleSeasonalHoltWinters fit_weeks must be a whole number > init_weeks={init_weeks}, got {fit_weeks}")
        self.fit_weeks = int(fit_weeks)
        self.init_weeks = int(init_weeks)

    def min_length(self, periods: Periods) -> int:
        # Initial weeks plus one week to learn the smoothing parameters from.
        return (self.init_weeks + 1) * periods.week

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        window = y.iloc[-self.fit_weeks * periods.week :]
        require_observed(window, self.name, f"the last {self.fit_weeks} weeks it fits on")
        values = window.to_numpy(dtype=float)
        init = initial_states(values, periods, self.init_weeks)
        # Score only slots the initial states did not see, or the fit keeps the initial
        # profile (it fits its own weeks) and never learns from the later ones.
        skip = self.init_weeks * periods.week
        result = optimize.minimize(
            lambda p: run(values, init, *p, periods=periods, skip=skip)[0], _START, method="L-BFGS-B", bounds=_BOUNDS
        )
        self._params = dict(zip(("alpha", "delta", "omega", "phi"), (float(v) for v in result.x)))
        _, one_step, self._final = run(values, init, *result.x, periods=periods, keep=True)
        fitted = np.full(len(y), np.nan)
        fitted[-len(values) :] = one_step
        return fitted

    def _update(self, seen: pd.Series) -> None:
        require_observed(seen, self.name, "the slots it is updated with")
        level, daily, weekly, last_error, n, periods = self._final
        # Buffers indexed by slot mod period from the window start; re-based so slot 0 is the next one.
        init = (level, np.roll(daily, -(n % periods.day)), np.roll(weekly, -(n % periods.week)))
        p = self._params
        _, _, self._final = run(seen.to_numpy(dtype=float), init, p["alpha"], p["delta"], p["omega"], p["phi"],
                                periods=periods, keep=True, previous=last_error)

    @property
    def params(self) -> dict[str, float]:
        """Fitted smoothing parameters: alpha, delta, omega, phi."""
        if self._state is None:
            raise ForecastError(f"{self.name}: not fitted")
        return dict(self._params)

    def _predict_mean(self, horizon: int) -> np.ndarray:
        level, daily, weekly, last_error, n, periods = self._final
        k = np.arange(1, horizon + 1)
        t = n - 1 + k  # the slot being forecast, in the fit window's numbering
        return level + daily[t % periods.day] + weekly[t % periods.week] + self._params["phi"] ** k * last_error


def initial_states(values: np.ndarray, periods: Periods, weeks: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Level, daily profile (s1) and weekly profile (s2) from the first ``weeks`` weeks."""
    first = values[: weeks * periods.week].reshape(weeks, periods.week).mean(axis=0)
    level = float(first.mean())
    daily = (first - level).reshape(7, periods.day).mean(axis=0)
    weekly = first - level - np.tile(daily, 7)
    return level, daily, weekly


def run(values, init, alpha, delta, omega, phi, *, periods: Periods, keep: bool = False, skip: int = 0,
        previous: float = 0.0):
    """Run the recursion over ``values``: (SSE, one-step forecasts or None, final state or None).

    The SSE counts slots from ``skip`` on (the slots the initial states were
    not estimated from); ``previous`` is the last one-step error before ``values``. Seasonal arrays are circular buffers indexed by t mod period, so slot t's
    d_{t-s1} is ``daily[t % s1]`` before it is overwritten with d_t.
    """
    level, daily, weekly = init[0], list(init[1]), list(init[2])
    s1, s2 = periods.day, periods.week
    d_gain, w_gain = delta * (1 - alpha), omega * (1 - alpha)  # the updates above, in terms of e_t
    sse = 0.0
    one_step = [] if keep else None
    i = j = 0
    for t, y in enumerate(values.tolist()):
        base = level + daily[i] + weekly[j]
        forecast = base + phi * previous
        if t >= skip:
            sse += (y - forecast) ** 2
        error = y - base
        level += alpha * error
        daily[i] += d_gain * error
        weekly[j] += w_gain * error
        previous = error
        if keep:
            one_step.append(forecast)
        i = i + 1 if i + 1 < s1 else 0
        j = j + 1 if j + 1 < s2 else 0
    if not keep:
        return sse, None, None
    final = (level, np.array(daily), np.array(weekly), previous, len(values), periods)
    return sse, np.array(one_step), final
