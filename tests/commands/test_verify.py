"""kb verify end to end on a temporary kb root of fixture articles and fixture repro scripts."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "verify"
SP3, SP4 = "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """Return a kb root holding the fixture articles and repro scripts."""
    shutil.copytree(FIXTURES / "articles", tmp_path / "articles")
    shutil.copytree(FIXTURES / "repro", tmp_path / "repro")
    return tmp_path


def verify(root: Path, *args: str) -> tuple[int, str, str]:
    """Run kb verify in ``root``; return exit code, stdout and stderr."""
    result = CliRunner().invoke(cli, ["verify", "--articles", str(root / "articles"), *args])
    return result.exit_code, result.stdout, result.stderr


def by_release(document: dict, article: str) -> dict[str, dict]:
    """Return one article's results keyed by release."""
    (found,) = [a for a in document["articles"] if a["id"] == article]
    return {r["release"]: r for r in found["results"]}


def test_a_faithful_repro_passes_on_affected_fixed_and_overlay_releases_and_exits_0(kb_root: Path) -> None:
    code, out, err = verify(kb_root, "Q900001", "--json")
    assert code == 0, err
    document = json.loads(out)
    results = by_release(document, "Q900001")
    assert {k: (v["expected"], v["observed"], v["verdict"]) for k, v in results.items()} == {
        "Exchange Server 5.5": ("unknown", "symptom", "unknown"),
        "Exchange Server 5.5 SP1": ("unknown", "symptom", "unknown"),
        "Exchange Server 5.5 SP2": ("unknown", "symptom", "unknown"),
        SP3: ("symptom", "symptom", "pass"),
        SP4: ("no-symptom", "no-symptom", "pass"),
        f"{SP3} + Msexcimc.exe 5.5.2651.58": ("symptom", "symptom", "pass"),
        f"{SP3} + Store.exe 5.5.2652.17": ("no-symptom", "no-symptom", "pass"),
    }
    summary = document["summary"]
    assert (summary["pass"], summary["fail"], summary["error"], summary["unknown"]) == (4, 0, 0, 3)
    assert err == ""  # progress is drawn on a terminal only, never into the JSON or a log


def test_the_human_table_lists_release_expected_observed_and_verdict(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900001")
    assert code == 0
    assert "Exchange Server 5.5 SP4                             no-symptom  no-symptom  pass" in out
    assert "1 articles verified: 4 pass, 0 fail" in out


def test_a_repro_that_never_shows_the_symptom_fails_on_the_affected_release_with_evidence(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900002")
    assert code == 1
    assert "Exchange Server 5.5 SP3  symptom     no-symptom  FAIL (3 runs)" in out
    assert "evidence ndr_count: 2" in out and "| both NDRs arrived" in out


def test_a_hanging_repro_is_reported_as_timeout_and_exits_2(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900003", "--json", "--timeout", "1", "--jobs", "5")
    assert code == 2
    results = by_release(json.loads(out), "Q900003")
    assert {r["verdict"] for r in results.values()} == {"timeout"}
    assert results[SP3]["observed"] == "error" and "did not finish within 1 s" in results[SP3]["message"]


def test_a_raising_repro_is_an_error_and_the_run_goes_on_to_other_articles(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900004", "Q900001", "--json")
    assert code == 2
    document = json.loads(out)
    assert by_release(document, "Q900004")[SP3]["verdict"] == "error"
    assert "Q900004.py:8: run('Exchange Server 5.5 SP3') raised RuntimeError" in by_release(document, "Q900004")[SP3]["message"]
    assert by_release(document, "Q900001")[SP4]["verdict"] == "pass"


def test_an_article_whose_repro_file_is_missing_is_an_error(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900006", "--json")
    assert code == 2
    results = by_release(json.loads(out), "Q900006")
    assert results[SP3]["verdict"] == "error" and "repro script not found" in results[SP3]["message"]


def test_repeats_that_disagree_are_flaky_never_pass(kb_root: Path) -> None:
    # one job: the fixture alternates through a counter file that parallel runs would race on
    code, out, _ = verify(kb_root, "Q900005", "--json", "--repeat", "2", "--jobs", "1")
    assert code == 1
    results = by_release(json.loads(out), "Q900005")
    assert results[SP4]["verdict"] == "flaky"
    assert results[SP4]["observations"] == ["no-symptom", "symptom"] or results[SP4]["observations"] == [
        "symptom", "no-symptom"]


def test_an_article_without_a_repro_is_skipped_and_nothing_to_verify_exits_5_like_pytest(kb_root: Path) -> None:
    code, out, err = verify(kb_root, "Q900007", "--json")
    assert code == 5
    document = json.loads(out)
    assert document["articles"] == [] and document["skipped"] == ["Q900007"]
    assert "nothing verified" in err


def test_strict_fails_when_a_release_is_not_judged(kb_root: Path) -> None:
    assert verify(kb_root, "Q900001", "--strict")[0] == 1


def test_junit_has_one_testcase_per_article_and_release(kb_root: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "verify.xml"
    code, _, _ = verify(kb_root, "Q900001", "Q900002", "--junit", str(report))
    assert code == 1
    root = ET.parse(report).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 12
    failing = [c for c in cases if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failing] == [("kb.verify.Q900002", SP3)]
    assert root.get("failures") == "1" and root.get("skipped") == "6"


def test_an_unchanged_article_is_served_from_the_cache_and_no_cache_forces_a_run(kb_root: Path) -> None:
    first = json.loads(verify(kb_root, "Q900001", "--json")[1])["summary"]
    second = json.loads(verify(kb_root, "Q900001", "--json")[1])["summary"]
    forced = json.loads(verify(kb_root, "Q900001", "--json", "--no-cache")[1])["summary"]
    # Seven releases, each run twice by default before its verdict stands.
    assert (first["runs"], first["cached"]) == (14, 0)
    assert (second["runs"], second["cached"]) == (0, 7)  # cached counts releases
    assert (forced["runs"], forced["cached"]) == (14, 0)
    assert list((kb_root / ".kb" / "cache" / "verify").rglob("*.json"))


def test_editing_the_record_or_the_repro_invalidates_the_cache(kb_root: Path) -> None:
    verify(kb_root, "Q900001")
    record = kb_root / "articles" / "Q900001.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert json.loads(verify(kb_root, "Q900001", "--json")[1])["summary"]["cached"] == 0
    script = kb_root / "repro" / "Q900001.py"
    script.write_text(script.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert json.loads(verify(kb_root, "Q900001", "--json")[1])["summary"]["cached"] == 0


def test_a_corrected_repro_is_seen_at_once_because_the_script_is_part_of_the_cache_key(kb_root: Path) -> None:
    verify(kb_root, "Q900002")
    shutil.copy(kb_root / "repro" / "Q900001.py", kb_root / "repro" / "Q900002.py")
    assert verify(kb_root, "Q900002")[0] == 0


def test_the_last_results_keep_evidence_transcript_and_when_for_the_site(kb_root: Path) -> None:
    verify(kb_root, "Q900001")
    verify(kb_root, "Q900002")
    saved = json.loads((kb_root / ".kb" / "verify-results.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in saved["articles"]] == ["Q900001", "Q900002"]
    sp3 = by_release(saved, "Q900001")[SP3]
    assert sp3["evidence"] == {"store": "5.5.2650.23"}
    assert sp3["transcript"] == [f"store 5.5.2650.23 on {SP3}"]
    assert sp3["when"].endswith("Z") and sp3["verdict"] == "pass"
    assert saved["summary"]["fail"] == 1


def test_shards_split_the_articles_with_repros_without_overlap(kb_root: Path) -> None:
    ids = []
    for shard in ("1/2", "2/2"):
        document = json.loads(verify(kb_root, "Q900001", "Q900002", "Q900005", "--json", "--shard", shard)[1])
        ids.append([a["id"] for a in document["articles"]])
        assert document["shard"] == shard
    assert ids == [["Q900001", "Q900005"], ["Q900002"]]


@pytest.mark.parametrize("value", ["3/2", "0/2", "x", "1/0"])
def test_a_bad_shard_is_a_usage_error_that_exits_2(kb_root: Path, value: str) -> None:
    code, out, err = verify(kb_root, "--shard", value)
    assert code == 2
    assert f"Error: Invalid value for '--shard': got {value!r}" in err
    assert "Traceback" not in err


def test_an_unknown_article_is_a_one_line_error(kb_root: Path) -> None:
    code, _, err = verify(kb_root, "Q123456")
    assert code != 0
    assert "Q123456: no such article" in err and "Traceback" not in err


def test_a_broken_record_is_reported_located_and_the_other_articles_still_run(kb_root: Path) -> None:
    (kb_root / "articles" / "Q900099.yaml").write_text("id: Q900099\ntitle: [unclosed\n", encoding="utf-8")
    for name in ("Q900002", "Q900003", "Q900004", "Q900005", "Q900006", "Q900008"):
        (kb_root / "articles" / f"{name}.yaml").unlink()
    code, out, _ = verify(kb_root, "--json")
    assert code == 2
    document = json.loads(out)
    assert [a["id"] for a in document["articles"]] == ["Q900001"]
    (problem,) = document["problems"]
    assert problem.startswith(str(kb_root / "articles" / "Q900099.yaml") + ":") and "invalid YAML" in problem
    assert by_release(document, "Q900001")[SP3]["verdict"] == "pass"


def test_an_unwritable_kb_folder_is_a_warning_and_the_verdicts_still_stand(kb_root: Path) -> None:
    (kb_root / ".kb").write_text("not a folder", encoding="utf-8")
    code, out, err = verify(kb_root, "Q900001", "--json")
    assert code == 0
    assert json.loads(out)["summary"]["pass"] == 4
    assert "warning:" in err and "Traceback" not in err


def test_a_junit_path_that_cannot_be_written_is_a_one_line_error(kb_root: Path) -> None:
    (kb_root / "blocked").write_text("a file, not a folder", encoding="utf-8")
    code, _, err = verify(kb_root, "Q900001", "--junit", str(kb_root / "blocked" / "verify.xml"))
    assert code != 0
    assert "cannot write the JUnit report" in err and "Traceback" not in err


def test_the_table_names_a_missing_script_once_not_once_per_release(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900006")
    assert code == 2
    assert out.count("repro script not found") == 1
    assert out.count("(the same error as above)") == 4


def test_a_mapping_entry_states_the_expectation_of_a_hotfix_overlay(kb_root: Path) -> None:
    from kb.store import dump_article, load_article

    path = kb_root / "articles" / "Q900001.yaml"
    article = load_article(path)
    overlay = f"{SP3} + Store.exe 5.5.2653.22"
    article.repro = {**article.repro, "releases": [{"release": overlay, "expect": "no-symptom"}]}
    dump_article(article, path)
    code, out, _ = verify(kb_root, "Q900001", "--json")
    assert code == 0
    result = by_release(json.loads(out), "Q900001")[overlay]
    assert (result["expected"], result["observed"], result["basis"]) == ("no-symptom", "no-symptom", "record")


def test_an_empty_shard_of_a_larger_knowledge_base_is_not_an_error(kb_root: Path) -> None:
    code, out, _ = verify(kb_root, "Q900001", "--json", "--shard", "2/2")
    assert code == 0 and json.loads(out)["articles"] == []


def test_a_folder_of_records_is_verified_like_the_ids_in_it(kb_root: Path, tmp_path: Path) -> None:
    picked = tmp_path / "picked"
    picked.mkdir()
    shutil.copy(kb_root / "articles" / "Q900001.yaml", picked)
    by_folder = json.loads(verify(kb_root, str(picked), "--json", "--no-cache")[1])
    by_id = json.loads(verify(kb_root, "Q900001", "--json", "--no-cache")[1])
    assert [a["id"] for a in by_folder["articles"]] == [a["id"] for a in by_id["articles"]] == ["Q900001"]
