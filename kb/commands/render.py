"""``kb render``: print or write articles as classic text, Markdown, HTML, YAML or JSON."""

from __future__ import annotations

import sys

import click

FORMATS = ("txt", "md", "html", "yaml", "json")


@click.command(name="render")
@click.argument("articles", nargs=-1, required=True, metavar="ARTICLE...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True, help="Output format.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, help="Write DIR/QNNNNNN.<format> per article.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), default=None, help="Worker processes for large batches [default: all cores].")
def command(articles: tuple[str, ...], fmt: str, out: str | None, jobs: int | None) -> None:
    """Render ARTICLE (an id in articles/, a .yaml record or a classic .TXT file).

    One article without --out prints to stdout (txt: the original bytes);
    with --out each article is written atomically to DIR/QNNNNNN.<format>.

    \b
    Example:
      kb render Q254893 --format md
      kb render out/records/*.yaml --format txt --out out/text
    """
    from contextlib import nullcontext

    from kb.render.batch import render_many

    if out is None and len(articles) > 1:
        raise click.UsageError(f"{len(articles)} articles given: use --out DIR to write one file per article")
    failures = 0
    show_progress = out is not None and len(articles) > 200
    results = render_many(articles, fmt, out, jobs=jobs)
    progress = (
        click.progressbar(results, length=len(articles), label=f"Rendering {fmt}", file=sys.stderr)
        if show_progress
        else nullcontext(results)
    )
    with progress as bar:
        for result in bar:
            if result.error:
                failures += 1
                click.echo(result.error, err=True)
            elif result.output is not None:
                _emit(result.output)
    if failures:
        if len(articles) > 1:
            click.echo(f"kb: {failures} of {len(articles)} articles failed", err=True)
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
