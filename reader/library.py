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
    await lib.add_account(kind, url, user, password=... | password_file=... | password_command=...)
    lib.accounts() / lib.remove_account(name)
    await lib.sync(names=None, progress=...)  # [SyncReport]: feed servers, both ways
    await lib.full_text(article_id)          # fetch + extract + keep as full_body
    lib.raw_dump(article_id)                 # a text dump as read, with what the cleaner kept
    lib.save_markdown(article_id, folder)    # the article as a Markdown file

Local sources and feeds opened once are stored like subscriptions, with ``subscribed`` off,
so what was read there is remembered next time. Feeds of an account on a feed server are
subscriptions too, bound to the account: ``refresh`` syncs the account instead of fetching
them, ``add`` subscribes on the server when there is one account (``account=``, ``local=``),
``remove`` unsubscribes there, and read/starred changes to their articles are journaled by
the storage for the next sync. Nothing imports Textual here.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from reader.core import sanitize
from reader.core.aio import run_sync
from reader.core.errors import (
    FetchError,
    ReaderError,
    SourceError,
    StorageError,
    SyncError,
    one_line,
    unexpected,
)
from reader.core.models import (
    ArticleQuery,
    ArticleRow,
    BodyState,
    FeedInfo,
    FeedKind,
    FeedProgress,
    ImportReport,
    SourceOutcome,
    StoredArticle,
)
from reader.core.paths import db_chosen, db_path, not_regular_file, subscriptions_path
from reader.storage.base import Storage

if TYPE_CHECKING:  # (the sync types among them are imported when syncing, not at start)
    from reader.core.config import FeedSettings
    from reader.core.models import PrimedFolders, ProgressCallback, RefreshSummary
    from reader.core.sync import Account, SyncProgress, SyncReport
    from reader.sources.http import HttpLimits
    from reader.storage.sqlite import Salvage

__all__ = ["Library", "RawDump"]

_UNDO_DEPTH = 50
IMPORT_BATCH = 2000  # subscriptions stored in one transaction by an import (~25 ms)


@dataclass(frozen=True, slots=True)
class RawDump:
    """A plain-text dump as it was read: its lines, and which of them the cleaner kept."""

    lines: tuple[str, ...]
    kept: tuple[bool, ...]  # kept[i]: lines[i] went into the body


@dataclass(frozen=True, slots=True)
class Change:
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
        self._undo: list[Change] = []
        self._undo_lock = threading.Lock()
        self._opml_lock = threading.Lock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str | None = None, *, retention_days: int = 180) -> Library:
        """Open (creating) the library; a damaged file is moved aside and a new one started."""
        from reader.storage.sqlite import SqliteStorage

        target = db_path(path)
        # a typo in --db must not leave a tree of new folders behind; only the default
        # data folder is made on first use
        problem = _unusable_place(target) if db_chosen(path) else None
        if problem is not None:
            raise StorageError(f"cannot open the library "
                               f"{sanitize.display_name(str(target))}: {problem}")
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
            f"library {self.path.name}: database damaged ({_damage(salvage.reason)}), moved "
            f"aside to {salvage.moved_to.name}; a new one was started with {restored} "
            f"subscription{'s' if restored != 1 else ''} and {marks} read/starred "
            f"mark{'s' if marks != 1 else ''} recovered"
            + (f" ({problem})" if problem else "") + "; reader refresh fetches their articles")

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
        from reader.intake import kept_spelling, local_key

        if not spec.strip():
            return None  # not the current folder
        found = self._storage.feed_by_url(spec.strip())
        address = sanitize.feed_address(spec)
        if found is None and address is not None:
            found = self._storage.feed_by_url(address)
            if found is None and (kept := kept_spelling(self._storage, address)) is not None:
                found = self._storage.feed_by_url(kept)
        return found or self._storage.feed_by_url(local_key(spec))

    def search(self, text: str, *, limit: int | None = None) -> Sequence[int]:
        """Ids matching plain words and "quoted phrases", newest first (never a syntax error)."""
        return self._storage.article_ids(ArticleQuery(text=text, limit=limit))

    def mark_read(self, ids: Sequence[int], read: bool = True) -> int:
        """Set read state; returns how many changed. Undoable."""
        return self._change("read", ids, read)

    def star(self, ids: Sequence[int], starred: bool = True) -> int:
        return self._change("starred", ids, starred)

    def mark_all_read(self, feed_id: int | None = None, *, subscribed_only: bool = False) -> int:
        """Every unread article of a feed (None: of the whole library, or with
        ``subscribed_only`` of the subscribed feeds, as the "All articles" view) read.
        Undoable."""
        ids = self._storage.unread_ids(feed_id, subscribed_only=subscribed_only)
        if ids:
            self._storage.set_read(ids, True)
            self._push(Change("read", tuple(ids), True))
        return len(ids)

    def undo(self) -> Change | None:
        """Revert the last read/star/mark-all change and say which it was; None when there
        is nothing to undo."""
        with self._undo_lock:
            if not self._undo:
                return None
            change = self._undo.pop()
        setter = self._storage.set_read if change.column == "read" else self._storage.set_starred
        setter(change.ids, not change.value)
        return change

    def _change(self, column: str, ids: Sequence[int], value: bool) -> int:
        states = (self._storage.read_states(ids) if column == "read"
                  else self._storage.starred_states(ids))
        changed = tuple(i for i in dict.fromkeys(ids) if i in states and states[i] != value)
        if not changed:
            return 0
        setter = self._storage.set_read if column == "read" else self._storage.set_starred
        setter(changed, value)
        self._push(Change(column, changed, value))
        return len(changed)

    def _push(self, change: Change) -> None:
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
            account: str | None = None, local: bool = False,
            ) -> list[SourceOutcome]:
        """Subscribe to feed URLs (web pages through their feed link), feed files, folders.

        With an account on a feed server (``account``, or the only one there is, unless
        ``local``), web addresses are subscribed to on the server and synced from it;
        paths stay local. Several accounts and neither argument: a SyncError asks which.
        """
        from reader.intake import Intake

        chosen = None if local else self._account_for_add(account)
        known = {feed.id for feed in self.feeds(subscribed_only=True, counts=False)}
        remote = [spec for spec in specs if chosen is not None and sanitize.is_web_url(spec)]
        outcomes: list[SourceOutcome] = []
        rest = [spec for spec in specs if spec not in remote]
        stored = False

        def heard(outcome: SourceOutcome) -> None:
            nonlocal stored
            stored = stored or outcome.feed_id is not None
            on_result(outcome)

        try:
            if rest:
                outcomes = Intake(self._storage, on_result=heard, subscribe=True,
                                  folder=folder).run(rest)
            if chosen is not None and remote:
                for outcome in run_sync(lambda: self._subscribe_remote(chosen, remote, folder)):
                    heard(outcome)
                    outcomes.append(outcome)
        finally:
            if stored:  # also when stopped part way (Ctrl+C): the list matches the library
                self._write_subscriptions()
        return [replace(outcome, subscribed_before=True)
                if outcome.feed_id in known else outcome for outcome in outcomes]

    def _account_for_add(self, name: str | None) -> Account | None:
        if name is not None:
            return self.account(name)
        accounts = self._storage.accounts()
        if len(accounts) > 1:
            names = ", ".join(a.name for a in accounts)
            raise SyncError(f"{len(accounts)} accounts ({names}): choose one with "
                            "--account NAME, or --local to keep the feed here")
        return accounts[0] if accounts else None

    async def _subscribe_remote(self, account: Account, urls: Sequence[str],
                                folder: str | None) -> list[SourceOutcome]:
        """Subscribe on the server, then sync the account's subscriptions and new articles."""
        from reader.sync import account_client, requests_of
        from reader.sync.engine import sync_account

        outcomes: list[SourceOutcome] = []
        added: list[tuple[str, str, str | None]] = []  # (spec, server feed id, warning)
        try:
            client = account_client(account, limits=self._sync_limits())
        except ReaderError as error:
            return [SourceOutcome(spec=url, error=one_line(error)) for url in urls]
        async with client:
            for url in urls:
                try:
                    feed = await client.subscribe(url.strip(), category=folder)
                except ReaderError as error:
                    outcomes.append(SourceOutcome(spec=url, error=one_line(error)))
                    continue
                warning = None
                if folder and feed.category is None:
                    warning = (f"{client.label}: no folder {sanitize.clean_line(folder)!r} "
                               "there (tt-rss cannot make one through its API): the feed is "
                               "not in a folder")
                added.append((url, feed.id, warning))
            if added:
                report = await sync_account(self._storage, account, client, flags=False,
                                            requests=lambda: requests_of(client))
                bound = await asyncio.to_thread(self._storage.account_feeds, account.id)
                for url, remote_id, warning in added:
                    feed_id = bound.get(remote_id)
                    info = self._storage.feed(feed_id) if feed_id is not None else None
                    if info is None:
                        why = report.error or "subscribed, but the server does not list it"
                        outcomes.append(SourceOutcome(spec=url, error=why))
                        continue
                    warnings = tuple(w for w in (warning, report.error) if w)
                    outcomes.append(SourceOutcome(spec=url, feed_id=info.id, title=info.name,
                                                  new=info.total, total=info.total,
                                                  warnings=warnings))
        return outcomes

    def remove(self, specs_or_ids: Sequence[str | int]) -> int:
        """Unsubscribe; the articles stay (read state is kept) until pruned by age.

        Raises SourceError naming what is not subscribed.
        """
        from reader.intake import local_key

        feeds = self._storage.feeds(subscribed_only=True, counts=False)
        by_url = {f.url: f for f in feeds}
        by_address: dict[str, FeedInfo] | None = None  # made when needed: 1 s at 200,000
        by_id = {f.id: f for f in feeds}
        found: list[FeedInfo] = []
        missing: list[str] = []
        for spec in specs_or_ids:
            if isinstance(spec, str) and not spec.strip():  # never the current folder
                missing.append(repr(spec))
                continue
            feed = by_id.get(spec) if isinstance(spec, int) else (
                by_url.get(spec) or by_url.get(local_key(spec)) or by_url.get(spec.strip()))
            if feed is None and isinstance(spec, str) and (
                    address := sanitize.feed_address(spec)) is not None:
                # also a feed kept under another spelling of its address (before feed_address)
                if by_address is None:
                    by_address = {kept: f for f in feeds
                                  if (kept := sanitize.feed_address(f.url)) is not None}
                feed = by_url.get(address) or by_address.get(address)
            if feed is None and isinstance(spec, str) and f"{sanitize.REDACTED}@" in spec:
                # an address as reader feeds shows it, its password hidden: the one feed
                # it can only be
                shown = [f for f in feeds if sanitize.redact_password(f.url) == spec.strip()]
                feed = shown[0] if len(shown) == 1 else None
            if feed is None:
                # an id is named by its feed's name where the library still has it (a
                # bare "4" meant nothing to the person who chose "Farm feed 0")
                known = self._storage.feed(spec) if isinstance(spec, int) else None
                missing.append(known.name if known is not None else str(spec))
            else:
                found.append(feed)
        synced = [feed for feed in found if feed.account is not None]
        if synced:
            run_sync(lambda: self._unsubscribe_remote(synced))
        for feed in found:
            self._storage.unsubscribe(feed.id)
        if found:
            self._write_subscriptions()
        if missing:
            names = ", ".join(sanitize.display_name(m) for m in missing)
            raise SourceError(f"not subscribed: {names}")
        return len(found)

    async def _unsubscribe_remote(self, feeds: Sequence[FeedInfo]) -> None:
        """Unsubscribe on each account's server first: a server that cannot be reached
        leaves the subscription everywhere (SyncError), not half removed."""
        from reader.sync import account_client

        accounts = {account.id: account for account in self._storage.accounts()}
        for feed in feeds:
            for account_id, remote_id in self._storage.feed_bindings(feed.id):
                account = accounts.get(account_id)
                if account is None:
                    continue
                async with account_client(account, limits=self._sync_limits()) as client:
                    await client.unsubscribe(remote_id)
                self._storage.unbind_feed(account_id, remote_id)

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

    def import_file(self, path: Path, *, local: bool = False,
                    stdin: BinaryIO | None = None) -> ImportReport:
        """Subscribe to the feeds of an OPML file or a newsboat ``urls`` file (nothing
        fetched); ``local``: also to the local folders and files it names (a list the user
        trusts, such as a library's own ``subscriptions.opml``). ``-`` reads the list from
        ``stdin`` (by default standard input)."""
        from reader.ingest.subscriptions import read_subscription_bytes, read_subscription_list

        try:
            if str(path) == "-":
                from reader.ingest.load import read_standard_input

                name = "standard input"
                data = read_standard_input(stdin, name=name)
                entries, warnings = read_subscription_bytes(data, name=name, local=local)
            else:
                entries, warnings = read_subscription_list(Path(path), local=local)
        except SourceError as error:
            raise SourceError(f"could not import {error}") from error
        report = ImportReport(warnings=warnings)
        # a feed kept under the address as typed before feed_address keeps that address
        kept = {sanitize.feed_address(feed.url): feed.url
                for feed in self._storage.feeds(counts=False)}
        entries = [replace(entry, url=kept.get(entry.url) or entry.url) for entry in entries]
        try:
            # A transaction per batch: one each took 12 s for 30,000 URLs; one for all of
            # them would hold Ctrl+C until its end, and keep nothing of a stopped import.
            for start in range(0, len(entries), IMPORT_BATCH):
                batch = entries[start:start + IMPORT_BATCH]
                added = self._storage.subscribe_feeds(batch)
                report.added += added
                report.existing += len(batch) - added
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

    # ------------------------------------------------------------------ feed server accounts

    def accounts(self) -> list[Account]:
        """Accounts on feed servers, by name."""
        return self._storage.accounts()

    def account(self, name: str) -> Account:
        """The account of that name; SyncError listing the names when there is none."""
        accounts = self._storage.accounts()
        for account in accounts:
            if account.name == name:
                return account
        known = ", ".join(a.name for a in accounts) or "none yet: reader account add"
        raise SyncError(f"no account named {sanitize.clean_line(name, limit=80)!r} "
                        f"(accounts: {known})")

    async def add_account(
        self, kind: str, url: str, user: str, *, name: str | None = None,
        password: str | None = None, password_file: str | None = None,
        password_command: str | None = None, limits: HttpLimits | None = None,
    ) -> Account:
        """Log in once and keep the account: the password file's path, or the password
        command, or (for a password given here) the token the server issues, never the
        password. A refused login raises SyncAuthError and stores nothing. Adding a name
        again for the same server logs in again (new credentials); another server is an
        error."""
        from reader.core.sync import SecretKind
        from reader.sync import KINDS, open_client, token_of
        from reader.sync.secrets import command_argv, read_password_file, run_password_command

        if kind not in KINDS:
            raise SyncError(f"unknown server kind {sanitize.clean_line(kind, limit=40)!r} "
                            f"(one of: {', '.join(KINDS)})")
        user = user.strip()
        if not user:
            raise SyncError("the user name is empty")
        if not _valid_text(user):
            # bytes that are not UTF-8 on the command line (Python keeps them as lone
            # surrogates): no API can carry them, nor the library keep them
            raise SyncError(f"the user name is not valid UTF-8: {sanitize.clean_line(user)}")
        if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
            # a password in the address would be stored with it
            raise SyncError("give the server's address without a user or password in it "
                            "(--user NAME, and --password-file or --password-command)")
        if password_file is not None:
            secret_kind = SecretKind.FILE
            secret = os.path.abspath(os.path.expanduser(password_file))
            password = read_password_file(secret)
        elif password_command is not None:
            secret_kind, secret = SecretKind.COMMAND, password_command.strip()
            command_argv(secret)
            password = run_password_command(secret)
        elif password is not None:
            secret_kind, secret = SecretKind.TOKEN, ""
        else:
            raise SyncError("no password: give --password-file FILE or --password-command "
                            "CMD, or type it when asked")
        client = open_client(kind, url, user, password, limits=limits or self._sync_limits(),
                             keep_session=secret_kind is SecretKind.TOKEN)
        name = sanitize.clean_line(name) if name is not None else _account_name(user, url)
        if not name:
            raise SyncError("the account name is empty")
        for existing in self._storage.accounts():
            if existing.name == name and (existing.kind, existing.url) != (kind, url):
                raise SyncError(f"an account named {name!r} is on another server "
                                f"({existing.url}): remove it first, or choose --name")
        async with client:
            await client.login()
            if secret_kind is SecretKind.TOKEN:
                secret = token_of(client) or ""
                if not secret:
                    raise SyncError(f"{client.label}: logged in, but no token to keep")
        return await asyncio.to_thread(
            self._storage.save_account, name=name, kind=kind, url=url, user=user,
            secret_kind=secret_kind, secret=secret)

    def remove_account(self, name: str) -> tuple[Account, int]:
        """Forget the account (nothing is sent to its server); the feeds only it synced are
        unsubscribed here, their articles kept. The account and how many feeds."""
        account = self.account(name)
        count = self._storage.remove_account(account.id)
        self._write_subscriptions()
        return account, count

    async def sync(
        self, names: Sequence[str] | None = None, *,
        progress: Callable[[SyncProgress], None] | None = None,
        limits: HttpLimits | None = None,
    ) -> list[SyncReport]:
        """Sync every account (or those named), one after the other; a failure is its
        report's ``error`` (one line) and the others go on. See :mod:`reader.sync.engine`."""
        accounts = ([self.account(name) for name in names] if names is not None
                    else self._storage.accounts())
        reports = [await self._sync_one(account, progress, limits) for account in accounts]
        if any(report.feeds for report in reports):
            await asyncio.to_thread(self._write_subscriptions)
        return reports

    async def _sync_one(self, account: Account,
                        progress: Callable[[SyncProgress], None] | None,
                        limits: HttpLimits | None) -> SyncReport:
        from reader.core.sync import SyncReport
        from reader.sync import account_client, requests_of
        from reader.sync.engine import sync_account

        try:
            client = account_client(account, limits=limits or self._sync_limits())
        except ReaderError as error:
            message = one_line(error)
            await asyncio.to_thread(self._storage.record_sync, account.id,
                                    when=_now(), error=message)
            return SyncReport(account=account.name, error=message)
        try:
            async with client:
                return await sync_account(self._storage, account, client, progress=progress,
                                          requests=lambda: requests_of(client))
        except Exception as error:  # noqa: BLE001 - a bug here must not lose the other syncs
            return SyncReport(account=account.name, error=unexpected(error, "sync"))

    @staticmethod
    def _sync_limits() -> HttpLimits:
        from reader.sources.http import DEFAULT_LIMITS

        return DEFAULT_LIMITS

    # ------------------------------------------------------------------ refresh

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: ProgressCallback | None = None,
        limits: HttpLimits | None = None,
    ) -> RefreshSummary:
        """Bring subscriptions up to date (see :mod:`reader.refresh`) and, unless only some
        ``feed_ids`` are asked for, sync every account at the same time. ``progress``
        counts an account as one more feed."""
        from reader.refresh import refresh

        accounts = self._storage.accounts() if feed_ids is None else []
        if not accounts:
            return await refresh(self._storage, feed_ids=feed_ids, progress=progress,
                                 limits=limits, retention_days=self.retention_days)
        counter = _Counter(progress, extra=len(accounts))

        def synced(event: SyncProgress) -> None:
            account = next(a for a in accounts if a.name == event.account)
            counter.account(account, event)

        feeds_done, reports = await asyncio.gather(
            refresh(self._storage, feed_ids=feed_ids, progress=counter.feed,
                    limits=limits, retention_days=self.retention_days),
            self.sync([account.name for account in accounts], progress=synced, limits=limits))
        failures = tuple((f"account {r.account}", r.error) for r in reports if r.error)
        return replace(
            feeds_done,
            feeds=feeds_done.feeds + sum(r.feeds for r in reports),
            new_articles=feeds_done.new_articles + sum(r.new_articles for r in reports),
            errors=feeds_done.errors + len(failures),
            failures=feeds_done.failures + failures,
            synced=tuple(reports))

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
        from reader.ingest.folders import folder_chrome
        from reader.ingest.load import read_dump

        stored = self._storage.get(article_id)
        if stored is None:
            raise SourceError("the article is no longer in the library")
        feed = self._storage.feed(stored.feed_id)
        # a folder's file lost the lines its folder repeats too
        chrome = (folder_chrome(Path(feed.url))
                  if feed is not None and feed.kind is FeedKind.DIRECTORY else frozenset())
        lines, kept = read_dump(stored.article, chrome=chrome)
        return RawDump(lines, kept)

    def save_markdown(self, article_id: int, folder: Path, *, full: bool = False) -> Saved:
        """Write the article (its full text when ``full`` and fetched) as Markdown with
        front matter to a new file in ``folder``, named after its title; where it was.

        The same text saved before under that name is not written again (``e`` pressed
        twice made a second copy each time)."""
        from reader.formats import article_markdown, file_stem

        stored = self._storage.get(article_id)
        if stored is None:
            raise SourceError("the article is no longer in the library")
        body = stored.full_body if full and stored.full_body else None
        text = article_markdown(stored.article, body=body)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = _write_new(folder, file_stem(stored.article.title), text)
        except OSError as error:
            # mkdir's "File exists" (or a path through a file's "Not a directory") meant:
            # the download folder named is a file
            if isinstance(error, FileExistsError):
                why = "it is a file, not a folder (see [reading] download_dir)"
            elif isinstance(error, NotADirectoryError):
                why = "a file is in its path (see [reading] download_dir)"
            else:
                why = (error.strerror or str(error)).lower()
            raise SourceError(f"cannot write to {sanitize.display_name(str(folder))}: "
                              f"{why}") from error
        return saved


class _Counter:
    """One progress count for a refresh and the syncs beside it: each account is one more
    "feed", done when its sync is; its pages of new articles are reported as they land."""

    def __init__(self, progress: ProgressCallback | None, *, extra: int) -> None:
        self.progress = progress
        self.extra = extra
        self.feeds_done = self.feeds_total = self.accounts_done = 0

    def _send(self, event: FeedProgress) -> None:
        if self.progress is not None:
            self.progress(event)

    def feed(self, event: FeedProgress) -> None:
        self.feeds_done, self.feeds_total = event.done, event.total
        self._send(replace(event, done=self.done, total=self.feeds_total + self.extra))

    @property
    def done(self) -> int:
        return self.feeds_done + self.accounts_done

    def account(self, account: Account, event: SyncProgress) -> None:
        if event.stage == "done":
            self.accounts_done += 1  # (an error is the summary's to tell)
        elif event.stage != "articles" or not event.new:
            return
        self._send(FeedProgress(feed_id=0, url=account.url, name=account.name,
                                done=self.done, total=self.feeds_total + self.extra,
                                new=event.new))


def _valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unusable_place(target: Path) -> str | None:
    """Why a library asked for at ``target`` cannot be there, in words; None if it can."""
    parent = sanitize.display_name(str(target.parent))
    if target.is_dir():
        return "it is a folder (name a file in it)"
    try:
        # a named pipe or a device: SQLite said "disk I/O error" or worse
        kind = not_regular_file(target.stat().st_mode)
    except OSError:
        kind = None
    if kind is not None:
        return kind
    if not target.parent.exists():
        return f"no such folder {parent}"
    if not target.parent.is_dir():
        return f"{parent} is not a folder"
    return None


def _account_name(user: str, url: str) -> str:
    """USER@HOST (with the port when the address has one)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "server"
    return sanitize.clean_line(f"{user}@{host}" + (f":{port}" if port else "")) or user


def _now() -> datetime:
    return datetime.now(UTC)


class Saved(NamedTuple):
    """Where an article was saved; ``before``: that file held the same text already."""

    path: Path
    before: bool


def _write_new(folder: Path, stem: str, text: str) -> Saved:
    """``text`` in ``folder/stem.md``, or ``stem-2.md``, ... (the first name that is free,
    made with O_EXCL so another reader saving at once never overwrites it), unless a file
    of those names holds the same text already."""
    data = text.encode("utf-8")
    number = 1
    while True:
        path = folder / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
        try:
            handle = path.open("xb")
        except FileExistsError:
            if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
                return Saved(path, before=True)
            number += 1
            continue
        try:
            with handle:
                handle.write(data)
        except BaseException:
            # a full disk (or Ctrl+C) half way: no empty or cut-off file left under the
            # name, which the next save would have stepped around ("-2")
            path.unlink(missing_ok=True)
            raise
        return Saved(path, before=False)


def _damage(reason: str) -> str:
    """SQLite's words for a damaged file, as a person says them."""
    text = reason.lower()
    if "not a database" in text:
        return "not a database file"
    if "malformed" in text or "corrupt" in text:
        return "pages unreadable"
    if "encrypted" in text:
        return "encrypted, or not a database file"
    return reason


def _restorable(url: str) -> bool:
    return sanitize.is_web_url(url) or os.path.isabs(url)
