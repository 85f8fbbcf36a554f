"""Column names of the tables that enter and leave the forecasting stage.

History (the canonical interval table, one row per queue per interval):
    queue           str, e.g. "999" or "101"
    interval_start  tz-aware timestamp (local time of the control room). Intervals are
                    real, uniform lengths of time, so a spring-forward day in
                    Europe/London has 92 fifteen-minute intervals and a fall-back day 100.
    calls           int >= 0, calls offered (answered + abandoned) in the interval
    aht             float, mean handle time in seconds of the calls in the interval;
                    NaN where there were no calls or it is unknown

Forecast (one row per queue per future interval per model):
    queue, interval_start  as above
    model           str, name of the model that produced the row
    calls           float, mean forecast of calls offered
    aht             float, forecast mean handle time in seconds
    calls_p<q>      float, the q-th percentile of calls, e.g. calls_p10, calls_p90,
                    calls_p2.5, calls_p97.5 (see ``quantile_column``)
"""

QUEUE = "queue"
INTERVAL_START = "interval_start"
CALLS = "calls"
AHT = "aht"
MODEL = "model"

HISTORY_COLUMNS = (QUEUE, INTERVAL_START, CALLS, AHT)
FORECAST_COLUMNS = (QUEUE, INTERVAL_START, MODEL, CALLS, AHT)

DEFAULT_QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


def quantile_column(q: float) -> str:
    """Name of the column holding quantile ``q`` (a fraction) of calls: 0.1 -> 'calls_p10'."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {q}")
    return f"calls_p{round(100 * q, 6):g}"


# Backtest scores (one row per queue per model per origin; see ``forecasting.backtest``):
#   queue, model, origin (first forecast wall-clock slot), horizon (slots scored),
#   mae, rmse, mase, pinball (mean over quantiles), coverage_80, coverage_95
#   (share of actuals inside the central 80% / 95% interval; NaN when the
#   quantiles that bound it were not requested).
ORIGIN = "origin"
HORIZON = "horizon"
SCORE_COLUMNS = ("mae", "rmse", "mase", "pinball", "coverage_80", "coverage_95")
BACKTEST_COLUMNS = (QUEUE, MODEL, ORIGIN, HORIZON, *SCORE_COLUMNS)
