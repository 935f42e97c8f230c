"""HTTP for the sync clients: one request at a time, within the feeds' limits.

The same client and limits as feed fetching (:mod:`reader.sources.http`): one deadline
around the whole exchange, the body read through the bounded decompressor. Unlike a
feed fetch, an API call follows no redirect: credentials are posted, and a server that
moved should be given by its new address (the message says which).

Every failure becomes a :class:`SyncError` whose message starts with the server's label;
nothing else escapes :meth:`Transport.request`.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Self
from urllib.parse import urlencode, urlsplit

import httpx

from reader.core import dates, sanitize
from reader.core.errors import SyncError
from reader.core.words import number_text
from reader.sources.http import (
    DEFAULT_LIMITS,
    HttpFetchError,
    HttpLimits,
    describe_http_error,
    make_client,
    read_body,
)

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|body|\?xml|title|h1|p\b)",
                         re.IGNORECASE)


# One paged listing (ids, or a feed's articles) ends here: a server that gives new pages
# for ever would hold a sync, and its memory, without end. A million ids is twenty times
# the largest account measured; the pages, for servers that page by a hundred or two.
MAX_LISTED_IDS = 1_000_000
MAX_LISTED_PAGES = 10_000


class Listing:
    """Counts the pages of one paged listing; past the caps, a SyncError (one line)."""

    def __init__(self, label: str, what: str) -> None:
        self.label = label
        self.what = what
        self.pages = 0

    def page(self, ids: int) -> None:
        """One more page, ``ids`` listed so far."""
        self.pages += 1
        if self.pages > MAX_LISTED_PAGES or ids > MAX_LISTED_IDS:
            raise SyncError(f"{self.label}: {self.what} goes on past {MAX_LISTED_PAGES:,} "
                            f"pages or {MAX_LISTED_IDS:,} ids: stopped (a listing without "
                            "end)")


class AnswerTooLarge(SyncError):
    """The answer was over the size cap (a caller may ask for less at a time)."""


def server_label(name: str, url: str) -> str:
    """ "tt-rss at 127.0.0.1:8280": the API's name and the host (no user, no path)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{name} at {host}:{port}" if port else f"{name} at {host}"


def checked_url(name: str, url: str) -> str:
    """The URL if it is an absolute http(s) URL, else a SyncError naming it."""
    checked = sanitize.safe_url(url.strip())
    if checked is None:
        shown = sanitize.clean_line(url, limit=80) or "(empty)"
        raise SyncError(f"{name}: {sanitize.url_problem(url)}: {shown}")
    return checked.split("#", 1)[0]


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """A whole answer: status, lower-case headers, decoded body (never over the cap)."""

    status: int
    headers: dict[str, str]
    content: bytes

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Transport:
    """Sends one API request at a time for one server, counting them."""

    def __init__(
        self, label: str, *, http: httpx.AsyncClient | None = None,
        limits: HttpLimits = DEFAULT_LIMITS,
    ) -> None:
        self.label = label
        self.limits = limits
        self.requests = 0  # sent, whatever came back: for benchmarks and tests
        self._own = http is None
        self._http = http if http is not None else make_client(limits)

    def error(self, what: str) -> SyncError:
        return SyncError(f"{self.label}: {what}")

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Mapping[str, object] | None = None,
        form: Sequence[tuple[str, str]] | None = None,
        params: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        redirects: bool = False,
    ) -> ApiResponse:
        """Send one request; any status comes back (see :meth:`check`), failures raise.

        A redirect is an error unless ``redirects`` (then the 3xx answer comes back, for
        a caller probing where an API lives); it is never followed.
        """
        sent_headers = {"Accept": "application/json, text/plain;q=0.9, */*;q=0.1"}
        sent_headers.update(headers or {})
        content: bytes | None = None
        try:
            # text no request can carry (a lone surrogate, from bytes that were not UTF-8)
            if json_body is not None:
                content = json.dumps(json_body, ensure_ascii=False).encode()
                sent_headers["Content-Type"] = "application/json"
            elif form is not None:
                content = urlencode(list(form)).encode()
                sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
            if params:
                url = f"{url}{'&' if '?' in url else '?'}{urlencode(list(params))}"
        except UnicodeEncodeError:
            raise self.error("a request with text that is not valid UTF-8 was not sent") from None
        self.requests += 1
        try:
            async with asyncio.timeout(self.limits.deadline):
                return await self._send(method, url, content, sent_headers, redirects)
        except TimeoutError:
            raise self.error(f"timed out after {self.limits.deadline:g} s") from None
        except SyncError:
            raise
        except HttpFetchError as error:  # read_body: size cap, bad gzip, truncated
            if "too large" in str(error):
                raise AnswerTooLarge(f"{self.label}: answer too large "
                                     f"(> {_size(self.limits.max_bytes)})") from None
            raise self.error(str(error)) from None
        except httpx.HTTPError as error:
            reason = describe_http_error(error)
            if reason == "connection refused":
                reason += " (is the server running?)"
            raise self.error(reason) from None
        except httpx.InvalidURL:
            raise self.error("not a valid address") from None
        except (OSError, ValueError) as error:
            shown = sanitize.clean_line(str(error), limit=120) or type(error).__name__
            raise self.error(f"network error: {shown}") from None
        except Exception as error:  # the promise is SyncError only
            raise self.error(f"request failed ({type(error).__name__})") from None

    async def _send(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str],
        redirects: bool,
    ) -> ApiResponse:
        request = self._http.build_request(method, url, content=content, headers=headers)
        response = await self._http.send(request, stream=True, follow_redirects=False)
        try:
            status = response.status_code
            if 300 <= status < 400 and status != 304 and not redirects:
                raise self.error(_redirect_message(response, url))
            length = response.headers.get("content-length", "").strip()
            if number_text(length) and int(length) > self.limits.max_bytes:
                raise AnswerTooLarge(f"{self.label}: answer too large "
                                     f"(> {_size(self.limits.max_bytes)})")
            body = await read_body(response, self.limits)
            lowered = {k.lower(): v for k, v in response.headers.items()}
            return ApiResponse(status=status, headers=lowered, content=body)
        finally:
            await response.aclose()

    def check(self, response: ApiResponse) -> None:
        """Raise a SyncError for anything but 2xx (401/403 are the caller's to word)."""
        if 200 <= response.status < 300:
            return
        status = response.status
        phrase = _phrase(status)
        title = page_title(response.content)
        said = f"{status} {phrase}".lower()
        shown = f" ({title})" if title and title.lower() not in said else ""
        if status == 404:
            raise self.error(f"no API at this address (HTTP 404){shown}")
        if status in (401, 403):
            raise self.error(f"access refused (HTTP {status} {phrase}){shown}")
        if status in (429, 503):
            raise self.error(f"busy or down for maintenance (HTTP {status} {phrase}); try later")
        if status >= 500:
            raise self.error(f"server error (HTTP {status} {phrase}){shown}")
        raise self.error(f"HTTP {status} {phrase}{shown}".rstrip())

    def json(self, response: ApiResponse) -> object:
        """The body as JSON, or a SyncError that says what came instead."""
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):
            pass
        if not response.content.strip():
            raise self.error(f"empty answer (HTTP {response.status})")
        if looks_like_html(response):
            title = page_title(response.content)
            shown = f" ({title})" if title else ""
            raise self.error(f"answered with a web page, not the API{shown}")
        raise self.error("answered something that is not JSON")


class ApiClient:
    """What every API client shares: its label, its transport, closing (``async with``)."""

    _label: str
    _transport: Transport

    @property
    def label(self) -> str:
        return self._label

    @property
    def requests(self) -> int:
        """Requests sent so far (for benchmarks)."""
        return self._transport.requests

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()


def looks_like_html(response: ApiResponse) -> bool:
    kind = response.headers.get("content-type", "").lower()
    return "html" in kind or bool(_HTML_START.match(response.content[:512]))


def page_title(content: bytes) -> str | None:
    """An HTML page's <title>, one short clean line, or None."""
    match = _TITLE.search(content[:65536])
    if match is None:
        return None
    text = html.unescape(match.group(1).decode("utf-8", errors="replace"))
    return sanitize.clean_line(text, limit=80)


def _redirect_message(response: httpx.Response, url: str) -> str:
    location = response.headers.get("location", "")
    target = sanitize.safe_url(location, base=url) if location else None
    if target is None:
        return f"redirected (HTTP {response.status_code}) to a non-http(s) address"
    return f"redirects (HTTP {response.status_code}) to {sanitize.clean_line(target, limit=160)}"


def _size(limit: int) -> str:
    return f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit} bytes"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# Reading untyped JSON without trusting it: each helper answers None for the wrong type.

def mapping(value: object) -> dict[str, object] | None:
    return value if isinstance(value, dict) else None


def sequence(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def line(value: object, *, limit: int = sanitize.MAX_TITLE) -> str | None:
    """A single-line text field (title, author, name), cleaned; None if absent or empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return sanitize.clean_line(value, limit=limit) if isinstance(value, str) else None


def ident(value: object) -> str | None:
    """An id, numeric or text, as a string; None for anything else or an empty one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return sanitize.clean_line(value, limit=300)
    return None


def url(value: object, *, base: str | None = None) -> str | None:
    return sanitize.safe_url(value, base=base) if isinstance(value, str) else None


def epoch(value: object, *, scale: int = 1) -> datetime | None:
    """A Unix time (seconds, or ``scale`` units a second), as an aware datetime or None."""
    if isinstance(value, str) and number_text(value.strip()):
        value = int(value.strip()[:20])
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return dates.plausible(datetime.fromtimestamp(value / scale, UTC))
    except (OverflowError, OSError, ValueError):
        return None


def flag(value: object) -> bool:
    """tt-rss's booleans: true/false, 1/0, "t"/"f", "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "t", "true"}
    return value is True or (isinstance(value, int) and value == 1)
