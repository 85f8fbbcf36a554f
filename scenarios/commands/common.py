"""Options shared by every command."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub, name: str, help: str, example: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with a worked example."""
    return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".",
                          epilog=f"example:\n  {example}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def out_options(parser: argparse.ArgumentParser, default: str = "controlroom-run") -> None:
    parser.add_argument("--out", type=Path, default=Path(default),
                        help=f"folder for the results (default: {default})")
    parser.add_argument("--force", action="store_true", help="overwrite results already in --out")
    common_options(parser)


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print only the summary and errors")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks of internal errors")
