"""``kb validate`` through the click CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

RECORDS = Path(__file__).resolve().parents[1] / "fixtures" / "text" / "records"


@pytest.fixture()
def imported(tmp_path: Path, q254893_txt: Path) -> Path:
    """Return a folder holding Q254893's freshly imported record."""
    result = CliRunner().invoke(cli, ["import", str(q254893_txt), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    return tmp_path


def test_a_valid_folder_exits_0_with_a_summary(imported: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(imported)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "kb: validated 1 records: 0 errors, 0 warnings"


def test_bad_records_print_path_line_field_message_and_exit_1() -> None:
    result = CliRunner().invoke(cli, ["validate", str(RECORDS)])
    assert result.exit_code == 1
    assert f"{RECORDS / 'Q900402.yaml'}:84: sections.2.heading: 42 is not of type 'string', 'null'" in result.stderr
    assert f"{RECORDS / 'bomb.yaml'}:1: YAML aliases are not allowed in a record" in result.stderr
    assert f"{RECORDS / 'syntax.yaml'}:4: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_puts_only_the_document_on_stdout() -> None:
    result = CliRunner().invoke(cli, ["validate", str(RECORDS / "Q900403.yaml"), "--json"])
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (document["checked"], document["errors"], document["ok"]) == (1, 2, False)
    assert [d["field"] for d in document["diagnostics"]] == ["id", "date"]


def test_the_default_is_the_articles_folder_of_the_project(imported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A project of its own (not pytest's shared base folder, where an articles/ folder would
    # make every later test's tmp_path look like it sits in a knowledge base).
    project = imported.with_name(imported.name + "-project")
    project.mkdir()
    imported.rename(project / "articles")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.stderr
    assert "validated 1 records" in result.stderr


def test_a_missing_path_is_an_error() -> None:
    result = CliRunner().invoke(cli, ["validate", "no/such/folder"])
    assert result.exit_code == 1
    assert "no/such/folder: no such file, folder or article id" in result.stderr


def test_the_shipped_articles_are_valid(project_root: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(project_root / "articles")])
    assert result.exit_code == 0, result.stderr


def test_strict_turns_warnings_into_a_failure(imported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb import schema
    from kb.diagnostics import Diagnostic

    def lint_warn(ctx: schema.RecordContext):
        yield Diagnostic(ctx.path, 1, "just so you know", severity="warning")

    monkeypatch.setattr(schema, "LINTS", [lint_warn])
    relaxed = CliRunner().invoke(cli, ["validate", str(imported)])
    strict = CliRunner().invoke(cli, ["validate", str(imported), "--strict"])
    assert (relaxed.exit_code, strict.exit_code) == (0, 1)
    assert "warning: just so you know" in strict.stderr


SELF_REFERENCING = """DOCUMENT:Q900101  01-JUN-2001  [exchange]\r
TITLE   :XFOR: A Synthetic Article That Lists Itself\r
PRODUCT :Microsoft Exchange\r
PROD/VER:winnt:5.5\r
OPER/SYS:\r
KEYWORDS:kbinfo\r
\r
======================================================================\r
-------------------------------------------------------------------------------\r
The information in this article applies to:\r
\r
 - Microsoft Exchange Server, version 5.5 \r
-------------------------------------------------------------------------------\r
\r
\r
SUMMARY\r
=======\r
\r
A synthetic article.\r
\r
REFERENCES\r
==========\r
\r
For more information, see the following articles:\r
\r
   Q900101 XFOR: A Synthetic Article That Lists Itself\r
   Q900102 XFOR: Another Synthetic Article\r
\r
Additional query words:\r
\r
======================================================================\r
Keywords          : kbinfo \r
Issue type        : kbinfo\r
\r
=============================================================================\r
"""


def test_an_article_whose_source_references_itself_imports_and_validates_with_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "Q900101.TXT"
    source.write_bytes(SELF_REFERENCING.encode("ascii"))
    records = tmp_path / "records"
    assert CliRunner().invoke(cli, ["import", str(source), "--out", str(records)]).exit_code == 0
    result = CliRunner().invoke(cli, ["validate", str(records), "--json"])
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert (document["errors"], document["warnings"]) == (0, 1)
    (warning,) = document["diagnostics"]
    assert warning["severity"] == "warning" and warning["message"] == "article 'Q900101' references itself"
    strict = CliRunner().invoke(cli, ["validate", str(records), "--strict"])
    assert strict.exit_code == 1 and "warning: references.0.id: article 'Q900101' references itself" in strict.stderr


def test_an_id_validates_like_its_record_file(tmp_path: Path, q254893_txt: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(cli, ["import", str(q254893_txt), "--out", str(tmp_path / "articles")]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "Q254893"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "kb: validated 1 records: 0 errors, 0 warnings"
