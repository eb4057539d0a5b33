"""The output buffer of the store's Japanese text converter (inbound IMAIL).

Q235219 (CAUSE): "When a whole series of CRLF characters are copied at one time, the operation
will fail if the CRLF characters do not fit in the output buffer. On the other hand, if the free
space in the output buffer exceeds the margin (256 bytes), the buffer is not reallocated. This
problem always occurs when the series of CRLF characters exceeds the buffer size (4096 bytes =
2048 CRLF pairs), and in certain circumstances, it may occur with as little as 128 CRLF pairs."
The symptom is a message "truncated at the CRLF characters". Fixed in Store.exe 5.5.2637.0 (in
SP3).

Model (inference where the article is silent): text is written in pieces that each check the
margin, so text never fails; before a CRLF series the converter starts a fresh 4096-byte buffer
only when less than 256 bytes are free; a series needs its bytes plus a terminator. So a series
of 127 pairs or fewer always fits, one of 2048 pairs or more never does, and one in between
fails when the buffer is fuller than the series is long.
"""

from __future__ import annotations

import re

from kb.sim.core.builds import build

STORE_COPIES_CRLF_SERIES_SAFELY = build("5.5.2637.0")
BUFFER_BYTES = 4096
MARGIN_BYTES = 256
JAPANESE_CHARSETS = frozenset({"iso-2022-jp", "shift_jis", "shift-jis", "x-sjis", "euc-jp"})
_SERIES = re.compile(r"((?:\r?\n)+)")


def _encoded_length(text: str, charset: str) -> int:
    try:
        return len(text.encode(charset, "replace"))
    except LookupError:
        return len(text.encode("utf-8"))


def convert_japanese_text(text: str, charset: str) -> tuple[str, bool]:
    """Return (text as the pre-5.5.2637.0 converter leaves it, truncated?) for Japanese ``text``."""
    free = BUFFER_BYTES
    out: list[str] = []
    for piece in _SERIES.split(text):
        if not piece:
            continue
        if piece[0] in "\r\n" and not piece.strip("\r\n"):
            if free < MARGIN_BYTES:
                free = BUFFER_BYTES
            needed = 2 * piece.count("\n")  # CR LF per line end
            if needed >= free:
                return "".join(out), True
            free -= needed
        else:
            remaining = _encoded_length(piece, charset)
            while remaining:
                if free < MARGIN_BYTES:
                    free = BUFFER_BYTES
                chunk = min(remaining, free - MARGIN_BYTES + 1) if free >= MARGIN_BYTES else remaining
                chunk = max(1, min(chunk, free))
                free -= chunk
                remaining -= chunk
        out.append(piece)
    return "".join(out), False


def is_japanese(charset: str | None) -> bool:
    """Return True for the Japanese encodings the converter handles (Q235219)."""
    return (charset or "").lower() in JAPANESE_CHARSETS
