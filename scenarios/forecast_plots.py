"""Pictures of a backtest: forecast against actual with bands, error by lead time, error by time of day."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

PLOT_FILES = ("forecast_vs_actual.png", "error_by_lead.png", "error_by_time_of_day.png")


def best_rows(leaderboard: pd.DataFrame) -> pd.DataFrame:
    """The interval-level row with the lowest RMSE for each queue and lead time (first on ties)."""
    rows = leaderboard[leaderboard["level"] == "interval"]
    return rows.sort_values("rmse", kind="stable").groupby(["queue", "horizon"], sort=True).head(1)


def best_models(leaderboard: pd.DataFrame, horizon: str = "day_ahead") -> pd.Series:
    """queue -> the model with the lowest interval-level RMSE at ``horizon``."""
    best = best_rows(leaderboard)
    return best[best["horizon"] == horizon].set_index("queue")["model"].sort_index()


def recent_pairs(forecasts: pd.DataFrame, queue: str, model: str, days: int,
                 horizon: str = "day_ahead") -> pd.DataFrame:
    """Forecast-actual pairs of one queue and model over the last ``days`` days scored, in time order."""
    rows = forecasts[(forecasts["queue"] == queue) & (forecasts["model"] == model)
                     & (forecasts["horizon"] == horizon)]
    start = rows["interval_start"].max() - pd.Timedelta(days=days)
    return rows[rows["interval_start"] > start].sort_values("interval_start")


def write_plots(report, out: Path, days: int = 14) -> list[Path]:
    best = best_models(report.leaderboard)
    paths = [out / name for name in PLOT_FILES]
    _forecast_vs_actual(report.forecasts, best, days, paths[0])
    _error_by(report.by_lead, "lead_day", "lead time (days after the origin day; 0 = day ahead)", paths[1])
    _error_by(report.by_time_of_day, "tod", "local hour of day (day-ahead forecasts)", paths[2])
    return paths


def _forecast_vs_actual(forecasts: pd.DataFrame, best: pd.Series, days: int, path: Path) -> None:
    queues = list(best.index)
    fig, axes = plt.subplots(len(queues), 1, figsize=(12, 3 * len(queues)), squeeze=False)
    for ax, queue in zip(axes[:, 0], queues):
        rows = recent_pairs(forecasts, queue, best[queue], days)
        x = rows["interval_start"]
        if "calls_p2.5" in rows and "calls_p97.5" in rows:
            ax.fill_between(x, rows["calls_p2.5"], rows["calls_p97.5"], color="tab:blue", alpha=0.15, label="95%")
        if "calls_p10" in rows and "calls_p90" in rows:
            ax.fill_between(x, rows["calls_p10"], rows["calls_p90"], color="tab:blue", alpha=0.3, label="80%")
        ax.plot(x, rows["calls"], color="tab:blue", lw=1, label=f"{best[queue]} (day ahead)")
        ax.plot(x, rows["actual"], color="black", lw=0.6, label="actual")
        ax.set_title(f"queue {queue}: day-ahead forecasts over the last {days} days of origins")
        ax.set_ylabel("calls per interval")
        ax.legend(loc="upper left", fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _error_by(table: pd.DataFrame, key: str, label: str, path: Path) -> None:
    queues = sorted(table["queue"].unique())
    fig, axes = plt.subplots(len(queues), 1, figsize=(10, 3.2 * len(queues)), squeeze=False)
    for ax, queue in zip(axes[:, 0], queues):
        for model, rows in table[table["queue"] == queue].groupby("model", sort=True):
            ax.plot(rows[key], rows["rmse_ratio"], marker=".", lw=1, label=model)
        ax.axhline(1.0, color="grey", lw=0.8, ls="--")
        ax.set_title(f"queue {queue}")
        ax.set_xlabel(label)
        ax.set_ylabel("RMSE / weekly seasonal naive")
        ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_long_range(past: dict, daily: pd.DataFrame, path: Path) -> None:
    """Daily totals: history and the long-range forecast with its 80% and 95% bands, per queue."""
    queues = sorted(past)
    fig, axes = plt.subplots(len(queues), 1, figsize=(12, 3 * len(queues)), squeeze=False)
    for ax, queue in zip(axes[:, 0], queues):
        rows = daily[daily["queue"] == queue]
        ax.plot(past[queue].index, past[queue].to_numpy(), color="black", lw=0.6, label="history")
        if "calls_p2.5" in rows and "calls_p97.5" in rows:
            ax.fill_between(rows["date"], rows["calls_p2.5"], rows["calls_p97.5"], color="tab:orange", alpha=0.15,
                            label="95%")
        if "calls_p10" in rows and "calls_p90" in rows:
            ax.fill_between(rows["date"], rows["calls_p10"], rows["calls_p90"], color="tab:orange", alpha=0.3,
                            label="80%")
        ax.plot(rows["date"], rows["calls"], color="tab:orange", lw=1, label="forecast")
        ax.set_title(f"queue {queue}: calls per day")
        ax.legend(loc="upper left", fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
