"""Full backtest of every registered model on the real Montgomery County 911 log, and the issue's goals.

    python benchmarks/forecast_backtest.py [--origins 84] [--horizon-days 42] [--models a,b] [--workers 2] [--out DIR]

Data: ../shared/data/montco_911_calls.csv.gz (see its README), 15-minute counts per queue
(EMS, Fire, Traffic) plus ALL (the three summed). Prints per-model fit/predict times, the
day_ahead and week_ahead RMSE ratio against the weekly seasonal naive and against the 8-week
seasonal average (both measured in the same run on the same origins), interval coverage before
and after calibration, and whether the goals of issue 3 hold for each queue's best model:

* day_ahead and week_ahead RMSE <= 0.70 x the weekly seasonal naive's;
* day_ahead and week_ahead RMSE <= 0.95 x the 8-week seasonal average's;
* never worse than the 8-week seasonal average at any lead (bucket, or lead day 0-41);
* 80% and 95% intervals cover within 3 points of nominal (day_ahead and week_ahead).

The goal table gives, per queue, lead and model, the ratio to the naive and to the 8-week
average with PASS/FAIL, next to the noise floor: the RMSE ratio a forecast knowing the true
rate of every interval would get, from the irreducible noise (half the mean squared
difference of adjacent 15-minute counts of the scored pairs: Poisson noise plus clustered
calls, which a rate cannot predict) over the naive's mean squared error on the same pairs.
A goal below the floor cannot be met by any forecast of the rate.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Small BLAS solves slow down 50-100x when threads compete for a busy core; set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.harness import HarnessSettings, add_total, run_backtest  # noqa: E402
from forecasting.models import REGISTRY  # noqa: E402
from forecasting.special_days import special_days_from_settings  # noqa: E402
from scenarios.ingest import read_history  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "montco_911_calls.csv.gz"
if not DATA.exists():  # a worktree sits one level deeper than the main checkout
    DATA = ROOT.parents[1] / "shared" / "data" / "montco_911_calls.csv.gz"
AVERAGE = "seasonal_average"
HEADLINE = ("day_ahead", "week_ahead")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--origins", type=int, default=84)
    parser.add_argument("--horizon-days", type=int, default=42)
    parser.add_argument("--warmup-origins", type=int, default=14)
    parser.add_argument("--refit-every", default="auto")
    parser.add_argument("--models", help="comma-separated (default: every registered model)")
    parser.add_argument("--queues", help="comma-separated (default: EMS, Fire, Traffic and ALL)")
    parser.add_argument("--holidays", default="US-PA",
                        help="public holidays for models that use them (default US-PA: the data is from Pennsylvania)")
    parser.add_argument("--workers", type=int, default=2, help="processes running queues side by side (default 2)")
    parser.add_argument("--out", type=Path, help="also write leaderboard.csv and by_lead.csv here")
    args = parser.parse_args(argv)
    models = args.models.split(",") if args.models else list(REGISTRY)
    if AVERAGE not in models:
        models.append(AVERAGE)
    refit = None if args.refit_every == "auto" else int(args.refit_every)
    settings = HarnessSettings(origins=args.origins, horizon_days=args.horizon_days,
                               warmup_origins=args.warmup_origins, refit_every_days=refit,
                               keep_forecasts=HEADLINE, workers=args.workers,
                               special_days=special_days_from_settings(args.holidays, (), range(2014, 2018)))

    history = add_total(read_history(DATA, timezone="US/Eastern", interval_minutes=15))
    if args.queues:
        history = history[history["queue"].isin(args.queues.split(","))]
    started = time.perf_counter()
    report = run_backtest(history, models, settings, progress=lambda m: print(m, file=sys.stderr, flush=True))
    wall = time.perf_counter() - started
    board = report.leaderboard
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        board.to_csv(args.out / "leaderboard.csv", index=False, float_format="%.6g")
        report.by_lead.to_csv(args.out / "by_lead.csv", index=False, float_format="%.6g")

    print(f"holidays {args.holidays}; montco backtest: {settings.origins} origins (+{settings.warmup_origins} warm-up), horizon "
          f"{settings.horizon_days} days, refit {args.refit_every}, {len(models)} models, "
          f"{history['queue'].nunique()} queues, {args.workers} worker(s): {wall:.0f} s wall clock; "
          f"load average {Path('/proc/loadavg').read_text().split()[:3] if Path('/proc/loadavg').exists() else 'n/a'}")
    _times(board)
    floors = _noise_floors(report.forecasts)
    _goal_table(board, floors)
    ok = True
    for queue in sorted(board["queue"].unique()):
        ok &= _queue(board[board["queue"] == queue], report.by_lead[report.by_lead["queue"] == queue], queue)
    print(f"\nALL GOALS HOLD: {'yes' if ok else 'no'}")
    return 0


def _times(board: pd.DataFrame) -> None:
    first = board[(board["level"] == "interval") & (board["horizon"] == "day_ahead")]
    times = first.groupby("model").agg(fit_s=("fit_seconds", "sum"), predict_s=("predict_seconds", "sum"),
                                       fits=("fits", "sum"), refit_every_days=("refit_every_days", "max"))
    print("\nper-model time over all queues (s):")
    print(times.sort_values("fit_s").round(1).to_string())


def _noise_floors(pairs: pd.DataFrame) -> pd.Series:
    """Noise floor of the RMSE ratio per queue and lead bucket (see the module docstring)."""
    naive = pairs[pairs["model"] == "seasonal_naive"].sort_values(["queue", "horizon", "origin", "interval_start"])
    out = {}
    for (queue, horizon), rows in naive.groupby(["queue", "horizon"], sort=True):
        step = rows["interval_start"].diff()
        same = (rows["origin"] == rows["origin"].shift()) & (step == step[step > pd.Timedelta(0)].min())
        noise = (rows["actual"].diff()[same] ** 2).mean() / 2
        out[(queue, horizon)] = float(np.sqrt(noise / ((rows["calls"] - rows["actual"]) ** 2).mean()))
    return pd.Series(out)


def _goal_table(board: pd.DataFrame, floors: pd.Series) -> None:
    rows = board[(board["level"] == "interval") & board["horizon"].isin(HEADLINE)]
    avg = rows[rows["model"] == AVERAGE].set_index(["queue", "horizon"])["rmse"]
    table = rows.set_index(["queue", "horizon", "model"])[["rmse", "rmse_ratio"]].copy()
    key = pd.MultiIndex.from_arrays([table.index.get_level_values(0), table.index.get_level_values(1)])
    table["vs_avg8"] = table["rmse"].to_numpy() / avg.reindex(key).to_numpy()
    table["noise_floor"] = floors.reindex(key).to_numpy()
    table["naive<=0.70"] = np.where(table["rmse_ratio"] <= 0.70, "PASS", "FAIL")
    table["avg8<=0.95"] = np.where(table["vs_avg8"] <= 0.95, "PASS", "FAIL")
    print("\n== goal table: interval-level RMSE ratio to the weekly seasonal naive and to the 8-week average")
    print(table.sort_values(["queue", "horizon", "rmse_ratio"]).round(3).to_string())


def _queue(board: pd.DataFrame, by_lead: pd.DataFrame, queue: str) -> bool:
    rows = board[board["level"] == "interval"].set_index(["model", "horizon"])
    ratio = rows["rmse_ratio"].unstack("horizon")
    vs_avg = (rows["rmse"].unstack("horizon") / rows.loc[AVERAGE, "rmse"]).reindex(columns=ratio.columns)
    table = pd.concat({"vs_naive": ratio[list(HEADLINE)], "vs_avg8": vs_avg[list(HEADLINE)],
                       "cov80": rows["coverage_80"].unstack("horizon")[list(HEADLINE)],
                       "cov80_raw": rows["coverage_80_raw"].unstack("horizon")[list(HEADLINE)],
                       "cov95": rows["coverage_95"].unstack("horizon")[list(HEADLINE)],
                       "cov95_raw": rows["coverage_95_raw"].unstack("horizon")[list(HEADLINE)]}, axis=1)
    print(f"\n== queue {queue}: interval level, RMSE ratios and coverage (raw = before calibration)")
    print(table.sort_values(("vs_naive", "day_ahead")).round(3).to_string())
    best = ratio[list(HEADLINE)].mean(axis=1).idxmin()
    b = ratio.loc[best]
    lead = by_lead.pivot_table(index="lead_day", columns="model", values="rmse")
    worst_lead = (lead[best] / lead[AVERAGE]).max()
    checks = {
        "day_ahead and week_ahead <= 0.70 x weekly seasonal naive": bool((b[list(HEADLINE)] <= 0.70).all()),
        "day_ahead and week_ahead <= 0.95 x 8-week average": bool((vs_avg.loc[best, list(HEADLINE)] <= 0.95).all()),
        f"never worse than 8-week average (max over buckets {vs_avg.loc[best].max():.3f}, "
        f"over lead days {worst_lead:.3f})": bool(vs_avg.loc[best].max() <= 1.0 and worst_lead <= 1.0),
        "80% and 95% coverage within 3 points (day_ahead, week_ahead)": bool(
            (np.abs(table.loc[best, "cov80"] - 0.80) <= 0.03).all()
            and (np.abs(table.loc[best, "cov95"] - 0.95) <= 0.03).all()),
    }
    print(f"best model: {best} (day_ahead {b['day_ahead']:.3f}, week_ahead {b['week_ahead']:.3f} x naive; "
          f"{vs_avg.loc[best, 'day_ahead']:.3f}, {vs_avg.loc[best, 'week_ahead']:.3f} x 8-week average)")
    for text, holds in checks.items():
        print(f"  [{'ok' if holds else 'MISS'}] {text}")
    return all(checks.values())


if __name__ == "__main__":
    sys.exit(main())
