"""Subscription lists, read and written in one place: OPML (anyone's, and the library's own
``subscriptions.opml`` with its local folders and files) and newsboat's ``urls`` file."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.core import sanitize
from reader.core.errors import SourceError
from reader.core.models import FeedInfo, FeedKind, Subscription

# A newsboat line that shlex splits as this does: words and "quoted strings" between
# spaces, without escapes, single quotes or comments (the others go to shlex)
_PLAIN_FIELD = re.compile(r'"([^"\\]*)"|([^\s"\'\\#]+)')
_PLAIN_LINE = re.compile(rf"(?:{_PLAIN_FIELD.pattern})(?:[ \t]+(?:{_PLAIN_FIELD.pattern}))*")
# What XML 1.0 cannot carry, even as a reference: most C0 controls, but also U+FFFE,
# U+FFFF and lone surrogates, which Python holds as text (a feed's "&#xFFFE;" gives one)
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read_subscription_list(
    path: Path, *, local: bool = False
) -> tuple[list[Subscription], list[str]]:
    """The file at ``path`` read as :func:`parse_subscription_list` reads it, as any
    source is read: a regular file only, its size capped, gzip opened. Raises SourceError
    ``NAME: reason`` (it read /dev/zero until memory ran out, waited on a FIFO for ever,
    and listed a binary file's bytes as skipped URLs). ``local``: the list is trusted to name
    local folders and files (:func:`parse_subscription_list`)."""
    from reader.sources.files import read_file

    data = read_file(path)
    return read_subscription_bytes(data, name=sanitize.display_name(os.fspath(path)),
                                   local=local)


def read_subscription_bytes(
    data: bytes, *, name: str, local: bool = False
) -> tuple[list[Subscription], list[str]]:
    """``data`` (a list read from ``name``: a file, standard input) as
    :func:`read_subscription_list` reads a file's; raises SourceError ``NAME: reason``."""
    from reader.core.models import SourceKind
    from reader.sources.sniff import sniff

    if sniff(data, name=name) is SourceKind.BINARY:
        raise SourceError(f"{name}: not a subscription list (OPML or newsboat urls): "
                          "a binary file")
    try:
        return parse_subscription_list(data, local=local)
    except SourceError as error:
        raise SourceError(f"{name}: {error}") from error


def parse_subscription_list(
    data: bytes, *, local: bool = False
) -> tuple[list[Subscription], list[str]]:
    """OPML, or else newsboat's ``urls`` format; raises SourceError when it is neither.

    A list from elsewhere never names this disk (see :mod:`reader.sources.opml`). With
    ``local`` the user vouches for it, as for the ``subscriptions.opml`` kept beside a
    library: its web feeds are read as any list's (with their renamed titles, as that file
    keeps them), and its local folders and files (``file://`` on this machine) are taken
    too, each that exists here.
    """
    from reader.sources.decode import decode_bytes

    # decoded as any text is (BOM, UTF-8, windows-1252): a BOM before the first URL made it
    # "not an http(s) URL", and a UTF-16 list (Windows' "Unicode") was all skipped
    head = decode_bytes(data[:2048]).text.lstrip("\ufeff \t\n")[:512].lower()
    if not (head.startswith("<") or "<opml" in head):
        return parse_newsboat_urls(_list_text(data))
    from reader.sources.opml import parse_opml

    # what it refuses is refused whatever the list says
    document = parse_opml(data, skip_local=local)
    entries = [Subscription(o.url, title=o.title, folder=o.folder) for o in document.outlines]
    warnings = list(document.rejected)  # each says "skipped ..." already
    if not local:
        return entries, warnings
    try:
        own = read_own_opml(data)
    except SyntaxError as error:  # ET.ParseError; parse_opml took the same bytes, though
        raise SourceError(f"not a valid OPML file ({error})") from None
    renamed = {e.url: e.display_name for e in own if e.display_name}
    entries = [replace(e, display_name=renamed[e.url]) if e.url in renamed else e
               for e in entries]
    for entry in own:
        if sanitize.is_web_url(entry.url):
            continue  # parse_opml's, with its warnings
        if os.path.exists(entry.url):
            entries.append(entry)
        else:
            warnings.append(f"skipped {sanitize.display_name(entry.url)} (no such file "
                            "or folder here)")
    return entries, warnings


def _list_text(data: bytes) -> str:
    """A urls file's text: decoded whole (BOM, UTF-8, windows-1252), but line by line when
    it is not UTF-8 throughout: one Latin-1 byte in a comment made a UTF-8 list all
    windows-1252, its names mojibake and its non-ASCII addresses other addresses."""
    from reader.sources.decode import decode_bytes

    whole = decode_bytes(data)
    if whole.warning is None:
        return whole.text
    return "\n".join(decode_bytes(line).text for line in data.splitlines())


def parse_newsboat_urls(text: str) -> tuple[list[Subscription], list[str]]:
    """newsboat's ``urls`` file: URL, then tags; the first tag is the folder, "~x" the name.

    ``exec:``, ``filter:`` and ``query:`` lines run commands or are virtual feeds in
    newsboat: they are skipped with a warning and never run.
    """
    import shlex

    entries: list[Subscription] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _PLAIN_LINE.fullmatch(line):  # (most lines: shlex took 0.1 ms each)
            fields = [m[1] if m[1] is not None else m[2] for m in _PLAIN_FIELD.finditer(line)]
        else:
            try:
                fields = shlex.split(line, comments=True)
            except ValueError:
                fields = line.split()
        if not fields:
            continue
        url, tags = fields[0], fields[1:]
        scheme = url.split(":", 1)[0].lower()
        if scheme in ("exec", "filter", "query"):
            warnings.append(f"line {number}: skipped {scheme}: entry (never run)")
            continue
        checked = sanitize.feed_address(url)
        if checked is None:
            shown = sanitize.clean_line(url, limit=120) or "?"
            warnings.append(f"line {number}: skipped {shown} (not an http(s) URL)")
            continue
        if checked in seen:
            continue
        seen.add(checked)
        name = next((sanitize.clean_line(t[1:]) for t in tags if t.startswith("~")), None)
        folders = [t for t in tags if not t.startswith(("~", "!"))]
        folder = sanitize.clean_line(folders[0]) if folders else None
        entries.append(Subscription(checked, title=name, folder=folder, display_name=name))
    if not entries and not warnings:
        raise SourceError("not an OPML file or a newsboat urls file (no feed URL found)")
    return entries, warnings


def write_opml(feeds: Sequence[FeedInfo], *, include_local: bool) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             "  <head>", "    <title>reader subscriptions</title>",
             f"    <dateCreated>{_rfc822_now()}</dateCreated>", "  </head>", "  <body>"]
    folders: dict[str | None, list[FeedInfo]] = {}
    for feed in feeds:
        if sanitize.is_web_url(feed.url) or Path(feed.url).is_absolute():
            folders.setdefault(feed.folder, []).append(feed)
        # else no address to give ("stdin:-", which reader add - once subscribed to)
    for feed in folders.pop(None, []):
        lines.append("    " + _outline(feed, include_local))
    for folder, members in folders.items():
        name = quoteattr(_xml_safe(folder or ""))
        lines.append(f"    <outline text={name} title={name}>")
        lines.extend("      " + _outline(feed, include_local) for feed in members)
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _outline(feed: FeedInfo, include_local: bool) -> str:
    text = quoteattr(_xml_safe(feed.name))
    attrs = [f"text={text}", f"title={text}"]
    if sanitize.is_web_url(feed.url):
        attrs.insert(0, 'type="rss"')
        attrs.append(f"xmlUrl={quoteattr(_xml_safe(feed.url))}")
    else:
        attrs.insert(0, f'type="{feed.kind.value}"')
        attrs.append(f"xmlUrl={quoteattr(_xml_safe(Path(feed.url).as_uri()))}")
    if feed.display_name and include_local:
        attrs.append(f"readerName={quoteattr(_xml_safe(feed.display_name))}")
    return "<outline " + " ".join(attrs) + "/>"


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes (xml.sax.saxutils costs 50 ms of imports)."""
    escaped = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))
    return f'"{escaped}"'


def _xml_safe(text: str) -> str:
    return _XML_UNSAFE.sub("", text)


def _rfc822_now() -> str:
    from email.utils import format_datetime

    return format_datetime(datetime.now(UTC))


def read_own_opml(data: bytes) -> list[Subscription]:
    """Our own ``subscriptions.opml``: feeds plus local folders and files (file:// URIs)."""
    import xml.etree.ElementTree as ET

    from reader.sources.xmlsafe import RefusedXml, check_xml

    try:
        check_xml(data, max_bytes=10 * 2**20)
    except RefusedXml as refused:
        raise SourceError(f"refused: {refused}") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        # written before write_opml left out what XML cannot carry (a U+FFFE in a title)
        text = data.decode("utf-8", "replace")
        if not _XML_UNSAFE.search(text):
            raise
        root = ET.fromstring(_xml_safe(text).encode("utf-8"))
    body = root.find("body")
    entries: list[Subscription] = []
    for top in (body if body is not None else root):
        if top.get("xmlUrl") is not None:
            entries.extend(_subscription(top, None))
            continue
        folder = sanitize.clean_line(top.get("text"))
        for outline in top.iter("outline"):
            if outline.get("xmlUrl") is not None:
                entries.extend(_subscription(outline, folder))
    return entries


def _subscription(outline: Any, folder: str | None) -> list[Subscription]:
    from urllib.parse import unquote, urlsplit

    url = outline.get("xmlUrl") or ""
    kind = FeedKind.FEED if outline.get("type") == "rss" else feed_kind(outline.get("type"))
    if url.startswith("file://"):
        parts = urlsplit(url)
        url = unquote(parts.path)
        if not os.path.isabs(url) or parts.netloc not in ("", "localhost"):
            return []  # (file://host/path names another machine's disk)
        # spelled as reader add keeps a path (absolute, '..' read): not a second subscription
        url = os.path.abspath(url)
    elif sanitize.safe_url(url) is None:
        return []
    return [Subscription(url, title=sanitize.clean_line(outline.get("title")), folder=folder,
                   display_name=sanitize.clean_line(outline.get("readerName")), kind=kind)]


def feed_kind(value: object) -> FeedKind:
    """A stored kind name as a FeedKind; anything unknown is a feed."""
    try:
        return FeedKind(str(value))
    except ValueError:
        return FeedKind.FEED
