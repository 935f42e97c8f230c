"""Sanitising untrusted text at ingestion, and the URL allow-list.

Every string that comes from a file, a feed or the network passes through here
before it is stored or shown: control characters never reach the terminal, and
only http/https URLs ever become links.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

# C0 controls except TAB and LF, DEL, and C1 controls. ESC becomes visible as U+241B
# so a user can see that something was there; the rest are dropped. Lone surrogates
# (a JSON "\ud800" escape makes one) are no characters and could never be written
# out as UTF-8, to the library or the terminal: each becomes U+FFFD, as undecodable
# bytes do.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_ESC_VISIBLE = "\u241b"
# Bidi embeddings/overrides/isolates can make a title or URL read differently from
# what it is; neutralised in single-line fields.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# In bodies, only the explicit embeddings, overrides and isolates go: they can make a line
# read in another order than it is stored ("Trojan Source"), and a page's Arabic or Hebrew
# reads right without them. The implicit marks (LRM, RLM, ALM) stay: they only settle the
# direction of the neutral characters beside them.
_BIDI_FORMATTING = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_LINE_SEPARATORS = ("\u2028", "\u2029", "\x85")
_SPACES = re.compile(r"\s+")
_WHITESPACE = re.compile(r"\s")

MAX_TITLE = 1024
MAX_URL = 4096


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR (and Unicode line separators) become LF."""
    # str.replace and `in` rather than one regex: a whole page goes through here, and the
    # regex's alternation costs ~3 ms on a 200 kB page where these cost ~0.1 ms.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # isascii is O(1)
        for separator in _LINE_SEPARATORS:
            if separator in text:
                text = text.replace(separator, "\n")
    return text


# An absolute http(s) URL of plain ASCII with nothing urllib would rewrite (no params, no
# empty query or fragment, no brackets, spaces or controls). For such a URL,
# urljoin(any_base, url) == url, which saves a parse of both for the commonest link.
# tests/test_properties.py checks the equality.
PLAIN_ABSOLUTE_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::(?P<port>[0-9]{1,9}))?"
    r"(?:/[A-Za-z0-9._~!$&'()*+,=:@%/-]*)?"
    r"(?:\?[A-Za-z0-9._~!$&'()*+,=:@%/?-]+)?"
    r"(?:#[A-Za-z0-9._~!$&'()*+,=:@%/?#-]+)?"
)


def _replace_control(match: re.Match[str]) -> str:
    found = match.group()
    if found in ("\x1b", "\x9b"):
        return _ESC_VISIBLE
    return "\ufffd" if found >= "\ud800" else ""


def strip_controls(text: str) -> str:
    """Multi-line text (bodies): normalised line ends, no control characters but TAB and LF,
    no explicit bidi formatting."""
    text = _CONTROLS.sub(_replace_control, normalize_newlines(text))
    return text if text.isascii() else _BIDI_FORMATTING.sub("", text)


# _CONTROLS as UTF-8 bytes, CR aside (normalize_newlines makes it LF): a C0 control or DEL
# is its own byte, a C1 control is \xc2 and a byte from \x80 to \x9f.
_C0_AND_DEL = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_BIDI_FORMATTING_IN_UTF8 = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")


def strip_controls_utf8(data: bytes, text: str) -> str:
    """:func:`strip_controls` of ``text``, which is ``data`` decoded as UTF-8.

    Most pages hold no control character: that is asked of the bytes in two C passes, in
    half the time the regex takes over the text, and then only line ends are normalised.
    """
    if (
        len(data.translate(None, _C0_AND_DEL)) == len(data)
        and (b"\xc2" not in data or _C1_IN_UTF8.search(data) is None)
        and (b"\xe2" not in data or _BIDI_FORMATTING_IN_UTF8.search(data) is None)
    ):
        return normalize_newlines(text)
    return strip_controls(text)


# What a Markdown renderer reads as HTML in text: a "<" that opens a tag, comment,
# declaration or processing instruction, and a "&" that starts a character reference. An
# odd number of backslashes before either already escapes it.
_RAW_HTML_START = re.compile(r"(?<!\\)((?:\\\\)*)(<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]{1,32};))")
_TAG_START = re.compile(r"(?<!\\)((?:\\\\)*)(<(?=[A-Za-z/!?]))")


def escape_raw_html(text: str, *, references: bool = True) -> str:
    """Text to be written into Markdown, each ``<`` that would open raw HTML and each ``&``
    that would start a character reference (unless ``references`` is false) escaped with a
    backslash: a Markdown renderer then shows ``<script>`` and ``&lt;`` as the text they
    are, and never runs the first."""
    if "<" not in text and ("&" not in text or not references):
        return text
    return (_RAW_HTML_START if references else _TAG_START).sub(r"\1\\\2", text)


def may_hold_raw_html(text: str) -> bool:
    """Whether text written into Markdown has a ``<`` that could open raw HTML."""
    return "<" in text and _RAW_HTML_START.search(text) is not None


def clean_line(text: str | None, *, limit: int = MAX_TITLE) -> str | None:
    """Single-line text (titles, authors, feed names): one line, no controls, no bidi tricks.

    Returns None for None or for a string that is empty once cleaned.
    """
    if text is None:
        return None
    text = _BIDI.sub("", strip_controls(text))
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text or None


_ALLOWED_SCHEMES = frozenset({"http", "https"})


def is_web_url(text: str) -> bool:
    """Whether a source given by the user is meant as a web address (http: or https:,
    any case, spaces around allowed); :func:`safe_url` then says whether it is a good one."""
    return text.strip()[:8].lower().startswith(("http://", "https://"))


def safe_url(url: str | None, *, base: str | None = None) -> str | None:
    """Return the URL if it is a well-formed absolute http(s) URL, else None.

    Relative URLs are resolved against ``base`` (itself checked) first. Refused:
    other schemes, controls or whitespace inside, a leading ``-``, no host,
    bidi controls, overlong URLs (:func:`url_problem` says which).
    """
    if url is None:
        return None
    url = url.strip()
    if _text_problem(url) is not None:
        return None
    plain = PLAIN_ABSOLUTE_URL.fullmatch(url)
    if plain is not None:
        # an http(s) scheme and a host by construction, and any base would keep it as is
        port = plain.group("port")
        return url if port is None or int(port) <= 65535 else None
    if base is not None:
        checked_base = _checked_base(base)
        if checked_base is None and not _has_scheme(url):
            return None
        if checked_base is not None:
            try:
                url = urljoin(checked_base, url)
            except ValueError:
                return None
    return url if _parts_problem(url) is None else None


def feed_address(url: str | None) -> str | None:
    """:func:`safe_url`, spelled as a subscription is kept: the scheme and the host in
    lower case and no fragment (it never reaches the server), so 'HTTP://Example.org/feed'
    and 'http://example.org/feed#top' are the one feed they name."""
    checked = safe_url(url)
    if checked is None:
        return None
    scheme, _, rest = checked.partition("://")
    end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    userinfo, at, host = rest[:end].rpartition("@")  # a user name keeps its case
    tail = rest[end:].split("#", 1)[0]
    return f"{scheme.lower()}://{userinfo}{at}{host.translate(_ASCII_LOWER)}{tail}"


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def url_problem(url: str) -> str:
    """Why :func:`safe_url` refuses an address a person typed, in a few words."""
    url = url.strip()
    return _text_problem(url) or _parts_problem(url) or "not a valid http(s) URL"


def _text_problem(url: str) -> str | None:
    """What is wrong with a (stripped) address's characters, before it is parsed."""
    if not url:
        return "an empty address"
    if len(url) > MAX_URL:
        return f"an address longer than {MAX_URL} characters"
    if url.startswith("-"):
        return "not an http(s) URL"  # it would read as an option to a program handed it
    # An ESC made visible by strip_controls() is still the trace of an escape sequence.
    if _CONTROLS.search(url) or _BIDI.search(url) or _ESC_VISIBLE in url:
        return "control characters in the address"
    if _WHITESPACE.search(url):
        return "spaces in the address"
    return None


def _parts_problem(url: str) -> str | None:
    """What is wrong with an absolute address's scheme, host and port."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "a malformed host or port"
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        return "not an http(s) URL"
    if not host:
        return "no host name in the address"
    # ASCII URLs were fully covered by the control check before; only others need the
    # per-character look at Unicode's "other" categories (format, private use, unassigned).
    if not url.isascii() and any(unicodedata.category(ch).startswith("C") for ch in url):
        return "control characters in the address"
    return None


@functools.lru_cache(maxsize=256)
def _checked_base(base: str) -> str | None:
    """A feed's base URL is checked once, not once for every link it resolves."""
    return safe_url(base)


def _has_scheme(url: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url))


# An address's user information (``scheme://user:password@host``): up to the last "@"
# before the path, as urllib and httpx read the host.
# a scheme is at most 32 characters (as everywhere here): unbounded, every start in a run of
# "a.a.a…" read the rest of the run, and 100 KB of it took 8 s
_USERINFO = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]{0,31}://)([^/?#\s]*)@")
REDACTED = "***"


def _redact(match: re.Match[str]) -> str:
    user, colon, _ = match.group(2).partition(":")
    # a user name alone is often a token (https://TOKEN@host/): it goes too
    return f"{match.group(1)}{user}:{REDACTED}@" if colon else f"{match.group(1)}{REDACTED}@"


def redact_password(text: str) -> str:
    """``text`` with the password of every address in it hidden: 'https://me:pw@host/feed'
    reads 'https://me:***@host/feed', 'https://TOKEN@host/' reads 'https://***@host/'.

    For what is shown or written for a person to read (names, errors, JSON output); the
    address as stored and fetched keeps its credentials.
    """
    if "@" not in text or "://" not in text:
        return text
    return _USERINFO.sub(_redact, text)


def without_userinfo(url: str | None) -> str | None:
    """An address with no user name or password in it: the base a document's relative
    links are resolved against, so that a link in a feed fetched as
    'https://me:pw@host/feed' is 'https://host/page', never one that carries the password
    into the library, the screen and the browser."""
    if url is None or "@" not in url:
        return url
    match = _USERINFO.match(url)
    return url if match is None else match.group(1) + url[match.end():]


def display_name(raw: str | bytes) -> str:
    """A file name for display: undecodable bytes and controls made visible, one line."""
    import os

    name = os.fsdecode(raw) if isinstance(raw, bytes) else raw
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = _CONTROLS.sub(_replace_control, name)
    name = _BIDI.sub("", name.replace("\n", "\u2424").replace("\t", " "))
    return redact_password(name)
