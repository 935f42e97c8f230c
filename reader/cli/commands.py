"""The library's script commands: add, remove, feeds, import, export, refresh, list, search,
mark, account, sync.

Each ``run_X(args) -> int`` is called by ``reader.cli.main``; errors are ReaderErrors (one line,
printed by the CLI as ``reader: message``), never tracebacks. Data goes to stdout, notices
and progress to stderr. Imports stay lean: ``reader refresh`` from cron should start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from reader.cli.interrupt import Stopped
from reader.cli.jsonout import write_json
from reader.core import sanitize
from reader.core.dates import isoformat
from reader.core.errors import ReaderError, SourceError, SyncError, about
from reader.core.filters import parse_bound, parse_filter
from reader.core.models import (
    ArticleQuery,
    FeedInfo,
    FeedProgress,
    SourceOutcome,
    StoredArticle,
)
from reader.core.sync import SyncProgress
from reader.library import Library

if TYPE_CHECKING:
    from reader.core.config import Config


@contextmanager
def _open(args: argparse.Namespace, *, retention_days: int = 180) -> Iterator[Library]:
    """The library, open for one command; its notices said as they come: those of opening
    it first, those of the command's work (a subscriptions.opml it could not write) after."""
    library = Library.open(getattr(args, "db", None), retention_days=retention_days)
    with library:
        _say_notices(library)
        settings = getattr(args, "settings", None)
        if settings is not None and settings.feeds:
            # the config's display names hold from the start, not from the next refresh on
            try:
                library.apply_feed_settings(settings.feeds)
            except ReaderError:
                pass  # a read-only or busy library still lists; the refresh applies them
        try:
            yield library
        finally:
            _say_notices(library)


def _say_notices(library: Library) -> None:
    for message in library.messages:
        _say(message)
    library.messages.clear()


def _say(message: str, stream: TextIO | None = None) -> None:
    """One line on stderr; whatever it quotes from outside has no control characters."""
    out = stream or sys.stderr
    out.write(f"reader: {sanitize.clean_line(message, limit=2000) or ''}\n")


def _line(text: str | None) -> str:
    return sanitize.clean_line(text, limit=1000) or ""


# ---------------------------------------------------------------------- subscriptions


def run_add(args: argparse.Namespace) -> int:
    with _open(args) as library:
        outcomes = library.add(args.sources, folder=args.folder, account=args.account,
                               local=args.local)
        return _report_outcomes(outcomes)


def _report_outcomes(outcomes: Sequence[SourceOutcome]) -> int:
    """One line per source: added, or subscribed already (adding one again, or a page
    whose feed it is, said "added" as if it were new)."""
    status = 0
    for outcome in outcomes:
        for warning in outcome.warnings:
            _say(warning)
        if outcome.error is not None:
            _say(f"could not add {about(sanitize.display_name(outcome.spec), outcome.error)}")
            status = 1
            continue
        name = _line(outcome.title) or sanitize.display_name(outcome.spec)
        count = outcome.total
        done = "already subscribed:" if outcome.subscribed_before else "added"
        sys.stdout.write(f"{done} {name} ({count} article{'s' if count != 1 else ''})\n")
    return status


def run_remove(args: argparse.Namespace) -> int:
    with _open(args) as library:
        removed = library.remove(args.sources)
        sys.stdout.write(f"removed {removed} subscription{'s' if removed != 1 else ''}\n")
        return 0


def run_feeds(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feeds = library.feeds(subscribed_only=True)
    if args.json:
        write_json([_feed_json(f) for f in feeds], sys.stdout)
        return 0
    if not feeds:
        sys.stdout.write("no subscriptions yet: reader add URL|PATH, or reader import FILE\n")
        return 0
    for feed in feeds:
        folder = f"{_line(feed.folder)}/" if feed.folder else ""
        line = (f"{folder}{_line(feed.name)}  {sanitize.display_name(feed.url)}  "
                f"{feed.unread} unread")
        if feed.account:  # fetched by the server, not here
            line += f"  synced via {_line(feed.account)}"
        else:
            line += f"  last ok {_when(feed.last_success) or 'never'}"
        if feed.last_error:
            line += f"  error: {_line(feed.last_error)}"
        sys.stdout.write(line + "\n")
    return 0


def _feed_json(feed: FeedInfo) -> dict[str, Any]:
    return {
        # the password of an address stays off the terminal here too: a script names the
        # feed by its id (reader remove ID), and reader export writes the addresses in full
        "id": feed.id, "title": feed.name, "url": sanitize.redact_password(feed.url),
        "kind": feed.kind.value,
        "folder": feed.folder, "unread": feed.unread, "total": feed.total,
        "last_success": isoformat(feed.last_success), "last_error": feed.last_error,
        "account": feed.account,
    }


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def run_import(args: argparse.Namespace) -> int:
    with _open(args) as library:
        report = library.import_file(args.file, local=args.local)
    for warning in report.warnings:
        _say(warning)
    sys.stdout.write(f"imported {report.added} feed{'s' if report.added != 1 else ''}"
                     f" ({report.existing} already subscribed); run reader refresh to fetch\n")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with _open(args) as library:
        sys.stdout.write(library.export_opml())
    return 0


# ---------------------------------------------------------------------- refresh


class _ProgressBar:
    """A one-line bar on stderr, redrawn in place; only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = False

    def columns(self) -> int:
        """The terminal's width now: a line wider than it wraps, and "\r" then redraws only
        its last row (a 40-column terminal filled with one stale bar per feed)."""
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            return 80

    def draw(self, line: str) -> None:
        """Redraw the line in place, cut to the terminal's width (less one cell), counted in
        cells: an account's name in CJK takes two a character."""
        from rich.cells import cell_len, set_cell_size

        room = max(1, self.columns() - 1)
        if cell_len(line) > room:
            line = set_cell_size(line, room)
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()
        self.drawn = True

    def __call__(self, event: Any) -> None:
        total = max(1, event.total)
        count = f" {event.done}/{event.total} feeds"
        width = min(self.WIDTH, self.columns() - 1 - len(count) - 2)
        if width < 5:
            self.draw(count.strip())
            return
        filled = width * event.done // total
        self.draw(f"[{'#' * filled}{'-' * (width - filled)}]{count}")

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# Feeds failing for one same reason (a full disk, no network) are said in one line, not
# one line each for hundreds of feeds; "reader feeds" still gives each feed's error.
_ALIKE_FAILURES = 4


def _failure_lines(failures: Sequence[tuple[str, str]]) -> list[str]:
    by_error: dict[str, list[str]] = {}
    for url, error in failures:
        by_error.setdefault(error, []).append(sanitize.display_name(url))
    lines = []
    for error, names in by_error.items():
        if len(names) < _ALIKE_FAILURES:
            lines += [f"could not refresh {about(name, error)}" for name in names]
        else:
            lines.append(f"could not refresh {len(names)} feeds ({', '.join(names[:2])} and "
                         f"{len(names) - 2} more): {error}")
    return lines


def run_refresh(args: argparse.Namespace) -> int:
    show_bar = sys.stderr.isatty() and not getattr(args, "quiet", False)
    bar = _ProgressBar(sys.stderr) if show_bar else None
    config = _config(args)
    with _open(args, retention_days=config.retention_days) as library:
        if not library.feeds(subscribed_only=True, counts=False) and not library.accounts():
            _say("no subscriptions to refresh: reader add URL|PATH, or reader import FILE")
            return 0
        library.apply_feed_settings(config.feeds)
        done: list[FeedProgress] = []

        def progress(event: FeedProgress) -> None:
            done[:] = [event]
            if bar is not None:
                bar(event)

        try:
            summary = asyncio.run(library.refresh(progress=progress))
        except KeyboardInterrupt:
            if not done:
                raise Stopped("refresh stopped (Ctrl+C) before any feed was done") from None
            raise Stopped(f"refresh stopped (Ctrl+C) after {done[0].done} of {done[0].total} "
                          "feeds; what they brought is kept") from None
        finally:
            if bar is not None:
                bar.clear()
        for line in _failure_lines(summary.failures):
            _say(line)
        sys.stderr.write(summary.line() + "\n")
        # Full articles for "always full text" feeds: after the summary, outside its timing.
        fetched, failed = asyncio.run(library.fetch_pending_full_texts())
        if fetched or failed:
            _say(f"full text: {fetched} articles fetched, {failed} failed")
    return 1 if summary.errors else 0


# ---------------------------------------------------------------------- feed servers


def run_mark(args: argparse.Namespace) -> int:
    """Store the change here only; the next sync sends it (never the network here)."""
    with _open(args) as library:
        wanted = list(dict.fromkeys(args.ids))
        found = {row.id for row in library.rows(wanted)}
        ids = [i for i in wanted if i in found]
        if args.change in ("read", "unread"):
            changed = library.mark_read(ids, read=args.change == "read")
        else:
            changed = library.star(ids, starred=args.change == "star")
    words = {"read": "marked read", "unread": "marked unread", "star": "starred",
             "unstar": "unstarred"}
    sys.stdout.write(f"{changed} article{'s' if changed != 1 else ''} {words[args.change]}"
                     + (f" ({len(ids) - changed} already were)" if len(ids) > changed else "")
                     + "\n")
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        _say(f"no article with id {', '.join(missing)} (ids as in reader list --json)")
        return 1
    return 0


def run_account(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list_accounts(args)
    if args.action == "remove":
        with _open(args) as library:
            account, feeds = library.remove_account(args.name)
        sys.stdout.write(f"removed account {_line(account.name)} ({feeds} feed"
                         f"{'s' if feeds != 1 else ''} unsubscribed here; the server is "
                         "unchanged)\n")
        return 0
    password = None
    if args.password_file is None and args.password_command is None:
        password = _ask_password(args.user, args.url)
    with _open(args) as library:
        account = asyncio.run(library.add_account(
            args.kind, args.url, args.user, name=args.name, password=password,
            password_file=str(args.password_file) if args.password_file else None,
            password_command=args.password_command))
    kept = {"file": f"the password file {sanitize.display_name(account.secret)}",
            "command": "the password command", "token": "the server's session token"}
    sys.stdout.write(f"added account {_line(account.name)} ({account.kind}, "
                     f"{sanitize.display_name(account.url)}); kept: "
                     f"{kept[account.secret_kind.value]}, not the password. "
                     "Run reader sync to bring it here.\n")
    return 0


def _ask_password(user: str, url: str) -> str:
    import getpass

    if sys.stdin is None or not sys.stdin.isatty():  # (None: started with it closed)
        raise SyncError("no password: give --password-file FILE or --password-command CMD "
                        "(there is no terminal to ask on)")
    try:
        password = getpass.getpass(f"password for {_line(user)} at "
                                   f"{sanitize.display_name(url)}: ")
    except EOFError:
        password = ""
    if not password:
        raise SyncError("no password given")
    return password


def _list_accounts(args: argparse.Namespace) -> int:
    with _open(args) as library:
        accounts = library.accounts()
    if args.json:
        write_json([{
            "name": a.name, "kind": a.kind, "url": sanitize.redact_password(a.url), "user": a.user,
            "password_from": a.secret_kind.value,
            "password_file": a.secret if a.secret_kind.value == "file" else None,
            "password_command": a.secret if a.secret_kind.value == "command" else None,
            "last_sync": isoformat(a.last_sync), "last_error": a.last_error,
            "pending_changes": a.pending,
        } for a in accounts], sys.stdout)
        return 0
    if not accounts:
        sys.stdout.write("no accounts yet: reader account add ttrss|greader URL --user NAME\n")
        return 0
    for account in accounts:
        line = (f"{_line(account.name)}  {account.kind}  {sanitize.display_name(account.url)}"
                f"  user {_line(account.user)}  last sync {_when(account.last_sync) or 'never'}")
        if account.pending:
            line += f"  {account.pending} change{'s' if account.pending != 1 else ''} to send"
        if account.last_error:
            line += f"  error: {_line(account.last_error)}"
        sys.stdout.write(line + "\n")
    return 0


class _SyncLine(_ProgressBar):
    """"syncing NAME: articles, 1200 articles" on stderr, redrawn in place; only on a terminal."""

    def __call__(self, event: SyncProgress) -> None:
        count = f", {event.articles} articles" if event.articles else ""
        self.draw(f"syncing {_line(event.account)}: {event.stage}{count}")


def run_sync(args: argparse.Namespace) -> int:
    show = sys.stderr.isatty() and not args.quiet
    line = _SyncLine(sys.stderr) if show else None
    with _open(args) as library:
        if not args.accounts and not library.accounts():
            _say("no accounts to sync: reader account add ttrss|greader URL --user NAME")
            return 0
        try:
            reports = asyncio.run(library.sync(args.accounts or None, progress=line))
        finally:
            if line is not None:
                line.clear()
    for report in reports:
        if report.error is not None:
            _say(report.line())
        else:
            sys.stderr.write(f"{report.line()}, {report.seconds:.1f} s\n")
    return 1 if any(report.error for report in reports) else 0


def _config(args: argparse.Namespace) -> Config:
    """The config file's settings, read (and its problems reported) as the command began."""
    settings: Config | None = getattr(args, "settings", None)
    if settings is None:
        from reader.core.config import load_config

        settings, _ = load_config(getattr(args, "config", None))
    return settings


# ---------------------------------------------------------------------- reading


def run_list(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feed_ids: tuple[int, ...] | None = None
        if args.feed:
            feed = library.find_feed(args.feed)
            if feed is None:
                raise SourceError(f"no such feed in the library: "
                                  f"{sanitize.display_name(args.feed)}")
            feed_ids = (feed.id,)
        query = ArticleQuery(feed_ids=feed_ids, unread_only=args.unread,
                             starred_only=args.starred, limit=args.limit,
                             subscribed_only=_library_view(args) and feed_ids is None,
                             since=_bound("--since", args.since, end=False),
                             until=_bound("--until", args.until, end=True))
        ids = library.view(query)
        if not ids and query.subscribed_only and not args.json:
            others = len(library.view(replace(query, subscribed_only=False)))
            if others:
                _say(f"none in your subscriptions; --all lists {others} of files opened "
                     "once and removed feeds")
        return _print_articles(library, ids, as_json=args.json)


def _library_view(args: argparse.Namespace) -> bool:
    """Whether to list what ``reader`` shows of the library: the subscriptions' articles,
    not what was only opened once or a removed feed's (``--starred``: every starred one)."""
    return not args.all and not getattr(args, "starred", False)


def _bound(option: str, word: str | None, *, end: bool) -> datetime | None:
    if word is None:
        return None
    moment = parse_bound(word, end=end)
    if moment is None:
        raise _not_a_date(f"{option}: not a date: {word}")
    return moment


def _not_a_date(what: str) -> SourceError:
    return SourceError(f"{_line(what)} (a day like 2026-11-01, a month, a year, today, "
                       "yesterday, or an age like 7d)")


def run_search(args: argparse.Namespace) -> int:
    with _open(args) as library:
        # the filter line's language: words, "phrases", since:... until:...
        wanted = parse_filter(" ".join(args.words))
        if wanted.unreadable:
            raise _not_a_date(f"not a date: {wanted.unreadable[0]}")
        ids = library.view(ArticleQuery(text=wanted.text or None, since=wanted.since,
                                        until=wanted.until, subscribed_only=_library_view(args)))
        return _print_articles(library, ids, as_json=args.json)


def _print_articles(library: Library, ids: Sequence[int], *, as_json: bool) -> int:
    out = sys.stdout
    if as_json:
        items = [_article_json(a) for a in _articles(library, ids)]
        write_json(items, out)
        return 0
    # rows are enough for one line each, fetched a screenful at a time
    for start in range(0, len(ids), 500):
        for row in library.rows(ids[start:start + 500]):
            mark = ("*" if row.starred else " ") + ("N" if not row.read else " ")
            date = row.published.strftime("%Y-%m-%d %H:%M") if row.published else " " * 16
            out.write(f"{row.id:>7} {mark} {date}  {_line(row.feed_name)}: "
                      f"{_line(row.title) or '(untitled)'}\n")
    return 0


def _articles(library: Library, ids: Sequence[int]) -> list[StoredArticle]:
    found = (library.get(i) for i in ids)
    return [a for a in found if a is not None]


def _article_json(stored: StoredArticle) -> dict[str, Any]:
    from reader.formats import article_json

    item = article_json(stored.article)
    if stored.full_body:
        item["body"] = sanitize.strip_controls(stored.full_body)
    item.update({"id": stored.id, "feed": stored.feed_name, "read": stored.read,
                 "starred": stored.starred})
    return item
