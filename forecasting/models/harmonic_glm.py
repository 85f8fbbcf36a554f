"""Dynamic harmonic regression as a count GLM (Poisson or negative binomial, log link).

    log E[y_t] = b0 + Fourier(daily, weekly, interaction)_t . b + special_t . c + log(uplift_t)

fitted with statsmodels ``GLM`` on the last ``fit_weeks`` weeks, recent weeks
weighted more (weights halve every ``half_life_weeks``), plus the special-day
slots of earlier history, so yearly days (Christmas, New Year's Eve) learn
their effect from earlier years. The Fourier columns
come from ``harmonics.Harmonics``; special days (public holidays, events) from a
``SpecialDays`` given in ``__init__``, built from the timestamps, so ``fit(y)``
and ``predict(horizon)`` are the usual contract. Events with a given uplift
enter as a fixed log offset. Missing slots are simply left out of the fit.

Smoothing across weeks and neighbouring slots is where this beats the seasonal
average: ~90 coefficients describe the week instead of 672 noisy means.

Negative binomial: alpha is estimated by moments from a Poisson fit, then the
GLM is refitted with it (the mean hardly moves; the weights favour low counts
a little more). The predictive spread is the base class's, from the in-sample
residuals of the fitted means.

Fit time: well under a second for 26 weeks of 15-minute data (17k rows, ~95
columns), because rows with the same design are collapsed first (see ``_glm``).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from ..clock import Periods
from ..errors import ForecastError
from ..special_days import SpecialDays
from .base import ForecastModel
from .harmonics import Harmonics, check_window, informative, recency_weights, slot_of_week, special_design

_FAMILIES = ("poisson", "negbin")
_DAY_LEVELS = (None, "ar1")


class HarmonicGLM(ForecastModel):
    """Fourier terms + special days in a Poisson / negative-binomial GLM."""

    refit_days = 1  # refitted each midnight; later the same day it is carried forward (``update``)
    updates = True

    uses_special_days = True

    def __init__(
        self,
        family: str = "poisson",
        harmonics: Harmonics = Harmonics(),
        fit_weeks: int = 26,
        half_life_weeks: float | None = 16.0,
        special_days: SpecialDays | None = SpecialDays(),
        min_weeks: int = 2,
        day_level: str | None = None,
        level_days: int = 56,
        name: str | None = None,
        cv_half_lives: tuple[float, ...] = (),
        cv_weeks: int = 3,
    ) -> None:
        super().__init__()
        if family not in _FAMILIES:
            raise ForecastError(f"HarmonicGLM family must be one of {_FAMILIES}, got {family!r}")
        check_window(fit_weeks, half_life_weeks, "HarmonicGLM")
        if int(min_weeks) != min_weeks or not 1 <= min_weeks <= fit_weeks:
            raise ForecastError(f"HarmonicGLM min_weeks must be a whole number in 1..fit_weeks, got {min_weeks}")
        self.family = family
        self.harmonics = harmonics
        self.fit_weeks = int(fit_weeks)
        self.half_life_weeks = half_life_weeks
        self.special_days = special_days
        if day_level not in _DAY_LEVELS:
            raise ForecastError(f"HarmonicGLM day_level must be one of {_DAY_LEVELS}, got {day_level!r}")
        if int(level_days) != level_days or level_days < 14:
            raise ForecastError(f"HarmonicGLM level_days must be a whole number >= 14, got {level_days}")
        self.min_weeks = int(min_weeks)
        self.day_level = day_level
        self.level_days = int(level_days)
        self.name = name or ("harmonic_glm" if family == "poisson" else "harmonic_glm_nb")
        self.cv_half_lives = tuple(cv_half_lives)
        for h in self.cv_half_lives:
            check_window(fit_weeks, h, "HarmonicGLM cv_half_lives:")
        if int(cv_weeks) != cv_weeks or cv_weeks < 1:
            raise ForecastError(f"HarmonicGLM cv_weeks must be a whole number >= 1, got {cv_weeks}")
        self.cv_weeks = int(cv_weeks)
        self.chosen_half_life = half_life_weeks

    def min_length(self, periods: Periods) -> int:
        return self.min_weeks * periods.week

    def _design(self, index: pd.DatetimeIndex, periods: Periods, special_columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
        special, multiplier = special_design(self.special_days, index)
        X = np.hstack([np.ones((len(index), 1)), self.harmonics.design(index, periods), special[special_columns].to_numpy()])
        return X, np.log(multiplier)

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        self.chosen_half_life = self.half_life_weeks
        if len(self.cv_half_lives) > 1:
            self.chosen_half_life = _choose_half_life(self, y, periods)
        return self._fit_window(y, periods)

    def _fit_window(self, y: pd.Series, periods: Periods) -> np.ndarray:
        start = max(0, len(y) - self.fit_weeks * periods.week)
        values = y.to_numpy(dtype=float)
        observed = np.isfinite(values)
        if observed[start:].sum() < periods.week:
            raise ForecastError(f"{self.name}: {observed[start:].sum()} observed slots in the last {self.fit_weeks} weeks; needs at least a week ({periods.week})")
        rows = self._rows(y.index, observed, start)
        special, _ = special_design(self.special_days, y.index[rows])
        self._special_columns = informative(special, observed[rows])
        X, offset = self._design(y.index[rows], periods, self._special_columns)
        weights = recency_weights(len(values), periods, self.chosen_half_life)[rows]
        ok = observed[rows]
        groups = _design_groups(y.index[rows], periods, special[self._special_columns].to_numpy(), offset)
        beta = _glm(values[rows][ok], X[ok], offset[ok], weights[ok], self.family, self.name, groups[ok])
        self._beta, self._periods, self._last = beta, periods, y.index[-1]
        fitted = np.full(len(y), np.nan)
        window = rows >= start
        fitted[rows[window]] = np.exp(X[window] @ beta + offset[window])
        self._level = _day_level(values, fitted, y.index, periods, self.level_days, self.day_level)
        return fitted

    def _rows(self, index: pd.DatetimeIndex, observed: np.ndarray, start: int) -> np.ndarray:
        """Positions fitted: the last ``fit_weeks`` weeks, plus special-day slots before them.

        A yearly event (New Year's Eve, Christmas) is never inside a half-year
        window, so its effect is learnt from its earlier occurrences: their
        slots only inform their own column (the harmonics come from the
        window, where those rows weigh little), giving the event's ratio to the
        usual week.
        """
        window = np.arange(start, len(index))
        if self.special_days is None or start == 0 or not self.special_days.estimated_columns:
            return window
        older = self.special_days.regressors(index[:start]).to_numpy()
        special = np.flatnonzero((older != 0).any(axis=1) & observed[:start])
        return np.concatenate([special, window])

    def _update(self, seen: pd.Series) -> None:
        # The forecast is a function of the timestamps (the day level uses whole days only), so a
        # few more slots change nothing but where it starts.
        self._last = seen.index[-1]

    def _predict_mean(self, horizon: int) -> np.ndarray:
        index = pd.date_range(self._last + self._periods.interval, periods=horizon, freq=self._periods.interval)
        X, offset = self._design(index, self._periods, self._special_columns)
        return np.exp(X @ self._beta + offset + self._level.log_shift(index))

    @property
    def coefficients(self) -> np.ndarray:
        """Fitted coefficients: intercept, Fourier columns (``Harmonics.design`` order), special days."""
        return self._beta


def _choose_half_life(model: HarmonicGLM, y: pd.Series, periods: Periods) -> float:
    """The candidate half-life with the least squared error one week ahead over the last ``cv_weeks`` weeks.

    Each held-out week is forecast from a fit on the data before it (time-series
    cross-validation inside the training data), all candidates on the same weeks,
    so their errors share the Poisson noise and the comparison is paired. How fast
    the weekly profile drifts differs between series; this measures it rather
    than assuming it. Too little history for a held-out week: the first candidate.
    """
    values = y.to_numpy(dtype=float)
    errors = np.zeros(len(model.cv_half_lives))
    scored = 0
    for k in range(model.cv_weeks, 0, -1):
        cut = len(y) - k * periods.week
        if cut < max(model.min_length(periods), periods.week * 2):
            continue
        actual = values[cut:cut + periods.week]
        ok = np.isfinite(actual)
        for i, half_life in enumerate(model.cv_half_lives):
            trial = copy.copy(model)
            trial.chosen_half_life, trial.day_level = half_life, None
            try:
                trial._fit_window(y.iloc[:cut], periods)
            except ForecastError:
                continue
            mean = trial._predict_mean(periods.week)
            errors[i] += float(((mean[ok] - actual[ok]) ** 2).sum())
        scored += 1
    return float(model.cv_half_lives[int(np.argmin(errors))]) if scored else float(model.cv_half_lives[0])


def _design_groups(index: pd.DatetimeIndex, periods: Periods, special: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """A whole number per row, equal for rows with the same design: the design is a function of
    the slot of the week, the special-day flags and the offset, so these label its identical rows
    (sorting 17k small integers, not 17k rows of ~95 floats)."""
    slot = slot_of_week(index, periods).astype(np.int64)
    flags = (special != 0).astype(np.int64) @ (1 << np.arange(special.shape[1], dtype=np.int64))
    _, offsets = np.unique(offset, return_inverse=True)
    return slot + periods.week * (flags + (1 << special.shape[1]) * offsets.ravel().astype(np.int64))


def _glm(y, X, offset, weights, family: str, who: str, groups: np.ndarray | None = None) -> np.ndarray:
    """Weighted GLM coefficients, fitted on rows collapsed by identical design and offset.

    Within a group of identical rows the mean is the same, so the Poisson and
    the (fixed-alpha) negative-binomial score equations depend on y only through
    the weighted group sum: a GLM of the weighted group mean with the summed
    weights as variance weights has exactly the same estimate, at ~700 rows
    instead of tens of thousands.
    """
    if groups is None:  # rows of the same design, found by comparing them whole
        _, first, group = np.unique(np.column_stack([X, offset]), axis=0, return_index=True, return_inverse=True)
    else:
        _, first, group = np.unique(groups, return_index=True, return_inverse=True)
    group = group.ravel()
    total_w = np.bincount(group, weights=weights)
    mean_y = np.bincount(group, weights=weights * y) / total_w
    Xg, og = X[first], offset[first]
    with warnings.catch_warnings():
        # A slot type that never had a call (e.g. 4 a.m. on hourly data) pushes its log rate down: harmless.
        warnings.simplefilter("ignore", (ConvergenceWarning, PerfectSeparationWarning, RuntimeWarning))
        result = sm.GLM(mean_y, Xg, family=sm.families.Poisson(), offset=og, var_weights=total_w).fit()
        if family == "negbin":
            mu = np.exp(X @ result.params + offset)
            alpha = max(float(np.average(((y - mu) ** 2 - mu) / np.maximum(mu, 0.1) ** 2, weights=weights)), 1e-6)
            family_nb = sm.families.NegativeBinomial(alpha=alpha)
            result = sm.GLM(mean_y, Xg, family=family_nb, offset=og, var_weights=total_w).fit(start_params=result.params)
    beta = np.asarray(result.params, dtype=float)
    if not np.isfinite(beta).all():
        raise ForecastError(f"{who}: the GLM did not converge to finite coefficients")
    return beta


class _DayLevel:
    """Forecast of the daily log ratio of calls to the GLM's mean: r(d+1) = phi r(d).

    Days are busier or quieter than the weekly shape as a whole (weather, local
    incidents), and a busy day tends to be followed by another (on montco 911
    the lag-1 autocorrelation of the daily log ratio is about 0.4 over all
    queues). phi is least squares on the last ``level_days`` complete
    days; the ratios carry Poisson noise, so phi is the attenuated slope that
    is the best linear predictor from noisy ratios, not the slope of the true
    level. The shift fades geometrically from the last whole day's ratio.
    """

    def __init__(self, last_day: pd.Timestamp | None = None, ratio: float = 0.0, phi: float = 0.0) -> None:
        self.last_day, self.ratio, self.phi = last_day, ratio, phi

    def log_shift(self, index: pd.DatetimeIndex) -> np.ndarray:
        if self.last_day is None:
            return np.zeros(len(index))
        k = np.asarray((index.normalize() - self.last_day) // pd.Timedelta(days=1), dtype=float)
        return self.phi ** np.maximum(k, 1.0) * self.ratio


def _day_level(values, fitted, index: pd.DatetimeIndex, periods: Periods, days: int, how: str | None) -> _DayLevel:
    if how is None:
        return _DayLevel()
    # Whole days only: the series may start and end mid-day (a forecast issued at 08:00).
    first = int(-((index[0] - index[0].normalize()) // periods.interval) % periods.day)
    whole = (len(values) - first) // periods.day
    n = min(whole, days + 1)
    end = first + whole * periods.day
    start = end - n * periods.day
    if n < 15:
        return _DayLevel()
    shape = (n, periods.day)
    actual, mean = values[start:end].reshape(shape), fitted[start:end].reshape(shape)
    ok = np.isfinite(actual).all(axis=1) & np.isfinite(mean).all(axis=1) & (mean.sum(axis=1) > 0)
    ratio = np.log((actual.sum(axis=1) + 0.5) / (mean.sum(axis=1) + 0.5))
    pairs = ok[1:] & ok[:-1]
    if pairs.sum() < 14 or not ok[-1]:
        return _DayLevel()
    x, z = ratio[:-1][pairs], ratio[1:][pairs]
    # No intercept: the GLM's own level is the long-run mean (an estimated drift term was no
    # better on any montco queue and worse on Traffic).
    phi = float(np.clip(np.dot(x, z) / max(np.dot(x, x), 1e-12), 0.0, 0.95))  # negative: no persistence
    return _DayLevel(index[end - 1].normalize(), float(ratio[-1]), phi)
