"""``kb verify``: run every linked repro across its lattice and judge each article."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.commands.options import articles_folder, articles_option, jobs_for, jobs_option, progress_bar

#: Exit status when there is nothing to verify, as pytest's "no tests collected".
NOTHING_TO_VERIFY = 5


@click.command(name="verify")
@click.argument("articles", nargs=-1, metavar="[ARTICLE...]")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML to FILE.")
@click.option("--repeat", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run every release N times; a verdict stands only when all agree. "
                   "[default: once, a failing or crashing release up to 3 times]")
@jobs_option("repros")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="S",
              help="Seconds one repro run may take before it is reported as timeout.")
@click.option("--strict", is_flag=True, help="Fail when a release is not judged by the article (unknown).")
@click.option("--no-cache", is_flag=True, help="Run every repro even when its inputs are unchanged.")
@click.option("--shard", metavar="K/N", callback=lambda ctx, param, value: _shard(value),
              help="Verify only shard K of N of the articles with repros.")
@articles_option
def command(articles: tuple[str, ...], as_json: bool, junit: Path | None, repeat: int | None, jobs: int | None,
            timeout: float, strict: bool, no_cache: bool, shard: tuple[int, int] | None, folder: Path | None) -> None:
    """Run each ARTICLE's repro (ids, records or folders; default: all) on every release of its lattice.

    Affected releases must show the symptom, the first-fixed release and later must not;
    releases the article does not mention are reported as unknown. Exit 0 when everything
    judged passes, 1 on fail/flaky (or nothing judged), 2 on error/timeout, 5 when no
    article named links a repro (nothing to verify, as pytest).

    \b
    Example:
      kb verify                       # every article in articles/
      kb verify Q254893 --json        # one article, JSON on stdout
      kb verify --jobs 2 --junit out/verify.xml --shard 1/4
    """
    from kb.verify import VerifyOptions, verify_kb
    from kb.verify.junit import write_junit
    from kb.verify.table import render_report

    folder = articles_folder(folder)
    options = VerifyOptions(repeat=repeat, jobs=jobs_for(jobs), timeout=timeout, strict=strict,
                            use_cache=not no_cache, shard=shard)
    with progress_bar("Verifying", 1) as advance:
        report = verify_kb(folder, articles, options,
                           progress=lambda done, total, article, release, verdict: advance(done, total))
    for warning in report.warnings:
        click.echo(f"kb verify: warning: {warning}", err=True)
    if junit is not None:
        write_junit(report, junit)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(render_report(report))
    code = report.exit_code()
    if not report.articles and not report.problems:
        # nothing to verify; an empty shard of a larger knowledge base is not an error
        code = 0 if shard else NOTHING_TO_VERIFY
    if code and as_json:
        click.echo(_why(report), err=True)
    click.get_current_context().exit(code)


def _shard(value: str | None) -> tuple[int, int] | None:
    """Parse --shard K/N; a bad value is a usage error (exit 2, click's "Error:" form)."""
    from kb.exceptions import KbError
    from kb.verify.shard import parse_shard

    try:
        return parse_shard(value) if value is not None else None
    except KbError as error:
        raise click.BadParameter(str(error).removeprefix("--shard: ")) from None


def _why(report: object) -> str:
    """Return the one-line reason for a non-zero exit (shown on stderr with --json)."""
    from kb.verify.report import VerifyReport

    assert isinstance(report, VerifyReport)
    counts = report.summary()
    if not report.articles:
        return "kb verify: nothing verified: no article links a repro"
    if report.judged == 0:
        return "kb verify: nothing judged: no release had an expectation to check"
    keys = ("fail", "flaky", "error", "timeout", "not_run") + (("unknown",) if report.strict else ())
    return "kb verify: not green: " + ", ".join(f"{counts[k]} {k}" for k in keys if counts[k])
