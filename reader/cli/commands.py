"""The library's script commands: add, remove, feeds, import, export, refresh, list, search.

Each ``run_X(args) -> int`` is called by ``reader.cli.main``; errors are ReaderErrors (one line,
printed by the CLI as ``reader: message``), never tracebacks. Data goes to stdout, notices
and progress to stderr. Imports stay lean: ``reader refresh`` from cron should start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from reader.cli.interrupt import Stopped
from reader.core import sanitize
from reader.core.dates import isoformat
from reader.core.errors import SourceError
from reader.core.filters import parse_bound, parse_filter
from reader.core.models import (
    ArticleQuery,
    FeedInfo,
    FeedProgress,
    SourceOutcome,
    StoredArticle,
)
from reader.library import Library

if TYPE_CHECKING:
    from reader.core.config import Config


def _open(args: argparse.Namespace, *, retention_days: int = 180) -> Library:
    library = Library.open(getattr(args, "db", None), retention_days=retention_days)
    for message in library.messages:
        _say(message)
    library.messages.clear()
    return library


def _say(message: str, stream: TextIO | None = None) -> None:
    """One line on stderr; whatever it quotes from outside has no control characters."""
    out = stream or sys.stderr
    out.write(f"reader: {sanitize.clean_line(message, limit=2000) or ''}\n")


def _line(text: str | None) -> str:
    return sanitize.clean_line(text, limit=1000) or ""


# ---------------------------------------------------------------------- subscriptions


def run_add(args: argparse.Namespace) -> int:
    with _open(args) as library:
        outcomes = library.add(args.sources, folder=args.folder)
        return _report_outcomes(outcomes, verb="added")


def _report_outcomes(outcomes: Sequence[SourceOutcome], *, verb: str) -> int:
    status = 0
    for outcome in outcomes:
        for warning in outcome.warnings:
            _say(warning)
        if outcome.error is not None:
            _say(outcome.error)
            status = 1
            continue
        name = _line(outcome.title) or sanitize.display_name(outcome.spec)
        count = outcome.total
        sys.stdout.write(f"{verb} {name} ({count} article{'s' if count != 1 else ''})\n")
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
        json.dump([_feed_json(f) for f in feeds], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not feeds:
        sys.stdout.write("no subscriptions yet: reader add URL|PATH, or reader import FILE\n")
        return 0
    for feed in feeds:
        folder = f"{_line(feed.folder)}/" if feed.folder else ""
        success = _when(feed.last_success) or "never"
        line = (f"{folder}{_line(feed.name)}  {sanitize.display_name(feed.url)}  "
                f"{feed.unread} unread  last ok {success}")
        if feed.last_error:
            line += f"  error: {_line(feed.last_error)}"
        sys.stdout.write(line + "\n")
    return 0


def _feed_json(feed: FeedInfo) -> dict[str, Any]:
    return {
        "id": feed.id, "title": feed.name, "url": feed.url, "kind": feed.kind.value,
        "folder": feed.folder, "unread": feed.unread, "total": feed.total,
        "last_success": isoformat(feed.last_success), "last_error": feed.last_error,
    }


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def run_import(args: argparse.Namespace) -> int:
    with _open(args) as library:
        report = library.import_file(args.file)
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

    def __call__(self, event: Any) -> None:
        total = max(1, event.total)
        filled = self.WIDTH * event.done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {event.done}/{event.total} feeds")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def run_refresh(args: argparse.Namespace) -> int:
    show_bar = sys.stderr.isatty() and not getattr(args, "quiet", False)
    bar = _ProgressBar(sys.stderr) if show_bar else None
    config = _config(args)
    with _open(args, retention_days=config.retention_days) as library:
        if not library.feeds(subscribed_only=True, counts=False):
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
        for url, error in summary.failures:
            _say(f"{sanitize.display_name(url)}: {error}")
        sys.stderr.write(summary.line() + "\n")
        # Full articles for "always full text" feeds: after the summary, outside its timing.
        fetched, failed = asyncio.run(library.fetch_pending_full_texts())
        if fetched or failed:
            _say(f"full text: {fetched} articles fetched, {failed} failed")
    return 1 if summary.errors else 0


def _config(args: argparse.Namespace) -> Config:
    """The config file's settings; its problems are reported, not fatal."""
    from reader.core.config import load_config

    config, problems = load_config(getattr(args, "config", None))
    for problem in problems:
        _say(problem)
    return config


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
        if args.limit is not None and args.limit < 0:
            raise SourceError("--limit must be 0 or more")
        query = ArticleQuery(feed_ids=feed_ids, unread_only=args.unread,
                             starred_only=args.starred, limit=args.limit,
                             since=_bound("--since", args.since, end=False),
                             until=_bound("--until", args.until, end=True))
        ids = library.view(query)
        return _print_articles(library, ids, as_json=args.json)


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
                                        until=wanted.until))
        return _print_articles(library, ids, as_json=args.json)


def _print_articles(library: Library, ids: Sequence[int], *, as_json: bool) -> int:
    out = sys.stdout
    if as_json:
        items = [_article_json(a) for a in _articles(library, ids)]
        json.dump(items, out, ensure_ascii=False, indent=1)
        out.write("\n")
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
