"""The record formats: YAML as ``articles/`` stores it, and JSON of the very same record dict."""

from __future__ import annotations

import json

from kb.model import Article


def to_yaml(article: Article) -> str:
    """Return the article's YAML record, exactly as ``kb import`` writes it."""
    from kb.store import dumps, record_of

    return dumps(record_of(article))


def to_json(article: Article) -> str:
    """Return the article's record as JSON, keeping the record's key order (one final newline)."""
    from kb.store import record_of

    return json.dumps(record_of(article), sort_keys=False, indent=2, ensure_ascii=False) + "\n"
