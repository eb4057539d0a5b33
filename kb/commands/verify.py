"""``kb verify``: run every linked repro across its lattice and judge each article."""

from __future__ import annotations

import json
from pathlib import Path

import click


def _progress(done: int, total: int, article: str, release: str, verdict: str) -> None:
    """Print one progress line on stderr."""
    click.echo(f"[{done}/{total}] {article} {release}: {verdict}", err=True)


@click.command(name="verify")
@click.argument("articles", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document on stdout.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML to FILE.")
@click.option("--repeat", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run every release N times; a verdict stands only when all agree. "
                   "[default: once, a failing or crashing release up to 3 times]")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Run N repros in parallel.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="S",
              help="Seconds one repro run may take before it is reported as timeout.")
@click.option("--strict", is_flag=True, help="Fail when a release is not judged by the article (unknown).")
@click.option("--no-cache", is_flag=True, help="Run every repro even when its inputs are unchanged.")
@click.option("--shard", metavar="K/N", help="Verify only shard K of N of the articles with repros.")
@click.option("--articles", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The articles folder. [default: articles/ of the kb root]")
def command(articles: tuple[str, ...], as_json: bool, junit: Path | None, repeat: int | None, jobs: int,
            timeout: float, strict: bool, no_cache: bool, shard: str | None, folder: Path | None) -> None:
    """Run each article's repro on every release of its status lattice and judge it.

    Affected releases must show the symptom, the first-fixed release and later must not;
    releases the article does not mention are reported as unknown. Exit 0 when everything
    judged passes, 1 on fail/flaky (or nothing judged), 2 on error/timeout.

    \b
    Example:
      kb verify                       # every article in articles/
      kb verify Q254893 --json        # one article, JSON on stdout
      kb verify --jobs 2 --junit out/verify.xml --shard 1/4
    """
    from kb.resources import project_root
    from kb.verify import VerifyOptions, verify_kb
    from kb.verify.junit import write_junit
    from kb.verify.shard import parse_shard
    from kb.verify.table import render_report

    folder = folder if folder is not None else project_root() / "articles"
    options = VerifyOptions(repeat=repeat, jobs=jobs, timeout=timeout, strict=strict, use_cache=not no_cache,
                            shard=parse_shard(shard) if shard else None)
    report = verify_kb(folder, articles, options, progress=_progress)
    for warning in report.warnings:
        click.echo(f"kb verify: warning: {warning}", err=True)
    if junit is not None:
        write_junit(report, junit)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        click.echo(render_report(report))
    code = report.exit_code()
    if code and as_json:
        click.echo(_why(report), err=True)
    click.get_current_context().exit(code)


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
