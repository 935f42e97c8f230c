"""Both clients against the real servers: tt-rss (in CI) and FreshRSS (where it runs).

Each test runs once per server and skips, saying how to start it, where there is none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from support.sync_servers import SERVERS, FeedServer, Server, real_server

from reader.core.errors import SyncAuthError, SyncError
from reader.core.sync import Flag, RemoteArticle, RemoteFeed, SyncClient


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> Server:
    return real_server(request.param)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as farm:
        yield farm


@pytest.fixture
async def account(server: Server, feeds: FeedServer) -> AsyncIterator[SyncClient]:
    """A logged-in client; every feed of this test's loopback port is unsubscribed after."""
    client = server.client()
    async with client:
        yield client
        for feed in await client.feeds():
            if feed.url.startswith(feeds.base):
                await client.unsubscribe(feed.id)


async def everything(client: SyncClient, cursor: str | None = None,
                     known: frozenset[str] = frozenset()) -> tuple[list[RemoteArticle], str]:
    articles: list[RemoteArticle] = []
    final: str | None = None
    async for page in client.articles(cursor, known=known):
        articles.extend(page.articles)
        final = page.cursor if page.cursor is not None else final
    assert final is not None, "the last page carries the cursor"
    return articles, final


def of(feed: RemoteFeed, articles: list[RemoteArticle]) -> list[RemoteArticle]:
    return [article for article in articles if article.feed_id == feed.id]


async def subscribed(server: Server, client: SyncClient, farm: FeedServer, url: str) -> RemoteFeed:
    feed = await client.subscribe(url)
    await server.refresh(client, feed, farm)
    return feed


async def test_wrong_password_is_one_line(server: Server) -> None:
    async with server.client(password="not-the-password") as client:
        with pytest.raises(SyncAuthError) as caught:
            await client.feeds()
    message = str(caught.value)
    assert message == f"{client.label}: password refused for {server.user}"
    assert "not-the-password" not in message


async def test_subscriptions_come_down_with_titles_and_categories(
    server: Server, account: SyncClient, feeds: FeedServer
) -> None:
    news = feeds.add("news.xml", "Harbour News", 2)
    plain = feeds.add("plain.xml", "Plain & Simple", 1)
    first = await account.subscribe(news, category="News")
    second = await account.subscribe(plain)
    listed = {feed.url: feed for feed in await account.feeds()}
    assert listed[news].id == first.id and listed[plain].id == second.id
    assert listed[news].category == "News"
    assert listed[plain].category in (None, "Uncategorized")  # FreshRSS: its default folder
    assert listed[news].title == "Harbour News"
    # FreshRSS's compat output writes & as a fullwidth ＆; tt-rss keeps it.
    assert listed[plain].title.replace("\uff06", "&") == "Plain & Simple"
    # Subscribing again is fine and gives the same feed.
    assert (await account.subscribe(news)).id == first.id


async def test_every_article_comes_down_then_only_new_ones(
    server: Server, account: SyncClient, feeds: FeedServer
) -> None:
    url = feeds.add("a.xml", "Alpha", 3)
    feeds.entry("a.xml", title="With markup", html="<p>Some <em>emphasis</em> &amp; a "
                "<a href=\"https://example.org/x\">link</a>.</p>")
    feed = await subscribed(server, account, feeds, url)
    articles, cursor = await everything(account)
    mine = of(feed, articles)
    expected = sorted(entry.title for entry in feeds.feeds["a.xml"].entries)
    assert sorted(a.title or "" for a in mine) == expected
    marked = next(a for a in mine if a.title == "With markup")
    assert "<em>emphasis</em>" in marked.content and "https://example.org/x" in marked.content
    assert marked.url == f"{feeds.base}/a/{feeds.tag}-a.xml-4"
    assert marked.published is not None and marked.published.tzinfo is not None
    assert all(not a.read and not a.starred for a in mine)
    assert len({a.id for a in articles}) == len(articles)

    # Nothing new: nothing of this feed again (given what we have).
    have = frozenset(a.id for a in articles)
    again, cursor = await everything(account, cursor, known=have)
    assert of(feed, again) == []

    fresh = [feeds.entry("a.xml"), feeds.entry("a.xml")]
    await server.refresh(account, feed, feeds)
    news, _ = await everything(account, cursor, known=have)
    assert sorted(a.title or "" for a in of(feed, news)) == sorted(e.title for e in fresh)


async def test_read_and_starred_go_both_ways(
    server: Server, account: SyncClient, feeds: FeedServer
) -> None:
    feed = await subscribed(server, account, feeds, feeds.add("s.xml", "Sigma", 4))
    articles, _ = await everything(account)
    one, two, three, _four = sorted((a.id for a in of(feed, articles)), key=int)
    before = await account.unread_count()

    await account.mark([one, two], Flag.READ, True)
    await account.mark([three], Flag.STARRED, True)
    state = await account.state()
    assert one not in state.unread and two not in state.unread and three in state.unread
    assert three in state.starred and one not in state.starred
    assert await account.unread_count() == before - 2

    # Another device (another session) sees the changes, and makes its own.
    async with server.client() as phone:
        seen = {a.id: a for a in of(feed, (await everything(phone))[0])}
        assert seen[one].read and seen[two].read and not seen[three].read
        assert seen[three].starred and not seen[one].starred
        await phone.mark([two], Flag.READ, False)
        await phone.mark([three], Flag.STARRED, False)
    state = await account.state()
    assert two in state.unread and three not in state.starred

    # Unknown ids and empty lists are no error.
    await account.mark([], Flag.READ, True)
    await account.mark(["999999999"], Flag.STARRED, False)


async def test_unsubscribe_removes_the_feed_and_twice_is_fine(
    server: Server, account: SyncClient, feeds: FeedServer
) -> None:
    feed = await account.subscribe(feeds.add("u.xml", "Upsilon", 1))
    await account.unsubscribe(feed.id)
    assert feed.id not in {f.id for f in await account.feeds()}
    await account.unsubscribe(feed.id)


async def test_subscribing_to_nothing_is_one_line(
    server: Server, account: SyncClient, feeds: FeedServer
) -> None:
    missing = f"{feeds.base}/missing.xml"
    with pytest.raises(SyncError) as caught:
        await account.subscribe(missing)
    message = str(caught.value)
    assert message.startswith(f"{account.label}: cannot subscribe to {missing}")
    assert "\n" not in message


async def test_a_new_session_after_logout_still_works(server: Server) -> None:
    client = server.client()
    async with client:
        assert isinstance(await client.feeds(), list)
    async with server.client() as again:
        await again.login()
        await again.login()  # logging in twice is fine
        assert isinstance(await again.unread_count(), int)
