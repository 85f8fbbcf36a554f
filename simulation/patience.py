"""Callers' patience estimated from a call log, and drawn from in the model.

How long callers are prepared to wait is never seen directly: an abandoned caller's wait is their
patience, but an answered caller's wait only says their patience was longer (right-censored).
Treating answered waits as patience, or dropping them, makes callers look far less patient than
they are. Kaplan-Meier (statsmodels ``SurvfuncRight``) uses both: abandonments are events,
answers are censored observations.

The estimate is known only up to the longest wait seen. Past it, callers who are still "alive"
(the survival at the last event time) get an exponential tail whose hazard is the average hazard
over the observed range, -log S(t_last) / t_last: a patience distribution that neither stops at
the longest wait seen nor invents a heavier tail than the data show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from statsmodels.duration.survfunc import SurvfuncRight

from .errors import SimulationError


@dataclass(frozen=True)
class EmpiricalPatience:
    """A patience distribution: survival S(t) after each event time (a step function), plus an
    exponential tail with mean ``tail_mean_s`` after the last (None: no tail, S ends at 0)."""

    times: tuple[float, ...]
    survival: tuple[float, ...]
    tail_mean_s: float | None

    def __post_init__(self):
        t, s = np.asarray(self.times, float), np.asarray(self.survival, float)
        ok = (len(t) > 0 and len(t) == len(s) and np.isfinite(t).all() and (t >= 0).all()
              and (np.diff(t) > 0).all() and ((s >= 0) & (s <= 1)).all() and (np.diff(s) <= 0).all())
        if not ok:
            raise SimulationError("EmpiricalPatience: times must be increasing seconds of 0 or more and survival "
                                  "non-increasing shares, of the same non-zero length")
        if self.tail_mean_s is not None and not (np.isfinite(self.tail_mean_s) and self.tail_mean_s > 0):
            raise SimulationError(f"EmpiricalPatience: tail_mean_s must be more than 0 or None, got {self.tail_mean_s}")

    def sample(self, u: np.ndarray) -> np.ndarray:
        """Inverse transform of uniforms ``u`` in [0, 1)."""
        t, s = np.asarray(self.times), np.asarray(self.survival)
        cdf = 1.0 - s
        u = np.asarray(u, float)
        # the first event time whose cdf reaches u; cdf before the first event time is 0
        k = np.searchsorted(cdf, u, side="left")
        inside = k < len(t)
        out = np.empty_like(u)
        out[inside] = t[k[inside]]
        beyond = ~inside
        if beyond.any():
            if self.tail_mean_s is None:
                out[beyond] = t[-1]
            else:
                rest = (u[beyond] - cdf[-1]) / max(s[-1], 1e-300)
                out[beyond] = t[-1] - self.tail_mean_s * np.log1p(-np.minimum(rest, 1 - 1e-12))
        return out

    def mean(self) -> float:
        """Mean patience (integral of the survival function, tail included)."""
        t, s = np.asarray(self.times), np.asarray(self.survival)
        steps = np.concatenate([[0.0], t])
        levels = np.concatenate([[1.0], s])
        body = float((np.diff(steps) * levels[:-1]).sum())
        tail = s[-1] * self.tail_mean_s if self.tail_mean_s is not None else 0.0
        return body + tail


def estimate_patience(wait, abandoned) -> EmpiricalPatience:
    """Kaplan-Meier patience from waits (seconds) and whether each caller abandoned.

    Callers neither answered nor abandoned (e.g. still waiting at the end of the log) should be
    passed as not abandoned: like answered callers, their patience was at least their wait.
    """
    wait = np.asarray(wait, float)
    status = np.asarray(abandoned, dtype=bool)
    if wait.shape != status.shape or wait.size == 0:
        raise SimulationError("estimate_patience: wait and abandoned must be the same non-zero length")
    if not np.isfinite(wait).all() or (wait < 0).any():
        raise SimulationError(f"estimate_patience: waits must be seconds of 0 or more; row "
                              f"{np.flatnonzero(~(np.isfinite(wait) & (wait >= 0)))[0]} is not")
    if not status.any():
        raise SimulationError("estimate_patience: no caller abandoned, so the log says nothing about patience "
                              "beyond that it is longer than every wait; use mean_patience_s=None")
    km = SurvfuncRight(wait, status.astype(int))
    times, survival = np.asarray(km.surv_times, float), np.asarray(km.surv_prob, float)
    last_s, last_t = survival[-1], times[-1]
    tail = None if last_s <= 0 else (last_t / -np.log(last_s) if last_t > 0 and last_s < 1 else None)
    if tail is None and last_s > 0:
        raise SimulationError("estimate_patience: every abandonment happened at wait 0; patience cannot be estimated")
    return EmpiricalPatience(tuple(times.tolist()), tuple(survival.tolist()), tail)
