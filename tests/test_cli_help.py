"""Every command's and subcommand's --help shows worked examples and the exit codes, and every
example parses with the command's own parser (so an example cannot name an option that is gone)."""

import argparse
import shlex
from pathlib import Path

import pytest

from scenarios.cli import build_parser

EXIT_CODES = ("0", "2", "3", "130")


def _walk(parser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _walk(child, (*path, name))


PARSERS = dict(_walk(build_parser()))


def _section(text: str, title: str) -> list[str]:
    """The indented lines under ``title:`` up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(f"{title}:") + 1
    body = []
    for line in lines[start:]:
        if not line.strip():
            break
        body.append(line.strip())
    return body


def test_the_walk_reaches_every_subcommand():
    names = {" ".join(path) for path in PARSERS}
    assert {"", "demo", "run", "forecast backtest", "forecast run", "forecast long-range", "roster benchmark",
            "roster check", "simulate", "scenarios compare", "scenarios list"} <= names


@pytest.mark.parametrize("path", list(PARSERS), ids=lambda p: " ".join(p) or "controlroom")
def test_help_shows_examples_and_exit_codes(path):
    text = PARSERS[path].format_help()
    assert "examples:" in text and "exit codes:" in text, text
    codes = [line.split()[0] for line in _section(text, "exit codes")]
    assert set(EXIT_CODES) <= set(codes), codes
    examples = _section(text, "examples")
    assert examples


@pytest.mark.parametrize("path", list(PARSERS), ids=lambda p: " ".join(p) or "controlroom")
def test_each_example_parses_with_the_commands_own_parser(path, capsys):
    for example in _section(PARSERS[path].format_help(), "examples"):
        words = shlex.split(example)
        assert words[0] == "controlroom", example
        argv = words[1:]
        assert argv[: len(path)] == list(path), f"{example!r} is not an example of {' '.join(path)}"
        try:
            args = build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{example!r} does not parse: {capsys.readouterr().err.strip()}")
        assert callable(args.handler), example


def test_a_wrong_example_would_be_caught(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["forecast", "run", "--data", "calls.csv", "--no-such-option"])
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_the_readme_command_blocks_parse(capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")[1::2]  # the fenced blocks
    commands = [line.strip() for block in blocks for line in block.splitlines()
                if line.strip().startswith("controlroom ")]
    assert len(commands) >= 3
    for command in commands:
        try:
            build_parser().parse_args(shlex.split(command)[1:])
        except SystemExit:
            pytest.fail(f"README: {command!r} does not parse: {capsys.readouterr().err.strip()}")
