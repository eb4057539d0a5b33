"""``kb validate``: check records against the JSON Schema and the consistency lints."""

from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext

import click


@click.command(name="validate")
@click.argument("paths", nargs=-1, metavar="[PATH...]", type=click.Path())
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as one JSON document on stdout.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: 1 below 200 files, else all cores].")
def command(paths: tuple[str, ...], strict: bool, as_json: bool, jobs: int | None) -> None:
    """Validate articles (.yaml records, .md articles or folders; default articles/).

    Errors print as path:line: field: message; the exit status is 1 when any
    record has an error (or, with --strict, a warning).

    \b
    Example:
      kb validate
      kb validate out/records --json
    """
    from kb.exceptions import NotFoundError
    from kb.resources import project_root
    from kb.schema import validate_paths
    from kb.store import record_paths

    targets = list(paths) or [str(project_root() / "articles")]
    for target in targets:
        if not os.path.exists(target):
            raise NotFoundError(f"{target}: no such record file or folder")
    files = record_paths(targets)
    show = len(files) > 50 or (sys.stderr.isatty() and len(files) > 1)
    bar = click.progressbar(length=len(files), label="Validating", file=sys.stderr) if show else nullcontext(None)
    with bar as progress:
        count, diagnostics = validate_paths(files, jobs=jobs, progress=progress.update if progress is not None else None)
    errors = [d for d in diagnostics if d.severity == "error"]
    warnings = [d for d in diagnostics if d.severity == "warning"]
    infos = [d for d in diagnostics if d.severity == "info"]  # e.g. an import edited since (never fails)
    failing = errors + (warnings if strict else [])
    if as_json:
        document = {
            "checked": count,
            "errors": len(errors),
            "warnings": len(warnings),
            "infos": len(infos),
            "ok": not failing,
            "diagnostics": [d.to_json() for d in diagnostics],
        }
        click.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.format(), err=True)
    invalid = len({d.path for d in failing})
    click.echo(f"kb: validated {count} records: {len(errors)} errors, {len(warnings)} warnings"
               + (f" in {invalid} records" if invalid else "") + (f", {len(infos)} notes" if infos else ""), err=True)
    if failing:
        click.get_current_context().exit(1)
