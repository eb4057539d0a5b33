"""``kb coverage``: which articles could prove themselves, which do, and which cannot."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option, jobs_for, jobs_option, progress_bar


@click.command(name="coverage")
@click.argument("articles", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@click.option("--markdown", is_flag=True, help="Print the Markdown table of the proven articles (README).")
@articles_option
@click.option("--results", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Verify results to judge by. [default: .kb/verify-results.json beside the folder]")
@jobs_option("record loaders")
def command(articles: tuple[str, ...], as_json: bool, markdown: bool, folder: Path | None,
            results: Path | None, jobs: int | None) -> None:
    """Report proof coverage: candidates, repros, proven, failing, not reproducible.

    A candidate's STATUS names a concrete fix on a release the simulator can run and it
    concerns a simulated component (kb/coverage.yaml). Proven means the last `kb verify`
    passed on at least one affected and one fixed release. ARTICLES are ids or record paths
    of the folder, or one articles folder.

    \b
    Example:
      kb coverage                      # articles/ of this knowledge base
      kb coverage --json Q254893
      kb coverage ../corpus-import/articles --json
      kb coverage --markdown > table.md
    """
    from kb.coverage import coverage, markdown_table, text_report

    names = list(articles)
    if len(names) == 1 and Path(names[0]).is_dir():
        # One folder named: it is the articles folder (its verify results are beside it).
        folder, names = Path(names[0]), []
    with progress_bar("Reading records", 1) as advance:
        report = coverage(articles_folder(folder), names, results, jobs=jobs_for(jobs), progress=advance)
    for problem in report.problems:
        click.echo(problem, err=True)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    elif markdown:
        click.echo(markdown_table(report), nl=False)
        unproven = [row.facts.id for row in report.rows if row.facts.repro == "script" and row.state != "proven"]
        if unproven:
            click.echo(f"kb coverage: not in the table (not proven by the last kb verify): "
                       f"{', '.join(unproven)}", err=True)
    else:
        click.echo(text_report(report), nl=False)
    if report.problems:
        click.get_current_context().exit(1)
