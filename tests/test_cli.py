"""The kb command group: every verb loads, has help, and shows an example."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kb.cli import COMMANDS, cli

PROJECT = Path(__file__).resolve().parents[1]


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


def _all_commands() -> list[tuple[str, click.Command]]:
    """Return every verb and sub-verb (hidden ones too) with its command path."""
    found: list[tuple[str, click.Command]] = []
    context = click.Context(cli)
    for verb in sorted(COMMANDS):
        command = cli.get_command(context, verb)
        assert command is not None
        found.append((verb, command))
        if isinstance(command, click.Group):
            found.extend((f"{verb} {name}", sub) for name, sub in sorted(command.commands.items()))
    return found


def test_every_command_with_parallel_work_has_one_jobs_option_with_one_default() -> None:
    jobs = {path: next(p for p in command.params if p.name == "jobs") for path, command in _all_commands()
            if any(p.name == "jobs" for p in command.params)}
    assert {"bisect", "check", "import", "render", "site build", "stats", "validate", "verify"} <= set(jobs)
    for path, option in jobs.items():
        assert isinstance(option, click.Option)
        assert sorted(option.opts + option.secondary_opts) == ["--jobs", "-j"], path
        assert option.default is None, path
        assert (option.help or "").endswith("[default: all cores, never more than there is work]"), path


def test_the_jobs_default_is_all_cores_capped_by_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.commands.options import jobs_for

    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert (jobs_for(None), jobs_for(None, 3), jobs_for(None, 0), jobs_for(2, 100), jobs_for(4, 1)) == (8, 3, 1, 2, 1)


def test_progress_is_quiet_when_stderr_is_not_a_terminal_and_one_bar_when_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.store import dump_article, load_article

    folder = tmp_path / "records"
    article = load_article(PROJECT / "articles" / "Q254893.yaml")
    for number in range(900301, 900361):  # more than the 50 the old code drew a bar for in any log
        article.id = f"Q{number}"
        dump_article(article, folder / f"Q{number}.yaml")
    quiet = CliRunner().invoke(cli, ["validate", str(folder)])
    # Renumbered copies are imports edited since (one note each), never a progress bar.
    assert quiet.exit_code == 0 and "Validating" not in quiet.stderr
    assert quiet.stderr.splitlines()[-1] == "kb: validated 60 records: 0 errors, 0 warnings, 60 notes"
    monkeypatch.setattr("kb.commands.options.show_progress", lambda: True)
    drawn = CliRunner().invoke(cli, ["validate", str(folder)])
    assert drawn.exit_code == 0 and "Validating" in drawn.stderr
