"""The gate every XML document passes before any parser sees it.

Real feeds and OPML files never declare entities, and every XML entity attack
(billion laughs, quadratic blowup, XXE) needs a declaration. Refusing the
declaration is cheaper and safer than trusting a parser's limits, notably
feedparser's loose fallback parser, which expands entities without bound.
"""

from __future__ import annotations

import re

MAX_XML_BYTES = 50 * 2**20

# The root element's start tag ends the prolog.
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
# A prolog has no business containing the word at all; this also catches declarations
# spelt in an encoding that hides the "<!" (UTF-7's "+ADw-!ENTITY").
_ENTITY_WORD = re.compile(rb"ENTITY")
_UTF7 = re.compile(rb"""encoding\s*=\s*["']\s*(?:x-)?(?:unicode-1-1-)?utf-?7""", re.IGNORECASE)


class RefusedXml(ValueError):
    """The document was refused before parsing; the message is one line."""


def check_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> None:
    """Raise RefusedXml when ``data`` is too large or declares entities."""
    if len(data) > max_bytes:
        raise RefusedXml(f"document too large (over {max_bytes // 2**20} MB)")
    # NULs removed so UTF-16/32 text (ASCII markup interleaved with NULs) matches too.
    head = data.replace(b"\x00", b"") if b"\x00" in data[:4096] else data
    root = _ROOT_START.search(head)
    prolog = head[: root.start()] if root else head
    if _ENTITY_DECL.search(prolog) or _ENTITY_WORD.search(prolog):
        raise RefusedXml("entity declarations")
    if _UTF7.search(head[:1024]):
        raise RefusedXml("UTF-7 encoding")
