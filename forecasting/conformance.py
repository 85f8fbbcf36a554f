"""Does a forecasting model keep the contract of ``forecasting.models.base``? One call says.

    from forecasting.conformance import check_model
    problems = check_model(MyModel)            # [] when it conforms
    assert_conforms(lambda: MyModel(weeks=4))  # or raise, listing every problem

``model_factory`` is anything that returns a fresh, unfitted model when called
with no arguments (the class itself, a ``functools.partial``, or a registry
entry). The checks are the ones every model in ``models.REGISTRY`` passes (the
test suite runs this over the whole zoo):

    construct         the factory gives a model with ``fit``, ``predict`` and ``min_length``
    fit returns self  ``fit(y)`` returns the model itself, so ``model.fit(y).predict(h)`` works
    predict before fit   refused with a ForecastError
    index             the forecast is indexed by the next ``horizon`` slots after ``y``, same frequency
    columns           exactly ``calls`` then one ``calls_pXX`` per requested quantile, in order
    finite            no NaN or infinite values
    non-negative      no negative calls or quantiles
    quantile order    quantiles rise with the level (they never cross)
    interval width    the outer quantiles differ in at least 90% of slots (an interval, not a point)
    repeatable        the same input gives the same forecast, and a refit replaces all fitted state
    bad horizon       ``predict(0)`` is refused with a ForecastError
    too short         one slot fewer than ``min_length`` is refused in one line naming the minimum
    all zero          a series with no calls is refused in one line saying so
    gap               a missing value is either worked around (a whole week ahead stays finite and
                      non-negative) or named in one line
    accuracy          (``accuracy=True``) beats the weekly seasonal naive's RMSE by 10% on the
                      held-out last week of a series with a daily and weekly cycle

Without ``history`` the data are nine weeks of hourly Poisson counts with a
daily cycle that changes shape at weekends (fast, and any model must work at
any interval that divides a day). With ``history`` (a Series on the regular
tz-naive wall-clock grid, e.g. one queue of ``forecasting.clock.to_wall_clock``)
its last week is held out and the rest is the training series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .errors import ForecastError
from .models.base import grid_periods
from .models.seasonal_naive import SeasonalNaive
from .schema import CALLS, DEFAULT_QUANTILES, quantile_column

DAY, WEEK = 24, 168  # hourly slots of the synthetic series
TRAIN_WEEKS, TEST_WEEKS = 8, 1
CUSTOM_QUANTILES = (0.25, 0.75)
ACCURACY_RATIO = 0.9


class ConformanceError(AssertionError):
    """A model broke the contract; the message lists every problem, one a line."""


def synthetic_rate(n: int) -> np.ndarray:
    """Hourly daily cycle whose shape differs at weekends, ~1 to ~15 calls an hour."""
    t = np.arange(n)
    weekend = (t // DAY) % 7 >= 5
    daily = np.sin(2 * np.pi * t / DAY - 2.0) + np.where(weekend, 0.3 * np.sin(4 * np.pi * t / DAY), 0.0)
    return 7.0 * (1 + 0.6 * daily) * np.where(weekend, 0.7, 1.0) + 1.0


def synthetic_series(weeks: int, seed: int) -> pd.Series:
    """Poisson counts at ``synthetic_rate``, hourly from Monday 2024-01-01."""
    rate = synthetic_rate(weeks * WEEK)
    values = np.random.default_rng(seed).poisson(rate).astype(float)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(rate), freq="1h"))


@dataclass(frozen=True)
class _Data:
    train: pd.Series
    test: pd.Series
    other: pd.Series  # a different series of the same length, to check refits replace state

    @classmethod
    def make(cls, history: pd.Series | None) -> "_Data":
        if history is None:
            full = synthetic_series(TRAIN_WEEKS + TEST_WEEKS, seed=11)
            other = synthetic_series(TRAIN_WEEKS, seed=12) * 2
            split = TRAIN_WEEKS * WEEK
            return cls(full.iloc[:split], full.iloc[split:], other)
        periods = grid_periods(history, "check_model history")
        if len(history) < 3 * periods.week:
            raise ForecastError(f"check_model history: has {len(history)} intervals, needs at least three weeks "
                                f"({3 * periods.week}) to hold one out")
        # the forecast's index carries the grid's frequency; so must the one it is compared with
        history = pd.Series(history.to_numpy(dtype=float), index=pd.DatetimeIndex(history.index, freq=periods.interval))
        train, test = history.iloc[: -periods.week], history.iloc[-periods.week:]
        other = pd.Series(np.roll(train.to_numpy(dtype=float), periods.day) * 2, index=train.index)
        return cls(train, test, other)


def check_model(model_factory: Callable[[], object], history: pd.Series | None = None, *,
                accuracy: bool = True) -> list[str]:
    """Every way the model breaks the contract, one line each as 'CHECK: what'; [] if none.

    A ``history`` that is not on a regular tz-naive grid, or shorter than three weeks, raises
    ForecastError (the checks need a week to hold out and two to fit on)."""
    data = _Data.make(history)
    problems: list[str] = []
    model, name = _construct(model_factory, problems)
    if model is None:
        return problems
    fitted = _fit(model, data.train, "fit", problems)
    if fitted is _FAILED:
        return problems
    if fitted is not model:
        problems.append(f"fit returns self: fit returned {type(fitted).__name__} {fitted!r:.60}, not the model itself")
    horizon = len(data.test)
    frame = _predict(model, horizon, DEFAULT_QUANTILES, problems)
    if frame is None:
        return problems
    shape = _frame_problems(frame, data, DEFAULT_QUANTILES)
    problems += shape
    custom = _predict(model, horizon, CUSTOM_QUANTILES, problems)
    if custom is not None:
        problems += _column_problems(custom, CUSTOM_QUANTILES)
    problems += _repeatable(model_factory, data, frame)
    problems += _refusals(model_factory, name, data)
    if accuracy and not shape:
        problems += _accuracy(frame, data)
    return problems


def assert_conforms(model_factory: Callable[[], object], history: pd.Series | None = None, *,
                    accuracy: bool = True) -> None:
    """``check_model``, raising ConformanceError that lists every problem."""
    problems = check_model(model_factory, history, accuracy=accuracy)
    if problems:
        raise ConformanceError(f"{len(problems)} contract problem(s):\n  " + "\n  ".join(problems))


def _construct(factory, problems: list[str]):
    try:
        model = factory()
    except Exception as exc:  # a researcher's bug: report it as a problem, not a crash
        problems.append(f"construct: the factory raised {type(exc).__name__}: {exc}")
        return None, ""
    missing = [m for m in ("fit", "predict", "min_length") if not callable(getattr(model, m, None))]
    if missing:
        problems.append(f"construct: the model has no {', '.join(missing)} method(s); "
                        "subclass forecasting.models.base.ForecastModel")
        return None, ""
    _must_raise(lambda: model.predict(1), problems, "predict before fit:",
             lambda exc: f": {exc}", "returned a forecast")
    return model, str(getattr(model, "name", type(model).__name__))


_FAILED = object()  # what _fit returns when fit raised (None is a result to report: fit must return self)


def _fit(model, y: pd.Series, check: str, problems: list[str]):
    try:
        return model.fit(y)
    except Exception as exc:
        problems.append(f"{check}: fit on {len(y)} intervals raised {type(exc).__name__}: {_line(exc)}")
        return _FAILED


def _predict(model, horizon: int, quantiles, problems: list[str]) -> pd.DataFrame | None:
    try:
        frame = model.predict(horizon, quantiles)
    except Exception as exc:
        problems.append(f"predict: predict({horizon}, {quantiles}) raised {type(exc).__name__}: {_line(exc)}")
        return None
    if not isinstance(frame, pd.DataFrame):
        problems.append(f"predict: returned {type(frame).__name__}, not a pandas DataFrame")
        return None
    return frame


def _column_problems(frame: pd.DataFrame, quantiles) -> list[str]:
    expected = [CALLS, *(quantile_column(q) for q in quantiles)]
    if list(frame.columns) != expected:
        return [f"columns: got {list(frame.columns)}, expected {expected}"]
    return []


def _frame_problems(frame: pd.DataFrame, data: _Data, quantiles) -> list[str]:
    problems = []
    index, expected = frame.index, data.test.index
    if not isinstance(index, pd.DatetimeIndex) or len(index) != len(expected) or not (index == expected).all():
        problems.append(f"index: expected the next {len(expected)} slots from {expected[0]}, "
                        f"got {len(index)} rows starting {index[0] if len(index) else 'nowhere'}")
    elif index.freq != expected.freq:
        problems.append(f"index: frequency {index.freq} should be {expected.freq}")
    problems += _column_problems(frame, quantiles)
    if problems:
        return problems  # the value checks below need the right rows and columns
    values = frame.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        problems.append(f"finite: {bad.sum()} NaN or infinite value(s), first {_where(frame, bad)}")
    negative = values < 0
    if negative.any():
        problems.append(f"non-negative: {negative.sum()} negative value(s), first {_where(frame, negative)}")
    q = frame.drop(columns=CALLS)
    crossing = np.diff(q.to_numpy(dtype=float), axis=1) < 0
    if crossing.any():
        row, col = np.argwhere(crossing)[0]
        problems.append(f"quantile order: {crossing.any(axis=1).sum()} slot(s) with crossing quantiles, first "
                        f"{q.columns[col]} > {q.columns[col + 1]} at {frame.index[row]}")
    width = (q.iloc[:, -1] > q.iloc[:, 0]).mean()
    if width <= 0.9:
        problems.append(f"interval width: {q.columns[-1]} > {q.columns[0]} in only {width:.0%} of slots "
                        "(needs more than 90%)")
    return problems


def _repeatable(factory, data: _Data, frame: pd.DataFrame) -> list[str]:
    problems: list[str] = []
    model = factory()
    for y in (data.other, data.train):
        if _fit(model, y, "repeatable", problems) is _FAILED:
            return problems
    again = _predict(model, len(data.test), DEFAULT_QUANTILES, problems)
    if again is None:
        return problems
    try:
        pd.testing.assert_frame_equal(again, frame)
    except AssertionError:
        problems.append("repeatable: a fresh model fitted on another series and then on the same one "
                        "forecasts differently (fitted state leaks between fits, or it is not seeded)")
    _must_raise(lambda: model.predict(0), problems, "bad horizon: predict(0)",
             lambda exc: "", "was accepted")
    return problems


def _refusals(factory, name: str, data: _Data) -> list[str]:
    periods = grid_periods(data.train, name)
    problems = []
    model = factory()
    try:
        need = int(model.min_length(periods))
    except Exception as exc:
        return [f"too short: min_length raised {type(exc).__name__}: {_line(exc)}"]
    if need > len(data.train):
        problems.append(f"too short: min_length is {need} but the check's training series has only "
                        f"{len(data.train)} intervals")
    short = data.train.iloc[: max(need - 1, 1)]
    problems += _refused(factory, short, name, "too short", "needs at least")
    zero = pd.Series(0.0, index=data.train.index)
    problems += _refused(factory, zero, name, "all zero", "no calls")
    problems += _gap(factory, name, data, periods)
    return problems


def _refused(factory, y: pd.Series, name: str, check: str, says: str) -> list[str]:
    try:
        factory().fit(y)
    except ForecastError as exc:
        text = str(exc)
        if "\n" in text or not text.startswith(f"{name}: ") or says not in text:
            return [f"{check}: the error should be one line starting '{name}: ' and saying '{says}', got {text!r}"]
        return []
    except Exception as exc:
        return [f"{check}: raised {type(exc).__name__} instead of ForecastError: {_line(exc)}"]
    return [f"{check}: a series of {len(y)} intervals was accepted instead of refused with ForecastError"]


def _gap(factory, name: str, data: _Data, periods) -> list[str]:
    train = data.train.copy()
    train.iloc[-(periods.day + periods.day // 4)] = np.nan
    try:
        # a whole week ahead, so the slot of the week with the gap is forecast too
        frame = factory().fit(train).predict(periods.week)
    except ForecastError as exc:
        text = str(exc)
        if "\n" in text or not text.startswith(f"{name}: ") or not ("missing value" in text or "needs" in text):
            return [f"gap: the error should be one line starting '{name}: ' naming the missing value, got {text!r}"]
        return []
    except Exception as exc:
        return [f"gap: raised {type(exc).__name__} instead of ForecastError: {_line(exc)}"]
    values = frame.to_numpy(dtype=float)
    if not (np.isfinite(values).all() and (values >= 0).all()):
        bad = ~np.isfinite(values) | (values < 0)
        return [f"gap: after a missing value at {train.index[-(periods.day + periods.day // 4)]} the forecast has "
                f"{bad.sum()} NaN, infinite or negative value(s), first {_where(frame, bad)}"]
    return []


def _accuracy(frame: pd.DataFrame, data: _Data) -> list[str]:
    actual = data.test.to_numpy(dtype=float)
    naive = SeasonalNaive().fit(data.train).predict(len(actual))[CALLS].to_numpy()
    mine = frame[CALLS].to_numpy(dtype=float)
    rmse, base = np.sqrt(np.nanmean((mine - actual) ** 2)), np.sqrt(np.nanmean((naive - actual) ** 2))
    if not rmse < ACCURACY_RATIO * base:
        return [f"accuracy: RMSE {rmse:.3f} on the held-out week is not below {ACCURACY_RATIO:g} x the weekly "
                f"seasonal naive's {base:.3f}"]
    return []


def _where(frame: pd.DataFrame, mask: np.ndarray) -> str:
    row, col = np.argwhere(mask)[0]
    return f"{frame.columns[col]} at {frame.index[row]}"


def _line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _must_raise(call, problems: list[str], check: str, detail, accepted: str) -> None:
    """``call`` must raise ForecastError; anything else is added to ``problems`` under ``check``."""
    try:
        call()
    except ForecastError:
        return
    except Exception as exc:
        problems.append(f"{check} raised {type(exc).__name__} instead of ForecastError{detail(exc)}")
        return
    problems.append(f"{check} {accepted} instead of raising ForecastError")
