"""Bring every subscription up to date, concurrently, without ever losing what is cached.

Fetching is asyncio + httpx (``reader.sources.http``: per-host limit, deadline, size cap,
conditional GET). Parsing is what costs (feedparser, ~0.2 ms per entry), so it runs in a
small process pool while the other feeds are still downloading, and the pool is only
started once a feed actually changed: an unchanged refresh is a round of 304s.
Results are written in batches, a few transactions per refresh, each committed before the
progress callback reports those feeds, so a listener can show them at once.

This module is on the ``reader refresh`` start-up path: it imports nothing heavy at module
level (no feedparser, no cleaning, no Textual).
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from reader.errors import FetchError, ReaderError, StorageError
from reader.models import Article, SourceKind
from reader.storage.base import FeedInfo, FeedKind, FetchOutcome, FetchState

if TYPE_CHECKING:
    import httpx

    from reader.library import Library
    from reader.sources.http import HttpLimits

PARSE_PROCESSES = 2
FLUSH_SECONDS = 0.1  # how long finished feeds may wait to be written together
VACUUM_EVERY = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
# a feed of 100,000 entries is a mistake or an attack; its newest entries are what matters
MAX_ENTRIES = 5000
VACUUM_AFTER_PRUNED = 2000


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
    failures: tuple[tuple[str, str], ...] = ()  # (url, one-line message)

    def line(self) -> str:
        """The summary line of ``reader refresh``."""
        text = (f"{self.feeds} feed{'s' if self.feeds != 1 else ''}, {self.new_articles} new "
                f"article{'s' if self.new_articles != 1 else ''}, {self.errors} "
                f"error{'s' if self.errors != 1 else ''}, {self.seconds:.1f} s")
        if self.skipped:
            text += f" ({self.skipped} skipped: the server asked to wait)"
        return text


@dataclass(slots=True)
class _Result:
    feed: FeedInfo
    articles: tuple[Article, ...] | None = None
    state: FetchState | None = None
    error: str | None = None
    title: str | None = None
    not_modified: bool = False
    skipped: bool = False
    new: int = 0
    content_hash: str | None = None


@dataclass(slots=True)
class _Parsed:
    """What a worker process sends back (plain data: it crosses a pipe)."""

    title: str | None
    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    error: str | None


def parse_document(data: bytes, source: str, url: str, headers: Mapping[str, str]) -> _Parsed:
    """Parse a fetched feed (runs in a worker process; never raises)."""
    try:
        from reader.sources.sniff import sniff

        kind = sniff(data, content_type=headers.get("content-type"))
        if kind is SourceKind.JSON_FEED:
            from reader.sources.jsonfeed import parse_json_feed

            feed = parse_json_feed(data, url=url, source=source)
        elif kind is SourceKind.FEED:
            from reader.sources.feeds import parse_feed

            feed = parse_feed(data, url=url, headers=headers, source=source)
        elif kind is SourceKind.EMPTY:
            return _Parsed(None, (), (), "empty answer (the cached articles are kept)")
        else:
            return _Parsed(None, (), (), f"not a feed (looks like {kind.value})")
        articles, warnings = newest(feed.articles), feed.warnings
        if len(articles) < len(feed.articles):
            warnings = (*warnings, f"only the newest {len(articles)} of "
                        f"{len(feed.articles)} entries kept")
        return _Parsed(feed.title, articles, warnings, None)
    except ReaderError as error:
        return _Parsed(None, (), (), _one_line(error))
    except Exception as error:  # noqa: BLE001 - a parser surprise is this feed's error only
        return _Parsed(None, (), (), f"could not be parsed ({type(error).__name__})")


def newest(articles: tuple[Article, ...], limit: int = MAX_ENTRIES) -> tuple[Article, ...]:
    """At most ``limit`` entries of one feed, the newest (undated ones count as new)."""
    if len(articles) <= limit:
        return articles
    def when(article: Article) -> datetime:
        published = article.published
        if published is None:
            return datetime.max.replace(tzinfo=UTC)
        return published if published.tzinfo is not None else published.replace(tzinfo=UTC)

    ranked = sorted(range(len(articles)), key=lambda i: (when(articles[i]), -i), reverse=True)
    keep = set(ranked[:limit])
    return tuple(a for i, a in enumerate(articles) if i in keep)


WORKER_MEMORY = 1536 * 2**20  # address space a parse may add to what the fork inherited


def _limit_memory() -> None:
    """Cap a parse worker's address space: an entity bomb that slips past the XML checks
    ends in a MemoryError for that feed, not in the machine swapping."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            size = next((int(line.split()[1]) * 1024 for line in status
                         if line.startswith("VmSize:")), 0)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + WORKER_MEMORY
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, ImportError):
        pass  # not Linux: no cap, the size limits of the fetch still apply


def _warm_up() -> None:
    """Import the parsers in a fresh worker while the first feeds are still on the wire."""
    import reader.sources.feeds  # noqa: F401
    import reader.sources.sniff  # noqa: F401


def _never_fetched(state: FetchState | None) -> bool:
    return state is None or (state.etag is None and state.last_modified is None)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:400] or type(error).__name__


class _Refresh:
    def __init__(self, library: Library, feeds: list[FeedInfo], states: dict[int, FetchState],
                 hashes: dict[int, str], progress: ProgressCallback | None,
                 limits: HttpLimits) -> None:
        self.hashes = hashes
        self.library = library
        self.storage = library.storage
        self.feeds = feeds
        self.states = states
        self.progress = progress
        self.limits = limits
        self.when = datetime.now(UTC)
        self.done = 0
        self.results: list[_Result] = []
        self.pending: list[_Result] = []
        self.wakeup = asyncio.Event()
        self.finished = False
        self.pool: Executor | None = None
        self.pool_lock = threading.Lock()

    # -- the pool starts with the first changed feed, not before

    def _executor(self) -> Executor:
        with self.pool_lock:
            if self.pool is None:
                self.pool = ProcessPoolExecutor(PARSE_PROCESSES, mp_context=_context(),
                                                initializer=_limit_memory)
            return self.pool

    async def run(self) -> None:
        from reader.sources.http import make_client

        flusher = asyncio.create_task(self._flusher())
        if any(_never_fetched(self.states.get(f.id)) for f in self.feeds if _is_url(f.url)):
            # a feed without validators will answer 200: start the parsers while we fetch
            self._start_workers()
        try:
            async with make_client(self.limits) as client:
                jobs = [self._guarded(client, feed) for feed in self.feeds]
                await asyncio.gather(*jobs)
        finally:
            self.finished = True
            self.wakeup.set()
            await flusher
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)

    async def _parse_alone(self, data: bytes, source: str, url: str,
                           headers: Mapping[str, str]) -> _Parsed:
        loop = asyncio.get_running_loop()
        alone = ProcessPoolExecutor(1, mp_context=_context(), initializer=_limit_memory)
        try:
            result: _Parsed = await loop.run_in_executor(alone, parse_document, data, source,
                                                         url, headers)
            return result
        finally:
            alone.shutdown(wait=False, cancel_futures=True)

    def _drop_pool(self, pool: Executor) -> None:
        with self.pool_lock:
            if self.pool is pool:
                self.pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _start_workers(self) -> None:
        pool = self._executor()
        for _ in range(PARSE_PROCESSES):
            pool.submit(_warm_up)

    async def _guarded(self, client: httpx.AsyncClient, feed: FeedInfo) -> None:
        """One feed; whatever goes wrong with it is its error, never the whole refresh's."""
        try:
            await self._one(client, feed)
        except (ReaderError, OSError, ValueError) as error:
            self._finish(_Result(feed, error=_one_line(error)))
        except Exception as error:  # noqa: BLE001 - a bug here must not lose the other feeds
            self._finish(_Result(feed, error=f"refresh failed ({type(error).__name__})"))

    async def _one(self, client: httpx.AsyncClient, feed: FeedInfo) -> None:
        if feed.kind is FeedKind.DIRECTORY or not _is_url(feed.url):
            result = await asyncio.to_thread(self._local, feed)
            self._finish(result, written=True)
            return
        state = self.states.get(feed.id, FetchState())
        if state.retry_after is not None and state.retry_after > self.when:
            self._finish(_Result(feed, skipped=True, state=state), written=True)
            return
        self._finish(await self._fetch(client, feed, state))

    def _local(self, feed: FeedInfo) -> _Result:
        try:
            if feed.kind is FeedKind.DIRECTORY:
                outcome = self.library.scan_directory(feed)
            else:
                outcome = self.library.reload_file(feed)
        except ReaderError as error:
            return _Result(feed, error=_one_line(error))
        self.storage.record_fetch(feed.id, state=None, error=outcome.error, when=self.when)
        return _Result(feed, error=outcome.error, new=outcome.new)

    async def _fetch(self, client: httpx.AsyncClient, feed: FeedInfo,
                     state: FetchState) -> _Result:
        from reader.sources.http import fetch

        try:
            response = await fetch(client, feed.url, state=state, limits=self.limits)
        except FetchError as error:
            retry: datetime | None = getattr(error, "retry_after", None)
            return _Result(feed, error=_one_line(error),
                           state=FetchState(etag=state.etag, last_modified=state.last_modified,
                                            retry_after=retry))
        except Exception as error:  # noqa: BLE001 - fetch promises FetchError; a seatbelt
            return _Result(feed, error=f"fetch failed ({type(error).__name__})")
        if response.not_modified:
            return _Result(feed, not_modified=True, state=response.state)
        digest = hashlib.sha1(response.content, usedforsecurity=False).hexdigest()
        if digest == self.hashes.get(feed.id):
            # the same bytes as last time, from a server that ignored our validators
            return _Result(feed, not_modified=True, state=response.state)
        loop = asyncio.get_running_loop()
        pool = self._executor()
        try:
            parsed: _Parsed = await loop.run_in_executor(
                pool, parse_document, response.content, feed.url, response.url,
                response.headers)
        except BrokenProcessPool:
            # a worker died (killed, or out of memory outside Python) and took every task
            # in flight with it: each is parsed again alone, so only the culprit fails
            self._drop_pool(pool)
            try:
                parsed = await self._parse_alone(response.content, feed.url, response.url,
                                                 response.headers)
            except BrokenProcessPool:
                return _Result(feed, error="the feed parser crashed on this feed")
        if parsed.error is not None:
            # the validators of an answer we could not use are not kept: next time the
            # whole feed is fetched again instead of a 304 for a broken copy
            return _Result(feed, error=parsed.error)
        return _Result(feed, articles=parsed.articles, state=response.state,
                       title=parsed.title, content_hash=digest)

    def _finish(self, result: _Result, *, written: bool = False) -> None:
        if written:
            self.results.append(result)
            self._report(result)
            return
        self.pending.append(result)
        self.wakeup.set()

    def _report(self, result: _Result) -> None:
        self.done += 1
        if self.progress is None:
            return
        event = FeedProgress(
            feed_id=result.feed.id, url=result.feed.url, name=result.title or result.feed.name,
            done=self.done, total=len(self.feeds), new=result.new, error=result.error,
            not_modified=result.not_modified, skipped=result.skipped)
        try:
            self.progress(event)
        except Exception:  # noqa: BLE001 - a listener's bug must not stop the refresh
            pass

    async def _flusher(self) -> None:
        while True:
            await self.wakeup.wait()
            if not self.finished:
                # let a few more feeds finish, so writes go out in few transactions
                await asyncio.sleep(FLUSH_SECONDS)
            self.wakeup.clear()
            batch, self.pending = self.pending, []
            if batch:
                await self._write(batch)
            if self.finished and not self.pending:
                return

    async def _write(self, batch: list[_Result]) -> None:
        rows = [FetchOutcome(feed_id=r.feed.id, articles=r.articles, state=r.state,
                             error=r.error, title=r.title, content_hash=r.content_hash)
                for r in batch]
        try:
            counts = await asyncio.to_thread(self.storage.store_refresh, rows, when=self.when)
        except StorageError as error:
            counts = {}
            for result in batch:
                result.error = result.error or _one_line(error)
        for result in batch:
            result.new = counts.get(result.feed.id, 0)
            self.results.append(result)
            self._report(result)


async def refresh(
    library: Library,
    *,
    feed_ids: Sequence[int] | None = None,
    progress: ProgressCallback | None = None,
    limits: HttpLimits | None = None,
) -> RefreshSummary:
    """Refresh subscriptions (all, or ``feed_ids``); prune by age; vacuum now and then."""
    from reader.sources.http import DEFAULT_LIMITS

    started = time.perf_counter()
    storage = library.storage
    feeds = await asyncio.to_thread(storage.feeds, subscribed_only=True, counts=False)
    if feed_ids is not None:
        wanted = set(feed_ids)
        feeds = [f for f in feeds if f.id in wanted]
    states = await asyncio.to_thread(storage.fetch_states)
    hashes = await asyncio.to_thread(storage.content_hashes)
    job = _Refresh(library, feeds, states, hashes, progress, limits or DEFAULT_LIMITS)
    await job.run()
    pruned = await asyncio.to_thread(_maintain, library)
    failures = tuple((r.feed.url, r.error) for r in job.results if r.error is not None)
    return RefreshSummary(
        feeds=len(feeds),
        new_articles=sum(r.new for r in job.results),
        errors=len(failures),
        seconds=time.perf_counter() - started,
        skipped=sum(r.skipped for r in job.results),
        not_modified=sum(r.not_modified for r in job.results),
        pruned=pruned,
        failures=failures,
    )


def _maintain(library: Library) -> int:
    """Retention, then a VACUUM when much was dropped or a week has passed."""
    storage = library.storage
    try:
        now = datetime.now(UTC)
        last_prune = storage.meta("last_prune")
        if last_prune is not None and now - datetime.fromisoformat(last_prune) < PRUNE_EVERY:
            return 0  # retention counts in days: once an hour is plenty
        pruned = library.prune()
        storage.set_meta("last_prune", now.isoformat())
        last = storage.meta("last_vacuum")
        if last is None:
            storage.set_meta("last_vacuum", now.isoformat())
            return pruned
        due = now - datetime.fromisoformat(last) > VACUUM_EVERY
        if due or pruned >= VACUUM_AFTER_PRUNED:
            storage.vacuum()
            storage.set_meta("last_vacuum", now.isoformat())
        return pruned
    except (StorageError, ValueError):
        # another process reading (the TUI) makes VACUUM wait; it is only housekeeping
        return 0


def _context() -> multiprocessing.context.BaseContext:
    """fork where there is one: it costs milliseconds and the workers inherit the imports.

    spawn and forkserver start a fresh interpreter that re-imports the main module, which
    costs a second per worker and re-runs any unguarded script. The workers only ever run
    :func:`parse_document`, which takes no lock another thread of the parent could hold.
    """
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _is_url(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))
