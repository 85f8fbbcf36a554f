"""`controlroom demo` and `controlroom run`: the whole pipeline from a scenario file."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from ..config import load_scenario
from ..progress import Progress
from .common import add_parser, out_options


def register(sub) -> None:
    demo = add_parser(sub, "demo", "run the built-in demo scenario end to end",
                      "controlroom demo --out demo-run")
    out_options(demo)
    demo.set_defaults(handler=_demo)

    run = add_parser(sub, "run", "run a scenario file (TOML) end to end",
                     "controlroom run scenarios/demo.toml --out my-run")
    run.add_argument("scenario", type=Path, help="scenario file (TOML); see scenarios/demo.toml")
    out_options(run)
    run.set_defaults(handler=_run_file)


def _demo(args: argparse.Namespace) -> int:
    with resources.as_file(resources.files("scenarios") / "demo.toml") as path:
        scenario = load_scenario(path)
    return _run(scenario, args)


def _run_file(args: argparse.Namespace) -> int:
    return _run(load_scenario(args.scenario), args)


def _run(scenario, args: argparse.Namespace) -> int:
    from ..outputs import prepare_out_dir, write_run
    from ..pipeline import run_pipeline
    from ..summary import summary_text

    out = prepare_out_dir(args.out, force=args.force)
    progress = Progress(quiet=args.quiet)
    result = run_pipeline(scenario, progress)
    summary = write_run(result, out)
    print(summary_text(summary, out))
    return 0
