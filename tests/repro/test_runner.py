"""The isolated runner: one repro, one release, one subprocess, with a timeout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.repro.runner import RunOutcome, run_isolated

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "verify" / "repro"
SP3 = "Exchange Server 5.5 SP3"


@pytest.fixture(autouse=True, params=["fork", "process"])
def isolation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every test with a warm fork server and with a new interpreter per run."""
    monkeypatch.setenv("KB_REPRO_ISOLATION", request.param)
    return request.param


def test_an_observation_comes_back_even_when_the_repro_prints_to_stdout() -> None:
    outcome = run_isolated(FIXTURES / "always.py", SP3, timeout=30)
    assert outcome.status == "ok"
    assert outcome.observed == "symptom"
    assert outcome.observation is not None
    assert outcome.observation.evidence == {"ndr_count": 1, "release": SP3}
    assert "must not corrupt" in outcome.stderr


def test_a_repro_without_the_symptom_is_observed_as_no_symptom() -> None:
    assert run_isolated(FIXTURES / "Q900002.py", SP3, timeout=30).observed == "no-symptom"


def test_a_hanging_repro_is_killed_and_reported_as_timeout() -> None:
    outcome = run_isolated(FIXTURES / "Q900003.py", SP3, timeout=1.5)
    assert outcome.status == "timeout"
    assert outcome.observed == "error"
    assert outcome.signature == "timeout"
    assert outcome.seconds < 20
    assert "did not finish within 1.5 s" in (outcome.message or "")


def test_a_raising_repro_is_an_error_located_in_the_script() -> None:
    outcome = run_isolated(FIXTURES / "Q900004.py", SP3, timeout=30)
    assert outcome.status == "error"
    assert "Q900004.py:" in (outcome.message or "")
    assert "RuntimeError: mailbox 'joeuser' not found on Exchange Server 5.5 SP3" in (outcome.message or "")
    assert "Traceback" in outcome.stderr


def test_a_repro_returning_something_other_than_an_observation_is_an_error() -> None:
    outcome = run_isolated(FIXTURES / "wrong_type.py", SP3, timeout=30)
    assert outcome.status == "error"
    assert "returned dict, expected kb.repro.Observation" in (outcome.message or "")


def test_a_missing_repro_script_is_an_error_without_starting_a_process(tmp_path: Path) -> None:
    outcome = run_isolated(tmp_path / "Q999999.py", SP3, timeout=30)
    assert outcome.status == "error"
    assert "repro script not found" in (outcome.message or "")


def test_a_repro_with_a_syntax_error_is_located_by_line(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("def run(release):\n    return (\n", encoding="utf-8")
    outcome = run_isolated(script, SP3, timeout=30)
    assert outcome.status == "error"
    assert f"{script}:" in (outcome.message or "") and "syntax error" in (outcome.message or "")


def test_a_repro_without_a_run_function_is_an_error(tmp_path: Path) -> None:
    script = tmp_path / "norun.py"
    script.write_text("X = 1\n", encoding="utf-8")
    assert "defines no run(release) function" in (run_isolated(script, SP3, timeout=30).message or "")


def test_a_repro_may_import_a_helper_module_beside_it(tmp_path: Path) -> None:
    (tmp_path / "_helpers.py").write_text("ANSWER = True\n", encoding="utf-8")
    (tmp_path / "Q1.py").write_text(
        "from _helpers import ANSWER\nfrom kb.repro import Observation\n\n"
        "def run(release):\n    return Observation(symptom=ANSWER)\n",
        encoding="utf-8",
    )
    assert run_isolated(tmp_path / "Q1.py", SP3, timeout=30).observed == "symptom"


def test_an_outcome_survives_a_round_trip_through_json() -> None:
    outcome = run_isolated(FIXTURES / "always.py", SP3, timeout=30)
    again = RunOutcome.from_json(outcome.to_json())
    assert again.to_json() == outcome.to_json()


def test_each_run_is_a_fresh_process_so_state_does_not_leak(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "Q900005.py", tmp_path / "Q900005.py")
    observed = [run_isolated(tmp_path / "Q900005.py", SP3, timeout=30).observed for _ in range(3)]
    assert observed == ["symptom", "no-symptom", "symptom"]


def test_a_thread_the_repro_leaves_running_does_not_turn_a_result_into_a_timeout() -> None:
    outcome = run_isolated(FIXTURES / "lingering.py", SP3, timeout=10)
    assert outcome.status == "ok" and outcome.observed == "symptom"
    assert outcome.seconds < 10


def test_the_isolation_mode_follows_kb_repro_isolation(isolation: str) -> None:
    from kb.repro.runner import isolation as current

    assert current() == isolation
