"""Every way a feed server can fail is one SyncError line naming the server, never a traceback.

Against a loopback fake of each API that behaves until a test breaks it: the login
works, then the next request gets the failure under test.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator

import pytest
from support.sync_fakes import FakeServer, Reply, Request, closed_port

from reader.core.errors import SyncAuthError, SyncError
from reader.core.sync import SyncClient
from reader.sources.http import HttpLimits
from reader.sync import GReaderClient, TtrssClient, open_client

Breaker = Callable[[Request], Reply | None]


class Fakes:
    """A healthy fake of one API, with ``broken`` consulted first for every data request."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.broken: Breaker | None = None
        self.logins = 0
        self.server = FakeServer(self.answer)

    @property
    def url(self) -> str:
        # The greader fake is FreshRSS-shaped; given its API's own address, no probing.
        return self.server.url + ("api/greader.php" if self.kind == "greader" else "")

    def client(self, password: str = "syncpass", **limits: float) -> SyncClient:
        http_limits = HttpLimits(**limits) if limits else HttpLimits()  # type: ignore[arg-type]
        return open_client(self.kind, self.url, "sync", password, limits=http_limits)

    def answer(self, request: Request) -> Reply:
        if self.kind == "ttrss":
            op = request.json().get("op")
            if op == "login":
                return self.ttrss_login(request)
        elif request.path.endswith("/accounts/ClientLogin"):
            return self.greader_login(request)
        if self.broken is not None and (reply := self.broken(request)) is not None:
            return reply
        return self.ttrss(request) if self.kind == "ttrss" else self.greader(request)

    def ttrss_login(self, request: Request) -> Reply:
        body = request.json()
        if body.get("user") == "sync" and body.get("password") == "syncpass":
            self.logins += 1
            return Reply.of_json({"seq": 0, "status": 0,
                                  "content": {"session_id": f"s{self.logins}", "api_level": 15}})
        return Reply.of_json({"seq": 0, "status": 1, "content": {"error": "LOGIN_ERROR"}})

    def ttrss(self, request: Request) -> Reply:
        body = request.json()
        if body.get("sid") != f"s{self.logins}":
            return Reply.of_json({"seq": 0, "status": 1, "content": {"error": "NOT_LOGGED_IN"}})
        contents: dict[str, object] = {
            "getCategories": [{"id": 3, "title": "News"}, {"id": -1, "title": "Special"}],
            "getFeeds": [{"id": 7, "feed_url": "http://feeds.example/a.xml",
                          "title": "A &amp; B", "cat_id": 3}],
            "getHeadlines": [],
            "getCounters": [{"id": 7, "counter": 0, "markedcounter": 0}],
            "logout": {"status": "OK"},
            "updateArticle": {"status": "OK", "updated": 1},
        }
        op = str(body.get("op"))
        if op not in contents:
            return Reply.of_json({"seq": 0, "status": 1,
                                  "content": {"error": "UNKNOWN_METHOD", "method": op}})
        return Reply.of_json({"seq": 0, "status": 0, "content": contents[op]})

    def greader_login(self, request: Request) -> Reply:
        form = dict(request.form())
        if form.get("Email") == "sync" and form.get("Passwd") == "syncpass":
            self.logins += 1
            return Reply.text(f"SID=x\nLSID=null\nAuth=sync/tok{self.logins}\n")
        return Reply.text("Unauthorized!", 401)

    def greader(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"GoogleLogin auth=sync/tok{self.logins}":
            return Reply(401, b"Unauthorized!", {"Google-Bad-Token": "true"})
        path = request.path.split("/reader/api/0/", 1)[-1]
        if path == "token":
            return Reply.text(f"T{self.logins}\n")
        if path == "subscription/list":
            return Reply.of_json({"subscriptions": [{
                "id": "feed/7", "title": "A & B", "url": "http://feeds.example/a.xml",
                "htmlUrl": "http://feeds.example/",
                "categories": [{"id": "user/-/label/News", "label": "News"}]}]})
        if path == "stream/items/ids":
            return Reply.of_json({"itemRefs": []})
        if path == "user-info":
            return Reply.of_json({"userId": "sync", "userName": "sync"})
        if path in ("edit-tag", "subscription/edit"):
            return Reply.text("OK")
        return Reply.text("Bad Request!", 400)


@pytest.fixture(params=["ttrss", "greader"])
def fake(request: pytest.FixtureRequest) -> Iterator[Fakes]:
    fakes = Fakes(request.param)
    yield fakes
    fakes.server.close()


async def failure(client: SyncClient) -> str:
    """The message of the SyncError that feeds() raises, checked to be one clean line."""
    async with client:
        with pytest.raises(SyncError) as caught:
            await client.feeds()
    message = str(caught.value)
    assert message.startswith(f"{client.label}: ")
    assert "\n" not in message and "Traceback" not in message and "syncpass" not in message
    return message.removeprefix(f"{client.label}: ")


async def test_a_healthy_fake_works(fake: Fakes) -> None:
    async with fake.client() as client:
        [feed] = await client.feeds()
    assert (feed.url, feed.title, feed.category) == ("http://feeds.example/a.xml", "A & B", "News")


async def test_wrong_password(fake: Fakes) -> None:
    async with fake.client(password="wrong") as client:
        with pytest.raises(SyncAuthError) as caught:
            await client.feeds()
    assert str(caught.value) == f"{client.label}: password refused for sync"


async def test_refused(fake: Fakes) -> None:
    client = open_client(fake.kind, f"http://127.0.0.1:{closed_port()}/", "sync", "syncpass")
    assert await failure(client) == "connection refused (is the server running?)"


async def test_timeout(fake: Fakes) -> None:
    fake.broken = lambda request: Reply(delay=1.5)
    assert await failure(fake.client(deadline=0.3)) == "timed out after 0.3 s"


async def test_garbage(fake: Fakes) -> None:
    fake.broken = lambda request: Reply(200, b"\x00\xff{{ not json", {"Content-Type": "text/json"})
    assert await failure(fake.client()) == "answered something that is not JSON"


async def test_html_error_page(fake: Fakes) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    fake.broken = lambda request: Reply(502, page, {"Content-Type": "text/html"})
    assert await failure(fake.client()) == "server error (HTTP 502 Bad Gateway)"


async def test_html_page_with_200(fake: Fakes) -> None:
    page = b"<!DOCTYPE html><html><head><title>Sign in &amp; read</title></head></html>"
    fake.broken = lambda request: Reply(200, page, {"Content-Type": "text/html"})
    assert await failure(fake.client()) == "answered with a web page, not the API (Sign in & read)"


async def test_oversized_with_length(fake: Fakes) -> None:
    fake.broken = lambda request: Reply.of_json({"junk": "x" * 5000})
    assert await failure(fake.client(max_bytes=1000)) == "answer too large (> 1000 bytes)"


async def test_oversized_without_length(fake: Fakes) -> None:
    fake.broken = lambda request: Reply(200, b"[" + b"1," * 5000 + b"1]", close_delimited=True)
    assert await failure(fake.client(max_bytes=1000)) == "answer too large (> 1000 bytes)"


async def test_gzip_bomb(fake: Fakes) -> None:
    bomb = gzip.compress(b"[" + b" " * 2_000_000 + b"]")
    fake.broken = lambda request: Reply(200, bomb, {"Content-Encoding": "gzip"})
    assert await failure(fake.client(max_bytes=100_000)) == "answer too large (> 100000 bytes)"


async def test_cut_off_answer(fake: Fakes) -> None:
    fake.broken = lambda request: Reply(200, b'{"status": 0, "con', length=5000)
    assert await failure(fake.client()) == "truncated response"


async def test_redirect_is_not_followed(fake: Fakes) -> None:
    fake.broken = lambda request: Reply(301, b"", {"Location": "https://elsewhere.example/api/"})
    message = await failure(fake.client())
    assert message == "redirects (HTTP 301) to https://elsewhere.example/api/"


async def test_server_error(fake: Fakes) -> None:
    fake.broken = lambda request: Reply.text("oops", 500)
    assert await failure(fake.client()) == "server error (HTTP 500 Internal Server Error)"


async def test_busy(fake: Fakes) -> None:
    fake.broken = lambda request: Reply(503, b"", {"Retry-After": "120"})
    assert await failure(fake.client()) == (
        "busy or down for maintenance (HTTP 503 Service Unavailable); try later")


async def test_not_an_http_address() -> None:
    for kind in ("ttrss", "greader"):
        with pytest.raises(SyncError) as caught:
            open_client(kind, "ftp://example.org/", "sync", "x")
        assert "not an http(s) URL: ftp://example.org/" in str(caught.value)


# --- tt-rss specifics -------------------------------------------------------------------

@pytest.fixture
def tt() -> Iterator[Fakes]:
    fakes = Fakes("ttrss")
    yield fakes
    fakes.server.close()


async def test_ttrss_expired_session_logs_in_again(tt: Fakes) -> None:
    async with tt.client() as client:
        await client.feeds()
        expired = {"done": False}  # then the server forgets the session once

        def once(request: Request) -> Reply | None:
            if not expired["done"]:
                expired["done"] = True
                return Reply.of_json({"seq": 0, "status": 1, "content": {"error": "NOT_LOGGED_IN"}})
            return None

        tt.broken = once
        assert len(await client.feeds()) == 1
    assert tt.logins == 2


async def test_ttrss_wrong_shape(tt: Fakes) -> None:
    tt.broken = lambda request: Reply.of_json([1, 2, 3])
    assert await failure(tt.client()) == "the answer is JSON but not tt-rss's API"


async def test_ttrss_api_disabled(tt: Fakes) -> None:
    tt.broken = lambda request: Reply.of_json(
        {"seq": 0, "status": 1, "content": {"error": "API_DISABLED"}})
    async with tt.client() as client:
        with pytest.raises(SyncAuthError) as caught:
            await client.feeds()
    assert str(caught.value) == (
        f"{client.label}: API access is off for sync (tt-rss: Preferences, Enable API)")


def headline(number: int) -> dict[str, object]:
    return {"id": number, "feed_id": 7, "title": f"Story {number}", "link": f"http://x/{number}",
            "unread": number % 2 == 0, "marked": "t" if number % 3 == 0 else "f",
            "updated": 1_700_000_000 + number, "author": "Ann", "content": f"<p>{number}</p>"}


async def test_ttrss_pages_and_cursor(tt: Fakes) -> None:
    rows = [headline(n) for n in range(450, 0, -1)]  # newest first, as tt-rss gives them

    def pages(request: Request) -> Reply | None:
        body = request.json()
        if body.get("op") != "getHeadlines":
            return None
        since, skip = int(str(body.get("since_id") or 0)), int(str(body.get("skip") or 0))
        assert int(str(body.get("limit"))) == 200
        chosen = [row for row in rows if int(str(row["id"])) > since][skip:skip + 200]
        return Reply.of_json({"seq": 0, "status": 0, "content": chosen})

    tt.broken = pages
    async with tt.client() as client:
        got = [page async for page in client.articles()]
        # more than a page: the rest feed by feed (the feed's first page repeats the first
        # page of all, which is not given twice)
        assert [len(page.articles) for page in got] == [200, 200, 50, 0]
        assert [page.cursor for page in got] == [None, None, None, "450"]
        assert len({a.id for page in got for a in page.articles}) == 450
        walked = [r.json().get("feed_id") for r in tt.server.requests
                  if r.json().get("op") == "getHeadlines"]
        assert walked == [-4, 7, 7, 7]
        story = got[0].articles[0]
        assert (story.id, story.title, story.read, story.starred) == (
            "450", "Story 450", False, True)
        assert story.published is not None and story.published.timestamp() == 1_700_000_450
        rows.insert(0, headline(451))
        again = [page async for page in client.articles("450", known={"451"})]
        assert [(page.articles, page.cursor) for page in again] == [((), "451")]


async def test_ttrss_ids_and_times_in_digits_int_refuses(tt: Fakes) -> None:
    # str.isdigit() is true of "²" and "①", which int() refuses: such an id, feed id or
    # time from the server ended the sync in a ValueError ("a bug") instead of being
    # taken as the text it is.
    odd = {**headline(2), "id": "\u00b2", "feed_id": "\u2460", "updated": "\u00b2"}
    plain = headline(4)

    def answer(request: Request) -> Reply | None:
        op = request.json().get("op")
        if op == "getHeadlines":
            return Reply.of_json({"seq": 0, "status": 0, "content": [odd, plain]})
        if op == "getCounters":
            return Reply.of_json({"seq": 0, "status": 0, "content": [
                {"id": "\u2460", "counter": 5, "markedcounter": 0},
                {"id": 7, "counter": 1, "markedcounter": 0}]})
        return None

    tt.broken = answer
    async with tt.client() as client:
        (page,) = [page async for page in client.articles()]
        assert page.cursor == "4"
        assert [(a.id, a.feed_id) for a in page.articles] == [("\u00b2", "\u2460"), ("4", "7")]
        assert page.articles[0].published is None
        state = await client.state()
        assert state.unread == {"\u00b2", "4"}
        few = await client.state(counts={"\u2460": (0, 0), "7": (0, 0)})
        assert "7" in few.feeds


async def test_ttrss_server_that_ignores_skip_ends(tt: Fakes) -> None:
    same = [headline(n) for n in range(200, 0, -1)]
    tt.broken = lambda request: (Reply.of_json({"seq": 0, "status": 0, "content": same})
                                 if request.json().get("op") == "getHeadlines" else None)
    async with tt.client() as client:
        got = [page async for page in client.articles()]
        state = await client.state()
    assert [len(page.articles) for page in got] == [200, 0]
    assert len(state.unread) == 200 and len(state.starred) == 200


async def test_ttrss_mark_sends_fields_and_batches(tt: Fakes) -> None:
    from reader.core.sync import Flag

    async with tt.client() as client:
        await client.mark([str(n) for n in range(1, 1201)] + ["junk", ""], Flag.READ, True)
        await client.mark(["5"], Flag.STARRED, False)
    sent = [r.json() for r in tt.server.requests if r.json().get("op") == "updateArticle"]
    assert [(len(str(s["article_ids"]).split(",")), s["mode"], s["field"]) for s in sent] == [
        (500, 0, 2), (500, 0, 2), (200, 0, 2), (1, 0, 0)]


async def test_ttrss_finds_the_api_below_the_root() -> None:
    assert TtrssClient("http://h/tt-rss", "u", "p").api_url == "http://h/tt-rss/api/"
    assert TtrssClient("http://h/tt-rss/api", "u", "p").api_url == "http://h/tt-rss/api/"
    assert TtrssClient("http://h/", "u", "p").api_url == "http://h/api/"


# --- Google Reader API specifics -------------------------------------------------------

@pytest.fixture
def gr() -> Iterator[Fakes]:
    fakes = Fakes("greader")
    yield fakes
    fakes.server.close()


async def test_greader_finds_the_api_below_a_freshrss_root(gr: Fakes) -> None:
    def answer(request: Request) -> Reply:
        if not request.path.startswith("/api/greader.php"):
            return Reply(302, b"", {"Location": "/i/"})  # FreshRSS's root: its web app
        return Fakes.answer(gr, request)

    gr.server.handler = answer
    async with GReaderClient(gr.server.url, "sync", "syncpass") as client:
        assert len(await client.feeds()) == 1
        assert client.endpoint == gr.server.url + "api/greader.php"
        assert client.auth_token == "sync/tok1"
    # The token can stand in for the password (and finds the endpoint again).
    async with GReaderClient(gr.server.url, "sync", token="sync/tok1") as again:
        assert len(await again.feeds()) == 1


async def test_greader_refused_token_without_password(gr: Fakes) -> None:
    async with GReaderClient(gr.url, "sync", token="stale") as client:
        with pytest.raises(SyncAuthError) as caught:
            await client.feeds()
    assert str(caught.value) == (f"{client.label}: the stored token is refused; "
                                 "log in again with the password")


async def test_greader_expired_auth_logs_in_again(gr: Fakes) -> None:
    async with gr.client() as client:
        await client.feeds()
        gr.logins += 1  # the server forgets the Auth token
        assert len(await client.feeds()) == 1
    assert gr.logins == 3


async def test_greader_writes_carry_the_token(gr: Fakes) -> None:
    from reader.core.sync import Flag

    async with gr.client() as client:
        await client.mark(["tag:google.com,2005:reader/item/00000000000000ff", "-1", "17"],
                          Flag.STARRED, True)
        await client.mark(["17"], Flag.READ, False)
    edits = [r.form() for r in gr.server.requests if r.path.endswith("/edit-tag")]
    assert edits == [
        [("i", "17"), ("i", "255"), ("i", str(2**64 - 1)), ("a", "user/-/state/com.google/starred"),
         ("T", "T1")],
        [("i", "17"), ("r", "user/-/state/com.google/read"), ("T", "T1")],
    ]


@pytest.mark.parametrize("odd", ["--5", "-", "\u00b2", "tag:google.com,2005:reader/item/xyz",
                                 "12-3", " 7 ", "+5"])
def test_greader_item_ids_of_no_number_are_none_or_read(odd: str) -> None:
    # "--5" passed the lstrip("-") test and int("--5") raised: an item of the server's with
    # such an id ended the sync with "a bug (ValueError)"
    from reader.sync.greader import item_id

    assert item_id(odd) in (None, "7")
    assert item_id("-1") == str(2**64 - 1) and item_id(42) == "42"


def item(number: int, *, crawled: int) -> dict[str, object]:
    return {
        "id": f"tag:google.com,2005:reader/item/{number:016x}",
        "timestampUsec": str(crawled * 1_000_000), "published": 1_700_000_000,
        "title": f"Item {number}", "canonical": [{"href": f"http://x/{number}"}],
        "categories": (
            ["user/-/state/com.google/reading-list", "user/1005921515/state/com.google/read"]
            if number % 2 else ["user/-/label/News", "user/-/state/com.google/starred"]),
        "origin": {"streamId": "feed/7"}, "summary": {"content": f"<p>{number}</p>"},
        "author": "Ann",
    }


async def test_greader_ids_then_contents_of_the_unknown(gr: Fakes) -> None:
    numbers = list(range(1, 251))

    def stream(request: Request) -> Reply | None:
        path = request.path.rsplit("/reader/api/0/", 1)[-1]
        if path == "stream/items/ids":
            start = int(request.param("c") or 0)
            page = numbers[start:start + 120]  # a server that pages by 120, whatever n asks
            more = {"continuation": str(start + 120)} if start + 120 < len(numbers) else {}
            return Reply.of_json({"itemRefs": [{"id": str(n)} for n in page], **more})
        if path == "stream/items/contents":
            wanted = [int(v) for k, v in request.form() if k == "i"]
            return Reply.of_json({"items": [item(n, crawled=1_790_000_000 - 10 + n % 7)
                                            for n in wanted]})
        return None

    gr.broken = stream
    async with gr.client() as client:
        got = [page async for page in client.articles(known={"1", "2", "3"})]
        later = [page async for page in client.articles("1789999996", known=set(map(str, numbers)))]
    assert [len(page.articles) for page in got] == [100, 100, 47]
    assert [page.cursor for page in got] == [None, None, str(1_790_000_000 - 10 + 6)]
    first = got[0].articles[0]
    assert (first.id, first.feed_id, first.url, first.read, first.starred) == (
        "4", "feed/7", "http://x/4", False, True)
    assert got[0].articles[1].read  # a read tag that names its user
    assert [(page.articles, page.cursor) for page in later] == [((), "1789999996")]
    ots = [r.param("ot") for r in gr.server.requests if r.path.endswith("/stream/items/ids")]
    assert ots[-1] == str(1789999996 - 600)


async def test_greader_halves_a_batch_over_the_cap(gr: Fakes) -> None:
    def stream(request: Request) -> Reply | None:
        path = request.path.rsplit("/reader/api/0/", 1)[-1]
        if path == "stream/items/ids":
            return Reply.of_json({"itemRefs": [{"id": str(n)} for n in range(1, 9)]})
        if path == "stream/items/contents":
            wanted = [int(v) for k, v in request.form() if k == "i"]
            items = [item(n, crawled=1_790_000_000) for n in wanted]
            if 5 in wanted:
                items[wanted.index(5)]["summary"] = {"content": "x" * 20_000}
            return Reply.of_json({"items": items})
        return None

    gr.broken = stream
    async with gr.client(max_bytes=10_000) as client:
        got = [a.id async for page in client.articles() for a in page.articles]
    assert isinstance(client, GReaderClient) and client.skipped == 1
    assert sorted(got, key=int) == ["1", "2", "3", "4", "6", "7", "8"]


async def test_greader_login_page_that_is_not_the_api(gr: Fakes) -> None:
    gr.server.handler = lambda request: Reply(200, b"<html><title>Welcome</title></html>",
                                              {"Content-Type": "text/html"})
    async with GReaderClient(gr.server.url, "sync", "syncpass") as client:
        with pytest.raises(SyncError) as caught:
            await client.feeds()
    assert str(caught.value) == (f"{client.label}: no Google Reader API here "
                                 "(ClientLogin answered without an Auth token)")



async def test_ttrss_state_lists_again_a_feed_whose_ids_fall_short_of_its_count(
        tt: Fakes) -> None:
    # tt-rss pages the whole account through an order without a tie-breaker: here the
    # listing of all unread articles missed one of feed 7's, whose count says 3
    def answers(request: Request) -> Reply | None:
        body = request.json()
        content: object
        if body.get("op") == "getCounters":
            content = [{"id": 7, "counter": 3, "markedcounter": 1},
                       {"id": 8, "counter": 1, "markedcounter": 0}]
        elif body.get("op") == "getHeadlines":
            feed, mode = body.get("feed_id"), body.get("view_mode")
            listing = {(-4, "unread"): [(1, 7), (2, 7), (9, 8)], (7, "unread"): [(1, 7), (2, 7),
                       (3, 7)], (-1, "all_articles"): [(2, 7)], (7, "marked"): [(2, 7)],
                       (8, "unread"): [(9, 8)], (8, "marked"): []}
            content = [{"id": n, "feed_id": f} for n, f in listing[(feed, mode)]]
        else:
            return None
        return Reply.of_json({"seq": 0, "status": 0, "content": content})

    tt.broken = answers
    async with tt.client() as client:
        state = await client.state()
        assert (state.unread, state.starred, state.feeds) == (
            frozenset({"1", "2", "3", "9"}), frozenset({"2"}), None)
        asked = [(r.json().get("feed_id"), r.json().get("view_mode"))
                 for r in tt.server.requests if r.json().get("op") == "getHeadlines"]
        assert asked == [(-4, "unread"), (-1, "all_articles"), (7, "unread")]

        # with the caller's counts: only the feeds whose counts differ are listed
        tt.server.requests.clear()
        state = await client.state(counts={"7": (3, 1), "8": (0, 0), "5": (2, 0)})
        assert (state.unread, state.starred, state.feeds) == (
            frozenset({"9"}), frozenset(), frozenset({"8", "5"}))
        asked = [(r.json().get("feed_id"), r.json().get("view_mode"))
                 for r in tt.server.requests if r.json().get("op") == "getHeadlines"]
        assert asked == [(8, "unread"), (8, "marked")]  # 5 has nothing left there


async def test_greader_a_continuation_that_comes_round_again_is_one_line(gr: Fakes) -> None:
    # a server whose every page said "continuation": "same" with other ids was asked for
    # the next page for as long as it gave new ids: the sync never ended
    pages = {"n": 0}

    def stream(request: Request) -> Reply | None:
        if request.path.endswith("/stream/items/ids"):
            pages["n"] += 1
            start = pages["n"] * 10
            return Reply.of_json({"itemRefs": [{"id": str(start + k)} for k in range(10)],
                                  "continuation": "same"})
        return None

    gr.broken = stream
    async with gr.client() as client:
        with pytest.raises(SyncError) as caught:
            [page async for page in client.articles()]
    assert str(caught.value) == (
        f"{client.label}: stream/items/ids gave the same continuation twice (a listing "
        "that goes round in circles)")
    assert pages["n"] == 2


async def test_greader_a_crawl_time_far_ahead_does_not_move_the_cursor(gr: Fakes) -> None:
    # one item crawled in the year 5138 (a server clock set wrong once) made it the cursor:
    # every later sync asked for items crawled after it and got no new article ever again
    import time

    now = int(time.time())

    def stream(request: Request) -> Reply | None:
        path = request.path.rsplit("/reader/api/0/", 1)[-1]
        if path == "stream/items/ids":
            return Reply.of_json({"itemRefs": [{"id": "1"}, {"id": "2"}, {"id": "3"}]})
        if path == "stream/items/contents":
            return Reply.of_json({"items": [item(1, crawled=now - 100),
                                            item(2, crawled=99_999_999_999),
                                            item(3, crawled=now + 3600)]})
        return None

    gr.broken = stream
    async with gr.client() as client:
        got = [page async for page in client.articles()]
    assert sum(len(page.articles) for page in got) == 3
    assert got[-1].cursor == str(now + 3600)  # a server clock an hour ahead moves it on


async def test_ttrss_a_server_that_stopped_answering_is_not_asked_to_log_out(tt: Fakes) -> None:
    # after a timeout the client logged out on closing and waited a second deadline for
    # that too: a stalled server's "timed out after 30 s" came after a minute
    tt.broken = lambda request: Reply(delay=1.0)
    assert await failure(tt.client(deadline=0.3)) == "timed out after 0.3 s"
    assert [r.json().get("op") for r in tt.server.requests] == ["login", "getCategories"]


async def test_ttrss_logs_out_after_an_api_error(tt: Fakes) -> None:
    tt.broken = lambda request: None if request.json().get("op") == "logout" else Reply.of_json(
        {"seq": 0, "status": 1, "content": {"error": "INCORRECT_USAGE"}})
    assert await failure(tt.client()) == "getCategories failed: INCORRECT_USAGE"
    assert [r.json().get("op") for r in tt.server.requests][-1] == "logout"


async def test_ttrss_a_server_that_gives_two_pages_in_turn_ends(tt: Fakes) -> None:
    # a feed listed page by page whose server ignored skip and gave two full pages in turn
    # (A, B, A, B, ...) was asked for the next page for ever: only a page equal to the one
    # before ended the walk
    pages = [[headline(n) for n in range(start, start - 200, -1)] for start in (400, 200)]
    calls = {"n": 0}

    def turn(request: Request) -> Reply | None:
        if request.json().get("op") != "getHeadlines":
            return None
        calls["n"] += 1
        assert calls["n"] < 50, "the walk goes on for ever"
        return Reply.of_json({"seq": 0, "status": 0, "content": pages[calls["n"] % 2]})

    tt.broken = turn
    async with tt.client() as client:
        got = [page async for page in client.articles()]
    assert len({a.id for page in got for a in page.articles}) == 400
    assert got[-1].cursor == "200"  # the first listing's top (see articles())


@pytest.mark.parametrize("shape", [None, "x", {}, 5])
async def test_a_subscription_list_of_another_shape_is_no_empty_list(
        fake: Fakes, shape: object) -> None:
    # {"subscriptions": null} (or tt-rss's content of another type) was read as "no
    # subscriptions": the sync unbound every feed of the account and dropped the read and
    # starred changes waiting to be sent
    def broken(request: Request) -> Reply | None:
        if fake.kind == "ttrss":
            if request.json().get("op") == "getFeeds":
                return Reply.of_json({"seq": 0, "status": 0, "content": shape})
            return None
        if request.path.endswith("/subscription/list"):
            return Reply.of_json({"subscriptions": shape} if shape is not None else {})
        return None

    fake.broken = broken
    message = await failure(fake.client())
    assert message.endswith("answered JSON of another shape"), message
    fake.broken = lambda request: (
        Reply.of_json({"seq": 0, "status": 0, "content": []}) if fake.kind == "ttrss"
        and request.json().get("op") == "getFeeds" else Reply.of_json({"subscriptions": []})
        if fake.kind == "greader" and request.path.endswith("/subscription/list") else None)
    async with fake.client() as client:
        assert await client.feeds() == []  # an empty list is no subscription, as it says


@pytest.mark.parametrize("refs", [None, "x", {"id": "1"}])
async def test_greader_an_unread_listing_of_another_shape_is_no_empty_one(
        gr: Fakes, refs: object) -> None:
    # {"itemRefs": null} was read as no unread article: every article was marked read here
    gr.broken = lambda request: (Reply.of_json({"itemRefs": refs})
                                 if request.path.endswith("/stream/items/ids") else None)
    async with gr.client() as client:
        with pytest.raises(SyncError) as caught:
            await client.state()
        assert str(caught.value).endswith("stream/items/ids answered JSON of another shape")
        gr.broken = lambda request: (Reply.of_json({}) if request.path.endswith(
            "/stream/items/ids") else None)
        assert (await client.state()).unread == frozenset()  # left out: an empty stream


async def test_a_category_name_is_cleaned_after_its_entities_are_read() -> None:
    # tt-rss writes names with HTML entities: a category called "&#27;]52;c;..." became
    # an ESC in the folder's name, which the interface writes to the terminal
    fakes = Fakes("ttrss")

    def categories(request: Request) -> Reply | None:
        if request.json().get("op") != "getCategories":
            return None
        return Reply.of_json({"seq": 0, "status": 0, "content": [
            {"id": 3, "title": "&#27;]52;c;cHduZWQ=&#7;News&#x9b;2J &#x202e;[b]x[/b]"}]})

    fakes.broken = categories
    try:
        async with fakes.client() as client:
            [feed] = await client.feeds()
    finally:
        fakes.server.close()
    assert feed.category is not None and "News" in feed.category
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e"
                   for ch in feed.category), repr(feed.category)


@pytest.mark.parametrize("shape", [None, "x", {"id": 7}])
async def test_ttrss_counts_of_another_shape_are_no_empty_counts(tt: Fakes, shape: object) -> None:
    # getCounters answering null was read as "no unread article anywhere": every article
    # of the feeds that had unread ones here was taken for read on the server, and the
    # sync marked them all read
    tt.broken = lambda request: (Reply.of_json({"seq": 0, "status": 0, "content": shape})
                                 if request.json().get("op") == "getCounters" else None)
    async with tt.client() as client:
        with pytest.raises(SyncError) as caught:
            await client.state(counts={"7": (2, 0)})
    assert str(caught.value).endswith("getCounters answered JSON of another shape")


async def test_ttrss_a_feed_list_of_another_shape_mid_walk_keeps_the_cursor(tt: Fakes) -> None:
    # a first page that is full has the rest listed feed by feed; a feed list of another
    # shape then was no feed at all, and the cursor moved past every article not listed
    def answers(request: Request) -> Reply | None:
        op = request.json().get("op")
        if op == "getHeadlines":
            skip = int(request.json().get("skip") or 0)
            rows = [{"id": n, "feed_id": 7} for n in range(1 + skip, 201 + skip)]
            return Reply.of_json({"seq": 0, "status": 0, "content": rows})
        if op == "getFeeds" and tt.server.requests[-2].json().get("op") == "getHeadlines":
            return Reply.of_json({"seq": 0, "status": 0, "content": None})
        return None

    tt.broken = answers
    async with tt.client() as client:
        with pytest.raises(SyncError) as caught:
            async for _page in client.articles():
                pass
    assert str(caught.value).endswith("getFeeds answered JSON of another shape")


@pytest.mark.parametrize("items", [None, "x", {"id": "1"}])
async def test_greader_contents_of_another_shape_do_not_move_the_cursor(
        gr: Fakes, items: object) -> None:
    # {"items": null} for a batch was no article: the next batch's crawl times moved the
    # cursor past the batch's articles, which no later sync listed again
    def stream(request: Request) -> Reply | None:
        path = request.path.rsplit("/reader/api/0/", 1)[-1]
        if path == "stream/items/ids":
            return Reply.of_json({"itemRefs": [{"id": str(n)} for n in range(1, 151)]})
        if path == "stream/items/contents":
            wanted = [int(v) for k, v in request.form() if k == "i"]
            if 1 in wanted:
                return Reply.of_json({"items": items})
            return Reply.of_json({"items": [item(n, crawled=1_790_000_000) for n in wanted]})
        return None

    gr.broken = stream
    async with gr.client() as client:
        with pytest.raises(SyncError) as caught:
            async for _page in client.articles():
                pass
    assert str(caught.value).endswith("stream/items/contents answered JSON of another shape")


async def test_text_no_request_can_carry_is_one_line(fake: Fakes) -> None:
    # a lone surrogate (bytes that were not UTF-8) in a login: a UnicodeEncodeError's
    # traceback from the form, and tt-rss was sent the escape as if it were text
    client = open_client(fake.kind, fake.url, "caf\udce9", "syncpass")
    async with client:
        with pytest.raises(SyncError) as caught:
            await client.feeds()
    assert str(caught.value) == (f"{client.label}: a request with text that is not valid "
                                 "UTF-8 was not sent")
    assert fake.server.requests == []


async def test_a_listing_without_end_is_stopped(
        fake: Fakes, monkeypatch: pytest.MonkeyPatch) -> None:
    # a server that gives new ids and another page for ever held the sync (and its memory)
    # for ever: the interface's refresh never ended. The caps are made small here.
    monkeypatch.setattr("reader.sync.transport.MAX_LISTED_PAGES", 5)
    served = {"pages": 0}

    def endless(request: Request) -> Reply | None:
        if fake.kind == "ttrss":
            if request.json().get("op") != "getHeadlines":
                return None
            skip = int(request.json().get("skip") or 0)
            served["pages"] += 1
            rows = [{"id": n, "feed_id": 7} for n in range(skip + 1, skip + 201)]
            return Reply.of_json({"seq": 0, "status": 0, "content": rows})
        if not request.path.endswith("/stream/items/ids"):
            return None
        page = int(request.param("c") or 0)
        served["pages"] += 1
        return Reply.of_json({"itemRefs": [{"id": str(page * 10 + n)} for n in range(10)],
                              "continuation": str(page + 1)})

    fake.broken = endless
    async with fake.client() as client:
        with pytest.raises(SyncError) as caught:
            await client.state()
    assert "past 5 pages or 1,000,000 ids: stopped (a listing without end)" in str(caught.value)
    assert served["pages"] <= 6


async def test_ttrss_an_id_past_any_database_does_not_move_the_cursor(tt: Fakes) -> None:
    # one id of 2**64 in a listing became the cursor: every later call asked for articles
    # past it, and no new article was synced again
    def answers(request: Request) -> Reply | None:
        if request.json().get("op") != "getHeadlines":
            return None
        rows = [{"id": n, "feed_id": 7} for n in (1, 2, 2**64)]
        return Reply.of_json({"seq": 0, "status": 0, "content": rows})

    tt.broken = answers
    async with tt.client() as client:
        pages = [page async for page in client.articles()]
        again = [page async for page in client.articles(str(2**64))]
    assert pages[-1].cursor == "2"
    assert {a.id for page in pages for a in page.articles} == {"1", "2", str(2**64)}
    assert again[-1].cursor == "2"  # a cursor taken so before lists afresh


async def test_greader_an_auth_token_no_header_can_carry_is_no_token() -> None:
    # 'Auth=tök' was taken, then every request failed as a "network error: 'ascii' codec
    # can't encode character"
    server = FakeServer(lambda request: Reply.text("SID=x\nAuth=t\u00f6k\n"))
    try:
        client = open_client("greader", server.url + "api/greader.php", "sync", "x")
        async with client:
            with pytest.raises(SyncError) as caught:
                await client.feeds()
    finally:
        server.close()
    assert str(caught.value) == (f"{client.label}: no Google Reader API here "
                                 "(ClientLogin answered without an Auth token)")
