"""Decoding untrusted bytes: BOM, then UTF-8, then the declared charset, then windows-1252."""

from __future__ import annotations

import codecs

import pytest
from support.paths import FIXTURES

from reader.sources.decode import (
    CP1252_WARNING,
    charset_from_content_type,
    declared_charset,
    decode_bytes,
    signature_encoding,
    wide_encoding,
)

HOSTILE = FIXTURES / "hostile"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_wins_and_is_removed(bom: bytes, codec: str) -> None:
    decoded = decode_bytes(bom + "café 中文".encode(codec))
    assert decoded.text == "café 中文"
    assert decoded.warning is None


def test_utf16_file_from_corpus() -> None:
    decoded = decode_bytes((HOSTILE / "file-utf16-bom.txt").read_bytes())
    assert "café 中文" in decoded.text


def test_strict_utf8_beats_a_wrong_declaration() -> None:
    data = '<?xml version="1.0" encoding="iso-8859-1"?><t>Café — “q”</t>'.encode()
    decoded = decode_bytes(data, declared="iso-8859-1")
    assert "Café — “q”" in decoded.text
    assert decoded.encoding == "utf-8"


def test_declared_charset_used_when_utf8_fails() -> None:
    data = '<meta charset="koi8-r"><p>Привет</p>'.encode("koi8-r")
    decoded = decode_bytes(data)
    assert "Привет" in decoded.text
    assert decoded.warning is None


def test_http_header_charset_beats_the_document() -> None:
    data = '<meta charset="koi8-r">Ζεύς'.encode("iso-8859-7")
    assert "Ζεύς" in decode_bytes(data, declared="iso-8859-7").text


def test_latin1_label_means_windows_1252() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?>“smart” quotes'.encode("cp1252")
    decoded = decode_bytes(data)
    assert "“smart”" in decoded.text
    assert decoded.warning is None


def test_cp1252_fallback_warns() -> None:
    decoded = decode_bytes((HOSTILE / "file-latin1.txt").read_bytes())
    assert "Café, naïve" in decoded.text
    assert decoded.warning == CP1252_WARNING == "decoded as windows-1252"


@pytest.mark.parametrize("label", ["utf-7", "base64", "rot13", "no-such-codec", "utf-16"])
def test_dangerous_or_bogus_labels_are_ignored(label: str) -> None:
    decoded = decode_bytes(b"caf\xe9 +ADw-script+AD4-", declared=label)
    assert decoded.encoding == "windows-1252"
    assert "<script>" not in decoded.text


def test_crlf_and_cr_normalised() -> None:
    decoded = decode_bytes((HOSTILE / "file-crlf-cr-only.txt").read_bytes())
    assert "\r" not in decoded.text
    assert decode_bytes(b"a\r\nb\rc\n").text == "a\nb\nc\n"


def test_controls_removed_and_esc_made_visible() -> None:
    text = decode_bytes(b"a\x00b\x1b[2Jc\x07\x9bd\x7f").text
    assert text == "ab\u241b[2Jc\u203ad"  # 0x9b is \u203a in windows-1252
    assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in text)


def test_undefined_cp1252_bytes_do_not_raise() -> None:
    assert decode_bytes(b"\x81\x8d\x8f\x90\x9d ok").text.strip() == "ok"


def test_charset_helpers() -> None:
    assert charset_from_content_type('text/html; charset="ISO-8859-1"') == "ISO-8859-1"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None
    assert declared_charset(b'<?xml version="1.0" encoding="windows-1251"?>') == "windows-1251"
    assert (
        declared_charset(b"<html><meta http-equiv=x content='text/html; charset=big5'>") == "big5"
    )


# -- BOM-less UTF-16 and UTF-32: the NUL pattern of the first bytes ------------------------

WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


@pytest.mark.parametrize("codec", WIDE)
@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0" encoding="utf-16"?><rss><channel><title>Café 中文</title>'
        "</channel></rss>",
        "<rss><channel><title>no declaration, Ünïcode</title></channel></rss>",
        "Plain words in a BOM-less file, with accents: é à ü.\n\nA second paragraph.",
    ],
)
def test_bomless_wide_text_is_recognised(codec: str, text: str) -> None:
    data = text.encode(codec)
    assert wide_encoding(data) == codec
    decoded = decode_bytes(data)
    assert decoded.text == text
    assert decoded.warning is None


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 8,
        bytes(range(256)) * 4,
        b"\x00\x01\x00\x02\x00\x03\x00\x04" * 40,  # the pattern, but control characters
        "a lone high surrogate: \ud800 then text".encode("utf-16-le", "surrogatepass"),
        codecs.BOM_UTF16_LE + "with a BOM".encode("utf-16-le"),  # the BOM decides, not this
        b"plain ASCII, no NUL at all",
    ],
)
def test_wide_pattern_needs_clean_text(data: bytes) -> None:
    assert wide_encoding(data) is None


def test_ebcdic_xml_declaration_names_the_code_page() -> None:
    doc = '<?xml version="1.0" encoding="cp500"?><feed><title>[Ø]</title></feed>'
    assert signature_encoding(doc.encode("cp500")) == ("cp500", 0)
    assert decode_bytes(doc.encode("cp500")).text == doc
    # an EBCDIC declaration naming something that is not EBCDIC: read as cp037
    lie = '<?xml version="1.0" encoding="utf-8"?><feed/>'.encode("cp037")
    assert signature_encoding(lie) == ("cp037", 0)
