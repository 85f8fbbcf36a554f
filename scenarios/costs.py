"""What a roster costs: pay bands, on-costs, unsocial-hours premiums, overtime and agency rates.

Each paid quarter hour (a shift's time less its unpaid break) is priced at the blended base rate
of the pay bands (each band's hourly rate weighted by its share of handlers), times
(1 + premium), times (1 + on-costs). The premium is the highest that applies to that quarter
hour (nights, Saturdays, Sundays, bank holidays): premiums do not stack, as in most police
staff terms. Overtime is paid at the base rate times the overtime multiplier, or times
(1 + premium) where that is higher, with its own (usually lower) on-costs; agency hours at a
flat all-in rate. Bank holidays come from the `holidays` package for the chosen country and
part (England by default).

Defaults are a mid-size English force's control room in 2026; every figure is a key of the
costs file (scenarios/costs.toml is the annotated reference) so finance can put in its own.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import holidays
import numpy as np
import pandas as pd

from scheduling.schema import BREAK_END, BREAK_START, END, START

from .errors import InputError

SLICE = pd.Timedelta(minutes=15)
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _rate(name: str, value, *, low: float = 0.0) -> None:
    _check(not isinstance(value, bool) and isinstance(value, (int, float)) and value >= low,
           f"{name} must be a number of at least {low:g}, got {value!r}")


@dataclass(frozen=True)
class PayBand:
    name: str
    hourly_rate: float
    share: float

    def __post_init__(self):
        _check(isinstance(self.name, str) and self.name.strip() != "", f"pay band name must be text, got {self.name!r}")
        _rate(f"pay band {self.name!r} hourly_rate", self.hourly_rate)
        _check(self.hourly_rate > 0, f"pay band {self.name!r} hourly_rate must be more than 0")
        _check(not isinstance(self.share, bool) and isinstance(self.share, (int, float)) and 0 <= self.share <= 1,
               f"pay band {self.name!r} share must be a share from 0 to 1, got {self.share!r}")


def _default_bands() -> tuple[PayBand, ...]:
    return (PayBand("call handler", 14.20, 0.85), PayBand("supervisor", 17.50, 0.15))


@dataclass(frozen=True)
class CostModel:
    currency: str = "GBP"
    pay_bands: tuple[PayBand, ...] = field(default_factory=_default_bands)
    on_cost_rate: float = 0.30
    night_premium: float = 0.20
    night_start: str = "20:00"
    night_end: str = "06:00"
    saturday_premium: float = 0.33
    sunday_premium: float = 0.50
    bank_holiday_premium: float = 1.00
    overtime_multiplier: float = 1.5
    overtime_on_cost_rate: float = 0.15
    agency_hourly_rate: float = 30.0
    holiday_country: str = "GB"
    holiday_subdivision: str = "ENG"

    def __post_init__(self):
        bands = tuple(b if isinstance(b, PayBand) else _band(b) for b in self.pay_bands)
        object.__setattr__(self, "pay_bands", bands)
        _check(len(bands) > 0, "pay_bands must list at least one band")
        total = sum(b.share for b in bands)
        _check(abs(total - 1) < 1e-6, f"pay_bands shares must add up to 1, got {total:g}")
        for key in ("on_cost_rate", "night_premium", "saturday_premium", "sunday_premium",
                    "bank_holiday_premium", "overtime_on_cost_rate"):
            _rate(key, getattr(self, key))
        _rate("overtime_multiplier", self.overtime_multiplier, low=1)
        _rate("agency_hourly_rate", self.agency_hourly_rate)
        for key in ("night_start", "night_end"):
            value = getattr(self, key)
            _check(isinstance(value, str) and bool(_CLOCK.match(value)),
                   f"{key} must be a local time 'HH:MM', got {value!r}")
        try:
            holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)
        except NotImplementedError:
            raise ValueError(f"holiday_country {self.holiday_country!r} is not known to the holidays package "
                             "(e.g. 'GB')") from None
        except Exception as exc:
            raise ValueError(f"holiday_subdivision {self.holiday_subdivision!r}: {exc}") from None

    @property
    def base_rate(self) -> float:
        """Blended hourly rate of the pay bands."""
        return float(sum(b.hourly_rate * b.share for b in self.pay_bands))

    def premium(self, times: pd.DatetimeIndex) -> np.ndarray:
        """Unsocial-hours premium of the quarter hours starting at ``times`` (local, tz-aware)."""
        minute = np.asarray(times.hour * 60 + times.minute)
        lo, hi = (_minutes(getattr(self, k)) for k in ("night_start", "night_end"))
        night = (minute >= lo) | (minute < hi) if lo > hi else (minute >= lo) & (minute < hi)
        dow = np.asarray(times.day_of_week)
        days = np.asarray(times.tz_localize(None).normalize() if times.tz is not None else times.normalize())
        bank = np.isin(days, self._bank_holidays(int(times.year.min()), int(times.year.max())))
        options = np.stack([np.zeros(len(times)), night * self.night_premium,
                            (dow == 5) * self.saturday_premium, (dow == 6) * self.sunday_premium,
                            bank * self.bank_holiday_premium])
        return options.max(axis=0)

    def _bank_holidays(self, first: int, last: int) -> np.ndarray:
        return _holiday_days(self.holiday_country, self.holiday_subdivision, first, last)


@lru_cache(maxsize=16)
def _holiday_days(country: str, subdiv: str, first: int, last: int) -> np.ndarray:
    days = holidays.country_holidays(country, subdiv=subdiv or None, years=range(first, last + 1))
    return np.array(sorted(pd.Timestamp(d) for d in days), dtype="datetime64[ns]")


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _band(raw: Any) -> PayBand:
    if not isinstance(raw, Mapping):
        raise ValueError("each [[pay_bands]] entry must be a table with name, hourly_rate and share")
    unknown = [k for k in raw if k not in ("name", "hourly_rate", "share")]
    _check(not unknown, f"unknown key {unknown[0]!r} in [[pay_bands]]; allowed keys: hourly_rate, name, share"
           if unknown else "")
    try:
        return PayBand(**raw)
    except TypeError:
        raise ValueError("each [[pay_bands]] entry needs name, hourly_rate and share") from None


def load_costs(path: str | Path) -> CostModel:
    """A costs file (scenarios/costs.toml is the reference); unknown keys and bad values named."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: costs file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None
    return costs_from_mapping(raw, where=str(path))


def costs_from_mapping(raw: Mapping[str, Any], where: str = "costs") -> CostModel:
    allowed = [f.name for f in dataclasses.fields(CostModel)]
    unknown = [k for k in raw if k not in allowed]
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(allowed))}")
    try:
        return CostModel(**raw)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: {exc}") from None


# --- pricing shifts ---------------------------------------------------------------------------

def paid_slices(shifts: pd.DataFrame) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """(row of the shift, local start) of every paid quarter hour of every shift."""
    if len(shifts) == 0:
        return np.empty(0, np.int64), pd.DatetimeIndex([], tz="UTC")
    start = pd.DatetimeIndex(shifts[START])
    end = pd.DatetimeIndex(shifts[END])
    count = np.asarray((end - start) // SLICE, dtype=np.int64)
    row = np.repeat(np.arange(len(shifts)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    begin = start.as_unit("ns").asi8[row] + offset * SLICE.value
    paid = np.ones(row.size, dtype=bool)
    if BREAK_START in shifts:
        b0 = pd.DatetimeIndex(shifts[BREAK_START]).as_unit("ns").asi8[row]
        b1 = pd.DatetimeIndex(shifts[BREAK_END]).as_unit("ns").asi8[row]
        has = ~pd.isna(shifts[BREAK_START]).to_numpy()[row]
        paid = ~(has & (begin >= b0) & (begin < b1))
    times = pd.DatetimeIndex(begin[paid], tz="UTC").tz_convert(start.tz)
    return row[paid], times


@dataclass(frozen=True)
class Cost:
    """A bill: paid hours and money, split into its parts."""

    hours: float = 0.0
    base: float = 0.0
    premiums: float = 0.0
    on_costs: float = 0.0
    overtime_hours: float = 0.0
    overtime: float = 0.0
    agency_hours: float = 0.0
    agency: float = 0.0

    @property
    def total(self) -> float:
        return self.base + self.premiums + self.on_costs + self.overtime + self.agency

    def as_dict(self) -> dict[str, float]:
        return {**{k: round(v, 2) for k, v in dataclasses.asdict(self).items()}, "total": round(self.total, 2)}


def shift_costs(shifts: pd.DataFrame, model: CostModel) -> np.ndarray:
    """Contracted cost of each shift (one per row): what roster_cost totals, shift by shift."""
    row, times = paid_slices(shifts)
    if len(times) == 0:  # no shifts (or none with paid time): nothing to price
        return np.zeros(len(shifts))
    hours = SLICE.total_seconds() / 3600
    pay = model.base_rate * hours * (1 + model.premium(times)) * (1 + model.on_cost_rate)
    return np.bincount(row, weights=pay, minlength=len(shifts))


def roster_cost(shifts: pd.DataFrame, model: CostModel) -> Cost:
    """Contracted hours: base rate x (1 + premium) x (1 + on-costs) per paid quarter hour."""
    _, times = paid_slices(shifts)
    hours = SLICE.total_seconds() / 3600
    base = model.base_rate * hours * len(times)
    premiums = float(model.base_rate * hours * model.premium(times).sum()) if len(times) else 0.0
    return Cost(hours=hours * len(times), base=base, premiums=premiums,
                on_costs=(base + premiums) * model.on_cost_rate)


def extra_hours_cost(shifts: pd.DataFrame, model: CostModel, *, overtime_hours_cap: float,
                     overtime_multiplier: float | None = None) -> Cost:
    """Extra shifts bought to fill gaps: overtime up to the cap (earliest hours first), then agency."""
    _, times = paid_slices(shifts)
    if len(times) == 0:
        return Cost()
    order = np.argsort(times.as_unit("ns").asi8, kind="stable")
    times = times[order]
    hours = SLICE.total_seconds() / 3600
    is_overtime = np.arange(len(times)) * hours < overtime_hours_cap - 1e-9
    multiplier = model.overtime_multiplier if overtime_multiplier is None else overtime_multiplier
    rate = model.base_rate * np.maximum(multiplier, 1 + model.premium(times[is_overtime]))
    overtime = float(rate.sum() * hours * (1 + model.overtime_on_cost_rate))
    agency_hours = hours * int((~is_overtime).sum())
    return Cost(overtime_hours=hours * int(is_overtime.sum()), overtime=overtime,
                agency_hours=agency_hours, agency=agency_hours * model.agency_hourly_rate)
