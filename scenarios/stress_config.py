"""Stress-test scenario files: a baseline and the changes made to it.

    name = "major_incident"
    description = "..."
    baseline = "demo"            # "demo", or a scenario file relative to this one (which may
                                 # itself be a stress scenario: its changes come first)
    roster = "keep"              # "keep": the baseline's roster faces the changes;
                                 # "rebuild": the roster is re-planned for them

    [[changes]]
    kind = "surge"
    ...

A file with neither ``baseline`` nor ``changes`` is an ordinary scenario (`controlroom run`)
and stands for its own baseline with no changes, so `scenarios compare` takes either.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from .changes import Change, change_from_mapping
from .config import Scenario, load_scenario
from .errors import InputError

ROSTER_MODES = ("keep", "rebuild")
TOP_LEVEL = ("name", "description", "baseline", "roster", "changes")
DEMO = "demo"


@dataclass(frozen=True)
class StressScenario:
    name: str
    description: str
    baseline: Scenario              # the run settings the changes are applied to
    roster: str = "keep"
    changes: tuple[Change, ...] = ()
    source_file: Path | None = None

    @property
    def baseline_key(self) -> str:
        """Scenarios with the same key share one baseline run."""
        return str(self.baseline.source_file or DEMO)


def demo_file():
    return resources.files("scenarios") / "demo.toml"


def load_demo() -> Scenario:
    with resources.as_file(demo_file()) as path:
        return load_scenario(path)


def read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: scenario file not found")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None


def is_stress(raw: Mapping[str, Any]) -> bool:
    return "baseline" in raw or "changes" in raw


def load_stress(path: str | Path, _seen: tuple[Path, ...] = ()) -> StressScenario:
    """A stress scenario, or an ordinary scenario file as a scenario with no changes."""
    path = Path(path)
    raw = read_toml(path)
    if not is_stress(raw):
        scenario = load_scenario(path)
        return StressScenario(scenario.name, scenario.description, scenario, "keep", (), path.resolve())
    where = str(path)
    unknown = [k for k in raw if k not in TOP_LEVEL]
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} in the top level of a stress scenario; "
                         f"allowed keys: {', '.join(sorted(TOP_LEVEL))}")
    name = _text(raw, "name", path.stem, where)
    description = _text(raw, "description", "", where)
    roster = raw.get("roster", "keep")
    if roster not in ROSTER_MODES:
        raise InputError(f"{where}: roster must be one of {', '.join(ROSTER_MODES)}, got {roster!r}")
    base = _baseline(raw.get("baseline"), path, where, _seen + (path.resolve(),))
    changes = raw.get("changes", [])
    if not isinstance(changes, list):
        raise InputError(f"{where}: changes must be [[changes]] tables, one per change")
    own = tuple(change_from_mapping(c, f"{where}: [[changes]] #{i + 1}") for i, c in enumerate(changes))
    return StressScenario(name, description, base.baseline, roster, base.changes + own, path.resolve())


def _text(raw, key, default, where) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise InputError(f"{where}: {key} must be text, got {value!r}")
    return value


def _baseline(value, path: Path, where: str, seen: tuple[Path, ...]) -> StressScenario:
    if value is None:
        raise InputError(f"{where}: baseline is missing; give baseline = \"demo\" or a scenario file "
                         "relative to this one")
    if not isinstance(value, str):
        raise InputError(f"{where}: baseline must be \"demo\" or a file name, got {value!r}")
    if value == DEMO:
        demo = load_demo()
        return StressScenario(demo.name, demo.description, demo)
    target = Path(value).expanduser()
    if not target.is_absolute():
        target = path.parent / target
    if not target.is_file():
        raise InputError(f"{where}: baseline {value!r} not found (looked for {target}); give \"demo\" "
                         "or a scenario file relative to this one")
    if target.resolve() in seen:
        raise InputError(f"{where}: baseline {value!r} leads back to itself")
    return load_stress(target, seen)


def rebase(stress: StressScenario, baseline: Scenario) -> StressScenario:
    """The same changes applied to another baseline (e.g. the library's scenarios to your force)."""
    from dataclasses import replace
    return replace(stress, baseline=baseline)
