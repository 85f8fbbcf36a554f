"""A script that imports numpy before the package still fits on one BLAS thread.

The story: a researcher's notebook imports numpy and pandas first, so setting
OPENBLAS_NUM_THREADS in the package comes too late; fitting must limit the pool itself, and give
the caller's setting back afterwards.
"""

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json
import numpy as np, pandas as pd
from threadpoolctl import threadpool_info
from forecasting.models.seasonal_naive import SeasonalNaive

def blas():
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

class Spy(SeasonalNaive):
    def _fit(self, y, periods):
        self.inside_fit = blas()
        return super()._fit(y, periods)
    def _predict_mean(self, horizon):
        self.inside_predict = blas()
        return super()._predict_mean(horizon)

before = blas()
idx = pd.date_range("2024-01-01", periods=96 * 21, freq="15min")
y = pd.Series(np.random.default_rng(1).poisson(5, len(idx)).astype(float), index=idx)
m = Spy().fit(y)
m.predict(96)
print(json.dumps({"before": before, "fit": m.inside_fit, "predict": m.inside_predict, "after": blas()}))
"""


def test_fitting_uses_one_blas_thread_and_restores_the_callers_pool():
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"  # what an unset variable gives on a 2-core machine
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == 2
    assert seen["fit"] == 1 and seen["predict"] == 1
    assert seen["after"] == 2
