"""controlroom: simulation stage.

A discrete-event simulation (SimPy) that replays a roster call by call against demand. One module
per concept:

    config      QueueConfig, SimulationConfig, Abstraction, PullOuts: what to simulate
    patience    EmpiricalPatience, estimate_patience (Kaplan-Meier from a call log)
    timeline    the clock: seconds on real time, uniform intervals, tz-aware at the edges
    arrivals    demand table -> calls offered (non-homogeneous Poisson, handle times, patience)
    replay      a real call log -> the same calls offered in every replication
    staffing    shifts or agents per interval -> handlers' availability windows and skills;
                abstraction and pull-outs cut out of them
    behaviour   redials, repeat calls, callbacks: per-call flags and calls made during the run
    routing     the queueing discipline (priority lines, callback lines, longest-idle handler,
                lazy abandonment)
    handler     a handler's day as a SimPy process
    model       one replication: the SimPy environment
    records     flat call records
    kpi         per-interval KPIs, occupancy, summaries with confidence intervals
    result      SimulationResult
    executor    where replications run: this process, local processes, a Dask cluster
    runner      simulate(): seeded replications; simulate_batch(): several runs on one executor
    trace       trace-driven checks: staff inferred from a log, observed vs simulated
"""

from .config import Abstraction, PullOuts, QueueConfig, SimulationConfig
from .errors import SimulationError
from .kpi import mean_ci
from .patience import EmpiricalPatience, estimate_patience
from .result import SimulationResult
from .runner import replication_streams, simulate, simulate_batch

__all__ = ["Abstraction", "EmpiricalPatience", "PullOuts", "QueueConfig", "SimulationConfig", "SimulationError",
           "SimulationResult", "estimate_patience", "mean_ci", "replication_streams", "simulate",
           "simulate_batch"]
