"""What to simulate: the queues (lines) and how to run the replications.

Frozen dataclasses checked on construction, so a typo ("handle='lognromal'") fails at once with a
SimulationError naming the field and what is allowed, instead of quietly simulating the default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import SimulationError
from .patience import EmpiricalPatience

PATIENCE_DISTRIBUTIONS = ("exponential", "fixed", "lognormal", "empirical")
HANDLE_DISTRIBUTIONS = ("exponential", "lognormal")
DURATION_DISTRIBUTIONS = ("exponential", "lognormal", "fixed")


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise SimulationError(f"{where}: {message}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_share(value) -> bool:
    return _is_number(value) and 0 <= value <= 1


def _is_timestamp(value) -> bool:
    return isinstance(value, pd.Timestamp) and value.tzinfo is not None


@dataclass(frozen=True)
class QueueConfig:
    """One line (e.g. '999'), its answer-time threshold and its callers' behaviour.

    priority: lower is answered first (999 -> 0, 101 -> 1); FIFO within a queue.
    mean_patience_s: None means callers never hang up.
    patience: 'exponential' (the Erlang A assumption), 'fixed' (every caller waits exactly
        mean_patience_s; useful for tests and what-ifs), 'lognormal' (mean mean_patience_s,
        coefficient of variation patience_cv) or 'empirical' (drawn from empirical_patience, e.g.
        estimated from a call log with simulation.estimate_patience; mean_patience_s is then
        ignored and may be None).
    handle: 'lognormal' (what call centres observe) or 'exponential' (for comparisons with
        Erlang C/A theory); handle_cv is the lognormal's coefficient of variation. The mean is
        the demand table's aht of the interval the call arrives in (talk time).
    after_call_s: after-call work in seconds added to every answered call: the handler stays
        busy, the caller is gone. 0 when the demand's aht already includes it.
    offer_delay: seconds from a call's arrival until a handler can take it (a recorded message,
        identification in the voice-response unit, routing), drawn per call from this
        distribution (an EmpiricalPatience, e.g. simulation.trace.offer_delay_from_log); None:
        offered at once. The caller's wait and patience count from arrival, so a caller may hang
        up before being offered. Redials and repeats wait their queue's delay too.

    Callers who call again (failure demand; new calls on the line, counted as offered):
    redial_same, redial_other: shares of abandoned callers who call again on this queue, or on
        redial_other_queue (e.g. 101 callers who try 999), after an exponential delay with mean
        redial_delay_s; redial_same + redial_other is at most 1.
    repeat_share: share of answered callers who call this queue again (their issue was not
        resolved), an exponential repeat_delay_s after the call ends.

    Callbacks (a virtual queue):
    callback_over_s: a caller who arrives when the expected wait is over this many seconds is
        offered a callback (None: never offered). The expected wait is (callers ahead at this or
        a higher priority + 1) x the interval's mean handling time / handlers logged in who take
        this queue.
    callback_accept: share of those offered who accept: they leave the live line and wait in
        the callback line, which handlers serve after every live line they take (or at
        callback_priority, a priority on the same scale as the queues').
    callback_success: share of callbacks that reach the caller; a successful callback is an
        answered call (its wait is the time until the callback) with the usual handle time, a
        failed one takes the handler callback_attempt_s and leaves the call unresolved.
    """

    name: str
    priority: int = 0
    answer_within_s: float = 10.0
    mean_patience_s: float | None = None
    patience: str = "exponential"
    handle: str = "lognormal"
    handle_cv: float = 1.0
    patience_cv: float = 1.0
    empirical_patience: EmpiricalPatience | None = None
    after_call_s: float = 0.0
    offer_delay: EmpiricalPatience | None = None
    redial_same: float = 0.0
    redial_other: float = 0.0
    redial_other_queue: str | None = None
    redial_delay_s: float = 300.0
    repeat_share: float = 0.0
    repeat_delay_s: float = 3600.0
    callback_over_s: float | None = None
    callback_accept: float = 0.125
    callback_success: float = 0.965
    callback_attempt_s: float = 60.0
    callback_priority: int | None = None

    def __post_init__(self):
        _require(isinstance(self.name, str) and self.name.strip() != "" and "|" not in self.name,
                 "QueueConfig.name", f"must be a non-empty name without '|', got {self.name!r}")
        where = f"QueueConfig {self.name!r}"
        _require(_is_int(self.priority), where,
                 f"priority must be an integer (lower is answered first), got {self.priority!r}")
        _require(_is_number(self.answer_within_s) and self.answer_within_s >= 0, where,
                 f"answer_within_s must be 0 or more seconds, got {self.answer_within_s!r}")
        _require(self.mean_patience_s is None
                 or (_is_number(self.mean_patience_s) and self.mean_patience_s > 0), where,
                 f"mean_patience_s must be more than 0 seconds or None (never hang up), "
                 f"got {self.mean_patience_s!r}")
        _require(self.patience in PATIENCE_DISTRIBUTIONS, where,
                 f"patience must be one of {', '.join(PATIENCE_DISTRIBUTIONS)}, got {self.patience!r}")
        _require(self.handle in HANDLE_DISTRIBUTIONS, where,
                 f"handle must be one of {', '.join(HANDLE_DISTRIBUTIONS)}, got {self.handle!r}")
        _require(_is_number(self.handle_cv) and self.handle_cv > 0, where,
                 f"handle_cv must be more than 0, got {self.handle_cv!r}")
        _require(self.offer_delay is None or isinstance(self.offer_delay, EmpiricalPatience), where,
                 f"offer_delay must be an EmpiricalPatience (a distribution of seconds) or None, "
                 f"got {type(self.offer_delay).__name__}")
        self._check_patience(where)
        self._check_failure_demand(where)
        self._check_callbacks(where)

    def _check_patience(self, where: str) -> None:
        _require(_is_number(self.patience_cv) and self.patience_cv > 0, where,
                 f"patience_cv must be more than 0, got {self.patience_cv!r}")
        if self.patience == "empirical":
            _require(isinstance(self.empirical_patience, EmpiricalPatience), where,
                     "patience 'empirical' needs empirical_patience (an EmpiricalPatience, e.g. from "
                     "simulation.estimate_patience)")
        else:
            _require(self.empirical_patience is None, where,
                     f"empirical_patience is only used with patience 'empirical', not {self.patience!r}")

    def _check_failure_demand(self, where: str) -> None:
        for name in ("redial_same", "redial_other", "repeat_share"):
            value = getattr(self, name)
            _require(_is_share(value), where, f"{name} must be a share from 0 to 1, got {value!r}")
        _require(self.redial_same + self.redial_other <= 1 + 1e-12, where,
                 f"redial_same + redial_other must be at most 1, got {self.redial_same} + {self.redial_other}")
        _require(self.redial_other == 0 or isinstance(self.redial_other_queue, str), where,
                 "redial_other needs redial_other_queue (the queue those callers try, e.g. '999')")
        for name in ("redial_delay_s", "repeat_delay_s", "after_call_s", "callback_attempt_s"):
            value = getattr(self, name)
            _require(_is_number(value) and value >= 0, where, f"{name} must be 0 or more seconds, got {value!r}")

    def _check_callbacks(self, where: str) -> None:
        _require(self.callback_over_s is None or (_is_number(self.callback_over_s) and self.callback_over_s >= 0),
                 where, f"callback_over_s must be 0 or more seconds or None (no callbacks), "
                        f"got {self.callback_over_s!r}")
        for name in ("callback_accept", "callback_success"):
            value = getattr(self, name)
            _require(_is_share(value), where, f"{name} must be a share from 0 to 1, got {value!r}")
        _require(self.callback_priority is None or _is_int(self.callback_priority), where,
                 f"callback_priority must be an integer or None (after every live line), "
                 f"got {self.callback_priority!r}")

    @property
    def has_callbacks(self) -> bool:
        return self.callback_over_s is not None and self.callback_accept > 0


@dataclass(frozen=True)
class Abstraction:
    """Handlers on shift pulled away from calls from ``start`` to ``end`` (tz-aware timestamps).

    Give either share (of the handlers logged in at ``start``, rounded to the nearest whole
    handler) or count (capped at those logged in). Who goes is drawn at random per replication,
    among handlers who take ``queue`` (None: anyone). A handler in a call finishes it first.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    share: float | None = None
    count: int | None = None
    queue: str | None = None

    def __post_init__(self):
        where = "Abstraction"
        _require(_is_timestamp(self.start) and _is_timestamp(self.end), where,
                 f"start and end must be tz-aware pandas Timestamps, got {self.start!r} and {self.end!r}")
        _require(self.end > self.start, where, f"end {self.end} must be after start {self.start}")
        _require((self.share is None) != (self.count is None), where,
                 f"give exactly one of share and count, got share={self.share!r}, count={self.count!r}")
        _require(self.share is None or _is_share(self.share), where,
                 f"share must be a share from 0 to 1, got {self.share!r}")
        _require(self.count is None or (_is_int(self.count) and self.count >= 0), where,
                 f"count must be a whole number of 0 or more, got {self.count!r}")


@dataclass(frozen=True)
class PullOuts:
    """Random pull-outs: each handler on shift is pulled away at ``rate_per_hour`` (a Poisson
    process over their logged-in time) for a duration with mean ``mean_duration_s`` drawn from
    ``duration`` ('exponential', 'lognormal' with coefficient of variation duration_cv, 'fixed')."""

    rate_per_hour: float
    mean_duration_s: float
    duration: str = "exponential"
    duration_cv: float = 1.0

    def __post_init__(self):
        where = "PullOuts"
        _require(_is_number(self.rate_per_hour) and self.rate_per_hour >= 0, where,
                 f"rate_per_hour must be 0 or more, got {self.rate_per_hour!r}")
        _require(_is_number(self.mean_duration_s) and self.mean_duration_s > 0, where,
                 f"mean_duration_s must be more than 0 seconds, got {self.mean_duration_s!r}")
        _require(self.duration in DURATION_DISTRIBUTIONS, where,
                 f"duration must be one of {', '.join(DURATION_DISTRIBUTIONS)}, got {self.duration!r}")
        _require(_is_number(self.duration_cv) and self.duration_cv > 0, where,
                 f"duration_cv must be more than 0, got {self.duration_cv!r}")


@dataclass(frozen=True)
class SimulationConfig:
    """The queues and the run: replications, seed, warm-up.

    warmup_s: calls arriving in the first warmup_s seconds load the system but are left out of
        the results; it is rounded up to whole intervals so calls and KPIs drop the same intervals.
    day_multiplier_cv: forecast uncertainty. When above 0, each local calendar day's demand (all
        queues together: a busy day is busy on every line) is multiplied by a gamma draw with
        mean 1 and this coefficient of variation. 0 (default) simulates the forecast as exact.
    absence_rate: shrinkage that a roster does not show (sickness, leave, training, abstraction).
        Each rostered shift is lost, whole, with this probability, drawn anew per replication;
        0 (default) means everyone rostered turns up. Whole-shift losses vary more than
        spread-out shrinkage does, so this errs on the side of caution. Only for a shifts
        table: agents per interval are taken to be net of absence already.
    abstractions: windows when a share or a count of the handlers on shift are pulled away
        (Abstraction), e.g. a major incident or training.
    pull_outs: random pull-outs of single handlers (PullOuts), several independent kinds of them
        (a tuple of PullOuts, e.g. on-shift shrinkage plus a stress test's pull-outs), or None.
    workers: processes running replications in parallel (1: in this process). Results do not
        depend on it: each replication has its own stream spawned from the seed.
    scheduler: address of a Dask distributed scheduler ('tcp://host:8786') to run the
        replications on instead of local processes (needs the 'dask' extra), or None.
    replay_interval_s: interval length of the KPIs when replaying a call log (a forecast's
        demand table brings its own).
    """

    queues: tuple[QueueConfig, ...]
    replications: int = 5
    seed: int = 0
    warmup_s: float = 0.0
    day_multiplier_cv: float = 0.0
    absence_rate: float = 0.0
    abstractions: tuple[Abstraction, ...] = ()
    pull_outs: PullOuts | tuple[PullOuts, ...] | None = None
    workers: int = 1
    scheduler: str | None = None
    replay_interval_s: float = 900.0

    def __post_init__(self):
        where = "SimulationConfig"
        queues = self.queues
        _require(isinstance(queues, (tuple, list)) and len(queues) > 0
                 and all(isinstance(q, QueueConfig) for q in queues), where,
                 "queues must be a non-empty tuple of QueueConfig")
        object.__setattr__(self, "queues", tuple(queues))
        names = [q.name for q in self.queues]
        _require(len(set(names)) == len(names), where, f"queue names must be unique, got {names}")
        _require(_is_int(self.replications) and self.replications >= 1, where,
                 f"replications must be an integer of 1 or more, got {self.replications!r}")
        _require(_is_int(self.seed) and self.seed >= 0, where,
                 f"seed must be an integer of 0 or more, got {self.seed!r}")
        _require(_is_number(self.warmup_s) and self.warmup_s >= 0, where,
                 f"warmup_s must be 0 or more seconds, got {self.warmup_s!r}")
        _require(_is_number(self.day_multiplier_cv) and self.day_multiplier_cv >= 0, where,
                 f"day_multiplier_cv must be 0 (off) or more, got {self.day_multiplier_cv!r}")
        _require(_is_number(self.absence_rate) and 0 <= self.absence_rate < 1, where,
                 f"absence_rate must be a share from 0 up to (not including) 1, got {self.absence_rate!r}")
        self._check_availability(where)
        self._check_run(where)
        for q in self.queues:
            _require(q.redial_other_queue is None or q.redial_other_queue in names, where,
                     f"queue {q.name!r} has redial_other_queue {q.redial_other_queue!r}; "
                     f"configured queues are {', '.join(names)}")
        for a in self.abstractions:
            _require(a.queue is None or a.queue in names, where,
                     f"an abstraction names queue {a.queue!r}; configured queues are {', '.join(names)}")

    def _check_availability(self, where: str) -> None:
        abstractions = self.abstractions
        _require(isinstance(abstractions, (tuple, list)) and all(isinstance(a, Abstraction) for a in abstractions),
                 where, "abstractions must be a tuple of Abstraction")
        object.__setattr__(self, "abstractions", tuple(abstractions))
        pull_outs = self.pull_outs
        _require(pull_outs is None or isinstance(pull_outs, PullOuts)
                 or (isinstance(pull_outs, (tuple, list)) and all(isinstance(p, PullOuts) for p in pull_outs)),
                 where, f"pull_outs must be a PullOuts, a tuple of PullOuts or None, got {pull_outs!r}")
        if isinstance(pull_outs, list):
            object.__setattr__(self, "pull_outs", tuple(pull_outs))

    def _check_run(self, where: str) -> None:
        _require(_is_int(self.workers) and self.workers >= 1, where,
                 f"workers must be an integer of 1 or more, got {self.workers!r}")
        _require(self.scheduler is None or (isinstance(self.scheduler, str) and self.scheduler.strip() != ""),
                 where, f"scheduler must be a Dask scheduler address or None, got {self.scheduler!r}")
        _require(_is_number(self.replay_interval_s) and self.replay_interval_s > 0
                 and 3600 % self.replay_interval_s == 0, where,
                 f"replay_interval_s must divide an hour (e.g. 900), got {self.replay_interval_s!r}")

    @property
    def pull_out_kinds(self) -> tuple[PullOuts, ...]:
        """pull_outs as a tuple (empty for None)."""
        if self.pull_outs is None:
            return ()
        return (self.pull_outs,) if isinstance(self.pull_outs, PullOuts) else self.pull_outs

    @property
    def queue_names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.queues)

    def queue(self, name: str) -> QueueConfig:
        for q in self.queues:
            if q.name == name:
                return q
        raise SimulationError(f"SimulationConfig: no queue {name!r}; queues are {', '.join(self.queue_names)}")
