"""The facade the TUI and the CLI call: open the library, load and refresh sources, read views.

Everything here is synchronous and thread-safe per call unless marked ``async``; the TUI
calls it from workers, never from a message handler.

    lib = Library.open(path)                 # --db / READER_DB / the user data folder
    lib.messages                             # one-line notices (a damaged library was replaced)
    ids = lib.view(ArticleQuery(subscribed_only=True))  # ordered ids (array('q')), cheap at 100k
    lib.rows(ids[top:top + 60])              # ArticleRow: only what is on screen
    lib.get(article_id)                      # StoredArticle: the whole article
    lib.read_states(ids)                     # {id: read} for n/p across a view
    lib.search(text, limit=...)              # FTS5: words and "quoted phrases"
    lib.mark_read(ids, read) / lib.star(ids, starred) / lib.mark_all_read(feed_id | None)
    lib.undo()                               # the last read/star/mark-all change
    lib.set_read_position(id, 0..1) / lib.set_always_full_text(feed_id, bool)
    lib.feeds(subscribed_only=..., counts=...) / lib.feed(feed_id)
    lib.open_sources(specs, on_result=..., cancelled=..., stdin=...)  # stored, not subscribed
    lib.add(specs, folder=...) / lib.remove(specs_or_ids) / lib.set_folder / lib.rename
    lib.import_file(path) / lib.export_opml()
    await lib.refresh(feed_ids=None, progress=...)  # RefreshSummary; FeedProgress per feed
    await lib.full_text(article_id)          # fetch + extract + keep as full_body
    lib.raw_dump(article_id)                 # a text dump as read, with what the cleaner kept
    lib.save_markdown(article_id, folder)    # the article as a Markdown file

Local sources and feeds opened once are stored like subscriptions, with ``subscribed`` off,
so what was read there is remembered next time. Nothing imports Textual here.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reader.core import sanitize
from reader.core.errors import FetchError, ReaderError, SourceError
from reader.core.models import (
    ArticleQuery,
    ArticleRow,
    BodyState,
    FeedInfo,
    FeedKind,
    ImportReport,
    SourceOutcome,
    StoredArticle,
)
from reader.core.paths import db_path, subscriptions_path
from reader.storage.base import Storage

if TYPE_CHECKING:
    from reader.core.config import FeedSettings
    from reader.core.models import PrimedFolders, ProgressCallback, RefreshSummary
    from reader.sources.http import HttpLimits
    from reader.storage.sqlite import Salvage

__all__ = ["Library", "RawDump"]

_UNDO_DEPTH = 50


@dataclass(frozen=True, slots=True)
class RawDump:
    """A plain-text dump as it was read: its lines, and which of them the cleaner kept."""

    lines: tuple[str, ...]
    kept: tuple[bool, ...]  # kept[i]: lines[i] went into the body


@dataclass(frozen=True, slots=True)
class _Change:
    """One undoable change: ``ids`` had the opposite of ``value`` before it."""

    column: str  # "read" or "starred"
    ids: tuple[int, ...]
    value: bool


class Library:
    """The reader's library over a :class:`~reader.storage.base.Storage`; :meth:`open` opens
    the SQLite one."""

    def __init__(self, storage: Storage, *, retention_days: int = 180) -> None:
        self._storage = storage
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
        from reader.storage.sqlite import SqliteStorage

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
        self._storage.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recover(self, salvage: Salvage) -> None:
        from reader.ingest.subscriptions import feed_kind

        restored, problem = self._restore_subscriptions()
        if restored == 0:
            for feed in salvage.feeds:
                url = feed.get("url")
                if isinstance(url, str) and _restorable(url):
                    self._storage.upsert_feed(
                        url, title=feed.get("title"), display_name=feed.get("display_name"),
                        folder=feed.get("folder"), subscribed=True,
                        kind=feed_kind(feed.get("kind")))
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
        from reader.ingest.subscriptions import read_own_opml

        opml = subscriptions_path(self.path)
        try:
            data = opml.read_bytes()
        except FileNotFoundError:
            return 0, None
        except OSError as error:
            return 0, f"{opml.name} could not be read: {error.strerror or error}"
        try:
            entries = read_own_opml(data)
        except (ReaderError, SyntaxError) as error:  # ET.ParseError is a SyntaxError
            return 0, f"{opml.name} could not be read: {error}"
        for entry in entries:
            self._storage.upsert_feed(entry.url, title=entry.title, folder=entry.folder,
                                     display_name=entry.display_name, subscribed=True,
                                     kind=entry.kind)
        return len(entries), None

    # ------------------------------------------------------------------ views and state

    def view(self, query: ArticleQuery, *,
             cancelled: Callable[[], bool] | None = None) -> Sequence[int]:
        """The ordered article ids of a view (an ``array('q')``: 100k ids cost ~1 MB).

        ``cancelled``: polled while the query runs; once true it stops, returning nothing.
        """
        return self._storage.article_ids(query, cancelled=cancelled)

    def rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        return self._storage.rows(ids)

    def get(self, article_id: int) -> StoredArticle | None:
        return self._storage.get(article_id)

    def read_states(self, ids: Sequence[int]) -> dict[int, bool]:
        return self._storage.read_states(ids)

    def feeds(self, *, subscribed_only: bool = False, counts: bool = True) -> list[FeedInfo]:
        """Sources in display order (natural: "Feed 2" before "Feed 10"), with unread counts
        unless ``counts`` is False."""
        return self._storage.feeds(subscribed_only=subscribed_only, counts=counts)

    def feed(self, feed_id: int) -> FeedInfo | None:
        return self._storage.feed(feed_id)

    def article_count(self) -> int:
        """How many articles the library holds, subscribed or not."""
        return self._storage.article_count()

    def find_feed(self, spec: str) -> FeedInfo | None:
        """The source a URL or a path (relative, ``~``) names, if the library has it."""
        from reader.intake import local_key

        return self._storage.feed_by_url(spec.strip()) or self._storage.feed_by_url(
            local_key(spec))

    def search(self, text: str, *, limit: int | None = None) -> Sequence[int]:
        """Ids matching plain words and "quoted phrases", newest first (never a syntax error)."""
        return self._storage.article_ids(ArticleQuery(text=text, limit=limit))

    def mark_read(self, ids: Sequence[int], read: bool = True) -> int:
        """Set read state; returns how many changed. Undoable."""
        return self._change("read", ids, read)

    def star(self, ids: Sequence[int], starred: bool = True) -> int:
        return self._change("starred", ids, starred)

    def mark_all_read(self, feed_id: int | None = None) -> int:
        """Every unread article of a feed (None: of the whole library) read. Undoable."""
        ids = self._storage.unread_ids(feed_id)
        if ids:
            self._storage.set_read(ids, True)
            self._push(_Change("read", tuple(ids), True))
        return len(ids)

    def undo(self) -> bool:
        """Revert the last read/star/mark-all change; False when there is nothing to undo."""
        with self._undo_lock:
            if not self._undo:
                return False
            change = self._undo.pop()
        setter = self._storage.set_read if change.column == "read" else self._storage.set_starred
        setter(change.ids, not change.value)
        return True

    def _change(self, column: str, ids: Sequence[int], value: bool) -> int:
        states = (self._storage.read_states(ids) if column == "read"
                  else self._storage.starred_states(ids))
        changed = tuple(i for i in dict.fromkeys(ids) if i in states and states[i] != value)
        if not changed:
            return 0
        setter = self._storage.set_read if column == "read" else self._storage.set_starred
        setter(changed, value)
        self._push(_Change(column, changed, value))
        return len(changed)

    def _push(self, change: _Change) -> None:
        with self._undo_lock:
            self._undo.append(change)
            del self._undo[:-_UNDO_DEPTH]

    def set_read_position(self, article_id: int, position: float) -> None:
        self._storage.set_read_position(article_id, position)

    def set_always_full_text(self, feed_id: int, value: bool) -> None:
        self._storage.set_feed_option(feed_id, always_full_text=value)

    # ------------------------------------------------------------------ full text

    async def full_text(
        self, article_id: int, *, limits: HttpLimits | None = None, client: Any = None,
    ) -> StoredArticle:
        """Fetch the article's page, extract it and keep it as ``full_body``.

        Raises FetchError (one line) when the page cannot be had; the summary stays.
        """
        from reader.ingest.pages import fetch_full_article
        from reader.sources.http import DEFAULT_LIMITS, make_client

        stored = self._storage.get(article_id)
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
        await asyncio.to_thread(self._storage.set_full_body, article_id, body)
        updated = self._storage.get(article_id)
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
                stored = self._storage.get(article_id)
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
        primed: PrimedFolders | None = None,
        head_start: float = 0.0,
    ) -> list[SourceOutcome]:
        """Load ``reader SOURCE...`` into the library without subscribing to it.

        Files and directories load in order (directories in batches, cleaned files cached
        by path, size and mtime); URLs, including the feeds of OPML lists, are fetched
        together. ``on_result`` is called as each source or batch is stored. ``primed``:
        first files of new folders already loaded by another process (reader.priming).
        ``head_start``: seconds a folder opened before is left alone after it is reported,
        before its walk for changes begins (an interface painting it wants the interpreter).
        """
        from reader.intake import Intake

        intake = Intake(self._storage, on_result=on_result, cancelled=cancelled, stdin=stdin,
                        primed=primed, head_start=head_start)
        return intake.run(specs)

    # ------------------------------------------------------------------ subscriptions

    def add(self, specs: Sequence[str], *, folder: str | None = None,
            on_result: Callable[[SourceOutcome], None] = lambda outcome: None,
            ) -> list[SourceOutcome]:
        """Subscribe to feed URLs (web pages through their feed link), feed files, folders."""
        from reader.intake import Intake

        stored = False

        def heard(outcome: SourceOutcome) -> None:
            nonlocal stored
            stored = stored or outcome.feed_id is not None
            on_result(outcome)

        try:
            return Intake(self._storage, on_result=heard, subscribe=True,
                          folder=folder).run(specs)
        finally:
            if stored:  # also when stopped part way (Ctrl+C): the list matches the library
                self._write_subscriptions()

    def remove(self, specs_or_ids: Sequence[str | int]) -> int:
        """Unsubscribe; the articles stay (read state is kept) until pruned by age.

        Raises SourceError naming what is not subscribed.
        """
        from reader.intake import local_key

        feeds = self._storage.feeds(subscribed_only=True, counts=False)
        by_url = {f.url: f for f in feeds}
        by_id = {f.id: f for f in feeds}
        found: list[FeedInfo] = []
        missing: list[str] = []
        for spec in specs_or_ids:
            feed = by_id.get(spec) if isinstance(spec, int) else (
                by_url.get(spec) or by_url.get(local_key(spec)) or by_url.get(spec.strip()))
            if feed is None:
                missing.append(str(spec))
            else:
                found.append(feed)
        for feed in found:
            self._storage.unsubscribe(feed.id)
        if found:
            self._write_subscriptions()
        if missing:
            names = ", ".join(sanitize.display_name(m) for m in missing)
            raise SourceError(f"not subscribed: {names}")
        return len(found)

    def set_folder(self, feed_id: int, folder: str | None) -> None:
        self._storage.set_folder(feed_id, folder)
        self._write_subscriptions()

    def rename(self, feed_id: int, display_name: str | None) -> None:
        name = sanitize.clean_line(display_name)
        self._storage.upsert_feed(self._feed_url(feed_id), display_name=name or "")
        self._write_subscriptions()

    def _feed_url(self, feed_id: int) -> str:
        feed = self._storage.feed(feed_id)
        if feed is None:
            raise SourceError("no such feed")
        return feed.url

    def import_file(self, path: Path) -> ImportReport:
        """Subscribe to the feeds of an OPML file or a newsboat ``urls`` file (nothing fetched)."""
        from reader.ingest.subscriptions import parse_subscription_list

        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise SourceError(f"cannot read {sanitize.display_name(str(path))}: "
                              f"{error.strerror or error}") from error
        entries, warnings = parse_subscription_list(data)
        report = ImportReport(warnings=warnings)
        try:
            for entry in entries:
                existing = self._storage.feed_by_url(entry.url)
                if existing is not None and existing.subscribed:
                    report.existing += 1
                    continue
                self._storage.upsert_feed(entry.url, title=entry.title, folder=entry.folder,
                                         display_name=entry.display_name, subscribed=True,
                                         kind=FeedKind.FEED)
                report.added += 1
        finally:
            if report.added:  # also when stopped part way (Ctrl+C)
                self._write_subscriptions()
        return report

    def export_opml(self, *, include_local: bool = False) -> str:
        """The subscriptions as OPML 2.0, folders as nested outlines.

        Local folders and files are left out unless ``include_local`` (they mean nothing
        to another reader); the copy kept next to the database includes them.
        """
        from reader.ingest.subscriptions import write_opml

        feeds = [f for f in self._storage.feeds(subscribed_only=True, counts=False)
                 if include_local or sanitize.is_web_url(f.url)]
        return write_opml(feeds, include_local=include_local)

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
            except BaseException:  # Ctrl+C: the old list stays whole, no temporary file left
                tmp.unlink(missing_ok=True)
                raise

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

        return await refresh(self._storage, feed_ids=feed_ids, progress=progress,
                             limits=limits, retention_days=self.retention_days)

    def prune(self) -> int:
        """Drop unstarred read articles older than the retention age."""
        from reader.refresh import prune

        return prune(self._storage, self.retention_days)

    # ------------------------------------------------------------------ reading aids

    def raw_dump(self, article_id: int) -> RawDump:
        """A plain-text article's file as read, line by line, with the lines its body kept.

        Raises SourceError (one line) when the article is not a text file or the file
        cannot be read any more.
        """
        from reader.ingest.load import read_dump

        stored = self._storage.get(article_id)
        if stored is None:
            raise SourceError("the article is no longer in the library")
        lines, kept = read_dump(stored.article)
        return RawDump(lines, kept)

    def save_markdown(self, article_id: int, folder: Path, *, full: bool = False) -> Path:
        """Write the article (its full text when ``full`` and fetched) as Markdown with
        front matter to a new file in ``folder``, named after its title; returns the path."""
        from reader.formats import article_markdown, file_stem

        stored = self._storage.get(article_id)
        if stored is None:
            raise SourceError("the article is no longer in the library")
        body = stored.full_body if full and stored.full_body else None
        text = article_markdown(stored.article, body=body)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = _unique_path(folder, file_stem(stored.article.title))
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise SourceError(f"cannot write to {sanitize.display_name(str(folder))}: "
                              f"{error.strerror or error}") from error
        return path


def _unique_path(folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.md"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}.md"
        number += 1
    return path


def _restorable(url: str) -> bool:
    return sanitize.is_web_url(url) or os.path.isabs(url)
