"""One BLAS thread while a model fits or predicts.

The models solve many small least-squares problems; with BLAS's own thread pool they slow down
50-100x whenever another process holds a core (measured on a 2-core machine). Setting
``OPENBLAS_NUM_THREADS`` works only before numpy is first imported, so a script that imports numpy
(or this package) first used to run multithreaded; threadpoolctl limits the pools already loaded.
"""

from __future__ import annotations

from functools import lru_cache

from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    # Built at the first fit, when numpy's and scipy's BLAS are loaded; listing the loaded
    # libraries costs milliseconds, limiting a known list microseconds.
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS uses one thread (restored on exit)."""
    return _controller().limit(limits=1, user_api="blas")
