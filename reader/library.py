"""The facade the TUI and the CLI call: open the library, load and refresh sources, read views.

Everything here is synchronous and thread-safe per call unless marked ``async``; the TUI
calls it from workers, never from a message handler.

    lib = Library.open(path)                 # --db / READER_DB / the user data folder
    lib.messages                             # one-line notices (a damaged library was replaced)
    ids = lib.view(ArticleQuery(subscribed_only=True))  # ordered ids (array('q')), cheap at 100k
    lib.rows(ids[top:top + 60])              # ArticleRow: only what is on screen
    lib.get(article_id)                      # StoredArticle: the whole article
    lib.read_states(ids)                     # {id: read} for n/p across a view
    lib.search(text, limit=...) / Library.search_terms(text)   # FTS5; terms for highlighting
    lib.mark_read(ids, read) / lib.star(ids, starred) / lib.mark_all_read(feed_id | None)
    lib.undo()                               # the last read/star/mark-all change
    lib.set_read_position(id, 0..1) / lib.set_always_full_text(feed_id, bool)
    lib.feeds(subscribed_only=..., counts=...) / lib.feed(feed_id)
    lib.open_sources(specs, on_result=..., cancelled=..., stdin=...)  # stored, not subscribed
    lib.add(specs, folder=...) / lib.remove(specs_or_ids) / lib.set_folder / lib.rename
    lib.import_file(path) / lib.export_opml()
    await lib.refresh(feed_ids=None, progress=...)  # RefreshSummary; FeedProgress per feed
    await lib.full_text(article_id)          # fetch + extract + keep as full_body

Local sources and feeds opened once are stored like subscriptions, with ``subscribed`` off,
so what was read there is remembered next time. Nothing imports Textual here.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reader.core import sanitize
from reader.core.errors import FetchError, ReaderError, SourceError
from reader.core.models import (
    Article,
    ArticleQuery,
    ArticleRow,
    BodyState,
    FeedInfo,
    FeedKind,
    FetchOutcome,
    FileStamp,
    ImportReport,
    LoadResult,
    SourceKind,
    SourceOutcome,
    StoredArticle,
)
from reader.core.paths import db_path, subscriptions_path
from reader.storage.sqlite import Salvage, SqliteStorage

_HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

if TYPE_CHECKING:
    from reader.core.config import FeedSettings
    from reader.core.models import ProgressCallback, RefreshSummary
    from reader.priming import Primer
    from reader.sources.http import HttpLimits

__all__ = [
    "ImportReport",
    "Library",
    "SourceOutcome",
]

DIRECTORY_BATCH_FILES = 200
DIRECTORY_BATCH_SECONDS = 0.2
PARALLEL_CLEAN_FILES = 100  # from this many changed files on, clean in worker processes
CLEAN_CHUNK = 20  # files per worker task: small, so the first batch shows at once
QUICK_FILES = 30  # a new folder's first files, shown before the rest is even listed
_CHROME_SAMPLE = 300  # text files read to learn a directory's shared chrome
_UNDO_DEPTH = 50


@dataclass(frozen=True, slots=True)
class _Change:
    """One undoable change: ``ids`` had the opposite of ``value`` before it."""

    column: str  # "read" or "starred"
    ids: tuple[int, ...]
    value: bool


class Library:
    """The reader's library. Create with :meth:`open`."""

    def __init__(self, storage: SqliteStorage, *, retention_days: int = 180) -> None:
        self.storage = storage
        self.path = storage.path
        self.messages: list[str] = []
        self.retention_days = retention_days
        self._undo: list[_Change] = []
        self._undo_lock = threading.Lock()
        self._opml_lock = threading.Lock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str | None = None, *, retention_days: int = 180) -> Library:
        """Open (creating) the library; a damaged file is moved aside and a new one started."""
        target = db_path(path)
        storage, salvage = SqliteStorage.open(target)
        library = cls(storage, retention_days=retention_days)
        if salvage is not None:
            library._recover(salvage)
        elif storage.created and subscriptions_path(target).exists():
            # the database was deleted but its list survived next to it
            restored, problem = library._restore_subscriptions()
            library.messages.append(
                problem or f"A new library was started with the {restored} "
                f"subscription{'s' if restored != 1 else ''} of {subscriptions_path(target).name}.")
        return library

    def close(self) -> None:
        self.storage.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recover(self, salvage: Salvage) -> None:
        restored, problem = self._restore_subscriptions()
        if restored == 0:
            for feed in salvage.feeds:
                url = feed.get("url")
                if isinstance(url, str) and _restorable(url):
                    self.storage.upsert_feed(
                        url, title=feed.get("title"), display_name=feed.get("display_name"),
                        folder=feed.get("folder"), subscribed=True,
                        kind=_feed_kind(feed.get("kind")))
                    restored += 1
        if restored:
            self._write_subscriptions()
        marks = len(salvage.states)
        self.messages.append(
            f"The library {self.path.name} was damaged ({salvage.reason}); it was moved to "
            f"{salvage.moved_to.name} and a new one started with {restored} "
            f"subscription{'s' if restored != 1 else ''} and {marks} read/starred "
            f"mark{'s' if marks != 1 else ''} recovered"
            + (f" ({problem})" if problem else "") + ". Run reader refresh to fetch them.")

    def _restore_subscriptions(self) -> tuple[int, str | None]:
        """Subscriptions back from ``subscriptions.opml``: how many, and what went wrong."""
        opml = subscriptions_path(self.path)
        try:
            data = opml.read_bytes()
        except FileNotFoundError:
            return 0, None
        except OSError as error:
            return 0, f"{opml.name} could not be read: {error.strerror or error}"
        try:
            entries = _read_subscriptions(data)
        except (ReaderError, SyntaxError) as error:  # ET.ParseError is a SyntaxError
            return 0, f"{opml.name} could not be read: {error}"
        for entry in entries:
            self.storage.upsert_feed(entry.url, title=entry.title, folder=entry.folder,
                                     display_name=entry.display_name, subscribed=True,
                                     kind=entry.kind)
        return len(entries), None

    # ------------------------------------------------------------------ views and state

    def view(self, query: ArticleQuery, *,
             cancelled: Callable[[], bool] | None = None) -> Sequence[int]:
        """The ordered article ids of a view (an ``array('q')``: 100k ids cost ~1 MB).

        ``cancelled``: polled while the query runs; once true it stops, returning nothing.
        """
        return self.storage.article_ids(query, cancelled=cancelled)

    def rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        return self.storage.rows(ids)

    def get(self, article_id: int) -> StoredArticle | None:
        return self.storage.get(article_id)

    def read_states(self, ids: Sequence[int]) -> dict[int, bool]:
        return self.storage.read_states(ids)

    def feeds(self, *, subscribed_only: bool = False, counts: bool = True) -> list[FeedInfo]:
        """Sources in display order (natural: "Feed 2" before "Feed 10"), with unread counts
        unless ``counts`` is False."""
        return self.storage.feeds(subscribed_only=subscribed_only, counts=counts)

    def feed(self, feed_id: int) -> FeedInfo | None:
        return self.storage.feed(feed_id)

    def search(self, text: str, *, limit: int | None = None) -> Sequence[int]:
        """Ids matching plain words and "quoted phrases", newest first (never a syntax error)."""
        return self.storage.article_ids(ArticleQuery(text=text, limit=limit))

    @staticmethod
    def search_terms(text: str) -> list[str]:
        """The words and phrases of a search, for highlighting matches in the reading pane."""
        from reader.storage.sqlite import search_terms

        return search_terms(text)

    def mark_read(self, ids: Sequence[int], read: bool = True) -> int:
        """Set read state; returns how many changed. Undoable."""
        return self._change("read", ids, read)

    def star(self, ids: Sequence[int], starred: bool = True) -> int:
        return self._change("starred", ids, starred)

    def mark_all_read(self, feed_id: int | None = None) -> int:
        """Every unread article of a feed (None: of the whole library) read. Undoable."""
        ids = self.storage.unread_ids(feed_id)
        if ids:
            self.storage.set_read(ids, True)
            self._push(_Change("read", tuple(ids), True))
        return len(ids)

    def undo(self) -> bool:
        """Revert the last read/star/mark-all change; False when there is nothing to undo."""
        with self._undo_lock:
            if not self._undo:
                return False
            change = self._undo.pop()
        setter = self.storage.set_read if change.column == "read" else self.storage.set_starred
        setter(change.ids, not change.value)
        return True

    def _change(self, column: str, ids: Sequence[int], value: bool) -> int:
        states = (self.storage.read_states(ids) if column == "read"
                  else self.storage.starred_states(ids))
        changed = tuple(i for i in dict.fromkeys(ids) if i in states and states[i] != value)
        if not changed:
            return 0
        setter = self.storage.set_read if column == "read" else self.storage.set_starred
        setter(changed, value)
        self._push(_Change(column, changed, value))
        return len(changed)

    def _push(self, change: _Change) -> None:
        with self._undo_lock:
            self._undo.append(change)
            del self._undo[:-_UNDO_DEPTH]

    def set_read_position(self, article_id: int, position: float) -> None:
        self.storage.set_read_position(article_id, position)

    def set_always_full_text(self, feed_id: int, value: bool) -> None:
        self.storage.set_feed_option(feed_id, always_full_text=value)

    # ------------------------------------------------------------------ full text

    async def full_text(
        self, article_id: int, *, limits: HttpLimits | None = None, client: Any = None,
    ) -> StoredArticle:
        """Fetch the article's page, extract it and keep it as ``full_body``.

        Raises FetchError (one line) when the page cannot be had; the summary stays.
        """
        from reader.sources.http import DEFAULT_LIMITS, make_client

        stored = self.storage.get(article_id)
        if stored is None:
            raise SourceError("the article is no longer in the library")
        url = sanitize.safe_url(stored.article.url)
        if url is None:
            raise FetchError("this article has no web link to fetch")
        limits = limits or DEFAULT_LIMITS
        if client is None:
            async with make_client(limits) as own_client:
                body, _ = await fetch_full_article(own_client, url, limits=limits)
        else:
            body, _ = await fetch_full_article(client, url, limits=limits)
        await asyncio.to_thread(self.storage.set_full_body, article_id, body)
        updated = self.storage.get(article_id)
        if updated is None:
            raise SourceError("the article is no longer in the library")
        return updated

    async def fetch_pending_full_texts(
        self, *, per_feed: int = 50, limits: HttpLimits | None = None,
    ) -> tuple[int, int]:
        """Fetch the full article of recent summary-only entries of "always full text" feeds.

        Runs after a refresh, outside its timing; returns (fetched, failed). Failures keep
        the summary; the next run tries again.
        """
        from reader.sources.http import DEFAULT_LIMITS, make_client

        pending: list[int] = []
        for feed in self.feeds(subscribed_only=True, counts=False):
            if not feed.always_full_text:
                continue
            for article_id in self.view(ArticleQuery(feed_ids=(feed.id,)))[:per_feed]:
                stored = self.storage.get(article_id)
                if stored is not None and stored.body_state is BodyState.SUMMARY:
                    pending.append(article_id)
        if not pending:
            return 0, 0
        limits = limits or DEFAULT_LIMITS
        async with make_client(limits) as client:
            results = await asyncio.gather(
                *(self.full_text(article_id, limits=limits, client=client)
                  for article_id in pending),
                return_exceptions=True,
            )
        failed = sum(isinstance(result, BaseException) for result in results)
        return len(results) - failed, failed

    def apply_feed_settings(self, settings: Mapping[str, FeedSettings]) -> None:
        """Per-feed settings from the config file (display name, "always fetch full text"),
        keyed by feed URL or path; feeds the file does not name are left as they are."""
        for feed in self.feeds(counts=False):
            wanted = settings.get(feed.url)
            if wanted is None:
                continue
            if wanted.always_full_text != feed.always_full_text:
                self.set_always_full_text(feed.id, wanted.always_full_text)
            if wanted.display_name and wanted.display_name != feed.display_name:
                self.rename(feed.id, wanted.display_name)

    # ------------------------------------------------------------------ sources opened once

    def open_sources(
        self,
        specs: Sequence[str],
        *,
        on_result: Callable[[SourceOutcome], None] = lambda outcome: None,
        cancelled: Callable[[], bool] = lambda: False,
        stdin: BinaryIO | None = None,
        primer: Primer | None = None,
        head_start: float = 0.0,
    ) -> list[SourceOutcome]:
        """Load ``reader SOURCE...`` into the library without subscribing to it.

        Files and directories load in order (directories in batches, cleaned files cached
        by path, size and mtime); URLs, including the feeds of OPML lists, are fetched
        together. ``on_result`` is called as each source or batch is stored. ``primer``:
        first files of new folders already cleaned by another process (reader.priming).
        ``head_start``: seconds a folder opened before is left alone after it is reported,
        before its walk for changes begins (an interface painting it wants the interpreter).
        """
        return _SourceLoader(self, on_result, cancelled, subscribe=False, folder=None,
                             stdin=stdin, primer=primer, head_start=head_start).run(specs)

    # ------------------------------------------------------------------ subscriptions

    def add(self, specs: Sequence[str], *, folder: str | None = None,
            on_result: Callable[[SourceOutcome], None] = lambda outcome: None,
            ) -> list[SourceOutcome]:
        """Subscribe to feed URLs (web pages through their feed link), feed files, folders."""
        outcomes = _SourceLoader(self, on_result, lambda: False, subscribe=True,
                                 folder=folder, stdin=None).run(specs)
        if any(o.feed_id is not None for o in outcomes):
            self._write_subscriptions()
        return outcomes

    def remove(self, specs_or_ids: Sequence[str | int]) -> int:
        """Unsubscribe; the articles stay (read state is kept) until pruned by age.

        Raises SourceError naming what is not subscribed.
        """
        feeds = self.storage.feeds(subscribed_only=True, counts=False)
        by_url = {f.url: f for f in feeds}
        by_id = {f.id: f for f in feeds}
        found: list[FeedInfo] = []
        missing: list[str] = []
        for spec in specs_or_ids:
            feed = by_id.get(spec) if isinstance(spec, int) else (
                by_url.get(spec) or by_url.get(_local_key(spec)) or by_url.get(spec.strip()))
            if feed is None:
                missing.append(str(spec))
            else:
                found.append(feed)
        for feed in found:
            self.storage.unsubscribe(feed.id)
        if found:
            self._write_subscriptions()
        if missing:
            names = ", ".join(sanitize.display_name(m) for m in missing)
            raise SourceError(f"not subscribed: {names}")
        return len(found)

    def set_folder(self, feed_id: int, folder: str | None) -> None:
        self.storage.set_folder(feed_id, folder)
        self._write_subscriptions()

    def rename(self, feed_id: int, display_name: str | None) -> None:
        name = sanitize.clean_line(display_name)
        self.storage.upsert_feed(self._feed_url(feed_id), display_name=name or "")
        self._write_subscriptions()

    def _feed_url(self, feed_id: int) -> str:
        feed = self.storage.feed(feed_id)
        if feed is None:
            raise SourceError("no such feed")
        return feed.url

    def import_file(self, path: Path) -> ImportReport:
        """Subscribe to the feeds of an OPML file or a newsboat ``urls`` file (nothing fetched)."""
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise SourceError(f"cannot read {sanitize.display_name(str(path))}: "
                              f"{error.strerror or error}") from error
        entries, warnings = _parse_subscription_list(data)
        report = ImportReport(warnings=warnings)
        for entry in entries:
            existing = self.storage.feed_by_url(entry.url)
            if existing is not None and existing.subscribed:
                report.existing += 1
                continue
            self.storage.upsert_feed(entry.url, title=entry.title, folder=entry.folder,
                                     display_name=entry.display_name, subscribed=True,
                                     kind=FeedKind.FEED)
            report.added += 1
        if report.added:
            self._write_subscriptions()
        return report

    def export_opml(self, *, include_local: bool = False) -> str:
        """The subscriptions as OPML 2.0, folders as nested outlines.

        Local folders and files are left out unless ``include_local`` (they mean nothing
        to another reader); the copy kept next to the database includes them.
        """
        feeds = [f for f in self.storage.feeds(subscribed_only=True, counts=False)
                 if include_local or _is_url(f.url)]
        return _opml(feeds, include_local=include_local)

    def _write_subscriptions(self) -> None:
        """Rewrite ``subscriptions.opml`` atomically: a crash leaves the old or the new one."""
        target = subscriptions_path(self.path)
        with self._opml_lock:
            text = self.export_opml(include_local=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)
            except OSError as error:
                tmp.unlink(missing_ok=True)
                self.messages.append(f"could not write {target.name}: {error.strerror or error}")

    # ------------------------------------------------------------------ refresh

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: ProgressCallback | None = None,
        limits: HttpLimits | None = None,
    ) -> RefreshSummary:
        """Bring subscriptions up to date; see :mod:`reader.refresh`."""
        from reader.refresh import refresh

        return await refresh(self, feed_ids=feed_ids, progress=progress, limits=limits)

    def prune(self) -> int:
        """Drop unstarred read articles older than the retention age."""
        from datetime import timedelta

        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        return self.storage.prune(older_than=cutoff)

    def scan_directory(self, feed: FeedInfo, *,
                       on_result: Callable[[SourceOutcome], None] = lambda o: None,
                       cancelled: Callable[[], bool] = lambda: False) -> SourceOutcome:
        """Pick up new and changed files of a stored directory source."""
        loader = _SourceLoader(self, on_result, cancelled, subscribe=False, folder=None,
                               stdin=None)
        return loader.directory(Path(feed.url), spec=feed.url)

    def reload_file(self, feed: FeedInfo) -> SourceOutcome:
        """Reload a local file source when its size or mtime changed."""
        loader = _SourceLoader(self, lambda o: None, lambda: False, subscribe=False,
                               folder=None, stdin=None)
        return loader.file(Path(feed.url), spec=feed.url)


# ---------------------------------------------------------------------- loading sources


class _SourceLoader:
    """Loads specs into the library; shared by ``open_sources`` and ``add``."""

    def __init__(self, library: Library, on_result: Callable[[SourceOutcome], None],
                 cancelled: Callable[[], bool], *, subscribe: bool, folder: str | None,
                 stdin: BinaryIO | None, primer: Primer | None = None,
                 head_start: float = 0.0) -> None:
        self.primer = primer
        self.head_start = head_start
        self.library = library
        self.storage = library.storage
        self.on_result = on_result
        self.cancelled = cancelled
        self.subscribe = subscribe
        self.folder = folder
        self.stdin = stdin

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
            if _is_url(spec):
                urls.append(spec.strip())
                continue
            try:
                outcome, feed_urls = self.local(spec)
            except Exception as error:  # noqa: BLE001 - one source never stops the others
                reason = str(error) if isinstance(error, ReaderError) else \
                    f"could not be loaded ({type(error).__name__})"
                outcome, feed_urls = self._emit(SourceOutcome(
                    spec=spec, error=f"{sanitize.display_name(spec)}: {reason}")), []
            outcomes.append(outcome)
            urls.extend(feed_urls)
        if urls and not self.cancelled():
            outcomes.extend(_run_async(lambda: self.urls(urls)))
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
                spec=spec, error=f"no such file or directory: {sanitize.display_name(spec)}")), []
        if is_dir:
            return self.directory(path, spec=spec), []
        return self._file(path, spec=spec)

    def standard_input(self) -> SourceOutcome:
        from reader.sources.load import load_stdin

        result = load_stdin(self.stdin or sys.stdin.buffer)
        return self._store_result("stdin:-", result, spec="-", kind=FeedKind.FILE)

    def file(self, path: Path, *, spec: str) -> SourceOutcome:
        return self._file(path, spec=spec)[0]

    def _file(self, path: Path, *, spec: str) -> tuple[SourceOutcome, list[str]]:
        from reader.sources.load import load_path

        key = _local_key(str(path))
        if _path_text(Path(key)) != key:
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: the file's name is not "
                "valid UTF-8; rename it to keep it in the library")), []
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
        if result.kind is SourceKind.OPML:
            if self.subscribe:
                return self._emit(SourceOutcome(
                    spec=spec, error=f"{sanitize.display_name(spec)} is an OPML list: use "
                    "reader import")), []
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
        from reader.sources.files import walk

        key = _local_key(str(path))
        if _path_text(Path(key)) != key:
            return self._emit(SourceOutcome(
                spec=spec, error=f"{sanitize.display_name(spec)}: the folder's name is not "
                "valid UTF-8; rename it to keep it in the library"))
        if not path.is_dir():
            existing = self.storage.feed_by_url(key)
            return self._emit(SourceOutcome(
                spec=spec, feed_id=existing.id if existing else None,
                error=f"{sanitize.display_name(spec)}: folder not found (its articles are kept)"))
        feed_id = self.storage.upsert_feed(key, title=_local_title(key),
                                           kind=FeedKind.DIRECTORY,
                                           subscribed=self._subscribed(), folder=self.folder)
        known = self.storage.file_stamps(feed_id)
        if known:
            # what was cleaned before is shown at once; the walk only looks for changes
            self._emit(SourceOutcome(spec=spec, feed_id=feed_id, done=False))
            time.sleep(self.head_start)
        changed: list[tuple[Path, FileStamp]] = []
        warnings: list[str] = []
        quick_new = 0
        primed = self.primer.take(key) if self.primer is not None and not known else None
        if primed:
            # cleaned by another process while the interface started: on screen now
            quick_new = self._quick_batch(feed_id, spec, primed)
        for entry in walk(Path(key)):  # absolute: a relative spec must give the same keys
            if entry.error is not None:
                warnings.append(f"{sanitize.display_name(str(entry.path))}: {entry.error}")
                continue
            if entry.size is None or entry.mtime_ns is None:
                continue
            stamp = FileStamp(entry.size, entry.mtime_ns)
            if known.get(_path_text(entry.path)) != stamp:
                changed.append((entry.path, stamp))
                if not known and not primed and len(changed) == QUICK_FILES:
                    # A folder opened for the first time: a screenful of its files goes
                    # on screen now, cleaned without the folder's chrome (learnt below from
                    # a sample). They are not stamped, so the full pass cleans them again.
                    quick_new = self._quick_batch(feed_id, spec, [
                        _cleaned_alone(path, stamp) for path, stamp in changed])
        new = quick_new
        if changed:
            cleaned, errors = self._clean_files(feed_id, spec, changed)
            new += cleaned
            warnings.extend(errors)
        self.storage.record_fetch(feed_id, state=None, error=None, when=datetime.now(UTC))
        feed = self.storage.feed(feed_id)
        return self._emit(SourceOutcome(
            spec=spec, feed_id=feed_id, title=feed.name if feed else key, new=new,
            total=feed.total if feed else 0, warnings=tuple(warnings)))

    def _quick_batch(self, feed_id: int, spec: str, files: list[PrimedFile]) -> int:
        # unstamped: the full pass cleans these again, with the folder's chrome
        return self._flush(feed_id, spec, [(source, None, _member_articles(result))
                                           for source, _, result in files])

    def _clean_files(self, feed_id: int, spec: str,
                     files: list[tuple[Path, FileStamp]]) -> tuple[int, list[str]]:
        chrome = _learn_chrome([p for p, _ in files])
        total_new = 0
        errors: list[str] = []
        batch: list[tuple[str, FileStamp | None, Sequence[Article]]] = []
        started = time.monotonic()
        for (path, stamp), result in zip(files, self._cleaned(files, chrome), strict=False):
            source = _path_text(path)
            if result.error is not None and not result.articles:
                errors.append(result.error)
            # a file that gave nothing is still stamped: it is not re-read until it changes
            batch.append((source, stamp, _member_articles(result)))
            errors.extend(result.warnings)
            if (len(batch) >= DIRECTORY_BATCH_FILES
                    or time.monotonic() - started >= DIRECTORY_BATCH_SECONDS):
                total_new += self._flush(feed_id, spec, batch)
                batch, started = [], time.monotonic()
        if batch:
            total_new += self._flush(feed_id, spec, batch)
        return total_new, errors

    def _cleaned(self, files: list[tuple[Path, FileStamp]],
                 chrome: frozenset[str]) -> Iterator[LoadResult]:
        """Each file's LoadResult, in order; stops early when cancelled.

        Cleaning is pure Python: in the TUI's process it would hold the GIL the interface
        needs, so a big folder is cleaned by worker processes (a few files per task, a few
        tasks ahead) and this thread only writes.
        """
        items = [(path, _path_text(path)) for path, _ in files]
        if len(items) < PARALLEL_CLEAN_FILES:
            for path, source in items:
                if self.cancelled():
                    return
                yield _clean_one(path, source, chrome)
            return
        from concurrent.futures import Future, ProcessPoolExecutor

        from reader.refresh import PARSE_PROCESSES, _context

        chunks = [items[i:i + CLEAN_CHUNK] for i in range(0, len(items), CLEAN_CHUNK)]
        pool = ProcessPoolExecutor(PARSE_PROCESSES, mp_context=_context())
        try:
            ahead: list[Future[list[LoadResult]]] = []
            submitted = 0
            for index in range(len(chunks)):
                while submitted < len(chunks) and len(ahead) < 4 * PARSE_PROCESSES:
                    ahead.append(pool.submit(_clean_chunk, chunks[submitted], chrome))
                    submitted += 1
                future = ahead.pop(0)
                try:
                    results = future.result()
                except Exception:  # noqa: BLE001 - a dead worker: this chunk is done here
                    results = [_clean_one(p, src, chrome) for p, src in chunks[index]]
                yield from results
                if self.cancelled():
                    return
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _flush(self, feed_id: int, spec: str,
               batch: list[tuple[str, FileStamp | None, Sequence[Article]]]) -> int:
        new = self.storage.store_files(feed_id, batch)
        self._emit(SourceOutcome(spec=spec, feed_id=feed_id, new=new, done=False))
        return new

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
        from reader.sources.load import load_url_async

        checked = sanitize.safe_url(url)
        if checked is None:
            return self._emit(SourceOutcome(
                spec=url, error=f"{sanitize.display_name(url)}: not an http(s) URL")), []
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
                    spec=url, error=f"{url} is an OPML list: use reader import")), []
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
        from reader.refresh import newest

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


async def fetch_full_article(
    client: Any, url: str, *, limits: HttpLimits | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The extracted article behind ``url`` as Markdown, with the extractor's warnings.

    Raises FetchError (one line) when the page cannot be fetched or holds no article.
    """
    from reader.cleaning.html import decode_html, extract_article
    from reader.sources.http import DEFAULT_LIMITS, fetch

    response = await fetch(client, url, limits=limits or DEFAULT_LIMITS, accept=_HTML_ACCEPT)

    def extract() -> tuple[str, tuple[str, ...]]:
        page = extract_article(decode_html(response.content), url=response.url)
        return sanitize.strip_controls(page.body).strip(), page.warnings

    body, warnings = await asyncio.to_thread(extract)
    if not body:
        raise FetchError(f"no readable article found at {url}")
    return body, warnings


PrimedFile = tuple[str, FileStamp, LoadResult]  # (path as stored, stamp, cleaned)


def first_files(folder: str, count: int) -> list[PrimedFile]:
    """The first ``count`` files of a folder (in walk order), cleaned without its chrome:
    what a new folder shows while the rest is listed (see reader.priming)."""
    from reader.sources.files import walk

    cleaned: list[PrimedFile] = []
    for entry in walk(Path(folder)):
        if len(cleaned) >= count:
            break
        if entry.error is None and entry.size is not None and entry.mtime_ns is not None:
            cleaned.append(_cleaned_alone(entry.path, FileStamp(entry.size, entry.mtime_ns)))
    return cleaned


def _cleaned_alone(path: Path, stamp: FileStamp) -> PrimedFile:
    """One file of a folder cleaned before its shared chrome is known."""
    source = _path_text(path)
    return source, stamp, _clean_one(path, source, frozenset())


def _clean_chunk(items: list[tuple[Path, str]], chrome: frozenset[str]) -> list[LoadResult]:
    """Files of a folder cleaned in a worker process (never raises)."""
    return [_clean_one(path, source, chrome) for path, source in items]


def _clean_one(path: Path, source: str, chrome: frozenset[str]) -> LoadResult:
    from reader.sources.files import read_file
    from reader.sources.load import load_bytes

    try:
        data = read_file(path)
    except ReaderError as error:
        return LoadResult(source=source, error=str(error))
    except Exception as error:  # noqa: BLE001 - one bad file never stops a folder
        return LoadResult(source=source, error=f"{sanitize.display_name(source)}: could not "
                          f"be read ({type(error).__name__})")
    return load_bytes(data, source=source, name=path.name, chrome=chrome, base_dir=path.parent)


def _member_articles(result: LoadResult) -> tuple[Article, ...]:
    """Articles of one file of a folder, keyed so two files can never collide."""
    if len(result.articles) == 1 and result.kind not in (SourceKind.FEED, SourceKind.JSON_FEED):
        article = result.articles[0]
        return (_rekey(article, result.source),)
    return tuple(_rekey(a, f"{result.source}#{a.key}") for a in result.articles)


def _rekey(article: Article, key: str) -> Article:
    from dataclasses import replace

    return article if article.key == key else replace(article, key=key)


def _learn_chrome(paths: list[Path]) -> frozenset[str]:
    """The lines a site repeats in its text dumps, learnt from a sample of the folder."""
    from reader.cleaning.text import repeated_lines
    from reader.sources.decode import decode_bytes
    from reader.sources.files import read_file
    from reader.sources.sniff import sniff

    texts: list[str] = []
    for path in paths:
        if len(texts) >= _CHROME_SAMPLE:
            break
        try:
            data = read_file(path)
        except Exception:  # noqa: BLE001 - reported when the file itself is loaded
            continue
        if sniff(data, name=path.name) is SourceKind.TEXT:
            texts.append(decode_bytes(data).text)
    if len(texts) < 3:
        return frozenset()
    try:
        return repeated_lines(texts)
    except Exception:  # noqa: BLE001 - chrome removal improves, never fails, a load
        return frozenset()


def _stamp(path: Path) -> FileStamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return FileStamp(info.st_size, info.st_mtime_ns)


def _path_text(path: Path) -> str:
    """A path as storable text: a name that is not UTF-8 or carries control characters in
    its displayable form (as the loaders name it); the walk keeps the real Path for reading."""
    raw = os.fspath(path)
    return sanitize.display_name(raw)


def _local_key(spec: str) -> str:
    """Local sources are keyed by absolute path, so ``./a`` and ``~/x/a`` are one source."""
    if _is_url(spec) or spec.startswith("stdin:"):
        return spec
    try:
        return os.path.abspath(os.path.expanduser(spec))
    except (OSError, ValueError):
        return spec


def _local_title(key: str) -> str:
    name = os.path.basename(key.rstrip(os.sep)) or key
    return sanitize.display_name(name)


def _is_url(spec: str) -> bool:
    return spec.strip()[:8].lower().startswith(("http://", "https://"))


def _restorable(url: str) -> bool:
    return _is_url(url) or os.path.isabs(url)


def _feed_kind(value: object) -> FeedKind:
    try:
        return FeedKind(str(value))
    except ValueError:
        return FeedKind.FEED


def _run_async(factory: Callable[[], object]) -> list[SourceOutcome]:
    """Run a coroutine from sync code, also from a thread whose loop is already running."""

    async def main() -> list[SourceOutcome]:
        return await factory()  # type: ignore[no-any-return, misc]

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    # called from inside a running loop (a Textual async worker by mistake): use a thread
    box: list[list[SourceOutcome]] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            box.append(asyncio.run(main()))
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return box[0]


# ---------------------------------------------------------------------- subscription lists


@dataclass(frozen=True, slots=True)
class _Entry:
    url: str
    title: str | None = None
    folder: str | None = None
    display_name: str | None = None
    kind: FeedKind = FeedKind.FEED


def _parse_subscription_list(data: bytes) -> tuple[list[_Entry], list[str]]:
    """OPML, or else newsboat's ``urls`` format; raises SourceError when it is neither."""
    head = data.lstrip()[:512].lower()
    if head.startswith(b"<") or b"<opml" in head:
        from reader.sources.opml import parse_opml

        document = parse_opml(data)
        entries = [_Entry(o.url, title=o.title, folder=o.folder) for o in document.outlines]
        return entries, [f"skipped {line}" for line in document.rejected]
    return _parse_newsboat_urls(data)


def _parse_newsboat_urls(data: bytes) -> tuple[list[_Entry], list[str]]:
    """newsboat's ``urls`` file: URL, then tags; the first tag is the folder, "~x" the name.

    ``exec:``, ``filter:`` and ``query:`` lines run commands or are virtual feeds in
    newsboat: they are skipped with a warning and never run.
    """
    import shlex

    text = data.decode("utf-8", "replace")
    entries: list[_Entry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            fields = shlex.split(line, comments=True)
        except ValueError:
            fields = line.split()
        if not fields:
            continue
        url, tags = fields[0], fields[1:]
        scheme = url.split(":", 1)[0].lower()
        if scheme in ("exec", "filter", "query"):
            warnings.append(f"line {number}: skipped {scheme}: entry (never run)")
            continue
        checked = sanitize.safe_url(url)
        if checked is None:
            shown = sanitize.clean_line(url, limit=120) or "?"
            warnings.append(f"line {number}: skipped {shown} (not an http(s) URL)")
            continue
        if checked in seen:
            continue
        seen.add(checked)
        name = next((sanitize.clean_line(t[1:]) for t in tags if t.startswith("~")), None)
        folders = [t for t in tags if not t.startswith(("~", "!"))]
        folder = sanitize.clean_line(folders[0]) if folders else None
        entries.append(_Entry(checked, title=name, folder=folder, display_name=name))
    if not entries and not warnings:
        raise SourceError("not an OPML file or a newsboat urls file (no feed URL found)")
    return entries, warnings


def _opml(feeds: Sequence[FeedInfo], *, include_local: bool) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             "  <head>", "    <title>reader subscriptions</title>",
             f"    <dateCreated>{_rfc822_now()}</dateCreated>", "  </head>", "  <body>"]
    folders: dict[str | None, list[FeedInfo]] = {}
    for feed in feeds:
        folders.setdefault(feed.folder, []).append(feed)
    for feed in folders.pop(None, []):
        lines.append("    " + _outline(feed, include_local))
    for folder, members in folders.items():
        name = quoteattr(_xml_safe(folder or ""))
        lines.append(f"    <outline text={name} title={name}>")
        lines.extend("      " + _outline(feed, include_local) for feed in members)
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _outline(feed: FeedInfo, include_local: bool) -> str:
    text = quoteattr(_xml_safe(feed.name))
    attrs = [f"text={text}", f"title={text}"]
    if _is_url(feed.url):
        attrs.insert(0, 'type="rss"')
        attrs.append(f"xmlUrl={quoteattr(_xml_safe(feed.url))}")
    else:
        attrs.insert(0, f'type="{feed.kind.value}"')
        attrs.append(f"xmlUrl={quoteattr(_xml_safe(Path(feed.url).as_uri()))}")
    if feed.display_name and include_local:
        attrs.append(f"readerName={quoteattr(_xml_safe(feed.display_name))}")
    return "<outline " + " ".join(attrs) + "/>"


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes (xml.sax.saxutils costs 50 ms of imports)."""
    escaped = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))
    return f'"{escaped}"'


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot carry most control characters even as references
    return "".join(ch for ch in text if ch in "\t\n" or ch >= " ")


def _rfc822_now() -> str:
    from email.utils import format_datetime

    return format_datetime(datetime.now(UTC))


def _read_subscriptions(data: bytes) -> list[_Entry]:
    """Our own ``subscriptions.opml``: feeds plus local folders and files (file:// URIs)."""
    import xml.etree.ElementTree as ET

    from reader.sources.xmlsafe import RefusedXml, check_xml

    try:
        check_xml(data, max_bytes=10 * 2**20)
    except RefusedXml as refused:
        raise SourceError(f"refused: {refused}") from None
    root = ET.fromstring(data)
    body = root.find("body")
    entries: list[_Entry] = []
    for top in (body if body is not None else root):
        if top.get("xmlUrl") is not None:
            entries.extend(_subscription(top, None))
            continue
        folder = sanitize.clean_line(top.get("text"))
        for outline in top.iter("outline"):
            if outline.get("xmlUrl") is not None:
                entries.extend(_subscription(outline, folder))
    return entries


def _subscription(outline: Any, folder: str | None) -> list[_Entry]:
    from urllib.parse import unquote, urlsplit

    url = outline.get("xmlUrl") or ""
    kind = FeedKind.FEED if outline.get("type") == "rss" else _feed_kind(outline.get("type"))
    if url.startswith("file://"):
        url = unquote(urlsplit(url).path)
        if not os.path.isabs(url):
            return []
    elif sanitize.safe_url(url) is None:
        return []
    return [_Entry(url, title=sanitize.clean_line(outline.get("title")), folder=folder,
                   display_name=sanitize.clean_line(outline.get("readerName")), kind=kind)]
