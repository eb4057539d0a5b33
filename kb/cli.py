"""The ``kb`` command line: a click group whose verbs are imported only when used."""

from __future__ import annotations

import importlib
import sys

import click

from kb import __version__
from kb.exceptions import KbError

# verb -> "module:attribute"; each module holds one thin command (see kb/commands/).
COMMANDS: dict[str, str] = {
    "bisect": "kb.commands.bisect:command",
    "check": "kb.commands.check:command",
    "coverage": "kb.commands.coverage:command",
    "import": "kb.commands.importing:command",
    "index": "kb.commands.search:index_command",
    "new": "kb.commands.new:command",
    "render": "kb.commands.render:command",
    "repro": "kb.commands.repro:command",
    "search": "kb.commands.search:command",
    "sim": "kb.commands.sim:command",
    "site": "kb.commands.site:command",
    "stats": "kb.commands.stats:command",
    "validate": "kb.commands.validate:command",
    "verify": "kb.commands.verify:command",
}


class LazyGroup(click.Group):
    """A group that imports a verb's module on first use and turns KbError into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List every verb, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command for ``cmd_name``."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def invoke(self, ctx: click.Context) -> object:
        """Run the verb; print a KbError as its one-line message and exit non-zero."""
        try:
            return super().invoke(ctx)
        except KbError as error:
            click.echo(f"kb: {error}" if not str(error).count(":") else str(error), err=True)
            ctx.exit(error.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def cli() -> None:
    """kb: import, verify and publish knowledge-base articles that prove themselves.

    \b
    Example:
      kb check              # validate and verify every article in articles/
    """


def main() -> None:
    """Run the kb command line."""
    cli(prog_name="kb")


if __name__ == "__main__":
    main()
