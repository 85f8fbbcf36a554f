"""Where replications run: in this process, in local processes, or on a Dask cluster.

Every task carries its own numpy Generator (spawned from the seed before anything runs), so a
replication's result does not depend on where or in which order it runs: the same seed gives
the same results with 1 worker, 8 processes or a Dask cluster.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Sequence

from .errors import SimulationError


def run_tasks(fn: Callable, tasks: Sequence[tuple], workers: int = 1, scheduler: str | None = None,
              done: Callable[[int, object], None] | None = None) -> list:
    """``[fn(*task) for task in tasks]``, in order; ``fn`` must be a module-level function.

    scheduler: a Dask distributed scheduler address; workers: local processes otherwise.
    done(k, result) is called as each task finishes (in completion order with processes).
    """
    if scheduler is not None:
        return _on_dask(fn, tasks, scheduler, done)
    if workers <= 1 or len(tasks) <= 1:
        results = []
        for k, task in enumerate(tasks):
            results.append(fn(*task))
            if done is not None:
                done(k, results[-1])
        return results
    results = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        futures = {pool.submit(fn, *task): k for k, task in enumerate(tasks)}
        for future in as_completed(futures):
            k = futures[future]
            results[k] = future.result()
            if done is not None:
                done(k, results[k])
    return results


def _on_dask(fn, tasks, scheduler, done):
    try:
        from distributed import Client
    except ImportError:
        raise SimulationError("SimulationConfig: scheduler needs Dask distributed "
                              "(pip install 'controlroom[dask]')") from None
    try:
        client = Client(scheduler, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SimulationError(f"SimulationConfig: cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    try:
        futures = [client.submit(fn, *task, pure=False) for task in tasks]
        results = []
        for k, future in enumerate(futures):  # in order: progress lags a little, results do not
            results.append(future.result())
            if done is not None:
                done(k, results[-1])
        return results
    finally:
        client.close()
