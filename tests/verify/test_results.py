"""The last results kept for the site: merged by article, stamped with when, atomic."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kb.repro.observation import Observation
from kb.repro.runner import RunOutcome
from kb.repro.expectations import Expectation
from kb.verify.report import ArticleResult, ReleaseResult, VerifyReport
from kb.verify.results import load_results, save_results

NOW = dt.datetime(2026, 11, 28, 18, 0, 0, tzinfo=dt.timezone.utc)


def _report(article_id: str, symptom: bool) -> VerifyReport:
    run = RunOutcome("ok", Observation(symptom=symptom, evidence={"n": 1}, transcript=["step"]))
    result = ReleaseResult(Expectation("R1", "symptom", "affected"), [run])
    return VerifyReport(articles=[ArticleResult(article_id, "t", "r", "s", [result])])


def test_a_run_over_some_articles_keeps_the_others_and_replaces_its_own(tmp_path: Path) -> None:
    save_results(_report("Q1", True), tmp_path, NOW)
    save_results(_report("Q2", True), tmp_path, NOW)
    save_results(_report("Q1", False), tmp_path, NOW)
    saved = load_results(tmp_path)
    assert [a["id"] for a in saved["articles"]] == ["Q1", "Q2"]
    assert saved["articles"][0]["results"][0]["verdict"] == "fail"
    assert saved["summary"]["pass"] == 1 and saved["summary"]["fail"] == 1


def test_each_result_has_when_evidence_and_transcript(tmp_path: Path) -> None:
    path = save_results(_report("Q1", True), tmp_path, NOW)
    result = json.loads(path.read_text(encoding="utf-8"))["articles"][0]["results"][0]
    assert result["when"] == "2026-11-28T18:00:00Z"
    assert result["evidence"] == {"n": 1} and result["transcript"] == ["step"]


def test_a_damaged_results_file_is_replaced_not_fatal(tmp_path: Path) -> None:
    (tmp_path / ".kb").mkdir()
    (tmp_path / ".kb" / "verify-results.json").write_text("{oops", encoding="utf-8")
    assert load_results(tmp_path) == {"articles": [], "summary": {}}
    save_results(_report("Q1", True), tmp_path, NOW)
    assert [a["id"] for a in load_results(tmp_path)["articles"]] == ["Q1"]
