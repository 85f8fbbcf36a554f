"""Forecasting models and the registry the driver picks them from.

Every model follows ``base.ForecastModel``. To add one, write a module with a
``ForecastModel`` subclass and register a factory here under its ``name``.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from ..errors import ForecastError
from .base import ForecastModel
from .mstl import MSTLModel
from .predictive import Dispersion
from .seasonal_average import SeasonalAverage
from .seasonal_naive import SeasonalNaive

# name -> zero-argument factory giving a fresh model with default settings.
REGISTRY: dict[str, Callable[[], ForecastModel]] = {
    "seasonal_naive": SeasonalNaive,
    "seasonal_naive_daily": partial(SeasonalNaive, season="day"),
    "seasonal_average": SeasonalAverage,
    "mstl": MSTLModel,
}


def make_model(name: str) -> ForecastModel:
    """A fresh model registered under ``name``; ForecastError lists the names if unknown."""
    try:
        factory = REGISTRY[name]
    except KeyError:
        raise ForecastError(f"unknown model {name!r}; available: {', '.join(REGISTRY)}") from None
    return factory()


__all__ = [
    "REGISTRY",
    "Dispersion",
    "ForecastModel",
    "MSTLModel",
    "SeasonalAverage",
    "SeasonalNaive",
    "make_model",
]
