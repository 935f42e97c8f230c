"""The storage contract: what the library needs from a database, and the row types it returns.

SQLite implements it (``reader.storage.sqlite``); nothing above this layer writes SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reader.core.models import (
    Article,
    ArticleQuery,
    ArticleRow,
    FeedInfo,
    FeedKind,
    FetchOutcome,
    FetchState,
    FileStamp,
    StoredArticle,
    Subscription,
)

if TYPE_CHECKING:  # (the sync types are imported when syncing, not at every start)
    from reader.core.sync import (
        Account,
        FlagUpdate,
        JournalEntry,
        RemoteFeed,
        SecretKind,
        SyncedArticle,
    )


class Storage(Protocol):
    """Everything the layers above ask of the library's database. Implementations are
    thread-safe per call; every write is one transaction."""

    path: Path  # the database file
    created: bool  # this open made a new, empty library

    def reconnect(self) -> Storage:
        """The same library for a forked worker process: its own connections, no checks."""
        ...
    def close(self) -> None: ...

    # feeds
    def upsert_feed(
        self, url: str, *, title: str | None = None, subscribed: bool | None = None,
        folder: str | None = None, display_name: str | None = None,
        kind: FeedKind | None = None,
    ) -> int:
        """Create the feed or update the given fields (None leaves a field as it is)."""
        ...
    def subscribe_feeds(self, feeds: Sequence[Subscription]) -> int:
        """Subscribe to each feed not subscribed yet (a new URL is added, a known one gets
        the given fields), all in one transaction; how many that was (the others, and a URL
        given twice, were subscribed already)."""
        ...
    def set_folder(self, feed_id: int, folder: str | None) -> None: ...
    def remove_feed(self, feed_id: int) -> None: ...
    def unsubscribe(self, feed_id: int) -> None:
        """Stop refreshing the feed; its articles (and their read state) stay."""
        ...
    def feeds(self, *, subscribed_only: bool = False, counts: bool = True) -> list[FeedInfo]: ...
    def feed_by_url(self, url: str) -> FeedInfo | None: ...
    def feed_urls_like(self, prefix: str) -> list[str]:
        """The feed URLs that start with ``prefix``, ASCII letters in either case."""
        ...
    def feed(self, feed_id: int) -> FeedInfo | None: ...
    def set_feed_option(self, feed_id: int, *, always_full_text: bool) -> None: ...

    # fetching
    def fetch_state(self, feed_id: int) -> FetchState: ...
    def fetch_states(self) -> dict[int, FetchState]: ...
    def content_hashes(self) -> dict[int, str]:
        """The hash of each feed's last parsed body (see FetchOutcome.content_hash)."""
        ...
    def record_fetch(
        self, feed_id: int, *, state: FetchState | None, error: str | None, when: datetime,
    ) -> None: ...

    # articles: writing
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
    def set_read(self, ids: Sequence[int], read: bool) -> None:
        """Set the flag; for synced articles the change is journaled in the same write."""
        ...
    def set_starred(self, ids: Sequence[int], starred: bool) -> None: ...
    def set_full_body(self, article_id: int, body: str | None) -> None: ...
    def set_read_position(self, article_id: int, position: float) -> None: ...
    def delete_articles(self, feed_id: int, keys: Sequence[str]) -> None:
        """Remove placeholders the library itself wrote (never called on refreshed entries)."""
        ...
    def prune(self, *, older_than: datetime) -> int:
        """Drop unstarred read articles older than ``older_than``; how many went."""
        ...

    # articles: reading
    def article_ids(self, query: ArticleQuery, *,
                    cancelled: Callable[[], bool] | None = None) -> Sequence[int]: ...
    def rows(self, ids: Sequence[int]) -> list[ArticleRow]: ...
    def get(self, article_id: int) -> StoredArticle | None: ...
    def read_states(self, ids: Sequence[int]) -> dict[int, bool]: ...
    def starred_states(self, ids: Sequence[int]) -> dict[int, bool]: ...
    def unread_ids(self, feed_id: int | None, *, subscribed_only: bool = False) -> list[int]: ...
    def article_count(self) -> int: ...

    # files of folder sources
    def file_stamps(self, feed_id: int) -> dict[str, FileStamp]: ...
    def record_files(
        self, feed_id: int, stamps: Sequence[tuple[str, FileStamp]], *, forget: Sequence[str] = (),
    ) -> None: ...
    def store_files(
        self, feed_id: int, items: Sequence[tuple[str, FileStamp | None, Sequence[Article]]],
        *, drop_keys: Sequence[str] = (),
    ) -> int:
        """Articles of loaded files with their stamps (None: not stamped) in one
        transaction; how many articles were new."""
        ...

    def forget_file_stamps(self, source: str, *, cleaner: str) -> int:
        """Unless the files of the local source keyed ``source`` (a folder's or a file's
        path, known or not yet) were cleaned by ``cleaner`` (an opaque fingerprint of the
        cleaning code, kept in the library for each source), make their stamps stale, so
        that each file is cleaned again when next loaded, and keep ``cleaner``: one
        transaction. The stamps stay listed (a folder is still one opened before). How many
        were forgotten."""
        ...

    # accounts on feed servers (reader.sync; see reader.core.sync)
    def save_account(self, *, name: str, kind: str, url: str, user: str,
                     secret_kind: SecretKind, secret: str) -> Account:
        """Create the account, or replace the credentials of the one of that name."""
        ...
    def accounts(self) -> list[Account]: ...
    def remove_account(self, account_id: int) -> int:
        """Forget the account; the feeds only it synced are unsubscribed (how many)."""
        ...
    def set_sync_cursor(self, account_id: int, cursor: str) -> None: ...
    def record_sync(self, account_id: int, *, when: datetime,
                    error: str | None = None) -> None: ...
    def store_account_feeds(self, account_id: int, feeds: Sequence[RemoteFeed], *,
                            complete: bool = True) -> dict[str, int]:
        """Bind the server's subscriptions to feeds (server feed id -> feed id)."""
        ...
    def account_feeds(self, account_id: int) -> dict[str, int]: ...
    def feed_bindings(self, feed_id: int) -> list[tuple[int, str]]: ...
    def unbind_feed(self, account_id: int, remote_id: str) -> None: ...
    def store_synced(self, account_id: int,
                     items: Sequence[tuple[int, Article, str, bool, bool]]) -> int:
        """Articles from the server, (feed id, article, server id, read, starred) each; new."""
        ...
    def synced_ids(self, account_id: int) -> set[str]: ...
    def synced_articles(self, account_id: int) -> list[SyncedArticle]: ...
    def journal(self, account_id: int) -> list[JournalEntry]:
        """Flag changes made here and not yet sent (set_read/set_starred write them)."""
        ...
    def settle_flags(self, account_id: int, updates: Sequence[FlagUpdate], *,
                     sent_upto: int) -> None: ...

    # housekeeping
    def meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def vacuum(self) -> None: ...
    def quick_check(self) -> str:
        """SQLite's ``PRAGMA quick_check``: "ok" for a sound database."""
        ...
