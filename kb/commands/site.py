"""``kb site build`` and ``kb site serve``: publish the knowledge base as a static site."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import jobs_for, jobs_option


@click.group(name="site")
def command() -> None:
    """Build the static site of the knowledge base, or preview it.

    \b
    Example:
      kb site build && kb site serve --port 8000
    """


@command.command(name="build")
@click.argument("articles_dir", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (default: site/ beside articles/).")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search bundle.")
@jobs_option("page renderer processes")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def build(articles_dir: Path | None, out: Path | None, no_search: bool, jobs: int | None,
          as_json: bool) -> None:
    """Build (or bring up to date) the site: one page per article, index pages, search.

    Only pages whose record, verify result or templates changed are rendered again.

    \b
    Example:
      kb site build                      # articles/ -> site/
      kb site build articles/ --out /tmp/site --no-search
    """
    from kb.resources import project_root
    from kb.site import build_site

    # The knowledge-base root holds articles/, .kb/ (verify results) and site/.
    root = articles_dir.resolve().parent if articles_dir else project_root()
    folder = articles_dir or root / "articles"
    target = out or root / "site"
    report = build_site(folder, target, verify_results=root / ".kb" / "verify-results.json",
                        search=not no_search, jobs=jobs_for(jobs),
                        progress=lambda message: click.echo(f"kb site: {message}", err=True))
    for line in report.warnings + report.errors:
        click.echo(line, err=True)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(f"{target}: {report.articles} articles, {report.rendered_articles} article and "
                   f"{report.rendered_indexes} index pages rendered, {report.removed} removed"
                   f"{', search indexed' if report.search_indexed else ''} "
                   f"in {report.seconds:.1f} s")
    if report.errors:
        raise click.exceptions.Exit(1)


@command.command(name="serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Site folder (default: site/ of the knowledge base).")
def serve(port: int, directory: Path | None) -> None:
    """Preview the built site on http://127.0.0.1:PORT/ until Ctrl-C.

    \b
    Example:
      kb site serve --port 8000
    """
    from kb.resources import project_root
    from kb.site.serve import make_server, serve_until_signal

    folder = directory or project_root() / "site"
    server = make_server(folder, port)
    host, bound = server.server_address[:2]
    click.echo(f"Serving {folder} at http://{host}:{bound}/ (Ctrl-C to stop)", err=True)
    serve_until_signal(server)
    click.echo("Stopped.", err=True)
