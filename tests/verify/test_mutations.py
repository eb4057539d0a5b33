"""Issue 5 §5: the check must be able to fail. Mutated copies of Q254893 in a temporary kb root."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.store import dump_article, load_article

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT / "tests" / "fixtures" / "verify" / "repro"
SP3, SP4 = "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"


@pytest.fixture
def q254893_root(tmp_path: Path) -> Path:
    """Return a temporary kb root holding copies of the shipped Q254893 record and repro."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "repro").mkdir()
    shutil.copy(PROJECT / "articles" / "Q254893.yaml", tmp_path / "articles")
    shutil.copy(PROJECT / "repro" / "Q254893.py", tmp_path / "repro")
    return tmp_path


def mutate_status(root: Path, **changes: Any) -> None:
    """Rewrite the copied record's status block (atomically, through kb.store)."""
    path = root / "articles" / "Q254893.yaml"
    article = load_article(path)
    article.status = {**article.status, **changes}
    dump_article(article, path)


def verify(root: Path, *args: str) -> tuple[int, dict[str, dict]]:
    """Run kb verify --json on Q254893 in ``root``; return exit code and results by release."""
    result = CliRunner().invoke(cli, ["verify", "Q254893", "--json", "--no-cache", "--jobs", "2",
                                      "--articles", str(root / "articles"), *args])
    document = json.loads(result.stdout)
    (article,) = document["articles"]
    return result.exit_code, {r["release"]: r for r in article["results"]}


def test_the_shipped_q254893_passes_symptom_on_sp3_and_none_on_sp4(q254893_root: Path) -> None:
    code, results = verify(q254893_root)
    assert code == 0
    assert (results[SP3]["observed"], results[SP3]["verdict"]) == ("symptom", "pass")
    assert (results[SP4]["observed"], results[SP4]["verdict"]) == ("no-symptom", "pass")


def test_a_copy_claiming_sp3_fixed_it_fails_on_sp3(q254893_root: Path) -> None:
    mutate_status(q254893_root, affected=[], fixed=SP3)
    code, results = verify(q254893_root)
    assert code == 1
    assert (results[SP3]["expected"], results[SP3]["observed"], results[SP3]["verdict"]) == (
        "no-symptom", "symptom", "fail")
    assert results[SP3]["runs"] == 3  # the failure was retried and every run agreed


def test_a_copy_claiming_sp4_is_affected_fails_on_sp4(q254893_root: Path) -> None:
    mutate_status(q254893_root, affected=[SP3, SP4], fixed=None)
    code, results = verify(q254893_root)
    assert code == 1
    assert (results[SP4]["expected"], results[SP4]["observed"], results[SP4]["verdict"]) == (
        "symptom", "no-symptom", "fail")
    assert results[SP3]["verdict"] == "pass"


def test_a_repro_that_never_shows_the_symptom_fails_on_the_affected_release(q254893_root: Path) -> None:
    shutil.copy(FIXTURES / "Q900002.py", q254893_root / "repro" / "Q254893.py")
    code, results = verify(q254893_root)
    assert code == 1
    assert results[SP3]["verdict"] == "fail" and results[SP4]["verdict"] == "pass"


def test_a_repro_that_hangs_is_reported_as_timeout(q254893_root: Path) -> None:
    shutil.copy(FIXTURES / "Q900003.py", q254893_root / "repro" / "Q254893.py")
    code, results = verify(q254893_root, "--timeout", "1", "--jobs", "5")
    assert code == 2
    assert results[SP3]["verdict"] == "timeout"


def test_a_repro_that_raises_is_reported_as_error(q254893_root: Path) -> None:
    shutil.copy(FIXTURES / "Q900004.py", q254893_root / "repro" / "Q254893.py")
    code, results = verify(q254893_root)
    assert code == 2
    assert results[SP3]["verdict"] == "error" and "RuntimeError" in results[SP3]["message"]


def test_an_article_whose_repro_file_is_missing_is_an_error(q254893_root: Path) -> None:
    (q254893_root / "repro" / "Q254893.py").unlink()
    code, results = verify(q254893_root)
    assert code == 2
    assert {r["verdict"] for r in results.values()} == {"error"}
    assert "repro script not found" in results[SP3]["message"]
