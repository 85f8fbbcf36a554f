"""controlroom: scheduling stage.

demand -> staffing.requirement (Erlang C / Erlang A per interval) -> staffing.pooled_heads
-> roster.build_roster (integer program solved by HiGHS through PuLP) -> RosterResult.
"""

from scheduling.errors import SchedulingError
from scheduling.roster import RosterResult, build_roster
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolveOutcome, SolverOptions, solve
from scheduling.staffing import QueueTarget, pooled_heads, requirement

__all__ = [
    "QueueTarget",
    "RosterResult",
    "SchedulingError",
    "ShiftTemplate",
    "SolveOutcome",
    "SolverOptions",
    "build_roster",
    "pooled_heads",
    "requirement",
    "solve",
]
