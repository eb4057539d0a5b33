"""``kb check``: the main job — validate, verify and publish the bundled knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import jobs_for, jobs_option


@click.command(name="check")
@click.option("--no-verify", is_flag=True, help="Skip running the repros.")
@click.option("--no-site", is_flag=True, help="Skip building the static site.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the site goes. [default: site/ of the kb root]")
@jobs_option("repros (and page renderers)")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
def command(no_verify: bool, no_site: bool, out: Path | None, jobs: int | None, as_json: bool) -> None:
    """Validate every article, verify every repro and build the site.

    Exit 0 when every record validates, every judged release passes and the site builds;
    otherwise 1 (2 when a repro crashed or timed out).

    \b
    Example:
      kb check                    # in a kb folder (with articles/ and repro/)
      kb check --no-site --json
    """
    from kb.check import run_check
    from kb.resources import project_root

    root = project_root()
    site_out = None if no_site else (out or root / "site")
    report = run_check(root, verify=not no_verify, site_out=site_out, jobs=jobs_for(jobs),
                       say=lambda message: click.echo(message, err=True))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        for diagnostic in report.diagnostics:
            click.echo(diagnostic.format(), err=True)
        lines = [f"validate: {report.records} records, {len(report.errors)} errors"]
        if report.verify is not None:
            summary = report.verify.summary()
            verdicts = ("pass", "fail", "flaky", "error", "timeout", "unknown")
            lines.append(f"verify:   {summary['articles']} articles: "
                         + ", ".join(f"{summary[k]} {k}" for k in verdicts)
                         + f" ({summary['runs']} runs, {summary['cached']} cached)")
        if report.site is not None:
            lines.append(f"site:     {report.site.articles} articles in {report.site.out}"
                         + (f", {len(report.site.errors)} errors" if report.site.errors else ""))
        click.echo("\n".join(lines))
    click.get_current_context().exit(report.exit_code())
