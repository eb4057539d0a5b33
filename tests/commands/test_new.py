"""``kb new``: a Markdown skeleton that validates, never overwriting; --from-txt converts a classic article."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.schema import validate_record
from kb.store import load_article


@pytest.fixture
def empty(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Chdir to an empty folder with no ``articles/`` above it (kb finds its root by walking up)."""
    with tempfile.TemporaryDirectory(prefix="kb-new-") as folder:
        monkeypatch.chdir(folder)
        yield Path(folder)


def test_kb_new_writes_a_skeleton_that_validates(empty: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "Q900001", "--title", "IMS drops the NDR", "--product",
                                      "Exchange Server 5.5", "--date", "2026-12-04"])
    assert result.exit_code == 0, result.output
    path = empty / "articles" / "Q900001.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\nid: Q900001\ntitle: IMS drops the NDR\nproduct: Exchange Server 5.5\n")
    assert "date: 2026-12-04\n---\n" in text
    for heading in ("Symptoms", "Cause", "Resolution", "Status", "More information"):
        assert f"\n## {heading}\n" in text
    hints = [(d.severity, d.code, d.line) for d in validate_record(path)]
    lines = text.split("\n")
    placeholders = [n for n, line in enumerate(lines, 1) if line.startswith("_") and line.endswith("._")]
    assert hints == [("warning", "skeleton-hint", n) for n in placeholders] and len(placeholders) == 5
    article = load_article(path)
    assert article.status is not None and article.status["kind"] == "none"


def test_affected_and_fixed_go_to_front_matter_and_to_a_status_sentence_that_agrees(empty: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "Q900002", "--title", "t", "--affected", "Exchange 5.5 SP3",
                                      "--fixed", "Exchange Server 5.5 Service Pack 4"])
    assert result.exit_code == 0, result.output
    path = empty / "articles" / "Q900002.md"
    text = path.read_text(encoding="utf-8")
    assert "status:\n  affected: [Exchange Server 5.5 SP3]\n  fixed: Exchange Server 5.5 SP4\n" in text
    assert "first corrected in Exchange Server 5.5 SP4." in text
    assert {d.code for d in validate_record(path)} == {"skeleton-hint"}  # the Status sentence is no hint


def test_kb_new_refuses_to_overwrite(empty: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "Q900001", "--title", "first"]).exit_code == 0
    before = (empty / "articles" / "Q900001.md").read_bytes()
    again = runner.invoke(cli, ["new", "Q900001", "--title", "second"])
    assert again.exit_code == 1 and "already exists" in again.output
    assert (empty / "articles" / "Q900001.md").read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (["new", "900001", "--title", "t"], "expected an article id such as Q900001"),
    (["new", "Q900001", "--title", "t", "--fixed", "Exchange Server 5.5 SP9"], "unknown release"),
    (["new", "Q900001"], "--title is required"),
])
def test_bad_input_is_one_line_and_writes_nothing(empty: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0 and message in result.output
    assert not (empty / "articles" / "Q900001.md").exists()


def test_an_id_with_non_ascii_digits_is_refused_and_nothing_is_written(empty: Path) -> None:
    arabic_indic = "Q\u0669\u0660\u0660\u0660\u0660\u0661"  # matches r"\d" but is no article id
    result = CliRunner().invoke(cli, ["new", arabic_indic, "--title", "t"])
    assert result.exit_code == 1 and "expected an article id such as Q900001" in result.output
    assert not (empty / "articles").exists() or not any((empty / "articles").iterdir())


def test_from_txt_converts_a_classic_article_and_says_the_round_trip_is_gone(
        empty: Path, q254893_txt: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "--from-txt", str(q254893_txt), "--out", "drafts", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"converted_from": str(q254893_txt), "id": "Q254893",
                                         "path": "drafts/Q254893.md"}
    assert "classic round trip" in result.stderr and "no longer promised" in result.stderr
    path = empty / "drafts" / "Q254893.md"
    assert list(validate_record(path)) == []
    article = load_article(path)
    assert article.status is not None
    assert (article.status["affected"], article.status["fixed"]) == (["Exchange Server 5.5 SP3"],
                                                                    "Exchange Server 5.5 SP4")
    assert [s.heading for s in article.sections][1:] == ["Symptoms", "Resolution", "Status"]
    assert {r.id for r in article.references} == {"Q191914", "Q119591"}
