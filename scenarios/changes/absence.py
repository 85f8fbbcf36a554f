"""Sickness: a higher share of rostered shifts lost, whole, at random in each replication.

This is the simulation's absence_rate (already native): each rostered shift is lost with this
probability, drawn anew per replication. The baseline's rate is the queues' whole-shift shrinkage
(sickness and leave, or one undivided figure) unless the scenario file sets one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Change, Context, share


@dataclass(frozen=True)
class Sickness(Change):
    """absence_rate replaces the baseline's rate; extra_absence adds to it (e.g. 0.04 = 4 points)."""

    KIND = "sickness"
    SUMMARY = "a random absence rate (shifts lost whole, drawn per replication)"
    absence_rate: float | None = None
    extra_absence: float | None = None

    def __post_init__(self):
        if (self.absence_rate is None) == (self.extra_absence is None):
            raise ValueError("give one of absence_rate (the share of shifts lost) or extra_absence "
                             "(added to the baseline's share)")
        if self.absence_rate is not None:
            share("absence_rate", self.absence_rate, below_one=True)
        else:
            share("extra_absence", self.extra_absence, below_one=True)

    def absence(self, rate: float, ctx: Context) -> float:
        new = self.absence_rate if self.absence_rate is not None else rate + self.extra_absence
        if not 0 <= new < 1:
            raise self.fail(f"absence would be {new:.0%}; it must stay below 100% "
                            f"(baseline {rate:.0%} + extra_absence {self.extra_absence:.0%})")
        return new

    def describe(self) -> str:
        if self.absence_rate is not None:
            return f"{self.KIND}: {self.absence_rate:.0%} of shifts lost"
        return f"{self.KIND}: {self.extra_absence:+.0%} of shifts lost on top of the baseline"
