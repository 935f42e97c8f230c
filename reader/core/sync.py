"""The sync vocabulary: what a feed server's API gives and takes, whatever the API.

One module of ``reader/sync/`` per API (Tiny Tiny RSS's JSON API, the Google Reader API)
implements :class:`SyncClient`; the library talks to the Protocol only, so a third API
(Miniflux's own, Nextcloud News) is one new module.

Ids are the server's, as strings: whatever one call returns, the others take back.
Every failure of a client is a :class:`reader.core.errors.SyncError` whose message is one
line that starts with the client's :attr:`SyncClient.label` ("tt-rss at 127.0.0.1:8280:
password refused").

The library keeps :class:`Account` rows (never a password: the password file's path, the
command that prints it, or a token the server issued), the server's flags of every synced
article as the last sync left them, and a journal of the flag changes made here since
(:class:`JournalEntry`); ``reader.sync.engine`` joins the three with what the server says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Container, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

# The APIs there is a client for (reader/sync/ has one module each): what
# `reader account add KIND` takes, and what it says of each.
KINDS: dict[str, str] = {
    "ttrss": "Tiny Tiny RSS (its JSON API)",
    "greader": "the Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux)",
}


class SecretKind(StrEnum):
    """Where an account's password comes from at each sync (the password is never stored)."""

    FILE = "file"  # the first line of this file
    COMMAND = "command"  # the first line this command prints (run without a shell)
    TOKEN = "token"  # a session or auth token the server issued at ``reader account add``


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """An account on a feed server, as the library keeps it."""

    id: int
    name: str  # what `reader account remove NAME` and `--account NAME` take
    kind: str  # "ttrss", "greader"
    url: str
    user: str
    secret_kind: SecretKind
    secret: str  # the file's path, the command line, or the token: never the password
    cursor: str | None = None  # the last complete sync's ArticlePage.cursor
    last_sync: datetime | None = None
    last_error: str | None = None
    pending: int = 0  # flag changes made here and not sent yet


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A flag changed here on a synced article, not yet sent. One per article and flag:
    changing it again replaces it (with a higher ``seq``)."""

    seq: int  # increasing: entries made while a sync runs come after its snapshot
    remote_id: str
    flag: Flag
    value: bool
    changed: datetime


@dataclass(frozen=True, slots=True)
class SyncedArticle:
    """A synced article's flags here, and the server's as the last sync saw them (the base
    that tells a change on the server from a change made here)."""

    article_id: int
    remote_id: str
    feed: str | None  # its feed's RemoteFeed.id (None: no longer bound)
    read: bool
    starred: bool
    server_read: bool
    server_starred: bool


@dataclass(frozen=True, slots=True)
class FlagUpdate:
    """What a sync settles for one article: the server's flags now (the new base); the
    article takes them too unless it was changed here after the sync's snapshot."""

    article_id: int
    remote_id: str
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncProgress:
    """How far a sync of one account is: ``stage`` is "subscriptions", "articles",
    "read and starred", "sending changes" or "done"."""

    account: str
    stage: str
    articles: int = 0  # articles stored so far
    new: int = 0  # of which new


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    """What one sync of one account did (``error`` set: it stopped there; what was
    stored before stays, and the journal is kept for the next sync)."""

    account: str
    feeds: int = 0
    new_articles: int = 0
    sent: int = 0  # flag changes made here, now on the server
    received: int = 0  # flags changed here because they changed on the server
    conflicts: int = 0  # changed on both sides since the last sync; see reader.sync.engine
    seconds: float = 0.0
    requests: int = 0
    error: str | None = None

    def line(self) -> str:
        """One line: "tt: 12 feeds, 30 new articles, 2 changes sent, 5 received"."""
        if self.error is not None:
            return f"{self.account}: {self.error}"
        text = (f"{self.account}: {self.feeds} feed{_s(self.feeds)}, {self.new_articles} new "
                f"article{_s(self.new_articles)}, {self.sent} change{_s(self.sent)} sent, "
                f"{self.received} received")
        if self.conflicts:
            text += f" ({self.conflicts} conflict{_s(self.conflicts)}, the newest change kept)"
        return text


def _s(count: int) -> str:
    return "" if count == 1 else "s"


class Flag(StrEnum):
    """A per-article state that goes both ways."""

    READ = "read"
    STARRED = "starred"


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteFeed:
    """One subscription on the server."""

    id: str  # the server's id, as unsubscribe() takes it ("12"; "feed/12")
    url: str  # the feed's own address
    title: str
    category: str | None = None  # the folder / label; None when uncategorised
    site_url: str | None = None  # the site's home page, where the API gives it


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteArticle:
    """One article as the server has it.

    ``content`` is HTML as the server gives it: untrusted, to be cleaned like any feed's.
    Text fields are single lines without control characters; URLs are http(s) or None.
    """

    id: str  # the server's id, stable; what mark() takes
    feed_id: str  # RemoteFeed.id
    title: str | None
    url: str | None
    author: str | None
    published: datetime | None  # the entry's own date (from its feed), aware
    updated: datetime | None  # when the server stored the entry (crawl time), where it says
    content: str  # "" when the server has none
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """A page of :meth:`SyncClient.articles`.

    ``cursor`` is set on the last page only: the value to pass as ``cursor`` next time
    for "only what is new since". Store it once every page has been stored; a sync that
    stops half-way starts again from the old cursor (pages may then repeat articles:
    store them by id).
    """

    articles: tuple[RemoteArticle, ...]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteState:
    """The ids of every unread and every starred article on the server (``feeds`` None),
    or of those of ``feeds`` only (the others' counts were as the caller said).

    An article the server has but which is not in ``unread`` is read there. Neither API
    says when a flag changed, only what it is now.
    """

    unread: frozenset[str]
    starred: frozenset[str]
    feeds: frozenset[str] | None = None  # RemoteFeed.id


class SyncClient(Protocol):
    """A logged-in session with one account on one feed server.

    Use it as ``async with``: it logs in on the first call that needs it and closes its
    HTTP client (when it made it) on exit. Calls are sequential; each one obeys the HTTP
    limits it was given (deadline per request, size cap, no redirect followed).
    """

    kind: str  # "ttrss", "greader": what `reader account add KIND` takes

    @property
    def label(self) -> str:
        """Who this is, for messages: "tt-rss at 127.0.0.1:8280"."""
        ...

    async def login(self) -> None:
        """Log in (again). Raises SyncAuthError when the server refuses the credentials."""
        ...

    async def feeds(self) -> list[RemoteFeed]:
        """Every subscription, with its title and category."""
        ...

    def articles(
        self, cursor: str | None = None, *, known: Container[str] = frozenset()
    ) -> AsyncIterator[ArticlePage]:
        """Every article (``cursor`` None) or those new since ``cursor``, in pages.

        ``known``: ids the caller already has; a client whose API lists ids apart from
        contents does not download those again (the others may still return them).
        """
        ...

    async def state(
        self, *, counts: Mapping[str, tuple[int, int]] | None = None
    ) -> RemoteState:
        """The unread and starred ids now on the server.

        ``counts``: (unread, starred) per feed id as the caller has them from the last
        sync; a client that can count per feed cheaply may then list only the feeds whose
        counts differ (and says which, in ``RemoteState.feeds``); others list everything.
        """
        ...

    async def unread_count(self) -> int:
        """How many articles are unread on the server (one cheap request)."""
        ...

    async def mark(self, ids: Collection[str], flag: Flag, value: bool) -> None:
        """Set ``flag`` to ``value`` on every article of ``ids`` (unknown ids are ignored)."""
        ...

    async def subscribe(self, url: str, *, category: str | None = None) -> RemoteFeed:
        """Subscribe to the feed at ``url`` (already subscribed is fine); the feed as listed."""
        ...

    async def unsubscribe(self, feed_id: str) -> None:
        """Remove the subscription ``feed_id`` (a RemoteFeed.id)."""
        ...

    async def aclose(self) -> None:
        """Log out where the API has it, and close the HTTP client if this client made it."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
