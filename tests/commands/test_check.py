"""``kb check``: the README's main job, run on a copy of the bundled knowledge base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli


@pytest.fixture()
def kb_copy(project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a temporary kb root holding Q254893's record and repro, as the cwd."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "repro").mkdir()
    shutil.copy(project_root / "articles" / "Q254893.yaml", tmp_path / "articles")
    shutil.copy(project_root / "repro" / "Q254893.py", tmp_path / "repro")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_validates_verifies_and_reports_green_on_the_reference_article(kb_copy: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--no-site", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["validate"] == {"checked": 1, "diagnostics": [], "errors": 0}
    verdicts = {r["release"]: r["verdict"] for r in document["verify"]["articles"][0]["results"]}
    assert verdicts["Exchange Server 5.5 SP3"] == "pass"
    assert verdicts["Exchange Server 5.5 SP4"] == "pass"


def test_check_fails_when_a_record_breaks_the_schema(kb_copy: Path) -> None:
    record = kb_copy / "articles" / "Q254893.yaml"
    record.write_text(record.read_text().replace("category: exchange", "category: 42"))
    result = CliRunner().invoke(cli, ["check", "--no-site", "--no-verify"])
    assert result.exit_code == 1
    assert "Q254893.yaml:" in result.stderr and "category" in result.stderr


def test_check_builds_the_site_with_the_verification_results(kb_copy: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--out", str(kb_copy / "public")])
    assert result.exit_code == 0, result.output
    pages = list((kb_copy / "public").rglob("*.html"))
    article = next(p for p in pages if "Q254893" in str(p))
    assert "Exchange Server 5.5 SP3" in article.read_text()


def test_check_outside_a_knowledge_base_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("no articles folder (run kb check in a knowledge base: a folder with articles/)")
    assert not (tmp_path / "site").exists()
