"""End to end: a Markdown article from ``kb new`` to a validated, verified, published, searchable page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from kb.cli import cli

PROJECT = Path(__file__).resolve().parents[1]
SYMPTOMS = """\
When a user sends to a one-off address whose domain does not exist and ends in a blank, the
first NDR arrives; after **Send Again** no second NDR arrives, the Internet Mail Service logs
event 4120 and the bluebird message is moved to the archive.

| Event ID | Source |
|---|---|
| 4120 | MSExchangeIMC |

> [!NOTE]
> The same address without the blank gets its second NDR.
"""


def _edit_body(path: Path) -> None:
    """Replace the Symptoms hint of a kb new skeleton with real text, as a writer would."""
    text = path.read_text(encoding="utf-8")
    start = text.index("## Symptoms\n\n") + len("## Symptoms\n\n")
    end = text.index("\n## Cause")
    path.write_text(text[:start] + SYMPTOMS + text[end:], encoding="utf-8")


def _repro(root: Path) -> None:
    """Write the article's repro: the simulator flow of the trailing-blank NDR bug."""
    (root / "repro").mkdir()
    shutil.copy(PROJECT / "repro" / "Q254893.py", root / "repro" / "Q900001.py")


@pytest.fixture
def empty_folder() -> Iterator[Path]:
    """Return an empty folder with no ``articles/`` above it (kb finds its root by walking up)."""
    with tempfile.TemporaryDirectory(prefix="kb-new-") as folder:
        root = Path(folder)
        assert not any((parent / "articles").is_dir() for parent in (root, *root.parents))
        yield root


NEW = ["new", "Q900001", "--title", "IMS does not send a second NDR", "--product", "Exchange Server 5.5",
       "--affected", "Exchange Server 5.5 SP3", "--fixed", "Exchange Server 5.5 SP4"]


def test_a_new_markdown_article_is_checked_published_and_found(empty_folder: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = empty_folder
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, NEW).exit_code == 0
    article = tmp_path / "articles" / "Q900001.md"
    _edit_body(article)
    _repro(tmp_path)
    linked = runner.invoke(cli, ["repro", "init", "Q900001", "--link"])
    assert linked.exit_code == 0, linked.output
    assert "repro:\n  script: repro/Q900001.py\n" in article.read_text(encoding="utf-8")

    check = runner.invoke(cli, ["check", "--jobs", "1"])
    assert check.exit_code == 0, check.output
    assert "validate: 1 records, 0 errors" in check.stdout
    assert "verify:   1 articles: 2 pass, 0 fail" in check.stdout
    page = (tmp_path / "site" / "Q900001" / "index.html").read_text(encoding="utf-8")
    assert "bluebird" in page and '<div class="alert alert-note" role="note">' in page

    found = runner.invoke(cli, ["search", "bluebird"])
    assert found.exit_code == 0 and "Q900001" in found.stdout
    rendered = runner.invoke(cli, ["render", "Q900001", "--format", "md"])
    assert rendered.stdout_bytes == article.read_bytes()
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == ["Q900001.md"]


def test_the_same_flow_in_a_real_process(empty_folder: Path) -> None:
    tmp_path = empty_folder
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}

    def kb(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "kb", *args], cwd=tmp_path, env=env, capture_output=True,
                              timeout=300, check=False)

    assert kb(*NEW).returncode == 0
    article = tmp_path / "articles" / "Q900001.md"
    _edit_body(article)
    _repro(tmp_path)
    assert kb("repro", "init", "Q900001", "--link").returncode == 0
    check = kb("check", "--jobs", "1")
    assert check.returncode == 0, check.stderr.decode()
    assert (tmp_path / "site" / "Q900001" / "index.html").is_file()
    found = kb("search", "bluebird")
    assert found.returncode == 0 and b"Q900001" in found.stdout
    rendered = kb("render", "Q900001", "--format", "md")
    assert rendered.returncode == 0 and rendered.stdout == article.read_bytes()
