"""Test-wide settings."""

import os

# As in scenarios/__init__.py: one BLAS thread, set before numpy is imported by any test module.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
