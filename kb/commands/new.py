"""``kb new``: write a new Markdown article, or convert a classic .TXT article to Markdown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click


@click.command(name="new")
@click.argument("article_id", required=False, metavar="QNNNNNN")
@click.option("--title", default=None, help="The article's title.")
@click.option("--product", default="Exchange Server 5.5", show_default=True, help="The product it applies to.")
@click.option("--affected", multiple=True, metavar="RELEASE", help="A release that has the problem (repeatable).")
@click.option("--fixed", multiple=True, metavar="RELEASE", help="The release that first fixed it (repeatable per line).")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The article's date (YYYY-MM-DD). [default: today]")
@click.option("--from-txt", "from_txt", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Convert this classic .TXT article to Markdown instead.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write QNNNNNN.md in. [default: articles/ of the kb root]")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
def command(article_id: str | None, title: str | None, product: str, affected: tuple[str, ...],
            fixed: tuple[str, ...], date: dt.datetime | None, from_txt: Path | None, out: Path | None,
            as_json: bool) -> None:
    """Write a new Markdown article QNNNNNN.md with the usual sections (never overwrites).

    The front matter holds id, title, product, applies_to, keywords, date and, with
    --affected/--fixed, status; the body has Symptoms, Cause, Resolution, Status and
    More information. --from-txt converts a classic article to Markdown; its classic
    byte-for-byte round trip is then no longer promised.

    \b
    Example:
      kb new Q900001 --title "IMS does not send a second NDR" --product "Exchange Server 5.5"
      kb new Q900002 --title "..." --affected "Exchange Server 5.5 SP3" --fixed "Exchange Server 5.5 SP4"
      kb new --from-txt ../shared/corpus/exchange/Q254893.TXT --out drafts
    """
    from kb.new_article import convert_txt, write_new
    from kb.resources import project_root

    folder = out if out is not None else project_root() / "articles"
    if from_txt is not None:
        if article_id or title or affected or fixed:
            raise click.UsageError("--from-txt takes its id, title and status from the classic article")
        written = convert_txt(from_txt, folder)
    else:
        if not article_id:
            raise click.UsageError("name the article: kb new QNNNNNN --title TITLE (or use --from-txt FILE)")
        if title is None:
            raise click.UsageError("--title is required for a new article")
        written = write_new(article_id.upper(), title, product, folder, affected, fixed,
                            date.date() if date else None)
    if written.converted_from is not None:
        click.echo(f"converted from {written.converted_from}: it is a Markdown article now, and its classic "
                   "round trip (byte for byte back to the .TXT) is no longer promised", err=True)
    if as_json:
        click.echo(json.dumps(written.to_json(), indent=2, sort_keys=True))
        return
    click.echo(f"wrote {written.path}")
    click.echo(f"next: edit it, then `kb validate {written.path}` and `kb repro init {written.id}`", err=True)
