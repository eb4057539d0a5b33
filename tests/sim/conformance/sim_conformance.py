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

import importlib.util
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from kb.sim import ComponentBuilds, ImsConfig, Organisation, resolve
from kb.sim.store.imail import STORE_DROPS_ILLEGAL_MAC_ATTRIBUTES, STORE_KEEPS_ADDRESS_PARSE_ERROR, STORE_READS_MAC_ATTRIBUTES
from kb.sim.ims.addressing import IMS_TRIMS_RECIPIENT_DOMAIN
from kb.sim.ims.inbound import IMS_REPORTS_RECIPIENT_LIMIT
from kb.sim.ims.mtsid import IMS_READS_X400_FIELDS_IN_ANY_CASE
from kb.sim.ims.ndr import IMS_DISTINCT_ADDRESS_FAILURE_CODES
from kb.sim.ims.outbound import (IMS_ALLOWS_AUTO_FORWARDS, IMS_COMPARES_SIZES_IN_BYTES,
                                 IMS_CONVERTS_DOMAIN_LIMIT_TO_BYTES, IMS_READS_AUTO_FORWARDED_VALUE,
                                 IMS_SPLITS_PROPERTY_FETCH)
from kb.sim.ims.recipients import IMS_GATES_ANY_ENCAPSULATION, IMS_GATES_CANONICAL_ENCAPSULATION, IMS_POSTMASTER_EXACT
from kb.sim.ims.smtp_out import IMS_PER_RECIPIENT_STORAGE_REPLY
from kb.sim.store.report import STORE_NORMALISES_REPORT_ROWS, STORE_REMATCHES_REREPORTED_ROWS_BY_ADDRESS
from kb.sim.store.infostore import STORE_TOLERATES_AMBIGUOUS_ORIGINATOR

from kb.sim.core.builds import simulated_releases
from kb.sim.core.message import MapiMessage
from kb.sim.store.report import parse_report

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


# (article, conforming behaviour, its source, builds that deviate, why)
BUGS: list[tuple[str, str, str, Callable[[ComponentBuilds], bool], str]] = [
    ("Q192939", "a message that is not auto-forwarded passes 'disable auto replies'", "MAPI PR_AUTO_FORWARDED value",
     lambda b: b.ims < IMS_READS_AUTO_FORWARDED_VALUE, "the IMS takes the property's presence for TRUE"),
    ("Q192982", "an auto-forward is sent when AlwaysAllowForwarding is 1", "Q192982 (fixed IMS)",
     lambda b: b.ims < IMS_ALLOWS_AUTO_FORWARDS, "the IMS cannot tell an auto-forward from an auto-reply"),
    ("Q193639", "a message with large properties leaves without stopping the IMS", "Q193639 (fixed IMS)",
     lambda b: b.ims < IMS_SPLITS_PROPERTY_FETCH, "one property fetch over 32 KB stops the service"),
    ("Q193782", "a corrupted encapsulated address does not stop the IMS", "Q193782 (fixed store)",
     lambda b: b.store < STORE_KEEPS_ADDRESS_PARSE_ERROR, "the store reports out of memory (IS 12800, IMS 4182)"),
    ("Q201904", "an ambiguous originator with ResolveP2 is delivered", "Q201904 (fixed store)",
     lambda b: b.store < STORE_TOLERATES_AMBIGUOUS_ORIGINATOR, "the store fails the submit (IS 12004, IMS 4117)"),
    ("Q217195", "notifications follow the Notifications settings", "Q217195 (fixed IMS)",
     lambda b: b.ims < IMS_DISTINCT_ADDRESS_FAILURE_CODES, "address failures carry host-unknown codes"),
    ("Q228998", "a per-domain route matches a domain typed with a trailing blank", "RFC 5321 §2.3.5; Q228998",
     lambda b: b.ims < IMS_TRIMS_RECIPIENT_DOMAIN, "the IMS keeps the blank, so the route does not match"),
    ("Q237927", "an IMCEASMTP- address at a local domain is judged as relaying", "Q237927 (fixed IMS)",
     lambda b: b.ims < IMS_GATES_CANONICAL_ENCAPSULATION, "the relay gate sees only the local domain"),
    ("Q240788", "the per-domain size limit is compared in kilobytes", "Q240788 (fixed IMS)",
     lambda b: IMS_COMPARES_SIZES_IN_BYTES <= b.ims < IMS_CONVERTS_DOMAIN_LIMIT_TO_BYTES,
     "the post-SP2 hotfixes take the KB figure as bytes"),
    ("Q245041", "only the whole word 'postmaster' reaches the postmaster", "RFC 5321 §4.5.1; Q245041",
     lambda b: b.ims < IMS_POSTMASTER_EXACT, "any prefix of 'postmaster' matches"),
    ("Q246051", "an inbound message over Max Recipients on Submit is reported to its sender", "Q246051 (fixed IMS)",
     lambda b: b.ims < IMS_REPORTS_RECIPIENT_LIMIT, "4117 and archive, the sender hears nothing"),
    ("Q252624", "an illegal x-mac-type does not stop delivery", "Q252624 (fixed store)",
     lambda b: STORE_READS_MAC_ATTRIBUTES <= b.store < STORE_DROPS_ILLEGAL_MAC_ATTRIBUTES,
     "the SP3 store rejects the message (IS 12006, IMS 4117)"),
    ("Q253619", "an administrator X.400 address in any case gives a valid MTS-ID", "Q253619 (fixed IMS)",
     lambda b: b.ims < IMS_READS_X400_FIELDS_IN_ANY_CASE, "lower-case fields are not read; MTA 3150, mail lost"),
    ("Q254893", "Send Again to a still-unreachable one-off gives a second NDR", "Q159601; Q254893",
     lambda b: STORE_REMATCHES_REREPORTED_ROWS_BY_ADDRESS <= b.store < STORE_NORMALISES_REPORT_ROWS
     and b.ims >= IMS_TRIMS_RECIPIENT_DOMAIN,
     "the SP3 store rematches by the untrimmed address: 4120, no NDR"),
    ("Q260741", "a 552 to one RCPT fails only that recipient", "RFC 5321 §4.2.2; Q260741",
     lambda b: b.ims < IMS_PER_RECIPIENT_STORAGE_REPLY, "the 552 fails the whole batch"),
    ("Q264330", "a loose IMCEA address at a local domain is judged as relaying", "Q264330 (fixed IMS)",
     lambda b: b.ims < IMS_GATES_ANY_ENCAPSULATION, "the relay gate misses the loose form"),
]



def affected(article: str, release: str) -> bool:
    """Return True when ``release`` runs a build that has ``article``'s documented bug."""
    builds = resolve(release)
    return next(b for a, _, _, b, _ in BUGS if a == article)(builds)


__all__ = ["BUGS", "Deviation", "affected", "RELEASES", "Row", "judge", "make_org", "row_id"]


REPRO = Path(__file__).resolve().parents[3] / "repro"


def load_repro(article: str) -> ModuleType:
    """Load an article's repro script from the project's repro folder."""
    spec = importlib.util.spec_from_file_location(f"conformance_repro_{article}", REPRO / f"{article}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def no_symptom(article: str) -> Callable[[str], None]:
    """Return a check that the article's repro observes no symptom on a release."""

    def check(release: str) -> None:
        assert load_repro(article).run(release).symptom is False, f"{article} symptom on {release}"

    return check
