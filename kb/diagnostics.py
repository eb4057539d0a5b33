"""Located diagnostics: ``path:line: [field: ]message`` records that checks yield."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in one file, with the line it is on."""

    path: str
    line: int | None
    message: str
    field: str | None = None
    severity: Severity = "error"
    code: str | None = None

    def format(self) -> str:
        """Return the one-line ``path:line: field: message`` form."""
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        prefix = f"{self.field}: " if self.field else ""
        tag = "warning: " if self.severity == "warning" else ""
        return f"{where}: {tag}{prefix}{self.message}"

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "code": self.code,
            "field": self.field,
            "line": self.line,
            "message": self.message,
            "path": self.path,
            "severity": self.severity,
        }


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return only the diagnostics of error severity."""
    return [d for d in diagnostics if d.severity == "error"]
