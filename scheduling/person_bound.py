"""A lower bound from the roster decomposed person by person, handed to the named-roster model
as one valid inequality per person (a Lagrangian cut).

When people are tied together only by day cover (no interval cover, no fairness measure), the
named-roster model is a set of one-person models joined by the cover rows. Its LP relaxation is
weak there: a person can be worked "half a pattern" that no rule allows, and on Curtois-Qu
Instance 4 the LP proves 1261 of the optimum 1716. The Dantzig-Wolfe bound, the LP over whole
rule-abiding patterns per person, is far stronger (1716 exactly on Instance 4); it is computed
here by column generation whose pricing problem is the same one-person model (build_model on a
problem holding that person alone), so the rules are stated once.

What reaches the full model: for cover duals pi, every pattern of person p satisfies
    own_cost_p(x) - sum_{d,s} pi[d,s] x[p,d,s] >= z_p,
z_p being the pricing problem's proven minimum. These rows are valid for every roster, and with
them the full model's LP relaxation is at least the Lagrangian bound
    L(pi) = sum_p z_p + sum_{d,s} (pi r + min over under/over of their priced cost),
which at the column generation's optimum is the Dantzig-Wolfe bound: a one-row-per-person
strengthening that HiGHS then branches on. The restricted master solved with whole patterns
gives a roster to start from.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pulp

from scheduling.people import RosterProblem
from scheduling.solver import SolverOptions, solve

PRICING_LIMIT_S = 5.0  # one person's pricing problem: tiny, but must not eat the budget
MAX_ROUNDS = 200
EXTRA_COLUMNS = 3  # improving patterns kept from each pricing solve besides the best
SMOOTHING = 0.5  # weight of the best duals so far in the pricing point


@dataclass(frozen=True)
class PersonBound:
    """bound: the best Lagrangian bound proven (None if none was); master: the restricted
    master LP's optimum at the end (the bound cannot exceed it); rounds, columns: column
    generation's work; roster: the best whole-pattern roster found in the columns as
    {(person, day, shift)} (None if none); roster_cost: its objective; cuts: rows added."""

    bound: float | None
    master: float | None
    rounds: int
    columns: int
    roster: frozenset | None
    roster_cost: float | None
    cuts: int
    seconds: float


@dataclass(frozen=True, eq=False)
class Cut:
    """own_cost(x) - sum pi[d, s] x[d, s] >= z for one person, by variable name: ``own`` maps
    names to cost coefficients (plus ``constant``), ``x_names`` (day, shift) to the x names."""

    own: dict
    constant: float
    x_names: dict
    pi: dict
    z: float


def applies(problem: RosterProblem) -> bool:
    """True when day cover is all that ties people together (the benchmark's case)."""
    f = problem.fairness
    return problem.interval_cover is None and not f.night_weight and not f.weekend_weight and bool(problem.day_cover)


class _Pricing:
    """One person's model, loaded into HiGHS once; each round changes only the x costs."""

    def __init__(self, problem: RosterProblem, person, options: SolverOptions):
        from scheduling.named_roster import build_model  # named_roster imports this module lazily

        alone = RosterProblem(horizon=problem.horizon, shifts=problem.shifts, people=(person,), rules=problem.rules,
                              interval_min=problem.interval_min, first_weekday=problem.first_weekday,
                              requests=tuple(r for r in problem.requests if r.person == person.id),
                              start_preferences=tuple(s for s in problem.start_preferences if s.person == person.id))
        self.model = build_model(alone)
        self.own = pulp.lpSum(self.model.parts.values())
        self.model.problem.setObjective(self.own)
        first = solve(self.model.problem, options)  # loads the model; prices pi = 0
        self.feasible = first.has_solution
        self.highs = self.model.problem.solverModel
        self.variables = sorted(self.model.problem.variables(), key=lambda v: v.index)
        self.cost = np.zeros(len(self.variables))
        for v, c in self.own.items():
            self.cost[v.index] = c
        self.constant = float(self.own.constant)
        self.x_index = np.array([v.index for v in self.model.x.values()], dtype=np.int32)
        self.x_keys = list(self.model.x)
        # restarts after presolve cost more than they save on a model this small
        self.highs.setOptionValue("mip_allow_restart", False)
        self.highs.setOptionValue("mip_improving_solution_save", EXTRA_COLUMNS > 0)
        pattern = self._pattern(np.array([v.varValue or 0.0 for v in self.variables]))
        self.first = (first.best_bound, pattern, _own_cost(self, pattern), [])

    def price(self, pi: dict) -> tuple[float, frozenset, float]:
        """(proven minimum of own cost - pi.x, the best pattern, that pattern's own cost)."""
        shifted = self.cost[self.x_index] - np.array([pi.get((d, s), 0.0) for (_, d, s) in self.x_keys])
        self.highs.changeColsCost(len(self.x_index), self.x_index, shifted)
        self.highs.run()
        info = self.highs.getInfo()
        values = np.array(self.highs.getSolution().col_value)
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else -math.inf
        others = []
        if EXTRA_COLUMNS:
            # the improving solutions HiGHS met on the way: more patterns for the master at no
            # extra solve, which saves rounds
            for saved in self.highs.getSavedMipSolutions()[-EXTRA_COLUMNS - 1:-1]:
                col = np.array(saved.col_value)
                others.append((self._pattern(col), float(self.cost @ col) + self.constant))
        return bound + self.constant, self._pattern(values), float(self.cost @ values) + self.constant, others

    def cut_terms(self) -> tuple[dict, float, dict]:
        """The person's cut without pi and z: own cost by variable name, constant, x names."""
        own = {v.name: c for v, c in self.own.items() if c}
        return own, self.constant, {(d, s): v.name for (_, d, s), v in self.model.x.items()}

    def _pattern(self, values) -> frozenset:
        return frozenset(key for key, i in zip(self.x_keys, self.x_index) if values[i] > 0.5)


class _Pool:
    """The pricing problems, split between worker processes (one per solver thread): each round
    is one pricing problem per person, independent of the others, so two cores halve it."""

    def __init__(self, problem: RosterProblem, options: SolverOptions):
        ids = [p.id for p in problem.people]
        n = max(1, min(options.threads, len(ids)))
        shares = [ids[i::n] for i in range(n)]
        single = replace(options, threads=1)
        self.local, self.pipes, self.workers = None, [], []
        if n == 1:
            self.local = {pid: _Pricing(problem, _person(problem, pid), single) for pid in ids}
            self.info = {pid: (pr.feasible, pr.first, pr.cut_terms()) for pid, pr in self.local.items()}
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.info = {}
        for share in shares:
            mine, theirs = context.Pipe()
            worker = context.Process(target=_work, args=(theirs, problem, share, single), daemon=True)
            worker.start()
            theirs.close()
            self.pipes.append(mine)
            self.workers.append(worker)
        for pipe in self.pipes:
            self.info.update(pipe.recv())

    def price(self, pi: dict) -> dict:
        if self.local is not None:
            return {pid: pr.price(pi) for pid, pr in self.local.items()}
        for pipe in self.pipes:
            pipe.send(pi)
        out = {}
        for pipe in self.pipes:
            out.update(pipe.recv())
        return out

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(None)
            except OSError:  # the worker is gone already
                pass
            pipe.close()
        for worker in self.workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()


def _person(problem: RosterProblem, pid: str):
    return next(p for p in problem.people if p.id == pid)


def _work(pipe, problem: RosterProblem, ids: list, options: SolverOptions) -> None:
    """A worker process: build its people's pricing problems, then price each pi it is sent."""
    highspy.Highs.resetGlobalScheduler(True)
    pricers = {pid: _Pricing(problem, _person(problem, pid), options) for pid in ids}
    pipe.send({pid: (pr.feasible, pr.first, pr.cut_terms()) for pid, pr in pricers.items()})
    while True:
        pi = pipe.recv()
        if pi is None:
            break
        pipe.send({pid: pr.price(pi) for pid, pr in pricers.items()})
    pipe.close()


class _Master:
    """The restricted master LP: whole patterns per person (convexity rows) against cover rows
    with priced shortfall and surplus."""

    def __init__(self, problem: RosterProblem, people: list[str], threads: int):
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)  # a small LP; the cores go to the pricing workers
        self.rows = {(c.day, c.shift): i for i, c in enumerate(problem.day_cover)}
        self.cover = list(problem.day_cover)
        n = len(self.cover)
        self.convexity = {pid: n + i for i, pid in enumerate(people)}
        required = np.array([c.required for c in self.cover] + [1] * len(people), dtype=float)
        self.h.addRows(len(required), required, required, 0, np.array([], dtype=np.int32),
                       np.array([], dtype=np.int32), np.array([], dtype=float))
        for i, c in enumerate(self.cover):
            self.h.addCol(c.under_weight, 0.0, float(c.required - c.floor), 1, np.array([i], np.int32), np.array([1.0]))
            self.h.addCol(c.over_weight, 0.0, highspy.kHighsInf, 1, np.array([i], np.int32), np.array([-1.0]))
        self.columns: list[tuple[str, frozenset, float]] = []
        self.seen: set = set()

    def add(self, pid: str, pattern: frozenset, cost: float) -> bool:
        if (pid, pattern) in self.seen:
            return False
        self.seen.add((pid, pattern))
        rows = sorted({self.rows[d, s] for (_, d, s) in pattern if (d, s) in self.rows} | {self.convexity[pid]})
        self.h.addCol(cost, 0.0, highspy.kHighsInf, len(rows), np.array(rows, np.int32), np.ones(len(rows)))
        self.columns.append((pid, pattern, cost))
        return True

    def solve(self) -> tuple[float, dict, dict]:
        self.h.run()
        duals = self.h.getSolution().row_dual
        pi = {key: float(duals[i]) for key, i in self.rows.items()}
        mu = {pid: float(duals[i]) for pid, i in self.convexity.items()}
        return float(self.h.getInfo().objective_function_value), pi, mu

    def cover_term(self, pi: dict) -> float:
        """sum over cover rows of pi r + the least the shortfall and surplus can cost at pi."""
        total = 0.0
        for c in self.cover:
            p = pi[c.day, c.shift]
            total += p * c.required + min(0.0, (c.under_weight - p) * (c.required - c.floor))
            if c.over_weight + p < -1e-9:
                return -math.inf  # surplus would pay: no bound at these duals
        return total

    def best_roster(self, time_limit_s: float, threads: int) -> tuple[frozenset | None, float | None]:
        """The restricted master with whole patterns: a roster from the columns generated."""
        first = 2 * len(self.cover)
        n = self.h.getNumCol() - first
        self.h.changeColsIntegrality(n, np.arange(first, first + n, dtype=np.int32),
                                     np.array([highspy.HighsVarType.kInteger] * n))
        self.h.setOptionValue("time_limit", float(max(0.5, time_limit_s)))
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.run()
        if self.h.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return None, None
        values = self.h.getSolution().col_value
        chosen = frozenset(key for j, (_, pattern, _) in enumerate(self.columns) if values[first + j] > 0.5
                           for key in pattern)
        return chosen, float(self.h.getInfo().objective_function_value)


def person_bound(problem: RosterProblem, options: SolverOptions, stop: float,
                 integral: bool = False, progress=None) -> tuple[PersonBound, list]:
    """Column generation until the bound meets the master (rounded up when ``integral``) or the
    clock reaches ``stop``. Returns the outcome and one Cut per person at the best bound's
    duals, for add_cuts."""
    started = time.perf_counter()
    highspy.Highs.resetGlobalScheduler(True)
    pricing_options = replace(options, time_limit_s=PRICING_LIMIT_S, gap_rel=0.0, gap_abs=None, warm_start=False,
                              msg=False, write_mps=None)
    pool = None
    try:
        pool = _Pool(problem, pricing_options)
        return _generate(problem, pool, options, stop, integral, progress, started)
    except (EOFError, OSError):  # a pricing worker died: no bound, and the full model goes on alone
        return PersonBound(None, None, 0, 0, None, None, 0, time.perf_counter() - started), []
    finally:
        if pool is not None:
            pool.close()


def _generate(problem, pool: _Pool, options: SolverOptions, stop: float, integral: bool, progress, started: float):
    if not all(feasible for feasible, _, _ in pool.info.values()):
        return PersonBound(None, None, 0, 0, None, None, 0, time.perf_counter() - started), []
    master = _Master(problem, list(pool.info), options.threads)
    for pid, (_, (z, pattern, cost, _), _) in pool.info.items():
        master.add(pid, pattern, cost)
    best, best_cuts, centre, value, rounds = -math.inf, [], None, None, 0
    alpha = SMOOTHING
    while rounds < MAX_ROUNDS and time.perf_counter() < stop:
        rounds += 1
        value, pi, mu = master.solve()
        # Wentges smoothing: price at a point between the best duals so far and the master's,
        # which damps the duals' swings (the usual slow tail of column generation)
        at = pi if centre is None else {k: alpha * centre[k] + (1 - alpha) * pi[k] for k in pi}
        priced = pool.price(at)
        bound = sum(z for z, _, _, _ in priced.values()) + master.cover_term(at)
        if bound > best:
            best, centre = bound, at
            best_cuts = [Cut(*pool.info[pid][2], at, z) for pid, (z, _, _, _) in priced.items() if math.isfinite(z)]
        if progress is not None:
            progress(f"column generation round {rounds}: master {value:.2f}, bound {best:.2f}")
        if _closed(best, value, integral):
            break
        added = [master.add(pid, pattern, cost) for pid, (_, best_pattern, best_cost, others) in priced.items()
                 for pattern, cost in [(best_pattern, best_cost)] + others
                 if cost - sum(pi.get((d, s), 0.0) for (_, d, s) in pattern) < mu[pid] - 1e-7]
        if not any(added):
            if alpha == 0.0:
                break  # no pattern prices out at the master's own duals: the master is optimal
            alpha = 0.0 if alpha < 0.1 else alpha / 2  # mispriced: trust the master more
    roster, cost = master.best_roster(max(0.5, min(5.0, stop - time.perf_counter())), options.threads)
    outcome = PersonBound(best if math.isfinite(best) else None, value, rounds, len(master.columns), roster, cost,
                          len(best_cuts), time.perf_counter() - started)
    return outcome, best_cuts


def _closed(bound: float, master: float, integral: bool) -> bool:
    """No more column generation can raise the bound that matters: the master's value is the
    most it can reach; with whole-number costs only the bound rounded up counts."""
    if integral:
        return math.ceil(bound - 1e-6) >= math.ceil(master - 1e-6)
    return bound >= master - 1e-6 * max(1.0, abs(master))


def _own_cost(pricer: _Pricing, pattern: frozenset) -> float:
    values = np.zeros(len(pricer.variables))
    for key, i in zip(pricer.x_keys, pricer.x_index):
        values[i] = 1.0 if key in pattern else 0.0
    # auxiliary columns (work, weekends) carry no cost in the decomposable case
    return float(pricer.cost @ values) + pricer.constant


def add_cuts(model, cuts: list) -> int:
    """Add each person's Lagrangian cut (from person_bound) to the full named-roster model, whose
    variables have the same names as the one-person model's; returns the rows added."""
    by_name = model.problem.variablesDict()
    lp = model.problem
    for i, cut in enumerate(cuts):
        terms = {by_name[name]: c for name, c in cut.own.items()}
        for (d, s), name in cut.x_names.items():
            full = by_name[name]
            terms[full] = terms.get(full, 0.0) - cut.pi.get((d, s), 0.0)
        expr = pulp.LpAffineExpression([(v, c) for v, c in terms.items() if c], constant=cut.constant)
        # a hair below z: the row must not cut off a roster through rounding in z itself
        lp += expr >= cut.z - 1e-7 * max(1.0, abs(cut.z)), f"personbound_{i}"
    return len(cuts)
