"""The IMS's SMTP reply catalogue (``kb/sim/smtpreplies.yaml``): every server reply, in one place.

The inbound session (kb.sim.ims.session) and the real listener (kb.sim.ims.smtp_face) both answer
from this catalogue, so the wire and the protocol log say the same thing in Exchange 5.5's words.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml

from kb.resources import data_path
from kb.sim.outside.remote import Reply

CATALOGUE = ("sim", "smtpreplies.yaml")


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Return the reply catalogue, keyed by reply name."""
    with open(data_path(*CATALOGUE), encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return dict(raw)


def reply(key: str, **fields: Any) -> Reply:
    """Return catalogue reply ``key`` with its template filled from ``fields``."""
    spec = catalogue()[key]
    lines = tuple(str(line).format(**fields) for line in spec.get("lines", ()))
    return Reply(int(spec["code"]), str(spec["text"]).format(**fields), lines)


# What aiosmtpd answers by itself (parsing, sequence, limits), mapped to the IMS's reply.
_LISTENER_REPLIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key) for pattern, key in (
        (r"^502 5\.5\.1 Too many unrecognized", "service_unavailable"),
        (r"^354 ", "data_start"),
        (r"^221 ", "quit"),
        (r"^250 OK$", "ok"),
        (r"^500 .*line too long", "line_too_long"),
        (r"^500 ", "unknown_command"),
        (r"^501 ", "syntax"),
        (r"^502 ", "not_implemented"),
        (r"^503 ", "bad_sequence"),
        (r"^552 ", "size_exceeded"),
        (r"^553 ", "bad_address"),
    ))


def translate(line: str, host: str = "") -> str:
    """Return the IMS's reply for a reply line the SMTP listener produced on its own."""
    for pattern, key in _LISTENER_REPLIES:
        if pattern.search(line):
            return reply(key, host=host).wire()
    return line
