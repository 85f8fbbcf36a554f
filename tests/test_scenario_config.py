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
    ("[roster]\ntime_limit_s = 'soon'\n", "time_limit_s must be a number"),
    ("[roster]\nhourly_cost = 20\n", "[roster] hourly_cost is no longer used: shifts are chosen and priced by the pay rules"),
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


def test_the_demos_commented_behaviour_examples_are_keys_that_reach_the_simulation(tmp_path):
    # uncomment demo.toml's caller-behaviour and scheduler examples: they must load and arrive in
    # the simulation's configuration with the value written
    import re
    import tomllib

    from scenarios.config import BEHAVIOUR_KEYS
    from scenarios.pipeline import simulation_config

    ours = "|".join((*BEHAVIOUR_KEYS, "scheduler"))   # other commented examples are alternatives
    examples = re.compile(rf"^# ((?:{ours}) = .*)$")
    text = "\n".join(examples.sub(r"\1", line) for line in DEMO.read_text().splitlines())
    raw = tomllib.loads(text)
    scenario = load_scenario(write(tmp_path, text))
    config = simulation_config(scenario)
    written = 0
    for name, section in raw["queues"].items():
        for key in BEHAVIOUR_KEYS:
            if key in section:
                assert getattr(config.queue(name), key) == section[key], (name, key)
                written += 1
    assert written >= 10 and config.queue("101").has_callbacks
    assert config.scheduler == raw["simulation"]["scheduler"] and config.workers == raw["simulation"]["workers"]


def test_the_demo_without_examples_simulates_as_before():
    # every new key is optional and off: the demo's simulation configuration is the plain one
    import dataclasses

    from scenarios.pipeline import simulation_config
    from simulation import QueueConfig

    config = simulation_config(load_scenario(DEMO))
    plain = QueueConfig(name="x")
    for q in config.queues:
        assert dataclasses.replace(q, name="x", priority=0, answer_within_s=10.0, mean_patience_s=None,
                                   handle_cv=1.0) == plain
    assert config.abstractions == () and config.pull_outs is None and config.scheduler is None


@pytest.mark.parametrize("text, fragments", [
    ("[queues.101]\nredial_same = 1.5\n", ["[queues.101]", "redial_same must be a share from 0 to 1"]),
    ("[queues.101]\nredial_same = 0.6\nredial_other = 0.6\nredial_other_queue = '999'\n",
     ["redial_same + redial_other must be at most 1"]),
    ("[queues.999]\n[queues.101]\nredial_other = 0.1\nredial_other_queue = '112'\n",
     ["redial_other_queue must be one of the queues 999, 101", "'112'"]),
    ("[queues.101]\nredial_other = 0.1\n", ["redial_other needs redial_other_queue"]),
    ("[queues.999]\nafter_call_s = -5\n", ["[queues.999]", "after_call_s must be 0 or more seconds"]),
    ("[queues.999]\npatience = 'weibull'\n", ["patience must be one of exponential, fixed, lognormal"]),
    ("[queues.101]\ncallback_accept = 2\n", ["callback_accept must be a share from 0 to 1"]),
    ("[queues.101]\nredial_other_queue = 999\n", ["redial_other_queue must be text"]),
    ("[simulation]\nscheduler = 8786\n", ["[simulation]", "scheduler must be text"]),
    ("[simulation]\nscheduler = ' '\n", ["scheduler must be a Dask scheduler address"]),
])
def test_bad_caller_behaviour_and_run_keys_are_named(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_after_call_work_is_staffed_for_as_part_of_the_handle_time():
    # a roster staffed on talk time alone would be short by construction: the requirement for
    # 300 s talk + 60 s after-call work is the requirement for 360 s calls
    import dataclasses
    from types import SimpleNamespace

    import pandas as pd

    from scenarios.pipeline import staffing_requirement
    from scenarios.progress import Progress

    starts = pd.date_range(pd.Timestamp("2026-11-02", tz="Europe/London"), periods=8, freq="15min")
    frame = pd.concat([pd.DataFrame({"queue": q, "interval_start": starts, "calls": 40.0, "aht": aht})
                       for q, aht in (("999", 300.0), ("101", 360.0))], ignore_index=True)
    plain = Scenario()
    queues = dict(plain.queues)
    queues["999"] = dataclasses.replace(queues["999"], after_call_s=60.0)
    with_acw = dataclasses.replace(plain, queues=queues)
    quiet = Progress(quiet=True)
    need = staffing_requirement(with_acw, SimpleNamespace(forecast=frame), quiet)
    talk_only = staffing_requirement(plain, SimpleNamespace(forecast=frame), quiet)
    longer = staffing_requirement(plain, SimpleNamespace(forecast=frame.assign(aht=360.0)), quiet)
    agents = lambda r, q: r.loc[r["queue"] == q, "agents"].to_numpy()
    assert (agents(need, "999") > agents(talk_only, "999")).all()
    assert (agents(need, "999") == agents(longer, "999")).all()
    assert (agents(need, "101") == agents(talk_only, "101")).all()   # 101 has no after-call work
