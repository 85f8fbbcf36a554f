"""Forecasting models and the registry the driver picks them from.

Every model follows ``base.ForecastModel``. To add one, write a module with a
``ForecastModel`` subclass and register a zero-argument factory here under its
``name`` (the shared conformance tests then run over it too; before that,
``forecasting.conformance.check_model(MyModel)`` lists every way it breaks the contract). Models that can
use special days (public holidays, events) set ``uses_special_days = True``
and take a ``special_days`` setting; ``make_model(name, special_days=...)``
passes one in.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from ..errors import ForecastError
from ..special_days import SpecialDays
from .base import ForecastModel
from .combination import Combination, SkillCombination
from .dshw import DoubleSeasonalHoltWinters
from .factor import FactorModel
from .harmonic_arma import HarmonicARMA
from .harmonic_glm import HarmonicGLM
from .harmonics import Harmonics
from .mstl import MSTLModel
from .predictive import Dispersion
from .seasonal_average import SeasonalAverage
from .seasonal_naive import SeasonalNaive
from .unobserved import UnobservedComponentsModel

# name -> zero-argument factory giving a fresh model with default settings.
REGISTRY: dict[str, Callable[[], ForecastModel]] = {
    "seasonal_naive": SeasonalNaive,
    "seasonal_naive_daily": partial(SeasonalNaive, season="day"),
    "seasonal_average": SeasonalAverage,
    "seasonal_average_8w": partial(SeasonalAverage, weeks=8, name="seasonal_average_8w"),
    "seasonal_average_smooth": partial(SeasonalAverage, weeks=8, smooth=5, name="seasonal_average_smooth"),
    "mstl": MSTLModel,
    "mstl_arima": partial(MSTLModel, remainder="arima", name="mstl_arima"),
    "harmonic_glm": HarmonicGLM,
    "harmonic_glm_nb": partial(HarmonicGLM, family="negbin"),
    "harmonic_glm_ar": partial(HarmonicGLM, day_level="ar1", name="harmonic_glm_ar"),
    "harmonic_arma": HarmonicARMA,
    "unobserved_components": UnobservedComponentsModel,
    "dshw": DoubleSeasonalHoltWinters,
    "factor_svd": FactorModel,
    # Cheap members that err differently; on montco 911 these were the best pairs/triples
    # without the slow unobserved components (benchmarks/forecast_models.py).
    "combo_mean": partial(Combination, members=("harmonic_glm", "factor_svd"), how="mean"),
    "combo_median": partial(Combination, members=("harmonic_glm", "harmonic_arma", "factor_svd"), how="median"),
    # The same members weighted by their recent day-ahead skill (forecasting.models.combination).
    "combo_skill": partial(SkillCombination, members=("harmonic_glm", "harmonic_arma", "factor_svd")),
}


def make_model(name: str, special_days: SpecialDays | None = None) -> ForecastModel:
    """A fresh model registered under ``name``; ForecastError lists the names if unknown.

    ``special_days``, if given, replaces the default of models that use special
    days; other models ignore it.
    """
    try:
        factory = REGISTRY[name]
    except KeyError:
        raise ForecastError(f"unknown model {name!r}; available: {', '.join(REGISTRY)}") from None
    model = factory()
    if special_days is not None and getattr(model, "uses_special_days", False):
        model.special_days = special_days
    return model


__all__ = [
    "REGISTRY",
    "Combination",
    "Dispersion",
    "DoubleSeasonalHoltWinters",
    "FactorModel",
    "ForecastModel",
    "HarmonicARMA",
    "HarmonicGLM",
    "Harmonics",
    "MSTLModel",
    "SeasonalAverage",
    "SeasonalNaive",
    "SkillCombination",
    "UnobservedComponentsModel",
    "make_model",
]
