"""Scenario files: TOML in, frozen dataclasses out, every key and value checked.

A scenario file has a top-level ``name``, ``description`` and ``seed`` and the sections
[data], [forecast], [queues.<name>], [roster] and [simulation]; `scenarios/demo.toml` is the
annotated reference. Anything not given takes the default below. A key that does not exist,
or a value out of range, is an InputError naming the file, the section, the key and what is
allowed, because a silently ignored typo ("shrinkge = 0.4") would plan the wrong control room.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from scheduling.errors import SchedulingError
from scheduling.rotations import Rotation, fixed_shift
from scheduling.shrinkage import COMPONENTS, Shrinkage
from simulation import QueueConfig
from simulation.errors import SimulationError

from .errors import InputError

ERLANG_MODELS = ("erlang_c", "erlang_a")
SOLVERS = ("highs", "cbc")
ROSTER_MODELS = ("shifts", "tours", "rotations")
HANDLE_DISTRIBUTIONS = ("lognormal", "exponential")
# [queues.NAME] keys passed to simulation.QueueConfig under the same name
BEHAVIOUR_KEYS = ("patience", "patience_cv", "after_call_s", "redial_same", "redial_other", "redial_other_queue",
                  "redial_delay_s", "repeat_share", "repeat_delay_s", "callback_over_s", "callback_accept",
                  "callback_success", "callback_attempt_s")
_SIMULATED = {f.name: f.default for f in dataclasses.fields(QueueConfig)}
PATIENCE_KINDS = ("exponential", "fixed", "lognormal")   # 'empirical' needs a call log: controlroom simulate


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _fraction(name: str, value: float, *, upper_open: bool = False) -> None:
    ok = 0 <= value < 1 if upper_open else 0 <= value <= 1
    _check(ok, f"{name} must be a share between 0 and 1{' (below 1)' if upper_open else ''}, got {value}")


@dataclass(frozen=True)
class DataSettings:
    """Where the call history comes from: the built-in demo, or a user's file."""

    source: str = "demo"
    timezone: str = "Europe/London"
    history_days: int = 730
    interval_minutes: int = 15

    def __post_init__(self):
        _check(self.history_days >= 56, f"history_days must be at least 56 (8 weeks), got {self.history_days}")
        _check(self.interval_minutes in (15,), f"interval_minutes must be 15, got {self.interval_minutes}")
        try:
            import zoneinfo
            zoneinfo.ZoneInfo(self.timezone)
        except Exception:
            raise ValueError(f"timezone {self.timezone!r} is not a known IANA time zone "
                             "(e.g. 'Europe/London')") from None

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"


@dataclass(frozen=True)
class ForecastSettings:
    horizon_days: int = 28
    models: tuple[str, ...] = ("seasonal_naive", "mstl", "harmonic_glm")
    backtest_origins: int = 2
    staff_to: str = "mean"
    holidays_country: str = "GB-ENG"     # "CC" or "CC-SUBDIV" of the `holidays` package, or "none"
    new_years_eve: bool = True           # 20:00-04:00 every 31 December, learnt from earlier years
    events: tuple = ()                   # {name, start, end, uplift (optional)} wall-clock windows

    def __post_init__(self):
        object.__setattr__(self, "models", tuple(self.models))
        object.__setattr__(self, "events", tuple(self.events))
        self.special_days([])  # a bad country or event fails when the file is read
        _check(1 <= self.horizon_days <= 56, f"horizon_days must be 1 to 56, got {self.horizon_days}")
        _check(len(self.models) > 0, "models must name at least one model")
        _check(0 <= self.backtest_origins <= 12, f"backtest_origins must be 0 to 12, got {self.backtest_origins}")
        _check(self.staff_to == "mean" or _is_percentile(self.staff_to),
               f"staff_to must be 'mean' or a percentile such as 'p80', got {self.staff_to!r}")

    def special_days(self, years):
        """Holidays and events for the forecast; ``years`` those New Year's Eve is added for."""
        from forecasting.special_days import special_days_from_settings

        return special_days_from_settings(self.holidays_country, self.events,
                                          years if self.new_years_eve else ())

    @property
    def staff_to_quantile(self) -> float | None:
        return None if self.staff_to == "mean" else float(self.staff_to[1:]) / 100


def _is_percentile(text: str) -> bool:
    try:
        return text.startswith("p") and 0 < float(text[1:]) < 100
    except ValueError:
        return False


@dataclass(frozen=True)
class QueueSettings:
    """One line's answer-time target, the staffing model used for it, and its callers' patience."""

    name: str
    model: str = "erlang_c"
    service_level: float = 0.9
    answer_within_s: float = 10.0
    mean_patience_s: float | None = None
    shrinkage: float | Shrinkage = 0.3
    priority: int = 0
    min_agents: int = 1
    aht_s: float | None = None
    # callers' behaviour in the simulation (simulation.QueueConfig has the full story), with the
    # simulation's own defaults, so a file without these keys simulates as before
    patience: str = _SIMULATED["patience"]
    patience_cv: float = _SIMULATED["patience_cv"]
    after_call_s: float = _SIMULATED["after_call_s"]
    redial_same: float = _SIMULATED["redial_same"]
    redial_other: float = _SIMULATED["redial_other"]
    redial_other_queue: str | None = _SIMULATED["redial_other_queue"]
    redial_delay_s: float = _SIMULATED["redial_delay_s"]
    repeat_share: float = _SIMULATED["repeat_share"]
    repeat_delay_s: float = _SIMULATED["repeat_delay_s"]
    callback_over_s: float | None = _SIMULATED["callback_over_s"]
    callback_accept: float = _SIMULATED["callback_accept"]
    callback_success: float = _SIMULATED["callback_success"]
    callback_attempt_s: float = _SIMULATED["callback_attempt_s"]
    max_occupancy: float | None = None

    def __post_init__(self):
        _check(self.model in ERLANG_MODELS, f"model must be one of {', '.join(ERLANG_MODELS)}, got {self.model!r}")
        _check(0 < self.service_level < 1, f"service_level must be a share between 0 and 1, got {self.service_level}")
        _check(self.answer_within_s >= 0, f"answer_within_s must be 0 or more seconds, got {self.answer_within_s}")
        _check(self.mean_patience_s is None or self.mean_patience_s > 0,
               f"mean_patience_s must be more than 0 seconds, got {self.mean_patience_s}")
        _check(self.model != "erlang_a" or self.mean_patience_s is not None,
               "model 'erlang_a' needs mean_patience_s (callers' mean patience in seconds)")
        object.__setattr__(self, "shrinkage", _shrinkage(self.shrinkage))
        _check(isinstance(self.min_agents, int) and self.min_agents >= 0,
               f"min_agents must be a whole number, 0 or more, got {self.min_agents}")
        _check(self.aht_s is None or self.aht_s > 0, f"aht_s must be more than 0 seconds, got {self.aht_s}")
        _check(self.max_occupancy is None or 0 < self.max_occupancy <= 1,
               f"max_occupancy must be a share above 0 and up to 1, got {self.max_occupancy}")
        self._check_behaviour()

    def _check_behaviour(self) -> None:
        # the simulation's own checks, so the two never disagree on what is allowed
        _check(self.patience in PATIENCE_KINDS,
               f"patience must be one of {', '.join(PATIENCE_KINDS)}, got {self.patience!r}")
        try:
            QueueConfig(name=self.name, **{key: getattr(self, key) for key in BEHAVIOUR_KEYS})
        except SimulationError as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None

    @property
    def shrinkage_parts(self) -> Shrinkage:
        """The components; one undivided figure counts as whole-shift absence (see Shrinkage.whole_shift)."""
        s = self.shrinkage
        return s if isinstance(s, Shrinkage) else Shrinkage.whole_shift(s)

    @property
    def shrinkage_total(self) -> float:
        """What rostered heads are grossed up by: heads = agents / (1 - total)."""
        s = self.shrinkage
        return s.total if isinstance(s, Shrinkage) else float(s)


def _shrinkage(value: Any) -> float | Shrinkage:
    """One number (as before), or a table of components combined as 1 - prod(1 - s_i)."""
    if isinstance(value, Shrinkage):
        return value
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in COMPONENTS]
        _check(not unknown, f"unknown shrinkage component {unknown[0]!r}; allowed components: "
                            f"{', '.join(COMPONENTS)}" if unknown else "")
        try:
            return Shrinkage(**value)
        except SchedulingError as exc:
            raise ValueError(str(exc)) from None
    _check(isinstance(value, (int, float)) and not isinstance(value, bool),
           f"shrinkage must be a number or a table of components ({', '.join(COMPONENTS)}), got {value!r}")
    _fraction("shrinkage", value, upper_open=True)
    return value


@dataclass(frozen=True)
class RosterSettings:
    shift_lengths_h: tuple[float, ...] = (8.0, 10.0, 12.0)
    break_minutes: tuple[int, ...] = (30, 45, 60)
    solver: str = "highs"
    time_limit_s: float = 120.0
    gap: float = 0.01
    threads: int = 2
    costs: str = ""
    model: str = "shifts"
    days_off: int = 2
    break_window_h: float = 2.0
    polish: bool = True
    rotations: tuple = ()   # [[roster.rotations]] tables, for model = "rotations"

    def __post_init__(self):
        _check(isinstance(self.polish, bool), f"polish must be true or false, got {self.polish!r}")
        object.__setattr__(self, "rotations", tuple(self.rotations))
        _check((self.model == "rotations") == bool(self.rotations),
               "model = 'rotations' needs [[roster.rotations]] tables, and they apply to it only")
        for i, table in enumerate(self.rotations):
            rotation_from_table(table, f"[[roster.rotations]] {i + 1}")
        _check(self.model == "shifts" or self.polish, "polish applies to model = 'shifts' only")
        _check(self.model in ROSTER_MODELS, f"model must be one of {', '.join(ROSTER_MODELS)}, got {self.model!r}")
        _check(self.days_off in (0, 2), f"days_off must be 0 or 2 (consecutive days off a week), got {self.days_off}")
        _check(0 <= self.break_window_h <= 6, f"break_window_h must be 0 to 6 hours, got {self.break_window_h}")
        _check(self.model == "tours" or (self.days_off, self.break_window_h) == (2, 2.0),
               "days_off and break_window_h apply to model = 'tours' only")
        _check(self.model != "tours" or self.solver == "highs", "model 'tours' needs solver 'highs'")
        object.__setattr__(self, "shift_lengths_h", tuple(float(x) for x in self.shift_lengths_h))
        object.__setattr__(self, "break_minutes", tuple(int(x) for x in self.break_minutes))
        _check(len(self.shift_lengths_h) > 0, "shift_lengths_h must list at least one shift length")
        _check(len(self.break_minutes) == len(self.shift_lengths_h),
               f"break_minutes must give one break per shift length ({len(self.shift_lengths_h)}), "
               f"got {len(self.break_minutes)}")
        for length in self.shift_lengths_h:
            _check(1 <= length <= 14 and (length * 4).is_integer(),
                   f"shift_lengths_h must be 1 to 14 hours in quarter hours, got {length}")
        for length, brk in zip(self.shift_lengths_h, self.break_minutes):
            _check(0 <= brk < length * 60 and brk % 15 == 0,
                   f"break_minutes must be whole quarter hours shorter than the shift, got {brk}")
        _check(self.solver in SOLVERS, f"solver must be one of {', '.join(SOLVERS)}, got {self.solver!r}")
        _check(self.time_limit_s > 0, f"time_limit_s must be more than 0, got {self.time_limit_s}")
        _check(0 <= self.gap < 1, f"gap must be a share between 0 and 1, got {self.gap}")
        _check(self.threads >= 1, f"threads must be 1 or more, got {self.threads}")


ROTATION_KEYS = ("name", "cycle", "shifts")
ROTATION_SHIFT_KEYS = ("start", "hours", "break_min", "break_offset_h")


def rotation_from_table(table: Any, where: str, hourly_cost: float = 1.0) -> Rotation:
    """A [[roster.rotations]] table (name, cycle = ["D", "D", "N", "N", "-", ...], shifts = {D = {start =
    "07:00", hours = 12, break_min = 60}, ...}) as a Rotation; bad input is a ValueError naming ``where``."""
    _check(isinstance(table, Mapping), f"{where} must be a table with keys {', '.join(ROTATION_KEYS)}")
    unknown = [k for k in table if k not in ROTATION_KEYS]
    _check(not unknown, f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(ROTATION_KEYS)}"
           if unknown else "")
    missing = [k for k in ROTATION_KEYS if k not in table]
    _check(not missing, f"{where} needs key {missing[0]!r}" if missing else "")
    shifts = table["shifts"]
    _check(isinstance(shifts, Mapping), f"{where}: shifts must be a table of codes, e.g. D = {{start = \"07:00\", "
                                        f"hours = 12, break_min = 60}}")
    made = {}
    try:
        for code, spec in shifts.items():
            _check(isinstance(spec, Mapping) and set(spec) <= set(ROTATION_SHIFT_KEYS) and {"start", "hours"} <= set(spec),
                   f"{where}: shifts.{code} must have start and hours (optional: break_min, break_offset_h), "
                   f"got {spec!r}")
            made[code] = fixed_shift(code, spec["start"], spec["hours"], spec.get("break_min", 0), hourly_cost,
                                     spec.get("break_offset_h"))
        return Rotation(table["name"], table["cycle"], made)
    except SchedulingError as exc:
        raise ValueError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class SimulationSettings:
    replications: int = 5
    handle: str = "lognormal"
    handle_cv: float = 0.7
    demand_day_cv: float | None = None
    absence_rate: float | None = None
    workers: int = 1
    scheduler: str | None = None


    def __post_init__(self):
        _check(1 <= self.replications <= 1000, f"replications must be 1 to 1000, got {self.replications}")
        _check(self.handle in HANDLE_DISTRIBUTIONS,
               f"handle must be one of {', '.join(HANDLE_DISTRIBUTIONS)}, got {self.handle!r}")
        _check(self.handle_cv > 0, f"handle_cv must be more than 0, got {self.handle_cv}")
        _check(self.demand_day_cv is None or 0 <= self.demand_day_cv <= 1,
               f"demand_day_cv must be 0 to 1 (unset: from the forecast's quantiles), got {self.demand_day_cv}")
        _check(self.absence_rate is None or 0 <= self.absence_rate < 1,
               f"absence_rate must be a share from 0 up to 1, got {self.absence_rate}")
        _check(self.workers >= 1, f"workers must be 1 or more, got {self.workers}")
        _check(self.scheduler is None or self.scheduler.strip() != "",
               "scheduler must be a Dask scheduler address such as 'tcp://10.0.0.5:8786' (unset: local processes)")


def _default_queues() -> dict[str, QueueSettings]:
    return {
        "999": QueueSettings("999", model="erlang_c", service_level=0.9, answer_within_s=10,
                             mean_patience_s=60, shrinkage=0.3, priority=0, min_agents=2),
        "101": QueueSettings("101", model="erlang_a", service_level=0.8, answer_within_s=60,
                             mean_patience_s=180, shrinkage=0.3, priority=1, min_agents=1),
    }


@dataclass(frozen=True)
class Scenario:
    name: str = "demo"
    description: str = ""
    seed: int = 20261122
    data: DataSettings = field(default_factory=DataSettings)
    forecast: ForecastSettings = field(default_factory=ForecastSettings)
    queues: Mapping[str, QueueSettings] = field(default_factory=_default_queues)
    roster: RosterSettings = field(default_factory=RosterSettings)
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    source_file: Path | None = None

    def __post_init__(self):
        _check(len(self.queues) > 0, "at least one [queues.<name>] section is needed")
        _check(self.seed >= 0, f"seed must be 0 or more, got {self.seed}")

    def costs_path(self) -> Path | None:
        """The cost model file of [roster] costs, relative to the scenario file; None: the defaults."""
        if not self.roster.costs:
            return None
        path = Path(self.roster.costs).expanduser()
        if not path.is_absolute() and self.source_file is not None:
            path = self.source_file.parent / path
        return path

    def data_path(self) -> Path:
        """The history file, relative to the scenario file when not absolute."""
        path = Path(self.data.source).expanduser()
        if not path.is_absolute() and self.source_file is not None:
            path = self.source_file.parent / path
        return path


_SECTIONS = {"data": DataSettings, "forecast": ForecastSettings, "roster": RosterSettings,
             "simulation": SimulationSettings}
_TOP_LEVEL = ("name", "description", "seed", "queues", *_SECTIONS)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; every problem is an InputError naming file and key."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: scenario file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None
    return scenario_from_mapping(raw, where=str(path), source_file=path.resolve())


def scenario_from_mapping(raw: Mapping[str, Any], *, where: str = "scenario",
                          source_file: Path | None = None) -> Scenario:
    _reject_unknown(raw, _TOP_LEVEL, where, "the top level")
    top = {k: raw[k] for k in ("name", "description", "seed") if k in raw}
    sections = {key: _build(cls, raw.get(key, {}), where, f"[{key}]") for key, cls in _SECTIONS.items()}
    queues = _build_queues(raw.get("queues"), where)
    return _construct(Scenario, dict(top, **sections, queues=queues, source_file=source_file),
                      where, "the top level", user_values=top)


def _build_queues(raw: Any, where: str) -> dict[str, QueueSettings]:
    if raw is None:
        return _default_queues()
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(f"{where}: [queues] must hold one table per queue, e.g. [queues.999]")
    defaults = _default_queues()
    queues = {}
    for name, settings in raw.items():
        base = dataclasses.asdict(defaults[name]) if name in defaults else {}
        section = f"[queues.{name}]"
        if not isinstance(settings, Mapping):
            raise InputError(f"{where}: {section} must be a table of settings")
        _reject_unknown(settings, [f.name for f in dataclasses.fields(QueueSettings) if f.name != "name"],
                        where, section)
        queues[str(name)] = _construct(QueueSettings, dict(base, **settings, name=str(name)), where, section)
    for name, q in queues.items():
        if q.redial_other_queue is not None and q.redial_other_queue not in queues:
            raise InputError(f"{where}: [queues.{name}]: redial_other_queue must be one of the queues "
                             f"{', '.join(queues)}, got {q.redial_other_queue!r}")
    return queues


def _build(cls, raw: Any, where: str, section: str):
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: {section} must be a table of settings")
    _reject_unknown(raw, [f.name for f in dataclasses.fields(cls)], where, section)
    return _construct(cls, dict(raw), where, section)


def _construct(cls, values: dict, where: str, section: str, user_values: Mapping | None = None):
    try:
        _check_types(cls, values if user_values is None else user_values)
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: {section}: {exc}") from None


def _check_types(cls, values: Mapping[str, Any]) -> None:
    # TOML already distinguishes numbers, strings, lists: catch "seed = 'abc'" before arithmetic does.
    defaults = {f.name: f.default for f in dataclasses.fields(cls)
                if f.default is not dataclasses.MISSING}
    optional_text = {f.name for f in dataclasses.fields(cls) if str(f.type).startswith("str | None")}
    for key, value in values.items():
        default = defaults.get(key)
        if key not in defaults:
            continue
        if key == "shrinkage":  # a number or a table: checked by QueueSettings itself
            continue
        if default is None and key in optional_text:  # e.g. redial_other_queue, scheduler
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key} must be text, got {value!r}")
            continue
        if default is None:  # optional numbers such as mean_patience_s
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise ValueError(f"{key} must be a number, got {value!r}")
            continue
        if isinstance(default, bool) or isinstance(value, bool):
            ok = isinstance(value, type(default))
        elif isinstance(default, (int, float)):
            ok = isinstance(value, (int, float))
        elif isinstance(default, (tuple, list)):
            ok = isinstance(value, (list, tuple))
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise ValueError(f"{key} must be {_kind(default)}, got {value!r}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (tuple, list)):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__


# keys a scenario file used to have, and what took their place
RETIRED = {"hourly_cost": "shifts are chosen and priced by the pay rules: set [roster] costs to a cost "
                          "model file (scenarios/costs.toml shows every key, base rate included)"}


def _reject_unknown(raw: Mapping[str, Any], allowed, where: str, section: str) -> None:
    unknown = [k for k in raw if k not in allowed]
    if unknown and unknown[0] in RETIRED:
        raise InputError(f"{where}: {section} {unknown[0]} is no longer used: {RETIRED[unknown[0]]}")
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} in {section}; "
                         f"allowed keys: {', '.join(sorted(allowed))}")
