"""``kb import``: classic KB .TXT files or folders -> one YAML record per article."""

from __future__ import annotations

import click

from kb.commands.options import jobs_for, jobs_option, progress_bar


@click.command(name="import")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...", type=click.Path())
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, help="Folder for the records [default: articles/].")
@jobs_option("importer processes")
def command(sources: tuple[str, ...], out: str | None, jobs: int | None) -> None:
    """Import classic KB articles (files, or folders of *.TXT) as DIR/QNNNNNN.yaml records.

    Each record is written atomically and only when it renders back to the
    exact source bytes; a record's repro: block is kept on re-import. Bad files
    are reported as path:line: message and the others still import.

    \b
    Example:
      kb import ../shared/corpus/exchange/Q254893.TXT
      kb import ../shared/corpus/exchange ../shared/corpus/sample --out out/records
    """
    from kb.importer import discover, import_files
    from kb.resources import project_root

    target = out if out is not None else str(project_root() / "articles")
    files, problems = discover(sources)
    done = [0]
    with progress_bar("Importing", len(files)) as advance:

        def step(count: int) -> None:
            done[0] += count
            advance(done[0], len(files))

        report = import_files(files, target, jobs=jobs_for(jobs, len(files)), progress=step)
    report.problems.extend(problems)
    for problem in report.failures:
        click.echo(problem.format(), err=True)
    # Warnings (a dangling link, a FIFO skipped in a folder) are shown but do not fail the import.
    failures = [problem for problem in report.failures if problem.severity == "error"]
    click.echo(f"kb: imported {len(report.imported)} of {len(files)} files into {target}"
               + (f", {len(failures)} failed" if failures else ""), err=True)
    if failures:
        click.get_current_context().exit(1)
