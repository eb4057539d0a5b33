"""Each modelled bug bites on the whole class of inputs its article's CAUSE describes.

Hypothesis generates variants of every trigger (blank placement, case, address forms, sizes,
positions) and each variant is run on releases on both sides of the fix: the symptom must show
on every build the article documents (``sim_conformance.BUGS``) and on no other.
"""

from __future__ import annotations

from typing import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim_conformance import affected
from kb.sim import DomainRoute, ImsConfig, Organisation, RelayRules

# Base releases plus the hotfix overlays that sit on either side of a component threshold.
SAMPLE = [
    "Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3",
    "Exchange Server 5.5 SP4",
    "Exchange Server 5.5 SP1 + Store.exe 5.5.2417", "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2558.0",
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2607.0", "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2650.21",
    "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2651.58", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39",
    "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17",
]
VARIANTS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BLANK = st.sampled_from(["", " ", "  ", "\t"])
NXDOMAINS = st.sampled_from(["invaliddomain.com", "nowhere.example", "Bad-Host.NET", "x.invalid"])


def each_release(article: str, symptom: Callable[[str], bool]) -> None:
    """Assert ``symptom(release)`` is True exactly on the sampled releases ``article`` affects."""
    wrong = []
    for release in SAMPLE:
        shown = symptom(release)
        if shown != affected(article, release):
            wrong.append(f"{release}: {'symptom' if shown else 'no symptom'}")
    assert wrong == [], f"{article}, against the article on: {wrong}"


def swap_case(text: str, mask: int) -> str:
    return "".join(c.upper() if mask >> (i % 16) & 1 else c.lower() for i, c in enumerate(text))


# -- Q254893: blanks the IMS trims (local part and domain, either end) --------------------------
@VARIANTS
@given(local=st.sampled_from(["joeuser", "Joe.User", "j"]), domain=NXDOMAINS,
       blanks=st.tuples(BLANK, BLANK, BLANK, BLANK).filter(any))
def test_q254893_any_blank_the_ims_trims_loses_the_second_ndr(local: str, domain: str,
                                                               blanks: tuple[str, str, str, str]) -> None:
    address = f"SMTP:{blanks[0]}{local}{blanks[1]}@{blanks[2]}{domain}{blanks[3]}"

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("joeuser", "Joe User")
        client = org.client("joeuser")
        client.send(address, subject="Status report")
        assert len(client.ndrs()) == 1
        client.send_again(client.ndrs()[0])
        return len(client.ndrs()) == 1 and bool(org.eventlog.entries(event_id=4120))

    each_release("Q254893", symptom)


# -- Q228998: a blank around the recipient domain misses the per-domain route -------------------
@VARIANTS
@given(lead=BLANK, trail=BLANK, mask=st.integers(0, 0xFFFF))
def test_q228998_any_blank_around_the_domain_misses_the_route(lead: str, trail: str, mask: int) -> None:
    if not (lead or trail):
        trail = " "
    address = f"SMTP:user@{lead}{swap_case('partner.example', mask)}{trail}"

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(domain_routes=[DomainRoute("partner.example", host="gw.partner.example")]))
        org.add_mailbox("alice")
        org.add_remote_host("gw.partner.example", "198.51.100.10")
        org.add_remote_host("mx.partner.example", "198.51.100.25")
        org.dns.add_zone("partner.example", mx=[(10, "mx.partner.example")])
        org.client("alice").send(address, subject="Order")
        return not org.internet.host("gw.partner.example").received

    each_release("Q228998", symptom)


# -- Q245041: any prefix of "postmaster", in any case --------------------------------------------
@VARIANTS
@given(length=st.integers(1, 9), mask=st.integers(0, 0xFFFF))
def test_q245041_any_prefix_of_postmaster_reaches_the_postmaster(length: int, mask: int) -> None:
    local = swap_case("postmaster"[:length], mask)

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("administrator", "Administrator", smtp=["administrator@contoso.com", "postmaster@contoso.com"])
        org.add_remote_host("mx.example.org", "192.0.2.50")
        org.ims.session("192.0.2.50").transaction("mx.example.org", "lee@example.org", [f"{local}@contoso.com"],
                                                  b"Subject: Order status\r\n\r\nWhere?\r\n")
        org.run()
        return bool(org.client("administrator").inbox())

    each_release("Q245041", symptom)


# -- Q237927: the canonical IMCEASMTP- form, any case, any target --------------------------------
TARGETS = st.sampled_from([("user", "partner.example"), ("sales.team", "partner.example"), ("x", "mx.partner.example")])


def encode(text: str) -> str:
    return "".join(c if c.isalnum() else f"+{ord(c):02X}" for c in text)


@VARIANTS
@given(target=TARGETS, mask=st.integers(0, 0xFFFF))
def test_q237927_any_canonical_encapsulation_is_rerouted_with_rerouting_off(target: tuple[str, str], mask: int) -> None:
    address = f"{swap_case('IMCEASMTP', mask)}-{encode(target[0] + '@' + target[1])}@contoso.com"

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(reroute_incoming=False))
        org.add_mailbox("alice")
        org.add_remote_host("mx.partner.example", "198.51.100.25")
        org.dns.add_zone("partner.example", mx=[(10, "mx.partner.example")])
        org.ims.session("192.0.2.80").transaction("client.example", "someone@client.example", [address],
                                                  b"Subject: Hello\r\n\r\nHi.\r\n")
        org.run()
        return bool(org.internet.host("mx.partner.example").received)

    each_release("Q237927", symptom)


# -- Q264330: loose encapsulations the decapsulator accepts --------------------------------------
@VARIANTS
@given(form=st.sampled_from(['"{imcea} {user}@{domain}"@contoso.com', "{imcea}-{user}+40{domain}@contoso.com",
                             '"{imcea}- {user}@{domain}"@contoso.com']),
       mask=st.integers(0, 0xFFFF), user=st.sampled_from(["user", "bulk.buyer", "a"]))
def test_q264330_any_loose_encapsulation_is_relayed_despite_the_restrictions(form: str, mask: int, user: str) -> None:
    address = form.format(imcea=swap_case("IMCEA", mask), user=user, domain="domain2.example")

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(forward_host="mail.domain2.example", relay=RelayRules(flags=8)))
        org.add_mailbox("alice")
        org.add_remote_host("mail.domain2.example", "198.51.100.99")
        org.ims.session("203.0.113.66").transaction("spammer.example", "bulk@spammer.example", [address],
                                                    b"Subject: Buy now\r\n\r\nOffer.\r\n")
        org.run()
        return bool(org.internet.host("mail.domain2.example").received)

    each_release("Q264330", symptom)


# -- Q240788: any message between the limit in bytes and the limit in KB -------------------------
@VARIANTS
@given(limit_kb=st.integers(4, 40), fraction=st.floats(0.2, 0.85))
def test_q240788_any_size_under_the_kb_limit_but_over_it_in_bytes_is_refused(limit_kb: int, fraction: float) -> None:
    body = "x" * int(limit_kb * 1024 * fraction)

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(domain_routes=[DomainRoute("partner.example", max_size_kb=limit_kb)]))
        org.add_mailbox("alice")
        org.add_remote_host("mx.partner.example", "198.51.100.25")
        org.dns.add_zone("partner.example", mx=[(10, "mx.partner.example")])
        org.client("alice").send("SMTP:buyer@partner.example", subject="Order", body=body)
        return not org.internet.host("mx.partner.example").received

    each_release("Q240788", symptom)


# -- Q260741: a 552 to any one RCPT of a batch of any size ---------------------------------------
@VARIANTS
@given(count=st.integers(2, 6), data=st.data())
def test_q260741_a_552_anywhere_in_the_batch_fails_every_recipient(count: int, data: st.DataObject) -> None:
    full = data.draw(st.integers(0, count - 1))
    recipients = [f"user{i}@example.net" for i in range(count)]

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("alice")
        org.add_remote_host("mx.example.net", "192.0.2.25", recipients={recipients[full]: "552 mailbox quota limit exceeded"})
        org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
        org.client("alice").send([f"SMTP:{r}" for r in recipients], subject="Figures")
        return not org.internet.host("mx.example.net").received

    each_release("Q260741", symptom)


# -- Q246051: any inbound recipient count over Max Recipients on Submit --------------------------
@VARIANTS
@given(limit=st.integers(1, 4), over=st.integers(1, 3))
def test_q246051_any_count_over_the_limit_leaves_the_sender_without_an_ndr(limit: int, over: int) -> None:
    def symptom(release: str) -> bool:
        org = Organisation(release)
        for i in range(limit + over):
            org.add_mailbox(f"user{i}")
        org.store.max_recipients_on_submit = limit
        org.add_remote_host("mx.example.org", "192.0.2.50")
        org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
        org.ims.session("192.0.2.50").transaction("mx.example.org", "pat@example.org",
                                                  [f"user{i}@contoso.com" for i in range(limit + over)],
                                                  b"Subject: All hands\r\n\r\nHi.\r\n")
        org.run()
        return not org.internet.host("mx.example.org").received and bool(org.eventlog.entries(event_id=4117))

    each_release("Q246051", symptom)


# -- Q252624: any illegal Macintosh type or creator code -----------------------------------------
ILLEGAL = st.one_of(st.text("0123456789ABCDEF", min_size=0, max_size=7), st.text("0123456789ABCDEF", min_size=9, max_size=12),
                    st.text("GHIJKLMNOPQRSTUVWXYZ?", min_size=1, max_size=8))


@VARIANTS
@given(value=ILLEGAL, which=st.sampled_from(["x-mac-type", "x-mac-creator"]))
def test_q252624_any_illegal_mac_attribute_stops_delivery(value: str, which: str) -> None:
    legal = {"x-mac-type": "42494E41", "x-mac-creator": "4D535744"}
    legal[which] = value
    payload = ("From: designer@example.org\r\nTo: alice@contoso.com\r\nSubject: Layout\r\nMIME-Version: 1.0\r\n"
               'Content-Type: multipart/mixed; boundary="==mac=="\r\n\r\n--==mac==\r\nContent-Type: text/plain\r\n\r\n'
               "See attached.\r\n--==mac==\r\n"
               f'Content-Type: application/octet-stream; name="LAYOUT.QXD"; x-mac-type="{legal["x-mac-type"]}"; '
               f'x-mac-creator="{legal["x-mac-creator"]}"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--==mac==--\r\n')

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("alice")
        org.ims.session("192.0.2.60").transaction("mx.example.org", "designer@example.org", ["alice@contoso.com"],
                                                  payload.encode())
        org.run()
        return not org.client("alice").inbox()

    each_release("Q252624", symptom)


# -- Q193782: any corrupted +xx escape in an encapsulated header address -------------------------
@VARIANTS
@given(bad=st.sampled_from(["+3L", "+G1", "+", "+Z", "+3", "+g0"]), at=st.integers(0, 3))
def test_q193782_any_corrupted_escape_stops_the_ims(bad: str, at: int) -> None:
    parts = ["IMCEAEX-_O=Contoso", "_OU=Europe", "_CN=Recipients", "_CN=Mail"]
    parts[at] += bad
    cc = "".join(parts) + "London@contoso.com"

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("alice")
        org.ims.session("192.0.2.60").transaction(
            "mx.example.org", "someone@example.org", ["alice@contoso.com"],
            f"From: someone@example.org\r\nTo: alice@contoso.com\r\nCc: {cc}\r\nSubject: x\r\n\r\nx\r\n".encode())
        org.run()
        return org.ims.state == "stopped"

    each_release("Q193782", symptom)


# -- Q193639: any set of properties over 32 KB in all, each under it -----------------------------
@VARIANTS
@given(sizes=st.lists(st.integers(2_000, 20_000), min_size=2, max_size=5).filter(lambda s: 33_000 < sum(s) < 60_000))
def test_q193639_any_property_total_over_32_kb_stops_the_ims(sizes: list[int]) -> None:
    props = {f"PR_TRANSPORT_MESSAGE_HEADERS{'' if i == 0 else f'_{i}'}": "h" * size for i, size in enumerate(sizes)}

    def symptom(release: str) -> bool:
        org = Organisation(release)
        org.add_mailbox("alice")
        org.add_remote_host("mx.example.net", "192.0.2.25")
        org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
        client = org.client("alice")
        client.submit(client.compose("SMTP:carol@example.net", subject="Trace", props=props))
        return org.ims.state == "stopped"

    each_release("Q193639", symptom)


# -- Q217195: any "address unknown" reply (550/551/553, any text) misfires the notification ------
@VARIANTS
@given(code=st.sampled_from([550, 551, 553]), text=st.sampled_from(["5.1.1 User unknown", "No such user", "mailbox unavailable"]))
def test_q217195_any_unknown_address_reply_is_copied_to_the_administrator(code: int, text: str) -> None:
    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(administrator="admin", notifications=["host"]))
        org.add_mailbox("admin", "IMS Administrator")
        org.add_mailbox("alice")
        org.add_remote_host("mail.fabrikam.com", "192.0.2.25", recipients={"nobody@fabrikam.com": f"{code} {text}"})
        org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
        org.client("alice").send("SMTP:nobody@fabrikam.com", subject="test")
        assert len(org.client("alice").ndrs()) == 1
        return bool(org.client("admin").ndrs())

    each_release("Q217195", symptom)


# -- Q253619: an administrator X.400 address with any global-domain key in upper case ------------
@VARIANTS
@given(mask=st.integers(1, 7), spaced=st.booleans())
def test_q253619_any_upper_case_global_domain_key_loses_relayed_mail(mask: int, spaced: bool) -> None:
    keys = [k.upper() if mask >> i & 1 else k for i, k in enumerate("cap")]
    sep = "; " if spaced else ";"
    x400 = sep.join([f"{keys[0]}=US", f"{keys[1]}= ", f"{keys[2]}=Contoso", "s=Administrator"])

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(administrator="admin"))
        org.add_mailbox("admin", "IMS Administrator").x400 = x400
        org.add_custom_recipient("partner", "SMTP:partner@fabrikam.com", "Partner", smtp=["partner@contoso.com"])
        org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
        org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
        org.ims.session("192.0.2.7").transaction("mail.example.net", "pat@example.net", ["partner@contoso.com"],
                                                 b"Subject: Order\r\n\r\nPlease ship.\r\n")
        org.run()
        return not org.internet.host("mail.fabrikam.com").received

    each_release("Q253619", symptom)


# -- Q201904: an originator the directory finds twice, written in any case -----------------------
@VARIANTS
@given(mask=st.integers(0, 0xFFFF))
def test_q201904_any_spelling_of_an_ambiguous_originator_is_archived(mask: int) -> None:
    sender = swap_case("someone@fabrikam.com", mask)

    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(registry={"ResolveP2": 1}))
        org.add_mailbox("alice")
        org.add_custom_recipient("someone-x", "SMTP:someone@fabrikam.com", "Someone")
        org.add_custom_recipient("someone-y", "SMTP:someone@fabrikam.com", "Someone")
        org.ims.session("192.0.2.25").transaction("mail.fabrikam.com", sender, ["alice@contoso.com"],
                                                  f"From: {sender}\r\nSubject: Hello\r\n\r\nHi.\r\n".encode())
        org.run()
        return not org.client("alice").inbox()

    each_release("Q201904", symptom)


# -- Q192939: any message that carries PR_AUTO_FORWARDED = FALSE ---------------------------------
@VARIANTS
@given(value=st.sampled_from([False, 0]), message_class=st.sampled_from(["IPM.Note", "IPM.Note.Custom", "IPM.Schedule.Meeting.Request"]))
def test_q192939_any_message_with_auto_forwarded_false_is_dropped(value: object, message_class: str) -> None:
    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(disable_auto_replies=True))
        org.add_mailbox("alice")
        org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
        org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
        org.client("alice").send("SMTP:buyer@fabrikam.com", subject="RE: order", props={"PR_AUTO_FORWARDED": value},
                                 message_class=message_class)
        return not org.internet.host("mail.fabrikam.com").received

    each_release("Q192939", symptom)


# -- Q192982: any auto-forward to the Internet with AlwaysAllowForwarding = 1 --------------------
@VARIANTS
@given(target=st.sampled_from(["SMTP:home@fabrikam.com", "SMTP:Dana.Lee@Fabrikam.com", "smtp:x@FABRIKAM.COM"]))
def test_q192982_any_auto_forward_is_dropped_with_auto_replies_disabled(target: str) -> None:
    def symptom(release: str) -> bool:
        org = Organisation(release, ims_config=ImsConfig(disable_auto_replies=True, registry={"AlwaysAllowForwarding": 1}))
        org.add_mailbox("alice")
        org.add_mailbox("bob")
        org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
        org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
        org.client("bob").add_rule("forward", target)
        org.client("alice").send("bob", subject="Minutes")
        return not org.internet.host("mail.fabrikam.com").received

    each_release("Q192982", symptom)
