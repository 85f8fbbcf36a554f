"""Who can answer, and when: each handler's availability windows and skills.

Two inputs give the same thing:
- a shifts table (staff_id, start, end, break_start, break_end, skills): a window is a shift
  minus its break;
- an agents-per-interval table (interval_start, agents, optionally queue or skills): anonymous
  handlers, handler k being available in every interval with more than k agents. With a queue
  column the agents answer only that queue; with a skills column ('999', '101', '999|101') the
  rows of each skill set are a pool of their own; with neither they answer every queue.

Then availability is cut (``apply_availability``): abstraction windows take a share or a count of
the handlers on shift away for a while, random pull-outs take single handlers away.

A handler finishes the call in hand before going off shift or on break: the window's end is when
they stop taking new calls, not when they hang up on a caller. A break that starts late still ends
at its planned time, and the next shift of someone who overran starts when they are free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schema as S
from .config import SimulationConfig
from .errors import SimulationError
from .tables import first_row, numeric_column, require_columns
from .timeline import Timeline, tz_aware_column, uniform_step

SHIFT_COLUMNS = (S.STAFF_ID, S.START, S.END, S.SKILLS)
AGENTS = "agents"
AGENT_COLUMNS = (S.INTERVAL_START, AGENTS)


@dataclass(frozen=True)
class Staff:
    """Handlers with their windows (start_s, end_s, skill group), sorted and not overlapping.

    skill_groups[g] is the set of queue indices a handler in group g answers.
    """

    names: tuple[str, ...]
    windows: tuple[tuple[tuple[float, float, int], ...], ...]
    skill_groups: tuple[frozenset[int], ...]

    def __len__(self) -> int:
        return len(self.names)


def is_shifts_table(table) -> bool:
    return isinstance(table, pd.DataFrame) and S.STAFF_ID in table.columns


def present_shifts(table: pd.DataFrame, absence_rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """The shifts that turn up: each is lost, whole, with probability ``absence_rate``."""
    return table[rng.random(len(table)) >= absence_rate]


def read_staffing(table: pd.DataFrame, config: SimulationConfig, timeline: Timeline) -> Staff:
    """Shifts or agents per interval, whichever the table holds."""
    columns = set(table.columns) if isinstance(table, pd.DataFrame) else set()
    if is_shifts_table(table):
        return read_shifts(table, config, timeline)
    if AGENTS in columns:
        return read_agents(table, config, timeline)
    raise SimulationError(f"staffing: expected shifts ({', '.join(SHIFT_COLUMNS)}, optionally break_start, "
                          f"break_end) or agents per interval ({', '.join(AGENT_COLUMNS)}, optionally queue); "
                          f"got {_describe(table)}")


def _describe(table) -> str:
    if isinstance(table, pd.DataFrame):
        return f"columns {', '.join(map(str, table.columns)) or '(none)'}"
    return f"a {type(table).__name__}"


def read_shifts(table: pd.DataFrame, config: SimulationConfig, timeline: Timeline) -> Staff:
    name = "shifts"
    require_columns(table, SHIFT_COLUMNS, name)
    if len(table) == 0:
        return Staff((), (), ())
    start, end = (timeline.seconds(tz_aware_column(table, c, name)) for c in (S.START, S.END))
    if (end <= start).any():
        row = first_row(table, end <= start)
        raise SimulationError(f"shifts: row {row} (staff_id {table.at[row, S.STAFF_ID]!r}) ends "
                              f"{table.at[row, S.END]} at or before it starts {table.at[row, S.START]}")
    b_start, b_end = _breaks(table, timeline, start, end)
    groups: dict[frozenset[int], int] = {}
    group = np.array([_skill_group(s, row, table, config, groups) for row, s in zip(table.index, table[S.SKILLS])])
    codes, names = pd.factorize(table[S.STAFF_ID].astype(str), sort=True)
    order = np.lexsort((start, codes))  # each person's shifts together, in time order
    people = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    windows = tuple(_person_windows(table, rows, start, end, b_start, b_end, group) for rows in people)
    return Staff(tuple(names), windows, _groups_tuple(groups))


def _breaks(table, timeline, start, end):
    given = [c for c in (S.BREAK_START, S.BREAK_END) if c in table.columns]
    if all(table[c].isna().all() for c in given):  # no break columns, or nobody has a break
        nothing = np.full(len(table), np.nan)
        return nothing, nothing
    require_columns(table, (S.BREAK_START, S.BREAK_END), "shifts")
    b_start, b_end = (timeline.seconds(tz_aware_column(table, c, "shifts", allow_nat=True))
                      for c in (S.BREAK_START, S.BREAK_END))
    one_sided = np.isnan(b_start) != np.isnan(b_end)
    has = ~np.isnan(b_start) & ~np.isnan(b_end)
    outside = has & ((b_start < start) | (b_end > end) | (b_end <= b_start))
    for bad, why in ((one_sided, "has only one of break_start and break_end"),
                     (outside, "has a break that is empty or not within the shift")):
        if bad.any():
            row = first_row(table, bad)
            raise SimulationError(f"shifts: row {row} (staff_id {table.at[row, S.STAFF_ID]!r}) {why}: "
                                  f"shift {table.at[row, S.START]} to {table.at[row, S.END]}, break "
                                  f"{table.at[row, S.BREAK_START]} to {table.at[row, S.BREAK_END]}")
    return b_start, b_end


def _skill_group(skills, row, table, config, groups) -> int:
    names = [s.strip() for s in str(skills).split("|")] if isinstance(skills, str) else []
    names = [s for s in names if s]
    unknown = [s for s in names if s not in config.queue_names]
    if not names or unknown:
        raise SimulationError(f"shifts: row {row} (staff_id {table.at[row, S.STAFF_ID]!r}) has skills "
                              f"{skills!r}; skills must be '|'-separated queue names from "
                              f"{', '.join(config.queue_names)}")
    key = frozenset(config.queue_names.index(s) for s in names)
    return groups.setdefault(key, len(groups))


def _person_windows(table, rows, start, end, b_start, b_end, group):
    """One person's windows from their shifts (``rows``, in time order)."""
    for a, b in zip(rows[:-1], rows[1:]):
        if start[b] < end[a]:
            raise SimulationError(f"shifts: staff_id {table.at[table.index[a], S.STAFF_ID]!r} has overlapping "
                                  f"shifts (rows {table.index[a]} and {table.index[b]})")
    windows = []
    for r in rows:
        if np.isnan(b_start[r]):
            windows.append((start[r], end[r], group[r]))
        else:
            windows += [(start[r], b_start[r], group[r]), (b_end[r], end[r], group[r])]
    return _tidy(windows)


def _tidy(windows):
    """Drop empty windows, clip to time 0, merge back-to-back windows with the same skills."""
    out: list[tuple[float, float, int]] = []
    for a, b, g in windows:
        a = max(float(a), 0.0)
        if b <= a:
            continue
        if out and abs(out[-1][1] - a) < 1e-6 and out[-1][2] == g:
            out[-1] = (out[-1][0], float(b), int(g))
        else:
            out.append((a, float(b), int(g)))
    return tuple(out)


def _groups_tuple(groups: dict[frozenset[int], int]) -> tuple[frozenset[int], ...]:
    return tuple(sorted(groups, key=groups.get))


def read_agents(table: pd.DataFrame, config: SimulationConfig, timeline: Timeline) -> Staff:
    name = "agents"
    require_columns(table, AGENT_COLUMNS, name)
    if len(table) == 0:
        return Staff((), (), ())
    starts = tz_aware_column(table, S.INTERVAL_START, name)
    agents = numeric_column(table, AGENTS, name)
    bad = (agents < 0) | (agents != np.round(agents))
    if bad.any():
        row = first_row(table, bad)
        raise SimulationError(f"agents: row {row} has agents {table.at[row, AGENTS]}; "
                              "agents must be whole numbers of 0 or more")
    if S.QUEUE in table.columns and S.SKILLS in table.columns:
        raise SimulationError("agents: give a queue column or a skills column, not both")
    by_queue = S.QUEUE in table.columns or S.SKILLS in table.columns
    column = S.QUEUE if S.QUEUE in table.columns else S.SKILLS
    queue = table[column].astype(str).to_numpy() if by_queue else np.full(len(table), "")
    skill_sets = {q: _agent_skills(q, column, config) for q in set(queue)} if by_queue else {}
    grid = pd.DatetimeIndex(starts.unique()).sort_values()
    step = uniform_step(grid, name) if len(grid) > 1 else timeline.interval_s
    offset = timeline.seconds(pd.Series(grid))
    names, windows, groups = [], [], {}
    for q in sorted(set(queue)):
        rows = queue == q
        per_interval = _agents_on_grid(table, rows, starts, grid, agents, q)
        skills = skill_sets[q] if by_queue else frozenset(range(len(config.queues)))
        g = groups.setdefault(skills, len(groups))
        for k in range(int(per_interval.max(initial=0))):
            names.append(f"{q + '-' if q else ''}agent-{k + 1:03d}")
            windows.append(_tidy([(offset[i], offset[i] + step, g) for i in np.flatnonzero(per_interval > k)]))
    return Staff(tuple(names), tuple(windows), _groups_tuple(groups))


def _agent_skills(value: str, column: str, config: SimulationConfig) -> frozenset[int]:
    names = [n.strip() for n in value.split("|")] if column == S.SKILLS else [value]
    unknown = [n for n in names if n not in config.queue_names]
    if unknown or not names:
        raise SimulationError(f"agents: unknown queue(s) {', '.join(map(repr, unknown))} in column {column!r}; "
                              f"configured queues are {', '.join(config.queue_names)}"
                              + (" ('|'-separated for several)" if column == S.SKILLS else ""))
    return frozenset(config.queue_names.index(n) for n in names)


def _agents_on_grid(table, rows, starts, grid, agents, queue) -> np.ndarray:
    mine = starts[rows]
    position = grid.get_indexer(pd.DatetimeIndex(mine))
    twice = mine.duplicated()
    if twice.any():
        row = mine.index[twice.to_numpy()][0]
        raise SimulationError(f"agents: interval {table.at[row, S.INTERVAL_START]} appears twice"
                              f"{f' for queue {queue!r}' if queue else ''} (row {row})")
    out = np.zeros(len(grid))
    out[position] = agents[rows]
    return out


def apply_availability(staff: Staff, config: SimulationConfig, timeline: Timeline,
                       rng: np.random.Generator) -> Staff:
    """Staff with abstraction windows and random pull-outs cut out of their windows."""
    kinds = config.pull_out_kinds
    if not config.abstractions and not kinds:
        return staff
    windows = [list(w) for w in staff.windows]
    for a in config.abstractions:
        start, end = timeline.seconds(pd.Series([a.start, a.end]))
        queue = None if a.queue is None else config.queue_names.index(a.queue)
        on = [h for h, w in enumerate(windows)
              if any(s <= start < e and (queue is None or queue in staff.skill_groups[g]) for s, e, g in w)]
        k = min(len(on), int(np.floor(a.share * len(on) + 0.5)) if a.share is not None else a.count)
        for h in rng.choice(np.array(on, dtype=np.int64), size=k, replace=False) if k else ():
            windows[h] = _cut(windows[h], [(start, end)])
    if kinds:
        # every kind drawn over the same logged-in time, so independent kinds superpose exactly
        windows = [_cut(w, [gap for p in kinds for gap in _pull_outs(w, p, rng)]) for w in windows]
    return Staff(staff.names, tuple(_tidy(w) for w in windows), staff.skill_groups)


def _pull_outs(windows, pull_outs, rng) -> list[tuple[float, float]]:
    if not windows:
        return []
    start = np.array([w[0] for w in windows])
    length = np.array([w[1] - w[0] for w in windows])
    counts = rng.poisson(pull_outs.rate_per_hour * length / 3600.0)
    which = np.repeat(np.arange(len(windows)), counts)
    at = start[which] + rng.random(which.size) * length[which]
    mean = pull_outs.mean_duration_s
    if pull_outs.duration == "fixed":
        duration = np.full(which.size, mean)
    elif pull_outs.duration == "lognormal":
        sigma = np.sqrt(np.log1p(pull_outs.duration_cv ** 2))
        duration = mean * np.exp(sigma * rng.standard_normal(which.size) - sigma**2 / 2)
    else:
        duration = rng.exponential(mean, which.size)
    return list(zip(at.tolist(), (at + duration).tolist()))


def _cut(windows, gaps):
    """Windows minus the time spans in ``gaps``."""
    out = list(windows)
    for a, b in gaps:
        kept = []
        for s, e, g in out:
            if e <= a or s >= b:
                kept.append((s, e, g))
                continue
            if s < a:
                kept.append((s, a, g))
            if e > b:
                kept.append((b, e, g))
        out = kept
    return out
