"""``kb stats``: kinds and agreement figures over classic texts and records, clean errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from kb.cli import cli

EXAMPLES = ["Q254893", "Q230273", "Q190084", "Q146293"]


def run(*args: str) -> object:
    """Invoke ``kb`` with stdout and stderr kept apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def sample(tmp_path: Path, corpus_article: Callable[[str], Path]) -> Path:
    """Return a folder with four corpus articles (copied into tmp, never into the project)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in EXAMPLES:
        shutil.copy(corpus_article(name), folder / f"{name}.TXT")
    return folder


def test_json_output_counts_kinds_and_measures_agreement(sample: Path) -> None:
    result = run("stats", str(sample), "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)  # stdout carries only the JSON document
    assert document["articles"] == 4 and document["errors"] == 0
    assert document["kinds"] == {"fixed": 3, "fixed-latest-sp": 1}
    assert document["fixed_source"] == {"keyword": 1, "status": 2}
    agreement = document["agreement"]
    # Q254893 and Q230273 compare; Q230273's EXC55SP3Fix contradicts its SP4 STATUS
    assert (agreement["comparable"], agreement["agree"], agreement["strict_agree"]) == (2, 2, 1)
    assert [d["id"] for d in agreement["disagreements"]] == ["Q230273"]
    assert document["concrete_fixed"]["eligible"] == 2 and document["concrete_fixed"]["rate"] == 1.0


def test_text_output_shows_the_rates_and_each_disagreement_with_both_lines(sample: Path) -> None:
    result = run("stats", str(sample))
    assert result.exit_code == 0
    assert "agreement (STATUS fixed vs fix keyword): 2/2 = 100.00%" in result.stdout
    assert "Q230273.TXT:119: keyword EXC55SP3Fix says 'Exchange Server 5.5 SP3'; STATUS line 55 says 'Exchange Server 5.5 SP4'" in result.stdout


def test_yaml_records_are_measured_like_classic_texts(tmp_path: Path, q254893_txt: Path) -> None:
    from kb.importer import build_record
    from kb.store import dump_article

    dump_article(build_record(q254893_txt), tmp_path / "Q254893.yaml")
    document = json.loads(run("stats", str(tmp_path / "Q254893.yaml"), "--json").stdout)
    assert document["kinds"] == {"fixed": 1} and document["agreement"]["agree"] == 1


def test_a_broken_file_is_one_error_line_and_the_others_still_count(sample: Path) -> None:
    (sample / "Q000001.TXT").write_bytes(b"this is not a KB article\r\n")
    result = run("stats", str(sample), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["articles"] == 4
    errors = [line for line in result.stderr.splitlines() if "Q000001.TXT" in line]
    assert len(errors) == 1 and "Traceback" not in result.stderr


def test_a_missing_path_is_a_clean_error(tmp_path: Path) -> None:
    result = run("stats", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "nowhere: no such file, folder or article id" in result.stderr


def test_the_help_shows_an_example() -> None:
    assert "kb stats ../shared/corpus --json" in run("stats", "--help").stdout


SYNTHETIC = """DOCUMENT:{id}  01-JUN-2001  [winnt]\r
TITLE   :A Synthetic Article\r
PRODUCT :Microsoft Windows NT\r
PROD/VER:winnt:4.0\r
OPER/SYS:\r
KEYWORDS:kbbug\r
\r
======================================================================\r
-------------------------------------------------------------------------------\r
The information in this article applies to:\r
\r
 - Microsoft Windows NT Server version 4.0 \r
-------------------------------------------------------------------------------\r
\r
\r
STATUS\r
======\r
\r
{status}\r
\r
Additional query words:\r
\r
======================================================================\r
Keywords          : kbbug \r
Issue type        : kbbug\r
\r
=============================================================================\r
"""


def test_stats_counts_and_lists_the_articles_whose_status_names_a_release_the_record_does_not_carry(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    read = "Microsoft has confirmed this to be a problem in Windows NT version 4.0."
    missed = "Microsoft has confirmed this to be a problem in Windows NT Server version 4.7."
    for ident, status in (("Q900401", read), ("Q900402", missed)):
        (folder / f"{ident}.TXT").write_bytes(SYNTHETIC.format(id=ident, status=status).encode("ascii"))
    result = run("stats", str(folder), "--json")
    assert result.exit_code == 0, result.stderr
    misses = json.loads(result.stdout)["misses"]
    assert (misses["articles"], misses["rate"]) == (1, 0.5)
    assert [(m["id"], m["line"], m["text"]) for m in misses["items"]] == [("Q900402", 19, "Windows NT Server version 4.7")]
    table = run("stats", str(folder)).stdout
    assert "misses (STATUS names a release the record does not carry): 1 articles = 50.00%" in table
    assert f"{folder / 'Q900402.TXT'}:19: 'Windows NT Server version 4.7' is not in the status block" in table


def test_stats_takes_an_article_id_like_the_other_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.importer import build_record
    from kb.store import dump_article

    (tmp_path / "articles").mkdir()
    source = tmp_path / "Q900401.TXT"
    source.write_bytes(SYNTHETIC.format(id="Q900401", status="This behavior is by design.").encode("ascii"))
    dump_article(build_record(source), tmp_path / "articles" / "Q900401.yaml")
    monkeypatch.chdir(tmp_path)
    result = run("stats", "Q900401", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["kinds"] == {"by-design": 1}


def test_a_record_whose_stored_status_lacks_a_release_its_status_names_is_a_miss(tmp_path: Path) -> None:
    from kb.importer import build_record
    from kb.store import dump_article

    source = tmp_path / "Q900403.TXT"
    source.write_bytes(SYNTHETIC.format(
        id="Q900403", status="Microsoft has confirmed this to be a problem in Windows NT version 4.0. This problem\r\n"
                            "was first corrected in Windows NT 4.0 Service Pack 4.").encode("ascii"))
    article = build_record(source)
    assert article.status is not None
    article.status = {**article.status, "fixed": None}  # as an older import that did not read the fix
    dump_article(article, tmp_path / "records" / "Q900403.yaml")
    misses = json.loads(run("stats", str(tmp_path / "records"), "--json").stdout)["misses"]
    assert [(m["id"], m["text"]) for m in misses["items"]] == [("Q900403", "Windows NT 4.0 SP4")]
