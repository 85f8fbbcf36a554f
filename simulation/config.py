"""What to simulate: the queues (lines) and how to run the replications.

Frozen dataclasses checked on construction, so a typo ("handle='lognromal'") fails at once with a
SimulationError naming the field and what is allowed, instead of quietly simulating the default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import SimulationError

PATIENCE_DISTRIBUTIONS = ("exponential", "fixed")
HANDLE_DISTRIBUTIONS = ("exponential", "lognormal")


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise SimulationError(f"{where}: {message}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


@dataclass(frozen=True)
class QueueConfig:
    """One line (e.g. '999'), its answer-time threshold and its callers' behaviour.

    priority: lower is answered first (999 -> 0, 101 -> 1); FIFO within a queue.
    mean_patience_s: None means callers never hang up.
    patience: 'exponential' (the Erlang A assumption) or 'fixed' (every caller waits exactly
        mean_patience_s; useful for tests and what-ifs).
    handle: 'lognormal' (what call centres observe) or 'exponential' (for comparisons with
        Erlang C/A theory); handle_cv is the lognormal's coefficient of variation.
    """

    name: str
    priority: int = 0
    answer_within_s: float = 10.0
    mean_patience_s: float | None = None
    patience: str = "exponential"
    handle: str = "lognormal"
    handle_cv: float = 1.0

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
    """

    queues: tuple[QueueConfig, ...]
    replications: int = 5
    seed: int = 0
    warmup_s: float = 0.0
    day_multiplier_cv: float = 0.0
    absence_rate: float = 0.0

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

    @property
    def queue_names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.queues)

    def queue(self, name: str) -> QueueConfig:
        for q in self.queues:
            if q.name == name:
                return q
        raise SimulationError(f"SimulationConfig: no queue {name!r}; queues are {', '.join(self.queue_names)}")
