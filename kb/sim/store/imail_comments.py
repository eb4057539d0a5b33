"""How the store's converter removes comments from the To and Cc fields before it reads addresses.

Q231748 (CAUSE): ``CmcvtrHdrAddress::HrExtractRecips`` extracts the To and Cc recipients; the
``DeleteHeaderComments`` function "deletes the comment in place and does not clear the rest of
field. So garbage remains in the field", e.g. ``"mchiba (M,Chiba); "`` becomes
``"mchiba ; ,Chiba); "``; ``HrExtractAddress`` then "mishandles the end of field, and cbEOH
becomes -1", and the store stops in ``CmcvtrHdr::ulSkipComment``. Fixed in Store.exe 5.5.2607.0
(in SP3): the rest of the field is cleared.
"""

from __future__ import annotations

from kb.sim.core.builds import Build, build

STORE_CLEARS_DELETED_COMMENTS = build("5.5.2607.0")


class HeaderFieldOverrun(Exception):
    """The address extractor ran past the end of a header field (cbEOH = -1)."""


def _comment_span(field: str, start: int = 0) -> tuple[int, int] | None:
    """Return (start, end) of the first RFC 822 comment outside quotes, nesting counted."""
    depth, quoted, begin, index = 0, False, -1, start
    while index < len(field):
        char = field[index]
        if char == "\\":
            index += 2
            continue
        if char == '"' and depth == 0:
            quoted = not quoted
        elif char == "(" and not quoted:
            if depth == 0:
                begin = index
            depth += 1
        elif char == ")" and not quoted and depth:
            depth -= 1
            if depth == 0:
                return begin, index + 1
        index += 1
    return None


def delete_header_comments(field: str, store_build: Build) -> str:
    """Return ``field`` without its comments, as the converter of ``store_build`` leaves it."""
    result, position = field, 0
    while True:
        span = _comment_span(result, position)
        if span is None:
            return result
        begin, end = span
        tail = result[end:]
        if store_build >= STORE_CLEARS_DELETED_COMMENTS:
            result = result[:begin] + tail
        else:
            # The tail is moved over the comment in place and the field keeps its length: what the
            # tail did not overwrite stays behind ("mchiba (M,Chiba); " -> "mchiba ; ,Chiba); ").
            result = result[:begin] + tail + result[begin + len(tail):]
        # The deleter goes on after what it moved; a comment at the very end (nothing to move
        # over it) stays where it was on the affected builds.
        if store_build >= STORE_CLEARS_DELETED_COMMENTS:
            position = begin
        else:
            position = begin + len(tail) if tail else end


def extract_addresses(field: str, store_build: Build) -> list[str]:
    """Return the address tokens of a To/Cc field; raise HeaderFieldOverrun as HrExtractAddress does.

    After comment removal a close parenthesis without its open one makes the extractor skip a
    "comment" backwards past the start of the field (the affected builds' garbage, Q231748).
    """
    cleaned = delete_header_comments(field, store_build)
    depth = 0
    for char in cleaned:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                raise HeaderFieldOverrun(f"unbalanced ')' in {cleaned!r} (from {field!r})")
            depth -= 1
    return [token.strip() for token in cleaned.replace(";", ",").split(",") if token.strip()]
