"""Find kb's data files (schemas, catalogues, templates) in a checkout or an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def schema_dir() -> Path:
    """Return the folder that holds the JSON Schemas (``schemas/``, shipped as ``kb/_schemas``)."""
    for candidate in (_PACKAGE / "_schemas", _PACKAGE.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("kb: the schemas folder is missing from this installation")


def data_path(*parts: str) -> Path:
    """Return the path of a data file shipped inside the package (``kb/<parts>``).

    ``data_path("schemas", "article.schema.json")`` resolves to the schema folder;
    anything else is relative to the ``kb`` package (catalogues, templates, static assets).
    """
    if parts and parts[0] == "schemas":
        return schema_dir().joinpath(*parts[1:])
    return _PACKAGE.joinpath(*parts)


def project_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above ``start`` that holds an ``articles/`` folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "articles").is_dir():
            return folder
    return here
