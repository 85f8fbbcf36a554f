"""Scenario files: a planner's typo or impossible value is caught and named, never ignored."""

from pathlib import Path

import pytest

from scenarios.cli import main
from scenarios.config import Scenario, load_scenario
from scenarios.errors import InputError

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def test_demo_file_spells_out_the_defaults():
    # demo.toml documents every key; if it drifted from the code's defaults the docs would lie
    scenario = load_scenario(DEMO)
    default = Scenario()
    for section in ("data", "forecast", "roster", "simulation", "queues", "seed"):
        assert getattr(scenario, section) == getattr(default, section), section


def test_a_missing_key_takes_its_default(tmp_path):
    scenario = load_scenario(write(tmp_path, "[queues.999]\nservice_level = 0.95\n"))
    assert scenario.queues["999"].service_level == 0.95
    assert scenario.queues["999"].answer_within_s == 10   # from the 999 defaults
    assert list(scenario.queues) == ["999"]


def test_unknown_key_names_file_section_and_allowed_keys(tmp_path):
    path = write(tmp_path, "[queues.101]\nshrinkge = 0.4\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and "[queues.101]" in message and "'shrinkge'" in message
    assert "shrinkage" in message  # the allowed keys are listed


def test_unknown_section_is_named(tmp_path):
    with pytest.raises(InputError, match=r"unknown key 'rosta' in the top level; allowed keys: .*roster"):
        load_scenario(write(tmp_path, "[rosta]\nhourly_cost = 3\n"))


@pytest.mark.parametrize("text, fragment", [
    ("[queues.999]\nshrinkage = 1.2\n", "shrinkage must be a share between 0 and 1"),
    ("[queues.999]\nshrinkage = 'lots'\n", "shrinkage must be a number or a table of components"),
    ("[queues.999]\nshrinkage = { leave = 1.1 }\n", "shrinkage leave must be a share from 0 up to 1"),
    ("[queues.999]\nmax_occupancy = 1.5\n", "max_occupancy must be a share above 0 and up to 1"),
    ("[queues.999]\nmin_agents = 1.5\n", "min_agents must be a whole number"),
    ("[roster]\ncosts = 3\n", "costs must be text"),
    ("[queues.999]\nservice_level = -0.1\n", "service_level must be a share"),
    ("[queues.101]\nmodel = 'erlang_x'\n", "model must be one of erlang_c, erlang_a"),
    ("[queues.7]\nmodel = 'erlang_a'\n", "needs mean_patience_s"),
    ("[roster]\nshift_lengths_h = [8, 10]\n", "break_minutes must give one break per shift length"),
    ("[roster]\nsolver = 'gurobi'\n", "solver must be one of highs, cbc"),
    ("[simulation]\nreplications = 0\n", "replications must be 1 to 1000"),
    ("seed = 'abc'\n", "seed must be a number"),
    ("[roster]\nhourly_cost = 'cheap'\n", "hourly_cost must be a number"),
    ("[forecast]\nstaff_to = 'p150'\n", "staff_to must be 'mean' or a percentile"),
    ("[data]\ntimezone = 'Mars/Olympus'\n", "not a known IANA time zone"),
])
def test_impossible_values_are_named(tmp_path, text, fragment):
    with pytest.raises(InputError) as err:
        load_scenario(write(tmp_path, text))
    assert fragment in str(err.value)
    assert str(tmp_path / "plan.toml") in str(err.value)


def test_broken_toml_is_a_one_line_error_with_exit_code_2(tmp_path, capsys):
    path = write(tmp_path, "[roster\nhourly_cost = 3\n")
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "not a valid TOML file" in err and str(path) in err


def test_missing_scenario_file_is_a_one_line_error(tmp_path, capsys):
    code = main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "scenario file not found" in err and err.count("\n") == 1


def test_data_path_is_relative_to_the_scenario_file(tmp_path):
    scenario = load_scenario(write(tmp_path, "[data]\nsource = 'calls.csv'\n"))
    assert scenario.data_path() == (tmp_path / "calls.csv").resolve()
