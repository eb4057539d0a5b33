"""The repro scripts of Q246051, Q245041, Q260741, Q264330, Q237927, Q252624 and Q192982 on the matrix.

Each must show its symptom on exactly the releases whose component builds carry the behaviour,
and its negative control must stay clean everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.repro.loader import load_run

REPRO = Path(__file__).resolve().parents[2] / "repro"
RTM, SP1, SP2, SP3, SP4 = ("Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2",
                           "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4")
SP3_STORE_FIX = "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"
BEFORE_SP4_IMS = {RTM, SP1, SP2, SP3, SP3_STORE_FIX}

SYMPTOM_ON = {
    "Q246051": BEFORE_SP4_IMS,
    "Q245041": BEFORE_SP4_IMS,
    "Q260741": BEFORE_SP4_IMS,
    "Q264330": BEFORE_SP4_IMS,
    "Q237927": {RTM, SP1, SP2},
    "Q252624": {SP3},
    "Q192982": {RTM, SP1},
}


@pytest.mark.parametrize("article", sorted(SYMPTOM_ON))
def test_the_repro_shows_its_symptom_exactly_where_the_builds_carry_it(article: str, release: str) -> None:
    observation = load_run(REPRO / f"{article}.py")(release)
    assert observation.symptom == (release in SYMPTOM_ON[article])
    assert observation.transcript and observation.evidence


def test_the_negative_controls_never_show_the_symptom(release: str) -> None:
    run = {article: load_run(REPRO / f"{article}.py")(release).evidence for article in SYMPTOM_ON}
    assert run["Q246051"]["control_under_limit"]["delivered_to"] == ["user1", "user2"]
    assert run["Q245041"]["control_real_user"]["delivered_to"] == ["pauline"]
    assert run["Q260741"]["control_no_full_mailbox"]["received_by_host"] == ["ann@example.net", "bo@example.net"]
    assert run["Q264330"]["control_plain_address"]["relayed_to"] == []
    assert run["Q237927"]["control_plain_address"]["rerouted_to"] == []
    assert run["Q252624"]["control_legal_attribute"]["delivered"] == 1
    assert run["Q192982"]["control_auto_reply"]["reached_internet"] == []


def test_the_mac_regression_follows_the_store_build_under_any_ims() -> None:
    run = load_run(REPRO / "Q252624.py")
    assert run("Exchange Server 5.5 SP2 + Store.exe 5.5.2650.23").symptom is True
    assert run("Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2653.0").symptom is True
    assert run(SP3_STORE_FIX).symptom is False
