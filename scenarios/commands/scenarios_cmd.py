"""`controlroom scenarios compare` and `controlroom scenarios list`: stress tests against a baseline."""

from __future__ import annotations

import argparse
import shlex
from importlib import resources
from pathlib import Path

from ..errors import InputError
from ..progress import Progress
from .common import add_parser, common_options

LIBRARY = "library"


def register(sub) -> None:
    group = add_parser(sub, "scenarios", "stress-test scenarios: compare them with a baseline, list the library",
                       "controlroom scenarios compare scenarios/demo.toml heatwave major_incident --out stress")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    cmp = add_parser(actions, "compare", "simulate scenarios and compare them with the first (the baseline)",
                     "controlroom scenarios compare scenarios/demo.toml heatwave budget_cut_10pct "
                     "--horizon-days 7 --replications 3 --out stress")
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                     help="scenario files (TOML), or names from `controlroom scenarios list`; the first is "
                          "the reference the others are compared with")
    cmp.add_argument("--costs", type=Path, help="cost model file (TOML; see scenarios/costs.toml)")
    cmp.add_argument("--baseline", type=Path,
                     help="apply every scenario's changes to this scenario file instead of the baseline "
                          "each names (e.g. the library's scenarios on your own force)")
    cmp.add_argument("--horizon-days", type=int, help="plan this many days instead of the baselines' own")
    cmp.add_argument("--replications", type=int, help="simulate this many replications instead")
    cmp.add_argument("--workers", type=int,
                     help="local processes simulating the scenarios' replications, all in one batch "
                          "(default: the first baseline's [simulation] workers); results do not depend on it")
    cmp.add_argument("--scheduler", metavar="ADDRESS",
                     help="a Dask scheduler to simulate on instead, e.g. tcp://10.0.0.5:8786 "
                          "(default: the first baseline's [simulation] scheduler; needs the 'dask' extra)")
    cmp.add_argument("--out", type=Path, default=Path("controlroom-scenarios"),
                     help="folder for the results (default: controlroom-scenarios)")
    cmp.add_argument("--force", action="store_true", help="overwrite results already in --out")
    common_options(cmp)
    cmp.set_defaults(handler=_compare)

    lst = add_parser(actions, "list", "list the shipped library of scenarios", "controlroom scenarios list")
    common_options(lst)
    lst.set_defaults(handler=_list)


def library_files() -> dict[str, Path]:
    folder = resources.files("scenarios") / LIBRARY
    return {Path(str(f)).stem: Path(str(f)) for f in sorted(folder.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".toml")}


def resolve(argument: str) -> Path:
    """A file, or the name of a library scenario."""
    path = Path(argument)
    if path.is_file():
        return path
    library = library_files()
    name = path.stem if path.suffix == ".toml" and path.parent == Path(".") else argument
    if name in library:
        return library[name]
    raise InputError(f"{argument}: scenario file not found, and not a library scenario; "
                     f"library: {', '.join(library)}")


def _compare(args: argparse.Namespace) -> int:
    from ..comparison import compare, with_settings, write_comparison
    from ..config import load_scenario
    from ..costs import CostModel, load_costs
    from ..pipeline import cost_model
    from ..stress_config import load_stress, rebase
    from ..report.compare_report import compare_report
    from ..stress_plots import write_plots

    scenarios = [load_stress(resolve(a)) for a in args.scenarios]
    if args.baseline is not None:
        base = load_scenario(args.baseline)
        scenarios = [rebase(s, base) for s in scenarios]
    # Without --costs, the baseline's own pay rules ([roster] costs), as its run prices its roster.
    costs = load_costs(args.costs) if args.costs else cost_model(scenarios[0].baseline) if scenarios else CostModel()
    overrides = {"horizon_days": args.horizon_days, "replications": args.replications,
                 "workers": args.workers, "scheduler": args.scheduler}
    if any(v is not None for v in overrides.values()):
        try:
            scenarios = [rebase(s, with_settings(s.baseline, **overrides)) for s in scenarios]
        except ValueError as exc:
            given = "/".join(f"--{k.replace('_', '-')}" for k, v in overrides.items() if v is not None)
            raise InputError(f"{given}: {exc}") from None
    out = _prepare(args.out, args.force)
    progress = Progress(quiet=args.quiet)
    comparison = compare(scenarios, costs, progress, workers=args.workers, scheduler=args.scheduler)
    write_comparison(comparison, out)
    write_plots(comparison, out)
    compare_report(comparison, _inputs(args, scenarios, out), out)
    print(comparison_text(comparison.table, costs.currency, out))
    return 0


def _inputs(args: argparse.Namespace, scenarios, out: Path) -> dict[str, object]:
    """What the report states so a reader can run the same comparison again."""
    from .. import __version__
    from ..report.page import shown_path

    named = [shown_path(a) if Path(a).is_file() else a for a in args.scenarios]
    words = ["controlroom", "scenarios", "compare", *named]
    for option, value in (("--costs", args.costs), ("--baseline", args.baseline)):
        words += [option, shown_path(value)] if value is not None else []
    for option, value in (("--horizon-days", args.horizon_days), ("--replications", args.replications)):
        words += [option, str(value)] if value is not None else []
    first = scenarios[0].baseline
    return {"scenarios": ", ".join(named), "reference": scenarios[0].name,
            "baselines": ", ".join(dict.fromkeys(shown_path(s.baseline_key) if Path(s.baseline_key).is_file()
                                                 else s.baseline_key for s in scenarios)),
            "seed": ", ".join(dict.fromkeys(str(s.baseline.seed) for s in scenarios)),
            "horizon": f"{first.forecast.horizon_days} days", "replications": first.simulation.replications,
            "costs": _costs_shown(args, first, shown_path),
            "version": __version__, "command": shlex.join(words + ["--out", shown_path(out)])}


def _costs_shown(args: argparse.Namespace, baseline, shown_path) -> str:
    """Which pay rules priced the comparison, as _compare chose them."""
    if args.costs:
        return shown_path(args.costs)
    path = baseline.costs_path()
    return (f"{shown_path(path)} (the baseline's [roster] costs)" if path
            else "built-in pay rules (as scenarios/costs.toml)")


def _prepare(out: Path, force: bool) -> Path:
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out must be a folder, and a file of that name exists")
    if (out / "comparison.csv").exists() and not force:
        raise InputError(f"{out}: already holds results (comparison.csv); choose another --out or "
                         "pass --force to overwrite them")
    out.mkdir(parents=True, exist_ok=True)
    return out


def comparison_text(table, currency: str, out: Path) -> str:
    lines = [f"controlroom scenarios: {table['scenario'].nunique()} scenarios compared with "
             f"{table['scenario'].iloc[0]!r}"]
    for name, rows in table.groupby("scenario", sort=False):
        first = rows.iloc[0]
        lines.append(f"  {name} ({first['roster']} roster): roster {currency} {first['roster_cost']:,.0f}, "
                     f"cost to restore the targets {currency} {first['cost_to_restore']:,.0f}")
        for _, r in rows.iterrows():
            lines.append(f"    {r['queue']}: {r['service_level']:.1%} answered within {r['answer_within_s']:g}s "
                         f"(target {r['target_service_level']:.0%}, {r['service_level_change']:+.1%} on the "
                         f"reference), abandoned {r['abandon_rate']:.1%}, "
                         f"{r['p_miss_target']:.0%} of simulated days below target")
    lines.append(f"  results in {out}/")
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    from ..stress_config import load_stress

    for name, path in library_files().items():
        stress = load_stress(path)
        kinds = ", ".join(dict.fromkeys(c.KIND for c in stress.changes)) or "no changes"
        print(f"{name:28s} {stress.roster:7s} {kinds}")
        if stress.description:
            print(f"{'':28s} {stress.description}")
    return 0
