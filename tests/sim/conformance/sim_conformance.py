"""The conformance baseline: rows of standard behaviour, judged on every simulated release.

A row states what a standards-conforming Exchange 5.5 IMS does, citing the RFC section or KB
article that says so, as a ``check(release)`` that raises AssertionError when the simulated
server does something else. A row may differ on a build only where a KB article documents that
deviation: its ``deviations`` say which builds (by the component thresholds of ``kb.sim``) and
why. ``judge`` asserts the row on conforming builds and asserts that it *fails* on the
documented ones, so an undocumented difference and a documented deviation that vanished both
fail the suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage, Message
from typing import Callable

import pytest

from kb.sim import ComponentBuilds, ImsConfig, Organisation, resolve
from kb.sim.builds import simulated_releases
from kb.sim.message import MapiMessage
from kb.sim.report import parse_report

# Every base release and every catalogue hotfix overlay of Exchange Server 5.5.
RELEASES = simulated_releases()
HOST = "mx.example.net"
HOST_IP = "192.0.2.25"


@dataclass(frozen=True)
class Deviation:
    """A documented departure from a row on some builds."""

    source: str  # the KB article that documents it
    builds: Callable[[ComponentBuilds], bool]
    why: str


@dataclass(frozen=True)
class Row:
    """One conformance row: a sentence, its source, a check, and documented deviations."""

    name: str
    source: str
    check: Callable[[str], None]
    deviations: tuple[Deviation, ...] = ()

    def deviation(self, release: str) -> Deviation | None:
        """Return the deviation that applies on ``release``, if any."""
        builds = resolve(release)
        return next((d for d in self.deviations if d.builds(builds)), None)


def judge(row: Row, release: str) -> None:
    """Assert ``row`` on ``release``: conforming, or deviating exactly where an article says."""
    deviation = row.deviation(release)
    if deviation is None:
        row.check(release)
        return
    with pytest.raises(AssertionError):
        row.check(release)


def row_id(row: Row) -> str:
    """Return the pytest id of a row."""
    return row.name.replace(" ", "_")


# -- scenario helpers (public API only) ---------------------------------------------------------


def make_org(release: str, **ims: object) -> Organisation:
    """Return an organisation with mailboxes alice and bob and one Internet host at example.net."""
    org = Organisation(release, ims_config=ImsConfig(**ims) if ims else None)  # type: ignore[arg-type]
    org.add_mailbox("alice", "Alice Smith")
    org.add_mailbox("bob", "Bob Jones")
    org.add_remote_host(HOST, HOST_IP)
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    return org


def inbound(org: Organisation, mail_from: str, rcpt_to: list[str], headers: str = "", body: str = "hello",
            peer_ip: str = "198.51.100.7") -> list[int]:
    """Run one inbound SMTP transaction and the organisation; return the reply codes."""
    session = org.ims.session(peer_ip=peer_ip, peer_name="client.example.org")
    head = headers or f"From: Sender <{mail_from or 'someone@example.org'}>\r\nTo: {', '.join(rcpt_to)}\r\n"
    payload = f"{head}Subject: conformance\r\n\r\n{body}\r\n".encode()
    codes = [reply.code for _, reply in session.transaction("client.example.org", mail_from, rcpt_to, payload)]
    org.run()
    return codes


def every_message(org: Organisation) -> list[MapiMessage]:
    """Return every message in every mailbox's Inbox."""
    return [m for box in org.directory.mailboxes() for m in org.mailbox_folder(box.alias, "Inbox")]


def dsn_blocks(ndr: MapiMessage) -> tuple[Message, list[Message]]:
    """Return the per-message and per-recipient fields of an NDR's message/delivery-status part."""
    assert ndr.mime is not None
    report: EmailMessage = parse_report(ndr.mime)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    status = next(p for p in report.iter_parts() if p.get_content_type() == "message/delivery-status")
    blocks = status.get_payload()
    assert isinstance(blocks, list)
    return blocks[0], blocks[1:]


def received_ndrs(org: Organisation) -> list[tuple[str, tuple[str, ...], bytes]]:
    """Return (MAIL FROM, RCPT TOs, data) of every report the Internet host received."""
    return [(d.mail_from, d.rcpt_to, d.data) for d in org.internet.host(HOST).received
            if b"multipart/report" in d.data]


__all__ = ["Deviation", "RELEASES", "Row", "judge", "make_org", "row_id"]
