"""SMTP AUTH (RFC 2554) as the Exchange 5.5 IMS answers it, server side.

The IMS supports RFC 2554 (Q262986) and always advertises ``AUTH LOGIN`` / ``AUTH=LOGIN`` in its
EHLO reply (Q235627, Q262945). ``AUTH LOGIN`` asks for the user name and the password in base64
(``334 VXNlcm5hbWU6`` "Username:", ``334 UGFzc3dvcmQ6`` "Password:") and answers ``235 LOGIN
authentication successful`` (Q173656). The credentials are a Windows NT account checked with
LogonUser(); a failure logs MSExchangeIMC 4183 (Q235627). Exchange servers also speak NTLM
between themselves (``AUTH NTLM``, ``235 ntlm authentication successful``, Q262945); the
simulator does not model the NTLM challenge/response and answers it like any mechanism it does
not know (504, RFC 2554 §4). With ``DisableAuth`` set (Imcmsg.dll/Msexcimc.exe 5.5.2638.0, SP3,
Q235627) the IMS neither advertises nor accepts AUTH.

A client that authenticated may relay when RelayFlags has bit 8 ("Hosts and clients that
successfully authenticate", Q193922); an unknown user name logs on as Guest when the Windows NT
Guest account is enabled, so such clients relay too (Q251149).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.ims import SOURCE

if TYPE_CHECKING:
    from kb.sim.ims.context import Ims

# Q235627: the DisableAuth registry value arrives with Msexcimc.exe/Imcmsg.dll 5.5.2638.0 (SP3);
# earlier builds ignore it.
IMS_READS_DISABLE_AUTH = build("5.5.2638.0")
MECHANISMS = ("LOGIN",)
# What the protocol log writes for a line that carries a password (the wire's base64 is not
# written; assumption: the real log's treatment of the password line is not documented).
MASK = "****"


def auth_disabled(ims: "Ims") -> bool:
    """Return True when this build reads DisableAuth and it is set (Q235627)."""
    return bool(ims.config.registry.get("DisableAuth", 0)) and ims.build >= IMS_READS_DISABLE_AUTH


def decode(line: str) -> str | None:
    """Return a client's base64 line as text, or None when it is not base64 (RFC 2554 §4: 501)."""
    try:
        return base64.b64decode(line.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def log_form(command: str) -> str:
    """Return an AUTH command as the protocol log writes it: the initial response masked."""
    verb, _, rest = command.strip().partition(" ")
    mechanism, _, initial = rest.strip().partition(" ")
    return f"{verb} {mechanism}".rstrip() + (f" {MASK}" if initial.strip() else "")


@dataclass
class AuthExchange:
    """One AUTH LOGIN exchange in progress: which prompt the client is answering."""

    mechanism: str
    step: str  # "username" or "password"
    user: str = ""

    def log_form(self, line: str) -> str:
        """Return the client's line as the protocol log writes it (the password masked)."""
        return MASK if self.step == "password" else line
