"""JUnit XML for CI: one testsuite per article, one testcase per article x release."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

from kb.exceptions import KbError
from kb.files import write_atomic
from kb.verify.report import ReleaseResult, VerifyReport


def _evidence_text(result: ReleaseResult) -> str:
    """Return the body of a failure element: expectation, observations, evidence, transcript."""
    lines = [f"expected {result.expected}, observed {', '.join(run.signature for run in result.runs)}"]
    if result.message:
        lines.append(result.message)
    shown = result.observation_run
    if shown is not None and shown.observation is not None:
        for key, value in sorted(shown.observation.evidence.items()):
            lines.append(f"evidence {key}: {value}")
        lines.extend(shown.observation.transcript)
    stderr = next((run.stderr for run in result.runs if run.status != "ok" and run.stderr), "")
    if stderr:
        lines.append(stderr)
    return "\n".join(lines)


def junit_tree(report: VerifyReport) -> ET.ElementTree:
    """Build the JUnit XML tree of a report."""
    root = ET.Element("testsuites", name="kb verify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for article in report.articles:
        suite = ET.SubElement(root, "testsuite", name=article.id)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        seconds = 0.0
        for result in article.results:
            run_seconds = sum(run.seconds for run in result.runs)
            seconds += run_seconds
            case = ET.SubElement(suite, "testcase", classname=f"kb.verify.{article.id}",
                                 name=result.release, time=f"{run_seconds:.3f}")
            counts["tests"] += 1
            verdict = result.verdict
            if verdict in ("fail", "flaky"):
                counts["failures"] += 1
                element = ET.SubElement(case, "failure", type=verdict,
                                        message=f"{verdict}: expected {result.expected}, observed {result.observed}")
                element.text = _evidence_text(result)
            elif verdict in ("error", "timeout"):
                counts["errors"] += 1
                element = ET.SubElement(case, "error", type=verdict, message=result.message or verdict)
                element.text = _evidence_text(result)
            elif verdict == "unknown":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=f"not judged: the article does not mention this release "
                                                      f"(observed {result.observed})")
        if article.not_run:
            case = ET.SubElement(suite, "testcase", classname=f"kb.verify.{article.id}", name="(not run)")
            counts["tests"] += 1
            counts["errors"] += 1
            ET.SubElement(case, "error", type="not-run", message=article.not_run)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{seconds:.3f}")
    for problem in report.problems:
        suite = ET.SubElement(root, "testsuite", name="records", tests="1", errors="1", failures="0", skipped="0")
        case = ET.SubElement(suite, "testcase", classname="kb.verify.records", name=problem.split(":", 1)[0])
        ET.SubElement(case, "error", type="record", message=problem)
        totals["tests"] += 1
        totals["errors"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: VerifyReport, path: Path) -> None:
    """Write the report as JUnit XML to ``path`` atomically."""
    path = Path(path)
    stream = io.BytesIO()
    junit_tree(report).write(stream, encoding="utf-8", xml_declaration=True)
    try:
        write_atomic(path, stream.getvalue())
    except OSError as error:
        raise KbError(f"{path}: cannot write the JUnit report: {error.strerror}") from None
