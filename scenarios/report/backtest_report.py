"""The report of `controlroom forecast backtest`: which model to trust, at which lead time, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from forecasting.leads import BUCKETS

from ..forecast_plots import best_models, best_rows, recent_pairs
from . import charts
from .page import Report, Section

LEADERBOARD_SHOWN = ("queue", "horizon", "model", "origins", "n", "mae", "rmse", "rmse_ratio", "mase",
                     "coverage_80", "coverage_95", "dm_pvalue", "fit_seconds")


def backtest_report(tables: dict[str, pd.DataFrame], inputs: dict[str, Any], out: Path, *,
                    days: int = 14) -> Path:
    """Write ``out/report.html`` from the backtest's tables (keyed by their CSV names)."""
    board = tables["leaderboard.csv"]
    queues = list(dict.fromkeys(board["queue"].astype(str)))
    report = Report(title="controlroom: forecast backtest",
                    subtitle=f"{len(queues)} queue(s), {board['model'].nunique()} model(s), "
                             f"{int(board['origins'].max())} origins", inputs=inputs)
    _leaderboard(report, board)
    _ratio(report, board)
    _error_by(report, tables["by_lead.csv"], "lead_day", "Error by lead time",
              "lead time (days after the origin day; 0 = day ahead)",
              "RMSE of each model over the weekly seasonal naive's on the same pairs, by how many days "
              "ahead the forecast was issued; below the dashed line beats the naive.")
    _error_by(report, tables["by_time_of_day.csv"], "tod", "Error by time of day",
              "local hour of day", "The same ratio for day-ahead forecasts, by local hour of day: where in the day "
              "a model earns or loses its place.")
    _forecast_vs_actual(report, board, tables["forecasts.csv"], days)
    return report.write(Path(out) / "report.html")


def _interval_rows(board: pd.DataFrame, *, by_rmse: bool) -> pd.DataFrame:
    """Interval-level rows by queue, then lead time from the nearest, then (optionally) RMSE."""
    rows = board[board["level"] == "interval"]
    order = rows["horizon"].map({h: i for i, h in enumerate(BUCKETS)}).rename("lead_order")
    keys = ["queue", "lead_order"] + (["rmse"] if by_rmse else [])
    return rows.join(order).sort_values(keys, kind="stable").drop(columns="lead_order")


def _leaderboard(report: Report, board: pd.DataFrame) -> None:
    rows = _interval_rows(board, by_rmse=True)
    best = set(best_rows(board).index)
    shown = rows[[c for c in LEADERBOARD_SHOWN if c in rows]]
    report.add(Section("Leaderboard", "Interval-level scores (one pair per interval of the data) per queue "
                       "and lead time; the highlighted row is the best model (lowest RMSE) for that queue "
                       "and lead time. rmse_ratio < 1 beats the weekly seasonal naive; coverage should be near 0.8 and "
                       "0.95; a small dm_pvalue means the difference from the naive is unlikely to be luck.")
               ).table(shown, rows=["best" if i in best else "" for i in rows.index])


def _ratio(report: Report, board: pd.DataFrame) -> None:
    rows = _interval_rows(board, by_rmse=False)
    report.add(Section("Skill by lead time", "RMSE over the weekly seasonal naive's, per model, queue and "
                       "lead time (interval level)."
                       )).chart(charts.bars(rows, ["queue", "horizon"], "rmse_ratio", "model",
                                            title="rmse_ratio by model and lead time", y_title="rmse_ratio",
                                            reference=1.0, reference_name="weekly seasonal naive"))


def _error_by(report: Report, table: pd.DataFrame, key: str, title: str, x_title: str, note: str) -> None:
    section = report.add(Section(title, note))
    for queue, rows in table.groupby(table["queue"].astype(str), sort=False):
        section.chart(charts.lines(rows.sort_values(key, kind="stable"), key, "rmse_ratio", "model",
                                   title=f"{queue}: {title.lower()}", x_title=x_title, y_title="rmse_ratio",
                                   reference=1.0, reference_name="weekly seasonal naive"))


def _forecast_vs_actual(report: Report, board: pd.DataFrame, forecasts: pd.DataFrame, days: int) -> None:
    section = report.add(Section("Forecast against actual", f"Day-ahead forecasts of each queue's best "
                                 f"day-ahead model over the last {days} days of origins, with the 80% and "
                                 "95% prediction bands, and the calls that came."))
    for queue, model in best_models(board).items():
        rows = recent_pairs(forecasts, queue, model, days)
        section.chart(charts.forecast_vs_actual(rows, f"{queue}: {model}, day ahead"))
