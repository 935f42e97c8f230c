"""Messages the app's thread workers post back to the UI thread.

Each carries what the worker produced; the handlers only show it (no I/O in handlers).
Widget-specific messages live in their widgets (``ArticleList.Selected``, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from reader.core.models import ArticleQuery, ArticleRow, FeedInfo, StoredArticle

if TYPE_CHECKING:
    from reader.render import RenderedArticle


@dataclass
class ViewLoaded(Message):
    """The ordered ids of ``query``, and the rows that will be on screen first.

    ``keep`` is the article the cursor should stay on.
    """

    query: ArticleQuery
    ids: Sequence[int]
    keep: int | None
    rows: Sequence[ArticleRow] = ()
    backwards: bool = False  # the library's order read backwards (oldest first)
    first_page: bool = False  # only the first ids of a bigger view: the rest follow
    painted: threading.Event | None = None  # set once these rows are on screen


@dataclass
class FeedsLoaded(Message):
    feeds: Sequence[FeedInfo]
    counts: bool = True  # False: the names alone, their unread counts not read yet (0)


@dataclass
class ArticleReady(Message):
    """An article fetched (and rendered) for the pane.

    ``marked_read``: opening it just marked it read. ``full``: the body shown is the fetched
    full text (not the feed's summary).
    """

    article: StoredArticle
    rendered: RenderedArticle | None  # None: opened, then left before it was shown
    marked_read: bool
    full: bool


@dataclass
class RawReady(Message):
    """The raw text of a plain-text article, removed lines dimmed (the ``v`` view)."""

    article_id: int
    text: Text


@dataclass
class SourceDone(Message):
    """One source (or one batch of a directory) finished loading; ``error`` if it failed."""

    source: str
    feed_id: int | None
    error: str | None
    warnings: tuple[str, ...]
    finished: bool = True  # False: a batch of a directory that is still loading


@dataclass
class LoadingProgress(Message):
    """``done`` of ``total`` sources or feeds handled; ``label`` says what is loading."""

    done: int
    total: int
    label: str
    changed: bool = False  # new articles or a new error: the list and counts are stale


@dataclass
class LoadingFinished(Message):
    """Loading or refreshing ended; ``summary`` is a one-line report (or empty)."""

    summary: str


@dataclass
class StateChanged(Message):
    """Read/star state changed in bulk (mark all read, undo, a refresh): reload counts."""

    notice: str = ""


@dataclass
class UnreadFound(Message):
    """Where the next/previous unread article is in ``ids`` (None: there is none), looking
    down the list (``direction`` 1) or up it (-1)."""

    ids: Sequence[int]
    index: int | None
    direction: int = 1
