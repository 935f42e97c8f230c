"""A server whose answers are well-formed but hostile to the library's model of them (two
subscriptions of one address, ids that repeat): one sync after another keeps every article
synced and every change made here waiting to be sent.

The client here is an in-memory SyncClient: what is under test is the engine and the
storage, not the HTTP (tests/library/test_sync_failures.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Container, Mapping, Sequence

from reader.core.sync import (
    ArticlePage,
    Flag,
    RemoteArticle,
    RemoteFeed,
    RemoteState,
    SecretKind,
)
from reader.storage.sqlite import SqliteStorage
from reader.sync.engine import sync_account


class Server:
    """What a SyncClient answers, as plain data a test edits between syncs."""

    def __init__(self, feeds: Sequence[RemoteFeed], articles: Sequence[RemoteArticle]) -> None:
        self.listed = list(feeds)
        self.items = list(articles)
        self.unread = {article.id for article in articles}
        self.starred: set[str] = set()
        self.marked: list[tuple[list[str], Flag, bool]] = []

    async def feeds(self) -> list[RemoteFeed]:
        return list(self.listed)

    async def articles(self, cursor: str | None = None, *,
                       known: Container[str] = frozenset()) -> AsyncIterator[ArticlePage]:
        yield ArticlePage(tuple(a for a in self.items if a.id not in known), cursor="1")

    async def state(self, *, counts: Mapping[str, tuple[int, int]] | None = None) -> RemoteState:
        return RemoteState(unread=frozenset(self.unread), starred=frozenset(self.starred))

    async def mark(self, ids: Collection[str], flag: Flag, value: bool) -> None:
        self.marked.append((sorted(ids), flag, value))
        if flag is Flag.READ:
            self.unread = self.unread - set(ids) if value else self.unread | set(ids)


def feed(remote_id: str, url: str) -> RemoteFeed:
    return RemoteFeed(id=remote_id, url=url, title=f"Feed {remote_id}")


def item(remote_id: str, feed_id: str) -> RemoteArticle:
    return RemoteArticle(id=remote_id, feed_id=feed_id, title=f"Article {remote_id}",
                         url=f"http://example.org/{remote_id}", author=None, published=None,
                         updated=None, content="<p>Body.</p>", read=False, starred=False)


async def sync(storage: SqliteStorage, server: Server) -> None:
    [account] = storage.accounts()
    report = await sync_account(storage, account, server)  # type: ignore[arg-type]
    assert report.error is None, report.error


async def test_a_second_subscription_of_one_address_dropped_keeps_the_first_synced(
        storage: SqliteStorage) -> None:
    # Two server feeds of one address are one feed here. When the server dropped one,
    # every article of that feed was unbound from the account, the other's too: a read
    # change made here was thrown away unsent, and the article never synced again.
    storage.save_account(name="s", kind="greader", url="http://127.0.0.1/", user="u",
                         secret_kind=SecretKind.FILE, secret="/dev/null")
    server = Server([feed("1", "http://feeds.example/a.xml"),
                     feed("2", "http://feeds.example/a.xml")], [item("10", "1")])
    await sync(storage, server)
    [account] = storage.accounts()
    [synced] = storage.synced_articles(account.id)
    server.listed = server.listed[:1]
    await sync(storage, server)
    storage.set_read([synced.article_id], True)
    await sync(storage, server)
    assert server.marked == [(["10"], Flag.READ, True)]
    assert [a.remote_id for a in storage.synced_articles(account.id)] == ["10"]
    assert [f.subscribed for f in storage.feeds()] == [True]


async def test_a_server_feed_spelled_otherwise_is_the_feed_the_library_has(
        storage: SqliteStorage) -> None:
    # 'HTTP://Feeds.Example/a.xml#top' is the feed 'reader add' keeps as
    # 'http://feeds.example/a.xml': the sync listed it twice, and 'reader remove' of
    # the address as the server spells it found no such feed
    storage.upsert_feed("http://feeds.example/a.xml", subscribed=True)
    storage.save_account(name="s", kind="greader", url="http://127.0.0.1/", user="u",
                         secret_kind=SecretKind.FILE, secret="/dev/null")
    server = Server([feed("1", "HTTP://Feeds.Example/a.xml#top")], [item("10", "1")])
    await sync(storage, server)
    assert [f.url for f in storage.feeds()] == ["http://feeds.example/a.xml"]


async def test_one_id_listed_in_two_feeds_is_one_article(storage: SqliteStorage) -> None:
    # the same server id under two feeds in one listing was stored twice, the second copy
    # synced with nothing: read there, it never reached the server
    storage.save_account(name="s", kind="greader", url="http://127.0.0.1/", user="u",
                         secret_kind=SecretKind.FILE, secret="/dev/null")
    server = Server([feed("1", "http://feeds.example/a.xml"),
                     feed("2", "http://feeds.example/b.xml")], [item("10", "1"), item("10", "2")])
    await sync(storage, server)
    [account] = storage.accounts()
    assert storage.article_count() == 1
    [synced] = storage.synced_articles(account.id)
    storage.set_read([synced.article_id], True)
    await sync(storage, server)
    assert server.marked == [(["10"], Flag.READ, True)]
