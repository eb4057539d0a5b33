"""The front matter of a native Markdown article: the YAML between its two ``---`` lines.

Read with the record loader (kb.yaml_text; dates stay text, so the schema and the date lint
check them, located), located back to file lines and columns for diagnostics, and edited one
key at a time in place (``kb repro init`` links a script) so the rest of the file keeps its bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml

from kb.exceptions import RecordError

#: The lines that close front matter (YAML's document end marker is accepted too).
_FENCE_CLOSE = ("---", "...")


@dataclass
class FrontMatter:
    """The front matter of a ``.md`` article: its values and where they are in the file."""

    values: dict[str, Any]
    text: str  # the YAML between the two '---' lines
    first_line: int  # 1-based file line of the YAML's first line
    body_line: int  # 1-based file line of the body's first line
    _root: yaml.Node | None = field(default=None, repr=False)

    def node(self, path: Iterable[str | int]) -> yaml.Node | None:
        """Return the YAML node deepest along ``path`` (None when the key is absent)."""
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                return None
        node: yaml.Node | None = self._root
        found: yaml.Node | None = None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == step), None)
                if pair is None:
                    return found
                key, node = pair
                # a scalar is located at its value, a mapping or list at its key
                found = node if isinstance(node, yaml.ScalarNode) else key
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = found = node.value[step]
            else:
                return found
        return found

    def position(self, path: Iterable[str | int]) -> tuple[int, int] | None:
        """Return the (line, column) in the file of the value at ``path``, or None when absent."""
        node = self.node(path)
        if node is None:
            return None
        return node.start_mark.line + self.first_line, node.start_mark.column + 1


def _front_matter_loader() -> Any:
    """Return the loader of front matter: a record loader that keeps dates as written (text)."""
    from kb.yaml_text import RecordLoader

    class FrontMatterLoader(RecordLoader):
        """RecordLoader reading ``2026-12-04`` as text: the schema and the date lint check it, located."""

        def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
            """Resolve like RecordLoader, but a timestamp stays a string."""
            tag = super().resolve(kind, value, implicit)
            return "tag:yaml.org,2002:str" if tag == "tag:yaml.org,2002:timestamp" else tag

    return FrontMatterLoader


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Split a ``.md`` article into its parsed front matter and body; RecordError when malformed."""
    lines = text.split("\n")
    if not lines or lines[0].lstrip("\ufeff").rstrip("\r") != "---":
        raise RecordError(path, 1, "no front matter: a Markdown article starts with a '---' line, YAML "
                          "(id, title, product, date, ...) and a closing '---' line")
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip("\r").rstrip() in _FENCE_CLOSE), None)
    if end is None:
        raise RecordError(path, 1, "front matter is not closed: expected a '---' line after its YAML")
    yaml_text = "\n".join(line.rstrip("\r") for line in lines[1:end])
    from kb.yaml_text import loads

    try:
        values = loads(yaml_text, path, _front_matter_loader()) if yaml_text.strip() else {}
    except RecordError as error:
        line = (error.line or 1) + 1
        message = error.message.replace("record is", "front matter is")
        raise RecordError(path, line, message) from None
    return FrontMatter(values, yaml_text, 2, end + 2)


def set_front_matter(text: str, key: str, value: Any, path: str = "<article>") -> str:
    """Return ``text`` with front matter ``key`` set to ``value`` (replaced in place, else appended).

    Only the lines of that key change, so the rest of the file keeps its bytes.
    """
    front = split_front_matter(text, path)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split("\n")
    dumped = yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=None, allow_unicode=True).rstrip("\n")
    replacement = [line + ("\r" if newline == "\r\n" else "") for line in dumped.split("\n")]
    first = front.first_line - 1  # 0-based index of the first YAML line
    end = front.body_line - 2  # 0-based index of the closing '---'
    start = next((n for n in range(first, end) if re.match(rf"{re.escape(key)}\s*:", lines[n])), None)
    if start is None:
        lines[end:end] = replacement
    else:
        stop = start + 1
        while stop < end and (lines[stop][:1] in (" ", "\t", "-") or not lines[stop].strip("\r ")):
            stop += 1
        lines[start:stop] = replacement
    return "\n".join(lines)
