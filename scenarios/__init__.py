"""controlroom: scenarios compose the forecasting, scheduling and simulation stages,
read scenario files and user data, and hold the command line."""

import os

# The models solve many small least-squares problems; with BLAS's own thread pool they slow
# down 50-100x whenever another process holds a core (measured on a 2-core machine). Set before
# numpy is first imported; a user's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from importlib.metadata import PackageNotFoundError, version  # noqa: E402

try:
    __version__ = version("controlroom")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0+source"
