"""``kb stats``: status kinds and STATUS/keyword agreement over classic texts or records."""

from __future__ import annotations

import json
import sys

import click


@click.command(name="stats")
@click.argument("paths", nargs=-1, metavar="[PATH...]", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON document on stdout.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes for large inputs [default: all cores].")
def command(paths: tuple[str, ...], as_json: bool, jobs: int | None) -> None:
    """Measure status extraction on PATH (.TXT/.yaml files or folders; default: articles/).

    Counts status kinds, the agreement between the STATUS-derived first-fixed release and
    the fix keywords where both exist, and the share of articles whose STATUS names a
    service pack and carry its fix keyword that get a concrete fixed release.

    \b
    Example:
      kb stats ../shared/corpus --json
      kb stats articles/Q254893.yaml
    """
    from kb.resources import project_root
    from kb.stats import collect_stats

    targets = paths or (str(project_root() / "articles"),)
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        end = done == total or not interactive
        click.echo(f"{chr(13) if interactive else ''}stats: {done}/{total} articles", nl=end, err=True)

    document, diagnostics = collect_stats(targets, progress=progress, jobs=jobs)
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
    for item in agreement["disagreements"]:
        lines.append(
            f"  {item['path']}:{item['keyword_line']}: keyword {item['token']} says {item['keyword_release']!r}; "
            f"STATUS line {item['text_line']} says {item['text_release']!r}"
        )
    return "\n".join(lines)
