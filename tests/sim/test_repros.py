"""The shipped repro scripts, run in-process on the whole build matrix."""

from __future__ import annotations

from pathlib import Path

from kb.repro.loader import load_run

REPRO = Path(__file__).resolve().parents[2] / "repro"


def test_q254893_shows_its_symptom_exactly_on_sp3(release: str) -> None:
    observation = load_run(REPRO / "Q254893.py")(release)
    assert observation.symptom == (release == "Exchange Server 5.5 SP3")
    control = observation.evidence["control_without_trailing_space"]
    assert (control["ndrs_after_send"], control["ndrs_after_send_again"]) == (1, 2)
    assert observation.transcript


def test_q228998_shows_its_symptom_exactly_before_sp3(release: str) -> None:
    observation = load_run(REPRO / "Q228998.py")(release)
    before_sp3 = release in ("Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2")
    assert observation.symptom == before_sp3
    assert observation.evidence["control_without_trailing_space"]["received_by"] == ["gateway.partner.example"]


def test_the_two_trailing_space_behaviours_are_independent() -> None:
    # An IMS with the routing fix on the SP2 store: routed correctly, and Send Again still NDRs.
    overlay = "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2594.0"
    assert load_run(REPRO / "Q228998.py")(overlay).symptom is False
    assert load_run(REPRO / "Q254893.py")(overlay).symptom is False
    # The SP3 store under an IMS without the trim: the IMS reports the raw address, the rows match.
    assert load_run(REPRO / "Q254893.py")("Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2448.0").symptom is False
