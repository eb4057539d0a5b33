"""``kb validate``: check records against the JSON Schema and the consistency lints."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option, jobs_for, jobs_option, progress_bar


@click.command(name="validate")
@click.argument("paths", nargs=-1, metavar="[ARTICLE...]")
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as one JSON document on stdout.")
@jobs_option("record checks")
@articles_option
def command(paths: tuple[str, ...], strict: bool, as_json: bool, jobs: int | None, folder: Path | None) -> None:
    """Validate articles: ids, .yaml records, .md articles or folders of them (default: articles/).

    Errors print as path:line: field: message; the exit status is 1 when any
    record has an error (or, with --strict, a warning).

    \b
    Example:
      kb validate
      kb validate Q254893 out/records --json
    """
    from kb.resolve import RECORDS, article_paths
    from kb.schema import validate_paths

    articles = articles_folder(folder)
    files = article_paths(paths or [str(articles)], articles, RECORDS)
    done = [0]
    with progress_bar("Validating", len(files)) as advance:

        def step(count: int) -> None:
            done[0] += count
            advance(done[0], len(files))

        count, diagnostics = validate_paths(files, jobs=jobs_for(jobs, len(files)), progress=step)
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
