"""``kb repro``: run one article's repro on one release, or scaffold a new repro script."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option


class ReproGroup(click.Group):
    """A group whose first argument is an ARTICLE unless it names a subcommand (init).

    ``kb repro ARTICLE ...`` runs the hidden ``run`` subcommand; its usage errors show this
    group's usage line ("kb repro ARTICLE --release NAME ..."), never "kb repro run".
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Route ``kb repro ARTICLE ...`` to the ``run`` subcommand."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; show a usage error of ``run`` with this group's usage."""
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            if error.ctx is not None and error.ctx.command is self.commands.get("run"):
                error.ctx = ctx
            raise

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Show both forms in the usage line."""
        formatter.write_usage(ctx.command_path, "ARTICLE --release NAME [--json] | init ARTICLE")


@click.group(name="repro", cls=ReproGroup)
def command() -> None:
    """Run one repro on one release, or scaffold a repro for an article.

    \b
    Example:
      kb repro Q254893 --release "Exchange Server 5.5 SP3"
      kb repro Q254893 --release "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17" --json
      kb repro init Q240788           # writes repro/Q240788.py and links it from the record
    """


@command.command(name="run", hidden=True)
@click.argument("article")
@click.option("--release", "-r", required=True, metavar="NAME", help="Release or overlay, e.g. 'Exchange Server 5.5 SP3'.")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="S",
              help="Seconds the run may take.")
@articles_option
def run_command(article: str, release: str, as_json: bool, timeout: float, folder: Path | None) -> None:
    """Run ARTICLE's repro on one release and print its evidence and transcript.

    \b
    Example:
      kb repro Q254893 --release "Exchange Server 5.5 SP4"
    """
    from kb.repro.single import render_single, run_single

    folder = articles_folder(folder)
    result = run_single(folder, article, release, timeout=timeout)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(render_single(result))
    click.get_current_context().exit(result.exit_code())


@command.command(name="init")
@click.argument("article")
@click.option("--force", is_flag=True, help="Overwrite an existing repro script.")
@click.option("--link", "link_only", is_flag=True, help="Only link an existing repro/ARTICLE.py from the record.")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@articles_option
def init_command(article: str, force: bool, link_only: bool, as_json: bool, folder: Path | None) -> None:
    """Scaffold repro/ARTICLE.py from the article's status and symptoms and link it from the record.

    Refused for an article whose product line has no simulator (the message names those that do).

    \b
    Example:
      kb repro init Q240788
      kb repro init Q240788 --link     # a script you wrote by hand
    """
    from kb.repro.scaffold import scaffold_repro
    from kb.repro.targets import find_record

    folder = articles_folder(folder)
    if force and link_only:
        raise click.UsageError("--force and --link exclude each other")
    scaffold = scaffold_repro(find_record(folder, article), folder.resolve().parent, force=force, link_only=link_only)
    if as_json:
        click.echo(json.dumps(scaffold.to_json(), indent=2, sort_keys=True))
        return
    click.echo(f"{'wrote' if scaffold.written else 'kept'} {scaffold.script}")
    click.echo(f"linked it from {scaffold.record} (repro.script)")
    click.echo(f"  affected: {', '.join(scaffold.affected) or '(none named)'}")
    click.echo(f"  fixed:    {', '.join(scaffold.fixed) or '(none named)'}")
    click.echo(f"next: write the flow in run(), then `kb repro {scaffold.id} --release NAME` and `kb verify {scaffold.id}`")
