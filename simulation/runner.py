"""simulate(): check the inputs once, then run independent seeded replications."""

from __future__ import annotations

import math
import time
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .arrivals import Demand, draw_calls, read_demand
from .behaviour import Behaviour
from .config import SimulationConfig
from .errors import SimulationError
from .executor import run_tasks
from .kpi import kpi_frame, occupancy_frame
from .model import run_replication
from .records import calls_frame
from .replay import Replay, draw_replayed_calls, is_call_log, read_call_log_table
from .result import SimulationResult
from .staffing import Staff, apply_availability, is_shifts_table, present_shifts, read_staffing

Seed = int | np.random.SeedSequence | np.random.Generator | None


def simulate(demand: pd.DataFrame, shifts: pd.DataFrame, config: SimulationConfig, rng: Seed = None,
             progress: Callable[[str], None] | None = None) -> SimulationResult:
    """Replay ``shifts`` (a roster, or agents per interval) against ``demand`` call by call.

    demand: expected calls per queue and interval (queue, interval_start, calls, aht: arrivals
    drawn as a non-homogeneous Poisson process), or a call log to replay (queue, arrival,
    optionally handle_time: see simulation.replay).
    rng: an int seed, a SeedSequence or a Generator from which one independent stream per
    replication is spawned; None uses config.seed. The same int seed gives identical results;
    a SeedSequence or Generator is advanced by spawning, so passing the same object again gives
    new streams. Results do not depend on config.workers or config.scheduler.
    progress: called with a line of text after each replication (for a command line).
    """
    _check_config(config)
    return simulate_batch([(demand, shifts, config, rng)], config.workers, config.scheduler, progress)[0]


def simulate_batch(jobs: Sequence[tuple], workers: int = 1, scheduler: str | None = None,
                   progress: Callable[[str], None] | None = None) -> list[SimulationResult]:
    """``[simulate(*job) for job in jobs]`` with every replication of every job in one batch.

    jobs: (demand, shifts, config, rng) tuples as simulate() takes them. The replications of all
    jobs share the executor (local processes, or the Dask scheduler when given), so a batch of
    scenarios keeps every worker busy; each result is the same as simulate() gives for its job
    alone, whatever ``workers`` and ``scheduler`` are (the jobs' own workers and scheduler are
    not used).
    """
    prepared = [_tasks(*job) for job in jobs]
    tasks = [task for job_tasks in prepared for task in job_tasks]
    total, began, finished = len(tasks), time.perf_counter(), [0]

    def done(k, part):
        finished[0] += 1
        if progress is not None:
            progress(f"replication {finished[0]}/{total}: {len(part[0]):,} calls "
                     f"({time.perf_counter() - began:.1f} s elapsed)")

    parts = run_tasks(_replication_task, tasks, workers, scheduler, done)
    results, at = [], 0
    for (_, _, config, _), job_tasks in zip(jobs, prepared):
        mine, at = parts[at:at + len(job_tasks)], at + len(job_tasks)
        calls, kpi, occupancy = (pd.concat(frames, ignore_index=True) for frames in zip(*mine))
        results.append(SimulationResult(calls, kpi, occupancy, config))
    return results


def _tasks(demand: pd.DataFrame, shifts: pd.DataFrame, config: SimulationConfig, rng: Seed = None) -> list[tuple]:
    """Check one job's inputs once; one task per replication, each with its own stream."""
    _check_config(config)
    source = read_call_log_table(demand, config) if is_call_log(demand) else read_demand(demand, config)
    staff = read_staffing(shifts, config, source.timeline)
    if config.absence_rate and not is_shifts_table(shifts):
        raise SimulationError("simulate: absence_rate needs a shifts table; agents per interval are "
                              "taken to be net of absence already")
    first = warmup_intervals(config.warmup_s, source)
    streams = replication_streams(config.seed if rng is None else rng, config.replications)
    roster = shifts if config.absence_rate else None
    return [(k, source, staff, config, generator, first, roster) for k, generator in enumerate(streams)]


def _check_config(config) -> None:
    if not isinstance(config, SimulationConfig):
        raise SimulationError(f"simulate: config must be a SimulationConfig, got {type(config).__name__}")


def _replication_task(replication, source, staff, config, generator, first, roster):
    """One replication from its own stream; runs anywhere (a module-level function pickles)."""
    # Child streams for staffing and behaviour, so the callers drawn from `generator` are the
    # same with or without absence, abstraction or callbacks (common random numbers).
    absence, availability, behaviour = generator.spawn(3)
    if roster is not None:
        staff = read_staffing(present_shifts(roster, config.absence_rate, absence), config, source.timeline)
    staff = apply_availability(staff, config, source.timeline, availability)
    return replicate(replication, source, staff, config, generator, first, behaviour)


def replicate(replication: int, demand: Demand | Replay, staff: Staff, config: SimulationConfig,
              rng: np.random.Generator, first_interval: int = 0, behaviour_rng: np.random.Generator | None = None):
    """One replication's (calls, kpi, occupancy) frames; a pure function of its inputs and rngs."""
    timeline = demand.timeline
    draws = draw_replayed_calls(demand, config, rng) if isinstance(demand, Replay) else draw_calls(demand, config, rng)
    behaviour = Behaviour(config, demand.aht, timeline.interval_s, timeline.n,
                          behaviour_rng if behaviour_rng is not None else rng.spawn(1)[0])
    outcome = run_replication(draws, staff, tuple(q.priority for q in config.queues), behaviour)
    draws = outcome.calls
    occupancy = occupancy_frame(replication, draws, outcome, timeline, first_interval)
    calls = calls_frame(replication, draws, outcome, timeline, config.queue_names, staff.names, first_interval)
    kpi = kpi_frame(replication, draws, outcome, timeline, config, occupancy, first_interval)
    return calls, kpi, occupancy


def replication_streams(seed: Seed, replications: int) -> list[np.random.Generator]:
    """One independent Generator per replication, spawned from the seed (never a global seed)."""
    if isinstance(seed, np.random.Generator):
        return seed.spawn(replications)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        seed = np.random.SeedSequence(int(seed))
    if not isinstance(seed, np.random.SeedSequence):
        raise SimulationError(f"simulate: rng must be a seed (int of 0 or more), a SeedSequence or a "
                              f"Generator, got {seed!r}")
    return [np.random.default_rng(child) for child in seed.spawn(replications)]


def warmup_intervals(warmup_s: float, demand: Demand | Replay) -> int:
    """Whole intervals left out as warm-up (warmup_s rounded up)."""
    first = math.ceil(warmup_s / demand.timeline.interval_s - 1e-9)
    if first >= demand.timeline.n:
        raise SimulationError(f"SimulationConfig: warmup_s {warmup_s} covers the whole demand horizon "
                              f"({demand.timeline.n} intervals of {demand.timeline.interval_s:g} s)")
    return first
