"""A small tt-rss in memory, on loopback: the API calls reader's client makes, with state.

For the library, CLI and TUI sync tests that must run where no real tt-rss can be started
(a pip-only machine); the real server's behaviour is checked by test_sync_servers.py and
test_sync_scenario.py. What it keeps to tt-rss's ways: one id sequence for every article,
getHeadlines newest first, at most 200 a call, paged by ``skip``, ``since_id``; virtual
feeds -4 (all) and -1 (starred); ``updateArticle`` field 0 (marked) and 2 (unread);
subscribing does not fetch (``updateFeed`` does); unsubscribing drops the feed's articles.

The "web" it fetches feeds from is a dict the test fills: ``web[url] = WebFeed(...)``.
"""

from __future__ import annotations

import itertools
import socket
import threading
from dataclasses import dataclass, field

from support.sync_fakes import FakeServer, Reply, Request

USER, PASSWORD = "sync", "syncpass"


@dataclass
class WebFeed:
    title: str
    entries: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (guid, title, html, link)

    def add(self, count: int = 1) -> None:
        for _ in range(count):
            number = len(self.entries) + 1
            self.entries.append((f"{self.title}-{number}", f"{self.title} story {number}",
                                 f"<p>Story <b>{number}</b> of {self.title}.</p>",
                                 f"https://example.org/{self.title}/{number}"))


@dataclass
class Entry:
    id: int
    feed_id: int
    guid: str
    title: str
    content: str
    link: str
    unread: bool = True
    marked: bool = False


class TtrssFake:
    """The fake server; ``url`` is its root (the API is ``api/`` below it)."""

    def __init__(self) -> None:
        self.web: dict[str, WebFeed] = {}
        self.categories = {3: "News"}
        self.feeds: dict[int, tuple[str, str, int]] = {}  # id -> (url, title, category id)
        self.entries: dict[int, Entry] = {}
        self.sessions: set[str] = set()
        self.calls: list[str] = []  # every op asked, in order
        self._ids = itertools.count(100)
        self._feed_ids = itertools.count(1)
        self._lock = threading.RLock()  # subscribe() and update() are also API calls
        self.server = FakeServer(self._answer)
        self.url = self.server.url

    def close(self) -> None:
        self.server.close()

    # -- what a test does on the "server side" (another device, tt-rss's updater)

    def publish(self, url: str, title: str, count: int) -> str:
        """A feed on the web with ``count`` entries; its URL."""
        self.web[url] = feed = WebFeed(title)
        feed.add(count)
        return url

    def subscribe(self, url: str, category: int = 0) -> int:
        with self._lock:
            for feed_id, (known, _, _) in self.feeds.items():
                if known == url:
                    return feed_id
            feed_id = next(self._feed_ids)
            self.feeds[feed_id] = (url, url, category)
        return feed_id

    def update(self, feed_id: int) -> None:
        """tt-rss's updater: the feed's new entries stored, each with the next id."""
        with self._lock:
            url, _, category = self.feeds[feed_id]
            web = self.web[url]
            self.feeds[feed_id] = (url, web.title, category)
            known = {e.guid for e in self.entries.values() if e.feed_id == feed_id}
            for guid, title, html, link in web.entries:
                if guid not in known:
                    number = next(self._ids)
                    self.entries[number] = Entry(number, feed_id, guid, title, html, link)

    def entry(self, title: str) -> Entry:
        return next(e for e in self.entries.values() if e.title == title)

    # -- the API

    def _answer(self, request: Request) -> Reply:
        body = request.json()
        op = str(body.get("op"))
        self.calls.append(op)
        if op == "login":
            if body.get("user") == USER and body.get("password") == PASSWORD:
                sid = f"sid{len(self.sessions) + 1}"
                self.sessions.add(sid)
                return self._ok({"session_id": sid, "api_level": 15})
            return self._error("LOGIN_ERROR")
        if body.get("sid") not in self.sessions:
            return self._error("NOT_LOGGED_IN")
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            return self._error("UNKNOWN_METHOD")
        with self._lock:
            return handler(body)  # type: ignore[no-any-return]

    @staticmethod
    def _ok(content: object) -> Reply:
        return Reply.of_json({"seq": 0, "status": 0, "content": content})

    @staticmethod
    def _error(code: str) -> Reply:
        return Reply.of_json({"seq": 0, "status": 1, "content": {"error": code}})

    def _op_logout(self, body: dict[str, object]) -> Reply:
        self.sessions.discard(str(body.get("sid")))
        return self._ok({"status": "OK"})

    def _op_getCategories(self, body: dict[str, object]) -> Reply:  # noqa: N802
        return self._ok([{"id": k, "title": v} for k, v in self.categories.items()])

    def _op_getFeeds(self, body: dict[str, object]) -> Reply:  # noqa: N802
        return self._ok([{"id": k, "feed_url": url, "title": title, "cat_id": cat}
                         for k, (url, title, cat) in self.feeds.items()])

    def _op_getHeadlines(self, body: dict[str, object]) -> Reply:  # noqa: N802
        feed = int(str(body.get("feed_id", -4)))
        since = int(str(body.get("since_id") or 0))
        skip = int(str(body.get("skip") or 0))
        limit = min(200, int(str(body.get("limit") or 200)))
        rows = sorted(self.entries.values(), key=lambda e: -e.id)
        rows = [e for e in rows if e.id > since and (feed != -1 or e.marked)
                and (feed < 0 or e.feed_id == feed)
                and (body.get("view_mode") != "unread" or e.unread)
                and (body.get("view_mode") != "marked" or e.marked)]
        content = bool(body.get("show_content"))
        return self._ok([{
            "id": e.id, "feed_id": str(e.feed_id), "title": e.title, "unread": e.unread,
            "marked": e.marked, "link": e.link,
            "author": "Ann", "updated": 1767600000 + e.id,
            **({"content": e.content} if content else {}),
        } for e in rows[skip:skip + limit]])

    def _op_getCounters(self, body: dict[str, object]) -> Reply:  # noqa: N802
        counts: dict[int, list[int]] = {}
        for e in self.entries.values():
            unread, marked = counts.setdefault(e.feed_id, [0, 0])
            counts[e.feed_id] = [unread + e.unread, marked + e.marked]
        return self._ok([{"id": feed, "counter": unread, "markedcounter": marked}
                         for feed, (unread, marked) in counts.items()]
                        + [{"id": 3, "kind": "cat", "counter": 0},
                           {"id": "global-unread", "counter": 0}])

    def _op_getUnread(self, body: dict[str, object]) -> Reply:  # noqa: N802
        return self._ok({"unread": str(sum(e.unread for e in self.entries.values()))})

    def _op_updateArticle(self, body: dict[str, object]) -> Reply:  # noqa: N802
        ids = [int(i) for i in str(body.get("article_ids", "")).split(",") if i.strip()]
        mode, field_ = int(str(body.get("mode"))), int(str(body.get("field")))
        updated = 0
        for number in ids:
            entry = self.entries.get(number)
            if entry is None:
                continue
            name = "marked" if field_ == 0 else "unread"
            value = not getattr(entry, name) if mode == 2 else bool(mode)
            setattr(entry, name, value)
            updated += 1
        return self._ok({"status": "OK", "updated": updated})

    def _op_subscribeToFeed(self, body: dict[str, object]) -> Reply:  # noqa: N802
        url = str(body.get("feed_url"))
        if url not in self.web:
            return self._ok({"status": {"code": 5, "message": "could not download"}})
        exists = any(known == url for known, _, _ in self.feeds.values())
        feed_id = self.subscribe(url, int(str(body.get("category_id") or 0)))
        return self._ok({"status": {"code": 0 if exists else 1, "feed_id": feed_id}})

    def _op_unsubscribeFeed(self, body: dict[str, object]) -> Reply:  # noqa: N802
        feed_id = int(str(body.get("feed_id")))
        if feed_id not in self.feeds:
            return self._error("FEED_NOT_FOUND")
        del self.feeds[feed_id]
        for number in [k for k, e in self.entries.items() if e.feed_id == feed_id]:
            del self.entries[number]
        return self._ok({"status": "OK"})

    def _op_updateFeed(self, body: dict[str, object]) -> Reply:  # noqa: N802
        self.update(int(str(body.get("feed_id"))))
        return self._ok({"status": "OK"})


class Relay:
    """A TCP relay from a loopback port of its own to a server: ``stop()`` is the server
    going down for its clients (connection refused), ``start()`` it coming back, on the
    same port."""

    def __init__(self, target: str) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.path = parts.path or "/"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            # The accept thread's poll() holds the socket open (still listening) until it
            # returns; a client connecting in that window would be reset, not refused.
            self._acceptor.join()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
                with self._lock:
                    self._open.discard(sock)
