"""Configuration of the IMS: what the Administrator program and the registry would hold."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from kb.exceptions import ConfigError

# Diagnostics logging levels (ims-domain §2.11): the Administrator program's names; the registry
# holds the numbers 0-5.
LEVELS = {"none": 0, "minimum": 1, "medium": 3, "maximum": 5}
MAX_LEVEL = 5
# The IMS's Diagnostics Logging categories (ims-domain §2.10), as ``logging`` keys.
LOG_CATEGORIES = ("initialization_termination", "internal_processing", "message_transfer", "smtp_interface_events",
                  "smtp_protocol_log", "content_conversion", "message_archival")
# MSExchangeIMC\Parameters values the simulator models (ims-domain §2.12).
REGISTRY_VALUES = ("AlwaysAllowForwarding", "ResolveP2", "InboundSizeLimit", "OutboundSizeLimit",
                   "AdvertiseSMTPExtensions", "SiteDomain", "DisableETRN", "DisableAuth")
NOTIFY_OPTIONS = ("host", "address", "timeout", "other")
MAX_MESSAGE_SIZE_KB = 9_999_999  # General tab "Maximum 1-9,999,999 K" (ims-domain §2.8)
WHERE = "ImsConfig"


def level(value: str | int) -> int:
    """Return a logging level number from a name ("Medium") or a number 0-5; raise ConfigError."""
    if isinstance(value, bool):
        raise ConfigError(WHERE, None, f"{value!r} is not a logging level (expected None, Minimum, Medium, Maximum or 0-5)")
    if isinstance(value, int):
        if 0 <= value <= MAX_LEVEL:
            return value
    elif isinstance(value, str) and value.strip().lower() in LEVELS:
        return LEVELS[value.strip().lower()]
    raise ConfigError(WHERE, None, f"{value!r} is not a logging level (expected None, Minimum, Medium, Maximum or 0-5)")


CONTENT_FORMATS = ("MIME", "UUENCODE")
RICH_TEXT = ("user", "always", "never")


def check_content(content: object, rich_text: object, where: str, allow_default: bool) -> None:
    """Raise ConfigError unless ``content`` is MIME/UUENCODE and ``rich_text`` user/always/never (any case)."""
    if not isinstance(content, str) or not (content.upper() in CONTENT_FORMATS or (allow_default and content == "")):
        raise ConfigError(where, None, f"content {content!r} is not a message content format (expected MIME or UUENCODE)")
    if not isinstance(rich_text, str) or not (rich_text.lower() in RICH_TEXT or (allow_default and rich_text == "")):
        raise ConfigError(where, None, f"rich_text {rich_text!r} is not a rich-text setting (expected user, always or never)")


def _net(entry: str) -> bool:
    """Return True for a relay list entry ``net[;mask]`` of dotted IPv4 addresses (Q193922)."""
    parts = str(entry).split(";")
    if len(parts) > 2:
        return False
    try:
        for part in parts:
            ipaddress.IPv4Address(part.strip())
    except ValueError:
        return False
    return True


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
    # E-mail Domain "Message Content" (MIME / UUENCODE) and "Send Microsoft Exchange rich-text
    # formatting" (user / always / never; always = TNEF, Q246881); "" = the IMS default.
    content: str = ""
    rich_text: str = ""

    def __post_init__(self) -> None:
        check_content(self.content, self.rich_text, "DomainRoute", allow_default=True)
        if not isinstance(self.domain, str) or not self.domain.strip():
            raise ConfigError("DomainRoute", None, f"domain {self.domain!r} is not a domain name (expected e.g. 'partner.example')")
        if not isinstance(self.host, str):
            raise ConfigError("DomainRoute", None, f"host {self.host!r} is not a host name or IP address")
        if isinstance(self.max_size_kb, bool) or not isinstance(self.max_size_kb, int) or not 0 <= self.max_size_kb <= MAX_MESSAGE_SIZE_KB:
            raise ConfigError("DomainRoute", None, f"max_size_kb {self.max_size_kb!r} is not a size in KB (expected 0-{MAX_MESSAGE_SIZE_KB})")


@dataclass
class RelayRules:
    """Relay restrictions as the registry holds them (Q193922): RelayFlags and the three lists."""

    flags: int = 0
    allow: list[str] = field(default_factory=list)  # "net[;mask]"
    deny: list[str] = field(default_factory=list)
    local_ip: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.flags, bool) or not isinstance(self.flags, int) or not 0 <= self.flags <= 15:
            raise ConfigError("RelayRules", None, f"flags {self.flags!r} is not a RelayFlags bit field (expected 0-15)")
        for name in ("allow", "deny", "local_ip"):
            for entry in getattr(self, name):
                if not _net(entry):
                    raise ConfigError("RelayRules", None, f"{name} entry {entry!r} is not 'net[;mask]' "
                                                         "(expected e.g. '10.0.0.0;255.0.0.0')")


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
    # Internet Mail tab "Message Content" and "Send Microsoft Exchange rich-text formatting" (the
    # defaults for domains without their own, kb.sim.ims.content).
    content_format: str = "MIME"
    rich_text: str = "user"

    def __post_init__(self) -> None:
        """Check every setting where it is given (names normalised, levels as numbers)."""
        check_content(self.content_format, self.rich_text, WHERE, allow_default=False)
        for name, value in self.logging.items():
            if name not in LOG_CATEGORIES:
                raise ConfigError(WHERE, None, f"logging category {name!r} is not one of {', '.join(LOG_CATEGORIES)}")
        self.logging = {name: level(value) for name, value in self.logging.items()}
        notifications = self.notifications
        if isinstance(notifications, str):
            if notifications.strip().lower() not in ("all", ""):
                raise ConfigError(WHERE, None, f"notifications {notifications!r} is not 'all' or a list of "
                                               f"{', '.join(NOTIFY_OPTIONS)}")
        else:
            bad = [k for k in notifications if k not in NOTIFY_OPTIONS]
            if bad:
                raise ConfigError(WHERE, None, f"notifications {bad[0]!r} is not one of {', '.join(NOTIFY_OPTIONS)} (or 'all')")
        unknown = sorted(k for k in self.registry if k not in REGISTRY_VALUES)
        if unknown:
            raise ConfigError(WHERE, None, f"registry value {unknown[0]!r} is not modelled (expected one of {', '.join(REGISTRY_VALUES)})")
        checks: list[tuple[str, Any, int, float]] = [
            ("message_size_kb", self.message_size_kb, 0, MAX_MESSAGE_SIZE_KB),
            ("max_inbound_recipients", self.max_inbound_recipients, 0, float("inf")),
            ("max_line_length", self.max_line_length, 1, float("inf")),
            ("max_message_bytes", self.max_message_bytes, 1, float("inf")),
            ("message_timeout_hours", self.message_timeout_hours, 0, float("inf")),
        ]
        for name, value, low, high in checks:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise ConfigError(WHERE, None, f"{name} {value!r} is out of range (expected a number {low}-{high:g})")
        if not self.retry_hours or any(isinstance(h, bool) or not isinstance(h, (int, float)) or h <= 0
                                       for h in self.retry_hours):
            raise ConfigError(WHERE, None, f"retry_hours {self.retry_hours!r} is not a list of positive hours "
                                           "(expected e.g. [0.25, 0.5, 1, 4])")

    def notifies(self, kind: str) -> bool:
        """Return True when failures of ``kind`` are copied to the administrator."""
        if not self.administrator:
            return False
        if isinstance(self.notifications, str):
            return self.notifications.strip().lower() == "all"
        return kind in self.notifications

    def log_level(self, category: str) -> int:
        """Return the diagnostics logging level of ``category`` (0 = None; a name set later is read too)."""
        return level(self.logging.get(category, 0))

    @property
    def archiving(self) -> bool:
        """Return True when Message Archival keeps copies (any level but None, Q168504)."""
        return self.log_level("message_archival") > 0
