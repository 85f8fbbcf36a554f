"""Which models the demo scenario should backtest: accuracy and time of the forecast stage.

    python benchmarks/forecast_demo_models.py [--origins 2] [--sets "seasonal_naive,mstl" ...]

Runs the demo scenario's forecast stage (its history, horizon and special days) once per model
set, with the given number of weekly backtest origins, and prints the stage's wall-clock time
and each model's mean backtest RMSE per queue (the driver picks the lowest). Times are
relative: compare them within one run, the machine's load moves them all.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenarios.config import load_scenario  # noqa: E402
from scenarios.pipeline import forecast_demand, load_history  # noqa: E402
from scenarios.progress import Progress  # noqa: E402

SETS = ("seasonal_naive,mstl", "seasonal_naive,mstl,harmonic_glm", "seasonal_naive,mstl,harmonic_glm_ar")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--origins", type=int, help="backtest origins (default: the demo's)")
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="comma-separated model lists")
    args = parser.parse_args(argv)
    scenario = load_scenario(ROOT / "scenarios" / "demo.toml")
    quiet = Progress(quiet=True)
    history = load_history(scenario, quiet.begin("history"))
    baseline = None
    for models in args.sets:
        settings = dataclasses.replace(scenario.forecast, models=tuple(models.split(",")),
                                       **({} if args.origins is None else {"backtest_origins": args.origins}))
        started = time.perf_counter()
        result = forecast_demand(dataclasses.replace(scenario, forecast=settings), history, quiet.begin("forecast"))
        seconds = time.perf_counter() - started
        baseline = baseline or seconds
        print(f"\nmodels {models}: forecast stage {seconds:.1f} s ({seconds / baseline:.2f} x the first set), "
              f"{settings.backtest_origins} origins; chosen {dict(result.chosen)}")
        summary = result.summary()
        print(summary.pivot_table(index="model", columns="queue", values="rmse").round(4).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
