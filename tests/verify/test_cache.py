"""The content-hash cache: what invalidates a cached run, and what is never cached."""

from __future__ import annotations

from pathlib import Path

from kb.repro.observation import Observation
from kb.repro.runner import RunOutcome
from kb.verify.cache import RunCache, run_key, script_hash

SP3 = "Exchange Server 5.5 SP3"


def _script(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_key_changes_with_the_record_the_script_the_release_and_the_repeat_policy(tmp_path: Path) -> None:
    script = _script(tmp_path, "Q1.py", "A = 1\n")
    base = run_key(b"record", script, SP3, None)
    assert base == run_key(b"record", script, SP3, None)
    assert base != run_key(b"record edited", script, SP3, None)
    assert base != run_key(b"record", script, "Exchange Server 5.5 SP4", None)
    assert base != run_key(b"record", script, SP3, 5)
    script.write_text("A = 2\n", encoding="utf-8")
    assert base != run_key(b"record", script, SP3, None)


def test_a_helper_module_counts_but_another_article_s_repro_does_not(tmp_path: Path) -> None:
    script = _script(tmp_path, "Q1.py", "A = 1\n")
    before = script_hash(script)
    _script(tmp_path, "Q2.py", "B = 1\n")
    assert script_hash(script) == before
    _script(tmp_path, "_helpers.py", "C = 1\n")
    assert script_hash(script) != before


def test_agreeing_observations_are_cached_and_errors_timeouts_and_flakes_are_not(tmp_path: Path) -> None:
    cache = RunCache(tmp_path)
    good = [RunOutcome("ok", Observation(symptom=True, evidence={"n": 1}))] * 2
    cache.put("a" * 64, good)
    assert [run.to_json() for run in cache.get("a" * 64) or []] == [run.to_json() for run in good]
    for key, runs in (
        ("b" * 64, [RunOutcome("error", message="boom")]),
        ("c" * 64, [RunOutcome("timeout", message="slow")]),
        ("d" * 64, [RunOutcome("ok", Observation(symptom=True)), RunOutcome("ok", Observation(symptom=False))]),
        ("f" * 64, [RunOutcome("ok", Observation(symptom=True))]),  # one run is no agreement
    ):
        cache.put(key, runs)
        assert cache.get(key) is None


def test_a_damaged_cache_entry_counts_as_a_miss(tmp_path: Path) -> None:
    cache = RunCache(tmp_path)
    cache.put("e" * 64, [RunOutcome("ok", Observation(symptom=False))] * 2)
    (path,) = (tmp_path / ".kb" / "cache" / "verify").rglob("*.json")
    path.write_text("{not json", encoding="utf-8")
    assert cache.get("e" * 64) is None
