"""simulate(): check the inputs once, then run independent seeded replications."""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np
import pandas as pd

from .arrivals import Demand, draw_calls, read_demand
from .config import SimulationConfig
from .errors import SimulationError
from .kpi import kpi_frame, occupancy_frame
from .model import run_replication
from .records import calls_frame
from .result import SimulationResult
from .staffing import Staff, is_shifts_table, present_shifts, read_staffing

Seed = int | np.random.SeedSequence | np.random.Generator | None


def simulate(demand: pd.DataFrame, shifts: pd.DataFrame, config: SimulationConfig, rng: Seed = None,
             progress: Callable[[str], None] | None = None) -> SimulationResult:
    """Replay ``shifts`` (a roster, or agents per interval) against ``demand`` call by call.

    rng: an int seed, a SeedSequence or a Generator from which one independent stream per
    replication is spawned; None uses config.seed. The same int seed gives identical results;
    a SeedSequence or Generator is advanced by spawning, so passing the same object again gives
    new streams.
    progress: called with a line of text after each replication (for a command line).
    """
    if not isinstance(config, SimulationConfig):
        raise SimulationError(f"simulate: config must be a SimulationConfig, got {type(config).__name__}")
    model_demand = read_demand(demand, config)
    staff = read_staffing(shifts, config, model_demand.timeline)
    if config.absence_rate and not is_shifts_table(shifts):
        raise SimulationError("simulate: absence_rate needs a shifts table; agents per interval are "
                              "taken to be net of absence already")
    first = warmup_intervals(config.warmup_s, model_demand)
    parts = []
    for replication, generator in enumerate(replication_streams(config.seed if rng is None else rng,
                                                                config.replications)):
        began = time.perf_counter()
        present = staff
        if config.absence_rate:
            # a stream of its own, so the callers drawn from `generator` are the same with or
            # without absence
            kept = present_shifts(shifts, config.absence_rate, generator.spawn(1)[0])
            present = read_staffing(kept, config, model_demand.timeline)
        parts.append(replicate(replication, model_demand, present, config, generator, first))
        if progress is not None:
            progress(f"replication {replication + 1}/{config.replications}: {len(parts[-1][0]):,} calls "
                     f"in {time.perf_counter() - began:.1f} s")
    calls, kpi, occupancy = (pd.concat(frames, ignore_index=True) for frames in zip(*parts))
    return SimulationResult(calls, kpi, occupancy, config)


def replicate(replication: int, demand: Demand, staff: Staff, config: SimulationConfig,
              rng: np.random.Generator, first_interval: int = 0):
    """One replication's (calls, kpi, occupancy) frames; a pure function of its inputs and rng."""
    timeline = demand.timeline
    draws = draw_calls(demand, config, rng)
    outcome = run_replication(draws, staff, tuple(q.priority for q in config.queues))
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


def warmup_intervals(warmup_s: float, demand: Demand) -> int:
    """Whole intervals left out as warm-up (warmup_s rounded up)."""
    first = math.ceil(warmup_s / demand.timeline.interval_s - 1e-9)
    if first >= demand.timeline.n:
        raise SimulationError(f"SimulationConfig: warmup_s {warmup_s} covers the whole demand horizon "
                              f"({demand.timeline.n} intervals of {demand.timeline.interval_s:g} s)")
    return first
