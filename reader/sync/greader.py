"""The Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux) as a
:class:`reader.core.sync.SyncClient`.

The address given is the server's base: either the API's own root (Miniflux, Inoreader:
``/accounts/ClientLogin`` lives there) or a FreshRSS install, whose API is
``api/greader.php`` below it; the first of the two that answers ClientLogin is used.

How the API is used here:

- ``accounts/ClientLogin`` (Email, Passwd) answers ``Auth=...``; every later request
  sends ``Authorization: GoogleLogin auth=...``. Writes also carry the ``T`` token from
  ``reader/api/0/token``; a 401 fetches a new one (and logs in again) once.
- Articles: ``stream/items/ids`` of the reading list (ids only, thousands a page, paged
  with ``c`` = continuation) from ``ot`` = the cursor minus :data:`OVERLAP`, then
  ``stream/items/contents`` for the ids the caller does not have yet. ``ot`` counts in
  crawl time, the cursor is the newest crawl time seen (up to a day ahead of this
  clock); the overlap covers entries a server commits late, at the cost of a few ids
  listed again.
- Flags: the ``user/-/state/com.google/read`` and ``.../starred`` tags, set with
  ``edit-tag`` (``a`` adds, ``r`` removes); :meth:`state` lists the unread
  (reading-list excluding read) and starred ids. No call says when a flag changed.
- Item ids come long (``tag:google.com,2005:reader/item/<16 hex>``) or short (decimal,
  signed on Google's own servers); both are made the unsigned decimal here.
- Tags may name the user (``user/1005921515/state/com.google/read`` on Inoreader), so they
  are matched by their end.

FreshRSS's ways (1.25-dev): titles in the "compat" output have ``& < >`` replaced by
fullwidth ``＆ ＜ ＞`` (feed titles also ``? \\ / , ;``); the content is in ``summary``,
cut at 500,000 bytes; subscribing to a feed already there, or unsubscribing one not there,
is an HTTP 400; the ``T`` token never expires (and ``x`` is accepted as one).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Collection, Container, Mapping, Sequence

import httpx

from reader.core import sanitize
from reader.core.errors import SyncAuthError, SyncError
from reader.core.sync import ArticlePage, Flag, RemoteArticle, RemoteFeed, RemoteState
from reader.core.words import number_text
from reader.sources.http import DEFAULT_LIMITS, HttpLimits
from reader.sync.transport import (
    AnswerTooLarge,
    ApiClient,
    ApiResponse,
    Listing,
    Transport,
    checked_url,
    epoch,
    ident,
    line,
    mapping,
    sequence,
    server_label,
    url,
)

NAME = "Google Reader API"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
_TAGS = {Flag.READ: READ, Flag.STARRED: STARRED}
IDS_PAGE = 10_000  # ids a stream/items/ids call asks for
CONTENTS_BATCH = 100  # items a stream/items/contents call asks for
EDIT_BATCH = 250  # ids an edit-tag call carries
OVERLAP = 600  # seconds of crawl time listed again before the cursor
CLOCK_SLACK = 86_400  # seconds a crawl time may be ahead of this clock and move the cursor
_LONG_ID = "tag:google.com,2005:reader/item/"
_LABEL = "/label/"


def endpoints(root: str) -> list[str]:
    """Where the API may live for a base address, most likely first."""
    base = root.split("?", 1)[0].rstrip("/")
    if base.endswith(".php"):
        return [base]
    return [base, base + "/api/greader.php"]


def item_id(value: object) -> str | None:
    """An item id in its unsigned decimal form, whatever form it came in."""
    text = ident(value)
    if text is None:
        return None
    if text.startswith(_LONG_ID):
        tail = text[len(_LONG_ID):]
        try:
            return str(int(tail, 16))
        except ValueError:
            return None
    if number_text(text.removeprefix("-")):  # one sign: int() refused "--5"
        number = int(text[:21])
        return str(number + 2**64 if number < 0 else number)
    return None


def label_name(tag: str) -> str | None:
    """The folder of a ``user/-/label/NAME`` (or ``user/123/label/NAME``) tag."""
    if tag.startswith("user/") and _LABEL in tag:
        return sanitize.clean_line(tag.split(_LABEL, 1)[1])
    return None


class GReaderClient(ApiClient):
    """A session with one account on a Google Reader API server.

    Give ``password``, or ``token`` (an ``Auth`` value from an earlier :attr:`auth_token`,
    which FreshRSS and Miniflux keep valid until the password changes) to store instead
    of the password; with a token only, a refused token is a SyncAuthError.
    """

    kind = "greader"

    def __init__(
        self,
        url: str,
        user: str,
        password: str | None = None,
        *,
        token: str | None = None,
        http: httpx.AsyncClient | None = None,
        limits: HttpLimits = DEFAULT_LIMITS,
    ) -> None:
        root = checked_url(NAME, url)
        self._label = server_label(NAME, root)
        self._candidates = endpoints(root)
        self.endpoint: str | None = self._candidates[0] if len(self._candidates) == 1 else None
        self._user = user
        self._password = password
        self._auth = token
        self._write_token: str | None = None
        self.skipped = 0  # articles left out for being over the size cap on their own
        self._transport = Transport(self._label, http=http, limits=limits)

    def __repr__(self) -> str:
        return f"GReaderClient({self._candidates[0]!r}, user={self._user!r})"

    @property
    def auth_token(self) -> str | None:
        """The ``Auth`` token of the session, once logged in (a secret, like a password)."""
        return self._auth

    def _user_shown(self) -> str:
        return sanitize.clean_line(self._user, limit=60) or "(no user)"

    async def login(self) -> None:
        if self._password is None:
            raise SyncAuthError(f"{self._label}: the stored token is refused; "
                                "log in again with the password")
        self._auth = self._write_token = None
        form = [("Email", self._user), ("Passwd", self._password)]
        for number, base in enumerate(self._candidates):
            last = number == len(self._candidates) - 1
            response = await self._transport.request(
                "POST", base + "/accounts/ClientLogin", form=form, redirects=not last
            )
            auth = _auth_line(response) if response.status == 200 else None
            if auth:
                self.endpoint, self._auth = base, auth
                return
            if response.status in (401, 403):
                raise SyncAuthError(f"{self._label}: password refused for {self._user_shown()}")
            if not last:
                continue  # not the API's root: a web page, a redirect, a 404
            if response.status == 400:
                # FreshRSS: a user name it cannot have; others: a malformed login.
                raise SyncAuthError(f"{self._label}: user name refused: {self._user_shown()}")
            self._transport.check(response)
            raise SyncError(f"{self._label}: no Google Reader API here "
                            "(ClientLogin answered without an Auth token)")

    async def _find_endpoint(self) -> None:
        """With a stored token and no password: the first candidate that accepts it."""
        for base in self._candidates:
            response = await self._transport.request(
                "GET", base + "/reader/api/0/user-info", params=[("output", "json")],
                headers=self._headers(), redirects=True,
            )
            if response.status == 200 and mapping(_json_or_none(response)) is not None:
                self.endpoint = base
                return
        raise SyncAuthError(f"{self._label}: the stored token is refused; "
                            "log in again with the password")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"GoogleLogin auth={self._auth}"} if self._auth else {}

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        form: Sequence[tuple[str, str]] | None = None,
        write: bool = False,
    ) -> ApiResponse:
        if self._auth is None:
            await self.login()
        elif self.endpoint is None:
            await self._find_endpoint()
        for attempt in range(2):
            sent = list(form or ())
            if write:
                sent.append(("T", await self._token()))
            response = await self._transport.request(
                method, f"{self.endpoint}/reader/api/0/{path}", params=params,
                form=sent if method == "POST" else None, headers=self._headers(),
            )
            if response.status == 401 and attempt == 0:
                self._write_token = None
                if write and self._password is None:
                    continue  # only the T token may have expired
                await self.login()
                continue
            if response.status in (401, 403):
                raise SyncAuthError(f"{self._label}: access refused for {self._user_shown()} "
                                    f"(HTTP {response.status}); log in again")
            self._transport.check(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _json(self, path: str, params: Sequence[tuple[str, str]] = ()) -> dict[str, object]:
        response = await self._request("GET", path, params=[*params, ("output", "json")])
        data = mapping(self._transport.json(response))
        if data is None:
            raise SyncError(f"{self._label}: {path.split('/')[0]} answered JSON of another shape")
        return data

    async def _token(self) -> str:
        if self._write_token is None:
            response = await self._request("GET", "token")
            token = response.text().strip()
            if not token or len(token) > 1024 or any(c.isspace() for c in token):
                raise SyncError(f"{self._label}: the token answer is not a token")
            self._write_token = token
        return self._write_token

    async def feeds(self) -> list[RemoteFeed]:
        data = await self._json("subscription/list")
        listed = data.get("subscriptions")
        if not isinstance(listed, list):
            # not "none": read so, every feed of the account would be unbound here
            raise SyncError(f"{self._label}: subscription/list answered JSON of another shape")
        feeds = []
        for row in listed:
            item = mapping(row) or {}
            feed_id = ident(item.get("id"))
            if feed_id is None:
                continue
            feed_url = url(item.get("url"))
            if feed_url is None and feed_id.startswith("feed/"):
                feed_url = url(feed_id[5:])  # The Old Reader, BazQux: the id is the URL
            if feed_url is None:
                continue
            category = None
            for entry in sequence(item.get("categories")):
                folder = mapping(entry) or {}
                category = line(folder.get("label"))
                if category is None and isinstance(folder.get("id"), str):
                    category = label_name(str(folder["id"]))
                if category:
                    break
            feeds.append(RemoteFeed(
                id=feed_id,
                url=feed_url,
                title=line(item.get("title")) or feed_url,
                category=category,
                site_url=url(item.get("htmlUrl")),
            ))
        return feeds

    async def _stream_ids(
        self, stream: str, *, exclude: str | None = None, since: int | None = None
    ) -> list[str]:
        ids: dict[str, None] = {}  # ordered, without repeats
        continuation: str | None = None
        given: set[str] = set()  # every continuation so far: one given again is a circle
        listing = Listing(self._label, "stream/items/ids")
        while True:
            params = [("s", stream), ("n", str(IDS_PAGE))]
            if exclude:
                params.append(("xt", exclude))
            if since:
                params.append(("ot", str(since)))
            if continuation:
                params.append(("c", continuation))
            data = await self._json("stream/items/ids", params)
            before = len(ids)
            refs = data.get("itemRefs", [])  # left out of an empty stream by some servers
            if not isinstance(refs, list):
                # not "none": an unread listing read so would take every article for read
                raise SyncError(f"{self._label}: stream/items/ids answered JSON of another "
                                "shape")
            for row in refs:
                number = item_id((mapping(row) or {}).get("id"))
                if number is not None and number != "0":  # News+'s placeholder
                    ids[number] = None
            continuation = ident(data.get("continuation"))
            if not continuation or len(ids) == before:
                return list(ids)
            listing.page(len(ids))
            if continuation in given:
                # not the end, and no way on: a listing cut short here would count every
                # unread id it missed as read
                raise SyncError(f"{self._label}: stream/items/ids gave the same continuation "
                                "twice (a listing that goes round in circles)")
            given.add(continuation)

    async def _contents(self, ids: Sequence[str]) -> list[tuple[RemoteArticle, int]]:
        """The items of ``ids`` with their crawl times (s); halves a batch over the cap."""
        try:
            response = await self._request(
                "POST", "stream/items/contents", params=[("output", "json")],
                form=[("i", number) for number in ids],
            )
        except AnswerTooLarge:
            if len(ids) == 1:
                self.skipped += 1
                return []
            middle = len(ids) // 2
            return [*await self._contents(ids[:middle]), *await self._contents(ids[middle:])]
        data = mapping(self._transport.json(response))
        if data is None:
            raise SyncError(f"{self._label}: stream/items/contents answered JSON of another shape")
        rows = data.get("items", [])
        if not isinstance(rows, list):
            # not "none": the batch's articles would be skipped for good, the cursor moved
            # past them by the next batch's
            raise SyncError(f"{self._label}: stream/items/contents answered JSON of another "
                            "shape")
        items = []
        for row in rows:
            parsed = _item(mapping(row))
            if parsed is not None:
                items.append(parsed)
        return items

    async def articles(
        self, cursor: str | None = None, *, known: Container[str] = frozenset()
    ) -> AsyncIterator[ArticlePage]:
        since = int(cursor) if cursor and number_text(cursor) else 0
        ids = await self._stream_ids(READING_LIST, since=max(0, since - OVERLAP) or None)
        wanted = [number for number in ids if number not in known]
        top = since
        if not wanted:
            yield ArticlePage((), cursor=str(top))
            return
        for start in range(0, len(wanted), CONTENTS_BATCH):
            items = await self._contents(wanted[start:start + CONTENTS_BATCH])
            # a crawl time past tomorrow here (a server clock set wrong once) is left out:
            # as the cursor it would hide every item crawled before it, for good
            ahead = int(time.time()) + CLOCK_SLACK
            top = max([top, *(crawled for _, crawled in items if crawled <= ahead)])
            last = start + CONTENTS_BATCH >= len(wanted)
            yield ArticlePage(tuple(article for article, _ in items),
                              cursor=str(top) if last else None)

    async def state(
        self, *, counts: Mapping[str, tuple[int, int]] | None = None
    ) -> RemoteState:
        """Every unread and starred id (``counts`` is not needed: ten thousand ids a call)."""
        unread = await self._stream_ids(READING_LIST, exclude=READ)
        starred = await self._stream_ids(STARRED)
        return RemoteState(unread=frozenset(unread), starred=frozenset(starred))

    async def unread_count(self) -> int:
        data = await self._json("unread-count")
        total = 0
        for row in sequence(data.get("unreadcounts")):
            item = mapping(row) or {}
            stream, count = ident(item.get("id")) or "", item.get("count")
            if not isinstance(count, int) or isinstance(count, bool):
                continue
            if stream.endswith("/state/com.google/reading-list"):
                return count
            if stream.startswith("feed/"):
                total += count
        return total

    async def mark(self, ids: Collection[str], flag: Flag, value: bool) -> None:
        numbers = sorted({n for i in ids if (n := item_id(i)) is not None}, key=int)
        action = "a" if value else "r"
        for start in range(0, len(numbers), EDIT_BATCH):
            form = [("i", number) for number in numbers[start:start + EDIT_BATCH]]
            await self._request("POST", "edit-tag", form=[*form, (action, _TAGS[flag])],
                                write=True)

    async def subscribe(self, url: str, *, category: str | None = None) -> RemoteFeed:
        feed_url = checked_url(self._label, url)
        before = {feed.id for feed in await self.feeds()}
        form = [("ac", "subscribe"), ("s", f"feed/{feed_url}")]
        if category:
            form.append(("a", f"user/-/label/{category}"))
        refused: SyncError | None = None
        try:
            await self._request("POST", "subscription/edit", form=form, write=True)
        except SyncAuthError:
            raise
        except SyncError as error:
            refused = error  # FreshRSS: 400 for a feed already there, as for a bad one
        after = await self.feeds()
        added = [feed for feed in after if feed.id not in before]
        for feed in added + after:
            if feed.url == feed_url:
                return feed
        if added and refused is None:
            return added[0]  # the server found the feed behind a page's address
        shown = sanitize.clean_line(feed_url, limit=120)
        why = str(refused).removeprefix(f"{self._label}: ") if refused else "it is not listed"
        raise SyncError(f"{self._label}: cannot subscribe to {shown}: {why}")

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe; a feed that is not (or no longer) there is no error."""
        try:
            await self._request("POST", "subscription/edit",
                                form=[("ac", "unsubscribe"), ("s", feed_id)], write=True)
        except SyncAuthError:
            raise
        except SyncError:
            if any(feed.id == feed_id for feed in await self.feeds()):
                raise


def _auth_line(response: ApiResponse) -> str | None:
    for text in response.text().splitlines():
        key, _, value = text.partition("=")
        if key.strip() == "Auth" and value.strip():
            token = value.strip()
            # sent back in a header, which holds ASCII only
            ok = len(token) <= 4096 and token.isascii() and token.isprintable()
            return token if ok else None
    return None


def _json_or_none(response: ApiResponse) -> object:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return None


def _first_href(value: object) -> str | None:
    for entry in sequence(value):
        href = url((mapping(entry) or {}).get("href"))
        if href:
            return href
    return None


def _item(item: dict[str, object] | None) -> tuple[RemoteArticle, int] | None:
    if item is None:
        return None
    article_id = item_id(item.get("id"))
    origin = mapping(item.get("origin")) or {}
    feed_id = ident(origin.get("streamId"))
    if article_id is None or feed_id is None:
        return None
    tags = [tag for tag in sequence(item.get("categories")) if isinstance(tag, str)]
    body = mapping(item.get("content")) or mapping(item.get("summary")) or {}
    content = body.get("content")
    # The cursor takes the server's crawl clock as it is, up to a day ahead of this one
    # (see articles()); ``updated`` only what is plausible.
    usec, msec = _digits(item.get("timestampUsec")), _digits(item.get("crawlTimeMsec"))
    crawl = usec // 1_000_000 if usec else msec // 1000 if msec else 0
    return RemoteArticle(
        id=article_id,
        feed_id=feed_id,
        title=line(item.get("title")),
        url=_first_href(item.get("canonical")) or _first_href(item.get("alternate")),
        author=line(item.get("author"), limit=200),
        published=epoch(item.get("published")),
        updated=epoch(crawl),
        content=content if isinstance(content, str) else "",
        read=any(tag.endswith("/state/com.google/read") for tag in tags),
        starred=any(tag.endswith("/state/com.google/starred") for tag in tags),
    ), crawl


def _digits(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and number_text(value) and len(value) <= 20:
        return int(value)
    return 0
