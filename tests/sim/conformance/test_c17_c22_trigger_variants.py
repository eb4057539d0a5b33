"""Each C17-C22 mechanism bites on the whole class of inputs its article's CAUSE describes.

Hypothesis generates variants of each trigger; every variant runs on releases either side of the
fix: the symptom shows on every build the article documents (``articles_c17_c22.ARTICLES``) and on
no other.
"""

from __future__ import annotations

from typing import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles_c17_c22 import affected
from kb.sim import DomainRoute, ImsConfig, Organisation
from kb.sim.peering import wire
from kb.sim.store.quota import StorageLimits

SAMPLE = [
    "Exchange Server 5.5", "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4",
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2558.0", "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2594.0",
    "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2651.58", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39",
    "Exchange Server 5.5 SP2 + Store.exe 5.5.2591.0", "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17",
]
VARIANTS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 :-.", min_size=0, max_size=12)
LOCAL = st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True).filter(lambda s: ".." not in s)


def each_release(article: str, symptom: Callable[[str], bool]) -> None:
    """Assert ``symptom(release)`` is True exactly on the sampled releases ``article`` affects."""
    wrong = [f"{r}: {'symptom' if s else 'no symptom'}" for r in SAMPLE
             for s in [symptom(r)] if s != affected(article, r)]
    assert wrong == [], f"{article}, against the article on: {wrong}"


# -- Q258999: any null-path message for any custom recipient in any accepted domain -----------------
@VARIANTS
@given(local=LOCAL, domain=st.sampled_from(["microsoft.example", "Partner.Example", "mail.corp.example"]),
       reroute=st.booleans(), body=WORDS)
def test_q258999_any_null_path_message_to_a_custom_recipient_leaves_the_smart_host_as_unknown(
        local: str, domain: str, reroute: bool, body: str) -> None:
    address = f"{local}@{domain}"

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(forward_host="smtp.relay.example", reroute_incoming=reroute,
                                                          domain_routes=[DomainRoute(domain.lower(), inbound=True)]))
        org.add_custom_recipient("target", f"SMTP:{address}", "Target", smtp=[address])
        smart = org.add_remote_host("smtp.relay.example", "192.0.2.80")
        session = org.ims.session(peer_ip="192.0.2.10")
        session.transaction("mail.example.org", "", [address], f"Subject: r\r\n\r\n{body}\r\n".encode())
        org.run()
        paths = [d.mail_from for d in smart.received]
        assert len(paths) == 1, paths  # forwarded on every build
        return paths != [""]

    each_release("Q258999", symptom)


# -- Q246881: any list of members, any unknown member, any list name ---------------------------------
@VARIANTS
@given(known=st.integers(min_value=0, max_value=2), unknown=st.integers(min_value=1, max_value=2),
       list_name=st.sampled_from(["Sales Team", "All Staff", "dl-europe"]), content=st.sampled_from(["MIME", "UUENCODE"]))
def test_q246881_any_unknown_member_of_a_tnef_list_is_named_by_the_list(known: int, unknown: int, list_name: str,
                                                                       content: str) -> None:
    remote = "europe.microsoft.example"

    def symptom(release: str) -> bool:
        sender = Organisation(release, organisation="Microsoft", server="TOTO", domain="microsoft.example",
                              ims_config=ImsConfig(domain_routes=[DomainRoute(remote, rich_text="always", content=content)]))
        receiver = Organisation(release, organisation="Microsoft", site="Dublin", server="EUR01", domain=remote)
        wire(sender, receiver)
        sender.add_mailbox("alice", "Alice Smith")
        members = []
        for i in range(known):
            receiver.add_mailbox(f"k{i}", f"Known {i}")
            sender.add_custom_recipient(f"k{i}", f"SMTP:k{i}@{remote}", f"Known {i}")
            members.append(f"k{i}")
        for i in range(unknown):
            sender.add_custom_recipient(f"u{i}", f"SMTP:u{i}@{remote}", f"Unknown {i}")
            members.append(f"u{i}")
        sender.add_distribution_list("dl", members, list_name)
        sender.client("alice").send("dl", subject="figures", body="see attached")
        assert all(len(receiver.client(f"k{i}").inbox()) == 1 for i in range(known))
        body = "".join(m.body for m in sender.client("alice").inbox() if m.subject.startswith("Undeliverable"))
        assert body, "no NDR came back"
        named_members = all(f"u{i}@{remote}" in body for i in range(unknown))
        return "dl@microsoft.example" in body and not named_members

    each_release("Q246881", symptom)


# -- Q239816: any pointer conversion anywhere in the subject ----------------------------------------
@VARIANTS
@given(before=WORDS, after=WORDS, spec=st.sampled_from(["%s", "%S", "%5s", "%-3s", "%.2s", "%ls", "%n", "%hs"]))
def test_q239816_any_string_conversion_in_the_subject_crashes_the_ims_at_maximum(before: str, after: str, spec: str) -> None:
    subject = f"{before}{spec}{after}"

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(logging={"smtp_protocol_log": "Maximum"}))
        org.add_mailbox("alice", "Alice Smith")
        org.add_remote_host("mx.test.example", "192.0.2.31", behaviour="tempfail")
        org.dns.add_zone("test.example", mx=[(10, "mx.test.example")])
        org.client("alice").send("SMTP:user@test.example", subject=subject)
        return org.ims.state == "stopped"

    each_release("Q239816", symptom)


@VARIANTS
@given(subject=WORDS, spec=st.sampled_from(["%%", "%d", "%x", "%5d", "100%"]))
def test_q239816_numeric_conversions_and_percent_signs_never_stop_the_ims(subject: str, spec: str) -> None:
    for release in SAMPLE:
        org = Organisation(release, ims_config=ImsConfig(logging={"smtp_protocol_log": 5}))
        org.add_mailbox("alice", "Alice Smith")
        org.add_remote_host("mx.test.example", "192.0.2.31", behaviour="tempfail")
        org.dns.add_zone("test.example", mx=[(10, "mx.test.example")])
        org.client("alice").send("SMTP:user@test.example", subject=subject + spec)
        assert org.ims.state == "running", release


# -- Q226202: any backlog over a prohibit limit, any failure that needs a gateway report -------------
@VARIANTS
@given(limit_kb=st.integers(min_value=50, max_value=900), which=st.sampled_from(["send", "send_receive"]),
       failure=st.sampled_from(["host", "550"]))
def test_q226202_any_ims_mailbox_over_a_prohibit_limit_loses_its_reports(limit_kb: int, which: str, failure: str) -> None:
    limits = StorageLimits(prohibit_send_kb=limit_kb) if which == "send" else StorageLimits(prohibit_send_receive_kb=limit_kb)

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("alice", "Alice Smith")
        org.store.quotas.set_limits(limits)
        org.add_remote_host("mx.busy.example", "192.0.2.40", behaviour="tempfail")
        org.dns.add_zone("busy.example", mx=[(10, "mx.busy.example")])
        org.add_remote_host("mx.example.net", "192.0.2.25", recipients={"gone@example.net": "550 5.1.1 User unknown"})
        org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
        client = org.client("alice")
        for alias in ("u1", "u2", "u3"):  # each sender under the limit, the IMS mailbox over it
            org.add_mailbox(alias)
            org.client(alias).send("SMTP:bob@busy.example", subject="backlog", body="x" * (limit_kb * 400))
        assert org.store.quotas.state(org.ims_mailbox) in ("Prohibit send", "Mailbox disabled")
        client.send("SMTP:pat@invaliddomain.com" if failure == "host" else "SMTP:gone@example.net", subject="s")
        lost = not client.ndrs()
        assert lost == bool(org.eventlog.entries(source="MSExchangeIS Private", event_id=2018))
        return lost

    each_release("Q226202", symptom)


# -- Q230288: any IMS failure kind, any X.400 originator ---------------------------------------------
@VARIANTS
@given(surname=st.sampled_from(["Smith", "O'Neil", "Lee-Ng"]), org_unit=st.sampled_from(["", ";o=Sales", ";o=HQ;ou1=IT"]),
       failure=st.sampled_from(["host", "550", "552", "size"]))
def test_q230288_any_ims_ndr_to_an_x400_originator_has_a_three_octet_reason(surname: str, org_unit: str,
                                                                          failure: str) -> None:
    originator = f"c=US;a= ;p=Fabrikam{org_unit};s={surname}"
    recipient = {"host": "pat@invaliddomain.com", "550": "gone@example.net", "552": "full@example.net",
                 "size": "big@example.net"}[failure]

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(message_size_kb=1) if failure == "size" else None)
        connector = org.add_x400_connector("FABMTA", "c=US;a= ;p=Fabrikam", strict=True)
        org.add_remote_host("mx.example.net", "192.0.2.25", recipients={"gone@example.net": "550 5.1.1 User unknown",
                                                                       "full@example.net": "552 mailbox full"})
        org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
        connector.submit(originator, [f"SMTP:{recipient}"], subject="order", body="y" * (2048 if failure == "size" else 10))
        (report,) = connector.foreign.received
        width = report.recipients[0].octets[1]
        assert (width != 1) == (connector.foreign.state == "stopped")
        return width != 1

    each_release("Q230288", symptom)


# -- Q238498: any report (any sender text, any size) to any disabled mailbox on another server ------
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(server=st.sampled_from(["EXCH02", "mail2", "Branch-01"]), subject=WORDS,
       over_kb=st.integers(min_value=1, max_value=200))
def test_q238498_any_report_to_a_disabled_mailbox_on_another_server_loops(server: str, subject: str, over_kb: int) -> None:
    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("alice", "Alice Smith", home_server=server)
        org.add_mailbox("bob", "Bob Jones")
        org.client("bob").send("alice", subject="filler", body="x" * ((100 + over_kb) * 1024))
        org.store.quotas.set_limits(StorageLimits(prohibit_send_receive_kb=100), "alice")
        session = org.ims.session(peer_ip="192.0.2.10")
        session.transaction("mail.example.org", "", ["alice@contoso.com"], f"Subject: {subject}\r\n\r\nx\r\n".encode())
        try:
            org.clock.run(limit=12)
        except RuntimeError:
            return True
        assert org.store.quotas.refused == 1
        return False

    each_release("Q238498", symptom)
