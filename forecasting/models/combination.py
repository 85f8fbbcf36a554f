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
