"""Where the best rate forecast's remaining day-ahead error comes from, on the Montgomery County log.

    python benchmarks/forecast_error_sources.py [--origins 84] [--model harmonic_glm] [--queues ALL,EMS,Fire,Traffic]

For each queue it prints the day_ahead interval RMSE ratio to the weekly seasonal naive of:

* ``model``: the model as scored by the backtest;
* ``oracle_level``: the model's forecast rescaled so each forecast day's total equals the actual
  total (the model's intraday profile with a perfect daily level): what is left is profile error
  plus noise;
* ``noise_floor``: the benchmark's floor (half the mean squared difference of adjacent counts).

The gap model - oracle_level is the error of the daily level (busy and quiet days: weather,
incidents), which no profile setting can remove; oracle_level - noise_floor bounds what a better
intraday/weekly profile could still gain.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.forecast_backtest import DATA, _noise_floors  # noqa: E402
from forecasting.harness import HarnessSettings, add_total, run_backtest  # noqa: E402
from forecasting.special_days import special_days_from_settings  # noqa: E402
from scenarios.ingest import read_history  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--origins", type=int, default=84)
    parser.add_argument("--model", default="harmonic_glm")
    parser.add_argument("--queues", default="ALL,EMS,Fire,Traffic")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    # The backtest benchmark's horizon and warm-up, so the origins are the same days as its.
    settings = HarnessSettings(origins=args.origins, horizon_days=42, warmup_origins=14, keep_forecasts=("day_ahead",),
                               workers=args.workers,
                               special_days=special_days_from_settings("US-PA", (), range(2014, 2018)))
    history = add_total(read_history(DATA, timezone="US/Eastern", interval_minutes=15))
    history = history[history["queue"].isin(args.queues.split(","))]
    report = run_backtest(history, ["seasonal_naive", args.model], settings,
                          progress=lambda m: print(m, file=sys.stderr, flush=True))
    pairs = report.forecasts[report.forecasts["horizon"] == "day_ahead"]
    floors = _noise_floors(pairs)
    rows = []
    for queue, q in pairs.groupby("queue"):
        naive = q[q["model"] == "seasonal_naive"]
        model = q[q["model"] == args.model].copy()
        day_actual = model.groupby("origin")["actual"].transform("sum")
        day_forecast = model.groupby("origin")["calls"].transform("sum")
        oracle = model["calls"] * day_actual / day_forecast
        naive_mse = ((naive["calls"] - naive["actual"]) ** 2).mean()
        rows.append({"queue": queue,
                     "model": np.sqrt(((model["calls"] - model["actual"]) ** 2).mean() / naive_mse),
                     "oracle_level": np.sqrt(((oracle - model["actual"]) ** 2).mean() / naive_mse),
                     "noise_floor": floors[(queue, "day_ahead")]})
    print(f"day_ahead RMSE ratio to the weekly seasonal naive, {args.model}, {args.origins} origins:")
    print(pd.DataFrame(rows).set_index("queue").round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
