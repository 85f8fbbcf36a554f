"""Rolling-origin backtest scored by lead time: the harness behind `controlroom forecast backtest`.

For every queue, origins are the last ``origins`` local days (one every
``step_days``) that leave ``horizon_days`` of history after them to score.
At each origin day D forecasts are issued at midnight (day_ahead, week_ahead,
weeks_2_6) and at ``intraday_hour`` (rest_of_day); see ``forecasting.leads``.
A forecast issued at time W sees only the real intervals before W: the harness
hands the model ``to_wall_clock(history before W)`` and nothing else, and scores
its forecast against the real intervals (so clock-change days are scored on
their 92 or 100 real intervals, not on wall-clock placeholders).

Refitting. The model contract is ``fit(y)`` then ``predict(horizon)`` from the
end of ``y``; only models with the optional ``update`` can be re-anchored on
newer data without a refit. So:

* a model refitted at every issue time (``refit_every_days = 0``) is scored at
  exactly the nominal lead times;
* a model refitted every k days that cannot be updated forecasts, between
  refits, from its last fit:
  an origin 3 days after the fit is scored on the slice of that older
  forecast, i.e. with 3 more days of lead than the bucket says, and its
  rest_of_day forecast ignores the morning's calls. Its scores are therefore
  pessimistic (never flattered).
* a model that can be updated with new data (``updates``: DSHW, unobserved
  components, MSTL, the factor model) is, between refits, carried over
  the slots seen since (its parameters and spread stay those of the last fit)
  and forecasts from the issue time, so it is scored at the nominal leads;
* ``refit_every_days = None`` (auto) takes the model's own ``refit_days`` if it
  sets one (every registered model does: 0 for the fast ones, 7 for the slow,
  updatable ones, so the policy does not depend on the machine's load), else
  times the first fit: models
  fitting in under ``auto_refit_seconds`` are refitted at every issue time,
  slower ones every ``slow_refit_days``. The leaderboard records the policy used;
  ``fit_seconds`` includes the updates.

Calibration (``forecasting.calibration``): with ``calibrate`` on, each bucket's
quantiles are rescaled around the mean by multipliers learned from pairs whose
target day ended before the origin day (``warmup_origins`` extra origins before
the scored ones feed it and are not scored). Raw scores are kept too.

Scores per queue, model, lead bucket and level (15-minute ``interval``,
``hour`` totals, ``shift`` totals of ``shift_hours``): MAE, RMSE, MASE (each
origin's errors scaled by the weekly seasonal naive's in-sample MAE on that
origin's training data, at that level), pinball loss averaged over quantiles,
80% and 95% coverage (interval level only: quantiles of sums are not sums of
quantiles), rmse_ratio against the baseline (weekly seasonal naive) on the
same pairs, and a Diebold-Mariano test (squared error) against the baseline
on per-origin mean loss differentials with h = the bucket's last lead day /
step (``forecasting.dm``).
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from . import metrics
from .calibration import CalibrationSettings, RollingCalibrator, apply_multipliers
from .clock import Periods, infer_interval, to_wall_clock, wall_time
from .dm import dm_test
from .errors import ForecastError
from .history import validate_history
from .leads import BUCKETS, DAY_AHEAD, MIDNIGHT_BUCKETS, REST_OF_DAY, buckets_within, day_numbers
from .models import REGISTRY, Combination, make_model
from .models.predictive import validate_quantiles
from .runners import CombinationRunner, ModelRunner
from .special_days import SpecialDays
from .schema import CALLS, DEFAULT_QUANTILES, INTERVAL_START, MODEL, QUEUE, quantile_column

LEVELS = ("interval", "hour", "shift")
BASELINE = "seasonal_naive"
LEADERBOARD_COLUMNS = (
    QUEUE, MODEL, "level", "horizon", "origins", "n", "mae", "rmse", "mase", "pinball", "coverage_80",
    "coverage_95", "rmse_ratio", "dm_stat", "dm_pvalue", "pinball_raw", "coverage_80_raw", "coverage_95_raw",
    "fit_seconds", "predict_seconds", "fits", "refit_every_days",
)
WEIGHT_COLUMNS = (QUEUE, MODEL, "origin", "issued", "member", "weight")
_INTERVALS = {"coverage_80": (0.1, 0.9), "coverage_95": (0.025, 0.975)}
_DAY_NS = pd.Timedelta(days=1).value


@dataclass(frozen=True)
class HarnessSettings:
    origins: int = 84
    step_days: int = 1
    horizon_days: int = 42
    intraday_hour: int = 8
    refit_every_days: int | None = None
    auto_refit_seconds: float = 0.5
    slow_refit_days: int = 7
    warmup_origins: int = 14
    calibrate: bool = True
    calibration: CalibrationSettings = field(default_factory=CalibrationSettings)
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    shift_hours: int = 8
    keep_forecasts: tuple[str, ...] = (REST_OF_DAY, DAY_AHEAD)
    special_days: SpecialDays | None = None  # for models that use them; None: each model's default
    workers: int = 1  # processes running queues side by side (results do not depend on it)

    def __post_init__(self) -> None:
        for name in ("origins", "step_days", "slow_refit_days", "workers"):
            _whole(name, getattr(self, name), 1)
        _whole("warmup_origins", self.warmup_origins, 0)
        buckets_within(self.horizon_days)
        if self.refit_every_days is not None:
            _whole("refit_every_days", self.refit_every_days, 0)
        if int(self.intraday_hour) != self.intraday_hour or not 1 <= self.intraday_hour <= 23:
            raise ForecastError(f"intraday_hour must be a whole hour from 1 to 23, got {self.intraday_hour}")
        if self.shift_hours not in (1, 2, 3, 4, 6, 8, 12, 24):
            raise ForecastError(f"shift_hours must divide a day (1, 2, 3, 4, 6, 8, 12 or 24), got {self.shift_hours}")
        object.__setattr__(self, "quantiles", validate_quantiles(self.quantiles))
        if self.special_days is not None and not isinstance(self.special_days, SpecialDays):
            raise ForecastError(f"special_days must be a forecasting.special_days.SpecialDays, got {self.special_days!r}")
        unknown = sorted(set(self.keep_forecasts) - set(BUCKETS))
        if unknown:
            raise ForecastError(f"keep_forecasts has unknown bucket(s) {unknown}; buckets: {', '.join(BUCKETS)}")


@dataclass(frozen=True)
class BacktestReport:
    """leaderboard: LEADERBOARD_COLUMNS; forecasts: long pairs of the kept buckets;
    by_lead / by_time_of_day: interval-level RMSE per lead day / local hour (day_ahead);
    weights: the members' weights of each weighted combination at each issue
    (queue, model, origin, issued, member, weight)."""

    leaderboard: pd.DataFrame
    forecasts: pd.DataFrame
    by_lead: pd.DataFrame
    by_time_of_day: pd.DataFrame
    settings: HarnessSettings
    weights: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(WEIGHT_COLUMNS)))


def add_total(history: pd.DataFrame, name: str = "ALL") -> pd.DataFrame:
    """History with one more queue, ``name``, holding the calls of all queues summed per interval."""
    if name in set(history[QUEUE].astype(str)):
        raise ForecastError(f"cannot add the total queue {name!r}: a queue of that name exists")
    total = history.groupby(INTERVAL_START, sort=True)[CALLS].sum().reset_index()
    total.insert(0, QUEUE, name)
    total["aht"] = np.nan
    return pd.concat([history, total[history.columns]], ignore_index=True)


def run_backtest(history: pd.DataFrame, models: Sequence[str] | None = None,
                 settings: HarnessSettings | None = None,
                 progress: Callable[[str], None] | None = None) -> BacktestReport:
    """Backtest ``models`` (registry names; default all) on every queue of ``history``."""
    settings = settings or HarnessSettings()
    names = list(dict.fromkeys(models if models is not None else REGISTRY))
    for name in names:
        make_model(name)  # unknown names fail before any work
    if BASELINE not in names:
        names.insert(0, BASELINE)  # rmse_ratio and the DM test need it
    history = validate_history(history)
    say = progress or (lambda message: None)
    queues = [(str(queue), rows.set_index(INTERVAL_START)[CALLS].astype(float))
              for queue, rows in history.groupby(QUEUE, sort=True)]
    if settings.workers > 1 and len(queues) > 1:
        parts = _run_parallel(queues, names, settings, say)
    else:
        parts = [_Queue(queue, real, settings, say).run(names) for queue, real in queues]
    return BacktestReport(*(pd.concat([p[i] for p in parts], ignore_index=True) for i in range(4)),
                          settings=settings, weights=pd.concat([p[4] for p in parts], ignore_index=True))


def _run_parallel(queues: list, names: list[str], settings: HarnessSettings, say) -> list:
    """Queues in ``settings.workers`` processes; their progress lines are relayed to ``say`` as they come."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads running
    messages = context.SimpleQueue()
    relay = threading.Thread(target=_relay, args=(messages, say), daemon=True)
    relay.start()
    try:
        with ProcessPoolExecutor(min(settings.workers, len(queues)), mp_context=context,
                                 initializer=_worker_init, initargs=(messages,)) as pool:
            return list(pool.map(_run_queue, [(queue, real, names, settings) for queue, real in queues]))
    finally:
        messages.put(None)
        relay.join()


_WORKER_MESSAGES = None


def _worker_init(messages) -> None:
    global _WORKER_MESSAGES
    _WORKER_MESSAGES = messages


def _run_queue(job):
    queue, real, names, settings = job
    return _Queue(queue, real, settings, _WORKER_MESSAGES.put).run(names)


def _relay(messages, say) -> None:
    while (message := messages.get()) is not None:
        say(message)


@dataclass
class _Issue:
    """One forecast issue time of one origin, and the real intervals it is scored on."""

    origin: int  # index among all origins (warm-up first)
    day: int  # origin's local day number
    wall: pd.Timestamp  # issue time on the wall clock
    rows: np.ndarray  # positions in the real series
    bucket: np.ndarray  # bucket code per row (index into BUCKETS)
    lead_day: np.ndarray
    train: pd.Series | None = None
    scales: dict | None = None


class _Queue:
    def __init__(self, queue: str, real: pd.Series, settings: HarnessSettings, say) -> None:
        self.queue, self.real, self.settings, self.say = queue, real, settings, say
        self.interval = infer_interval(real.index)
        self.periods = Periods(self.interval)
        self.local = wall_time(real.index)
        self.days = day_numbers(self.local)
        self.actual = real.to_numpy(dtype=float)

    # ----- plan
    def _scored_days(self) -> tuple[list[int], int, int]:
        """Scored origin days, the first whole day of history and the last."""
        s = self.settings
        first_full = self.days[0] if self.local[0] == self.local[0].normalize() else self.days[0] + 1
        ends_at_midnight = (self.local[-1] + self.interval) == (self.local[-1] + self.interval).normalize()
        last_full = self.days[-1] if ends_at_midnight else self.days[-1] - 1
        last_origin = last_full - s.horizon_days + 1
        return [last_origin - s.step_days * i for i in range(s.origins)][::-1], int(first_full), int(last_full)

    def _origin_days(self, need_days: int) -> tuple[list[int], int]:
        s = self.settings
        scored, first_full, last_full = self._scored_days()
        first_allowed = first_full + need_days
        if scored[0] < first_allowed:
            total = s.origins * s.step_days + s.horizon_days + need_days
            raise ForecastError(
                f"queue {self.queue!r}: history has {last_full - first_full + 1} whole days; {s.origins} origins "
                f"{s.step_days} day(s) apart with a {s.horizon_days}-day horizon and models needing "
                f"{need_days} days of history need at least {total} days (use fewer origins or a shorter horizon)")
        warm = [scored[0] - s.step_days * (i + 1) for i in range(s.warmup_origins)]
        warm = [d for d in warm if d >= first_allowed][::-1]
        if len(warm) < s.warmup_origins and s.calibrate:
            self.say(f"queue {self.queue!r}: room for {len(warm)} of {s.warmup_origins} calibration warm-up origins")
        return warm + scored, len(warm)

    def _issues(self, days: list[int]) -> list[_Issue]:
        s = self.settings
        spans = buckets_within(s.horizon_days)
        issues = []
        for k, day in enumerate(days):
            midnight = pd.Timestamp(day * _DAY_NS)
            for hours, buckets in ((0, [b for b in MIDNIGHT_BUCKETS if b in spans]), (s.intraday_hour, [REST_OF_DAY])):
                wall = midnight + pd.Timedelta(hours=hours)
                rows, codes, leads = [], [], []
                for bucket in buckets:
                    lo, hi = spans[bucket]
                    a, b = np.searchsorted(self.days, [day + lo, day + hi])
                    pos = np.arange(a, b)
                    if bucket == REST_OF_DAY:
                        pos = pos[self.local[pos] >= wall]
                    rows.append(pos)
                    codes.append(np.full(len(pos), BUCKETS.index(bucket)))
                    leads.append(self.days[pos] - day)
                issues.append(_Issue(k, day, wall, np.concatenate(rows), np.concatenate(codes), np.concatenate(leads)))
        return issues

    def _training(self, issue: _Issue) -> pd.Series:
        if issue.train is None:
            before = int(np.count_nonzero(self.local < issue.wall))
            # The real intervals before the issue time, and nothing after (the honesty the tests check).
            issue.train = to_wall_clock(self.real.iloc[:before], self.interval)
            issue.scales = self._scales(issue.train)
        return issue.train

    def _scales(self, train: pd.Series) -> dict[str, float]:
        values = train.to_numpy(dtype=float)
        out = {"interval": metrics.seasonal_naive_scale(values, self.periods.week)}
        for level, hours in (("hour", 1), ("shift", self.settings.shift_hours)):
            block = hours * self.periods.day // 24
            whole = len(values) // block * block
            sums = values[len(values) - whole:].reshape(-1, block).sum(axis=1)
            out[level] = metrics.seasonal_naive_scale(sums, 7 * 24 // hours)
        return out

    # ----- run
    def run(self, names: list[str]):
        s = self.settings
        models = {name: make_model(name, special_days=s.special_days) for name in names}
        needs = {name: math.ceil(m.min_length(self.periods) / self.periods.day) for name, m in models.items()}
        scored, first_full, _ = self._scored_days()
        for name in [n for n in names if n != BASELINE and needs[n] > scored[0] - first_full]:
            # A model that needs more history than the first origin has is left out, not the whole backtest.
            self.say(f"queue {self.queue!r}: skipping {name}: needs {needs[name]} days of history before the "
                     f"first origin, which has {max(scored[0] - first_full, 0)}")
            del models[name]
        need = max(needs[name] for name in models)
        days, n_warm = self._origin_days(need)
        issues = self._issues(days)
        for issue in issues:
            self._training(issue)  # every origin's scale, whether or not a model refits there
        self.say(f"queue {self.queue!r}: {len(days) - n_warm} origins (+{n_warm} warm-up), "
                 f"{len(names)} model(s), horizon {s.horizon_days} days")
        runners: dict[str, ModelRunner] = {}
        for name, model in models.items():
            self._runner(name, model, runners)
        self._step_all(list(runners.values()), issues, set(models))
        results = {}
        for name in models:
            runner = runners[name]
            if runner.error is None:
                info = runner.result()
                self.say(f"queue {self.queue!r}: {name}: {info['fits']} fits"
                         f"{f' + {runner.updates} updates' if runner.updates else ''} in {info['fit_seconds']:.1f}s, "
                         f"predict {info['predict_seconds']:.1f}s")
                results[name] = info
        return (*_Scorer(self, issues, n_warm, results).tables(), self._weights(runners, results))

    def _weights(self, runners: dict, results: dict) -> pd.DataFrame:
        rows = [(self.queue, name, pd.Timestamp(day * _DAY_NS).date(), wall, member.name, float(w))
                for name in results if isinstance(runners[name], CombinationRunner)
                for day, wall, weights in runners[name].weights_by_issue if weights is not None
                for member, w in zip(runners[name].members, weights)]
        return pd.DataFrame(rows, columns=list(WEIGHT_COLUMNS))

    def _runner(self, name: str, model, runners: dict) -> ModelRunner:
        """The runner of ``name``; a combination's members get theirs first (scored only if asked for)."""
        if name in runners:
            return runners[name]
        if isinstance(model, Combination):
            members = [self._runner(m, make_model(m, special_days=model.special_days), runners)
                       for m in model.members]
            runners[name] = CombinationRunner(self, model, members)
        else:
            runners[name] = ModelRunner(self, model)
        return runners[name]

    def _step_all(self, runners: list[ModelRunner], issues: list[_Issue], visible: set[str]) -> None:
        """Step every runner through the issues together (members before the combinations using them)."""
        every = max(1, len(issues) // 10)
        for k, issue in enumerate(issues):
            for runner in runners:
                if runner.error is not None:
                    continue
                try:
                    runner.step(issue)
                except ForecastError as exc:
                    runner.error = str(exc)
                    if runner.name == BASELINE:
                        raise ForecastError(f"queue {self.queue!r}: baseline {runner.name} cannot be backtested: "
                                            f"{exc}") from None
                    if runner.name in visible:
                        self.say(f"queue {self.queue!r}: skipping {runner.name}: {exc}")
                        warnings.warn(f"queue {self.queue!r}: skipping {runner.name}: {exc}", stacklevel=2)
            if (k + 1) % every == 0 or k + 1 == len(issues):
                self.say(f"queue {self.queue!r}: {k + 1}/{len(issues)} issue times done")


def _whole(name: str, value, least: int) -> None:
    if int(value) != value or value < least:
        raise ForecastError(f"{name} must be a whole number >= {least}, got {value}")


class _Scorer:
    """Calibrates and scores the pairs of every model of one queue."""

    def __init__(self, q: _Queue, issues: list[_Issue], n_warm: int, results: dict) -> None:
        self.q, self.issues, self.n_warm, self.results = q, issues, n_warm, results
        s = q.settings
        self.quantiles = s.quantiles
        rows = np.concatenate([i.rows for i in issues])
        self.frame = pd.DataFrame({
            "origin": np.concatenate([np.full(len(i.rows), i.origin) for i in issues]),
            "day": np.concatenate([np.full(len(i.rows), i.day) for i in issues]),
            "bucket": np.concatenate([i.bucket for i in issues]),
            "lead_day": np.concatenate([i.lead_day for i in issues]),
            "row": rows,
            "actual": q.actual[rows],
            "target_day": q.days[rows],
        })
        local = q.local[rows]
        self.frame["hour_key"] = local.floor("h").asi8
        self.frame["shift_key"] = local.floor(f"{s.shift_hours}h").asi8
        self.frame["tod"] = local.hour
        self.scales = {level: np.concatenate([np.full(len(i.rows), i.scales[level]) for i in issues])
                       for level in LEVELS}
        self.scored = (self.frame["origin"] >= n_warm).to_numpy()

    def _arrays(self, name: str):
        pairs = self.results[name]["pairs"]
        mean = np.concatenate([m for m, _ in pairs])
        raw = np.concatenate([qq for _, qq in pairs])
        return mean, raw, self._calibrate(mean, raw)

    def _calibrate(self, mean: np.ndarray, raw: np.ndarray) -> np.ndarray:
        s = self.q.settings
        if not s.calibrate:
            return raw
        f = self.frame
        cal = raw.copy()
        actual, target, bucket = f["actual"].to_numpy(), f["target_day"].to_numpy(), f["bucket"].to_numpy()
        day = f["day"].to_numpy()
        for code in np.unique(bucket):
            rows = np.flatnonzero(bucket == code)
            calibrator = RollingCalibrator(self.quantiles, s.calibration)
            calibrator.add(target[rows], actual[rows], mean[rows], raw[rows])
            for d in np.unique(day[rows]):
                sub = rows[day[rows] == d]
                cal[sub] = apply_multipliers(mean[sub], raw[sub], calibrator.multipliers(int(d)))
        return cal

    def tables(self):
        board, kept, by_lead, by_tod = [], [], [], []
        arrays = {name: self._arrays(name) for name in self.results}
        base_mean = arrays[BASELINE][0]
        for name, (mean, raw, cal) in arrays.items():
            info = self.results[name]
            for level in LEVELS:
                for code, bucket in enumerate(BUCKETS):
                    rows = self.scored & (self.frame["bucket"].to_numpy() == code)
                    if not rows.any():
                        continue
                    board.append({QUEUE: self.q.queue, MODEL: name, "level": level, "horizon": bucket,
                                  **self._score(level, bucket, rows, mean, raw, cal, base_mean),
                                  "fit_seconds": info["fit_seconds"], "predict_seconds": info["predict_seconds"],
                                  "fits": info["fits"], "refit_every_days": info["refit_every_days"]})
            kept.append(self._kept(name, mean, cal))
            by_lead.append(self._by(name, mean, base_mean, "lead_day", np.isin(self.frame["bucket"], [1, 2, 3])))
            by_tod.append(self._by(name, mean, base_mean, "tod", self.frame["bucket"].to_numpy() == 1))
        return (pd.DataFrame(board, columns=list(LEADERBOARD_COLUMNS)), pd.concat(kept, ignore_index=True),
                pd.concat(by_lead, ignore_index=True), pd.concat(by_tod, ignore_index=True))

    def _score(self, level, bucket, rows, mean, raw, cal, base_mean) -> dict:
        f = self.frame[rows]
        actual, m, b = f["actual"].to_numpy(), mean[rows], base_mean[rows]
        scale = self.scales[level][rows]
        if level != "interval":
            key = f["hour_key" if level == "hour" else "shift_key"].to_numpy()
            groups = pd.DataFrame({"origin": f["origin"].to_numpy(), "key": key, "a": actual, "m": m, "b": b,
                                   "s": scale}).groupby(["origin", "key"], sort=False)
            sums = groups[["a", "m", "b"]].sum()
            scale = groups["s"].first().to_numpy()
            origin = sums.index.get_level_values(0).to_numpy()
            actual, m, b = sums["a"].to_numpy(), sums["m"].to_numpy(), sums["b"].to_numpy()
        else:
            origin = f["origin"].to_numpy()
        err, base_err = m - actual, b - actual
        rmse = metrics.rmse(actual, m)
        base_rmse = metrics.rmse(actual, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.abs(err) / np.where(scale > 0, scale, np.nan)
        diff = pd.Series(err**2 - base_err**2).groupby(origin, sort=True).mean().to_numpy()
        lo, hi = buckets_within(self.q.settings.horizon_days)[bucket]
        dm = dm_test(diff, h=max(1, math.ceil(hi / self.q.settings.step_days)))
        out = {"origins": len(np.unique(origin)), "n": int(np.isfinite(actual).sum()),
               "mae": metrics.mae(actual, m), "rmse": rmse, "mase": float(np.nanmean(scaled)),
               "rmse_ratio": rmse / base_rmse if base_rmse > 0 else np.nan,
               "dm_stat": dm.statistic, "dm_pvalue": dm.pvalue}
        for suffix, quant in (("", cal), ("_raw", raw)):
            if level == "interval":
                by_q = {q: quant[rows, j] for j, q in enumerate(self.quantiles)}
                out["pinball" + suffix] = metrics.pinball(actual, by_q)
                for col, (ql, qh) in _INTERVALS.items():
                    have = ql in by_q and qh in by_q
                    out[col + suffix] = metrics.coverage(actual, by_q[ql], by_q[qh]) if have else np.nan
            else:
                out["pinball" + suffix] = np.nan
                for col in _INTERVALS:
                    out[col + suffix] = np.nan
        return out

    def _kept(self, name, mean, cal) -> pd.DataFrame:
        codes = [BUCKETS.index(b) for b in self.q.settings.keep_forecasts]
        rows = self.scored & np.isin(self.frame["bucket"].to_numpy(), codes)
        f = self.frame[rows]
        days = f["day"].to_numpy()
        out = pd.DataFrame({
            QUEUE: self.q.queue,
            "origin": pd.to_datetime(days * _DAY_NS).date,
            MODEL: name,
            INTERVAL_START: self.q.real.index[f["row"].to_numpy()],
            "horizon": np.asarray(BUCKETS, dtype=object)[f["bucket"].to_numpy()],
            "lead_day": f["lead_day"].to_numpy(),
            "actual": f["actual"].to_numpy(),
            CALLS: mean[rows],
        })
        for j, q in enumerate(self.quantiles):
            out[quantile_column(q)] = cal[rows, j]
        return out

    def _by(self, name, mean, base_mean, key, mask) -> pd.DataFrame:
        rows = self.scored & mask
        f = self.frame[rows]
        frame = pd.DataFrame({key: f[key].to_numpy(), "se": (mean[rows] - f["actual"].to_numpy()) ** 2,
                              "base": (base_mean[rows] - f["actual"].to_numpy()) ** 2})
        grouped = frame.groupby(key, sort=True).mean()
        return pd.DataFrame({QUEUE: self.q.queue, MODEL: name, key: grouped.index,
                             "rmse": np.sqrt(grouped["se"].to_numpy()),
                             "rmse_ratio": np.sqrt(grouped["se"] / grouped["base"]).to_numpy()})
