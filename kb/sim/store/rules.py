"""Server-side Inbox rules (the Inbox Assistant): the store runs them when it delivers a message.

A rule that forwards makes an *auto-forward*: a new message from the mailbox owner carrying
PR_AUTO_FORWARDED = TRUE (Q192982). A rule that replies makes an *auto-reply* of class
``IPM.Note.Rules.ReplyTemplate.Microsoft``. The IMS tells these apart (or fails to) on the way
out when "Disable auto replies to the Internet" is set (kb.sim.ims.outbound, Q192939, Q192982).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.exceptions import SimError
from kb.sim.core.message import MapiMessage, RecipientRow, split_address

if TYPE_CHECKING:
    from kb.sim.org import Organisation

ACTIONS = ("forward", "reply")
AUTO_REPLY_CLASS = "IPM.Note.Rules.ReplyTemplate.Microsoft"


@dataclass(frozen=True)
class InboxRule:
    """One rule: ``forward`` every new message to ``to``, or ``reply`` to its sender with ``text``."""

    action: str
    to: str = ""
    text: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise SimError(f"rule: action {self.action!r} is not one of {', '.join(ACTIONS)}")
        if self.action == "forward" and not self.to.strip():
            raise SimError("rule: a forward rule needs a recipient (e.g. 'SMTP:user@example.net')")


def is_automatic(message: MapiMessage) -> bool:
    """Return True for a report or a message a rule generated (rules never act on those)."""
    return (message.message_class.startswith("REPORT.") or message.message_class.startswith("IPM.Note.Rules.")
            or bool(message.props.get("PR_AUTO_FORWARDED")))


class RuleEngine:
    """The rules of every mailbox, run by the store after a delivery."""

    def __init__(self, org: "Organisation") -> None:
        self.org = org
        self._rules: dict[str, list[InboxRule]] = {}

    def add(self, alias: str, rule: InboxRule) -> InboxRule:
        """Add ``rule`` to mailbox ``alias``."""
        self.org.directory.get(alias)
        self._rules.setdefault(alias.lower(), []).append(rule)
        return rule

    def rules(self, alias: str) -> list[InboxRule]:
        """Return the rules of ``alias`` in the order they run."""
        return list(self._rules.get(alias.lower(), []))

    def on_delivery(self, alias: str, message: MapiMessage) -> None:
        """Schedule the rules of ``alias`` for a message just delivered to its Inbox."""
        if is_automatic(message) or not self._rules.get(alias.lower()):
            return
        for rule in self.rules(alias):
            def run(r: InboxRule = rule) -> None:
                """Run one inbox rule on the message just delivered."""
                self._run(alias, r, message)

            self.org.clock.schedule(0, f"rule {rule.action} ({alias})", run)

    def _run(self, alias: str, rule: InboxRule, message: MapiMessage) -> None:
        owner = self.org.directory.get(alias)
        store = self.org.store
        if rule.action == "forward":
            generated = MapiMessage(
                entry_id=store.new_entry_id(),
                subject=f"FW: {message.subject}",
                body=message.body,
                sender=owner.smtp[0],
                sender_name=owner.display_name,
                recipients=[self._row(rule.to)],
                props={"PR_AUTO_FORWARDED": True},
            )
        else:
            # RFC 3834 §4: a response goes to the reverse path (Return-Path), and §2: never to <>.
            if not message.reverse_path:
                return
            generated = MapiMessage(
                entry_id=store.new_entry_id(),
                message_class=AUTO_REPLY_CLASS,
                subject=f"RE: {message.subject}",
                body=rule.text,
                sender=owner.smtp[0],
                sender_name=owner.display_name,
                recipients=[self._row(f"SMTP:{message.reverse_path}")],
            )
        generated.to_line = ", ".join(r.address for r in generated.recipients)
        store.submit(alias, generated)

    def _row(self, text: str) -> RecipientRow:
        """Return the recipient row of a rule target: an alias or ``TYPE:address``."""
        directory = self.org.directory
        if ":" not in text and "@" not in text:
            entry = directory.get(text.strip())
            return RecipientRow(1, entry.smtp[0] if entry.smtp else entry.alias, "SMTP", entry.display_name,
                                entry=entry.alias)
        addrtype, address = split_address(text)
        owner = directory.by_smtp(address) if addrtype == "SMTP" else None
        if owner is not None:
            return RecipientRow(1, owner.smtp[0], "SMTP", owner.display_name, entry=owner.alias)
        return RecipientRow(1, address, addrtype, address)
