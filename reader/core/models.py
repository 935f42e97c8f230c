"""The small, typed public vocabulary shared by every layer: articles, feeds, library rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # (the sync types are imported when syncing, not at every start)
    from reader.core.sync import SyncReport


class SourceKind(StrEnum):
    """What a piece of input turned out to be (sniffed from content; the extension only helps)."""

    TEXT = "text"
    HTML = "html"
    MARKDOWN = "markdown"
    FEED = "feed"  # RSS 0.9x/1.0/2.0, Atom
    JSON_FEED = "json_feed"
    OPML = "opml"
    JSON = "json"  # JSON data that is no JSON Feed: records, not an article
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

    ``error`` is set when the source could not be loaded at all (one line). ``skipped``: a
    file left out on purpose (binary, empty, not a regular file); in a folder that is a
    warning, named alone an error. ``not_modified``: a fetch answered 304. ``status`` and
    ``retry_after``: what a failed fetch's server said.
    """

    source: str
    kind: SourceKind | None = None
    title: str | None = None
    articles: tuple[Article, ...] = ()
    feed_urls: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    skipped: bool = False
    not_modified: bool = False
    status: int | None = None
    retry_after: datetime | None = None


# ---------------------------------------------------------------------- the library


class Sort(StrEnum):
    DATE = "date"  # newest first
    FEED = "feed"  # by feed title, then newest first
    TITLE = "title"
    RANK = "rank"  # search relevance (FTS5 bm25); without ``text`` the same as DATE


class FeedKind(StrEnum):
    """What a library source is: how it is refreshed and how its articles are keyed."""

    FEED = "feed"  # an RSS/Atom/JSON feed, by URL or local file
    DIRECTORY = "directory"  # a folder of article files, rescanned by (path, size, mtime)
    FILE = "file"  # one article file (or a web page)


@dataclass(frozen=True, slots=True)
class Subscription:
    """A source to subscribe to, as a subscription list (OPML, newsboat's urls) gives it."""

    url: str
    title: str | None = None
    folder: str | None = None
    display_name: str | None = None
    kind: FeedKind = FeedKind.FEED


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleQuery:
    """A view of the library: every field narrows it; the default is everything, newest first."""

    feed_ids: tuple[int, ...] | None = None  # None: all feeds
    folder: str | None = None
    subscribed_only: bool = False  # the library view: leave out sources opened only once
    unread_only: bool = False
    starred_only: bool = False
    text: str | None = None  # FTS5 search: plain words and "quoted phrases", never a syntax error
    since: datetime | None = None
    until: datetime | None = None
    sort: Sort = Sort.DATE
    prefix: bool = False  # the last plain word of ``text`` also matches as a prefix (as you type)
    member: str | None = None  # within a folder source: one feed file's entries, by its title
    limit: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberFeed:
    """A feed file inside a folder source: its entries carry its title."""

    title: str
    unread: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedInfo:
    """A source in the library: a subscribed feed/directory, or a source opened once."""

    id: int
    url: str  # feed URL or absolute path
    kind: FeedKind
    title: str | None
    display_name: str | None
    folder: str | None
    subscribed: bool
    always_full_text: bool
    unread: int
    total: int
    last_success: datetime | None
    last_error: str | None
    retry_after: datetime | None = None
    members: tuple[MemberFeed, ...] = ()  # a folder's feed files (with its counts)
    account: str | None = None  # the feed server account it is synced through, if any

    @property
    def name(self) -> str:
        from reader.core.sanitize import redact_password

        # a feed with no title is named by its address, shown without its password
        return self.display_name or self.title or redact_password(self.url)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRow:
    """What one line of the article list needs, and no more (cheap to fetch by the hundred)."""

    id: int
    feed_id: int
    title: str | None
    feed_name: str
    published: datetime | None
    read: bool
    starred: bool
    words: int
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredArticle:
    """A whole article as the library keeps it."""

    id: int
    feed_id: int
    feed_name: str
    article: Article
    full_body: str | None  # extracted full text for summary-only entries, when fetched
    read: bool
    starred: bool
    read_position: float  # 0..1 scroll fraction
    words: int

    @property
    def body_state(self) -> BodyState:
        return BodyState.FULL if self.full_body else self.article.body_state


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchState:
    """HTTP validators and politeness state kept per feed between refreshes."""

    etag: str | None = None
    last_modified: str | None = None
    retry_after: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchOutcome:
    """What one fetch of a feed gives the storage to write.

    ``articles`` None: nothing to store (unchanged, or failed: the cache stays as it is).
    ``error`` set: the fetch failed; the validators kept are those in ``state`` if any.
    ``content_hash``: of the body that was parsed, so an identical body need not be again.
    """

    feed_id: int
    articles: Sequence[Article] | None = None
    state: FetchState | None = None
    error: str | None = None
    title: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a cached file looked like when it was cleaned: unchanged stamp, no re-clean."""

    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceOutcome:
    """What loading one source (or one batch of a directory) did.

    ``feed_id`` is where its articles are stored (None when nothing could be stored);
    ``done`` is False for the intermediate batches of a directory; ``subscribed_before``:
    an add that found the feed subscribed already (given again, or a page whose feed it is).
    """

    spec: str
    feed_id: int | None = None
    title: str | None = None
    new: int = 0
    total: int = 0
    done: bool = True
    warnings: tuple[str, ...] = ()
    error: str | None = None
    subscribed_before: bool = False


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    existing: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedProgress:
    """One feed finished (its articles are committed when this is reported)."""

    feed_id: int
    url: str
    name: str
    done: int  # feeds finished so far, this one included
    total: int
    new: int = 0
    error: str | None = None
    not_modified: bool = False
    skipped: bool = False  # the server asked us to wait (Retry-After) and we do


ProgressCallback = Callable[[FeedProgress], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshSummary:
    feeds: int
    new_articles: int
    errors: int
    seconds: float
    skipped: int = 0
    not_modified: int = 0
    pruned: int = 0
    failures: tuple[tuple[str, str], ...] = ()  # (url or account, one-line message)
    synced: tuple[SyncReport, ...] = ()  # the accounts synced with the feeds (counted in)

    def line(self) -> str:
        """The summary line of ``reader refresh``."""
        text = (f"{self.feeds} feed{'s' if self.feeds != 1 else ''}, {self.new_articles} new "
                f"article{'s' if self.new_articles != 1 else ''}, {self.errors} "
                f"error{'s' if self.errors != 1 else ''}, {self.seconds:.1f} s")
        if self.skipped:
            text += f" ({self.skipped} skipped: the server asked to wait)"
        for report in self.synced:
            if report.error is None:
                text += f"; {report.account}: {report.sent} sent, {report.received} received"
        return text


@dataclass(frozen=True, slots=True)
class FolderFile:
    """One file of a folder, loaded.

    ``stamp`` None: loaded before the folder's chrome was known (the first files of a new
    folder, shown early); the full pass loads it again.
    """

    path: Path  # the real path, for reading
    source: str  # the path as storable text (see :func:`path_text`)
    stamp: FileStamp | None
    result: LoadResult


class PrimedFolders(Protocol):
    """First files of new folders loaded ahead by another process (``reader.priming``)."""

    def take(self, folder: str) -> Sequence[FolderFile] | None:
        """The loaded first files of ``folder`` (absolute path), once; None if there are none."""
        ...

    def close(self) -> None: ...
