"""Intake: sources into the library's storage.

Files and folders load in order (folders in batches, through the one folder loader of
``reader.ingest.folders``, cleaned files cached by path, size and mtime, and by the
fingerprint of the cleaner: see :func:`restamp`); URLs, and the feeds of OPML lists, are
fetched together. Nothing raises: every failure is a SourceOutcome's
one-line error. Used by the library (open, add) and by the refresh (subscribed folders
and files).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reader.core import sanitize
from reader.core.aio import run_sync
from reader.core.errors import EMPTY_SOURCE, ReaderError, StorageError, unexpected
from reader.core.models import (
    FeedKind,
    FetchOutcome,
    FileStamp,
    FolderFile,
    LoadResult,
    PrimedFolders,
    SourceKind,
    SourceOutcome,
)
from reader.ingest.feeds import newest
from reader.ingest.fingerprint import cleaner_fingerprint
from reader.ingest.folders import load_folder, member_articles, path_text
from reader.sources.files import system_folder
from reader.storage.base import Storage

if TYPE_CHECKING:
    pass


class Intake:
    """Loads sources into a storage: ``Library.open_sources`` and ``add``, and the refresh
    of subscribed folders and files.

    ``subscribe``: what is stored is subscribed (in ``folder``); else it is stored without
    changing whether it is. ``on_result`` hears each source, and each batch of a folder,
    once stored. ``primed``: first files of new folders loaded ahead (``reader.priming``).
    ``head_start``: seconds a folder opened before is left alone after it is reported,
    before its walk for changes begins (an interface painting it wants the interpreter).
    """

    def __init__(self, storage: Storage, *,
                 on_result: Callable[[SourceOutcome], None] = lambda outcome: None,
                 cancelled: Callable[[], bool] = lambda: False,
                 subscribe: bool = False, folder: str | None = None,
                 stdin: BinaryIO | None = None, primed: PrimedFolders | None = None,
                 head_start: float = 0.0) -> None:
        self.storage = storage
        self.on_result = on_result
        self.cancelled = cancelled
        self.subscribe = subscribe
        self.folder = folder
        self.stdin = stdin
        self.primed = primed
        self.head_start = head_start

    def _subscribed(self) -> bool | None:
        # opening a source once never unsubscribes it
        return True if self.subscribe else None

    def _emit(self, outcome: SourceOutcome) -> SourceOutcome:
        try:
            self.on_result(outcome)
        except Exception:  # noqa: BLE001 - the caller's callback must not break loading
            pass
        return outcome

    def run(self, specs: Sequence[str]) -> list[SourceOutcome]:
        outcomes: list[SourceOutcome] = []
        urls: list[str] = []
        for spec in specs:
            if self.cancelled():
                break
            if not spec.strip():  # never the current folder
                outcomes.append(self._emit(SourceOutcome(spec=spec, error=EMPTY_SOURCE)))
                continue
            if sanitize.is_web_url(spec):
                urls.append(spec.strip())
                continue
            try:
                outcome, feed_urls = self.local(spec)
            except Exception as error:  # noqa: BLE001 - one source never stops the others
                reason = str(error) if isinstance(error, ReaderError) else \
                    unexpected(error, "loading")
                outcome, feed_urls = self._emit(SourceOutcome(
                    spec=spec, error=f"{sanitize.display_name(spec)}: {reason}")), []
            outcomes.append(outcome)
            urls.extend(feed_urls)
        if urls and not self.cancelled():
            outcomes.extend(run_sync(lambda: self.urls(urls)))
        return outcomes

    # -- local

    def local(self, spec: str) -> tuple[SourceOutcome, list[str]]:
        if spec == "-":
            return self.standard_input(), []
        if "://" in spec and not os.path.exists(spec):
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: not an http(s) URL")), []
        path = Path(spec).expanduser()
        try:
            is_dir = path.is_dir()
            exists = is_dir or os.path.lexists(path)
        except (OSError, ValueError):
            is_dir, exists = False, False
        if not exists:
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: no such file or directory")), []
        if is_dir:
            return self.directory(path, spec=spec), []
        return self._file(path, spec=spec)

    def standard_input(self) -> SourceOutcome:
        from reader.ingest.load import load_stdin

        if self.subscribe:
            # read once, never again at a refresh (and in the interface, "-" is the keyboard)
            return self._emit(SourceOutcome(
                spec="-", error="-: standard input is read once and cannot be subscribed "
                "to (reader - opens it)"))
        result = load_stdin(self.stdin)
        if result.error is not None and not result.articles:
            # each pipe is a new document: the last one piped is no cached copy of this one
            return self._emit(SourceOutcome(spec="-", warnings=result.warnings,
                                            error=result.error))
        return self._store_result("stdin:-", result, spec="-", kind=FeedKind.FILE)

    def file(self, path: Path, *, spec: str) -> SourceOutcome:
        return self._file(path, spec=spec)[0]

    def _file(self, path: Path, *, spec: str) -> tuple[SourceOutcome, list[str]]:
        from reader.ingest.load import load_path

        key = local_key(str(path))
        if path_text(Path(key)) != key:
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: the file's name is not "
                "valid UTF-8; rename it to keep it in the library")), []
        restamp(self.storage, key)
        stamp = _stamp(path)
        existing = self.storage.feed_by_url(key)
        if existing is not None and stamp is not None and existing.total:
            if self.storage.file_stamps(existing.id).get(key) == stamp:
                if self.subscribe:
                    self.storage.upsert_feed(key, subscribed=True, folder=self.folder)
                return self._emit(SourceOutcome(
                    spec=spec, feed_id=existing.id, title=existing.name,
                    total=existing.total)), []
        result = load_path(path, source=key)
        if (existing is not None and existing.kind is FeedKind.FEED and existing.total
                and result.error is None
                and result.kind not in (SourceKind.FEED, SourceKind.JSON_FEED)):
            # a feed file overwritten by something else (an error page, a half-written
            # download): an error, as for a feed URL, not an article that renames the feed
            shown = result.kind.value if result.kind else "something else"
            return self._emit(SourceOutcome(
                spec=spec, feed_id=existing.id, title=existing.name, total=existing.total,
                warnings=result.warnings,
                error=f"not a feed any more (looks like {shown}); its articles are kept")), []
        if result.kind is SourceKind.OPML:
            if self.subscribe:
                return self._emit(SourceOutcome(
                    spec=spec, error=_an_opml_list(spec))), []
            return self._emit(SourceOutcome(spec=spec, title=result.title,
                                            warnings=result.warnings)), list(result.feed_urls)
        kind = FeedKind.FEED if result.kind in (SourceKind.FEED, SourceKind.JSON_FEED) \
            else FeedKind.FILE
        outcome = self._store_result(key, result, spec=spec, kind=kind,
                                     stamp=(key, stamp) if stamp else None)
        return outcome, []

    def _store_result(self, key: str, result: LoadResult, *, spec: str, kind: FeedKind,
                      stamp: tuple[str, FileStamp] | None = None) -> SourceOutcome:
        if result.error is not None and not result.articles:
            existing = self.storage.feed_by_url(key)
            return self._emit(SourceOutcome(
                spec=spec, feed_id=existing.id if existing else None,
                total=existing.total if existing else 0,
                warnings=result.warnings, error=result.error))
        # a feed is named by its title; a lone article file by its file name, not its headline
        is_feed = result.kind in (SourceKind.FEED, SourceKind.JSON_FEED)
        title = (result.title if is_feed else None) or _local_title(key)
        feed_id = self.storage.upsert_feed(key, title=title, kind=kind,
                                           subscribed=self._subscribed(), folder=self.folder)
        new = self.storage.store_files(feed_id, [(stamp[0] if stamp else key,
                                                  stamp[1] if stamp else None, result.articles)])
        self.storage.record_fetch(feed_id, state=None, error=None, when=datetime.now(UTC))
        feed = self.storage.feed(feed_id)
        warnings = result.warnings if result.error is None else (*result.warnings, result.error)
        return self._emit(SourceOutcome(spec=spec, feed_id=feed_id, title=title, new=new,
                                        total=feed.total if feed else new, warnings=warnings))

    def directory(self, path: Path, *, spec: str) -> SourceOutcome:
        """Store a folder's articles in batches; files unchanged since last time are skipped."""
        key = local_key(str(path))
        if path_text(Path(key)) != key:
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: the folder's name is not "
                "valid UTF-8; rename it to keep it in the library"))
        if not path.is_dir():
            existing = self.storage.feed_by_url(key)
            return self._emit(SourceOutcome(
                spec=spec, feed_id=existing.id if existing else None,
                error=f"{sanitize.display_name(spec)}: folder not found (its articles are kept)"))
        if (system := system_folder(path)) is not None:
            # /proc holds thousands of files made up as they are read: never an article
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: {system}"))
        feed_id = self.storage.upsert_feed(key, title=_local_title(key),
                                           kind=FeedKind.DIRECTORY,
                                           subscribed=self._subscribed(), folder=self.folder)
        restamp(self.storage, key)
        known = self.storage.file_stamps(feed_id)
        if known:
            # what was loaded before is shown at once; the walk only looks for changes
            self._emit(SourceOutcome(spec=spec, feed_id=feed_id, done=False))
            time.sleep(self.head_start)
        primed = self.primed.take(key) if self.primed is not None and not known else None
        new = 0
        warnings: list[str] = []

        def store(batch: list[FolderFile]) -> None:
            nonlocal new
            for file in batch:
                if file.stamp is not None:
                    warnings.extend(file.result.warnings)
                    if file.result.error is not None and not file.result.articles:
                        warnings.append(file.result.error)
            count = self.storage.store_files(
                feed_id, [(file.source, file.stamp, member_articles(file)) for file in batch])
            new += count
            self._emit(SourceOutcome(spec=spec, feed_id=feed_id, new=count, done=False))

        # absolute: a relative spec must give the same keys
        problems = load_folder(Path(key), on_batch=store, known=known, primed=primed,
                               quick=True, cancelled=self.cancelled)
        for problem in problems:
            warnings.extend(problem.warnings)
            if problem.error is not None:
                warnings.append(problem.error)
        if not self.cancelled():  # a walk stopped part way is not a whole look at the folder
            self.storage.record_fetch(feed_id, state=None, error=None, when=datetime.now(UTC))
        feed = self.storage.feed(feed_id)
        total = feed.total if feed else 0
        if not total and not warnings and not self.cancelled():
            # said, as `reader dump` says it: the interface showed an empty list in silence
            warnings.append(f"{sanitize.display_name(spec)}: no articles in it (no files)")
        return self._emit(SourceOutcome(
            spec=spec, feed_id=feed_id, title=feed.name if feed else key, new=new,
            total=total, warnings=tuple(warnings)))

    # -- URLs

    async def urls(self, urls: list[str]) -> list[SourceOutcome]:
        from reader.sources.http import DEFAULT_LIMITS, make_client

        async with make_client(DEFAULT_LIMITS) as client:
            tasks = [self.url(client, url) for url in dict.fromkeys(urls)]
            results = await asyncio.gather(*tasks)
        outcomes = [o for o, _ in results]
        done = set(urls)
        listed = [u for _, more in results for u in more if u not in done]
        if listed:
            async with make_client(DEFAULT_LIMITS) as client:
                more_results = await asyncio.gather(*(self.url(client, u, follow=False)
                                                      for u in dict.fromkeys(listed)))
            outcomes.extend(o for o, _ in more_results)
        return outcomes

    async def url(self, client: object, url: str, *,
                  follow: bool = True) -> tuple[SourceOutcome, list[str]]:
        from reader.ingest.load import load_url_async

        checked = sanitize.feed_address(url)
        if checked is None:
            return self._emit(SourceOutcome(
                spec=url, error=f"{sanitize.display_name(url)}: {sanitize.url_problem(url)}")), []
        existing = await asyncio.to_thread(self.storage.feed_by_url, checked)
        if existing is None:
            # kept under another spelling of the address (before feed_address): that feed
            older = await asyncio.to_thread(kept_spelling, self.storage, checked)
            if older is not None:
                checked = older
                existing = await asyncio.to_thread(self.storage.feed_by_url, checked)
        state = (await asyncio.to_thread(self.storage.fetch_state, existing.id)
                 if existing is not None and existing.total else None)
        result, response = await load_url_async(client, checked, state=state)  # type: ignore[arg-type]
        if result.kind is SourceKind.HTML and result.feed_urls and follow:
            # a web page that names its feed: subscribe to (or open) the feed instead
            feed_url = result.feed_urls[0]
            return await self.url(client, feed_url, follow=False)
        if result.kind is SourceKind.OPML:
            if self.subscribe:
                return self._emit(SourceOutcome(
                    spec=url, error=_an_opml_list(url))), []
            return self._emit(SourceOutcome(spec=url, title=result.title,
                                            warnings=result.warnings)), list(result.feed_urls)
        when = datetime.now(UTC)
        if result.not_modified and existing is not None:
            await asyncio.to_thread(self.storage.record_fetch, existing.id,
                                    state=response.state if response else None,
                                    error=None, when=when)
            if self.subscribe:
                await asyncio.to_thread(self.storage.upsert_feed, checked, subscribed=True,
                                        folder=self.folder)
            return self._emit(SourceOutcome(spec=url, feed_id=existing.id, title=existing.name,
                                            total=existing.total)), []
        if result.error is not None and not result.articles:
            if existing is not None:
                await asyncio.to_thread(self.storage.record_fetch, existing.id, state=None,
                                        error=result.error, when=when)
            return self._emit(SourceOutcome(
                spec=url, feed_id=existing.id if existing else None,
                total=existing.total if existing else 0, error=result.error)), []
        kind = FeedKind.FEED if result.kind in (SourceKind.FEED, SourceKind.JSON_FEED) \
            else FeedKind.FILE
        if self.subscribe and kind is not FeedKind.FEED:
            return self._emit(SourceOutcome(
                spec=url, error=f"{url}: no feed found (the page names none)")), []
        outcome = await asyncio.to_thread(self._store_fetched, checked, url, result,
                                          response, kind, when)
        return self._emit(outcome), []

    def _store_fetched(self, key: str, spec: str, result: LoadResult, response: object,
                       kind: FeedKind, when: datetime) -> SourceOutcome:
        title = result.title
        articles = newest(result.articles)
        feed_id = self.storage.upsert_feed(key, title=title, kind=kind,
                                           subscribed=self._subscribed(), folder=self.folder)
        state = getattr(response, "state", None)
        content = getattr(response, "content", None)
        digest = (hashlib.sha1(content, usedforsecurity=False).hexdigest()
                  if isinstance(content, bytes) and kind is FeedKind.FEED else None)
        outcome = FetchOutcome(feed_id=feed_id, articles=articles, state=state,
                               title=title, content_hash=digest)
        new = self.storage.store_refresh([outcome], when=when).get(feed_id, 0)
        feed = self.storage.feed(feed_id)
        return SourceOutcome(spec=spec, feed_id=feed_id, title=feed.name if feed else title,
                             new=new, total=feed.total if feed else new,
                             warnings=result.warnings)


_restamped: set[tuple[str, str, str]] = set()
_restamped_lock = threading.Lock()


def restamp(storage: Storage, source: str) -> int:
    """Have the files of a source (a folder or a file) cleaned again as they are loaded, if
    they were cleaned by another cleaner than this process's (an upgrade): the walk of a
    folder then finds every file changed and cleans them all in its workers, as for changed
    files; their articles are updated in place (same keys), keeping read, starred and sync
    state. How many file stamps were forgotten.

    Kept for each source, so a source is cleaned again when this cleaner first opens it,
    whatever an older reader still running did to the others; and looked at once per
    process and source, so two readers opening the same folder do not take it from each
    other for ever. (An older reader that refreshes a folder while this one re-cleans it
    can still stamp some files with its cleaning: a fingerprint on each stamp would close
    that, at the cost of a schema change.) A library too busy to answer is asked again
    next time: the stamps it has are still good.
    """
    cleaner = cleaner_fingerprint()
    seen = (str(storage.path), source, cleaner)
    with _restamped_lock:
        if seen in _restamped:
            return 0
        try:
            forgotten = storage.forget_file_stamps(source, cleaner=cleaner)
        except StorageError:
            return 0
        _restamped.add(seen)
    return forgotten


def _stamp(path: Path) -> FileStamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return FileStamp(info.st_size, info.st_mtime_ns)


def kept_spelling(storage: Storage, address: str) -> str | None:
    """The URL a feed of this address (a feed_address) is kept under, where it is spelled
    otherwise (kept before feed_address: 'HTTP://Host/feed#top')."""
    return next((url for url in storage.feed_urls_like(address)
                 if url != address and sanitize.feed_address(url) == address), None)


def local_key(spec: str) -> str:
    """Local sources are keyed by absolute path, so ``./a`` and ``~/x/a`` are one source."""
    if sanitize.is_web_url(spec) or spec.startswith("stdin:"):
        return spec
    try:
        return os.path.abspath(os.path.expanduser(spec))
    except (OSError, ValueError):
        return spec


def _local_title(key: str) -> str:
    name = os.path.basename(key.rstrip(os.sep)) or key
    return sanitize.display_name(name)


def _an_opml_list(spec: str) -> str:
    """Why ``reader add`` takes no OPML list, and what does."""
    shown = sanitize.display_name(spec)
    return f"{shown}: an OPML list of feeds: reader import {shown} adds them"
