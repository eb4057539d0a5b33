"""Nondeterministic repros are flaky, never a cached pass; the cache key follows a repro's imports."""

from __future__ import annotations

import shutil
from pathlib import Path

from kb.verify.cache import RunCache, script_hash
from kb.verify.expectations import Expectation
from kb.verify.runs import run_release
from kb.verify.verdicts import verdict

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "repros"
SP3 = "Exchange Server 5.5 SP3"


def test_a_coin_flip_repro_is_flaky_by_default_and_not_cached(tmp_path: Path) -> None:
    script = tmp_path / "repro" / "coin_flip.py"
    script.parent.mkdir()
    shutil.copy2(HOSTILE / "coin_flip.py", script)
    expectation = Expectation(release=SP3, expected="symptom", basis="affected")
    runs = run_release(script, expectation, root=tmp_path, repeat=None, timeout=30)
    assert [run.observed for run in runs] == ["symptom", "no-symptom"]
    assert verdict("symptom", runs) == "flaky"
    cache = RunCache(tmp_path)
    cache.put("a" * 64, runs)
    assert cache.get("a" * 64) is None


def _tree(root: Path) -> Path:
    """Write a repro tree: Q900001 imports a helper package module and another repro."""
    repro = root / "repro"
    (repro / "helpers").mkdir(parents=True)
    (repro / "helpers" / "__init__.py").write_text("")
    (repro / "helpers" / "smtp.py").write_text("GREETING = 'hello'\n")
    (repro / "helpers" / "deep.py").write_text("from . import smtp\n")
    (repro / "Q900002.py").write_text("SHARED = 1\n")
    (repro / "Q900003.py").write_text("UNRELATED = 1\n")
    script = repro / "Q900001.py"
    script.write_text("import importlib\nfrom helpers import deep\nimport Q900002\n"
                      "late = importlib.import_module('helpers.smtp')\n")
    return script


def test_editing_a_helper_in_a_subfolder_or_an_imported_repro_changes_the_cache_key(tmp_path: Path) -> None:
    script = _tree(tmp_path)
    before = script_hash(script)
    (tmp_path / "repro" / "helpers" / "smtp.py").write_text("GREETING = 'bye'\n")
    after_helper = script_hash(script)
    assert after_helper != before
    (tmp_path / "repro" / "Q900002.py").write_text("SHARED = 2\n")
    assert script_hash(script) != after_helper


def test_editing_a_repro_the_script_does_not_import_keeps_the_key(tmp_path: Path) -> None:
    script = _tree(tmp_path)
    before = script_hash(script)
    (tmp_path / "repro" / "Q900003.py").write_text("UNRELATED = 2\n")
    assert script_hash(script) == before
