"""Readable, lossless YAML text for article records, both ways: a dedicated emitter for their
known shape, and the safe loader (CSafeLoader, alias-free) every record is read with.

PyYAML's emitter refuses literal block scalars whose lines end in spaces, and KB text is full of
them (kb-format.md §3), so records are written here: dicts, lists, str, int, bool and None, with
text as literal blocks (``|-``, with an indentation indicator when needed), plain scalars only
when they reload as the same string, and double-quoted JSON-style escapes for strings a block
cannot hold (control or C1 characters, a lone line break). The text always reloads with
``yaml.CSafeLoader`` to the same dict (the corpus round-trip test checks every record).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kb.exceptions import RecordError


_RESERVED = frozenset(
    "y n yes no true false on off null ~ nan inf".split()
)  # YAML 1.1 booleans/nulls/specials that a plain scalar would turn into non-strings
# A plain scalar starting with a letter can only resolve to a bool/null word; forbid the rest.
_PLAIN_RE = re.compile("[A-Za-z][^\x00-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff]*")
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHORT: dict[str, str] = {}  # short string -> its one-line scalar form
_FLOW_ITEM_RE = re.compile(r"[A-Za-z][A-Za-z0-9_./+-]*")
# Characters YAML cannot show unescaped: C0 controls but TAB/LF, DEL, C1 (incl. NEL), BOM, LS/PS.
_UNPRINTABLE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\\0"}


def _plain_ok(text: str) -> bool:
    """Tell whether ``text`` reloads as the same str when written as a plain scalar."""
    return (
        bool(_PLAIN_RE.fullmatch(text))
        and text.lower() not in _RESERVED
        and not text.endswith((" ", ":"))
        and ": " not in text
        and " #" not in text
    )


def _double_quoted(text: str) -> str:
    """Return ``text`` as a double-quoted scalar with JSON-style escapes."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _UNPRINTABLE_RE.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _block_ok(text: str) -> bool:
    """Tell whether a literal block scalar (``|-``) reloads as exactly ``text``."""
    return not (_UNPRINTABLE_RE.search(text) or "\r" in text or text.endswith("\n") or not text.strip())


def _scalar(value: Any) -> str:
    """Return a one-line scalar: plain when safe, else single- or double-quoted."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot emit {type(value).__name__} in a record")
    if _plain_ok(value):
        return value
    if "\n" in value or _UNPRINTABLE_RE.search(value):
        return _double_quoted(value)
    return "'" + value.replace("'", "''") + "'"


def _flow_item(text: str) -> str:
    """Return a string as an item of a flow sequence."""
    if _FLOW_ITEM_RE.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return "'" + text.replace("'", "''") + "'"


def _emit(value: Any, column: int, out: list[str], prefix: str) -> None:
    """Append ``prefix`` + value; ``column`` is where the owning key or dash starts."""
    kind = type(value)
    if kind is str:
        if "\n" not in value:
            short = _SHORT.get(value)
            if short is None:
                short = _scalar(value)
                if len(value) < 40 and len(_SHORT) < 4096:  # keys, kinds and labels repeat
                    _SHORT[value] = short
            out.append(prefix + short)
        elif _block_ok(value):
            lines = value.split("\n")
            first = next(line for line in lines if line.strip())
            # An explicit indentation indicator when auto-detection could misread the first line.
            indicator = "2" if (not lines[0] or lines[0][0] in " \t" or first[0] in " \t") else ""
            out.append(f"{prefix}|{indicator}-")
            pad = " " * (column + 2)
            out.extend(pad + line if line else "" for line in lines)
        else:
            out.append(prefix + _double_quoted(value))
    elif kind is dict:
        if not value:
            out.append(prefix + "{}")
            return
        out.append(prefix.rstrip())
        _emit_mapping(value, column + 2, out)
    elif kind is list:
        if not value:
            out.append(prefix + "[]")
            return
        if all(type(v) is str and "\n" not in v and not _UNPRINTABLE_RE.search(v) for v in value):
            flow = prefix + "[" + ", ".join(map(_flow_item, value)) + "]"
            if len(flow) <= 100:
                out.append(flow)
                return
        out.append(prefix.rstrip())
        _emit_sequence(value, column + 2, out)
    else:
        out.append(prefix + _scalar(value))


def _emit_mapping(mapping: dict[str, Any], column: int, out: list[str], first: str | None = None) -> None:
    """Append a block mapping whose keys start at ``column`` (``first`` prefixes the first key)."""
    pad = " " * column
    lead = pad if first is None else first
    for key, value in mapping.items():
        if type(key) is not str:
            raise TypeError(f"cannot emit the key {key!r} in a record: keys are strings")
        name = key if _KEY_RE.fullmatch(key) and key.lower() not in _RESERVED else _scalar(key)
        _emit(value, column, out, f"{lead}{name}: ")
        lead = pad


def _emit_sequence(items: list[Any], column: int, out: list[str]) -> None:
    """Append a block sequence whose dashes start at ``column``."""
    pad = " " * column
    for item in items:
        if isinstance(item, dict) and item:
            _emit_mapping(item, column + 2, out, first=pad + "- ")
        else:
            _emit(item, column, out, pad + "- ")


def dumps(record: dict[str, Any]) -> str:
    """Return the YAML text of a record dict (LF line ends, final newline)."""
    out: list[str] = []
    _emit_mapping(record, 0, out)
    return "\n".join(out) + "\n"


# --- the loader: safe, alias-free -----------------------------------------------------------

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_PLAIN_TAGS: dict[str, str] = {}  # plain scalar -> resolved tag (resolution depends on the value only)
_SIMPLE = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"})
_MERGE = "tag:yaml.org,2002:merge"
# Exact node classes: libyaml's composer makes these and no subclasses.
_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


class RecordLoader(yaml.CSafeLoader):
    """CSafeLoader with a direct constructor for the plain str/int/bool/null/list/dict shape of records.

    Every other node (floats, timestamps, merge keys, unknown tags) goes through SafeConstructor
    unchanged, so the result is exactly what CSafeLoader gives; it is only faster (no per-node
    generator dispatch). Aliases are refused before loading, so nodes form a tree.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        """Resolve an untagged node's tag like yaml.resolver.Resolver, minus path resolvers (unused)."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                cached = _PLAIN_TAGS.get(value)
                if cached is not None:
                    return cached
                table = self.yaml_implicit_resolvers
                tag = _STR
                for candidate, regexp in (*table.get(value[0] if value else "", ()), *table.get(None, ())):
                    if regexp.match(value):
                        tag = candidate
                        break
                if len(value) < 32 and len(_PLAIN_TAGS) < 4096:  # keys and small values repeat
                    _PLAIN_TAGS[value] = tag
                return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Do nothing: there are no path resolvers to track (libyaml calls this for every node)."""

    def ascend_resolver(self) -> None:
        """Do nothing: there are no path resolvers to track."""

    def construct_document(self, node: yaml.Node) -> Any:
        """Build the document from its node tree."""
        return self._build(node)

    def _build(self, node: yaml.Node) -> Any:
        """Build the Python value of one node."""
        tag, kind = node.tag, type(node)
        if kind is _SCALAR and tag == _STR:
            return node.value
        if kind is _MAPPING and tag == _MAP:
            pairs = node.value
            for key_node, _ in pairs:
                if key_node.tag == _MERGE:
                    return self.construct_object(node, deep=True)
            mapping: dict[Any, Any] = {}
            for key_node, value_node in pairs:
                key = self._build(key_node)
                try:
                    hash(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                    ) from None
                if key in mapping:  # YAML 1.2 §3.2.1.1: keys are unique; PyYAML would keep the last silently
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                mapping[key] = self._build(value_node)
            return mapping
        if kind is _SEQUENCE and tag == _SEQ:
            return [self._build(child) for child in node.value]
        if tag in _SIMPLE and kind is _SCALAR:
            return self.yaml_constructors[tag](self, node)
        return self.construct_object(node, deep=True)


_ALIAS_HINT_RE = re.compile(r"[&*][^\s,\[\]{}]")


def _alias_hint(text: str) -> bool:
    """Tell whether ``text`` may hold an anchor or alias token (never False when it does)."""
    # An anchor or alias starts a YAML token: after a space, a flow indicator or a line start.
    # The character before is checked here, not in the pattern: a pattern that starts with
    # that choice tries it at every position and costs 0.1 ms a record; this one 0.01 ms.
    for found in _ALIAS_HINT_RE.finditer(text):
        at = found.start()
        if at == 0 or text[at - 1].isspace() or text[at - 1] in "[{,:":  # isspace is re's \s
            return True
    return False


def _alias_line(text: str) -> int | None:
    """Return the 1-based line of the first anchor or alias token, or None."""
    if not _alias_hint(text):
        return None
    for token in yaml.scan(text, Loader=yaml.CSafeLoader):
        if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
            return token.start_mark.line + 1
    return None


def loads(text: str, path: str, loader: type[RecordLoader] | None = None) -> dict[str, Any]:
    """Parse record YAML text safely (with ``loader``, default RecordLoader); RecordError at the bad line."""
    try:
        alias = _alias_line(text)
        if alias is not None:
            raise RecordError(path, alias, "YAML aliases are not allowed in a record")
        data = yaml.load(text, Loader=loader or RecordLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "invalid YAML"
        raise RecordError(path, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise RecordError(path, 1, f"invalid YAML: {error}") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise RecordError(path, 1, f"record is {kind}, expected a mapping of article fields")
    return data
