"""Forecast every queue of a history table: backtest, pick, refit, map back to real time.

Per queue: put calls on the wall-clock grid; backtest each requested model at up
to ``backtest_origins`` weekly origins with the forecast's own horizon; choose the
lowest mean RMSE (ties go to the earlier model in ``models``); refit it on all
history; forecast; add AHT; map to the real future intervals.

Origins need enough history before them for the most demanding model that could
be backtested at all; a model that cannot fit at some origin is skipped for
that queue. When the history is too short for any origin, there is no backtest
and the first model in ``models`` that fits is used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .aht import forecast_aht, wall_clock_workload
from .backtest import backtest_model, summarise, weekly_origins
from .calibration import apply_multipliers, fit_multipliers, lead_bucket_of_days
from .clock import Periods, from_wall_clock, future_intervals, infer_interval, to_wall_clock, wall_time
from .errors import ForecastError
from .history import validate_history
from .models import REGISTRY, ForecastModel, make_model
from .models.predictive import validate_quantiles
from .special_days import SpecialDays
from .schema import (
    AHT,
    BACKTEST_COLUMNS,
    CALLS,
    DEFAULT_QUANTILES,
    FORECAST_COLUMNS,
    HORIZON,
    INTERVAL_START,
    MODEL,
    ORIGIN,
    QUEUE,
    quantile_column,
)


@dataclass(frozen=True)
class ForecastResult:
    """What ``forecast`` returns.

    forecast  long table: FORECAST_COLUMNS then one calls_pXX per quantile; one
              row per queue per real future interval (tz-aware, history's tz),
              from the chosen model.
    backtest  scores per queue, model and origin (``schema.BACKTEST_COLUMNS``).
    chosen    queue -> name of the model used for its forecast.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    chosen: Mapping[str, str] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Mean backtest score per queue and model, best RMSE first."""
        return summarise(self.backtest)


@dataclass(frozen=True)
class _Plan:
    """Settings shared by every queue of one ``forecast`` call."""

    horizon_days: int
    models: tuple[str, ...]
    backtest_origins: int
    quantiles: tuple[float, ...]
    aht_weeks: int
    progress: Callable[[str], None] | None
    calibrate: bool = False
    special_days: SpecialDays | None = None

    def model(self, name: str) -> ForecastModel:
        return make_model(name, special_days=self.special_days)

    def info(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def warn(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)
        else:
            warnings.warn(message, stacklevel=4)

    def __post_init__(self) -> None:
        if int(self.horizon_days) != self.horizon_days or self.horizon_days < 1:
            raise ForecastError(f"horizon_days must be a positive whole number, got {self.horizon_days}")
        if int(self.backtest_origins) != self.backtest_origins or self.backtest_origins < 0:
            raise ForecastError(f"backtest_origins must be a whole number >= 0, got {self.backtest_origins}")
        if int(self.aht_weeks) != self.aht_weeks or self.aht_weeks < 1:
            raise ForecastError(f"aht_weeks must be a positive whole number, got {self.aht_weeks}")
        if not self.models:
            raise ForecastError("no models requested")
        if self.special_days is not None and not isinstance(self.special_days, SpecialDays):
            raise ForecastError(f"special_days must be a forecasting.special_days.SpecialDays, got {self.special_days!r}")
        for name in self.models:
            make_model(name)  # unknown names fail here, before any fitting


def forecast(
    history: pd.DataFrame,
    horizon_days: int,
    models: Sequence[str] | None = None,
    backtest_origins: int = 2,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    progress: Callable[[str], None] | None = None,
    aht_weeks: int = 8,
    calibrate: bool = False,
    special_days: SpecialDays | None = None,
) -> ForecastResult:
    """Forecast calls and AHT for every queue of ``history`` (``schema`` history contract).

    ``models`` are registry names (default: all registered, in registry order).
    ``progress`` receives one-line progress messages and notices (skipped
    models, no backtest possible, no handle times); without it, the notices go
    to ``warnings``.

    ``calibrate``: rescale the chosen model's quantiles around its mean, per lead
    bucket (day_ahead, week_ahead, weeks_2_6), so that they would have covered
    as nominal in its backtest (``forecasting.calibration``). Needs a backtest:
    without origins, or with fewer than 200 scored pairs in a bucket, that
    bucket is left as the model gave it.

    ``special_days``: public holidays and events (``forecasting.special_days``)
    for the models that use them, in backtest and forecast alike; None keeps
    each model's own default.
    """
    plan = _Plan(
        horizon_days=horizon_days,
        models=tuple(models) if models is not None else tuple(REGISTRY),
        backtest_origins=backtest_origins,
        quantiles=validate_quantiles(quantiles),
        aht_weeks=aht_weeks,
        progress=progress,
        calibrate=bool(calibrate),
        special_days=special_days,
    )
    history = validate_history(history)
    forecasts, scores, chosen = [], [], {}
    for queue, rows in history.groupby(QUEUE, sort=True):
        try:
            frame, table, name = _forecast_queue(queue, rows.set_index(INTERVAL_START), plan)
        except ForecastError as exc:
            raise ForecastError(f"queue {queue!r}: {exc}") from None
        forecasts.append(frame)
        scores.append(table)
        chosen[queue] = name
    columns = [*FORECAST_COLUMNS, *(quantile_column(q) for q in plan.quantiles)]
    return ForecastResult(
        forecast=pd.concat(forecasts, ignore_index=True)[columns],
        backtest=_concat_scores(scores),
        chosen=chosen,
    )


def _forecast_queue(queue, rows: pd.DataFrame, plan: _Plan) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    interval = infer_interval(rows.index)
    future = future_intervals(rows.index[-1], plan.horizon_days, interval)
    keys = wall_time(future)
    calls = _trim(to_wall_clock(rows[CALLS].astype(float), interval), keys)
    workload = _trim(wall_clock_workload(rows[CALLS], rows[AHT], interval), keys)
    horizon = (keys.max() - calls.index[-1]) // interval
    models = [plan.model(name) for name in plan.models]
    scores = _backtest(queue, calls, models, plan)
    model = _fit_best(queue, calls, models, scores, plan)
    wall = model.predict(horizon, plan.quantiles)
    if plan.calibrate and len(scores):
        wall = _calibrate(queue, calls, model.name, scores, wall, plan)
    wall[AHT] = forecast_aht(workload, horizon, plan.aht_weeks)
    if wall[AHT].isna().all():
        plan.warn(f"queue {queue!r}: no handle times in history; aht forecast is NaN")
    real = from_wall_clock(wall, future).rename_axis(INTERVAL_START).reset_index()
    real.insert(0, QUEUE, queue)
    real.insert(2, MODEL, model.name)
    scores.insert(0, QUEUE, queue)
    return real, scores, model.name


def _trim(wall, future_keys: pd.DatetimeIndex):
    """Drop history slots the future revisits.

    Only bites when history ends inside the first pass of a fall-back hour: the
    second pass is then in the future, and forecasting must restart at its slot.
    """
    return wall.iloc[: wall.index.searchsorted(future_keys.min())]


def _backtest(queue, y: pd.Series, models: list[ForecastModel], plan: _Plan) -> pd.DataFrame:
    periods = Periods.of(y.index.freq)
    horizon = plan.horizon_days * periods.day
    testable = [m.min_length(periods) for m in models if m.min_length(periods) <= len(y) - horizon]
    origins = weekly_origins(y, plan.backtest_origins, horizon, max(testable, default=len(y)))
    if not origins:
        if plan.backtest_origins:
            plan.warn(f"queue {queue!r}: history too short to backtest; using the first model that fits")
        return _empty_scores()
    plan.info(f"queue {queue!r}: backtesting {len(models)} model(s) at {len(origins)} origin(s)")
    tables = []
    for model in models:
        try:
            tables.append(backtest_model(y, model, origins, horizon, plan.quantiles))
        except ForecastError as exc:
            plan.warn(f"queue {queue!r}: skipping {model.name} in backtest: {exc}")
    return pd.concat(tables, ignore_index=True) if tables else _empty_scores()


def _fit_best(queue, y: pd.Series, models: list[ForecastModel], scores: pd.DataFrame, plan: _Plan) -> ForecastModel:
    # With no scores (no origin, or every model failed there) fall back to list order.
    if len(scores):
        rmse = scores.groupby(MODEL, sort=False)["rmse"].mean().fillna(np.inf)
        ranked = sorted((m for m in models if m.name in rmse.index), key=lambda m: rmse[m.name])  # stable: ties keep order
    else:
        ranked = models
    problems = []
    for model in ranked:
        try:
            model.fit(y)
        except ForecastError as exc:
            plan.warn(f"queue {queue!r}: skipping {model.name}: {exc}")
            problems.append(str(exc))
            continue
        plan.info(f"queue {queue!r}: forecasting with {model.name}")
        return model
    raise ForecastError(f"no model could forecast ({'; '.join(problems)})")


def _calibrate(queue, y: pd.Series, name: str, scores: pd.DataFrame, wall: pd.DataFrame, plan: _Plan) -> pd.DataFrame:
    """Quantiles rescaled per lead bucket from the chosen model's backtest pairs (all before the forecast)."""
    origins = list(scores.loc[scores[MODEL] == name, ORIGIN])
    horizon = int(scores[HORIZON].iloc[0])
    columns = [quantile_column(q) for q in plan.quantiles]
    actual, mean, quant, buckets = [], [], [], []
    model = plan.model(name)
    for origin in origins:
        pos = y.index.get_loc(origin)
        frame = model.fit(y.iloc[:pos]).predict(horizon, plan.quantiles)
        actual.append(y.iloc[pos:pos + horizon].to_numpy(dtype=float))
        mean.append(frame[CALLS].to_numpy())
        quant.append(frame[columns].to_numpy())
        buckets.append(_buckets(frame.index))
    actual, mean, quant, buckets = map(np.concatenate, (actual, mean, quant, buckets))
    wall = wall.copy()
    target = _buckets(wall.index)
    for bucket in np.unique(target):
        rows, past = target == bucket, buckets == bucket
        multipliers = fit_multipliers(actual[past], mean[past], quant[past], plan.quantiles)
        wall.loc[rows, columns] = apply_multipliers(wall[CALLS].to_numpy()[rows], wall.loc[rows, columns].to_numpy(),
                                                    multipliers)
        plan.info(f"queue {queue!r}: {bucket} quantile spread x {', '.join(f'{m:.2f}' for m in multipliers)}")
    return wall


def _buckets(index: pd.DatetimeIndex) -> np.ndarray:
    lead = ((index.normalize() - index[0].normalize()) // pd.Timedelta(days=1)).to_numpy()
    return lead_bucket_of_days(lead)


def _empty_scores() -> pd.DataFrame:
    """A scores table with no rows but the dtypes a filled one has."""
    dtypes = {MODEL: "str", ORIGIN: "datetime64[us]", HORIZON: "int64"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "float64")) for c in BACKTEST_COLUMNS if c != QUEUE})


def _concat_scores(tables: list[pd.DataFrame]) -> pd.DataFrame:
    # Empty tables would turn every column to object dtype.
    filled = [t for t in tables if len(t)]
    table = pd.concat(filled, ignore_index=True) if filled else _empty_scores().assign(**{QUEUE: pd.Series(dtype="str")})
    return table[list(BACKTEST_COLUMNS)]

