"""Q235219 — XADM: Too Many Consecutive CRLFs Truncate Message.

From the article:
- Trigger: "an inbound SMTP message that includes a large number of consecutive carriage-return
  line-feed (CRLF) characters in Japanese encoding".
- Symptom: "the message may be truncated at the CRLF characters" (or, for a very large message,
  the store stops with a stack overflow).
- Cause: a whole series of CRLFs is copied at once and fails when it does not fit the output
  buffer; the buffer is reallocated only when less than the 256-byte margin is free; it "always
  occurs when the series of CRLF characters exceeds the buffer size (4096 bytes = 2048 CRLF
  pairs)" and may occur "with as little as 128 CRLF pairs".
- Affected: Exchange Server 5.5; first fixed in SP3 (Store.exe 5.5.2637.0).

Modelled assumptions (not in the article):
- The message: ISO-2022-JP plain text, a greeting, 2,100 empty lines, a closing line; the
  truncated body ends before the series. The stack-overflow variant is not modelled.
- Control: the same message with 100 empty lines (under 128 pairs) arrives whole on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

GREETING = "\u304a\u4e16\u8a71\u306b\u306a\u3063\u3066\u304a\u308a\u307e\u3059\u3002"  # polite greeting
CLOSING = "\u3088\u308d\u3057\u304f\u304a\u9858\u3044\u3057\u307e\u3059\u3002"


def _flow(release: str, blank_lines: int, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("taro", "Taro Yamada")
    text = GREETING + "\r\n" + "\r\n" * blank_lines + CLOSING + "\r\n"
    payload = ("From: hanako@example.jp\r\nTo: taro@contoso.com\r\nSubject: Minutes\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
               ).encode("ascii") + text.encode("iso2022_jp")
    session = org.ims.session(peer_ip="192.0.2.80", peer_name="mx.example.jp")
    session.transaction("mx.example.jp", "hanako@example.jp", ["taro@contoso.com"], payload)
    org.run()
    [message] = org.client("taro").inbox()
    body = message.body or ""
    whole = CLOSING in body
    transcript.append(f"[{label}] sent {blank_lines + 1} consecutive CRLF pairs in ISO-2022-JP text "
                      f"({len(text)} characters); delivered body: {len(body)} characters, "
                      f"{'ends with the closing line' if whole else 'cut off before the closing line'}")
    return {"crlf_pairs": blank_lines + 1, "sent_chars": len(text), "delivered_chars": len(body),
            "closing_line_delivered": whole, "store": org.store.state}


def run(release: str) -> Observation:
    """Reproduce Q235219 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    long_series = _flow(release, 2100, transcript, "2,101 CRLF pairs")
    control = _flow(release, 100, transcript, "control: 101 CRLF pairs")
    symptom = not long_series["closing_line_delivered"] and long_series["delivered_chars"] < long_series["sent_chars"]
    transcript.append("symptom: the message was truncated at the CRLF series"
                      if symptom else "no symptom: the message arrived whole")
    return Observation(symptom=symptom, evidence={"long_crlf_series": long_series, "control_short_series": control},
                       transcript=transcript)
