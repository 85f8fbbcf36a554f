"""Checks on the history table before anything is fitted (contract in ``schema``)."""

from __future__ import annotations

import pandas as pd

from .errors import ForecastError
from .schema import AHT, CALLS, HISTORY_COLUMNS, INTERVAL_START, QUEUE


def validate_history(history: pd.DataFrame) -> pd.DataFrame:
    """Return the history sorted by (queue, interval_start), or raise ForecastError naming the problem.

    Requires the columns of ``schema.HISTORY_COLUMNS``; ``interval_start`` tz-aware;
    ``calls`` finite and >= 0; ``aht`` >= 0 or NaN; no duplicate (queue, interval_start).
    """
    if not isinstance(history, pd.DataFrame):
        raise ForecastError(f"history must be a pandas DataFrame, got {type(history).__name__}")
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ForecastError(f"history lacks column(s) {missing}; needs {list(HISTORY_COLUMNS)}")
    if history.empty:
        raise ForecastError("history has no rows")
    if not isinstance(history[INTERVAL_START].dtype, pd.DatetimeTZDtype):
        raise ForecastError(
            f"history.{INTERVAL_START} must be tz-aware datetimes (dtype {history[INTERVAL_START].dtype}); "
            "localise it to the control room's time zone"
        )
    if history[QUEUE].isna().any():
        raise ForecastError(f"history.{QUEUE} is missing at row {_first(history[QUEUE].isna())}")
    _check_numeric(history, CALLS, allow_nan=False)
    _check_numeric(history, AHT, allow_nan=True)
    dup = history.duplicated([QUEUE, INTERVAL_START])
    if dup.any():
        row = history.loc[dup].iloc[0]
        raise ForecastError(f"history has duplicate rows for queue {row[QUEUE]!r} at {row[INTERVAL_START]}")
    return history.sort_values([QUEUE, INTERVAL_START], kind="stable", ignore_index=True)


def _check_numeric(history: pd.DataFrame, column: str, allow_nan: bool) -> None:
    values = pd.to_numeric(history[column], errors="coerce")
    not_numbers = values.isna() & history[column].notna()
    if not_numbers.any():
        raise ForecastError(f"history.{column} is not numeric at row {_first(not_numbers)}")
    if not allow_nan and values.isna().any():
        raise ForecastError(f"history.{column} is missing at row {_first(values.isna())}; omit unknown intervals instead")
    bad = (values < 0) | values.isin([float("inf")])
    if bad.any():
        raise ForecastError(f"history.{column} is negative or infinite at row {_first(bad)}")


def _first(mask: pd.Series):
    return mask.index[mask.to_numpy().argmax()]
