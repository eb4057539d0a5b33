"""The one exception tree of kb; the CLI turns these into clean one-line messages."""

from __future__ import annotations


class KbError(Exception):
    """Base of every error kb raises on purpose."""

    exit_code = 1


class LocatedError(KbError):
    """An error in user input, located as ``path:line[:column]: message``."""

    def __init__(self, path: str, line: int | None, message: str, column: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        self.column = column
        super().__init__(self.format())

    def format(self) -> str:
        """Return the ``path:line[:column]: message`` form."""
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        if self.line is not None and self.column is not None:
            where += f":{self.column}"
        return f"{where}: {self.message}"


class ParseError(LocatedError):
    """A classic KB text file that cannot be parsed."""


class RecordError(LocatedError):
    """A YAML record that cannot be loaded (bad YAML, too large, a bomb)."""


class SchemaError(LocatedError):
    """A record that breaks its JSON Schema or a consistency rule."""


class ConfigError(LocatedError):
    """A configuration or catalogue file that is invalid."""


class NotFoundError(KbError):
    """An article, release or file that the user named does not exist."""


class ReleaseError(KbError):
    """A product or release name that the catalogue does not know."""


class SimError(KbError):
    """The simulator was driven into a state it cannot model."""


class ReproError(KbError):
    """A repro script failed to load or run."""

    exit_code = 2
