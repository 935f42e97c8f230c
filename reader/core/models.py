"""The small, typed public vocabulary shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """What a piece of input turned out to be (sniffed from content; the extension only helps)."""

    TEXT = "text"
    HTML = "html"
    MARKDOWN = "markdown"
    FEED = "feed"  # RSS 0.9x/1.0/2.0, Atom
    JSON_FEED = "json_feed"
    OPML = "opml"
    BINARY = "binary"
    EMPTY = "empty"


class BodyState(StrEnum):
    """Whether an article's body is the whole article or only a feed's summary."""

    FULL = "full"
    SUMMARY = "summary"


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One cleaned article, from a file or a feed entry.

    ``body`` is Markdown without the title, byline and date; links are inline
    ``[text](url)``; paragraphs are separated by one blank line.
    ``key`` identifies the article within its source (entry id/guid, else a hash).
    """

    source: str  # file path as given/found, or the feed URL
    key: str
    title: str | None = None
    author: str | None = None
    url: str | None = None
    published: datetime | None = None  # aware when the source gave an offset
    body: str = ""
    feed_title: str | None = None
    body_state: BodyState = BodyState.FULL
    enclosures: tuple[str, ...] = ()
    kind: SourceKind = SourceKind.TEXT


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """A parsed feed: its metadata and entries, plus the warnings met on the way."""

    url: str
    title: str | None = None
    link: str | None = None
    articles: tuple[Article, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadResult:
    """What loading one source produced: articles, feed URLs to follow (OPML), warnings.

    ``error`` is set when the source could not be loaded at all (one line).
    """

    source: str
    kind: SourceKind | None = None
    title: str | None = None
    articles: tuple[Article, ...] = ()
    feed_urls: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
