import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize import decode as decode_mod
from normalize.decode import DecodeError, decode

TEXT = "МВД Белоруссии сообщило о готовности перенимать опыт КНР в борьбе с экстремизмом"


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16"),
        ("utf-16-be", "utf-16"),
        ("cp1251", "cp1251"),
        ("koi8-r", "koi8-r"),
    ],
)
def test_encodings_are_detected(encoding, expected):
    got = decode(TEXT.encode(encoding))
    assert got.text == TEXT
    assert got.encoding == expected


@pytest.mark.parametrize("wrong", ["cp1251", "latin-1"])
def test_mojibake_is_repaired(wrong):
    garbled = TEXT.encode("utf-8").decode(wrong)
    got = decode(garbled.encode("utf-8"))
    assert got.text == TEXT and got.repaired


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"abc\x00def\x01\x02"], ids=["png", "nul"])
def test_binary_is_refused(data):
    with pytest.raises(DecodeError, match="binary"):
        decode(data)


def test_plain_latin_is_left_alone():
    assert decode(b"Reuters reports").text == "Reuters reports"


_SPEC_MOJIBAKE = re.compile(
    r"(?:[РС][\u0400-\u045f\u0490-\u04ff‚„…†‡€‰‹‘’“”•–—™›¬¦§©«®°±µ¶·»]){3,}|(?:[ÐÑ][\x80-\xbf\u0152-\u2122]){3,}"
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list("РСÐÑµ‚ёа ёx\x9cŒ")), max_size=30).map("".join))
def test_mojibake_scan_matches_its_spec_pattern(text):
    assert decode_mod.looks_like_mojibake(text) == bool(_SPEC_MOJIBAKE.search(text))
