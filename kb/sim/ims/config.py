"""Configuration of the IMS: what the Administrator program and the registry would hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Diagnostics logging levels (ims-domain §2.11).
LEVELS = {"none": 0, "minimum": 1, "medium": 3, "maximum": 5}


def level(value: str | int) -> int:
    """Return a logging level number from a name ("Medium") or a number."""
    if isinstance(value, int):
        return value
    return LEVELS[str(value).strip().lower()]


@dataclass
class DomainRoute:
    """A per-domain entry ("Specify by E-mail Domain" / the Routing tab).

    ``host`` is where mail for ``domain`` is forwarded ("" = use DNS for that domain);
    ``max_size_kb`` is the per-domain message size limit in KB (0 = none); ``relay`` is the SP2
    'Override Relay Restrictions. Always "relay"' option (Q195969). ``inbound`` marks a domain the
    IMS accepts inbound mail for (the reroute list, Q156063 §2.2.2).
    """

    domain: str
    host: str = ""
    max_size_kb: int = 0
    relay: bool = False
    inbound: bool = False


@dataclass
class RelayRules:
    """Relay restrictions as the registry holds them (Q193922): RelayFlags and the three lists."""

    flags: int = 0
    allow: list[str] = field(default_factory=list)  # "net[;mask]"
    deny: list[str] = field(default_factory=list)
    local_ip: list[str] = field(default_factory=list)


@dataclass
class ImsConfig:
    """Every IMS setting the simulator models; ``registry`` holds other Parameters values."""

    domain_routes: list[DomainRoute] = field(default_factory=list)
    forward_host: str = ""  # Connections tab "Forward all messages to host"
    reroute_incoming: bool = True  # "Reroute incoming SMTP mail"
    relay: RelayRules = field(default_factory=RelayRules)
    message_size_kb: int = 0  # General tab "Message size" (0 = No limit), inbound and outbound
    max_inbound_recipients: int = 0  # 0 = no limit (RCPT TO count per message)
    max_line_length: int = 2048
    max_message_bytes: int = 10 * 1024 * 1024  # hard ceiling of the SMTP listener (bounded input)
    # Connector retry intervals in hours (Q146669) and Normal-priority message time-out (Q184051).
    retry_hours: list[float] = field(default_factory=lambda: [0.25, 0.5, 1.0, 4.0])
    message_timeout_hours: float = 48.0
    # Diagnostics logging (ims-domain §2.9, §2.11): category -> level.
    logging: dict[str, int] = field(
        default_factory=lambda: {"message_archival": 0, "smtp_protocol_log": 0, "smtp_interface_events": 0}
    )
    # Internet Mail tab "Administrator's Mailbox" (an alias, "" = none): it receives the
    # notifications below, and its X.400 address is what the IMS builds the MTS-ID of inbound mail
    # from (Q156710, Q253619).
    administrator: str = ""
    # Internet Mail tab "Notifications": "all", or the failure kinds copied to the administrator
    # (kb.sim.ims.ndr.NOTIFY_KINDS: "host", "address", "timeout", "other"); empty = none.
    notifications: str | list[str] = field(default_factory=list)
    # Internet Mail tab "Advanced": do not send out-of-office or automatic replies to the
    # Internet; a dropped message is logged as 4123 (Q192939).
    disable_oof: bool = False
    disable_auto_replies: bool = False
    registry: dict[str, Any] = field(default_factory=dict)

    def notifies(self, kind: str) -> bool:
        """Return True when failures of ``kind`` are copied to the administrator."""
        if not self.administrator:
            return False
        if isinstance(self.notifications, str):
            return self.notifications.strip().lower() == "all"
        return kind in self.notifications

    def log_level(self, category: str) -> int:
        """Return the diagnostics logging level of ``category`` (0 = None)."""
        return int(self.logging.get(category, 0))

    @property
    def archiving(self) -> bool:
        """Return True when Message Archival keeps copies (any level but None, Q168504)."""
        return self.log_level("message_archival") > 0
