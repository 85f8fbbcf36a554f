"""Shrinkage by component: combined multiplicatively, split into whole-shift and on-shift losses."""

import numpy as np
import pandas as pd
import pytest

from scenarios import pipeline
from scenarios.config import Scenario, scenario_from_mapping
from scenarios.errors import InputError
from scheduling.errors import SchedulingError
from scheduling.shrinkage import Shrinkage
from simulation.staffing import _cut, _pull_outs

ISSUE_EXAMPLE = {"breaks": 0.05, "training": 0.05, "sickness": 0.06, "leave": 0.12, "abstraction": 0.03}


def test_components_combine_multiplicatively():
    s = Shrinkage(**ISSUE_EXAMPLE)
    # by hand: 0.95 x 0.95 = 0.9025, x 0.94 = 0.84835, x 0.88 = 0.746548, x 0.97 = 0.72415156 available
    assert s.total == pytest.approx(1 - 0.95 * 0.95 * 0.94 * 0.88 * 0.97, rel=1e-12)
    assert s.total == pytest.approx(0.27584844, abs=1e-12)
    assert s.absence == pytest.approx(1 - 0.94 * 0.88, rel=1e-12)        # sickness, leave
    assert s.on_shift == pytest.approx(1 - 0.95 * 0.95 * 0.97, rel=1e-12)  # breaks, training, abstraction
    assert 1 - s.total == pytest.approx((1 - s.absence) * (1 - s.on_shift), rel=1e-12)
    assert s.total < sum(ISSUE_EXAMPLE.values())   # adding the shares would over-state it


def test_one_figure_is_whole_shift_absence_and_round_trips_exactly():
    s = Shrinkage.whole_shift(0.3)
    assert s.total == 0.3 and s.absence == 0.3 and s.on_shift == 0.0


@pytest.mark.parametrize("kwargs", [{"leave": 1.0}, {"sickness": -0.1}, {"training": "lots"}])
def test_bad_components_are_refused(kwargs):
    with pytest.raises(SchedulingError, match="shrinkage"):
        Shrinkage(**kwargs)


def test_a_scenario_takes_one_number_or_a_table(tmp_path):
    one = scenario_from_mapping({"queues": {"999": {"shrinkage": 0.3}}})
    assert one.queues["999"].shrinkage == 0.3 and one.queues["999"].shrinkage_total == 0.3
    assert one == Scenario(queues={"999": Scenario().queues["999"]})
    table = scenario_from_mapping({"queues": {"999": {"shrinkage": ISSUE_EXAMPLE}}})
    q = table.queues["999"]
    assert q.shrinkage_parts == Shrinkage(**ISSUE_EXAMPLE)
    assert pipeline._queue_target(q).shrinkage == pytest.approx(Shrinkage(**ISSUE_EXAMPLE).total)


def test_an_unknown_component_names_file_key_and_allowed_components(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text("[queues.101]\nshrinkage = { breaks = 0.05, holidays = 0.1 }\n")
    from scenarios.config import load_scenario
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    for part in (str(path), "[queues.101]", "'holidays'", "breaks, training, sickness, leave, abstraction"):
        assert part in message


def test_absence_comes_from_sickness_and_leave_and_the_rest_is_lost_on_shift():
    scenario = scenario_from_mapping({"queues": {
        "999": {"shrinkage": ISSUE_EXAMPLE},
        "101": {"shrinkage": {"sickness": 0.1, "training": 0.2}}}})
    req = pd.DataFrame({"queue": ["999", "101"], "heads": [30, 10]})
    s999 = Shrinkage(**ISSUE_EXAMPLE)
    assert pipeline.absence_rate(scenario, req) == pytest.approx((30 * s999.absence + 10 * 0.1) / 40)
    assert pipeline.on_shift_rate(scenario, req) == pytest.approx((30 * s999.on_shift + 10 * 0.2) / 40)
    # one undivided figure, as in the demo: all of it whole-shift absence, none on shift
    demo = Scenario()
    assert pipeline.absence_rate(demo, req) == pytest.approx(0.3)
    assert pipeline.on_shift_rate(demo, req) == 0.0
    assert pipeline.simulation_config(demo, 0.3, 0.0).pull_outs is None


def test_on_shift_pull_outs_take_that_share_of_logged_in_time():
    # The union of fixed-length pull-outs starting as a Poisson process covers 1 - exp(-rate x length)
    # of the time; check it by drawing them with the simulation's own code over a long window.
    pull = pipeline.on_shift_pull_outs(0.2)
    assert pull.mean_duration_s == pipeline.PULL_OUT_S
    window = [(0.0, 2_000 * 3600.0, None)]
    kept = _cut(window, _pull_outs([w[:2] for w in window], pull, np.random.default_rng(5)))
    available = sum(e - s for s, e, _ in kept) / window[0][1]
    assert available == pytest.approx(0.8, abs=0.01)
    assert pipeline.on_shift_pull_outs(0.0) is None
