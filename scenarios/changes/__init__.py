"""Scenario changes: one frozen dataclass per kind, each a pure function of the pipeline's inputs.

See ``base.Change`` for the five points a change acts at. ``KINDS`` is the registry a scenario
file's ``kind = "..."`` is looked up in.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import InputError
from .absence import Sickness
from .abstraction import Abstraction, MajorIncident, RandomPullouts
from .base import Change, Context
from .callers import Callbacks
from .demand import ChannelShift, Heatwave, SeasonalPeak, Surge
from .window import Window
from .workforce import Budget, Overtime, Workforce

KINDS: dict[str, type[Change]] = {cls.KIND: cls for cls in (
    Surge, SeasonalPeak, Heatwave, MajorIncident, Abstraction, RandomPullouts, Sickness,
    ChannelShift, Callbacks, Budget, Workforce, Overtime)}


def change_from_mapping(raw: Any, where: str) -> Change:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: each [[changes]] entry must be a table with a kind")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise InputError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return KINDS[kind].from_mapping(raw, f"{where} ({kind})")


__all__ = ["KINDS", "Change", "Context", "Window", "change_from_mapping", *[c.__name__ for c in KINDS.values()]]
