"""The terminal search index behind ``kb search``: SQLite FTS5 with bm25 ranking.

Kept at ``<kb root>/.kb/search.sqlite``. Each search first checks that the index is fresh, in
two ``stat`` calls at any size: the articles folder's signature (a record added, removed or
saved the way kb and most editors save, through a rename, changes the folder's mtime) and the
verify results file's. Only when either changed, or ``RESCAN_SECONDS`` after the last full
check (to catch a record edited in place), are the records' own stat signatures compared, and
only the records whose signature changed are read again. ``kb index`` rebuilds it from
scratch: records load in worker processes, rows go in one transaction into a new file that
replaces the old one, and FTS5 ``optimize`` merges the index into one segment.

A query ranks its matches by bm25 without building any snippet, joins only the best few to
their records, and snippets only the hits it returns: a word in every article ("the") costs
a pass over its postings, not a snippet per article.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from kb.exceptions import KbError, NotFoundError

SCHEMA_VERSION = "3"
#: bm25 column weights: ids, title, body, keywords (the title counts most, KB Q254893 has "NDR"
#: in its title and must outrank articles that only mention it).
WEIGHTS = (5.0, 10.0, 1.0, 2.0)
FACET_KEYS = ("product", "release", "category", "kind", "verification")
#: A record edited in place (not through a rename) leaves its folder's mtime alone: the
#: records' own signatures are compared at least this often.
RESCAN_SECONDS = 60.0
#: A signature younger than this may hide a second change in the same clock tick (the
#: "racy git" problem): it is not trusted, so the next search checks the records again.
RACY_SECONDS = 2.0
#: Matches ranked before the tie-break by id, per result asked for; more ties than that and
#: the query ranks every match (exact either way).
CANDIDATES_PER_HIT = 4
#: Records a worker process loads at a time; fewer than two chunks load in the process itself.
PARALLEL_CHUNK = 128
_TOKEN = re.compile(r"[\w.]+", re.UNICODE)


#: Told (records done, records to do) as an index is built.
Progress = Callable[[int, int], None]


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


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS records (
    file TEXT PRIMARY KEY, mtime INTEGER, size INTEGER, id TEXT, title TEXT,
    date TEXT, kind TEXT, has_repro INTEGER, doc INTEGER UNIQUE);
CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
    ids, title, body, keywords, tokenize = 'porter unicode61');
CREATE TABLE IF NOT EXISTS facets (doc INTEGER, key TEXT, value TEXT COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS facets_kv ON facets (key, value);
CREATE INDEX IF NOT EXISTS facets_doc ON facets (doc);
"""


def _connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the index database with its schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path)
        if create:
            db.executescript(_SCHEMA)
    except sqlite3.DatabaseError as error:
        raise SearchError(f"{path}: cannot open the search index: {error} (run `kb index`)") from error
    return db


def _document(path_text: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """Load one record and return the text and facets to index (runs in worker processes).

    The record is loaded as the site build loads it: the JSON Schema pass runs only for a
    record that does not build (``kb validate`` is the command that checks records).
    """
    from kb.markdown_source import plain_text
    from kb.render.batch import load
    from kb.site.view import summarize

    try:
        st = os.stat(path_text)
        article = load(Path(path_text))
    except KbError as error:
        return path_text, None, str(error)
    except OSError as error:
        return path_text, None, f"{path_text}: cannot read: {error.strerror}"
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        from kb.render.batch import schema_check

        try:
            schema_check(Path(path_text))
        except KbError as located:
            return path_text, None, str(located)
        return path_text, None, f"{path_text}: cannot index: {type(error).__name__}: {error}"
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
        "mtime": st.st_mtime_ns, "size": st.st_size,
        "ids": f"{article.id} {number} {events}".strip(), "body": "\n".join(body),
        "keywords": " ".join(summary["keywords"]),
        "facets": [("product", v) for v in summary["products"]]
        + [("release", v) for v in summary["releases"]]
        + [("category", summary["category"]), ("kind", summary["kind"])],
    }, None


def _documents(root: Path, paths: list[str], jobs: int | None = None
               ) -> Iterable[tuple[str, dict[str, Any] | None, str | None]]:
    """Yield the documents of ``paths``, loading them in ``jobs`` worker processes when there are many."""
    from kb.commands.options import jobs_for

    workers = jobs_for(jobs, len(paths) // PARALLEL_CHUNK)
    if workers < 2:
        yield from map(_document, paths)
        return
    from kb import record_cache

    record_cache.open_for(root)  # read the cache's index once; the forked workers share it
    yield from record_cache.in_workers(_document, paths, workers, PARALLEL_CHUNK)


def _signature(path: Path) -> str:
    """Return a file's or folder's stat signature ("" when absent)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def _trusted(signature: str, now: float) -> str:
    """Return ``signature``, or "" when it is too recent to rule out a change in the same tick."""
    if not signature:
        return signature  # an absent file stays absent until it is written
    mtime = int(signature.split(":")[1]) / 1e9
    return signature if now - mtime >= RACY_SECONDS else ""


def _meta(db: sqlite3.Connection, path: Path) -> dict[str, str]:
    """Return the index's meta table."""
    try:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as error:
        raise SearchError(f"{path}: cannot open the search index: {error} (run `kb index`)") from error


def refresh(root: Path, *, force: bool = False, jobs: int | None = None,
            progress: Progress | None = None) -> dict[str, Any]:
    """Bring the index of ``root/articles`` up to date; return counts of what changed.

    ``force`` rebuilds it from scratch. Without it, nothing is read when neither the articles
    folder nor the verify results changed since the last check (see the module docstring).
    Records load in ``jobs`` worker processes (default: all cores) when there are many;
    ``progress(done, total)`` is told as records are indexed.
    """
    path = index_path(root)
    folder = root / "articles"
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such articles folder")
    now = time.time()
    folder_sig = _signature(folder)
    verify_file = root / ".kb" / "verify-results.json"
    verify_sig = _signature(verify_file)
    if force or not path.is_file():
        return _rebuild(root, path, now, folder_sig, verify_sig, jobs, progress)
    db = _connect(path, create=False)
    try:
        meta = _meta(db, path)
        if meta.get("schema") != SCHEMA_VERSION:
            db.close()
            return _rebuild(root, path, now, folder_sig, verify_sig, jobs, progress)
        if (meta.get("folder") == folder_sig and meta.get("verify") == verify_sig
                and now - float(meta.get("scanned") or 0) < RESCAN_SECONDS):
            return {"indexed": 0, "removed": 0, "articles": int(meta.get("articles") or 0), "errors": []}
        return _update(db, root, meta, now, folder_sig, verify_sig, jobs, progress)
    finally:
        db.close()


def _rebuild(root: Path, path: Path, now: float, folder_sig: str, verify_sig: str,
             jobs: int | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Index every record into a new file and swap it in (a search meanwhile sees the old one).

    Then the record cache is compacted: what the workers parsed becomes one pack, and the
    entries of records no longer there are dropped.
    """
    from kb import record_cache

    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    db = _connect(fresh)
    try:
        # A file nobody reads until it is complete and renamed: no journal to keep.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        counts = _update(db, root, {}, now, folder_sig, verify_sig, jobs, progress)
        db.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        db.commit()
    except BaseException:
        db.close()
        fresh.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(fresh, path)
    record_cache.compact(root)
    return counts


def _update(db: sqlite3.Connection, root: Path, meta: dict[str, str], now: float,
            folder_sig: str, verify_sig: str, jobs: int | None = None,
            progress: Progress | None = None) -> dict[str, Any]:
    """Compare every record's stat signature with the index and re-read those that changed."""
    from kb.site.records import scan_records
    from kb.site.verification import load_results

    files = {name: (mtime, size) for name, mtime, size in scan_records(root / "articles")}
    known = {row[0]: row[1:] for row in db.execute("SELECT file, mtime, size, doc FROM records")}
    # Plain strings, not Path objects: at 57,000 records Path joins alone cost a second.
    changed_names = [name for name, signature in files.items()
                     if name not in known or known[name][:2] != signature]
    folder = os.path.join(str(root), "articles")
    changed = [os.path.join(folder, name) for name in changed_names]
    removed = [name for name in known if name not in files]
    errors: list[str] = []
    with db:
        for name in removed + [name for name in changed_names if name in known]:
            _drop(db, known[name][2], name)
        _insert_all(db, _documents(root, changed, jobs), errors, progress, len(changed))
        verify_file = root / ".kb" / "verify-results.json"
        if changed or removed or meta.get("verify") != verify_sig:
            _refresh_verification(db, load_results(verify_file))
        kept = {"schema": SCHEMA_VERSION, "articles": str(len(files)), "scanned": repr(now),
                "folder": _trusted(folder_sig, now), "verify": _trusted(verify_sig, now)}
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(kept.items()))
    return {"indexed": len(changed) - len(errors), "removed": len(removed),
            "articles": len(files), "errors": errors}


def _insert_all(db: sqlite3.Connection, documents: Iterable[tuple[str, dict[str, Any] | None, str | None]],
                errors: list[str], progress: Progress | None = None, total: int = 0) -> None:
    """Insert documents in batches (one statement per table per batch), telling ``progress``."""
    batch: list[tuple[str, dict[str, Any]]] = []
    done = 0
    for path_text, doc, error in documents:
        done += 1
        if doc is None:
            errors.append(error or path_text)
            continue
        batch.append((path_text, doc))
        if len(batch) >= 512:
            _insert_batch(db, batch)
            batch = []
            if progress is not None:
                progress(done, total)
    if batch:
        _insert_batch(db, batch)
    if progress is not None and total:
        progress(done, total)


def _drop(db: sqlite3.Connection, doc: int, name: str) -> None:
    """Remove one record's rows."""
    db.execute("DELETE FROM docs WHERE rowid = ?", (doc,))
    db.execute("DELETE FROM facets WHERE doc = ?", (doc,))
    db.execute("DELETE FROM records WHERE file = ?", (name,))


def _insert_batch(db: sqlite3.Connection, batch: list[tuple[str, dict[str, Any]]]) -> None:
    """Add some records' text, facets and signatures."""
    start = (db.execute("SELECT max(rowid) FROM docs").fetchone()[0] or 0) + 1
    rows = list(enumerate(batch, start))
    db.executemany("INSERT INTO docs (rowid, ids, title, body, keywords) VALUES (?, ?, ?, ?, ?)",
                   [(n, d["ids"], d["title"], d["body"], d["keywords"]) for n, (_, d) in rows])
    db.executemany("INSERT INTO facets VALUES (?, ?, ?)",
                   [(n, key, value) for n, (_, d) in rows for key, value in d["facets"] if value])
    db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(os.path.basename(p), d["mtime"], d["size"], d["id"], d["title"], d["date"], d["kind"],
                     int(d["has_repro"]), n) for n, (p, d) in rows])


def _refresh_verification(db: sqlite3.Connection, verify: dict[str, dict[str, Any]]) -> None:
    """Recompute every record's verification facet from the verify results."""
    from kb.site.verification import badge_for

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
    db = _connect(index_path(root), create=False)
    try:
        release = filters.get("release")
        # A release named as the index names it needs no catalogue (a YAML load) to resolve.
        if release and not _has_release(db, release):
            filters["release"] = _canonical_release(release)
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


def _has_release(db: sqlite3.Connection, name: str) -> bool:
    """Tell whether the index has articles under exactly this release name."""
    try:
        return db.execute("SELECT 1 FROM facets WHERE key = 'release' AND value = ? LIMIT 1",
                          (name,)).fetchone() is not None
    except sqlite3.DatabaseError as error:
        raise SearchError(f"cannot read the search index: {error} (run `kb index`)") from error


def _canonical_release(name: str) -> str:
    """Return the catalogue's canonical name for a release alias ("5.5 SP3" spellings)."""
    try:
        from kb.releases import load_catalogue

        found = load_catalogue().find(name)
    except (ImportError, KbError):
        return name
    return found.name if found is not None else name


def _run(db: sqlite3.Connection, expression: str, limit: int, filters: dict[str, str]) -> list[Hit]:
    """Run one MATCH with facet filters: best bm25 first (ties by id), snippets for the hits only."""
    where = ["docs MATCH ?"]
    params: list[Any] = [expression]
    for key, value in sorted(filters.items()):
        if value:
            # The unary + keeps FTS5 from taking the list as rowid lookups, one MATCH each.
            where.append("+docs.rowid IN (SELECT doc FROM facets WHERE key = ? AND value = ?)")
            params += [key, value]
    weights = ", ".join(str(w) for w in WEIGHTS)
    ranked = f"SELECT docs.rowid AS doc, bm25(docs, {weights}) AS score FROM docs WHERE {' AND '.join(where)}"
    joined = ("SELECT r.id, r.title, r.date, r.kind, c.score, c.doc FROM ({}) c "
              "JOIN records r ON r.doc = c.doc ORDER BY c.score, r.id LIMIT ?")
    bound = limit * CANDIDATES_PER_HIT
    try:
        # The best few by bm25 alone, then the tie-break by id among them. Exact unless the
        # ties at the last hit's score run past the candidates: then rank every match.
        rows = db.execute(joined.format(f"{ranked} ORDER BY score LIMIT {bound}"), [*params, limit]).fetchall()
        if len(rows) == limit:
            last = rows[-1][4]
            worst = db.execute(f"SELECT max(score), count(*) FROM ({ranked} ORDER BY score LIMIT {bound})",
                               params).fetchone()
            if worst[1] == bound and worst[0] == last:
                rows = db.execute(joined.format(ranked), [*params, limit]).fetchall()
        hits = []
        for article_id, title, date, kind, score, doc in rows:
            snip = db.execute("SELECT snippet(docs, 2, '[', ']', '…', 16) FROM docs "
                              "WHERE docs MATCH ? AND rowid = ?", (expression, doc)).fetchone()
            hits.append(Hit(article_id, title, date, kind, -score, " ".join((snip[0] if snip else "").split())))
    except sqlite3.OperationalError as error:
        raise SearchError(f"search: cannot run {expression!r}: {error}") from error
    except sqlite3.DatabaseError as error:
        raise SearchError(f"cannot read the search index: {error} (run `kb index`)") from error
    return hits


def hits_json(query: str, hits: list[Hit], filters: dict[str, str]) -> str:
    """Return the JSON document ``kb search --json`` prints."""
    return json.dumps({"count": len(hits), "filters": {k: v for k, v in sorted(filters.items()) if v},
                       "query": query, "results": [h.to_json() for h in hits]},
                      indent=2, sort_keys=True, ensure_ascii=False)
