"""One sync of one account: the server's subscriptions, articles and flags into the library,
and the flags changed here out to the server. Any API: it talks to a ``SyncClient``.

In this order:

1. **Subscriptions** (``feeds()``): each server feed is a subscribed feed of the library,
   bound to the account by the server's id, with the server's title and category (as its
   folder). A feed the server no longer lists is unsubscribed here (its articles stay).
2. **Articles** since the account's cursor (``articles()``, paged): stored page by page,
   keyed by the server's id, with the server's flags when new. The cursor is stored once
   every page is, so a sync cut short fetches the same pages again, never fewer.
3. **Flags**. How a conflict is detected: for every synced article the library keeps the
   flags the server had at the last sync (the *base*), and every flag changed here since
   is in the *journal*, with its time (``Storage.set_read``/``set_starred`` write both in
   one transaction, so no change escapes it). The server's flags now (``state()``) against
   the base tell what changed there; the journal, what changed here:

   - changed on the server only: the article takes the server's flag;
   - changed here only: the change is sent (``mark()``);
   - changed on both sides to different values: a conflict, resolved to the newest
     change. Both are known to be newer than the last sync; the journal dates the change
     made here, but neither API says when a flag changed on the server (tt-rss records it
     and does not expose it; the Google Reader API has no such field), only what it is now.
     So the change made here is taken as the newer and sent: it is then the last write
     the server has, which is what any other device will see. (The report counts these.)

   A server that counts unread and starred articles per feed, as tt-rss does, is asked
   for the ids of the feeds whose counts differ from the base's only, and for all of them
   at least every FULL_STATE_EVERY; a first sync, which listed every article with its
   flags, counts as such a listing.

4. **Settle**: in one transaction the journal entries sent (up to the snapshot's seq) go,
   the server's flags become the new base, and each article takes them unless it was
   changed here while the sync ran (that change waits for the next sync).

A failure at any step is one SyncError line; what earlier steps stored stays, the journal
stays whole, and the next sync picks up where this one stopped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from reader.core import sanitize
from reader.core.errors import ReaderError, one_line
from reader.core.models import Article, SourceKind
from reader.core.sync import (
    Account,
    Flag,
    FlagUpdate,
    RemoteArticle,
    RemoteFeed,
    SyncClient,
    SyncedArticle,
    SyncProgress,
    SyncReport,
)
from reader.storage.base import Storage

SyncProgressCallback = Callable[[SyncProgress], None]


# A server that can count per feed is asked only for the feeds whose counts changed; a
# swap of flags within one feed between two syncs (one read there, another marked unread)
# leaves its counts as they were, so the whole account is listed at least this often.
FULL_STATE_EVERY = timedelta(hours=12)


def _counts(synced: Sequence[SyncedArticle]) -> dict[str, tuple[int, int]]:
    """Unread and starred articles per feed, as the server had them at the last sync."""
    counts: dict[str, tuple[int, int]] = {}
    for article in synced:
        if article.feed is not None:
            unread, starred = counts.get(article.feed, (0, 0))
            counts[article.feed] = (unread + (not article.server_read),
                                    starred + article.server_starred)
    return counts


def _older(stamp: str, than: datetime) -> bool:
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return True
    return when.tzinfo is None or when < than


def article_key(account_id: int, remote_id: str) -> str:
    """A synced article's key in its feed: the account and the server's id."""
    return f"sync:{account_id}:{remote_id}"


def to_article(remote: RemoteArticle, *, key: str, feed: RemoteFeed) -> Article:
    """The server's article as the library's: its HTML cleaned as a feed entry's is."""
    from reader.ingest.feeds import fragment_to_markdown
    from reader.sources.feeds import body_state, to_markdown

    body = (to_markdown(remote.content, kind="html", base=remote.url or feed.url,
                        convert=fragment_to_markdown) if remote.content.strip() else "")
    return Article(
        source=feed.url,
        key=key,
        title=remote.title,
        author=remote.author,
        url=remote.url,
        published=remote.published or remote.updated,
        body=body,
        feed_title=feed.title,
        body_state=body_state(body, from_content=True),
        kind=SourceKind.FEED,
    )


@dataclass(slots=True)
class _Counts:
    feeds: int = 0
    articles: int = 0
    new: int = 0
    sent: int = 0
    received: int = 0
    conflicts: int = 0


class _Sync:
    def __init__(self, storage: Storage, account: Account, client: SyncClient,
                 progress: SyncProgressCallback | None) -> None:
        self.storage = storage
        self.account = account
        self.client = client
        self.progress = progress
        self.counts = _Counts()
        self.feeds: dict[str, tuple[int, RemoteFeed]] = {}  # server feed id -> (feed id, feed)
        # when every article was listed with its flags (a first sync): as good as a full
        # listing of the flags, which need not be made again at once
        self.listed_all: datetime | None = None

    def tell(self, stage: str) -> None:
        if self.progress is None:
            return
        try:
            self.progress(SyncProgress(account=self.account.name, stage=stage,
                                       articles=self.counts.articles, new=self.counts.new))
        except Exception:  # noqa: BLE001 - a listener's bug must not stop the sync
            pass

    async def subscriptions(self) -> None:
        self.tell("subscriptions")
        # each address spelled as a subscription is kept, so that a feed 'reader add'
        # kept ('http://example.org/feed') is the one the server lists ('HTTP://…#top')
        listed = [replace(feed, url=sanitize.feed_address(feed.url) or feed.url)
                  for feed in await self.client.feeds()]
        bound = await asyncio.to_thread(self.storage.store_account_feeds, self.account.id, listed)
        self.feeds = {feed.id: (bound[feed.id], feed) for feed in listed if feed.id in bound}
        self.counts.feeds = len(self.feeds)

    async def articles(self) -> None:
        self.tell("articles")
        if self.account.cursor is None:
            self.listed_all = datetime.now(UTC)
        known = await asyncio.to_thread(self.storage.synced_ids, self.account.id)
        cursor: str | None = None
        async for page in self.client.articles(self.account.cursor, known=known):
            if page.articles:
                new = await asyncio.to_thread(self._store, page.articles)
                self.counts.new += new
                self.counts.articles += len(page.articles)
                self.tell("articles")
            if page.cursor is not None:
                cursor = page.cursor
        if cursor is not None and cursor != self.account.cursor:
            await asyncio.to_thread(self.storage.set_sync_cursor, self.account.id, cursor)

    def _store(self, page: Sequence[RemoteArticle]) -> int:
        items = []
        for remote in page:
            found = self.feeds.get(remote.feed_id)
            if found is None:
                continue  # a feed no longer subscribed (tt-rss keeps archived articles)
            feed_id, feed = found
            article = to_article(remote, key=article_key(self.account.id, remote.id), feed=feed)
            items.append((feed_id, article, remote.id, remote.read, remote.starred))
        return self.storage.store_synced(self.account.id, items)

    async def flags(self) -> None:
        self.tell("read and starred")
        synced = await asyncio.to_thread(self.storage.synced_articles, self.account.id)
        base = {article.remote_id: article for article in synced}
        full_key = f"sync:{self.account.id}:full-state"
        last_full = await asyncio.to_thread(self.storage.meta, full_key)
        started = self.listed_all or datetime.now(UTC)
        full = self.listed_all is None and (
            last_full is None or _older(last_full, started - FULL_STATE_EVERY))
        state = await self.client.state(counts=None if full else _counts(synced))
        journal = await asyncio.to_thread(self.storage.journal, self.account.id)

        def on_server(remote_id: str, flag: Flag) -> bool:
            known = base.get(remote_id)
            if state.feeds is not None and known is not None and known.feed not in state.feeds:
                # a feed whose counts did not change there: as the last sync left it
                return known.server_read if flag is Flag.READ else known.server_starred
            if flag is Flag.READ:
                return remote_id not in state.unread  # gone from the server counts as read
            return remote_id in state.starred

        to_send: dict[tuple[Flag, bool], list[str]] = {}
        sent: dict[tuple[str, Flag], bool] = {}
        for entry in journal:
            now = on_server(entry.remote_id, entry.flag)
            if now == entry.value:
                continue  # the server already agrees (the same change made there too)
            known = base.get(entry.remote_id)
            if known is not None:
                was = known.server_read if entry.flag is Flag.READ else known.server_starred
                if was != now:
                    self.counts.conflicts += 1  # changed there too: the change here wins
            to_send.setdefault((entry.flag, entry.value), []).append(entry.remote_id)
            sent[(entry.remote_id, entry.flag)] = entry.value
        if to_send:
            self.tell("sending changes")
        for (flag, value), ids in to_send.items():
            await self.client.mark(ids, flag, value)
            self.counts.sent += len(ids)

        updates = []
        for article in synced:
            read = sent.get((article.remote_id, Flag.READ),
                            on_server(article.remote_id, Flag.READ))
            starred = sent.get((article.remote_id, Flag.STARRED),
                               on_server(article.remote_id, Flag.STARRED))
            settled = (read, starred)
            if settled == (article.server_read, article.server_starred) == (article.read,
                                                                           article.starred):
                continue
            self.counts.received += (read != article.read) + (starred != article.starred)
            updates.append(FlagUpdate(article.article_id, article.remote_id, read, starred))
        upto = max((entry.seq for entry in journal), default=0)
        await asyncio.to_thread(self.storage.settle_flags, self.account.id, updates,
                                sent_upto=upto)
        if state.feeds is None or self.listed_all is not None:
            await asyncio.to_thread(self.storage.set_meta, full_key, started.isoformat())

    def report(self, started: float, requests: int, error: str | None = None) -> SyncReport:
        counts = self.counts
        return SyncReport(account=self.account.name, feeds=counts.feeds,
                          new_articles=counts.new, sent=counts.sent, received=counts.received,
                          conflicts=counts.conflicts, seconds=time.perf_counter() - started,
                          requests=requests, error=error)


async def sync_account(
    storage: Storage,
    account: Account,
    client: SyncClient,
    *,
    progress: SyncProgressCallback | None = None,
    flags: bool = True,
    requests: Callable[[], int] = lambda: 0,
) -> SyncReport:
    """Sync ``account`` through ``client`` (see the module's docstring). ``flags`` False:
    subscriptions and new articles only (after ``reader add``). Never raises a ReaderError:
    a failure is the report's ``error`` (and the account's ``last_error``)."""
    started = time.perf_counter()
    job = _Sync(storage, account, client, progress)
    try:
        await job.subscriptions()
        await job.articles()
        if flags:
            await job.flags()
            await asyncio.to_thread(storage.record_sync, account.id, when=datetime.now(UTC))
    except ReaderError as error:
        message = one_line(error)
        try:
            await asyncio.to_thread(storage.record_sync, account.id, when=datetime.now(UTC),
                                    error=message)
        except ReaderError:
            pass  # the library itself failed: the report says what stopped the sync
        job.tell("done")
        return job.report(started, requests(), message)
    job.tell("done")
    return job.report(started, requests())
