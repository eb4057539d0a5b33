"""A native Markdown article in every format: its own bytes, HTML with tables and alerts, text, record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli import cli
from kb.render import render
from kb.render.markdown_body import images, render_html
from kb.store import load_article, load_source

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "markdown"


@pytest.fixture
def kb_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a kb root holding the Markdown fixture article and the shipped Q254893 record."""
    shutil.copytree(FIXTURE, tmp_path / "articles")
    shutil.copy(Path(__file__).resolve().parents[2] / "articles" / "Q254893.yaml", tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_render_md_of_a_markdown_article_gives_back_its_bytes(kb_root: Path) -> None:
    result = CliRunner().invoke(cli, ["render", "Q900001", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (kb_root / "articles" / "Q900001.md").read_bytes()


@pytest.mark.parametrize("variant", [b"\r\n", b"no final newline"])
def test_crlf_files_and_files_without_a_final_newline_come_back_byte_for_byte(kb_root: Path, variant: bytes) -> None:
    path = kb_root / "articles" / "Q900001.md"
    data = path.read_bytes()
    data = data.replace(b"\n", b"\r\n") if variant == b"\r\n" else data.rstrip(b"\n")
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["render", str(path), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == data


def test_render_yaml_and_json_show_the_derived_record(kb_root: Path) -> None:
    record = load_source(kb_root / "articles" / "Q900001.md").record
    runner = CliRunner()
    as_yaml = yaml.safe_load(runner.invoke(cli, ["render", "Q900001", "--format", "yaml"]).stdout)
    as_json = json.loads(runner.invoke(cli, ["render", "Q900001", "--format", "json"]).stdout)
    assert as_yaml == as_json == json.loads(json.dumps(record))
    assert as_json["origin"] == "markdown" and as_json["description"].startswith("Send Again")


def test_html_shows_tables_alerts_code_lists_and_quotes(kb_root: Path) -> None:
    html = str(render(load_article(kb_root / "articles" / "Q900001.md"), "html"))
    assert "<h1>IMS does not send a second NDR for a domain that ends in a space</h1>" in html
    assert "<th>Event ID</th>" in html and "<td>MSExchangeIMC</td>" in html
    assert '<div class="alert alert-note" role="note">\n<p class="alert-title">Note</p>\n' \
           "<p>The first NDR is generated as expected.</p>\n</div>" in html
    assert '<div class="alert alert-warning" role="note">' in html and "[!WARNING]" not in html
    assert "<blockquote>\n<p>A plain quotation stays a quotation.</p>\n</blockquote>" in html
    assert '<code class="language-text">SMTP:joeuser@invaliddomain.com \n</code>' in html
    assert "<ol>" in html and "<li>Obtain the latest service pack.</li>" in html
    assert '<img src="images/flow.png" alt="Send Again flow" />' in html


def test_links_to_articles_resolve_through_the_link_function() -> None:
    html = render_html("[a](Q254893.md) [b](Q254893#cause) [c](./Q111111.md) [d](https://example.com/Q1.md)",
                       lambda ident: f"../{ident}/index.html" if ident == "Q254893" else None)
    assert '<a href="../Q254893/index.html">a</a>' in html
    assert '<a href="../Q254893/index.html#cause">b</a>' in html
    assert '<a class="ref-missing" title="not in this knowledge base">c</a>' in html
    assert '<a href="https://example.com/Q1.md">d</a>' in html


def test_raw_html_in_an_article_stays_text() -> None:
    html = render_html("<script>alert(1)</script> and <b>bold</b>", None)
    assert "<script>" not in html and "<b>" not in html and html.count("&lt;") == 4


def test_an_alert_marker_alone_on_its_line_leaves_no_empty_paragraph() -> None:
    html = render_html("> [!TIP]\n> Keep a copy.", None)
    assert html == '<div class="alert alert-tip" role="note">\n<p class="alert-title">Tip</p>\n<p>Keep a copy.</p>\n</div>\n'


def test_an_alert_with_text_on_the_marker_line_keeps_it() -> None:
    html = render_html("> [!IMPORTANT] Restart the IMS.", None)
    assert '<p class="alert-title">Important</p>\n<p>Restart the IMS.</p>' in html


def test_txt_is_plain_text_under_ruled_headings(kb_root: Path) -> None:
    text = render(load_article(kb_root / "articles" / "Q900001.md"), "txt")
    assert isinstance(text, str)
    assert text.startswith("Q900001: IMS does not send a second NDR")
    assert "\nSYMPTOMS\n========\n\n" in text and "| 4120 | MSExchangeIMC |" in text
    assert "---" not in text.split("\n")[0:3]  # no front matter


def test_images_lists_relative_images_only() -> None:
    from kb.store import article_of

    article = article_of({"origin": "markdown", "id": "Q900001", "title": "t", "date": "2026-01-01",
                          "product": "p", "keywords": [], "applies_to": [], "status": None, "sections": [
                              {"heading": "A", "line": 1, "blocks": [{"kind": "markdown", "line": 2, "text":
                               "![a](images/a.png) ![b](https://x/b.png) ![c](../c.png) ![d](/d.png) ![a](images/a.png)"}]}]})
    assert list(images(article)) == ["images/a.png"]
