"""JUnit XML: one testcase per article x release, failures, errors and skips where CI expects them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from kb.repro.observation import Observation
from kb.repro.runner import RunOutcome
from kb.repro.expectations import Expectation
from kb.verify.junit import junit_tree, write_junit
from kb.verify.report import ArticleResult, ReleaseResult, VerifyReport

SYMPTOM = RunOutcome("ok", Observation(symptom=True, evidence={"ndr_count": 1}, transcript=["no second NDR"]))
CLEAN = RunOutcome("ok", Observation(symptom=False))


def _report() -> VerifyReport:
    article = ArticleResult(id="Q1", title="t", record="articles/Q1.yaml", script="repro/Q1.py", results=[
        ReleaseResult(Expectation("R1", "symptom", "affected"), [SYMPTOM]),
        ReleaseResult(Expectation("R2", "no-symptom", "fixed"), [SYMPTOM, SYMPTOM, SYMPTOM]),
        ReleaseResult(Expectation("R3", "symptom", "affected"), [SYMPTOM, CLEAN]),
        ReleaseResult(Expectation("R4", "symptom", "affected"), [RunOutcome("error", message="boom")]),
        ReleaseResult(Expectation("R5", "symptom", "affected"), [RunOutcome("timeout", message="slow")]),
        ReleaseResult(Expectation("R6", "unknown", "unknown"), [CLEAN]),
    ])
    return VerifyReport(articles=[article], problems=["articles/Q2.yaml:3: invalid YAML"])


def test_each_verdict_maps_to_the_junit_element_ci_tools_read() -> None:
    root = junit_tree(_report()).getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert [child.tag for child in cases["R1"]] == []
    assert cases["R2"].find("failure").get("type") == "fail"  # type: ignore[union-attr]
    assert cases["R3"].find("failure").get("type") == "flaky"  # type: ignore[union-attr]
    assert cases["R4"].find("error").get("message") == "boom"  # type: ignore[union-attr]
    assert cases["R5"].find("error").get("type") == "timeout"  # type: ignore[union-attr]
    assert "not judged" in cases["R6"].find("skipped").get("message")  # type: ignore[union-attr]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("7", "2", "3", "1")


def test_a_failure_carries_the_evidence_and_transcript() -> None:
    root = junit_tree(_report()).getroot()
    failure = next(c for c in root.iter("testcase") if c.get("name") == "R2").find("failure")
    assert failure is not None and "evidence ndr_count: 1" in (failure.text or "")
    assert "no second NDR" in (failure.text or "")


def test_the_written_file_is_well_formed_xml(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "verify.xml"
    write_junit(_report(), path)
    assert ET.parse(path).getroot().tag == "testsuites"
