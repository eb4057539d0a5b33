"""``kb bisect``: find the release and the component build that remove an article's symptom."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option, jobs_for, jobs_option, progress_bar


@click.command(name="bisect")
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@jobs_option("repros")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="S",
              help="Seconds one repro run may take.")
@articles_option
def command(article: str, as_json: bool, jobs: int | None, timeout: float, folder: Path | None) -> None:
    """Run ARTICLE's repro across the ordered releases and the hotfix builds between them.

    ARTICLE is an id in the articles folder or a record file. Reports the last release with
    the symptom, the first without it, whether that matches the documented first-fixed
    release, and the component build whose overlay removes the symptom. Exit 0 when it
    matches, 1 when it does not (or no fix was found), 2 when runs crashed.

    \b
    Example:
      kb bisect Q254893
      kb bisect Q254893 --json --jobs 2
    """
    from kb.verify.bisect import bisect_article, render_bisection
    from kb.repro.targets import find_record, load_target

    folder = articles_folder(folder)
    target = load_target(find_record(folder, article))
    with progress_bar("Bisecting", 1) as advance:
        bisection = bisect_article(target, folder.resolve().parent, timeout=timeout, jobs=jobs_for(jobs),
                                   progress=lambda done, total, release, observed: advance(done, total))
    if as_json:
        click.echo(json.dumps(bisection.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(render_bisection(bisection))
    click.get_current_context().exit(bisection.exit_code())
