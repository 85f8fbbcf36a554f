"""controlroom: simulation stage.

A discrete-event simulation (SimPy) that replays a roster call by call against demand. One module
per concept:

    config      QueueConfig, SimulationConfig: what to simulate
    timeline    the clock: seconds on real time, uniform intervals, tz-aware at the edges
    arrivals    demand table -> calls offered (non-homogeneous Poisson, handle times, patience)
    staffing    shifts or agents per interval -> handlers' availability windows and skills
    routing     the queueing discipline (priority lines, longest-idle handler, lazy abandonment)
    handler     a handler's day as a SimPy process
    model       one replication: the SimPy environment
    records     flat call records
    kpi         per-interval KPIs, occupancy, summaries with confidence intervals
    result      SimulationResult
    runner      simulate(): seeded replications
"""

from .config import QueueConfig, SimulationConfig
from .errors import SimulationError
from .kpi import mean_ci
from .result import SimulationResult
from .runner import replication_streams, simulate

__all__ = ["QueueConfig", "SimulationConfig", "SimulationError", "SimulationResult", "mean_ci",
           "replication_streams", "simulate"]
