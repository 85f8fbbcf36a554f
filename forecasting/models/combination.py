"""Combinations: the mean or median of several registered models' forecasts.

``Combination(members=("mstl", "harmonic_glm"), how="median")`` fits a fresh
model of each registered name on the same history and combines their mean
forecasts slot by slot. Combining forecasts with different errors is the
cheapest reliable gain in forecasting (the "forecast combination puzzle"):
the mean of two good, different models usually beats both. Special days given
to the combination are passed to the members that use them.

It needs as much history as its most demanding member. If any member cannot
fit, the combination cannot either (ForecastError naming the member), so a
backtest score always means the same members. The spread is fitted to the
in-sample residuals of the combined in-sample fits (slots where every member
has one).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import Periods
from ..errors import ForecastError
from ..special_days import SpecialDays
from .base import ForecastModel

_HOW = ("mean", "median")


class Combination(ForecastModel):
    """Mean or median of the forecasts of registered models ``members``."""

    uses_special_days = True

    def __init__(self, members: tuple[str, ...], how: str = "mean", special_days: SpecialDays | None = None, name: str | None = None) -> None:
        super().__init__()
        from . import REGISTRY  # the registry imports this module

        members = tuple(members)
        if len(members) < 2:
            raise ForecastError(f"Combination needs at least two members, got {members}")
        unknown = [m for m in members if m not in REGISTRY]
        if unknown:
            raise ForecastError(f"Combination: unknown member model(s) {unknown}; available: {', '.join(REGISTRY)}")
        if how not in _HOW:
            raise ForecastError(f"Combination how must be one of {_HOW}, got {how!r}")
        self.members = members
        self.how = how
        self.special_days = special_days
        self.name = name or f"combo_{how}"

    def _models(self) -> list[ForecastModel]:
        from . import make_model

        return [make_model(m, special_days=self.special_days) for m in self.members]

    def min_length(self, periods: Periods) -> int:
        return max(model.min_length(periods) for model in self._models())

    @property
    def refit_days(self) -> int | None:
        """The members' common backtest cadence, if they all declare one (else timed, as any model)."""
        cadences = {model.refit_days for model in self._models()}
        return cadences.pop() if len(cadences) == 1 else None

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        models, fitted = self._models(), []
        for model in models:
            try:
                model.fit(y)
            except ForecastError as exc:
                raise ForecastError(f"{self.name}: member {exc}") from None
            fitted.append(model._fit_values)
        self._fitted_models = models
        return self._combine(np.vstack(fitted))

    def _predict_mean(self, horizon: int) -> np.ndarray:
        means = [np.clip(model._predict_mean(horizon), 0.0, None) for model in self._fitted_models]
        return self._combine(np.vstack(means))

    def _combine(self, rows: np.ndarray) -> np.ndarray:
        return self.combine(rows)

    def combine(self, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Combine member rows (members x slots) slot by slot; ``weights`` only for weighted kinds.

        The backtest harness calls this on members' forecasts it already has, so a
        combination scored there is the one this class gives when fitted alone.
        NaN where any member has none, so the spread is fitted on like-for-like slots.
        """
        return rows.mean(axis=0) if self.how == "mean" else np.median(rows, axis=0)


class SkillCombination(Combination):
    """Members weighted by the inverse of their recent day-ahead mean squared error.

    Weights are ``(1 - s) * w_skill + s / M`` for M members, where ``w_skill`` is
    proportional to 1 / MSE of each member's day-ahead forecasts over the last
    ``skill_days`` days, and ``s = shrink_days / (shrink_days + n)`` shrinks them
    towards equal weights when there are few days ``n`` of errors (estimated
    weights are noisy; equal weights are the puzzle's hard-to-beat default).

    Where the errors come from:

    * fitted alone (``fit``), the members are fitted at ``skill_origins``
      midnights spread over the last ``skill_days`` days of ``y`` (each on the
      data before it) and score their next day; then they are fitted on all of
      ``y``. That costs ``skill_origins + 1`` fits of every member (with the
      defaults, 8x what the mean combination costs).
    * in the backtest harness, from the members' day_ahead forecasts it has
      already scored, for every target day in the ``skill_days`` before the
      issue's day (only days that ended before the forecast is issued), so it
      costs nothing extra. With daily origins that is up to ``skill_days`` days
      of errors rather than ``skill_origins``, so its weights shrink less.
    """

    def __init__(self, members: tuple[str, ...], skill_days: int = 28, skill_origins: int = 7,
                 shrink_days: float = 2.0, special_days: SpecialDays | None = None, name: str = "combo_skill") -> None:
        super().__init__(members, how="mean", special_days=special_days, name=name)
        if int(skill_days) != skill_days or skill_days < 1:
            raise ForecastError(f"SkillCombination skill_days must be a whole number >= 1, got {skill_days}")
        if int(skill_origins) != skill_origins or not 1 <= skill_origins <= skill_days:
            raise ForecastError(f"SkillCombination skill_origins must be a whole number in 1..skill_days, got {skill_origins}")
        if not np.isfinite(shrink_days) or shrink_days < 0:
            raise ForecastError(f"SkillCombination shrink_days must be a number >= 0, got {shrink_days}")
        self.how = "skill"
        self.skill_days = int(skill_days)
        self.skill_origins = int(skill_origins)
        self.shrink_days = float(shrink_days)
        self._weights = np.full(len(self.members), 1.0 / len(self.members))

    @property
    def weights(self) -> dict[str, float]:
        """Member -> weight used by the last fit."""
        return dict(zip(self.members, (float(w) for w in self._weights)))

    def weights_from_errors(self, errors: np.ndarray) -> np.ndarray:
        """Weights from ``errors`` (members x days, each a day's mean squared error; NaN: none that day)."""
        errors = np.asarray(errors, dtype=float)
        equal = np.full(len(self.members), 1.0 / len(self.members))
        complete = np.isfinite(errors).all(axis=0) if errors.size else np.zeros(0, bool)
        n = int(complete.sum())
        if n == 0:
            return equal
        mse = errors[:, complete].mean(axis=1)
        # A member with no error at all would take every weight; a tiny floor keeps the others in.
        inverse = 1.0 / np.maximum(mse, 1e-12 * max(float(mse.max()), 1e-12))
        shrink = self.shrink_days / (self.shrink_days + n)
        return (1.0 - shrink) * inverse / inverse.sum() + shrink * equal

    def combine(self, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return (self._weights if weights is None else np.asarray(weights, dtype=float)) @ rows

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        self._weights = self.weights_from_errors(self._recent_errors(y, periods))
        return super()._fit(y, periods)

    def _recent_errors(self, y: pd.Series, periods: Periods) -> np.ndarray:
        """Members x origins: each member's mean squared error over the day after each origin."""
        step = max(1, self.skill_days // self.skill_origins)
        backs = [self.skill_days - k * step for k in range(self.skill_origins)]
        models = self._models()
        errors = np.full((len(models), len(backs)), np.nan)
        for j, back in enumerate(backs):
            end = len(y) - back * periods.day
            actual = y.iloc[end:end + periods.day].to_numpy(dtype=float)
            for i, model in enumerate(models):
                if end < model.min_length(periods) or not np.isfinite(actual).any():
                    continue
                try:
                    mean = model.fit(y.iloc[:end]).predict(periods.day)["calls"].to_numpy()
                except ForecastError:
                    continue  # a member that cannot fit that early just has no error for that day
                errors[i, j] = np.nanmean((mean - actual) ** 2)
        return errors
