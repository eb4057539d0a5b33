"""The terminal search index behind ``kb search``: SQLite FTS5 with bm25 ranking.

Kept at ``<kb root>/.kb/search.sqlite`` and refreshed on every search: records whose stat
signature changed are re-read (only those), removed records are dropped, and the verification
facet follows ``.kb/verify-results.json``. ``kb index`` rebuilds it from scratch.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kb.exceptions import KbError
from kb.site.verification import badge_for, load_results

SCHEMA_VERSION = "2"
#: bm25 column weights: ids, title, body, keywords (the title counts most, KB Q254893 has "NDR"
#: in its title and must outrank articles that only mention it).
WEIGHTS = (5.0, 10.0, 1.0, 2.0)
FACET_KEYS = ("product", "release", "category", "kind", "verification")
_TOKEN = re.compile(r"[\w.]+", re.UNICODE)


class SearchError(KbError):
    """The search index cannot be used (corrupt file, bad query)."""


@dataclass
class Hit:
    """One search result."""

    id: str
    title: str
    date: str
    kind: str
    score: float
    snippet: str

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {"date": self.date, "id": self.id, "kind": self.kind,
                "score": round(self.score, 4), "snippet": self.snippet, "title": self.title}


def index_path(root: Path) -> Path:
    """Return where the search index of the knowledge base at ``root`` lives."""
    return root / ".kb" / "search.sqlite"


def _connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index database with its schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path)
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS records (
                file TEXT PRIMARY KEY, mtime INTEGER, size INTEGER, id TEXT, title TEXT,
                date TEXT, kind TEXT, has_repro INTEGER, doc INTEGER);
            CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
                ids, title, body, keywords, tokenize = 'porter unicode61');
            CREATE TABLE IF NOT EXISTS facets (doc INTEGER, key TEXT, value TEXT COLLATE NOCASE);
            CREATE INDEX IF NOT EXISTS facets_kv ON facets (key, value);
            CREATE INDEX IF NOT EXISTS facets_doc ON facets (doc);
            """
        )
    except sqlite3.DatabaseError as error:
        raise SearchError(f"{path}: cannot open the search index: {error} (run `kb index`)") from error
    return db


def _document(path_text: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """Load one record and return the text and facets to index (runs in worker processes)."""
    from kb.markdown_source import plain_text
    from kb.site.view import summarize
    from kb.store import load_article

    try:
        article = load_article(path_text)
    except KbError as error:
        return path_text, None, str(error)
    summary = summarize(article)
    body: list[str] = []
    for section in article.sections or []:
        if section.heading:
            body.append(section.heading)
        # A Markdown article's blocks are indexed as text (no pipes, fences or emphasis marks).
        body.extend(plain_text(b.text) if b.kind == "markdown" else b.text for b in section.blocks)
    if article.query_words:
        body.append(article.query_words)
    number = article.id.lstrip("Qq")
    events = " ".join(str(e) for e in summary["event_ids"])
    return path_text, {
        "id": article.id, "title": summary["title"], "date": summary["date"],
        "kind": summary["kind"], "has_repro": summary["has_repro"],
        "ids": f"{article.id} {number} {events}".strip(), "body": "\n".join(body),
        "keywords": " ".join(summary["keywords"]),
        "facets": [("product", v) for v in summary["products"]]
        + [("release", v) for v in summary["releases"]]
        + [("category", summary["category"]), ("kind", summary["kind"])],
    }, None


def _documents(paths: list[str]) -> Iterable[tuple[str, dict[str, Any] | None, str | None]]:
    """Yield the documents of ``paths``, loading them in two processes when there are many."""
    if len(paths) < 200:
        yield from map(_document, paths)
        return
    with multiprocessing.get_context("fork").Pool(2) as pool:
        yield from pool.imap(_document, paths, chunksize=64)


def _verify_digest(path: Path) -> str:
    """Return a hash of the verify results file ("" when absent)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def refresh(root: Path, *, force: bool = False) -> dict[str, Any]:
    """Bring the index of ``root/articles`` up to date; return counts of what changed."""
    from kb.site.build import scan_records

    path = index_path(root)
    if force:
        path.unlink(missing_ok=True)
    db = _connect(path)
    try:
        version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version and version[0] != SCHEMA_VERSION:
            db.close()
            path.unlink()
            db = _connect(path)
        # One scandir pass, no pathlib: every search checks every record's signature.
        files = {name: (mtime, size) for name, mtime, size in scan_records(root / "articles")}
        known = {row[0]: row[1:] for row in db.execute("SELECT file, mtime, size, doc FROM records")}
        changed = [str(root / "articles" / name) for name, signature in files.items()
                   if name not in known or known[name][:2] != signature]
        removed = [name for name in known if name not in files]
        errors: list[str] = []
        with db:
            for name in removed + [Path(p).name for p in changed if Path(p).name in known]:
                _drop(db, known[name][2], name)
            for path_text, doc, error in _documents(changed):
                if doc is None:
                    errors.append(error or path_text)
                    continue
                _insert(db, Path(path_text), doc)
            verify_file = root / ".kb" / "verify-results.json"
            digest = _verify_digest(verify_file)
            stored = db.execute("SELECT value FROM meta WHERE key='verify'").fetchone()
            if changed or removed or not stored or stored[0] != digest:
                _refresh_verification(db, load_results(verify_file))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('verify', ?)", (digest,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return {"indexed": len(changed) - len(errors), "removed": len(removed),
                "articles": len(files), "errors": errors}
    finally:
        db.close()


def _drop(db: sqlite3.Connection, doc: int, name: str) -> None:
    """Remove one record's rows."""
    db.execute("DELETE FROM docs WHERE rowid = ?", (doc,))
    db.execute("DELETE FROM facets WHERE doc = ?", (doc,))
    db.execute("DELETE FROM records WHERE file = ?", (name,))


def _insert(db: sqlite3.Connection, file: Path, doc: dict[str, Any]) -> None:
    """Add one record's text, facets and signature."""
    cursor = db.execute("INSERT INTO docs (ids, title, body, keywords) VALUES (?, ?, ?, ?)",
                        (doc["ids"], doc["title"], doc["body"], doc["keywords"]))
    rowid = cursor.lastrowid
    db.executemany("INSERT INTO facets VALUES (?, ?, ?)",
                   [(rowid, key, value) for key, value in doc["facets"] if value])
    st = file.stat()
    db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (file.name, st.st_mtime_ns, st.st_size, doc["id"], doc["title"], doc["date"],
                doc["kind"], int(doc["has_repro"]), rowid))


def _refresh_verification(db: sqlite3.Connection, verify: dict[str, dict[str, Any]]) -> None:
    """Recompute every record's verification facet from the verify results."""
    db.execute("DELETE FROM facets WHERE key = 'verification'")
    rows = db.execute("SELECT doc, id, has_repro FROM records").fetchall()
    db.executemany("INSERT INTO facets VALUES (?, 'verification', ?)", [
        (doc, badge_for(bool(has_repro), (verify.get(article_id) or {}).get("results") or []))
        for doc, article_id, has_repro in rows])


def match_expression(query: str, any_term: bool = False) -> str:
    """Return an FTS5 MATCH expression for free text: every word quoted (no query syntax)."""
    words = [w.strip(".") for w in _TOKEN.findall(query)]
    terms = ['"' + w.replace('"', '""') + '"' for w in words if w]
    return (" OR " if any_term else " ").join(terms)


def search(root: Path, query: str, *, limit: int = 20, filters: dict[str, str] | None = None,
           refresh_index: bool = True) -> list[Hit]:
    """Return the best ``limit`` articles for ``query`` (all words; any word if none match)."""
    if refresh_index:
        refresh(root)
    filters = dict(filters or {})
    if filters.get("release"):
        filters["release"] = _canonical_release(filters["release"])
    db = _connect(index_path(root))
    try:
        for any_term in (False, True):
            expression = match_expression(query, any_term)
            if not expression:
                return []
            hits = _run(db, expression, limit, filters)
            if hits:
                return hits
        return []
    finally:
        db.close()


def _canonical_release(name: str) -> str:
    """Return the catalogue's canonical name for a release alias ("5.5 SP3" spellings)."""
    try:
        from kb.releases import load_catalogue

        found = load_catalogue().find(name)
    except (ImportError, KbError):
        return name
    return found.name if found is not None else name


def _run(db: sqlite3.Connection, expression: str, limit: int, filters: dict[str, str]) -> list[Hit]:
    """Run one MATCH with facet filters, best bm25 first."""
    where = ["docs MATCH ?"]
    params: list[Any] = [expression]
    for key, value in sorted(filters.items()):
        if value:
            where.append("docs.rowid IN (SELECT doc FROM facets WHERE key = ? AND value = ?)")
            params += [key, value]
    weights = ", ".join(str(w) for w in WEIGHTS)
    sql = (
        f"SELECT r.id, r.title, r.date, r.kind, bm25(docs, {weights}) AS score, "
        "snippet(docs, 2, '[', ']', '…', 16) "
        "FROM docs JOIN records r ON r.doc = docs.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY score, r.id LIMIT ?"
    )
    try:
        rows = db.execute(sql, [*params, limit]).fetchall()
    except sqlite3.OperationalError as error:
        raise SearchError(f"search: cannot run {expression!r}: {error}") from error
    return [Hit(i, t, d, k, -s, " ".join(snip.split())) for i, t, d, k, s, snip in rows]


def hits_json(query: str, hits: list[Hit], filters: dict[str, str]) -> str:
    """Return the JSON document ``kb search --json`` prints."""
    return json.dumps({"count": len(hits), "filters": {k: v for k, v in sorted(filters.items()) if v},
                       "query": query, "results": [h.to_json() for h in hits]},
                      indent=2, sort_keys=True, ensure_ascii=False)
