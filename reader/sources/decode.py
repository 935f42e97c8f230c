"""Bytes to text: BOM, then strict UTF-8, then the declared charset, then windows-1252.

The order matters. A BOM is the strongest evidence there is; a BOM-less UTF-16 or UTF-32
document gives itself away by where its NUL bytes fall (XML 1.0's Appendix F reads its
declaration the same way); strict UTF-8 almost never
succeeds by accident on other encodings; a declared charset is often wrong (servers and
templates lie), so it only gets a turn once UTF-8 has failed; windows-1252 decodes
every byte, so it is the last resort and always says so.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from reader.core import sanitize

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Where documents declare their charset: the XML declaration, <meta charset>, or
# <meta http-equiv content="...; charset=...">. Only the head is searched.
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]{1,40})""")
_META = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_HEAD_BYTES = 4096

# Declared charsets never honoured: UTF-7 smuggles markup past byte-level checks,
# and "utf-16"/"utf-32" without a BOM are more often a lie than the truth.
_REFUSED = frozenset({"utf_7", "utf_16", "utf_32"})

_WINDOWS_1252_ALIASES = frozenset({"cp1252", "iso8859-1", "ascii"})

CP1252_WARNING = "decoded as windows-1252"


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded, sanitised text, the encoding used, and a one-line warning when it was guessed."""

    text: str
    encoding: str
    warning: str | None


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces, and the BOM's length."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


# How many leading bytes the NUL pattern is read from, and how sure it must be: text in
# UTF-16 has a NUL in one byte of each pair for every ASCII or Latin-1 character (all of
# markup), UTF-32 in three bytes of four, and NUL itself never occurs in text.
_PATTERN_BYTES = 512
_MOSTLY = 0.6
_NEVER = 0.02


def wide_encoding(data: bytes) -> str | None:
    """The encoding of BOM-less UTF-16 or UTF-32 text, read from its NUL pattern, else None.

    Only text that then decodes cleanly and holds no other control characters qualifies, so
    binary data with NULs stays binary.
    """
    sample = data[:_PATTERN_BYTES]
    size = len(sample) - len(sample) % 4
    if size < 4 or b"\x00" not in sample[:size] or bom_encoding(data) is not None:
        return None
    sample = sample[:size]
    zeros = [sample[k::4].count(0) / (size // 4) for k in range(4)]
    if min(zeros[0], zeros[1]) >= 1 - _NEVER and zeros[3] <= _NEVER:
        name = "utf-32-be"
    elif min(zeros[2], zeros[3]) >= 1 - _NEVER and zeros[0] <= _NEVER:
        name = "utf-32-le"
    elif min(zeros[0], zeros[2]) >= _MOSTLY and max(zeros[1], zeros[3]) <= _NEVER:
        name = "utf-16-be"
    elif min(zeros[1], zeros[3]) >= _MOSTLY and max(zeros[0], zeros[2]) <= _NEVER:
        name = "utf-16-le"
    else:
        return None
    try:
        # a surrogate pair cut at the sample's end is not an error of the document
        text = codecs.getincrementaldecoder(name)().decode(sample)
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in "\t\n\r\f" for ch in text):
        return None
    return name


BOMS = {name: bom for bom, name in _BOMS}
# "<?xm" in EBCDIC (XML 1.0, Appendix F); the declaration then names the code page.
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"
_EBCDIC_DECL = re.compile(r"""^<\?xml[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]{1,40})""")


def signature_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding the first bytes give away, and the length of its BOM (0 for none):
    a BOM, a BOM-less UTF-16/32 NUL pattern, or an XML declaration written in EBCDIC."""
    bom = bom_encoding(data)
    if bom is not None:
        return bom
    wide = wide_encoding(data)
    if wide is not None:
        return wide, 0
    if data.startswith(_EBCDIC_XML):
        declared = _EBCDIC_DECL.match(data[:200].decode("cp037"))
        codec = _codec(declared.group(1)) if declared else None
        return (codec if codec and _is_ebcdic(codec) else "cp037"), 0
    return None


def _is_ebcdic(codec: str) -> bool:
    try:
        return "<?xm".encode(codec) == _EBCDIC_XML
    except (UnicodeEncodeError, LookupError):
        return False


def declared_charset(data: bytes) -> str | None:
    """The charset the document itself declares (XML declaration or HTML meta), if any."""
    head = data[:_HEAD_BYTES]
    match = _XML_DECL.match(head) or _META.search(head)
    return match.group(1).decode("ascii") if match else None


def charset_from_content_type(content_type: str | None) -> str | None:
    """``text/html; charset=ISO-8859-1`` -> ``ISO-8859-1``."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def _codec(name: str | None) -> str | None:
    """A normalised Python codec name for a text encoding, or None if unusable."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError):
        return None
    codec = info.name.replace("-", "_")
    # Reject bytes-to-bytes codecs (base64, zlib, rot13...) and the refused ones.
    if not getattr(info, "_is_text_encoding", True) or codec in _REFUSED:
        return None
    return info.name


def decode_bytes(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode untrusted bytes; never raises.

    ``declared`` is an outside claim (an HTTP header's charset) and beats the
    document's own declaration. The text is sanitised: CRLF/CR become LF and
    control characters other than TAB and LF are removed or made visible.
    """
    bom = signature_encoding(data)
    if bom is not None:
        name, size = bom
        text = data[size:].decode(name, errors="replace")
        label = name.replace("-le", "").replace("-be", "")
        return Decoded(sanitize.strip_controls(text), label, None)
    try:
        return Decoded(sanitize.strip_controls_utf8(data, data.decode("utf-8")), "utf-8", None)
    except UnicodeDecodeError:
        pass
    for claim in (declared, declared_charset(data)):
        codec = _codec(claim)
        if codec is None or codec == "utf-8":
            continue
        if codec in _WINDOWS_1252_ALIASES:
            # As browsers do (WHATWG): a Latin-1 or ASCII label means windows-1252.
            text = data.decode("cp1252", errors="_reader_latin1")
            return Decoded(sanitize.strip_controls(text), "windows-1252", None)
        try:
            return Decoded(sanitize.strip_controls(data.decode(codec)), codec, None)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    # cp1252 leaves five bytes undefined; those fall back to Latin-1's C1 controls,
    # which strip_controls then removes.
    text = data.decode("cp1252", errors="_reader_latin1")
    return Decoded(sanitize.strip_controls(text), "windows-1252", CP1252_WARNING)


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("latin-1"), error.end


codecs.register_error("_reader_latin1", _latin1_fallback)
