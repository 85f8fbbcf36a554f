"""The one place a PuLP model meets a solver: HiGHS by default, CBC as the alternative.

PuLP reports HiGHS "Optimal" even when a time limit stopped the search, so the outcome here
is read from the solver itself: HiGHS's model status and its MIP dual bound (highspy
``getInfo().mip_dual_bound``). PuLP's CBC interface does not return CBC's bound, so for CBC
the bound is the LP relaxation's optimum (valid, but weaker than a branch-and-bound bound),
raised to objective x (1 - gap_rel) when CBC reports it stopped on the gap, which is what
CBC's "Optimal" guarantees.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import pulp

from scheduling.errors import SchedulingError


def _silence_banner() -> None:
    """HiGHS prints a banner from the first Highs() of a process, before any option can stop it
    (--quiet would not be quiet); that first one is made here with standard output shut."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_silence_banner()

SOLVERS = ("highs", "cbc")
LP_SOLVERS = ("choose", "simplex", "ipm")

_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "unbounded_or_infeasible",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kSolutionLimit: "solution_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
    highspy.HighsModelStatus.kMemoryLimit: "memory_limit",
}
_CBC_STATUS = {
    pulp.LpSolutionOptimal: "optimal",
    pulp.LpSolutionIntegerFeasible: "feasible",  # stopped early (e.g. time limit) with a solution
    pulp.LpSolutionInfeasible: "infeasible",
    pulp.LpSolutionUnbounded: "unbounded",
    pulp.LpSolutionNoSolutionFound: "not_solved",
}


@dataclass(frozen=True)
class SolverOptions:
    """How to run the solver.

    gap_rel: stop once the solution is proven within this share of the optimum.
    threads defaults to 1 so that the same model gives the same solution on any machine.
    A time limit that actually stops the search makes the answer depend on machine speed.
    write_mps, if set, is where the model is written (before solving) for inspection.
    warm_start: start the search from the variables' current values (a MIP start).
    gap_abs: also stop once the solution is proven within this absolute amount of the optimum
    (None: no absolute criterion). Just under 1 proves optimality for integral objectives.
    lp_solver: HiGHS's algorithm for pure LPs ("choose", "simplex", "ipm"); interior point is
    several times faster on large, dense rostering relaxations. Meant for pure LPs; CBC ignores it.
    crossover: False stops interior point at its optimum without moving to a vertex (HiGHS
    run_crossover=off): the objective, a bound, is the same to solver tolerance and comes sooner
    (about 30% less time on the 120-handler roster's relaxation); the values are interior.
    """

    solver: str = "highs"
    time_limit_s: float | None = 120.0
    gap_rel: float = 0.01
    threads: int = 1
    msg: bool = False
    write_mps: Path | None = None
    warm_start: bool = False
    gap_abs: float | None = None
    lp_solver: str = "choose"
    crossover: bool = True

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise SchedulingError(f"SolverOptions.solver must be one of {SOLVERS}, got {self.solver!r}")
        if self.time_limit_s is not None and not (_finite(self.time_limit_s) and self.time_limit_s > 0):
            raise SchedulingError(
                f"SolverOptions.time_limit_s must be > 0 seconds or None, got {self.time_limit_s!r}"
            )
        if not (_finite(self.gap_rel) and 0 <= self.gap_rel < 1):
            raise SchedulingError(
                f"SolverOptions.gap_rel must satisfy 0 <= gap_rel < 1, got {self.gap_rel!r}"
            )
        if self.gap_abs is not None and not (_finite(self.gap_abs) and self.gap_abs >= 0):
            raise SchedulingError(f"SolverOptions.gap_abs must be >= 0 or None, got {self.gap_abs!r}")
        if self.lp_solver not in LP_SOLVERS:
            raise SchedulingError(f"SolverOptions.lp_solver must be one of {LP_SOLVERS}, got {self.lp_solver!r}")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1:
            raise SchedulingError(f"SolverOptions.threads must be an integer >= 1, got {self.threads!r}")
        for flag in ("msg", "warm_start", "crossover"):
            if not isinstance(getattr(self, flag), bool):
                value = getattr(self, flag)
                raise SchedulingError(f"SolverOptions.{flag} must be True or False, got {value!r}")
        if self.write_mps is not None and not isinstance(self.write_mps, (str, Path)):
            raise SchedulingError(f"SolverOptions.write_mps must be a path or None, got {self.write_mps!r}")


@dataclass(frozen=True)
class SolveOutcome:
    """What the solver achieved.

    status        "optimal" (within gap_rel), "time_limit", "feasible" (CBC stopped early),
                  "infeasible", "unbounded", "not_solved", ...
    objective     objective of the solution found (None without one)
    best_bound    proven bound on the optimum (None if unknown)
    gap           |objective - best_bound| / |objective|, computed here, not taken from PuLP
    """

    solver: str
    status: str
    has_solution: bool
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def solve(problem: pulp.LpProblem, options: SolverOptions) -> SolveOutcome:
    """Solve ``problem`` in place (variables get their values) and report how well it went."""
    if options.write_mps is not None:
        problem.writeMPS(str(options.write_mps))
    started = time.perf_counter()
    if options.solver == "highs":
        status, has_solution, bound = _solve_highs(problem, options)
    else:
        status, has_solution, bound = _solve_cbc(problem, options)
    seconds = time.perf_counter() - started
    objective = float(problem.objective.value()) if has_solution else None
    return SolveOutcome(
        solver=options.solver,
        status=status,
        has_solution=has_solution,
        objective=objective,
        best_bound=bound,
        gap=relative_gap(objective, bound, problem.sense),
        seconds=seconds,
    )


def relative_gap(objective: float | None, bound: float | None, sense: int = pulp.LpMinimize) -> float | None:
    """Share of the objective by which it may exceed (minimise) the optimum; 0 when proven optimal."""
    if objective is None or bound is None:
        return None
    slack = (objective - bound) if sense == pulp.LpMinimize else (bound - objective)
    if slack <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return slack / max(abs(objective), 1e-9)


def _solve_highs(problem: pulp.LpProblem, options: SolverOptions) -> tuple[str, bool, float | None]:
    # HiGHS keeps one thread pool per process and refuses to run (status "Not Set") when a later
    # solve asks for a different number of threads, so the pool is rebuilt for every solve.
    highspy.Highs.resetGlobalScheduler(True)
    problem.solve(_highs(options, mip=True))
    highs = problem.solverModel
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    status = _HIGHS_STATUS.get(model_status, highs.modelStatusToString(model_status))
    has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    constant = problem.objective.constant
    if not problem.isMIP():
        bound = float(info.objective_function_value) + constant if status == "optimal" else None
    elif math.isfinite(info.mip_dual_bound):
        bound = float(info.mip_dual_bound) + constant
    else:
        bound = _relaxation_bound(problem, _highs(options, mip=False))
    return status, has_solution, bound


class _WarmHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface with the variables' current values passed as a MIP start."""

    def callSolver(self, lp):
        variables = lp.variables()
        values = [0.0] * len(variables)
        for v in variables:
            values[v.index] = float(v.varValue or 0.0)
        start = highspy.HighsSolution()
        start.col_value = values
        lp.solverModel.setSolution(start)
        super().callSolver(lp)


def _highs(options: SolverOptions, *, mip: bool) -> pulp.HiGHS:
    kind = _WarmHiGHS if (mip and options.warm_start) else pulp.HiGHS
    extra = {"solver": options.lp_solver} if options.lp_solver != "choose" else {}
    if not options.crossover:
        extra["run_crossover"] = "off"
    return kind(
        **extra,
        mip=mip,
        msg=options.msg,
        timeLimit=options.time_limit_s,
        gapRel=options.gap_rel,
        gapAbs=options.gap_abs,
        threads=options.threads,
    )


def _solve_cbc(problem: pulp.LpProblem, options: SolverOptions) -> tuple[str, bool, float | None]:
    bound = _relaxation_bound(problem, _cbc(options, mip=False)) if problem.isMIP() else None
    problem.solve(_cbc(options, mip=True))
    status = _CBC_STATUS.get(problem.sol_status, "not_solved")
    has_solution = status in ("optimal", "feasible")
    if status == "optimal":
        objective = float(problem.objective.value())
        proven = objective - max(options.gap_rel * abs(objective), options.gap_abs or 0.0)
        bound = proven if bound is None else max(bound, proven)
    return status, has_solution, bound


def _cbc(options: SolverOptions, *, mip: bool) -> pulp.COIN_CMD:
    # COIN_CMD with the CBC binary bundled in PuLP: PULP_CBC_CMD itself is deprecated.
    path = shutil.which("cbc") or pulp.PULP_CBC_CMD.pulp_cbc_path
    return pulp.COIN_CMD(
        path=path,
        mip=mip,
        msg=options.msg,
        timeLimit=options.time_limit_s,
        gapRel=options.gap_rel,
        gapAbs=options.gap_abs,
        threads=options.threads,
        warmStart=mip and options.warm_start,
    )


def _relaxation_bound(problem: pulp.LpProblem, lp_solver: pulp.LpSolver) -> float | None:
    """Optimum of the LP relaxation, leaving the problem's variable values and status as they were."""
    saved_values = {v.name: v.varValue for v in problem.variables()}
    saved_status = (problem.status, problem.sol_status)
    problem.solve(lp_solver)
    bound = float(problem.objective.value()) if problem.status == pulp.LpStatusOptimal else None
    for v in problem.variables():
        v.varValue = saved_values[v.name]
    problem.status, problem.sol_status = saved_status
    return bound


@dataclass(frozen=True, eq=False)  # holds an array
class ArrayOutcome:
    """What HiGHS achieved on a model given as arrays (see solve_arrays).

    values  the solution's column values (None without a solution)
    status, objective, best_bound, gap, seconds as in SolveOutcome; ``watchdog`` is True when the
    solve had to be interrupted because HiGHS overran its own time limit.
    """

    status: str
    values: object
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    watchdog: bool = False


# HiGHS does not check its time limit everywhere (a huge presolve, some root heuristics); the
# watchdog kills the solve once it is this much past the limit.
WATCHDOG_GRACE = (1.0, 5.0)  # factor, then seconds added: incumbents are kept, so little is lost


def solve_arrays(cost, lower, upper, integer, matrix, row_lower, row_upper, options: SolverOptions,
                 start=None, highs_options: dict | None = None) -> ArrayOutcome:
    """Minimise cost @ v over a MIP given as arrays (matrix: scipy sparse), with HiGHS directly.

    Going round PuLP avoids its per-variable Python objects on models with 10^4-10^5 columns.
    HiGHS runs in a child process that reports every improving solution; if it is still running
    well past its time limit (WATCHDOG_GRACE) the process is killed and the last solution it
    reported is returned. HiGHS does not check its time limit, nor user interrupts, everywhere:
    on the demo week it once sat in a root-node rounding heuristic for minutes past a 240 s limit.
    ``start``, if given, is a feasible solution handed to HiGHS as its first incumbent;
    ``highs_options`` are further HiGHS options by name (e.g. mip_heuristic_effort).
    """
    import multiprocessing

    import numpy as np

    if options.solver != "highs":
        raise SchedulingError(f"this roster model needs solver 'highs', got {options.solver!r}")
    problem = (np.asarray(cost, float), np.asarray(lower, float), np.asarray(upper, float),
               np.asarray(integer, bool), matrix, np.asarray(row_lower, float), np.asarray(row_upper, float))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    began = time.perf_counter()
    worker = context.Process(target=_solve_in_child, args=(send, problem, options, start, highs_options), daemon=True)
    worker.start()
    send.close()
    deadline = None
    if options.time_limit_s is not None:
        factor, extra = WATCHDOG_GRACE
        deadline = began + options.time_limit_s * factor + extra
    best, final, fired = None, None, False
    while final is None:
        wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.perf_counter()))
        if receive.poll(wait):
            try:
                message = receive.recv()
            except EOFError:  # the child died without a word
                break
            if message[0] == "incumbent":
                best = message[1:]
            else:
                final = message[1:]
        elif not worker.is_alive():
            break
        elif deadline is not None and time.perf_counter() > deadline:
            worker.kill()
            fired = True
            break
    worker.join()
    receive.close()
    seconds = time.perf_counter() - began
    if final is not None:
        status, values, objective, bound = final
    else:
        status = "time_limit" if fired else "not_solved"
        values, objective, bound = (None, None, None) if best is None else (best[0], best[1], best[2])
    return ArrayOutcome(status, values, objective, bound, relative_gap(objective, bound), seconds, fired)


def _solve_in_child(send, problem, options: SolverOptions, start, highs_options) -> None:
    """Solve in this (child) process and send ("incumbent", values, objective, bound) messages,
    then ("done", status, values, objective, bound)."""
    import math as _math

    import numpy as np
    from scipy import sparse

    cost, lower, upper, integer, matrix, row_lower, row_upper = problem
    highspy.Highs.resetGlobalScheduler(True)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", bool(options.msg))
    highs.setOptionValue("threads", int(options.threads))
    highs.setOptionValue("mip_rel_gap", float(options.gap_rel))
    highs.setOptionValue("random_seed", 0)
    if options.gap_abs is not None:
        highs.setOptionValue("mip_abs_gap", float(options.gap_abs))
    if options.time_limit_s is not None:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
    if options.lp_solver != "choose":
        highs.setOptionValue("solver", options.lp_solver)
    if not options.crossover:
        highs.setOptionValue("run_crossover", "off")
    for name, value in (highs_options or {}).items():
        highs.setOptionValue(name, value)
    csc = sparse.csc_matrix(matrix)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(csc.shape[1]), int(csc.shape[0])
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    mip = bool(integer.any())
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    highs.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(np.asarray(start, dtype=float))
        highs.setSolution(solution)
    if mip:
        def improving(event) -> None:
            out = event.data_out
            bound = float(out.mip_dual_bound) if _math.isfinite(out.mip_dual_bound) else None
            send.send(("incumbent", np.array(out.mip_solution, dtype=float), float(out.objective_function_value), bound))

        highs.cbMipImprovingSolution.subscribe(improving)
    highs.run()
    info = highs.getInfo()
    model_status = highs.getModelStatus()
    status = _HIGHS_STATUS.get(model_status, highs.modelStatusToString(model_status))
    has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    values = np.asarray(highs.getSolution().col_value, dtype=float) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    if not mip:
        bound = objective if status == "optimal" else None
    else:
        bound = float(info.mip_dual_bound) if _math.isfinite(info.mip_dual_bound) else None
    send.send(("done", status, values, objective, bound))
    send.close()
