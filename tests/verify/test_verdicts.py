"""Verdicts and the flake policy: a verdict stands only when every repeat agrees."""

from __future__ import annotations

from kb.repro.observation import Observation
from kb.repro.runner import RunOutcome
from kb.verify.verdicts import exit_code, needs_another_run, verdict

SYMPTOM = RunOutcome("ok", Observation(symptom=True))
CLEAN = RunOutcome("ok", Observation(symptom=False))
CRASH = RunOutcome("error", message="boom")
HUNG = RunOutcome("timeout", message="too slow")


def test_an_observation_matching_the_expectation_passes_and_a_mismatch_fails() -> None:
    assert verdict("symptom", [SYMPTOM]) == "pass"
    assert verdict("no-symptom", [CLEAN]) == "pass"
    assert verdict("no-symptom", [SYMPTOM]) == "fail"
    assert verdict("symptom", [CLEAN]) == "fail"


def test_a_release_the_article_does_not_judge_is_unknown_whatever_it_shows() -> None:
    assert verdict("unknown", [SYMPTOM]) == "unknown"
    assert verdict("unknown", [CLEAN]) == "unknown"


def test_crashes_and_hangs_are_errors_and_timeouts_even_on_unjudged_releases() -> None:
    assert verdict("unknown", [CRASH]) == "error"
    assert verdict("symptom", [HUNG]) == "timeout"


def test_disagreeing_repeats_are_flaky_never_pass() -> None:
    assert verdict("symptom", [SYMPTOM, CLEAN]) == "flaky"
    assert verdict("symptom", [SYMPTOM, SYMPTOM, CRASH]) == "flaky"


def test_by_default_a_pass_runs_twice_and_a_failure_is_retried_up_to_three_runs() -> None:
    assert needs_another_run("symptom", [SYMPTOM], None)
    assert not needs_another_run("symptom", [SYMPTOM, SYMPTOM], None)
    assert not needs_another_run("unknown", [SYMPTOM, SYMPTOM], None)
    assert needs_another_run("symptom", [CLEAN], None)
    assert needs_another_run("symptom", [CLEAN, CLEAN], None)
    assert not needs_another_run("symptom", [CLEAN, CLEAN, CLEAN], None)
    assert needs_another_run("symptom", [CRASH], None)
    assert not needs_another_run("symptom", [HUNG], None)


def test_an_explicit_repeat_runs_every_release_n_times_but_stops_once_flaky() -> None:
    assert needs_another_run("symptom", [SYMPTOM], 3)
    assert not needs_another_run("symptom", [SYMPTOM, SYMPTOM, SYMPTOM], 3)
    assert not needs_another_run("symptom", [SYMPTOM, CLEAN], 5)


def test_exit_code_is_2_on_errors_1_on_failures_and_0_when_all_judged_pass() -> None:
    assert exit_code({"pass": 3, "unknown": 2}) == 0
    assert exit_code({"pass": 3, "fail": 1}) == 1
    assert exit_code({"pass": 3, "flaky": 1}) == 1
    assert exit_code({"pass": 3, "fail": 1, "timeout": 1}) == 2
    assert exit_code({"pass": 3, "unknown": 1}, strict=True) == 1
