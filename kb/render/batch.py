"""Render many articles: resolve what the user named, render each, write files atomically.

This is the library behind ``kb render``.  It never prints: each input gives a ``Result``
(output, or the one-line error for it), so one bad file never stops the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from kb.exceptions import KbError, LocatedError
from kb.files import write_atomic
from kb.ids import id_problem, inside
from kb.model import Article

#: Inputs above this count are rendered by a pool of worker processes.
PARALLEL_THRESHOLD = 200


@dataclass(frozen=True)
class Result:
    """What became of one input: the file written (or the output), or the error line."""

    source: str
    article_id: str | None = None
    output: str | bytes | None = None
    written: str | None = None
    error: str | None = None


def resolve(name: str, root: Path | None = None) -> Path:
    """Return the one file an ARTICLE argument names: an id in ``articles/``, or a path (kb.resolve)."""
    from kb.resolve import ANY, one_article
    from kb.resources import project_root

    return one_article(name, (root or project_root()) / "articles", ANY)


def load(path: Path) -> Article:
    """Load a YAML record or a Markdown article, or parse a classic text file, by its suffix (or first bytes).

    A record is published only when valid (kb/publish.py: the compiled schema pre-check, the id
    rule, a real date), so a hostile record never reaches a file name, a link or a template.
    Both kinds of file are read size-bounded, and FIFOs and devices are never opened.
    """
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".md"):  # a .md article's record is derived, then gated the same way
        from kb.publish import load_publishable

        return load_publishable(path)
    from kb.files import read_bounded
    from kb.store import MAX_RECORD_BYTES

    data = read_bounded(path, MAX_RECORD_BYTES, LocatedError, "a .yaml record, a .md article or a classic .TXT article")
    if suffix == ".txt" or data.startswith(b"DOCUMENT:"):
        from kb.text import parse

        article = parse(data, str(path))
        problem = id_problem(article.id)
        if problem is not None:
            raise LocatedError(str(path), 1, f"DOCUMENT: {problem}")
        return article
    raise LocatedError(str(path), None, f"unknown file type {suffix or '(none)'!r}; expected a .yaml record, a .md article or a classic .TXT article")


def schema_check(path: Path, record: object | None = None, text: str | None = None) -> None:
    """Raise the located SchemaError of a record file that breaks the schema (else return)."""
    if path.suffix.lower() == ".md":
        from kb.schema import check_loaded
        from kb.store import load_source

        check_loaded(load_source(path))
        return
    if path.suffix.lower() not in (".yaml", ".yml"):
        return
    from kb.schema import check_record
    from kb.store import read_text
    from kb.yaml_text import loads

    if record is None:
        text = read_text(path)
        record = loads(text, str(path))
    if isinstance(record, dict):
        check_record(record, str(path), text)


def render_one(name: str, fmt: str, out: str | None = None, root: str | None = None) -> Result:
    """Render one ARTICLE argument; write ``out/QNNNNNN.<fmt>`` or return the output."""
    from kb.render import render

    path: Path | None = None
    try:
        path = resolve(name, Path(root) if root else None)
        article = load(path)
        try:
            output = render(article, fmt)
        except Exception:
            schema_check(path)  # a record that breaks the schema: report where, not a crash
            raise
        if out is None:
            return Result(name, article.id, output=output)
        target = inside(out, f"{article.id}.{fmt}")  # the id was checked on load; the path is checked here
        write_atomic(target, output)
        return Result(name, article.id, written=str(target))
    except LocatedError as error:
        return Result(name, error=error.format())
    except KbError as error:
        return Result(name, error=f"kb: {error}")
    except (OSError, UnicodeError) as error:
        return Result(name, error=f"{name}: {error.strerror if isinstance(error, OSError) and error.strerror else error}")
    except Exception as error:  # noqa: BLE001 - a renderer bug must not stop a batch of thousands
        return Result(name, error=f"{path or name}: cannot render: {type(error).__name__}: {error}")


def _render_star(arguments: tuple[str, str, str | None, str | None]) -> Result:
    """Unpack one task for a pool worker."""
    return render_one(*arguments)


def render_many(
    names: Iterable[str],
    fmt: str,
    out: str | None,
    jobs: int | None = None,
    root: Path | None = None,
) -> Iterator[Result]:
    """Yield one Result per input, in input order; large batches use ``jobs`` processes."""
    tasks = [(name, fmt, out, str(root) if root else None) for name in names]
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if len(tasks) > PARALLEL_THRESHOLD and workers > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_render_star, tasks, chunksize=32)
    else:
        for task in tasks:
            yield _render_star(task)
