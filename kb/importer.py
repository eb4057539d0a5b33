"""Import classic KB text files into YAML records: discover, parse, check, write atomically.

``build_record(path)`` is the one place where a parsed article becomes a record. Import keeps
going past bad files and reports each as ``path:line: message``; a record is only written when
it renders back to the exact source bytes, and a person's ``repro:`` block survives re-import.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from kb.diagnostics import Diagnostic
from kb.exceptions import LocatedError, NotFoundError, ParseError
from kb.ids import UnsafePathError, id_problem, inside
from kb.model import Article
from kb.status import extract_status
from kb.files import odd_file_message, read_bounded, walk_files
from kb.store import MAX_RECORD_BYTES, dumps, load_record, record_of, write_atomic
from kb.text import parse, write

PARALLEL_THRESHOLD = 200  # below this many files a worker pool costs more than it saves


def _first_difference(a: bytes, b: bytes) -> int:
    """Return the 1-based line of the first byte where a and b differ."""
    limit = min(len(a), len(b))
    index = next((i for i in range(limit) if a[i] != b[i]), limit)
    return a.count(b"\n", 0, index) + 1


def build_record(path: str | os.PathLike[str]) -> Article:
    """Read and parse one classic file into the Article to store; raises ParseError."""
    name = str(path)
    # One size limit for import and load: a source over it could only give a record the loader refuses.
    data = read_bounded(path, MAX_RECORD_BYTES, ParseError, "a classic .TXT file")
    article = parse(data, name)
    problem = id_problem(article.id)
    if problem is not None:  # the id names the record file: never write what the schema refuses
        raise ParseError(name, 1, f"DOCUMENT: {problem}; not imported")
    # Never store a record that does not give back the original bytes.
    if write(article) != data:
        line = _first_difference(data, write(article))
        raise ParseError(name, line, "the record would not render back to the same bytes; not imported")
    article.status = extract_status(article)
    return article


def discover(sources: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Diagnostic]]:
    """Expand files and folders (recursively, ``*.txt`` in any case) into files to import."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found, odd = walk_files(path, (".txt",))
            files.extend(found)
            problems.extend(odd)
        elif path.is_file():
            files.append(path)
        elif os.path.lexists(path):
            problems.append(Diagnostic(str(path), None, odd_file_message(path), code="import"))
        else:
            problems.append(Diagnostic(str(path), None, "no such file or folder", code="import"))
    return files, problems


@dataclass(frozen=True)
class Outcome:
    """What happened to one source file."""

    source: str
    id: str | None = None
    target: str | None = None
    error: Diagnostic | None = None


@dataclass
class ImportReport:
    """The outcome of an import run."""

    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def imported(self) -> list[Outcome]:
        """Return the outcomes that wrote a record."""
        return [o for o in self.outcomes if o.error is None]

    @property
    def failures(self) -> list[Diagnostic]:
        """Return every problem, sorted by file."""
        found = self.problems + [o.error for o in self.outcomes if o.error is not None]
        return sorted(found, key=lambda d: (d.path, d.line or 0))


def _kept_repro(target: Path) -> dict[str, Any] | None:
    """Return the ``repro:`` block of an existing record (a person's edit), if any.

    The record is read as YAML whatever its spelling (a quoted or spaced key, a JSON-formatted
    record); a record that cannot be read is never overwritten: its RecordError stops the import
    of this one article, so a hand-written block is never lost.
    """
    if not os.path.lexists(target):
        return None
    try:
        record = load_record(target)
    except LocatedError as error:
        raise ParseError(error.path, error.line, f"{error.message}; the existing record is kept, not overwritten") from None
    repro = record.get("repro")
    if repro is None:
        return None
    if not isinstance(repro, dict):
        raise ParseError(str(target), 1, f"repro: got {type(repro).__name__}, expected a mapping; "
                         "the existing record is kept, not overwritten")
    return repro


def import_one(source: str | os.PathLike[str], out: str | os.PathLike[str]) -> Outcome:
    """Import one file into ``out/QNNNNNN.yaml``; never raises for bad input."""
    name = str(source)
    try:
        article = build_record(source)
        target = inside(out, f"{article.id}.yaml")
        article.repro = _kept_repro(target)
        payload = dumps(record_of(article)).encode("utf-8")
        if len(payload) > MAX_RECORD_BYTES:  # the loader would refuse it: say so now
            raise ParseError(name, 1, f"the record would be {len(payload)} bytes, over the record limit of "
                             f"{MAX_RECORD_BYTES}; not imported")
        write_atomic(target, payload)
    except LocatedError as error:
        return Outcome(name, error=Diagnostic(error.path, error.line, error.message, code="import"))
    except UnsafePathError as error:
        return Outcome(name, error=Diagnostic(name, 1, str(error), code="import"))
    except OSError as error:
        return Outcome(name, error=Diagnostic(name, None, f"cannot write the record: {error.strerror}", code="import"))
    return Outcome(name, id=article.id, target=str(target))


def _work(job: tuple[str, str]) -> Outcome:
    """Import one (source, out) job in a worker process."""
    return import_one(*job)


def default_jobs(count: int) -> int:
    """Return the worker count: 1 for small runs, else one per CPU."""
    return 1 if count < PARALLEL_THRESHOLD else (os.cpu_count() or 1)


def import_files(
    files: Sequence[Path],
    out: str | os.PathLike[str],
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``files`` into ``out`` with ``jobs`` workers; ``progress(n)`` after each n files."""
    report = ImportReport()
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise NotFoundError(f"{out}: cannot use as the output folder: {error.strerror}") from None
    work = [(str(path), str(out)) for path in files]
    workers = jobs if jobs is not None else default_jobs(len(work))
    if workers <= 1 or len(work) < 2:
        for job in work:
            report.outcomes.append(_work(job))
            if progress:
                progress(1)
    else:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(workers) as pool:
            for outcome in pool.imap_unordered(_work, work, chunksize=32):
                report.outcomes.append(outcome)
                if progress:
                    progress(1)
    report.outcomes.sort(key=lambda o: o.source)
    # Two sources with one DOCUMENT id write one record: say so rather than keep whichever won.
    first: dict[str, str] = {}
    for outcome in report.outcomes:
        if outcome.id is None:
            continue
        if outcome.id in first:
            message = f"article {outcome.id} was also imported from {first[outcome.id]}; {outcome.target} holds only one of them"
            report.problems.append(Diagnostic(outcome.source, 1, message, code="import-duplicate"))
        else:
            first[outcome.id] = outcome.source
    return report


def import_sources(
    sources: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Discover and import every classic file under ``sources``."""
    files, problems = discover(sources)
    report = import_files(files, out, jobs=jobs, progress=progress)
    report.problems.extend(problems)
    return report


def roundtrip_problem(record: str | os.PathLike[str], source: str | os.PathLike[str]) -> Diagnostic | None:
    """Return a diagnostic unless the record renders back to the exact bytes of ``source``."""
    from kb.store import article_of, read_text
    from kb.yaml_text import loads

    name = str(record)
    try:
        article = article_of(loads(read_text(record), name))
        rendered = write(article)
        with open(source, "rb") as stream:
            original = stream.read()
    except LocatedError as error:
        return Diagnostic(error.path, error.line, error.message, code="roundtrip")
    except OSError as error:
        return Diagnostic(str(source), None, f"cannot read: {error.strerror}", code="roundtrip")
    if rendered != original:
        line = _first_difference(original, rendered)
        return Diagnostic(str(source), line, f"rendering {name} differs from the source here", code="roundtrip")
    return None


def _roundtrip_work(pair: tuple[str, str]) -> Diagnostic | None:
    """Check one (record, source) pair in a worker process."""
    return roundtrip_problem(*pair)


def roundtrip_problems(pairs: Sequence[tuple[str, str]], jobs: int | None = None) -> list[Diagnostic]:
    """Check (record, source) pairs in parallel; return the ones that do not give the source back."""
    workers = jobs if jobs is not None else default_jobs(len(pairs))
    if workers <= 1 or len(pairs) < 2:
        found = [_roundtrip_work(pair) for pair in pairs]
    else:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(workers) as pool:
            found = list(pool.imap_unordered(_roundtrip_work, pairs, chunksize=32))
    return sorted((d for d in found if d is not None), key=lambda d: (d.path, d.line or 0))
