"""Factor model of the day-by-interval matrix with intraday updating (Shen & Huang 2008).

Shen, H. and Huang, J. Z. (2008), "Interday forecasting and intraday updating of
call center arrivals", Annals of Applied Statistics 2(2):601-623 (the paper also
appeared as their M&SOM article on SVD forecasting).

Fit, on the complete days of the last ``fit_weeks`` weeks:

1. X = sqrt(y + 1/4), one row per day, one column per slot of the day (the
   root transform makes Poisson noise roughly constant, variance ~1/4);
2. SVD, X ~ B V^T with the leading ``factors`` loadings V (slots x K) and daily
   scores B = X V (days x K): the first factor is the usual intraday profile,
   the next ones how days differ from it;
3. each score series: a mean per day of the week plus an AR(1) in the
   deviations (per factor, by least squares), which gives the next days'
   scores and their one-day-ahead error variances tau_k^2.

A forecast day is V beta, squared, plus the in-sample one-day-ahead residual
variance on the root scale, minus 1/4 (E[y] = E[x^2] - 1/4), so the mean is
not biased low when rates vary more than Poisson.

Intraday updating (the paper's penalised least squares): having seen the first
slots e of today, x_e, the scores of today are

    beta = argmin |x_e - V_e beta|^2 / sigma^2 + penalty * sum_k (beta_k - beta_k^TS)^2 / tau_k^2

i.e. a ridge pull of the time-series forecast towards what today has shown
(sigma^2 is the in-sample residual variance of the rank-K fit). The rest of
today, and through the AR(1) the days after, use the updated scores.

How this meets the contract: ``fit(y)`` takes history that may end part-way
through a day; the observed part of that last day is used as "seen today", so a
backtest origin at 14:00 gets an updated forecast with no extra call. After a
fit, ``update(seen)`` appends newly observed slots (continuing right after the
last one) without refitting the SVD or the time-series models, and ``predict``
then starts after them: the cheap intraday re-forecast a control room runs
every interval. The spread (dispersion) stays the one fitted by ``fit``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import Periods
from ..errors import ForecastError
from .base import ForecastModel, require_observed


class FactorModel(ForecastModel):
    """SVD of the day x slot matrix, day-of-week + AR(1) score forecasts, intraday updating."""

    refit_days = 1  # refitted each midnight; later the same day updated from the morning (``update``)

    name = "factor_svd"

    def __init__(self, factors: int = 3, fit_weeks: int = 12, penalty: float = 1.0, min_weeks: int = 3) -> None:
        super().__init__()
        if int(factors) != factors or factors < 1:
            raise ForecastError(f"FactorModel factors must be a whole number >= 1, got {factors}")
        if int(min_weeks) != min_weeks or min_weeks < 2:
            raise ForecastError(f"FactorModel min_weeks must be a whole number >= 2 (a mean per weekday and an AR(1)), got {min_weeks}")
        if int(fit_weeks) != fit_weeks or fit_weeks < min_weeks:
            raise ForecastError(f"FactorModel fit_weeks must be a whole number >= min_weeks={min_weeks}, got {fit_weeks}")
        if not (np.isfinite(penalty) and penalty >= 0):
            raise ForecastError(f"FactorModel penalty must be >= 0, got {penalty}")
        self.factors = int(factors)
        self.fit_weeks = int(fit_weeks)
        self.penalty = float(penalty)
        self.min_weeks = int(min_weeks)

    def min_length(self, periods: Periods) -> int:
        # Plus a day: the first may be partial and is dropped.
        return self.min_weeks * periods.week + periods.day

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        s1 = periods.day
        start = int(-_slot_of_day(y.index[:1], periods)[0] % s1)  # first slot of the first whole day
        whole_days = (len(y) - start) // s1
        days_used = min(whole_days, self.fit_weeks * 7)
        first = start + (whole_days - days_used) * s1
        if days_used < self.min_weeks * 7:
            raise ForecastError(f"{self.name}: {days_used} whole days, needs at least {self.min_weeks * 7}")
        used = y.iloc[first:]
        require_observed(used, self.name, f"the last {days_used} whole days it fits on")
        roots = np.sqrt(used.to_numpy(dtype=float) + 0.25)
        X = roots[: days_used * s1].reshape(days_used, s1)
        k = min(self.factors, days_used - 1, s1)
        _, _, vt = np.linalg.svd(X, full_matrices=False)
        loadings = vt[:k].T
        scores = X @ loadings
        dow = (used.index[0].normalize() + pd.to_timedelta(np.arange(days_used), "D")).day_of_week.to_numpy()
        self._loadings, self._periods = loadings, periods
        self._dow_mean, self._phi, self._tau2, prior = _score_models(scores, dow)
        rank_k = scores @ loadings.T
        self._sigma2 = max(float(np.mean((X - rank_k) ** 2)), 1e-6)
        # One-day-ahead in-sample forecasts (the first day has no previous deviation).
        ahead = prior @ loadings.T
        self._excess = float(np.mean((X[1:] - ahead[1:]) ** 2)) - 0.25
        self._last_scores, self._last_dow = scores[-1], int(dow[-1])
        self._seen = roots[days_used * s1 :].tolist()
        fitted = np.full(len(y), np.nan)
        fitted[first + s1 : first + days_used * s1] = self._unroot(ahead[1:]).ravel()
        return fitted

    updates = True

    def _update(self, seen: pd.Series) -> None:
        """Append newly observed slots and re-forecast from them (``ForecastModel.update`` checks
        they continue the series). The loadings, score models and dispersion stay those of ``fit``."""
        values = seen.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ForecastError(f"{self.name}: update needs observed counts >= 0 (no gaps) from {seen.index[0]}")
        for root in np.sqrt(values + 0.25):
            self._seen.append(float(root))
            if len(self._seen) == self._periods.day:
                self._close_day(np.array(self._seen))

    def _close_day(self, roots: np.ndarray) -> None:
        """A day is complete: its scores (projection) become the last observed day's."""
        self._last_scores = roots @ self._loadings
        self._last_dow = (self._last_dow + 1) % 7
        self._seen = []

    def _predict_mean(self, horizon: int) -> np.ndarray:
        s1 = self._periods.day
        seen = np.array(self._seen)
        dow, deviation = self._last_dow, self._last_scores - self._dow_mean[self._last_dow]
        days = []
        while len(days) * s1 < horizon + len(seen):
            dow = (dow + 1) % 7
            beta = self._dow_mean[dow] + self._phi * deviation
            if not days and len(seen):
                beta = self._updated(beta, seen)
            days.append(self._unroot(self._loadings @ beta))
            deviation = beta - self._dow_mean[dow]
        return np.concatenate(days)[len(seen) : len(seen) + horizon]

    def _updated(self, prior: np.ndarray, seen: np.ndarray) -> np.ndarray:
        """Penalised least squares of today's scores on the slots seen so far."""
        v = self._loadings[: len(seen)]
        precision = self.penalty / np.maximum(self._tau2, 1e-9)
        lhs = v.T @ v / self._sigma2 + np.diag(precision)
        rhs = v.T @ seen / self._sigma2 + precision * prior
        return np.linalg.solve(lhs, rhs)

    def _unroot(self, roots: np.ndarray) -> np.ndarray:
        # E[y] = E[x^2] - 1/4 = xhat^2 + var(x) - 1/4 on the root scale.
        return np.clip(np.clip(roots, 0.0, None) ** 2 + self._excess, 0.0, None)


def _score_models(scores: np.ndarray, dow: np.ndarray):
    """Per-factor day-of-week means, AR(1) coefficient and innovation variance; one-day-ahead priors."""
    means = np.vstack([scores[dow == d].mean(axis=0) if (dow == d).any() else scores.mean(axis=0) for d in range(7)])
    dev = scores - means[dow]
    lagged, current = dev[:-1], dev[1:]
    denominator = (lagged**2).sum(axis=0)
    phi = np.divide((lagged * current).sum(axis=0), denominator, out=np.zeros(scores.shape[1]), where=denominator > 0)
    phi = np.clip(phi, -0.99, 0.99)
    prior = means[dow].copy()
    prior[1:] += phi * lagged
    tau2 = np.maximum(((current - phi * lagged) ** 2).mean(axis=0), 1e-9)
    return means, phi, tau2, prior


def _slot_of_day(index: pd.DatetimeIndex, periods: Periods) -> np.ndarray:
    return np.asarray((index - index.normalize()) // periods.interval)
