"""``kb stats``: status kinds and STATUS/keyword agreement over classic texts or records."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option, jobs_for, jobs_option, progress_bar


@click.command(name="stats")
@click.argument("paths", nargs=-1, metavar="[ARTICLE...]")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON document on stdout.")
@jobs_option("worker processes (for inputs of over 200 articles)")
@articles_option
def command(paths: tuple[str, ...], as_json: bool, jobs: int | None, folder: Path | None) -> None:
    """Measure status extraction on ARTICLE (ids, .TXT/.yaml files or folders; default: articles/).

    Counts status kinds, the agreement between the STATUS-derived first-fixed release and
    the fix keywords where both exist, the share of articles whose STATUS names a
    service pack and carry its fix keyword that get a concrete fixed release, and the
    misses: articles whose STATUS names a release that their status block does not carry.

    \b
    Example:
      kb stats ../shared/corpus --json
      kb stats Q254893
    """
    from kb.stats import collect_stats

    articles = articles_folder(folder)
    with progress_bar("Measuring", 1) as advance:
        document, diagnostics = collect_stats(paths or (str(articles),), progress=advance, jobs=jobs_for(jobs),
                                              folder=articles)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
    if as_json:
        click.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        click.echo(_table(document))
    if diagnostics:
        click.get_current_context().exit(1)


def _table(document: dict) -> str:
    """Return the figures as a short text report."""
    agreement, concrete = document["agreement"], document["concrete_fixed"]

    def pct(rate: float | None) -> str:
        return "n/a" if rate is None else f"{rate * 100:.2f}%"

    lines = [f"articles: {document['articles']}  (errors: {document['errors']})", "kinds:"]
    lines += [f"  {kind:<16} {count}" for kind, count in document["kinds"].items()]
    lines.append(
        f"agreement (STATUS fixed vs fix keyword): {agreement['agree']}/{agreement['comparable']} = {pct(agreement['rate'])}"
    )
    lines.append(f"strict agreement (no contradicting keyword): {agreement['strict_agree']}/{agreement['comparable']} = {pct(agreement['strict_rate'])}")
    lines.append(
        f"concrete fixed (STATUS names SP + matching keyword): {concrete['concrete']}/{concrete['eligible']} = {pct(concrete['rate'])}"
    )
    misses = document["misses"]
    lines.append(f"misses (STATUS names a release the record does not carry): {misses['articles']} articles "
                 f"= {pct(misses['rate'])}")
    for item in misses["items"]:
        lines.append(f"  {item['path']}:{item['line']}: {item['text']!r} is not in the status block")
    for item in agreement["disagreements"]:
        lines.append(
            f"  {item['path']}:{item['keyword_line']}: keyword {item['token']} says {item['keyword_release']!r}; "
            f"STATUS line {item['text_line']} says {item['text_release']!r}"
        )
    return "\n".join(lines)
