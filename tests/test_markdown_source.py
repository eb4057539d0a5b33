"""Native Markdown articles: the record derived from a .md file, located diagnostics, status rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.exceptions import LocatedError, RecordError
from kb.front_matter import set_front_matter
from kb.markdown_source import derive_record, plain_text
from kb.schema import validate_record
from kb.store import article_files, load_article, load_source, record_of

ARTICLE = """\
---
id: Q900001
title: IMS does not send a second NDR
product: Exchange Server 5.5
applies_to:
  - Microsoft Exchange Server 5.5
keywords: [kbbug, kbfix]
date: 2026-12-04
status:
  affected: [Exchange Server 5.5 SP3]
  fixed: Exchange Server 5.5 SP4
---

## Symptoms

When you click **Send Again**, no second NDR arrives. See [Q254893](Q254893.md).

| Event | Source |
|---|---|
| 4120 | MSExchangeIMC |

> [!NOTE]
> The message moves to the archive.

## Cause

```
SMTP:joeuser@invaliddomain.com

(a blank line inside the fence)
```

## Status

Microsoft has confirmed this to be a problem in Exchange Server 5.5 Service Pack 3. This problem
was first corrected in Exchange Server 5.5 Service Pack 4.
"""


def _write(root: Path, text: str, name: str = "Q900001.md") -> Path:
    folder = root / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _messages(path: Path) -> list[str]:
    return [d.format().replace(str(path.parent) + "/", "") for d in validate_record(path)]


def test_a_markdown_article_validates_and_loads_like_a_record(tmp_path: Path) -> None:
    path = _write(tmp_path, ARTICLE)
    assert _messages(path) == []
    article = load_article(path)
    assert article.is_markdown and article.id == "Q900001" and article.product == "Exchange Server 5.5"
    assert [s.heading for s in article.sections] == ["Symptoms", "Cause", "Status"]
    assert article.status is not None and article.status["affected"] == ["Exchange Server 5.5 SP3"]
    assert article.status["fixed"] == "Exchange Server 5.5 SP4"
    assert [(r.id, r.line) for r in article.references] == [("Q254893", 16)]


def test_section_and_block_lines_are_lines_of_the_md_file(tmp_path: Path) -> None:
    path = _write(tmp_path, ARTICLE)
    lines = ARTICLE.split("\n")
    article = load_article(path)
    for section in article.sections:
        assert lines[section.line - 1] == f"## {section.heading}"
        for block in section.blocks:
            assert lines[block.line - 1] == block.text.split("\n")[0]
    cause = article.section("Cause")
    assert cause is not None and "(a blank line inside the fence)" in cause.blocks[0].text


def test_the_record_is_derived_and_cached_under_dot_kb_never_beside_the_article(tmp_path: Path, monkeypatch) -> None:
    import kb.markdown_source

    path = _write(tmp_path, ARTICLE)
    first = load_source(path).record
    assert sorted(p.name for p in path.parent.iterdir()) == ["Q900001.md"]
    assert list((tmp_path / ".kb" / "cache" / "records").rglob("log-*.kbl"))

    def no_derivation(text: str, path: str) -> None:
        raise AssertionError("derived again")

    with monkeypatch.context() as patched:
        patched.setattr(kb.markdown_source, "derive_record", no_derivation)
        assert load_source(path).record == first  # from the cache
    path.write_text(ARTICLE.replace("no second NDR", "no other NDR"), encoding="utf-8")
    assert "no other NDR" in load_source(path).record["sections"][0]["blocks"][0]["text"]


def test_the_derived_record_keeps_no_classic_provenance(tmp_path: Path) -> None:
    record = load_source(_write(tmp_path, ARTICLE)).record
    assert record["origin"] == "markdown"
    assert not {"layout", "notice", "footer", "title_prefix", "prod_ver", "oper_sys"} & set(record)
    assert record["source"]["file"] == "Q900001.md" and record["source"]["encoding"] == "utf-8"
    assert record_of(load_article(tmp_path / "articles" / "Q900001.md")) == record


def test_without_front_matter_status_it_is_read_from_the_status_section(tmp_path: Path) -> None:
    text = ARTICLE.replace("status:\n  affected: [Exchange Server 5.5 SP3]\n  fixed: Exchange Server 5.5 SP4\n", "")
    path = _write(tmp_path, text)
    status = load_article(path).status
    assert status is not None and status["kind"] == "fixed"
    assert "Exchange Server 5.5 SP3" in status["affected"] and status["fixed"] == "Exchange Server 5.5 SP4"
    assert _messages(path) == []


def test_a_status_section_that_contradicts_the_front_matter_gets_a_located_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, ARTICLE.replace("fixed: Exchange Server 5.5 SP4", "fixed: Exchange Server 5.5 SP3")
                  .replace("affected: [Exchange Server 5.5 SP3]", "affected: [Exchange Server 5.5 SP2]"))
    (message,) = _messages(path)
    line = ARTICLE.split("\n").index("## Status") + 3
    assert message.startswith("Q900001.md:9:1: warning: status: front matter status says affected: "
                              "Exchange Server 5.5 SP2; fixed: Exchange Server 5.5 SP3, but the Status section "
                              f"(line {line}) says affected: Exchange Server 5.5 SP3; fixed: Exchange Server 5.5 SP4")
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(path)]).exit_code == 0
    strict = runner.invoke(cli, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1 and "status-disagrees" not in strict.output


def test_a_wrong_status_gets_one_located_error_per_problem(tmp_path: Path) -> None:
    text = ARTICLE.replace(
        "status:\n  affected: [Exchange Server 5.5 SP3]\n  fixed: Exchange Server 5.5 SP4\n",
        "status:\n  affected:\n    - Exchange Server 5.5 SP3\n    - Exchange Server 5.5 SP9\n"
        "    - Exchange Server 5.5 SP4\n  fixed: Exchange Server 5.5 SP2\n")
    messages = _messages(_write(tmp_path, text))
    assert messages == [
        "Q900001.md:12:7: status.affected.1: release 'Exchange Server 5.5 SP9' is not in the release catalogue "
        "(kb/releases/catalogue.yaml), expected a name such as 'Exchange Server 5.5 SP4'",
        "Q900001.md:11:7: status.affected.0: 'Exchange Server 5.5 SP3' is affected, but 'Exchange Server 5.5 SP2' "
        "(line 14) already fixed Exchange Server 5.5; expected every affected release before the first fixed one",
        "Q900001.md:13:7: status.affected.2: 'Exchange Server 5.5 SP4' is affected, but 'Exchange Server 5.5 SP2' "
        "(line 14) already fixed Exchange Server 5.5; expected every affected release before the first fixed one",
    ]


def test_schema_errors_point_at_the_front_matter_line_and_column(tmp_path: Path) -> None:
    text = ARTICLE.replace("keywords: [kbbug, kbfix]", "keywords: [kbbug, 7]").replace("date: 2026-12-04", "date: soon")
    messages = _messages(_write(tmp_path, text))
    assert "Q900001.md:8:7: date: 'soon' does not match '^\\\\d{4}-\\\\d{2}-\\\\d{2}$'" in messages
    assert "Q900001.md:7:19: keywords.1: 7 is not of type 'string'" in messages


def test_an_unknown_front_matter_key_is_named_at_its_line(tmp_path: Path) -> None:
    (message,) = _messages(_write(tmp_path, ARTICLE.replace("keywords:", "ms.author: someone\nkeywords:")))
    assert message == ("Q900001.md:7:12: ms.author: unknown front matter key 'ms.author', expected one of id, title, "
                       "description, product, applies_to, keywords, date, category, status, repro")


def test_a_missing_title_is_an_error_and_an_h1_can_give_it(tmp_path: Path) -> None:
    text = ARTICLE.replace("title: IMS does not send a second NDR\n", "")
    (message,) = _messages(_write(tmp_path, text))
    assert "'title' is a required property" in message
    titled = text.replace("## Symptoms", "# IMS and the second NDR\n\n## Symptoms", 1)
    assert load_article(_write(tmp_path, titled)).title == "IMS and the second NDR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# no front matter\n", "Q900001.md:1: no front matter"),
        ("---\nid: Q900001\n", "Q900001.md:1: front matter is not closed"),
        ("---\nid: Q900001\ntitle: [unclosed\n---\n", "Q900001.md:4: invalid YAML"),
        ("---\n- a list\n---\n", "Q900001.md:2: front matter is list, expected a mapping"),
    ],
)
def test_a_malformed_front_matter_is_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    (message,) = _messages(_write(tmp_path, text))
    assert message.startswith(expected)
    with pytest.raises(RecordError):
        load_article(tmp_path / "articles" / "Q900001.md")


def test_an_id_that_is_not_the_file_name_is_reported(tmp_path: Path) -> None:
    (message,) = _messages(_write(tmp_path, ARTICLE, "Q900002.md"))
    assert message.startswith("Q900002.md:2:5: id: 'Q900001' does not match the file name")


def test_folders_list_markdown_articles_beside_records(tmp_path: Path, project_root: Path) -> None:
    _write(tmp_path, ARTICLE)
    (tmp_path / "articles" / "Q254893.yaml").write_bytes((project_root / "articles" / "Q254893.yaml").read_bytes())
    (tmp_path / "articles" / "notes.txt").write_text("not an article")
    assert [p.name for p in article_files(tmp_path / "articles")] == ["Q254893.yaml", "Q900001.md"]


def test_setting_a_front_matter_key_changes_only_its_lines() -> None:
    linked = set_front_matter(ARTICLE, "repro", {"script": "repro/Q900001.py", "releases": []})
    assert linked.split("---\n", 2)[2] == ARTICLE.split("---\n", 2)[2]
    assert "repro:\n  script: repro/Q900001.py\n  releases: []\n---\n" in linked
    again = set_front_matter(linked, "repro", {"script": "repro/other.py"})
    assert again.count("repro:") == 1 and "other.py" in again and "releases" not in again


def test_plain_text_drops_markdown_marks_for_the_status_reader() -> None:
    assert plain_text("> Fixed in **Exchange Server 5.5 SP4**, see [Q191914](Q191914.md).") == (
        "Fixed in Exchange Server 5.5 SP4, see Q191914.")


def test_derivation_keeps_unknown_names_out_of_the_status_lists(tmp_path: Path) -> None:
    text = ARTICLE.replace("fixed: Exchange Server 5.5 SP4", "fixed: Exchange Server 9 SP1")
    record, _ = derive_record(text, str(tmp_path / "Q900001.md"))
    assert record["status"]["fixed"] is None
    assert record["status"]["unknown"] == [{"text": "Exchange Server 9 SP1", "line": 11}]


def test_one_id_in_two_files_is_an_error(tmp_path: Path, project_root: Path) -> None:
    from kb.schema import validate_paths

    _write(tmp_path, ARTICLE)
    record = (project_root / "articles" / "Q254893.yaml").read_text(encoding="utf-8")
    (tmp_path / "articles" / "Q900001.yaml").write_text(record.replace("id: Q254893", "id: Q900001"), encoding="utf-8")
    count, diagnostics = validate_paths([tmp_path / "articles"])
    duplicates = [d.format() for d in diagnostics if d.code == "id-duplicate"]
    assert count == 2 and duplicates == [
        f"{tmp_path / 'articles' / 'Q900001.yaml'}:1: article Q900001 is also Q900001.md; expected one file per "
        "article (a .yaml record or a .md article)"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("date: 2026-13-45", "Q900001.md:5:7: date: invalid date '2026-13-45', expected a real YYYY-MM-DD date"),
        ("status: fixed", "Q900001.md:6:9: status: 'fixed' is not of type 'object'"),
        ("status: {affected: 5}", "Q900001.md:6:20: status.affected.0: 5 is not of type 'string'"),
        ("keywords: 5", "Q900001.md:6:11: keywords: 5 is not of type 'array'"),
        ("repro: {script: 5}", "Q900001.md:6:17: repro.script: 5 is not of type 'string'"),
    ],
)
def test_wrong_front_matter_values_are_one_located_error_each(tmp_path: Path, line: str, expected: str) -> None:
    lines = ["---", "id: Q900001", "title: t", "product: Exchange Server 5.5", "date: 2026-12-04", "---", "",
             "## Status", "", "x", ""]
    if line.startswith("date:"):
        lines[4] = line
    else:
        lines.insert(5, line)
    path = _write(tmp_path, "\n".join(lines))
    assert _messages(path) == [expected]
    with pytest.raises(LocatedError) as raised:  # loading for render or the site says the same
        load_article(path)
    assert str(raised.value).replace(str(path.parent) + "/", "") == expected


def test_a_placeholder_left_from_kb_new_is_a_warning(tmp_path: Path) -> None:
    text = ARTICLE.replace("## Cause\n", "## Cause\n\n_Explain why it happens._\n")
    (message,) = _messages(_write(tmp_path, text))
    line = text.split("\n").index("_Explain why it happens._") + 1
    assert message == (f"Q900001.md:{line}:1: warning: sections.1.blocks.0: Cause still holds the placeholder text "
                       "of `kb new`; expected the article's own text")


def test_plain_text_drops_table_rules_pipes_and_fences() -> None:
    assert plain_text("| Event | Source |\n|---|:---:|\n| 4120 | MSExchangeIMC |\n```text\nSMTP:x\n```") == (
        "Event Source\n4120 MSExchangeIMC\nSMTP:x")
