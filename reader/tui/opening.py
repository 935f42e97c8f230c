"""The library opened, and its first screenful read, while the interface imports.

``reader`` spends its first half second importing Textual, on one core. Opening the
library (a quick check of the file) and reading the newest articles a screen shows are
SQLite's work, in C: a thread does them meanwhile, and the interface starts with them in
hand instead of asking once it is up. No Textual here: the command line imports this first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from reader.core.models import ArticleQuery, ArticleRow, FeedInfo
from reader.library import Library

#: the view the interface opens on: the subscriptions, newest first
LIBRARY_VIEW = ArticleQuery(subscribed_only=True)
FIRST_PAGE = 200  # ids of a new view listed before all of them (more than a screenful)


@dataclass(frozen=True, slots=True)
class FirstScreen:
    """What the interface shows first: the view's first ids, the rows of a screenful of
    them, and the sources (names only)."""

    query: ArticleQuery
    ids: tuple[int, ...]
    complete: bool  # the whole view (else its first ``page`` ids; the rest is listed later)
    rows: tuple[ArticleRow, ...]
    feeds: tuple[FeedInfo, ...]


class Opening:
    """Opens the library at ``db`` in a thread and reads its first screen (FIRST_PAGE ids,
    ``height`` rows); :meth:`result` waits for it."""

    def __init__(self, db: Path | None, *, height: int, page: int = FIRST_PAGE) -> None:
        self._db = db
        self._page = page
        self._height = height
        self._library: Library | None = None
        self._first: FirstScreen | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="reader-opening", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            library = self._library = Library.open(self._db)
            ids = tuple(library.view(replace(LIBRARY_VIEW, limit=self._page)))
            rows = tuple(library.rows(ids[: self._height + 1]))
            feeds = tuple(library.feeds(subscribed_only=True, counts=False))
            self._first = FirstScreen(LIBRARY_VIEW, ids, len(ids) < self._page, rows, feeds)
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            self._error = error

    def result(self) -> tuple[Library, FirstScreen | None]:
        """The open library, and its first screen (None when it could not be read: the
        interface then reads it itself). Raises what opening the library raised."""
        self._thread.join()
        if self._library is None:
            assert self._error is not None
            raise self._error
        return self._library, self._first
