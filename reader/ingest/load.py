"""The one way in: bytes, files, directories, URLs and stdin become LoadResults.

The CLI, the library and the TUI all load through here. Nothing raises: every
failure becomes ``LoadResult(error=...)``, one line that names the file or URL.
In a directory walk, members that are skipped on purpose (binary, empty, symlink,
FIFO, device) are not failures: their LoadResult has no error, one warning, and
``skipped`` set. A binary file named on its own is an error.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from reader.core import sanitize
from reader.core.dates import plausible
from reader.core.errors import FetchError, ReaderError, SourceError, one_line, unexpected
from reader.core.limits import MAX_FILE_BYTES
from reader.core.models import Article, LoadResult, SourceKind
from reader.sources.decode import charset_from_content_type, decode_bytes
from reader.sources.files import (
    describe_size,
    gunzip_capped,
    read_file,
)
from reader.sources.sniff import sniff

# feedparser, httpx and the cleaners are imported where they are used: importing
# this module must stay cheap, because the TUI imports it before its first paint.
if TYPE_CHECKING:
    import httpx

    from reader.core.models import FetchState
    from reader.sources.http import HttpLimits, HttpResponse

T = TypeVar("T")

_MAX_SHOWN = 300
# Bounded repetitions: these run on untrusted text and must not backtrack quadratically.
_TITLE_TAG = re.compile(rb"<title[^<>]{0,200}>([^<]{0,4000})</title", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]{0,60})[ \t]*:(.*)$")
_H1 = re.compile(r"^#[ \t]+(\S.*)$")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation
_YAML_NULLS = frozenset(("", "~", "null", "Null", "NULL"))  # YAML 1.2's core schema
_FENCE = re.compile(r"^\s*(```|~~~)")
_BLANK_RUNS = re.compile(r"\n{3,}")


def shown(source: str) -> str:
    """A file name or URL as it may appear in a one-line message."""
    name = sanitize.display_name(source)
    return name if len(name) <= _MAX_SHOWN else name[: _MAX_SHOWN - 1] + "\u2026"


def _failed(source: str, reason: str, *, skipped: bool = False, status: int | None = None,
            retry_after: datetime | None = None) -> LoadResult:
    return LoadResult(source=source, error=f"{shown(source)}: {reason}", skipped=skipped,
                      status=status, retry_after=retry_after)


# --------------------------------------------------------------------------- bytes


def load_bytes(
    data: bytes,
    *,
    source: str,
    name: str | None = None,
    url: str | None = None,
    content_type: str | None = None,
    chrome: frozenset[str] = frozenset(),
    headers: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> LoadResult:
    """Sniff ``data`` and load it as what it is. Never raises.

    ``source`` is recorded on every article (path as given, or feed URL); ``name``
    (a file name) helps sniffing and gives a title fallback; ``url`` is where the
    bytes came from (base for links); ``headers`` are the HTTP response headers;
    ``base_dir`` is the folder of a file read from disk (an OPML list there may name
    the feed files next to it).
    """
    try:
        return _load_bytes(
            data,
            source=source,
            name=name,
            url=url,
            content_type=content_type,
            chrome=chrome,
            headers=headers,
            base_dir=base_dir,
        )
    except ReaderError as error:
        return _failed(source, one_line(error))
    except Exception as error:  # a bug or a parser's surprise must not kill the caller
        return _failed(source, unexpected(error, "reading"))


def import_cleaners(kinds: Iterable[SourceKind]) -> None:
    """Import now the cleaners that loading files of these kinds imports when first used,
    and what they build on first use (before worker processes fork, so that they inherit
    the modules and share what is built)."""
    kinds = set(kinds)
    if kinds & {SourceKind.FEED, SourceKind.JSON_FEED}:
        import reader.ingest.feeds
    if SourceKind.HTML in kinds:
        from reader.cleaning.html import warm_up

        warm_up()
    if SourceKind.TEXT in kinds:
        import reader.cleaning.text  # noqa: F401


def _load_bytes(
    data: bytes,
    *,
    source: str,
    name: str | None,
    url: str | None,
    content_type: str | None,
    chrome: frozenset[str],
    headers: Mapping[str, str] | None,
    base_dir: Path | None,
) -> LoadResult:
    kind = sniff(data, name=name, content_type=content_type)
    if kind is SourceKind.EMPTY:
        return _failed(source, "empty file", skipped=True)
    if kind is SourceKind.BINARY:
        return _failed(source, "not a text file (binary), skipped", skipped=True)
    if kind is SourceKind.JSON:
        if _is_json_data(data, name):
            return _failed(
                source, "JSON data, not an article or a JSON Feed, skipped", skipped=True
            )
        kind = SourceKind.TEXT
    if kind in (SourceKind.FEED, SourceKind.JSON_FEED):
        from reader.ingest.feeds import parse_feed_document

        feed = parse_feed_document(data, kind=kind, url=url or source, source=source,
                                   headers=headers)
        return _feed_result(source, kind, feed.title, feed.articles, feed.warnings)
    if kind is SourceKind.OPML:
        from reader.sources.opml import parse_opml

        document = parse_opml(data, base_dir=base_dir)
        return LoadResult(
            source=source,
            kind=kind,
            title=document.title,
            feed_urls=tuple(outline.url for outline in document.outlines),
            warnings=tuple(f"{shown(source)}: {line}" for line in document.rejected),
        )
    decoded = decode_bytes(data, declared=charset_from_content_type(content_type))
    warnings = [f"{shown(source)}: {decoded.warning}"] if decoded.warning else []
    fallback = _stem(name or source)
    if kind is SourceKind.HTML:
        article, page_warnings = _html_article(
            data, decoded.text, source=source, url=url, fallback=fallback
        )
        warnings += [f"{shown(source)}: {w}" for w in page_warnings]
    elif kind is SourceKind.MARKDOWN and not cleaned_as_dump(kind, decoded.text):
        article = _markdown_article(decoded.text, source=source, fallback=fallback)
    else:
        article = _text_article(decoded.text, source=source, fallback=fallback, chrome=chrome)
    if not article.body.strip() and kind is not SourceKind.HTML:
        warnings.append(f"{shown(source)}: no readable content")
    return LoadResult(
        source=source, kind=kind, title=article.title, articles=(article,), warnings=tuple(warnings)
    )


def _is_json_data(data: bytes, name: str | None) -> bool:
    """Whether a file that opens as JSON is data: a ``.json`` file, or one JSON value and
    nothing else. A page dump can open with a script's data that a scraper kept before the
    page's text, whole, or broken over lines by a text browser's wrapping."""
    import json

    if (name or "").lower().endswith((".json", ".json.gz")):
        return True
    text = data.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return False
    return not text[end:].strip()


def _feed_result(
    source: str,
    kind: SourceKind,
    title: str | None,
    articles: tuple[Article, ...],
    warnings: tuple[str, ...],
) -> LoadResult:
    return LoadResult(
        source=source,
        kind=kind,
        title=title,
        articles=articles,
        warnings=tuple(f"{shown(source)}: {w}" for w in warnings),
    )


def _stem(name: str) -> str | None:
    if name in ("", "-") or "://" in name:
        return None
    path = PurePath(name)
    stem = PurePath(path.stem).stem if path.suffix.lower() == ".gz" else path.stem
    return sanitize.clean_line(sanitize.display_name(stem))


def _text_article(
    text: str, *, source: str, fallback: str | None, chrome: frozenset[str]
) -> Article:
    from reader.cleaning.text import clean_dump

    cleaned = clean_dump(text, chrome=chrome)
    # The body is Markdown made of plain text: a "<script>" written in the dump is text to
    # show, not raw HTML for the renderer to drop (as for a feed's plain-text body).
    return Article(
        source=source,
        key=source,
        title=sanitize.clean_line(cleaned.title) or fallback,
        author=sanitize.clean_line(cleaned.author),
        url=sanitize.safe_url(cleaned.url),
        published=plausible(cleaned.published),
        body=sanitize.escape_raw_html(sanitize.strip_controls(cleaned.body)).strip(),
        kind=SourceKind.TEXT,
    )


def _html_article(
    data: bytes, text: str, *, source: str, url: str | None, fallback: str | None
) -> tuple[Article, tuple[str, ...]]:
    from reader.cleaning.html import extract_article

    page = extract_article(text, url=url)
    title = sanitize.clean_line(page.title) or _title_tag(data) or fallback
    article = Article(
        source=source,
        key=source,
        title=title,
        author=sanitize.clean_line(page.author),
        url=sanitize.safe_url(url),
        published=plausible(page.published),
        body=sanitize.strip_controls(page.body).strip(),
        kind=SourceKind.HTML,
    )
    return article, tuple(sanitize.clean_line(w) or "" for w in page.warnings if w)


def _title_tag(data: bytes) -> str | None:
    import html

    match = _TITLE_TAG.search(data[:65536])
    if match is None:
        return None
    return sanitize.clean_line(html.unescape(decode_bytes(match.group(1)).text))


def cleaned_as_dump(kind: SourceKind, text: str) -> bool:
    """Whether a text file of this kind is cleaned as a page dump (its boilerplate cut, the
    lines its folder repeats removed): plain text, and Markdown a converter fetched whole
    (see _fetched_page); other Markdown is kept as written."""
    return kind is SourceKind.TEXT or (kind is SourceKind.MARKDOWN and _fetched_page(text))


def _fetched_page(markdown: str) -> bool:
    """Whether Markdown is a web page a converter fetched and wrote out whole, menus and
    all (its labelled header says so: "URL Source: https://..."), to be cleaned as a
    dump, rather than a text someone wrote, kept as written."""
    from reader.cleaning.header import labelled_header

    return labelled_header(markdown[:4096].split("\n")).fetched


def _markdown_article(text: str, *, source: str, fallback: str | None) -> Article:
    """Markdown is kept as written; front matter (or a labelled header: "Title: ...") and
    the first H1 give the metadata."""
    meta, body = _front_matter(text)
    lines = body.split("\n")
    if not meta:
        from reader.cleaning.header import labelled_header

        header = labelled_header(lines)
        meta = {field: value for field in ("title", "author", "published")
                if (value := getattr(header, field)) is not None}
        del lines[:header.length]
    title = sanitize.clean_line(meta.get("title"))
    heading = _first_h1(lines)
    if heading is not None:
        index, heading_text = heading
        # the heading as it reads: Markdown's backslash escapes (the reader writes "\<")
        heading_title = sanitize.clean_line(_MARKDOWN_ESCAPE.sub(r"\1", heading_text))
        if title is None or heading_title == title:
            title = title or heading_title
            del lines[index]
    published = None
    # "published" is what the reader's own Markdown writes
    when = meta.get("date") or meta.get("published")
    if when:
        from reader.sources.feeds import parse_date_string

        published = plausible(parse_date_string(when))
    body = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    return Article(
        source=source,
        key=source,
        title=title or fallback,
        author=sanitize.clean_line(meta.get("author")),
        url=sanitize.safe_url(meta.get("url")),
        published=published,
        body=body,
        kind=SourceKind.MARKDOWN,
    )


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).split("\n"):
        pair = _FRONT_KEY.match(line)
        if pair is not None:
            raw = pair.group(2).strip()
            if raw in _YAML_NULLS:  # no value, for every key (a quoted "null" is a string)
                continue
            meta.setdefault(pair.group(1).lower(), _scalar(raw))
    return meta, text[match.end() :]


def _scalar(value: str) -> str:
    """A one-line YAML scalar's text: a quoted one unquoted, its escapes read.

    The reader's own Markdown (``e``, ``reader dump --format markdown``) writes JSON
    strings, which are YAML double-quoted scalars; a scalar that is not what its quotes
    promise is kept as written.
    """
    if len(value) < 2 or value[0] != value[-1] or value[0] not in "\"'":
        return value
    if value[0] == "'":
        return value[1:-1].replace("''", "'")
    if "\\" not in value:
        return value[1:-1]
    try:
        loaded = json.loads(value)
    except ValueError:
        return value[1:-1]  # (an escape JSON lacks: YAML has a few more)
    return loaded if isinstance(loaded, str) else value[1:-1]


def _first_h1(lines: list[str]) -> tuple[int, str] | None:
    """The first level-1 ATX heading outside code fences."""
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            match = _H1.match(line)
            if match is not None:
                return index, match.group(1).rstrip(" \t#")
    return None


def read_dump(article: Article, *, chrome: frozenset[str] = frozenset()
              ) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """A plain-text article's file read again: its lines, and which went into the body
    (for a raw view), cleaned with its folder's ``chrome`` as it was. Raises SourceError
    when it is not a text file or cannot be read."""
    from reader.cleaning.text import clean_dump

    if article.kind is not SourceKind.TEXT or sanitize.is_web_url(article.source):
        raise SourceError("only a plain-text file has a raw view")
    if not os.path.isabs(article.source):
        # a file is kept by its absolute path: this was standard input ("-"), read once
        raise SourceError("text read from standard input is not kept: it has no raw view")
    cleaned = clean_dump(decode_bytes(read_file(stored_path(article.source))).text,
                         chrome=chrome)
    return cleaned.lines, cleaned.kept


def stored_path(source: str) -> Path:
    """The file a local source names: the path itself, or the file of its folder whose name
    shows as it (a name with a control character or bytes that are not UTF-8 is kept in
    its displayable form, see _path_source)."""
    path = Path(source)
    if os.path.lexists(path) or sanitize.display_name(source) != source:
        return path
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if _path_source(Path(entry.path)) == source:
                    return Path(entry.path)
    except (OSError, ValueError):
        pass
    return path


# --------------------------------------------------------------------------- files


def _path_source(path: Path) -> str:
    """The path as text; undecodable or control-laden names in their displayable form."""
    raw = os.fspath(path)
    display = sanitize.display_name(raw)
    return raw if display == raw else display


def load_path(
    path: Path, *, source: str | None = None, chrome: frozenset[str] = frozenset()
) -> LoadResult:
    """Load one file (a symlink named explicitly is followed). Never raises."""
    source = source or _path_source(path)
    try:
        data = read_file(path)
    except ReaderError as error:
        return LoadResult(source=source, error=one_line(error))
    except Exception as error:
        return _failed(source, unexpected(error, "reading"))
    return load_bytes(data, source=source, name=path.name, chrome=chrome, base_dir=path.parent)


def skipped_as_warning(result: LoadResult) -> LoadResult:
    """In a folder, a binary or empty file is skipped with a warning, not a failure."""
    if result.error is None or not result.skipped:
        return result
    return dataclasses.replace(result, error=None, warnings=(*result.warnings, result.error))


def load_stdin(stream: BinaryIO | None = None) -> LoadResult:
    """Load standard input ("-"; ``stream``, by default the process's), read up to the
    file cap."""
    source = "-"
    try:
        data = _read_standard_input(stream)
    except SourceError as error:
        return _failed(source, str(error))
    return load_bytes(data, source=source)


def read_standard_input(stream: BinaryIO | None = None, *,
                        name: str = "standard input") -> bytes:
    """All of ``stream`` (by default standard input), read as ``load_stdin`` reads it: up
    to the file cap, gzip opened. Raises SourceError ``NAME: reason``."""
    try:
        return _read_standard_input(stream)
    except SourceError as error:
        raise SourceError(f"{name}: {error}") from error


def _read_standard_input(stream: BinaryIO | None) -> bytes:
    """Raises SourceError with the reason alone (each caller names the input its way)."""
    if stream is None:
        # started with standard input closed (`<&-`): Python's sys.stdin is None
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise SourceError("standard input is closed")
    try:
        data = _read_stream(stream, MAX_FILE_BYTES)
    except OSError as error:
        raise SourceError(f"could not be read ({one_line(error)})") from error
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"input too large (more than {describe_size(MAX_FILE_BYTES)})")
    if data.startswith(b"\x1f\x8b"):
        try:
            data = gunzip_capped(data, max_bytes=MAX_FILE_BYTES)
        except ValueError as error:
            raise SourceError(str(error)) from error
    return data


def _read_stream(stream: BinaryIO, cap: int) -> bytes:
    """Up to ``cap + 1`` bytes. A buffered stream answers short only at its end: read no
    further then, for a terminal's end (Ctrl+D) is not lasting, and another read waited
    for a second Ctrl+D. A raw stream answers short whenever a pipe has less: read on."""
    parts: list[bytes] = []
    remaining = cap + 1
    raw = isinstance(stream, io.RawIOBase)
    while remaining > 0:
        asked = min(remaining, 1 << 20)
        chunk = stream.read(asked)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
        if len(chunk) < asked and not raw:
            break
    return b"".join(parts)


# --------------------------------------------------------------------------- URLs


async def load_url_async(
    client: httpx.AsyncClient,
    url: str,
    *,
    state: FetchState | None = None,
    limits: HttpLimits | None = None,
) -> tuple[LoadResult, HttpResponse | None]:
    """Fetch and load one URL. Never raises.

    On failure the LoadResult may carry the server's ``status`` and ``retry_after``; on
    304 it is empty with ``not_modified`` set.
    """
    from reader.sources.http import fetch

    try:
        response = await fetch(client, url, state=state, limits=_limits(limits))
    except FetchError as error:
        return _failed(url, one_line(error), status=getattr(error, "status", None),
                       retry_after=getattr(error, "retry_after", None)), None
    except Exception as error:  # fetch promises FetchError; this is the seatbelt
        return _failed(url, f"fetch failed ({type(error).__name__})"), None
    if response.not_modified:
        return LoadResult(source=url, kind=None, not_modified=True), response
    import asyncio  # here, as in load_urls: loading files never needs it

    # Parsing is CPU-bound; off the event loop so other fetches keep flowing.
    result = await asyncio.to_thread(_load_response, url, response)
    return result, response


def _limits(limits: HttpLimits | None) -> HttpLimits:
    from reader.sources.http import DEFAULT_LIMITS

    return DEFAULT_LIMITS if limits is None else limits


def _load_response(url: str, response: HttpResponse) -> LoadResult:
    from reader.sources.feeds import discover_feeds

    content_type = response.headers.get("content-type")
    kind = sniff(response.content, content_type=content_type)
    if kind is SourceKind.HTML:
        # not the page itself: "its feed is at <the address just given>" led nowhere
        own = {url.split("#", 1)[0], response.url.split("#", 1)[0]}
        feeds = [feed for feed in discover_feeds(response.content, base_url=response.url)
                 if feed.split("#", 1)[0] not in own]
        if feeds:
            return LoadResult(
                source=url,
                kind=kind,
                feed_urls=tuple(feeds),
                error=f"{shown(url)}: this is a web page, not a feed; its feed is at {feeds[0]}",
            )
    return load_bytes(
        response.content,
        source=url,
        url=response.url,
        content_type=content_type,
        headers=response.headers,
    )


async def load_urls(urls: Sequence[str], limits: HttpLimits | None) -> list[LoadResult]:
    """Fetch and load URLs together with one client. Never raises."""
    import asyncio

    from reader.sources.http import make_client

    limits = _limits(limits)
    async with make_client(limits) as client:
        pairs = await asyncio.gather(*(load_url_async(client, u, limits=limits) for u in urls))
    return [result for result, _ in pairs]
