"""controlroom: forecasting stage.

Entry point: ``forecasting.forecast(history, horizon_days, models, ...)`` (see
``driver``), which returns a ``ForecastResult``. Column contracts are in
``schema``; the wall-clock handling of clock changes in ``clock``; models in
``models`` (registry ``models.REGISTRY``); scoring in ``backtest``/``metrics``.
"""

from typing import Any

__all__ = ["ForecastResult", "forecast"]


def __getattr__(name: str) -> Any:
    # Lazy, so importing forecasting.schema does not pay for statsmodels.
    if name in __all__:
        from . import driver

        return getattr(driver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
