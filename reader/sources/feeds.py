"""RSS 0.9x/1.0/2.0 and Atom, through feedparser, with every field made safe.

feedparser decides what the XML means; this module decides what to trust: it
refuses entity declarations before feedparser runs, hands feedparser bytes plus
headers (never a guessed str, never something it could mistake for a file name),
and passes every string it returns through ``reader.core.sanitize``.

Duplicate entry keys within one feed: the last entry with a key wins, at its own
position (a feed that repeats a GUID usually appends the corrected version).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri

from reader.core import sanitize
from reader.core.dates import plausible
from reader.core.errors import FeedError
from reader.core.limits import MAX_FEED_ENTRIES
from reader.core.models import Article, BodyState, Feed, SourceKind
from reader.sources.decode import BOMS, bom_encoding, charset_from_content_type, wide_encoding
from reader.sources.sniff import sniff
from reader.sources.xmlsafe import RefusedXml, check_xml


class HtmlToMarkdown(Protocol):
    """Renders entry HTML as Markdown (the cleaning layer's; the loading layer passes it)."""

    def __call__(self, fragment: str, *, base_url: str | None = None) -> str: ...


class HtmlToText(Protocol):
    """The one-line text an HTML title shows (the cleaning layer's, passed the same way)."""

    def __call__(self, fragment: str) -> str: ...

MAX_FEED_BYTES = 50 * 2**20
# Entries kept per parse: the newest. Per-entry cleaning is the costly part.
MAX_ENTRIES = MAX_FEED_ENTRIES
# A body of one paragraph shorter than this is a summary (the farm's and most
# excerpt feeds' shape); see body_state().
SUMMARY_MAX_CHARS = 1000
_ELLIPSIS = re.compile(
    r"(?:\u2026|\.\.\.|\[\u2026\]|\[\.\.\.\]|read more|continue reading)\W*$", re.I
)
_NUMERIC_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)\s*$")
_ISO_DAY = re.compile(r"\s*\d{4}-\d\d-\d\d")
_RFC822_YEAR = re.compile(r"\d{1,2}\s+[A-Za-z]{3,}\s+(\d{2,4})\b")
_EMAIL_AND_NAME = re.compile(r"^\s*[^\s@()]+@[^\s()]+\s*\((?P<name>[^()]+)\)\s*$")
_NAME_AND_EMAIL = re.compile(r"^(?P<name>[^<>()@]+?)\s*[<(][^\s@<>()]+@[^\s<>()]+[>)]\s*$")
_SAX_POSITION = re.compile(r"^<[^>]*>:(\d+):\d+:\s*")
_MAX_OFFSET = timedelta(hours=14)
_TRUNCATION_HINTS = ("unclosed token", "no element found", "unclosed", "premature end")
_CLOSING_TAGS = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_AMP_ENTITY = re.compile("&([A-Za-z0-9_]+);")  # feedparser's repair of links
# A numeric character reference that may name no character: a surrogate (hex D800-DFFF,
# decimal 55296-57343) or a number past U+10FFFF; the shorter ones all name characters.
_LONG_CHAR_REF = r"&#(?:[xX]0*([0-9A-Fa-f]{4,})|0*([0-9]{5,}));"
_LONG_CHAR_REF_TEXT = re.compile(_LONG_CHAR_REF)
_LONG_CHAR_REF_BYTES = re.compile(_LONG_CHAR_REF.encode())
_REPLACEMENT_REF = "&#xFFFD;"
_looks_like_html = _FeedParserMixin.looks_like_html
T = TypeVar("T")


def parse_feed(
    data: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    source: str | None = None,
    html_to_markdown: HtmlToMarkdown,
    html_to_text: HtmlToText,
) -> Feed:
    """Parse an RSS/Atom document into a Feed; raises FeedError (one line) when unusable.

    ``url`` is where the document came from (the final URL after redirects, or a
    file path) and is the base for relative links; ``source`` (default ``url``)
    is what the articles record as their source, e.g. the URL as subscribed.
    ``html_to_markdown`` renders entry HTML and ``html_to_text`` HTML titles (the cleaning
    layer's, given by the loader).
    """
    try:
        check_xml(data, max_bytes=MAX_FEED_BYTES)
    except RefusedXml as refused:
        raise FeedError(f"feed rejected: {refused}") from None
    wide = wide_encoding(data)
    if wide is not None:
        # feedparser knows UTF-16/32 only by a BOM or an XML declaration's first bytes
        data = BOMS[wide] + data
    data = _references_to_characters(data)
    response_headers = _feed_headers(headers, data)
    base = _document_base(url, response_headers.get("content-location"))
    if base is not None:
        response_headers["content-location"] = base
    # A stream, not bytes: feedparser passes bytes to open() first, so a body that
    # happens to be a path would be read from disk. Relative URIs inside content are
    # resolved by html_to_markdown (base_url: the content's xml:base as feedparser
    # tracks it, else the document's) and safe_url, which is cheaper than feedparser's
    # second HTML pass over every entry.
    # sanitize_html=False: html_to_markdown is the sanitiser (text and checked links only).
    parsed: Any = _fast_parse(data, response_headers)
    if parsed is None:
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers=response_headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    if base is None:
        # A feed read from disk: its own <link> is the best base for relative links.
        base = sanitize.safe_url(_str(parsed.feed.get("link")))
    entries: list[Any] = list(parsed.entries)
    warnings: list[str] = []
    if parsed.bozo:
        entries, warning = _bozo(parsed, entries, data, url=url)
        if warning:
            warnings.append(warning)
    if len(entries) > MAX_ENTRIES:
        warnings.append(f"the feed has {len(entries):,} entries; the newest {MAX_ENTRIES:,} "
                        "were kept")
        entries = _newest_entries(entries, MAX_ENTRIES)
    feed_title = sanitize.clean_line(
        _plain(parsed.feed.get("title"), parsed.feed.get("title_detail"), html_to_text)
    )
    # Atom (RFC 4287 4.2.1): an entry without an author has the feed's.
    is_atom = str(getattr(parsed, "version", "") or "").startswith("atom")
    feed_author = _author(parsed.feed) if is_atom else None
    articles = _articles(entries, url=url, base=base, source=source or url, feed_title=feed_title,
                         feed_author=feed_author, convert=html_to_markdown, to_text=html_to_text)
    if len(articles) < len(entries):
        dropped = len(entries) - len(articles)
        what = (
            "entry repeated an earlier entry's" if dropped == 1 else "entries repeated an earlier"
        )
        warnings.append(f"{dropped} {what} id; the last of each was kept")
    return Feed(
        url=source or url,
        title=feed_title,
        link=sanitize.safe_url(parsed.feed.get("link"), base=base),
        articles=tuple(articles),
        warnings=tuple(warnings),
    )


def _no_character(match: re.Match[str] | re.Match[bytes]) -> bool:
    digits = match.group(1) or match.group(2)
    if len(digits) > 12:
        return True
    number = int(digits, 16) if match.group(1) else int(digits)
    return number > 0x10FFFF or 0xD800 <= number <= 0xDFFF


def _references_to_characters(data: bytes) -> bytes:
    """``data`` with each numeric character reference to no character (a surrogate, a
    number past U+10FFFF) made U+FFFD's, as a decoder makes of bytes that name nothing.

    expat refuses such a document, and feedparser's loose parser then raised on the
    reference (chr() of it, or encoding the surrogate): one of them lost the whole feed.
    """
    bom = bom_encoding(data)
    if bom is None or bom[0] == "utf-8":
        if b"&#" not in data:
            return data
        return _LONG_CHAR_REF_BYTES.sub(
            lambda m: _REPLACEMENT_REF.encode() if _no_character(m) else m.group(), data
        )
    # UTF-16/32 (parse_feed gave a BOM-less one its BOM): the references are text there
    codec, skip = bom
    try:
        text = data[skip:].decode(codec, "surrogatepass")
    except UnicodeDecodeError:
        return data  # feedparser says what is wrong with it
    if "&#" not in text:
        return data
    fixed = _LONG_CHAR_REF_TEXT.sub(
        lambda m: _REPLACEMENT_REF if _no_character(m) else m.group(), text
    )
    return data[:skip] + fixed.encode(codec, "surrogatepass")


def _document_base(url: str, content_location: str | None) -> str | None:
    """Where relative links of the document point from: its Content-Location (itself
    resolved against the URL), else the URL it was fetched from; None for a file."""
    fetched = sanitize.without_userinfo(sanitize.safe_url(url))
    if content_location:
        declared = sanitize.safe_url(content_location.strip(), base=fetched)
        if declared is not None:
            return declared
    return fetched


def _feed_headers(headers: Mapping[str, str] | None, data: bytes = b"") -> dict[str, str]:
    """Headers for feedparser: the charset kept (unless the bytes cannot be in it), the
    media type forced to XML.

    Content is sniffed, not trusted by its label: a feed served as text/html or
    octet-stream is still a feed, and feedparser would otherwise flag it bozo.
    """
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    media, _, params = lowered.get("content-type", "").partition(";")
    media = media.strip().lower()
    charset = charset_from_content_type(params)
    if charset is not None and not _may_be_in(data, charset):
        # a UTF-8 feed labelled utf-16 (or an EBCDIC code page) by its server was read in
        # that encoding and lost whole; its own declaration, else UTF-8, reads it
        charset = None
        lowered["content-type"] = media = "application/xml"  # (text/xml would be US-ASCII)
    if not (media.endswith("/xml") or media.endswith("+xml")):
        lowered["content-type"] = "application/xml" + (f"; charset={charset}" if charset else "")
    return lowered


def _may_be_in(data: bytes, charset: str) -> bool:
    """Whether ``data`` can be written in ``charset``: a document that opens with an ASCII
    "<" (spaces and a UTF-8 BOM aside) cannot be in an encoding that writes "<" otherwise
    (UTF-16 and UTF-32 with NULs beside it, EBCDIC as 0x4C)."""
    head = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not head.startswith(b"<") or head[1:2] in (b"", b"\x00"):
        return True
    try:
        return "<?".encode(charset).endswith(b"<?")
    except (LookupError, UnicodeError, ValueError):
        return True  # an unknown name: feedparser's to judge


def _bozo(
    parsed: Any, entries: list[Any], data: bytes, *, url: str
) -> tuple[list[Any], str | None]:
    """Decide what a not-well-formed document is worth: entries kept, one warning."""
    exc = parsed.get("bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        encoding = sanitize.clean_line(str(parsed.get("encoding") or "")) or "a guessed charset"
        return entries, f"charset guessed: decoded as {encoding}"
    reason = _SAX_POSITION.sub(r"line \1: ", str(exc) if exc is not None else "")
    reason = sanitize.clean_line(reason, limit=120) or "not well-formed"
    if not entries:
        if not parsed.get("version") or sniff(data) is SourceKind.HTML:
            if sniff(data) is SourceKind.HTML:
                raise FeedError(_web_page_message(data, url=url))
            raise FeedError(f"not a feed ({reason})")
        return entries, f"malformed feed ({reason})"
    if any(hint in reason.lower() for hint in _TRUNCATION_HINTS):
        # feedparser also returns the entry that was cut off; only entries whose
        # closing tag arrived are complete.
        complete = len(_CLOSING_TAGS.findall(data.replace(b"\x00", b"")))
        if complete < len(entries):
            dropped = len(entries) - complete
            return entries[:complete], f"feed truncated; {dropped} incomplete entry dropped"
        return entries, "feed truncated"
    return entries, f"malformed feed ({reason}); entries read as well as possible"


def _web_page_message(data: bytes, *, url: str) -> str:
    links = discover_feeds(data, base_url=url)
    if links:
        return f"this is a web page, not a feed; its feed is at {links[0]}"
    return "this is a web page, not a feed"


def discover_feeds(data: bytes | str, *, base_url: str) -> list[str]:
    """Feed URLs a web page advertises (``<link rel=alternate>``), checked; never raises."""
    from reader.sources.discover import find_feed_links

    try:
        return find_feed_links(data, base_url=base_url)
    except Exception:  # autodiscovery is a courtesy; a broken page must not turn into a crash
        return []


def _newest_entries(entries: list[Any], limit: int) -> list[Any]:
    """The ``limit`` newest entries in document order; undated ones count as newest."""
    def when(entry: Any) -> tuple[int, ...]:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if not stamp:  # the fast engine leaves dates as written
            raw = entry.get("published") or entry.get("updated")
            stamp = feedparser.datetimes._parse_date(raw) if isinstance(raw, str) else None
        return tuple(stamp[:6]) if stamp else (9999,)

    return newest_in_order(entries, limit, when)


def newest_in_order(items: list[T], limit: int, when: Callable[[T], Any]) -> list[T]:
    """The ``limit`` items latest by ``when`` (the earlier of a tie), in their own order."""
    keep = set(sorted(range(len(items)), key=lambda i: (when(items[i]), -i),
                      reverse=True)[:limit])
    return [item for index, item in enumerate(items) if index in keep]


def _articles(
    entries: list[Any], *, url: str, base: str | None, source: str, feed_title: str | None,
    feed_author: str | None, convert: HtmlToMarkdown, to_text: HtmlToText,
) -> list[Article]:
    by_key: dict[str, Article] = {}
    for entry in entries:
        article = _article(entry, url=url, base=base, source=source, feed_title=feed_title,
                           feed_author=feed_author, convert=convert, to_text=to_text)
        by_key.pop(article.key, None)  # last wins, at its own position
        by_key[article.key] = article
    return list(by_key.values())


def _article(
    entry: Any, *, url: str, base: str | None, source: str, feed_title: str | None,
    feed_author: str | None, convert: HtmlToMarkdown, to_text: HtmlToText,
) -> Article:
    title = sanitize.clean_line(_plain(entry.get("title"), entry.get("title_detail"), to_text))
    link = sanitize.safe_url(_str(entry.get("link")), base=base)
    body, from_content = _body(entry, base=base, convert=convert)
    return Article(
        source=source,
        key=entry_key(entry, feed_url=url, body=body),
        title=title,
        author=sanitize.clean_line(_author(entry) or feed_author),
        url=link,
        published=entry_date(entry),
        body=body,
        feed_title=feed_title,
        body_state=body_state(body, from_content=from_content),
        enclosures=_enclosures(entry, base=base),
        kind=SourceKind.FEED,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _plain(value: object, detail: object, to_text: HtmlToText) -> str | None:
    """A title as plain text: an HTML-typed title becomes the text it shows."""
    text = _str(value)
    if text is None:
        return None
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    return to_text(text) if "html" in str(kind) else text


def entry_key(entry: Mapping[str, Any], *, feed_url: str, body: str = "") -> str:
    """The id/guid (trimmed, controls removed), else a hash of link+title, else of everything."""
    raw_id = _str(entry.get("id"))
    if raw_id:
        cleaned = sanitize.strip_controls(raw_id).replace("\u241b", "").strip()
        if cleaned:
            return cleaned[:2048]
    link = _str(entry.get("link")) or ""
    title = _str(entry.get("title")) or ""
    if link or title:
        return "sha1:" + _sha1(link, title)
    return "sha1:" + _sha1(feed_url, title, link, body)


def _sha1(*parts: str) -> str:
    joined = "\x1f".join(parts).encode("utf-8", errors="surrogatepass")
    return hashlib.sha1(joined, usedforsecurity=False).hexdigest()


def _author(entry: Mapping[str, Any]) -> str | None:
    """The author's name: RSS's "email (Name)" and "Name <email>" give the name."""
    raw = _str(entry.get("author"))
    if raw:
        # Length-guarded: these patterns could backtrack on a huge run of spaces.
        short = len(raw) <= 300
        match = short and (_EMAIL_AND_NAME.match(raw) or _NAME_AND_EMAIL.match(raw))
        return match.group("name").strip() if match else raw
    detail = entry.get("author_detail")
    if isinstance(detail, Mapping):
        return _str(detail.get("name"))
    return None


def _body(entry: Mapping[str, Any], *, base: str | None,
          convert: HtmlToMarkdown) -> tuple[str, bool]:
    """The longest of content[] and summary, as Markdown; and whether it came from content.

    Its relative links point from its own xml:base, which feedparser works out from the
    element's, the entry's, the feed's and the document's; else from ``base``.
    """
    candidates: list[tuple[str, str, bool, object]] = []
    for content in entry.get("content") or ():
        if isinstance(content, Mapping) and isinstance(content.get("value"), str):
            candidates.append((content["value"], str(content.get("type", "")), True,
                               content.get("base")))
    summary = _str(entry.get("summary"))
    if summary:
        detail = entry.get("summary_detail")
        kind = str(detail.get("type", "")) if isinstance(detail, Mapping) else "text/html"
        own_base = detail.get("base") if isinstance(detail, Mapping) else None
        candidates.append((summary, kind, False, own_base))
    if not candidates:
        return "", False
    value, kind, from_content, own_base = max(candidates, key=lambda c: len(c[0]))
    if isinstance(own_base, str) and own_base:
        base = sanitize.safe_url(own_base, base=base) or base
    return to_markdown(value, kind=kind, base=base, convert=convert), from_content


def to_markdown(value: str, *, kind: str, base: str | None, convert: HtmlToMarkdown) -> str:
    """Entry content as Markdown; plain text stays as written, but for a ``<`` that would
    open raw HTML (escaped, so the text shows as it reads). Always sanitised."""
    if "html" in kind or "xml" in kind:
        value = convert(value, base_url=base)
    else:
        value = sanitize.escape_raw_html(value)
    return sanitize.strip_controls(value).strip()


def body_state(body: str, *, from_content: bool) -> BodyState:
    """SUMMARY when the entry is clearly not the whole article.

    Rule: an empty body; or a body of a single paragraph shorter than
    SUMMARY_MAX_CHARS (whichever element it came from: some feeds put the
    excerpt in <content>); or a summary-only entry ending with an ellipsis or
    "read more" (under twice that length).
    """
    text = body.strip()
    if not text:
        return BodyState.SUMMARY
    if "\n\n" not in text and len(text) < SUMMARY_MAX_CHARS:
        return BodyState.SUMMARY
    # the ellipsis ends the text: looking at its tail spares a scan of every position
    if (not from_content and len(text) < 2 * SUMMARY_MAX_CHARS
            and _ELLIPSIS.search(text, max(0, len(text) - 200))):
        return BodyState.SUMMARY
    return BodyState.FULL


def entry_date(entry: Mapping[str, Any]) -> datetime | None:
    """Published, else updated, else created: the first of them that is a real date.

    A missing, unparseable or absurd ``published`` (RSS ``pubDate``, ``dc:date``...) falls
    back to ``updated``; the source's offset is kept when it gave one.
    """
    for field in ("published", "updated", "created"):
        # dict.get, not entry.get: FeedParserDict maps a missing "updated" to
        # "published" with a DeprecationWarning.
        raw = _str(dict.get(entry, field)) if isinstance(entry, dict) else _str(entry.get(field))
        parsed = dict.get(entry, f"{field}_parsed") if isinstance(entry, dict) else None
        if not raw and parsed is None:
            continue
        when = plausible(_date_from(raw, parsed))
        if when is not None:
            return when
    return None


def _date_from(raw: str | None, parsed: object) -> datetime | None:
    if raw and _absurd_offset(raw):
        return None
    exact = parse_date_string(raw) if raw else None
    if exact is not None:
        return exact
    if parsed is None or (raw and _ISO_DAY.match(raw)):
        # an ISO date Python refuses is no date: feedparser would roll month 13 over
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)  # type: ignore[index, misc]
    except (TypeError, ValueError, OverflowError):
        return None


def _absurd_offset(raw: str) -> bool:
    match = _NUMERIC_OFFSET.search(raw)
    if match is None:
        return False
    offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    return offset > _MAX_OFFSET or int(match.group(3)) >= 60


def parse_date_string(raw: str) -> datetime | None:
    """RFC 822 or ISO 8601 with the offset as written; None when it is neither."""
    # the fast engine checks each date that entry_date then reads again; only short
    # strings are remembered, so a hostile megabyte "date" is not kept alive
    return _remembered_date(raw) if len(raw) <= 80 else _parse_date(raw)


@functools.lru_cache(maxsize=128)
def _remembered_date(raw: str) -> datetime | None:
    return _parse_date(raw)


def _parse_date(raw: str) -> datetime | None:
    raw = raw.strip()
    if not raw or raw.isdigit():
        return None
    try:
        return datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        pass
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    year = _RFC822_YEAR.search(raw)
    if year is not None and len(year.group(1)) == 4 and int(year.group(1)) != value.year:
        return None  # email.utils turns year 0000 into 2000
    # Naive when the source gave no zone (and for "-0000", "local time unknown").
    return value


def _enclosures(entry: Mapping[str, Any], *, base: str | None) -> tuple[str, ...]:
    urls: list[str] = []
    for enclosure in entry.get("enclosures") or ():
        href = enclosure.get("href") if isinstance(enclosure, Mapping) else None
        safe = sanitize.safe_url(_str(href), base=base)
        if safe is not None and safe not in urls:
            urls.append(safe)
    return tuple(urls)


# -- the fast engine ----------------------------------------------------------------------
#
# feedparser spends ~1 ms per entry in Python callbacks. For the commonest shape of feed,
# plain RSS 2.0 or Atom 1.0 in UTF-8 with the usual handful of elements, the same result
# is computed here from one pyexpat pass with tiny handlers, replaying what feedparser's
# strict parser does to each value (strip, URI joins, the Latin-1 and cp1252 repairs,
# the HTML guess for RSS titles) with feedparser's own helper functions.
# The gate is strict: anything outside the shapes below (another element, attribute,
# namespace, charset, a DOCTYPE, repeated fields, mixed content, a malformed document or
# an unusual date) returns None and feedparser decides. tests/test_feeds_fastpath.py
# checks that parse_feed gives identical Feeds with the fast engine on and off.

FAST_PATH = True  # False: always feedparser (tests compare both)

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_XML_DECL = re.compile(rb"\A<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_XML_MEDIA = frozenset({"application/xml", "application/rss+xml", "application/atom+xml"})
_ATOM_NS = "http://www.w3.org/2005/Atom"
_ATOM_PREFIX = "{" + _ATOM_NS + "}"
_ATOM_ROOT = _ATOM_PREFIX + "feed"
# scope -> {child: kind}; kinds: "text" leaf, "ignore" leaf (read by no one here),
# or a scope name
_RSS_SHAPE: dict[str, dict[str, str]] = {
    "rss": {"channel": "channel"},
    "channel": {"title": "text", "link": "text", "description": "ignore",
                "language": "ignore", "lastBuildDate": "ignore", "generator": "ignore",
                "ttl": "ignore", "item": "item"},
    "item": {"title": "text", "link": "text", "guid": "text", "pubDate": "text",
             "description": "text"},
}
_ATOM_SHAPE: dict[str, dict[str, str]] = {
    "feed": {"title": "text", "subtitle": "ignore", "id": "text", "updated": "ignore",
             "link": "link", "entry": "entry"},
    "entry": {"title": "text", "link": "link", "id": "text", "updated": "text",
              "published": "text", "author": "author", "content": "text", "summary": "text"},
    "author": {"name": "text"},
}
_TEXT_TYPES = {None: None, "text": "text/plain", "html": "text/html"}


class _NotSimple(Exception):
    """The document is outside the fast engine's shapes: feedparser decides."""


class _FastParsed:
    __slots__ = ("feed", "entries")
    bozo = False

    def __init__(self, feed: dict[str, Any], entries: list[dict[str, Any]]) -> None:
        self.feed = feed
        self.entries = entries


def _join(base: str, uri: str) -> str:
    """feedparser's _urljoin, without its cost for a plain absolute URL (which it keeps)."""
    if sanitize.PLAIN_ABSOLUTE_URL.fullmatch(uri) is not None:
        return uri
    return str(_urljoin(base, uri))


def _fast_parse(data: bytes, headers: Mapping[str, str]) -> _FastParsed | None:
    """The feedparser result parse_feed reads, for simple documents only; else None."""
    if not FAST_PATH or data[:3] == b"\xef\xbb\xbf" or _DOCTYPE.search(data):
        return None
    media, _, params = headers.get("content-type", "").partition(";")
    charset = charset_from_content_type(params)
    media = media.strip().lower()
    if charset and charset.lower() != "utf-8":
        return None
    # text/xml without a charset is US-ASCII to feedparser (RFC 3023)
    if media not in _XML_MEDIA and not (media == "text/xml" and charset):
        return None
    if data[:5] == b"<?xml":
        declared = _XML_DECL.match(data[:300])
        if declared is not None and declared.group(1).lower() != b"utf-8":
            return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return _FastBuilder(headers.get("content-location", "")).run(data)
    except (_NotSimple, ElementTree.ParseError, RecursionError, ValueError):
        return None


def _fp_text(value: str) -> str:
    """What feedparser's pop() does to the text of an element that expects text."""
    if value.isascii():
        return value  # both repairs below only ever change characters above U+007F
    try:
        value = value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.translate(_cp1252)


class _FastBuilder:
    """Walks the element tree that ElementTree's C parser builds (a tenth of the cost of
    Python callbacks per element), applying the shape gate and feedparser's value rules."""

    def __init__(self, contentloc: str) -> None:
        # feedparser.api: baseuri from Content-Location; then normalised at each element
        base = contentloc or ""
        if base:
            base = make_safe_absolute_uri(base, base) or base
            if (make_safe_absolute_uri(base, base) or base) != base:
                raise _NotSimple
            try:
                urlsplit(base)
            except ValueError:
                raise _NotSimple from None  # every join would fail: feedparser's business
        self.base = base
        self.feed: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.shape: dict[str, dict[str, str]] = {}
        self.atom = False

    def run(self, data: bytes) -> _FastParsed:
        # Namespace declarations vanish from an ElementTree (tags become "{uri}name"), so
        # they are counted in the bytes: Atom's one default namespace on the root, none in
        # RSS. Comments vanish too, and feedparser's view of them is its own business.
        atom = b"<feed" in data[:2048]
        if data.count(b"xmlns") != (1 if atom else 0) or b"<!--" in data:
            raise _NotSimple
        root = ElementTree.fromstring(data)
        if root.tag == "rss" and root.attrib == {"version": "2.0"} and not atom:
            self.shape = _RSS_SHAPE
            self._scope(root, "rss", self.feed)
        elif root.tag == _ATOM_ROOT and not root.attrib and atom:
            self.shape, self.atom = _ATOM_SHAPE, True
            self._scope(root, "feed", self.feed)
        else:
            raise _NotSimple
        return _FastParsed(self.feed, self.entries)

    def _name(self, tag: str) -> str:
        if self.atom:
            if not tag.startswith(_ATOM_PREFIX):
                raise _NotSimple  # an element of another namespace
            return tag[len(_ATOM_PREFIX):]
        if tag[:1] == "{":
            raise _NotSimple
        return tag

    def _scope(self, element: ElementTree.Element, scope: str, context: dict[str, Any]) -> None:
        if element.text and element.text.strip():
            raise _NotSimple  # text mixed with elements
        children = self.shape[scope]
        seen: set[str] = set()
        for child in element:
            if child.tail and child.tail.strip():
                raise _NotSimple
            name = self._name(child.tag)
            kind = children.get(name)
            if kind is None:
                raise _NotSimple
            if kind not in ("link", "item", "entry"):
                if name in seen:
                    raise _NotSimple  # a repeated field: feedparser's rules for those
                seen.add(name)
            attrs = child.attrib
            if kind in ("text", "ignore", "link"):
                if len(child):
                    raise _NotSimple  # markup inside a text element
                if kind == "link":
                    self._atom_link(attrs, context)
                    continue
                self._check_attrs(name, attrs)
                if kind == "text":
                    self._leaf(scope, name, (child.text or "").strip(), attrs, context)
                continue
            if attrs:
                raise _NotSimple
            if kind in ("item", "entry"):
                entry: dict[str, Any] = {}
                self.entries.append(entry)
                self._scope(child, kind, entry)
            elif kind == "author":
                if not (self.atom and scope == "entry"):
                    raise _NotSimple
                self._scope(child, kind, context)
                if not context.get("author"):
                    raise _NotSimple  # an author without a name: feedparser's rules
            else:
                self._scope(child, kind, context)

    def _check_attrs(self, name: str, attrs: dict[str, str]) -> None:
        if not attrs:
            return
        if name == "guid" and list(attrs) == ["isPermaLink"] and attrs["isPermaLink"] in (
                "true", "false"):
            return
        if self.atom and name in ("title", "content", "summary") and list(attrs) == ["type"]:
            if attrs["type"] in ("text", "html"):
                return
        raise _NotSimple

    def _atom_link(self, attrs: dict[str, str], context: dict[str, Any]) -> None:
        href = attrs.get("href")
        rel = attrs.get("rel", "alternate")
        kind = attrs.get("type")
        if (href is None or set(attrs) - {"href", "rel", "type"}
                or rel not in ("alternate", "self")
                or kind not in (None, "text/html", "application/atom+xml")):
            raise _NotSimple
        if kind is None:
            kind = "application/atom+xml" if rel == "self" else "text/html"
        if rel == "alternate" and kind == "text/html":
            context["link"] = _join(self.base, href)

    def _leaf(self, scope: str, leaf: str, raw: str, attrs: dict[str, str],
              context: dict[str, Any]) -> None:
        """What feedparser's pop() stores for one text element."""
        if scope == "author":  # Atom author/name: feedparser keeps it as is
            context["author"] = raw
            return
        value = raw
        if leaf in ("title", "description", "content", "summary"):
            content_type = self._content_type(leaf, attrs)
            value = _fp_text(value)
            if (not self.atom and content_type == "text/plain"
                    and _looks_like_html(value)):
                content_type = "text/html"
            if leaf == "title":
                context["title"] = value
                context["title_detail"] = {"type": content_type}
            elif leaf == "content":
                context["content"] = [{"type": content_type, "value": value}]
                if content_type in ("text/plain", "text/html"):
                    context.setdefault("summary", value)
            else:  # RSS description, Atom summary
                context["summary"] = value
                context["summary_detail"] = {"type": content_type}
        elif leaf == "link":  # RSS
            value = _fp_text(_join(self.base, value) if value else value)
            if context is not self.feed:
                value = value.replace("&amp;", "&")
            context["link"] = _AMP_ENTITY.sub(r"&\g<1>", value)
        elif leaf in ("guid", "id"):
            is_link = attrs.get("isPermaLink", "true") == "true"
            if is_link and value:
                value = _join(self.base, value)
            value = _fp_text(value)
            context["id"] = value
            if is_link:
                context.setdefault("link", value)
        else:  # dates
            value = _fp_text(value)
            if not (value.isascii() and (_absurd_offset(value) or parse_date_string(value))):
                raise _NotSimple  # feedparser's own date parser would decide
            context["published" if leaf == "pubDate" else leaf] = value

    def _content_type(self, leaf: str, attrs: dict[str, str]) -> str:
        if not self.atom:
            return "text/html" if leaf == "description" else "text/plain"
        return _TEXT_TYPES[attrs.get("type")] or "text/plain"
