"""Protocol LOG files grow with their session: every line once, in order, readable at any point."""

from __future__ import annotations

from kb.sim import ImsConfig, Organisation


def _org() -> Organisation:
    org = Organisation("Exchange Server 5.5 SP3", ims_config=ImsConfig(logging={"smtp_protocol_log": "Medium"}))
    org.add_mailbox("bob")
    return org


def test_a_long_sessions_log_file_holds_every_line_once_in_order() -> None:
    org = _org()
    session = org.ims.session("198.51.100.7", "client.example.org")
    session.ehlo("client.example.org")
    seen = []
    for index in range(150):
        session.mail(f"s{index}@example.net")
        session.rcpt("bob@contoso.com")
        session.data(f"Subject: {index}\r\n\r\nx\r\n".encode())
        (log,) = org.ims.spool.list("LOG")
        seen.append(log.data.count(b"\r\n"))
    (log,) = org.ims.spool.list("LOG")
    assert log.data.decode().split("\r\n")[:-1] == org.ims.protocol_log.sessions[0].lines
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # it grew with every transaction
    assert log.data.count(b"MAIL FROM:<s149@example.net>") == 1


def test_the_log_file_of_each_session_is_its_own() -> None:
    org = _org()
    for peer in ("198.51.100.7", "198.51.100.8"):
        session = org.ims.session(peer, "client.example.org")
        session.helo("client.example.org")
        session.quit()
    first, second = org.ims.spool.list("LOG")
    assert (first.name, second.name) == ("L0000000.LOG", "L0000001.LOG")
    assert b"198.51.100.7" in first.data and b"198.51.100.7" not in second.data
