"""Bytes <-> text for classic KB files: cp1252, made a bijection over all 256 byte values.

kb-format §3: the archive is Windows ANSI (0x92 curly quotes, ALT+0167 for §), but CP-1252 leaves
five bytes undefined (0x81 0x8D 0x8F 0x90 0x9D; Q229148 holds 0x81). A registered error handler
maps each of them to the C1 code point of the same value and back, so decode/encode never loses a
byte. Control bytes, TABs and ^Z (Q287888) are ordinary characters here.
"""

from __future__ import annotations

import codecs

from kb.exceptions import ParseError

ENCODING = "cp1252"
ERRORS = "kb-cp1252-c1"
_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_TEXT_BYTES = bytes([9, 10, 13, *range(32, 256)])  # deleting these leaves the control bytes


def _handler(error: UnicodeError) -> tuple[str | bytes, int]:
    """Map the five undefined cp1252 bytes to U+0081.. and those code points back to bytes."""
    if isinstance(error, UnicodeDecodeError):
        raw = error.object[error.start : error.end]
        if all(byte in _UNDEFINED for byte in raw):
            return "".join(chr(byte) for byte in raw), error.end
    elif isinstance(error, UnicodeEncodeError):
        text = error.object[error.start : error.end]
        if all(ord(char) in _UNDEFINED for char in text):
            return text.encode("latin-1"), error.end
    raise error


codecs.register_error(ERRORS, _handler)


def sniff(data: bytes, path: str) -> None:
    """Reject bytes that are not single-byte KB text: empty, UTF-16/UTF-8 BOM, NULs, binary."""
    if not data:
        raise ParseError(path, 1, "empty file, expected a classic KB article")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(path, 1, "unknown encoding: UTF-16 byte order mark, expected cp1252 text")
    if data.startswith(b"\xef\xbb\xbf"):
        raise ParseError(path, 1, "unknown encoding: UTF-8 byte order mark, expected cp1252 text")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ParseError(
            path, line, f"binary or unknown encoding: NUL byte at offset {nul}, expected cp1252 text"
        )
    head = data[:4096]
    control = len(head.translate(None, _TEXT_BYTES))
    if control > max(8, len(head) // 20):
        raise ParseError(
            path, 1, f"binary file: {control} control bytes in the first {len(head)}, expected text"
        )


def decode(data: bytes) -> str:
    """Decode KB bytes to text (never fails)."""
    return data.decode(ENCODING, ERRORS)


def encode(text: str) -> bytes:
    """Encode text back to KB bytes; raises UnicodeEncodeError for characters cp1252 lacks."""
    return text.encode(ENCODING, ERRORS)
