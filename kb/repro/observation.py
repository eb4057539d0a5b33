"""What a repro script returns: did the symptom show, and the evidence that says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Observation:
    """The outcome of one repro run on one release.

    ``symptom`` is the verdict of the script's own observation; ``evidence`` holds the facts it
    saw through public interfaces (NDRs received, event log entries, where the message ended up),
    and ``transcript`` is the step-by-step account a support engineer would read.
    """

    symptom: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "evidence": self.evidence,
            "symptom": bool(self.symptom),
            "transcript": list(self.transcript),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Observation":
        """Build an Observation from its JSON form."""
        return cls(
            symptom=bool(data["symptom"]),
            evidence=dict(data.get("evidence") or {}),
            transcript=list(data.get("transcript") or []),
        )
