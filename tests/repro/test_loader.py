"""Loading a repro script by path: its run() function, or a located ReproError."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.exceptions import ReproError
from kb.repro.loader import load_run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "verify" / "repro"


def test_the_run_function_of_a_script_is_returned_and_callable() -> None:
    run = load_run(FIXTURES / "Q900002.py")
    assert run("Exchange Server 5.5 SP3").symptom is False


def test_a_script_that_raises_on_import_names_the_line(tmp_path: Path) -> None:
    script = tmp_path / "Q1.py"
    script.write_text("X = 1\nraise ValueError('bad import')\n", encoding="utf-8")
    with pytest.raises(ReproError, match=rf"^{script}:2: importing the repro raised ValueError: bad import"):
        load_run(script)


def test_a_missing_script_is_a_repro_error(tmp_path: Path) -> None:
    with pytest.raises(ReproError, match="repro script not found"):
        load_run(tmp_path / "nothing.py")
