"""The kb command group: every verb loads, has help, and shows an example."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from kb.cli import COMMANDS, cli


def test_the_group_help_lists_every_verb() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    for verb in COMMANDS:
        assert verb in result.output


@pytest.mark.parametrize("verb", sorted(COMMANDS))
def test_every_verb_has_help_with_an_example(verb: str) -> None:
    result = CliRunner().invoke(cli, [verb, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_an_unknown_verb_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_the_console_script_runs_as_a_module() -> None:
    result = subprocess.run([sys.executable, "-m", "kb", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("kb, version ")
