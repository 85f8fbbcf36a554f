"""Checks shared by the input tables: columns present, numbers finite and in range."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import SimulationError


def require_columns(table, columns, name: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise SimulationError(f"{name}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SimulationError(f"{name}: missing column(s) {', '.join(map(repr, missing))}; "
                              f"it needs {', '.join(columns)} and has {', '.join(map(str, table.columns))}")


def numeric_column(table: pd.DataFrame, column: str, name: str, *, allow_nan: bool = False) -> np.ndarray:
    try:
        values = pd.to_numeric(table[column], errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise SimulationError(f"{name}: column {column!r} must be numeric") from None
    bad = np.isinf(values) if allow_nan else ~np.isfinite(values)
    if bad.any():
        raise SimulationError(f"{name}: column {column!r} is not a finite number in row "
                              f"{table.index[np.flatnonzero(bad)[0]]}")
    return values


def first_row(table: pd.DataFrame, mask: np.ndarray):
    """Index label of the first row where ``mask`` holds (for messages)."""
    return table.index[np.flatnonzero(np.asarray(mask))[0]]
