"""Fetching feeds over HTTP without trusting the server.

httpx's timeouts are per read, so a server dripping one byte a second never times
out; its automatic decoding inflates a 1 MB gzip bomb to 1 GiB; its redirect
following knows nothing of our URL policy. So this module sets one deadline around
the whole exchange, reads the raw body through a bounded decompressor, and follows
redirects itself, checking each target.

Every failure is a :class:`HttpFetchError` (a FetchError) with a one-line message
and, for 429/503, ``retry_after``.
"""

from __future__ import annotations

import asyncio
import weakref
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import httpx

from reader.core import sanitize
from reader.core.errors import FetchError, network_reason
from reader.core.models import FetchState
from reader.core.version import __version__
from reader.core.words import number_text
from reader.sources.files import GZIP_MAGIC, inflate

USER_AGENT = f"reader-tui/{__version__} (+https://pypi.org/project/reader-tui/)"
DEFAULT_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_RETRY_STATUSES = frozenset({429, 503})
_RETRY_MIN = timedelta(minutes=1)
_RETRY_MAX = timedelta(hours=24)
_CODINGS = {"gzip": 47, "x-gzip": 47, "deflate": 47}  # 47: zlib or gzip header, auto-detected
_RAW_DEFLATE = -15  # "deflate" as some servers send it: DEFLATE data without zlib's header


@dataclass(frozen=True, slots=True)
class HttpLimits:
    deadline: float = 30.0  # seconds for the whole fetch: connect, redirects, headers, body
    max_bytes: int = 50 * 2**20  # decoded body
    max_redirects: int = 5
    per_host: int = 4  # concurrent requests to one host
    connect_timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class HttpResponse:
    url: str  # final, after redirects
    status: int
    content: bytes  # decoded (content-coding removed); empty when not_modified
    headers: dict[str, str]  # lower-case keys
    not_modified: bool
    state: FetchState  # validators to send next time
    permanent_redirect: bool = False  # every hop was 301/308: the stored URL may be updated
    redirects: tuple[str, ...] = field(default=())


DEFAULT_LIMITS = HttpLimits()


class HttpFetchError(FetchError):
    """A failed fetch. ``retry_after`` is set for 429/503 when the server said when."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: datetime | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def make_client(limits: HttpLimits = DEFAULT_LIMITS) -> httpx.AsyncClient:
    """A client for :func:`fetch`: proxies from the environment, no automatic redirects."""
    return httpx.AsyncClient(
        trust_env=True,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        # The real bound is fetch()'s deadline; these only stop a dead peer early.
        timeout=httpx.Timeout(limits.deadline, connect=limits.connect_timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=40),
    )


# One semaphore per (client, host): politeness is per server, whatever the caller.
_HOST_SLOTS: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def _host_slot(client: httpx.AsyncClient, host: str, per_host: int) -> AsyncIterator[None]:
    slots = _HOST_SLOTS.setdefault(client, {})
    semaphore = slots.get(host)
    if semaphore is None:
        semaphore = slots[host] = asyncio.Semaphore(max(1, per_host))
    async with semaphore:
        yield


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    state: FetchState | None = None,
    limits: HttpLimits = DEFAULT_LIMITS,
    accept: str | None = None,
) -> HttpResponse:
    """GET ``url`` within ``limits``; conditional when ``state`` has validators.

    Raises HttpFetchError with a one-line message; never anything else.
    """
    checked = sanitize.safe_url(url)
    if checked is None:
        raise HttpFetchError(sanitize.url_problem(url))
    try:
        httpx.URL(checked)
    except httpx.InvalidURL as error:
        # said as what it is (256.1.1.1), not as the refused redirect below
        why = sanitize.clean_line(str(error), limit=120) or "invalid"
        raise HttpFetchError(f"not a valid address ({why[:1].lower() + why[1:]})") from None
    try:
        # The clock starts once the first host slot is ours (see _follow): time spent
        # queueing behind other feeds of the same host is not this fetch's fault.
        async with asyncio.timeout(None) as deadline:
            return await _follow(
                client, checked, state=state, limits=limits, accept=accept, deadline=deadline
            )
    except TimeoutError:
        raise HttpFetchError(f"timed out after {limits.deadline:g} s") from None
    except HttpFetchError:
        raise
    except httpx.HTTPError as error:
        raise HttpFetchError(describe_http_error(error)) from None
    except httpx.InvalidURL:
        # httpx parses a redirect's Location even when not following it.
        raise HttpFetchError("redirect to a non-http(s) URL refused") from None
    except (OSError, ValueError) as error:
        raise HttpFetchError(
            sanitize.clean_line(f"network error: {error}", limit=200) or "network error"
        ) from None
    except Exception as error:  # the promise is FetchError only; anything else is a surprise
        raise HttpFetchError(f"fetch failed ({type(error).__name__})") from None


def _conditional_headers(state: FetchState | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    *,
    state: FetchState | None,
    limits: HttpLimits,
    accept: str | None,
    deadline: asyncio.Timeout,
) -> HttpResponse:
    conditional = _conditional_headers(state)
    headers = {"Accept": accept or DEFAULT_ACCEPT, **conditional}
    seen = {url}
    hops: list[str] = []
    permanent = True
    while True:
        host = httpx.URL(url).host
        async with _host_slot(client, host, limits.per_host):
            if deadline.when() is None:
                deadline.reschedule(asyncio.get_running_loop().time() + limits.deadline)
            request = client.build_request("GET", url, headers=headers)
            response = await client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS:
                    permanent = permanent and response.status_code in _PERMANENT
                    url = _redirect_target(response, url, seen, hops, limits)
                    continue
                return await _complete(
                    response,
                    url,
                    conditional,
                    state,
                    limits,
                    permanent=permanent and bool(hops),
                    hops=hops,
                )
            finally:
                await response.aclose()


def _redirect_target(
    response: httpx.Response, url: str, seen: set[str], hops: list[str], limits: HttpLimits
) -> str:
    location = response.headers.get("location")
    if not location:
        raise HttpFetchError(f"HTTP {response.status_code} redirect without a Location")
    target = sanitize.safe_url(location, base=url)
    if target is None:
        raise HttpFetchError("redirect to a non-http(s) URL refused")
    target = target.split("#", 1)[0]
    if target in seen:
        raise HttpFetchError("redirect loop")
    if len(hops) >= limits.max_redirects:
        raise HttpFetchError(f"too many redirects (more than {limits.max_redirects})")
    seen.add(target)
    hops.append(target)
    return target


async def _complete(
    response: httpx.Response,
    url: str,
    conditional: dict[str, str],
    state: FetchState | None,
    limits: HttpLimits,
    *,
    permanent: bool,
    hops: list[str],
) -> HttpResponse:
    status = response.status_code
    headers = {k.lower(): v for k, v in response.headers.items()}
    new_state = FetchState(
        etag=headers.get("etag") or (state.etag if state and status == 304 else None),
        last_modified=headers.get("last-modified")
        or (state.last_modified if state and status == 304 else None),
    )
    if status == 304:
        if not conditional:
            # A 304 to an unconditional request says nothing about what we have.
            raise HttpFetchError("304 without validators", status=304)
        return HttpResponse(
            url=url,
            status=304,
            content=b"",
            headers=headers,
            not_modified=True,
            state=new_state,
            permanent_redirect=permanent,
            redirects=tuple(hops),
        )
    if status >= 400 or status < 200:
        raise _status_error(response)
    _check_length(headers, limits)
    content = await read_body(response, limits)
    if not content:
        raise HttpFetchError("empty response", status=status)
    return HttpResponse(
        url=url,
        status=status,
        content=content,
        headers=headers,
        not_modified=False,
        state=new_state,
        permanent_redirect=permanent,
        redirects=tuple(hops),
    )


def _status_error(response: httpx.Response) -> HttpFetchError:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = sanitize.clean_line(response.reason_phrase, limit=60) or ""
    retry_after = None
    if status in _RETRY_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=datetime.now(UTC))
    message = f"HTTP {status} {phrase}".strip()
    if retry_after is not None:
        message += f"; retry after {retry_after:%Y-%m-%d %H:%M} UTC"
    return HttpFetchError(message, status=status, retry_after=retry_after)


def _size(limit: int) -> str:
    return f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit} bytes"


def _check_length(headers: dict[str, str], limits: HttpLimits) -> None:
    raw = headers.get("content-length", "").strip()
    if number_text(raw) and int(raw) > limits.max_bytes:
        raise HttpFetchError(f"response too large (> {_size(limits.max_bytes)})")


def _coding(headers: httpx.Headers) -> int | None:
    """zlib wbits for the response's content coding; None for identity."""
    layers = [
        part.strip().lower()
        for value in headers.get_list("content-encoding")
        for part in value.split(",")
        if part.strip() and part.strip().lower() != "identity"
    ]
    if len(layers) > 1:
        raise HttpFetchError("more than one content-coding layer refused")
    if not layers:
        return None
    if layers[0] not in _CODINGS:
        shown = sanitize.clean_line(layers[0], limit=40)
        raise HttpFetchError(f"unsupported content coding {shown}")
    return _CODINGS[layers[0]]


async def read_body(response: httpx.Response, limits: HttpLimits) -> bytes:
    """The body with its content coding removed, never more than ``limits.max_bytes``."""
    wbits = _coding(response.headers)
    too_large = HttpFetchError(f"response too large (> {_size(limits.max_bytes)})")
    gzipped = wbits is None or _is_gzip(response.headers)
    bad = HttpFetchError("bad gzip data" if gzipped else "bad deflate data")
    out = bytearray()
    decoder: zlib._Decompress | None = None
    head = b""  # the first bytes, until they say which header the data has
    try:
        async for chunk in response.aiter_raw():
            if wbits is None:
                out += chunk
            else:
                if decoder is None:
                    head += chunk
                    if len(head) < 2:
                        continue
                    decoder = zlib.decompressobj(wbits if gzipped else _window(head, wbits))
                    chunk, head = head, b""
                decoder = inflate(decoder, chunk, out, limits.max_bytes)
            if len(out) > limits.max_bytes:
                raise too_large
        if wbits is not None and decoder is None and head:
            decoder = inflate(zlib.decompressobj(wbits), head, out, limits.max_bytes)
    except httpx.RemoteProtocolError as error:
        raise HttpFetchError(_protocol_message(error)) from None
    except zlib.error:
        raise bad from None
    if wbits is not None:
        if decoder is None or not decoder.eof:
            raise HttpFetchError("truncated response") if out else bad
    return bytes(out)


def _is_gzip(headers: httpx.Headers) -> bool:
    return "gzip" in headers.get("content-encoding", "").lower()


def _window(head: bytes, wbits: int) -> int:
    """The decoder for "deflate" data beginning with ``head``: with a zlib (or gzip) header
    as such, else raw DEFLATE, which curl and browsers accept for "deflate" too."""
    zlib_header = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return wbits if head.startswith(GZIP_MAGIC) or zlib_header else _RAW_DEFLATE


def _protocol_message(error: httpx.RemoteProtocolError) -> str:
    text = str(error).lower()
    if "incomplete" in text or "peer closed" in text or "content-length" in text:
        return "truncated response"
    if "chunk" in text:
        # h11's own words quoted the server's bytes as a Python repr ("bytearray(b'ZZZ')")
        return "malformed response (bad chunked encoding)"
    return sanitize.clean_line(f"protocol error: {error}", limit=160) or "protocol error"


def describe_http_error(error: httpx.HTTPError) -> str:
    """Why a request failed, in words, for feeds and sync servers alike."""
    if isinstance(error, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return network_reason(error) or sanitize.clean_line(
            f"cannot connect: {error}", limit=160) or "cannot connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return _protocol_message(error)
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "not an http(s) URL"
    if isinstance(error, httpx.NetworkError):
        # A read or write on a connection the server dropped often carries no message.
        detail = sanitize.clean_line(str(error), limit=140)
        return network_reason(error) or (f"connection lost: {detail}" if detail
                                         else "connection lost")
    name = type(error).__name__
    return sanitize.clean_line(f"{name}: {error}", limit=160) or name


def parse_retry_after(value: str | None, *, now: datetime) -> datetime | None:
    """When to try again: delta-seconds or an HTTP-date, clamped to [1 min, 24 h] from now.

    Garbage and negative values give None (the caller's own schedule applies).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if number_text(value):
        delay = timedelta(seconds=min(int(value[:12]), int(_RETRY_MAX.total_seconds()) + 1))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    return now + min(max(delay, _RETRY_MIN), _RETRY_MAX)
