"""The storage contract: what the library needs from a database, and the row types it returns.

SQLite implements it (``reader.storage.sqlite``); nothing above this layer writes SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from reader.core.models import Article, BodyState


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
    limit: int | None = None


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

    @property
    def name(self) -> str:
        return self.display_name or self.title or self.url


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


class Storage(Protocol):
    """Everything the library asks of its database. Implementations are thread-safe per call."""

    def reconnect(self) -> Storage:
        """The same library for a forked worker process: its own connections, no checks."""
        ...

    # feeds
    def upsert_feed(
        self, url: str, *, title: str | None = None, subscribed: bool | None = None,
        folder: str | None = None, display_name: str | None = None,
        kind: FeedKind | None = None,
    ) -> int:
        """Create the feed or update the given fields (None leaves a field as it is)."""
        ...
    def remove_feed(self, feed_id: int) -> None: ...
    def feeds(self, *, subscribed_only: bool = False, counts: bool = True) -> list[FeedInfo]: ...
    def feed_by_url(self, url: str) -> FeedInfo | None: ...
    def feed(self, feed_id: int) -> FeedInfo | None: ...
    def fetch_state(self, feed_id: int) -> FetchState: ...
    def record_fetch(
        self, feed_id: int, *, state: FetchState | None, error: str | None, when: datetime,
    ) -> None: ...
    def set_feed_option(self, feed_id: int, *, always_full_text: bool) -> None: ...

    # articles
    def upsert_articles(
        self, feed_id: int, articles: Iterable[Article], *, key_prefix: str = "",
    ) -> int:
        """Insert or update in place by (feed, key_prefix + key); returns how many were new.

        Never deletes; read, starred, position and full text survive the update.
        """
        ...
    def upsert_many(self, batches: Sequence[tuple[int, Sequence[Article]]]) -> dict[int, int]:
        """Several feeds' articles in one transaction; new-article count per feed id."""
        ...
    def store_refresh(self, results: Sequence[FetchOutcome], *, when: datetime,
                      ) -> dict[int, int]:
        """A batch of fetch outcomes (articles and fetch state) in one transaction; the
        new-article count per feed id."""
        ...
    def article_ids(self, query: ArticleQuery, *,
                    cancelled: Callable[[], bool] | None = None) -> Sequence[int]: ...
    def rows(self, ids: Sequence[int]) -> list[ArticleRow]: ...
    def read_states(self, ids: Sequence[int]) -> dict[int, bool]: ...
    def get(self, article_id: int) -> StoredArticle | None: ...
    def set_read(self, ids: Sequence[int], read: bool) -> None: ...
    def set_starred(self, ids: Sequence[int], starred: bool) -> None: ...
    def set_full_body(self, article_id: int, body: str | None) -> None: ...
    def set_read_position(self, article_id: int, position: float) -> None: ...
    def unread_ids(self, feed_id: int | None) -> list[int]: ...
    def prune(self, *, older_than: datetime) -> int: ...
    def file_stamps(self, feed_id: int) -> dict[str, FileStamp]: ...
    def record_files(
        self, feed_id: int, stamps: Sequence[tuple[str, FileStamp]], *, forget: Sequence[str] = (),
    ) -> None: ...
    def delete_articles(self, feed_id: int, keys: Sequence[str]) -> None:
        """Remove placeholders the library itself wrote (never called on refreshed entries)."""
        ...
    def close(self) -> None: ...
