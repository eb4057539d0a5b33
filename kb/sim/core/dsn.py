"""The DSN SMTP extension (RFC 1891, now RFC 3461) as the Exchange 5.5 IMS takes it.

The IMS advertises ``DSN`` in its EHLO reply (Q262945) and implements RFC 1891 (Q262986):
``MAIL FROM`` takes ``RET=FULL|HDRS`` and ``ENVID=<xtext>``, ``RCPT TO`` takes
``NOTIFY=NEVER|SUCCESS,FAILURE,DELAY`` and ``ORCPT=<addr-type>;<xtext>`` (RFC 3461 §4).
``SIZE=<n>`` (RFC 1870) is the other advertised MAIL parameter (Q262945 shows ``SIZE=1460
RET=FULL``), and ``AUTH=<mailbox>`` (RFC 2554 §5) is accepted and ignored.

What the request does to the reports (kb.sim.store.report, kb.sim.ims.ndr, kb.sim.ims.smtp_out):
NOTIFY without FAILURE (NEVER, or SUCCESS/DELAY alone) suppresses the NDR of that recipient;
SUCCESS asks for a delivery report when the message is delivered to a mailbox, an "expanded"
report when a distribution list takes it, and a "relayed" report when the IMS hands it to a
host that does not advertise DSN (a DSN-capable next hop gets the parameters instead, RFC 3461
§5.2); RET=HDRS returns only the original's header in an NDR; ENVID and ORCPT come back as
Original-Envelope-Id and Original-Recipient (RFC 3464 §2.2.1, §2.3.1). No delay notices are
sent (RFC 3461 §4.1 lets an MTA decline; no article shows the IMS sending one - assumption).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NOTIFY_WORDS = ("SUCCESS", "FAILURE", "DELAY")
ENVID_MAX = 100  # RFC 3461 §4.4: at most 100 characters
ORCPT_MAX = 500  # RFC 3461 §4.2: the whole parameter, at most 500 characters
# RFC 3461 §4: xtext is "+" two upper-case hex digits, or any printable US-ASCII but "+" and "=".
_XTEXT = re.compile(r"(?:[!-*,-<>-~]|\+[0-9A-F]{2})*")
_KEYWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


class ParameterError(ValueError):
    """A MAIL or RCPT parameter the IMS refuses; ``key`` names the reply in smtpreplies.yaml."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key


def xtext_decode(text: str) -> str:
    """Return the text an xtext stands for (RFC 3461 §4: ``+XX`` is the octet XX); raise ValueError."""
    if not _XTEXT.fullmatch(text):
        raise ValueError(f"{text!r} is not xtext (RFC 3461 §4)")
    octets = re.sub(rb"\+([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), text.encode("ascii"))
    try:
        return octets.decode("utf-8")
    except UnicodeDecodeError:
        return octets.decode("latin-1")  # octets that are not UTF-8 keep one character each


def xtext_encode(text: str) -> str:
    """Return ``text`` as xtext: "+", "=", blanks, controls and non-ASCII as ``+XX`` (UTF-8 octets)."""
    out = []
    for octet in text.encode("utf-8"):
        char = chr(octet)
        out.append(char if 33 <= octet <= 126 and char not in "+=" else f"+{octet:02X}")
    return "".join(out)


@dataclass(frozen=True)
class MailParameters:
    """The MAIL FROM parameters the IMS keeps."""

    ret: str | None = None  # "FULL" or "HDRS"
    envid: str | None = None  # decoded ENVID
    size: int | None = None  # declared SIZE (RFC 1870)

    def wire(self) -> str:
        """Return the DSN parameters as passed on to a DSN-capable next hop (RFC 3461 §5.2)."""
        words = ([f"RET={self.ret}"] if self.ret else []) + ([f"ENVID={xtext_encode(self.envid)}"] if self.envid is not None else [])
        return " ".join(words)


@dataclass(frozen=True)
class RecipientParameters:
    """The RCPT TO parameters the IMS keeps for one recipient."""

    notify: frozenset[str] | None = None  # None: not given; frozenset(): NEVER
    orcpt: tuple[str, str] | None = None  # (addr-type, decoded address)

    @property
    def wants_failure(self) -> bool:
        """Return True unless NOTIFY was given without FAILURE (RFC 3461 §4.1: the default is FAILURE)."""
        return self.notify is None or "FAILURE" in self.notify

    @property
    def wants_success(self) -> bool:
        """Return True when NOTIFY includes SUCCESS."""
        return self.notify is not None and "SUCCESS" in self.notify

    def original_recipient(self) -> str | None:
        """Return the RFC 3464 Original-Recipient value (``rfc822;addr``), or None without ORCPT."""
        return f"{self.orcpt[0]};{self.orcpt[1]}" if self.orcpt else None

    def wire(self) -> str:
        """Return the parameters as passed on to a DSN-capable next hop."""
        words = []
        if self.notify is not None:
            words.append("NOTIFY=" + (",".join(w for w in NOTIFY_WORDS if w in self.notify) or "NEVER"))
        if self.orcpt:
            words.append(f"ORCPT={self.orcpt[0]};{xtext_encode(self.orcpt[1])}")
        return " ".join(words)

    def to_props(self) -> dict[str, object]:
        """Return a plain-data form for a message property."""
        return {"notify": sorted(self.notify) if self.notify is not None else None,
                "orcpt": list(self.orcpt) if self.orcpt else None}

    @classmethod
    def from_props(cls, data: object) -> "RecipientParameters":
        """Return the parameters stored by ``to_props`` (an empty request when absent)."""
        if not isinstance(data, dict):
            return cls()
        notify, orcpt = data.get("notify"), data.get("orcpt")
        return cls(frozenset(notify) if notify is not None else None, (str(orcpt[0]), str(orcpt[1])) if orcpt else None)


def _split(params: str) -> list[tuple[str, str | None]]:
    """Return (upper-case keyword, value or None) pairs; raise ParameterError on a malformed one."""
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for word in params.split():
        keyword, eq, value = word.partition("=")
        if not _KEYWORD.fullmatch(keyword) or (eq and not value):
            raise ParameterError("syntax", f"malformed parameter {word!r} (RFC 1869 §4: keyword[=value])")
        keyword = keyword.upper()
        if keyword in seen:
            raise ParameterError("syntax", f"parameter {keyword} given twice (RFC 3461 §4)")
        seen.add(keyword)
        out.append((keyword, value if eq else None))
    return out


def parse_mail(params: str, extended: bool = True) -> MailParameters:
    """Return the MAIL FROM parameters in ``params``; raise ParameterError (a 501/555 reply key)."""
    ret = envid = None
    size: int | None = None
    for keyword, value in _split(params):
        if not extended:
            raise ParameterError("syntax", "parameters need EHLO (RFC 1869 §4)")
        if keyword == "RET":
            if value is None or value.upper() not in ("FULL", "HDRS"):
                raise ParameterError("syntax", f"RET={value} is not FULL or HDRS (RFC 3461 §4.3)")
            ret = value.upper()
        elif keyword == "ENVID":
            try:
                envid = xtext_decode(value or "")
            except ValueError as error:
                raise ParameterError("syntax", str(error)) from None
            if len(value or "") > ENVID_MAX:
                raise ParameterError("syntax", f"ENVID is longer than {ENVID_MAX} characters (RFC 3461 §4.4)")
        elif keyword == "SIZE":
            if value is None or not value.isdigit():
                raise ParameterError("syntax", f"SIZE={value} is not a number of bytes (RFC 1870 §6)")
            size = int(value)
        elif keyword == "AUTH":
            continue  # RFC 2554 §5: the submitter's identity; the IMS trusts only its own AUTH
        else:
            raise ParameterError("parameter_unknown", f"{keyword} is not a MAIL parameter the IMS implements")
    return MailParameters(ret, envid, size)


def parse_rcpt(params: str, extended: bool = True) -> RecipientParameters:
    """Return the RCPT TO parameters in ``params``; raise ParameterError (a 501/555 reply key)."""
    notify: frozenset[str] | None = None
    orcpt: tuple[str, str] | None = None
    for keyword, value in _split(params):
        if not extended:
            raise ParameterError("syntax", "parameters need EHLO (RFC 1869 §4)")
        if keyword == "NOTIFY":
            words = [w.strip().upper() for w in (value or "").split(",")]
            if words == ["NEVER"]:
                notify = frozenset()
            elif words and all(w in NOTIFY_WORDS for w in words) and len(set(words)) == len(words):
                notify = frozenset(words)
            else:
                raise ParameterError("syntax", f"NOTIFY={value} is not NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1)")
        elif keyword == "ORCPT":
            kind, semi, text = (value or "").partition(";")
            if not semi or not _KEYWORD.fullmatch(kind) or not text or len(value or "") + 6 > ORCPT_MAX:
                raise ParameterError("syntax", f"ORCPT={value} is not addr-type;xtext (RFC 3461 §4.2)")
            try:
                orcpt = (kind, xtext_decode(text))
            except ValueError as error:
                raise ParameterError("syntax", str(error)) from None
        else:
            raise ParameterError("parameter_unknown", f"{keyword} is not an RCPT parameter the IMS implements")
    return RecipientParameters(notify, orcpt)


@dataclass
class DsnRequest:
    """The DSN request of one inbound transaction, kept on the message (``props["dsn"]``)."""

    mail: MailParameters = field(default_factory=MailParameters)
    recipients: dict[int, RecipientParameters] = field(default_factory=dict)  # row id -> parameters

    def to_props(self) -> dict[str, object]:
        """Return plain data (messages deep-copy their props)."""
        return {"ret": self.mail.ret, "envid": self.mail.envid,
                "recipients": {row: p.to_props() for row, p in self.recipients.items()}}


def request_of(props: dict[str, object]) -> DsnRequest | None:
    """Return the DSN request a message carries, or None (mail not from a DSN client)."""
    data = props.get("dsn")
    if not isinstance(data, dict):
        return None
    recipients = data.get("recipients") or {}
    assert isinstance(recipients, dict)
    return DsnRequest(MailParameters(data.get("ret"), data.get("envid")),  # type: ignore[arg-type]
                      {int(row): RecipientParameters.from_props(p) for row, p in recipients.items()})


def recipient_request(props: dict[str, object], row_id: int) -> RecipientParameters:
    """Return the RCPT parameters of row ``row_id`` (an empty request when none were given)."""
    request = request_of(props)
    return request.recipients.get(row_id, RecipientParameters()) if request else RecipientParameters()
