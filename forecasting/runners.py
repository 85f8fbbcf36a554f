"""How the backtest harness steps each model through its issue times (see ``forecasting.harness``).

All models of one queue are stepped together, issue by issue, so that a
combination can be built from its members' forecasts at that issue instead of
refitting every member itself (a combination of three models used to cost the
three models' time again):

* ``ModelRunner`` fits a model when its refit policy says so, in between
  updates it with the slots seen since if the model can (``updates``), and
  predicts the span the issue needs from there; it keeps the last fit's in-sample
  fitted values and, per target day, the mean squared error of its day_ahead
  forecast (what a skill-weighted combination weights by).
* ``CombinationRunner`` combines its members' runners with the combination's
  own ``combine``: the mean from the members' mean forecasts, the spread fitted
  to the combined in-sample fits, exactly as ``Combination.fit``/``predict``
  do when the combination runs alone (the tests compare the two). It needs its
  members refitted at the same issues (the same refit policy); when they are
  not, it runs the combination itself, refitting its members, as before.
"""

from __future__ import annotations

import time

import numpy as np

from .errors import ForecastError
from .leads import BUCKETS, DAY_AHEAD
from .models.combination import Combination
from .models.predictive import Dispersion
from .schema import CALLS, quantile_column

_DAY_AHEAD = BUCKETS.index(DAY_AHEAD)


class ModelRunner:
    """One model's fits and forecasts over the issues of one queue, in order."""

    def __init__(self, q, model) -> None:
        self.q, self.model, self.name = q, model, model.name
        self.policy = q.settings.refit_every_days
        self.fit_seconds = self.predict_seconds = 0.0
        self.fits = self.updates = 0
        self.fit_issue = self.start = self.mean = self.quant = self.fitted = None
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self.day_mse: dict[int, float] = {}  # target day -> mean squared day_ahead error
        self.error: str | None = None

    def step(self, issue) -> None:
        if self._due(issue):
            self._fit(issue)
        elif self.model.updates:
            self._update(issue)
        pos = self._positions(issue)
        if self.mean is None or (len(pos) and pos.max() >= len(self.mean)):
            self._predict(self._span(pos))
        self._record(issue, pos)

    def result(self) -> dict:
        return {"pairs": self.pairs, "fit_seconds": self.fit_seconds, "predict_seconds": self.predict_seconds,
                "fits": self.fits, "refit_every_days": self.policy}

    def _due(self, issue) -> bool:
        if self.fit_issue is None or self.policy == 0:
            return True
        return issue.wall.hour == 0 and issue.day - self.fit_issue.day >= self.policy

    def _fit(self, issue) -> None:
        train = self.q._training(issue)
        t0 = time.perf_counter()
        self.model.fit(train)
        self.fit_seconds += time.perf_counter() - t0
        self.fits += 1
        self.fitted = self.model._fit_values  # in-sample fitted means, for combinations
        self._fitted_at(issue, train)
        if self.policy is None:  # auto: the model's own cadence, else decided by the first fit's time
            s = self.q.settings
            own = self.model.refit_days
            self.policy = own if own is not None else 0 if self.fit_seconds < s.auto_refit_seconds else s.slow_refit_days

    def _update(self, issue) -> None:
        """Between refits: carry the fit over the slots seen since, so the forecast is issued on time."""
        train = self.q._training(issue)
        seen = train[train.index >= self.start]
        if not len(seen):
            return
        t0 = time.perf_counter()
        try:
            self.model.update(seen)
        except ForecastError:
            self._fit(issue)  # e.g. a gap the model cannot filter: refit instead
            return
        self.fit_seconds += time.perf_counter() - t0
        self.updates += 1
        self._fitted_at(self.fit_issue, train)

    def _fitted_at(self, issue, train) -> None:
        self.fit_issue, self.start = issue, train.index[-1] + self.q.interval
        self.mean = self.quant = None

    def _positions(self, issue) -> np.ndarray:
        keys = self.q.local[issue.rows]
        if not len(keys):
            return np.zeros(0, np.int64)
        return ((keys - self.start) // self.q.interval).to_numpy(dtype=np.int64)

    def _span(self, pos: np.ndarray) -> int:
        s = self.q.settings
        span = int(pos.max()) + 1 if len(pos) else 1
        if self.policy not in (None, 0) and not self.model.updates:  # one forecast serves until the next refit
            span = max(span, (self.policy + s.horizon_days + 1) * self.q.periods.day)
        return span

    def _predict(self, span: int) -> None:
        s = self.q.settings
        t0 = time.perf_counter()
        frame = self.model.predict(span, s.quantiles)
        self.predict_seconds += time.perf_counter() - t0
        self.mean = frame[CALLS].to_numpy(dtype=float)
        self.quant = frame[[quantile_column(q) for q in s.quantiles]].to_numpy(dtype=float)

    def _record(self, issue, pos: np.ndarray) -> None:
        mean = self.mean[pos]
        self.pairs.append((mean, self.quant[pos]))
        day = issue.bucket == _DAY_AHEAD
        if day.any():
            with np.errstate(invalid="ignore"):
                err = mean[day] - self.q.actual[issue.rows[day]]
            if np.isfinite(err).any():
                self.day_mse[issue.day] = float(np.nanmean(err**2))


class CombinationRunner(ModelRunner):
    """A combination scored from its members' runners (see the module docstring)."""

    def __init__(self, q, model: Combination, members: list[ModelRunner]) -> None:
        super().__init__(q, model)
        self.members = members
        self.own: ModelRunner | None = None  # the combination refitting its members itself
        self.weights: np.ndarray | None = None
        self.weights_by_issue: list[tuple] = []  # (issue day, issue wall time, weights or None)
        self._sources: list[np.ndarray] | None = None
        self._dispersion: Dispersion | None = None

    def step(self, issue) -> None:
        if self.own is None and self.fit_issue is None and not self._members_in_step():
            self.q.say(f"queue {self.q.queue!r}: {self.name}: members refit on different days; it refits them itself")
            self.own = ModelRunner(self.q, self.model)
        if self.own is not None:
            self.own.step(issue)
            return
        failed = [m for m in self.members if m.error is not None]
        if failed:
            raise ForecastError(f"{self.name}: member {failed[0].error}")
        self.policy = self.members[0].policy
        if all(m.fit_issue is issue for m in self.members):
            self._combine_fits(issue)
        elif any(m.fit_issue is issue for m in self.members):
            raise ForecastError(f"{self.name}: members were refitted at different issues")
        if self.mean is None or any(a is not m.mean for a, m in zip(self._sources, self.members)):
            self._combine_means()
        if len({m.start for m in self.members}) > 1:
            raise ForecastError(f"{self.name}: members forecast from different times")
        self.start = self.members[0].start  # members updated between refits forecast from the issue time
        self._record(issue, self._positions(issue))
        self.weights_by_issue.append((issue.day, issue.wall, None if self.weights is None else self.weights.copy()))

    def result(self) -> dict:
        return self.own.result() if self.own is not None else super().result()

    def _members_in_step(self) -> bool:
        """Members refitted at the same issues and forecasting from the same times (else no common fit)."""
        policies = {m.policy for m in self.members}
        if len(policies) > 1:
            return False
        return policies == {0} or len({bool(m.model.updates) for m in self.members}) == 1

    def _combine_fits(self, issue) -> None:
        train = self.q._training(issue)
        t0 = time.perf_counter()
        self.weights = self._skill_weights(issue)
        combined = self.model.combine(np.vstack([m.fitted for m in self.members]), self.weights)
        self._dispersion = Dispersion.from_residuals(train.to_numpy(dtype=float), combined)
        self.fit_seconds += time.perf_counter() - t0
        self.fits += 1
        self._fitted_at(issue, train)

    def _combine_means(self) -> None:
        t0 = time.perf_counter()
        sources = [m.mean for m in self.members]
        if len({len(a) for a in sources}) > 1:
            raise ForecastError(f"{self.name}: members forecast spans of different lengths")
        # Members' means are already clipped at 0, as Combination clips them before combining.
        mu = np.clip(self.model.combine(np.vstack(sources), self.weights), 0.0, None)
        if not np.isfinite(mu).all():
            raise ForecastError("model produced a non-finite mean forecast")
        self.mean, self.quant = mu, self._dispersion.quantiles(mu, self.q.settings.quantiles)
        self._sources = sources
        self.predict_seconds += time.perf_counter() - t0

    def _skill_weights(self, issue) -> np.ndarray | None:
        """Weights from day_ahead errors of target days that ended before the issue's day (none after it)."""
        days = getattr(self.model, "skill_days", None)
        if days is None:
            return None
        window = range(issue.day - days, issue.day)
        errors = np.array([[m.day_mse.get(d, np.nan) for d in window] for m in self.members])
        return self.model.weights_from_errors(errors)
