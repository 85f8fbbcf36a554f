"""Full backtest of every registered model on the real Montgomery County 911 log, and the issue's goals.

    python benchmarks/forecast_backtest.py [--origins 84] [--horizon-days 42] [--models a,b] [--out DIR]

Data: ../shared/data/montco_911_calls.csv.gz (see its README), 15-minute counts per queue
(EMS, Fire, Traffic) plus ALL (the three summed). Prints per-model fit/predict times, the
day_ahead and week_ahead RMSE ratio against the weekly seasonal naive and against the 8-week
seasonal average (both measured in the same run on the same origins), interval coverage before
and after calibration, and whether the goals of issue 3 hold for each queue's best model:

* day_ahead and week_ahead RMSE <= 0.70 x the weekly seasonal naive's;
* day_ahead and week_ahead RMSE <= 0.95 x the 8-week seasonal average's;
* never worse than the 8-week seasonal average at any lead (bucket, or lead day 0-41);
* 80% and 95% intervals cover within 3 points of nominal (day_ahead and week_ahead).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.harness import HarnessSettings, add_total, run_backtest  # noqa: E402
from forecasting.models import REGISTRY  # noqa: E402
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
    parser.add_argument("--out", type=Path, help="also write leaderboard.csv and by_lead.csv here")
    args = parser.parse_args(argv)
    models = args.models.split(",") if args.models else list(REGISTRY)
    if AVERAGE not in models:
        models.append(AVERAGE)
    refit = None if args.refit_every == "auto" else int(args.refit_every)
    settings = HarnessSettings(origins=args.origins, horizon_days=args.horizon_days,
                               warmup_origins=args.warmup_origins, refit_every_days=refit)

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

    print(f"montco backtest: {settings.origins} origins (+{settings.warmup_origins} warm-up), horizon "
          f"{settings.horizon_days} days, refit {args.refit_every}, {len(models)} models, "
          f"{history['queue'].nunique()} queues: {wall:.0f} s wall clock")
    _times(board)
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
