"""Located YAML checking shared by every validated file: schemas by name, and field -> line.

``validator(name)`` compiles a JSON Schema of ``schemas/`` (all of them in one registry, so
``$ref`` between them resolves); ``Locator(text).line(path)`` maps a field path to its YAML line
and ``dotted(path)`` prints it. Article records (kb.schema), org files (kb.sim.config) and any
other YAML input use these to report ``path:line: field: message``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Iterable

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kb.resources import schema_dir

ARTICLE_SCHEMA = "article.schema.json"


@cache
def registry() -> Registry:
    """Return a registry of every schema in schema_dir(), by $id and by file name."""
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(schema_dir().glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((path.name, resource))
        if "$id" in contents:
            resources.append((contents["$id"], resource))
    return Registry().with_resources(resources)


@cache
def validator(name: str = ARTICLE_SCHEMA) -> Draft202012Validator:
    """Return the precompiled validator of a schema in schema_dir()."""
    schema = json.loads((schema_dir() / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry())


class Locator:
    """Map a field path (``("sections", 2, "heading")``) to its 1-based line in the YAML text."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self._root: yaml.Node | None = None

    def column(self, path: Iterable[str | int]) -> int | None:
        """Return None: a YAML record's diagnostics name whole lines."""
        return None

    def line(self, path: Iterable[str | int]) -> int | None:
        """Return the line of the deepest node along ``path`` (1 when unknown)."""
        if self.text is None:
            return None
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                return 1
        node = self._root
        line = 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == step:
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def dotted(path: Iterable[str | int]) -> str:
    """Return a field path as ``sections.2.heading``."""
    return ".".join(str(step) for step in path)
