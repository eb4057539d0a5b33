"""Edited imports: an info when a record no longer renders to its source, a warning when STATUS disagrees."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kb.article_lints import edited_since_import
from kb.cli import cli
from kb.schema import validate_paths, validate_record
from kb.store import dump_article, load_article

PROJECT = Path(__file__).resolve().parents[1]


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    article = load_article(PROJECT / "articles" / "Q254893.yaml")
    status = article.section("STATUS")
    assert status is not None
    status.blocks[0].text = status.blocks[0].text.replace(old, new)
    path = tmp_path / "Q254893.yaml"
    dump_article(article, path)
    return path


def test_no_shipped_record_is_reported_as_edited() -> None:
    count, diagnostics = validate_paths([PROJECT / "articles"])
    assert count > 0 and [d for d in diagnostics if d.code == "edited"] == []
    for path in sorted((PROJECT / "articles").glob("Q*.yaml")):
        assert not edited_since_import(load_article(path)), path


def test_an_edited_import_gets_an_info_not_an_error(tmp_path: Path) -> None:
    path = _edited(tmp_path, "problem in Microsoft Exchange Server", "problem in Exchange Server")
    (info,) = list(validate_record(path))
    assert info.severity == "info" and info.code == "edited"
    assert info.format().startswith(f"{path}:")
    assert "info: source.sha256: the record's text no longer renders to Q254893.TXT" in info.format()
    result = CliRunner().invoke(cli, ["validate", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings, 1 notes" in result.output


def test_an_edit_that_makes_status_text_and_block_disagree_gets_the_status_warning(tmp_path: Path) -> None:
    path = _edited(tmp_path, "5.5 Service Pack 4", "5.5 Service Pack 3")
    codes = {d.code: d for d in validate_record(path)}
    assert set(codes) == {"edited", "status-disagrees"}
    warning = codes["status-disagrees"]
    assert warning.severity == "warning"
    assert "the status: block says affected: Exchange Server 5.5 SP3; fixed: Exchange Server 5.5 SP4" in warning.message
    assert "fixed: Exchange Server 5.5 SP3" in warning.message.split("but")[1]
    strict = CliRunner().invoke(cli, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
