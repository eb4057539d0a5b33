"""``kb search`` (full-text search in the terminal) and ``kb index`` (rebuild its index)."""

from __future__ import annotations

import json

import click

from kb.commands.options import jobs_option

#: Exit status when no article matches, as grep's.
NO_MATCH = 1


def status_kinds() -> list[str]:
    """Return the status kinds of schemas/status.schema.json (the values --kind takes)."""
    from kb.resources import data_path

    schema = json.loads(data_path("schemas", "status.schema.json").read_text(encoding="utf-8"))
    return list(schema["properties"]["kind"]["enum"])


@click.command(name="search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option("--limit", type=click.IntRange(1, 10000), default=10, show_default=True,
              help="Most results to show.")
@click.option("--product", help='Only articles about this product ("Microsoft Exchange Server").')
@click.option("--release", help='Only articles naming this release ("Exchange Server 5.5 SP3").')
@click.option("--category", help="Only articles of this category (exchange).")
@click.option("--kind", type=click.Choice(status_kinds()), help="Only articles of this status kind.")
@click.option("--verification", type=click.Choice(["verified", "failing", "not reproduced", "no repro"]),
              help="Only articles in this verification state.")
def command(query: str, as_json: bool, limit: int, product: str | None, release: str | None,
            category: str | None, kind: str | None, verification: str | None) -> None:
    """Search the knowledge base (SQLite FTS5, bm25; the title weighs most).

    The index (.kb/search.sqlite) is built or refreshed first when records changed.
    Exit 0 when something matches, 1 when no article does (as grep).

    \b
    Example:
      kb search "trailing space NDR"
      kb search 4120 --kind fixed --json
    """
    from kb.resources import project_root
    from kb.site.fts import hits_json, search

    given = {"product": product, "release": release, "category": category, "kind": kind,
             "verification": verification}
    filters = {key: value for key, value in given.items() if value is not None}
    hits = search(project_root(), query, limit=limit, filters=filters)
    if as_json:
        click.echo(hits_json(query, hits, filters))
        click.get_current_context().exit(0 if hits else NO_MATCH)
    if not hits:
        click.echo(f"No articles match {query!r}.", err=True)
        click.get_current_context().exit(NO_MATCH)
    for hit in hits:
        click.echo(f"{hit.id}  {hit.title}  ({hit.date}, {hit.kind})")
        if hit.snippet:
            click.echo(f"    {hit.snippet}")


@click.command(name="index")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@jobs_option("record loaders")
def index_command(as_json: bool, jobs: int | None) -> None:
    """Rebuild the search index of `kb search` from every record in articles/.

    Records are read through the record cache (.kb/cache), so only the records changed since
    they were last loaded are parsed again, in parallel.

    \b
    Example:
      kb index
      kb index -j 4 --json
    """
    from kb.commands.options import progress_bar, show_progress
    from kb.resources import project_root
    from kb.site.fts import index_path, refresh
    from kb.site.records import record_files

    root = project_root()
    # Counting the records costs a folder scan: only for a terminal that shows the bar.
    total = len(record_files(root / "articles")) if show_progress() else 0
    with progress_bar("indexing", total) as advance:
        counts = refresh(root, force=True, jobs=jobs, progress=advance)
    for error in counts["errors"]:
        click.echo(error, err=True)
    if as_json:
        click.echo(json.dumps(counts, indent=2, sort_keys=True))
    else:
        click.echo(f"{index_path(root)}: {counts['indexed']} of {counts['articles']} articles indexed")
    if counts["errors"]:
        raise click.exceptions.Exit(1)
