"""Bring every subscription up to date, concurrently, without ever losing what is cached.

Feeds are fetched (asyncio + httpx, ``reader.sources.http``: per-host limit, deadline, size
cap, conditional GET) and parsed by two worker processes, each with its share of every
host; this process only writes what they send back. Folders and files subscribed to are
read here. Results are written in batches, a few transactions per refresh, each committed
before the progress callback reports those feeds, so a listener can show them at once.

This module is on the ``reader refresh`` start-up path: it imports nothing heavy at module
level (no feedparser, no cleaning, no Textual).
"""

from __future__ import annotations

import asyncio
import hashlib
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.core.errors import FetchError, ReaderError, StorageError, one_line, unexpected
from reader.core.models import (
    Article,
    FeedInfo,
    FeedKind,
    FeedProgress,
    FetchOutcome,
    FetchState,
    ProgressCallback,
    RefreshSummary,
    SourceKind,
    SourceOutcome,
)
from reader.core.processes import WORKER_PROCESSES, forking, worker_context, worker_started
from reader.core.sanitize import is_web_url
from reader.storage.base import Storage

if TYPE_CHECKING:
    import httpx

    from reader.sources.http import HttpLimits

FETCH_PROCESSES = WORKER_PROCESSES
# A worker that sends nothing for this long past the fetch deadline is stuck: its feeds fail.
WORKER_GRACE = 30.0
FLUSH_SECONDS = 0.1  # how long finished feeds may wait to be written together
VACUUM_EVERY = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
VACUUM_AFTER_PRUNED = 2000


@dataclass(slots=True)
class _Result:
    """One feed's outcome, stored, as the summary and the progress callback see it."""

    feed: FeedInfo
    error: str | None = None
    title: str | None = None
    not_modified: bool = False
    skipped: bool = False
    new: int = 0


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
        if kind in (SourceKind.FEED, SourceKind.JSON_FEED):
            from reader.ingest.feeds import parse_feed_document

            feed = parse_feed_document(data, kind=kind, url=url, source=source, headers=headers)
        elif kind is SourceKind.EMPTY:
            return _Parsed(None, (), (), "empty answer (the cached articles are kept)")
        else:
            return _Parsed(None, (), (), f"not a feed (looks like {kind.value})")
        from reader.ingest.feeds import newest

        articles, warnings = newest(feed.articles), feed.warnings
        if len(articles) < len(feed.articles):
            warnings = (*warnings, f"only the newest {len(articles)} of "
                        f"{len(feed.articles)} entries kept")
        return _Parsed(feed.title, articles, warnings, None)
    except ReaderError as error:
        return _Parsed(None, (), (), one_line(error))
    except Exception as error:  # noqa: BLE001 - a parser surprise is this feed's error only
        return _Parsed(None, (), (), f"could not be parsed ({type(error).__name__})")


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


# -- the fetch workers ---------------------------------------------------------------------
#
# Each worker process fetches its share of the feeds with its own event loop and client,
# parses what changed and sends back plain data; the main process only writes. Fetching
# (~2.5 ms of CPU a request in httpx) and parsing (~0.1 ms an entry) so use both cores, and
# the main process never pickles feed bodies to a pool. A host's feeds are shared out with
# its connection limit, so the host still sees at most ``per_host`` connections in all.


@dataclass(frozen=True, slots=True)
class _Job:
    """One feed for a worker (plain data: it crosses a pipe)."""

    feed_id: int
    url: str
    state: FetchState
    content_hash: str | None


@dataclass(slots=True)
class _Fetched:
    """One feed's fetch, parsed, inside a worker."""

    feed_id: int
    articles: tuple[Article, ...] | None = None
    state: FetchState | None = None
    error: str | None = None
    title: str | None = None
    not_modified: bool = False
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class _Stored:
    """What a worker reports for a feed once its outcome is committed."""

    feed_id: int
    new: int
    error: str | None
    title: str | None
    not_modified: bool


def _fetch_worker(index: int, jobs: list[_Job], limits: HttpLimits, storage: Storage,
                  when: datetime, out: Any) -> None:
    """A worker process: fetch, parse and store its jobs, putting (index, _Stored) on
    ``out`` as each is committed, then (index, None)."""
    worker_started()
    _limit_memory()
    try:
        asyncio.run(_fetch_all(index, jobs, limits, storage.reconnect(), when, out))
    finally:
        out.put((index, None))
        out.close()
        out.join_thread()  # everything is in the pipe before the process ends


async def _fetch_all(index: int, jobs: list[_Job], limits: HttpLimits, storage: Storage,
                     when: datetime, out: Any) -> None:
    from reader.sources.http import make_client

    writer = _BatchWriter(storage, when, lambda stored: out.put((index, stored)))

    async def one(job: _Job) -> None:
        try:
            fetched = await _fetch_and_parse(client, job, limits)
        except Exception as error:  # noqa: BLE001 - a bug here must not lose the other feeds
            fetched = _Fetched(job.feed_id, error=unexpected(error, "refresh"))
        writer.add(fetched)

    async def fetch_all() -> None:
        try:
            await asyncio.gather(*(one(job) for job in jobs))
        finally:
            writer.close()

    try:
        async with make_client(limits) as client:
            await asyncio.gather(writer.run(), fetch_all())
    finally:
        storage.close()


class _BatchWriter:
    """A worker's outcomes, written a few feeds at a time (each batch one transaction,
    in a thread, so fetching goes on meanwhile) and reported once committed."""

    def __init__(self, storage: Storage, when: datetime,
                 report: Callable[[_Stored], None]) -> None:
        self.storage = storage
        self.when = when
        self.report = report
        self.pending: list[_Fetched] = []
        self.wakeup = asyncio.Event()
        self.closed = False

    def add(self, fetched: _Fetched) -> None:
        self.pending.append(fetched)
        self.wakeup.set()

    def close(self) -> None:
        self.closed = True
        self.wakeup.set()

    async def run(self) -> None:
        while True:
            await self.wakeup.wait()
            if not self.closed:
                # let a few more feeds finish, so writes go out in few transactions
                await asyncio.sleep(FLUSH_SECONDS)
            self.wakeup.clear()
            batch, self.pending = self.pending, []
            if batch:
                await self._write(batch)
            if self.closed and not self.pending:
                return

    async def _write(self, batch: list[_Fetched]) -> None:
        rows = [FetchOutcome(feed_id=f.feed_id, articles=f.articles, state=f.state,
                             error=f.error, title=f.title, content_hash=f.content_hash)
                for f in batch]
        failure: str | None = None
        try:
            counts = await asyncio.to_thread(self.storage.store_refresh, rows, when=self.when)
        except StorageError as error:
            counts, failure = {}, one_line(error)
        for fetched in batch:
            self.report(_Stored(fetched.feed_id, counts.get(fetched.feed_id, 0),
                                fetched.error or failure, fetched.title,
                                fetched.not_modified))


async def _fetch_and_parse(client: httpx.AsyncClient, job: _Job,
                           limits: HttpLimits) -> _Fetched:
    from reader.sources.http import fetch

    state = job.state
    try:
        response = await fetch(client, job.url, state=state, limits=limits)
    except FetchError as error:
        retry: datetime | None = getattr(error, "retry_after", None)
        return _Fetched(job.feed_id, error=one_line(error),
                        state=FetchState(etag=state.etag, last_modified=state.last_modified,
                                         retry_after=retry))
    except Exception as error:  # noqa: BLE001 - fetch promises FetchError; a seatbelt
        return _Fetched(job.feed_id, error=f"fetch failed ({type(error).__name__})")
    if response.not_modified:
        return _Fetched(job.feed_id, not_modified=True, state=response.state)
    digest = hashlib.sha1(response.content, usedforsecurity=False).hexdigest()
    if digest == job.content_hash:
        # the same bytes as last time, from a server that ignored our validators
        return _Fetched(job.feed_id, not_modified=True, state=response.state)
    # parsed right here: this blocks only this worker's loop, for milliseconds a feed
    parsed = parse_document(response.content, job.url, response.url, response.headers)
    if parsed.error is not None:
        # the validators of an answer we could not use are not kept: next time the
        # whole feed is fetched again instead of a 304 for a broken copy
        return _Fetched(job.feed_id, error=parsed.error)
    return _Fetched(job.feed_id, articles=parsed.articles, state=response.state,
                    title=parsed.title, content_hash=digest)


def _share_out(jobs: list[_Job], workers: int, limits: HttpLimits,
               ) -> tuple[list[list[_Job]], HttpLimits]:
    """Jobs dealt round-robin within each host, so every worker gets some of each busy
    host; the per-host limit is divided between the workers."""
    from urllib.parse import urlsplit

    by_host: dict[str, list[_Job]] = {}
    for job in jobs:
        by_host.setdefault(urlsplit(job.url).hostname or "", []).append(job)
    shares: list[list[_Job]] = [[] for _ in range(workers)]
    turn = 0
    for host_jobs in by_host.values():
        for job in host_jobs:
            shares[turn % workers].append(job)
            turn += 1
    per_worker = replace(limits, per_host=max(1, limits.per_host // workers))
    return [share for share in shares if share], per_worker


class _Refresh:
    def __init__(self, storage: Storage, feeds: list[FeedInfo], states: dict[int, FetchState],
                 hashes: dict[int, str], progress: ProgressCallback | None,
                 limits: HttpLimits) -> None:
        self.hashes = hashes
        self.storage = storage
        self.feeds = feeds
        self.by_id = {feed.id: feed for feed in feeds}
        self.states = states
        self.progress = progress
        self.limits = limits
        self.when = datetime.now(UTC)
        self.done = 0
        self.results: list[_Result] = []
        # set when the refresh is cancelled (Ctrl+C): the threads it started stop at once
        self.stop = threading.Event()

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        jobs: list[_Job] = []
        local: list[FeedInfo] = []
        for feed in self.feeds:
            state = self.states.get(feed.id, FetchState())
            if feed.kind is FeedKind.DIRECTORY or not is_web_url(feed.url):
                local.append(feed)
            elif state.retry_after is not None and state.retry_after > self.when:
                self._finish(_Result(feed, skipped=True))
            else:
                jobs.append(_Job(feed.id, feed.url, state, self.hashes.get(feed.id)))
        try:
            await asyncio.gather(self._remote(jobs), *(self._local(feed) for feed in local))
        except asyncio.CancelledError:
            # What is stored stays stored: each batch was its own transaction. The workers
            # are killed (an open transaction of theirs rolls back) and their thread ends.
            self.stop.set()
            raise

    # -- folders and files: read here

    async def _local(self, feed: FeedInfo) -> None:
        try:
            outcome = await asyncio.to_thread(self._scan, feed)
            result = _Result(feed, error=outcome.error, new=outcome.new)
        except ReaderError as error:
            result = _Result(feed, error=one_line(error))
        except Exception as error:  # noqa: BLE001 - a bug here must not lose the other feeds
            result = _Result(feed, error=unexpected(error, "refresh"))
        self._finish(result)

    def _scan(self, feed: FeedInfo) -> SourceOutcome:
        from reader.intake import Intake

        intake = Intake(self.storage, cancelled=self.stop.is_set)
        if feed.kind is FeedKind.DIRECTORY:
            outcome = intake.directory(Path(feed.url), spec=feed.url)
        else:
            outcome = intake.file(Path(feed.url), spec=feed.url)
        if self.stop.is_set():
            return outcome  # stopped part way: not a successful refresh of it
        self.storage.record_fetch(feed.id, state=None, error=outcome.error, when=self.when)
        return outcome

    # -- feeds: fetched and parsed by worker processes

    async def _remote(self, jobs: list[_Job]) -> None:
        if not jobs:
            return
        workers = min(FETCH_PROCESSES, len(jobs))
        shares, limits = _share_out(jobs, workers, self.limits)
        lost = await asyncio.to_thread(self._run_workers, shares, limits)
        # A worker died (killed, or out of memory outside Python) and took the feeds it
        # had not reported with it: each is fetched again in a worker of its own, so only
        # the culprit fails.
        for job in lost:
            if self.stop.is_set():
                return
            again = await asyncio.to_thread(self._run_workers, [[job]], self.limits)
            if again:
                self._finish(_Result(self.by_id[job.feed_id],
                                     error="the feed parser crashed on this feed"))

    def _run_workers(self, shares: list[list[_Job]], limits: HttpLimits) -> list[_Job]:
        """Run one worker per share and hand on what they send; the jobs lost to a worker
        that died are returned."""
        context: Any = worker_context()  # typeshed's BaseContext lacks Process and Queue
        out = context.Queue()
        waiting = {index: {job.feed_id: job for job in share}
                   for index, share in enumerate(shares)}
        processes = [context.Process(target=_fetch_worker, name="reader refresh", daemon=True,
                                     args=(index, share, limits, self.storage, self.when, out))
                     for index, share in enumerate(shares)]
        with forking():
            for process in processes:
                process.start()
        lost: list[_Job] = []
        running = set(range(len(processes)))
        quiet_since = time.monotonic()
        stall = limits.deadline + WORKER_GRACE
        try:
            while running and not self.stop.is_set():
                try:
                    index, stored = out.get(timeout=0.25)
                except queue.Empty:
                    now = time.monotonic()
                    for index in list(running):
                        stalled = now - quiet_since > stall
                        if not processes[index].is_alive() or stalled:
                            # its last words may still be in the pipe: take them first
                            self._drain(out, waiting, running)
                            if index in running:
                                running.discard(index)
                                processes[index].kill()
                                lost.extend(waiting.pop(index).values())
                    continue
                quiet_since = time.monotonic()
                self._receive(index, stored, waiting, running)
        finally:
            for process in processes:
                if process.is_alive():
                    process.kill()
                process.join(1)
            out.close()
        return lost

    def _drain(self, out: Any, waiting: dict[int, dict[int, _Job]], running: set[int]) -> None:
        while True:
            try:
                index, stored = out.get(timeout=0.05)
            except (queue.Empty, EOFError, OSError):
                return
            self._receive(index, stored, waiting, running)

    def _receive(self, index: int, stored: _Stored | None,
                 waiting: dict[int, dict[int, _Job]], running: set[int]) -> None:
        if stored is None:  # that worker is done
            running.discard(index)
            waiting.pop(index, None)
            return
        waiting.get(index, {}).pop(stored.feed_id, None)
        result = _Result(self.by_id[stored.feed_id], error=stored.error, title=stored.title,
                         not_modified=stored.not_modified, new=stored.new)
        self.loop.call_soon_threadsafe(self._finish, result)

    def _finish(self, result: _Result) -> None:
        self.results.append(result)
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


async def refresh(
    storage: Storage,
    *,
    feed_ids: Sequence[int] | None = None,
    progress: ProgressCallback | None = None,
    limits: HttpLimits | None = None,
    retention_days: int = 180,
) -> RefreshSummary:
    """Refresh subscriptions (all, or ``feed_ids``); prune unstarred read articles older
    than ``retention_days``; vacuum now and then."""
    from reader.sources.http import DEFAULT_LIMITS

    started = time.perf_counter()
    feeds = await asyncio.to_thread(storage.feeds, subscribed_only=True, counts=False)
    # a feed synced through an account comes from its server (reader.sync), not from here
    feeds = [feed for feed in feeds if feed.account is None]
    if feed_ids is not None:
        wanted = set(feed_ids)
        feeds = [f for f in feeds if f.id in wanted]
    states = await asyncio.to_thread(storage.fetch_states)
    hashes = await asyncio.to_thread(storage.content_hashes)
    job = _Refresh(storage, feeds, states, hashes, progress, limits or DEFAULT_LIMITS)
    await job.run()
    pruned = await asyncio.to_thread(_maintain, storage, retention_days)
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


def prune(storage: Storage, retention_days: int) -> int:
    """Drop unstarred read articles older than ``retention_days``."""
    return storage.prune(older_than=datetime.now(UTC) - timedelta(days=retention_days))


def _maintain(storage: Storage, retention_days: int) -> int:
    """Retention, then a VACUUM when much was dropped or a week has passed."""
    try:
        now = datetime.now(UTC)
        last_prune = storage.meta("last_prune")
        if last_prune is not None and now - datetime.fromisoformat(last_prune) < PRUNE_EVERY:
            return 0  # retention counts in days: once an hour is plenty
        pruned = prune(storage, retention_days)
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
