"""Tiny Tiny RSS's JSON API as a :class:`reader.core.sync.SyncClient`.

The address given is the install's root (``https://example.org/tt-rss/``); the API is its
``api/``. Every call is a JSON POST ``{"op": ..., "sid": ...}``; answers are
``{"status": 0|1, "content": ...}`` with HTTP 200 even for errors (``text/json``).

What the API gives, and how it is used here (API level 15, tt-rss 21; later levels only
add calls):

- ``getHeadlines`` returns at most 200 articles a call, whatever ``limit`` asks, paged
  by ``skip``. None of its orders has a tie-breaker: the default is ``score DESC,
  date_entered DESC, updated DESC``, and ``date_entered`` counts in seconds, so articles
  fetched together from feeds whose entries share a date come in any order from one call
  to the next, and paging the whole account by ``skip`` loses some (measured: 7 of
  10,000 from the benchmark's farm) and repeats others. So a listing that fits in one
  page is taken whole, and a longer one is made feed by feed, where an entry's own date
  tells it from the others.
- Article ids are one increasing sequence for the whole server, so "new since" is
  ``since_id`` = the highest id seen: the cursor.
- No call says when an article's read or starred flag changed (tt-rss records it, the
  API does not expose it): :meth:`state` lists the unread (virtual feed -4, view mode
  ``unread``) and starred (virtual feed -1) ids, checked against ``getCounters``' unread
  and starred counts per feed (one cheap call); given the caller's own counts, it lists
  only the feeds whose counts changed.
- ``updateArticle`` sets a flag on many ids at once (field 2 is *unread*, field 0
  *marked*).
- ``subscribeToFeed`` cannot create a category; a category that does not exist yet
  leaves the feed uncategorised. tt-rss fetches the feed while subscribing.
- Titles have their HTML stripped by tt-rss when it stores them (``Love <3`` becomes
  ``Love``); ``guid`` is tt-rss's own hash, not the feed's guid.
- A wrong user and a wrong password are the same ``LOGIN_ERROR``; tt-rss also tries the
  password base64-decoded.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Collection, Container, Coroutine, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from reader.core import sanitize
from reader.core.errors import SyncAuthError, SyncError
from reader.core.sync import ArticlePage, Flag, RemoteArticle, RemoteFeed, RemoteState
from reader.core.words import number_text
from reader.sources.http import DEFAULT_LIMITS, HttpLimits
from reader.sync.transport import (
    ApiClient,
    Listing,
    Transport,
    checked_url,
    epoch,
    flag,
    ident,
    line,
    mapping,
    server_label,
    url,
)

NAME = "tt-rss"
PAGE = 200  # getHeadlines' own ceiling
FEW_FEEDS = 20  # state(counts=...) lists these feeds alone; more and it lists everything
WALKERS = 4  # feeds listed at once when new articles are listed feed by feed
MARK_BATCH = 500
T = TypeVar("T")
MAX_ID = 2**63 - 1  # the largest id a database column holds (tt-rss's are 32-bit)
ALL_ARTICLES = -4  # virtual feeds
STARRED = -1
_FIELD = {Flag.STARRED: 0, Flag.READ: 2}  # updateArticle's "field": 0 marked, 2 unread
_SUBSCRIBE_ERRORS = {
    2: "not a valid feed address",
    3: "no feed there (a web page without a feed link)",
    4: "that page offers several feeds: give the address of one",
    5: "tt-rss could not download it",
    6: "not a valid feed (invalid XML)",
}


class ApiCallError(SyncError):
    """tt-rss answered a call with an error code (``code``: "FEED_NOT_FOUND", ...)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def api_url(root: str) -> str:
    """The API's address for an install's root (an address already ending in api/ stays)."""
    base = root.split("?", 1)[0]
    if base.rstrip("/").endswith("/api") or base.endswith("/api/index.php"):
        return base if base.endswith(("/", ".php")) else base + "/"
    return base.rstrip("/") + "/api/"


class TtrssClient(ApiClient):
    """A session with one tt-rss account. See the module's docstring for the API's ways."""

    kind = "ttrss"

    def __init__(
        self,
        url: str,
        user: str,
        password: str | None = None,
        *,
        token: str | None = None,
        keep_session: bool = False,
        http: httpx.AsyncClient | None = None,
        limits: HttpLimits = DEFAULT_LIMITS,
    ) -> None:
        """Give ``password``, or ``token`` (a session id from an earlier :attr:`auth_token`:
        tt-rss keeps a session a day after its last use, by default). ``keep_session``: do
        not log out on close, so that the session can be stored as the token (a session
        given as ``token`` is always kept)."""
        root = checked_url(NAME, url)
        self.api_url = api_url(root)
        self._label = server_label(NAME, root)
        self._user = user
        self._password = password
        self._sid: str | None = token
        self._keep_session = keep_session or token is not None
        self.api_level: int | None = None
        # a request went unanswered (a timeout, a refused connection, a cut answer): closing
        # does not ask the server to log out, and wait a second deadline for it
        self._unanswered = False
        self._transport = Transport(self._label, http=http, limits=limits)

    def __repr__(self) -> str:
        return f"TtrssClient({self.api_url!r}, user={self._user!r})"

    @property
    def auth_token(self) -> str | None:
        """The session id, once logged in (a secret, like a password)."""
        return self._sid

    async def aclose(self) -> None:
        try:
            if self._sid is not None and not self._keep_session and not self._unanswered:
                await self._call("logout", retry=False)
        except SyncError:
            pass  # the session expires by itself; closing must not fail
        finally:
            self._sid = None
            await self._transport.aclose()

    async def login(self) -> None:
        if self._password is None:
            raise SyncAuthError(f"{self._label}: the saved session has expired; "
                                "log in again with the password")
        self._sid = None
        content = mapping(
            await self._call("login", {"user": self._user, "password": self._password},
                             auth=False)
        )
        sid = ident(content.get("session_id")) if content else None
        if sid is None:
            raise SyncError(f"{self._label}: the login answer has no session")
        self._sid = sid
        level = content.get("api_level") if content else None
        self.api_level = level if isinstance(level, int) else None

    async def _call(
        self, op: str, params: dict[str, object] | None = None, *, auth: bool = True,
        retry: bool = True,
    ) -> object:
        if auth and self._sid is None:
            await self.login()
        for attempt in range(2):
            body: dict[str, object] = {"op": op, **(params or {})}
            if auth:
                body["sid"] = self._sid
            try:
                response = await self._transport.request("POST", self.api_url, json_body=body)
            except SyncError:
                self._unanswered = True
                raise
            self._transport.check(response)
            answer = mapping(self._transport.json(response))
            if answer is None or "status" not in answer or "content" not in answer:
                raise SyncError(f"{self._label}: the answer is JSON but not tt-rss's API")
            if answer["status"] == 0:
                return answer["content"]
            content = mapping(answer["content"]) or {}
            code = ident(content.get("error")) or "unknown error"
            if code == "NOT_LOGGED_IN" and auth and retry and attempt == 0:
                await self.login()  # the session expired (tt-rss keeps them a day)
                continue
            raise self._api_error(op, code)
        raise SyncAuthError(f"{self._label}: the session is refused right after logging in")

    def _listed(self, op: str, content: object) -> list[object]:
        """A call's list, or a SyncError: read as an empty list, another shape would say
        that the account has no feed (each unbound here) or no unread article (each read)."""
        if not isinstance(content, list):
            raise SyncError(f"{self._label}: {op} answered JSON of another shape")
        return content

    def _api_error(self, op: str, code: str) -> SyncError:
        user = sanitize.clean_line(self._user, limit=60) or "(no user)"
        if code == "LOGIN_ERROR":
            return SyncAuthError(f"{self._label}: password refused for {user}")
        if code == "API_DISABLED":
            return SyncAuthError(
                f"{self._label}: API access is off for {user} (tt-rss: Preferences, Enable API)"
            )
        if code == "NOT_LOGGED_IN":
            return SyncAuthError(f"{self._label}: the session is refused right after logging in")
        if code == "UNKNOWN_METHOD":
            level = f" (API level {self.api_level})" if self.api_level else ""
            return SyncError(f"{self._label}: the server does not know the call {op}{level}")
        shown = sanitize.clean_line(code, limit=80) or "unknown error"
        return ApiCallError(f"{self._label}: {op} failed: {shown}", code)

    async def _categories(self) -> dict[int, str]:
        rows = self._listed("getCategories",
                            await self._call("getCategories", {"include_empty": True}))
        names: dict[int, str] = {}
        for row in rows:
            item = mapping(row) or {}
            number, title = item.get("id"), _unescaped(line(item.get("title")))
            if isinstance(number, int) and number > 0 and title:
                names[number] = title
        return names

    async def feeds(self) -> list[RemoteFeed]:
        categories = await self._categories()
        rows = self._listed("getFeeds", await self._call("getFeeds", {"cat_id": -3}))  # -3: all
        feeds = []
        for row in rows:
            item = mapping(row) or {}
            feed_id, feed_url = ident(item.get("id")), url(item.get("feed_url"))
            if feed_id is None or feed_url is None:
                continue
            category = item.get("cat_id")
            feeds.append(RemoteFeed(
                id=feed_id,
                url=feed_url,
                title=_unescaped(line(item.get("title"))) or feed_url,
                category=categories.get(category) if isinstance(category, int) else None,
            ))
        return feeds

    async def _headlines(
        self, feed_id: int, *, view_mode: str = "all_articles", since: int = 0, skip: int = 0,
        content: bool = False,
    ) -> list[dict[str, object]]:
        rows = self._listed("getHeadlines", await self._call("getHeadlines", {
            "feed_id": feed_id, "view_mode": view_mode, "show_content": content,
            "since_id": since, "skip": skip, "limit": PAGE,
        }))
        return [item for row in rows if (item := mapping(row)) is not None]

    async def _feed_numbers(self) -> list[int]:
        rows = self._listed("getFeeds", await self._call("getFeeds", {"cat_id": -3}))
        return sorted({number for row in rows
                       if isinstance(number := (mapping(row) or {}).get("id"), int)
                       and not isinstance(number, bool) and number > 0})

    async def articles(
        self, cursor: str | None = None, *, known: Container[str] = frozenset()
    ) -> AsyncIterator[ArticlePage]:
        """What is new since the cursor (the highest id seen): one call when it fits in a
        page; else feed by feed (see the module's docstring for why not page by page)."""
        since = int(cursor) if cursor and number_text(cursor) else 0
        if since > MAX_ID:
            since = 0  # a cursor an earlier version took from such an id: list afresh
        seen: set[str] = set()
        first = await self._headlines(ALL_ARTICLES, since=since, content=True)
        # Ids only grow: every article up to the highest id listed now existed when it was
        # listed, and the walk below covers them; those that arrive meanwhile have higher
        # ids and come again next time (the caller drops what it has). An id past what a
        # database column holds is left out: as the cursor it would hide every article
        # after it, for good.
        top = max([since, *(number for row in first
                            if (i := ident(row.get("id"))) and number_text(i)
                            and (number := int(i)) <= MAX_ID)])
        batch = _fresh(first, seen, known)
        if len(first) < PAGE:
            yield ArticlePage(batch, cursor=str(top))
            return
        yield ArticlePage(batch)
        feeds = await self._feed_numbers()
        # a few feeds at a time: tt-rss spends its time rendering each article (sanitising
        # its HTML), which a server with more than one PHP worker does side by side
        for start in range(0, len(feeds), WALKERS):
            for pages in await _together(self._walk(feed_id, since)
                                         for feed_id in feeds[start:start + WALKERS]):
                for rows in pages:
                    batch = _fresh(rows, seen, known)
                    if batch:
                        yield ArticlePage(batch)
        yield ArticlePage((), cursor=str(top))

    async def _walk(self, feed_id: int, since: int) -> list[list[dict[str, object]]]:
        """One feed's articles since ``since``, page by page."""
        pages: list[list[dict[str, object]]] = []
        skip = 0
        walked: set[str] = set()
        listing = Listing(self._label, f"getHeadlines of feed {feed_id}")
        while True:
            rows = await self._headlines(feed_id, since=since, skip=skip, content=True)
            page_ids = {i for row in rows if (i := ident(row.get("id"))) is not None}
            if not page_ids - walked:
                # nothing but pages given already: a server that ignores skip, giving the
                # same page again or a few in turn
                return pages
            walked |= page_ids
            pages.append(rows)
            skip += len(rows)
            if len(rows) < PAGE:
                return pages
            listing.page(len(walked))

    async def _ids(self, feed_id: int, view_mode: str) -> dict[str, str]:
        """The ids a listing gives, each with its feed's id, paged by ``skip``."""
        ids: dict[str, str] = {}
        skip = 0
        listing = Listing(self._label, f"getHeadlines of feed {feed_id} ({view_mode})")
        while True:
            rows = await self._headlines(feed_id, view_mode=view_mode, skip=skip)
            before = len(ids)
            for row in rows:
                article_id, feed = ident(row.get("id")), ident(row.get("feed_id"))
                if article_id is not None:
                    ids[article_id] = feed or ""
            skip += len(rows)
            if len(rows) < PAGE or len(ids) == before:
                return ids
            listing.page(len(ids))

    async def feed_counts(self) -> dict[str, tuple[int, int]]:
        """Unread and starred articles of each feed that has any (getCounters: one cheap
        call that counts in the database)."""
        counts: dict[str, tuple[int, int]] = {}
        for row in self._listed("getCounters",
                                await self._call("getCounters", {"output_mode": "f"})):
            item = mapping(row) or {}
            number, unread, marked = item.get("id"), item.get("counter"), item.get("markedcounter")
            if (isinstance(number, int) and not isinstance(number, bool) and number > 0
                    and item.get("kind") != "cat" and isinstance(unread, int)):
                counts[str(number)] = (unread, marked if isinstance(marked, int) else 0)
        return counts

    async def state(
        self, *, counts: Mapping[str, tuple[int, int]] | None = None
    ) -> RemoteState:
        """The unread and starred ids, checked against tt-rss's own counts per feed.

        ``counts``: the unread and starred articles per feed as the caller last saw them;
        when only a few feeds differ from tt-rss's counts, only those are listed (the state
        then says which). Listing the whole account pages by ``skip`` through an order
        without a tie-breaker, which may miss an id where articles share their dates: a feed
        whose ids fall short of its count is listed again on its own.
        """
        counters = await self.feed_counts()
        if counts is not None:
            changed = {feed for feed in counters.keys() | counts.keys()
                       if counters.get(feed, (0, 0)) != counts.get(feed, (0, 0))}
            if len(changed) <= FEW_FEEDS:
                unread: set[str] = set()
                starred: set[str] = set()
                for feed in sorted(changed, key=_numeric):
                    if feed in counters and number_text(feed):
                        unread.update(await self._ids(int(feed), "unread"))
                        starred.update(await self._ids(int(feed), "marked"))
                return RemoteState(unread=frozenset(unread), starred=frozenset(starred),
                                   feeds=frozenset(changed))
        listed = {"unread": await self._ids(ALL_ARTICLES, "unread"),
                  "marked": await self._ids(STARRED, "all_articles")}
        for position, view_mode in enumerate(("unread", "marked")):
            ids = listed[view_mode]
            per_feed: dict[str, int] = {}
            for feed in ids.values():
                per_feed[feed] = per_feed.get(feed, 0) + 1
            for feed, numbers in counters.items():
                if per_feed.get(feed, 0) < numbers[position] and number_text(feed):
                    ids.update(await self._ids(int(feed), view_mode))
        return RemoteState(unread=frozenset(listed["unread"]),
                           starred=frozenset(listed["marked"]))

    async def unread_count(self) -> int:
        content = mapping(await self._call("getUnread")) or {}
        value = content.get("unread")
        if isinstance(value, str) and number_text(value):
            return int(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    async def update_feed(self, feed_id: str) -> None:
        """Ask tt-rss to fetch the feed now (updateFeed; it answers once it has)."""
        if not number_text(feed_id):
            raise SyncError(f"{self._label}: not a tt-rss feed id: "
                            f"{sanitize.clean_line(feed_id, limit=40)}")
        await self._call("updateFeed", {"feed_id": int(feed_id)})

    async def mark(self, ids: Collection[str], flag: Flag, value: bool) -> None:
        numbers = sorted({i for i in ids if number_text(i)}, key=int)
        # field 2 is "unread": reading sets it false.
        mode = (0 if value else 1) if flag is Flag.READ else (1 if value else 0)
        for start in range(0, len(numbers), MARK_BATCH):
            await self._call("updateArticle", {
                "article_ids": ",".join(numbers[start:start + MARK_BATCH]),
                "mode": mode, "field": _FIELD[flag],
            })

    async def subscribe(self, url: str, *, category: str | None = None,
                        fetch: bool = True) -> RemoteFeed:
        """Subscribe (tt-rss checks that the URL is a feed) and, with ``fetch``, have tt-rss
        fetch it now rather than at its updater's next round (a failure to is no error:
        the updater will). ``category`` must exist already."""
        feed_url = checked_url(self._label, url)
        category_id = 0
        if category:
            wanted = category.casefold()
            for number, name in (await self._categories()).items():
                if name.casefold() == wanted:
                    category_id = number
                    break
        content = mapping(await self._call(
            "subscribeToFeed", {"feed_url": feed_url, "category_id": category_id}
        )) or {}
        status = mapping(content.get("status")) or {}
        code = status.get("code")
        if code in (0, 1):
            feed_id = ident(status.get("feed_id"))
            if feed_id is None:
                raise SyncError(f"{self._label}: subscribed, but the answer has no feed id")
            if fetch and code == 1:
                try:
                    await self.update_feed(feed_id)
                except SyncAuthError:
                    raise
                except SyncError:
                    pass
            # tt-rss learns the title at its first fetch of the feed: feeds() has it then.
            return RemoteFeed(id=feed_id, url=feed_url, title=feed_url,
                              category=category if category_id else None)
        shown = sanitize.clean_line(feed_url, limit=120)
        why = _SUBSCRIBE_ERRORS.get(code, f"code {code}") if isinstance(code, int) else "refused"
        detail = line(status.get("message"), limit=120)
        raise SyncError(f"{self._label}: cannot subscribe to {shown}: {why}"
                        + (f" ({detail})" if detail else ""))

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe; a feed that is not (or no longer) there is no error."""
        if not number_text(feed_id):
            raise SyncError(f"{self._label}: not a tt-rss feed id: "
                            f"{sanitize.clean_line(feed_id, limit=40)}")
        try:
            await self._call("unsubscribeFeed", {"feed_id": int(feed_id)})
        except ApiCallError as error:
            if error.code != "FEED_NOT_FOUND":
                raise


def _unescaped(text: str | None) -> str | None:
    # tt-rss stores titles with HTML entities in places (feed titles from the feed's XML).
    return sanitize.clean_line(html.unescape(text)) if text else text


async def _together(calls: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """The calls' results, run side by side; the first failure is raised (as itself, not
    as an ExceptionGroup) once the others are cancelled."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as failures:
        raise _first(failures) from None
    return [task.result() for task in tasks]


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


def _numeric(text: str) -> tuple[int, str]:
    return (int(text), "") if number_text(text) else (0, text)


def _fresh(rows: list[dict[str, object]], seen: set[str],
           known: Container[str]) -> tuple[RemoteArticle, ...]:
    """The articles of ``rows`` not seen in this listing yet, nor known to the caller."""
    fresh = []
    for row in rows:
        article = _article(row)
        if article is None or article.id in seen:
            continue
        seen.add(article.id)
        if article.id not in known:
            fresh.append(article)
    return tuple(fresh)


def _article(item: dict[str, object] | None) -> RemoteArticle | None:
    if item is None:
        return None
    article_id, feed_id = ident(item.get("id")), ident(item.get("feed_id"))
    if article_id is None or feed_id is None:
        return None
    content = item.get("content")
    return RemoteArticle(
        id=article_id,
        feed_id=feed_id,
        title=_unescaped(line(item.get("title"))),
        url=url(item.get("link")),
        author=line(item.get("author"), limit=200),
        published=epoch(item.get("updated")),
        updated=None,
        content=content if isinstance(content, str) else "",
        read=not flag(item.get("unread")),
        starred=flag(item.get("marked")),
    )
