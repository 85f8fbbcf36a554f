"""Settings of the tour-scheduling roster model (see scheduling.tour_model).

A tour is one person's week: a shift on each working day and two consecutive days off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scheduling.errors import SchedulingError

DAYS_OFF_CHOICES = (0, 2)


@dataclass(frozen=True)
class TourSettings:
    """How shifts are assembled into weekly tours.

    days_off         2: every person works exactly 5 of every 7 days with the same 2 consecutive
                     weekdays off every week (full-time tours); 0: no tours, shifts only.
    break_window_h   width of the window, centred on the middle of the shift, in which the model
                     places each shift's unpaid break (0: the break is fixed at the middle).
    min_rest_h       rest between one day's shift and the next day's (Working Time Regulations: 11).
    max_week_hours   paid hours per person per 7 days, on average over the workforce (48).
    """

    days_off: int = 2
    break_window_h: float = 2.0
    min_rest_h: float = 11.0
    max_week_hours: float = 48.0

    def __post_init__(self) -> None:
        if self.days_off not in DAYS_OFF_CHOICES:
            raise SchedulingError(f"TourSettings.days_off must be one of {DAYS_OFF_CHOICES}, got {self.days_off!r}")
        for name, low in (("break_window_h", 0.0), ("min_rest_h", 0.0), ("max_week_hours", 1.0)):
            value = getattr(self, name)
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or value < low:
                raise SchedulingError(f"TourSettings.{name} must be a number >= {low:g}, got {value!r}")
        if self.min_rest_h > 24:
            raise SchedulingError(f"TourSettings.min_rest_h must be at most 24 hours, got {self.min_rest_h!r}")
