"""``kb sim``: run the simulated Exchange 5.5 server."""

from __future__ import annotations

import click


def _address(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Check a HOST:PORT option; a bad one is a usage error (exit 2, click's "Error:" form)."""
    from kb.exceptions import SimError
    from kb.sim.serve import parse_address

    try:
        parse_address(value, f"--{param.name}")
    except SimError:
        raise click.BadParameter(f"{value!r} is not an address (expected HOST:PORT with a port "
                                 "0-65535, e.g. 127.0.0.1:2525)") from None
    return value


@click.group(name="sim")
def command() -> None:
    """Run the built-in Exchange Server 5.5 Internet Mail Service simulator.

    \b
    Example:
      kb sim serve --release "Exchange Server 5.5 SP3" --smtp 127.0.0.1:2525
    """


@command.command(name="serve")
@click.option("--release", default="Exchange Server 5.5 SP3", show_default=True,
              help='Release or overlay, e.g. "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17".')
@click.option("--smtp", "smtp", default="127.0.0.1:2525", show_default=True, callback=_address,
              help="SMTP listen address (port 0 = any free port).")
@click.option("--api", "api", default="127.0.0.1:8025", show_default=True, callback=_address,
              help="JSON API listen address (port 0 = any free port).")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Org file (YAML, schemas/sim-config.schema.json); default: the built-in org.")
def serve_command(release: str, smtp: str, api: str, config: str | None) -> None:
    """Serve SMTP and the JSON inspection API until SIGINT/SIGTERM.

    The bound addresses are printed on stderr. Virtual time moves only through
    POST /api/v1/clock/advance.

    \b
    Example:
      kb sim serve --release "Exchange Server 5.5 SP4" --smtp 127.0.0.1:0 --api 127.0.0.1:0
      curl http://127.0.0.1:8025/api/v1/mailboxes
    """
    from kb.sim.serve import Bound, serve

    def ready(bound: Bound) -> None:
        click.echo(f"kb sim: {release}: SMTP on {bound.smtp[0]}:{bound.smtp[1]}", err=True)
        click.echo(f"kb sim: API on http://{bound.api[0]}:{bound.api[1]}/api/v1/", err=True)

    serve(release, smtp=smtp, api=api, config=config, on_ready=ready)
    click.echo("kb sim: stopped", err=True)
