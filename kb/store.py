"""Article records: Article <-> record dict, atomic dump, and the one article loader.

One file per article: ``articles/QNNNNNN.yaml`` (a record, written and read by ``kb.yaml_text``)
or ``articles/QNNNNNN.md`` (a native Markdown article whose record is derived from it by
kb.markdown_source). Every command finds and loads articles through ``ARTICLE_SUFFIXES``,
``article_files``, ``load_source`` and ``load_article`` here, so both kinds are taken
everywhere. Loading YAML is always ``yaml.CSafeLoader`` (no object construction), size-limited
and alias-free, and goes through the compiled record cache (kb.record_cache): a file whose
bytes were parsed before is not parsed again. ``load_all``
loads a whole folder, parsing what the cache does not hold in worker processes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kb.exceptions import KbError, RecordError
from kb.files import read_bounded, write_atomic
from kb.resolve import RECORDS, suffixes
from kb.yaml_text import dumps, loads
from kb.model import (
    AppliesTo,
    Article,
    Block,
    EVENT_LOG_FIELDS,
    Download,
    EventLogEntry,
    FooterField,
    Layout,
    Notice,
    Reference,
    Section,
    Source,
)

#: The one size limit of a record, shared by import (source and record) and load.
MAX_RECORD_BYTES = 4 * 1024 * 1024
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "id", "title", "title_prefix", "date", "category", "product", "prod_ver", "oper_sys", "keywords",
    "applies_to", "sections", "references", "event_log", "downloads", "query_words", "footer", "notice",
    "status", "repro", "source", "layout", "origin", "description",
)  # fmt: skip
#: File name endings of native Markdown articles; the rest of kb.resolve's "record" kind are YAML records.
MARKDOWN_SUFFIXES: tuple[str, ...] = (".md",)
#: Every file name ending a stored article may have: kb.resolve's table, the one list all loaders use.
ARTICLE_SUFFIXES: tuple[str, ...] = suffixes(RECORDS)
RECORD_SUFFIXES: tuple[str, ...] = tuple(s for s in ARTICLE_SUFFIXES if s not in MARKDOWN_SUFFIXES)
_EVENT_FIELDS = tuple(name for name, _ in EVENT_LOG_FIELDS)

# --------------------------------------------------------------------------------------------
# Article <-> record dict


def _applies_to_dict(item: AppliesTo) -> dict[str, Any]:
    """Return the record dict of one applies-to item."""
    out: dict[str, Any] = {
        "line": item.line,
        "text": item.text,
        "product": item.product,
        "versions": list(item.versions),
        "children": [_applies_to_dict(child) for child in item.children],
    }
    if not item.trailing_space:
        out["trailing_space"] = False
    return out


def _block_dict(block: Block) -> dict[str, Any]:
    """Return the record dict of one block (blank_before only when not 1)."""
    out: dict[str, Any] = {"kind": block.kind, "line": block.line}
    if block.blank_before != 1:
        out["blank_before"] = block.blank_before
    out["text"] = block.text
    return out


def _section_dict(section: Section) -> dict[str, Any]:
    """Return the record dict of one section."""
    out: dict[str, Any] = {"heading": section.heading, "line": section.line}
    if section.heading is not None and section.blank_before != 1:
        out["blank_before"] = section.blank_before
    out["blocks"] = [_block_dict(block) for block in section.blocks]
    return out


def _event_dict(entry: EventLogEntry) -> dict[str, Any]:
    """Return the record dict of one event-log entry, without unread fields."""
    out: dict[str, Any] = {"line": entry.line}
    for name in _EVENT_FIELDS:
        value = getattr(entry, name)
        if value is not None:
            out[name] = value
    return out


def _layout_dict(layout: Layout) -> dict[str, Any]:
    """Return the layout fields that differ from the defaults (header_keywords always)."""
    default = Layout()
    out: dict[str, Any] = {"header_keywords": layout.header_keywords}
    for name in (
        "header_title", "top_rule", "preamble", "applies_to_rule", "applies_to_lines", "body_tail_blanks",
        "aqw_blanks_after", "aqw_line", "footer_lines", "trailer_lines",
    ):  # fmt: skip
        value = getattr(layout, name)
        if value != getattr(default, name):
            out[name] = list(value) if isinstance(value, list) else value
    return out


def _contents_dict(article: Article) -> dict[str, Any]:
    """Return what every article's record holds of its text: applies-to, sections, references."""
    return {
        "applies_to": None if article.applies_to is None else [_applies_to_dict(i) for i in article.applies_to],
        "sections": [_section_dict(section) for section in article.sections],
        "references": [{"id": r.id, "title": r.title, "line": r.line} for r in article.references],
    }


def _source_dict(article: Article) -> dict[str, Any]:
    """Return the record's ``source`` block: the file the article was read from and its hash."""
    source = article.source
    return {"file": source.file, "encoding": source.encoding, "line_endings": source.line_endings,
            "sha256": source.sha256}


def _markdown_record_of(article: Article) -> dict[str, Any]:
    """Return the record of a native Markdown article: what every article has, no classic layout."""
    out: dict[str, Any] = {"origin": "markdown", "id": article.id, "title": article.title}
    if article.description is not None:
        out["description"] = article.description
    out.update({
        "date": article.date.isoformat(),
        "category": article.category,
        "product": article.product,
        "keywords": list(article.keywords),
        **_contents_dict(article),
        "status": article.status,
        "repro": article.repro,
        "source": _source_dict(article),
    })
    return out


def record_of(article: Article) -> dict[str, Any]:
    """Return the record dict of ``article`` in the stable key order of the YAML file."""
    if article.origin == "markdown":
        return _markdown_record_of(article)
    return {
        "id": article.id,
        "title": article.title,
        "title_prefix": article.title_prefix,
        "date": article.date.isoformat(),
        "category": article.category,
        "product": article.product,
        "prod_ver": article.prod_ver,
        "oper_sys": article.oper_sys,
        "keywords": list(article.keywords),
        **_contents_dict(article),
        "event_log": [_event_dict(entry) for entry in article.event_log],
        "downloads": [{"line": d.line, "arch": d.arch, "file": d.file, "url": d.url} for d in article.downloads],
        "query_words": article.query_words,
        "footer": None if article.footer is None else [{"key": f.key, "value": f.value, "line": f.line} for f in article.footer],
        "notice": None if article.notice is None else {"kind": article.notice.kind, "year": article.notice.year},
        "status": article.status,
        "repro": article.repro,
        "source": _source_dict(article),
        "layout": _layout_dict(article.layout),
    }


def _applies_to_of(data: dict[str, Any]) -> AppliesTo:
    """Return the AppliesTo of a record dict."""
    return AppliesTo(
        line=data["line"],
        text=data["text"],
        product=data.get("product", ""),
        versions=list(data.get("versions") or []),
        children=[_applies_to_of(child) for child in data.get("children") or []],
        trailing_space=data.get("trailing_space", True),
    )


def article_of(record: dict[str, Any]) -> Article:
    """Return the Article of a schema-valid record dict."""
    layout = Layout(**record.get("layout", {}))
    return Article(
        id=record["id"],
        title=record["title"],
        title_prefix=record.get("title_prefix"),
        date=dt.date.fromisoformat(record["date"]),
        category=record.get("category", ""),
        product=record["product"],
        prod_ver=record.get("prod_ver", ""),
        oper_sys=record.get("oper_sys", ""),
        keywords=list(record.get("keywords") or []),
        applies_to=None
        if record.get("applies_to") is None
        else [_applies_to_of(item) for item in record["applies_to"]],
        sections=[
            Section(
                heading=s.get("heading"),
                line=s["line"],
                blank_before=s.get("blank_before", 1),
                blocks=[
                    Block(kind=b["kind"], line=b["line"], text=b["text"], blank_before=b.get("blank_before", 1))
                    for b in s.get("blocks") or []
                ],
            )
            for s in record.get("sections") or []
        ],
        references=[Reference(id=r["id"], title=r["title"], line=r["line"]) for r in record.get("references") or []],
        event_log=[
            EventLogEntry(line=e["line"], **{k: e.get(k) for k in _EVENT_FIELDS}) for e in record.get("event_log") or []
        ],
        downloads=[
            Download(line=d["line"], arch=d.get("arch"), file=d["file"], url=d.get("url"))
            for d in record.get("downloads") or []
        ],
        query_words=record.get("query_words"),
        footer=None
        if record.get("footer") is None
        else [FooterField(key=f["key"], value=f["value"], line=f["line"]) for f in record["footer"]],
        notice=None if record.get("notice") is None else Notice(**record["notice"]),
        status=record.get("status"),
        repro=record.get("repro"),
        source=Source(**record["source"]) if "source" in record else Source(file=""),
        layout=layout,
        origin=record.get("origin", "classic"),
        description=record.get("description"),
    )


def dump_article(article: Article, path: str | os.PathLike[str]) -> None:
    """Write ``article`` to ``path`` atomically (a temporary file, then os.replace)."""
    write_atomic(Path(path), dumps(record_of(article)).encode("utf-8"))


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read an article file's bytes, refusing files over the size limit and odd files (FIFOs, devices)."""
    if not os.path.lexists(path):
        raise RecordError(str(path), None, "no such record file")
    return read_bounded(path, MAX_RECORD_BYTES, RecordError, "a .yaml record or a .md article")


def decode(data: bytes, path: str | os.PathLike[str]) -> str:
    """Return an article file's bytes as text; RecordError at the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise RecordError(str(path), line, f"record is not UTF-8 (byte 0x{data[error.start]:02x})") from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a record file's text, refusing files over the size limit, odd files (FIFOs, devices) or not UTF-8."""
    return decode(read_bytes(path), path)


def is_article_name(name: str) -> bool:
    """Tell whether a file name is an article's (``Q1.yaml``, ``Q1.yml``, ``Q900001.md``; not ``.yaml``, ``notes.md``)."""
    from kb.resolve import is_article_name as named

    return named(name, RECORDS)


def is_markdown(path: str | os.PathLike[str]) -> bool:
    """Tell whether ``path`` names a native Markdown article."""
    return str(path).lower().endswith(MARKDOWN_SUFFIXES)


def article_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Return the article files (records and Markdown articles) of ``folder``, sorted by name."""
    folder = Path(folder)
    with os.scandir(folder) as scan:
        names = sorted(e.name for e in scan if is_article_name(e.name) and e.is_file())
    return [folder / name for name in names]


def find_article(folder: str | os.PathLike[str], article_id: str) -> Path | None:
    """Return the file of article ``article_id`` in ``folder`` (any suffix), or None."""
    for suffix in ARTICLE_SUFFIXES:
        path = Path(folder) / f"{article_id}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass
class Loaded:
    """One article file read: its record dict, its text, and where its fields are in that text."""

    path: str
    text: str
    record: dict[str, Any]
    locator: Any  # kb.schema.Locator or kb.markdown_source.MarkdownLocator

    def article(self) -> Article:
        """Return the Article of the (schema-valid) record, with a Markdown article's text."""
        try:
            article = article_of(self.record)
        except ValueError:  # the one value the schema lets through that cannot be built
            where = ("date",)
            raise RecordError(self.path, self.locator.line(where), f"date: invalid date {self.record.get('date')!r}, "
                              "expected a real YYYY-MM-DD date", column=self.locator.column(where)) from None
        if article.origin == "markdown":
            article.markdown = self.text
        return article


def load_source(path: str | os.PathLike[str]) -> Loaded:
    """Read one article file of either kind; raises RecordError located in that file.

    The record comes from the compiled record cache (kb.record_cache) when these bytes were
    parsed before; a ``.md`` article's record is derived from it, never written beside it.
    """
    name = str(path)
    data = read_bytes(path)
    text = decode(data, name)
    if is_markdown(path):
        from kb.markdown_source import derive

        derived = derive(text, name, data)
        return Loaded(name, text, derived.record, derived.locator)
    from kb.located import Locator

    return Loaded(name, text, cached_record(name, data, text), Locator(text))


def cached_record(path: str, data: bytes, text: str,
                  check: Callable[[dict[str, Any], str, str], None] | None = None) -> dict[str, Any]:
    """Return the record of a YAML record file (``data``, decoded as ``text``) through the record cache.

    ``check(record, path, text)``, when given, raises for a record that must not be used; a
    record that passed it once is not checked again (the cache's key covers the check's code).
    """
    from kb.record_cache import cached

    return cached(path, data, lambda: loads(text, path),
                  None if check is None else lambda record: check(record, path, text))


def load_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load an article file as a plain record dict (safe, size-limited, no aliases); not schema-checked."""
    return load_source(path).record


def load_article(path: str | os.PathLike[str]) -> Article:
    """Load and check an article file of either kind (schema, id rule, real date); raises RecordError or SchemaError, located."""
    from kb.publish import load_publishable  # schema imports store; keep the cycle lazy

    return load_publishable(path)


def load_articles(folder: str | os.PathLike[str]) -> list[Article]:
    """Load every article of ``folder`` (records and Markdown articles), sorted by id."""
    articles = [load_article(path) for path in article_files(folder)]
    return sorted(articles, key=lambda article: (len(article.id), article.id))


def load_all(folder: str | os.PathLike[str], *, jobs: int | None = None
             ) -> Iterator[tuple[Path, Article | None, str | None]]:
    """Yield (path, article, None) or (path, None, error line) for every article file of ``folder``, by name.

    Articles load through the record cache (kb.record_cache) and pass the publish check
    (kb.publish). The files the cache does not know yet are parsed first in ``jobs`` worker
    processes (default: all cores); then each article is read from the cache, here, in order.
    """
    from kb.publish import load_publishable

    paths = article_files(folder)
    _parse_uncached(paths, jobs)
    for path in paths:
        try:
            yield path, load_publishable(path), None
        except KbError as error:
            yield path, None, str(error)
        except OSError as error:
            yield path, None, f"{path}: cannot read: {error.strerror or error}"
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            yield path, None, f"{path}: cannot load: {type(error).__name__}: {error}"


def _parse_uncached(paths: list[Path], jobs: int | None) -> None:
    """Parse, in worker processes, the article files the record cache does not hold yet."""
    from kb.commands.options import jobs_for
    from kb import record_cache

    root = record_cache.root_of(paths[0]) if paths else None
    if root is None or jobs_for(jobs) < 2:
        return
    store = record_cache.open_for(root)
    missing = []
    for path in paths:
        try:
            if not store.has(record_cache.key_of(path.name, read_bytes(path))):
                missing.append(str(path))
        except KbError:
            continue  # reported, located, when the article is loaded
    workers = jobs_for(jobs, len(missing) // _PARSE_CHUNK)
    if workers < 2:
        return
    for _ in record_cache.in_workers(_parse_one, missing, workers, _PARSE_CHUNK, ordered=False):
        pass
    record_cache.forget(root)  # read the workers' entries


#: Files a worker parses at a time; fewer than two chunks of files to parse are parsed in the caller.
_PARSE_CHUNK = 64


def _parse_one(path: str) -> None:
    """Load one article into the record cache (in a worker); its errors are reported when it is loaded again."""
    from kb.publish import load_publishable

    try:
        load_publishable(path)
    except (KbError, OSError, ValueError, TypeError, AttributeError, KeyError):
        pass


def record_paths(sources: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders into the list of article files (``.yaml``, ``.md``), sorted."""
    paths: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            # Odd entries with a record's name (a FIFO, a dangling link, a loop) are kept so that
            # reading them reports each one as a located line; they are never opened.
            paths.extend(sorted(p for p in source.iterdir() if is_article_name(p.name)
                                and (p.is_file() or not p.is_dir())))
        else:
            paths.append(source)
    return paths
