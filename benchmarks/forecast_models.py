"""Quick rolling check of every registered model on the Montgomery County 911 log.

Not the full backtest (that is ``controlroom forecast backtest``): a few midnight
origins, each forecasting 7 days; prints per model and queue the day-ahead
(first 24 h) and week-ahead (days 2-7) RMSE, pooled over origins, as ratios to
the weekly seasonal naive and to the 8-week seasonal average on the same
origins, and the mean time per fit.

    OPENBLAS_NUM_THREADS=1 python benchmarks/forecast_models.py [--queues EMS all] [--origins 8] [--step 4] [--models ...]

(One BLAS thread: on a shared 2-core machine OpenBLAS's spinning threads make
small least-squares solves up to 100x slower when the other core is busy.)
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

from forecasting.clock import to_wall_clock  # noqa: E402
from forecasting.errors import ForecastError  # noqa: E402
from forecasting.models import REGISTRY, make_model  # noqa: E402
from forecasting.special_days import SpecialDays  # noqa: E402
from scenarios.ingest import read_history  # noqa: E402

# shared/ sits beside the checkout (or beside the folder of worktrees).
_CANDIDATES = [up / "shared" / "data" / "montco_911_calls.csv.gz" for up in (ROOT.parent, ROOT.parent.parent)]
DATA = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])


def wall_series(history: pd.DataFrame, queue: str) -> pd.Series:
    rows = history if queue == "all" else history[history["queue"] == queue]
    calls = rows.groupby("interval_start")["calls"].sum().astype(float)
    return to_wall_clock(calls)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queues", nargs="+", default=["EMS", "all"])
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--step", type=int, default=4, help="days between origins")
    parser.add_argument("--models", nargs="+", default=list(REGISTRY))
    args = parser.parse_args(argv)
    if not DATA.exists():
        raise SystemExit(f"real data not found: {DATA} is absent")
    history = read_history(DATA, timezone="US/Eastern")
    special = SpecialDays(country="US", subdiv="PA")
    for queue in args.queues:
        y = wall_series(history, queue)
        day, horizon = 96, 7 * 96
        last_midnight = (len(y) - horizon) // day * day
        origins = [last_midnight - i * args.step * day for i in range(args.origins)][::-1]
        errors, times = {}, {}
        for name in args.models:
            sq, spent = [], []
            try:
                for pos in origins:
                    model = make_model(name, special_days=special)
                    start = time.perf_counter()
                    model.fit(y.iloc[:pos])
                    spent.append(time.perf_counter() - start)
                    mean = model.predict(horizon)["calls"].to_numpy()
                    sq.append((mean - y.iloc[pos : pos + horizon].to_numpy()) ** 2)
            except ForecastError as exc:
                print(f"{queue} {name}: {exc}", file=sys.stderr)
                continue
            sq = np.vstack(sq)
            errors[name] = (np.sqrt(sq[:, :day].mean()), np.sqrt(sq[:, day:].mean()))
            times[name] = float(np.mean(spent))
        naive, avg = errors["seasonal_naive"], errors["seasonal_average_8w"]
        print(f"\n{queue}: {len(origins)} midnight origins every {args.step} days, mean {y.mean():.2f} calls per slot")
        print(f"{'model':26s} {'day/naive':>9s} {'week/naive':>10s} {'day/avg8':>8s} {'week/avg8':>9s} {'fit s':>6s}")
        for name, (d, w) in sorted(errors.items(), key=lambda kv: kv[1][0]):
            print(f"{name:26s} {d / naive[0]:9.3f} {w / naive[1]:10.3f} {d / avg[0]:8.3f} {w / avg[1]:9.3f} {times[name]:6.2f}")


if __name__ == "__main__":
    main()
