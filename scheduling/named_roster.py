"""The named-person rostering integer program: x[person, day, shift] = 1 if they work it.

One model for control-room rosters and for the Curtois-Qu benchmark. Formulation choices:
- Variables exist only where the person may work (skill, per-type maximum above 0, not a
  day off), so leave and fixed days off cost nothing to state.
- Runs use the strong "start of a run" forms: a run starting on day d (worked d, not d-1)
  forces days d+1..d+k-1 worked (w[d] - w[d-1] <= w[d+j]); the same for days off. Maximum
  runs are sliding windows of k+1 days. With rules.min_runs_open_ends (the benchmark's
  convention) runs touching the first or last day are exempt from the minimums.
- Forbidden successions are aggregated per (person, day, shift): the shift plus every shift
  it forbids on the next day sum to at most 1.
- Cover is soft (under/over per head, per day and shift or per interval and skill) with an
  optional hard floor; people with both skills are split between 999 and 101 per interval.
- Fairness: the most nights / weekends any one person works, weighted.

Constraint names say what they mean: one_<p>_<d>, rest_<p>_<d>_<s>, maxshift_<p>_<s>,
minminutes_<p>, maxminutes_<p>, maxcons_<p>_<d>, mincons_<p>_<d>_<j>, minoff_<p>_<d>_<j>,
weeklyrest_<p>_<d>, weekend_<p>_<w>_<d>, maxweekends_<p>, cover_<d>_<s>, icover_<k>_<t>, flex_<t>;
in an elastic model also floor_<d>_<s> and ifloor_<k>_<t> (cover floors).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

import pandas as pd
import pulp

from scheduling.errors import SchedulingError
from scheduling.people import SKILLS, RosterProblem, worked_intervals
from scheduling.named_search import fix_and_optimize, neighbourhoods, skill_groups
from scheduling.rules import PARTS
from scheduling.solver import SolveOutcome, SolverOptions, relative_gap, solve


@dataclass(frozen=True, eq=False)
class NamedModel:
    problem: pulp.LpProblem
    x: dict  # (person, day, shift) -> binary variable
    parts: dict  # part name -> LpAffineExpression (objective = their sum)
    # elastic models only: constraint name -> slack variable of a hard rule made soft
    slack: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class NamedRosterResult:
    """roster: person, day, shift rows (empty without a solution); parts: the objective in
    its parts as the model values them; outcome: status, objective, proven bound and gap."""

    roster: pd.DataFrame
    parts: dict[str, float]
    outcome: SolveOutcome
    # relaxed: the hard rules conflicted, so this roster is the elastic model's (floors or
    # contracted minimum hours broken where they had to be); notes: where the roster falls short
    # and which rules bind (scheduling.named_explain)
    relaxed: bool = False
    notes: tuple[str, ...] = ()
    # (seconds, stage, objective, bound) as the LP-guided start went: where the gap comes from
    trace: tuple[tuple[float, str, float | None, float | None], ...] = ()

    @property
    def objective(self) -> float | None:
        return self.outcome.objective

    @property
    def best_bound(self) -> float | None:
        return self.outcome.best_bound


def _name(*parts) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "", str(p)) or "x" for p in parts)


def build_model(problem: RosterProblem, *, elastic: bool = False, aggregate: bool = True,
                contract_hull: bool = True) -> NamedModel:
    """The integer program for ``problem`` (not solved).

    elastic: the hard rules that can conflict get a slack variable at a price above any roster's
    cost (cover floors, contracted minimum hours), so a roster always exists; every other hard
    rule only forbids work, so an empty roster already meets it. ``NamedModel.slack`` maps each
    such constraint's name to its slack.
    aggregate: interval cover through per-(skill group, day, shift) counts (_shift_counts);
    False keeps the earlier per-person form, for comparison.
    contract_hull: with soft contracts, rows that price the hours whole shifts can reach
    (_contract_hull); they raise the LP bound and leave the optimum unchanged.
    """
    lp = pulp.LpProblem("named_roster", pulp.LpMinimize)
    slack: dict = {}
    price = elastic_price(problem) if elastic else None
    H = problem.horizon
    x = {}
    for p in problem.people:
        for s in problem.shifts:
            if not p.may_work(s):
                continue
            for d in range(H):
                if d not in p.days_off:
                    x[p.id, d, s.id] = lp.add_variable(_name("x", p.id, d, s.id), cat="Binary")
    by_pd = defaultdict(list)
    for (pid, d, sid), var in x.items():
        by_pd[pid, d].append(var)
    # work[p, d] = 1 if p works day d: one variable per person-day keeps the run, weekend and
    # weekly-rest rows short (one nonzero per day instead of one per shift type).
    work = {}
    for p in problem.people:
        for d in range(H):
            if len(by_pd[p.id, d]) > 1:
                work[p.id, d] = lp.add_variable(_name("work", p.id, d), lowBound=0, upBound=1)
                lp += work[p.id, d] == pulp.lpSum(by_pd[p.id, d]), _name("one", p.id, d)
            else:
                work[p.id, d] = pulp.lpSum(by_pd[p.id, d])
    parts = {name: pulp.LpAffineExpression() for name in PARTS}

    by_person = defaultdict(dict)  # person -> {(day, shift): var}, so per-person sums stay linear
    for (pid, d, sid), var in x.items():
        by_person[pid][d, sid] = var
    for p in problem.people:
        _person_rules(lp, problem, p, x, by_person[p.id], work, parts, slack if elastic else None, contract_hull)
    _requests(problem, x, work, parts)
    _cost(problem, x, parts)
    _fairness(lp, problem, by_person, work, parts)
    _day_cover(lp, problem, x, parts, slack if elastic else None)
    if problem.interval_cover is not None:
        _interval_cover(lp, problem, x, parts, slack if elastic else None, aggregate)
    lp += pulp.lpSum(parts.values()) + (price or 0) * pulp.lpSum(slack.values())
    return NamedModel(lp, x, parts, slack)


def elastic_price(problem: RosterProblem) -> float:
    """Price of one unit of hard-rule slack (a head-interval below a floor, a minute short of
    contracted hours): more than any roster could save by it, so slack is used only where no
    roster meets the rule."""
    weights = [1.0] + [r.weight for r in problem.requests] + [p.weight for p in problem.start_preferences]
    weights += [w for c in problem.day_cover for w in (c.under_weight, c.over_weight)]
    weights += [problem.fairness.night_weight, problem.fairness.weekend_weight, problem.rules.hours_short_weight or 0]
    weights += [p.hourly_cost * 24 for p in problem.people]
    if problem.interval_cover is not None:
        weights.append(float(problem.interval_cover["under_weight"].max()))
    return 1000.0 * max(weights)


def _person_rules(lp, problem: RosterProblem, p, x, mine_x, work, parts, slack, hull: bool = True) -> None:
    H, pid = problem.horizon, p.id
    forbidden = defaultdict(list)
    for a, b, lag in problem.forbidden_successions():
        forbidden[a, lag].append(b)
    for (a, lag), nexts in forbidden.items():
        for d in range(H - lag):
            if (pid, d, a) not in x:
                continue
            following = [x[pid, d + lag, b] for b in nexts if (pid, d + lag, b) in x]
            if following:
                lp += x[pid, d, a] + pulp.lpSum(following) <= 1, _name("rest", pid, d, a, lag)
    for sid, cap in p.max_shifts.items():
        mine = [v for (_, s), v in mine_x.items() if s == sid]
        if cap < len(mine):
            lp += pulp.lpSum(mine) <= cap, _name("maxshift", pid, sid)
    minutes = pulp.lpSum(problem.shift(s).paid_min * v for (_, s), v in mine_x.items())
    soft = problem.rules.hours_short_weight is not None
    if p.min_minutes > 0 and not soft and slack is None:
        lp += minutes >= p.min_minutes, _name("minminutes", pid)
    elif p.min_minutes > 0:
        short = lp.add_variable(_name("hoursshort", pid), lowBound=0, upBound=p.min_minutes)
        lp += minutes + short >= p.min_minutes, _name("minminutes", pid)
        if soft:
            parts["contract"] += problem.rules.hours_short_weight / 60 * short
            if hull:
                _contract_hull(lp, problem, p, mine_x, short)
        else:  # a hard rule made elastic
            slack[_name("minminutes", pid)] = short
    cap = problem.max_total_minutes(p)
    if cap is not None:
        lp += minutes <= cap, _name("maxminutes", pid)
    w = [work[pid, d] for d in range(H)]
    k = p.max_consecutive
    if k is not None:
        for d in range(H - k):
            lp += pulp.lpSum(w[d:d + k + 1]) <= k, _name("maxcons", pid, d)
    if problem.rules.weekly_rest_days:
        for d in range(H - 6):
            lp += pulp.lpSum(w[d:d + 7]) <= 7 - problem.rules.weekly_rest_days, _name("weeklyrest", pid, d)
    _min_runs(lp, problem, pid, w)
    if p.max_weekends is not None:
        weekends = problem.weekends()
        if p.max_weekends < len(weekends):
            worked = []
            for i, days in enumerate(weekends):
                kv = lp.add_variable(_name("wkend", pid, i), lowBound=0, upBound=1)
                for d in days:
                    lp += kv >= w[d], _name("weekend", pid, i, d)
                worked.append(kv)
            lp += pulp.lpSum(worked) <= p.max_weekends, _name("maxweekends", pid)


HULL_MAX_POINTS = 200  # per person; more shift lengths than that allows get no hull rows


def _contract_hull(lp, problem: RosterProblem, p, mine_x, short) -> None:
    """Valid rows that make the LP price a soft contract as whole shifts can meet it.

    Alone, minutes + short >= min_minutes lets the relaxation hit the contract exactly with a
    fraction of a shift; whole shifts of 450 and 555 paid minutes often cannot (8,100 needs 18
    of the first, else falls short or runs over). With n_l shifts of paid length l, the
    shortfall is at least g(n) = max(0, M - sum l n_l); short >= the convex hull of g over whole
    n (g falls as any n_l grows, so points below n suffice) is a convex-hull (extended)
    formulation: lambda_i >= 0 over the points where g changes slope, sum lambda = 1,
    sum lambda_i n_i <= n, short >= sum lambda_i g(n_i). Every roster still satisfies it, so the
    optimum is unchanged; only the bound rises. Skipped when one shift length would do (then
    the hull is the row itself) or the point set is large.
    """
    lengths = sorted({problem.shift(s).paid_min for (_, s) in mine_x})
    M = p.min_minutes
    points = _hull_points(M, lengths)
    if len(lengths) < 2 or not points or len(points) > HULL_MAX_POINTS:
        return
    lam = [lp.add_variable(_name("hull", p.id, i), lowBound=0) for i in range(len(points))]
    lp += pulp.lpSum(lam) == 1, _name("hullone", p.id)
    for j, length in enumerate(lengths):
        n = pulp.lpSum(v for (_, s), v in mine_x.items() if problem.shift(s).paid_min == length)
        lp += pulp.lpSum(pt[j] * v for pt, v in zip(points, lam)) <= n, _name("hulln", p.id, length)
    lp += short >= pulp.lpSum(max(0, M - sum(l * k for l, k in zip(lengths, pt))) * v
                              for pt, v in zip(points, lam)), _name("hullshort", p.id)


def _hull_points(M: int, lengths: list[int]) -> list[tuple[int, ...]]:
    """Counts of shifts per length where the shortfall g changes slope: for every choice of the
    other counts up to meeting M alone, the first count at 0, just short and just meeting M."""
    if not lengths or M <= 0:
        return []
    first, rest = lengths[0], lengths[1:]
    points = []

    def walk(prefix: tuple, left: int, others: list) -> None:
        if len(points) > HULL_MAX_POINTS:
            return
        if not others:
            need = max(0, -(-left // first))
            for a in sorted({0, max(0, need - 1), need}):
                points.append((a,) + prefix)
            return
        length = others[-1]
        for k in range(max(0, -(-left // length)) + 1):
            walk((k,) + prefix, left - k * length, others[:-1])

    walk((), M, rest)
    return points


def _min_runs(lp, problem: RosterProblem, pid: str, w: list) -> None:
    person = next(q for q in problem.people if q.id == pid)
    H, open_ends = problem.horizon, problem.rules.min_runs_open_ends
    first = 1 if open_ends else 0
    for d in range(first, H):
        before = w[d - 1] if d > 0 else 0
        for j in range(1, person.min_consecutive):
            if d + j < H:
                lp += w[d] - before <= w[d + j], _name("mincons", pid, d, j)
            elif not open_ends:  # a run starting here would be cut short by the horizon
                lp += w[d] - before <= 0, _name("mincons", pid, d, j)
        for j in range(1, person.min_days_off):
            # a run of days off starting on d (worked d-1, off d) must stay off to d+j
            if d == 0:
                if not open_ends and j < H:
                    lp += w[j] <= w[0], _name("minoff", pid, d, j)
            elif d + j < H:
                lp += w[d - 1] - w[d] + w[d + j] <= 1, _name("minoff", pid, d, j)
            elif not open_ends:
                lp += w[d - 1] - w[d] <= 0, _name("minoff", pid, d, j)


def _requests(problem: RosterProblem, x, work, parts) -> None:
    pref = parts["preferences"]
    for r in problem.requests:
        hit = work[r.person, r.day] if r.shift is None else x.get((r.person, r.day, r.shift), 0)
        pref += r.weight * (1 - hit) if r.on else r.weight * hit
    mine = defaultdict(list)  # person -> [(shift, var)], so preferences cost O(own shifts), not O(all)
    if problem.start_preferences:
        for (pid, _, sid), var in x.items():
            mine[pid].append((sid, var))
    for sp in problem.start_preferences:
        for sid, var in mine[sp.person]:
            start = problem.shift(sid).start_min
            if start is not None and not sp.allows(start):
                pref += sp.weight * var


def _cost(problem: RosterProblem, x, parts) -> None:
    rate = {p.id: p.hourly_cost for p in problem.people}
    parts["cost"] += pulp.lpSum(rate[pid] * problem.shift(sid).paid_min / 60 * v
                                for (pid, _, sid), v in x.items() if rate[pid])


def _fairness(lp, problem: RosterProblem, by_person, work, parts) -> None:
    f = problem.fairness
    if f.night_weight:
        nights = {s.id for s in problem.shifts if s.night}
        most = lp.add_variable("most_nights", lowBound=0)
        for p in problem.people:
            lp += most >= pulp.lpSum(v for (_, s), v in by_person[p.id].items() if s in nights), _name("nights", p.id)
        parts["fairness"] += f.night_weight * most
    if f.weekend_weight:
        most = lp.add_variable("most_weekends", lowBound=0)
        for p in problem.people:
            worked = []
            for i, days in enumerate(problem.weekends()):
                kv = lp.add_variable(_name("fairwk", p.id, i), lowBound=0, upBound=1)
                for d in days:
                    lp += kv >= work[p.id, d], _name("fairweekend", p.id, i, d)
                worked.append(kv)
            lp += most >= pulp.lpSum(worked), _name("weekends", p.id)
        parts["fairness"] += f.weekend_weight * most


def _floor(lp, under, required: int, floor: int, name: str, slack) -> None:
    """Shortfall ``under`` may not exceed required - floor; elastic: only at the slack's price."""
    if slack is None or floor == 0:
        under.upBound = required - floor
        return
    under.upBound = required
    below = slack[name] = lp.add_variable(name.replace("floor", "belowfloor", 1), lowBound=0, upBound=floor)
    lp += under - below <= required - floor, name


def _day_cover(lp, problem: RosterProblem, x, parts, slack=None) -> None:
    by_ds = defaultdict(list)
    for (_, d, sid), v in x.items():
        by_ds[d, sid].append(v)
    for c in problem.day_cover:
        under = lp.add_variable(_name("under", c.day, c.shift), lowBound=0)
        _floor(lp, under, c.required, c.floor, _name("floor", c.day, c.shift), slack)
        over = lp.add_variable(_name("over", c.day, c.shift), lowBound=0)
        lp += pulp.lpSum(by_ds[c.day, c.shift]) + under - over == c.required, _name("cover", c.day, c.shift)
        parts["under_cover"] += c.under_weight * under
        if c.over_weight:
            parts["over_cover"] += c.over_weight * over


def _shift_counts(lp, groups: dict) -> dict:
    """One integer count per (skill group, day, shift): how many of the group work it.

    Cover depends on people only through these counts, so each stretch's head count is a sum of
    a few counts instead of one term per person on duty: about a tenth of the nonzeros, a
    several times faster LP, and counts the solver can branch on (one branch moves many
    interchangeable people at once).
    """
    counted = {}
    for g, by_slot in groups.items():
        counted[g] = {}
        for (d, sid), members in by_slot.items():
            n = lp.add_variable(_name("count", g, d, sid), lowBound=0, upBound=len(members), cat="Integer")
            lp += n == pulp.lpSum(members), _name("count", g, d, sid)
            counted[g][d, sid] = [n]
    return counted


def _interval_cover(lp, problem: RosterProblem, x, parts, slack=None, aggregate: bool = True) -> None:
    """Per interval and skill: dedicated heads + a share of the both-skilled heads + shortfall
    >= required.

    Heads on duty are the same expression over every interval in a stretch where no shift starts,
    ends or breaks, so each stretch gets one head-count variable per skill group (a dense row
    each) and the interval rows refer to it: an exact model with a fraction of the nonzeros,
    which is what makes the LP fast at 15-minute resolution.
    """
    people = {p.id: p for p in problem.people}
    placed = defaultdict(set)  # interval -> {(day, shift)} covering it
    for s in problem.shifts:
        if s.start_min is None:
            continue
        for d in range(problem.horizon):
            for t in worked_intervals(s, d, problem.interval_min, problem.horizon):
                placed[t].add((d, s.id))
    groups = {k: defaultdict(list) for k in ("999", "101", "both")}  # (day, shift) -> vars
    for (pid, d, sid), v in x.items():
        serves = people[pid].skills & problem.shift(sid).skills
        groups["both" if len(serves) == 2 else next(iter(serves))][d, sid].append(v)
    if aggregate:
        groups = _shift_counts(lp, groups)
    stretch_of, heads = {}, {}
    n = problem.horizon * 1440 // problem.interval_min
    key_prev, stretch = None, -1
    for t in range(n):
        key = frozenset(placed.get(t, ()))
        if key != key_prev:
            stretch, key_prev = stretch + 1, key
            for g, by_slot in groups.items():
                members = [v for slot in key for v in by_slot.get(slot, ())]
                if members:
                    h = heads[g, stretch] = lp.add_variable(_name("heads", g, stretch), lowBound=0)
                    lp += h == pulp.lpSum(members), _name("onduty", g, stretch)
        stretch_of[t] = stretch
    flex = {}
    for row in problem.interval_cover.itertuples(index=False):
        if row.required <= 0:
            continue
        k, t = row.skill, int(row.interval)
        short = lp.add_variable(_name("short", k, t), lowBound=0)
        _floor(lp, short, int(row.required), int(row.floor), _name("ifloor", k, t), slack)
        terms = [heads[k, stretch_of[t]]] if (k, stretch_of[t]) in heads else []
        if ("both", stretch_of[t]) in heads:
            terms.append(flex.setdefault((k, t), lp.add_variable(_name("flex", k, t), lowBound=0)))
        lp += pulp.lpSum(terms) + short >= row.required, _name("icover", k, t)
        parts["under_cover"] += row.under_weight * short
    for t in sorted({t for (_, t) in flex}):
        lp += pulp.lpSum(flex[k, t] for k in SKILLS if (k, t) in flex) <= heads["both", stretch_of[t]], _name("flex", t)


def integral_objective(problem: RosterProblem) -> bool:
    """True when every weight and cost is a whole number, so every roster's objective is too
    (the benchmark's case): a bound can then be rounded up, and SolverOptions.gap_abs=0.999
    stops the search as soon as optimality is proven."""
    weights = [r.weight for r in problem.requests] + [p.weight for p in problem.start_preferences]
    weights += [w for c in problem.day_cover for w in (c.under_weight, c.over_weight)]
    weights += [problem.fairness.night_weight, problem.fairness.weekend_weight]
    if problem.interval_cover is not None:
        weights += list(problem.interval_cover["under_weight"])
    whole = all(float(w).is_integer() for w in weights)
    return whole and all(p.hourly_cost == 0 for p in problem.people)


NO_ROSTER = ("infeasible", "unbounded_or_infeasible")
SEARCH_GROUP = 6  # people re-optimised together in one fix-and-optimise step
PRICING_SHARE = 0.02  # of the time limit, kept for pricing the final roster


@dataclass(frozen=True)
class Heuristic:
    """How the LP-guided start works; EARLIER is the earlier method, kept for comparison.

    aggregate      interval cover through shift counts per skill group (build_model)
    local_costs    round each person to the pattern minimising DISTANCE_WEIGHTS x (changes
                   from their LP shifts) + what the pattern costs them alone (pay, hours short of
                   contract, requests); False: changes only (contract at a token weight)
    fast_search    fix-and-optimise on one loaded HiGHS model, people with the same skills
                   together (they can trade shifts), each step to within 0.01% of the
                   whole objective (scheduling.named_search); False: through PuLP, five people in file order
    search_share   share of the time limit by which the search stops; the full model gets
                   the rest (at this size HiGHS does not finish its root LP in minutes, so
                   the search is where the roster improves)
    contract_hull  build_model's rows pricing soft contracts in whole shifts (a higher bound)
    windows        the search also frees everyone for two days at a time (named_search.neighbourhoods)
    lp_crossover   False: the LP relaxation stops at the interior point's optimum (30% sooner, same
                   bound), but rounding interior values was far worse on benchmarks/roster_named.py
                   (421,516 against 307,398 after rounding; 2.72% against 0.86% at 300 s): kept on
    """

    aggregate: bool = True
    local_costs: bool = True
    fast_search: bool = True
    search_share: float = 0.93
    contract_hull: bool = True
    windows: bool = True
    lp_crossover: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.search_share < 1:
            raise SchedulingError(f"Heuristic.search_share must be in (0, 1), got {self.search_share!r}")


EARLIER = Heuristic(aggregate=False, local_costs=False, fast_search=False, search_share=0.7, contract_hull=False,
                    windows=False)


def solve_roster(problem: RosterProblem, options: SolverOptions, *, lp_guided_start: bool = False,
                 explain: bool = True, heuristic: Heuristic = Heuristic(), decompose: bool = False) -> NamedRosterResult:
    """Build and solve the model; the roster holds the best solution found (if any).

    When the hard rules conflict (the strict model is infeasible) the elastic model is solved
    instead: the roster breaks cover floors or contracted minimum hours only where it must, and
    ``relaxed`` is set. explain: fill ``notes`` with the shortfalls and the rules that bind them.

    lp_guided_start: for large rosters, where HiGHS's own heuristics find poor first rosters,
    solve the LP relaxation, round it person by person within each person's rules, improve it
    a few people at a time with the rest fixed (fix-and-optimise) for up to
    ``heuristic.search_share`` of the time limit, and start the full model from that roster. The bound reported is the better of the LP optimum and
    the full model's.

    decompose: where day cover is all that ties people together (the benchmark), first bound
    the roster person by person (scheduling.person_bound: column generation over the same
    one-person model), add that bound to the model as one row per person and start the full
    model from the best roster of whole patterns found on the way.
    """
    started = time.perf_counter()
    result = _solve_strict(problem, options, lp_guided_start, started, heuristic, decompose)
    if not result.outcome.has_solution and result.outcome.status in NO_ROSTER:
        relaxed = _solve_model(build_model(problem, elastic=True), options, started)
        result = replace(relaxed, relaxed=True)
    if explain and result.outcome.has_solution:
        from scheduling.named_explain import notes

        result = replace(result, notes=notes(problem, result.roster, options, n_vars=_n_vars(problem)))
    return result


def _n_vars(problem: RosterProblem) -> int:
    return sum(1 for p in problem.people for s in problem.shifts if p.may_work(s)) * problem.horizon


def _solve_strict(problem: RosterProblem, options: SolverOptions, lp_guided_start: bool,
                  started: float, heuristic: Heuristic, decompose: bool = False) -> NamedRosterResult:
    model = build_model(problem, aggregate=heuristic.aggregate, contract_hull=heuristic.contract_hull)
    lp_bound, trace = None, []
    if decompose and options.solver == "highs":
        from scheduling import person_bound

        if person_bound.applies(problem):
            lp_bound, start = _decomposed_start(model, problem, options, started, trace)
            if options.time_limit_s is not None:
                left = max(1.0, options.time_limit_s - (time.perf_counter() - started))
                options = replace(options, time_limit_s=left)
            options = replace(options, warm_start=start)
    elif lp_guided_start and options.time_limit_s is not None:
        lp_bound = _guided_start(model, problem, options, started, heuristic, trace)
        # the roster is priced again after the final solve (_tighten): leave it a little time
        reserve = PRICING_SHARE * options.time_limit_s
        left = max(1.0, options.time_limit_s - reserve - (time.perf_counter() - started))
        options = replace(options, time_limit_s=left, warm_start=True)
    outcome = solve(model.problem, options)
    if lp_bound is not None and (outcome.best_bound is None or lp_bound > outcome.best_bound):
        # the LP relaxation's optimum is a proven bound too; a final solve stopped inside its
        # root node may not have got that far
        outcome = replace(outcome, best_bound=lp_bound, gap=relative_gap(outcome.objective, lp_bound))
    result = _result(model, outcome, options, started)
    if trace:
        trace.append((time.perf_counter() - started, "final MIP", result.objective, result.best_bound))
    return replace(result, trace=tuple(trace))


def _solve_model(model: NamedModel, options: SolverOptions, started: float) -> NamedRosterResult:
    return _result(model, solve(model.problem, options), options, started)


def _result(model: NamedModel, outcome: SolveOutcome, options: SolverOptions, started: float) -> NamedRosterResult:
    if outcome.has_solution and outcome.status != "optimal":
        outcome = _tighten(model, outcome, options)
    outcome = replace(outcome, seconds=time.perf_counter() - started)
    rows = []
    if outcome.has_solution:
        rows = [(pid, d, sid) for (pid, d, sid), v in model.x.items() if (v.varValue or 0) > 0.5]
    roster = pd.DataFrame(sorted(rows, key=lambda r: (r[1], r[0])), columns=["person", "day", "shift"])
    parts = {name: float(pulp.value(expr) or 0.0) if outcome.has_solution else float("nan")
             for name, expr in model.parts.items()}
    return NamedRosterResult(roster, parts, outcome)


def _tighten(model: NamedModel, outcome: SolveOutcome | None, options: SolverOptions) -> SolveOutcome | None:
    """A solver stopped early may leave shortfall variables above the true shortfall; with the
    roster fixed, an LP sets them to what the roster really costs. The bound is kept."""
    x = list(model.x.values())
    chosen = [1.0 if (v.varValue or 0) > 0.5 else 0.0 for v in x]
    for v, value in zip(x, chosen):
        v.lowBound = v.upBound = value
        v.cat = pulp.LpContinuous
    fixed = solve(model.problem, replace(options, warm_start=False, lp_solver="choose"))
    for v in x:
        v.lowBound, v.upBound, v.cat = 0, 1, pulp.LpInteger
    if not fixed.has_solution or outcome is None:
        return outcome
    return replace(outcome, objective=fixed.objective,
                   gap=relative_gap(fixed.objective, outcome.best_bound))


def _guided_start(model: NamedModel, problem: RosterProblem, options: SolverOptions,
                  started: float, heuristic: Heuristic, trace: list) -> float | None:
    """Leave the variables holding a complete rule-abiding roster for a MIP start; return the LP
    relaxation's optimum (a lower bound) if it was solved.

    Every hard rule concerns one person, so rounding the LP person by person cannot break a rule
    between people: each person gets the pattern closest to their LP shifts that meets their
    rules (a small MIP each); cover, soft, is then priced by an LP with the roster fixed.
    """
    lp = model.problem
    integers = [v for v in lp.variables() if v.cat == pulp.LpInteger]
    for v in integers:
        v.cat = pulp.LpContinuous
    relaxed = solve(lp, replace(options, time_limit_s=0.6 * options.time_limit_s, lp_solver="ipm",
                                crossover=heuristic.lp_crossover))
    for v in integers:
        v.cat = pulp.LpInteger  # PuLP keeps binaries as integers in [0, 1]
    if not relaxed.has_solution:
        return None
    trace.append((time.perf_counter() - started, "LP relaxation", None, relaxed.best_bound))
    target = {key: v.varValue or 0.0 for key, v in model.x.items()}
    per_person = replace(options, time_limit_s=max(1.0, 0.1 * options.time_limit_s / len(problem.people)),
                         gap_rel=0.0, warm_start=False)
    for person in problem.people:
        chosen = _round_person(problem, person, target, per_person, heuristic.local_costs)
        for key, v in model.x.items():
            if key[0] == person.id:
                v.varValue = 1.0 if key in chosen else 0.0
    _tighten(model, None, options)
    trace.append((time.perf_counter() - started, "rounded", pulp.value(lp.objective), relaxed.best_bound))
    if heuristic.fast_search:
        free = neighbourhoods(problem, SEARCH_GROUP) if heuristic.windows else skill_groups(problem, SEARCH_GROUP)
        fix_and_optimize(model, free, options,
                         started + heuristic.search_share * options.time_limit_s)
    else:
        _fix_and_optimize(model, problem, options, started, share=heuristic.search_share)
    _tighten(model, None, options)
    trace.append((time.perf_counter() - started, "fix-and-optimise", pulp.value(lp.objective), relaxed.best_bound))
    return relaxed.best_bound


DECOMPOSE_SHARE = 0.7  # of the time limit, at most, for the person-by-person bound


def _decomposed_start(model: NamedModel, problem: RosterProblem, options: SolverOptions, started: float,
                      trace: list) -> tuple[float | None, bool]:
    """Add the person-by-person bound's rows to ``model``, leave the best roster of whole
    patterns in its variables (a MIP start); return the bound (None if none was proven) and
    whether a start was left."""
    from scheduling.person_bound import add_cuts, person_bound

    limit = options.time_limit_s
    stop = float("inf") if limit is None else started + DECOMPOSE_SHARE * limit
    found, cuts = person_bound(problem, options, stop, integral=integral_objective(problem))
    add_cuts(model, cuts)
    if found.roster is not None:
        for key, v in model.x.items():
            v.varValue = 1.0 if key in found.roster else 0.0
        _tighten(model, None, options)  # the other variables follow from the roster
    trace.append((time.perf_counter() - started, f"person bound ({found.rounds} rounds, {found.columns} patterns)",
                  found.roster_cost, found.bound))
    return found.bound, found.roster is not None


def _fix_and_optimize(model: NamedModel, problem: RosterProblem, options: SolverOptions, started: float,
                      group: int = 5, share: float = 0.7) -> None:
    """Re-optimise a few people at a time with everyone else's shifts fixed, each solve
    starting from the current roster (so it never gets worse), until 70% of the time is used."""
    by_person = defaultdict(list)
    for key, v in model.x.items():
        by_person[key[0]].append(v)
    ids = [p.id for p in problem.people]
    stop = started + share * options.time_limit_s
    position = 0
    while ids and time.perf_counter() < stop - 1.0:
        chosen = {ids[(position + i) % len(ids)] for i in range(min(group, len(ids)))}
        position += group
        for pid, variables in by_person.items():
            if pid not in chosen:
                for v in variables:
                    v.lowBound = v.upBound = 1.0 if (v.varValue or 0) > 0.5 else 0.0
        left = stop - time.perf_counter()
        sub = replace(options, time_limit_s=max(1.0, min(left, 0.1 * options.time_limit_s)), warm_start=True)
        outcome = solve(model.problem, sub)
        for variables in by_person.values():
            for v in variables:
                v.lowBound, v.upBound = 0, 1
        if not outcome.has_solution:
            break


def distance_weight(problem: RosterProblem) -> float:
    """Price of one change from a person's LP shifts when rounding: what it may cost in cover
    elsewhere, taken as 2.5 heads at the dearest under-cover weight (measured best of 30-1000
    on benchmarks/roster_named.py; the rounding is not sensitive within a factor of 2)."""
    weights = [c.under_weight for c in problem.day_cover]
    if problem.interval_cover is not None:
        weights.append(float(problem.interval_cover["under_weight"].max()))
    return 2.5 * max(weights + [0.4])


def _round_person(problem: RosterProblem, person, target: dict, options: SolverOptions,
                  local_costs: bool = True) -> set:
    """The pattern for ``person`` nearest their LP shifts within their rules; with local_costs,
    changes are priced against what the pattern costs this person alone."""
    mine = (lambda items: tuple(i for i in items if i.person == person.id)) if local_costs else (lambda items: ())
    alone = RosterProblem(horizon=problem.horizon, shifts=problem.shifts, people=(person,), rules=problem.rules,
                          interval_min=problem.interval_min, first_weekday=problem.first_weekday,
                          requests=mine(problem.requests), start_preferences=mine(problem.start_preferences))
    sub = build_model(alone)
    distance = pulp.lpSum((1 - 2 * target.get(key, 0.0)) * v for key, v in sub.x.items())
    if local_costs:
        own = sub.parts["contract"] + sub.parts["cost"] + sub.parts["preferences"]
        sub.problem.setObjective(distance_weight(problem) * distance + own)
    else:
        sub.problem.setObjective(distance + sub.parts["contract"] * 1e-3)
    outcome = solve(sub.problem, options)
    if not outcome.has_solution:
        return set()
    return {key for key, v in sub.x.items() if (v.varValue or 0) > 0.5}
