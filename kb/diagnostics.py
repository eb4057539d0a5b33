"""Located diagnostics: ``path:line[:column]: [field: ]message`` records that checks yield."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in one file, with the line it is on."""

    path: str
    line: int | None
    message: str
    field: str | None = None
    severity: Severity = "error"
    code: str | None = None
    # 1-based column, for sources whose fields sit inside a line (a .md article's front matter).
    column: int | None = None

    def format(self) -> str:
        """Return the one-line ``path:line[:column]: field: message`` form."""
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        if self.line is not None and self.column is not None:
            where += f":{self.column}"
        prefix = f"{self.field}: " if self.field else ""
        tag = f"{self.severity}: " if self.severity != "error" else ""
        return f"{where}: {tag}{prefix}{self.message}"

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "code": self.code,
            "column": self.column,
            "field": self.field,
            "line": self.line,
            "message": self.message,
            "path": self.path,
            "severity": self.severity,
        }


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return only the diagnostics of error severity."""
    return [d for d in diagnostics if d.severity == "error"]
