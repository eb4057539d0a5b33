"""What a repro script returns: did the symptom show, and the evidence that says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol


class _Reply(Protocol):
    """An SMTP reply as the simulator gives it."""

    def line(self) -> str:
        """Return the reply as its wire line."""


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

    def __post_init__(self) -> None:
        """Refuse a symptom that is not a bool: ``symptom="no"`` would count as a symptom."""
        if type(self.symptom) is not bool:
            raise TypeError(f"Observation.symptom: got {self.symptom!r} ({type(self.symptom).__name__}), expected True or False")

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
            symptom=data["symptom"],
            evidence=dict(data.get("evidence") or {}),
            transcript=list(data.get("transcript") or []),
        )


def smtp_lines(dialogue: Iterable[tuple[str, _Reply]], label: str) -> list[str]:
    """Return transcript lines for an SMTP dialogue of (command, reply) pairs, each tagged ``label``."""
    return [f"[{label}]   C: {command}  S: {reply.line()}" for command, reply in dialogue]

