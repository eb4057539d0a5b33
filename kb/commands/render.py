"""``kb render``: print or write articles as classic text, Markdown, HTML, YAML or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option, jobs_for, jobs_option, progress_bar

FORMATS = ("txt", "md", "html", "yaml", "json")


@click.command(name="render")
@click.argument("articles", nargs=-1, required=True, metavar="ARTICLE...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True, help="Output format.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, help="Write DIR/QNNNNNN.<format> per article.")
@jobs_option("renderer processes (for batches of over 200 articles)")
@articles_option
def command(articles: tuple[str, ...], fmt: str, out: str | None, jobs: int | None, folder: Path | None) -> None:
    """Render ARTICLE: an id in articles/, a .yaml record, a .md article, a classic .TXT file, or a folder of them.

    One article without --out prints to stdout (txt: the original bytes);
    with --out each article is written atomically to DIR/QNNNNNN.<format>.

    \b
    Example:
      kb render Q254893 --format md
      kb render out/records --format txt --out out/text
    """
    from kb.exceptions import NotFoundError
    from kb.render.batch import render_many
    from kb.resolve import ANY, resolve_articles

    resolved = resolve_articles(articles, articles_folder(folder), ANY)
    names = [str(item.path) for item in resolved if item.path is not None]
    problems = [item.error for item in resolved if item.error is not None]
    if not resolved:
        raise NotFoundError(f"{', '.join(articles)}: no articles there")
    if out is None and max(len(resolved), len(articles)) > 1:
        count = max(len(resolved), len(articles))
        raise click.UsageError(f"{count} articles given: use --out DIR to write one file per article")
    failures = len(problems)
    for problem in problems:  # a name that stands for no article; the others still render
        click.echo(f"kb: {problem}", err=True)
    with progress_bar(f"Rendering {fmt}", len(names) if out is not None else 0) as advance:
        for done, result in enumerate(render_many(names, fmt, out, jobs=jobs_for(jobs, len(names))), 1):
            advance(done, len(names))
            if result.error:
                failures += 1
                click.echo(result.error, err=True)
            elif result.output is not None:
                _emit(result.output)
    if failures:
        if len(resolved) > 1:
            click.echo(f"kb: {failures} of {len(resolved)} articles failed", err=True)
        click.get_current_context().exit(1)


def _emit(output: str | bytes) -> None:
    """Write one rendering to stdout: bytes untouched, text with one final newline."""
    if isinstance(output, bytes):
        # sys.stdout.buffer, not click.get_binary_stream (deprecated in click 8.2, gone in 9):
        # CliRunner and a real terminal both give a text stream with a byte buffer.
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
        sys.stdout.buffer.flush()
    else:
        click.echo(output, nl=not output.endswith("\n"))
