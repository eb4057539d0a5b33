"""The site addressing SMTP proxy generator on every release (Q230331, Q258704, Q258705)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kb.exceptions import SimError
from kb.sim import Organisation
from kb.sim.core.builds import build
from kb.sim.core.proxygen import generate_smtp

SP3_ON = {"Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"}
SP4_ON = {"Exchange Server 5.5 SP4"}
BEFORE_2596 = [build(b) for b in ("5.5.1960.0", "5.5.2232.0", "5.5.2448.0", "5.5.2595.0")]
FROM_2596 = [build(b) for b in ("5.5.2596.0", "5.5.2650.0", "5.5.2652.78", "5.5.2653.0")]
BEFORE_SP4 = BEFORE_2596 + [build(b) for b in ("5.5.2596.0", "5.5.2650.21", "5.5.2652.78")]
FROM_SP4 = [build(b) for b in ("5.5.2653.0", "5.5.2653.23", "5.5.2655.15")]
names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


def test_without_a_template_the_address_is_alias_at_domain(release: str) -> None:
    org = Organisation(release)
    assert org.add_mailbox("jdoe", "John Doe", given="John", surname="Doe").smtp == ["jdoe@contoso.com"]


def test_full_names_fill_the_template_on_every_build(release: str) -> None:
    org = Organisation(release)
    org.site_smtp_template = "%g.%1i.%s@contoso.com"
    assert org.add_mailbox("jroe", given="Jane", initials="Quincy", surname="Roe").smtp == ["Jane.Q.Roe@contoso.com"]


def test_a_missing_initial_leaves_two_periods_before_sp3(release: str) -> None:
    org = Organisation(release)
    org.site_smtp_template = "%g.%1i.%s@contoso.com"
    smtp = org.add_mailbox("jdoe", given="John", surname="Doe").smtp[0]
    assert smtp == ("John.Doe@contoso.com" if release in SP3_ON else "John..Doe@contoso.com")


def test_a_blank_first_name_leaves_a_trailing_period_before_sp4(release: str) -> None:
    org = Organisation(release)
    org.site_smtp_template = "%s.%g@contoso.com"
    smtp = org.add_mailbox("doe", surname="Doe").smtp[0]
    assert smtp == ("Doe@contoso.com" if release in SP4_ON else "Doe.@contoso.com")


def test_no_names_repeat_the_alias_before_sp4(release: str) -> None:
    org = Organisation(release)
    org.site_smtp_template = "%g.%s.%m@contoso.com"
    smtp = org.add_mailbox("scanner").smtp[0]
    assert smtp == ("scanner@contoso.com" if release in SP4_ON else "scanner.scanner@contoso.com")


def test_mail_to_a_generated_address_reaches_its_mailbox(release: str) -> None:
    org = Organisation(release)
    org.site_smtp_template = "%g.%s@contoso.com"
    org.add_mailbox("alee", "Ann Lee", given="Ann", surname="Lee")
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    session.transaction("mx.example.org", "pat@example.org", ["Ann.Lee@contoso.com"],
                        b"From: pat@example.org\r\nTo: Ann.Lee@contoso.com\r\nSubject: hi\r\n\r\nx\r\n")
    org.run()
    assert [m.subject for m in org.client("alee").inbox()] == ["hi"]


def test_a_template_without_a_domain_is_refused() -> None:
    with pytest.raises(SimError, match="not an SMTP template"):
        generate_smtp("%g.%s", alias="x", generator=build("5.5.2653.0"))


# Q230331 CAUSE: an empty field between two periods of the template. Variants: names, which
# field is empty, the template's field order.
middle = st.sampled_from(["%g.%1i.%s", "%s.%1i.%g", "%g.%i.%s", "%m.%1i.%s"])


@settings(max_examples=30, deadline=None)
@given(template=middle, first=names, last=names, generator=st.sampled_from(BEFORE_2596))
def test_every_empty_middle_field_doubles_a_period_before_2596(template: str, first: str, last: str, generator: object) -> None:
    local = generate_smtp(template + "@contoso.com", alias="a" + last, given=first, surname=last, generator=generator).split("@")[0]
    assert ".." in local


@settings(max_examples=30, deadline=None)
@given(template=middle, first=names, last=names, generator=st.sampled_from(FROM_2596))
def test_no_empty_middle_field_doubles_a_period_from_2596(template: str, first: str, last: str, generator: object) -> None:
    local = generate_smtp(template + "@contoso.com", alias="a" + last, given=first, surname=last, generator=generator).split("@")[0]
    assert ".." not in local and local.count(".") == 1


# Q258704 CAUSE: a trailing empty field after a period. Variants: surname, template shape.
trailing = st.sampled_from(["%s.%g", "%s.%1g", "%m.%g", "%s.%i"])


@settings(max_examples=30, deadline=None)
@given(template=trailing, last=names, generator=st.sampled_from(BEFORE_SP4))
def test_every_empty_last_field_leaves_a_trailing_period_before_sp4(template: str, last: str, generator: object) -> None:
    local = generate_smtp(template + "@contoso.com", alias="a" + last, surname=last, generator=generator).split("@")[0]
    assert local.endswith(".")


@settings(max_examples=30, deadline=None)
@given(template=trailing, last=names, generator=st.sampled_from(FROM_SP4))
def test_no_empty_last_field_leaves_a_trailing_period_from_sp4(template: str, last: str, generator: object) -> None:
    local = generate_smtp(template + "@contoso.com", alias="a" + last, surname=last, generator=generator).split("@")[0]
    assert not local.endswith(".") and local


# Q258705 CAUSE: a mailbox with no last name (its alias stands in for it). Variants: alias, the
# given name present or not, templates that name the surname and the alias.
with_alias = st.sampled_from(["%g.%s.%m", "%s.%m", "%m.%s"])


@settings(max_examples=30, deadline=None)
@given(template=with_alias, alias=names, generator=st.sampled_from(BEFORE_SP4))
def test_every_missing_surname_repeats_the_alias_before_sp4(template: str, alias: str, generator: object) -> None:
    local = generate_smtp(template + "@contoso.com", alias=alias, generator=generator).split("@")[0]
    assert local.lower().count(alias.lower()) >= 2


@settings(max_examples=30, deadline=None)
@given(template=with_alias, alias=names, generator=st.sampled_from(FROM_SP4))
def test_no_missing_surname_repeats_the_alias_from_sp4(template: str, alias: str, generator: object) -> None:
    local = generate_smtp(template + "@contoso.com", alias=alias, generator=generator).split("@")[0]
    assert local == alias
