"""HTTP fetching against loopback servers started here: hostile_server.py and a tiny local one."""

from __future__ import annotations

import asyncio
import gzip
import os
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.paths import SUPPORT
from support.zlib_spy import count_zlib_input

from reader.core.models import FetchState, SourceKind
from reader.ingest.load import load_url_async
from reader.ingest.specs import load_specs, load_url
from reader.sources.http import (
    USER_AGENT,
    HttpFetchError,
    HttpLimits,
    fetch,
    make_client,
    parse_retry_after,
)

SERVER = SUPPORT / "hostile_server.py"
FAST = HttpLimits(deadline=2.0, max_bytes=2**20, connect_timeout=2.0)

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Local</title>'
    b"<item><title>Local entry</title><guid>l-1</guid><description>Body.</description></item>"
    b"</channel></rss>"
)


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", "--duration", "120"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    url = line.split(" on ", 1)[1].split()[0].rstrip("/")
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
    yield url
    process.terminate()
    process.wait(5)


class Local(BaseHTTPRequestHandler):
    """Behaviours hostile_server.py lacks, with sizes small enough for a fast test."""

    protocol_version = "HTTP/1.1"
    active = 0
    peak = 0
    lock = threading.Lock()
    seen_headers: dict[str, str] = {}

    def log_message(self, *args: object) -> None:
        pass

    def _send(
        self, body: bytes, *, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Local.seen_headers = {k.lower(): v for k, v in self.headers.items()}
        routes: dict[str, Callable[[], None]] = {
            "/feed.xml": lambda: self._send(
                FEED, headers=(("Content-Type", "application/rss+xml"),)
            ),
            "/gzip-bomb": lambda: self._send(
                gzip.compress(bytes(20 * 2**20)), headers=(("Content-Encoding", "gzip"),)
            ),
            "/gzip-ok": lambda: self._send(
                gzip.compress(FEED), headers=(("Content-Encoding", "gzip"),)
            ),
            "/deflate-ok": lambda: self._send(
                zlib.compress(FEED), headers=(("Content-Encoding", "deflate"),)
            ),
            # raw DEFLATE without zlib's header: what some servers (old IIS) send; curl and
            # browsers read it
            "/deflate-raw": lambda: self._send(
                _raw_deflate(FEED), headers=(("Content-Encoding", "deflate"),)
            ),
            "/deflate-bomb": lambda: self._send(
                _raw_deflate(bytes(20 * 2**20)), headers=(("Content-Encoding", "deflate"),)
            ),
            "/deflate-junk": lambda: self._send(
                b"\xff" * 300, headers=(("Content-Encoding", "deflate"),)
            ),
            # a page whose "feed" link names the page itself (a theme's template gone wrong)
            "/self-page": lambda: self._send(
                b'<html><head><title>Self</title><link rel="alternate" '
                b'type="application/rss+xml" href="/self-page#feed"></head><body><article>'
                + b"<p>A paragraph of the page's own article, long enough to be read.</p>" * 5
                + b"</article></body></html>", headers=(("Content-Type", "text/html"),)
            ),
            # gzip members one after the other (RFC 1952 2.2), as zcat and browsers read them
            "/gzip-members": lambda: self._send(
                gzip.compress(FEED[:50]) + gzip.compress(FEED[50:]),
                headers=(("Content-Encoding", "gzip"),)
            ),
            "/gzip-member-bombs": lambda: self._send(
                gzip.compress(bytes(600_000)) * 4, headers=(("Content-Encoding", "gzip"),)
            ),
            "/double": lambda: self._send(
                gzip.compress(gzip.compress(FEED)), headers=(("Content-Encoding", "gzip, gzip"),)
            ),
            "/brotli": lambda: self._send(FEED, headers=(("Content-Encoding", "br"),)),
            "/gzip-cut": lambda: self._send(
                gzip.compress(FEED + os.urandom(4000))[:200],
                headers=(("Content-Encoding", "gzip"),),
            ),
            "/slow": self._slow,
            "/opml": lambda: self._send(
                b'<opml version="2.0"><body><outline xmlUrl="http://127.0.0.1:%d/feed.xml"/>'
                b'<outline xmlUrl="exec:rm -rf /"/></body></opml>' % self.server.server_address[1]
            ),
        }
        routes.get(self.path, lambda: self._send(b"no", status=404))()

    def _slow(self) -> None:
        with Local.lock:
            Local.active += 1
            Local.peak = max(Local.peak, Local.active)
        time.sleep(0.2)
        with Local.lock:
            Local.active -= 1
        self._send(FEED)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@pytest.fixture(scope="module")
def local() -> Iterator[str]:
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Local)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def get(url: str, *, limits: HttpLimits = FAST, state: FetchState | None = None) -> object:
    """fetch's response, or the HttpFetchError it raised."""
    async with make_client(limits) as client:
        try:
            return await fetch(client, url, limits=limits, state=state)
        except HttpFetchError as error:
            return error


def message(outcome: object) -> str:
    assert isinstance(outcome, HttpFetchError), outcome
    text = str(outcome)
    assert "\n" not in text
    return text


# --------------------------------------------------------------------------- the good path


async def test_ok_then_conditional_304(hostile: str) -> None:
    async with make_client(FAST) as client:
        first = await fetch(client, f"{hostile}/ok.xml", limits=FAST)
        assert first.status == 200 and not first.not_modified
        assert first.content.startswith(b"<?xml")
        assert first.state.etag and first.state.last_modified
        second = await fetch(client, f"{hostile}/ok.xml", state=first.state, limits=FAST)
    assert second.not_modified and second.status == 304 and second.content == b""
    assert second.state.etag == first.state.etag
    assert second.state.last_modified == first.state.last_modified


async def test_conditional_with_last_modified_only(hostile: str) -> None:
    state = FetchState(last_modified="Mon, 06 Jan 2025 10:00:00 GMT")
    response = await get(f"{hostile}/ok.xml", state=state)
    assert getattr(response, "not_modified", None) is True


async def test_headers_sent(local: str) -> None:
    await get(f"{local}/feed.xml")
    assert Local.seen_headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("reader-tui/")
    assert Local.seen_headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("path", ["/gzip-ok", "/deflate-ok", "/deflate-raw", "/gzip-members"])
async def test_one_coding_layer_is_decoded(local: str, path: str) -> None:
    response = await get(f"{local}{path}")
    assert getattr(response, "content", None) == FEED


async def test_redirect_chain_within_the_cap(hostile: str) -> None:
    response = await get(f"{hostile}/redirect-chain?n=5")
    assert getattr(response, "url", "").endswith("/ok.xml")
    assert getattr(response, "permanent_redirect", None) is True


async def test_per_host_limit(local: str) -> None:
    limits = HttpLimits(deadline=10, per_host=2)
    Local.peak = 0
    async with make_client(limits) as client:
        await asyncio.gather(*(fetch(client, f"{local}/slow", limits=limits) for _ in range(6)))
    assert Local.peak == 2


# --------------------------------------------------------------------------- time


async def test_dripping_and_silent_servers_hit_the_deadline(hostile: str) -> None:
    start = time.monotonic()
    outcomes = await asyncio.gather(
        get(f"{hostile}/slow-drip"), get(f"{hostile}/slow-headers"), get(f"{hostile}/no-response")
    )
    elapsed = time.monotonic() - start
    assert [message(o) for o in outcomes] == ["timed out after 2 s"] * 3
    assert elapsed < 4


# --------------------------------------------------------------------------- size


async def test_endless_body_is_capped(hostile: str) -> None:
    assert message(await get(f"{hostile}/infinite")) == "response too large (> 1 MB)"


async def test_huge_content_length_is_refused_up_front(hostile: str) -> None:
    assert message(await get(f"{hostile}/huge-content-length")) == "response too large (> 1 MB)"


async def test_gzip_bomb_is_capped(local: str) -> None:
    start = time.monotonic()
    assert message(await get(f"{local}/gzip-bomb")) == "response too large (> 1 MB)"
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/double", "more than one content-coding layer refused"),
        ("/brotli", "unsupported content coding br"),
        ("/gzip-cut", "truncated response"),
        ("/deflate-bomb", "response too large (> 1 MB)"),
        ("/gzip-member-bombs", "response too large (> 1 MB)"),
        ("/deflate-junk", "bad deflate data"),
    ],
)
async def test_content_codings(local: str, path: str, expected: str) -> None:
    assert message(await get(f"{local}{path}")) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/bad-gzip", "bad gzip data"),
        ("/truncated", "truncated response"),
        ("/empty-200", "empty response"),
        ("/304-unconditional", "304 without validators"),
        ("/redirect-loop", "redirect loop"),
        ("/redirect-chain?n=10", "too many redirects (more than 5)"),
        ("/redirect-file", "redirect to a non-http(s) URL refused"),
        ("/redirect-scheme", "redirect to a non-http(s) URL refused"),
        ("/status/404", "HTTP 404 Not Found"),
        ("/status/410", "HTTP 410 Gone"),
        ("/status/500", "HTTP 500 Internal Server Error"),
    ],
)
async def test_hostile_endpoints(hostile: str, path: str, expected: str) -> None:
    assert message(await get(f"{hostile}{path}")) == expected


async def test_an_invalid_host_is_not_called_a_refused_redirect() -> None:
    # httpx's InvalidURL was taken for a redirect's bad Location, whatever raised it
    assert message(await get("http://256.1.1.1/feed.xml")) == (
        "not a valid address (invalid IPv4 address: '256.1.1.1')")


async def test_bad_chunked_is_a_clean_error(hostile: str) -> None:
    # said in words, not as h11 quotes the bytes ("bytearray(b'ZZZ\\r\\n')")
    assert message(await get(f"{hostile}/bad-chunked")) == (
        "malformed response (bad chunked encoding)")


@pytest.mark.parametrize("path", ["/huge-header", "/many-headers"])
async def test_big_headers_are_tolerated_or_refused_cleanly(hostile: str, path: str) -> None:
    outcome = await get(f"{hostile}{path}")
    if isinstance(outcome, HttpFetchError):
        message(outcome)


async def test_non_http_urls_are_refused() -> None:
    for url in ("file:///etc/passwd", "ftp://x.example/", "-http://x", "javascript:alert(1)"):
        assert message(await get(url)) == "not an http(s) URL"


async def test_connection_refused_is_one_line() -> None:
    with socket_port() as port:
        pass
    assert message(await get(f"http://127.0.0.1:{port}/")) == "connection refused"


async def test_a_connection_reset_mid_request_is_said_in_words() -> None:
    """A server that takes the connection and resets it: words, never "ReadError:"."""
    import socket
    import struct

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def reset_one() -> None:
        client, _ = listener.accept()
        client.recv(1024)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()

    thread = threading.Thread(target=reset_one, daemon=True)
    thread.start()
    try:
        text = message(await get(f"http://127.0.0.1:{port}/"))
    finally:
        thread.join(5)
        listener.close()
    assert text in ("connection reset by the server", "connection lost"), text


def test_network_reasons_in_words() -> None:
    """"host not found", not "[Errno -2] Name or service not known" (no lookup is made
    here: the tests need no network, and no resolver)."""
    import errno
    import socket
    import ssl

    from reader.core.errors import network_reason

    def chained(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise RuntimeError("All connection attempts failed") from inner
        except RuntimeError as outer:
            return outer

    assert network_reason(chained(socket.gaierror(socket.EAI_NONAME, "x"))) == "host not found"
    assert "DNS" in (network_reason(chained(socket.gaierror(socket.EAI_AGAIN, "x"))) or "")
    assert network_reason(chained(ConnectionRefusedError(111, "x"))) == "connection refused"
    assert network_reason(chained(OSError(errno.ENETUNREACH, "x"))).startswith("network unreach")
    assert network_reason(chained(ssl.SSLError(1, "x"))).startswith("TLS handshake failed")
    assert network_reason(RuntimeError("no cause")) is None


class socket_port:  # noqa: N801 - used as a context manager
    """A port that was free a moment ago (nothing listens on it after the block)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port: int = self.sock.getsockname()[1]
        return port

    def __exit__(self, *args: object) -> None:
        self.sock.close()


# --------------------------------------------------------------------------- Retry-After


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/status/429", timedelta(seconds=120)),
        ("/status/503", timedelta(seconds=120)),
        ("/status/429-date", timedelta(seconds=120)),
        ("/status/429-huge", timedelta(hours=24)),
        ("/status/429-garbage", None),
        ("/status/429-negative", None),
    ],
)
async def test_retry_after_from_the_server(
    hostile: str, path: str, expected: timedelta | None
) -> None:
    outcome = await get(f"{hostile}{path}")
    assert isinstance(outcome, HttpFetchError)
    assert outcome.status in (429, 503)
    if expected is None:
        assert outcome.retry_after is None
    else:
        assert outcome.retry_after is not None
        delta = outcome.retry_after - datetime.now(UTC)
        assert abs(delta - expected) < timedelta(seconds=5)


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == now + timedelta(seconds=120)
    assert parse_retry_after(" 5 ", now=now) == now + timedelta(minutes=1)  # clamped up
    assert parse_retry_after("999999999999999999", now=now) == now + timedelta(hours=24)
    later = format_datetime(now + timedelta(hours=2), usegmt=True)
    assert parse_retry_after(later, now=now) == now + timedelta(hours=2)
    earlier = format_datetime(now - timedelta(hours=2), usegmt=True)
    assert parse_retry_after(earlier, now=now) == now + timedelta(minutes=1)
    for garbage in (None, "", "-5", "soon-ish", "1e3", "\u0661\u0662", "Mon, 99 Foo 2025"):
        assert parse_retry_after(garbage, now=now) is None, garbage


# --------------------------------------------------------------------------- loading


async def test_charset_mismatch_is_decoded_from_bytes_and_headers(hostile: str) -> None:
    async with make_client(FAST) as client:
        result, response = await load_url_async(client, f"{hostile}/charset-mismatch", limits=FAST)
    assert response is not None
    assert response.headers["content-type"] == "text/xml; charset=iso-8859-1"
    assert result.articles[0].title == "Entr\u00e9e \u2014 \u201cone\u201d"


@pytest.mark.parametrize("kind", ["html", "png", "octet"])
def test_wrong_content_type_is_sniffed(hostile: str, kind: str) -> None:
    result = load_url(f"{hostile}/wrong-type/{kind}", limits=FAST)
    assert result.error is None and result.kind is SourceKind.FEED
    assert result.articles[0].title == "Entry one"
    assert result.articles[0].source == f"{hostile}/wrong-type/{kind}"


def test_web_page_offers_its_feed(hostile: str) -> None:
    result = load_url(f"{hostile}/html-not-feed", limits=FAST)
    assert result.error == (
        f"{hostile}/html-not-feed: this is a web page, not a feed; its feed is at {hostile}/ok.xml"
    )
    assert result.feed_urls == (f"{hostile}/ok.xml",)


def test_a_page_that_names_itself_as_its_feed_is_read_as_the_page(local: str) -> None:
    # "this is a web page, not a feed; its feed is at <the address just given>": the
    # advice led back to itself; reader dump could not read the page either
    result = load_url(f"{local}/self-page", limits=FAST)
    assert result.error is None and result.feed_urls == ()
    assert result.kind is SourceKind.HTML and "own article" in result.articles[0].body


def test_hostile_feed_over_http(hostile: str) -> None:
    result = load_url(f"{hostile}/hostile/feed-title-ansi-mix.xml", limits=FAST)
    assert result.articles
    assert all("\x1b" not in (a.title or "") for a in result.articles)


def test_failed_load_carries_status_and_retry_after(hostile: str) -> None:
    result = load_url(f"{hostile}/status/429", limits=FAST)
    assert result.error == f"{hostile}/status/429: " + result.error.split(": ", 1)[1]
    assert result.status == 429
    assert result.retry_after is not None and result.retry_after > datetime.now(UTC)


async def test_not_modified_load(hostile: str) -> None:
    async with make_client(FAST) as client:
        _, first = await load_url_async(client, f"{hostile}/ok.xml", limits=FAST)
        assert first is not None
        result, second = await load_url_async(
            client, f"{hostile}/ok.xml", state=first.state, limits=FAST
        )
    assert result.not_modified and result.error is None
    assert second is not None and second.not_modified


def test_specs_follow_an_opml_url(local: str, hostile: str) -> None:
    specs = [f"{hostile}/ok.xml", f"{local}/opml", f"{hostile}/status/404"]
    results = list(load_specs(specs, limits=FAST))
    assert [r.source for r in results] == [
        f"{hostile}/ok.xml",
        f"{local}/opml",
        f"{local}/feed.xml",
        f"{hostile}/status/404",
    ]
    assert results[1].kind is SourceKind.OPML
    assert any("exec:" in w for w in results[1].warnings)
    assert results[2].articles[0].source == f"{local}/feed.xml"
    assert results[3].error == f"{hostile}/status/404: HTTP 404 Not Found"


def test_load_url_inside_a_running_loop(hostile: str) -> None:
    async def inner() -> str | None:
        return load_url(f"{hostile}/ok.xml", limits=FAST).title

    assert asyncio.run(inner()) == "Loopback feed"


async def test_queueing_for_a_host_does_not_eat_the_deadline(local: str) -> None:
    """Six 0.2 s requests through one slot take 1.2 s; each has a 0.5 s deadline of its own."""
    limits = HttpLimits(deadline=0.5, per_host=1)
    async with make_client(limits) as client:
        responses = await asyncio.gather(
            *(fetch(client, f"{local}/slow", limits=limits) for _ in range(6))
        )
    assert all(r.status == 200 for r in responses)


@pytest.mark.parametrize("split", [None, 1, 21, 4096])
def test_gzip_members_are_all_read_however_the_answer_is_cut(
    monkeypatch: pytest.MonkeyPatch, split: int | None
) -> None:
    # A chunk of one byte, the first of a member, after a chunk that ended a member: that
    # byte was never kept, and every member after it was lost without a word ("split" 1).
    # And each member of a chunk was handed all the rest of the chunk (zlib copied it back
    # as unused_data): the bytes given to zlib are counted, not timed, to stay linear.
    import httpx

    from reader.sources import files as files_module
    from reader.sources import http as http_module

    # files: where the next members start
    fed = count_zlib_input(monkeypatch, http_module, files_module)
    body = gzip.compress(b"x", mtime=0) * 3000 + gzip.compress(b"", mtime=0) * 3000
    size = split or len(body)
    chunks = [body[i:i + size] for i in range(0, len(body), size)]

    class Answer:
        headers = httpx.Headers({"Content-Encoding": "gzip"})

        async def aiter_raw(self) -> object:
            for chunk in chunks:
                yield chunk

    out = asyncio.run(http_module.read_body(Answer(), http_module.DEFAULT_LIMITS))  # type: ignore[arg-type]
    assert out == b"x" * 3000
    assert fed() < 50 * len(body)
