"""Shrinkage by component: the share of paid time a rostered head is not answering calls.

Components combine multiplicatively, because each applies to the time the others leave:
a handler on leave 12% of the year and on training 5% of the rest is available
(1 - 0.12)(1 - 0.05) of the year, not 1 - 0.17. So 1 - total = prod(1 - s_i).

The components split into two kinds, because they hurt service differently:
  whole-shift absence (sickness, leave): the head does not turn up, so the number present
      on a shift is random (a binomial draw), which the pooled requirement and the
      simulation model explicitly;
  on-shift loss (breaks beyond the rostered unpaid break, training, abstraction): the head
      turns up but is away from calls part of the time, which scales the agents a present
      head is worth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from scheduling.errors import SchedulingError

COMPONENTS = ("breaks", "training", "sickness", "leave", "abstraction")
ABSENCE_COMPONENTS = ("sickness", "leave")
ON_SHIFT_COMPONENTS = ("breaks", "training", "abstraction")


@dataclass(frozen=True)
class Shrinkage:
    """Shrinkage components, each a share of paid time from 0 up to (not including) 1.

    breaks       paid breaks and comfort time not in the rostered unpaid break
    training     scheduled training and briefings while on shift
    sickness     sickness absence (whole shifts)
    leave        annual leave and other planned absence (whole shifts)
    abstraction  time on shift taken for other duties (cover elsewhere, incidents)
    """

    breaks: float = 0.0
    training: float = 0.0
    sickness: float = 0.0
    leave: float = 0.0
    abstraction: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            real = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not real or not math.isfinite(value) or not 0.0 <= value < 1.0:
                raise SchedulingError(f"shrinkage {f.name} must be a share from 0 up to 1, got {value!r}")
        if self.total >= 1.0 - 1e-12:
            raise SchedulingError(f"shrinkage components leave no time for calls (total {self.total:g})")

    @classmethod
    def whole_shift(cls, total: float) -> "Shrinkage":
        """One undivided figure, treated as whole-shift absence (the cautious reading: it varies most)."""
        if not isinstance(total, (int, float)) or isinstance(total, bool) or not 0.0 <= total < 1.0:
            raise SchedulingError(f"shrinkage must be a share from 0 up to 1, got {total!r}")
        return cls(sickness=float(total))

    @property
    def total(self) -> float:
        """1 - prod(1 - s_i) over every component."""
        return _combine(getattr(self, name) for name in COMPONENTS)

    @property
    def absence(self) -> float:
        """Share of rostered shifts lost whole: 1 - (1 - sickness)(1 - leave)."""
        return _combine(getattr(self, name) for name in ABSENCE_COMPONENTS)

    @property
    def on_shift(self) -> float:
        """Share of a present head's time away from calls: 1 - prod(1 - s_i) over the on-shift components."""
        return _combine(getattr(self, name) for name in ON_SHIFT_COMPONENTS)


def _combine(shares) -> float:
    given = [float(s) for s in shares if s > 0]
    if len(given) == 1:
        return given[0]  # 1 - (1 - s) is not always s in floating point; one figure must round-trip
    return 1.0 - math.prod(1.0 - s for s in given)
