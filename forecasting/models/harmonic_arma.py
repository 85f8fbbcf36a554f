"""Dynamic harmonic regression with low-order ARMA errors.

    y_t = uplift_t * (b0 + Fourier_t . b + special_t . c) + u_t,   u_t ~ ARMA(p, q)

The regression (the Fourier columns of ``HarmonicGLM``, see ``harmonics``) is
fitted by weighted least squares on the last ``fit_weeks`` weeks. Special days
(public holidays, events without a given uplift) enter as fixed multipliers
learnt from the whole history (``special="history"``: each column's ratio of
calls to the same slots of the weeks around it, ``harmonics.special_ratios``),
so New Year's Eve and a bank holiday a year back, outside the window, still
shape the forecast; ``special="window"`` estimates them as regression columns
from the window only (as before: a yearly day is then never learnt). The ARMA(p, q)
model of its residuals is fitted by statsmodels ``ARIMA`` (state space, exact likelihood;
missing slots are handled by the Kalman filter) on the last ``arma_weeks``
weeks. This two-stage estimate is the first step of feasible GLS; with smooth
deterministic regressors and weakly correlated errors the regression estimate
barely changes on iterating (statsmodels' joint SARIMAX with ~90 regressors
takes minutes on 15-minute data, which is why it is not used).

The ARMA part carries today's surprise into the next hours and fades to the
seasonal regression beyond a day. In-sample fitted values for the spread are
the regression plus the ARMA's one-step-ahead prediction. ``update`` runs the
ARMA's filter on over new slots' residuals (statsmodels ``extend``), so in the
backtest it is refitted each midnight and updated at the intraday issue.

Fit time: about a second on 15-minute data with the defaults.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima.model import ARIMA

from ..clock import Periods
from ..errors import ForecastError
from ..special_days import SpecialDays
from .base import ForecastModel
from .harmonics import (Harmonics, check_window, informative, ratio_multiplier, recency_weights, special_design,
                        special_ratios)

_SPECIAL = ("history", "window")


class HarmonicARMA(ForecastModel):
    """Fourier terms + special days by least squares, ARMA(p, q) on the residuals."""

    refit_days = 1  # refitted each midnight; later the same day its ARMA filters the new slots (``update``)
    updates = True

    name = "harmonic_arma"
    uses_special_days = True

    def __init__(
        self,
        order: tuple[int, int] = (1, 1),
        harmonics: Harmonics = Harmonics(),
        fit_weeks: int = 26,
        half_life_weeks: float | None = 16.0,
        arma_weeks: int = 4,
        special_days: SpecialDays | None = SpecialDays(),
        min_weeks: int = 2,
        special: str = "history",
    ) -> None:
        super().__init__()
        check_window(fit_weeks, half_life_weeks, "HarmonicARMA")
        if len(order) != 2 or any(int(k) != k or not 0 <= k <= 3 for k in order):
            raise ForecastError(f"HarmonicARMA order must be (p, q) with whole numbers 0..3 (low order), got {order}")
        if int(arma_weeks) != arma_weeks or arma_weeks < 1:
            raise ForecastError(f"HarmonicARMA arma_weeks must be a whole number >= 1, got {arma_weeks}")
        if int(min_weeks) != min_weeks or not 1 <= min_weeks <= fit_weeks:
            raise ForecastError(f"HarmonicARMA min_weeks must be a whole number in 1..fit_weeks, got {min_weeks}")
        if special not in _SPECIAL:
            raise ForecastError(f"HarmonicARMA special must be one of {_SPECIAL}, got {special!r}")
        self.special = special
        self.order = (int(order[0]), int(order[1]))
        self.harmonics = harmonics
        self.fit_weeks = int(fit_weeks)
        self.half_life_weeks = half_life_weeks
        self.arma_weeks = int(arma_weeks)
        self.special_days = special_days
        self.min_weeks = int(min_weeks)

    def min_length(self, periods: Periods) -> int:
        return self.min_weeks * periods.week

    def _regression(self, index: pd.DatetimeIndex, periods: Periods) -> tuple[np.ndarray, np.ndarray]:
        special, multiplier = special_design(self.special_days, index)
        X = np.hstack([np.ones((len(index), 1)), self.harmonics.design(index, periods), special[self._special_columns].to_numpy()])
        return X, multiplier * ratio_multiplier(self._ratios, self.special_days, index)

    @property
    def special_ratios(self) -> dict[str, float]:
        """Special-day column -> ratio of calls to an ordinary day learnt from the whole history (after fit)."""
        return dict(self._ratios)

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        window = y.iloc[-self.fit_weeks * periods.week :]
        values = window.to_numpy(dtype=float)
        observed = np.isfinite(values)
        if observed.sum() < periods.week:
            raise ForecastError(f"{self.name}: {observed.sum()} observed slots in the last {self.fit_weeks} weeks; needs at least a week ({periods.week})")
        special, _ = special_design(self.special_days, window.index)
        if self.special == "history":
            self._ratios, self._special_columns = special_ratios(self.special_days, y, periods), []
        else:
            self._ratios, self._special_columns = {}, informative(special, observed)
        X, multiplier = self._regression(window.index, periods)
        root_w = np.sqrt(recency_weights(len(values), periods, self.half_life_weeks))[observed]
        target = values[observed] / multiplier[observed]
        self._beta = np.linalg.lstsq(X[observed] * root_w[:, None], target * root_w, rcond=None)[0]
        regression = multiplier * (X @ self._beta)
        tail = slice(max(0, len(values) - self.arma_weeks * periods.week), None)
        self._arma = _fit_arma(values[tail] - regression[tail], self.order)
        self._periods, self._last = periods, window.index[-1]
        fitted = np.full(len(y), np.nan)
        fitted[-len(values) :] = regression
        fitted[len(y) - len(values[tail]) :] += np.asarray(self._arma.fittedvalues, dtype=float)
        return fitted

    @property
    def arma(self):
        """The fitted statsmodels ARIMA results of the regression residuals (after ``fit``)."""
        if self._state is None:
            raise ForecastError(f"{self.name}: not fitted")
        return self._arma

    def _update(self, seen: pd.Series) -> None:
        X, multiplier = self._regression(seen.index, self._periods)
        residuals = seen.to_numpy(dtype=float) - multiplier * (X @ self._beta)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (UserWarning, RuntimeWarning))
            self._arma = self._arma.extend(residuals)
        self._last = seen.index[-1]

    def _predict_mean(self, horizon: int) -> np.ndarray:
        index = pd.date_range(self._last + self._periods.interval, periods=horizon, freq=self._periods.interval)
        X, multiplier = self._regression(index, self._periods)
        return multiplier * (X @ self._beta) + np.asarray(self._arma.forecast(horizon), dtype=float)


def _fit_arma(residuals: np.ndarray, order: tuple[int, int]):
    with warnings.catch_warnings():
        # Near-white residuals put AR and MA roots close together; the fit is still usable.
        warnings.simplefilter("ignore", (ConvergenceWarning, UserWarning, RuntimeWarning))
        return ARIMA(residuals, order=(order[0], 0, order[1]), trend="n").fit()
