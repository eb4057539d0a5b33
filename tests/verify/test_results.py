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


def _cached(report: VerifyReport) -> VerifyReport:
    """Return ``report`` with every result marked as served from the run cache."""
    for article in report.articles:
        for result in article.results:
            result.cached = True
    return report


def test_a_cached_verify_keeps_the_time_the_proof_last_ran(tmp_path: Path) -> None:
    save_results(_report("Q1", True), tmp_path, NOW)
    later = NOW + dt.timedelta(hours=3)
    save_results(_cached(_report("Q1", True)), tmp_path, later)
    article = load_results(tmp_path)["articles"][0]
    assert article["results"][0]["when"] == "2026-11-28T18:00:00Z"
    assert article["when"] == "2026-11-28T18:00:00Z"


def test_a_fresh_run_or_a_changed_result_is_stamped_anew(tmp_path: Path) -> None:
    save_results(_report("Q1", True), tmp_path, NOW)
    later = NOW + dt.timedelta(hours=3)
    save_results(_report("Q1", True), tmp_path, later)
    assert load_results(tmp_path)["articles"][0]["results"][0]["when"] == "2026-11-28T21:00:00Z"
    save_results(_cached(_report("Q1", False)), tmp_path, later + dt.timedelta(hours=1))
    assert load_results(tmp_path)["articles"][0]["results"][0]["when"] == "2026-11-28T22:00:00Z"
