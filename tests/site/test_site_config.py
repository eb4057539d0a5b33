"""Site configuration: title, base URL and description from kb.yaml or [tool.kb], located errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.exceptions import ConfigError
from kb.site import build_site
from kb.site.config import DEFAULT_TITLE, load_site_config


def build(root: Path):
    """Build the site of ``root`` without search."""
    return build_site(root / "articles", root / "site", verify_results=root / ".kb" / "verify-results.json",
                      search=False)


def page(root: Path, path: str) -> str:
    """Return one built page."""
    return (root / "site" / path).read_text(encoding="utf-8")


def test_without_a_configuration_the_defaults_apply(tmp_path: Path) -> None:
    config = load_site_config(tmp_path)
    assert config.title == DEFAULT_TITLE and config.base_url == "" and config.source == ""


def test_kb_yaml_sets_title_description_and_canonical_urls(kb_root: Path) -> None:
    (kb_root / "kb.yaml").write_text("title: Contoso support\nbase_url: https://kb.contoso.test/docs\n"
                                     "description: Fixes that prove themselves.\n", encoding="utf-8")
    build(kb_root)
    article = page(kb_root, "Q254893/index.html")
    assert "<title>Q254893: XFOR: Internet Mail Service Does Not Generate the NDR · Contoso support</title>" in article
    assert '<meta name="description" content="Fixes that prove themselves.">' in article
    assert '<link rel="canonical" href="https://kb.contoso.test/docs/Q254893/">' in article
    assert "<h1>Contoso support</h1>" in page(kb_root, "index.html")
    # The 404 page is served at any address: its links start at the base URL's path.
    assert 'href="/docs/static/site.css"' in page(kb_root, "404.html")


def test_pyproject_tool_kb_is_read_and_kb_yaml_wins_over_it(kb_root: Path) -> None:
    (kb_root / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.kb]\ntitle = "From pyproject"\n',
                                            encoding="utf-8")
    assert load_site_config(kb_root).title == "From pyproject"
    (kb_root / "kb.yaml").write_text("title: From kb.yaml\n", encoding="utf-8")
    assert load_site_config(kb_root).title == "From kb.yaml"


@pytest.mark.parametrize("text, where, message", [
    ("title: Contoso\nbase_url: ftp://kb.contoso.test/\n", "kb.yaml:2", "base_url: got 'ftp://kb.contoso.test/'"),
    ("title: Contoso\ncolour: blue\n", "kb.yaml:2", "unknown key 'colour', expected one of title, base_url"),
    ("title: ['a', 'b']\n", "kb.yaml:1", "title: got ['a', 'b'], expected one line of text"),
    ("title: [unclosed\n", "kb.yaml:2", "invalid YAML"),
])
def test_a_bad_configuration_is_one_located_line_and_exit_1(kb_root: Path, text: str, where: str,
                                                            message: str) -> None:
    (kb_root / "kb.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", "build", str(kb_root / "articles"), "--no-search"])
    assert result.exit_code == 1
    assert result.stderr.startswith(str(kb_root / where) + ": ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_value_in_pyproject_is_located_in_the_tool_kb_table(kb_root: Path) -> None:
    (kb_root / "pyproject.toml").write_text('[tool.other]\nbase_url = 1\n\n[tool.kb]\ntitle = "T"\n'
                                            'base_url = "kb.contoso.test"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_site_config(kb_root)
    assert caught.value.line == 6 and "base_url: got 'kb.contoso.test'" in str(caught.value)


def test_changing_the_title_rerenders_every_page(kb_root: Path) -> None:
    first = build(kb_root)
    (kb_root / "kb.yaml").write_text("title: Renamed\n", encoding="utf-8")
    again = build(kb_root)
    assert (again.rendered_articles, again.rendered_indexes) == (first.articles, first.index_pages)
    assert re.search(r"<title>[^<]*· Renamed</title>", page(kb_root, "Q228998/index.html"))
