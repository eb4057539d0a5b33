"""kb.site.proof: the release strip's cells and the sentence they come to."""

from __future__ import annotations

from typing import Any

from kb.site.proof import names, proof_of

LINE = "Exchange Server 5.5"
STATUS = {"kind": "fixed", "affected": ["Exchange Server 5.5 SP3"], "fixed": "Exchange Server 5.5 SP4"}
OVERLAY = "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"
REPRO = {"script": "repro/Q254893.py", "releases": [{"release": OVERLAY, "expect": "no-symptom"}]}


def result(release: str, expected: str, observed: str, verdict: str, **more: Any) -> dict[str, Any]:
    """Return one verify result."""
    return {"release": release, "expected": expected, "observed": observed, "verdict": verdict, **more}


def passing() -> list[dict[str, Any]]:
    """Return results that prove the status on every release and the overlay."""
    unknown = [result(f"{LINE}{sp}", "unknown", "no-symptom", "unknown") for sp in ("", " SP1", " SP2")]
    return unknown + [result(f"{LINE} SP3", "symptom", "symptom", "pass", when="2026-11-28T10:00:00Z"),
                      result(f"{LINE} SP4", "no-symptom", "no-symptom", "pass", when="2026-11-28T10:00:05Z"),
                      result(OVERLAY, "no-symptom", "no-symptom", "pass")]


def test_the_sentence_of_a_proven_article() -> None:
    proof = proof_of(STATUS, REPRO, passing())
    assert proof.sentence == ("Reproduced on 5.5 SP3; absent on SP4 and on SP3 + Store.exe 5.5.2652.17; "
                              "5.5 RTM–SP2 not claimed by the article (the repro sees no symptom there).")
    assert proof.last_run == "2026-11-28T10:00:05Z"


def test_every_release_of_the_line_and_the_overlay_gets_a_cell_in_order() -> None:
    cells = proof_of(STATUS, REPRO, passing()).cells
    assert [(c.label, c.claim, c.css) for c in cells] == [
        ("RTM", "unknown", "unknown"), ("SP1", "unknown", "unknown"), ("SP2", "unknown", "unknown"),
        ("SP3", "affected", "pass"), ("SP4", "first fixed", "pass"),
        ("SP3 + Store.exe 5.5.2652.17", "fixed", "pass")]
    assert cells[-1].overlay and not cells[0].overlay


def test_contradictions_and_crashes_are_said_in_words() -> None:
    results = passing()
    results[3] = result(f"{LINE} SP3", "symptom", "no-symptom", "fail")
    results[4] = result(f"{LINE} SP4", "no-symptom", "symptom", "fail")
    results[5] = result(OVERLAY, "no-symptom", "error", "timeout", message="timed out after 60 s")
    proof = proof_of(STATUS, REPRO, results)
    assert proof.sentence.startswith("Not reproduced on 5.5 SP3, which the article says is affected; "
                                     "still seen on SP4, which the article says is fixed; "
                                     "no answer on SP3 + Store.exe 5.5.2652.17 (error, timeout or flaky);")
    assert [c.icon for c in proof.cells[3:]] == ["✗", "✗", "!"]


def test_without_results_the_strip_shows_the_claims_only() -> None:
    proof = proof_of(STATUS, None, [])
    assert proof.sentence == ("The article says affected on 5.5 SP3; fixed on SP4; "
                              "5.5 RTM–SP2 not claimed by the article.")
    assert {c.css for c in proof.cells} == {"none"} and proof.last_run is None


def test_a_result_for_a_release_the_record_no_longer_names_still_shows() -> None:
    stale = result("Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2594.0", "no-symptom", "no-symptom", "pass")
    cells = proof_of(STATUS, None, [stale]).cells
    assert cells[-1].label == "SP2 + Msexcimc.exe 5.5.2594.0" and cells[-1].css == "pass"


def test_short_names() -> None:
    assert names(LINE, LINE) == ("5.5 RTM", "RTM")
    assert names(OVERLAY, LINE) == ("5.5 SP3 + Store.exe 5.5.2652.17", "SP3 + Store.exe 5.5.2652.17")
