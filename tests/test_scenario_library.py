"""The shipped library of scenarios: every file loads, and each changes what it says it does."""

import pandas as pd
import pytest

from scenarios.cli import main
from scenarios.commands.scenarios_cmd import library_files
from scenarios.stress_config import load_stress

from stress_inputs import context, demand, grid, on_shift_count, pooled, roster, sim_config

LIBRARY = library_files()
EXPECTED = {"new_years_eve_surge", "major_incident", "winter_sickness", "heatwave", "channel_shift_101_online",
            "budget_cut_10pct", "attrition_12_months", "callbacks_101", "random_pullouts"}


def test_the_library_ships_the_scenarios_finance_asked_for():
    assert EXPECTED <= set(LIBRARY)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_shipped_scenario_loads_and_changes_its_inputs(name):
    stress = load_stress(LIBRARY[name])          # a typo in any file fails here
    assert stress.description and stress.changes and stress.name == name
    assert stress.baseline.name == "demo"        # all are written against the demo plan
    # applied to a week's synthetic plan (the demo plan starts on a Monday too), every
    # scenario changes at least one of the inputs it claims to, and never the input tables
    starts = grid(7)
    frame, shifts, need = demand(starts), roster(starts, shifts=300), pooled(starts)
    ctx = context(starts, shifts, rebuilt=stress.roster == "rebuild")
    config = sim_config(scenario=stress.baseline)
    changed = set()
    for change in stress.changes:
        if not change.demand(frame, ctx)["calls"].equals(frame["calls"]):
            changed.add("demand")
        if change.absence(0.3, ctx) != 0.3:
            changed.add("absence")
        if len(change.roster(shifts, need, ctx)) < len(shifts):
            changed.add("roster")
        if (on_shift_count(change.available(shifts, ctx), starts) < on_shift_count(shifts, starts)).any():
            changed.add("available")
        if change.simulation(config, ctx) != config:
            changed.add("simulation")
        if type(change).__name__ == "Overtime":
            changed.add("overtime policy")
    assert changed, f"{name} changes nothing"
    pd.testing.assert_frame_equal(frame, demand(starts))
    pd.testing.assert_frame_equal(shifts, roster(starts, shifts=300))


def test_scenarios_list_shows_every_library_scenario(capsys):
    assert main(["scenarios", "list"]) == 0
    out = capsys.readouterr().out
    for name in LIBRARY:
        assert name in out


def test_a_library_scenario_can_be_named_instead_of_a_path_and_a_bad_override_is_named(tmp_path, capsys):
    code = main(["scenarios", "compare", "heatwave", "--horizon-days", "0", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "horizon_days must be 1 to 56" in err
    code = main(["scenarios", "compare", "heatwav", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "not a library scenario" in err and "heatwave" in err


def test_scenarios_on_the_same_plan_share_one_baseline_run(tmp_path):
    # the library's "demo" and a copy of demo.toml elsewhere plan the same thing: run it once
    import dataclasses
    import shutil

    from scenarios.comparison import same_plan, with_settings
    from scenarios.config import load_scenario
    from scenarios.stress_config import demo_file, load_demo

    copy = tmp_path / "my_demo.toml"
    shutil.copy(demo_file(), copy)
    mine = load_scenario(copy)
    assert same_plan(load_demo(), mine)
    assert not same_plan(load_demo(), with_settings(mine, replications=2))
    assert same_plan(load_demo(), with_settings(mine, workers=2))  # where it runs is not what it runs
    own_data = dataclasses.replace(mine, data=dataclasses.replace(mine.data, source="calls.csv"))
    elsewhere = dataclasses.replace(own_data, source_file=tmp_path / "other" / "my_demo.toml")
    assert not same_plan(own_data, elsewhere)   # "calls.csv" next to each file: different data
