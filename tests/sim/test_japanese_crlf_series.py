"""Long CRLF series in Japanese inbound mail, on every release (Q235219)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kb.sim import Organisation

FIXED = {"Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"}
AFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP2 + Store.exe 5.5.2636.0"]
FIXED_SAMPLE = ["Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP2 + Store.exe 5.5.2637.0"]
CHARSETS = {"ISO-2022-JP": "iso2022_jp", "Shift_JIS": "shift_jis", "EUC-JP": "euc_jp"}
KANA = "".join(chr(c) for c in range(0x3042, 0x3094))


def deliver(release: str, text: str, charset: str = "ISO-2022-JP") -> str:
    org = Organisation(release)
    org.add_mailbox("taro", "Taro Yamada")
    payload = (f"From: hanako@example.jp\r\nTo: taro@contoso.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
               f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
               ).encode("ascii") + text.encode(CHARSETS.get(charset, "utf-8"))
    session = org.ims.session(peer_ip="192.0.2.80", peer_name="mx.example.jp")
    session.transaction("mx.example.jp", "hanako@example.jp", ["taro@contoso.com"], payload)
    org.run()
    [message] = org.client("taro").inbox()
    return message.body or ""


def test_a_series_of_2048_pairs_cuts_japanese_mail_before_the_fix(release: str) -> None:
    body = deliver(release, "\u3042\r\n" + "\r\n" * 2047 + "\u3093\r\n")
    assert ("\u3093" in body) == (release in FIXED)
    assert body.startswith("\u3042")


def test_the_same_series_in_latin_text_arrives_whole_on_every_build(release: str) -> None:
    body = deliver(release, "start\r\n" + "\r\n" * 3000 + "end\r\n", charset="us-ascii")
    assert body.rstrip().endswith("end")


def test_a_series_under_128_pairs_arrives_whole_on_every_build(release: str) -> None:
    text = ("\u3042" * 1500 + "\r\n" * 127) * 6 + "\u3093"
    assert deliver(release, text).endswith("\u3093")


# Q235219 CAUSE: a CRLF series copied at once into the output buffer; "always" past 2048 pairs.
# Variants: the Japanese charset, the text before and after, how long the series is (>= 2048).
variants = st.tuples(st.sampled_from(sorted(CHARSETS)), st.text(alphabet=KANA, min_size=1, max_size=3000),
                     st.integers(min_value=2048, max_value=6000), st.text(alphabet=KANA, min_size=1, max_size=200))


@settings(max_examples=20, deadline=None)
@given(variant=variants, release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_long_series_truncates_on_affected_stores(variant: tuple, release: str) -> None:
    charset, before, pairs, after = variant
    body = deliver(release, before + "\r\n" * pairs + after + "END\r\n", charset)
    assert body.startswith(before) and "END" not in body


@settings(max_examples=20, deadline=None)
@given(variant=variants, release=st.sampled_from(FIXED_SAMPLE))
def test_no_long_series_truncates_on_fixed_stores(variant: tuple, release: str) -> None:
    charset, before, pairs, after = variant
    body = deliver(release, before + "\r\n" * pairs + after + "END\r\n", charset)
    assert body.rstrip().endswith(after + "END") and body.count("\n") == pairs + 1
