"""Readable, lossless YAML text for article records (a dedicated emitter for their known shape).

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
