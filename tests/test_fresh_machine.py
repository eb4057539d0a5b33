"""A fresh machine gets the newest dependencies: kb works with them, and CI sees drift early."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import yaml
from click.testing import CliRunner

from kb.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _requirement_names() -> list[str]:
    """Return the normalised names of the runtime and test dependencies of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements]


def test_commands_that_write_bytes_and_progress_use_no_click_api_deprecated_for_click_9(tmp_path: Path) -> None:
    article = tmp_path / "Q100001.TXT"
    article.write_bytes(b"DOCUMENT:Q100001  01-JUN-2001  [exchange]\r\nTITLE   :XFOR: A Test\r\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        rendered = CliRunner().invoke(cli, ["render", str(article), "--format", "txt"])
        stats = CliRunner().invoke(cli, ["stats", str(tmp_path)])
    assert not isinstance(rendered.exception, DeprecationWarning), rendered.exception
    assert not isinstance(stats.exception, DeprecationWarning), stats.exception


def test_the_constraints_file_pins_every_dependency_to_one_version() -> None:
    pins = {}
    for raw in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            name, _, version = raw.partition("==")
            assert version, f"constraints.txt: {raw!r} is not pinned with =="
            pins[name.lower().replace("_", "-")] = version
    missing = [name for name in _requirement_names() if name not in pins]
    assert missing == []


def test_ci_runs_the_readme_install_command_unpinned_but_under_the_constraints_file() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    constraint = script.index('export PIP_CONSTRAINT="$PWD/constraints.txt"')
    install = script.index("pip install -q -e '.[test]'\n")
    assert constraint < install and not re.search(r"^pip install .*-c ", script, re.M)


def test_a_ci_job_and_a_script_install_the_newest_versions_and_run_the_suite() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "kb.yml").read_text(encoding="utf-8"))
    steps = " ".join(step.get("run", "") for step in workflow["jobs"]["newest"]["steps"])
    assert "pip install -U --upgrade-strategy eager -e '.[test]'" in steps and "python -m pytest" in steps
    assert all(step.get("env", {}).get("PIP_CONSTRAINT") is None for step in workflow["jobs"]["newest"]["steps"])
    script = (ROOT / ".ci" / "newest").read_text(encoding="utf-8")
    assert "unset PIP_CONSTRAINT" in script and "--upgrade-strategy eager" in script
    assert os.access(ROOT / ".ci" / "newest", os.X_OK)


def test_kb_corpus_points_the_corpus_tests_at_another_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "archive" / "sub"
    corpus.mkdir(parents=True)
    (corpus / "Q100002.TXT").write_bytes(b"DOCUMENT:x\r\nKeywords          : kbExchange550sp2fix\r\n")
    test = "tests/releases/test_catalogue.py::test_every_fix_keyword_in_the_corpus_decodes"

    def run(folder: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "KB_CORPUS": str(folder)}
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert "1 passed" in run(tmp_path / "archive").stdout
    # a synthetic article whose fix keyword names no catalogued release: the same test now fails
    (corpus / "Q100003.TXT").write_bytes(b"DOCUMENT:x\r\nKeywords          : kbNoSuchProduct999sp1fix\r\n")
    assert "1 failed" in run(tmp_path / "archive").stdout
    missing = run(tmp_path / "nowhere")
    assert missing.returncode != 0 and "KB_CORPUS=" in missing.stdout
