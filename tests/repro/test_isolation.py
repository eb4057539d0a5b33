"""Hostile repros: bounded output, the same results under fork and process isolation, no survivors."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from kb.repro.isolation import OUTPUT_CAP, TRUNCATED
from kb.repro.runner import run_isolated

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "repros"
SP3 = "Exchange Server 5.5 SP3"


@pytest.fixture(autouse=True, params=["fork", "process"])
def isolation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every test with a warm fork server and with a new interpreter per run."""
    monkeypatch.setenv("KB_REPRO_ISOLATION", request.param)
    return request.param


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point temporary files of kb (and of the runs it starts) at an empty folder."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _alive(pid: int) -> bool:
    """Tell whether ``pid`` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:].split()[0] != b"Z"


def test_a_repro_printing_fifty_megabytes_gives_a_capped_marked_log() -> None:
    outcome = run_isolated(HOSTILE / "chatty.py", SP3, timeout=60)
    assert outcome.observed == "symptom"
    assert outcome.stderr.startswith(f"[{TRUNCATED}")
    assert outcome.stderr.endswith("the last line\n")
    assert len(outcome.stderr) < OUTPUT_CAP


def test_twenty_megabytes_of_evidence_are_cut_to_the_cap_with_a_marker() -> None:
    outcome = run_isolated(HOSTILE / "huge_evidence.py", SP3, timeout=60)
    assert outcome.observed == "symptom"
    assert outcome.observation is not None
    assert TRUNCATED in outcome.observation.evidence["truncated"]
    assert len(str(outcome.to_json())) < OUTPUT_CAP


def test_a_childs_exit_status_is_the_same_as_in_a_new_interpreter() -> None:
    outcome = run_isolated(HOSTILE / "sigchld.py", SP3, timeout=30)
    assert outcome.observation is not None
    assert outcome.observation.evidence == {"returncode": 1}


def test_children_that_leave_the_session_are_killed_when_the_run_ends() -> None:
    outcome = run_isolated(HOSTILE / "setsid_child.py", SP3, timeout=10)
    assert outcome.observation is not None
    pids = outcome.observation.evidence["pids"]
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in pids if _alive(pid)]
    for pid in survivors:  # do not leave them behind on a failing run
        os.kill(pid, 9)
    assert survivors == []


def test_temporary_files_of_a_run_are_removed_when_it_ends(scratch: Path) -> None:
    outcome = run_isolated(HOSTILE / "tempfiles.py", SP3, timeout=30)
    assert outcome.observation is not None
    assert not Path(outcome.observation.evidence["folder"]).exists()
    assert [p.name for p in scratch.iterdir() if p.name.startswith("kb-repro-")] == []


def test_a_symptom_that_is_not_a_bool_is_an_error_not_a_symptom() -> None:
    outcome = run_isolated(HOSTILE / "symptom_no.py", SP3, timeout=30)
    assert outcome.status == "error"
    assert "TypeError: Observation.symptom: got 'no'" in (outcome.message or "")


def test_a_repro_that_allocates_without_end_gets_a_memory_error_not_the_machine() -> None:
    outcome = run_isolated(HOSTILE / "memory_hog.py", SP3, timeout=30)
    assert outcome.status == "error"
    assert "raised MemoryError" in (outcome.message or "")
