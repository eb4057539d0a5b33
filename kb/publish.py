"""The gate before publishing: a record reaches a rendered file or a site page only when valid.

``kb render`` and ``kb site build`` skip the full ``kb validate`` pass for speed, but a record
that breaks the schema must never be published: its id becomes a path and a link, and any field
of the wrong type would reach the templates. The schema check here is the compiled fast
pre-check (jsonschema only when it says no), then the two rules the schema cannot say: the id
rule of kb/ids.py and a real calendar date.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from kb.exceptions import SchemaError
from kb.ids import id_problem
from kb.model import Article


def check_publishable(record: dict[str, Any], path: str, text: str | None = None) -> None:
    """Raise the located SchemaError of a record that must not be published (else return)."""
    from kb.schema import Locator, check_record

    check_record(record, path, text)
    problem = id_problem(record.get("id"))
    if problem is not None:
        raise SchemaError(path, Locator(text).line(("id",)), f"id: {problem}")
    try:
        dt.date.fromisoformat(record["date"])
    except (ValueError, TypeError):
        raise SchemaError(path, Locator(text).line(("date",)),
                          f"date: invalid date {record.get('date')!r}, expected a real YYYY-MM-DD date") from None


def load_publishable(path: str | os.PathLike[str]) -> Article:
    """Load a record file that is valid to publish; raise RecordError or SchemaError, located."""
    from kb.store import article_of, cached_record, decode, is_markdown, read_bytes

    name = str(path)
    if is_markdown(path):
        return _markdown_publishable(path)
    data = read_bytes(path)
    # The cache remembers a record that passed the check: its content and the check's code are its key.
    return article_of(cached_record(name, data, decode(data, name), check_publishable))


def _markdown_publishable(path: str | os.PathLike[str]) -> Article:
    """Load a .md article whose derived record is valid to publish; errors located in the .md file."""
    from kb.schema import check_loaded
    from kb.store import load_source

    loaded = load_source(path)
    check_loaded(loaded)
    problem = id_problem(loaded.record.get("id"))
    if problem is not None:
        raise SchemaError(loaded.path, loaded.locator.line(("id",)), f"id: {problem}",
                          column=loaded.locator.column(("id",)))
    return loaded.article()  # an impossible date is a located RecordError
