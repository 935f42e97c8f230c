"""Bytes to text: BOM, then strict UTF-8, then the declared charset, then windows-1252.

The order matters. A BOM is the strongest evidence there is; strict UTF-8 almost never
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
    bom = bom_encoding(data)
    if bom is not None:
        name, size = bom
        text = data[size:].decode(name, errors="replace")
        label = name.replace("-le", "").replace("-be", "")
        return Decoded(sanitize.strip_controls(text), label, None)
    try:
        return Decoded(sanitize.strip_controls(data.decode("utf-8")), "utf-8", None)
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
