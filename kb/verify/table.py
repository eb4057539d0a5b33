"""Human output of kb verify: a table per article (release x expected, observed, verdict)."""

from __future__ import annotations

import json
from typing import Any

from kb.verify.report import ArticleResult, ReleaseResult, VerifyReport

EVIDENCE_LINES = 12  # transcript lines shown under a failing release


def _evidence(result: ReleaseResult) -> list[str]:
    """Return the indented evidence lines shown under a release that did not pass."""
    lines: list[str] = []
    if result.message:
        lines.append(f"      {result.message}")
    if result.verdict == "flaky":
        lines.append(f"      runs disagreed: {', '.join(run.signature for run in result.runs)}")
    shown = result.observation_run
    if shown is not None and shown.observation is not None:
        for key, value in sorted(shown.observation.evidence.items()):
            lines.append(f"      evidence {key}: {_short(value)}")
        transcript = shown.observation.transcript
        for line in transcript[:EVIDENCE_LINES]:
            lines.append(f"      | {line}")
        if len(transcript) > EVIDENCE_LINES:
            lines.append(f"      | ... {len(transcript) - EVIDENCE_LINES} more lines (kb repro ARTICLE --release NAME)")
    elif result.runs and result.runs[-1].stderr and "raised" not in (result.message or ""):
        for line in result.runs[-1].stderr.strip().splitlines()[-6:]:
            lines.append(f"      ! {line}")
    return lines


def _short(value: Any) -> str:
    """Return a one-line rendering of an evidence value."""
    # JSON, as in --json and on the site: true/null/"text", never a Python repr
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def article_table(article: ArticleResult) -> list[str]:
    """Return the lines of one article's table."""
    head = f"{article.id}  {article.title}".rstrip()
    lines = [head, f"  repro: {article.script}"]
    if article.not_run:
        lines.append(f"  not run: {article.not_run}")
        return lines
    width = max([len("release")] + [len(r.release) for r in article.results])
    lines.append(f"  {'release':<{width}}  {'expected':<10}  {'observed':<10}  verdict")
    shown_messages: set[str] = set()
    for result in article.results:
        observed = "timeout" if result.verdict == "timeout" else result.observed
        runs = f" ({len(result.runs)} runs)" if len(result.runs) > 1 else ""
        cached = " (cached)" if result.cached else ""
        lines.append(f"  {result.release:<{width}}  {result.expected:<10}  {observed:<10}  "
                     f"{result.verdict.upper() if result.verdict in ('fail', 'flaky', 'error', 'timeout') else result.verdict}"
                     f"{runs}{cached}")
        if result.verdict in ("fail", "flaky", "error", "timeout"):
            if result.message and result.message in shown_messages:
                lines.append("      (the same error as above)")
                continue
            shown_messages.add(result.message or "")
            lines.extend(_evidence(result))
    return lines


def render_report(report: VerifyReport) -> str:
    """Return the whole human report: tables, problems, and a summary line."""
    lines: list[str] = []
    for article in report.articles:
        lines.extend(article_table(article))
        lines.append("")
    for problem in report.problems:
        lines.append(f"error: {problem}")
    counts = report.summary()
    parts = [f"{counts[k]} {k}" for k in ("pass", "fail", "flaky", "error", "timeout", "unknown")]
    lines.append(
        f"{counts['articles']} articles verified: " + ", ".join(parts)
        + f"; {counts['skipped']} without repro, {counts['not_run']} not run"
        + f"; {counts['runs']} runs, {counts['cached']} cached"
        + (f" (shard {report.shard})" if report.shard else "")
    )
    if not report.articles and not report.problems:
        lines.append("nothing verified: no article links a repro (add one with `kb repro init ARTICLE`)")
    elif report.judged == 0:
        lines.append("nothing judged: no release had an expectation to check, so this run is not green")
    if report.strict and counts["unknown"]:
        lines.append(f"--strict: {counts['unknown']} releases the articles do not judge count as failures")
    return "\n".join(lines)
