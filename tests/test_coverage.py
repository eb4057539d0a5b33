"""kb.coverage: which articles are candidates for a repro, and the state of each."""

from __future__ import annotations

from typing import Any

import pytest

from kb.coverage import ArticleFacts, facts, short_release, state_of, summary_line, tally

SP4 = "Exchange Server 5.5 SP4"


def status(**changes: Any) -> dict[str, Any]:
    """Return a status block fixed in 5.5 SP4 by its STATUS text, with ``changes``."""
    block = {"kind": "fixed", "affected": ["Exchange Server 5.5 SP3"], "fixed": SP4, "fixed_source": "status"}
    block.update(changes)
    return block


def of(status_block: dict[str, Any] | None, title: str = "XFOR: Internet Mail Service Drops Mail",
       symptoms: str = "", repro: dict[str, Any] | None = None) -> ArticleFacts:
    """Return the facts of an article with these parts."""
    return facts("Q100001", title, status_block, repro, lambda name: symptoms if name == "SYMPTOMS" else "")


def test_an_ims_article_whose_status_names_a_simulated_fix_is_a_candidate() -> None:
    assert of(status()).candidate


@pytest.mark.parametrize("block, why", [
    (status(fixed="Exchange Server 5.0 SP2"), "5.0 cannot be simulated (no store or IMS builds)"),
    (status(fixed_source="keyword"), "only a fix keyword names the fix, not STATUS"),
    (status(kind="feature"), "a feature, not a bug"),
    (status(fixed=None), "no concrete fix"),
    (None, "no status at all"),
])
def test_an_article_without_a_concrete_simulated_fix_is_not_a_candidate(block: dict | None, why: str) -> None:
    assert not of(block).candidate, why


def test_the_component_may_be_named_in_the_symptoms_rather_than_the_title() -> None:
    assert not of(status(), title="XADM: Messages Are Lost").candidate
    assert of(status(), title="XADM: Messages Are Lost", symptoms="the MSExchangeIMC service logs 4116").candidate


def test_a_linked_repro_or_judgement_makes_a_simulable_article_a_candidate() -> None:
    assert of(status(), title="XADM: Messages Are Lost", repro={"script": "repro/Q100001.py"}).candidate
    judged = of(status(), title="XADM: Setup Fails", repro={"status": "not-reproducible", "why": "setup"})
    assert judged.candidate and judged.repro == "not-reproducible" and judged.why == "setup"


@pytest.mark.parametrize("results, state", [
    ([{"expected": "symptom", "verdict": "pass"}, {"expected": "no-symptom", "verdict": "pass"}], "proven"),
    ([{"expected": "symptom", "verdict": "pass"}, {"expected": "unknown", "verdict": "unknown"}], "unproven"),
    ([{"expected": "symptom", "verdict": "pass"}, {"expected": "no-symptom", "verdict": "fail"}], "failing"),
    ([{"expected": "symptom", "verdict": "pass"}, {"expected": "no-symptom", "verdict": "timeout"}], "failing"),
    ([], "unproven"),
])
def test_the_state_of_an_article_with_a_repro_follows_its_last_results(results: list, state: str) -> None:
    assert state_of(of(status(), repro={"script": "repro/Q100001.py"}), results) == state


def test_counts_and_the_headline() -> None:
    counts = tally([(True, "script", "proven"), (True, None, "open"), (True, "not-reproducible", "not-reproducible"),
                    (False, None, None), (True, "script", "failing")])
    assert counts == {"candidates": 4, "failing": 1, "not_reproducible": 1, "open": 1, "proven": 1,
                      "unproven": 0, "with_repro": 2}
    assert summary_line(counts) == "1 of 4 candidate articles proven"


def test_short_release_names_drop_the_family() -> None:
    assert short_release("Exchange Server 5.5 SP3") == "5.5 SP3"
    assert short_release("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17") == "5.5 SP3 + Store.exe 5.5.2652.17"
    assert short_release("Not A Product 1.0") == "Not A Product 1.0"
