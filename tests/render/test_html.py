"""HTML rendering: a valid standalone document, a reusable fragment, no markup from article text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from render_helpers import GOLDEN, make_article, section

from kb.model import Article
from kb.render import render, render_html_fragment
from kb.render.html import render_html

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TagChecker(HTMLParser):
    """Record structure problems: unbalanced tags, and every tag and declaration seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.declarations: list[str] = []
        self.attributes: dict[str, dict[str, str | None]] = {}

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.setdefault(tag, dict(attrs))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.setdefault(tag, dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def check(document: str) -> TagChecker:
    """Parse ``document`` and return the checker (problems and unclosed tags included)."""
    checker = TagChecker()
    checker.feed(document)
    checker.close()
    return checker


def test_q254893_renders_exactly_as_the_reviewed_golden_html(q254893: Article) -> None:
    assert render_html(q254893) == (GOLDEN / "Q254893.html").read_text(encoding="utf-8")


def test_the_standalone_document_is_valid_html5(q254893: Article) -> None:
    document = render(q254893, "html")
    assert isinstance(document, str) and document.startswith("<!doctype html>\n")
    checker = check(document)
    assert checker.problems == [] and checker.stack == []
    assert checker.declarations == ["doctype html"]
    assert [tag for tag in checker.tags if tag in ("html", "head", "body", "title", "main", "h1")] == ["html", "head", "title", "body", "main", "h1"]
    assert checker.attributes["html"] == {"lang": "en"}
    assert checker.attributes["meta"] == {"charset": "utf-8"}
    assert "<title>Q254893: XFOR: Internet Mail Service Does Not Generate the NDR</title>" in document


def test_the_event_log_references_and_downloads_become_table_and_links(q254893: Article) -> None:
    fragment = render_html_fragment(q254893)
    assert fragment.count("<table>") == 1 and "<td>MSExchangeIMC</td>" in fragment
    assert '<a href="Q191914.html">Q191914</a> XGEN: How to Obtain the Latest Exchange Server 5.5 Service Pack' in fragment
    assert '<a href="http://www.microsoft.com/downloads/release.asp?ReleaseID=25443">Q248838engi.exe</a>' in fragment


def test_the_fragment_has_no_document_wrapper_and_takes_the_site_link_function(q254893: Article) -> None:
    fragment = render_html_fragment(q254893, link=lambda qid: f"../{qid}/")
    assert "<html" not in fragment and "<head" not in fragment and fragment.startswith("<h1>")
    assert '<a href="../Q191914/">Q191914</a>' in fragment
    checker = check(fragment)
    assert checker.problems == [] and checker.stack == []


def test_script_and_markup_in_article_text_never_reach_the_html() -> None:
    hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)> [a](javascript:alert(1))'
    article = make_article(
        section("<script>bad()</script>", ("paragraph", hostile), ("literal", "   <script>in code</script>")),
        title='</title><script>alert("t")</script>',
        keywords=["<script>"],
        query_words="<iframe src=x>",
    )
    document = render_html(article)
    checker = check(document)
    assert "script" not in checker.tags and "img" not in checker.tags and "iframe" not in checker.tags
    assert "javascript:" not in str(checker.attributes) and 'href="javascript' not in document
    assert checker.problems == [] and checker.stack == []
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in document or "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in document


def test_a_title_is_escaped_in_the_head_too() -> None:
    document = render_html(make_article(title="A & B <c>"))
    assert "<title>Q100001: XGEN: A &amp; B &lt;c&gt;</title>" in document


def test_a_fragment_without_header_starts_at_the_first_section(q254893: Article) -> None:
    fragment = render_html_fragment(q254893, link=lambda qid: f"../{qid}/", header=False)
    assert fragment.startswith("<h2>Symptoms</h2>") and "<h1>" not in fragment and "Published" not in fragment
    assert "<strong>Keywords:</strong>" in fragment


def test_every_tenth_corpus_article_renders_to_balanced_html_with_only_markdown_tags(corpus: Path) -> None:
    from kb.text import parse

    allowed = {"html", "head", "meta", "title", "style", "body", "main", "article", "h1", "h2", "h3", "p", "ul", "ol", "li",
               "strong", "a", "code", "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "hr"}
    files = sorted(corpus.rglob("*.TXT"))[::10]
    assert files
    for path in files:
        checker = check(render_html(parse(path.read_bytes(), str(path))))
        assert checker.problems == [] and checker.stack == [], path
        assert set(checker.tags) <= allowed, (path, set(checker.tags) - allowed)


def test_a_classic_article_full_of_markup_characters_shows_them_all_literally() -> None:
    import html as html_module
    import re

    from render_helpers import FIXTURES

    from kb.text import parse

    path = FIXTURES / "Q100002.TXT"
    article = parse(path.read_bytes(), str(path))
    document = render_html(article)
    checker = check(document)
    assert checker.problems == [] and checker.stack == []
    assert not {"script", "img", "em", "html", "body"} & set(checker.tags[checker.tags.index("article"):])
    assert "javascript:" not in str(checker.attributes)
    visible = html_module.unescape(re.sub(r"<[^>]+>", "", document))
    flat = re.sub(r"\s+", " ", visible)
    for text in (
        "OLE Attachment Replaced with <<.>> in *Bold* Mail",
        "When a message is sent to <local_domain.ext>,",
        'Replaced with <<.>>" and files such as EDB*.LOG or *.* are listed. A _private_ flag, a **note**, a `tick`, [a link](javascript:alert(1)) and &amp; appear',
        '<script>alert("x")</script> <img src=x onerror=alert(1)>',
        "# This line starts with a hash.",
        r"The path \\server\share\ and C:\EXCHSRVR\IMCDATA\ are shown as written.",
        '<html><body onload="alert(1)">literal</body></html> | not | a | table |',
        "Q191914 XGEN: How to Obtain the <Latest> Service Pack",
    ):
        assert text in flat, text
    assert "<h1>" in document and document.count("<ol>") == 1  # the numbered line is a list
