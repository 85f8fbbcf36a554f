"""[roster] model = "tours": the scenario keys are checked and the pipeline builds tours with them."""

import pandas as pd
import pytest

from scenarios import pipeline
from scenarios.config import scenario_from_mapping
from scenarios.errors import InputError
from scenarios.progress import Progress
from scheduling.roster import RosterResult


def test_tour_keys_are_read_and_checked():
    scenario = scenario_from_mapping({"roster": {"model": "tours", "days_off": 0, "break_window_h": 1.5}})
    assert (scenario.roster.model, scenario.roster.days_off, scenario.roster.break_window_h) == ("tours", 0, 1.5)
    for bad, message in (({"model": "rota"}, "model must be one of shifts, tours"),
                         ({"model": "tours", "days_off": 1}, "days_off must be 0 or 2"),
                         ({"days_off": 0}, "apply to model = 'tours' only"),
                         ({"model": "tours", "solver": "cbc"}, "model 'tours' needs solver 'highs'"),
                         ({"polish": "yes"}, "polish must be true or false"),
                         ({"model": "tours", "polish": False}, "polish applies to model = 'shifts' only")):
        with pytest.raises(InputError, match=message):
            scenario_from_mapping({"roster": bad}, where="plan.toml")


def build_with_a_fake_roster(monkeypatch, scenario) -> tuple[dict, list]:
    """Run pipeline.build_plan with the roster models replaced: what they were given, what was said."""
    required = pd.DataFrame({"interval_start": pd.date_range("2024-03-04", periods=4, freq="15min", tz="UTC"),
                             "required": 1})
    seen, lines = {}, []

    def fake(required, templates, **kwargs):
        seen.update(kwargs)
        return RosterResult(pd.DataFrame({"staff_id": []}), required, "optimal", 0.0, 0.0, 0.0, 0.0,
                            required.iloc[:0], notes=("a note",))

    for name, value in (("build_tour_roster", fake), ("build_roster", fake),
                        ("pool_requirement", lambda scenario, req: required),
                        ("absence_rate", lambda scenario, req: 0.0), ("on_shift_rate", lambda scenario, req: 0.0),
                        ("priced", lambda roster, costs: roster)):
        monkeypatch.setattr(pipeline, name, value)
    pipeline.build_plan(scenario, required, lines.append)
    return seen, lines


def test_the_pipeline_passes_tour_settings_to_the_tour_roster(monkeypatch):
    scenario = scenario_from_mapping({"roster": {"model": "tours", "break_window_h": 1.0}})
    seen, lines = build_with_a_fake_roster(monkeypatch, scenario)
    assert seen["settings"].break_window_h == 1.0 and seen["settings"].days_off == 2
    assert "a note" in lines


def test_polish_false_reaches_the_shift_model(monkeypatch):
    # a planner who wants the whole-horizon solve only (faster) gets exactly that
    seen, _ = build_with_a_fake_roster(monkeypatch, scenario_from_mapping({"roster": {"polish": False}}))
    assert seen["polish"] is False and callable(seen["price"])
