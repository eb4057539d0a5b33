"""kb coverage through the CLI: candidates, repros, proven, failing, not reproducible, README table."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli import cli

from kb_roots import PROJECT, shipped_kb  # type: ignore[import-not-found]

#: Corpus articles imported beside the shipped ones: two IMS articles whose STATUS names a
#: 5.5 service pack (candidates without a repro) and a client article fixed in a 5.5 service
#: pack that names no simulated component (not a candidate).
CANDIDATES = ("Q169223", "Q177793")
OUTSIDE = ("Q201315",)


def run(*args: str) -> tuple[int, str, str]:
    """Run kb with ``args``; return exit code, stdout and stderr."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def shipped() -> list[dict]:
    """Return the data of the shipped records that link a repro script."""
    records = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((PROJECT / "articles").glob("Q*.yaml"))]
    return [r for r in records if (r.get("repro") or {}).get("script")]


def unscripted_candidates(judged: bool = False) -> int:
    """Return how many shipped records are candidates without a repro script (kb.coverage decides).

    With ``judged``, count those the record judges not reproducible; else those still open.
    """
    from kb.coverage import facts_of
    from kb.store import load_article

    scripted = {r["id"] for r in shipped()}
    count = 0
    for path in sorted((PROJECT / "articles").glob("Q*.yaml")):
        repro = yaml.safe_load(path.read_text(encoding="utf-8")).get("repro") or {}
        if path.stem in scripted or (repro.get("status") == "not-reproducible") != judged:
            continue
        count += facts_of(load_article(path)).candidate
    return count


def results_file(root: Path, verdicts: dict[str, dict[str, str]]) -> None:
    """Write .kb/verify-results.json: per article, {expected: verdict} results."""
    articles = [{"id": article_id, "results": [
        {"release": f"R{i}", "expected": expected, "observed": expected, "verdict": verdict}
        for i, (expected, verdict) in enumerate(results.items())]}
        for article_id, results in sorted(verdicts.items())]
    (root / ".kb").mkdir(exist_ok=True)
    (root / ".kb" / "verify-results.json").write_text(json.dumps({"articles": articles}), encoding="utf-8")


@pytest.fixture
def kb_root(tmp_path: Path, corpus: Path) -> Path:
    """Return a kb of the shipped records plus a few imported corpus articles."""
    root = shipped_kb(tmp_path / "kb")
    code, _, err = run("import", *(str(corpus / "exchange" / f"{i}.TXT") for i in CANDIDATES + OUTSIDE),
                       "--out", str(root / "articles"))
    assert code == 0, err
    return root


def all_proven_but(failing: str) -> dict[str, dict[str, str]]:
    """Return verify verdicts proving every shipped article except ``failing``."""
    verdicts = {r["id"]: {"symptom": "pass", "no-symptom": "pass"} for r in shipped()}
    verdicts[failing] = {"symptom": "fail", "no-symptom": "pass"}
    return verdicts


def mark_not_reproducible(root: Path, article_id: str, why: str) -> None:
    """Give a record the not-reproducible judgement."""
    path = root / "articles" / f"{article_id}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^repro: null$", f"repro:\n  status: not-reproducible\n  why: '{why}'", text,
                           flags=re.M), encoding="utf-8")
    assert "status: not-reproducible" in path.read_text(encoding="utf-8")


def test_json_counts_candidates_repros_proven_failing_and_not_reproducible(kb_root: Path) -> None:
    records = shipped()
    results_file(kb_root, all_proven_but(records[0]["id"]))
    mark_not_reproducible(kb_root, CANDIDATES[1], "needs two sites replicating the directory")
    code, out, err = run("coverage", "--articles", str(kb_root / "articles"), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["counts"] == {
        "candidates": len(records) + len(CANDIDATES) + unscripted_candidates() + unscripted_candidates(judged=True),
        "failing": 1, "not_reproducible": 1 + unscripted_candidates(judged=True), "open": 1 + unscripted_candidates(),
        "proven": len(records) - 1, "unproven": 0, "with_repro": len(records)}
    states = {row["id"]: row["state"] for row in document["articles"]}
    assert states[records[0]["id"]] == "failing"
    assert states[CANDIDATES[0]] == "open" and OUTSIDE[0] not in states
    (judged,) = [row for row in document["articles"] if row["id"] == CANDIDATES[1]]
    assert judged["why"] == "needs two sites replicating the directory"
    assert out.index('"articles"') < out.index('"counts"') < out.index('"problems"')


def test_proven_needs_a_pass_on_an_affected_and_on_a_fixed_release(kb_root: Path) -> None:
    first, second = (r["id"] for r in shipped()[:2])
    results_file(kb_root, {first: {"symptom": "pass", "unknown": "unknown"},
                           second: {"symptom": "pass", "no-symptom": "pass"}})
    code, out, _ = run("coverage", first, second, "--articles", str(kb_root / "articles"), "--json")
    states = {row["id"]: row["state"] for row in json.loads(out)["articles"]}
    assert states == {first: "unproven", second: "proven"}


def test_the_text_report_leads_with_the_n_of_m_figure(kb_root: Path) -> None:
    records = shipped()
    results_file(kb_root, all_proven_but(records[0]["id"]))
    code, out, _ = run("coverage", str(kb_root / "articles"))
    assert code == 0
    total = len(records) + len(CANDIDATES) + unscripted_candidates() + unscripted_candidates(judged=True)
    assert out.splitlines()[0].startswith(f"{len(records) - 1} of {total} candidate articles proven")
    assert re.search(rf"^failing \(1\):\n  {records[0]['id']} ", out, re.M)


def test_markdown_prints_the_table_of_proven_articles_from_the_records(kb_root: Path) -> None:
    records = shipped()
    failing = records[0]["id"]
    results_file(kb_root, all_proven_but(failing))
    code, out, err = run("coverage", "--articles", str(kb_root / "articles"), "--markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "| Article | Title | Affected | First fixed | Component (build that fixes it) |"
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:]}
    assert set(rows) == {r["id"] for r in records} - {failing}
    for record in records[1:]:
        component = (record["repro"] or {}).get("component")
        if component:
            assert rows[record["id"]].endswith(f"| {component} |")
    assert failing in err  # named on stderr as left out, not silently dropped


def test_markdown_falls_back_to_the_fixing_overlay_when_the_record_names_no_component(kb_root: Path) -> None:
    path = kb_root / "articles" / "Q254893.yaml"
    path.write_text(re.sub(r"^  component: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    results_file(kb_root, {"Q254893": {"symptom": "pass", "no-symptom": "pass"}})
    _, out, _ = run("coverage", "Q254893", "--articles", str(kb_root / "articles"), "--markdown")
    assert out.splitlines()[2] == ("| Q254893 | XFOR: Internet Mail Service Does Not Generate the NDR | 5.5 SP3 "
                                   "| 5.5 SP4 (and 5.5 SP3 + Store.exe 5.5.2652.17) | Store.exe 5.5.2652.17 |")


def test_a_real_verify_proves_q254893_for_coverage(kb_root: Path) -> None:
    (kb_root / "repro").mkdir()
    shutil.copy(PROJECT / "repro" / "Q254893.py", kb_root / "repro")
    code, _, err = run("verify", "Q254893", "--articles", str(kb_root / "articles"))
    assert code == 0, err
    _, out, _ = run("coverage", "Q254893", "--articles", str(kb_root / "articles"), "--json")
    assert json.loads(out)["counts"]["proven"] == 1


def test_a_not_reproducible_judgement_needs_a_reason(kb_root: Path) -> None:
    mark_not_reproducible(kb_root, CANDIDATES[0], " ")
    code, out, err = run("validate", str(kb_root / "articles" / f"{CANDIDATES[0]}.yaml"))
    assert code != 0
    assert re.search(rf"{CANDIDATES[0]}\.yaml:\d+: .*repro\.why.*blank", out + err)


def test_verify_skips_an_article_judged_not_reproducible(kb_root: Path) -> None:
    mark_not_reproducible(kb_root, CANDIDATES[0], "a setup wizard crash the simulator does not model")
    code, out, err = run("verify", CANDIDATES[0], "--articles", str(kb_root / "articles"), "--json")
    assert json.loads(out)["skipped"] == [CANDIDATES[0]]
    assert "not-reproducible" not in err


def test_an_unknown_article_is_one_line_and_non_zero(kb_root: Path) -> None:
    code, out, err = run("coverage", "Q999999", "--articles", str(kb_root / "articles"))
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Q999999" in err
