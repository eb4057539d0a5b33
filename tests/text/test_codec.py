"""The cp1252 codec is a bijection over every byte value."""

from __future__ import annotations

import pytest

from kb.text.codec import decode, encode


def test_every_byte_value_decodes_and_encodes_back_to_itself() -> None:
    data = bytes(range(256))
    assert encode(decode(data)) == data


def test_the_five_bytes_undefined_in_cp1252_map_to_c1_code_points() -> None:
    assert decode(b"\x81\x8d\x8f\x90\x9d") == "\x81\x8d\x8f\x90\x9d"


def test_curly_quotes_decode_as_windows_ansi() -> None:
    assert decode(b"Doesn\x92t \x93x\x94") == "Doesn\u2019t \u201cx\u201d"


def test_a_character_outside_cp1252_cannot_be_encoded() -> None:
    with pytest.raises(UnicodeEncodeError):
        encode("\u0151")
