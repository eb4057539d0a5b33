"""``kb bisect``: find the release and the component build that remove an article's symptom."""

from __future__ import annotations

import json
from pathlib import Path

import click


def _progress(done: int, total: int, release: str, observed: str) -> None:
    """Print one progress line on stderr."""
    click.echo(f"[{done}/{total}] {release}: {observed}", err=True)


@click.command(name="bisect")
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Run N repros in parallel.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="S",
              help="Seconds one repro run may take.")
@click.option("--articles", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The articles folder. [default: articles/ of the kb root]")
def command(article: str, as_json: bool, jobs: int, timeout: float, folder: Path | None) -> None:
    """Run ARTICLE's repro across the ordered releases and the hotfix builds between them.

    Reports the last release with the symptom, the first without it, whether that matches the
    documented first-fixed release, and the component build whose overlay removes the symptom.
    Exit 0 when it matches, 1 when it does not (or no fix was found), 2 when runs crashed.

    \b
    Example:
      kb bisect Q254893
      kb bisect Q254893 --json --jobs 2
    """
    from kb.resources import project_root
    from kb.verify.bisect import bisect_article, render_bisection
    from kb.repro.targets import find_record, load_target

    folder = folder if folder is not None else project_root() / "articles"
    target = load_target(find_record(folder, article))
    bisection = bisect_article(target, folder.resolve().parent, timeout=timeout, jobs=jobs, progress=_progress)
    if as_json:
        click.echo(json.dumps(bisection.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(render_bisection(bisection))
    click.get_current_context().exit(bisection.exit_code())
