"""Record validation: the JSON Schema (schemas/article.schema.json) plus consistency lints.

``validate_record(path)`` yields located ``Diagnostic``s (``path:line: field: message``). Schema
errors are mapped back to the YAML line of the offending key by composing the YAML node tree,
which is only done when there is something to report. Lints run on schema-valid records; add one
by appending a function to ``LINTS``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from jsonschema.exceptions import ValidationError

from kb.diagnostics import Diagnostic, Severity
from kb.fast_schema import fast_check
from kb.exceptions import LocatedError, SchemaError
from kb.located import Locator, dotted, validator
from kb.article_lints import lint_edited_import, lint_markdown_status, lint_skeleton_hints
from kb.status.lint import lint_status_record
from kb.store import ARTICLE_SUFFIXES, TOP_LEVEL_KEYS, Loaded, load_source

ARTICLE_SCHEMA = "article.schema.json"
REFERENCE_ID_RE = re.compile(r"^Q[0-9]{5,6}$")


def is_valid(record: Any) -> bool:
    """Tell whether a record is schema-valid (fast pre-check, jsonschema when it says no)."""
    check = fast_check(ARTICLE_SCHEMA)
    if check is not None and check(record):
        return True
    return validator().is_valid(record)


@dataclass
class RecordContext:
    """What a lint sees: the record, its file and a way to locate a field."""

    path: str
    record: dict[str, Any]
    locator: Any = field(default_factory=lambda: Locator(None))  # Locator or MarkdownLocator

    @property
    def is_markdown(self) -> bool:
        """Tell whether the record is a native Markdown article's."""
        return self.record.get("origin") == "markdown"

    def error(self, where: tuple[str | int, ...], message: str, code: str | None = None,
              severity: Severity = "error") -> Diagnostic:
        """Return a diagnostic (an error unless told) located at field ``where``."""
        return Diagnostic(self.path, self.locator.line(where), message, field=dotted(where) or None, code=code,
                          severity=severity, column=self.locator.column(where))


Lint = Callable[[RecordContext], Iterator[Diagnostic]]


# --------------------------------------------------------------------------------------------
# Lints (run on schema-valid records)


def lint_id_matches_file(ctx: RecordContext) -> Iterator[Diagnostic]:
    """The record's id must equal its file name (QNNNNNN.yaml, QNNNNNN.md)."""
    stem = Path(ctx.path).stem
    if Path(ctx.path).suffix.lower() in ARTICLE_SUFFIXES and stem != ctx.record["id"]:
        yield ctx.error(("id",), f"{ctx.record['id']!r} does not match the file name, expected {stem!r}", "id-file")


def lint_date_is_real(ctx: RecordContext) -> Iterator[Diagnostic]:
    """The date must be a real calendar date."""
    try:
        dt.date.fromisoformat(ctx.record["date"])
    except ValueError:
        yield ctx.error(("date",), f"invalid date {ctx.record['date']!r}, expected a real YYYY-MM-DD date", "date")


def lint_references_are_well_formed(ctx: RecordContext) -> Iterator[Diagnostic]:
    """Each reference is ``Q`` + 5-6 digits, not the article itself, and not listed twice on one line."""
    seen: set[tuple[str, int]] = set()
    for index, reference in enumerate(ctx.record["references"]):
        ident = reference["id"]
        if not REFERENCE_ID_RE.match(ident):
            yield ctx.error(("references", index, "id"), f"bad article id {ident!r}, expected Q and 5-6 digits", "ref")
        elif ident == ctx.record["id"]:
            # The source's quirk, not a wrong record: 16 articles of the archive list themselves
            # under REFERENCES (Q133322); a faithful import keeps it, so it only warns.
            yield replace(ctx.error(("references", index, "id"), f"article {ident!r} references itself",
                                    "ref-self"), severity="warning")
        key = (ident, reference["line"])
        if key in seen:
            yield ctx.error(("references", index), f"reference {ident!r} on line {reference['line']} is listed twice", "ref-dup")
        seen.add(key)


def lint_known_keys(ctx: RecordContext) -> Iterator[Diagnostic]:
    """Top-level keys must be the record's known keys (the schema says so too; this names them)."""
    for key in ctx.record:
        if key not in TOP_LEVEL_KEYS:
            yield ctx.error((key,), f"unknown key {key!r}, expected one of {', '.join(TOP_LEVEL_KEYS)}", "key")


def lint_blocks_hold_no_empty_line(ctx: RecordContext) -> Iterator[Diagnostic]:
    """A block is a run of non-empty lines; an empty line inside one would shift the text on write.

    Classic records only: a Markdown block is raw Markdown (a fence or a list may hold empty lines).
    """
    if ctx.is_markdown:
        return
    for s_index, section in enumerate(ctx.record["sections"]):
        for b_index, block in enumerate(section["blocks"]):
            lines = block["text"].split("\n")
            if "" in lines:
                where = ("sections", s_index, "blocks", b_index, "text")
                yield ctx.error(where, f"empty line {lines.index('') + 1} inside a block, expected separate blocks", "block")


def lint_heading_is_one_line(ctx: RecordContext) -> Iterator[Diagnostic]:
    """A heading is one line of text (its '=' underline is generated from its length)."""
    for index, section in enumerate(ctx.record["sections"]):
        heading = section["heading"]
        if heading is not None and ("\n" in heading or not heading.strip()):
            yield ctx.error(("sections", index, "heading"), f"heading {heading!r} must be one non-blank line", "heading")


def lint_not_reproducible_says_why(ctx: RecordContext) -> Iterator[Diagnostic]:
    """A not-reproducible judgement names what the simulator does not model (kb coverage shows it)."""
    repro = ctx.record.get("repro")
    if isinstance(repro, dict) and repro.get("status") == "not-reproducible" and not str(repro.get("why", "")).strip():
        yield ctx.error(("repro", "why"), f"why {repro.get('why')!r} is blank, expected what the simulator "
                        "does not model (e.g. 'a setup wizard crash')", "repro-why")


def lint_classic_status(ctx: RecordContext) -> Iterator[Diagnostic]:
    """STATUS text vs fix keywords (warnings) and releases in the catalogue, for classic records."""
    if not ctx.is_markdown:
        yield from lint_status_record(ctx)


#: The consistency checks run by validate_record, in order. Append to add a lint.
LINTS: list[Lint] = [
    lint_id_matches_file,
    lint_date_is_real,
    lint_references_are_well_formed,
    lint_known_keys,
    lint_blocks_hold_no_empty_line,
    lint_heading_is_one_line,
    lint_not_reproducible_says_why,
    lint_classic_status,
    lint_markdown_status,  # a .md article's status: known releases, lattice order, vs ## Status
    lint_skeleton_hints,  # a .md article still holding a `kb new` hint (warning)
    lint_edited_import,  # an import whose text no longer renders to its source (info), STATUS vs status:
]


# --------------------------------------------------------------------------------------------
# Entry points


def _message(error: ValidationError) -> str:
    """Return a readable message for a jsonschema error (unknown keys named)."""
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        names = ", ".join(repr(name) for name in extra)
        return f"unknown key {names}, expected one of {', '.join(allowed)}"
    return error.message


def _best(error: ValidationError) -> ValidationError:
    """Return the error to show for a ``oneOf`` miss: the deepest one of the option meant, not "not null"."""
    if error.validator != "oneOf" or not error.context:
        return error

    def rank(candidate: ValidationError) -> tuple[int, bool]:
        null_miss = candidate.validator == "type" and candidate.validator_value == "null"
        return len(list(candidate.relative_path)), not null_miss

    return _best(max(error.context, key=rank))


def schema_errors(record: dict[str, Any], ctx: RecordContext) -> Iterator[Diagnostic]:
    """Yield one diagnostic per JSON Schema error, located at the YAML line of the field."""
    check = fast_check(ARTICLE_SCHEMA)
    if check is not None and check(record):
        return
    errors = sorted(validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    for error in map(_best, errors):
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the first unknown key itself, not at the mapping that holds it.
            allowed = error.schema.get("properties", {})
            extra = sorted(key for key in error.instance if key not in allowed)
            if ctx.is_markdown and not where:
                from kb.markdown_source import FRONT_MATTER_KEYS

                yield ctx.error((extra[0],), f"unknown front matter key {', '.join(map(repr, extra))}, expected "
                                f"one of {', '.join(FRONT_MATTER_KEYS)}", "schema")
                continue
            where += tuple(extra)[:1]
        yield ctx.error(where, _message(error), "schema")


def record_diagnostics(record: dict[str, Any], path: str, text: str | None = None,
                       locator: Any = None) -> Iterator[Diagnostic]:
    """Yield the schema errors of a loaded record, or, when it is schema-valid, its lint findings."""
    ctx = RecordContext(path=path, record=record, locator=locator if locator is not None else Locator(text))
    found = False
    for diagnostic in schema_errors(record, ctx):
        found = True
        yield diagnostic
    if found:
        return
    for lint in LINTS:
        yield from lint(ctx)


def validate_record(path: str | Path) -> Iterator[Diagnostic]:
    """Load one record file and yield every problem with it (nothing when it is valid)."""
    name = str(path)
    try:
        loaded = load_source(path)
    except LocatedError as error:
        yield Diagnostic(error.path, error.line, error.message, code="load", column=error.column)
        return
    yield from record_diagnostics(loaded.record, name, loaded.text, loaded.locator)


def check_record(record: dict[str, Any], path: str, text: str | None = None) -> None:
    """Raise SchemaError for the first schema error of a loaded record (used when loading)."""
    check = fast_check(ARTICLE_SCHEMA)
    if check is not None and check(record):
        return
    error = next(validator().iter_errors(record), None)
    if error is not None:
        where = dotted(error.absolute_path)
        prefix = f"{where}: " if where else ""
        line = Locator(text).line(tuple(error.absolute_path))
        raise SchemaError(path, line, f"{prefix}{_message(error)}")


def check_loaded(loaded: Loaded) -> None:
    """Raise SchemaError, located in the article's own file, for the first schema error of ``loaded``."""
    check = fast_check(ARTICLE_SCHEMA)
    if check is not None and check(loaded.record):
        return
    error = next(map(_best, validator().iter_errors(loaded.record)), None)
    if error is not None:
        path = tuple(error.absolute_path)
        prefix = f"{dotted(path)}: " if path else ""
        raise SchemaError(loaded.path, loaded.locator.line(path), f"{prefix}{_message(error)}",
                          column=loaded.locator.column(path))


def _duplicate_ids(files: list[str]) -> Iterator[Diagnostic]:
    """Yield an error for each article file whose id another file of its folder also has (Q1.yaml + Q1.md)."""
    seen: dict[tuple[str, str], str] = {}
    for name in files:
        path = Path(name)
        key = (str(path.parent), path.stem.upper())
        if key in seen:
            yield Diagnostic(name, 1, f"article {path.stem} is also {Path(seen[key]).name}; expected one file per "
                             "article (a .yaml record or a .md article)", code="id-duplicate")
        else:
            seen[key] = name


def _validate_one(path: str) -> list[Diagnostic]:
    """Return the diagnostics of one record file (a worker-process entry point)."""
    return list(validate_record(path))


def validate_paths(
    paths: Iterable[str | Path], jobs: int | None = None, progress: Callable[[int], None] | None = None
) -> tuple[int, list[Diagnostic]]:
    """Validate article files (folders expand to their ``*.yaml`` and ``*.md``); return (count, diagnostics sorted).

    ``progress(n)`` is called after each n records checked.
    """
    import multiprocessing
    import os

    from kb.store import record_paths

    files = [str(p) for p in record_paths(list(paths))]
    found: list[Diagnostic] = list(_duplicate_ids(files))
    workers = jobs if jobs is not None else (1 if len(files) < 200 else (os.cpu_count() or 1))
    if workers <= 1 or len(files) < 2:
        for name in files:
            found.extend(validate_record(name))
            if progress:
                progress(1)
    else:
        validator()  # compile once before forking
        fast_check(ARTICLE_SCHEMA)
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(workers) as pool:
            for diagnostics in pool.imap_unordered(_validate_one, files, chunksize=32):
                found.extend(diagnostics)
                if progress:
                    progress(1)
    found.sort(key=lambda d: (d.path, d.line or 0, d.field or "", d.message))
    return len(files), found
