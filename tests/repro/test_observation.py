"""What repro scripts return, and the transcript helpers they share."""

from __future__ import annotations

import pytest

from kb.repro import Observation, smtp_lines
from kb.sim import Organisation


def test_an_observation_survives_its_json_form() -> None:
    seen = Observation(symptom=True, evidence={"ndrs": 0}, transcript=["sent"])
    assert Observation.from_json(seen.to_json()) == seen


def test_smtp_lines_tag_each_command_and_its_reply_with_the_label() -> None:
    org = Organisation("Exchange Server 5.5 SP4")
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    dialogue = session.transaction("mx.example.org", "pat@example.org", ["nobody@nowhere.invalid"],
                                   b"Subject: x\r\n\r\nx\r\n")
    lines = smtp_lines(dialogue, "control")
    assert len(lines) == len(dialogue) and lines[0].startswith("[control]   C: EHLO mx.example.org  S: 250")
    assert lines[-1].startswith("[control]   C: QUIT  S: 221")


@pytest.mark.parametrize("symptom", ["no", 0, 1, None, [], "False"])
def test_a_symptom_that_is_not_true_or_false_is_a_type_error(symptom: object) -> None:
    with pytest.raises(TypeError, match="Observation.symptom: got"):
        Observation(symptom=symptom)  # type: ignore[arg-type]
