"""Real servers where they run, and loopback feeds for them (tests/library/test_sync_*).

A real server is used when its address is in the environment (``READER_TTRSS_URL``,
``_USER``, ``_PASSWORD``; ``READER_FRESHRSS_...``), as ``.ci/run`` exports them, or when its
start-up script's state file says it is up (``/tmp/reader-ttrss/env``,
``/tmp/reader-freshrss/env``, or ``$TTRSS_STATE`` / ``$FRESHRSS_STATE``). Otherwise the
tests that need it skip, saying how to start it. Each test subscribes its own feeds, served
from its own loopback port, and unsubscribes them at the end: the account is shared.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import httpx
import pytest
from support.loopback import QuietHTTPServer

from reader.core.sync import RemoteFeed, SyncClient
from reader.sync import GReaderClient, TtrssClient

STATES = {"ttrss": ("TTRSS_STATE", "/tmp/reader-ttrss"),
          "freshrss": ("FRESHRSS_STATE", "/tmp/reader-freshrss")}
HOW = {
    "ttrss": "start one with `sudo tests/servers/ttrss-up.sh` (Debian, root), or set "
             "READER_TTRSS_URL/_USER/_PASSWORD",
    "freshrss": "start one with `tests/servers/freshrss-up.sh FRESHRSS_DIR` "
                "(see tests/servers/README.md), or set READER_FRESHRSS_URL/_USER/_PASSWORD",
}


@dataclass(frozen=True)
class Server:
    """A running feed server and its test account."""

    name: str  # "ttrss" | "freshrss"
    url: str
    user: str
    password: str

    def client(self, password: str | None = None) -> SyncClient:
        secret = self.password if password is None else password
        if self.name == "ttrss":
            return TtrssClient(self.url, self.user, secret)
        return GReaderClient(self.url, self.user, secret)

    async def refresh(self, client: SyncClient, feed: RemoteFeed, farm: FeedServer) -> None:
        """Make the server fetch ``feed`` (one of ``farm``'s) now."""
        if isinstance(client, TtrssClient):
            await client.update_feed(feed.id)
            return
        # FreshRSS, started with anonymous refresh allowed: its web refresh of one feed.
        # SimplePie keeps what it fetched until the end of that second, even with a cache
        # duration of 0: a second fetch within the same second would see the old feed.
        wait = farm.last_served(feed.url) + 1.05 - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        number = feed.id.removeprefix("feed/")
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.get(
                self.url.rstrip("/") + "/i/",
                params={"c": "feed", "a": "actualize", "id": number, "ajax": "1"},
            )
            response.raise_for_status()


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 2):
            return True
    except OSError:
        return False


SERVERS = ("ttrss", "freshrss")


def real_server(name: str) -> Server:
    """The running server of that name, or the test skips, saying how to start one."""
    found = find_server(name)
    if isinstance(found, str):
        pytest.skip(found)
    return found


def find_server(name: str) -> Server | str:
    """The server, or why there is none (a skip reason)."""
    prefix = f"READER_{name.upper()}_"
    values = {key: os.environ[prefix + key] for key in ("URL", "USER", "PASSWORD")
              if prefix + key in os.environ}
    explicit = "URL" in values
    if not explicit:
        variable, default = STATES[name]
        state = Path(os.environ.get(variable, default)) / "env"
        try:
            lines = state.read_text(encoding="utf-8").splitlines()
        except OSError:
            return f"no {name} server: {HOW[name]}"
        for text in lines:
            key, _, value = text.partition("=")
            if key.startswith(prefix):
                values[key.removeprefix(prefix)] = value
    if "URL" not in values:
        return f"no {name} server: {HOW[name]}"
    server = Server(name, values["URL"], values.get("USER", "sync"),
                    values.get("PASSWORD", "syncpass"))
    if not _answers(server.url):
        if explicit:
            pytest.fail(f"{prefix}URL={server.url} is set but nothing answers there")
        return f"no {name} server answers at {server.url} (stale state file): {HOW[name]}"
    return server


# --- loopback feeds ---------------------------------------------------------------------

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Entry:
    key: str
    title: str
    html: str
    author: str = "Ann Writer"
    hours: int = 0  # before BASE


@dataclass
class Feed:
    title: str
    entries: list[Entry] = field(default_factory=list)

    def xml(self, base: str) -> bytes:
        items = "".join(
            f"<item><title>{escape(e.title)}</title><link>{base}/a/{e.key}</link>"
            f"<guid isPermaLink=\"false\">{e.key}</guid>"
            f"<pubDate>{format_datetime(BASE - timedelta(hours=e.hours))}</pubDate>"
            f"<author>{escape(e.author)}</author>"
            f"<description>{escape(e.html)}</description></item>"
            for e in self.entries
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{escape(self.title)}</title><link>{base}/</link>"
                f"<description>test feed</description>{items}</channel></rss>").encode()


class FeedServer:
    """Feeds served from 127.0.0.1 on a port of their own; change them, then refresh."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.served: dict[str, float] = {}  # path -> when it was last served (time.time())
        self.tag = uuid.uuid4().hex[:8]  # guids unique to this test: servers share entries
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                name = self.path.lstrip("/")
                feed = owner.feeds.get(name)
                owner.served[name] = time.time()
                body = feed.xml(owner.base) if feed else b"not found"
                self.send_response(200 if feed else 404)
                self.send_header("Content-Type", "application/rss+xml" if feed else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def add(self, name: str, title: str, count: int = 0) -> str:
        """A feed of ``count`` entries; returns its URL."""
        feed = Feed(title)
        self.feeds[name] = feed
        for _ in range(count):
            self.entry(name)
        return f"{self.base}/{name}"

    def entry(self, name: str, *, title: str | None = None, html: str | None = None) -> Entry:
        feed = self.feeds[name]
        number = len(feed.entries) + 1
        entry = Entry(
            key=f"{self.tag}-{name}-{number}",
            title=title or f"{feed.title} story {number}",
            html=html or f"<p>Paragraph {number} of <b>{escape(feed.title)}</b>.</p>",
            hours=100 - number,
        )
        feed.entries.append(entry)
        return entry

    def last_served(self, url: str) -> float:
        return self.served.get(url.removeprefix(self.base).lstrip("/"), 0.0)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
